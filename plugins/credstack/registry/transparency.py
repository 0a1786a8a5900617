"""Checking the transparency log: ``credstack log verify``, offline proofs, and the merge gate.

- :func:`verify_log`: every credential, status change, status list and key of the registry has
  its entry and every entry its change; the state entries tell the truth; optionally a signed
  checkpoint names this log's root, the published tiles are the log's, and the log extends an
  older checkpoint (consistency proof).
- :func:`prove` writes a C2SP ``tlog-proof`` for a credential; :func:`check_log_proof` checks
  one offline (no network) and returns a typed :class:`LogCheck`.
- :func:`check_log` is the merge gate's part: the above over the pull request's tree, plus the
  head log being an append-only extension of the target branch's (consistency proof, and the
  first rewritten entry named).
- The log key: :func:`find_log_key`, :func:`store_log_key`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from credstack.crypto.keys import SigningKey
from credstack.crypto.note import NoteVerifier, OpenedNote, open_note
from credstack.errors import CredstackError, LogError, SigningKeyError
from credstack.model import tlog
from credstack.model.program import Program
from credstack.model.status import format_datetime
from credstack.registry.files import dump_json, write_atomic
from credstack.registry.keys import (
    KEYS_FILE,
    default_key_dir,
    key_file_name,
    read_secret_file,
    refuse_unsafe_key_file,
)
from credstack.registry.registry import STATUS_LOG, Registry
from credstack.registry.source import GitSource
from credstack.registry.tlog import (
    CONFIG_FILE,
    ENTRIES_DIR,
    LOG_DIR,
    LOG_KEY_ENV,
    SEGMENT_SIZE,
    LogConfig,
    current_lists,
    entries_from_segments,
    read_config,
)

PROOF_HEADER = "c2sp.org/tlog-proof@v1"

#: Every rule of the log checks, named for the fact it asserts (the style of check.RULES).
LOG_RULES: dict[str, str] = {
    "log-entries-valid": "every log entry is canonical JSON of a known kind, in numbered segments",
    "log-credential-logged": "every issued credential has one log entry with its file's SHA-256",
    "log-status-logged": "every status change has its log entry (the list signed for it)",
    "log-key-logged": "every key added to or retired from program/keys.yml has its log entry",
    "log-entry-has-change": "every log entry records a change that is in the registry",
    "log-state-valid": "every status-lists entry states what the entries before it did",
    "log-lists-current": "the log ends with the SHA-256 of every status list as it now stands",
    "log-checkpoint-valid": "the checkpoint is signed by the log key and names this log's root",
    "log-tiles-match": "the published tiles and entry bundles are exactly the log's",
    "log-consistent": "the log is an append-only extension of the older checkpoint",
    "log-append-only": "the log is an append-only extension of the target branch's log",
}

_RESTORE = "files under issued/log/ are written by credstack only; restore them with git"


@dataclass(frozen=True)
class LogFinding:
    """One problem: where (``path`` or ``path:line``), which rule, what, and what to do."""

    path: str
    rule: str
    message: str
    hint: str | None = None
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}: {self.message}"


@dataclass
class LogReport:
    """What :func:`verify_log` found and what it looked at."""

    findings: list[LogFinding] = field(default_factory=list)
    config: LogConfig | None = None
    size: int = 0
    root: bytes = tlog.EMPTY_ROOT
    #: The checkpoint checked (if any): its size and signing time.
    checkpoint: tlog.Checkpoint | None = None
    signed_at: datetime | None = None
    tiles: int = 0

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


@dataclass(frozen=True)
class LogCheck:
    """A typed outcome for a verifier: ``outcome`` pass | warn | fail | error, a stable
    ``code``, message ``params`` and the English ``message`` made from them."""

    outcome: str
    code: str
    params: dict[str, Any]
    message: str


# -- reading a log ---------------------------------------------------------------------------


def _where(index: int) -> str:
    """The segment file and line of entry ``index``."""
    number, line = divmod(index, SEGMENT_SIZE)
    return f"{ENTRIES_DIR}/{number:06d}.jsonl:{line + 1}"


@dataclass
class _Log:
    entries: list[bytes]
    parsed: list[dict[str, Any] | None]
    tree: tlog.MerkleTree


def _read_log(segments: list[tuple[str, bytes]], findings: list[LogFinding]) -> _Log | None:
    try:
        entries = entries_from_segments(segments)
    except LogError as e:
        findings.append(LogFinding(e.where or ENTRIES_DIR, "log-entries-valid", e.message, e.hint))
        return None
    parsed: list[dict[str, Any] | None] = []
    for index, data in enumerate(entries):
        try:
            parsed.append(tlog.parse_entry(data))
        except LogError as e:
            parsed.append(None)
            findings.append(LogFinding(_where(index), "log-entries-valid", e.message, _RESTORE))
    return _Log(entries, parsed, tlog.tree_of(entries))


def _segments_on_disk(root: Path) -> list[tuple[str, bytes]]:
    folder = root / ENTRIES_DIR
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return [(f"{ENTRIES_DIR}/{p.name}", p.read_bytes()) for p in files if p.is_file()]


# -- verify ------------------------------------------------------------------------------------


def verify_log(
    root: Path,
    *,
    checkpoint: str | None = None,
    since: str | None = None,
    site_dir: Path | None = None,
    disabled: Iterable[str] = (),
) -> LogReport:
    """Check the registry's log against the registry (and a checkpoint, an older checkpoint and
    the published tiles when given).

    ``site_dir`` is a built site: its ``log/`` tiles must be the log's, and its
    ``log/checkpoint`` is checked when no ``checkpoint`` is given. ``disabled`` names rules not
    to report (for the tests that show each rule is tested). Returns the report with every
    finding; raises LogError (``no-log``) when the registry keeps no log.
    """
    report = _verify_log(Path(root), checkpoint, since, site_dir)
    off = set(disabled)
    report.findings = [f for f in report.findings if f.rule not in off]
    return report


def _verify_log(
    root: Path, checkpoint: str | None, since: str | None, site_dir: Path | None
) -> LogReport:
    config = read_config(root)
    if config is None:
        raise LogError(
            "this registry keeps no transparency log",
            hint="start one with `credstack log init`",
            code="no-log",
        )
    report = LogReport(config=config)
    findings = report.findings
    log = _read_log(_segments_on_disk(root), findings)
    if log is None:
        return report
    report.size, report.root = log.tree.size, log.tree.root()
    registry = Registry(root)
    _check_against_registry(registry, log, findings)
    if site_dir is not None and checkpoint is None:
        published = Path(site_dir) / "log" / "checkpoint"
        if published.is_file():
            checkpoint = published.read_text("utf-8")
    if checkpoint is not None:
        _check_checkpoint(config, log, checkpoint, report)
    if since is not None:
        _check_since(config, log, since, findings)
    if site_dir is not None:
        _check_tiles(Path(site_dir) / "log", log, report)
    return report


def _check_against_registry(registry: Registry, log: _Log, findings: list[LogFinding]) -> None:
    """Entries against the registry, both ways; state entries against the replay."""
    entries = [(i, e) for i, e in enumerate(log.parsed) if e is not None]
    by_kind: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, entry in entries:
        by_kind.setdefault(entry["kind"], []).append((index, entry))

    # Credentials: one entry each, with the SHA-256 of the file as it is.
    logged: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, entry in by_kind.get(tlog.CREDENTIAL_ISSUED, []):
        logged.setdefault(entry["id"], []).append((index, entry))
    issued_at: dict[str, int] = {}
    for cid, view in registry.credentials.items():
        rel = registry.credential_path(cid).relative_to(registry.root).as_posix()
        found = logged.pop(view.id, [])
        digest = hashlib.sha256(registry.credential_path(cid).read_bytes()).hexdigest()
        if not found:
            findings.append(
                LogFinding(
                    rel,
                    "log-credential-logged",
                    "issued, but not in the transparency log",
                    "award with `credstack award`, which logs every credential in the same "
                    "step; remove this file from the pull request",
                )
            )
            continue
        index, entry = found[0]
        issued_at[view.id] = index
        if len(found) > 1:
            findings.append(
                LogFinding(
                    _where(found[1][0]),
                    "log-entry-has-change",
                    f"{view.id} is logged more than once (first at entry {index})",
                    _RESTORE,
                )
            )
        if entry["sha256"] != digest:
            findings.append(
                LogFinding(
                    rel,
                    "log-credential-logged",
                    f"the file's SHA-256 is {digest[:12]}…, the log recorded "
                    f"{entry['sha256'][:12]}… (entry {index}): the file changed after it was "
                    "issued",
                    "an issued credential is never modified: restore it with git",
                )
            )
    for cid_url, found in logged.items():
        for index, _entry in found:
            findings.append(
                LogFinding(
                    _where(index),
                    "log-entry-has-change",
                    f"logs the credential {cid_url}, which is not in issued/credentials/",
                    "an issued credential is never deleted: restore it with git (revoke it "
                    "with `credstack revoke` if it was issued in error)",
                )
            )

    # Status changes: the bit-moving events of the status log, as a multiset both ways.
    wanted: Counter[tuple[str, str, str, str]] = Counter()
    for event in registry.log:
        purpose = tlog.STATUS_EVENTS.get(event.event)
        if purpose is None:
            continue
        logged_view = registry.credentials.get(event.credential)
        url = logged_view.id if logged_view else registry.urls.credential(event.credential)
        wanted[(url, purpose, event.event, format_datetime(event.date))] += 1
    have: dict[tuple[str, str, str, str], list[int]] = {}
    for index, entry in by_kind.get(tlog.STATUS_CHANGED, []):
        key = (entry["id"], entry["purpose"], entry["event"], entry["date"])
        have.setdefault(key, []).append(index)
        first = issued_at.get(entry["id"])
        if first is not None and index < first:
            findings.append(
                LogFinding(
                    _where(index),
                    "log-entries-valid",
                    f"a status change of {entry['id']} logged before the credential "
                    f"(entry {first})",
                    _RESTORE,
                )
            )
    for key, count in wanted.items():
        missing = count - len(have.get(key, []))
        if missing > 0:
            findings.append(
                LogFinding(
                    STATUS_LOG,
                    "log-status-logged",
                    f"{key[2]} {key[0]} on {key[3]} is not in the transparency log",
                    "change status only with `credstack revoke/suspend/reinstate`, which logs "
                    "the change in the same step",
                )
            )
    for key, indexes in have.items():
        for index in indexes[wanted.get(key, 0) :]:
            findings.append(
                LogFinding(
                    _where(index),
                    "log-entry-has-change",
                    f"logs {key[2]} {key[0]} on {key[3]}, which {STATUS_LOG} does not record",
                    _RESTORE,
                )
            )

    # Status lists: created once each; no entry for a list that does not exist.
    lists = current_lists(registry.root)
    created: dict[str, list[int]] = {}
    for index, entry in by_kind.get(tlog.STATUS_LIST_CREATED, []):
        created.setdefault(entry["list"], []).append(index)
    for url in lists:
        if url not in created:
            findings.append(
                LogFinding(
                    f"issued/status/{url.rsplit('/', 1)[-1]}",
                    "log-status-logged",
                    "this status list's creation is not in the transparency log",
                    "status lists are created by `credstack award`; restore issued/ with git",
                )
            )
    for url, indexes in created.items():
        if url not in lists:
            findings.append(
                LogFinding(
                    _where(indexes[0]),
                    "log-entry-has-change",
                    f"logs the status list {url}, which is not in issued/status/",
                    "a status list is never deleted: restore it with git",
                )
            )
        for index in indexes[1:]:
            findings.append(
                LogFinding(_where(index), "log-entry-has-change", f"{url} created twice", _RESTORE)
            )

    for index, entry in by_kind.get(tlog.STATUS_LIST_REFRESHED, []):
        if entry["list"] not in lists or entry["list"] not in created:
            findings.append(
                LogFinding(
                    _where(index),
                    "log-entry-has-change",
                    f"logs a re-signing of {entry['list']}, which is not a logged status list",
                    _RESTORE,
                )
            )

    # Keys: every creation and retirement of program/keys.yml, both ways.
    key_events: Counter[tuple[str, str, str, str]] = Counter()
    for issuer_key in registry.program.issuer.keys:
        pk = issuer_key.public_key_multibase
        added = format_datetime(issuer_key.created)
        key_events[(tlog.KEY_ADDED, issuer_key.id, pk, added)] += 1
        if issuer_key.retired_at is not None:
            retired = format_datetime(issuer_key.retired_at)
            key_events[(tlog.KEY_RETIRED, issuer_key.id, pk, retired)] += 1
    logged_keys: dict[tuple[str, str, str, str], list[int]] = {}
    for kind in (tlog.KEY_ADDED, tlog.KEY_RETIRED):
        for index, entry in by_kind.get(kind, []):
            k = (kind, entry["keyId"], entry["publicKeyMultibase"], entry["date"])
            logged_keys.setdefault(k, []).append(index)
    for k, count in key_events.items():
        if count > len(logged_keys.get(k, [])):
            word = "added" if k[0] == tlog.KEY_ADDED else "retired"
            findings.append(
                LogFinding(
                    KEYS_FILE,
                    "log-key-logged",
                    f"key {k[1]} ({k[2][:16]}…) {word} on {k[3]}, but not in the transparency log",
                    "add and retire keys only with `credstack keys create/retire`, which log the "
                    "change in the same step",
                )
            )
    for k, indexes in logged_keys.items():
        for index in indexes[key_events.get(k, 0) :]:
            findings.append(
                LogFinding(
                    _where(index),
                    "log-entry-has-change",
                    f"logs key {k[1]} {k[0].removeprefix('key-')} on {k[3]}, which "
                    f"{KEYS_FILE} does not record",
                    _RESTORE,
                )
            )

    # State entries: each states the lists the entries before it left; the last is current.
    states = dict(tlog.replay_lists(e for _i, e in entries))
    positions = [i for i, _e in entries]
    for position, replayed in states.items():
        index = positions[position]
        state = log.parsed[index]
        assert state is not None
        if state["lists"] != replayed:
            findings.append(
                LogFinding(
                    _where(index),
                    "log-state-valid",
                    "this status-lists entry does not match the status list entries before it",
                    _RESTORE,
                )
            )
    last = log.parsed[-1] if log.parsed else None
    now = {url: tlog.sha256_hex(data) for url, data in lists.items()}
    if last is None or last.get("kind") != tlog.STATUS_LISTS:
        findings.append(
            LogFinding(
                _where(max(len(log.parsed) - 1, 0)),
                "log-lists-current",
                "the log does not end with a status-lists entry",
                _RESTORE,
            )
        )
    elif last["lists"] != now:
        stale = sorted(u for u in {*now, *last["lists"]} if now.get(u) != last["lists"].get(u))
        findings.append(
            LogFinding(
                _where(len(log.parsed) - 1),
                "log-lists-current",
                "the log's last state does not match the status lists now in issued/status/: "
                + ", ".join(u.rsplit("/", 1)[-1] for u in stale),
                "change status only with `credstack revoke/suspend/reinstate`; restore "
                "issued/status/ with git",
            )
        )


def open_checkpoint(config: LogConfig, text: str) -> tuple[tlog.Checkpoint, OpenedNote]:
    """Verify a signed checkpoint with the log key and parse it; raises LogError."""
    opened = open_note(text, config.verifier)
    checkpoint = tlog.Checkpoint.parse(opened.text)
    if checkpoint.origin != config.origin:
        raise LogError(
            f"the checkpoint is for {checkpoint.origin}, not {config.origin}",
            code="checkpoint-signature",
        )
    return checkpoint, opened


def _check_checkpoint(config: LogConfig, log: _Log, text: str, report: LogReport) -> None:
    try:
        checkpoint, opened = open_checkpoint(config, text)
    except LogError as e:
        report.findings.append(
            LogFinding(
                "checkpoint",
                "log-checkpoint-valid",
                e.message,
                "sign a fresh one with `credstack log checkpoint`",
            )
        )
        return
    report.checkpoint = checkpoint
    if opened.timestamp is not None:
        report.signed_at = datetime.fromtimestamp(opened.timestamp, UTC)
    n = log.tree.size
    if checkpoint.size > n:
        report.findings.append(
            LogFinding(
                "checkpoint",
                "log-checkpoint-valid",
                f"the checkpoint names {checkpoint.size} entries, the log holds {n}: entries "
                "were removed",
                "the log is append-only: restore issued/log/ with git",
            )
        )
    elif log.tree.root(checkpoint.size) != checkpoint.root:
        report.findings.append(
            LogFinding(
                "checkpoint",
                "log-checkpoint-valid",
                f"the log's first {checkpoint.size} entries do not hash to the checkpoint's root",
                "the log was rewritten: restore issued/log/ with git",
            )
        )


def _check_since(config: LogConfig, log: _Log, text: str, findings: list[LogFinding]) -> None:
    try:
        old, _ = open_checkpoint(config, text)
    except LogError as e:
        findings.append(LogFinding("--since", "log-consistent", e.message))
        return
    n = log.tree.size
    if old.size > n:
        findings.append(
            LogFinding(
                "--since",
                "log-consistent",
                f"the older checkpoint names {old.size} entries, the log now holds {n}: the "
                "log was truncated",
                "the log is append-only: restore issued/log/ with git",
            )
        )
        return
    proof = log.tree.consistency_proof(old.size) if old.size else []
    if not tlog.verify_consistency(old.size, n, old.root, log.tree.root(), proof):
        findings.append(
            LogFinding(
                "--since",
                "log-consistent",
                f"the log does not extend the checkpoint of {old.size} entries: an entry "
                "before it was changed or removed",
                "the log is append-only: restore issued/log/ with git",
            )
        )


def _check_tiles(folder: Path, log: _Log, report: LogReport) -> None:
    expected = tlog.tile_files(log.entries, log.tree)
    for rel, data in expected.items():
        path = folder / rel
        try:
            served = path.read_bytes()
        except OSError:
            report.findings.append(
                LogFinding(f"log/{rel}", "log-tiles-match", "missing from the site", "rebuild it")
            )
            continue
        if served != data:
            report.findings.append(
                LogFinding(
                    f"log/{rel}",
                    "log-tiles-match",
                    "differs from the tile the log's entries make",
                    "rebuild the site (mkdocs build)",
                )
            )
    report.tiles = len(expected)


# -- offline proofs (C2SP tlog-proof) -------------------------------------------------------------


def find_entry(entries: list[bytes], credential_id: str) -> int | None:
    """The index of the ``credential-issued`` entry of ``credential_id``, or None."""
    needle = json.dumps(credential_id, ensure_ascii=False).encode()
    for index, data in enumerate(entries):
        if needle in data:
            entry = json.loads(data)
            if entry.get("kind") == tlog.CREDENTIAL_ISSUED and entry.get("id") == credential_id:
                return index
    return None


def proof_text(index: int, proof: list[bytes], checkpoint: str, extra: bytes | None = None) -> str:
    """A C2SP tlog-proof: header, optional extra, index, inclusion proof, blank line, checkpoint."""
    lines = [PROOF_HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines += [base64.b64encode(h).decode() for h in proof]
    return "\n".join(lines) + "\n\n" + checkpoint


def prove(registry: Registry, credential: str, checkpoint: str) -> str:
    """The tlog-proof of ``credential`` (an id or URL) in the log at ``checkpoint``.

    Raises RegistryError for an unknown credential and LogError when the checkpoint does not
    verify, is not this log's, or predates the credential.
    """
    config = read_config(registry.root)
    if config is None:
        raise LogError("this registry keeps no transparency log", code="no-log")
    view = registry.get(credential)
    entries = entries_from_segments(_segments_on_disk(registry.root))
    index = find_entry(entries, view.id)
    if index is None:
        raise LogError(
            f"{view.cid} is not in the transparency log",
            hint="run `credstack log verify`",
            code="not-in-log",
        )
    checked, _ = open_checkpoint(config, checkpoint)
    tree = tlog.tree_of(entries)
    if checked.size > tree.size or tree.root(checked.size) != checked.root:
        raise LogError("the checkpoint is not one of this log's", code="inconsistent")
    if index >= checked.size:
        raise LogError(
            f"the checkpoint ({checked.size} entries) predates {view.cid} (entry {index})",
            hint="sign a fresh one with `credstack log checkpoint`",
            code="inconsistent",
        )
    return proof_text(index, tree.inclusion_proof(index, checked.size), checkpoint)


@dataclass(frozen=True)
class ParsedProof:
    index: int
    proof: list[bytes]
    checkpoint: str
    extra: bytes | None


def parse_proof(text: str) -> ParsedProof:
    """Read a tlog-proof; raises LogError (``malformed-proof``)."""

    def bad(what: str) -> LogError:
        return LogError(f"not a tlog-proof: {what}", code="malformed-proof")

    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise bad("no blank line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != PROOF_HEADER:
        raise bad(f"the first line is not {PROOF_HEADER}")
    rest = lines[1:]
    extra = None
    try:
        if rest and rest[0].startswith("extra "):
            extra = base64.b64decode(rest.pop(0)[6:], validate=True)
        if not rest or not rest[0].startswith("index "):
            raise bad("no index line")
        number = rest.pop(0)[6:]
        if not number.isdigit() or (number.startswith("0") and number != "0"):
            raise bad("the index is not a decimal number")
        hashes = [base64.b64decode(line, validate=True) for line in rest]
    except (binascii.Error, ValueError) as e:
        raise bad("a line is not base64") from e
    if any(len(h) != tlog.HASH_SIZE for h in hashes):
        raise bad("a proof hash is not 32 bytes")
    return ParsedProof(int(number), hashes, checkpoint, extra)


def check_log_proof(
    credential_bytes: bytes,
    proof: str,
    log_public_key: str | NoteVerifier,
    *,
    at: datetime | None = None,
    max_age: timedelta | None = None,
) -> LogCheck:
    """Check offline that a credential is in the issuer's log (a tlog-proof).

    ``log_public_key`` is the log's note verifier key (``vkey``: ``<origin>+<id>+<key>``, as
    published at ``<site>/log/vkey`` and derived from the DID document). With ``at`` and
    ``max_age``, a checkpoint signed longer ago is an ``error`` (``log-stale``).
    Codes: ``logged`` (pass); ``malformed-proof``, ``checkpoint-signature``, ``not-in-log``
    (fail); ``log-stale``, ``log-undated`` (error, with ``max_age`` only). Never raises for bad
    input.
    """

    def result(outcome: str, code: str, message: str, **params: Any) -> LogCheck:
        return LogCheck(outcome, code, params, message)

    try:
        verifier = (
            log_public_key
            if isinstance(log_public_key, NoteVerifier)
            else NoteVerifier.from_vkey(log_public_key)
        )
    except LogError as e:
        return result("error", "malformed-key", f"the log key could not be read: {e.message}")
    try:
        parsed = parse_proof(proof)
    except LogError as e:
        return result("fail", "malformed-proof", e.message)
    try:
        opened = open_note(parsed.checkpoint, verifier)
        checkpoint = tlog.Checkpoint.parse(opened.text)
    except LogError as e:
        return result(
            "fail", "checkpoint-signature", f"the log's checkpoint does not verify: {e.message}"
        )
    if checkpoint.origin != verifier.name:
        return result(
            "fail",
            "checkpoint-signature",
            f"the checkpoint is for {checkpoint.origin}, not {verifier.name}",
        )
    try:
        doc = json.loads(credential_bytes)
        credential_id = doc["id"] if isinstance(doc, dict) else None
    except ValueError:
        credential_id = None
    if not isinstance(credential_id, str):
        return result("fail", "not-in-log", "the credential has no id to look up in the log")
    # The file as published, or credstack's own serialization of it (a re-saved copy).
    candidates = [credential_bytes, dump_json(doc).encode("utf-8")]
    included = any(
        tlog.verify_inclusion(
            tlog.leaf_hash(tlog.canonical_json(tlog.credential_entry(credential_id, data))),
            parsed.index,
            checkpoint.size,
            parsed.proof,
            checkpoint.root,
        )
        for data in candidates
    )
    signed_at = (
        datetime.fromtimestamp(opened.timestamp, UTC) if opened.timestamp is not None else None
    )
    params = {
        "index": parsed.index,
        "entry": parsed.index + 1,
        "size": checkpoint.size,
        "origin": checkpoint.origin,
        "signedAt": format_datetime(signed_at) if signed_at else None,
    }
    if not included:
        return result(
            "fail",
            "not-in-log",
            f"the credential is not entry {parsed.index + 1} of the issuer's log "
            f"({checkpoint.size} entries): it differs from the one recorded, or was never "
            "recorded",
            **params,
        )
    if max_age is not None:
        if signed_at is None:
            return result(
                "error", "log-undated", "the log's checkpoint carries no signing time", **params
            )
        if at is not None and at - signed_at > max_age:
            return result(
                "error",
                "log-stale",
                f"the issuer's log was last signed on {signed_at:%Y-%m-%d}, longer ago than "
                f"{max_age.days} days",
                **params,
            )
    signed = f", signed on {signed_at:%Y-%m-%d}" if signed_at else ""
    return result(
        "pass",
        "logged",
        f"Recorded in the issuer's public log, entry {parsed.index + 1} of {checkpoint.size}"
        f"{signed}",
        **params,
    )


# -- the merge gate -------------------------------------------------------------------------------


def check_log(
    root: Path, *, base: str | GitSource | None = None, disabled: Iterable[str] = ()
) -> list[LogFinding]:
    """The merge gate's log checks for the work tree at ``root``, against ``base``.

    ``base`` is a git ref or the gate's already opened :class:`GitSource`. Checks:

    - the registry's log (when it keeps one): :func:`verify_log`, so every credential, status
      change, status list and key in the pull request has its entry and no entry lacks its
      change;
    - with ``base``: the head log extends the base log (RFC 9162 consistency proof from the
      base's tree size; the first changed entry is named); ``log.json`` is unchanged; a log
      is never deleted. A base without a log lets a pull request start one.

    (A pull request that adds a signing key is the gate's ``key-added-acknowledged`` rule.)
    ``disabled`` names rules not to report. Returns the findings; raises CheckError when git
    cannot answer (unknown ``base``).
    """
    off = set(disabled)
    return [f for f in _check_log(Path(root), base) if f.rule not in off]


def _check_log(root: Path, base: str | GitSource | None) -> list[LogFinding]:
    findings: list[LogFinding] = []
    config = None
    try:
        config = read_config(root)
    except LogError as e:
        findings.append(LogFinding(CONFIG_FILE, "log-entries-valid", e.message, e.hint))
    if config is not None:
        try:
            findings += verify_log(root).findings
        except CredstackError as e:
            findings.append(LogFinding(CONFIG_FILE, "log-entries-valid", e.message, e.hint))
    if base is None:
        return findings
    source = base if isinstance(base, GitSource) else GitSource(root, base)
    old = source.read(source.files(LOG_DIR))
    if CONFIG_FILE not in old:
        return findings  # the target branch keeps no log: this pull request may start one
    ref = source.ref
    hint = (
        f"the log is append-only: restore it with `git checkout {ref} -- {LOG_DIR}` and make "
        "changes only with credstack commands"
    )
    if config is None:
        findings.append(
            LogFinding(
                CONFIG_FILE, "log-append-only", f"the transparency log of {ref} was deleted", hint
            )
        )
        return findings
    if old[CONFIG_FILE] != (root / CONFIG_FILE).read_bytes():
        findings.append(
            LogFinding(
                CONFIG_FILE,
                "log-append-only",
                f"the log's origin or key differs from {ref}'s",
                f"restore it with `git checkout {ref} -- {CONFIG_FILE}`",
            )
        )
    base_segments = sorted((p, d) for p, d in old.items() if p.startswith(ENTRIES_DIR + "/"))
    base_log = _read_log(base_segments, [])
    head_log = _read_log(_segments_on_disk(root), [])
    if base_log is None or head_log is None:
        return findings  # malformed segments are reported by verify_log
    m, n = base_log.tree.size, head_log.tree.size
    if n < m:
        findings.append(
            LogFinding(
                _where(max(n - 1, 0)),
                "log-append-only",
                f"the log was truncated: {ref} holds {m} entries, this branch {n}",
                hint,
            )
        )
        return findings
    proof = head_log.tree.consistency_proof(m) if m else []
    if not tlog.verify_consistency(m, n, base_log.tree.root(), head_log.tree.root(), proof):
        first = next(i for i in range(m) if base_log.entries[i] != head_log.entries[i])
        findings.append(
            LogFinding(
                _where(first),
                "log-append-only",
                f"entry {first} differs from {ref}'s: the log is not an extension of the target "
                f"branch's log (consistency proof from {m} to {n} entries fails)",
                hint,
            )
        )
    return findings


# -- the log key -------------------------------------------------------------------------------


def log_key_file(program: Program, config: LogConfig, key_dir: Path | None = None) -> Path:
    """Where ``credstack log init`` stores the log key's secret by default."""
    return (key_dir or default_key_dir()).expanduser() / key_file_name(program, config.key_id)


def store_log_key(path: Path, root: Path, secret: SigningKey) -> None:
    """Write the log key's secret outside the work tree (mode 0600); raises SigningKeyError."""
    refuse_unsafe_key_file(path, root)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, secret.to_multibase_secret() + "\n", mode=stat.S_IRUSR | stat.S_IWUSR)


def find_log_key(
    program: Program,
    root: Path,
    config: LogConfig,
    *,
    key_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    key_dir: Path | None = None,
) -> SigningKey:
    """The log key's secret: ``key_file``, else ``CREDSTACK_LOG_KEY``, else the stored file.

    Raises SigningKeyError when none is found or it is not the key of ``log.json``.
    """
    env = os.environ if env is None else env
    if key_file is not None:
        secret = read_secret_file(Path(key_file).expanduser(), root)
    elif env.get(LOG_KEY_ENV):
        secret = SigningKey.from_multibase_secret(env[LOG_KEY_ENV].strip())
    else:
        path = log_key_file(program, config, key_dir or default_key_dir(env))
        if not path.exists():
            raise SigningKeyError(
                "no log key given",
                hint=f"pass --log-key FILE or set {LOG_KEY_ENV} (the secret of "
                "`credstack log init --print`)",
                code="no-key",
            )
        secret = read_secret_file(path, root)
    if secret.public_key_multibase != config.public_key_multibase:
        raise SigningKeyError(
            f"that key is not the log key {config.key_id} of {CONFIG_FILE}",
            hint="use the secret `credstack log init` created for this registry",
        )
    return secret


__all__ = [
    "LOG_RULES",
    "PROOF_HEADER",
    "LogCheck",
    "LogFinding",
    "LogReport",
    "check_log",
    "check_log_proof",
    "find_entry",
    "find_log_key",
    "open_checkpoint",
    "parse_proof",
    "proof_text",
    "prove",
    "store_log_key",
    "verify_log",
]
