"""Design checks: is the program a sound, stackable micro-credential program?

The loader (``credstack.registry.program``) checks the shape of each file; :func:`lint` checks the
program as a whole and names each finding after what it asserts:

- ``schema``: references point at existing competencies and achievements; one currency.
- ``assessed``: every achievement is assessed (attendance alone is not a credential), and enough
  assessors on record may assess it for the number of independent assessors a pass needs.
- ``bounded``: a micro-credential verifies few competencies in few domains.
- ``stacking``: prerequisites have no cycle and climb the levels; every certification is reached
  by a pathway whose requirement existing micro-credentials can meet.
- ``coverage``: every competency is verified somewhere; a certification claims only what its
  pathway verifies.
- ``fit``: skills are not verified by knowledge exams alone.
- ``hours``: learning hours fit the level (``LEVEL_HOURS``).
- ``pricing``: bundles are a good deal and micro-credentials are priced in proportion.
- ``renewal``: a renewal rule belongs to a credential that expires, opens within its validity
  and asks for something (CPD hours, evidence or a reassessment).

Pure: no I/O. The thresholds below are documented in ``site_src/program-format.md``; what the
checks share with ``credstack map`` (prerequisite closures, guaranteed competencies, cycles) is
in ``credstack.model.stacking``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from decimal import Decimal

from credstack.model.pricing import quote
from credstack.model.problems import Problem, ProblemList, did_you_mean, sort_problems
from credstack.model.program import LEVEL_HOURS, LEVELS, Achievement, Pathway, Program, Source
from credstack.model.stacking import (
    guaranteed_competencies,
    held_competencies,
    prerequisite_closure,
    shortest_cycle,
    strongly_connected,
    verified_by,
)

MAX_COMPETENCIES: int = 4
"""A micro-credential verifying more competencies than this is not micro any more (``bounded``,
warning). Certifications are exempt: they sum up a pathway."""

MAX_DOMAINS: dict[str, int] = {"foundation": 1, "practitioner": 2}
"""The most competency domains a micro-credential of each level may span (``bounded``, warning).
A foundation opens one domain; a practitioner may connect two."""

MICRO_PRICE_SHARE: tuple[Decimal, Decimal] = (Decimal("0.10"), Decimal("0.25"))
"""The usual price of a micro-credential on a pathway, as a share of the certification's price,
inclusive (``pricing``, warning)."""

KNOWLEDGE_EXAM = "knowledge-exam"

DAYS_PER_MONTH_MIN: int = 28
"""A renewal window may open at most ``validity_months * 28`` days before expiry (``renewal``)."""


def lint(program: Program, *, unloaded: Collection[str] = ()) -> list[Problem]:
    """Every design problem in ``program``, sorted by file and line.

    ``unloaded`` names competencies, achievements and pathways that exist but failed the loader's
    checks (already reported): references to them are not reported again, and checks that would
    need their content are skipped.
    """
    lint_run = _Lint(program, set(unloaded))
    lint_run.run()
    return sort_problems(lint_run.problems)


# -- the checks --------------------------------------------------------------------------------


def _fmt_hours(hours: float) -> str:
    return f"{hours:g} h"


def _fmt_money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _member_field(pathway: Pathway, gi: int, j: int) -> str:
    key = "all" if pathway.requires[gi].at_least is None else "of"
    return f"requires[{gi}].{key}[{j}]"


class _Lint:
    def __init__(self, program: Program, unloaded: set[str]):
        self.p = program
        self.unloaded = unloaded
        self.problems = ProblemList()
        # A check that needs every achievement (e.g. "verified by none") is skipped when some
        # could not be loaded: it would report what the loader already explained.
        self.complete = not unloaded

    def _all_micro(self, ids: Iterable[str]) -> bool:
        """True when every id is a loaded micro-credential (else the route is already broken)."""
        return all(i in self.p.achievements and self.p.achievements[i].is_micro for i in ids)

    def known(self, aid: str) -> Achievement | None:
        return self.p.achievements.get(aid)

    def missing(self, aid: str) -> bool:
        """True for an id that is neither loaded nor a known-but-broken file."""
        return aid not in self.p.achievements and aid not in self.unloaded

    def run(self) -> None:
        self.references()
        self.currencies()
        self.assessed()
        self.bounded()
        self.stacking()
        self.coverage()
        self.fit()
        self.hours()
        self.pricing()
        self.renewal()

    # -- schema ------------------------------------------------------------------------------

    def references(self) -> None:
        err = self.problems.error
        for a in self.p.achievements.values():
            for i, cid in enumerate(a.competencies):
                if cid not in self.p.competencies and cid not in self.unloaded:
                    err(
                        a.where(f"competencies[{i}]"),
                        f"competencies[{i}]",
                        f"unknown competency '{cid}'",
                        did_you_mean(cid, self.p.competencies)
                        or "add it to program/competencies.yml, or remove it here",
                    )
            for i, pid in enumerate(a.prerequisites):
                if self.missing(pid):
                    err(
                        a.where(f"prerequisites[{i}]"),
                        f"prerequisites[{i}]",
                        f"unknown achievement '{pid}'",
                        did_you_mean(pid, self.p.achievements)
                        or f"add program/achievements/{pid}.yml, or remove it from the "
                        "prerequisites",
                    )
        for pw in self.p.pathways.values():
            if self.missing(pw.certification):
                err(
                    pw.where("certification"),
                    "certification",
                    f"unknown achievement '{pw.certification}'",
                    did_you_mean(pw.certification, self.p.achievements)
                    or f"add program/achievements/{pw.certification}.yml with level: certification",
                )
            for gi, group in enumerate(pw.requires):
                for j, aid in enumerate(group.achievements):
                    if self.missing(aid):
                        field = _member_field(pw, gi, j)
                        err(
                            pw.where(field),
                            field,
                            f"unknown achievement '{aid}'",
                            did_you_mean(aid, self.p.achievements)
                            or f"add program/achievements/{aid}.yml, or remove it from the pathway",
                        )

    def currencies(self) -> None:
        prices: list[tuple[str, Source, str]] = []
        for a in self.p.achievements.values():
            prices.append((a.price.currency, a.where("price.currency"), "price.currency"))
        for pw in self.p.pathways.values():
            field = "bundle_price.currency"
            prices.append((pw.bundle_price.currency, pw.where(field), field))
        counts = Counter(c for c, _, _ in prices)
        if len(counts) < 2:
            return
        main = counts.most_common(1)[0][0]
        for currency, source, field in prices:
            if currency != main:
                self.problems.error(
                    source,
                    field,
                    f"priced in {currency}, but the program prices in {main}",
                    f"use one currency across the program ({main})",
                )

    # -- assessed ----------------------------------------------------------------------------

    def assessed(self) -> None:
        for a in self.p.achievements.values():
            if a.assessment is None:
                self.problems.error(
                    a.where("assessment"),
                    "assessment",
                    f"'{a.id}' has no assessment",
                    "attendance alone is not a credential: add assessment with method, "
                    "assesses and passing_standard",
                    check="assessed",
                )
        self.assessors()

    def assessors(self) -> None:
        """Assessors name existing achievements; each assessed achievement has enough of them.

        Skipped when no assessor is on record (the loader reports the missing file once).
        """
        if not self.p.assessors:
            return
        for assessor in self.p.assessors.values():
            for i, aid in enumerate(assessor.achievements):
                if self.missing(aid):
                    self.problems.error(
                        assessor.where(f"achievements[{i}]"),
                        f"achievements[{i}]",
                        f"unknown achievement '{aid}'",
                        did_you_mean(aid, self.p.achievements)
                        or "use an achievement id (a file name in program/achievements/)",
                    )
        for a in self.p.achievements.values():
            needed = self.p.assessors_needed(a.id)
            if not needed:
                continue
            allowed = self.p.assessors_for(a.id)
            if len(allowed) < needed:
                on_record = ", ".join(x.id for x in allowed) or "none"
                self.problems.error(
                    a.where("assessment.assessors" if needed > 1 else "assessment"),
                    "assessment",
                    f"a pass needs {needed} independent assessor{'s' if needed > 1 else ''}, "
                    f"but {len(allowed)} on record may assess '{a.id}' ({on_record})",
                    f"add '{a.id}' to the achievements of more assessors in program/assessors.yml",
                    check="assessed",
                )

    # -- bounded -----------------------------------------------------------------------------

    def bounded(self) -> None:
        for a in self.p.achievements.values():
            if not a.is_micro:
                continue
            if len(a.competencies) > MAX_COMPETENCIES:
                self.problems.warning(
                    a.where("competencies"),
                    "competencies",
                    f"verifies {len(a.competencies)} competencies; a micro-credential verifies "
                    f"at most {MAX_COMPETENCIES}",
                    "split it into smaller micro-credentials that stack",
                    check="bounded",
                )
            domains = sorted(
                {self.p.competencies[c].domain for c in a.competencies if c in self.p.competencies}
            )
            limit = MAX_DOMAINS.get(a.level)
            if limit is not None and len(domains) > limit:
                self.problems.warning(
                    a.where("competencies"),
                    "competencies",
                    f"spans {len(domains)} domains ({', '.join(domains)}); a {a.level} "
                    f"micro-credential spans at most {limit}",
                    "split it by domain, or move it to a higher level",
                    check="bounded",
                )

    # -- stacking ----------------------------------------------------------------------------

    def stacking(self) -> None:
        self.cycles()
        err = self.problems.error
        for a in self.p.achievements.values():
            for i, pid in enumerate(a.prerequisites):
                pre = self.known(pid)
                if pre is None:
                    continue
                field = f"prerequisites[{i}]"
                if a.is_micro and not pre.is_micro:
                    err(
                        a.where(field),
                        field,
                        f"micro-credential '{a.id}' requires certification '{pid}'",
                        "a certification sits on top of micro-credentials: remove this "
                        "prerequisite, or make this achievement a certification",
                        check="stacking",
                    )
                elif a.level == "foundation" and LEVELS.index(pre.level) > 0:
                    err(
                        a.where(field),
                        field,
                        f"foundation '{a.id}' requires {pre.level} '{pid}'",
                        "foundations are entry points: remove this prerequisite, or make this "
                        "achievement a practitioner",
                        check="stacking",
                    )
            if a.level == "practitioner":
                below = prerequisite_closure(self.p, [a.id])
                if any(b not in self.p.achievements for b in below):
                    continue  # an unknown or unloaded prerequisite, reported elsewhere
                if not any(self.p.achievements[b].level == "foundation" for b in below):
                    err(
                        a.where("prerequisites"),
                        "prerequisites",
                        f"practitioner '{a.id}' does not require any foundation",
                        "add the foundation it builds on to prerequisites",
                        check="stacking",
                    )
        self.pathway_reach()

    def cycles(self) -> None:
        graph = {
            a.id: [p for p in a.prerequisites if p in self.p.achievements]
            for a in self.p.achievements.values()
        }
        for component in strongly_connected(graph):
            start = min(component)
            if len(component) == 1 and start not in graph[start]:
                continue
            path = shortest_cycle(graph, start, component)
            a = self.p.achievements[start]
            i = a.prerequisites.index(path[1])
            self.problems.error(
                a.where(f"prerequisites[{i}]"),
                f"prerequisites[{i}]",
                "prerequisite cycle: " + " -> ".join(path),
                "nobody could ever earn these: remove one of the prerequisites in the cycle",
                check="stacking",
            )

    def pathway_reach(self) -> None:
        err = self.problems.error
        reached = {pw.certification for pw in self.p.pathways.values()}
        for a in self.p.achievements.values():
            if not a.is_micro and a.id not in reached and self.complete:
                err(
                    a.where(),
                    "",
                    f"no pathway leads to certification '{a.id}'",
                    f"add program/pathways/<id>.yml with certification: {a.id}",
                    check="stacking",
                )
        for pw in self.p.pathways.values():
            cert = self.known(pw.certification)
            if cert is not None and cert.is_micro:
                err(
                    pw.where("certification"),
                    "certification",
                    f"'{cert.id}' is a {cert.level} micro-credential, not a certification",
                    f"set level: certification in {cert.source.file}, or name the certification "
                    "this pathway leads to",
                    check="stacking",
                )
            for gi, group in enumerate(pw.requires):
                distinct = len(set(group.achievements))
                if group.at_least is not None and group.at_least > distinct:
                    field = f"requires[{gi}].at_least"
                    err(
                        pw.where(field),
                        field,
                        f"needs {group.at_least} of {distinct} listed achievements: the "
                        "requirement can never be met",
                        f"lower at_least to {distinct} or less, or list more achievements",
                        check="stacking",
                    )
                for j, aid in enumerate(group.achievements):
                    member = self.known(aid)
                    if member is not None and not member.is_micro:
                        field = _member_field(pw, gi, j)
                        err(
                            pw.where(field),
                            field,
                            f"'{aid}' is a certification; a pathway stacks micro-credentials",
                            "list foundation and practitioner achievements here",
                            check="stacking",
                        )

    # -- coverage ----------------------------------------------------------------------------

    def coverage(self) -> None:
        verifiers = verified_by(self.p)
        if self.complete:
            for cid, comp in self.p.competencies.items():
                if not verifiers.get(cid):
                    self.problems.warning(
                        comp.source,
                        "",
                        f"competency '{cid}' is verified by no achievement",
                        "list it under competencies in the achievement that assesses it, or "
                        "remove it",
                        check="coverage",
                    )
        micro_verified = {
            cid for a in self.p.achievements.values() if a.is_micro for cid in a.competencies
        }
        for pw in self.p.pathways.values():
            cert = self.known(pw.certification)
            ids = set(pw.components())
            ids |= prerequisite_closure(self.p, ids)
            if cert is None or cert.is_micro or not self._all_micro(ids):
                continue
            reach = set().union(*(self.p.achievements[i].competencies for i in ids))
            guaranteed = guaranteed_competencies(self.p, pw)
            for i, cid in enumerate(cert.competencies):
                if cid not in self.p.competencies or cid in guaranteed:
                    continue
                field = f"competencies[{i}]"
                if cid in reach:
                    self.problems.warning(
                        cert.where(field),
                        field,
                        f"'{cert.id}' claims '{cid}', but {pw.id} can be completed without any "
                        f"micro-credential verifying it ({self._route_without(pw, cid)})",
                        "move an achievement that verifies it into an 'all' group, raise "
                        "at_least, or remove the claim",
                        check="coverage",
                    )
                elif cid in micro_verified:
                    others = ", ".join(
                        a for a in verifiers.get(cid, []) if self.p.achievements[a].is_micro
                    )
                    self.problems.error(
                        cert.where(field),
                        field,
                        f"'{cert.id}' claims '{cid}', but no micro-credential in {pw.id} "
                        f"verifies it (only {others} does)",
                        f"add {others} to {pw.source.file}, or remove '{cid}' from the "
                        "certification",
                        check="coverage",
                    )
                # else: verified by no micro-credential: the certification's own competency,
                # assessed by its own assessment and the capstone.

    def _route_without(self, pw: Pathway, cid: str) -> str:
        chosen: list[str] = []
        for group in pw.requires:
            if group.at_least is None:
                continue
            lacking = [m for m in group.achievements if cid not in held_competencies(self.p, m)]
            chosen.extend(lacking[: group.needed])
        return "e.g. choosing " + ", ".join(chosen) if chosen else "whatever is chosen"

    # -- fit ---------------------------------------------------------------------------------

    def fit(self) -> None:
        if not self.complete:
            return
        verifiers = verified_by(self.p)
        for cid, comp in self.p.competencies.items():
            if comp.kind != "skill":
                continue
            methods = {
                aid: self.p.achievements[aid].assessment.method  # type: ignore[union-attr]
                for aid in verifiers.get(cid, [])
                if self.p.achievements[aid].assessment is not None
            }
            if methods and set(methods.values()) == {KNOWLEDGE_EXAM}:
                self.problems.warning(
                    comp.source,
                    "",
                    f"skill '{cid}' is only assessed by knowledge exams ({', '.join(methods)})",
                    "a skill is shown by doing: verify it with an applied-project, "
                    "performance-demonstration or portfolio-review, or make it kind: knowledge",
                    check="fit",
                )

    # -- hours -------------------------------------------------------------------------------

    def hours(self) -> None:
        for a in self.p.achievements.values():
            band = LEVEL_HOURS.get(a.level)
            if band is None:
                continue
            low, high = band
            if not low <= a.hours <= high:
                self.problems.warning(
                    a.where("hours"),
                    "hours",
                    f"{_fmt_hours(a.hours)} is outside the usual {low:g}–{high:g} h for a "
                    f"{a.level}",
                    "adjust the hours, or reconsider the level",
                    check="hours",
                )

    # -- pricing -----------------------------------------------------------------------------

    def pricing(self) -> None:
        shared: set[tuple[str, str]] = set()
        low, high = MICRO_PRICE_SHARE
        for pw in self.p.pathways.values():
            cert = self.known(pw.certification)
            ids = set(pw.components())
            ids |= prerequisite_closure(self.p, ids)
            if cert is None or cert.is_micro or not self._all_micro(ids):
                continue
            micros = [self.p.achievements[i] for i in self.p.achievements if i in ids]
            currency = cert.price.currency
            if any(m.price.currency != currency for m in micros) or (
                pw.bundle_price.currency != currency
            ):
                continue  # reported by the currency check
            q = quote(self.p, pw)
            if q is not None and q.bundle.amount > q.route.total:
                self.problems.warning(
                    pw.where("bundle_price.amount"),
                    "bundle_price.amount",
                    f"the bundle ({q.bundle}) costs more than its parts bought step by step: "
                    f"{q.micro_price} for {', '.join(q.route.to_take)} + "
                    f"{_fmt_money(cert.price.amount, currency)} for {cert.id} less a credit of "
                    f"{q.credit} = {q.total}",
                    "price the bundle below the cheapest way to buy the parts",
                    check="pricing",
                )
            named = [self.p.achievements[i] for i in pw.components()]
            credit = pw.credit_percent / 100 * sum((m.price.amount for m in named), Decimal(0))
            if credit > cert.price.amount:
                self.problems.warning(
                    pw.where("credit_percent"),
                    "credit_percent",
                    f"{pw.credit_percent:g} % of the micro-credentials' prices "
                    f"({_fmt_money(credit, currency)}) exceeds the price of {cert.id} "
                    f"({_fmt_money(cert.price.amount, currency)})",
                    "lower credit_percent",
                    check="pricing",
                )
            if cert.price.amount <= 0:
                continue
            for m in micros:
                if (m.id, cert.id) in shared:
                    continue
                shared.add((m.id, cert.id))
                share = m.price.amount / cert.price.amount
                if not low <= share <= high:
                    self.problems.warning(
                        m.where("price.amount"),
                        "price.amount",
                        f"{_fmt_money(m.price.amount, currency)} is {share * 100:.0f} % of "
                        f"{cert.id} ({_fmt_money(cert.price.amount, currency)}); "
                        f"micro-credentials usually cost {low * 100:.0f}–{high * 100:.0f} % of "
                        "their certification",
                        "adjust this price, or the certification's",
                        check="pricing",
                    )

    # -- renewal -----------------------------------------------------------------------------

    def renewal(self) -> None:
        for a in self.p.achievements.values():
            rule = a.renewal
            if rule is None:
                continue
            if a.validity_months is None:
                self.problems.error(
                    a.where("renewal"),
                    "renewal",
                    "a renewal rule, but the credential never expires",
                    "add validity_months, or remove renewal",
                    check="renewal",
                )
            elif rule.window_days > a.validity_months * DAYS_PER_MONTH_MIN:
                self.problems.error(
                    a.where("renewal.window_days"),
                    "renewal.window_days",
                    f"the renewal window ({rule.window_days} days) is longer than the "
                    f"validity ({a.validity_months} months)",
                    "open the window a few weeks or months before expiry, e.g. window_days: 90",
                    check="renewal",
                )
            if rule.cpd_hours is None and rule.evidence is None and rule.reassessment is None:
                self.problems.warning(
                    a.where("renewal"),
                    "renewal",
                    "the renewal rule asks for no CPD hours, evidence or reassessment",
                    "add cpd_hours, evidence or reassessment: renewal should show current "
                    "competence",
                    check="renewal",
                )
