"""What the chart tests look at: the points, lines and texts a figure draws."""

from __future__ import annotations

import io
import itertools

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection

import sco_research as sco


def line_points(ax) -> set[tuple[float, float]]:
    """Every (x, y) drawn by the data lines of ``ax`` (dates as matplotlib numbers)."""
    pts = set()
    for line in ax.get_lines():
        xs, ys = line.get_xdata(), line.get_ydata()
        if len(xs) < 1 or (len(xs) == 2 and xs[0] == xs[1]
                           and tuple(line.get_ydata()) == (0, 1)):
            continue  # an event marker or a method-change line, not data
        for x, y in zip(mdates.date2num(list(xs)), ys, strict=True):
            if not (isinstance(y, float) and np.isnan(y)):
                pts.add((round(float(x), 3), round(float(y), 6)))
    return pts


def scatter_points(ax) -> set[tuple[float, float]]:
    pts = set()
    for coll in ax.collections:
        if isinstance(coll, PathCollection):
            for x, y in coll.get_offsets():
                pts.add((round(float(x), 3), round(float(y), 6)))
    return pts


def scatter_count(ax) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))


def point(x, y) -> tuple[float, float]:
    return (round(float(mdates.date2num(pd.Timestamp(x))), 3), round(float(y), 6))


def vertical_lines(ax) -> list[pd.Timestamp]:
    """The dates of the dashed full-height lines (event markers) of ``ax``, one per line."""
    out = []
    for line in ax.get_lines():
        xs = line.get_xdata()
        if len(xs) == 2 and xs[0] == xs[1] and tuple(line.get_ydata()) == (0, 1):
            out.append(pd.Timestamp(mdates.num2date(mdates.date2num(xs[0]))).tz_localize(None)
                       .normalize())
    return out


def all_text(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def claim_text(cid: str) -> str:
    return str(sco.load("claims").set_index("claim_id").loc[cid, "claim"])


def text_boxes(fig):
    """(text, bbox) of every visible, non-empty text written into an axes (labels, notes)."""
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    renderer = fig.canvas.get_renderer()
    out = []
    for ax in fig.axes:
        for t in ax.texts:
            if t.get_visible() and t.get_text().strip():
                out.append((ax, t.get_text(), t.get_window_extent(renderer)))
    return out


def overlapping_texts(fig, tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of texts of one axes whose boxes overlap by more than ``tolerance`` pixels."""
    clashes = []
    for (a1, s1, b1), (a2, s2, b2) in itertools.combinations(text_boxes(fig), 2):
        if a1 is not a2:
            continue
        w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        if w > tolerance and h > tolerance:
            clashes.append((s1, s2))
    return clashes


def marker_boxes(ax) -> list[tuple[float, float, float, float]]:
    """Display boxes (x0, y0, x1, y1) of every marker ``ax`` draws: the markers of its lines
    (``markersize`` in points) and of its scatter collections (``sizes`` in points squared),
    each with half its edge's width around it."""
    px_per_pt = ax.figure.dpi / 72.0
    boxes = []
    for line in ax.get_lines():
        if not line.get_visible() or line.get_marker() in (None, "", " ", "None", "none"):
            continue
        half = (line.get_markersize() + line.get_markeredgewidth()) / 2 * px_per_pt
        for x, y in line.get_transform().transform(line.get_xydata()):
            if np.isfinite(x) and np.isfinite(y):
                boxes.append((x - half, y - half, x + half, y + half))
    for coll in ax.collections:
        if not isinstance(coll, PathCollection) or not coll.get_visible():
            continue
        offsets = coll.get_offset_transform().transform(coll.get_offsets())
        sizes = np.resize(coll.get_sizes(), len(offsets)) if len(coll.get_sizes()) else \
            np.full(len(offsets), 36.0)
        widths = np.resize(coll.get_linewidths(), len(offsets)) if len(
            coll.get_linewidths()) else np.zeros(len(offsets))
        for (x, y), s, lw in zip(offsets, sizes, widths, strict=True):
            half = (np.sqrt(s) + lw) / 2 * px_per_pt
            if np.isfinite(x) and np.isfinite(y):
                boxes.append((x - half, y - half, x + half, y + half))
    return boxes


def texts_over_markers(fig, tolerance: float = 1.0) -> list[tuple[str, tuple[float, float]]]:
    """Texts of an axes whose box covers a marker of the same axes by more than ``tolerance``
    pixels each way: ``(text, marker centre in pixels)`` for each such pair."""
    clashes = []
    boxes = {}
    for ax, text, b in text_boxes(fig):
        if ax not in boxes:
            boxes[ax] = marker_boxes(ax)
        for x0, y0, x1, y1 in boxes[ax]:
            w = min(b.x1, x1) - max(b.x0, x0)
            h = min(b.y1, y1) - max(b.y0, y0)
            if w > tolerance and h > tolerance:
                clashes.append((text, (round((x0 + x1) / 2), round((y0 + y1) / 2))))
    return clashes


def texts_outside_figure(fig) -> list[str]:
    """Texts of the axes that stick out of the figure (they would be cut when saved)."""
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for _, text, b in text_boxes(fig):
        if b.x0 < box.x0 - 1 or b.x1 > box.x1 + 1 or b.y0 < box.y0 - 1 or b.y1 > box.y1 + 1:
            out.append(text)
    del renderer
    return out


def legend_sizes(fig) -> list[int]:
    sizes = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is not None:
            sizes.append(len(leg.get_texts()))
    return sizes


def check_common(fig, rows: pd.DataFrame, claim_ids, rows_function: str, *,
                 min_sources: int = 1) -> pd.DataFrame:
    """What every chart carries; returns the data rows (without the event markers)."""
    ax = fig.axes[0]
    assert ax.get_title(loc="left").strip(), "a chart needs a title stating the finding"
    for a in fig.axes:
        if a.get_visible() and a.axison:
            assert a.get_ylabel(), "every panel has a y label"
    assert any(a.get_xlabel() for a in fig.axes), "the date axis is labelled"
    text = " ".join(all_text(fig).split())
    assert "Source" in text and f"sco_research.charts.{rows_function}(" in text
    for cid in claim_ids:
        assert f"The article ({cid}" in text
        assert " ".join(claim_text(cid).split()) in text
    assert not [k for k in vars(fig) if k.startswith("_sco")], "no rows hidden on the figure"
    sources = sco.load("sources").set_index("source_id")
    assert rows["source_id"].isin(sources.index).all()
    assert (rows["url"] == rows["source_id"].map(sources["url"])).all()
    data = rows[rows["table"] != "events"]
    events = rows[rows["table"] == "events"]
    assert len(data) >= 1
    assert data["source_id"].nunique() >= min_sources
    # every event row is a dashed line on every panel, and every dashed line is an event row
    assert (events["role"] == "event marker").all()
    assert sorted(vertical_lines(ax)) == sorted(events["date"])
    assert overlapping_texts(fig) == [], "labels must not overlap"
    assert texts_over_markers(fig) == [], "no label covers a marker"
    assert all(n <= 8 for n in legend_sizes(fig)), legend_sizes(fig)
    return data
