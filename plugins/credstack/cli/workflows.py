"""Workflow commands: ``check`` (the merge gate) and ``init``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from credstack.cli.common import (
    ask,
    current_time,
    root_of,
)
from credstack.errors import ConfigError


def _cmd_check(args: argparse.Namespace) -> int:
    """The merge gate: print every finding, compiler style; exit 1 on any error."""
    from credstack.registry.check import check_registry

    report = check_registry(
        root_of(args),
        at=current_time(),
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


def _cmd_init(args: argparse.Namespace) -> int:
    """Scaffold a new registry in DIR (a git repository); never overwrite a file."""
    from credstack.registry.requirement import requirement_for
    from credstack.registry.scaffold import scaffold

    target = Path(args.directory)
    site_url = args.site_url or ask(
        "Site URL (where the site will be published, e.g. https://<owner>.github.io/<repo>/)"
    )
    name = args.name or ask("Name of the issuing organisation")
    email = args.email
    if email is None and args.site_url is None:  # asked interactively: ask for this too
        email = ask("Contact email shown on the site (Enter to set it later)") or None
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


def add_workflow_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
