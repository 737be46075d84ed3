"""What a notebook's code will import: its cells' imports, followed through the library.

The warm-kernel server (:mod:`sco_research.reports.warm`) imports these modules before it forks
a notebook's kernel. The code is parsed, never run: ``import x`` and ``from x import y`` give
their modules; ``sco.<name>`` (after ``import sco_research as sco``) and ``from sco_research
import <name>`` give the library module that defines the name, found through the package's lazy
exports; then each library module adds what it imports at its top level, and the modules other
than the library's that its functions import (those of the library load only if the function
runs: the data package's validator, say). The renderer (``sco_research.reports``, the command
line) is left out: no kernel imports it.

Examples
--------
>>> notebook_imports([{"cell_type": "code", "source": "import pandas as pd"}])
('pandas',)
>>> cells = [{"cell_type": "code", "source": "import sco_research as sco"},
...          {"cell_type": "code", "source": "sco.maps.membership_map"}]
>>> mods = notebook_imports(cells)
>>> "sco_research.maps" in mods and "matplotlib" in mods
True
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["notebook_imports"]

RENDERER = ("sco_research.reports", "sco_research.cli")  #: never imported by a kernel


def _source(module: str) -> Path | None:
    """The file of a module of this library but the renderer, found without importing it."""
    base = Path(__file__).resolve().parents[2].joinpath(*module.split("."))
    ours = module.split(".")[0] == __name__.split(".")[0] and not module.startswith(RENDERER)
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if ours and
                 p.is_file()), None)


def _exported(name: str) -> str | None:
    """The module behind ``sco_research.<name>``: a submodule, or one of the lazy exports."""
    lazy = getattr(importlib.import_module("sco_research"), "_LAZY_FUNCTIONS", {})
    return f"sco_research.{name}" if _source(f"sco_research.{name}") else \
        f"sco_research.{lazy[name]}" if name in lazy else None


def _imports(tree: ast.AST, package: str = "") -> set[str]:
    """The modules parsed code imports, ``sco.<name>`` resolved. Within a library module's
    functions (``package`` given) imports of the library are left out: they run if called."""
    found, nodes = set(), [(tree, False)]
    aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
               for a in n.names if a.name == "sco_research"}
    while nodes:
        node, inner = nodes.pop()
        inner = inner or bool(package) and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        nodes.extend((child, inner) for child in ast.iter_child_nodes(node))
        names: set[str | None] = set()
        if isinstance(node, ast.Import):
            names = {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):  # relative: from the package, up level - 1
            parts = package.split(".")[:len(package.split(".")) - node.level + 1]
            base = ".".join(filter(None, [*parts, node.module])) if node.level else node.module
            names = {base, *(_exported(a.name) if base == "sco_research" else
                             f"{base}.{a.name}" if _source(f"{base}.{a.name}") else None
                             for a in node.names)}
        elif isinstance(node, ast.Attribute) and getattr(node.value, "id", None) in aliases:
            names = {_exported(node.attr) or "sco_research"}
        found.update(n for n in names if n and not (inner and n.startswith("sco_research")))
    return found - {"__future__"}


@functools.cache
def _library_imports(module: str) -> frozenset[str]:
    """What a module of this library imports (parsed, not run); nothing for another module."""
    if (path := _source(module)) is None:
        return frozenset()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return frozenset(_imports(ast.parse(path.read_text(encoding="utf-8")), package))


def notebook_imports(cells: Iterable[Mapping]) -> tuple[str, ...]:
    """The modules a kernel running these notebook cells will import: the code cells' imports
    and ``sco_research.<name>`` uses, then what those library modules import in turn (pandas,
    matplotlib ...). Cells that do not parse (magics) are skipped. Library modules come last."""
    code = []
    for cell in (c for c in cells if c.get("cell_type") == "code"):
        with contextlib.suppress(SyntaxError, ValueError):
            code += ast.parse("".join(cell.get("source", ""))).body
    todo = list(found := _imports(ast.Module(body=code, type_ignores=[])))
    while todo:  # follow the library's modules to what they import
        todo.extend(new := _library_imports(todo.pop()) - found)
        found |= new
    return tuple(sorted((m for m in found if not m.startswith(RENDERER)),
                        key=lambda m: (m.startswith("sco_research"), m)))
