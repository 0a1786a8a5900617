"""In-browser verification: time from navigation to the verdict on a credential page (median of
many loads, in Debian's headless Chromium), first visit and repeat visit, with Material's own
page start measured beside it in the same run; and the scripts' sizes gzipped.

    python bench/bench_browser.py --loads 30

Builds the demo site into a temporary folder and serves it on 127.0.0.1 with GitHub Pages'
caching headers (``Pages``). Each round opens a
fresh browser context (empty HTTP cache, no service worker, nothing stored: a first visit) and
loads, in order: a credential page (first visit), the same page again at once (repeat visit:
HTTP cache, V8's code cache, the page's kept verdicts; the service worker, registered once the
first page is idle, may still be installing), another credential page (next page of the same
site), the first page again once the worker is active (a visitor who comes back later: every
request passes through the worker) and, in another fresh context, a page of the theme (Material's
DOMContentLoaded on a first visit: what a credential page cost before it had a page of its own)
and the floor: a blank page with one script, in a new tab and in the same tab again (what the
browser alone spends on a navigation here, before any page of ours does anything).
Times are the page's own: navigation start to the ``credstack:verdict`` performance mark (the
final verdict written), read from the page, so the harness's polling is not counted. The figure
beside it, navigation to DOMContentLoaded, shows how much of it is the page itself.

With ``--log``, a copy of the demo also keeps a public transparency log (``credstack log init``
with a throwaway key) and is built and measured in the same rounds, alternating with the plain
one: what the log check adds to the time to verdict, and the log bytes a first visit fetches.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSETS = REPO / "plugins" / "credstack" / "site" / "assets"
ARGS = [
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
FINAL = ["verified", "expired", "revoked", "suspended", "invalid", "error"]
VERDICT = """(final) => {
    const e = document.getElementById('credential-verification');
    return e && e.dataset.checked === 'browser' && final.includes(e.dataset.status)
        && performance.getEntriesByName('credstack:verdict').length > 0;
}"""
TIMES = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const at = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
    return { verdict: at('credstack:verdict'), start: at('credstack:verify-start'),
             logStart: at('credstack:log-start'), logEnd: at('credstack:log-end'),
             dcl: nav.domContentLoadedEventEnd, response: nav.responseEnd,
             controlled: Boolean(navigator.serviceWorker && navigator.serviceWorker.controller) };
}"""


def demo_credential(name: str, achievement: str) -> str:
    """The demo's credential for ``name`` and ``achievement`` (by its story, bench/demo.py)."""
    for path in sorted((REPO / "issued" / "credentials").rglob("*.json")):  # flat or sharded
        doc = json.loads(path.read_text("utf-8"))
        subject = doc["credentialSubject"]
        names = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name"]
        if names == [name] and subject["achievement"]["humanCode"] == achievement:
            return path.stem
    raise SystemExit(f"the demo has no {achievement} credential for {name}")


#: The floor: a page whose one script marks when it runs (nothing else to load or lay out),
#: written into the served copy of the site. What the browser alone spends on a navigation.
FLOOR_PAGE = '<!doctype html><title>floor</title><script src="floor.js"></script><p>floor</p>'
FLOOR_SCRIPT = "performance.mark('credstack:verdict');"


def floor_visit(browser, base: str) -> tuple[float, float]:
    """Navigation to the floor page's script, in a new tab of a fresh context and in the same
    tab again (ms)."""
    context = browser.new_context()
    page = context.new_page()
    times = []
    for _ in range(2):
        page.goto(f"{base}bench-floor/")
        page.wait_for_function("() => performance.getEntriesByName('credstack:verdict').length")
        times.append(page.evaluate(TIMES)["verdict"])
    context.close()
    return times[0], times[1]


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


class Pages(http.server.SimpleHTTPRequestHandler):
    """Serves the built site as GitHub Pages does, for what a visit's timing depends on: HTTP/1.1
    with keep-alive, ``Cache-Control: max-age=600`` on every file, ``Last-Modified`` (a request
    with ``If-Modified-Since`` gets 304)."""

    protocol_version = "HTTP/1.1"

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def log_message(self, *args):
        pass


def median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def build(root: Path, out: Path, env: dict[str, str] | None = None) -> Path:
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)],
        cwd=root,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
    return out


def logged_copy(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the demo registry with a public log, and the environment its build needs."""
    from credstack.crypto.keys import SigningKey
    from credstack.registry.tlog import LOG_KEY_ENV

    root = tmp / "logged"
    shutil.copytree(
        REPO,
        root,
        ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "site", ".cache", "tests"),
    )
    secret = SigningKey.generate().to_multibase_secret()
    key_file = tmp / "log-key"
    key_file.write_text(secret)
    subprocess.run(
        [sys.executable, "-m", "credstack.cli", "log", "init", "--key", str(key_file)],
        cwd=root,
        check=True,
        capture_output=True,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp / "config")},
    )
    return root, {LOG_KEY_ENV: secret}


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser that hung up early
            super().handle_error(request, client_address)


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = Server(("127.0.0.1", 0), functools.partial(Pages, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def visit(browser, base: str, credential: str, next_page: str) -> tuple[list[dict], str, int]:
    """One first visit: (times of the first, repeat and next page, then of the first page again
    once the site's service worker is active (a visitor who comes back later), final status,
    log bytes the first page fetched)."""
    context = browser.new_context()  # a first visit: empty cache, no worker
    page = context.new_page()
    log_bytes = [0]
    counting = [True]

    def count(response) -> None:
        if counting[0] and "/log/" in response.url and response.ok:
            log_bytes[0] += len(response.body())

    page.on("response", count)
    times = []
    for cid in (credential, credential, next_page, credential):
        if len(times) == 3:  # the worker, registered once a page is idle, installed
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.goto(f"{base}credentials/{cid}/")
        page.wait_for_function(VERDICT, arg=FINAL)
        times.append(page.evaluate(TIMES))
        counting[0] = False
    status = page.get_attribute("#credential-verification", "data-status") or ""
    context.close()
    return times, status, log_bytes[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=30)
    parser.add_argument(
        "--credential", help="credential id (default: Amara Okafor's session-design in the demo)"
    )
    parser.add_argument(
        "--next", help="another credential (default: her facilitation-fundamentals)"
    )
    parser.add_argument("--theme-page", default="achievements/session-design/")
    parser.add_argument(
        "--log", action="store_true", help="also measure a copy of the demo with a public log"
    )
    args = parser.parse_args(argv)
    args.credential = args.credential or demo_credential("Amara Okafor", "session-design")
    args.next = args.next or demo_credential("Amara Okafor", "facilitation-fundamentals")
    from playwright.sync_api import sync_playwright

    runs: dict[str, list[list[dict]]] = {"plain": [], "log": []}
    statuses: dict[str, str] = {}
    log_bytes: list[int] = []
    theme = []
    floor: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        site = build(REPO, Path(tmp) / "site")
        (site / "bench-floor").mkdir()
        (site / "bench-floor" / "index.html").write_text(FLOOR_PAGE)
        (site / "bench-floor" / "floor.js").write_text(FLOOR_SCRIPT)
        servers = {"plain": serve(site)}
        if args.log:
            root, env = logged_copy(Path(tmp))
            servers["log"] = serve(build(root, Path(tmp) / "site-log", env))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for _ in range(args.loads):
                for name, (_, base) in servers.items():  # alternate: same conditions for both
                    times, statuses[name], fetched = visit(
                        browser, base, args.credential, args.next
                    )
                    runs[name].append(times)
                    if name == "log":
                        log_bytes.append(fetched)
                context = browser.new_context()
                page = context.new_page()
                page.goto(servers["plain"][1] + args.theme_page, wait_until="domcontentloaded")
                theme.append(page.evaluate(TIMES))
                context.close()
                floor.append(floor_visit(browser, servers["plain"][1]))
            browser.close()
        for httpd, _ in servers.values():
            httpd.shutdown()
    verifier = ASSETS / "verifier" / "credstack-verifier.js"
    page_js = ASSETS / "credstack-page.js"
    print(f"{args.loads} loads of each; median ms from navigation start (page's own clock)")
    print(f"{'measurement':56} {'verdict':>8} {'DOM ready':>10}")
    for name, rounds in runs.items():
        if not rounds:
            continue
        first, repeat, after, later = ([r[i] for r in rounds] for i in range(4))
        if name == "log":
            print("with the public log (the same pages of a copy that keeps one):")
        for label, rows in (
            ("credential page, first visit", first),
            ("credential page, repeat visit", repeat),
            ("another credential page, same visit", after),
            ("credential page again, the site's worker active", later),
        ):
            print(f"{label:56} {median(rows, 'verdict'):8.0f} {median(rows, 'dcl'):10.0f}")
        print(f"{'  (slowest first visit)':56} {max(r['verdict'] for r in first):8.0f}")
        print(
            f"{'  first visit: verification alone (start -> verdict)':56} "
            f"{statistics.median(r['verdict'] - r['start'] for r in first):8.0f}"
        )
        print(
            f"{'  repeat visit: verification alone':56} "
            f"{statistics.median(r['verdict'] - r['start'] for r in repeat):8.0f}"
        )
        controlled = sum(r["controlled"] for r in later)
        print(f"{'  loads the worker controlled (of the last row)':56} {controlled:8d}")
        print(f"{'  final data-status':56} {statuses[name]:>8}")
    if runs["log"]:
        for label, i in (("first visit", 0), ("repeat visit", 1)):
            plain = statistics.median(r[i]["verdict"] for r in runs["plain"])
            logged = statistics.median(r[i]["verdict"] for r in runs["log"])
            print(f"{'the log adds, ' + label + ' (target <= 50 ms)':56} {logged - plain:8.0f}")
        kb = statistics.median(log_bytes) / 1024
        print(f"{'log data fetched by a first visit (KB, target ~10)':56} {kb:8.1f}")
    print(
        f"{'theme (Material) page, first visit: DOMContentLoaded':56} {'':8} "
        f"{median(theme, 'dcl'):10.0f}"
    )
    for label, i in (("new tab", 0), ("same tab again", 1)):
        at = statistics.median(f[i] for f in floor)
        print(f"{'floor: a blank page with one script, ' + label:56} {at:8.0f}")
    print(f"{'verifier bundle, gzipped (KB)':56} {gz(verifier) / 1024:8.1f}")
    print(f"{'page script, gzipped (KB)':56} {gz(page_js) / 1024:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
