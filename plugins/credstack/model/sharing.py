"""How a holder shares a credential: LinkedIn's add-to-profile link, wallets, spreadsheets.

Pure: used by the site (credential pages) and the CLI (``credstack notify``) alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"

WALLET_HOWTO = (
    "To keep it in a digital wallet that reads Open Badges 3.0 (for example the Learner "
    "Credential Wallet), download credential.json or badge.png from the credential page and "
    "add it in the wallet (Add credential, then import the file or paste the page's link)."
)

#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def linkedin_url(
    *,
    name: str,
    organization: str,
    issued: datetime,
    expires: datetime | None,
    cert_url: str,
    cert_id: str,
) -> str:
    """LinkedIn's add-to-profile URL for a certification, every field prefilled."""
    issued = issued.astimezone(UTC)
    params: list[tuple[str, str]] = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", name),
        ("organizationName", organization),
        ("issueYear", str(issued.year)),
        ("issueMonth", str(issued.month)),
    ]
    if expires is not None:
        expires = expires.astimezone(UTC)
        params += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    params += [("certUrl", cert_url), ("certId", cert_id)]
    return f"{LINKEDIN_ADD}?{urlencode(params, quote_via=quote)}"


def spreadsheet_safe(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``= + - @``, tab or carriage return
    gets a ``'`` in front (OWASP), so a name like ``=HYPERLINK(…)`` is never run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_row(values: Sequence[object]) -> list[str]:
    """Every cell of a CSV row through :func:`spreadsheet_safe`."""
    return [spreadsheet_safe(v) for v in values]
