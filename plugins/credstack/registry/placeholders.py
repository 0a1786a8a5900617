"""The starter values ``credstack init`` used to write, refused before anything is signed.

A credential's id, issuer and DID embed ``site_url`` forever, and its issuer profile the
organisation's URL: signing under a placeholder makes credentials that can never verify at
their own address. ``keys create`` and ``award`` (renew and reissue too) refuse them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from credstack.errors import ConfigError
from credstack.model.program import Program

#: Site hosts that are placeholders (what `credstack init` wrote before it asked).
PLACEHOLDER_SITE_HOSTS = ("example.github.io",)
#: Contact addresses that are placeholders: RFC 2606's example domains.
PLACEHOLDER_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


def placeholder_problems(program: Program) -> list[tuple[str, str]]:
    """(message, hint) for every placeholder left in the program's identity."""
    problems = []
    site_host = (urlsplit(program.site_url).hostname or "").lower()
    if site_host in PLACEHOLDER_SITE_HOSTS:
        problems.append(
            (
                f"mkdocs.yml: site_url is the placeholder {program.site_url}",
                "set site_url in mkdocs.yml to the address the site will have (GitHub Pages: "
                "https://<owner>.github.io/<repository>/); credentials and the issuer's DID "
                "embed it forever",
            )
        )
    url_host = (urlsplit(program.issuer.url).hostname or "").lower()
    if url_host in PLACEHOLDER_SITE_HOSTS or url_host in PLACEHOLDER_EMAIL_DOMAINS:
        problems.append(
            (
                f"program/issuer.yml: url is the placeholder {program.issuer.url}",
                "set url in program/issuer.yml to your organisation's website (or to site_url)",
            )
        )
    domain = program.issuer.email.rpartition("@")[2].lower()
    if domain in PLACEHOLDER_EMAIL_DOMAINS:
        problems.append(
            (
                f"program/issuer.yml: email is the placeholder {program.issuer.email}",
                "set email in program/issuer.yml to the address people can write to about "
                "these credentials (it is shown on the site)",
            )
        )
    return problems


def refuse_placeholders(program: Program, action: str) -> None:
    """Raise ConfigError naming every placeholder (and how to fix each) before ``action``."""
    problems = placeholder_problems(program)
    if not problems:
        return
    raise ConfigError(
        f"cannot {action}: the program still has placeholder values:\n  "
        + "\n  ".join(message for message, _ in problems),
        hint="; ".join(hint for _, hint in problems) + "; then run the same command again",
    )
