"""What the site shows about assessment: who assessed a credential and how (credential pages),
and how an achievement is assessed and applied for (achievement pages).

Kept apart from :mod:`credstack.site.pages` so that the templates that include
``_assessment.html`` and ``_assessment_how.html`` can move: each template needs only the dict
one of these functions returns. Everything shown comes from the credential's own assessment
record (what was signed), not from today's ``program/assessors.yml``; names are escaped by the
templates and only http(s) profiles become links.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from credstack.model.assessment import assessment_record, method_label
from credstack.model.program import Achievement, Program
from credstack.registry.workflows import form_path
from credstack.site.safe import http_url

NUMBER_WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five"}


def credential_assessment(credential: dict[str, Any]) -> dict[str, Any] | None:
    """The credential page's "Assessment" section, or None when the credential records none."""
    record = assessment_record(credential)
    if record is None:
        return None
    return {
        "method": method_label(record.method),
        "assessed_on": datetime(
            record.assessed_on.year, record.assessed_on.month, record.assessed_on.day, tzinfo=UTC
        ),
        "assessors": [{"name": a.name, "url": http_url(a.url or "")} for a in record.assessors],
        "independent": len(record.assessors) > 1,
        "outcome": record.outcome,
        "result": record.result,
    }


def achievement_assessment(
    program: Program, achievement: Achievement, *, repo_url: str | None = None
) -> dict[str, Any] | None:
    """The achievement page's "How the assessment is run" section, or None when unassessed.

    With the site's ``repo_url`` (a GitHub repository), links to the application and appeal
    issue forms.
    """
    if achievement.assessment is None:
        return None
    repo = http_url(repo_url or "")
    if repo and "github.com/" not in repo:
        repo = None
    new_issue = f"{repo.rstrip('/')}/issues/new?template=" if repo else None
    needed = program.assessors_needed(achievement.id)
    return {
        "needed": needed,
        "needed_words": NUMBER_WORDS.get(needed, str(needed)),
        "assessors": [
            {"name": a.name, "url": http_url(a.url or "")}
            for a in program.assessors_for(achievement.id)
        ],
        "apply_url": new_issue + quote(form_path(achievement.id).rsplit("/", 1)[-1])
        if new_issue
        else None,
        "appeal_url": new_issue + "appeal.yml" if new_issue else None,
    }
