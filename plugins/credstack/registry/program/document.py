"""One YAML file of the program: its values checked by shape, each problem with its line.

:class:`ProgramFile` checks the values every file kind uses (mappings with their allowed keys,
text, choices, ids, numbers, URLs, image paths, dates) and keeps going after each problem so that
one run reports everything. The readers of each file kind build on it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from credstack.model.problems import ProblemList, closest, did_you_mean
from credstack.model.program import Source
from credstack.registry.yamlio import LineDict, LineList

#: Achievement, pathway and competency ids: lower-case letters, digits and hyphens.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
IMAGE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".webp")
#: A GitHub user name (1-39 letters, digits, single hyphens) and a team (``org/team``).
GITHUB_USER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
GITHUB_TEAM = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/[A-Za-z0-9._-]+$")

_MOVED_KEYS = {
    "site_url": "the site URL comes from site_url in mkdocs.yml",
    "keys": "public keys live in program/keys.yml (written by `credstack keys`)",
    "id": "the id is the file name: program/achievements/<id>.yml, program/pathways/<id>.yml",
}


def join_field(path: str, key: object) -> str:
    """The field path of ``key`` inside ``path``: ``price.amount`` (``key`` at the top)."""
    return f"{path}.{key}" if path else str(key)


def kind_of(value: object) -> str:
    """What ``value`` is, in words for an error message: ``a number (3)``, ``a list``..."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float | Decimal):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ('{value}')" if len(value) <= 40 else "text"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover


def line_map(value: Any, path: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """Every field path in a parsed file and its line: {"price": 12, "price.amount": 13, ...}."""
    out = {} if out is None else out
    if isinstance(value, LineDict):
        for key, item in value.items():
            sub = join_field(path, key)
            out[sub] = value.line_of(key)
            line_map(item, sub, out)
    elif isinstance(value, LineList):
        for i, item in enumerate(value):
            sub = f"{path}[{i}]"
            out[sub] = value.line_of(i)
            line_map(item, sub, out)
    return out


class ProgramFile:
    """Checks the values of one YAML file, reporting each problem with its line."""

    def __init__(self, rel: str, problems: ProblemList):
        self.rel = rel
        self.problems = problems
        self.failed = False

    def src(self, line: int) -> Source:
        return Source(self.rel, line)

    def error(
        self, line: int, field: str, message: str, hint: str | None = None, check: str = "schema"
    ) -> None:
        self.failed = True
        self.problems.error(self.src(line), field, message, hint, check=check)

    # -- shapes ------------------------------------------------------------------------------

    def mapping(
        self,
        value: Any,
        line: int,
        path: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> LineDict | None:
        """``value`` if it is a mapping; reports duplicate, unknown and missing keys."""
        if not isinstance(value, LineDict):
            self.error(
                line,
                path,
                f"expected a mapping with {', '.join(required)}; got {kind_of(value)}",
                f"write it as 'key: value' lines: {', '.join(required)}",
            )
            return None
        for key, key_line in value.duplicates:
            self.error(
                key_line, join_field(path, key), "given twice in the same mapping", "remove one"
            )
        allowed = (*required, *optional)
        suggested: set[str] = set()
        for key in value:
            if key in allowed:
                continue
            match = closest(key, [k for k in allowed if k not in value])
            if match:
                suggested.add(match)
                hint = f"did you mean '{match}'?"
            elif key in _MOVED_KEYS:
                hint = _MOVED_KEYS[key]
            else:
                hint = "allowed keys: " + ", ".join(allowed)
            self.error(value.line_of(key), join_field(path, key), f"unknown key '{key}'", hint)
        for key in required:
            if key in suggested:
                continue  # already reported as a misspelling
            if key not in value:
                self.error(value.line, join_field(path, key), "missing", f"add '{key}: ...'")
            elif value[key] is None or value[key] == "":
                self.error(value.line_of(key), join_field(path, key), "has no value")
        return value

    def text(self, m: LineDict, key: str, path: str) -> str | None:
        value = m.get(key)
        if value is None or value == "":
            return None  # missing required keys are reported by mapping()
        if not isinstance(value, str):
            self.error(
                m.line_of(key),
                join_field(path, key),
                f"expected text, got {kind_of(value)}",
                "put the value in quotes",
            )
            return None
        return value.strip()

    def choice(self, m: LineDict, key: str, path: str, options: tuple[str, ...]) -> str | None:
        value = self.text(m, key, path)
        if value is None or value in options:
            return value
        hint = did_you_mean(value, options) or "one of: " + ", ".join(options)
        self.error(m.line_of(key), join_field(path, key), f"unknown {key} '{value}'", hint)
        return None

    def slug(self, value: Any, line: int, path: str, what: str) -> str | None:
        if isinstance(value, str) and SLUG.match(value):
            return value
        hint = "ids are lower-case letters, digits and hyphens, e.g. 'session-design'"
        if isinstance(value, bool):
            hint = "YAML reads yes/no/on/off as true/false: put the id in quotes"
        self.error(line, path, f"not a valid {what} id: {kind_of(value)}", hint)
        return None

    def ids(
        self, m: LineDict, key: str, path: str, what: str, *, allow_empty: bool
    ) -> tuple[str, ...]:
        """A list of unique ids (an absent or empty key gives ``()``)."""
        value = m.get(key)
        field = join_field(path, key)
        if value is None:
            return ()  # a missing required key is reported by mapping()
        if not isinstance(value, LineList):
            hint = f"write {key}: [{value}]" if isinstance(value, str) else None
            self.error(
                m.line_of(key), field, f"expected a list of {what} ids, got {kind_of(value)}", hint
            )
            return ()
        if not value and not allow_empty:
            self.error(m.line_of(key), field, f"lists no {what}", f"name at least one {what} id")
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            line = value.line_of(i)
            slug = self.slug(item, line, f"{field}[{i}]", what)
            if slug is None:
                continue
            if slug in seen:
                self.error(
                    line,
                    f"{field}[{i}]",
                    f"'{slug}' is listed twice (also on line {seen[slug]})",
                    "remove the repeat",
                )
                continue
            seen[slug] = line
        return tuple(seen)

    def number(self, m: LineDict, key: str, path: str) -> Decimal | None:
        value = m.get(key)
        if value is None:
            return None
        field = join_field(path, key)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.error(m.line_of(key), field, f"expected a number, got {kind_of(value)}")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.error(
                m.line_of(key),
                field,
                f"not a number: {kind_of(value)}",
                "write digits with a decimal point, e.g. 1200 or 49.90 (no separators or symbols)",
            )
            return None
        return number

    def integer(self, m: LineDict, key: str, path: str, *, minimum: int) -> int | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                m.line_of(key),
                join_field(path, key),
                f"expected a whole number, got {kind_of(value)}",
            )
            return None
        if value < minimum:
            self.error(
                m.line_of(key), join_field(path, key), f"must be at least {minimum}, got {value}"
            )
            return None
        return value

    def web_url(self, m: LineDict, key: str, path: str) -> str | None:
        """An absolute http(s) URL (a link on the site: nothing else becomes a link)."""
        value = self.text(m, key, path)
        if value is None:
            return None
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(c.isspace() or ord(c) < 32 for c in value)
        ):
            self.error(
                m.line_of(key),
                join_field(path, key),
                f"not an http(s) URL: '{value}'",
                "give the full address, starting with https://",
            )
            return None
        return value

    def image(self, m: LineDict, key: str, path: str, docs_dir: str, root: Path) -> str | None:
        """An http(s) URL, or a path relative to the MkDocs docs_dir that exists."""
        value = self.text(m, key, path)
        if value is None:
            return None
        field = join_field(path, key)
        parts = urlsplit(value)
        if parts.scheme:
            if parts.scheme not in ("http", "https") or not parts.netloc:
                self.error(m.line_of(key), field, f"not an http(s) URL: '{value}'")
                return None
            return value
        if value.startswith("/") or ".." in Path(value).parts:
            self.error(
                m.line_of(key),
                field,
                f"'{value}' must be relative to {docs_dir}/",
                f"e.g. {key}: images/{Path(value).name}",
            )
            return None
        if Path(value).suffix.lower() not in IMAGE_SUFFIXES:
            self.error(
                m.line_of(key),
                field,
                f"'{value}' is not an image",
                "use " + ", ".join(IMAGE_SUFFIXES),
            )
            return None
        if not (root / docs_dir / value).is_file():
            self.error(
                m.line_of(key),
                field,
                f"file not found: {docs_dir}/{value}",
                f"add the image under {docs_dir}/, or use an https:// URL",
            )
            return None
        return value

    def when(self, m: LineDict, key: str, path: str) -> datetime | None:
        """A timezone-aware datetime; a bare date means 00:00 UTC."""
        value = m.get(key)
        field = join_field(path, key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.error(
                    m.line_of(key),
                    field,
                    f"not an ISO 8601 date and time: '{value}'",
                    "e.g. 2026-11-28T10:00:00Z",
                )
                return None
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                self.error(
                    m.line_of(key),
                    field,
                    "date and time without a timezone",
                    "add Z for UTC or an offset, e.g. 2026-11-28T10:00:00Z",
                )
                return None
            return value
        if isinstance(value, date):
            return datetime.combine(value, time(0), tzinfo=UTC)
        self.error(m.line_of(key), field, f"expected a date and time, got {kind_of(value)}")
        return None


def top_mapping(
    doc: ProgramFile, data: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> LineDict | None:
    """The file's top-level mapping with its keys checked; None (reported) when it is not one."""
    if data is None:
        doc.error(1, "", "the file is empty", "expected keys: " + ", ".join(required))
        return None
    if not isinstance(data, LineDict):
        doc.error(
            getattr(data, "line", 1) or 1,
            "",
            f"expected a mapping at the top level, got {kind_of(data)}",
            "expected keys: " + ", ".join(required),
        )
        return None
    return doc.mapping(data, data.line, "", required, optional)
