"""Offline JSON-LD contexts: the only documents JSON-LD processing may ever load.

Data Integrity 1.0 §2.4.1 lets a verifier use "only local copies of approved context files".
Every context credstack accepts ships inside the package (``crypto/contexts/``), pinned by
SHA-256, and the document loader refuses every other URL: signing and verifying never touch the
network, and nobody can change what a credential means by editing a context on a web server.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from credstack.errors import CanonicalizationError, UnknownContextError

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0_3_0_3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

#: Canonical context URL -> file in this package's ``contexts/`` directory.
CONTEXT_FILES: dict[str, str] = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OB_V3P0_3_0_3: "ob-v3p0-context-3.0.3.json",
    OB_V3P0_EXTENSIONS: "ob-v3p0-extensions.json",
    # Legacy OB 3.0 contexts: only so that older badges from other issuers still verify.
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/cid/v1": "cid-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "bitstring-status-list-v1.jsonld",
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    # Suites and status lists used by credentials of other issuers (see contexts/README.md).
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/suites/jws-2020/v1": "jws-2020-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "vc-status-list-2021-v1.jsonld",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json": "clr-v2p0-context.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-context-2.0.1.json",
    "https://w3id.org/dcc/v1": "dcc-v1.jsonld",
}

#: SHA-256 of each shipped file, as published (or checked) upstream; see contexts/README.md
#: (and tests/vectors/contexts/SOURCES.md). A context edited after install would silently change
#: what every credential means, so a mismatch refuses to load rather than warn.
CONTEXT_SHA256: dict[str, str] = {
    "credentials-v2.jsonld": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    "ob-v3p0-context-3.0.3.json": (
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"
    ),
    "ob-v3p0-extensions.json": "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",
    "ob-v3p0-context-3.0.2.json": (
        "00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53"
    ),
    "ob-v3p0-context-3.0.1.json": (
        "d582f3564282fb3b709136d28412e78e70b678b4dbc2f0221f67d84932748355"
    ),
    "ob-v3p0-context.json": "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
    "data-integrity-v2.jsonld": (
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4"
    ),
    "multikey-v1.jsonld": "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    "cid-v1.jsonld": "ea216ecc1cb02cd39b693dba2250141e270ba0bf95890be107dd9a9e8e43de85",
    "did-v1.jsonld": "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
    "bitstring-status-list-v1.jsonld": (
        "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7"
    ),
    "credentials-v1.jsonld": "ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc",
    "ed25519-signature-2020-v1.jsonld": (
        "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588"
    ),
    "data-integrity-v1.jsonld": (
        "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554"
    ),
    "jws-2020-v1.jsonld": "d648e05ddc6577827ca2bfd5e931f53e9ebc6e52a57a8da81df4ec8c46ffcd1e",
    "vc-status-list-2021-v1.jsonld": (
        "634d71c159289f068c96012e4511c657fdf82ac4231900081bda3ba24e2e1160"
    ),
    "clr-v2p0-context.json": "e198d7b517d74c5036434ce495086f67b10244709e9a3df9dcb7f8b1579b6167",
    "clr-v2p0-context-2.0.1.json": (
        "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6"
    ),
    "dcc-v1.jsonld": "1543695325471b0d23e839a28166ba4ea445cca294ac46fe034ca584cbfc6077",
}

# pyld caches resolved contexts keyed by URL alone. Its default cache is process-global, so a
# context served once by a permissive loader would later be used for a strict one. Each loader
# therefore owns its cache (see canon.canonize); 100 entries is pyld's own default.
_RESOLVED_CACHE_SIZE = 100

DocumentLoader = Callable[..., dict[str, Any]]


class _LRUCache(OrderedDict[str, Any]):
    """The two operations pyld's ContextResolver uses (get, []=), least recently used first out."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self:
            return default
        self.move_to_end(key)
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.maxsize:
            self.popitem(last=False)


def _supported_hint() -> str:
    return "credstack ships only these contexts: " + ", ".join(CONTEXT_FILES)


@cache
def _parsed(url: str) -> dict[str, Any]:
    """The parsed shipped context for url (shared: callers must copy before handing it out)."""
    filename = CONTEXT_FILES[url]
    data = resources.files("credstack.crypto").joinpath("contexts", filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != CONTEXT_SHA256[filename]:
        raise CanonicalizationError(
            f"the shipped context file {filename} for {url} has been modified (sha256 {digest})",
            hint="reinstall credstack; never edit files under credstack/crypto/contexts/",
        )
    document: dict[str, Any] = json.loads(data)
    return document


def load_context(url: str) -> dict[str, Any]:
    """Return a copy of the shipped context for url; raise CanonicalizationError if not shipped."""
    if url not in CONTEXT_FILES:
        raise UnknownContextError(url, hint=_supported_hint())
    return copy.deepcopy(_parsed(url))


def context_bundle() -> dict[str, dict[str, Any]]:
    """Return every shipped context as url -> document; raise CanonicalizationError if modified."""
    return {url: load_context(url) for url in CONTEXT_FILES}


class OfflineDocumentLoader:
    """A pyld document loader that serves shipped contexts (plus optional extras) and nothing else.

    Instances carry ``resolved_context_cache``: canon.canonize hands it to pyld so contexts are
    parsed and processed once per loader, never shared with a loader that allows other URLs.
    """

    def __init__(self, extra: Mapping[str, dict[str, Any]] | None = None) -> None:
        extra = dict(extra or {})
        clash = sorted(set(extra) & set(CONTEXT_FILES))
        if clash:
            # Replacing a shipped context would let a test (or a caller) redefine VC or OB terms.
            raise CanonicalizationError(
                f"extra documents may not replace shipped contexts: {', '.join(clash)}",
                hint="give extra documents their own URLs",
            )
        self._extra = {url: copy.deepcopy(doc) for url, doc in extra.items()}
        self.resolved_context_cache = _LRUCache(_RESOLVED_CACHE_SIZE)

    @property
    def urls(self) -> frozenset[str]:
        """The URLs this loader serves."""
        return frozenset(CONTEXT_FILES) | frozenset(self._extra)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return pyld's remote-document dict for url; raise CanonicalizationError if not served."""
        if url in self._extra:
            document = copy.deepcopy(self._extra[url])
        elif url in CONTEXT_FILES:
            document = load_context(url)
        else:
            raise UnknownContextError(url, hint=_supported_hint())
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
            "contentType": "application/ld+json",
            # 'static' lets pyld's ContextResolver keep the resolved context for reuse.
            "tag": "static",
        }

    def __repr__(self) -> str:
        return f"OfflineDocumentLoader(extra={sorted(self._extra)!r})"


def make_document_loader(extra: dict[str, dict[str, Any]] | None = None) -> OfflineDocumentLoader:
    """Return a loader for the shipped contexts plus extra; raise CanonicalizationError on clash."""
    return OfflineDocumentLoader(extra)


#: The default loader: shipped contexts only.
document_loader = OfflineDocumentLoader()
