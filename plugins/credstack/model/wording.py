"""The words of a verification report: one sentence per check and the verdict.

Reports carry codes and parameters (:mod:`credstack.model.report`); this module is the one
place that turns them into English for the CLI, the site and the JSON report's ``message`` and
``verdict`` fields. The in-browser verifier renders the same sentences in
``verifier/src/wording.js``. Nothing ever decides on these words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from credstack.model.report import CheckResult, VerificationReport

LABELS: dict[str, str] = {
    "format": "Format",
    "signature": "Signature",
    "issuer-key": "Issuer key",
    "key-valid": "Key valid when signed",
    "status": "Revocation status",
    "validity": "Validity period",
    "components": "Component credentials",
    "log": "Public log",
}

_BECAUSE = {
    "format": "the credential is malformed",
    "signature": "the signature is not valid",
    "key": "the issuer's key is unknown",
    "key-valid": "the key was not valid when it signed",
    "component": "verified as a component",
    "error": "verification stopped by an error",
}


def day(value: Any) -> str:
    """'2026-03-20' from an ISO date-time string (or '?' when there is none)."""
    return value[:10] if isinstance(value, str) and len(value) >= 10 else "?"


def _p(params: Mapping[str, Any], name: str, default: str = "?") -> str:
    value = params.get(name)
    return str(value) if value not in (None, "") else default


def _status_sentence(verb: str, params: Mapping[str, Any]) -> str:
    text = f"{verb} by the issuer"
    if params.get("date"):
        text += f" on {day(params['date'])}"
    if params.get("reason"):
        text += f": {params['reason']}"
    return text


def _not_checked(params: Mapping[str, Any]) -> str:
    because = params.get("because")
    return f"not checked: {_BECAUSE.get(str(because), str(because))}" if because else "not checked"


def _components(params: Mapping[str, Any]) -> str:
    items = params.get("items") or []
    listed = "; ".join(f"{i.get('name')} ({i.get('status')})" for i in items if isinstance(i, dict))
    if params.get("kind") == "embedded":
        return f"embedded credential not verified: {listed}"
    return f"component not in force: {listed}"


#: What a credential of each type is called (format check).
KINDS = {
    "OpenBadgeCredential": "an Open Badges 3.0 credential",
    "AchievementCredential": "an Open Badges 3.0 credential",
    "EndorsementCredential": "an Open Badges 3.0 endorsement",
    "ClrCredential": "a CLR 2.0 credential",
    "BitstringStatusListCredential": "a status list credential",
    "StatusList2021Credential": "a status list credential",
}


def _kind(params: Mapping[str, Any]) -> str:
    text = KINDS.get(str(params.get("type")), "an Open Badges 3.0 credential")
    return text + (" (VC 1.1)" if params.get("vc") == "1.1" else "")


def _method(params: Mapping[str, Any]) -> str:
    """The verification method, or what a VC-JWT's ``jwk`` header is."""
    method = _p(params, "method")
    return "the key in the VC-JWT's header" if method == "jwk" else method


def _signature_ok(params: Mapping[str, Any]) -> str:
    proofs = [p for p in params.get("proofs") or [] if isinstance(p, dict)]
    checked = [p for p in proofs if p.get("code") == "ok"]
    if len(checked) > 1:
        suites = ", ".join(sorted({str(p.get("suite")) for p in checked}))
        text = f"{len(checked)} proofs verify ({suites})"
    elif params.get("suite") == "VC-JWT":
        text = "the VC-JWT's signature verifies"
    else:
        text = f"{_p(params, 'suite')} proof verifies"
    unsupported = params.get("unsupported") or []
    if unsupported:
        names = ", ".join(map(str, unsupported))
        text += f"; not checked: a proof of {names}, a suite credstack does not verify"
    return text


def _status_ok(params: Mapping[str, Any]) -> str:
    notes = []
    if params.get("listId"):
        notes.append(f"the list calls itself {params['listId']}")
    if params.get("bits"):
        notes.append(f"a short list of {params['bits']:,} entries")
    return "; ".join(notes)


def _status_unconfirmed(params: Mapping[str, Any]) -> str:
    if params.get("why") == "unsigned":
        text = f"not revoked, according to an unsigned revocation list ({_p(params, 'url')})"
    else:
        text = (
            f"not revoked, according to a status list signed by {_p(params, 'listIssuer')}, "
            "not by the credential's issuer"
        )
    notes = _status_ok(params)
    return f"{text} ({notes})" if notes else text


_MESSAGES: dict[tuple[str, str], Callable[[Mapping[str, Any]], str]] = {
    ("format", "ok"): _kind,
    ("format", "no-recipient"): lambda p: (
        f"{_kind(p)}, but it names no recipient (neither credentialSubject id nor identifier)"
    ),
    ("signature", "ok"): _signature_ok,
    ("signature", "unsupported-suite"): lambda p: (
        f"it is signed only with a suite credstack does not verify: {_p(p, 'suite')}"
    ),
    ("signature", "key-type-mismatch"): lambda p: (
        f"the proof needs another kind of key than the one it names: {_p(p, 'detail')}"
    ),
    ("signature", "claims-mismatch"): lambda p: (
        f"the VC-JWT's claims contradict the credential it carries: {_p(p, 'detail')}"
    ),
    ("signature", "mismatch"): lambda p: "the content has changed since it was signed",
    ("signature", "bad-purpose"): lambda p: (
        f"the proof purpose is {_p(p, 'purpose')}, not assertionMethod"
    ),
    ("signature", "unknown-context"): lambda p: (
        f"it uses a JSON-LD context this verifier does not know: {_p(p, 'url', _p(p, 'detail'))}"
    ),
    ("issuer-key", "ok"): lambda p: f"{_p(p, 'method')} ({_p(p, 'source')})",
    ("issuer-key", "unconfirmed"): lambda p: (
        f"{_method(p)}: the key is named in the "
        "credential itself; no document of the issuer confirms it"
    ),
    ("issuer-key", "unresolvable"): lambda p: (
        "issuer keys could not be fetched: "
        + _p(p, "detail", f"no DID document for {_p(p, 'did')}")
    ),
    ("issuer-key", "not-found"): lambda p: f"{_p(p, 'method')} is not in the issuer's DID document",
    ("issuer-key", "not-assertion"): lambda p: (
        f"{_p(p, 'method')} is not listed under assertionMethod"
    ),
    ("issuer-key", "wrong-controller"): lambda p: (
        f"{_p(p, 'method')}: controller is {_p(p, 'controller')}, not the DID"
    ),
    ("issuer-key", "not-issuer"): lambda p: (
        f"the key belongs to {_p(p, 'controller')}, not to the issuer {_p(p, 'issuer')}"
    ),
    ("issuer-key", "impersonation"): lambda p: (
        f"not issued by {_p(p, 'name', _p(p, 'issuer'))}: "
        "it names this issuer but is not signed with a key of its DID document"
    ),
    ("key-valid", "ok"): lambda p: f"signed {day(p.get('created'))} while the key was in force",
    ("key-valid", "retired"): lambda p: (
        f"signed {day(p.get('created'))}, after the key was retired on {day(p.get('retired'))}"
    ),
    ("key-valid", "future"): lambda p: f"the proof claims a future date {day(p.get('created'))}",
    ("key-valid", "undated"): lambda p: (
        "the proof does not say when it was signed, and the key is valid only for a period"
    ),
    ("key-valid", "before-key"): lambda p: (
        f"the proof claims {day(p.get('created'))}, before "
        f"the key existed ({day(p.get('keyCreated'))})"
    ),
    ("status", "ok"): lambda p: (
        "not revoked, not suspended (signed status list)"
        + (f"; {_status_ok(p)}" if _status_ok(p) else "")
    ),
    ("status", "unconfirmed"): _status_unconfirmed,
    ("status", "revoked"): lambda p: _status_sentence("revoked", p),
    ("status", "suspended"): lambda p: _status_sentence("suspended", p),
    ("status", "none"): lambda p: "the credential carries no status information",
    ("status", "unavailable"): lambda p: (
        f"revocation status could not be checked: {_p(p, 'url')} is not available"
    ),
    ("status", "untrusted"): lambda p: (
        "revocation status could not be checked: the status "
        f"list {_p(p, 'url')} cannot be trusted: {_p(p, 'detail')}"
    ),
    ("status", "stale"): lambda p: (
        "revocation status could not be checked: the status list "
        f"{_p(p, 'url')} is out of date (valid until {day(p.get('until'))})"
    ),
    ("status", "unsupported"): lambda p: (
        "revocation status could not be checked: status type "
        f"{', '.join(p.get('types') or ['?'])} is not supported"
    ),
    ("validity", "ok"): lambda p: (
        f"valid from {day(p.get('from'))}"
        + (f" until {day(p.get('until'))}" if p.get("until") else ", no expiry")
    ),
    ("validity", "expired"): lambda p: f"expired on {day(p.get('until'))}",
    ("validity", "not-yet-valid"): lambda p: f"not yet valid: valid from {day(p.get('from'))}",
    ("log", "logged"): lambda p: (
        "recorded in the issuer's public log, entry "
        f"{_p(p, 'entry')} of {_p(p, 'size')}"
        + (f", signed on {day(p.get('signedAt'))}" if p.get("signedAt") else "")
    ),
    ("log", "none"): lambda p: "the issuer keeps no public log",
    ("log", "not-applicable"): lambda p: "not checked for a component credential",
    ("log", "not-in-log"): lambda p: (
        "not in the issuer's public log: the issuer never recorded this credential"
    ),
    ("log", "log-removed"): lambda p: (
        "the issuer's public log, seen here before, is no longer published"
    ),
    ("log", "log-inconsistent"): lambda p: (
        "the issuer's public log was rewritten: it does not extend the one seen before"
    ),
    ("log", "log-rollback"): lambda p: (
        "an older state of the issuer's public log is being served than one seen before"
    ),
    ("log", "log-stale"): lambda p: (
        f"the issuer's public log has not been signed recently (last on {day(p.get('signedAt'))})"
    ),
    ("log", "status-list-not-latest"): lambda p: (
        "the status list served is not the latest one the issuer's public log recorded"
    ),
    ("log", "log-unavailable"): lambda p: "the issuer's public log could not be loaded",
    ("components", "ok"): lambda p: (
        f"{_p(p, 'count')} "
        + ("embedded" if p.get("kind") == "embedded" else "component")
        + " credentials verified"
    ),
    ("components", "not-in-force"): _components,
    ("components", "none-found"): lambda p: (
        "the CLR embeds no credential"
        if p.get("kind") == "embedded"
        else "no component credential could be found"
    ),
    ("components", "not-applicable"): lambda p: "not a certification",
}


def message(check: CheckResult) -> str:
    """One sentence for ``check``."""
    render = _MESSAGES.get((check.id, check.code))
    if render is not None:
        return render(check.params)
    if check.code == "not-checked":
        return _not_checked(check.params)
    detail = check.params.get("detail")
    return str(detail) if detail else check.code.replace("-", " ")


def label(check_id: str) -> str:
    return LABELS.get(check_id, check_id)


def verdict(report: VerificationReport) -> str:
    """The verdict sentence: what a visitor reads first."""
    decision = report.decision
    deciding = report.check(decision.check) if decision.check else None
    text = message(deciding) if deciding else ""
    if decision.status == "verified":
        return _verified(report)
    if decision.status == "expired":
        return f"Verified, but {text}"
    if decision.status in ("revoked", "suspended"):
        return text[:1].upper() + text[1:]
    if decision.status == "invalid":
        if decision.check == "signature" and decision.code == "mismatch":
            return "Not verified: the content has changed since it was signed"
        return f"Not verified: {text}"
    if decision.check == "status":
        return f"Signature verified, but {text[:1].lower() + text[1:]}"
    return f"Could not be verified: {text}" if text else "Could not be verified"


def _verified(report: VerificationReport) -> str:
    """ "Verified", with the first warning that limits what it means."""
    if report.code("issuer-key") == "unconfirmed":
        return "Verified, but the signing key is not confirmed by the issuer"
    status = report.check("status")
    if status is not None and status.code == "unconfirmed":
        if status.params.get("why") == "unsigned":
            return "Verified, but the revocation list it names is not signed"
        return "Verified, but the revocation status comes from a list the issuer did not sign"
    if report.code("format") == "no-recipient":
        return "Verified, but it does not name its recipient"
    return "Verified"


def report_json(report: VerificationReport) -> dict[str, Any]:
    """The documented JSON form of a report (``model/schemas/verification-report.schema.json``)."""
    decision = report.decision
    return {
        "reportVersion": 1,
        "target": report.target,
        "id": report.credential_id,
        "status": decision.status,
        "reason": {"check": decision.check, "code": decision.code} if decision.check else None,
        "verdict": verdict(report),
        "ok": report.ok,
        "checks": [
            {**c.to_json(), "label": label(c.id), "message": message(c)} for c in report.checks
        ],
    }


__all__ = ["LABELS", "day", "label", "message", "report_json", "verdict"]
