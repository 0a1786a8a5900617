"""The one verification cache: time-independent results by content, shared by every consumer.

``credstack verify``, ``credstack check`` and the site build all verify through
:class:`credstack.registry.verifier.Verifier`, which keeps here what does not depend on the
clock: a credential's format, signature and issuer-key checks, and a status list's signature.
Status bits, freshness, validity windows and components are recomputed every run.

The key of an entry covers every input of the result: the credential's (or list's) bytes, every
DID document the verifier trusts, the registry's own issuer, and :func:`fingerprint` — a digest
of the verifier's own source files, shipped contexts and schemas and its dependencies' versions,
computed at run time, so a changed verifier never trusts an older result.

Entries are authenticated with an HMAC key kept outside the work tree (in the user's cache
directory): a cache file committed to the repository, or written by anyone without that key,
is ignored entry by entry. The file itself lives at ``.cache/credstack/verification.json``
beside the registry (git-ignored).

Each value is kept as its canonical JSON text (sorted keys), written once when it is stored:
the MAC covers that text, a lookup checks the MAC over the text as read and parses only the
entries it returns (a registry of 100,000 credentials loads the file as 100,000 strings, not
as millions of objects, and serializes nothing to check it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import credstack
from credstack.errors import CredstackError
from credstack.registry.files import write_atomic

CACHE_DIR = ".cache/credstack"
CACHE_FILE = "verification.json"
#: At most this many entries are kept beyond those used by the latest run.
KEEP_UNUSED = 20_000
_DEPENDENCIES = ("PyLD", "PyNaCl", "jsonschema", "cryptography")
#: The package files whose code or data decide a verification result.
_VERIFIER_FILES = (
    "errors.py",
    "model/**/*.py",
    "model/schemas/*",
    "crypto/**/*.py",
    "crypto/contexts/*",
    "registry/keyring.py",
    "registry/proofcheck.py",
    "registry/statuscheck.py",
    "registry/vcache.py",
    "registry/verifier.py",
    "registry/verify.py",
)


@cache
def fingerprint() -> str:
    """A digest of the verifier's code and data and its dependencies' versions."""
    package = Path(credstack.__file__).parent
    digest = hashlib.sha256(credstack.__version__.encode())
    for pattern in _VERIFIER_FILES:
        for path in sorted(package.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(package).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in _DEPENDENCIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def entry_key(kind: str, *parts: str | bytes) -> str:
    """The cache key of one result: its kind, the fingerprint and every input's digest."""
    digest = hashlib.sha256(f"{kind}\0{fingerprint()}".encode())
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        digest.update(len(raw).to_bytes(8, "big"))
        digest.update(raw)
    return digest.hexdigest()


def _secret_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "credstack" / "cache-secret"


def _secret() -> bytes | None:
    """This user's cache MAC key (created on first use); None when it cannot be had."""
    path = _secret_path()
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(fresh)
        return fresh
    except FileExistsError:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return data if len(data) >= 32 else None
    except OSError:
        return None


class VerificationCache:
    """Results by key, in one JSON file; every entry carries an HMAC of key and value.

    ``folder`` None (or an unusable MAC key) gives a cache that remembers only for this run.
    ``hits`` and ``misses`` count lookups by kind (``credential``, ``list``).
    """

    def __init__(self, folder: Path | None, filename: str = CACHE_FILE):
        self.path = folder / filename if folder is not None else None
        self._secret = _secret() if folder is not None else None
        #: key -> [MAC, canonical JSON text of the value], as read and as to be written.
        self._stored: dict[str, list[Any]] = {}
        self._used: dict[str, list[Any]] = {}
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}
        if self.path is not None and self._secret is not None:
            try:
                data = json.loads(self.path.read_text("utf-8"))
                entries = data.get("entries") if isinstance(data, dict) else None
                if isinstance(entries, dict):
                    self._stored = entries
            except (OSError, ValueError):
                self._stored = {}

    @classmethod
    def for_registry(cls, root: Path, *, enabled: bool = True) -> VerificationCache:
        """The registry's cache (``.cache/credstack/`` under ``root``), or an in-memory one."""
        return cls(Path(root) / CACHE_DIR if enabled else None)

    def _mac(self, key: str, text: str) -> str:
        assert self._secret is not None
        body = key.encode() + b"\0" + text.encode()
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def _text(self, key: str) -> str | None:
        """The canonical text of the entry for ``key`` when present and authentic, else None
        (an authentic stored entry is marked as used by this run)."""
        entry = self._used.get(key)
        if entry is not None:
            return str(entry[1])
        if self._secret is None:
            return None
        stored = self._stored.get(key)
        if (
            isinstance(stored, list)
            and len(stored) == 2
            and isinstance(stored[0], str)
            and isinstance(stored[1], str)
            and hmac.compare_digest(stored[0], self._mac(key, stored[1]))
        ):
            self._used[key] = stored
            return stored[1]
        return None

    def has(self, kind: str, key: str) -> bool:
        """Whether an authentic value for ``key`` is there (counted as a miss when not)."""
        if self._text(key) is not None:
            return True
        self.misses[kind] = self.misses.get(kind, 0) + 1
        return False

    def get(self, kind: str, key: str) -> Any | None:
        """The stored value for ``key`` when present and authentic, else None."""
        text = self._text(key)
        value = None
        if text is not None:
            try:
                value = json.loads(text)
            except ValueError:  # never for an authentic entry: written by put()
                value = None
        if value is None:
            self.misses[kind] = self.misses.get(kind, 0) + 1
            return None
        self.hits[kind] = self.hits.get(kind, 0) + 1
        return value

    def put(self, key: str, value: Any) -> None:
        text = json.dumps(value, sort_keys=True)
        mac = self._mac(key, text) if self._secret is not None else ""
        self._used[key] = [mac, text]

    def save(self) -> None:
        """Write the entries used by this run (and some others) atomically; never raises."""
        if self.path is None or self._secret is None:
            return
        keep = dict(self._used)
        for key, entry in self._stored.items():
            if len(keep) >= len(self._used) + KEEP_UNUSED:
                break
            keep.setdefault(key, entry)
        if keep.keys() == self._stored.keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                write_atomic(ignore, "# credstack's caches: never commit them\n*\n")
            write_atomic(self.path, json.dumps({"entries": keep}, separators=(",", ":")))
            self._stored = keep
        except (OSError, CredstackError):
            pass  # a cache that cannot be written only costs time


__all__ = ["CACHE_DIR", "CACHE_FILE", "VerificationCache", "entry_key", "fingerprint"]
