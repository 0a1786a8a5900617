"""Who assessed a candidate, and how: the rules for naming assessors and the assessment record.

The record travels inside the credential with standard Open Badges 3.0 fields only: one
``Evidence`` entry (``genre`` "Assessment record") whose ``description`` says it in a sentence
and whose ``narrative`` (Markdown, one fact a line) lists method, date, outcome and each
assessor. Any OB 3.0 displayer shows it as evidence; credstack reads it back with
:func:`assessment_record`. The entry has no ``id``: it is not a web page, and verifiers that
follow evidence links (component credentials of a certification) leave it alone.

Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from credstack.model.program import ASSESSMENT_METHODS, Program

GENRE = "Assessment record"
OUTCOME_PASSED = "passed"
_ASSESSOR_LINE = re.compile(
    r"^- Assessor: (?P<name>.+?) \[(?P<id>[a-z0-9][a-z0-9-]{0,63})\]"
    r"(?: <(?P<url>https?://[^\s<>]+)>)?$"
)
_FACT_LINE = re.compile(r"^- (?P<key>Method|Date|Outcome|Result): (?P<value>.+)$")


def method_label(method: str) -> str:
    """``performance-demonstration`` -> ``Performance demonstration``."""
    return method.replace("-", " ").capitalize()


@dataclass(frozen=True)
class AssessorRef:
    """An assessor as recorded in a credential: id on record, name and public profile then."""

    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class AssessmentRecord:
    """One assessment that led to an award: method, date, the assessors and the outcome."""

    method: str  # one of ASSESSMENT_METHODS
    assessed_on: date
    assessors: tuple[AssessorRef, ...]
    result: str | None = None
    outcome: str = OUTCOME_PASSED

    @property
    def names(self) -> str:
        """The assessors' names as a phrase: "A", "A and B", "A, B and C"."""
        names = [a.name for a in self.assessors]
        if len(names) < 2:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]

    def sentence(self) -> str:
        """One sentence for people: how, when, by whom, with what outcome."""
        independently = ", independently" if len(self.assessors) > 1 else ""
        result = f" ({self.result})" if self.result else ""
        return (
            f"{method_label(self.method)} assessed on {self.assessed_on.isoformat()} by "
            f"{self.names}{independently}: {self.outcome}{result}."
        )

    def to_evidence(self) -> dict[str, Any]:
        """The OB 3.0 ``Evidence`` entry that carries this record."""
        lines = [
            f"- Method: {method_label(self.method)}",
            f"- Date: {self.assessed_on.isoformat()}",
            f"- Outcome: {self.outcome}",
        ]
        if self.result:
            lines.append(f"- Result: {self.result}")
        for a in self.assessors:
            url = f" <{a.url}>" if a.url else ""
            lines.append(f"- Assessor: {a.name} [{a.id}]{url}")
        return {
            "type": ["Evidence"],
            "genre": GENRE,
            "name": f"Assessment: {method_label(self.method).lower()}",
            "description": self.sentence(),
            "narrative": "\n".join(lines),
        }

    @classmethod
    def from_evidence(cls, entry: Any) -> AssessmentRecord | None:
        """The record in one evidence entry, or None when the entry is not one (or malformed)."""
        if not isinstance(entry, dict) or entry.get("genre") != GENRE or "id" in entry:
            return None
        narrative = entry.get("narrative")
        if not isinstance(narrative, str):
            return None
        facts: dict[str, str] = {}
        assessors: list[AssessorRef] = []
        for line in narrative.splitlines():
            if match := _ASSESSOR_LINE.match(line):
                assessors.append(AssessorRef(match["id"], match["name"], match["url"]))
            elif match := _FACT_LINE.match(line):
                facts[match["key"]] = match["value"]
            elif line.strip():
                return None
        methods = {method_label(m): m for m in ASSESSMENT_METHODS}
        try:
            assessed_on = date.fromisoformat(facts.get("Date", ""))
        except ValueError:
            return None
        method = methods.get(facts.get("Method", ""))
        if method is None or not assessors or "Outcome" not in facts:
            return None
        return cls(method, assessed_on, tuple(assessors), facts.get("Result"), facts["Outcome"])


def assessment_record(credential: Any) -> AssessmentRecord | None:
    """The assessment record carried by a credential's evidence, or None when it has none."""
    evidence = credential.get("evidence") if isinstance(credential, dict) else None
    entries = evidence if isinstance(evidence, list) else [evidence]
    for entry in entries:
        record = AssessmentRecord.from_evidence(entry)
        if record is not None:
            return record
    return None


def recorded_assessors(credential: Any) -> tuple[str, ...]:
    """The ids of the assessors a credential's assessment record names (``()`` when none)."""
    record = assessment_record(credential)
    return tuple(a.id for a in record.assessors) if record is not None else ()


def assessor_problems(
    program: Program, achievement_id: str, assessor_ids: tuple[str, ...]
) -> list[str]:
    """Every reason ``assessor_ids`` cannot assess a pass of ``achievement_id`` (empty: fine).

    Each reason says what to do. Unknown achievements are left to the award rules.
    """
    achievement = program.achievements.get(achievement_id)
    if achievement is None:
        return []
    needed = program.assessors_needed(achievement_id)
    allowed = program.assessors_for(achievement_id)
    on_record = ", ".join(a.id for a in allowed) or "none: add them to program/assessors.yml"
    if not needed:
        if assessor_ids:
            return [f"{achievement_id} has no assessment in the program; name no assessor"]
        return []
    reasons: list[str] = []
    seen: set[str] = set()
    for aid in assessor_ids:
        if aid in seen:
            reasons.append(
                f"assessor {aid!r} is named twice; a pass of {achievement_id} needs "
                f"{needed} independent assessor{'s' if needed > 1 else ''}, each named once"
            )
            continue
        seen.add(aid)
        assessor = program.assessors.get(aid)
        if assessor is None:
            reasons.append(
                f"unknown assessor {aid!r}: nobody with that id is on record in "
                f"program/assessors.yml (assessors of {achievement_id}: {on_record})"
            )
        elif not assessor.may_assess(achievement_id):
            reasons.append(
                f"assessor {aid!r} ({assessor.name}) is not on record as an assessor of "
                f"{achievement_id} (assessors of {achievement_id}: {on_record})"
            )
    if len(seen) < needed:
        named = f"{len(seen)} named" if seen else "none named"
        reasons.append(
            f"a pass of {achievement_id} needs {needed} independent assessor"
            f"{'s' if needed > 1 else ''} ({named}); name each one with --assessor ID or in "
            f"the CSV column assessors (assessors of {achievement_id}: {on_record})"
        )
    return reasons


def record_for(
    program: Program,
    achievement_id: str,
    assessor_ids: tuple[str, ...],
    *,
    assessed_on: datetime | date,
    result: str | None,
) -> AssessmentRecord | None:
    """The record of an allowed assessment (check :func:`assessor_problems` first), or None
    for an achievement without assessment."""
    achievement = program.achievements.get(achievement_id)
    if achievement is None or achievement.assessment is None or not assessor_ids:
        return None
    day = assessed_on.astimezone(UTC).date() if isinstance(assessed_on, datetime) else assessed_on
    refs = tuple(
        AssessorRef(a, program.assessors[a].name, program.assessors[a].url) for a in assessor_ids
    )
    return AssessmentRecord(achievement.assessment.method, day, refs, result)
