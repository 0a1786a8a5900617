"""Offline verification of Open Badges 3.0 credentials, as a report of named checks.

Order as in OB 3.0 §9 (Verification and Validation): format -> proof (issuer key, signature,
key valid at proof time) -> status -> validity window -> (certifications) component credentials.
A bad signature hides every other claim: the later checks are then not run.

The same check ids and statuses are used by the in-browser verifier, so the CLI and the page
agree: ``format``, ``signature``, ``issuer-key``, ``key-valid``, ``status``, ``validity``,
``components``; statuses ``verified``, ``expired``, ``revoked``, ``suspended``, ``invalid``,
``error``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from credstack import __version__
from credstack.crypto.keys import decode_multikey_public, did_key_document
from credstack.crypto.proof import split_proof, verify_proof
from credstack.errors import (
    CanonicalizationError,
    CredentialError,
    CredstackError,
    ProofError,
    RegistryError,
    ResolutionError,
    StatusError,
)
from credstack.model.baking import extract
from credstack.model.credential import CredentialView, as_list
from credstack.model.schema import schema_errors
from credstack.model.status import Bitstring, format_datetime, parse_datetime
from credstack.registry.files import write_atomic
from credstack.registry.parallel import parallel_map
from credstack.registry.registry import Registry

PASS, WARN, FAIL, SKIP = "pass", "warn", "fail", "skip"
CLOCK_SKEW = timedelta(minutes=5)
#: Caches live here, relative to the registry root (git-ignored, never published).
CACHE_DIR = ".cache/credstack"
LABELS = {
    "format": "Format",
    "signature": "Signature",
    "issuer-key": "Issuer key",
    "key-valid": "Key valid when signed",
    "status": "Revocation status",
    "validity": "Validity period",
    "components": "Component credentials",
}
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"


@dataclass(frozen=True)
class Check:
    id: str
    outcome: str  # pass | warn | fail | skip
    message: str

    @property
    def label(self) -> str:
        return LABELS.get(self.id, self.id)


@dataclass
class VerificationReport:
    """The result of verifying one credential: named checks, a status and a verdict sentence."""

    target: str
    credential_id: str | None
    checks: list[Check] = field(default_factory=list)
    status: str = "error"
    verdict: str = ""

    @property
    def ok(self) -> bool:
        """True when the credential is genuine and in force (status ``verified``).

        Warnings (a revoked component, an unconfirmed key) keep it ok; a status that could not
        be checked does not: the CLI exits 1 then.
        """
        return self.status == "verified"

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_json(self) -> dict:
        return {
            "target": self.target,
            "id": self.credential_id,
            "status": self.status,
            "verdict": self.verdict,
            "ok": self.ok,
            "checks": [{**asdict(c), "label": c.label} for c in self.checks],
        }


@dataclass(frozen=True)
class ResolvedKey:
    public_key: bytes
    controller: str
    revoked: datetime | None
    source: str
    #: False when nothing but the credential itself vouches for the key (``<url>#z6Mk…``).
    confirmed: bool = True


class KeyResolver:
    """Find a verification method's public key, offline.

    Knows the DID documents it is given (the registry's own, ``--did-document`` files), and
    derives keys from did:key and from the ``<url>#<multibase>`` form of the OB 3.0 guide.
    """

    def __init__(self, did_documents: Iterable[dict] = ()):
        self.documents: dict[str, dict] = {}
        for doc in did_documents:
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                self.documents[doc["id"]] = doc

    def resolve(self, method_id: str) -> ResolvedKey:
        """The key for ``method_id``; raises ResolutionError explaining what is missing."""
        if not isinstance(method_id, str) or "#" not in method_id:
            raise ResolutionError(f"verificationMethod {method_id!r} is not a key reference")
        base, fragment = method_id.split("#", 1)
        if base.startswith("did:key:"):
            return self._from_document(did_key_document(base), method_id, "did:key")
        if base.startswith("did:"):
            doc = self.documents.get(base)
            if doc is None:
                raise ResolutionError(
                    f"issuer keys could not be fetched: no DID document for {base}",
                    hint="pass the issuer's DID document with --did-document FILE",
                )
            return self._from_document(doc, method_id, "DID document")
        if base.startswith(("https://", "http://")) and fragment.startswith("z"):
            try:
                key = decode_multikey_public(fragment)
            except CredstackError as e:
                raise ResolutionError(f"key in {method_id!r} is malformed: {e.message}") from e
            return ResolvedKey(key, base, None, "key named in the credential", confirmed=False)
        raise ResolutionError(
            f"unsupported verificationMethod {method_id!r}",
            hint="credstack resolves did:web (with the DID document), did:key and <url>#z6Mk…",
        )

    @staticmethod
    def _from_document(doc: dict, method_id: str, source: str) -> ResolvedKey:
        did = doc.get("id")

        def absolute(ref: str) -> str:
            return f"{did}{ref}" if isinstance(ref, str) and ref.startswith("#") else ref

        methods = [m for m in doc.get("verificationMethod", []) if isinstance(m, dict)]
        # assertionMethod entries are references or embedded methods (DID Core 5.3).
        assertion = doc.get("assertionMethod", [])
        embedded = [m for m in assertion if isinstance(m, dict)]
        listed = {absolute(m if isinstance(m, str) else m.get("id")) for m in assertion}
        method = next((m for m in methods + embedded if absolute(m.get("id")) == method_id), None)
        if method is None:
            raise ResolutionError(f"{method_id} is not in the issuer's DID document ({source})")
        if method_id not in listed:
            raise ResolutionError(f"{method_id} is not listed under assertionMethod")
        if method.get("controller") != did:
            raise ResolutionError(f"{method_id}: controller is not {did}")
        if method.get("type") not in ("Multikey", "Ed25519VerificationKey2020"):
            raise ResolutionError(f"{method_id}: unsupported key type {method.get('type')!r}")
        try:
            key = decode_multikey_public(method.get("publicKeyMultibase", ""))
        except CredstackError as e:
            raise ResolutionError(f"{method_id}: {e.message}") from e
        revoked = method.get("revoked")
        try:
            revoked_at = parse_datetime(revoked) if revoked else None
        except ValueError as e:
            raise ResolutionError(f"{method_id}: malformed revoked date {revoked!r}") from e
        return ResolvedKey(key, did, revoked_at, source)


#: Status details for a credential URL: (event date, reason) for "revoked" / "suspended".
StatusDetails = Callable[[str, str], tuple[datetime | None, str | None]]


class Verifier:
    """Verify credentials against known keys, status lists and component credentials.

    ``status_lists`` maps a status list URL to its signed credential; ``credentials`` maps a
    credential URL to its JSON (for certification components); ``details`` gives the date and
    reason of a revocation or suspension (from the registry's status log) for the verdict.
    Verified status lists are cached by content hash, so a list is checked once per run.
    """

    def __init__(
        self,
        *,
        keys: KeyResolver,
        at: datetime,
        status_lists: Mapping[str, dict] | None = None,
        credentials: Callable[[str], dict | None] | None = None,
        details: StatusDetails | None = None,
        now: datetime | None = None,
        cache: ProofCache | None = None,
    ):
        self.keys = keys
        self.at = at
        # The real clock (proofs dated after it are forged), as distinct from ``at``, the date
        # the validity window is evaluated for (``--at``).
        self.now = now or at
        self.status_lists = status_lists or {}
        self.credentials = credentials or (lambda url: None)
        self.details = details or (lambda cid, purpose: (None, None))
        self.cache = cache
        self._verified_lists: dict[str, Bitstring | str] = {}
        self._intrinsic: dict[str, dict] = {}
        # Every DID document this verifier trusts is part of every cache key.
        self._keys_digest = hashlib.sha256(
            json.dumps(keys.documents, sort_keys=True).encode()
        ).hexdigest()

    # -- the checks ---------------------------------------------------------------------
    def verify(
        self, doc: Any, target: str = "", *, components: bool = True, _key: str | None = None
    ) -> VerificationReport:
        """Verify one credential document; never raises for a bad credential."""
        report = VerificationReport(target=target, credential_id=_id_of(doc))
        try:
            self._run(doc, report, components, _key)
        except CredstackError as e:  # pragma: no cover - defensive: checks catch their own
            report.checks.append(Check("format", FAIL, f"unexpected error: {e}"))
            report.status, report.verdict = "error", f"Could not verify: {e}"
        return report

    def verify_many(
        self, items: Sequence[tuple[Any, str]], *, workers: int | None = None
    ) -> list[VerificationReport]:
        """Verify (document, target) pairs; the expensive part runs on every core.

        Same reports as calling :meth:`verify` on each, in the same order.
        """
        keys = self.prime([doc for doc, _ in items], workers=workers)
        return [
            self.verify(doc, target, _key=key)
            for (doc, target), key in zip(items, keys, strict=True)
        ]

    def prime(self, docs: Iterable[Any], *, workers: int | None = None) -> list[str]:
        """Compute (in parallel) and remember the time-independent checks of ``docs``.

        Returns each document's cache key, in order.
        """
        todo: dict[str, Any] = {}
        keys = []
        for doc in docs:
            key = self._intrinsic_key(doc)
            keys.append(key)
            if key not in self._intrinsic and (self.cache is None or self.cache.get(key) is None):
                todo.setdefault(key, doc)
        if not todo:
            return keys
        results = parallel_map(
            _intrinsic_in_worker,
            list(todo.values()),
            workers=workers,
            initializer=_init_worker,
            initargs=(self.keys,),
        )
        for key, result in zip(todo, results, strict=True):
            self._remember(key, result)
        return keys

    def _intrinsic_key(self, doc: Any) -> str:
        body = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(f"{self._keys_digest}\0{body}".encode()).hexdigest()

    def _remember(self, key: str, result: dict) -> None:
        self._intrinsic[key] = result
        if self.cache is not None:
            self.cache.put(key, result)

    def _intrinsic_of(self, doc: Any, key: str | None = None) -> dict:
        key = key or self._intrinsic_key(doc)
        result = self._intrinsic.get(key)
        if result is None and self.cache is not None:
            result = self.cache.get(key)
        if result is None:
            result = intrinsic_checks(doc, self.keys)
            self._remember(key, result)
        return result

    def _run(self, doc: Any, report: VerificationReport, components: bool, key: str | None) -> None:
        checks = report.checks
        intrinsic = self._intrinsic_of(doc, key)
        checks.extend(Check(cid, outcome, message) for cid, outcome, message in intrinsic["checks"])
        if not intrinsic["format_ok"]:
            return self._finish(report)
        view = CredentialView.from_json(doc)
        if not intrinsic["proof_ok"] or not self._check_key_valid(intrinsic, checks):
            for cid in ("status", "validity") + (("components",) if _is_cert(view) else ()):
                checks.append(Check(cid, SKIP, "not checked: the signature is not valid"))
            return self._finish(report)
        self._check_status(view, checks)
        self._check_validity(view, checks)
        if components and _is_cert(view):
            self._check_components(view, checks)
        return self._finish(report)

    def _check_key_valid(self, intrinsic: dict, checks: list[Check]) -> bool:
        created = parse_datetime(intrinsic["created"])
        revoked = parse_datetime(intrinsic["revoked"]) if intrinsic["revoked"] else None
        if revoked is not None and created >= revoked:
            checks.append(
                Check(
                    "key-valid",
                    FAIL,
                    f"signed {_day(created)}, after the key was retired on {_day(revoked)}",
                )
            )
            return False
        if created > self.now + CLOCK_SKEW:
            checks.append(
                Check("key-valid", FAIL, f"the proof claims a future date {_day(created)}")
            )
            return False
        checks.append(
            Check("key-valid", PASS, f"signed {_day(created)} while the key was in force")
        )
        return True

    def _status_list(self, url: str, issuer: str) -> Bitstring:
        """The verified bitstring of the list at ``url``; raises StatusError when untrusted."""
        doc = self.status_lists.get(url)
        if doc is None:
            raise StatusError(f"revocation status could not be checked: {url} is not available")
        # The mapping is fixed for this Verifier's lifetime: verify each list once per run.
        digest = url
        cached = self._verified_lists.get(digest)
        if isinstance(cached, Bitstring):
            return cached
        if isinstance(cached, str):
            raise StatusError(cached)
        try:
            types = doc.get("type", [])
            if "BitstringStatusListCredential" not in types:
                raise StatusError("not a BitstringStatusListCredential")
            list_issuer = (
                doc["issuer"]["id"] if isinstance(doc.get("issuer"), dict) else doc.get("issuer")
            )
            if list_issuer != issuer:
                raise StatusError(f"the status list is issued by {list_issuer}, not {issuer}")
            _, proof = split_proof(doc)
            key = self.keys.resolve(proof.get("verificationMethod"))
            if key.controller != issuer:
                raise StatusError("the status list is signed with another issuer's key")
            verify_proof(doc, key.public_key)
            if doc.get("validUntil") and parse_datetime(doc["validUntil"]) <= self.at:
                raise StatusError("the status list has expired")
            bits = Bitstring.decode(doc["credentialSubject"]["encodedList"])
        except (CredstackError, KeyError, TypeError, ValueError) as e:
            message = e.message if isinstance(e, CredstackError) else f"malformed ({e})"
            message = (
                f"revocation status could not be checked: the status list {url} cannot be "
                f"trusted: {message}"
            )
            self._verified_lists[digest] = message
            raise StatusError(message) from e
        self._verified_lists[digest] = bits
        return bits

    def _check_status(self, view: CredentialView, checks: list[Check]) -> None:
        unsupported = sorted(
            {
                str(e.get("type")) if isinstance(e, dict) else "?"
                for e in as_list(view.raw.get("credentialStatus"))
                if not (isinstance(e, dict) and e.get("type") == "BitstringStatusListEntry")
            }
        )
        if unsupported and not view.statuses:
            checks.append(
                Check(
                    "status",
                    SKIP,
                    "revocation status could not be checked: status type "
                    f"{', '.join(unsupported)} is not supported",
                )
            )
            return
        if not view.statuses:
            checks.append(
                Check(
                    "status",
                    SKIP,
                    "revocation status could not be checked: the credential "
                    "carries no status information",
                )
            )
            return
        for ref in view.statuses:
            if ref.implied and ref.list_url not in self.status_lists:
                continue  # the issuer publishes no companion suspension list
            try:
                bits = self._status_list(ref.list_url, view.issuer_id)
                set_ = bits.get(ref.index)
            except StatusError as e:
                outcome = SKIP if "not available" in e.message else FAIL
                checks.append(Check("status", outcome, e.message))
                return
            if set_:
                date, reason = self.details(view.id, ref.purpose)
                verb = {"revocation": "revoked", "suspension": "suspended"}.get(ref.purpose)
                if verb is None:
                    continue  # other purposes (e.g. "message") say nothing about validity
                text = f"{verb} by the issuer" + (f" on {_day(date)}" if date else "")
                checks.append(Check("status", FAIL, text + (f": {reason}" if reason else "")))
                return
        checks.append(Check("status", PASS, "not revoked, not suspended (signed status list)"))

    def _check_validity(self, view: CredentialView, checks: list[Check]) -> None:
        if view.valid_from > self.at:
            checks.append(
                Check("validity", FAIL, f"not yet valid: valid from {_day(view.valid_from)}")
            )
        elif view.valid_until is not None and view.valid_until <= self.at:
            checks.append(Check("validity", FAIL, f"expired on {_day(view.valid_until)}"))
        else:
            until = f" until {_day(view.valid_until)}" if view.valid_until else ", no expiry"
            checks.append(Check("validity", PASS, f"valid from {_day(view.valid_from)}{until}"))

    def _check_components(self, view: CredentialView, checks: list[Check]) -> None:
        found, problems = 0, []
        for evidence in view.evidence:
            doc = self.credentials(evidence.url)
            if doc is None:
                continue
            found += 1
            sub = self.verify(doc, evidence.url, components=False)
            if sub.status != "verified":
                problems.append(f"{evidence.name or evidence.url} ({sub.verdict})")
        if not found:
            checks.append(Check("components", WARN, "no component credential could be found"))
        elif problems:
            checks.append(
                Check("components", WARN, "component not in force: " + "; ".join(problems))
            )
        else:
            checks.append(Check("components", PASS, f"{found} component credentials verified"))

    # -- verdict ------------------------------------------------------------------------
    def _finish(self, report: VerificationReport) -> None:
        """Status and verdict from the checks: invalid > error > revoked > suspended > expired."""
        by_id = {c.id: c for c in report.checks}
        fatal = [
            c
            for c in report.checks
            if c.outcome == FAIL and c.id in ("format", "signature", "issuer-key", "key-valid")
        ]
        if fatal:
            c = fatal[0]
            if c.id == "issuer-key" and "could not be fetched" in c.message:
                report.status, report.verdict = "error", f"Could not be verified: {c.message}"
            elif c.id == "signature" and "changed" in c.message:
                report.status = "invalid"
                report.verdict = "Not verified: the content has changed since it was signed"
            else:
                report.status, report.verdict = "invalid", f"Not verified: {c.message}"
            return
        status, validity = by_id.get("status"), by_id.get("validity")
        if validity and validity.outcome == FAIL and validity.message.startswith("not yet"):
            report.status, report.verdict = "invalid", f"Not verified: {validity.message}"
            return
        if status and status.outcome == FAIL and status.message.startswith("revoked"):
            report.status, report.verdict = "revoked", _cap(status.message)
            return
        if status and status.outcome == FAIL and status.message.startswith("suspended"):
            report.status, report.verdict = "suspended", _cap(status.message)
            return
        if status and (
            status.outcome == FAIL
            or (status.outcome == SKIP and "carries no status" not in status.message)
        ):
            # A status that cannot be checked is never shown as valid.
            report.status = "error"
            report.verdict = f"Signature verified, but {_uncap(status.message)}"
            return
        if validity and validity.outcome == FAIL:
            report.status, report.verdict = "expired", f"Verified, but {validity.message}"
            return
        report.status = "verified"
        unconfirmed = by_id.get("issuer-key")
        if unconfirmed is not None and unconfirmed.outcome == WARN:
            report.verdict = "Verified, but the signing key is not confirmed by the issuer"
        else:
            report.verdict = "Verified"


# -- time-independent checks: format, signature, issuer key (cacheable, parallelizable) --------

#: Bump when the checks below change, so caches from older versions are not trusted.
INTRINSIC_VERSION = "1"


def intrinsic_checks(doc: Any, keys: KeyResolver) -> dict:
    """Format, signature and issuer-key checks of ``doc``: the part that does not depend on time.

    Returns a JSON-able dict (it is cached on disk): ``checks`` as (id, outcome, message)
    triples, ``format_ok``, ``proof_ok``, and the proof's ``created`` and key's ``revoked``.
    """
    checks: list[tuple[str, str, str]] = []
    out = {
        "checks": checks,
        "format_ok": False,
        "proof_ok": False,
        "created": None,
        "revoked": None,
    }
    if not _format_check(doc, checks):
        return out
    out["format_ok"] = True
    try:
        _, proof = split_proof(doc)
    except ProofError as e:
        checks += [
            ("signature", FAIL, e.message),
            ("issuer-key", SKIP, "not checked: no usable proof"),
        ]
        return out
    method = proof.get("verificationMethod")
    issuer = doc["issuer"]["id"] if isinstance(doc["issuer"], dict) else doc["issuer"]
    try:
        key = keys.resolve(method)
        if key.controller != issuer:
            raise ResolutionError(
                f"the key belongs to {key.controller}, not to the issuer {issuer}"
            )
    except ResolutionError as e:
        checks += [
            ("signature", SKIP, "not checked: the issuer's key is unknown"),
            ("issuer-key", FAIL, e.message),
        ]
        return out
    try:
        verified = verify_proof(doc, key.public_key)
    except (ProofError, CanonicalizationError) as e:
        message = e.message
        if isinstance(e, ProofError) and "changed" not in message:
            message = f"invalid proof: {message}"
        checks += [("signature", FAIL, message), ("issuer-key", PASS, f"{method} ({key.source})")]
        return out
    checks.append(("signature", PASS, f"{proof.get('cryptosuite')} proof verifies"))
    if key.confirmed:
        checks.append(("issuer-key", PASS, f"{method} ({key.source})"))
    else:
        checks.append(
            (
                "issuer-key",
                WARN,
                f"{method}: the key is named in the credential "
                "itself; no document of the issuer confirms it",
            )
        )
    out.update(
        proof_ok=True,
        created=format_datetime(verified.created),
        revoked=format_datetime(key.revoked) if key.revoked else None,
    )
    return out


def _format_check(doc: Any, checks: list[tuple[str, str, str]]) -> bool:
    """OB 3.0 shape and JSON Schema; appends the ``format`` check, returns whether it holds."""
    if not isinstance(doc, dict):
        checks.append(("format", FAIL, "not a JSON object"))
        return False
    problems = []
    contexts = doc.get("@context")
    if not (
        isinstance(contexts, list)
        and len(contexts) >= 2
        and contexts[0] == VC_V2
        and isinstance(contexts[1], str)
        and contexts[1].startswith(OB_CONTEXT_PREFIX)
    ):
        problems.append("@context must start with the VC 2.0 and OB 3.0 contexts")
    types = doc.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" not in types or not (
        {"OpenBadgeCredential", "AchievementCredential"} & set(types)
    ):
        problems.append("type must include VerifiableCredential and OpenBadgeCredential")
    if "proof" not in doc:
        problems.append("it carries no proof (unsigned)")
    try:
        CredentialView.from_json(doc)
    except CredentialError as e:
        problems.append(e.message)
    if problems:
        checks.append(("format", FAIL, "; ".join(problems)))
        return False
    errors = schema_errors(doc)
    compaction_only = errors and all("is not of type 'array'" in e for e in errors)
    if errors and not compaction_only:
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        checks.append(
            ("format", FAIL, f"does not match the OB 3.0 schema: {'; '.join(errors[:3])}{more}")
        )
        return False
    if compaction_only:
        checks.append(
            (
                "format",
                WARN,
                "OpenBadgeCredential in compacted form (single values "
                "where the OB 3.0 schema wants arrays): " + "; ".join(errors[:3]),
            )
        )
    else:
        checks.append(("format", PASS, "an OB 3.0 OpenBadgeCredential (schema valid)"))
    return True


_WORKER_KEYS: KeyResolver | None = None


def _init_worker(keys: KeyResolver) -> None:
    global _WORKER_KEYS
    _WORKER_KEYS = keys


def _intrinsic_in_worker(doc: Any) -> dict:
    assert _WORKER_KEYS is not None
    return intrinsic_checks(doc, _WORKER_KEYS)


class ProofCache:
    """On-disk cache of :func:`intrinsic_checks` results, keyed by content hash.

    The key covers the credential's content, every DID document the resolver knows and the
    credstack/pyld versions, so any change to those is a miss. Status lists, dates and
    components are never cached: they are checked on every run (they are cheap).
    """

    def __init__(self, path: Path):
        self.path = path
        self._data: dict[str, dict] = {}
        self._dirty = False
        try:
            loaded = json.loads(path.read_text("utf-8"))
            if isinstance(loaded, dict) and loaded.get("version") == _cache_version():
                self._data = loaded.get("entries", {})
        except (OSError, ValueError):
            self._data = {}

    def get(self, key: str) -> dict | None:
        return self._data.get(key)

    def put(self, key: str, value: dict) -> None:
        self._data[key] = value
        self._dirty = True

    def __len__(self) -> int:
        return len(self._data)

    def save(self) -> None:
        """Write the cache atomically (a cache failure never fails a verification)."""
        if not self._dirty:
            return
        try:
            write_atomic(
                self.path, json.dumps({"version": _cache_version(), "entries": self._data})
            )
            self._dirty = False
        except CredstackError:
            pass


def _cache_version() -> str:
    from importlib.metadata import version

    return f"{INTRINSIC_VERSION}:{__version__}:pyld-{version('PyLD')}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _uncap(text: str) -> str:
    return text[:1].lower() + text[1:]


def _day(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d") if when else "?"


def _id_of(doc: Any) -> str | None:
    return doc.get("id") if isinstance(doc, dict) and isinstance(doc.get("id"), str) else None


def _is_cert(view: CredentialView) -> bool:
    return view.achievement_type == "Certification"


__all__ = [
    "Check",
    "KeyResolver",
    "VerificationReport",
    "Verifier",
]


def registry_verifier(
    registry: Registry | None,
    *,
    at: datetime,
    did_documents: Iterable[dict] = (),
    status_lists: Iterable[dict] = (),
    now: datetime | None = None,
    cache: ProofCache | None = None,
) -> Verifier:
    """A Verifier that knows this registry's DID document, status lists, credentials and log."""
    documents = list(did_documents)
    lists: dict[str, dict] = {}
    if registry is not None:
        documents.append(registry.did_document())
        lists.update(registry.status_lists)
    for doc in status_lists:  # explicit files win over the registry's copies
        if isinstance(doc, dict) and isinstance(doc.get("id"), str):
            lists[doc["id"]] = doc

    loaded: dict[str, dict | None] = {}

    def credentials(url: str) -> dict | None:
        """A component credential of this registry, read on demand (one file, not all)."""
        if registry is None:
            return None
        cid = registry.urls.cid_from_url(url)
        if not cid or "/" in cid or cid.startswith("."):
            return None
        if cid not in loaded:
            path = registry.credential_path(cid)
            loaded[cid] = registry.read_json(path) if path.is_file() else None
        return loaded[cid]

    def details(url: str, purpose: str) -> tuple[datetime | None, str | None]:
        cid = registry.urls.cid_from_url(url) if registry is not None else None
        if registry is None or cid is None:
            return None, None
        current = registry.current_status(cid)
        event = current.revoked if purpose == "revocation" else current.suspended
        return (event.date, event.reason) if event else (None, None)

    return Verifier(
        keys=KeyResolver(documents),
        at=at,
        status_lists=lists,
        credentials=credentials,
        details=details,
        now=now,
        cache=cache,
    )


def read_target(path: Path) -> dict:
    """The credential in a JSON file or baked PNG/SVG; raises CredentialError/RegistryError."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RegistryError(f"cannot read {path}: {e.strerror}") from e
    try:
        return extract(data)
    except CredentialError as e:
        raise CredentialError(f"{path}: {e.message}", hint=e.hint) from e


def collect_targets(target: Path) -> list[Path]:
    """The files to verify for a TARGET: the file itself, or the credentials in a directory."""
    if target.is_dir():
        nested = target / "credentials"
        folder = nested if nested.is_dir() else target
        return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".json", ".png", ".svg"))
    if not target.exists():
        raise RegistryError(f"{target} does not exist")
    return [target]
