"""Figure layout for the charts: panels, date axes, event markers, labels, titles, source line.

Drawing only: every function takes rows already selected (see :mod:`._frames`) and returns
nothing hidden on the figure.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import ConnectionPatch
from matplotlib.transforms import ScaledTranslation

from .. import _plotting
from ..errors import ParameterError
from ._frames import table, xrange

#: Colours for partners and series (Okabe-Ito plus two darker tones).
SERIES_COLORS = [
    _plotting.PALETTE["blue"],
    _plotting.PALETTE["green"],
    _plotting.PALETTE["sky"],
    _plotting.PALETTE["black"],
    "#8C510A",
    "#762A83",
    _plotting.PALETTE["orange"],
    _plotting.PALETTE["vermillion"],
]

LABEL_BOX = {"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9}


@dataclass
class Layout:
    """The figure, its data panels, the side column (legend and claim), legend handles, and the
    point labels :func:`finish` places last: ``(axes, items, keyword arguments)`` for
    :func:`label_points`."""

    fig: Figure
    axes: list[Axes]
    side: Axes | None
    handles: list = field(default_factory=list)
    labels: list[tuple[Axes, Sequence[tuple], dict]] = field(default_factory=list)


def check_ax(ax) -> None:
    """Refuse anything but a matplotlib Axes or None."""
    if ax is not None and not isinstance(ax, Axes):
        raise ParameterError(
            f"ax: expected a matplotlib Axes or None, got {ax!r} of type {type(ax).__name__}"
        )


def layout(n_panels: int, ax: Axes | None, *, height_ratios: Sequence[float] | None = None,
           figsize: tuple[float, float] = (12, 6.2), panel_names: str = "panels") -> Layout:
    """Panels stacked on a shared date axis, plus a side column for the legend and the claim."""
    check_ax(ax)
    if ax is not None:
        if n_panels != 1:
            raise ParameterError(
                f"ax: this selection needs {n_panels} {panel_names}, which cannot be drawn on "
                f"one given Axes; pass ax=None or select a single one"
            )
        return Layout(ax.figure, [ax], None)
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
    return Layout(fig, axes, side)


def set_date_axis(axes: Sequence[Axes], lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    """The shared x-range (:func:`._frames.xrange`) with year or quarter ticks."""
    x0, x1 = xrange(lo, hi)
    axes[0].set_xlim(x0, x1)
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


def draw_events(axes: Sequence[Axes], events: pd.DataFrame, handles: list) -> None:
    """Dashed lines for the event rows on every panel; their labels at the top of the first.

    Labels of events closer than 4% of the axis are written together, one line each, and the
    groups are stacked downwards so no two labels share a line. A label starts just right of
    its line (in the right 40% of the axis: ends just left of it) on a white ground, so other
    lines never strike through it.
    """
    if events.empty:
        return
    for a in axes:
        for rec in events.itertuples(index=False):
            a.axvline(rec.date, color=_plotting.EVENT_COLORS.get(str(rec.kind), "#999999"),
                      lw=0.8, ls="--", alpha=0.8, zorder=0)
    ax = axes[0]
    x0, x1 = ax.get_xlim()
    labelled = events[events["label"].notna()].sort_values("date")
    xs = mdates.date2num(labelled["date"])
    groups: list[list[int]] = []
    for i, x in enumerate(xs):
        if groups and x - xs[groups[-1][-1]] < 0.04 * (x1 - x0):
            groups[-1].append(i)
        else:
            groups.append([i])
    line = 0
    for g in groups:
        frac = (xs[g[0]] - x0) / (x1 - x0)
        right = frac > 0.6
        anchor = xs[g[-1]] if right else xs[g[0]]
        for i in g:
            rec = labelled.iloc[i]
            ax.annotate(str(rec["label"]), (anchor, 1.0), xycoords=ax.get_xaxis_transform(),
                        xytext=(-3 if right else 3, -3 - 10 * line), textcoords="offset points",
                        ha="right" if right else "left", va="top", fontsize=6.8,
                        color=_plotting.EVENT_COLORS.get(str(rec["kind"]), "#555555"),
                        bbox=LABEL_BOX, zorder=6, annotation_clip=False)
            line += 1
    if (events["label"].isna() & (events["kind"] == "summit")).any():
        handles.append(Line2D([], [], color=_plotting.EVENT_COLORS["summit"], ls="--", lw=0.9,
                              label="Other SCO summits"))


#: Where :func:`label_points` tries a label, in order: (dx, dy) in units of the step, and the
#: alignment that puts the label's box on that side of its point.
_CANDIDATES = [((1, 0), "left", "center"), ((-1, 0), "right", "center"),
               ((0, 1), "center", "bottom"), ((0, -1), "center", "top"),
               ((0.8, 0.8), "left", "bottom"), ((-0.8, 0.8), "right", "bottom"),
               ((0.8, -0.8), "left", "top"), ((-0.8, -0.8), "right", "top")]
#: Distances from the point tried, in points; beyond the first a leader line joins them.
_STEPS = (5.0, 12.0, 20.0, 30.0, 42.0, 56.0, 72.0, 90.0)


def _box(px: float, py: float, w: float, h: float, ha: str, va: str) -> np.ndarray:
    x0 = px - w if ha == "right" else px - w / 2 if ha == "center" else px
    y0 = py - h if va == "top" else py - h / 2 if va == "center" else py
    return np.array([x0, y0, x0 + w, y0 + h])


def _overlap(box: np.ndarray, others: np.ndarray) -> float:
    """Summed area of ``box`` covered by each of ``others`` (n x 4: x0, y0, x1, y1)."""
    if not len(others):
        return 0.0
    w = np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0])
    h = np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1])
    return float((np.clip(w, 0, None) * np.clip(h, 0, None)).sum())


def marker_boxes(ax: Axes) -> np.ndarray:
    """Display boxes (n x 4: x0, y0, x1, y1) of every marker drawn in ``ax``: the markers of
    its lines and of its scatter collections, each with half its edge's width around it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(dpi=72)
    >>> _ = ax.plot([0, 1], [0, 1], marker="o", ms=6, mew=1)
    >>> _ = ax.plot([0, 1], [1, 0])  # no markers: nothing to avoid
    >>> b = marker_boxes(ax)
    >>> b.shape, float(b[0, 2] - b[0, 0])
    ((2, 4), 7.0)
    >>> plt.close(fig)
    """
    px_per_pt = ax.figure.dpi / 72.0
    centres, halves = [], []
    for line in ax.get_lines():
        if not line.get_visible() or line.get_marker() in (None, "", " ", "None", "none"):
            continue
        xy = line.get_transform().transform(line.get_xydata())
        centres.append(xy)
        halves.append(np.full(len(xy), (line.get_markersize() + line.get_markeredgewidth())
                              / 2 * px_per_pt))
    for coll in ax.collections:
        if not isinstance(coll, PathCollection) or not coll.get_visible():
            continue
        xy = coll.get_offset_transform().transform(coll.get_offsets())
        sizes = coll.get_sizes() if len(coll.get_sizes()) else np.array([36.0])
        widths = coll.get_linewidths() if len(coll.get_linewidths()) else np.array([0.0])
        centres.append(xy)
        halves.append((np.sqrt(np.resize(sizes, len(xy)))
                       + np.resize(widths, len(xy))) / 2 * px_per_pt)
    if not centres:
        return np.empty((0, 4))
    xy, half = np.concatenate(centres), np.concatenate(halves)
    keep = np.isfinite(xy).all(axis=1)
    xy, half = xy[keep], half[keep]
    return np.column_stack([xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half])


def label_points(ax: Axes, items: Sequence[tuple], *, fontsize: float = 6.5,
                 avoid: tuple[Sequence, Sequence] | None = None) -> list:
    """Write each ``(x, y, text, color)`` label near its point, clear of the other labels and
    of every marker.

    A direct rule, no iterative repulsion: the labels are placed in the order given, each at
    the first position around its point (right, left, above, below, then the diagonals; 5 pt
    away, then 12, 20, 30, 42, 56, 72 and 90 pt) whose box stays inside the axes and touches no text
    already in the axes (event labels, earlier labels), no marker drawn in the axes
    (:func:`marker_boxes`) and no point of ``avoid`` (x dates, y values; default: the
    labelled points). A label placed beyond the first ring is joined to its point by a thin
    leader line. When no position is free the one least covered by other texts, then by
    markers, is taken. The boxes are measured once, after the figure's layout has run (a
    chart's labels are placed by :func:`finish`, last, against the final layout).

    Returns the text artists.
    """
    if not items:
        return []
    fig = ax.figure
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)  # the axes' final size, so pixel positions hold when saved
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    margin = 2.0 * px_per_pt
    frame = ax.get_window_extent(renderer)
    taken = [t.get_window_extent(renderer).extents for t in ax.texts
             if t.get_visible() and t.get_text().strip()]
    if avoid is None:
        ax_, ay_ = [i[0] for i in items], [float(i[1]) for i in items]
    else:
        ax_, ay_ = list(avoid[0]), np.asarray(avoid[1], dtype=float)
    pts = ax.transData.transform(np.column_stack(
        [mdates.date2num([pd.Timestamp(x) for x in ax_]), np.asarray(ay_, dtype=float)]))
    r = 4.0 * px_per_pt
    dots = np.vstack([np.column_stack([pts[:, 0] - r, pts[:, 1] - r, pts[:, 0] + r,
                                       pts[:, 1] + r]), marker_boxes(ax)])
    texts = []
    for x, y, text, color in items:
        t = ax.annotate(text, (x, y), xytext=(0, 0), textcoords="offset points",
                        fontsize=fontsize, color=color, zorder=6, bbox=LABEL_BOX,
                        annotation_clip=False)
        t.set_in_layout(False)
        ext = t.get_window_extent(renderer)
        w, h = ext.width + 2 * margin, ext.height + 2 * margin
        px, py = ax.transData.transform((mdates.date2num(pd.Timestamp(x)), float(y)))
        best = None
        for step in _STEPS:
            for (ux, uy), ha, va in _CANDIDATES:
                dx, dy = ux * step, uy * step
                box = _box(px + dx * px_per_pt, py + dy * px_per_pt, w, h, ha, va)
                inside = (box[0] >= frame.x0 and box[2] <= frame.x1
                          and box[1] >= frame.y0 and box[3] <= frame.y1)
                cost = (0 if inside else 1e9) + 1e3 * _overlap(box, np.array(taken)) \
                    + _overlap(box, dots)
                if best is None or cost < best[0]:
                    best = (cost, dx, dy, ha, va, step, box)
                if cost == 0:
                    break
            if best[0] == 0:
                break
        _, dx, dy, ha, va, step, box = best
        t.set_position((dx, dy))
        t.set_horizontalalignment(ha)
        t.set_verticalalignment(va)
        if step > _STEPS[0]:
            xd = mdates.date2num(pd.Timestamp(x))
            shifted = ax.transData + ScaledTranslation(dx / 72, dy / 72, fig.dpi_scale_trans)
            leader = ConnectionPatch((xd, float(y)), (xd, float(y)), ax.transData, shifted,
                                     arrowstyle="-", lw=0.4, color="#777777", shrinkA=2,
                                     shrinkB=0, zorder=5)
            ax.add_artist(leader)
            leader.set_in_layout(False)
        taken.append(box)
        texts.append(t)
    return texts


def claim_text(claim_ids: Sequence[str], width: int) -> tuple[str, list[str]]:
    """The article's claims, in our words, as a callout; and their sources."""
    claims = table("claims").set_index("claim_id")
    parts, sources = [], []
    for cid in claim_ids:
        rec = claims.loc[cid]
        body = textwrap.fill(str(rec["claim"]), width)
        parts.append(f"The article ({cid}, paragraph {int(rec['paragraph'])}):\n{body}")
        sources.append(rec["source_id"])
    return "\n\n".join(parts), sources


def title(ax: Axes, text: str, subtitle: str | None, width: int) -> None:
    """A bold finding over the panels and a grey subtitle under it."""
    lines = textwrap.wrap(text, width)
    sub = textwrap.wrap(subtitle, int(width * 1.3)) if subtitle else []
    ax.set_title("\n".join(lines), loc="left", fontsize=11, fontweight="bold",
                 pad=6 + 11 * len(sub))
    if sub:
        ax.text(0, 1.012, "\n".join(sub), transform=ax.transAxes, fontsize=8.5,
                color="#444444", va="bottom", ha="left")


def finish(lay: Layout, *, heading: str, subtitle: str | None, claim_ids: Sequence[str],
           source_ids: Sequence[str], rows_function: str, note: str | None) -> Figure:
    """Title, legend, the article's claim and the source line, then the point labels of
    ``lay.labels``; return the figure.

    The labels come last: the layout is run once with everything else in place and the labels
    are placed against it (:func:`label_points`). On a figure of its own the chart then keeps
    that layout (the engine becomes matplotlib's placeholder), so the labels' positions hold
    when it is saved and the layout is not computed again for each file.
    """
    fig, ax0 = lay.fig, lay.axes[0]
    title(ax0, heading, subtitle, 95 if lay.side is not None else 70)
    callout, claim_sources = claim_text(claim_ids, 40 if lay.side is not None else 60)
    if lay.side is not None:
        if lay.handles:
            lay.side.legend(handles=lay.handles, loc="upper left", fontsize=7.5,
                            frameon=False, borderaxespad=0, handlelength=2.2)
        lay.side.text(0, 0, callout, transform=lay.side.transAxes, ha="left", va="bottom",
                      fontsize=7.5, style="italic",
                      bbox={"boxstyle": "round,pad=0.5", "fc": "#f7f7f7", "ec": "#cccccc"})
    else:
        if lay.handles:
            ax0.legend(handles=lay.handles, loc="upper left", fontsize=7)
        _plotting.callout(ax0, callout)
    note_text = (f"Every figure drawn, with its source and URL: "
                 f"sco_research.charts.{rows_function}(...).")
    if note:
        note_text = f"{note} {note_text}"
    # Wrapped here at 200 characters, narrower than the 12-inch figure: matplotlib's own
    # wrapping, which measures the text word by word at every draw, would change nothing.
    _plotting.add_wrapped_source_line(fig, [*source_ids, *claim_sources], note=note_text,
                                      width=200)
    if lay.labels:
        engine = fig.get_layout_engine()
        own = engine is not None and lay.side is not None
        shown_dpi = fig.dpi
        if own:  # laid out at the resolution it is saved at, as an unlabelled chart is
            fig.set_dpi(_plotting.RC["savefig.dpi"])
        try:
            if engine is not None:
                engine.execute(fig)
            if own:  # the chart's own figure: keep the layout the labels were placed against
                fig.set_layout_engine("none")
            for ax, items, kwargs in lay.labels:
                label_points(ax, items, **kwargs)
        finally:
            fig.set_dpi(shown_dpi)
    return fig


def other_handle(label: str = "Another source, same period (sources disagree)") -> Line2D:
    """Legend entry of the hollow markers of :func:`plot_others`."""
    return Line2D([], [], marker="o", ls="", mfc="white", mec="#444444", mew=1.2, ms=6,
                  label=label)


#: Face and edge of a disputed figure's marker: hollow and grey.
DISPUTED_FACE, DISPUTED_EDGE = "#ececec", "#8c8c8c"


def disputed_handle(label: str = "Disputed figure: another source shows it\n"
                                 "to be another series (see the note)") -> Line2D:
    """Legend entry of a disputed figure's marker (grey, hollow)."""
    return Line2D([], [], marker="o", ls="", mfc=DISPUTED_FACE, mec=DISPUTED_EDGE, mew=1.1,
                  ms=6, label=label)


def plot_others(ax: Axes, main: pd.DataFrame, others: pd.DataFrame, keys: Sequence[str],
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


def line_xy(main: pd.DataFrame) -> tuple[list, list]:
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


def headroom(ax: Axes, top: float, bottom: float = 0.0, frac: float = 0.74) -> None:
    """Leave the upper part of the axes free for the event labels."""
    ax.set_ylim(bottom, bottom + (top - bottom) / frac)


def end_label(lay: Layout, ax: Axes, x, y, text: str, color: str) -> None:
    """A value written beside the last point of a line: just right of it where that is free,
    else at the first free place :func:`label_points` finds (placed by :func:`finish`, last,
    clear of every text and marker)."""
    lay.labels.append((ax, [(x, y, text, color)], {"fontsize": 7.5}))


def lane_label(ax: Axes, x, y: float, text: str, side: str, color: str,
               fontsize: float = 6.3) -> None:
    """A label over (``side='above'``) or under a point of a lane, on a white ground; written
    leftwards from the point in the right 30% of the axis so it stays inside."""
    x0, x1 = ax.get_xlim()
    right = (mdates.date2num(pd.Timestamp(x)) - x0) / (x1 - x0) > 0.7
    above = side == "above"
    ax.annotate(text, (x, y), xytext=(-4 if right else 4, 6 if above else -7),
                textcoords="offset points", ha="right" if right else "left",
                va="bottom" if above else "top", fontsize=fontsize, color=color, zorder=6,
                bbox=LABEL_BOX)


#: The note under a chart that draws bounded figures.
BOUND_NOTE = "Arrows: the source gives the figure as a bound ('over': up, 'under': down)."


def bound_marks(ax: Axes, rows: pd.DataFrame, y: str, color) -> bool:
    """A short arrow up from figures a source gives as a lower bound ('over'), down from upper
    bounds ('under'), so they are not read as exact. Returns whether any was drawn (the chart
    then adds :data:`BOUND_NOTE` to its note)."""
    if "qualifier" not in rows.columns:
        return False
    bounded = rows[rows["qualifier"].isin(("over", "under"))]
    if bounded.empty:  # the usual case: no row is walked through
        return False
    for rec in bounded.itertuples(index=False):
        c = color(rec) if callable(color) else color
        ax.annotate("", (rec.plotted_at, getattr(rec, y)),
                    xytext=(0, 11 if rec.qualifier == "over" else -11),
                    textcoords="offset points", zorder=6,
                    arrowprops={"arrowstyle": "<-", "color": c, "lw": 1.0,
                                "shrinkA": 0, "shrinkB": 3})
    return True
