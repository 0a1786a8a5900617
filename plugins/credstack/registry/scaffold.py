"""``credstack init``: a new registry from the templates shipped in ``scaffold/`` (package data).

The templates are the starter registry: a program (one foundation, one practitioner, one
certification, one pathway, two placeholder assessors) that passes ``credstack lint --strict``,
``mkdocs.yml``, ``site_src/``, the GitHub workflows, ``.gitignore``, a pre-commit config and a
README with the issuer's first five steps and one application walked from form to credential.
The issue forms are generated from the program (``credstack.registry.workflows``).
Dot-files are stored as ``dot-<name>`` (setuptools leaves hidden files
out of package data) and renamed on the way out. Placeholders are ``%%NAME%%``-style tokens, so
that GitHub's own ``${{ ... }}`` expressions in the workflows pass through untouched.

``issued/`` gets one file, the empty status log exactly as ``credstack`` writes it: git keeps no
empty folders, and the merge gate allows in ``issued/`` only what the CLI writes (no
``.gitkeep``).

The folder becomes a git repository (branch ``main``) with the files as its first commit, so
that ``credstack check --base main`` and the first pull request have something to compare with.
The site URL and the organisation's name are required (the CLI asks for them on a terminal);
the issuer's URL defaults to the site URL, and ``requirements.txt`` names credstack's source
(:mod:`credstack.registry.requirement`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from credstack import __version__
from credstack.errors import ConfigError, CredstackError
from credstack.model.credential import clean_text, normalize_email
from credstack.model.urls import normalize_site_url
from credstack.registry.files import Transaction
from credstack.registry.lifecycle import log_text
from credstack.registry.placeholders import PLACEHOLDER_SITE_HOSTS
from credstack.registry.registry import STATUS_LOG
from credstack.registry.requirement import VENDOR, Requirement

#: Used only to render the templates for documentation and tests; ``scaffold`` needs real values.
PLACEHOLDER_SITE_URL = "https://example.github.io/credentials/"
DEFAULT_NAME = "Example Academy"
#: The contact address written when none is given: ``keys create`` and ``award`` refuse it.
PLACEHOLDER_EMAIL = "credentials@example.org"
PLACEHOLDER_REQUIREMENT = "credstack @ git+https://github.com/<owner>/credstack@<commit>"
TEMPLATES = "scaffold"
DOT_PREFIX = "dot-"
_TOKEN = re.compile(r"%%[A-Z_]+%%")


@dataclass
class ScaffoldResult:
    """What ``init`` did: files written and existing files left alone (paths relative)."""

    root: Path
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    git_created: bool = False
    committed: str | None = None  # the first commit's id
    commit_problem: str | None = None  # why there is no first commit


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    out = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name == "__pycache__":
            continue
        name = item.name
        if name.startswith(DOT_PREFIX):
            name = "." + name[len(DOT_PREFIX) :]
        rel = f"{prefix}{name}"
        if item.is_dir():
            out.extend(_walk(item, rel + "/"))
        else:
            out.append((rel, item))
    return out


def template_files(
    *,
    site_url: str | None = None,
    name: str | None = None,
    email: str | None = None,
    issuer_url: str | None = None,
    requirement: str | None = None,
) -> dict[str, bytes]:
    """Every file of a new registry, relative path -> bytes; raises ConfigError on bad input."""
    url = normalize_site_url(site_url) if site_url else PLACEHOLDER_SITE_URL
    try:
        org = clean_text(name if name is not None else DEFAULT_NAME, "the organisation's name")
        contact = normalize_email(email) if email else PLACEHOLDER_EMAIL
    except CredstackError as e:
        raise ConfigError(
            e.message,
            hint=e.hint
            or "give the issuing organisation's name on one line, e.g. "
            "--name 'Acme Academy', and its contact address with --email",
        ) from e
    home = normalize_site_url(issuer_url) if issuer_url else url
    values = {
        "%%NAME%%": org,
        "%%NAME_YAML%%": json.dumps(org, ensure_ascii=False),
        "%%SITE_URL%%": url,
        "%%ISSUER_URL%%": home,
        "%%EMAIL%%": contact,
        "%%EMAIL_NOTE%%": (
            "Replace the placeholder: `credstack keys create` and `award` refuse it."
            if contact == PLACEHOLDER_EMAIL
            else "Shown on the site (about page and footer)."
        ),
        "%%VERSION%%": __version__,
        "%%CREDSTACK_REQUIREMENT%%": requirement or PLACEHOLDER_REQUIREMENT,
    }
    files: dict[str, bytes] = {}
    for rel, item in _walk(resources.files("credstack.registry").joinpath(TEMPLATES)):
        text = item.read_text("utf-8")
        text = _TOKEN.sub(lambda m: values.get(m.group(), m.group()), text)
        leftover = _TOKEN.search(text)
        if leftover:  # pragma: no cover - a template bug
            raise ConfigError(f"template {rel} has an unknown placeholder {leftover.group()}")
        files[rel] = text.encode("utf-8")
    files[STATUS_LOG] = log_text([]).encode("utf-8")
    return dict(sorted(files.items()))


def _is_empty(target: Path) -> bool:
    # A fresh clone or `git init` holds only .git: that counts as empty.
    return not any(p.name != ".git" for p in target.iterdir())


def _git(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=target, capture_output=True, text=True, check=False
        )
    except OSError as e:
        raise ConfigError(
            f"cannot run git: {e.strerror}", hint="install git: a registry is a git repository"
        ) from e


def _init_git(target: Path) -> bool:
    """Make ``target`` a git repository on branch main unless it is one; True if made."""
    if (target / ".git").exists():
        return False
    run = _git(target, "init", "-q", "-b", "main")
    if run.returncode != 0:
        message = (run.stderr.strip().splitlines() or ["git init failed"])[-1]
        raise ConfigError(f"cannot make {target} a git repository: {message}")
    return True


def _first_commit(target: Path, result: ScaffoldResult) -> None:
    if _git(target, "rev-parse", "-q", "--verify", "HEAD").returncode == 0:
        result.commit_problem = "the repository already has commits: commit the new files yourself"
        return
    _git(target, "add", "-A")
    run = _git(target, "commit", "-q", "-m", "New credstack registry (credstack init)")
    if run.returncode != 0:
        lines = (run.stderr or run.stdout).strip().splitlines()
        result.commit_problem = lines[0] if lines else "git commit failed"
        return
    result.committed = _git(target, "rev-parse", "HEAD").stdout.strip()


def scaffold(
    target: Path,
    *,
    site_url: str,
    name: str,
    requirement: Requirement,
    email: str | None = None,
    issuer_url: str | None = None,
    force: bool = False,
    commit: bool = True,
) -> ScaffoldResult:
    """Write a new registry into ``target``; return what was written and what was kept.

    Refuses (ConfigError) a missing site URL or name, a placeholder site URL, a ``target`` that
    is a file, or a non-empty folder unless ``force``. Even with ``force`` no existing file is
    overwritten: only missing files are written and the others reported as skipped. The folder
    becomes a git repository (unless it is one) and, with ``commit``, the files its first
    commit (when git has a user name and email; otherwise ``commit_problem`` says why not).
    All files are written in one transaction under the new registry's lock.
    """
    target = Path(target)
    if not site_url or not name:
        raise ConfigError(
            "a new registry needs its site URL and the organisation's name",
            hint="credstack init DIR --site-url https://<owner>.github.io/<repository>/ "
            "--name 'Your Organisation' (credstack asks for them on a terminal)",
        )
    host = (normalize_site_url(site_url).split("/")[2]).lower()
    if host in PLACEHOLDER_SITE_HOSTS:
        raise ConfigError(
            f"--site-url {site_url} is the documentation's placeholder",
            hint="give the address the site will have, e.g. "
            "https://<owner>.github.io/<repository>/ for GitHub Pages",
        )
    files = template_files(
        site_url=site_url,
        name=name,
        email=email,
        issuer_url=issuer_url,
        requirement=requirement.line,
    )
    if requirement.wheel is not None:
        files[f"{VENDOR}/{requirement.wheel.name}"] = requirement.wheel.read_bytes()
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} exists and is not a folder", hint="choose a new folder")
    if target.is_dir() and not _is_empty(target) and not force:
        raise ConfigError(
            f"{target} is not empty",
            hint="run `credstack init` in a new or empty folder, or pass --force to add only "
            "the missing files (existing files are never overwritten)",
        )
    if shutil.which("git") is None:
        raise ConfigError(
            "git is not installed", hint="install git: a registry is a git repository"
        )
    target.mkdir(parents=True, exist_ok=True)
    result = ScaffoldResult(root=target)
    result.git_created = _init_git(target)
    with Transaction(target) as tx:
        for rel, data in files.items():
            path = target / rel
            if path.exists() or path.is_symlink():
                result.skipped.append(rel)
                continue
            tx.write(path, data)
            result.written.append(rel)
    _write_forms(target, result)
    if commit:
        _first_commit(target, result)
    return result


def _write_forms(target: Path, result: ScaffoldResult) -> None:
    """The issue forms (and CODEOWNERS) generated from the new registry's program; with
    ``--force`` into a folder whose own program does not load, left to `credstack workflows`."""
    from credstack.errors import ProgramError
    from credstack.registry.program import load_program
    from credstack.registry.workflows import sync_workflows

    try:
        program = load_program(target)
    except ProgramError:
        return
    done = sync_workflows(target, program, overwrite_generated=False)
    result.written += [rel for rel in done.written if rel not in result.written]
    result.skipped += [rel for rel in done.kept if rel not in result.skipped]
