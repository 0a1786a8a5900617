"""The verification cache's fingerprint covers every source file that decides a result."""

from __future__ import annotations

from pathlib import Path

import credstack
from credstack.registry import vcache

PACKAGE = Path(credstack.__file__).parent


def fingerprinted() -> set[Path]:
    return {
        path
        for pattern in vcache._VERIFIER_FILES
        for path in PACKAGE.glob(pattern)
        if path.is_file()
    }


def test_every_model_and_crypto_module_is_fingerprinted():
    # Subpackages too (crypto/canon/): a fix there must invalidate cached results.
    covered = fingerprinted()
    modules = [p for layer in ("model", "crypto") for p in (PACKAGE / layer).rglob("*.py")]
    assert len(modules) > 20
    missing = sorted(str(p.relative_to(PACKAGE)) for p in modules if p not in covered)
    assert missing == []


def test_the_canonicalization_package_is_fingerprinted():
    covered = fingerprinted()
    canon = sorted((PACKAGE / "crypto" / "canon").glob("*.py"))
    assert len(canon) >= 5
    assert set(canon) <= covered
