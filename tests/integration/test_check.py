"""`credstack check`, the merge gate, against real git repositories in temporary folders.

Each test starts from a registry committed on ``main`` (a scratch copy of the demo program with
the TEST-ONLY key and a few awarded credentials), works on a branch ``pr``, and runs the real
CLI with ``--base main``. Failures must name the file and the rule.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta

import pytest

from credstack.cli import main
from credstack.crypto.keys import SigningKey
from credstack.model.status import Bitstring
from credstack.registry.award import AwardInput
from credstack.registry.files import dump_json
from credstack.registry.keys import create_key, retire_key
from credstack.registry.lifecycle import change_status, resign_list
from credstack.registry.registry import Registry
from gate_support import (
    DAY,
    base_credentials,
    check,
    commit,
    first,
    forge,
    git,
    move_base,
    rel,
)
from support import (
    KEY_CREATED,
    TEST_KEY_ID,
    award,
    fixed_signing_key,
    loaded_test_key,
    result_for,
    scratch_registry,
)

# Addresses and key headers are assembled at run time, so that this file itself passes the
# repository's own hygiene checks.
AT = "@"
PEM_HEADER = "-----BEGIN OPENSSH PRIVATE" + " KEY-----"


# -- a clean branch passes --------------------------------------------------------------------


def test_branch_adding_valid_credentials_passes(repo):
    program = Registry(repo).program
    foundation = first(program, "foundation")
    award(
        repo,
        AwardInput(
            foundation.id,
            "Grace New",
            "grace@example.org",
            DAY + timedelta(days=3),
            result=result_for(program, foundation.id),
        ),
    )
    commit(repo, "award")
    code, out, findings = check(repo)
    assert (code, findings) == (0, []), out
    assert "against main (1 new)" in out
    assert out.rstrip().endswith("0 errors, 0 warnings")


def test_status_change_through_the_cli_passes_and_is_summarised(repo):
    registry = Registry(repo)
    cid = next(iter(registry.credentials))
    change_status(
        registry,
        cid,
        "revoked",
        key=loaded_test_key(repo),
        when=DAY + timedelta(days=9),
        reason="assessment found to be plagiarised",
    )
    commit(repo, "revoke")
    code, out, findings = check(repo)
    assert (code, findings) == (0, []), out
    assert "1 revoked" in out


def test_key_rotation_in_the_same_branch_passes(repo):
    program = Registry(repo).program
    forge(repo, first(program, "foundation").id, signed_at=DAY + timedelta(days=1))
    second = SigningKey.from_seed(bytes([9]) * 32)
    create_key(
        program, repo, now=DAY + timedelta(days=2), key_id="second", store=False, secret=second
    )
    retire_key(
        Registry(repo).program, repo, TEST_KEY_ID, at=DAY + timedelta(days=3), reason="rotation"
    )
    code, out, findings = check(repo, "--allow-key-change")
    assert (code, findings) == (0, [("program/keys.yml", "key-added-acknowledged")]), out
    assert "THIS CHANGE ADDS SIGNING KEY(S): second" in out


def test_rejects_a_new_signing_key_without_acknowledgement(repo):
    """A pull request that adds a key (and credentials signed by it) is its own finding."""
    program = Registry(repo).program
    second = SigningKey.from_seed(bytes([9]) * 32)
    create_key(
        program, repo, now=DAY + timedelta(days=2), key_id="second", store=False, secret=second
    )
    code, out, findings = check(repo, "--strict")
    assert code == 1
    assert findings == [("program/keys.yml", "key-added-acknowledged")], out
    assert "THIS CHANGE ADDS SIGNING KEY(S): second" in out


# -- each attack fails, naming the file and the rule --------------------------------------------


def test_rejects_edited_issued_credential(repo):
    path = base_credentials(repo)[0]
    doc = json.loads(path.read_text())
    doc["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    path.write_text(dump_json(doc))
    code, out, findings = check(repo)
    assert code == 1
    assert (rel(repo, path), "credential-unchanged") in findings, out
    assert (rel(repo, path), "signature-verifies") in findings


def test_rejects_whitespace_only_edit_of_issued_credential(repo):
    path = base_credentials(repo)[0]
    path.write_text(path.read_text().replace("\n  ", "\n    ", 1))
    code, out, findings = check(repo)
    assert code == 1
    assert findings == [(rel(repo, path), "credential-unchanged")], out


def test_rejects_deleted_credential(repo):
    path = base_credentials(repo)[0]
    path.unlink()
    code, out, findings = check(repo)
    assert code == 1
    assert (rel(repo, path), "credential-not-deleted") in findings, out


def test_rejects_renamed_credential(repo):
    path = base_credentials(repo)[0]
    target = path.with_name("2025-renamed000.json")
    git(repo, "mv", rel(repo, path), rel(repo, target))
    commit(repo, "rename")
    code, out, findings = check(repo)
    assert code == 1
    assert (rel(repo, target), "credential-not-renamed") in findings, out
    assert f"renamed from {rel(repo, path)}" in out
    assert (rel(repo, path), "credential-not-deleted") not in findings


def test_rejects_reused_status_index(repo):
    program = Registry(repo).program
    taken = Registry(repo).credentials[base_credentials(repo)[0].stem].status("revocation").index
    path = forge(repo, first(program, "foundation").id, index=taken)
    code, out, findings = check(repo)
    assert code == 1
    assert (rel(repo, path), "status-index-unique") in findings, out
    assert f"index {taken} of revocation-1.json" in out


@pytest.mark.parametrize("signed", ["after retirement", "backdated before retirement"])
def test_rejects_credential_signed_with_retired_key(repo, signed):
    program = Registry(repo).program
    retired_at = DAY + timedelta(days=20)
    create_key(
        program,
        repo,
        now=DAY + timedelta(days=10),
        key_id="second",
        store=False,
        secret=SigningKey.from_seed(bytes([9]) * 32),
    )
    retire_key(Registry(repo).program, repo, TEST_KEY_ID, at=retired_at, reason="key rotated")
    move_base(repo)
    when = retired_at + timedelta(days=5) if signed == "after retirement" else DAY + timedelta(1)
    path = forge(repo, first(program, "foundation").id, issued_at=when)
    code, out, findings = check(repo)
    assert code == 1
    rule = "key-not-retired" if signed == "after retirement" else "key-not-retired-on-base"
    assert (rel(repo, path), rule) in findings, out


def test_rejects_credential_signed_with_unknown_key(repo):
    program = Registry(repo).program
    path = forge(
        repo,
        first(program, "foundation").id,
        key=SigningKey.from_seed(bytes([7]) * 32),
        key_id="stolen-key",
    )
    code, out, findings = check(repo)
    assert code == 1
    assert (rel(repo, path), "key-known") in findings, out


def test_rejects_credential_signed_by_another_key_under_a_known_id(repo):
    program = Registry(repo).program
    path = forge(repo, first(program, "foundation").id, key=SigningKey.from_seed(bytes([7]) * 32))
    code, out, findings = check(repo)
    assert code == 1
    assert (rel(repo, path), "signature-verifies") in findings, out


def test_rejects_practitioner_awarded_without_prerequisite(repo):
    program = Registry(repo).program
    practitioner = first(program, "practitioner", with_prerequisites=True)
    path = forge(repo, practitioner.id, name="Nina Shortcut", email="nina@example.org")
    code, out, findings = check(repo)
    assert code == 1
    assert (rel(repo, path), "stacking-rules") in findings, out
    assert f"{practitioner.id} requires {practitioner.prerequisites[0]}" in out


def test_rejects_status_bit_flipped_without_log_entry(repo):
    registry = Registry(repo)
    view = registry.credentials[base_credentials(repo)[0].stem]
    ref = view.status("revocation")
    doc = registry.status_lists[ref.list_url]
    bits = Bitstring.decode(doc["credentialSubject"]["encodedList"])
    bits.set(ref.index, True)
    signed = resign_list(registry, doc, loaded_test_key(repo), DAY + timedelta(days=4), bits)
    (repo / "issued/status/revocation-1.json").write_text(dump_json(signed))
    code, out, findings = check(repo)
    assert code == 1
    assert ("issued/status/revocation-1.json", "status-change-logged") in findings, out
    assert f"index {ref.index} ({view.cid})" in out


def test_rejects_undoing_a_revocation(repo):
    registry = Registry(repo)
    cid = base_credentials(repo)[0].stem
    change_status(
        registry, cid, "revoked", key=loaded_test_key(repo), when=DAY + timedelta(3), reason="fraud"
    )
    move_base(repo)
    registry = Registry(repo)
    ref = registry.credentials[cid].status("revocation")
    doc = registry.status_lists[ref.list_url]
    bits = Bitstring.decode(doc["credentialSubject"]["encodedList"])
    bits.set(ref.index, False)
    signed = resign_list(registry, doc, loaded_test_key(repo), DAY + timedelta(days=5), bits)
    (repo / "issued/status/revocation-1.json").write_text(dump_json(signed))
    (repo / "issued/status-log.yml").write_text("events: []\n")
    code, out, findings = check(repo)
    assert code == 1
    assert ("issued/status/revocation-1.json", "revocation-final") in findings, out
    assert ("issued/status-log.yml", "status-log-append-only") in findings


def test_rejects_status_list_changed_beyond_its_bits(repo):
    path = repo / "issued/status/suspension-1.json"
    doc = json.loads(path.read_text())
    doc["credentialSubject"]["id"] = doc["credentialSubject"]["id"] + "-edited"
    path.write_text(dump_json(doc))
    code, out, findings = check(repo)
    assert code == 1
    assert ("issued/status/suspension-1.json", "status-list-only-bits-change") in findings, out
    assert ("issued/status/suspension-1.json", "status-list-verifies") in findings


def test_rejects_status_list_dated_back(repo):
    """Re-signing may move a list's validity window forward, never back (a rollback)."""
    path = repo / "issued/status/suspension-1.json"
    doc = json.loads(path.read_text())
    doc["validFrom"] = "2020-01-01T00:00:00Z"
    path.write_text(dump_json(doc))
    code, out, findings = check(repo)
    assert code == 1
    assert ("issued/status/suspension-1.json", "status-list-only-bits-change") in findings, out


def test_rejects_edited_status_log_event(repo):
    registry = Registry(repo)
    cid = base_credentials(repo)[0].stem
    change_status(
        registry,
        cid,
        "suspended",
        key=loaded_test_key(repo),
        when=DAY + timedelta(3),
        reason="under review",
    )
    move_base(repo)
    log = repo / "issued/status-log.yml"
    log.write_text(log.read_text().replace("under review", "no reason"))
    code, out, findings = check(repo)
    assert code == 1
    assert findings == [("issued/status-log.yml", "status-log-append-only")], out


def test_rejects_changed_public_key(repo):
    keys = repo / "program/keys.yml"
    other = SigningKey.from_seed(bytes([5]) * 32).public_key_multibase
    public = fixed_signing_key().public_key_multibase
    keys.write_text(keys.read_text().replace(public, other))
    code, out, findings = check(repo)
    assert code == 1
    assert ("program/keys.yml", "keys-append-only") in findings, out
    assert "the public key of test-key was changed" in out


def test_rejects_committed_secret_key(repo):
    secret = fixed_signing_key().to_multibase_secret()
    (repo / "notes").mkdir()
    (repo / "notes" / "signing.txt").write_text(f"the key, for safe keeping:\n{secret}\n")
    (repo / "backup.key").write_text("anything\n")
    code, out, findings = check(repo)
    assert code == 1
    assert ("notes/signing.txt:2", "no-secret-key") in findings, out
    assert ("backup.key", "no-secret-key") in findings
    assert secret not in out, "the check must not print the secret it found"


def test_rejects_committed_pem_private_key(repo):
    (repo / "deploy.pem").write_text(f"{PEM_HEADER}\nb3Blbn\n")
    code, out, findings = check(repo)
    assert code == 1
    assert ("deploy.pem:1", "no-secret-key") in findings, out


def test_rejects_plain_email_but_allows_placeholders_and_the_issuer(repo):
    issuer_email = Registry(repo).program.issuer.email
    page = repo / "site_src" / "team.md"
    page.write_text(
        f"# Team\n\nWrite to {issuer_email} or name@example.org.\n\n"
        f"Assessor: jane.doe{AT}gmail.com\n"
    )
    code, out, findings = check(repo)
    assert code == 1
    assert findings == [("site_src/team.md:5", "no-plain-email")], out
    assert f"jane.doe{AT}gmail.com" not in out, "the address is shown redacted"


def test_ignored_files_are_not_scanned(repo):
    (repo / ".gitignore").write_text("private/\n")
    (repo / "private").mkdir()
    (repo / "private" / "cohort.csv").write_text(f"name,email\nJane,jane.doe{AT}gmail.com\n")
    code, out, findings = check(repo)
    assert (code, findings) == (0, []), out


def test_rejects_files_the_cli_would_not_write_in_issued(repo):
    (repo / "issued" / "README.md").write_text("notes\n")
    (repo / "issued" / "credentials" / "draft.txt").write_text("draft\n")
    code, out, findings = check(repo)
    assert code == 1
    assert ("issued/README.md", "issued-layout") in findings, out
    assert ("issued/credentials/draft.txt", "issued-layout") in findings


def test_lists_every_problem_in_one_run(repo):
    base_credentials(repo)[0].unlink()
    (repo / "site_src" / "x.md").write_text(f"bob{AT}corp.io\n")
    (repo / "k.key").write_text("x\n")
    code, out, findings = check(repo)
    rules = {rule for _, rule in findings}
    assert code == 1
    assert {"credential-not-deleted", "no-plain-email", "no-secret-key"} <= rules, out
    assert out.rstrip().endswith("3 errors, 0 warnings")


def test_unknown_base_is_an_error_with_a_hint(repo):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["-C", str(repo), "check", "--base", "origin/nowhere"])
    assert code == 1
    assert "--base origin/nowhere: no such commit" in err.getvalue()
    assert "fetch-depth: 0" in err.getvalue()


def test_first_commit_against_head_checks_everything_as_new(tmp_path):
    root = scratch_registry(tmp_path)
    program = Registry(root).program
    forge(root, first(program, "practitioner", with_prerequisites=True).id)
    git(root, "init", "-q", "-b", "main")
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["-C", str(root), "check", "--base", "HEAD"])
    assert code == 1
    assert ": stacking-rules: " in out.getvalue()


def test_works_in_a_registry_below_the_repository_root(tmp_path):
    (tmp_path / "repo").mkdir()
    root = scratch_registry(tmp_path / "repo")  # tmp/repo/registry
    git(tmp_path / "repo", "init", "-q", "-b", "main")
    commit(tmp_path / "repo", "base")
    path = forge(root, first(Registry(root).program, "practitioner", with_prerequisites=True).id)
    code, out, findings = check(root)
    assert code == 1
    assert (rel(root, path), "stacking-rules") in findings, out


def test_key_created_date_is_kept(repo):
    keys = repo / "program/keys.yml"
    stamp = KEY_CREATED.strftime("%Y-%m-%dT%H:%M:%SZ")
    keys.write_text(keys.read_text().replace(stamp, "2023-01-01T00:00:00Z"))
    code, out, findings = check(repo)
    assert code == 1
    assert ("program/keys.yml", "keys-append-only") in findings, out


def test_rejects_credential_dated_in_the_future(repo):
    program = Registry(repo).program
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    path = forge(repo, first(program, "foundation").id, issued_at=later)
    code, out, findings = check(repo)
    assert code == 1
    assert (rel(repo, path), "valid-from-not-future") in findings, out
