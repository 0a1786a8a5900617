"""``program/assessors.yml`` (optional): who may assess which achievements.

Without it, awards of assessed achievements are refused (a warning says so once).
"""

from __future__ import annotations

from credstack.model.program import Assessor, Source
from credstack.registry.program.document import GITHUB_USER, ProgramFile, kind_of, line_map
from credstack.registry.program.reader import ASSESSORS_FILE, ProgramReader
from credstack.registry.yamlio import LineList

ASSESSOR_KEYS = ("id", "name", "achievements")
ASSESSOR_OPTIONAL = ("url", "github")


def read_assessors(reader: ProgramReader) -> dict[str, Assessor]:
    """``program/assessors.yml``: who may assess which achievements (optional file)."""
    if not (reader.root / ASSESSORS_FILE).exists():
        reader.problems.warning(
            Source(ASSESSORS_FILE),
            "",
            "no assessors on record: awards of assessed achievements are refused",
            f"add {ASSESSORS_FILE} listing who may assess each achievement (see the program "
            "format)",
            check="assessed",
        )
        return {}
    data, ok = reader.read(ASSESSORS_FILE)
    if not ok:
        return {}
    doc = ProgramFile(ASSESSORS_FILE, reader.problems)
    if not isinstance(data, LineList) or not data:
        doc.error(
            getattr(data, "line", 1) or 1,
            "",
            f"expected a list of assessors at the top level, got {kind_of(data)}",
            "start each assessor with '- id: ...' (id, name, achievements; url and github "
            "are optional)",
        )
        return {}
    result: dict[str, Assessor] = {}
    for i, item in enumerate(data):
        path = f"[{i}]"
        entry = ProgramFile(ASSESSORS_FILE, reader.problems)
        m = entry.mapping(item, data.line_of(i), path, ASSESSOR_KEYS, ASSESSOR_OPTIONAL)
        if m is None:
            continue
        aid = (
            entry.slug(m["id"], m.line_of("id"), f"{path}.id", "assessor")
            if m.get("id") is not None
            else None
        )
        if aid is not None and aid in result:
            entry.error(
                m.line_of("id"),
                f"{path}.id",
                f"duplicate assessor id '{aid}' (also on line {result[aid].source.line})",
                "give each assessor their own id; list all their achievements in one entry",
            )
            continue
        name = entry.text(m, "name", path)
        achievements = entry.ids(m, "achievements", path, "achievement", allow_empty=False)
        url = entry.web_url(m, "url", path)
        github = entry.text(m, "github", path)
        if github is not None:
            github = github.removeprefix("@")
            if not GITHUB_USER.match(github):
                entry.error(
                    m.line_of("github"),
                    f"{path}.github",
                    f"not a GitHub user name: '{github}'",
                    "letters, digits and single hyphens, at most 39 characters",
                )
        if entry.failed or aid is None:
            continue
        result[aid] = Assessor(
            id=aid,
            name=" ".join((name or "").split()),
            achievements=achievements,
            url=url,
            github=github,
            source=Source(ASSESSORS_FILE, data.line_of(i)),
            lines=line_map(m),
        )
    return result
