"""How achievements stack: prerequisites, the competencies they add up to, and cycles.

Pure functions over a :class:`Program`, used by the design checks (``credstack.model.lint``) and
by ``credstack map``: the prerequisite closure of achievements, the competencies a holder has
shown, the competencies every route through a pathway guarantees, and the graph algorithms that
find prerequisite cycles (Tarjan's strongly connected components, then the shortest cycle).
"""

from __future__ import annotations

from collections.abc import Iterable

from credstack.model.program import Pathway, Program


def prerequisite_closure(program: Program, ids: Iterable[str]) -> set[str]:
    """Every achievement that holding ``ids`` requires, transitively (``ids`` excluded unless
    they require one another). Unknown ids are included but not followed; cycles are safe."""
    found: set[str] = set()
    todo = [
        p for i in ids if i in program.achievements for p in program.achievements[i].prerequisites
    ]
    while todo:
        aid = todo.pop()
        if aid in found:
            continue
        found.add(aid)
        if aid in program.achievements:
            todo.extend(program.achievements[aid].prerequisites)
    return found


def verified_by(program: Program) -> dict[str, list[str]]:
    """Competency id -> ids of the achievements that verify it (every competency is a key)."""
    result: dict[str, list[str]] = {cid: [] for cid in program.competencies}
    for a in program.achievements.values():
        for cid in a.competencies:
            result.setdefault(cid, []).append(a.id)
    return result


def held_competencies(program: Program, aid: str) -> set[str]:
    """The competencies someone holding ``aid`` has shown: its own and its prerequisites'."""
    result: set[str] = set()
    for other in {aid} | prerequisite_closure(program, [aid]):
        if other in program.achievements:
            result.update(program.achievements[other].competencies)
    return result


def guaranteed_competencies(program: Program, pathway: Pathway) -> set[str]:
    """The competencies verified on *every* route through the pathway's requirement.

    A competency is guaranteed by a group when fewer than ``needed`` of its achievements lack it
    (so no choice avoids it). Prerequisites count: they must be held too.
    """
    result: set[str] = set()
    cert = program.achievements.get(pathway.certification)
    if cert is not None:
        for aid in prerequisite_closure(program, [cert.id]):
            result |= held_competencies(program, aid)
    for group in pathway.requires:
        members = list(dict.fromkeys(group.achievements))
        held = {m: held_competencies(program, m) for m in members}
        for cid in set().union(*held.values()):
            if sum(cid not in h for h in held.values()) < group.needed:
                result.add(cid)
    return result


def strongly_connected(graph: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative; components in discovery order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                result.append(component)
    return result


def shortest_cycle(graph: dict[str, list[str]], start: str, within: set[str]) -> list[str]:
    """The shortest path start -> ... -> start inside one strongly connected component."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for child in graph[node]:
                if child not in within:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start] if node != start else [start, start]
                if child not in previous:
                    previous[child] = node
                    nxt.append(child)
        frontier = nxt
    return [start, start]  # pragma: no cover - a component always has a cycle
