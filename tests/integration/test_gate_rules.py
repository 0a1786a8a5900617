"""Every merge-gate rule has a test, and that test fails when the rule is disabled.

For each rule in RULES, a scenario in a real git repository breaks exactly what the rule
guards. The real gate must report that rule at that path; run again with that one rule
disabled, the finding must be gone (so no other code reports it under the rule's name). A
rule without a scenario fails the completeness test: new rules come with their test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from credstack.crypto.keys import SigningKey
from credstack.crypto.proof import create_proof
from credstack.model.credential import AwardRequest, build_credential
from credstack.model.status import Bitstring
from credstack.registry.award import AwardInput
from credstack.registry.check import RULES, check_registry
from credstack.registry.files import dump_json
from credstack.registry.keys import create_key, retire_key
from credstack.registry.lifecycle import change_status, resign_list
from credstack.registry.registry import Registry
from credstack.registry.transparency import LOG_RULES
from gate_support import DAY, base_credentials, first, forge, git, move_base, rel
from support import TEST_KEY_ID, award, fixed_signing_key, loaded_test_key, result_for

AT = "@"
Scenario = Callable[[Path], str]


def _base_doc(repo: Path) -> tuple[Path, dict]:
    path = base_credentials(repo)[0]
    return path, json.loads(path.read_text())


def _edit_base(repo: Path) -> str:
    path, doc = _base_doc(repo)
    doc["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    path.write_text(dump_json(doc))
    return rel(repo, path)


def _delete_base(repo: Path) -> str:
    path = base_credentials(repo)[0]
    path.unlink()
    return rel(repo, path)


def _rename_base(repo: Path) -> str:
    path = base_credentials(repo)[0]
    target = path.with_name("2025-renamed000.json")
    path.rename(target)
    return rel(repo, target)


def _revoke_and_move_base(repo: Path) -> str:
    cid = base_credentials(repo)[0].stem
    change_status(
        Registry(repo),
        cid,
        "revoked",
        key=loaded_test_key(repo),
        when=DAY + timedelta(3),
        reason="fraud",
    )
    move_base(repo)
    return cid


def _edit_log(repo: Path) -> str:
    _revoke_and_move_base(repo)
    log = repo / "issued/status-log.yml"
    log.write_text(log.read_text().replace("fraud", "no reason"))
    return "issued/status-log.yml"


def _delete_list(repo: Path) -> str:
    (repo / "issued/status/suspension-1.json").unlink()
    return "issued/status/suspension-1.json"


def _edit_list_field(repo: Path) -> str:
    path = repo / "issued/status/suspension-1.json"
    doc = json.loads(path.read_text())
    doc["credentialSubject"]["id"] += "-edited"
    path.write_text(dump_json(doc))
    return rel(repo, path)


def _resign_bit(repo: Path, purpose: str, value: bool) -> str:
    registry = Registry(repo)
    view = registry.credentials[base_credentials(repo)[0].stem]
    ref = view.status(purpose)
    doc = registry.status_lists[ref.list_url]
    bits = Bitstring.decode(doc["credentialSubject"]["encodedList"])
    bits.set(ref.index, value)
    signed = resign_list(registry, doc, loaded_test_key(repo), DAY + timedelta(days=5), bits)
    path = repo / f"issued/status/{purpose}-1.json"
    path.write_text(dump_json(signed))
    return rel(repo, path)


def _undo_revocation(repo: Path) -> str:
    _revoke_and_move_base(repo)
    return _resign_bit(repo, "revocation", False)


def _flip_unlogged(repo: Path) -> str:
    return _resign_bit(repo, "suspension", True)


def _change_public_key(repo: Path) -> str:
    keys = repo / "program/keys.yml"
    old = fixed_signing_key().public_key_multibase
    new = SigningKey.from_seed(bytes([5]) * 32).public_key_multibase
    keys.write_text(keys.read_text().replace(old, new))
    return "program/keys.yml"


def _add_key(repo: Path) -> str:
    create_key(
        Registry(repo).program,
        repo,
        now=DAY + timedelta(days=2),
        key_id="second",
        store=False,
        secret=SigningKey.from_seed(bytes([9]) * 32),
    )
    return "program/keys.yml"


def _retire_on_base_then_backdate(repo: Path) -> str:
    _add_key(repo)
    retire_key(Registry(repo).program, repo, TEST_KEY_ID, at=DAY + timedelta(days=20), reason="x")
    move_base(repo)
    path = forge(repo, first(Registry(repo).program, "foundation").id, issued_at=DAY + timedelta(1))
    return rel(repo, path)


def _year_1999(repo: Path) -> str:
    program = Registry(repo).program
    return rel(
        repo,
        forge(
            repo,
            first(program, "foundation").id,
            issued_at=datetime(1999, 6, 1, tzinfo=UTC),
            signed_at=DAY,
        ),
    )


def _no_prerequisite(repo: Path) -> str:
    program = Registry(repo).program
    practitioner = first(program, "practitioner", with_prerequisites=True)
    return rel(repo, forge(repo, practitioner.id, name="Eve", email=f"eve{AT}example.org"))


def _stray_file(repo: Path) -> str:
    (repo / "issued" / "README.md").write_text("notes\n")
    return "issued/README.md"


def _symlink(repo: Path) -> str:
    os.symlink("/etc/hostname", repo / "site_src" / "host.md")
    return "site_src/host.md"


def _cache_file(repo: Path) -> str:
    (repo / ".gitignore").write_text(".cache/\n")
    target = repo / ".cache/credstack/verification.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text('{"entries": {}}')
    git(repo, "add", "-f", ".cache/credstack/verification.json")
    return ".cache/credstack/verification.json"


def _secret(repo: Path) -> str:
    (repo / "notes").mkdir()
    (repo / "notes" / "key.txt").write_text(
        f"secret: {fixed_signing_key().to_multibase_secret()}\n"
    )
    return "notes/key.txt:1"


def _email(repo: Path) -> str:
    (repo / "site_src" / "team.md").write_text(f"Write to jane.doe{AT}gmail.com\n")
    return "site_src/team.md:1"


def _not_json(repo: Path) -> str:
    path = repo / "issued/credentials/2025-brokenjson.json"
    path.write_text('{"id": ')
    return rel(repo, path)


def _tampered_new(repo: Path) -> str:
    program = Registry(repo).program
    aid = first(program, "foundation").id
    plan = award(
        repo,
        AwardInput(
            aid,
            "Grace",
            f"grace{AT}example.org",
            DAY + timedelta(3),
            result=result_for(program, aid),
        ),
    )
    path = Registry(repo).credential_path(plan.awarded[0].cid)
    doc = json.loads(path.read_text())
    doc["credentialSubject"]["identifier"][1]["identityHash"] = "Mallory"
    path.write_text(dump_json(doc))
    return rel(repo, path)


def _unknown_key(repo: Path) -> str:
    program = Registry(repo).program
    return rel(repo, forge(repo, first(program, "foundation").id, key_id="nope"))


def _retired_in_branch(repo: Path) -> str:
    _add_key(repo)
    retire_key(Registry(repo).program, repo, TEST_KEY_ID, at=DAY + timedelta(days=2), reason="x")
    program = Registry(repo).program
    return rel(
        repo, forge(repo, first(program, "foundation").id, issued_at=DAY + timedelta(days=3))
    )


def _future(repo: Path) -> str:
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    program = Registry(repo).program
    return rel(repo, forge(repo, first(program, "foundation").id, issued_at=later))


def _copied_to_other_name(repo: Path) -> str:
    path = base_credentials(repo)[0]
    target = path.with_name("2025-copy000000.json")
    target.write_bytes(path.read_bytes())
    return rel(repo, target)


def _no_status_entry(repo: Path) -> str:
    registry = Registry(repo)
    aid = first(registry.program, "foundation").id
    request = AwardRequest(
        cid="2025-nostatus00",
        achievement=aid,
        name="Nadia",
        email=f"nadia{AT}example.org",
        salt="5a17" * 8,
        issued_at=DAY,
        result=result_for(registry.program, aid),
    )
    signed = create_proof(
        build_credential(registry.program, request),
        fixed_signing_key(),
        verification_method=registry.urls.key_id(TEST_KEY_ID),
        created=DAY,
    )
    path = registry.credential_path(request.cid)
    path.write_text(dump_json(signed))
    return rel(repo, path)


def _reused_index(repo: Path) -> str:
    registry = Registry(repo)
    taken = registry.credentials[base_credentials(repo)[0].stem].status("revocation").index
    return rel(repo, forge(repo, first(registry.program, "foundation").id, index=taken))


def _expired_list(repo: Path) -> str:
    """A genuine list (our key) whose validity window has ended."""
    path = repo / "issued/status/revocation-1.json"
    doc = json.loads(path.read_text())
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    unsigned["validUntil"] = "2025-04-01T00:00:00Z"
    signed = create_proof(
        unsigned,
        fixed_signing_key(),
        verification_method=doc["proof"][0]["verificationMethod"],
        created=DAY + timedelta(days=1),
    )
    path.write_text(dump_json(signed))
    return rel(repo, path)


def _corrupt_list(repo: Path) -> str:
    path = repo / "issued/status/revocation-1.json"
    path.write_text("{ not json")
    return rel(repo, path)


def _log_names_unknown(repo: Path) -> str:
    (repo / "issued/status-log.yml").write_text(
        "events:\n- date: '2025-04-01T00:00:00Z'\n"
        "  credential: 2025-nosuchthing\n  event: revoked\n"
    )
    return "issued/status-log.yml"


def _log_text(log: Path) -> str:
    """The status log's text, ready for an appended event."""
    text = log.read_text().rstrip() if log.exists() else "events:"
    return text.replace("events: []", "events:")


def _link_two_people(repo: Path) -> str:
    program = Registry(repo).program
    aid = first(program, "foundation").id
    plan = award(
        repo,
        AwardInput(
            aid,
            "Other Person",
            f"other{AT}example.org",
            DAY + timedelta(3),
            result=result_for(program, aid),
        ),
    )
    mine = base_credentials(repo)[0].stem
    log = repo / "issued/status-log.yml"
    text = _log_text(log)
    text += (
        f"\n- date: '2025-04-01T00:00:00Z'\n  credential: {mine}\n  event: renewed\n"
        f"  replacement: {plan.awarded[0].cid}\n"
    )
    log.write_text(text)
    return "issued/status-log.yml"


def _log_without_list(repo: Path) -> str:
    cid = base_credentials(repo)[0].stem
    log = repo / "issued/status-log.yml"
    text = _log_text(log)
    text += (
        f"\n- date: '2025-04-01T00:00:00Z'\n  credential: {cid}\n  event: revoked\n  reason: x\n"
    )
    log.write_text(text)
    return "issued/status/revocation-1.json"


def _placeholder_site(repo: Path) -> str:
    mkdocs = repo / "mkdocs.yml"
    text = mkdocs.read_text()
    site = Registry(repo).program.site_url
    mkdocs.write_text(text.replace(site.rstrip("/"), "https://example.github.io/registry"))
    return "mkdocs.yml"


def _broken_program(repo: Path) -> str:
    path = repo / "program/achievements/broken.yml"
    path.write_text("name: Broken\nlevel: nonsense\n")
    return "program/achievements/broken.yml"


SCENARIOS: dict[str, Scenario] = {
    "credential-unchanged": _edit_base,
    "credential-not-deleted": _delete_base,
    "credential-not-renamed": _rename_base,
    "status-log-append-only": _edit_log,
    "status-list-not-deleted": _delete_list,
    "status-list-only-bits-change": _edit_list_field,
    "revocation-final": _undo_revocation,
    "status-change-logged": _flip_unlogged,
    "keys-append-only": _change_public_key,
    "key-added-acknowledged": _add_key,
    "key-not-retired-on-base": _retire_on_base_then_backdate,
    "award-date-plausible": _year_1999,
    "stacking-rules": _no_prerequisite,
    "issued-layout": _stray_file,
    "no-symlinks": _symlink,
    "no-cache-files": _cache_file,
    "no-secret-key": _secret,
    "no-plain-email": _email,
    "format-valid": _not_json,
    "signature-verifies": _tampered_new,
    "key-known": _unknown_key,
    "key-not-retired": _retired_in_branch,
    "valid-from-not-future": _future,
    "id-matches-file": _copied_to_other_name,
    "status-entry-present": _no_status_entry,
    "status-index-unique": _reused_index,
    "status-list-exists": _delete_list,
    "status-list-verifies": _corrupt_list,
    "status-list-fresh": _expired_list,
    "status-log-valid": _log_names_unknown,
    "status-log-links": _link_two_people,
    "status-log-matches-lists": _log_without_list,
    "site-url-set": _placeholder_site,
    "program-lint": _broken_program,
}


def test_every_rule_has_a_scenario():
    # The transparency log's rules have theirs in tests/integration/test_log.py.
    assert set(SCENARIOS) | set(LOG_RULES) == set(RULES)
    assert not set(SCENARIOS) & set(LOG_RULES)


def _found(repo: Path, rule: str, path: str, **kw) -> bool:
    report = check_registry(repo, at=datetime.now(UTC), base="main", **kw)
    return any(f.rule == rule and f.path.startswith(path) for f in report.findings)


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_each_rule_reports_its_scenario_and_nothing_else_does(repo, rule):
    path = SCENARIOS[rule](repo)
    assert _found(repo, rule, path), f"{rule} did not report {path}"
    assert not _found(repo, rule, path, disabled={rule}), (
        f"with {rule} disabled its finding is still reported"
    )
