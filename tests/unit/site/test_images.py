"""Badge images: deterministic bytes, readable QR codes, baked credentials that come back out."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from credstack.errors import CredentialError
from credstack.model.badge import badge_svg
from credstack.model.baking import bake_png, bake_svg, extract, extract_from_png
from credstack.site import images

URL = "https://northwind-lab.github.io/credentials/credentials/2026-k3j5x9q2mf/"
TEXT = images.BadgeText(
    achievement="Designing Participatory Workshops for Hybrid Teams",
    level="practitioner",
    recipient="Amélie Łukasiewicz-Fernández",
    issued="28 November 2026",
    issuer="Northwind Facilitation Lab",
)
CREDENTIAL = json.dumps({"id": URL, "name": "x]]>y <b>&</b>", "type": ["VerifiableCredential"]})


@pytest.fixture(scope="module")
def artwork() -> bytes:
    return images.achievement_artwork(TEXT.achievement, TEXT.level, None, TEXT.issuer)


def decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_same_input_gives_the_same_bytes(artwork):
    assert images.achievement_artwork("A", "foundation", "#123456", "I") == (
        images.achievement_artwork("A", "foundation", "#123456", "I")
    )
    assert images.credential_badge_png(TEXT, URL, artwork) == images.credential_badge_png(
        TEXT, URL, artwork
    )
    assert badge_svg(TEXT, URL) == badge_svg(TEXT, URL)
    preview = (TEXT.achievement, TEXT.level, None, TEXT.issuer, artwork, "Revoked")
    assert images.preview_png(*preview) == images.preview_png(*preview)


def test_credential_badges_are_small_palette_pngs():
    """A palette PNG of the badge's own colours: about a fifth of full colour, no colour
    of the design lost (the band, the ink and the QR code's black and white are all there)."""
    png = images.credential_badge_png(TEXT, URL)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P"
    assert len(png) < 12_000
    colours = {c for _, c in image.convert("RGB").getcolors(256)}
    assert {(0, 0, 0), (255, 255, 255), images.rgb("#4338ca"), images.INK} <= colours


def test_sizes(artwork):
    assert Image.open(io.BytesIO(artwork)).size == (600, 600)
    badge = images.credential_badge_png(TEXT, URL, artwork)
    assert Image.open(io.BytesIO(badge)).size == (600, 600)
    preview = images.preview_png(TEXT.achievement, TEXT.level, None, TEXT.issuer, artwork)
    assert Image.open(io.BytesIO(preview)).size == (1200, 627)


def test_badge_qr_code_decodes_to_the_page_url(artwork):
    assert decode(images.credential_badge_png(TEXT, URL, artwork)) == [URL]


def test_svg_qr_path_draws_the_same_code():
    svg = badge_svg(TEXT, URL)
    match = re.search(
        r'translate\((\d+) (\d+)\) scale\((\d+)\)" stroke="#000000"[^>]* d="([^"]+)"', svg
    )
    assert match, "the QR code is one path"
    x, y, module, path = int(match[1]), int(match[2]), int(match[3]), match[4]
    image = Image.new("L", (600, 600), 255)
    draw = ImageDraw.Draw(image)
    col = row = 0
    for cmd, a, b, width in re.findall(r"([Mm])(-?\d+) (\d+)(?:\.5)?h(\d+)", path):
        col, row = (int(a), int(b)) if cmd == "M" else (col + int(a), row)
        x0, y0 = x + col * module, y + row * module
        draw.rectangle((x0, y0, x0 + int(width) * module - 1, y0 + module - 1), fill=0)
        col += int(width)
    out = io.BytesIO()
    image.save(out, "PNG")
    assert decode(out.getvalue()) == [URL]


def test_svg_is_well_formed_and_escapes_text():
    hostile = images.BadgeText("A & <B>", "foundation", "<img src=x onerror=alert(1)>", "d", "I")
    svg = badge_svg(hostile, URL)
    root = ET.fromstring(svg.encode())
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "<img src=x onerror=alert(1)>" in texts  # as text, parsed back by an XML parser
    assert "<img" not in svg


def test_text_on_picks_a_readable_ink():
    assert images.text_on("#0f766e") == images.WHITE
    assert images.text_on("#f5d90a") == images.INK


def test_png_baking_round_trip(artwork):
    badge = bake_png(images.credential_badge_png(TEXT, URL, artwork), CREDENTIAL)
    assert extract(badge) == json.loads(CREDENTIAL)
    # OB 3.0 §5.3.1: one uncompressed iTXt chunk, keyword openbadgecredential, exact text.
    assert b"iTXt" + b"openbadgecredential\x00\x00\x00\x00\x00" + CREDENTIAL.encode() in badge
    Image.open(io.BytesIO(badge)).load()  # still a valid PNG
    assert decode(badge) == [URL]


def test_baking_again_replaces_the_credential(artwork):
    badge = bake_png(images.credential_badge_png(TEXT, URL, artwork), CREDENTIAL)
    other = json.dumps({"id": "other"})
    assert extract_from_png(bake_png(badge, other)) == {"id": "other"}
    assert bake_png(badge, CREDENTIAL) == badge
    svg = bake_svg(badge_svg(TEXT, URL), CREDENTIAL)
    assert extract(bake_svg(svg, other).encode()) == {"id": "other"}
    assert bake_svg(svg, CREDENTIAL) == svg


def test_svg_baking_round_trip_survives_cdata_end_marker():
    svg = bake_svg(badge_svg(TEXT, URL), CREDENTIAL)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in svg
    assert svg.count("<openbadges:credential>") == 1
    assert extract(svg.encode()) == json.loads(CREDENTIAL)
    ET.fromstring(svg.encode())  # the CDATA section did not end early


def test_baking_refuses_what_is_not_a_json_object(artwork):
    png = images.credential_badge_png(TEXT, URL, artwork)
    with pytest.raises(CredentialError, match="JSON"):
        bake_png(png, "not json")
    with pytest.raises(CredentialError, match="JSON object"):
        bake_svg(badge_svg(TEXT, URL), "[1, 2]")
    with pytest.raises(CredentialError, match="not a PNG"):
        bake_png(b"GIF89a", CREDENTIAL)
    with pytest.raises(CredentialError, match="<svg>"):
        bake_svg("<html></html>", CREDENTIAL)


def test_given_images_are_converted_to_png():
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 20, 30)).save(out, "JPEG")
    png = images.convert_to_png(out.getvalue())
    assert Image.open(io.BytesIO(png)).size == (600, 400)


def test_badges_use_a_font_with_accents():
    """Names like "Amélie Łukasiewicz" need more than ASCII: the font-source-sans-pro wheel."""
    assert images.font_name() == "SourceSansPro"

    def glyph(char: str) -> bytes:
        image = Image.new("L", (40, 40))
        ImageDraw.Draw(image).text((5, 0), char, font=images.font(30), fill=255)
        return image.tobytes()

    missing = glyph("\ue000")  # a private-use code point: the font has no glyph for it
    for char in "éŁłńőçøЖλ":
        assert glyph(char) != missing, char
