"""Every image the site publishes, made once and cached by content hash.

Per achievement: its artwork (``achievements/<id>/badge.png``), generated from the program
unless a raster image is given, and its link previews (``achievements/<id>/preview.png``, and
``preview-revoked.png`` and the like for credentials that are no longer in force), which the
credential pages point their Open Graph image at. Per credential: ``badge.png`` (QR code of
the credential's page, the signed credential baked in), except on lean sites. ``badge.svg`` is
made on demand, by the credential page in the browser or by ``credstack badge``.

Each image's cache key covers everything drawn into it (texts, colours, URL, artwork, the
credential's bytes, the renderer and library versions), so an unchanged credential costs a key
and a look-up in one directory listing. Missing badges are drawn by forked processes
(:mod:`credstack.site.background`) that start before the credentials are verified and run while
the pages are rendered; the plugin waits for them before it links the images into the site.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import PIL

from credstack.model import badge, badge_image
from credstack.model.badge import BadgeText, badge_text
from credstack.model.baking import bake_png
from credstack.model.credential import CredentialView
from credstack.model.program import Achievement, Program
from credstack.registry.parallel import worker_count
from credstack.site import images
from credstack.site.background import Background
from credstack.site.cache import BuildCache, content_key

KIND = "img"
#: Fewer missing credentials than this are drawn in this process (a worker costs a fork).
PARALLEL_AT = 48
NOTICES = {
    "expired": "Expired",
    "revoked": "Revoked",
    "suspended": "Suspended",
    "not-yet-valid": "Not valid yet",
}


def versions() -> tuple[str, ...]:
    """What else decides the pixels: part of every image key."""
    drawing = hashlib.sha256()
    for source in (badge.DATA, Path(badge.__file__), Path(badge_image.__file__)):
        drawing.update(source.read_bytes())  # a change to the drawing code is a new key
    return (
        images.RENDERER_VERSION,
        images.font_name(),
        PIL.__version__,
        version("qrcode"),
        drawing.hexdigest()[:16],
    )


@dataclass(frozen=True)
class BadgeJob:
    """The missing badge of one credential."""

    text: BadgeText
    url: str
    art: str | None  # key into the artwork table (sent to the workers once): given artwork
    credential: bytes  # the credential file as issued
    png: str  # where its cache entry goes


# Set before the workers fork (and in this process for the serial path).
_ARTWORK: dict[str, bytes] = {}


def draw_badges(job: BadgeJob) -> None:
    """Draw one credential's badge straight into its cache file (runs in worker processes, so
    that thousands of images never pass through the parent's memory)."""
    art = _ARTWORK[job.art] if job.art is not None else None
    png = images.credential_badge_png(job.text, job.url, art)
    BuildCache.write(Path(job.png), bake_png(png, badge_image.baked_text(job.credential)))


def achievement_name(view: CredentialView, achievement: Achievement | None) -> str:
    """The achievement's name as the pages show it (the credential's own when the program no
    longer has the achievement)."""
    if achievement is not None:
        return achievement.name
    return str(view.raw.get("credentialSubject", {}).get("achievement", {}).get("name"))


def preview_slug(achievement: Achievement | None, name: str, state: str) -> tuple[str, str]:
    """(folder key, file name) of the link preview for credentials of an achievement in a
    state: ``("<achievement id>", "preview-revoked.png")``; for an achievement the program no
    longer has, a key made from its level and name."""
    filename = "preview.png" if state not in NOTICES else f"preview-{state}.png"
    if achievement is not None:
        return achievement.id, filename
    return "", f"{hashlib.sha256(name.encode()).hexdigest()[:16]}-{filename}"


class Badges:
    """Plans, draws (missing ones only) and locates every image of a build."""

    def __init__(self, program: Program, cache: BuildCache, docs_dir: Path):
        self.program = program
        self.cache = cache
        self.docs_dir = docs_dir
        self.given: set[str] = set()  # achievements with an artwork image of their own
        self.versions = versions()
        self.artwork: dict[str, bytes] = {}
        self.artwork_paths: dict[str, Path] = {}
        self.credential_paths: dict[str, dict[str, Path]] = {}
        self.preview_paths: dict[tuple[str, str], Path] = {}
        self._art_digest: dict[str, str] = {}
        self._drawing: Background | None = None

    # -- achievements --------------------------------------------------------------------
    def _artwork(self, a: Achievement) -> Path:
        issuer = self.program.issuer.name
        if a.image and "://" not in a.image and not a.image.lower().endswith(".svg"):
            raw = (self.docs_dir / a.image).read_bytes()
            self.given.add(a.id)
            key = content_key("given-artwork", self.versions, raw)
            return self.cache.file(KIND, key, "png", lambda: images.convert_to_png(raw))
        # Generated from the program, also when the image is an SVG or a remote URL: neither
        # can become the PNG that credentials point at without a renderer or the network.
        key = content_key("artwork", self.versions, a.name, a.level, a.color, issuer)
        return self.cache.file(
            KIND, key, "png", lambda: images.achievement_artwork(a.name, a.level, a.color, issuer)
        )

    def _art_key(self, achievement: Achievement | None, name: str) -> tuple[str, str, str | None]:
        """(artwork table key, level, colour) of a credential's achievement."""
        if achievement is not None and achievement.id in self.artwork:
            return achievement.id, achievement.level, achievement.color
        level = achievement.level if achievement else "foundation"
        art = f"generated:{level}:{name}"
        if art not in self.artwork:
            self.artwork[art] = images.achievement_artwork(
                name, level, None, self.program.issuer.name
            )
        return art, level, None

    def _digest(self, art: str) -> str:
        if art not in self._art_digest:
            self._art_digest[art] = hashlib.sha256(self.artwork[art]).hexdigest()
        return self._art_digest[art]

    # -- credentials ---------------------------------------------------------------------
    def _key(self, kind: str, text: BadgeText, url: str, art: str, sha256: str) -> str:
        """The cache key of one credential image: everything drawn into it."""
        parts = [
            kind,
            self.versions,
            text.achievement,
            text.level,
            text.recipient,
            text.issued,
            text.issuer,
            text.color,
            url,
            self._digest(art) if art in self.given else None,
            sha256,
        ]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()

    def start(
        self,
        credentials: Iterable[tuple[str, CredentialView, Achievement | None, bytes, str, str]],
        *,
        workers: int | None = None,
    ) -> None:
        """Look up every credential's badges and start drawing the missing ones.

        ``credentials``: (cid, view, achievement or None, the file's bytes, their SHA-256, the
        URL of its page) of each credential.
        """
        for a in self.program.achievements.values():
            path = self._artwork(a)
            self.artwork_paths[a.id] = path
            self.artwork[a.id] = path.read_bytes()
        todo: list[BadgeJob] = []
        hits = 0
        for cid, view, achievement, raw, sha256, url in credentials:
            text = badge_text(view, achievement)
            art, _, _ = self._art_key(achievement, text.achievement)
            path = self.cache.path(KIND, self._key("badge-png", text, url, art, sha256), "png")
            self.cache.used.add(path)
            self.credential_paths[cid] = {"badge.png": path}
            if self.cache.has(path):
                hits += 1
            else:
                todo.append(BadgeJob(text, url, art if art in self.given else None, raw, str(path)))
        self.cache.hits += hits
        self.cache.misses += len(todo)
        global _ARTWORK
        _ARTWORK = self.artwork
        n = worker_count(workers) if len(todo) >= PARALLEL_AT else 1
        # At a lower priority: the verification and the pages come first (they are on the
        # build's critical path; the badges are needed only at its very end).
        self._drawing = Background(draw_badges, todo, n, nice=5).start()

    def wait(self) -> None:
        """Wait until every credential's badges are in the cache."""
        if self._drawing is not None:
            drawing, self._drawing = self._drawing, None
            drawing.wait()

    def cancel(self) -> None:
        """Stop drawing (the build failed)."""
        if self._drawing is not None:
            drawing, self._drawing = self._drawing, None
            drawing.cancel()

    # -- link previews -------------------------------------------------------------------
    def preview(self, achievement: Achievement | None, name: str, state: str) -> Path:
        """The cached link preview for credentials of ``achievement`` in ``state``."""
        slot = preview_slug(achievement, name, state)
        if slot not in self.preview_paths:
            art, level, color = self._art_key(achievement, name)
            notice = NOTICES.get(state)
            issuer = self.program.issuer.name
            key = content_key(
                "preview", self.versions, name, level, color, issuer, self._digest(art), notice
            )
            self.preview_paths[slot] = self.cache.file(
                KIND,
                key,
                "png",
                lambda: images.preview_png(name, level, color, issuer, self.artwork[art], notice),
            )
        return self.preview_paths[slot]
