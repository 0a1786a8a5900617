"""The registry snapshot: the program plus everything under ``issued/``, read once, read-only.

Layout of ``issued/`` (written by the CLI only):

- ``issued/credentials/<year>/<c>/<cid>.json`` one signed OpenBadgeCredential per file, never
  modified (sharded, or flat in registries from before: :mod:`credstack.registry.layout`)
- ``issued/status/<purpose>-<n>.json`` signed BitstringStatusListCredentials (re-signed on change)
- ``issued/status-log.yml``            the human-readable log of every status change and link

Every consumer (``credstack verify``, the merge gate, the site, the award and lifecycle
commands) reads the registry through one :class:`Registry`: each file's bytes are read once,
hashed once and parsed once; the status log is replayed once by
:class:`credstack.model.history.StatusHistory`. Malformed files do not stop the snapshot: they
are kept with a ``problem`` (the merge gate reports them), while the strict accessors used by
writers and the site (:attr:`Registry.credentials`, :attr:`Registry.log`) raise
:class:`RegistryError` naming the file. Build a new snapshot after writing.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from credstack.errors import CredentialError, RegistryError
from credstack.model.credential import CredentialView
from credstack.model.did import did_document
from credstack.model.history import CurrentStatus, StatusEvent, StatusHistory
from credstack.model.program import Program
from credstack.model.status import MIN_BITS, PURPOSES
from credstack.model.urls import SiteUrls
from credstack.registry import layout, tlog
from credstack.registry.program import MKDOCS_FILE, load_program
from credstack.registry.source import FileSource, GitSource, Source
from credstack.registry.viewcache import ViewCache

ISSUED_DIR = "issued"
CREDENTIALS_DIR = "issued/credentials"
STATUS_DIR = "issued/status"
STATUS_LOG = "issued/status-log.yml"
LIST_SIZE = MIN_BITS

CREDENTIAL_FILE = layout.CREDENTIAL_FILE  # (issue 17: flat or in its shard; group 1 is the cid)
STATUS_FILE = re.compile(r"^issued/status/(revocation|suspension)-([1-9][0-9]*)\.json$")
#: Written by credstack too (issue 16): sealed roster rows and the earner pages opted into.
HOLDER_FILE = re.compile(r"^issued/(roster/[A-Za-z0-9][A-Za-z0-9-]*\.sealed|profiles\.yml)$")
_RESTORE = "files under issued/ are written by credstack only; restore it with git"


@dataclass(frozen=True)
class IssuedCredential:
    """One credential file as read: bytes, SHA-256, the view credstack uses, and the parsed
    JSON on demand.

    The snapshot keeps each file's bytes and view; :attr:`doc` parses the bytes again each time
    it is read (parsed, 100,000 credentials are some 1.8 GB of objects that most consumers, the
    site among them, never need once the views are made)."""

    cid: str
    rel: str  # path relative to the registry root
    data: bytes
    digest: str  # SHA-256 hex of data
    view: CredentialView | None = None
    problem: str | None = None  # why the JSON or the view could not be read

    @property
    def doc(self) -> Any:
        """The parsed JSON, duplicate keys refused (None when the file is not such JSON)."""
        try:
            return parse_json_bytes(self.data, self.rel)
        except ValueError:
            return None

    @property
    def readable(self) -> bool:
        return self.view is not None


@dataclass(frozen=True)
class PublishedList:
    """One signed status list file as read."""

    rel: str
    purpose: str
    number: int
    data: bytes
    digest: str
    doc: dict[str, Any] | None = None
    problem: str | None = None

    @property
    def url(self) -> str | None:
        doc_id = self.doc.get("id") if self.doc else None
        return doc_id if isinstance(doc_id, str) else None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """One JSON object; raises ValueError when a key repeats (the dict is built in C: a
    repeated key shows as fewer keys than pairs)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return out


def parse_json_bytes(data: bytes, rel: str) -> Any:
    """Parse JSON, refusing duplicate keys; raises ValueError with a message naming ``rel``."""
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError as e:
        raise ValueError(f"{rel}: not UTF-8 text ({e.reason})") from e
    except json.JSONDecodeError as e:
        raise ValueError(f"{rel}:{e.lineno}: not valid JSON ({e.msg})") from e
    except RecursionError as e:
        raise ValueError(f"{rel}: JSON nested too deeply") from e


class Registry:
    """A read-only snapshot of a registry root (or of a commit, see :meth:`from_git`)."""

    def __init__(
        self,
        root: Path,
        program: Program | None = None,
        *,
        source: Source | None = None,
        views: ViewCache | None = None,
    ):
        self.root = Path(root)
        self.program = program if program is not None else load_program(self.root)
        self.urls = SiteUrls(self.program.site_url)
        self.source: Source = source if source is not None else FileSource(self.root)
        #: Views kept by file digest from an earlier run (None: every file is parsed).
        self.views = views

    @classmethod
    def from_git(cls, root: Path, ref: str, *, program: Program | None = None) -> Registry:
        """The registry as it is at git ``ref``: issued/ read through git, the program from
        that commit (or ``program``). Raises CheckError/ProgramError."""
        source = GitSource(root, ref)
        if program is None:
            with tempfile.TemporaryDirectory(prefix="credstack-base-") as tmp:
                source.extract(["program", MKDOCS_FILE], Path(tmp))
                program = load_program(Path(tmp))
        return cls(root, program, source=source)

    # -- reading -------------------------------------------------------------------------
    @cached_property
    def files(self) -> dict[str, bytes]:
        """Every file under issued/ by path (read once)."""
        return self.source.read(self.source.files(ISSUED_DIR))

    @cached_property
    def links_in_issued(self) -> list[str]:
        """Symbolic links under issued/ (never written by credstack)."""
        return self.source.links(ISSUED_DIR)

    @cached_property
    def issued(self) -> dict[str, IssuedCredential]:
        """Every credential file by cid, in file-name order, readable or not."""
        out: dict[str, IssuedCredential] = {}
        for rel, data in self.files.items():
            match = CREDENTIAL_FILE.match(rel)
            if not match:
                continue
            cid = match.group(1)
            digest = hashlib.sha256(data).hexdigest()
            view = self.views.get(cid, digest, data) if self.views is not None else None
            problem = None
            if view is None:
                try:
                    view = CredentialView.from_json(parse_json_bytes(data, rel), cid, source=data)
                except ValueError as e:
                    problem = str(e).removeprefix(f"{rel}: ")
                except CredentialError as e:
                    problem = e.message
                if view is not None and self.views is not None:
                    self.views.put(cid, digest, view)
            out[cid] = IssuedCredential(cid, rel, data, digest, view, problem)
        if self.views is not None:
            self.views.save()
        return dict(sorted(out.items()))

    @cached_property
    def lists(self) -> dict[str, PublishedList]:
        """Every status list file by path, readable or not."""
        out: dict[str, PublishedList] = {}
        for rel, data in self.files.items():
            match = STATUS_FILE.match(rel)
            if not match:
                continue
            doc = None
            problem = None
            try:
                parsed = parse_json_bytes(data, rel)
                if not isinstance(parsed, dict):
                    raise ValueError("not a JSON object")
                doc = parsed
            except ValueError as e:
                problem = str(e).removeprefix(f"{rel}: ")
            out[rel] = PublishedList(
                rel,
                match.group(1),
                int(match.group(2)),
                data,
                hashlib.sha256(data).hexdigest(),
                doc,
                problem,
            )
        return out

    @cached_property
    def stray_files(self) -> list[str]:
        """Files under issued/ that credstack never writes."""
        return [
            rel
            for rel in self.files
            if rel != STATUS_LOG
            and not CREDENTIAL_FILE.match(rel)
            and not STATUS_FILE.match(rel)
            and not HOLDER_FILE.match(rel)
            and not tlog.LOG_FILE.match(rel)  # the transparency log (registry/tlog.py)
        ]

    @cached_property
    def log_entries(self) -> tuple[list[Any], list[StatusEvent], list[tuple[int, str]]]:
        """(raw entries, parsed events, [(index or -1, problem)]) of the status log."""
        data = self.files.get(STATUS_LOG)
        if data is None:
            return [], [], []
        try:
            raw = yaml.safe_load(data) or {}
            entries = raw.get("events") or [] if isinstance(raw, dict) else None
            if not isinstance(entries, list):
                raise ValueError("expected 'events:' with a list of events")
        except (yaml.YAMLError, ValueError, UnicodeDecodeError) as e:
            return [], [], [(-1, f"not a status log ({e})")]
        events: list[StatusEvent] = []
        problems: list[tuple[int, str]] = []
        for i, entry in enumerate(entries):
            try:
                if not isinstance(entry, dict):
                    raise TypeError("not a mapping")
                events.append(StatusEvent.from_json(entry))
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                problems.append((i, f"events[{i}]: malformed ({e})"))
        return entries, events, problems

    # -- strict accessors (writers, site) ------------------------------------------------
    def credential_path(self, cid: str) -> Path:
        # (issue 17: where a credential's file is, or goes, is registry/layout.py's to say)
        issued = self.issued.get(cid)
        if issued is not None:
            return self.root / issued.rel
        return layout.new_credential_path(self.root, cid, sharded=self._sharded)

    @cached_property
    def _sharded(self) -> bool:
        return layout.is_sharded(issued.rel for issued in self.issued.values())

    def read_json(self, path: Path) -> dict[str, Any]:
        """Parse one JSON file under the registry; raises RegistryError naming the file."""
        rel = path.relative_to(self.root) if path.is_relative_to(self.root) else path
        try:
            data = path.read_bytes()
        except OSError as e:
            raise RegistryError(f"cannot read {rel}: {e.strerror}") from e
        try:
            doc = parse_json_bytes(data, str(rel))
        except ValueError as e:
            raise RegistryError(str(e), hint=_RESTORE) from e
        if not isinstance(doc, dict):
            raise RegistryError(f"{rel}: not a JSON object", hint=_RESTORE)
        return doc

    @cached_property
    def credentials(self) -> dict[str, CredentialView]:
        """Every issued credential's view by cid; raises RegistryError for an unreadable one."""
        out: dict[str, CredentialView] = {}
        for cid, issued in self.issued.items():
            if issued.view is None:
                raise RegistryError(f"{issued.rel}: {issued.problem}", hint=_RESTORE)
            out[cid] = issued.view
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
    def status_lists(self) -> dict[str, dict[str, Any]]:
        """Signed status list credentials by their public URL; raises RegistryError if one is
        not JSON."""
        out: dict[str, dict[str, Any]] = {}
        for published in self.lists.values():
            if published.doc is None:
                raise RegistryError(f"{published.rel}: {published.problem}", hint=_RESTORE)
            out[published.url or published.rel] = published.doc
        return out

    @cached_property
    def log(self) -> list[StatusEvent]:
        """The status log's events; raises RegistryError when it is malformed."""
        _, events, problems = self.log_entries
        if problems:
            raise RegistryError(
                f"{STATUS_LOG}: malformed status log ({problems[0][1]})",
                hint="the log is written by credstack only; restore it with git",
            )
        return events

    @cached_property
    def history(self) -> StatusHistory:
        """The status log replayed (strict: raises RegistryError when it is malformed)."""
        return StatusHistory.replay(self.log)

    def current_status(self, cid: str) -> CurrentStatus:
        """Revocation and suspension of ``cid`` according to the status log."""
        return self.history.current(cid)

    def links(self, cid: str) -> dict[str, list[str]]:
        """Renewal and correction links: {'replaced_by': [...], 'replaces': [...]}."""
        return self.history.links(cid)

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

    @cached_property
    def did(self) -> dict[str, Any]:
        """The issuer's DID document, built from the program's keys (and, when the registry
        keeps a transparency log, the log's key and endpoint: registry/tlog.py)."""
        data = self.files.get(tlog.CONFIG_FILE)
        config = tlog.config_from_bytes(data) if data is not None else None
        site = self.program.site_url
        log = tlog.log_service(config, site, self.urls.issuer_id) if config else None
        return did_document(self.program, log=log)

    def did_document(self) -> dict[str, Any]:
        return self.did


__all__ = [
    "PURPOSES",
    "CurrentStatus",
    "IssuedCredential",
    "PublishedList",
    "Registry",
    "StatusEvent",
    "parse_json_bytes",
]
