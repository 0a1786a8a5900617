"""Writing the registry: one writer at a time, and every change all or nothing.

**The lock.** Every command that writes a registry holds :func:`registry_lock` for its whole run
(read, plan, sign, write), so a second writer waits and then plans on what the first one wrote.
It is an ``fcntl`` lock on ``credstack/lock`` in the registry's git directory (``.git/``, or the
folder a worktree's ``.git`` file names; ``.credstack/`` at the registry root without git): git
never commits it, ``git clean`` never removes it, and CI caches never restore it. The operating
system releases it when its process dies, so there are no stale locks.

**Compare and swap.** When the lock is taken, the digest of every file a command may replace
(the status lists, ``issued/status-log.yml``, ``program/keys.yml``) is recorded. At commit a
:class:`Transaction` refuses when one of its targets no longer has the recorded bytes, or when a
file it creates already exists: something that does not take the lock (a ``git pull``, an
editor, an old credstack) wrote in between.

**The journal.** A :class:`Transaction` stages its files in memory, then

1. writes each to a temporary file beside its target (``.<name>.credstack-<random>.tmp``,
   flushed to disk);
2. writes the journal ``credstack/journal.json`` (which temporary file becomes which target,
   with the SHA-256 of its bytes) by rename: this is the commit point;
3. renames every temporary file onto its target, flushes the folders, deletes the journal.

A crash before step 2 leaves only temporary files: the registry is as it was. A crash after it
leaves the journal: the registry will be as after. :func:`recover` (run whenever the lock is
taken, and by ``credstack recover``) finishes a journal and deletes temporary files left over.

:func:`write_atomic` without a registry is a plain temporary file + rename (caches, key files).
New files get mode ``0666`` less the umask (``0644`` usually), as git checks files out; secret
keys pass ``mode=0o600``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credstack.errors import RegistryError

try:  # pragma: no cover - credstack writes registries on POSIX systems only
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

STATE = "credstack"
LOCK = "lock"
JOURNAL = "journal.json"
#: How long a writing command waits for another one before giving up (seconds).
LOCK_TIMEOUT = float(os.environ.get("CREDSTACK_LOCK_TIMEOUT", "300"))
#: The files whose bytes a command may replace; everything else it writes must be new.
REPLACEABLE = (
    "issued/status",
    "issued/status-log.yml",
    "issued/profiles.yml",
    "issued/log",
    "program/keys.yml",
    "program/roster-key.yml",
)
#: Temporary files credstack writes: ``.<target name>.credstack-<random>.tmp``.
TEMP_RE = re.compile(r"^\..+\.credstack-[0-9a-f]{12}\.tmp$")
#: Temporary files of credstack versions before the journal (``tempfile.mkstemp``).
OLD_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
#: Folders never searched for left-over temporary files.
_PRUNE = {"site", "node_modules", "__pycache__"}
#: Fault injection for the crash tests (tests/killtest.py): ``CREDSTACK_CRASH_AT=rename:2`` makes
#: a transaction SIGKILL its own process at that point ("temp:N" after the Nth temporary file,
#: "journal" after the commit point, "rename:N" after the Nth rename, "done" before the journal
#: is deleted). Unset in normal use: a dictionary lookup per step.
CRASH_AT = "CREDSTACK_CRASH_AT"


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), 9)  # SIGKILL: no cleanup, exactly like a power cut for this process


def dump_json(doc: Any) -> str:
    """The one JSON serialization credstack writes: 2-space indent, UTF-8, trailing newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def digest(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


def _write_error(target: Path, e: OSError) -> RegistryError:
    """A clear error naming the file credstack was writing (OSError.filename is often None)."""
    reason = e.strerror or str(e)
    hint = "nothing was written; fix the cause and run the same command again"
    if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        hint = (
            "the disk (or your quota) is full: free some space, then run the same command "
            "again; nothing was written"
        )
    elif e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = f"check that you may write to {target.parent}; nothing was written"
    return RegistryError(f"cannot write {target}: {reason}", hint=hint)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a folder we just wrote into
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _write_temp(target: Path, data: bytes, mode: int | None) -> Path:
    """Write ``data`` to a new temporary file beside ``target``, flushed to disk."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.credstack-{secrets.token_hex(6)}.tmp"
    # 0o666 less the umask, as git and open() create files; an explicit mode is exact.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def write_atomic(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write one file outside any registry transaction (temp file + rename); RegistryError."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        tmp = _write_temp(path, raw, mode)
    except OSError as e:
        raise _write_error(path, e) from e
    try:
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise _write_error(path, e) from e


# -- where the lock and the journal live ------------------------------------------------------


def state_dir(root: Path) -> Path:
    """The folder of the lock and the journal for the registry at ``root``.

    ``<git dir>/credstack`` when ``root`` is the top of a git work tree (``.git`` a folder, or a
    worktree's ``.git`` file naming its git directory), else ``<root>/.credstack``.
    """
    root = Path(root)
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git / STATE
    if dot_git.is_file():
        try:
            line = dot_git.read_text("utf-8").strip()
        except OSError:  # pragma: no cover - unreadable .git file
            line = ""
        if line.startswith("gitdir:"):
            git_dir = Path(line[len("gitdir:") :].strip())
            return (git_dir if git_dir.is_absolute() else root / git_dir) / STATE
    return root / f".{STATE}"


# -- the lock -------------------------------------------------------------------------------


@dataclass
class Recovery:
    """What :func:`recover` found: a journal finished, temporary files deleted (paths relative)."""

    completed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.completed or self.removed)


@dataclass
class WriteSession:
    """One holder of a registry's lock: the files' digests when it was taken (compare and swap)."""

    root: Path
    command: str
    basis: dict[str, str | None]
    recovery: Recovery
    depth: int = 1
    fd: int = -1


_HELD: dict[Path, WriteSession] = {}


def _key(root: Path) -> Path:
    return Path(root).resolve()


def _capture_basis(root: Path) -> dict[str, str | None]:
    basis: dict[str, str | None] = {}
    for rel in REPLACEABLE:
        path = root / rel
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith("."):
                    basis[child.relative_to(root).as_posix()] = _file_digest(child)
        else:
            basis[rel] = _file_digest(path)
    return basis


def lock_holder(root: Path) -> str:
    """Who holds (or last held) the lock of ``root``: 'pid N (command, since TIME)' or ''."""
    try:
        return (state_dir(root) / LOCK).read_text("utf-8").strip()
    except OSError:
        return ""


@contextmanager
def registry_lock(
    root: Path,
    *,
    command: str = "credstack",
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[WriteSession]:
    """Hold the write lock of the registry at ``root``; yields the :class:`WriteSession`.

    Waits up to ``timeout`` seconds (default :data:`LOCK_TIMEOUT`) for another writer, calling
    ``on_wait(holder)`` once when it has to wait. Reentrant within a process. On taking the lock
    it finishes or cleans up an interrupted write (:func:`recover`, reported in
    ``session.recovery``) and records the digests for compare and swap. Raises RegistryError
    when the lock cannot be had.
    """
    root = Path(root)
    key = _key(root)
    held = _HELD.get(key)
    if held is not None:
        held.depth += 1
        try:
            yield held
        finally:
            held.depth -= 1
        return
    folder = state_dir(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise RegistryError(
            f"cannot create the registry's lock file {folder / LOCK}: {e.strerror}",
            hint=f"check that you may write to {folder}",
        ) from e
    try:
        _acquire(fd, root, LOCK_TIMEOUT if timeout is None else timeout, on_wait)
        stamp = f"pid {os.getpid()} ({command}, since {time.strftime('%Y-%m-%d %H:%M:%S')})\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, stamp.encode("utf-8"), 0)
        session = WriteSession(root, command, {}, Recovery(), fd=fd)
        _HELD[key] = session
        try:
            session.recovery = _recover_locked(root)
            session.basis = _capture_basis(root)
            yield session
        finally:
            del _HELD[key]
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, root: Path, timeout: float, on_wait: Callable[[str], None] | None) -> None:
    if fcntl is None:  # pragma: no cover
        raise RegistryError("credstack writes registries on POSIX systems only (no fcntl)")
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = lock_holder(root) or "another process"
        if time.monotonic() >= deadline:
            raise RegistryError(
                f"another credstack command is writing this registry: {holder}",
                hint="wait for it to finish and run the command again (the lock goes when that "
                "process ends; CREDSTACK_LOCK_TIMEOUT sets how many seconds to wait)",
            )
        if not told and on_wait is not None:
            on_wait(holder)
            told = True
        time.sleep(0.05)


def current_session(root: Path) -> WriteSession | None:
    """The lock this process holds on ``root``, if any."""
    return _HELD.get(_key(root))


# -- recovery -------------------------------------------------------------------------------


def recover(root: Path, *, timeout: float | None = None) -> Recovery:
    """Finish an interrupted write and delete left-over temporary files (takes the lock).

    Raises RegistryError when the journal cannot be finished (its files changed by hand).
    """
    with registry_lock(root, command="recover", timeout=timeout) as session:
        if session.depth > 1:  # pragma: no cover - already recovered when the lock was taken
            return _recover_locked(root)
        return session.recovery


def _recover_locked(root: Path) -> Recovery:
    found = Recovery()
    journal = state_dir(root) / JOURNAL
    if journal.exists():
        found.completed = _finish_journal(root, journal)
    (state_dir(root) / (JOURNAL + ".tmp")).unlink(missing_ok=True)
    for path in _temp_files(root):
        path.unlink(missing_ok=True)
        found.removed.append(path.relative_to(root).as_posix())
    return found


def _finish_journal(root: Path, journal: Path) -> list[str]:
    try:
        entries = json.loads(journal.read_text("utf-8"))["files"]
        plan = [(root / e["target"], root / e["temp"], str(e["sha256"])) for e in entries]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise RegistryError(
            f"the write journal {journal} is unreadable ({e})",
            hint="restore the registry with git (`git status`, `git restore`), then delete it",
        ) from e
    done = []
    folders = set()
    for target, temp, sha in plan:
        if temp.exists():
            if _file_digest(temp) != sha:
                raise RegistryError(
                    f"cannot finish the interrupted write: {temp} is not what was journaled",
                    hint=f"restore the registry with git, then delete {journal}",
                )
            os.replace(temp, target)
            folders.add(target.parent)
        elif _file_digest(target) != sha:
            raise RegistryError(
                f"cannot finish the interrupted write: {target.relative_to(root)} changed",
                hint=f"restore the registry with git, then delete {journal}",
            )
        done.append(target.relative_to(root).as_posix())
    for folder in folders:
        _fsync_dir(folder)
    journal.unlink()
    return done


def _temp_files(root: Path) -> list[Path]:
    """Temporary files a credstack write left behind under ``root``."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in _PRUNE and (not d.startswith(".") or d in (".github", ".credstack"))
        )
        rel = here.relative_to(root).parts
        ours = rel[:1] in (("issued",), ("program",))
        for name in filenames:
            if TEMP_RE.match(name) or (ours and OLD_TEMP_RE.match(name)):
                out.append(here / name)
    return sorted(out)


# -- transactions ---------------------------------------------------------------------------


class Transaction:
    """Stage several writes and apply them together, all or nothing.

    With ``root`` (a registry) the commit takes the registry's lock (or joins the one this
    process holds), checks compare and swap, and goes through the journal; without, the files
    are renamed into place one by one (for files outside a registry).
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else None
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

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        self._staged.clear()

    def commit(self) -> None:
        """Write every staged file; raises RegistryError (then nothing changed, see above)."""
        if not self._staged:
            return
        if self.root is None:
            for path, (data, mode) in self._staged.items():
                write_atomic(path, data, mode=mode)
        else:
            with registry_lock(self.root, command="write") as session:
                self._commit_journaled(session)
        self._staged.clear()

    def _rel(self, path: Path) -> str:
        assert self.root is not None
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            raise RegistryError(f"{path} lies outside the registry {self.root}") from None

    def _commit_journaled(self, session: WriteSession) -> None:
        assert self.root is not None
        root = self.root
        rels = {path: self._rel(path) for path in self._staged}
        temps: list[tuple[Path, Path, str]] = []
        try:
            for path, (data, mode) in self._staged.items():
                try:
                    temps.append((_write_temp(path, data, mode), path, digest(data)))
                except OSError as e:
                    raise _write_error(path, e) from e
                _crash_point(f"temp:{len(temps)}")
            self._compare_and_swap(session, rels)
            journal = state_dir(root) / JOURNAL
            entries = [
                {"target": rels[path], "temp": self._rel(tmp), "sha256": sha}
                for tmp, path, sha in temps
            ]
            doc = {"version": 1, "pid": os.getpid(), "command": session.command, "files": entries}
            try:
                pending = _write_temp_exact(journal.with_name(JOURNAL + ".tmp"), doc)
                os.replace(pending, journal)  # the commit point
            except OSError as e:
                raise _write_error(journal, e) from e
        except BaseException:
            for tmp, _, _ in temps:
                tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(journal.parent)
        _crash_point("journal")
        folders = set()
        try:
            for i, (tmp, path, _) in enumerate(temps, 1):
                os.replace(tmp, path)
                folders.add(path.parent)
                _crash_point(f"rename:{i}")
        except OSError as e:
            raise RegistryError(
                f"the write was interrupted: cannot replace {path}: {e.strerror}",
                hint="fix the cause, then run `credstack recover` to finish it (the journal "
                "has every file)",
            ) from e
        for folder in folders:
            _fsync_dir(folder)
        _crash_point("done")
        journal.unlink()
        # What this session wrote is the new basis for a later transaction in the same command.
        for path, (data, _) in self._staged.items():
            if rels[path] in session.basis or _replaceable(rels[path]):
                session.basis[rels[path]] = digest(data)

    def _compare_and_swap(self, session: WriteSession, rels: dict[Path, str]) -> None:
        for path, rel in rels.items():
            now = _file_digest(path)
            if rel in session.basis:
                if now != session.basis[rel]:
                    raise RegistryError(
                        f"{rel} changed while this command ran; nothing was written",
                        hint="another program wrote to the registry (a git pull or checkout, an "
                        "editor?): run the same command again",
                    )
            elif now is not None:
                raise RegistryError(
                    f"{rel} appeared while this command ran; nothing was written",
                    hint="another program wrote to the registry (a git pull or checkout?): run "
                    "the same command again",
                )


def _replaceable(rel: str) -> bool:
    return any(rel == r or rel.startswith(r + "/") for r in REPLACEABLE)


def _write_temp_exact(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, json.dumps(doc, indent=1).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path
