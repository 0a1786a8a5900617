"""Renewal with continuing professional development: the program's ``renewal`` rules, applied.

An achievement's rule (``program/achievements/<id>.yml``, ``renewal:``) opens renewal
``window_days`` before a credential expires and closes it when it expires; a renewal then needs
the CPD hours, CPD evidence and reassessment result the rule asks for. ``credstack renew``
checks them (:func:`renewal_problems`) before it issues anything, and ``credstack renewals``
lists the credentials whose window is open or opens soon (:func:`renewals_due`: ids and dates
only, no emails, for the monthly "renewals due" issue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from credstack.model.credential import CredentialView, Evidence
from credstack.model.program import Achievement
from credstack.registry.registry import Registry

#: The window for achievements that expire but have no renewal rule.
DEFAULT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Due:
    """A credential whose renewal window is open, or opens within the horizon asked for."""

    view: CredentialView
    opens: datetime
    closes: datetime  # = validUntil

    def is_open(self, at: datetime) -> bool:
        return self.opens <= at < self.closes


def window(
    achievement: Achievement | None, view: CredentialView
) -> tuple[datetime, datetime] | None:
    """(opens, closes) of the renewal window of ``view``; None when it does not expire."""
    if view.valid_until is None:
        return None
    days = (
        achievement.renewal.window_days
        if achievement is not None and achievement.renewal is not None
        else DEFAULT_WINDOW_DAYS
    )
    return view.valid_until - timedelta(days=days), view.valid_until


def renewal_problems(
    registry: Registry,
    view: CredentialView,
    *,
    at: datetime,
    cpd_hours: Decimal | None,
    evidence: tuple[Evidence, ...],
    result: str | None,
) -> list[str]:
    """Every reason the achievement's renewal rule refuses renewing ``view`` at ``at`` (empty:
    allowed). Without a rule, nothing is asked (the award rules still apply)."""
    achievement = registry.program.achievements.get(view.achievement_id)
    rule = achievement.renewal if achievement is not None else None
    if rule is None:
        return []
    problems: list[str] = []
    opens, closes = window(achievement, view) or (None, None)
    if opens is not None and closes is not None:
        if at < opens:
            problems.append(
                f"renewal of {view.cid} opens on {opens:%Y-%m-%d} ({rule.window_days} days "
                f"before it expires on {closes:%Y-%m-%d})"
            )
        elif at >= closes:
            problems.append(
                f"{view.cid} expired on {closes:%Y-%m-%d}: the renewal window has closed; "
                "award the achievement again after a new assessment"
            )
    if rule.cpd_hours is not None:
        if cpd_hours is None:
            problems.append(
                f"{view.achievement_id} needs {rule.cpd_hours:g} CPD hours since "
                f"{view.valid_from:%Y-%m-%d}: pass --cpd-hours"
            )
        elif cpd_hours < rule.cpd_hours:
            problems.append(
                f"{cpd_hours:g} CPD hours are fewer than the {rule.cpd_hours:g} the renewal "
                "rule asks for"
            )
    if rule.evidence is not None and not evidence:
        problems.append(f"the renewal needs CPD evidence ({rule.evidence}): pass --evidence URL")
    if rule.reassessment is not None and result is None:
        problems.append(f"the renewal needs a reassessment ({rule.reassessment}): pass --result")
    return problems


def cpd_evidence(
    evidence: tuple[Evidence, ...], *, cpd_hours: Decimal | None, since: datetime
) -> tuple[Evidence, ...]:
    """The CPD evidence as the renewed credential carries it (hours in the description)."""
    if cpd_hours is None:
        return tuple(Evidence(e.url, f"CPD record: {e.name}", e.description) for e in evidence)
    note = f"{cpd_hours:g} hours of continuing professional development since {since:%Y-%m-%d}"
    return tuple(Evidence(e.url, f"CPD record: {e.name}", note) for e in evidence)


def renewals_due(registry: Registry, *, at: datetime, within: timedelta) -> list[Due]:
    """Credentials in force at ``at``, not yet renewed, whose renewal window is open or opens
    before ``at + within``; soonest expiry first."""
    out = []
    for view in registry.credentials.values():
        span = window(registry.program.achievements.get(view.achievement_id), view)
        if span is None or span[1] <= at or span[0] > at + within:
            continue
        if not registry.in_force(view, at) or registry.links(view.cid)["replaced_by"]:
            continue
        out.append(Due(view, *span))
    return sorted(out, key=lambda d: (d.closes, d.view.cid))
