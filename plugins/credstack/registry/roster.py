"""The private roster: who received which credential, with their plain email, never in public.

Credentials carry only a salted hash of the recipient's email, so the issuer could not tell a
holder that a credential exists or remind them to renew it. At award time the email is known:
each award adds a row (name, email, recipient id, credential id, achievement, date) to

- by default a JSON Lines file outside the work tree, mode 0600, one per registry
  (``$XDG_CONFIG_HOME/credstack/roster/<issuer>.jsonl``, else ``~/.config/...``);
- for awards made in CI (``--roster sealed``), ``issued/roster/<first credential id>.sealed``,
  committed with the credentials: one line per row, each a sealed box
  (:mod:`credstack.crypto.sealed`) to the roster public key in ``program/roster-key.yml``. Only
  the holder of the roster secret (``credstack roster keys create`` keeps it outside the work
  tree) can read them.

:func:`load_roster` merges both. Renewals and corrections know no email (the registry never
does after the first award): their rows take the email of the same recipient's other rows.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from credstack.crypto.sealed import (
    check_public_key,
    new_roster_key,
    roster_public_key,
    seal,
    unseal,
)
from credstack.errors import RosterError
from credstack.model.credential import normalize_email
from credstack.model.status import format_datetime, parse_datetime
from credstack.model.urls import SiteUrls
from credstack.registry.award import AwardPlan
from credstack.registry.files import Transaction, write_atomic
from credstack.registry.keys import _inside
from credstack.registry.registry import Registry

ROSTER_KEY_FILE = "program/roster-key.yml"
SEALED_DIR = "issued/roster"
SEALED_SUFFIX = ".sealed"
ENV_SECRET = "CREDSTACK_ROSTER_SECRET"
MODES = ("local", "sealed")
_HEADER = (
    "# The issuer's roster public key, written by `credstack roster keys create`. Awards made\n"
    "# in CI seal each recipient's name and email to it (issued/roster/); only the roster\n"
    "# secret, kept outside the repository, opens them.\n"
)
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


@dataclass(frozen=True)
class RosterRow:
    """One award, with the recipient's private contact details."""

    credential: str  # credential id
    recipient: str  # urn:credstack:recipient:…
    name: str
    email: str | None  # None for renewals and corrections (filled in by load_roster)
    achievement: str
    awarded_at: datetime
    public_profile: bool = False

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "credential": self.credential,
            "recipient": self.recipient,
            "name": self.name,
            "email": self.email,
            "achievement": self.achievement,
            "awarded_at": format_datetime(self.awarded_at),
        }
        if self.public_profile:
            doc["public_profile"] = True
        return doc

    @classmethod
    def from_json(cls, doc: object, where: str) -> RosterRow:
        """Read one row; raises RosterError naming ``where`` for a malformed one."""
        try:
            assert isinstance(doc, dict)
            email = doc.get("email")
            return cls(
                credential=str(doc["credential"]),
                recipient=str(doc["recipient"]),
                name=str(doc["name"]),
                email=str(email) if email else None,
                achievement=str(doc["achievement"]),
                awarded_at=parse_datetime(doc["awarded_at"]),
                public_profile=bool(doc.get("public_profile", False)),
            )
        except (AssertionError, KeyError, TypeError, ValueError) as e:
            raise RosterError(
                f"{where}: not a roster row ({e})",
                hint="roster files are written by credstack; restore it from a backup",
            ) from e


def rows_for(plan: AwardPlan, issuer_id: str, *, public_profile: bool = False) -> list[RosterRow]:
    """A roster row for every credential ``plan`` awards (the award's own inputs)."""
    rows = []
    for awarded in plan.awarded:
        inp = awarded.input
        rows.append(
            RosterRow(
                credential=awarded.cid,
                recipient=inp.recipient(issuer_id),
                name=inp.name,
                email=normalize_email(inp.email or "") if inp.identity is None else None,
                achievement=inp.achievement,
                awarded_at=inp.issued_at,
                public_profile=public_profile or inp.public_profile,
            )
        )
    return rows


# -- where the private files live ------------------------------------------------------------


def roster_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/credstack/roster`` (or ``~/.config/credstack/roster``)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "credstack" / "roster"


def registry_key(registry: Registry) -> str:
    """A file-name-safe key of the registry (its issuer id), so rosters never mix."""
    issuer = SiteUrls(registry.program.site_url).issuer_id.removeprefix("did:web:")
    return re.sub(r"[^A-Za-z0-9.-]+", "_", issuer)


def private_path(registry: Registry, suffix: str, env: Mapping[str, str] | None = None) -> Path:
    """A private file of this registry in :func:`roster_dir`; raises RosterError when that
    lies inside the work tree (a plain email must never be committable)."""
    path = roster_dir(env) / f"{registry_key(registry)}{suffix}"
    refuse_inside(path, registry.root)
    return path


def refuse_inside(path: Path, root: Path) -> None:
    """Raise RosterError if ``path`` lies inside the registry work tree."""
    if _inside(path, root):
        raise RosterError(
            f"{path} lies inside the registry work tree: plain emails would be committable",
            hint="set XDG_CONFIG_HOME to a folder outside the repository (default ~/.config), "
            "or award with --roster sealed",
        )


def _private_write(path: Path, text: str, root: Path) -> None:
    refuse_inside(path, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    write_atomic(path, text, mode=0o600)


# -- the local roster ------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every JSON object line of a private JSON Lines file ([] when it does not exist)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return []
    except OSError as e:
        raise RosterError(f"cannot read {path}: {e.strerror}") from e
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError as e:
            raise RosterError(
                f"{path}:{n}: not JSON ({e})", hint="restore the file from a backup"
            ) from e
    return out


def append_jsonl(path: Path, docs: Iterable[dict[str, Any]], root: Path) -> None:
    """Append lines to a private file (rewritten atomically, mode 0600, outside ``root``)."""
    refuse_inside(path, root)
    old = path.read_text("utf-8") if path.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    new = "".join(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n" for d in docs)
    _private_write(path, old + new, root)


def record_local(
    registry: Registry, rows: list[RosterRow], env: Mapping[str, str] | None = None
) -> Path | None:
    """Add ``rows`` to the registry's local roster file; returns its path (None: no rows)."""
    if not rows:
        return None
    path = private_path(registry, ".jsonl", env)
    append_jsonl(path, (r.to_json() for r in rows), registry.root)
    return path


# -- sealed rows in issued/ ------------------------------------------------------------------


def read_public_key(root: Path) -> str:
    """The roster public key from ``program/roster-key.yml``; raises RosterError."""
    path = root / ROSTER_KEY_FILE
    try:
        doc = yaml.safe_load(path.read_text("utf-8"))
    except FileNotFoundError as e:
        raise RosterError(
            f"no roster key: {ROSTER_KEY_FILE} is missing",
            hint="run `credstack roster keys create` and commit program/roster-key.yml",
        ) from e
    except (OSError, yaml.YAMLError) as e:
        raise RosterError(f"cannot read {ROSTER_KEY_FILE}: {e}") from e
    public = doc.get("publicKey") if isinstance(doc, dict) else None
    if not isinstance(public, str):
        raise RosterError(f"{ROSTER_KEY_FILE}: publicKey is missing")
    check_public_key(public)
    return public


def stage_sealed(tx: Transaction, registry: Registry, rows: list[RosterRow]) -> Path | None:
    """Stage ``issued/roster/<first credential id>.sealed`` with ``rows`` sealed to the roster
    public key; raises RosterError (before anything is written) when there is no key."""
    if not rows:
        return None
    public = read_public_key(registry.root)
    lines = [
        seal(public, json.dumps(r.to_json(), ensure_ascii=False).encode("utf-8")) for r in rows
    ]
    path = registry.root / SEALED_DIR / f"{rows[0].credential}{SEALED_SUFFIX}"
    if path.exists():
        raise RosterError(f"{path} already exists")  # pragma: no cover - ids are unique
    tx.write(path, "\n".join(lines) + "\n")
    return path


def sealed_files(root: Path) -> list[Path]:
    folder = root / SEALED_DIR
    return sorted(folder.glob(f"*{SEALED_SUFFIX}")) if folder.is_dir() else []


# -- roster keys -----------------------------------------------------------------------------


def secret_path(registry: Registry, env: Mapping[str, str] | None = None) -> Path:
    return private_path(registry, ".roster-secret", env)


def create_roster_key(
    registry: Registry,
    *,
    now: datetime,
    store: bool = True,
    env: Mapping[str, str] | None = None,
) -> tuple[str, str, Path | None]:
    """A new roster key pair: the public key into ``program/roster-key.yml``, the secret into
    a 0600 file outside the work tree (or returned, with ``store=False``, to keep elsewhere).

    Returns (public, secret, secret file or None). An earlier secret is kept (renamed with its
    date): rows sealed to it still open.
    """
    public, secret = new_roster_key()
    path: Path | None = None
    if store:
        path = secret_path(registry, env)
        if path.exists():
            stamp = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y%m%d%H%M%S")
            old = path.with_name(f"{path.name}.{stamp}")
            _private_write(old, path.read_text("utf-8"), registry.root)
        _private_write(path, secret + "\n", registry.root)
    doc = {"publicKey": public, "created": format_datetime(now)}
    write_atomic(registry.root / ROSTER_KEY_FILE, _HEADER + yaml.safe_dump(doc, sort_keys=False))
    return public, secret, path


def roster_secrets(
    registry: Registry, *, secret_file: Path | None = None, env: Mapping[str, str] | None = None
) -> list[str]:
    """The roster secrets to try: ``secret_file``, ``CREDSTACK_ROSTER_SECRET``, then the
    stored ones (newest first). Raises RosterError for a secret file inside the work tree."""
    env = os.environ if env is None else env
    found: list[str] = []
    if secret_file is not None:
        refuse_inside(secret_file, registry.root)
        try:
            found.append(secret_file.read_text("utf-8").strip())
        except OSError as e:
            raise RosterError(f"cannot read {secret_file}: {e.strerror}") from e
    if env.get(ENV_SECRET):
        found.append(env[ENV_SECRET].strip())
    path = secret_path(registry, env)
    if path.parent.is_dir():
        stored = sorted(path.parent.glob(path.name + "*"), key=lambda p: p.name, reverse=True)
        stored.sort(key=lambda p: p != path)  # the current one first
        for p in stored:
            found.append(p.read_text("utf-8").strip())
    for secret in found:
        roster_public_key(secret)  # RosterError for a malformed secret
    return found


# -- the merged roster -----------------------------------------------------------------------


@dataclass
class Roster:
    """Every roster row this issuer can read, by credential id, emails filled in."""

    rows: dict[str, RosterRow] = field(default_factory=dict)
    sealed_unread: int = 0  # sealed rows no available secret opens
    local_file: Path | None = None

    def email_of(self, recipient: str | None) -> str | None:
        for row in self.rows.values():
            if row.recipient == recipient and row.email:
                return row.email
        return None

    def for_credential(self, cid: str) -> RosterRow | None:
        return self.rows.get(cid)


def load_roster(
    registry: Registry,
    *,
    secrets: list[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Roster:
    """The local roster and every sealed row that ``secrets`` open, merged by credential id,
    for the credentials that exist in the registry. Raises RosterError for unreadable files."""
    roster = Roster()
    path = private_path(registry, ".jsonl", env)
    roster.local_file = path
    rows: list[RosterRow] = []
    for n, doc in enumerate(read_jsonl(path), 1):
        rows.append(RosterRow.from_json(doc, f"{path}:{n}"))
    for file in sealed_files(registry.root):
        rel = file.relative_to(registry.root)
        for n, line in enumerate(file.read_text("ascii").splitlines(), 1):
            if not line.strip():
                continue
            opened = None
            for secret in secrets or []:
                try:
                    opened = unseal(secret, line)
                    break
                except RosterError:
                    continue
            if opened is None:
                roster.sealed_unread += 1
                continue
            try:
                doc = json.loads(opened)
            except ValueError as e:
                raise RosterError(f"{rel}:{n}: a sealed row is not JSON") from e
            rows.append(RosterRow.from_json(doc, f"{rel}:{n}"))
    known = registry.credentials
    emails = {r.recipient: r.email for r in rows if r.email}
    for row in rows:
        if row.credential not in known:
            continue  # the award that wrote it did not complete
        if row.email is None and row.recipient in emails:
            row = RosterRow(**{**row.__dict__, "email": emails[row.recipient]})
        roster.rows.setdefault(row.credential, row)
    return roster
