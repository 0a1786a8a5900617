"""The package's layers import only leftwards: errors <- model <- crypto <- registry <- {cli, site}.

Walks every module's imports with ``ast`` (including imports inside functions), so a shortcut
such as the model reading files through the registry, or the site reaching into the CLI, fails
here instead of in review. Third-party rules too: only crypto touches pyld/nacl, only the site
(and nothing below it) touches mkdocs.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "plugins" / "credstack"
RANK = {"errors": 0, "model": 1, "crypto": 2, "registry": 3, "cli": 4, "site": 4}
ONLY_IN = {
    "pyld": {"crypto"},
    "nacl": {"crypto"},
    "cryptography": {"crypto"},
    "mkdocs": {"site"},
}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "credstack" or len(parts) < 2:
        return None
    return parts[1]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import; a relative import is reported as module '.<name>'."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "." * node.level + (node.module or "")))
            elif node.module:
                found.append((node.lineno, node.module))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "scaffold" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_left(path):
    rel = path.relative_to(PACKAGE)
    own = rel.parts[0].removesuffix(".py")
    if own not in RANK:
        return  # __init__.py of the package
    problems = []
    for line, module in imports(path):
        if module.startswith("."):
            problems.append(f"{rel}:{line}: relative import {module} (use absolute imports)")
            continue
        target = layer_of(module)
        if target in RANK and RANK[target] > RANK[own]:
            problems.append(f"{rel}:{line}: {own} imports {module}")
        if target in RANK and RANK[target] == RANK[own] and target != own:
            problems.append(f"{rel}:{line}: {own} imports its sibling {module}")
        root = module.split(".")[0]
        if root in ONLY_IN and own not in ONLY_IN[root]:
            problems.append(f"{rel}:{line}: {own} imports {module} (only {ONLY_IN[root]})")
    assert problems == []


def test_the_rule_catches_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from credstack.registry.registry import Registry\n")
    assert imports(bad) == [(2, "credstack.registry.registry")]
    assert RANK[layer_of("credstack.registry.registry")] > RANK["model"]


def test_the_rule_catches_a_relative_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from . import keys\nfrom ..registry import verify\n")
    assert imports(bad) == [(1, "."), (2, "..registry")]
