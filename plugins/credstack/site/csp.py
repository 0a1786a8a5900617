"""A restrictive Content-Security-Policy for every page, as a ``<meta>`` tag.

The site loads nothing from another origin. Scripts are the theme's bundle and our assets
('self') plus the small inline scripts Material writes into each page; those are allowed by
their SHA-256 hash, computed from the finished page (their text depends on the page's depth,
e.g. ``new URL("../..", location)``), so no ``'unsafe-inline'`` is needed for scripts.
The policy goes right after ``<meta charset>``: a meta policy only governs what follows it.
(``frame-ancestors`` cannot be set from a meta tag; GitHub Pages sets no such header either.)
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_SRC = re.compile(r"\ssrc\s*=", re.I)
_TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]+)""", re.I)
_CHARSET = re.compile(r"<meta\s+charset=[\"']?utf-8[\"']?\s*/?>", re.I)
_EXECUTABLE_TYPES = ("", "text/javascript", "application/javascript", "module")

BASE_POLICY = (
    ("default-src", "'none'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("worker-src", "'self'"),
    ("manifest-src", "'self'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("object-src", "'none'"),
)


def inline_script_hashes(page: str) -> list[str]:
    """CSP hash sources (``'sha256-…'``) of the page's inline executable scripts, in order."""
    hashes: list[str] = []
    for match in _INLINE_SCRIPT.finditer(page):
        attrs = match.group("attrs") or ""
        if _SRC.search(attrs):
            continue
        kind = _TYPE.search(attrs)
        if kind and kind.group(1).lower() not in _EXECUTABLE_TYPES:
            continue  # data blocks such as <script type="application/json"> never run
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        source = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


#: A credential page: its own scripts and stylesheet, its images, its documents. Nothing inline.
CREDENTIAL_POLICY = (
    ("default-src", "'none'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("connect-src", "'self'"),
    ("worker-src", "'self'"),
    ("base-uri", "'none'"),
    ("form-action", "'self'"),
)


def _policy(
    page: str,
    *,
    fetch_other_issuers: bool = False,
    base: tuple[tuple[str, str], ...] = BASE_POLICY,
) -> str:
    """The policy for ``page``: the base policy plus hashes of its inline scripts.

    ``fetch_other_issuers`` (the verify page only) lets the verifier fetch another issuer's
    DID document, status lists and credential links over https (CORS still applies).
    """
    hashes = inline_script_hashes(page)
    parts = []
    for directive, value in base:
        if directive == "script-src" and hashes:
            value = " ".join([value, *hashes])
        if directive == "connect-src" and fetch_other_issuers:
            value = f"{value} https:"
        parts.append(f"{directive} {value}")
    return "; ".join(parts)


def add_policy(
    page: str,
    *,
    fetch_other_issuers: bool = False,
    policy: tuple[tuple[str, str], ...] = BASE_POLICY,
) -> str:
    """``page`` with its CSP meta tag inserted after ``<meta charset>`` (or at the top of
    ``<head>``); pages without a head are returned unchanged. ``policy``: the directives
    to start from (:data:`BASE_POLICY`, or :data:`CREDENTIAL_POLICY`)."""
    content = _policy(page, fetch_other_issuers=fetch_other_issuers, base=policy)
    tag = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    match = _CHARSET.search(page)
    if match:
        return page[: match.end()] + tag + page[match.end() :]
    head = re.search(r"<head(\s[^>]*)?>", page, re.I)
    if head:
        return page[: head.end()] + tag + page[head.end() :]
    return page


def policy(page: str, *, fetch_other_issuers: bool = False) -> str:
    """The policy for ``page``: the base policy plus hashes of its inline scripts.

    ``fetch_other_issuers`` (the verify page only) lets the verifier fetch another issuer's
    DID document, status lists and credential links over https (CORS still applies).
    """
    return _policy(page, fetch_other_issuers=fetch_other_issuers)
