"""W3C Bitstring Status List v1.0: the bitstring, its encoding, and the list credential shape.

Pure data: signing happens in the registry with ``credstack.crypto``.
"""

from __future__ import annotations

import base64
import gzip
import re
import zlib
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


def status_entry(*, list_url: str, purpose: str, index: int) -> dict[str, Any]:
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


#: XML Schema 1.1 dateTimeStamp (a dateTime with a time zone), with four-digit years: the one
#: form credentials, proofs, status lists and the status log use.
DATETIME_STAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d+)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})$"
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(text: str) -> datetime:
    """Parse an XML Schema dateTimeStamp (``2026-11-28T10:00:00Z``); raises ValueError otherwise.

    The one date-time parser of credstack (``crypto.proof`` wraps it): no other ISO 8601 forms
    (no week dates, no basic format, no space for 'T', no lower-case 'z'), and only moments that
    can be expressed in UTC (no year 0001 with a positive offset).
    """
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a date-time string")
    match = DATETIME_STAMP.match(text)
    if not match:
        raise ValueError(
            f"{text[:40]!r} is not a date-time with a time zone like 2026-11-28T10:00:00Z"
        )
    fraction = (match["fraction"] or "")[:7]  # Python keeps microseconds: '.' + 6 digits
    zone = "+00:00" if match["zone"] == "Z" else match["zone"]
    try:
        value = datetime.fromisoformat(f"{match['date']}T{match['time']}{fraction}{zone}")
        value.astimezone(UTC)
    except (ValueError, OverflowError) as e:
        raise ValueError(f"{text!r} is not a valid date and time ({e})") from None
    return value


def parse_date_or_datetime(text: str) -> datetime:
    """'2026-11-28' (midnight UTC) or a dateTimeStamp (see :func:`parse_datetime`); ValueError.

    The parser of dates people type (command-line flags, the cohort CSV's ``issued_at``).
    """
    value = text.strip()
    if DATE.match(value):
        try:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        except ValueError as e:
            raise ValueError(f"{value!r} is not a valid date ({e})") from None
    if "T" not in value:
        raise ValueError(f"{value[:40]!r} is not a date like 2026-11-28")
    return parse_datetime(value)


# --- Reading other issuers' lists ------------------------------------------------------------
#
# Three status mechanisms appear in Open Badges 3.0 credentials:
#
# * BitstringStatusListEntry (W3C Bitstring Status List v1.0): encodedList is multibase
#   base64url ('u' prefix) of the GZIP of the bitstring.
# * StatusList2021Entry (W3C CCG Status List 2021, the predecessor; VC 1.1 credentials of DCC and
#   others): encodedList is base64url of the GZIP *without* the multibase prefix (CG report
#   2023-01-02 §2.3 "encodedList ... GZIP-compressed, base-64 encoded"). Padding and the
#   standard alphabet are tolerated, as Digital Bazaar's decoder does.
# * 1EdTechRevocationList (OB 3.0 §9.x, the 1EdTech Revocation List Status Method): the entry's
#   `id` is the URL of a JSON document whose `revokedCredential` array lists
#   {id, revoked?, revocationReason?}; the credential is revoked when its id is listed with
#   `revoked` true or absent (as the 1EdTech validator reads it). The document is not signed.
#
# Lists may arrive as VC-JWTs: verify them with credstack.crypto.suites.verify_jwt and pass the
# credential it returns to read_status_list.
#
# Where a list is served (the rule implemented by list_location): the entry's
# statusListCredential URL is the one that is fetched, and it is what identifies the list for
# the credential. The list credential's own `id` SHOULD be that URL (Bitstring Status List §2.2
# example; StatusList2021 §2.2), but DCC and 1EdTech publish test lists (and DCC production
# lists moved between hosts) whose `id` is another URL, and their verifiers accept them. A
# different id is therefore reported ("served-elsewhere"), not treated as a failure; the list
# must still verify and be issued by an issuer the verifier accepts for the credential. An id
# that is not a string, when present, is malformed.

#: Status entry types and the list credential / list types that serve them.
STATUS_TYPES = {
    "BitstringStatusListEntry": ("BitstringStatusListCredential", "BitstringStatusList"),
    "StatusList2021Entry": ("StatusList2021Credential", "StatusList2021"),
}
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
#: A credential naming more status entries than this is refused (each may cost a fetch).
MAX_STATUS_ENTRIES = 16
#: Decompressed lists larger than this are refused (a GZIP bomb cannot exhaust memory).
MAX_LIST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class StatusEntry:
    """One credentialStatus entry: its type, purpose, list URL and index (None for 1EdTech).

    ``implied``: credstack's companion suspension list, not named in the credential itself.
    """

    type: str
    purpose: str
    list_url: str
    index: int | None
    size: int = 1
    implied: bool = False


@dataclass(frozen=True)
class StatusList:
    """A decoded status list: which mechanism, its purpose, its own id and the bits."""

    kind: str
    purpose: str
    id: str | None
    bits: Bitstring

    def get(self, index: int) -> bool:
        """Whether the status bit at index is set; raise StatusError outside the list."""
        return self.bits.get(index)


def status_entries(credential: dict[str, Any]) -> tuple[list[StatusEntry], list[str]]:
    """The readable credentialStatus entries and the types of the others (unsupported).

    A single object and an array are both read (VC 2.0 allows an array; OB 3.0's schema one
    object). Raises StatusError for an entry of a known type that is malformed.
    """
    raw = credential.get("credentialStatus") if isinstance(credential, dict) else None
    items = raw if isinstance(raw, list) else ([] if raw is None else [raw])
    if len(items) > MAX_STATUS_ENTRIES:
        raise StatusError(
            f"{len(items)} credentialStatus entries; credstack reads at most {MAX_STATUS_ENTRIES}"
        )
    entries: list[StatusEntry] = []
    unsupported: list[str] = []
    for item in items:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind in STATUS_TYPES:
            entries.append(_list_entry(item))
        elif kind == REVOCATION_LIST_TYPE:
            url = item.get("id")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise StatusError("a 1EdTechRevocationList entry needs the list URL as its id")
            entries.append(StatusEntry(REVOCATION_LIST_TYPE, "revocation", url, None))
        else:
            unsupported.append(str(kind))
    return entries, unsupported


def _list_entry(item: dict[str, Any]) -> StatusEntry:
    url, purpose = item.get("statusListCredential"), item.get("statusPurpose")
    if not isinstance(url, str) or not url:
        raise StatusError(f"the {item['type']} has no statusListCredential URL")
    if not isinstance(purpose, str) or not purpose:
        raise StatusError(f"the {item['type']} has no statusPurpose")
    index_text = item.get("statusListIndex")
    # Both specs say a string of digits; the 1EdTech sample writes a number. Read both (a JSON
    # number is read as JavaScript reads it: 3.0 is 3).
    if isinstance(index_text, float) and index_text.is_integer():
        index_text = int(index_text)
    text = (
        str(index_text)
        if isinstance(index_text, (str, int)) and not isinstance(index_text, bool)
        else ""
    )
    if not re.fullmatch(r"\d{1,15}", text):
        raise StatusError(f"statusListIndex {index_text!r} is not a non-negative integer")
    size = item.get("statusSize", 1)
    if str(size) != "1":
        raise StatusError(f"statusSize {size!r} is not supported (only 1-bit statuses)")
    return StatusEntry(item["type"], purpose, url, int(text))


def decode_encoded_list(encoded: Any, *, kind: str, min_bits: int = MIN_BITS) -> Bitstring:
    """The bitstring of a list's encodedList (kind: the list type); raise StatusError.

    Lists shorter than min_bits are refused: Bitstring Status List v1.0 §3.2 step 11
    (STATUS_LIST_LENGTH_ERROR, 131,072 entries for herd privacy). DCC's published lists hold
    100,000 bits; a caller that accepts them passes a lower min_bits, knowingly.
    """
    if not isinstance(encoded, str) or not encoded:
        raise StatusError("the status list has no encodedList")
    if kind == "BitstringStatusList":
        if not encoded.startswith("u"):
            raise StatusError("a BitstringStatusList encodedList starts with 'u' (multibase)")
        body = encoded[1:]
    else:
        body = encoded
    if not re.fullmatch(r"[A-Za-z0-9_\-+/]*={0,2}", body):
        raise StatusError("encodedList is not base64")
    body = body.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=31)  # GZIP container
        data = inflater.decompress(compressed, MAX_LIST_BYTES + 1)
    except (ValueError, zlib.error) as error:
        raise StatusError(f"encodedList cannot be decoded: {error}") from None
    if len(data) > MAX_LIST_BYTES:
        raise StatusError(f"the status list inflates to more than {MAX_LIST_BYTES:,} bytes")
    if len(data) * 8 < min_bits:
        raise StatusError(f"the status list has {len(data) * 8} bits; the minimum is {min_bits}")
    return Bitstring(bytearray(data))


def read_status_list(
    list_credential: dict[str, Any], *, entry: StatusEntry, min_bits: int = MIN_BITS
) -> StatusList:
    """The list a status list credential carries, checked against the entry; raise StatusError.

    Checks the credential and subject types for the entry's mechanism and that the list's
    statusPurpose includes the entry's. Proof, issuer and validity window are the caller's.
    """
    if entry.type not in STATUS_TYPES:
        raise StatusError(f"{entry.type} entries do not point at a status list credential")
    credential_type, subject_type = STATUS_TYPES[entry.type]
    types = _as_list(list_credential.get("type") if isinstance(list_credential, dict) else None)
    if credential_type not in types:
        raise StatusError(f"the document at {entry.list_url} is not a {credential_type}")
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict) or subject_type not in _as_list(subject.get("type")):
        raise StatusError(f"the status list's credentialSubject is not a {subject_type}")
    purposes = _as_list(subject.get("statusPurpose"))
    if entry.purpose not in purposes:
        raise StatusError(f"the status list is for {purposes}, not {entry.purpose}")
    own_id = list_credential.get("id")
    if own_id is not None and not isinstance(own_id, str):
        raise StatusError("the status list credential's id is not a string")
    bits = decode_encoded_list(subject.get("encodedList"), kind=subject_type, min_bits=min_bits)
    return StatusList(subject_type, entry.purpose, own_id, bits)


def list_location(entry: StatusEntry, list_credential: dict[str, Any]) -> str:
    """'same' when the list credential's id is the URL it was fetched from, else
    'served-elsewhere' (see the rule above; not a failure)."""
    own_id = list_credential.get("id") if isinstance(list_credential, dict) else None
    return "same" if own_id in (None, entry.list_url) else "served-elsewhere"


def revoked_in_1edtech_list(revocation_list: dict[str, Any], credential_id: str) -> bool:
    """Whether a 1EdTech Revocation List revokes credential_id; raise StatusError if malformed."""
    if not isinstance(revocation_list, dict):
        raise StatusError("the 1EdTech revocation list is not a JSON object")
    items = revocation_list.get("revokedCredential", [])
    if not isinstance(items, list):
        raise StatusError("revokedCredential must be an array")
    for item in items:
        if isinstance(item, dict) and item.get("id") == credential_id:
            return item.get("revoked", True) is not False
    return False


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
