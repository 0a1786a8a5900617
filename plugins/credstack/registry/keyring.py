"""Find the public key behind a proof's ``verificationMethod``, offline, and judge its standing.

A :class:`KeyResolver` knows the DID documents it is given (the registry's own, ``--did-document``
files, a folder of saved documents), derives keys from did:key, and reads the
``<url>#<multibase>`` form of the OB 3.0 implementation guide (which nothing but the credential
itself vouches for). Resolution itself is :func:`credstack.crypto.methods.make_resolver`; this
module adds what a verifier decides about a method found in a DID document: it must be listed
under ``assertionMethod``, controlled by the DID, and its ``created``/``revoked`` dates readable.
Failures raise :class:`ResolutionError` with a ``code`` from the ``issuer-key`` check's vocabulary
(:data:`credstack.model.report.CODES`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credstack.crypto.methods import ResolvedMethod, make_resolver
from credstack.crypto.publickeys import PublicKeyMaterial
from credstack.errors import ResolutionError
from credstack.model.status import parse_datetime

#: Where a key was found (crypto.methods' source -> the report's ``source`` parameter).
SOURCES = {
    "did-document": "did-document",
    "did:key": "did-key",
    "url-fragment": "credential",
    "jwk-header": "credential",
}


@dataclass(frozen=True)
class ResolvedKey:
    """A public key, who controls it, its validity limits and where it was found."""

    public_key: bytes  # the raw key bytes (Ed25519: 32 bytes)
    controller: str | None  # None for a JOSE jwk header: nothing names an owner
    revoked: datetime | None
    source: str  # "did-document" | "did-key" | "credential"
    #: False when nothing but the credential itself vouches for the key (``<url>#z6Mk…``, jwk).
    confirmed: bool = True
    created: datetime | None = None
    material: PublicKeyMaterial | None = None

    @property
    def fingerprint(self) -> str:
        """The key's algorithm and bytes, hex: equal for the same key under any identifier."""
        algorithm = self.material.algorithm if self.material else "Ed25519"
        return f"{algorithm}:{self.public_key.hex()}"


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
        self._resolve = make_resolver(self.documents)

    def method(self, method_id: str) -> ResolvedMethod:
        """The verification method ``method_id`` names; raises ResolutionError (with a code)."""
        return self._resolve(method_id)

    def resolve(self, method_id: Any) -> ResolvedKey:
        """The key for ``method_id``; raises ResolutionError (with a code) explaining why not."""
        return self.standing(self.method(method_id))

    @staticmethod
    def standing(method: ResolvedMethod) -> ResolvedKey:
        """The key of a resolved method, once the verifier's rules on it hold.

        A method from a DID document must be listed under ``assertionMethod`` (``not-assertion``)
        and controlled by the DID (``wrong-controller``); its ``revoked`` and ``created`` dates
        must be date-times (``malformed-key``). Raises ResolutionError.
        """
        source = SOURCES[method.source]
        limits: dict[str, datetime | None] = {"revoked": None, "created": None}
        if method.source == "did-document":
            did = method.id.partition("#")[0]
            if "assertionMethod" not in method.relationships:
                raise ResolutionError(
                    f"{method.id} is not listed under assertionMethod", code="not-assertion"
                )
            if method.controller != did:
                raise ResolutionError(
                    f"{method.id}: controller is not {did}", code="wrong-controller"
                )
            for name in limits:
                value = method.document.get(name)
                try:
                    limits[name] = parse_datetime(value) if value else None
                except ValueError as e:
                    raise ResolutionError(
                        f"{method.id}: malformed {name} date {value!r}", code="malformed-key"
                    ) from e
        return ResolvedKey(
            public_key=method.key.raw,
            controller=method.controller,
            revoked=limits["revoked"],
            source=source,
            confirmed=source in ("did-document", "did-key"),
            created=limits["created"],
            material=method.key,
        )


__all__ = ["KeyResolver", "ResolvedKey"]
