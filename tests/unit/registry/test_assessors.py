"""Assessors on record: program/assessors.yml, the rules for naming them, the assessment record."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from test_program_lint import edit, find, line_of

from credstack.errors import AwardError
from credstack.model.assessment import AssessmentRecord, assessment_record
from credstack.model.schema import schema_errors
from credstack.registry.award import AwardInput, read_cohort_csv
from credstack.registry.lifecycle import reissue
from credstack.registry.program import check_program
from credstack.registry.registry import Registry
from credstack.registry.verify import registry_verifier
from support import at as date
from support import award, award_with_prerequisites, loaded_test_key, snapshot

ASSESSORS = "program/assessors.yml"
CERT = "program/achievements/certified-facilitator.yml"
WORKSHOP = "program/achievements/workshop-design.yml"
DAY = date("2026-03-02T09:00")


def problems_of(root):
    return check_program(root)[1]


# -- program/assessors.yml ---------------------------------------------------------------------


def test_demo_assessors_load_with_their_achievements(root):
    program = Registry(root).program
    assert [a.id for a in program.assessors_for("certified-facilitator")] == [
        "ines-alvarez",
        "kwame-mensah",
        "sean-gallagher",
    ]
    assert program.assessors_needed("certified-facilitator") == 2
    assert program.assessors_needed("session-design") == 1
    ines = program.assessors["ines-alvarez"]
    assert ines.url == "https://northwind-lab.example/people/ines-alvarez"
    assert ines.where("achievements[1]").line == line_of(root, ASSESSORS, "id: ines-alvarez") + 3


def test_unknown_achievement_is_an_error_with_a_suggestion(root):
    edit(root, ASSESSORS, "[session-design, workshop-design,", "[session-design, workshop-desing,")
    line = line_of(root, ASSESSORS, "workshop-desing")
    p = find(problems_of(root), "schema", ASSESSORS, line, "unknown achievement", "error")
    assert p.field == "achievements[1]" and p.hint == "did you mean 'workshop-design'?"


def test_duplicate_assessor_id_is_an_error(root):
    edit(root, ASSESSORS, "id: kwame-mensah", "id: ines-alvarez")
    line = line_of(root, ASSESSORS, "name: Kwame Mensah") - 1
    p = find(problems_of(root), "schema", ASSESSORS, line, "duplicate assessor id", "error")
    assert "also on line 3" in p.message


def test_too_few_assessors_for_the_number_a_pass_needs(root):
    edit(
        root,
        ASSESSORS,
        "[session-design, workshop-design, certified-facilitator]",
        "[session-design]",
    )
    edit(
        root,
        ASSESSORS,
        "[facilitation-fundamentals, decision-workshops, impact-evaluation, certified-facilitator]",
        "[facilitation-fundamentals]",
    )
    problems = problems_of(root)
    line = line_of(root, CERT, "assessors: 2")
    p = find(problems, "assessed", CERT, line, "a pass needs 2 independent assessors", "error")
    assert "but 1 on record may assess 'certified-facilitator' (ines-alvarez)" in p.message
    assert "program/assessors.yml" in p.hint
    assert not [x for x in problems if x.source.file == WORKSHOP], "workshop-design has three"


def test_a_certification_needs_as_many_as_its_capstone_asks(root):
    edit(root, CERT, "  assessors: 2\n", "")
    program = Registry(root).program
    assert program.achievements["certified-facilitator"].assessment.assessors == 1
    assert program.assessors_needed("certified-facilitator") == 2, "the capstone asks for two"


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "url: https://northwind-lab.example/people/kwame-mensah",
            "url: javascript:alert(1)",
            "not an http(s) URL",
        ),
        (
            "url: https://northwind-lab.example/people/kwame-mensah",
            "url: ftp://example.org/k",
            "not an http(s) URL",
        ),
        (
            "name: Kwame Mensah",
            "name: Kwame Mensah\n  github: not a handle",
            "not a GitHub user name",
        ),
        (
            "name: Kwame Mensah",
            "name: Kwame Mensah\n  email: kwame@example.org",
            "unknown key 'email'",
        ),
    ],
)
def test_assessor_fields_are_checked(root, old, new, fragment):
    edit(root, ASSESSORS, old, new)
    errors = [p for p in problems_of(root) if p.is_error and p.source.file == ASSESSORS]
    assert any(fragment in p.message for p in errors), errors


def test_assessors_count_is_a_number_not_a_list(root):
    edit(root, CERT, "  assessors: 2", "  assessors: [ines-alvarez, kwame-mensah]")
    line = line_of(root, CERT, "assessors: [ines")
    p = find(problems_of(root), "schema", CERT, line, "how many independent assessors", "error")
    assert ASSESSORS in p.hint


def test_no_assessors_file_is_one_warning(root):
    (root / ASSESSORS).unlink()
    problems = problems_of(root)
    assert [(p.severity, p.source.file, p.check) for p in problems] == [
        ("warning", ASSESSORS, "assessed")
    ]
    assert "awards of assessed achievements are refused" in problems[0].message


# -- naming assessors when awarding ---------------------------------------------------------------


def refused(root, inp, fragment):
    before = snapshot(root)
    with pytest.raises(AwardError) as info:
        award(root, inp)
    assert fragment in info.value.message, info.value.message
    assert "nothing was written" in info.value.message
    assert snapshot(root) == before, "issued/ must stay byte-identical"
    return info.value.message


def test_refuses_an_unknown_assessor(root):
    message = refused(
        root,
        AwardInput("session-design", "Ada", "ada@example.org", DAY, assessors=("nobody",)),
        "unknown assessor 'nobody'",
    )
    assert "assessors of session-design: ines-alvarez, kwame-mensah, yuki-tanaka" in message


def test_refuses_an_assessor_not_allowed_for_the_achievement(root):
    message = refused(
        root,
        AwardInput("session-design", "Ada", "ada@example.org", DAY, assessors=("marta-kowalska",)),
        "assessor 'marta-kowalska' (Marta Kowalska) is not on record as an assessor of "
        "session-design",
    )
    assert "ines-alvarez" in message


def test_refuses_the_same_assessor_twice(root):
    aid = "certified-facilitator"
    message = refused(
        root,
        AwardInput(aid, "Ada", "ada@example.org", DAY, assessors=("ines-alvarez", "ines-alvarez")),
        "assessor 'ines-alvarez' is named twice",
    )
    assert "needs 2 independent assessors (1 named)" in message


def test_refuses_too_few_assessors(root):
    message = refused(
        root,
        AwardInput("workshop-design", "Ada", "ada@example.org", DAY, assessors=("kwame-mensah",)),
        "a pass of workshop-design needs 2 independent assessors (1 named)",
    )
    assert "--assessor ID" in message and "marta-kowalska" in message


def test_refuses_an_assessment_dated_after_the_award(root):
    refused(
        root,
        AwardInput(
            "session-design",
            "Ada",
            "ada@example.org",
            DAY,
            assessors=("ines-alvarez",),
            assessed_on=DAY + timedelta(days=1),
        ),
        "is dated after the award",
    )


def test_refuses_when_the_rules_are_not_met_even_with_assessors(root):
    refused(
        root,
        AwardInput(
            "workshop-design",
            "Ada",
            "ada@example.org",
            DAY,
            assessors=("kwame-mensah", "marta-kowalska"),
        ),
        "workshop-design requires session-design",
    )


def test_the_record_names_method_date_assessors_and_outcome(root):
    plan = award(
        root,
        AwardInput(
            "session-design",
            "Ada",
            "ada@example.org",
            DAY,
            result="merit",
            assessors=("kwame-mensah",),
            assessed_on=DAY - timedelta(days=3),
        ),
    )
    credential = plan.awarded[0].credential
    assert schema_errors(credential) == []
    (entry,) = credential["evidence"]
    assert entry["type"] == ["Evidence"] and entry["genre"] == "Assessment record"
    assert "id" not in entry, "not a web page: verifiers must not follow it"
    assert entry["description"] == (
        "Applied project assessed on 2026-02-27 by Kwame Mensah: passed (merit)."
    )
    record = assessment_record(credential)
    assert record == AssessmentRecord(
        "applied-project",
        (DAY - timedelta(days=3)).date(),
        record.assessors,
        "merit",
        "passed",
    )
    assert [(a.id, a.name, a.url) for a in record.assessors] == [
        ("kwame-mensah", "Kwame Mensah", "https://northwind-lab.example/people/kwame-mensah")
    ]
    registry = Registry(root)
    report = registry_verifier(registry, at=DAY, now=DAY).verify(credential)
    assert report.status == "verified", report.checks


def test_a_certification_records_both_independent_assessors(root):
    from support import earn_certification

    plans = earn_certification(root, name="Dee", email="dee@example.org", start=DAY)
    record = assessment_record(plans[-1].awarded[0].credential)
    assert len(record.assessors) == 2 and "independently" in record.sentence()


def test_a_forged_record_does_not_parse():
    good = AssessmentRecord(
        "knowledge-exam", DAY.date(), (), None
    )  # no assessors: never written, never read back
    assert AssessmentRecord.from_evidence(good.to_evidence()) is None
    entry = {
        "type": ["Evidence"],
        "genre": "Assessment record",
        "narrative": "- Method: Knowledge exam\n- Date: 2026-03-02\n- Outcome: passed\n"
        "- Assessor: Eve [eve]\n<script>alert(1)</script>",
    }
    assert AssessmentRecord.from_evidence(entry) is None, "unknown lines are refused"
    entry["narrative"] = entry["narrative"].rsplit("\n", 1)[0]
    assert AssessmentRecord.from_evidence(entry).assessors[0].name == "Eve"
    assert AssessmentRecord.from_evidence({**entry, "id": "https://x.example/"}) is None


def test_reissue_keeps_the_original_assessment(root):
    cred = award_with_prerequisites(
        root, "decision-workshops", name="Ada", email="ada@example.org", when=DAY
    )
    original = assessment_record(cred.credential)
    plan = reissue(
        Registry(root),
        cred.cid,
        key=loaded_test_key(root),
        now=DAY + timedelta(days=9),
        name="Ada K",
    )
    assert assessment_record(plan.awarded[0].credential) == original


def test_cohort_csv_reads_space_separated_assessors(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text(
        "name,email,achievement,assessors\n"
        "Ann,ann@example.org,workshop-design,kwame-mensah  marta-kowalska\n"
    )
    (inp,) = read_cohort_csv(csv, default_issued_at=DAY)
    assert inp.assessors == ("kwame-mensah", "marta-kowalska")


def test_record_sentence_is_json_safe(root):
    plan = award(root, AwardInput("session-design", "Ada", "ada@example.org", DAY))
    text = json.dumps(plan.awarded[0].credential["evidence"])
    assert "Dr. Ines Alvarez" in text
