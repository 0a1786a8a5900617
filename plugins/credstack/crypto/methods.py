"""Resolving a proof's verification method id to key material: pure, given DID documents.

Nothing here fetches anything. The caller (the registry's resolver, the CLI's
``--did-document``, tests) hands in the DID documents it has; :func:`make_resolver` returns the
``resolve_key`` function that :func:`credstack.crypto.suites.verify_proofs` takes.

Method ids understood:

* ``did:key:<multikey>`` and ``did:key:<multikey>#<multikey>`` (did:key v0.7 §3.1): Ed25519
  (``z6Mk``), P-256 (``zDn``), P-384 (``z82``); a fragment must repeat the key.
* ``did:web:...#frag`` (and any other DID whose document is given): the method is looked up in
  the DID document's ``verificationMethod`` or embedded in a relationship (DID Core §5.3), with
  relative ids (``#key-1``) read against the document's ``id``. Types: ``Multikey`` and
  ``Ed25519VerificationKey2020`` (``publicKeyMultibase``), ``JsonWebKey2020`` and
  ``JsonWebKey`` (``publicKeyJwk``).
* ``https://issuer.example/...#z6Mk...`` (the 1EdTech OB 3.0 guide's form): the key is the
  fragment itself. ``source`` says so, because nothing but the credential vouches for it.

Which relationships list the method (``assertionMethod``, ...) and the method's own JSON (its
``controller``, ``revoked``, ``expires``) are returned, not judged: the verifier decides.

Failures raise :class:`ResolutionError` with a code of the report's ``issuer-key`` check:
``unresolvable`` (the document that holds the key is not at hand: an unknown DID document, a
key on the network), ``not-found`` (the document does not list the method), ``unsupported`` (a
key type or algorithm credstack does not verify), ``malformed-key`` (a key that is not one, or a
verificationMethod that can name no key: no DID, no https URL, no fragment).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from credstack.crypto.publickeys import PublicKeyMaterial
from credstack.errors import KeyFormatError, ResolutionError

Source = Literal["did:key", "did-document", "url-fragment", "jwk-header"]
KeyResolver = Callable[[str], "ResolvedMethod"]

RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)
MULTIBASE_TYPES = ("Multikey", "Ed25519VerificationKey2020")
JWK_TYPES = ("JsonWebKey2020", "JsonWebKey")


@dataclass(frozen=True)
class ResolvedMethod:
    """A verification method and its key: ``id``, ``type``, ``controller`` (None when not
    stated), ``key``, where it came from (``source``), the DID document relationships listing it
    and the method's JSON (``document`` for DID documents; empty otherwise)."""

    id: str
    type: str
    controller: str | None
    key: PublicKeyMaterial
    source: Source
    relationships: frozenset[str] = frozenset()
    document: Mapping[str, Any] = field(default_factory=dict, compare=False)


def did_key_method(method_id: str) -> ResolvedMethod:
    """Return the method of a did:key id (with or without fragment); raise ResolutionError."""
    did, _, fragment = method_id.partition("#")
    multikey = did[len("did:key:") :] if did.startswith("did:key:") else ""
    if not multikey or "/" in multikey or "?" in multikey or ":" in multikey:
        raise KeyFormatError(
            f"{method_id!r} is not a did:key", hint="expected did:key:z6Mk... or did:key:zDn..."
        )
    if fragment and fragment != multikey:
        raise KeyFormatError(
            f"the did:key fragment #{fragment[:12]}... does not repeat the key",
            hint="a did:key verification method is did:key:<key>#<key>",
        )
    key = PublicKeyMaterial.from_multikey(multikey)
    return ResolvedMethod(
        id=f"{did}#{multikey}",
        type="Multikey",
        controller=did,
        key=key,
        source="did:key",
        # did:key v0.7 §3.1.2: the one key is listed under every verification relationship.
        relationships=frozenset(RELATIONSHIPS[:4]),
    )


def url_fragment_method(method_id: str) -> ResolvedMethod:
    """Return the key spelled in an https URL's fragment (``…#z6Mk…``); raise ResolutionError."""
    base, _, fragment = method_id.partition("#")
    if not base.startswith("https://") or not fragment.startswith("z"):
        raise ResolutionError(
            f"{method_id!r} is not an https URL whose fragment is a Multikey",
            hint="the issuer's key is found from a DID (did:web, did:key) or <https-url>#z6Mk...",
            code="unsupported",
        )
    return ResolvedMethod(
        id=method_id,
        type="Multikey",
        controller=base,
        key=PublicKeyMaterial.from_multikey(fragment),
        source="url-fragment",
    )


def method_from_document(method_id: str, document: Mapping[str, Any]) -> ResolvedMethod:
    """Return the method method_id names in a DID document; raise ResolutionError."""
    did = method_id.partition("#")[0]
    if not isinstance(document, Mapping) or document.get("id") != did:
        found = document.get("id") if isinstance(document, Mapping) else None
        raise ResolutionError(
            f"the DID document given for {did} is the document of {found!r}",
            hint="pass the DID document whose id is the DID of the verification method",
            code="unresolvable",
        )

    def absolute(value: Any) -> Any:
        return did + value if isinstance(value, str) and value.startswith("#") else value

    candidates: list[Mapping[str, Any]] = []
    for name in ("verificationMethod", *RELATIONSHIPS):
        for item in _as_list(document.get(name)):
            if isinstance(item, Mapping) and absolute(item.get("id")) == method_id:
                candidates.append(item)
    if not candidates:
        raise ResolutionError(
            f"the DID document of {did} has no verification method {method_id}",
            hint="the issuer may have removed the key, or the credential names a wrong key",
            code="not-found",
        )
    method = candidates[0]
    relationships = frozenset(
        name
        for name in RELATIONSHIPS
        for item in _as_list(document.get(name))
        if absolute(item.get("id") if isinstance(item, Mapping) else item) == method_id
    )
    kind = method.get("type")
    if kind in MULTIBASE_TYPES and "publicKeyMultibase" in method:
        try:
            key = PublicKeyMaterial.from_multikey(method["publicKeyMultibase"])
        except KeyFormatError as error:
            raise ResolutionError(f"{method_id}: {error.message}", code=error.code) from None
        if kind == "Ed25519VerificationKey2020" and key.algorithm != "Ed25519":
            raise ResolutionError(
                f"{method_id} is an Ed25519VerificationKey2020 of another kind",
                code="malformed-key",
            )
    elif kind in JWK_TYPES and "publicKeyJwk" in method:
        key = PublicKeyMaterial.from_jwk(method["publicKeyJwk"])
    else:
        raise ResolutionError(
            f"the verification method {method_id} has type {kind!r} without a key credstack reads",
            hint="supported: Multikey / Ed25519VerificationKey2020 (publicKeyMultibase), "
            "JsonWebKey2020 / JsonWebKey (publicKeyJwk)",
            code="unsupported",
        )
    controller = method.get("controller")
    return ResolvedMethod(
        id=method_id,
        type=str(kind),
        controller=controller if isinstance(controller, str) else None,
        key=key,
        source="did-document",
        relationships=relationships,
        document=dict(method),
    )


def jwk_method(jwk: Mapping[str, Any], *, label: str = "jwk") -> ResolvedMethod:
    """Return a method for a key given inline (a JOSE ``jwk`` header); raise ResolutionError."""
    return ResolvedMethod(
        id=label,
        type="JsonWebKey",
        controller=None,
        key=PublicKeyMaterial.from_jwk(jwk),
        source="jwk-header",
    )


def make_resolver(documents: Mapping[str, Mapping[str, Any]] | None = None) -> KeyResolver:
    """Return resolve_key(method_id) -> ResolvedMethod over the given DID documents (by DID).

    did:key is read from the id itself; other DIDs need their document in ``documents``; an
    https URL with a Multikey fragment gives that key. Everything else raises ResolutionError.
    """
    known = dict(documents or {})

    def resolve_key(method_id: str) -> ResolvedMethod:
        if not isinstance(method_id, str):
            raise ResolutionError(
                "the verification method id is not a string", code="malformed-key"
            )
        if method_id.startswith("did:key:"):
            return did_key_method(method_id)
        if method_id.startswith("did:"):
            did = method_id.partition("#")[0]
            document = known.get(did)
            if document is None:
                method = did.split(":")[1] if did.count(":") >= 2 else "?"
                raise ResolutionError(
                    f"no DID document for {did}",
                    hint="give the issuer's DID document (--did-document)"
                    if method == "web"
                    else f"did:{method} is not a DID method credstack resolves",
                    code="unresolvable",
                )
            return method_from_document(method_id, document)
        if method_id.startswith("https://") and "#z" in method_id:
            return url_fragment_method(method_id)
        if "#" in method_id or method_id.startswith(("https://", "http://")):
            # A key in a document on the network (a controller document, an issuer profile):
            # it may exist, but nothing at hand shows it.
            raise ResolutionError(
                f"the key {method_id!r} is in a document credstack does not have",
                hint="credstack resolves did:key, did:web (with its DID document) and "
                "<https-url>#z6Mk... methods",
                code="unresolvable",
            )
        raise ResolutionError(
            f"the verification method {method_id!r} names no key: it is not a DID URL, an "
            "https URL, or anything with a key fragment",
            hint="a verification method is did:key:..., did:web:...#key or <https-url>#z6Mk...",
            code="malformed-key",
        )

    return resolve_key


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
