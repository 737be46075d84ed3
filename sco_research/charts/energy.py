"""Russian oil, gas and coal bought by SCO states: the rows, and the chart drawn from them.

Examples
--------
>>> rows = energy_rows(("CHN", "IND"), "crude_oil", "volume")
>>> set(rows.loc[rows["table"] == "energy", "plotted_unit"])
{'million barrels per day'}
"""

from __future__ import annotations

from collections.abc import Sequence

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

__all__ = ["ENERGY_MEASURES", "draw", "energy_chart", "energy_rows", "select"]

#: What the values of the energy table measure.
ENERGY_MEASURES = ("volume", "value", "share_of_imports")


def _is_rate(unit: str) -> bool:
    """Units whose values compare across periods of different length (per day, percent)."""
    return "per day" in unit or unit == "percent"


def select(importers, commodity, measure, unit, start, end) -> fr.Selection:
    """What the chart draws with these arguments, each checked: its rows, event markers and
    x-range (:func:`energy_rows` returns the rows; :func:`draw` draws them)."""
    energy = fr.table("energy")
    rus = energy[energy["exporter"] == "RUS"]
    allowed = sorted(set(rus["importer"]))
    importers = check_choices("importers", importers, allowed, kind="importer")
    if not importers:
        raise ParameterError("importers: give at least one importer; allowed: "
                             + ", ".join(repr(a) for a in allowed))
    commodity = check_choice("commodity", commodity, sorted(set(rus["commodity"])),
                             kind="commodity")
    measure = check_choice("measure", measure, ENERGY_MEASURES, kind="measure")
    t0, t1 = fr.check_window(start, end)
    sel = rus[rus["importer"].isin(list(importers)) & (rus["commodity"] == commodity)
              & (rus["measure"] == measure) & (rus["period_type"] != "year_to_date")]
    sel = fr.add_spans(sel)
    in_window = (sel["plotted_at"] >= t0) & (sel["plotted_at"] <= t1)
    if not in_window.any():
        raise fr.empty(f"{commodity} {measure} rows for importers {importers!r}", t0, t1,
                       sel["plotted_at"])
    sel = sel[in_window]
    units = list(sel["unit"].value_counts().index)
    unit = units[0] if unit is None else check_choice("unit", unit, units, kind="unit")
    base = tx.split_unit(unit)[0]
    same = sel["unit"].map(lambda u: tx.split_unit(u)[0] == base)
    notes = []
    if (~same).any():
        notes.append(f"Not plotted: {int((~same).sum())} figure(s) in other units "
                     f"({', '.join(sorted(set(sel.loc[~same, 'unit'])))}); choose with unit=.")
    sel = sel[same]
    if not _is_rate(unit):
        short = ~sel["period_type"].isin(fr.ANNUAL)
        if short.any():
            notes.append(f"Not plotted: {int(short.sum())} figure(s) for periods shorter than "
                         f"a year (amounts over different periods do not compare).")
        sel = sel[~short]
        if sel.empty:
            raise fr.empty(f"annual {commodity} {measure} rows in {unit}", t0, t1,
                           pd.Series([], dtype="datetime64[ns]"))
    sel = fr.mark_main(fr.rescale(sel, unit), ["importer", "period"])
    if fresh := freshness_note("energy", t1, what="Figures"):
        notes.append(fresh)
    lo_, hi_ = sel["period_start"].min(), sel["period_end"].max()
    return fr.Selection(rows=fr.with_sources(sel, "energy"),
                        events=fr.event_rows(*fr.xrange(lo_, hi_)), lo=lo_, hi=hi_,
                        note=" ".join(notes) or None,
                        extra={"importers": importers, "commodity": commodity,
                               "measure": measure, "unit": unit})


def energy_rows(
    importers: Sequence[str] | str = ("CHN", "IND"),
    commodity: str = "crude_oil",
    measure: str = "volume",
    unit: str | None = None,
    start: DateLike = "2017-01-01",
    end: DateLike = "today",
) -> pd.DataFrame:
    """Exactly the rows :func:`energy_chart` draws with the same arguments.

    The energy table's columns, then ``period_start``/``period_end``, ``plotted_at``,
    ``plotted_value``/``plotted_unit``, ``role`` (``'main'`` or ``'other source'``),
    ``publisher``, ``url``; then the event markers (``table='events'``).

    Examples
    --------
    >>> rows = energy_rows("CHN", unit="million tonnes")
    >>> sorted(set(rows.loc[rows["table"] == "energy", "period_type"]))
    ['calendar_year']
    """
    return select(importers, commodity, measure, unit, start, end).all_rows()


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
    tonnes, cubic metres) only annual figures are drawn. The headline compares like with like:
    two annual figures from sources of the same tier. The rows drawn are :func:`energy_rows`.

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
    return draw(select(importers, commodity, measure, unit, start, end), ax)


def draw(sel: fr.Selection, ax: Axes | None = None) -> Figure:
    """Draw exactly the selection :func:`select` made (its rows are what
    :func:`energy_rows` returns); see :func:`energy_chart`."""
    lo.check_ax(ax)
    return _draw(sel, ax)


def _draw(sel: fr.Selection, ax: Axes | None) -> Figure:
    rows, unit = sel.rows, sel.extra["unit"]
    names = tx.country_names()
    lay = lo.layout(1, ax)
    axm = lay.axes[0]
    invasion = fr.invasion()
    findings, details = [], []
    for i, imp in enumerate(sel.extra["importers"]):
        g = rows[rows["importer"] == imp]
        if g.empty:
            continue
        color = lo.SERIES_COLORS[i % len(lo.SERIES_COLORS)]
        main = g[g["role"] == "main"].sort_values("plotted_at")
        annual = main[main["period_type"].isin(fr.ANNUAL)]
        short = main[~main["period_type"].isin(fr.ANNUAL)]
        name = names.get(imp, imp)
        if len(annual):
            axm.plot(*lo.line_xy(annual), color=color, marker="o", ms=5, lw=1.6, zorder=3)
            lay.handles.append(Line2D([], [], color=color, marker="o", ms=5, lw=1.6,
                                      label=f"{name}: annual figures"))
        if len(short):
            for rec in short.itertuples(index=False):
                axm.plot([rec.period_start, rec.period_end],
                         [rec.plotted_value, rec.plotted_value], color=color, lw=1,
                         alpha=0.7, zorder=2)
            axm.scatter(short["plotted_at"], short["plotted_value"], marker="D", s=22,
                        color=color, zorder=4)
            lay.handles.append(Line2D([], [], color=color, marker="D", ms=4, ls="",
                                      label=f"{name}: month, quarter or half-year"))
        lo.plot_others(axm, main, g[g["role"] != "main"], ["period"], color, "o")
        last = main.iloc[-1]
        lo.end_label(lay, axm, last["plotted_at"], last["plotted_value"],
                     tx.fmt(last["plotted_value"]), color)
        # The headline compares annual figures only, from sources of the same tier.
        first, end_, _ = (fr.like_with_like(annual, invasion) if len(annual)
                          else (None, last, False))
        if first is not None:
            findings.append(f"to {name} {tx.change(first['plotted_value'], end_['plotted_value'])}")
            details.append(f"{name} {tx.fmt(first['plotted_value'])}{tx.lone(first)} "
                           f"({first['period']}) to {tx.fmt(end_['plotted_value'])}"
                           f"{tx.lone(end_)} ({end_['period']})")
        else:
            findings.append(f"to {name} stood at {tx.fmt(end_['plotted_value'])} "
                            f"({end_['period']}){tx.lone(end_)}")
            details.append(f"{name} {tx.fmt(end_['plotted_value'])}{tx.lone(end_)} "
                           f"({end_['period']})")
    if rows["role"].ne("main").any():
        lay.handles.append(lo.other_handle())
    what = sel.extra["commodity"].replace("_", " ")
    measure_word = {"volume": "", "value": " (value)", "share_of_imports":
                    " (share of the importer's imports)"}[sel.extra["measure"]]
    axm.set_ylabel(f"Russian {what}{measure_word}, {unit}")
    axm.set_xlabel("Each figure at the middle of its period")
    lo.set_date_axis(lay.axes, sel.lo, sel.hi)
    lo.headroom(axm, rows["plotted_value"].max())
    lo.draw_events(lay.axes, sel.events, lay.handles)
    annual = rows[rows["period_type"].isin(fr.ANNUAL)]
    straddles = ((annual["plotted_at"] < invasion).any()
                 and (annual["plotted_at"] >= invasion).any())
    lead = ("Comparing annual figures from before and after the invasion" if straddles
            else "In the annual figures shown")
    heading = f"{lead}, Russian {what}{measure_word} " + tx.join(findings)
    subtitle = (f"{unit}, annual figures from sources of the same tier: " + "; ".join(details)
                + ". Months and quarters are drawn as diamonds, not compared")
    return lo.finish(lay, heading=heading, subtitle=subtitle, claim_ids=["c05"],
                     source_ids=[*rows["source_id"], *sel.events["source_id"]],
                     rows_function="energy_rows", note=sel.note)
