"""The in-browser verifier in real headless Chromium: credential pages, the verify page, the
recipient check and offline use, against the demo site served on 127.0.0.1."""

import base64

import pytest

from browser_support import (
    CERTIFICATION,
    CERTIFICATION_EMAIL,
    EXPIRED,
    REVOKED,
    SUSPENDED,
    TAMPERS,
    VALID,
    final_status,
)


@pytest.mark.parametrize(
    ("cid", "status", "verdict"),
    [
        (VALID, "verified", "Verified"),
        (REVOKED, "revoked", "Revoked by the issuer on"),
        (SUSPENDED, "suspended", "Suspended by the issuer on"),
        (EXPIRED, "expired", "Verified, but expired on"),
        (CERTIFICATION, "verified", "Verified"),
    ],
)
def test_credential_page_shows_the_browser_verdict(page, server, cid, status, verdict):
    page.goto(f"{server}credentials/{cid}/")
    assert final_status(page) == status
    text = page.inner_text("#credential-verification")
    assert text.strip().lstrip("✓!✗?– ").startswith(verdict)
    assert "Checked in your browser" in text
    assert page.errors == []


def test_revoked_page_gives_the_reason(page, server):
    page.goto(f"{server}credentials/{REVOKED}/")
    final_status(page)
    assert "another candidate's work" in page.inner_text(".cs-verification__verdict")


def test_certification_checks_its_components(page, server):
    page.goto(f"{server}credentials/{CERTIFICATION}/")
    final_status(page)
    item = page.locator(".cs-check--pass", has_text="Component credentials")
    assert "component credentials verified" in item.inner_text()


@pytest.mark.parametrize("kind", sorted(TAMPERS))
def test_tampered_copy_is_invalid(page, server, kind):
    page.goto(f"{server}credentials/tampered-{kind}/")
    assert final_status(page) == "invalid"
    assert (
        page.inner_text(".cs-verification__verdict").strip().lstrip("✗ ").startswith("Not verified")
    )


def test_a_mirror_says_so_without_hiding_the_verdict(page, server):
    page.goto(f"{server}credentials/{VALID}/")
    assert final_status(page) == "verified"
    warning = page.inner_text(".cs-verification__warning")
    assert "not from the issuer's site" in warning


def test_recipient_email_check(page, server):
    page.goto(f"{server}credentials/{CERTIFICATION}/")
    final_status(page)
    form = page.locator(".cs-recipient-check")
    form.locator("input").fill("someone.else@example.org")
    form.locator("button").click()
    result = page.locator(".cs-recipient-check__result")
    result.wait_for()
    page.wait_for_function(
        "() => document.querySelector('.cs-recipient-check__result').dataset.match !== undefined"
    )
    assert result.get_attribute("data-match") == "false"
    form.locator("input").fill(f"  {CERTIFICATION_EMAIL.upper()} ")
    form.locator("button").click()
    page.wait_for_function(
        "() => document.querySelector('.cs-recipient-check__result').dataset.match === 'true'"
    )
    assert "matches the recipient" in result.inner_text()


def test_verify_page_accepts_a_baked_png_by_file_input(page, server, site_dir):
    page.goto(f"{server}verify/")
    page.set_input_files("#cs-verify-file", str(site_dir / "credentials" / VALID / "badge.png"))
    assert final_status(page) == "verified"
    assert page.errors == []


def test_verify_page_accepts_a_dropped_baked_png(page, server, site_dir):
    page.goto(f"{server}verify/")
    data = base64.b64encode((site_dir / "credentials" / REVOKED / "badge.png").read_bytes())
    page.evaluate(
        """(b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], 'badge.png', { type: 'image/png' }));
            const drop = document.querySelector('.cs-verify__drop');
            drop.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true,
                                                       cancelable: true }));
        }""",
        data.decode(),
    )
    assert final_status(page) == "revoked"


def test_verify_page_accepts_a_baked_svg_and_a_json(page, server, site_dir, baked):
    page.goto(f"{server}verify/")
    page.set_input_files("#cs-verify-file", str(baked / "badge.svg"))
    assert final_status(page) == "expired"
    page.evaluate(
        "() => { document.getElementById('credential-verification').dataset.status = 'idle'; }"
    )
    page.set_input_files(
        "#cs-verify-file",
        str(site_dir / "credentials" / "tampered-subject-swapped" / "credential.json"),
    )
    assert final_status(page) == "invalid"


def test_verify_page_accepts_a_pasted_link(page, server):
    page.goto(f"{server}verify/")
    page.fill(
        ".cs-verify__url input",
        f"https://northwind-lab.github.io/credentials/credentials/{SUSPENDED}/",
    )
    page.click(".cs-verify__url button")
    assert final_status(page) == "suspended"


def test_other_issuer_without_reachable_keys_says_keys_could_not_be_fetched(page, server, site_dir):
    import json

    doc = json.loads((site_dir / "credentials" / VALID / "credential.json").read_text())
    doc["issuer"]["id"] = "did:web:issuer.example"
    doc["proof"][0]["verificationMethod"] = "did:web:issuer.example#key-1"
    page.goto(f"{server}verify/")
    page.set_input_files(
        "#cs-verify-file",
        files=[
            {
                "name": "other.json",
                "mimeType": "application/json",
                "buffer": json.dumps(doc).encode(),
            }
        ],
    )
    assert final_status(page) == "error"
    assert "issuer keys could not be fetched" in page.inner_text("#credential-verification")


def test_nothing_is_loaded_from_another_origin(page, server):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}credentials/{CERTIFICATION}/")
    final_status(page)
    assert [u for u in requests if not u.startswith(server)] == []


def test_cached_page_still_verifies_offline(context, server):
    page = context.new_page()
    url = f"{server}credentials/{VALID}/"
    page.goto(url)
    final_status(page)
    page.evaluate("() => navigator.serviceWorker.ready")
    # A second visit goes through the now active worker, which saves what the page loads.
    page.reload()
    final_status(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    try:
        page.reload()
        assert final_status(page) == "verified"
        assert "You are offline" in page.inner_text("#credential-verification")
    finally:
        context.set_offline(False)


def test_the_documents_a_page_verifies_do_not_wait_for_the_worker(context, server):
    """Online, the credential, contexts, keys and status lists go straight to the network (the
    worker's static routes: Resource Timing's workerMatchedSourceType says "network"); the
    page, its scripts and styles still pass through the worker (and are kept for offline use)."""
    page = context.new_page()
    page.goto(f"{server}credentials/{VALID}/")
    final_status(page)
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()
    final_status(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()
    final_status(page)
    timings = page.evaluate(
        """() => performance.getEntriesByType('resource').map((r) => [
            new URL(r.name).pathname, r.initiatorType, r.workerStart, r.workerMatchedSourceType])"""
    )
    documents = [t for t in timings if t[1] == "fetch"]
    assert {path.rsplit("/", 1)[-1] for path, *_ in documents} >= {
        "credential.json",
        "contexts.json",
        "did.json",
    }
    assert [t for t in documents if t[3] != "network"] == []
    scripts = [t for t in timings if t[1] == "script"]
    assert scripts
    assert all(t[3] != "network" for t in scripts)
