"""The ``format`` check: is this document an Open Badges 3.0 credential we can go on to verify?

These are the structural rules of the OB 3.0 data model (and VC 2.0 §4) that verification
relies on, each with a reason code. The in-browser verifier applies the same rules in the same
order (``verifier/src/shape.js``) so both give the same code on the same input; the full OB 3.0
JSON Schema is applied where credentials are made and by the merge gate.
"""

from __future__ import annotations

import re
from typing import Any

from credstack.errors import CredentialError
from credstack.model.credential import CredentialView, as_list
from credstack.model.report import CheckResult
from credstack.model.status import parse_datetime

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.0\.\d+)?\.json$")
CREDENTIAL_TYPES = ("OpenBadgeCredential", "AchievementCredential")


#: XML Schema dateTimeStamp with a four-digit year from 0001 (what both verifiers can read).
_DATE_TIME = re.compile(r"^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def is_datetime_stamp(value: Any) -> bool:
    """Whether ``value`` is a date-time with a time zone that every verifier reads the same."""
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return False
    try:
        parse_datetime(value)
    except ValueError:
        return False
    return True


def _index_ok(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return re.fullmatch(r"[0-9]+", value) is not None
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, float) and value.is_integer() and value >= 0


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def shape_problems(doc: Any) -> list[tuple[str, str]]:
    """Every (code, detail) the document breaks, in rule order; [] when it is well formed."""
    if not _is_object(doc):
        return [("not-object", "not a JSON object")]
    problems: list[tuple[str, str]] = []
    contexts = as_list(doc.get("@context"))
    if not (
        len(contexts) >= 2
        and contexts[0] == VC_V2
        and isinstance(contexts[1], str)
        and OB_CONTEXT.match(contexts[1])
    ):
        problems.append(("context", "@context must start with the VC 2.0 and OB 3.0 contexts"))
    types = as_list(doc.get("type"))
    if "VerifiableCredential" not in types or not any(t in types for t in CREDENTIAL_TYPES):
        problems.append(("type", "type must include VerifiableCredential and OpenBadgeCredential"))
    if not isinstance(doc.get("id"), str) or not doc["id"]:
        problems.append(("subject", "the credential has no id"))
    issuer = doc.get("issuer")
    if not (_is_object(issuer) and isinstance(issuer.get("id"), str)):
        problems.append(("issuer", "issuer must be a Profile with an id"))
    if not is_datetime_stamp(doc.get("validFrom")):
        problems.append(("dates", "validFrom is missing or not a date-time with a time zone"))
    if "validUntil" in doc and not is_datetime_stamp(doc["validUntil"]):
        problems.append(("dates", "validUntil is not a date-time with a time zone"))
    subject = doc.get("credentialSubject")
    achievement = subject.get("achievement") if _is_object(subject) else None
    if not (_is_object(achievement) and isinstance(achievement.get("id"), str)):
        problems.append(("subject", "credentialSubject.achievement with an id is missing"))
    elif "id" not in subject and not as_list(subject.get("identifier")):
        # OB 3.0 "OpenBadgeCredential Verification" step 1: an id and/or an identifier.
        problems.append(("subject", "credentialSubject has neither id nor identifier"))
    for entry in as_list(doc.get("credentialStatus")):
        if (
            _is_object(entry)
            and entry.get("type") == "BitstringStatusListEntry"
            and not (
                isinstance(entry.get("statusListCredential"), str)
                and re.fullmatch(r"[0-9]+", str(entry.get("statusListIndex", "")))
                and isinstance(entry.get("statusPurpose"), str)
            )
        ):
            problems.append(("status-entry", "a BitstringStatusListEntry cannot be read"))
    if not as_list(doc.get("proof")):
        problems.append(("unsigned", "it carries no proof (unsigned)"))
    if not problems:
        try:
            CredentialView.from_json(doc)
        except CredentialError as e:
            problems.append(("subject", e.message))
    return problems


def format_check(doc: Any) -> CheckResult:
    """The ``format`` check of ``doc``: ``ok``, or the first rule it breaks with every detail."""
    problems = shape_problems(doc)
    if not problems:
        return CheckResult("format", "ok")
    return CheckResult(
        "format",
        problems[0][0],
        {"detail": "; ".join(d for _, d in problems), "problems": [c for c, _ in problems]},
    )


__all__ = ["format_check", "is_datetime_stamp", "shape_problems"]
