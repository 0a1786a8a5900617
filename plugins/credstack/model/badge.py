"""A credential badge: where every word and QR module goes, and the badge as SVG.

One layout for every maker of a badge: the site build (PNG: :mod:`credstack.model.badge_image`),
``credstack badge`` (offline) and the credential page, which makes ``badge.png`` and
``badge.svg`` in the visitor's browser (``verifier/src/badge.js`` is a line-for-line port of
this module: the tests compare its SVG with this one byte for byte). So the layout uses nothing
a browser would compute differently: text widths come from a table of the badge font's advance
widths (``badge-data.json`` beside this module, made from the font itself by
:func:`credstack.model.badge_image.badge_data`), every coordinate is an integer computed with
integer arithmetic, and the QR code is ISO/IEC 18004 with a fixed mask, which both encoders
make module for module.

Text never clips: a line that is too long wraps (at spaces, else between characters), then
shrinks, down to whatever size fits. The SVG also states each line's width (``textLength``), so
a viewer without the badge font squeezes its own font into the same box instead of overflowing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants

from credstack.model.certificate import long_date as fmt_date
from credstack.model.credential import CredentialView
from credstack.model.program import Achievement

DATA = Path(__file__).parent / "badge-data.json"
SIZE = 600  # a badge is SIZE × SIZE
BAND = 190  # height of the coloured band at the top
#: ISO/IEC 18004 mask pattern 6, always: any mask decodes, a fixed one is eight times cheaper to
#: make than trying all eight (qrcode's public ``mask_pattern``), and lets every encoder agree.
#: Of the eight, 6 scores best on ISO's penalty rules for credential URLs (bench measured).
MASK_PATTERN = 6
LEVEL_COLORS = {"foundation": "#0f766e", "practitioner": "#4338ca", "certification": "#a16207"}
LEVEL_LABELS = {
    "foundation": "Foundation",
    "practitioner": "Practitioner",
    "certification": "Certification",
}
INK = (31, 41, 55)
MUTED = (96, 103, 115)
WHITE = (255, 255, 255)
SVG_FONTS = "'Source Sans Pro','Source Sans 3','Helvetica Neue',Helvetica,Arial,sans-serif"
TITLE_SIZES = (36, 33, 30, 27, 24)
NAME_SIZES = (36, 33, 30, 27, 24, 21)
META_SIZES = (20, 18, 16)


# -- the font's widths -------------------------------------------------------------------------


@cache
def data() -> dict[str, Any]:
    """The badge data: advance widths of the badge font (per weight) and medallion shapes.
    Raises OSError or ValueError when the package's copy is missing or damaged."""
    loaded: dict[str, Any] = json.loads(DATA.read_text("utf-8"))
    return loaded


@cache
def _widths(weight: str) -> dict[int, int]:
    table = data()
    out: dict[int, int] = {}
    values = iter(table[weight])
    for start, end in table["ranges"]:
        for code in range(start, end + 1):
            out[code] = next(values)
    return out


def units(text: str, weight: str = "regular") -> int:
    """The width of ``text`` in thousandths of the font size (no kerning: never narrower
    than the drawn text)."""
    widths = _widths(weight)
    fallback = data()["fallback"]
    return sum(widths.get(ord(ch), fallback) for ch in text)


def width(text: str, size: int, weight: str = "regular") -> int:
    """The width of ``text`` at ``size`` pixels, rounded up."""
    return (units(text, weight) * size + 999) // 1000


def _fits(text: str, size: int, max_width: int, weight: str) -> bool:
    return units(text, weight) * size <= max_width * 1000


def wrap(
    text: str, size: int, max_width: int, weight: str = "regular", *, split: bool = True
) -> list[str] | None:
    """Greedy wrap at spaces. A word wider than a line is split between characters, or with
    ``split=False`` makes the result None."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _fits(candidate, size, max_width, weight):
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        if not split and not _fits(word, size, max_width, weight):
            return None
        for ch in word:  # only for a word that does not fit a line of its own
            if current and not _fits(current + ch, size, max_width, weight):
                lines.append(current)
                current = ""
            current += ch
    if current or not lines:
        lines.append(current)
    return lines


def fit(
    text: str, max_width: int, max_lines: int, sizes: Sequence[int], weight: str = "regular"
) -> tuple[int, list[str]]:
    """The largest of ``sizes`` at which ``text`` fits ``max_lines`` lines, else the largest
    smaller size that does: (size, lines). Words are split only when no size down to two
    thirds of the smallest keeps them whole. Nothing is cut."""
    sizes = list(sizes)
    floor = max(1, sizes[-1] * 2 // 3)
    whole = [*sizes, *range(sizes[-1] - 1, floor - 1, -1)]
    for size in whole:
        lines = wrap(text, size, max_width, weight, split=False)
        if lines is not None and len(lines) <= max_lines:
            return size, lines
    size = sizes[0]
    for size in [*sizes, *range(sizes[-1] - 1, 0, -1)]:
        lines = wrap(text, size, max_width, weight)
        if lines is not None and len(lines) <= max_lines:
            return size, lines
    return size, wrap(text, size, max_width, weight) or [text]  # pragma: no cover - size 1 fits


def baseline(top: int, size: int) -> int:
    """The baseline of a line whose cap height starts at ``top`` (the font's ascent, 0.78)."""
    return top + (size * 78 + 50) // 100


# -- colours -------------------------------------------------------------------------------------


def badge_color(level: str, color: str | None) -> str:
    """The achievement's colour, else the level's default."""
    return color or LEVEL_COLORS.get(level, "#374151")


def rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def hex_color(value: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*value)


def _luminance(value: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in value)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_on(color: str) -> tuple[int, int, int]:
    """White or dark ink, whichever contrasts more with ``color`` (WCAG relative luminance)."""
    lum = _luminance(rgb(color))
    return WHITE if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / (_luminance(INK) + 0.05)) else INK


def darker(color: str) -> tuple[int, int, int]:
    r, g, b = rgb(color)
    return (r * 72) // 100, (g * 72) // 100, (b * 72) // 100


def spaced(text: str) -> str:
    return " ".join(text.upper())


def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level.capitalize())


# -- QR code ---------------------------------------------------------------------------------------


def qr_matrix(data_: str) -> list[list[bool]]:
    """The QR code of ``data_`` (error correction M, byte mode, mask :data:`MASK_PATTERN`, no
    quiet zone) as rows of dark (True) and light modules, by qrcode's public API."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN
    )
    code.add_data(data_, optimize=0)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def dark_runs(matrix: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """Each horizontal run of dark modules as (row, first column, column after the last)."""
    for row, line in enumerate(matrix):
        col = 0
        while col < len(line):
            if not line[col]:
                col += 1
                continue
            start = col
            while col < len(line) and line[col]:
                col += 1
            yield row, start, col


def qr_svg_path(matrix: list[list[bool]]) -> str:
    """The dark modules as one stroked SVG path, a horizontal run per segment (module units:
    stroke width 1, row r drawn along y = r + 0.5)."""
    parts: list[str] = []
    last_row, end = -1, 0
    for row, start, stop in dark_runs(matrix):
        if row != last_row:
            parts.append(f"M{start} {row}.5h{stop - start}")
        else:
            parts.append(f"m{start - end} 0h{stop - start}")
        last_row, end = row, stop
    return "".join(parts)


# -- the credential badge -----------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeText:
    """What a credential badge says: achievement, level, recipient, issue date, issuer."""

    achievement: str
    level: str
    recipient: str
    issued: str  # human-readable date
    issuer: str
    color: str | None = None


def badge_text(view: CredentialView, achievement: Achievement | None) -> BadgeText:
    """What a credential's badge says: the achievement, recipient, date and issuer as the
    signed credential names them, the level and colour from the program (the one home of it:
    the site build, ``credstack badge`` and the page's badge maker all draw this)."""
    raw = view.raw
    subject = raw.get("credentialSubject") or {}
    issuer = raw.get("issuer") or {}
    ids = subject.get("identifier")
    names = [
        i
        for i in (ids if isinstance(ids, list) else [ids])
        if isinstance(i, dict) and i.get("identityType") == "name"
    ]
    return BadgeText(
        str((subject.get("achievement") or {}).get("name") or ""),
        achievement.level if achievement else "foundation",
        str(names[0].get("identityHash")) if names else "",
        fmt_date(view.valid_from),
        str(issuer.get("name") or "") if isinstance(issuer, dict) else "",
        achievement.color if achievement else None,
    )


@dataclass(frozen=True)
class Line:
    text: str
    x: int
    y: int  # baseline
    size: int
    width: int  # at most this wide (textLength)


def monogram(achievement: str) -> str:
    """The initials of the achievement's first three words that start with a letter (the
    medallion's mark: "Evidence-Based Session Design" -> "ESD")."""
    return "".join(w[0].upper() for w in achievement.split() if w[0].isalpha())[:3]


@dataclass(frozen=True)
class Layout:
    color: str
    mark: Line | None
    matrix: list[list[bool]]
    module: int
    qr_left: int
    qr_top: int
    level: Line
    title: list[Line]
    name: Line
    meta: Line

    @property
    def qr_size(self) -> int:
        return self.module * len(self.matrix)


def layout(text: BadgeText, url: str, matrix: list[list[bool]] | None = None) -> Layout:
    """Where everything on the badge of ``text`` (QR code of ``url``) goes."""
    matrix = qr_matrix(url) if matrix is None else matrix
    module = max(3, min(8, 270 // len(matrix)))
    qr_size = module * len(matrix)
    qr_top = BAND + 4 * module  # the quiet zone: four modules of white below the band
    label = spaced(level_label(text.level))
    level_size = 17
    level = Line(label, 194, baseline(34, level_size), level_size, width(label, 17, "bold"))
    title_size, title_lines = fit(text.achievement, 376, 2, TITLE_SIZES, "bold")
    step = (title_size * 116 + 50) // 100
    top = 66 + ((2 - len(title_lines)) * title_size * 58 + 50) // 100
    title = [
        Line(t, 194, baseline(top + i * step, title_size), title_size, width(t, title_size, "bold"))
        for i, t in enumerate(title_lines)
    ]
    name_top = qr_top + qr_size + 18
    name_size, name_lines = fit(text.recipient, 548, 1, NAME_SIZES, "bold")
    name = Line(
        name_lines[0],
        SIZE // 2,
        baseline(name_top, name_size),
        name_size,
        width(name_lines[0], name_size, "bold"),
    )
    meta_text = f"Issued {text.issued} by {text.issuer}"
    meta_size, meta_lines = fit(meta_text, 548, 1, META_SIZES)
    meta_top = name_top + name_size + 14
    meta = Line(
        meta_lines[0],
        SIZE // 2,
        baseline(meta_top, meta_size),
        meta_size,
        width(meta_lines[0], meta_size),
    )
    initials = monogram(text.achievement)
    mark = None
    if initials:
        mark_size, _ = fit(initials, 96, 1, (46, 42, 38, 34, 30), "bold")
        mark = Line(
            initials,
            97,
            95 + (mark_size * 35 + 50) // 100,
            mark_size,
            width(initials, mark_size, "bold"),
        )
    return Layout(
        color=badge_color(text.level, text.color),
        mark=mark,
        matrix=matrix,
        module=module,
        qr_left=(SIZE - qr_size) // 2,
        qr_top=qr_top,
        level=level,
        title=title,
        name=name,
        meta=meta,
    )


def medallion_svg(level: str, color: str) -> str:
    """The level's medallion (circle, hexagon or rosette) in ``color``, at the band's left."""
    shapes: dict[str, str] = data()["shapes"]
    shape = shapes.get(level, shapes["foundation"])
    ring = "#ffffff" if text_on(color) == WHITE else hex_color(INK)
    return (
        shape.replace("{fill}", color)
        .replace("{edge}", hex_color(darker(color)))
        .replace("{ring}", ring)
    )


def _text(line: Line, *, anchor: bool = False) -> str:
    middle = ' text-anchor="middle"' if anchor else ""
    return (
        f'<text x="{line.x}" y="{line.y}" font-size="{line.size}"{middle} '
        f'textLength="{line.width}" lengthAdjust="spacingAndGlyphs">{escape(line.text)}</text>'
    )


def badge_svg(text: BadgeText, url: str, *, matrix: list[list[bool]] | None = None) -> str:
    """The badge as SVG (not yet baked: see :func:`credstack.model.baking.bake_svg`): self-
    contained, the QR code as one path, text as ``<text>`` with its width stated."""
    lay = layout(text, url, matrix)
    ink = hex_color(text_on(lay.color))
    title = escape(f"{text.achievement}: {text.recipient}", {'"': "&quot;"})
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{title}">',
        f'<rect width="{SIZE}" height="{SIZE}" fill="#ffffff"/>',
        f'<rect width="{SIZE}" height="{BAND}" fill="{lay.color}"/>',
        f'<rect y="{SIZE - 8}" width="{SIZE}" height="8" fill="{hex_color(darker(lay.color))}"/>',
        medallion_svg(text.level, lay.color),
        f'<g font-family="{SVG_FONTS}" font-weight="600" fill="{ink}">',
        _text(lay.mark, anchor=True) if lay.mark else "",
        _text(lay.level),
        *(_text(line) for line in lay.title),
        "</g>",
        f'<path transform="translate({lay.qr_left} {lay.qr_top}) scale({lay.module})" '
        f'stroke="#000000" stroke-width="1" shape-rendering="crispEdges" '
        f'd="{qr_svg_path(lay.matrix)}"/>',
        f'<g font-family="{SVG_FONTS}">',
        f'<g font-weight="600" fill="{hex_color(INK)}">{_text(lay.name, anchor=True)}</g>',
        f'<g fill="{hex_color(MUTED)}">{_text(lay.meta, anchor=True)}</g>',
        "</g></svg>\n",
    ]
    return "".join(out)
