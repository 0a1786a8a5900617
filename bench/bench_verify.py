"""Verification and award throughput: `credstack verify issued/` cold and cached, the raw Ed25519
floor for the same number of signatures, and a 1,000-row cohort CSV award.

    python bench/bench_verify.py --n 1000 10000

Registries are generated once with bench/generate.py under --work (default /tmp/credstack-bench)
and reused. Every figure is a real run of the CLI in a subprocess (wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from generate import SIGNED_AT, generate

from credstack.crypto.keys import SigningKey, verify_signature
from credstack.crypto.proof import decode_proof_value
from credstack.registry.registry import Registry


def registry_of(n: int, work: Path) -> Path:
    root = work / f"reg-{n}"
    if (
        not (root / "issued" / "credentials").is_dir()
        or len(list((root / "issued" / "credentials").rglob("*.json"))) < n
    ):
        print(f"  generating a registry of {n} credentials …", file=sys.stderr)
        generate(n, root)
    return root


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return elapsed, out.stdout


def ed25519_floor(root: Path) -> float:
    """Seconds to verify every credential's raw Ed25519 signature (no canonicalization)."""
    items = []
    for path in sorted((root / "issued" / "credentials").rglob("*.json")):  # flat or sharded
        doc = json.loads(path.read_text())
        items.append(decode_proof_value(doc["proof"][0]["proofValue"]))
    key = SigningKey.from_seed(bytes(32))
    message = b"x" * 64  # hashData is 64 bytes: proof config hash || document hash
    signature = key.sign(message)
    start = time.perf_counter()
    for _ in items:
        verify_signature(key.public_key, message, signature)
    return time.perf_counter() - start


def cohort_award(work: Path) -> float:
    """Seconds for `credstack award --csv` of 1,000 new recipients into a fresh registry."""
    root = work / "reg-csv"
    if root.exists():
        shutil.rmtree(root)
    generate(1, root)
    csv = work / "cohort-1000.csv"
    rows = ["name,email,achievement,issued_at"]
    rows += [
        f"Cohort {i:04d},cohort{i:04d}@example.org,session-design,2026-10-01" for i in range(1000)
    ]
    csv.write_text("\n".join(rows) + "\n")
    secret = SigningKey.from_seed(random.Random(7).randbytes(32))  # generate.py's key
    env = {**os.environ, "CREDSTACK_SIGNING_KEY": secret.to_multibase_secret()}
    elapsed, _ = timed(
        [sys.executable, "-m", "credstack.cli", "award", "--csv", str(csv)], root, env
    )
    assert len(Registry(root).credentials) == 1001, "the cohort was not awarded"
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/credstack-bench"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.n:
        root = registry_of(n, args.work)
        shutil.rmtree(root / ".cache", ignore_errors=True)
        verify = [
            sys.executable,
            "-m",
            "credstack.cli",
            "verify",
            "issued/",
            "--at",
            SIGNED_AT.date().isoformat(),
        ]
        cold, out = timed(verify, root)
        cached, _ = timed(verify, root)
        floor = ed25519_floor(root)
        summary = out.strip().splitlines()[-1]
        rows.append((f"verify issued/ (N={n}) cold", cold, f"{n / cold:,.0f} credentials/s"))
        rows.append((f"verify issued/ (N={n}) cached", cached, f"{n / cached:,.0f} credentials/s"))
        rows.append((f"raw Ed25519 verify x{n} (floor)", floor, f"{n / floor:,.0f} /s"))
        print(f"  N={n}: {summary}", file=sys.stderr)
    rows.append(("award --csv, 1,000 rows", cohort_award(args.work), "1,000 credentials"))
    print(f"{'measurement':44} {'seconds':>9}  rate")
    for name, seconds, note in rows:
        print(f"{name:44} {seconds:9.2f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
