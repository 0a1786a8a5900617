"""Design checks on programs built in memory (no files): thresholds, routes, cycles."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from credstack.model.lint import MAX_COMPETENCIES, lint
from credstack.model.program import (
    Achievement,
    Assessment,
    Competency,
    Issuer,
    Pathway,
    Price,
    Program,
    RequirementGroup,
    Source,
)
from credstack.model.stacking import guaranteed_competencies, prerequisite_closure

HOURS = {"foundation": 6, "practitioner": 12, "certification": 30}


def ach(aid, level="foundation", comps=("c1",), pre=(), price="100", method="applied-project"):
    return Achievement(
        id=aid,
        name=aid.title(),
        level=level,
        description="",
        criteria="",
        competencies=tuple(comps),
        assessment=Assessment(method, "work", "standard"),
        hours=HOURS[level],
        prerequisites=tuple(pre),
        price=Price(Decimal(price), "EUR"),
        source=Source(f"program/achievements/{aid}.yml", 1),
    )


def comp(cid, domain="D", kind="skill"):
    return Competency(cid, cid, "", domain, kind, Source("program/competencies.yml", 1))


def pathway(*groups, cert="cert", bundle="900", credit="0"):
    return Pathway(
        id="path",
        name="Path",
        description="",
        certification=cert,
        requires=tuple(RequirementGroup(tuple(ids), n) for ids, n in groups),
        capstone=Assessment("portfolio-review", "work", "standard"),
        bundle_price=Price(Decimal(bundle), "EUR"),
        credit_percent=Decimal(credit),
        source=Source("program/pathways/path.yml", 1),
    )


def program(*achievements, pathways=(), competencies=None):
    used = {c for a in achievements for c in a.competencies}
    competencies = competencies or [comp(c) for c in sorted(used)]
    return Program(
        site_url="https://example.org/",
        issuer=Issuer("Issuer", "https://example.org/", "a@example.org", ""),
        competencies={c.id: c for c in competencies},
        achievements={a.id: a for a in achievements},
        pathways={p.id: p for p in pathways},
    )


def small_program(**changes):
    """A clean program: two foundations, two practitioners, a certification and its pathway."""
    parts = {
        "f1": ach("f1", comps=("c1",), price="150"),
        "f2": ach("f2", comps=("c2",), price="150"),
        "p1": ach("p1", "practitioner", ("c3",), pre=("f1",), price="200"),
        "p2": ach("p2", "practitioner", ("c3",), pre=("f2",), price="200"),
        "cert": ach("cert", "certification", ("c1", "c3"), price="1000", method="portfolio-review"),
    }
    parts.update(changes)
    path = pathway((["f1"], None), (["p1", "p2"], 1), bundle="1300")
    return program(*parts.values(), pathways=[path])


def test_small_program_is_clean():
    assert lint(small_program()) == []


def test_problems_point_at_the_object_without_line_information():
    problems = lint(small_program(f1=ach("f1", comps=("c1",), price="150", pre=("f1",))))
    (cycle,) = [p for p in problems if "cycle" in p.message]
    assert cycle.source == Source("program/achievements/f1.yml", 1)
    assert cycle.field == "prerequisites[0]"


def test_where_falls_back_to_the_closest_recorded_field():
    a = replace(ach("a"), source=Source("x.yml", 1), lines={"price": 7})
    assert a.where("price.amount") == Source("x.yml", 7)
    assert a.where("hours") == Source("x.yml", 1)
    assert a == replace(a, lines={})  # line numbers are not part of equality


def test_cycle_is_reported_once_with_the_shortest_path():
    p = program(
        ach("a", pre=("b",)),
        ach("b", pre=("c",)),
        ach("c", pre=("a", "b")),
    )
    cycles = [x.message for x in lint(p) if "cycle" in x.message]
    assert cycles == ["prerequisite cycle: a -> b -> c -> a"]


def test_closure_survives_cycles_and_unknown_ids():
    p = program(ach("a", pre=("b", "ghost")), ach("b", pre=("a",)))
    assert prerequisite_closure(p, ["a"]) == {"a", "b", "ghost"}


def test_unloaded_ids_are_not_reported_again():
    p = program(ach("a", pre=("broken",)))
    assert any("unknown achievement 'broken'" in x.message for x in lint(p))
    assert not any("broken" in x.message for x in lint(p, unloaded={"broken"}))


def test_thresholds_are_inclusive():
    comps = [comp(f"c{i}", domain="D") for i in range(MAX_COMPETENCIES + 1)]
    at_limit = ach("a", comps=[c.id for c in comps[:MAX_COMPETENCIES]])
    over = ach("b", comps=[c.id for c in comps])
    problems = lint(program(at_limit, over, competencies=comps))
    bounded = [x for x in problems if x.check == "bounded"]
    assert [x.source.file for x in bounded] == ["program/achievements/b.yml"]


def test_practitioner_may_connect_two_domains_but_not_three():
    comps = [comp("c1", "A"), comp("c2", "B"), comp("c3", "C")]
    f = ach("f", comps=("c1",))
    two = ach("p2", "practitioner", ("c1", "c2"), pre=("f",))
    three = ach("p3", "practitioner", ("c1", "c2", "c3"), pre=("f",))
    problems = lint(program(f, two, three, competencies=comps))
    assert [x.source.file for x in problems if x.check == "bounded"] == [
        "program/achievements/p3.yml"
    ]


def test_guaranteed_competencies_need_every_choice_to_cover_them():
    p = program(
        ach("x", comps=("c1",)),
        ach("y", comps=("c1", "c2")),
        ach("z", comps=("c3",)),
        ach("cert", "certification", ("c1",)),
    )
    # any 2 of x, y, z include x or y, so c1; (x, z) avoids c2 and (x, y) avoids c3
    assert guaranteed_competencies(p, pathway((["x", "y", "z"], 2))) == {"c1"}
    assert guaranteed_competencies(p, pathway((["x", "y", "z"], None))) == {"c1", "c2", "c3"}


@pytest.mark.parametrize(
    ("price", "warned"), [("99", True), ("100", False), ("250", False), ("251", True)]
)
def test_micro_price_share_band_is_inclusive(price, warned):
    p = small_program(f1=ach("f1", comps=("c1",), price=price))
    pricing = [x for x in lint(p) if x.check == "pricing" and "f1" in x.source.file]
    assert bool(pricing) is warned


def test_bundle_equal_to_its_parts_is_fine_one_cent_more_warns():
    # cheapest route: f1 (150) + p1 (200; its prerequisite f1 is already counted) = 350,
    # plus the certification (1000)
    parts = Decimal("1350")
    base = small_program()
    for bundle, warned in ((parts, False), (parts + Decimal("0.01"), True)):
        path = pathway((["f1"], None), (["p1", "p2"], 1), bundle=str(bundle))
        p = program(*base.achievements.values(), pathways=[path])
        assert any(x.check == "pricing" for x in lint(p)) is warned
