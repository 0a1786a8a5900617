"""Atomic file writes: a failed command leaves the registry exactly as it was.

A :class:`Transaction` stages every file of one operation in memory, writes each to a temporary
file beside its target, and only then renames them into place. If anything fails before the
renames, nothing changed; if a rename fails half-way, the files already replaced are restored
from their previous bytes.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from credstack.errors import RegistryError


def dump_json(doc: Any) -> str:
    """The one JSON serialization credstack writes: 2-space indent, UTF-8, trailing newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _write_temp(target: Path, data: bytes, mode: int | None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write one file atomically (temp file + rename)."""
    with Transaction() as tx:
        tx.write(path, data, mode=mode)


class Transaction:
    """Stage several writes and apply them together on successful exit of the ``with`` block."""

    def __init__(self) -> None:
        self._staged: dict[Path, tuple[bytes, int | None]] = {}

    def write(self, path: Path, data: str | bytes, *, mode: int | None = None) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        self._staged[Path(path)] = (raw, mode)

    def write_json(self, path: Path, doc: Any) -> None:
        self.write(path, dump_json(doc))

    @property
    def paths(self) -> list[Path]:
        return list(self._staged)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        self._staged.clear()

    def commit(self) -> None:
        temps: list[tuple[Path, Path]] = []
        try:
            for target, (data, mode) in self._staged.items():
                temps.append((_write_temp(target, data, mode), target))
        except OSError as e:
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
            raise RegistryError(f"cannot write {e.filename}: {e.strerror}") from e
        done: list[tuple[Path, bytes | None]] = []
        try:
            for tmp, target in temps:
                previous = target.read_bytes() if target.exists() else None
                os.replace(tmp, target)
                done.append((target, previous))
        except OSError as e:
            for target, previous in reversed(done):
                if previous is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(previous)
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
            raise RegistryError(f"cannot write {e.filename}: {e.strerror}") from e
        self._staged.clear()
