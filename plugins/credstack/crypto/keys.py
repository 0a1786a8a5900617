"""Ed25519 signing keys, Multikey encodings and did:key.

Encodings follow Controlled Identifiers v1.0 §2.2.2 (Multikey): a key is the multibase base58btc
string ('z' + base58btc) of a multicodec varint header followed by the raw key bytes:

* Ed25519 public key: header 0xed 0x01 + 32 bytes   -> 'z6Mk...'
* Ed25519 secret key: header 0x80 0x26 + 32-byte seed -> 'z3u2...'

did:key (W3C CCG did:key v0.7) is 'did:key:' + the public Multikey; its one verification method
is '<did>#<public Multikey>'.
"""

from __future__ import annotations

from typing import Any

import nacl.exceptions
import nacl.signing

from credstack.errors import SigningKeyError

ED25519_PUBLIC_HEADER = b"\xed\x01"  # multicodec ed25519-pub, varint 0xed
ED25519_SECRET_HEADER = b"\x80\x26"  # multicodec ed25519-priv, varint 0x1300
KEY_BYTES = 32
SIGNATURE_BYTES = 64
DID_KEY_PREFIX = "did:key:"

# --- base58btc (Bitcoin alphabet; multibase prefix 'z') -----------------------------------------

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: i for i, char in enumerate(_B58_ALPHABET)}


def base58btc_encode(data: bytes) -> str:
    """Return data in base58btc (no multibase prefix)."""
    # Each leading zero byte is written as '1' (draft-msporny-base58 §3, step 1).
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_B58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """Return the bytes encoded by base58btc text; raise ValueError on a non-alphabet character."""
    number = 0
    for position, char in enumerate(text):
        value = _B58_INDEX.get(char)
        if value is None:
            raise ValueError(f"{char!r} at position {position} is not a base58btc character")
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def _multibase_decode(text: Any, what: str, hint: str) -> bytes:
    if not isinstance(text, str):
        raise SigningKeyError(f"{what} must be a string, not {type(text).__name__}", hint=hint)
    if not text.startswith("z"):
        raise SigningKeyError(
            f"{what} {_preview(text)} is not multibase base58btc (it must start with 'z')",
            hint=hint,
        )
    try:
        return base58btc_decode(text[1:])
    except ValueError as error:
        raise SigningKeyError(f"{what} is not valid base58btc: {error}", hint=hint) from None


def _preview(text: str) -> str:
    # Never echo more than a few characters of something that may be a secret.
    return repr(text[:6] + "...") if len(text) > 6 else repr(text)


# --- public keys --------------------------------------------------------------------------------

_PUBLIC_HINT = "expected an Ed25519 Multikey such as 'z6Mk...' (base58btc of 0xed01 + 32 bytes)"


def encode_multikey_public(raw: bytes) -> str:
    """Return the Multikey ('z6Mk...') of a raw Ed25519 public key; raise SigningKeyError."""
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != KEY_BYTES:
        raise SigningKeyError(
            f"an Ed25519 public key is {KEY_BYTES} bytes, got {_describe(raw)}",
            hint="pass the raw 32-byte public key",
        )
    return "z" + base58btc_encode(ED25519_PUBLIC_HEADER + bytes(raw))


def decode_multikey_public(text: str) -> bytes:
    """Return the raw 32-byte key of an Ed25519 Multikey; raise SigningKeyError on anything else."""
    data = _multibase_decode(text, "the public key", _PUBLIC_HINT)
    if not data.startswith(ED25519_PUBLIC_HEADER):
        raise SigningKeyError(
            f"the public key {_preview(text)} is not an Ed25519 Multikey "
            f"(multicodec header {data[:2].hex() or 'missing'}, expected ed01)",
            hint=_PUBLIC_HINT,
        )
    raw = data[len(ED25519_PUBLIC_HEADER) :]
    if len(raw) != KEY_BYTES:
        raise SigningKeyError(
            f"the public key {_preview(text)} holds {len(raw)} key bytes, expected {KEY_BYTES}",
            hint=_PUBLIC_HINT,
        )
    return raw


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Return whether signature is a valid Ed25519 signature; raise SigningKeyError on a bad key."""
    if not isinstance(public_key, (bytes, bytearray)) or len(public_key) != KEY_BYTES:
        raise SigningKeyError(
            f"an Ed25519 public key is {KEY_BYTES} bytes, got {_describe(public_key)}",
            hint="decode the key with decode_multikey_public() first",
        )
    if not isinstance(signature, (bytes, bytearray)) or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        nacl.signing.VerifyKey(bytes(public_key)).verify(bytes(message), bytes(signature))
    except nacl.exceptions.BadSignatureError:
        return False
    except (nacl.exceptions.ValueError, nacl.exceptions.TypeError):
        # libsodium rejects some non-canonical or small-order inputs outright.
        return False
    return True


def _describe(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return f"{len(value)} bytes"
    return type(value).__name__


# --- signing keys -------------------------------------------------------------------------------

_SECRET_HINT = (
    "expected an Ed25519 Multikey secret 'z3u2...' (base58btc of 0x8026 + the 32-byte seed), "
    "as written by credstack"
)


class SigningKey:
    """An Ed25519 private key. Its repr shows only the public key; the seed never leaves it
    except through to_multibase_secret()."""

    __slots__ = ("_key",)

    def __init__(self, key: nacl.signing.SigningKey) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> SigningKey:
        """Return a new random key (from the OS CSPRNG via libsodium)."""
        return cls(nacl.signing.SigningKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """Return the key for a 32-byte RFC 8032 seed; raise SigningKeyError otherwise."""
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != KEY_BYTES:
            raise SigningKeyError(
                f"an Ed25519 seed is {KEY_BYTES} bytes, got {_describe(seed)}",
                hint="pass the 32-byte secret seed (not the 64-byte seed+public form)",
            )
        return cls(nacl.signing.SigningKey(bytes(seed)))

    @classmethod
    def from_multibase_secret(cls, text: str) -> SigningKey:
        """Return the key in a Multikey secret ('z' + 0x8026 + seed); raise SigningKeyError."""
        if isinstance(text, str):
            # Key files and environment variables usually end with a newline.
            text = text.strip()
        data = _multibase_decode(text, "the secret key", _SECRET_HINT)
        if not data.startswith(ED25519_SECRET_HEADER):
            raise SigningKeyError(
                "the secret key is not an Ed25519 Multikey secret "
                f"(multicodec header {data[:2].hex() or 'missing'}, expected 8026)",
                hint=_SECRET_HINT,
            )
        secret = data[len(ED25519_SECRET_HEADER) :]
        if len(secret) == 2 * KEY_BYTES:
            # Some publications (e.g. the 1EdTech OB 3.0 test vector) encode seed + public key.
            raise SigningKeyError(
                "the secret key holds 64 bytes (seed + public key); Controlled Identifiers v1.0 "
                "§2.2.2 defines the Ed25519 Multikey secret as the 32-byte seed only",
                hint="re-encode it with the first 32 bytes only, or generate a new key",
            )
        if len(secret) != KEY_BYTES:
            raise SigningKeyError(
                f"the secret key holds {len(secret)} bytes, expected a {KEY_BYTES}-byte seed",
                hint=_SECRET_HINT,
            )
        return cls.from_seed(secret)

    def to_multibase_secret(self) -> str:
        """Return the Multikey secret ('z' + base58btc(0x8026 + seed)); keep it private."""
        return "z" + base58btc_encode(ED25519_SECRET_HEADER + bytes(self._key))

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        return bytes(self._key.verify_key)

    @property
    def public_key_multibase(self) -> str:
        """The public key as a Multikey ('z6Mk...')."""
        return encode_multikey_public(self.public_key)

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 (RFC 8032 pure EdDSA) signature of message."""
        return self._key.sign(bytes(message)).signature

    def __repr__(self) -> str:
        return f"SigningKey(public_key_multibase={self.public_key_multibase!r})"

    __str__ = __repr__


# --- did:key ------------------------------------------------------------------------------------

_DID_KEY_HINT = "expected 'did:key:z6Mk...' (an Ed25519 did:key, without a fragment)"


def did_key_from_public(raw: bytes) -> str:
    """Return the did:key ('did:key:z6Mk...') of a raw Ed25519 public key; raise SigningKeyError."""
    return DID_KEY_PREFIX + encode_multikey_public(raw)


def did_key_document(did: str) -> dict[str, Any]:
    """Return the DID document of an Ed25519 did:key (one Multikey); raise SigningKeyError."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        raise SigningKeyError(f"{did!r} is not a did:key", hint=_DID_KEY_HINT)
    multikey = did[len(DID_KEY_PREFIX) :]
    if "#" in multikey or "?" in multikey or "/" in multikey:
        raise SigningKeyError(
            f"{did!r} has a path, query or fragment; a DID document belongs to the bare DID",
            hint=_DID_KEY_HINT,
        )
    # Decoding validates the header and length; the document repeats the exact text.
    decode_multikey_public(multikey)
    method_id = f"{did}#{multikey}"
    # did:key v0.7 §3.1.2 (Multikey form); keyAgreement (X25519) is omitted on purpose:
    # credstack keys only sign.
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey,
            }
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityDelegation": [method_id],
        "capabilityInvocation": [method_id],
    }
