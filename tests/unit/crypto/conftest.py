"""Crypto test fixtures: official vectors, test-only contexts and a TEST-ONLY key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from credstack.crypto.contexts import OfflineDocumentLoader, make_document_loader
from credstack.crypto.keys import SigningKey

VECTORS = Path(__file__).resolve().parents[2] / "vectors"

#: Contexts only the W3C vectors use; never shipped in the package.
TEST_ONLY_CONTEXTS = {
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://w3id.org/citizenship/v4rc1": "citizenship-v4rc1.jsonld",
}

#: TEST-ONLY seed: deterministic signatures. Never use this key for anything real.
TEST_SEED = bytes(range(32))


def load_vector(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def example_loader() -> OfflineDocumentLoader:
    """The shipped contexts plus the two test-only contexts of the W3C vectors."""
    extra = {
        url: json.loads((VECTORS / "contexts" / filename).read_text(encoding="utf-8"))
        for url, filename in TEST_ONLY_CONTEXTS.items()
    }
    return make_document_loader(extra)


@pytest.fixture(scope="session")
def rdfc_vectors() -> dict[str, Any]:
    return load_vector("eddsa-rdfc-2022.json")


@pytest.fixture(scope="session")
def _ob_vector() -> dict[str, Any]:
    return load_vector("ob-v3p0-eddsa-rdfc-2022.json")


@pytest.fixture
def ob_vector(_ob_vector: dict[str, Any]) -> dict[str, Any]:
    """The 1EdTech OB 3.0 vector; a fresh copy per test, so tests may edit it."""
    return copy.deepcopy(_ob_vector)


@pytest.fixture
def ob_signed(ob_vector: dict[str, Any]) -> dict[str, Any]:
    """The vector's signed OpenBadgeCredential (proof as a bare object, as published)."""
    return ob_vector["expected"]["signedDocument"]


@pytest.fixture(scope="session")
def ob_key() -> SigningKey:
    vector = load_vector("ob-v3p0-eddsa-rdfc-2022.json")
    return SigningKey.from_seed(bytes.fromhex(vector["keyPair"]["seedHex"]))


@pytest.fixture(scope="session")
def test_key() -> SigningKey:
    return SigningKey.from_seed(TEST_SEED)
