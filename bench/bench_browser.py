"""In-browser verification: time from navigation to the final data-status on a credential page
(median of many loads, in Debian's headless Chromium) and the verifier's size gzipped.

    python bench/bench_browser.py --loads 30

Builds the demo site into a temporary folder and serves it on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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


def demo_credential(name: str, achievement: str) -> str:
    """The demo's credential for ``name`` and ``achievement`` (by its story, bench/demo.py)."""
    for path in sorted((REPO / "issued" / "credentials").glob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        subject = doc["credentialSubject"]
        names = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name"]
        if names == [name] and subject["achievement"]["humanCode"] == achievement:
            return path.stem
    raise SystemExit(f"the demo has no {achievement} credential for {name}")


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=30)
    parser.add_argument(
        "--credential", help="credential id (default: Amara Okafor's session-design in the demo)"
    )
    args = parser.parse_args(argv)
    args.credential = args.credential or demo_credential("Amara Okafor", "session-design")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
            cwd=REPO,
            check=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
        )
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/credentials/{args.credential}/"
        cold, warm = [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for _ in range(args.loads):
                context = browser.new_context()  # a first visit: empty cache, no worker
                page = context.new_page()
                for bucket in (cold, warm):  # then the same page again (HTTP/worker cache)
                    start = time.perf_counter()
                    page.goto(url)
                    page.wait_for_function(
                        """(final) => {
                            const e = document.getElementById('credential-verification');
                            return e.dataset.checked === 'browser'
                                && final.includes(e.dataset.status);
                        }""",
                        arg=FINAL,
                    )
                    bucket.append((time.perf_counter() - start) * 1000)
                status = page.get_attribute("#credential-verification", "data-status")
                context.close()
            browser.close()
        httpd.shutdown()
    verifier = ASSETS / "verifier" / "credstack-verifier.js"
    page_js = ASSETS / "credstack-page.js"
    print(f"{'measurement':52} {'value':>10}")
    print(f"{'navigation -> verdict, first visit (median ms)':52} {statistics.median(cold):10.0f}")
    print(f"{'navigation -> verdict, repeat visit (median ms)':52} {statistics.median(warm):10.0f}")
    print(f"{'  (slowest first visit, ms)':52} {max(cold):10.0f}")
    print(f"{'verifier bundle, gzipped (KB)':52} {gz(verifier) / 1024:10.1f}")
    print(f"{'page script, gzipped (KB)':52} {gz(page_js) / 1024:10.1f}")
    print(f"{'final data-status':52} {status:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
