"""Key material and verification-method resolution: did:key (Ed25519, P-256, P-384, with and
without fragment), DID documents (Multikey, Ed25519VerificationKey2020, JsonWebKey2020,
JsonWebKey), https URL#multikey, JWK; and the refusals."""

from __future__ import annotations

import json

import pytest

from credstack.crypto.keys import SigningKey, base58btc_decode, base58btc_encode
from credstack.crypto.methods import did_key_method, make_resolver, method_from_document
from credstack.crypto.publickeys import PublicKeyMaterial
from credstack.errors import KeyFormatError, ResolutionError

from .conftest import VECTORS

P256 = json.loads((VECTORS / "w3c/ecdsa-rdfc-2019-p256/keyPair.json").read_text())
P384 = json.loads((VECTORS / "w3c/ecdsa-rdfc-2019-p384/keyPair.json").read_text())
ED = SigningKey.from_seed(bytes(range(32))).public_key_multibase


@pytest.mark.parametrize(
    ("multikey", "algorithm", "prefix"),
    [
        (ED, "Ed25519", "z6Mk"),
        (P256["publicKeyMultibase"], "P-256", "zDn"),
        (P384["publicKeyMultibase"], "P-384", "z82"),
    ],
)
def test_did_key_with_and_without_fragment(multikey, algorithm, prefix):
    assert multikey.startswith(prefix)
    for method_id in (f"did:key:{multikey}", f"did:key:{multikey}#{multikey}"):
        method = make_resolver()(method_id)
        assert (method.key.algorithm, method.controller, method.source) == (
            algorithm,
            f"did:key:{multikey}",
            "did:key",
        )
        assert "assertionMethod" in method.relationships
    if algorithm != "Ed25519":
        # Compressed point in, uncompressed SEC1 point out.
        assert method.key.raw[0] == 4 and len(method.key.raw) == 1 + 2 * (
            len(base58btc_decode(multikey[1:])) - 3
        )


def test_did_key_refusals_are_key_format_errors():
    with pytest.raises(KeyFormatError, match="does not repeat"):
        did_key_method(f"did:key:{ED}#{ED[:-1]}")
    data = base58btc_decode(P256["publicKeyMultibase"][1:])
    off_curve = "z" + base58btc_encode(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(KeyFormatError):
        did_key_method(f"did:key:{off_curve}")
    secp256k1 = "z" + base58btc_encode(b"\xe7\x01" + b"\x02" + bytes(32))
    with pytest.raises(ResolutionError) as caught:
        did_key_method(f"did:key:{secp256k1}")
    assert not isinstance(caught.value, KeyFormatError)  # well-formed, just unsupported


def test_did_documents_with_every_method_type():
    did = "did:web:issuer.example"
    p256 = PublicKeyMaterial.from_multikey(P256["publicKeyMultibase"])
    x, y = p256.raw[1:33], p256.raw[33:]
    import base64

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    jwk = {"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y)}
    document = {
        "id": did,
        "verificationMethod": [
            {"id": "#multikey", "type": "Multikey", "controller": did, "publicKeyMultibase": ED},
            {
                "id": f"{did}#ed2020",
                "type": "Ed25519VerificationKey2020",
                "controller": did,
                "publicKeyMultibase": ED,
            },
            {"id": "#jwk2020", "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk},
            {"id": "#jwk", "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk},
        ],
        "assertionMethod": ["#multikey", f"{did}#jwk2020"],
        "authentication": [{"id": "#embedded", "type": "Multikey", "publicKeyMultibase": ED}],
    }
    resolve = make_resolver({did: document})
    assert resolve(f"{did}#multikey").relationships == {"assertionMethod"}
    assert resolve(f"{did}#ed2020").key.algorithm == "Ed25519"
    assert resolve(f"{did}#ed2020").relationships == frozenset()
    assert resolve(f"{did}#jwk2020").key == p256
    assert resolve(f"{did}#jwk").key == p256
    assert resolve(f"{did}#embedded").relationships == {"authentication"}
    with pytest.raises(ResolutionError, match="no verification method"):
        resolve(f"{did}#missing")
    with pytest.raises(ResolutionError, match="document of"):
        method_from_document("did:web:other.example#multikey", document)
    with pytest.raises(ResolutionError, match="no DID document"):
        resolve("did:web:unknown.example#key-1")
    with pytest.raises(ResolutionError, match="no DID document") as caught:
        resolve("did:example:123#key-1")
    assert "not a DID method credstack resolves" in (caught.value.hint or "")


def test_dcc_did_web_document_from_the_corpus():
    path = VECTORS.parent / "corpus/documents/dcc-vc-test-fixtures/dids/legacy/did.json"
    document = json.loads(path.read_text())
    method = document["assertionMethod"][0]
    resolved = make_resolver({document["id"]: document})(method["id"])
    assert (resolved.type, resolved.controller) == ("Ed25519VerificationKey2020", document["id"])


def test_url_fragment_keys_and_unresolvable_ids():
    method = make_resolver()(f"https://issuer.example/issuers/1#{ED}")
    assert (method.source, method.controller) == (
        "url-fragment",
        "https://issuer.example/issuers/1",
    )
    with pytest.raises(KeyFormatError):
        make_resolver()("https://issuer.example/issuers/1#z6MkBROKEN")
    for method_id in ("https://issuer.example/keys/1", "urn:uuid:1#z6Mk", "xxx:z6Mk", 42):
        with pytest.raises(ResolutionError):
            make_resolver()(method_id)


def test_jwk_refusals():
    with pytest.raises(ResolutionError, match="private key material"):
        PublicKeyMaterial.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": "A" * 43, "d": "A"})
    with pytest.raises(ResolutionError, match="too weak"):
        PublicKeyMaterial.from_jwk({"kty": "RSA", "n": "AQAB", "e": "AQAB"})
    with pytest.raises(ResolutionError, match="unsupported JWK"):
        PublicKeyMaterial.from_jwk({"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"})
    with pytest.raises(ResolutionError, match="base64url"):
        PublicKeyMaterial.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": "AA=="})
