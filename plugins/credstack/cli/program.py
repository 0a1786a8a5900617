"""Program commands: ``lint`` and ``map``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from credstack.cli.common import (
    root_of,
)
from credstack.errors import ConfigError

if TYPE_CHECKING:
    from credstack.model.pricing import Quote


def _cmd_lint(args: argparse.Namespace) -> int:
    """Check the program definition (schema and design); print every problem, compiler style."""
    from credstack.model.problems import summary
    from credstack.registry.program import check_program

    program, problems = check_program(root_of(args))
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

    program = load_program(root_of(args))
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


def _quote_lines(q: Quote | None, *, held: bool) -> list[str]:
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


def add_program_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """lint and map."""
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
