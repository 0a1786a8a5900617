"""Everything the site shows, computed once from the registry before any page is rendered.

:func:`load_site_data` reads the program and ``issued/``, verifies every credential (cached) and
works out statuses, holders, renewals and pathway progress, so that rendering a page is a lookup
plus one template. Nothing here knows about MkDocs.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from credstack.errors import RegistryError
from credstack.model.credential import CredentialView, Evidence
from credstack.model.program import LEVELS, Achievement, Pathway, Program
from credstack.registry.registry import Registry, StatusEvent
from credstack.registry.verify import VerificationReport
from credstack.site.cache import BuildCache
from credstack.site.verification import BuildVerifier

#: States a credential page can show; a report in any other state (invalid, error) stops the
#: build.
STATES = ("active", "expired", "revoked", "suspended", "not-yet-valid")


@dataclass(frozen=True)
class Link:
    """A renewal or correction: the other credential and what happened."""

    cid: str
    event: StatusEvent


@dataclass
class CredentialInfo:
    """One issued credential with everything its page needs."""

    view: CredentialView
    source: Path  # issued/credentials/<cid>.json
    sha256: str
    achievement: Achievement | None
    report: VerificationReport
    #: "active", "expired", "revoked", "suspended" or "not-yet-valid"
    state: str
    event: StatusEvent | None = None  # the revocation or suspension shown
    replaced_by: list[Link] = field(default_factory=list)
    replaces: list[Link] = field(default_factory=list)

    @property
    def cid(self) -> str:
        return self.view.cid

    @property
    def in_force(self) -> bool:
        return self.state == "active"


@dataclass(frozen=True)
class Progress:
    """One recipient's standing on one pathway."""

    pathway: Pathway
    done: int
    needed: int
    held: frozenset[str]  # achievement ids held in force
    certified: bool


@dataclass
class SiteData:
    """The program and the registry, checked and digested for rendering."""

    registry: Registry
    built_at: datetime
    credentials: dict[str, CredentialInfo]
    holders: dict[str, int]  # achievement id -> people holding it in force
    holdings: dict[str, frozenset[str]]  # recipient -> achievement ids held in force
    verified_now: int = 0
    raw: dict[str, bytes] = field(default_factory=dict)  # cid -> the credential file's bytes

    @property
    def program(self) -> Program:
        return self.registry.program

    def progress(self, recipient: str | None, achievement_id: str) -> list[Progress]:
        """The recipient's progress on every pathway that ``achievement_id`` belongs to."""
        if recipient is None:
            return []
        held = self.holdings.get(recipient, frozenset())
        out = []
        for pathway in self.program.pathways.values():
            if achievement_id not in pathway_members(self.program, pathway):
                continue
            done, needed = pathway.progress(set(held))
            out.append(Progress(pathway, done, needed, held, pathway.certification in held))
        return out


def pathway_members(program: Program, pathway: Pathway) -> list[str]:
    """Every achievement on the pathway: components, their prerequisites, the certification."""
    ordered: list[str] = []

    def visit(aid: str) -> None:
        achievement = program.achievements.get(aid)
        if achievement is None or aid in ordered:
            return
        for pre in achievement.prerequisites:
            visit(pre)
        if aid not in ordered:
            ordered.append(aid)

    for aid in pathway.components():
        visit(aid)
    visit(pathway.certification)
    return ordered


def _state(report: VerificationReport, view: CredentialView, at: datetime) -> str:
    if report.status == "verified":
        return "active"
    if report.status in ("expired", "revoked", "suspended"):
        return report.status
    validity = report.check("validity")
    if validity is not None and view.valid_from > at and validity.outcome == "fail":
        return "not-yet-valid"
    return report.status


def read_credentials(registry: Registry) -> dict[str, bytes]:
    """The bytes of every issued credential file, by credential id (read once per build)."""
    raw: dict[str, bytes] = {}
    for cid in registry.credentials:  # RegistryError for unreadable or malformed files
        path = registry.credential_path(cid)
        try:
            raw[cid] = path.read_bytes()
        except OSError as e:  # pragma: no cover - just read by the registry
            raise RegistryError(f"cannot read {path}: {e.strerror}") from e
    return raw


def load_site_data(
    registry: Registry,
    *,
    at: datetime,
    cache: BuildCache,
    raw: dict[str, bytes] | None = None,
    digests: dict[str, str] | None = None,
) -> SiteData:
    """Read, verify and digest every issued credential as of ``at``.

    ``raw`` and ``digests`` (SHA-256 hex) of the credential files, when the caller has them.
    Raises RegistryError when ``issued/`` cannot be read or a credential does not verify
    (tampered file, unknown key, untrusted status list): the site never shows such a credential.
    """
    views = registry.credentials  # RegistryError for unreadable or malformed files
    if raw is None:
        raw = read_credentials(registry)
    if digests is None:
        digests = {cid: hashlib.sha256(data).hexdigest() for cid, data in raw.items()}
    _ = registry.status_lists, registry.log  # surface their errors now
    verifier = BuildVerifier(registry, at=at, cache=cache, raw=raw, digests=digests)
    events: dict[tuple[str, str], StatusEvent] = {}
    for event in registry.log:
        if event.replacement:
            events[(event.credential, event.replacement)] = event

    infos: dict[str, CredentialInfo] = {}
    failures: list[str] = []
    reports = verifier.reports(list(views))
    for cid, view in views.items():
        report = reports[cid]
        state = _state(report, view, at)
        if state not in STATES:
            failures.append(f"issued/credentials/{cid}.json: {report.verdict}")
            continue
        current = registry.current_status(cid)
        event = current.revoked if state == "revoked" else current.suspended
        links = registry.links(cid)
        infos[cid] = CredentialInfo(
            view=view,
            source=registry.credential_path(cid),
            sha256=digests[cid],
            achievement=registry.program.achievements.get(view.achievement_id),
            report=report,
            state=state,
            event=event if state in ("revoked", "suspended") else None,
            replaced_by=[
                Link(other, events[(cid, other)])
                for other in links["replaced_by"]
                if (cid, other) in events
            ],
            replaces=[
                Link(other, events[(other, cid)])
                for other in links["replaces"]
                if (other, cid) in events
            ],
        )
    if failures:
        shown = "\n  ".join(failures[:20])
        more = f"\n  (+{len(failures) - 20} more)" if len(failures) > 20 else ""
        raise RegistryError(
            f"{len(failures)} issued credential(s) do not verify; the site would misrepresent "
            f"them:\n  {shown}{more}",
            hint="run `credstack verify issued/` for details; files under issued/ are written "
            "by credstack only: restore them with git",
        )

    holdings: dict[str, set[str]] = defaultdict(set)
    for info in infos.values():
        if info.view.recipient and registry.in_force(info.view, at):
            holdings[info.view.recipient].add(info.view.achievement_id)
    holders: dict[str, int] = {aid: 0 for aid in registry.program.achievements}
    for held in holdings.values():
        for aid in held:
            holders[aid] = holders.get(aid, 0) + 1
    return SiteData(
        registry=registry,
        built_at=at,
        credentials=infos,
        holders=holders,
        holdings={r: frozenset(h) for r, h in holdings.items()},
        verified_now=verifier.verified,
        raw=raw,
    )


def components_of(data: SiteData, info: CredentialInfo) -> list[tuple[Evidence, CredentialInfo]]:
    """The component credentials a certification names in its evidence, as far as published."""
    out = []
    for evidence in info.view.evidence:
        other = data.registry.urls.cid_from_url(evidence.url)
        if other is not None and other in data.credentials:
            out.append((evidence, data.credentials[other]))
    return out


def levels_of(program: Program) -> list[tuple[str, list[Achievement]]]:
    """(level, achievements) for each level that has achievements, in level order."""
    return [(level, program.by_level(level)) for level in LEVELS if program.by_level(level)]
