"""Baked payloads (OB 3.0 §5.3): JSON or a VC-JWT in PNG iTXt and SVG; bounded extraction."""

from __future__ import annotations

import json
import struct
import time
import zlib
from pathlib import Path

import pytest

from credstack.errors import CredentialError
from credstack.model.baking import (
    MAX_INPUT_BYTES,
    PNG_KEYWORD,
    PNG_SIGNATURE,
    extract,
    extract_payload,
)

OB30 = (
    Path(__file__).resolve().parents[2]
    / "corpus/credentials/1edtech-validator/inspector-vc/src/test/resources/ob30"
)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _png(*chunks: bytes) -> bytes:
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    return PNG_SIGNATURE + header + b"".join(chunks) + _chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("name", "kind", "where"),
    [
        ("simple-json.png", "json", "PNG"),
        ("simple-jwt.png", "jwt", "PNG"),
        ("simple-json.svg", "json", "SVG"),
        ("simple-jwt.svg", "jwt", "SVG"),
        ("simple.jwt", "jwt", "file"),
        ("simple.1ob", "json", "file"),
    ],
)
def test_1edtech_baked_samples(name, kind, where):
    payload = extract_payload((OB30 / name).read_bytes())
    assert (payload.kind, payload.where) == (kind, where)
    if kind == "jwt":
        assert payload.token and payload.token.count(".") == 2 and payload.credential is None
    else:
        assert payload.credential and "proof" in payload.credential


def test_a_compressed_itxt_bomb_is_refused_at_once():
    bomb = zlib.compress(b"{" + b" " * (200 * 1024 * 1024) + b"}", 9)
    chunk = _chunk(b"iTXt", PNG_KEYWORD + b"\x00\x01\x00\x00\x00" + bomb)
    start = time.perf_counter()
    with pytest.raises(CredentialError, match="compressed"):
        extract_payload(_png(chunk))
    with pytest.raises(CredentialError, match="compressed"):
        extract(_png(chunk))
    assert time.perf_counter() - start < 2


def test_inputs_over_10_mb_are_refused_before_parsing():
    huge = b"{" + b" " * MAX_INPUT_BYTES + b"}"
    for reader in (extract_payload, extract):
        with pytest.raises(CredentialError, match="at most 10,485,760 bytes"):
            reader(huge)


def test_svg_verify_attribute_and_two_credentials():
    token = (OB30 / "simple.jwt").read_text().strip()
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><openbadges:credential verify="{token}"/></svg>'
    assert extract_payload(svg.encode()).token == token
    two = svg.replace("</svg>", f'<openbadges:credential verify="{token}"/></svg>')
    with pytest.raises(CredentialError, match="more than one"):
        extract_payload(two.encode())


def test_json_that_is_not_an_object_is_refused():
    with pytest.raises(CredentialError, match="not a JSON object"):
        extract_payload(json.dumps([1, 2]).encode())
