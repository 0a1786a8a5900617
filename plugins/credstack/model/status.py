"""W3C Bitstring Status List v1.0: the bitstring, its encoding, and the list credential shape.

Pure data: signing happens in the registry with ``credstack.crypto``.
"""

from __future__ import annotations

import base64
import gzip
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credstack.errors import StatusError

#: Bitstring Status List v1.0 §3.1: "a minimum of 131,072 entries" (16 KB) for herd privacy.
MIN_BITS = 131_072
PURPOSES = ("revocation", "suspension")
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


@dataclass
class Bitstring:
    """A mutable status bitstring; index 0 is the most significant bit of the first byte."""

    data: bytearray

    @classmethod
    def empty(cls, bits: int = MIN_BITS) -> Bitstring:
        if bits % 8:
            raise ValueError("a bitstring length must be a multiple of 8")
        return cls(bytearray(bits // 8))

    @property
    def size(self) -> int:
        return len(self.data) * 8

    def get(self, index: int) -> bool:
        self._check(index)
        return bool(self.data[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool) -> None:
        self._check(index)
        mask = 0x80 >> (index % 8)
        if value:
            self.data[index // 8] |= mask
        else:
            self.data[index // 8] &= ~mask & 0xFF

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise StatusError(f"status index {index} is outside the list (0..{self.size - 1})")

    def encode(self) -> str:
        """§3.2 Bitstring Generation: GZIP, then multibase base64url without padding ('u')."""
        # mtime=0 keeps the bytes reproducible: the same statuses give the same list.
        compressed = gzip.compress(bytes(self.data), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str) -> Bitstring:
        """§3.3 Bitstring Expansion; raises StatusError on anything malformed or too short."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusError(
                "encodedList is not multibase base64url (it must start with 'u')",
                hint="the status list credential is damaged; rebuild it with credstack",
            )
        body = encoded[1:]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            data = gzip.decompress(raw)
        except (ValueError, OSError, EOFError) as e:
            raise StatusError(f"encodedList cannot be decoded: {e}") from e
        if len(data) * 8 < MIN_BITS:
            raise StatusError(
                f"the status list has {len(data) * 8} bits; the minimum is {MIN_BITS}"
            )
        return cls(bytearray(data))


def list_credential(
    *,
    list_url: str,
    issuer_id: str,
    purpose: str,
    bitstring: Bitstring,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential (§2.2) for ``purpose``, valid from
    ``valid_from`` until ``valid_until`` (Security Considerations, "Validity Periods": a list is
    re-signed before it expires, so an older copy cannot be replayed for long)."""
    if purpose not in PURPOSES:
        raise StatusError(f"unknown status purpose {purpose!r}")
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": format_datetime(valid_from),
        **({"validUntil": format_datetime(valid_until)} if valid_until is not None else {}),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bitstring.encode(),
        },
    }


def status_entry(*, list_url: str, purpose: str, index: int) -> dict:
    """A BitstringStatusListEntry (§2.1) pointing at bit ``index`` of ``list_url``."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def companion_list_url(list_url: str, purpose: str) -> str | None:
    """The sibling list for ``purpose`` of a credstack ``.../status/revocation-N.json`` URL.

    OB 3.0 allows one ``credentialStatus`` object per credential (its JSON Schema rejects an
    array), so credentials carry their revocation entry only. credstack keeps a suspension
    list with the same numbering and index beside it, always published with it; credstack's
    verifiers require it (a missing or untrusted companion list is an error, never "not
    suspended"). Returns None for URLs not in that form.
    """
    head, sep, tail = list_url.rpartition("/status/revocation-")
    if not sep or not re.fullmatch(r"\d+\.json", tail):
        return None
    return f"{head}/status/{purpose}-{tail}"


def format_datetime(when: datetime) -> str:
    """XML Schema dateTime in UTC with a 'Z', seconds precision (what VC 2.0 examples use)."""
    if when.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_datetime(text: str) -> datetime:
    """Parse an XML Schema dateTime with a timezone; raises ValueError otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a date-time string")
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no timezone")
    return value


def parse_date_or_datetime(text: str) -> datetime:
    """'2026-11-28' (midnight UTC) or a date-time with a timezone; raises ValueError."""
    value = text.strip()
    if "T" not in value:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return parse_datetime(value)
