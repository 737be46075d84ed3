"""Argument checks shared by the whole library.

Each check raises :class:`~sco_research.errors.ParameterError` with a message that names the
argument, shows the bad value with ``repr`` and says what is allowed.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ._repr import clip
from .errors import ParameterError

#: The SCO's founding day: the Declaration on the Establishment of the SCO, Shanghai.
FOUNDING_DATE = pd.Timestamp("2001-06-15")

DateLike = str | _dt.date | _dt.datetime | pd.Timestamp

#: How many allowed values an error message lists before it says how many there are.
_MAX_SHOWN = 25


def _where(where: str | None) -> str:
    return f" ({where})" if where else ""


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool; otherwise raise naming the argument and the value.

    Examples
    --------
    >>> check_bool("labels", False)
    False
    >>> check_bool("labels", "yes")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: labels: 'yes' is not a bool; give True or False
    """
    if not isinstance(value, bool):
        raise ParameterError(f"{name}: {clip(value)} is not a bool; give True or False")
    return value


def check_choice(
    name: str,
    value: Any,
    allowed: Iterable[Any],
    *,
    where: str | None = None,
    kind: str = "value",
) -> Any:
    """Return ``value`` if it is one of ``allowed``; raise ``ParameterError`` otherwise.

    Examples
    --------
    >>> check_choice("flow", "exports", ["exports", "turnover"])
    'exports'
    >>> check_choice("flow", "export", ["exports", "turnover"])
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: flow: unknown value 'export'; did you mean 'exports'? \
Allowed: 'exports', 'turnover'
    >>> check_choice("partners", "CHN", [], kind="partner")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: partners: unknown partner 'CHN'; there is no partner to \
choose from (is the data table behind it empty?)
    """
    allowed_list = list(allowed)
    if value in allowed_list:
        return value
    if not allowed_list:  # never print "Allowed: " with nothing after it
        raise ParameterError(
            f"{name}: unknown {kind} {clip(value)}{_where(where)}; there is no {kind} to choose "
            "from (is the data table behind it empty?)"
        )
    hint = "."
    if isinstance(value, str):
        close = difflib.get_close_matches(value, [str(a) for a in allowed_list], n=3, cutoff=0.6)
        if not close:
            close = [str(a) for a in allowed_list if str(a).lower() == value.lower()]
        if close:
            hint = "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    shown = ", ".join(repr(a) for a in allowed_list[:_MAX_SHOWN])
    if len(allowed_list) > _MAX_SHOWN:
        shown += f", ... ({len(allowed_list)} in all)"
    raise ParameterError(
        f"{name}: unknown {kind} {clip(value)}{_where(where)}{hint} Allowed: {shown}")


def check_choices(
    name: str, values: Any, allowed: Iterable[Any], *, where: str | None = None, kind: str = "value"
) -> tuple:
    """Check every item of a sequence (a lone string counts as one item); return a tuple.

    Examples
    --------
    >>> check_choices("partners", "CHN", ["CHN", "IND"])
    ('CHN',)
    """
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    try:
        items = tuple(values)
    except TypeError:
        raise ParameterError(
            f"{name}: expected a string or a list of strings, got {clip(values)}{_where(where)}"
        ) from None
    allowed_list = list(allowed)
    for item in items:
        check_choice(name, item, allowed_list, where=where, kind=kind)
    return items


def parse_date(
    name: str,
    value: DateLike,
    *,
    earliest: pd.Timestamp | None = FOUNDING_DATE,
    latest: str | None = None,
    where: str | None = None,
) -> pd.Timestamp:
    """Parse a date argument into a normalised :class:`pandas.Timestamp`.

    Accepts an ISO string ``"YYYY-MM-DD"``, the string ``"today"``, :class:`datetime.date`,
    :class:`datetime.datetime` or :class:`pandas.Timestamp`. With ``latest="today"`` a day
    after today is refused (:func:`check_not_after_today`), as the renderer refuses it.

    Examples
    --------
    >>> parse_date("as_of", "2017-06-09")
    Timestamp('2017-06-09 00:00:00')
    >>> parse_date("as_of", "2000-01-01")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: as_of: '2000-01-01' is before the SCO was founded \
(2001-06-15); give a date on or after 2001-06-15
    """
    accepted = (
        "an ISO date string 'YYYY-MM-DD', 'today', a datetime.date or a pandas.Timestamp"
    )
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "today":
            ts = pd.Timestamp.today()
        else:
            try:
                ts = pd.Timestamp(_dt.date.fromisoformat(text))
            except ValueError:
                raise ParameterError(
                    f"{name}: cannot read {clip(value)} as a date{_where(where)}; "
                    f"accepted: {accepted}"
                ) from None
    elif isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        ts = pd.Timestamp(value)
        if pd.isna(ts):
            raise ParameterError(f"{name}: got a missing date (NaT); accepted: {accepted}")
    else:
        raise ParameterError(
            f"{name}: expected a date, got {clip(value)} of type {type(value).__name__}"
            f"{_where(where)}; accepted: {accepted}"
        )
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    ts = ts.normalize()
    if earliest is not None and ts < earliest:
        raise ParameterError(
            f"{name}: {clip(value)} is before the SCO was founded ({earliest.date()}); "
            f"give a date on or after {earliest.date()}"
        )
    if latest is not None:
        if latest != "today":
            raise ValueError(f"latest: only 'today' or None is supported, got {latest!r}")
        check_not_after_today(name, value, ts)
    return ts


def check_day(name: str, value: DateLike, *, where: str | None = None) -> pd.Timestamp:
    """:func:`parse_date`, and refuse a day after today: the data record what happened so far.

    A notebook parameter naming a day uses it, so that a later day does not show today's
    statuses under a future date (the rule is :func:`check_not_after_today`).

    Examples
    --------
    >>> check_day("end", "2017-06-09")
    Timestamp('2017-06-09 00:00:00')
    >>> check_day("end", "2999-01-01")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: end: '2999-01-01' is after today (...); the data \
record what happened up to today: give a date on or before today, or 'today'
    """
    return parse_date(name, value, latest="today", where=where)


def check_not_after_today(name: str, value: Any, day: pd.Timestamp) -> None:
    """Refuse a day after today: the data record what happened up to today, so a later day
    would show today's statuses under a future date. The library and the renderer's parameter
    checks share this one rule.

    Examples
    --------
    >>> check_not_after_today("as_of", "2017-06-09", pd.Timestamp("2017-06-09"))
    >>> check_not_after_today("as_of", "2100-01-01", pd.Timestamp("2100-01-01"))
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: as_of: '2100-01-01' is after today (...); the data \
record what happened up to today: give a date on or before today, or 'today'
    """
    today = _dt.date.today()
    if day.date() > today:
        raise ParameterError(
            f"{name}: {clip(value)} is after today ({today}); the data record what happened up "
            f"to today: give a date on or before today, or 'today'")
