"""The log on the built site: a real MkDocs build, its tiles checked by `credstack log verify
--site`; and the small log the in-browser verifier's node tests read (written by this code)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from credstack.crypto.keys import SigningKey
from credstack.crypto.note import open_note
from credstack.registry.award import AwardInput
from credstack.registry.registry import Registry
from credstack.registry.tlog import LOG_KEY_ENV, init_log, read_config
from credstack.site.tlog import build_log_files
from support import at as date
from support import award, result_for, scratch_registry

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "verifier" / "test" / "fixtures" / "tlog"
LOG_SEED = bytes([0x42] * 32)  # TEST-ONLY log key
SIGNED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def logged_registry(tmp_path: Path, count: int = 3) -> Path:
    root = scratch_registry(tmp_path)
    program = Registry(root).program
    aid = next(a.id for a in program.achievements.values() if not a.prerequisites)
    salts = iter(f"{i:032x}" for i in range(1, 1000))
    for i in range(count):
        award(
            root,
            AwardInput(
                aid,
                f"P{i}",
                f"p{i}@example.org",
                date(f"2025-01-{i + 2:02d}"),
                result=result_for(program, aid),
            ),
            salt=lambda: next(salts),
        )
    key = SigningKey.from_seed(LOG_SEED)
    init_log(
        Registry(root),
        public_key_multibase=key.public_key_multibase,
        key_id="log-test",
        created=date("2025-01-01"),
    )
    return root


def build(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    return subprocess.run(
        [str(mkdocs), "build", "--strict"],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True,
        text=True,
    )


def test_site_publishes_the_log_and_its_tiles_rebuild_to_the_signed_root(tmp_path):
    root = logged_registry(tmp_path)
    secret = SigningKey.from_seed(LOG_SEED).to_multibase_secret()
    run = build(root, {LOG_KEY_ENV: secret, "SOURCE_DATE_EPOCH": "1772366400"})
    assert run.returncode == 0, run.stderr
    site = root / "site"
    config = read_config(root)
    note = (site / "log" / "checkpoint").read_text()
    opened = open_note(note, config.verifier)
    assert opened.timestamp == 1772366400
    assert (site / "log" / "tile" / "0" / "000.p" / "7").is_file()  # 7 entries: a partial tile
    assert (site / "log" / "tile" / "entries" / "000.p" / "7").is_file()
    assert (site / "log" / "vkey").read_text().strip() == config.verifier.vkey
    did = json.loads((site / "did.json").read_text())
    assert did["service"][0]["type"] == "TransparencyLog"
    # Every credential page names the checkpoint and tip for early loading (published files).
    pages = sorted(site.glob("credentials/*/index.html"))
    assert pages
    for page in pages:
        hint = re.search(r'<meta name="credstack:preload" content="([^"]*)">', page.read_text())
        assert hint, page
        named = hint.group(1).split(" ")
        assert "log/checkpoint" in named and "log/tip.json" in named
        assert all((site / p).is_file() for p in named)
    from credstack.cli import main

    assert main(["-C", str(root), "log", "verify", "--site", str(site)]) == 0
    # A tile that does not match is found.
    tile = site / "log" / "tile" / "0" / "000.p" / "7"
    tile.write_bytes(tile.read_bytes()[:-1] + b"\0")
    assert main(["-C", str(root), "log", "verify", "--site", str(site)]) == 1


def test_without_the_log_key_the_site_builds_without_a_checkpoint(tmp_path, monkeypatch):
    root = logged_registry(tmp_path, count=1)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty-config"))
    run = build(root, {"XDG_CONFIG_HOME": str(tmp_path / "empty-config"), LOG_KEY_ENV: ""})
    assert run.returncode == 0, run.stderr
    assert (root / "site" / "log" / "tip.json").is_file()
    assert not (root / "site" / "log" / "checkpoint").exists()
    page = next((root / "site").glob("credentials/*/index.html")).read_text()
    assert "log/checkpoint" not in page  # no checkpoint published: none named
    # A wrong key is an error, not a silent site without a checkpoint.
    wrong = SigningKey.from_seed(bytes(32)).to_multibase_secret()
    run = build(root, {LOG_KEY_ENV: wrong})
    assert run.returncode != 0 and "not the log key" in run.stderr


def fixture_files(tmp_path: Path) -> dict[str, bytes]:
    """The small site the node tests read (verifier/test/fixtures/tlog/)."""
    root = logged_registry(tmp_path)
    registry = Registry(root)
    secret = SigningKey.from_seed(LOG_SEED).to_multibase_secret()
    out = build_log_files(registry, at=SIGNED_AT, env={LOG_KEY_ENV: secret})
    assert out is not None and out.signed
    files = {f"site/{path}": data for path, data in out.files.items()}
    for cid in registry.credentials:
        files[f"site/credentials/{cid}/credential.json"] = registry.credential_path(
            cid
        ).read_bytes()
    for path in sorted((root / "issued" / "status").glob("*.json")):
        files[f"site/status/{path.name}"] = path.read_bytes()
    config = read_config(root)
    meta = {
        "site": registry.urls.site,
        "origin": config.origin,
        "publicKeyHex": config.public_key.hex(),
        "signedAt": SIGNED_AT.isoformat().replace("+00:00", "Z"),
        "didDocument": registry.did_document(),
        "credentials": [v.id for v in registry.credentials.values()],
    }
    files["meta.json"] = (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()
    return files


def test_the_node_tests_read_a_log_this_code_writes(tmp_path):
    files = fixture_files(tmp_path)
    if os.environ.get("CREDSTACK_UPDATE_FIXTURES"):
        for rel, data in files.items():
            (FIXTURE / rel).parent.mkdir(parents=True, exist_ok=True)
            (FIXTURE / rel).write_bytes(data)
    committed = {
        p.relative_to(FIXTURE).as_posix(): p.read_bytes() for p in FIXTURE.rglob("*") if p.is_file()
    }
    assert committed == files, (
        "verifier/test/fixtures/tlog/ is not what the Python side writes now: regenerate it with "
        "CREDSTACK_UPDATE_FIXTURES=1 pytest tests/integration/test_log_site.py"
    )


def test_pages_workflow_publishes_a_fresh_checkpoint_every_day():
    import yaml

    for path in (
        REPO / ".github" / "workflows" / "pages.yml",
        REPO / "plugins/credstack/registry/scaffold/dot-github/workflows/pages.yml",
    ):
        doc = yaml.safe_load(path.read_text())
        on = doc.get("on", doc.get(True))
        assert on["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"], path  # every day
        build = next(s for s in doc["jobs"]["build"]["steps"] if "mkdocs build" in s.get("run", ""))
        assert build["env"][LOG_KEY_ENV] == "${{ secrets.CREDSTACK_LOG_KEY }}"
