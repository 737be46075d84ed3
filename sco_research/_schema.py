"""Validate the data package with Frictionless, the package's single validator.

The descriptor (``data/datapackage.json``) states every rule: field types, enumerations,
patterns, required values, primary and foreign keys. Two rules are the project's own and are
added to Frictionless as custom checks, declared by custom properties of the descriptor:

``"x-iso3166-alpha3": true`` on a field
    every value is an ISO 3166-1 alpha-3 code known to pycountry;
``"sco:minRows": N`` on a table
    the table has at least ``N`` data rows, so an emptied or truncated file is an error.

Every number must also be finite: Table Schema reads ``NaN``, ``INF`` and ``-Infinity`` as
numbers, but no source states a figure so, and a chart cannot place one. A header with a missing
or an extra column is reported as those columns, named (:func:`sco_research.data.header_problems`,
which :func:`sco_research.data.load` uses too), instead of the shifted values Frictionless would
find under them; a blank row is one problem, not also a duplicate key.

Frictionless's findings are translated into the project's problem records (``table``, ``row``,
``field``, ``value``, ``rule``) with one wording per rule, for example
``type date (YYYY-MM-DD, a real calendar day)`` or ``foreign key: must exist in
sources.source_id``.

Kept apart from :mod:`sco_research.data` so that Frictionless and pycountry are imported only
when a table must be validated (its file or the descriptor changed), not at
``import sco_research``.

Examples
--------
>>> from sco_research import paths
>>> validate_package(paths.DATAPACKAGE)
[]
"""

from __future__ import annotations

import contextlib
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import attrs
from frictionless import Check, Checklist, Package, errors

__all__ = ["MIN_ROWS", "ISO3_FLAG", "iso3_codes", "validate_package", "validate_table"]

#: Table property: the least number of data rows the table may have.
MIN_ROWS = "sco:minRows"
#: Field property: the values are ISO 3166-1 alpha-3 country codes.
ISO3_FLAG = "x-iso3166-alpha3"

_ISO3_RULE = "ISO 3166-1 alpha-3 country code (pycountry)"
_FINITE_RULE = "a finite number (not NaN or infinity)"
_BLANK_RULE = "blank row: remove the empty line (a blank line at the end of the file too)"
_TYPE_RULES = {
    "date": "type date (YYYY-MM-DD, a real calendar day)",
    "number": "type number",
    "integer": "type integer",
    "boolean": "type boolean (true/false)",
}


@lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code known to pycountry.

    Examples
    --------
    >>> "KGZ" in iso3_codes(), "KGX" in iso3_codes()
    (True, False)
    """
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


class CountryCodeError(errors.CellError):
    """A value of an ``x-iso3166-alpha3`` field that is not an ISO 3166-1 alpha-3 code."""

    type = "sco-country-code"
    title = "Unknown Country Code"
    description = "The value is not an ISO 3166-1 alpha-3 code known to pycountry."
    template = 'Cell "{cell}" in field "{fieldName}" at row "{rowNumber}": {note}'


class NotFiniteError(errors.CellError):
    """A number that is not finite (NaN or infinity)."""

    type = "sco-not-finite"
    title = "Not A Finite Number"
    description = "The value is NaN or infinite; a figure must be a finite number."
    template = 'Cell "{cell}" in field "{fieldName}" at row "{rowNumber}": {note}'


class MinRowsError(errors.TableError):
    """A table with fewer data rows than its ``sco:minRows``."""

    type = "sco-min-rows"
    title = "Too Few Rows"
    description = "The table has fewer data rows than the descriptor's sco:minRows."
    template = "{note}"


@attrs.define(kw_only=True, repr=False)
class country_codes(Check):  # noqa: N801 - named like Frictionless's built-in checks
    """Every value of a field flagged ``x-iso3166-alpha3`` is a known ISO 3166-1 alpha-3 code."""

    type = "sco-country-codes"
    Errors = [CountryCodeError]

    def validate_row(self, row):
        for field in self.resource.schema.fields:
            if field.custom.get(ISO3_FLAG):
                value = row[field.name]
                if value is not None and value not in iso3_codes():
                    yield CountryCodeError.from_row(row, note=_ISO3_RULE, field_name=field.name)


@attrs.define(kw_only=True, repr=False)
class finite_numbers(Check):  # noqa: N801 - named like Frictionless's built-in checks
    """Every value of a number or integer field is finite (no NaN, INF or -Infinity)."""

    type = "sco-finite-numbers"
    Errors = [NotFiniteError]

    def validate_row(self, row):
        for field in self.resource.schema.fields:
            if field.type in ("number", "integer"):
                value = row[field.name]
                if value is not None and not _finite(value):
                    err = NotFiniteError.from_row(row, note=_FINITE_RULE, field_name=field.name)
                    # The cell as written ('inf'), not as parsed ('Infinity').
                    with contextlib.suppress(Exception):
                        err.cell = str(row.cells[row.field_names.index(field.name)])
                    yield err


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(value)
    except (TypeError, ValueError, OverflowError):
        return True  # not a number at all: the type check reports it


@attrs.define(kw_only=True, repr=False)
class min_rows(Check):  # noqa: N801 - named like Frictionless's built-in checks
    """The table has at least as many data rows as its ``sco:minRows`` property."""

    type = "sco-min-rows"
    Errors = [MinRowsError]

    def validate_start(self):
        minimum = self.resource.custom.get(MIN_ROWS)
        if minimum is not None and not _is_count(minimum):
            yield MinRowsError(note=f"{MIN_ROWS}: must be a whole number of rows, got {minimum!r}")

    def validate_end(self):
        minimum = self.resource.custom.get(MIN_ROWS)
        rows = self.resource.stats.rows or 0
        if _is_count(minimum) and rows < minimum:
            yield MinRowsError(note=min_rows_rule(minimum, rows))


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def min_rows_rule(minimum: int, rows: int) -> str:
    """The rule text for a table below its minimum row count.

    Examples
    --------
    >>> min_rows_rule(66, 0)
    'sco:minRows: at least 66 data row(s) required, found 0 (an empty or truncated file?)'
    """
    return (f"{MIN_ROWS}: at least {minimum} data row(s) required, found {rows} "
            "(an empty or truncated file?)")


def _checklist() -> Checklist:
    return Checklist(checks=[country_codes(), finite_numbers(), min_rows()])


def _package(descriptor: dict, base: Path) -> Package:
    return Package(descriptor, basepath=str(base))


def validate_table(descriptor: dict, base: Path, name: str) -> list[dict]:
    """Validate one table (with its foreign keys) of a package; return its problems.

    ``descriptor`` is the parsed ``datapackage.json`` and ``base`` the folder its paths are
    relative to.
    """
    try:
        resource = _package(descriptor, base).get_resource(name)
    except Exception as exc:  # a descriptor Frictionless cannot read at all
        return [_problem("datapackage.json", None, None, None, str(exc))]
    report = resource.validate(_checklist())
    resources = {name: _resource_descriptor(descriptor, name)}
    return _problems(report, resources, _headers(resources, base))


def validate_package(path: str | Path) -> list[dict]:
    """Validate a whole package from its descriptor file; return every problem (``[]`` if none).

    A descriptor Frictionless cannot read at all gives one problem for ``datapackage.json``.
    """
    path = Path(path)
    try:
        package = Package(str(path))
    except Exception as exc:  # FrictionlessException and the errors of a malformed descriptor
        return [_problem("datapackage.json", None, None, None, str(exc))]
    import json

    descriptor = json.loads(path.read_text(encoding="utf-8"))
    resources = {r.get("name"): r for r in descriptor.get("resources", [])}
    return _problems(package.validate(_checklist()), resources, _headers(resources, path.parent))


def _headers(resources: dict[str, dict], base: Path) -> dict[str, list[dict]]:
    """The header problems of each CSV table that has any (see the module's docstring)."""
    from .data import header_problems

    out = {}
    for name, res in resources.items():
        path, fields = res.get("path"), res.get("schema", {}).get("fields")
        if not (isinstance(path, str) and path.endswith(".csv") and isinstance(fields, list)):
            continue
        try:
            found = header_problems(str(name), base / path, [
                f.get("name") for f in fields if isinstance(f, dict)])
        except (OSError, UnicodeDecodeError):  # Frictionless reports a missing or bad file
            continue
        if found:
            out[str(name)] = found
    return out


def _resource_descriptor(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor.get("resources", []) if r.get("name") == name)


def _problem(table: str, row: int | None, field: str | None, value: Any, rule: str) -> dict:
    return {"table": table, "row": row, "field": field, "value": value, "rule": rule}


def _problems(report, resources: dict[str, dict],
              headers: dict[str, list[dict]] | None = None) -> list[dict]:
    headers = headers or {}
    out = []
    for task in report.tasks:
        table = task.name or task.place
        if table in headers:  # the columns are wrong: every value would read shifted
            out.extend(headers[table])
            continue
        resource = resources.get(table, {})
        blank = {getattr(e, "row_number", None) for e in task.errors if e.type == "blank-row"}
        for err in task.errors:
            if err.type != "blank-row" and getattr(err, "row_number", None) in blank:
                continue  # a blank row's empty key is no duplicate: one problem per blank row
            out.append(_translate(table, resource, err))
    for err in report.errors:
        out.append(_problem("datapackage.json", None, None, None, f"{err.type}: {err.note}"))
    out.sort(key=lambda p: (p["table"], p["row"] is None, p["row"] or 0, str(p["field"])))
    return out


def _fields(resource: dict) -> dict[str, dict]:
    return {f["name"]: f for f in resource.get("schema", {}).get("fields", [])}


def _translate(table: str, resource: dict, err) -> dict:
    """One Frictionless error as a problem record in the project's wording."""
    row = getattr(err, "row_number", None)
    field = getattr(err, "field_name", None)
    value = getattr(err, "cell", None)
    value = None if value == "" else value
    if err.type == "type-error":
        ftype = _fields(resource).get(field, {}).get("type", "string")
        return _problem(table, row, field, value, _TYPE_RULES.get(ftype, f"type {ftype}"))
    if err.type == "constraint-error":
        found = re.search(r'constraint "(\w+)"', err.note or "")
        name = found.group(1) if found else ""
        cons = _fields(resource).get(field, {}).get("constraints", {})
        if name == "required":
            return _problem(table, row, field, None, "required: a value must be given")
        if name == "enum":
            return _problem(table, row, field, value, "enum: one of " + ", ".join(cons["enum"]))
        if name == "pattern":
            return _problem(table, row, field, value, f"pattern {cons['pattern']}")
        return _problem(table, row, field, value, f"constraint {name} {cons.get(name)!r}")
    if err.type == "sco-country-code":
        return _problem(table, row, field, value, _ISO3_RULE)
    if err.type == "sco-not-finite":
        return _problem(table, row, field, value, _FINITE_RULE)
    if err.type == "blank-row":
        return _problem(table, row, None, None, _BLANK_RULE)
    if err.type == "primary-key":
        pk = resource.get("schema", {}).get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else list(pk)
        values = _cells(resource, err, pk)
        return _problem(table, row, ", ".join(pk), values[0] if len(values) == 1 else tuple(values),
                        f"primary key ({', '.join(pk)}) must be unique")
    if err.type == "foreign-key":
        names = list(err.field_names)
        cells = list(err.field_cells)
        target = f"{err.reference_name or table}.{', '.join(err.reference_field_names)}"
        return _problem(table, row, ", ".join(names), cells[0] if len(cells) == 1 else tuple(cells),
                        f"foreign key: must exist in {target}")
    if err.type == "sco-min-rows":
        return _problem(table, None, None, None, err.note)
    return _problem(table, row, field, value, f"{err.type}: {err.note}")


def _cells(resource: dict, err, names: list[str]) -> list[str]:
    order = [f["name"] for f in resource.get("schema", {}).get("fields", [])]
    cells = list(getattr(err, "cells", []) or [])
    return [cells[order.index(n)] if order.index(n) < len(cells) else None for n in names]
