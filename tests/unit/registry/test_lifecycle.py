"""Lifecycle: revoke, suspend, reinstate, renew, reissue, expiring; tampered status lists."""

import copy
import json
from datetime import timedelta

import pytest

from credstack.errors import AwardError, RegistryError, StatusError
from credstack.model.assessment import assessment_record
from credstack.model.status import Bitstring
from credstack.model.wording import message, verdict
from credstack.registry.lifecycle import change_status, expiring, reissue, renew
from credstack.registry.registry import Registry
from credstack.registry.verify import registry_verifier
from support import (
    assessed_by,
    award_with_prerequisites,
    earn_certification,
    expiring_micro,
    loaded_test_key,
    snapshot,
)
from support import at as date

DAY = date("2026-03-02T09:00")
LATER = date("2026-06-01")


@pytest.fixture
def cred(root):
    aid = expiring_micro(Registry(root).program)
    return award_with_prerequisites(root, aid, name="Ada", email="ada@example.org", when=DAY)


def status_of(root, cid, at=LATER):
    registry = Registry(root)
    return registry_verifier(registry, at=at, now=max(at, LATER)).verify(registry.get(cid).raw)


def change(root, cid, event, reason=None, when=DAY + timedelta(days=5)):
    return change_status(
        Registry(root), cid, event, key=loaded_test_key(root), when=when, reason=reason
    )


def test_revoke_then_verify_fails_with_reason_and_date(root, cred):
    change(root, cred.cid, "revoked", "assessment misconduct")
    report = status_of(root, cred.cid)
    assert report.status == "revoked"
    assert verdict(report) == "Revoked by the issuer on 2026-03-07: assessment misconduct"
    assert not report.ok
    log = (root / "issued/status-log.yml").read_text()
    assert "assessment misconduct" in log and cred.cid in log


def test_suspend_then_reinstate_round_trips(root, cred):
    change(root, cred.cid, "suspended", "under review")
    assert status_of(root, cred.cid).status == "suspended"
    change(root, cred.cid, "reinstated", when=DAY + timedelta(days=9))
    assert status_of(root, cred.cid).status == "verified"
    events = [e.event for e in Registry(root).log]
    assert events == ["suspended", "reinstated"]


@pytest.mark.parametrize(
    ("setup", "event", "fragment"),
    [
        (["revoked"], "revoked", "revocation is final"),
        (["revoked"], "reinstated", "revocation is final"),
        ([], "reinstated", "not suspended"),
        (["suspended"], "suspended", "already suspended"),
    ],
)
def test_refused_status_changes_leave_issued_byte_identical(root, cred, setup, event, fragment):
    for e in setup:
        change(root, cred.cid, e, "reason")
    before = snapshot(root)
    with pytest.raises(StatusError, match=fragment):
        change(root, cred.cid, event, "again")
    assert snapshot(root) == before


def test_revoking_unknown_id_is_a_clear_error(root, cred):
    before = snapshot(root)
    with pytest.raises(RegistryError, match="no issued credential"):
        change(root, "2026-nosuchthing", "revoked", "x")
    assert snapshot(root) == before


def test_revoke_needs_a_public_statement(root, cred):
    with pytest.raises(StatusError, match="needs a public statement"):
        change(root, cred.cid, "revoked", "  ")


def test_status_list_is_re_signed_and_bit_set(root, cred):
    path = root / "issued/status/revocation-1.json"
    old = json.loads(path.read_text())
    change(root, cred.cid, "revoked", "x")
    new = json.loads(path.read_text())
    assert new["proof"][0]["proofValue"] != old["proof"][0]["proofValue"]
    index = int(cred.credential["credentialStatus"]["statusListIndex"])
    assert Bitstring.decode(new["credentialSubject"]["encodedList"]).get(index)


def test_tampered_status_list_bit_flip_is_never_reported_as_not_revoked(root, cred):
    change(root, cred.cid, "revoked", "x")
    path = root / "issued/status/revocation-1.json"
    doc = json.loads(path.read_text())
    bits = Bitstring.decode(doc["credentialSubject"]["encodedList"])
    bits.set(int(cred.credential["credentialStatus"]["statusListIndex"]), False)
    doc["credentialSubject"]["encodedList"] = bits.encode()
    path.write_text(json.dumps(doc))
    report = status_of(root, cred.cid)
    assert report.status == "error"
    assert report.code("status") == "untrusted"
    assert "cannot be trusted" in message(report.check("status"))


def test_status_list_with_broken_signature_is_detected(root, cred):
    path = root / "issued/status/suspension-1.json"
    doc = json.loads(path.read_text())
    doc["proof"][0]["proofValue"] = doc["proof"][0]["proofValue"][:-3] + "abc"
    path.write_text(json.dumps(doc))
    report = status_of(root, cred.cid)
    assert report.status == "error" and report.code("status") == "untrusted"


def test_rejects_rollback_by_an_older_status_list_on_the_command_line(root, cred):
    """--status-list FILE never overrides the registry's own list (an older signed copy from
    before a revocation would otherwise say "not revoked")."""
    old = copy.deepcopy(Registry(root).status_lists)
    change(root, cred.cid, "revoked", "x")
    registry = Registry(root)
    verifier = registry_verifier(registry, at=LATER, status_lists=old.values())
    assert verifier.verify(registry.get(cred.cid).raw).status == "revoked"


def test_expired_and_not_yet_valid_at_dates(root, cred):
    view = Registry(root).get(cred.cid)
    assert status_of(root, cred.cid, at=view.valid_until + timedelta(days=1)).status == "expired"
    assert status_of(root, cred.cid, at=DAY - timedelta(days=1)).status == "invalid"


def test_expiring_lists_credentials_about_to_expire(root, cred):
    view = Registry(root).get(cred.cid)
    soon = view.valid_until - timedelta(days=30)
    assert [v.cid for v in expiring(Registry(root), at=soon, within=timedelta(days=60))] == [
        cred.cid
    ]
    assert expiring(Registry(root), at=soon, within=timedelta(days=10)) == []


def test_renew_issues_a_linked_fresh_credential(root, cred):
    view = Registry(root).get(cred.cid)
    when = view.valid_until - timedelta(days=10)
    registry = Registry(root)
    with pytest.raises(AwardError, match="needs 1 independent assessor"):
        renew(registry, cred.cid, key=loaded_test_key(root), now=when, issued_at=when)
    by = assessed_by(registry.program, view.achievement_id)
    plan = renew(
        registry, cred.cid, key=loaded_test_key(root), now=when, issued_at=when, assessors=by
    )
    new = plan.awarded[0]
    assert assessment_record(new.credential).assessors[0].id == by[0]
    registry = Registry(root)
    assert registry.links(cred.cid)["replaced_by"] == [new.cid]
    assert registry.links(new.cid)["replaces"] == [cred.cid]
    new_view = registry.get(new.cid)
    assert new_view.recipient == view.recipient and new_view.achievement_id == view.achievement_id
    assert expiring(registry, at=when, within=timedelta(days=60)) == []
    assert status_of(root, new.cid, at=when + timedelta(days=1)).status == "verified"


def test_reissue_corrects_name_and_revokes_the_old_one(root, cred):
    plan = reissue(Registry(root), cred.cid, key=loaded_test_key(root), now=LATER, name="Ada King")
    new = plan.awarded[0]
    registry = Registry(root)
    assert registry.get(new.cid).name == "Ada King"
    assert registry.get(new.cid).valid_from == registry.get(cred.cid).valid_from
    old = status_of(root, cred.cid, at=LATER + timedelta(days=1))
    assert old.status == "revoked" and f"superseded by {new.cid}" in verdict(old)
    assert registry.links(cred.cid)["replaced_by"] == [new.cid]


def test_certification_with_revoked_component_warns_naming_it(root):
    plans = earn_certification(root, name="Dee", email="dee@example.org", start=DAY)
    component = plans[0].awarded[0]
    cert = plans[-1].awarded[0]
    change(root, component.cid, "revoked", "plagiarism", when=LATER)
    report = status_of(root, cert.cid, at=LATER + timedelta(days=1))
    check = report.check("components")
    assert check.code == "not-in-force"
    assert check.params["items"] == [
        {
            "name": check.params["items"][0]["name"],
            "status": "revoked",
            "reason": {"check": "status", "code": "revoked"},
        }
    ]
    assert "revoked" in message(check)
    assert report.status == "verified", "the certification itself is not silently revoked"
