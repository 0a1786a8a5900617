"""Ways to damage a published status list, shared by the CLI and the page fail-closed tests."""

from __future__ import annotations

from credstack.crypto.keys import SigningKey, encode_multikey_public
from credstack.crypto.proof import create_proof
from credstack.registry.files import dump_json
from support import at as date

DAY = date("2026-03-02T09:00")
STRANGER = SigningKey.from_seed(bytes([5]) * 32)


def _resign(doc: dict, key: SigningKey, method: str) -> dict:
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    return create_proof(unsigned, key, verification_method=method, created=DAY)


def _missing(path, doc, registry):
    path.unlink()


def _unreadable(path, doc, registry):
    path.write_text('{"id": "truncated')


def _foreign_key(path, doc, registry):
    """Signed by a key the issuer's DID document does not list, under the issuer's key id."""
    method = doc["proof"][0]["verificationMethod"]
    path.write_text(dump_json(_resign(doc, STRANGER, method)))


def _other_issuer(path, doc, registry):
    """A list another issuer signed (a did:key), served at our URL."""
    did = "did:key:" + encode_multikey_public(STRANGER.public_key)
    changed = {**doc, "issuer": did}
    path.write_text(dump_json(_resign(changed, STRANGER, f"{did}#{did[8:]}")))


def _stale(path, doc, registry):
    """A genuine list (our key) that is past its validUntil."""
    from support import fixed_signing_key

    changed = {**doc, "validUntil": "2026-04-01T00:00:00Z"}
    path.write_text(
        dump_json(_resign(changed, fixed_signing_key(), doc["proof"][0]["verificationMethod"]))
    )


FAULTS = {
    "missing": (_missing, "unavailable"),
    "unreadable": (_unreadable, "unavailable"),
    "signed-by-a-foreign-key": (_foreign_key, "untrusted"),
    "signed-by-another-issuer": (_other_issuer, "untrusted"),
    "out-of-date": (_stale, "stale"),
}
