"""Awarding: the program's stacking rules, all-or-nothing writes, cohort CSVs."""

import hashlib
import json
from datetime import timedelta

import pytest

from credstack.errors import AwardError
from credstack.model.schema import schema_errors
from credstack.registry.award import (
    LIST_FILL,
    AwardInput,
    _Slots,
    parse_evidence,
    plan_awards,
    read_cohort_csv,
)
from credstack.registry.registry import LIST_SIZE, Registry
from support import (
    assessed_by,
    award,
    earn_certification,
    loaded_test_key,
    result_for,
    salts,
    snapshot,
    stack_order,
)
from support import (
    at as date,
)

DAY = date("2026-03-02T09:00")


def first(program, level):
    return next(a for a in program.achievements.values() if a.level == level)


def practitioner_with_prereq(program):
    return next(a for a in program.by_level("practitioner") if a.prerequisites)


def test_award_writes_one_valid_signed_credential(root):
    program = Registry(root).program
    foundation = first(program, "foundation")
    plan = award(
        root,
        AwardInput(
            foundation.id,
            "Ada Lovelace",
            "ada@example.org",
            DAY,
            evidence=(parse_evidence("Workshop plan=https://example.org/plan"),),
            result=result_for(program, foundation.id),
        ),
    )
    (awarded,) = plan.awarded
    on_disk = json.loads(awarded.path.read_text())
    assert on_disk == awarded.credential
    assert schema_errors(on_disk) == []
    assert on_disk["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    assert on_disk["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert awarded.url == f"{Registry(root).urls.site}credentials/{awarded.cid}/"
    text = awarded.path.read_text()
    assert "ada@example.org" not in text, "plain email must never be written"
    # status lists were created and signed on first award
    assert (root / "issued/status/revocation-1.json").exists()
    assert (root / "issued/status/suspension-1.json").exists()


def test_refuses_practitioner_without_prerequisite_and_writes_nothing(root):
    program = Registry(root).program
    practitioner = practitioner_with_prereq(program)
    before = snapshot(root)
    with pytest.raises(AwardError, match="requires") as e:
        award(root, AwardInput(practitioner.id, "Bo", "bo@example.org", DAY))
    assert practitioner.prerequisites[0] in e.value.message
    assert snapshot(root) == before


def test_allows_practitioner_once_prerequisite_held(root):
    program = Registry(root).program
    practitioner = practitioner_with_prereq(program)
    for i, pre in enumerate(practitioner.prerequisites):
        award(
            root,
            AwardInput(
                pre,
                "Bo",
                "bo@example.org",
                DAY + timedelta(days=i),
                result=result_for(program, pre),
            ),
        )
    plan = award(
        root,
        AwardInput(
            practitioner.id,
            "Bo",
            "BO@example.org ",
            DAY + timedelta(days=30),
            result=result_for(program, practitioner.id),
        ),
    )
    assert len(plan.awarded) == 1, "the same person, whatever the case of the email"


def test_refuses_prerequisite_awarded_after_the_issue_date(root):
    program = Registry(root).program
    practitioner = practitioner_with_prereq(program)
    for pre in practitioner.prerequisites:
        award(root, AwardInput(pre, "Bo", "bo@example.org", DAY))
    with pytest.raises(AwardError, match="requires"):
        award(
            root,
            AwardInput(practitioner.id, "Bo", "bo@example.org", DAY - timedelta(days=1)),
            signed_at=DAY,
        )


def test_refuses_certification_without_the_pathway(root):
    program = Registry(root).program
    cert = first(program, "certification")
    before = snapshot(root)
    with pytest.raises(AwardError, match="requires") as e:
        award(root, AwardInput(cert.id, "Cy", "cy@example.org", DAY, result="pass"))
    assert "holds 0 of them" in e.value.message
    assert snapshot(root) == before


def test_refuses_certification_without_capstone_result(root):
    program = Registry(root).program
    cert = first(program, "certification")
    for i, aid in enumerate(stack_order(program, cert.id)):
        award(
            root,
            AwardInput(
                aid,
                "Cy",
                "cy@example.org",
                DAY + timedelta(days=i),
                result=result_for(program, aid),
            ),
        )
    with pytest.raises(AwardError, match="capstone"):
        award(root, AwardInput(cert.id, "Cy", "cy@example.org", DAY + timedelta(days=40)))


def test_certification_lists_its_components_as_evidence(root):
    plans = earn_certification(root, name="Dee", email="dee@example.org", start=DAY)
    cert = plans[-1].awarded[0].credential
    component_urls = [a.awarded[0].url for a in plans[:-1]]
    evidence_ids = [e["id"] for e in cert["evidence"] if "id" in e]
    assert cert["credentialSubject"]["achievement"]["achievementType"] == "Certification"
    program = Registry(root).program
    pathway = next(iter(program.pathways.values()))
    expected = [
        u
        for u, p in zip(component_urls, plans[:-1], strict=True)
        if p.awarded[0].input.achievement in pathway.components()
    ]
    assert evidence_ids[: len(expected)] == expected


def test_refuses_an_achievement_already_held(root):
    program = Registry(root).program
    foundation = first(program, "foundation")
    award(root, AwardInput(foundation.id, "Ed", "ed@example.org", DAY))
    with pytest.raises(AwardError, match="already holds"):
        award(root, AwardInput(foundation.id, "Ed", "ed@example.org", DAY + timedelta(days=1)))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"achievement": "no-such-thing"}, "unknown achievement"),
        ({"email": "not-an-email"}, "not a valid email"),
        ({"email": "a@b"}, "not a valid email"),
    ],
)
def test_refuses_bad_input(root, kwargs, fragment):
    program = Registry(root).program
    args = {
        "achievement": first(program, "foundation").id,
        "name": "Fay",
        "email": "fay@example.org",
        "issued_at": DAY,
        **kwargs,
    }
    before = snapshot(root)
    with pytest.raises(AwardError, match=fragment):
        award(root, AwardInput(**args))
    assert snapshot(root) == before


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.org/a", "example.org", "https://"])
def test_refuses_non_http_evidence(url):
    with pytest.raises(AwardError, match="http"):
        parse_evidence(url)


def test_refuses_result_off_the_scale(root):
    program = Registry(root).program
    scaled = next(
        a
        for a in program.achievements.values()
        if a.assessment and a.assessment.result_scale and not a.prerequisites
    )
    with pytest.raises(AwardError, match="not on the scale"):
        award(root, AwardInput(scaled.id, "Gus", "gus@example.org", DAY, result="superb!!"))


def test_refuses_retired_key(root):
    from credstack.registry.keys import retire_key

    registry = Registry(root)
    retire_key(registry.program, root, "test-key", at=DAY - timedelta(days=1), reason="lost laptop")
    foundation = first(Registry(root).program, "foundation")
    with pytest.raises(AwardError, match="retired"):
        award(root, AwardInput(foundation.id, "Hal", "hal@example.org", DAY))


def write_csv(path, rows):
    path.write_text("\n".join(rows) + "\n")
    return path


def test_cohort_csv_all_or_nothing_lists_every_bad_row(root, tmp_path):
    program = Registry(root).program
    foundation = first(program, "foundation")
    practitioner = practitioner_with_prereq(program)
    csv = write_csv(
        tmp_path / "cohort.csv",
        [
            "name,email,achievement,evidence",
            f"Ivy,ivy@example.org,{foundation.id},https://example.org/ivy",
            f"Jon,not-an-email,{foundation.id},",
            f"Kim,kim@example.org,{foundation.id},javascript:alert(1)",
            f"Lea,lea@example.org,{practitioner.id},",
        ],
    )
    before = snapshot(root)
    with pytest.raises(AwardError) as e:
        inputs = read_cohort_csv(csv, default_issued_at=DAY)
    assert "cohort.csv:3" in e.value.message and "cohort.csv:4" in e.value.message
    assert snapshot(root) == before
    # fix the syntax errors: the stacking error on line 4 is still reported, nothing written
    write_csv(
        csv,
        [
            "name,email,achievement",
            f"Ivy,ivy@example.org,{foundation.id}",
            f"Lea,lea@example.org,{practitioner.id}",
        ],
    )
    inputs = read_cohort_csv(csv, default_issued_at=DAY)
    registry = Registry(root)
    with pytest.raises(AwardError, match=r"cohort.csv:3: .*requires"):
        plan_awards(registry, inputs, loaded_test_key(root), signed_at=DAY, salt_factory=salts())
    assert snapshot(root) == before


def test_cohort_rows_can_stack_within_one_file_and_reruns_skip(root, tmp_path):
    program = Registry(root).program
    practitioner = practitioner_with_prereq(program)
    rows = ["name,email,achievement,issued_at,assessors"]
    for pre in practitioner.prerequisites:
        rows.append(f"Max,max@example.org,{pre},2026-03-01,{' '.join(assessed_by(program, pre))}")
    by = " ".join(assessed_by(program, practitioner.id))
    rows.append(f"Max,max@example.org,{practitioner.id},2026-04-01,{by}")
    csv = write_csv(tmp_path / "cohort.csv", rows)
    inputs = read_cohort_csv(csv, default_issued_at=DAY)
    key = loaded_test_key(root)
    plan = plan_awards(
        Registry(root),
        inputs,
        key,
        signed_at=DAY + timedelta(days=60),
        salt_factory=salts(),
        skip_already_held=True,
    )
    assert len(plan.awarded) == len(inputs) and not plan.skipped
    from credstack.registry.award import write_plan

    write_plan(plan)
    again = plan_awards(
        Registry(root),
        inputs,
        key,
        signed_at=DAY + timedelta(days=60),
        salt_factory=salts(),
        skip_already_held=True,
    )
    assert not again.awarded and len(again.skipped) == len(inputs)


def test_cohort_csv_rejects_unknown_columns(tmp_path):
    csv = write_csv(tmp_path / "c.csv", ["name,mail,achievement", "A,a@example.org,x"])
    with pytest.raises(AwardError, match="missing column"):
        read_cohort_csv(csv, default_issued_at=DAY)


def test_status_indexes_are_unique_and_not_in_issue_order(root):
    program = Registry(root).program
    foundations = program.by_level("foundation")
    for i, f in enumerate(foundations):
        award(root, AwardInput(f.id, f"P{i}", f"p{i}@example.org", DAY))
    views = list(Registry(root).credentials.values())
    indexes = [v.status("revocation").index for v in views]
    assert len(set(indexes)) == len(views)
    # Each index comes from the credential's (random) id: two branches that award at the same
    # time do not both take "the next one", and the index does not tell the issue order.
    for view in views:
        expected = int.from_bytes(hashlib.sha256(view.cid.encode()).digest()[:8], "big")
        assert view.status("revocation").index == expected % LIST_SIZE


def test_status_index_taken_moves_to_the_next_free_one_and_full_lists_roll_over(root):
    registry = Registry(root)
    slots = _Slots(registry)
    cid = "2026-aaaaaaaaaa"
    first = int.from_bytes(hashlib.sha256(cid.encode()).digest()[:8], "big") % LIST_SIZE
    slots.used[1] = {first, (first + 1) % LIST_SIZE}
    assert slots.take(cid) == (1, (first + 2) % LIST_SIZE)
    slots.used[1] = set(range(LIST_FILL))
    number, index = slots.take(cid)
    assert (number, index) == (2, first)
