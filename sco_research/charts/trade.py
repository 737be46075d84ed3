"""Russia's yearly trade with its SCO partners: the rows, and the chart drawn from them.

Examples
--------
>>> rows = trade_rows(("CHN", "IND"), start="2013-01-01", end="2025-12-31")
>>> sorted(set(rows["table"]))
['events', 'trade']
>>> bool(rows["source_id"].notna().all())
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._checks import DateLike, check_choice, check_choices
from ..errors import ParameterError
from ..freshness import freshness_note
from . import _frames as fr
from . import _layout as lo
from . import _text as tx

__all__ = ["TRADE_FLOWS", "draw", "select", "trade_chart", "trade_rows"]

#: Flows of the trade table, read from Russia's side (exports = Russia's exports to the partner).
TRADE_FLOWS: tuple[str, ...] = ("turnover", "exports", "imports")


def select(partners, start, end, flow, currency) -> fr.Selection:
    """What the chart draws with these arguments, each checked: its rows, event markers and
    x-range (:func:`trade_rows` returns the rows; :func:`draw` draws them)."""
    flow = check_choice("flow", flow, TRADE_FLOWS, kind="flow")
    t0, t1 = fr.check_window(start, end)
    trade = fr.table("trade")
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
    sel = pair[m & pair["partner_iso3"].isin(partners) & pair["period_type"].isin(fr.ANNUAL)]
    sel = fr.add_spans(sel)
    in_window = (sel["plotted_at"] >= t0) & (sel["plotted_at"] <= t1)
    if not in_window.any():
        raise fr.empty(f"annual {flow} figures for partners {partners!r}", t0, t1,
                       sel["plotted_at"])
    sel = sel[in_window]
    base = sel["unit"].map(lambda u: tx.split_unit(u)[0])
    currency = check_choice("currency", currency, sorted(set(base)), kind="currency",
                            where=f"units of the selected {flow} rows")
    excluded = sel[base != currency]
    sel = sel[base == currency]
    sel = fr.rescale(sel, sel["unit"].value_counts().index[0])
    sel = fr.mark_main(sel, ["partner_iso3", "reporter", "period", "flow"])
    notes = []
    if flow != "turnover":
        notes.append("Russia's exports: Russia's exports or the partner's imports from Russia."
                     if flow == "exports" else
                     "Russia's imports: Russia's imports or the partner's exports to Russia.")
    if len(excluded):
        units = ", ".join(sorted(set(excluded["unit"])))
        notes.append(f"Not plotted: {len(excluded)} figure(s) stated in other units ({units}); "
                     f"choose them with currency=.")
    if fresh := freshness_note("trade", t1, what="Figures"):
        notes.append(fresh)
    lo_, hi_ = sel["period_start"].min(), sel["period_end"].max()
    return fr.Selection(rows=fr.with_sources(sel, "trade"), events=fr.event_rows(
        *fr.xrange(lo_, hi_)), lo=lo_, hi=hi_, note=" ".join(notes) or None,
        extra={"partners": partners, "flow": flow})


def trade_rows(
    partners: Sequence[str] | str = ("CHN", "IND"),
    start: DateLike = "2013-01-01",
    end: DateLike = "today",
    flow: str = "turnover",
    *,
    currency: str = "USD",
) -> pd.DataFrame:
    """Exactly the rows :func:`trade_chart` draws with the same arguments.

    One row per plotted figure (``table='trade'``): the trade table's columns, then
    ``partner_iso3``, ``period_start``/``period_end``, ``plotted_at`` (middle of the period),
    ``plotted_value``/``plotted_unit`` (rescaled only between scales of one currency), ``role``
    (``'main'`` or ``'other source'`` for a second figure of the same year), ``publisher`` and
    ``url``. Then the events drawn as dashed markers (``table='events'``,
    ``role='event marker'``, ``label`` where one is written).

    Of two figures for the same reporter, partner, period and flow the main one comes from the
    more primary source, then the later publication (:func:`._frames.source_rank`).

    Examples
    --------
    >>> rows = trade_rows(("IND",), start="2020-01-01", end="2025-12-31")
    >>> sorted(set(rows.loc[rows["table"] == "trade", "partner_iso3"]))
    ['IND']
    """
    return select(partners, start, end, flow, currency).all_rows()


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
    billion), nothing else is converted. The rows drawn are :func:`trade_rows`.

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
    return draw(select(partners, start, end, flow, currency), ax)


def draw(sel: fr.Selection, ax: Axes | None = None) -> Figure:
    """Draw exactly the selection :func:`select` made (its rows are what
    :func:`trade_rows` returns); see :func:`trade_chart`."""
    lo.check_ax(ax)
    return _draw(sel, ax)


def _draw(sel: fr.Selection, ax: Axes | None) -> Figure:
    rows, partners, flow = sel.rows, sel.extra["partners"], sel.extra["flow"]
    names = tx.country_names()
    lay = lo.layout(1, ax)
    axm = lay.axes[0]
    unit = rows["plotted_unit"].iloc[0]
    invasion = fr.invasion()
    findings, details = [], []
    colors = {p: lo.SERIES_COLORS[i % len(lo.SERIES_COLORS)] for i, p in enumerate(partners)}
    for partner in partners:
        prow = rows[rows["partner_iso3"] == partner]
        if prow.empty:
            continue
        best = None
        for (reporter, ptype), g in prow.groupby(["reporter", "period_type"], sort=False):
            main = g[g["role"] == "main"].sort_values("plotted_at")
            fiscal = ptype == "fiscal_year_april_march"
            marker = "s" if fiscal else "o"
            ls = "-" if reporter == partner else "--"
            label = (f"{names.get(partner, partner)}: "
                     f"{tx.possessive(names.get(reporter, reporter))} figures"
                     + (", fiscal years Apr-Mar" if fiscal else ""))
            axm.plot(*lo.line_xy(main), color=colors[partner], ls=ls, marker=marker, ms=5,
                     lw=1.6, zorder=3, label=label)
            lay.handles.append(Line2D([], [], color=colors[partner], ls=ls, marker=marker,
                                      ms=5, lw=1.6, label=label))
            lo.plot_others(axm, main, g[g["role"] != "main"], ["period"], colors[partner],
                           marker)
            last = main.iloc[-1]
            lo.end_label(lay, axm, last["plotted_at"], last["plotted_value"],
                         tx.fmt(last["plotted_value"]), colors[partner])
            score = (len(main), reporter == partner)
            if best is None or score > best[0]:
                best = (score, main, reporter)
        _, main, reporter = best
        first, last, _ = fr.like_with_like(main, invasion)
        name = names.get(partner, partner)
        whose = tx.possessive(names.get(reporter, reporter))
        if first is not None:
            findings.append(f"with {name} "
                            f"{tx.change(first['plotted_value'], last['plotted_value'])}")
            details.append(f"{name} {tx.fmt(first['plotted_value'])}{tx.lone(first)} "
                           f"({first['period']}) to {tx.fmt(last['plotted_value'])}"
                           f"{tx.lone(last)} ({last['period']}, {whose} figures)")
        else:
            findings.append(f"with {name} was {tx.fmt(last['plotted_value'])} {unit} "
                            f"in {last['period']}{tx.lone(last)}")
            details.append(f"{name} {tx.fmt(last['plotted_value'])}{tx.lone(last)} "
                           f"({last['period']})")
    flow_words = {"turnover": "trade turnover", "exports": "exports", "imports": "imports"}[flow]
    straddles = (rows["plotted_at"] < invasion).any() and (rows["plotted_at"] >= invasion).any()
    lead = "From the last pre-war year to the latest" if straddles else "Over the years shown"
    heading = f"{lead}, Russia's {flow_words} " + tx.join(findings)
    if rows["role"].ne("main").any():
        lay.handles.append(lo.other_handle())
    axm.set_ylabel(f"{flow_words[0].upper()}{flow_words[1:]}, {unit}" if flow == "turnover"
                   else f"Russia's {flow_words}, {unit}")
    fiscal = (rows["period_type"] == "fiscal_year_april_march").any()
    axm.set_xlabel("Year (each figure at the middle of its period"
                   + ("; India's fiscal years run April-March" if fiscal else "") + ")")
    lo.set_date_axis(lay.axes, sel.lo, sel.hi)
    axm.set_ylim(0, rows["plotted_value"].max() * 1.35)
    lo.draw_events(lay.axes, sel.events, lay.handles)
    return lo.finish(lay, heading=heading, subtitle=f"{unit}: " + "; ".join(details),
                     claim_ids=["c05", "c06"],
                     source_ids=[*rows["source_id"], *sel.events["source_id"]],
                     rows_function="trade_rows", note=sel.note)
