"""The package as a whole: its modules import each other without a cycle, and no shim is left."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from sco_research import paths


def _module_name(path: Path) -> str:
    rel = path.relative_to(paths.PACKAGE_DIR.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str) -> set[str]:
    """The package modules ``path`` imports, at module level or inside a function."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("sco_research")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("sco_research"):
                continue
            # "from . import citations" names a module; "from .data import load" names its module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                where = paths.PACKAGE_DIR.parent / sub.replace(".", "/")
                out.add(sub if where.with_suffix(".py").is_file()
                        or (where / "__init__.py").is_file() else target)
    return out


def import_graph() -> dict[str, set[str]]:
    files = sorted(paths.PACKAGE_DIR.rglob("*.py"))
    names = {_module_name(f): f for f in files}
    return {n: {m for m in _imports(f, n) if m in names and m != n} for n, f in names.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, each as the list of modules along it (packages' ``__init__`` aside)."""
    found, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back_even_inside_a_function():
    graph = import_graph()
    assert "sco_research.citations" in graph["sco_research._plotting"]
    # A package's __init__ re-exports its modules, and they import the package's siblings
    # through it: those edges are the package's own, not a cycle between two modules.
    modules = {n: {m for m in deps if not (graph.get(m) is not None and n.startswith(m + "."))}
               for n, deps in graph.items()}
    assert cycles(modules) == []


@pytest.mark.parametrize("gone", ["sco_research.render"])
def test_the_compatibility_modules_are_gone(gone):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(gone)


def test_no_old_names_are_left_on_the_modules():
    from sco_research import data, maps

    assert not hasattr(data, "source_line") and not hasattr(data, "sources_for")
    assert not hasattr(maps, "explore") and not hasattr(maps, "membership_timeline_chart")


def test_the_pages_need_neither_the_renderer_nor_pydantic_nor_papermill():
    code = ("import sys, sco_research.pages; print(sorted(m for m in sys.modules if m in "
            "('pydantic', 'papermill', 'nbclient', 'pandas', 'jinja2') "
            "or m.startswith('sco_research.reports')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
    assert not any(m.startswith("sco_research.reports")
                   for n, deps in import_graph().items() if n.startswith("sco_research.pages")
                   for m in deps)
