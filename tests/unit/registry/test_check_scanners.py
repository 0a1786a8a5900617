"""The merge gate's pure parts: secret and email scanners, cache keys, the cache file."""

from __future__ import annotations

import json

import pytest

from credstack.crypto.keys import SigningKey
from credstack.registry.check import (
    PUBLISHED_TEST_SECRETS,
    RULES,
    scan_emails,
    scan_secrets,
)
from credstack.registry.vcache import VerificationCache, entry_key
from support import fixed_signing_key

# Addresses and PEM headers are assembled at run time, so that this file itself passes the
# repository's own hygiene checks.
DASHES = "-" * 5


def addr(text: str) -> str:
    return text.replace("(at)", "@")


def secret() -> str:
    return SigningKey.from_seed(bytes([11]) * 32).to_multibase_secret()


# -- secrets ---------------------------------------------------------------------------------


def test_finds_a_multikey_secret_with_its_line():
    data = f"line one\nkey: {secret()}\n".encode()
    assert scan_secrets(data) == [(2, f"an Ed25519 secret key ({secret()[:6]}…)")]


def test_ignores_public_keys_signatures_and_published_test_vectors():
    public = fixed_signing_key().public_key_multibase
    proof_value = "z3u2" + "x" * 84  # a proofValue can start like a secret; it is longer
    vector = next(iter(PUBLISHED_TEST_SECRETS))
    data = f"{public}\n{proof_value}\n{vector}\nz3u2notbase58!\n".encode()
    assert scan_secrets(data) == []


def test_finds_pem_private_keys():
    for header in (
        "PRIVATE KEY",
        "RSA PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ):
        assert scan_secrets(f"x\n{DASHES}BEGIN {header}{DASHES}\nabc\n".encode()) == [
            (2, "a PEM private key")
        ]
    assert scan_secrets(f"{DASHES}BEGIN PUBLIC KEY{DASHES}\n".encode()) == []


def test_rejects_a_secret_on_a_line_marked_allow():
    data = f"{secret()}  # credstack: allow (documentation example)\n".encode()
    assert len(scan_secrets(data)) == 1


def test_finds_the_issuers_seed_in_hex_and_base64_even_in_binary_files():
    import base64

    key = SigningKey.from_seed(bytes(range(32)))
    public = frozenset({key.public_key})
    seed = bytes(range(32))
    for text in (
        seed.hex(),
        seed.hex().upper(),
        base64.b64encode(seed).decode(),
        base64.urlsafe_b64encode(seed).decode().rstrip("="),
    ):
        data = b"\x00\x01binary\n" + text.encode() + b"\n"
        assert scan_secrets(data, public_keys=public) == [
            (2, f"the issuer's Ed25519 secret key in {'hex' if len(text) == 64 else 'base64'}")
        ], text
    other = bytes([9]) * 32
    assert scan_secrets(other.hex().encode(), public_keys=public) == []


# -- emails ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "contact jane.doe(at)gmail.com today",
        "<a href='mailto:Jane.Doe+x(at)Corp.IO'>",
        "git(at)github.com:owner/repo.git",
        "JOHN(at)EXAMPLE.NL",
    ],
)
def test_finds_plain_email_addresses(text):
    (found,) = scan_emails(addr(text).encode())
    assert found[0] == 1


@pytest.mark.parametrize(
    "text",
    [
        "name@example.org, a@sub.example.com, x@example.net",
        "ops@registry.example, t@t.test, u@host.invalid, me@localhost",
        "the hint says name@domain.tld",
        "@context and @type, npm @scope/pkg, user@1.2.3",
        "https://medium.com/@someone.name/post",
        "hash of 'a@example.comKosher' (email + salt)",
        "41898282+github-actions[bot]@users.noreply.github.com",
    ],
)
def test_ignores_placeholders_and_things_that_are_not_addresses(text):
    assert scan_emails(text.encode()) == []


def test_the_issuers_own_address_is_allowed_outside_issued():
    data = addr("email: Credentials(at)Acme.io\n").encode()
    assert scan_emails(data, allowed=addr("credentials(at)acme.io")) == []
    assert scan_emails(data) == [(1, addr("Credentials(at)Acme.io"))]


def test_issued_files_allow_no_address_at_all():
    data = b'{"name": "name@example.org"} credstack: allow\n'
    assert scan_emails(data, strict=True, allowed="name@example.org") == [(1, "name@example.org")]


# -- cache keys --------------------------------------------------------------------------------


def flip(data: bytes, i: int) -> bytes:
    return data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_any_byte_of_any_input_changes_the_key(which):
    parts = [b'{"id": "x"}', b'{"id": "did:web:x"}', b"u1234"]
    key = entry_key("credential", *parts)
    for i in range(len(parts[which])):
        changed = list(parts)
        changed[which] = flip(parts[which], i)
        assert entry_key("credential", *changed) != key
    assert entry_key("list", *parts) != key


def test_inputs_cannot_be_shifted_between_parts():
    assert entry_key("k", b"ab", b"c") != entry_key("k", b"a", b"bc")
    assert entry_key("k", b"a", b"b", b"c") != entry_key("k", b"a", b"b", b"", b"c")


def test_cache_file_round_trip_and_gitignore(tmp_path):
    cache = VerificationCache(tmp_path)
    cache.put("good", {"checks": [], "created": None})
    cache.save()
    again = VerificationCache(tmp_path)
    assert again.get("credential", "good") == {"checks": [], "created": None}
    assert again.get("credential", "other") is None
    assert (again.hits, again.misses) == ({"credential": 1}, {"credential": 1})
    assert (tmp_path / ".gitignore").read_text().strip().endswith("*")


def test_rejects_cache_entries_without_this_machines_mac(tmp_path):
    cache = VerificationCache(tmp_path)
    cache.put("good", {"checks": []})
    cache.save()
    data = json.loads((tmp_path / "verification.json").read_text())
    # Values are kept as their canonical JSON text, which the MAC covers.
    data["entries"]["good"][1] = json.dumps({"checks": [], "forged": True}, sort_keys=True)
    data["entries"]["forged"] = ["0" * 64, json.dumps({"checks": []})]
    (tmp_path / "verification.json").write_text(json.dumps(data))
    again = VerificationCache(tmp_path)
    assert again.get("credential", "good") is None
    assert again.get("credential", "forged") is None


def test_a_corrupt_cache_file_is_ignored(tmp_path):
    (tmp_path / "verification.json").write_text("{not json")
    assert VerificationCache(tmp_path).get("credential", "x") is None
    (tmp_path / "verification.json").write_text(json.dumps({"entries": []}))
    assert VerificationCache(tmp_path).get("credential", "x") is None


def test_rule_names_are_kebab_case_and_documented():
    assert all(name == name.lower() and " " not in name and RULES[name] for name in RULES)
