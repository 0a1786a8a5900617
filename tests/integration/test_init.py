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


def git(root: Path, *args: str) -> str:
    run = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return run.stdout


#: A syntactically valid pinned source (these tests never install it; test_init_install does).
SOURCE = "git+https://github.com/credstack/credstack@" + "0123456789abcdef" * 2 + "01234567"
EMAIL = "credentials@acme-academy.example"


@pytest.fixture(autouse=True)
def git_identity(monkeypatch, tmp_path):
    """The first commit needs an author; CI machines have no global git identity. Private
    files the CLI keeps outside the registry go to tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for var in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{var}_NAME", "Test Issuer")
        monkeypatch.setenv(f"{var}_EMAIL", "issuer@acme-academy.example")


def init(target: Path, *extra: str, email: str | None = EMAIL) -> tuple[int, str]:
    args = ["init", str(target), "--credstack-source", SOURCE, *extra]
    if "--site-url" not in extra:
        args += ["--site-url", SITE]
    if "--name" not in extra:
        args += ["--name", "Acme Academy"]
    if email is not None:
        args += ["--email", email]
    return cli(*args)


def award_ada(
    target: Path, *extra: str, name: str = "Ada", result: str = "pass"
) -> tuple[int, str]:
    """`credstack award data-foundations` for Ada, assessed by the scaffold's first assessor."""
    return cli(
        "-C", str(target), "award", "data-foundations", "--name", name,
        "--email", "ada@example.org", "--result", result, "--assessor", "first-assessor", *extra,
    )  # fmt: skip


def test_init_writes_a_git_repository_whose_first_commit_lints_strict_and_checks_clean(tmp_path):
    target = tmp_path / "registry"
    code, out = init(target)
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
        "requirements.txt",
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
    assert program.issuer.url == SITE and program.issuer.email == EMAIL
    # A git repository on main whose first commit holds every file: nothing left to add.
    assert git(target, "branch", "--show-current").strip() == "main"
    assert git(target, "status", "--porcelain") == ""
    assert "first commit:" in out
    code, out = cli("-C", str(target), "lint", "--strict")
    assert code == 0, out
    code, out = cli("-C", str(target), "check", "--base", "main", "--strict")
    assert code == 0, out
    text = "".join((target / f).read_text() for f in ("README.md", "mkdocs.yml"))
    assert "%%" not in text


def test_init_without_a_terminal_requires_the_site_url_and_the_name(tmp_path):
    code, out = cli("init", str(tmp_path / "r"), "--credstack-source", SOURCE)
    assert code == 1
    assert "needs the site URL and the organisation's name" in out
    assert "--site-url https://<owner>.github.io/<repository>/" in out
    assert not (tmp_path / "r").exists()


def test_init_refuses_the_placeholder_site_url(tmp_path):
    code, out = init(tmp_path / "r", "--site-url", PLACEHOLDER_SITE_URL)
    assert code == 1
    assert "is the documentation's placeholder" in out
    assert not (tmp_path / "r").exists()


def test_readme_gives_the_first_five_steps():
    readme = template_files()["README.md"].decode()
    section = readme.split("## The first five steps", 1)[1].split("\n## ", 1)[0]
    numbers = ["1. ", "2. ", "3. ", "4. ", "5. "]
    steps = [line.lower() for line in section.splitlines() if line[:3] in numbers]
    assert [s[:3] for s in steps] == numbers
    for words, step in zip(
        ("keys create", "push to github", "award", "pull request", "pages"), steps, strict=True
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


def test_keys_create_and_award_refuse_the_placeholder_email_and_the_hint_fixes_it(tmp_path):
    target = tmp_path / "r"
    code, out = init(target, email=None)
    assert code == 0, out
    assert "set email in program/issuer.yml" in out
    key_dir = tmp_path / "keys"
    code, out = cli("-C", str(target), "keys", "create", "--key-dir", str(key_dir))
    assert code == 1
    assert "email is the placeholder credentials@example.org" in out
    assert "set email in program/issuer.yml" in out
    assert not key_dir.exists()
    # Follow the hint: the same command then works.
    issuer = target / "program" / "issuer.yml"
    issuer.write_text(issuer.read_text().replace("credentials@example.org", EMAIL))
    code, out = cli("-C", str(target), "keys", "create", "--key-dir", str(key_dir))
    assert code == 0, out


def test_award_refuses_a_placeholder_site_url_left_by_an_older_init(tmp_path):
    target = tmp_path / "r"
    assert init(target)[0] == 0
    key_dir = tmp_path / "keys"
    assert cli("-C", str(target), "keys", "create", "--key-dir", str(key_dir))[0] == 0
    mkdocs = target / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text().replace(SITE, PLACEHOLDER_SITE_URL))
    before = sorted(p.name for p in (target / "issued").rglob("*"))
    code, out = award_ada(target, "--key", str(next(key_dir.glob("*.key"))))
    assert code == 1
    assert "cannot award" in out and "site_url is the placeholder" in out
    assert "set site_url in mkdocs.yml" in out
    assert sorted(p.name for p in (target / "issued").rglob("*")) == before


def test_a_key_made_before_site_url_changed_is_still_found(tmp_path, monkeypatch):
    target = tmp_path / "r"
    assert init(target)[0] == 0
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CREDSTACK_SIGNING_KEY", raising=False)
    assert cli("-C", str(target), "keys", "create")[0] == 0
    other = "https://acme.example/credentials/"
    mkdocs = target / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text().replace(SITE, other))
    code, out = award_ada(target)
    assert code == 0, out


def test_refuses_a_non_empty_folder_and_writes_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    code, out = init(tmp_path)
    assert code == 1
    assert "is not empty" in out and "--force" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_force_writes_only_missing_files_and_lists_the_kept_ones(tmp_path):
    (tmp_path / "README.md").write_text("my own readme\n")
    (tmp_path / "program").mkdir()
    (tmp_path / "program" / "issuer.yml").write_text("name: Mine\n")
    code, out = init(tmp_path, "--force", "--no-commit")
    assert code == 0, out
    assert (tmp_path / "README.md").read_text() == "my own readme\n"
    assert (tmp_path / "program" / "issuer.yml").read_text() == "name: Mine\n"
    assert "kept  README.md (it exists; not overwritten)" in out
    assert "kept  program/issuer.yml" in out
    assert (tmp_path / "mkdocs.yml").is_file()


def test_a_fresh_clone_counts_as_empty(tmp_path):
    git(tmp_path, "init", "-q")
    code, out = init(tmp_path)
    assert code == 0, out
    assert "made it a git repository" not in out  # it was one


def test_rejects_a_site_url_that_is_not_absolute(tmp_path):
    code, out = init(tmp_path / "r", "--site-url", "acme.github.io/x")
    assert code == 1
    assert "not an absolute http(s) URL" in out
    assert not (tmp_path / "r").exists()


def test_name_with_yaml_specials_is_quoted(tmp_path):
    name = 'Acme: "Data" & Co # 1'
    assert init(tmp_path / "r", "--name", name)[0] == 0
    assert Registry(tmp_path / "r").program.issuer.name == name


def test_requirements_pin_credstack_to_a_commit_never_a_bare_index_name(tmp_path):
    assert init(tmp_path / "r")[0] == 0
    lines = [
        line
        for line in (tmp_path / "r" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == ["credstack @ " + SOURCE]


@pytest.mark.parametrize(
    "source",
    [
        "git+https://github.com/credstack/credstack@main",
        "git+https://github.com/credstack/credstack",
        "credstack==0.1.0",
        "/no/such/credstack-0.1.0-py3-none-any.whl",
    ],
)
def test_init_refuses_a_credstack_source_that_is_not_pinned_or_does_not_exist(tmp_path, source):
    code, out = cli(
        "init",
        str(tmp_path / "r"),
        "--site-url",
        SITE,
        "--name",
        "A",
        "--credstack-source",
        source,
    )
    assert code == 1, out
    assert "hint:" in out and "commit" in out
    assert not (tmp_path / "r").exists()


def test_init_commits_a_given_wheel_under_vendor(tmp_path):
    wheel = tmp_path / "credstack-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: copied, not installed here
    code, out = cli(
        "init",
        str(tmp_path / "r"),
        "--site-url",
        SITE,
        "--name",
        "A",
        "--credstack-source",
        str(wheel),
    )
    assert code == 0, out
    assert (tmp_path / "r" / "vendor" / wheel.name).read_bytes() == wheel.read_bytes()
    assert (
        "./vendor/credstack-0.1.0-py3-none-any.whl"
        in (tmp_path / "r" / "requirements.txt").read_text()
    )


def test_keys_award_check_and_mkdocs_build_end_to_end(tmp_path):
    target = tmp_path / "registry"
    assert init(target)[0] == 0
    key_dir = tmp_path / "keys"
    code, out = cli("-C", str(target), "keys", "create", "--key-dir", str(key_dir))
    assert code == 0, out
    (key,) = key_dir.glob("*.key")
    git(target, "switch", "-q", "-c", "award")
    code, out = award_ada(target, "--key", str(key), name="Ada Lovelace", result="merit")
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


def test_init_on_a_terminal_asks_for_the_site_url_name_and_email(tmp_path):
    """A person typing `credstack init DIR` at a terminal is asked; nothing is required on the
    command line but the folder (and here the source, as this checkout has no public origin)."""
    import pty

    target = tmp_path / "r"
    leader, follower = pty.openpty()
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@t.invalid",
        "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@t.invalid",
    }  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "credstack.cli", "init", str(target), "--credstack-source", SOURCE],
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    os.close(follower)
    for answer in (SITE, "Acme Academy", EMAIL):
        os.write(leader, (answer + "\n").encode())
    out = proc.communicate(timeout=120)[0].decode()
    os.close(leader)
    assert proc.returncode == 0, out
    assert (
        "Site URL" in out and "Name of the issuing organisation" in out and "Contact email" in out
    )
    program = Registry(target).program
    assert (program.site_url, program.issuer.name, program.issuer.email) == (
        SITE,
        "Acme Academy",
        EMAIL,
    )
