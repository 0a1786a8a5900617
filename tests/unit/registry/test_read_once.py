"""What spares a rebuild from reading every credential again gives exactly the plain results.

- The verification cache keeps, beside a credential's proof checks, the facts the later checks
  read from it (issuer, validity window, status entries, components): a credential verified
  from the cache, never parsed, gets the report the plain path gives, on every file of the
  third-party corpus (a tampered, unsigned or malformed one included) and on a registry with
  revoked, suspended and certification credentials.
- Views kept by file digest (registry/viewcache.py) equal the views read from the files, are
  never used for other bytes, and are ignored when someone else wrote them.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from credstack.cli import main
from credstack.errors import CredstackError
from credstack.model.credential import CredentialView
from credstack.model.shape import CredentialFacts, credential_facts, format_check
from credstack.model.wording import report_json
from credstack.registry.award import AwardInput
from credstack.registry.registry import Registry
from credstack.registry.vcache import VerificationCache
from credstack.registry.verifier import Deferred
from credstack.registry.verify import read_target, registry_verifier, verify_registry
from credstack.registry.viewcache import VIEWS_FILE, ViewCache
from support import at, award, fixed_signing_key, result_for, scratch_registry

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
sys.path.insert(0, str(CORPUS))

import runner  # noqa: E402

ENTRIES = [e for e in runner.entries() if e["file"].endswith(".json")]


def corpus_verifier(cache: VerificationCache):
    dids, lists = runner.saved_documents()
    return registry_verifier(
        None, at=runner.at(), now=runner.at(), did_documents=dids, status_lists=lists, cache=cache
    )


def test_facts_survive_json(demo_root):
    """Every corpus and demo credential's facts, written as JSON and read back, are the same
    facts (the demo's carry credstack's implied suspension lists)."""
    seen = 0
    demo = [i.doc for i in Registry(demo_root).issued.values()]
    for entry in [*ENTRIES, *({"doc": doc, "file": "demo"} for doc in demo)]:
        try:
            doc = entry.get("doc") or read_target(CORPUS / entry["file"])
        except CredstackError:
            continue
        if not isinstance(doc, dict) or format_check(doc).outcome not in ("pass", "warn"):
            continue
        try:
            facts = credential_facts(doc)
        except ValueError:
            continue
        again = CredentialFacts.from_json(json.loads(json.dumps(facts.to_json())))
        assert again == facts, entry["file"]
        seen += 1
    assert seen > 100 + len(demo) // 2
    assert any(e.implied for d in demo for e in credential_facts(d).statuses)


def test_a_credential_verified_from_the_cache_gets_the_plain_report():
    cache = VerificationCache(None)
    checked = 0
    for entry in ENTRIES:
        try:
            doc = read_target(CORPUS / entry["file"])
        except CredstackError:
            continue
        if isinstance(doc, str):
            continue
        target = entry["file"]
        plain = report_json(corpus_verifier(VerificationCache(None)).verify(doc, target))
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
        verifier = corpus_verifier(cache)
        first = verifier.verify(Deferred(lambda doc=doc: doc), target, digest=digest)
        parsed = []  # the second time, the document is never asked for when its facts are kept

        def load(doc=doc, parsed=parsed):
            parsed.append(1)
            return doc

        second = corpus_verifier(cache).verify(Deferred(load), target, digest=digest)
        assert report_json(first) == plain == report_json(second), target
        if "facts" in (cache.get("credential", verifier._key(Deferred(load), digest)) or {}):
            assert parsed == [], target
            checked += 1
    assert checked > 50


@pytest.fixture
def busy_registry(scratch_root):
    """The demo registry: revoked, suspended, expired, renewed, corrected and a certification."""
    return scratch_root


def test_a_registry_verified_from_the_cache_gets_the_plain_reports(busy_registry, tmp_path):
    registry = Registry(busy_registry)
    at = max(v.proof_created or v.valid_from for v in registry.credentials.values())
    plain = verify_registry(registry_verifier(Registry(busy_registry), at=at), registry)
    cache = VerificationCache(tmp_path)
    verify_registry(registry_verifier(registry, at=at, cache=cache), registry)
    cache.save()
    again = VerificationCache(tmp_path)
    verifier = registry_verifier(Registry(busy_registry), at=at, cache=again)
    cached = verify_registry(verifier, Registry(busy_registry))
    assert verifier.computed == 0
    assert {c: report_json(r) for c, r in cached.items()} == {
        c: report_json(r) for c, r in plain.items()
    }
    assert {r.status for r in cached.values()} >= {"verified", "revoked", "suspended"}


def test_views_from_the_cache_equal_views_from_the_files(busy_registry, tmp_path):
    plain = Registry(busy_registry)
    first = Registry(busy_registry, views=ViewCache(tmp_path))
    assert first.credentials == plain.credentials
    second = Registry(busy_registry, views=ViewCache(tmp_path))
    assert second.credentials == plain.credentials
    assert second.views is not None and second.views.hits == len(plain.credentials)
    for cid, view in second.credentials.items():
        assert view.doc is None  # not parsed: the bytes are kept
        assert view.raw == plain.credentials[cid].raw
        record = json.loads(json.dumps(view.to_record()))
        assert CredentialView.from_record(record, b"{}") == view


def test_a_cached_view_is_never_used_for_other_bytes(busy_registry, tmp_path):
    Registry(busy_registry, views=ViewCache(tmp_path)).credentials  # noqa: B018 - fills it
    path = next(iter(Registry(busy_registry).issued.values())).rel
    doc = json.loads((busy_registry / path).read_text("utf-8"))
    for identifier in doc["credentialSubject"]["identifier"]:
        if identifier["identityType"] == "name":
            identifier["identityHash"] = "Someone Else"
    (busy_registry / path).write_text(json.dumps(doc, indent=2), "utf-8")
    again = Registry(busy_registry, views=ViewCache(tmp_path))
    assert any(v.name == "Someone Else" for v in again.credentials.values())


def test_views_written_without_this_machines_key_are_ignored(busy_registry, tmp_path):
    Registry(busy_registry, views=ViewCache(tmp_path)).credentials  # noqa: B018 - fills it
    file = tmp_path / VIEWS_FILE
    data = json.loads(file.read_text("utf-8"))
    for entry in data["entries"].values():
        record = json.loads(entry[1])
        record["name"] = "Forged"
        entry[1] = json.dumps(record, sort_keys=True)  # the MAC no longer matches
    file.write_text(json.dumps(data), "utf-8")
    again = Registry(busy_registry, views=ViewCache(tmp_path))
    assert again.views is not None and again.views.hits == 0
    assert not any(v.name == "Forged" for v in again.credentials.values())


def test_a_logged_registry_verified_from_the_cache_gets_the_plain_reports(tmp_path, monkeypatch):
    """In a registry that keeps a transparency log, the log check of a credential verified from
    the cache (never parsed) is the plain one: logged, and not-in-log for a file the log does
    not hold."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CREDSTACK_SIGNING_KEY", fixed_signing_key().to_multibase_secret())
    monkeypatch.delenv("CREDSTACK_LOG_KEY", raising=False)
    root = scratch_registry(tmp_path)
    program = Registry(root).program
    aid = next(a.id for a in program.achievements.values() if not a.prerequisites)
    for day, name in enumerate(["Ada", "Bob"], 2):
        email = f"{name.lower()}@example.org"
        inputs = AwardInput(
            aid, name, email, at(f"2025-01-0{day}"), result=result_for(program, aid)
        )
        award(root, inputs)
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(["-C", str(root), "log", "init"]) == 0
    award(root, AwardInput(aid, "Cy", "cy@example.org", at("2025-01-05"), result="pass"))
    # Cy's file saved again with other whitespace: still signed, but not the file logged.
    path = next(i for i in Registry(root).issued.values() if i.view and i.view.name == "Cy").rel
    doc = json.loads((root / path).read_text("utf-8"))
    (root / path).write_text(json.dumps(doc, indent=4), "utf-8")

    def reports(cache: VerificationCache) -> dict[str, Any]:
        registry = Registry(root)
        when = max(v.proof_created or v.valid_from for v in registry.credentials.values())
        verifier = registry_verifier(registry, at=when, cache=cache)
        return {c: report_json(r) for c, r in verify_registry(verifier, registry).items()}

    plain = reports(VerificationCache(None))
    cache = VerificationCache(tmp_path / "cache")
    assert reports(cache) == plain
    cache.save()
    again = VerificationCache(tmp_path / "cache")
    assert reports(again) == plain
    assert again.hits.get("credential", 0) >= 3
    codes = sorted(next(c["code"] for c in r["checks"] if c["id"] == "log") for r in plain.values())
    assert codes == ["logged", "logged", "not-in-log"]


def test_a_registry_verified_for_the_first_time_is_parsed_by_the_workers_only(busy_registry):
    """Verify.prime sends each file's bytes to the workers (registry/verifier.py): verified for
    the first time, with no cache, no document is parsed in this process and the reports are
    the plain ones; bytes that are not such JSON (a duplicate key) fail the format check."""
    registry = Registry(busy_registry)
    at = max(v.proof_created or v.valid_from for v in registry.credentials.values())
    plain = verify_registry(registry_verifier(Registry(busy_registry), at=at), registry)
    loaded: list[str] = []
    items = [
        (Deferred(lambda i=i: loaded.append(i.cid) or i.doc, i.data), i.rel, i.digest)
        for i in registry.issued.values()
        if i.view is not None
    ]
    verifier = registry_verifier(registry, at=at, cache=VerificationCache(None))
    reports = verifier.verify_many(items, workers=2)
    assert loaded == []
    assert [report_json(r) for r in reports] == [
        report_json(plain[i.cid])
        for i in map(lambda item: registry.issued[Path(item[1]).stem], items)
    ]
    data = next(iter(registry.issued.values())).data
    twice = data.replace(b"{", b'{"id": "urn:x:twice",', 1)
    (report,) = registry_verifier(registry, at=at).verify_many(
        [(Deferred(lambda: json.loads(twice), twice), "twice.json", "0" * 64)]
    )
    assert report.status != "verified"
    assert report.checks[0].id == "format" and report.checks[0].outcome == "fail"
