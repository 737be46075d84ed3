"""Rows for the charts: tables as plain frames, periods, units, source ranking, event markers.

Everything here is pandas: no drawing. The chart modules select their rows with these helpers,
and the row functions (``trade_rows``, ``energy_rows``...) return exactly what the figures plot.

Examples
--------
>>> period_span("FY2021-22")
(Timestamp('2021-04-01 00:00:00'), Timestamp('2022-04-01 00:00:00'))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import DateLike, parse_date
from .._days import day_words
from ..data import load
from ..errors import ParameterError
from ._text import split_unit

#: Annual period types (calendar years and India's April-March fiscal years).
ANNUAL = ("calendar_year", "fiscal_year_april_march")

#: Event kinds drawn as dated markers on the charts.
EVENT_KINDS = ("war", "swift", "reserves", "summit")

#: The summit the seed article reports on.
ARTICLE_SUMMIT = pd.Timestamp("2024-07-04")

#: The ``role`` of an events-table row drawn as a dated marker.
MARKER_ROLE = "event marker"

#: Source tiers, most primary first (the ``tier`` column of the sources table).
TIERS = ("primary", "official_via_news", "secondary")


@dataclass
class Selection:
    """What a chart draws: its data rows (cited), event-marker rows, a note, the x-range."""

    rows: pd.DataFrame
    events: pd.DataFrame
    lo: pd.Timestamp
    hi: pd.Timestamp
    note: str | None = None
    extra: dict = field(default_factory=dict)

    def all_rows(self) -> pd.DataFrame:
        """Data rows, then the event-marker rows: every row behind the figure."""
        if self.events.empty:
            return self.rows.reset_index(drop=True)
        return pd.concat([self.rows, self.events], ignore_index=True, sort=False)


def table(name: str) -> pd.DataFrame:
    """A table with text and category columns as plain Python objects (missing: None)."""
    df = load(name)
    for col in df.columns:
        if isinstance(df[col].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(
                df[col].dtype):
            values = df[col].to_numpy(dtype=object, na_value=None)  # one pass, no re-inference
            df[col] = pd.Series(values, index=df.index, dtype=object)
    return df


_PERIOD_RE = re.compile(
    r"^(?:FY(?P<fy>\d{4})-\d{2}|(?P<y>\d{4})(?:-(?P<m>\d{2})|-Q(?P<q>[1-4])|-H(?P<h>[12]))?)$"
)


def period_span(period: str | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First day and the day after the last day of a period string; None if blank.

    Understands ``2023``, ``FY2023-24`` (April-March), ``2023-05``, ``2023-Q2``, ``2023-H1``
    and ranges ``A/B`` of those.

    Examples
    --------
    >>> period_span("2024-01/2024-04")
    (Timestamp('2024-01-01 00:00:00'), Timestamp('2024-05-01 00:00:00'))
    >>> period_span("soon") is None
    True
    """
    if period is None or str(period).strip() == "":
        return None
    text = str(period).strip()
    if "/" in text:
        first, last = text.split("/", 1)
        a, b = period_span(first), period_span(last)
        if a is None or b is None:
            return None
        return a[0], b[1]
    m = _PERIOD_RE.match(text)
    if not m:
        return None
    try:
        return _span(m)
    except ValueError:  # a month 13, say
        return None


def _span(m: re.Match) -> tuple[pd.Timestamp, pd.Timestamp]:
    if m["fy"]:
        y = int(m["fy"])
        return pd.Timestamp(y, 4, 1), pd.Timestamp(y + 1, 4, 1)
    y = int(m["y"])
    if m["m"]:
        start = pd.Timestamp(y, int(m["m"]), 1)
        return start, start + pd.offsets.MonthBegin(1)
    if m["q"]:
        start = pd.Timestamp(y, 3 * int(m["q"]) - 2, 1)
        return start, start + pd.offsets.MonthBegin(3)
    if m["h"]:
        start = pd.Timestamp(y, 6 * int(m["h"]) - 5, 1)
        return start, start + pd.offsets.MonthBegin(6)
    return pd.Timestamp(y, 1, 1), pd.Timestamp(y + 1, 1, 1)


def add_spans(df: pd.DataFrame, fallback: str | None = None) -> pd.DataFrame:
    """Add ``period_start``, ``period_end`` and ``plotted_at`` (the period's middle).

    Rows without a readable period fall back to the date in column ``fallback``.
    """
    starts, ends, mids = [], [], []
    for rec in df.itertuples(index=False):
        span = period_span(getattr(rec, "period", None))
        if span is None and fallback is not None:
            day = getattr(rec, fallback)
            span = (day, day) if pd.notna(day) else None
        if span is None:
            starts.append(pd.NaT)
            ends.append(pd.NaT)
            mids.append(pd.NaT)
            continue
        a, b = span
        starts.append(a)
        ends.append(b)
        mids.append((a + (b - a) / 2).normalize() if b > a else a)
    out = df.copy()
    for col, values in (("period_start", starts), ("period_end", ends), ("plotted_at", mids)):
        out[col] = pd.to_datetime(pd.Series(values, index=df.index, dtype="object"))
    return out


def rescale(df: pd.DataFrame, display_unit: str) -> pd.DataFrame:
    """Add ``plotted_value``/``plotted_unit``: ``value`` rescaled (same base unit) to the display
    unit, e.g. USD million to USD billion. Only the scale word changes; nothing else is derived."""
    _, target = split_unit(display_unit)
    out = df.copy()
    factors = [(split_unit(u)[1] / target) for u in out["unit"]]
    out["plotted_value"] = out["value"].astype(float) * np.array(factors, dtype=float)
    out["plotted_unit"] = display_unit
    return out


def check_window(start: DateLike, end: DateLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Parse a chart window; raise ``ParameterError`` for a bad date or a start after the end.

    Examples
    --------
    >>> check_window("2022-01-01", "2024-12-31")
    (Timestamp('2022-01-01 00:00:00'), Timestamp('2024-12-31 00:00:00'))
    >>> check_window("2024-01-01", "2022-01-01")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: start: '2024-01-01' is after end '2022-01-01'...
    """
    t0 = parse_date("start", start, latest="today")
    t1 = parse_date("end", end, latest="today")
    if t0 > t1:
        raise ParameterError(
            f"start: {start!r} is after end {end!r}; give a start on or before the end"
        )
    return t0, t1


def empty(what: str, t0: pd.Timestamp, t1: pd.Timestamp, available: pd.Series) -> ParameterError:
    """The error for a window without rows: it names the period the data do cover."""
    available = available.dropna()
    if available.empty:
        cover = "the table has no such rows at all"
    else:
        cover = (f"allowed: a period overlapping {available.min().date()} to "
                 f"{available.max().date()}")
    return ParameterError(f"start, end: no {what} between {t0.date()} and {t1.date()}; {cover}")


def source_rank(source_ids: pd.Series) -> pd.DataFrame:
    """How primary each row's source is (0 first) and when it was published.

    The rule for figures that say the same thing (same reporter, partner, period, flow...):
    prefer the more primary source -- the ``tier`` column of the sources table (``primary``,
    then ``official_via_news``, then ``secondary``); where the table has no tier, an
    ``official`` source counts as primary and any other as secondary -- then the later
    ``published`` date.

    Examples
    --------
    >>> ids = pd.Series(["tempo-2024-07-04-eurasian-security-club"])
    >>> list(source_rank(ids).columns)
    ['tier_rank', 'published']
    """
    src = table("sources").set_index("source_id")
    if "tier" in src.columns:
        order = {t: i for i, t in enumerate(TIERS)}
        rank = src["tier"].map(lambda t: order.get(t, len(TIERS)))
    else:
        rank = src["kind"].map(lambda k: 0 if k == "official" else len(TIERS) - 1)
    published = pd.to_datetime(src["published"], errors="coerce")
    return pd.DataFrame({
        "tier_rank": source_ids.map(rank).fillna(len(TIERS)).to_numpy(int),
        "published": source_ids.map(published).to_numpy(),
    }, index=source_ids.index)


def mark_main(df: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Mark one row per ``keys`` group as ``role='main'``; the others ``'other source'``.

    Order of preference: an undisputed figure before a disputed one (a note starting
    ``[disputed]``: another source shows it to be another series), then a figure as the
    counting body states it before an outlet's conversion of it (a note starting
    ``[conversion``), then (:func:`source_rank`) the more primary source, then the later
    publication, then the later statement (``stated_on``, if the table has it), then file
    order. A disputed figure is ``main`` only where no other figure exists for its point.
    """
    from ..corroboration import is_conversion, is_disputed

    out = df.copy()
    rank = source_rank(out["source_id"])
    notes = out["note"] if "note" in out.columns else pd.Series("", index=out.index)
    step = len(TIERS) + 1
    out["_tier"] = (rank["tier_rank"] + is_conversion(notes).to_numpy(int) * step
                    + is_disputed(notes).to_numpy(int) * 2 * step)
    out["_published"] = rank["published"].fillna(pd.Timestamp.min)
    out["_order"] = np.arange(len(out))
    cols, ascending = ["_tier", "_published"], [True, False]
    if "stated_on" in out.columns:
        out["_stated"] = out["stated_on"].fillna(pd.Timestamp.min)
        cols.append("_stated")
        ascending.append(False)
    cols.append("_order")
    ascending.append(True)
    ranked = out.sort_values(cols, ascending=ascending)
    first = ~ranked.duplicated(list(keys), keep="first")
    out["role"] = np.where(first.reindex(out.index), "main", "other source")
    return out.drop(columns=[c for c in ("_tier", "_published", "_order", "_stated")
                             if c in out.columns])


def with_sources(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    """Rows with the table name first and their source's publisher and URL last.

    Rows of a table of figures (:data:`sco_research.corroboration.FIGURE_KEYS`) also get the
    independent sources that state the same figure (``origin``, ``independent_sources``,
    ``corroborated_by``, ``single_source``: see :func:`sco_research.corroboration.corroborate`),
    so a figure's CSV shows what backs each number.
    """
    from ..corroboration import FIGURE_KEYS, corroborate

    src = table("sources").set_index("source_id")[["publisher", "url"]]
    out = corroborate(rows, name) if name in FIGURE_KEYS else rows.copy()
    out.insert(0, "table", name)
    out["publisher"] = out["source_id"].map(src["publisher"])
    out["url"] = out["source_id"].map(src["url"])
    return out.reset_index(drop=True)


def xrange(lo: pd.Timestamp, hi: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The x-range of a date axis showing ``lo`` to ``hi``: 3% (at least 20 days) each side.

    Examples
    --------
    >>> xrange(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-11"))
    (Timestamp('2019-12-12 00:00:00'), Timestamp('2020-01-31 00:00:00'))
    """
    pad = max((hi - lo) * 0.03, pd.Timedelta(days=20))
    return lo - pad, hi + pad


def event_label(kind: str, date: pd.Timestamp, title: str) -> str:
    """The words written at a labelled event marker.

    Examples
    --------
    >>> event_label("war", pd.Timestamp("2022-02-24"), "")
    'Full-scale invasion of Ukraine, 24 Feb 2022'
    """
    day = day_words(date, short=True)
    if kind == "war":
        return f"Full-scale invasion of Ukraine, {day}"
    if kind == "swift":
        return f"First SWIFT cut-offs, {day}"
    if kind == "reserves":
        return f"Reserves frozen, {day}"
    if kind == "summit" and date == ARTICLE_SUMMIT:
        return f"Astana SCO summit (the article), {day}"
    return str(title)


def event_rows(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    """The events a chart with x-range ``lo``..``hi`` marks, as rows with their sources.

    The first invasion, SWIFT and reserve events and every SCO summit in the range; the first
    three and the summit the article reports on carry a ``label``, the other summits none.
    ``role`` is ``'event marker'`` and ``plotted_at`` the event's date.

    Examples
    --------
    >>> ev = event_rows(pd.Timestamp("2022-01-01"), pd.Timestamp("2024-12-31"))
    >>> sorted(set(ev["kind"])), set(ev["role"])
    (['reserves', 'summit', 'swift', 'war'], {'event marker'})
    """
    ev = table("events")
    ev = ev[ev["kind"].isin(EVENT_KINDS) & (ev["date"] >= lo) & (ev["date"] <= hi)]
    ev = ev.sort_values(["date", "event_id"], kind="stable")
    firsts = [ev.index[ev["kind"] == k][0] for k in ("war", "swift", "reserves")
              if (ev["kind"] == k).any()]
    keep = ev.index.isin(firsts) | (ev["kind"] == "summit").to_numpy()
    ev = ev[keep]
    labelled = ev.index.isin(firsts) | (ev["date"] == ARTICLE_SUMMIT).to_numpy()
    out = ev.assign(
        plotted_at=ev["date"],
        role=MARKER_ROLE,
        label=[event_label(str(r.kind), r.date, r.title) if lab else None
               for r, lab in zip(ev.itertuples(index=False), labelled, strict=True)],
    )
    return with_sources(out, "events")


def invasion() -> pd.Timestamp:
    """The day of the full-scale invasion, from the events table."""
    ev = table("events")
    war = ev[ev["kind"] == "war"]
    return war["date"].min() if len(war) else pd.Timestamp("2022-02-24")


def source_kinds(source_ids: pd.Series) -> pd.Series:
    """The tier of each row's source (or its kind, where the sources table has no tier)."""
    src = table("sources").set_index("source_id")
    col = "tier" if "tier" in src.columns else "kind"
    return source_ids.map(src[col])


def like_with_like(main: pd.DataFrame, before: pd.Timestamp
                   ) -> tuple[pd.Series | None, pd.Series, bool]:
    """The two figures a headline compares: same period length, same kind of source.

    ``main`` holds one series (sorted or not). The latest figure is compared with the last one
    before ``before`` (the invasion) of the same ``period_type`` whose source has the same tier
    (or kind); failing that, with the earliest such figure. Returns ``(first, last, straddles)``;
    ``first`` is None when no figure compares with the latest.
    """
    main = main.sort_values("plotted_at")
    last = main.iloc[-1]
    kinds = source_kinds(main["source_id"])
    same = main[(main["period_type"] == last["period_type"])
                & (kinds == kinds.loc[last.name]).to_numpy() & (main.index != last.name)]
    pre = same[same["plotted_at"] < before]
    if len(pre) and last["plotted_at"] >= before:
        return pre.iloc[-1], last, True
    if len(same):
        return same.iloc[0], last, False
    return None, last, False


def cluster_labels(days: pd.Series, span: pd.Timedelta, text: Callable[[list], str],
                   gap: float = 0.3) -> list[tuple[str, str] | None]:
    """One label per cluster of nearby days in a lane, for rows sorted by day.

    Days closer than ``gap`` of the axis ``span`` to the cluster's first day form a cluster;
    ``text(days_of_the_cluster)`` writes its label. The label goes on the cluster's first row
    as ``(side, text)``, clusters alternating ``'above'`` and ``'below'`` the lane; every other
    row gets None.

    Examples
    --------
    >>> days = pd.Series(pd.to_datetime(["2020-01-01", "2020-02-01", "2024-01-01"]))
    >>> cluster_labels(days, pd.Timedelta(days=3650), lambda d: f"{len(d)} days")
    [('above', '2 days'), None, ('below', '1 days')]
    """
    clusters: list[list[pd.Timestamp]] = []
    for day in sorted(set(days)):
        if clusters and day - clusters[-1][0] < gap * span:
            clusters[-1].append(day)
        else:
            clusters.append([day])
    labels = {cl[0]: ("above" if k % 2 == 0 else "below", text(cl))
              for k, cl in enumerate(clusters)}
    first = ~days.duplicated()
    return [labels.get(d) if f else None for d, f in zip(days, first, strict=True)]
