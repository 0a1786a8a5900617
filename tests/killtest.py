"""Kill-test harness: SIGKILL a real `credstack` write at a random moment, then prove the registry
is exactly as before or exactly as after, with `credstack check` green.

Used by tests/integration/test_kill.py (a reduced count in CI) and bench/bench_kill.py (the full
count). Each run copies a template registry (a git repository whose HEAD holds a few awarded
credentials), starts the real CLI in a subprocess, and kills it with SIGKILL:

- ``anytime``: after a random delay over the command's whole run (start-up, planning, signing,
  writing, exit), calibrated on an undisturbed run;
- ``write``: as soon as a temporary file of the write appears (polled), after a further random
  delay of 0 to ``WRITE_WINDOW`` seconds: this lands between temp files, the journal and the
  renames, the moments the journal exists for;
- ``crash:<point>`` (:func:`crash_points`): the transaction SIGKILLs itself at exactly that
  point (``CREDSTACK_CRASH_AT``: after the Nth temporary file, after the commit point, after the
  Nth rename, before the journal is deleted), so that every gap between two renames is hit, not
  only the ones a random kill happens to land in.

Then `credstack recover` runs (as the next writing command would first), and the run is judged:
no temporary file and no journal left; the registry's files either identical to before, or
showing the whole change (every planned credential, or the log event together with its list
bit); and `credstack check --base HEAD` exits 0.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from credstack.registry.award import AwardInput
from credstack.registry.files import JOURNAL, TEMP_RE, state_dir
from credstack.registry.registry import Registry
from support import assessed_by, award, fixed_signing_key, scratch_registry

SCENARIOS = ("award", "csv", "revoke")
WRITE_WINDOW = 0.03
COHORT = 12
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


#: The CLI keeps private files (roster rows, notes) under the user's config and data folders:
#: give the runs a home of their own.
_HOME = tempfile.mkdtemp(prefix="credstack-kill-home-")


def _env(crash_at: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
    env["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
    env["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
    if crash_at:
        env["CREDSTACK_CRASH_AT"] = crash_at
    env["CREDSTACK_SIGNING_KEY"] = fixed_signing_key().to_multibase_secret()
    env["CREDSTACK_LOCK_TIMEOUT"] = "30"
    env["CREDSTACK_WORKERS"] = "1"
    return env


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def cli(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess, as a person (or CI) runs it."""
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=timeout,
        check=False,
    )


def make_template(tmp: Path) -> Path:
    """A registry under git with a few credentials committed and the check cache warm."""
    tmp.mkdir(parents=True, exist_ok=True)
    root = scratch_registry(tmp)
    program = Registry(root).program
    foundations = [a.id for a in program.by_level("foundation")]
    for i in range(4):
        award(
            root,
            AwardInput(
                foundations[i % len(foundations)], f"Holder {i}", f"h{i}@example.org", START
            ),
        )
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    check = cli(root, "check", "--base", "HEAD")  # warms .cache/credstack/check
    assert check.returncode == 0, check.stdout + check.stderr
    return root


def command(root: Path, scenario: str, n: int) -> list[str]:
    """The CLI arguments of one run (fresh recipients each time)."""
    program = Registry(root).program
    foundation = program.by_level("foundation")[0].id
    assessors = assessed_by(program, foundation)
    if scenario == "award":
        return [
            "award",
            foundation,
            "--name",
            f"Kill {n}",
            "--email",
            f"kill{n}@example.org",
            *(arg for a in assessors for arg in ("--assessor", a)),
        ]
    if scenario == "csv":
        path = root.parent / f"cohort-{n}.csv"
        rows = ["name,email,achievement,assessors"]
        rows += [
            f"Member {n}-{i},m{n}-{i}@example.org,{foundation},{' '.join(assessors)}"
            for i in range(COHORT)
        ]
        path.write_text("\n".join(rows) + "\n")
        return ["award", "--csv", str(path)]
    if scenario == "revoke":
        cid = sorted(Registry(root).credentials)[n % 4]
        return ["revoke", cid, "--statement", f"Revoked in kill run {n}"]
    raise ValueError(scenario)


def files(root: Path) -> dict[str, bytes]:
    out = {}
    for folder in ("issued", "program"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def leftovers(root: Path) -> list[str]:
    """Temporary files and a journal: what a killed write leaves before recovery."""
    found = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if TEMP_RE.match(p.name) and ".git" not in p.parts
    ]
    if (state_dir(root) / JOURNAL).exists():
        found.append("journal")
    return found


def _temp_seen(folders: list[Path]) -> bool:
    for folder in folders:
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if entry.name.endswith(".tmp"):
                        return True
        except FileNotFoundError:
            pass
    return False


@dataclass
class Outcome:
    scenario: str
    mode: str
    killed: bool  # False: the command finished before the kill
    at_kill: str  # "nothing", "temp files", "journal", "done"
    state: str = ""  # "before" or "after"
    consistent: bool = False
    gate_green: bool = False
    problems: list[str] = field(default_factory=list)


def run_once(
    template: Path,
    work: Path,
    scenario: str,
    mode: str,
    n: int,
    rng: random.Random,
    duration: float,
) -> Outcome:
    """One killed run; ``duration`` is an undisturbed run's length (for ``anytime``)."""
    root = work / f"run-{n}"
    shutil.copytree(template, root, symlinks=True)
    before = files(root)
    args = command(root, scenario, n)
    crash_at = mode.removeprefix("crash:") if mode.startswith("crash:") else None
    proc = subprocess.Popen(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(crash_at),
    )
    watched = [root / "issued", root / "issued" / "credentials", root / "issued" / "status"]
    if crash_at:
        proc.wait(timeout=120)
    elif mode == "anytime":
        deadline = time.monotonic() + rng.uniform(0, duration * 1.1)
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.001)
    else:
        limit = time.monotonic() + 60
        while proc.poll() is None and not _temp_seen(watched) and time.monotonic() < limit:
            pass
        time.sleep(rng.uniform(0, WRITE_WINDOW))
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if crash_at:
        killed = proc.returncode == -signal.SIGKILL
    left = leftovers(root)
    at_kill = (
        "done"
        if not killed
        else "journal"
        if "journal" in left
        else "temp files"
        if left
        else "nothing"
    )
    outcome = Outcome(scenario, mode, killed, at_kill)
    rec = cli(root, "recover")
    if rec.returncode != 0:
        outcome.problems.append("recover failed: " + rec.stderr.strip())
    if leftovers(root):
        outcome.problems.append(f"left over after recovery: {leftovers(root)}")
    after = files(root)
    outcome.state = "before" if after == before else "after"
    outcome.problems += judge(scenario, before, after, root, n)
    outcome.consistent = not outcome.problems
    gate = cli(root, "check", "--base", "HEAD")
    outcome.gate_green = gate.returncode == 0
    if not outcome.gate_green:
        outcome.problems.append("check: " + (gate.stdout + gate.stderr).strip()[-800:])
    shutil.rmtree(root, ignore_errors=True)
    return outcome


def judge(scenario: str, before: dict, after: dict, root: Path, n: int) -> list[str]:
    """All or nothing: [] when ``after`` is ``before`` or the complete change."""
    if after == before:
        return []
    new = sorted(set(after) - set(before))
    gone = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    creds = [k for k in new if k.startswith("issued/credentials/")]
    problems = []
    if gone:
        problems.append(f"files disappeared: {gone}")
    if scenario in ("award", "csv"):
        want = 1 if scenario == "award" else COHORT
        if len(creds) != want:
            problems.append(f"partial award: {len(creds)} of {want} credentials written")
        if changed:
            problems.append(f"an award changed existing files: {changed}")
    else:
        log = "issued/status-log.yml"
        lists = [k for k in changed if k.startswith("issued/status/")]
        if log in new:  # the registry's first status change writes the log
            new.remove(log)
            changed.append(log)
        if log not in changed or not lists or new:
            problems.append(f"partial revocation: changed {changed}, new {new}")
        elif f"kill run {n}" not in after[log].decode():
            problems.append("the log changed without this run's event")
    return problems


def calibrate(template: Path, work: Path, scenario: str) -> float:
    """Seconds an undisturbed run of ``scenario`` takes."""
    root = work / f"calibrate-{scenario}"
    shutil.copytree(template, root, symlinks=True)
    args = command(root, scenario, 10_000)
    started = time.monotonic()
    run = cli(root, *args)
    took = time.monotonic() - started
    assert run.returncode == 0, run.stdout + run.stderr
    shutil.rmtree(root, ignore_errors=True)
    return took


def crash_points(template: Path, work: Path, scenario: str) -> list[str]:
    """Every crash point of one ``scenario`` write: temp:1..N, journal, rename:1..N, done."""
    root = work / f"count-{scenario}"
    shutil.copytree(template, root, symlinks=True)
    before = files(root)
    run = cli(root, *command(root, scenario, 20_000))
    assert run.returncode == 0, run.stdout + run.stderr
    after = files(root)
    shutil.rmtree(root, ignore_errors=True)
    n = sum(1 for k in after if before.get(k) != after[k])
    return [
        *(f"temp:{i}" for i in range(1, n + 1)),
        "journal",
        *(f"rename:{i}" for i in range(1, n + 1)),
        "done",
    ]


def crash_sweep(tmp: Path, scenarios=SCENARIOS, report=None) -> list[Outcome]:
    """One run per crash point of each scenario's write (see :func:`crash_points`)."""
    template = make_template(tmp / "template")
    work = tmp / "work"
    work.mkdir()
    rng = random.Random(0)
    outcomes = []
    n = 0
    for scenario in scenarios:
        for point in crash_points(template, work, scenario):
            outcome = run_once(template, work, scenario, f"crash:{point}", n, rng, 0.0)
            outcomes.append(outcome)
            if report is not None:
                report(n, outcome)
            n += 1
    return outcomes


def campaign(tmp: Path, runs: int, *, seed: int = 12, report=None) -> list[Outcome]:
    """``runs`` killed runs, spread over the scenarios and both kill modes."""
    rng = random.Random(seed)
    template = make_template(tmp / "template")
    work = tmp / "work"
    work.mkdir()
    durations = {s: calibrate(template, work, s) for s in SCENARIOS}
    outcomes = []
    for n in range(runs):
        scenario = SCENARIOS[n % len(SCENARIOS)]
        mode = "write" if (n // len(SCENARIOS)) % 2 == 0 else "anytime"
        outcome = run_once(template, work, scenario, mode, n, rng, durations[scenario])
        outcomes.append(outcome)
        if report is not None:
            report(n, outcome)
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, object]:
    """Counts for the report: runs, consistent, gate green, and where the kills landed."""
    where: dict[str, int] = {}
    for o in outcomes:
        where[o.at_kill] = where.get(o.at_kill, 0) + 1
    return {
        "runs": len(outcomes),
        "consistent": sum(o.consistent for o in outcomes),
        "gate_green": sum(o.gate_green for o in outcomes),
        "killed": sum(o.killed for o in outcomes),
        "state_before": sum(o.state == "before" for o in outcomes),
        "state_after": sum(o.state == "after" for o in outcomes),
        "at_kill": where,
    }


__all__ = ["campaign", "run_once", "summary", "timedelta"]
