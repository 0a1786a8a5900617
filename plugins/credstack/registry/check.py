"""The merge gate: everything a reviewer relies on, asserted before a pull request merges.

:func:`check_registry` reads the work tree (and, with ``base``, the target branch through git)
and returns a :class:`CheckReport` with every :class:`Finding`, each named for the rule it
breaks (``RULES`` lists them all):

- the program lints clean; every credential and status list verifies; ids, file names and
  status indexes agree and are unique; the status log matches the signed lists. Revoked,
  suspended and expired credentials are legitimate states: counted, not errors.
- against ``base``: issued credentials are only ever added; status lists change only in their
  bits (re-signed) and only with a matching new status log event; revocation is final; the log
  and ``program/keys.yml`` are append-only; new credentials are signed with a listed key that
  was in force at the proof's date and not already retired on ``base`` (a backdated proof
  cannot revive a retired key); new credentials satisfy the award rules as of their issue date,
  replayed in issue order over ``base``'s credentials (renewals and corrections are recognised
  by the ``replacement`` of their status log event).
- hygiene over every file git would commit (tracked, and untracked but not ignored):

  * ``no-secret-key``: Multikey Ed25519 secrets (``z3u2…``, decoded and checked: 0x8026 + 32
    bytes), PEM private keys, and any ``*.key`` file. The W3C vc-di-eddsa test-vector secret
    is public and let through.
  * ``no-plain-email``: inside ``issued/`` no address at all (credentials carry salted hashes
    only). Elsewhere (``program/``, ``site_src/``, docs, tests, workflows) an address is let
    through only when it is the issuer's own contact email from ``program/issuer.yml``, or at a
    reserved placeholder domain (``example.com/.org/.net`` and subdomains, the ``.example``,
    ``.test``, ``.invalid``, ``.localhost`` top-level domains, and ``.local``/``.tld``), or on a
    reviewed line marked ``credstack: allow``. The marker never works inside ``issued/``.
  * ``issued-layout``: ``issued/`` holds ``credentials/<cid>.json``,
    ``status/<revocation|suspension>-<n>.json`` and ``status-log.yml``, nothing else (no
    ``.gitkeep``: ``credstack init`` writes the empty status log to keep the folder in git).

Speed: the verification outcome of each credential (format, signature, issuer key, key in force
at the proof's date, status bits) is cached in ``.cache/credstack/check/verified.json`` under the
sha256 of the verifier's fingerprint (credstack version + the source and data files verification
reads), the DID document, the credential's bytes and the bytes of every status list it points at.
Any byte change of any of them is a miss. Only clean outcomes are cached; expiry and the
not-yet-valid check are evaluated afresh each run. Misses are verified on every core when there
are at least ``PARALLEL_THRESHOLD`` of them, with the same results as the serial path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import credstack
from credstack.crypto.keys import base58btc_decode
from credstack.crypto.proof import split_proof, verify_proof
from credstack.errors import CheckError, CredentialError, CredstackError, ResolutionError
from credstack.model.assessment import recorded_assessors  # issue 15
from credstack.model.credential import CredentialView
from credstack.model.did import did_document
from credstack.model.program import Program
from credstack.model.status import Bitstring, parse_datetime
from credstack.model.urls import SiteUrls
from credstack.registry.award import AwardInput, _Ledger, check_assessment, check_rules
from credstack.registry.files import write_atomic
from credstack.registry.parallel import parallel_map, worker_count
from credstack.registry.program import KEYS_FILE, check_program
from credstack.registry.registry import (
    STATUS_DIR,
    STATUS_LOG,
    CurrentStatus,
    Registry,
    StatusEvent,
)
from credstack.registry.verify import (
    FAIL,
    PASS,
    SKIP,
    WARN,
    KeyResolver,
    Verifier,
    registry_verifier,
)

#: Every rule, named for the fact it asserts.
RULES: dict[str, str] = {
    "program-lint": "the program definition lints clean (warnings fail only with --strict)",
    "format-valid": "each credential is readable JSON and an OB 3.0 OpenBadgeCredential",
    "signature-verifies": "each credential's eddsa-rdfc-2022 proof verifies",
    "key-known": "each proof uses a key listed in program/keys.yml",
    "key-not-retired": "each proof was made while its key was in force",
    "valid-from-not-future": "no credential is dated in the future",
    "id-matches-file": "a credential's id is this site's URL for its file name (ids are unique)",
    "status-entry-present": "every credential carries a status entry (so it can be revoked)",
    "status-index-unique": "no two credentials share a status list index",
    "status-list-exists": "every status list a credential points at exists (and its companion)",
    "status-list-verifies": "every status list is signed by the issuer and well formed",
    "status-log-valid": "issued/status-log.yml is readable and names issued credentials",
    "status-log-matches-lists": "the log and the signed status lists tell the same story",
    "issued-layout": "issued/ holds only files the CLI writes",
    "credential-unchanged": "an issued credential is never modified",
    "credential-not-deleted": "an issued credential is never deleted",
    "credential-not-renamed": "an issued credential is never renamed",
    "status-list-not-deleted": "a status list is never deleted",
    "status-list-only-bits-change": "a status list changes only in encodedList and proof",
    "revocation-final": "a revocation bit never goes back from 1 to 0",
    "status-change-logged": "every changed status bit has a matching new status log event",
    "status-log-append-only": "status log events are only ever appended",
    "keys-append-only": "keys are only added or retired, never removed or changed",
    "stacking-rules": "every new credential satisfies the program's rules as of its issue date",
    "site-url-set": "credentials are not issued under the placeholder site_url",
    "no-secret-key": "no secret key material in any file git would commit",
    "no-plain-email": "no plain email address in any file git would commit",
}

FATAL_CHECKS = {
    "format": "format-valid",
    "signature": "signature-verifies",
    "issuer-key": "key-known",
    "key-valid": "key-not-retired",
}
#: Cold verification runs on every core from this many credentials to verify. Below it, starting
#: the worker processes costs more than it saves (measured: bench/bench_check.py).
PARALLEL_THRESHOLD = 64
CACHE_DIR = ".cache/credstack/check"
CACHE_FILE = "verified.json"
#: The init placeholder; credentials issued under it would carry a wrong, permanent id.
PLACEHOLDER_SITE_HOSTS = ("example.github.io",)
#: The line marker that lets a reviewed line through the hygiene rules (never inside issued/).
ALLOW_MARKER = b"credstack: allow"
#: Secret keys published in specifications as test vectors (W3C vc-di-eddsa, Appendix B): they
#: protect nothing, and copies of the test vectors may contain them.
PUBLISHED_TEST_SECRETS = frozenset({"z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"})
#: Domains that can never be anyone's mailbox (RFC 2606, RFC 6761) and obvious placeholders.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
PLACEHOLDER_TLDS = ("example", "test", "invalid", "localhost", "local", "tld")

_CREDENTIAL_FILE = re.compile(r"^issued/credentials/([^/]+)\.json$")
_STATUS_FILE = re.compile(r"^issued/status/(revocation|suspension)-([1-9][0-9]*)\.json$")
_B58 = "1-9A-HJ-NP-Za-km-z"
_SECRET_MULTIKEY = re.compile(
    rb"(?<![" + _B58.encode() + rb"])z3u2[" + _B58.encode() + rb"]{40,60}"
    rb"(?![" + _B58.encode() + rb"])"
)
_PEM_PRIVATE = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_EMAIL_DOMAIN = re.compile(
    rb"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[a-z]{2,63}|[A-Z]{2,63}))"
    rb"(?![A-Za-z0-9-])"
)
_LOCAL_PART = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")


@dataclass(frozen=True)
class Finding:
    """One problem: where (``path`` or ``path:line``), which rule, what, and what to do."""

    severity: str  # "error" | "warning"
    path: str
    rule: str
    message: str
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}: {self.message}"


@dataclass
class CheckReport:
    """Everything ``credstack check`` found, and what it looked at."""

    findings: list[Finding] = field(default_factory=list)
    credentials: int = 0
    status_lists: int = 0
    new_credentials: int = 0
    base: str | None = None
    #: Legitimate states: verified, revoked, suspended, expired.
    states: Counter = field(default_factory=Counter)
    cache_hits: int = 0
    verified: int = 0  # credentials verified in this run (not from the cache)
    workers: int = 1

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    def ok(self, *, strict: bool = False) -> bool:
        """True when nothing fails (with ``strict``, warnings fail too)."""
        return not self.errors and not (strict and self.warnings)

    def sorted_findings(self) -> list[Finding]:
        return sorted(
            set(self.findings),
            key=lambda f: (_path_key(f.path), f.rule, f.message, f.severity),
        )


def _path_key(path: str) -> tuple[str, int]:
    head, _, line = path.rpartition(":")
    return (head, int(line)) if head and line.isdigit() else (path, 0)


class _Findings(list[Finding]):
    def error(self, path: str, rule: str, message: str, hint: str | None = None) -> None:
        self.append(Finding("error", path, rule, message, hint))

    def warning(self, path: str, rule: str, message: str, hint: str | None = None) -> None:
        self.append(Finding("warning", path, rule, message, hint))


# -- the verification cache -------------------------------------------------------------------


@cache
def verifier_fingerprint() -> str:
    """A digest of the credstack version and every source and data file verification reads.

    Part of each cache key, so that a new credstack (or an edited verifier) re-verifies.
    """
    package = Path(credstack.__file__).parent
    digest = hashlib.sha256(credstack.__version__.encode())
    files = [
        package / "registry" / "verify.py",
        package / "registry" / "check.py",
        package / "model" / "credential.py",
        package / "model" / "schema.py",
        package / "model" / "status.py",
        package / "model" / "did.py",
        *sorted((package / "crypto").glob("*.py")),
        *sorted((package / "crypto" / "contexts").glob("*")),
        *sorted((package / "model" / "schemas").glob("*")),
    ]
    for path in files:
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def cache_key(credential: bytes, did_document_bytes: bytes, lists: Iterable[bytes]) -> str:
    """sha256 of the verifier fingerprint, the DID document, the credential and its lists."""
    digest = hashlib.sha256(verifier_fingerprint().encode())
    for part in (did_document_bytes, credential, *lists):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class VerificationCache:
    """Verification outcomes by content key, in one JSON file under ``.cache/credstack/check/``.

    Only clean outcomes are stored (no failed check): a failure is re-examined every run, and
    nothing time-dependent is cached (expiry is evaluated afresh from the credential's dates).
    Entries not used by a run are kept (another branch may need them) up to a bound.
    """

    def __init__(self, folder: Path | None):
        self.path = folder / CACHE_FILE if folder is not None else None
        self.stored: dict[str, dict] = {}
        self.used: dict[str, dict] = {}
        if self.path is not None:
            try:
                data = json.loads(self.path.read_text("utf-8"))
                if isinstance(data, dict) and isinstance(data.get("entries"), dict):
                    self.stored = data["entries"]
            except (OSError, ValueError):
                self.stored = {}

    def get(self, key: str) -> dict | None:
        entry = self.stored.get(key)
        if entry is not None:
            self.used[key] = entry
        return entry

    def put(self, key: str, entry: dict) -> None:
        if _cacheable(entry):
            self.used[key] = entry

    def save(self) -> None:
        if self.path is None:
            return
        keep = dict(self.used)
        room = len(keep) + 1000
        for key, entry in self.stored.items():
            if len(keep) >= 2 * room:
                break
            keep.setdefault(key, entry)
        if keep.keys() == self.stored.keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.path.parent.parent / ".gitignore"  # .cache/credstack/.gitignore
            if not gitignore.exists():
                write_atomic(gitignore, "# credstack's caches: never commit them\n*\n")
            write_atomic(self.path, json.dumps({"entries": keep}, separators=(",", ":")))
        except (OSError, CredstackError):
            pass  # a cache that cannot be written only costs time


def _cacheable(entry: dict) -> bool:
    return not entry["fatal"] and entry["status"] in ("ok", "revoked", "suspended", "none")


# -- verification of one credential (also run in worker processes) ----------------------------

_WORKER_VERIFIER: Verifier | None = None


def _make_verifier(did: dict, lists: list[dict], at: datetime) -> Verifier:
    return registry_verifier(None, at=at, now=at, did_documents=[did], status_lists=lists)


def _init_worker(did: dict, lists: list[dict], at: datetime) -> None:
    global _WORKER_VERIFIER
    _WORKER_VERIFIER = _make_verifier(did, lists, at)


def _verify_one(item: tuple[str, dict]) -> dict:
    assert _WORKER_VERIFIER is not None
    return outcome(_WORKER_VERIFIER, item[1])


def outcome(verifier: Verifier, doc: dict) -> dict:
    """The time-independent result of verifying ``doc``: fatal failures and the status found."""
    report = verifier.verify(doc, components=False)
    fatal = [
        [c.id, c.message]
        for c in report.checks
        if c.id in FATAL_CHECKS
        # An issuer key only named in the credential itself is not one of program/keys.yml.
        and (c.outcome == FAIL or (c.id == "issuer-key" and c.outcome == WARN))
    ]
    status, message = "skipped", ""
    check = report.check("status")
    if not fatal and check is not None:
        message = check.message
        if check.outcome == PASS:
            status = "ok"
        elif check.outcome == FAIL:
            status = next(
                (s for s in ("revoked", "suspended") if message.startswith(s)), "untrusted"
            )
        elif check.outcome == SKIP:
            unsupported = "carries no status" in message or "not supported" in message
            status = "none" if unsupported else "unavailable"
    return {"fatal": fatal, "status": status, "message": message}


# -- reading the work tree -------------------------------------------------------------------


@dataclass
class _Credential:
    rel: str
    cid: str
    data: bytes
    doc: dict | None = None
    view: CredentialView | None = None


@dataclass
class _StatusList:
    rel: str
    purpose: str
    number: int
    data: bytes
    doc: dict | None = None
    bits: Bitstring | None = None  # set once verified


def _walk(root: Path, folder: str) -> list[str]:
    base = root / folder
    if not base.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            out.append((Path(dirpath) / name).relative_to(root).as_posix())
    return out


# -- git ------------------------------------------------------------------------------------


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
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


def _in_git(root: Path) -> bool:
    try:
        return _git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except CheckError:
        return False


class _Base:
    """The target branch's files (under issued/ and program/keys.yml), read through git."""

    def __init__(self, root: Path, ref: str):
        self.root = root
        self.ref = ref
        self.tree: dict[str, str] = {}
        if not _in_git(root):
            raise CheckError(
                f"--base {ref}: {root} is not in a git repository",
                hint="run the check inside the registry's clone, or leave out --base",
            )
        try:
            commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except CheckError:
            if ref == "HEAD" and not self._has_commits():
                return  # the first commit: everything is new
            raise CheckError(
                f"--base {ref}: no such commit in this clone",
                hint="fetch the target branch first (git fetch origin main); in GitHub Actions "
                "check out with fetch-depth: 0",
            ) from None
        self.commit = commit.decode().strip()
        out = _git(root, "ls-tree", "-r", "-z", self.commit, "--", "issued", KEYS_FILE)
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            _mode, kind, sha = meta.decode().split()
            if kind == "blob":
                self.tree[path.decode("utf-8", "surrogateescape")] = sha

    def _has_commits(self) -> bool:
        try:
            _git(self.root, "rev-parse", "--verify", "--quiet", "HEAD")
        except CheckError:
            return False
        return True

    def read(self, paths: Iterable[str]) -> dict[str, bytes]:
        """The base's bytes of ``paths`` (one git process for all of them)."""
        wanted = [p for p in paths if p in self.tree]
        if not wanted:
            return {}
        out = _git(
            self.root,
            "cat-file",
            "--batch",
            stdin="".join(f"{self.tree[p]}\n" for p in wanted).encode(),
        )
        result: dict[str, bytes] = {}
        pos = 0
        for path in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            size = int(header[2])
            result[path] = out[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return result

    def same(self, path: str, data: bytes) -> bool:
        """True when the work tree's ``data`` is the base's blob for ``path`` (git's hash)."""
        sha = self.tree.get(path)
        if sha is None:
            return False
        algorithm = hashlib.sha1 if len(sha) == 40 else hashlib.sha256
        return algorithm(b"blob %d\0" % len(data) + data).hexdigest() == sha


def _git_files(root: Path) -> list[str] | None:
    """Every file git would commit (tracked and untracked-not-ignored), or None without git."""
    if not _in_git(root):
        return None
    out = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    files = sorted({p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p})
    return [p for p in files if (root / p).is_file() and not (root / p).is_symlink()]


def _all_files(root: Path) -> list[str]:
    skip = {".git", ".cache", ".venv", "node_modules", "site", "__pycache__"}
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        out.extend((Path(dirpath) / n).relative_to(root).as_posix() for n in sorted(filenames))
    return out


# -- the check ---------------------------------------------------------------------------------


def check_registry(
    root: Path,
    *,
    at: datetime,
    base: str | None = None,
    use_cache: bool = True,
    workers: int | None = None,
) -> CheckReport:
    """Check the registry at ``root`` as of ``at`` (and against git ref ``base``).

    Returns the report with every finding; raises CheckError only when the check itself
    cannot run (git missing, unknown ``base``). ``workers`` forces the number of verification
    processes (default: all cores when there are many credentials to verify).
    """
    return _Check(Path(root), at=at, base=base, use_cache=use_cache, workers=workers).run()


class _Check:
    def __init__(
        self, root: Path, *, at: datetime, base: str | None, use_cache: bool, workers: int | None
    ):
        self.root = root
        self.at = at
        self.base_ref = base
        self.use_cache = use_cache
        self.workers = workers
        self.f = _Findings()
        self.report = CheckReport(base=base)
        self.program: Program | None = None
        self.urls: SiteUrls | None = None
        self.credentials: dict[str, _Credential] = {}
        self.lists: dict[str, _StatusList] = {}  # by rel path
        self.events: list[StatusEvent] = []
        self.raw_events: list[Any] = []
        self.files: dict[str, bytes] = {}  # bytes already read, by rel path

    def run(self) -> CheckReport:
        base = _Base(self.root, self.base_ref) if self.base_ref else None
        self.lint()
        self.read_issued()
        if self.program is not None:
            self.check_status_lists()
            self.check_credentials()
            self.check_indexes()
            self.check_log()
            if base is not None:
                self.against_base(base)
            self.check_site_url()
        self.hygiene()
        self.report.findings = self.f
        self.report.credentials = len(self.credentials)
        self.report.status_lists = len(self.lists)
        return self.report

    # -- program -------------------------------------------------------------------------
    def lint(self) -> None:
        program, problems = check_program(self.root)
        for p in problems:
            field = f"{p.field}: " if p.field else ""
            severity = "error" if p.is_error else "warning"
            self.f.append(
                Finding(
                    severity,
                    str(p.source),
                    "program-lint",
                    f"{field}{p.message} [{p.check}]",
                    p.hint,
                )
            )
        if program is not None:
            self.program = program
            self.urls = SiteUrls(program.site_url)

    # -- issued/ ----------------------------------------------------------------------------
    def read_issued(self) -> None:
        for rel in _walk(self.root, "issued"):
            if rel == STATUS_LOG:
                continue
            if match := _CREDENTIAL_FILE.match(rel):
                data = (self.root / rel).read_bytes()
                self.files[rel] = data
                self.credentials[match.group(1)] = _Credential(rel, match.group(1), data)
            elif match := _STATUS_FILE.match(rel):
                data = (self.root / rel).read_bytes()
                self.files[rel] = data
                self.lists[rel] = _StatusList(rel, match.group(1), int(match.group(2)), data)
            else:
                self.f.error(
                    rel,
                    "issued-layout",
                    "not a file credstack writes (issued/ holds credentials/<id>.json, "
                    "status/<revocation|suspension>-<n>.json and status-log.yml only)",
                    "move it out of issued/ (site pages belong in site_src/)",
                )
        for cred in self.credentials.values():
            try:
                cred.doc = json.loads(cred.data)
                cred.view = CredentialView.from_json(cred.doc, cid=cred.cid)
            except ValueError as e:
                self.f.error(cred.rel, "format-valid", f"not valid JSON ({e})", _RESTORE)
                cred.doc = None
            except CredentialError as e:
                self.f.error(cred.rel, "format-valid", e.message, _RESTORE)
            if cred.view is not None and self.urls is not None:
                expected = self.urls.credential(cred.cid)
                if cred.view.id != expected:
                    self.f.error(
                        cred.rel,
                        "id-matches-file",
                        f"the credential's id is {cred.view.id}, but its file name says {expected}",
                        "file names are the credential ids: credstack writes them; restore the "
                        "file with git",
                    )
        for sl in self.lists.values():
            try:
                sl.doc = json.loads(sl.data)
                if not isinstance(sl.doc, dict):
                    raise ValueError("not a JSON object")
            except ValueError as e:
                self.f.error(sl.rel, "status-list-verifies", f"not valid JSON ({e})", _RESTORE)
                sl.doc = None
        self.read_log()

    def read_log(self) -> None:
        path = self.root / STATUS_LOG
        if not path.exists():
            return
        data = path.read_bytes()
        self.files[STATUS_LOG] = data
        try:
            raw = yaml.safe_load(data) or {}
            events = raw.get("events") or [] if isinstance(raw, dict) else None
            if not isinstance(events, list):
                raise ValueError("expected 'events:' with a list of events")
            self.raw_events = events
            for i, e in enumerate(events):
                try:
                    self.events.append(StatusEvent.from_json(e))
                except (KeyError, TypeError, ValueError, AttributeError) as err:
                    self.f.error(
                        STATUS_LOG, "status-log-valid", f"events[{i}]: malformed ({err})", _RESTORE
                    )
        except (yaml.YAMLError, ValueError) as e:
            self.f.error(STATUS_LOG, "status-log-valid", f"not a status log ({e})", _RESTORE)

    # -- status lists ---------------------------------------------------------------------
    def check_status_lists(self) -> None:
        assert self.program is not None and self.urls is not None
        keys = KeyResolver([did_document(self.program)])
        issuer = self.urls.issuer_id
        for sl in self.lists.values():
            if sl.doc is None:
                continue
            expected = self.urls.status_list(sl.purpose, sl.number)
            problems = []
            if sl.doc.get("id") != expected:
                problems.append(f"its id is {sl.doc.get('id')!r}, expected {expected}")
            subject = sl.doc.get("credentialSubject")
            purpose = subject.get("statusPurpose") if isinstance(subject, dict) else None
            if purpose != sl.purpose:
                problems.append(f"statusPurpose is {purpose!r}, expected {sl.purpose!r}")
            if "BitstringStatusListCredential" not in (sl.doc.get("type") or []):
                problems.append("not a BitstringStatusListCredential")
            list_issuer = sl.doc.get("issuer")
            list_issuer = list_issuer.get("id") if isinstance(list_issuer, dict) else list_issuer
            if list_issuer != issuer:
                problems.append(f"issued by {list_issuer!r}, not {issuer}")
            if not problems:
                try:
                    _, proof = split_proof(sl.doc)
                    key = keys.resolve(proof.get("verificationMethod"))
                    verified = verify_proof(sl.doc, key.public_key)
                    if key.revoked is not None and verified.created >= key.revoked:
                        self.f.error(
                            sl.rel,
                            "key-not-retired",
                            f"re-signed {verified.created:%Y-%m-%d} with "
                            f"{proof.get('verificationMethod')}, retired on "
                            f"{key.revoked:%Y-%m-%d}",
                            "re-sign status changes with an active key",
                        )
                    sl.bits = Bitstring.decode(subject["encodedList"])
                    until = _when(sl.doc.get("validUntil"))
                    if until is not None and until <= self.at:
                        problems.append(f"expired on {until:%Y-%m-%d} (validUntil)")
                        sl.bits = None
                except ResolutionError as e:
                    problems.append(f"signed with an unknown key: {e.message}")
                except CredstackError as e:
                    problems.append(e.message)
            if problems:
                self.f.error(
                    sl.rel,
                    "status-list-verifies",
                    "; ".join(problems),
                    "status lists are written by `credstack revoke/suspend/reinstate`; restore "
                    "it with git and repeat the command",
                )

    # -- credentials -------------------------------------------------------------------------
    def check_credentials(self) -> None:
        assert self.program is not None
        did = did_document(self.program)
        did_bytes = json.dumps(did, sort_keys=True).encode()
        lists_by_url = {sl.doc["id"]: sl for sl in self.lists.values() if sl.doc and "id" in sl.doc}
        cache_folder = self.root / CACHE_DIR if self.use_cache else None
        store = VerificationCache(cache_folder)
        todo: list[tuple[str, dict]] = []
        keys: dict[str, str] = {}
        outcomes: dict[str, dict] = {}
        for cid, cred in self.credentials.items():
            if cred.view is None or cred.doc is None:
                continue
            urls = sorted({s.list_url for s in cred.view.statuses})
            key = cache_key(
                cred.data,
                did_bytes,
                [
                    u.encode() + b"\0" + (lists_by_url[u].data if u in lists_by_url else b"-")
                    for u in urls
                ],
            )
            keys[cid] = key
            hit = store.get(key)
            if hit is not None:
                outcomes[cid] = hit
            else:
                todo.append((cid, cred.doc))
        self.report.cache_hits = len(outcomes)
        self.report.verified = len(todo)
        lists = [sl.doc for sl in self.lists.values() if sl.doc is not None]
        for cid, result in self.verify_all(todo, did, lists):
            outcomes[cid] = result
            store.put(keys[cid], result)
        store.save()
        for cid, cred in self.credentials.items():
            if cid in outcomes and cred.view is not None:
                self.judge(cred, outcomes[cid])

    def verify_all(
        self, todo: list[tuple[str, dict]], did: dict, lists: list[dict]
    ) -> list[tuple[str, dict]]:
        many = len(todo) >= PARALLEL_THRESHOLD
        self.report.workers = min(worker_count(self.workers), len(todo)) if many else 1
        results = parallel_map(
            _verify_one,
            todo,
            workers=self.workers,
            initializer=_init_worker,
            initargs=(did, lists, self.at),
            min_parallel=PARALLEL_THRESHOLD,
        )
        return [(cid, result) for (cid, _), result in zip(todo, results, strict=True)]

    def judge(self, cred: _Credential, result: dict) -> None:
        view = cred.view
        assert view is not None
        if result["fatal"]:
            check_id, message = result["fatal"][0]
            rule, hint = FATAL_CHECKS[check_id], _FATAL_HINTS[check_id]
            if check_id == "key-valid" and "future" in message:
                rule, hint = "valid-from-not-future", "sign with the real date and time"
            self.f.error(cred.rel, rule, message, hint)
            return
        status = result["status"]
        if status == "none":
            self.f.error(
                cred.rel,
                "status-entry-present",
                "the credential carries no BitstringStatusListEntry: it could never be revoked",
                "award credentials with `credstack award`, which adds the status entry",
            )
        if view.valid_from > self.at:
            self.f.error(
                cred.rel,
                "valid-from-not-future",
                f"valid from {view.valid_from:%Y-%m-%d %H:%M}, which is in the future",
                "award with an issue date on or before today",
            )
        elif status in ("revoked", "suspended"):
            self.report.states[status] += 1
        elif view.valid_until is not None and view.valid_until <= self.at:
            self.report.states["expired"] += 1
        elif status in ("ok", "none"):
            self.report.states["verified"] += 1
        # "unavailable" and "untrusted" are reported against the lists themselves.

    def check_indexes(self) -> None:
        assert self.urls is not None
        lists_by_url = {sl.doc.get("id"): sl for sl in self.lists.values() if sl.doc is not None}
        seen: dict[tuple[str, int], str] = {}
        missing: dict[str, list[str]] = {}
        for cid, cred in self.credentials.items():
            view = cred.view
            if view is None:
                continue
            for ref in view.statuses:
                if ref.list_url not in lists_by_url:
                    missing.setdefault(ref.list_url, []).append(cid)
                if ref.implied:
                    continue
                slot = (ref.list_url, ref.index)
                if slot in seen:
                    self.f.error(
                        cred.rel,
                        "status-index-unique",
                        f"uses index {ref.index} of {_list_name(ref.list_url)}, already used by "
                        f"{seen[slot]}",
                        "each credential needs its own index: award with `credstack award`, "
                        "which allocates a fresh one",
                    )
                else:
                    seen[slot] = cid
        for url, cids in missing.items():
            shown = ", ".join(cids[:3]) + (f" and {len(cids) - 3} more" if len(cids) > 3 else "")
            self.f.error(
                f"{STATUS_DIR}/{_list_name(url)}",
                "status-list-exists",
                f"missing, but {shown} point{'s' if len(cids) == 1 else ''} at it ({url})",
                "status lists are written by `credstack award` with the first credential that "
                "uses them; restore it with git",
            )
        self.slots = seen

    def check_log(self) -> None:
        """The log and the lists agree: revoked/suspended per the log <=> the bit is set."""
        for i, event in enumerate(self.events):
            if event.credential not in self.credentials:
                self.f.error(
                    STATUS_LOG,
                    "status-log-valid",
                    f"events[{i}] names {event.credential}, which is not issued",
                    _RESTORE,
                )
            if event.event not in ("revoked", "suspended", "reinstated", "renewed", "reissued"):
                self.f.error(
                    STATUS_LOG,
                    "status-log-valid",
                    f"events[{i}]: unknown event {event.event!r}",
                    _RESTORE,
                )
        lists_by_url = {sl.doc.get("id"): sl for sl in self.lists.values() if sl.doc is not None}
        state: dict[str, dict[str, bool]] = {}
        for event in self.events:
            s = state.setdefault(event.credential, {"revocation": False, "suspension": False})
            if event.event == "revoked":
                s["revocation"] = True
            elif event.event == "suspended":
                s["suspension"] = True
            elif event.event == "reinstated":
                s["suspension"] = False
        for cid, cred in self.credentials.items():
            if cred.view is None:
                continue
            logged = state.get(cid, {"revocation": False, "suspension": False})
            for ref in cred.view.statuses:
                sl = lists_by_url.get(ref.list_url)
                if sl is None or sl.bits is None or ref.purpose not in logged:
                    continue
                try:
                    bit = sl.bits.get(ref.index)
                except CredstackError:
                    continue
                if bit != logged[ref.purpose]:
                    word = {"revocation": "revoked", "suspension": "suspended"}[ref.purpose]
                    self.f.error(
                        sl.rel,
                        "status-log-matches-lists",
                        f"{cid} is {'' if bit else 'not '}{word} in this list but "
                        f"{'' if logged[ref.purpose] else 'not '}{word} per {STATUS_LOG}",
                        "change status only with `credstack revoke/suspend/reinstate`, which "
                        "writes both",
                    )

    def check_site_url(self) -> None:
        assert self.urls is not None and self.program is not None
        host = self.urls.site.split("/")[2].lower()
        if self.credentials and host in PLACEHOLDER_SITE_HOSTS:
            self.f.error(
                "mkdocs.yml",
                "site-url-set",
                f"credentials are issued under the placeholder site_url {self.program.site_url}",
                "credential ids embed site_url forever: set site_url in mkdocs.yml to your "
                "site, delete these credentials and award again before anything is published",
            )

    # -- against the target branch -------------------------------------------------------
    def against_base(self, base: _Base) -> None:
        assert self.program is not None and self.urls is not None
        base_creds = {p: s for p, s in base.tree.items() if _CREDENTIAL_FILE.match(p)}
        changed = [p for p in base_creds if p in self.files and not base.same(p, self.files[p])]
        gone = [p for p in base_creds if p not in self.files]
        lists_changed = [
            p
            for p in base.tree
            if _STATUS_FILE.match(p) and not (p in self.files and base.same(p, self.files[p]))
        ]
        extra = [STATUS_LOG, KEYS_FILE]
        old = base.read([*changed, *gone, *lists_changed, *extra])
        new_paths = [c.rel for c in self.credentials.values() if c.rel not in base_creds]
        self.report.new_credentials = len(new_paths)
        # Credentials: only ever added.
        for path in changed:
            if _normalized(old[path]) == _normalized(self.files[path]):
                continue
            self.f.error(
                path,
                "credential-unchanged",
                f"modified after it was issued (differs from {base.ref})",
                f"issued credentials are permanent: restore it with `git checkout {base.ref} -- "
                f"{path}`; to correct one, use `credstack reissue`",
            )
        renamed_from: dict[str, str] = {}
        new_by_id = {
            c.doc.get("id"): c.rel
            for c in self.credentials.values()
            if c.rel in new_paths and isinstance(c.doc, dict)
        }
        new_by_bytes = {_normalized(self.files[p]): p for p in new_paths}
        for path in gone:
            data = old[path]
            try:
                old_id = json.loads(data).get("id")
            except (ValueError, AttributeError):
                old_id = None
            target = new_by_bytes.get(_normalized(data)) or new_by_id.get(old_id)
            if target is not None:
                renamed_from[target] = path
                self.f.error(
                    target,
                    "credential-not-renamed",
                    f"renamed from {path} (issued credentials keep their file and id)",
                    f"restore it with `git checkout {base.ref} -- {path}` and remove {target}",
                )
            else:
                self.f.error(
                    path,
                    "credential-not-deleted",
                    f"deleted (it exists in {base.ref})",
                    f"restore it with `git checkout {base.ref} -- {path}`; to withdraw a "
                    "credential, use `credstack revoke`",
                )
        new_events = self.compare_log(base, old.get(STATUS_LOG))
        self.compare_lists(base, old, lists_changed, new_events)
        base_keys = self.compare_keys(base, old.get(KEYS_FILE))
        new = [
            self.credentials[_CREDENTIAL_FILE.match(p).group(1)]  # type: ignore[union-attr]
            for p in new_paths
            if p not in renamed_from
        ]
        self.check_new_keys(new, base_keys, base)
        self.check_stacking(new, base, base_creds, old)

    def compare_log(self, base: _Base, old: bytes | None) -> list[StatusEvent]:
        """Report edits of old events; return the events added since ``base``."""
        if old is None:
            return list(self.events)
        try:
            raw = yaml.safe_load(old) or {}
            old_events = raw.get("events") or []
        except (yaml.YAMLError, AttributeError):
            return list(self.events)
        if STATUS_LOG not in self.files:
            self.f.error(
                STATUS_LOG,
                "status-log-append-only",
                f"deleted (it exists in {base.ref})",
                f"restore it with `git checkout {base.ref} -- {STATUS_LOG}`",
            )
            return []
        prefix = self.raw_events[: len(old_events)]
        if prefix == old_events:
            return self.events[len(old_events) :]
        for i, event in enumerate(old_events):
            if i >= len(self.raw_events) or self.raw_events[i] != event:
                what = "removed" if event not in self.raw_events else "moved or changed"
                self.f.error(
                    STATUS_LOG,
                    "status-log-append-only",
                    f"events[{i}] of {base.ref} ({event.get('event')} "
                    f"{event.get('credential')}) was {what}",
                    "the status log is append-only: restore the old events and append new ones",
                )
                break
        counted = Counter(json.dumps(e, sort_keys=True, default=str) for e in old_events)
        added = []
        for raw_event, event in zip(self.raw_events, self.events, strict=False):
            k = json.dumps(raw_event, sort_keys=True, default=str)
            if counted[k]:
                counted[k] -= 1
            else:
                added.append(event)
        return added

    def compare_lists(
        self,
        base: _Base,
        old: dict[str, bytes],
        changed: list[str],
        new_events: list[StatusEvent],
    ) -> None:
        assert self.urls is not None
        index: dict[tuple[str, int], str] = {}
        for cid, cred in self.credentials.items():
            for ref in cred.view.statuses if cred.view else ():
                index.setdefault((ref.list_url, ref.index), cid)
        new_lists = [rel for rel in self.lists if rel not in base.tree]
        for rel in [*changed, *new_lists]:
            sl = self.lists.get(rel)
            if sl is None:
                self.f.error(
                    rel,
                    "status-list-not-deleted",
                    f"deleted (it exists in {base.ref})",
                    f"restore it with `git checkout {base.ref} -- {rel}`",
                )
                continue
            if sl.doc is None:
                continue  # reported as status-list-verifies
            before: Bitstring | None = None
            if rel in old:
                try:
                    old_doc = json.loads(old[rel])
                except ValueError:
                    old_doc = None
                if _strip_list(old_doc) != _strip_list(sl.doc):
                    self.f.error(
                        rel,
                        "status-list-only-bits-change",
                        "changed beyond encodedList and proof",
                        "status lists are re-signed by `credstack revoke/suspend/reinstate`; "
                        f"restore it with `git checkout {base.ref} -- {rel}` and repeat",
                    )
                with contextlib.suppress(KeyError, TypeError, CredstackError):
                    before = Bitstring.decode(old_doc["credentialSubject"]["encodedList"])
            if sl.bits is None:
                continue  # not verified: reported as status-list-verifies
            if before is None:  # a new (or unreadable) list: every set bit is a change
                before = Bitstring.empty(sl.bits.size)
            url = sl.doc["id"]
            for i in _changed_bits(before, sl.bits):
                was = before.get(i) if i < before.size else False
                now = sl.bits.get(i) if i < sl.bits.size else False
                cid = index.get((url, i))
                if sl.purpose == "revocation" and was and not now:
                    self.f.error(
                        rel,
                        "revocation-final",
                        f"index {i}{f' ({cid})' if cid else ''} went from revoked to not revoked",
                        "revocation is final: restore the list; issue a new credential instead",
                    )
                    continue
                expected = {
                    ("revocation", True): "revoked",
                    ("suspension", True): "suspended",
                    ("suspension", False): "reinstated",
                }[(sl.purpose, now)]
                if cid is None:
                    self.f.error(
                        rel,
                        "status-change-logged",
                        f"index {i} changed to {int(now)}, but no credential uses that index",
                        "restore the list; change status only with `credstack revoke/suspend/"
                        "reinstate`",
                    )
                elif not any(e.credential == cid and e.event == expected for e in new_events):
                    self.f.error(
                        rel,
                        "status-change-logged",
                        f"index {i} ({cid}) changed to {int(now)} with no new '{expected}' event "
                        f"in {STATUS_LOG}",
                        "change status only with `credstack revoke/suspend/reinstate`, which "
                        "re-signs the list and logs the event together",
                    )

    def compare_keys(self, base: _Base, old: bytes | None) -> dict[str, dict]:
        """Report removed or altered keys; return the base's keys by id."""
        assert self.program is not None
        try:
            raw = yaml.safe_load(old) if old is not None else None
            entries = raw.get("keys") or [] if isinstance(raw, dict) else []
            base_keys = {str(k["id"]): k for k in entries if isinstance(k, dict) and "id" in k}
        except (yaml.YAMLError, KeyError, TypeError):
            return {}
        head = {k.id: k for k in self.program.issuer.keys}
        hint = (
            "keys.yml is append-only (written by `credstack keys`): restore it with "
            f"`git checkout {base.ref} -- {KEYS_FILE}`; to stop a key, `credstack keys retire` it"
        )
        for key_id, entry in base_keys.items():
            now = head.get(key_id)
            if now is None:
                self.f.error(KEYS_FILE, "keys-append-only", f"key {key_id} was removed", hint)
                continue
            if entry.get("publicKeyMultibase") != now.public_key_multibase:
                self.f.error(
                    KEYS_FILE, "keys-append-only", f"the public key of {key_id} was changed", hint
                )
            if _when(entry.get("created")) != now.created:
                self.f.error(
                    KEYS_FILE,
                    "keys-append-only",
                    f"the creation date of {key_id} was changed",
                    hint,
                )
            retired = entry.get("retired")
            retired_at = _when(retired.get("at")) if isinstance(retired, dict) else None
            if retired_at is not None and now.retired_at is None:
                self.f.error(
                    KEYS_FILE, "keys-append-only", f"the retirement of {key_id} was undone", hint
                )
            elif retired_at is not None and now.retired_at != retired_at:
                self.f.error(
                    KEYS_FILE,
                    "keys-append-only",
                    f"the retirement date of {key_id} was changed",
                    hint,
                )
        return base_keys

    def check_new_keys(
        self, new: list[_Credential], base_keys: dict[str, dict], base: _Base
    ) -> None:
        """A key already retired on the target branch signs nothing new, whatever the date."""
        assert self.urls is not None
        for cred in new:
            method = cred.view.verification_method if cred.view else None
            if not method or not method.startswith(self.urls.issuer_id + "#"):
                continue  # an unknown key is reported by key-known
            entry = base_keys.get(method.split("#", 1)[1])
            retired = entry.get("retired") if entry else None
            at = _when(retired.get("at")) if isinstance(retired, dict) else None
            if at is not None:
                created = cred.view.proof_created if cred.view else None
                claims = f" (its proof claims {created:%Y-%m-%d})" if created else ""
                self.f.error(
                    cred.rel,
                    "key-not-retired",
                    f"new, but signed with {method.split('#', 1)[1]}, which {base.ref} already "
                    f"retired on {at:%Y-%m-%d}{claims}",
                    "sign new credentials with an active key (`credstack keys list`)",
                )

    def check_stacking(
        self,
        new: list[_Credential],
        base: _Base,
        base_creds: dict[str, str],
        old: dict[str, bytes],
    ) -> None:
        """Replay the new credentials in issue order through the award rules."""
        assert self.program is not None
        held: dict[str, CredentialView] = {}
        for path in base_creds:
            cid = _CREDENTIAL_FILE.match(path).group(1)  # type: ignore[union-attr]
            cred = self.credentials.get(cid)
            if path in old:  # modified or deleted here: the base's own version counts
                with contextlib.suppress(ValueError, CredentialError):
                    held[cid] = CredentialView.from_json(json.loads(old[path]), cid=cid)
            elif cred is not None and cred.view is not None:
                held[cid] = cred.view
        ledger_registry = _AsOfRegistry(self.root, self.program, held, self.events)
        ledger = _Ledger(ledger_registry)
        replaces = {e.replacement: e.credential for e in self.events if e.replacement}
        corrected = {e.replacement for e in self.events if e.event == "revoked"}  # issue 15
        ordered = sorted(
            (c for c in new if c.view is not None),
            key=lambda c: (c.view.valid_from, c.view.proof_created or c.view.valid_from, c.cid),
        )
        for cred in ordered:
            view = cred.view
            assert view is not None
            if view.recipient is None or view.email_hash is None or view.salt is None:
                self.f.error(
                    cred.rel,
                    "stacking-rules",
                    "carries no hashed recipient identity (email hash, salt, id)",
                    "award credentials with `credstack award`",
                )
                continue
            ledger_registry.as_of = view.proof_created or view.valid_from
            inp = AwardInput(
                achievement=view.achievement_id,
                name=view.name,
                email=None,
                issued_at=view.valid_from,
                result=view.result,
                renews=replaces.get(view.cid),
                identity=(view.email_hash, view.salt, view.recipient),
                assessors=recorded_assessors(view.raw),  # issue 15: who assessed, on record?
                keep_assessment=view.cid in corrected,  # a correction keeps its assessment
            )
            reasons = check_rules(ledger_registry, ledger, inp)
            reasons += check_assessment(ledger_registry, inp)  # issue 15
            for reason in reasons:
                self.f.error(
                    cred.rel,
                    "stacking-rules",
                    reason.replace("; use `credstack renew` to issue a fresh one", ""),
                    "award with `credstack award`, which applies the program's rules; remove "
                    "this file from the pull request",
                )
            ledger.add(view)
            if inp.renews:
                ledger.superseded.add(inp.renews)

    # -- hygiene -----------------------------------------------------------------------------
    def hygiene(self) -> None:
        files = _git_files(self.root)
        if files is None:
            files = _all_files(self.root)
        issuer_email = None
        if self.program is not None and self.program.issuer.email:
            issuer_email = self.program.issuer.email.strip().lower()
        for rel in files:
            if rel.endswith(".key"):
                self.f.error(
                    rel, "no-secret-key", "a *.key file (secret key material?)", _SECRET_HINT
                )
            data = self.files.get(rel)
            if data is None:
                try:
                    data = (self.root / rel).read_bytes()
                except OSError:
                    continue
            if b"\0" in data[:8192]:
                continue  # binary
            strict = rel.startswith("issued/")
            for line, message in scan_secrets(data, strict=strict):
                self.f.error(f"{rel}:{line}", "no-secret-key", message, _SECRET_HINT)
            for line, address in scan_emails(data, strict=strict, allowed=issuer_email):
                self.f.error(
                    f"{rel}:{line}",
                    "no-plain-email",
                    f"plain email address {_redact(address)}",
                    "recipients' emails live only as salted hashes inside credentials; remove "
                    "it (placeholders @example.org are fine outside issued/; a reviewed line "
                    "may carry the marker 'credstack: allow')"
                    if not strict
                    else "credentials store emails only as salted hashes; restore the file",
                )


class _AsOfRegistry(Registry):
    """The target branch's credentials, with the status log as it stood at a moment."""

    def __init__(self, root: Path, program: Program, credentials: dict, events: list):
        super().__init__(root, program)
        self.__dict__["credentials"] = credentials
        self._events = events
        self.as_of: datetime | None = None

    @property
    def log(self) -> list[StatusEvent]:  # type: ignore[override]
        return [e for e in self._events if self.as_of is None or e.date < self.as_of]

    def current_status(self, cid: str) -> CurrentStatus:
        """As :meth:`Registry.current_status`, replaying the log up to ``as_of`` (not cached)."""
        revoked = suspended = None
        for event in self.log:
            if event.credential != cid:
                continue
            if event.event == "revoked":
                revoked = event
            elif event.event == "suspended":
                suspended = event
            elif event.event == "reinstated":
                suspended = None
        return CurrentStatus(revoked, suspended)


# -- scanners (pure) -----------------------------------------------------------------------


def scan_secrets(data: bytes, *, strict: bool = False) -> list[tuple[int, str]]:
    """(line, what) for each secret key found in ``data``: Multikey Ed25519 secrets, PEM keys."""
    found = []
    if b"z3u2" in data:
        for m in _SECRET_MULTIKEY.finditer(data):
            text = m.group().decode("ascii")
            try:
                raw = base58btc_decode(text[1:])
            except ValueError:
                continue
            if len(raw) != 34 or raw[:2] != b"\x80\x26" or text in PUBLISHED_TEST_SECRETS:
                continue
            if not strict and _allowed(data, m.start()):
                continue
            found.append((_line(data, m.start()), f"an Ed25519 secret key ({text[:6]}…)"))
    if b"PRIVATE KEY" in data:
        for m in _PEM_PRIVATE.finditer(data):
            if not strict and _allowed(data, m.start()):
                continue
            found.append((_line(data, m.start()), "a PEM private key"))
    return found


def scan_emails(
    data: bytes, *, strict: bool = False, allowed: str | None = None
) -> list[tuple[int, str]]:
    """(line, address) for each plain email address in ``data``.

    Outside ``strict`` (files under issued/), the issuer's own contact address, addresses at
    reserved placeholder domains and lines marked ``credstack: allow`` are let through.
    """
    found = []
    if b"@" not in data:
        return found
    for m in _EMAIL_DOMAIN.finditer(data):
        start = m.start()
        while start > 0 and data[start - 1] in _LOCAL_PART:
            start -= 1
        local = data[start : m.start()].lstrip(b".")
        if not local:
            continue
        address = (local + m.group()).decode("ascii", "replace")
        domain = m.group(1).decode("ascii").lower()
        if not strict:
            if allowed and address.lower() == allowed:
                continue
            if _placeholder(domain) or _allowed(data, m.start()):
                continue
        found.append((_line(data, m.start()), address))
    return found


def _placeholder(domain: str) -> bool:
    if domain.rsplit(".", 1)[-1] in PLACEHOLDER_TLDS:
        return True
    return any(domain == d or domain.endswith("." + d) for d in PLACEHOLDER_DOMAINS)


def _allowed(data: bytes, pos: int) -> bool:
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    return ALLOW_MARKER in data[start : end if end >= 0 else len(data)]


def _line(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _redact(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:2]}…@{domain}"


# -- helpers -------------------------------------------------------------------------------

_RESTORE = "files under issued/ are written by credstack only; restore it with git"
_SECRET_HINT = (
    "never commit secret keys: remove the file from the commit (and from history if it was "
    "pushed), then retire the key with `credstack keys retire` and create a new one"
)
_FATAL_HINTS = {
    "format": _RESTORE,
    "signature": "the file was changed after signing, or signed with another key: restore it "
    "with git, or award again with `credstack award`",
    "issuer-key": "sign with a key listed in program/keys.yml (`credstack keys list`)",
    "key-valid": "sign with an active key: `credstack keys create` makes a new one",
}


def _normalized(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def _strip_list(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    out = {k: v for k, v in doc.items() if k != "proof"}
    subject = out.get("credentialSubject")
    if isinstance(subject, dict):
        out["credentialSubject"] = {k: v for k, v in subject.items() if k != "encodedList"}
    return out


def _changed_bits(before: Bitstring, after: Bitstring) -> Iterator[int]:
    old, new = bytes(before.data), bytes(after.data)
    length = max(len(old), len(new))
    old, new = old.ljust(length, b"\0"), new.ljust(length, b"\0")
    if old == new:
        return
    for byte, (a, b) in enumerate(zip(old, new, strict=True)):
        diff = a ^ b
        if diff:
            for bit in range(8):
                if diff & (0x80 >> bit):
                    yield byte * 8 + bit


def _list_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value if isinstance(value, str) else value.isoformat())
    except (ValueError, AttributeError):
        return None


__all__ = [
    "RULES",
    "CheckReport",
    "Finding",
    "VerificationCache",
    "cache_key",
    "check_registry",
    "scan_emails",
    "scan_secrets",
    "verifier_fingerprint",
]
