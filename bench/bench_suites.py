"""Proof suites: time per proof of each suite (Python), and the whole corpus in Python and JS.

    python bench/bench_suites.py [--repeat 20]

Prints a table. Figures depend on the machine and its load: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "corpus"))

import runner  # noqa: E402

from credstack.crypto.contexts import context_bundle  # noqa: E402
from credstack.crypto.methods import make_resolver  # noqa: E402
from credstack.crypto.suites import verify_proofs  # noqa: E402

W3C = ROOT / "tests" / "vectors" / "w3c"
CASES = {
    "Ed25519Signature2020": W3C / "ed25519-signature-2020/signedEdSig.json",
    "ecdsa-rdfc-2019 P-256": W3C / "ecdsa-rdfc-2019-p256/signedECDSAP256.json",
    "ecdsa-rdfc-2019 P-384": W3C / "ecdsa-rdfc-2019-p384/signedECDSAP384.json",
    "ecdsa-rdfc-2019 P-384 (blank nodes)": W3C / "ecdsa-rdfc-2019-p384/employ/signedECDSAP384.json",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    resolve, loader = make_resolver(), runner.loader()
    print(f"{'suite (one proof, warm)':40} {'median ms':>10}")
    for name, path in CASES.items():
        document = json.loads(path.read_text(encoding="utf-8"))
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            [outcome] = verify_proofs(document, resolve, loader=loader)
            times.append(time.perf_counter() - start)
            assert outcome.ok
        print(f"{name:40} {statistics.median(times) * 1000:>10.2f}")
    entries = list(runner.entries())
    start = time.perf_counter()
    for entry in entries:
        runner.codes(entry)
    python = time.perf_counter() - start
    print(f"\ncorpus, {len(entries)} files: Python {python:.2f} s", end="")
    if shutil.which("node") and (ROOT / "verifier" / "node_modules").is_dir():
        with tempfile.TemporaryDirectory() as folder:
            contexts = context_bundle()
            contexts.update(runner.test_contexts())
            bundle = Path(folder) / "contexts.json"
            bundle.write_text(json.dumps(contexts), encoding="utf-8")
            start = time.perf_counter()
            subprocess.run(
                [
                    "node",
                    "test-support/corpus.mjs",
                    str(runner.HERE / "manifest.json"),
                    str(bundle),
                ],
                cwd=ROOT / "verifier",
                check=True,
                capture_output=True,
            )
            print(f", JavaScript (node, incl. start-up) {time.perf_counter() - start:.2f} s")
    else:
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
