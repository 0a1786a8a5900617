"""Shared set-up for the merge-gate tests: real git repositories with a committed registry.

A registry (scratch copy of the demo program with the TEST-ONLY key and two awarded
credentials) is committed on ``main``; tests work on the branch ``pr`` and run the real gate.
"""

from __future__ import annotations

import io
import re
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from credstack.cli import main
from credstack.crypto.keys import SigningKey
from credstack.crypto.proof import create_proof
from credstack.model.assessment import record_for
from credstack.model.credential import AwardRequest, build_credential, normalize_email
from credstack.registry.award import new_cid
from credstack.registry.check import RULES
from credstack.registry.files import dump_json
from credstack.registry.registry import Registry
from support import (
    TEST_KEY_ID,
    assessed_by,
    award_with_prerequisites,
    fixed_signing_key,
    result_for,
    scratch_registry,
)
from support import at as date

DAY = date("2025-03-03T09:00")
BASE_PERSON = ("Ada Base", "ada.base@example.org")
FINDING = re.compile(r"^(error|warning): (\S+): ([a-z-]+): ")


# -- helpers ---------------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    run = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout


def commit(root: Path, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def move_base(root: Path) -> None:
    """Commit the work tree on ``pr`` and make it the new ``main``."""
    commit(root, "base")
    git(root, "branch", "-f", "main")


def check(root: Path, *args: str) -> tuple[int, str, list[tuple[str, str]]]:
    """Run `credstack check --base main`; return (exit code, output, [(path, rule)])."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["-C", str(root), "check", "--base", "main", *args])
    text = out.getvalue() + err.getvalue()
    findings = [(m.group(2), m.group(3)) for m in map(FINDING.match, text.splitlines()) if m]
    for _, rule in findings:
        assert rule in RULES, f"undocumented rule {rule}"
    return code, text, findings


def first(program, level: str, *, with_prerequisites: bool = False):
    return next(
        a
        for a in program.achievements.values()
        if a.level == level and (a.prerequisites or not with_prerequisites)
    )


def forge(
    root: Path,
    achievement: str,
    *,
    name: str = "Mallory",
    email: str = "mallory@example.org",
    issued_at=DAY,
    signed_at=None,
    key: SigningKey | None = None,
    key_id: str = TEST_KEY_ID,
    index: int | None = None,
) -> Path:
    """Write a signed credential directly, bypassing `award` and its rules."""
    registry = Registry(root)
    number, next_index = registry.next_status_index()
    salt = "5a17" * 8
    email = normalize_email(email)
    cid = new_cid(issued_at, salt, achievement, email)
    request = AwardRequest(
        cid=cid,
        achievement=achievement,
        name=name,
        email=email,
        salt=salt,
        issued_at=issued_at,
        result=result_for(registry.program, achievement),
        status_index=next_index if index is None else index,
        status_list_number=number,
        # Assessed as `award` would record it, so that each test checks one rule at a time.
        assessment=record_for(
            registry.program,
            achievement,
            assessed_by(registry.program, achievement),
            assessed_on=issued_at,
            result=result_for(registry.program, achievement),
        ),
    )
    signed = create_proof(
        build_credential(registry.program, request),
        key or fixed_signing_key(),
        verification_method=registry.urls.key_id(key_id),
        created=signed_at or issued_at,
    )
    path = registry.credential_path(cid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_json(signed), encoding="utf-8")
    return path


def rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def make_repo(tmp_path: Path) -> Path:
    """A registry with two credentials for one person committed on main; work on branch pr."""
    root = scratch_registry(tmp_path)
    program = Registry(root).program
    practitioner = first(program, "practitioner", with_prerequisites=True)
    award_with_prerequisites(
        root, practitioner.id, name=BASE_PERSON[0], email=BASE_PERSON[1], when=DAY
    )
    git(root, "init", "-q", "-b", "main")
    commit(root, "base registry")
    git(root, "switch", "-q", "-c", "pr")
    return root


def base_credentials(root: Path) -> list[Path]:
    return sorted((root / "issued" / "credentials").glob("*.json"))
