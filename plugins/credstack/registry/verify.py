"""Verification inside (or outside) a registry: the verifier wired to a registry snapshot.

:func:`registry_verifier` gives the one :class:`~credstack.registry.verifier.Verifier` that
``credstack verify``, the merge gate and the site use: it knows the registry's DID document,
its status lists (which an explicitly given list never overrides), its credentials (for
certification components), the dates and reasons of its status log, and its own issuer (so a
credential impersonating it is refused). :func:`read_target` and :func:`collect_targets` read
what the user asks to verify.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from credstack.errors import CredentialError, RegistryError
from credstack.model.baking import extract_payload
from credstack.model.report import CheckResult, VerificationReport, complete
from credstack.registry.keyring import KeyResolver
from credstack.registry.logcheck import LogChecker, registry_log_check
from credstack.registry.registry import IssuedCredential, Registry
from credstack.registry.vcache import VerificationCache
from credstack.registry.verifier import Deferred, OwnIssuer, Verifier, decoded

#: Largest file ``credstack verify`` reads (a baked badge or a credential).
MAX_TARGET_BYTES = 10 * 1024 * 1024
#: Files a folder TARGET is searched for (OB 3.0 §5: JSON, baked images, .1ob; VC-JWT files).
TARGET_SUFFIXES = (".json", ".png", ".svg", ".1ob", ".jwt")


def own_issuer(registry: Registry) -> OwnIssuer:
    """The registry's issuer, as the verifier protects it from impersonation."""
    return OwnIssuer(registry.urls.issuer_id, registry.urls.site, registry.program.issuer.name)


def registry_verifier(
    registry: Registry | None,
    *,
    at: datetime,
    did_documents: Iterable[Any] = (),
    status_lists: Iterable[Any] | Mapping[str, Any] = (),
    now: datetime | None = None,
    cache: VerificationCache | None = None,
    log: LogChecker | None = None,
) -> Verifier:
    """A Verifier that knows this registry's DID document, status lists, credentials and log.

    ``log`` is the ``log`` check to run (default: against the registry's own transparency log,
    when it keeps one).

    ``status_lists`` maps the URL each list is served at to its document, or is a sequence of
    documents, each then known at its own ``id``. Explicit lists only add lists the registry
    does not have: the registry's own list is never overridden (an older signed copy cannot roll
    back a revocation).
    """
    documents = list(did_documents)
    lists: dict[str, Any] = {}
    if registry is not None:
        documents.append(registry.did)
        # Keyed by the URL the file is published at; a list whose id says otherwise is
        # refused by the verifier (it never shadows another list).
        for published in registry.lists.values():
            if published.doc is not None:
                url = registry.urls.status_list(published.purpose, published.number)
                lists[url] = published.doc
    if isinstance(status_lists, Mapping):
        for url, doc in status_lists.items():
            lists.setdefault(url, doc)
    else:
        for doc in status_lists:
            own_id = (decoded(doc) or {}).get("id") if isinstance(doc, (dict, str)) else None
            if isinstance(own_id, str):
                lists.setdefault(own_id, doc)

    def credentials(url: str) -> tuple[Any, str | None] | None:
        """A component credential of this registry (from the snapshot) and its digest."""
        if registry is None:
            return None
        cid = registry.urls.cid_from_url(url)
        issued = registry.issued.get(cid) if cid else None
        if issued is None or issued.view is None:
            return None
        return Deferred(lambda: issued.doc, issued.data), issued.digest  # (parsed only when needed)

    def details(url: str, purpose: str) -> tuple[datetime | None, str | None]:
        cid = registry.urls.cid_from_url(url) if registry is not None else None
        if registry is None or cid is None:
            return None, None
        event = registry.current_status(cid).event(purpose)
        return (event.date, event.reason) if event else (None, None)

    if log is None and registry is not None:
        log = registry_log_check(registry)
    return Verifier(
        keys=KeyResolver(documents),
        at=at,
        now=now,
        status_lists=lists,
        credentials=credentials,
        details=details,
        cache=cache,
        own=own_issuer(registry) if registry is not None else None,
        log=log,
    )


def verify_registry(
    verifier: Verifier, registry: Registry, *, workers: int | None = None
) -> dict[str, VerificationReport]:
    """The report of every readable credential of ``registry``, by cid (on every core)."""
    readable = [i for i in registry.issued.values() if i.view is not None]
    # Each document is parsed only when the cache does not hold its checks (registry/verifier.py).
    items = [(_deferred(i), i.rel, i.digest) for i in readable]
    reports = verifier.verify_many(items, workers=workers)
    return {i.cid: r for i, r in zip(readable, reports, strict=True)}


def _deferred(issued: IssuedCredential) -> Deferred:
    return Deferred(lambda: issued.doc, issued.data)


def unreadable_report(target: str, problem: str) -> VerificationReport:
    """The report for a file that holds no credential we could read."""
    check = CheckResult("format", "unreadable", {"detail": problem})
    return VerificationReport(target, None, complete([check], because="format"))


def read_target(path: Path) -> Any:
    """What a file holds: a credential (JSON), or a VC-JWT (its compact JWS string), given as
    the file, baked in a PNG or SVG, or a ``.1ob``/``.jwt`` file; raises CredentialError/
    RegistryError."""
    try:
        size = path.stat().st_size
        if size > MAX_TARGET_BYTES:
            raise CredentialError(
                f"{path}: {size} bytes is too large for a credential or badge",
                hint=f"credentials and baked badges are far smaller than "
                f"{MAX_TARGET_BYTES // (1024 * 1024)} MB",
            )
        data = path.read_bytes()
    except OSError as e:
        raise RegistryError(f"cannot read {path}: {e.strerror}") from e
    try:
        payload = extract_payload(data)
    except CredentialError as e:
        raise CredentialError(f"{path}: {e.message}", hint=e.hint) from e
    except RecursionError as e:
        raise CredentialError(f"{path}: JSON nested too deeply") from e
    return payload.token if payload.kind == "jwt" else payload.credential


def collect_targets(target: Path) -> list[Path]:
    """The files to verify for a TARGET: the file itself, or the credentials in a directory."""
    if target.is_dir():
        nested = target / "credentials"
        folder = nested if nested.is_dir() else target
        return sorted(p for p in folder.rglob("*") if p.suffix.lower() in TARGET_SUFFIXES)
    if not target.exists():
        raise RegistryError(f"{target} does not exist")
    return [target]


__all__ = [
    "KeyResolver",
    "OwnIssuer",
    "VerificationReport",
    "Verifier",
    "collect_targets",
    "own_issuer",
    "read_target",
    "registry_verifier",
    "unreadable_report",
    "verify_registry",
]
