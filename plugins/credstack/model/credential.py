"""Open Badges 3.0 ``OpenBadgeCredential`` documents: built from the program, read back as views.

Pure data: no signing (``credstack.crypto``), no files (``credstack.registry``). The shapes follow
OB 3.0.3 and the notes in NOTES.md: multi-valued properties are arrays, ``Image.type`` and
``IdentityObject.type`` are strings, no nulls, no empty arrays.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credstack.errors import CredentialError
from credstack.model.assessment import AssessmentRecord
from credstack.model.program import Achievement, Program
from credstack.model.status import (
    companion_list_url,
    format_datetime,
    parse_datetime,
    status_entry,
)
from credstack.model.urls import SiteUrls

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    # Needed because credentialSchema uses 1EdTechJsonSchemaValidator2019 (NOTES: without it
    # strict verifiers fail with "relative @type reference").
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
OB_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
RECIPIENT_URN = "urn:credstack:recipient:"
EMAIL_RE = re.compile(
    r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


def normalize_email(email: str) -> str:
    """The email as credstack hashes it: trimmed, NFC, lower case; CredentialError if malformed."""
    value = unicodedata.normalize("NFC", (email or "").strip()).lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise CredentialError(
            f"{email!r} is not a valid email address",
            hint="give the recipient's address as name@domain.tld",
        )
    return value


def email_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityObject hash: 'sha256$' + hex(sha256(email + salt))."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def recipient_id(issuer_id: str, email: str) -> str:
    """A stable, opaque identifier for one recipient of one issuer (no plain email in it)."""
    digest = hashlib.sha256(f"credstack-recipient\x00{issuer_id}\x00{email}".encode()).hexdigest()
    return RECIPIENT_URN + digest[:32]


#: Characters that change how the text around them is displayed (Unicode bidirectional
#: controls): U+202E makes "gpj.exe" read "exe.jpg".
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
#: Zero-width joiners, allowed between two letters or symbols only (Persian and Indic scripts,
#: emoji sequences need them there; anywhere else they hide a difference).
JOINERS = frozenset("\u200c\u200d")
#: The longest name credstack puts into a credential.
MAX_NAME = 200


def _joined(text: str, i: int) -> bool:
    if i == 0 or i == len(text) - 1:
        return False
    return all(unicodedata.category(text[j])[0] in "LMS" for j in (i - 1, i + 1))


def clean_text(value: str, what: str, *, max_length: int = MAX_NAME, lines: bool = False) -> str:
    """Text that goes into a credential or the status log: NFC, trimmed, visible, bounded.

    Refuses (CredentialError, with the character's position and code point) control characters
    (carriage returns and tabs included; line feeds only with ``lines``), bidirectional controls
    such as U+202E RIGHT-TO-LEFT OVERRIDE, zero-width and other invisible formatting characters
    (zero-width (non-)joiners are allowed between two letters), unassigned and private-use code
    points, empty text and text longer than ``max_length`` characters.
    """
    text = unicodedata.normalize("NFC", value if isinstance(value, str) else "").strip()
    if not text:
        raise CredentialError(f"{what} is empty")
    if len(text) > max_length:
        raise CredentialError(
            f"{what} is {len(text):,} characters long; the limit is {max_length:,}",
            hint=f"shorten {what}",
        )
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        code = f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()
        where = f"{what} contains {code} at character {i + 1}"
        if ch == "\n" and lines:
            continue
        if category == "Cc":
            raise CredentialError(
                f"{where}, a control character",
                hint="remove line breaks, tabs and other control characters (text pasted from "
                "a spreadsheet or a PDF often carries them)"
                + ("" if lines else "; give it on one line"),
            )
        if ch in BIDI_CONTROLS:
            raise CredentialError(
                f"{where}, which changes the direction text is displayed in",
                hint="remove it: it can make the text read differently from what is signed",
            )
        if ch in JOINERS and _joined(text, i):
            continue
        if category in ("Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
            raise CredentialError(
                f"{where}, an invisible or unassigned character",
                hint="remove it (text copied from web pages or documents often carries "
                "zero-width characters): type the text again",
            )
    return text


@dataclass(frozen=True)
class Evidence:
    url: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class AwardRequest:
    """Everything that goes into one credential besides the program."""

    cid: str
    achievement: str
    name: str
    email: str | None  # normalized plain email: hashed here, never stored
    salt: str
    issued_at: datetime
    evidence: tuple[Evidence, ...] = ()
    result: str | None = None
    status_index: int | None = None
    status_list_number: int = 1
    #: (identityHash, salt, recipient id) copied from an earlier credential (renew, reissue):
    #: the registry never knows the plain email after the first award.
    identity: tuple[str, str, str] | None = None
    #: Who assessed the candidate and how; carried as one more evidence entry.
    assessment: AssessmentRecord | None = None


def _image(url: str, caption: str) -> dict[str, Any]:
    return {"id": url, "type": "Image", "caption": caption}


def issuer_profile(program: Program) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile, as embedded in credentials and published at issuer.json."""
    urls = SiteUrls(program.site_url)
    issuer = program.issuer
    profile: dict[str, Any] = {
        "id": urls.issuer_id,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "description": issuer.description,
    }
    if issuer.logo:
        logo = issuer.logo if "://" in issuer.logo else urls.site + issuer.logo.lstrip("/")
        profile["image"] = _image(logo, f"{issuer.name} logo")
    return profile


def result_description_id(program: Program, achievement: Achievement) -> str:
    return SiteUrls(program.site_url).achievement(achievement.id) + "#result"


def achievement_json(program: Program, achievement: Achievement) -> dict[str, Any]:
    """The OB 3.0 Achievement for ``achievement``, with criteria, alignments and image."""
    urls = SiteUrls(program.site_url)
    doc: dict[str, Any] = {
        "id": urls.achievement(achievement.id),
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {
            "id": urls.achievement(achievement.id) + "#criteria",
            "narrative": achievement.criteria,
        },
        "image": _image(urls.achievement_image(achievement.id), f"{achievement.name} badge"),
        "creator": {"id": urls.issuer_id, "type": ["Profile"], "name": program.issuer.name},
        "humanCode": achievement.id,
        "tag": [achievement.level],
    }
    alignments = []
    for comp_id in achievement.competencies:
        comp = program.competencies.get(comp_id)
        if comp is None:
            raise CredentialError(
                f"achievement {achievement.id!r} names unknown competency {comp_id!r}"
            )
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": comp.name,
                "targetDescription": comp.description,
                "targetUrl": urls.competency(comp.id),
                "targetType": "ceasn:Competency",
                "targetFramework": program.issuer.name,
                "targetCode": comp.id,
            }
        )
    if alignments:
        doc["alignment"] = alignments
    assessment = achievement.assessment
    if assessment is not None:
        rd: dict[str, Any] = {
            "id": result_description_id(program, achievement),
            "type": ["ResultDescription"],
            "name": f"{assessment.method.replace('-', ' ').capitalize()}: {assessment.assesses}",
            "resultType": "PerformanceLevel" if assessment.result_scale else "Status",
        }
        if assessment.result_scale:
            rd["allowedValue"] = list(assessment.result_scale)
        else:
            rd["allowedValue"] = ["Completed"]
        doc["resultDescription"] = [rd]
    return doc


def build_credential(program: Program, request: AwardRequest) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for ``request``; raises CredentialError on bad input."""
    urls = SiteUrls(program.site_url)
    achievement = program.achievements.get(request.achievement)
    if achievement is None:
        raise CredentialError(f"unknown achievement {request.achievement!r}")
    name = clean_text(request.name, "the recipient's name")
    if request.identity is not None:
        hashed, salt, recipient = request.identity
    elif request.email is not None:
        email = normalize_email(request.email)
        hashed, salt = email_hash(email, request.salt), request.salt
        recipient = recipient_id(urls.issuer_id, email)
    else:
        raise CredentialError("an award needs the recipient's email")
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": hashed,
                "salt": salt,
            },
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": name,
            },
            {
                "type": "IdentityObject",
                "identityType": "systemId",
                "hashed": False,
                "identityHash": recipient,
            },
        ],
        "achievement": achievement_json(program, achievement),
    }
    if request.result is not None:
        scale = achievement.assessment.result_scale if achievement.assessment else ()
        value = clean_text(request.result, "the result", max_length=100)
        if scale and value not in scale:
            raise CredentialError(
                f"result {value!r} is not on the scale of {achievement.id!r}",
                hint="use one of: " + ", ".join(scale),
            )
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": result_description_id(program, achievement),
                "value": value,
            }
        ]
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": urls.credential(request.cid),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "description": f"{name} holds the {achievement.name} credential of {program.issuer.name}.",
        "issuer": issuer_profile(program),
        "validFrom": format_datetime(request.issued_at),
        "awardedDate": format_datetime(request.issued_at),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if achievement.validity_months:
        credential["validUntil"] = format_datetime(
            add_months(request.issued_at, achievement.validity_months)
        )
    if request.evidence or request.assessment:
        credential["evidence"] = [
            {
                k: v
                for k, v in {
                    "id": e.url,
                    "type": ["Evidence"],
                    "name": e.name,
                    "description": e.description,
                }.items()
                if v is not None
            }
            for e in request.evidence
        ]
        if request.assessment is not None:
            credential["evidence"].append(request.assessment.to_evidence())
    if request.status_index is not None:
        # One status entry (OB 3.0 schema: credentialStatus is a single object); the
        # suspension list with the same index is its companion (see companion_list_url).
        credential["credentialStatus"] = status_entry(
            list_url=urls.status_list("revocation", request.status_list_number),
            purpose="revocation",
            index=request.status_index,
        )
    return credential


def add_months(when: datetime, months: int) -> datetime:
    """``when`` plus whole calendar months, clamped to the last day of the target month."""
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class StatusRef:
    purpose: str
    list_url: str
    index: int
    implied: bool = False  # a companion list not named in the credential itself


@dataclass(frozen=True)
class CredentialView:
    """What the registry needs to know about an issued credential, read from its JSON."""

    id: str  # the credential's URL id
    cid: str  # short id (the folder/file name)
    achievement_url: str
    achievement_type: str
    name: str  # display name of the recipient
    recipient: str | None  # stable recipient id
    issuer_id: str
    valid_from: datetime
    valid_until: datetime | None
    evidence: tuple[Evidence, ...] = ()
    result: str | None = None
    statuses: tuple[StatusRef, ...] = ()
    verification_method: str | None = None
    proof_created: datetime | None = None
    salt: str | None = None
    email_hash: str | None = None
    #: The parsed credential, or None when the view reads it from ``source`` on demand.
    doc: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    #: The credential file's bytes, parsed again each time :attr:`raw` is read (a registry's
    #: snapshot keeps bytes and views, not the millions of objects of its parsed documents).
    source: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def raw(self) -> dict[str, Any]:
        """The credential as JSON (the document, or its file's bytes parsed now)."""
        if self.doc is not None:
            return self.doc
        if self.source is not None:
            parsed = json.loads(self.source)
            return parsed if isinstance(parsed, dict) else {}
        return {}

    def to_record(self) -> dict[str, Any]:
        """Every field but the document, as JSON (a view cached by its file's digest)."""
        return {
            "id": self.id,
            "cid": self.cid,
            "achievement_url": self.achievement_url,
            "achievement_type": self.achievement_type,
            "name": self.name,
            "recipient": self.recipient,
            "issuer_id": self.issuer_id,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "evidence": [[e.url, e.name, e.description] for e in self.evidence],
            "result": self.result,
            "statuses": [[s.purpose, s.list_url, s.index, s.implied] for s in self.statuses],
            "verification_method": self.verification_method,
            "proof_created": self.proof_created.isoformat() if self.proof_created else None,
            "salt": self.salt,
            "email_hash": self.email_hash,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], source: bytes) -> CredentialView:
        """A view from :meth:`to_record` of the credential whose file holds ``source``;
        raises KeyError/TypeError/ValueError when the record is malformed."""

        def when(text: str | None) -> datetime | None:
            return datetime.fromisoformat(text) if text is not None else None

        valid_from = when(record["valid_from"])
        if valid_from is None:
            raise ValueError("no valid_from")
        return cls(
            id=record["id"],
            cid=record["cid"],
            achievement_url=record["achievement_url"],
            achievement_type=record["achievement_type"],
            name=record["name"],
            recipient=record["recipient"],
            issuer_id=record["issuer_id"],
            valid_from=valid_from,
            valid_until=when(record["valid_until"]),
            evidence=tuple(Evidence(u, n, d) for u, n, d in record["evidence"]),
            result=record["result"],
            statuses=tuple(StatusRef(p, u, i, m) for p, u, i, m in record["statuses"]),
            verification_method=record["verification_method"],
            proof_created=when(record["proof_created"]),
            salt=record["salt"],
            email_hash=record["email_hash"],
            source=source,
        )

    @property
    def achievement_id(self) -> str:
        """The achievement's short id (last path segment of its URL)."""
        return self.achievement_url.rstrip("/").rsplit("/", 1)[-1]

    def status(self, purpose: str) -> StatusRef | None:
        return next((s for s in self.statuses if s.purpose == purpose), None)

    @classmethod
    def from_json(
        cls, doc: Any, cid: str | None = None, *, source: bytes | None = None
    ) -> CredentialView:
        """Read the fields credstack relies on; raises CredentialError naming the missing one.

        ``source``: the bytes ``doc`` was parsed from; the view then keeps them instead of
        ``doc`` (and parses them again when :attr:`raw` is read)."""
        if not isinstance(doc, dict):
            raise CredentialError("a credential must be a JSON object")
        try:
            subject = doc["credentialSubject"]
            achievement = subject["achievement"]
            identifiers = subject.get("identifier") or []
            by_type = {i.get("identityType"): i for i in identifiers if isinstance(i, dict)}
            issuer = doc["issuer"]
            issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
            evidence = tuple(
                Evidence(e["id"], e["name"] if "name" in e else e["id"], e.get("description"))
                for e in as_list(doc.get("evidence"))
                if isinstance(e, dict) and "id" in e
            )
            results = [r for r in as_list(subject.get("result")) if isinstance(r, dict)]
            statuses = tuple(
                StatusRef(s["statusPurpose"], s["statusListCredential"], int(s["statusListIndex"]))
                for s in as_list(doc.get("credentialStatus"))
                if isinstance(s, dict) and s.get("type") == "BitstringStatusListEntry"
            )
            purposes = {s.purpose for s in statuses}
            for ref in statuses:
                companion = companion_list_url(ref.list_url, "suspension")
                if ref.purpose == "revocation" and companion and "suspension" not in purposes:
                    statuses += (StatusRef("suspension", companion, ref.index, implied=True),)
            proofs = [p for p in as_list(doc.get("proof")) if isinstance(p, dict)]
            proof = proofs[0] if len(proofs) == 1 else {}
            doc_id = doc["id"]
            name = by_type.get("name", {}).get("identityHash") or achievement.get("name", "")
            email = by_type.get("emailAddress", {})
            return cls(
                id=doc_id,
                cid=cid or doc_id.rstrip("/").rsplit("/", 1)[-1],
                achievement_url=achievement["id"],
                achievement_type=achievement.get("achievementType", ""),
                name=name,
                recipient=by_type.get("systemId", {}).get("identityHash"),
                issuer_id=issuer_id,
                valid_from=parse_datetime(doc["validFrom"]),
                valid_until=parse_datetime(doc["validUntil"]) if doc.get("validUntil") else None,
                evidence=evidence,
                result=results[0].get("value") if results else None,
                statuses=statuses,
                verification_method=proof.get("verificationMethod"),
                proof_created=_created(proof),
                salt=email.get("salt"),
                email_hash=email.get("identityHash"),
                doc=doc if source is None else None,
                source=source,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise CredentialError(
                f"the credential is missing or has a malformed field ({e})",
                hint="is this an OpenBadgeCredential written by credstack?",
            ) from e


def _created(proof: dict[str, Any]) -> datetime | None:
    """The proof's creation date, or None (a malformed one is the signature check's concern)."""
    try:
        return parse_datetime(proof["created"]) if proof.get("created") else None
    except (ValueError, TypeError):
        return None


def as_list(value: Any) -> list[Any]:
    """A JSON value that may be single or an array, as a list (None -> [])."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
