"""Real headless Chromium (Debian's) against the demo site, built once and served on 127.0.0.1.

The site is a scratch copy of the demo registry; tampered copies of credentials are added to the
built site as extra credential folders, exactly as an attacker would serve them.
"""

from __future__ import annotations

import copy
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from support import REPO

FINAL = ("verified", "expired", "revoked", "suspended", "invalid", "error")

# One signed credential per demo state (the demo registry is committed; see issued/).
VALID = "2025-zhwnhhb4ze"
REVOKED = "2025-yobw6iq4ko"
SUSPENDED = "2025-ybhwoh3ffh"
EXPIRED = "2023-4bfqhms7xn"
CERTIFICATION = "2026-7c4pmls34z"
CERTIFICATION_EMAIL = "amara.okafor@example.org"  # fictional recipient of the demo


def _tampers() -> dict:
    """Each kind of change from the Signed credentials issue, as a function on the JSON."""

    def flip(d):
        value = d["proof"][0]["proofValue"]
        d["proof"][0]["proofValue"] = value[:-4] + ("2" if value[-4] != "2" else "3") + value[-3:]

    return {
        "subject-swapped": lambda d: d["credentialSubject"]["identifier"][1].update(
            identityHash="Mallory"
        ),
        "achievement-changed": lambda d: d["credentialSubject"]["achievement"].update(
            name="Grand Master Facilitator"
        ),
        "dates-moved": lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
        "proof-value-altered": flip,
        "unsigned-property-added": lambda d: d["credentialSubject"].update(creditsEarned=99),
        "unsigned-top-level-property": lambda d: d.update(awardedTo="Mallory"),
        "context-changed": lambda d: d["@context"].pop(),
        "issuer-changed": lambda d: d["issuer"].update(name="Someone Else"),
        "key-swapped": lambda d: d["proof"][0].update(
            verificationMethod="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
            "#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
        ),
    }


TAMPERS = _tampers()


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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="session")
def server(site_dir):
    """http://127.0.0.1:PORT/ serving the built site (loopback only)."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


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


def final_status(page, timeout: float = 20_000) -> str:
    """Wait for the in-browser verifier's final data-status and return it."""
    page.wait_for_function(
        """(final) => {
            const el = document.getElementById('credential-verification');
            return el && el.dataset.checked === 'browser' && final.includes(el.dataset.status);
        }""",
        arg=list(FINAL),
        timeout=timeout,
    )
    return page.get_attribute("#credential-verification", "data-status")
