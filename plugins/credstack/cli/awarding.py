"""Registry commands: keys, award, status changes, renew, reissue, expiring, migrate, recover."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from credstack.cli.common import (
    Handler,
    add_assessor_options,
    current_time,
    open_registry,
    open_roster,
    parse_duration,
    parse_when,
    print_awards,
    print_error,
    print_recovery,
    root_of,
    roster_records,
    show_progress,
    signing_key,
    writes,
)
from credstack.cli.verifying import add_verify_commands
from credstack.errors import ConfigError, CredstackError
from credstack.model.sharing import safe_row
from credstack.model.status import format_datetime
from credstack.registry.award import (
    CSV_COLUMNS,
    AwardInput,
    AwardPlan,
    parse_evidence,
    plan_awards,
    read_cohort_csv,
    write_plan,
)
from credstack.registry.files import recover
from credstack.registry.keys import (
    KEYS_FILE,
    create_key,
    read_secret_file,
    retire_key,
)
from credstack.registry.lifecycle import change_status, expiring, reissue, renew
from credstack.registry.registry import Registry


def _cmd_recover(args: argparse.Namespace) -> int:
    """Finish or undo an interrupted write; delete temporary files left over."""
    found = recover(root_of(args))
    print_recovery(found)
    if not found:
        print("nothing to recover: no interrupted write")
    return 0


def _cmd_keys_create(args: argparse.Namespace) -> int:
    registry = open_registry(args)
    now = current_time()
    secret = None
    if args.import_file:
        secret = read_secret_file(Path(args.import_file).expanduser(), registry.root)
    created = create_key(
        registry.program,
        registry.root,
        now=now,
        key_id=args.id,
        key_dir=Path(args.key_dir) if args.key_dir else None,
        store=not args.print and secret is None,
        secret=secret,
    )
    print(f"created key {created.issuer_key.id}: {created.issuer_key.public_key_multibase}")
    print(f"  public key added to {KEYS_FILE} (commit it)")
    if created.secret_path is not None:
        print(f"  secret stored in {created.secret_path} (mode 0600, outside the repository)")
    elif args.import_file:
        print(f"  secret imported from {args.import_file} (left where it is)")
    else:
        print("  secret (shown once; store it as the CI secret CREDSTACK_SIGNING_KEY):")
        print(f"  {created.secret.to_multibase_secret()}")
    return 0


def _cmd_keys_list(args: argparse.Namespace) -> int:
    registry = open_registry(args)
    keys = registry.program.issuer.keys
    if not keys:
        print("no keys yet; create one with `credstack keys create`")
        return 0
    for key in keys:
        state = (
            f"retired {key.retired_at:%Y-%m-%d}: {key.retired_reason}"
            if key.retired_at
            else "active"
        )
        print(f"{key.id}  {key.public_key_multibase}  created {key.created:%Y-%m-%d}  {state}")
        print(f"  {registry.urls.key_id(key.id)}")
    return 0


def _cmd_keys_retire(args: argparse.Namespace) -> int:
    registry = open_registry(args)
    at = parse_when(args.at, what="--at") or current_time()
    key = retire_key(registry.program, registry.root, args.key_id, at=at, reason=args.reason)
    print(f"retired {key.id} from {format_datetime(at)}: proofs made later no longer verify")
    return 0


def _cmd_award(args: argparse.Namespace) -> int:
    registry = open_registry(args)
    now = current_time()
    issued_at = parse_when(args.issued_at, what="--issued-at") or now
    if args.csv:
        if args.achievement or args.name or args.email or args.assessor or args.assessed_on:
            raise ConfigError(
                "give either --csv FILE or ACHIEVEMENT --name --email --assessor, not both",
                hint="in a cohort CSV, name each row's assessors in the column assessors",
            )
        inputs = read_cohort_csv(Path(args.csv), default_issued_at=issued_at)
    else:
        missing = [f for f in ("achievement", "name", "email") if not getattr(args, f)]
        if missing:
            raise ConfigError(
                "missing " + ", ".join(missing),
                hint="credstack award ACHIEVEMENT --name NAME --email EMAIL (or --csv FILE)",
            )
        inputs = [
            AwardInput(
                achievement=args.achievement,
                name=args.name,
                email=args.email,
                issued_at=issued_at,
                evidence=tuple(parse_evidence(e) for e in args.evidence),
                result=args.result,
                assessors=tuple(args.assessor),
                assessed_on=parse_when(args.assessed_on, what="--assessed-on"),
            )
        ]
    key = signing_key(args, registry)
    plan = plan_awards(
        registry,
        inputs,
        key,
        signed_at=now,
        skip_already_held=bool(args.csv),
        allow_backdated=args.allow_backdated,
        progress=show_progress,
    )
    records = roster_records(args, registry, plan, now=now)
    write_plan(plan, records.stage)
    print_awards(plan, registry.root)
    records.report()
    if args.csv:
        print(f"{len(plan.awarded)} awarded, {len(plan.skipped)} skipped (already awarded)")
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    """Move flat credential files into their shards (URLs unchanged)."""
    from credstack.registry.layout import CREDENTIALS_DIR, migrate

    root = root_of(args)
    moves = migrate(root)
    for old, new in moves:
        print(f"moved {old.relative_to(root)} -> {new.relative_to(root)}")
    if moves:
        print(
            f"{len(moves)} credential file(s) moved into {CREDENTIALS_DIR}/<year>/<letter>/; "
            "their ids and URLs are unchanged. Commit the moves (git add -A issued/)."
        )
    else:
        print(f"{CREDENTIALS_DIR}/ is already sharded: nothing to move")
    return 0


def _cmd_status(event: str) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        from credstack.registry.notes import (
            check_private_reason,
            private_notes_target,
            record_private_reason,
        )

        registry = open_registry(args)
        key = signing_key(args, registry)
        notes = Path(args.private_notes).expanduser() if args.private_notes else None
        private = None
        if args.private_reason:  # checked before anything is written
            private = check_private_reason(args.private_reason)
            notes = private_notes_target(registry, notes)
        when = current_time()
        change = change_status(
            registry, args.credential, event, key=key, when=when, reason=args.statement
        )
        print(f"{event} {change.view.cid} ({change.view.achievement_id}, {change.view.name})")
        if change.event.reason:
            print(
                "  public statement (on the credential's page and in the status log): "
                f"{change.event.reason}"
            )
        print("  status list re-signed and status log updated; commit issued/")
        if private is not None:
            path = record_private_reason(registry, change.event, private, path=notes)
            print(f"  private reason kept in {path} (mode 0600, outside the repository)")
        return 0

    return handler


def _cmd_status_refresh(args: argparse.Namespace) -> int:
    from credstack.registry.freshness import refresh_status_lists

    registry = open_registry(args)
    key = signing_key(args, registry)
    done = refresh_status_lists(
        registry, key, now=current_time(), within=parse_duration(args.within)
    )
    for item in done:
        was = f" (was valid until {item.until})" if item.until else ""
        print(f"re-signed {item.path.relative_to(registry.root)}{was}")
    days = registry.program.issuer.status_valid_days
    print(
        f"{len(done)} status list(s) re-signed, valid for {days} days; commit issued/status/"
        if done
        else "no status list is due"
    )
    return 0


def _cmd_renew(args: argparse.Namespace) -> int:
    from decimal import Decimal, InvalidOperation

    from credstack.errors import AwardError
    from credstack.registry.renewal import cpd_evidence, renewal_problems

    registry = open_registry(args)
    now = current_time()
    issued_at = parse_when(args.issued_at, what="--issued-at") or now
    hours = None
    if args.cpd_hours is not None:
        try:
            hours = Decimal(args.cpd_hours)
            assert hours.is_finite() and hours >= 0
        except (InvalidOperation, AssertionError) as e:
            raise ConfigError(f"--cpd-hours {args.cpd_hours!r} is not a number of hours") from e
    evidence = tuple(parse_evidence(e) for e in args.evidence)
    view = registry.get(args.credential)
    problems = renewal_problems(
        registry, view, at=issued_at, cpd_hours=hours, evidence=evidence, result=args.result
    )
    if problems:
        raise AwardError(
            f"the renewal rule of {view.achievement_id} is not met; nothing was written:\n  "
            + "\n  ".join(problems),
            hint="see the achievement's renewal rule in program/achievements/"
            f"{view.achievement_id}.yml",
        )
    key = signing_key(args, registry)
    plan = renew(
        registry,
        args.credential,
        key=key,
        now=now,
        issued_at=issued_at,
        result=args.result,
        allow_backdated=args.allow_backdated,
        extra_evidence=cpd_evidence(evidence, cpd_hours=hours, since=view.valid_from),
        assessors=tuple(args.assessor),
        assessed_on=parse_when(args.assessed_on, what="--assessed-on"),
    )
    _record_successor(args, registry, plan)
    print_awards(plan, registry.root)
    print(f"  renews {args.credential}")
    return 0


def _record_successor(args: argparse.Namespace, registry: Registry, plan: AwardPlan) -> None:
    """Roster rows for renewals and corrections (no email: the roster fills it in from the
    recipient's earlier rows). Written after the credential: a failure here loses no award."""
    from credstack.registry.roster import record_local, rows_for

    try:
        record_local(registry, rows_for(plan, registry.urls.issuer_id))
    except CredstackError as e:
        print_error(f"the roster was not updated: {e}", e.hint)


def _cmd_reissue(args: argparse.Namespace) -> int:
    registry = open_registry(args)
    key = signing_key(args, registry)
    plan = reissue(
        registry,
        args.credential,
        key=key,
        now=current_time(),
        name=args.name,
        evidence=tuple(parse_evidence(e) for e in args.evidence) if args.evidence else None,
        result=args.result,
    )
    _record_successor(args, registry, plan)
    print_awards(plan, registry.root)
    print(f"  {args.credential} revoked: superseded by {plan.awarded[0].cid}")
    return 0


def _cmd_expiring(args: argparse.Namespace) -> int:
    registry = open_registry(args)
    at = parse_when(args.at, what="--at") or current_time()
    rows = expiring(registry, at=at, within=parse_duration(args.within))
    roster = open_roster(args, registry) if args.roster else None
    if args.csv:
        writer = csv.writer(sys.stdout)
        header = ["credential", "name", "achievement", "valid_until", "url", "recipient"]
        writer.writerow(header + (["email"] if roster else []))
        for v in rows:
            until = format_datetime(v.valid_until) if v.valid_until else ""
            cells = [v.cid, v.name, v.achievement_id, until, v.id, v.recipient or ""]
            if roster is not None:
                cells.append(roster.email_of(v.recipient) or "")
            writer.writerow(safe_row(cells))
        return 0
    if not rows:
        print(f"no credential expires within {args.within}")
    for v in rows:
        email = f"  {roster.email_of(v.recipient) or '(no email in the roster)'}" if roster else ""
        print(f"{v.valid_until:%Y-%m-%d}  {v.cid}  {v.achievement_id}  {v.name}{email}")
    return 0


def add_registry_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="create, list and retire the issuer's signing keys")
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    ksub.required = True
    p = ksub.add_parser("create", help="make an Ed25519 key; publish its public key")
    p.add_argument("--id", help="key id (default key-YYYY-MM-DD)")
    p.add_argument("--key-dir", help="where to store the secret (default ~/.config/credstack/keys)")
    p.add_argument(
        "--print",
        action="store_true",
        help="print the secret once (for a CI secret) instead of storing it",
    )
    p.add_argument(
        "--import",
        dest="import_file",
        metavar="FILE",
        help="publish the key whose secret is in FILE (e.g. a CI secret saved to a file outside "
        "the repository) instead of making a new one",
    )
    p.set_defaults(handler=writes(_cmd_keys_create))
    p = ksub.add_parser("list", help="list the issuer's keys")
    p.set_defaults(handler=_cmd_keys_list)
    p = ksub.add_parser("retire", help="stop a key: proofs made after --at no longer verify")
    p.add_argument("key_id", metavar="KEY")
    p.add_argument("--at", help="retirement date (default now)")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=writes(_cmd_keys_retire))

    status = sub.add_parser("status", help="status lists: keep them fresh")
    status_sub = status.add_subparsers(dest="status_command", metavar="SUBCOMMAND", required=True)
    p = status_sub.add_parser(
        "refresh",
        help="re-sign the status lists that expire soon (same bits, a new validity window)",
    )
    p.add_argument("--within", default="14d", help="re-sign lists ending within this (default 14d)")
    p.add_argument("--key", help="secret key file (or set CREDSTACK_SIGNING_KEY)")
    p.set_defaults(handler=writes(_cmd_status_refresh))

    p = sub.add_parser("award", help="award a credential (or a cohort with --csv)")
    p.add_argument("achievement", nargs="?", metavar="ACHIEVEMENT")
    p.add_argument("--name", help="the recipient's display name")
    p.add_argument("--email", help="the recipient's email (stored only as a salted hash)")
    p.add_argument("--evidence", action="append", default=[], metavar="[TITLE=]URL")
    p.add_argument("--result", help="the assessment result (on the achievement's scale)")
    add_assessor_options(p)
    p.add_argument("--issued-at", help="award date (default now)")
    p.add_argument("--csv", help="cohort CSV: " + ", ".join(CSV_COLUMNS))
    p.add_argument(
        "--allow-backdated",
        action="store_true",
        help="allow award dates more than a year ago (e.g. moving earlier awards in)",
    )
    p.add_argument("--key", help="secret key file (or set CREDSTACK_SIGNING_KEY)")
    p.add_argument(
        "--roster",
        choices=("local", "sealed"),
        help="where the private roster row (name, email) goes: a 0600 file outside the work "
        "tree (local, the default) or sealed to the roster key under issued/roster/ (sealed, "
        "for CI); or set CREDSTACK_ROSTER",
    )
    p.add_argument(
        "--public-profile",
        action="store_true",
        help="publish the recipient's earner page (opt-in; see `credstack profile`)",
    )
    p.set_defaults(handler=writes(_cmd_award))

    add_verify_commands(sub)

    p = sub.add_parser(
        "migrate",
        help="shard issued/credentials/ by year (URLs unchanged)",
        description="Move flat issued/credentials/<id>.json files into issued/credentials/"
        "<year>/<letter>/, so that no folder holds more than 1,000 files. Ids, file contents "
        "and public URLs stay the same; run it once, then commit.",
    )
    p.set_defaults(handler=writes(_cmd_migrate))

    for name, event, needs_reason in (
        ("revoke", "revoked", True),
        ("suspend", "suspended", True),
        ("reinstate", "reinstated", False),
    ):
        p = sub.add_parser(name, help=f"{name} a credential (re-signs the status list)")
        p.add_argument("credential", metavar="ID")
        p.add_argument(
            "--statement",
            "--reason",
            dest="statement",
            required=needs_reason,
            metavar="TEXT",
            help="the public statement, shown on the credential's page next to the holder's "
            "name (--reason is the same option)",
        )
        p.add_argument(
            "--private-reason",
            metavar="TEXT",
            help="a reason that must not be published: kept only outside the repository",
        )
        p.add_argument(
            "--private-notes",
            metavar="FILE",
            help="where to keep private reasons (default "
            "~/.local/share/credstack/private/<site>_status-notes.yml, mode 0600)",
        )
        p.add_argument("--key", help="secret key file (or set CREDSTACK_SIGNING_KEY)")
        p.set_defaults(handler=writes(_cmd_status(event)))

    p = sub.add_parser(
        "renew",
        help="issue a fresh credential for the same recipient (checks the renewal rule)",
        description="Renew a credential: the achievement's renewal rule (window before expiry, "
        "CPD hours, CPD evidence, reassessment) is checked first.",
    )
    p.add_argument("credential", metavar="ID")
    p.add_argument("--issued-at")
    p.add_argument("--allow-backdated", action="store_true")
    p.add_argument("--result", help="the reassessment result, when the rule asks for one")
    p.add_argument("--cpd-hours", help="continuing professional development hours since the award")
    p.add_argument(
        "--evidence", action="append", default=[], metavar="[TITLE=]URL", help="CPD evidence"
    )
    add_assessor_options(p)
    p.add_argument("--key")
    p.set_defaults(handler=writes(_cmd_renew))

    p = sub.add_parser("reissue", help="issue a corrected credential; revoke the old one")
    p.add_argument("credential", metavar="ID")
    p.add_argument("--name", help="corrected display name")
    p.add_argument("--evidence", action="append", default=[], metavar="[TITLE=]URL")
    p.add_argument("--result")
    p.add_argument("--key")
    p.set_defaults(handler=writes(_cmd_reissue))

    p = sub.add_parser(
        "recover",
        help="finish a write interrupted by a crash; delete left-over temporary files",
        description="Every writing command does this first; run it by hand after a crash "
        "(e.g. before `credstack check`).",
    )
    p.set_defaults(handler=_cmd_recover)

    p = sub.add_parser("expiring", help="list credentials that expire soon")
    p.add_argument("--within", default="60d", help="e.g. 60d, 8w, 3m (default 60d)")
    p.add_argument("--at")
    p.add_argument("--csv", action="store_true", help="CSV for a reminder mail merge")
    p.add_argument(
        "--roster",
        action="store_true",
        help="add each holder's email from the private roster (see `credstack roster`)",
    )
    p.add_argument("--secret-file", help="roster secret file (or set CREDSTACK_ROSTER_SECRET)")
    p.set_defaults(handler=_cmd_expiring)
