"""The content-addressed build cache."""

from __future__ import annotations

import hashlib

from credstack.site.cache import BuildCache, content_key


def test_keys_depend_on_every_part_and_its_boundaries():
    assert content_key("a", b"b") == content_key("a", b"b")
    assert content_key("ab", "") != content_key("a", "b")
    assert content_key({"x": 1, "y": 2}) == content_key({"y": 2, "x": 1})


def test_file_is_made_once(tmp_path):
    cache = BuildCache(tmp_path)
    calls = []
    make = lambda: calls.append(1) or b"data"  # noqa: E731
    first = cache.file("img", content_key("k"), "png", make)
    again = BuildCache(tmp_path).file("img", content_key("k"), "png", make)
    assert first == again and first.read_bytes() == b"data" and len(calls) == 1


def test_prune_removes_only_unused_entries(tmp_path):
    old = BuildCache(tmp_path)
    stale = old.file("img", content_key("old"), "png", lambda: b"old")
    keep = old.file("img", content_key("new"), "png", lambda: b"new")
    stranger = tmp_path / "img" / "notes.txt"
    stranger.write_text("mine")
    cache = BuildCache(tmp_path)
    cache.file("img", content_key("new"), "png", lambda: b"new")
    assert cache.prune(("img",)) == 1
    assert not stale.exists() and keep.exists() and stranger.exists()


def test_disabled_cache_still_works():
    cache = BuildCache(None)
    path = cache.file("img", content_key("k"), "png", lambda: b"x")
    assert path.read_bytes() == b"x"


def test_store_names_entries_by_their_hash_and_writes_them_once(tmp_path):
    cache = BuildCache(tmp_path)
    path = cache.store("page", b"<html>", "html")
    assert path.name == hashlib.sha256(b"<html>").hexdigest() + ".html"
    mtime = path.stat().st_mtime_ns
    again = BuildCache(tmp_path)
    assert again.store("page", b"<html>", "html") == path and path.stat().st_mtime_ns == mtime
    assert again.has(path) and path in again.used


def test_prune_removes_temporary_files_of_an_interrupted_build(tmp_path):
    cache = BuildCache(tmp_path)
    entry = cache.store("img", b"x", "png")
    left = tmp_path / "img" / f".{entry.name}.abc123.tmp"
    left.write_bytes(b"half")
    assert BuildCache(tmp_path).prune(("img",)) == 2
    assert not left.exists() and not entry.exists()
