"""TEST-ONLY issuers of other kinds than credstack's: fixed keys, did:key identifiers, and
signers for eddsa-rdfc-2022, ecdsa-rdfc-2019 (P-256) and VC-JWT (ES256, EdDSA), so that tests can
make third-party credentials, status lists and proof sets with known answers."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from credstack.crypto.keys import SigningKey, base58btc_encode, encode_multikey_public
from credstack.crypto.proof import create_proof, rdfc_hashes

SIGNED_AT = datetime(2025, 6, 1, tzinfo=UTC)
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class Ed25519Issuer:
    """An issuer whose id is a did:key (Ed25519), signing eddsa-rdfc-2022 proofs."""

    def __init__(self, seed: int):
        self.key = SigningKey.from_seed(bytes([seed]) * 32)
        self.did = "did:key:" + encode_multikey_public(self.key.public_key)
        self.method = f"{self.did}#{self.did[8:]}"

    def sign(self, doc: dict[str, Any], *, created: datetime = SIGNED_AT) -> dict[str, Any]:
        """``doc`` with one more eddsa-rdfc-2022 proof (a proof set when it had one)."""
        unsigned = {k: v for k, v in doc.items() if k != "proof"}
        proof = create_proof(unsigned, self.key, verification_method=self.method, created=created)
        return {**unsigned, "proof": [*_proofs(doc), *proof["proof"]]}

    def jwt(self, credential: dict[str, Any], **claims: Any) -> str:
        """A VC-JWT (EdDSA, kid = the did:key method) carrying ``credential`` (VC 2.0 form)."""
        header = {"alg": "EdDSA", "kid": self.method, "typ": "vc+jwt"}
        payload = {**credential, "iss": self.did, "nbf": _nbf(credential), **claims}
        signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
        return f"{signing_input}.{b64(self.key.sign(signing_input.encode()))}"


class P256Issuer:
    """An issuer whose id is a did:key (P-256), signing ecdsa-rdfc-2019 proofs and ES256 JWTs."""

    def __init__(self, seed: int):
        self.private = ec.derive_private_key(seed + 1000, ec.SECP256R1())
        point = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        multikey = "z" + base58btc_encode(b"\x80\x24" + point)
        self.did = f"did:key:{multikey}"
        self.method = f"{self.did}#{multikey}"

    def _raw(self, data: bytes) -> bytes:
        r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def sign(self, doc: dict[str, Any], *, created: datetime = SIGNED_AT) -> dict[str, Any]:
        """``doc`` with one more ecdsa-rdfc-2019 proof (vc-di-ecdsa §3.3, P-256)."""
        unsigned = {k: v for k, v in doc.items() if k != "proof"}
        options = {
            "type": "DataIntegrityProof",
            "cryptosuite": "ecdsa-rdfc-2019",
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "verificationMethod": self.method,
            "proofPurpose": "assertionMethod",
        }
        hashed = rdfc_hashes(copy.deepcopy(unsigned), options)
        proof = {**options, "proofValue": "z" + base58btc_encode(self._raw(hashed.hash_data))}
        return {**unsigned, "proof": [*_proofs(doc), proof]}

    def jwt(self, credential: dict[str, Any], **claims: Any) -> str:
        """A VC-JWT (ES256, kid = the did:key method) carrying ``credential`` (VC 2.0 form)."""
        header = {"alg": "ES256", "kid": self.method}
        payload = {**credential, "iss": self.did, "nbf": _nbf(credential), **claims}
        signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
        return f"{signing_input}.{b64(self._raw(signing_input.encode()))}"


def _proofs(doc: dict[str, Any]) -> list[Any]:
    proof = doc.get("proof")
    return [] if proof is None else (proof if isinstance(proof, list) else [proof])


def _digits(text: str) -> str:
    import hashlib

    return str(int(hashlib.sha256(text.encode()).hexdigest(), 16))[:12]


def _nbf(credential: dict[str, Any]) -> int:
    moment = datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
    return int(moment.timestamp())


def badge(issuer: str, name: str = "Open Data Practitioner", **extra: Any) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential of another issuer (VC 2.0, OB 3.0.3)."""
    return {
        "@context": [V2, OB],
        "id": f"urn:uuid:5e1c1a55-0000-4000-8000-{_digits(issuer + name)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Open Data Institute (test)"},
        "validFrom": "2025-05-01T00:00:00Z",
        "name": name,
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://odi.example/achievements/practitioner",
                "type": ["Achievement"],
                "name": name,
                "description": "Publishes and maintains open data.",
                "criteria": {"narrative": "Assessed portfolio."},
            },
        },
        **extra,
    }


def status_list(
    issuer: str,
    url: str,
    *,
    revoked: tuple[int, ...] = (),
    bits: int = 131_072,
    kind: str = "BitstringStatusList",
    purpose: str = "revocation",
    list_id: str | None = None,
) -> dict[str, Any]:
    """An unsigned status list credential (Bitstring, or StatusList2021 when kind says so)."""
    import gzip

    data = bytearray(bits // 8)
    for index in revoked:
        data[index // 8] |= 0x80 >> (index % 8)
    packed = b64(gzip.compress(bytes(data), mtime=0))
    bitstring = kind == "BitstringStatusList"
    return {
        "@context": [V2]
        if bitstring
        else [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/vc/status-list/2021/v1",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "id": list_id or url,
        "type": ["VerifiableCredential", f"{kind}Credential"],
        "issuer": issuer,
        **(
            {"validFrom": "2025-01-01T00:00:00Z"}
            if bitstring
            else {"issuanceDate": "2025-01-01T00:00:00Z"}
        ),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": kind,
            "statusPurpose": purpose,
            "encodedList": ("u" + packed) if bitstring else packed,
        },
    }


def entry(
    url: str, index: int, *, kind: str = "BitstringStatusListEntry", purpose: str = "revocation"
) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": kind,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }
