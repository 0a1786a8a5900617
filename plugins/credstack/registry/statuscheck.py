"""The ``status`` check: status lists verified, and the rule on who may issue them.

Status mechanisms read (:mod:`credstack.model.status`): ``BitstringStatusListEntry`` (W3C
Bitstring Status List v1.0), ``StatusList2021Entry`` (its predecessor) and
``1EdTechRevocationList``; lists may be signed with any suite credstack verifies, or be a
VC-JWT. Each ``credentialStatus`` entry for ``revocation`` or ``suspension`` is read (and
credstack's implied companion suspension list); a bit set in any list makes the credential
revoked or suspended, whatever else is wrong with other lists.

The rule on lists (README, "Verify a credential"):

* **This registry's own credentials** (those naming its issuer): the list must be issued by the
  credential's issuer, signed with a key of its DID document, have the ``id`` of the URL it is
  served at, and hold at least 131,072 bits. Anything else is ``untrusted`` (an error).
* **Other issuers' credentials**: the list must verify (every proof of a supported suite, with a
  key of the list's own issuer). Bitstring Status List §2.1 says the list's issuer "MAY be
  different" from the credential's and leaves trust to the verifier: a list is confirmed when
  its issuer is the credential's issuer (with a key that issuer's DID or did:key confirms) or
  when it is signed with a key that also signed the credential; a bit read from any other
  verified list still counts, but "not revoked" from it is ``unconfirmed`` (a warning naming the
  list's issuer). A list served at a URL other than its ``id`` is the list at the entry's URL
  (DCC and 1EdTech publish such lists); the ``id`` is reported (``params.listId``). Lists
  shorter than the Bitstring minimum of 131,072 bits (DCC publishes 100,000-bit lists) are read:
  the minimum protects holders' privacy, it says nothing about a bit's meaning, so a set bit is
  always "revoked" and an index outside the list is an error. The unsigned 1EdTech revocation
  list is read as served: "revoked" when it lists the credential, otherwise ``unconfirmed``.
* Missing, unreadable, unsigned, tampered, expired or not-yet-valid lists, and lists for another
  purpose, are errors (``unavailable``, ``untrusted``, ``stale``), never "not revoked".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from credstack.errors import CredstackError
from credstack.model.report import CheckResult
from credstack.model.shape import as_list, issuer_id, size_problem
from credstack.model.status import (
    MIN_BITS,
    REVOCATION_LIST_TYPE,
    STATUS_TYPES,
    Bitstring,
    StatusEntry,
    decode_encoded_list,
    format_datetime,
    parse_datetime,
    revoked_in_1edtech_list,
)
from credstack.registry.keyring import KeyResolver
from credstack.registry.proofcheck import CLOCK_SKEW, judge_jwt, judge_proofs

#: Status purposes that say something about validity ("message", "refresh" do not).
VALIDITY_PURPOSES = ("revocation", "suspension")
_LIST_TYPES = {credential: subject for credential, subject in STATUS_TYPES.values()}

#: (event date, reason) of a revocation or suspension, for the verdict: (credential id, purpose).
StatusDetails = Callable[[str, str], tuple[datetime | None, str | None]]


@dataclass(frozen=True)
class StatusListVerdict:
    """A status list credential, verified: its bits, who signed it, or why it cannot be trusted.

    Independent of the credential that points at it (the verifier caches it by content);
    :func:`strict_problem` adds the rules for the registry's own lists.
    """

    code: str  # "ok" | "untrusted"
    detail: str = ""
    purpose: str | None = None  # the first statusPurpose
    purposes: tuple[str, ...] = ()
    valid_from: str | None = None
    valid_until: str | None = None
    encoded: str | None = None
    kind: str | None = None  # BitstringStatusList | StatusList2021
    credential_type: str | None = None
    list_id: str | None = None
    issuer: str | None = None
    keys: tuple[str, ...] = ()  # fingerprints of the keys whose proofs verified
    confirmed: bool = False  # every such key is confirmed by a DID document or did:key

    def bits(self, min_bits: int = MIN_BITS) -> Bitstring:
        """The decoded bitstring; raises StatusError (malformed, too long, or too short)."""
        return decode_encoded_list(self.encoded, kind=self.kind or "", min_bits=min_bits)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StatusListVerdict:
        values = dict(data)
        for name in ("purposes", "keys"):
            values[name] = tuple(values.get(name) or ())
        return cls(**values)


def _untrusted(detail: str) -> StatusListVerdict:
    return StatusListVerdict("untrusted", detail)


def verify_list(doc: Any, keys: KeyResolver) -> StatusListVerdict:
    """Verify a status list credential (JSON, or a VC-JWT string): type, proofs, subject, dates.

    Every proof of a supported suite must verify with a key its issuer controls, valid when it
    signed. Never raises for a bad list.
    """
    try:
        too_large = size_problem(doc) if isinstance(doc, dict) else None
        if too_large:
            return _untrusted(too_large)
        if isinstance(doc, str):
            credential, proof = judge_jwt(doc, keys, None)
            proofs = [proof]
            if credential is None:
                return _untrusted(proof.params.get("detail") or "not a VC-JWT")
            doc = credential
        elif isinstance(doc, dict):
            proofs = judge_proofs(doc, keys, None)
        else:
            return _untrusted("not a JSON object")
        types = as_list(doc.get("type"))
        credential_type = next((t for t in _LIST_TYPES if t in types), None)
        if credential_type is None:
            return _untrusted("it is not a status list credential")
        issuer = issuer_id(doc)
        if issuer is None:
            return _untrusted("it has no issuer")
        supported = [p for p in proofs if p.supported]
        if not supported:
            return _untrusted("it is not signed with a suite credstack verifies")
        bad = next((p for p in supported if p.code != "ok"), None)
        if bad is not None:
            return _untrusted(
                f"its proof does not verify ({bad.code}: {bad.params.get('detail', '')})"
            )
        for proof in supported:
            if proof.created is None:
                continue
            created = parse_datetime(proof.created)
            if proof.retired and created >= parse_datetime(proof.retired):
                return _untrusted("it was signed after its key was retired")
            if proof.key_created and created < parse_datetime(proof.key_created):
                return _untrusted("it claims to be signed before its key existed")
        subject = doc.get("credentialSubject")
        if isinstance(subject, list) and len(subject) == 1:
            subject = subject[0]
        kind = _LIST_TYPES[credential_type]
        if not isinstance(subject, dict) or kind not in as_list(subject.get("type")):
            return _untrusted(f"its subject is not a {kind}")
        purposes = tuple(p for p in as_list(subject.get("statusPurpose")) if isinstance(p, str))
        if not purposes:
            return _untrusted("it has no statusPurpose")
        if not isinstance(subject.get("encodedList"), str):
            return _untrusted("it has no encodedList")
        dates = {}
        for name, fallback in (("validFrom", "issuanceDate"), ("validUntil", "expirationDate")):
            value = doc.get(name, doc.get(fallback))
            if value is not None:
                parse_datetime(value)
            dates[name] = value
        own_id = doc.get("id")
        if own_id is not None and not isinstance(own_id, str):
            return _untrusted("its id is not a string")
    except (CredstackError, KeyError, TypeError, ValueError, RecursionError) as e:
        return _untrusted(e.message if isinstance(e, CredstackError) else str(e))
    return StatusListVerdict(
        "ok",
        purpose=purposes[0],
        purposes=purposes,
        valid_from=dates["validFrom"],
        valid_until=dates["validUntil"],
        encoded=subject["encodedList"],
        kind=kind,
        credential_type=credential_type,
        list_id=own_id,
        issuer=issuer,
        keys=tuple(p.key for p in supported if p.key),
        confirmed=all(p.confirmed for p in supported),
    )


def strict_problem(verdict: StatusListVerdict, url: str, issuer: str) -> str | None:
    """Why a verified list cannot be the registry's own list at ``url`` (None when it can)."""
    if verdict.list_id != url:
        return f"it is the list {verdict.list_id!r}, not {url}"
    if verdict.issuer != issuer:
        return f"it is issued by {verdict.issuer}, not by {issuer}"
    if not verdict.confirmed:
        return "it is not signed with a key of the credential's issuer"
    if verdict.credential_type != "BitstringStatusListCredential":
        return "it is not a BitstringStatusListCredential"
    return None


@dataclass
class StatusContext:
    """What the status check of one credential needs from the verifier."""

    document: Callable[[str], Any]  # the raw document served at a URL (None: not available)
    verdict: Callable[[str], StatusListVerdict | None]  # the verified list at a URL
    bits: Callable[[str, int], Bitstring]  # the decoded list at a URL (min bits); StatusError
    details: StatusDetails
    now: datetime


def status_check(
    *,
    credential_id: str | None,
    issuer: str,
    entries: tuple[StatusEntry, ...],
    unsupported: tuple[str, ...],
    strict: bool,
    credential_keys: frozenset[str],
    context: StatusContext,
) -> CheckResult:
    """The ``status`` check of one credential (see the module's rules)."""
    relevant = [e for e in entries if e.purpose in VALIDITY_PURPOSES]
    if not relevant:
        if unsupported:
            return CheckResult("status", "unsupported", {"types": list(unsupported)})
        return CheckResult("status", "none")
    found: dict[str, bool] = {}
    problem: CheckResult | None = None
    caveat: CheckResult | None = None
    notes: dict[str, Any] = {}
    for entry in relevant:
        url = entry.list_url
        if entry.type == REVOCATION_LIST_TYPE:
            document = context.document(url)
            if document is None:
                problem = problem or CheckResult("status", "unavailable", {"url": url})
                continue
            if strict:
                problem = problem or CheckResult(
                    "status", "untrusted", {"url": url, "detail": "the list is not signed"}
                )
                continue
            try:
                revoked = revoked_in_1edtech_list(document, credential_id or "")
            except CredstackError as e:
                problem = problem or CheckResult(
                    "status", "untrusted", {"url": url, "detail": e.message}
                )
                continue
            found["revocation"] = found.get("revocation", False) or revoked
            caveat = caveat or CheckResult("status", "unconfirmed", {"url": url, "why": "unsigned"})
            continue
        verdict = context.verdict(url)
        if verdict is None:
            problem = problem or CheckResult("status", "unavailable", {"url": url})
            continue
        if verdict.code != "ok":
            problem = problem or CheckResult(
                "status", "untrusted", {"url": url, "detail": verdict.detail}
            )
            continue
        wrong = strict_problem(verdict, url, issuer) if strict else None
        if wrong is None and STATUS_TYPES[entry.type][0] != verdict.credential_type:
            wrong = f"it is a {verdict.credential_type}, not the list a {entry.type} names"
        if wrong is None and entry.purpose not in verdict.purposes:
            wrong = f"it is a {', '.join(verdict.purposes)} list"
        if wrong is not None:
            problem = problem or CheckResult("status", "untrusted", {"url": url, "detail": wrong})
            continue
        if _stale(verdict, context.now):
            problem = problem or CheckResult(
                "status", "stale", {"url": url, "until": verdict.valid_until}
            )
            continue
        try:
            bits = context.bits(url, MIN_BITS if strict else 8)
            bit = bits.get(entry.index if entry.index is not None else -1)
        except CredstackError as e:
            problem = problem or CheckResult(
                "status", "untrusted", {"url": url, "detail": e.message}
            )
            continue
        found[entry.purpose] = found.get(entry.purpose, False) or bit
        if verdict.list_id not in (None, url):
            notes["listId"] = verdict.list_id
        if bits.size < MIN_BITS:
            notes["bits"] = bits.size
        confirmed = (verdict.issuer == issuer and verdict.confirmed) or bool(
            credential_keys & set(verdict.keys)
        )
        if not confirmed:
            caveat = caveat or CheckResult(
                "status",
                "unconfirmed",
                {"url": url, "why": "other-issuer", "listIssuer": verdict.issuer},
            )
    for purpose, code in (("revocation", "revoked"), ("suspension", "suspended")):
        if found.get(purpose):
            date, reason = context.details(credential_id or "", purpose)
            params: dict[str, Any] = {}
            if date is not None:
                params["date"] = format_datetime(date)
            if reason:
                params["reason"] = reason
            return CheckResult("status", code, params)
    if problem is not None:
        return problem
    if unsupported:
        return CheckResult("status", "unsupported", {"types": list(unsupported)})
    if caveat is not None:
        return CheckResult("status", "unconfirmed", {**caveat.params, **notes})
    return CheckResult("status", "ok", notes)


#: A list's dates, parsed once: every credential of a registry names the same few lists.
_list_moment = lru_cache(maxsize=256)(parse_datetime)


def _stale(verdict: StatusListVerdict, now: datetime) -> bool:
    if verdict.valid_until and _list_moment(verdict.valid_until) <= now:
        return True
    return bool(verdict.valid_from and _list_moment(verdict.valid_from) > now + CLOCK_SKEW)


__all__ = [
    "VALIDITY_PURPOSES",
    "StatusContext",
    "StatusDetails",
    "StatusListVerdict",
    "status_check",
    "strict_problem",
    "verify_list",
]
