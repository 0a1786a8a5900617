"""The generated pages: which exist, where, and their HTML, rendered with Jinja2 (autoescape).

Each page is a :class:`PageSpec` (kind, the object it shows, title, where it goes). The plugin
registers one MkDocs file per spec and, when MkDocs renders that page, asks :class:`Renderer`
for its body: a template and a few lookups into :class:`~credstack.site.data.SiteData`, about a
tenth of a millisecond. Every value from the program, a credential or the status log is escaped
by the templates; Markdown from the program goes through :mod:`credstack.site.safe`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup, escape
from mkdocs.utils import get_relative_url

from credstack.model.badge import LEVEL_LABELS
from credstack.model.certificate import long_date
from credstack.model.pricing import credit_for
from credstack.model.program import LEVELS, Achievement, Competency, Pathway, Price
from credstack.model.urls import SiteUrls, did_document_path
from credstack.model.wording import verdict
from credstack.site import csp
from credstack.site.assessment import achievement_assessment, credential_assessment
from credstack.site.badges import achievement_name, preview_slug
from credstack.site.data import (
    CredentialInfo,
    Progress,
    SiteData,
    components_of,
    levels_of,
    pathway_members,
)
from credstack.site.holders import HolderPages
from credstack.site.images import PREVIEW_SIZE
from credstack.site.safe import http_url, render_markdown

STATE_LABELS = {
    "active": "In force",
    "expired": "Expired",
    "revoked": "Revoked",
    "suspended": "Suspended",
    "not-yet-valid": "Not valid yet",
}
CHECK_ICONS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skip": "–"}
STATUS_ICONS = {"verified": "✓", "expired": "!", "revoked": "✗", "suspended": "‖"}
#: Where the contexts bundle for the in-browser verifier goes (site root).
CONTEXTS_PATH = "contexts.json"
#: The plugin's assets, site-relative.
ASSETS_URL = "assets/credstack/"
#: The one stylesheet every page of the site loads (the theme's pages and credential pages).
STYLESHEET = ASSETS_URL + "credstack.css"
VERIFIER_JS = ASSETS_URL + "verifier/credstack-verifier.js"
PAGE_JS = ASSETS_URL + "credstack-page.js"
#: What a credential page runs: the page script (async, from <head>), which starts loading the
#: credential's documents and then runs the verifier, preloaded by <head> meanwhile; so the
#: loads always start before the verifier's bundle is compiled.
PAGE_SCRIPTS = (PAGE_JS, VERIFIER_JS)


@dataclass(frozen=True)
class NavItem:
    title: str
    path: str  # site-relative


@dataclass(frozen=True)
class PageChrome:
    """What a credential page shows around the credential: the site's name and its top-level
    navigation (taken from the MkDocs configuration once per build)."""

    site_name: str
    language: str = "en"
    nav: tuple[NavItem, ...] = ()
    favicon: str | None = None  # site-relative


def _banner_detail(info: CredentialInfo) -> str:
    """The sentence under the verdict on a credential page, as of the build."""
    view = info.view
    if info.state == "active":
        if view.valid_until is None:
            return "In force; it does not expire."
        return f"In force until {fmt_date(view.valid_until)}."
    if info.state == "expired":
        return f"It was valid from {fmt_date(view.valid_from)} to {fmt_date(view.valid_until)}."
    if info.state in ("revoked", "suspended"):
        verb = "revoked" if info.state == "revoked" else "suspended"
        return f"The issuer has {verb} it: it does not certify this achievement now."
    if info.state == "not-yet-valid":
        return f"It is valid from {fmt_date(view.valid_from)}."
    return ""


# -- formatting ------------------------------------------------------------------------------


def fmt_date(when: datetime | None) -> str:
    """'28 November 2026' (UTC), independent of the machine's locale."""
    return long_date(when)


def fmt_hours(hours: float) -> str:
    text = f"{hours:g}"
    return f"{text} hour" if text == "1" else f"{text} hours"


def fmt_pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def method_label(method: str) -> str:
    return method.replace("-", " ").capitalize()


def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level.capitalize())


def credit(pathway: Pathway, achievement: Achievement) -> Price | None:
    """What a held micro-credential takes off the certification's price on ``pathway`` (None
    for a prerequisite the pathway does not name): :func:`credstack.model.pricing.credit_for`."""
    return credit_for(pathway, achievement)


# -- where things go -------------------------------------------------------------------------


class SitePaths:
    """Site-relative paths (``achievements/x/``) of the public URLs in :class:`SiteUrls`."""

    def __init__(self, urls: SiteUrls):
        self.urls = urls

    def of(self, url: str) -> str:
        """The path of one of our absolute URLs inside the site."""
        if not url.startswith(self.urls.site):
            raise ValueError(f"{url} is not on this site ({self.urls.site})")
        return url[len(self.urls.site) :]

    def credential(self, cid: str) -> str:
        return self.of(self.urls.credential(cid))

    def credential_json(self, cid: str) -> str:
        return self.of(self.urls.credential_json(cid))

    def credential_png(self, cid: str) -> str:
        return self.of(self.urls.credential_png(cid))

    def credential_svg(self, cid: str) -> str:
        return self.of(self.urls.credential_svg(cid))

    def preview(self, key: str, filename: str) -> str:
        """A link preview image: in the achievement's folder, or (for an achievement the
        program no longer has) in ``previews/``."""
        return self.achievement(key) + filename if key else f"previews/{filename}"

    def achievement(self, aid: str) -> str:
        return self.of(self.urls.achievement(aid))

    def artwork(self, aid: str) -> str:
        return self.of(self.urls.achievement_image(aid))

    def competency(self, cid: str) -> str:
        return self.of(self.urls.competency(cid))

    def pathway(self, pid: str) -> str:
        return self.of(self.urls.pathway(pid))

    def issuer_profile(self) -> str:
        return self.of(self.urls.issuer_profile())

    def did_document(self) -> str:
        return did_document_path(self.urls.site)


@dataclass(frozen=True)
class PageSpec:
    """One generated page."""

    kind: str  # pathways | pathway | catalog | achievement | competencies | competency | credential
    key: str  # the id of what it shows ("" for index pages)
    path: str  # site-relative directory URL, e.g. "achievements/x/"
    title: str  # plain text
    description: str = ""  # plain text, for <meta name="description"> and previews
    image: str | None = None  # site-relative path of the preview image
    image_size: tuple[int, int] | None = None
    in_nav: bool = True
    in_search: bool = True
    hide: tuple[str, ...] = ()

    @property
    def src_uri(self) -> str:
        # "achievements/x.md", not "achievements/x/index.md": the URL is the same, and Material's
        # navigation.indexes would take a section's first index.md for the section's own page.
        if self.key:
            return f"{self.path.rstrip('/')}.md"
        return f"{self.path}index.md"


# -- rendering -------------------------------------------------------------------------------


@dataclass
class _Node:
    achievement: Achievement
    holders: int
    note: str = ""


@dataclass
class _Box:
    rule: str | None
    nodes: list[_Node] = field(default_factory=list)


class Renderer:
    """Renders the generated pages' bodies and head tags."""

    def __init__(
        self,
        data: SiteData,
        *,
        repo_url: str | None = None,
        log: str | None = None,
        log_entries: Mapping[str, int] | None = None,
    ):
        self.data = data
        self.repo_url = repo_url
        #: The site path of the issuer's transparency log when the site publishes a signed
        #: checkpoint ("log/"), else None; and each credential's entry in it, by credential id.
        self.log = log
        self.log_entries: Mapping[str, int] = log_entries or {}
        self.program = data.program
        self.urls = SiteUrls(self.program.site_url)
        self.path = SitePaths(self.urls)
        self.env = Environment(
            loader=PackageLoader("credstack.site", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["pct"] = fmt_pct
        self.env.filters["num"] = lambda v: f"{Decimal(v).normalize():f}"
        self.env.globals.update(
            path=self.path,
            level_label=level_label,
            method_label=method_label,
            hours=fmt_hours,
            date=fmt_date,
            credit=credit,
            state_label=lambda s: STATE_LABELS.get(s, s),
            check_icon=lambda o: CHECK_ICONS.get(o, "?"),
            cert_name=self.cert_name,
            diagram=self.diagram,
            issuer=self.program.issuer,
            built_at=data.built_at,
        )
        self._markdown: dict[str, Markup] = {}
        self._templates: dict[str, Template] = {}
        self.holders = HolderPages(self)
        self.env.globals.update(enrol=self.holders.enrol_link)
        self.specs = self._specs()

    # -- the page list ---------------------------------------------------------------------
    def _specs(self) -> dict[str, PageSpec]:
        program, path = self.program, self.path
        specs: list[PageSpec] = [
            PageSpec(
                "pathways",
                "",
                "pathways/",
                "Pathways",
                "The pathways to certification.",
                hide=("toc",),
            ),
            PageSpec("catalog", "", "achievements/", "Catalog", "Every credential, by level."),
            PageSpec(
                "competencies",
                "",
                "competencies/",
                "Competency map",
                "Which credential verifies which competency.",
            ),
        ]
        specs.append(
            PageSpec(
                "issuer",
                "",
                "issuer/",
                f"About {program.issuer.name}",
                f"Who issues these credentials, how to reach {program.issuer.name}, and the "
                "keys and status lists that verify them.",
                in_nav=False,
            )
        )
        for p in program.pathways.values():
            # No table of contents beside a pathway: the diagram needs the width.
            specs.append(
                PageSpec("pathway", p.id, path.pathway(p.id), p.name, p.description, hide=("toc",))
            )
        for a in program.achievements.values():
            specs.append(
                PageSpec(
                    "achievement",
                    a.id,
                    path.achievement(a.id),
                    a.name,
                    a.description,
                    image=path.artwork(a.id),
                    image_size=(600, 600),
                )
            )
        for c in program.competencies.values():
            specs.append(PageSpec("competency", c.id, path.competency(c.id), c.name, c.description))
        for cid, info in self.data.credentials.items():
            name = self.achievement_name(info)
            state = "" if info.state == "active" else f" ({STATE_LABELS[info.state].lower()})"
            level = level_label(info.achievement.level) + " " if info.achievement else ""
            specs.append(
                PageSpec(
                    "credential",
                    cid,
                    path.credential(cid),
                    f"{name} · {info.view.name}",
                    f"{info.view.name} holds {name}{state}, a {level}credential from "
                    f"{self.program.issuer.name}, issued {fmt_date(info.view.valid_from)}.",
                    image=path.preview(*preview_slug(info.achievement, name, info.state)),
                    image_size=PREVIEW_SIZE,
                    in_nav=False,
                    in_search=False,
                    hide=("navigation", "toc"),
                )
            )
        specs.extend(self.holders.specs())
        return {s.src_uri: s for s in specs}

    # -- helpers used by templates -------------------------------------------------------
    def cert_name(self, pathway: Pathway) -> str:
        cert = self.program.achievements.get(pathway.certification)
        return cert.name if cert else pathway.certification

    @staticmethod
    def achievement_name(info: CredentialInfo) -> str:
        return achievement_name(info.view, info.achievement)

    def markdown(self, text: str) -> Markup:
        if text not in self._markdown:
            self._markdown[text] = render_markdown(text)
        return self._markdown[text]

    def pathways_of(self, achievement: Achievement) -> list[Pathway]:
        return [
            p
            for p in self.program.pathways.values()
            if achievement.id in pathway_members(self.program, p)
            and achievement.id != p.certification
        ]

    def diagram(self, pathway: Pathway) -> dict[str, Any]:
        """The pathway as columns (one per level) of boxes (a requirement group) of nodes."""
        program = self.program
        members = pathway_members(program, pathway)
        group_of: dict[str, int] = {}
        for i, group in enumerate(pathway.requires):
            for aid in group.achievements:
                group_of.setdefault(aid, i)
        needed_by: dict[str, list[str]] = {}
        for aid in members:
            for pre in program.achievements[aid].prerequisites:
                needed_by.setdefault(pre, []).append(program.achievements[aid].name)
        columns = []
        for level in LEVELS:
            boxes: dict[Any, _Box] = {}
            for aid in members:
                a = program.achievements[aid]
                if a.level != level:
                    continue
                holders = self.data.holders.get(aid, 0)
                if aid == pathway.certification:
                    box = boxes.setdefault("cert", _Box(None))
                    note = f"Capstone: {method_label(pathway.capstone.method).lower()}"
                elif aid in group_of and pathway.requires[group_of[aid]].at_least is not None:
                    group = pathway.requires[group_of[aid]]
                    rule = f"Choose {group.at_least} of {len(group.achievements)}"
                    box = boxes.setdefault(group_of[aid], _Box(rule))
                    note = ""
                elif aid in group_of:
                    box = boxes.setdefault("required", _Box(None))
                    note = "Required"
                else:
                    box = boxes.setdefault("required", _Box(None))
                    note = "Needed for " + ", ".join(needed_by.get(aid, []))
                after = [program.achievements[p].name for p in a.prerequisites]
                if after and not note.startswith("Needed"):
                    note = (note + " · " if note else "") + "After " + ", ".join(after)
                box.nodes.append(_Node(a, holders, note))
            if boxes:
                ordered = sorted(boxes.items(), key=lambda kv: (isinstance(kv[0], int), str(kv[0])))
                columns.append({"level": level, "boxes": [b for _, b in ordered]})
        return {"columns": columns}

    def steps(self, progress: Progress) -> list[dict[str, Any]]:
        """The pathway's requirement as a checklist for one recipient."""
        out: list[dict[str, Any]] = []
        for group in progress.pathway.requires:
            for aid in group.achievements:
                a = self.program.achievements.get(aid)
                if a is None or any(s["achievement"].id == aid for s in out):
                    continue
                rule = (
                    "required"
                    if group.at_least is None
                    else f"one of {len(group.achievements)}, choose {group.at_least}"
                )
                out.append({"achievement": a, "held": aid in progress.held, "rule": rule})
        cert = self.program.achievements.get(progress.pathway.certification)
        if cert is not None:
            out.append(
                {"achievement": cert, "held": progress.certified, "rule": "then the capstone"}
            )
        return out

    # -- pages -------------------------------------------------------------------------------
    def _template(self, name: str) -> Template:
        if name not in self._templates:
            self._templates[name] = self.env.get_template(name)
        return self._templates[name]

    def _rel(self, page_path: str) -> Callable[[str], str]:
        def rel(target: str) -> str:
            out = get_relative_url(target, page_path)
            if target.endswith("/") and not out.endswith("/"):
                out += "/"
            return out

        return rel

    def render(self, spec: PageSpec) -> str:
        """The HTML body of a generated page."""
        rel = self._rel(spec.path)
        context = getattr(self, f"_{spec.kind}")(spec)
        return self._template(f"{spec.kind.replace('competencies', 'competency_map')}.html").render(
            rel=rel, **context
        )

    def render_glance(self, page_path: str) -> str:
        """Every pathway's diagram, for the home page (``<!-- credstack:pathways -->``)."""
        return self._template("glance.html").render(
            rel=self._rel(page_path), pathways=list(self.program.pathways.values())
        )

    def _pathways(self, spec: PageSpec) -> dict[str, Any]:
        items = [
            {"pathway": p, "description": self.markdown(p.description)}
            for p in self.program.pathways.values()
        ]
        return {"items": items}

    def _pathway(self, spec: PageSpec) -> dict[str, Any]:
        p = self.program.pathways[spec.key]
        members = sorted(
            (self.program.achievements[a] for a in pathway_members(self.program, p)),
            key=lambda a: LEVELS.index(a.level),
        )
        component_ids = set(p.components())
        extra = [
            (a, self.program.achievements[pre])
            for a in members
            if a.id in component_ids
            for pre in a.prerequisites
            if pre not in component_ids and pre in self.program.achievements
        ]
        return {
            "p": p,
            "description": self.markdown(p.description),
            "achievements": self.program.achievements,
            "members": members,
            "holder_counts": self.data.holders,
            "cert": self.program.achievements.get(p.certification),
            "extra_prereqs": extra,
            **self.holders.pathway_context(p),
        }

    def _catalog(self, spec: PageSpec) -> dict[str, Any]:
        bundles = [self.holders.bundle_row(p) for p in self.program.pathways.values()]
        return {
            "levels": levels_of(self.program),
            "names": {a.id: a.name for a in self.program.achievements.values()},
            "pathways_of": self.pathways_of,
            "credit_of": lambda a: [
                (p, c) for p in self.pathways_of(a) if (c := credit_for(p, a)) is not None
            ],
            "pathways_for_cert": lambda a: [
                p for p in self.program.pathways.values() if p.certification == a.id
            ],
            "bundles": bundles,
        }

    def _issuer(self, spec: PageSpec) -> dict[str, Any]:
        issuer = self.program.issuer
        return {
            "description": self.markdown(issuer.description),
            "website": http_url(issuer.url),
            "did": self.urls.issuer_id,
            "did_path": did_document_path(self.program.site_url),
            "keys": issuer.keys,
            "status_lists": sorted(
                {
                    self.path.of(ref.list_url)
                    for info in self.data.credentials.values()
                    for ref in info.view.statuses
                    if ref.list_url.startswith(self.urls.site)
                }
            ),
        }

    def entry_requirement(self, a: Any) -> list[tuple[str, list[Any]]]:
        """What a certification asks for: (words, achievements) per pathway group, then the
        capstone (words, []). Empty for other achievements (they list prerequisites)."""
        pathway = self.program.pathway_for(a.id)
        if pathway is None:
            return []
        out: list[tuple[str, list[Any]]] = []
        for group in pathway.requires:
            members = [
                self.program.achievements[x]
                for x in group.achievements
                if x in self.program.achievements
            ]
            words = "All of" if group.at_least is None else f"At least {group.at_least} of"
            out.append((words, members))
        method = method_label(pathway.capstone.method).lower()
        out.append((f"A passed capstone ({method})", []))
        return out

    def _achievement(self, spec: PageSpec) -> dict[str, Any]:
        a = self.program.achievements[spec.key]
        achievements = self.program.achievements
        return {
            "entry_requirement": self.entry_requirement(a),
            "a": a,
            "description": self.markdown(a.description),
            "criteria": self.markdown(a.criteria),
            "holder_count": self.data.holders.get(a.id, 0),
            "prerequisites": [achievements[p] for p in a.prerequisites if p in achievements],
            "leads_to": [x for x in achievements.values() if a.id in x.prerequisites],
            "pathways": self.pathways_of(a)
            or [p for p in self.program.pathways.values() if p.certification == a.id],
            "competencies": [
                self.program.competencies[c]
                for c in a.competencies
                if c in self.program.competencies
            ],
            "how": achievement_assessment(self.program, a, repo_url=self.repo_url),
        }

    def _competencies(self, spec: PageSpec) -> dict[str, Any]:
        domains: dict[str, list[Competency]] = {}
        for comp in self.program.competencies.values():
            domains.setdefault(comp.domain, []).append(comp)
        return {
            "achievements": list(self.program.achievements.values()),
            "domains": list(domains.items()),
            "levels": levels_of(self.program),
        }

    def _competency(self, spec: PageSpec) -> dict[str, Any]:
        comp = self.program.competencies[spec.key]
        return {
            "comp": comp,
            "achievements": [
                a for a in self.program.achievements.values() if comp.id in a.competencies
            ],
        }

    def credential_page(self, spec: PageSpec, chrome: PageChrome, *, lean: bool = False) -> str:
        """A credential's whole page (a document of its own, not the theme's), with its
        Content-Security-Policy. ``lean``: the badge images are made in the browser."""
        info = self.data.credentials[spec.key]
        a = info.achievement
        context = self._credential(spec)
        name = context["achievement_name"]
        # The embedded badge (relative to the credential's URL): its own PNG, or on a lean
        # site the achievement's artwork.
        # (lean: the page's own badge image, the artwork; the page script reads it there)
        embed_image = "" if lean else "badge.png"
        context.update(
            chrome=chrome,
            up="../" * spec.path.count("/"),
            title=spec.title,
            head=Markup(
                self.head(spec, title=spec.title, description=spec.description, path=spec.path)
            ),
            site_url=self.urls.site,
            issuer_id=self.urls.issuer_id,
            stylesheet=STYLESHEET,
            scripts=PAGE_SCRIPTS,
            lean=lean,
            share=embed_image,
            bake="png svg" if lean else "svg",
            badge_style=f"{a.level} {a.color or ''}".strip() if a else "foundation",
            headline=context["report"]["verdict"],
            banner_detail=_banner_detail(info),
            badge_image=self.path.artwork(a.id) if a else None,
            badge_alt=f"Badge: {name}",
            # What the verifier will read first besides the credential: the issuer's own
            # status lists and log checkpoint (the page script starts loading them from
            # <head>, before the credential itself has arrived).
            preload=self.preload(info),
            log_entry=self.log_entry(info),
        )
        page = self._template("credential_page.html").render(rel=self._rel(spec.path), **context)
        return csp.add_policy(page, policy=csp.CREDENTIAL_POLICY)

    def preload(self, info: CredentialInfo) -> list[str]:
        """Site paths the page's verification reads besides the credential: the issuer's own
        status lists the credential's status depends on (those it names and their suspension
        companions, as the verifier reads them), and the log's checkpoint and tip when the site
        has a log. The page script only starts their loads; it applies no rule of its own."""
        lists = {
            self.path.of(ref.list_url)
            for ref in info.view.statuses
            if ref.list_url.startswith(self.urls.site)
        }
        log = [f"{self.log}checkpoint", f"{self.log}tip.json"] if self.log else []
        return sorted(lists) + log

    def log_entry(self, info: CredentialInfo) -> int | None:
        """The credential's entry in the site's log (the page's log check then needs no
        locate file; it still proves the entry's inclusion), or None."""
        return self.log_entries.get(info.view.id) if self.log else None

    def _credential(self, spec: PageSpec) -> dict[str, Any]:
        info = self.data.credentials[spec.key]
        view = info.view
        name = self.achievement_name(info)
        page_url = self.urls.credential(view.cid)
        evidence = []
        component_urls = set()
        components = []
        for e, other in components_of(self.data, info):
            component_urls.add(e.url)
            components.append({"name": self.achievement_name(other), "info": other})
        for e in view.evidence:
            if e.url in component_urls:
                continue
            evidence.append(
                {"url": http_url(e.url), "name": e.name, "raw": e.url, "description": e.description}
            )
        progress = self.data.progress(view.recipient, view.achievement_id) if info.in_force else []
        a = info.achievement
        return {
            "c": info,
            "a": a,
            "achievement_name": name,
            # (the page shows the verdict and status as of the build; the browser lists checks)
            "report": {"status": info.report.status, "verdict": verdict(info.report)},
            "status_icon": STATUS_ICONS.get(info.report.status, "!"),
            "issuer_url": http_url(self.program.issuer.url),
            "page_url": page_url,
            "evidence": evidence,
            "assessment": credential_assessment(view.raw),
            "components": components,
            "progress": progress,
            "steps": self.steps,
            "description": self.markdown(a.description) if a else "",
            **self.holders.credential_context(info, page_url),
        }

    def _earner(self, spec: PageSpec) -> dict[str, Any]:
        return self.holders.earner_context(spec)

    # -- head ------------------------------------------------------------------------------
    def head(self, spec: PageSpec | None, *, title: str, description: str, path: str) -> str:
        """Open Graph and Twitter tags (and robots for credential pages), escaped."""
        e = escape
        url = self.urls.site + path
        tags = [
            ("property", "og:site_name", self.program.issuer.name),
            ("property", "og:title", title),
            ("property", "og:url", url),
        ]
        if description:
            tags.append(("property", "og:description", description))
        card = "summary"
        if spec is not None and spec.image:
            tags.append(("property", "og:image", self.urls.site + spec.image))
            if spec.image_size:
                tags.append(("property", "og:image:width", str(spec.image_size[0])))
                tags.append(("property", "og:image:height", str(spec.image_size[1])))
            if spec.kind != "credential":  # (there: the title again, on every page)
                tags.append(("property", "og:image:alt", title))
            if spec.kind == "credential":
                card = "summary_large_image"
        tags.append(("name", "twitter:card", card))
        if spec is None or spec.kind != "credential":
            tags.insert(0, ("property", "og:type", "website"))  # (the default: credential
            # pages, of which there are many, go without it)
            # (Twitter reads og:title, og:description and og:image when these are missing:
            # credential pages, of which there are many, go without the copies.)
            tags.append(("name", "twitter:title", title))
            if description:
                tags.append(("name", "twitter:description", description))
            if spec is not None and spec.image:
                tags.append(("name", "twitter:image", self.urls.site + spec.image))
        if spec is not None and spec.kind in ("credential", "earner"):
            # Permanent and shareable, but kept out of search engines: a person's name and
            # credentials are theirs to share, not for a crawler to index.
            tags.append(("name", "robots", "noindex"))
        return "".join(f'<meta {k}="{e(n)}" content="{e(v)}">' for k, n, v in tags)


def read_icon(path: Path) -> str:
    """An SVG icon's markup, or '' when it is not there."""
    try:
        return path.read_text("utf-8").strip()
    except OSError:
        return ""
