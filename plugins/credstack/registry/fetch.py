"""Fetch an issuer's DID document and status lists over HTTPS, for ``credstack verify`` outside
a registry (a visitor with a downloaded ``badge.png``).

did:web puts the issuer's keys at an HTTPS address derived from the DID (did:web spec 3.2.2); a
credential names its status list by URL. Only ``https://`` is fetched (no redirect to anything
else), at most :data:`MAX_BYTES` per document and :data:`TIMEOUT` seconds, read with the strict
JSON reader. Nothing fetched is trusted for being fetched: the status lists must verify against
the DID document's keys like any other. Inside a registry nothing is ever fetched.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from credstack.errors import CredentialError, CredstackError
from credstack.model import jsondoc
from credstack.model.credential import as_list
from credstack.model.status import companion_list_url
from credstack.model.urls import did_web_document_url

MAX_BYTES = 1024 * 1024
TIMEOUT = 10.0


@dataclass
class Fetched:
    """What was fetched, by URL, and what could not be (URL, reason)."""

    did_documents: list[dict[str, Any]] = field(default_factory=list)
    status_lists: list[dict[str, Any]] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


class _HttpsOnly(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme != "https":
            raise urllib.error.HTTPError(newurl, code, "redirect away from https", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_json(url: str, *, timeout: float = TIMEOUT) -> Any:
    """The JSON document at an https ``url``; raises CredentialError saying why not."""
    if urlsplit(url).scheme != "https":
        raise CredentialError(f"{url} is not an https:// address; credstack fetches only those")
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context()), _HttpsOnly()
    )
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as e:
        raise CredentialError(f"{url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        raise CredentialError(f"{url}: {reason}") from None
    if len(data) > MAX_BYTES:
        raise CredentialError(f"{url}: larger than {MAX_BYTES // 1024} KB")
    return jsondoc.loads(data, url)


def issuer_documents(docs: list[Any], *, timeout: float = TIMEOUT) -> Fetched:
    """The did:web DID documents and the status lists (and their companion suspension lists)
    that ``docs`` name, fetched once each; failures are reported, never raised."""
    out = Fetched()
    did_urls: list[str] = []
    list_urls: list[str] = []
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        issuer = doc.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if isinstance(issuer_id, str) and issuer_id.startswith("did:web:"):
            try:
                did_urls.append(did_web_document_url(issuer_id))
            except CredstackError as e:
                out.problems.append((issuer_id, e.message))
        for entry in as_list(doc.get("credentialStatus")):
            url = entry.get("statusListCredential") if isinstance(entry, dict) else None
            if isinstance(url, str):
                list_urls.append(url)
                companion = companion_list_url(url, "suspension")
                if companion:
                    list_urls.append(companion)
    for url in dict.fromkeys(did_urls):
        try:
            out.did_documents.append(fetch_json(url, timeout=timeout))
            out.fetched.append(url)
        except CredentialError as e:
            out.problems.append((url, e.message))
    for url in dict.fromkeys(list_urls):
        try:
            out.status_lists.append(fetch_json(url, timeout=timeout))
            out.fetched.append(url)
        except CredentialError as e:
            out.problems.append((url, e.message))
    return out
