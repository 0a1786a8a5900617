"""Formatting, LinkedIn and embed helpers of the generated pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from credstack.model.urls import SiteUrls
from credstack.site.pages import SitePaths, embed_snippet, fmt_date, fmt_hours, linkedin_url


def test_linkedin_url_carries_every_field():
    url = linkedin_url(
        name="Group Facilitation Fundamentals",
        organization="Northwind & Co",
        issued=datetime(2025, 2, 1, tzinfo=UTC),
        expires=datetime(2028, 2, 1, tzinfo=UTC),
        cert_url="https://x.example/credentials/credentials/2025-abc/",
        cert_id="2025-abc",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Group Facilitation Fundamentals"],
        "organizationName": ["Northwind & Co"],
        "issueYear": ["2025"],
        "issueMonth": ["2"],
        "expirationYear": ["2028"],
        "expirationMonth": ["2"],
        "certUrl": ["https://x.example/credentials/credentials/2025-abc/"],
        "certId": ["2025-abc"],
    }


def test_linkedin_url_without_expiry_has_no_expiration_fields():
    url = linkedin_url(
        name="n",
        organization="o",
        issued=datetime(2025, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
        expires=None,
        cert_url="https://x.example/",
        cert_id="c",
    )
    query = parse_qs(urlsplit(url).query)
    assert "expirationYear" not in query
    assert (query["issueYear"], query["issueMonth"]) == (["2026"], ["1"])  # in UTC


def test_embed_snippet_escapes_attributes():
    html = embed_snippet(page_url="https://x/a?b=1&c=2", image_url="https://x/b.png", alt='"><x>')
    assert 'href="https://x/a?b=1&amp;c=2"' in html
    assert 'alt="&quot;&gt;&lt;x&gt;"' in html


def test_dates_and_hours_read_naturally():
    assert fmt_date(datetime(2026, 3, 9, 23, 30, tzinfo=timezone(timedelta(hours=-2)))) == (
        "10 March 2026"
    )
    assert (
        fmt_hours(1) == "1 hour" and fmt_hours(6.0) == "6 hours" and fmt_hours(7.5) == ("7.5 hours")
    )


def test_site_paths_follow_site_urls():
    urls = SiteUrls("https://northwind-lab.github.io/credentials/")
    path = SitePaths(urls)
    assert path.credential("2025-x") == "credentials/2025-x/"
    assert path.credential_json("2025-x") == "credentials/2025-x/credential.json"
    assert path.artwork("a") == "achievements/a/badge.png"
    assert path.did_document() == "did.json"
    assert SitePaths(SiteUrls("https://example.org/")).did_document() == ".well-known/did.json"
