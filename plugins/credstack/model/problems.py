"""Problems found in a program definition, reported compiler style.

A :class:`Problem` says where (file and line), which field, what is wrong and what to do. The
loader (``credstack.registry.program``) and the design checks (``credstack.model.lint``) both
produce them; the CLI prints them sorted, the MkDocs plugin turns the errors into one failure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from credstack.model.program import Source

Severity = Literal["error", "warning"]

#: The named checks, in the order the format documentation describes them.
CHECKS: tuple[str, ...] = (
    "schema",  # file shape: types, keys, ids, references, currencies
    "assessed",  # every achievement is assessed
    "bounded",  # micro-credentials stay small and focused
    "stacking",  # prerequisites and pathways form a sound, reachable ladder
    "coverage",  # competencies are verified, certifications claim what their pathway verifies
    "fit",  # the assessment method fits the kind of competency
    "hours",  # learning hours fit the level
    "pricing",  # bundles and micro-credential prices make sense
)


@dataclass(frozen=True)
class Problem:
    """One finding: ``severity`` "error" or "warning", where, which field, what, and a hint."""

    severity: Severity
    source: Source
    field: str  # path inside the file, e.g. "requires[1].of[0]"; "" for the whole object
    message: str
    hint: str | None = None
    check: str = "schema"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def headline(self) -> str:
        """``file:line: field: message`` (the field is left out when empty)."""
        field = f"{self.field}: " if self.field else ""
        return f"{self.source}: {field}{self.message}"

    def __str__(self) -> str:
        return self.headline + (f"\n  hint: {self.hint}" if self.hint else "")

    def sort_key(self) -> tuple[str, int, str, str, str, str]:
        return (
            self.source.file,
            self.source.line,
            self.field,
            self.message,
            self.severity,
            self.check,
        )


class ProblemList(list[Problem]):
    """A list of problems with shorthands to add errors and warnings."""

    def error(
        self,
        source: Source,
        field: str,
        message: str,
        hint: str | None = None,
        *,
        check: str = "schema",
    ) -> None:
        self.append(Problem("error", source, field, message, hint, check))

    def warning(
        self,
        source: Source,
        field: str,
        message: str,
        hint: str | None = None,
        *,
        check: str = "schema",
    ) -> None:
        self.append(Problem("warning", source, field, message, hint, check))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if not p.is_error]


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """The problems ordered by file, line and field, without exact duplicates."""
    return sorted(set(problems), key=Problem.sort_key)


def summary(problems: Iterable[Problem]) -> str:
    """``"N errors, M warnings"`` (singular when there is one)."""
    problems = list(problems)
    n_err = sum(p.is_error for p in problems)
    n_warn = len(problems) - n_err
    return f"{_plural(n_err, 'error')}, {_plural(n_warn, 'warning')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def closest(word: object, options: Iterable[str]) -> str | None:
    """The option most like ``word`` (ignoring case first), or None when none is close."""
    if not isinstance(word, str):
        return None
    options = list(options)
    same = [o for o in options if o.lower() == word.lower()]
    close = same or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: object, options: Iterable[str]) -> str | None:
    """``"did you mean 'x'?"`` for the option closest to ``word``, or None when none is close."""
    match = closest(word, options)
    return f"did you mean '{match}'?" if match else None
