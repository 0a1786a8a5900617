"""The badge layout: QR codes through qrcode's public API, text that never clips, and the same
SVG from the browser's badge maker (the committed bundle, run by node) byte for byte."""

from __future__ import annotations

import io
import json
import random
import shutil
import string
import subprocess
from pathlib import Path

import pytest
import qrcode
import qrcode.constants
import zxingcpp
from PIL import Image

from credstack.model import badge as badge_layout
from credstack.model import badge_image
from credstack.model.badge import BadgeText
from credstack.site import images

BUNDLE = Path(images.__file__).parent / "assets" / "badge" / "credstack-badge.js"
SITE = "https://northwind-lab.github.io/credentials/credentials/"

HOSTILE = [
    BadgeText(
        "Evidence-Based Session Design",
        "foundation",
        "Amara Okafor",
        "14 February 2025",
        "Northwind Facilitation Lab",
        "#1f6f8b",
    ),
    BadgeText(
        "Designing Participatory Workshops for Hybrid Teams across Time Zones",
        "practitioner",
        "Amélie Łukasiewicz-Fernández de la Cruz y Villalobos",
        "28 November 2026",
        "Northwind Facilitation Lab and Partners International",
    ),
    BadgeText(
        'A & <B> "quoted" ]]> Ωμέγα Жизнь',
        "certification",
        "<img src=x onerror=alert(1)>",
        "1 May 2026",
        "I",
        "#f5d90a",
    ),
    BadgeText(
        "Supercalifragilisticexpialidociousandthensomemorelettersthatneverstop",
        "foundation",
        "X" * 120,
        "9 March 2026",
        "Issuer",
        None,
    ),
    BadgeText(
        "中文名称的成就", "mystery", "山田 太郎 🙂", "9 March 2026", "Ünïcødé GmbH", "#000000"
    ),
    BadgeText("", "foundation", "", "9 March 2026", "", None),
]


def urls(n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_lowercase + "234567"
    return [
        f"{SITE}{rng.choice(['2021', '2025', '2026'])}-{''.join(rng.choices(alphabet, k=10))}/"
        for _ in range(n)
    ]


def decode(matrix: list[list[bool]]) -> list[str]:
    n = len(matrix)
    image = Image.new("L", (n + 8, n + 8), 255)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                image.putpixel((c + 4, r + 4), 0)
    image = image.resize(((n + 8) * 6, (n + 8) * 6), Image.Resampling.NEAREST)
    return [b.text for b in zxingcpp.read_barcodes(image)]


def test_qr_codes_decode_to_their_url_with_the_fixed_mask():
    for url in [*urls(40), f"{SITE}x/", "https://a.example/" + "y" * 300]:
        matrix = badge_layout.qr_matrix(url)
        assert decode(matrix) == [url]


def test_the_fixed_mask_is_the_only_difference_from_qrcodes_own_choice():
    """The oracle: qrcode choosing a mask itself (eight trial codes) makes the same symbol
    apart from the mask: same version, same size, and it decodes to the same text."""
    for url in urls(10, seed=9):
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        code.add_data(url, optimize=0)
        code.make(fit=True)
        ours = badge_layout.qr_matrix(url)
        assert len(ours) == len(code.get_matrix())
        assert decode(code.get_matrix()) == decode(ours) == [url]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_never_leaves_its_box(text):
    lay = badge_layout.layout(text, urls(1)[0])
    for line in (lay.level, *lay.title):
        assert line.x + line.width <= badge_layout.SIZE - 24
    for line in (lay.name, lay.meta):
        assert line.width <= 548
    assert len(lay.title) <= 2
    # Nothing is cut: every word of the text is on the badge.
    assert "".join(line.text for line in lay.title).replace(" ", "") == "".join(
        text.achievement.split()
    )
    assert lay.name.text == " ".join(text.recipient.split())


@pytest.mark.parametrize("text", HOSTILE[:4])
def test_drawn_text_stays_inside_the_badge_margins(text):
    """What Pillow draws is never wider than the table says (no kerning counted), so the
    24 px margins of the PNG stay background."""
    png = images.credential_badge_png(text, urls(1)[0])
    image = Image.open(io.BytesIO(png)).convert("RGB")
    band = images.rgb(badge_layout.badge_color(text.level, text.color))
    for y in range(10, badge_layout.BAND - 10):
        assert image.getpixel((badge_layout.SIZE - 5, y)) == band
    for y in range(badge_layout.BAND + 10, badge_layout.SIZE - 10):
        assert image.getpixel((5, y)) == (255, 255, 255)
        assert image.getpixel((badge_layout.SIZE - 5, y)) == (255, 255, 255)


def test_words_are_split_only_when_nothing_else_fits():
    size, lines = badge_layout.fit("Evidence-Based Session Design", 340, 4, (54, 46, 30), "bold")
    assert (size, lines) == (46, ["Evidence-Based", "Session Design"])
    _, lines = badge_layout.fit("x" * 200, 300, 2, (30, 20))
    assert len(lines) <= 2 and "".join(lines) == "x" * 200


def test_committed_badge_data_is_what_the_font_gives():
    """badge-data.json (shared with the browser) is made from the font and the shapes: after a
    font upgrade or a shape change, badge_image.write_badge_data() writes it again."""
    committed = json.loads(badge_layout.DATA.read_text("utf-8"))
    assert committed == badge_image.badge_data()


NODE_SVG = """
const vm = require('node:vm');
const fs = require('node:fs');
const [bundle, dataFile, inputFile] = process.argv.slice(1);
const context = vm.createContext({ console, TextEncoder, TextDecoder, URL });
context.window = context;
vm.runInContext(fs.readFileSync(bundle, 'utf8'), context);
const B = context.CredstackBadge;
const m = B.widthTables(JSON.parse(fs.readFileSync(dataFile, 'utf8')));
const out = JSON.parse(fs.readFileSync(inputFile, 'utf8')).map(([text, url]) => ({
  svg: B.badgeSvg(m, text, url),
  qr: B.qrMatrix(url),
  baked: B.bakeSvg(B.badgeSvg(m, text, url), '{"a":"]]>"}'),
}));
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def node() -> str:
    exe = shutil.which("node")
    if exe is None:
        pytest.skip("node is not installed (CI installs it with npm)")
    return exe


def test_browser_badge_maker_writes_the_same_svg_and_qr_code(node, tmp_path):
    from credstack.model.baking import bake_svg

    cases = [(t, u) for t, u in zip(HOSTILE * 4, urls(len(HOSTILE) * 4, seed=3), strict=True)]
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps([[t.__dict__, u] for t, u in cases]), "utf-8")
    result = subprocess.run(
        [node, "-e", NODE_SVG, str(BUNDLE), str(badge_layout.DATA), str(inputs)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    made = json.loads(result.stdout)
    for (text, url), js in zip(cases, made, strict=True):
        assert js["qr"] == badge_layout.qr_matrix(url), url
        assert js["svg"] == badge_layout.badge_svg(text, url), text
        assert js["baked"] == bake_svg(badge_layout.badge_svg(text, url), '{"a":"]]>"}')
