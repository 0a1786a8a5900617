"""`credstack badge ID`: a credential's baked badge images, offline, that verify and scan."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import zxingcpp
from PIL import Image

from credstack.model.baking import extract
from credstack.registry.registry import Registry
from support import REPO, demo_credential, snapshot

VALID = demo_credential("Amara Okafor", "session-design")
REVOKED = demo_credential("Tomás Novak", "impact-evaluation")


def run(*args: str, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(REPO), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ},
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(("cid", "status"), [(VALID, "verified"), (REVOKED, "revoked")])
def test_badge_files_verify_and_their_qr_code_is_the_page(tmp_path, cid, status):
    result = run("badge", cid, "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["badge.png", "badge.svg"]
    registry = Registry(REPO)
    issued = json.loads(registry.credential_path(cid).read_bytes())
    for name in ("badge.png", "badge.svg"):
        assert extract((tmp_path / name).read_bytes()) == issued, name
    verify = run("verify", "--json", str(tmp_path / "badge.png"), str(tmp_path / "badge.svg"))
    assert [r["status"] for r in json.loads(verify.stdout)] == [status, status]
    found = [b.text for b in zxingcpp.read_barcodes(Image.open(tmp_path / "badge.png"))]
    assert found == [registry.urls.credential(cid)]


def test_an_unknown_credential_is_a_clear_error_and_writes_nothing(tmp_path):
    before = snapshot(REPO)
    result = run("badge", "2025-nosuchthing", "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "no issued credential '2025-nosuchthing'" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert snapshot(REPO) == before
