"""Verification reports: typed check results, their reason codes, and the one verdict rule.

A verification is a list of named checks, always the same ids in the same order (OB 3.0 §9
"Verification and Validation": format → proof → status → validity window, plus credstack's
component check for certifications). Each check ends in a :class:`CheckResult`: an outcome, a
stable reason ``code`` and message ``params``. The report's ``status`` is decided from codes by
:func:`decide`, never from text; words are rendered at the edges (:mod:`credstack.model.wording`
for the CLI, the site and the JSON report; ``verifier/src/wording.js`` in the page).

Every code belongs to exactly one check and implies exactly one outcome (:data:`CODES`), so the
CLI's and the page's reports can be compared mechanically. The vocabulary is published as a
JSON Schema, ``model/schemas/verification-report.schema.json``; a test keeps the two equal, and
the in-browser verifier's node tests read the same schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Outcome = Literal["pass", "warn", "fail", "error", "skip"]
Status = Literal["verified", "expired", "revoked", "suspended", "invalid", "error"]

PASS: Final = "pass"
WARN: Final = "warn"
FAIL: Final = "fail"
ERROR: Final = "error"
SKIP: Final = "skip"

#: Report schema version (``reportVersion`` in the JSON).
REPORT_VERSION: Final = 1

#: The checks, in the order they run and are shown.
CHECK_IDS: Final[tuple[str, ...]] = (
    "format",
    "signature",
    "issuer-key",
    "key-valid",
    "status",
    "validity",
    "components",
    "log",
)

#: check id -> reason code -> the outcome that code implies.
CODES: Final[dict[str, dict[str, Outcome]]] = {
    "format": {
        "ok": PASS,
        "no-recipient": WARN,  # credentialSubject has neither id nor identifier (OB 3.0 B.1.2)
        "unreadable": FAIL,  # the file is not JSON, or no credential could be extracted
        "not-object": FAIL,
        "context": FAIL,  # @context: not VC 1.1/2.0 first, or no OB 3.0 / CLR 2.0 context
        "type": FAIL,  # type lacks VerifiableCredential or a credential type credstack reads
        "issuer": FAIL,  # issuer is neither an IRI nor a Profile with an id
        "dates": FAIL,  # no validFrom/issuanceDate, or a date-time without a time zone
        "subject": FAIL,  # credentialSubject / achievement / recipient missing
        "status-entry": FAIL,  # a credentialStatus entry that cannot be read
        "unsigned": FAIL,  # no proof at all
        "not-checked": SKIP,  # verification stopped by a fault of the verifier (status: error)
    },
    "signature": {
        "ok": PASS,
        "mismatch": FAIL,  # the content changed since it was signed (or another key signed)
        "malformed-proof": FAIL,
        "bad-purpose": FAIL,  # proofPurpose is not assertionMethod
        "key-type-mismatch": FAIL,  # the suite needs another kind of key than the method holds
        "claims-mismatch": FAIL,  # a VC-JWT's iss/sub/jti/nbf/exp contradict the credential
        "unsafe-jsonld": FAIL,  # data the contexts do not define: it would not be signed
        "unknown-context": ERROR,  # a context this verifier does not ship: cannot be checked
        "unsupported-suite": ERROR,
        "not-checked": SKIP,
    },
    "issuer-key": {
        "ok": PASS,
        "unconfirmed": WARN,  # <url>#z6Mk…: only the credential itself names the key
        "unresolvable": ERROR,  # the issuer's DID document could not be had
        "not-found": FAIL,  # the DID document does not list the key
        "not-assertion": FAIL,  # listed, but not for assertionMethod
        "wrong-controller": FAIL,  # the method's controller is not the DID
        "not-issuer": FAIL,  # the key is not the credential's issuer's
        "impersonation": FAIL,  # names this registry's issuer but is not signed by its keys
        "unsupported": ERROR,  # a key type or method form this verifier cannot read
        "malformed-key": FAIL,
        "not-checked": SKIP,
    },
    "key-valid": {
        "ok": PASS,
        "retired": FAIL,  # signed after the key was retired (revoked in the DID document)
        "future": FAIL,  # the proof claims a date in the future
        "before-key": FAIL,  # the proof claims a date before the key existed
        "undated": FAIL,  # the proof gives no date, and the key is limited in time
        "not-checked": SKIP,
    },
    "status": {
        "ok": PASS,
        # Not revoked, according to a list the credential's issuer did not confirm: signed by
        # another issuer with another key, or an unsigned 1EdTechRevocationList (params.why).
        "unconfirmed": WARN,
        "revoked": FAIL,
        "suspended": FAIL,
        "none": SKIP,  # the credential carries no status information
        "unavailable": ERROR,  # a status list (or the companion suspension list) is missing
        "untrusted": ERROR,  # a status list is malformed, unsigned or signed by another key
        "stale": ERROR,  # a status list is past its validUntil
        "unsupported": ERROR,  # a credentialStatus type this verifier cannot read
        "not-checked": SKIP,
    },
    "validity": {
        "ok": PASS,
        "expired": FAIL,
        "not-yet-valid": FAIL,
        "not-checked": SKIP,
    },
    "components": {
        "ok": PASS,
        # Components: a certification's component credentials (evidence) or the credentials a
        # CLR 2.0 ClrCredential embeds (params.kind "embedded"), each listed in params.items.
        "not-in-force": WARN,  # a component credential is revoked, expired, … (listed)
        "none-found": WARN,
        "not-applicable": SKIP,  # not a certification or CLR, or verified as a component
        "not-checked": SKIP,
    },
    # The issuer's public transparency log (C2SP tlog-tiles; registry/transparency.py,
    # verifier/src/tlog.js).
    "log": {
        "logged": PASS,  # in the log, whose signed checkpoint extends what was seen before
        "none": SKIP,  # the issuer keeps (announces) no log
        "not-applicable": SKIP,  # verified as a component
        "not-in-log": FAIL,  # the credential (this file) is not in the issuer's log
        "log-removed": FAIL,  # a log seen here before is no longer announced
        "checkpoint-signature": FAIL,  # the checkpoint is not signed by the log key
        "checkpoint-malformed": FAIL,
        "malformed-proof": FAIL,  # a tlog-proof file that cannot be read
        "log-inconsistent": FAIL,  # the log does not extend the one seen before (rewritten)
        "log-state-invalid": FAIL,  # the log's last state entry is not a proven one
        "status-list-not-latest": ERROR,  # a served status list is older than the log's last
        "status-list-not-logged": ERROR,
        "log-rollback": ERROR,  # an older checkpoint than one seen before
        "log-stale": ERROR,  # the newest checkpoint is older than the maximum age
        "log-undated": ERROR,
        "log-future": ERROR,
        "log-unavailable": ERROR,  # the checkpoint or a tile could not be fetched
        "log-error": ERROR,
        "malformed-key": ERROR,  # the log's key could not be read
        "not-checked": SKIP,
    },
}

#: A failure of one of these means the credential is not what it claims to be.
INTEGRITY_CHECKS: Final = ("format", "signature", "issuer-key", "key-valid")


@dataclass(frozen=True)
class CheckResult:
    """The result of one check: ``id``, stable ``code`` and ``params`` for the message."""

    id: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CODES.get(self.id, {}):
            raise ValueError(f"unknown reason code {self.id}/{self.code}")

    @property
    def outcome(self) -> Outcome:
        """pass, warn, fail, error or skip: implied by the code."""
        return CODES[self.id][self.code]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "code": self.code,
            "params": dict(self.params),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckResult:
        """Read a check back (cache entries); raises ValueError/KeyError/TypeError if malformed."""
        return cls(str(data["id"]), str(data["code"]), dict(data.get("params") or {}))


@dataclass(frozen=True)
class Decision:
    """The report's status and the check (and code) that decided it."""

    status: Status
    check: str | None = None
    code: str | None = None


def decide(checks: Iterable[CheckResult]) -> Decision:
    """The status of a credential from its checks, by codes only.

    invalid (integrity failed, or not yet valid) > error (something could not be checked) >
    revoked > suspended > invalid (the issuer's public log disowns it) > error (status or log
    could not be checked) > expired > verified. Warnings never change the status.
    """
    by_id = {c.id: c for c in checks}

    def failing(outcome: str) -> CheckResult | None:
        return next(
            (by_id[i] for i in INTEGRITY_CHECKS if i in by_id and by_id[i].outcome == outcome),
            None,
        )

    bad = failing(FAIL)
    if bad is not None:
        return Decision("invalid", bad.id, bad.code)
    validity = by_id.get("validity")
    if validity is not None and validity.code == "not-yet-valid":
        return Decision("invalid", "validity", validity.code)
    unknown = failing(ERROR)
    if unknown is not None:
        return Decision("error", unknown.id, unknown.code)
    status = by_id.get("status")
    if status is not None and status.code in ("revoked", "suspended"):
        # A set bit in a list the issuer signed stands even if the log cannot be checked.
        return Decision(status.code, "status", status.code)  # type: ignore[arg-type]
    log = by_id.get("log")
    if log is not None and log.outcome == FAIL:
        # Not in the issuer's public log, or the log was rewritten: not what it claims to be.
        return Decision("invalid", "log", log.code)
    if status is not None and status.outcome == ERROR:
        return Decision("error", "status", status.code)
    if log is not None and log.outcome == ERROR:
        return Decision("error", "log", log.code)
    if validity is not None and validity.code == "expired":
        return Decision("expired", "validity", validity.code)
    if not by_id or any(by_id[i].outcome == SKIP for i in INTEGRITY_CHECKS if i in by_id):
        # Nothing was established (should not happen: a skipped integrity check follows a
        # failure above), so nothing is claimed.
        return Decision("error", None, None)
    return Decision("verified")


@dataclass
class VerificationReport:
    """The result of verifying one credential: its checks and the status decided from them."""

    target: str
    credential_id: str | None
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def decision(self) -> Decision:
        return decide(self.checks)

    @property
    def status(self) -> Status:
        return self.decision.status

    @property
    def ok(self) -> bool:
        """True only for ``verified``: genuine and in force (warnings allowed)."""
        return self.status == "verified"

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def code(self, check_id: str) -> str | None:
        found = self.check(check_id)
        return found.code if found else None


def complete(checks: list[CheckResult], *, because: str) -> list[CheckResult]:
    """``checks`` with every check not yet run appended as ``not-checked`` (in CHECK_IDS order)."""
    done = {c.id for c in checks}
    rest = [CheckResult(i, "not-checked", {"because": because}) for i in CHECK_IDS if i not in done]
    out = checks + rest
    out.sort(key=lambda c: CHECK_IDS.index(c.id))
    return out


__all__ = [
    "CHECK_IDS",
    "CODES",
    "ERROR",
    "FAIL",
    "PASS",
    "SKIP",
    "WARN",
    "CheckResult",
    "Decision",
    "VerificationReport",
    "complete",
    "decide",
]
