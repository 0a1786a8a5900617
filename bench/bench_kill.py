"""Kill test at full count: SIGKILL real `credstack` writes at random moments.

    python bench/bench_kill.py --runs 200          # award, award --csv, revoke in turn
    python bench/bench_kill.py --runs 30 --seed 7

Each run copies a registry under git, starts the real CLI (`award`, `award --csv` of 12 rows,
`revoke`), kills it with SIGKILL (half the runs as soon as the write's first temporary file
appears plus 0-30 ms, half at a random moment of the whole run), runs `credstack recover`, then
checks that the registry is exactly as before or shows the whole change, that nothing is left
over, and that `credstack check --base HEAD` is green. The harness is tests/killtest.py (the
test suite runs it at a reduced count).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from killtest import campaign, crash_sweep, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    started = time.monotonic()

    def report(n: int, o) -> None:
        mark = "ok " if o.consistent and o.gate_green else "BAD"
        print(
            f"{mark} run {n + 1:>4}/{args.runs}  {o.scenario:<6} {o.mode:<7} "
            f"killed={'yes' if o.killed else 'no ':<3} at kill: {o.at_kill:<10} -> {o.state}",
            flush=True,
        )
        for problem in o.problems:
            print(f"      {problem}", flush=True)

    with tempfile.TemporaryDirectory(prefix="credstack-kill-") as tmp:
        outcomes = campaign(Path(tmp) / "random", args.runs, seed=args.seed, report=report)
        print("\nevery crash point (CREDSTACK_CRASH_AT) of each write:")
        swept = crash_sweep(Path(tmp) / "sweep", report=report)
    swept_ok = sum(o.consistent and o.gate_green for o in swept)
    counts = summary(outcomes)
    took = time.monotonic() - started
    print()
    print(
        f"runs {counts['runs']}, consistent {counts['consistent']}, "
        f"gate green {counts['gate_green']}  ({took:.0f} s)"
    )
    print(
        f"killed mid-run {counts['killed']}; ended as before {counts['state_before']}, "
        f"as after {counts['state_after']}"
    )
    print(
        "what the kill left: " + ", ".join(f"{k} {v}" for k, v in sorted(counts["at_kill"].items()))
    )
    print(f"crash points: {len(swept)} runs, {swept_ok} consistent with the gate green")
    ok = counts["runs"] == counts["consistent"] == counts["gate_green"] and swept_ok == len(swept)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
