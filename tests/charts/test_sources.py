"""The sources as a chart: sources per tier and the top publishers."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import sco_research as sco
from sco_research import bibliography as bib
from sco_research import charts
from sco_research.errors import ParameterError


def _bar_total(ax) -> float:
    return sum(p.get_width() for p in ax.patches)


def test_chart_rows_are_the_sources_counted_and_the_bars_add_up():
    rows = charts.sources_chart_rows(top=5)
    assert sorted(rows["source_id"]) == sorted(bib.sources_by_tier()["source_id"])
    ranked = bib.publishers().head(5)
    top = rows.dropna(subset=["publisher_rank"])
    assert set(top["publisher"]) == set(ranked["publisher"])
    assert len(top) == int(ranked["sources"].sum())
    fig = charts.sources_chart(rows)
    left, right = fig.axes[:2]
    assert _bar_total(left) == len(rows)
    assert _bar_total(right) == len(top)
    labels = [t.get_text() for t in right.get_yticklabels()]
    assert labels == list(ranked["publisher"])[::-1]
    title = left.get_title(loc="left")
    n_primary = int((rows["tier"] == "primary").sum())
    assert title.startswith(f"{n_primary} of {len(rows)} sources are primary; "
                            f"{ranked['publisher'].iloc[0]} has the most")
    figure_texts = [t.get_text() for t in fig.texts]  # the source line is a figure text
    assert any(t.startswith(f"Sources: {len(rows)} sources from") for t in figure_texts)
    plt.close(fig)


def test_chart_publishes_with_its_rows(tmp_path):
    rows = charts.sources_chart_rows(tier="secondary", top=3)
    fig = charts.sources_chart(rows)
    rec = sco.publish_figure(fig, rows, "sources-by-tier", tmp_path, show=False)
    assert rec["rows"] == len(rows) and set(rec["source_ids"]) == set(rows["source_id"])
    saved = pd.read_csv(tmp_path / "sources-by-tier.csv")
    assert sorted(saved["source_id"]) == sorted(rows["source_id"])
    plt.close(fig)


def test_bad_top_and_bad_rows_are_refused():
    with pytest.raises(ParameterError, match=r"^top: '5' publishers asked for; give an integer "
                       r"of at least 1$"):
        charts.sources_chart_rows(top="5")
    with pytest.raises(ParameterError, match=r"^rows: give the non-empty rows of "
                       r"sources_chart_rows\(\)"):
        charts.sources_chart(bib.sources_by_tier())  # no publisher_rank column
