"""``mkdocs.yml`` (the site URL), ``program/issuer.yml`` and ``program/keys.yml``: who issues.

The site URL gives every credential and issuer id; the issuer file names the organization and
its maintainers; the keys file lists the issuer's Ed25519 public keys in Multikey form (written
by ``credstack keys``), with their creation and retirement dates.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from credstack.model.program import STATUS_VALID_DAYS, Issuer, IssuerKey, Source
from credstack.registry.program.document import (
    GITHUB_TEAM,
    GITHUB_USER,
    ProgramFile,
    kind_of,
    top_mapping,
)
from credstack.registry.program.reader import ISSUER_FILE, KEYS_FILE, MKDOCS_FILE, ProgramReader
from credstack.registry.yamlio import LineDict, LineList

#: Key ids become URL fragments (``did:web:...#key-2026-11-28``).
KEY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

ISSUER_KEYS = ("name", "url", "email", "description")
ISSUER_OPTIONAL = ("logo", "status_valid_days", "maintainers")
KEY_KEYS = ("id", "publicKeyMultibase", "created")


def read_site_url(reader: ProgramReader) -> str | None:
    """``site_url`` of ``mkdocs.yml``, ending in ``/``; None when unusable (reported).

    Also takes ``docs_dir`` from ``mkdocs.yml`` (for image paths).
    """
    data, ok = reader.read(MKDOCS_FILE, lenient=True)
    if not ok:
        return None
    doc = ProgramFile(MKDOCS_FILE, reader.problems)
    if not isinstance(data, LineDict):
        doc.error(1, "", f"expected a mapping at the top level, got {kind_of(data)}")
        return None
    docs_dir = data.get("docs_dir")
    if isinstance(docs_dir, str) and docs_dir.strip():
        reader.docs_dir = docs_dir.strip().rstrip("/")
    url = data.get("site_url")
    hint = "set site_url to the public address of the site, e.g. https://example.org/credentials/"
    if url is None or url == "":
        doc.error(data.line_of("site_url"), "site_url", "missing", hint)
        return None
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        doc.error(
            data.line_of("site_url"),
            "site_url",
            f"not an absolute http(s) URL: {kind_of(url)}",
            hint + "; credential and issuer ids are built from it",
        )
        return None
    if parts.query or parts.fragment:
        doc.error(data.line_of("site_url"), "site_url", "must not have a query or fragment")
        return None
    text = str(url)
    return text if text.endswith("/") else text + "/"


def read_issuer(reader: ProgramReader) -> Issuer | None:
    """``program/issuer.yml`` with the keys of ``program/keys.yml``; None when either is bad."""
    data, ok = reader.read(ISSUER_FILE)
    doc = ProgramFile(ISSUER_FILE, reader.problems)
    m = top_mapping(doc, data, ISSUER_KEYS, ISSUER_OPTIONAL) if ok else None
    keys = read_keys(reader)
    if m is None:
        return None
    name = doc.text(m, "name", "")
    url = doc.text(m, "url", "")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            doc.error(m.line_of("url"), "url", f"not an absolute http(s) URL: '{url}'")
    email = doc.text(m, "email", "")
    if email is not None and not EMAIL.match(email):
        doc.error(
            m.line_of("email"),
            "email",
            f"not an email address: '{email}'",
            "the contact address shown on the site, e.g. credentials@example.org",
        )
    description = doc.text(m, "description", "")
    logo = doc.image(m, "logo", "", reader.docs_dir, reader.root)
    maintainers = read_maintainers(doc, m)
    valid_days = m.get("status_valid_days", STATUS_VALID_DAYS)
    if (
        isinstance(valid_days, bool)
        or not isinstance(valid_days, int)
        or not (1 <= valid_days <= 3660)
    ):
        doc.error(
            m.line_of("status_valid_days"),
            "status_valid_days",
            f"not a number of days between 1 and 3660: {kind_of(valid_days)}",
            "how long a signed status list is valid before it must be re-signed, e.g. 35",
        )
    if doc.failed or keys is None:
        return None
    return Issuer(
        name=name or "",
        url=url or "",
        email=email or "",
        description=description or "",
        logo=logo,
        keys=keys,
        maintainers=maintainers,
        source=Source(ISSUER_FILE, m.line),
        status_valid_days=valid_days,
    )


def read_maintainers(doc: ProgramFile, m: LineDict) -> tuple[str, ...]:
    """``maintainers``: GitHub users or teams, written ``@user`` or ``@org/team``."""
    value = m.get("maintainers")
    if value is None:
        return ()
    hint = 'GitHub users or teams, e.g. maintainers: ["@octocat", "@northwind/credentials"]'
    if not isinstance(value, LineList):
        doc.error(
            m.line_of("maintainers"),
            "maintainers",
            f"expected a list, got {kind_of(value)}",
            hint,
        )
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        handle = item.strip() if isinstance(item, str) else None
        name = handle[1:] if handle and handle.startswith("@") else None
        if name is None or not (GITHUB_USER.match(name) or GITHUB_TEAM.match(name)):
            doc.error(
                value.line_of(i),
                f"maintainers[{i}]",
                f"not a GitHub user or team: {kind_of(item)}",
                hint + " (quote them: @ cannot start a plain YAML value)",
            )
        elif handle in out:
            doc.error(value.line_of(i), f"maintainers[{i}]", f"'{handle}' is listed twice")
        elif handle is not None:
            out.append(handle)
    return tuple(out)


def read_keys(reader: ProgramReader) -> tuple[IssuerKey, ...] | None:
    """The issuer's public keys (``()`` without the file); None when the file has an error."""
    if not (reader.root / KEYS_FILE).exists():
        return ()
    data, ok = reader.read(KEYS_FILE)
    doc = ProgramFile(KEYS_FILE, reader.problems)
    m = top_mapping(doc, data, ("keys",)) if ok else None
    if m is None:
        return None
    items = m.get("keys")
    if not isinstance(items, LineList):
        if items is not None:
            doc.error(m.line_of("keys"), "keys", f"expected a list of keys, got {kind_of(items)}")
        return None
    keys: list[IssuerKey] = []
    ids: dict[str, int] = {}
    publics: dict[str, int] = {}
    for i, item in enumerate(items):
        path = f"keys[{i}]"
        k = doc.mapping(item, items.line_of(i), path, KEY_KEYS, ("retired",))
        if k is None:
            continue
        key_id = doc.text(k, "id", path)
        if key_id is not None:
            if not KEY_ID.match(key_id):
                doc.error(
                    k.line_of("id"),
                    f"{path}.id",
                    f"not a valid key id: '{key_id}'",
                    "lower-case letters, digits and hyphens, e.g. key-2026-11-28",
                )
            elif key_id in ids:
                doc.error(
                    k.line_of("id"),
                    f"{path}.id",
                    f"duplicate key id '{key_id}' (also on line {ids[key_id]})",
                    "every key needs its own id",
                )
            else:
                ids[key_id] = k.line_of("id")
        public = doc.text(k, "publicKeyMultibase", path)
        if public is not None:
            if not _multibase_ok(public):
                doc.error(
                    k.line_of("publicKeyMultibase"),
                    f"{path}.publicKeyMultibase",
                    "not an Ed25519 public key in Multikey form (z6Mk...)",
                    "write keys with `credstack keys`; never put a secret key here",
                )
            elif public in publics:
                doc.error(
                    k.line_of("publicKeyMultibase"),
                    f"{path}.publicKeyMultibase",
                    f"the same public key is listed twice (also on line {publics[public]})",
                )
            else:
                publics[public] = k.line_of("publicKeyMultibase")
        created = doc.when(k, "created", path)
        retired_at = retired_reason = None
        if k.get("retired") is not None:
            r = doc.mapping(
                k["retired"], k.line_of("retired"), f"{path}.retired", ("at",), ("reason",)
            )
            if r is not None:
                retired_at = doc.when(r, "at", f"{path}.retired")
                retired_reason = doc.text(r, "reason", f"{path}.retired")
                if created and retired_at and retired_at <= created:
                    doc.error(
                        r.line_of("at"),
                        f"{path}.retired.at",
                        "a key must be retired after it was created",
                    )
        if not doc.failed and key_id and public and created:
            keys.append(
                IssuerKey(
                    id=key_id,
                    public_key_multibase=public,
                    created=created,
                    retired_at=retired_at,
                    retired_reason=retired_reason,
                    source=Source(KEYS_FILE, items.line_of(i)),
                )
            )
    return None if doc.failed else tuple(keys)


def _multibase_ok(value: str) -> bool:
    """True for an Ed25519 Multikey: base58btc ('z') of 0xed 0x01 + 32 bytes."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    if not value.startswith("z6Mk") or any(c not in alphabet for c in value[1:]):
        return False
    n = 0
    for c in value[1:]:
        n = n * 58 + alphabet.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return len(raw) == 34 and raw[:2] == b"\xed\x01"
