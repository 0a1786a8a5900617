"""The one verification cache, shared by `credstack check`, `credstack verify` and the site.

What it keeps is time-independent (format, signature, issuer key) and keyed by every input:
the credential's bytes, the trusted DID documents, the registry's issuer and the verifier's own
code. Status bits, list freshness and validity windows are evaluated on every run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import credstack
from credstack.crypto.keys import SigningKey
from credstack.registry import vcache
from credstack.registry.award import AwardInput
from credstack.registry.check import check_registry
from credstack.registry.files import dump_json
from credstack.registry.keys import create_key
from credstack.registry.lifecycle import change_status
from credstack.registry.registry import Registry
from credstack.registry.vcache import CACHE_DIR, CACHE_FILE
from credstack.registry.verifier import Verifier
from support import at as date
from support import (
    award,
    award_with_prerequisites,
    fixed_signing_key,
    loaded_test_key,
    result_for,
    scratch_registry,
)

DAY = date("2025-03-03T09:00")
NOW = date("2026-01-15T12:00")


@pytest.fixture
def root(tmp_path):
    """Six credentials for three people (no git: the history rules are not involved here)."""
    root = scratch_registry(tmp_path)
    program = Registry(root).program
    practitioner = next(a for a in program.by_level("practitioner") if a.prerequisites)
    for i, person in enumerate(("ada", "bo", "cy")):
        award_with_prerequisites(
            root,
            practitioner.id,
            name=person.title(),
            email=f"{person}@example.org",
            when=DAY + timedelta(days=i),
        )
    return root


def run(root, **kw):
    return check_registry(root, at=NOW, **kw)


def credential_files(root):
    return sorted((root / "issued/credentials").glob("*.json"))


def tamper(path):
    """Change one character of the recipient's name (the signature no longer matches)."""
    text = path.read_text()
    name = json.loads(text)["credentialSubject"]["identifier"][1]["identityHash"]
    path.write_text(text.replace(f'"{name}"', f'"{name[:-1]}{chr(ord(name[-1]) ^ 1)}"', 1))


def test_second_run_verifies_nothing_and_new_credentials_only(root):
    n = len(credential_files(root))
    cold = run(root)
    assert (cold.verified, cold.cache_hits) == (n, 0)
    assert (root / CACHE_DIR / CACHE_FILE).exists()
    warm = run(root)
    assert (warm.verified, warm.cache_hits) == (0, n)
    assert warm.findings == cold.findings == []
    program = Registry(root).program
    foundation = next(iter(program.by_level("foundation")))
    award(
        root,
        AwardInput(
            foundation.id,
            "Dee",
            "dee@example.org",
            DAY + timedelta(days=9),
            result=result_for(program, foundation.id),
        ),
    )
    more = run(root)
    assert (more.verified, more.cache_hits) == (1, n)


def test_one_byte_of_a_credential_invalidates_its_entry(root):
    run(root)
    path = credential_files(root)[0]
    path.write_bytes(path.read_bytes().replace(b'\n  "', b'\n   "', 1))  # still valid JSON
    report = run(root)
    assert report.verified == 1
    assert report.findings == [], "whitespace does not change the signed content"
    tamper(path)
    report = run(root)
    assert report.verified == 1
    assert [(f.path, f.rule) for f in report.findings] == [
        (path.relative_to(root).as_posix(), "signature-verifies")
    ]


def test_a_status_change_is_seen_without_reverifying_signatures(root):
    run(root)
    cid = credential_files(root)[0].stem
    change_status(
        Registry(root),
        cid,
        "suspended",
        key=loaded_test_key(root),
        when=DAY + timedelta(days=30),
        reason="review",
    )
    report = run(root)
    assert report.verified == 0, "status bits are read afresh; signatures come from the cache"
    assert report.states["suspended"] == 1


def test_a_did_document_change_invalidates_everything(root):
    n = len(credential_files(root))
    run(root)
    create_key(
        Registry(root).program,
        root,
        now=DAY + timedelta(days=40),
        key_id="second",
        store=False,
        secret=SigningKey.from_seed(bytes([3]) * 32),
    )
    report = run(root)
    assert (report.verified, report.cache_hits) == (n, 0)


def test_a_tampered_status_list_is_never_served_from_the_cache(root):
    run(root)
    path = root / "issued/status/revocation-1.json"
    doc = json.loads(path.read_text())
    encoded = doc["credentialSubject"]["encodedList"]
    i = len(encoded) // 2
    doc["credentialSubject"]["encodedList"] = (
        encoded[:i] + ("B" if encoded[i] != "B" else "C") + encoded[i + 1 :]
    )
    path.write_text(dump_json(doc))
    report = run(root)
    assert ("issued/status/revocation-1.json", "status-list-verifies") in {
        (f.path, f.rule) for f in report.findings
    }
    assert report.states["verified"] == 0, "no credential on the list is shown as verified"


def test_verifier_version_is_part_of_the_key(root, monkeypatch):
    run(root)
    vcache.fingerprint.cache_clear()
    monkeypatch.setattr(credstack, "__version__", "999.0")
    try:
        report = run(root)
    finally:
        vcache.fingerprint.cache_clear()
    assert report.cache_hits == 0


def test_no_cache_reads_and_writes_nothing(root):
    report = run(root, use_cache=False)
    assert report.verified == len(credential_files(root))
    assert not (root / CACHE_DIR).exists()


def test_failures_are_cached_by_content_and_reported_every_run(root):
    tamper(credential_files(root)[0])
    first = run(root)
    second = run(root)
    assert second.verified == 0
    assert first.findings == second.findings != []


def test_rejects_forged_cache_entries_committed_to_the_registry(root):
    """A cache file written without this machine's key (a pull request can add one) is ignored."""
    run(root)
    tamper(credential_files(root)[0])
    bad = run(root)
    assert any(f.rule == "signature-verifies" for f in bad.findings)
    cache_file = root / CACHE_DIR / CACHE_FILE
    data = json.loads(cache_file.read_text())
    # Forge: copy a clean entry's value over every entry, keeping the keys (an attacker knows
    # how keys are computed), with a MAC made with a key of their own.
    clean = next(
        v
        for v in data["entries"].values()
        if all(c["code"] in ("ok", "unconfirmed") for c in json.loads(v[1])["checks"])
    )
    data["entries"] = {k: ["0" * 64, clean[1]] for k in data["entries"]}
    cache_file.write_text(json.dumps(data))
    again = run(root)
    assert again.findings == bad.findings, "the forged 'ok' is not trusted"


def test_parallel_path_gives_the_serial_findings(root, monkeypatch):
    registry = Registry(root)
    cids = [p.stem for p in credential_files(root)]
    change_status(
        registry,
        cids[0],
        "revoked",
        key=loaded_test_key(root),
        when=DAY + timedelta(days=20),
        reason="fraud",
    )
    tamper(credential_files(root)[1])
    other = SigningKey.from_seed(bytes([4]) * 32)
    assert other.public_key != fixed_signing_key().public_key
    serial = run(root, use_cache=False, workers=1)
    monkeypatch.setattr(Verifier, "min_parallel", 2)
    parallel = run(root, use_cache=False, workers=2)
    assert parallel.workers == 2 and serial.workers == 1
    assert parallel.sorted_findings() == serial.sorted_findings() != []
    assert parallel.states == serial.states
    assert serial.states["revoked"] == 1


def _cli(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_check_then_site_build_verifies_each_credential_once(root):
    """CI runs `credstack check` then `mkdocs build`: the build reuses every verification."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    n = len(credential_files(root))
    report = run(root)
    assert report.verified == n
    env_before = dict(os.environ)
    try:
        os.environ["NO_MKDOCS_2_WARNING"] = "1"
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
        plugin = config.plugins["credstack"]
        build(config)
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    assert len(plugin.data.credentials) == n
    assert plugin.data.verified_now == 0, "the site verified nothing the gate had verified"


def test_changing_the_verifiers_code_invalidates_the_cache(root, tmp_path):
    """A fix to the verifier reaches every consumer: its own source is part of every key."""
    assert _cli(root, "check").returncode == 0
    warm = _cli(root, "-v", "check")
    assert "0 verified now" in warm.stdout
    package = Path(credstack.__file__).parent
    copy = tmp_path / "patched" / "credstack"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "crypto" / "proof.py").open("a") as fh:
        fh.write("\n# a change to the verifier's code\n")
    env = {**os.environ, "PYTHONPATH": str(copy.parent)}
    patched = _cli(root, "-v", "check", env=env)
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert f"{len(credential_files(root))} verified now" in patched.stdout
    assert "0 from the cache" in patched.stdout
