"""The registry: the program plus everything under ``issued/``, loaded once, read-only.

Layout of ``issued/`` (written by the CLI only):

- ``issued/credentials/<year>/<c>/<cid>.json`` one signed OpenBadgeCredential per file, never
  modified (sharded: :mod:`credstack.registry.layout`; older registries' flat files still read)
- ``issued/status/<purpose>-<n>.json`` signed BitstringStatusListCredentials (re-signed on change)
- ``issued/status-log.yml``            the human-readable log of every status change and link
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

import yaml

from credstack.errors import CredentialError, RegistryError
from credstack.model.credential import CredentialView
from credstack.model.did import did_document
from credstack.model.program import Program
from credstack.model.status import MIN_BITS, PURPOSES, format_datetime, parse_datetime
from credstack.model.urls import SiteUrls
from credstack.registry import layout
from credstack.registry.program import load_program

CREDENTIALS_DIR = "issued/credentials"
STATUS_DIR = "issued/status"
STATUS_LOG = "issued/status-log.yml"
LIST_SIZE = MIN_BITS


@dataclass(frozen=True)
class StatusEvent:
    """One line of the status log."""

    date: datetime
    credential: str  # cid
    event: str  # revoked | suspended | reinstated | renewed | reissued
    reason: str | None = None
    replacement: str | None = None  # cid of the renewal / corrected credential

    @classmethod
    def from_json(cls, entry: dict) -> StatusEvent:
        """One log entry; raises KeyError/TypeError/ValueError/AttributeError when malformed."""
        return cls(
            date=parse_datetime(str(entry["date"])),
            credential=str(entry["credential"]),
            event=str(entry["event"]),
            reason=entry.get("reason"),
            replacement=entry.get("replacement"),
        )

    def to_json(self) -> dict:
        out = {
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
    """What the registry knows about one credential's status right now."""

    revoked: StatusEvent | None = None
    suspended: StatusEvent | None = None

    @property
    def in_force(self) -> bool:
        return self.revoked is None and self.suspended is None


class Registry:
    """Read-only view of a registry root. Build a new one after writing."""

    def __init__(self, root: Path, program: Program | None = None):
        self.root = Path(root)
        self.program = program if program is not None else load_program(self.root)
        self.urls = SiteUrls(self.program.site_url)

    # -- credentials --------------------------------------------------------------------
    def credential_path(self, cid: str) -> Path:
        # (issue 17: the path of a credential's file is registry/layout.py's to decide)
        return layout.credential_path(self.root, cid, self._credential_files, self._sharded)

    @cached_property
    def _credential_files(self) -> dict[str, Path]:
        return layout.credential_files(self.root)

    @cached_property
    def _sharded(self) -> bool:
        return layout.is_sharded(self.root, self._credential_files)

    def read_json(self, path: Path) -> dict:
        """Parse one JSON file under the registry; raises RegistryError naming the file."""
        rel = path.relative_to(self.root) if path.is_relative_to(self.root) else path
        try:
            return json.loads(path.read_text("utf-8"))
        except OSError as e:
            raise RegistryError(f"cannot read {rel}: {e.strerror}") from e
        except json.JSONDecodeError as e:
            raise RegistryError(
                f"{rel}:{e.lineno}: not valid JSON ({e.msg})",
                hint="files under issued/ are written by credstack only; restore it with git",
            ) from e

    @cached_property
    def credentials(self) -> dict[str, CredentialView]:
        """Every issued credential by cid, in file-name order."""
        out: dict[str, CredentialView] = {}
        for cid, path in self._credential_files.items():  # (issue 17: flat or sharded)
            try:
                out[cid] = CredentialView.from_json(self.read_json(path), cid=cid)
            except CredentialError as e:
                raise RegistryError(
                    f"{path.relative_to(self.root)}: {e.message}", hint=e.hint
                ) from e
        return out

    def get(self, cid_or_url: str) -> CredentialView:
        """One credential by cid or URL; raises RegistryError when unknown."""
        cid = self.urls.cid_from_url(cid_or_url) or cid_or_url.strip().rstrip("/")
        view = self.credentials.get(cid)
        if view is None:
            raise RegistryError(
                f"no issued credential {cid_or_url!r}",
                hint="see the files in issued/credentials/ (the id is the file name)",
            )
        return view

    @cached_property
    def _by_recipient(self) -> dict[str, list[CredentialView]]:
        groups: dict[str, list[CredentialView]] = defaultdict(list)
        for view in self.credentials.values():
            if view.recipient:
                groups[view.recipient].append(view)
        return dict(groups)

    def by_recipient(self) -> dict[str, list[CredentialView]]:
        """Recipient id -> that person's credentials (computed once per Registry)."""
        return self._by_recipient

    def credentials_of(self, recipient: str) -> list[CredentialView]:
        return self.by_recipient().get(recipient, [])

    # -- status -------------------------------------------------------------------------
    def status_list_path(self, purpose: str, number: int) -> Path:
        return self.root / STATUS_DIR / f"{purpose}-{number}.json"

    @cached_property
    def status_lists(self) -> dict[str, dict]:
        """Signed status list credentials by their public URL."""
        out: dict[str, dict] = {}
        folder = self.root / STATUS_DIR
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            doc = self.read_json(path)
            out[doc.get("id", str(path))] = doc
        return out

    @cached_property
    def log(self) -> list[StatusEvent]:
        path = self.root / STATUS_LOG
        if not path.exists():
            return []
        try:
            raw = yaml.safe_load(path.read_text("utf-8")) or {}
            return [StatusEvent.from_json(e) for e in raw.get("events", [])]
        except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as e:
            raise RegistryError(
                f"{STATUS_LOG}: malformed status log ({e})",
                hint="the log is written by credstack only; restore it with git",
            ) from e

    @cached_property
    def _statuses(self) -> dict[str, CurrentStatus]:
        """cid -> current status, replaying the log once."""
        out: dict[str, CurrentStatus] = {}
        for event in self.log:
            current = out.get(event.credential, CurrentStatus())
            if event.event == "revoked":
                current = CurrentStatus(event, current.suspended)
            elif event.event == "suspended":
                current = CurrentStatus(current.revoked, event)
            elif event.event == "reinstated":
                current = CurrentStatus(current.revoked, None)
            out[event.credential] = current
        return out

    def current_status(self, cid: str) -> CurrentStatus:
        """Revocation and suspension of ``cid`` according to the status log."""
        return self._statuses.get(cid, CurrentStatus())

    def links(self, cid: str) -> dict[str, list[str]]:
        """Renewal and correction links: {'replaced_by': [...], 'replaces': [...]}."""
        out: dict[str, list[str]] = {"replaced_by": [], "replaces": []}
        for event in self.log:
            if event.replacement and event.credential == cid:
                out["replaced_by"].append(event.replacement)
            if event.replacement == cid:
                out["replaces"].append(event.credential)
        return out

    def next_status_index(self) -> tuple[int, int]:
        """(list number, index) for the next credential; indexes are never reused."""
        used = [
            (int(s.list_url.rsplit("-", 1)[-1].removesuffix(".json")), s.index)
            for v in self.credentials.values()
            for s in v.statuses
            if s.purpose == "revocation"
        ]
        if not used:
            return 1, 0
        number, index = max(used)
        return (number, index + 1) if index + 1 < LIST_SIZE else (number + 1, 0)

    # -- holdings -----------------------------------------------------------------------
    def in_force(self, view: CredentialView, at: datetime) -> bool:
        """Issued by then, not expired, not revoked or suspended (per the log)."""
        if view.valid_from > at or (view.valid_until is not None and view.valid_until <= at):
            return False
        return self.current_status(view.cid).in_force

    def holdings(self, recipient: str, at: datetime) -> dict[str, list[CredentialView]]:
        """Achievement id -> this recipient's credentials in force at ``at``."""
        out: dict[str, list[CredentialView]] = defaultdict(list)
        for view in self.credentials_of(recipient):
            if self.in_force(view, at):
                out[view.achievement_id].append(view)
        return dict(out)

    def did_document(self) -> dict:
        return did_document(self.program)


__all__ = ["PURPOSES", "Registry", "StatusEvent"]
