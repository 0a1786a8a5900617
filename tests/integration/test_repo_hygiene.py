"""No plain email and no secret key material anywhere in the repository."""

import re
import subprocess

from credstack.registry.registry import Registry
from support import REPO

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Multikey Ed25519 secret keys: base58btc of 0x80 0x26 + 32 bytes always starts "z3u2".
MULTIKEY_SECRET = re.compile(r"\bz3u2[1-9A-HJ-NP-Za-km-z]{40,}")
PEM_PRIVATE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
PUBLISHED = ("issued/", "program/", "site_src/", "mkdocs.yml")


def tracked_files():
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return [REPO / line for line in out.stdout.splitlines() if (REPO / line).is_file()]


def published_vector_secrets() -> set[str]:
    """Secret keys that the W3C vc-di-eddsa test vectors publish on purpose."""
    found = set()
    for path in (REPO / "tests/vectors").glob("*.json"):
        found |= set(MULTIKEY_SECRET.findall(path.read_text()))
    return found


def test_no_secret_key_material_in_the_tree():
    allowed = published_vector_secrets()
    assert allowed, "the official vectors publish their (public, test-only) secret key"
    offenders = []
    for path in tracked_files():
        text = path.read_bytes().decode("utf-8", "replace")
        # a truncated copy of a vector secret (malformed-input tests) is still the vector's
        secrets = {
            found
            for found in MULTIKEY_SECRET.findall(text)
            if not any(known.startswith(found) for known in allowed)
        }
        if secrets or PEM_PRIVATE.search(text) or path.suffix == ".key":
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_no_plain_email_in_what_the_site_publishes():
    contact = Registry(REPO).program.issuer.email
    offenders = []
    for path in tracked_files():
        rel = str(path.relative_to(REPO))
        if not rel.startswith(PUBLISHED):
            continue
        for email in EMAIL.findall(path.read_text("utf-8", "replace")):
            if email != contact:
                offenders.append(f"{rel}: {email}")
    assert offenders == []


def test_the_hygiene_patterns_catch_what_they_should():
    from support import fixed_signing_key

    assert MULTIKEY_SECRET.search(fixed_signing_key().to_multibase_secret())
    assert EMAIL.search("write to someone@example.org today")
