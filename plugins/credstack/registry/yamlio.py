"""YAML that remembers where things are: every mapping key and sequence item keeps its line.

``read_yaml`` turns every failure (missing file, bad encoding, syntax error, empty file) into a
:class:`~credstack.errors.ProgramError` carrying exactly one :class:`Problem` with file and line,
so callers never see a PyYAML traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from credstack.errors import ProgramError
from credstack.model.problems import Problem
from credstack.model.program import Source


class LineDict(dict[Any, Any]):
    """A YAML mapping. ``line`` is where it starts, ``key_lines[key]`` where each key is,
    ``duplicates`` the (key, line) of keys given more than once (the last value wins)."""

    line: int = 0

    def __init__(self, *args: Any, **kw: Any):
        super().__init__(*args, **kw)
        self.key_lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int]] = []

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A YAML sequence. ``line`` is where it starts, ``item_lines[i]`` where item i is."""

    line: int = 0

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class LineLoader(yaml.SafeLoader):
    """SafeLoader building :class:`LineDict` and :class:`LineList` (1-based lines)."""

    def construct_line_mapping(self, node: yaml.MappingNode) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        self.flatten_mapping(node)  # YAML merge keys (<<)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError as e:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found an unhashable key",
                    key_node.start_mark,
                ) from e
            line = key_node.start_mark.line + 1
            if key in result:
                result.duplicates.append((key, line))
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = line
        return result

    def construct_line_sequence(self, node: yaml.SequenceNode) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, LineLoader.construct_line_mapping
)
LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, LineLoader.construct_line_sequence
)


class LenientLineLoader(LineLoader):
    """:class:`LineLoader` that reads any unknown tag (``!!python/name:...``, ``!ENV``) as None.

    For ``mkdocs.yml``, whose themes and extensions use such tags; credstack never needs them.
    """


def _unknown_tag(loader: yaml.Loader, tag_suffix: str, node: yaml.Node) -> None:
    return None


LenientLineLoader.add_multi_constructor("", _unknown_tag)


def read_yaml(root: Path, rel: str, *, lenient: bool = False) -> Any:
    """Parse ``root/rel``; return its data (None when the file is empty).

    Raises ProgramError with one problem (file and line) when the file is missing, unreadable or
    not valid YAML.
    """
    path = root / rel
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(
            rel, 0, "file not found", "run credstack from the registry root, or pass -C PATH"
        ) from None
    except UnicodeDecodeError as e:
        raise _error(rel, 0, f"not UTF-8 text ({e.reason})", "save the file as UTF-8") from None
    except OSError as e:
        raise _error(rel, 0, f"cannot read the file: {e.strerror}", None) from None
    loader = LenientLineLoader if lenient else LineLoader
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        what = e.problem or e.context or "invalid YAML"
        raise _error(rel, line, f"invalid YAML: {what}", _yaml_hint(e)) from None
    except yaml.YAMLError as e:  # pragma: no cover - PyYAML marks all parse errors
        raise _error(rel, 0, f"invalid YAML: {e}", None) from None


def _yaml_hint(e: yaml.MarkedYAMLError) -> str:
    problem = e.problem or ""
    if "'\\t'" in problem or "\\t" in problem:
        return "YAML does not allow tabs for indentation: use spaces"
    if "expected a single document" in problem or "but found another document" in (e.context or ""):
        return "keep one document per file (remove the extra '---')"
    return "check the indentation and quoting on this line and the one before"


def _error(rel: str, line: int, message: str, hint: str | None) -> ProgramError:
    problem = Problem("error", Source(rel, line), "", message, hint, "schema")
    return ProgramError(message, where=str(problem.source), hint=hint, problems=[problem])
