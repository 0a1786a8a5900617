"""Status changes: revoke, suspend, reinstate; and the links made by renew and reissue.

Nothing is rewritten: a status change flips a bit in the signed status list, re-signs that list
and appends an event to ``issued/status-log.yml``, in one transaction.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import yaml

from credstack.errors import AwardError, CredstackError, StatusError
from credstack.model.assessment import assessment_record
from credstack.model.credential import CredentialView, Evidence, clean_text
from credstack.model.status import Bitstring
from credstack.registry import tlog
from credstack.registry.award import AwardInput, AwardPlan, plan_awards, write_plan
from credstack.registry.files import Transaction
from credstack.registry.freshness import resign
from credstack.registry.keys import LoadedKey
from credstack.registry.registry import STATUS_LOG, CurrentStatus, Registry, StatusEvent

LOG_HEADER = (
    "# Status log of this registry, written by credstack (revoke, suspend, reinstate, renew,\n"
    "# reissue). Each event is also reflected in the signed status lists under issued/status/.\n"
    "# 'reason' is the public statement, shown on the credential's page; private reasons are\n"
    "# never written here (credstack keeps them outside the repository).\n"
)
#: The longest public statement of a status change.
MAX_STATEMENT = 300


@dataclass(frozen=True)
class StatusChange:
    view: CredentialView
    event: StatusEvent


def log_text(events: list[StatusEvent]) -> str:
    """The status log file for ``events`` (oldest first)."""
    body = yaml.safe_dump(
        {"events": [e.to_json() for e in events]}, sort_keys=False, allow_unicode=True, width=100
    )
    return LOG_HEADER + body


def resign_list(
    registry: Registry, doc: dict[str, Any], key: LoadedKey, when: datetime, bits: Bitstring
) -> dict[str, Any]:
    """A copy of status list ``doc`` with ``bits``, a fresh validity window and proof."""
    unsigned = copy.deepcopy(doc)
    unsigned["credentialSubject"]["encodedList"] = bits.encode()
    return resign(registry.program, unsigned, key, when)


def stage_status(
    registry: Registry,
    tx: Transaction,
    changes: list[tuple[str, str, bool]],
    key: LoadedKey,
    when: datetime,
) -> dict[str, dict[str, Any]]:
    """Stage bit changes [(cid, purpose, value)] in the lists they touch, re-signed once each.

    Returns the re-signed lists by URL."""
    lists: dict[str, Bitstring] = {}
    for cid, purpose, value in changes:
        view = registry.get(cid)
        ref = view.status(purpose)
        if ref is None:
            raise StatusError(
                f"credential {cid} carries no {purpose} status entry",
                hint="credentials issued without status information cannot change status; "
                "reissue it",
            )
        doc = registry.status_lists.get(ref.list_url)
        if doc is None:
            raise StatusError(f"the status list {ref.list_url} is missing from issued/status/")
        bits = lists.get(ref.list_url) or Bitstring.decode(doc["credentialSubject"]["encodedList"])
        bits.set(ref.index, value)
        lists[ref.list_url] = bits
    written = {}
    for url, bits in lists.items():
        doc = registry.status_lists[url]
        name = url.rsplit("/", 1)[-1]
        written[url] = resign_list(registry, doc, key, when, bits)
        tx.write_json(registry.root / "issued" / "status" / name, written[url])
    return written


@dataclass(frozen=True)
class StatusRequest:
    """One status change asked for: ``event`` is revoked, suspended or reinstated."""

    cid: str
    event: str
    reason: str | None = None
    replacement: str | None = None


_BITS = {
    "revoked": ("revocation", True),
    "suspended": ("suspension", True),
    "reinstated": ("suspension", False),
}


def change_statuses(
    registry: Registry,
    requests: list[StatusRequest],
    *,
    key: LoadedKey,
    when: datetime,
    tx: Transaction | None = None,
) -> list[StatusChange]:
    """Apply status changes together: each list re-signed once, one log write, all or nothing.

    Raises StatusError (or RegistryError for an unknown id) before anything is written when any
    change is not allowed. With ``tx`` the writes are staged there; otherwise written at once.
    """
    statuses: dict[str, CurrentStatus] = {}
    done: list[StatusChange] = []
    for request in requests:
        view = registry.get(request.cid)
        current = statuses.get(view.cid) or registry.current_status(view.cid)
        event, reason = request.event, (request.reason or "").strip() or None
        if event not in _BITS:
            raise StatusError(f"unknown status change {event!r}")
        if event in ("revoked", "suspended") and reason is None:
            raise StatusError(
                f"a {event[:-1]} needs a public statement",
                hint="pass --statement TEXT (shown on the credential's page); a reason that "
                "must stay private goes in --private-reason",
            )
        if reason is not None:
            try:
                reason = clean_text(reason, "the public statement", max_length=MAX_STATEMENT)
            except CredstackError as e:
                raise StatusError(e.message, hint=e.hint) from e
        if current.revoked is not None:
            raise StatusError(
                f"{view.cid} was revoked on {current.revoked.date:%Y-%m-%d}; revocation is final",
                hint="issue a new credential instead (`credstack award` or `credstack reissue`)",
            )
        if event == "suspended" and current.suspended is not None:
            raise StatusError(
                f"{view.cid} is already suspended", hint="`credstack reinstate` it first"
            )
        if event == "reinstated" and current.suspended is None:
            raise StatusError(
                f"{view.cid} is not suspended",
                hint="only a suspension can be lifted; revocation is final",
            )
        record = StatusEvent(
            date=when,
            credential=view.cid,
            event=event,
            reason=reason,
            replacement=request.replacement,
        )
        statuses[view.cid] = CurrentStatus(
            record if event == "revoked" else current.revoked,
            record
            if event == "suspended"
            else (None if event == "reinstated" else current.suspended),
        )
        done.append(StatusChange(view, record))
    own = tx is None
    tx = tx or Transaction(registry.root)
    bits = [(c.view.cid, *_BITS[c.event.event]) for c in done]
    written = stage_status(registry, tx, bits, key, when)
    tx.write(registry.root / STATUS_LOG, log_text([*registry.log, *(c.event for c in done)]))
    # Transparency log: one entry per change, with the SHA-256 of the list signed for it.
    changes = []
    for c in done:
        purpose = _BITS[c.event.event][0]
        ref = c.view.status(purpose)
        assert ref is not None  # stage_status refused credentials without it
        changes.append((c.view.id, purpose, c.event.event, when, ref.list_url))
    tlog.record_status_changes(tx, registry.root, changes, written)
    if own:
        tx.commit()
    return done


def change_status(
    registry: Registry,
    cid: str,
    event: str,
    *,
    key: LoadedKey,
    when: datetime,
    reason: str | None,
    tx: Transaction | None = None,
    replacement: str | None = None,
) -> StatusChange:
    """Revoke, suspend or reinstate one credential (see :func:`change_statuses`)."""
    request = StatusRequest(cid, event, reason, replacement)
    return change_statuses(registry, [request], key=key, when=when, tx=tx)[0]


def expiring(registry: Registry, *, at: datetime, within: timedelta) -> list[CredentialView]:
    """Credentials in force at ``at`` whose validUntil falls within ``within``, soonest first."""
    horizon = at + within
    rows = [
        v
        for v in registry.credentials.values()
        if v.valid_until is not None
        and at < v.valid_until <= horizon
        and registry.in_force(v, at)
        and not registry.links(v.cid)["replaced_by"]
    ]
    return sorted(rows, key=lambda v: (v.valid_until, v.cid))


def _successor_input(
    view: CredentialView,
    *,
    issued_at: datetime,
    name: str | None,
    evidence: Iterable[Evidence] | None,
    result: str | None,
    where: str,
    assessors: tuple[str, ...] = (),
    assessed_on: datetime | None = None,
    keep_record: bool = False,
) -> AwardInput:
    if view.recipient is None or view.email_hash is None or view.salt is None:
        raise AwardError(
            f"{view.cid} carries no hashed recipient identity", hint="award a new credential"
        )
    own_evidence = tuple(e for e in view.evidence if not e.name.startswith("Component credential:"))
    return AwardInput(
        achievement=view.achievement_id,
        name=name or view.name,
        email=None,
        issued_at=issued_at,
        evidence=own_evidence if evidence is None else tuple(evidence),
        result=result if result is not None else view.result,
        renews=view.cid,
        where=where,
        identity=(view.email_hash, view.salt, view.recipient),
        assessors=assessors,
        assessed_on=assessed_on,
        keep_assessment=keep_record,
        record=assessment_record(view.raw) if keep_record else None,
    )


def renew(
    registry: Registry,
    cid: str,
    *,
    key: LoadedKey,
    now: datetime,
    issued_at: datetime,
    result: str | None = None,
    allow_backdated: bool = False,
    extra_evidence: tuple[Evidence, ...] = (),
    assessors: tuple[str, ...] = (),
    assessed_on: datetime | None = None,
) -> AwardPlan:
    """Issue a fresh credential for the same recipient and achievement, linked to ``cid``.

    ``extra_evidence`` (e.g. the CPD record, see ``credstack.registry.renewal``) is added to
    the evidence carried over from ``cid``.

    The award rules still apply (prerequisites, for certifications the pathway, and a fresh
    assessment by ``assessors``). Raises AwardError or StatusError; writes nothing then.
    """
    view = registry.get(cid)
    if registry.current_status(view.cid).revoked is not None:
        raise StatusError(f"{view.cid} was revoked; it cannot be renewed", hint="award anew")
    inp = _successor_input(
        view,
        issued_at=issued_at,
        name=None,
        evidence=None,
        result=result,
        where=f"renew {cid}",
        assessors=assessors,
        assessed_on=assessed_on,
    )
    if extra_evidence:
        inp = dataclasses.replace(inp, evidence=inp.evidence + tuple(extra_evidence))
    plan = plan_awards(registry, [inp], key, signed_at=now, allow_backdated=allow_backdated)
    new = plan.awarded[0].cid
    events = [
        *registry.log,
        StatusEvent(date=now, credential=view.cid, event="renewed", replacement=new),
    ]
    write_plan(plan, lambda tx: tx.write(registry.root / STATUS_LOG, log_text(events)))
    return plan


def reissue(
    registry: Registry,
    cid: str,
    *,
    key: LoadedKey,
    now: datetime,
    name: str | None = None,
    evidence: Iterable[Evidence] | None = None,
    result: str | None = None,
    salt_factory: Callable[[], str] | None = None,
) -> AwardPlan:
    """Issue a corrected copy of ``cid`` (same award date and assessment record) and revoke
    ``cid`` as superseded."""
    view = registry.get(cid)
    current = registry.current_status(view.cid)
    if current.revoked is not None:
        raise StatusError(f"{view.cid} was revoked; it cannot be reissued", hint="award anew")
    inp = _successor_input(
        view,
        issued_at=view.valid_from,
        name=name,
        evidence=evidence,
        result=result,
        where=f"reissue {cid}",
        keep_record=True,
    )
    # The corrected credential replaces the old one: the rule "already holds" does not apply,
    # and the stacking rules are checked as of the original award date (which may be long ago).
    plan = plan_awards(
        registry,
        [inp],
        key,
        signed_at=now,
        allow_backdated=True,
        salt_factory=salt_factory,
    )
    new = plan.awarded[0].cid

    def extra(tx: Transaction) -> None:
        change_status(
            registry,
            view.cid,
            "revoked",
            key=key,
            when=now,
            reason=f"superseded by {new}",
            tx=tx,
            replacement=new,
        )

    write_plan(plan, extra)
    return plan
