"""Shared fixtures: the read-only demo registry and a writable scratch copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def demo_root() -> Path:
    """The repository root: the committed demo registry. Read it, never write it."""
    return REPO


@pytest.fixture
def scratch_root(tmp_path: Path) -> Path:
    """A writable copy of the demo (program/, issued/, mkdocs.yml, site_src/) in ``tmp_path``."""
    for folder in ("program", "issued", "site_src"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, tmp_path / folder)
        else:
            (tmp_path / folder).mkdir()
    shutil.copy2(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path
