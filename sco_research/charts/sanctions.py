"""SWIFT cut-offs, the freezing of Russia's reserves and estimates of the frozen sum.

Examples
--------
>>> rows = sanctions_timeline_rows(start="2023-01-01")
>>> bool((rows.loc[rows["table"] == "sanctions", "announced"] >= "2023-01-01").all())
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
from .._days import day_words
from ..errors import ParameterError
from ..freshness import freshness_note
from . import _frames as fr
from . import _layout as lo
from . import _text as tx

__all__ = ["MEASURES", "draw", "sanctions_timeline_chart", "sanctions_timeline_rows",
           "select"]

#: Kinds of measure of the sanctions table, in the order of the chart's lanes.
MEASURES = ("swift_disconnection", "reserve_immobilisation", "reserve_estimate", "other")

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
    """'300 Russian finance ministry (abroad)': the amount, who estimated it, where held."""
    where = str(rec.held_where or "").split(" (")[0].split(",")[0].strip()
    who = tx.surname(rec.imposed_by)
    text = f"{tx.bound(rec)}{rec.amount:g} {who}"
    if where and where.lower() not in who.lower():
        text += f" ({where})"
    return tx.shorten(text, 30)


def _measure_line(day_rows: pd.DataFrame, measure: str) -> str:
    """'EU: 7 banks, 2 Mar 2022' - who imposed the measures of one day, on what, and when."""
    who = ", ".join(tx.who(w) for w in tx.unique(day_rows["imposed_by"]))
    n = len(day_rows)
    if n == 1:
        what = str(day_rows["target"].iloc[0])
    elif measure == "swift_disconnection":
        what = f"{n} banks"
    else:
        what = f"{n} measures"
    day = day_rows["announced"].iloc[0]
    return tx.shorten(f"{who}: {what}", 46, lines=1) + f", {day_words(day, short=True)}"


def _lane_labels(g: pd.DataFrame, measure: str, span: pd.Timedelta) -> list:
    """Labels of one lane (see :func:`._frames.cluster_labels`): a line per day, at most four."""
    def text(days: list) -> str:
        lines = [_measure_line(g[g["announced"] == d], measure) for d in days]
        if len(lines) > 4:
            lines = lines[:3] + [f"and {len(lines) - 3} more days (see the table)"]
        return "\n".join(lines)

    return fr.cluster_labels(g["announced"], span, text)


def select(measures, start, end, units) -> fr.Selection:
    """What the chart draws with these arguments, each checked: its rows, event markers and
    x-range (:func:`sanctions_timeline_rows` returns the rows; :func:`draw` draws them)."""
    sanc = fr.table("sanctions")
    allowed = [m for m in MEASURES if (sanc["measure"] == m).any()]
    measures = tuple(allowed) if measures is None else check_choices(
        "measures", measures, allowed, kind="measure")
    if not measures:
        raise ParameterError("measures: give at least one measure; allowed: "
                             + ", ".join(repr(a) for a in allowed))
    t0, t1 = fr.check_window(start, end)
    sel = sanc[sanc["measure"].isin(list(measures))]
    in_window = (sel["announced"] >= t0) & (sel["announced"] <= t1)
    if not in_window.any():
        raise fr.empty(f"sanctions rows for measures {measures!r}", t0, t1, sel["announced"])
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
    if not lanes and not units:
        raise fr.empty("sanctions rows to draw", t0, t1, sel["announced"])
    lo_ = sel["announced"].min()
    hi_ = max(sel["announced"].max(), sel["effective"].max() if sel["effective"].notna().any()
              else sel["announced"].max())
    x0, x1 = fr.xrange(lo_, hi_)
    parts = []
    for m in lanes:
        g = sel[sel["measure"] == m].sort_values(["announced", "measure_id"])
        labels = _lane_labels(g, m, x1 - x0)
        parts.append(g.assign(plotted_value=np.nan, plotted_unit=None, role="measure",
                              label=[t[1] if t else None for t in labels],
                              label_side=[t[0] if t else None for t in labels]))
    for unit in units:
        g = est[est["unit"] == unit].sort_values("announced")
        # Named: the first, the highest, the lowest and the latest estimate; the table has all.
        named = {g.index[0], g.index[-1], g["amount"].idxmax(), g["amount"].idxmin()}
        parts.append(g.assign(plotted_value=g["amount"], plotted_unit=unit, role="estimate",
                              label=[_estimate_label(r) if i in named else None
                                     for i, r in zip(g.index, g.itertuples(index=False),
                                                     strict=True)]))
    data = pd.concat(parts)
    note = " ".join(n for n in (note, freshness_note("sanctions", t1, what="Measures and "
                                                     "figures")) if n) or None
    return fr.Selection(rows=fr.with_sources(data, "sanctions"),
                        events=fr.event_rows(*fr.xrange(lo_, hi_)), lo=lo_, hi=hi_, note=note,
                        extra={"lanes": lanes, "units": units, "measures": measures,
                               "selected": sel})


def sanctions_timeline_rows(
    measures: Sequence[str] | str | None = None,
    start: DateLike = "2022-01-01",
    end: DateLike = "today",
    units: Sequence[str] | str | None = None,
) -> pd.DataFrame:
    """Exactly the rows :func:`sanctions_timeline_chart` draws with the same arguments.

    The sanctions table's columns, then ``plotted_at`` (day announced), ``plotted_value`` and
    ``plotted_unit`` (estimates only), ``role`` (``'measure'`` or ``'estimate'``), ``label``
    (the words written at the point: for measures one label per cluster of days in a lane,
    one line per day, with ``label_side``; for estimates the first, highest, lowest and latest
    of each unit), ``publisher``, ``url``; then the event markers.

    Examples
    --------
    >>> rows = sanctions_timeline_rows(["swift_disconnection"])
    >>> sorted(set(rows["role"]))
    ['event marker', 'measure']
    """
    return select(measures, start, end, units).all_rows()


def sanctions_timeline_chart(
    measures: Sequence[str] | str | None = None,
    start: DateLike = "2022-01-01",
    end: DateLike = "today",
    units: Sequence[str] | str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """SWIFT disconnections and the freezing of Russia's reserves, with dated estimates of the sum.

    The top panel has one lane per kind of measure: a filled dot on the day a measure was
    announced, an open dot on the day it took effect where that differs; each group of nearby
    days has one label, a line per day (who imposed the measures, on what, when). The first,
    highest, lowest and latest estimates are named; the rows name all. Below, one panel per
    unit holds the estimates of the frozen amount (who made each, and where the assets are
    held), as stated: dollars and euros are never mixed. The rows drawn are
    :func:`sanctions_timeline_rows`.

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
    return draw(select(measures, start, end, units), ax)


def draw(sel: fr.Selection, ax: Axes | None = None) -> Figure:
    """Draw exactly the selection :func:`select` made (its rows are what
    :func:`sanctions_timeline_rows` returns); see :func:`sanctions_timeline_chart`."""
    lo.check_ax(ax)
    rows, lanes, units = sel.rows, sel.extra["lanes"], sel.extra["units"]
    panels = (["lanes"] if lanes else []) + list(units)
    ratios = [0.35 + 0.55 * len(lanes)] * bool(lanes) + [1.0] * len(units)
    lay = lo.layout(len(panels), ax, height_ratios=ratios,
                    figsize=(12, 2.7 * sum(ratios) + 2.4), panel_names="panels")
    lo.set_date_axis(lay.axes, sel.lo, sel.hi)
    label_items: dict[int, list] = {}
    bounded = False
    if lanes:
        a = lay.axes[0]
        for y, m in enumerate(reversed(lanes)):
            g = rows[rows["measure"] == m]
            color = _LANE_COLORS[m]
            a.scatter(g["announced"], [y] * len(g), s=30, color=color, zorder=4)
            eff = g[g["effective"].notna() & (g["effective"] != g["announced"])]
            for rec in eff.itertuples(index=False):
                a.plot([rec.announced, rec.effective], [y, y], color=color, lw=1, zorder=3)
            a.scatter(eff["effective"], [y] * len(eff), s=26, facecolors="white",
                      edgecolors=color, zorder=4)
            for r in g[g["label"].notna()].itertuples(index=False):
                lo.lane_label(a, r.announced, y, r.label, r.label_side, color)
        a.set_yticks(range(len(lanes)), [_LANES[m] for m in reversed(lanes)], fontsize=7.5)
        a.set_ylabel("Measure", fontsize=8)
        a.set_ylim(-0.8, len(lanes) - 0.2 + 1.0)
        a.spines["left"].set_visible(False)
        a.tick_params(axis="y", length=0)
        lay.handles += [
            Line2D([], [], marker="o", ls="", color="#555555", label="Measure announced"),
            Line2D([], [], marker="o", ls="-", color="#555555", mfc="white",
                   label="...and took effect"),
        ]
    for k, unit in enumerate(units):
        i = k + (1 if lanes else 0)
        a = lay.axes[i]
        g = rows[(rows["role"] == "estimate") & (rows["unit"] == unit)]
        a.scatter(g["announced"], g["amount"], s=30, color=_plotting.EVENT_COLORS["reserves"],
                  edgecolors="#7a5300", zorder=7)
        a.set_ylabel(f"Estimate, {unit}", fontsize=8)
        bounded = lo.bound_marks(a, g.assign(plotted_at=g["announced"]), "amount",
                                 "#7a5300") or bounded
        lo.headroom(a, g["amount"].max(), 0, frac=0.74 if a is lay.axes[0] else 0.8)
        label_items[i] = [(r.announced, r.amount, r.label, "#5a3d00")
                          for r in g[g["label"].notna()].itertuples(index=False)]
    if units:
        lay.handles.append(Line2D([], [], marker="o", ls="", color=_plotting.EVENT_COLORS[
            "reserves"], label="Estimate of the frozen amount\n(who made it, where held)"))
    lay.axes[-1].set_xlabel("Day announced (estimates: day stated)")
    lo.draw_events(lay.axes, sel.events, lay.handles)
    for k, unit in enumerate(units):
        g = rows[(rows["role"] == "estimate") & (rows["unit"] == unit)]
        i = k + (1 if lanes else 0)
        lay.labels.append((lay.axes[i], label_items[i],
                           {"fontsize": 6.3, "avoid": (g["announced"], g["amount"])}))
    every = sel.extra["selected"]
    measures = sel.extra["measures"]
    parts = []
    if "swift_disconnection" in measures:
        parts.append(f"{int((every['measure'] == 'swift_disconnection').sum())} SWIFT "
                     "disconnection measures")
    if "reserve_immobilisation" in measures:
        parts.append(f"{int((every['measure'] == 'reserve_immobilisation').sum())} reserve "
                     "freezes")
    lead = (f"Since {every['announced'].min():%b %Y}: " + tx.join(parts)) if parts else ""
    tops, who = [], []
    for unit in units:
        g = rows[(rows["role"] == "estimate") & (rows["unit"] == unit)]
        if len(g):
            r = g.loc[g["amount"].idxmax()]
            tops.append(tx.bound(r) + tx.money(r["amount"], unit) + tx.lone(r))
            who.append(f"{tx.bound(r)}{tx.money(r['amount'], unit)}: "
                       f"{tx.surname(r['imposed_by'])}, {r['announced']:%b %Y}")
    tail = ("estimates of the frozen reserves reach " + tx.join(tops)) if tops else ""
    heading = "; ".join(p for p in (lead, tail) if p)
    subtitle = ("Measures by Western governments and the EU; estimates differ in scope "
                "(worldwide, the EU, Euroclear, the US) and are kept as stated"
                + (" (highest: " + "; ".join(who) + ")" if who else ""))
    return lo.finish(lay, heading=heading, subtitle=subtitle, claim_ids=["c15", "c16"],
                     source_ids=[*rows["source_id"], *sel.events["source_id"]],
                     rows_function="sanctions_timeline_rows",
                     note=" ".join(n for n in (sel.note, lo.BOUND_NOTE if bounded else None)
                                   if n) or None)
