"""Read ``program/*.yml`` and ``mkdocs.yml`` into a checked :class:`Program`.

The loader checks the *shape* of every file (types, keys, ids, amounts, dates) and keeps going
after each problem so that one run reports everything; ``credstack.model.lint`` then checks the
*design* of what could be loaded. Files and keys are described in ``site_src/program-format.md``.

The package reads one file kind a module: ``issuer`` (``mkdocs.yml``, ``program/issuer.yml``,
``program/keys.yml``), ``competencies``, ``achievements`` (with assessments, prices and renewal
rules), ``pathways`` and ``assessors``, each on :class:`~.document.ProgramFile` (one file's
values, checked with their lines) and :class:`~.reader.ProgramReader` (the folder and the
problems found so far).
"""

from __future__ import annotations

from pathlib import Path

from credstack.errors import ProgramError
from credstack.model.lint import lint
from credstack.model.problems import Problem, ProblemList, sort_problems
from credstack.model.program import Issuer, Program, Source
from credstack.registry.program.achievements import read_achievements
from credstack.registry.program.assessors import read_assessors
from credstack.registry.program.competencies import read_competencies
from credstack.registry.program.issuer import read_issuer, read_site_url
from credstack.registry.program.pathways import read_pathways
from credstack.registry.program.reader import (
    ACHIEVEMENTS_DIR,
    ASSESSORS_FILE,
    COMPETENCIES_FILE,
    ISSUER_FILE,
    KEYS_FILE,
    MKDOCS_FILE,
    PATHWAYS_DIR,
    ProgramReader,
)

__all__ = [
    "ACHIEVEMENTS_DIR",
    "ASSESSORS_FILE",
    "COMPETENCIES_FILE",
    "ISSUER_FILE",
    "KEYS_FILE",
    "MKDOCS_FILE",
    "PATHWAYS_DIR",
    "check_program",
    "load_program",
]


def load_program(root: Path) -> Program:
    """Read and check the program under ``root``; return it.

    Raises ProgramError (with every problem in ``.problems``) when any check reports an error;
    warnings alone do not prevent loading.
    """
    program, problems = check_program(root)
    errors = [p for p in problems if p.is_error]
    if program is not None and not errors:
        return program
    first = errors[0]
    if len(errors) == 1:
        field = f"{first.field}: " if first.field else ""
        raise ProgramError(
            field + first.message, where=str(first.source), hint=first.hint, problems=problems
        )
    raise ProgramError(
        f"{len(errors)} errors in the program definition, the first: {first.headline}",
        hint="run `credstack lint` to list them all",
        problems=problems,
    )


def check_program(root: Path) -> tuple[Program | None, list[Problem]]:
    """Read the program under ``root`` and run every check; never raises for a bad program.

    Returns the program (None when ``mkdocs.yml`` or ``program/issuer.yml`` is unusable) and every
    problem found (schema and design), sorted by file and line. Achievements are ordered by level,
    then id; pathways by id; competencies as written.
    """
    problems = ProblemList()
    reader = ProgramReader(Path(root), problems)
    program, complete = _read_program(reader)
    problems.extend(lint(program, unloaded=reader.unloaded))
    return (program if complete else None), sort_problems(problems)


def _read_program(reader: ProgramReader) -> tuple[Program, bool]:
    """(program, complete): the program is complete when site_url and issuer are usable."""
    if not (reader.root / "program").is_dir():
        reader.problems.error(
            Source("program/"),
            "",
            f"no program/ folder in {reader.root}",
            "run credstack from the registry root (with mkdocs.yml), or pass -C PATH",
        )
        return Program(site_url="", issuer=Issuer("", "", "", "")), False
    site_url = read_site_url(reader)
    issuer = read_issuer(reader)
    competencies = read_competencies(reader)
    achievements = read_achievements(reader)
    pathways = read_pathways(reader)
    assessors = read_assessors(reader)
    if not (reader.root / ACHIEVEMENTS_DIR).is_dir():
        # The missing folder is reported once: no reference to an achievement is "unknown".
        for a in achievements.values():
            reader.unloaded.update(a.prerequisites)
        for p in pathways.values():
            reader.unloaded.update([p.certification, *p.components()])
    if reader.competencies_failed:
        # Every competency reference would be "unknown": report the file, not each use.
        reader.unloaded.update(c for a in achievements.values() for c in a.competencies)
    program = Program(
        site_url=site_url or "",
        issuer=issuer or Issuer(name="", url="", email="", description=""),
        competencies=competencies,
        achievements=achievements,
        pathways=pathways,
        assessors=assessors,
    )
    return program, site_url is not None and issuer is not None
