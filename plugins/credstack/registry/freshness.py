"""Status list freshness: every signed list is valid for a window and re-signed before it ends.

A status list carries ``validFrom`` and ``validUntil`` (Bitstring Status List v1.0, Security
Considerations, "Validity Periods"); verifiers call a list past its ``validUntil`` stale, so an
older signed copy (from before a revocation) cannot be replayed for longer than one window.
:func:`refresh_status_lists` re-signs the lists that end within a margin, with the same bits;
a scheduled workflow runs it (``credstack status refresh``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from credstack.crypto.proof import create_proof
from credstack.model.program import Program
from credstack.model.status import format_datetime, parse_datetime
from credstack.registry import tlog
from credstack.registry.files import Transaction
from credstack.registry.keys import LoadedKey
from credstack.registry.registry import Registry


def validity_window(program: Program, when: datetime) -> tuple[datetime, datetime]:
    """(validFrom, validUntil) of a status list signed at ``when``."""
    return when, when + timedelta(days=program.issuer.status_valid_days)


def resign(program: Program, doc: dict[str, Any], key: LoadedKey, when: datetime) -> dict[str, Any]:
    """A copy of status list ``doc`` (its bits as they are) with a fresh window and proof."""
    unsigned = copy.deepcopy(doc)
    unsigned.pop("proof", None)
    valid_from, valid_until = validity_window(program, when)
    unsigned["validFrom"] = format_datetime(valid_from)
    unsigned["validUntil"] = format_datetime(valid_until)
    return create_proof(
        unsigned, key.signing_key, verification_method=key.verification_method, created=when
    )


@dataclass(frozen=True)
class Refreshed:
    path: Path
    until: str | None  # the old validUntil (None: the list had none)


def due(doc: dict[str, Any], now: datetime, within: timedelta) -> bool:
    """Whether a list needs re-signing: no validUntil, or it ends within ``within`` of ``now``."""
    until = doc.get("validUntil")
    if not isinstance(until, str):
        return True
    try:
        return parse_datetime(until) <= now + within
    except ValueError:
        return True


def refresh_status_lists(
    registry: Registry, key: LoadedKey, *, now: datetime, within: timedelta
) -> list[Refreshed]:
    """Re-sign every list of ``registry`` that is due (see :func:`due`), in one transaction.

    Returns what was re-signed; raises RegistryError when a list cannot be read or written.
    """
    out: list[Refreshed] = []
    signed: dict[str, dict[str, Any]] = {}
    with Transaction(registry.root) as tx:
        for published in registry.lists.values():
            doc = registry.status_lists[published.url or published.rel]
            if not due(doc, now, within):
                continue
            path = registry.status_list_path(published.purpose, published.number)
            signed[str(doc["id"])] = resign(registry.program, doc, key, now)
            tx.write_json(path, signed[str(doc["id"])])
            out.append(Refreshed(path, doc.get("validUntil")))
        if signed:  # transparency log: the lists' new SHA-256 (same bits, new window)
            tlog.record_refreshed(tx, registry.root, signed, now)
    return out


__all__ = ["Refreshed", "due", "refresh_status_lists", "resign", "validity_window"]
