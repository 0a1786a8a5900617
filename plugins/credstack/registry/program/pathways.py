"""``program/pathways/<id>.yml``: the routes from micro-credentials to a certification.

A pathway names its certification, requirement groups (``all: [ids]`` or ``at_least: N`` of
``of: [ids]``), a capstone assessment, a bundle price and the credit a held micro-credential's
price earns toward the certification.
"""

from __future__ import annotations

from credstack.model.program import Pathway, RequirementGroup, Source
from credstack.registry.program.achievements import read_assessment, read_price
from credstack.registry.program.document import ProgramFile, kind_of, line_map, top_mapping
from credstack.registry.program.reader import PATHWAYS_DIR, ProgramReader
from credstack.registry.yamlio import LineDict, LineList

PATHWAY_OPTIONAL = ("enrol_url",)
PATHWAY_KEYS = (
    "name",
    "description",
    "certification",
    "requires",
    "capstone",
    "bundle_price",
    "credit_percent",
)


def read_pathways(reader: ProgramReader) -> dict[str, Pathway]:
    """Every pathway file that passes its checks, by id."""
    result: dict[str, Pathway] = {}
    for pid, rel in reader.yaml_files(PATHWAYS_DIR, "pathway"):
        pathway = read_pathway(reader, pid, rel)
        if pathway is None:
            reader.unloaded.add(pid)
        else:
            result[pid] = pathway
    return result


def read_pathway(reader: ProgramReader, pid: str, rel: str) -> Pathway | None:
    """The pathway in ``rel`` (id ``pid``); None when the file has an error (reported)."""
    data, ok = reader.read(rel)
    if not ok:
        return None
    doc = ProgramFile(rel, reader.problems)
    m = top_mapping(doc, data, PATHWAY_KEYS, PATHWAY_OPTIONAL)
    if m is None:
        return None
    name = doc.text(m, "name", "")
    description = doc.text(m, "description", "")
    certification = None
    if m.get("certification") is not None:
        certification = doc.slug(
            m["certification"], m.line_of("certification"), "certification", "achievement"
        )
    groups = read_groups(doc, m)
    capstone = read_assessment(doc, m, "capstone", "") if m.get("capstone") is not None else None
    bundle = read_price(doc, m, "bundle_price", "")
    enrol_url = doc.web_url(m, "enrol_url", "")
    credit = doc.number(m, "credit_percent", "")
    if credit is not None and not 0 <= credit <= 100:
        doc.error(
            m.line_of("credit_percent"),
            "credit_percent",
            f"must be between 0 and 100, got {credit}",
            "the share (in %) of each held micro-credential's price credited toward the "
            "certification",
        )
    if doc.failed:
        return None
    assert certification and capstone and bundle and credit is not None
    return Pathway(
        id=pid,
        name=name or "",
        description=description or "",
        certification=certification,
        requires=groups,
        capstone=capstone,
        bundle_price=bundle,
        credit_percent=credit,
        enrol_url=enrol_url,
        source=Source(rel, m.line),
        lines=line_map(m),
    )


def read_groups(doc: ProgramFile, m: LineDict) -> tuple[RequirementGroup, ...]:
    """``requires``: the pathway's requirement groups (the valid ones; errors reported)."""
    items = m.get("requires")
    if items is None:
        return ()
    if not isinstance(items, LineList) or not items:
        doc.error(
            m.line_of("requires"),
            "requires",
            f"expected a list of requirement groups, got {kind_of(items)}",
            "e.g. requires: [{all: [a, b]}, {at_least: 2, of: [c, d, e]}]",
        )
        return ()
    groups: list[RequirementGroup] = []
    for i, item in enumerate(items):
        path = f"requires[{i}]"
        line = items.line_of(i)
        shape_hint = "a group is either 'all: [ids]' or 'at_least: N' with 'of: [ids]'"
        if not isinstance(item, LineDict):
            doc.error(line, path, f"expected a requirement group, got {kind_of(item)}", shape_hint)
            continue
        shape = {"all", "at_least", "of"} & set(item)
        if not shape or ("all" in shape and len(shape) > 1):
            doc.error(line, path, "not a requirement group", shape_hint)
            continue
        if "all" in item:
            g = doc.mapping(item, line, path, ("all",))
            if g is None:
                continue
            ids = doc.ids(g, "all", path, "achievement", allow_empty=False)
            groups.append(RequirementGroup(ids, None, Source(doc.rel, line)))
            continue
        g = doc.mapping(item, line, path, ("at_least", "of"))
        if g is None:
            continue
        ids = doc.ids(g, "of", path, "achievement", allow_empty=False)
        n = doc.integer(g, "at_least", path, minimum=1)
        if n is not None:
            groups.append(RequirementGroup(ids, n, Source(doc.rel, line)))
    return tuple(groups)
