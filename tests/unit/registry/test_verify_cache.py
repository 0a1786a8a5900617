"""The fast paths (content-hash cache, both cores) give exactly the reports of the plain path."""

import copy
import json

import pytest

from credstack.model.wording import report_json
from credstack.registry.award import AwardInput
from credstack.registry.registry import Registry
from credstack.registry.vcache import VerificationCache
from credstack.registry.verify import registry_verifier
from support import at as date
from support import award, salts

DAY = date("2026-03-02T09:00")
LATER = date("2026-06-01")


@pytest.fixture
def many(root):
    """60 credentials (enough to take the parallel path)."""
    foundations = [a.id for a in Registry(root).program.by_level("foundation")]
    inputs = [
        AwardInput(foundations[i % len(foundations)], f"P{i}", f"p{i}@example.org", DAY)
        for i in range(60)
    ]
    award(root, *inputs, salt=salts())
    registry = Registry(root)
    return root, [(v.raw, v.cid, None) for v in registry.credentials.values()]


def plain(root, items):
    verifier = registry_verifier(Registry(root), at=LATER)
    return [report_json(verifier.verify(doc, target)) for doc, target, _ in items]


def test_parallel_verify_many_equals_serial(many):
    root, items = many
    fast = registry_verifier(Registry(root), at=LATER).verify_many(items, workers=2)
    assert [report_json(r) for r in fast] == plain(root, items)
    assert all(r.status == "verified" for r in fast)


def test_cached_reports_equal_uncached_and_survive_a_restart(many, tmp_path):
    root, items = many
    first = VerificationCache(tmp_path)
    registry_verifier(Registry(root), at=LATER, cache=first).verify_many(items)
    first.save()
    second = VerificationCache(tmp_path)
    verifier = registry_verifier(Registry(root), at=LATER, cache=second)
    assert [report_json(r) for r in verifier.verify_many(items)] == plain(root, items)
    assert verifier.computed == 0 and second.misses.get("credential", 0) == 0


def tamper_any_string(doc, position):
    """Change one character of the ``position``-th string value anywhere in ``doc``."""
    doc = copy.deepcopy(doc)
    seen = []

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            if isinstance(v, str) and v:
                seen.append((node, k))
            elif isinstance(v, (dict, list)):
                walk(v)

    walk(doc)
    node, k = seen[position % len(seen)]
    node[k] = node[k][:-1] + ("x" if node[k][-1] != "x" else "y")
    return doc


@pytest.mark.parametrize("position", range(0, 60, 7))
def test_any_changed_byte_misses_the_cache_and_fails(many, tmp_path, position):
    root, items = many
    cache = VerificationCache(tmp_path)
    registry_verifier(Registry(root), at=LATER, cache=cache).verify_many(items[:1])
    doc = tamper_any_string(items[0][0], position)
    report = registry_verifier(Registry(root), at=LATER, cache=cache).verify(doc)
    assert report.status != "verified", json.dumps(report_json(report))


def test_changed_did_document_invalidates_the_cache(many, tmp_path):
    root, items = many
    cache = VerificationCache(tmp_path)
    registry_verifier(Registry(root), at=LATER, cache=cache).verify_many(items[:3])
    # Same credentials, but the DID document now lists a different key under the same id.
    registry = Registry(root)
    did = registry.did_document()
    did["verificationMethod"][0]["publicKeyMultibase"] = (
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    )
    from credstack.registry.verify import KeyResolver, Verifier

    verifier = Verifier(
        keys=KeyResolver([did]), at=LATER, cache=cache, status_lists=registry.status_lists
    )
    assert all(r.status == "invalid" for r in verifier.verify_many(items[:3]))


def test_status_changes_are_never_cached(many, tmp_path):
    from credstack.registry.lifecycle import change_status
    from support import loaded_test_key

    root, items = many
    cache = VerificationCache(tmp_path)
    registry_verifier(Registry(root), at=LATER, cache=cache).verify_many(items)
    change_status(
        Registry(root), items[0][1], "revoked", key=loaded_test_key(root), when=DAY, reason="test"
    )
    report = registry_verifier(Registry(root), at=LATER, cache=cache).verify(items[0][0])
    assert report.status == "revoked"
