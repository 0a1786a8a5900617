"""Every proof suite against its official vectors, both ways where we can sign, and one-byte
changes that must fail: Ed25519Signature2020, ecdsa-rdfc-2019 (P-256, P-384), eddsa-rdfc-2022
through the same entry point, VC-JWT (RS256, ES256, ES384, EdDSA)."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from credstack.crypto.jwt import verify_jwt
from credstack.crypto.keys import SigningKey, base58btc_decode, base58btc_encode
from credstack.crypto.methods import make_resolver
from credstack.crypto.proof import rdfc_hashes
from credstack.crypto.suites import CODES, verify_proofs

from .conftest import VECTORS, load_vector

W3C = VECTORS / "w3c"
RESOLVE = make_resolver()

# (directory, file suffix, hash)
RDFC_VECTORS = [
    ("ed25519-signature-2020", "EdSig", "sha256"),
    ("ecdsa-rdfc-2019-p256", "ECDSAP256", "sha256"),
    ("ecdsa-rdfc-2019-p256/employ", "ECDSAP256", "sha256"),
    ("ecdsa-rdfc-2019-p384", "ECDSAP384", "sha384"),
    ("ecdsa-rdfc-2019-p384/employ", "ECDSAP384", "sha384"),
]


def _read(directory: str, name: str) -> str:
    return (W3C / directory / name).read_text(encoding="utf-8")


def _signed(directory: str, suffix: str) -> dict:
    return json.loads(_read(directory, f"signed{suffix}.json"))


def _flip_base58(text: str, position: int) -> str:
    char = text[position]
    return text[:position] + ("2" if char != "2" else "3") + text[position + 1 :]


@pytest.mark.parametrize(("directory", "suffix", "hash_name"), RDFC_VECTORS)
def test_vector_intermediate_values_are_reproduced(directory, suffix, hash_name, example_loader):
    signed = _signed(directory, suffix)
    proof = signed.pop("proof")
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    hashes_ = rdfc_hashes(signed, options, hash_name=hash_name, document_loader=example_loader)
    assert hashes_.canonical_document == _read(directory, f"canonDoc{suffix}.txt")
    assert hashes_.canonical_proof_config == _read(directory, f"proofCanon{suffix}.txt")
    assert hashes_.document_hash.hex() == _read(directory, f"docHash{suffix}.txt").strip()
    assert hashes_.proof_config_hash.hex() == _read(directory, f"proofHash{suffix}.txt").strip()
    assert hashes_.hash_data.hex() == _read(directory, f"combinedHash{suffix}.txt").strip()
    assert (
        base58btc_decode(proof["proofValue"][1:]).hex()
        == _read(directory, f"sigHex{suffix}.txt").strip()
    )


@pytest.mark.parametrize(("directory", "suffix", "hash_name"), RDFC_VECTORS)
def test_vector_verifies_and_any_one_change_fails(directory, suffix, hash_name, example_loader):
    signed = _signed(directory, suffix)
    [outcome] = verify_proofs(signed, RESOLVE, loader=example_loader)
    assert (outcome.code, outcome.ok) == ("ok", True)
    assert outcome.method is not None and outcome.method.source == "did:key"
    # One character of the signature.
    bad_signature = copy.deepcopy(signed)
    bad_signature["proof"]["proofValue"] = _flip_base58(signed["proof"]["proofValue"], 20)
    assert [o.code for o in verify_proofs(bad_signature, RESOLVE, loader=example_loader)] == [
        "mismatch"
    ]
    # One character of the signed content, and one of the proof options.
    bad_content = copy.deepcopy(signed)
    bad_content["issuer"] = (
        bad_content["issuer"][:-1] + "X"
        if isinstance(bad_content["issuer"], str)
        else {**bad_content["issuer"], "id": bad_content["issuer"]["id"][:-1] + "X"}
    )
    assert verify_proofs(bad_content, RESOLVE, loader=example_loader)[0].code in ("mismatch")
    bad_option = copy.deepcopy(signed)
    bad_option["proof"]["created"] = bad_option["proof"]["created"].replace("23", "22", 1)
    assert verify_proofs(bad_option, RESOLVE, loader=example_loader)[0].code == ("mismatch")


def test_p384_needs_sha384_as_the_rdfc_hash(example_loader):
    # With SHA-256 inside RDFC-1.0 the blank nodes get other labels and the signature breaks:
    # the employment vector is the one that shows it.
    directory, suffix = "ecdsa-rdfc-2019-p384/employ", "ECDSAP384"
    signed = _signed(directory, suffix)
    proof = signed.pop("proof")
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    wrong = rdfc_hashes(signed, options, hash_name="sha256", document_loader=example_loader)
    assert wrong.canonical_document != _read(directory, f"canonDoc{suffix}.txt")


def test_ed25519_signature_2020_is_reproduced_byte_for_byte(example_loader):
    directory, suffix = "ed25519-signature-2020", "EdSig"
    keys = json.loads(_read(directory, "keyPair.json"))
    key = SigningKey.from_multibase_secret(keys["privateKeyMultibase"])
    signed = _signed(directory, suffix)
    proof = signed.pop("proof")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    signature = key.sign(rdfc_hashes(signed, options, document_loader=example_loader).hash_data)
    assert "z" + base58btc_encode(signature) == _read(directory, f"sigBTC58{suffix}.txt").strip()
    assert "z" + base58btc_encode(signature) == proof["proofValue"]


_SECRET_HEADERS = {b"\x86\x26": ec.SECP256R1(), b"\x87\x26": ec.SECP384R1()}


def _ecdsa_key(directory: str) -> ec.EllipticCurvePrivateKey:
    secret = base58btc_decode(
        json.loads(_read(directory, "keyPair.json"))["secretKeyMultibase"][1:]
    )
    return ec.derive_private_key(int.from_bytes(secret[2:], "big"), _SECRET_HEADERS[secret[:2]])


@pytest.mark.parametrize(("directory", "suffix", "hash_name"), RDFC_VECTORS[1:])
def test_ecdsa_signing_with_the_vector_key_verifies(directory, suffix, hash_name, example_loader):
    # ECDSA signatures are randomized: sign anew with the published key, then verify.
    key = _ecdsa_key(directory.split("/")[0])
    signed = _signed(directory, suffix)
    proof = signed.pop("proof")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    data = rdfc_hashes(signed, options, hash_name=hash_name, document_loader=example_loader)
    digest = hashes.SHA384() if hash_name == "sha384" else hashes.SHA256()
    r, s = decode_dss_signature(key.sign(data.hash_data, ec.ECDSA(digest)))
    size = key.curve.key_size // 8
    value = "z" + base58btc_encode(r.to_bytes(size, "big") + s.to_bytes(size, "big"))
    mine = {**signed, "proof": {**proof, "proofValue": value}}
    assert verify_proofs(mine, RESOLVE, loader=example_loader)[0].code == "ok"


def test_eddsa_rdfc_2022_vectors_through_the_one_entry_point(example_loader):
    for case in load_vector("eddsa-rdfc-2022.json")["cases"]:
        signed = case["expected"]["signedDocument"]
        assert [o.code for o in verify_proofs(signed, RESOLVE, loader=example_loader)] == ["ok"]
        old_name = copy.deepcopy(signed)
        old_name["proof"]["cryptosuite"] = "eddsa-2022"
        # The old name is accepted, but it is part of what was signed: this signature breaks.
        assert verify_proofs(old_name, RESOLVE, loader=example_loader)[0].code == ("mismatch")


def test_outcomes_name_each_problem_with_a_stable_code(example_loader):
    signed = _signed("ecdsa-rdfc-2019-p256", "ECDSAP256")
    proof = signed["proof"]

    def code(**changes):
        document = {**signed, "proof": {**proof, **changes}}
        document["proof"] = {k: v for k, v in document["proof"].items() if v is not None}
        return verify_proofs(document, RESOLVE, loader=example_loader)[0].code

    assert code(cryptosuite="ecdsa-sd-2023") == "unsupported-suite"
    assert code(type="JsonWebSignature2020") == "unsupported-suite"
    assert code(proofPurpose="authentication") == "bad-purpose"
    assert code(proofValue="uAAAA") == "malformed-proof"
    assert code(proofValue=None) == "malformed-proof"
    assert code(created="yesterday") == "malformed-proof"
    assert code(verificationMethod="relative#key") == "malformed-proof"
    assert code(verificationMethod="did:web:nowhere.example#key-1") == "unresolvable"
    # An Ed25519 key for an ECDSA proof.
    ed_key = SigningKey.from_seed(bytes(32)).public_key_multibase
    assert code(verificationMethod=f"did:key:{ed_key}#{ed_key}") == "key-type-mismatch"
    # A did:key whose fragment is not the key is malformed (the key is in the credential).
    assert code(verificationMethod=proof["verificationMethod"] + "x") == "malformed-key"
    unknown = {**signed, "@context": [*signed["@context"], "https://example.org/ctx"]}
    [outcome] = verify_proofs(unknown, RESOLVE, loader=example_loader)
    assert (outcome.code, outcome.params["url"]) == ("unknown-context", "https://example.org/ctx")
    unsafe = {**signed, "undefinedTerm": "unsigned"}
    unsafe["@context"] = ["https://www.w3.org/ns/credentials/v2"]
    assert verify_proofs(unsafe, RESOLVE, loader=example_loader)[0].code == "unsafe-jsonld"
    assert verify_proofs({"no": "proof"}, RESOLVE) == []
    assert [o.code for o in verify_proofs({"proof": [None, 3]}, RESOLVE)] == ["malformed-proof"] * 2
    assert set(CODES) >= {"ok", "claims-mismatch"}


def test_a_proof_set_reports_every_proof_and_a_chain_signs_its_predecessor(example_loader):
    folder = Path(__file__).resolve().parents[2] / "corpus/credentials/w3c-vc-di-eddsa"
    base = folder / "TestVectors/proof-set-chain"
    proof_set = json.loads((base / "signedProofSet2.json").read_text(encoding="utf-8"))
    assert [o.code for o in verify_proofs(proof_set, RESOLVE, loader=example_loader)] == ["ok"] * 2
    chain = json.loads((base / "signedProofChain2.json").read_text(encoding="utf-8"))
    codes = [o.code for o in verify_proofs(chain, RESOLVE, loader=example_loader)]
    assert codes == ["ok"] * len(chain["proof"]) and len(codes) >= 2
    # A proof whose predecessor is gone is malformed; one whose predecessor changed breaks.
    chained = [i for i, p in enumerate(chain["proof"]) if "previousProof" in p]
    assert chained
    broken = copy.deepcopy(chain)
    broken["proof"][chained[0]]["previousProof"] = "urn:uuid:not-there"
    assert (
        verify_proofs(broken, RESOLVE, loader=example_loader)[chained[0]].code == "malformed-proof"
    )
    previous = chain["proof"][chained[0]]["previousProof"]
    targets = previous if isinstance(previous, list) else [previous]
    changed = copy.deepcopy(chain)
    for proof in changed["proof"]:
        if proof.get("id") == targets[0]:
            proof["created"] = "2001-01-01T00:00:00Z"
    assert verify_proofs(changed, RESOLVE, loader=example_loader)[chained[0]].code == ("mismatch")


# --- VC-JWT ------------------------------------------------------------------------------------

CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:0b1b5f6c-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://issuer.example/", "type": ["Profile"], "name": "Example"},
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]},
}
NBF = 1767225600  # 2026-01-01T00:00:00Z


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _jwk(public) -> dict:
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        return {
            "kty": "RSA",
            "n": _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": _b64(numbers.e.to_bytes(3, "big")),
        }
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}
    numbers = public.public_numbers()
    size = public.curve.key_size // 8
    crv = "P-256" if size == 32 else "P-384"
    return {
        "kty": "EC",
        "crv": crv,
        "x": _b64(numbers.x.to_bytes(size, "big")),
        "y": _b64(numbers.y.to_bytes(size, "big")),
    }


def _sign(alg: str, key, header: dict, payload: dict) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    data = signing_input.encode()
    if alg == "RS256":
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "EdDSA":
        signature = key.sign(data)
    else:
        digest = hashes.SHA256() if alg == "ES256" else hashes.SHA384()
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(digest)))
        size = key.curve.key_size // 8
        signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return f"{signing_input}.{_b64(signature)}"


KEYS = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "ES384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
}


@pytest.mark.parametrize("alg", sorted(KEYS))
@pytest.mark.parametrize("form", ["vc-claim", "payload"])
def test_vc_jwt_signed_here_verifies_and_tampering_fails(alg, form):
    key = KEYS[alg]()
    claims = {"iss": "https://issuer.example/", "sub": "did:example:learner", "nbf": NBF}
    claims["jti"] = CREDENTIAL["id"]
    payload = {**claims, "vc": CREDENTIAL} if form == "vc-claim" else {**claims, **CREDENTIAL}
    header = {"alg": alg, "typ": "JWT", "jwk": _jwk(key.public_key())}
    token = _sign(alg, key, header, payload)
    credential, outcome = verify_jwt(token, RESOLVE)
    assert (outcome.code, outcome.params["alg"]) == ("ok", alg)
    assert credential == CREDENTIAL
    head, body, signature = token.split(".")
    changed = json.loads(base64.urlsafe_b64decode(body + "=="))
    changed["nbf"] = NBF + 1
    assert verify_jwt(f"{head}.{_b64(json.dumps(changed).encode())}.{signature}", RESOLVE)[
        1
    ].code == ("mismatch")
    # sub must equal credentialSubject.id (OB 3.0 §8.2.6.1), checked after the signature.
    other = _sign(alg, key, header, {**payload, "sub": "did:example:someone-else"})
    _, outcome = verify_jwt(other, RESOLVE)
    assert (outcome.code, outcome.params["claim"]) == ("claims-mismatch", "sub")


def test_vc_jwt_key_from_kid_and_refusals():
    key = ec.generate_private_key(ec.SECP256R1())
    did = "did:web:issuer.example"
    document = {
        "id": did,
        "verificationMethod": [
            {
                "id": "#key-1",
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": _jwk(key.public_key()),
            }
        ],
        "assertionMethod": ["#key-1"],
    }
    credential = {**CREDENTIAL, "issuer": did}
    payload = {
        "iss": did,
        "nbf": NBF,
        "jti": CREDENTIAL["id"],
        "sub": "did:example:learner",
        "vc": credential,
    }
    token = _sign("ES256", key, {"alg": "ES256", "kid": f"{did}#key-1"}, payload)
    _, outcome = verify_jwt(token, make_resolver({did: document}))
    assert outcome.code == "ok"
    assert outcome.method is not None and outcome.method.relationships == {"assertionMethod"}
    assert (verify_jwt(token, RESOLVE)[1].check, verify_jwt(token, RESOLVE)[1].code) == (
        "issuer-key",
        "unresolvable",
    )
    alg_none = _b64(json.dumps({"alg": "none"}).encode())
    none = f"{alg_none}.{token.split('.')[1]}."
    assert verify_jwt(none, RESOLVE)[1].code == "unsupported-suite"
    hs = _sign("ES256", key, {"alg": "HS256", "kid": f"{did}#key-1"}, payload)
    assert verify_jwt(hs, RESOLVE)[1].code == "unsupported-suite"
    rs_header = {"alg": "RS256", "kid": f"{did}#key-1"}
    assert (
        verify_jwt(_sign("ES256", key, rs_header, payload), make_resolver({did: document}))[1].code
        == "key-type-mismatch"
    )
    private = {**_jwk(key.public_key()), "d": "AAAA"}
    leak = _sign("ES256", key, {"alg": "ES256", "jwk": private}, payload)
    assert verify_jwt(leak, RESOLVE)[1].code == "malformed-key"
    for broken in ("", "a.b", "a.b.c", "!!.??.**", "x" * (11 * 1024 * 1024)):
        credential, outcome = verify_jwt(broken, RESOLVE)
        assert (credential, outcome.code) == (None, "malformed-proof")
