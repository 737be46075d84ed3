"""Chart layout helpers: labels placed by a direct rule, clear of each other and the edges."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import ConnectionPatch

from sco_research.charts import _layout as lo

from .helpers import overlapping_texts, texts_outside_figure, texts_over_markers


def _crowded(n: int = 12):
    """``n`` labels on points packed into a corner of the axes, with event labels on top."""
    lay = lo.layout(1, None)
    ax = lay.axes[0]
    days = pd.date_range("2022-01-01", periods=n, freq="10D")
    values = [95 - (i % 3) for i in range(n)]
    ax.scatter(days, values)
    lo.set_date_axis(lay.axes, pd.Timestamp("2021-12-01"), pd.Timestamp("2026-01-01"))
    ax.set_ylim(0, 100)
    events = pd.DataFrame({"date": [pd.Timestamp("2022-02-24")], "kind": ["war"],
                           "label": ["Full-scale invasion of Ukraine, 24 Feb 2022"]})
    lo.draw_events(lay.axes, events, lay.handles)
    items = [(d, v, f"Speaker number {i}: {v}%", "#0072B2")
             for i, (d, v) in enumerate(zip(days, values, strict=True))]
    return lay, ax, items


def test_crowded_labels_do_not_overlap_and_stay_inside_the_axes():
    lay, ax, items = _crowded()
    texts = lo.label_points(ax, items)
    assert [t.get_text() for t in texts] == [i[2] for i in items]
    assert overlapping_texts(lay.fig) == []
    assert texts_outside_figure(lay.fig) == []
    frame = ax.get_window_extent()
    renderer = lay.fig.canvas.get_renderer()
    for t in texts:
        b = t.get_window_extent(renderer)
        assert frame.x0 - 1 <= b.x0 and b.x1 <= frame.x1 + 1, t.get_text()
        assert frame.y0 - 1 <= b.y0 and b.y1 <= frame.y1 + 1, t.get_text()
    # labels pushed away from their point are joined to it by a leader line (not a text)
    leaders = [a for a in ax.patches if isinstance(a, ConnectionPatch)]
    far = [t for t in texts if max(map(abs, t.get_position())) > lo._STEPS[0]]
    assert len(leaders) == len(far) > 0
    plt.close(lay.fig)


def test_a_lone_label_sits_next_to_its_point_without_a_leader():
    lay, ax, items = _crowded(1)
    (t,) = lo.label_points(ax, items)
    assert max(map(abs, t.get_position())) == lo._STEPS[0]
    assert not [a for a in ax.patches if isinstance(a, ConnectionPatch)]
    assert lo.label_points(ax, []) == []
    plt.close(lay.fig)


def test_finish_places_the_labels_last_against_the_layout_the_figure_is_saved_with():
    import io

    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from sco_research._plotting import measured_once

    lay, ax, items = _crowded(6)
    lay.labels.append((ax, items, {"fontsize": 7}))
    fig = lo.finish(lay, heading="A finding", subtitle="Units and period", claim_ids=["c13"],
                    source_ids=[], rows_function="settlement_currency_rows", note=None)
    labels = [t for t in ax.texts if t.get_text().startswith("Speaker")]
    assert len(labels) == 6  # placed by finish, after the title, legend and source line
    assert not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)  # kept as placed
    assert fig.dpi == 100  # shown at the figure's own resolution again
    before = [a.get_position().bounds for a in fig.axes]
    with measured_once(fig) as bbox:
        fig.savefig(io.BytesIO(), format="png", bbox_inches=bbox, dpi=150)
    assert [a.get_position().bounds for a in fig.axes] == before  # not laid out again
    assert overlapping_texts(fig) == [] and texts_outside_figure(fig) == []
    plt.close(fig)


def test_a_label_moves_off_a_marker_that_sits_where_it_would_go():
    lay = lo.layout(1, None)
    ax = lay.axes[0]
    lo.set_date_axis(lay.axes, pd.Timestamp("2022-01-01"), pd.Timestamp("2024-12-31"))
    ax.set_ylim(0, 100)
    day = pd.Timestamp("2023-07-01")
    ax.plot([day], [50], marker="o", ms=5, color="#009E73")
    # another source's hollow marker just right of the point, where the label goes first
    ax.scatter([day + pd.Timedelta(days=25)], [50], s=34, facecolors="white",
               edgecolors="#009E73", linewidths=1.2)
    lo.end_label(lay, ax, day, 50, "64", "#009E73")
    lo.finish(lay, heading="A finding", subtitle=None, claim_ids=["c05"], source_ids=[],
              rows_function="trade_rows", note=None)
    (t,) = [t for t in ax.texts if t.get_text() == "64"]
    assert t.get_position() != (lo._STEPS[0], 0)  # not the first place: the marker is there
    assert texts_over_markers(lay.fig) == []
    assert overlapping_texts(lay.fig) == []
    # the same label with nothing in its way sits just right of its point
    lay2 = lo.layout(1, None)
    lo.set_date_axis(lay2.axes, pd.Timestamp("2022-01-01"), pd.Timestamp("2024-12-31"))
    lay2.axes[0].plot([day], [50], marker="o", ms=5)
    lo.end_label(lay2, lay2.axes[0], day, 50, "64", "#009E73")
    lo.finish(lay2, heading="A finding", subtitle=None, claim_ids=["c05"], source_ids=[],
              rows_function="trade_rows", note=None)
    (t2,) = [t for t in lay2.axes[0].texts if t.get_text() == "64"]
    assert t2.get_position() == (lo._STEPS[0], 0)
    plt.close(lay.fig)
    plt.close(lay2.fig)
