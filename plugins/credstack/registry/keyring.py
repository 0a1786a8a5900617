"""Find the public key behind a proof's ``verificationMethod``, offline.

A :class:`KeyResolver` knows the DID documents it is given (the registry's own, ``--did-document``
files), derives keys from did:key, and reads the ``<url>#<multibase>`` form of the OB 3.0
implementation guide (which nothing but the credential itself vouches for). Failures raise
:class:`ResolutionError` with a ``code`` from the ``issuer-key`` check's vocabulary
(:data:`credstack.model.report.CODES`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credstack.crypto.keys import decode_multikey_public, did_key_document
from credstack.errors import CredstackError, ResolutionError
from credstack.model.status import parse_datetime

#: Verification method types whose ``publicKeyMultibase`` is an Ed25519 Multikey.
ED25519_METHOD_TYPES = ("Multikey", "Ed25519VerificationKey2020")


@dataclass(frozen=True)
class ResolvedKey:
    """An Ed25519 public key, who controls it, its validity limits and where it was found."""

    public_key: bytes
    controller: str
    revoked: datetime | None
    source: str  # "did-document" | "did-key" | "credential"
    #: False when nothing but the credential itself vouches for the key (``<url>#z6Mk…``).
    confirmed: bool = True
    created: datetime | None = None


class KeyResolver:
    """Resolve verification methods against known DID documents and self-describing keys."""

    def __init__(self, did_documents: Iterable[Any] = ()):
        self.documents: dict[str, dict[str, Any]] = {}
        for doc in did_documents:
            if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                self.documents[doc["id"]] = doc
        self.digest = hashlib.sha256(
            json.dumps(self.documents, sort_keys=True).encode()
        ).hexdigest()

    def resolve(self, method_id: Any) -> ResolvedKey:
        """The key for ``method_id``; raises ResolutionError (with a code) explaining why not."""
        if not isinstance(method_id, str) or "#" not in method_id:
            raise ResolutionError(
                f"verificationMethod {method_id!r} is not a key reference", code="unsupported"
            )
        base, fragment = method_id.split("#", 1)
        if base.startswith("did:key:"):
            try:
                document = did_key_document(base)
            except CredstackError as e:
                raise ResolutionError(f"{method_id}: {e.message}", code="malformed-key") from e
            return self._from_document(document, method_id, "did-key")
        if base.startswith("did:"):
            doc = self.documents.get(base)
            if doc is None:
                raise ResolutionError(
                    f"no DID document for {base}",
                    hint="pass the issuer's DID document with --did-document FILE",
                    code="unresolvable",
                )
            return self._from_document(doc, method_id, "did-document")
        if base.startswith(("https://", "http://")) and fragment.startswith("z"):
            try:
                key = decode_multikey_public(fragment)
            except CredstackError as e:
                raise ResolutionError(
                    f"key in {method_id!r} is malformed: {e.message}", code="malformed-key"
                ) from e
            return ResolvedKey(key, base, None, "credential", confirmed=False)
        raise ResolutionError(
            f"unsupported verificationMethod {method_id!r}",
            hint="credstack resolves did:web (with the DID document), did:key and <url>#z6Mk…",
            code="unsupported",
        )

    @staticmethod
    def _from_document(doc: Mapping[str, Any], method_id: str, source: str) -> ResolvedKey:
        did = doc.get("id")

        def absolute(ref: Any) -> Any:
            return f"{did}{ref}" if isinstance(ref, str) and ref.startswith("#") else ref

        def as_list(value: Any) -> list[Any]:
            return value if isinstance(value, list) else ([] if value is None else [value])

        methods = [m for m in as_list(doc.get("verificationMethod")) if isinstance(m, dict)]
        # assertionMethod entries are references or embedded methods (DID Core 5.3).
        assertion = as_list(doc.get("assertionMethod"))
        embedded = [m for m in assertion if isinstance(m, dict)]
        listed = {absolute(m if isinstance(m, str) else m.get("id")) for m in assertion}
        method = next((m for m in methods + embedded if absolute(m.get("id")) == method_id), None)
        if method is None:
            raise ResolutionError(
                f"{method_id} is not in the issuer's DID document", code="not-found"
            )
        if method_id not in listed:
            raise ResolutionError(
                f"{method_id} is not listed under assertionMethod", code="not-assertion"
            )
        if method.get("controller") != did:
            raise ResolutionError(f"{method_id}: controller is not {did}", code="wrong-controller")
        if method.get("type") not in ED25519_METHOD_TYPES:
            raise ResolutionError(
                f"{method_id}: unsupported key type {method.get('type')!r}", code="unsupported"
            )
        try:
            key = decode_multikey_public(method.get("publicKeyMultibase", ""))
        except CredstackError as e:
            raise ResolutionError(f"{method_id}: {e.message}", code="malformed-key") from e
        limits: dict[str, datetime | None] = {}
        for name in ("revoked", "created"):
            value = method.get(name)
            try:
                limits[name] = parse_datetime(value) if value else None
            except ValueError as e:
                raise ResolutionError(
                    f"{method_id}: malformed {name} date {value!r}", code="malformed-key"
                ) from e
        return ResolvedKey(key, str(did), limits["revoked"], source, created=limits["created"])


__all__ = ["KeyResolver", "ResolvedKey"]
