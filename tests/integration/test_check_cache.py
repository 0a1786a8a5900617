"""The check's verification cache and its parallel path.

A cached result must be invalidated by any byte change of the credential, the DID document or
the status lists it points at; the parallel path must give exactly the serial path's findings.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from credstack.crypto.keys import SigningKey
from credstack.registry import check as check_module
from credstack.registry.award import AwardInput
from credstack.registry.check import CACHE_DIR, CACHE_FILE, check_registry
from credstack.registry.files import dump_json
from credstack.registry.keys import create_key
from credstack.registry.lifecycle import change_status
from credstack.registry.registry import Registry
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
    text = path.read_text()
    doc = json.loads(text)
    name = doc["credentialSubject"]["identifier"][1]["identityHash"]
    path.write_text(text.replace(name, name[:-1] + chr(ord(name[-1]) ^ 1), 1))
    report = run(root)
    assert report.verified == 1
    assert [(f.path, f.rule) for f in report.findings] == [
        (path.relative_to(root).as_posix(), "signature-verifies")
    ]


def test_a_status_list_change_invalidates_the_credentials_on_it(root):
    n = len(credential_files(root))
    run(root)
    registry = Registry(root)
    cid = credential_files(root)[0].stem
    change_status(
        registry,
        cid,
        "suspended",
        key=loaded_test_key(root),
        when=DAY + timedelta(days=30),
        reason="review",
    )
    report = run(root)
    assert report.verified == n, "every credential on the re-signed list is verified again"
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
    assert report.cache_hits == 0
    assert ("issued/status/revocation-1.json", "status-list-verifies") in {
        (f.path, f.rule) for f in report.findings
    }


def test_verifier_version_is_part_of_the_key(root, monkeypatch):
    run(root)
    check_module.verifier_fingerprint.cache_clear()
    monkeypatch.setattr(check_module.credstack, "__version__", "999.0")
    try:
        report = run(root)
    finally:
        check_module.verifier_fingerprint.cache_clear()
    assert report.cache_hits == 0


def test_no_cache_reads_and_writes_nothing(root):
    report = run(root, use_cache=False)
    assert report.verified == len(credential_files(root))
    assert not (root / CACHE_DIR).exists()


def test_failures_are_not_cached(root):
    tamper(credential_files(root)[0])
    first = run(root)
    second = run(root)
    assert second.verified == 1 and first.findings == second.findings != []


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
    monkeypatch.setattr(check_module, "PARALLEL_THRESHOLD", 2)
    parallel = run(root, use_cache=False, workers=2)
    assert parallel.workers == 2 and serial.workers == 1
    assert parallel.sorted_findings() == serial.sorted_findings() != []
    assert parallel.states == serial.states
    assert serial.states["revoked"] == 1
