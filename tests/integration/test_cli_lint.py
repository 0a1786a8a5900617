"""`credstack lint` and `credstack map` through the installed console command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PATHWAY = "program/pathways/facilitator-pathway.yml"
SESSION = "program/achievements/session-design.yml"


def credstack(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("credstack", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "credstack.cli"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("CREDSTACK_ROOT", None)
    return subprocess.run(
        [*command, "-C", str(root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_demo_passes_lint_strict(demo_root):
    run = credstack(demo_root, "lint", "--strict")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("0 errors, 0 warnings")


def test_errors_print_compiler_style_and_exit_1(scratch_root):
    edit(scratch_root, PATHWAY, "[session-design,", "[sesion-design,")
    edit(scratch_root, SESSION, "hours: 6", "hours: 12")
    run = credstack(scratch_root, "lint")
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    hours = line_of(scratch_root, SESSION, "hours: 12")
    requires = line_of(scratch_root, PATHWAY, "sesion-design")
    assert lines == [
        f"warning: {SESSION}:{hours}: hours: 12 h is outside the usual 4–8 h for a foundation"
        " [hours]",
        "  hint: adjust the hours, or reconsider the level",
        f"error: {PATHWAY}:{requires}: requires[0].all[0]: unknown achievement 'sesion-design'"
        " [schema]",
        "  hint: did you mean 'session-design'?",
        "1 error, 1 warning",
    ]
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(("strict", "code"), [((), 0), (("--strict",), 1)])
def test_warnings_fail_only_with_strict(scratch_root, strict, code):
    edit(scratch_root, SESSION, "hours: 6", "hours: 12")
    run = credstack(scratch_root, "lint", *strict)
    assert run.returncode == code
    assert "0 errors, 1 warning" in run.stdout.splitlines()[-1]


@pytest.mark.parametrize(
    ("rel", "text", "line", "fragment"),
    [
        (SESSION, "name: [unclosed\nlevel: foundation\n", 2, "invalid YAML"),
        ("program/competencies.yml", "just: a mapping\n", 1, "expected a list of competencies"),
    ],
)
def test_bad_yaml_is_one_line_with_file_and_line(scratch_root, rel, text, line, fragment):
    (scratch_root / rel).write_text(text, encoding="utf-8")
    run = credstack(scratch_root, "lint")
    assert run.returncode == 1
    errors = [x for x in run.stdout.splitlines() if x.startswith("error: ")]
    assert len(errors) == 1, run.stdout
    assert errors[0].startswith(f"error: {rel}:{line}: ") and fragment in errors[0]
    assert "Traceback" not in run.stdout + run.stderr


def test_missing_file_is_one_error(scratch_root):
    (scratch_root / "program/issuer.yml").unlink()
    run = credstack(scratch_root, "lint")
    assert run.returncode == 1
    assert run.stdout.splitlines()[0] == "error: program/issuer.yml: file not found [schema]"
    assert run.stdout.splitlines()[-1] == "1 error, 0 warnings"


def test_map_shows_matrix_and_pathway_tree(demo_root):
    run = credstack(demo_root, "map")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for aid, name in [
        ("session-design", "Evidence-Based Session Design"),
        ("facilitation-fundamentals", "Group Facilitation Fundamentals"),
        ("evaluation-essentials", "Facilitation Evaluation Essentials"),
        ("workshop-design", "Workshop Design Practitioner"),
        ("decision-workshops", "Decision Workshop Facilitator"),
        ("impact-evaluation", "Facilitation Impact Evaluator"),
        ("certified-facilitator", "Certified Evidence-Based Facilitator"),
    ]:
        assert aid in out and name in out
    assert "facilitator-pathway" in out and "Facilitator Pathway" in out
    assert "at least 2 of" in out and "all of" in out and "capstone" in out
    for domain in ("Design", "Facilitation", "Evaluation"):
        assert f"\n{domain}\n" in out
    # the matrix row of a competency marks exactly the achievements that verify it
    row = next(x for x in out.splitlines() if x.strip().startswith("engagement-leadership"))
    assert row.count("●") == 1
    assert "requires F" in out  # practitioners show the foundation they build on


def test_map_refuses_a_broken_program_with_a_hint(scratch_root):
    edit(scratch_root, PATHWAY, "[session-design,", "[sesion-design,")
    run = credstack(scratch_root, "map")
    assert run.returncode == 1
    assert run.stderr.startswith(f"error: {PATHWAY}:")
    assert "hint:" in run.stderr and "Traceback" not in run.stderr
