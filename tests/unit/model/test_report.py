"""Reports: the code vocabulary, the one verdict rule, the words, and the published schema."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from credstack.model.report import CHECK_IDS, CODES, CheckResult, VerificationReport, decide
from credstack.model.wording import message, report_json, verdict
from credstack.registry.registry import Registry
from credstack.registry.verify import registry_verifier, verify_registry
from support import at as date

SCHEMA = json.loads(
    resources.files("credstack.model")
    .joinpath("schemas", "verification-report.schema.json")
    .read_text("utf-8")
)


def test_codes_match_the_published_schema():
    assert SCHEMA["x-outcomes"] == CODES
    assert [
        item["properties"]["id"]["const"] for item in SCHEMA["properties"]["checks"]["prefixItems"]
    ] == list(CHECK_IDS)


def test_rejects_an_unknown_code():
    with pytest.raises(ValueError, match="unknown reason code"):
        CheckResult("signature", "looks-fine")


def checks(**codes):
    defaults = {
        "format": "ok",
        "signature": "ok",
        "issuer-key": "ok",
        "key-valid": "ok",
        "status": "ok",
        "validity": "ok",
        "components": "not-applicable",
        "log": "none",
    }
    return [CheckResult(i, codes.get(i.replace("-", "_"), defaults[i])) for i in CHECK_IDS]


@pytest.mark.parametrize(
    ("codes", "status"),
    [
        ({}, "verified"),
        ({"issuer_key": "unconfirmed"}, "verified"),
        ({"components": "not-in-force"}, "verified"),
        ({"validity": "expired"}, "expired"),
        ({"status": "suspended", "validity": "expired"}, "suspended"),
        ({"status": "revoked"}, "revoked"),
        ({"status": "untrusted", "validity": "expired"}, "error"),
        ({"status": "stale"}, "error"),
        ({"status": "none"}, "verified"),
        ({"validity": "not-yet-valid", "status": "revoked"}, "invalid"),
        ({"signature": "mismatch"}, "invalid"),
        ({"signature": "unknown-context"}, "error"),
        ({"issuer_key": "unresolvable", "signature": "not-checked"}, "error"),
        ({"issuer_key": "impersonation", "signature": "not-checked"}, "invalid"),
        ({"key_valid": "retired"}, "invalid"),
        ({"format": "not-checked"}, "error"),
        ({"log": "logged"}, "verified"),
        ({"log": "not-in-log"}, "invalid"),
        ({"log": "log-inconsistent", "status": "revoked"}, "revoked"),
        ({"log": "status-list-not-latest"}, "error"),
        ({"log": "log-stale", "validity": "expired"}, "error"),
        ({"log": "log-rollback", "status": "suspended"}, "suspended"),
    ],
)
def test_status_is_decided_by_codes(codes, status):
    assert decide(checks(**codes)).status == status


def test_every_code_has_words():
    for check_id, codes in CODES.items():
        for code in codes:
            text = message(CheckResult(check_id, code, {"detail": "d", "url": "u"}))
            assert text and "{" not in text, (check_id, code)


def test_verdicts_read_well():
    report = VerificationReport("x", None, checks(status="revoked"))
    assert verdict(report) == "Revoked by the issuer"
    report = VerificationReport(
        "x", None, checks(signature="mismatch", issuer_key="not-checked", key_valid="not-checked")
    )
    assert verdict(report) == "Not verified: the content has changed since it was signed"


def test_demo_reports_validate_against_the_schema(demo_root):
    registry = Registry(demo_root)
    reports = verify_registry(registry_verifier(registry, at=date("2026-12-01")), registry)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    seen = set()
    for report in reports.values():
        data = report_json(report)
        validator.validate(data)
        seen.add(data["status"])
    assert {"verified", "revoked", "suspended", "expired"} <= seen
