"""The third-party corpus in real Chromium: the page gives the CLI's status and codes on every file.

The built site's /verify/ page reads each corpus file with its own reader
(``CredstackVerifier.extractPayload``: JSON, ``.1ob``, VC-JWT, baked PNG/SVG) and verifies it
with ``window.credstackPage.verify`` at the manifest's ``at``. The DID documents and status lists
the files need are fetched by the page from the URLs they are published at; the browser's
network layer answers those requests with the saved copies (Playwright routes; nothing leaves
127.0.0.1), so the page runs exactly its own code: did:web URLs, CORS fetches, VC-JWT lists and
the on-demand import of credstack-suites.js. Any difference from the CLI's path
(tests/corpus/runner.py ``verify``) in the status or any check's code fails.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from pathlib import Path

import pytest

import hostile
from browser_support import VALID, final_status
from support import REPO

pytestmark = pytest.mark.browser
CORPUS = REPO / "tests" / "corpus"
sys.path.insert(0, str(CORPUS))

import runner  # noqa: E402


def did_web_url(did: str) -> str:
    host, *path = did[len("did:web:") :].split(":")
    return (
        f"https://{host}/{'/'.join(path)}/did.json"
        if path
        else f"https://{host}/.well-known/did.json"
    )


def served_documents() -> dict[str, bytes]:
    """URL -> the saved document, as its publisher serves it."""
    out = {}
    for key, entry in runner.manifest()["documents"].items():
        url = did_web_url(key) if key.startswith("did:web:") else key
        out[url] = (CORPUS / entry["file"]).read_bytes()
    out[hostile.LIST_URL] = hostile.bomb_list()
    return out


@pytest.fixture
def corpus_page(browser, server):
    """The /verify/ page in a context whose outside requests get the saved documents."""
    documents = served_documents()
    requested: list[str] = []
    context = browser.new_context(service_workers="block")

    def answer(route):
        url = route.request.url
        requested.append(url)
        if url.startswith(server):
            route.continue_()
        elif url in documents:
            route.fulfill(
                status=200,
                body=documents[url],
                headers={"content-type": "application/json", "access-control-allow-origin": "*"},
            )
        else:
            route.fulfill(
                status=404, body="not found", headers={"access-control-allow-origin": "*"}
            )

    context.route("**/*", answer)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server + "verify/")
    page.wait_for_function("() => window.credstackPage && window.CredstackVerifier")
    yield page, requested
    context.close()


VERIFY_FILES = """async ({files, at}) => {
    const V = window.CredstackVerifier;
    const out = {};
    for (const [name, b64] of Object.entries(files)) {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        let input;
        try {
            const payload = V.extractPayload(bytes);
            input = payload.kind === 'jwt' ? payload.token : payload.credential;
        } catch (error) {
            out[name] = V.unreadableReport(error.message);
            continue;
        }
        out[name] = await window.credstackPage.verify(input, { at, now: at });
    }
    return out;
}"""


def summary(report) -> tuple[str, dict[str, str]]:
    if isinstance(report, dict):
        return report["status"], {c["id"]: c["code"] for c in report["checks"]}
    return report.status, {c.id: c.code for c in report.checks}


def test_page_and_cli_agree_on_every_corpus_file(corpus_page):
    page, requested = corpus_page
    entries = list(runner.entries())
    files = {
        e["file"]: base64.b64encode((CORPUS / e["file"]).read_bytes()).decode() for e in entries
    }
    started = time.monotonic()
    reports = page.evaluate(VERIFY_FILES, {"files": files, "at": runner.manifest()["at"]})
    elapsed = time.monotonic() - started
    cli = {e["file"]: runner.verify(e) for e in entries}
    differences = {
        name: {"cli": summary(cli[name]), "page": summary(reports[name])}
        for name in files
        if summary(cli[name]) != summary(reports[name])
    }
    assert not differences, json.dumps(differences, indent=1)[:6000]
    wrong = [e["file"] for e in entries if reports[e["file"]]["status"] != e["expected"]]
    assert wrong == []
    assert any(url.endswith("/credstack-suites.js") for url in requested)
    assert any("did.json" in url and "127.0.0.1" not in url for url in requested)
    assert not page.errors, page.errors
    print(f"\n{len(entries)} corpus files verified in the page in {elapsed:.1f} s")


def test_an_eddsa_credential_page_never_downloads_the_other_suites(page, server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{server}credentials/{VALID}/")
    assert final_status(page) == "verified"
    assert any(url.endswith("credstack-verifier.js") for url in requested)
    assert not [url for url in requested if url.endswith("credstack-suites.js")]


def _single_identifier() -> dict:
    """The corpus file whose credentialSubject.identifier is one object, not an array."""
    return next(
        e
        for e in runner.entries()
        if isinstance(
            ((runner.load(e).credential or {}).get("credentialSubject") or {}).get("identifier"),
            dict,
        )
    )


@pytest.mark.parametrize(
    "name",
    [
        "single identifier object",  # the page once hung on it: ".find is not a function"
        "credentials/1edtech-validator/inspector-vc/src/test/resources/ob30/simple-jwt.png",
        "credentials/1edtech-validator/inspector-vc/src/test/resources/ob30/simple.1ob",
        "credentials/1edtech-validator/inspector-clr/src/test/resources/clr20/simple.json",
    ],
)
def test_the_verify_page_gives_a_verdict_for_dropped_files(corpus_page, name, tmp_path):
    page, _ = corpus_page
    entry = (
        _single_identifier()
        if name == "single identifier object"
        else next(e for e in runner.entries() if e["file"] == name)
    )
    upload = tmp_path / Path(entry["file"]).name
    upload.write_bytes((CORPUS / entry["file"]).read_bytes())
    page.set_input_files("#cs-verify-file", str(upload))
    status = final_status(page)
    # The page verifies with the real clock: an expectation made at the manifest's date may
    # differ only by expiry, never in kind.
    assert status == entry["expected"] or {status, entry["expected"]} == {"verified", "expired"}
    assert page.inner_text("#credential-verification").strip()
    assert not page.errors, page.errors


HOSTILE = """async ({files, at, limit}) => {
    const V = window.CredstackVerifier;
    const out = {};
    for (const [name, b64] of Object.entries(files)) {
        const started = performance.now();
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        let report;
        try {
            const payload = V.extractPayload(bytes);
            const input = payload.kind === 'jwt' ? payload.token : payload.credential;
            const hang = new Promise((resolve) => setTimeout(() => resolve(null), limit));
            const verdict = window.credstackPage.verify(input, { at, now: at });
            report = await Promise.race([verdict, hang]);
        } catch (error) {
            report = V.unreadableReport(error.message);
        }
        out[name] = { report, ms: performance.now() - started };
    }
    return out;
}"""


def test_hostile_inputs_end_in_the_same_verdict_in_the_page(corpus_page):
    page, _ = corpus_page
    cases = hostile.cases()
    files = {name: base64.b64encode(case.data).decode() for name, case in cases.items()}
    results = page.evaluate(HOSTILE, {"files": files, "at": hostile.AT, "limit": 30_000})
    for name, case in cases.items():
        report = results[name]["report"]
        assert report is not None, f"{name}: no verdict after 30 s"
        reason = (report["reason"]["check"], report["reason"]["code"]) if report["reason"] else None
        assert (report["status"], reason) == (case.status, case.reason), name
    print({name: round(r["ms"]) for name, r in results.items()})
