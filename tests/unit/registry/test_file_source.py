"""FileSource (registry/source.py) lists and reads a work tree: regular files in walk order
(a folder's files sorted, then its subfolders sorted), every symbolic link apart (to a file, to
a folder, broken: never followed), and reads only regular files."""

from __future__ import annotations

from pathlib import Path

from credstack.registry.source import FileSource


def tree(root: Path) -> Path:
    (root / "issued/a/b/empty").mkdir(parents=True)
    (root / "issued/z.json").write_text("1")
    (root / "issued/a/b/c.json").write_text("2")
    (root / "issued/a/y.json").write_text("3")
    (root / "issued/link.json").symlink_to(root / "issued/z.json")
    (root / "issued/a/dirlink").symlink_to(root / "issued/a/b")
    (root / "issued/broken").symlink_to(root / "nothing")
    return root


def test_files_and_links_are_listed_apart_in_walk_order(tmp_path):
    source = FileSource(tree(tmp_path))
    assert source.files("issued") == ["issued/z.json", "issued/a/y.json", "issued/a/b/c.json"]
    assert sorted(source.links("issued")) == [
        "issued/a/dirlink",
        "issued/broken",
        "issued/link.json",
    ]
    assert source.files("issued/a/b") == ["issued/a/b/c.json"]
    assert source.files("missing") == [] and source.links("missing") == []


def test_a_linked_folder_is_a_link_not_a_folder(tmp_path):
    tree(tmp_path)
    (tmp_path / "other").mkdir()
    (tmp_path / "other/x.json").write_text("4")
    (tmp_path / "linked").symlink_to(tmp_path / "other")
    source = FileSource(tmp_path)
    assert source.files("linked") == [] and source.links("linked") == ["linked"]


def test_only_regular_files_are_read(tmp_path):
    source = FileSource(tree(tmp_path))
    wanted = ["issued/z.json", "issued/link.json", "issued/broken", "issued/a", "issued/nope"]
    assert source.read([*wanted, "issued/a/b/c.json"]) == {
        "issued/z.json": b"1",
        "issued/a/b/c.json": b"2",
    }
