"""The credential page in real Chromium: what needs a script (sharing, badge images made in the
browser, status lists verified once) and what must not (reading it with JavaScript off)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image

from browser_support import served
from conftest import EXPIRED, REVOKED, VALID, final_status
from credstack.model.sharing import linkedin_url
from credstack.registry.registry import Registry
from support import REPO


def credstack_verify(*paths: Path) -> list[dict]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "credstack.cli",
            "-C",
            str(REPO),
            "verify",
            "--json",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return json.loads(result.stdout)


def test_linkedin_link_carries_every_field_once_verified(page, server):
    registry = Registry(REPO)
    view = registry.credentials[VALID]
    page.goto(f"{server}credentials/{VALID}/")
    assert final_status(page) == "verified"
    href = page.get_attribute("#share-actions a.cs-linkedin", "href")
    parts = urlsplit(href)
    assert (parts.netloc, parts.path) == ("www.linkedin.com", "/profile/add")
    expected = {
        "startTask": "CERTIFICATION_NAME",
        "name": view.raw["credentialSubject"]["achievement"]["name"],
        "organizationName": registry.program.issuer.name,
        "issueYear": str(view.valid_from.astimezone(UTC).year),
        "issueMonth": str(view.valid_from.astimezone(UTC).month),
        "certUrl": registry.urls.credential(VALID),
        "certId": VALID,
    }
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == expected
    # The same link as the one credstack notify mails (one home for its fields and encoding).
    assert href == linkedin_url(
        name=expected["name"],
        organization=expected["organizationName"],
        issued=view.valid_from,
        expires=view.valid_until,
        cert_url=expected["certUrl"],
        cert_id=VALID,
    )
    snippet = page.inner_text(".cs-snippet")
    assert snippet.startswith(f'<a href="{registry.urls.credential(VALID)}"><img src="')
    assert f'{registry.urls.credential(VALID)}badge.png"' in snippet
    assert page.errors == []


@pytest.mark.parametrize("cid", [REVOKED, EXPIRED])
def test_no_sharing_for_a_credential_not_in_force(page, server, cid):
    page.goto(f"{server}credentials/{cid}/")
    assert final_status(page) in ("revoked", "expired")
    assert page.locator("#share-actions a").count() == 0
    assert page.locator(".cs-snippet").count() == 0


def download(page, kind: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click(f"button[data-bake={kind}]")
    target = folder / f"badge.{kind}"
    info.value.save_as(str(target))
    return target


def test_badge_svg_made_in_the_page_is_credstack_badges_byte_for_byte(
    browser, server, baked, tmp_path
):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}credentials/{EXPIRED}/")
    final_status(page)
    assert page.eval_on_selector_all("button[data-bake]", "b => b.map(x => x.dataset.bake)") == [
        "svg"
    ]  # the site publishes badge.png itself
    svg = download(page, "svg", tmp_path)
    context.close()
    assert svg.read_bytes() == (baked / "badge.svg").read_bytes()


@pytest.fixture(scope="module")
def lean_server(site_dir, tmp_path_factory):
    """The demo built with lean: true, served on 127.0.0.1."""

    work = tmp_path_factory.mktemp("lean-site")
    root = work / "registry"
    root.mkdir()
    for name in ("program", "issued", "site_src"):
        shutil.copytree(REPO / name, root / name)
    text = (REPO / "mkdocs.yml").read_text("utf-8")
    (root / "mkdocs.yml").write_text(
        re.sub(r"(?m)^  - credstack$", "  - credstack:\n      lean: true", text), "utf-8"
    )
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(work / "site")],
        cwd=root,
        check=True,
        capture_output=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    with served(work / "site") as url:
        yield url


@pytest.mark.parametrize(("cid", "status"), [(VALID, "verified"), (REVOKED, "revoked")])
def test_lean_pages_make_badges_that_verify_and_scan(browser, lean_server, tmp_path, cid, status):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{lean_server}credentials/{cid}/")
    assert final_status(page) == status
    png = download(page, "png", tmp_path)
    svg = download(page, "svg", tmp_path)
    # Both verify with credstack verify, as the credential itself does.
    assert [r["status"] for r in credstack_verify(png, svg)] == [status, status]
    # The QR code is the credential's page.
    url = Registry(REPO).urls.credential(cid)
    assert [b.text for b in zxingcpp.read_barcodes(Image.open(png))] == [url]
    # And the page's own verifier takes them back (the verify page).
    page.goto(f"{lean_server}verify/")
    page.set_input_files("#cs-verify-file", str(png))
    assert final_status(page) == status
    context.close()
    assert errors == []


def test_status_lists_are_verified_once_then_reused_on_the_next_page(context, server):
    page = context.new_page()
    page.goto(f"{server}credentials/{VALID}/")
    assert final_status(page) == "verified"
    keys = page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('credstack:status-list-ok:'))"
    )
    assert len(keys) == 2  # the revocation list and its suspension companion
    signatures = page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('credstack:signature-ok:'))"
    )
    assert len(signatures) == 3  # the credential's and the two lists'
    # The next page reads its own bit from the same lists: still revoked.
    page.goto(f"{server}credentials/{REVOKED}/")
    assert final_status(page) == "revoked"
    # A kept verdict stands for that content only: a list changed on the server is verified
    # again (and a forged one fails, see verifier/test/status-cache.test.js).
    page.evaluate("() => localStorage.clear()")
    page.goto(f"{server}credentials/{VALID}/")
    assert final_status(page) == "verified"


def test_every_document_the_verifier_reads_is_loading_before_it_starts(page, server):
    """The page script starts the loads of the credential, contexts, keys and every status list
    (the suspension companion too) from <head>, as the build named them, so the verifier finds
    them on its way: each request starts before the verification does."""
    page.goto(f"{server}credentials/{VALID}/")
    assert final_status(page) == "verified"
    started, requests = page.evaluate(
        """() => [performance.getEntriesByName('credstack:verify-start')[0].startTime,
                  performance.getEntriesByType('resource')
                      .filter((r) => r.initiatorType === 'fetch')
                      .map((r) => [new URL(r.name).pathname.split('/').pop(), r.startTime])]"""
    )
    names = {name for name, _ in requests}
    assert {"credential.json", "contexts.json", "did.json"} <= names
    assert {"revocation-1.json", "suspension-1.json"} <= names
    late = [name for name, at in requests if name != "log.json" and at >= started]
    assert late == []


def test_the_page_reads_complete_with_javascript_off(browser, server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{server}credentials/{REVOKED}/")
    banner = page.locator("#credential-verification")
    assert banner.is_visible()
    assert "Revoked by the issuer on" in banner.inner_text()
    text = page.inner_text("main")
    for fact in ("Northwind Facilitation Lab", "Valid until", "Status", "Revoked"):
        assert fact in text
    # On a phone's first screen: the verdict first, then who holds it and who says so, and
    # what the holder can do.
    assert banner.bounding_box()["y"] < 200
    for selector in (".cs-holder", ".cs-can"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 844, selector
    context.close()


def test_the_verify_page_keeps_no_verdicts(context, server):
    """/verify/ checks credentials from anywhere, and localStorage belongs to the origin (which
    other sites may share): it neither reads nor keeps verdicts there."""
    page = context.new_page()
    page.goto(f"{server}verify/")
    page.set_input_files(
        "#cs-verify-file", str(next((REPO / "issued" / "credentials").rglob(f"{VALID}.json")))
    )
    assert final_status(page) == "verified"
    kept = page.evaluate(
        "() => Object.keys(localStorage).filter((k) => /^credstack:[a-z-]+-ok:/.test(k))"
    )
    assert kept == []
