"""Ed25519 keys, base58btc, Multikey and did:key."""

from __future__ import annotations

import os

import pytest

from credstack.crypto.keys import (
    SigningKey,
    base58btc_decode,
    base58btc_encode,
    decode_multikey_public,
    did_key_document,
    did_key_from_public,
    encode_multikey_public,
    verify_signature,
)
from credstack.errors import SigningKeyError

from .conftest import TEST_SEED, load_vector

W3C_KEYS = load_vector("eddsa-rdfc-2022.json")["keyPair"]
OB_KEYS = load_vector("ob-v3p0-eddsa-rdfc-2022.json")["keyPair"]


# --- base58btc ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        # draft-msporny-base58-03 §5 test vectors
        (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
        (
            b"The quick brown fox jumps over the lazy dog.",
            "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
        ),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\0", "111"),
        (b"\x01", "2"),
        (b"\xff", "5Q"),
    ],
)
def test_base58btc_known_values(raw, encoded):
    assert base58btc_encode(raw) == encoded
    assert base58btc_decode(encoded) == raw


@pytest.mark.parametrize("length", [0, 1, 2, 31, 32, 33, 34, 64, 66, 100])
def test_base58btc_round_trips_random_bytes_with_leading_zeros(length):
    for zeros in (0, 1, 3):
        data = b"\0" * zeros + os.urandom(length)
        assert base58btc_decode(base58btc_encode(data)) == data


@pytest.mark.parametrize("bad", ["0", "O", "I", "l", "abc+", "z z", "é"])
def test_base58btc_rejects_characters_outside_the_alphabet(bad):
    with pytest.raises(ValueError, match="not a base58btc character"):
        base58btc_decode(bad)


# --- public keys ----------------------------------------------------------------------------


def test_multikey_public_matches_the_w3c_vector():
    raw = bytes.fromhex(W3C_KEYS["derived"]["publicKeyHex"])
    assert encode_multikey_public(raw) == W3C_KEYS["publicKeyMultibase"]
    assert decode_multikey_public(W3C_KEYS["publicKeyMultibase"]) == raw


def test_multikey_public_matches_the_ob_vector():
    raw = bytes.fromhex(OB_KEYS["publicKeyHex"])
    assert encode_multikey_public(raw) == OB_KEYS["publicKeyMultibase"]
    assert decode_multikey_public(OB_KEYS["publicKeyMultibase"]) == raw


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "must start with 'z'"),
        ("zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76", "not an Ed25519 Multikey"),
        ("z" + base58btc_encode(b"\xed\x01" + bytes(31)), "31 key bytes, expected 32"),
        ("z" + base58btc_encode(b"\xed\x01" + bytes(33)), "33 key bytes, expected 32"),
        ("z6Mk0", "not valid base58btc"),
        ("z", "not an Ed25519 Multikey"),
        ("", "must start with 'z'"),
    ],
)
def test_decode_multikey_public_rejects_malformed_keys(text, fragment):
    with pytest.raises(SigningKeyError, match=fragment) as caught:
        decode_multikey_public(text)
    assert caught.value.hint


def test_decode_multikey_public_rejects_non_strings():
    with pytest.raises(SigningKeyError, match="must be a string"):
        decode_multikey_public(b"z6Mk")  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", [b"", bytes(31), bytes(33), "x" * 32])
def test_encode_multikey_public_needs_32_bytes(raw):
    with pytest.raises(SigningKeyError, match="32 bytes"):
        encode_multikey_public(raw)


# --- signing keys ---------------------------------------------------------------------------


def test_signing_key_from_w3c_secret_multibase():
    key = SigningKey.from_multibase_secret(W3C_KEYS["secretKeyMultibase"])
    assert key.public_key.hex() == W3C_KEYS["derived"]["publicKeyHex"]
    assert key.public_key_multibase == W3C_KEYS["publicKeyMultibase"]
    assert key.to_multibase_secret() == W3C_KEYS["secretKeyMultibase"]


def test_signing_key_secret_round_trip():
    key = SigningKey.generate()
    again = SigningKey.from_multibase_secret(key.to_multibase_secret())
    assert again.public_key == key.public_key
    assert key.to_multibase_secret().startswith("z3u2")


def test_signing_key_accepts_surrounding_whitespace_from_key_files():
    key = SigningKey.from_multibase_secret(W3C_KEYS["secretKeyMultibase"] + "\n")
    assert key.public_key_multibase == W3C_KEYS["publicKeyMultibase"]


def test_signing_key_from_seed_is_deterministic():
    key = SigningKey.from_seed(TEST_SEED)
    assert key.public_key == SigningKey.from_seed(TEST_SEED).public_key
    assert key.sign(b"m") == SigningKey.from_seed(TEST_SEED).sign(b"m")
    assert len(key.sign(b"m")) == 64


def test_generated_keys_differ():
    assert SigningKey.generate().public_key != SigningKey.generate().public_key


def test_repr_never_shows_the_secret():
    key = SigningKey.from_multibase_secret(W3C_KEYS["secretKeyMultibase"])
    seed_hex = W3C_KEYS["derived"]["seedHex"]
    for text in (repr(key), str(key), f"{key}", repr([key])):
        assert W3C_KEYS["secretKeyMultibase"] not in text
        assert seed_hex not in text
        assert W3C_KEYS["publicKeyMultibase"] in text
    assert not hasattr(key, "__dict__")


@pytest.mark.parametrize("seed", [b"", bytes(31), bytes(33), bytes(64), "0" * 32])
def test_from_seed_needs_32_bytes(seed):
    with pytest.raises(SigningKeyError, match="32 bytes") as caught:
        SigningKey.from_seed(seed)
    assert "seed" in caught.value.hint


def test_from_multibase_secret_refuses_the_64_byte_form_published_by_1edtech():
    with pytest.raises(SigningKeyError, match="seed \\+ public key") as caught:
        SigningKey.from_multibase_secret(OB_KEYS["secretKeyMultibase_as_published"])
    assert "32 bytes" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (W3C_KEYS["publicKeyMultibase"], "not an Ed25519 Multikey secret"),
        ("u" + W3C_KEYS["secretKeyMultibase"][1:], "must start with 'z'"),
        ("z" + base58btc_encode(b"\x80\x26" + bytes(31)), "31 bytes, expected a 32-byte"),
        ("z" + base58btc_encode(b"\x80\x26" + bytes(33)), "33 bytes, expected a 32-byte"),
        ("z" + base58btc_encode(b"\x80\x26"), "0 bytes, expected a 32-byte"),
        ("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjx0", "not valid base58btc"),
        ("", "must start with 'z'"),
    ],
)
def test_from_multibase_secret_rejects_malformed_secrets(text, fragment):
    with pytest.raises(SigningKeyError, match=fragment) as caught:
        SigningKey.from_multibase_secret(text)
    assert caught.value.hint
    # A malformed secret is still a secret: the error never echoes it.
    if len(text) > 8:
        assert text not in str(caught.value)


def test_from_multibase_secret_rejects_non_strings():
    with pytest.raises(SigningKeyError, match="must be a string"):
        SigningKey.from_multibase_secret(None)  # type: ignore[arg-type]


# --- signatures -----------------------------------------------------------------------------


def test_verify_signature_accepts_a_good_signature(test_key):
    assert verify_signature(test_key.public_key, b"message", test_key.sign(b"message"))


def test_verify_signature_rejects_a_changed_message(test_key):
    assert not verify_signature(test_key.public_key, b"messagf", test_key.sign(b"message"))


def test_verify_signature_rejects_a_flipped_signature_bit(test_key):
    signature = bytearray(test_key.sign(b"message"))
    signature[10] ^= 1
    assert not verify_signature(test_key.public_key, b"message", bytes(signature))


def test_verify_signature_rejects_another_key(test_key):
    other = SigningKey.generate()
    assert not verify_signature(other.public_key, b"message", test_key.sign(b"message"))


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(65), bytes(64)])
def test_verify_signature_rejects_malformed_signatures(test_key, signature):
    assert not verify_signature(test_key.public_key, b"message", signature)


def test_verify_signature_refuses_a_malformed_public_key(test_key):
    with pytest.raises(SigningKeyError, match="32 bytes"):
        verify_signature(test_key.public_key[:31], b"message", test_key.sign(b"message"))


# --- did:key --------------------------------------------------------------------------------


def test_did_key_from_public_matches_the_w3c_vector():
    raw = bytes.fromhex(W3C_KEYS["derived"]["publicKeyHex"])
    assert did_key_from_public(raw) == W3C_KEYS["derived"]["didKey"]


def test_did_key_document_has_one_multikey_method():
    did = W3C_KEYS["derived"]["didKey"]
    document = did_key_document(did)
    method_id = W3C_KEYS["derived"]["verificationMethod"]
    assert document["id"] == did
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["verificationMethod"] == [
        {
            "id": method_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": W3C_KEYS["publicKeyMultibase"],
        }
    ]
    for relationship in ("assertionMethod", "authentication"):
        assert document[relationship] == [method_id]


@pytest.mark.parametrize(
    ("did", "fragment"),
    [
        ("did:web:example.org", "is not a did:key"),
        ("did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76", "not an Ed25519 Multikey"),
        (W3C_KEYS["derived"]["verificationMethod"], "path, query or fragment"),
        ("did:key:", "must start with 'z'"),
        (None, "is not a did:key"),
    ],
)
def test_did_key_document_rejects_other_identifiers(did, fragment):
    with pytest.raises(SigningKeyError, match=fragment):
        did_key_document(did)
