"""SIGKILL during `award`, `award --csv` and `revoke`: every run ends all or nothing, gate green.

The reduced count runs here (CI); `python bench/bench_kill.py --runs 200` runs the full count.
The harness is tests/killtest.py.
"""

from __future__ import annotations

import os

from killtest import campaign, crash_sweep, summary

#: Kill runs in the test suite: every scenario in both kill modes, twice.
RUNS = int(os.environ.get("CREDSTACK_KILL_RUNS", "12"))


def test_sigkill_at_random_moments_leaves_the_registry_before_or_after_and_the_gate_green(
    tmp_path,
):
    outcomes = campaign(tmp_path / "random", RUNS, seed=12)
    bad = [o for o in outcomes if not (o.consistent and o.gate_green)]
    assert not bad, "\n".join(f"{o.scenario}/{o.mode} at {o.at_kill}: {o.problems}" for o in bad)
    counts = summary(outcomes)
    assert counts["runs"] == counts["consistent"] == counts["gate_green"] == RUNS
    # The kills did land inside writes, not only before or after them.
    assert counts["killed"] >= RUNS // 2, counts


def test_a_crash_between_any_two_renames_is_finished_or_undone_by_the_next_run(tmp_path):
    outcomes = crash_sweep(tmp_path / "sweep")
    bad = [o for o in outcomes if not (o.consistent and o.gate_green)]
    assert not bad, "\n".join(f"{o.scenario}/{o.mode} at {o.at_kill}: {o.problems}" for o in bad)
    assert all(o.killed for o in outcomes), [o.mode for o in outcomes if not o.killed]
    by_point = {o.mode: o.state for o in outcomes if o.scenario == "csv"}
    # Before the commit point the write is undone; from it on, it is finished.
    assert by_point["crash:temp:12"] == "before"
    assert by_point["crash:journal"] == by_point["crash:rename:1"] == "after"
    assert by_point["crash:rename:6"] == by_point["crash:done"] == "after"
