"""Values as people read them on the pages: dates, times, lists, yes/no, and what None means.

The report pages and the index show parameters and times in words, not as Python or ISO 8601:
``'2017-06-09'`` is "9 June 2017", ``['CHN', 'IND']`` is "CHN, IND", ``True`` is "yes", a render
time is "2 December 2026, 06:42 UTC", and ``None`` says what it means for that parameter
(:data:`NONE_MEANS`: "all", "not saved", "each enlargement"...).

Examples
--------
>>> value_words("as_of", "2017-06-09"), value_words("partners", ["CHN", "IND"])
('9 June 2017', 'CHN, IND')
>>> value_words("labels", True), value_words("theme", None), value_words("output_dir", None)
('yes', 'all', 'not saved')
>>> time_words("2026-12-02T06:42:29+00:00")
'2 December 2026, 06:42 UTC'
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

from .._days import day_words

__all__ = ["NONE_MEANS", "dates_in_words", "day_words", "time_words", "value_words"]

#: What ``None`` means for each notebook parameter that may be ``None`` (else "none").
NONE_MEANS: Mapping[str, str] = {
    "theme": "all", "actor": "all", "verdict": "all", "tier": "all", "publisher": "all",
    "dates": "each enlargement", "output_dir": "not saved", "article": "every article",
}
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_in_words(text: str) -> str:
    """``text`` with every ISO date in it written in words.

    Examples
    --------
    >>> dates_in_words("SCO membership map on 2017-06-09")
    'SCO membership map on 9 June 2017'
    """
    return _ISO_DAY.sub(lambda m: day_words(m[0]), str(text))


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


def value_words(name: str, value: Any) -> str:
    """A parameter's value in words: dates, lists, yes/no, numbers, and what ``None`` means.

    Examples
    --------
    >>> value_words("dates", None), value_words("highlight", []), value_words("top", 10)
    ('each enlargement', 'none', '10')
    >>> value_words("indicators", ["reserves_share_cofer", "payment_system"])
    'reserves_share_cofer, payment_system'
    """
    if value is None:
        return NONE_MEANS.get(str(name), "none")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        return ", ".join(value_words(name, v) for v in items) if items else "none"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return day_words(value)
