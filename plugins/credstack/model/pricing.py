"""What a pathway costs: the one home of every price the CLI, the site and the calculator quote.

A candidate who already holds some micro-credentials (``held``) completes a pathway by taking,
for every requirement group, enough of its achievements, plus the prerequisites of what they
take that they do not hold yet, then the certification. Every held micro-credential that the
pathway names in ``requires`` earns ``credit_percent`` of its price off the certification's
price (never more than that price). :func:`quote` returns the cheapest way to finish; the bundle
price (everything on the pathway, certification included) is quoted beside it.

``credstack map``, the pathway and catalog pages and the pathway page's calculator (as a table
of quotes for every combination of holdings, :func:`quote_table`) all call :func:`quote`.
Pure: no I/O.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from credstack.model.program import Achievement, Pathway, Price, Program

MAX_ROUTES: int = 100_000
"""The most ways through a pathway's requirement enumerated to find the cheapest; beyond that
no quote is given (and ``lint`` does not check the bundle price)."""

MAX_CALCULATOR_MEMBERS: int = 10
"""The most micro-credentials a pathway may have for the site's calculator: it embeds a quote
for every combination of holdings (2**10 = 1,024 quotes, about 60 KB)."""


@dataclass(frozen=True)
class Route:
    """One way to finish a pathway from a set of holdings."""

    to_take: tuple[str, ...]  # micro-credentials still to take, prerequisites first
    micro_price: Decimal  # their prices, summed
    credit: Decimal  # taken off the certification's price
    certification_fee: Decimal  # the certification's price less the credit
    total: Decimal  # micro_price + certification_fee
    hours: float  # learning hours still ahead, certification included


@dataclass(frozen=True)
class Quote:
    """The price of finishing ``pathway`` from ``held``: the cheapest route, and the bundle."""

    pathway: str
    held: frozenset[str]  # the pathway's micro-credentials held (others are ignored)
    certified: bool  # the certification itself is held: nothing left to pay
    route: Route
    currency: str
    bundle: Price

    def price(self, amount: Decimal) -> Price:
        return Price(amount, self.currency)

    @property
    def total(self) -> Price:
        return self.price(self.route.total)

    @property
    def micro_price(self) -> Price:
        return self.price(self.route.micro_price)

    @property
    def credit(self) -> Price:
        return self.price(self.route.credit)

    @property
    def certification_fee(self) -> Price:
        return self.price(self.route.certification_fee)

    @property
    def bundle_is_cheaper(self) -> bool:
        """True when buying the bundle costs less than finishing step by step."""
        return not self.certified and self.bundle.amount < self.route.total


def _cents(amount: Decimal, like: Decimal) -> Decimal:
    """``amount`` rounded half up to the minor unit of ``like`` (2 decimals, 0 for JPY...)."""
    exponent = like.as_tuple().exponent
    places = Decimal(1).scaleb(exponent if isinstance(exponent, int) else -2)
    return amount.quantize(places, rounding=ROUND_HALF_UP)


def micro_members(program: Program, pathway: Pathway) -> list[str]:
    """The pathway's micro-credentials: those ``requires`` names and their prerequisites,
    prerequisites first, in program order within each level of the stack."""
    ordered: list[str] = []
    seen: set[str] = set()  # prerequisite cycles are reported by lint; never loop on them

    def visit(aid: str) -> None:
        a = program.achievements.get(aid)
        if a is None or aid in seen or not a.is_micro:
            return
        seen.add(aid)
        for pre in a.prerequisites:
            visit(pre)
        ordered.append(aid)

    for aid in pathway.components():
        visit(aid)
    return ordered


def credit_for(pathway: Pathway, achievement: Achievement) -> Price | None:
    """What holding ``achievement`` takes off the certification's price on ``pathway``
    (None when the pathway's ``requires`` does not name it: prerequisites earn no credit)."""
    if not achievement.is_micro or achievement.id not in pathway.components():
        return None
    amount = achievement.price.amount * pathway.credit_percent / 100
    return Price(_cents(amount, achievement.price.amount), achievement.price.currency)


def _to_take(program: Program, chosen: Iterable[str], held: frozenset[str]) -> list[str] | None:
    """``chosen`` less what is held, plus the missing prerequisites, prerequisites first, in
    program order; None when an id is unknown."""
    order = list(program.achievements)
    needed: set[str] = set()
    todo = [a for a in chosen if a not in held]
    while todo:
        aid = todo.pop()
        if aid in needed:
            continue
        if aid not in program.achievements:
            return None
        needed.add(aid)
        todo.extend(p for p in program.achievements[aid].prerequisites if p not in held)
    return sorted(needed, key=order.index)


def routes(program: Program, pathway: Pathway, held: Iterable[str] = ()) -> Iterator[Route]:
    """Every way to finish ``pathway`` from ``held`` (achievement ids), cheapest not first.

    Yields nothing when the requirement cannot be met with known achievements, the prices mix
    currencies, or there are more than :data:`MAX_ROUTES` ways to choose.
    """
    cert = program.achievements.get(pathway.certification)
    if cert is None:
        return
    held_set = frozenset(held)
    options: list[list[tuple[str, ...]]] = []
    for group in pathway.requires:
        members = tuple(dict.fromkeys(group.achievements))
        if group.needed > len(members) or any(m not in program.achievements for m in members):
            return
        have = tuple(m for m in members if m in held_set)
        if len(have) >= group.needed:
            options.append([()])  # already met: nothing to choose
        else:
            rest = [m for m in members if m not in held_set]
            options.append(list(itertools.combinations(rest, group.needed - len(have))))
    if math.prod(len(o) for o in options) > MAX_ROUTES:
        return
    named = set(pathway.components())
    currency = cert.price.currency
    seen: set[tuple[str, ...]] = set()
    for choice in itertools.product(*options):
        take = _to_take(program, itertools.chain.from_iterable(choice), held_set)
        if take is None:
            return
        key = tuple(take)
        if key in seen:
            continue
        seen.add(key)
        bought = [program.achievements[a] for a in take]
        if any(a.price.currency != currency for a in bought):
            return
        micro = sum((a.price.amount for a in bought), Decimal(0))
        creditable = (held_set | set(take)) & named
        credit = Decimal(0)
        for aid in creditable:
            c = credit_for(pathway, program.achievements[aid])
            if c is not None:
                if c.currency != currency:
                    return
                credit += c.amount
        credit = min(credit, cert.price.amount)
        fee = cert.price.amount - credit
        hours = sum(a.hours for a in bought) + cert.hours
        yield Route(key, micro, credit, fee, micro + fee, hours)


def quote(program: Program, pathway: Pathway, held: Iterable[str] = ()) -> Quote | None:
    """The cheapest way to finish ``pathway`` for someone holding ``held``, and the bundle.

    Ties go to fewer hours, then fewer steps. None when no route can be priced (see
    :func:`routes`) or the bundle is in another currency.
    """
    cert = program.achievements.get(pathway.certification)
    if cert is None or pathway.bundle_price.currency != cert.price.currency:
        return None
    held_set = frozenset(held)
    relevant = held_set & set(micro_members(program, pathway))
    if pathway.certification in held_set:
        zero = Decimal(0).quantize(cert.price.amount)
        route = Route((), zero, zero, zero, zero, 0.0)
        return Quote(pathway.id, relevant, True, route, cert.price.currency, pathway.bundle_price)
    best = min(
        routes(program, pathway, relevant),
        key=lambda r: (r.total, r.hours, len(r.to_take), r.to_take),
        default=None,
    )
    if best is None:
        return None
    return Quote(pathway.id, relevant, False, best, cert.price.currency, pathway.bundle_price)


def fewest_hours(program: Program, pathway: Pathway) -> Route | None:
    """The route from nothing with the fewest learning hours (then the cheapest)."""
    return min(routes(program, pathway), key=lambda r: (r.hours, r.total), default=None)


def quote_table(program: Program, pathway: Pathway) -> list[tuple[frozenset[str], Quote]] | None:
    """A quote for every combination of the pathway's micro-credentials held (the calculator's
    data), in binary order of :func:`micro_members`; None above :data:`MAX_CALCULATOR_MEMBERS`
    members or when a combination cannot be quoted."""
    members = micro_members(program, pathway)
    if len(members) > MAX_CALCULATOR_MEMBERS:
        return None
    out: list[tuple[frozenset[str], Quote]] = []
    for mask in range(1 << len(members)):
        held = frozenset(m for i, m in enumerate(members) if mask >> i & 1)
        q = quote(program, pathway, held)
        if q is None:
            return None
        out.append((held, q))
    return out
