"""Every image the site publishes, made once and cached by content hash.

Per achievement: its artwork (``achievements/<id>/badge.png``), generated from the program
unless a raster image is given. Per credential: ``badge.png`` and ``badge.svg`` (QR code of the
credential's page, the signed credential baked in) and ``preview.png`` for link previews.

Each image's cache key covers everything drawn into it (texts, colours, URL, artwork, the
credential's bytes, the renderer and library versions), so an unchanged credential costs a hash
and a file lookup. Images missing from the cache are drawn in one batch, on every core when the
batch is large (a first build of thousands of credentials).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

import PIL

from credstack.model.baking import bake_png, bake_svg
from credstack.model.program import Achievement
from credstack.registry.parallel import parallel_map
from credstack.site import images
from credstack.site.cache import BuildCache, content_key
from credstack.site.data import CredentialInfo, SiteData

KIND = "img"
NOTICES = {
    "expired": "Expired",
    "revoked": "Revoked",
    "suspended": "Suspended",
    "not-yet-valid": "Not valid yet",
}


def versions() -> tuple[str, ...]:
    """What else decides the pixels: part of every image key."""
    return (images.RENDERER_VERSION, images.font_name(), PIL.__version__, version("qrcode"))


@dataclass(frozen=True)
class ImageJob:
    """One image to draw; artwork travels by achievement id (sent to workers once)."""

    kind: str  # badge-png | badge-svg | preview
    text: images.BadgeText
    url: str
    art: str  # key into the artwork table
    credential: str = ""  # the credential file's text, baked in as is
    notice: str | None = None


_ARTWORK: dict[str, bytes] = {}


def _init_worker(artwork: dict[str, bytes]) -> None:
    global _ARTWORK
    _ARTWORK = artwork


def draw(job: ImageJob) -> bytes:
    """The bytes of one image."""
    art = _ARTWORK[job.art]
    if job.kind == "badge-png":
        return bake_png(images.credential_badge_png(job.text, job.url, art), job.credential)
    if job.kind == "badge-svg":
        return bake_svg(images.credential_badge_svg(job.text, job.url), job.credential).encode()
    return images.preview_png(job.text, art, job.notice)


def draw_into(item: tuple[str, ImageJob]) -> None:
    """Draw one image straight into its cache file (module level: runs in worker processes,
    so that thousands of images never pass through the parent's memory)."""
    path, job = item
    BuildCache.write(Path(path), draw(job))


class Badges:
    """Plans, draws (missing ones only) and locates every image of a build."""

    def __init__(self, data: SiteData, cache: BuildCache, docs_dir: Path):
        self.data = data
        self.cache = cache
        self.docs_dir = docs_dir
        self.versions = versions()
        self.artwork: dict[str, bytes] = {}
        self.artwork_paths: dict[str, Path] = {}
        self.credential_paths: dict[str, dict[str, Path]] = {}

    # -- achievements --------------------------------------------------------------------
    def _artwork(self, a: Achievement) -> Path:
        issuer = self.data.program.issuer.name
        if a.image and "://" not in a.image and not a.image.lower().endswith(".svg"):
            raw = (self.docs_dir / a.image).read_bytes()
            key = content_key("given-artwork", self.versions, raw)
            return self.cache.file(KIND, key, "png", lambda: images.convert_to_png(raw))
        # Generated from the program, also when the image is an SVG or a remote URL: neither
        # can become the PNG that credentials point at without a renderer or the network.
        key = content_key("artwork", self.versions, a.name, a.level, a.color, issuer)
        return self.cache.file(
            KIND, key, "png", lambda: images.achievement_artwork(a.name, a.level, a.color, issuer)
        )

    # -- credentials ---------------------------------------------------------------------
    def _jobs(self, info: CredentialInfo, name: str, issued: str) -> list[tuple[str, ImageJob]]:
        program = self.data.program
        a = info.achievement
        level = a.level if a else "foundation"
        text = images.BadgeText(
            achievement=name,
            level=level,
            recipient=info.view.name,
            issued=issued,
            issuer=program.issuer.name,
            color=a.color if a else None,
        )
        art = a.id if a is not None and a.id in self.artwork else f"generated:{level}:{name}"
        if art not in self.artwork:
            self.artwork[art] = images.achievement_artwork(name, level, None, text.issuer)
        url = self.data.registry.urls.credential(info.cid)
        credential = info.source.read_text("utf-8")
        return [
            ("badge.png", ImageJob("badge-png", text, url, art, credential)),
            ("badge.svg", ImageJob("badge-svg", text, url, art, credential)),
            ("preview.png", ImageJob("preview", text, url, art, notice=NOTICES.get(info.state))),
        ]

    def _key(self, job: ImageJob) -> str:
        return content_key(
            job.kind,
            self.versions,
            asdict(job.text),
            job.url,
            content_key(self.artwork[job.art]),
            content_key(job.credential.encode("utf-8")),
            job.notice,
        )

    def build(self, names: dict[str, str], dates: dict[str, str]) -> None:
        """Make sure every image exists in the cache; ``names``/``dates`` by cid are the
        achievement names and issue dates as the pages show them."""
        for a in self.data.program.achievements.values():
            path = self._artwork(a)
            self.artwork_paths[a.id] = path
            self.artwork[a.id] = path.read_bytes()
        todo: list[tuple[Path, ImageJob]] = []
        for cid, info in self.data.credentials.items():
            paths = self.credential_paths.setdefault(cid, {})
            for filename, job in self._jobs(info, names[cid], dates[cid]):
                ext = filename.rsplit(".", 1)[1]
                path = self.cache.path(KIND, self._key(job), ext)
                self.cache.used.add(path)
                paths[filename] = path
                if path.is_file():
                    self.cache.hits += 1
                else:
                    todo.append((path, job))
        if not todo:
            return
        parallel_map(
            draw_into,
            [(str(path), job) for path, job in todo],
            initializer=_init_worker,
            initargs=(self.artwork,),
        )
        self.cache.misses += len(todo)
