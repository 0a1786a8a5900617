"""The merge gate: everything a reviewer relies on, asserted before a pull request merges.

:func:`check_registry` reads the work tree as one registry snapshot (and, with ``base``, the
target branch through git), verifies every credential and status list once with the one
verifier (sharing its cache with ``credstack verify`` and the site), then runs every rule in
``RULES``. Each rule is a small function named for the fact it asserts (``check/tree.py``:
the registry as it stands; ``check/base.py``: what a pull request may change;
``check/hygiene.py``: every committed file). Revoked, suspended and expired credentials are
legitimate states: counted, not errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from credstack.errors import CredstackError, ProgramError
from credstack.registry.check import base as _base  # noqa: F401 - registers its rules
from credstack.registry.check import hygiene as _hygiene  # noqa: F401 - registers its rules
from credstack.registry.check import tree as _tree  # noqa: F401 - registers its rules
from credstack.registry.check.gate import REGISTRY, CheckReport, Finding, Gate, rule
from credstack.registry.check.hygiene import (
    ALLOW_MARKER,
    PUBLISHED_TEST_SECRETS,
    scan_emails,
    scan_secrets,
)
from credstack.registry.program import check_program
from credstack.registry.registry import Registry
from credstack.registry.source import GitSource
from credstack.registry.transparency import LOG_RULES, check_log
from credstack.registry.vcache import VerificationCache
from credstack.registry.verify import registry_verifier, verify_registry


@rule(
    "program-lint",
    "the program definition lints clean (warnings fail only with --strict)",
    needs="tree",
)
def _program_lint(gate: Gate) -> None:
    for problem in gate.memo.get("lint", []):
        field = f"{problem.field}: " if problem.field else ""
        (gate.error if problem.is_error else gate.warning)(
            str(problem.source),
            "program-lint",
            f"{field}{problem.message} [{problem.check}]",
            problem.hint,
        )


def _log_rule(name: str) -> Callable[[Gate], None]:
    """A gate rule reporting one of the transparency log's rules (registry/transparency.py)."""

    def run(gate: Gate) -> None:
        if "tlog" not in gate.memo:
            gate.memo["tlog"] = check_log(gate.root, base=gate.base_source)
        for finding in gate.memo["tlog"]:
            if finding.rule == name:
                (gate.error if finding.severity == "error" else gate.warning)(
                    finding.path, finding.rule, finding.message, finding.hint
                )

    return run


for _name, _description in LOG_RULES.items():
    rule(_name, _description, needs="program")(_log_rule(_name))

#: Every rule, named for the fact it asserts.
RULES: dict[str, str] = {name: r.description for name, r in REGISTRY.items()}


def check_registry(
    root: Path,
    *,
    at: datetime,
    base: str | None = None,
    use_cache: bool = True,
    workers: int | None = None,
    allow_key_change: bool = False,
    disabled: Iterable[str] = (),
) -> CheckReport:
    """Check the registry at ``root`` as of ``at`` (and against git ref ``base``).

    Returns the report with every finding; raises CheckError only when the check itself
    cannot run (git missing, unknown ``base``). ``workers`` forces the number of verification
    processes; ``allow_key_change`` acknowledges signing keys the pull request adds;
    ``disabled`` names rules not to run (for the tests that show each rule is tested).
    """
    root = Path(root)
    report = CheckReport(base=base)
    gate = Gate(root=root, at=at, report=report, allow_key_change=allow_key_change)
    base_source = GitSource(root, base) if base else None
    program, problems = check_program(root)
    gate.memo["lint"] = problems
    gate.program = program
    if program is not None:
        gate.head = Registry(root, program)
        _verify(gate, use_cache=use_cache, workers=workers)
        if base_source is not None:
            gate.base_source = base_source
            try:
                gate.base = (
                    Registry.from_git(root, base_source.ref)
                    if base_source.commit
                    else Registry(root, program, source=base_source)  # the first commit
                )
            except (ProgramError, CredstackError) as e:
                gate.error(
                    "program/",
                    "program-lint",
                    f"the program of {base} cannot be read ({e.message}); new credentials are "
                    "judged against the base branch's program",
                    e.hint,
                )
    skip = set(disabled)
    for name, entry in REGISTRY.items():
        if name in skip:
            continue
        if entry.needs == "program" and gate.head is None:
            continue
        if entry.needs == "base" and (gate.head is None or gate.base_source is None):
            continue
        if entry.needs == "base" and gate.base is None and name == "stacking-rules":
            continue  # the base's program is unreadable: reported as program-lint
        entry.run(gate)
    report.credentials = len(gate.head.issued) if gate.head else 0
    report.status_lists = len(gate.head.lists) if gate.head else 0
    return report


def _verify(gate: Gate, *, use_cache: bool, workers: int | None) -> None:
    """Verify every readable credential and status list once; count the legitimate states."""
    head = gate.head
    assert head is not None
    cache = VerificationCache.for_registry(gate.root, enabled=use_cache)
    verifier = registry_verifier(head, at=gate.at, now=gate.at, cache=cache)
    gate.verifier = verifier
    todo = sum(1 for i in head.issued.values() if i.view is not None)
    gate.reports = verify_registry(verifier, head, workers=workers) if todo else {}
    gate.report.verified = verifier.computed
    gate.report.cache_hits = todo - verifier.computed
    gate.report.workers = verifier.workers
    for published in head.lists.values():
        if published.doc is None:
            continue
        url = head.urls.status_list(published.purpose, published.number)
        verdict = verifier.list_verdict(url, head.urls.issuer_id)
        if verdict is not None:
            gate.lists[published.rel] = verdict
    cache.save()
    for report in gate.reports.values():
        status = report.status
        if status in ("verified", "revoked", "suspended", "expired"):
            gate.report.states[status] += 1


__all__ = [
    "ALLOW_MARKER",
    "PUBLISHED_TEST_SECRETS",
    "RULES",
    "CheckReport",
    "Finding",
    "check_registry",
    "scan_emails",
    "scan_secrets",
]
