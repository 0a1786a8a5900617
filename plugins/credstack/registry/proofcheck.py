"""The proofs of a credential, judged: the ``signature``, ``issuer-key`` and ``key-valid`` checks.

:func:`judge_proofs` runs every proof of a document (or the VC-JWT it came in) through
:mod:`credstack.crypto.suites` and binds each key to the credential's issuer; :func:`proof_checks`
turns the per-proof results into the report's checks, and :func:`key_valid_check` judges the
proofs' dates against the keys' validity (the one part that depends on the clock).

The rule for several proofs (Data Integrity 1.0 §4.4, proof sets and chains):

* every proof of a suite credstack verifies must verify, with a key of the issuer: the worst
  proof decides (a failure before an error before a warning, then document order);
* a proof of a suite credstack does not verify is listed in ``params.unsupported``, never a pass
  on its own: a credential with only such proofs is ``error`` (``unsupported-suite``);
* ``params.proofs`` lists each proof: ``{suite, method, check, code}``.

The binding rules, per proof: the key must be listed under ``assertionMethod`` and controlled by
its DID (:meth:`KeyResolver.standing`); a credential naming the registry's own issuer must be
signed with a key of its DID document (``impersonation``); the key's controller must be the
issuer (``not-issuer``); a key that only the credential names (``<url>#z6Mk…``, a JOSE ``jwk``
header) is ``unconfirmed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from credstack.crypto.jwt import verify_jwt
from credstack.crypto.methods import ResolvedMethod
from credstack.crypto.suites import Loader, ProofOutcome, verify_proofs
from credstack.errors import ResolutionError
from credstack.model.report import CODES, ERROR, FAIL, WARN, CheckResult
from credstack.model.shape import issuer_id
from credstack.model.status import format_datetime, parse_datetime
from credstack.registry.keyring import KeyResolver, ResolvedKey

if TYPE_CHECKING:
    from credstack.registry.verifier import OwnIssuer

CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class ProofReport:
    """One proof, judged: the check its code belongs to, and what key-valid needs later."""

    suite: str
    method: str | None
    check: str  # "signature" | "issuer-key"
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    created: str | None = None
    retired: str | None = None
    key_created: str | None = None
    key: str | None = None  # ResolvedKey.fingerprint of a verified proof
    source: str | None = None
    confirmed: bool = False

    @property
    def outcome(self) -> str:
        """The outcome the code implies (``unconfirmed`` for a verified proof of such a key)."""
        if self.check == "signature" and self.code == "ok" and not self.confirmed:
            return WARN
        return CODES[self.check][self.code]

    @property
    def supported(self) -> bool:
        return not (self.check == "signature" and self.code == "unsupported-suite")

    def entry(self) -> dict[str, Any]:
        """The proof as listed in ``params.proofs``."""
        return {"suite": self.suite, "method": self.method, "check": self.check, "code": self.code}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProofReport:
        return cls(**data)


def bind_key(
    method: ResolvedMethod, doc: Mapping[str, Any], keys: KeyResolver, own: OwnIssuer | None
) -> ResolvedKey | CheckResult:
    """The key of ``method`` if it may sign ``doc`` (see the module's rules), else the
    ``issuer-key`` failure."""
    issuer = issuer_id(doc)
    try:
        key = keys.standing(method)
    except ResolutionError as e:
        return CheckResult(
            "issuer-key", e.code or "not-found", {"method": method.id, "detail": e.message}
        )
    if (
        own is not None
        and own.named_by(doc)
        and not (key.source == "did-document" and key.controller == own.issuer_id == issuer)
    ):
        return CheckResult(
            "issuer-key", "impersonation", {"issuer": own.issuer_id, "name": own.name}
        )
    if key.controller is not None and key.controller != issuer:
        return CheckResult(
            "issuer-key", "not-issuer", {"controller": key.controller, "issuer": issuer}
        )
    return key


def _report(
    outcome: ProofOutcome, doc: Mapping[str, Any], keys: KeyResolver, own: Any
) -> ProofReport:
    suite, method = outcome.suite, outcome.verification_method
    detail = {"detail": outcome.params.get("detail", "")}
    if outcome.check == "issuer-key":
        params: dict[str, Any] = {"method": method, **detail}
        if outcome.code == "unresolvable" and method:
            params["did"] = method.split("#", 1)[0]
        return ProofReport(suite, method, check="issuer-key", code=outcome.code, params=params)
    if outcome.method is not None:
        bound = bind_key(outcome.method, doc, keys, own)
        if isinstance(bound, CheckResult):
            return ProofReport(
                suite, method, check="issuer-key", code=bound.code, params=dict(bound.params)
            )
        if outcome.ok:
            return ProofReport(
                suite,
                method,
                check="signature",
                code="ok",
                created=format_datetime(outcome.created) if outcome.created else None,
                retired=format_datetime(bound.revoked) if bound.revoked else None,
                key_created=format_datetime(bound.created) if bound.created else None,
                key=bound.fingerprint,
                source=bound.source,
                confirmed=bound.confirmed,
            )
    params = {k: v for k, v in outcome.params.items() if k in ("detail", "url", "claim", "alg")}
    return ProofReport(suite, method, check="signature", code=outcome.code, params=params)


def judge_proofs(
    doc: Mapping[str, Any],
    keys: KeyResolver,
    own: OwnIssuer | None,
    *,
    loader: Loader | None = None,
) -> list[ProofReport]:
    """Every embedded proof of ``doc``, verified and bound to its issuer, in document order."""
    outcomes = verify_proofs(doc, keys.method, loader=loader)
    return [_report(o, doc, keys, own) for o in outcomes]


def judge_jwt(
    token: str, keys: KeyResolver, own: OwnIssuer | None
) -> tuple[dict[str, Any] | None, ProofReport]:
    """The credential a VC-JWT carries (None if it cannot be decoded) and its judged proof."""
    credential, outcome = verify_jwt(token, keys.method)
    return credential, _report(outcome, credential or {}, keys, own)


def _rank(proof: ProofReport) -> int:
    return {FAIL: 0, ERROR: 1, WARN: 2}.get(proof.outcome, 3)


def proof_checks(proofs: Sequence[ProofReport]) -> list[CheckResult]:
    """The ``signature`` and ``issuer-key`` checks of a credential's judged proofs."""
    listed = [p.entry() for p in proofs]
    supported = [p for p in proofs if p.supported]
    unsupported = [p.suite for p in proofs if not p.supported]
    if not supported:
        first = proofs[0]
        return [
            CheckResult(
                "signature",
                "unsupported-suite",
                {
                    "suite": ", ".join(unsupported),
                    "detail": first.params.get("detail", ""),
                    "proofs": listed,
                },
            ),
            CheckResult("issuer-key", "not-checked", {"because": "signature"}),
        ]
    deciding = min(supported, key=_rank)
    extra: dict[str, Any] = {"proofs": listed}
    if unsupported:
        extra["unsupported"] = unsupported
    if deciding.check == "issuer-key":
        return [
            CheckResult("signature", "not-checked", {"because": "key"}),
            CheckResult("issuer-key", deciding.code, deciding.params),
        ]
    if deciding.code != "ok":
        return [
            CheckResult(
                "signature", deciding.code, {**deciding.params, "suite": deciding.suite, **extra}
            ),
            CheckResult("issuer-key", "not-checked", {"because": "signature"}),
        ]
    key_params = {"method": deciding.method, "source": deciding.source}
    return [
        CheckResult(
            "signature", "ok", {"suite": deciding.suite, "method": deciding.method, **extra}
        ),
        CheckResult("issuer-key", "ok" if deciding.confirmed else "unconfirmed", key_params),
    ]


def _key_valid(proof: ProofReport, now: datetime) -> CheckResult:
    params: dict[str, Any] = {"created": proof.created}
    if proof.created is None:
        if proof.retired or proof.key_created:
            return CheckResult("key-valid", "undated", params)
        return CheckResult("key-valid", "ok", params)
    created = parse_datetime(proof.created)
    if created > now + CLOCK_SKEW:
        return CheckResult("key-valid", "future", params)
    if proof.key_created and created < parse_datetime(proof.key_created):
        return CheckResult("key-valid", "before-key", {**params, "keyCreated": proof.key_created})
    if proof.retired and created >= parse_datetime(proof.retired):
        return CheckResult("key-valid", "retired", {**params, "retired": proof.retired})
    return CheckResult("key-valid", "ok", params)


def key_valid_check(proofs: Sequence[ProofReport], now: datetime) -> CheckResult:
    """Was each verified proof's key valid when the proof says it signed (and is that date
    believable)? The first proof that fails decides; ``now`` is the real clock."""
    results = [_key_valid(p, now) for p in proofs if p.supported and p.code == "ok"]
    return next((r for r in results if r.code != "ok"), results[0])


__all__ = [
    "CLOCK_SKEW",
    "ProofReport",
    "bind_key",
    "judge_jwt",
    "judge_proofs",
    "key_valid_check",
    "proof_checks",
]
