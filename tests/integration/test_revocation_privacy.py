"""Revocation takes a public statement and an optional private reason that never reaches the
repository, the signed lists or the site."""

from __future__ import annotations

import io
import stat
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime

import yaml

from credstack.cli import main
from credstack.registry.award import AwardInput
from credstack.registry.registry import Registry
from support import award, fixed_signing_key, scratch_registry, snapshot

PRIVATE = "Plagiarism finding, case 2026-17 (see the panel's minutes)"
STATEMENT = "Revoked: the assessed work did not meet the criteria"


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        code = main(list(args))
    return code, out.getvalue()


def _registry_with_one(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDSTACK_SIGNING_KEY", fixed_signing_key().to_multibase_secret())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    root = scratch_registry(tmp_path)
    aid = Registry(root).program.by_level("foundation")[0].id
    plan = award(root, AwardInput(aid, "Ada", "ada@example.org", datetime(2026, 3, 2, tzinfo=UTC)))
    return root, plan.awarded[0].cid


def test_the_private_reason_stays_outside_the_repository_and_the_statement_is_public(
    tmp_path, monkeypatch
):
    root, cid = _registry_with_one(tmp_path, monkeypatch)
    code, out = cli(
        "-C", str(root), "revoke", cid, "--statement", STATEMENT, "--private-reason", PRIVATE
    )
    assert code == 0, out
    assert "public statement" in out and "private reason kept in" in out
    for path in root.rglob("*"):
        if path.is_file():
            assert PRIVATE.encode() not in path.read_bytes(), path
    log = yaml.safe_load((root / "issued" / "status-log.yml").read_text())
    assert log["events"][-1]["reason"] == STATEMENT
    (notes,) = (tmp_path / "data" / "credstack" / "private").glob("*status-notes.yml")
    assert stat.S_IMODE(notes.stat().st_mode) == 0o600
    entry = yaml.safe_load(notes.read_text())["entries"][-1]
    assert entry["private_reason"] == PRIVATE and entry["credential"] == cid
    assert entry["event"] == "revoked"


def test_private_notes_inside_the_registry_are_refused_before_anything_changes(
    tmp_path, monkeypatch
):
    root, cid = _registry_with_one(tmp_path, monkeypatch)
    before = snapshot(root)
    code, out = cli(
        "-C", str(root), "revoke", cid, "--statement", STATEMENT, "--private-reason", PRIVATE,
        "--private-notes", str(root / "notes.yml"),
    )  # fmt: skip
    assert code == 1
    assert "lies inside the registry" in out
    assert snapshot(root) == before and not (root / "notes.yml").exists()


def test_a_statement_with_an_rtl_override_is_refused(tmp_path, monkeypatch):
    root, cid = _registry_with_one(tmp_path, monkeypatch)
    before = snapshot(root)
    code, out = cli("-C", str(root), "revoke", cid, "--statement", "Fine \u202edetoveR")
    assert code == 1 and "U+202E" in out
    assert snapshot(root) == before
