"""``credstack log verify``: the log against the registry, a checkpoint and the published tiles.

:func:`verify_log` checks that every credential, status change, status list and key of the
registry has its entry and every entry its change; that the state entries tell the truth;
optionally that a signed checkpoint (C2SP ``tlog-checkpoint``, a ``signed-note``) names this
log's root, that the log extends an older checkpoint (RFC 9162 consistency proof), and that the
site's tiles (C2SP ``tlog-tiles``) are the log's.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credstack.crypto.note import OpenedNote, open_note
from credstack.errors import LogError
from credstack.model import tlog
from credstack.model.status import format_datetime
from credstack.registry.keys import KEYS_FILE
from credstack.registry.registry import STATUS_LOG, Registry
from credstack.registry.tlog import LogConfig, current_lists, read_config
from credstack.registry.transparency.log import (
    RESTORE,
    Log,
    LogFinding,
    LogReport,
    read_log,
    segments_on_disk,
    where,
)

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
    log = read_log(segments_on_disk(root), findings)
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


def _check_against_registry(registry: Registry, log: Log, findings: list[LogFinding]) -> None:
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
                    where(found[1][0]),
                    "log-entry-has-change",
                    f"{view.id} is logged more than once (first at entry {index})",
                    RESTORE,
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
                    where(index),
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
                    where(index),
                    "log-entries-valid",
                    f"a status change of {entry['id']} logged before the credential "
                    f"(entry {first})",
                    RESTORE,
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
                    where(index),
                    "log-entry-has-change",
                    f"logs {key[2]} {key[0]} on {key[3]}, which {STATUS_LOG} does not record",
                    RESTORE,
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
                    where(indexes[0]),
                    "log-entry-has-change",
                    f"logs the status list {url}, which is not in issued/status/",
                    "a status list is never deleted: restore it with git",
                )
            )
        for index in indexes[1:]:
            findings.append(
                LogFinding(where(index), "log-entry-has-change", f"{url} created twice", RESTORE)
            )

    for index, entry in by_kind.get(tlog.STATUS_LIST_REFRESHED, []):
        if entry["list"] not in lists or entry["list"] not in created:
            findings.append(
                LogFinding(
                    where(index),
                    "log-entry-has-change",
                    f"logs a re-signing of {entry['list']}, which is not a logged status list",
                    RESTORE,
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
                    where(index),
                    "log-entry-has-change",
                    f"logs key {k[1]} {k[0].removeprefix('key-')} on {k[3]}, which "
                    f"{KEYS_FILE} does not record",
                    RESTORE,
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
                    where(index),
                    "log-state-valid",
                    "this status-lists entry does not match the status list entries before it",
                    RESTORE,
                )
            )
    last = log.parsed[-1] if log.parsed else None
    now = {url: tlog.sha256_hex(data) for url, data in lists.items()}
    if last is None or last.get("kind") != tlog.STATUS_LISTS:
        findings.append(
            LogFinding(
                where(max(len(log.parsed) - 1, 0)),
                "log-lists-current",
                "the log does not end with a status-lists entry",
                RESTORE,
            )
        )
    elif last["lists"] != now:
        stale = sorted(u for u in {*now, *last["lists"]} if now.get(u) != last["lists"].get(u))
        findings.append(
            LogFinding(
                where(len(log.parsed) - 1),
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


def _check_checkpoint(config: LogConfig, log: Log, text: str, report: LogReport) -> None:
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


def _check_since(config: LogConfig, log: Log, text: str, findings: list[LogFinding]) -> None:
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


def _check_tiles(folder: Path, log: Log, report: LogReport) -> None:
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
