"""eddsa-rdfc-2022 Data Integrity proofs: official vectors, tampering, malformed proofs."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from credstack.crypto.keys import SigningKey, base58btc_encode, decode_multikey_public
from credstack.crypto.proof import (
    ACCEPTED_SUITES,
    SUITE,
    DataIntegrityProof,
    create_proof,
    format_datetime,
    parse_datetime,
    proof_hashes,
    split_proof,
    verify_proof,
)
from credstack.errors import CanonicalizationError, ProofError, SigningKeyError

from .conftest import load_vector

W3C = load_vector("eddsa-rdfc-2022.json")
W3C_KEY = SigningKey.from_multibase_secret(W3C["keyPair"]["secretKeyMultibase"])
W3C_PUBLIC = decode_multikey_public(W3C["keyPair"]["publicKeyMultibase"])
CHANGED = "the content has changed since it was signed"
VM = "https://example.edu/issuers/565049#key-1"
WHEN = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def signed_proof(document: dict[str, Any]) -> dict[str, Any]:
    proof = document["proof"]
    return proof[0] if isinstance(proof, list) else proof


# --- official vectors -----------------------------------------------------------------------


def _vectors(example_loader):
    ob = load_vector("ob-v3p0-eddsa-rdfc-2022.json")
    ob_key = SigningKey.from_seed(bytes.fromhex(ob["keyPair"]["seedHex"]))
    return {
        "B.1": (W3C["cases"][0], W3C_KEY, example_loader),
        "B.2": (W3C["cases"][1], W3C_KEY, example_loader),
        "OB 3.0": (ob, ob_key, None),
    }


@pytest.mark.parametrize("name", ["B.1", "B.2", "OB 3.0"])
def test_vector_canonical_forms_and_hashes(name, example_loader):
    vector, _, loader = _vectors(example_loader)[name]
    expected = vector["expected"]
    hashes = proof_hashes(
        vector["unsignedDocument"], vector["proofOptions"], document_loader=loader
    )
    assert hashes.canonical_document == expected["canonicalDocument"]
    assert hashes.canonical_proof_config == expected["canonicalProofConfig"]
    assert hashes.document_hash.hex() == expected["documentHashHex"]
    assert hashes.proof_config_hash.hex() == expected["proofConfigHashHex"]
    assert hashes.hash_data.hex() == expected["hashDataHex"]


@pytest.mark.parametrize("name", ["B.1", "B.2", "OB 3.0"])
def test_vector_signature_and_proof_value(name, example_loader):
    vector, key, loader = _vectors(example_loader)[name]
    expected = vector["expected"]
    hashes = proof_hashes(
        vector["unsignedDocument"], vector["proofOptions"], document_loader=loader
    )
    signature = key.sign(hashes.hash_data)
    assert signature.hex() == expected["signatureHex"]
    assert "z" + base58btc_encode(signature) == expected["proofValue"]


@pytest.mark.parametrize("name", ["B.1", "B.2", "OB 3.0"])
def test_create_proof_reproduces_the_vector(name, example_loader):
    vector, key, loader = _vectors(example_loader)[name]
    options = vector["proofOptions"]
    signed = create_proof(
        vector["unsignedDocument"],
        key,
        verification_method=options["verificationMethod"],
        created=parse_datetime(options["created"], "created"),
        document_loader=loader,
    )
    expected = vector["expected"]["signedDocument"]
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 1
    assert signed["proof"][0] == signed_proof(expected)
    assert {k: v for k, v in signed.items() if k != "proof"} == {
        k: v for k, v in expected.items() if k != "proof"
    }


@pytest.mark.parametrize("name", ["B.1", "B.2", "OB 3.0"])
def test_verify_proof_accepts_the_vector(name, example_loader):
    vector, key, loader = _vectors(example_loader)[name]
    proof = verify_proof(
        vector["expected"]["signedDocument"], key.public_key, document_loader=loader
    )
    assert proof.cryptosuite == SUITE
    assert proof.proof_value == vector["expected"]["proofValue"]
    assert proof.created == parse_datetime(vector["proofOptions"]["created"], "created")
    assert proof.verification_method == vector["proofOptions"]["verificationMethod"]


@pytest.mark.parametrize("name", ["B.1", "B.2", "OB 3.0"])
def test_verify_proof_accepts_proof_as_one_element_array(name, example_loader):
    vector, key, loader = _vectors(example_loader)[name]
    document = copy.deepcopy(vector["expected"]["signedDocument"])
    document["proof"] = [document["proof"]]
    verify_proof(document, key.public_key, document_loader=loader)


def test_eddsa_jcs_2022_vector_is_refused_with_a_clear_reason():
    jcs = load_vector("eddsa-jcs-2022.json")["cases"][0]["expected"]["signedDocument"]
    with pytest.raises(ProofError, match="eddsa-jcs-2022") as caught:
        verify_proof(jcs, W3C_PUBLIC)
    assert "not part of Open Badges 3.0" in caught.value.hint


# --- tampering with the OB 3.0 vector -------------------------------------------------------

OBJECTS = {
    "credential": (),
    "issuer": ("issuer",),
    "credential_subject": ("credentialSubject",),
    "achievement": ("credentialSubject", "achievement"),
    "criteria": ("credentialSubject", "achievement", "criteria"),
    "proof": ("proof",),
}


def _add_property(document: dict[str, Any], where: str, key: str, value: Any) -> str:
    target = document
    for part in OBJECTS[where]:
        target = target[part]
    target[key] = value
    return "$" + "".join(f".{part}" for part in OBJECTS[where]) + f".{key}"


def _assert_unsigned_property_rejected(ob_signed, ob_key, where):
    # An undefined term would vanish from the canonical form: refused outright, path named.
    document = copy.deepcopy(ob_signed)
    path = _add_property(document, where, "grade", "A+")
    with pytest.raises(CanonicalizationError, match="not defined by any @context") as caught:
        verify_proof(document, ob_key.public_key)
    assert path in str(caught.value)
    # A full IRI is a real statement: it is signed, so adding one breaks the signature.
    document = copy.deepcopy(ob_signed)
    _add_property(document, where, "https://example.org/grade", "A+")
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(document, ob_key.public_key)
    # The untouched credential still verifies: the failures above are the edits.
    verify_proof(ob_signed, ob_key.public_key)


def test_rejects_unsigned_property_added_to_credential(ob_signed, ob_key):
    _assert_unsigned_property_rejected(ob_signed, ob_key, "credential")


def test_rejects_unsigned_property_added_to_issuer(ob_signed, ob_key):
    _assert_unsigned_property_rejected(ob_signed, ob_key, "issuer")


def test_rejects_unsigned_property_added_to_credential_subject(ob_signed, ob_key):
    _assert_unsigned_property_rejected(ob_signed, ob_key, "credential_subject")


def test_rejects_unsigned_property_added_to_achievement(ob_signed, ob_key):
    _assert_unsigned_property_rejected(ob_signed, ob_key, "achievement")


def test_rejects_unsigned_property_added_to_criteria(ob_signed, ob_key):
    _assert_unsigned_property_rejected(ob_signed, ob_key, "criteria")


def test_rejects_unsigned_property_added_to_proof(ob_signed, ob_key):
    _assert_unsigned_property_rejected(ob_signed, ob_key, "proof")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("domain", "example.org"),
        ("challenge", "1234"),
        ("nonce", "abc"),
        ("expires", "2030-01-01T00:00:00Z"),
        ("id", "urn:uuid:5b3d0a8e-1f1a-4d3c-9a7e-000000000001"),
    ],
)
def test_rejects_defined_proof_option_added_after_signing(ob_signed, ob_key, key, value):
    ob_signed["proof"][key] = value
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(ob_signed, ob_key.public_key)


def test_rejects_subject_swapped_after_signing(ob_signed, ob_key):
    ob_signed["credentialSubject"]["id"] = "did:example:someone-else"
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(ob_signed, ob_key.public_key)


def test_rejects_achievement_name_changed(ob_signed, ob_key):
    ob_signed["credentialSubject"]["achievement"]["name"] = "Leadership"
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(ob_signed, ob_key.public_key)


def test_rejects_signed_value_removed(ob_signed, ob_key):
    del ob_signed["credentialSubject"]["achievement"]["description"]
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(ob_signed, ob_key.public_key)


def test_rejects_created_changed(ob_signed, ob_key):
    ob_signed["proof"]["created"] = "2010-01-01T19:23:25Z"
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(ob_signed, ob_key.public_key)


def test_rejects_context_changed(ob_signed, ob_key):
    # OB 3.0.2 maps "achievement" to another IRI: same JSON, different statements.
    ob_signed["@context"][1] = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(ob_signed, ob_key.public_key)


def test_rejects_context_removed(ob_signed, ob_key):
    ob_signed["@context"] = ob_signed["@context"][:1]
    with pytest.raises(CanonicalizationError):
        verify_proof(ob_signed, ob_key.public_key)


def test_rejects_proof_context_that_is_not_the_documents(ob_signed, ob_key):
    ob_signed["proof"]["@context"] = ["https://www.w3.org/ns/credentials/v2", "urn:other"]
    with pytest.raises(ProofError, match="proof's @context is not the start"):
        verify_proof(ob_signed, ob_key.public_key)


def test_accepts_proof_context_that_starts_the_documents(ob_signed, ob_key):
    # vc-di-eddsa 3.2.5 step 4 reads the proof with the document's @context either way.
    ob_signed["proof"]["@context"] = ob_signed["@context"][:1]
    verify_proof(ob_signed, ob_key.public_key)


def test_rejects_relative_iri(ob_signed, ob_key):
    ob_signed["credentialSubject"]["achievement"]["id"] = "achievements/teamwork"
    with pytest.raises(CanonicalizationError, match="relative IRI") as caught:
        verify_proof(ob_signed, ob_key.public_key)
    assert "$.credentialSubject.achievement.id" in str(caught.value)


def test_rejects_unknown_context_url(ob_signed, ob_key):
    ob_signed["@context"].append("https://evil.example/context.jsonld")
    with pytest.raises(CanonicalizationError, match="unknown JSON-LD context") as caught:
        verify_proof(ob_signed, ob_key.public_key)
    assert "https://www.w3.org/ns/credentials/v2" in caught.value.hint


def test_rejects_control_character_added_to_text(ob_signed, ob_key):
    criteria = ob_signed["credentialSubject"]["achievement"]["criteria"]
    criteria["narrative"] = criteria["narrative"] + "\x07"
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(ob_signed, ob_key.public_key)


def test_rejects_flipped_signature_bit(ob_signed, ob_key):
    signature = bytearray(DataIntegrityProof.from_json(ob_signed["proof"]).signature)
    signature[0] ^= 1
    ob_signed["proof"]["proofValue"] = "z" + base58btc_encode(bytes(signature))
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(ob_signed, ob_key.public_key)


def _string_edits(value: Any, path: tuple[Any, ...] = ()):
    """Every one-character edit (first, middle, last) of every key and string value."""
    if isinstance(value, dict):
        for key, item in value.items():
            for position in {0, len(key) // 2, len(key) - 1}:
                yield ("key", (*path, key), position)
            yield from _string_edits(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _string_edits(item, (*path, i))
    elif isinstance(value, str):
        for position in {0, len(value) // 2, len(value) - 1}:
            yield ("value", path, position)


def _apply_edit(document: dict[str, Any], kind: str, path: tuple[Any, ...], position: int):
    def changed(text: str) -> str:
        replacement = "X" if text[position] != "X" else "Y"
        return text[:position] + replacement + text[position + 1 :]

    parent = document
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if kind == "key":
        parent[changed(last)] = parent.pop(last)
    else:
        parent[last] = changed(parent[last])


@pytest.mark.parametrize("name", ["B.1", "B.2", "OB 3.0"])
def test_rejects_any_one_character_change(name, example_loader):
    vector, key, loader = _vectors(example_loader)[name]
    signed = vector["expected"]["signedDocument"]
    verify_proof(signed, key.public_key, document_loader=loader)
    edits = list(_string_edits(signed))
    assert len(edits) > 60
    for kind, path, position in edits:
        document = copy.deepcopy(signed)
        _apply_edit(document, kind, path, position)
        with pytest.raises((ProofError, CanonicalizationError)):
            verify_proof(document, key.public_key, document_loader=loader)
            pytest.fail(f"verified after changing {kind} at {path} position {position}")


def test_rejects_property_added_under_a_vocab_context(example_loader):
    # The W3C examples context has "@vocab": an undefined term is not dropped but mapped to
    # https://www.w3.org/ns/credentials/examples#<term>, a new statement: the signature breaks.
    signed = copy.deepcopy(W3C["cases"][0]["expected"]["signedDocument"])
    signed["credentialSubject"]["graduationYear"] = "2020"
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(signed, W3C_PUBLIC, document_loader=example_loader)


# --- keys -----------------------------------------------------------------------------------


def test_rejects_another_issuers_key(ob_signed):
    other = SigningKey.generate()
    # The OB verification method spells its key (#z6Mk...), so the mismatch is named.
    with pytest.raises(ProofError, match="made with the key z6Mkj"):
        verify_proof(ob_signed, other.public_key)


def test_rejects_wrong_key_for_an_opaque_method_id(test_key, ob_vector):
    signed = create_proof(
        ob_vector["unsignedDocument"], test_key, verification_method=VM, created=WHEN
    )
    with pytest.raises(ProofError, match=CHANGED):
        verify_proof(signed, SigningKey.generate().public_key)


@pytest.mark.parametrize("public_key", [b"", bytes(31), "z6Mk", None])
def test_verify_refuses_a_malformed_public_key(ob_signed, public_key):
    with pytest.raises(SigningKeyError, match="32 bytes"):
        verify_proof(ob_signed, public_key)  # type: ignore[arg-type]


# --- create_proof ---------------------------------------------------------------------------


def test_create_proof_signs_and_verifies_with_the_test_key(test_key, ob_vector):
    signed = create_proof(
        ob_vector["unsignedDocument"], test_key, verification_method=VM, created=WHEN
    )
    proof = verify_proof(signed, test_key.public_key)
    assert proof == DataIntegrityProof.from_json(signed["proof"][0])
    assert signed["proof"][0] == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-03-01T09:00:00Z",
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
        "proofValue": signed["proof"][0]["proofValue"],
    }


def test_create_proof_is_deterministic(test_key, ob_vector):
    document = ob_vector["unsignedDocument"]
    first = create_proof(document, test_key, verification_method=VM, created=WHEN)
    second = create_proof(document, test_key, verification_method=VM, created=WHEN)
    assert first == second


def test_create_proof_leaves_its_input_untouched(test_key, ob_vector):
    document = ob_vector["unsignedDocument"]
    before = copy.deepcopy(document)
    signed = create_proof(document, test_key, verification_method=VM, created=WHEN)
    assert document == before
    assert "proof" not in document
    signed["issuer"]["name"] = "changed"
    assert document["issuer"]["name"] == before["issuer"]["name"]


def test_create_proof_writes_created_in_utc_to_the_second(test_key, ob_vector):
    moment = datetime(2025, 3, 1, 11, 0, 7, 987654, tzinfo=timezone(timedelta(hours=2)))
    signed = create_proof(
        ob_vector["unsignedDocument"], test_key, verification_method=VM, created=moment
    )
    assert signed["proof"][0]["created"] == "2025-03-01T09:00:07Z"


def test_create_proof_needs_an_aware_datetime(test_key, ob_vector):
    with pytest.raises(ProofError, match="no time zone"):
        create_proof(
            ob_vector["unsignedDocument"],
            test_key,
            verification_method=VM,
            created=datetime(2025, 3, 1),  # naive on purpose
        )


def test_create_proof_refuses_a_document_that_has_a_proof(test_key, ob_signed):
    with pytest.raises(ProofError, match="already has a proof"):
        create_proof(ob_signed, test_key, verification_method=VM, created=WHEN)


@pytest.mark.parametrize("method", ["key-1", "#key-1", "", "https://example.org/a b"])
def test_create_proof_refuses_a_relative_verification_method(test_key, ob_vector, method):
    with pytest.raises(ProofError, match="not an absolute IRI"):
        create_proof(
            ob_vector["unsignedDocument"], test_key, verification_method=method, created=WHEN
        )


def test_create_proof_refuses_a_method_naming_another_key(test_key, ob_vector):
    method = ob_vector["proofOptions"]["verificationMethod"]  # '#z6Mkj...' of the OB key
    with pytest.raises(SigningKeyError, match="names the key z6Mkj"):
        create_proof(
            ob_vector["unsignedDocument"], test_key, verification_method=method, created=WHEN
        )


def test_create_proof_refuses_undefined_terms(test_key, ob_vector):
    ob_vector["unsignedDocument"]["credentialSubject"]["grade"] = "A"
    with pytest.raises(CanonicalizationError, match=r"\$\.credentialSubject\.grade"):
        create_proof(ob_vector["unsignedDocument"], test_key, verification_method=VM, created=WHEN)


def test_create_proof_refuses_control_characters_older_verifiers_read_differently(
    test_key, ob_vector
):
    ob_vector["unsignedDocument"]["name"] = "Team\x0cwork"
    with pytest.raises(CanonicalizationError, match="U\\+000C") as caught:
        create_proof(ob_vector["unsignedDocument"], test_key, verification_method=VM, created=WHEN)
    assert str(caught.value).startswith("$.name:")


def test_create_proof_signs_newlines_and_tabs(test_key, ob_vector):
    criteria = ob_vector["unsignedDocument"]["credentialSubject"]["achievement"]["criteria"]
    criteria["narrative"] = "Steps:\n\t1. Read\r\n\t2. Write"
    signed = create_proof(
        ob_vector["unsignedDocument"], test_key, verification_method=VM, created=WHEN
    )
    verify_proof(signed, test_key.public_key)


def test_other_proof_purposes_verify_only_when_expected(test_key, ob_vector):
    signed = create_proof(
        ob_vector["unsignedDocument"],
        test_key,
        verification_method=VM,
        created=WHEN,
        proof_purpose="authentication",
    )
    with pytest.raises(ProofError, match="expected 'assertionMethod'"):
        verify_proof(signed, test_key.public_key)
    verify_proof(signed, test_key.public_key, expected_purpose="authentication")


def test_accepts_the_older_suite_name_eddsa_2022(test_key, ob_vector):
    assert "eddsa-2022" in ACCEPTED_SUITES
    document = ob_vector["unsignedDocument"]
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
    }
    signature = test_key.sign(proof_hashes(document, options).hash_data)
    signed = {**document, "proof": [{**options, "proofValue": "z" + base58btc_encode(signature)}]}
    assert verify_proof(signed, test_key.public_key).cryptosuite == "eddsa-2022"


# --- split_proof and malformed proofs -------------------------------------------------------


def test_split_proof_returns_unsecured_document_and_proof(ob_signed):
    unsecured, proof = split_proof(ob_signed)
    assert "proof" not in unsecured
    assert proof == ob_signed["proof"]
    unsecured["name"] = "changed"
    proof["created"] = "changed"
    assert ob_signed["name"] == "Teamwork Badge"
    assert ob_signed["proof"]["created"] == "2010-01-01T19:23:24Z"


def test_split_proof_refuses_an_unsigned_document(ob_vector):
    with pytest.raises(ProofError, match="has no proof") as caught:
        split_proof(ob_vector["unsignedDocument"])
    assert caught.value.hint


def test_split_proof_refuses_an_empty_proof_array(ob_signed):
    ob_signed["proof"] = []
    with pytest.raises(ProofError, match="proof array is empty"):
        split_proof(ob_signed)


def test_split_proof_refuses_proof_sets(ob_signed):
    ob_signed["proof"] = [ob_signed["proof"], ob_signed["proof"]]
    with pytest.raises(ProofError, match="2 proofs") as caught:
        split_proof(ob_signed)
    assert "proof sets" in caught.value.hint


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("type", "Ed25519Signature2020", "proof type is 'Ed25519Signature2020'"),
        ("cryptosuite", "ecdsa-rdfc-2019", "cryptosuite 'ecdsa-rdfc-2019'"),
        ("cryptosuite", "eddsa-jcs-2022", "cryptosuite 'eddsa-jcs-2022'"),
        ("proofPurpose", "authentication", "proof purpose is 'authentication'"),
        ("proofValue", "u" + "A" * 86, "must start with 'z'"),
        ("proofValue", "z0OIl", "not valid base58btc"),
        ("proofValue", "z" + base58btc_encode(bytes(62) + b"\1"), "holds 63 bytes"),
        ("proofValue", "z" + base58btc_encode(b"\1" + bytes(64)), "holds 65 bytes"),
        ("created", "2010-01-01T19:23:24", "with a time zone"),
        ("created", "2010-01-01 19:23:24Z", "with a time zone"),
        ("created", "2010-13-01T19:23:24Z", "not a valid date"),
        ("created", 1262373804, "must be a string"),
        ("verificationMethod", "#key-1", "not an absolute IRI"),
        ("verificationMethod", ["https://example.org/#k"], "must be a string"),
        ("expires", "tomorrow", "with a time zone"),
    ],
)
def test_split_proof_refuses_malformed_proofs(ob_signed, field, value, fragment):
    ob_signed["proof"][field] = value
    with pytest.raises(ProofError, match=fragment) as caught:
        split_proof(ob_signed)
    assert caught.value.hint


@pytest.mark.parametrize(
    "field", ["type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"]
)
def test_split_proof_refuses_missing_fields(ob_signed, field):
    del ob_signed["proof"][field]
    with pytest.raises(ProofError, match=f"has no {field}"):
        split_proof(ob_signed)


@pytest.mark.parametrize("proof", ["z5x9aC", 42, None, [["nested"]]])
def test_split_proof_refuses_a_proof_that_is_not_an_object(ob_signed, proof):
    ob_signed["proof"] = proof
    with pytest.raises(ProofError, match="must be a JSON object"):
        split_proof(ob_signed)


def test_split_proof_refuses_a_non_object_document():
    with pytest.raises(ProofError, match="is a JSON object"):
        split_proof([])  # type: ignore[arg-type]


# --- DataIntegrityProof and dates -----------------------------------------------------------


def test_data_integrity_proof_round_trips_json(ob_signed):
    proof = DataIntegrityProof.from_json(ob_signed["proof"])
    assert proof.to_json() == ob_signed["proof"]
    assert len(proof.signature) == 64
    assert proof.expires is None


def test_data_integrity_proof_keeps_expires(ob_signed):
    ob_signed["proof"]["expires"] = "2030-01-01T00:00:00+01:00"
    proof = DataIntegrityProof.from_json(ob_signed["proof"])
    assert proof.expires == datetime(2029, 12, 31, 23, 0, tzinfo=UTC)
    assert proof.to_json()["expires"] == "2029-12-31T23:00:00Z"


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2010-01-01T19:23:24Z", datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)),
        ("2010-01-01T19:23:24.5Z", datetime(2010, 1, 1, 19, 23, 24, 500000, tzinfo=UTC)),
        ("2010-01-01T19:23:24.123456789Z", datetime(2010, 1, 1, 19, 23, 24, 123456, tzinfo=UTC)),
        ("2010-01-01T21:23:24+02:00", datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)),
    ],
)
def test_parse_datetime_reads_xml_schema_date_time_stamps(text, moment):
    assert parse_datetime(text, "created") == moment


def test_format_datetime_refuses_naive_values():
    with pytest.raises(ProofError, match="no time zone"):
        format_datetime(datetime(2025, 1, 1))  # naive on purpose


def test_proof_hashes_refuses_options_of_another_suite(ob_vector):
    options = {**ob_vector["proofOptions"], "cryptosuite": "ecdsa-rdfc-2019"}
    with pytest.raises(ProofError, match="ecdsa-rdfc-2019"):
        proof_hashes(ob_vector["unsignedDocument"], options)


def test_proof_hashes_refuses_options_with_a_proof_value(ob_vector):
    options = {**ob_vector["proofOptions"], "proofValue": "z1"}
    with pytest.raises(ProofError, match="contain a proofValue"):
        proof_hashes(ob_vector["unsignedDocument"], options)
