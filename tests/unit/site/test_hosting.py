"""Hosts' limits: a site near or past one is reported with its figures and the fix."""

from __future__ import annotations

import subprocess

from credstack.site import hosting
from credstack.site.hosting import SiteSize, findings, measure


def test_a_small_site_reaches_no_limit():
    assert findings(SiteSize(50_000_000, 3_000), credentials=1_000, lean=False) == []


def test_size_near_githubs_limit_names_the_figure_and_the_lean_option():
    (github, gitlab) = findings(SiteSize(850_000_000, 30_000), credentials=10_000, lean=False)[:2]
    assert (github.host.name, github.what, github.exceeded) == ("github-pages", "size", False)
    assert "nears a limit of GitHub Pages: the site is 850 MB, 85% of the 1.0 GB" in github.message
    assert "85 KB per credential, 10,000 credentials" in github.message
    assert "hint: set 'lean: true'" in github.message
    assert gitlab.host.name == "gitlab-pages"


def test_file_counts_and_a_lean_site_get_another_fix():
    found = findings(SiteSize(1_200_000_000, 210_000), credentials=100_000, lean=True)
    by_host = {(f.host.name, f.what): f for f in found}
    assert set(by_host) == {
        ("github-pages", "size"),
        ("gitlab-pages", "size"),
        ("gitlab-pages", "files"),
        ("cloudflare-pages", "files"),
    }
    files = by_host[("cloudflare-pages", "files")]
    assert files.exceeded and "exceeds a limit of Cloudflare Pages (free plan)" in files.message
    assert "210,000 files, 1050% of the 20,000 it allows (2.1 per credential" in files.message
    assert "already lean" in files.message and "lean: true" not in files.message


def test_below_the_threshold_nothing_is_said():
    limit = 20_000
    just_below = int(limit * hosting.NEAR) - 1
    assert not [
        f for f in findings(SiteSize(0, just_below), credentials=1, lean=False) if f.what == "files"
    ]
    assert findings(SiteSize(0, just_below + 1), credentials=1, lean=False)


def test_measure_counts_every_file_and_its_bytes(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.html").write_bytes(b"x" * 10)
    (tmp_path / "y.json").write_bytes(b"y" * 5)
    (tmp_path / "a" / "link.json").hardlink_to(tmp_path / "y.json")  # uploaded twice
    size = measure(tmp_path)
    assert (size.bytes, size.files) == (20, 3)


def test_the_tar_size_is_what_githubs_upload_action_makes(tmp_path, monkeypatch):
    """GNU tar as actions/upload-pages-artifact runs it (``--hard-dereference``, members
    ``./…``): the measured size is the archive's, to the byte, with folders, padding, a hard
    link stored twice and a name too long for a plain tar header."""
    site = tmp_path / "site"
    deep = site / "credentials" / "2026" / ("x" * 60) / ("y" * 40)
    deep.mkdir(parents=True)
    (deep / "credential.json").write_bytes(b"{}" * 700)
    # Names of exactly 100 bytes fit a plain header; 101 bytes take a long-name entry.
    for length in (99, 100, 101):
        name = "n" * (length - len("./"))
        (site / name).write_bytes(b"z")
    (site / "index.html").write_bytes(b"<p>" * 200)
    (site / "empty.txt").write_bytes(b"")
    (site / "credentials" / "same.json").hardlink_to(deep / "credential.json")
    archive = tmp_path / "artifact.tar"

    def tar(*options: str) -> int:
        subprocess.run(
            ["tar", "--hard-dereference", *options, "-C", str(site), "-cf", str(archive), "."],
            check=True,
        )
        return archive.stat().st_size

    size = measure(site)
    assert size.tar == tar()
    # To the block: tar's records of 20 blocks hide small differences, records of 1 do not.
    monkeypatch.setattr(hosting, "RECORD", hosting.BLOCK)
    assert measure(site).tar == tar("--blocking-factor=1")
    assert size.files == 7 and size.bytes == 1400 * 2 + 600 + 3


def test_github_pages_holds_the_upload_against_its_limit():
    size = SiteSize(900_000_000, 100_000, tar=1_010_000_000)
    found = {(f.host.name, f.what): f for f in findings(size, credentials=50_000, lean=True)}
    github = found[("github-pages", "size")]
    assert github.exceeded and github.value == 1_010_000_000
    assert "its upload (a tar archive of the site) is 1.0 GB, 101% of the 1.0 GB" in github.message
    gitlab = found[("gitlab-pages", "size")]
    assert not gitlab.exceeded and gitlab.value == 900_000_000  # GitLab: the files themselves
