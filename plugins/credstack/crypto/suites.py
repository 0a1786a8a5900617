"""Every proof suite credstack verifies, behind one entry point per securing mechanism.

* :func:`verify_proofs` checks each embedded proof of a document (a proof set, or a proof chain
  with ``previousProof``, Data Integrity 1.0 §2.1.2/§4.4) and returns one
  :class:`ProofOutcome` per proof, in document order. An empty list means the document has no
  proof at all.
* :func:`credstack.crypto.jwt.verify_jwt` checks a VC-JWT (a compact JWS, OB 3.0 §8.2) and returns
  the credential it carries with one :class:`ProofOutcome`.

Suites (each checked against its official vectors in tests/unit/crypto/test_suites.py):

=========================  =====================================================================
``eddsa-rdfc-2022``        vc-di-eddsa §3.2; also under its pre-2023 name ``eddsa-2022``
``Ed25519Signature2020``   vc-di-eddsa Appendix (legacy): URDNA2015 of the proof options (with
                           the document's @context) and of the document, SHA-256 each, Ed25519
                           over proofHash || docHash; ``proofValue`` base58btc
``ecdsa-rdfc-2019``        vc-di-ecdsa §3.3 with P-256 (SHA-256) and P-384 (SHA-384); the
                           signature is ``r || s``
VC-JWT                     OB 3.0 §8.2: RS256 (the baseline), ES256, ES384, EdDSA; the key from
                           ``kid`` (resolved) or the ``jwk`` header; ``vc`` claim (VC 1.1 form)
                           or the payload itself (VC 2.0 / OB 3.0.3 form)
=========================  =====================================================================

Every RDFC suite canonicalizes with :mod:`credstack.crypto.canon` (jsonld.js safe mode, shipped
contexts only). A proof of any other suite is reported ``unsupported-suite``, never a pass.

Outcomes speak the verification report's vocabulary (:data:`credstack.model.report.CODES`), so
there is one set of proof codes from the suites to the report, in Python and in the page
(verifier/src/engine.js). An outcome belongs to the ``signature`` check (``ok``, ``mismatch``,
``malformed-proof``, ``bad-purpose``, ``unsafe-jsonld``, ``unknown-context``,
``unsupported-suite``, ``key-type-mismatch``, ``claims-mismatch``) or, when the key could not
be had, to the ``issuer-key`` check (the resolver's code: ``unresolvable``, ``not-found``,
``unsupported``, ``malformed-key``).

``params`` carries what a message needs (``detail`` in English; ``url`` for an unknown context;
``claim`` for a JWT claim; ``alg``). Whether the key belongs to the issuer, and whether it was
valid when it signed, is the caller's decision: the outcome carries the resolved ``method``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from credstack.crypto import canon
from credstack.crypto.keys import base58btc_decode
from credstack.crypto.methods import KeyResolver, ResolvedMethod
from credstack.crypto.proof import parse_datetime, rdfc_hashes
from credstack.crypto.publickeys import HashName
from credstack.errors import (
    CanonicalizationError,
    ProofError,
    ResolutionError,
    UnknownContextError,
)
from credstack.model.report import CODES as REPORT_CODES

Loader = Callable[..., dict[str, Any]]

OK: Final = "ok"
SIGNATURE_MISMATCH: Final = "mismatch"
MALFORMED: Final = "malformed-proof"
UNSUPPORTED_SUITE: Final = "unsupported-suite"
UNSAFE_JSONLD: Final = "unsafe-jsonld"
UNKNOWN_CONTEXT: Final = "unknown-context"
KEY_TYPE_MISMATCH: Final = "key-type-mismatch"
PURPOSE_MISMATCH: Final = "bad-purpose"
CLAIMS_MISMATCH: Final = "claims-mismatch"
#: Every signature outcome code, in the order a report lists them (a subset of the report's).
CODES: Final = (
    OK,
    SIGNATURE_MISMATCH,
    MALFORMED,
    UNSUPPORTED_SUITE,
    UNSAFE_JSONLD,
    UNKNOWN_CONTEXT,
    KEY_TYPE_MISMATCH,
    PURPOSE_MISMATCH,
    CLAIMS_MISMATCH,
)

ASSERTION_METHOD: Final = "assertionMethod"
#: Data Integrity suites: (proof type, cryptosuite) -> (suite name, key algorithms).
_DI_SUITES: dict[tuple[str, str | None], tuple[str, tuple[str, ...]]] = {
    ("DataIntegrityProof", "eddsa-rdfc-2022"): ("eddsa-rdfc-2022", ("Ed25519",)),
    ("DataIntegrityProof", "eddsa-2022"): ("eddsa-2022", ("Ed25519",)),
    ("DataIntegrityProof", "ecdsa-rdfc-2019"): ("ecdsa-rdfc-2019", ("P-256", "P-384")),
    ("Ed25519Signature2020", None): ("Ed25519Signature2020", ("Ed25519",)),
}
_SIGNATURE_BYTES = {"Ed25519": 64, "P-256": 64, "P-384": 96}
_HASH = {"Ed25519": "sha256", "P-256": "sha256", "P-384": "sha384"}
#: Proofs beyond this many are refused unread (each costs a canonicalization).
MAX_PROOFS: Final = 16


@dataclass(frozen=True)
class ProofOutcome:
    """The result for one proof: ``ok`` exactly when ``code == "ok"``.

    ``suite`` is the cryptosuite, proof type or ``VC-JWT``; ``index`` the position in the
    document's proof array (0 for a single proof or a JWT); ``check`` the report check the code
    belongs to (``signature``, or ``issuer-key`` when the key could not be had); ``method`` the
    resolved verification method when the key was found.
    """

    suite: str
    verification_method: str | None
    created: datetime | None
    code: str
    params: Mapping[str, str] = field(default_factory=dict)
    index: int = 0
    purpose: str | None = None
    method: ResolvedMethod | None = field(default=None, compare=False)
    check: str = "signature"

    def __post_init__(self) -> None:
        if self.code not in REPORT_CODES.get(self.check, {}):
            raise ValueError(f"unknown proof outcome {self.check}/{self.code}")

    @property
    def ok(self) -> bool:
        """Whether the proof verified."""
        return self.code == OK

    def to_json(self) -> dict[str, Any]:
        """The outcome as JSON (the shape the in-browser verifier reports too)."""
        return {
            "index": self.index,
            "suite": self.suite,
            "verificationMethod": self.verification_method,
            "created": self.created.isoformat().replace("+00:00", "Z") if self.created else None,
            "ok": self.ok,
            "check": self.check,
            "code": self.code,
            "params": dict(self.params),
        }


def verify_proofs(
    document: Mapping[str, Any],
    resolve_key: KeyResolver,
    *,
    loader: Loader | None = None,
    expected_purpose: str = ASSERTION_METHOD,
) -> list[ProofOutcome]:
    """Return one ProofOutcome per embedded proof of document ([] when it has none).

    Never raises for anything in the document: every problem is an outcome code. resolve_key
    maps a verification method id to a ResolvedMethod or raises ResolutionError
    (:func:`credstack.crypto.methods.make_resolver`). loader defaults to the shipped contexts.
    """
    if not isinstance(document, Mapping) or "proof" not in document:
        return []
    raw = document["proof"]
    proofs = raw if isinstance(raw, list) else [raw]
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return [
        _verify_one(unsecured, proofs, index, resolve_key, loader, expected_purpose)
        for index in range(len(proofs))
    ]


def _outcome(
    suite: str,
    proof: Mapping[str, Any],
    index: int,
    code: str,
    message: str,
    *,
    check: str = "signature",
    **params: str,
) -> ProofOutcome:
    method = proof.get("verificationMethod")
    purpose = proof.get("proofPurpose")
    return ProofOutcome(
        suite=suite,
        verification_method=method if isinstance(method, str) else None,
        created=_created(proof),
        code=code,
        params={"detail": message, **params},
        index=index,
        purpose=purpose if isinstance(purpose, str) else None,
        check=check,
    )


def key_outcome_code(error: ResolutionError) -> str:
    """The issuer-key code of a resolution failure (``unresolvable`` when it has none)."""
    code = error.code or "unresolvable"
    return code if code in REPORT_CODES["issuer-key"] else "unresolvable"


def _created(proof: Mapping[str, Any]) -> datetime | None:
    value = proof.get("created")
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value, "created")
    except ProofError:
        return None


def _verify_one(
    unsecured: dict[str, Any],
    proofs: list[Any],
    index: int,
    resolve_key: KeyResolver,
    loader: Loader | None,
    expected_purpose: str,
) -> ProofOutcome:
    proof = proofs[index]
    if index >= MAX_PROOFS:
        return _outcome(
            "unknown", {}, index, MALFORMED, f"credstack verifies at most {MAX_PROOFS} proofs"
        )
    if not isinstance(proof, Mapping):
        return _outcome("unknown", {}, index, MALFORMED, "the proof is not a JSON object")
    kind = proof.get("type")
    cryptosuite = proof.get("cryptosuite") if kind == "DataIntegrityProof" else None
    known = _DI_SUITES.get((str(kind), cryptosuite if isinstance(cryptosuite, str) else None))
    if known is None:
        name = str(cryptosuite or kind)
        return _outcome(
            name,
            proof,
            index,
            UNSUPPORTED_SUITE,
            f"the proof suite {name} is not one credstack verifies",
            name=name,
        )
    suite, algorithms = known
    # Data Integrity 1.0 §4.4 steps 3-4: required members and the expected purpose.
    for member in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(member), str):
            return _outcome(suite, proof, index, MALFORMED, f"the proof has no string {member}")
    if "created" in proof and _created(proof) is None:
        return _outcome(
            suite,
            proof,
            index,
            MALFORMED,
            "the proof's created is not an XML Schema dateTime with a time zone",
        )
    if proof["proofPurpose"] != expected_purpose:
        return _outcome(
            suite,
            proof,
            index,
            PURPOSE_MISMATCH,
            f"the proof purpose is {proof['proofPurpose']}, expected {expected_purpose}",
            expected=expected_purpose,
        )
    if not canon.is_absolute_iri(proof["verificationMethod"]):
        return _outcome(
            suite, proof, index, MALFORMED, "the verificationMethod is not an absolute IRI"
        )
    signature = _base58_value(proof["proofValue"])
    if signature is None:
        return _outcome(
            suite, proof, index, MALFORMED, "the proofValue is not multibase base58btc ('z...')"
        )
    # Controlled Identifiers 1.0 "Retrieve Verification Method".
    try:
        method = resolve_key(proof["verificationMethod"])
    except ResolutionError as error:
        # Unknown DID document, method not in it, a key type credstack does not read, or a key
        # written in the credential itself (did:key, <url>#z...) that is broken.
        return _outcome(
            suite, proof, index, key_outcome_code(error), error.message, check="issuer-key"
        )
    key = method.key
    if key.algorithm not in algorithms:
        outcome = _outcome(
            suite,
            proof,
            index,
            KEY_TYPE_MISMATCH,
            f"{suite} needs an {' or '.join(algorithms)} key, the method holds "
            f"a {key.algorithm} key",
            algorithm=key.algorithm,
        )
        return _with_method(outcome, method)
    if len(signature) != _SIGNATURE_BYTES[key.algorithm]:
        outcome = _outcome(
            suite,
            proof,
            index,
            MALFORMED,
            f"the proofValue holds {len(signature)} bytes; a {key.algorithm} "
            f"signature is {_SIGNATURE_BYTES[key.algorithm]}",
        )
        return _with_method(outcome, method)
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    document = copy.deepcopy(unsecured)
    if "@context" in options:
        # A proof-level @context (written by some eddsa/ecdsa implementations) must be the start
        # of the document's, and is then the one both are read with.
        own = (
            options["@context"] if isinstance(options["@context"], list) else [options["@context"]]
        )
        doc = unsecured.get("@context")
        doc_list = doc if isinstance(doc, list) else [doc]
        if doc_list[: len(own)] != own:
            return _with_method(
                _outcome(
                    suite,
                    proof,
                    index,
                    MALFORMED,
                    "the proof's @context is not the start of the document's",
                ),
                method,
            )
    previous = proof.get("previousProof")
    if previous is not None:
        # Data Integrity 1.0 §4.4 (proof chains): the proofs named by previousProof are part
        # of what this proof signed.
        wanted = previous if isinstance(previous, list) else [previous]
        chained = [p for p in proofs if isinstance(p, Mapping) and p.get("id") in wanted]
        if len(chained) != len(wanted) or not all(isinstance(w, str) for w in wanted):
            return _with_method(
                _outcome(
                    suite,
                    proof,
                    index,
                    MALFORMED,
                    "previousProof names a proof the document does not have",
                ),
                method,
            )
        document["proof"] = copy.deepcopy(chained[0] if len(chained) == 1 else chained)
    try:
        hashes = rdfc_hashes(
            document,
            options,
            hash_name=_HASH[key.algorithm],
            document_loader=loader,
            proof_path=f"$.proof[{index}]",
        )
    except UnknownContextError as error:
        return _with_method(
            _outcome(suite, proof, index, UNKNOWN_CONTEXT, error.message, url=error.url), method
        )
    except CanonicalizationError as error:
        return _with_method(_outcome(suite, proof, index, UNSAFE_JSONLD, error.message), method)
    digest: HashName = "SHA-384" if key.algorithm == "P-384" else "SHA-256"
    if not key.verify(hashes.hash_data, signature, hash_name=digest):
        return _with_method(
            _outcome(
                suite,
                proof,
                index,
                SIGNATURE_MISMATCH,
                "the content has changed since it was signed, or it was signed with another key",
            ),
            method,
        )
    return _with_method(_outcome(suite, proof, index, OK, "the proof verifies"), method)


def _with_method(outcome: ProofOutcome, method: ResolvedMethod) -> ProofOutcome:
    return ProofOutcome(
        suite=outcome.suite,
        verification_method=outcome.verification_method,
        created=outcome.created,
        code=outcome.code,
        params=outcome.params,
        index=outcome.index,
        purpose=outcome.purpose,
        method=method,
        check=outcome.check,
    )


def _base58_value(text: str) -> bytes | None:
    if not text.startswith("z"):
        return None
    try:
        return base58btc_decode(text[1:])
    except ValueError:
        return None


__all__ = [
    "ASSERTION_METHOD",
    "CODES",
    "MAX_PROOFS",
    "ProofOutcome",
    "key_outcome_code",
    "verify_proofs",
]
