"""``program/competencies.yml``: the competencies achievements verify, one list.

Each competency has an id, a name, a description, a domain and a kind (knowledge or skill); a
domain is written one way throughout (spellings that differ only in case are reported).
"""

from __future__ import annotations

from collections import Counter

from credstack.model.program import COMPETENCY_KINDS, Competency, Source
from credstack.registry.program.document import ProgramFile, kind_of
from credstack.registry.program.reader import COMPETENCIES_FILE, ProgramReader
from credstack.registry.yamlio import LineDict, LineList

COMPETENCY_KEYS = ("id", "name", "description", "domain", "kind")


def read_competencies(reader: ProgramReader) -> dict[str, Competency]:
    """Every competency that passes its checks, by id, as written."""
    data, ok = reader.read(COMPETENCIES_FILE)
    doc = ProgramFile(COMPETENCIES_FILE, reader.problems)
    if not ok or not isinstance(data, LineList):
        reader.competencies_failed = True
    if not ok:
        return {}
    if not isinstance(data, LineList):
        doc.error(
            getattr(data, "line", 1) or 1,
            "",
            f"expected a list of competencies at the top level, got {kind_of(data)}",
            "start each competency with '- id: ...'",
        )
        return {}
    result: dict[str, Competency] = {}
    spellings: dict[str, list[tuple[str, LineDict, str]]] = {}
    for i, item in enumerate(data):
        path = f"[{i}]"
        entry = ProgramFile(COMPETENCIES_FILE, reader.problems)
        m = entry.mapping(item, data.line_of(i), path, COMPETENCY_KEYS)
        if m is None:
            continue
        cid = (
            entry.slug(m["id"], m.line_of("id"), f"{path}.id", "competency")
            if m.get("id") is not None
            else None
        )
        if cid is not None and (cid in result or cid in reader.unloaded):
            first = result[cid].source.line if cid in result else 0
            entry.error(
                m.line_of("id"),
                f"{path}.id",
                f"duplicate competency id '{cid}'" + (f" (also on line {first})" if first else ""),
                "give each competency its own id",
            )
            continue
        name = entry.text(m, "name", path)
        description = entry.text(m, "description", path)
        domain = entry.text(m, "domain", path)
        kind = entry.choice(m, "kind", path, COMPETENCY_KINDS)
        if domain is not None:
            spellings.setdefault(domain.casefold(), []).append((domain, m, path))
        if entry.failed or cid is None:
            if cid is not None:
                reader.unloaded.add(cid)
            continue
        result[cid] = Competency(
            id=cid,
            name=name or "",
            description=description or "",
            domain=domain or "",
            kind=kind,  # type: ignore[arg-type]
            source=Source(COMPETENCIES_FILE, data.line_of(i)),
        )
    if not data:
        doc.error(data.line or 1, "", "no competencies", "list at least one competency")
    # One domain, one spelling: the most common spelling wins, the others are reported.
    for uses in spellings.values():
        usual, _ = Counter(u[0] for u in uses).most_common(1)[0]
        first = next(m.line_of("domain") for d, m, _ in uses if d == usual)
        for domain, m, path in uses:
            if domain != usual:
                doc.error(
                    m.line_of("domain"),
                    f"{path}.domain",
                    f"domain '{domain}' differs from '{usual}' (line {first}) only in case",
                    f"write '{usual}'",
                )
                cid = str(m.get("id"))
                if result.pop(cid, None) is not None:
                    reader.unloaded.add(cid)
    return result
