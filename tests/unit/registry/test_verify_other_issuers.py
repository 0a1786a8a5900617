"""Other issuers' credentials through the one verifier: proof sets, suites, VC-JWT, key validity,
status lists of every kind and the rule on who may issue them, CLR embedded credentials.

The credentials are made here by test-only issuers (tests/signers.py), so every answer is known;
the third-party corpus (test_corpus_verdicts.py) checks the same rules on real files.
"""

from __future__ import annotations

import copy
import json

import pytest

from credstack.model.status import parse_datetime
from credstack.model.wording import message, verdict
from credstack.registry.verifier import OwnIssuer, Verifier
from credstack.registry.verify import read_target, registry_verifier
from signers import Ed25519Issuer, P256Issuer, badge, entry, status_list

AT = parse_datetime("2026-01-01T00:00:00Z")
ODI = Ed25519Issuer(31)
OTHER = Ed25519Issuer(32)
EC = P256Issuer(33)
LIST = "https://odi.example/status/1"


def verify(doc, *, lists=None, dids=(), own=None) -> object:
    verifier = registry_verifier(None, at=AT, now=AT, did_documents=dids, status_lists=lists or {})
    if own is not None:
        verifier = Verifier(keys=verifier.keys, at=AT, now=AT, status_lists=lists or {}, own=own)
    return verifier.verify(doc, "test")


def codes(report) -> dict[str, str]:
    return {c.id: c.code for c in report.checks}


# --- proof sets --------------------------------------------------------------------------------


def test_every_proof_of_a_proof_set_verifies_and_each_is_listed():
    doc = EC.sign(ODI.sign(badge(ODI.did)))
    # Two proofs, each by a different key: the P-256 one is not the issuer's.
    report = verify(doc)
    assert (report.status, report.code("issuer-key")) == ("invalid", "not-issuer")
    both = ODI.sign(ODI.sign(badge(ODI.did)))
    report = verify(both)
    assert report.status == "verified"
    signature = report.check("signature")
    assert [p["code"] for p in signature.params["proofs"]] == ["ok", "ok"]
    assert message(signature) == "2 proofs verify (eddsa-rdfc-2022)"


def test_one_bad_proof_among_good_ones_makes_the_credential_invalid():
    doc = ODI.sign(ODI.sign(badge(ODI.did)), created=AT)
    doc["proof"][1]["proofValue"] = doc["proof"][0]["proofValue"]
    report = verify(doc)
    assert (report.status, report.code("signature")) == ("invalid", "mismatch")
    assert [p["code"] for p in report.check("signature").params["proofs"]] == ["ok", "mismatch"]


def test_an_unsupported_proof_is_reported_never_a_pass():
    other = {"type": "BbsBlsSignature2020", "proofPurpose": "assertionMethod", "proofValue": "x"}
    signed = ODI.sign(badge(ODI.did))
    mixed = {**signed, "proof": [other, *signed["proof"]]}
    report = verify(mixed)
    assert report.status == "verified"
    assert report.check("signature").params["unsupported"] == ["BbsBlsSignature2020"]
    assert "not checked: a proof of BbsBlsSignature2020" in message(report.check("signature"))
    alone = {**signed, "proof": [other]}
    report = verify(alone)
    assert (report.status, report.code("signature")) == ("error", "unsupported-suite")


def test_a_proof_whose_key_cannot_be_had_leaves_the_credential_unverified():
    doc = ODI.sign(badge(ODI.did))
    doc["proof"].append({**doc["proof"][0], "verificationMethod": "did:web:odi.example#key-1"})
    report = verify(doc)
    assert (report.status, report.code("issuer-key")) == ("error", "unresolvable")


def test_the_worst_proof_decides_a_failure_before_an_error():
    doc = ODI.sign(badge(ODI.did))
    unknown = {**doc["proof"][0], "verificationMethod": "did:web:odi.example#key-1"}
    value = doc["proof"][0]["proofValue"]
    broken = {
        **doc["proof"][0],
        "proofValue": value[:-3] + ("2" if value[-3] != "2" else "3") + value[-2:],
    }
    report = verify({**doc, "proof": [unknown, broken]})
    assert (report.status, report.code("signature")) == ("invalid", "mismatch")


def test_impersonation_is_judged_per_proof():
    own = OwnIssuer("did:web:lab.example", "https://lab.example/", "Northwind Lab")
    doc = badge(ODI.did)
    doc["issuer"]["name"] = "Northwind Lab"
    report = verify(ODI.sign(doc), own=own)
    assert report.code("issuer-key") == "impersonation"


# --- suites and keys ---------------------------------------------------------------------------


def test_ecdsa_p256_did_key_credential_verifies_and_a_change_fails():
    doc = EC.sign(badge(EC.did))
    assert verify(doc).status == "verified"
    changed = copy.deepcopy(doc)
    changed["name"] = "Open Data Expert"
    assert verify(changed).code("signature") == "mismatch"


@pytest.mark.parametrize("issuer", [ODI, EC], ids=["EdDSA", "ES256"])
def test_a_vc_jwt_file_verifies_through_the_same_checks(issuer, tmp_path):
    credential = badge(issuer.did)
    path = tmp_path / "badge.jwt"
    path.write_text(issuer.jwt(credential, jti=credential["id"], sub="did:example:learner-1"))
    token = read_target(path)
    assert isinstance(token, str)
    report = verify(token)
    assert report.status == "verified", codes(report)
    assert report.check("signature").params["suite"] == "VC-JWT"
    assert report.credential_id == credential["id"]
    header, payload, signature = token.split(".")
    forged = json.loads(__import__("base64").urlsafe_b64decode(payload + "=="))
    forged["name"] = "Open Data Expert"
    from signers import b64

    tampered = f"{header}.{b64(json.dumps(forged).encode())}.{signature}"
    assert verify(tampered).code("signature") == "mismatch"
    wrong_sub = issuer.jwt(credential, jti=credential["id"], sub="did:example:someone-else")
    assert verify(wrong_sub).code("signature") == "claims-mismatch"


def test_the_format_of_a_vc_jwt_is_checked_on_the_credential_it_carries():
    credential = badge(ODI.did)
    del credential["credentialSubject"]["achievement"]
    report = verify(ODI.jwt(credential, jti=credential["id"]))
    assert (report.status, report.code("format")) == ("invalid", "subject")


def test_a_proof_without_date_fails_only_when_the_key_is_limited_in_time():
    doc = ODI.sign(badge(ODI.did))
    del doc["proof"][0]["created"]
    # did:key: no limits, an undated proof is fine ...
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    from credstack.crypto.proof import create_proof

    undated = create_proof(unsigned, ODI.key, verification_method=ODI.method, created=AT)
    del undated["proof"][0]["created"]  # now the signature no longer matches
    assert verify(undated).code("signature") == "mismatch"
    did = "did:web:odi.example"
    document = {
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#k",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": ODI.did[8:],
                "created": "2024-01-01T00:00:00Z",
            }
        ],
        "assertionMethod": [f"{did}#k"],
    }
    # A proof made without `created` (the signer hashed no date), by a key valid from 2024.
    from credstack.crypto import proof as proofs

    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "verificationMethod": f"{did}#k",
        "proofPurpose": "assertionMethod",
    }
    credential = badge(did)
    hashed = proofs.rdfc_hashes(copy.deepcopy(credential), options)
    from credstack.crypto.keys import base58btc_encode

    signed = {
        **credential,
        "proof": [
            {**options, "proofValue": "z" + base58btc_encode(ODI.key.sign(hashed.hash_data))}
        ],
    }
    report = verify(signed, dids=[document])
    assert (report.status, report.code("key-valid")) == ("invalid", "undated")
    no_limits = copy.deepcopy(document)
    del no_limits["verificationMethod"][0]["created"]
    assert verify(signed, dids=[no_limits]).status == "verified"


# --- status lists ------------------------------------------------------------------------------


def test_a_list_of_another_issuer_counts_but_not_revoked_is_only_a_warning():
    doc = ODI.sign(badge(ODI.did, credentialStatus=entry(LIST, 5)))
    clear = OTHER.sign(status_list(OTHER.did, LIST))
    report = verify(doc, lists={LIST: clear})
    assert (report.status, report.code("status")) == ("verified", "unconfirmed")
    assert report.check("status").params["listIssuer"] == OTHER.did
    assert verdict(report) == (
        "Verified, but the revocation status comes from a list the issuer did not sign"
    )
    revoked = OTHER.sign(status_list(OTHER.did, LIST, revoked=(5,)))
    assert verify(doc, lists={LIST: revoked}).status == "revoked"
    own = ODI.sign(status_list(ODI.did, LIST))
    assert verify(doc, lists={LIST: own}).code("status") == "ok"


WEB = "did:web:odi.example"
WEB_DOCUMENT = {
    "id": WEB,
    "verificationMethod": [
        {"id": f"{WEB}#k", "type": "Multikey", "controller": WEB, "publicKeyMultibase": ODI.did[8:]}
    ],
    "assertionMethod": [f"{WEB}#k"],
}


def web_signed(doc):
    """``doc`` signed by the did:web issuer (whose key is ODI's)."""
    from credstack.crypto.proof import create_proof

    return create_proof(doc, ODI.key, verification_method=f"{WEB}#k", created=AT)


def test_a_list_signed_with_the_credentials_key_under_another_name_is_confirmed():
    doc = web_signed(badge(WEB, credentialStatus=entry(LIST, 5)))
    listed = ODI.sign(status_list(ODI.did, LIST))  # the same key, as a did:key
    report = verify(doc, lists={LIST: listed}, dids=[WEB_DOCUMENT])
    assert (report.status, report.code("status")) == ("verified", "ok")


def test_other_issuers_lists_may_be_short_or_served_elsewhere_but_not_credstacks_own():
    doc = web_signed(badge(WEB, credentialStatus=entry(LIST, 5)))
    moved = web_signed(status_list(WEB, LIST, bits=100_000, list_id="https://old.example/1"))
    report = verify(doc, lists={LIST: moved}, dids=[WEB_DOCUMENT])
    assert (report.status, report.code("status")) == ("verified", "ok")
    assert report.check("status").params == {"listId": "https://old.example/1", "bits": 100_000}
    revoked = web_signed(status_list(WEB, LIST, bits=100_000, revoked=(5,)))
    assert verify(doc, lists={LIST: revoked}, dids=[WEB_DOCUMENT]).status == "revoked"
    beyond = web_signed(badge(WEB, credentialStatus=entry(LIST, 100_000)))
    assert verify(beyond, lists={LIST: moved}, dids=[WEB_DOCUMENT]).code("status") == "untrusted"
    # When the verifier runs for that issuer, its own rules hold: the list has the URL's id and
    # at least 131,072 bits.
    own = OwnIssuer(WEB, "https://odi.example/", "Open Data Institute (test)")
    strict = verify(doc, lists={LIST: moved}, dids=[WEB_DOCUMENT], own=own)
    assert (strict.status, strict.code("status")) == ("error", "untrusted")
    assert "not https://odi.example/status/1" in message(strict.check("status"))
    short = web_signed(status_list(WEB, LIST, bits=100_000))
    strict = verify(doc, lists={LIST: short}, dids=[WEB_DOCUMENT], own=own)
    assert (strict.code("status"), "minimum is 131072" in message(strict.check("status"))) == (
        "untrusted",
        True,
    )
    full = web_signed(status_list(WEB, LIST))
    assert verify(doc, lists={LIST: full}, dids=[WEB_DOCUMENT], own=own).status == "verified"


def test_status_list_2021_and_a_vc_jwt_list_are_read():
    legacy_entry = entry(LIST, 3, kind="StatusList2021Entry")
    contexts = [*badge(ODI.did)["@context"], "https://w3id.org/vc/status-list/2021/v1"]
    doc = ODI.sign(badge(ODI.did, credentialStatus=legacy_entry, **{"@context": contexts}))
    legacy = ODI.sign(status_list(ODI.did, LIST, kind="StatusList2021", revoked=(3,)))
    assert verify(doc, lists={LIST: legacy}).status == "revoked"
    bitstring = badge(ODI.did, credentialStatus=entry(LIST, 3))
    token = ODI.jwt(status_list(ODI.did, LIST), jti=LIST)
    assert verify(ODI.sign(bitstring), lists={LIST: token}).code("status") == "ok"
    # A list of the other mechanism at the entry's URL is not the list it names.
    assert verify(doc, lists={LIST: token}).code("status") == "untrusted"


def test_1edtech_revocation_lists_are_read_unsigned_as_served():
    url = "https://odi.example/revocations"
    status = {"id": url, "type": "1EdTechRevocationList"}
    doc = ODI.sign(
        badge(
            ODI.did,
            credentialStatus=status,
            **{
                "@context": [
                    *badge(ODI.did)["@context"],
                    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
                ]
            },
        )
    )
    listed = {"id": url, "revokedCredential": [{"id": doc["id"], "revocationReason": "error"}]}
    assert verify(doc, lists={url: listed}).status == "revoked"
    other = {"id": url, "revokedCredential": [{"id": "urn:uuid:someone-else"}]}
    report = verify(doc, lists={url: other})
    assert (report.status, report.code("status")) == ("verified", "unconfirmed")
    assert verdict(report) == "Verified, but the revocation list it names is not signed"
    assert verify(doc, lists={url: {"revokedCredential": "x"}}).code("status") == "untrusted"
    assert verify(doc).code("status") == "unavailable"


def test_several_status_entries_a_set_bit_anywhere_wins_and_a_missing_list_is_an_error():
    second = "https://odi.example/status/2"
    doc = ODI.sign(
        badge(
            ODI.did,
            credentialStatus=[entry(LIST, 5), entry(second, 7, purpose="suspension")],
        )
    )
    lists = {
        LIST: ODI.sign(status_list(ODI.did, LIST)),
        second: ODI.sign(status_list(ODI.did, second, purpose="suspension", revoked=(7,))),
    }
    assert verify(doc, lists=lists).status == "suspended"
    assert verify(doc, lists={LIST: lists[LIST]}).code("status") == "unavailable"
    revoked = {second: ODI.sign(status_list(ODI.did, LIST, revoked=(5,)))}
    only_first = {LIST: revoked[second]}
    assert verify(doc, lists=only_first).status == "revoked"  # the missing list cannot hide it


# --- CLR 2.0 -----------------------------------------------------------------------------------


def test_a_clr_reports_each_embedded_credential():
    good = ODI.sign(badge(ODI.did, "Data Steward"))
    bad = copy.deepcopy(ODI.sign(badge(ODI.did, "Data Engineer")))
    bad["name"] = "Data Architect"
    clr = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:c1c1c1c1-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": ODI.did, "type": ["Profile"], "name": "Open Data Institute (test)"},
        "validFrom": "2025-05-02T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["ClrSubject"],
            "verifiableCredential": [good, bad],
        },
    }
    report = verify(ODI.sign(clr))
    assert report.status == "verified"
    components = report.check("components")
    assert (components.code, components.params["kind"], components.params["count"]) == (
        "not-in-force",
        "embedded",
        2,
    )
    assert components.params["items"] == [
        {
            "name": "Data Architect",
            "status": "invalid",
            "reason": {"check": "signature", "code": "mismatch"},
        }
    ]
    assert message(components) == "embedded credential not verified: Data Architect (invalid)"
    clr["credentialSubject"]["verifiableCredential"] = [good]
    assert verify(ODI.sign(clr)).code("components") == "ok"
