"""The third-party corpus (tests/corpus/): provenance, expected proof outcomes, JS/Python parity.

Each file's expected verdict and where it comes from are in manifest.json; this module checks
the proof level (the verdict is the verifier's, tests of registry/verify.py use the same
manifest). Parity: every file goes through verifier/src/suites.js (the built
credstack-suites.js) with node, and the per-proof codes must equal Python's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
sys.path.insert(0, str(CORPUS))

import runner  # noqa: E402

ENTRIES = list(runner.entries())
VERDICTS = {"verified", "expired", "revoked", "suspended", "invalid", "error"}


def test_the_corpus_is_large_and_every_file_is_listed_once():
    assert len(ENTRIES) >= 150
    listed = [entry["file"] for entry in ENTRIES]
    assert len(listed) == len(set(listed))
    on_disk = {
        str(path.relative_to(CORPUS))
        for path in (CORPUS / "credentials").rglob("*")
        if path.is_file()
    }
    assert on_disk == set(listed)
    documents = {entry["file"] for entry in runner.manifest()["documents"].values()}
    on_disk = {
        str(path.relative_to(CORPUS))
        for path in (CORPUS / "documents").rglob("*")
        if path.is_file()
    }
    assert on_disk == documents


def test_every_file_states_provenance_and_an_expected_verdict_with_its_source():
    for entry in ENTRIES:
        assert entry["expected"] in VERDICTS, entry["file"]
        assert entry["expected_from"] and entry["upstream"], entry["file"]
        source = entry["source"]
        if "derived_from" in source:
            assert source["derived_from"] in {e["file"] for e in ENTRIES}
            assert source["change"]
        else:
            assert source["repository"].count("/") == 1, entry["file"]
            assert len(source["commit"]) == 40 and source["path"] and source["licence"]


def test_manifest_shapes_are_what_the_files_hold():
    for entry in ENTRIES:
        assert entry["shape"] == runner.shape(entry), entry["file"]


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if "expected_proofs" in e], ids=lambda e: e["file"][12:]
)
def test_python_proof_outcomes_are_the_expected_ones(entry):
    assert runner.codes(entry) == entry["expected_proofs"]


def test_no_tampered_copy_has_a_proof_that_verifies():
    tampered = [e for e in ENTRIES if e["file"].startswith("credentials/tampered/")]
    assert len(tampered) >= 50
    for entry in tampered:
        codes = runner.codes(entry)
        assert codes and "ok" not in codes, entry["file"]


def test_files_expected_to_verify_have_only_passing_or_unsupported_proofs():
    # A supported suite that fails can never be part of a "verified" credential.
    for entry in ENTRIES:
        if entry["expected"] in ("verified", "expired", "revoked") and entry["kind"] != "vector":
            codes = runner.codes(entry)
            assert codes, entry["file"]
            assert "ok" in codes, entry["file"]
            assert set(codes) <= {"ok", "unsupported-suite"}, (entry["file"], codes)


@pytest.mark.skipif(
    not runner.node_ready() and not os.environ.get("CI"),
    reason="node and verifier/node_modules (npm ci) are needed for the JS side",
)
def test_javascript_and_python_give_the_same_outcome_for_every_proof(tmp_path):
    lines = runner.run_node("corpus.mjs", tmp_path, timeout=300)
    javascript = {line["file"]: line["codes"] for line in lines}
    assert set(javascript) == {entry["file"] for entry in ENTRIES}
    differences = [
        (entry["file"], runner.codes(entry), javascript[entry["file"]])
        for entry in ENTRIES
        if runner.codes(entry) != javascript[entry["file"]]
    ]
    assert not differences
