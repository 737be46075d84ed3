"""Notebook parameters: what each notebook declares, and a pydantic model per notebook.

A report's parameters are checked before any kernel starts. For the project's notebooks a model
(a subclass of :class:`NotebookParameters`, registered by its ``notebook`` file name) checks the
values, not only the types, by calling the library's own checks (``facts.check_filters``,
``maps.check_parameters``, ``charts.check_window``, ``charts.check_indicators``,
``_checks.parse_date``), so every rule exists once. Any other notebook is checked against the
types its ``parameters`` cell declares (an annotation, a type at the start of the comment, or the
type of the default), with a pydantic ``TypeAdapter``.

Adding a model for a new notebook::

    class ClaimsCheck(NotebookParameters):
        notebook: ClassVar[str] = "06-claims-check.ipynb"
        theme: str | None = None    # a theme of the claims table
        verdict: str | None = None  # a verdict
        output_dir: str | None = None

        @field_validator("theme")
        @classmethod
        def _theme(cls, v):
            return _library(lambda: _facts().check_filters(theme=v), v)

Examples
--------
>>> MembershipMap.model_validate({"as_of": "2017-06-09"}).extent
'eurasia'
>>> model_for("notebooks/02-membership-map.ipynb") is MembershipMap
True
>>> fits("list[str]", ["IND", 1]), fits("str | None", None), fits("pd.Timestamp", "x")
(False, True, None)
"""

from __future__ import annotations

import ast
import difflib
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal, Optional, Union  # noqa: UP035 - annotations by name

from pydantic import (
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import ParameterError
from ._text import clip, display
from .config import Report, refuse
from .declared import notebook_parameters

__all__ = ["RESERVED_PARAMETERS", "ArticleFacts", "Currency", "MembershipMap",
           "MembershipTimeline", "NotebookParameters", "Sources", "Trade", "check_all",
           "check_parameters", "fits", "model_for", "notebook_parameters"]

#: Parameters the renderer sets itself; ``reports.yaml`` may not set them.
RESERVED_PARAMETERS = ("output_dir",)
#: Models by notebook file name, filled by :class:`NotebookParameters` subclasses.
MODELS: dict[str, type[NotebookParameters]] = {}


# -- the library's checks as pydantic validators ---------------------------------------------
def _library(check: Callable[[], Any], value: Any) -> Any:
    """Run a library check; its ``ParameterError`` becomes a pydantic value error."""
    try:
        check()
    except ParameterError as exc:
        raise ValueError(str(exc)) from None
    return value


def _facts():
    from .. import facts

    return facts


def _maps():
    from .. import maps

    return maps


def _charts():
    from .. import charts

    return charts


def _bibliography():
    from .. import bibliography

    return bibliography


def _fact_check():
    from .. import fact_check

    return fact_check


def _day(name: str, value: Any) -> Any:
    """A date parameter: a real day, not before the founding, and not after today.

    The data record what happened up to today: a later day would show today's statuses under
    a future date, so it is refused (naming the last change the data record).
    """
    from .._checks import parse_date

    try:
        parse_date(name, value, latest="today")  # the library's rule (sco_research._checks)
    except ParameterError as exc:
        raise ValueError(str(exc)) from None
    return value


class NotebookParameters(BaseModel):
    """Base of the parameter models: one subclass per notebook, registered by file name."""

    model_config = ConfigDict(extra="forbid", strict=True)

    #: The notebook's file name, e.g. ``"02-membership-map.ipynb"``.
    notebook: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.notebook:
            MODELS[cls.notebook] = cls

    @classmethod
    def check(cls, **values: Any) -> NotebookParameters:
        """Validate a notebook's parameters; raise ``ParameterError`` naming the first bad one.

        For a notebook run outside the renderer (JupyterLab, plain papermill): the same rules
        as the renderer's pre-flight check.

        Examples
        --------
        >>> MembershipMap.check(as_of="2017-06-09").as_of
        '2017-06-09'
        >>> MembershipMap.check(extent="mars")
        Traceback (most recent call last):
        ...
        sco_research.errors.ParameterError: extent: unknown extent 'mars'. Allowed: ...
        """
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            name = error["loc"][0] if error["loc"] else "parameters"
            if error["type"] == "value_error":
                raise ParameterError(str(error["ctx"]["error"])) from None
            raise ParameterError(f"{name}: {error['msg'].lower()}, got "
                                 f"{clip(error.get('input'))}") from None


class ArticleFacts(NotebookParameters):
    """``01-article-facts.ipynb``: an article's claims, filtered by theme and actor."""

    notebook: ClassVar[str] = "01-article-facts.ipynb"
    article: str | None = "a1"
    theme: str | None = None
    actor: str | None = None
    output_dir: str | None = None

    @field_validator("theme")
    @classmethod
    def _theme(cls, v: str | None) -> str | None:
        return _library(lambda: _facts().check_filters(theme=v), v)

    @field_validator("actor")
    @classmethod
    def _actor(cls, v: str | None) -> str | None:
        return _library(lambda: _facts().check_filters(actor=v), v)

    @field_validator("article")
    @classmethod
    def _article(cls, v: str | None) -> str | None:
        return _library(lambda: _facts().check_filters(article=v), v)


class MembershipMap(NotebookParameters):
    """``02-membership-map.ipynb``: the membership map on one day."""

    notebook: ClassVar[str] = "02-membership-map.ipynb"
    as_of: str = "today"
    extent: str = "eurasia"
    highlight: list[str] = []
    labels: bool = True
    explorer: bool = True
    output_dir: str | None = None

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: str) -> str:
        return _day("as_of", v)

    @field_validator("extent")
    @classmethod
    def _extent(cls, v: str) -> str:
        return _library(lambda: _maps().check_parameters("today", extent=v), v)

    @field_validator("highlight")
    @classmethod
    def _highlight(cls, v: list[str]) -> list[str]:
        return _library(lambda: _maps().check_parameters("today", highlight=v), v) if v else v


class MembershipTimeline(NotebookParameters):
    """``03-membership-timeline.ipynb``: the enlargements as panels, and the timeline."""

    notebook: ClassVar[str] = "03-membership-timeline.ipynb"
    dates: list[str] | None = None
    end: str = "today"
    output_dir: str | None = None

    @field_validator("dates")
    @classmethod
    def _dates(cls, v: list[str] | None) -> list[str] | None:
        for d in v or []:
            _day("dates", d)
        return v

    @field_validator("end")
    @classmethod
    def _end(cls, v: str) -> str:
        return _day("end", v)


class _Window(NotebookParameters):
    start: str
    end: str = "today"

    @field_validator("start", "end")
    @classmethod
    def _date(cls, v: str, info: Any) -> str:
        return _day(info.field_name, v)

    @model_validator(mode="after")
    def _window(self) -> _Window:
        _library(lambda: _charts().check_window(self.start, self.end), None)
        return self


class Trade(_Window):
    """``04-trade.ipynb``: Russia's trade with SCO partners and crude oil sold to them."""

    notebook: ClassVar[str] = "04-trade.ipynb"
    partners: list[str] = ["CHN", "IND"]
    start: str = "2013-01-01"
    flow: str = "turnover"
    output_dir: str | None = None

    @model_validator(mode="after")
    def _rows_exist(self) -> Trade:
        # The chart's own row selection checks partners, flow and that the window has rows.
        _library(lambda: _charts().chart_rows("trade_chart", partners=self.partners,
                                              start=self.start, end=self.end, flow=self.flow),
                 None)
        return self


class Currency(_Window):
    """``05-currency.ipynb``: settlement currencies, reserve and payment shares, sanctions."""

    notebook: ClassVar[str] = "05-currency.ipynb"
    indicators: list[str] = ["russia_china_trade_settlement", "sco_trade_national_currencies",
                             "russia_export_settlement", "reserves_share_cofer",
                             "swift_payments_share", "payment_system"]
    start: str = "2014-01-01"
    output_dir: str | None = None

    @field_validator("indicators")
    @classmethod
    def _indicators(cls, v: list[str]) -> list[str]:
        return _library(lambda: _charts().check_indicators(v), v)


class ClaimsCheck(NotebookParameters):
    """``06-claims-check.ipynb``: the verdicts on an article's claims, by theme and verdict."""

    notebook: ClassVar[str] = "06-claims-check.ipynb"
    article: str | None = "a1"
    theme: str | None = None
    verdict: str | None = None
    output_dir: str | None = None

    @field_validator("theme")
    @classmethod
    def _theme(cls, v: str | None) -> str | None:
        return _library(lambda: _fact_check().claim_checks(theme=v), v)

    @field_validator("verdict")
    @classmethod
    def _verdict(cls, v: str | None) -> str | None:
        return _library(lambda: _fact_check().claim_checks(verdict=v), v)

    @field_validator("article")
    @classmethod
    def _article(cls, v: str | None) -> str | None:
        return _library(lambda: _fact_check().claim_checks(article=v), v)


class Sources(NotebookParameters):
    """``07-sources.ipynb``: the sources as a bibliography, by tier and publisher."""

    notebook: ClassVar[str] = "07-sources.ipynb"
    tier: str | None = None
    publisher: str | None = None
    top: int = 10
    output_dir: str | None = None

    @field_validator("tier")
    @classmethod
    def _tier(cls, v: str | None) -> str | None:
        return _library(lambda: _bibliography().check_filters(tier=v), v)

    @field_validator("publisher")
    @classmethod
    def _publisher(cls, v: str | None) -> str | None:
        return _library(lambda: _bibliography().check_filters(publisher=v), v)

    @field_validator("top")
    @classmethod
    def _top(cls, v: int) -> int:
        return _library(lambda: _bibliography().check_filters(top=v), v)


def model_for(notebook: str | Path) -> type[NotebookParameters] | None:
    """The parameter model registered for a notebook (by file name), or ``None``."""
    return MODELS.get(Path(notebook).name)


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


def _type_label(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _type_text(annotation: Any) -> str:
    return annotation.__name__ if isinstance(annotation, type) else \
        str(annotation).replace("typing.", "")


# -- the checks ----------------------------------------------------------------------------------
def _type_message(report: Report, config: str | Path, pname: str, value: Any, described: str,
                  nb: str) -> str:
    hint = "; quote it in reports.yaml" if described.replace(" ", "").startswith("str") and \
        isinstance(value, (int, float)) else ""
    return (f"{report.where(config, pname)}: parameter {pname!r} = {clip(value)} "
            f"({_type_label(value)}) does not match the declared type {described} of {nb}{hint}")


def _type_problems(report: Report, model: type[NotebookParameters], values: dict,
                   config: str | Path, nb: str) -> list[str]:
    """Types only (no library call): each value against its model field's annotation."""
    problems = []
    for pname, value in values.items():
        field = model.model_fields.get(pname)
        if field is None:
            problems.append(
                f"{report.where(config, pname)}: parameter {pname!r} is declared by {nb} "
                f"but not by its parameter model {model.__name__}; add it to "
                f"sco_research/reports/params.py")
            continue
        try:
            TypeAdapter(field.annotation, config=_STRICT).validate_python(value)
        except ValidationError:
            problems.append(_type_message(report, config, pname, value,
                                          _type_text(field.annotation), nb))
    return problems


def _model_problems(report: Report, model: type[NotebookParameters], values: dict,
                    config: str | Path, nb: str) -> list[str]:
    """Values: the model's validators, which call the library's own checks."""
    try:
        model.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            pname = loc[0] if loc else None
            text = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
            if pname is None:  # a check of several parameters: the message names the first
                pname = next((p for p in values if text.startswith(f"{p}:")), None)
            value = values.get(pname) if pname else None
            shown = f"parameter {pname!r} = {clip(value)}" if pname else \
                "parameters " + ", ".join(f"{k}={clip(v)}" for k, v in values.items())
            problems.append(f"{report.where(config, pname)}: {shown} is refused: {text}")
        return problems
    return []


def check_parameters(report: Report, declared: dict[str, dict],
                     config: str | Path = "reports.yaml", *, values: bool = True) -> list[str]:
    """Problems of one report's parameters against its notebook's declared parameters.

    Names are checked against the notebook's ``parameters`` cell. Values are checked by the
    notebook's model (:func:`model_for`) when it has one, otherwise against the declared types.

    Parameters
    ----------
    report : Report
        The report to check.
    declared : dict
        The notebook's parameters, as returned by :func:`notebook_parameters`.
    config : str or Path
        The config file, named in the messages.
    values : bool
        Run the model's value checks (``False``: only names and types, e.g. when the same
        parameters passed before with the same data and library).

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
    model = model_for(report.notebook)
    checked = {}
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
        checked[pname] = value
        if model is None:
            ann, described = _declared_type(declared[pname])
            if fits(ann, value) is False:
                problems.append(_type_message(report, config, pname, value, described, nb))
    if model is not None and not problems:
        problems += _type_problems(report, model, checked, config, nb)
        if values and not problems:
            problems += _model_problems(report, model, checked, config, nb)
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
