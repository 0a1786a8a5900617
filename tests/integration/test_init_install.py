"""A registry made by `credstack init` passes its own check workflow on a fresh virtualenv.

The generated `requirements.txt` pins credstack to a git commit. Here that commit is a copy of
this checkout (`git+file://…@<commit>`, the same form as the default `git+https://…@<commit>`),
installed offline into a new virtualenv: `pip` gets the dependencies from a local wheelhouse
(`PIP_NO_INDEX`, `PIP_FIND_LINKS`) that `.ci/run` fills from the package index at install time.
Then every `run:` step of the generated `.github/workflows/check.yml` runs as written, on a pull
request branch that awards a credential and also edits `requirements.txt` to a credstack that
does not exist: the workflow installs what the target branch pins, so the gate still runs. A
second pull request adds a signing key: the gate step fails until the `key-change` label is on it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(os.environ.get("CREDSTACK_WHEELHOUSE", REPO / ".cache" / "wheelhouse"))
SITE = "https://acme-academy.github.io/credentials/"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Issuer",
    "GIT_AUTHOR_EMAIL": "issuer@acme-academy.example",
    "GIT_COMMITTER_NAME": "Test Issuer",
    "GIT_COMMITTER_EMAIL": "issuer@acme-academy.example",
}


def run(cmd: list[str] | str, cwd: Path, env: dict[str, str] | None = None, **kw):
    result = subprocess.run(
        cmd,
        cwd=cwd,
        env={**os.environ, **GIT_ENV, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        **kw,
    )
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def source_commit(tmp: Path) -> tuple[Path, str]:
    """A git repository holding this checkout's files (as they are now); its commit id."""
    src = tmp / "credstack-src"
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)
    for rel in filter(None, listed.split("\0")):
        path = REPO / rel
        if path.is_file() and not rel.startswith(("issued/", "verifier/node_modules/")):
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / rel)
    run(["git", "init", "-q", "-b", "main"], src)
    run(["git", "add", "-A"], src)
    run(["git", "commit", "-q", "-m", "credstack under test"], src)
    return src, run(["git", "rev-parse", "HEAD"], src).strip()


def workflow_steps(path: Path, job: str) -> tuple[dict[str, str], list[tuple[str, dict, str]]]:
    """The job's env and its `run:` steps (name, env, script) in order."""
    doc = yaml.safe_load(path.read_text())
    spec = doc["jobs"][job]
    steps = [
        (step.get("name", step["run"][:40]), step.get("env", {}), step["run"])
        for step in spec["steps"]
        # A step that talks to GitHub (commenting on the pull request) runs only for pull
        # requests from the repository itself: here it is a fork's, which GitHub also runs.
        if "run" in step and "gh " not in step["run"]
    ]
    return spec.get("env", {}), steps


def github_expressions(value: str, context: dict[str, str]) -> str:
    """Replace the `${{ … }}` expressions of a step's env with what GitHub would give."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: context[m.group(1)], value)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_new_registry_passes_its_own_check_workflow_on_a_fresh_virtualenv(tmp_path):
    if not WHEELHOUSE.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{WHEELHOUSE} is missing: .ci/run must fill it")
        pytest.skip(f"no wheelhouse at {WHEELHOUSE} (pip wheel -w {WHEELHOUSE} . setuptools)")
    src, commit = source_commit(tmp_path)
    registry = tmp_path / "registry"
    config = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    credstack = [sys.executable, "-m", "credstack.cli"]
    out = run(
        [
            *credstack, "init", str(registry), "--site-url", SITE, "--name", "Acme Academy",
            "--email", "credentials@acme-academy.example",
            "--credstack-source", f"git+file://localhost{src}@{commit}",
        ],
        tmp_path,
    )  # fmt: skip
    assert f"credstack @ git+file://localhost{src}@{commit}" in out
    # main on a remote, with the issuer's key; then a pull request branch with an award.
    run([*credstack, "keys", "create"], registry, config)
    run(["git", "add", "program/keys.yml"], registry)
    run(["git", "commit", "-qm", "Add the signing key"], registry)
    run(["git", "clone", "-q", "--bare", str(registry), str(tmp_path / "origin.git")], tmp_path)
    run(["git", "remote", "add", "origin", str(tmp_path / "origin.git")], registry)
    run(["git", "fetch", "-q", "origin"], registry)
    run(["git", "switch", "-q", "-c", "award-ada"], registry)
    run(
        [
            *credstack, "award", "data-foundations", "--name", "Ada Lovelace",
            "--email", "ada@example.org", "--result", "pass", "--assessor", "first-assessor",
        ],
        registry,
        config,
    )  # fmt: skip
    # The pull request also points requirements.txt at a credstack of its own choosing.
    requirements = registry / "requirements.txt"
    pinned = requirements.read_text()
    requirements.write_text(
        pinned.replace(commit, "0" * 40).replace(str(src), str(tmp_path / "attacker"))
    )
    run(["git", "add", "issued", "requirements.txt"], registry)
    run(["git", "commit", "-qm", "Award data-foundations"], registry)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(venv),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONPATH": "",
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
    }
    (tmp_path / "runner-temp").mkdir()
    job_env, steps = workflow_steps(registry / ".github" / "workflows" / "check.yml", "check")
    label = "contains(github.event.pull_request.labels.*.name, 'key-change')"
    context = {
        "github.base_ref": "main",
        "github.head_ref": "award-ada",
        "github.repository": "acme-academy/credentials",
        label: "false",
    }

    def step_env(values: dict, labelled: bool = False) -> dict[str, str]:
        given = {**context, label: "true" if labelled else "false"}
        return {k: github_expressions(str(v), given) for k, v in {**job_env, **values}.items()}

    ran = []
    for name, values, script in steps:
        run(["bash", "-e", "-c", script], registry, {**env, **step_env(values)})
        ran.append(name)
    assert any("install" in n.lower() for n in ran), ran
    assert any("gate" in n.lower() for n in ran), ran
    # The credstack that ran is the one installed from the pinned commit, in the fresh venv.
    where = run([str(venv / "bin" / "python"), "-c", "import credstack; print(credstack.__file__)"],
                registry, env)  # fmt: skip
    assert str(venv) in where
    cid = next((registry / "issued" / "credentials").glob("*.json")).stem
    assert (registry / "site" / "credentials" / cid / "index.html").is_file()

    # A second pull request adds a signing key: the gate refuses it until a maintainer labels
    # the pull request `key-change`, and then names the key in its verdict.
    run(["git", "switch", "-q", "-c", "second-key", "origin/main"], registry)
    run([*credstack, "keys", "create", "--id", "key-extra"], registry, config)
    run(["git", "commit", "-qam", "Add a second signing key"], registry)
    name, values, gate = next(step for step in steps if "gate" in step[0].lower())

    def gate_step(labelled: bool) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-e", "-c", gate], cwd=registry, capture_output=True, text=True,
            env={**os.environ, **env, **step_env(values, labelled)}, timeout=300,
        )  # fmt: skip

    refused = gate_step(labelled=False)
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0, said
    assert "key-extra" in said and "key-change" in said, said
    accepted = gate_step(labelled=True)
    said = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, said
    assert "key-extra" in said and "acknowledged" in said, said
