"""Rules over every file git would commit: layout, secrets, emails, caches, symlinks.

* ``no-secret-key``: Multikey Ed25519 secrets (``z3u2…``, decoded and checked: 0x8026 + 32
  bytes), PEM private keys, any ``*.key`` file, and 32-byte values written in hex or base64 whose
  Ed25519 public key is one of the issuer's keys (a leaked seed). Text inside binary files is
  scanned too. No marker lets a secret through; the W3C vc-di-eddsa test-vector secret is
  public and let through.
* ``no-plain-email``: inside ``issued/`` no address at all (credentials carry salted hashes
  only). Elsewhere an address is let through only when it is the issuer's own contact email,
  at a reserved placeholder domain (``example.com/.org/.net`` and subdomains, the ``.example``,
  ``.test``, ``.invalid``, ``.localhost`` top-level domains, and ``.local``/``.tld``), or on a
  reviewed line marked ``credstack: allow``. The marker never works inside ``issued/``.
* ``issued-layout``: ``issued/`` holds ``credentials/<cid>.json``,
  ``status/<revocation|suspension>-<n>.json``, ``status-log.yml``, sealed roster rows
  ``roster/<cid>.sealed`` and ``profiles.yml`` (earner pages; issue 16), nothing else.
* ``no-cache-files``: nothing under ``.cache/`` is committed (a committed cache entry must never
  vouch for a credential; the cache also authenticates its entries).
* ``no-symlinks``: the tree holds no symbolic links (one in ``site_src/`` could publish a key).
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

from credstack.crypto.keys import SigningKey, base58btc_decode
from credstack.registry.check.gate import Gate, rule
from credstack.registry.source import git_files

#: The line marker that lets a reviewed line through the email rule (never inside issued/).
ALLOW_MARKER = b"credstack: allow"
#: Secret keys published in specifications as test vectors (W3C vc-di-eddsa, Appendix B).
PUBLISHED_TEST_SECRETS = frozenset({"z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"})
#: Domains that can never be anyone's mailbox (RFC 2606, RFC 6761) and obvious placeholders.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
PLACEHOLDER_TLDS = ("example", "test", "invalid", "localhost", "local", "tld")
#: Files larger than this are scanned in their first and last part only.
SCAN_LIMIT = 8 * 1024 * 1024

_B58 = "1-9A-HJ-NP-Za-km-z"
_SECRET_MULTIKEY = re.compile(
    rb"(?<![" + _B58.encode() + rb"])z3u2[" + _B58.encode() + rb"]{40,60}"
    rb"(?![" + _B58.encode() + rb"])"
)
_PEM_PRIVATE = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_HEX32 = re.compile(rb"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
_B64_32 = re.compile(rb"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{43}=?(?![A-Za-z0-9+/_=-])")
_EMAIL_DOMAIN = re.compile(
    rb"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[a-z]{2,63}|[A-Z]{2,63}))"
    rb"(?![A-Za-z0-9-])"
)
_LOCAL_PART = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_SECRET_HINT = (
    "never commit secret keys: remove the file from the commit (and from history if it was "
    "pushed), then retire the key with `credstack keys retire` and create a new one"
)


def scan_secrets(
    data: bytes, *, public_keys: frozenset[bytes] = frozenset()
) -> list[tuple[int, str]]:
    """(line, what) for each secret key in ``data``: Multikey Ed25519 secrets, PEM private keys,
    and hex/base64 seeds of any of ``public_keys``."""
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
            found.append((_line(data, m.start()), f"an Ed25519 secret key ({text[:6]}…)"))
    if b"PRIVATE KEY" in data:
        for m in _PEM_PRIVATE.finditer(data):
            found.append((_line(data, m.start()), "a PEM private key"))
    if public_keys:
        for pattern, decode, what in (
            (_HEX32, binascii.unhexlify, "hex"),
            (_B64_32, _b64, "base64"),
        ):
            for m in pattern.finditer(data):
                try:
                    seed = decode(m.group())
                except (ValueError, binascii.Error):
                    continue
                if len(seed) == 32 and SigningKey.from_seed(seed).public_key in public_keys:
                    found.append(
                        (_line(data, m.start()), f"the issuer's Ed25519 secret key in {what}")
                    )
    return found


def _b64(text: bytes) -> bytes:
    padded = text.rstrip(b"=") + b"="
    if b"-" in text or b"_" in text:
        return base64.urlsafe_b64decode(padded)
    return base64.b64decode(padded, validate=True)


def scan_emails(
    data: bytes, *, strict: bool = False, allowed: str | None = None
) -> list[tuple[int, str]]:
    """(line, address) for each plain email address in ``data``.

    Outside ``strict`` (files under issued/), the issuer's own contact address, addresses at
    reserved placeholder domains and lines marked ``credstack: allow`` are let through.
    """
    found: list[tuple[int, str]] = []
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


def committed_files(gate: Gate) -> list[str]:
    """Every file git would commit (or, outside git, every file but build output)."""
    if "files" not in gate.memo:
        files = git_files(gate.root)
        if files is None:
            files = _all_files(gate.root)
        gate.memo["files"] = files
    return gate.memo["files"]  # type: ignore[no-any-return]


def _all_files(root: Path) -> list[str]:
    import os

    skip = {".git", ".cache", ".venv", "node_modules", "site", "__pycache__"}
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        out.extend((Path(dirpath) / n).relative_to(root).as_posix() for n in sorted(filenames))
    return out


def _read(gate: Gate, rel: str) -> bytes | None:
    if gate.head is not None and rel in gate.head.files:
        return gate.head.files[rel]
    path = gate.root / rel
    if path.is_symlink() or not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            data = fh.read(SCAN_LIMIT + 1)
    except OSError:
        return None
    return data


@rule("issued-layout", "issued/ holds only files the CLI writes", needs="tree")
def issued_layout(gate: Gate) -> None:
    if gate.head is None:
        return
    for rel in gate.head.stray_files:
        gate.error(
            rel,
            "issued-layout",
            "not a file credstack writes (issued/ holds credentials/<id>.json, "
            "status/<revocation|suspension>-<n>.json, status-log.yml, roster/<id>.sealed and "
            "profiles.yml only)",
            "move it out of issued/ (site pages belong in site_src/)",
        )


@rule("no-symlinks", "the tree holds no symbolic links", needs="tree")
def no_symlinks(gate: Gate) -> None:
    for rel in committed_files(gate):
        if (gate.root / rel).is_symlink():
            gate.error(
                rel,
                "no-symlinks",
                "a symbolic link: it could publish or read files from outside the registry",
                f"replace it with the file itself, or remove it (`git rm {rel}`)",
            )


@rule("no-cache-files", "nothing under .cache/ is committed", needs="tree")
def no_cache_files(gate: Gate) -> None:
    for rel in committed_files(gate):
        if rel == ".cache" or rel.startswith(".cache/"):
            gate.error(
                rel,
                "no-cache-files",
                "a cache file in the commit: caches are local and never trusted from a repository",
                f"remove it (`git rm --cached {rel}`); .cache/ belongs in .gitignore",
            )


@rule("no-secret-key", "no secret key material in any file git would commit", needs="tree")
def no_secret_key(gate: Gate) -> None:
    public = frozenset(_public_keys(gate.program.issuer.keys) if gate.program is not None else ())
    for rel in committed_files(gate):
        if rel.endswith(".key"):
            gate.error(rel, "no-secret-key", "a *.key file (secret key material?)", _SECRET_HINT)
        data = _read(gate, rel)
        if data is None:
            continue
        for line, message in scan_secrets(data, public_keys=public):
            gate.error(f"{rel}:{line}", "no-secret-key", message, _SECRET_HINT)


def _public_keys(keys: object) -> list[bytes]:
    from credstack.crypto.keys import decode_multikey_public

    out: list[bytes] = []
    for key in keys:  # type: ignore[attr-defined]
        try:
            out.append(decode_multikey_public(key.public_key_multibase))
        except Exception:
            continue
    return out


@rule("no-plain-email", "no plain email address in any file git would commit", needs="tree")
def no_plain_email(gate: Gate) -> None:
    issuer_email = None
    if gate.program is not None and gate.program.issuer.email:
        issuer_email = gate.program.issuer.email.strip().lower()
    for rel in committed_files(gate):
        data = _read(gate, rel)
        if data is None or b"\0" in data[:8192]:
            continue  # binary
        strict = rel.startswith("issued/")
        for line, address in scan_emails(data, strict=strict, allowed=issuer_email):
            gate.error(
                f"{rel}:{line}",
                "no-plain-email",
                f"plain email address {_redact(address)}",
                "recipients' emails live only as salted hashes inside credentials; remove it "
                "(placeholders @example.org are fine outside issued/; a reviewed line may carry "
                "the marker 'credstack: allow')"
                if not strict
                else "credentials store emails only as salted hashes; restore the file",
            )


__all__ = [
    "ALLOW_MARKER",
    "PUBLISHED_TEST_SECRETS",
    "committed_files",
    "scan_emails",
    "scan_secrets",
]
