"""Where a new registry's workflows install credstack from (``requirements.txt``).

The award workflow runs ``pip install -r requirements.txt`` next to the signing key, so whatever
that line names runs with the key in reach. It must name a source that exists, and one that
cannot change under the registry: a git URL pinned to a full commit id (content-addressed: a
force-push cannot change what it names), or a wheel file committed into the registry (reviewed
like any other file). A bare ``credstack==0.1.0`` asks a package index for a name that nobody
may have published yet: whoever registers it first would run code beside the key.

:func:`requirement_for` takes ``--credstack-source`` (or ``CREDSTACK_SOURCE``), else what the
running credstack was installed from (PEP 610 ``direct_url.json``: the git URL and commit of a
``pip install git+https://…@…``, or the wheel file), else the git checkout it runs from (its
``origin`` remote and ``HEAD`` commit).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

from credstack.errors import ConfigError

COMMIT = re.compile(r"^[0-9a-f]{40}$")
VENDOR = "vendor"
_HINT = (
    "pass --credstack-source with a git URL pinned to a commit, e.g. "
    "'git+https://github.com/<owner>/credstack@<40-hex commit>', or the path of a credstack "
    "wheel (.whl) to commit into the registry (or set CREDSTACK_SOURCE)"
)


@dataclass(frozen=True)
class Requirement:
    """The requirements.txt line, and a wheel to copy into ``vendor/`` when it names one."""

    line: str
    wheel: Path | None = None
    origin: str = ""  # how it was found, for the user


def _git_line(url: str, commit: str) -> str:
    return f"credstack @ git+{url}@{commit}"


def _check_git(spec: str) -> str:
    """``credstack @ git+URL@COMMIT`` from ``git+URL@COMMIT``; ConfigError unless pinned."""
    url, sep, ref = spec.removeprefix("git+").rpartition("@")
    parts = urlsplit(url)
    if not sep or not COMMIT.match(ref):
        raise ConfigError(
            f"{spec!r} is not pinned to a commit",
            hint="end the git URL with @ and the full 40-character commit id: a branch or tag "
            "can be moved to other code; " + _HINT,
        )
    if parts.scheme not in ("https", "ssh", "file") or not (parts.netloc or parts.path):
        raise ConfigError(f"{spec!r} is not a git URL (https://, ssh:// or file://)", hint=_HINT)
    return _git_line(url, ref)


def requirement_from_source(source: str) -> Requirement:
    """The requirement for an explicit ``--credstack-source``; raises ConfigError."""
    text = source.strip()
    if text.startswith("credstack") and "@" in text and "git+" in text:
        return Requirement(_check_git(text.split("@", 1)[1].strip()), origin="as given")
    if text.startswith("git+"):
        return Requirement(_check_git(text), origin="as given")
    if text.endswith(".whl"):
        wheel = Path(text).expanduser()
        if not wheel.is_file():
            raise ConfigError(f"the wheel {wheel} does not exist", hint=_HINT)
        if not wheel.name.startswith("credstack-"):
            raise ConfigError(f"{wheel.name} is not a credstack wheel", hint=_HINT)
        return Requirement(f"./{VENDOR}/{wheel.name}", wheel=wheel, origin=f"wheel {wheel}")
    raise ConfigError(f"--credstack-source {source!r} is neither a git URL nor a wheel", hint=_HINT)


def _installed() -> Requirement | None:
    try:
        raw = metadata.distribution("credstack").read_text("direct_url.json")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return None
    if not raw:
        return None  # installed from an index: no URL recorded
    try:
        info = json.loads(raw)
    except ValueError:  # pragma: no cover - a broken installation
        return None
    url = info.get("url", "")
    vcs = info.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and COMMIT.match(vcs.get("commit_id", "")):
        return Requirement(_git_line(url, vcs["commit_id"]), origin="the installed credstack")
    parts = urlsplit(url)
    if parts.scheme == "file" and url.endswith(".whl"):
        wheel = Path(unquote(parts.path))
        if wheel.is_file():
            return Requirement(f"./{VENDOR}/{wheel.name}", wheel=wheel, origin=f"wheel {wheel}")
    if parts.scheme == "file" and (info.get("dir_info") is not None):
        return _checkout(Path(unquote(parts.path)))
    return None


def _git(folder: Path, *args: str) -> str | None:
    try:
        run = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return run.stdout.strip() if run.returncode == 0 else None


def _checkout(folder: Path) -> Requirement | None:
    """origin + HEAD of the checkout credstack runs from, when origin is a public URL."""
    remote = _git(folder, "remote", "get-url", "origin")
    commit = _git(folder, "rev-parse", "HEAD")
    if not remote or not commit or not COMMIT.match(commit):
        return None
    match = re.match(r"^git@([^:]+):(.+)$", remote)  # scp-like ssh address
    url = f"https://{match.group(1)}/{match.group(2)}" if match else remote
    if not url.startswith("https://"):
        return None
    return Requirement(_git_line(url, commit), origin=f"the checkout {folder} (origin, HEAD)")


def requirement_for(source: str | None) -> Requirement:
    """The requirements.txt line for a new registry; raises ConfigError when none is known."""
    if source:
        return requirement_from_source(source)
    found = _installed()
    if found is None:
        raise ConfigError(
            "cannot tell where this credstack was installed from, so the new registry's "
            "workflows would not know where to install it from",
            hint=_HINT,
        )
    return found
