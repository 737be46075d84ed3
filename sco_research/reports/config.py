"""``reports.yaml``: the list of reports, as pydantic models, with grids expanded.

The file is a mapping with a list ``reports`` and an optional ``timeout`` (seconds per report).
Each entry (:class:`ReportEntry`) names a notebook and a parameter set, or a small ``grid`` of
parameter values that expands into one :class:`Report` per combination. Every problem is reported
with the file, the line, the report and the field, and nothing runs until the file is clean.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "nb.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
...                                 '"nbformat_minor": 5}')
>>> _ = (d / "reports.yaml").write_text(
...     "reports:\\n  - name: m-{as_of}\\n    notebook: nb.ipynb\\n"
...     "    grid: {as_of: [2017-06-09, 2024-07-04]}\\n")
>>> [r.name for r in load_config(d / "reports.yaml")]
['m-2017-06-09', 'm-2024-07-04']
>>> _ = (d / "bad.yaml").write_text("reports:\\n  - name: a\\n    notebook: nb.ipynb\\n"
...                                "    timeout: -1\\n")
>>> load_config(d / "bad.yaml")
Traceback (most recent call last):
...
sco_research.errors.ConfigError: ...bad.yaml line 4, report 'a': timeout: expected a positive, \
finite number of seconds, got -1; nothing was rendered
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import itertools
import json
import re
import string
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .. import paths
from .._repr import Clipped, clip, display
from ..errors import ConfigError, ParameterError
from .layout import name_problem

__all__ = ["DEFAULT_TIMEOUT", "MAX_CHARS", "MAX_GRID", "MAX_VALUES", "Report", "ReportEntry",
           "ReportsFile", "load_config", "refuse", "select_reports"]

#: Seconds a report may run (kernel start excluded) unless ``reports.yaml`` or ``--timeout`` says.
DEFAULT_TIMEOUT = 600.0
#: The largest number of reports one ``grid`` may expand into.
MAX_GRID = 50
#: The most values (scalars, list items, mapping entries) one entry may hold, every YAML alias
#: counted again where it is used: a nest of aliases (a "billion laughs") is refused at once.
MAX_VALUES = 10_000
#: The most characters of text one entry may hold, aliases counted again where they are used.
MAX_CHARS = 100_000

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_REPORT_KEYS = ("name", "title", "notebook", "parameters", "grid", "timeout")
_TOP_KEYS = ("timeout", "reports")


@dataclasses.dataclass(frozen=True, eq=False)
class Report:
    """One report: a notebook executed with one parameter set (a grid already expanded).

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
        return f"{display(config)} line {line}, report {self.name!r}"


# -- the models --------------------------------------------------------------------------------
def _placeholders(template: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError:
        return ["<unbalanced braces>"]


def _notebook_problem(path: Path) -> str | None:
    """Why ``path`` is not a Jupyter notebook, without echoing any of its content."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
            rest = fh.read()
    except OSError as exc:
        return f"cannot read it ({exc.strerror or type(exc).__name__})"
    if not head.strip():
        return "is empty, not a Jupyter notebook"
    try:
        doc = json.loads(head + rest)
    except (ValueError, UnicodeDecodeError):
        return "is not a Jupyter notebook (not JSON); give an .ipynb file"
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list) \
            or not isinstance(doc.get("nbformat"), int):
        return ("is not a Jupyter notebook (JSON without 'cells' and 'nbformat'); give an "
                ".ipynb file")
    return None


def _size_problem(value: Any) -> str | None:
    """Why ``value`` is too big to be an entry of ``reports.yaml`` (counted as if every alias
    were written out), or None. Stops counting at the limit, so a huge nest costs nothing."""
    values = chars = 0
    stack = [value]
    while stack:
        item = stack.pop()
        values += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, str):
            chars += len(item)
        if values > MAX_VALUES:
            return (f"holds more than {MAX_VALUES} values once its YAML aliases are written "
                    f"out; a report's parameters are a few small values")
        if chars > MAX_CHARS:
            return (f"holds more than {MAX_CHARS} characters of text once its YAML aliases are "
                    f"written out; a report's parameters are a few small values")
    return None


def _roots(config: Path) -> list[Path]:
    """Folders a report's notebook may live in: the config's folder and the project root."""
    return [config.resolve().parent, paths.PROJECT_ROOT.resolve()]


class ReportEntry(BaseModel):
    """One entry of ``reports.yaml``: a report, or a grid of reports over parameter values.

    Validate with ``context={"config": path}``: the notebook path is resolved against the
    config file's folder and must be a Jupyter notebook inside that folder or the project.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    title: str | None = None
    notebook: str = Field(min_length=1)
    parameters: dict[str, Any] | None = None
    grid: dict[str, Annotated[list[Any], Field(min_length=1)]] | None = None
    timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, name: str) -> str:
        if not name or not _NAME_RE.match(name.replace("{", "a").replace("}", "")):
            raise ValueError(
                f"name {name!r} may use only letters, digits, '.', '_' and '-' (it becomes a "
                f"folder name), starting with a letter or digit")
        problem = name_problem(name) if not _placeholders(name) else None
        if problem:
            raise ValueError(f"name {problem}")
        return name

    @field_validator("notebook")
    @classmethod
    def _notebook_is_a_notebook(cls, nb: str, info: ValidationInfo) -> str:
        config = Path((info.context or {}).get("config", paths.REPORTS_CONFIG))
        path = (config.parent / nb).resolve()
        if not any(path.is_relative_to(root) for root in _roots(config)):
            raise ValueError(
                f"notebook {nb!r} is outside the project ({path}); reports run notebooks of "
                f"the project only: move it under {display(config.resolve().parent)}")
        if path.is_dir():
            inside = sorted(p.name for p in path.glob("*.ipynb") if p.is_file())
            raise ValueError(
                f"notebook {nb!r} is a folder ({path}), not a notebook; give the path of an "
                f".ipynb file. Notebooks in it: " + (", ".join(inside) or "none"))
        if not path.is_file():
            folder = path.parent
            present = sorted(p.name for p in folder.glob("*.ipynb") if p.is_file()) \
                if folder.is_dir() else []
            raise ValueError(
                f"notebook {nb!r} not found ({path}); fix the path or add the notebook. "
                f"Notebooks in {display(folder)}: " + (", ".join(present) or "none"))
        problem = _notebook_problem(path)
        if problem:
            raise ValueError(f"notebook {nb!r} {problem}")
        return nb

    @model_validator(mode="after")
    def _grid_fits_name_and_title(self) -> ReportEntry:
        grid, params = self.grid or {}, self.parameters or {}
        both = [k for k in grid if k in params]
        if both:
            raise ValueError(f"parameter {both[0]!r} is set both under 'parameters' and under "
                             f"'grid'; keep it in one place")
        count = 1
        for values in grid.values():
            count *= len(values)
        if count > MAX_GRID:
            raise ValueError(f"the grid expands into {count} reports; at most {MAX_GRID} are "
                             f"allowed per entry; split it into several entries")
        keys = list(grid)
        for template, what in ((self.name, "name"), (self.title or "", "title")):
            unknown = [f for f in _placeholders(template) if f not in keys]
            if unknown:
                raise ValueError(
                    f"{what} {template!r} uses placeholder(s) "
                    + ", ".join("{" + u + "}" for u in unknown)
                    + (f" that are not grid parameters (grid: {', '.join(keys)})" if keys
                       else "; placeholders need a 'grid'"))
        return self


class ReportsFile(BaseModel):
    """The top level of ``reports.yaml``: the default ``timeout`` and the ``reports`` list.

    Validate with ``context={"config": path}`` (see :class:`ReportEntry`).
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0, allow_inf_nan=False)
    reports: list[ReportEntry] = Field(min_length=1)


# -- YAML with line numbers ------------------------------------------------------------------
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
                    f"{display(config)} line {line}: a key must be a plain value, got {key!r}"
                ) from None
            if duplicate:
                raise ConfigError(
                    f"{display(config)} line {line}: duplicate key {key!r} (first at line "
                    f"{out.key_lines[key]}); keep only one of them")
            out[key] = loader.construct_object(value_node, deep=True)
            out.key_lines[key] = line
        return out

    def construct_plain_timestamp(loader, node):
        # An unquoted 2017-06-09 stays the string '2017-06-09': notebooks take ISO date strings.
        return loader.construct_scalar(node)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_plain_timestamp)
    return Loader


def _read_yaml(path: Path) -> Any:
    import yaml

    shown = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config: {shown!r} does not exist; create it (see the reports.yaml at the project "
            f"root) or pass --config PATH") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config: cannot read {shown!r}: {exc}") from None
    try:
        return yaml.load(text, Loader=_yaml_loader(path))  # noqa: S506 - a SafeLoader subclass
    except (ValueError, OverflowError) as exc:  # e.g. an integer of a million digits
        raise ConfigError(f"{shown}: a value cannot be read: {clip(str(exc), 120)[1:-1]}; "
                          f"write long values as quoted text") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{shown}{where}: not valid YAML: {exc.problem or exc.context}; fix the syntax there "
            f"(indent list items under 'reports:', quote values containing ': ' or '#')"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: not valid YAML: {exc}") from None


# -- pydantic errors as messages ---------------------------------------------------------------
_FIELD_MESSAGES = {
    "name": "'name' is required and must be a string, got {value!r}",
    "title": "'title' must be a string, got {value!r}",
    "notebook": "'notebook' is required: the notebook's path relative to {config}, e.g. "
                "'notebooks/01-article-facts.ipynb'; got {value!r}",
    "parameters": "'parameters' must be a mapping of parameter names to values, got {value!r:.60}",
    "grid": "'grid' must be a mapping of parameter names to lists of values, e.g. "
            "'as_of: [2017-06-09, today]'; got {value!r:.60}",
    "timeout": "timeout: expected a positive, finite number of seconds, got {value!r}",
    "reports": "'reports' must be a non-empty list of reports (each '- name: ...'), got "
               "{value!r:.60}",
}


def _message(error: dict, loc: tuple, data: dict, config: Path, keys: Sequence[str]
             ) -> tuple[Any, str]:
    """The key a pydantic error is about (``loc`` inside ``data``) and its message."""
    field = loc[0] if loc else None
    value = Clipped(data.get(field) if field is not None else None)
    if error["type"] == "value_error":
        return field, str(error["ctx"]["error"])
    if error["type"] == "extra_forbidden":
        hint = difflib.get_close_matches(str(field), keys, n=1)
        scope = "top-level key" if keys is _TOP_KEYS else "key"
        return field, (f"unknown {scope} {field!r}"
                       + (f"; did you mean {hint[0]!r}?" if hint else "")
                       + " Allowed: " + ", ".join(keys))
    if field == "parameters" and len(loc) > 2 and loc[-1] == "[key]":
        return field, f"parameter names must be strings, got {loc[1]!r}"
    if field == "grid" and len(loc) > 1:
        return loc[1], (f"grid parameter {loc[1]!r} needs a non-empty list of values, got "
                        f"{clip(error.get('input'), 60)}")
    template = _FIELD_MESSAGES.get(str(field), "{field}: {msg}")
    return field, template.format(value=value, config=display(config), field=field,
                                  msg=error["msg"])


def _problems(exc: ValidationError, doc: dict, config: Path) -> list[str]:
    """One line per pydantic error: file, line, report (or entry), field, value and fix."""
    shown, out = display(config), []
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        if loc[:1] != ("reports",) or len(loc) == 1:  # the top level
            key, message = _message(error, loc, doc, config, _TOP_KEYS)
            out.append(f"{shown} line {doc.key_lines.get(key) or 1}: {message}")
            continue
        index, raw = loc[1], doc["reports"][loc[1]]
        if error["type"] == "model_type":
            out.append(f"{shown}: reports[{index}] must be a mapping with 'name' and "
                       f"'notebook', got {clip(raw, 60)}")
            continue
        _, message = _message(error, loc[2:], raw, config, _REPORT_KEYS)
        name = raw.get("name")
        out.append(f"{shown} line {raw.key_lines.get(loc[2] if len(loc) > 2 else None) or raw.line}"
                   + (f", report {clip(name)}" if isinstance(name, str) else
                      f" (reports[{index}])") + f": {message}")
    return out


def refuse(problems: Sequence[str], config: Path, what: str = "problem(s)") -> ConfigError:
    """One ConfigError for ``problems``: a single line for one problem, a list for several."""
    if len(problems) == 1:
        return ConfigError(f"{problems[0]}; nothing was rendered")
    return ConfigError(f"{display(config)}: {len(problems)} {what}; nothing was rendered:\n  "
                       + "\n  ".join(problems))


# -- loading -----------------------------------------------------------------------------------
def _slug(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = "-".join(str(v) for v in value)
    text = re.sub(r"[^A-Za-z0-9._]+", "-", str(value)).strip("-.").lower()
    return text or "x"


def _expand(entry: ReportEntry, raw: Any, config: Path, default_timeout: float,
            problems: list[str]) -> list[Report]:
    line = getattr(raw, "line", 0)
    grid, params = entry.grid or {}, dict(entry.parameters or {})
    plines = dict(getattr(raw.get("parameters"), "key_lines", {}) or {})
    glines = getattr(raw.get("grid"), "key_lines", {}) or {}
    for key in grid:
        plines[key] = glines.get(key, line)
    keys = list(grid)
    title = entry.title if entry.title is not None else entry.name
    notebook = (config.parent / entry.notebook).resolve()
    timeout = float(entry.timeout if entry.timeout is not None else default_timeout)
    out = []
    for combo in itertools.product(*(grid[k] for k in keys)) if keys else [()]:
        values = dict(zip(keys, combo, strict=True))
        texts = {k: (", ".join(map(str, v)) if isinstance(v, list) else str(v))
                 for k, v in values.items()}
        if keys and _placeholders(entry.name):
            name = entry.name.format_map({k: _slug(v) for k, v in values.items()})
        else:
            name = "-".join([entry.name, *(_slug(values[k]) for k in keys)])
        if keys and _placeholders(title):
            rtitle = title.format_map(texts)
        elif keys:
            rtitle = f"{title} ({', '.join(texts[k] for k in keys)})"
        else:
            rtitle = title
        if not _NAME_RE.match(name) or name_problem(name):
            problems.append(f"{display(config)} line {line}, report {entry.name!r}: expanded "
                            f"name {name!r} is not a valid report name"
                            + (f": {name_problem(name)}" if _NAME_RE.match(name) else ""))
            continue
        out.append(Report(name=name, title=rtitle, notebook=notebook,
                          parameters={**params, **values}, timeout=timeout, group=entry.name,
                          line=line, parameter_lines=plines))
    return out


def load_config(config: str | Path | None = None) -> list[Report]:
    """Read ``reports.yaml`` into a list of :class:`Report`, grids expanded.

    Each entry has ``name``, ``notebook`` (relative to the file's folder), and optionally
    ``title``, ``parameters`` (a mapping), ``grid`` (parameter names to lists of values; one
    report per combination) and ``timeout``. A grid entry's name and title may use
    ``{parameter}`` placeholders; otherwise the values are appended to the name.

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
        The file is missing, is not valid YAML, or breaks the layout of :class:`ReportEntry`:
        every problem is listed with its line, the report, the bad value and the fix.

    Examples
    --------
    >>> reports = load_config()
    >>> [r.name for r in reports if r.group == "membership-map-{as_of}"][:2]
    ['membership-map-2001-06-15', 'membership-map-2017-06-09']
    """
    path = Path(config) if config is not None else paths.REPORTS_CONFIG
    shown = display(path)
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        raise ConfigError(f"{shown}: expected a mapping with a 'reports:' list at the top, got "
                          f"{type(doc).__name__} {clip(doc, 60)}")
    too_big = _size_problem(doc)
    if too_big:  # before anything prints or validates a value: name the entry if one is
        entries = doc.get("reports") if isinstance(doc.get("reports"), list) else []
        culprit = next((e for e in entries if _size_problem(e)), None)
        where = (f"{shown} line {getattr(culprit, 'line', 1)}, report "
                 f"{clip(culprit.get('name'))}" if isinstance(culprit, dict) else shown)
        raise refuse([f"{where}: the {'entry' if culprit is not None else 'file'} "
                      f"{_size_problem(culprit) if culprit is not None else too_big}"], path)
    context = {"config": path}
    try:
        top = ReportsFile.model_validate(doc, context=context)
        problems, timeout, entries = [], top.timeout, list(enumerate(top.reports))
    except ValidationError as exc:
        problems = _problems(exc, doc, path)
        if not isinstance(doc.get("reports"), list):
            raise refuse(problems, path) from None
        # The entries without a problem are expanded too, to report every problem at once.
        bad = {e["loc"][1] for e in exc.errors() if e["loc"][:1] == ("reports",)
               and len(e["loc"]) > 1}
        timeout = DEFAULT_TIMEOUT  # the reports are refused anyway: only their problems count
        entries = [(i, ReportEntry.model_validate(raw, context=context))
                   for i, raw in enumerate(doc["reports"]) if i not in bad]
    reports: list[Report] = []
    first_line: dict[str, int] = {}
    for index, entry in entries:
        for report in _expand(entry, doc["reports"][index], path, timeout, problems):
            if report.name in first_line:
                problems.append(
                    f"{shown} line {report.line}: duplicate report name {report.name!r} (first "
                    f"defined at line {first_line[report.name]}); give each report a unique name")
                continue
            first_line[report.name] = report.line
            reports.append(report)
    if problems:
        raise refuse(problems, path)
    return reports


def select_reports(reports: Sequence[Report], names: Iterable[str]) -> list[Report]:
    """The reports named by ``names`` (all when empty), in ``reports.yaml`` order.

    A name may be a report's name, an entry's name (all the reports its grid expands into) or a
    shell-style pattern (``membership-map-20*``).

    Raises
    ------
    ParameterError
        A name matches no report; the message lists the known names.

    Examples
    --------
    >>> rs = [Report("a-1", "A", Path("a.ipynb"), {}, group="a-{x}"), Report("b", "B",
    ...       Path("b.ipynb"), {})]
    >>> [r.name for r in select_reports(rs, ["a-{x}"])]
    ['a-1']
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
                + (" (groups: " + ", ".join(groups) + ")" if groups else ""))
        chosen.update(hits)
    return [r for r in reports if r.name in chosen]
