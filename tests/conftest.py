"""Shared fixtures: the read-only demo registry and a writable scratch copy of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: `credstack init` writes requirements.txt from where credstack was installed; a checkout with
#: no public origin has to say (tests/integration/test_init_install.py installs a real one).
os.environ.setdefault(
    "CREDSTACK_SOURCE",
    "git+https://github.com/credstack/credstack@" + "0123456789abcdef" * 2 + "01234567",
)


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


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through Playwright, one per test session.

    Missing Chromium skips on a developer machine and fails in CI, where .ci/run installs it.
    """
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run must install it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser/ drives Chromium: mark it, so `-m "not browser"` skips it."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
