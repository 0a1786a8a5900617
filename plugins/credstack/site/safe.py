"""Untrusted text on the site: safe links and sanitised Markdown.

Everything from a credential, a CSV or the program is data, not markup. Templates escape it
(Jinja2 autoescape); the few program fields written in Markdown (descriptions, criteria) go
through :func:`render_markdown`, which treats raw HTML as text and keeps only http(s) and
in-page links.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f]")


def http_url(value: object) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host and no spaces or control
    characters, else None. Only such URLs ever become links."""
    if not isinstance(value, str) or _UNSAFE_CHARS.search(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


class _SafeLinks(Treeprocessor):  # type: ignore[misc]  # Markdown has no type hints
    """Keep http(s) and ``#fragment`` links; turn images into their alt text."""

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for i, el in enumerate(list(parent)):
                if el.tag == "img":
                    span = ET.Element("span")
                    span.text = el.get("alt") or ""
                    span.tail = el.tail
                    parent.remove(el)
                    parent.insert(i, span)
                elif el.tag == "a":
                    href = el.get("href") or ""
                    title = el.get("title")
                    el.attrib.clear()
                    if http_url(href):
                        el.set("href", href)
                        el.set("rel", "nofollow noopener")
                    elif re.fullmatch(r"#[A-Za-z0-9_-]+", href):
                        el.set("href", href)
                    else:
                        el.tag = "span"
                    if title:
                        el.set("title", title)


class _NoRawHtml(Extension):  # type: ignore[misc]  # Markdown has no type hints
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Without these, <script> and friends are passed through verbatim; without them the
        # serializer escapes "<" like any other text.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "credstack_safe_links", 0)


def render_markdown(text: str) -> Markup:
    """Markdown to HTML with raw HTML shown as text and only http(s)/in-page links kept."""
    md = markdown.Markdown(extensions=["sane_lists", _NoRawHtml()], output_format="html")
    return Markup(md.convert(text or ""))
