"""Everything the site shows, computed once from the registry before any page is rendered.

:func:`load_site_data` is a projection of the registry snapshot: it verifies every credential
with the one verifier (through the verification cache that ``credstack check`` and
``credstack verify`` share, so a credential checked by the merge gate is not verified again),
and works out statuses, holders, renewals and pathway progress, so that rendering a page is a
lookup plus one template. It reads nothing under ``issued/`` itself. Nothing here knows about
MkDocs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from credstack.errors import RegistryError
from credstack.model.credential import CredentialView, Evidence
from credstack.model.program import LEVELS, Achievement, Pathway, Program
from credstack.model.report import VerificationReport
from credstack.model.wording import verdict
from credstack.registry.registry import Registry, StatusEvent
from credstack.registry.vcache import VerificationCache
from credstack.registry.verify import registry_verifier, verify_registry
from credstack.site.cache import BuildCache

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
    decision = report.decision
    if decision.status == "verified":
        return "active"
    if decision.status in ("expired", "revoked", "suspended"):
        return decision.status
    if decision.check == "validity" and decision.code == "not-yet-valid":
        return "not-yet-valid"
    return decision.status


def read_credentials(registry: Registry) -> dict[str, bytes]:
    """The bytes of every issued credential file, by credential id (from the snapshot)."""
    _ = registry.credentials  # RegistryError for unreadable or malformed files
    return {cid: issued.data for cid, issued in registry.issued.items()}


def load_site_data(
    registry: Registry,
    *,
    at: datetime,
    cache: BuildCache | None = None,
    verification_cache: VerificationCache | None = None,
    raw: dict[str, bytes] | None = None,
    digests: dict[str, str] | None = None,
) -> SiteData:
    """Verify and digest every issued credential of the snapshot as of ``at``.

    ``verification_cache`` is the registry's shared verification cache (None: verify without
    one). ``cache``, ``raw`` and ``digests`` are accepted for callers of the earlier signature;
    the snapshot has the bytes and digests. Raises RegistryError when ``issued/`` cannot be read
    or a credential does not verify (tampered file, unknown key, untrusted status list): the
    site never shows such a credential.
    """
    del cache, digests
    views = registry.credentials  # RegistryError for unreadable or malformed files
    _ = registry.status_lists, registry.history  # surface their errors now
    verifier = registry_verifier(registry, at=at, cache=verification_cache)
    reports = verify_registry(verifier, registry)
    if verification_cache is not None:
        verification_cache.save()
    events = registry.history
    infos: dict[str, CredentialInfo] = {}
    failures: list[str] = []
    for cid, view in views.items():
        report = reports[cid]
        state = _state(report, view, at)
        if state not in STATES:
            failures.append(f"{registry.issued[cid].rel}: {verdict(report)}")
            continue
        current = registry.current_status(cid)
        event = current.revoked if state == "revoked" else current.suspended
        links = registry.links(cid)
        infos[cid] = CredentialInfo(
            view=view,
            source=registry.credential_path(cid),
            sha256=registry.issued[cid].digest,
            achievement=registry.program.achievements.get(view.achievement_id),
            report=report,
            state=state,
            event=event if state in ("revoked", "suspended") else None,
            replaced_by=[
                Link(other, e)
                for other in links["replaced_by"]
                if (e := events.link_event(cid, other)) is not None
            ],
            replaces=[
                Link(other, e)
                for other in links["replaces"]
                if (e := events.link_event(other, cid)) is not None
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
        verified_now=verifier.computed,
        raw=raw if raw is not None else read_credentials(registry),
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
