"""The issuer's signing keys: secrets outside the repository, public keys in program/keys.yml.

A secret is a Multikey secret (``z3u2...``, base58btc of 0x8026 + seed). It lives in a file
outside the work tree (mode 0600; default: the user's config directory) or in the environment
variable ``CREDSTACK_SIGNING_KEY`` (for CI secrets). Only public keys enter the repository.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from credstack.crypto.keys import SigningKey
from credstack.errors import SigningKeyError
from credstack.model.program import IssuerKey, Program
from credstack.model.status import format_datetime
from credstack.model.urls import SiteUrls
from credstack.registry import tlog
from credstack.registry.files import Transaction, write_atomic
from credstack.registry.placeholders import refuse_placeholders

ENV_VAR = "CREDSTACK_SIGNING_KEY"
KEYS_FILE = "program/keys.yml"
KEY_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_HEADER = (
    "# The issuer's public signing keys, written by `credstack keys`. Do not edit by hand.\n"
    "# Retired keys stay listed: credentials they signed before retirement still verify.\n"
)


def default_key_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/credstack/keys`` (or ``~/.config/credstack/keys``)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "credstack" / "keys"


def key_file_name(program: Program, key_id: str) -> str:
    host = SiteUrls(program.site_url).issuer_id.removeprefix("did:web:").replace(":", "_")
    return f"{host}_{key_id}.key"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _git_tracked(path: Path) -> bool:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--error-unmatch", path.name],
            cwd=path.parent,
            capture_output=True,
            check=False,
        )
    except (OSError, ValueError):
        return False
    return out.returncode == 0


def refuse_unsafe_key_file(path: Path, root: Path) -> None:
    """Raise SigningKeyError if ``path`` lies in the registry work tree or is tracked by git."""
    if _inside(path, root):
        raise SigningKeyError(
            f"the key file {path} lies inside the registry work tree",
            hint="move it outside the repository (e.g. ~/.config/credstack/keys/) and never "
            "commit it; if it was ever committed, retire that key with `credstack keys retire`",
        )
    if path.exists() and _git_tracked(path):
        raise SigningKeyError(
            f"the key file {path} is tracked by git",
            hint="remove it from that repository's history and retire the key",
        )


def read_secret_file(path: Path, root: Path) -> SigningKey:
    """Load a secret key file after the safety checks; raises SigningKeyError."""
    refuse_unsafe_key_file(path, root)
    try:
        text = path.read_text("utf-8").strip()
    except OSError as e:
        raise SigningKeyError(
            f"cannot read the key file {path}: {e.strerror}",
            hint="pass --key FILE or set CREDSTACK_SIGNING_KEY",
        ) from e
    except UnicodeDecodeError:
        raise SigningKeyError(
            f"the key file {path} is not a credstack secret key (not text)",
            hint="a key file holds one line: the multibase secret printed by "
            "`credstack keys create --print`",
        ) from None
    return SigningKey.from_multibase_secret(text)


@dataclass(frozen=True)
class LoadedKey:
    signing_key: SigningKey
    issuer_key: IssuerKey
    verification_method: str


def find_signing_key(
    program: Program,
    root: Path,
    *,
    key_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    key_dir: Path | None = None,
) -> LoadedKey:
    """The signing key to use, matched to a published, unretired issuer key.

    Order: ``key_file``; the ``CREDSTACK_SIGNING_KEY`` environment variable; else the single
    stored key file for one of this issuer's unretired keys in the default key directory.
    Raises SigningKeyError when none is found or the key is not one of the issuer's keys.
    """
    env = os.environ if env is None else env
    if key_file is not None:
        secret = read_secret_file(Path(key_file).expanduser(), root)
    elif env.get(ENV_VAR):
        secret = SigningKey.from_multibase_secret(env[ENV_VAR].strip())
    else:
        secret = _stored_secret(program, root, key_dir or default_key_dir(env))
    public = secret.public_key_multibase
    match = next((k for k in program.issuer.keys if k.public_key_multibase == public), None)
    if match is None:
        raise SigningKeyError(
            f"the signing key {public[:16]}… is not one of the issuer's keys in {KEYS_FILE}",
            hint="use a key listed by `credstack keys list`, or publish this one with "
            "`credstack keys create --import FILE`",
        )
    urls = SiteUrls(program.site_url)
    return LoadedKey(secret, match, urls.key_id(match.id))


def _stored_secret(program: Program, root: Path, directory: Path) -> SigningKey:
    """The newest unretired issuer key whose secret is stored in ``directory``.

    Files are matched by their public key, not only by name: a key created before ``site_url``
    changed (its file name holds the old host) is still found.
    """
    active = {k.public_key_multibase: i for i, k in enumerate(program.issuer.keys)}
    active = {pk: i for pk, i in active.items() if program.issuer.keys[i].retired_at is None}
    named = [directory / key_file_name(program, k.id) for k in program.issuer.keys]
    others = sorted(directory.glob("*.key")) if directory.is_dir() else []
    best: tuple[int, SigningKey] | None = None
    for path in [*named, *others]:
        if not path.is_file():
            continue
        try:
            secret = read_secret_file(path, root)
        except SigningKeyError:
            if path in named:
                raise
            continue  # someone else's or a damaged file: not one of ours
        rank = active.get(secret.public_key_multibase)
        if rank is not None and (best is None or rank > best[0]):
            best = (rank, secret)
    if best is None:
        raise SigningKeyError(
            "no signing key given",
            hint="pass --key FILE, set CREDSTACK_SIGNING_KEY, or create one with "
            "`credstack keys create`",
        )
    return best[1]


def _keys_yaml(keys: list[IssuerKey]) -> str:
    entries = []
    for k in keys:
        entry: dict[str, Any] = {
            "id": k.id,
            "publicKeyMultibase": k.public_key_multibase,
            "created": format_datetime(k.created),
        }
        if k.retired_at is not None:
            entry["retired"] = {"at": format_datetime(k.retired_at), "reason": k.retired_reason}
        entries.append(entry)
    return _HEADER + yaml.safe_dump({"keys": entries}, sort_keys=False, allow_unicode=True)


@dataclass(frozen=True)
class CreatedKey:
    issuer_key: IssuerKey
    secret_path: Path | None
    secret: SigningKey


def create_key(
    program: Program,
    root: Path,
    *,
    now: datetime,
    key_id: str | None = None,
    key_dir: Path | None = None,
    store: bool = True,
    secret: SigningKey | None = None,
) -> CreatedKey:
    """Make (or import) an Ed25519 key, store its secret outside the tree, publish its public key.

    Raises SigningKeyError for a bad or duplicate id, or an unsafe storage location, and
    ConfigError while the program still has placeholder values (site_url, issuer url, email).
    """
    refuse_placeholders(program, "create a key")
    key_id = key_id or f"key-{now.astimezone(UTC):%Y-%m-%d}"
    if not KEY_ID_RE.match(key_id):
        raise SigningKeyError(
            f"key id {key_id!r} is not a slug", hint="use lower-case letters, digits and dashes"
        )
    if program.issuer.key(key_id) is not None:
        raise SigningKeyError(
            f"a key with id {key_id!r} already exists", hint="choose another id with --id"
        )
    secret = secret or SigningKey.generate()
    if any(k.public_key_multibase == secret.public_key_multibase for k in program.issuer.keys):
        raise SigningKeyError("this key is already published", hint="see `credstack keys list`")
    issuer_key = IssuerKey(id=key_id, public_key_multibase=secret.public_key_multibase, created=now)
    path = None
    if store:
        directory = (key_dir or default_key_dir()).expanduser()
        path = directory / key_file_name(program, key_id)
        refuse_unsafe_key_file(path, root)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, secret.to_multibase_secret() + "\n", mode=stat.S_IRUSR | stat.S_IWUSR)
    try:
        with Transaction(root) as tx:
            tx.write(root / KEYS_FILE, _keys_yaml([*program.issuer.keys, issuer_key]))
            # Transparency log: a key that can sign credentials is a change verifiers must see.
            tlog.record_key_added(tx, root, key_id, issuer_key.public_key_multibase, now)
    except BaseException:
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    return CreatedKey(issuer_key, path, secret)


def retire_key(
    program: Program, root: Path, key_id: str, *, at: datetime, reason: str
) -> IssuerKey:
    """Mark a key retired from ``at`` on (proofs created later no longer verify)."""
    key = program.issuer.key(key_id)
    if key is None:
        raise SigningKeyError(
            f"unknown key {key_id!r}", hint="see `credstack keys list` for the key ids"
        )
    if key.retired_at is not None:
        raise SigningKeyError(f"key {key_id!r} was already retired on {key.retired_at:%Y-%m-%d}")
    if at < key.created:
        raise SigningKeyError(f"key {key_id!r} cannot retire before it was created")
    if not reason.strip():
        raise SigningKeyError("a retirement needs a reason", hint="pass --reason TEXT")
    retired = IssuerKey(
        id=key.id,
        public_key_multibase=key.public_key_multibase,
        created=key.created,
        retired_at=at,
        retired_reason=reason.strip(),
    )
    keys = [retired if k.id == key_id else k for k in program.issuer.keys]
    with Transaction(root) as tx:
        tx.write(root / KEYS_FILE, _keys_yaml(keys))
        tlog.record_key_retired(tx, root, key.id, key.public_key_multibase, at)
    return retired
