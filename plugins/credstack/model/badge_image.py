"""A credential badge as an image: the layout of :mod:`credstack.model.badge` drawn with Pillow.

Pure functions of their arguments (no I/O but the package's own font files): the same input
gives the same bytes. The fonts come from a Python package, never from the system, so a fresh
machine draws the same pixels: Source Sans Pro (SIL OFL, the ``font-source-sans-pro`` wheel:
Latin, Greek and Cyrillic, so that names like "Amélie Łukasiewicz" come out right).

PNG badges are palette images (the badge's own colours and the steps between them that
antialiased edges need), about a fifth of the bytes of full colour.
"""

from __future__ import annotations

import io
import json
import math
import os
from functools import cache, lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from credstack.model.badge import (
    BAND,
    DATA,
    INK,
    MUTED,
    SIZE,
    WHITE,
    BadgeText,
    Layout,
    badge_svg,
    darker,
    layout,
    qr_matrix,
    rgb,
    text_on,
)
from credstack.model.baking import bake_png, bake_svg

_SUPERSAMPLE = 4
#: Unicode blocks whose advance widths the badge data lists (others count as one em).
WIDTH_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
    (0x1E00, 0x1EFF),
    (0x2010, 0x205E),
    (0x20A0, 0x20BF),
)


# -- fonts and the badge data --------------------------------------------------------------------


@cache
def _font_file(weight: str) -> str:
    import font_source_sans_pro

    name = "SourceSansPro-Semibold.ttf" if weight == "bold" else "SourceSansPro-Regular.ttf"
    return os.path.join(font_source_sans_pro.font_directory, name)


def font_name() -> str:
    """The font the PNG images use (part of the cache keys)."""
    return "SourceSansPro"


@cache
def font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    """The badge font at ``size`` pixels; ``weight`` is "regular" or "bold"."""
    return ImageFont.truetype(_font_file(weight), size)


def badge_data() -> dict[str, Any]:
    """What ``model/badge-data.json`` holds, computed from the font and the shapes
    (``python -c 'from credstack.model.badge_image import write_badge_data; write_badge_data()'``
    writes it; a test checks that the committed file is this)."""
    out: dict[str, Any] = {
        "version": 1,
        "fallback": 1000,
        "ranges": [list(r) for r in WIDTH_RANGES],
    }
    for weight in ("regular", "bold"):
        f = ImageFont.truetype(_font_file(weight), 1000, layout_engine=ImageFont.Layout.BASIC)
        out[weight] = [round(f.getlength(chr(c))) for a, b in WIDTH_RANGES for c in range(a, b + 1)]
    out["shapes"] = {
        level: _svg_medallion(level) for level in ("foundation", "practitioner", "certification")
    }
    return out


def write_badge_data() -> None:
    """Write :func:`badge_data` to the package's assets (after a font or shape change)."""
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(json.dumps(badge_data(), separators=(",", ":")) + "\n", "utf-8")


# -- drawing ---------------------------------------------------------------------------------------


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _ramp(
    a: tuple[int, int, int], b: tuple[int, int, int], steps: int = 4
) -> list[tuple[int, ...]]:
    return [tuple(a[k] + (b[k] - a[k]) * i // steps for k in range(3)) for i in range(steps + 1)]


def _palette_png(image: Image.Image, pairs: list[tuple[tuple[int, int, int], ...]]) -> bytes:
    """``image`` as a palette PNG of the colours in ``pairs`` and three steps between the two
    of each pair (antialiased edges), nearest colour per pixel, no dithering."""
    colours: list[tuple[int, ...]] = []
    for a, b in pairs:
        for c in _ramp(a, b):
            if c not in colours:
                colours.append(c)
    palette = Image.new("P", (1, 1))
    flat = [v for c in colours[:256] for v in c]
    palette.putpalette(flat + flat[:3] * (256 - len(flat) // 3))
    return _png(image.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE))


def _adaptive_png(image: Image.Image, colors: int = 64) -> bytes:
    q = image.convert("RGB").quantize(colors, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    return _png(q)


@lru_cache(maxsize=64)
def _scaled(artwork: bytes, size: int) -> Image.Image:
    """The artwork PNG decoded and scaled to ``size`` (cached: one per achievement and size)."""
    image = Image.open(io.BytesIO(artwork)).convert("RGBA")
    return image.resize((size, size), Image.Resampling.LANCZOS)


Point = tuple[float, float]


def _polygon(cx: float, cy: float, radius: float, sides: int, rotation: float = 0.0) -> list[Point]:
    return [
        (
            cx + radius * math.cos(rotation + 2 * math.pi * i / sides),
            cy + radius * math.sin(rotation + 2 * math.pi * i / sides),
        )
        for i in range(sides)
    ]


def _rosette(cx: float, cy: float, outer: float, inner: float, points: int) -> list[Point]:
    out: list[Point] = []
    for i in range(points * 2):
        r = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + math.pi * i / points
        out.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return out


def _medallion(level: str, color: str, size: int) -> Image.Image:
    """The level's shape (no text), antialiased: circle, hexagon or rosette."""
    big = size * _SUPERSAMPLE
    layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    c = big / 2
    fill, edge = rgb(color), darker(color)
    ring = WHITE if text_on(color) == WHITE else INK
    if level == "certification":
        draw.polygon(_rosette(c, c, big * 0.49, big * 0.445, 30), fill=edge)
        draw.ellipse((c - big * 0.43, c - big * 0.43, c + big * 0.43, c + big * 0.43), fill=fill)
        r = big * 0.385
        draw.ellipse((c - r, c - r, c + r, c + r), outline=ring, width=big // 110)
    elif level == "practitioner":
        draw.polygon(_polygon(c, c, big * 0.49, 6, math.pi / 6), fill=edge)
        draw.polygon(_polygon(c, c, big * 0.455, 6, math.pi / 6), fill=fill)
        draw.polygon(_polygon(c, c, big * 0.41, 6, math.pi / 6), outline=ring, width=big // 110)
    else:
        draw.ellipse((big * 0.01, big * 0.01, big * 0.99, big * 0.99), fill=edge)
        draw.ellipse((big * 0.045, big * 0.045, big * 0.955, big * 0.955), fill=fill)
        r = big * 0.41
        draw.ellipse((c - r, c - r, c + r, c + r), outline=ring, width=big // 110)
    return layer.resize((size, size), Image.Resampling.LANCZOS)


def _svg_medallion(level: str) -> str:
    """The medallion of a credential badge's band as SVG, colours as ``{fill}``, ``{edge}``,
    ``{ring}`` (filled in by :func:`credstack.model.badge.medallion_svg`)."""
    cx, cy, r = 97, 95, 73

    def points(pts: list[Point]) -> str:
        return " ".join(f"{px:.2f},{py:.2f}" for px, py in pts)

    if level == "certification":
        return (
            f'<polygon points="{points(_rosette(cx, cy, r, r * 0.91, 30))}" fill="{{edge}}"/>'
            f'<circle cx="{cx}" cy="{cy}" r="{r * 0.88:.2f}" fill="{{fill}}"/>'
            f'<circle cx="{cx}" cy="{cy}" r="{r * 0.79:.2f}" fill="none" stroke="{{ring}}" '
            'stroke-width="1.5"/>'
        )
    if level == "practitioner":
        rot = math.pi / 6
        return (
            f'<polygon points="{points(_polygon(cx, cy, r, 6, rot))}" fill="{{edge}}"/>'
            f'<polygon points="{points(_polygon(cx, cy, r * 0.93, 6, rot))}" fill="{{fill}}"/>'
            f'<polygon points="{points(_polygon(cx, cy, r * 0.84, 6, rot))}" fill="none" '
            'stroke="{ring}" stroke-width="1.5"/>'
        )
    return (
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{{edge}}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{r * 0.93:.2f}" fill="{{fill}}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{r * 0.84:.2f}" fill="none" stroke="{{ring}}" '
        'stroke-width="1.5"/>'
    )


def _text(
    draw: ImageDraw.ImageDraw,
    x: int,
    y: int,
    text: str,
    size: int,
    fill: tuple[int, int, int],
    weight: str,
    anchor: str = "ls",
) -> None:
    draw.text((x, y), text, font=font(size, weight), fill=fill, anchor=anchor)


# -- the credential badge ----------------------------------------------------------------------


def _paste_qr(image: Image.Image, matrix: list[list[bool]], x: int, y: int, module: int) -> None:
    n = len(matrix)
    small = Image.new("L", (n, n), 255)
    small.putdata([0 if dark else 255 for line in matrix for dark in line])
    image.paste(small.resize((n * module, n * module), Image.Resampling.NEAREST), (x, y))


@lru_cache(maxsize=32)
def _band(level: str, color: str, artwork: bytes | None) -> Image.Image:
    """A white badge with its coloured band and medallion (drawn once per achievement): the
    achievement's own artwork when it has one, else its level's shape."""
    image = Image.new("RGB", (SIZE, SIZE), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE - 1, BAND - 1), fill=rgb(color))
    art = _scaled(artwork, 150) if artwork else _medallion(level, color, 150)
    image.paste(art, (22, 20), art)
    draw.rectangle((0, SIZE - 8, SIZE - 1, SIZE - 1), fill=darker(color))
    return image


def credential_badge_png(
    text: BadgeText,
    url: str,
    artwork: bytes | None = None,
    *,
    matrix: list[list[bool]] | None = None,
) -> bytes:
    """A 600×600 palette PNG: coloured band (medallion, level, achievement), QR code of ``url``,
    recipient, issue date and issuer. Not yet baked (see :func:`credstack.model.baking.
    bake_png`). ``artwork``: the achievement's own image (None: the level's shape)."""
    lay: Layout = layout(text, url, matrix)
    image = _band(text.level, lay.color, artwork).copy()
    draw = ImageDraw.Draw(image)
    ink = text_on(lay.color)
    if lay.mark is not None:
        m = lay.mark
        _text(draw, m.x, m.y, m.text, m.size, ink, "bold", "ms")
    for line in (lay.level, *lay.title):
        _text(draw, line.x, line.y, line.text, line.size, ink, "bold")
    _paste_qr(image, lay.matrix, lay.qr_left, lay.qr_top, lay.module)
    _text(draw, lay.name.x, lay.name.y, lay.name.text, lay.name.size, INK, "bold", "ms")
    _text(draw, lay.meta.x, lay.meta.y, lay.meta.text, lay.meta.size, MUTED, "regular", "ms")
    if artwork:
        return _adaptive_png(image)
    color, edge = rgb(lay.color), darker(lay.color)
    return _palette_png(
        image,
        [
            (WHITE, (0, 0, 0)),
            (WHITE, INK),
            (WHITE, MUTED),
            (color, ink),
            (color, edge),
            (color, WHITE if ink != WHITE else INK),
            (edge, (0, 0, 0)),
            (WHITE, color),
            (WHITE, edge),
        ],
    )


def baked_text(credential: bytes) -> str:
    """What a badge carries of the credential: its JSON without the file's indentation
    (the same document, so the same signature; ``JSON.stringify`` writes the same text)."""
    return json.dumps(json.loads(credential), ensure_ascii=False, separators=(",", ":"))


def badge_files(
    text: BadgeText, url: str, credential: bytes, artwork: bytes | None = None
) -> dict[str, bytes]:
    """``badge.png`` and ``badge.svg`` of a credential (QR code of ``url``), the credential
    baked in. The page's badge maker makes the same SVG byte for byte, and a PNG of the same
    layout. Raises CredentialError when ``credential`` is not a JSON object."""
    matrix = qr_matrix(url)
    baked = baked_text(credential)
    png = credential_badge_png(text, url, artwork, matrix=matrix)
    svg = badge_svg(text, url, matrix=matrix)
    return {"badge.png": bake_png(png, baked), "badge.svg": bake_svg(svg, baked).encode("utf-8")}
