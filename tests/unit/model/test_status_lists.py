"""Reading other issuers' status lists: BitstringStatusList, StatusList2021 (no multibase
prefix), 1EdTech Revocation List; lists served at a URL other than their id; bounded GZIP."""

from __future__ import annotations

import base64
import gzip
import json
import tracemalloc
from pathlib import Path

import pytest

from credstack.errors import StatusError
from credstack.model.status import (
    MAX_LIST_BYTES,
    MIN_BITS,
    Bitstring,
    StatusEntry,
    decode_encoded_list,
    list_location,
    read_status_list,
    revoked_in_1edtech_list,
    status_entries,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def _document(url: str) -> dict:
    return json.loads((CORPUS / MANIFEST["documents"][url]["file"]).read_text(encoding="utf-8"))


DCC = "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/src/test-fixtures/status/e5WK8CbZ1GjycuPombrj"
PROMISE = "https://digital-promise.github.io/credential-status-list/5R6EGMYJCL"
ONEEDTECH = next(url for url in MANIFEST["documents"] if url.endswith("bit-string-list/testlist"))


def test_bitstring_list_served_elsewhere_matches_the_fixture_names():
    entry = StatusEntry("BitstringStatusListEntry", "revocation", DCC, 6)
    listing = read_status_list(_document(DCC), entry=entry, min_bits=100_000)
    # vc-test-fixtures: index 6 and 8 only in "revokedStatus" names, 7 only in "validStatus".
    assert (listing.get(6), listing.get(7), listing.get(8)) == (True, False, True)
    assert list_location(entry, _document(DCC)) == "served-elsewhere"


def test_lists_below_the_herd_privacy_minimum_are_refused_by_default():
    entry = StatusEntry("BitstringStatusListEntry", "revocation", DCC, 6)
    with pytest.raises(StatusError, match="100000 bits; the minimum is 131072"):
        read_status_list(_document(DCC), entry=entry)


def test_status_list_2021_has_no_multibase_prefix():
    document = _document(PROMISE)
    assert not document["credentialSubject"]["encodedList"].startswith("u")
    entry = StatusEntry("StatusList2021Entry", "revocation", PROMISE, 15)
    listing = read_status_list(document, entry=entry, min_bits=100_000)
    assert listing.kind == "StatusList2021" and listing.get(15) and not listing.get(14)
    assert list_location(entry, document) == "same"
    # The same bytes read as a BitstringStatusList are refused (the 'u' prefix is required).
    with pytest.raises(StatusError, match="starts with 'u'"):
        decode_encoded_list(
            document["credentialSubject"]["encodedList"], kind="BitstringStatusList"
        )


def test_1edtech_bitstring_list_and_wrong_purpose_or_type():
    document = _document(ONEEDTECH)
    entry = StatusEntry("BitstringStatusListEntry", "revocation", ONEEDTECH, 23)
    assert read_status_list(document, entry=entry).get(23)
    with pytest.raises(StatusError, match="not suspension"):
        read_status_list(document, entry=StatusEntry(entry.type, "suspension", ONEEDTECH, 23))
    with pytest.raises(StatusError, match="not a StatusList2021Credential"):
        read_status_list(document, entry=StatusEntry("StatusList2021Entry", "revocation", "u", 1))


def test_entries_of_every_kind_and_the_unsupported_ones():
    credential = {
        "id": "urn:uuid:1",
        "credentialStatus": [
            {
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "94567",
                "statusListCredential": "https://a.example/1",
            },
            {
                "type": "StatusList2021Entry",
                "statusPurpose": "suspension",
                "statusListIndex": 7,
                "statusListCredential": "https://a.example/2",
            },
            {"type": "1EdTechRevocationList", "id": "https://a.example/revocations"},
            {"type": "SomeOtherStatus"},
        ],
    }
    entries, unsupported = status_entries(credential)
    assert [(e.type, e.purpose, e.index) for e in entries] == [
        ("BitstringStatusListEntry", "revocation", 94567),
        ("StatusList2021Entry", "suspension", 7),
        ("1EdTechRevocationList", "revocation", None),
    ]
    assert unsupported == ["SomeOtherStatus"]
    single = {"credentialStatus": credential["credentialStatus"][0]}
    assert len(status_entries(single)[0]) == 1
    for bad in (
        {"statusListIndex": "-1"},
        {"statusListIndex": True},
        {"statusSize": 2},
        {"statusListCredential": None},
    ):
        entry = {**credential["credentialStatus"][0], **bad}
        with pytest.raises(StatusError):
            status_entries({"credentialStatus": entry})


def test_1edtech_revocation_list():
    listing = {"revokedCredential": [{"id": "urn:uuid:1"}, {"id": "urn:uuid:2", "revoked": False}]}
    assert revoked_in_1edtech_list(listing, "urn:uuid:1")
    assert not revoked_in_1edtech_list(listing, "urn:uuid:2")
    assert not revoked_in_1edtech_list(listing, "urn:uuid:3")
    with pytest.raises(StatusError):
        revoked_in_1edtech_list({"revokedCredential": "urn:uuid:1"}, "urn:uuid:1")


def test_a_gzip_bomb_is_refused_without_inflating_it():
    bomb = gzip.compress(bytes(4 * MAX_LIST_BYTES), mtime=0)
    encoded = "u" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    assert len(encoded) < 150_000
    tracemalloc.start()
    try:
        with pytest.raises(StatusError, match="inflates to more than"):
            decode_encoded_list(encoded, kind="BitstringStatusList")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Inflated only up to the limit, never the 64 MiB the bomb holds.
    assert peak < 2 * MAX_LIST_BYTES + 1024 * 1024
    assert decode_encoded_list(Bitstring.empty().encode(), kind="BitstringStatusList").size == (
        MIN_BITS
    )
