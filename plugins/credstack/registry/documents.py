"""The documents a verification outside a registry needs: DID documents and status lists.

``credstack verify`` never touches the network unless asked (``--fetch``). It takes what the
user gives:

* ``--did-document FILE``: a DID document (did:web), known by its ``id``;
* ``--status-list [URL=]FILE``: a status list (JSON, or a VC-JWT), known at ``URL`` when given
  (the list is the one served there, whatever its own ``id`` says) or else at its ``id``;
  a 1EdTech revocation list is given the same way;
* ``--documents DIR``: a folder of saved documents laid out as their URLs
  (``DIR/digitalcredentials.github.io/vc-test-fixtures/statusLists/...``; a did:web document at
  ``DIR/<host>/<path>/did.json``, as ``wget -x`` saves them); each file is known at the URL of its
  path, and DID documents by their ``id``.

:func:`needed_urls` lists what the credentials name (the did:web documents of every proof key and
issuer, every status list and credstack's companion suspension lists, also for credentials a CLR
embeds); :func:`fetch_documents` gets them with one small function, :func:`https_get`.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from credstack.errors import CredentialError, CredstackError
from credstack.model.baking import extract_payload
from credstack.model.shape import as_list, issuer_id, subject_of
from credstack.model.status import companion_list_url
from credstack.model.urls import did_web_document_url
from credstack.registry.verifier import decoded

#: Largest document fetched or read from a folder (a status list of 16 MiB inflated is far less).
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
TIMEOUT = 10.0


@dataclass
class Documents:
    """DID documents (by their id) and status lists by the URL they are served at."""

    did_documents: list[Any] = field(default_factory=list)
    status_lists: dict[str, Any] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, url: str | None, document: Any) -> None:
        """Know ``document``: a DID document by its id, anything else at ``url`` (or its id)."""
        own_id = document.get("id") if isinstance(document, dict) else None
        if isinstance(own_id, str) and own_id.startswith("did:"):
            self.did_documents.append(document)
            return
        if url is None:
            credential = decoded(document)
            url = credential.get("id") if isinstance(credential, dict) else None
        if isinstance(url, str):
            self.status_lists.setdefault(url, document)


def read_document(path: Path) -> Any:
    """A saved document: JSON, or a VC-JWT (its compact JWS); raises CredentialError."""
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise CredentialError(f"{path}: larger than {MAX_DOCUMENT_BYTES // 1024} KB")
        payload = extract_payload(path.read_bytes())
    except OSError as e:
        raise CredentialError(f"cannot read {path}: {e.strerror}") from e
    except CredentialError as e:
        raise CredentialError(f"{path}: {e.message}", hint=e.hint) from e
    return payload.token if payload.kind == "jwt" else payload.credential


def from_arguments(did_documents: Iterable[str], status_lists: Iterable[str]) -> Documents:
    """The documents given as ``--did-document FILE`` and ``--status-list [URL=]FILE``."""
    out = Documents()
    for name in did_documents:
        out.add(None, read_document(Path(name)))
    for argument in status_lists:
        url, sep, name = argument.partition("=")
        if not sep or not url.startswith(("https://", "http://")):
            url, name = "", argument
        out.add(url or None, read_document(Path(name)))
    return out


def from_folder(folder: Path, into: Documents | None = None) -> Documents:
    """The documents saved under ``folder`` as their URLs (see the module docstring)."""
    out = into if into is not None else Documents()
    if not folder.is_dir():
        raise CredentialError(
            f"{folder} is not a folder", hint="--documents takes a folder of saved documents"
        )
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            document = read_document(path)
        except CredstackError as e:
            out.problems.append((str(path), e.message))
            continue
        out.add("https://" + path.relative_to(folder).as_posix(), document)
    return out


def needed_urls(credentials: Iterable[Any]) -> list[str]:
    """The did:web DID documents and status lists the credentials (and what they embed) name."""
    urls: list[str] = []
    todo = [decoded(c) for c in credentials]
    while todo:
        doc = todo.pop()
        if not isinstance(doc, dict):
            continue
        methods = [issuer_id(doc)]
        methods += [
            p.get("verificationMethod") for p in as_list(doc.get("proof")) if isinstance(p, dict)
        ]
        for method in methods:
            if isinstance(method, str) and method.startswith("did:web:"):
                try:
                    urls.append(did_web_document_url(method.split("#", 1)[0]))
                except CredstackError:
                    continue
        for entry in as_list(doc.get("credentialStatus")):
            if not isinstance(entry, dict):
                continue
            key = "id" if entry.get("type") == "1EdTechRevocationList" else "statusListCredential"
            url = entry.get(key)
            if isinstance(url, str) and url.startswith("https://"):
                urls.append(url)
                companion = companion_list_url(url, "suspension")
                if companion:
                    urls.append(companion)
        subject = subject_of(doc)
        if isinstance(subject, dict):
            todo.extend(decoded(c) for c in as_list(subject.get("verifiableCredential")))
    return list(dict.fromkeys(urls))


def https_get(url: str, *, timeout: float = TIMEOUT, context: ssl.SSLContext | None = None) -> Any:
    """The document at an https ``url`` (JSON, or a VC-JWT); raises CredentialError why not.

    The one place ``credstack verify --fetch`` touches the network: https only, no redirect away
    from https, at most MAX_DOCUMENT_BYTES, TIMEOUT seconds.
    """
    if urlsplit(url).scheme != "https":
        raise CredentialError(f"{url} is not an https:// address; credstack fetches only those")

    class HttpsOnly(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            if urlsplit(newurl).scheme != "https":
                raise urllib.error.HTTPError(newurl, code, "redirect away from https", headers, fp)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context or ssl.create_default_context()), HttpsOnly()
    )
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_DOCUMENT_BYTES + 1)
    except urllib.error.HTTPError as e:
        raise CredentialError(f"{url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise CredentialError(f"{url}: {getattr(e, 'reason', None) or e}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CredentialError(f"{url}: larger than {MAX_DOCUMENT_BYTES // 1024} KB")
    try:
        payload = extract_payload(data)
    except CredentialError as e:
        raise CredentialError(f"{url}: {e.message}") from None
    return payload.token if payload.kind == "jwt" else payload.credential


def fetch_documents(
    urls: Iterable[str], into: Documents, *, get: Callable[[str], Any] = https_get
) -> Documents:
    """Fetch each URL not already known into ``into``; failures are listed, never raised."""
    known_dids = {d.get("id") for d in into.did_documents if isinstance(d, dict)}
    for url in urls:
        if url in into.status_lists:
            continue
        if url.endswith("did.json") and any(
            isinstance(did, str) and _did_url(did) == url for did in known_dids
        ):
            continue
        try:
            into.add(None if url.endswith("/did.json") else url, get(url))
            into.fetched.append(url)
        except CredstackError as e:
            into.problems.append((url, e.message))
    return into


def _did_url(did: str) -> str | None:
    try:
        return did_web_document_url(did)
    except CredstackError:
        return None


__all__ = [
    "Documents",
    "fetch_documents",
    "from_arguments",
    "from_folder",
    "https_get",
    "needed_urls",
    "read_document",
]
