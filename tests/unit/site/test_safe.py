"""Untrusted text: only http(s) links, no raw HTML from the program's Markdown."""

from __future__ import annotations

import pytest

from credstack.site.safe import http_url, render_markdown


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " https://example.org/",
        "https://example.org/a b",
        "https://exa\tmple.org/",
        "data:text/html,<script>alert(1)</script>",
        "https:///path-only",
        "//example.org/x",
        "mailto:a@example.org",
        "",
        None,
    ],
)
def test_rejects_anything_but_absolute_http_urls(url):
    assert http_url(url) is None


@pytest.mark.parametrize("url", ["https://example.org/x?a=1&b=2", "http://example.org"])
def test_keeps_http_urls(url):
    assert http_url(url) == url


def test_raw_html_in_markdown_comes_out_as_text():
    html = render_markdown("<script>alert(1)</script>\n\nx <img src=x onerror=alert(1)> y")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = render_markdown('<div onclick="alert(1)">\nhi\n</div>')
    assert "<div" not in html


def test_markdown_links_keep_only_http_and_fragments():
    html = render_markdown(
        "[a](javascript:alert(1)) [b](https://ok.example/x) [c](#criteria) [d](data:x) "
        "![i](https://example.org/track.png)\n\n[r]: javascript:alert(1)\n\nsee [r]"
    )
    assert "javascript" not in html and "data:" not in html and "<img" not in html
    assert '<a href="https://ok.example/x" rel="nofollow noopener">b</a>' in html
    assert '<a href="#criteria">c</a>' in html


def test_markdown_still_formats_lists():
    assert "<li>a</li>" in render_markdown("- a\n- b")
