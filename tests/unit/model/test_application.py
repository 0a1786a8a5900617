"""Reading an application issue: GitHub's rendering of the form, refusals, email scrubbing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credstack.errors import ApplicationError
from credstack.model.application import (
    emails_in,
    issue_of,
    parse_application,
    parse_evidence_line,
    redact_emails,
    sections,
)
from credstack.registry.registry import Registry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "issues"


@pytest.fixture(scope="module")
def program(demo_root):
    return Registry(demo_root).program


def demo_issue(**changes) -> dict:
    body = (
        "### Achievement\n\nEvidence-Based Session Design (session-design)\n\n"
        "### Name on the credential\n\n  Amara   Okafor \n\n"
        "### Evidence links\n\n_No response_\n\n"
        "### Enrolment or payment reference\n\nNW-1\n\n"
        "### Publication\n\n- [x] I agree"
    )
    return {"number": 4, "state": "open", "body": body, "labels": [], **changes}


def test_reads_the_demo_form_and_normalises_the_name(program):
    app = parse_application(demo_issue(), program)
    assert (app.achievement, app.name, app.evidence, app.reference) == (
        "session-design",
        "Amara Okafor",
        (),
        "NW-1",
    )


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"state": "closed"}, "application #4 is closed"),
        ({"labels": [{"name": "awarded"}]}, "already labelled 'awarded'"),
        ({"title": "Apply, write to me at amara@example.org"}, "(the title)"),
    ],
)
def test_refuses_closed_awarded_and_leaking_issues(program, changes, fragment):
    with pytest.raises(ApplicationError) as info:
        parse_application(demo_issue(**changes), program)
    assert fragment in info.value.message


def test_the_issuer_contact_address_is_not_a_leak(program):
    issue = demo_issue()
    issue["body"] += f"\n\nI wrote to {program.issuer.email} as asked."
    assert parse_application(issue, program).name == "Amara Okafor"


def test_an_unknown_achievement_lists_the_known_ones(program):
    issue = demo_issue()
    issue["body"] = issue["body"].replace("(session-design)", "(session-desing)")
    with pytest.raises(ApplicationError, match=r"unknown achievement .*session-design"):
        parse_application(issue, program)


@pytest.mark.parametrize(
    ("line", "name", "url"),
    [
        ("https://example.org/a/b", "example.org/a/b", "https://example.org/a/b"),
        ("Plan=https://example.org/p", "Plan", "https://example.org/p"),
        ("- Plan: https://example.org/p", "Plan", "https://example.org/p"),
        ("* [Report](https://example.org/r)", "Report", "https://example.org/r"),
        ("<https://example.org/x>", "example.org/x", "https://example.org/x"),
    ],
)
def test_evidence_lines(line, name, url):
    evidence = parse_evidence_line(line)
    assert (evidence.name, evidence.url) == (name, url)


@pytest.mark.parametrize(
    "line",
    ["javascript:alert(1)", "[x](javascript:alert(1))", "ftp://example.org/f", "example.org/x"],
)
def test_evidence_that_is_not_an_http_link_is_refused(line):
    with pytest.raises(ApplicationError, match="is not an http"):
        parse_evidence_line(line)


def test_sections_keep_the_first_answer_and_drop_no_response():
    body = "intro\n### A\n\nx\n\n### B\n\n_No response_\n### A\n\nforged"
    assert sections(body) == {"A": "x", "B": ""}


def test_email_scan_and_redaction():
    text = "line one\nmail ada.l+x@mail.example.co.uk now\nboss@issuer.example"
    assert emails_in(text, allowed="boss@issuer.example") == [2]
    assert redact_emails(text, allowed="BOSS@issuer.example") == (
        "line one\nmail [email removed] now\nboss@issuer.example"
    )


def test_issue_of_accepts_rest_objects_and_event_payloads():
    event = json.loads((FIXTURES / "event-opened.json").read_text())
    assert issue_of(event)["number"] == 7 == issue_of(event["issue"])["number"]
    with pytest.raises(ApplicationError, match="not a GitHub issue"):
        issue_of({"title": "no number"})
