"""The pathway calculator and the earner page in real Chromium, against the built demo site.

The calculator's figures must equal ``credstack map``'s function (model.pricing.quote) for
every combination of holdings in the demo; a pasted credential link is verified in the page
before it ticks anything; an earner page re-verifies each credential in the browser.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from browser_support import served
from conftest import EXPIRED, REVOKED, VALID
from credstack.model.pricing import micro_members, quote
from credstack.registry.program import load_program
from support import REPO

pytestmark = pytest.mark.browser

PATHWAY = "facilitator-pathway"


def _fields(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#cs-calculator [data-field]')]
            .map((n) => [n.dataset.field, n.textContent.trim()]))"""
    )


def _expected(program, pathway, held) -> dict[str, str]:
    q = quote(program, pathway, held)
    take = ", ".join(program.achievements[a].name for a in q.route.to_take)
    hours = f"{q.route.hours:g} hours"
    return {
        "total": str(q.total),
        "micro": str(q.micro_price),
        "credit": str(q.credit),
        "fee": str(q.certification_fee),
        "hours": hours,
        "bundle": str(q.bundle),
        "take": take or "nothing but the certification",
        "bundle-note": "the bundle costs less" if q.bundle_is_cheaper else "",
        "next": (
            f"Next step: {program.achievements[q.route.to_take[0]].name}. "
            f"Enrol: {program.achievements[q.route.to_take[0]].name}"
            if q.route.to_take
            else f"Next step: the capstone of {program.achievements[pathway.certification].name}."
        ),
    }


def test_the_calculator_quotes_what_map_quotes_for_every_combination(page, server):
    program = load_program(REPO)
    pathway = program.pathways[PATHWAY]
    members = micro_members(program, pathway)
    page.goto(server + f"pathways/{PATHWAY}/")
    page.wait_for_function(
        "() => document.getElementById('cs-calculator').dataset.state === 'ready'"
    )
    boxes = page.locator('#cs-calculator input[name="held"]')
    assert boxes.count() == len(members) == 6
    checked = 0
    for mask in range(1 << len(members)):
        # Gray code: one box changes per step, as a visitor would tick them.
        gray = mask ^ (mask >> 1)
        flip = gray ^ checked
        if flip:
            boxes.nth(flip.bit_length() - 1).click()
        checked = gray
        held = {m for i, m in enumerate(members) if gray >> i & 1}
        assert page.get_attribute("#cs-calculator", "data-mask") == str(gray)
        assert _fields(page) == _expected(program, pathway, held), sorted(held)
    assert page.errors == []
    # And `credstack map --held` prints the same figure for one of them.
    held = ["session-design", "impact-evaluation"]
    out = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(REPO), "map", "--held", ",".join(held)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"step by step for the holdings given: {quote(program, pathway, held).total}" in out


def test_a_pasted_credential_link_is_verified_before_it_is_ticked(page, server):
    page.goto(server + f"pathways/{PATHWAY}/")
    page.wait_for_function(
        "() => document.getElementById('cs-calculator').dataset.state === 'ready'"
    )
    status = "#cs-calculator .cs-calculator__status"
    site = page.get_attribute('meta[name="credstack:site-url"]', "content")

    def paste(cid: str) -> str:
        page.fill("#cs-calculator-url", f"{site}credentials/{cid}/")
        page.click("#cs-calculator-link button[type=submit]")
        page.wait_for_function(
            """(sel) => ['ticked', 'refused', 'error', 'certified'].includes(
                document.querySelector(sel).dataset.state)""",
            arg=status,
            timeout=20_000,
        )
        state = page.get_attribute(status, "data-state")
        page.evaluate("(sel) => { document.querySelector(sel).dataset.state = ''; }", status)
        return state

    assert paste(REVOKED) == "refused"
    assert "Revoked" in page.text_content(status)
    assert paste(EXPIRED) == "refused"
    assert paste("tampered-subject-swapped") in ("refused", "error")
    assert page.get_attribute("#cs-calculator", "data-mask") == "0", "nothing ticked so far"
    assert paste(VALID) == "ticked"  # Amara Okafor's Evidence-Based Session Design
    assert page.is_checked('#cs-calculator input[data-achievement="session-design"]')
    assert page.errors == []


def test_the_calculator_needs_no_inline_script(page, server):
    page.goto(server + f"pathways/{PATHWAY}/")
    csp = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    kind = page.get_attribute("#cs-calculator-data", "type")
    assert kind == "application/json"


@pytest.fixture(scope="module")
def earner_site(tmp_path_factory):
    """A copy of the demo where Tomás Novak (one credential revoked) published his page."""
    import os
    import re
    import shutil

    work = tmp_path_factory.mktemp("earner-site")
    root = work / "registry"
    root.mkdir()
    for name in ("program", "issued", "site_src"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    out = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), "profile", "publish", REVOKED],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    page = re.search(r"/(earners/[a-z2-7]+/)", out).group(1)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(work / "site")],
        cwd=root,
        check=True,
        capture_output=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    with served(work / "site") as url:
        yield url, page


def test_an_earner_page_verifies_each_credential_in_the_browser(page, earner_site):
    base, path = earner_site
    page.goto(base + path)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-cs-live]')]
            .every((n) => n.dataset.status !== 'checking')""",
        timeout=30_000,
    )
    states = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-cs-live]')]
            .map((n) => [n.dataset.csLive.split('/').slice(-2)[0], n.dataset.status]))"""
    )
    assert states[REVOKED] == "revoked"
    assert set(states.values()) == {"verified", "revoked"}, states
    assert "Next step" in page.text_content(".cs-earner")
    assert page.errors == []
