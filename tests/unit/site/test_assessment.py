"""The assessment on credential and achievement pages: from the signed record, escaped."""

from __future__ import annotations

from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined

from credstack.model.assessment import AssessmentRecord, AssessorRef
from credstack.registry.registry import Registry
from credstack.site.assessment import achievement_assessment, credential_assessment
from credstack.site.pages import fmt_date

HOSTILE = '<img src=x onerror="alert(1)">'


def render(template: str, **context) -> str:
    env = Environment(
        loader=PackageLoader("credstack.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    )
    return env.get_template(template).render(date=fmt_date, **context)


def credential_with(*assessors: AssessorRef) -> dict:
    record = AssessmentRecord("performance-demonstration", date(2026, 3, 2), assessors, "merit")
    return {
        "evidence": [{"id": "https://example.org/x", "type": ["Evidence"]}, record.to_evidence()]
    }


def test_credential_page_names_the_assessors_method_date_and_outcome():
    html = render(
        "_assessment.html",
        assessment=credential_assessment(
            credential_with(
                AssessorRef("a", "Ana Ortiz", "https://example.org/ana"), AssessorRef("b", "Ben Li")
            )
        ),
    )
    assert "Performance demonstration" in html and "2 March 2026" in html
    assert '<a href="https://example.org/ana" rel="noopener">Ana Ortiz</a>' in html
    assert "<li>Ben Li</li>" in html and "independently of each other" in html
    assert "Passed · Merit" in html


def test_hostile_assessor_names_are_escaped():
    html = render(
        "_assessment.html",
        assessment=credential_assessment(credential_with(AssessorRef("e", HOSTILE))),
    )
    assert HOSTILE not in html and "&lt;img src=x onerror=" in html
    assert "independently" not in html, "one assessor"


def test_a_credential_without_a_record_shows_no_section():
    assert (
        credential_assessment({"evidence": [{"id": "https://x.example/", "type": ["Evidence"]}]})
        is None
    )
    assert render("_assessment.html", assessment=None).strip() == ""


def test_achievement_page_says_how_many_assess_who_and_links_the_forms(demo_root):
    program = Registry(demo_root).program
    cert = program.achievements["certified-facilitator"]
    how = achievement_assessment(
        program, cert, repo_url="https://github.com/northwind/credentials/"
    )
    html = render("_assessment_how.html", how=how)
    assert "Two assessors on record assess each candidate, independently" in html
    assert "Dr. Ines Alvarez" in html and "Seán Gallagher" in html
    assert (
        'href="https://github.com/northwind/credentials/issues/new?template='
        'apply-certified-facilitator.yml"' in html
    )
    assert "issues/new?template=appeal.yml" in html and "never asks for your email" in html
    one = achievement_assessment(program, program.achievements["session-design"])
    html = render("_assessment_how.html", how=one)
    assert "One assessor on record assesses each candidate" in html
    assert "Apply for this credential" not in html, "no repository, no link"


def test_only_github_repositories_get_form_links(demo_root):
    program = Registry(demo_root).program
    a = program.achievements["session-design"]
    for repo in ("https://gitlab.com/x/y", "javascript:alert(1)//github.com/"):
        assert achievement_assessment(program, a, repo_url=repo)["apply_url"] is None
