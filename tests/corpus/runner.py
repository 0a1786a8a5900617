"""Run the corpus through the Python proof suites; also computes each file's shape.

Used by tests/unit/crypto/test_corpus.py (expectations and parity with the JS verifier) and by
tests/corpus/table.py. Nothing here touches the network: DID documents and status lists come
from manifest.json's ``documents``; contexts are the shipped ones plus the two test-only
contexts of the W3C vectors (tests/vectors/contexts/).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from credstack.crypto.contexts import context_bundle, make_document_loader
from credstack.crypto.jwt import verify_jwt
from credstack.crypto.methods import KeyResolver, make_resolver
from credstack.crypto.suites import ProofOutcome, verify_proofs
from credstack.errors import CredentialError
from credstack.model.baking import extract_payload

HERE = Path(__file__).resolve().parent
VECTOR_CONTEXTS = HERE.parent / "vectors" / "contexts"
VERIFIER = HERE.parents[1] / "verifier"
TEST_ONLY_CONTEXTS = {
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://w3id.org/citizenship/v4rc1": "citizenship-v4rc1.jsonld",
}


@cache
def manifest() -> dict[str, Any]:
    """The parsed manifest.json."""
    data: dict[str, Any] = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    return data


def test_contexts() -> dict[str, Any]:
    """The test-only contexts the W3C vectors use (never shipped)."""
    return {
        url: json.loads((VECTOR_CONTEXTS / name).read_text(encoding="utf-8"))
        for url, name in TEST_ONLY_CONTEXTS.items()
    }


def node_ready() -> bool:
    """Whether node and the verifier's node_modules (npm ci) are here for the JS side."""
    return shutil.which("node") is not None and (VERIFIER / "node_modules").is_dir()


def run_node(script: str, folder: Path, *, timeout: int) -> list[dict[str, Any]]:
    """Run ``verifier/test-support/<script>`` over the whole corpus (the manifest, and the
    shipped plus test-only contexts written to ``folder``): one JSON object a file."""
    bundle = folder / "contexts.json"
    bundle.write_text(json.dumps({**context_bundle(), **test_contexts()}), encoding="utf-8")
    result = subprocess.run(
        ["node", f"test-support/{script}", str(HERE / "manifest.json"), str(bundle)],
        cwd=VERIFIER,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


@cache
def loader() -> Any:
    """A document loader: shipped contexts plus the test-only ones."""
    return make_document_loader(test_contexts())


def documents() -> dict[str, dict[str, Any]]:
    """DID and URL -> the saved document (DID documents and status lists)."""
    return {
        key: json.loads((HERE / entry["file"]).read_text(encoding="utf-8"))
        for key, entry in manifest()["documents"].items()
    }


@cache
def resolver() -> KeyResolver:
    """resolve_key over the saved DID documents."""
    dids = {key: doc for key, doc in documents().items() if key.startswith("did:")}
    return make_resolver(dids)


@dataclass(frozen=True)
class Loaded:
    """A corpus file read: the credential (None if unreadable), its VC-JWT, or the error."""

    credential: dict[str, Any] | None
    token: str | None
    where: str
    error: str | None = None


def load(entry: dict[str, Any]) -> Loaded:
    """Read one corpus file (JSON, VC-JWT, baked PNG/SVG)."""
    data = (HERE / entry["file"]).read_bytes()
    try:
        payload = extract_payload(data)
    except CredentialError as error:
        return Loaded(None, None, "file", str(error))
    if payload.kind == "jwt":
        return Loaded(_jwt_credential(payload.token or ""), payload.token, payload.where)
    return Loaded(payload.credential, None, payload.where)


def _jwt_credential(token: str) -> dict[str, Any] | None:
    try:
        body = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError):
        return None
    vc = claims.get("vc", claims) if isinstance(claims, dict) else None
    return vc if isinstance(vc, dict) else None


def outcomes(entry: dict[str, Any]) -> list[ProofOutcome] | None:
    """The proof outcomes of one corpus file; None when it cannot be read at all."""
    loaded = load(entry)
    if loaded.token is not None:
        return [verify_jwt(loaded.token, resolver())[1]]
    if loaded.credential is None:
        return None
    return verify_proofs(loaded.credential, resolver(), loader=loader())


def codes(entry: dict[str, Any]) -> list[str] | None:
    """The outcome codes of one corpus file, in proof order (None: unreadable)."""
    result = outcomes(entry)
    return None if result is None else [o.code for o in result]


def entries(kind: str | None = None) -> Iterator[dict[str, Any]]:
    """The manifest's credential entries (optionally one kind)."""
    for entry in manifest()["credentials"]:
        if kind is None or entry["kind"] == kind:
            yield entry


# --- shape --------------------------------------------------------------------------------------

_OB = "https://purl.imsglobal.org/spec/ob/v3p0/context"


def shape(entry: dict[str, Any]) -> dict[str, Any]:
    """The file's shape: VC version, OB context, proof suites, key types, status types, format."""
    loaded = load(entry)
    credential = loaded.credential or {}
    contexts = credential.get("@context")
    context_list = contexts if isinstance(contexts, list) else [contexts]
    vc = (
        "1.1"
        if "https://www.w3.org/2018/credentials/v1" in context_list
        else ("2.0" if "https://www.w3.org/ns/credentials/v2" in context_list else "none")
    )
    ob = "none"
    for url in context_list:
        if isinstance(url, str) and url.startswith(_OB):
            ob = url[len(_OB) :].removeprefix("-").removesuffix(".json") or "undated"
    if loaded.token is not None:
        header = _jwt_header(loaded.token)
        suites = [f"VC-JWT {header.get('alg')}"]
        keys = ["jwk" if "jwk" in header else _key_kind(header.get("kid"))]
    else:
        proofs = credential.get("proof")
        proof_list = proofs if isinstance(proofs, list) else ([proofs] if proofs else [])
        suites = [
            str(p.get("cryptosuite") or p.get("type")) for p in proof_list if isinstance(p, dict)
        ]
        keys = [_key_kind(p.get("verificationMethod")) for p in proof_list if isinstance(p, dict)]
    status = credential.get("credentialStatus")
    status_list = status if isinstance(status, list) else ([status] if status else [])
    types = credential.get("type")
    type_list = types if isinstance(types, list) else [types]
    main = next(
        (
            t
            for t in (
                "ClrCredential",
                "EndorsementCredential",
                "AchievementCredential",
                "OpenBadgeCredential",
                "BitstringStatusListCredential",
                "StatusList2021Credential",
            )
            if t in type_list
        ),
        "other",
    )
    return {
        "format": "jwt" if loaded.token else "json",
        "carrier": loaded.where,
        "vc": vc,
        "ob": ob,
        "type": main,
        "suites": sorted(set(suites)),
        "keys": sorted(set(keys)),
        "status": sorted({str(s.get("type")) for s in status_list if isinstance(s, dict)}),
    }


def _jwt_header(token: str) -> dict[str, Any]:
    head = token.split(".")[0]
    try:
        value = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _key_kind(method: Any) -> str:
    if not isinstance(method, str):
        return "none"
    if method.startswith("did:key:z6Mk"):
        return "did:key Ed25519"
    if method.startswith("did:key:zDn"):
        return "did:key P-256"
    if method.startswith("did:key:z82"):
        return "did:key P-384"
    if method.startswith("did:"):
        return "did:" + method.split(":")[1]
    if method.startswith("https://") and "#z" in method:
        return "https#multikey"
    return method.split(":")[0] + ":"


# --- the whole verifier (the CLI's path) ----------------------------------------------------------


def at() -> Any:
    """The manifest's ``at``: the moment every expectation assumes."""
    from credstack.model.status import parse_datetime

    return parse_datetime(manifest()["at"])


def saved_documents() -> tuple[list[Any], dict[str, Any]]:
    """(DID documents, URL -> status list as served): what --did-document / --status-list give."""
    from credstack.registry.verify import read_target

    dids: list[Any] = []
    lists: dict[str, Any] = {}
    for key, entry in manifest()["documents"].items():
        document = read_target(HERE / entry["file"])
        if key.startswith("did:"):
            dids.append(document)
        else:
            lists[key] = document
    return dids, lists


def verify(entry: dict[str, Any]) -> Any:
    """The VerificationReport of one corpus file, by the CLI's own path outside a registry:
    read_target, then registry_verifier with the saved documents, at the manifest's ``at``."""
    from credstack.errors import CredstackError
    from credstack.registry.verify import read_target, registry_verifier, unreadable_report

    path = HERE / entry["file"]
    dids, lists = saved_documents()
    verifier = registry_verifier(None, at=at(), now=at(), did_documents=dids, status_lists=lists)
    try:
        document = read_target(path)
    except CredstackError as error:
        return unreadable_report(str(path), error.message)
    return verifier.verify(document, str(path))
