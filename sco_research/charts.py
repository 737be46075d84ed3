"""Charts for the trade and currency themes: the article's claims next to cited figures.

Each chart function returns a :class:`matplotlib.figure.Figure` that carries

* a title stating the finding, computed from the rows the chart plots (never typed in);
* axes labelled with units; values in different units never share an axis;
* dated event markers from the events table: the 2022 invasion, the SWIFT cut-offs, the reserve
  freeze and the SCO summits (the Astana summit the article reports on is named);
* the article's claim as a short callout, taken from the claims table (our own words);
* a source line under the chart built from the sources table (also ``fig._sco_source_line``).

Where two sources give different figures for the same thing, both are plotted: the first
(official sources first, then the latest statement, then file order) as a filled marker on the
line, the others as hollow markers joined to it by a dotted stroke.

:func:`chart_rows` returns the rows behind any chart, one per plotted figure, each with its
``source_id``, publisher and ``url``, so every number can be traced to a row and a page.

matplotlib is imported here and in :mod:`sco_research._plotting` only, never by
``import sco_research``.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from sco_research import charts
>>> fig = charts.trade_chart(("CHN", "IND"), start="2013-01-01", end="2025-12-31")
>>> rows = charts.chart_rows(fig)
>>> {"source_id", "url", "value", "unit", "plotted_value"} <= set(rows.columns)
True
>>> plt.close(fig)
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import _plotting
from ._checks import DateLike, check_choice, check_choices, parse_date
from .data import load
from .errors import ParameterError

__all__ = [
    "CHARTS",
    "SETTLEMENT_INDICATORS",
    "SHARE_INDICATORS",
    "INDICATORS",
    "TRADE_FLOWS",
    "chart_rows",
    "check_indicators",
    "check_window",
    "energy_chart",
    "export_settlement_mix_chart",
    "reserve_and_payment_shares_chart",
    "sanctions_timeline_chart",
    "settlement_currency_chart",
    "trade_chart",
]

#: Flows of the trade table, read from Russia's side (exports = Russia's exports to the partner).
TRADE_FLOWS: tuple[str, ...] = ("turnover", "exports", "imports")

#: Series of the currency table drawn by :func:`settlement_currency_chart`.
SETTLEMENT_INDICATORS: tuple[str, ...] = (
    "russia_china_trade_settlement",
    "sco_trade_national_currencies",
)

#: Series of the currency table drawn by :func:`reserve_and_payment_shares_chart`
#: (``payment_system`` rows are dated statements without a figure).
SHARE_INDICATORS: tuple[str, ...] = (
    "reserves_share_cofer",
    "swift_payments_share",
    "payment_system",
)

#: Every series of the currency table a chart of this module draws.
INDICATORS: tuple[str, ...] = (
    *SETTLEMENT_INDICATORS,
    "russia_export_settlement",
    "russia_import_settlement",
    *SHARE_INDICATORS,
)

#: Annual period types (calendar years and India's April-March fiscal years).
_ANNUAL = ("calendar_year", "fiscal_year_april_march")

#: Event kinds drawn as dated markers on every chart.
_EVENT_KINDS = ("war", "swift", "reserves", "summit")

#: SWIFT changed how it counts payments in July 2023 (see the notes of the swift_payments_share
#: rows, e.g. sputnik-2023-06-21-swift-may-2023 and swift-2023-09-rmb-tracker): shares before and
#: after are not comparable, so lines are broken there and the break is marked.
_SWIFT_METHOD_CHANGE = pd.Timestamp("2023-07-01")

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}

#: Colours for partners and currency groups (Okabe-Ito plus two darker tones); event kinds keep
#: the colours of ``_plotting.EVENT_COLORS``.
_SERIES_COLORS = [
    _plotting.PALETTE["blue"],
    _plotting.PALETTE["green"],
    _plotting.PALETTE["sky"],
    _plotting.PALETTE["black"],
    "#8C510A",
    "#762A83",
    _plotting.PALETTE["orange"],
    _plotting.PALETTE["vermillion"],
]

_CURRENCY_COLORS = {
    "USD": _plotting.PALETTE["blue"],
    "EUR": _plotting.PALETTE["orange"],
    "CNY": _plotting.PALETTE["vermillion"],
}

_CURRENCY_NAMES = {"USD": "US dollar", "EUR": "euro", "CNY": "yuan (renminbi)"}


# -- small helpers --------------------------------------------------------------------------


def _table(name: str) -> pd.DataFrame:
    """A table with text and category columns as plain Python objects (missing: None)."""
    df = load(name)
    for col in df.columns:
        if isinstance(df[col].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(
            df[col].dtype
        ):
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


_PERIOD_RE = re.compile(
    r"^(?:FY(?P<fy>\d{4})-\d{2}|(?P<y>\d{4})(?:-(?P<m>\d{2})|-Q(?P<q>[1-4])|-H(?P<h>[12]))?)$"
)


def _period_span(period: str | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First day and the day after the last day of a period string; None if blank.

    Understands ``2023``, ``FY2023-24`` (April-March), ``2023-05``, ``2023-Q2``, ``2023-H1``
    and ranges ``A/B`` of those.

    Examples
    --------
    >>> _period_span("FY2021-22")
    (Timestamp('2021-04-01 00:00:00'), Timestamp('2022-04-01 00:00:00'))
    >>> _period_span("2024-01/2024-04")
    (Timestamp('2024-01-01 00:00:00'), Timestamp('2024-05-01 00:00:00'))
    """
    if period is None or str(period).strip() == "":
        return None
    text = str(period).strip()
    if "/" in text:
        first, last = text.split("/", 1)
        a, b = _period_span(first), _period_span(last)
        if a is None or b is None:
            return None
        return a[0], b[1]
    m = _PERIOD_RE.match(text)
    if not m:
        return None
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


def _add_spans(df: pd.DataFrame, fallback: str | None = None) -> pd.DataFrame:
    """Add ``period_start``, ``period_end`` and ``plotted_at`` (the period's middle).

    Rows without a readable period fall back to the date in column ``fallback``.
    """
    starts, ends, mids = [], [], []
    for rec in df.itertuples(index=False):
        span = _period_span(getattr(rec, "period", None))
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
    out["period_start"] = pd.to_datetime(pd.Series(starts, index=df.index, dtype="object"))
    out["period_end"] = pd.to_datetime(pd.Series(ends, index=df.index, dtype="object"))
    out["plotted_at"] = pd.to_datetime(pd.Series(mids, index=df.index, dtype="object"))
    return out


def _split_unit(unit: str | None) -> tuple[str, float]:
    """Split a unit into its base and scale: ``'USD billion'`` -> ``('USD', 1e9)``.

    Examples
    --------
    >>> _split_unit("million barrels per day")
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


def _rescale(df: pd.DataFrame, display_unit: str) -> pd.DataFrame:
    """Add ``plotted_value``/``plotted_unit``: ``value`` rescaled (same base unit) to the display
    unit, e.g. USD million to USD billion. Only the scale word changes; nothing else is derived."""
    _, target = _split_unit(display_unit)
    out = df.copy()
    factors = [(_split_unit(u)[1] / target) for u in out["unit"]]
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
    return _window(start, end)


def _window(start: DateLike, end: DateLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    t0 = parse_date("start", start)
    t1 = parse_date("end", end)
    if t0 > t1:
        raise ParameterError(
            f"start: {start!r} is after end {end!r}; give a start on or before the end"
        )
    return t0, t1


def _empty(what: str, t0: pd.Timestamp, t1: pd.Timestamp, available: pd.Series) -> ParameterError:
    """The error for a window without rows: it names the period the data do cover."""
    available = available.dropna()
    if available.empty:
        cover = "the table has no such rows at all"
    else:
        cover = (f"allowed: a period overlapping {available.min().date()} to "
                 f"{available.max().date()}")
    return ParameterError(
        f"start, end: no {what} between {t0.date()} and {t1.date()}; {cover}"
    )


def _country_names() -> dict[str, str]:
    m = _table("membership")
    names = dict(zip(m["iso3"], m["country"], strict=False))
    names.setdefault("RUS", "Russia")
    return names


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _fmt(v: float) -> str:
    """A plotted number, short: at most four significant digits (the row keeps the exact value).

    Examples
    --------
    >>> _fmt(13.12468), _fmt(228.1), _fmt(0.052)
    ('13.12', '228.1', '0.052')
    """
    return f"{v:.4g}"


def _change(v0: float, v1: float) -> str:
    """Words for the change from ``v0`` to ``v1``.

    Examples
    --------
    >>> _change(13.1, 68.7), _change(146.9, 228.1), _change(244.8, 228.1)
    ('rose 5.2-fold', 'rose 55%', 'fell 7%')
    """
    if v0 <= 0 or pd.isna(v0) or pd.isna(v1):
        return "changed"
    r = v1 / v0
    if r >= 1.95:
        return f"rose {r:.1f}-fold"
    if r > 1.005:
        return f"rose {100 * (r - 1):.0f}%"
    if r < 0.995:
        return f"fell {100 * (1 - r):.0f}%"
    return "was unchanged"


def _when(rec) -> str:
    """The period a figure refers to, or the date it was stated when no period is given."""
    period = getattr(rec, "period", None)
    if period:
        return str(period)
    stated = getattr(rec, "stated_on", None)
    if stated is not None and pd.notna(stated):
        return f"said {pd.Timestamp(stated).date()}"
    return "period not stated"


def _short_period(period: str | None) -> str | None:
    """A range inside one year written short: '2021-01/2021-05' -> '2021-01/05'."""
    if not period or "/" not in period:
        return period
    a, b = period.split("/", 1)
    if a[:4] == b[:4] and len(a) == len(b) == 7:
        return f"{a}/{b[5:]}"
    return period


def _month(rec) -> str:
    """The period of a figure, or the month it was stated in ('Nov 2025')."""
    get = rec.get if isinstance(rec, pd.Series) else lambda k: getattr(rec, k, None)
    if get("period"):
        return str(get("period"))
    stated = get("stated_on")
    if stated is not None and pd.notna(stated):
        return pd.Timestamp(stated).strftime("%b %Y")
    return "period not stated"


def _mark_main(df: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Mark one row per ``keys`` group as ``role='main'``; the others ``'other source'``.

    Order of preference: official sources, then the latest statement (``stated_on``, if the
    table has it), then the order of the file.
    """
    out = df.copy()
    kinds = _table("sources").set_index("source_id")["kind"]
    out["_official"] = out["source_id"].map(kinds).ne("official")
    out["_order"] = np.arange(len(out))
    sort_cols, ascending = ["_official"], [True]
    if "stated_on" in out.columns:
        out["_stated"] = out["stated_on"].fillna(pd.Timestamp.min)
        sort_cols.append("_stated")
        ascending.append(False)
    sort_cols.append("_order")
    ascending.append(True)
    ranked = out.sort_values(sort_cols, ascending=ascending)
    first = ~ranked.duplicated(list(keys), keep="first")
    out["role"] = np.where(first.reindex(out.index), "main", "other source")
    return out.drop(columns=[c for c in ("_official", "_order", "_stated") if c in out.columns])


def _with_sources(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows with the table name and their source's publisher and URL."""
    src = _table("sources").set_index("source_id")[["publisher", "url"]]
    out = rows.copy()
    out.insert(0, "table", table)
    out["publisher"] = out["source_id"].map(src["publisher"])
    out["url"] = out["source_id"].map(src["url"])
    return out.reset_index(drop=True)


def _unique(values: Iterable) -> list:
    seen: list = []
    for v in values:
        if v is not None and not (isinstance(v, float) and np.isnan(v)) and v not in seen:
            seen.append(v)
    return seen


def _surname(name: str) -> str:
    """A speaker's name as written next to a point: a person's family name, a body's name.

    Chinese names put the family name first.

    Examples
    --------
    >>> _surname("Anton Siluanov"), _surname("Wang Yi"), _surname("SCO Council of Heads of State")
    ('Siluanov', 'Wang', 'SCO heads of state')
    """
    text = str(name)
    if text in _SHORT_NAMES:
        return _SHORT_NAMES[text]
    words = text.split()
    is_person = 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words) and not (
        set(words) & {"Bank", "Council", "Ministry", "SCO", "IMF", "SWIFT", "Commission",
                      "Secretariat", "Service"})
    if not is_person:
        return text
    return words[0] if words[0] in _FAMILY_NAME_FIRST else words[-1]


#: Common Chinese family names (written first) among the speakers of the currency table.
_FAMILY_NAME_FIRST = {"Xi", "Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang",
                      "Zhou", "Wu", "Sun", "Ma", "Hu", "Guo", "Lin"}


_SHORT_NAMES = {
    "SCO Council of Heads of State": "SCO heads of state",
    "Ministry of Economic Development of Russia": "Russian economy ministry",
    "Russian Ministry of Finance": "Russian finance ministry",
    "European Commission": "Commission",
}


def _who(imposed_by: str) -> str:
    """Who imposed a measure, short: 'EU+USA+GBR+CAN+FRA+DEU+ITA' -> 'EU+USA+5 more'."""
    parts = str(imposed_by).split("+")
    return imposed_by if len(parts) <= 3 else "+".join(parts[:2]) + f"+{len(parts) - 2} more"


def _money(amount: float, unit: str) -> str:
    """'USD billion', 300 -> 'USD 300bn'."""
    base, scale = _split_unit(unit)
    suffix = {1e9: "bn", 1e12: "tn", 1e6: "m"}.get(scale)
    return f"{base} {amount:g}{suffix}" if suffix and base else f"{amount:g} {unit}"


# -- layout, events, finishing --------------------------------------------------------------


@dataclass
class _Layout:
    fig: Figure
    axes: list[Axes]
    side: Axes | None
    handles: list = field(default_factory=list)


def _check_ax(ax) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise ParameterError(
            f"ax: expected a matplotlib Axes or None, got {ax!r} of type {type(ax).__name__}"
        )


def _layout(n_panels: int, ax: Axes | None, *, height_ratios: Sequence[float] | None = None,
            figsize: tuple[float, float] = (12, 6.2), panel_names: str = "panels") -> _Layout:
    """Panels stacked on a shared date axis, plus a side column for the legend and the claim."""
    _check_ax(ax)
    if ax is not None:
        if n_panels != 1:
            raise ParameterError(
                f"ax: this selection needs {n_panels} {panel_names}, which cannot be drawn on "
                f"one given Axes; pass ax=None or select a single one"
            )
        return _Layout(ax.figure, [ax], None)
    with _plotting.house_style():
        fig = plt.figure(figsize=figsize, layout="constrained")
        gs = fig.add_gridspec(n_panels, 2, width_ratios=[3.3, 1],
                              height_ratios=list(height_ratios) if height_ratios else None)
        axes: list[Axes] = []
        for i in range(n_panels):
            axes.append(fig.add_subplot(gs[i, 0], sharex=axes[0] if axes else None))
        side = fig.add_subplot(gs[:, 1])
        side.axis("off")
    for a in axes:
        a.spines["top"].set_visible(False)
        a.spines["right"].set_visible(False)
        a.tick_params(labelsize=8)
    return _Layout(fig, axes, side)


def _set_date_axis(axes: Sequence[Axes], lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    pad = max((hi - lo) * 0.03, pd.Timedelta(days=20))
    axes[0].set_xlim(lo - pad, hi + pad)
    span_years = (hi - lo).days / 365.25
    for a in axes:
        if span_years > 2.5:
            a.xaxis.set_major_locator(mdates.YearLocator())
            a.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        else:
            a.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
            a.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    for a in axes[:-1]:
        a.tick_params(labelbottom=False)


def _event_label(rec, article_summit: pd.Timestamp) -> str:
    day = pd.Timestamp(rec.date).strftime("%-d %b %Y")
    if rec.kind == "war":
        return f"Full-scale invasion of Ukraine, {day}"
    if rec.kind == "swift":
        return f"SWIFT cut-offs from {day}"
    if rec.kind == "reserves":
        return f"Reserves frozen from {day}"
    if rec.kind == "summit" and pd.Timestamp(rec.date) == article_summit:
        return f"Astana SCO summit (the article), {day}"
    return str(rec.title)


def _draw_events(axes: Sequence[Axes], layout: _Layout) -> pd.DataFrame:
    """Draw the war, SWIFT, reserve and summit events inside the x-range; return their rows.

    The first event of each of war, SWIFT and reserves, and the summit the article reports on,
    are labelled with their date; the others are thin unlabelled lines of the same colour.
    """
    ev = _table("events")
    ev = ev[ev["kind"].isin(_EVENT_KINDS)].sort_values("date")
    lo, hi = (mdates.num2date(x).replace(tzinfo=None) for x in axes[0].get_xlim())
    ev = ev[(ev["date"] >= pd.Timestamp(lo)) & (ev["date"] <= pd.Timestamp(hi))]
    article = _plotting.ARTICLE_SUMMIT
    key = []
    for kind in ("war", "swift", "reserves"):
        k = ev[ev["kind"] == kind]
        if len(k):
            key.append(k.index[0])
    key += list(ev[(ev["kind"] == "summit") & (ev["date"] == article)].index)
    labelled = ev.loc[key].copy()
    labelled["title"] = [_event_label(r, article) for r in labelled.itertuples(index=False)]
    labelled = labelled.sort_values("date")
    others = ev.drop(index=key)
    # Labels in the right quarter of the axes are written leftwards so they are not cut off.
    x0, x1 = axes[0].get_xlim()
    frac = (mdates.date2num(labelled["date"]) - x0) / (x1 - x0)
    right = labelled[frac > 0.75]
    for i, a in enumerate(axes):
        _plotting.event_markers(a, others, label=False)
        _plotting.event_markers(a, labelled, label=False)
        if i == 0:
            _plotting.event_markers(a, labelled.drop(index=right.index), label=True,
                                    ymax_frac=0.985)
            for j, rec in enumerate(labelled.itertuples(index=False)):
                if rec.event_id in set(right["event_id"]):
                    a.text(rec.date, 0.985 - 0.06 * (j % 4), str(rec.title) + " ",
                           transform=a.get_xaxis_transform(), fontsize=6.5, va="top",
                           ha="right", color=_plotting.EVENT_COLORS.get(str(rec.kind)))
    names = {"war": "War (events table)", "swift": "SWIFT cut-offs", "reserves":
             "Reserve freeze and estimates", "summit": "SCO summits"}
    for kind in _EVENT_KINDS:
        if (ev["kind"] == kind).any():
            layout.handles.append(Line2D([], [], color=_plotting.EVENT_COLORS[kind], ls="--",
                                         lw=0.9, label=names[kind]))
    return _with_sources(ev, "events")


def _claim_text(claim_ids: Sequence[str], width: int) -> tuple[str, list[str]]:
    claims = _table("claims").set_index("claim_id")
    parts, sources = [], []
    for cid in claim_ids:
        rec = claims.loc[cid]
        body = textwrap.fill(str(rec["claim"]), width)
        parts.append(f"The article ({cid}, paragraph {int(rec['paragraph'])}):\n{body}")
        sources.append(rec["source_id"])
    return "\n\n".join(parts), sources


def _title(ax: Axes, title: str, subtitle: str | None, width: int) -> None:
    lines = textwrap.wrap(title, width)
    sub = textwrap.wrap(subtitle, int(width * 1.3)) if subtitle else []
    ax.set_title("\n".join(lines), loc="left", fontsize=11, fontweight="bold",
                 pad=6 + 11 * len(sub))
    if sub:
        ax.text(0, 1.012, "\n".join(sub), transform=ax.transAxes, fontsize=8.5,
                color="#444444", va="bottom", ha="left")


def _finish(layout: _Layout, *, title: str, subtitle: str | None, claim_ids: Sequence[str],
            rows: pd.DataFrame, events: pd.DataFrame, note: str | None) -> Figure:
    fig, ax0 = layout.fig, layout.axes[0]
    _title(ax0, title, subtitle, 95 if layout.side is not None else 70)
    callout, claim_sources = _claim_text(claim_ids, 40 if layout.side is not None else 60)
    if layout.side is not None:
        if layout.handles:
            layout.side.legend(handles=layout.handles, loc="upper left", fontsize=7.5,
                               frameon=False, borderaxespad=0, handlelength=2.2)
        layout.side.text(0, 0, callout, transform=layout.side.transAxes, ha="left",
                         va="bottom", fontsize=7.5, style="italic",
                         bbox={"boxstyle": "round,pad=0.5", "fc": "#f7f7f7", "ec": "#cccccc"})
    else:
        if layout.handles:
            ax0.legend(handles=layout.handles, loc="upper left", fontsize=7)
        _plotting.callout(ax0, callout)
    data_sources = _unique(rows["source_id"])
    note_text = "Rows and URLs behind every figure: sco_research.charts.chart_rows(fig)."
    if note:
        note_text = f"{note} {note_text}"
    _plotting.add_source_line(fig, [*data_sources, *claim_sources],
                              note=textwrap.fill(note_text, 200), width=200)
    fig._sco_rows = rows  # type: ignore[attr-defined]
    fig._sco_event_rows = events  # type: ignore[attr-defined]
    fig._sco_claims = list(claim_ids)  # type: ignore[attr-defined]
    fig._sco_callout = callout  # type: ignore[attr-defined]
    fig._sco_title = title  # type: ignore[attr-defined]
    return fig


def _other_handle(label: str = "Another source, same period (sources disagree)") -> Line2D:
    return Line2D([], [], marker="o", ls="", mfc="white", mec="#444444", mew=1.2, ms=6,
                  label=label)


def _plot_others(ax: Axes, main: pd.DataFrame, others: pd.DataFrame, keys: Sequence[str],
                 color: str, marker: str) -> None:
    """Hollow markers for the other sources, joined by a dotted stroke to the main figure."""
    if others.empty:
        return
    ref = main.set_index(list(keys))["plotted_value"]
    for rec in others.itertuples(index=False):
        k = tuple(getattr(rec, c) for c in keys)
        k = k[0] if len(k) == 1 else k
        if k in ref.index:
            ax.plot([rec.plotted_at, rec.plotted_at], [ref.loc[k], rec.plotted_value],
                    color=color, lw=0.8, ls=":", zorder=2)
    ax.scatter(others["plotted_at"], others["plotted_value"], marker=marker, s=34,
               facecolors="white", edgecolors=color, linewidths=1.2, zorder=4)


def _line_xy(main: pd.DataFrame) -> tuple[list, list]:
    """x and y of a line through ``main`` (sorted), broken where periods are missing."""
    xs: list = []
    ys: list = []
    prev_end = None
    for rec in main.sort_values("plotted_at").itertuples(index=False):
        if prev_end is not None and pd.notna(rec.period_start) and (
                rec.period_start - prev_end > pd.Timedelta(days=1)):
            xs.append(rec.period_start)
            ys.append(np.nan)
        xs.append(rec.plotted_at)
        ys.append(rec.plotted_value)
        prev_end = rec.period_end
    return xs, ys


def _place_labels(ax: Axes, items: Sequence[tuple], fontsize: float = 6.5) -> None:
    """Write each ``(x, y, text, color)`` label next to its point, avoiding the others.

    Tries positions right, left, above and below the point (growing distances) and keeps the
    first whose box overlaps no earlier label, no marker and stays inside the axes.
    """
    if not items:
        return
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    xs = mdates.date2num([pd.Timestamp(i[0]) for i in items])
    pts = ax.transData.transform(np.column_stack([xs, [float(i[1]) for i in items]]))
    r = 4 * fig.dpi / 72
    taken = [mtransforms.Bbox.from_extents(px - r, py - r, px + r, py + r) for px, py in pts]
    frame = ax.get_window_extent(renderer)
    candidates = [(4, 3, "left"), (4, -10, "left"), (-4, 3, "right"), (-4, -10, "right")]
    for step in range(1, 7):
        for dx, ha in ((4, "left"), (-4, "right")):
            candidates += [(dx, 3 + 9 * step, ha), (dx, -10 - 9 * step, ha)]
    order = np.argsort(xs, kind="stable")

    def clash(box) -> float:
        return sum(max(0.0, min(box.x1, b.x1) - max(box.x0, b.x0))
                   * max(0.0, min(box.y1, b.y1) - max(box.y0, b.y0)) for b in taken)

    for k in order:
        x, y, text, color = items[k]
        best = None
        least = None
        for dx, dy, ha in candidates:
            far = abs(dy) > 12
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                            ha=ha, va="bottom", fontsize=fontsize, color=color,
                            arrowprops={"arrowstyle": "-", "lw": 0.4, "color": color,
                                        "shrinkA": 0, "shrinkB": 3} if far else None)
            t.set_in_layout(False)
            box = t.get_window_extent(renderer).padded(2 * fig.dpi / 72)
            inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                      and box.y1 <= frame.y1)
            if inside and not any(box.overlaps(b) for b in taken):
                best = (t, box)
                break
            t.remove()
            score = clash(box) + (0 if inside else 1e9)
            if least is None or score < least[0]:
                least = (score, dx, dy, ha)
        if best is None:
            _, dx, dy, ha = least
            far = abs(dy) > 12
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                            va="bottom", fontsize=fontsize, color=color,
                            arrowprops={"arrowstyle": "-", "lw": 0.4, "color": color,
                                        "shrinkA": 0, "shrinkB": 3} if far else None)
            t.set_in_layout(False)
            best = (t, t.get_window_extent(renderer))
        taken.append(best[1])


def _headroom(ax: Axes, top: float, bottom: float = 0.0, frac: float = 0.74) -> None:
    """Leave the upper part of the axes free for the event labels."""
    ax.set_ylim(bottom, bottom + (top - bottom) / frac)


def _invasion() -> pd.Timestamp:
    ev = _table("events")
    war = ev[ev["kind"] == "war"]
    return war["date"].min() if len(war) else pd.Timestamp("2022-02-24")


# -- trade ----------------------------------------------------------------------------------


def _trade_rows(partners, start, end, flow, currency) -> tuple[pd.DataFrame, tuple, str]:
    flow = check_choice("flow", flow, TRADE_FLOWS, kind="flow")
    t0, t1 = _window(start, end)
    trade = _table("trade")
    pair = trade[(trade["reporter"] == "RUS") | (trade["partner"] == "RUS")].copy()
    pair["partner_iso3"] = np.where(pair["reporter"] == "RUS", pair["partner"],
                                    pair["reporter"])
    allowed = sorted(set(pair["partner_iso3"]) - {"RUS"})
    partners = check_choices("partners", partners, allowed, kind="partner")
    if not partners:
        raise ParameterError(
            f"partners: give at least one partner; allowed: {', '.join(map(repr, allowed))}"
        )
    if flow == "turnover":
        m = pair["flow"] == "turnover"
    else:
        mirror = {"exports": "imports", "imports": "exports"}[flow]
        m = ((pair["reporter"] == "RUS") & (pair["flow"] == flow)) | (
            (pair["reporter"] != "RUS") & (pair["flow"] == mirror))
    sel = pair[m & pair["partner_iso3"].isin(partners) & pair["period_type"].isin(_ANNUAL)]
    sel = _add_spans(sel)
    in_window = (sel["plotted_at"] >= t0) & (sel["plotted_at"] <= t1)
    if not in_window.any():
        raise _empty(f"annual {flow} figures for partners {partners!r}", t0, t1,
                     sel["plotted_at"])
    sel = sel[in_window]
    sel["_base"] = [_split_unit(u)[0] for u in sel["unit"]]
    currencies = sorted(set(sel["_base"]))
    currency = check_choice("currency", currency, currencies, kind="currency",
                            where=f"units of the selected {flow} rows")
    excluded = sel[sel["_base"] != currency]
    sel = sel[sel["_base"] == currency].drop(columns="_base")
    display = sel["unit"].value_counts().index[0]
    sel = _rescale(sel, display)
    sel = _mark_main(sel, ["partner_iso3", "reporter", "period", "flow"])
    note = None
    if len(excluded):
        units = ", ".join(sorted(set(excluded["unit"])))
        note = (f"Not plotted: {len(excluded)} figure(s) stated in other units ({units}); "
                f"choose them with currency=.")
    return sel, partners, note


def trade_chart(
    partners: Sequence[str] | str = ("CHN", "IND"),
    start: DateLike = "2013-01-01",
    end: DateLike = "today",
    flow: str = "turnover",
    ax: Axes | None = None,
    *,
    currency: str = "USD",
) -> Figure:
    """Russia's yearly trade with SCO partners, as each side's statistics state it.

    One line per partner and reporting side (China's customs, India's ministry, Russia's
    figures) and period type: calendar years as circles, India's April-March fiscal years as
    squares, each at the middle of its period. Only annual figures are drawn; values stated in
    a smaller unit of the same currency (USD million) are rescaled to the display unit (USD
    billion), nothing else is converted.

    Parameters
    ----------
    partners : str or sequence of str
        ISO 3166-1 alpha-3 codes of Russia's partners with rows in the trade table.
    start, end : str, date or Timestamp
        Window on the middle of each period (``'today'`` allowed).
    flow : {'turnover', 'exports', 'imports'}
        Read from Russia's side: ``'exports'`` are Russia's exports, taken from Russia's
        figures or from the partner's imports from Russia (mirror statistics).
    ax : matplotlib Axes, optional
        Draw into this Axes (the legend and the claim then go inside it).
    currency : str
        Currency of the values to plot (``'USD'``; also ``'CNY'``, ``'RUB'`` where stated).
        Rows in other currencies are left out and counted in the note under the chart.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        Unknown partner, flow or currency, a bad date, or no rows in the window; the message
        names the allowed values.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = trade_chart(("CHN", "IND"), start="2013-01-01", end="2025-12-31")
    >>> fig.axes[0].get_ylabel()
    'Trade turnover, USD billion'
    >>> plt.close(fig)
    >>> trade_chart(("CHN", "USA"))
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: partners: unknown partner 'USA'...
    """
    rows, partners, note = _trade_rows(partners, start, end, flow, currency)
    names = _country_names()
    layout = _layout(1, ax)
    axm = layout.axes[0]
    unit = rows["plotted_unit"].iloc[0]
    invasion = _invasion()
    findings, details = [], []
    colors = {p: _SERIES_COLORS[i % len(_SERIES_COLORS)] for i, p in enumerate(partners)}
    for partner in partners:
        prow = rows[rows["partner_iso3"] == partner]
        if prow.empty:
            continue
        best = None
        for (reporter, ptype), g in prow.groupby(["reporter", "period_type"], sort=False):
            main = g[g["role"] == "main"].sort_values("plotted_at")
            others = g[g["role"] != "main"]
            fiscal = ptype == "fiscal_year_april_march"
            marker = "s" if fiscal else "o"
            ls = "-" if reporter == partner else "--"
            label = (f"{names.get(partner, partner)}: {_possessive(names.get(reporter, reporter))}"
                     f" figures" + (", fiscal years Apr-Mar" if fiscal else ""))
            axm.plot(*_line_xy(main), color=colors[partner], ls=ls, marker=marker, ms=5, lw=1.6,
                     zorder=3, label=label)
            layout.handles.append(Line2D([], [], color=colors[partner], ls=ls, marker=marker,
                                         ms=5, lw=1.6, label=label))
            _plot_others(axm, main, others, ["period"], colors[partner], marker)
            last = main.iloc[-1]
            axm.annotate(_fmt(last["plotted_value"]), (last["plotted_at"], last["plotted_value"]),
                         xytext=(5, 0), textcoords="offset points", fontsize=7.5,
                         color=colors[partner], va="center")
            score = (len(main), reporter == partner)
            if best is None or score > best[0]:
                best = (score, main, reporter)
        _, main, reporter = best
        pre = main[main["plotted_at"] < invasion]
        first = pre.iloc[-1] if len(pre) and (main["plotted_at"] >= invasion).any() else \
            main.iloc[0]
        last = main.iloc[-1]
        name = names.get(partner, partner)
        if first.name != last.name:
            findings.append(f"with {name} {_change(first['plotted_value'], last['plotted_value'])}")
            details.append(f"{name} {_fmt(first['plotted_value'])} ({first['period']}) to "
                           f"{_fmt(last['plotted_value'])} ({last['period']}, "
                           f"{_possessive(names.get(reporter, reporter))} figures)")
        else:
            findings.append(f"with {name} was {_fmt(last['plotted_value'])} {unit} "
                            f"in {last['period']}")
            details.append(f"{name} {_fmt(last['plotted_value'])} ({last['period']})")
    flow_words = {"turnover": "trade turnover", "exports": "exports", "imports": "imports"}[
        rows["flow"].iloc[0] if flow == "turnover" else flow]
    straddles = (rows["plotted_at"] < invasion).any() and (rows["plotted_at"] >= invasion).any()
    lead = "From the last pre-war year to the latest" if straddles else "Over the years shown"
    title = (f"{lead}, Russia's {flow_words} " + _join(findings))
    subtitle = f"{unit}: " + "; ".join(details)
    if rows["role"].ne("main").any():
        layout.handles.append(_other_handle())
    axm.set_ylabel(f"{flow_words[0].upper()}{flow_words[1:]}, {unit}" if flow == "turnover"
                   else f"Russia's {flow_words}, {unit}")
    fiscal = (rows["period_type"] == "fiscal_year_april_march").any()
    axm.set_xlabel("Year (each figure at the middle of its period"
                   + ("; India's fiscal years run April-March" if fiscal else "") + ")")
    _set_date_axis(layout.axes, rows["period_start"].min(), rows["period_end"].max())
    top = rows["plotted_value"].max()
    axm.set_ylim(0, top * 1.35)
    events = _draw_events(layout.axes, layout)
    if flow != "turnover":
        mirror = ("Russia's exports: Russia's exports or the partner's imports from Russia"
                  if flow == "exports" else
                  "Russia's imports: Russia's imports or the partner's exports to Russia")
        note = f"{mirror}. " + (note or "")
    return _finish(layout, title=title, subtitle=subtitle, claim_ids=["c05", "c06"], rows=
                   _with_sources(rows, "trade"), events=events, note=note)


def _join(parts: Sequence[str]) -> str:
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# -- currency: checks shared by the currency charts ------------------------------------------


def check_indicators(indicators: Sequence[str] | str,
                     allowed: Sequence[str] = INDICATORS) -> tuple[str, ...]:
    """Check currency-table series names; return them as a tuple (notebooks call it first).

    Parameters
    ----------
    indicators : str or sequence of str
        Series of the currency table, e.g. ``'reserves_share_cofer'``.
    allowed : sequence of str
        The series accepted (default: every series a chart of this module draws).

    Examples
    --------
    >>> check_indicators(["reserves_share_cofer", "swift_payments_share"])
    ('reserves_share_cofer', 'swift_payments_share')
    >>> check_indicators(["reserves"])
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: indicators: unknown indicator 'reserves'...
    """
    items = check_choices("indicators", indicators, allowed, kind="indicator")
    if not items:
        raise ParameterError(
            "indicators: give at least one indicator; allowed: "
            + ", ".join(repr(a) for a in allowed)
        )
    return items


def _currency_rows(indicators: Sequence[str], t0: pd.Timestamp, t1: pd.Timestamp, what: str,
                   *, need_value: bool = True) -> pd.DataFrame:
    cur = _table("currency")
    sel = _add_spans(cur[cur["series"].isin(list(indicators))], fallback="stated_on")
    # Statements about a payment system are placed at the day they were made, not at the
    # period they talk about.
    said = (sel["series"] == "payment_system") & sel["stated_on"].notna()
    sel.loc[said, "plotted_at"] = sel.loc[said, "stated_on"]
    if need_value:
        sel = sel[sel["value"].notna()]
    in_window = (sel["plotted_at"] >= t0) & (sel["plotted_at"] <= t1)
    if not in_window.any():
        raise _empty(what, t0, t1, sel["plotted_at"])
    return sel[in_window]


# -- settlement shares in Russia-China and Russia-SCO trade ----------------------------------

#: Groups of the settlement chart: (series, currency codes) -> label, colour, marker.
_SETTLEMENT_GROUPS = [
    ("russia_china_trade_settlement", ("RUB+CNY",), "Russia–China: rubles and yuan",
     _plotting.PALETTE["blue"], "o"),
    ("russia_china_trade_settlement", ("national",), "Russia–China: 'national currencies'",
     _plotting.PALETTE["blue"], "D"),
    ("russia_china_trade_settlement", ("RUB",), "Russia–China: rubles only",
     _plotting.PALETTE["sky"], "v"),
    ("russia_china_trade_settlement", ("CNY",), "Russia–China: yuan only", "#8C510A", "^"),
    ("sco_trade_national_currencies", ("national",),
     "Russia–SCO states: 'national currencies'", _plotting.PALETTE["green"], "s"),
    ("sco_trade_national_currencies", ("RUB",), "Russia–SCO states: rubles only",
     _plotting.PALETTE["green"], "P"),
]


def settlement_currency_chart(
    indicators: Sequence[str] | str = SETTLEMENT_INDICATORS,
    start: DateLike = "2014-01-01",
    end: DateLike = "today",
    ax: Axes | None = None,
) -> Figure:
    """Shares of national currencies in Russia's trade with China and with SCO states, as stated.

    Each point is one official's statement (the table keeps who said it and when), labelled with
    the speaker. Figures for a stated period sit at the middle of that period with a whisker over
    it; figures without a period sit at the date they were stated. Statements that gave no
    figure are the open triangles along the bottom.

    Parameters
    ----------
    indicators : str or sequence of str
        Any of :data:`SETTLEMENT_INDICATORS`.
    start, end : str, date or Timestamp
        Window on the plotted date.
    ax : matplotlib Axes, optional
        Draw into this Axes.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        Unknown indicator, a bad date or an empty window; the message names the allowed values.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = settlement_currency_chart()
    >>> fig.axes[0].get_ylabel()
    'Share of settlements, percent'
    >>> plt.close(fig)
    """
    indicators = check_indicators(indicators, SETTLEMENT_INDICATORS)
    t0, t1 = _window(start, end)
    _check_ax(ax)
    rows = _currency_rows(indicators, t0, t1, f"settlement-share rows for {indicators!r}",
                          need_value=False)
    valued = rows[rows["value"].notna()]
    note = None
    if (valued["unit"] != "percent").any():
        note = f"Not plotted: {int((valued['unit'] != 'percent').sum())} figure(s) not in percent."
        rows = rows[rows["value"].isna() | (rows["unit"] == "percent")]
    layout = _layout(1, ax)
    axm = layout.axes[0]
    plotted, labels = [], []
    for series, codes, label, color, marker in _SETTLEMENT_GROUPS:
        g = rows[(rows["series"] == series) & rows["currency"].isin(codes)
                 & rows["value"].notna()].sort_values("plotted_at")
        if g.empty:
            continue
        g = g.assign(plotted_value=g["value"], plotted_unit=g["unit"], group=label)
        # One marker per speaker, day and figure; further reports of it are counted.
        g["stmt_key"] = (g["plotted_at"].astype(str) + "|" + g["value"].astype(str) + "|"
                         + g["stated_by"].astype(str))
        g["role"] = np.where(g.duplicated("stmt_key"), "same statement, other report", "main")
        reports = g.groupby("stmt_key")["source_id"].nunique()
        main = g[g["role"] == "main"]
        for rec in main.itertuples(index=False):
            if pd.notna(rec.period_start) and rec.period_end - rec.period_start > pd.Timedelta(
                    days=40):
                axm.plot([rec.period_start, rec.period_end], [rec.value, rec.value],
                         color=color, lw=1, alpha=0.6, zorder=2)
            n = reports[rec.stmt_key]
            labels.append((rec.plotted_at, rec.value,
                           _surname(rec.stated_by) + (f" ({n} reports)" if n > 1 else ""),
                           color))
        axm.scatter(main["plotted_at"], main["value"], marker=marker, s=36, color=color,
                    zorder=4, edgecolors="white", linewidths=0.5)
        layout.handles.append(Line2D([], [], marker=marker, ls="", color=color, ms=6,
                                     label=label))
        plotted.append(g.drop(columns="stmt_key"))
    if not plotted:
        raise _empty("settlement shares with a figure", t0, t1, rows["plotted_at"])
    data = pd.concat(plotted)
    silent = rows[rows["value"].isna()].assign(plotted_value=np.nan, plotted_unit=None,
                                               role="statement without a figure",
                                               group="statement without a figure")
    if len(silent):
        axm.scatter(silent["plotted_at"], [-6] * len(silent), marker="v", s=30,
                    facecolors="white", edgecolors="#555555", zorder=4)
        labels += [(rec.plotted_at, -6, _surname(rec.stated_by), "#555555")
                   for rec in silent.itertuples(index=False)]
        layout.handles.append(Line2D([], [], marker="v", ls="", mfc="white", mec="#555555",
                                     label="Statement without a figure (day said)"))
    layout.handles.append(Line2D([], [], color="#777777", lw=1,
                                 label="Period a figure covers (where stated)"))
    _headroom(axm, 100, bottom=-16)
    axm.set_yticks(range(0, 101, 20))
    axm.axhline(0, color="#bbbbbb", lw=0.6, zorder=1)
    axm.set_ylabel("Share of settlements, percent")
    axm.set_xlabel("Middle of the period a figure covers, or the day it was stated")
    every = pd.concat([data, silent])
    _set_date_axis(layout.axes, every["period_start"].min(), every["period_end"].max())
    events = _draw_events(layout.axes, layout)
    _place_labels(axm, labels)
    # Finding: the combined ruble-and-yuan share, first and latest figure by date.
    combined = data[(data["series"] == "russia_china_trade_settlement")
                    & data["currency"].isin(["RUB+CNY", "national"]) & (data["role"] == "main")]
    sco = data[(data["series"] == "sco_trade_national_currencies")
               & (data["currency"] == "national")]
    parts, who = [], []
    if len(combined):
        a, b = combined.sort_values("plotted_at").iloc[[0, -1]].itertuples(index=False)
        parts.append(f"rubles and yuan in Russia–China payments rose from {a.value:g}% "
                     f"({_month(a)}) to {b.value:g}% ({_month(b)})")
        who.append(f"Russia–China: {_surname(a.stated_by)} to {_surname(b.stated_by)}")
    if len(sco):
        b = sco.sort_values("plotted_at").iloc[-1]
        parts.append(f"{b['value']:g}% in Russia's trade with SCO states ({_month(b)})")
        who.append(f"SCO: {_surname(b['stated_by'])}")
    if not parts:
        b = data.sort_values("plotted_at").iloc[-1]
        parts.append(f"the latest figure is {b['value']:g}% ({b['group']}, {_month(b)})")
    title = "By officials' own figures, " + "; ".join(parts)
    subtitle = ("Share of Russia's trade settled in national currencies, as stated by "
                "officials (" + "; ".join(who) + "); each point labelled with the speaker")
    claims = ["c13"]
    return _finish(layout, title=title, subtitle=subtitle, claim_ids=claims,
                   rows=_with_sources(pd.concat([data, silent]), "currency"), events=events,
                   note=note)


# -- the currency mix of Russia's export (or import) settlements ------------------------------

#: Currency groups of the settlement mix: code -> label, the parts of the whole it covers
#: (R rubles, F 'friendly' currencies, U 'unfriendly' currencies), whether it covers its parts
#: fully, colour and hatch. Groups that cover a part fully are stacked first.
_MIX_GROUPS: dict[str, tuple[str, frozenset, bool, str, str | None]] = {
    "RUB": ("Rubles", frozenset("R"), True, _plotting.PALETTE["blue"], None),
    "friendly": ("'Friendly' currencies (yuan and others)", frozenset("F"), True,
                 _plotting.PALETTE["green"], None),
    "unfriendly": ("'Unfriendly' currencies (mainly dollar and euro)", frozenset("U"), True,
                   _plotting.PALETTE["vermillion"], None),
    "RUB+friendly": ("Rubles and 'friendly' currencies together", frozenset("RF"), True,
                     _plotting.PALETTE["sky"], "//"),
    "CNY": ("Yuan (part of 'friendly')", frozenset("F"), False, _plotting.PALETTE["green"],
            ".."),
    "USD+EUR": ("Dollar and euro (part of 'unfriendly')", frozenset("U"), False,
                _plotting.PALETTE["vermillion"], "xx"),
    "USD": ("Dollar (part of 'unfriendly')", frozenset("U"), False,
            _plotting.PALETTE["vermillion"], "\\\\"),
    "EUR": ("Euro (part of 'unfriendly')", frozenset("U"), False,
            _plotting.PALETTE["orange"], "\\\\"),
}
_PART_ORDER = {"R": 0, "F": 1, "U": 2}


def _stack_bar(rows: pd.DataFrame) -> tuple[list, list]:
    """Split one source's figures for one period into stacked segments and overlaid figures.

    A figure is stacked when the parts it covers are still free; a figure for a part already
    stacked (the yuan inside 'friendly' currencies, say) is overlaid as a marker instead.
    """
    order = sorted(rows.itertuples(index=False),
                   key=lambda r: (not _MIX_GROUPS[r.currency][2], list(_MIX_GROUPS).index(
                       r.currency)))
    used: set = set()
    stacked, overlaid = [], []
    for rec in order:
        parts = _MIX_GROUPS[rec.currency][1]
        if parts & used:
            overlaid.append(rec)
        else:
            used |= parts
            stacked.append(rec)
    stacked.sort(key=lambda r: min(_PART_ORDER[p] for p in _MIX_GROUPS[r.currency][1]))
    return stacked, overlaid


def _dodge(mids: Sequence[pd.Timestamp], width: pd.Timedelta) -> list[pd.Timestamp]:
    """Positions for bars of the given width near their dates without overlapping.

    Bars closer than one width form a cluster set side by side around the cluster's middle;
    clusters that then touch are merged, until none overlap.
    """
    clusters = [[m] for m in mids]
    while True:
        pos = []
        for c in clusters:
            centre = c[0] + (c[-1] - c[0]) / 2
            n = len(c)
            pos.append([centre + width * 1.08 * (k - (n - 1) / 2) for k in range(n)])
        merged = False
        for i in range(len(clusters) - 1):
            if pos[i + 1][0] - pos[i][-1] < width * 1.08:
                clusters[i] = clusters[i] + clusters.pop(i + 1)
                merged = True
                break
        if not merged:
            return [p for group in pos for p in group]


def export_settlement_mix_chart(
    flow: str = "exports",
    start: DateLike = "2021-01-01",
    end: DateLike = "today",
    ax: Axes | None = None,
) -> Figure:
    """The currency mix of Russia's export (or import) payments, one stacked bar per figure set.

    Each bar holds one source's figures for one period, stacked by currency group: rubles,
    'friendly' currencies, 'unfriendly' currencies (the Bank of Russia's terms), or their
    combinations where a source gives only those. The white part on top is the share the
    source did not state; nothing is filled in. A figure for a part of a stacked group (the yuan
    inside 'friendly' currencies) is shown as a black diamond at its share.

    Parameters
    ----------
    flow : {'exports', 'imports'}
        Russia's export settlements (``russia_export_settlement``) or import settlements.
    start, end : str, date or Timestamp
        Window on the middle of each period.
    ax : matplotlib Axes, optional
        Draw into this Axes.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        Unknown flow, a bad date or an empty window; the message names the allowed values.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = export_settlement_mix_chart("exports")
    >>> fig.axes[0].get_ylabel()
    "Share of Russia's export payments, percent"
    >>> plt.close(fig)
    >>> export_settlement_mix_chart("export")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: flow: unknown flow 'export'; did you mean 'exports'...
    """
    flow = check_choice("flow", flow, ("exports", "imports"), kind="flow")
    t0, t1 = _window(start, end)
    _check_ax(ax)
    series = f"russia_{flow[:-1]}_settlement"
    rows = _currency_rows([series], t0, t1, f"{flow} settlement figures")
    scope = f"RUS-{flow}"
    notes = []
    off_scope = rows[rows["scope"] != scope]
    if len(off_scope):
        scopes = ", ".join(sorted(set(off_scope["scope"])))
        notes.append(f"Not plotted: {len(off_scope)} figure(s) for another scope ({scopes}).")
    unknown = rows[(rows["scope"] == scope) & ~rows["currency"].isin(list(_MIX_GROUPS))]
    if len(unknown):
        notes.append(f"Not plotted: {len(unknown)} figure(s) for currency groups "
                     f"{sorted(set(unknown['currency']))}.")
    rows = rows[(rows["scope"] == scope) & rows["currency"].isin(list(_MIX_GROUPS))
                & (rows["unit"] == "percent")]
    if rows.empty:
        raise _empty(f"{flow} settlement figures in percent", t0, t1,
                     _currency_rows([series], pd.Timestamp.min, pd.Timestamp.max, flow)[
                         "plotted_at"])
    rows = rows.assign(bar_key=rows["period"].fillna("") + "|" + rows["source_id"]
                       + "|" + rows["stated_by"].fillna(""))
    bars = (rows.groupby("bar_key", sort=False)
            .agg(mid=("plotted_at", "first"), start=("period_start", "first"),
                 end=("period_end", "first"))
            .sort_values(["mid"]))
    layout = _layout(1, ax)
    axm = layout.axes[0]
    lo, hi = bars["start"].min(), bars["end"].max()
    width = max((hi - lo) / 80, pd.Timedelta(days=8))
    bars["x"] = _dodge(list(bars["mid"]), width)
    out, seen_groups = [], []
    overlay_drawn = remainder_drawn = False
    for key, bar in bars.iterrows():
        g = rows[rows["bar_key"] == key]
        stacked, overlaid = _stack_bar(g)
        bottom = 0.0
        for rec in stacked:
            label, _, _, color, hatch = _MIX_GROUPS[rec.currency]
            axm.bar(bar["x"], rec.value, width=width, bottom=bottom, color=color, hatch=hatch,
                    edgecolor="white", lw=0.6, zorder=3)
            if rec.value >= 7:
                axm.text(bar["x"], bottom + rec.value / 2, f"{rec.value:g}", ha="center",
                         va="center", fontsize=6, rotation=90, zorder=4,
                         bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                               "alpha": 0.8})
            else:
                axm.text(bar["x"], bottom + rec.value + 0.8, f"{rec.value:g}", ha="center",
                         va="bottom", fontsize=5.5, zorder=4)
            if rec.currency not in seen_groups:
                seen_groups.append(rec.currency)
            bottom += rec.value
        if bottom < 99.5:
            axm.bar(bar["x"], 100 - bottom, width=width, bottom=bottom, facecolor="white",
                    edgecolor="#999999", lw=0.6, zorder=3)
            remainder_drawn = True
        elif bottom > 100.5:
            axm.text(bar["x"], bottom + 1, f"sum {bottom:g}%", ha="center", va="bottom",
                     fontsize=6, color="#333333")
        for rec in overlaid:
            axm.scatter([bar["x"]], [rec.value], marker="D", s=18, color="black", zorder=5)
            axm.annotate(f"{_MIX_GROUPS[rec.currency][0].split(' (')[0].lower()} "
                         f"{rec.value:g}", (bar["x"], rec.value), xytext=(3, 2),
                         textcoords="offset points", fontsize=5.5, zorder=5)
            overlay_drawn = True
        label = (_short_period(g["period"].iloc[0])
                 or f"said {g['stated_on'].iloc[0].date()}")
        who = _surname(g["stated_by"].iloc[0])
        axm.text(bar["x"], -2, f"{label} {who if len(who) <= 16 else who[:15] + '…'}",
                 rotation=90, ha="center", va="top", fontsize=5.8, color="#333333")
        part = g.assign(plotted_value=g["value"], plotted_unit=g["unit"],
                        role=["stacked" if r in [s.source_id for s in stacked] and
                              r2 in [s.currency for s in stacked] else "overlaid"
                              for r, r2 in zip(g["source_id"], g["currency"], strict=True)],
                        bar_at=bar["x"])
        out.append(part)
    data = pd.concat(out).drop(columns="bar_key")
    for code in _MIX_GROUPS:
        if code in seen_groups:
            label, _, _, color, hatch = _MIX_GROUPS[code]
            layout.handles.append(Patch(facecolor=color, hatch=hatch, edgecolor="white",
                                        label=label))
    if remainder_drawn:
        layout.handles.append(Patch(facecolor="white", edgecolor="#999999",
                                    label="Not stated by that source"))
    if overlay_drawn:
        layout.handles.append(Line2D([], [], marker="D", ls="", color="black", ms=4,
                                     label="Figure for a part of a stacked group"))
    _headroom(axm, 100, bottom=-45)
    axm.set_yticks(range(0, 101, 20))
    axm.axhline(0, color="#999999", lw=0.6)
    axm.set_ylabel(f"Share of Russia's {flow[:-1]} payments, percent")
    axm.set_xlabel("Each bar: one source's figures for one period (label: period and who "
                   "stated it); bars for close periods are set side by side")
    _set_date_axis(layout.axes, min(lo, bars["x"].min() - width),
                   max(hi, bars["x"].max() + width))
    events = _draw_events(layout.axes, layout)
    # Finding: rubles and the 'unfriendly' group (or dollar and euro), first and latest.
    parts = []
    for code, name in (("RUB", "rubles"), ("unfriendly", "'unfriendly' currencies"),
                       ("USD+EUR", "dollar and euro")):
        g = data[data["currency"] == code].sort_values("plotted_at")
        if len(g) >= 2 and not (code == "USD+EUR" and any("unfriendly" in p for p in parts)):
            a, b = g.iloc[0], g.iloc[-1]
            verb = "rose" if b["value"] > a["value"] else "fell"
            parts.append(f"{name} {verb} from {a['value']:g}% ({_month(a)}) to "
                         f"{b['value']:g}% ({_month(b)})")
    if not parts:
        b = data.sort_values("plotted_at").iloc[-1]
        parts.append(f"the latest figure is {b['value']:g}% for "
                     f"{_MIX_GROUPS[b['currency']][0].lower()} ({_month(b)})")
    title = f"In Russia's {flow[:-1]} payments, " + _join(parts)
    subtitle = ("Currency shares as the Bank of Russia and officials stated them; "
                "'friendly' and 'unfriendly' are the Russian authorities' terms")
    return _finish(layout, title=title, subtitle=subtitle, claim_ids=["c13"],
                   rows=_with_sources(data, "currency"), events=events,
                   note=" ".join(notes) or None)


# -- the dollar, euro and yuan in world reserves and payments ---------------------------------

_SHARE_LABELS = {
    "reserves_share_cofer": ("World FX reserves", "Share of allocated world FX reserves\n"
                             "(IMF COFER), percent"),
    "swift_payments_share": ("SWIFT payments", "Share of payments by value\n"
                             "(SWIFT RMB Tracker), percent"),
}


def reserve_and_payment_shares_chart(
    indicators: Sequence[str] | str = SHARE_INDICATORS,
    currencies: Sequence[str] | str = ("USD", "EUR", "CNY"),
    start: DateLike = "2015-01-01",
    end: DateLike = "today",
    ax: Axes | None = None,
) -> Figure:
    """The dollar, euro and yuan in world reserves (IMF COFER) and in SWIFT payments.

    One panel per indicator, one line per currency, each point at the middle of its quarter or
    month. The SWIFT line is broken where SWIFT changed its method (July 2023). With
    ``'payment_system'`` a lane below shows the dated statements on an SCO payment system or
    bank (they carry no figure), labelled with the speaker.

    Parameters
    ----------
    indicators : str or sequence of str
        Any of :data:`SHARE_INDICATORS`.
    currencies : str or sequence of str
        ISO 4217 codes with rows in those series (``'USD'``, ``'EUR'``, ``'CNY'``).
    start, end : str, date or Timestamp
        Window on the plotted date.
    ax : matplotlib Axes, optional
        Draw into this Axes; only when the selection needs a single panel.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        Unknown indicator or currency, a bad date, an empty window, or ``ax`` with a selection
        that needs more than one panel; the message names the allowed values.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = reserve_and_payment_shares_chart()
    >>> fig.axes[0].get_ylabel().splitlines()[0]
    'Share of allocated world FX reserves'
    >>> plt.close(fig)
    >>> reserve_and_payment_shares_chart(currencies=["USD", "GBP"])
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: currencies: unknown currency 'GBP'...
    """
    indicators = check_indicators(indicators, SHARE_INDICATORS)
    t0, t1 = _window(start, end)
    _check_ax(ax)
    share_inds = [i for i in SHARE_INDICATORS if i in indicators and i != "payment_system"]
    cur = _table("currency")
    allowed = sorted(set(cur.loc[cur["series"].isin(share_inds or ["reserves_share_cofer"]),
                                 "currency"].dropna()))
    currencies = check_choices("currencies", currencies, allowed, kind="currency")
    if share_inds and not currencies:
        raise ParameterError(
            "currencies: give at least one currency; allowed: "
            + ", ".join(repr(a) for a in allowed))
    rows = _currency_rows(indicators, t0, t1, f"rows for {indicators!r}", need_value=False)
    shares = rows[rows["series"].isin(share_inds) & rows["currency"].isin(list(currencies))
                  & rows["value"].notna() & (rows["unit"] == "percent")]
    statements = rows[rows["series"] == "payment_system"]
    panels = [i for i in share_inds if (shares["series"] == i).any()]
    if "payment_system" in indicators and len(statements):
        panels.append("payment_system")
    if not panels:
        raise _empty(f"rows for {indicators!r} and currencies {currencies!r}", t0, t1,
                     _add_spans(cur[cur["series"].isin(indicators)], "stated_on")["plotted_at"])
    ratios = [1.0 if p != "payment_system" else 0.55 for p in panels]
    layout = _layout(len(panels), ax, height_ratios=ratios,
                     figsize=(12, 3.1 * sum(ratios) + 2.2), panel_names="panels (one per "
                     "indicator)")
    shares = _mark_main(shares.assign(plotted_value=shares["value"],
                                      plotted_unit=shares["unit"]),
                        ["series", "currency", "period"])
    for code in currencies:
        layout.handles.append(Line2D([], [], color=_CURRENCY_COLORS.get(code, "#333333"),
                                     marker="o", ms=4, lw=1.6,
                                     label=_CURRENCY_NAMES.get(code, code)))
    latest: dict[str, dict[str, pd.Series]] = {}
    broke = False
    for a, ind in zip(layout.axes, panels, strict=True):
        if ind == "payment_system":
            continue
        g = shares[shares["series"] == ind]
        latest[ind] = {}
        for code in currencies:
            c = g[g["currency"] == code]
            if c.empty:
                continue
            color = _CURRENCY_COLORS.get(code, "#333333")
            main = c[c["role"] == "main"].sort_values("plotted_at")
            xs, ys = list(main["plotted_at"]), list(main["plotted_value"])
            if ind == "swift_payments_share":
                before = [x < _SWIFT_METHOD_CHANGE for x in xs]
                if any(before) and not all(before):
                    k = before.index(False)
                    xs.insert(k, _SWIFT_METHOD_CHANGE)
                    ys.insert(k, np.nan)
                    broke = True
            a.plot(xs, ys, color=color, marker="o", ms=4, lw=1.6, zorder=3)
            _plot_others(a, main, c[c["role"] != "main"], ["period"], color, "o")
            last = main.iloc[-1]
            latest[ind][code] = last
            a.annotate(f"{last['plotted_value']:g}", (last["plotted_at"], last["plotted_value"]),
                       xytext=(5, 0), textcoords="offset points", va="center", fontsize=7.5,
                       color=color)
        a.set_ylabel(_SHARE_LABELS[ind][1], fontsize=8)
        a.text(0.005, 0.5, _SHARE_LABELS[ind][0], transform=a.transAxes, fontsize=8.5,
               fontweight="bold", color="#333333", va="center")
    if shares["role"].ne("main").any():
        layout.handles.append(_other_handle())
    every = pd.concat([shares, statements]) if len(statements) else shares
    _set_date_axis(layout.axes, every["plotted_at"].min(), every["plotted_at"].max())
    for a, ind in zip(layout.axes, panels, strict=True):
        if ind != "payment_system":
            top = shares.loc[shares["series"] == ind, "plotted_value"].max()
            _headroom(a, top, 0, frac=0.74 if a is layout.axes[0] else 0.9)
    if broke:
        i = panels.index("swift_payments_share")
        a = layout.axes[i]
        a.axvline(_SWIFT_METHOD_CHANGE, color="#333333", lw=1.2, zorder=1)
        a.text(_SWIFT_METHOD_CHANGE, 0.62, " SWIFT changed its method (Jul 2023):\n shares "
               "before and after are not comparable", transform=a.get_xaxis_transform(),
               fontsize=6.5, va="center", color="#333333")
    data = shares.assign()
    if "payment_system" in panels:
        a = layout.axes[panels.index("payment_system")]
        st = statements.assign(plotted_value=0.0, plotted_unit=None,
                               role="statement without a figure")
        a.scatter(st["plotted_at"], [0] * len(st), marker="^", s=36, color="#333333", zorder=4)
        a.set_ylim(-1.6, 1.6)
        a.set_yticks([])
        a.spines["left"].set_visible(False)
        a.set_ylabel("SCO payment system\nor bank: statements", fontsize=8)
        layout.handles.append(Line2D([], [], marker="^", ls="", color="#333333",
                                     label="Statement on an SCO payment system or bank"))
        data = pd.concat([data, st])
    layout.axes[-1].set_xlabel("Middle of the quarter or month a share refers to; "
                               "statements at the day they were made")
    events = _draw_events(layout.axes, layout)
    if "payment_system" in panels:
        a = layout.axes[panels.index("payment_system")]
        said = statements.groupby("plotted_at")["stated_by"].agg(
            lambda names: "\n".join(_unique(_surname(n) for n in names)))
        _place_labels(a, [(day, 0, who, "#333333") for day, who in said.items()], fontsize=6)
    # Finding: who leads in each indicator at the latest figure, and where the yuan stands.
    bits, cny = [], []
    leaders = set()
    for ind, per in latest.items():
        if not per:
            continue
        lead_code, lead = max(per.items(), key=lambda kv: kv[1]["plotted_value"])
        leaders.add(lead_code)
        what = _SHARE_LABELS[ind][0].replace("World", "world")
        bits.append(f"{lead['plotted_value']:g}% of {what} ({lead['period']})")
        if "CNY" in per and lead_code != "CNY":
            cny.append(f"{per['CNY']['plotted_value']:g}%")
    if len(leaders) == 1 and bits:
        code = leaders.pop()
        title = (f"The {_CURRENCY_NAMES.get(code, code).split(' (')[0]} still leads: "
                 + _join(bits))
        if cny:
            title += f"; the yuan holds {_join(cny)}"
    elif bits:
        title = "Latest shares: " + _join(bits)
    else:
        title = (f"{len(statements)} statements on an SCO payment system or bank, "
                 f"{statements['stated_on'].min():%b %Y} to {statements['stated_on'].max():%b %Y}")
    subtitle = ("Context for the article's claims on national currencies and an SCO payment "
                "system: currency shares as IMF and SWIFT data were reported")
    return _finish(layout, title=title, subtitle=subtitle, claim_ids=["c13", "c14"],
                   rows=_with_sources(data, "currency"), events=events, note=None)


# -- sanctions: SWIFT cut-offs, reserve immobilisation and estimates of the amount -----------

_LANES = {
    "swift_disconnection": "SWIFT\ndisconnections",
    "reserve_immobilisation": "Reserve\nimmobilisation",
    "other": "Other related\nmeasures",
}
_LANE_COLORS = {
    "swift_disconnection": _plotting.EVENT_COLORS["swift"],
    "reserve_immobilisation": _plotting.EVENT_COLORS["reserves"],
    "other": "#555555",
}


def _estimate_label(rec) -> str:
    """'300 Russian finance ministry: abroad' - the amount, who estimated it, where held."""
    where = str(rec.held_where or "").split(" (")[0].split(",")[0].strip()
    who = _surname(rec.imposed_by)
    text = f"{rec.amount:g} {who}"
    if where and where.lower() not in who.lower():
        text += f": {where if len(where) <= 18 else where[:17] + '…'}"
    return text


def sanctions_timeline_chart(
    measures: Sequence[str] | str | None = None,
    start: DateLike = "2022-01-01",
    end: DateLike = "today",
    units: Sequence[str] | str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """SWIFT disconnections and the freezing of Russia's reserves, with dated estimates of the sum.

    The top panel has one lane per kind of measure: a filled dot on the day a measure was
    announced, an open dot on the day it took effect where that differs, labelled with who
    imposed it and on whom. Below, one panel per unit holds the estimates of the frozen amount
    (who made each, and where the assets are held), as stated: dollars and euros are never
    mixed.

    Parameters
    ----------
    measures : str or sequence of str, optional
        Kinds of measure from the sanctions table (default: all).
    start, end : str, date or Timestamp
        Window on the day announced.
    units : str or sequence of str, optional
        Units of the estimates to draw (default: every unit with at least two estimates in
        the window; the others are counted in the note).
    ax : matplotlib Axes, optional
        Draw into this Axes; only when the selection needs a single panel.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        Unknown measure or unit, a bad date, an empty window, or ``ax`` with a selection that
        needs more than one panel; the message names the allowed values.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = sanctions_timeline_chart()
    >>> [a.get_ylabel() for a in fig.axes[1:3]]
    ['Estimate, USD billion', 'Estimate, EUR billion']
    >>> plt.close(fig)
    """
    sanc = _table("sanctions")
    allowed = [m for m in ("swift_disconnection", "reserve_immobilisation", "reserve_estimate",
                           "other") if (sanc["measure"] == m).any()]
    measures = tuple(allowed) if measures is None else check_choices(
        "measures", measures, allowed, kind="measure")
    if not measures:
        raise ParameterError("measures: give at least one measure; allowed: "
                             + ", ".join(repr(a) for a in allowed))
    t0, t1 = _window(start, end)
    _check_ax(ax)
    sel = sanc[sanc["measure"].isin(list(measures))]
    in_window = (sel["announced"] >= t0) & (sel["announced"] <= t1)
    if not in_window.any():
        raise _empty(f"sanctions rows for measures {measures!r}", t0, t1, sel["announced"])
    sel = sel[in_window].assign(plotted_at=lambda d: d["announced"])
    lanes = [m for m in _LANES if (sel["measure"] == m).any()]
    est = sel[(sel["measure"] == "reserve_estimate") & sel["amount"].notna()]
    counts = est["unit"].value_counts()
    allowed_units = sorted(counts.index, key=lambda u: (not str(u).startswith("USD"), u))
    if units is None:
        units = tuple(u for u in allowed_units if counts[u] >= 2)
    else:
        units = check_choices("units", units, allowed_units, kind="unit",
                              where="units of the estimates in the window")
    note = None
    left_out = est[~est["unit"].isin(list(units))]
    if len(left_out):
        note = (f"Not plotted: {len(left_out)} estimate(s) in "
                f"{', '.join(sorted(set(left_out['unit'])))}; choose them with units=.")
    est = est[est["unit"].isin(list(units))]
    panels = (["lanes"] if lanes else []) + list(units)
    if not panels:
        raise _empty("sanctions rows to draw", t0, t1, sel["announced"])
    ratios = [0.3 + 0.5 * len(lanes)] * bool(lanes) + [1.0] * len(units)
    layout = _layout(len(panels), ax, height_ratios=ratios,
                     figsize=(12, 2.6 * sum(ratios) + 2.4), panel_names="panels")
    _set_date_axis(layout.axes, sel["announced"].min(),
                   max(sel["announced"].max(), sel["effective"].max()
                       if sel["effective"].notna().any() else sel["announced"].max()))
    out = []
    label_items: dict[int, list] = {}
    if lanes:
        a = layout.axes[0]
        label_items[0] = []
        for y, m in enumerate(reversed(lanes)):
            g = sel[sel["measure"] == m]
            color = _LANE_COLORS[m]
            a.scatter(g["announced"], [y] * len(g), s=30, color=color, zorder=4)
            eff = g[g["effective"].notna() & (g["effective"] != g["announced"])]
            for rec in eff.itertuples(index=False):
                a.plot([rec.announced, rec.effective], [y, y], color=color, lw=1, zorder=3)
            a.scatter(eff["effective"], [y] * len(eff), s=26, facecolors="white",
                      edgecolors=color, zorder=4)
            for day, d in g.groupby("announced"):
                who = ", ".join(_who(w) for w in _unique(d["imposed_by"]))
                n = len(d)
                if n == 1:
                    what = str(d["target"].iloc[0])
                elif m == "swift_disconnection":
                    what = f"{n} banks"
                else:
                    what = f"{d['target'].iloc[0]} ({n} measures)"
                what = what.split(" (")[0] if len(what) > 34 else what
                what = what if len(what) <= 34 else what[:33] + "…"
                label_items[0].append((day, y, f"{who}: {what}", color))
            out.append(g.assign(plotted_value=np.nan, plotted_unit=None, role="measure"))
        a.set_yticks(range(len(lanes)), [_LANES[m] for m in reversed(lanes)], fontsize=7.5)
        a.set_ylabel("Measure", fontsize=8)
        a.set_ylim(-0.5, len(lanes) - 0.5 + 1.1)
        a.spines["left"].set_visible(False)
        a.tick_params(axis="y", length=0)
        layout.handles += [
            Line2D([], [], marker="o", ls="", color="#555555", label="Measure announced"),
            Line2D([], [], marker="o", ls="-", color="#555555", mfc="white",
                   label="...and took effect"),
        ]
    for k, unit in enumerate(units):
        a = layout.axes[k + (1 if lanes else 0)]
        g = est[est["unit"] == unit].sort_values("announced")
        a.scatter(g["announced"], g["amount"], s=30, color=_plotting.EVENT_COLORS["reserves"],
                  edgecolors="#7a5300", zorder=4)
        a.set_ylabel(f"Estimate, {unit}", fontsize=8)
        _headroom(a, g["amount"].max(), 0, frac=0.74 if a is layout.axes[0] else 0.86)
        label_items[k + (1 if lanes else 0)] = [
            (r.announced, r.amount, _estimate_label(r), "#5a3d00")
            for r in g.itertuples(index=False)]
        out.append(g.assign(plotted_value=g["amount"], plotted_unit=unit, role="estimate"))
    if units:
        layout.handles.append(Line2D([], [], marker="o", ls="", color=_plotting.EVENT_COLORS[
            "reserves"], label="Estimate of the frozen amount\n(who made it, where held)"))
    layout.axes[-1].set_xlabel("Day announced (estimates: day stated)")
    events = _draw_events(layout.axes, layout)
    for i, items in label_items.items():
        _place_labels(layout.axes[i], items, fontsize=6.3)
    data = pd.concat(out)
    n_swift = int((sel["measure"] == "swift_disconnection").sum())
    n_res = int((sel["measure"] == "reserve_immobilisation").sum())
    parts = []
    if "swift_disconnection" in measures:
        parts.append(f"{n_swift} SWIFT disconnection measures")
    if "reserve_immobilisation" in measures:
        parts.append(f"{n_res} reserve freezes")
    lead = (f"Since {sel['announced'].min():%b %Y}: " + _join(parts)) if parts else ""
    tops, who = [], []
    for unit in units:
        g = est[est["unit"] == unit]
        if len(g):
            r = g.loc[g["amount"].idxmax()]
            tops.append(_money(r["amount"], unit))
            who.append(f"{_money(r['amount'], unit)}: {_surname(r['imposed_by'])}, "
                       f"{r['announced']:%b %Y}")
    tail = ("estimates of the frozen reserves reach " + _join(tops)) if tops else ""
    title = "; ".join(p for p in (lead, tail) if p)
    subtitle = ("Measures by Western governments and the EU; estimates differ in scope "
                "(worldwide, the EU, Euroclear, the US) and are kept as stated"
                + (" (highest: " + "; ".join(who) + ")" if who else ""))
    return _finish(layout, title=title, subtitle=subtitle, claim_ids=["c15", "c16"],
                   rows=_with_sources(data, "sanctions"), events=events, note=note)


# -- Russian energy sold to SCO states ------------------------------------------------------

_ENERGY_MEASURES = ("volume", "value", "share_of_imports")


def _is_rate(unit: str) -> bool:
    """Units whose values compare across periods of different length (per day, percent)."""
    return "per day" in unit or unit == "percent"


def energy_chart(
    importers: Sequence[str] | str = ("CHN", "IND"),
    commodity: str = "crude_oil",
    measure: str = "volume",
    unit: str | None = None,
    start: DateLike = "2017-01-01",
    end: DateLike = "today",
    ax: Axes | None = None,
) -> Figure:
    """Russian oil, gas or coal bought by SCO states, as the cited sources state it.

    One colour per importer. Annual figures are circles on a line; figures for a month, quarter
    or half-year are diamonds with a whisker over their period. Periods of different length
    share the axis only for rates and shares (barrels per day, percent); for amounts (million
    tonnes, cubic metres) only annual figures are drawn.

    Parameters
    ----------
    importers : str or sequence of str
        ISO3 codes of importers with rows for Russian energy in the energy table.
    commodity : str
        A commodity of the energy table, e.g. ``'crude_oil'``, ``'pipeline_gas'``.
    measure : {'volume', 'value', 'share_of_imports'}
        What the values measure.
    unit : str, optional
        Unit to plot (default: the most frequent one); rows in the same unit at another scale
        (barrels per day for million barrels per day) are rescaled, other units left out.
    start, end : str, date or Timestamp
        Window on the middle of each period.
    ax : matplotlib Axes, optional
        Draw into this Axes.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        Unknown importer, commodity, measure or unit, a bad date or an empty window.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = energy_chart(("CHN", "IND"), "crude_oil", "volume")
    >>> fig.axes[0].get_ylabel()
    'Russian crude oil, million barrels per day'
    >>> plt.close(fig)
    """
    energy = _table("energy")
    rus = energy[energy["exporter"] == "RUS"]
    importers = check_choices("importers", importers, sorted(set(rus["importer"])),
                              kind="importer")
    if not importers:
        raise ParameterError("importers: give at least one importer; allowed: "
                             + ", ".join(repr(a) for a in sorted(set(rus["importer"]))))
    commodity = check_choice("commodity", commodity, sorted(set(rus["commodity"])),
                             kind="commodity")
    measure = check_choice("measure", measure, _ENERGY_MEASURES, kind="measure")
    t0, t1 = _window(start, end)
    _check_ax(ax)
    sel = rus[rus["importer"].isin(list(importers)) & (rus["commodity"] == commodity)
              & (rus["measure"] == measure) & (rus["period_type"] != "year_to_date")]
    sel = _add_spans(sel)
    in_window = (sel["plotted_at"] >= t0) & (sel["plotted_at"] <= t1)
    if not in_window.any():
        raise _empty(f"{commodity} {measure} rows for importers {importers!r}", t0, t1,
                     sel["plotted_at"])
    sel = sel[in_window]
    units = list(sel["unit"].value_counts().index)
    unit = units[0] if unit is None else check_choice("unit", unit, units, kind="unit")
    base = _split_unit(unit)[0]
    same = sel["unit"].map(lambda u: _split_unit(u)[0] == base)
    notes = []
    if (~same).any():
        notes.append(f"Not plotted: {int((~same).sum())} figure(s) in other units "
                     f"({', '.join(sorted(set(sel.loc[~same, 'unit'])))}); choose with unit=.")
    sel = sel[same]
    if not _is_rate(unit):
        short = ~sel["period_type"].isin(_ANNUAL)
        if short.any():
            notes.append(f"Not plotted: {int(short.sum())} figure(s) for periods shorter than "
                         f"a year (amounts over different periods do not compare).")
        sel = sel[~short]
        if sel.empty:
            raise _empty(f"annual {commodity} {measure} rows in {unit}", t0, t1,
                         rus["importer"].map(lambda _: pd.NaT))
    sel = _mark_main(_rescale(sel, unit), ["importer", "period"])
    names = _country_names()
    layout = _layout(1, ax)
    axm = layout.axes[0]
    invasion = _invasion()
    findings, details = [], []
    for i, imp in enumerate(importers):
        g = sel[sel["importer"] == imp]
        if g.empty:
            continue
        color = _SERIES_COLORS[i % len(_SERIES_COLORS)]
        main = g[g["role"] == "main"].sort_values("plotted_at")
        annual = main[main["period_type"].isin(_ANNUAL)]
        short = main[~main["period_type"].isin(_ANNUAL)]
        name = names.get(imp, imp)
        if len(annual):
            axm.plot(*_line_xy(annual), color=color, marker="o", ms=5, lw=1.6, zorder=3)
            layout.handles.append(Line2D([], [], color=color, marker="o", ms=5, lw=1.6,
                                         label=f"{name}: annual figures"))
        if len(short):
            for rec in short.itertuples(index=False):
                axm.plot([rec.period_start, rec.period_end],
                         [rec.plotted_value, rec.plotted_value], color=color, lw=1,
                         alpha=0.7, zorder=2)
            axm.scatter(short["plotted_at"], short["plotted_value"], marker="D", s=22,
                        color=color, zorder=4)
            layout.handles.append(Line2D([], [], color=color, marker="D", ms=4, ls="",
                                         label=f"{name}: month, quarter or half-year"))
        _plot_others(axm, main, g[g["role"] != "main"], ["period"], color, "o")
        last = main.iloc[-1]
        axm.annotate(_fmt(last["plotted_value"]), (last["plotted_at"], last["plotted_value"]),
                     xytext=(5, 0), textcoords="offset points", va="center", fontsize=7.5,
                     color=color)
        pre = main[main["plotted_at"] < invasion]
        first = pre.iloc[-1] if len(pre) and (main["plotted_at"] >= invasion).any() else \
            main.iloc[0]
        if first.name != last.name:
            findings.append(f"to {name} {_change(first['plotted_value'], last['plotted_value'])}")
            details.append(f"{name} {_fmt(first['plotted_value'])} ({first['period']}) to "
                           f"{_fmt(last['plotted_value'])} ({last['period']})")
        else:
            findings.append(f"to {name} stood at {_fmt(last['plotted_value'])} "
                            f"({last['period']})")
            details.append(f"{name} {_fmt(last['plotted_value'])} ({last['period']})")
    if sel["role"].ne("main").any():
        layout.handles.append(_other_handle())
    what = commodity.replace("_", " ")
    measure_word = {"volume": "", "value": " (value)", "share_of_imports":
                    " (share of the importer's imports)"}[measure]
    axm.set_ylabel(f"Russian {what}{measure_word}, {unit}")
    axm.set_xlabel("Each figure at the middle of its period")
    _set_date_axis(layout.axes, sel["period_start"].min(), sel["period_end"].max())
    _headroom(axm, sel["plotted_value"].max())
    events = _draw_events(layout.axes, layout)
    straddles = (sel["plotted_at"] < invasion).any() and (sel["plotted_at"] >= invasion).any()
    lead = "From before the war to the latest figure" if straddles else "Over the period shown"
    title = f"{lead}, Russian {what}{measure_word} " + _join(findings)
    subtitle = f"{unit}: " + "; ".join(details)
    return _finish(layout, title=title, subtitle=subtitle, claim_ids=["c05"],
                   rows=_with_sources(sel, "energy"), events=events,
                   note=" ".join(notes) or None)


# -- the rows behind a chart ----------------------------------------------------------------

#: Chart functions by name (for :func:`chart_rows`).
CHARTS: dict[str, Callable[..., Figure]] = {
    "trade_chart": trade_chart,
    "energy_chart": energy_chart,
    "settlement_currency_chart": settlement_currency_chart,
    "export_settlement_mix_chart": export_settlement_mix_chart,
    "reserve_and_payment_shares_chart": reserve_and_payment_shares_chart,
    "sanctions_timeline_chart": sanctions_timeline_chart,
}


def chart_rows(chart: Figure | str | Callable[..., Figure], /, *, events: bool = False,
               **params) -> pd.DataFrame:
    """The rows behind a chart: one per plotted figure, with ``source_id``, publisher and ``url``.

    Parameters
    ----------
    chart : Figure, str or chart function
        A figure made by this module, or a chart (its name or the function) to draw with
        ``params`` (the figure is closed again).
    events : bool
        Return the events drawn as dated markers instead (with their sources).
    **params
        Arguments of the chart function when ``chart`` is not a figure.

    Returns
    -------
    pandas.DataFrame
        The table's own columns, then ``plotted_at`` (date on the x-axis), ``plotted_value``
        and ``plotted_unit`` (the value as drawn, rescaled only between scales of one unit),
        ``role`` (main figure, another source, statement...), ``table``, ``publisher``, ``url``.

    Raises
    ------
    ParameterError
        ``chart`` is neither a figure of this module nor a chart name; or a bad chart argument.

    Examples
    --------
    >>> rows = chart_rows("sanctions_timeline_chart", start="2022-01-01")
    >>> bool(rows["url"].notna().all())
    True
    >>> chart_rows("trade", partners=("CHN",))
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: chart: unknown chart 'trade'...
    """
    close = False
    if isinstance(chart, Figure):
        fig = chart
    else:
        if callable(chart):
            name = getattr(chart, "__name__", repr(chart))
        else:
            name = chart
        func = CHARTS[check_choice("chart", name, list(CHARTS), kind="chart")]
        fig = func(**params)
        close = True
    try:
        attr = "_sco_event_rows" if events else "_sco_rows"
        if not hasattr(fig, attr):
            raise ParameterError(
                "chart: this figure was not made by sco_research.charts; pass a figure from "
                f"one of {', '.join(repr(c) for c in CHARTS)} or a chart name"
            )
        return getattr(fig, attr).copy()
    finally:
        if close:
            plt.close(fig)
