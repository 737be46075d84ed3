"""The fact check as a chart: one box per claim, coloured by verdict."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import sco_research as sco
from sco_research import charts
from sco_research.errors import ParameterError


def test_verdicts_per_theme_chart_draws_one_box_per_row():
    rows = charts.verdicts_per_theme_rows(article="a1")
    fig = charts.verdicts_per_theme_chart(article="a1")
    ax = fig.axes[0]
    assert len(ax.patches) == len(rows) == 20
    labels = sorted(t.get_text() for t in ax.texts if t.get_text()[:1] == "c")
    assert labels == sorted(rows["claim_id"])
    counts = rows["verdict"].value_counts()
    assert ax.get_title(loc="left").startswith(f"Of the 20 claims checked: "
                                               f"{counts['supported']} supported")
    assert any(t.get_text().endswith("as of 2 December 2026") for t in ax.texts)
    seed = sco.articles("a1").iloc[0]
    assert seed["outlet"] in fig.texts[-1].get_text()  # the source line
    assert rows["source_id"].eq(seed["source_id"]).all()
    plt.close(fig)


def test_verdicts_per_theme_chart_refuses_an_empty_selection():
    with pytest.raises(ParameterError, match=r"theme='trade', verdict='opinion': no claim has "
                       r"this theme and verdict"):
        charts.verdicts_per_theme_chart(theme="trade", verdict="opinion")


def test_verdicts_per_theme_chart_of_the_second_article():
    rows = charts.verdicts_per_theme_rows(article="a2")
    fig = charts.verdicts_per_theme_chart(article="a2")
    ax = fig.axes[0]
    assert len(ax.patches) == len(rows) == len(sco.claim_checks(article="a2"))
    labels = sorted(t.get_text() for t in ax.texts if t.get_text().startswith("a2-c"))
    assert labels == sorted(rows["claim_id"])
    a = sco.articles("a2").iloc[0]
    assert any(t.get_text() == "Verdicts on TRT World's article of 1 September 2025, by theme; "
               "as of 2 December 2026" for t in ax.texts)
    assert a["outlet"] in fig.texts[-1].get_text()
    plt.close(fig)


def test_verdicts_per_theme_chart_of_every_article_counts_them_all():
    fig = charts.verdicts_per_theme_chart()
    n = len(sco.load("claim_checks"))
    assert fig.axes[0].get_title(loc="left").startswith(f"Of the {n} claims checked: ")
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "Verdicts on the 2 articles, by theme" in texts
    plt.close(fig)
    with pytest.raises(ParameterError, match=r"theme='trade', verdict=None: no claim has this "
                       r"theme and verdict in article 'a2'"):
        charts.verdicts_per_theme_chart(theme="trade", article="a2")


def test_draw_verdicts_per_theme_draws_the_rows_given():
    rows = charts.verdicts_per_theme_rows(article="a1")
    fig = charts.draw_verdicts_per_theme(rows.iloc[:5], "a1")
    ax = fig.axes[0]
    assert len(ax.patches) == 5
    assert ax.get_title(loc="left").startswith("Of the 5 claims checked: ")
    sources = {s.strip() for cell in rows.iloc[:5]["evidence_sources"].dropna()
               for s in cell.split(",")}
    assert f"our check against {len(sources)} cited sources" in fig.texts[-1].get_text()
    plt.close(fig)
    with pytest.raises(ParameterError, match=r"rows: no claim to draw"):
        charts.draw_verdicts_per_theme(rows.iloc[:0])
