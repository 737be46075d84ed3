"""Batch-render the report notebooks: ``sco-research render``.

``reports.yaml`` (at the project root) lists the reports. Each is a notebook run with a set of
parameters, under a name and a title; an entry may expand a small grid of parameter values into
several reports. :func:`render` then

1. reads and checks ``reports.yaml`` and every parameter set against the notebook's ``parameters``
   cell (papermill's ``inspect_notebook``) before any kernel starts;
2. skips every report whose inputs are unchanged since its last successful render (the notebook,
   the parameters, the data files the report read, the library's source and the versions of the
   rendering stack), unless ``force`` is set;
3. executes the others with papermill in a pool of worker processes, each of which imports
   papermill and nbconvert once;
4. writes, per report, the executed notebook, a code-free HTML page (the parameters shown as a
   small table) and the figures the notebook saved into its ``output_dir``, and finally
   ``index.html`` (thumbnails and links) and ``manifest.json`` (the same, machine-readable).

A failing report never stops the others: its partial executed notebook is kept as
``<name>.failed.ipynb`` beside the last good HTML, which is left untouched. Every file is written
to a temporary name and renamed into place, and a report's folder is swapped in as a whole, so an
interrupted run never leaves a half-written report.

Layout of the output folder (default ``reports/``)::

    index.html  manifest.json
    <name>/<name>.html  <name>/<name>.ipynb  <name>/figures/...  <name>/thumb.png
    <name>/<name>.failed.ipynb   (only while the last attempt failed)

Examples
--------
>>> from sco_research import render
>>> reports = render.load_config()            # doctest: +SKIP
>>> result = render.render(["membership-map"], jobs=2)   # doctest: +SKIP
>>> print(result.summary())                   # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import dataclasses
import datetime as _dt
import difflib
import fnmatch
import hashlib
import html
import itertools
import json
import os
import re
import shutil
import string
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from . import paths
from .errors import ConfigError, ParameterError, RenderError

__all__ = [
    "DEFAULT_TIMEOUT",
    "BatchResult",
    "Outcome",
    "Report",
    "add_render_parser",
    "check_parameters",
    "load_config",
    "notebook_parameters",
    "plan",
    "register_engine",
    "render",
    "select_reports",
]

#: Seconds a report may run (kernel start excluded) unless ``reports.yaml`` or ``--timeout`` says.
DEFAULT_TIMEOUT = 600.0
#: Seconds a kernel may take to start before the report is marked failed.
KERNEL_START_TIMEOUT = 60
#: The largest number of reports one ``grid`` may expand into.
MAX_GRID = 50
#: Parameters the renderer sets itself; ``reports.yaml`` may not set them.
RESERVED_PARAMETERS = ("output_dir",)
#: Version of the manifest layout; a manifest of another version is ignored (everything re-runs).
MANIFEST_VERSION = 1

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TOP_KEYS = ("timeout", "reports")
_REPORT_KEYS = ("name", "title", "notebook", "parameters", "grid", "timeout")
_RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_IMAGE = (*_RASTER, ".svg")
#: Packages whose versions enter the cache key (a new matplotlib may draw differently).
_STACK = ("papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "numpy", "pandas",
          "matplotlib", "geopandas", "shapely", "pyarrow")


# ---------------------------------------------------------------------------------------------
# reports.yaml
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class Report:
    """One report: a notebook executed with one parameter set.

    Attributes
    ----------
    name : str
        Unique name; also the report's folder and file names.
    title : str
        Human title shown in the index and as the HTML page title.
    notebook : Path
        The notebook to execute (absolute).
    parameters : dict
        The parameters ``reports.yaml`` sets (``output_dir`` is added by the renderer).
    timeout : float
        Seconds the report may run before it is stopped and marked failed.
    group : str
        The entry's name as written in ``reports.yaml`` (shared by a grid's reports).
    line : int
        Line of the entry in ``reports.yaml``.
    parameter_lines : dict
        Line of each parameter (or grid key) in ``reports.yaml``, for messages.
    """

    name: str
    title: str
    notebook: Path
    parameters: dict
    timeout: float = DEFAULT_TIMEOUT
    group: str = ""
    line: int = 0
    parameter_lines: dict = dataclasses.field(default_factory=dict)

    def where(self, config: Path | str = "reports.yaml", parameter: str | None = None) -> str:
        """``"reports.yaml line 12, report 'name'"``: where to look for this report."""
        line = self.parameter_lines.get(parameter, self.line) if parameter else self.line
        return f"{_display(config)} line {line}, report {self.name!r}"


class _Mapping(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 0
    key_lines: dict


def _yaml_loader(config: Path) -> type:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        out = _Mapping()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                duplicate = key in out
            except TypeError:
                raise ConfigError(
                    f"{_display(config)} line {line}: a key must be a plain value, got {key!r}"
                ) from None
            if duplicate:
                raise ConfigError(
                    f"{_display(config)} line {line}: duplicate key {key!r} (first at line "
                    f"{out.key_lines[key]}); keep only one of them"
                )
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_lines[key] = line
        return out

    def construct_plain_timestamp(loader, node):
        # An unquoted 2017-06-09 stays the string '2017-06-09': notebooks take ISO date strings.
        return loader.construct_scalar(node)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_plain_timestamp)
    return Loader


def _display(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _slug(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = "-".join(str(v) for v in value)
    text = re.sub(r"[^A-Za-z0-9._]+", "-", str(value)).strip("-.").lower()
    return text or "x"


def _placeholders(template: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError:
        return ["<unbalanced braces>"]


def load_config(config: str | Path | None = None) -> list[Report]:
    """Read ``reports.yaml`` into a list of :class:`Report`, grids expanded.

    The file is a mapping with a list ``reports`` and an optional ``timeout`` (seconds per report,
    default 600). Each report has ``name``, ``notebook`` (relative to the file's folder), and
    optionally ``title``, ``parameters`` (a mapping), ``grid`` (a mapping of parameter names to
    lists of values; one report per combination) and ``timeout``. A grid entry's name and title
    may use ``{parameter}`` placeholders; otherwise the values are appended to the name.

    Parameters
    ----------
    config : str or Path, optional
        The file to read. Default: ``reports.yaml`` at the project root.

    Returns
    -------
    list of Report
        In file order.

    Raises
    ------
    ConfigError
        The file is missing, is not valid YAML, or breaks the layout above: every problem is
        listed with its line, the report, the bad value and the fix.

    Examples
    --------
    >>> reports = load_config()                                   # doctest: +SKIP
    >>> [r.name for r in reports if r.group == "membership-map"]  # doctest: +SKIP
    ['membership-map-2001-06-15', ...]
    """
    import yaml

    path = Path(config) if config is not None else paths.REPORTS_CONFIG
    shown = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config: {shown!r} does not exist; create it (see the reports.yaml at the project "
            f"root) or pass --config PATH"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config: cannot read {shown!r}: {exc}") from None
    try:
        doc = yaml.load(text, Loader=_yaml_loader(path))  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{shown}{where}: not valid YAML: {exc.problem or exc.context}; fix the syntax there "
            f"(indent list items under 'reports:', quote values containing ': ' or '#')"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: not valid YAML: {exc}") from None

    problems: list[str] = []
    if not isinstance(doc, dict):
        raise ConfigError(
            f"{shown}: expected a mapping with a 'reports:' list at the top, got "
            f"{type(doc).__name__} {doc!r:.60}"
        )
    lines = getattr(doc, "key_lines", {})
    for key in doc:
        if key not in _TOP_KEYS:
            problems.append(
                f"{shown} line {lines.get(key, 1)}: unknown top-level key {key!r}; allowed: "
                + ", ".join(_TOP_KEYS)
            )
    default_timeout = doc.get("timeout", DEFAULT_TIMEOUT)
    if not _is_number(default_timeout) or default_timeout <= 0:
        problems.append(
            f"{shown} line {lines.get('timeout', 1)}: timeout: expected a positive number of "
            f"seconds, got {default_timeout!r}"
        )
        default_timeout = DEFAULT_TIMEOUT
    entries = doc.get("reports")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(
            "\n  ".join([
                *problems,
                f"{shown} line {lines.get('reports', 1)}: 'reports' must be a non-empty list of "
                f"reports (each '- name: ...'), got {entries!r:.60}",
            ])
        )

    reports: list[Report] = []
    first_line: dict[str, int] = {}
    for index, entry in enumerate(entries):
        for report in _expand_entry(entry, index, path, float(default_timeout), problems):
            if report.name in first_line:
                problems.append(
                    f"{shown} line {report.line}: duplicate report name {report.name!r} (first "
                    f"defined at line {first_line[report.name]}); give each report a unique name"
                )
                continue
            first_line[report.name] = report.line
            reports.append(report)
    if problems:
        raise ConfigError(
            f"{shown}: {len(problems)} problem(s); nothing was rendered:\n  "
            + "\n  ".join(problems)
        )
    return reports


def _expand_entry(entry: Any, index: int, config: Path, default_timeout: float,
                  problems: list[str]) -> list[Report]:
    shown = _display(config)
    if not isinstance(entry, dict):
        problems.append(
            f"{shown}: reports[{index}] must be a mapping with 'name' and 'notebook', "
            f"got {entry!r:.60}"
        )
        return []
    line = getattr(entry, "line", 0)
    klines = getattr(entry, "key_lines", {})
    name = entry.get("name")
    label = f"{shown} line {line}, report {name!r}" if isinstance(name, str) else \
        f"{shown} line {line} (reports[{index}])"
    before = len(problems)
    for key in entry:
        if key not in _REPORT_KEYS:
            hint = difflib.get_close_matches(str(key), _REPORT_KEYS, n=1)
            problems.append(
                f"{label}: unknown key {key!r}"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
                + " Allowed: " + ", ".join(_REPORT_KEYS)
            )
    if not isinstance(name, str) or not name:
        problems.append(f"{label}: 'name' is required and must be a string, got {name!r}")
    elif not _NAME_RE.match(name.replace("{", "a").replace("}", "")):
        problems.append(
            f"{label}: name {name!r} may use only letters, digits, '.', '_' and '-' (it becomes a "
            f"folder name), starting with a letter or digit"
        )
    title = entry.get("title", name)
    if not isinstance(title, str):
        problems.append(f"{label}: 'title' must be a string, got {title!r}")
    nb = entry.get("notebook")
    notebook = None
    if not isinstance(nb, str) or not nb:
        problems.append(
            f"{label}: 'notebook' is required: the notebook's path relative to {shown}, e.g. "
            f"'notebooks/01-article-facts.ipynb'; got {nb!r}"
        )
    else:
        notebook = (config.parent / nb).resolve()
        if not notebook.is_file():
            folder = notebook.parent
            present = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
            problems.append(
                f"{shown} line {klines.get('notebook', line)}, report {name!r}: notebook {nb!r} "
                f"not found "
                f"({notebook}); fix the path or add the notebook. Notebooks in {_display(folder)}: "
                + (", ".join(present) if present else "none")
            )
    params = entry.get("parameters", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        problems.append(
            f"{label}: 'parameters' must be a mapping of parameter names to values, got "
            f"{params!r:.60}"
        )
        params = {}
    plines = dict(getattr(params, "key_lines", {}))
    for key in params:
        if not isinstance(key, str):
            problems.append(f"{label}: parameter names must be strings, got {key!r}")
    grid = entry.get("grid", {}) or {}
    if not isinstance(grid, dict):
        problems.append(
            f"{label}: 'grid' must be a mapping of parameter names to lists of values, e.g. "
            f"'as_of: [2017-06-09, today]'; got {grid!r:.60}"
        )
        grid = {}
    glines = getattr(grid, "key_lines", {})
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            problems.append(
                f"{label} (line {glines.get(key, line)}): grid parameter {key!r} needs a "
                f"non-empty list of values, got {values!r:.60}"
            )
        if key in params:
            problems.append(
                f"{label} (line {glines.get(key, line)}): parameter {key!r} is set both under "
                f"'parameters' and under 'grid'; keep it in one place"
            )
        plines[key] = glines.get(key, line)
    timeout = entry.get("timeout", default_timeout)
    if not _is_number(timeout) or timeout <= 0:
        problems.append(
            f"{label}: timeout: expected a positive number of seconds, got {timeout!r}"
        )
    if len(problems) > before:
        return []

    keys = list(grid)
    combos = list(itertools.product(*(grid[k] for k in keys))) if keys else [()]
    if len(combos) > MAX_GRID:
        problems.append(
            f"{label}: the grid expands into {len(combos)} reports; at most {MAX_GRID} are "
            f"allowed per entry; split it into several entries"
        )
        return []
    for template, what in ((name, "name"), (title, "title")):
        unknown = [f for f in _placeholders(template) if f not in keys]
        if unknown:
            problems.append(
                f"{label}: {what} {template!r} uses placeholder(s) "
                + ", ".join("{" + u + "}" for u in unknown)
                + (f" that are not grid parameters (grid: {', '.join(keys)})" if keys
                   else "; placeholders need a 'grid'")
            )
    if len(problems) > before:
        return []

    out = []
    for combo in combos:
        values = dict(zip(keys, combo, strict=True))
        texts = {k: (", ".join(map(str, v)) if isinstance(v, list) else str(v))
                 for k, v in values.items()}
        if keys and _placeholders(name):
            rname = name.format_map({k: _slug(v) for k, v in values.items()})
        else:
            rname = "-".join([name, *(_slug(values[k]) for k in keys)])
        if keys and _placeholders(title):
            rtitle = title.format_map(texts)
        elif keys:
            rtitle = f"{title} ({', '.join(texts[k] for k in keys)})"
        else:
            rtitle = title
        if not _NAME_RE.match(rname):
            problems.append(f"{label}: expanded name {rname!r} is not a valid report name")
            continue
        out.append(Report(
            name=rname, title=rtitle, notebook=notebook, parameters={**params, **values},
            timeout=float(timeout), group=name, line=line, parameter_lines=plines,
        ))
    return out


# ---------------------------------------------------------------------------------------------
# notebook parameters
# ---------------------------------------------------------------------------------------------
def _read_notebook_json(notebook: Path) -> dict:
    try:
        return json.loads(notebook.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"notebook {_display(notebook)!r}: cannot read it as JSON: {exc}"
        ) from None


def _parameters_cell_source(nb: dict) -> str | None:
    for cell in nb.get("cells", []):
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            src = cell.get("source", "")
            return "".join(src) if isinstance(src, list) else str(src)
    return None


def _ast_parameters(source: str) -> dict[str, dict]:
    """Assignments of a parameters cell, read with :mod:`ast` (annotation, default, help)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines = source.splitlines()
    out: dict[str, dict] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, ann, value = node.target.id, ast.get_source_segment(source, node.annotation), \
                node.value
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            name, ann, value = node.targets[0].id, None, node.value
        else:
            continue
        last = lines[node.end_lineno - 1] if node.end_lineno else ""
        tail = last[node.end_col_offset:] if node.end_col_offset is not None else ""
        help_text = tail.split("#", 1)[1].strip() if "#" in tail else ""
        out[name] = {"type": ann, "default": ast.get_source_segment(source, value) or "",
                     "help": help_text}
    return out


def _inspect_uncached(notebook: Path) -> dict[str, dict]:
    from papermill import inspect_notebook

    found = inspect_notebook(str(notebook))
    source = _parameters_cell_source(_read_notebook_json(notebook)) or ""
    # papermill 2.7 skips parameters annotated with PEP 604 unions (``x: str | None = None``,
    # nteract/papermill#695, #806) and dotted annotations (#807); read those with ast instead.
    extra = _ast_parameters(source)
    out: dict[str, dict] = {}
    for name in [*extra, *(n for n in found if n not in extra)]:
        if name in found:
            p = found[name]
            ann = p.get("inferred_type_name")
            out[name] = {"type": None if ann in (None, "None") else ann,
                         "default": p.get("default", ""), "help": p.get("help", ""),
                         "inspected_by": "papermill"}
        else:
            out[name] = {**extra[name], "inspected_by": "ast"}
    return out


def notebook_parameters(notebook: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares in its cell tagged ``parameters``.

    Uses papermill's ``inspect_notebook``, completed by a reading of the cell with :mod:`ast`
    for the annotations papermill does not recognise (``str | None``). The result is cached per
    notebook content, so unchanged notebooks are not inspected again.

    Parameters
    ----------
    notebook : str or Path
        Path to the ``.ipynb`` file.

    Returns
    -------
    dict
        ``{name: {"type": annotation or None, "default": source text, "help": comment}}`` in
        the cell's order; empty when the notebook has no ``parameters`` cell.

    Examples
    --------
    >>> notebook_parameters("notebooks/02-membership-map.ipynb")["as_of"]  # doctest: +SKIP
    {'type': None, 'default': '"today"', 'help': 'str: day of the map, ...', ...}
    """
    notebook = Path(notebook)
    try:
        digest = hashlib.sha256(notebook.read_bytes()).hexdigest()
    except OSError as exc:
        raise ConfigError(f"notebook {_display(notebook)!r}: cannot read it: {exc}") from None
    cache = Path(paths.CACHE_DIR) / "notebook-parameters" / f"{digest}-{_version('papermill')}.json"
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    result = _inspect_uncached(notebook)
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(cache, json.dumps(result))
    return result


# -- type checks -------------------------------------------------------------------------------
_ANY = {"Any", "object"}
_TYPE_NAMES = {"str", "int", "float", "bool", "list", "dict", "tuple", "None", "NoneType",
               "List", "Dict", "Tuple", "Sequence", "Mapping", "Iterable", "Optional", "Union",
               "Literal", *_ANY}


def _type_node(annotation: str) -> ast.AST | None:
    try:
        return ast.parse(annotation.strip(), mode="eval").body
    except SyntaxError:
        return None


def _base_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):  # typing.Optional, t.List
        return node.attr
    return None


def _all_known(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Name, ast.Attribute)) and _base_name(sub) not in _TYPE_NAMES:
            if isinstance(sub, ast.Name) or sub.attr not in _TYPE_NAMES:
                return False
    return True


def _and3(results: Iterable[bool | None]) -> bool | None:
    results = list(results)
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _or3(results: Iterable[bool | None]) -> bool | None:
    results = list(results)
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _matches(value: Any, node: ast.AST | None) -> bool | None:
    """Does ``value`` fit the annotation? ``None`` when the annotation cannot be checked."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        if node.value is None:
            return value is None
        if isinstance(node.value, str):  # a quoted annotation
            return _matches(value, _type_node(node.value))
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _or3([_matches(value, node.left), _matches(value, node.right)])
    if isinstance(node, ast.Subscript):
        base = _base_name(node.value)
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Optional":
            return value is None or _matches(value, args[0])
        if base == "Union":
            return _or3(_matches(value, a) for a in args)
        if base == "Literal":
            try:
                return value in [ast.literal_eval(a) for a in args]
            except ValueError:
                return None
        if base in ("list", "List", "Sequence", "Iterable"):
            if not isinstance(value, (list, tuple)):
                return False
            return _and3(_matches(v, args[0]) for v in value)
        if base in ("tuple", "Tuple"):
            return isinstance(value, (list, tuple)) or False
        if base in ("dict", "Dict", "Mapping"):
            if not isinstance(value, dict) or len(args) != 2:
                return isinstance(value, dict)
            return _and3([*(_matches(k, args[0]) for k in value),
                          *(_matches(v, args[1]) for v in value.values())])
        return None
    base = _base_name(node)
    if base in _ANY:
        return True
    checks = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": _is_number,
        "bool": lambda v: isinstance(v, bool),
        "list": lambda v: isinstance(v, (list, tuple)),
        "List": lambda v: isinstance(v, (list, tuple)),
        "Sequence": lambda v: isinstance(v, (list, tuple)),
        "tuple": lambda v: isinstance(v, (list, tuple)),
        "dict": lambda v: isinstance(v, dict),
        "Dict": lambda v: isinstance(v, dict),
        "Mapping": lambda v: isinstance(v, dict),
        "None": lambda v: v is None,
        "NoneType": lambda v: v is None,
    }
    return checks[base](value) if base in checks else None


def _literal(src: str) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(src)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def _declared_type(spec: dict) -> tuple[str | None, str]:
    """The type to check against, and how it is described in messages."""
    ann = spec.get("type")
    if ann:
        return ann, ann
    # Project convention: an unannotated parameter may state its type at the start of its
    # comment, e.g. ``theme = None  # str | None: ...``. Use it only if it reads as a type.
    head = (spec.get("help") or "").split(":", 1)
    if len(head) == 2:
        node = _type_node(head[0])
        if node is not None and _all_known(node) and _matches(0, node) is not None:
            return head[0].strip(), f"{head[0].strip()} (from the parameter's comment)"
    ok, default = _literal(spec.get("default", ""))
    if ok and default is not None:
        tname = {bool: "bool", int: "int", float: "float", str: "str", list: "list",
                 dict: "dict", tuple: "tuple"}.get(type(default))
        if tname:
            return tname, f"{tname} (inferred from the default {spec['default']})"
    return None, "any value"


def _type_label(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def check_parameters(report: Report, declared: dict[str, dict],
                     config: str | Path = "reports.yaml") -> list[str]:
    """Problems of one report's parameters against its notebook's declared parameters.

    Parameters
    ----------
    report : Report
        The report to check.
    declared : dict
        The notebook's parameters, as returned by :func:`notebook_parameters`.
    config : str or Path
        The config file, named in the messages.

    Returns
    -------
    list of str
        One message per problem (empty when the parameters fit): each names the report, the
        parameter, the value and the expected type or the declared names.

    Examples
    --------
    >>> r = Report("m", "M", Path("m.ipynb"), {"labels": "yes"})
    >>> check_parameters(r, {"labels": {"type": "bool", "default": "True", "help": ""}})[0]
    "reports.yaml line 0, report 'm': parameter 'labels' = 'yes' (str) does not match the \
declared type bool of m.ipynb"
    """
    problems = []
    nb = _display(report.notebook)
    for pname, value in report.parameters.items():
        where = report.where(config, pname)
        if pname in RESERVED_PARAMETERS:
            problems.append(
                f"{where}: parameter {pname!r} = {value!r} is set by the renderer (each report's "
                f"figures folder); remove it from reports.yaml"
            )
            continue
        if pname not in declared:
            names = [n for n in declared if n not in RESERVED_PARAMETERS]
            hint = difflib.get_close_matches(pname, names, n=1)
            problems.append(
                f"{where}: parameter {pname!r} = {value!r} is not declared by {nb}"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
                + " Declared: " + (", ".join(names) if names else "none (no cell tagged "
                                   "'parameters')")
            )
            continue
        ann, described = _declared_type(declared[pname])
        if ann is not None and _matches(value, _type_node(ann)) is False:
            hint = ""
            if ann.replace(" ", "").startswith("str") and isinstance(value, (int, float)):
                hint = "; quote it in reports.yaml"
            problems.append(
                f"{where}: parameter {pname!r} = {value!r} ({_type_label(value)}) does not match "
                f"the declared type {described} of {nb}{hint}"
            )
    for pname, spec in declared.items():
        if pname in report.parameters or pname in RESERVED_PARAMETERS:
            continue
        ok, default = _literal(spec.get("default", ""))
        ann, described = _declared_type(spec)
        missing = ok and (default is Ellipsis or (
            default is None and ann is not None and _matches(None, _type_node(ann)) is False))
        if missing:
            problems.append(
                f"{report.where(config)}: parameter {pname!r} has no usable default in {nb} "
                f"({pname} = {spec.get('default')}, declared type {described}); set "
                f"parameters.{pname} for this report"
            )
    return problems


def _check_all(reports: Sequence[Report], config: Path) -> dict[Path, dict]:
    declared: dict[Path, dict] = {}
    problems: list[str] = []
    for report in reports:
        if report.notebook not in declared:
            declared[report.notebook] = notebook_parameters(report.notebook)
        problems += check_parameters(report, declared[report.notebook], config)
    if problems:
        raise ConfigError(
            f"{_display(config)}: {len(problems)} parameter problem(s); nothing was rendered:\n  "
            + "\n  ".join(problems)
        )
    return declared


def select_reports(reports: Sequence[Report], names: Iterable[str]) -> list[Report]:
    """The reports named by ``names`` (all when empty), in ``reports.yaml`` order.

    A name may be a report's name, an entry's name (all the reports its grid expands into) or a
    shell-style pattern (``membership-map-20*``).

    Raises
    ------
    ParameterError
        A name matches no report; the message lists the known names.
    """
    names = list(names)
    if not names:
        return list(reports)
    chosen: set[str] = set()
    for pattern in names:
        wild = any(ch in pattern for ch in "*?[")
        hits = [r.name for r in reports
                if r.name == pattern or r.group == pattern
                or (wild and fnmatch.fnmatchcase(r.name, pattern))]
        if not hits:
            known = [r.name for r in reports]
            groups = sorted({r.group for r in reports if r.group not in known})
            hint = difflib.get_close_matches(pattern, known + groups, n=2, cutoff=0.6)
            raise ParameterError(
                f"names: unknown report {pattern!r}"
                + (f"; did you mean {' or '.join(map(repr, hint))}?" if hint else ".")
                + " Known reports: " + ", ".join(known)
                + (" (groups: " + ", ".join(groups) + ")" if groups else "")
            )
        chosen.update(hits)
    return [r for r in reports if r.name in chosen]


# ---------------------------------------------------------------------------------------------
# cache keys
# ---------------------------------------------------------------------------------------------
def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _tree_digest(root: Path, files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + _sha256(f).encode())
    return h.hexdigest()


def library_digest() -> str:
    """Hash of the library's own files (``sco_research/``): a code change re-renders."""
    root = paths.PACKAGE_DIR
    files = [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
             and p.suffix not in (".pyc", ".pyo")]
    return _tree_digest(root, files)


def _environment() -> dict:
    return {"python": ".".join(map(str, sys.version_info[:3])),
            **{name: _version(name) for name in _STACK}}


class _DataFiles:
    """Hashes of the data folder's files and which of them a kernel's reads can be traced for.

    The data package's CSV tables and its descriptor are read through Python's ``open``, which
    the kernel's audit hook sees. Other files (e.g. ``geo/countries.parquet``, read by C code)
    cannot be traced, so every report depends on them.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hashes: dict[str, str] = {}
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                rel = p.relative_to(root)
                if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                           for part in rel.parts):
                    self.hashes[rel.as_posix()] = _sha256(p)
        self.traceable = {"datapackage.json"}
        try:
            desc = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
            for res in desc.get("resources", []):
                rel = res.get("path")
                if isinstance(rel, str) and rel.lower().endswith((".csv", ".tsv", ".json")):
                    self.traceable.add(Path(rel).as_posix())
        except (OSError, ValueError, AttributeError):
            self.traceable = set()

    def dependencies(self, reads: Sequence[str] | None) -> dict[str, str]:
        """``{file: hash}`` for the traced ``reads`` plus every untraceable file.

        ``reads`` of ``None`` (no trace) means every file.
        """
        if reads is None:
            return dict(self.hashes)
        wanted = {r for r in reads if r in self.traceable}
        wanted |= {f for f in self.hashes if f not in self.traceable}
        return {f: self.hashes.get(f, "missing") for f in sorted(wanted)}


def _uses_today(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "today"
    if isinstance(value, (list, tuple)):
        return any(_uses_today(v) for v in value)
    if isinstance(value, dict):
        return any(_uses_today(v) for v in value.values())
    return False


def _effective_parameters(report: Report, declared: dict[str, dict]) -> dict:
    out = {}
    for name, spec in declared.items():
        if name in RESERVED_PARAMETERS:
            continue
        ok, default = _literal(spec.get("default", ""))
        if ok:
            out[name] = default
    out.update(report.parameters)
    return out


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=repr)


def _inputs(report: Report, declared: dict, lib: str, env: dict, data: dict[str, str]) -> dict:
    """Everything a report's output depends on (the cache key is its hash)."""
    effective = _effective_parameters(report, declared)
    return {
        "notebook": _sha256(report.notebook),
        "parameters": json.loads(_canonical(report.parameters)),
        "today": _dt.date.today().isoformat() if _uses_today(effective) else None,
        "library": lib,
        "environment": env,
        "data": data,
    }


def _key(inputs: dict) -> str:
    return hashlib.sha256(_canonical(inputs).encode()).hexdigest()


def _why(old: dict | None, new: dict) -> str:
    if not old:
        return "never rendered"
    reasons = []
    for part, label in (("notebook", "notebook changed"), ("parameters", "parameters changed"),
                        ("today", "'today' is a new day"), ("library", "library source changed"),
                        ("environment", "package versions changed")):
        if old.get(part) != new.get(part):
            reasons.append(label)
    od, nd = old.get("data") or {}, new.get("data") or {}
    changed = sorted(f for f in set(od) | set(nd) if od.get(f) != nd.get(f))
    if changed:
        shown = ", ".join(changed[:3]) + (f" (+{len(changed) - 3})" if len(changed) > 3 else "")
        reasons.append(f"data changed: {shown}")
    return "; ".join(reasons) or "unchanged"


# ---------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------
def _atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_UMASK: list[int] = []


def _umask() -> int:
    if not _UMASK:
        current = os.umask(0o022)
        os.umask(current)
        _UMASK.append(current)
    return _UMASK[0]


def _staging(out: Path) -> Path:
    return out / ".staging"


def _recover_staging(out: Path) -> list[str]:
    """Clean up after an interrupted run; return the names of the report folders restored.

    A report folder is replaced by renaming the old one to ``.staging/<name>~old~<id>`` and the
    new one into place. If a run died between the two renames, the old folder is put back.
    Everything else in ``.staging`` is an unfinished render and is removed.
    """
    stage = _staging(out)
    restored = []
    if not stage.is_dir():
        return restored
    for entry in sorted(stage.iterdir()):
        parts = entry.name.rsplit("~", 2)
        if len(parts) == 3 and parts[1] == "old" and entry.is_dir():
            final = out / parts[0]
            if not final.exists():
                os.replace(entry, final)
                restored.append(parts[0])
                continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
    return restored


def _swap_in(new: Path, final: Path, stage: Path) -> None:
    """Replace the folder ``final`` by ``new`` with two renames (see :func:`_recover_staging`)."""
    old = None
    if final.exists():
        old = stage / f"{final.name}~old~{uuid.uuid4().hex[:8]}"
        os.replace(final, old)
    os.replace(new, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(out / ".lock", "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RenderError(
                f"out: another `sco-research render` is writing to {_display(out)!r}; wait for it "
                f"to finish or pass a different --out"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------
# the worker side (runs in the pool's processes)
# ---------------------------------------------------------------------------------------------
#: Installed in every kernel (``exec_lines``) to record which data files the notebook opens.
_TRACE_SOURCE = r'''
import os, sys, _thread
def _sco_research_trace():
    log = os.environ.get("SCO_RESEARCH_READ_LOG")
    root = os.environ.get("SCO_RESEARCH_DATA")
    if not log or not root:
        return
    roots = tuple(sorted(set(os.path.join(p, "") for p in (os.path.abspath(root),
                                                           os.path.realpath(root)))))
    seen = set()
    busy = set()  # threads inside the hook (its own open() must not recurse)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write("#trace\n")
    def hook(event, args):
        if event != "open" or not args or isinstance(args[0], int):
            return
        me = _thread.get_ident()
        if me in busy:
            return
        busy.add(me)
        try:
            path = os.path.abspath(os.fsdecode(args[0]))
            if path.startswith(roots) and path not in seen:
                seen.add(path)
                with open(log, "a", encoding="utf-8") as fh:
                    fh.write(path + "\n")
        except Exception:
            pass
        finally:
            busy.discard(me)
    sys.addaudithook(hook)
_sco_research_trace()
'''
# Passed base64-encoded on the kernel's command line, which jupyter_client formats (``{...}``)
# and traitlets parses: no quoting or brace in the code can be mangled on the way.
_TRACE_B64 = base64.b64encode(_TRACE_SOURCE.encode()).decode()
_TRACE_ARG = (
    f"--IPKernelApp.exec_lines=exec(__import__('base64').b64decode({_TRACE_B64!r}).decode(), "
    "dict())"
)

_WORKER: dict[str, Any] = {}
#: The papermill engine the workers register (see :func:`register_engine`).
ENGINE_NAME = "sco-research"


def register_engine() -> str:
    """Register with papermill an engine whose client does not act as a widget frontend.

    To fill an ``ipywidgets.Output``, nbclient plays the frontend: from the coroutine reading
    IOPub it sends comm messages on the shell channel, while another coroutine waits on that same
    channel for the cell's reply. Now and then the reply is missed and the cell never ends
    (jupyter/nbclient#312; seen here with the map explorer of notebook 02 under load). A static
    report needs no widget frontend: without it, what the widget displays stays ordinary cell
    output, which the HTML page can show. Registering again is harmless.

    Returns
    -------
    str
        The engine's name, :data:`ENGINE_NAME`, for ``papermill.execute_notebook(engine_name=)``.

    Examples
    --------
    >>> import papermill as pm                                      # doctest: +SKIP
    >>> engine = register_engine()                                  # doctest: +SKIP
    >>> pm.execute_notebook("in.ipynb", "out.ipynb", engine_name=engine)  # doctest: +SKIP
    """
    import logging

    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class StaticWidgetsClient(PapermillNotebookClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.comm_open_handlers = {}  # no Output-widget frontend emulation

    class StaticWidgetsEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, **kwargs):
            kwargs.pop("input_path", None)
            client = StaticWidgetsClient(
                nb_man, kernel_name=kernel_name, log=logging.getLogger("papermill"),
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                startup_timeout=start_timeout, timeout=execution_timeout, **kwargs,
            )
            return client.execute()

    papermill_engines.register(ENGINE_NAME, StaticWidgetsEngine)
    return ENGINE_NAME


_register_engine = register_engine  # the name tests/conftest.py first used



def _worker_init(pids: Any = None) -> None:
    """Import papermill and nbconvert once per worker process; build the HTML exporter.

    ``pids`` (a queue) receives this worker's process id, so that the parent can pass an
    interrupt on to it.
    """
    import logging
    import signal
    import warnings

    # An idle worker ignores SIGINT (the parent decides what happens on Ctrl-C); a busy one
    # turns it into KeyboardInterrupt, which stops its report cleanly (see _render_one).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if pids is not None:
        pids.put(os.getpid())

    # jsonschema (imported by nbformat) builds an IRI grammar with lark when the optional
    # rfc3987_syntax is installed: ~1 s per process, for "iri" format checks that nbformat's
    # schemas never use. Workers only run nbformat/papermill/nbconvert, so skip that import.
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    for name in ("papermill", "traitlets", "nbconvert"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # nbclient leaves a task behind when a report is interrupted; its "never retrieved" message
    # only repeats the failure the report already records.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    register_engine()
    _WORKER["papermill"] = papermill
    _WORKER["nbformat"] = nbformat
    _WORKER["exporter"] = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )


@contextlib.contextmanager
def _fds_to(path: Path) -> Iterator[None]:
    """Send this process's stdout/stderr (and so the kernel's) to ``path`` meanwhile."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


@contextlib.contextmanager
def _environ(**values: str | None) -> Iterator[None]:
    """Set (or, for ``None``, remove) environment variables meanwhile; kernels inherit them."""
    old = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _first_line(text: Any, limit: int = 300) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _describe_failure(exc: BaseException, timeout: float) -> str:
    kind = type(exc).__name__
    if kind == "PapermillExecutionError":
        count = getattr(exc, "exec_count", None)
        cell = f"cell [{count}]" if count else f"cell #{getattr(exc, 'cell_index', '?')}"
        return f"{cell} raised {exc.ename}: {_first_line(exc.evalue)}"
    if isinstance(exc, TimeoutError) or kind == "CellTimeoutError":
        return (f"timed out: still running after its {timeout:g} s budget; raise `timeout:` for "
                f"this report in reports.yaml or pass --timeout")
    if kind == "DeadKernelError":
        return f"the kernel died ({_first_line(exc)}); see the .failed.log file"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, RuntimeError) and "Kernel didn't respond" in str(exc):
        return f"the kernel did not start: {_first_line(exc)}"
    return f"{kind}: {_first_line(exc)}"


def _md_code(text: str) -> str:
    """``text`` as a Markdown code span that survives a table cell."""
    text = text.replace("|", "\\|").replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _parameter_table(task: dict) -> str:
    """The report's parameters as a small Markdown table (nbconvert sanitises raw HTML)."""
    rows = []
    for name, default in task["declared"]:
        if name in task["parameters"]:
            shown, origin = repr(task["parameters"][name]), "set by the report"
        else:
            shown, origin = default, "notebook default"
        rows.append(f"| {_md_code(name)} | {_md_code(shown)} | {origin} |")
    head = f"*Report `{task['name']}`, rendered {task['rendered_at']}.*"
    if not rows:
        return head + " This notebook takes no parameters."
    return "\n".join([head, "", "| parameter | value | |", "|---|---|---|", *rows])


def _to_html(nb: Any, task: dict) -> str:
    """A code-free HTML page: outputs only, the parameters as a table instead of code."""
    nbformat = _WORKER["nbformat"]
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a copy we may edit
    table = nbformat.v4.new_markdown_cell(_parameter_table(task))
    cells, placed = [], False
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags") or []
        if "injected-parameters" in tags:
            continue
        cells.append(cell)
        if "parameters" in tags and not placed:
            cells.append(table)
            placed = True
    if not placed:
        at = 1 if cells and cells[0].cell_type == "markdown" else 0
        cells.insert(at, table)
    nb.cells = cells
    body, _ = _WORKER["exporter"].from_notebook_node(
        nb, resources={"metadata": {"name": task["title"]}}
    )
    return body


def _collect_figures(stage: Path, nb: Any) -> tuple[list[str], str | None]:
    """Figures the notebook saved (or, failing that, its image outputs) and a thumbnail."""
    figdir = stage / "figures"
    files = [p for p in figdir.rglob("*") if p.is_file()]
    if not files:
        n = 0
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                for mime, ext in (("image/png", ".png"), ("image/svg+xml", ".svg")):
                    if mime in data:
                        n += 1
                        payload = data[mime]
                        payload = "".join(payload) if isinstance(payload, list) else payload
                        raw = base64.b64decode(payload) if ext == ".png" else payload.encode()
                        (figdir / f"output-{n:02d}{ext}").write_bytes(raw)
                        break
        files = [p for p in figdir.rglob("*") if p.is_file()]
    files.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))
    rel = [p.relative_to(stage).as_posix() for p in files]
    images = [p for p in files if p.suffix.lower() in _IMAGE]
    if not images:
        return rel, None
    first = images[0]
    same = [p for p in images if p.with_suffix("") == first.with_suffix("")
            and p.suffix.lower() in _RASTER]
    pick = same[0] if same else first
    if pick.suffix.lower() in _RASTER:
        try:
            from PIL import Image

            with Image.open(pick) as im:
                im.thumbnail((480, 320))
                im.save(stage / "thumb.png")
            return rel, "thumb.png"
        except Exception:  # no Pillow or an odd image: show the figure itself, scaled
            pass
    return rel, pick.relative_to(stage).as_posix()


def _reads(log: Path, root: Path) -> list[str] | None:
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    if "#trace" not in lines:
        return None
    roots = {root.resolve(), Path(os.path.abspath(root))}
    out = set()
    for line in lines:
        if line and not line.startswith("#"):
            for r in roots:
                with contextlib.suppress(ValueError):
                    out.add(Path(line).relative_to(r).as_posix())
                    break
    return sorted(out)


def _render_one(task: dict) -> dict:
    """Execute one report in this worker; publish its folder; return what happened."""
    import signal

    if not _WORKER:
        _worker_init()
    pm = _WORKER["papermill"]
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:  # an interrupt now stops this report: kernel shut down, partial kept
        signal.signal(signal.SIGINT, signal.default_int_handler)
    t0 = time.perf_counter()
    name, out = task["name"], Path(task["out"])
    stage_root = _staging(out)
    stage_root.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{name}~new~", dir=stage_root))
    final = out / name
    nb_path = stage / f"{name}.ipynb"
    (stage / "figures").mkdir()
    params = dict(task["parameters"])
    if task["inject_output_dir"]:
        params["output_dir"] = str(stage / "figures")
    reads_log, kernel_log = stage / ".reads", stage / ".kernel.log"
    timeout = task["timeout"]
    started: list[float] = []

    def budget(cell: Any) -> float:
        # The report's time budget runs from its first cell (kernel start-up has its own limit).
        started or started.append(time.monotonic())
        return max(0.5, started[0] + timeout - time.monotonic())

    result: dict[str, Any] = {"name": name, "ok": False, "error": None, "reads": None,
                              "figures": [], "thumbnail": None, "failed_ipynb": None,
                              "interrupted": False}
    nb = None
    try:
        try:
            # MPLBACKEND (e.g. Agg from `make test` or a headless shell) would stop ipykernel
            # from using its inline backend, and the pages would lose their figures.
            with _environ(SCO_RESEARCH_DATA=task["data_dir"], MPLBACKEND=None,
                          SCO_RESEARCH_READ_LOG=str(reads_log)), _fds_to(kernel_log):
                nb = pm.execute_notebook(
                    task["notebook"], str(nb_path), parameters=params,
                    engine_name=ENGINE_NAME, cwd=task["cwd"], progress_bar=False,
                    log_output=False,
                    start_timeout=KERNEL_START_TIMEOUT, timeout_func=budget,
                    extra_arguments=[_TRACE_ARG],
                )
        except BaseException as exc:  # the report fails; the batch goes on
            result["error"] = _describe_failure(exc, timeout)
            result["interrupted"] = isinstance(exc, KeyboardInterrupt)
        if result["error"] is None:
            try:
                result["reads"] = _reads(reads_log, Path(task["data_dir"]))
                result["figures"], result["thumbnail"] = _collect_figures(stage, nb)
                _atomic_write(stage / f"{name}.html", _to_html(nb, task))
                for tmp in (reads_log, kernel_log):
                    with contextlib.suppress(OSError):
                        tmp.unlink()
                os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes 0700
                _swap_in(stage, final, stage_root)
                result["ok"] = True
            except Exception as exc:
                result["error"] = (f"the notebook ran, but writing its HTML page or figures "
                                   f"failed: {type(exc).__name__}: {_first_line(exc)}")
        if not result["ok"]:
            final.mkdir(parents=True, exist_ok=True)
            for stale in (f"{name}.failed.log", f"{name}.failed.ipynb"):  # an older failure's
                with contextlib.suppress(OSError):
                    (final / stale).unlink()
            if nb_path.exists():
                os.replace(nb_path, final / f"{name}.failed.ipynb")
                result["failed_ipynb"] = f"{name}/{name}.failed.ipynb"
            log = kernel_log.read_text(encoding="utf-8", errors="replace") \
                if kernel_log.exists() else ""
            log = "\n".join(ln for ln in log.splitlines() if "without encryption" not in ln)
            if log.strip():
                _atomic_write(final / f"{name}.failed.log", log + "\n")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if in_main_thread:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    result["duration_s"] = round(time.perf_counter() - t0, 3)
    return result


# ---------------------------------------------------------------------------------------------
# the batch
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass
class Outcome:
    """What one render did to one report (also a row of ``manifest.json``)."""

    name: str
    action: str  # rendered | skipped | failed | not-selected
    reason: str = ""
    error: str | None = None
    duration_s: float | None = None


@dataclasses.dataclass
class BatchResult:
    """The result of :func:`render`.

    Attributes
    ----------
    outcomes : list of Outcome
        One per selected report, in ``reports.yaml`` order.
    out : Path
        The output folder (``index.html``, ``manifest.json``).
    elapsed_s : float
        Wall time of the whole batch.
    """

    outcomes: list[Outcome]
    out: Path
    elapsed_s: float = 0.0
    interrupted: bool = False

    def _with(self, action: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == action]

    @property
    def rendered(self) -> list[Outcome]:
        """Reports executed successfully by this run."""
        return self._with("rendered")

    @property
    def skipped(self) -> list[Outcome]:
        """Reports skipped because their inputs were unchanged."""
        return self._with("skipped")

    @property
    def failed(self) -> list[Outcome]:
        """Reports that failed (their last good HTML, if any, is kept)."""
        return self._with("failed")

    @property
    def ok(self) -> bool:
        """True when no report failed and the run was not interrupted."""
        return not self.failed and not self.interrupted

    def summary(self) -> str:
        """A few lines: counts, the index's path, and each failure with its partial notebook."""
        lines = [
            f"render: {len(self.rendered)} rendered, {len(self.skipped)} unchanged (skipped), "
            f"{len(self.failed)} failed, of {len(self.outcomes)} report(s) in "
            f"{self.elapsed_s:.1f} s; index: {_display(self.out / 'index.html')}"
        ]
        if self.interrupted:
            lines.append("render: interrupted; reports not finished keep their previous output")
        for o in self.failed:
            lines.append(f"  FAILED {o.name}: {o.error}")
            partial = self.out / o.name / f"{o.name}.failed.ipynb"
            good = self.out / o.name / f"{o.name}.html"
            notes = []
            if partial.exists():
                notes.append(f"partial notebook {_display(partial)}")
            notes.append(f"last good HTML kept: {_display(good)}" if good.exists()
                         else "no earlier good HTML")
            lines.append("         " + "; ".join(notes))
        return "\n".join(lines)

    def raise_for_failures(self) -> None:
        """Raise :class:`RenderError` naming the failed reports, if any failed."""
        if not self.ok:
            names = ", ".join(o.name for o in self.failed) or "none"
            raise RenderError(f"{len(self.failed)} report(s) failed: {names}\n{self.summary()}")


def _read_manifest(out: Path) -> dict[str, dict]:
    try:
        doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("version") != MANIFEST_VERSION:
        return {}
    return {e["name"]: e for e in doc.get("reports", []) if isinstance(e, dict) and "name" in e}


def _outputs_exist(out: Path, entry: dict) -> bool:
    return all((out / entry[k]).is_file() for k in ("html", "ipynb") if entry.get(k)) \
        and bool(entry.get("html"))


class _Progress:
    """A tqdm bar on a terminal; one plain line per finished report otherwise."""

    def __init__(self, total: int, stream: Any, bar: bool) -> None:
        self.total, self.stream, self.done, self.failed, self.count = total, stream, 0, 0, 0
        self.bar = None
        if bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="render", unit="report", file=stream,
                            dynamic_ncols=True, leave=True)

    def running(self, names: Sequence[str]) -> None:
        if self.bar is not None:
            shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
            self.bar.set_postfix_str(
                f"done {self.done} failed {self.failed}" + (f" | {shown}" if names else ""),
                refresh=True)

    def finished(self, outcome: Outcome) -> None:
        self.count += 1
        ok = outcome.action == "rendered"
        self.done += ok
        self.failed += not ok
        line = (f"[{self.count}/{self.total}] {'ok' if ok else 'FAILED':<6} {outcome.name} "
                f"({outcome.duration_s or 0:.1f} s)"
                + (f": {outcome.error}" if outcome.error else f" - {outcome.reason}"))
        if self.bar is not None:
            if not ok:
                self.bar.write(f"render: {line}", file=self.stream)
            self.bar.update(1)
            self.running([])
        else:
            print(f"render: {line}", file=self.stream, flush=True)

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(f"render: {text}", file=self.stream)
        else:
            print(f"render: {text}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def plan(names: Iterable[str] = (), *, config: str | Path | None = None,
         out: str | Path | None = None, force: bool = False,
         data_dir: str | Path | None = None) -> list[dict]:
    """What :func:`render` would do, without running anything.

    Returns
    -------
    list of dict
        One per selected report: ``name``, ``title``, ``notebook``, ``run`` (bool) and
        ``reason`` (why it would run, or ``"unchanged"``).
    """
    config = Path(config) if config is not None else paths.REPORTS_CONFIG
    out = Path(out) if out is not None else paths.REPORTS_DIR
    reports = load_config(config)
    declared = _check_all(reports, config)
    selected = select_reports(reports, names)
    ctx = _Context(out, Path(data_dir) if data_dir is not None else paths.DATA_DIR)
    rows = []
    for r in selected:
        run, reason, _ = ctx.decide(r, declared[r.notebook], force)
        rows.append({"name": r.name, "title": r.title, "notebook": _display(r.notebook),
                     "run": run, "reason": reason})
    return rows


class _Context:
    """Digests shared by every report of one batch, and the previous manifest."""

    def __init__(self, out: Path, data_dir: Path) -> None:
        self.out = out
        self.data_dir = data_dir.resolve()
        self.library = library_digest()
        self.env = _environment()
        self.data = _DataFiles(self.data_dir)
        self.previous = _read_manifest(out)

    def decide(self, report: Report, declared: dict, force: bool) -> tuple[bool, str, dict]:
        prev = self.previous.get(report.name)
        good = (prev or {}).get("good") or {}
        old_inputs = good.get("inputs")
        data = self.data.dependencies(good.get("reads") if old_inputs else None)
        inputs = _inputs(report, declared, self.library, self.env, data)
        if force:
            return True, "forced (--force)", inputs
        if not old_inputs:
            return True, "never rendered", inputs
        if not _outputs_exist(self.out, good):
            return True, "outputs missing", inputs
        reason = _why(old_inputs, inputs)
        return reason != "unchanged", reason, inputs


def _entry(report: Report, config: Path, prev: dict | None) -> dict:
    prev = prev or {}
    return {
        "name": report.name,
        "title": report.title,
        "group": report.group,
        "notebook": os.path.relpath(report.notebook, config.parent),
        "parameters": report.parameters,
        "status": prev.get("status", "never-rendered"),
        "action": "not-selected",
        "reason": "",
        "error": prev.get("error"),
        "duration_s": prev.get("duration_s"),
        "failed_ipynb": prev.get("failed_ipynb"),
        "good": prev.get("good"),
    }


def _public_entry(e: dict) -> dict:
    good = e.get("good") or {}
    return {
        **{k: e[k] for k in ("name", "title", "group", "notebook", "parameters", "status",
                             "action", "reason", "error", "duration_s", "failed_ipynb")},
        "html": good.get("html"),
        "ipynb": good.get("ipynb"),
        "figures": good.get("figures", []),
        "thumbnail": good.get("thumbnail"),
        "rendered_at": good.get("rendered_at"),
        "key": good.get("key"),
        "reads": good.get("reads"),
        "good": good or None,
    }


def _write_outputs(out: Path, entries: list[dict], config: Path, started: str) -> None:
    doc = {
        "version": MANIFEST_VERSION,
        "generated_at": _now(),
        "run_started_at": started,
        "config": os.path.abspath(config),
        "reports": [_public_entry(e) for e in entries],
    }
    _atomic_write(out / "manifest.json", json.dumps(doc, indent=1, default=repr) + "\n")
    _atomic_write(out / "index.html", _index_html(doc))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def render(
    names: Iterable[str] = (),
    *,
    config: str | Path | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    timeout: float | None = None,
    data_dir: str | Path | None = None,
    progress: bool | None = None,
    stream: Any = None,
    workdir: str | Path | None = None,
) -> BatchResult:
    """Render the reports of ``reports.yaml`` into ``out``.

    Parameters
    ----------
    names : iterable of str
        Reports to render: names, entry names (a whole grid) or shell-style patterns. Default:
        all. The index and manifest still list every report.
    config : str or Path, optional
        The reports file. Default: ``reports.yaml`` at the project root.
    out : str or Path, optional
        Output folder. Default: ``reports/`` at the project root.
    jobs : int, optional
        Worker processes. Default: the number of cores.
    force : bool
        Re-render even the reports whose inputs are unchanged.
    timeout : float, optional
        Seconds each report may run; overrides ``reports.yaml``.
    data_dir : str or Path, optional
        The data folder the notebooks read (exported to them as ``SCO_RESEARCH_DATA``).
        Default: :data:`sco_research.paths.DATA_DIR`.
    progress : bool, optional
        Show a progress bar (True) or plain log lines (False). Default: a bar when ``stream``
        is a terminal.
    stream : file, optional
        Where progress goes. Default: ``sys.stderr``.
    workdir : str or Path, optional
        The folder kernels start in. Default: the config file's folder (the project root for
        the default ``reports.yaml``), where ``tests/conftest.py`` runs the notebooks too.

    Returns
    -------
    BatchResult
        What happened to each report. A failed report does not raise: check
        :attr:`BatchResult.ok` or call :meth:`BatchResult.raise_for_failures`.

    Raises
    ------
    ConfigError
        ``reports.yaml`` is malformed or a parameter set does not fit its notebook; raised
        before any kernel starts.
    ParameterError
        Unknown report names, or a bad ``jobs``/``timeout``.
    RenderError
        Another render is writing to ``out``.
    """
    t0 = time.perf_counter()
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ParameterError(f"jobs: expected a positive whole number of workers, got {jobs!r}")
    if timeout is not None and (not _is_number(timeout) or timeout <= 0):
        raise ParameterError(f"timeout: expected a positive number of seconds, got {timeout!r}")
    config = Path(config) if config is not None else paths.REPORTS_CONFIG
    out = Path(out) if out is not None else paths.REPORTS_DIR
    data_dir = Path(data_dir) if data_dir is not None else paths.DATA_DIR
    workdir = Path(workdir) if workdir is not None else config.resolve().parent
    if not workdir.is_dir():
        raise ParameterError(f"workdir: {str(workdir)!r} is not a folder; give an existing folder")
    stream = stream if stream is not None else sys.stderr
    if progress is None:
        progress = bool(getattr(stream, "isatty", lambda: False)())

    reports = load_config(config)
    declared = _check_all(reports, config)
    selected = select_reports(reports, names)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"out: cannot create the output folder {str(out)!r}: {exc}") from None

    with _lock(out):
        restored = _recover_staging(out)
        ctx = _Context(out, data_dir)
        started = _now()
        entries = {r.name: _entry(r, config, ctx.previous.get(r.name)) for r in reports}
        chosen = {r.name for r in selected}
        for r in reports:  # say whether the reports left out are still current
            if r.name not in chosen and entries[r.name]["good"]:
                run, reason, _ = ctx.decide(r, declared[r.notebook], False)
                if run and entries[r.name]["status"] == "ok":
                    entries[r.name]["status"] = "outdated"
                    entries[r.name]["reason"] = reason
        outcomes: dict[str, Outcome] = {}
        todo: list[tuple[Report, str, dict]] = []
        for r in selected:
            run, reason, inputs = ctx.decide(r, declared[r.notebook], force)
            if run:
                todo.append((r, reason, inputs))
            else:
                e = entries[r.name]
                e.update(status="ok", action="skipped", reason=reason, error=None)
                if e.get("failed_ipynb"):  # a failure with other inputs; these are current
                    with contextlib.suppress(OSError):
                        (out / e["failed_ipynb"]).unlink()
                    e["failed_ipynb"] = None
                outcomes[r.name] = Outcome(r.name, "skipped", reason)
        prog = _Progress(len(todo), stream, progress)
        for name in restored:
            prog.note(f"restored the folder of {name!r} left by an interrupted run")
        if selected and not todo:
            prog.note(f"all {len(selected)} selected report(s) unchanged; nothing to run "
                      f"(--force re-runs)")
        elif len(todo) < len(selected):
            prog.note(f"{len(selected) - len(todo)} unchanged report(s) skipped; running "
                      f"{len(todo)}")
        interrupted = False
        try:
            if todo:
                interrupted = _run_pool(todo, declared, ctx, entries, outcomes, prog,
                                        jobs or _default_jobs(), timeout, config, started,
                                        workdir)
        finally:
            prog.close()
            ordered = [entries[r.name] for r in reports]
            _write_outputs(out, ordered, config, started)
    result = BatchResult([outcomes[r.name] for r in selected if r.name in outcomes], out,
                         time.perf_counter() - t0, interrupted)
    return result


def _task(report: Report, declared: dict, ctx: _Context, timeout: float | None,
          workdir: Path) -> dict:
    return {
        "name": report.name,
        "title": report.title,
        "notebook": str(report.notebook),
        "parameters": report.parameters,
        "declared": [(n, s.get("default", "")) for n, s in declared.items()
                     if n not in RESERVED_PARAMETERS],
        "inject_output_dir": "output_dir" in declared,
        "timeout": float(timeout if timeout is not None else report.timeout),
        "out": str(ctx.out.resolve()),
        "data_dir": str(ctx.data_dir),
        "cwd": str(workdir.resolve()),
        "rendered_at": _now(),
    }


def _run_pool(todo, declared, ctx, entries, outcomes, prog, jobs, timeout, config, started,
              workdir) -> bool:
    import concurrent.futures as cf
    import multiprocessing
    import signal

    # Longest first (by last duration; never-rendered ones first), so two workers finish together.
    todo = sorted(todo, key=lambda t: -(entries[t[0].name].get("duration_s") or 1e9))
    workers = min(jobs, len(todo))
    interrupted = False
    mp = multiprocessing.get_context("spawn")
    pids = mp.SimpleQueue()
    with cf.ProcessPoolExecutor(max_workers=workers, initializer=_worker_init,
                                initargs=(pids,), mp_context=mp) as pool:
        futures = {}
        for report, reason, inputs in todo:
            task = _task(report, declared[report.notebook], ctx, timeout, workdir)
            futures[pool.submit(_render_one, task)] = (report, reason, inputs, task)
        pending = set(futures)
        try:
            while pending:
                prog.running([futures[f][0].name for f in pending if f.running()])
                done, pending = cf.wait(pending, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    _record(fut, futures[fut], ctx, entries, outcomes, prog)
                if done:
                    _write_outputs(ctx.out, list(entries.values()), config, started)
        except KeyboardInterrupt:
            interrupted = True
            for fut in pending:
                fut.cancel()
            prog.note("interrupted: stopping the running reports…")
            while not pids.empty():  # a terminal's Ctrl-C reached them already; a kill did not
                with contextlib.suppress(OSError):
                    os.kill(pids.get(), signal.SIGINT)
            for fut in cf.as_completed([f for f in pending if not f.cancelled()]):
                _record(fut, futures[fut], ctx, entries, outcomes, prog)
    return interrupted


def _record(fut, item, ctx: _Context, entries, outcomes, prog) -> None:
    report, reason, inputs, task = item
    e = entries[report.name]
    try:
        res = fut.result()
    except BaseException as exc:  # the worker itself broke (killed, out of memory...)
        res = {"ok": False, "error": f"the worker process failed: {type(exc).__name__}: "
                                     f"{_first_line(exc)}", "duration_s": None,
               "failed_ipynb": None}
    e["duration_s"] = res.get("duration_s")
    if res["ok"]:
        # Hashes taken before the run: a file edited during it makes the next run differ.
        good_inputs = {**inputs, "data": ctx.data.dependencies(res.get("reads"))}
        e.update(status="ok", action="rendered", reason=reason, error=None, failed_ipynb=None)
        e["good"] = {
            "inputs": good_inputs,
            "key": _key(good_inputs),
            "reads": res.get("reads"),
            "rendered_at": task["rendered_at"],
            "html": f"{report.name}/{report.name}.html",
            "ipynb": f"{report.name}/{report.name}.ipynb",
            "figures": [f"{report.name}/{f}" for f in res.get("figures", [])],
            "thumbnail": f"{report.name}/{res['thumbnail']}" if res.get("thumbnail") else None,
        }
        outcome = Outcome(report.name, "rendered", reason, None, res.get("duration_s"))
    else:
        e.update(status="failed", action="failed", reason=reason, error=res["error"],
                 failed_ipynb=res.get("failed_ipynb"))
        outcome = Outcome(report.name, "failed", reason, res["error"], res.get("duration_s"))
    outcomes[report.name] = outcome
    prog.finished(outcome)


# ---------------------------------------------------------------------------------------------
# index.html
# ---------------------------------------------------------------------------------------------
_INDEX_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem auto;
max-width:1200px;padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin:0 0 .2rem}.lede{color:#555;margin:0 0 1.2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.75rem;display:flex;flex-direction:column}
.card.failed{border-color:#d55e00;background:#fff7f2}.card.outdated{border-style:dashed}
.thumb{display:block;height:180px;background:#f4f4f4;border-radius:4px;overflow:hidden;
text-align:center;color:#999;line-height:180px;margin-bottom:.5rem}
.thumb img{max-width:100%;max-height:180px;vertical-align:middle}
h2{font-size:1.05rem;margin:.1rem 0}.meta{color:#555;font-size:.85rem;margin:.2rem 0}
.badge{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.8rem;color:#fff}
.badge.ok{background:#009e73}.badge.failed{background:#d55e00}
.badge.outdated,.badge.never-rendered{background:#999}
table.params{border-collapse:collapse;font-size:.8rem;margin:.3rem 0}
table.params td,table.params th{border:1px solid #e3e3e3;padding:1px 6px;text-align:left}
.links{margin-top:auto;font-size:.9rem}.error{color:#a33;font-size:.85rem;white-space:pre-wrap}
code{font-size:.9em}
"""


def _index_html(doc: dict) -> str:
    """The index page: one card per report with thumbnail, parameters, status and links."""
    esc = html.escape
    reports = doc["reports"]
    counts = {s: sum(r["status"] == s for r in reports)
              for s in ("ok", "failed", "outdated", "never-rendered")}
    cards = []
    for r in reports:
        link = r.get("html")
        if r.get("thumbnail"):
            img = f'<img src="{esc(r["thumbnail"])}" alt="first figure of {esc(r["title"])}">'
        else:
            img = "no figure"
        thumb = (f'<a class="thumb" href="{esc(link)}">{img}</a>' if link
                 else f'<div class="thumb">{img}</div>')
        title = f'<a href="{esc(link)}">{esc(r["title"])}</a>' if link else esc(r["title"])
        meta = [f'<code>{esc(r["name"])}</code>',
                f'<span class="badge {esc(r["status"])}">{esc(r["status"])}</span>']
        if r.get("duration_s") is not None:
            meta.append(f'{r["duration_s"]:.1f} s')
        if r.get("rendered_at"):
            meta.append(f'rendered {esc(r["rendered_at"])}')
        params = "".join(
            f"<tr><th><code>{esc(str(k))}</code></th><td><code>{esc(repr(v))}</code></td></tr>"
            for k, v in (r.get("parameters") or {}).items()
        ) or '<tr><td colspan="2">notebook defaults</td></tr>'
        links = []
        if link:
            links.append(f'<a href="{esc(link)}">report</a>')
        if r.get("ipynb"):
            links.append(f'<a href="{esc(r["ipynb"])}">notebook</a>')
        figs = [f for f in r.get("figures") or [] if f != r.get("thumbnail")]
        for f in figs[:6]:
            links.append(f'<a href="{esc(f)}">{esc(Path(f).name)}</a>')
        if len(figs) > 6:
            links.append(f"+{len(figs) - 6} more figures")
        if r.get("failed_ipynb"):
            links.append(f'<a href="{esc(r["failed_ipynb"])}">partial notebook (failed)</a>')
        error = ""
        if r["status"] == "failed" and r.get("error"):
            kept = " The last good version is shown." if link else ""
            error = f'<p class="error">Last attempt failed: {esc(r["error"])}.{kept}</p>'
        elif r["status"] == "outdated":
            error = f'<p class="meta">Inputs changed since: {esc(r.get("reason") or "")}</p>'
        cards.append(
            f'<article class="card {esc(r["status"])}" id="{esc(r["name"])}">{thumb}'
            f'<h2>{title}</h2><p class="meta">{" · ".join(meta)}</p>'
            f'<p class="meta">notebook <code>{esc(r["notebook"])}</code></p>'
            f'<table class="params">{params}</table>{error}'
            f'<p class="links">{" · ".join(links)}</p></article>'
        )
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>SCO research reports</title><style>{_INDEX_CSS}</style></head><body>"
        "<h1>SCO research reports</h1>"
        f'<p class="lede">{len(reports)} reports ({esc(summary)}). Updated '
        f'{esc(doc["generated_at"])} by <code>sco-research render</code>. '
        '<a href="manifest.json">manifest.json</a></p>'
        f'<div class="grid">{"".join(cards)}</div></body></html>\n'
    )


# ---------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------
def add_render_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``render`` sub-command to the ``sco-research`` parser.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``ArgumentParser.add_subparsers``.

    Returns
    -------
    argparse.ArgumentParser
        The new sub-parser.
    """
    p = subparsers.add_parser(
        "render",
        help="render the reports in reports.yaml (parallel, cached, failure-safe)",
        description=(
            "Execute the report notebooks listed in reports.yaml with papermill, in parallel, "
            "and write for each an executed notebook, a code-free HTML page and its figures, "
            "plus index.html and manifest.json. Reports whose inputs are unchanged since their "
            "last successful render are skipped. Exit status: 0 all good, 1 some report "
            "failed, 2 refused (bad reports.yaml, parameters or arguments)."
        ),
    )
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="reports to render: names, entry names (a whole grid) or shell-style "
                        "patterns; default: all")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="worker processes (default: the number of cores)")
    p.add_argument("--force", action="store_true", help="re-render even unchanged reports")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: reports/ at the project root)")
    p.add_argument("--config", type=Path, default=None,
                   help="reports file (default: reports.yaml at the project root)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds each report may run; overrides reports.yaml (default 600)")
    p.add_argument("--list", action="store_true", dest="list_only",
                   help="show each report and whether it would run; run nothing")
    p.set_defaults(func=_cli_render)
    return p


def _cli_render(args: argparse.Namespace) -> int:
    if args.list_only:
        rows = plan(args.names, config=args.config, out=args.out, force=args.force)
        width = max((len(r["name"]) for r in rows), default=4)
        for r in rows:
            state = "run " if r["run"] else "skip"
            print(f"{state}  {r['name']:<{width}}  {r['notebook']}  ({r['reason']})")
        return 0
    result = render(args.names, config=args.config, out=args.out, jobs=args.jobs,
                    force=args.force, timeout=args.timeout)
    print(result.summary())
    if result.interrupted:
        return 130
    return 0 if result.ok else 1
