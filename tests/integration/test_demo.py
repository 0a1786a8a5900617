"""bench/demo.py rebuilds the committed demo: same files and content, other signatures."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys

import pytest

from credstack.model.assessment import assessment_record
from credstack.registry.registry import Registry
from support import REPO, demo_credential, fixed_signing_key


@pytest.fixture(scope="module")
def demo():
    spec = importlib.util.spec_from_file_location("demo", REPO / "bench" / "demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt(demo, tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    for folder in ("program", "site_src"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    env = {"CREDSTACK_SIGNING_KEY": fixed_signing_key().to_multibase_secret()}  # TEST-ONLY
    lines = demo.build(root, env)
    return root, lines


def unsigned(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "proof"}


def test_the_story_rebuilds_every_committed_file_but_the_signatures(rebuilt):
    root, _ = rebuilt
    ours = sorted(p.relative_to(root) for p in (root / "issued").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(REPO) for p in (REPO / "issued").rglob("*") if p.is_file())
    assert ours == committed
    for rel in committed:
        if rel.suffix == ".json":
            mine, theirs = (
                json.loads((root / rel).read_text()),
                json.loads((REPO / rel).read_text()),
            )
            assert unsigned(mine) == unsigned(theirs), rel
            assert mine["proof"][0]["created"] == theirs["proof"][0]["created"], rel
        else:
            assert (root / rel).read_bytes() == (REPO / rel).read_bytes(), rel


def test_the_demo_key_is_the_only_key(rebuilt):
    root, _ = rebuilt
    ours = Registry(root).program.issuer.keys
    committed = Registry(REPO).program.issuer.keys
    assert [(k.id, k.created) for k in ours] == [(k.id, k.created) for k in committed]
    assert ours[0].public_key_multibase == fixed_signing_key().public_key_multibase


def test_every_demo_credential_names_its_assessors():
    registry = Registry(REPO)
    for view in registry.credentials.values():
        record = assessment_record(view.raw)
        assert record is not None, view.cid
        needed = registry.program.assessors_needed(view.achievement_id)
        assert len({a.id for a in record.assessors}) >= needed, view.cid
        assert record.result == view.result


def test_the_demo_keeps_each_state_it_shows():
    registry = Registry(REPO)
    revoked = demo_credential("Tomás Novak", "impact-evaluation")
    suspended = demo_credential("Priya Raman", "decision-workshops")
    corrected = demo_credential("Jon Smith", "facilitation-fundamentals")
    assert registry.current_status(revoked).revoked is not None
    assert registry.current_status(suspended).suspended is not None
    assert registry.links(corrected)["replaces"] == [
        demo_credential("Jon Smiht", "facilitation-fundamentals")
    ]
    expired = registry.get(demo_credential("Hannah Schmidt", "workshop-design"))
    assert expired.valid_until is not None and expired.valid_until.year == 2026
    cert = registry.get(demo_credential("Amara Okafor", "certified-facilitator"))
    assert cert.achievement_type == "Certification"
