"""The one verifier: a credential in, a :class:`VerificationReport` of typed checks out.

Order as in OB 3.0 §9 (Verification and Validation): format → proof (signature, issuer key,
key valid when signed) → status → validity window → components (a certification's component
credentials, or the credentials a CLR embeds). A bad signature hides every other claim: the
later checks are then ``not-checked``.

A credential is a JSON document with embedded proofs (Data Integrity: eddsa-rdfc-2022,
Ed25519Signature2020, ecdsa-rdfc-2019; several proofs are judged by
:mod:`credstack.registry.proofcheck`) or a VC-JWT (a compact JWS string, whose decoded
credential goes through the same format check and whose signature is its proof).

The time-independent part (format, signature, issuer key) is kept in the shared
:class:`~credstack.registry.vcache.VerificationCache` by content; status lists are verified
once per content hash (:mod:`credstack.registry.statuscheck`); status bits, list freshness,
validity windows and components are evaluated on every call. ``credstack verify``, the merge
gate and the site all use this class. The in-browser verifier (``verifier/src/verify.js``) runs
the same checks with the same codes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credstack.crypto.jwt import jwt_credential
from credstack.errors import CredstackError
from credstack.model.report import PASS, WARN, CheckResult, VerificationReport, complete
from credstack.model.shape import CredentialFacts, credential_facts, format_check, issuer_id
from credstack.model.status import MIN_BITS, Bitstring
from credstack.registry.keyring import KeyResolver
from credstack.registry.parallel import parallel_map, worker_count
from credstack.registry.proofcheck import (
    ProofReport,
    judge_jwt,
    judge_proofs,
    key_valid_check,
    proof_checks,
)
from credstack.registry.registry import parse_json_bytes
from credstack.registry.statuscheck import (
    StatusContext,
    StatusDetails,
    StatusListVerdict,
    status_check,
    strict_problem,
    verify_list,
)
from credstack.registry.vcache import VerificationCache, entry_key

#: The ``log`` check of a credential (its JSON) given the SHA-256 of its file, when known. A
#: registry's credential verified from the cache (see Verifier.verify) is passed as its id and
#: issuer only, with its file's digest: a check given a digest judges the file by it.
LogChecker = Callable[[Any, str | None], CheckResult]


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

    ``doc`` is a credential (JSON) or a VC-JWT (a string). Returns a JSON-able dict (it is
    cached): ``checks`` (CheckResult JSON) and ``proofs`` (each judged proof, with the dates the
    key-valid check needs).
    """
    proofs: list[ProofReport] = []
    jwt = isinstance(doc, str)
    if jwt:
        credential, proof = judge_jwt(doc, keys, own)
        if credential is None:
            checks = [CheckResult("format", "unreadable", {"detail": proof.params.get("detail")})]
            return {"checks": [c.to_json() for c in checks], "proofs": []}
        checks = [format_check(credential, secured=True)]
        proofs = [proof]
        doc = credential
    else:
        checks = [format_check(doc)]
    if checks[0].outcome in (PASS, WARN):
        if not proofs:
            proofs = judge_proofs(doc, keys, own)
        checks += proof_checks(proofs)
    out: dict[str, Any] = {
        "checks": [c.to_json() for c in checks],
        "proofs": [p.to_json() for p in proofs],
    }
    if not jwt and _passed(checks):
        # What the later checks read from the document, so that a cached credential is not
        # read again (see Verifier.verify); when it cannot be read, verify() reads it itself.
        try:
            facts = credential_facts(doc)
        except ValueError:
            return out
        out["facts"] = facts.to_json()
    return out


def _passed(checks: Sequence[CheckResult]) -> bool:
    """Whether the format, signature and issuer-key checks all passed (warnings allowed)."""
    return len(checks) >= 3 and all(c.outcome in (PASS, WARN) for c in checks)


class Deferred:
    """A credential read only when needed: the verifier asks for the document when the cache
    does not hold its checks (``load`` parses it then; the document is kept as long as this
    object is).

    ``source``, the bytes of the credential's file, is what :meth:`Verifier.prime` sends to
    its worker processes, which parse it there: the documents of a registry being verified
    for the first time are never all parsed, and kept, in this process."""

    __slots__ = ("_doc", "_load", "source")

    def __init__(self, load: Callable[[], Any], source: bytes | None = None):
        self._load: Callable[[], Any] | None = load
        self._doc: Any = None
        self.source = source

    def doc(self) -> Any:
        if self._load is not None:
            self._doc = self._load()
            self._load = None
        return self._doc


def _document(doc: Any) -> Any:
    return doc.doc() if isinstance(doc, Deferred) else doc


def _digest_of(doc: Any) -> str:
    if isinstance(doc, str):
        return hashlib.sha256(doc.encode("utf-8", "surrogatepass")).hexdigest()
    body = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def decoded(doc: Any) -> Any:
    """The credential a document holds: itself, or the credential a VC-JWT carries (unverified)."""
    return jwt_credential(doc) if isinstance(doc, str) else doc


class Verifier:
    """Verify credentials against known keys, status lists and component credentials.

    ``status_lists`` maps the URL a status list is served at to its document (JSON, or a VC-JWT
    string; a 1EdTech revocation list is plain JSON); ``credentials`` maps a credential URL to
    its JSON and the SHA-256 of its file, if known (certification components); ``details`` gives
    the date and reason of a revocation or suspension for the verdict. ``at`` is when the
    validity window is evaluated (``--at``); ``now`` the real clock (proofs dated after it are
    forged; lists past their ``validUntil`` are stale).
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
        log: LogChecker | None = None,
    ):
        self.keys = keys
        self.at = at
        self.now = now or at
        self.status_lists = dict(status_lists or {})
        self.credentials = credentials or (lambda url: None)
        self.details = details or (lambda cid, purpose: (None, None))
        self.cache = cache if cache is not None else VerificationCache(None)
        self.own = own
        self.log = log
        self.computed = 0  # intrinsic checks computed in this run (cache misses)
        self.workers = 1  # processes used by the last prime()
        self._context = f"{keys.digest}\0{own.digest if own else '-'}"
        self._lists: dict[str, StatusListVerdict] = {}
        self._bits: dict[tuple[str, int], Bitstring] = {}

    # -- time-independent part -----------------------------------------------------------
    def _key(self, doc: Any, digest: str | None) -> str:
        if isinstance(doc, Deferred):  # a registry's credential (JSON), known by its digest
            if digest is not None:
                return entry_key("credential", self._context, digest)
            doc = doc.doc()
        kind = "jwt" if isinstance(doc, str) else "credential"
        return entry_key(kind, self._context, digest or _digest_of(doc))

    def intrinsic(self, doc: Any, digest: str | None = None) -> dict[str, Any]:
        key = self._key(doc, digest)
        result = self.cache.get("credential", key)
        if result is None:
            result = intrinsic_checks(_document(doc), self.keys, self.own)
            self.computed += 1
            self.cache.put(key, result)
        return result

    def prime(self, items: Sequence[tuple[Any, str | None]], *, workers: int | None = None) -> None:
        """Compute the intrinsic checks of (document, digest) pairs not cached, on every core."""
        todo: dict[str, Any] = {}
        for doc, digest in items:
            key = self._key(doc, digest)
            if key not in todo and not self.cache.has("credential", key):
                source = doc.source if isinstance(doc, Deferred) else None
                todo[key] = source if source is not None else _document(doc)
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
        """Verify one credential (JSON, or a VC-JWT string); never raises for a bad credential."""
        report = VerificationReport(target=target, credential_id=None)
        try:
            facts: CredentialFacts | None = None
            cached = (
                self.cache.get("credential", self._key(doc, digest))
                if isinstance(doc, Deferred) and digest is not None
                else None
            )
            if cached is not None and "facts" in cached:
                # Checked before (same bytes, same verifier): what the later checks read from
                # the document was kept with the result, so it is not read again.
                intrinsic = cached
                facts = CredentialFacts.from_json(intrinsic["facts"])
                report.credential_id = facts.id
                # The log check is given the file's digest: of the document, it reads only
                # the id and the issuer (registry/logcheck.py, registry_log_check).
                credential: Any = {"id": facts.id, "issuer": facts.issuer_id}
            else:
                doc = _document(doc)
                credential = decoded(doc)
                if isinstance(credential, dict) and isinstance(credential.get("id"), str):
                    report.credential_id = credential["id"]
                intrinsic = self.intrinsic(doc, digest)
            checks = [CheckResult.from_json(c) for c in intrinsic["checks"]]
            if len(checks) < 3 or any(c.outcome not in (PASS, WARN) for c in checks):
                because = (
                    "format"
                    if checks[0].outcome not in (PASS, WARN)
                    else ("key" if checks[1].code == "not-checked" else "signature")
                )
                report.checks = complete(checks, because=because)
                return report
            proofs = [ProofReport.from_json(p) for p in intrinsic["proofs"]]
            key_valid = key_valid_check(proofs, self.now)
            checks.append(key_valid)
            if key_valid.outcome != PASS:
                report.checks = complete(checks, because="key-valid")
                return report
            if facts is None:
                facts = credential_facts(credential)
            strict = self.own is not None and facts.issuer_id == self.own.issuer_id
            checks.append(
                status_check(
                    credential_id=facts.id,
                    issuer=facts.issuer_id,
                    entries=facts.statuses,
                    unsupported=facts.unsupported_status,
                    strict=strict,
                    credential_keys=frozenset(p.key for p in proofs if p.key),
                    context=StatusContext(
                        document=self.status_lists.get,
                        verdict=self._verdict,
                        bits=self._decoded,
                        details=self.details,
                        now=self.now,
                    ),
                )
            )
            checks.append(self._validity(facts))
            checks.append(self._components(facts, component, target))
            checks.append(self._log(credential, digest, component))
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
    def _verdict(self, url: str) -> StatusListVerdict | None:
        """The verified list served at ``url`` (None when this verifier has no such list)."""
        doc = self.status_lists.get(url)
        if doc is None:
            return None
        if url not in self._lists:
            key = entry_key("list", self._context, url, _digest_of(doc))
            cached = self.cache.get("list", key)
            if cached is None:
                verdict = verify_list(doc, self.keys)
                self.cache.put(key, verdict.to_json())
            else:
                verdict = StatusListVerdict.from_json(cached)
            self._lists[url] = verdict
        return self._lists[url]

    def _decoded(self, url: str, min_bits: int) -> Bitstring:
        memo = (url, min_bits)
        if memo not in self._bits:
            verdict = self._verdict(url)
            assert verdict is not None and verdict.code == "ok"
            self._bits[memo] = verdict.bits(min_bits)
        return self._bits[memo]

    def list_verdict(self, url: str, issuer: str) -> StatusListVerdict | None:
        """The list at ``url`` as the registry's own list of ``issuer`` (the merge gate's view):
        None when this verifier has no such list; ``untrusted`` when it breaks the own rules."""
        verdict = self._verdict(url)
        if verdict is None or verdict.code != "ok":
            return verdict
        problem = strict_problem(verdict, url, issuer)
        if problem is None:
            try:
                self._decoded(url, MIN_BITS)
            except CredstackError as e:
                problem = e.message
        return verdict if problem is None else StatusListVerdict("untrusted", problem)

    def _validity(self, facts: CredentialFacts) -> CheckResult:
        params = {
            k: v
            for k, v in (("from", facts.valid_from_text), ("until", facts.valid_until_text))
            if v
        }
        if facts.valid_from is not None and facts.valid_from > self.at:
            return CheckResult("validity", "not-yet-valid", params)
        if facts.valid_until is not None and facts.valid_until <= self.at:
            return CheckResult("validity", "expired", params)
        return CheckResult("validity", "ok", params)

    def _log(self, credential: Any, digest: str | None, component: bool) -> CheckResult:
        """The ``log`` check: is the credential in its issuer's public transparency log?"""
        if component:
            return CheckResult("log", "not-applicable")
        if self.log is None:
            return CheckResult("log", "none")
        return self.log(credential, digest)

    def _components(self, facts: CredentialFacts, component: bool, target: str) -> CheckResult:
        if component:
            return CheckResult("components", "not-applicable")
        if facts.kind == "clr":
            kind = "embedded"
        elif facts.achievement_type == "Certification":
            kind = "evidence"
        else:
            return CheckResult("components", "not-applicable")
        found, problems = 0, []
        for i, part in enumerate(facts.components):
            if part.url is not None:
                known = self.credentials(part.url)
                if known is None:
                    continue  # not a credential this verifier knows (a capstone report, say)
                doc, digest = known
                where = part.url
            else:
                doc, digest, where = part.embedded, None, f"{target}#verifiableCredential[{i}]"
            found += 1
            sub = self.verify(doc, where, digest=digest, component=True)
            if sub.status != "verified":
                item: dict[str, Any] = {"name": part.name, "status": sub.status}
                decision = sub.decision
                if decision.check:
                    item["reason"] = {"check": decision.check, "code": decision.code}
                problems.append(item)
        if not found:
            return CheckResult("components", "none-found", {"kind": kind})
        params = {"count": found, "kind": kind}
        if problems:
            return CheckResult("components", "not-in-force", {**params, "items": problems})
        return CheckResult("components", "ok", params)


_WORKER: tuple[KeyResolver, OwnIssuer | None] | None = None


def _init_worker(keys: KeyResolver, own: OwnIssuer | None) -> None:
    global _WORKER
    _WORKER = (keys, own)


def _intrinsic_in_worker(doc: Any) -> dict[str, Any]:
    """The intrinsic checks of a document, or of the bytes of a credential's file (JSON,
    duplicate keys refused: what cannot be read so fails the format check)."""
    assert _WORKER is not None
    if isinstance(doc, bytes):
        try:
            doc = parse_json_bytes(doc, "the credential")
        except ValueError:
            doc = None
    return intrinsic_checks(doc, *_WORKER)


__all__ = [
    "Deferred",
    "OwnIssuer",
    "StatusListVerdict",
    "Verifier",
    "decoded",
    "intrinsic_checks",
    "issuer_id",
]
