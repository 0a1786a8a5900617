"""What the command modules share: the clock, the registry, the signing key, error output and
the writing-command wrapper."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from credstack.errors import ConfigError
from credstack.model.status import parse_date_or_datetime
from credstack.registry.award import (
    AwardPlan,
)
from credstack.registry.files import Recovery, registry_lock
from credstack.registry.keys import (
    LoadedKey,
    find_signing_key,
)
from credstack.registry.registry import Registry

if TYPE_CHECKING:
    from credstack.registry.files import Transaction
    from credstack.registry.roster import Roster, RosterRow

Handler = Callable[[argparse.Namespace], int]


def root_of(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve()


def print_error(message: str, hint: str | None = None) -> None:
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)


def current_time() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def parse_when(text: str | None, *, what: str = "date") -> datetime | None:
    """Parse a CLI date ('2026-11-28' or an ISO date-time); raises ConfigError."""
    if text is None:
        return None
    try:
        value = parse_date_or_datetime(text)
    except ValueError as e:
        raise ConfigError(
            f"{what} {text[:40]!r} is not a date", hint="use YYYY-MM-DD or 2026-11-28T10:00:00Z"
        ) from e
    if not 1900 <= value.year <= 2999:
        raise ConfigError(
            f"{what} {text!r} is out of range (years 1900 to 2999)",
            hint="check the year: use YYYY-MM-DD",
        )
    return value


def parse_duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([dwmy]?)\s*", text or "")
    if not match:
        raise ConfigError(f"{text!r} is not a duration", hint="use e.g. 60d, 8w, 3m or 1y")
    n, unit = int(match.group(1)), match.group(2) or "d"
    return timedelta(days=n * {"d": 1, "w": 7, "m": 30, "y": 365}[unit])


def open_registry(args: argparse.Namespace) -> Registry:
    return Registry(root_of(args))


def print_recovery(found: Recovery) -> None:
    if found.completed:
        print(
            f"recovered an interrupted write: finished writing {len(found.completed)} file(s) "
            f"({', '.join(found.completed[:3])}{' …' if len(found.completed) > 3 else ''})",
            file=sys.stderr,
        )
    if found.removed:
        print(
            f"removed {len(found.removed)} temporary file(s) left by an interrupted write",
            file=sys.stderr,
        )


def writes(handler: Handler) -> Handler:
    """Run a writing command under the registry's lock (one writer at a time, see files.py)."""

    def locked(args: argparse.Namespace) -> int:
        root = root_of(args)
        if not (root / "program").is_dir():
            return handler(args)  # not a registry: the command says so itself

        def waiting(holder: str) -> None:
            print(f"waiting for another credstack command to finish: {holder}", file=sys.stderr)

        with registry_lock(root, command=args.command, on_wait=waiting) as session:
            print_recovery(session.recovery)
            return handler(args)

    return locked


def signing_key(args: argparse.Namespace, registry: Registry) -> LoadedKey:
    key_file = Path(args.key) if getattr(args, "key", None) else None
    return find_signing_key(registry.program, registry.root, key_file=key_file)


def print_awards(plan: AwardPlan, root: Path) -> None:
    for inp, _why in plan.skipped:
        where = f"{inp.where}: " if inp.where else ""
        print(f"skipped {where}{inp.achievement} for {inp.name}: already awarded")
    for awarded in plan.awarded:
        print(f"awarded {awarded.cid}  {awarded.input.achievement}  {awarded.input.name}")
        print(f"  file: {awarded.path.relative_to(root)}")
        print(f"  url:  {awarded.url}")


def show_progress(done: int, total: int) -> None:
    if total < 2 or not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // total
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr)
    if done == total:
        print(file=sys.stderr)


class RosterRecords:
    """The roster rows (and earner pages) of one award call: written with the credentials."""

    def __init__(
        self, registry: Registry, rows: list[RosterRow], *, sealed: bool, now: datetime
    ) -> None:
        self.registry, self.rows, self.sealed, self.now = registry, rows, sealed, now
        self.local: Path | None = None
        self.sealed_file: Path | None = None
        self.pages: dict[str, str] = {}

    def stage(self, tx: Transaction) -> None:
        from credstack.registry.profiles import stage_publish
        from credstack.registry.roster import stage_sealed

        if self.sealed:
            self.sealed_file = stage_sealed(tx, self.registry, self.rows)
        opted = list(dict.fromkeys(r.recipient for r in self.rows if r.public_profile))
        if opted:
            self.pages = stage_publish(tx, self.registry, opted, now=self.now)

    def report(self) -> None:
        if self.local is not None:
            print(f"roster: {len(self.rows)} row(s) added to {self.local} (private, mode 0600)")
        if self.sealed_file is not None:
            rel = self.sealed_file.relative_to(self.registry.root)
            print(f"roster: {len(self.rows)} row(s) sealed to the roster key in {rel} (commit it)")
        for recipient, page in self.pages.items():
            name = next(r.name for r in self.rows if r.recipient == recipient)
            print(f"earner page of {name}: {self.registry.urls.site}earners/{page}/")


def roster_records(
    args: argparse.Namespace, registry: Registry, plan: AwardPlan, *, now: datetime
) -> RosterRecords:
    """The roster hook of award: local rows are written first (a row for an award that then
    fails names a credential that does not exist, and is ignored); sealed rows and earner
    pages go into the award's own transaction."""
    from credstack.registry.roster import record_local, rows_for

    mode = args.roster or os.environ.get("CREDSTACK_ROSTER") or "local"
    if mode not in ("local", "sealed"):
        raise ConfigError(f"--roster {mode!r}: use local or sealed")
    rows = rows_for(plan, registry.urls.issuer_id, public_profile=args.public_profile)
    records = RosterRecords(registry, rows, sealed=mode == "sealed", now=now)
    if mode == "local":
        records.local = record_local(registry, rows)
    return records


def add_assessor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--assessor",
        action="append",
        default=[],
        metavar="ID",
        help="an assessor on record in program/assessors.yml (repeat for each one)",
    )
    p.add_argument("--assessed-on", metavar="DATE", help="date of the assessment (default: award)")


def open_roster(args: argparse.Namespace, registry: Registry) -> Roster:
    """The merged roster (local file + the sealed rows the available secrets open)."""
    from credstack.registry.roster import load_roster, roster_secrets

    secret_file = Path(args.secret_file) if getattr(args, "secret_file", None) else None
    secrets = roster_secrets(registry, secret_file=secret_file)
    roster = load_roster(registry, secrets=secrets)
    if roster.sealed_unread:
        print_error(
            f"{roster.sealed_unread} sealed roster row(s) under issued/roster/ could not be "
            "opened: their emails are missing below",
            "pass --secret-file or set CREDSTACK_ROSTER_SECRET to the roster secret",
        )
    return roster


def ask(question: str, default: str | None = None) -> str | None:
    """One line from the person at the terminal (None when there is none)."""
    if not sys.stdin.isatty():
        return None
    suffix = f" [{default}]" if default else ""
    try:
        answer = input(f"{question}{suffix}: ").strip()
    except EOFError:
        return None
    return answer or default


def write_output(path: str | None, text: str) -> None:
    if path:
        from credstack.registry.files import write_atomic

        write_atomic(Path(path), text)
