"""A day in words, the one way every page, chart, map and summary of the package writes it.

Also a time ("2 December 2026, 06:42 UTC") and every ISO date in a text, for the report pages.

Examples
--------
>>> import datetime as dt
>>> import pandas as pd
>>> day_words(pd.Timestamp("2026-12-02")), day_words(dt.date(2024, 7, 4)), day_words("2001-06-15")
('2 December 2026', '4 July 2024', '15 June 2001')
>>> day_words(pd.Timestamp("2024-07-04"), short=True)
'4 Jul 2024'
>>> time_words("2026-12-02T06:42:29+00:00"), dates_in_words("SCO map on 2017-06-09")
('2 December 2026, 06:42 UTC', 'SCO map on 9 June 2017')
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

__all__ = ["dates_in_words", "day_words", "time_words"]

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def day_words(value: Any, short: bool = False) -> str:
    """A day as people write it: "2 December 2026" (no leading zero), or "2 Dec 2026" if ``short``.

    Parameters
    ----------
    value : date, datetime, pandas.Timestamp, str or None
        The day. A ``date`` or ``datetime`` (a pandas ``Timestamp`` is one) or an ISO date
        ``'YYYY-MM-DD'``. Other text (``'today'``, an impossible date) comes back as it is;
        ``None`` and missing values (``NaT``, ``NaN``) come back as ``''``.
    short : bool, default False
        Three-letter month names ("Jul").

    Returns
    -------
    str

    Examples
    --------
    >>> day_words("2024-07-04"), day_words("2024-07-04", short=True), day_words(None)
    ('4 July 2024', '4 Jul 2024', '')
    >>> day_words("today"), day_words("2023-02-30"), day_words(float("nan"))
    ('today', '2023-02-30', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == "NaT":
        return ""
    if isinstance(value, _dt.date):
        month = _MONTHS[value.month - 1]
        return f"{value.day} {month[:3] if short else month} {value.year}"
    text = str(value)
    m = _ISO_DAY.fullmatch(text.strip())
    if not m:
        return text
    try:
        day = _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return text
    return day_words(day, short)


def dates_in_words(text: str) -> str:
    """``text`` with every ISO date in it written in words.

    Examples
    --------
    >>> dates_in_words("Map on 2024-07-04, then 2025-09-01")
    'Map on 4 July 2024, then 1 September 2025'
    """
    return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", lambda m: day_words(m[0]), str(text))


def time_words(value: Any) -> str:
    """An ISO 8601 time as "2 December 2026, 06:42 UTC"; "" for none; unreadable text as it is.

    Examples
    --------
    >>> time_words("2026-12-02T08:42:29+02:00"), time_words(None), time_words("soon")
    ('2 December 2026, 06:42 UTC', '', 'soon')
    """
    if value in (None, ""):
        return ""
    try:
        when = _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if when.tzinfo is None:
        return f"{day_words(when)}, {when:%H:%M}"
    when = when.astimezone(_dt.timezone.utc)
    return f"{day_words(when)}, {when:%H:%M} UTC"
