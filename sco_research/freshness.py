"""How fresh the record is: what each table covers and the day through which it was checked.

Every table of the data package that holds dated facts says, in ``data/datapackage.json``:

``"sco:recordedThrough": "YYYY-MM-DD"``
    the day through which the table was checked for new facts. Whatever happened after that day
    is not in the table, whether or not it happened: a map, a day of the explorer or a chart
    window that reaches past it says so in words the reader sees (see :func:`freshness_note`);
``"sco:timeField": "<column>"`` (or a list, the first one with a value wins)
    the column that dates a row: a date, or a period such as ``2024``, ``2024-Q3``,
    ``2024-H1``, ``FY2023-24``, ``2024-05`` or a range ``A/B``. A column that is a foreign key
    to another table (``summit_attendance.summit_id``) is dated by that table's time field;
``"sco:seriesField": "<column>"`` or a list (optional)
    the column(s) that split the table into series (``currency.series``; ``trade.reporter`` and
    ``trade.partner``, joined as ``RUS-CHN``): one coverage row each;
``"sco:coverageNote": "..."`` (optional)
    what a reader should know about the table's reach;
``"sco:afterRecord": "..."`` (optional)
    one sentence added to :func:`freshness_note`: what is known to be missing after the day.

:func:`coverage` reads them into one row per table and series: ``table``, ``series``,
``first``, ``last`` (the earliest and the latest date or period with a value, as written;
rows marked expected by the table's ``sco:expected`` do not count),
``recorded_through`` and ``note``. ``sco-research validate`` prints it.

Examples
--------
>>> cov = coverage()
>>> list(cov.columns)
['table', 'series', 'first', 'last', 'recorded_through', 'note']
>>> row = cov[(cov["table"] == "membership")].iloc[0]
>>> row["first"], row["recorded_through"] > pd.Timestamp(row["last"])
('2001-06-15', True)
"""

from __future__ import annotations

import re

import pandas as pd

from ._checks import DateLike, parse_date
from ._days import day_words
from .data import DataPackage, default_package

__all__ = ["COLUMNS", "RECORDED_THROUGH", "coverage", "freshness_marks", "freshness_note",
           "period_end", "recorded_through"]

#: Table property: the day through which the table was checked for new facts.
RECORDED_THROUGH = "sco:recordedThrough"
_TIME_FIELD = "sco:timeField"
_SERIES_FIELD = "sco:seriesField"
_NOTE = "sco:coverageNote"
_AFTER = "sco:afterRecord"
_EXPECTED = "sco:expected"  # rows announced in advance (see sco_research._schema)

#: Columns of :func:`coverage`.
COLUMNS = ["table", "series", "first", "last", "recorded_through", "note"]

_PERIOD = re.compile(r"^(?:FY(?P<fy>\d{4})-\d{2}|(?P<y>\d{4})(?:-(?P<m>\d{2})|-Q(?P<q>[1-4])"
                     r"|-H(?P<h>[12])|-(?P<d>\d{2}-\d{2}))?)$")


def period_end(value) -> pd.Timestamp | None:
    """The last day of a date or period as the tables write them; None if blank or unreadable.

    Examples
    --------
    >>> period_end("2024-Q3"), period_end("FY2023-24"), period_end("2024-01/2024-H1")
    (Timestamp('2024-09-30 00:00:00'), Timestamp('2024-03-31 00:00:00'), \
Timestamp('2024-06-30 00:00:00'))
    >>> period_end("2025-09-01"), period_end(""), period_end("soon")
    (Timestamp('2025-09-01 00:00:00'), None, None)
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value
    text = str(value).strip()
    if "/" in text:
        return period_end(text.split("/", 1)[1])
    m = _PERIOD.match(text)
    if not m:
        return None
    try:
        if m["fy"]:
            return pd.Timestamp(int(m["fy"]) + 1, 3, 31)
        y = int(m["y"])
        if m["d"]:
            return pd.Timestamp(f"{y}-{m['d']}")
        if m["m"]:
            return pd.Timestamp(y, int(m["m"]), 1) + pd.offsets.MonthEnd(0)
        if m["q"]:
            return pd.Timestamp(y, 3 * int(m["q"]), 1) + pd.offsets.MonthEnd(0)
        if m["h"]:
            return pd.Timestamp(y, 6 * int(m["h"]), 1) + pd.offsets.MonthEnd(0)
        return pd.Timestamp(y, 12, 31)
    except ValueError:
        return None


def _label(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _fields(resource: dict) -> list[str]:
    named = resource.get(_TIME_FIELD)
    return [named] if isinstance(named, str) else list(named or [])


def _times(pkg: DataPackage, name: str) -> pd.DataFrame:
    """The table with a ``_time`` column (label as written) and ``_end`` (its last day)."""
    resource = pkg.resource(name)
    df = pkg.load(name)
    labels = pd.Series([None] * len(df), index=df.index, dtype=object)
    for field in _fields(resource):
        values = df[field].map(_label)
        target = _lookup_target(pkg, resource, field)
        if target is not None:  # a foreign key: dated by the table it points to
            ref_name, ref_key = target
            ref = _times(pkg, ref_name).set_index(ref_key)["_time"]
            values = values.map(lambda v, ref=ref: ref.get(v) if v is not None else None)
        labels = labels.where(labels.notna(), values)
    ends = labels.map(period_end)
    for column, values in (resource.get(_EXPECTED) or {}).items():
        ends = ends.where(~df[column].astype(object).isin(values))  # announced, not happened
    return df.assign(_time=labels, _end=ends)


def _lookup_target(pkg: DataPackage, resource: dict, field: str) -> tuple[str, str] | None:
    for fk in resource.get("schema", {}).get("foreignKeys", []):
        if fk.get("fields") == [field] and _fields(pkg.resources.get(
                fk["reference"]["resource"], {})):
            return fk["reference"]["resource"], fk["reference"]["fields"][0]
    return None


def _series(df: pd.DataFrame, fields) -> pd.Series | None:
    if not fields:
        return None
    fields = [fields] if isinstance(fields, str) else list(fields)
    return df[fields].astype(str).agg("-".join, axis=1)


def recorded_through(table: str, package: DataPackage | None = None) -> pd.Timestamp | None:
    """The day through which ``table`` was checked for new facts (None if not stated).

    Examples
    --------
    >>> recorded_through("membership") >= pd.Timestamp("2025-09-01")
    True
    """
    pkg = package or default_package()
    value = pkg.resource(table).get(RECORDED_THROUGH)
    return pd.Timestamp(value) if value else None


def coverage(package: DataPackage | None = None) -> pd.DataFrame:
    """One row per table (and per series where a table holds several): what it covers.

    Columns ``table``, ``series`` (blank for a table of one series), ``first`` and ``last``
    (the earliest and latest date or period with a value, as the table writes it),
    ``recorded_through`` (the day through which the table was checked for new facts, from
    ``sco:recordedThrough``) and ``note``. Tables without a ``sco:timeField`` (actors, the
    evidence links) are left out.
    """
    pkg = package or default_package()
    rows = []
    for name in pkg.names:
        resource = pkg.resources[name]
        if not _fields(resource):
            continue
        df = _times(pkg, name)
        through = resource.get(RECORDED_THROUGH)
        series = _series(df, resource.get(_SERIES_FIELD))
        groups = df.groupby(series, sort=True) if series is not None else [(None, df)]
        for series, g in groups:
            dated = g[g["_end"].notna()]
            first = dated.loc[dated["_end"].idxmin(), "_time"] if len(dated) else None
            last = dated.loc[dated["_end"].idxmax(), "_time"] if len(dated) else None
            rows.append({"table": name, "series": series, "first": first, "last": last,
                         "recorded_through": pd.Timestamp(through) if through else pd.NaT,
                         "note": resource.get(_NOTE)})
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.astype({"table": "string", "series": "string", "first": "string",
                       "last": "string", "note": "string"})


def freshness_note(table: str, until: DateLike, *, what: str | None = None,
                   package: DataPackage | None = None) -> str | None:
    """Words for a figure or page that reaches past a table's ``recorded_through``; else None.

    Parameters
    ----------
    table : str
        The table the figure draws from.
    until : date
        The last day the figure, map or window shows.
    what : str, optional
        What is not confirmed after that day, in the reader's words (default: "facts").

    Examples
    --------
    >>> freshness_note("membership", "2024-07-04") is None
    True
    >>> note = freshness_note("membership", "2099-01-01", what="Statuses")
    >>> note.startswith("Statuses after ") and "not confirmed" in note
    True
    """
    pkg = package or default_package()
    day = parse_date("until", until, earliest=None)
    through = recorded_through(table, pkg)
    if through is None or day <= through:
        return None
    shown = day_words(through)
    after = pkg.resource(table).get(_AFTER)
    return (f"{what or 'Facts'} after {shown} are not confirmed: the {table} record was "
            f"checked for new facts through {shown} only." + (f" {after}" if after else ""))


def freshness_marks(table: str, what: str | None = None,
                    package: DataPackage | None = None) -> dict | None:
    """For a page's script: the last confirmed day of ``table`` and the words for any later day.

    ``{"after": "YYYY-MM-DD", "text": ...}`` (the text of :func:`freshness_note`), or None when
    the table states no ``sco:recordedThrough``.

    Examples
    --------
    >>> marks = freshness_marks("membership", "Statuses")
    >>> marks["after"] == recorded_through("membership").date().isoformat()
    True
    """
    pkg = package or default_package()
    through = recorded_through(table, pkg)
    if through is None:
        return None
    text = freshness_note(table, through + pd.Timedelta(days=1), what=what, package=pkg)
    return {"after": through.date().isoformat(), "text": text}
