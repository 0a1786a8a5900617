"""The one pricing function: routes, credit, holdings, the bundle, the calculator's table."""

from __future__ import annotations

from decimal import Decimal

from credstack.model import pricing
from credstack.model.pricing import (
    credit_for,
    fewest_hours,
    micro_members,
    quote,
    quote_table,
)
from credstack.registry.program import load_program
from support import REPO
from unit.model.test_lint import ach, pathway, program, small_program


def test_cheapest_route_counts_prerequisites():
    p = program(
        ach("f", price="100"),
        ach("a", "practitioner", pre=("f",), price="100"),  # 200 with its foundation
        ach("b", "practitioner", pre=(), price="150"),
        ach("cert", "certification", price="1000"),
    )
    q = quote(p, pathway((["a", "b"], 1)))
    assert q.route.to_take == ("b",) and q.route.micro_price == Decimal("150")


def test_a_held_prerequisite_makes_the_other_route_cheaper():
    p = program(
        ach("f", price="100"),
        ach("a", "practitioner", pre=("f",), price="100"),
        ach("b", "practitioner", pre=(), price="150"),
        ach("cert", "certification", price="1000"),
    )
    assert quote(p, pathway((["a", "b"], 1)), held={"f"}).route.to_take == ("a",)


def test_credit_only_for_the_named_micro_credentials_held_or_taken():
    p = program(
        ach("f", price="100"),
        ach("a", "practitioner", pre=("f",), price="200"),
        ach("cert", "certification", price="1000"),
    )
    path = pathway((["a"], None), credit="10")
    q = quote(p, path)
    # f is a prerequisite the pathway does not name: no credit for it
    assert q.route.to_take == ("f", "a")
    assert q.credit.amount == Decimal("20.00") and q.certification_fee.amount == Decimal("980.00")
    assert q.total.amount == Decimal("1280.00")
    assert credit_for(path, p.achievements["f"]) is None
    assert credit_for(path, p.achievements["a"]).amount == Decimal("20.00")


def test_held_credentials_beyond_the_requirement_still_earn_credit():
    p = small_program()
    path = p.pathways["path"].__class__(**{**p.pathways["path"].__dict__, "credit_percent": 10})
    both = quote(p, path, held={"f1", "p1", "p2"})
    one = quote(p, path, held={"f1", "p1"})
    assert both.route.to_take == () == one.route.to_take
    assert both.credit.amount - one.credit.amount == Decimal("20.00")


def test_the_credit_never_exceeds_the_certification_price():
    p = program(ach("a", price="100"), ach("cert", "certification", price="50"))
    q = quote(p, pathway((["a"], None), credit="100"))
    assert q.credit.amount == Decimal("50") and q.certification_fee.amount == 0


def test_certified_pays_nothing():
    p = small_program()
    q = quote(p, p.pathways["path"], held={"cert"})
    assert q.certified and q.total.amount == 0 and not q.bundle_is_cheaper


def test_gives_up_on_too_many_choices(monkeypatch):
    p = small_program()
    monkeypatch.setattr(pricing, "MAX_ROUTES", 1)
    assert quote(p, p.pathways["path"]) is None


def test_an_impossible_requirement_has_no_quote():
    p = small_program()
    assert quote(p, pathway((["p1", "p2"], 3))) is None


def test_fewest_hours_may_differ_from_the_cheapest():
    p = program(
        ach("a", "practitioner", price="100"),  # 12 h
        ach("b", "foundation", price="300"),  # 6 h
        ach("cert", "certification", price="1000"),
    )
    path = pathway((["a", "b"], 1))
    assert quote(p, path).route.to_take == ("a",)
    assert fewest_hours(p, path).to_take == ("b",)


def test_the_demo_pathway_prices():
    demo = load_program(REPO)
    path = demo.pathways["facilitator-pathway"]
    q = quote(demo, path)
    assert str(q.micro_price) == "1,340.00 EUR" and str(q.credit) == "268.00 EUR"
    assert str(q.total) == "2,822.00 EUR" and str(q.bundle) == "2,790.00 EUR"
    assert q.bundle_is_cheaper
    assert set(q.route.to_take) == {
        "session-design",
        "facilitation-fundamentals",
        "workshop-design",
        "decision-workshops",
    }
    # holding both foundations and Impact Evaluator: one more specialism is cheapest
    later = quote(demo, path, {"session-design", "facilitation-fundamentals", "impact-evaluation"})
    assert later.route.to_take == ("workshop-design",)
    # credit: 20 % of 240 + 290 + 350 (held) + 390 (taken) = 254.00
    assert str(later.credit) == "254.00 EUR" and str(later.total) == "1,886.00 EUR"


def test_the_calculator_table_has_every_combination():
    demo = load_program(REPO)
    path = demo.pathways["facilitator-pathway"]
    members = micro_members(demo, path)
    assert len(members) == 6 and "evaluation-essentials" in members
    table = quote_table(demo, path)
    assert len(table) == 64 and len({held for held, _ in table}) == 64
    for held, q in table:
        assert q == quote(demo, path, held)


def test_no_calculator_table_above_the_member_limit(monkeypatch):
    demo = load_program(REPO)
    monkeypatch.setattr(pricing, "MAX_CALCULATOR_MEMBERS", 5)
    assert quote_table(demo, demo.pathways["facilitator-pathway"]) is None
