"""`credstack migrate`: flat issued/credentials/ into shards, every URL and the site unchanged."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from credstack.registry import layout
from credstack.registry.award import AwardInput
from credstack.registry.registry import Registry
from support import at, award, scratch_registry


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def build(root: Path, site: Path, epoch: int) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_migration_keeps_every_url_and_the_whole_site(tmp_path):
    root = scratch_registry(tmp_path, with_issued=True)
    cids = sorted(Registry(root).credentials)
    epoch = int(time.time())
    build(root, tmp_path / "before", epoch)

    result = cli(root, "migrate")
    assert result.returncode == 0, result.stderr
    assert f"{len(cids)} credential file(s) moved" in result.stdout
    assert "URLs are unchanged" in result.stdout
    folder = root / "issued" / "credentials"
    assert not list(folder.glob("*.json"))
    assert sorted(layout.credential_files(root)) == cids

    build(root, tmp_path / "after", epoch)
    assert tree(tmp_path / "after") == tree(tmp_path / "before")
    assert cli(root, "migrate").stdout.startswith("issued/credentials/ is already sharded")

    # Verification reads the shards; new credentials go into theirs.
    report = json.loads(cli(root, "verify", "--json", "issued/").stdout)
    assert len(report) == len(cids)
    plan = award(
        root,
        AwardInput(
            achievement="session-design",
            name="Shard Test",
            email="shard@example.org",
            issued_at=at("2026-02-01"),
        ),
    )
    cid = plan.awarded[0].cid
    assert (folder / layout.shard(cid) / f"{cid}.json").is_file()
