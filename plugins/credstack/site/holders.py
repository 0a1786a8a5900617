"""What the site shows holders and buyers: prices, Enrol buttons, the pathway calculator, earner
pages and the certificate print view. Called by :class:`credstack.site.pages.Renderer`.

Every price comes from :func:`credstack.model.pricing.quote` (the same function as
``credstack map``); the calculator gets a quote for every combination of holdings as JSON data
in the page (``<script type="application/json">``: data, never run) and only looks them up.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from credstack.model.certificate import (
    FOOTER_MM,
    FRAME_MM,
    LAYOUT,
    QR_MM,
    certificate,
)
from credstack.model.pricing import (
    MAX_CALCULATOR_MEMBERS,
    Quote,
    credit_for,
    fewest_hours,
    micro_members,
    quote,
    quote_table,
)
from credstack.model.program import Pathway
from credstack.registry.profiles import read_profiles
from credstack.site.safe import http_url

if TYPE_CHECKING:  # pragma: no cover
    from credstack.site.data import CredentialInfo
    from credstack.site.pages import PageSpec, Renderer

EARNERS = "earners/"
#: The print stylesheet (generated from the certificate layout): credential pages only.
CERTIFICATE_CSS = "assets/credstack/certificate.css"
#: The pathway calculator and the earner pages' live status.
HOLDERS_JS = "credstack-holders.js"
PT_MM = 0.3528  # one typographic point in millimetres
SHEET_MM = 297.0  # the print view's reference width (A4 landscape); Letter scales to it


def json_data(doc: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block: ``<``, ``>``, ``&`` escaped so
    that no value can close the element."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _hours(hours: float) -> str:
    text = f"{hours:g}"
    return f"{text} hour" if text == "1" else f"{text} hours"


class HolderPages:
    """Pricing, calculator, earner pages and certificates for one build."""

    def __init__(self, renderer: Renderer) -> None:
        self.r = renderer
        self.program = renderer.program
        self.data = renderer.data
        self.profiles = {
            p.recipient: p.page
            for p in read_profiles(self.data.registry.root)
            if any(i.view.recipient == p.recipient for i in self.data.credentials.values())
        }

    # -- links -----------------------------------------------------------------------------
    @staticmethod
    def enrol_link(url: str | None) -> str | None:
        """An Enrol link only for an http(s) URL (the loader checks it too)."""
        return http_url(url)

    def earner_path(self, recipient: str | None) -> str | None:
        page = self.profiles.get(recipient or "")
        return f"{EARNERS}{page}/" if page else None

    # -- pages -------------------------------------------------------------------------------
    def specs(self) -> list[PageSpec]:
        from credstack.site.pages import PageSpec

        out = []
        for recipient, page in self.profiles.items():
            infos = self._credentials_of(recipient)
            name = infos[-1].view.name if infos else ""
            out.append(
                PageSpec(
                    "earner",
                    recipient,
                    f"{EARNERS}{page}/",
                    f"{name}: credentials",
                    f"The credentials {name} holds from {self.program.issuer.name}.",
                    in_nav=False,
                    in_search=False,
                    hide=("navigation", "toc"),
                )
            )
        return out

    def _credentials_of(self, recipient: str) -> list[CredentialInfo]:
        """The recipient's credentials, oldest first, without those renewed or corrected."""
        infos = [
            i
            for i in self.data.credentials.values()
            if i.view.recipient == recipient and not i.replaced_by
        ]
        return sorted(infos, key=lambda i: (i.view.valid_from, i.cid))

    # -- pricing -----------------------------------------------------------------------------
    def bundle_row(self, p: Pathway) -> dict[str, Any]:
        return {
            "pathway": p,
            "quote": quote(self.program, p),
            "fewest": fewest_hours(self.program, p),
        }

    def pathway_context(self, p: Pathway) -> dict[str, Any]:
        program = self.program
        start = quote(program, p)
        members = [program.achievements[a] for a in micro_members(program, p)]
        rows = [
            {"a": a, "credit": credit_for(p, a), "enrol": self.enrol_link(a.enrol_url)}
            for a in members
        ]
        table = quote_table(program, p)
        return {
            "quote": start,
            "fewest": fewest_hours(program, p),
            "price_rows": rows,
            "cert_enrol": self.enrol_link(
                program.achievements[p.certification].enrol_url
                if p.certification in program.achievements
                else None
            ),
            "bundle_enrol": self.enrol_link(p.enrol_url),
            "calculator": json_data(self._calculator(p, table)) if table else None,
            "calculator_limit": MAX_CALCULATOR_MEMBERS,
            "calculator_members": members if table else [],
        }

    def _quote_json(self, q: Quote, members: list[str]) -> dict[str, Any]:
        return {
            "take": [members.index(a) for a in q.route.to_take],
            "micro": str(q.micro_price),
            "credit": str(q.credit),
            "fee": str(q.certification_fee),
            "total": str(q.total),
            "hours": _hours(q.route.hours),
            "bundleCheaper": q.bundle_is_cheaper,
        }

    def _calculator(self, p: Pathway, table: list[tuple[frozenset[str], Quote]]) -> dict[str, Any]:
        program, urls = self.program, self.r.urls
        members = micro_members(program, p)
        cert = program.achievements[p.certification]
        return {
            "issuer": urls.issuer_id,
            "members": [
                {
                    "id": aid,
                    "name": program.achievements[aid].name,
                    "achievement": urls.achievement(aid),
                    "enrol": self.enrol_link(program.achievements[aid].enrol_url),
                }
                for aid in members
            ],
            "certification": {
                "id": cert.id,
                "name": cert.name,
                "achievement": urls.achievement(cert.id),
            },
            "bundle": str(p.bundle_price),
            # quotes[mask]: bit i of mask set when members[i] is held
            "quotes": [self._quote_json(q, members) for _, q in table],
        }

    # -- credential page additions -------------------------------------------------------
    def credential_context(self, info: CredentialInfo, page_url: str) -> dict[str, Any]:
        """The certificate (in force only) and the earner page link of a credential page."""
        cert = None
        if info.in_force:
            cert = certificate(self.program, info.view, info.achievement, page_url)
        # (issue 17: the print view's QR code is drawn by the page when it is shown: the
        # badge maker's encoder, the same modules as the PDF's; not in every page's bytes)
        return {
            "certificate": cert,
            "earner_path": self.earner_path(info.view.recipient),
        }

    # -- earner pages ----------------------------------------------------------------------
    def earner_context(self, spec: PageSpec) -> dict[str, Any]:
        recipient = spec.key
        program = self.program
        infos = self._credentials_of(recipient)
        held = set(self.data.holdings.get(recipient, frozenset()))
        pathways = []
        for p in program.pathways.values():
            members = set(micro_members(program, p)) | {p.certification}
            if not held & members and not any(i.view.achievement_id in members for i in infos):
                continue
            q = quote(program, p, held)
            done, needed = p.progress(held)
            nxt = None
            if q is not None and not q.certified:
                if q.route.to_take:
                    a = program.achievements[q.route.to_take[0]]
                else:
                    a = program.achievements[p.certification]
                nxt = {"a": a, "enrol": self.enrol_link(a.enrol_url)}
            pathways.append(
                {
                    "p": p,
                    "quote": q,
                    "done": done,
                    "needed": needed,
                    "certified": p.certification in held,
                    "next": nxt,
                    "steps": [
                        {"a": program.achievements[a], "held": a in held}
                        for a in micro_members(program, p)
                        if a in p.components() or a in held
                    ],
                }
            )
        return {
            "name": infos[-1].view.name if infos else "",
            "items": [
                {
                    "info": i,
                    "name": self.r.achievement_name(i),
                    "url": self.r.urls.credential(i.cid),
                }
                for i in reversed(infos)
            ],
            "pathways": pathways,
        }


def certificate_css() -> str:
    """The certificate's stylesheet: the print view of credential pages, placed by
    :data:`credstack.model.certificate.LAYOUT` (the PDF's layout) in units of the sheet's
    width, so that A4 and Letter both print it landscape on one page."""

    def u(mm: float) -> str:
        return f"{mm * 100 / SHEET_MM:.4f}cqw"

    rules = [
        "/* Generated by credstack from model/certificate.py LAYOUT: do not edit. */",
        ".cs-certificate{display:none}",
        ".cs-certificate:target{display:block}",
        ".cs-credential:has(> .cs-certificate:target) > :not(.cs-certificate){display:none}",
        ".cs-certificate__sheet{position:relative;width:100%;aspect-ratio:297/210;"
        "container-type:inline-size;background:#fff;color:#1f2937;box-shadow:0 1px 6px "
        "rgba(0,0,0,.25);margin:0 0 1rem;overflow:hidden;font-family:var(--md-text-font-family,"
        "sans-serif);line-height:1.2}",
        f".cs-certificate__frame{{position:absolute;inset:{u(FRAME_MM)};border:{u(1.2)} solid "
        f"#0f3d5c}}",
        f".cs-certificate__frame::after{{content:'';position:absolute;inset:{u(2.5 - 1.2)};"
        f"border:{u(0.3)} solid #0f3d5c}}",
        ".cs-certificate__line{position:absolute;left:8%;right:8%;margin:0;text-align:center;"
        "transform:translateY(-50%);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ]
    for role, (top, size, bold) in LAYOUT.items():
        weight = 600 if bold else 400
        rules.append(
            f".cs-certificate__line--{role}{{top:{u(top)};font-size:{u(size * PT_MM)};"
            f"font-weight:{weight}}}"
        )
    rules += [
        ".cs-certificate__line--issuer{letter-spacing:.12em;text-transform:uppercase;"
        "color:#0f3d5c}",
        ".cs-certificate__line--title{color:#0f3d5c}",
        ".cs-certificate__line--lead,.cs-certificate__line--awarded,"
        ".cs-certificate__line--level,.cs-certificate__line--result{color:#5a6270}",
        f".cs-certificate__foot{{position:absolute;left:{u(FRAME_MM + 14)};"
        f"right:{u(FRAME_MM + 14)};bottom:{u(FOOTER_MM)};height:{u(QR_MM)};display:flex;"
        f"justify-content:space-between;align-items:flex-end;gap:{u(6)};"
        f"font-size:{u(10 * PT_MM)}}}",
        ".cs-certificate__facts{display:grid;grid-template-columns:auto 1fr;"
        f"column-gap:{u(6)};row-gap:{u(1)};margin:0 0 {u(3)}}}",
        ".cs-certificate__facts dt{color:#5a6270;margin:0}",
        ".cs-certificate__facts dd{font-weight:600;margin:0}",
        ".cs-certificate__verify{margin:0;color:#5a6270}",
        ".cs-certificate__verify a{display:block;color:#0f3d5c;font-weight:600;"
        "word-break:break-all;text-decoration:none}",
        f".cs-certificate__qr{{width:{u(QR_MM)};height:{u(QR_MM)};flex:none;fill:#1f2937}}",
        ".cs-certificate__actions{margin:.5rem 0 1.5rem}",
        "@media print{"
        "@page{size:landscape;margin:0}"
        "html,body{background:#fff!important}"
        ".md-header,.md-tabs,.md-footer,.md-sidebar,.md-top,.md-dialog,.md-banner,"
        ".cs-certificate__actions{display:none!important}"
        ".md-main__inner,.md-content,.md-content__inner,.md-grid{margin:0!important;"
        "padding:0!important;max-width:none!important}"
        ".md-content__inner::before{display:none}"
        ".cs-credential:has(> .cs-certificate) > :not(.cs-certificate){display:none!important}"
        ".cs-certificate{display:block!important}"
        ".cs-certificate__sheet{box-shadow:none;margin:0;break-inside:avoid;aspect-ratio:auto;"
        "height:100vh;print-color-adjust:exact;-webkit-print-color-adjust:exact}"
        "}",
    ]
    return "\n".join(rules) + "\n"


def holder_assets(output: str, spec: PageSpec | None, page_url: str) -> str:
    """Add what issue 16's pages need to a finished page: the verifier, the page script and
    the holders' script on pathway and earner pages; the certificate stylesheet on credential
    pages. Scripts load with ``defer`` from ``'self'`` (the CSP allows nothing else)."""
    if spec is None or spec.kind not in ("pathway", "earner", "credential"):
        return output
    up = "../" * page_url.count("/")
    if spec.kind == "credential":
        tag = f'<link rel="stylesheet" href="{up}{CERTIFICATE_CSS}">'
    else:
        base = f"{up}assets/credstack/"
        tag = "".join(
            f'<script defer src="{base}{name}"></script>'
            for name in ("verifier/credstack-verifier.js", "credstack-page.js", HOLDERS_JS)
        )
    return output.replace("</head>", tag + "</head>", 1)
