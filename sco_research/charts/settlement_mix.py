"""The currency mix of Russia's export and import payments: the rows, and the chart.

Examples
--------
>>> rows = export_settlement_mix_rows("exports")
>>> set(rows.loc[rows["table"] == "currency", "scope"])
{'RUS-exports'}
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .. import _plotting
from .._checks import DateLike, check_choice
from ..corroboration import is_disputed
from ..freshness import freshness_note
from . import _frames as fr
from . import _layout as lo
from . import _text as tx
from .currency import currency_rows

__all__ = ["MIX_GROUPS", "draw", "export_settlement_mix_chart", "export_settlement_mix_rows",
           "select"]

#: Currency groups of the settlement mix (the Bank of Russia's terms): code -> name, colour,
#: line style. Parts of a group (the yuan inside 'friendly' currencies) are dashed.
MIX_GROUPS: dict[str, tuple[str, str, str]] = {
    "RUB": ("Rubles", _plotting.PALETTE["blue"], "-"),
    "friendly": ("'Friendly' currencies", _plotting.PALETTE["green"], "-"),
    "unfriendly": ("'Unfriendly' currencies", _plotting.PALETTE["vermillion"], "-"),
    "RUB+friendly": ("Rubles and 'friendly' together", _plotting.PALETTE["sky"], "-"),
    "CNY": ("Yuan (part of 'friendly')", "#8C510A", "--"),
    "other_friendly": ("Other 'friendly' (not yuan)", _plotting.PALETTE["purple"], "--"),
    "USD+EUR": ("Dollar and euro (part of 'unfriendly')", _plotting.PALETTE["orange"], "--"),
    "USD": ("Dollar", "#762A83", "--"),
    "EUR": ("Euro", _plotting.PALETTE["black"], "--"),
}


#: The note under the chart wherever it draws a disputed figure.
DISPUTED_NOTE = ("Grey hollow markers: disputed figures (another source shows them to be "
                 "another series; see each row's note): never preferred to another figure for "
                 "the same period, joined to no line and left out of the title.")


def _length(days: float) -> str:
    """'month', 'quarter', 'half-year', 'year' or 'other' for a period of ``days`` days."""
    for name, (a, b) in {"month": (27, 32), "quarter": (88, 93), "half-year": (180, 185),
                         "year": (364, 367)}.items():
        if a <= days <= b:
            return name
    return "other"


def select(flow, start, end) -> fr.Selection:
    """What the chart draws with these arguments, each checked: its rows, event markers and
    x-range (:func:`export_settlement_mix_rows` returns the rows; :func:`draw` draws them)."""
    flow = check_choice("flow", flow, ("exports", "imports"), kind="flow")
    t0, t1 = fr.check_window(start, end)
    series = f"russia_{flow[:-1]}_settlement"
    rows = currency_rows([series], t0, t1, f"{flow} settlement figures")
    scope = f"RUS-{flow}"
    notes = []
    off_scope = rows[rows["scope"] != scope]
    if len(off_scope):
        scopes = ", ".join(sorted(set(off_scope["scope"])))
        notes.append(f"Not plotted: {len(off_scope)} figure(s) for another scope ({scopes}).")
    unknown = rows[(rows["scope"] == scope) & ~rows["currency"].isin(list(MIX_GROUPS))]
    if len(unknown):
        notes.append(f"Not plotted: {len(unknown)} figure(s) for currency groups "
                     f"{sorted(set(unknown['currency']))}.")
    rows = rows[(rows["scope"] == scope) & rows["currency"].isin(list(MIX_GROUPS))
                & (rows["unit"] == "percent")]
    if rows.empty:
        raise fr.empty(f"{flow} settlement figures in percent", t0, t1,
                       rows["plotted_at"])
    days = (rows["period_end"] - rows["period_start"]).dt.days
    rows = rows.assign(plotted_value=rows["value"], plotted_unit=rows["unit"],
                       period_length=[_length(d) if pd.notna(d) else "day stated"
                                      for d in days])
    rows = fr.mark_main(rows, ["currency", "period", "plotted_at"])
    rows["disputed"] = is_disputed(rows["note"]).to_numpy()
    # each line is named at its latest undisputed figure (a disputed one is off the line)
    main = rows[(rows["role"] == "main") & ~rows["disputed"]].sort_values("plotted_at")
    latest = main.groupby("currency").tail(1).index
    if rows["disputed"].any():
        notes.append(DISPUTED_NOTE)
    rows["label"] = [MIX_GROUPS[c][0] if i in latest else None
                     for i, c in zip(rows.index, rows["currency"], strict=True)]
    if fresh := freshness_note("currency", t1, what="Figures"):
        notes.append(fresh)
    lo_ = rows["period_start"].min()
    hi_ = rows["period_end"].max()
    return fr.Selection(rows=fr.with_sources(rows, "currency"),
                        events=fr.event_rows(*fr.xrange(lo_, hi_)), lo=lo_, hi=hi_,
                        note=" ".join(notes) or None, extra={"flow": flow})


def export_settlement_mix_rows(
    flow: str = "exports",
    start: DateLike = "2021-01-01",
    end: DateLike = "today",
) -> pd.DataFrame:
    """Exactly the rows :func:`export_settlement_mix_chart` draws with the same arguments.

    The currency table's columns, then ``period_start``/``period_end``, ``plotted_at``,
    ``plotted_value``/``plotted_unit``, ``period_length`` (month, quarter, year...), ``role``
    (``'main'`` or ``'other source'`` for a second figure for the same group and period),
    ``label`` (the group's name, at its latest undisputed point), ``disputed`` (the note's
    ``[disputed]`` tag: another source shows the figure to be another series; ranked below any
    other figure for the same group and period), ``publisher``, ``url``; then the event
    markers.

    Examples
    --------
    >>> rows = export_settlement_mix_rows("imports")
    >>> set(rows.loc[rows["table"] == "currency", "series"])
    {'russia_import_settlement'}
    """
    return select(flow, start, end).all_rows()


def export_settlement_mix_chart(
    flow: str = "exports",
    start: DateLike = "2021-01-01",
    end: DateLike = "today",
    ax: Axes | None = None,
) -> Figure:
    """The currency mix of Russia's export (or import) payments: one line per currency group.

    The groups are the Bank of Russia's: rubles, 'friendly' and 'unfriendly' currencies, or
    their combinations and parts where a source gives only those (parts are dashed). Each
    figure sits at the middle of its period, with a whisker over periods longer than a month;
    each line is named at its latest figure. Where two sources give a figure for the same group
    and period, the other one is a hollow marker. A disputed figure (tagged ``[disputed]``:
    another source shows it to be another series) never wins over another figure for its
    period; it is drawn as a grey hollow marker off the line, named in the legend and the
    note, and left out of the title. Nothing is added up or filled in. The rows
    drawn are :func:`export_settlement_mix_rows`.

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
    return draw(select(flow, start, end), ax)


def draw(sel: fr.Selection, ax: Axes | None = None) -> Figure:
    """Draw exactly the selection :func:`select` made (its rows are what
    :func:`export_settlement_mix_rows` returns); see :func:`export_settlement_mix_chart`."""
    lo.check_ax(ax)
    rows, flow = sel.rows, sel.extra["flow"]
    lay = lo.layout(1, ax)
    axm = lay.axes[0]
    labels = []
    whiskers = False
    bounded = False
    disputed = False
    for code, (_, color, ls) in MIX_GROUPS.items():
        g = rows[rows["currency"] == code]
        if g.empty:
            continue
        doubted = g[g["disputed"]]
        if len(doubted):
            axm.scatter(doubted["plotted_at"], doubted["plotted_value"], s=30,
                        facecolors=lo.DISPUTED_FACE, edgecolors=lo.DISPUTED_EDGE,
                        linewidths=1.1, zorder=4)
            disputed = True
        g = g[~g["disputed"]]
        main = g[g["role"] == "main"].sort_values("plotted_at")
        if main.empty:
            continue
        axm.plot(main["plotted_at"], main["plotted_value"], color=color, ls=ls, lw=1.4,
                 zorder=3)
        # Markers over the labels' white ground, so a label never hides its figure.
        axm.scatter(main["plotted_at"], main["plotted_value"], color=color, s=18, zorder=7)
        bounded = lo.bound_marks(axm, main, "plotted_value", color) or bounded
        for rec in main.itertuples(index=False):
            if rec.period_end - rec.period_start > pd.Timedelta(days=40):
                axm.plot([rec.period_start, rec.period_end],
                         [rec.plotted_value, rec.plotted_value], color=color, lw=0.9,
                         alpha=0.5, zorder=2)
                whiskers = True
        lo.plot_others(axm, main, g[g["role"] != "main"], ["period", "plotted_at"], color, "o")
        last = main.iloc[-1]
        labels.append((last["plotted_at"], last["plotted_value"],
                       f"{last['label']} {tx.bound(last)}{last['plotted_value']:g}%", color))
    if (rows["role"].ne("main") & ~rows["disputed"]).any():
        lay.handles.append(lo.other_handle())
    if disputed:
        lay.handles.append(lo.disputed_handle())
    if whiskers:
        lay.handles.append(Line2D([], [], color="#777777", lw=0.9, alpha=0.6,
                                  label="Period a figure covers (longer than a month)"))
    lay.handles.append(Line2D([], [], color="#555555", ls="--", lw=1.2,
                              label="Part of a group (dashed)"))
    lo.headroom(axm, 100, bottom=0, frac=0.78)
    axm.set_yticks(range(0, 101, 20))
    axm.set_ylabel(f"Share of Russia's {flow[:-1]} payments, percent")
    axm.set_xlabel("Middle of the period each figure covers (or the day it was stated)")
    lo.set_date_axis(lay.axes, sel.lo, sel.hi)
    lo.draw_events(lay.axes, sel.events, lay.handles)
    lay.labels.append((axm, labels,
                       {"fontsize": 7, "avoid": (rows["plotted_at"], rows["plotted_value"])}))
    main = rows[(rows["role"] == "main") & ~rows["disputed"]]
    parts = []
    for code, name in (("RUB", "rubles"), ("unfriendly", "'unfriendly' currencies"),
                       ("USD+EUR", "dollar and euro")):
        g = main[main["currency"] == code]
        if len(g) < 2 or (code == "USD+EUR" and any("unfriendly" in p for p in parts)):
            continue
        first, last, _ = fr.like_with_like(g.assign(period_type=g["period_length"]),
                                           pd.Timestamp.max)
        if first is None:
            continue
        verb = "rose" if last["value"] > first["value"] else "fell"
        parts.append(f"{name} {verb} from {tx.bound(first)}{first['value']:g}%"
                     f"{tx.lone(first)} ({tx.month(first)}) to {tx.bound(last)}"
                     f"{last['value']:g}%{tx.lone(last)} ({tx.month(last)})")
    if not parts:
        b = main.sort_values("plotted_at").iloc[-1]
        parts.append(f"the latest figure is {tx.bound(b)}{b['value']:g}%{tx.lone(b)} for "
                     f"{MIX_GROUPS[b['currency']][0].lower()} ({tx.month(b)})")
    heading = f"In Russia's {flow[:-1]} payments, " + tx.join(parts)
    subtitle = ("Currency shares as the Bank of Russia and officials stated them, each compared "
                "with a figure for a period of the same length; 'friendly' and 'unfriendly' "
                "are the Russian authorities' terms")
    return lo.finish(lay, heading=heading, subtitle=subtitle, claim_ids=["c13"],
                     source_ids=[*rows["source_id"], *sel.events["source_id"]],
                     rows_function="export_settlement_mix_rows",
                     note=" ".join(n for n in (sel.note, lo.BOUND_NOTE if bounded else None)
                                   if n) or None)
