"""The MkDocs plugin: a thin adapter over the registry.

- ``on_config`` loads and checks everything: the program (every lint error at once), ``issued/``,
  and every credential, verified as of the build time (reports cached by content hash). Any
  problem stops the build with a message and a hint, before anything is rendered. The
  credentials' badges start drawing in worker processes before the verification (they do not
  depend on it) and go on while pages are rendered.
- ``on_files`` adds the generated pages (pathways, catalog, achievements, competencies), the
  images (cached by content hash in ``.cache/credstack/site/``) and the machine endpoints (DID
  document, status lists, the issuer profile, the JSON-LD contexts).
- the page hooks render each generated page from data computed once, add Open Graph tags, and
  put a Content-Security-Policy on every page.
- ``on_post_build`` renders the credential pages, waits for the badges and puts every
  credential's files in place.

Credential pages are not MkDocs pages: each is a small document of its own
(``templates/credential_page.html``: no theme JavaScript, no search index, the site's one
stylesheet), rendered by the plugin with Jinja2 on every core and kept in the build cache. The
``credentials/`` folder is carried over from one build to the next and only brought up to date
(:mod:`credstack.site.tree`).

Per credential the site holds ``index.html``, ``credential.json`` (as issued, byte for byte),
``badge.png`` and ``badge.svg``; with ``lean: true`` only the first two, and the page makes the
badge images in the visitor's browser when they are downloaded (``credstack badge ID`` makes the
same files offline). At the end of a build the plugin measures the site against the limits of
the hosts it is meant for (:mod:`credstack.site.hosting`) and warns when it nears one.

In ``mkdocs.yml``, a nav entry ``pathways/index.md``, ``achievements/index.md`` (the catalog) or
``competencies/index.md`` (the competency map) becomes a section of all pages of that kind. A
hand-written page shows every pathway's diagram where it says ``<!-- credstack:pathways -->``.

Configuration (``mkdocs.yml``)::

    plugins:
      - search
      - credstack:
          registry: .                        # holds program/ and issued/ (default: here)
          cache_dir: .cache/credstack/site   # relative to the registry; `cache: false` for none
          lean: false                        # true: 2 files a credential, badges made on demand
          hosts: [github-pages]              # warn near these hosts' limits (see hosting.py)

``mkdocs build --verbose`` shows how long each phase took. ``CREDSTACK_WORKERS`` sets how
many worker processes to use (default: one per core).
"""

from __future__ import annotations

import atexit
import functools
import gc
import hashlib
import html
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Link, Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_build_datetime

from credstack import __version__
from credstack.crypto.contexts import context_bundle
from credstack.errors import CredstackError, ProgramError
from credstack.model import badge
from credstack.model.credential import issuer_profile
from credstack.model.program import LEVELS
from credstack.model.urls import normalize_site_url
from credstack.registry.files import dump_json
from credstack.registry.parallel import worker_count
from credstack.registry.registry import STATUS_DIR, Registry
from credstack.registry.vcache import VerificationCache
from credstack.registry.viewcache import ViewCache
from credstack.site import csp, hosting, tree
from credstack.site.background import Background
from credstack.site.badges import Badges, preview_slug
from credstack.site.cache import BuildCache, link_or_copy
from credstack.site.credpages import KIND as RENDER
from credstack.site.credpages import CredentialPages, build_fingerprint
from credstack.site.data import SiteData, load_site_data, read_credentials
from credstack.site.holders import CERTIFICATE_CSS, certificate_css, holder_assets
from credstack.site.pages import (
    ASSETS_URL,
    CONTEXTS_PATH,
    PAGE_JS,
    STYLESHEET,
    VERIFIER_JS,
    NavItem,
    PageChrome,
    PageSpec,
    Renderer,
    fmt_date,
    level_label,
    read_icon,
)
from credstack.site.tlog import PREFIX as LOG_PREFIX
from credstack.site.tlog import LogFiles, build_log_files

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer

    from credstack.model.credential import CredentialView
    from credstack.model.program import Achievement
    from credstack.site.pages import SitePaths

#: What :meth:`CredstackPlugin._assets` yields for each file: the File, given its site path.
_MakeFile = Callable[[str], File]

log = get_plugin_logger(__name__)

ASSETS = Path(__file__).parent / "assets"
#: Other issuers' suites, import()ed by the verifier on demand (issue 13); precached for offline.
SUITES_JS = ASSETS_URL + "verifier/credstack-suites.js"
VERIFY_PAGE = "verify.md"
STATUS_LOG_PATH = "status/log.json"
LOGO = ASSETS_URL + "logo.svg"
BADGE_DATA = ASSETS_URL + "badge/badge-data.json"
WORKER = Path(__file__).parent / "worker" / "sw.js"


def status_log_json(registry: Registry) -> dict[str, Any]:
    """The status log for the page: credential URL, event, date, reason (unsigned context for
    the verdict sentence; whether a credential is revoked is decided by the signed lists)."""
    events = []
    for event in registry.log:
        entry = {"url": registry.urls.credential(event.credential), **event.to_json()}
        events.append(entry)
    return {"events": events}


def contact_footer(registry: Registry) -> str:
    """The footer line of every page (Material shows ``copyright``): the issuer's about page
    and contact email. Links are site-root paths, right on every page and under ``serve``."""
    issuer = registry.program.issuer
    base = urlsplit(registry.urls.site).path
    name, email = html.escape(issuer.name), html.escape(issuer.email, quote=True)
    return (
        f'<a href="{base}issuer/">About {name}</a> · '
        f'Contact: <a href="mailto:{email}">{html.escape(issuer.email)}</a>'
    )


def page_script() -> str:
    """The page script, told the SHA-256 of the verifier it runs with (the core and the other
    suites: a verdict kept by one verifier is never read by another)."""
    verifier = hashlib.sha256()
    for bundle in ("credstack-verifier.js", "credstack-suites.js"):
        verifier.update(hashlib.sha256((ASSETS / "verifier" / bundle).read_bytes()).digest())
    source = (ASSETS / "credstack-page.js").read_text("utf-8")
    return source.replace("/*VERIFIER*/''", json.dumps(verifier.hexdigest()[:32]))


def service_worker(precache: list[str]) -> str:
    """The service worker script with its list of files to save at install."""
    source = WORKER.read_text("utf-8")
    return source.replace("/*PRECACHE*/[]", json.dumps(precache))


#: Put this comment in a hand-written page to show every pathway's diagram there.
GLANCE_MARKER = "<!-- credstack:pathways -->"
#: Index pages that the navigation expands into sections of generated pages.
SECTION_INDEXES = ("pathways/index.md", "achievements/index.md", "competencies/index.md")
CACHE_KINDS = ("img", "verify", "page", RENDER, "json", "tlog")
#: Fewer credential pages than this are rendered in this process alone.
PARALLEL_PAGES_AT = 400


class CachedFile(File):
    """A file copied from the build cache: hard-linked into the site when the file system
    allows it (thousands of images cost no copying), else copied."""

    def copy_file(self, dirty: bool = False) -> None:
        assert self.abs_src_path is not None  # made with one (see CredstackPlugin._assets)
        link_or_copy(self.abs_src_path, self.abs_dest_path)


def _render_without_markdown(page: Page, config: MkDocsConfig, files: Files) -> None:
    """Stands in for ``Page.render`` on generated pages: their body comes from our templates,
    so building a Markdown parser for each empty page is wasted time."""
    page.content = ""
    page.toc = get_toc([])
    page.present_anchor_ids = set()
    page.links_to_anchors = {}


class CredstackConfig(base.Config):  # type: ignore[no-untyped-call]  # MkDocs' __init_subclass__
    registry = c.Type(str, default=".")
    cache = c.Type(bool, default=True)
    cache_dir = c.Type(str, default=".cache/credstack/site")
    #: Two files a credential (page and signed JSON); the badge images are made in the
    #: visitor's browser when downloaded. For registries of tens of thousands of credentials.
    lean = c.Type(bool, default=False)
    #: Hosts whose limits the build warns about (the others are reported at info level).
    hosts = c.ListOfItems(c.Choice(hosting.HOST_NAMES), default=["github-pages"])
    fast = c.Deprecated(
        message="'fast' no longer does anything (there is one way to build); remove it"
    )


def _plugin_error(error: CredstackError) -> PluginError:
    """The error as MkDocs prints it: every problem, then the hint."""
    lines = [f"credstack: {error}"]
    if isinstance(error, ProgramError) and len(error.problems) > 1:
        lines = [f"credstack: {error.message}"]
        lines += [f"  {p}" for p in error.problems if p.is_error]
    if error.hint:
        lines.append(f"  hint: {error.hint}")
    return PluginError("\n".join(lines))


def _plain(text: str) -> str:
    """Page titles from Markdown carry HTML (entities, tags): back to plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text or ""))


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)
#: Material's search dialog, which has no accessible name of its own.
_SEARCH_DIALOG = re.compile(r'(<div class="md-search"(?![^>]*aria-label)[^>]*role="dialog")')
_ID = re.compile(r'\sid="([^"]+)"')


def _material_icon(config: MkDocsConfig, default: str) -> str:
    """The theme's logo icon (``theme.icon.logo``) as SVG markup, or ''."""
    try:
        import material
    except ImportError:  # pragma: no cover - the theme is a dependency
        return ""
    icon = ((config.theme.get("icon") or {}).get("logo")) or default
    icons = Path(material.__file__).parent / "templates" / ".icons"
    return read_icon(icons / f"{icon}.svg")


class CredstackPlugin(BasePlugin[CredstackConfig]):  # type: ignore[no-untyped-call]  # likewise
    """Builds the public site of a credstack registry."""

    def __init__(self) -> None:
        self.data: SiteData | None = None
        self.renderer: Renderer | None = None
        self.specs: dict[str, PageSpec] = {}
        self.cache: BuildCache | None = None
        self.root = Path(".")
        self.chrome: PageChrome | None = None
        self.badges: Badges | None = None
        self.log_files: LogFiles | None = None  # the transparency log (site/tlog.py)
        self.serving = False
        self._started = 0.0
        self._phases: list[tuple[str, float]] = []

    def _phase(self, name: str) -> None:
        """Mark the end of a phase of the build (shown with ``mkdocs build --verbose``)."""
        self._phases.append((name, time.perf_counter()))

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # `mkdocs serve` rewrites site_url to its own address; the pages keep the real one.
        self.serving = command == "serve"
        if not self.serving:
            # A build leaves millions of objects (10,000 credentials, their pages and reports);
            # the collector's last pass over them at exit takes seconds and frees nothing the
            # operating system would not. Frozen objects are skipped by that pass.
            atexit.register(gc.freeze)

    # -- load and check ------------------------------------------------------------------
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._started = time.perf_counter()
        self._phases = [("start", self._started)]
        config_dir = Path(config.config_file_path or "mkdocs.yml").resolve().parent
        self.root = (config_dir / self.config.registry).resolve()
        if not config.use_directory_urls:
            raise PluginError(
                "credstack: use_directory_urls: false is not supported\n"
                "  hint: credential URLs are permanent ids of the form .../credentials/<id>/; "
                "remove use_directory_urls from mkdocs.yml"
            )
        if (config.theme.name == "material") and config.theme.get("font") is not False:
            log.warning(
                "theme.font loads Google Fonts from another origin, which the site's "
                "Content-Security-Policy blocks; set 'font: false' under theme in mkdocs.yml"
            )
        cache_root = (self.root / self.config.cache_dir) if self.config.cache else None
        self.cache = BuildCache(cache_root)
        try:
            # Views of unchanged files come from the cache (registry/viewcache.py): an
            # unchanged credential's JSON is not parsed.
            views = ViewCache.for_registry(self.root) if self.config.cache else None
            registry = Registry(self.root, views=views)
            site_url = normalize_site_url(config.site_url or "")
            if site_url != registry.program.site_url and not self.serving:
                raise PluginError(
                    f"credstack: site_url {site_url} differs from the registry's "
                    f"{registry.program.site_url} ({self.root / 'mkdocs.yml'})\n"
                    "  hint: build with the registry's own mkdocs.yml"
                )
            raw = read_credentials(registry)
            digests = {cid: issued.digest for cid, issued in registry.issued.items()}
            # The snapshot lives as long as the build: the collector need not walk its
            # millions of objects again at each full collection (nor touch, and so copy, their
            # pages in forked workers). Frozen objects are still freed when no longer referred to.
            gc.freeze()
            # The badges do not depend on the verification: drawing starts now, in other
            # processes, and goes on while the credentials are verified and pages rendered.
            self.badges = Badges(registry.program, self.cache, Path(config.docs_dir))
            self._phase("load the registry")
            if not self.config.lean:
                self.badges.start(self._badge_inputs(registry, raw, digests))
            else:
                self.badges.start([])
            self._phase("plan the badges, start drawing")
            self.data = load_site_data(
                registry,
                at=get_build_datetime(),
                verification_cache=VerificationCache.for_registry(
                    self.root, enabled=bool(self.config.cache)
                ),
                raw=raw,
            )
            gc.freeze()  # the reports and site data, likewise
            self._phase("verify the credentials")
            # The transparency log: tiles, entry bundles, signed checkpoint (None: no log).
            self.log_files = build_log_files(registry, at=get_build_datetime(), cache=self.cache)
            self._phase("build the transparency log")
            self.renderer = Renderer(
                self.data,
                repo_url=config.get("repo_url"),
                log=LOG_PREFIX if self.log_files and self.log_files.signed else None,
                log_entries=self.log_files.index if self.log_files else None,
            )
        except CredstackError as e:
            self._stop_drawing()
            raise _plugin_error(e) from e
        except BaseException:
            self._stop_drawing()
            raise
        self.specs = self.renderer.specs
        if not config.copyright:
            config.copyright = contact_footer(registry)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if config.nav is not None:
            config.nav = self._expand_nav(config.nav)
        data = self.data
        reused = len(data.credentials) - data.verified_now
        log.info(
            f"{len(data.credentials)} credentials checked as of {fmt_date(data.built_at)}: "
            f"{data.verified_now} verified now, {reused} unchanged since an earlier build"
        )
        return config

    @staticmethod
    def _badge_inputs(
        registry: Registry, raw: dict[str, bytes], digests: dict[str, str]
    ) -> Iterator[tuple[str, CredentialView, Achievement | None, bytes, str, str]]:
        program = registry.program
        for cid, view in registry.credentials.items():
            yield (
                cid,
                view,
                program.achievements.get(view.achievement_id),
                raw[cid],
                digests[cid],
                registry.urls.credential(cid),
            )

    def _stop_drawing(self) -> None:
        if self.badges is not None:
            self.badges.cancel()

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_drawing()

    # -- navigation --------------------------------------------------------------------------
    def _section(self, index: str) -> list[Any]:
        assert self.data is not None  # set by on_config
        program = self.data.program

        def entry(spec: PageSpec) -> dict[str, str]:
            return {html.escape(spec.title): spec.src_uri}

        def by_kind(kind: str) -> list[PageSpec]:
            return [s for s in self.specs.values() if s.kind == kind]

        if index == "pathways/index.md":
            return [index, *[entry(s) for s in by_kind("pathway")]]
        if index == "achievements/index.md":
            out: list[Any] = [index]
            for level in LEVELS:
                items = [
                    entry(s)
                    for s in by_kind("achievement")
                    if program.achievements[s.key].level == level
                ]
                if items:
                    out.append({level_label(level): items})
            return out
        out = [index]
        domains: dict[str, list[dict[str, str]]] = {}
        for spec in by_kind("competency"):
            domains.setdefault(program.competencies[spec.key].domain, []).append(entry(spec))
        out += [{html.escape(domain): items} for domain, items in domains.items()]
        return out

    def _expand_nav(self, nav: list[Any]) -> list[Any]:
        """Turn ``Title: pathways/index.md`` (and the catalog and competency map) into a section
        of every generated page of that kind, with the index page as the section's page."""
        out: list[Any] = []
        for item in nav:
            if isinstance(item, dict) and len(item) == 1:
                ((title, value),) = item.items()
                if isinstance(value, str) and value in SECTION_INDEXES:
                    out.append({title: self._section(value)})
                elif isinstance(value, list):
                    out.append({title: self._expand_nav(value)})
                else:
                    out.append(item)
            elif isinstance(item, str) and item in SECTION_INDEXES:
                out.append({html.escape(self.specs[item].title): self._section(item)})
            else:
                out.append(item)
        return out

    # -- files ---------------------------------------------------------------------------
    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # Before MkDocs empties the site folder: the last credentials/ is brought up to date.
        tree.keep(Path(config.site_dir))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for spec in self.specs.values():
            if files.get_file_from_path(spec.src_uri) is not None:
                raise PluginError(
                    f"credstack: {config.docs_dir}/{spec.src_uri} conflicts with a generated page\n"
                    "  hint: rename or remove that file; credstack writes this page"
                )
            if spec.kind == "credential":
                continue  # not a MkDocs page: rendered by the plugin after the build
            inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, spec.src_uri, content="", inclusion=inclusion))
        try:
            for src_uri, add in self._assets(config):
                existing = files.get_file_from_path(src_uri)
                if existing is not None:
                    files.remove(existing)
                files.append(add(src_uri))
        except CredstackError as e:
            raise _plugin_error(e) from e
        self._phase("list pages and files")
        return files

    def _assets(self, config: MkDocsConfig) -> Iterator[tuple[str, _MakeFile]]:
        """(site path, File factory) of every generated image, endpoint and asset."""
        data, renderer = self.data, self.renderer
        assert data is not None and renderer is not None  # set by on_config
        program, path = data.program, renderer.path

        def copy(source: Path) -> _MakeFile:
            return lambda uri: File.generated(
                config, uri, abs_src_path=str(source), inclusion=InclusionLevel.INCLUDED
            )

        def cached(source: Path) -> _MakeFile:
            return lambda uri: CachedFile.generated(
                config, uri, abs_src_path=str(source), inclusion=InclusionLevel.INCLUDED
            )

        def content(text: str | bytes) -> _MakeFile:
            return lambda uri: File.generated(
                config, uri, content=text, inclusion=InclusionLevel.INCLUDED
            )

        # Machine endpoints.
        yield path.did_document(), content(dump_json(data.registry.did_document()))
        yield path.issuer_profile(), content(dump_json(issuer_profile(program)))
        yield CONTEXTS_PATH, content(dump_json(context_bundle()))
        folder = self.root / STATUS_DIR
        for source in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            doc = data.registry.read_json(source)
            try:
                target = path.of(str(doc.get("id", "")))
            except ValueError as e:
                raise CredstackError(
                    f"{source.relative_to(self.root)}: its id is not a URL of this site",
                    hint="status lists are written by credstack only; restore it with git",
                ) from e
            yield target, copy(source)
        # The status log (dates and reasons for the verdict sentence; the signed lists decide).
        yield STATUS_LOG_PATH, content(dump_json(status_log_json(data.registry)))
        # The transparency log (site/tlog.py): under log/, as C2SP tlog-tiles lays it out.
        for target, blob in (self.log_files.files if self.log_files else {}).items():
            yield target, content(blob)
        # The service worker sits at the site root so that it can serve every page offline.
        yield "sw.js", content(service_worker(self._precache(path, folder)))
        yield CERTIFICATE_CSS, content(certificate_css())  # generated from the PDF's layout
        # The badge data the page's badge maker shares with the build (widths, shapes).
        yield BADGE_DATA, copy(badge.DATA)
        # The theme's logo, for the credential pages' header (drawn by the stylesheet).
        logo = _material_icon(config, "material/library")
        if logo:
            yield LOGO, content(logo)
        # Plugin assets (stylesheet, in-browser verifier, badge maker); the page script learns
        # the verifier's hash (the key of the status-list verdicts it keeps); the stylesheet
        # carries the certificate's print view too (credential pages load that one file).
        for source in sorted(ASSETS.rglob("*")):
            if source.is_file() and not source.name.startswith("."):
                target = ASSETS_URL + source.relative_to(ASSETS).as_posix()
                if target == PAGE_JS:
                    yield target, content(page_script())
                elif target == STYLESHEET:
                    yield target, content(source.read_text("utf-8") + certificate_css())
                else:
                    yield target, copy(source)
        # Images, drawn once and cached. The credentials' own files are put in place after
        # the build (their badges are still being drawn).
        badges = self.badges
        assert badges is not None  # set by on_config
        for aid, art in badges.artwork_paths.items():
            yield path.artwork(aid), cached(art)
        previews: dict[tuple[str, ...], Path] = {}
        for info in data.credentials.values():
            name = renderer.achievement_name(info)
            slot = preview_slug(info.achievement, name, info.state)
            if slot not in previews:
                previews[slot] = badges.preview(info.achievement, name, info.state)
                yield path.preview(*slot), cached(previews[slot])

    def _precache(self, path: SitePaths, status_folder: Path) -> list[str]:
        """What the service worker saves at install: enough to verify offline."""
        lists = (
            [f"status/{p.name}" for p in sorted(status_folder.glob("*.json"))]
            if status_folder.is_dir()
            else []
        )
        return [
            "verify/",
            CONTEXTS_PATH,
            path.did_document(),
            STATUS_LOG_PATH,
            *lists,
            STYLESHEET,
            VERIFIER_JS,
            SUITES_JS,
            PAGE_JS,
        ]

    # -- pages ---------------------------------------------------------------------------
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        # Credential pages show the site's name and its top-level navigation only.
        items = []
        for item in nav.items:
            url = None
            if isinstance(item, Section):
                first = next((c for c in item.children if isinstance(c, Page)), None)
                url = first.url if first is not None else None
            elif isinstance(item, Page):
                url = item.url
            elif isinstance(item, Link) and "://" not in (item.url or ""):
                url = item.url.lstrip("/")
            if url is not None and item.title and url not in ("", "./"):
                items.append(NavItem(_plain(item.title), url))
        # A credential page is a destination: its header names the site (a link home) and
        # offers the catalog, the pathways and the verify page, not the whole navigation.
        wanted = ("achievements/", "pathways/", "verify/")
        items = [i for i in items if i.path in wanted] or items
        favicon = config.theme.get("favicon")
        self.chrome = PageChrome(
            site_name=config.site_name,
            language=config.theme.get("language") or "en",
            nav=tuple(items),
            favicon=favicon if isinstance(favicon, str) and "://" not in favicon else None,
        )
        return nav

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        if page.file.src_uri in self.specs and page.file.generated_by is not None:
            page.render = functools.partial(_render_without_markdown, page)  # type: ignore[method-assign]
        return page

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        spec = self.specs.get(page.file.src_uri)
        if spec is None or page.file.generated_by is None:
            return markdown
        # Material puts these into the page verbatim (title in <title> and the header,
        # description in an attribute): they must already be escaped.
        page.meta["title"] = html.escape(spec.title)
        if spec.description:
            page.meta["description"] = html.escape(spec.description)
        if not spec.in_search:
            page.meta["search"] = {"exclude": True}
        if spec.hide:
            page.meta["hide"] = list(spec.hide)
        return ""

    def on_page_content(self, html_: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        spec = self.specs.get(page.file.src_uri)
        if spec is not None and page.file.generated_by is not None:
            assert self.renderer is not None  # set by on_config
            body = self.renderer.render(spec)
            page.present_anchor_ids = set(_ID.findall(body))
            page.toc = get_toc(
                [
                    {"level": 2, "id": anchor, "name": _h2_text(inner), "children": []}
                    for anchor, inner in _H2.findall(body)
                ]
            )
            return body
        if GLANCE_MARKER in html_:
            assert self.renderer is not None
            return html_.replace(GLANCE_MARKER, self.renderer.render_glance(page.url))
        return html_

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        spec = self.specs.get(page.file.src_uri)
        if spec is not None and page.file.generated_by is not None:
            title, description = spec.title, spec.description
        else:
            title = _plain(page.title or "") or config.site_name
            description = _plain(page.meta.get("description") or config.site_description or "")
        assert self.renderer is not None  # set by on_config
        head = self.renderer.head(spec, title=title, description=description, path=page.url)
        head += f'<meta name="credstack:site-url" content="{html.escape(self.renderer.urls.site)}">'
        head += (
            f'<meta name="credstack:issuer" content="{html.escape(self.renderer.urls.issuer_id)}">'
            f'<meta name="credstack:issuer-name" '
            f'content="{html.escape(self.renderer.program.issuer.name)}">'
        )
        output = output.replace("</head>", head + "</head>", 1)
        output = _SEARCH_DIALOG.sub(r'\1 aria-label="Search"', output, count=1)
        is_verify_page = page.file.src_uri == VERIFY_PAGE
        if is_verify_page:
            # The in-browser verifier: only on the pages that verify (it is ~46 KB gzipped).
            up = "../" * page.url.count("/")
            # In <head> with defer: fetched at once, in parallel, run in order after parsing.
            scripts = "".join(
                f'<script defer src="{up}{src}"></script>' for src in (VERIFIER_JS, PAGE_JS)
            )
            output = output.replace("</head>", scripts + "</head>", 1)
        output = holder_assets(output, spec, page.url)
        return self._policy(output, fetch_other_issuers=is_verify_page)

    def on_post_template(self, output: str, *, template_name: str, config: MkDocsConfig) -> str:
        if template_name == "sitemap.xml":
            return self._sitemap_without_earners(output)
        if template_name.endswith(".html"):
            return self._policy(output)
        return output

    def _policy(self, page: str, *, fetch_other_issuers: bool = False) -> str:
        # `mkdocs serve` injects an inline live-reload script after the page is built, which
        # the policy would block: previews go without it (built sites always have it).
        if self.serving:
            return page
        return csp.add_policy(page, fetch_other_issuers=fetch_other_issuers)

    def _sitemap_without_earners(self, output: str) -> str:
        """Earner pages stay out of the sitemap (credential pages are not MkDocs pages)."""
        assert self.renderer is not None  # set by on_config
        hidden = {
            self.renderer.urls.site + spec.path
            for spec in self.specs.values()
            if spec.kind == "earner"
        }

        def keep(match: re.Match[str]) -> str:
            loc = re.search(r"<loc>(.*?)</loc>", match.group(0))
            return "" if loc and html.unescape(loc.group(1)) in hidden else match.group(0)

        return re.sub(r"\s*<url>.*?</url>", keep, output, flags=re.S)

    # -- credential pages ----------------------------------------------------------------
    def _credential_pages(self, config: MkDocsConfig) -> dict[str, Path]:
        """Every credential page, rendered on every core into the build cache, where each is
        kept by its inputs (site/credpages.py): a page whose inputs are unchanged since an
        earlier build is not rendered again. By credential id."""
        assert self.data is not None and self.renderer is not None  # set by on_config
        assert self.cache is not None
        if self.chrome is None:  # no navigation event (a build without pages): no links
            self.chrome = PageChrome(site_name=self.data.program.issuer.name)
        pages = CredentialPages(
            self.renderer,
            self.chrome,
            self.cache,
            lean=self.config.lean,
            fingerprint=build_fingerprint(
                self.data,
                self.chrome,
                lean=self.config.lean,
                repo_url=config.get("repo_url"),
                config_file=Path(config.config_file_path or self.root / "mkdocs.yml"),
                log=self.renderer.log,
            ),
            reuse=bool(self.config.cache),
        )
        specs = [s for s in self.specs.values() if s.kind == "credential"]
        self.cache.listing(RENDER)  # listed once, before the workers fork
        workers = worker_count() if len(specs) >= PARALLEL_PAGES_AT else 1
        out: dict[str, Path] = {}
        for cid, name, made in Background(pages.render, specs, workers).start().wait():
            path = self.cache.root / RENDER / name
            self.cache.used.add(path)
            self.cache.listing(RENDER).add(name)
            if made:
                self.cache.misses += 1
            else:
                self.cache.hits += 1
            out[cid] = path
        return out

    @event_priority(100)  # first: the site is complete for every other plugin
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._phase("copy files, render pages (MkDocs)")
        try:
            pages = self._credential_pages(config)
            self._phase("render credential pages")
            assert self.badges is not None  # set by on_config
            self.badges.wait()
        except CredstackError as e:
            raise _plugin_error(e) from e
        self._phase("wait for the badges")
        site = Path(config.site_dir)
        assert self.data is not None and self.cache is not None  # set by on_config
        wanted: dict[str, dict[str, Path]] = {}
        for cid, info in self.data.credentials.items():
            files = {
                "index.html": pages[cid],
                "credential.json": self.cache.store(
                    "json", self.data.raw[cid], "json", digest=info.sha256
                ),
            }
            if not self.config.lean:
                files.update(self.badges.credential_paths[cid])
            wanted[cid] = files
        tree.finish(site, wanted, workers=worker_count())
        self._phase("put the credentials' files in place")
        if self.cache is not None and self.config.cache:
            self.cache.prune(CACHE_KINDS)
        self._phase("prune the cache")
        self._check_hosting(site, len(wanted))
        self._phase("measure the site against hosting limits")
        log.info(
            f"built in {time.perf_counter() - self._started:.1f} s "
            f"(cache: {self.cache.hits} reused, {self.cache.misses} made)"
        )
        for (_, before), (name, after) in zip(self._phases, self._phases[1:], strict=False):
            log.debug(f"{after - before:7.2f} s  {name}")

    def _check_hosting(self, site: Path, credentials: int) -> None:
        """Warn (for the hosts in ``hosts``; info for the others) when the site nears a
        host's size or file-count limit, with the figures and the fix."""
        size = hosting.measure(site)
        for finding in hosting.findings(size, credentials=credentials, lean=self.config.lean):
            if finding.host.name in self.config.hosts:
                log.warning(finding.message)
            else:
                log.info(finding.message)

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., Any]
    ) -> LiveReloadServer:
        for folder in ("program", "issued"):
            if (self.root / folder).is_dir():
                server.watch(str(self.root / folder))
        return server


def _h2_text(inner: str) -> str:
    """An h2's inner HTML without tags, still escaped (Material renders TOC titles verbatim)."""
    return re.sub(r"<[^>]+>", "", inner).strip()


__all__ = ["CredstackPlugin", "__version__"]
