"""Badge images: achievement artwork, per-credential badges (PNG and SVG) and link previews.

Everything here is a pure function of its arguments: the same input gives the same bytes (no
timestamps, no randomness, fixed fonts), so images can be cached by content hash. Where the
words and the QR code of a credential badge go is :mod:`credstack.site.badge_layout` (shared
with the badge maker in the browser); this module draws it with Pillow.

Fonts come from Python packages, never from the system, so a fresh machine renders the same
pixels: Source Sans Pro (SIL OFL, the ``font-source-sans-pro`` wheel: Latin, Greek and Cyrillic,
so that names like "Amélie Łukasiewicz" come out right).

PNG badges are palette images (at most 64 colours: the badge's own colours and the steps
between them that antialiased edges need), about a fifth of the bytes of full colour.
"""

from __future__ import annotations

import io
import json
import math
import os
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from credstack.site.badge_layout import (
    BAND,
    INK,
    MUTED,
    SIZE,
    WHITE,
    BadgeText,
    Layout,
    badge_color,
    badge_svg,
    darker,
    fit,
    hex_color,
    layout,
    level_label,
    qr_matrix,
    rgb,
    spaced,
    text_on,
    wrap,
)

#: Bump when the drawing changes: it is part of every cache key.
RENDERER_VERSION = "4"
BADGE_SIZE = SIZE
PREVIEW_SIZE = (1200, 627)
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

__all__ = [
    "BADGE_SIZE",
    "INK",
    "PREVIEW_SIZE",
    "WHITE",
    "BadgeText",
    "achievement_artwork",
    "badge_data",
    "convert_to_png",
    "credential_badge_png",
    "credential_badge_svg",
    "font_name",
    "hex_color",
    "preview_png",
    "qr_matrix",
    "rgb",
    "text_on",
]


# -- fonts -------------------------------------------------------------------------------------


@cache
def _font_file(weight: str) -> str:
    import font_source_sans_pro  # type: ignore[import-untyped]

    name = "SourceSansPro-Semibold.ttf" if weight == "bold" else "SourceSansPro-Regular.ttf"
    return os.path.join(font_source_sans_pro.font_directory, name)


def font_name() -> str:
    """The font the PNG images use (part of the cache keys)."""
    return "SourceSansPro"


@cache
def font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    """The badge font at ``size`` pixels; ``weight`` is "regular" or "bold"."""
    return ImageFont.truetype(_font_file(weight), size)


def badge_data() -> dict:
    """What ``assets/badge/badge-data.json`` holds, computed from the font and the shapes
    (``python -c 'from credstack.site.images import write_badge_data; write_badge_data()'``
    writes it; a test checks that the committed file is this)."""
    out: dict = {"version": 1, "fallback": 1000, "ranges": [list(r) for r in WIDTH_RANGES]}
    for weight in ("regular", "bold"):
        f = ImageFont.truetype(_font_file(weight), 1000, layout_engine=ImageFont.Layout.BASIC)
        out[weight] = [round(f.getlength(chr(c))) for a, b in WIDTH_RANGES for c in range(a, b + 1)]
    out["shapes"] = {
        level: _svg_medallion(level) for level in ("foundation", "practitioner", "certification")
    }
    return out


def write_badge_data() -> None:
    """Write :func:`badge_data` to the package's assets (after a font or shape change)."""
    from credstack.site.badge_layout import DATA

    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(json.dumps(badge_data(), separators=(",", ":")) + "\n", "utf-8")


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


# -- shapes ----------------------------------------------------------------------------------


def _polygon(cx: float, cy: float, radius: float, sides: int, rotation: float = 0.0):
    return [
        (
            cx + radius * math.cos(rotation + 2 * math.pi * i / sides),
            cy + radius * math.sin(rotation + 2 * math.pi * i / sides),
        )
        for i in range(sides)
    ]


def _rosette(cx: float, cy: float, outer: float, inner: float, points: int):
    out = []
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
    ``{ring}`` (filled in by :func:`credstack.site.badge_layout.medallion_svg`)."""
    cx, cy, r = 97, 95, 73

    def points(pts) -> str:
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
    fill,
    weight: str,
    anchor: str = "ls",
) -> None:
    draw.text((x, y), text, font=font(size, weight), fill=fill, anchor=anchor)


# -- achievement artwork ---------------------------------------------------------------------


def _artwork_name(name: str) -> tuple[int, list[str]]:
    """The artwork's name lines: at most four, 340 px wide and 220 px high in all; words are
    split only when no size down to 20 px keeps them whole."""
    for split in (False, True):
        for size in (54, 50, 46, 42, 38, 34, 30, *range(29, 0 if split else 19, -1)):
            lines = wrap(name, size, 340, "bold", split=split)
            if lines is not None and len(lines) <= 4 and len(lines) * (size * 115 // 100) <= 220:
                return size, lines
    return 1, [name]  # pragma: no cover - size 1 fits anything


def achievement_artwork(name: str, level: str, color: str | None, issuer: str) -> bytes:
    """A 600×600 PNG badge for an achievement: its level's shape in its colour, with its name
    (wrapped to four lines and shrunk until it fits: never cut)."""
    color = badge_color(level, color)
    image = _medallion(level, color, SIZE)
    draw = ImageDraw.Draw(image)
    ink = text_on(color)
    cx = SIZE // 2
    _text(draw, cx, 148, spaced(level_label(level)), 22, ink, "bold", "ma")
    # Between the level label and the issuer: at most 220 px of lines, 340 px wide (inside the
    # ring at every line's height).
    size, lines = _artwork_name(name)
    step = size * 115 // 100
    top = 300 - len(lines) * step // 2 + 4
    for i, line in enumerate(lines):
        _text(draw, cx, top + i * step, line, size, ink, "bold", "ma")
    issuer_size, issuer_lines = fit(issuer, 290, 1, (22, 20, 18, 16))
    _text(draw, cx, 422, issuer_lines[0], issuer_size, ink, "regular", "ma")
    return _png(image)


# -- credential badges -----------------------------------------------------------------------


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


def credential_badge_svg(
    text: BadgeText, url: str, *, matrix: list[list[bool]] | None = None
) -> str:
    """The SVG twin of :func:`credential_badge_png` (:func:`credstack.site.badge_layout.
    badge_svg`). Not yet baked (see :func:`credstack.model.baking.bake_svg`)."""
    return badge_svg(text, url, matrix=matrix)


# -- link previews ---------------------------------------------------------------------------


def preview_png(
    achievement: str,
    level: str,
    color: str | None,
    issuer: str,
    artwork: bytes,
    notice: str | None = None,
) -> bytes:
    """A 1200×627 PNG for Open Graph / Twitter cards of an achievement's credentials: artwork on
    the left, issuer, achievement and level on the right (every text wrapped and shrunk to fit).

    One per achievement (and notice), not per credential: the page's title and description
    already name the recipient, and drawing and compressing 10,000 large images cost more than
    the rest of the build. ``notice`` (e.g. "Revoked") is shown in a red band so that a shared
    link to a revoked credential does not look valid.
    """
    width, height = PREVIEW_SIZE
    color = badge_color(level, color)
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    panel = 470
    draw.rectangle((0, 0, panel - 1, height - 1), fill=rgb(color))
    art = _scaled(artwork, 380)
    image.paste(art, ((panel - 380) // 2, (height - 380) // 2), art)
    x, right = panel + 60, width - 60
    max_width = right - x
    top = 96 if notice else 70
    issuer_size, issuer_lines = fit(issuer, max_width, 1, (28, 26, 24, 22, 20))
    draw.text((x, top), issuer_lines[0], font=font(issuer_size), fill=MUTED)
    title_size, title_lines = fit(achievement, max_width, 3, (62, 56, 50, 44, 40), "bold")
    y = top + 56
    for line in title_lines:
        draw.text((x, y), line, font=font(title_size, "bold"), fill=INK)
        y += title_size * 114 // 100
    y += 30
    draw.text((x, y), f"{level_label(level)} credential", font=font(40, "bold"), fill=INK)
    meta = "A signed Open Badge: verify it on its page"
    meta_size, meta_lines = fit(meta, max_width, 1, (28, 24, 20))
    draw.text((x, height - 92), meta_lines[0], font=font(meta_size), fill=MUTED)
    draw.rectangle((panel, height - 14, width - 1, height - 1), fill=darker(color))
    if notice:
        draw.rectangle((panel, 0, width - 1, 52), fill=(185, 28, 28))
        draw.text((x, 11), spaced(notice), font=font(26, "bold"), fill=WHITE)
    return _png(image)


def convert_to_png(data: bytes) -> bytes:
    """A given raster image (PNG, JPEG, WebP) re-encoded as PNG, at most 600 px wide."""
    image = Image.open(io.BytesIO(data))
    image.load()
    image = image.convert("RGBA")
    if image.width > BADGE_SIZE:
        height = round(image.height * BADGE_SIZE / image.width)
        image = image.resize((BADGE_SIZE, height), Image.LANCZOS)
    return _png(image)
