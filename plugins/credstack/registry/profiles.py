"""Earner pages: a holder's opt-in public page listing their credentials and pathway progress.

Off by default. ``credstack award --public-profile`` or ``credstack profile publish`` adds the
recipient to ``issued/profiles.yml`` with a random page id (128 bits, unrelated to the email
or the recipient id), so the page's address cannot be guessed or derived; ``credstack profile
unpublish`` removes the entry and the next site build has no such page. Publishing again after
that gives a new address: the old link stays dead.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from credstack.errors import RegistryError
from credstack.model.credential import RECIPIENT_URN
from credstack.model.status import format_datetime, parse_datetime
from credstack.registry.files import Transaction
from credstack.registry.registry import Registry

PROFILES_FILE = "issued/profiles.yml"
PAGE_ID = re.compile(r"^[a-z2-7]{26}$")
_HEADER = (
    "# Earner pages the holders opted into, written by `credstack profile` and\n"
    "# `credstack award --public-profile`. The page id is random: never derived from an email.\n"
)


@dataclass(frozen=True)
class Profile:
    page: str  # the random page id: the page is {site}earners/{page}/
    recipient: str
    published: datetime


def new_page_id() -> str:
    """128 random bits, base32 lower case without padding (26 characters)."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower()


def read_profiles(root: Path) -> list[Profile]:
    """The published earner pages ([] without the file); raises RegistryError when the file
    is malformed."""
    path = root / PROFILES_FILE
    try:
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
    except FileNotFoundError:
        return []
    except (OSError, yaml.YAMLError) as e:
        raise RegistryError(f"cannot read {PROFILES_FILE}: {e}") from e
    items = doc.get("profiles") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise RegistryError(f"{PROFILES_FILE}: expected 'profiles:' with a list", hint=_RESTORE)
    out: list[Profile] = []
    pages: set[str] = set()
    recipients: set[str] = set()
    for i, item in enumerate(items):
        try:
            assert isinstance(item, dict)
            page, recipient = str(item["page"]), str(item["recipient"])
            published = parse_datetime(str(item["published"]))
        except (AssertionError, KeyError, ValueError) as e:
            raise RegistryError(
                f"{PROFILES_FILE}: profiles[{i}] is malformed", hint=_RESTORE
            ) from e
        if not PAGE_ID.match(page) or not recipient.startswith(RECIPIENT_URN):
            raise RegistryError(f"{PROFILES_FILE}: profiles[{i}] is malformed", hint=_RESTORE)
        if page in pages or recipient in recipients:
            raise RegistryError(f"{PROFILES_FILE}: profiles[{i}] is listed twice", hint=_RESTORE)
        pages.add(page)
        recipients.add(recipient)
        out.append(Profile(page, recipient, published))
    return out


_RESTORE = "the file is written by `credstack profile`; restore it with git"


def _text(profiles: list[Profile]) -> str:
    body = {
        "profiles": [
            {"page": p.page, "recipient": p.recipient, "published": format_datetime(p.published)}
            for p in profiles
        ]
    }
    return _HEADER + yaml.safe_dump(body, sort_keys=False)


def stage_publish(
    tx: Transaction,
    registry: Registry,
    recipients: list[str],
    *,
    now: datetime,
    page_id: Callable[[], str] = new_page_id,
) -> dict[str, str]:
    """Stage earner pages for ``recipients`` (already published ones keep their page).
    Returns recipient -> page id."""
    profiles = read_profiles(registry.root)
    by_recipient = {p.recipient: p.page for p in profiles}
    for recipient in recipients:
        if recipient not in by_recipient:
            page = page_id()
            profiles.append(Profile(page, recipient, now))
            by_recipient[recipient] = page
    tx.write(registry.root / PROFILES_FILE, _text(profiles))
    return {r: by_recipient[r] for r in recipients}


def publish(registry: Registry, recipient: str, *, now: datetime) -> str:
    """Publish the earner page of ``recipient``; returns its page id."""
    with Transaction(registry.root) as tx:
        return stage_publish(tx, registry, [recipient], now=now)[recipient]


def unpublish(registry: Registry, recipient: str) -> str | None:
    """Remove the earner page of ``recipient``; returns the page id removed (None: none)."""
    profiles = read_profiles(registry.root)
    kept = [p for p in profiles if p.recipient != recipient]
    if len(kept) == len(profiles):
        return None
    with Transaction(registry.root) as tx:
        tx.write(registry.root / PROFILES_FILE, _text(kept))
    return next(p.page for p in profiles if p.recipient == recipient)
