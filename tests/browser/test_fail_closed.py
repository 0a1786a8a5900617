"""The page fails closed like the CLI: a revocation or suspension list that is missing,
unreadable, signed by a foreign key or another issuer, or out of date gives `error`, never
"Verified" (the CLI side: tests/unit/registry/test_status_fail_closed.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from browser_support import final_status
from credstack.registry.registry import Registry
from status_faults import FAULTS
from support import at as date
from support import award_with_prerequisites, expiring_micro, scratch_registry

pytestmark = pytest.mark.browser
DAY = date("2026-03-02T09:00")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A one-credential registry signed with the TEST key, built into a site."""
    work = tmp_path_factory.mktemp("fail-closed")
    root = scratch_registry(work)
    aid = expiring_micro(Registry(root).program)
    cred = award_with_prerequisites(root, aid, name="Ada", email="ada@example.org", when=DAY)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(work / "site")],
        cwd=root,
        check=True,
        capture_output=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return root, work / "site", cred.cid


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_page_rejects_untrustworthy_status_list_as_error(
    built, serve, page, tmp_path, purpose, fault
):
    root, site, cid = built
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    path = copy / "status" / f"{purpose}-1.json"
    damage, _ = FAULTS[fault]
    damage(path, json.loads(path.read_text()), Registry(root))
    base = serve(copy)
    page.goto(f"{base}credentials/{cid}/")
    assert final_status(page) == "error"
    text = page.inner_text("#credential-verification")
    assert "revocation status could not be checked" in text, text


def test_page_verifies_the_untouched_site(built, serve, page):
    _, site, cid = built
    page.goto(f"{serve(site)}credentials/{cid}/")
    assert final_status(page) == "verified"
