"""The program folder: where each file of a program lives, and the state of one read of it.

:class:`ProgramReader` is what the readers of each file kind (``issuer``, ``competencies``,
``achievements``, ``pathways``, ``assessors``) share: the registry root, the problems found so
far, and the ids that exist but failed their checks. Files and keys are described in
``site_src/program-format.md``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from credstack.errors import ProgramError
from credstack.model.problems import ProblemList
from credstack.model.program import Source
from credstack.registry.program.document import SLUG
from credstack.registry.yamlio import read_yaml

MKDOCS_FILE = "mkdocs.yml"
ISSUER_FILE = "program/issuer.yml"
KEYS_FILE = "program/keys.yml"
COMPETENCIES_FILE = "program/competencies.yml"
ACHIEVEMENTS_DIR = "program/achievements"
PATHWAYS_DIR = "program/pathways"
ASSESSORS_FILE = "program/assessors.yml"
YAML_SUFFIXES = (".yml", ".yaml")


class ProgramReader:
    """One read of the program under ``root``: where problems go and what failed to load."""

    def __init__(self, root: Path, problems: ProblemList):
        self.root = root
        self.problems = problems
        #: ids of competencies, achievements and pathways that exist but failed their checks:
        #: the design checks skip them instead of reporting them as unknown.
        self.unloaded: set[str] = set()
        self.docs_dir = "docs"
        self.competencies_failed = False

    def read(self, rel: str, *, lenient: bool = False) -> tuple[Any, bool]:
        """(the parsed file, True), or (None, False) when it cannot be read (problems recorded)."""
        try:
            return read_yaml(self.root, rel, lenient=lenient), True
        except ProgramError as e:
            self.problems.extend(e.problems)
            return None, False

    def yaml_files(self, folder: str, what: str) -> list[tuple[str, str]]:
        """(id, relative path) of each YAML file in ``folder``, reporting bad names."""
        directory = self.root / folder
        if not directory.is_dir():
            self.problems.error(
                Source(folder),
                "",
                "folder not found",
                f"add {folder}/<id>.yml for each {what}",
            )
            return []
        result: list[tuple[str, str]] = []
        seen: dict[str, str] = {}
        for path in sorted(directory.iterdir()):
            rel = f"{folder}/{path.name}"
            if path.name.startswith(".") or not path.is_file():
                continue
            if path.suffix not in YAML_SUFFIXES:
                self.problems.warning(
                    Source(rel), "", "ignored: not a .yml file", f"only {what} files belong here"
                )
                continue
            stem = path.stem
            if not SLUG.match(stem):
                self.problems.error(
                    Source(rel),
                    "",
                    f"'{path.name}' is not a valid {what} id",
                    f"rename it to {re.sub('[^a-z0-9-]+', '-', stem.lower()).strip('-')}.yml: "
                    "ids are lower-case letters, digits and hyphens",
                )
                continue
            if stem in seen:
                self.problems.error(
                    Source(rel),
                    "",
                    f"{what} '{stem}' is defined twice (also in {seen[stem]})",
                    "keep one of the two files",
                )
                continue
            seen[stem] = rel
            result.append((stem, rel))
        return result
