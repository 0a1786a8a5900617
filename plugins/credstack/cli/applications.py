"""Applications from GitHub issue forms: ``application read`` and ``application award``;
``workflows`` (the issue forms and CODEOWNERS generated from the program)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credstack.cli.common import (
    add_assessor_options,
    current_time,
    open_registry,
    parse_when,
    print_awards,
    roster_records,
    signing_key,
    write_output,
)
from credstack.errors import ConfigError, CredstackError
from credstack.registry.award import (
    write_plan,
)
from credstack.registry.registry import Registry

if TYPE_CHECKING:
    from credstack.model.application import Application


def _read_issue(path: str) -> dict[str, Any]:
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


def _application(args: argparse.Namespace, registry: Registry) -> tuple[int | None, Application]:
    """(issue number or None, application); writes the refusal comment before raising."""
    from credstack.model.application import issue_of, parse_application
    from credstack.registry.application import refusal_comment

    payload = _read_issue(args.issue)
    number = None
    try:
        number = issue_of(payload)["number"]
        return number, parse_application(payload, registry.program)
    except CredstackError as e:
        write_output(args.comment, refusal_comment(registry, number, e))
        raise


def _cmd_application_read(args: argparse.Namespace) -> int:
    """Read an application issue into the award input it asks for (JSON), or say why not."""
    from credstack.registry.application import received_comment

    registry = open_registry(args)
    _number, application = _application(args, registry)
    write_output(args.comment, received_comment(registry, application))
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

    registry = open_registry(args)
    number, application = _application(args, registry)
    try:
        email = args.email or os.environ.get("CREDSTACK_RECIPIENT_EMAIL", "")
        if not email.strip():
            raise ConfigError(
                "no recipient email",
                hint="pass --email or set CREDSTACK_RECIPIENT_EMAIL (the award workflow's "
                "masked input); the email never comes from the public issue",
            )
        now = current_time()
        issued_at = parse_when(args.issued_at, what="--issued-at") or now
        if issued_at > now:
            raise ConfigError("--issued-at lies in the future", hint="award on or before today")
        plan = plan_application(
            registry,
            application,
            email=email,
            assessors=tuple(args.assessor),
            key=signing_key(args, registry),
            now=now,
            issued_at=issued_at,
            assessed_on=parse_when(args.assessed_on, what="--assessed-on"),
            result=args.result,
            awarded_by=args.awarded_by,
        )
        records = roster_records(args, registry, plan, now=now)
        write_plan(plan, records.stage)
    except CredstackError as e:
        write_output(args.comment, refusal_comment(registry, number, e))
        raise
    records.report()
    awarded = plan.awarded[0]
    write_output(args.comment, awarded_comment(registry, application, awarded))
    write_output(args.pr_body, pr_body(registry, application, awarded))
    print_awards(plan, registry.root)
    print(f"  application: #{application.issue}")
    return 0


def _cmd_workflows(args: argparse.Namespace) -> int:
    """Write the issue forms, CODEOWNERS and workflows of this registry (or check them)."""
    from credstack.registry.workflows import sync_workflows

    registry = open_registry(args)
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


def add_application_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    add_assessor_options(p)
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
