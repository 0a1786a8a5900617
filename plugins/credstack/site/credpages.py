"""Credential pages: rendered on every core, and kept in the build cache by their inputs.

A registry of 100,000 credentials has 100,000 of these pages, and a rebuild after one award
changes a handful of them. Each page is stored as ``.cache/credstack/site/render/<key>.html``,
where ``key`` is the SHA-256 of everything the page is made from:

- the build's fingerprint (:func:`build_fingerprint`): credstack's own code, templates and data
  files, the versions of the libraries that shape the HTML, every file of ``program/`` and
  ``mkdocs.yml``, the page chrome (site name, navigation, favicon), ``lean``, whether the site
  publishes a log, the repository URL, the site URL and the build date as the pages show it;
- the credential's own inputs (:func:`page_inputs`): its page spec (title, description, preview
  image), the SHA-256 of its file (so every field of the credential and of its view), its state
  and whole verification report as of this build, the revocation or suspension shown, its
  renewal and correction links, the state of each component credential it names, the holder's
  achievements in force (its progress on a pathway), its earner page and its log entry.

A page whose key is in the cache is not rendered again: a changed input is a different key, so
a page never shows a stale status. ``cache: false`` renders every page (the same bytes: tests
build both ways and compare).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import fields
from importlib import metadata
from pathlib import Path
from typing import Any

import credstack
from credstack.site.cache import BuildCache
from credstack.site.data import CredentialInfo, SiteData, components_of
from credstack.site.pages import PageChrome, PageSpec, Renderer, fmt_date

KIND = "render"
#: The libraries whose versions can change a page's bytes.
_LIBRARIES = ("Jinja2", "MarkupSafe", "mkdocs", "Markdown", "pymdown-extensions", "qrcode")
#: credstack's files that can change a page: all its code, templates and data.
_PACKAGE_FILES = ("**/*.py", "site/templates/**/*", "model/*.json", "model/schemas/*")


def _package_digest() -> bytes:
    package = Path(credstack.__file__).parent
    digest = hashlib.sha256(credstack.__version__.encode())
    for pattern in _PACKAGE_FILES:
        for path in sorted(package.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(package).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    return digest.digest()


def _files_digest(paths: Iterable[Path], root: Path) -> bytes:
    digest = hashlib.sha256()
    for path in sorted(paths):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def build_fingerprint(
    data: SiteData,
    chrome: PageChrome,
    *,
    lean: bool,
    repo_url: str | None,
    config_file: Path,
    log: str | None = None,
) -> str:
    """What every credential page of this build shares, as a digest (see the module doc)."""
    root = data.registry.root
    program = root / "program"
    digest = hashlib.sha256(_package_digest())
    digest.update(_files_digest(program.rglob("*") if program.is_dir() else [], root))
    digest.update(_files_digest([config_file, root / "mkdocs.yml"], config_file.parent))
    shared = {
        "chrome": repr(chrome),
        "lean": lean,
        "log": log,  # the site's log, which every page names for early loading
        "repo_url": repo_url,
        "site_url": data.program.site_url,
        # The pages show the build's date (never its time): `date(built_at)` in the templates.
        "built_on": fmt_date(data.built_at),
    }
    digest.update(json.dumps(shared, sort_keys=True).encode())
    return digest.hexdigest()


def _event(event: Any) -> Any:
    return event.to_json() if event is not None else None


def page_inputs(renderer: Renderer, spec: PageSpec, info: CredentialInfo) -> dict[str, Any]:
    """Everything one credential page is made from beyond the build's fingerprint."""
    data = renderer.data
    view = info.view
    held = (
        sorted(data.holdings.get(view.recipient, frozenset()))
        if info.in_force and view.recipient
        else None
    )
    return {
        "spec": [getattr(spec, f.name) for f in fields(spec)],  # (astuple copies deeply)
        "sha256": info.sha256,
        "state": info.state,
        "report": [info.report.credential_id, [c.to_json() for c in info.report.checks]],
        "event": _event(info.event),
        "replaced_by": [(link.cid, _event(link.event)) for link in info.replaced_by],
        "replaces": [(link.cid, _event(link.event)) for link in info.replaces],
        "components": [
            (e.url, other.cid, other.sha256, other.state) for e, other in components_of(data, info)
        ],
        "held": held,
        "earner": renderer.holders.earner_path(view.recipient),
        "log_entry": renderer.log_entry(info),
    }


def page_key(fingerprint: str, inputs: dict[str, Any]) -> str:
    """The cache key of one page: the build's fingerprint and the page's own inputs."""
    body = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{fingerprint}\0{body}".encode()).hexdigest()


class CredentialPages:
    """Renders credential pages into the build cache, skipping those whose key is there."""

    def __init__(
        self,
        renderer: Renderer,
        chrome: PageChrome,
        cache: BuildCache,
        *,
        lean: bool,
        fingerprint: str,
        reuse: bool,
    ):
        self.renderer = renderer
        self.chrome = chrome
        self.cache = cache
        self.lean = lean
        self.fingerprint = fingerprint
        self.reuse = reuse  # False: render every page (``cache: false``)

    def key(self, spec: PageSpec) -> str:
        info = self.renderer.data.credentials[spec.key]
        return page_key(self.fingerprint, page_inputs(self.renderer, spec, info))

    def render(self, spec: PageSpec) -> tuple[str, str, bool]:
        """One page into the cache: (credential id, cache file name, rendered now)."""
        name = f"{self.key(spec)}.html"
        if self.reuse and name in self.cache.listing(KIND):
            return spec.key, name, False
        page = self.renderer.credential_page(spec, self.chrome, lean=self.lean)
        self.cache.write(self.cache.root / KIND / name, page.encode("utf-8", "xmlcharrefreplace"))
        return spec.key, name, True


__all__ = ["KIND", "CredentialPages", "build_fingerprint", "page_inputs", "page_key"]
