"""One writer at a time: parallel `award` and `revoke` runs of the real CLI on one registry.

Before the lock, 6 parallel awards all succeeded but 4 shared one status index, and 4 parallel
revocations all printed "revoked" while 2 were lost. Now every run waits for the one before it
and plans on what it wrote.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from credstack.errors import RegistryError
from credstack.registry.files import lock_holder, registry_lock, state_dir
from credstack.registry.lifecycle import change_status
from credstack.registry.registry import Registry
from killtest import _env, cli, make_template
from support import assessed_by


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_template(tmp_path_factory.mktemp("concurrency") / "template")


def _copy(template: Path, tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "registry"
    shutil.copytree(template, root, symlinks=True)
    return root


def test_six_parallel_awards_get_six_distinct_status_indexes(template, tmp_path):
    root = _copy(template, tmp_path)
    before = set(Registry(root).credentials)
    program = Registry(root).program
    foundation = program.by_level("foundation")[0].id
    assessors = [arg for a in assessed_by(program, foundation) for arg in ("--assessor", a)]
    procs = [
        _start(
            root, "award", foundation, "--name", f"P{i}", "--email", f"p{i}@example.org",
            *assessors,
        )
        for i in range(6)
    ]  # fmt: skip
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert [code for code, _, _ in results] == [0] * 6, results
    registry = Registry(root)
    new = [registry.credentials[c] for c in set(registry.credentials) - before]
    assert len(new) == 6
    slots = [(v.status("revocation").list_url, v.status("revocation").index) for v in new]
    old = [
        (v.status("revocation").list_url, v.status("revocation").index)
        for c, v in registry.credentials.items()
        if c in before
    ]
    assert len(set(slots)) == 6 and not set(slots) & set(old)
    gate = cli(root, "check", "--base", "HEAD")
    assert gate.returncode == 0, gate.stdout + gate.stderr


def test_four_parallel_revocations_lose_nothing(template, tmp_path):
    root = _copy(template, tmp_path)
    cids = sorted(Registry(root).credentials)[:4]
    procs = [_start(root, "revoke", cid, "--statement", f"Revoked {cid}") for cid in cids]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert [code for code, _, _ in results] == [0] * 4, results
    registry = Registry(root)
    assert {e.credential for e in registry.log if e.event == "revoked"} == set(cids)
    for cid in cids:
        assert registry.current_status(cid).revoked is not None
    # ...and the signed lists agree with the log (the gate checks every bit against it).
    gate = cli(root, "check", "--base", "HEAD")
    assert gate.returncode == 0, gate.stdout + gate.stderr
    assert "4 revoked" in gate.stdout


def test_a_second_writer_waits_and_says_for_whom(template, tmp_path):
    root = _copy(template, tmp_path)
    cid = sorted(Registry(root).credentials)[0]
    with registry_lock(root, command="award"):
        proc = _start(root, "revoke", cid, "--statement", "Revoked while locked")
        time.sleep(1.0)
        assert proc.poll() is None  # still waiting for the lock
        assert "award" in lock_holder(root)
    code = proc.wait(timeout=120)
    _, err = proc.communicate()
    assert code == 0, err
    assert "waiting for another credstack command to finish" in err


def test_a_writer_gives_up_after_the_timeout_with_a_clear_error(template, tmp_path):
    root = _copy(template, tmp_path)
    env = {**_env(), "CREDSTACK_LOCK_TIMEOUT": "0.3"}
    with registry_lock(root, command="award"):
        run = subprocess.run(
            [sys.executable, "-m", "credstack.cli", "-C", str(root), "recover"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert run.returncode == 1
    assert "another credstack command is writing this registry" in run.stderr
    assert "pid" in run.stderr and "award" in run.stderr


def test_compare_and_swap_refuses_when_the_log_changed_under_a_running_command(template, tmp_path):
    """A writer that does not take the lock (a git pull, an editor) changes the status log after
    the command read the registry: the command's write is refused, nothing is written."""
    root = _copy(template, tmp_path)
    from support import loaded_test_key

    key = loaded_test_key(root)
    cids = sorted(Registry(root).credentials)
    with registry_lock(root, command="revoke"):
        registry = Registry(root)
        _ = registry.log, registry.status_lists  # planned on these bytes
        log = root / "issued" / "status-log.yml"
        foreign = b"# edited by someone else\n" + (log.read_bytes() if log.exists() else b"")
        log.write_bytes(foreign)
        lists = {p: p.read_bytes() for p in (root / "issued" / "status").iterdir()}
        with pytest.raises(RegistryError, match="changed while this command ran"):
            change_status(
                registry,
                cids[0],
                "revoked",
                key=key,
                when=registry.credentials[cids[0]].valid_from,
                reason="lost update?",
            )
    assert log.read_bytes() == foreign
    assert {p: p.read_bytes() for p in (root / "issued" / "status").iterdir()} == lists
    assert not any(p.name.endswith(".tmp") for p in (root / "issued").rglob("*"))


def test_the_lock_and_journal_live_in_the_git_directory_never_in_the_work_tree(template, tmp_path):
    root = _copy(template, tmp_path)
    assert state_dir(root) == root / ".git" / "credstack"
    run = cli(root, "recover")
    assert run.returncode == 0 and "nothing to recover" in run.stdout
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=root, capture_output=True, text=True
    ).stdout
    assert "credstack" not in status.replace(".cache/", "")


def test_two_branches_awarding_from_the_same_main_merge_without_an_index_collision(
    template, tmp_path
):
    """Before, both branches took "the next index" and merged into duplicates (signed: revoking
    one revoked the other). Indexes now come from each credential's random id."""
    from datetime import UTC, datetime

    from credstack.registry.award import AwardInput
    from support import award

    root = _copy(template, tmp_path)
    aid = Registry(root).program.by_level("foundation")[0].id
    when = datetime(2026, 3, 3, tzinfo=UTC)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
            cwd=root, check=True, capture_output=True,
        )  # fmt: skip

    for branch in ("cohort-a", "cohort-b"):
        git("switch", "-q", "-c", branch, "main")
        for i in range(5):
            award(root, AwardInput(aid, f"{branch} {i}", f"{branch}-{i}@example.org", when))
        git("add", "issued")
        git("commit", "-q", "-m", f"Award {branch}")
    git("switch", "-q", "main")
    git("merge", "-q", "--no-edit", "cohort-a")
    git("merge", "-q", "--no-edit", "cohort-b")
    registry = Registry(root)
    slots = [(v.status("revocation").list_url, v.status("revocation").index)
             for v in registry.credentials.values()]  # fmt: skip
    assert len(registry.credentials) == 14 and len(set(slots)) == 14
    gate = cli(root, "check")
    assert gate.returncode == 0, gate.stdout + gate.stderr
