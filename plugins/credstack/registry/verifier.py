"""The one verifier: a credential in, a :class:`VerificationReport` of typed checks out.

Order as in OB 3.0 §9 (Verification and Validation): format → proof (signature, issuer key,
key valid when signed) → status → validity window → (certifications) component credentials. A
bad signature hides every other claim: the later checks are then ``not-checked``.

The time-independent part (format, signature, issuer key) is kept in the shared
:class:`~credstack.registry.vcache.VerificationCache` by content; status lists are verified
once per content hash; status bits, list freshness, validity windows and components are
evaluated on every call. ``credstack verify``, the merge gate and the site all use this class.
The in-browser verifier (``verifier/src/verify.js``) runs the same checks with the same codes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from credstack.crypto.proof import split_proof, verify_proof
from credstack.errors import CanonicalizationError, CredstackError, ProofError, ResolutionError
from credstack.model.credential import CredentialView, as_list
from credstack.model.report import PASS, WARN, CheckResult, VerificationReport, complete
from credstack.model.shape import format_check
from credstack.model.status import Bitstring, format_datetime, parse_datetime
from credstack.registry.keyring import KeyResolver
from credstack.registry.parallel import parallel_map, worker_count
from credstack.registry.vcache import VerificationCache, entry_key

CLOCK_SKEW = timedelta(minutes=5)
#: Status purposes that say something about validity ("message", "refresh" do not).
VALIDITY_PURPOSES = ("revocation", "suspension")

#: (event date, reason) of a revocation or suspension, for the verdict: (credential id, purpose).
StatusDetails = Callable[[str, str], tuple[datetime | None, str | None]]


@dataclass(frozen=True)
class OwnIssuer:
    """The issuer whose registry or site runs the verifier.

    A credential that names it (its id, its name, or a URL of its site) but is not signed with a
    key of its DID document is an impersonation: ``issuer-key`` fails with ``impersonation``.
    """

    issuer_id: str
    site: str
    name: str

    def named_by(self, doc: Mapping[str, Any]) -> bool:
        issuer = doc.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        issuer_name = issuer.get("name") if isinstance(issuer, dict) else None
        subject = doc.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        urls = [
            issuer_id,
            doc.get("id"),
            achievement.get("id") if isinstance(achievement, dict) else None,
        ]
        if issuer_id == self.issuer_id:
            return True
        if any(isinstance(u, str) and u.startswith(self.site) for u in urls):
            return True
        return (
            isinstance(issuer_name, str)
            and issuer_name.strip().casefold() == self.name.strip().casefold()
        )

    @property
    def digest(self) -> str:
        return f"{self.issuer_id}\0{self.site}\0{self.name}"


def intrinsic_checks(doc: Any, keys: KeyResolver, own: OwnIssuer | None) -> dict[str, Any]:
    """Format, signature and issuer-key checks of ``doc``: the part that does not depend on time.

    Returns a JSON-able dict (it is cached): ``checks`` (CheckResult JSON), and the proof's
    ``created`` and the key's ``retired``/``keyCreated`` dates (ISO strings or None).
    """
    checks: list[CheckResult] = [format_check(doc)]
    out: dict[str, Any] = {"created": None, "retired": None, "keyCreated": None}
    if checks[0].outcome != PASS:
        return {**out, "checks": [c.to_json() for c in checks]}
    try:
        _, proof = split_proof(doc)
    except ProofError as e:
        checks += [
            CheckResult("signature", _signature_code(e), {"detail": e.message}),
            CheckResult("issuer-key", "not-checked", {"because": "signature"}),
        ]
        return {**out, "checks": [c.to_json() for c in checks]}
    method = proof.get("verificationMethod")
    issuer = doc["issuer"]["id"]
    not_key = CheckResult("signature", "not-checked", {"because": "key"})
    try:
        key = keys.resolve(method)
    except ResolutionError as e:
        params = {"method": method, "detail": e.message}
        if e.code == "unresolvable":
            params["did"] = str(method).split("#", 1)[0]
        checks += [not_key, CheckResult("issuer-key", e.code or "not-found", params)]
        return {**out, "checks": [c.to_json() for c in checks]}
    if (
        own is not None
        and own.named_by(doc)
        and not (key.source == "did-document" and key.controller == own.issuer_id == issuer)
    ):
        checks += [
            not_key,
            CheckResult("issuer-key", "impersonation", {"issuer": own.issuer_id, "name": own.name}),
        ]
        return {**out, "checks": [c.to_json() for c in checks]}
    if key.controller != issuer:
        checks += [
            not_key,
            CheckResult(
                "issuer-key", "not-issuer", {"controller": key.controller, "issuer": issuer}
            ),
        ]
        return {**out, "checks": [c.to_json() for c in checks]}
    try:
        verified = verify_proof(doc, key.public_key)
    except (ProofError, CanonicalizationError) as e:
        code = _signature_code(e)
        checks += [
            CheckResult("signature", code, {"detail": e.message}),
            CheckResult("issuer-key", "not-checked", {"because": "signature"}),
        ]
        return {**out, "checks": [c.to_json() for c in checks]}
    checks.append(
        CheckResult("signature", "ok", {"suite": proof.get("cryptosuite"), "method": method})
    )
    if key.confirmed:
        checks.append(CheckResult("issuer-key", "ok", {"method": method, "source": key.source}))
    else:
        checks.append(CheckResult("issuer-key", "unconfirmed", {"method": method}))
    return {
        "checks": [c.to_json() for c in checks],
        "created": format_datetime(verified.created),
        "retired": format_datetime(key.revoked) if key.revoked else None,
        "keyCreated": format_datetime(key.created) if key.created else None,
    }


def _signature_code(error: CredstackError) -> str:
    code = error.code or "malformed-proof"
    if code == "unsigned":
        return "malformed-proof"
    return (
        code
        if code
        in (
            "mismatch",
            "malformed-proof",
            "bad-purpose",
            "unsafe-jsonld",
            "unknown-context",
            "unsupported-suite",
        )
        else "malformed-proof"
    )


def key_valid_check(intrinsic: Mapping[str, Any], now: datetime) -> CheckResult:
    """Was the key valid when the proof says it signed (and is that date believable)?"""
    created = parse_datetime(intrinsic["created"])
    params = {"created": intrinsic["created"]}
    if created > now + CLOCK_SKEW:
        return CheckResult("key-valid", "future", params)
    if intrinsic.get("keyCreated") and created < parse_datetime(intrinsic["keyCreated"]):
        return CheckResult(
            "key-valid", "before-key", {**params, "keyCreated": intrinsic["keyCreated"]}
        )
    if intrinsic.get("retired") and created >= parse_datetime(intrinsic["retired"]):
        return CheckResult("key-valid", "retired", {**params, "retired": intrinsic["retired"]})
    return CheckResult("key-valid", "ok", params)


@dataclass(frozen=True)
class StatusListVerdict:
    """A status list credential, verified: its bits, or why it cannot be trusted."""

    code: str  # "ok" | "untrusted"
    detail: str = ""
    purpose: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    encoded: str | None = None

    def bits(self) -> Bitstring:
        assert self.encoded is not None
        return Bitstring.decode(self.encoded)


def verify_status_list(doc: Any, url: str, issuer: str, keys: KeyResolver) -> StatusListVerdict:
    """Verify a BitstringStatusListCredential's shape, issuer and proof (not its freshness)."""
    try:
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        if "BitstringStatusListCredential" not in as_list(doc.get("type")):
            raise ValueError("not a BitstringStatusListCredential")
        if doc.get("id") != url:
            raise ValueError(f"it is the list {doc.get('id')!r}, not {url}")
        list_issuer = doc.get("issuer")
        list_issuer = list_issuer.get("id") if isinstance(list_issuer, dict) else list_issuer
        if list_issuer != issuer:
            raise ValueError(f"it is issued by {list_issuer}, not by {issuer}")
        _, proof = split_proof(doc)
        key = keys.resolve(proof.get("verificationMethod"))
        if key.controller != issuer or not key.confirmed:
            raise ValueError("it is not signed with a key of the credential's issuer")
        verified = verify_proof(doc, key.public_key)
        if key.revoked is not None and verified.created >= key.revoked:
            raise ValueError("it was signed after its key was retired")
        if key.created is not None and verified.created < key.created:
            raise ValueError("it claims to be signed before its key existed")
        subject = doc.get("credentialSubject")
        if not isinstance(subject, dict) or "BitstringStatusList" not in as_list(
            subject.get("type")
        ):
            raise ValueError("its subject is not a BitstringStatusList")
        purpose = subject.get("statusPurpose")
        if not isinstance(purpose, str):
            raise ValueError("it has no statusPurpose")
        Bitstring.decode(subject.get("encodedList"))  # well formed, long enough
        for name in ("validFrom", "validUntil"):
            if name in doc:
                parse_datetime(doc[name])
    except (CredstackError, KeyError, TypeError, ValueError) as e:
        detail = e.message if isinstance(e, CredstackError) else str(e)
        return StatusListVerdict("untrusted", detail)
    return StatusListVerdict(
        "ok",
        purpose=purpose,
        valid_from=doc.get("validFrom"),
        valid_until=doc.get("validUntil"),
        encoded=subject["encodedList"],
    )


def _digest_of(doc: Any) -> str:
    body = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


class Verifier:
    """Verify credentials against known keys, status lists and component credentials.

    ``status_lists`` maps a status list URL to its signed credential; ``credentials`` maps a
    credential URL to its JSON and the SHA-256 of its file, if known (certification
    components); ``details`` gives the date and
    reason of a revocation or suspension for the verdict. ``at`` is when the validity window is
    evaluated (``--at``); ``now`` the real clock (proofs dated after it are forged; lists past
    their ``validUntil`` are stale).
    """

    #: Fewer cache misses than this are verified in this process (a pool costs ~50 ms).
    min_parallel = 48

    def __init__(
        self,
        *,
        keys: KeyResolver,
        at: datetime,
        now: datetime | None = None,
        status_lists: Mapping[str, Any] | None = None,
        credentials: Callable[[str], tuple[Any, str | None] | None] | None = None,
        details: StatusDetails | None = None,
        cache: VerificationCache | None = None,
        own: OwnIssuer | None = None,
    ):
        self.keys = keys
        self.at = at
        self.now = now or at
        self.status_lists = dict(status_lists or {})
        self.credentials = credentials or (lambda url: None)
        self.details = details or (lambda cid, purpose: (None, None))
        self.cache = cache if cache is not None else VerificationCache(None)
        self.own = own
        self.computed = 0  # intrinsic checks computed in this run (cache misses)
        self.workers = 1  # processes used by the last prime()
        self._context = f"{keys.digest}\0{own.digest if own else '-'}"
        self._lists: dict[str, StatusListVerdict] = {}

    # -- time-independent part -----------------------------------------------------------
    def _key(self, doc: Any, digest: str | None) -> str:
        return entry_key("credential", self._context, digest or _digest_of(doc))

    def intrinsic(self, doc: Any, digest: str | None = None) -> dict[str, Any]:
        key = self._key(doc, digest)
        result = self.cache.get("credential", key)
        if result is None:
            result = intrinsic_checks(doc, self.keys, self.own)
            self.computed += 1
            self.cache.put(key, result)
        return result

    def prime(self, items: Sequence[tuple[Any, str | None]], *, workers: int | None = None) -> None:
        """Compute the intrinsic checks of (document, digest) pairs not cached, on every core."""
        todo: dict[str, Any] = {}
        for doc, digest in items:
            key = self._key(doc, digest)
            if key not in todo and self.cache.get("credential", key) is None:
                todo[key] = doc
        if not todo:
            return
        self.workers = worker_count(workers) if len(todo) >= self.min_parallel else 1
        results = parallel_map(
            _intrinsic_in_worker,
            list(todo.values()),
            workers=workers,
            initializer=_init_worker,
            initargs=(self.keys, self.own),
            min_parallel=self.min_parallel,
        )
        for key, result in zip(todo, results, strict=True):
            self.cache.put(key, result)
            self.computed += 1

    # -- the report ----------------------------------------------------------------------
    def verify(
        self, doc: Any, target: str = "", *, digest: str | None = None, component: bool = False
    ) -> VerificationReport:
        """Verify one credential document; never raises for a bad credential."""
        doc_id = doc.get("id") if isinstance(doc, dict) and isinstance(doc.get("id"), str) else None
        report = VerificationReport(target=target, credential_id=doc_id)
        try:
            intrinsic = self.intrinsic(doc, digest)
            checks = [CheckResult.from_json(c) for c in intrinsic["checks"]]
            if len(checks) < 3 or any(c.outcome not in (PASS, WARN) for c in checks):
                because = (
                    "format"
                    if checks[0].outcome != PASS
                    else ("key" if checks[1].code == "not-checked" else "signature")
                )
                report.checks = complete(checks, because=because)
                return report
            key_valid = key_valid_check(intrinsic, self.now)
            checks.append(key_valid)
            if key_valid.outcome != PASS:
                report.checks = complete(checks, because="key-valid")
                return report
            view = CredentialView.from_json(doc)
            checks.append(self._status(doc, view))
            checks.append(self._validity(view))
            checks.append(self._components(view, component))
            report.checks = checks
        except (CredstackError, KeyError, TypeError, ValueError, RecursionError) as e:
            # A fault of the verifier, not a verdict on the credential: error, never invalid.
            report.checks = complete(
                [CheckResult("format", "not-checked", {"because": "error", "detail": str(e)})],
                because="error",
            )
        return report

    def verify_many(
        self, items: Sequence[tuple[Any, str, str | None]], *, workers: int | None = None
    ) -> list[VerificationReport]:
        """Verify (document, target, digest) triples; the expensive part runs on every core."""
        self.prime([(doc, digest) for doc, _, digest in items], workers=workers)
        return [self.verify(doc, target, digest=digest) for doc, target, digest in items]

    # -- status --------------------------------------------------------------------------
    def list_verdict(self, url: str, issuer: str) -> StatusListVerdict | None:
        """The verified list at ``url`` (None when this verifier has no such list)."""
        doc = self.status_lists.get(url)
        if doc is None:
            return None
        memo = f"{url}\0{issuer}"
        if memo not in self._lists:
            key = entry_key("list", self._context, url, issuer, _digest_of(doc))
            cached = self.cache.get("list", key)
            if cached is None:
                verdict = verify_status_list(doc, url, issuer, self.keys)
                self.cache.put(key, asdict(verdict))
            else:
                verdict = StatusListVerdict(**cached)
            self._lists[memo] = verdict
        return self._lists[memo]

    def _status(self, doc: Mapping[str, Any], view: CredentialView) -> CheckResult:
        unsupported = sorted(
            {
                str(e.get("type")) if isinstance(e, dict) else "?"
                for e in as_list(doc.get("credentialStatus"))
                if not (isinstance(e, dict) and e.get("type") == "BitstringStatusListEntry")
            }
        )
        relevant = [s for s in view.statuses if s.purpose in VALIDITY_PURPOSES]
        if not relevant:
            if unsupported:
                return CheckResult("status", "unsupported", {"types": unsupported})
            return CheckResult("status", "none")
        found: dict[str, bool] = {}
        problem: CheckResult | None = None
        for ref in relevant:
            verdict = self.list_verdict(ref.list_url, view.issuer_id)
            if verdict is None:
                problem = problem or CheckResult("status", "unavailable", {"url": ref.list_url})
                continue
            if verdict.code != "ok":
                problem = problem or CheckResult(
                    "status", "untrusted", {"url": ref.list_url, "detail": verdict.detail}
                )
                continue
            if verdict.purpose != ref.purpose:
                problem = problem or CheckResult(
                    "status",
                    "untrusted",
                    {"url": ref.list_url, "detail": f"it is a {verdict.purpose} list"},
                )
                continue
            if (verdict.valid_until and parse_datetime(verdict.valid_until) <= self.now) or (
                verdict.valid_from and parse_datetime(verdict.valid_from) > self.now + CLOCK_SKEW
            ):
                problem = problem or CheckResult(
                    "status", "stale", {"url": ref.list_url, "until": verdict.valid_until}
                )
                continue
            try:
                found[ref.purpose] = found.get(ref.purpose, False) or verdict.bits().get(ref.index)
            except CredstackError as e:
                problem = problem or CheckResult(
                    "status", "untrusted", {"url": ref.list_url, "detail": e.message}
                )
        for purpose, code in (("revocation", "revoked"), ("suspension", "suspended")):
            if found.get(purpose):
                date, reason = self.details(view.id, purpose)
                params: dict[str, Any] = {}
                if date is not None:
                    params["date"] = format_datetime(date)
                if reason:
                    params["reason"] = reason
                return CheckResult("status", code, params)
        if problem is not None:
            return problem
        if unsupported:
            return CheckResult("status", "unsupported", {"types": unsupported})
        return CheckResult("status", "ok")

    def _validity(self, view: CredentialView) -> CheckResult:
        params = {"from": format_datetime(view.valid_from)}
        if view.valid_until is not None:
            params["until"] = format_datetime(view.valid_until)
        if view.valid_from > self.at:
            return CheckResult("validity", "not-yet-valid", params)
        if view.valid_until is not None and view.valid_until <= self.at:
            return CheckResult("validity", "expired", params)
        return CheckResult("validity", "ok", params)

    def _components(self, view: CredentialView, component: bool) -> CheckResult:
        if component or view.achievement_type != "Certification":
            return CheckResult("components", "not-applicable")
        found, problems = 0, []
        for evidence in view.evidence:
            component_doc = self.credentials(evidence.url)
            if component_doc is None:
                continue
            found += 1
            doc, digest = component_doc
            sub = self.verify(doc, evidence.url, digest=digest, component=True)
            if sub.status != "verified":
                problems.append({"name": evidence.name or evidence.url, "status": sub.status})
        if not found:
            return CheckResult("components", "none-found")
        if problems:
            return CheckResult("components", "not-in-force", {"count": found, "items": problems})
        return CheckResult("components", "ok", {"count": found})


_WORKER: tuple[KeyResolver, OwnIssuer | None] | None = None


def _init_worker(keys: KeyResolver, own: OwnIssuer | None) -> None:
    global _WORKER
    _WORKER = (keys, own)


def _intrinsic_in_worker(doc: Any) -> dict[str, Any]:
    assert _WORKER is not None
    return intrinsic_checks(doc, *_WORKER)


__all__ = [
    "OwnIssuer",
    "StatusListVerdict",
    "Verifier",
    "intrinsic_checks",
    "key_valid_check",
    "verify_status_list",
]
