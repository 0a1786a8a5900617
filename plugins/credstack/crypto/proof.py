"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite.

Specifications (section numbers of the W3C Recommendations of 15 May 2025):

* Data Integrity EdDSA Cryptosuites v1.0 (vc-di-eddsa) §3.2 eddsa-rdfc-2022: 3.2.1 Create Proof,
  3.2.2 Verify Proof, 3.2.3 Transformation, 3.2.4 Hashing, 3.2.5 Proof Configuration,
  3.2.6 Proof Serialization, 3.2.7 Proof Verification.
* Verifiable Credential Data Integrity 1.0 (vc-data-integrity) §2.1 Proofs, §4.4 Verify Proof.

Open Badges 3.0 requires ``proof`` to be an array; we write one and accept one (or a bare object,
as the W3C vectors use). Proof sets and chains are refused rather than half-verified.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credstack.crypto import canon
from credstack.crypto.keys import (
    SIGNATURE_BYTES,
    SigningKey,
    base58btc_decode,
    base58btc_encode,
    decode_multikey_public,
    encode_multikey_public,
    verify_signature,
)
from credstack.errors import ProofError, SigningKeyError
from credstack.model.status import DATETIME_STAMP
from credstack.model.status import parse_datetime as parse_datetime_stamp

SUITE = "eddsa-rdfc-2022"
#: "eddsa-2022" is the suite's name in drafts before 2023-11; the algorithm is the same.
ACCEPTED_SUITES = frozenset({"eddsa-rdfc-2022", "eddsa-2022"})
PROOF_TYPE = "DataIntegrityProof"
ASSERTION_METHOD = "assertionMethod"

Loader = Callable[..., dict[str, Any]]

# XML Schema 1.1 dateTimeStamp (Data Integrity 1.0 §2.1: created and expires carry a time zone).
_REQUIRED = ("type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue")
_HINT_RESIGN = "re-issue the credential, or obtain the original from its issuer"


@dataclass(frozen=True)
class DataIntegrityProof:
    """The fields of one eddsa-rdfc-2022 DataIntegrityProof (vc-data-integrity §2.1)."""

    cryptosuite: str
    created: datetime
    verification_method: str
    proof_purpose: str
    proof_value: str
    expires: datetime | None = None
    type: str = PROOF_TYPE

    @classmethod
    def from_json(
        cls, proof: Mapping[str, Any], *, expected_purpose: str = ASSERTION_METHOD
    ) -> DataIntegrityProof:
        """Return the proof parsed from its JSON object; raise ProofError if malformed."""
        if not isinstance(proof, Mapping):
            raise ProofError(
                f"the proof must be a JSON object, not {type(proof).__name__}",
                hint=_HINT_RESIGN,
            )
        missing = [name for name in _REQUIRED if name not in proof]
        if missing:
            raise ProofError(
                f"the proof has no {', '.join(missing)}",
                hint="a DataIntegrityProof needs type, cryptosuite, created, verificationMethod, "
                "proofPurpose and proofValue",
            )
        for name in _REQUIRED:
            if not isinstance(proof[name], str):
                raise ProofError(
                    f"the proof's {name} must be a string, not {type(proof[name]).__name__}",
                    hint=_HINT_RESIGN,
                )
        if proof["type"] != PROOF_TYPE:
            raise ProofError(
                f"the proof type is {proof['type']!r}; credstack verifies {PROOF_TYPE} only",
                hint="Open Badges 3.0 credentials are secured with DataIntegrityProof "
                "(eddsa-rdfc-2022)",
                code="unsupported-suite",
            )
        suite = proof["cryptosuite"]
        if suite not in ACCEPTED_SUITES:
            hint = f"Open Badges 3.0 issuers and displayers use {SUITE}"
            if suite == "eddsa-jcs-2022":
                hint = (
                    "eddsa-jcs-2022 (JSON canonicalization) is not part of Open Badges 3.0; "
                    f"credstack verifies {SUITE} only"
                )
            raise ProofError(
                f"the proof uses the cryptosuite {suite!r}", hint=hint, code="unsupported-suite"
            )
        if proof["proofPurpose"] != expected_purpose:
            # Data Integrity 1.0 §4.4 step 4: a proof made for another purpose proves nothing here.
            raise ProofError(
                f"the proof purpose is {proof['proofPurpose']!r}, expected {expected_purpose!r}",
                hint="credentials are signed for assertionMethod; the key may not be used so",
                code="bad-purpose",
            )
        if not canon.is_absolute_iri(proof["verificationMethod"]):
            raise ProofError(
                f"the verificationMethod {proof['verificationMethod']!r} is not an absolute IRI",
                hint="it names the key, e.g. 'did:web:example.org#key-1'",
            )
        signature = decode_proof_value(proof["proofValue"])
        del signature  # decoded only to validate; the dataclass keeps the text
        created = parse_datetime(proof["created"], "created")
        expires = None
        if "expires" in proof:
            if not isinstance(proof["expires"], str):
                raise ProofError("the proof's expires must be a string", hint=_HINT_RESIGN)
            expires = parse_datetime(proof["expires"], "expires")
        return cls(
            cryptosuite=suite,
            created=created,
            verification_method=proof["verificationMethod"],
            proof_purpose=proof["proofPurpose"],
            proof_value=proof["proofValue"],
            expires=expires,
        )

    def to_json(self) -> dict[str, Any]:
        """Return the proof as its JSON object (field order of the W3C examples)."""
        data: dict[str, Any] = {
            "type": self.type,
            "cryptosuite": self.cryptosuite,
            "created": format_datetime(self.created),
            "verificationMethod": self.verification_method,
            "proofPurpose": self.proof_purpose,
        }
        if self.expires is not None:
            data["expires"] = format_datetime(self.expires)
        data["proofValue"] = self.proof_value
        return data

    @property
    def signature(self) -> bytes:
        """The 64-byte Ed25519 signature carried in proofValue."""
        return decode_proof_value(self.proof_value)


@dataclass(frozen=True)
class ProofHashes:
    """The intermediate values of vc-di-eddsa §3.2.3-3.2.5, exposed for test vectors."""

    canonical_document: str
    canonical_proof_config: str
    document_hash: bytes
    proof_config_hash: bytes

    @property
    def hash_data(self) -> bytes:
        """proofConfigHash || transformedDocumentHash (vc-di-eddsa §3.2.4 step 3): 64 bytes."""
        return self.proof_config_hash + self.document_hash


def proof_hashes(
    document: dict[str, Any],
    proof_options: Mapping[str, Any],
    *,
    document_loader: Loader | None = None,
    proof_path: str = "$.proof",
) -> ProofHashes:
    """Return the canonical forms and hashes that get signed; raise ProofError/Canonicalization.

    proof_path names the proof in error messages.
    """
    # vc-di-eddsa 3.2.5 Proof Configuration.
    # step 1: proofConfig is a clone of the proof options.
    proof_config = dict(proof_options)
    if "proofValue" in proof_config:
        raise ProofError(
            "the proof options contain a proofValue",
            hint="remove proofValue: it is the result of signing, not an input",
        )
    # step 2: the suite must be ours (the transformation, 3.2.3 step 1, checks the same).
    if proof_config.get("type") != PROOF_TYPE or proof_config.get("cryptosuite") not in (
        ACCEPTED_SUITES
    ):
        raise ProofError(
            f"the proof options are for {proof_config.get('type')!r} / "
            f"{proof_config.get('cryptosuite')!r}, not {PROOF_TYPE} / {SUITE}",
            hint=f"credstack creates and verifies {PROOF_TYPE} proofs with {SUITE}",
        )
    # step 3: created, when present, is an XML Schema dateTime.
    if "created" in proof_config:
        created = proof_config["created"]
        if not isinstance(created, str):
            raise ProofError("the proof's created must be a string", hint=_HINT_RESIGN)
        parse_datetime(created, "created")
    return rdfc_hashes(
        document, proof_config, document_loader=document_loader, proof_path=proof_path
    )


def rdfc_hashes(
    document: dict[str, Any],
    proof_config: Mapping[str, Any],
    *,
    hash_name: str = "sha256",
    document_loader: Loader | None = None,
    proof_path: str = "$.proof",
) -> ProofHashes:
    """Return the RDFC-1.0 forms of document and proof configuration and their hashes.

    The transformation and hashing shared by eddsa-rdfc-2022 (vc-di-eddsa §3.2.3-3.2.5),
    ecdsa-rdfc-2019 (vc-di-ecdsa §3.3.3-3.3.5; hash_name "sha384" for P-384) and
    Ed25519Signature2020 (the same steps under the 2020 names). The proof configuration is read
    with the document's @context. Raises CanonicalizationError (UnknownContextError for an
    unshipped context).
    """
    config = dict(proof_config)
    # vc-di-eddsa 3.2.5 step 4: the proof configuration is interpreted with the document's
    # own @context.
    if "@context" in document:
        config["@context"] = document["@context"]
    # 3.2.3 Transformation step 2: RDFC-1.0 canonical N-Quads of the document. (Done before
    # 3.2.5 step 5 only so that a problem in the document is reported first.)
    canonical_document = canon.canonize(
        document, document_loader=document_loader, hash_algorithm=hash_name
    )
    # 3.2.5 step 5: canonicalize the proof configuration with RDFC-1.0.
    canonical_proof_config = canon.canonize(
        config, document_loader=document_loader, json_path=proof_path, hash_algorithm=hash_name
    )
    # 3.2.4 Hashing steps 1-2: SHA-256 (SHA-384 for ecdsa P-384) of each UTF-8 canonical form.
    return ProofHashes(
        canonical_document=canonical_document,
        canonical_proof_config=canonical_proof_config,
        document_hash=hashlib.new(hash_name, canonical_document.encode("utf-8")).digest(),
        proof_config_hash=hashlib.new(hash_name, canonical_proof_config.encode("utf-8")).digest(),
    )


def create_proof(
    document: dict[str, Any],
    key: SigningKey,
    *,
    verification_method: str,
    created: datetime,
    proof_purpose: str = ASSERTION_METHOD,
    document_loader: Loader | None = None,
) -> dict[str, Any]:
    """Return a copy of document with an eddsa-rdfc-2022 proof array; raise CredstackError."""
    if not isinstance(document, dict):
        raise ProofError(
            f"only a JSON object can be signed, not {type(document).__name__}",
            hint="pass the credential as a dict",
        )
    if "proof" in document:
        raise ProofError(
            "the document already has a proof",
            hint="credstack signs each credential once; build the credential again to re-sign",
        )
    if not canon.is_absolute_iri(verification_method):
        raise ProofError(
            f"the verification method {verification_method!r} is not an absolute IRI",
            hint="use the key's id in the issuer's DID document, e.g. 'did:web:example.org#key-1'",
        )
    named = _key_named_by(verification_method)
    if named is not None and named != key.public_key:
        raise SigningKeyError(
            f"the verification method names the key {encode_multikey_public(named)}, but the "
            f"signing key is {key.public_key_multibase}",
            hint="sign with the key the verification method names, or fix the method id",
        )
    # Control characters other than tab/newline/CR are canonicalized differently by older
    # jsonld.js stacks; we never issue them (verification still accepts RDFC-1.0's form).
    canon.check_portable_text(document)
    # vc-di-eddsa 3.2.1 step 1: proof is a clone of the proof options.
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": SUITE,
        "created": format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    # steps 2-4: proof configuration, transformation and hashing.
    hashes = proof_hashes(document, options, document_loader=document_loader)
    # step 5 (3.2.6 Proof Serialization): Ed25519 over hashData, 64 bytes.
    signature = key.sign(hashes.hash_data)
    # step 6: proofValue is the multibase base58btc of the signature.
    proof = {**options, "proofValue": "z" + base58btc_encode(signature)}
    # Data Integrity "add proof": a new document; OB 3.0 requires proof to be an array.
    signed = copy.deepcopy(document)
    signed["proof"] = [proof]
    return signed


def split_proof(
    document: dict[str, Any], *, expected_purpose: str = ASSERTION_METHOD
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (unsecured document, its one DataIntegrityProof object); raise ProofError."""
    if not isinstance(document, dict):
        raise ProofError(
            f"a credential is a JSON object, not {type(document).__name__}",
            hint="pass the parsed credential JSON",
        )
    if "proof" not in document:
        raise ProofError(
            "the credential has no proof: it was never signed",
            hint="only signed credentials can be verified; ask the issuer for the signed one",
            code="unsigned",
        )
    proofs = document["proof"]
    if isinstance(proofs, list):
        if not proofs:
            raise ProofError("the credential's proof array is empty", hint=_HINT_RESIGN)
        if len(proofs) > 1:
            raise ProofError(
                f"the credential has {len(proofs)} proofs; credstack verifies exactly one",
                hint="proof sets and chains are not used by Open Badges 3.0 issuers",
            )
        proof = proofs[0]
    else:
        proof = proofs
    DataIntegrityProof.from_json(proof, expected_purpose=expected_purpose)
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return copy.deepcopy(unsecured), copy.deepcopy(dict(proof))


def verify_proof(
    document: dict[str, Any],
    public_key: bytes,
    *,
    document_loader: Loader | None = None,
    expected_purpose: str = ASSERTION_METHOD,
) -> DataIntegrityProof:
    """Return the verified proof of document; raise ProofError, CanonicalizationError."""
    if not isinstance(public_key, (bytes, bytearray)) or len(public_key) != 32:
        raise SigningKeyError(
            f"an Ed25519 public key is 32 bytes, got {_multikey_or_length(public_key)}",
            hint="decode the issuer's publicKeyMultibase with decode_multikey_public()",
        )
    # vc-di-eddsa 3.2.2 step 1: the unsecured document is the document without its proof;
    # Data Integrity 1.0 §4.4 steps 3-4 (required fields, purpose) happen in split_proof.
    unsecured, proof = split_proof(document, expected_purpose=expected_purpose)
    parsed = DataIntegrityProof.from_json(proof, expected_purpose=expected_purpose)
    # step 2: proof options are the proof without proofValue.
    proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
    # step 3: proofBytes, decoded from multibase base58btc.
    proof_bytes = parsed.signature
    # A proof may carry its own @context (eddsa-jcs-2022 §3.3.2 step 4 writes one). It must then
    # be the start of the document's, or the two would be read with different vocabularies.
    if "@context" in proof_options:
        _check_proof_context(proof_options["@context"], unsecured.get("@context"))
    named = _key_named_by(parsed.verification_method)
    if named is not None and named != bytes(public_key):
        raise ProofError(
            f"the proof was made with the key {encode_multikey_public(named)}, not with the "
            f"key given ({_multikey_or_length(public_key)})",
            code="mismatch",
            hint="verify with the key the issuer publishes for this verification method",
        )
    # steps 4-6: transformation, proof configuration and hashing.
    proof_path = "$.proof[0]" if isinstance(document["proof"], list) else "$.proof"
    hashes = proof_hashes(
        unsecured, proof_options, document_loader=document_loader, proof_path=proof_path
    )
    # step 7 (3.2.7 Proof Verification): Ed25519 verification of hashData.
    if not verify_signature(public_key, hashes.hash_data, proof_bytes):
        raise ProofError(
            "the content has changed since it was signed",
            code="mismatch",
            hint="the signature does not match this credential: it was altered after issuing, "
            "or it was signed with another key; obtain the original from its issuer",
        )
    return parsed


def decode_proof_value(text: str) -> bytes:
    """Return the 64-byte signature in a proofValue ('z' + base58btc); raise ProofError."""
    if not isinstance(text, str) or not text.startswith("z"):
        raise ProofError(
            "the proofValue is not multibase base58btc (it must start with 'z')",
            hint=_HINT_RESIGN,
        )
    try:
        signature = base58btc_decode(text[1:])
    except ValueError as error:
        raise ProofError(
            f"the proofValue is not valid base58btc: {error}", hint=_HINT_RESIGN
        ) from None
    if len(signature) != SIGNATURE_BYTES:
        raise ProofError(
            f"the proofValue holds {len(signature)} bytes; an Ed25519 signature is "
            f"{SIGNATURE_BYTES}",
            hint=_HINT_RESIGN,
        )
    return signature


def format_datetime(moment: datetime) -> str:
    """Return moment as an XML Schema dateTimeStamp in UTC, to the second; raise ProofError."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ProofError(
            f"{moment!r} has no time zone",
            hint="pass an aware datetime, e.g. datetime.now(UTC)",
        )
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str, field: str) -> datetime:
    """Return the aware datetime of an XML Schema dateTimeStamp; raise ProofError otherwise.

    The proof's side of :func:`credstack.model.status.parse_datetime`, the one parser.
    """
    if not isinstance(text, str) or not DATETIME_STAMP.match(text):
        raise ProofError(
            f"the proof's {field} {text!r} is not an XML Schema dateTime with a time zone",
            hint="write it like 2024-05-01T12:00:00Z",
        )
    try:
        return parse_datetime_stamp(text)
    except ValueError as error:
        raise ProofError(
            f"the proof's {field} {text!r} is not a valid date and time: {error}",
            hint="write it like 2024-05-01T12:00:00Z",
        ) from None


def _check_proof_context(proof_context: Any, document_context: Any) -> None:
    proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
    document_list = document_context if isinstance(document_context, list) else [document_context]
    if document_list[: len(proof_list)] != proof_list:
        raise ProofError(
            "the proof's @context is not the start of the credential's @context",
            hint="the proof and the credential must be read with the same contexts",
        )


def _key_named_by(verification_method: str) -> bytes | None:
    """The Ed25519 key a method id spells out ('#z6Mk...' or did:key), if it spells one."""
    candidate = verification_method.rsplit("#", 1)[-1]
    if candidate.startswith("did:key:"):
        candidate = candidate[len("did:key:") :]
    if not candidate.startswith("z6Mk"):
        return None
    try:
        return decode_multikey_public(candidate)
    except SigningKeyError:
        return None


def _multikey_or_length(public_key: Any) -> str:
    try:
        return encode_multikey_public(public_key)
    except SigningKeyError:
        if isinstance(public_key, (bytes, bytearray)):
            return f"{len(public_key)} bytes"
        return type(public_key).__name__
