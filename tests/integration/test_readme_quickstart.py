"""The README's quick start for an issuer runs as written against a registry made by `init`."""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from credstack.cli import main

REPO = Path(__file__).resolve().parents[2]
SOURCE = "git+https://github.com/credstack/credstack@" + "0123456789abcdef" * 2 + "01234567"


def quick_start() -> list[str]:
    """The commands of the README's "Quick start for an issuer" block, one per entry."""
    text = (REPO / "README.md").read_text()
    block = text.split("## Quick start for an issuer", 1)[1].split("```sh", 1)[1]
    block = block.split("```", 1)[0]
    commands, current = [], ""
    for raw in block.splitlines():
        line = raw.split("  #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            commands.append(current.strip())
            current = ""
    return commands


def test_the_readme_quick_start_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("CREDSTACK_SOURCE", SOURCE)
    monkeypatch.delenv("CREDSTACK_SIGNING_KEY", raising=False)
    for var in ("GIT_AUTHOR", "GIT_COMMITTER"):
        monkeypatch.setenv(f"{var}_NAME", "Test Issuer")
        monkeypatch.setenv(f"{var}_EMAIL", "issuer@acme.example")
    cwd = tmp_path
    ran, skipped = [], []
    for command in quick_start():
        if command.startswith(". "):
            continue  # activating the virtualenv
        for part in command.split(" && "):
            words = shlex.split(part)
            if words[0] == "cd":
                cwd = cwd / words[1]
                continue
            if words[0] == "git":
                run = subprocess.run(words, cwd=cwd, capture_output=True, text=True, check=False)
                assert run.returncode == 0, f"{part}: {run.stderr}"
                continue
            assert words[0] == "credstack", part
            if any(re.fullmatch(r"[A-Z]", w) for w in words) or any(
                w.endswith(".json") and not (cwd / w).exists() for w in words
            ):
                skipped.append(part)  # a template line (`--email E`, an issue file)
                continue
            if "--csv" in words and words[1] == "award":
                (cwd / "cohort.csv").write_text(
                    "name,email,achievement,result,assessors\nGrace Hopper,grace@example.org,"
                    "data-foundations,pass,first-assessor\n"
                )
            if "ID" in words:
                first = sorted(p.stem for p in (cwd / "issued" / "credentials").rglob("*.json"))[0]
                words = [first if w == "ID" else w for w in words]
            out = io.StringIO()
            old = Path.cwd()
            os.chdir(cwd)
            try:
                with redirect_stdout(out), redirect_stderr(out):
                    code = main(words[1:])
            finally:
                os.chdir(old)
            assert code == 0, f"{part}:\n{out.getvalue()}"
            ran.append(words[1])
            printed = out.getvalue().splitlines()
            for i, line in enumerate(printed[:-1]):
                # A secret shown once "to store as the CI secret NAME": the person stores it.
                if m := re.search(r"store it as the CI secret (\w+)", line):
                    monkeypatch.setenv(m.group(1), printed[i + 1].strip())
    assert ran[:1] == ["init"], ran
    for command in ("keys", "award", "verify", "revoke", "expiring", "check"):
        assert command in ran, (command, ran)
    assert len(skipped) <= 2, skipped
