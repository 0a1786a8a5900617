"""Fixtures for the integration tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from gate_support import make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A registry with two credentials for one person committed on main; work on branch pr."""
    return make_repo(tmp_path)
