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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from credstack import __version__
from credstack.errors import ConfigError
from credstack.model.urls import normalize_site_url
from credstack.registry.files import Transaction
from credstack.registry.lifecycle import log_text
from credstack.registry.registry import STATUS_LOG

#: The site URL written when none is given; ``credstack check`` refuses credentials under it.
PLACEHOLDER_SITE_URL = "https://example.github.io/credentials/"
DEFAULT_NAME = "Example Academy"
TEMPLATES = "scaffold"
DOT_PREFIX = "dot-"
_TOKEN = re.compile(r"%%[A-Z_]+%%")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class ScaffoldResult:
    """What ``init`` did: files written and existing files left alone (paths relative)."""

    root: Path
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


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


def template_files(*, site_url: str | None = None, name: str | None = None) -> dict[str, bytes]:
    """Every file of a new registry, relative path -> bytes; raises ConfigError on bad input."""
    url = normalize_site_url(site_url) if site_url else PLACEHOLDER_SITE_URL
    org = (name if name is not None else DEFAULT_NAME).strip()
    if not org or _CONTROL.search(org) or len(org) > 200:
        raise ConfigError(
            f"--name {name!r} is not a usable organisation name",
            hint="give the issuing organisation's name on one line, e.g. --name 'Acme Academy'",
        )
    values = {
        "%%NAME%%": org,
        "%%NAME_YAML%%": json.dumps(org, ensure_ascii=False),
        "%%SITE_URL%%": url,
        "%%VERSION%%": __version__,
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


def scaffold(
    target: Path, *, site_url: str | None = None, name: str | None = None, force: bool = False
) -> ScaffoldResult:
    """Write a new registry into ``target``; return what was written and what was kept.

    Refuses (ConfigError) a ``target`` that is a file, or a non-empty folder unless ``force``.
    Even with ``force`` no existing file is overwritten: only missing files are written and the
    others reported as skipped. All files are written in one transaction.
    """
    target = Path(target)
    files = template_files(site_url=site_url, name=name)
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} exists and is not a folder", hint="choose a new folder")
    if target.is_dir() and not _is_empty(target) and not force:
        raise ConfigError(
            f"{target} is not empty",
            hint="run `credstack init` in a new or empty folder, or pass --force to add only "
            "the missing files (existing files are never overwritten)",
        )
    result = ScaffoldResult(root=target)
    with Transaction() as tx:
        for rel, data in files.items():
            path = target / rel
            if path.exists() or path.is_symlink():
                result.skipped.append(rel)
                continue
            tx.write(path, data, mode=0o644)
            result.written.append(rel)
    _write_forms(target, result)
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
