"""`credstack verify --fetch badge.png` outside any registry, as the site tells a visitor to
run it (the fetching is registry/documents.py's; these tests run it against a real HTTPS site).

The issuer's site is served over HTTPS on 127.0.0.1 (a certificate made for this test, trusted
through SSL_CERT_FILE); the registry's site_url is that address, so the credential's did:web and
status list URLs point there.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from credstack.model.baking import bake_png
from credstack.registry.award import AwardInput
from credstack.registry.lifecycle import change_status
from credstack.registry.registry import Registry
from support import award, loaded_test_key, scratch_registry

NOW = datetime.now(UTC).replace(microsecond=0)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def issuer_site(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("needs openssl to make a test certificate")
    port = _port()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key),
            "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    root = scratch_registry(tmp_path)
    mkdocs = root / "mkdocs.yml"
    site_url = f"https://localhost:{port}/credentials/"
    text = mkdocs.read_text()
    old = next(line for line in text.splitlines() if line.startswith("site_url:"))
    mkdocs.write_text(text.replace(old, f"site_url: {site_url}"))
    program = Registry(root).program
    aid = program.by_level("foundation")[0].id
    plan = award(root, AwardInput(aid, "Ada Lovelace", "ada@example.org", NOW))
    other = award(root, AwardInput(aid, "Eve", "eve@example.org", NOW))
    registry = Registry(root)
    change_status(
        registry, other.awarded[0].cid, "revoked", key=loaded_test_key(root), when=NOW,
        reason="Awarded in error",
    )  # fmt: skip
    served = tmp_path / "www" / "credentials"
    (served / "status").mkdir(parents=True)
    (served / "did.json").write_text(json.dumps(Registry(root).did_document()))
    for path in (root / "issued" / "status").glob("*.json"):
        shutil.copy(path, served / "status" / path.name)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(tmp_path / "www"), **kw)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "cert": cert,
            "good": plan.awarded[0].credential,
            "revoked": other.awarded[0].credential,
            "served": served,
        }
    finally:
        server.shutdown()


def _badge(doc: dict, path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buf, "PNG")
    path.write_bytes(bake_png(buf.getvalue(), json.dumps(doc)))
    return path


def _verify(folder: Path, cert: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")},
        "SSL_CERT_FILE": str(cert),
        "NO_PROXY": "*",
    }
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", "verify", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_verify_a_downloaded_badge_outside_any_registry(issuer_site, tmp_path):
    visitor = tmp_path / "downloads"
    visitor.mkdir()
    _badge(issuer_site["good"], visitor / "badge.png")
    run = _verify(visitor, issuer_site["cert"], "--fetch", "badge.png")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "badge.png: Verified" in run.stdout
    assert "fetched https://localhost:" in run.stderr and "did.json" in run.stderr


def test_a_revoked_badge_outside_a_registry_is_revoked(issuer_site, tmp_path):
    visitor = tmp_path / "downloads"
    visitor.mkdir()
    _badge(issuer_site["revoked"], visitor / "badge.png")
    run = _verify(visitor, issuer_site["cert"], "--fetch", "badge.png")
    assert run.returncode == 1
    assert "Revoked" in run.stdout, run.stdout


def test_an_unreachable_issuer_is_an_error_never_verified(issuer_site, tmp_path):
    visitor = tmp_path / "downloads"
    visitor.mkdir()
    _badge(issuer_site["good"], visitor / "badge.png")
    (issuer_site["served"] / "did.json").unlink()
    run = _verify(visitor, issuer_site["cert"], "--fetch", "badge.png")
    assert run.returncode == 1
    assert "404" in run.stderr
    assert "Verified" not in run.stdout


def test_without_fetch_nothing_is_fetched(issuer_site, tmp_path):
    visitor = tmp_path / "downloads"
    visitor.mkdir()
    _badge(issuer_site["good"], visitor / "badge.png")
    run = _verify(visitor, issuer_site["cert"], "badge.png")
    assert run.returncode == 1 and "fetched" not in run.stderr
