"""Currencies in Russia's trade and in the world: settlement shares, reserve and payment shares.

Each chart has a row function returning exactly what it draws; :func:`currency_figures` draws
every currency chart a selection of indicators asks for, with its rows, for a report.

Examples
--------
>>> rows = settlement_currency_rows()
>>> {"main", "event marker"} <= set(rows["role"])
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import _plotting
from .._checks import DateLike, check_choices
from ..errors import ParameterError
from ..freshness import freshness_note
from . import _frames as fr
from . import _layout as lo
from . import _text as tx

__all__ = [
    "INDICATORS",
    "SETTLEMENT_INDICATORS",
    "SHARE_INDICATORS",
    "check_indicators",
    "draw_settlement",
    "draw_shares",
    "reserve_and_payment_shares_chart",
    "reserve_and_payment_shares_rows",
    "select_settlement",
    "select_shares",
    "settlement_args",
    "settlement_currency_chart",
    "settlement_currency_rows",
    "settlement_selection",
    "shares_args",
    "shares_selection",
]

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

#: Every series of the currency table a chart of this package draws.
INDICATORS: tuple[str, ...] = (
    *SETTLEMENT_INDICATORS,
    "russia_export_settlement",
    "russia_import_settlement",
    *SHARE_INDICATORS,
)

#: SWIFT changed how it counts payments in July 2023 (see the notes of the swift_payments_share
#: rows): shares before and after are not comparable, so lines are broken there.
SWIFT_METHOD_CHANGE = pd.Timestamp("2023-07-01")

CURRENCY_COLORS = {
    "USD": _plotting.PALETTE["blue"],
    "EUR": _plotting.PALETTE["orange"],
    "CNY": _plotting.PALETTE["vermillion"],
}
CURRENCY_NAMES = {"USD": "US dollar", "EUR": "euro", "CNY": "yuan (renminbi)"}


def check_indicators(indicators: Sequence[str] | str,
                     allowed: Sequence[str] = INDICATORS) -> tuple[str, ...]:
    """Check currency-table series names; return them as a tuple.

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
        raise ParameterError("indicators: give at least one indicator; allowed: "
                             + ", ".join(repr(a) for a in allowed))
    return items


def currency_rows(indicators: Sequence[str], t0: pd.Timestamp, t1: pd.Timestamp, what: str,
                  *, need_value: bool = True) -> pd.DataFrame:
    """Rows of the currency table for ``indicators`` whose plotted date is in the window."""
    cur = fr.table("currency")
    sel = fr.add_spans(cur[cur["series"].isin(list(indicators))], fallback="stated_on")
    # Statements about a payment system are placed at the day they were made.
    said = (sel["series"] == "payment_system") & sel["stated_on"].notna()
    sel.loc[said, "plotted_at"] = sel.loc[said, "stated_on"]
    if need_value:
        sel = sel[sel["value"].notna()]
    in_window = (sel["plotted_at"] >= t0) & (sel["plotted_at"] <= t1)
    if not in_window.any():
        raise fr.empty(what, t0, t1, sel["plotted_at"])
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
_SILENT = "statement without a figure"


def settlement_args(indicators: Sequence[str] | str, start: DateLike,
                    end: DateLike) -> tuple[tuple[str, ...], pd.Timestamp, pd.Timestamp]:
    """The settlement chart's arguments, checked: its indicators and its window."""
    return (check_indicators(indicators, SETTLEMENT_INDICATORS), *fr.check_window(start, end))


def select_settlement(indicators: tuple[str, ...], t0: pd.Timestamp,
                      t1: pd.Timestamp) -> fr.Selection:
    """What the settlement chart draws for checked arguments (:func:`settlement_args`): its
    rows, event markers and x-range; :func:`draw_settlement` draws them."""
    rows = currency_rows(indicators, t0, t1, f"settlement-share rows for {indicators!r}",
                         need_value=False)
    valued = rows[rows["value"].notna()]
    note = None
    if (valued["unit"] != "percent").any():
        note = f"Not plotted: {int((valued['unit'] != 'percent').sum())} figure(s) not in percent."
        rows = rows[rows["value"].isna() | (rows["unit"] == "percent")]
    parts = []
    for series, codes, label, _, _ in _SETTLEMENT_GROUPS:
        g = rows[(rows["series"] == series) & rows["currency"].isin(codes)
                 & rows["value"].notna()].sort_values("plotted_at")
        if g.empty:
            continue
        # One marker per speaker, day and figure; further reports of it are counted.
        key = (g["plotted_at"].astype(str) + "|" + g["value"].astype(str) + "|"
               + g["stated_by"].astype(str))
        g = g.assign(plotted_value=g["value"], plotted_unit=g["unit"], group=label,
                     role=np.where(key.duplicated(), "same statement, other report", "main"),
                     reports=key.map(g.groupby(key)["source_id"].nunique()).to_numpy())
        # Speakers are named at the first, the highest and the latest point of each group;
        # the table lists every speaker.
        main = g[g["role"] == "main"]
        named = {main.index[0], main.index[-1], main["value"].idxmax()}
        g["label"] = [tx.surname(r.stated_by) + (f" ({r.reports} reports)" if r.reports > 1
                                                 else "")
                      if i in named else None
                      for i, r in zip(g.index, g.itertuples(index=False), strict=True)]
        parts.append(g)
    if not parts:
        raise fr.empty("settlement shares with a figure", t0, t1, rows["plotted_at"])
    data = pd.concat(parts)
    silent = rows[rows["value"].isna()].assign(plotted_value=np.nan, plotted_unit=None,
                                               role=_SILENT, group=_SILENT, label=None)
    every = pd.concat([data, silent])
    note = " ".join(n for n in (note, freshness_note("currency", t1, what="Figures")) if n) or None
    lo_, hi_ = every["period_start"].min(), every["period_end"].max()
    return fr.Selection(rows=fr.with_sources(every, "currency"),
                        events=fr.event_rows(*fr.xrange(lo_, hi_)), lo=lo_, hi=hi_, note=note)


def settlement_selection(indicators, start, end) -> fr.Selection:
    """The arguments of :func:`settlement_currency_rows`, checked, and what the chart draws for
    them (:func:`select_settlement`), in that function's order of arguments."""
    return select_settlement(*settlement_args(indicators, start, end))


def settlement_currency_rows(
    indicators: Sequence[str] | str = SETTLEMENT_INDICATORS,
    start: DateLike = "2014-01-01",
    end: DateLike = "today",
) -> pd.DataFrame:
    """Exactly the rows :func:`settlement_currency_chart` draws with the same arguments.

    The currency table's columns, then ``period_start``/``period_end``, ``plotted_at``,
    ``plotted_value``/``plotted_unit``, ``group`` (the legend entry), ``role`` (``'main'``,
    ``'same statement, other report'`` or ``'statement without a figure'``), ``reports`` (how
    many sources report the statement), ``label`` (the speaker's name where it is written on
    the chart), ``publisher``, ``url``; then the event markers.

    Examples
    --------
    >>> rows = settlement_currency_rows("sco_trade_national_currencies")
    >>> sorted(set(rows.loc[rows["table"] == "currency", "series"]))
    ['sco_trade_national_currencies']
    """
    return settlement_selection(indicators, start, end).all_rows()


def settlement_currency_chart(
    indicators: Sequence[str] | str = SETTLEMENT_INDICATORS,
    start: DateLike = "2014-01-01",
    end: DateLike = "today",
    ax: Axes | None = None,
) -> Figure:
    """Shares of national currencies in Russia's trade with China and with SCO states, as stated.

    Each point is one official's statement (the table keeps who said it and when). The speaker
    is named at the first, the highest and the latest point of each group; the rows
    (:func:`settlement_currency_rows`) name every one. Figures for a stated period sit at the
    middle of that period with a whisker over it; figures without a period sit at the date they
    were stated. Statements that gave no figure are the open triangles along the bottom.

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
    return draw_settlement(settlement_selection(indicators, start, end), ax)


def draw_settlement(sel: fr.Selection, ax: Axes | None = None) -> Figure:
    """Draw exactly the selection :func:`select_settlement` made (its rows are what
    :func:`settlement_currency_rows` returns); see :func:`settlement_currency_chart`."""
    lo.check_ax(ax)
    rows = sel.rows
    lay = lo.layout(1, ax)
    axm = lay.axes[0]
    labels = []
    bounded = False
    for _, _, label, color, marker in _SETTLEMENT_GROUPS:
        main = rows[(rows["group"] == label) & (rows["role"] == "main")]
        if main.empty:
            continue
        for rec in main.itertuples(index=False):
            if rec.period_end - rec.period_start > pd.Timedelta(days=40):
                axm.plot([rec.period_start, rec.period_end], [rec.value, rec.value],
                         color=color, lw=1, alpha=0.6, zorder=2)
            if isinstance(rec.label, str):
                labels.append((rec.plotted_at, rec.value, rec.label, color))
        axm.scatter(main["plotted_at"], main["value"], marker=marker, s=36, color=color,
                    zorder=7, edgecolors="white", linewidths=0.5)
        bounded = lo.bound_marks(axm, main, "value", color) or bounded
        lay.handles.append(Line2D([], [], marker=marker, ls="", color=color, ms=6, label=label))
    silent = rows[rows["role"] == _SILENT]
    if len(silent):
        axm.scatter(silent["plotted_at"], [-6] * len(silent), marker="v", s=30,
                    facecolors="white", edgecolors="#555555", zorder=4)
        lay.handles.append(Line2D([], [], marker="v", ls="", mfc="white", mec="#555555",
                                  label="Statement without a figure (day said)"))
    lo.headroom(axm, 100, bottom=-16)
    axm.set_yticks(range(0, 101, 20))
    axm.axhline(0, color="#bbbbbb", lw=0.6, zorder=1)
    axm.set_ylabel("Share of settlements, percent")
    axm.set_xlabel("Middle of the period a figure covers (whisker: the period, where longer "
                   "than a month), or the day it was stated")
    lo.set_date_axis(lay.axes, sel.lo, sel.hi)
    lo.draw_events(lay.axes, sel.events, lay.handles)
    lay.labels.append((axm, labels, {"avoid": (rows.loc[rows["role"] == "main", "plotted_at"],
                                                rows.loc[rows["role"] == "main", "value"])}))
    data = rows[rows["role"] == "main"]
    combined = data[(data["series"] == "russia_china_trade_settlement")
                    & data["currency"].isin(["RUB+CNY", "national"])]
    sco = data[(data["series"] == "sco_trade_national_currencies")
               & (data["currency"] == "national")]
    parts, who = [], []
    if len(combined):
        a, b = combined.sort_values("plotted_at").iloc[[0, -1]].itertuples(index=False)
        parts.append(f"rubles and yuan in Russia–China payments rose from "
                     f"{tx.bound(a)}{a.value:g}%{tx.lone(a)} ({tx.month(a)}) to "
                     f"{tx.bound(b)}{b.value:g}%{tx.lone(b)} ({tx.month(b)})")
        who.append(f"Russia–China: {tx.surname(a.stated_by)} to {tx.surname(b.stated_by)}")
    if len(sco):
        b = sco.sort_values("plotted_at").iloc[-1]
        parts.append(f"{tx.bound(b)}{b['value']:g}%{tx.lone(b)} in Russia's trade with SCO "
                     f"states ({tx.month(b)})")
        who.append(f"SCO: {tx.surname(b['stated_by'])}")
    if not parts:
        b = data.sort_values("plotted_at").iloc[-1]
        parts.append(f"the latest figure is {tx.bound(b)}{b['value']:g}%{tx.lone(b)} "
                     f"({b['group']}, {tx.month(b)})")
    heading = "By officials' own figures, " + "; ".join(parts)
    subtitle = ("Share of Russia's trade settled in national currencies, as stated by "
                "officials (" + "; ".join(who) + "); speakers named at the first, highest and "
                "latest point of each series, every one in the table")
    return lo.finish(lay, heading=heading, subtitle=subtitle, claim_ids=["c13"],
                     source_ids=[*rows["source_id"], *sel.events["source_id"]],
                     rows_function="settlement_currency_rows",
                     note=" ".join(n for n in (sel.note, lo.BOUND_NOTE if bounded else None)
                                   if n) or None)


# -- the dollar, euro and yuan in world reserves and payments ---------------------------------

_SHARE_LABELS = {
    "reserves_share_cofer": ("World FX reserves", "Share of allocated world FX reserves\n"
                             "(IMF COFER), percent"),
    "swift_payments_share": ("SWIFT payments", "Share of payments by value\n"
                             "(SWIFT RMB Tracker), percent"),
}


def shares_args(indicators: Sequence[str] | str, start: DateLike,
                end: DateLike) -> tuple[tuple[str, ...], pd.Timestamp, pd.Timestamp]:
    """The shares chart's indicators and window, checked (its currencies are checked against
    the rows of those indicators, by :func:`select_shares`)."""
    return (check_indicators(indicators, SHARE_INDICATORS), *fr.check_window(start, end))


def select_shares(indicators: tuple[str, ...], currencies: Sequence[str] | str,
                  t0: pd.Timestamp, t1: pd.Timestamp) -> fr.Selection:
    """What the shares chart draws for checked indicators and window (:func:`shares_args`):
    its rows, event markers, x-range and panels; :func:`draw_shares` draws them."""
    share_inds = [i for i in SHARE_INDICATORS if i in indicators and i != "payment_system"]
    cur = fr.table("currency")
    allowed = sorted(set(cur.loc[cur["series"].isin(share_inds or ["reserves_share_cofer"]),
                                 "currency"].dropna()))
    currencies = check_choices("currencies", currencies, allowed, kind="currency")
    if share_inds and not currencies:
        raise ParameterError("currencies: give at least one currency; allowed: "
                             + ", ".join(repr(a) for a in allowed))
    rows = currency_rows(indicators, t0, t1, f"rows for {indicators!r}", need_value=False)
    shares = rows[rows["series"].isin(share_inds) & rows["currency"].isin(list(currencies))
                  & rows["value"].notna() & (rows["unit"] == "percent")]
    statements = rows[rows["series"] == "payment_system"]
    panels = [i for i in share_inds if (shares["series"] == i).any()]
    if "payment_system" in indicators and len(statements):
        panels.append("payment_system")
    if not panels:
        raise fr.empty(f"rows for {indicators!r} and currencies {currencies!r}", t0, t1,
                       fr.add_spans(cur[cur["series"].isin(indicators)], "stated_on")[
                           "plotted_at"])
    shares = fr.mark_main(shares.assign(plotted_value=shares["value"],
                                        plotted_unit=shares["unit"]),
                          ["series", "currency", "period"])
    parts = [shares]
    if "payment_system" in panels:
        parts.append(statements.assign(plotted_value=0.0, plotted_unit=None, role=_SILENT))
    data = pd.concat(parts)
    lo_, hi_ = data["plotted_at"].min(), data["plotted_at"].max()
    return fr.Selection(rows=fr.with_sources(data, "currency"),
                        events=fr.event_rows(*fr.xrange(lo_, hi_)), lo=lo_, hi=hi_,
                        note=freshness_note("currency", t1, what="Figures"),
                        extra={"panels": panels, "currencies": currencies})


def shares_selection(indicators, currencies, start, end) -> fr.Selection:
    """The arguments of :func:`reserve_and_payment_shares_rows`, checked, and what the chart
    draws for them (:func:`select_shares`), in that function's order of arguments."""
    inds, t0, t1 = shares_args(indicators, start, end)
    return select_shares(inds, currencies, t0, t1)


def reserve_and_payment_shares_rows(
    indicators: Sequence[str] | str = SHARE_INDICATORS,
    currencies: Sequence[str] | str = ("USD", "EUR", "CNY"),
    start: DateLike = "2015-01-01",
    end: DateLike = "today",
) -> pd.DataFrame:
    """Exactly the rows :func:`reserve_and_payment_shares_chart` draws with these arguments.

    Shares (``role`` ``'main'`` or ``'other source'``), then the statements on an SCO payment
    system (``role='statement without a figure'``, ``plotted_value`` 0 on their lane), then
    the event markers.

    Examples
    --------
    >>> rows = reserve_and_payment_shares_rows(["reserves_share_cofer"], ["USD"])
    >>> sorted(set(rows.loc[rows["table"] == "currency", "currency"]))
    ['USD']
    """
    return shares_selection(indicators, currencies, start, end).all_rows()


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
    bank (they carry no figure); who made them is in the rows
    (:func:`reserve_and_payment_shares_rows`).

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
    return draw_shares(shares_selection(indicators, currencies, start, end), ax)


def draw_shares(sel: fr.Selection, ax: Axes | None = None) -> Figure:
    """Draw exactly the selection :func:`select_shares` made (its rows are what
    :func:`reserve_and_payment_shares_rows` returns); see
    :func:`reserve_and_payment_shares_chart`."""
    lo.check_ax(ax)
    rows, panels = sel.rows, sel.extra["panels"]
    ratios = [1.0 if p != "payment_system" else 0.45 for p in panels]
    lay = lo.layout(len(panels), ax, height_ratios=ratios,
                    figsize=(12, 3.1 * sum(ratios) + 2.2),
                    panel_names="panels (one per indicator)")
    shares = rows[rows["role"] != _SILENT]
    for code in sel.extra["currencies"]:
        lay.handles.append(Line2D([], [], color=CURRENCY_COLORS.get(code, "#333333"),
                                  marker="o", ms=4, lw=1.6, label=CURRENCY_NAMES.get(code, code)))
    latest: dict[str, dict[str, pd.Series]] = {}
    broke = False
    for a, ind in zip(lay.axes, panels, strict=True):
        if ind == "payment_system":
            continue
        g = shares[shares["series"] == ind]
        latest[ind] = {}
        for code in sel.extra["currencies"]:
            c = g[g["currency"] == code]
            if c.empty:
                continue
            color = CURRENCY_COLORS.get(code, "#333333")
            main = c[c["role"] == "main"].sort_values("plotted_at")
            xs, ys = list(main["plotted_at"]), list(main["plotted_value"])
            if ind == "swift_payments_share":
                before = [x < SWIFT_METHOD_CHANGE for x in xs]
                if any(before) and not all(before):
                    k = before.index(False)
                    xs.insert(k, SWIFT_METHOD_CHANGE)
                    ys.insert(k, np.nan)
                    broke = True
            a.plot(xs, ys, color=color, marker="o", ms=4, lw=1.6, zorder=3)
            lo.plot_others(a, main, c[c["role"] != "main"], ["period"], color, "o")
            last = main.iloc[-1]
            latest[ind][code] = last
            lo.end_label(lay, a, last["plotted_at"], last["plotted_value"],
                         f"{last['plotted_value']:g}", color)
        a.set_ylabel(_SHARE_LABELS[ind][1], fontsize=8)
        a.text(0.005, 0.5, _SHARE_LABELS[ind][0], transform=a.transAxes, fontsize=8.5,
               fontweight="bold", color="#333333", va="center")
    if shares["role"].ne("main").any():
        lay.handles.append(lo.other_handle())
    lo.set_date_axis(lay.axes, sel.lo, sel.hi)
    for a, ind in zip(lay.axes, panels, strict=True):
        if ind != "payment_system":
            top = shares.loc[shares["series"] == ind, "plotted_value"].max()
            lo.headroom(a, top, 0, frac=0.74 if a is lay.axes[0] else 0.9)
    if broke:
        a = lay.axes[panels.index("swift_payments_share")]
        a.axvline(SWIFT_METHOD_CHANGE, color="#333333", lw=1.2, zorder=1)
        a.text(SWIFT_METHOD_CHANGE, 0.62, " SWIFT changed its method (Jul 2023):\n shares "
               "before and after are not comparable", transform=a.get_xaxis_transform(),
               fontsize=6.5, va="center", color="#333333")
    statements = rows[rows["role"] == _SILENT]
    if "payment_system" in panels:
        a = lay.axes[panels.index("payment_system")]
        a.scatter(statements["plotted_at"], [0] * len(statements), marker="^", s=36,
                  color="#333333", zorder=4)
        a.set_ylim(-1.6, 1.6)
        a.set_yticks([])
        a.spines["left"].set_visible(False)
        a.set_ylabel("SCO payment system\nor bank: statements", fontsize=8)
        lay.handles.append(Line2D([], [], marker="^", ls="", color="#333333",
                                  label="Statement on an SCO payment\nsystem or bank (who: "
                                        "see the rows)"))
    lay.axes[-1].set_xlabel("Middle of the quarter or month a share refers to; "
                            "statements at the day they were made")
    lo.draw_events(lay.axes, sel.events, lay.handles)
    bits, cny, leaders = [], [], set()
    for ind, per in latest.items():
        if not per:
            continue
        lead_code, lead = max(per.items(), key=lambda kv: kv[1]["plotted_value"])
        leaders.add(lead_code)
        what = _SHARE_LABELS[ind][0].replace("World", "world")
        bits.append(f"{lead['plotted_value']:g}%{tx.lone(lead)} of {what} ({lead['period']})")
        if "CNY" in per and lead_code != "CNY":
            cny.append(f"{per['CNY']['plotted_value']:g}%{tx.lone(per['CNY'])}")
    if len(leaders) == 1 and bits:
        code = leaders.pop()
        heading = (f"The {CURRENCY_NAMES.get(code, code).split(' (')[0]} still leads: "
                   + tx.join(bits))
        if cny:
            heading += f"; the yuan holds {tx.join(cny)}"
    elif bits:
        heading = "Latest shares: " + tx.join(bits)
    else:
        heading = (f"{len(statements)} statements on an SCO payment system or bank, "
                   f"{statements['stated_on'].min():%b %Y} to "
                   f"{statements['stated_on'].max():%b %Y}")
    subtitle = ("Context for the article's claims on national currencies and an SCO payment "
                "system: currency shares as IMF and SWIFT data were reported")
    return lo.finish(lay, heading=heading, subtitle=subtitle, claim_ids=["c13", "c14"],
                     source_ids=[*rows["source_id"], *sel.events["source_id"]],
                     rows_function="reserve_and_payment_shares_rows", note=sel.note)
