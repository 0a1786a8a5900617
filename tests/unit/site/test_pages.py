"""Formatting helpers of the generated pages (the LinkedIn link and the embed snippet are made
by the page script: tests/browser/test_credential_page.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from credstack.model.certificate import long_date as fmt_date
from credstack.model.urls import SiteUrls
from credstack.site.pages import SitePaths, fmt_hours


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
