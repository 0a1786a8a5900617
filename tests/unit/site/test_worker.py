"""The page script and the service worker share one cache (the page keeps its documents' offline
copies in it, the worker its pages, scripts and styles): one name in both."""

from __future__ import annotations

import re

from credstack.site.plugin import ASSETS, WORKER


def test_page_and_worker_name_the_same_cache():
    page = re.findall(
        r"const OFFLINE_CACHE = '([^']+)'", (ASSETS / "credstack-page.js").read_text()
    )
    worker = re.findall(r"const CACHE = '([^']+)'", WORKER.read_text())
    assert page and page == worker
