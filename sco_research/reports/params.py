"""The pre-flight check of every report's parameters, before any kernel starts.

Each notebook declares its parameters once, in its cell tagged ``parameters``: names,
defaults, and a type (an annotation, a type at the start of the comment, or the type of the
default). :func:`notebook_parameters` reads the cell with :mod:`ast` (papermill's
``inspect_notebook`` misses ``x: str | None = None``, nteract/papermill#695). This module then
checks a report's parameters against it:
unknown or reserved names, types (with a pydantic ``TypeAdapter`` in strict mode), a missing
default; then the values, by calling the notebook's one library check function
(:data:`NOTEBOOK_CHECKS`) with the declared defaults and the report's values. The notebook calls
the same function in its first cell, so a JupyterLab user gets the same message.

Giving a new notebook a value check: write the check in the library module that owns the
notebook's subject (one argument per parameter, ``output_dir`` aside; it raises
``ParameterError`` naming the argument), call it in the notebook's first cell, and add it to
:data:`NOTEBOOK_CHECKS`.

Examples
--------
>>> check_for("notebooks/02-membership-map.ipynb").__name__
'check_map_parameters'
>>> fits("list[str]", ["IND", 1]), fits("str | None", None), fits("pd.Timestamp", "x")
(False, True, None)
>>> from sco_research import paths
>>> notebook_parameters(paths.NOTEBOOKS_DIR / "02-membership-map.ipynb")["as_of"]["default"]
'"today"'
"""

from __future__ import annotations

import ast
import difflib
import importlib
import inspect
import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Optional, Union  # noqa: UP035 - annotations by name

from pydantic import ConfigDict, TypeAdapter, ValidationError

from .._repr import clip, display
from ..errors import ConfigError, ParameterError
from .config import Report, refuse

__all__ = ["NOTEBOOK_CHECKS", "RESERVED_PARAMETERS", "check_all", "check_for",
           "check_parameters", "defaults", "fits", "notebook_parameters"]

#: Parameters the renderer sets itself; ``reports.yaml`` may not set them.
RESERVED_PARAMETERS = ("output_dir",)

#: The library function that checks each project notebook's parameter values, by notebook file
#: name (``module:function``, imported on first use). The notebook calls it in its first cell.
NOTEBOOK_CHECKS: dict[str, str] = {
    "01-article-facts.ipynb": "sco_research.facts:check_filters",
    "02-membership-map.ipynb": "sco_research.maps:check_map_parameters",
    "03-membership-timeline.ipynb": "sco_research.maps:check_timeline_parameters",
    "04-trade.ipynb": "sco_research.charts.figures:check_trade_figures",
    "05-currency.ipynb": "sco_research.charts.figures:check_currency_figures",
    "06-claims-check.ipynb": "sco_research.fact_check:check_filters",
    "07-sources.ipynb": "sco_research.bibliography:check_filters",
}


def check_for(notebook: str | Path) -> Callable[..., Any] | None:
    """The library check of a notebook's parameter values (by file name), or ``None``."""
    target = NOTEBOOK_CHECKS.get(Path(notebook).name)
    if target is None:
        return None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


# -- the parameters cell ---------------------------------------------------------------------
def notebook_parameters(notebook: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares in its cell tagged ``parameters``.

    Returns
    -------
    dict
        ``{name: {"type": annotation or None, "default": source text, "help": comment}}`` in
        the cell's order; empty when the notebook has no ``parameters`` cell.

    Examples
    --------
    >>> from sco_research import paths
    >>> list(notebook_parameters(paths.NOTEBOOKS_DIR / "04-trade.ipynb"))[:2]
    ['partners', 'start']
    """
    try:
        nb = json.loads(Path(notebook).read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"notebook {display(notebook)!r}: cannot read it as a notebook: "
                          f"{type(exc).__name__}") from None
    cell = next((c for c in nb.get("cells", [])
                 if "parameters" in (c.get("metadata", {}).get("tags") or [])), {})
    src = cell.get("source", "")
    # IPython magics and shell lines are not Python: blank them, keeping the line numbers.
    source = re.sub(r"(?m)^\s*[%!].*$", "", "".join(src) if isinstance(src, list) else str(src))
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ConfigError(f"notebook {display(notebook)!r}: its cell tagged 'parameters' is not "
                          f"valid Python (line {exc.lineno}: {exc.msg}); fix that cell") from None
    lines = source.splitlines()
    out: dict[str, dict] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, ann = node.target.id, ast.get_source_segment(source, node.annotation)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            name, ann = node.targets[0].id, None
        else:
            continue
        tail = lines[node.end_lineno - 1][node.end_col_offset:]
        out[name] = {"type": ann, "default": ast.get_source_segment(source, node.value) or "",
                     "help": tail.split("#", 1)[1].strip() if "#" in tail else ""}
    return out


def defaults(declared: dict[str, dict]) -> dict[str, Any]:
    """The declared defaults that are Python literals, as values (``output_dir`` aside).

    Examples
    --------
    >>> defaults({"top": {"default": "10"}, "when": {"default": "pd.Timestamp.now()"}})
    {'top': 10}
    """
    out = {}
    for name, spec in declared.items():
        ok, value = _literal(spec.get("default", ""))
        if ok and name not in RESERVED_PARAMETERS:
            out[name] = value
    return out


# -- types declared in a parameters cell -----------------------------------------------------
_TYPES: dict[str, Any] = {
    "str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict,
    "tuple": Sequence, "None": None, "NoneType": type(None), "List": list, "Dict": dict,
    "Tuple": Sequence, "Sequence": Sequence, "Mapping": Mapping, "Iterable": Sequence,
    "Optional": Optional, "Union": Union, "Literal": Literal, "Any": Any, "object": Any,
}
_STRICT = ConfigDict(strict=True)


def _annotation(text: str | None) -> Any:
    """The type an annotation's text names, or ``None`` when it cannot be checked here."""
    if not text:
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _TYPES and \
                isinstance(node.value, ast.Name) and node.value.id in ("typing", "t"):
            continue
        if isinstance(node, ast.Name) and node.id not in _TYPES | {"typing": 0, "t": 0}:
            return None
        if isinstance(node, ast.Attribute) and node.attr not in _TYPES:
            return None
    try:
        return eval(compile(tree, "<annotation>", "eval"),  # noqa: S307 - names checked above
                    {"__builtins__": {}}, {**_TYPES, "typing": typing, "t": typing})
    except Exception:
        return None


def fits(annotation: str | None, value: Any) -> bool | None:
    """Does ``value`` fit the annotation's text? ``None`` when it cannot be checked.

    Checked with pydantic in strict mode: ``"2"`` is not an int, ``True`` is not an int, an int
    is a float.

    Examples
    --------
    >>> fits("int", True), fits("float", 2), fits("Literal['a', 'b']", "c")
    (False, True, False)
    """
    ann = _annotation(annotation)
    if ann is None and annotation not in ("None", "NoneType"):
        return None
    try:
        TypeAdapter(ann, config=_STRICT).validate_python(value)
    except ValidationError:
        return False
    except Exception:  # pydantic cannot build a schema for this annotation
        return None
    return True


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
    if len(head) == 2 and _annotation(head[0]) is not None:
        return head[0].strip(), f"{head[0].strip()} (from the parameter's comment)"
    ok, default = _literal(spec.get("default", ""))
    if ok and default is not None:
        tname = {bool: "bool", int: "int", float: "float", str: "str", list: "list",
                 dict: "dict", tuple: "tuple"}.get(type(default))
        if tname:
            return tname, f"{tname} (inferred from the default {spec['default']})"
    return None, "any value"


# -- the checks ----------------------------------------------------------------------------------
def _value_problems(report: Report, check: Callable[..., Any], declared: dict[str, dict],
                    config: str | Path) -> list[str]:
    """Values: the notebook's library check, called with the defaults and the report's values."""
    values = {**defaults(declared), **report.parameters}
    accepted = inspect.signature(check).parameters
    values = {k: v for k, v in values.items() if k in accepted and k not in RESERVED_PARAMETERS}
    try:
        check(**values)
    except ParameterError as exc:
        text = str(exc)
        pname = next((p for p in values if text.startswith(f"{p}:")), None)
        shown = f"parameter {pname!r} = {clip(values[pname])}" if pname else \
            "parameters " + ", ".join(f"{k}={clip(v)}" for k, v in report.parameters.items())
        return [f"{report.where(config, pname)}: {shown} is refused: {text}"]
    return []


def check_parameters(report: Report, declared: dict[str, dict],
                     config: str | Path = "reports.yaml", *, values: bool = True) -> list[str]:
    """Problems of one report's parameters against its notebook's declared parameters.

    Names and types are checked against the notebook's ``parameters`` cell; values by the
    notebook's library check (:func:`check_for`), when it has one.

    Parameters
    ----------
    report : Report
        The report to check.
    declared : dict
        The notebook's parameters, as returned by :func:`notebook_parameters`.
    config : str or Path
        The config file, named in the messages.
    values : bool
        Run the value check (``False``: only names and types, e.g. when the same parameters
        passed before with the same data and library).

    Returns
    -------
    list of str
        One message per problem (empty when the parameters fit): each names the file, line,
        report, parameter, value and what is allowed.

    Examples
    --------
    >>> r = Report("m", "M", Path("m.ipynb"), {"labels": "yes"})
    >>> check_parameters(r, {"labels": {"type": "bool", "default": "True", "help": ""}})[0]
    "reports.yaml line 0, report 'm': parameter 'labels' = 'yes' (str) does not match the \
declared type bool of m.ipynb"
    """
    problems = []
    nb = display(report.notebook)
    for pname, value in report.parameters.items():
        where = report.where(config, pname)
        if pname in RESERVED_PARAMETERS:
            problems.append(
                f"{where}: parameter {pname!r} = {clip(value)} is set by the renderer (each "
                f"report's figures folder); remove it from reports.yaml")
            continue
        if pname not in declared:
            names = [n for n in declared if n not in RESERVED_PARAMETERS]
            hint = difflib.get_close_matches(pname, names, n=1)
            problems.append(
                f"{where}: parameter {pname!r} = {clip(value)} is not declared by {nb}"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
                + " Declared: " + (", ".join(names) if names else "none (no cell tagged "
                                   "'parameters')"))
            continue
        ann, described = _declared_type(declared[pname])
        if fits(ann, value) is False:
            hint = "; quote it in reports.yaml" if described.replace(" ", "").startswith(
                "str") and isinstance(value, (int, float)) else ""
            problems.append(
                f"{where}: parameter {pname!r} = {clip(value)} ("
                f"{'null' if value is None else type(value).__name__}) does not match the "
                f"declared type {described} of {nb}{hint}")
    for pname, spec in declared.items():
        if pname in report.parameters or pname in RESERVED_PARAMETERS:
            continue
        ok, default = _literal(spec.get("default", ""))
        ann, described = _declared_type(spec)
        missing = ok and (default is Ellipsis or (default is None and fits(ann, None) is False))
        if missing:
            problems.append(
                f"{report.where(config)}: parameter {pname!r} has no usable default in {nb} "
                f"({pname} = {spec.get('default')}, declared type {described}); set "
                f"parameters.{pname} for this report")
    check = check_for(report.notebook) if values and not problems else None
    if check is not None:
        problems += _value_problems(report, check, declared, config)
    return problems


def check_all(reports: Iterable[Report], config: Path, *,
              passed: Callable[[Report], bool] | None = None) -> dict[Path, dict]:
    """Check every report's parameters; return each notebook's declared parameters.

    ``passed(report)`` may say that the very same parameters passed the value checks before
    (same data, same library): they are then checked for names and types only.

    Raises
    ------
    ConfigError
        One line for a single problem, a list for several; raised before any kernel starts.
    """
    declared: dict[Path, dict] = {}
    problems: list[str] = []
    for report in reports:
        if report.notebook not in declared:
            declared[report.notebook] = notebook_parameters(report.notebook)
        again = passed is not None and passed(report)
        problems += check_parameters(report, declared[report.notebook], config,
                                     values=not again)
    if problems:
        raise refuse(problems, config, "parameter problem(s)")
    return declared
