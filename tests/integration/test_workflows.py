"""The GitHub workflows and pre-commit hooks (this repository's and `credstack init`'s) parse,
pin their actions, and call only commands and flags that exist."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest
import yaml
from mkdocs.__main__ import cli as mkdocs_cli

from credstack.cli import build_parser
from credstack.registry.scaffold import template_files

REPO = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^\s*(?:-\s*)?uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40})\s+#\s*v\d+(\.\d+)*\s*$")
OFFICIAL_PAGES = {
    "actions/configure-pages",
    "actions/upload-pages-artifact",
    "actions/deploy-pages",
}


def repo_workflows() -> dict[str, str]:
    folder = REPO / ".github" / "workflows"
    return {f"repo:{p.name}": p.read_text() for p in sorted(folder.glob("*.yml"))}


def scaffold_workflows() -> dict[str, str]:
    files = template_files()
    return {
        f"init:{Path(rel).name}": data.decode()
        for rel, data in files.items()
        if rel.startswith(".github/workflows/")
    }


WORKFLOWS = {**repo_workflows(), **scaffold_workflows()}


def load(text: str) -> dict:
    doc = yaml.safe_load(text)
    if True in doc:  # YAML 1.1 reads the key `on` as true
        doc["on"] = doc.pop(True)
    return doc


def run_blocks(doc: dict) -> list[str]:
    return [step["run"] for job in doc["jobs"].values() for step in job["steps"] if "run" in step]


def commands(block: str, program: str) -> list[list[str]]:
    """The argument lists of every ``program`` invocation in a shell block."""
    text = block.replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        for part in re.split(r"\|\||&&|[|;]", line):
            try:
                words = shlex.split(part, comments=True)
            except ValueError:
                words = part.split()
            if program in words:
                found.append(words[words.index(program) + 1 :])
    return found


def subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert name in action.choices, f"credstack has no subcommand {name!r}"
    return action.choices[name]


def assert_credstack_call(words: list[str]) -> None:
    parser = build_parser()
    options = set(parser._option_string_actions)
    while words and words[0].startswith("-"):  # global options such as -C DIR
        words = words[2:] if words[0] in ("-C", "--root") else words[1:]
    assert words, "credstack without a subcommand"
    sub = subparser(parser, words[0])
    allowed = options | set(sub._option_string_actions)
    for word in words[1:]:
        if word.startswith("--"):
            assert word.split("=")[0] in allowed, f"credstack {words[0]} has no option {word}"


def assert_mkdocs_call(words: list[str]) -> None:
    assert words and words[0] in mkdocs_cli.commands, f"mkdocs has no command {words[:1]}"
    command = mkdocs_cli.commands[words[0]]
    allowed = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    for word in words[1:]:
        if word.startswith("-"):
            assert word in allowed, f"mkdocs {words[0]} has no option {word}"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_workflow_parses_and_calls_existing_commands(name):
    doc = load(WORKFLOWS[name])
    assert doc["name"] and doc["on"] and doc["jobs"]
    calls = 0
    for block in run_blocks(doc):
        for words in commands(block, "credstack"):
            assert_credstack_call(words)
            calls += 1
        for words in commands(block, "mkdocs"):
            assert_mkdocs_call(words)
            calls += 1
            assert "-q" not in words and "--quiet" not in words, "-q hides --strict warnings"
    assert calls, f"{name} runs neither credstack nor mkdocs"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_action_is_pinned_to_a_commit_with_its_version(name):
    lines = [line for line in WORKFLOWS[name].splitlines() if re.match(r"^\s*(-\s*)?uses:", line)]
    assert lines
    for line in lines:
        match = PINNED.match(line)
        assert match, f"not pinned to a full SHA with a version comment: {line.strip()}"
        assert match.group(1).startswith("actions/"), "only GitHub's own actions"


def test_the_same_action_version_is_pinned_everywhere():
    pins: dict[str, set[str]] = {}
    for text in WORKFLOWS.values():
        for line in text.splitlines():
            if match := PINNED.match(line):
                pins.setdefault(match.group(1), set()).add(match.group(2))
    assert pins and all(len(shas) == 1 for shas in pins.values()), pins


@pytest.mark.parametrize("where", ["repo", "init"])
def test_check_workflow_compares_with_the_target_branch(where):
    doc = load(WORKFLOWS[f"{where}:check.yml"])
    assert "pull_request" in doc["on"]
    (job,) = doc["jobs"].values()
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    gate = next(s for s in job["steps"] if "credstack check" in s.get("run", ""))
    assert '--base "origin/$BASE_REF"' in gate["run"]
    assert gate["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert any(s.get("run") == "mkdocs build --strict" for s in job["steps"])


@pytest.mark.parametrize("where", ["repo", "init"])
def test_pages_workflow_deploys_with_the_official_actions(where):
    doc = load(WORKFLOWS[f"{where}:pages.yml"])
    assert doc["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in doc["on"]
    assert doc["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert doc["concurrency"]["group"] == "pages"
    used = {
        s["uses"].split("@")[0] for job in doc["jobs"].values() for s in job["steps"] if "uses" in s
    }
    assert used >= OFFICIAL_PAGES
    build = doc["jobs"]["build"]["steps"]
    assert any(s.get("run") == "mkdocs build --strict" for s in build)
    assert doc["jobs"]["deploy"]["environment"]["name"] == "github-pages"


@pytest.mark.parametrize("where", ["repo", "init"])
def test_award_workflow_masks_the_email_and_opens_a_pull_request(where):
    text = WORKFLOWS[f"{where}:award.yml"]
    doc = load(text)
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"achievement", "name", "email", "evidence", "result", "public_profile"}
    steps = doc["jobs"]["award"]["steps"]
    assert "::add-mask::" in steps[0]["run"], "mask the email before any step can print it"
    assert "inputs.email" not in str(steps[0].get("env", "")), "a step's env is logged"
    award = next(s for s in steps if "credstack award" in s.get("run", ""))
    assert award["env"]["CREDSTACK_SIGNING_KEY"] == "${{ secrets.CREDSTACK_SIGNING_KEY }}"
    assert "--roster sealed" in award["run"], "the email goes only into a sealed roster row"
    assert "${{" not in award["run"], "inputs reach the shell through env, never inline"
    pr = next(s for s in steps if "gh pr create" in s.get("run", ""))
    assert pr["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert "visible to people who administer the repository" in text


PIP_CACHE_PATH = "\n          cache-dependency-path: pyproject.toml"


def test_scaffold_workflows_match_this_repositorys_except_how_credstack_is_installed():
    for name in ("check.yml", "pages.yml", "award.yml", "renewals.yml"):
        ours = WORKFLOWS[f"repo:{name}"].replace(
            "\n          cache-dependency-path: pyproject.toml", ""
        )
        ours = ours.replace("pip install -e .", "pip install -r requirements.txt")
        assert ours == WORKFLOWS[f"init:{name}"], name


def test_pre_commit_hook_definition():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "credstack-check"
    assert hook["entry"] == "credstack check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    assert_credstack_call(["check", *hook.get("args", [])])


@pytest.mark.parametrize("where", ["repo", "init"])
def test_pre_commit_config_runs_the_check_locally(where):
    if where == "repo":
        text = (REPO / ".pre-commit-config.yaml").read_text()
    else:
        text = template_files()[".pre-commit-config.yaml"].decode()
    config = yaml.safe_load(text)
    (local,) = [r for r in config["repos"] if r["repo"] == "local"]
    hook = next(h for h in local["hooks"] if h["id"] == "credstack-check")
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    words = shlex.split(hook["entry"])
    assert words[0] == "credstack"
    assert_credstack_call(words[1:])


def test_the_checker_of_this_test_catches_a_wrong_flag():
    with pytest.raises(AssertionError, match="has no option --basis"):
        assert_credstack_call(["check", "--basis", "origin/main"])
    with pytest.raises(AssertionError, match="no subcommand 'chek'"):
        assert_credstack_call(["chek"])
    with pytest.raises(AssertionError, match="mkdocs build has no option --strictly"):
        assert_mkdocs_call(["build", "--strictly"])


@pytest.mark.parametrize("where", ["repo", "init"])
def test_renewals_workflow_opens_one_issue_a_month_without_emails(where):
    doc = load(WORKFLOWS[f"{where}:renewals.yml"])
    assert doc["on"]["schedule"] == [{"cron": "17 6 1 * *"}]
    assert doc["permissions"] == {"contents": "read", "issues": "write"}
    steps = doc["jobs"]["renewals"]["steps"]
    listing = next(s for s in steps if "credstack renewals" in s.get("run", ""))
    assert "--markdown" in listing["run"] and "--roster" not in listing["run"]
    opening = next(s for s in steps if "gh issue create" in s.get("run", ""))
    assert "already opened" in opening["run"], "one issue a month, even when run twice"
    assert "secrets." not in WORKFLOWS[f"{where}:renewals.yml"]
