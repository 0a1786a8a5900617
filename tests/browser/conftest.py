"""Real headless Chromium (Debian's) against the demo site, built once and served on 127.0.0.1.

The site is a scratch copy of the demo registry; tampered copies of credentials are added to the
built site as extra credential folders, exactly as an attacker would serve them.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser_support import (  # noqa: F401 - re-exported for the browser tests
    CERTIFICATION,
    CERTIFICATION_EMAIL,
    EXPIRED,
    FINAL,
    REVOKED,
    SUSPENDED,
    TAMPERS,
    VALID,
    QuietHandler,
    _tampers,
    final_status,
    served,
)
from support import REPO


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The demo site, built once, plus tampered credential folders."""
    work = tmp_path_factory.mktemp("browser-site")
    root = work / "registry"
    root.mkdir()
    for name in ("program", "issued", "site_src"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(work / "site")],
        cwd=root,
        check=True,
        env=env,
        capture_output=True,
    )
    site = work / "site"
    source = site / "credentials" / VALID
    original = json.loads((source / "credential.json").read_text())
    for name, mutate in TAMPERS.items():
        target = site / "credentials" / f"tampered-{name}"
        shutil.copytree(source, target)
        doc = copy.deepcopy(original)
        mutate(doc)
        (target / "credential.json").write_text(json.dumps(doc, indent=2))
    return site


@pytest.fixture(scope="session")
def baked(tmp_path_factory) -> Path:
    """badge.png and badge.svg of the demo's expired credential, made by `credstack badge`."""
    out = tmp_path_factory.mktemp("baked")
    subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(REPO), "badge", EXPIRED, "-o", str(out)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def server(site_dir):
    """http://127.0.0.1:PORT/ serving the built site (loopback only)."""
    with served(site_dir) as url:
        yield url


@pytest.fixture
def serve():
    """serve(folder) -> its URL on 127.0.0.1, for as long as the test runs."""
    with contextlib.ExitStack() as stack:
        yield lambda folder: stack.enter_context(served(folder))


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    return pg
