"""Where a credential's file lives under ``issued/credentials/``: the one home of that rule.

GitHub's web view lists at most 1,000 files in a folder, and a registry of 100,000 credentials
in one folder is slow to list anywhere. So credential files are sharded by the year and the
first character of their random part, which every id carries (``2025-zhwnhhb4ze``)::

    issued/credentials/2025/z/2025-zhwnhhb4ze.json

A year folder then holds at most 32 folders, and a shard about 1/32 of the year's credentials:
up to 32,000 credentials a year before a shard passes 1,000 files. An id of another shape
(a registry of other origins) goes to ``issued/credentials/_/``.

Registries from before sharding keep their flat files (``issued/credentials/<cid>.json``) and
stay readable; :func:`migrate` (``credstack migrate``) moves them into their shards. A
credential's public URL is made from its id alone (``.../credentials/<cid>/``), so moving its
file changes no URL. A new credential goes where its registry keeps them: into its shard once
the registry is sharded, else flat (see :data:`SHARD_NEW_REGISTRIES`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from credstack.errors import RegistryError

CREDENTIALS_DIR = "issued/credentials"
_SHARDED = re.compile(r"^(\d{4})-([a-z0-9])")
#: What a credential file's path inside ``issued/credentials/`` may look like (POSIX).
FILE_PATTERN = re.compile(r"^(?:(?:\d{4}/[a-z0-9]|_)/)?([^/]+)\.json$")


def shard(cid: str) -> str:
    """The folder of ``cid`` inside ``issued/credentials/`` ("2025/z")."""
    match = _SHARDED.match(cid)
    return f"{match.group(1)}/{match.group(2)}" if match else "_"


#: Whether a registry with no credential yet starts sharded. Off until the merge gate
#: (registry/check.py: its ``issued-layout`` rule and its diff against the base) reads sharded
#: paths through :func:`cid_of`; until then ``credstack migrate`` shards a registry.
SHARD_NEW_REGISTRIES = False


def sharded_path(root: Path, cid: str) -> Path:
    """Where the file of ``cid`` sits in a sharded registry."""
    return Path(root) / CREDENTIALS_DIR / shard(cid) / f"{cid}.json"


def is_sharded(root: Path, files: dict[str, Path]) -> bool:
    """Whether a registry whose credential files are ``files`` keeps them in shards."""
    base = Path(root) / CREDENTIALS_DIR
    if not files:
        return SHARD_NEW_REGISTRIES
    return any(path.parent != base for path in files.values())


def credential_path(root: Path, cid: str, files: dict[str, Path], sharded: bool) -> Path:
    """Where the file of credential ``cid`` is (``files``: :func:`credential_files` of the
    registry), or for a new credential where it goes: its shard in a ``sharded`` registry
    (:func:`is_sharded`), else the flat folder."""
    if cid in files:
        return files[cid]
    if sharded:
        return sharded_path(root, cid)
    return Path(root) / CREDENTIALS_DIR / f"{cid}.json"


def cid_of(relative: str) -> str | None:
    """The credential id of a file at ``relative`` (a POSIX path inside
    ``issued/credentials/``, flat or sharded), or None when credstack writes no such file
    there. A sharded file must be in its own shard."""
    match = FILE_PATTERN.match(relative)
    if match is None:
        return None
    cid = match.group(1)
    folder = relative.rpartition("/")[0]
    return cid if folder in ("", shard(cid)) else None


def credential_files(root: Path) -> dict[str, Path]:
    """Every credential file by id, flat or sharded, in id order.

    Raises RegistryError when a file sits in the wrong shard or one id has two files.
    """
    base = Path(root) / CREDENTIALS_DIR
    found: dict[str, Path] = {}
    if not base.is_dir():
        return found
    stack = [(base, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if relative.count("/") <= 1:  # at most two levels: year/char
                        stack.append((Path(entry.path), relative + "/"))
                    continue
                if not entry.name.endswith(".json"):
                    continue
                cid = cid_of(relative)
                if cid is None:
                    raise RegistryError(
                        f"{CREDENTIALS_DIR}/{relative}: not where credstack keeps a credential",
                        hint=f"credential files live in {CREDENTIALS_DIR}/<year>/<letter>/ "
                        "(credstack migrate moves them there); restore the file with git",
                    )
                if cid in found:
                    raise RegistryError(
                        f"{CREDENTIALS_DIR}/{relative}: credential {cid} has a second file "
                        f"({found[cid].relative_to(root)})",
                        hint="keep one: credstack migrate moves flat files into their shards",
                    )
                found[cid] = Path(entry.path)
    return dict(sorted(found.items()))


def migrate(root: Path) -> list[tuple[Path, Path]]:
    """Move every flat credential file into its shard; returns (old, new) of each move.

    Idempotent: a sharded registry is left as it is. Nothing else changes: the files' bytes,
    the ids and so every public URL stay the same. Raises RegistryError (before moving
    anything) when a credential would land on another file.
    """
    moves = []
    for cid, path in credential_files(root).items():
        target = sharded_path(root, cid)
        if path != target:
            if target.exists():  # pragma: no cover - credential_files refuses two files
                raise RegistryError(f"{target} exists already")
            moves.append((path, target))
    for old, new in moves:
        new.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, new)
    return moves
