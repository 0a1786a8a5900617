"""Site images: achievement artwork and link previews (credential badges are
:mod:`credstack.model.badge_image`, shared with ``credstack badge``).

Everything here is a pure function of its arguments: the same input gives the same bytes (no
timestamps, no randomness, fixed fonts), so images can be cached by content hash.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from credstack.model.badge import (
    INK,
    MUTED,
    SIZE,
    WHITE,
    BadgeText,
    badge_color,
    darker,
    fit,
    hex_color,
    level_label,
    qr_matrix,
    rgb,
    spaced,
    text_on,
    wrap,
)
from credstack.model.badge_image import (
    _medallion,
    _png,
    _scaled,
    _text,
    credential_badge_png,
    font,
    font_name,
)

#: Bump when the drawing changes: it is part of every cache key.
RENDERER_VERSION = "4"
BADGE_SIZE = SIZE
PREVIEW_SIZE = (1200, 627)

__all__ = [
    "BADGE_SIZE",
    "INK",
    "PREVIEW_SIZE",
    "WHITE",
    "BadgeText",
    "achievement_artwork",
    "convert_to_png",
    "credential_badge_png",
    "font",
    "font_name",
    "hex_color",
    "preview_png",
    "qr_matrix",
    "rgb",
    "text_on",
]


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
    opened = Image.open(io.BytesIO(data))
    opened.load()
    image = opened.convert("RGBA")
    if image.width > BADGE_SIZE:
        height = round(image.height * BADGE_SIZE / image.width)
        image = image.resize((BADGE_SIZE, height), Image.Resampling.LANCZOS)
    return _png(image)
