"""The site's hand-written assets are well formed (a merge that cuts a rule in two, or a script
that no longer parses, breaks every page at once)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ASSETS = Path(__file__).resolve().parents[3] / "plugins" / "credstack" / "site" / "assets"


def test_the_stylesheet_braces_balance():
    text = re.sub(r"/\*.*?\*/", "", (ASSETS / "credstack.css").read_text("utf-8"), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"credstack.css:{number}: a '}}' closes nothing"
    assert depth == 0, "credstack.css: a rule is never closed"


@pytest.mark.parametrize("name", ["credstack-page.js", "credstack-holders.js"])
def test_page_scripts_parse(name):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    result = subprocess.run([node, "--check", str(ASSETS / name)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
