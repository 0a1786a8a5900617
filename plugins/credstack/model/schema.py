"""Validation against the shipped OB 3.0 AchievementCredential JSON Schema (draft 2019-09).

The schema file is package data (a reference copy, see ../shared/schemas/README.md): validation
never fetches anything.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator

SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"


@cache
def _validator() -> Draft201909Validator:
    text = resources.files("credstack.model").joinpath("schemas", SCHEMA_FILE).read_text("utf-8")
    return Draft201909Validator(json.loads(text))


def schema_errors(credential: Any) -> list[str]:
    """Every OB 3.0 schema violation of ``credential`` as 'path: message', sorted; [] if valid."""
    found = []
    for error in _validator().iter_errors(credential):
        path = "/".join(str(p) for p in error.absolute_path) or "(root)"
        found.append(f"{path}: {error.message}")
    return sorted(found)
