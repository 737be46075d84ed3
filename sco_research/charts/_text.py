"""Words and numbers on the charts: names, short labels, changes, periods.

Pure string helpers; nothing here draws or reads a table, except :func:`country_names`, which
reads the membership table once.

Examples
--------
>>> fmt(13.12468), change(13.1, 68.7), join(["a", "b", "c"])
('13.12', 'rose 5.2-fold', 'a, b and c')
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}

#: Common Chinese family names (written first) among the speakers of the currency table.
_FAMILY_NAME_FIRST = {"Xi", "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang",
                      "Zhou", "Wu", "Sun", "Ma", "Hu", "Guo", "Lin"}

_SHORT_NAMES = {
    "SCO Council of Heads of State": "SCO heads of state",
    "Ministry of Economic Development of Russia": "Russian economy ministry",
    "Russian Ministry of Finance": "Russian finance ministry",
    "European Commission": "Commission",
}

#: Long phrases of the sanctions table written short on a chart (the table keeps them whole).
_SHORT_PHRASES = {
    "Central Bank of the Russian Federation": "Bank of Russia",
    "the Central Bank of Russia": "the Bank of Russia",
    "Central Bank of Russia": "Bank of Russia",
}

_BODY_WORDS = {"Bank", "Council", "Ministry", "SCO", "IMF", "SWIFT", "Commission", "Secretariat",
               "Service"}


def split_unit(unit: str | None) -> tuple[str, float]:
    """Split a unit into its base and scale: ``'USD billion'`` -> ``('USD', 1e9)``.

    Examples
    --------
    >>> split_unit("million barrels per day")
    ('barrels per day', 1000000.0)
    """
    if unit is None:
        return "", 1.0
    scale = 1.0
    rest = []
    for word in str(unit).split():
        if word.lower() in _SCALES:
            scale *= _SCALES[word.lower()]
        else:
            rest.append(word)
    return " ".join(rest), scale


def fmt(v: float) -> str:
    """A plotted number, short: at most four significant digits (the row keeps the exact value).

    Examples
    --------
    >>> fmt(13.12468), fmt(228.1), fmt(0.052)
    ('13.12', '228.1', '0.052')
    """
    return f"{v:.4g}"


def change(v0: float, v1: float) -> str:
    """Words for the change from ``v0`` to ``v1``.

    Examples
    --------
    >>> change(13.1, 68.7), change(146.9, 228.1), change(244.8, 228.1)
    ('rose 5.2-fold', 'rose 55%', 'fell 7%')
    """
    if pd.isna(v0) or pd.isna(v1) or v0 <= 0:
        return "changed"
    r = v1 / v0
    if r >= 1.95:
        return f"rose {r:.1f}-fold"
    if r > 1.005:
        return f"rose {100 * (r - 1):.0f}%"
    if r < 0.995:
        return f"fell {100 * (1 - r):.0f}%"
    return "was unchanged"


def join(parts: Iterable[str]) -> str:
    """``a, b and c``.

    Examples
    --------
    >>> join(["a"]), join(["a", "b"])
    ('a', 'a and b')
    """
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def possessive(name: str) -> str:
    """``India's``, ``Emirates'``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def short_period(period: str | None) -> str | None:
    """A range inside one year written short.

    Examples
    --------
    >>> short_period("2021-01/2021-05")
    '2021-01/05'
    """
    if not period or "/" not in period:
        return period
    a, b = period.split("/", 1)
    if a[:4] == b[:4] and len(a) == len(b) == 7:
        return f"{a}/{b[5:]}"
    return period


def period_words(period: str) -> str:
    """A month, or a range of months, as words; any other period as it is written.

    Examples
    --------
    >>> period_words("2025-08"), period_words("2021-01/2021-05"), period_words("2024-12/2025-02")
    ('Aug 2025', 'Jan–May 2021', 'Dec 2024–Feb 2025')
    >>> period_words("2025"), period_words("FY2021-22")
    ('2025', 'FY2021-22')
    """
    def one(text: str) -> pd.Timestamp | None:
        return pd.Timestamp(f"{text}-01") if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text) else None

    a, _, b = period.partition("/")
    start, end = one(a), one(b) if b else None
    if start is not None and not b:
        return start.strftime("%b %Y")
    if start is not None and end is not None:
        if start.year == end.year:
            return f"{start:%b}–{end:%b %Y}"
        return f"{start:%b %Y}–{end:%b %Y}"
    return period


def month(rec) -> str:
    """The period of a figure, or the month it was stated in ('Nov 2025').

    Examples
    --------
    >>> month({"period": None, "stated_on": pd.Timestamp("2025-11-03")})
    'Nov 2025'
    """
    get = rec.get if isinstance(rec, (pd.Series, dict)) else (lambda k: getattr(rec, k, None))
    period = get("period")
    if period is not None and not pd.isna(period) and str(period):
        return period_words(str(period))
    stated = get("stated_on")
    if stated is not None and pd.notna(stated):
        return pd.Timestamp(stated).strftime("%b %Y")
    return "period not stated"


def unique(values: Iterable) -> list:
    """The values in order of first appearance, without missing ones.

    Examples
    --------
    >>> unique(["a", None, "b", "a", float("nan")])
    ['a', 'b']
    """
    seen: list = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            continue
        if v not in seen:
            seen.append(v)
    return seen


def surname(name: str) -> str:
    """A speaker's name as written next to a point: a person's family name, a body's name.

    Chinese names put the family name first.

    Examples
    --------
    >>> surname("Anton Siluanov"), surname("Wang Yi"), surname("SCO Council of Heads of State")
    ('Siluanov', 'Wang', 'SCO heads of state')
    """
    text = str(name)
    if text in _SHORT_NAMES:
        return _SHORT_NAMES[text]
    words = text.split()
    is_person = (2 <= len(words) <= 3 and all(w[:1].isupper() for w in words)
                 and not set(words) & _BODY_WORDS)
    if not is_person:
        return text
    return words[0] if words[0] in _FAMILY_NAME_FIRST else words[-1]


def who(imposed_by: str) -> str:
    """Who imposed a measure, short.

    Examples
    --------
    >>> who("EU+USA+GBR+CAN+FRA+DEU+ITA")
    'EU+USA+5 more'
    """
    parts = str(imposed_by).split("+")
    return imposed_by if len(parts) <= 3 else "+".join(parts[:2]) + f"+{len(parts) - 2} more"


def shorten(text: str, width: int, lines: int = 2) -> str:
    """``text`` with common long names written short, wrapped to at most ``lines`` lines.

    Words are never cut: a text too long even then ends with an ellipsis after a whole word.

    Examples
    --------
    >>> shorten("Central Bank of the Russian Federation", 30)
    'Bank of Russia'
    >>> shorten("one two three four five six", 9, lines=2)
    'one two\\nthree […]'
    """
    text = " ".join(str(text).split())
    for long, short in _SHORT_PHRASES.items():
        text = text.replace(long, short)
    wrapped = textwrap.wrap(text, width)
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    head = textwrap.wrap(text, width, max_lines=lines, placeholder=" […]")
    return "\n".join(head)


def money(amount: float, unit: str) -> str:
    """Amount and unit, short.

    Examples
    --------
    >>> money(300, "USD billion"), money(5.06, "tonnes")
    ('USD 300bn', '5.06 tonnes')
    """
    base, scale = split_unit(unit)
    suffix = {1e9: "bn", 1e12: "tn", 1e6: "m"}.get(scale)
    return f"{base} {amount:g}{suffix}" if suffix and base else f"{amount:g} {unit}"


@lru_cache(maxsize=1)
def _names() -> tuple[tuple[str, str], ...]:
    from ..data import load

    m = load("membership")
    return tuple(zip(m["iso3"].astype(str), m["country"].astype(str), strict=True))


def country_names() -> dict[str, str]:
    """ISO3 -> country name, from the membership table (plus Russia).

    Examples
    --------
    >>> country_names()["IND"]
    'India'
    """
    names = dict(_names())
    names.setdefault("RUS", "Russia")
    return names


def wrap(text: str, width: int) -> str:
    """``textwrap.fill`` for titles and notes."""
    return "\n".join(textwrap.wrap(text, width))


def lines(parts: Sequence[str]) -> str:
    """Non-empty parts, one per line."""
    return "\n".join(p for p in parts if p)


_BOUND_WORDS = {"over": "over ", "under": "under ", "about": "about "}


def bound(rec) -> str:
    """The words a source bounds a figure with (``'over '``, ``'under '``, ``'about '``), from
    the row's ``qualifier`` where the table has one; ``''`` for an exact figure.

    Examples
    --------
    >>> bound({"qualifier": "over"}), bound({"qualifier": "exact"}), bound({})
    ('over ', '', '')
    """
    get = rec.get if isinstance(rec, (pd.Series, dict)) else (lambda k: getattr(rec, k, None))
    q = get("qualifier")
    return _BOUND_WORDS.get(str(q), "") if q is not None and not pd.isna(q) else ""


def lone(rec) -> str:
    """``' (single source)'`` after a number that only one independent source states.

    ``rec`` is a chart row (a mapping or a named tuple) with the ``single_source`` column that
    :func:`sco_research.corroboration.corroborate` adds; without it, nothing is added.

    Examples
    --------
    >>> fmt(228.1) + lone({"single_source": True}), fmt(86) + lone({"single_source": False})
    ('228.1 (single source)', '86')
    """
    flag = rec.get("single_source") if hasattr(rec, "get") else getattr(rec, "single_source",
                                                                         None)
    return " (single source)" if flag is not None and not pd.isna(flag) and bool(flag) else ""

