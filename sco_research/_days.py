"""A day in words, the one way every page, chart, map and summary of the package writes it.

Examples
--------
>>> import datetime as dt
>>> import pandas as pd
>>> day_words(pd.Timestamp("2026-12-02")), day_words(dt.date(2024, 7, 4)), day_words("2001-06-15")
('2 December 2026', '4 July 2024', '15 June 2001')
>>> day_words(pd.Timestamp("2024-07-04"), short=True)
'4 Jul 2024'
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

__all__ = ["day_words"]

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
