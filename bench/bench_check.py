"""Time `credstack check` on a synthetic registry of N credentials.

    python bench/bench_check.py 2000            # N credentials (default 1000)
    python bench/bench_check.py 10000 --keep /tmp/reg10k

Builds a registry over the demo program through the real award code with a throwaway key
(many recipients at different points of the pathway, about 1 % revoked), commits it to a git
repository on ``main``, then times the real CLI:

- cold, 1 process: ``credstack check --no-cache --jobs 1``
- cold, all cores: ``credstack check`` with an empty cache (fills it)
- cached:          ``credstack check`` again
- +1 credential:   one more award on a branch, ``credstack check --base main`` (warm cache)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from credstack.crypto.keys import SigningKey
from credstack.registry.award import AwardInput, plan_awards, write_plan
from credstack.registry.keys import create_key, find_signing_key
from credstack.registry.lifecycle import change_status
from credstack.registry.registry import Registry

REPO = Path(__file__).resolve().parent.parent
START = datetime(2024, 2, 1, 9, tzinfo=UTC)
KEY_DATE = datetime(2024, 1, 1, tzinfo=UTC)


def ladder(program) -> list[str]:
    """The demo's achievements in an order that satisfies every prerequisite and pathway."""
    pathway = next(iter(program.pathways.values()))
    chosen = [a for group in pathway.requires for a in group.achievements[: group.needed]]
    ordered: list[str] = []

    def visit(aid: str) -> None:
        for pre in program.achievements[aid].prerequisites:
            visit(pre)
        if aid not in ordered:
            ordered.append(aid)

    for aid in chosen:
        visit(aid)
    return [*ordered, pathway.certification]


def result_for(program, aid: str) -> str | None:
    assessment = program.achievements[aid].assessment
    return assessment.result_scale[-1] if assessment and assessment.result_scale else None


def build(root: Path, n: int) -> tuple[float, SigningKey]:
    """Create the registry with ``n`` credentials; return the seconds it took and the key."""
    t0 = time.perf_counter()
    root.mkdir(parents=True)
    shutil.copytree(REPO / "program", root / "program")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site_src", root / "site_src")
    (root / "program" / "keys.yml").unlink(missing_ok=True)
    (root / ".gitignore").write_text(".cache/\n/site/\n")
    secret = SigningKey.generate()  # throwaway
    create_key(
        Registry(root).program, root, now=KEY_DATE, key_id="bench", store=False, secret=secret
    )
    env = {"CREDSTACK_SIGNING_KEY": secret.to_multibase_secret()}
    program = Registry(root).program
    steps = ladder(program)
    inputs: list[AwardInput] = []
    person = 0
    while len(inputs) < n:
        depth = 1 + person % len(steps)  # people at every point of the pathway
        for k, aid in enumerate(steps[:depth]):
            if len(inputs) == n:
                break
            result = result_for(program, aid) or ("pass" if k == len(steps) - 1 else None)
            inputs.append(
                AwardInput(
                    aid,
                    f"Person {person}",
                    f"person{person}@example.org",
                    START + timedelta(days=person % 300, hours=k * 24 * 7),
                    result=result,
                )
            )
        person += 1
    registry = Registry(root)
    key = find_signing_key(registry.program, root, env=env)
    latest = max(i.issued_at for i in inputs)
    write_plan(plan_awards(registry, inputs, key, signed_at=latest))
    registry = Registry(root)
    for i, cid in enumerate(list(registry.credentials)[::100][:50]):
        change_status(
            Registry(root),
            cid,
            "revoked",
            key=key,
            when=latest + timedelta(minutes=i + 1),
            reason="bench",
        )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "bench registry")
    return time.perf_counter() - t0, secret


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def credstack(root: Path, *args: str) -> tuple[float, str]:
    exe = shutil.which("credstack", path=str(Path(sys.executable).parent)) or "credstack"
    t0 = time.perf_counter()
    run = subprocess.run(
        [exe, "-v", "-C", str(root), "check", *args], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - t0
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0:
        sys.exit(f"credstack check failed:\n{run.stdout}\n{run.stderr}")
    return elapsed, " | ".join(lines[-3:-1])


def add_one(root: Path, secret: SigningKey) -> None:
    """Award one more credential on branch ``pr`` (same key: the DID document is unchanged)."""
    git(root, "switch", "-q", "-c", "pr")
    registry = Registry(root)
    env = {"CREDSTACK_SIGNING_KEY": secret.to_multibase_secret()}
    key = find_signing_key(registry.program, root, env=env)
    first = ladder(registry.program)[0]
    when = START + timedelta(days=400)
    inp = AwardInput(
        first, "Newcomer", "new@example.org", when, result=result_for(registry.program, first)
    )
    write_plan(plan_awards(registry, [inp], key, signed_at=when))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=1000, help="credentials (default 1000)")
    parser.add_argument("--keep", type=Path, help="build the registry here and keep it")
    args = parser.parse_args()
    tmp = None
    if args.keep is None:
        tmp = tempfile.TemporaryDirectory(prefix="credstack-bench-")
        root = Path(tmp.name) / "registry"
    else:
        root = args.keep
    try:
        built, secret = build(root, args.n)
        rows = [("build (award API, both cores)", built, f"{args.n} credentials")]
        shutil.rmtree(root / ".cache", ignore_errors=True)
        rows.append(("cold, 1 process", *credstack(root, "--no-cache", "--jobs", "1")))
        rows.append(("cold, all cores (fills cache)", *credstack(root)))
        rows.append(("cached", *credstack(root)))
        add_one(root, secret)
        rows.append(("+1 credential, --base main", *credstack(root, "--base", "main")))
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(f"credstack check, N = {args.n}, {os.cpu_count()} CPUs")
    print(f"| {'run':<38} | {'seconds':>8} | {'credentials/s':>13} | detail")
    print(f"|{'-' * 40}|{'-' * 10}|{'-' * 15}|--------")
    for name, seconds, detail in rows:
        rate = f"{args.n / seconds:,.0f}" if seconds else "-"
        print(f"| {name:<38} | {seconds:>8.2f} | {rate:>13} | {detail}")


if __name__ == "__main__":
    main()
