"""Open Badges 3.0 baking: the signed credential carried inside a PNG or SVG badge image.

OB 3.0 §5.3 (Baked Badges): PNG gets one ``iTXt`` chunk with keyword ``openbadgecredential``
(uncompressed) whose text is the credential JSON; SVG gets an ``<openbadges:credential>`` element
(namespace ``https://purl.imsglobal.org/ob/v3p0``) whose CDATA content is the JSON.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any, Literal

from credstack.errors import CredentialError
from credstack.model import jsondoc

#: Larger inputs are refused before anything is parsed (no badge image comes near it).
MAX_INPUT_BYTES = jsondoc.MAX_BYTES
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Badge images carry a few dozen chunks; a file with more is refused before it is walked.
MAX_CHUNKS = 10_000
PNG_KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
_SVG_VERIFY = re.compile(
    rb"<openbadges:credential\b[^>]*?\sverify\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.S
)
_SVG_CREDENTIAL = re.compile(
    rb"<openbadges:credential(?:\s[^>]*)?>\s*(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))\s*"
    rb"</openbadges:credential>",
    re.S,
)


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, payload) chunks of a PNG; raises CredentialError if it is not a valid PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise CredentialError("not a PNG image")
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        if len(chunks) >= MAX_CHUNKS:
            raise CredentialError(f"the PNG image has more than {MAX_CHUNKS:,} chunks")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        payload = data[pos + 8 : pos + 8 + length]
        crc = data[pos + 8 + length : pos + 12 + length]
        if len(payload) != length or len(crc) != 4:
            raise CredentialError("the PNG image is truncated")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + payload) & 0xFFFFFFFF:
            raise CredentialError(f"the PNG chunk {kind.decode('latin-1')} is corrupt")
        chunks.append((kind, payload))
        pos += 12 + length
        if kind == b"IEND":
            break
    return chunks


def extract_from_png(data: bytes) -> dict[str, Any]:
    """The credential baked into a PNG; raises CredentialError when there is none."""
    payload = _png_payload(data)
    return _parse(payload, "PNG")


def _png_payload(data: bytes) -> bytes:
    _check_size(data)
    found = []
    for kind, payload in png_chunks(data):
        if kind == b"iTXt":
            keyword, _, rest = payload.partition(b"\x00")
            if keyword != PNG_KEYWORD:
                continue
            if len(rest) < 2:
                raise CredentialError("the PNG iTXt chunk openbadgecredential is truncated")
            if rest[0] != 0:
                # OB 3.0 §5.3.1: the iTXt chunk is not compressed. Refusing it also refuses
                # decompression bombs (a few KB that inflate to gigabytes).
                raise CredentialError(
                    "the PNG's openbadgecredential iTXt chunk is compressed, which Open Badges "
                    "3.0 §5.3.1 does not allow",
                    hint="re-bake the image with an uncompressed iTXt chunk",
                )
            _lang, _, rest = rest[2:].partition(b"\x00")
            _tkey, _, text = rest.partition(b"\x00")
            found.append(text)
        elif kind == b"tEXt":
            keyword, _, text = payload.partition(b"\x00")
            if keyword == PNG_KEYWORD:
                found.append(text)
    if not found:
        raise CredentialError("the PNG image carries no baked credential")
    if len(found) > 1:
        raise CredentialError("the PNG image carries more than one baked credential")
    return found[0]


def extract_from_svg(data: bytes) -> dict[str, Any]:
    """The credential baked into an SVG; raises CredentialError when there is none."""
    return _parse(_svg_payload(data), "SVG")


def _svg_payload(data: bytes) -> bytes:
    _check_size(data)
    elements = data.count(b"<openbadges:credential")
    if elements > 1:
        raise CredentialError("the SVG image carries more than one baked credential")
    matches = _SVG_CREDENTIAL.findall(data)
    verify = _SVG_VERIFY.findall(data)
    if not matches and not verify:
        raise CredentialError("the SVG image carries no baked credential")
    if verify:
        # OB 3.0 §5.3.2: a VC-JWT may be given in the element's verify attribute instead.
        return _xml_unescape(verify[0][0] or verify[0][1])
    cdata, plain = matches[0]
    return cdata or _xml_unescape(plain)


def _xml_unescape(raw: bytes) -> bytes:
    text = raw.decode("utf-8", "replace")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&").encode("utf-8")


def _check_size(data: bytes) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise CredentialError(
            f"the file is {len(data):,} bytes; credstack reads credentials and badge images of "
            f"at most {MAX_INPUT_BYTES:,} bytes",
            hint="is this the right file? A baked badge is usually well under 1 MB",
        )


_JWS = re.compile(rb"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class BakedPayload:
    """What a file carries: a JSON credential (``credential``) or a VC-JWT (``token``)."""

    kind: Literal["json", "jwt"]
    where: Literal["file", "PNG", "SVG"]
    credential: dict[str, Any] | None = None
    token: str | None = None


def extract_payload(data: bytes) -> BakedPayload:
    """The JSON credential or VC-JWT in a file, a baked PNG or a baked SVG (OB 3.0 §5.3).

    Bounded: inputs over MAX_INPUT_BYTES and compressed iTXt chunks are refused at once.
    Raises CredentialError with what was found instead.
    """
    _check_size(data)
    if data.startswith(PNG_SIGNATURE):
        raw, where = _png_payload(data), "PNG"
    else:
        head = data.lstrip()[:512]
        if head.startswith(b"<") and (b"<svg" in data[:4096] or b"<?xml" in head):
            raw, where = _svg_payload(data), "SVG"
        else:
            raw, where = data, "file"
    text = raw.strip()
    if _JWS.match(text):
        return BakedPayload(kind="jwt", where=where, token=text.decode("ascii"))  # type: ignore[arg-type]
    return BakedPayload(kind="json", where=where, credential=_parse(text, where))  # type: ignore[arg-type]


def _parse(raw: bytes, where: str) -> dict[str, Any]:
    what = "the file" if where == "file" else f"the credential baked into the {where}"
    doc = jsondoc.loads(raw, what)
    if not isinstance(doc, dict):
        raise CredentialError(f"the credential baked into the {where} is not a JSON object")
    return doc


def extract(data: bytes) -> dict[str, Any]:
    """The credential in a JSON file, a baked PNG or a baked SVG (sniffed from the bytes)."""
    _check_size(data)
    if data.startswith(PNG_SIGNATURE):
        return extract_from_png(data)
    head = data.lstrip()[:512]
    if head.startswith(b"<") and (b"<svg" in data[:4096] or b"<?xml" in head):
        return extract_from_svg(data)
    return _parse(data, "file")


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def _json_object_text(credential_json_text: str) -> str:
    try:
        doc = json.loads(credential_json_text)
    except (TypeError, json.JSONDecodeError) as e:
        raise CredentialError("only a JSON credential can be baked into an image") from e
    if not isinstance(doc, dict):
        raise CredentialError("only a JSON object can be baked into an image")
    return credential_json_text


def _is_baked_chunk(kind: bytes, payload: bytes) -> bool:
    return kind in (b"iTXt", b"tEXt", b"zTXt") and payload.partition(b"\x00")[0] == PNG_KEYWORD


def bake_png(png_bytes: bytes, credential_json_text: str) -> bytes:
    """The PNG with ``credential_json_text`` baked in (OB 3.0 §5.3.1); deterministic.

    Writes one uncompressed ``iTXt`` chunk, keyword ``openbadgecredential``, no language tag,
    just before the first ``IDAT``; any credential baked earlier is replaced. Raises
    CredentialError when the image is not a PNG or the text is not a JSON object.
    """
    text = _json_object_text(credential_json_text).encode("utf-8")
    chunks = [(k, p) for k, p in png_chunks(png_bytes) if not _is_baked_chunk(k, p)]
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise CredentialError("the PNG image has no IHDR or IEND chunk")
    # iTXt: keyword NUL, compression flag 0, method 0, language tag NUL, translated keyword NUL.
    baked = _png_chunk(b"iTXt", PNG_KEYWORD + b"\x00\x00\x00" + b"\x00" + b"\x00" + text)
    out = [PNG_SIGNATURE]
    inserted = False
    for kind, payload in chunks:
        if kind == b"IDAT" and not inserted:
            out.append(baked)
            inserted = True
        out.append(_png_chunk(kind, payload))
    if not inserted:
        raise CredentialError("the PNG image has no image data (IDAT)")
    return b"".join(out)


def bake_svg(svg_text: str, credential_json_text: str) -> str:
    """The SVG with ``credential_json_text`` baked in (OB 3.0 §5.3.2); deterministic.

    Declares ``xmlns:openbadges`` on the root ``<svg>`` and puts one
    ``<openbadges:credential>`` element holding the JSON in CDATA right after it, replacing any
    credential baked earlier. ``]]>`` inside JSON strings is written as ``]]\\u003e`` (the same
    JSON value) so that it cannot end the CDATA section. Raises CredentialError when there is
    no ``<svg>`` element or the text is not a JSON object.
    """
    text = _json_object_text(credential_json_text).replace("]]>", "]]\\u003e")
    data = _SVG_CREDENTIAL.sub(b"", svg_text.encode("utf-8"))
    root = _SVG_ROOT.search(data)
    if root is None or root.group(0).endswith(b"/>"):
        raise CredentialError("the SVG image has no <svg> element to bake into")
    tag = root.group(0)
    if b"xmlns:openbadges=" not in tag:
        tag = tag[:-1].rstrip() + f' xmlns:openbadges="{SVG_NAMESPACE}">'.encode()
    element = f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>".encode()
    return (data[: root.start()] + tag + element + data[root.end() :]).decode("utf-8")
