"""A content-addressed build cache: ``.cache/credstack/<kind>/<sha256>.<ext>``.

Entries are named by the SHA-256 of everything that went into them, so an entry never goes
stale: a changed input is a different name. Writes are atomic (temp file + rename) so that an
interrupted build never leaves a half-written image behind. Entries not used by a build are
removed at its end, which keeps the folder as large as one site and no larger.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Only files named like entries (or like their temporary files, left by an interrupted
#: build) are ever deleted by :meth:`BuildCache.prune`.
_ENTRY = re.compile(r"^[0-9a-f]{64}\.[a-z]{2,4}$")
_TEMPORARY = re.compile(r"^\.[0-9a-f]{64}\.[a-z]{2,4}\.[^./]+\.tmp$")


def link_or_copy(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Put ``source`` at ``target``: a hard link where the file system allows it (thousands of
    images cost no copying), else a copy."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.lexists(target):
        os.unlink(target)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def content_key(*parts: Any) -> str:
    """SHA-256 (hex) of ``parts``: bytes are hashed as they are, anything else as sorted JSON."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes | bytearray):
            data = bytes(part)
        else:
            data = json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class BuildCache:
    """Files cached by content key; ``root`` None disables the cache (everything is recomputed
    into a temporary folder that lives as long as the object)."""

    def __init__(self, root: Path | None):
        self._tmp = None
        if root is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="credstack-")
            root = Path(self._tmp.name)
        self.root = Path(root)
        self.used: set[Path] = set()
        self.hits = 0
        self.misses = 0
        self._listings: dict[str, set[str]] = {}

    def path(self, kind: str, key: str, ext: str) -> Path:
        return self.root / kind / f"{key}.{ext}"

    def listing(self, kind: str) -> set[str]:
        """The names of the entries of ``kind`` (listed once a build: one directory read
        instead of a file lookup per entry)."""
        if kind not in self._listings:
            folder = self.root / kind
            self._listings[kind] = set(os.listdir(folder)) if folder.is_dir() else set()
        return self._listings[kind]

    def has(self, path: Path) -> bool:
        """Whether the entry at ``path`` (from :meth:`path`) exists."""
        return path.name in self.listing(path.parent.name)

    def store(self, kind: str, data: bytes, ext: str, digest: str | None = None) -> Path:
        """``data`` as an entry named by its SHA-256 (``digest``, when known), written only
        when it is not there yet; returns its path. Not counted as hits or misses."""
        path = self.path(kind, digest or hashlib.sha256(data).hexdigest(), ext)
        self.used.add(path)
        if not self.has(path):
            self.write(path, data)
            self.listing(kind).add(path.name)
        return path

    def file(self, kind: str, key: str, ext: str, make: Callable[[], bytes]) -> Path:
        """The path of the entry, computing it with ``make()`` when it is missing."""
        path = self.path(kind, key, ext)
        self.used.add(path)
        if path.is_file():
            self.hits += 1
            return path
        self.misses += 1
        self.write(path, make())
        return path

    def get_json(self, kind: str, key: str) -> Any | None:
        path = self.path(kind, key, "json")
        self.used.add(path)
        try:
            value = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        self.hits += 1
        return value

    def put_json(self, kind: str, key: str, value: Any) -> None:
        self.misses += 1
        path = self.path(kind, key, "json")
        self.used.add(path)
        self.write(path, json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8"))

    @staticmethod
    def write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            # mkstemp makes 0600 files; these end up (hard-linked) on a public web site.
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def prune(self, kinds: tuple[str, ...]) -> int:
        """Delete the entries of ``kinds`` this build did not use; returns how many.

        Only files named ``<sha256>.<ext>`` in the kinds' folders are candidates, so a cache
        folder pointed at the wrong place cannot lose anything else.
        """
        removed = 0
        for kind in kinds:
            folder = self.root / kind
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if _TEMPORARY.match(path.name) or (
                    _ENTRY.match(path.name) and path not in self.used and path.is_file()
                ):
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed
