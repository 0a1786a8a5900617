"""The status log's one state machine: events in, each credential's status and links out.

``issued/status-log.yml`` records every revocation, suspension, reinstatement, renewal and
correction, in order. Everything that needs to know "what is this credential's status per the
log?" (the registry, the merge gate for the head and the base branch, the lifecycle commands,
the site) replays the events here, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from credstack.model.status import format_datetime, parse_datetime

#: Events that set or clear a status bit, and the purpose (list) each one concerns.
STATUS_EVENTS: Final[dict[str, str]] = {
    "revoked": "revocation",
    "suspended": "suspension",
    "reinstated": "suspension",
}
#: Events that link a credential to its successor (``replacement``).
LINK_EVENTS: Final = ("renewed", "reissued")
EVENTS: Final = (*STATUS_EVENTS, *LINK_EVENTS)


@dataclass(frozen=True)
class StatusEvent:
    """One line of the status log."""

    date: datetime
    credential: str  # cid
    event: str  # revoked | suspended | reinstated | renewed | reissued
    reason: str | None = None
    replacement: str | None = None  # cid of the renewal / corrected credential

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> StatusEvent:
        """One log entry; raises KeyError/TypeError/ValueError/AttributeError when malformed."""
        reason = entry.get("reason")
        replacement = entry.get("replacement")
        return cls(
            date=parse_datetime(str(entry["date"])),
            credential=str(entry["credential"]),
            event=str(entry["event"]),
            reason=str(reason) if reason is not None else None,
            replacement=str(replacement) if replacement is not None else None,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "date": format_datetime(self.date),
            "credential": self.credential,
            "event": self.event,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.replacement:
            out["replacement"] = self.replacement
        return out


@dataclass(frozen=True)
class CurrentStatus:
    """What the log says about one credential's status: the events in effect."""

    revoked: StatusEvent | None = None
    suspended: StatusEvent | None = None

    @property
    def in_force(self) -> bool:
        return self.revoked is None and self.suspended is None

    def bit(self, purpose: str) -> bool:
        """The status bit the signed list must carry for ``purpose``."""
        return (self.revoked if purpose == "revocation" else self.suspended) is not None

    def event(self, purpose: str) -> StatusEvent | None:
        return self.revoked if purpose == "revocation" else self.suspended


@dataclass(frozen=True)
class Transition:
    """An event the state machine refuses, with its position: (index, code)."""

    index: int
    event: StatusEvent
    code: str  # unknown-event | already-revoked | not-suspended | already-suspended | self-link


@dataclass(frozen=True)
class StatusHistory:
    """The replayed log: current statuses, successor links, and refused transitions."""

    events: tuple[StatusEvent, ...] = ()
    statuses: Mapping[str, CurrentStatus] = field(default_factory=dict)
    replaced_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    replaces: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    refused: tuple[Transition, ...] = ()

    @classmethod
    def replay(cls, events: Iterable[StatusEvent]) -> StatusHistory:
        """Apply ``events`` in order. Refused transitions are recorded and change nothing."""
        ordered = tuple(events)
        statuses: dict[str, CurrentStatus] = {}
        replaced_by: dict[str, list[str]] = {}
        replaces: dict[str, list[str]] = {}
        refused: list[Transition] = []
        for index, event in enumerate(ordered):
            current = statuses.get(event.credential, CurrentStatus())
            code = None
            if event.event == "revoked":
                if current.revoked is not None:
                    code = "already-revoked"
                else:
                    current = CurrentStatus(event, current.suspended)
            elif event.event == "suspended":
                if current.revoked is not None:
                    code = "already-revoked"
                elif current.suspended is not None:
                    code = "already-suspended"
                else:
                    current = CurrentStatus(None, event)
            elif event.event == "reinstated":
                if current.suspended is None:
                    code = "not-suspended"
                else:
                    current = CurrentStatus(current.revoked, None)
            elif event.event not in LINK_EVENTS:
                code = "unknown-event"
            if event.replacement:
                if event.replacement == event.credential:
                    code = code or "self-link"
                else:
                    replaced_by.setdefault(event.credential, []).append(event.replacement)
                    replaces.setdefault(event.replacement, []).append(event.credential)
            if code is not None:
                refused.append(Transition(index, event, code))
                continue
            statuses[event.credential] = current
        return cls(
            events=ordered,
            statuses=statuses,
            replaced_by={k: tuple(v) for k, v in replaced_by.items()},
            replaces={k: tuple(v) for k, v in replaces.items()},
            refused=tuple(refused),
        )

    def current(self, cid: str) -> CurrentStatus:
        """Revocation and suspension of ``cid`` per the log."""
        return self.statuses.get(cid, CurrentStatus())

    def as_of(self, moment: datetime) -> StatusHistory:
        """The history of the events dated strictly before ``moment``."""
        return StatusHistory.replay(e for e in self.events if e.date < moment)

    def links(self, cid: str) -> dict[str, list[str]]:
        """Renewal and correction links: {'replaced_by': [...], 'replaces': [...]}."""
        return {
            "replaced_by": list(self.replaced_by.get(cid, ())),
            "replaces": list(self.replaces.get(cid, ())),
        }

    def link_event(self, original: str, replacement: str) -> StatusEvent | None:
        """The event that made ``replacement`` the successor of ``original``."""
        return next(
            (e for e in self.events if e.credential == original and e.replacement == replacement),
            None,
        )


__all__ = ["EVENTS", "CurrentStatus", "StatusEvent", "StatusHistory", "Transition"]
