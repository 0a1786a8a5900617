"""Sealed boxes for the private roster: rows only the holder of the roster secret can read.

A CI award knows the recipient's email but must not publish it: it encrypts the roster row to
the issuer's roster public key with a libsodium sealed box (X25519 + XSalsa20-Poly1305, an
ephemeral sender key: PyNaCl's ``SealedBox``) and commits the ciphertext. Keys are written as
multibase base58btc multicodec values, like the signing keys: the public key is an
``x25519-pub`` Multikey (``z6LS…``, prefix 0xec 0x01), the secret an ``x25519-priv`` value
(prefix 0x82 0x26).
"""

from __future__ import annotations

import base64
import binascii

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from credstack.crypto.keys import base58btc_decode, base58btc_encode
from credstack.errors import RosterError

PUBLIC_PREFIX = b"\xec\x01"  # multicodec x25519-pub
SECRET_PREFIX = b"\x82\x26"  # multicodec x25519-priv (0x1302, varint)


def _decode(text: str, prefix: bytes, what: str) -> bytes:
    try:
        raw = base58btc_decode(text.strip()[1:]) if text.strip().startswith("z") else b""
    except ValueError:
        raw = b""
    if len(raw) != 34 or raw[:2] != prefix:
        raise RosterError(
            f"not a roster {what} key",
            hint="roster keys come from `credstack roster keys create`",
        )
    return raw[2:]


def new_roster_key() -> tuple[str, str]:
    """A fresh roster key pair: (public ``z6LS…``, secret). Never store the secret in git."""
    secret = PrivateKey.generate()
    public = "z" + base58btc_encode(PUBLIC_PREFIX + bytes(secret.public_key))
    return public, "z" + base58btc_encode(SECRET_PREFIX + bytes(secret))


def roster_public_key(secret: str) -> str:
    """The public key of a roster secret; raises RosterError for a malformed secret."""
    key = PrivateKey(_decode(secret, SECRET_PREFIX, "secret"))
    return "z" + base58btc_encode(PUBLIC_PREFIX + bytes(key.public_key))


def check_public_key(public: str) -> None:
    """Raise RosterError unless ``public`` is a roster (X25519) public key."""
    _decode(public, PUBLIC_PREFIX, "public")


def seal(public: str, data: bytes) -> str:
    """``data`` sealed to ``public``, as one line of base64 (no ``@``, no newline)."""
    box = SealedBox(PublicKey(_decode(public, PUBLIC_PREFIX, "public")))
    return base64.b64encode(box.encrypt(data)).decode("ascii")


def unseal(secret: str, line: str) -> bytes:
    """Open a line written by :func:`seal`; raises RosterError when ``secret`` does not open
    it (another key, or a changed line)."""
    box = SealedBox(PrivateKey(_decode(secret, SECRET_PREFIX, "secret")))
    try:
        return box.decrypt(base64.b64decode(line.strip(), validate=True))
    except (CryptoError, binascii.Error, ValueError) as e:
        raise RosterError(
            "a sealed roster row does not open with this roster secret",
            hint="use the roster secret whose public key is in program/roster-key.yml",
        ) from e
