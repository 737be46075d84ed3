"""Russia's trade with SCO partners: rows, what is drawn, the finding, bad parameters."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sco_research import charts
from sco_research.errors import ParameterError

from .helpers import all_text, check_common, line_points, point, scatter_points, vertical_lines

INVASION = pd.Timestamp("2022-02-24")
ARGS = {"partners": ("CHN", "IND"), "start": "2013-01-01", "end": "2025-12-31"}


def test_trade_chart_plots_exactly_its_rows_and_states_the_finding():
    fig = charts.trade_chart(**ARGS)
    rows = check_common(fig, charts.trade_rows(**ARGS), ["c05", "c06"], "trade_rows",
                        min_sources=5)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Trade turnover, USD billion"
    assert "India's fiscal years run April-March" in ax.get_xlabel()
    assert set(rows["partner_iso3"]) == {"CHN", "IND"}
    assert (rows["flow"] == "turnover").all()
    assert set(rows["plotted_unit"]) == {"USD billion"}  # one unit on the axis
    million = rows[rows["unit"] == "USD million"]
    assert len(million) and np.allclose(million["plotted_value"], million["value"] / 1000)
    billion = rows[rows["unit"] == "USD billion"]
    assert (billion["plotted_value"] == billion["value"]).all()
    drawn_lines, drawn_dots = line_points(ax), scatter_points(ax)
    main = rows[rows["role"] == "main"]
    others = rows[rows["role"] == "other source"]
    every = {point(r.plotted_at, r.plotted_value) for r in rows.itertuples()}
    # lines through every main figure; dotted strokes from them to the other sources
    assert {point(r.plotted_at, r.plotted_value) for r in main.itertuples()} <= drawn_lines
    assert drawn_lines <= every
    assert {point(r.plotted_at, r.plotted_value) for r in others.itertuples()} == drawn_dots
    labels = [h.get_label() for h in ax.get_lines() if not h.get_label().startswith("_")]
    assert "China: China's figures" in labels
    assert "India: India's figures, fiscal years Apr-Mar" in labels
    title = ax.get_title(loc="left").replace("\n", " ")
    china = main[main["reporter"] == "CHN"]
    latest = china.sort_values("plotted_at").iloc[-1]
    assert title.startswith("From the last pre-war year to the latest")
    assert "with China" in title and "with India" in title
    # a figure only one independent source states says so next to the number; China's 2025
    # total has two (Reuters and TASS), the 2021 baseline one
    assert not latest["single_source"] and latest["independent_sources"] == 2
    assert f"{latest['plotted_value']:.4g} ({latest['period']}" in all_text(fig)
    assert "146.9 (single source) (2021" in all_text(fig)
    assert "Not plotted: 2 figure(s)" in all_text(fig)  # the two CNY trillion rows of 2025


def test_trade_chart_marks_events_and_the_article_summit():
    fig = charts.trade_chart(("CHN",), start="2013-01-01", end="2025-12-31")
    days = vertical_lines(fig.axes[0])
    assert INVASION in days and pd.Timestamp("2024-07-04") in days
    events = charts.chart_rows("trade_chart", events=True, partners=("CHN",),
                               start="2013-01-01", end="2025-12-31")
    assert {"war", "swift", "reserves", "summit"} <= set(events["kind"])
    text = all_text(fig)
    assert "Full-scale invasion of Ukraine, 24 Feb 2022" in text
    assert "Astana SCO summit (the article), 4 Jul 2024" in text


def test_event_labels_sit_beside_their_lines():
    fig = charts.trade_chart(**ARGS)
    ax = fig.axes[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    events = charts.chart_rows("trade_chart", events=True, **ARGS)
    for rec in events[events["label"].notna()].itertuples():
        text = next(t for t in ax.texts if t.get_text() == rec.label)
        box = text.get_window_extent(renderer)
        x = ax.transData.transform((ax.convert_xunits(rec.date), 0))[0]
        # a label starts or ends within a few points of its line, never across it
        assert min(abs(box.x0 - x), abs(box.x1 - x)) < 12, rec.label
        assert not (box.x0 + 2 < x < box.x1 - 2), rec.label


def test_trade_title_follows_the_window():
    fig = charts.trade_chart(("CHN",), start="2013-01-01", end="2019-12-31")
    assert fig.axes[0].get_title(loc="left").startswith("Over the years shown")
    rows = charts.chart_rows("trade_chart", partners=("CHN",), start="2013-01-01",
                             end="2019-12-31")
    first, last = rows.sort_values("plotted_at").iloc[[0, -1]]["period"]
    assert (first, last) == ("2013", "2019")


def test_trade_exports_read_from_russia_side_and_other_currencies():
    rows = charts.chart_rows("trade_chart", partners=["CHN", "IND"], flow="exports")
    ok = ((rows["reporter"] == "RUS") & (rows["flow"] == "exports")) | (
        (rows["reporter"] != "RUS") & (rows["flow"] == "imports"))
    assert ok.all()
    fig = charts.trade_chart(["CHN"], currency="CNY")
    assert fig.axes[0].get_ylabel() == "Trade turnover, CNY trillion"
    assert set(charts.chart_rows("trade_chart", partners=["CHN"], currency="CNY")["unit"]) == {
        "CNY trillion"}


def test_trade_disagreeing_sources_are_both_kept_one_main():
    rows = charts.chart_rows("trade_chart", partners=["CHN"], start="2013-01-01")
    dup = rows.groupby(["reporter", "period"]).size()
    assert (dup > 1).any(), "the data keep disagreeing figures as rows"
    for (reporter, period), n in dup[dup > 1].items():
        g = rows[(rows["reporter"] == reporter) & (rows["period"] == period)]
        assert (g["role"] == "main").sum() == 1 and len(g) == n


def test_trade_chart_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    out = charts.trade_chart(["IND"], ax=ax)
    assert out is fig and ax.get_ylabel().startswith("Trade turnover")
    assert ax.get_legend() is not None


@pytest.mark.parametrize("kwargs, message", [
    ({"partners": ("CHN", "USA")}, r"partners: unknown partner 'USA'.*Allowed: .*'CHN'"),
    ({"partners": ()}, r"partners: give at least one partner; allowed: .*'IND'"),
    ({"partners": 5}, r"partners: expected a string or a list of strings, got 5"),
    ({"flow": "export"}, r"flow: unknown flow 'export'; did you mean 'exports'.* Allowed: "
                         r"'turnover', 'exports', 'imports'"),
    ({"currency": "EUR"}, r"currency: unknown currency 'EUR' \(units of the selected "
                          r"turnover rows\).*Allowed: .*'USD'"),
    ({"start": "2013-13-01"}, r"start: cannot read '2013-13-01' as a date"),
    ({"start": "1999-01-01"}, r"start: '1999-01-01' is before the SCO was founded"),
    ({"end": 2020}, r"end: expected a date, got 2020 of type int"),
    ({"start": "2024-01-01", "end": "2020-01-01"}, r"start: '2024-01-01' is after end"),
    ({"start": "2002-01-01", "end": "2003-01-01"},
     r"start, end: no annual turnover figures for partners \('CHN', 'IND'\) between "
     r"2002-01-01 and 2003-01-01; allowed: a period overlapping 2013-07-02 to"),
    ({"start": "2030-01-01", "end": "2031-01-01"}, r"start: '2030-01-01' is after today"),
])
def test_trade_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.trade_rows(**kwargs)
    with pytest.raises(ParameterError, match=message):
        charts.trade_chart(**kwargs)


def test_trade_chart_refuses_a_bad_axes():
    with pytest.raises(ParameterError, match=r"ax: expected a matplotlib Axes or None, got "
                                             r"'left' of type str"):
        charts.trade_chart(ax="left")
