"""Holder commands: roster, notify, profile, renewals, certificate."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from credstack.cli.common import (
    current_time,
    open_registry,
    open_roster,
    parse_duration,
    parse_when,
    print_error,
    show_progress,
    writes,
)
from credstack.errors import ConfigError
from credstack.model.sharing import safe_row
from credstack.model.status import format_datetime
from credstack.model.wording import verdict
from credstack.registry.registry import Registry
from credstack.registry.verify import (
    registry_verifier,
)

if TYPE_CHECKING:
    from credstack.registry.roster import RosterRow


def _cmd_roster(args: argparse.Namespace) -> int:
    registry = open_registry(args)
    roster = open_roster(args, registry)
    rows = sorted(roster.rows.values(), key=lambda r: (r.awarded_at, r.credential))
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["credential", "recipient", "name", "email", "achievement", "awarded_at"])
        for r in rows:
            cells = [r.credential, r.recipient, r.name, r.email or "", r.achievement]
            writer.writerow(safe_row([*cells, format_datetime(r.awarded_at)]))
        return 0
    people: dict[str, list[RosterRow]] = {}
    for r in rows:
        people.setdefault(r.recipient, []).append(r)
    for group in people.values():
        first = group[0]
        print(f"{first.name} <{roster.email_of(first.recipient) or 'email unknown'}>")
        for r in group:
            print(f"  {r.awarded_at:%Y-%m-%d}  {r.credential}  {r.achievement}")
    missing = len(registry.credentials) - len(roster.rows)
    print(
        f"{len(roster.rows)} award(s) of {len(people)} recipient(s) in the roster"
        + (f"; {missing} credential(s) have no roster row" if missing else "")
    )
    return 0


def _cmd_roster_keys_create(args: argparse.Namespace) -> int:
    from credstack.registry.roster import ROSTER_KEY_FILE, create_roster_key

    registry = open_registry(args)
    public, secret, path = create_roster_key(registry, now=current_time(), store=not args.print)
    print(f"created roster key {public}")
    print(f"  public key written to {ROSTER_KEY_FILE} (commit it)")
    if path is not None:
        print(f"  secret stored in {path} (mode 0600, outside the repository)")
    else:
        print("  secret (shown once; keep it where only the issuer reads it):")
        print(f"  {secret}")
    return 0


def _cmd_notify(args: argparse.Namespace) -> int:
    from credstack.registry.notify import (
        CSV_COLUMNS as NOTIFY_COLUMNS,
    )
    from credstack.registry.notify import (
        SmtpSettings,
        mark,
        plan_notifications,
        send,
    )

    registry = open_registry(args)
    now = current_time()
    roster = open_roster(args, registry)
    plan = plan_notifications(registry, roster, at=now)
    todo = plan.pending + (plan.uncertain if args.resend_uncertain else [])
    out = open(args.out, "w", newline="", encoding="utf-8") if args.out else None  # noqa: SIM115
    try:
        writer = csv.writer(out or sys.stdout)
        if not args.send:
            writer.writerow(NOTIFY_COLUMNS)
            for item in todo:
                writer.writerow(safe_row(item.csv_row()))
    finally:
        if out is not None:
            out.close()
    where = sys.stderr if not args.out and not args.send else sys.stdout
    if plan.uncertain and not args.resend_uncertain:
        ids = ", ".join(n.cid for n in plan.uncertain)
        print_error(
            f"{len(plan.uncertain)} award(s) were being mailed when a run stopped and may have "
            f"been delivered: {ids}",
            "they are not sent again; check the mailbox's sent items, then use "
            "--resend-uncertain to send them",
        )
    if plan.no_email:
        print_error(
            f"{len(plan.no_email)} award(s) have no email in the roster: {', '.join(plan.no_email)}"
        )
    if args.send:
        settings = SmtpSettings.from_env(os.environ, default_sender=registry.program.issuer.email)
        result = send(
            registry,
            todo,
            settings,
            at=now,
            sender_name=registry.program.issuer.name,
            progress=show_progress,
        )
        for cid, answer in result.failed:
            print_error(f"{cid}: the server refused the message ({answer}); it stays pending")
        print(
            f"sent {len(result.sent)}, refused {len(result.failed)}; "
            f"{plan.done} notified earlier (log: {plan.log})"
        )
        return 1 if result.failed else 0
    if args.mark_sent:
        mark(registry, [n.cid for n in todo], at=now, state="marked")
    note = (
        f"recorded as notified in {plan.log}"
        if args.mark_sent
        else "dry run: nothing sent; --send mails them, --mark-sent records your own mail merge"
    )
    print(f"{len(todo)} award(s) to notify, {plan.done} notified earlier; {note}", file=where)
    return 0


def _profile_recipient(registry: Registry, credential: str) -> tuple[str, str]:
    view = registry.get(credential)
    if view.recipient is None:
        raise ConfigError(f"{view.cid} names no recipient id", hint="award it with credstack")
    return view.recipient, view.name


def _cmd_profile_publish(args: argparse.Namespace) -> int:
    from credstack.registry.profiles import publish

    registry = open_registry(args)
    recipient, name = _profile_recipient(registry, args.credential)
    page = publish(registry, recipient, now=current_time())
    print(f"earner page of {name}: {registry.urls.site}earners/{page}/")
    print("  on the site after the next build; commit issued/profiles.yml")
    return 0


def _cmd_profile_unpublish(args: argparse.Namespace) -> int:
    from credstack.registry.profiles import unpublish

    registry = open_registry(args)
    recipient, name = _profile_recipient(registry, args.credential)
    page = unpublish(registry, recipient)
    if page is None:
        print(f"{name} has no earner page")
        return 0
    print(f"earner page of {name} removed ({registry.urls.site}earners/{page}/)")
    print("  gone from the site after the next build; commit issued/profiles.yml")
    return 0


def _cmd_renewals(args: argparse.Namespace) -> int:
    from credstack.registry.renewal import renewals_due

    registry = open_registry(args)
    at = parse_when(args.at, what="--at") or current_time()
    due = renewals_due(registry, at=at, within=parse_duration(args.within))
    if args.markdown:
        print(f"Renewals due as of {at:%Y-%m-%d}: {len(due)} credential(s).")
        print()
        if due:
            print("| credential | achievement | renewal opens | expires |")
            print("| --- | --- | --- | --- |")
            for d in due:
                v = d.view
                print(
                    f"| [{v.cid}]({v.id}) | {v.achievement_id} | {d.opens:%Y-%m-%d} | "
                    f"{d.closes:%Y-%m-%d} |"
                )
            print()
            print(
                "To remind the holders, run `credstack expiring --roster --csv` where the "
                "roster is (emails never appear here)."
            )
        return 0
    if not due:
        print(f"no renewal window is open or opens within {args.within}")
    for d in due:
        state = "open" if d.is_open(at) else f"opens {d.opens:%Y-%m-%d}"
        v = d.view
        print(f"{d.closes:%Y-%m-%d}  {v.cid}  {v.achievement_id}  {v.name}  (renewal {state})")
    return 0


def _cmd_certificate(args: argparse.Namespace) -> int:
    from credstack.model.certificate import certificate
    from credstack.registry.certificate import certificate_pdf
    from credstack.registry.files import write_atomic

    registry = open_registry(args)
    view = registry.get(args.credential)
    now = current_time()
    verifier = registry_verifier(registry, at=now, now=now)
    (report,) = verifier.verify_many([(view.raw, str(registry.credential_path(view.cid)), None)])
    if report.status != "verified":
        raise ConfigError(
            f"{view.cid} is {report.status}: {verdict(report)}",
            hint="a certificate is printed only for a credential in force",
        )
    cert = certificate(
        registry.program,
        view,
        registry.program.achievements.get(view.achievement_id),
        registry.urls.credential(view.cid),
    )
    raw = registry.credential_path(view.cid).read_bytes()
    pdf = certificate_pdf(cert, raw, paper=args.paper, created=view.valid_from)
    out = Path(args.output or f"{view.cid}.pdf")
    write_atomic(out, pdf)
    print(f"wrote {out} ({args.paper.upper()} landscape, credential.json attached)")
    return 0


def add_holder_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "roster",
        help="the private roster: who received which credential, with emails",
        description="Merge the local roster file and the sealed rows under issued/roster/ "
        "(opened with the roster secret). Never commit its output.",
    )
    p.add_argument("--csv", action="store_true", help="CSV (spreadsheet-safe)")
    p.add_argument("--secret-file", help="roster secret file (or set CREDSTACK_ROSTER_SECRET)")
    p.set_defaults(handler=_cmd_roster)
    rsub = p.add_subparsers(dest="roster_command", metavar="ACTION")
    keys = rsub.add_parser("keys", help="the roster key pair (for CI awards)")
    ksub = keys.add_subparsers(dest="roster_keys_command", metavar="ACTION")
    ksub.required = True
    k = ksub.add_parser("create", help="new key pair: public key in program/roster-key.yml")
    k.add_argument("--print", action="store_true", help="print the secret instead of storing it")
    k.set_defaults(handler=writes(_cmd_roster_keys_create))

    p = sub.add_parser(
        "notify",
        help="tell holders about their credentials (mail-merge CSV, or --send over SMTP)",
        description="Awards in the roster not notified yet: a mail-merge CSV (dry run, the "
        "default) or mail sent through CREDSTACK_SMTP_HOST/_PORT/_SECURITY/_USER/_PASSWORD/"
        "_FROM with --send. A private log makes sure nobody is mailed twice.",
    )
    p.add_argument("--send", action="store_true", help="send the mails (default: dry run)")
    p.add_argument("--out", metavar="FILE", help="write the CSV here (default: stdout)")
    p.add_argument(
        "--mark-sent",
        action="store_true",
        help="record the CSV's awards as notified (after your own mail merge)",
    )
    p.add_argument(
        "--resend-uncertain",
        action="store_true",
        help="also send the awards an interrupted run may or may not have mailed",
    )
    p.add_argument("--secret-file", help="roster secret file (or set CREDSTACK_ROSTER_SECRET)")
    p.set_defaults(handler=_cmd_notify)

    p = sub.add_parser("profile", help="publish or remove a holder's earner page (opt-in)")
    psub = p.add_subparsers(dest="profile_command", metavar="ACTION")
    psub.required = True
    for name, handler, text in (
        ("publish", writes(_cmd_profile_publish), "publish the earner page of a holder"),
        ("unpublish", writes(_cmd_profile_unpublish), "remove it from the next build"),
    ):
        q = psub.add_parser(name, help=text)
        q.add_argument("credential", metavar="ID", help="any credential of the holder")
        q.set_defaults(handler=handler)

    p = sub.add_parser(
        "renewals",
        help="credentials whose renewal window is open or opens soon (no emails)",
    )
    p.add_argument("--within", default="31d", help="window opening within, e.g. 31d (default)")
    p.add_argument("--at")
    p.add_argument("--markdown", action="store_true", help="a Markdown table (for an issue)")
    p.set_defaults(handler=_cmd_renewals)

    p = sub.add_parser(
        "certificate",
        help="a printable PDF certificate of a credential (the signed JSON attached)",
    )
    p.add_argument("credential", metavar="ID")
    p.add_argument("-o", "--output", metavar="FILE", help="default: ID.pdf")
    p.add_argument("--paper", choices=("a4", "letter"), default="a4")
    p.set_defaults(handler=_cmd_certificate)
