"""The transparency log's files under ``issued/log/``: configuration, entries, and the hooks that
append an entry in the same transaction as each change it records.

Layout (written by the CLI only, reviewed in pull requests):

- ``issued/log/log.json``: the log's origin (its name in checkpoints) and its public key.
- ``issued/log/entries/<k>.jsonl``: entries ``k·1024`` to ``k·1024 + 1023``, one canonical JSON
  object per line (``000000.jsonl``, ``000001.jsonl``, …). Segments only grow at the end, so a
  pull request's diff shows exactly the appended lines, and no file passes about 250 KB.

The log key: a dedicated Ed25519 key (not the credential-signing key) signs checkpoints. It is
listed in the issuer's DID document (not under ``assertionMethod``: it cannot sign credentials)
so that a scheduled workflow can re-sign a dated checkpoint every day while holding only this
key: whoever steals it can sign a checkpoint, never a credential. Its secret lives where
signing keys live (a file outside the work tree, or ``CREDSTACK_LOG_KEY``).

Every transaction that changes what a verifier concludes (an award, a status change, a key
added or retired) appends its entries and then one ``status-lists`` entry: the SHA-256 of every
status list as the transaction leaves it. The log's last entry therefore always states which
status lists are current, which is what lets a page check that it was not served an older one.
Registries without ``issued/log/log.json`` keep no log: the hooks then do nothing.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credstack.crypto.keys import SigningKey, decode_multikey_public
from credstack.crypto.note import NoteSigner, NoteVerifier, sign_note
from credstack.errors import CredstackError, LogError, RegistryError
from credstack.model import tlog
from credstack.model.status import format_datetime, parse_datetime
from credstack.model.urls import normalize_site_url
from credstack.registry.files import Transaction, dump_json

if TYPE_CHECKING:  # only for type hints: registry.py imports this module
    from credstack.registry.registry import Registry

LOG_DIR = "issued/log"
CONFIG_FILE = "issued/log/log.json"
ENTRIES_DIR = "issued/log/entries"
SEGMENT_SIZE = 1024
LOG_KEY_ENV = "CREDSTACK_LOG_KEY"
STATUS_DIR = "issued/status"
#: The service entry type and id fragment that announce the log in the DID document.
SERVICE_TYPE = "TransparencyLog"
SERVICE_FRAGMENT = "transparency-log"
#: Where the log is published, under the site URL (tiles, checkpoint, vkey).
SITE_PREFIX = "log/"
KEY_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: The log's files under issued/ (the merge gate's layout rule lets these through).
LOG_FILE = re.compile(r"^issued/log/(log\.json|entries/[0-9]{6}\.jsonl)$")


@dataclass(frozen=True)
class LogConfig:
    """``issued/log/log.json``: the log's origin and its checkpoint key."""

    origin: str
    key_id: str
    public_key_multibase: str
    created: datetime

    @property
    def public_key(self) -> bytes:
        return decode_multikey_public(self.public_key_multibase)

    @property
    def verifier(self) -> NoteVerifier:
        """The checkpoint key as a note verifier (key name = origin, as tlog-checkpoint says)."""
        return NoteVerifier(self.origin, self.public_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "key": {
                "id": self.key_id,
                "publicKeyMultibase": self.public_key_multibase,
                "created": format_datetime(self.created),
            },
        }

    @classmethod
    def from_json(cls, data: Any) -> LogConfig:
        """Read ``log.json``; raises LogError (``malformed-config``) saying what is wrong."""
        try:
            key = data["key"]
            config = cls(
                origin=str(data["origin"]),
                key_id=str(key["id"]),
                public_key_multibase=str(key["publicKeyMultibase"]),
                created=parse_datetime(str(key["created"])),
            )
            NoteVerifier(config.origin, config.public_key)  # checks name and key
        except (KeyError, TypeError, ValueError, CredstackError) as e:
            raise LogError(
                f"{CONFIG_FILE}: malformed log configuration ({e})",
                hint="the file is written by `credstack log init`; restore it with git",
                code="malformed-config",
            ) from e
        if not KEY_ID_RE.match(config.key_id):
            raise LogError(
                f"{CONFIG_FILE}: key id {config.key_id!r} is not a slug", code="malformed-config"
            )
        return config


def log_origin(site_url: str) -> str:
    """The log's origin for a site: its URL prefix without scheme or trailing slash
    (``https://example.org/credentials/`` -> ``example.org/credentials/log``)."""
    site = normalize_site_url(site_url)
    return site.split("://", 1)[1] + SITE_PREFIX.rstrip("/")


def read_config(root: Path) -> LogConfig | None:
    """The log configuration, or None when the registry keeps no log; raises LogError."""
    path = Path(root) / CONFIG_FILE
    if not path.exists():
        return None
    try:
        return config_from_bytes(path.read_bytes())
    except OSError as e:
        raise LogError(f"{CONFIG_FILE}: cannot be read ({e})", code="malformed-config") from e


def config_from_bytes(data: bytes) -> LogConfig:
    """Parse ``log.json``'s bytes; raises LogError (``malformed-config``)."""
    try:
        return LogConfig.from_json(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, ValueError) as e:
        raise LogError(f"{CONFIG_FILE}: not JSON ({e})", code="malformed-config") from e


def segment_name(number: int) -> str:
    return f"{number:06d}.jsonl"


def _segment_files(root: Path) -> list[Path]:
    folder = Path(root) / ENTRIES_DIR
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def split_lines(data: bytes, where: str) -> list[bytes]:
    """A segment's entries (its lines); raises LogError unless every line ends in a newline."""
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise LogError(
            "the last line does not end in a newline", where=where, code="malformed-entry"
        )
    return data[:-1].split(b"\n")


def entries_from_segments(segments: Sequence[tuple[str, bytes]]) -> list[bytes]:
    """The entries of ``(path, bytes)`` segments given in order; raises LogError when the
    numbering has a gap or a segment other than the last is not full."""
    out: list[bytes] = []
    for number, (path, data) in enumerate(segments):
        if Path(path).name != segment_name(number):
            raise LogError(
                f"expected {segment_name(number)} (segments are numbered from 0, no gaps)",
                where=path,
                hint="files under issued/log/ are written by credstack only; restore them with git",
                code="malformed-entry",
            )
        lines = split_lines(data, path)
        last = number == len(segments) - 1
        if len(lines) > SEGMENT_SIZE or (not last and len(lines) != SEGMENT_SIZE) or not lines:
            raise LogError(
                f"holds {len(lines)} entries; every segment but the last holds "
                f"{SEGMENT_SIZE}, the last 1 to {SEGMENT_SIZE}",
                where=path,
                hint="files under issued/log/ are written by credstack only; restore them with git",
                code="malformed-entry",
            )
        out.extend(lines)
    return out


def read_entries(root: Path) -> list[bytes]:
    """Every entry of the log, oldest first (raw canonical JSON, no newline)."""
    segments = [(f"{ENTRIES_DIR}/{p.name}", p.read_bytes()) for p in _segment_files(root)]
    return entries_from_segments(segments)


def segment_writes(
    existing_count: int, last_segment: bytes, new: Sequence[bytes]
) -> dict[str, bytes]:
    """Segment file contents (by path relative to the root) after appending ``new``."""
    out: dict[str, bytes] = {}
    number, filled = divmod(existing_count, SEGMENT_SIZE)
    data = bytearray(last_segment if filled else b"")
    for entry in new:
        if b"\n" in entry:
            raise ValueError("an entry is one line")
        if filled == SEGMENT_SIZE:
            out[f"{ENTRIES_DIR}/{segment_name(number)}"] = bytes(data)
            number, filled, data = number + 1, 0, bytearray()
        data += entry + b"\n"
        filled += 1
    if new:
        out[f"{ENTRIES_DIR}/{segment_name(number)}"] = bytes(data)
    return out


# -- appending in a transaction ----------------------------------------------------------------


@dataclass
class _Pending:
    """What one transaction appends: its entries, and the status lists it writes."""

    root: Path
    count: int
    last_segment: bytes
    entries: list[dict[str, Any]] = field(default_factory=list)
    lists: dict[str, bytes] = field(default_factory=dict)


_PENDING: weakref.WeakKeyDictionary[Transaction, _Pending] = weakref.WeakKeyDictionary()


def _pending(tx: Transaction, root: Path) -> _Pending:
    pending = _PENDING.get(tx)
    if pending is None:
        files = _segment_files(root)
        last = files[-1].read_bytes() if files else b""
        count = (len(files) - 1) * SEGMENT_SIZE + len(split_lines(last, str(files[-1])))
        pending = _Pending(Path(root), count if files else 0, last)
        _PENDING[tx] = pending
    return pending


def current_lists(root: Path) -> dict[str, bytes]:
    """Every status list file's bytes, by the list's URL (its ``id``)."""
    out: dict[str, bytes] = {}
    folder = Path(root) / STATUS_DIR
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        data = path.read_bytes()
        try:
            url = json.loads(data)["id"]
        except (ValueError, KeyError, TypeError) as e:
            raise RegistryError(
                f"{path.relative_to(root)}: not a status list credential with an id",
                hint="files under issued/ are written by credstack only; restore it with git",
            ) from e
        out[str(url)] = data
    return out


def record(
    tx: Transaction,
    root: Path,
    entries: Iterable[dict[str, Any]],
    *,
    lists: Mapping[str, bytes] | None = None,
) -> None:
    """Append ``entries`` to the log in ``tx``, then the ``status-lists`` state entry.

    ``lists`` are the status list files (by URL) that ``tx`` writes. Called more than once for
    one transaction, the entries accumulate and one state entry ends them. Does nothing when the
    registry keeps no log. Raises ValueError for an entry that is not well formed (a bug).
    """
    if read_config(root) is None:
        return
    pending = _pending(tx, root)
    for entry in entries:
        tlog.parse_entry(tlog.canonical_json(entry))  # fail loudly on a malformed entry
        pending.entries.append(entry)
    pending.lists.update(lists or {})
    state = {url: tlog.sha256_hex(data) for url, data in current_lists(root).items()}
    state.update({url: tlog.sha256_hex(data) for url, data in pending.lists.items()})
    new = [tlog.canonical_json(e) for e in [*pending.entries, tlog.lists_entry(state)]]
    for rel, data in segment_writes(pending.count, pending.last_segment, new).items():
        tx.write(Path(root) / rel, data)


def credential_bytes(doc: Mapping[str, Any]) -> bytes:
    """The bytes credstack writes for a JSON document (what the log hashes)."""
    return dump_json(doc).encode("utf-8")


def record_issued(
    tx: Transaction,
    root: Path,
    credentials: Iterable[Mapping[str, Any]],
    new_lists: Iterable[Mapping[str, Any]] = (),
) -> None:
    """Log newly written credentials and newly created (empty) status lists."""
    lists = {str(doc["id"]): credential_bytes(doc) for doc in new_lists}
    entries = []
    for url, data in lists.items():
        doc = json.loads(data)
        entries.append(
            tlog.list_created_entry(
                url, doc["credentialSubject"]["statusPurpose"], doc["validFrom"], data
            )
        )
    entries += [tlog.credential_entry(str(c["id"]), credential_bytes(c)) for c in credentials]
    record(tx, root, entries, lists=lists)


def record_status_changes(
    tx: Transaction,
    root: Path,
    changes: Iterable[tuple[str, str, str, datetime, str]],
    lists: Mapping[str, Mapping[str, Any]],
) -> None:
    """Log status changes ``(credential id, purpose, event, date, list URL)``; ``lists`` are the
    re-signed lists by URL, as written in ``tx``."""
    written = {url: credential_bytes(doc) for url, doc in lists.items()}
    entries = [
        tlog.status_entry(cid, purpose, event, format_datetime(when), url, written[url])
        for cid, purpose, event, when, url in changes
    ]
    record(tx, root, entries, lists=written)


def record_refreshed(
    tx: Transaction, root: Path, lists: Mapping[str, Mapping[str, Any]], date: datetime
) -> None:
    """Log status lists re-signed with the same bits (``lists``: URL -> the re-signed doc)."""
    written = {url: credential_bytes(doc) for url, doc in lists.items()}
    entries = [
        tlog.list_refreshed_entry(url, format_datetime(date), data) for url, data in written.items()
    ]
    record(tx, root, entries, lists=written)


def record_key_added(
    tx: Transaction, root: Path, key_id: str, public_key: str, date: datetime
) -> None:
    """Log a signing key added to ``program/keys.yml``."""
    record(tx, root, [tlog.key_entry(tlog.KEY_ADDED, key_id, public_key, format_datetime(date))])


def record_key_retired(
    tx: Transaction, root: Path, key_id: str, public_key: str, date: datetime
) -> None:
    """Log a signing key retired (proofs made from ``date`` on no longer verify)."""
    record(tx, root, [tlog.key_entry(tlog.KEY_RETIRED, key_id, public_key, format_datetime(date))])


# -- starting a log ------------------------------------------------------------------------------


def backfill_entries(registry: Registry) -> list[dict[str, Any]]:
    """Entries for everything already in the registry, in historical order.

    Keys by creation and retirement date, status lists by creation, credentials by their
    proof's date, status changes by the status log's dates; one ``status-lists`` entry last.
    The status list files' history is not kept by the registry: status changes made before
    the log existed record the list as it stands when the log starts.
    """
    timed: list[tuple[datetime, int, str, dict[str, Any]]] = []
    for key in registry.program.issuer.keys:
        entry = tlog.key_entry(
            tlog.KEY_ADDED, key.id, key.public_key_multibase, format_datetime(key.created)
        )
        timed.append((key.created, 0, key.id, entry))
        if key.retired_at is not None:
            retired = tlog.key_entry(
                tlog.KEY_RETIRED, key.id, key.public_key_multibase, format_datetime(key.retired_at)
            )
            timed.append((key.retired_at, 4, key.id, retired))
    lists = current_lists(registry.root)
    for url, data in lists.items():
        doc = json.loads(data)
        created = parse_datetime(doc["validFrom"])
        entry = tlog.list_created_entry(
            url, doc["credentialSubject"]["statusPurpose"], format_datetime(created), data
        )
        timed.append((created, 1, url, entry))
    for cid, view in registry.credentials.items():
        data = registry.credential_path(cid).read_bytes()
        when = view.proof_created or view.valid_from
        timed.append((when, 2, cid, tlog.credential_entry(view.id, data)))
    for position, event in enumerate(registry.log):
        purpose = tlog.STATUS_EVENTS.get(event.event)
        if purpose is None:
            continue  # renewals and corrections only link credentials: no status bit moves
        view = registry.get(event.credential)
        ref = view.status(purpose)
        if ref is None or ref.list_url not in lists:
            raise RegistryError(
                f"{event.credential}: the {purpose} list of its {event.event} event is missing",
                hint="run `credstack check` to find what is inconsistent",
            )
        entry = tlog.status_entry(
            view.id,
            purpose,
            event.event,
            format_datetime(event.date),
            ref.list_url,
            lists[ref.list_url],
        )
        timed.append((event.date, 3, f"{position:09d}", entry))
    timed.sort(key=lambda t: (t[0].astimezone(UTC), t[1], t[2]))
    state = {url: tlog.sha256_hex(data) for url, data in lists.items()}
    return [entry for *_, entry in timed] + [tlog.lists_entry(state)]


def init_log(
    registry: Registry, *, public_key_multibase: str, key_id: str, created: datetime
) -> tuple[LogConfig, int]:
    """Start the log: write ``log.json`` and every backfilled entry in one transaction.

    Returns the configuration and the number of entries. Raises LogError when the registry
    already keeps a log.
    """
    root = registry.root
    if read_config(root) is not None or _segment_files(root):
        raise LogError(
            "this registry already keeps a transparency log",
            hint="`credstack log verify` checks it; a log is never started twice",
            code="exists",
        )
    config = LogConfig(log_origin(registry.program.site_url), key_id, public_key_multibase, created)
    NoteVerifier(config.origin, config.public_key)
    entries = [tlog.canonical_json(e) for e in backfill_entries(registry)]
    for entry in entries:
        tlog.parse_entry(entry)
    with Transaction(root) as tx:
        tx.write_json(root / CONFIG_FILE, config.to_json())
        for rel, data in segment_writes(0, b"", entries).items():
            tx.write(root / rel, data)
    return config, len(entries)


# -- checkpoints and the DID document -------------------------------------------------------


def sign_checkpoint(config: LogConfig, key: SigningKey, tree: tlog.MerkleTree, at: datetime) -> str:
    """The signed checkpoint of ``tree``, dated ``at`` (a timestamped cosignature line)."""
    body = tlog.Checkpoint(config.origin, tree.size, tree.root()).body()
    return sign_note(body, NoteSigner(config.origin, key), timestamp=int(at.timestamp()))


def log_service(
    config: LogConfig, site_url: str, issuer_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(verification method, service) announcing the log in the issuer's DID document.

    The method is not listed under ``assertionMethod``: the log key cannot sign credentials.
    """
    method_id = f"{issuer_id}#{config.key_id}"
    method = {
        "id": method_id,
        "type": "Multikey",
        "controller": issuer_id,
        "publicKeyMultibase": config.public_key_multibase,
    }
    service = {
        "id": f"{issuer_id}#{SERVICE_FRAGMENT}",
        "type": SERVICE_TYPE,
        "serviceEndpoint": normalize_site_url(site_url) + SITE_PREFIX,
        "verificationMethod": method_id,
    }
    return method, service


__all__ = [
    "CONFIG_FILE",
    "ENTRIES_DIR",
    "LOG_DIR",
    "LOG_FILE",
    "LOG_KEY_ENV",
    "SEGMENT_SIZE",
    "LogConfig",
    "backfill_entries",
    "config_from_bytes",
    "current_lists",
    "init_log",
    "log_origin",
    "log_service",
    "read_config",
    "read_entries",
    "record",
    "record_issued",
    "record_key_added",
    "record_key_retired",
    "record_refreshed",
    "record_status_changes",
    "sign_checkpoint",
]
