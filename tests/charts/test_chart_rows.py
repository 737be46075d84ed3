"""chart_rows, the figure bundles of the reports, and legibility of every shipped chart."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from PIL import Image

from sco_research import charts
from sco_research.errors import ParameterError

from .helpers import legend_sizes, overlapping_texts, texts_outside_figure, texts_over_markers

SHIPPED = {
    "trade": lambda: charts.trade_chart(("CHN", "IND")),
    "energy": lambda: charts.energy_chart(("CHN", "IND"), "crude_oil", "volume"),
    "settlement": lambda: charts.settlement_currency_chart(),
    "mix-exports": lambda: charts.export_settlement_mix_chart("exports"),
    "mix-imports": lambda: charts.export_settlement_mix_chart("imports"),
    "shares": lambda: charts.reserve_and_payment_shares_chart(),
    "sanctions": lambda: charts.sanctions_timeline_chart(),
    "events": lambda: charts.events_timeline_chart(),
    "themes": lambda: charts.claims_per_theme_chart(),
    "timeline": lambda: charts.membership_timeline_chart(),
    "verdicts": lambda: charts.verdicts_per_theme_chart(),
    "sources": lambda: charts.sources_chart(charts.sources_chart_rows()),
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_figures_are_legible(name):
    fig = SHIPPED[name]()
    assert overlapping_texts(fig) == []
    assert texts_over_markers(fig) == []
    assert texts_outside_figure(fig) == []
    assert all(n <= 8 for n in legend_sizes(fig)), legend_sizes(fig)
    assert not [k for k in vars(fig) if k.startswith("_sco")]
    # readable as a 1200 px wide PNG: the smallest text is at least 5 px high there
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=1200 / fig.get_figwidth(), bbox_inches="tight")
    width = Image.open(buf).size[0]
    scale = width / (fig.get_figwidth() * 72)  # px per point in that PNG
    smallest = min(t.get_fontsize() for t in fig.findobj(plt.Text) if t.get_text().strip())
    assert smallest * scale >= 5, (smallest, width)


def test_chart_rows_by_name_and_by_function_agree_with_the_row_function():
    by_name = charts.chart_rows("sanctions_timeline_chart", start="2023-01-01")
    by_func = charts.chart_rows(charts.sanctions_timeline_chart, start="2023-01-01")
    pd.testing.assert_frame_equal(by_name, by_func)
    rows = charts.sanctions_timeline_rows(start="2023-01-01")
    assert len(by_name) + len(charts.chart_rows("sanctions_timeline_chart", events=True,
                                                start="2023-01-01")) == len(rows)


def test_every_chart_has_a_row_function():
    assert set(charts.CHARTS) == set(charts.ROWS)
    for name, func in charts.ROWS.items():
        rows = func()
        assert {"table", "source_id", "publisher", "url", "role"} <= set(rows.columns), name
        assert rows["source_id"].notna().all() and rows["url"].notna().all(), name


def test_chart_rows_bad_parameters():
    with pytest.raises(ParameterError, match=r"chart: unknown chart 'trade'.*Allowed: "
                                             r"'trade_chart'"):
        charts.chart_rows("trade")
    with pytest.raises(ParameterError, match=r"chart: a figure does not carry its rows; call "
                                             r"the chart's row function"):
        charts.chart_rows(plt.figure())


def test_currency_figures_bundle_each_figure_with_its_rows():
    figs = charts.currency_figures(charts.INDICATORS, "2014-01-01", "today")
    assert {k: [f.name for f in v] for k, v in figs.items()} == {
        "settlement": ["settlement-shares"],
        "mix": ["settlement-mix-exports", "settlement-mix-imports"],
        "shares": ["reserve-and-payment-shares"],
        "sanctions": ["sanctions-timeline"]}
    item = figs["mix"][1]
    pd.testing.assert_frame_equal(item.rows, charts.export_settlement_mix_rows(
        "imports", "2014-01-01", "today"))
    assert set(item.columns) <= set(item.rows.columns) and "source_id" in item.columns
    quiet = charts.currency_figures(["reserves_share_cofer"], "2016-01-01", "2021-12-31")
    assert list(quiet) == ["shares"]


def test_trade_figures_skip_partners_without_energy_rows():
    assert [f.name for f in charts.trade_figures(["KAZ"], "2021-01-01", "2024-12-31")] == [
        "trade-turnover"]
    assert [f.name for f in charts.trade_figures(["CHN", "IND"])] == [
        "trade-turnover", "energy-crude-oil"]


@pytest.mark.parametrize("name", sorted(charts.CHARTS))
def test_chart_figure_draws_the_rows_it_returns_selected_once(name, monkeypatch):
    from sco_research.charts import _frames

    fig_ref = charts.CHARTS[name]()
    expected = charts.chart_rows(name)
    selections = []  # every selection asks once for the event markers of its x-range
    event_rows = _frames.event_rows
    monkeypatch.setattr(_frames, "event_rows",
                        lambda *a: selections.append(a) or event_rows(*a))
    fig, rows = charts.chart_figure(name)
    assert len(selections) == 1
    pd.testing.assert_frame_equal(rows, expected)
    assert fig.axes[0].get_title(loc="left") == fig_ref.axes[0].get_title(loc="left")
    plt.close(fig)
    plt.close(fig_ref)


def test_chart_figure_bad_arguments():
    with pytest.raises(ParameterError, match=r"chart: unknown chart 'trade'"):
        charts.chart_figure("trade")
    with pytest.raises(ParameterError, match=r"flow: unknown flow 'export'"):
        charts.chart_figure("trade_chart", flow="export")
    with pytest.raises(TypeError, match="flows"):
        charts.chart_figure("trade_chart", flows="exports")
