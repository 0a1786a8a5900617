"""The third-party corpus through the whole verifier: the CLI's path and the page's verifier.

Every file of tests/corpus/ is read with ``read_target`` and verified by ``registry_verifier``
outside a registry, given the saved DID documents and status lists as ``--did-document`` /
``--status-list URL=FILE`` would give them, at the manifest's ``at`` (the CLI's path, see
``runner.verify``). Targets (issue 13): the expected verdict on at least 95 % of the files
expected to verify (revoked and expired counted by their expected status) and on every file
expected to fail, including every tampered copy. The same files go through the built in-browser
verifier (node, verifier/test-support/verify-corpus.mjs) and any difference in status or in any
check's code fails; tests/browser/test_corpus.py does the same in Chromium.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path

import pytest

from credstack.model.wording import report_json

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
sys.path.insert(0, str(CORPUS))

import runner  # noqa: E402

ENTRIES = list(runner.entries())
TO_VERIFY = ("verified", "expired", "revoked", "suspended")


@cache
def reports() -> dict[str, object]:
    return {entry["file"]: runner.verify(entry) for entry in ENTRIES}


def summary(report: object) -> tuple[str, dict[str, str]]:
    return report.status, {c.id: c.code for c in report.checks}  # type: ignore[attr-defined]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["file"][12:])
def test_each_file_gets_its_expected_verdict(entry):
    report = reports()[entry["file"]]
    assert report.status == entry["expected"], (entry["expected_from"], summary(report))


def test_targets_on_the_whole_corpus():
    to_verify = [e for e in ENTRIES if e["expected"] in TO_VERIFY]
    to_fail = [e for e in ENTRIES if e["expected"] not in TO_VERIFY]
    tampered = [e for e in ENTRIES if e["file"].startswith("credentials/tampered/")]
    right = [e for e in to_verify if reports()[e["file"]].status == e["expected"]]
    assert len(to_verify) >= 100 and len(to_fail) >= 100 and len(tampered) >= 100
    assert len(right) / len(to_verify) >= 0.95
    assert [e["file"] for e in to_fail if reports()[e["file"]].status != e["expected"]] == []
    assert all(reports()[e["file"]].status == "invalid" for e in tampered)


def test_every_shape_the_issue_names_is_in_the_corpus_and_verifies():
    shapes = [(e["shape"], e["expected"]) for e in ENTRIES if e["expected"] in TO_VERIFY]
    seen = {
        "VC 1.1": any(s["vc"] == "1.1" for s, _ in shapes),
        "VC 2.0": any(s["vc"] == "2.0" for s, _ in shapes),
        "OB 3.0.1": any(s["ob"] == "3.0.1" for s, _ in shapes),
        "OB 3.0.2": any(s["ob"] == "3.0.2" for s, _ in shapes),
        "OB 3.0.3": any(s["ob"] == "3.0.3" for s, _ in shapes),
        "OB undated": any(s["ob"] == "undated" for s, _ in shapes),
        "AchievementCredential": any(s["type"] == "AchievementCredential" for s, _ in shapes),
        "EndorsementCredential": any(s["type"] == "EndorsementCredential" for s, _ in shapes),
        "ClrCredential": any(s["type"] == "ClrCredential" for s, _ in shapes),
        "Ed25519Signature2020": any("Ed25519Signature2020" in s["suites"] for s, _ in shapes),
        "eddsa-2022": any("eddsa-2022" in s["suites"] for s, _ in shapes),
        "VC-JWT": any(s["format"] == "jwt" for s, _ in shapes),
        "baked PNG": any(s["carrier"] == "PNG" for s, _ in shapes),
        "baked SVG": any(s["carrier"] == "SVG" for s, _ in shapes),
        "did:web": any("did:web" in s["keys"] for s, _ in shapes),
        "did:key": any("did:key Ed25519" in s["keys"] for s, _ in shapes),
        "https#z6Mk": any("https#multikey" in s["keys"] for s, _ in shapes),
        "revoked": any(v == "revoked" for _, v in shapes),
        "expired": any(v == "expired" for _, v in shapes),
    }
    assert [name for name, found in seen.items() if not found] == []


@pytest.mark.skipif(
    not runner.node_ready() and not os.environ.get("CI"),
    reason="node and verifier/node_modules (npm ci) are needed for the JS side",
)
def test_the_built_page_verifier_gives_the_same_status_and_codes_on_every_file(tmp_path):
    lines = runner.run_node("verify-corpus.mjs", tmp_path, timeout=600)
    page = {line["file"]: line for line in lines}
    assert set(page) == {e["file"] for e in ENTRIES}
    differences = {
        name: {"cli": summary(reports()[name]), "page": (line["status"], line["codes"])}
        for name, line in page.items()
        if summary(reports()[name]) != (line["status"], line["codes"])
    }
    assert not differences, json.dumps(differences, indent=1)[:4000]
    # The same words too (model/wording.py and verifier/src/wording.js), except sentences that
    # quote a library's own error (pyld's and jsonld.js's words differ).
    compared, worded = 0, {}
    for name, line in page.items():
        report = reports()[name]
        cli = report_json(report)
        quoting = {c.id for c in report.checks if "detail" in c.params and c.code != "not-checked"}
        pairs = [] if report.decision.check in quoting else [(cli["verdict"], line["words"][0])]
        pairs += [
            (c["message"], theirs)
            for c, theirs in zip(cli["checks"], line["words"][1:], strict=True)
            if c["id"] not in quoting
        ]
        compared += len(pairs)
        different = [pair for pair in pairs if pair[0] != pair[1]]
        if different:
            worded[name] = different
    assert not worded, json.dumps(worded, indent=1)[:4000]
    assert compared >= 2000, compared
    # Lazy loading: files that need only eddsa-rdfc-2022 and Ed25519 keys never load
    # credstack-suites.js; the others load it.
    eddsa_only = 0
    for entry in ENTRIES:
        shape = entry["shape"]
        simple = (
            shape["format"] == "json"
            and shape["suites"] == ["eddsa-rdfc-2022"]
            and set(shape["keys"]) <= {"did:key Ed25519", "https#multikey", "did:web"}
            and shape["type"] != "ClrCredential"
            and not shape["status"]
        )
        if simple:
            eddsa_only += 1
            assert page[entry["file"]]["suites"] is False, entry["file"]
        elif shape["format"] == "jwt" or "Ed25519Signature2020" in shape["suites"]:
            assert page[entry["file"]]["suites"] is True, entry["file"]
    assert eddsa_only >= 30, eddsa_only
