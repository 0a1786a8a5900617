"""C2SP signed notes with Ed25519, and timestamped cosignatures (the checkpoint's signing time).

A signed note (c2sp.org/signed-note) is a text ending in a newline, a blank line, then one or
more lines ``— <key name> base64(key ID || signature)``. For Ed25519 (signature type 0x01) the
key ID is the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key) and the signature
covers the text.

Signing time: a checkpoint's body has no time. credstack's log adds, with the same log key, a
timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature, type 0x04): key ID from
SHA-256(name || 0x0A || 0x04 || public key), signature = 8-byte big-endian POSIX time || Ed25519
over ``cosignature/v1\\ntime <T>\\n`` + the text. Its meaning is the one the spec gives: as of
time T, this is the largest tree head the signer has seen for the log. The body stays the
same when a checkpoint is only re-dated, and independent witnesses can later add their own
lines of the same type to the same note (the verifier then takes the newest trusted time).
Extension lines would have worked too, but tlog-checkpoint discourages them (monitors cannot
audit them) and every re-dating would change the body. The two signature types are domain
separated: a 0x01 signature covers a note whose first line is the log's origin, a 0x04
signature a message whose first line is ``cosignature/v1``.

Verifier keys (``vkey``) are written ``<name>+<hex key ID>+<base64(0x01 || public key)>``, the
form Go's golang.org/x/mod/sumdb/note reads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from credstack.crypto.keys import SigningKey, verify_signature
from credstack.errors import LogError

ED25519 = 0x01
COSIGNATURE_ED25519 = 0x04
SIGNATURE_PREFIX = "— "  # em dash (U+2014), space
#: Verifiers must accept at least 16 signatures (signed-note); more is refused as malformed.
MAX_SIGNATURES = 100
_NAME = re.compile(r"^[^\s+]+$")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4] (signed-note, tlog-cosignature)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()[:4]


def cosignature_message(text: str, timestamp: int) -> bytes:
    """What a timestamped Ed25519 cosignature signs (tlog-cosignature, "Ed25519 signed message")."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def _check_name(name: str) -> None:
    if not _NAME.match(name or ""):
        raise LogError(f"key name {name!r} is empty or holds a space or '+'", code="malformed-note")


@dataclass(frozen=True)
class NoteVerifier:
    """An Ed25519 note key: its name (the log's origin) and 32-byte public key."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise LogError("an Ed25519 public key is 32 bytes", code="malformed-note")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, ED25519, self.public_key)

    @property
    def cosignature_key_id(self) -> bytes:
        return key_id(self.name, COSIGNATURE_ED25519, self.public_key)

    @property
    def vkey(self) -> str:
        """``<name>+<hex key ID>+<base64(0x01 || public key)>``."""
        encoded = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        """Parse a vkey; raises LogError (``malformed-note``) when it is not an Ed25519 one."""
        parts = vkey.strip().split("+", 2)  # the base64 key may hold '+' itself
        if len(parts) != 3:
            raise LogError(f"not a note verifier key: {vkey!r}", code="malformed-note")
        name, hex_id, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
            wanted = bytes.fromhex(hex_id)
        except (binascii.Error, ValueError) as e:
            raise LogError(f"not a note verifier key: {vkey!r}", code="malformed-note") from e
        if len(raw) != 33 or raw[0] != ED25519 or len(wanted) != 4:
            raise LogError("only Ed25519 verifier keys are supported", code="malformed-note")
        verifier = cls(name, raw[1:])
        if verifier.key_id != wanted:
            raise LogError(f"the key ID in {vkey!r} does not match its key", code="malformed-note")
        return verifier


@dataclass(frozen=True)
class NoteSigner:
    """Signs notes as ``name`` with an Ed25519 key."""

    name: str
    key: SigningKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.key.public_key)


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signature by the expected key verified."""

    text: str
    #: The newest verified timestamped cosignature by the same key (POSIX seconds), if any.
    timestamp: int | None
    #: Signature lines from keys this verifier does not know (ignored, as signed-note says).
    unverified: tuple[str, ...] = field(default=())


def sign_note(text: str, signer: NoteSigner, *, timestamp: int | None = None) -> str:
    """The signed note: ``text``, a blank line, the Ed25519 signature line and, with
    ``timestamp`` (POSIX seconds), a timestamped cosignature line by the same key."""
    _check_text(text)
    verifier = signer.verifier
    signature = signer.key.sign(text.encode())
    lines = [_line(signer.name, verifier.key_id + signature)]
    if timestamp is not None:
        if not 0 <= timestamp < 2**63:
            raise ValueError("a cosignature timestamp is 0 <= t < 2**63")
        stamp = timestamp.to_bytes(8, "big")
        cosignature = signer.key.sign(cosignature_message(text, timestamp))
        lines.append(_line(signer.name, verifier.cosignature_key_id + stamp + cosignature))
    return text + "\n" + "".join(lines)


def _line(name: str, raw: bytes) -> str:
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(raw).decode()}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise LogError("a note's text ends in a newline", code="malformed-note")
    if _CONTROL.search(text):
        raise LogError("a note holds no control characters but newlines", code="malformed-note")


def open_note(note: str | bytes, verifier: NoteVerifier) -> OpenedNote:
    """Check a signed note against ``verifier``; return its text and signing time.

    Follows signed-note's rules: signatures by other keys (other name or key ID) are ignored;
    a signature by the known key that fails rejects the whole note; at least one must verify.
    Raises LogError: ``malformed-note``, ``unknown-key`` (no signature by this key) or
    ``checkpoint-signature`` (a signature by this key does not verify).
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as e:
            raise LogError("a note is UTF-8", code="malformed-note") from e
    if _CONTROL.search(note) or not note.endswith("\n"):
        raise LogError("not a signed note", code="malformed-note")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise LogError(
            "not a signed note: no blank line before the signatures", code="malformed-note"
        )
    text, block = note[: cut + 1], note[cut + 2 :]
    lines = block[:-1].split("\n")
    if not lines or len(lines) > MAX_SIGNATURES:
        raise LogError("a signed note has 1 to 100 signature lines", code="malformed-note")
    verified = False
    stamps: list[int] = []
    unknown: list[str] = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise LogError(f"not a signature line: {line[:40]!r}", code="malformed-note")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as e:
            raise LogError("a signature is not base64", code="malformed-note") from e
        if not _NAME.match(name) or len(raw) < 5:
            raise LogError(f"malformed signature line: {line[:40]!r}", code="malformed-note")
        if name != verifier.name:
            unknown.append(line)
        elif raw[:4] == verifier.key_id:
            if not verify_signature(verifier.public_key, text.encode(), raw[4:]):
                raise LogError(
                    f"the signature of {name} does not verify", code="checkpoint-signature"
                )
            verified = True
        elif raw[:4] == verifier.cosignature_key_id:
            if len(raw) != 4 + 8 + 64:
                raise LogError("a timestamped cosignature is 76 bytes", code="malformed-note")
            stamp = int.from_bytes(raw[4:12], "big")
            message = cosignature_message(text, stamp)
            if stamp >= 2**63 or not verify_signature(verifier.public_key, message, raw[12:]):
                raise LogError(
                    f"the timestamped signature of {name} does not verify",
                    code="checkpoint-signature",
                )
            stamps.append(stamp)
        else:
            unknown.append(line)
    if not verified:
        raise LogError(
            f"the note carries no signature by {verifier.name} ({verifier.key_id.hex()})",
            code="unknown-key",
        )
    return OpenedNote(text, max(stamps) if stamps else None, tuple(unknown))


__all__ = [
    "COSIGNATURE_ED25519",
    "ED25519",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "cosignature_message",
    "key_id",
    "open_note",
    "sign_note",
]
