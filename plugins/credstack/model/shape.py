"""The ``format`` check: is this document a credential credstack can go on to verify?

Credentials of VC Data Model 1.1 (``issuanceDate``, ``expirationDate``) and 2.0 (``validFrom``,
``validUntil``) are read, as the OB 3.0 implementation guide requires of displayers:

* Open Badges 3.0 ``OpenBadgeCredential`` / ``AchievementCredential`` and
  ``EndorsementCredential`` (contexts 3.0.0–3.0.3 and the undated one);
* CLR 2.0 ``ClrCredential`` (its embedded credentials are verified one by one, see the
  ``components`` check);
* status list credentials (``BitstringStatusListCredential``, ``StatusList2021Credential``), so
  that a list can be checked on its own.

These are the structural rules verification relies on, each with a reason code. JSON-LD allows
compacted forms (a single object where an array is usual, a string ``issuer``, one
``identifier`` object), and they are read as such, never crashed on. The in-browser verifier
applies the same rules in the same order (``verifier/src/shape.js``); the full OB 3.0 JSON
Schema is applied where credstack makes credentials and by the merge gate.

:func:`credential_facts` reads what the later checks need (issuer, validity window, status
entries, components) from a document that passed the format check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from credstack.errors import StatusError
from credstack.model.report import CheckResult
from credstack.model.status import StatusEntry, companion_list_url, parse_datetime, status_entries

VC_V1: Final = "https://www.w3.org/2018/credentials/v1"
VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.0\.\d+)?\.json$")
CLR_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.0\.\d+)?\.json$")
#: Credential type -> the kind of credential credstack reads it as.
KINDS: Final[dict[str, str]] = {
    "OpenBadgeCredential": "achievement",
    "AchievementCredential": "achievement",
    "EndorsementCredential": "endorsement",
    "ClrCredential": "clr",
    "BitstringStatusListCredential": "status-list",
    "StatusList2021Credential": "status-list",
}
CREDENTIAL_TYPES = tuple(KINDS)
_STATUS_SUBJECTS = ("BitstringStatusList", "StatusList2021")

#: Larger or deeper documents are refused before anything else reads them: canonicalizing a
#: bigger one could take minutes (JSON-LD processors compare every value of an array with the
#: others: 8,000 strings in one array take 17 s in pyld). The largest credential of the corpus
#: holds 553 values, its longest array 6, its deepest value is 11 levels down; a CLR embedding 64
#: credstack credentials holds about 10,000. Both verifiers use the same bounds.
MAX_VALUES: Final = 10_000
MAX_ARRAY: Final = 500
MAX_DEPTH: Final = 64
#: At most this many components (or embedded credentials) are verified, in document order.
MAX_COMPONENTS: Final = 64

#: XML Schema dateTimeStamp with a four-digit year from 0001 (what both verifiers can read).
_DATE_TIME = re.compile(r"^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
#: An absolute IRI: a scheme, then no whitespace (RFC 3987 §2.2, as the proof suites read it).
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


def as_list(value: Any) -> list[Any]:
    """A JSON value that may be single or an array, as a list (None -> [])."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_datetime_stamp(value: Any) -> bool:
    """Whether ``value`` is a date-time with a time zone that every verifier reads the same."""
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return False
    try:
        parse_datetime(value)
    except ValueError:
        return False
    return True


def is_absolute_iri(value: Any) -> bool:
    """Whether ``value`` is a string IRI with a scheme (``https://…``, ``urn:…``, ``did:…``)."""
    return isinstance(value, str) and _ABSOLUTE_IRI.match(value) is not None


def size_problem(doc: Any) -> str | None:
    """Why ``doc`` is too large or too deeply nested to verify (None when it is not)."""
    count, stack = 0, [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            return f"it holds more than {MAX_VALUES:,} JSON values: too large to verify"
        if depth > MAX_DEPTH:
            return f"it is nested more than {MAX_DEPTH} levels deep: too deep to verify"
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            if len(value) > MAX_ARRAY:
                return f"it has an array of more than {MAX_ARRAY} items: too large to verify"
            stack.extend((v, depth + 1) for v in value)
    return None


def credential_kind(doc: Any) -> str | None:
    """achievement, endorsement, clr or status-list (from ``type``); None for anything else."""
    if not isinstance(doc, dict):
        return None
    types = as_list(doc.get("type"))
    if "VerifiableCredential" not in types:
        return None
    return next((KINDS[t] for t in CREDENTIAL_TYPES if t in types), None)


def issuer_id(doc: Any) -> str | None:
    """The issuer's id: the ``issuer`` string itself, or the Profile's ``id``."""
    issuer = doc.get("issuer") if isinstance(doc, dict) else None
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def subject_of(doc: Any) -> Any:
    """The credentialSubject (the first one when given as an array)."""
    subject = doc.get("credentialSubject") if isinstance(doc, dict) else None
    if isinstance(subject, list):
        return subject[0] if len(subject) == 1 else None
    return subject


def _context_problem(contexts: list[Any], kind: str | None) -> str | None:
    if not contexts or contexts[0] not in (VC_V1, VC_V2):
        return "@context must start with the VC 1.1 or VC 2.0 context"
    names = [c for c in contexts if isinstance(c, str)]
    if kind in ("achievement", "endorsement") and not any(OB_CONTEXT.match(c) for c in names):
        return "@context must include an Open Badges 3.0 context"
    if kind == "clr" and not any(CLR_CONTEXT.match(c) for c in names):
        return "@context must include the CLR 2.0 context"
    return None


def _date_problems(doc: dict[str, Any], kind: str | None) -> list[str]:
    problems = []
    start_name = "validFrom" if "validFrom" in doc else "issuanceDate"
    if start_name in doc:
        if not is_datetime_stamp(doc[start_name]):
            problems.append(f"{start_name} is not a date-time with a time zone")
    elif kind != "status-list":
        problems.append("validFrom (issuanceDate in VC 1.1) is missing")
    for name in ("validUntil", "expirationDate"):
        if name in doc and not is_datetime_stamp(doc[name]):
            problems.append(f"{name} is not a date-time with a time zone")
    return problems


def _subject_problems(doc: dict[str, Any], kind: str | None) -> list[tuple[str, str]]:
    subject = subject_of(doc)
    if not isinstance(subject, dict):
        return [("subject", "credentialSubject must be one object")]
    if kind == "achievement":
        achievement = subject.get("achievement")
        if not (isinstance(achievement, dict) and isinstance(achievement.get("id"), str)):
            return [("subject", "credentialSubject.achievement with an id is missing")]
    elif kind == "endorsement":
        if not is_absolute_iri(subject.get("id")):
            return [("subject", "an EndorsementSubject needs the id of what it endorses")]
    elif kind == "clr":
        items = as_list(subject.get("verifiableCredential"))
        if not items or not all(isinstance(i, (dict, str)) for i in items):
            return [("subject", "a ClrSubject needs its verifiableCredential (an array)")]
    elif kind == "status-list" and not (
        any(t in as_list(subject.get("type")) for t in _STATUS_SUBJECTS)
        and isinstance(subject.get("encodedList"), str)
    ):
        return [("subject", "a status list credential needs a list with an encodedList")]
    return []


def shape_problems(doc: Any, *, secured: bool = False) -> list[tuple[str, str]]:
    """Every (code, detail) the document breaks, in rule order; [] when it is well formed.

    ``secured``: the document came out of a VC-JWT, whose signature is its proof.
    """
    if not isinstance(doc, dict):
        return [("not-object", "not a JSON object")]
    too_large = size_problem(doc)
    if too_large:
        return [("unreadable", too_large)]
    problems: list[tuple[str, str]] = []
    kind = credential_kind(doc)
    context = _context_problem(as_list(doc.get("@context")), kind)
    if context:
        problems.append(("context", context))
    if kind is None:
        problems.append(
            ("type", "type must include VerifiableCredential and " + ", ".join(CREDENTIAL_TYPES))
        )
    if ("id" in doc or kind != "status-list") and not is_absolute_iri(doc.get("id")):
        problems.append(("subject", "the credential's id is missing or not an IRI"))
    if not is_absolute_iri(issuer_id(doc)):
        problems.append(("issuer", "issuer must be an IRI or a Profile with an id"))
    problems += [("dates", p) for p in _date_problems(doc, kind)]
    problems += _subject_problems(doc, kind)
    try:
        status_entries(doc)
    except StatusError as e:
        problems.append(("status-entry", f"a credentialStatus entry cannot be read: {e.message}"))
    if not secured and not as_list(doc.get("proof")):
        problems.append(("unsigned", "it carries no proof (unsigned)"))
    return problems


def _names_no_recipient(doc: dict[str, Any]) -> bool:
    """OB 3.0 B.1.2 (AchievementSubject): "Either id or at least one identifier MUST be
    supplied." Many issuers omit both (DCC's credentials do): a warning, not a failure."""
    if credential_kind(doc) not in ("achievement", "clr"):
        return False
    subject = subject_of(doc)
    return (
        isinstance(subject, dict) and "id" not in subject and not as_list(subject.get("identifier"))
    )


def format_check(doc: Any, *, secured: bool = False) -> CheckResult:
    """The ``format`` check of ``doc``: ``ok``, or the first rule it breaks with every detail."""
    problems = shape_problems(doc, secured=secured)
    if problems:
        return CheckResult(
            "format",
            problems[0][0],
            {"detail": "; ".join(d for _, d in problems), "problems": [c for c, _ in problems]},
        )
    types = as_list(doc.get("type"))
    params = {
        "type": next(t for t in CREDENTIAL_TYPES if t in types),
        "vc": "1.1" if as_list(doc.get("@context"))[0] == VC_V1 else "2.0",
    }
    if _names_no_recipient(doc):
        return CheckResult("format", "no-recipient", params)
    return CheckResult("format", "ok", params)


@dataclass(frozen=True)
class Component:
    """A component of a certification (evidence URL) or a credential a CLR embeds."""

    name: str
    url: str | None = None
    embedded: Any = None


@dataclass(frozen=True)
class CredentialFacts:
    """What the checks after the proof read from a credential that passed the format check."""

    id: str | None
    kind: str
    issuer_id: str
    valid_from: datetime | None
    valid_until: datetime | None
    valid_from_text: str | None  # as written (validFrom or issuanceDate)
    valid_until_text: str | None  # as written (validUntil or expirationDate)
    statuses: tuple[StatusEntry, ...]
    unsupported_status: tuple[str, ...]
    achievement_type: str | None
    components: tuple[Component, ...]

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON (the verification cache keeps them beside the proof's result)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "issuer": self.issuer_id,
            "from": self.valid_from_text,
            "until": self.valid_until_text,
            "statuses": [
                [e.type, e.purpose, e.list_url, e.index, e.size, e.implied] for e in self.statuses
            ],
            "unsupported": list(self.unsupported_status),
            "achievementType": self.achievement_type,
            "components": [[c.name, c.url, c.embedded] for c in self.components],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CredentialFacts:
        """Facts read back from :meth:`to_json`; raises KeyError/TypeError/ValueError."""
        start, end = data["from"], data["until"]
        return cls(
            id=data["id"],
            kind=data["kind"],
            issuer_id=data["issuer"],
            valid_from=parse_datetime(start) if start is not None else None,
            valid_until=parse_datetime(end) if end is not None else None,
            valid_from_text=start,
            valid_until_text=end,
            statuses=tuple(
                StatusEntry(t, p, u, i, size, implied)
                for t, p, u, i, size, implied in data["statuses"]
            ),
            unsupported_status=tuple(data["unsupported"]),
            achievement_type=data["achievementType"],
            components=tuple(Component(n, u, e) for n, u, e in data["components"]),
        )


def credential_facts(doc: dict[str, Any]) -> CredentialFacts:
    """The facts of a credential that passed :func:`format_check`; raises ValueError otherwise."""
    kind = credential_kind(doc)
    issuer = issuer_id(doc)
    if kind is None or issuer is None:
        raise ValueError("not a credential credstack reads")
    start = doc.get("validFrom", doc.get("issuanceDate"))
    end = doc.get("validUntil", doc.get("expirationDate"))
    entries, unsupported = status_entries(doc)
    purposes = {e.purpose for e in entries}
    implied = []
    for entry in entries:
        # credstack's companion suspension list (see model.status.companion_list_url).
        companion = companion_list_url(entry.list_url, "suspension")
        if (
            entry.type == "BitstringStatusListEntry"
            and entry.purpose == "revocation"
            and companion
            and "suspension" not in purposes
        ):
            implied.append(
                StatusEntry(entry.type, "suspension", companion, entry.index, implied=True)
            )
    subject = subject_of(doc)
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    achievement_type = achievement.get("achievementType") if isinstance(achievement, dict) else None
    components: list[Component] = []
    if kind == "clr" and isinstance(subject, dict):
        for i, item in enumerate(as_list(subject.get("verifiableCredential"))):
            name = item.get("name") if isinstance(item, dict) else None
            components.append(Component(name if isinstance(name, str) else f"#{i + 1}", None, item))
    elif achievement_type == "Certification":
        for evidence in as_list(doc.get("evidence")):
            if isinstance(evidence, dict) and isinstance(evidence.get("id"), str):
                name = evidence.get("name")
                components.append(
                    Component(name if isinstance(name, str) else evidence["id"], evidence["id"])
                )
    return CredentialFacts(
        id=doc["id"] if isinstance(doc.get("id"), str) else None,
        kind=kind,
        issuer_id=issuer,
        valid_from=parse_datetime(start) if isinstance(start, str) else None,
        valid_until=parse_datetime(end) if isinstance(end, str) else None,
        valid_from_text=start if isinstance(start, str) else None,
        valid_until_text=end if isinstance(end, str) else None,
        statuses=tuple(entries + implied),
        unsupported_status=tuple(sorted(set(unsupported))),
        achievement_type=achievement_type if isinstance(achievement_type, str) else None,
        components=tuple(components[:MAX_COMPONENTS]),
    )


__all__ = [
    "CREDENTIAL_TYPES",
    "Component",
    "CredentialFacts",
    "as_list",
    "credential_facts",
    "credential_kind",
    "format_check",
    "is_absolute_iri",
    "is_datetime_stamp",
    "issuer_id",
    "shape_problems",
]
