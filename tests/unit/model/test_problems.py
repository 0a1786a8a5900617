"""Problem formatting, ordering and counting."""

from __future__ import annotations

from credstack.model.problems import Problem, ProblemList, did_you_mean, sort_problems, summary
from credstack.model.program import Source


def test_problem_prints_compiler_style_with_a_hint_line():
    p = Problem(
        "error",
        Source("program/pathways/x.yml", 12),
        "requires[2]",
        "unknown achievement 'sql-basics'",
        "add program/achievements/sql-basics.yml, or remove it from the pathway",
    )
    assert str(p) == (
        "program/pathways/x.yml:12: requires[2]: unknown achievement 'sql-basics'\n"
        "  hint: add program/achievements/sql-basics.yml, or remove it from the pathway"
    )
    assert p.is_error and p.check == "schema"


def test_problem_without_field_line_or_hint():
    p = Problem("warning", Source("program/issuer.yml"), "", "file not found", check="coverage")
    assert str(p) == "program/issuer.yml: file not found"
    assert not p.is_error


def test_problems_sort_by_file_then_line_and_drop_duplicates():
    found = ProblemList()
    found.warning(Source("b.yml", 3), "x", "later")
    found.error(Source("a.yml", 10), "y", "second")
    found.error(Source("a.yml", 2), "z", "first")
    found.error(Source("a.yml", 2), "z", "first")
    ordered = sort_problems(found)
    assert [(p.source.file, p.source.line) for p in ordered] == [
        ("a.yml", 2),
        ("a.yml", 10),
        ("b.yml", 3),
    ]
    assert len(found.errors) == 3 and len(found.warnings) == 1


def test_summary_counts_and_plurals():
    found = ProblemList()
    assert summary(found) == "0 errors, 0 warnings"
    found.error(Source("a.yml", 1), "", "x")
    found.warning(Source("a.yml", 1), "", "y")
    assert summary(found) == "1 error, 1 warning"
    found.warning(Source("a.yml", 2), "", "z")
    assert summary(found) == "1 error, 2 warnings"


def test_did_you_mean():
    assert did_you_mean("hour", ["hours", "price"]) == "did you mean 'hours'?"
    assert did_you_mean("PRICE", ["hours", "price"]) == "did you mean 'price'?"
    assert did_you_mean("zzz", ["hours", "price"]) is None
    assert did_you_mean(42, ["hours"]) is None
