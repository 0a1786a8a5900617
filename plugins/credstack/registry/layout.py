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
from collections.abc import Iterable
from pathlib import Path

from credstack.errors import RegistryError

CREDENTIALS_DIR = "issued/credentials"
#: A credential file's path in the registry (POSIX, relative to its root): flat, or in its own
#: shard (year and letter of its id; ``_`` for ids of another shape). Group 1 is the id.
CREDENTIAL_FILE = re.compile(
    r"^issued/credentials/"
    r"(?=(?:\d{4}/[a-z0-9]/|_/)?([^/]+)\.json$)"  # the id, whatever the folder
    r"(?:(\d{4})/([a-z0-9])/(?=\2-\3)|_/(?!\d{4}-[a-z0-9]))?\1\.json$"  # ... and its own
)
_SHARDED = re.compile(r"^(\d{4})-([a-z0-9])")
#: Whether a registry with no credential yet starts sharded. Off until the merge gate's diff
#: against its base (registry/check/base.py) follows a file that moved into its shard by its
#: id, as a rename; until then ``credstack migrate`` shards a registry in one reviewed step.
SHARD_NEW_REGISTRIES = False


def shard(cid: str) -> str:
    """The folder of ``cid`` inside ``issued/credentials/`` ("2025/z")."""
    match = _SHARDED.match(cid)
    return f"{match.group(1)}/{match.group(2)}" if match else "_"


def sharded_path(root: Path, cid: str) -> Path:
    """Where the file of ``cid`` sits in a sharded registry."""
    return Path(root) / CREDENTIALS_DIR / shard(cid) / f"{cid}.json"


def cid_of(rel: str) -> str | None:
    """The credential id of the file at ``rel`` (POSIX, relative to the registry root), or
    None when credstack keeps no credential there."""
    match = CREDENTIAL_FILE.match(rel)
    return match.group(1) if match else None


def is_sharded(rels: Iterable[str]) -> bool:
    """Whether a registry whose credential files are at ``rels`` keeps them in shards (one
    sharded file is enough; an empty registry: :data:`SHARD_NEW_REGISTRIES`)."""
    seen = False
    for rel in rels:
        seen = True
        if rel.count("/") > 2:
            return True
    return SHARD_NEW_REGISTRIES if not seen else False


def new_credential_path(root: Path, cid: str, *, sharded: bool) -> Path:
    """Where the file of a new credential ``cid`` goes: its shard, or the flat folder."""
    if sharded:
        return sharded_path(root, cid)
    return Path(root) / CREDENTIALS_DIR / f"{cid}.json"


def credential_files(root: Path) -> dict[str, Path]:
    """Every credential file under ``root`` by id, flat or sharded, in id order (read from
    the file system: :func:`migrate` moves them).

    Raises RegistryError when one id has two files.
    """
    root = Path(root)
    found: dict[str, Path] = {}
    base = root / CREDENTIALS_DIR
    for dirpath, _, filenames in os.walk(base) if base.is_dir() else []:
        for name in sorted(filenames):
            path = Path(dirpath) / name
            cid = cid_of(path.relative_to(root).as_posix())
            if cid is None:
                continue  # not a credential file: the merge gate reports it
            if cid in found:
                raise RegistryError(
                    f"{path.relative_to(root)}: credential {cid} has a second file "
                    f"({found[cid].relative_to(root)})",
                    hint="keep the one in its shard (issued/credentials/<year>/<letter>/)",
                )
            found[cid] = path
    return dict(sorted(found.items()))


def migrate(root: Path) -> list[tuple[Path, Path]]:
    """Move every flat credential file into its shard; returns (old, new) of each move.

    Idempotent: a sharded registry is left as it is. Nothing else changes: the files' bytes,
    the ids and so every public URL stay the same. Raises RegistryError (before moving
    anything) when one id has two files.
    """
    moves = []
    for cid, path in credential_files(root).items():
        target = sharded_path(root, cid)
        if path != target:
            moves.append((path, target))
    for old, new in moves:
        new.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, new)
    return moves
