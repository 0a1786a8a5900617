"""Where everything lives on the public site, and the issuer's did:web identity.

One place decides every public URL, so credentials, the site and the verifier agree:

=============================  ==========================================
credential (permanent id)      ``{site}credentials/{cid}/``
its signed JSON and images   ``…/{cid}/credential.json``, ``…/{cid}/badge.png``, ``badge.svg``
achievement                    ``{site}achievements/{id}/`` (+ ``badge.png`` artwork)
competency (alignment target)  ``{site}competencies/{id}/``
pathway                        ``{site}pathways/{id}/``
status list credential         ``{site}status/{purpose}-{n}.json``
issuer profile                 ``{site}issuer.json``
DID document                   ``{site}did.json`` (or ``/.well-known/did.json`` for a bare domain)
=============================  ==========================================
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from credstack.errors import ConfigError


def normalize_site_url(site_url: str) -> str:
    """The site URL with a trailing slash; raises ConfigError unless it is absolute http(s)."""
    parts = urlsplit(site_url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"site_url {site_url!r} is not an absolute http(s) URL",
            where="mkdocs.yml",
            hint="set site_url: https://<user>.github.io/<repo>/ in mkdocs.yml",
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"site_url {site_url!r} must not carry a query or fragment", where="mkdocs.yml"
        )
    return site_url if site_url.endswith("/") else site_url + "/"


def did_web(site_url: str) -> str:
    """The did:web identifier for a site URL (did:web spec 3.2.1, Create)."""
    parts = urlsplit(normalize_site_url(site_url))
    host = parts.hostname or ""
    if parts.port:
        host += quote(f":{parts.port}", safe="")
    segments = [quote(unquote(s), safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", host, *segments])


def did_web_document_url(did: str) -> str:
    """The https URL of a did:web DID document (did:web spec 3.2.2, Read)."""
    if not did.startswith("did:web:"):
        raise ConfigError(f"{did!r} is not a did:web identifier")
    host, *segments = did[len("did:web:") :].split(":")
    host = unquote(host)
    path = "/".join(unquote(s) for s in segments)
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def did_document_path(site_url: str) -> str:
    """Where the DID document sits inside the built site (relative path)."""
    parts = urlsplit(normalize_site_url(site_url))
    return "did.json" if parts.path.strip("/") else ".well-known/did.json"


class SiteUrls:
    """Every public URL of a registry, derived from ``site_url``."""

    def __init__(self, site_url: str):
        self.site = normalize_site_url(site_url)
        self.issuer_id = did_web(self.site)

    def credential(self, cid: str) -> str:
        return f"{self.site}credentials/{cid}/"

    def credential_json(self, cid: str) -> str:
        return f"{self.credential(cid)}credential.json"

    def credential_png(self, cid: str) -> str:
        return f"{self.credential(cid)}badge.png"

    def credential_svg(self, cid: str) -> str:
        return f"{self.credential(cid)}badge.svg"

    def achievement(self, aid: str) -> str:
        return f"{self.site}achievements/{aid}/"

    def achievement_image(self, aid: str) -> str:
        return f"{self.achievement(aid)}badge.png"

    def competency(self, cid: str) -> str:
        return f"{self.site}competencies/{cid}/"

    def pathway(self, pid: str) -> str:
        return f"{self.site}pathways/{pid}/"

    def status_list(self, purpose: str, number: int) -> str:
        return f"{self.site}status/{purpose}-{number}.json"

    def issuer_profile(self) -> str:
        return f"{self.site}issuer.json"

    def key_id(self, key_fragment: str) -> str:
        return f"{self.issuer_id}#{key_fragment}"

    def cid_from_url(self, url: str) -> str | None:
        """The credential id in one of our credential URLs, or None."""
        prefix = f"{self.site}credentials/"
        if not url.startswith(prefix):
            return None
        rest = url[len(prefix) :].split("/", 1)[0]
        return rest or None
