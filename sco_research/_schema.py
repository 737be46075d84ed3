"""Validate the data package with Frictionless, the package's single validator.

The descriptor (``data/datapackage.json``) states every rule: field types, enumerations,
patterns, required values, primary and foreign keys. Two rules are the project's own and are
added to Frictionless as custom checks, declared by custom properties of the descriptor:

``"x-iso3166-alpha3": true`` on a field
    every value is an ISO 3166-1 alpha-3 code known to pycountry;
``"sco:minRows": N`` on a table
    the table has at least ``N`` data rows, so an emptied or truncated file is an error.

A third, the temporal check (:class:`temporal`), keeps every row within what its source could
know. It is declared by these properties:

``"sco:notAfterSource": true`` on a date field
    the date is not after the day the row's source was published (``sources.published``; for a
    source that shows no date, the day we read it, ``accessed``): a page cannot report as
    done, stated, announced or attended what happened after it appeared. ``"events.date"``
    instead of ``true`` checks the date found by looking the field's value up in that table
    (``summit_attendance.summit_id``: the summit's day);
``"sco:sourceField": "<column>"`` on such a field
    the column that names the source dating this field, where it is not ``source_id``
    (``membership.memorandum_date`` is dated by ``memorandum_source_id``);
``"sco:expected": {"<column>": ["<value>", ...]}`` on a table
    rows holding one of the values record something announced in advance (``events.status``
    and ``summit_outcomes.status`` ``expected``, ``summit_attendance.attendance`` ``expected``)
    and may be dated after their source;
``"sco:notBeforeSource": true`` and ``"sco:notAfterField": "<column>"`` on a date field
    the date is not before the source was published (``claim_checks.checked_on``), and not
    after another date of the same row (``sources.published`` before ``accessed``).

A field's ``pattern`` constraint may carry its rule in words, ``"sco:patternRule": "<rule>"``,
which a problem then states instead of the regular expression (``currency.note``: the
``[disputed]`` tag is written exactly so, at the start of the note, then the reason).

A scheduled effective date (``sanctions.effective``) carries no flag: a source may announce it.

Every number must also be finite: Table Schema reads ``NaN``, ``INF`` and ``-Infinity`` as
numbers, but no source states a figure so, and a chart cannot place one. A header with a missing
or an extra column is reported as those columns, named
(:func:`sco_research._header.header_problems`, which :func:`sco_research.data.load` uses
too), instead of the shifted values Frictionless would find under them; a blank row is one
problem, not also a duplicate key.

Frictionless's findings are translated into the project's problem records (``table``, ``row``,
``field``, ``value``, ``rule``) with one wording per rule, for example
``type date (YYYY-MM-DD, a real calendar day)``, ``foreign key: must exist in
sources.source_id`` or ``dated after its source: 'tass-2024-07-02-...' (published 2024-07-02)
cannot report 2024-07-04 as done; ...``.

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

__all__ = ["EXPECTED", "ISO3_FLAG", "MIN_ROWS", "NOT_AFTER_FIELD", "NOT_AFTER_SOURCE",
           "NOT_BEFORE_SOURCE", "PATTERN_RULE", "SOURCE_FIELD", "TEMPORAL_RULE_PREFIXES",
           "iso3_codes", "source_bound", "temporal_fields", "validate_package", "validate_table"]

#: Table property: the least number of data rows the table may have.
MIN_ROWS = "sco:minRows"
#: Field property: a ``pattern`` constraint's rule in words, for the problem's message.
PATTERN_RULE = "sco:patternRule"
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


# -- the temporal check ---------------------------------------------------------------------------
#: Field property: the date must not fall after the row's source was published. ``true`` checks
#: the field's own date; ``"<table>.<field>"`` checks the date found by looking the field's value
#: up in that table's primary key (``summit_attendance.summit_id`` -> ``events.date``).
NOT_AFTER_SOURCE = "sco:notAfterSource"
#: Field property: the date must not fall before the row's source was published (a check of a
#: source cannot come before the source).
NOT_BEFORE_SOURCE = "sco:notBeforeSource"
#: Field property: the date must not fall after the same row's date in the named field
#: (``sources.published`` is never after ``sources.accessed``).
NOT_AFTER_FIELD = "sco:notAfterField"
#: Field property: the column naming the source that dates this field, where it is not the
#: row's ``source_id`` (``membership.memorandum_date`` -> ``memorandum_source_id``).
SOURCE_FIELD = "sco:sourceField"
#: Table property: ``{field: [values]}``; a row whose field holds one of the values records
#: something its source announces as expected or scheduled, so its dates may follow the source.
EXPECTED = "sco:expected"


#: How every rule of the temporal check begins (to count its findings among all problems).
TEMPORAL_RULE_PREFIXES = ("dated after its source", "not before its source", "not after ")


def temporal_fields(descriptor: dict) -> list[str]:
    """The ``table.field`` names the temporal check looks at, in descriptor order.

    Examples
    --------
    >>> from sco_research.data import default_package
    >>> "summit_attendance.summit_id" in temporal_fields(default_package().descriptor)
    True
    """
    flags = (NOT_AFTER_SOURCE, NOT_BEFORE_SOURCE, NOT_AFTER_FIELD)
    return [f"{r.get('name')}.{f.get('name')}" for r in descriptor.get("resources", [])
            for f in r.get("schema", {}).get("fields", []) if any(f.get(k) for k in flags)]


class TemporalError(errors.CellError):
    """A date that its source could not have reported (or a check dated before its source)."""

    type = "sco-temporal"
    title = "Date After Its Source"
    description = ("A row records as stated, done or attended something dated after the "
                   "publication of the source it cites.")
    template = 'Cell "{cell}" in field "{fieldName}" at row "{rowNumber}": {note}'


def _read_csv(path: str) -> list[dict[str, str]]:
    import csv

    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error):
        return []  # the table's own validation says what is wrong with it


def _day(value: Any):
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def source_bound(published: Any, accessed: Any) -> tuple[Any, str]:
    """The last day a source can vouch for, and how to name it.

    The source's ``published`` date; where the page shows none, the day we read it
    (``accessed``), the latest day by which it certainly existed.

    Examples
    --------
    >>> source_bound("2025-08-30", "2026-11-28")
    (datetime.date(2025, 8, 30), 'published 2025-08-30')
    >>> source_bound("", "2026-11-28")
    (datetime.date(2026, 11, 28), 'undated, accessed 2026-11-28')
    """
    day = _day(published)
    if day is not None:
        return day, f"published {day.isoformat()}"
    day = _day(accessed)
    return day, (f"undated, accessed {day.isoformat()}" if day else "undated")


def after_source_rule(source_id: str, bound: str, day, what: str = "", mark: str = "") -> str:
    """The rule text for a date after its source's publication.

    ``bound`` names the source's date (see :func:`source_bound`), ``day`` is the date
    recorded, ``what`` says where it was looked up (blank for the field's own date) and
    ``mark`` how the table marks an expected row (blank when it has no such mark).

    Examples
    --------
    >>> import datetime as dt
    >>> after_source_rule("anews-2025-08-30-x", "published 2025-08-30", dt.date(2025, 9, 1))
    "dated after its source: 'anews-2025-08-30-x' (published 2025-08-30) cannot report \
2025-09-01 as done; cite a page published on or after 2025-09-01"
    """
    what = f" ({what})" if what else ""
    rule = (f"dated after its source: {source_id!r} ({bound}) cannot report "
            f"{day.isoformat()}{what} as done; cite a page published on or after "
            f"{day.isoformat()}")
    return rule + (f", or mark the row expected ({mark})" if mark else "")


@attrs.define(kw_only=True, repr=False)
class temporal(Check):  # noqa: N801 - named like Frictionless's built-in checks
    """No row records as done anything dated after its source was published.

    Driven by the descriptor: fields flagged ``sco:notAfterSource`` (the date is on or before
    the source's ``published`` day; for an undated source, its ``accessed`` day),
    ``sco:notBeforeSource`` and ``sco:notAfterField``; rows matching the table's
    ``sco:expected`` are exempt from ``sco:notAfterSource``.
    """

    type = "sco-temporal"
    Errors = [TemporalError]
    #: source_id -> (last day the source vouches for, how to name it); read at the start.
    sources: dict = attrs.field(factory=dict, init=False)
    #: field -> {key: date} for fields checked through another table (``events.date``).
    lookups: dict = attrs.field(factory=dict, init=False)

    def validate_start(self):
        self.sources = {}
        self.lookups = {}
        fields = self.resource.schema.fields
        if not any(f.custom.get(NOT_AFTER_SOURCE) or f.custom.get(NOT_BEFORE_SOURCE)
                   for f in fields):
            return []
        package = self.resource.package
        if package is None or not package.has_resource("sources"):
            return []
        for row in _read_csv(package.get_resource("sources").normpath):
            self.sources[row.get("source_id", "")] = source_bound(
                row.get("published"), row.get("accessed"))
        for f in fields:
            target = f.custom.get(NOT_AFTER_SOURCE)
            if isinstance(target, str) and "." in target:
                table, column = target.split(".", 1)
                if package.has_resource(table):
                    res = package.get_resource(table)
                    key = res.schema.primary_key[0] if res.schema.primary_key else None
                    self.lookups[f.name] = {r.get(key): _day(r.get(column))
                                             for r in _read_csv(res.normpath)}
        return []

    def _mark(self) -> str:
        marks = self.resource.custom.get(EXPECTED) or {}
        return "; ".join(f"{name}: {' or '.join(values)}" for name, values in marks.items())

    def _expected(self, row) -> bool:
        marks = self.resource.custom.get(EXPECTED) or {}
        return any(row[name] in values for name, values in marks.items() if name in row)

    def validate_row(self, row):
        for field in self.resource.schema.fields:
            value = row[field.name]
            if value is None:
                continue
            source = _source_of(row, field)
            bound, named = self.sources.get(source, (None, ""))
            after_source = field.custom.get(NOT_AFTER_SOURCE)
            if after_source and bound is not None and not self._expected(row):
                day, what = _day(value), ""
                if isinstance(after_source, str):
                    day = self.lookups.get(field.name, {}).get(value)
                    what = f"{after_source} of {value!r}"
                if day is not None and day > bound:
                    note = after_source_rule(source, named, day, what, self._mark())
                    yield TemporalError.from_row(row, note=note, field_name=field.name)
            if field.custom.get(NOT_BEFORE_SOURCE) and bound is not None \
                    and _day(value) is not None and _day(value) < bound:
                yield TemporalError.from_row(
                    row, field_name=field.name,
                    note=f"not before its source: {source!r} ({named}) is later")
            other = field.custom.get(NOT_AFTER_FIELD)
            limit = _day(row[other]) if other in row else None
            if limit is not None and _day(value) is not None and _day(value) > limit:
                yield TemporalError.from_row(
                    row, field_name=field.name,
                    note=f"not after {other} ({limit.isoformat()}) of the same row")


def _source_of(row, field) -> str | None:
    """The source that dates ``field``: the column named by ``sco:sourceField`` where it holds
    a value, else the row's ``source_id``."""
    named = field.custom.get(SOURCE_FIELD)
    if named and named in row and row[named]:
        return row[named]
    return row["source_id"] if "source_id" in row else None

def _checklist() -> Checklist:
    return Checklist(checks=[country_codes(), finite_numbers(), min_rows(), temporal()])


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
    from ._header import header_problems

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
            rule = _fields(resource).get(field, {}).get(PATTERN_RULE)
            return _problem(table, row, field, value,
                            f"pattern: {rule}" if rule else f"pattern {cons['pattern']}")
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
    if err.type == "sco-temporal":
        return _problem(table, row, field, value, err.note)
    return _problem(table, row, field, value, f"{err.type}: {err.note}")


def _cells(resource: dict, err, names: list[str]) -> list[str]:
    order = [f["name"] for f in resource.get("schema", {}).get("fields", [])]
    cells = list(getattr(err, "cells", []) or [])
    return [cells[order.index(n)] if order.index(n) < len(cells) else None for n in names]
