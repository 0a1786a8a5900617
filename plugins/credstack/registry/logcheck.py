"""The ``log`` check of the one verifier, from a registry's own transparency log or a proof.

Inside a registry that keeps a log (``issued/log/``), a credential of this issuer is ``logged``
when the log holds its ``credential-issued`` entry with the SHA-256 of this very file, and the
log's last ``status-lists`` state names the status lists as they stand; else ``not-in-log`` or
``status-list-not-latest``. With ``credstack verify --log-proof FILE`` the check is the proof's
(a C2SP tlog-proof: a signed checkpoint and an inclusion proof), offline. The page checks the
published tiles and checkpoint instead (``verifier/src/tlog.js``), with the same codes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from credstack.model import tlog
from credstack.model.report import CODES, CheckResult
from credstack.registry.files import dump_json
from credstack.registry.registry import Registry
from credstack.registry.tlog import read_config, read_entries
from credstack.registry.verifier import LogChecker


def _candidates(credential: Any, digest: str | None) -> set[str]:
    """The SHA-256 a logged file of this credential may have: the file given, or credstack's
    own serialization of the JSON (a re-saved or baked copy)."""
    if digest:
        return {digest}
    return {hashlib.sha256(dump_json(credential).encode("utf-8")).hexdigest()}


def registry_log_check(registry: Registry) -> LogChecker | None:
    """The ``log`` check against the registry's own log (None: it keeps no log)."""
    if read_config(registry.root) is None:
        return None
    entries = read_entries(registry.root)
    issued: dict[str, list[tuple[int, str]]] = {}
    state: dict[str, str] | None = None
    for index, raw in enumerate(entries):
        entry = json.loads(raw)
        if entry.get("kind") == tlog.CREDENTIAL_ISSUED:
            issued.setdefault(str(entry.get("id")), []).append((index, str(entry.get("sha256"))))
        elif entry.get("kind") == tlog.STATUS_LISTS:
            state = entry.get("lists")
    current = {
        published.url: tlog.sha256_hex(published.data)
        for published in registry.lists.values()
        if published.url is not None
    }
    lists_current = state == current
    issuer = registry.urls.issuer_id

    def check(credential: Any, digest: str | None) -> CheckResult:
        named = credential.get("issuer") if isinstance(credential, dict) else None
        named_id = named.get("id") if isinstance(named, dict) else named
        if named_id != issuer:
            return CheckResult("log", "none")
        wanted = _candidates(credential, digest)
        found = next(
            (i for i, sha in issued.get(str(credential.get("id")), []) if sha in wanted), None
        )
        if found is None:
            return CheckResult("log", "not-in-log")
        if not lists_current:
            return CheckResult("log", "status-list-not-latest")
        return CheckResult("log", "logged", {"entry": found + 1, "size": len(entries)})

    return check


def proof_log_check(
    proof: str, log_key: str, *, raw: bytes | None, now: datetime, max_age: timedelta | None
) -> LogChecker:
    """The ``log`` check from a tlog-proof file (``verify --log-proof``), for one credential."""
    from credstack.registry.transparency import check_log_proof

    def check(credential: Any, digest: str | None) -> CheckResult:
        data = raw if raw is not None else dump_json(credential).encode("utf-8")
        result = check_log_proof(data, proof, log_key, at=now, max_age=max_age)
        code = result.code if result.code in CODES["log"] else "log-error"
        params = dict(result.params)
        if code == "log-error":
            params["detail"] = result.message
        return CheckResult("log", code, params)

    return check


def read_proof(path: Path) -> str:
    return path.read_text("utf-8")


__all__ = ["LogChecker", "proof_log_check", "read_proof", "registry_log_check"]
