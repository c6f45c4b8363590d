"""The shape of the package, held as tests: the rooms stay small, the arrows point down.

These are the rules ``docs/architecture.md`` states: no import cycle anywhere in
``src/timeline``, no module over 700 lines, and a private (``_``) name, module or attribute
used only inside the package that defines it. They read the source as text (``ast``), so a
broken rule is reported with the file and line that breaks it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "timeline"
MAX_LINES = 700


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _package_of(module: str) -> str:
    """The package a module belongs to (a package's ``__init__`` belongs to itself)."""
    if (SRC / module.replace(".", "/") / "__init__.py").exists():
        return module
    return module.rpartition(".")[0]


def _imports(module: str) -> list[tuple[int, str, str | None]]:
    """``(line, imported module, imported name or None)`` for every timeline import.

    Imports made only for type checkers (under ``if TYPE_CHECKING:``) are left out: they
    never run, so they make no cycle.
    """
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    checking_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                checking_only.update(id(n) for n in ast.walk(inner))
    found = []
    for node in ast.walk(tree):
        if id(node) in checking_only:
            continue
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name, None) for a in node.names if a.name.startswith("timeline")
            ]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").startswith("timeline")
        ):
            found += [(node.lineno, node.module, a.name) for a in node.names]
    return found


def _target(imported: str, name: str | None) -> str:
    """The module an import loads: ``from timeline.io import _files`` loads ``timeline.io._files``."""
    if name is not None and f"{imported}.{name}" in MODULES:
        return f"{imported}.{name}"
    return imported


def test_there_is_no_import_cycle():
    graph = nx.DiGraph()
    for module in MODULES:
        graph.add_node(module)
        for _, imported, name in _imports(module):
            target = _target(imported, name)
            # importing a package runs its __init__: an arrow to it
            if target in MODULES and target != module:
                graph.add_edge(module, target)
    # A package's __init__ that re-exports its own modules is the package's front door, not a
    # cycle: only arrows from a module to the __init__ of a package that contains it are left out.
    for module, target in list(graph.edges):
        if module.startswith(target + "."):
            graph.remove_edge(module, target)
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c + c[:1]) for c in cycles)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_700_lines(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(SRC)} has {lines} lines"


def _private_owner(imported: str, name: str | None) -> str | None:
    """The package that owns the private thing an import reaches, or ``None`` if it is public."""
    parts = imported.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i]) or "timeline"
    if name is not None and name.startswith("_") and not name.startswith("__"):
        target = f"{imported}.{name}"
        if target in MODULES:  # a private module, imported from its package
            return imported
        return _package_of(imported)  # a private name defined in a module
    return None


def test_private_names_are_used_only_inside_their_own_package():
    offences = []
    for module, path in MODULES.items():
        home = _package_of(module)
        for line, imported, name in _imports(module):
            owner = _private_owner(imported, name)
            if owner is not None and home != owner and not home.startswith(owner + "."):
                what = f"{imported}.{name}" if name else imported
                offences.append(f"{path.relative_to(SRC)}:{line} uses {what} (private to {owner})")
    assert offences == [], "\n".join(offences)
