"""The merge gate's vocabulary: findings, the report, the shared context, and the rule registry.

Each rule is a small function registered with :func:`rule` under the name of the fact it asserts
(``RULES``). It reads the :class:`Gate` context — the head snapshot, the base snapshot, and the
verification report of every credential computed once by the one verifier — and records
findings. Rules never verify anything themselves and never decide on message text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from credstack.model.program import Program
from credstack.model.report import VerificationReport
from credstack.registry.registry import Registry
from credstack.registry.source import GitSource
from credstack.registry.verifier import StatusListVerdict, Verifier

RESTORE = "files under issued/ are written by credstack only; restore it with git"


@dataclass(frozen=True)
class Finding:
    """One problem: where (``path`` or ``path:line``), which rule, what, and what to do."""

    severity: str  # "error" | "warning"
    path: str
    rule: str
    message: str
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}: {self.message}"


@dataclass
class CheckReport:
    """Everything ``credstack check`` found, and what it looked at."""

    findings: list[Finding] = field(default_factory=list)
    credentials: int = 0
    status_lists: int = 0
    new_credentials: int = 0
    base: str | None = None
    #: Legitimate states: verified, revoked, suspended, expired.
    states: Counter[str] = field(default_factory=Counter)
    cache_hits: int = 0
    verified: int = 0  # credentials verified in this run (not from the cache)
    workers: int = 1
    #: Signing keys the pull request adds (shown prominently; they need acknowledgement).
    keys_added: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    def ok(self, *, strict: bool = False) -> bool:
        """True when nothing fails (with ``strict``, warnings fail too)."""
        return not self.errors and not (strict and self.warnings)

    def sorted_findings(self) -> list[Finding]:
        return sorted(
            set(self.findings),
            key=lambda f: (_path_key(f.path), f.rule, f.message, f.severity),
        )


def _path_key(path: str) -> tuple[str, int]:
    head, _, line = path.rpartition(":")
    return (head, int(line)) if head and line.isdigit() else (path, 0)


@dataclass
class Gate:
    """What every rule reads: the snapshots, the verification reports, and where to write."""

    root: Path
    at: datetime
    report: CheckReport
    program: Program | None = None
    head: Registry | None = None
    base: Registry | None = None
    base_source: GitSource | None = None
    verifier: Verifier | None = None
    #: cid -> the verification report of each readable head credential.
    reports: dict[str, VerificationReport] = field(default_factory=dict)
    #: rel path -> verdict of each readable head status list.
    lists: dict[str, StatusListVerdict] = field(default_factory=dict)
    #: Acknowledged signing-key changes (``--allow-key-change``).
    allow_key_change: bool = False
    #: Computations several rules share (see check/base.py), by name.
    memo: dict[str, Any] = field(default_factory=dict)

    def error(self, path: str, rule: str, message: str, hint: str | None = None) -> None:
        self.report.findings.append(Finding("error", path, rule, message, hint))

    def warning(self, path: str, rule: str, message: str, hint: str | None = None) -> None:
        self.report.findings.append(Finding("warning", path, rule, message, hint))

    @property
    def base_ref(self) -> str:
        return self.base_source.ref if self.base_source is not None else "base"


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    needs: str  # "program" (head snapshot), "base" (also the base), "tree" (always)
    run: Callable[[Gate], None]


#: Every rule by name, in registration (and run) order.
REGISTRY: dict[str, Rule] = {}


def rule(
    name: str, description: str, *, needs: str = "program"
) -> Callable[[Callable[[Gate], None]], Callable[[Gate], None]]:
    """Register a rule function under ``name`` (the fact it asserts)."""

    def register(func: Callable[[Gate], None]) -> Callable[[Gate], None]:
        if name in REGISTRY:
            raise ValueError(f"rule {name} registered twice")
        REGISTRY[name] = Rule(name, description, needs, func)
        return func

    return register


__all__ = ["REGISTRY", "RESTORE", "CheckReport", "Finding", "Gate", "Rule", "rule"]
