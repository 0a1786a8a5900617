"""Private reasons for status changes: kept outside the repository, never published.

A revocation or suspension has a public statement (the status log's ``reason``, shown on the
credential's page next to the holder's name) and may have a private reason (a complaint, an
investigation). The private reason must not reach the repository, the site or the signed lists:
everything in the repository is public or becomes public. credstack appends it to a YAML file
outside the work tree, readable by its owner only (mode 0600), by default
``$XDG_DATA_HOME/credstack/private/<site>_status-notes.yml`` (``~/.local/share/...``), joined to
the public event by credential id, event and date. Teams keep the authoritative copy in their
own case records; this file is the issuer's local memory of why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from credstack.errors import CredstackError, RegistryError, StatusError
from credstack.model.credential import clean_text
from credstack.model.status import format_datetime
from credstack.registry.files import write_atomic
from credstack.registry.registry import Registry, StatusEvent

NOTES_FILE = "status-notes.yml"
MAX_PRIVATE_REASON = 2000
_HEADER = (
    "# Private reasons for status changes, written by credstack. Never commit this file: it is\n"
    "# kept outside the registry on purpose. Each entry joins a public event of\n"
    "# issued/status-log.yml by credential, event and date.\n"
)


def default_notes_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/credstack/private`` (or ``~/.local/share/credstack/private``)."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "credstack" / "private"


def notes_path(registry: Registry, env: Mapping[str, str] | None = None) -> Path:
    """The default private notes file of this registry (one per site)."""
    host = registry.urls.issuer_id.removeprefix("did:web:").replace(":", "_")
    return default_notes_dir(env) / f"{host}_{NOTES_FILE}"


def check_private_reason(text: str) -> str:
    """The private reason, cleaned (several lines allowed); raises StatusError."""
    try:
        return clean_text(text, "the private reason", max_length=MAX_PRIVATE_REASON, lines=True)
    except CredstackError as e:
        raise StatusError(e.message, hint=e.hint) from e


def private_notes_target(registry: Registry, path: Path | None = None) -> Path:
    """Where private reasons go (``path`` or the default); RegistryError if inside the registry."""
    path = Path(path) if path is not None else notes_path(registry)
    root = registry.root.resolve()
    target = path.resolve()
    if target == root or root in target.parents:
        raise RegistryError(
            f"the private notes file {path} lies inside the registry",
            hint="private reasons must never enter the repository: choose a file outside it "
            "with --private-notes",
        )
    return path


def record_private_reason(
    registry: Registry, event: StatusEvent, reason: str, *, path: Path | None = None
) -> Path:
    """Append ``reason`` for ``event`` to the private notes file; returns its path.

    Raises RegistryError when the file lies inside the registry's work tree, or cannot be read
    or written (the public change is already made then: the message says so).
    """
    path = private_notes_target(registry, path)
    entry = {
        "date": format_datetime(event.date),
        "credential": event.credential,
        "event": event.event,
        "private_reason": reason,
    }
    try:
        entries = []
        if path.exists():
            loaded = yaml.safe_load(path.read_text("utf-8")) or {}
            entries = list(loaded.get("entries") or []) if isinstance(loaded, dict) else []
        entries.append(entry)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = _HEADER + yaml.safe_dump(
            {"entries": entries}, sort_keys=False, allow_unicode=True, width=100
        )
        write_atomic(path, text, mode=0o600)
    except (OSError, yaml.YAMLError, CredstackError) as e:
        raise RegistryError(
            f"{event.credential} is {event.event} (public statement recorded), but the private "
            f"reason could not be kept in {path}: {getattr(e, 'strerror', None) or e}",
            hint="keep the private reason in your own records",
        ) from e
    return path
