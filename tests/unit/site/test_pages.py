"""Formatting helpers of the generated pages (the LinkedIn link and the embed snippet are made
by the page script: tests/browser/test_credential_page.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from credstack.model.dates import fmt_date
from credstack.model.urls import SiteUrls
from credstack.site.pages import SitePaths, fmt_hours
from credstack.site.verification import instants, time_bucket


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


def test_time_buckets_change_only_when_a_date_is_passed():
    doc = {"validFrom": "2025-01-01T00:00:00Z", "x": ["2027-01-01T00:00:00Z", "not a date"]}
    moments = instants(doc)
    assert len(moments) == 2
    a = time_bucket(moments, datetime(2025, 6, 1, tzinfo=UTC))
    b = time_bucket(moments, datetime(2026, 6, 1, tzinfo=UTC))
    c = time_bucket(moments, datetime(2027, 1, 1, tzinfo=UTC))
    assert a == b != c
