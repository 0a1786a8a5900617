"""Loading program/*.yml: the demo, YAML failures, and schema problems with file and line."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from credstack.errors import ProgramError
from credstack.model.problems import Problem
from credstack.registry.program import check_program, load_program

SESSION = "program/achievements/session-design.yml"
WORKSHOP = "program/achievements/workshop-design.yml"
CERT = "program/achievements/certified-facilitator.yml"
PATHWAY = "program/pathways/facilitator-pathway.yml"
COMPETENCIES = "program/competencies.yml"
ISSUER = "program/issuer.yml"
KEYS = "program/keys.yml"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first ``old`` in a file; fails if ``old`` is absent (so the test can fail)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line containing ``needle``."""
    hits = [
        n
        for n, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    ]
    assert len(hits) >= nth, f"{needle!r} not found {nth} times in {rel}"
    return hits[nth - 1]


def problems_of(root: Path) -> list[Problem]:
    return check_program(root)[1]


def find(
    problems: list[Problem], check: str, file: str, line: int, fragment: str, field: str = ""
) -> Problem:
    """The one problem with this check, file, line and message fragment."""
    hits = [
        p
        for p in problems
        if p.check == check
        and p.source.file == file
        and p.source.line == line
        and fragment in p.message
        and (not field or p.field == field)
    ]
    assert hits, f"no {check} problem at {file}:{line} with {fragment!r} in:\n" + "\n".join(
        f"{p} [{p.check}]" for p in problems
    )
    return hits[0]


def multikey(fill: int) -> str:
    """A well-formed Ed25519 Multikey public key (base58btc of 0xed01 + 32 bytes)."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n = int.from_bytes(b"\xed\x01" + bytes([fill]) * 32, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = alphabet[r] + out
    return "z" + out


# -- the demo --------------------------------------------------------------------------------


def test_demo_loads_without_any_problem(demo_root):
    program, problems = check_program(demo_root)
    assert problems == []
    assert program is not None
    assert program.site_url.startswith("https://") and program.site_url.endswith("/")
    assert program.issuer.name == "Northwind Facilitation Lab"
    assert program.issuer.url == "https://northwind-lab.example/"
    assert program.issuer.email == "credentials@northwind-lab.example"


def test_demo_has_the_documented_shape(demo_root):
    program = load_program(demo_root)
    assert len(program.competencies) >= 9
    assert len({c.domain for c in program.competencies.values()}) == 3
    assert len(program.by_level("foundation")) == 3
    assert len(program.by_level("practitioner")) == 3
    cert = program.achievements["certified-facilitator"]
    assert cert.level == "certification" and cert.validity_months == 36
    assert cert.name == "Certified Evidence-Based Facilitator"
    assert all(a.validity_months is None for a in program.by_level("foundation"))
    pathway = program.pathways["facilitator-pathway"]
    assert pathway.certification == "certified-facilitator"
    assert any(g.at_least is not None for g in pathway.requires)
    assert {a.price.currency for a in program.achievements.values()} == {"EUR"}
    # ordered by level, then id
    levels = [a.level for a in program.achievements.values()]
    assert levels == sorted(levels, key=["foundation", "practitioner", "certification"].index)


def test_values_are_typed_and_remember_their_lines(demo_root):
    program = load_program(demo_root)
    session = program.achievements["session-design"]
    assert session.price.amount == Decimal("240.00") and session.price.currency == "EUR"
    assert session.hours == 6.0
    assert session.assessment is not None and session.assessment.method == "applied-project"
    assert session.source.file == SESSION
    assert session.where("hours").line == line_of(demo_root, SESSION, "hours:")
    assert session.where("competencies[1]").line == line_of(demo_root, SESSION, "competencies:")
    pathway = program.pathways["facilitator-pathway"]
    assert pathway.where("requires[1].of[2]").line == line_of(demo_root, PATHWAY, "of: [")
    assert pathway.requires[1].source.line == line_of(demo_root, PATHWAY, "at_least: 2")
    assert pathway.credit_percent == Decimal(20)
    comp = program.competencies["data-collection"]
    assert comp.source.line == line_of(demo_root, COMPETENCIES, "id: data-collection")


def test_site_url_gets_a_trailing_slash(scratch_root):
    edit(
        scratch_root,
        "mkdocs.yml",
        "site_url: https://northwind-lab.github.io/credentials/",
        "site_url: https://northwind-lab.github.io/credentials",
    )
    assert load_program(scratch_root).site_url == "https://northwind-lab.github.io/credentials/"


def test_mkdocs_python_tags_are_tolerated(scratch_root):
    with (scratch_root / "mkdocs.yml").open("a", encoding="utf-8") as f:
        f.write(
            "markdown_extensions:\n"
            "  - pymdownx.emoji:\n"
            "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
            "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
            "extra:\n  token: !ENV [TOKEN, none]\n"
        )
    program, problems = check_program(scratch_root)
    assert problems == [] and program is not None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("/credentials/", "not an absolute http(s) URL"), ("ftp://x.example/", "not an absolute")],
)
def test_site_url_must_be_absolute_http(scratch_root, value, fragment):
    edit(scratch_root, "mkdocs.yml", "https://northwind-lab.github.io/credentials/", value)
    program, problems = check_program(scratch_root)
    assert program is None
    find(
        problems, "schema", "mkdocs.yml", line_of(scratch_root, "mkdocs.yml", "site_url"), fragment
    )


def test_missing_site_url_is_reported_in_mkdocs_yml(scratch_root):
    edit(scratch_root, "mkdocs.yml", "site_url:", "# site_url:")
    program, problems = check_program(scratch_root)
    assert program is None
    p = find(problems, "schema", "mkdocs.yml", 1, "missing", field="site_url")
    assert "site_url" in p.hint


# -- bad YAML: one problem with file and line, never a traceback ----------------------------


def test_yaml_syntax_error_is_one_problem_with_its_line(scratch_root):
    edit(scratch_root, SESSION, "hours: 6", "hours: [6")
    program, problems = check_program(scratch_root)
    # session-design is referenced by a prerequisite and the pathway: no follow-on problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    p = problems[0]
    assert p.is_error and p.source.file == SESSION and "invalid YAML" in p.message
    assert p.source.line >= line_of(scratch_root, SESSION, "hours: [6")
    assert "\n" not in p.headline
    assert program is not None  # the rest of the program still loads


def test_tab_indentation_gets_a_specific_hint(scratch_root):
    edit(scratch_root, PATHWAY, "  - all:", "\t- all:")
    problems = problems_of(scratch_root)
    p = find(
        problems, "schema", PATHWAY, line_of(scratch_root, PATHWAY, "\t- all:"), "invalid YAML"
    )
    assert "tabs" in p.hint


def test_wrong_top_level_type_is_one_problem(scratch_root):
    (scratch_root / COMPETENCIES).write_text("outcome-framing: Frame outcomes\n")
    problems = problems_of(scratch_root)
    assert len(problems) == 1, "\n".join(map(str, problems))
    find(problems, "schema", COMPETENCIES, 1, "expected a list of competencies")


def test_issuer_that_is_a_list_is_one_problem(scratch_root):
    (scratch_root / ISSUER).write_text("- Northwind Facilitation Lab\n")
    program, problems = check_program(scratch_root)
    assert program is None
    assert [(p.source.file, p.source.line) for p in problems] == [(ISSUER, 1)]
    assert "expected a mapping" in problems[0].message


def test_missing_file_is_one_problem(scratch_root):
    (scratch_root / ISSUER).unlink()
    program, problems = check_program(scratch_root)
    assert program is None
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{ISSUER}: file not found")


def test_empty_file_is_one_problem(scratch_root):
    (scratch_root / SESSION).write_text("# nothing yet\n")
    problems = problems_of(scratch_root)
    assert len(problems) == 1
    find(problems, "schema", SESSION, 1, "the file is empty")


def test_no_program_folder(tmp_path):
    program, problems = check_program(tmp_path)
    assert program is None and len(problems) == 1 and "-C" in problems[0].hint


def test_load_program_raises_with_every_problem(scratch_root):
    edit(scratch_root, SESSION, "hours: 6", "hour: 6")
    edit(scratch_root, WORKSHOP, "level: practitioner", "level: expert")
    with pytest.raises(ProgramError) as caught:
        load_program(scratch_root)
    assert len(caught.value.problems) == 2
    assert "2 errors" in str(caught.value) and "credstack lint" in caught.value.hint


def test_load_program_single_error_keeps_location_and_hint(scratch_root):
    edit(scratch_root, SESSION, "hours: 6", "hour: 6")
    with pytest.raises(ProgramError) as caught:
        load_program(scratch_root)
    assert caught.value.where == f"{SESSION}:{line_of(scratch_root, SESSION, 'hour: 6')}"
    assert caught.value.hint == "did you mean 'hours'?"


def test_warnings_do_not_stop_loading(scratch_root):
    edit(scratch_root, SESSION, "hours: 6", "hours: 12")
    problems = problems_of(scratch_root)
    assert problems and not any(p.is_error for p in problems)
    assert load_program(scratch_root).achievements["session-design"].hours == 12


# -- schema: keys, types, missing fields -----------------------------------------------------


def test_unknown_key_suggests_the_close_one_and_is_not_also_missing(scratch_root):
    edit(scratch_root, SESSION, "hours: 6", "hour: 6")
    problems = problems_of(scratch_root)
    assert len(problems) == 1
    p = find(problems, "schema", SESSION, line_of(scratch_root, SESSION, "hour: 6"), "unknown key")
    assert p.field == "hour" and p.hint == "did you mean 'hours'?"


def test_unknown_nested_key(scratch_root):
    edit(scratch_root, SESSION, "  passing_standard:", "  pass_standard:")
    problems = problems_of(scratch_root)
    p = find(
        problems,
        "schema",
        SESSION,
        line_of(scratch_root, SESSION, "pass_standard:"),
        "unknown key 'pass_standard'",
        field="assessment.pass_standard",
    )
    assert "passing_standard" in p.hint


def test_site_url_in_issuer_points_to_mkdocs(scratch_root):
    with (scratch_root / ISSUER).open("a") as f:
        f.write("site_url: https://example.org/\n")
    problems = problems_of(scratch_root)
    p = find(
        problems, "schema", ISSUER, line_of(scratch_root, ISSUER, "site_url: https"), "unknown key"
    )
    assert "mkdocs.yml" in p.hint


def test_missing_field(scratch_root):
    edit(scratch_root, WORKSHOP, "level: practitioner\n", "")
    problems = problems_of(scratch_root)
    find(problems, "schema", WORKSHOP, 1, "missing", field="level")


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment"),
    [
        ("hours: 6", "hours: six", "hours", "not a number"),
        ("hours: 6", "hours: 0", "hours", "must be more than 0"),
        ("name: Evidence-Based Session Design", "name: 42", "name", "expected text"),
        ("level: foundation", "level: foundations", "level", "unknown level"),
        ("competencies: [", "competencies: outcome-framing #[", "competencies", "expected a list"),
        ("prerequisites: []", "prerequisites: [Session_Design]", "prerequisites[0]", "valid"),
        ('color: "#1f6f8b"', "color: blue", "color", "not a #rrggbb color"),
        ("price: {amount: 240.00", "price: {amount: 240.005", "price.amount", "decimals"),
        ("price: {amount: 240.00", "price: {amount: -240", "price.amount", "negative"),
        ("price: {amount: 240.00", "price: {amount: '1,240'", "price.amount", "not a number"),
        ("currency: EUR", "currency: EURO", "price.currency", "unknown currency"),
        ("method: applied-project", "method: project", "assessment.method", "unknown method"),
    ],
)
def test_wrong_values(scratch_root, old, new, field, fragment):
    edit(scratch_root, SESSION, old, new)
    problems = problems_of(scratch_root)
    line = line_of(scratch_root, SESSION, new.split("#")[0].strip() if "#" in new else new)
    find(problems, "schema", SESSION, line, fragment, field=field)


def test_lower_case_currency_hint(scratch_root):
    edit(scratch_root, SESSION, "currency: EUR", "currency: eur")
    (p,) = [p for p in problems_of(scratch_root) if p.field == "price.currency"]
    assert p.hint == "write it in upper case: EUR"


def test_unquoted_color_is_a_comment(scratch_root):
    edit(scratch_root, SESSION, 'color: "#1f6f8b"', "color: #1f6f8b")
    problems = problems_of(scratch_root)
    p = find(problems, "schema", SESSION, line_of(scratch_root, SESSION, "color:"), "no value")
    assert "quote" in p.hint


def test_attendance_is_not_an_assessment(scratch_root):
    edit(scratch_root, SESSION, "method: applied-project", "method: attendance")
    problems = problems_of(scratch_root)
    p = find(problems, "assessed", SESSION, line_of(scratch_root, SESSION, "attendance"), "not an")
    assert p.is_error


def test_bad_file_name(scratch_root):
    (scratch_root / SESSION).rename(scratch_root / "program/achievements/Session Design.yml")
    problems = problems_of(scratch_root)
    p = find(problems, "schema", "program/achievements/Session Design.yml", 0, "not a valid")
    assert "session-design.yml" in p.hint


def test_requirement_group_shapes(scratch_root):
    edit(scratch_root, PATHWAY, "  - all: [", "  - any: [")
    edit(scratch_root, PATHWAY, "at_least: 2", "at_least: 0")
    problems = problems_of(scratch_root)
    find(problems, "schema", PATHWAY, line_of(scratch_root, PATHWAY, "- any:"), "not a requirement")
    find(
        problems,
        "schema",
        PATHWAY,
        line_of(scratch_root, PATHWAY, "at_least: 0"),
        "at least 1",
        field="requires[1].at_least",
    )


def test_credit_percent_range(scratch_root):
    edit(scratch_root, PATHWAY, "credit_percent: 20", "credit_percent: 120")
    problems = problems_of(scratch_root)
    find(problems, "schema", PATHWAY, line_of(scratch_root, PATHWAY, "credit_percent"), "between")


def test_logo_must_exist_under_docs_dir(scratch_root):
    with (scratch_root / ISSUER).open("a") as f:
        f.write("logo: images/logo.svg\n")
    problems = problems_of(scratch_root)
    find(problems, "schema", ISSUER, line_of(scratch_root, ISSUER, "logo:"), "site_src/images/logo")
    (scratch_root / "site_src/images").mkdir(parents=True)
    (scratch_root / "site_src/images/logo.svg").write_text("<svg/>")
    assert load_program(scratch_root).issuer.logo == "images/logo.svg"


def test_issuer_email_and_url(scratch_root):
    edit(scratch_root, ISSUER, "credentials@northwind-lab.example", "credentials at northwind")
    edit(scratch_root, ISSUER, "url: https://northwind-lab.example/", "url: northwind-lab.example")
    problems = problems_of(scratch_root)
    find(problems, "schema", ISSUER, line_of(scratch_root, ISSUER, "email:"), "not an email")
    find(problems, "schema", ISSUER, line_of(scratch_root, ISSUER, "url:"), "not an absolute")


# -- schema: ids -----------------------------------------------------------------------------


def test_unknown_achievement_in_pathway(scratch_root):
    edit(scratch_root, PATHWAY, "[session-design,", "[sesion-design,")
    problems = problems_of(scratch_root)
    assert len(problems) == 1, "\n".join(map(str, problems))
    p = find(
        problems,
        "schema",
        PATHWAY,
        line_of(scratch_root, PATHWAY, "sesion-design"),
        "unknown achievement 'sesion-design'",
        field="requires[0].all[0]",
    )
    assert p.hint == "did you mean 'session-design'?"
    assert str(p).startswith(f"{PATHWAY}:{p.source.line}: requires[0].all[0]: unknown achievement")


def test_unknown_achievement_without_a_close_match(scratch_root):
    edit(scratch_root, PATHWAY, "decision-workshops,", "sql-basics, decision-workshops,")
    problems = problems_of(scratch_root)
    p = find(
        problems, "schema", PATHWAY, line_of(scratch_root, PATHWAY, "sql-basics"), "sql-basics"
    )
    assert p.field == "requires[1].of[1]"
    assert p.hint == "add program/achievements/sql-basics.yml, or remove it from the pathway"


def test_unknown_competency_and_prerequisite(scratch_root):
    edit(scratch_root, WORKSHOP, "[stakeholder-contracting,", "[stakeholder-contract,")
    edit(scratch_root, WORKSHOP, "prerequisites: [session-design]", "prerequisites: [session]")
    problems = problems_of(scratch_root)
    find(
        problems,
        "schema",
        WORKSHOP,
        line_of(scratch_root, WORKSHOP, "competencies:"),
        "unknown competency 'stakeholder-contract'",
        field="competencies[0]",
    )
    find(
        problems,
        "schema",
        WORKSHOP,
        line_of(scratch_root, WORKSHOP, "prerequisites:"),
        "unknown achievement 'session'",
    )


def test_unknown_certification(scratch_root):
    edit(scratch_root, PATHWAY, "certification: certified-facilitator", "certification: certified")
    problems = problems_of(scratch_root)
    find(problems, "schema", PATHWAY, line_of(scratch_root, PATHWAY, "certification:"), "unknown")


def test_duplicate_competency_id(scratch_root):
    with (scratch_root / COMPETENCIES).open("a") as f:
        f.write(
            "\n- id: outcome-framing\n  name: Again\n  description: Again.\n"
            "  domain: Design\n  kind: skill\n"
        )
    problems = problems_of(scratch_root)
    second = line_of(scratch_root, COMPETENCIES, "id: outcome-framing", nth=2)
    p = find(problems, "schema", COMPETENCIES, second, "duplicate competency id")
    assert f"line {line_of(scratch_root, COMPETENCIES, 'id: outcome-framing')}" in p.message


def test_duplicate_ids_in_a_list_and_duplicate_keys(scratch_root):
    edit(scratch_root, SESSION, "[outcome-framing,", "[outcome-framing, outcome-framing,")
    edit(scratch_root, SESSION, "hours: 6", "hours: 6\nhours: 7")
    problems = problems_of(scratch_root)
    find(problems, "schema", SESSION, line_of(scratch_root, SESSION, "competencies:"), "twice")
    find(problems, "schema", SESSION, line_of(scratch_root, SESSION, "hours: 7"), "given twice")


def test_duplicate_achievement_file(scratch_root):
    text = (scratch_root / SESSION).read_text()
    (scratch_root / "program/achievements/session-design.yaml").write_text(text)
    problems = problems_of(scratch_root)
    find(problems, "schema", "program/achievements/session-design.yml", 0, "defined twice")


def test_mixed_currencies(scratch_root):
    edit(scratch_root, WORKSHOP, "currency: EUR", "currency: USD")
    problems = problems_of(scratch_root)
    p = find(problems, "schema", WORKSHOP, line_of(scratch_root, WORKSHOP, "price:"), "USD")
    assert p.is_error and "prices in EUR" in p.message


def test_domain_spelled_two_ways(scratch_root):
    edit(scratch_root, COMPETENCIES, "domain: Evaluation", "domain: evaluation")
    problems = problems_of(scratch_root)
    find(
        problems,
        "schema",
        COMPETENCIES,
        line_of(scratch_root, COMPETENCIES, "domain: evaluation"),
        "only in case",
    )


# -- keys.yml --------------------------------------------------------------------------------


def write_keys(root: Path, body: str) -> None:
    (root / KEYS).write_text(body, encoding="utf-8")


def test_keys_load(scratch_root):
    write_keys(
        scratch_root,
        f"keys:\n"
        f"- id: key-2025-01-01\n  publicKeyMultibase: {multikey(1)}\n  created: 2025-01-01\n"
        f"  retired:\n    at: '2026-01-01T12:00:00+01:00'\n    reason: rotated\n"
        f"- id: key-2026-01-01\n  publicKeyMultibase: {multikey(2)}\n"
        f"  created: 2026-01-01T10:00:00Z\n",
    )
    keys = load_program(scratch_root).issuer.keys
    assert [k.id for k in keys] == ["key-2025-01-01", "key-2026-01-01"]
    assert keys[0].created == datetime(2025, 1, 1, tzinfo=UTC)  # a date means 00:00 UTC
    assert keys[0].retired_at == datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert keys[0].retired_reason == "rotated"
    assert keys[1].created == datetime(2026, 1, 1, 10, tzinfo=UTC) and keys[1].retired_at is None
    assert keys[1].source.line == 8


def test_bad_keys_are_all_reported(scratch_root):
    write_keys(
        scratch_root,
        f"keys:\n"
        f"- id: key-1\n  publicKeyMultibase: z6MkNotAKey\n  created: 2026-01-01T10:00:00\n"
        f"- id: key-1\n  publicKeyMultibase: {multikey(3)}\n  created: 2026-01-01T10:00:00Z\n"
        f"  retired: {{at: 2025-01-01T00:00:00Z, reason: lost}}\n",
    )
    program, problems = check_program(scratch_root)
    assert program is None
    find(
        problems, "schema", KEYS, 3, "not an Ed25519 public key", field="keys[0].publicKeyMultibase"
    )
    find(problems, "schema", KEYS, 4, "without a timezone", field="keys[0].created")
    find(problems, "schema", KEYS, 5, "duplicate key id 'key-1'")
    find(problems, "schema", KEYS, 8, "retired after it was created")


def test_secret_key_is_refused(scratch_root):
    write_keys(
        scratch_root,
        "keys:\n- id: key-1\n"
        # the W3C vector's published secret key, put where a public key belongs
        "  publicKeyMultibase: z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq\n"
        "  created: 2026-01-01T10:00:00Z\n",
    )
    problems = problems_of(scratch_root)
    p = find(problems, "schema", KEYS, 3, "Multikey")
    assert "never put a secret key here" in p.hint
