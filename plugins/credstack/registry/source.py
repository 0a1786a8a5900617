"""Where a registry's files come from: the work tree, or a commit read through git.

The registry snapshot (:class:`credstack.registry.registry.Registry`) reads ``issued/`` through
a :class:`Source`, so the merge gate can read the pull request's work tree and the target
branch with the same code. A git source never checks anything out: it lists a commit's tree
and reads the blobs it needs with one ``git cat-file --batch`` process.
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from credstack.errors import CheckError


class Source(Protocol):
    """Read-only access to a registry's files by POSIX path relative to its root."""

    def files(self, folder: str) -> list[str]:
        """Every regular file under ``folder`` (sorted)."""

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        """The bytes of each of ``paths`` that exists."""

    def links(self, folder: str) -> list[str]:
        """Symbolic links under ``folder`` (a registry holds none)."""


class FileSource:
    """Files in a directory on disk."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _walk(self, folder: str) -> tuple[list[str], list[str]]:
        base = self.root / folder
        files: list[str] = []
        links: list[str] = []
        if not base.is_dir() or base.is_symlink():
            return files, ([folder] if base.is_symlink() else [])

        # os.walk's order (files of a folder sorted, then its subfolders sorted), from one
        # os.scandir per folder: a DirEntry knows whether it is a link without a system call
        # (100,000 credential files are 100,000 lstat calls fewer).
        def walk(path: str, rel: str) -> None:
            try:
                with os.scandir(path) as listing:
                    entries = list(listing)
            except OSError:
                return  # as os.walk: a folder that cannot be listed is skipped
            folders: list[str] = []
            names: list[tuple[str, bool]] = []
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if entry.is_symlink():
                        links.append(f"{rel}/{entry.name}")
                    else:
                        folders.append(entry.name)
                else:
                    names.append((entry.name, entry.is_symlink()))
            for name, link in sorted(names):
                (links if link else files).append(f"{rel}/{name}")
            for name in sorted(folders):
                walk(os.path.join(path, name), f"{rel}/{name}")

        walk(str(base), Path(folder).as_posix().strip("/"))
        return files, links

    def files(self, folder: str) -> list[str]:
        return self._walk(folder)[0]

    def links(self, folder: str) -> list[str]:
        return self._walk(folder)[1]

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        nofollow = getattr(os, "O_NOFOLLOW", 0)
        for rel in paths:
            path = self.root / rel
            if not nofollow and path.is_symlink():
                continue
            try:
                # A link is refused by the kernel (ELOOP) rather than by an lstat first.
                fd = os.open(path, os.O_RDONLY | nofollow)
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                continue
            except OSError as e:
                if e.errno == errno.ELOOP:
                    continue
                raise
            try:
                with open(fd, "rb") as fh:
                    out[rel] = fh.read()
            except IsADirectoryError:
                continue
        return out


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git in ``root``; return stdout; raise CheckError with git's last line on failure."""
    try:
        run = subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, check=False
        )
    except OSError as e:
        raise CheckError(f"cannot run git: {e.strerror}", hint="install git") from e
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CheckError(f"git {args[0]} failed: {message[-1] if message else run.returncode}")
    return run.stdout


def in_git(root: Path) -> bool:
    try:
        return git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except CheckError:
        return False


def has_commits(root: Path) -> bool:
    try:
        git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    except CheckError:
        return False
    return True


class GitSource:
    """The files of one commit, read through git (nothing is checked out).

    ``commit`` is None for the first commit of a repository (the base is then empty).
    """

    def __init__(self, root: Path, ref: str):
        self.root = Path(root)
        self.ref = ref
        self.commit: str | None = None
        self.tree: dict[str, tuple[str, str]] = {}  # path -> (mode, blob sha)
        if not in_git(self.root):
            raise CheckError(
                f"--base {ref}: {self.root} is not in a git repository",
                hint="run the check inside the registry's clone, or leave out --base",
            )
        try:
            commit = git(self.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except CheckError:
            if ref == "HEAD" and not has_commits(self.root):
                return  # the first commit: everything is new
            raise CheckError(
                f"--base {ref}: no such commit in this clone",
                hint="fetch the target branch first (git fetch origin main); in GitHub Actions "
                "check out with fetch-depth: 0",
            ) from None
        self.commit = commit.decode().strip()
        # Paths relative to the registry root (a registry may live below the repository root).
        out = git(self.root, "ls-tree", "-r", "-z", self.commit)
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, kind, sha = meta.decode().split()
            if kind == "blob":
                self.tree[path.decode("utf-8", "surrogateescape")] = (mode, sha)

    def files(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return sorted(
            p for p, (mode, _) in self.tree.items() if p.startswith(prefix) and mode != "120000"
        )

    def links(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        return sorted(
            p for p, (mode, _) in self.tree.items() if p.startswith(prefix) and mode == "120000"
        )

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        wanted = [p for p in paths if p in self.tree and self.tree[p][0] != "120000"]
        if not wanted:
            return {}
        out = git(
            self.root,
            "cat-file",
            "--batch",
            stdin="".join(f"{self.tree[p][1]}\n" for p in wanted).encode(),
        )
        result: dict[str, bytes] = {}
        pos = 0
        for path in wanted:
            end = out.index(b"\n", pos)
            size = int(out[pos:end].split()[2])
            result[path] = out[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return result

    def same(self, path: str, data: bytes) -> bool:
        """True when ``data`` is this commit's blob for ``path`` (compared by git's hash)."""
        entry = self.tree.get(path)
        if entry is None:
            return False
        sha = entry[1]
        algorithm = hashlib.sha1 if len(sha) == 40 else hashlib.sha256
        return algorithm(b"blob %d\0" % len(data) + data).hexdigest() == sha

    def extract(self, paths: Iterable[str], target: Path) -> None:
        """Write the files under ``paths`` (files or folders) of this commit into ``target``."""
        wanted = [
            p for p in self.tree if any(p == q or p.startswith(q.rstrip("/") + "/") for q in paths)
        ]
        for rel, data in self.read(wanted).items():
            out = target / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)


def git_files(root: Path) -> list[str] | None:
    """Every file git would commit (tracked and untracked-not-ignored), or None without git."""
    if not in_git(root):
        return None
    out = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted({p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p})


__all__ = ["FileSource", "GitSource", "Source", "git", "git_files", "has_commits", "in_git"]
