"""The transparency log as its checks read it, and what they report.

The log lives in ``issued/log/``: canonical JSON entries, one a line, in numbered segment files
(``entries/000000.jsonl``), hashed into an RFC 6962 Merkle tree; :mod:`credstack.registry.tlog`
writes it. :func:`read_log` parses the segments into entries and their tree; every check
reports :class:`LogFinding` under one of ``LOG_RULES``, each named for the fact it asserts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from credstack.errors import LogError
from credstack.model import tlog
from credstack.registry.tlog import ENTRIES_DIR, SEGMENT_SIZE, LogConfig, entries_from_segments

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

RESTORE = "files under issued/log/ are written by credstack only; restore them with git"


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

    config: LogConfig
    findings: list[LogFinding] = field(default_factory=list)
    size: int = 0
    root: bytes = tlog.EMPTY_ROOT
    #: The checkpoint checked (if any): its size and signing time.
    checkpoint: tlog.Checkpoint | None = None
    signed_at: datetime | None = None
    tiles: int = 0

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


# -- reading a log ---------------------------------------------------------------------------


def where(index: int) -> str:
    """The segment file and line of entry ``index``."""
    number, line = divmod(index, SEGMENT_SIZE)
    return f"{ENTRIES_DIR}/{number:06d}.jsonl:{line + 1}"


@dataclass
class Log:
    """A log as read: its entries, each parsed (None when malformed), and their Merkle tree."""

    entries: list[bytes]
    parsed: list[dict[str, Any] | None]
    tree: tlog.MerkleTree


def read_log(segments: list[tuple[str, bytes]], findings: list[LogFinding]) -> Log | None:
    """The log of ``segments``; None when they do not split into entries (reported).

    A malformed entry is reported in ``findings`` and kept, parsed as None.
    """
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
            findings.append(LogFinding(where(index), "log-entries-valid", e.message, RESTORE))
    return Log(entries, parsed, tlog.tree_of(entries))


def segments_on_disk(root: Path) -> list[tuple[str, bytes]]:
    """(relative path, bytes) of every segment file under ``issued/log/entries/``."""
    folder = root / ENTRIES_DIR
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return [(f"{ENTRIES_DIR}/{p.name}", p.read_bytes()) for p in files if p.is_file()]
