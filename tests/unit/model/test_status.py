"""Bitstring Status List v1.0 encoding, checked against an independent decoder."""

import base64
import gzip
import zlib
from datetime import UTC, datetime

import pytest

from credstack.errors import StatusError
from credstack.model.status import (
    MIN_BITS,
    Bitstring,
    format_datetime,
    list_credential,
    parse_datetime,
    status_entry,
)


def independent_decode(encoded: str) -> bytes:
    """Decode per spec §3.3 without credstack: multibase 'u', base64url, GZIP."""
    assert encoded[0] == "u"
    assert "=" not in encoded, "multibase base64url carries no padding"
    body = encoded[1:]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert raw[:2] == b"\x1f\x8b", "GZIP magic"
    return zlib.decompress(raw, 16 + zlib.MAX_WBITS)


def test_empty_list_has_the_minimum_size_and_no_bits_set():
    data = independent_decode(Bitstring.empty().encode())
    assert len(data) * 8 == MIN_BITS == 131_072
    assert not any(data)


@pytest.mark.parametrize("index", [0, 1, 7, 8, 12345, MIN_BITS - 1])
def test_index_zero_is_the_most_significant_bit_of_the_first_byte(index):
    bits = Bitstring.empty()
    bits.set(index, True)
    data = independent_decode(bits.encode())
    byte, offset = divmod(index, 8)
    assert data[byte] == 0x80 >> offset
    assert sum(bin(b).count("1") for b in data) == 1
    assert Bitstring.decode(bits.encode()).get(index)


def test_set_and_clear_round_trip():
    bits = Bitstring.empty()
    bits.set(42, True)
    bits.set(42, False)
    assert not Bitstring.decode(bits.encode()).get(42)


def test_encoding_is_deterministic():
    a, b = Bitstring.empty(), Bitstring.empty()
    a.set(3, True)
    b.set(3, True)
    assert a.encode() == b.encode()


def test_rejects_list_shorter_than_the_minimum():
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1024))).decode().rstrip("=")
    with pytest.raises(StatusError, match="minimum"):
        Bitstring.decode(short)


@pytest.mark.parametrize("bad", ["", "zabc", "u!!!", "u" + "A" * 40])
def test_rejects_malformed_encoded_list(bad):
    with pytest.raises(StatusError):
        Bitstring.decode(bad)


def test_rejects_index_outside_the_list():
    with pytest.raises(StatusError, match="outside"):
        Bitstring.empty().get(MIN_BITS)


def test_list_credential_and_entry_shapes():
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    url = "https://example.org/status/revocation-1.json"
    doc = list_credential(
        list_url=url,
        issuer_id="did:web:example.org",
        purpose="revocation",
        bitstring=Bitstring.empty(),
        valid_from=when,
    )
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["credentialSubject"]["type"] == "BitstringStatusList"
    assert doc["credentialSubject"]["statusPurpose"] == "revocation"
    assert doc["validFrom"] == "2026-01-02T03:04:05Z"
    entry = status_entry(list_url=url, purpose="revocation", index=7)
    assert entry["statusListIndex"] == "7" and entry["type"] == "BitstringStatusListEntry"


def test_datetime_helpers_require_timezones():
    assert parse_datetime("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_datetime("2026-01-02T03:04:05")
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 1, 2))
