"""Helpers for the browser tests (real headless Chromium against sites served on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

from support import demo_credential

FINAL = ("verified", "expired", "revoked", "suspended", "invalid", "error")

# One signed credential per demo state, found by the demo's story (bench/demo.py).
VALID = demo_credential("Amara Okafor", "session-design")
REVOKED = demo_credential("Tomás Novak", "impact-evaluation")
SUSPENDED = demo_credential("Priya Raman", "decision-workshops")
EXPIRED = demo_credential("Hannah Schmidt", "workshop-design")
CERTIFICATION = demo_credential("Amara Okafor", "certified-facilitator")
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


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """http://127.0.0.1:PORT/ serving ``folder`` (loopback only) while the block runs."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


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
