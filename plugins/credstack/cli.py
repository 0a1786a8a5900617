"""The ``credstack`` command line: the only module that prints or exits.

Exit codes: 0 ok, 1 failed operation or invalid credential, 2 usage error.
Each subcommand is a ``_cmd_<name>(args) -> int`` function registered in :func:`build_parser`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from credstack import __version__
from credstack.errors import ConfigError, CredstackError
from credstack.model.report import VerificationReport
from credstack.model.sharing import safe_row
from credstack.model.status import format_datetime, parse_date_or_datetime
from credstack.model.wording import label, message, report_json, verdict
from credstack.registry.award import (
    CSV_COLUMNS,
    AwardInput,
    AwardPlan,
    parse_evidence,
    plan_awards,
    read_cohort_csv,
    write_plan,
)
from credstack.registry.documents import (
    Documents,
    fetch_documents,
    from_arguments,
    from_folder,
    needed_urls,
)
from credstack.registry.files import Recovery, recover, registry_lock
from credstack.registry.keys import (
    KEYS_FILE,
    LoadedKey,
    create_key,
    find_signing_key,
    read_secret_file,
    retire_key,
)
from credstack.registry.lifecycle import change_status, expiring, reissue, renew
from credstack.registry.logcheck import LogCheck, proof_log_check
from credstack.registry.registry import Registry
from credstack.registry.vcache import VerificationCache
from credstack.registry.verify import (
    collect_targets,
    read_target,
    registry_verifier,
    unreadable_report,
)

Handler = Callable[[argparse.Namespace], int]


def _root(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve()


def _err(message: str, hint: str | None = None) -> None:
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="credstack",
        description="Run a stackable micro-credential program from a git repository.",
    )
    parser.add_argument("--version", action="version", version=f"credstack {__version__}")
    parser.add_argument(
        "-C",
        "--root",
        default=os.environ.get("CREDSTACK_ROOT", "."),
        help="registry root (the folder with mkdocs.yml, program/ and issued/); default: .",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_commands(sub)
    return parser


def _add_commands(sub: argparse._SubParsersAction) -> None:
    """Register every subcommand. Keep the order of ``credstack --help`` meaningful."""
    p = sub.add_parser(
        "lint",
        help="check the program definition (schema and design)",
        description="Check program/ and mkdocs.yml; print every problem with file and line.",
    )
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.set_defaults(handler=_cmd_lint)
    p = sub.add_parser(
        "map",
        help="show competencies x achievements and the pathway tree",
        description="Print which achievement verifies which competency, and each pathway with "
        "its prices (the same figures as the site's calculator).",
    )
    p.add_argument(
        "--held",
        metavar="IDS",
        help="price what is left for someone holding these achievements (comma-separated)",
    )
    p.set_defaults(handler=_cmd_map)
    _add_registry_commands(sub)
    _add_holder_commands(sub)
    _add_workflow_commands(sub)
    _add_log_commands(sub)
    _add_application_commands(sub)


# -- program commands: lint, map ------------------------------------------------------------


def _cmd_lint(args: argparse.Namespace) -> int:
    """Check the program definition (schema and design); print every problem, compiler style."""
    from credstack.model.problems import summary
    from credstack.registry.program import check_program

    program, problems = check_program(_root(args))
    for problem in problems:
        print(f"{problem.severity}: {problem.headline} [{problem.check}]")
        if problem.hint:
            print(f"  hint: {problem.hint}")
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    line = summary(problems)
    if program is not None and not problems:
        counts = (
            (len(program.competencies), "competency", "competencies"),
            (len(program.achievements), "achievement", "achievements"),
            (len(program.pathways), "pathway", "pathways"),
        )
        line += " (" + ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts) + ")"
    elif args.strict and warnings and not errors:
        line += " (--strict: warnings fail)"
    print(line)
    return 1 if errors or (args.strict and warnings) else 0


def _cmd_map(args: argparse.Namespace) -> int:
    """Print the competency × achievement matrix and each certification's pathway tree."""
    import textwrap

    from credstack.model.pricing import quote
    from credstack.model.stacking import prerequisite_closure, verified_by
    from credstack.registry.program import load_program

    program = load_program(_root(args))
    held = {h.strip() for h in (args.held or "").split(",") if h.strip()}
    unknown = sorted(held - set(program.achievements))
    if unknown:
        raise ConfigError(
            f"--held names unknown achievement(s): {', '.join(unknown)}",
            hint="give achievement ids separated by commas: "
            + ", ".join(a for a in program.achievements),
        )
    achievements = program.achievements
    try:
        "●·├└│×".encode(sys.stdout.encoding or "ascii")
        mark, blank, tee, last, pipe, times = "●", "·", "├─ ", "└─ ", "│  ", "×"
    except (UnicodeEncodeError, LookupError):
        mark, blank, tee, last, pipe, times = "x", ".", "|- ", "`- ", "|  ", "x"
    label: dict[str, str] = {}
    for a in achievements.values():
        letter = a.level[0].upper()
        label[a.id] = f"{letter}{sum(v[0] == letter for v in label.values()) + 1}"

    def describe(aid: str) -> str:
        a = achievements[aid]
        return f"{label[aid]} {aid}  {a.name}  {a.hours:g} h  {a.price}"

    # (a) competencies (rows, grouped by domain) × achievements (columns, labelled F1, P1, C1...)
    verifiers = verified_by(program)
    width = max((len(c) for c in program.competencies), default=0) + 2
    print(f"Competencies {times} achievements ({mark} = verified)")
    print()
    print(" " * (width + 11) + "".join(f"{label[a]:>4}" for a in achievements))
    domains: dict[str, list[str]] = {}
    for c in program.competencies.values():
        domains.setdefault(c.domain, []).append(c.id)
    for domain, ids in domains.items():
        print(domain)
        for cid in ids:
            cells = "".join(f"{mark if a in verifiers[cid] else blank:>4}" for a in achievements)
            print(f"  {cid:<{width}}{program.competencies[cid].kind:<9}{cells}")
    print()
    for aid, a in achievements.items():
        print(f"  {label[aid]:<4}{aid:<{width + 4}}{a.level:<15}{a.name}")

    # (b) certification <- requirement groups <- achievements <- their prerequisites
    shown: set[str] = set()

    def tree(aid: str, prefix: str, is_last: bool, word: str = "") -> None:
        print(prefix + (last if is_last else tee) + word + describe(aid))
        shown.add(aid)
        below = achievements[aid].prerequisites
        for i, pre in enumerate(below):
            tree(pre, prefix + ("   " if is_last else pipe), i == len(below) - 1, "requires ")

    for pathway in program.pathways.values():
        cert = achievements[pathway.certification]
        shown.add(cert.id)
        valid = f"  valid {cert.validity_months} months" if cert.validity_months else ""
        print()
        print(describe(cert.id) + valid)
        print(f"{last}pathway {pathway.id}  {pathway.name}")
        print(f"   bundle {pathway.bundle_price}")
        print(f"   credit {pathway.credit_percent:g} % of each micro-credential's price")
        for line in _quote_lines(quote(program, pathway, held), held=bool(held)):
            print(f"   {line}")
        for group in pathway.requires:
            needed = "all" if group.at_least is None else f"at least {group.at_least}"
            print(f"   {tee}{needed} of")
            for j, aid in enumerate(group.achievements):
                tree(aid, "   " + pipe, j == len(group.achievements) - 1)
        print(f"   {last}capstone ({pathway.capstone.method})")
        for text in textwrap.wrap(pathway.capstone.assesses, 80):
            print(f"      {text}")
    others = [a for a in achievements if a not in shown | prerequisite_closure(program, shown)]
    if others:
        print()
        print("On no pathway: " + ", ".join(f"{label[a]} {a}" for a in others))
    return 0


def _quote_lines(q, *, held: bool) -> list[str]:
    """`credstack map`'s price lines for one pathway (from model.pricing.quote)."""
    if q is None:
        return ["step by step: cannot be priced (see `credstack lint`)"]
    who = "for the holdings given" if held else "from nothing"
    if q.certified:
        return [f"{who}: the certification is held; nothing left to pay"]
    steps = ", ".join(q.route.to_take) or "no micro-credential"
    lines = [
        f"step by step {who}: {q.total}",
        f"  {q.micro_price} for {steps}",
        f"  + {q.certification_fee} for the certification ({q.credit} credit)",
        f"  {q.route.hours:g} h of learning ahead",
    ]
    if q.bundle_is_cheaper:
        lines.append(f"  the bundle ({q.bundle}) costs less")
    return lines


# -- registry commands: keys, award, verify, lifecycle ------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _when(text: str | None, *, what: str = "date") -> datetime | None:
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


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([dwmy]?)\s*", text or "")
    if not match:
        raise ConfigError(f"{text!r} is not a duration", hint="use e.g. 60d, 8w, 3m or 1y")
    n, unit = int(match.group(1)), match.group(2) or "d"
    return timedelta(days=n * {"d": 1, "w": 7, "m": 30, "y": 365}[unit])


def _registry(args: argparse.Namespace) -> Registry:
    return Registry(_root(args))


def _print_recovery(found: Recovery) -> None:
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


def _writes(handler: Handler) -> Handler:
    """Run a writing command under the registry's lock (one writer at a time, see files.py)."""

    def locked(args: argparse.Namespace) -> int:
        root = _root(args)
        if not (root / "program").is_dir():
            return handler(args)  # not a registry: the command says so itself

        def waiting(holder: str) -> None:
            print(f"waiting for another credstack command to finish: {holder}", file=sys.stderr)

        with registry_lock(root, command=args.command, on_wait=waiting) as session:
            _print_recovery(session.recovery)
            return handler(args)

    return locked


def _cmd_recover(args: argparse.Namespace) -> int:
    """Finish or undo an interrupted write; delete temporary files left over."""
    found = recover(_root(args))
    _print_recovery(found)
    if not found:
        print("nothing to recover: no interrupted write")
    return 0


def _key(args: argparse.Namespace, registry: Registry) -> LoadedKey:
    key_file = Path(args.key) if getattr(args, "key", None) else None
    return find_signing_key(registry.program, registry.root, key_file=key_file)


def _cmd_keys_create(args: argparse.Namespace) -> int:
    registry = _registry(args)
    now = _now()
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
    registry = _registry(args)
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
    registry = _registry(args)
    at = _when(args.at, what="--at") or _now()
    key = retire_key(registry.program, registry.root, args.key_id, at=at, reason=args.reason)
    print(f"retired {key.id} from {format_datetime(at)}: proofs made later no longer verify")
    return 0


def _print_awards(plan: AwardPlan, root: Path) -> None:
    for inp, _why in plan.skipped:
        where = f"{inp.where}: " if inp.where else ""
        print(f"skipped {where}{inp.achievement} for {inp.name}: already awarded")
    for awarded in plan.awarded:
        print(f"awarded {awarded.cid}  {awarded.input.achievement}  {awarded.input.name}")
        print(f"  file: {awarded.path.relative_to(root)}")
        print(f"  url:  {awarded.url}")


def _progress(done: int, total: int) -> None:
    if total < 2 or not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // total
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr)
    if done == total:
        print(file=sys.stderr)


def _cmd_award(args: argparse.Namespace) -> int:
    registry = _registry(args)
    now = _now()
    issued_at = _when(args.issued_at, what="--issued-at") or now
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
                assessed_on=_when(args.assessed_on, what="--assessed-on"),
            )
        ]
    key = _key(args, registry)
    plan = plan_awards(
        registry,
        inputs,
        key,
        signed_at=now,
        skip_already_held=bool(args.csv),
        allow_backdated=args.allow_backdated,
        progress=_progress,
    )
    records = _roster_records(args, registry, plan, now=now)
    write_plan(plan, records.stage)
    _print_awards(plan, registry.root)
    records.report()
    if args.csv:
        print(f"{len(plan.awarded)} awarded, {len(plan.skipped)} skipped (already awarded)")
    return 0


class _RosterRecords:
    """The roster rows (and earner pages) of one award call: written with the credentials."""

    def __init__(self, registry: Registry, rows: list, *, sealed: bool, now: datetime) -> None:
        self.registry, self.rows, self.sealed, self.now = registry, rows, sealed, now
        self.local: Path | None = None
        self.sealed_file: Path | None = None
        self.pages: dict[str, str] = {}

    def stage(self, tx) -> None:
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


def _roster_records(args, registry: Registry, plan: AwardPlan, *, now: datetime):
    """The roster hook of award: local rows are written first (a row for an award that then
    fails names a credential that does not exist, and is ignored); sealed rows and earner
    pages go into the award's own transaction."""
    from credstack.registry.roster import record_local, rows_for

    mode = args.roster or os.environ.get("CREDSTACK_ROSTER") or "local"
    if mode not in ("local", "sealed"):
        raise ConfigError(f"--roster {mode!r}: use local or sealed")
    rows = rows_for(plan, registry.urls.issuer_id, public_profile=args.public_profile)
    records = _RosterRecords(registry, rows, sealed=mode == "sealed", now=now)
    if mode == "local":
        records.local = record_local(registry, rows)
    return records


def _print_report(report: VerificationReport) -> None:
    marks = {"pass": "OK  ", "warn": "WARN", "fail": "FAIL", "error": "ERR ", "skip": "SKIP"}
    print(f"{report.target}: {verdict(report)}")
    for check in report.checks:
        print(f"  {marks[check.outcome]} {label(check.id)}: {message(check)}")


def _cmd_badge(args: argparse.Namespace) -> int:
    """Bake one credential's badge images offline (what a lean site's page makes on demand)."""
    from credstack.registry.badges import write_badges

    registry = Registry(_root(args))
    out = Path(args.out) if args.out else Path.cwd()
    for path in write_badges(registry, args.credential, out):
        print(f"wrote {path}")
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    """Move flat credential files into their shards (URLs unchanged)."""
    from credstack.registry.layout import CREDENTIALS_DIR, migrate

    root = _root(args)
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


def _cmd_verify(args: argparse.Namespace) -> int:
    root = _root(args)
    registry = (
        Registry(root) if (root / "mkdocs.yml").exists() and (root / "program").is_dir() else None
    )
    documents = _verify_documents(args, registry)
    now = _now()
    at = _when(args.at, what="--at") or now
    cache = VerificationCache.for_registry(
        registry.root if registry is not None else root,
        enabled=registry is not None and not args.no_cache,
    )
    items: list[tuple[object, str, str | None]] = []
    unreadable: list[VerificationReport] = []
    for target in args.targets:
        for path in collect_targets(Path(target)):
            try:
                doc = read_target(path)
            except CredstackError as e:
                unreadable.append(unreadable_report(str(path), e.message))
                continue
            # The SHA-256 of a credential file (the transparency log records the file's).
            digest = (
                hashlib.sha256(path.read_bytes()).hexdigest()
                if path.suffix.lower() == ".json" and isinstance(doc, dict)
                else None
            )
            items.append((doc, str(path), digest))
    verifier = registry_verifier(
        registry,
        at=at,
        now=now,
        did_documents=documents.did_documents,
        status_lists=documents.status_lists,
        cache=cache,
        log=_log_proof_check(args, registry, items, now) if args.log_proof else None,
    )
    reports = verifier.verify_many(items) + unreadable
    cache.save()
    if args.json:
        out = [report_json(r) for r in reports]
        print(json.dumps(out if len(out) != 1 else out[0], indent=2, ensure_ascii=False))
    else:
        for report in reports:
            _print_report(report)
        if len(reports) > 1:
            counts: dict[str, int] = {}
            for r in reports:
                counts[r.status] = counts.get(r.status, 0) + 1
            print(
                f"{len(reports)} credentials: "
                + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            )
    return 0 if reports and all(r.ok for r in reports) else 1


def _verify_documents(args: argparse.Namespace, registry: Registry | None) -> Documents:
    """The DID documents and status lists ``verify`` was given (and, with --fetch, fetched)."""
    documents = from_arguments(args.did_document, args.status_list)
    for folder in args.documents:
        from_folder(Path(folder), documents)
    if args.fetch:
        if registry is not None:
            raise ConfigError(
                "--fetch is for credentials verified outside a registry",
                hint="inside a registry, its own DID document and status lists are used",
            )
        credentials = []
        for target in args.targets:
            for path in collect_targets(Path(target)):
                try:
                    credentials.append(read_target(path))
                except CredstackError:
                    continue  # reported by the verification itself
        fetch_documents(needed_urls(credentials), documents)
        for url in documents.fetched:
            print(f"fetched {url}", file=sys.stderr)
    for where, problem in documents.problems:
        print(f"warning: {where}: {problem}", file=sys.stderr)
    return documents


def _log_proof_check(
    args: argparse.Namespace,
    registry: Registry | None,
    items: list[tuple[object, str, str | None]],
    now: datetime,
) -> LogCheck:
    """``verify --log-proof FILE``: the ``log`` check from a tlog-proof, offline."""
    if len(items) != 1:
        raise ConfigError("--log-proof checks one credential", hint="give one TARGET")
    _, path, _ = items[0]
    vkey = args.log_key or (_log_config(registry).verifier.vkey if registry else None)
    if vkey is None:
        raise ConfigError("--log-proof needs the log's key", hint="pass --log-key VKEY")
    raw = Path(path).read_bytes() if path.endswith(".json") else None
    proof = Path(args.log_proof).read_text("utf-8")
    return proof_log_check(proof, vkey, raw=raw, now=now, max_age=None)


def _cmd_status(event: str) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        from credstack.registry.notes import (
            check_private_reason,
            private_notes_target,
            record_private_reason,
        )

        registry = _registry(args)
        key = _key(args, registry)
        notes = Path(args.private_notes).expanduser() if args.private_notes else None
        private = None
        if args.private_reason:  # checked before anything is written
            private = check_private_reason(args.private_reason)
            notes = private_notes_target(registry, notes)
        when = _now()
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

    registry = _registry(args)
    key = _key(args, registry)
    done = refresh_status_lists(registry, key, now=_now(), within=_duration(args.within))
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

    registry = _registry(args)
    now = _now()
    issued_at = _when(args.issued_at, what="--issued-at") or now
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
    key = _key(args, registry)
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
        assessed_on=_when(args.assessed_on, what="--assessed-on"),
    )
    _record_successor(args, registry, plan)
    _print_awards(plan, registry.root)
    print(f"  renews {args.credential}")
    return 0


def _record_successor(args: argparse.Namespace, registry: Registry, plan: AwardPlan) -> None:
    """Roster rows for renewals and corrections (no email: the roster fills it in from the
    recipient's earlier rows). Written after the credential: a failure here loses no award."""
    from credstack.registry.roster import record_local, rows_for

    try:
        record_local(registry, rows_for(plan, registry.urls.issuer_id))
    except CredstackError as e:
        _err(f"the roster was not updated: {e}", e.hint)


def _cmd_reissue(args: argparse.Namespace) -> int:
    registry = _registry(args)
    key = _key(args, registry)
    plan = reissue(
        registry,
        args.credential,
        key=key,
        now=_now(),
        name=args.name,
        evidence=tuple(parse_evidence(e) for e in args.evidence) if args.evidence else None,
        result=args.result,
    )
    _record_successor(args, registry, plan)
    _print_awards(plan, registry.root)
    print(f"  {args.credential} revoked: superseded by {plan.awarded[0].cid}")
    return 0


def _cmd_expiring(args: argparse.Namespace) -> int:
    registry = _registry(args)
    at = _when(args.at, what="--at") or _now()
    rows = expiring(registry, at=at, within=_duration(args.within))
    roster = _load_roster(args, registry) if args.roster else None
    if args.csv:
        writer = csv.writer(sys.stdout)
        header = ["credential", "name", "achievement", "valid_until", "url", "recipient"]
        writer.writerow(header + (["email"] if roster else []))
        for v in rows:
            cells = [v.cid, v.name, v.achievement_id, format_datetime(v.valid_until), v.id]
            cells.append(v.recipient)
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


def _add_assessor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--assessor",
        action="append",
        default=[],
        metavar="ID",
        help="an assessor on record in program/assessors.yml (repeat for each one)",
    )
    p.add_argument("--assessed-on", metavar="DATE", help="date of the assessment (default: award)")


def _add_registry_commands(sub: argparse._SubParsersAction) -> None:
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
    p.set_defaults(handler=_writes(_cmd_keys_create))
    p = ksub.add_parser("list", help="list the issuer's keys")
    p.set_defaults(handler=_cmd_keys_list)
    p = ksub.add_parser("retire", help="stop a key: proofs made after --at no longer verify")
    p.add_argument("key_id", metavar="KEY")
    p.add_argument("--at", help="retirement date (default now)")
    p.add_argument("--reason", required=True)
    p.set_defaults(handler=_writes(_cmd_keys_retire))

    status = sub.add_parser("status", help="status lists: keep them fresh")
    status_sub = status.add_subparsers(dest="status_command", metavar="SUBCOMMAND", required=True)
    p = status_sub.add_parser(
        "refresh",
        help="re-sign the status lists that expire soon (same bits, a new validity window)",
    )
    p.add_argument("--within", default="14d", help="re-sign lists ending within this (default 14d)")
    p.add_argument("--key", help="secret key file (or set CREDSTACK_SIGNING_KEY)")
    p.set_defaults(handler=_writes(_cmd_status_refresh))

    p = sub.add_parser("award", help="award a credential (or a cohort with --csv)")
    p.add_argument("achievement", nargs="?", metavar="ACHIEVEMENT")
    p.add_argument("--name", help="the recipient's display name")
    p.add_argument("--email", help="the recipient's email (stored only as a salted hash)")
    p.add_argument("--evidence", action="append", default=[], metavar="[TITLE=]URL")
    p.add_argument("--result", help="the assessment result (on the achievement's scale)")
    _add_assessor_options(p)
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
    p.set_defaults(handler=_writes(_cmd_award))

    p = sub.add_parser("verify", help="verify credentials offline (JSON, baked PNG/SVG, folders)")
    p.add_argument("targets", nargs="+", metavar="TARGET")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--at", help="verify as of this date (default now)")
    p.add_argument(
        "--did-document",
        action="append",
        default=[],
        metavar="FILE",
        help="the issuer's DID document (did:web), saved as a file",
    )
    p.add_argument(
        "--status-list",
        action="append",
        default=[],
        metavar="[URL=]FILE",
        help="a status list (JSON or VC-JWT), as served at URL (default: at its own id)",
    )
    p.add_argument(
        "--documents",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of saved DID documents and status lists, laid out as their URLs",
    )
    p.add_argument(
        "--fetch",
        action="store_true",
        help="outside a registry, fetch missing did:web documents and status lists over https",
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write .cache/")
    p.add_argument("--log-proof", metavar="FILE", help="a tlog-proof: check the issuer's log too")
    p.add_argument(
        "--log-key", metavar="VKEY", help="the log's verifier key (default: this registry's)"
    )
    p.set_defaults(handler=_cmd_verify)

    p = sub.add_parser(
        "badge",
        help="bake a credential's badge.png and badge.svg (offline)",
        description="Write badge.png and badge.svg of an issued credential, the signed "
        "credential baked in, with a QR code of its page: the files its page makes on demand.",
    )
    p.add_argument("credential", metavar="ID", help="credential id or URL")
    p.add_argument("-o", "--out", metavar="DIR", help="where to write them (default: here)")
    p.set_defaults(handler=_cmd_badge)

    p = sub.add_parser(
        "migrate",
        help="shard issued/credentials/ by year (URLs unchanged)",
        description="Move flat issued/credentials/<id>.json files into issued/credentials/"
        "<year>/<letter>/, so that no folder holds more than 1,000 files. Ids, file contents "
        "and public URLs stay the same; run it once, then commit.",
    )
    p.set_defaults(handler=_writes(_cmd_migrate))

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
        p.set_defaults(handler=_writes(_cmd_status(event)))

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
    _add_assessor_options(p)
    p.add_argument("--key")
    p.set_defaults(handler=_writes(_cmd_renew))

    p = sub.add_parser("reissue", help="issue a corrected credential; revoke the old one")
    p.add_argument("credential", metavar="ID")
    p.add_argument("--name", help="corrected display name")
    p.add_argument("--evidence", action="append", default=[], metavar="[TITLE=]URL")
    p.add_argument("--result")
    p.add_argument("--key")
    p.set_defaults(handler=_writes(_cmd_reissue))

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


# -- holder commands: roster, notify, profile, renewals, certificate ------------------------


def _load_roster(args: argparse.Namespace, registry: Registry):
    """The merged roster (local file + the sealed rows the available secrets open)."""
    from credstack.registry.roster import load_roster, roster_secrets

    secret_file = Path(args.secret_file) if getattr(args, "secret_file", None) else None
    secrets = roster_secrets(registry, secret_file=secret_file)
    roster = load_roster(registry, secrets=secrets)
    if roster.sealed_unread:
        _err(
            f"{roster.sealed_unread} sealed roster row(s) under issued/roster/ could not be "
            "opened: their emails are missing below",
            "pass --secret-file or set CREDSTACK_ROSTER_SECRET to the roster secret",
        )
    return roster


def _cmd_roster(args: argparse.Namespace) -> int:
    registry = _registry(args)
    roster = _load_roster(args, registry)
    rows = sorted(roster.rows.values(), key=lambda r: (r.awarded_at, r.credential))
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["credential", "recipient", "name", "email", "achievement", "awarded_at"])
        for r in rows:
            cells = [r.credential, r.recipient, r.name, r.email or "", r.achievement]
            writer.writerow(safe_row([*cells, format_datetime(r.awarded_at)]))
        return 0
    people: dict[str, list] = {}
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

    registry = _registry(args)
    public, secret, path = create_roster_key(registry, now=_now(), store=not args.print)
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

    registry = _registry(args)
    now = _now()
    roster = _load_roster(args, registry)
    plan = plan_notifications(registry, roster, at=now)
    todo = plan.pending + (plan.uncertain if args.resend_uncertain else [])
    out = open(args.out, "w", newline="", encoding="utf-8") if args.out else None  # noqa: SIM115
    try:
        writer = csv.writer(out or sys.stdout)
        if not args.send:
            writer.writerow(NOTIFY_COLUMNS)
            for note in todo:
                writer.writerow(safe_row(note.csv_row()))
    finally:
        if out is not None:
            out.close()
    where = sys.stderr if not args.out and not args.send else sys.stdout
    if plan.uncertain and not args.resend_uncertain:
        ids = ", ".join(n.cid for n in plan.uncertain)
        _err(
            f"{len(plan.uncertain)} award(s) were being mailed when a run stopped and may have "
            f"been delivered: {ids}",
            "they are not sent again; check the mailbox's sent items, then use "
            "--resend-uncertain to send them",
        )
    if plan.no_email:
        _err(
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
            progress=_progress,
        )
        for cid, answer in result.failed:
            _err(f"{cid}: the server refused the message ({answer}); it stays pending")
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

    registry = _registry(args)
    recipient, name = _profile_recipient(registry, args.credential)
    page = publish(registry, recipient, now=_now())
    print(f"earner page of {name}: {registry.urls.site}earners/{page}/")
    print("  on the site after the next build; commit issued/profiles.yml")
    return 0


def _cmd_profile_unpublish(args: argparse.Namespace) -> int:
    from credstack.registry.profiles import unpublish

    registry = _registry(args)
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

    registry = _registry(args)
    at = _when(args.at, what="--at") or _now()
    due = renewals_due(registry, at=at, within=_duration(args.within))
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

    registry = _registry(args)
    view = registry.get(args.credential)
    now = _now()
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


def _add_holder_commands(sub: argparse._SubParsersAction) -> None:
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
    k.set_defaults(handler=_writes(_cmd_roster_keys_create))

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
        ("publish", _writes(_cmd_profile_publish), "publish the earner page of a holder"),
        ("unpublish", _writes(_cmd_profile_unpublish), "remove it from the next build"),
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


# -- workflow commands: check, init --------------------------------------------------------


def _cmd_check(args: argparse.Namespace) -> int:
    """The merge gate: print every finding, compiler style; exit 1 on any error."""
    from credstack.registry.check import check_registry

    report = check_registry(
        _root(args),
        at=_now(),
        base=args.base,
        use_cache=not args.no_cache,
        workers=args.jobs or None,
        allow_key_change=args.allow_key_change,
    )
    lines: list[str] = []
    if report.keys_added:
        lines.append("=" * 78)
        lines.append(
            f"THIS CHANGE ADDS SIGNING KEY(S): {', '.join(report.keys_added)}. Anything signed "
            "with them verifies as issued by you."
        )
        lines.append("=" * 78)
    for finding in report.sorted_findings():
        lines.append(f"{finding.severity}: {finding}")
        if finding.hint:
            lines.append(f"  hint: {finding.hint}")
    states = ", ".join(
        f"{report.states[s]} {s}"
        for s in ("verified", "revoked", "suspended", "expired")
        if report.states[s] or s == "verified"
    )
    against = f" against {report.base} ({report.new_credentials} new)" if report.base else ""
    lines.append(
        f"checked {report.credentials} credential(s) and {report.status_lists} status list(s)"
        f"{against}: {states}"
    )
    if args.verbose:
        lines.append(
            f"  {report.cache_hits} from the cache, {report.verified} verified now "
            f"({report.workers} process{'es' if report.workers > 1 else ''})"
        )
    errors, warnings = len(report.errors), len(report.warnings)
    line = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning"
    line += "s" if warnings != 1 else ""
    if args.strict and warnings and not errors:
        line += " (--strict: warnings fail)"
    lines.append(line)
    print("\n".join(lines))
    ok = report.ok(strict=args.strict)
    if args.comment:
        from credstack.registry.files import write_atomic
        from credstack.registry.gate import gate_comment

        write_atomic(Path(args.comment), gate_comment(ok, lines))
    return 0 if ok else 1


def _ask(question: str, default: str | None = None) -> str | None:
    """One line from the person at the terminal (None when there is none)."""
    if not sys.stdin.isatty():
        return None
    suffix = f" [{default}]" if default else ""
    try:
        answer = input(f"{question}{suffix}: ").strip()
    except EOFError:
        return None
    return answer or default


def _cmd_init(args: argparse.Namespace) -> int:
    """Scaffold a new registry in DIR (a git repository); never overwrite a file."""
    from credstack.registry.requirement import requirement_for
    from credstack.registry.scaffold import scaffold

    target = Path(args.directory)
    site_url = args.site_url or _ask(
        "Site URL (where the site will be published, e.g. https://<owner>.github.io/<repo>/)"
    )
    name = args.name or _ask("Name of the issuing organisation")
    email = args.email
    if email is None and args.site_url is None:  # asked interactively: ask for this too
        email = _ask("Contact email shown on the site (Enter to set it later)") or None
    if not site_url or not name:
        raise ConfigError(
            "credstack init needs the site URL and the organisation's name",
            hint="credstack init DIR --site-url https://<owner>.github.io/<repository>/ "
            "--name 'Your Organisation' [--email contact@your.org]",
        )
    requirement = requirement_for(args.credstack_source or os.environ.get("CREDSTACK_SOURCE"))
    result = scaffold(
        target,
        site_url=site_url,
        name=name,
        email=email,
        issuer_url=args.issuer_url,
        requirement=requirement,
        force=args.force,
        commit=not args.no_commit,
    )
    for rel in result.written:
        print(f"  wrote {rel}")
    for rel in result.skipped:
        print(f"  kept  {rel} (it exists; not overwritten)")
    print(f"created a credstack registry in {target} ({len(result.written)} files)")
    print(f"  workflows install: {requirement.line} (from {requirement.origin})")
    if result.git_created:
        print("  made it a git repository (branch main)")
    if result.committed:
        print(f"  first commit: {result.committed[:12]}")
    elif not args.no_commit and result.commit_problem:
        print(f"  no first commit: {result.commit_problem}")
        print("  commit the files yourself: git add -A && git commit -m 'credstack init'")
    if email is None:
        print("  set email in program/issuer.yml before `credstack keys create`")
    print(f"next: read {target / 'README.md'} (create a key, push, award, open a pull request)")
    return 0


def _read_issue(path: str) -> dict:
    from credstack.errors import ApplicationError

    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except OSError as e:
        raise ApplicationError(f"cannot read {path}: {e.strerror}") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ApplicationError(
            f"{path} is not JSON ({e})", hint="save the issue with `gh api repos/O/R/issues/N`"
        ) from e
    return doc if isinstance(doc, dict) else {}


def _write_text(path: str | None, text: str) -> None:
    if path:
        from credstack.registry.files import write_atomic

        write_atomic(Path(path), text)


def _application(args: argparse.Namespace, registry: Registry):
    """(issue number or None, application); writes the refusal comment before raising."""
    from credstack.model.application import issue_of, parse_application
    from credstack.registry.application import refusal_comment

    payload = _read_issue(args.issue)
    number = None
    try:
        number = issue_of(payload)["number"]
        return number, parse_application(payload, registry.program)
    except CredstackError as e:
        _write_text(args.comment, refusal_comment(registry, number, e))
        raise


def _cmd_application_read(args: argparse.Namespace) -> int:
    """Read an application issue into the award input it asks for (JSON), or say why not."""
    from credstack.registry.application import received_comment

    registry = _registry(args)
    _number, application = _application(args, registry)
    _write_text(args.comment, received_comment(registry, application))
    print(json.dumps(application.to_json(), indent=2, ensure_ascii=False))
    return 0


def _cmd_application_award(args: argparse.Namespace) -> int:
    """Award from an application issue; on refusal write the reason and change nothing."""
    from credstack.registry.application import (
        awarded_comment,
        plan_application,
        pr_body,
        refusal_comment,
    )

    registry = _registry(args)
    number, application = _application(args, registry)
    try:
        email = args.email or os.environ.get("CREDSTACK_RECIPIENT_EMAIL", "")
        if not email.strip():
            raise ConfigError(
                "no recipient email",
                hint="pass --email or set CREDSTACK_RECIPIENT_EMAIL (the award workflow's "
                "masked input); the email never comes from the public issue",
            )
        now = _now()
        issued_at = _when(args.issued_at, what="--issued-at") or now
        if issued_at > now:
            raise ConfigError("--issued-at lies in the future", hint="award on or before today")
        plan = plan_application(
            registry,
            application,
            email=email,
            assessors=tuple(args.assessor),
            key=_key(args, registry),
            now=now,
            issued_at=issued_at,
            assessed_on=_when(args.assessed_on, what="--assessed-on"),
            result=args.result,
            awarded_by=args.awarded_by,
        )
        records = _roster_records(args, registry, plan, now=now)
        write_plan(plan, records.stage)
    except CredstackError as e:
        _write_text(args.comment, refusal_comment(registry, number, e))
        raise
    records.report()
    awarded = plan.awarded[0]
    _write_text(args.comment, awarded_comment(registry, application, awarded))
    _write_text(args.pr_body, pr_body(registry, application, awarded))
    _print_awards(plan, registry.root)
    print(f"  application: #{application.issue}")
    return 0


def _cmd_workflows(args: argparse.Namespace) -> int:
    """Write the issue forms, CODEOWNERS and workflows of this registry (or check them)."""
    from credstack.registry.workflows import sync_workflows

    registry = _registry(args)
    result = sync_workflows(registry.root, registry.program, force=args.force, dry_run=args.check)
    verb = "stale" if args.check else "wrote"
    for rel in result.written:
        print(f"  {verb:<7} {rel}")
    for rel in result.removed:
        print(f"  {'stale' if args.check else 'removed':<7} {rel} (its achievement is gone)")
    for rel in result.kept:
        print(f"  kept    {rel} (differs from credstack's; --force replaces a workflow)")
    if result.no_codeowners:
        print('  no CODEOWNERS: name maintainers in program/issuer.yml (maintainers: ["@you"])')
    if args.check:
        stale = [r for r in result.stale if not r.startswith(".github/workflows/")]
        if stale:
            print(f"{len(stale)} generated file(s) out of date: run `credstack workflows`")
            return 1
        print("the issue forms and CODEOWNERS match the program")
        return 0
    print(f"{len(result.written)} written, {len(result.unchanged)} unchanged")
    return 0


def _add_application_commands(sub: argparse._SubParsersAction) -> None:
    app = sub.add_parser(
        "application",
        help="read or award an application made with an issue form",
        description="The steps the GitHub workflows run on application issues (ISSUE.json: "
        "`gh api repos/OWNER/REPO/issues/N`, or an issues event file).",
    )
    asub = app.add_subparsers(dest="application_command", metavar="ACTION")
    asub.required = True
    p = asub.add_parser("read", help="validate an application; print the award input as JSON")
    p.add_argument("issue", metavar="ISSUE.json")
    p.add_argument("--comment", metavar="FILE", help="write the answer for the issue (Markdown)")
    p.set_defaults(handler=_cmd_application_read)
    p = asub.add_parser("award", help="award from an application (email from a masked input)")
    p.add_argument("issue", metavar="ISSUE.json")
    p.add_argument("--email", help="default: $CREDSTACK_RECIPIENT_EMAIL")
    p.add_argument("--result", help="the assessment result (on the achievement's scale)")
    _add_assessor_options(p)
    p.add_argument("--issued-at", help="award date (default now)")
    p.add_argument("--awarded-by", metavar="LOGIN", help="GitHub user making the award")
    p.add_argument("--comment", metavar="FILE", help="write the answer for the issue (Markdown)")
    p.add_argument("--pr-body", metavar="FILE", help="write the pull request's description")
    p.add_argument(
        "--roster",
        choices=("local", "sealed"),
        help="where the private roster row goes (default: $CREDSTACK_ROSTER or local)",
    )
    p.add_argument("--key", help="secret key file (or set CREDSTACK_SIGNING_KEY)")
    p.set_defaults(handler=_cmd_application_award, public_profile=False)
    p = sub.add_parser(
        "workflows",
        help="write the issue forms, CODEOWNERS and GitHub workflows",
        description="Write an 'Apply for …' issue form per achievement, the 'Appeal a decision' "
        "form and CODEOWNERS from the program, and the workflows that are missing.",
    )
    p.add_argument("--force", action="store_true", help="replace workflows that differ")
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if generated files are stale"
    )
    p.set_defaults(handler=_cmd_workflows)


def _add_workflow_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="the merge gate: verify everything, compare with the target branch",
        description="Check the program, every credential and status list, the history against "
        "--base (issued credentials only added, status changes logged, keys append-only, new "
        "credentials allowed by the program) and hygiene (no secret keys, no plain emails).",
    )
    p.add_argument("--base", metavar="REF", help="git ref of the target branch, e.g. origin/main")
    p.add_argument(
        "--no-cache", action="store_true", help="verify everything afresh (ignore .cache/)"
    )
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument(
        "--allow-key-change",
        action="store_true",
        help="acknowledge signing keys this change adds (a maintainer's decision)",
    )
    p.add_argument(
        "--jobs", type=int, default=0, metavar="N", help="verification processes (default: auto)"
    )
    p.add_argument(
        "--comment", metavar="FILE", help="also write the verdict as Markdown (a PR comment)"
    )
    p.set_defaults(handler=_cmd_check)
    p = sub.add_parser(
        "init",
        help="scaffold a new registry (program, site, workflows)",
        description="Create a starter registry in DIR: program/, mkdocs.yml, site_src/, "
        "issued/, GitHub workflows, .gitignore, pre-commit config and a README.",
    )
    p.add_argument("directory", metavar="DIR")
    p.add_argument(
        "--force",
        action="store_true",
        help="use a non-empty DIR: write only the missing files, never overwrite",
    )
    p.add_argument(
        "--site-url",
        help="public site address, e.g. https://<owner>.github.io/<repository>/ (asked for on a "
        "terminal; credential ids embed it forever)",
    )
    p.add_argument("--name", help="the issuing organisation's name (asked for on a terminal)")
    p.add_argument("--email", help="contact address shown on the site")
    p.add_argument("--issuer-url", help="the organisation's website (default: the site URL)")
    p.add_argument(
        "--credstack-source",
        metavar="SOURCE",
        help="what the workflows install: a git URL pinned to a commit "
        "('git+https://github.com/<owner>/credstack@<commit>') or a credstack wheel to commit "
        "under vendor/ (default: where this credstack was installed from; or $CREDSTACK_SOURCE)",
    )
    p.add_argument("--no-commit", action="store_true", help="do not make the first commit")
    p.set_defaults(handler=_cmd_init)


# -- the transparency log: log init, verify, prove, checkpoint ------------------------------


def _log_key(args: argparse.Namespace, registry: Registry, config):
    from credstack.registry.transparency import find_log_key

    key_file = Path(args.log_key) if getattr(args, "log_key", None) else None
    return find_log_key(registry.program, registry.root, config, key_file=key_file)


def _log_config(registry: Registry):
    from credstack.errors import LogError
    from credstack.registry.tlog import read_config

    config = read_config(registry.root)
    if config is None:
        raise LogError(
            "this registry keeps no transparency log",
            hint="start one with `credstack log init`",
            code="no-log",
        )
    return config


def _fresh_checkpoint(args: argparse.Namespace, registry: Registry, config, at: datetime) -> str:
    from credstack.model.tlog import tree_of
    from credstack.registry.tlog import read_entries, sign_checkpoint

    key = _log_key(args, registry, config)
    return sign_checkpoint(config, key, tree_of(read_entries(registry.root)), at)


def _cmd_log_init(args: argparse.Namespace) -> int:
    """Start the transparency log: a log key, log.json and every past change as entries."""
    from credstack.crypto.keys import SigningKey
    from credstack.registry.keys import read_secret_file
    from credstack.registry.tlog import CONFIG_FILE, LOG_KEY_ENV, LogConfig, init_log, log_origin
    from credstack.registry.transparency import log_key_file, store_log_key

    registry = _registry(args)
    now = _now()
    key_id = args.id or f"log-{now:%Y-%m-%d}"
    if args.key:
        secret = read_secret_file(Path(args.key).expanduser(), registry.root)
    else:
        secret = SigningKey.generate()
    if any(
        k.public_key_multibase == secret.public_key_multibase for k in registry.program.issuer.keys
    ):
        raise ConfigError(
            "that key signs credentials; the log needs a key of its own",
            hint="leave out --key: `credstack log init` makes a dedicated log key",
        )
    planned = LogConfig(
        log_origin(registry.program.site_url), key_id, secret.public_key_multibase, now
    )
    stored = None
    if not args.key and not args.print:
        stored = log_key_file(
            registry.program, planned, Path(args.key_dir) if args.key_dir else None
        )
        store_log_key(stored, registry.root, secret)
    try:
        config, count = init_log(
            registry, public_key_multibase=secret.public_key_multibase, key_id=key_id, created=now
        )
    except BaseException:
        if stored is not None:
            stored.unlink(missing_ok=True)
        raise
    print(f"started the transparency log {config.origin}: {count} entries, oldest change first")
    print(f"  log key {config.key_id}: {config.public_key_multibase} (in {CONFIG_FILE}; commit it)")
    print(f"  verifier key: {config.verifier.vkey}")
    if stored is not None:
        print(f"  secret stored in {stored} (mode 0600, outside the repository)")
    elif args.print:
        print(f"  secret (shown once; store it as the CI secret {LOG_KEY_ENV}):")
        print(f"  {secret.to_multibase_secret()}")
    return 0


def _cmd_log_verify(args: argparse.Namespace) -> int:
    """Check the log against the registry (and a checkpoint, an older one, a built site)."""
    import base64

    from credstack.registry.transparency import verify_log

    root = _root(args)
    read = lambda p: Path(p).read_text("utf-8") if p else None  # noqa: E731
    report = verify_log(
        root,
        checkpoint=read(args.checkpoint),
        since=read(args.since),
        site_dir=Path(args.site) if args.site else None,
    )
    for finding in sorted(report.findings, key=lambda f: (f.path, f.rule, f.message)):
        print(f"{finding.severity}: {finding}")
        if finding.hint:
            print(f"  hint: {finding.hint}")
    root_hash = base64.b64encode(report.root).decode()
    print(f"log {report.config.origin}: {report.size} entries, root {root_hash}")
    if report.checkpoint is not None:
        signed = f", signed {format_datetime(report.signed_at)}" if report.signed_at else ""
        print(f"  checkpoint: {report.checkpoint.size} entries{signed}")
    if report.tiles:
        print(f"  site: {report.tiles} tiles and entry bundles compared")
    errors = sum(f.severity == "error" for f in report.findings)
    print(f"{errors} error{'s' if errors != 1 else ''}")
    return 0 if report.ok else 1


def _cmd_log_prove(args: argparse.Namespace) -> int:
    """Write a C2SP tlog-proof: the credential's entry in a signed checkpoint, offline."""
    from credstack.registry.transparency import prove

    registry = _registry(args)
    config = _log_config(registry)
    if args.checkpoint:
        checkpoint = Path(args.checkpoint).read_text("utf-8")
    else:
        checkpoint = _fresh_checkpoint(args, registry, config, _now())
    view = registry.get(args.credential)
    text = prove(registry, view.cid, checkpoint)
    out = Path(args.out or f"{view.cid}.tlog-proof")
    from credstack.registry.files import write_atomic

    write_atomic(out, text)
    print(f"wrote {out}: {view.cid} in the log {config.origin}")
    print(f"  check it offline: credstack verify CREDENTIAL --log-proof {out}")
    return 0


def _cmd_log_checkpoint(args: argparse.Namespace) -> int:
    """Sign a fresh, dated checkpoint of the log with the log key."""
    registry = _registry(args)
    config = _log_config(registry)
    at = _when(args.at, what="--at") or _now()
    text = _fresh_checkpoint(args, registry, config, at)
    if args.out:
        from credstack.registry.files import write_atomic

        write_atomic(Path(args.out), text)
        print(f"wrote {args.out}: checkpoint of {config.origin} signed {format_datetime(at)}")
    else:
        sys.stdout.write(text)
    return 0


def _add_log_commands(sub: argparse._SubParsersAction) -> None:
    log = sub.add_parser(
        "log",
        help="the public transparency log: init, verify, prove, checkpoint",
        description="An append-only Merkle log (C2SP tlog-tiles) of every credential, status "
        "change and key, published with the site so that anyone can check nothing was removed "
        "or rewritten.",
    )
    lsub = log.add_subparsers(dest="log_command", metavar="ACTION")
    lsub.required = True
    p = lsub.add_parser("init", help="start the log: a log key and every past change as entries")
    p.add_argument("--id", help="log key id (default log-YYYY-MM-DD)")
    p.add_argument("--key", help="use this secret key file as the log key (default: a new key)")
    p.add_argument("--key-dir", help="where to store the secret (default ~/.config/credstack/keys)")
    p.add_argument("--print", action="store_true", help="print the secret once (for a CI secret)")
    p.set_defaults(handler=_writes(_cmd_log_init))
    p = lsub.add_parser("verify", help="check the log against the registry (and a site)")
    p.add_argument("--checkpoint", metavar="FILE", help="a signed checkpoint to check")
    p.add_argument("--since", metavar="FILE", help="an older checkpoint the log must extend")
    p.add_argument("--site", metavar="DIR", help="a built site whose log/ tiles to compare")
    p.set_defaults(handler=_cmd_log_verify)
    p = lsub.add_parser("prove", help="write an offline proof (tlog-proof) for a credential")
    p.add_argument("credential", metavar="ID")
    p.add_argument(
        "--checkpoint", metavar="FILE", help="prove in this checkpoint (default: sign one)"
    )
    p.add_argument("--out", metavar="FILE", help="default: <ID>.tlog-proof")
    p.add_argument("--log-key", metavar="FILE", help="log key file (or set CREDSTACK_LOG_KEY)")
    p.set_defaults(handler=_cmd_log_prove)
    p = lsub.add_parser("checkpoint", help="sign a fresh, dated checkpoint with the log key")
    p.add_argument("--out", metavar="FILE", help="write it here (default: print it)")
    p.add_argument("--at", help="signing time (default now)")
    p.add_argument("--log-key", metavar="FILE", help="log key file (or set CREDSTACK_LOG_KEY)")
    p.set_defaults(handler=_cmd_log_checkpoint)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        code = handler(args)
        sys.stdout.flush()  # inside the try: a reader that went away is handled below
        return code
    except CredstackError as e:
        if args.verbose:
            traceback.print_exc()
        _err(str(e), e.hint)
        return 1
    except KeyboardInterrupt:
        _err("interrupted; nothing was written")
        return 1
    except BrokenPipeError:
        # `credstack verify issued/ | head`: the reader stopped reading; that is not an error
        # to report. Point stdout at /dev/null so that the final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a tool killed by the signal


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
