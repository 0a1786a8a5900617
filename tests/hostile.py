"""Hostile inputs that must end in a verdict, quickly, in the CLI and in the page.

Each case is a file (what a visitor drops on /verify/ or passes to ``credstack verify``) with the
status and deciding (check, code) both verifiers must give. The status list they may point at
(``LIST_URL``) is a GZIP bomb. Used by tests/unit/registry/test_hostile_inputs.py and
tests/browser/test_corpus.py.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from credstack.crypto.keys import SigningKey, encode_multikey_public
from credstack.crypto.proof import create_proof

KEY = SigningKey.from_seed(bytes([9]) * 32)
DID = "did:key:" + encode_multikey_public(KEY.public_key)
METHOD = f"{DID}#{DID[8:]}"
SIGNED_AT = datetime(2025, 1, 2, tzinfo=UTC)
AT = "2026-01-01T00:00:00Z"
LIST_URL = "https://hostile.example/status/1"


@dataclass(frozen=True)
class Case:
    data: bytes
    status: str
    reason: tuple[str, str] | None  # the deciding (check, code)


def _sign(doc: dict[str, Any]) -> dict[str, Any]:
    return create_proof(doc, KEY, verification_method=METHOD, created=SIGNED_AT)


def _credential() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:0d6b1f7e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Hostile Test Issuer"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Hostile",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "urn:uuid:0d6b1f7e-0000-4000-8000-000000000002",
                "type": ["Achievement"],
                "name": "A",
                "description": "d",
                "criteria": {"narrative": "n"},
            },
        },
    }


@cache
def bomb_list() -> bytes:
    """A status list signed by the issuer whose encodedList inflates to 64 MiB."""
    bomb = gzip.compress(bytes(64 * 1024 * 1024), 9)
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + base64.urlsafe_b64encode(bomb).decode().rstrip("="),
        },
    }
    return json.dumps(_sign(doc)).encode()


@cache
def cases() -> dict[str, Case]:
    signed = _sign(_credential())

    def changed(mutate: Any) -> dict[str, Any]:
        doc = copy.deepcopy(signed)
        mutate(doc)
        return doc

    def deep(doc: dict[str, Any]) -> None:
        node = doc["credentialSubject"]["achievement"]
        for _ in range(80):
            node["description"] = {"nested": {}}
            node = node["description"]["nested"]

    def clique(doc: dict[str, Any]) -> None:
        # "Cyclic-looking" JSON-LD: blank nodes that all refer to each other (RDFC-1.0 §6.1
        # dataset poisoning): the canonicalization work is bounded, not exponential.
        doc["credentialSubject"]["https://example.org/knows"] = [
            {
                "@id": f"_:b{i}",
                "https://example.org/knows": [{"@id": f"_:b{j}"} for j in range(14) if j != i],
            }
            for i in range(14)
        ]

    status = {
        "id": f"{LIST_URL}#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": LIST_URL,
    }
    many_status = [
        {**status, "id": f"{LIST_URL}/{i}#1", "statusListCredential": f"{LIST_URL}/{i}"}
        for i in range(500)
    ]
    unreadable = ("format", "unreadable")
    docs: dict[str, tuple[Any, str, tuple[str, str] | None]] = {
        "genuine": (signed, "verified", None),
        "nested 80 levels": (changed(deep), "invalid", unreadable),
        "30,000 items in one array": (
            changed(lambda d: d["credentialSubject"]["achievement"].update(tag=["x"] * 30_000)),
            "invalid",
            unreadable,
        ),
        "9,000 strings in arrays of 480": (
            changed(
                lambda d: d["credentialSubject"]["achievement"].update(
                    alignment=[
                        {
                            "type": ["Alignment"],
                            "targetName": f"n{i}",
                            "targetUrl": f"https://e.example/{i}",
                            "targetCode": [f"c{i}-{j}" for j in range(480)],
                        }
                        for i in range(19)
                    ]
                )
            ),
            "invalid",
            ("signature", "mismatch"),
        ),
        "a 9 MB string": (
            changed(lambda d: d.update(name="x" * 9_000_000)),
            "invalid",
            ("signature", "mismatch"),
        ),
        "100 proofs (16 are verified, the rest refused unread)": (
            changed(lambda d: d.update(proof=signed["proof"] * 100)),
            "invalid",
            ("signature", "malformed-proof"),
        ),
        "5,000 proofs": (
            changed(lambda d: d.update(proof=signed["proof"] * 5000)),
            "invalid",
            unreadable,
        ),
        "blank-node clique": (changed(clique), "invalid", ("signature", "unsafe-jsonld")),
        "GZIP bomb status list": (
            _sign({**_credential(), "credentialStatus": status}),
            "error",
            ("status", "untrusted"),
        ),
        "500 status entries": (
            changed(lambda d: d.update(credentialStatus=many_status)),
            "invalid",
            ("format", "status-entry"),
        ),
    }
    out = {
        name: Case(json.dumps(doc).encode(), expected, reason)
        for name, (doc, expected, reason) in docs.items()
    }
    out["100,000 nested arrays"] = Case(b"[" * 100_000 + b"]" * 100_000, "invalid", unreadable)
    out["a JWT of garbage"] = Case(b"eyJ" + b"A" * 1000 + b".eyJ.x", "invalid", unreadable)
    return out
