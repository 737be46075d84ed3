"""The fact check as a chart: one box per claim, coloured by verdict."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from sco_research import charts, fact_check
from sco_research.errors import ParameterError


def test_verdicts_per_theme_chart_draws_one_box_per_row():
    rows = charts.verdicts_per_theme_rows()
    fig = charts.verdicts_per_theme_chart()
    ax = fig.axes[0]
    assert len(ax.patches) == len(rows) == 20
    labels = sorted(t.get_text() for t in ax.texts if t.get_text()[:1] == "c")
    assert labels == sorted(rows["claim_id"])
    counts = rows["verdict"].value_counts()
    assert ax.get_title(loc="left").startswith(f"Of the 20 claims checked: "
                                               f"{counts['supported']} supported")
    assert any(t.get_text().endswith("as of 2026-12-02") for t in ax.texts)
    assert "TEMPO.CO" in fig.texts[-1].get_text()  # the source line
    assert rows["source_id"].eq(fact_check.ARTICLE_SOURCE).all()
    plt.close(fig)


def test_verdicts_per_theme_chart_refuses_an_empty_selection():
    with pytest.raises(ParameterError, match=r"theme='trade', verdict='opinion': no claim has "
                       r"this theme and verdict"):
        charts.verdicts_per_theme_chart(theme="trade", verdict="opinion")
