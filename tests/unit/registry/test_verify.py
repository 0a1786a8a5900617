"""Offline verification: every tamper class fails, honest credentials pass, reports are named."""

import copy
import json
from datetime import timedelta

import pytest

from credstack.crypto.keys import SigningKey, encode_multikey_public
from credstack.crypto.proof import create_proof
from credstack.model.wording import message, report_json, verdict
from credstack.registry.award import AwardInput
from credstack.registry.registry import Registry
from credstack.registry.verify import KeyResolver, Verifier, registry_verifier
from support import at as date
from support import award, award_with_prerequisites, earn_certification, expiring_micro, result_for

DAY = date("2026-03-02T09:00")
LATER = date("2026-06-01")


@pytest.fixture
def issued(root):
    """(root, credential) for one freshly awarded foundation credential."""
    program = Registry(root).program
    foundation = program.by_level("foundation")[0]
    plan = award(
        root,
        AwardInput(
            foundation.id,
            "Ada Lovelace",
            "ada@example.org",
            DAY,
            result=result_for(program, foundation.id),
        ),
    )
    return root, plan.awarded[0].credential


def verify(root, doc, at=LATER):
    return registry_verifier(Registry(root), at=at, now=LATER).verify(doc, "test")


def outcomes(report):
    return {c.id: c.outcome for c in report.checks}


def codes(report):
    return {c.id: c.code for c in report.checks}


def test_honest_credential_verifies_with_every_check(issued):
    root, doc = issued
    report = verify(root, doc)
    assert report.status == "verified", report_json(report)
    assert verdict(report) == "Verified"
    assert codes(report) == {
        "format": "ok",
        "signature": "ok",
        "issuer-key": "ok",
        "key-valid": "ok",
        "status": "ok",
        "validity": "ok",
        "components": "not-applicable",
        "log": "none",
    }
    assert report.ok


def flip_char(text, pos):
    """Change one base58 character of ``text``."""
    return text[:pos] + ("2" if text[pos] != "2" else "3") + text[pos + 1 :]


def tampered(doc, mutate):
    doc = copy.deepcopy(doc)
    mutate(doc)
    return doc


TAMPERS = {
    "subject_swapped": lambda d: d["credentialSubject"]["identifier"][1].update(
        identityHash="Mallory"
    ),
    "email_hash_swapped": lambda d: d["credentialSubject"]["identifier"][0].update(
        identityHash="sha256$" + "0" * 64
    ),
    "achievement_changed": lambda d: d["credentialSubject"]["achievement"].update(
        name="Grand Master"
    ),
    "achievement_type_changed": lambda d: d["credentialSubject"]["achievement"].update(
        achievementType="Certification"
    ),
    "valid_from_moved": lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
    "valid_until_added": lambda d: d.update(validUntil="2099-01-01T00:00:00Z"),
    "proof_value_altered": lambda d: d["proof"][0].update(
        proofValue=flip_char(d["proof"][0]["proofValue"], -5)
    ),
    "proof_created_moved": lambda d: d["proof"][0].update(created="2026-03-01T00:00:00Z"),
    "unsigned_top_level_property": lambda d: d.update(awardedTo="Mallory"),
    "unsigned_subject_property": lambda d: d["credentialSubject"].update(creditsEarned=99),
    "unsigned_achievement_property": lambda d: d["credentialSubject"]["achievement"].update(
        fieldOfStudy="Anything"
    ),
    "unsigned_evidence_added": lambda d: d.update(
        evidence=[{"id": "https://evil.example/x", "type": ["Evidence"], "name": "x"}]
    ),
    "context_changed": lambda d: d["@context"].pop(),
    "issuer_changed": lambda d: d["issuer"].update(id="did:web:evil.example"),
    "issuer_name_changed": lambda d: d["issuer"].update(name="Someone Else"),
    "status_entry_removed": lambda d: d.pop("credentialStatus"),
    "status_index_changed": lambda d: d["credentialStatus"].update(statusListIndex="99"),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_rejects_tampered_credential(issued, name):
    root, doc = issued
    report = verify(root, tampered(doc, TAMPERS[name]))
    assert report.status == "invalid", (name, report_json(report))
    assert not report.ok


def test_rejects_subject_swapped_after_signing_with_the_right_message(issued):
    root, doc = issued
    report = verify(root, tampered(doc, TAMPERS["subject_swapped"]))
    assert codes(report)["signature"] == "mismatch"
    assert verdict(report) == "Not verified: the content has changed since it was signed"
    assert codes(report)["status"] == "not-checked", "a bad signature hides every other claim"


def test_rejects_unsigned_credential(issued):
    root, doc = issued
    report = verify(root, tampered(doc, lambda d: d.pop("proof")))
    assert report.status == "invalid"
    assert report.code("format") == "unsigned"
    assert "no proof" in message(report.check("format"))


def test_rejects_key_swapped(issued):
    """Re-signed by another key claiming to be the issuer's key."""
    root, doc = issued
    unsigned = tampered(doc, lambda d: d.pop("proof"))
    other = SigningKey.from_seed(bytes(32))
    forged = create_proof(
        unsigned, other, verification_method=doc["proof"][0]["verificationMethod"], created=DAY
    )
    report = verify(root, forged)
    assert report.status == "invalid"
    assert report.check("signature").outcome == "fail"


def test_rejects_self_made_did_key_for_our_issuer(issued):
    """A did:key signature does not speak for a did:web issuer."""
    root, doc = issued
    other = SigningKey.from_seed(bytes(32))
    did = "did:key:" + encode_multikey_public(other.public_key)
    forged = create_proof(
        tampered(doc, lambda d: d.pop("proof")),
        other,
        verification_method=f"{did}#{did.removeprefix('did:key:')}",
        created=DAY,
    )
    report = verify(root, forged)
    assert report.status == "invalid"
    assert report.code("issuer-key") == "impersonation"
    assert message(report.check("issuer-key")).startswith("not issued by")


def test_rejects_self_made_did_key_naming_another_issuer(issued):
    """Outside a registry: a did:key signature for a credential naming a did:web issuer."""
    _, doc = issued
    other = SigningKey.from_seed(bytes(32))
    did = "did:key:" + encode_multikey_public(other.public_key)
    forged = create_proof(
        tampered(doc, lambda d: d.pop("proof")),
        other,
        verification_method=f"{did}#{did.removeprefix('did:key:')}",
        created=DAY,
    )
    report = Verifier(keys=KeyResolver(), at=LATER).verify(forged)
    assert report.status == "invalid"
    assert report.code("issuer-key") == "not-issuer"
    assert "not to the issuer" in message(report.check("issuer-key"))


def test_unknown_issuer_says_keys_could_not_be_fetched(issued):
    _, doc = issued
    report = Verifier(keys=KeyResolver(), at=LATER).verify(doc)
    assert report.status == "error" and not report.ok
    assert report.code("issuer-key") == "unresolvable"
    assert verdict(report).startswith("Could not be verified: issuer keys could not be fetched")


def test_did_document_file_lets_a_stranger_verify(issued):
    root, doc = issued
    did_doc = Registry(root).did_document()
    report = Verifier(keys=KeyResolver([did_doc]), at=LATER).verify(doc)
    assert report.code("signature") == "ok"
    assert report.code("status") == "unavailable"
    # genuine, but a status that cannot be checked is never shown as valid
    assert report.status == "error" and not report.ok
    assert verdict(report).startswith("Signature verified, but revocation status could not be")
    with_list = Verifier(
        keys=KeyResolver([did_doc]), at=LATER, status_lists=Registry(root).status_lists
    ).verify(doc)
    assert with_list.status == "verified"


def test_key_named_only_in_the_credential_is_a_warning(issued):
    """The OB guide's `<url>#z6Mk…` form: the signature holds, nothing confirms the key."""
    _, doc = issued
    key = SigningKey.from_seed(bytes(range(32)))
    issuer = "https://issuer.example/profile"
    unsigned = tampered(
        doc, lambda d: (d.pop("proof"), d.pop("credentialStatus"), d["issuer"].update(id=issuer))
    )
    signed = create_proof(
        unsigned, key, verification_method=f"{issuer}#{key.public_key_multibase}", created=DAY
    )
    report = Verifier(keys=KeyResolver(), at=LATER).verify(signed)
    assert report.code("signature") == "ok"
    assert report.code("issuer-key") == "unconfirmed"
    assert report.status == "verified"
    assert verdict(report) == "Verified, but the signing key is not confirmed by the issuer"


def test_official_ob_vector_verifies():
    """The 1EdTech OB 3.0 implementation guide's signed credential."""
    from support import REPO

    vector = json.loads((REPO / "tests/vectors/ob-v3p0-eddsa-rdfc-2022.json").read_text())
    report = Verifier(keys=KeyResolver(), at=LATER).verify(vector["expected"]["signedDocument"])
    assert report.code("signature") == "ok", report_json(report)
    assert report.code("format") == "ok"
    assert report.status == "verified", report_json(report)


def test_retired_key_proofs_after_retirement_fail_but_earlier_ones_pass(issued):
    root, doc = issued
    from credstack.registry.keys import retire_key

    retire_key(
        Registry(root).program, root, "test-key", at=DAY + timedelta(days=10), reason="rotated"
    )
    assert verify(root, doc).status == "verified", "signed before retirement"
    late = create_proof(
        tampered(doc, lambda d: d.pop("proof")),
        SigningKey.from_seed(bytes(range(32))),
        verification_method=doc["proof"][0]["verificationMethod"],
        created=DAY + timedelta(days=11),
    )
    report = verify(root, late)
    assert report.status == "invalid"
    assert report.code("key-valid") == "retired"


def test_expired_and_not_yet_valid(root):
    aid = expiring_micro(Registry(root).program)
    doc = award_with_prerequisites(
        root, aid, name="Old", email="old@example.org", when=date("2020-01-01"), signed_at=DAY
    ).credential
    report = verify(root, doc, at=date("2040-01-01"))
    assert report.status == "expired"
    assert verdict(report).startswith("Verified, but expired on")
    assert not report.ok
    early = verify(root, doc, at=date("2019-06-01"))
    assert early.status == "invalid"
    assert early.code("validity") == "not-yet-valid"


def test_certification_components_are_checked(root):
    plans = earn_certification(root, name="Dee", email="dee@example.org", start=DAY)
    cert = plans[-1].awarded[0].credential
    report = verify(root, cert, at=LATER)
    assert report.code("components") == "ok", report_json(report)
    assert report.status == "verified"


def test_report_json_is_machine_readable(issued):
    root, doc = issued
    data = report_json(verify(root, doc))
    assert json.loads(json.dumps(data))["status"] == "verified"
    assert [c["id"] for c in data["checks"]][:2] == ["format", "signature"]
    assert data["checks"][1]["code"] == "ok" and data["reportVersion"] == 1


def test_rejects_proof_dated_in_the_future(issued):
    root, doc = issued
    future = create_proof(
        tampered(doc, lambda d: d.pop("proof")),
        SigningKey.from_seed(bytes(range(32))),
        verification_method=doc["proof"][0]["verificationMethod"],
        created=LATER + timedelta(days=2),
    )
    report = verify(root, future)
    assert report.status == "invalid"
    assert report.code("key-valid") == "future"


def test_unsupported_status_type_is_could_not_be_checked(issued):
    root, doc = issued
    legacy = tampered(
        doc,
        lambda d: (
            d.pop("proof"),
            d.update(
                credentialStatus={
                    "id": "https://northwind-lab.github.io/credentials/revocations.json",
                    "type": "https://status.example/UnknownStatus2030",
                }
            ),
        ),
    )
    signed = create_proof(
        legacy,
        SigningKey.from_seed(bytes(range(32))),
        verification_method=doc["proof"][0]["verificationMethod"],
        created=DAY,
    )
    report = verify(root, signed)
    assert report.code("signature") == "ok"
    assert report.code("status") == "unsupported"
    assert "UnknownStatus2030 is not supported" in message(report.check("status"))
    assert report.status == "error"
