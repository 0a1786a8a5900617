"""Design checks on real YAML: each broken program reports the named check at file and line."""

from __future__ import annotations

from pathlib import Path

from credstack.model.problems import Problem
from credstack.registry.program import check_program

SESSION = "program/achievements/session-design.yml"
FUNDAMENTALS = "program/achievements/facilitation-fundamentals.yml"
WORKSHOP = "program/achievements/workshop-design.yml"
DECISIONS = "program/achievements/decision-workshops.yml"
IMPACT = "program/achievements/impact-evaluation.yml"
CERT = "program/achievements/certified-facilitator.yml"
PATHWAY = "program/pathways/facilitator-pathway.yml"
COMPETENCIES = "program/competencies.yml"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first ``old`` in a file; fails if ``old`` is absent (so the test can fail)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def drop_block(root: Path, rel: str, key: str) -> None:
    """Remove a top-level ``key:`` and its indented lines."""
    lines = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    (root / rel).write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    for n, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not found in {rel}")


def problems_of(root: Path) -> list[Problem]:
    return check_program(root)[1]


def find(
    problems: list[Problem], check: str, file: str, line: int, fragment: str, severity: str
) -> Problem:
    """The problem with this check, file, line, severity and message fragment."""
    hits = [
        p
        for p in problems
        if (p.check, p.source.file, p.source.line, p.severity) == (check, file, line, severity)
        and fragment in p.message
    ]
    assert hits, f"no {severity} [{check}] at {file}:{line} with {fragment!r} in:\n" + "\n".join(
        f"{p.severity} {p} [{p.check}]" for p in problems
    )
    return hits[0]


def checks(problems: list[Problem]) -> set[str]:
    return {p.check for p in problems}


# -- assessed --------------------------------------------------------------------------------


def test_achievement_without_assessment(scratch_root):
    drop_block(scratch_root, SESSION, "assessment")
    problems = problems_of(scratch_root)
    p = find(problems, "assessed", SESSION, 1, "has no assessment", "error")
    assert "attendance alone is not a credential" in p.hint
    assert checks(problems) == {"assessed"}


# -- bounded ---------------------------------------------------------------------------------


def test_micro_credential_verifying_too_many_competencies(scratch_root):
    edit(scratch_root, WORKSHOP, "data-collection]", "data-collection, impact-reporting]")
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, WORKSHOP, "competencies:")
    find(problems, "bounded", WORKSHOP, line, "verifies 5 competencies", "warning")


def test_foundation_spanning_two_domains(scratch_root):
    edit(scratch_root, SESSION, "agenda-design]", "agenda-design, group-dynamics]")
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, SESSION, "competencies:")
    p = find(
        problems, "bounded", SESSION, line, "spans 2 domains (Design, Facilitation)", "warning"
    )
    assert "at most 1" in p.message


def test_certification_is_not_bounded(demo_root):
    assert "bounded" not in checks(problems_of(demo_root))


# -- stacking --------------------------------------------------------------------------------


def test_prerequisite_cycle_reports_the_path(scratch_root):
    edit(
        scratch_root,
        DECISIONS,
        "prerequisites: [facilitation-fundamentals]",
        "prerequisites: [facilitation-fundamentals, impact-evaluation]",
    )
    edit(
        scratch_root,
        IMPACT,
        "prerequisites: [evaluation-essentials]",
        "prerequisites: [evaluation-essentials, decision-workshops]",
    )
    problems = problems_of(scratch_root)
    p = find(
        problems,
        "stacking",
        DECISIONS,
        line_of(scratch_root, DECISIONS, "prerequisites:"),
        "prerequisite cycle: decision-workshops -> impact-evaluation -> decision-workshops",
        "error",
    )
    assert p.field == "prerequisites[1]"
    assert sum("cycle" in q.message for q in problems) == 1


def test_self_prerequisite_is_a_cycle(scratch_root):
    edit(scratch_root, SESSION, "prerequisites: []", "prerequisites: [session-design]")
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, SESSION, "prerequisites:")
    find(problems, "stacking", SESSION, line, "cycle: session-design -> session-design", "error")


def test_practitioner_without_a_foundation(scratch_root):
    edit(scratch_root, WORKSHOP, "prerequisites: [session-design]", "prerequisites: []")
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, WORKSHOP, "prerequisites:")
    find(problems, "stacking", WORKSHOP, line, "does not require any foundation", "error")


def test_practitioner_may_reach_its_foundation_through_another_practitioner(scratch_root):
    edit(
        scratch_root,
        WORKSHOP,
        "prerequisites: [session-design]",
        "prerequisites: [impact-evaluation]",
    )
    assert "stacking" not in checks(problems_of(scratch_root))


def test_certification_as_prerequisite_of_a_micro_credential(scratch_root):
    edit(
        scratch_root,
        DECISIONS,
        "prerequisites: [facilitation-fundamentals]",
        "prerequisites: [facilitation-fundamentals, certified-facilitator]",
    )
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, DECISIONS, "prerequisites:")
    p = find(problems, "stacking", DECISIONS, line, "requires certification", "error")
    assert p.field == "prerequisites[1]"


def test_foundation_requiring_a_practitioner(scratch_root):
    edit(scratch_root, SESSION, "prerequisites: []", "prerequisites: [decision-workshops]")
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, SESSION, "prerequisites:")
    find(
        problems,
        "stacking",
        SESSION,
        line,
        "foundation 'session-design' requires practitioner",
        "error",
    )


def test_group_needing_more_than_it_lists(scratch_root):
    edit(scratch_root, PATHWAY, "at_least: 2", "at_least: 4")
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, PATHWAY, "at_least: 4")
    p = find(problems, "stacking", PATHWAY, line, "needs 4 of 3 listed achievements", "error")
    assert p.field == "requires[1].at_least"


def test_pathway_leading_to_a_micro_credential(scratch_root):
    edit(
        scratch_root,
        PATHWAY,
        "certification: certified-facilitator",
        "certification: session-design",
    )
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, PATHWAY, "certification:")
    find(
        problems,
        "stacking",
        PATHWAY,
        line,
        "is a foundation micro-credential, not a certification",
        "error",
    )
    # ...and the real certification is now unreachable
    find(problems, "stacking", CERT, 1, "no pathway leads to certification", "error")


def test_certification_listed_as_a_pathway_component(scratch_root):
    edit(scratch_root, PATHWAY, "impact-evaluation]", "impact-evaluation, certified-facilitator]")
    problems = problems_of(scratch_root)
    p = find(
        problems,
        "stacking",
        PATHWAY,
        line_of(scratch_root, PATHWAY, "certified-facilitator]"),
        "is a certification; a pathway stacks micro-credentials",
        "error",
    )
    assert p.field == "requires[1].of[3]"


def test_certification_without_pathway(scratch_root):
    (scratch_root / PATHWAY).unlink()
    problems = problems_of(scratch_root)
    p = find(problems, "stacking", CERT, 1, "no pathway leads to certification", "error")
    assert "program/pathways/" in p.hint


# -- coverage --------------------------------------------------------------------------------


def test_competency_verified_by_no_achievement(scratch_root):
    with (scratch_root / COMPETENCIES).open("a", encoding="utf-8") as f:
        f.write(
            "\n- id: online-facilitation\n  name: Facilitate online\n"
            "  description: Runs sessions on video platforms.\n  domain: Facilitation\n"
            "  kind: skill\n"
        )
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, COMPETENCIES, "id: online-facilitation")
    find(
        problems,
        "coverage",
        COMPETENCIES,
        line,
        "'online-facilitation' is verified by no",
        "warning",
    )


def test_certification_claims_what_only_some_routes_verify(scratch_root):
    edit(
        scratch_root,
        CERT,
        "  - engagement-leadership",
        "  - engagement-leadership\n  - stakeholder-contracting",
    )
    problems = problems_of(scratch_root)
    p = find(
        problems,
        "coverage",
        CERT,
        line_of(scratch_root, CERT, "- stakeholder-contracting"),
        "can be completed without any micro-credential verifying it",
        "warning",
    )
    assert "decision-workshops, impact-evaluation" in p.message
    assert p.field == "competencies[8]"


def test_certification_claims_what_its_pathway_never_verifies(scratch_root):
    edit(
        scratch_root,
        PATHWAY,
        "of: [workshop-design, decision-workshops, impact-evaluation]",
        "of: [workshop-design, decision-workshops]",
    )
    edit(
        scratch_root,
        CERT,
        "  - engagement-leadership",
        "  - engagement-leadership\n  - impact-reporting",
    )
    problems = problems_of(scratch_root)
    p = find(
        problems,
        "coverage",
        CERT,
        line_of(scratch_root, CERT, "- impact-reporting"),
        "no micro-credential in facilitator-pathway verifies it (only impact-evaluation does)",
        "error",
    )
    assert "add impact-evaluation to program/pathways/facilitator-pathway.yml" in p.hint


def test_certification_own_competency_is_fine(demo_root):
    # engagement-leadership is verified by the certification alone (its capstone and portfolio)
    assert "coverage" not in checks(problems_of(demo_root))


# -- fit -------------------------------------------------------------------------------------


def test_skill_assessed_only_by_knowledge_exams(scratch_root):
    edit(scratch_root, WORKSHOP, "method: applied-project", "method: knowledge-exam")
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, COMPETENCIES, "id: stakeholder-contracting")
    p = find(
        problems,
        "fit",
        COMPETENCIES,
        line,
        "'stakeholder-contracting' is only assessed by knowledge exams",
        "warning",
    )
    assert "workshop-design" in p.message
    # data-collection is also verified by impact-evaluation's applied project: no warning
    assert [q.check for q in problems] == ["fit"]


# -- hours -----------------------------------------------------------------------------------


def test_hours_outside_the_level_band(scratch_root):
    edit(scratch_root, SESSION, "hours: 6", "hours: 12")
    edit(scratch_root, IMPACT, "hours: 12", "hours: 6.5")
    problems = problems_of(scratch_root)
    find(
        problems,
        "hours",
        SESSION,
        line_of(scratch_root, SESSION, "hours:"),
        "12 h is outside the usual 4–8 h",
        "warning",
    )
    find(
        problems,
        "hours",
        IMPACT,
        line_of(scratch_root, IMPACT, "hours:"),
        "6.5 h is outside the usual 8–20 h",
        "warning",
    )


# -- pricing ---------------------------------------------------------------------------------


def test_bundle_dearer_than_its_parts(scratch_root):
    edit(scratch_root, PATHWAY, "amount: 2790.00", "amount: 3190.00")
    problems = problems_of(scratch_root)
    p = find(
        problems,
        "pricing",
        PATHWAY,
        line_of(scratch_root, PATHWAY, "bundle_price:"),
        "costs more than its parts",
        "warning",
    )
    # cheapest route: both foundations + the two cheapest practitioners that need no extra
    # foundation (1,340.00), then the certification less 20 % of those four prices (268.00)
    assert "1,340.00 EUR for" in p.message and "credit of 268.00 EUR = 2,822.00 EUR" in p.message


def test_bundle_dearer_than_step_by_step_with_the_credit(scratch_root):
    # 2,800 is below the parts without credit (3,090) but above the step-by-step price (2,822)
    edit(scratch_root, PATHWAY, "amount: 2790.00", "amount: 2823.00")
    find(
        problems_of(scratch_root),
        "pricing",
        PATHWAY,
        line_of(scratch_root, PATHWAY, "bundle_price:"),
        "costs more than its parts bought step by step",
        "warning",
    )


def test_micro_credential_priced_out_of_proportion(scratch_root):
    edit(scratch_root, SESSION, "amount: 240.00", "amount: 95.00")
    edit(scratch_root, DECISIONS, "amount: 420.00", "amount: 520.00")
    problems = problems_of(scratch_root)
    find(
        problems,
        "pricing",
        SESSION,
        line_of(scratch_root, SESSION, "price:"),
        "is 5 % of certified-facilitator",
        "warning",
    )
    find(
        problems,
        "pricing",
        DECISIONS,
        line_of(scratch_root, DECISIONS, "price:"),
        "is 30 % of",
        "warning",
    )


def test_credit_larger_than_the_certification_price(scratch_root):
    edit(scratch_root, PATHWAY, "credit_percent: 20", "credit_percent: 100")
    edit(scratch_root, CERT, "amount: 1750.00", "amount: 1600.00")
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, PATHWAY, "credit_percent:")
    find(
        problems, "pricing", PATHWAY, line, "exceeds the price of certified-facilitator", "warning"
    )


# -- everything at once ----------------------------------------------------------------------


def test_several_problems_are_all_reported_in_one_run(scratch_root):
    edit(scratch_root, SESSION, "hours: 6", "hour: 6")  # schema (session-design is unloaded)
    edit(scratch_root, WORKSHOP, "currency: EUR", "currency: EURO")  # schema
    drop_block(scratch_root, IMPACT, "assessment")  # assessed
    edit(scratch_root, FUNDAMENTALS, "hours: 8", "hours: 9")  # hours
    edit(scratch_root, PATHWAY, "at_least: 2", "at_least: 5")  # stacking
    problems = problems_of(scratch_root)
    assert {(p.check, p.source.file) for p in problems} == {
        ("schema", SESSION),
        ("schema", WORKSHOP),
        ("assessed", IMPACT),
        ("hours", FUNDAMENTALS),
        ("stacking", PATHWAY),
    }, "\n".join(map(str, problems))
    assert [p.sort_key() for p in problems] == sorted(p.sort_key() for p in problems)


def test_demo_is_clean(demo_root):
    assert problems_of(demo_root) == []


# -- enrol_url and renewal -------------------------------------------------------------------


def test_enrol_url_must_be_http(scratch_root):
    edit(
        scratch_root,
        SESSION,
        "enrol_url: https://northwind-lab.example/enrol/session-design",
        "enrol_url: javascript:alert(1)",
    )
    edit(scratch_root, PATHWAY, "enrol_url: https://", "enrol_url: ftp://")
    problems = problems_of(scratch_root)
    find(
        problems,
        "schema",
        SESSION,
        line_of(scratch_root, SESSION, "enrol_url"),
        "not an http(s) URL",
        "error",
    )
    find(
        problems,
        "schema",
        PATHWAY,
        line_of(scratch_root, PATHWAY, "enrol_url"),
        "not an http(s) URL",
        "error",
    )


def test_renewal_on_a_credential_that_never_expires(scratch_root):
    edit(
        scratch_root,
        SESSION,
        "prerequisites: []",
        "prerequisites: []\nrenewal:\n  window_days: 30\n  cpd_hours: 5",
    )
    find(
        problems_of(scratch_root),
        "renewal",
        SESSION,
        line_of(scratch_root, SESSION, "renewal:"),
        "never expires",
        "error",
    )


def test_renewal_window_longer_than_the_validity(scratch_root):
    edit(scratch_root, WORKSHOP, "window_days: 90", "window_days: 1100")
    find(
        problems_of(scratch_root),
        "renewal",
        WORKSHOP,
        line_of(scratch_root, WORKSHOP, "window_days"),
        "longer than the validity (36 months)",
        "error",
    )


def test_renewal_that_asks_for_nothing(scratch_root):
    drop_block(scratch_root, WORKSHOP, "renewal")
    edit(
        scratch_root,
        WORKSHOP,
        "validity_months: 36",
        "validity_months: 36\nrenewal:\n  window_days: 60",
    )
    find(
        problems_of(scratch_root),
        "renewal",
        WORKSHOP,
        line_of(scratch_root, WORKSHOP, "renewal:"),
        "asks for no CPD hours",
        "warning",
    )


def test_renewal_shape_errors(scratch_root):
    edit(scratch_root, WORKSHOP, "window_days: 90", "window_days: soon\n  cpd_hourz: 3")
    problems = problems_of(scratch_root)
    find(
        problems,
        "schema",
        WORKSHOP,
        line_of(scratch_root, WORKSHOP, "window_days"),
        "whole number",
        "error",
    )
    find(
        problems,
        "schema",
        WORKSHOP,
        line_of(scratch_root, WORKSHOP, "cpd_hourz"),
        "unknown key",
        "error",
    )


def test_the_demo_renewal_rules_load():
    from credstack.registry.program import load_program
    from support import REPO

    program = load_program(REPO)
    rule = program.achievements["certified-facilitator"].renewal
    assert rule.window_days == 120 and rule.cpd_hours == 40 and rule.reassessment
    assert program.pathways["facilitator-pathway"].enrol_url.startswith("https://")
