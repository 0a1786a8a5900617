"""The issuer's DID document (did:web): every key, retired ones included, as Multikey methods."""

from __future__ import annotations

from typing import Any

from credstack.model.program import Program
from credstack.model.status import format_datetime
from credstack.model.urls import SiteUrls

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_document(
    program: Program, *, log: tuple[dict[str, Any], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The DID document to publish at the did:web location of ``program.site_url``.

    Retired keys stay listed (older credentials must keep verifying) with the Multikey
    ``revoked`` date, after which proofs made with them are not accepted. ``log`` is the
    transparency log's (verification method, service): the method is listed, never under
    ``assertionMethod`` (the log key signs checkpoints, not credentials).
    """
    urls = SiteUrls(program.site_url)
    methods = []
    for key in program.issuer.keys:
        method = {
            "id": urls.key_id(key.id),
            "type": "Multikey",
            "controller": urls.issuer_id,
            "publicKeyMultibase": key.public_key_multibase,
        }
        if key.retired_at is not None:
            method["revoked"] = format_datetime(key.retired_at)
        methods.append(method)
    ids = [m["id"] for m in methods]
    doc = {
        "@context": list(DID_CONTEXTS),
        "id": urls.issuer_id,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }
    if log is not None:
        method, service = log
        doc["verificationMethod"] = [*methods, method]
        doc["service"] = [service]
    return doc
