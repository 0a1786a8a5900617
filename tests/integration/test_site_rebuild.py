"""A build on several processes, reusing its cache and last site folder, makes the same site
as a build from nothing in one process, byte for byte.

Reusing: credential pages rendered on worker processes, badges drawn by workers, everything
cached by content hash, the ``credentials/`` folder carried over between builds. From nothing:
``cache: false``, one process, an empty site folder.

The registry is the demo's issued credentials (revoked, suspended, expired, renewed and
corrected ones) plus a credential with a hostile name. The parallel thresholds are lowered so
that this small registry takes every parallel branch. Then the registry changes (one more
award, one revocation) and the build reuses its folder and cache: again the same site as a
build from nothing. And a changed byte in a credential is never covered by a cached
verification.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from credstack.crypto.keys import SigningKey
from credstack.errors import AwardError
from credstack.model.credential import Evidence
from credstack.registry.award import AwardInput
from credstack.registry.lifecycle import change_status, reissue
from credstack.registry.registry import Registry
from credstack.registry.tlog import LOG_KEY_ENV, init_log
from support import at, award, loaded_test_key, scratch_registry

#: Runs MkDocs with the plugin's parallel thresholds lowered (argv: mkdocs arguments).
LOW_THRESHOLDS = """
import sys
import credstack.site.badges, credstack.site.plugin, credstack.site.tree
credstack.site.badges.PARALLEL_AT = 1
credstack.site.plugin.PARALLEL_PAGES_AT = 1
credstack.site.tree.PARALLEL_AT = 1
from mkdocs.__main__ import cli
sys.argv = ["mkdocs", *sys.argv[1:]]
cli()
"""


def build(root: Path, site: Path, epoch: int, *, plain: bool) -> str:
    config = root / "mkdocs.yml"
    if plain:
        text = config.read_text("utf-8")
        text = re.sub(r"(?m)^  - credstack:?$", "  - credstack:\n      cache: false", text)
        assert "cache: false" in text
        config = root / "mkdocs-plain.yml"
        config.write_text(text, "utf-8")
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": str(epoch),
        "NO_MKDOCS_2_WARNING": "1",
        "CREDSTACK_WORKERS": "1" if plain else "2",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LOW_THRESHOLDS,
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(site),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output
    return output


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def assert_same_site(fast: Path, plain: Path) -> None:
    a, b = tree(fast), tree(plain)
    assert sorted(set(a) ^ set(b)) == []
    assert [k for k in a if a[k] != b[k]] == []
    assert not any(name.startswith(".") for name in os.listdir(fast))


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    root = scratch_registry(tmp_path_factory.mktemp("fast"), with_issued=True)
    award(
        root,
        AwardInput(
            achievement="facilitation-fundamentals",
            name='<img src=x onerror=alert(1)> & "Łódź"',
            email="hostile@example.org",
            issued_at=at("2026-01-15"),
            result="pass",
            evidence=(Evidence("javascript:alert(1)", "javascript:alert(1)"),),
        ),
    )
    return root


def test_reusing_and_parallel_builds_make_the_same_site(registry, tmp_path):
    epoch = int(time.time())
    build(registry, tmp_path / "fast", epoch, plain=False)
    build(registry, tmp_path / "plain", epoch, plain=True)
    assert_same_site(tmp_path / "fast", tmp_path / "plain")

    # The registry changes; the fast path rebuilds into the same folder with its cache.
    plan = award(
        registry,
        AwardInput(
            achievement="session-design",
            name="Late Candidate",
            email="late@example.org",
            issued_at=at("2026-02-01"),
        ),
    )
    reg = Registry(registry)
    victim = sorted(c for c in reg.credentials if reg.current_status(c).revoked is None)[0]
    change_status(
        reg,
        victim,
        "revoked",
        key=loaded_test_key(registry),
        when=at("2026-02-02"),
        reason="test",
    )
    (tmp_path / "fast" / "credentials" / victim / "stray.txt").write_text("left over")
    again = build(registry, tmp_path / "fast", epoch, plain=False)
    assert "verified now" in again
    build(registry, tmp_path / "plain2", epoch, plain=True)
    assert_same_site(tmp_path / "fast", tmp_path / "plain2")
    assert (tmp_path / "fast" / "credentials" / plan.awarded[0].cid / "index.html").is_file()
    page = (tmp_path / "fast" / "credentials" / victim / "index.html").read_text("utf-8")
    assert "Revoked" in page


def test_kept_pages_follow_every_input(registry, tmp_path, monkeypatch):
    """Credential pages kept in the cache by their inputs (site/credpages.py) are made again
    when any input changes, one at a time: the build date; a suspension (the holder's progress
    on their other pages) and a correction (links on two pages); the program, a lean build and
    a public log.
    Each time the site equals a build from nothing."""
    root = tmp_path / "copy"
    shutil.copytree(registry, root, ignore=shutil.ignore_patterns("site", "fast", "plain*"))
    epoch = int(time.time())
    build(root, tmp_path / "fast", epoch, plain=False)  # fills the cache

    def same(step: str, when: int) -> None:
        build(root, tmp_path / "fast", when, plain=False)
        build(root, tmp_path / step, when, plain=True)
        assert_same_site(tmp_path / "fast", tmp_path / step)

    later = epoch + 3 * 86400
    same("later", later)

    reg = Registry(root)
    in_force = [
        c
        for c, v in reg.credentials.items()
        if reg.current_status(c).in_force
        and (v.valid_until is None or v.valid_until.timestamp() > later)
    ]
    by_holder: dict[str, list[str]] = {}
    for cid in in_force:
        by_holder.setdefault(reg.credentials[cid].recipient or "", []).append(cid)
    # A holder of two achievements on one pathway: suspending one changes the progress shown
    # on the other's page.
    members = [set(p.components()) for p in reg.program.pathways.values()]
    holder = next(
        [a, b]
        for cids in by_holder.values()
        for a in cids
        for b in cids
        if reg.credentials[a].achievement_id != reg.credentials[b].achievement_id
        and any(
            {reg.credentials[a].achievement_id, reg.credentials[b].achievement_id} <= m
            for m in members
        )
    )
    key = loaded_test_key(root)
    change_status(reg, holder[0], "suspended", key=key, when=at("2026-02-03"), reason="test")
    reg = Registry(root)
    for corrected in (c for c in in_force if c not in holder):
        try:  # the first whose prerequisites the recipient held on the award's date
            reissue(reg, corrected, key=key, now=at("2026-02-04"), name="Corrected Name")
            break
        except AwardError:
            continue
    else:
        pytest.fail("no credential could be corrected")
    same("changed", later)

    achievement = next((root / "program" / "achievements").glob("*.yml"))
    text = achievement.read_text("utf-8")
    achievement.write_text(
        re.sub(r"(?m)^name: (.*)$", r"name: \1 (renamed)", text, count=1), "utf-8"
    )
    same("renamed", later)
    config = root / "mkdocs.yml"
    config.write_text(
        re.sub(r"(?m)^  - credstack$", "  - credstack:\n      lean: true", config.read_text()),
        "utf-8",
    )
    same("lean", later)

    # A public log begins: every page now names its checkpoint for early loading.
    log_key = SigningKey.from_seed(bytes([0x42] * 32))  # TEST-ONLY log key
    init_log(
        Registry(root),
        public_key_multibase=log_key.public_key_multibase,
        key_id="log-test",
        created=at("2026-02-05"),
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-keys"))
    monkeypatch.setenv(LOG_KEY_ENV, "")
    same("log-unsigned", later)  # (a pull request's build: no log key, no checkpoint)
    page = next((tmp_path / "fast").glob("credentials/*/index.html")).read_text("utf-8")
    assert "log/checkpoint" not in page
    monkeypatch.setenv(LOG_KEY_ENV, log_key.to_multibase_secret())
    same("logged", later)
    page = next((tmp_path / "fast").glob("credentials/*/index.html")).read_text("utf-8")
    assert "log/checkpoint" in page


def test_a_changed_byte_is_never_covered_by_the_cache(registry, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(registry, root, ignore=shutil.ignore_patterns("site", "fast", "plain*"))
    epoch = int(time.time())
    build(root, tmp_path / "site", epoch, plain=False)  # fills the cache
    target = sorted((root / "issued" / "credentials").glob("*.json"))[-1]
    doc = json.loads(target.read_text("utf-8"))
    doc["name"] = doc.get("name", "") + " "  # one more byte, same JSON shape
    target.write_text(json.dumps(doc, indent=2), "utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode != 0
    assert f"issued/credentials/{target.name}" in result.stderr
    assert "do not verify" in result.stderr
