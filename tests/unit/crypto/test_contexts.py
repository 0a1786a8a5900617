"""The offline context loader: what ships, what is refused, and that loaders never share."""

from __future__ import annotations

import hashlib
import json
import re
import socket
from importlib import resources
from pathlib import Path

import pytest

from credstack.crypto import canon, contexts
from credstack.crypto.contexts import (
    CONTEXT_FILES,
    CONTEXT_SHA256,
    context_bundle,
    document_loader,
    load_context,
    make_document_loader,
)
from credstack.errors import CanonicalizationError

from .conftest import TEST_ONLY_CONTEXTS, VECTORS

PACKAGE_DIR = Path(str(resources.files("credstack.crypto").joinpath("contexts")))
REQUIRED = {
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
    "https://www.w3.org/ns/cid/v1",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://www.w3.org/2018/credentials/v1",
    # Third-party credentials (tests/corpus): suites, status lists, CLR, DCC.
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/suites/jws-2020/v1",
    "https://w3id.org/vc/status-list/2021/v1",
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://w3id.org/dcc/v1",
}


def test_every_required_context_ships():
    assert set(CONTEXT_FILES) == REQUIRED


def test_index_lists_exactly_the_files_in_the_package():
    shipped = sorted(p.name for p in PACKAGE_DIR.iterdir() if p.name != "README.md")
    assert sorted(CONTEXT_FILES.values()) == shipped


def test_readme_gives_the_provenance_of_every_shipped_context():
    readme = (PACKAGE_DIR / "README.md").read_text(encoding="utf-8")
    for filename in CONTEXT_FILES.values():
        digest = CONTEXT_SHA256[filename]
        row = rf"\| `{re.escape(filename)}` \| [^|]*\| [^|]+ \| `{digest[:8]}…{digest[-4:]}` \|"
        assert re.search(row, readme), filename


def test_test_only_contexts_do_not_ship():
    for url in TEST_ONLY_CONTEXTS:
        assert url not in CONTEXT_FILES
    assert not set(TEST_ONLY_CONTEXTS.values()) & {p.name for p in PACKAGE_DIR.iterdir()}


def test_shipped_files_match_the_published_digests():
    # Digests from tests/vectors/contexts/SOURCES.md (upstream README); spec digests where
    # the W3C publishes one (VC 2.0, Data Integrity, Multikey, CID, Bitstring Status List).
    sources = (VECTORS / "contexts" / "SOURCES.md").read_text(encoding="utf-8")
    for filename, digest in CONTEXT_SHA256.items():
        data = (PACKAGE_DIR / filename).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, filename
        assert re.search(rf"`{re.escape(filename)}` .*`{digest}`", sources), filename


def test_load_context_parses_once_and_hands_out_copies():
    first = load_context("https://www.w3.org/ns/credentials/v2")
    first["@context"]["name"] = "https://evil.example/name"
    second = load_context("https://www.w3.org/ns/credentials/v2")
    assert second["@context"]["name"] == "https://schema.org/name"
    assert contexts._parsed.cache_info().currsize >= 1


def test_load_context_refuses_unknown_url_with_the_supported_list():
    with pytest.raises(CanonicalizationError, match="unknown JSON-LD context") as caught:
        load_context("https://example.org/my-context")
    assert "https://www.w3.org/ns/credentials/v2" in caught.value.hint


def test_load_context_refuses_a_modified_shipped_file(monkeypatch):
    url = "https://www.w3.org/ns/credentials/v2"
    monkeypatch.setitem(CONTEXT_SHA256, CONTEXT_FILES[url], "0" * 64)
    contexts._parsed.cache_clear()
    try:
        with pytest.raises(CanonicalizationError, match="has been modified") as caught:
            load_context(url)
        assert "reinstall" in caught.value.hint
    finally:
        monkeypatch.undo()
        contexts._parsed.cache_clear()


def test_document_loader_returns_pyld_remote_document():
    remote = document_loader("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
    assert remote["documentUrl"] == "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    assert remote["contextUrl"] is None
    assert "@context" in remote["document"]
    # 'static' is what makes pyld keep the processed context.
    assert remote["tag"] == "static"


def test_document_loader_refuses_unknown_url():
    with pytest.raises(CanonicalizationError, match="never fetches contexts"):
        document_loader("https://example.org/evil", {})


def test_make_document_loader_serves_extra_documents():
    loader = make_document_loader({"https://example.org/ctx": {"@context": {"x": "urn:x"}}})
    assert loader("https://example.org/ctx")["document"] == {"@context": {"x": "urn:x"}}
    assert loader("https://www.w3.org/ns/credentials/v2")["document"]["@context"]
    assert "https://example.org/ctx" in loader.urls


def test_make_document_loader_refuses_to_replace_a_shipped_context():
    with pytest.raises(CanonicalizationError, match="may not replace shipped contexts"):
        make_document_loader({"https://www.w3.org/ns/credentials/v2": {"@context": {}}})


def test_context_bundle_has_every_shipped_context():
    bundle = context_bundle()
    assert set(bundle) == set(CONTEXT_FILES)
    for url, document in bundle.items():
        assert document == json.loads((PACKAGE_DIR / CONTEXT_FILES[url]).read_bytes())


def test_context_served_to_one_loader_never_reaches_another(example_loader, rdfc_vectors):
    # pyld's own cache is global and keyed by URL: a context an extra-permissive loader served
    # would then be used by the strict default loader without asking it.
    b1 = rdfc_vectors["cases"][0]["unsignedDocument"]
    canon.canonize(b1, document_loader=example_loader)
    with pytest.raises(CanonicalizationError, match="credentials/examples/v2"):
        canon.canonize(b1)


def test_canonicalization_never_opens_a_socket(monkeypatch, ob_vector, example_loader):
    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fresh = make_document_loader()  # empty cache: every context is loaded during this test
    canon.canonize(ob_vector["unsignedDocument"], document_loader=fresh)
    with pytest.raises(CanonicalizationError, match="unknown JSON-LD context"):
        doc = ob_vector["unsignedDocument"]
        doc["@context"].append("https://example.org/remote-context")
        canon.canonize(doc, document_loader=fresh)


def test_each_context_is_loaded_once_per_loader(ob_vector):
    # pyld keeps what a loader served (tag 'static') in the loader's own cache: later
    # canonicalizations neither call the loader nor re-parse the context.
    calls: list[str] = []

    class CountingLoader(contexts.OfflineDocumentLoader):
        def __call__(self, url, options=None):
            calls.append(url)
            return super().__call__(url, options)

    loader = CountingLoader()
    for _ in range(5):
        canon.canonize(ob_vector["unsignedDocument"], document_loader=loader)
    assert sorted(calls) == sorted(ob_vector["unsignedDocument"]["@context"])


def test_resolved_context_cache_evicts_least_recently_used():
    cache = contexts._LRUCache(2)
    cache["a"] = 1
    cache["b"] = 2
    assert cache.get("a") == 1  # 'a' is now the most recently used
    cache["c"] = 3
    assert cache.get("b") is None
    assert cache.get("a") == 1
    assert cache.get("c") == 3
