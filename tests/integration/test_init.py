"""`credstack init`: a new registry that lints, checks, awards and builds from the first minute."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from credstack.cli import main
from credstack.registry.registry import Registry
from credstack.registry.scaffold import PLACEHOLDER_SITE_URL, template_files

SITE = "https://acme-academy.github.io/credentials/"


def cli(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
    return code, out.getvalue() + err.getvalue()


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_init_writes_a_registry_that_lints_strict_and_checks_clean(tmp_path):
    target = tmp_path / "registry"
    code, out = cli("init", str(target), "--name", "Acme Academy", "--site-url", SITE)
    assert code == 0, out
    for rel in (
        "README.md",
        "mkdocs.yml",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/check.yml",
        ".github/workflows/pages.yml",
        ".github/workflows/award.yml",
        "program/issuer.yml",
        "site_src/index.md",
        "site_src/verify.md",
        "issued/status-log.yml",
    ):
        assert (target / rel).is_file(), rel
    program = Registry(target).program
    assert sorted(a.level for a in program.achievements.values()) == [
        "certification",
        "foundation",
        "practitioner",
    ]
    assert len(program.pathways) == 1
    assert program.site_url == SITE and program.issuer.name == "Acme Academy"
    code, out = cli("-C", str(target), "lint", "--strict")
    assert code == 0, out
    git(target, "init", "-q", "-b", "main")
    code, out = cli("-C", str(target), "check", "--base", "HEAD", "--strict")
    assert code == 0, out
    text = "".join((target / f).read_text() for f in ("README.md", "mkdocs.yml"))
    assert "%%" not in text


def test_readme_gives_the_first_five_steps():
    readme = template_files()["README.md"].decode()
    section = readme.split("## The first five steps", 1)[1].split("\n## ", 1)[0]
    numbers = ["1. ", "2. ", "3. ", "4. ", "5. "]
    steps = [line.lower() for line in section.splitlines() if line[:3] in numbers]
    assert [s[:3] for s in steps] == numbers
    for words, step in zip(
        ("keys create", "site_url", "award", "pull request", "pages"), steps, strict=True
    ):
        assert words in step, step


def test_readme_walks_one_application_from_form_to_published_credential():
    readme = template_files()["README.md"].decode()
    walk = readme.split("## One application, from form to credential", 1)[1].split("\n## ", 1)[0]
    steps = [line for line in walk.splitlines() if line[:3] in ("1. ", "2. ", "3. ", "4. ", "5. ")]
    for words, step in zip(
        ("applies", "checked", "assessed", "award", "publish"), steps, strict=True
    ):
        assert words in step.lower(), step
    for command in ("credstack application read", "credstack application award", "gh label"):
        assert command in walk
    assert "Appeal a decision" in walk and "status log" in walk
    assert "never asks for her email" in walk


def test_default_site_url_is_a_placeholder_that_check_refuses_to_issue_under(tmp_path):
    target = tmp_path / "r"
    assert cli("init", str(target))[0] == 0
    assert Registry(target).program.site_url == PLACEHOLDER_SITE_URL
    key_dir = tmp_path / "keys"
    assert cli("-C", str(target), "keys", "create", "--key-dir", str(key_dir))[0] == 0
    key = next(key_dir.glob("*.key"))
    code, out = cli(
        "-C",
        str(target),
        "award",
        "data-foundations",
        "--name",
        "Ada",
        "--email",
        "ada@example.org",
        "--result",
        "pass",
        "--assessor",
        "first-assessor",
        "--key",
        str(key),
    )
    assert code == 0, out
    code, out = cli("-C", str(target), "check")
    assert code == 1
    assert "mkdocs.yml: site-url-set: credentials are issued under the placeholder" in out


def test_refuses_a_non_empty_folder_and_writes_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    code, out = cli("init", str(tmp_path))
    assert code == 1
    assert "is not empty" in out and "--force" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_force_writes_only_missing_files_and_lists_the_kept_ones(tmp_path):
    (tmp_path / "README.md").write_text("my own readme\n")
    (tmp_path / "program").mkdir()
    (tmp_path / "program" / "issuer.yml").write_text("name: Mine\n")
    code, out = cli("init", str(tmp_path), "--force")
    assert code == 0, out
    assert (tmp_path / "README.md").read_text() == "my own readme\n"
    assert (tmp_path / "program" / "issuer.yml").read_text() == "name: Mine\n"
    assert "kept  README.md (it exists; not overwritten)" in out
    assert "kept  program/issuer.yml" in out
    assert (tmp_path / "mkdocs.yml").is_file()


def test_a_fresh_clone_counts_as_empty(tmp_path):
    git(tmp_path, "init", "-q")
    code, out = cli("init", str(tmp_path))
    assert code == 0, out


def test_rejects_a_site_url_that_is_not_absolute(tmp_path):
    code, out = cli("init", str(tmp_path / "r"), "--site-url", "acme.github.io/x")
    assert code == 1
    assert "not an absolute http(s) URL" in out
    assert not (tmp_path / "r").exists()


def test_name_with_yaml_specials_is_quoted(tmp_path):
    name = 'Acme: "Data" & Co # 1'
    assert cli("init", str(tmp_path / "r"), "--name", name)[0] == 0
    assert Registry(tmp_path / "r").program.issuer.name == name


def test_keys_award_check_and_mkdocs_build_end_to_end(tmp_path):
    target = tmp_path / "registry"
    assert cli("init", str(target), "--site-url", SITE, "--name", "Acme Academy")[0] == 0
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "credstack init")
    key_dir = tmp_path / "keys"
    code, out = cli("-C", str(target), "keys", "create", "--key-dir", str(key_dir))
    assert code == 0, out
    (key,) = key_dir.glob("*.key")
    git(target, "switch", "-q", "-c", "award")
    code, out = cli(
        "-C",
        str(target),
        "award",
        "data-foundations",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
        "--result",
        "merit",
        "--assessor",
        "first-assessor",
        "--key",
        str(key),
    )
    assert code == 0, out
    code, out = cli("-C", str(target), "check", "--base", "main")
    assert code == 1 and "key-added-acknowledged" in out, "the first key needs acknowledgement"
    code, out = cli("-C", str(target), "check", "--base", "main", "--allow-key-change")
    assert code == 0, out
    assert "(1 new): 1 verified" in out
    if importlib.util.find_spec("credstack.site.plugin") is None:
        pytest.skip("the credstack MkDocs plugin (credstack.site.plugin) is not there yet")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=target,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    cid = next((target / "issued" / "credentials").glob("*.json")).stem
    assert (target / "site" / "credentials" / cid / "index.html").is_file()
    assert (target / "site" / "did.json").is_file()
