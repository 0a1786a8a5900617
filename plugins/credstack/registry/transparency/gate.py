"""The merge gate's part of the transparency log: the pull request's log, and append-only.

:func:`check_log` runs :func:`~credstack.registry.transparency.verify.verify_log` over the work
tree and, against the target branch, checks that the head log extends the base log (RFC 9162
consistency proof; the first rewritten entry is named). ``credstack check`` reports its findings
as gate rules (``registry/check/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from credstack.errors import CredstackError, LogError
from credstack.model import tlog
from credstack.registry.source import GitSource
from credstack.registry.tlog import CONFIG_FILE, ENTRIES_DIR, LOG_DIR, read_config
from credstack.registry.transparency.log import LogFinding, read_log, segments_on_disk, where
from credstack.registry.transparency.verify import verify_log

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
    base_log = read_log(base_segments, [])
    head_log = read_log(segments_on_disk(root), [])
    if base_log is None or head_log is None:
        return findings  # malformed segments are reported by verify_log
    m, n = base_log.tree.size, head_log.tree.size
    if n < m:
        findings.append(
            LogFinding(
                where(max(n - 1, 0)),
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
                where(first),
                "log-append-only",
                f"entry {first} differs from {ref}'s: the log is not an extension of the target "
                f"branch's log (consistency proof from {m} to {n} entries fails)",
                hint,
            )
        )
    return findings
