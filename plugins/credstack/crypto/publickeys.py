"""Public key material for every suite credstack verifies: Ed25519, ECDSA P-256/P-384, RSA.

One typed value, :class:`PublicKeyMaterial`, so that one key resolver serves Data Integrity
(eddsa-rdfc-2022, Ed25519Signature2020, ecdsa-rdfc-2019) and VC-JWT (RS256, ES256, EdDSA).
Keys come from

* a Multikey ``publicKeyMultibase`` (Controlled Identifiers v1.0 §2.2.2): base58btc of a
  multicodec varint header and the key bytes: ``0xed 0x01`` + 32 bytes (Ed25519, ``z6Mk…``),
  ``0x80 0x24`` + 33-byte compressed point (P-256, ``zDn…``), ``0x81 0x24`` + 49 bytes
  (P-384, ``z82…``); Ed25519VerificationKey2020 uses the same Ed25519 form;
* a JWK (RFC 7517/7518, RFC 8037): ``OKP``/``Ed25519``, ``EC``/``P-256``/``P-384``, ``RSA``.
  A JWK holding private parameters (``d``, ``p``, ...) is refused: it is a secret, not a key to
  publish (OB 3.0 §8.2.2: "The JWK MUST never contain d").

Signatures are raw: Ed25519 64 bytes; ECDSA ``r || s`` (IEEE P1363, as Data Integrity and JOSE
write them); RSA PKCS#1 v1.5. ``cryptography`` and ``nacl`` are used here only.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from credstack.crypto.keys import base58btc_decode, verify_signature
from credstack.errors import KeyFormatError, ResolutionError

Algorithm = Literal["Ed25519", "P-256", "P-384", "RSA"]
HashName = Literal["SHA-256", "SHA-384"]

#: Multicodec varint header -> (algorithm, key length in bytes).
MULTIKEY_HEADERS: dict[bytes, tuple[Algorithm, int]] = {
    b"\xed\x01": ("Ed25519", 32),
    b"\x80\x24": ("P-256", 33),
    b"\x81\x24": ("P-384", 49),
}
#: Multicodec headers of public keys that are well-formed but not verified by credstack.
KNOWN_UNSUPPORTED = {b"\xe7\x01": "secp256k1", b"\xeb\x01": "BLS12-381 G2", b"\xec\x01": "X25519"}
_CURVES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
_COORDINATE_BYTES = {"P-256": 32, "P-384": 48}
_HASHES: dict[str, hashes.HashAlgorithm] = {"SHA-256": hashes.SHA256(), "SHA-384": hashes.SHA384()}
_PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class PublicKeyMaterial:
    """A public key: ``algorithm`` and its bytes (Ed25519 raw 32 bytes; EC an uncompressed SEC1
    point ``04 || x || y``; RSA the DER SubjectPublicKeyInfo), plus the JWK it came from, if any."""

    algorithm: Algorithm
    raw: bytes
    jwk: Mapping[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_multikey(cls, text: Any) -> PublicKeyMaterial:
        """Return the key in a Multikey ``publicKeyMultibase``; raise ResolutionError."""
        if not isinstance(text, str) or not text.startswith("z"):
            raise KeyFormatError(
                "publicKeyMultibase must be a multibase base58btc string ('z...')",
                hint="expected a Multikey such as 'z6Mk...' (Ed25519) or 'zDn...' (P-256)",
            )
        try:
            data = base58btc_decode(text[1:])
        except ValueError as error:
            raise KeyFormatError(f"publicKeyMultibase is not base58btc: {error}") from None
        header = MULTIKEY_HEADERS.get(data[:2])
        if header is None and data[:2] in KNOWN_UNSUPPORTED:
            raise ResolutionError(
                f"the Multikey is a {KNOWN_UNSUPPORTED[data[:2]]} key, which credstack does not "
                "verify",
                hint="credstack verifies Ed25519, P-256 and P-384 keys",
                code="unsupported",
            )
        if header is None:
            raise KeyFormatError(
                f"publicKeyMultibase {text[:8]}... has the multicodec header "
                f"{data[:2].hex() or 'none'}, not an Ed25519, P-256 or P-384 public key",
                hint="credstack verifies Ed25519 (ed01), P-256 (8024) and P-384 (8124) Multikeys",
            )
        algorithm, length = header
        body = data[2:]
        if len(body) != length:
            raise KeyFormatError(
                f"the {algorithm} Multikey holds {len(body)} key bytes, expected {length}"
            )
        if algorithm == "Ed25519":
            return cls("Ed25519", body)
        return cls(algorithm, _ec_point(algorithm, body))

    @classmethod
    def from_jwk(cls, jwk: Any) -> PublicKeyMaterial:
        """Return the key a public JWK describes; raise ResolutionError (private JWKs too)."""
        if not isinstance(jwk, Mapping):
            raise KeyFormatError("a JWK must be a JSON object")
        private = [name for name in _PRIVATE_JWK_MEMBERS if name in jwk]
        if private:
            raise KeyFormatError(
                f"the JWK holds private key material ({', '.join(private)})",
                hint="publish public keys only; this key must be considered compromised",
            )
        kty, crv = jwk.get("kty"), jwk.get("crv")
        if kty == "OKP" and crv == "Ed25519":
            raw = _b64url(jwk.get("x"), "x")
            if len(raw) != 32:
                raise KeyFormatError(f"an Ed25519 JWK 'x' is 32 bytes, got {len(raw)}")
            return cls("Ed25519", raw, dict(jwk))
        if kty == "EC" and crv in _CURVES:
            size = _COORDINATE_BYTES[crv]
            x, y = _b64url(jwk.get("x"), "x"), _b64url(jwk.get("y"), "y")
            if len(x) != size or len(y) != size:
                raise KeyFormatError(f"a {crv} JWK has {size}-byte coordinates")
            algorithm: Algorithm = "P-256" if crv == "P-256" else "P-384"
            return cls(algorithm, _ec_point(algorithm, b"\x04" + x + y), dict(jwk))
        if kty == "RSA":
            n = int.from_bytes(_b64url(jwk.get("n"), "n"), "big")
            e = int.from_bytes(_b64url(jwk.get("e"), "e"), "big")
            if n.bit_length() < _MIN_RSA_BITS or e < 3 or e % 2 == 0:
                raise KeyFormatError(
                    f"the RSA JWK is too weak or malformed ({n.bit_length()} bits, e={e})",
                    hint=f"RS256 keys must have at least {_MIN_RSA_BITS} bits",
                )
            key = rsa.RSAPublicNumbers(e, n).public_key()
            der = key.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            return cls("RSA", der, dict(jwk))
        raise ResolutionError(
            f"unsupported JWK (kty {kty!r}, crv {crv!r})",
            hint="credstack verifies OKP/Ed25519, EC/P-256, EC/P-384 and RSA keys",
            code="unsupported",
        )

    def verify(self, message: bytes, signature: bytes, *, hash_name: HashName = "SHA-256") -> bool:
        """Return whether signature signs message with this key (hash_name for ECDSA and RSA).

        Never raises for a wrong or malformed signature: that is simply False.
        """
        if self.algorithm == "Ed25519":
            return verify_signature(self.raw, message, signature)
        if self.algorithm in _CURVES:
            size = _COORDINATE_BYTES[self.algorithm]
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            key = ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[self.algorithm], self.raw)
            try:
                key.verify(encode_dss_signature(r, s), message, ec.ECDSA(_HASHES[hash_name]))
            except InvalidSignature:
                return False
            return True
        public = serialization.load_der_public_key(self.raw)
        assert isinstance(public, rsa.RSAPublicKey)
        try:
            public.verify(signature, message, padding.PKCS1v15(), _HASHES[hash_name])
        except InvalidSignature:
            return False
        return True


def _b64url(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value or "=" in value:
        raise KeyFormatError(f"the JWK member {name!r} must be base64url without padding")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, binascii.Error):
        raise KeyFormatError(f"the JWK member {name!r} is not base64url") from None


def _ec_point(algorithm: Algorithm, point: bytes) -> bytes:
    """The uncompressed SEC1 form of point; raise ResolutionError if it is not on the curve."""
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[algorithm], point)
    except ValueError:
        raise KeyFormatError(f"the {algorithm} public key is not a point on the curve") from None
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
