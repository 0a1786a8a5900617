"""Fail closed: a revocation or suspension list that is missing, unreadable, signed by another
key or another issuer, or out of date gives `error` for the status check, never "not revoked".

The page runs the same scenarios in tests/browser/test_fail_closed.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from credstack.model.wording import verdict
from credstack.registry.files import dump_json
from credstack.registry.registry import Registry
from credstack.registry.verify import registry_verifier
from status_faults import FAULTS, _resign
from support import at as date
from support import award_with_prerequisites, expiring_micro

DAY = date("2026-03-02T09:00")
LATER = date("2026-06-01")


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_rejects_untrustworthy_status_list_as_error(root, purpose, fault):
    aid = expiring_micro(Registry(root).program)
    cred = award_with_prerequisites(root, aid, name="Ada", email="ada@example.org", when=DAY)
    path = root / f"issued/status/{purpose}-1.json"
    doc = json.loads(path.read_text())
    damage, code = FAULTS[fault]
    damage(path, doc, Registry(root))
    registry = Registry(root)
    report = registry_verifier(registry, at=LATER, now=LATER).verify(cred.credential)
    assert report.status == "error", verdict(report)
    assert report.code("status") == code
    assert report.check("status").outcome == "error"
    assert verdict(report).startswith("Signature verified, but revocation status could not be")


def test_a_fresh_list_within_its_window_verifies(root):
    from support import fixed_signing_key

    aid = expiring_micro(Registry(root).program)
    cred = award_with_prerequisites(root, aid, name="Ada", email="ada@example.org", when=DAY)
    path = root / "issued/status/suspension-1.json"
    doc = json.loads(path.read_text())
    changed = {**doc, "validUntil": (LATER + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    path.write_text(
        dump_json(_resign(changed, fixed_signing_key(), doc["proof"][0]["verificationMethod"]))
    )
    report = registry_verifier(Registry(root), at=LATER, now=LATER).verify(cred.credential)
    assert report.status == "verified", verdict(report)
