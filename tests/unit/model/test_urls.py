import pytest

from credstack.errors import ConfigError
from credstack.model.urls import (
    SiteUrls,
    did_document_path,
    did_web,
    did_web_document_url,
)


@pytest.mark.parametrize(
    ("site", "did", "doc_url", "path"),
    [
        (
            "https://northwind-lab.github.io/credentials/",
            "did:web:northwind-lab.github.io:credentials",
            "https://northwind-lab.github.io/credentials/did.json",
            "did.json",
        ),
        (
            "https://badges.example.com",
            "did:web:badges.example.com",
            "https://badges.example.com/.well-known/did.json",
            ".well-known/did.json",
        ),
        (
            "https://example.com:8443/a/b/",
            "did:web:example.com%3A8443:a:b",
            "https://example.com:8443/a/b/did.json",
            "did.json",
        ),
    ],
)
def test_did_web_round_trip(site, did, doc_url, path):
    assert did_web(site) == did
    assert did_web_document_url(did) == doc_url
    assert did_document_path(site) == path


@pytest.mark.parametrize("bad", ["", "ftp://x.org/", "/relative/", "https://x.org/?a=1"])
def test_rejects_bad_site_url(bad):
    with pytest.raises(ConfigError):
        SiteUrls(bad)


def test_credential_urls_and_reverse_lookup():
    urls = SiteUrls("https://example.org/reg")
    assert urls.credential("2026-abc") == "https://example.org/reg/credentials/2026-abc/"
    assert urls.credential_json("2026-abc").endswith("/credentials/2026-abc/credential.json")
    assert urls.cid_from_url(urls.credential("2026-abc")) == "2026-abc"
    assert urls.cid_from_url("https://elsewhere.org/credentials/2026-abc/") is None
    assert urls.key_id("key-1") == "did:web:example.org:reg#key-1"
