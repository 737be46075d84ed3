"""docs/architecture.md stays true: its module map, the names it cites, the make targets."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from sco_research import paths

ROOT = paths.PROJECT_ROOT
DOC = ROOT / "docs" / "architecture.md"
PACKAGE = "sco_research"
#: Endings that make a dotted word a file name (``reports.yaml``), not a module attribute.
FILE_ENDINGS = {"yaml", "yml", "json", "csv", "py", "html", "ipynb", "md", "log", "png", "svg"}


def _without_fences(text: str) -> str:
    """The text outside fenced code blocks (the diagram is a picture, not a list of names)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def _inline_code(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", _without_fences(text))


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert match, f"docs/architecture.md has no section '## {heading}'"
    return match.group(1)


def module_paths(text: str) -> set[str]:
    """Every ``sco_research/...`` path written in inline code."""
    return {c for c in _inline_code(text) if c == f"{PACKAGE}/" or c.startswith(f"{PACKAGE}/")}


def package_modules(root: Path) -> set[str]:
    """Each module of the package as the map names it: a file, or a package's folder."""
    names = set()
    for py in root.rglob("*.py"):
        rel = py.relative_to(root.parent)
        if "__pycache__" in rel.parts:
            continue
        if py.name == "__init__.py" and py.parent != root:
            names.add(rel.parent.as_posix() + "/")
        else:
            names.add(rel.as_posix())
    return names


def map_problems(text: str, root: Path) -> list[str]:
    """Modules missing from the map, and paths anywhere in the doc that do not exist."""
    named = module_paths(_section(text, "Module map"))
    problems = [f"{m} is not in the module map" for m in sorted(package_modules(root) - named)]
    for p in sorted(module_paths(text)):
        if not (root.parent / p).exists():
            problems.append(f"{p} is named in the doc but does not exist")
    return problems


def _resolve(dotted: str) -> bool:
    parts = dotted.split(".")
    if parts[0] == PACKAGE:
        parts = parts[1:]
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join([PACKAGE, *parts[:i]]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def _is_module(name: str) -> bool:
    return importlib.util.find_spec(f"{PACKAGE}.{name}") is not None


def dotted_names(text: str) -> list[str]:
    """Inline code like ``reports.cache.key`` whose first part is a module of the package."""
    out = []
    for code in _inline_code(text):
        if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", code):
            continue
        parts = code.split(".")
        if parts[-1] in FILE_ENDINGS:
            continue
        if parts[0] == PACKAGE or _is_module(parts[0]):
            out.append(code)
    return out


def unresolved_names(text: str) -> list[str]:
    return [n for n in dotted_names(text) if not _resolve(n)]


def make_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"^([A-Za-z_][\w-]*):", makefile.read_text(encoding="utf-8"),
                          flags=re.M))


def missing_targets(text: str, makefile: Path) -> list[str]:
    named = set(re.findall(r"`make ([\w-]+)", text))
    return sorted(named - make_targets(makefile))


# -- the doc as it is ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_module_is_in_the_map_and_every_path_exists(doc):
    assert map_problems(doc, paths.PACKAGE_DIR) == []


def test_every_dotted_name_in_the_doc_exists_in_the_code(doc):
    names = dotted_names(doc)
    assert len(names) > 30  # the data flow names its functions
    assert unresolved_names(doc) == []


def test_every_make_target_the_doc_names_is_in_the_makefile(doc):
    named = re.findall(r"`make ([\w-]+)", doc)
    assert {"report", "test", "validate"} <= set(named)
    assert missing_targets(doc, ROOT / "Makefile") == []


def test_the_doc_has_its_three_parts(doc):
    for heading in ("Module map", "One report, from `reports.yaml` to its page", "Where to add"):
        assert _section(doc, heading).strip()
    where = _section(doc, "Where to add")
    for what in ("**A table.**", "**A chart.**", "**A notebook.**", "**A report.**"):
        assert what in where


# -- the checks catch a doc that disagrees with the code ----------------------------------------


def test_a_module_left_out_of_the_map_is_caught(doc):
    text = doc.replace("| `sco_research/reports/layout.py` |", "| layout |")
    assert map_problems(text, paths.PACKAGE_DIR) == [
        "sco_research/reports/layout.py is not in the module map"]


def test_a_package_left_out_of_the_map_is_caught(doc):
    text = doc.replace("| `sco_research/charts/` |", "| charts |")
    assert "sco_research/charts/ is not in the module map" in map_problems(text,
                                                                            paths.PACKAGE_DIR)


def test_a_new_module_without_a_line_in_the_map_is_caught(doc, tmp_path):
    pkg = tmp_path / PACKAGE  # a copy of the package's layout, every module empty
    for rel in package_modules(paths.PACKAGE_DIR) | module_paths(doc):
        target = pkg.parent / rel
        if rel.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
            if (paths.PACKAGE_DIR.parent / rel / "__init__.py").is_file():
                (target / "__init__.py").write_text("")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("")
    (pkg / "reports" / "newjob.py").write_text("")
    assert map_problems(doc, pkg) == ["sco_research/reports/newjob.py is not in the module map"]


def test_a_path_that_does_not_exist_is_caught(doc):
    text = doc + "\n| `sco_research/gone.py` | removed long ago |\n"
    assert map_problems(text, paths.PACKAGE_DIR) == [
        "sco_research/gone.py is named in the doc but does not exist"]


def test_a_renamed_function_is_caught():
    text = "Calls `reports.cache.key`, `reports.cache.no_such_key` and `data.load`; reads " \
           "`reports.yaml`.\n```\nreports.ignored_in_the_diagram\n```\n"
    assert dotted_names(text) == ["reports.cache.key", "reports.cache.no_such_key", "data.load"]
    assert unresolved_names(text) == ["reports.cache.no_such_key"]


def test_a_make_target_missing_from_the_makefile_is_caught(tmp_path):
    makefile = tmp_path / "Makefile"
    makefile.write_text(".PHONY: test\ntest: install ## run\n\techo\ninstall:\n")
    assert missing_targets("Run `make test`, then `make deploy`.", makefile) == ["deploy"]


# -- the README's layout ------------------------------------------------------------------------


def layout_files(readme: str) -> list[str]:
    """The ``.py`` files the README's Layout block names, as paths from the project root."""
    block = re.search(r"^## Layout\n+```\n(.*?)^```", readme, flags=re.S | re.M)
    assert block, "README.md has no '## Layout' section with a code block"
    return [name if "/" in name else f"{PACKAGE}/{name}"
            for name in re.findall(r"[\w/]+\.py\b", block.group(1))]


def test_every_file_the_readme_layout_names_exists():
    named = layout_files((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "sco_research/publish.py" in named
    assert [f for f in named if not (ROOT / f).is_file()] == []


def test_a_file_the_readme_layout_names_but_that_is_gone_is_caught():
    readme = "## Layout\n\n```\nsco_research/\n  render2.py  gone\n  data.py  the data\n```\n"
    named = layout_files(readme)
    assert named == ["sco_research/render2.py", "sco_research/data.py"]
    assert [f for f in named if not (ROOT / f).is_file()] == ["sco_research/render2.py"]
