"""VC-JWT (OB 3.0 §8.2): a credential secured as a compact JWS, verified into one ProofOutcome.

The twin of ``verifier/src/jwt.js`` (decoding) and the VC-JWT part of ``verifier/src/suites.js``:
RS256 (the OB 3.0 baseline), ES256, ES384 and EdDSA; the key from ``kid`` (resolved like a Data
Integrity verification method) or the ``jwk`` header; the ``vc`` claim (VC 1.1 form) or the
payload itself (VC 2.0 form); the registered claims must agree with the credential. Outcome codes
are the report's, as in :mod:`credstack.crypto.suites`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from datetime import UTC, datetime
from typing import Any, Final

from credstack.crypto.methods import KeyResolver, ResolvedMethod, jwk_method
from credstack.crypto.publickeys import HashName
from credstack.crypto.suites import (
    ASSERTION_METHOD,
    CLAIMS_MISMATCH,
    KEY_TYPE_MISMATCH,
    MALFORMED,
    OK,
    SIGNATURE_MISMATCH,
    UNSUPPORTED_SUITE,
    ProofOutcome,
    key_outcome_code,
)
from credstack.errors import ResolutionError

#: JWS "alg" -> (key algorithm, hash) (RFC 7518 §3.1, RFC 8037 §3.1).
JWT_ALGORITHMS: Final[dict[str, tuple[str, str]]] = {
    "RS256": ("RSA", "SHA-256"),
    "ES256": ("P-256", "SHA-256"),
    "ES384": ("P-384", "SHA-384"),
    "EdDSA": ("Ed25519", "SHA-256"),
}
#: Registered JWT claims (RFC 7519 §4.1) that are not credential properties.
_JWT_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")
#: Refuse tokens larger than this before decoding anything (a baked image holds at most 10 MB).
MAX_JWT_CHARS: Final = 10 * 1024 * 1024


def _b64url_json(part: str) -> Any:
    if not part or "=" in part:
        raise ValueError("not base64url without padding")
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _jwt_outcome(
    code: str,
    message: str,
    *,
    check: str = "signature",
    kid: str | None = None,
    alg: str = "",
    created: datetime | None = None,
    method: ResolvedMethod | None = None,
    **params: str,
) -> ProofOutcome:
    if alg:
        params["alg"] = alg
    return ProofOutcome(
        suite="VC-JWT",
        verification_method=kid,
        created=created,
        code=code,
        params={"detail": message, **params},
        purpose=ASSERTION_METHOD,
        method=method,
        check=check,
    )


def verify_jwt(token: str, resolve_key: KeyResolver) -> tuple[dict[str, Any] | None, ProofOutcome]:
    """Return (the credential a VC-JWT carries, its ProofOutcome); never raises for the token.

    OB 3.0 §8.2.6: the key comes from ``kid`` (resolved with resolve_key; a ``#fragment`` is read
    against ``iss``) or else from the ``jwk`` header; the signature covers
    ``BASE64URL(header) '.' BASE64URL(payload)``. The credential is the ``vc`` claim (VC 1.1
    form, whose missing members are filled from iss/jti/nbf/exp/sub as VC 1.1 §6.3.1 says) or
    the payload without the registered claims (VC 2.0 form). After the signature, §8.2.6.1:
    ``iss`` = issuer id, ``sub`` = credentialSubject.id, ``jti`` = id, ``nbf`` = validFrom
    (issuanceDate), ``exp`` = validUntil (expirationDate), else ``claims-mismatch``. The
    credential is None only when the token cannot be decoded.
    """
    if not isinstance(token, str) or len(token) > MAX_JWT_CHARS:
        return None, _jwt_outcome(MALFORMED, "the VC-JWT is not a string of at most 10 MB")
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None, _jwt_outcome(MALFORMED, "a compact JWS has three dot-separated parts")
    try:
        header, payload = _b64url_json(parts[0]), _b64url_json(parts[1])
        signature = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        if "=" in parts[2]:
            raise ValueError("padding")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None, _jwt_outcome(MALFORMED, "the VC-JWT is not base64url-encoded JSON")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None, _jwt_outcome(MALFORMED, "the JOSE header and payload must be JSON objects")
    credential = _jwt_credential(payload)
    if credential is None:
        return None, _jwt_outcome(MALFORMED, "the JWT carries no credential (vc claim)")
    alg = header.get("alg")
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    created = _numeric_date(payload.get("iat")) or _numeric_date(payload.get("nbf"))
    label = kid or ("jwk" if "jwk" in header else None)

    def result(
        code: str,
        message: str,
        *,
        method: ResolvedMethod | None = None,
        check: str = "signature",
        **params: str,
    ) -> tuple[dict[str, Any], ProofOutcome]:
        outcome = _jwt_outcome(
            code,
            message,
            check=check,
            kid=label,
            alg=str(alg),
            created=created,
            method=method,
            **params,
        )
        return credential, outcome

    if not isinstance(alg, str) or alg not in JWT_ALGORITHMS:
        return result(
            UNSUPPORTED_SUITE,
            f"the JWS algorithm {alg!r} is not one credstack verifies (RS256, ES256, ES384, EdDSA)",
        )
    if "crit" in header:
        return result(UNSUPPORTED_SUITE, "the JOSE header has critical extensions (crit)")
    try:
        if kid is not None:
            issuer = payload.get("iss")
            method_id = issuer + kid if kid.startswith("#") and isinstance(issuer, str) else kid
            method = resolve_key(method_id)
        elif "jwk" in header:
            method = jwk_method(header["jwk"])
        else:
            raise ResolutionError(
                "the JOSE header has neither kid nor jwk: the key would come from the issuer's "
                "profile on the network",
                code="unresolvable",
            )
    except ResolutionError as error:
        return result(key_outcome_code(error), error.message, check="issuer-key")
    wanted, hash_name = JWT_ALGORITHMS[alg]
    if method.key.algorithm != wanted:
        return result(
            KEY_TYPE_MISMATCH,
            f"{alg} needs an {wanted} key, not {method.key.algorithm}",
            method=method,
            algorithm=method.key.algorithm,
        )
    signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
    digest: HashName = "SHA-384" if hash_name == "SHA-384" else "SHA-256"
    if not method.key.verify(signing_input, signature, hash_name=digest):
        return result(
            SIGNATURE_MISMATCH,
            "the content has changed since it was signed, or it was signed with another key",
            method=method,
        )
    mismatch = _claims_mismatch(payload, credential)
    if mismatch is not None:
        claim, message = mismatch
        return result(CLAIMS_MISMATCH, message, method=method, claim=claim)
    return result(OK, "the VC-JWT verifies", method=method)


def jwt_credential(token: str) -> dict[str, Any] | None:
    """The credential a VC-JWT carries, decoded but NOT verified (None when it has none)."""
    parts = token.strip().split(".") if isinstance(token, str) else []
    if len(parts) != 3 or len(token) > MAX_JWT_CHARS:
        return None
    try:
        payload = _b64url_json(parts[1])
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
    return _jwt_credential(payload) if isinstance(payload, dict) else None


def _jwt_credential(payload: dict[str, Any]) -> dict[str, Any] | None:
    if "vc" in payload:
        vc = payload["vc"]
        if not isinstance(vc, dict):
            return None
        credential = copy.deepcopy(vc)
        # VC Data Model 1.1 §6.3.1 (JWT decoding): members the JWT carries as claims only.
        fills = {"iss": "issuer", "jti": "id", "nbf": "issuanceDate", "exp": "expirationDate"}
        for claim, member in fills.items():
            present = (
                member in credential
                or (member == "issuanceDate" and "validFrom" in credential)
                or (member == "expirationDate" and "validUntil" in credential)
            )
            if claim in payload and not present:
                value = payload[claim]
                if claim in ("nbf", "exp"):
                    moment = _numeric_date(value)
                    value = moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else value
                credential[member] = value
        subject = credential.get("credentialSubject")
        if (
            isinstance(subject, dict)
            and "id" not in subject
            and isinstance(payload.get("sub"), str)
        ):
            subject["id"] = payload["sub"]
        return credential
    if "@context" in payload or "credentialSubject" in payload:
        return {k: copy.deepcopy(v) for k, v in payload.items() if k not in _JWT_CLAIMS}
    return None


def _numeric_date(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _claims_mismatch(payload: dict[str, Any], credential: dict[str, Any]) -> tuple[str, str] | None:
    """OB 3.0 §8.2.6.1: the first registered claim that disagrees with the credential."""
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if payload.get("iss") != issuer_id:
        return "iss", f"the JWT iss {payload.get('iss')!r} is not the issuer {issuer_id!r}"
    subject = credential.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    # "sub MUST match credentialSubject.id": checked whenever the JWT has a sub. 1EdTech's own
    # conformance samples omit sub (and its validator accepts them), so a missing sub passes.
    if "sub" in payload and payload["sub"] != subject_id:
        return "sub", f"the JWT sub {payload.get('sub')!r} is not credentialSubject.id"
    if ("jti" in payload or "id" in credential) and payload.get("jti") != credential.get("id"):
        return "jti", f"the JWT jti {payload.get('jti')!r} is not the credential id"
    start = credential.get("validFrom", credential.get("issuanceDate"))
    nbf = _numeric_date(payload.get("nbf"))
    moment = _moment(start)
    if nbf is None or moment is None or int(moment.timestamp()) != int(nbf.timestamp()):
        return "nbf", "the JWT nbf is not the credential's validFrom (issuanceDate)"
    if "exp" in payload:
        end = credential.get("validUntil", credential.get("expirationDate"))
        exp, until = _numeric_date(payload["exp"]), _moment(end)
        if exp is None or until is None or int(until.timestamp()) != int(exp.timestamp()):
            return "exp", "the JWT exp is not the credential's validUntil (expirationDate)"
    return None


__all__ = ["JWT_ALGORITHMS", "MAX_JWT_CHARS", "jwt_credential", "verify_jwt"]
