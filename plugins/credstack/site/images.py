"""Badge images: achievement artwork, per-credential badges (PNG and SVG) and link previews.

Everything here is a pure function of its arguments: the same input gives the same bytes (no
timestamps, no randomness, fixed fonts), so images can be cached by content hash.

Fonts come from Python packages, never from the system, so a fresh machine renders the same
pixels: Source Sans Pro (SIL OFL, the ``font-source-sans-pro`` wheel: Latin, Greek and Cyrillic,
so that names like "Amélie Łukasiewicz" come out right), else the scalable font bundled with
Pillow >= 10.1 (``ImageFont.load_default(size=...)``, ASCII only).
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from xml.sax.saxutils import escape as xml_escape

from PIL import Image, ImageDraw, ImageFont

from credstack.site import qr

#: Bump when the drawing changes: it is part of every cache key.
RENDERER_VERSION = "3"
BADGE_SIZE = 600
PREVIEW_SIZE = (1200, 627)
LEVEL_COLORS = {"foundation": "#0f766e", "practitioner": "#4338ca", "certification": "#a16207"}
LEVEL_LABELS = {
    "foundation": "Foundation",
    "practitioner": "Practitioner",
    "certification": "Certification",
}
INK = (31, 41, 55)
MUTED = (96, 103, 115)
WHITE = (255, 255, 255)
SVG_FONTS = "'Source Sans Pro', 'Source Sans 3', 'Helvetica Neue', Helvetica, Arial, sans-serif"
_SUPERSAMPLE = 4


@dataclass(frozen=True)
class BadgeText:
    """What a credential badge says: achievement, level, recipient, issue date, issuer."""

    achievement: str
    level: str
    recipient: str
    issued: str  # human-readable date
    issuer: str
    color: str | None = None


# -- colours and fonts -----------------------------------------------------------------------


def badge_color(level: str, color: str | None) -> str:
    """The achievement's colour, else the level's default."""
    return color or LEVEL_COLORS.get(level, "#374151")


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_on(color: str) -> tuple[int, int, int]:
    """White or dark ink, whichever contrasts more with ``color`` (WCAG relative luminance)."""
    lum = _luminance(_rgb(color))
    return WHITE if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / (_luminance(INK) + 0.05)) else INK


def _darker(color: str, factor: float = 0.72) -> tuple[int, int, int]:
    r, g, b = _rgb(color)
    return int(r * factor), int(g * factor), int(b * factor)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


@cache
def _font_file(weight: str) -> str | None:
    try:
        import font_source_sans_pro  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the dependency is declared; this is a fallback
        return None
    name = "SourceSansPro-Semibold.ttf" if weight == "bold" else "SourceSansPro-Regular.ttf"
    path = os.path.join(font_source_sans_pro.font_directory, name)
    return path if os.path.isfile(path) else None


def font_name() -> str:
    """The font the PNG images use (part of the cache keys)."""
    return "SourceSansPro" if _font_file("regular") else "Pillow-default"


@cache
def font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    """The badge font at ``size`` pixels; ``weight`` is "regular" or "bold"."""
    path = _font_file(weight)
    if path is None:  # pragma: no cover
        return ImageFont.load_default(size=size)  # type: ignore[return-value]
    return ImageFont.truetype(path, size)


def text_width(text: str, size: int, weight: str = "regular") -> float:
    return font(size, weight).getlength(text)


def wrap(
    text: str, size: int, max_width: float, max_lines: int, weight: str = "regular"
) -> list[str]:
    """Greedy word wrap to ``max_width``; the last line gets an ellipsis when text is left over."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size, weight) <= max_width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines:
            current = " ".join(words[i:])
            break
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1] + " …"
    return [_ellipsize(line, size, max_width, weight) for line in lines]


def _ellipsize(line: str, size: int, max_width: float, weight: str) -> str:
    if text_width(line, size, weight) <= max_width:
        return line
    while line and text_width(line.rstrip() + "…", size, weight) > max_width:
        line = line[:-1]
    return line.rstrip() + "…"


def fit(
    text: str, max_width: float, max_lines: int, sizes: Sequence[int], weight: str = "regular"
) -> tuple[int, list[str]]:
    """The largest size in ``sizes`` at which ``text`` fits, and its lines (ellipsis at the end)."""
    size, lines = _fit(text, max_width, max_lines, tuple(sizes), weight)
    return size, list(lines)


@lru_cache(maxsize=4096)
def _fit(
    text: str, max_width: float, max_lines: int, sizes: tuple[int, ...], weight: str
) -> tuple[int, tuple[str, ...]]:
    """:func:`fit`, remembered (recipients hold several credentials; dates repeat)."""
    size, lines = _fit_now(text, max_width, max_lines, sizes, weight)
    return size, tuple(lines)


def _fit_now(
    text: str, max_width: float, max_lines: int, sizes: Sequence[int], weight: str
) -> tuple[int, list[str]]:
    for size in sizes:
        lines = wrap(text, size, max_width, max_lines, weight)
        if not any(line.endswith("…") for line in lines):
            return size, lines
    size = sizes[-1]
    return size, wrap(text, size, max_width, max_lines, weight)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # Level 3: a third faster than the default for 5-10 % larger files (thousands of badges).
    image.save(out, format="PNG", optimize=False, compress_level=3)
    return out.getvalue()


@lru_cache(maxsize=64)
def _scaled(artwork: bytes, size: int) -> Image.Image:
    """The artwork PNG decoded and scaled to ``size`` (cached: one per achievement and size)."""
    image = Image.open(io.BytesIO(artwork)).convert("RGBA")
    return image.resize((size, size), Image.Resampling.LANCZOS)


# -- QR codes --------------------------------------------------------------------------------


def qr_matrix(data: str, *, fast: bool = True) -> list[list[bool]]:
    """The QR code modules for ``data`` (error correction M, no quiet zone), as the ``qrcode``
    library makes them (``fast``: the same modules, computed by :mod:`credstack.site.qr`)."""
    return qr.matrix(data) if fast else qr.reference_matrix(data)


def _paste_qr(image: Image.Image, matrix: list[list[bool]], x: int, y: int, module: int) -> None:
    n = len(matrix)
    small = Image.new("L", (n, n), 255)
    small.putdata([0 if dark else 255 for line in matrix for dark in line])
    image.paste(small.resize((n * module, n * module), Image.Resampling.NEAREST), (x, y))


def qr_svg_path(matrix: list[list[bool]]) -> str:
    """One SVG path (in module units) drawing the dark modules, merged into horizontal runs."""
    parts = []
    for row, line in enumerate(matrix):
        col = 0
        while col < len(line):
            if not line[col]:
                col += 1
                continue
            start = col
            while col < len(line) and line[col]:
                col += 1
            parts.append(f"M{start} {row}h{col - start}v1h{start - col}z")
    return "".join(parts)


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
    """The artwork's shape (no text), antialiased: circle, hexagon or rosette by level."""
    big = size * _SUPERSAMPLE
    layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    c = big / 2
    fill, edge = _rgb(color), _darker(color)
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


def _centered(
    draw: ImageDraw.ImageDraw, cx: float, y: float, text: str, size: int, fill, weight="regular"
) -> None:
    draw.text((cx, y), text, font=font(size, weight), fill=fill, anchor="ma")


def _spaced(text: str) -> str:
    return " ".join(text.upper())


def _level(level: str) -> str:
    return LEVEL_LABELS.get(level, level.capitalize())


# -- achievement artwork ---------------------------------------------------------------------


def achievement_artwork(name: str, level: str, color: str | None, issuer: str) -> bytes:
    """A 600×600 PNG badge for an achievement: its level's shape in its colour, with its name."""
    color = badge_color(level, color)
    size = BADGE_SIZE
    image = _medallion(level, color, size)
    draw = ImageDraw.Draw(image)
    ink = text_on(color)
    cx = size / 2
    _centered(draw, cx, 148, _spaced(_level(level)), 22, ink, "bold")
    sizes = (54, 50, 46, 42, 38, 34, 30)
    # The name sits between the level label and the issuer: at most 220 px of lines.
    name_size, lines = next(
        (
            (n, lines)
            for n in sizes
            for lines in [wrap(name, n, 350, 4, "bold")]
            if len(lines) * n * 1.15 <= 220 and not lines[-1].endswith("…")
        ),
        (sizes[-1], wrap(name, sizes[-1], 350, 4, "bold")),
    )
    line_height = round(name_size * 1.15)
    top = 300 - len(lines) * line_height / 2 + 4
    for i, line in enumerate(lines):
        _centered(draw, cx, top + i * line_height, line, name_size, ink, "bold")
    issuer_size, issuer_lines = fit(issuer, 290, 1, (22, 20, 18, 16))
    _centered(draw, cx, 422, issuer_lines[0], issuer_size, ink)
    return _png(image)


# -- credential badges -----------------------------------------------------------------------

_BAND = 190  # height of the coloured band at the top of a credential badge


def _qr_top(module: int) -> int:
    return _BAND + 4 * module  # the QR quiet zone: four modules of white below the band


@dataclass(frozen=True)
class _Layout:
    color: str
    matrix: list[list[bool]]
    module: int
    qr_size: int
    title: tuple[int, list[str]]
    name: tuple[int, list[str]]
    meta: tuple[int, list[str]]

    @property
    def qr_top(self) -> int:
        return _qr_top(self.module)

    @property
    def qr_left(self) -> int:
        return (BADGE_SIZE - self.qr_size) // 2

    @property
    def title_top(self) -> float:
        size, lines = self.title
        return 66 + (2 - len(lines)) * size * 0.58

    @property
    def name_top(self) -> int:
        return self.qr_top + self.qr_size + 18


def _badge_layout(text: BadgeText, url: str, matrix: list[list[bool]] | None = None) -> _Layout:
    matrix = qr_matrix(url) if matrix is None else matrix
    module = max(3, min(8, 270 // len(matrix)))
    return _Layout(
        color=badge_color(text.level, text.color),
        matrix=matrix,
        module=module,
        qr_size=module * len(matrix),
        title=_title_fit(text.achievement),
        name=fit(text.recipient, 548, 1, (36, 33, 30, 27, 24, 21), "bold"),
        meta=fit(f"Issued {text.issued} by {text.issuer}", 548, 1, (20, 18, 16)),
    )


def credential_badge_png(
    text: BadgeText,
    url: str,
    artwork: bytes,
    *,
    matrix: list[list[bool]] | None = None,
    fast: bool = True,
) -> bytes:
    """A 600×600 PNG: coloured band (artwork, level, achievement), QR code of ``url``, recipient,
    issue date and issuer. Not yet baked (see :func:`credstack.model.baking.bake_png`).

    ``matrix``: the QR code of ``url`` when already made. ``fast`` starts from a copy of the
    band as drawn once per achievement (:func:`_band`) instead of drawing it again: the same
    drawing operations in the same order on the same pixels, so the same bytes.
    """
    lay = _badge_layout(text, url, matrix)
    size = BADGE_SIZE
    if fast:
        image = _band(text.achievement, text.level, lay.color, artwork).copy()
        draw = ImageDraw.Draw(image)
    else:
        image, draw = _draw_band(text.achievement, text.level, lay.color, artwork)
    _paste_qr(image, lay.matrix, lay.qr_left, lay.qr_top, lay.module)
    name_size, name_lines = lay.name
    _centered(draw, size / 2, lay.name_top, name_lines[0], name_size, INK, "bold")
    meta_size, meta_lines = lay.meta
    _centered(draw, size / 2, lay.name_top + name_size + 14, meta_lines[0], meta_size, MUTED)
    draw.rectangle((0, size - 8, size - 1, size - 1), fill=_darker(lay.color))
    return _png(image)


def _draw_band(
    achievement: str, level: str, color: str, artwork: bytes
) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A white badge with its coloured band: artwork, level and achievement name."""
    size = BADGE_SIZE
    image = Image.new("RGB", (size, size), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size - 1, _BAND - 1), fill=_rgb(color))
    ink = text_on(color)
    art = _scaled(artwork, 150)
    image.paste(art, (22, 20), art)
    draw.text((194, 34), _spaced(_level(level)), font=font(17, "bold"), fill=ink)
    title_size, title_lines = _title_fit(achievement)
    top = 66 + (2 - len(title_lines)) * title_size * 0.58
    for i, line in enumerate(title_lines):
        draw.text((194, top + i * title_size * 1.16), line, font=font(title_size, "bold"), fill=ink)
    return image, draw


@lru_cache(maxsize=32)
def _band(achievement: str, level: str, color: str, artwork: bytes) -> Image.Image:
    """:func:`_draw_band`, once per achievement (per process)."""
    return _draw_band(achievement, level, color, artwork)[0]


def _title_fit(achievement: str) -> tuple[int, list[str]]:
    return fit(achievement, 376, 2, (36, 33, 30, 27, 24), "bold")


def credential_badge_svg(
    text: BadgeText, url: str, *, matrix: list[list[bool]] | None = None
) -> str:
    """The SVG twin of :func:`credential_badge_png`: QR code as a path, text as ``<text>``.

    Self-contained (no external references): the achievement shape is drawn as vectors.
    Not yet baked (see :func:`credstack.model.baking.bake_svg`).
    """
    lay = _badge_layout(text, url, matrix)
    size = BADGE_SIZE
    ink = _hex(text_on(lay.color))
    esc = xml_escape
    title_size, title_lines = lay.title
    name_size, name_lines = lay.name
    meta_size, meta_lines = lay.meta
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-labelledby="badge-title">',
        f'<title id="badge-title">{esc(text.achievement)}: {esc(text.recipient)}</title>',
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>',
        f'<rect width="{size}" height="{_BAND}" fill="{esc(lay.color)}"/>',
        f'<rect y="{size - 8}" width="{size}" height="8" fill="{_hex(_darker(lay.color))}"/>',
        _svg_medallion(text.level, lay.color, 97, 95, 73),
        f'<g font-family="{SVG_FONTS}" font-weight="600" fill="{ink}">',
        f'<text x="194" y="{34 + 17 * 0.78:.1f}" font-size="17">'
        f"{esc(_spaced(_level(text.level)))}</text>",
    ]
    for i, line in enumerate(title_lines):
        baseline = lay.title_top + i * title_size * 1.16 + title_size * 0.78
        out.append(f'<text x="194" y="{baseline:.1f}" font-size="{title_size}">{esc(line)}</text>')
    out.append("</g>")
    out.append(
        f'<path transform="translate({lay.qr_left} {lay.qr_top}) scale({lay.module})" '
        f'fill="#000000" d="{qr_svg_path(lay.matrix)}"/>'
    )
    out.append(f'<g font-family="{SVG_FONTS}" text-anchor="middle">')
    out.append(
        f'<text x="{size // 2}" y="{lay.name_top + name_size * 0.78:.1f}" '
        f'font-size="{name_size}" font-weight="600" fill="{_hex(INK)}">'
        f"{esc(name_lines[0])}</text>"
    )
    out.append(
        f'<text x="{size // 2}" y="{lay.name_top + name_size + 14 + meta_size * 0.78:.1f}" '
        f'font-size="{meta_size}" fill="{_hex(MUTED)}">{esc(meta_lines[0])}</text>'
    )
    out.append("</g></svg>\n")
    return "".join(out)


def _svg_medallion(level: str, color: str, cx: float, cy: float, r: float) -> str:
    fill, edge = color, _hex(_darker(color))
    ring = "#ffffff" if text_on(color) == WHITE else _hex(INK)

    def points(pts) -> str:
        return " ".join(f"{px:.2f},{py:.2f}" for px, py in pts)

    if level == "certification":
        return (
            f'<polygon points="{points(_rosette(cx, cy, r, r * 0.91, 30))}" fill="{edge}"/>'
            f'<circle cx="{cx}" cy="{cy}" r="{r * 0.88:.2f}" fill="{fill}"/>'
            f'<circle cx="{cx}" cy="{cy}" r="{r * 0.79:.2f}" fill="none" stroke="{ring}" '
            'stroke-width="1.5"/>'
        )
    if level == "practitioner":
        rot = math.pi / 6
        return (
            f'<polygon points="{points(_polygon(cx, cy, r, 6, rot))}" fill="{edge}"/>'
            f'<polygon points="{points(_polygon(cx, cy, r * 0.93, 6, rot))}" fill="{fill}"/>'
            f'<polygon points="{points(_polygon(cx, cy, r * 0.84, 6, rot))}" fill="none" '
            f'stroke="{ring}" stroke-width="1.5"/>'
        )
    return (
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{edge}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{r * 0.93:.2f}" fill="{fill}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{r * 0.84:.2f}" fill="none" stroke="{ring}" '
        'stroke-width="1.5"/>'
    )


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
    the left, issuer, achievement and level on the right.

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
    draw.rectangle((0, 0, panel - 1, height - 1), fill=_rgb(color))
    art = _scaled(artwork, 380)
    image.paste(art, ((panel - 380) // 2, (height - 380) // 2), art)
    x, right = panel + 60, width - 60
    max_width = right - x
    top = 96 if notice else 70
    draw.text((x, top), issuer, font=font(28), fill=MUTED)
    title_size, title_lines = fit(achievement, max_width, 3, (62, 56, 50, 44), "bold")
    y = top + 56
    for line in title_lines:
        draw.text((x, y), line, font=font(title_size, "bold"), fill=INK)
        y += round(title_size * 1.14)
    y += 30
    draw.text((x, y), f"{_level(level)} credential", font=font(40, "bold"), fill=INK)
    meta = "A signed Open Badge: verify it on its page"
    meta_size, meta_lines = fit(meta, max_width, 1, (28, 24, 20))
    draw.text((x, height - 92), meta_lines[0], font=font(meta_size), fill=MUTED)
    draw.rectangle((panel, height - 14, width - 1, height - 1), fill=_darker(color))
    if notice:
        draw.rectangle((panel, 0, width - 1, 52), fill=(185, 28, 28))
        draw.text((x, 11), _spaced(notice), font=font(26, "bold"), fill=WHITE)
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
