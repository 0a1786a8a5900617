"""The credentials/ folder carried over between builds ends up as a build from nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from credstack.site import tree


def cache_files(tmp_path: Path, names: list[str]) -> dict[str, Path]:
    folder = tmp_path / "cache"
    folder.mkdir(exist_ok=True)
    out = {}
    for name in names:
        path = folder / name
        path.write_text(f"content of {name}")
        out[name] = path
    return out


def listing(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_rebuilds_end_as_a_fresh_build(tmp_path, workers, monkeypatch):
    monkeypatch.setattr(tree, "PARALLEL_AT", 1)
    c = cache_files(tmp_path, ["p1", "p2", "j1", "j2", "j3", "new"])
    site = tmp_path / "site"
    site.mkdir()
    first = {
        "a": {"index.html": c["p1"], "credential.json": c["j1"]},
        "b": {"index.html": c["p2"], "credential.json": c["j2"]},
    }
    tree.finish(site, first, workers=workers)
    assert listing(site / "credentials") == {
        "a/index.html": "content of p1",
        "a/credential.json": "content of j1",
        "b/index.html": "content of p2",
        "b/credential.json": "content of j2",
    }
    assert os.stat(site / "credentials" / "a" / "index.html").st_ino == os.stat(c["p1"]).st_ino
    # Next build: MkDocs would empty the site folder; the plugin moves credentials/ aside.
    (site / "credentials" / "a" / "stray.txt").write_text("stray")
    (site / "credentials" / "gone").mkdir()
    (site / "credentials" / "gone" / "index.html").write_text("old")
    (site / "credentials" / "b" / "index.html").unlink()
    (site / "credentials" / "b" / "index.html").write_text("modified")
    tree.keep(site)
    assert not (site / "credentials").exists() and (site / tree.KEPT).is_dir()
    # What the site's own sources put under credentials/ during the build.
    (site / "credentials" / "a").mkdir(parents=True)
    (site / "credentials" / "a" / "notes.txt").write_text("from docs")
    (site / "credentials" / "a" / "index.html").write_text("docs file that clashes")
    second = {
        "a": {"index.html": c["p1"], "credential.json": c["j3"]},
        "b": {"index.html": c["p2"], "credential.json": c["j2"]},
        "c": {"index.html": c["new"]},
    }
    tree.finish(site, second, workers=workers)
    assert listing(site / "credentials") == {
        "a/index.html": "content of p1",
        "a/credential.json": "content of j3",
        "a/notes.txt": "from docs",
        "b/index.html": "content of p2",
        "b/credential.json": "content of j2",
        "c/index.html": "content of new",
    }
    assert sorted(os.listdir(site)) == ["credentials"]
    assert listing(tmp_path / "cache")["p2"] == "content of p2"  # never written through


def test_discard_forgets_a_kept_folder(tmp_path):
    site = tmp_path / "site"
    (site / "credentials" / "x").mkdir(parents=True)
    tree.keep(site)
    tree.discard(site)
    assert os.listdir(site) == []
