"""Settlement shares stated by officials; the dollar, euro and yuan in reserves and payments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

import sco_research as sco
from sco_research import charts
from sco_research.charts import _text
from sco_research.errors import ParameterError

from .helpers import all_text, check_common, line_points, point, scatter_points


def test_settlement_chart_draws_its_rows_and_names_some_speakers():
    fig = charts.settlement_currency_chart()
    rows = check_common(fig, charts.settlement_currency_rows(), ["c13"],
                        "settlement_currency_rows", min_sources=5)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Share of settlements, percent"
    assert set(rows["series"]) <= set(charts.SETTLEMENT_INDICATORS)
    main = rows[rows["role"] == "main"]
    silent = rows[rows["role"] == "statement without a figure"]
    drawn = {point(r.plotted_at, r.value) for r in main.itertuples()}
    drawn |= {point(r.plotted_at, -6) for r in silent.itertuples()}
    assert drawn == scatter_points(ax)
    assert len(silent) and silent["value"].isna().all()
    # the labels written are exactly the rows' labels: first, highest, latest of each group
    labels = rows["label"].dropna()
    assert sorted(labels) == sorted(t.get_text() for t in ax.texts
                                    if t.get_text() in set(labels))
    assert 0 < len(labels) <= 3 * rows["group"].nunique()
    for _, g in main.groupby("group"):
        latest = g.sort_values("plotted_at").iloc[-1]
        assert isinstance(latest["label"], str)
        assert latest["label"].startswith(_text.surname(latest["stated_by"]))
    combined = main[main["currency"].isin(["RUB+CNY", "national"])
                    & (main["series"] == "russia_china_trade_settlement")]
    last = combined.sort_values("plotted_at").iloc[-1]
    assert f"to {last['value']:g}%" in ax.get_title(loc="left").replace("\n", " ")


def test_settlement_one_indicator():
    rows = charts.chart_rows("settlement_currency_chart",
                             indicators="sco_trade_national_currencies")
    assert set(rows["series"]) == {"sco_trade_national_currencies"}


@pytest.mark.parametrize("kwargs, message", [
    ({"indicators": ["reserves_share_cofer"]}, r"indicators: unknown indicator "
     r"'reserves_share_cofer'.*Allowed: 'russia_china_trade_settlement', "
     r"'sco_trade_national_currencies'"),
    ({"indicators": []}, r"indicators: give at least one indicator; allowed: "),
    ({"start": "2015-02-01", "end": "2015-03-01"}, r"start, end: no settlement-share rows .* "
     r"between 2015-02-01 and 2015-03-01; allowed: a period overlapping"),
    ({"end": "31/12/2024"}, r"end: cannot read '31/12/2024' as a date"),
])
def test_settlement_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.settlement_currency_rows(**kwargs)
    with pytest.raises(ParameterError, match=message):
        charts.settlement_currency_chart(**kwargs)


def test_reserve_and_payment_shares_panels_lines_and_break():
    fig = charts.reserve_and_payment_shares_chart()
    rows = check_common(fig, charts.reserve_and_payment_shares_rows(), ["c13", "c14"],
                        "reserve_and_payment_shares_rows", min_sources=10)
    panels = [a for a in fig.axes if a.get_ylabel()]
    assert len(panels) == 3
    assert panels[0].get_ylabel().startswith("Share of allocated world FX reserves")
    assert panels[1].get_ylabel().startswith("Share of payments by value")
    for a, series in zip(panels[:2], ["reserves_share_cofer", "swift_payments_share"],
                         strict=True):
        g = rows[rows["series"] == series]
        main = g[g["role"] == "main"]
        assert set(main["currency"]) == {"USD", "EUR", "CNY"}
        # the lines go through every main figure; the dotted strokes reach the other sources
        every = {point(r.plotted_at, r.value) for r in g.itertuples()}
        assert {point(r.plotted_at, r.value) for r in main.itertuples()} <= line_points(a)
        assert line_points(a) <= every
    swift_lines = [ln for ln in panels[1].get_lines() if np.isnan(
        np.asarray(ln.get_ydata(), dtype=float)).any()]
    assert len(swift_lines) >= 1
    assert "SWIFT changed its method" in all_text(fig)
    statements = rows[rows["series"] == "payment_system"]
    assert len(statements) == len(sco.load("currency").query("series == 'payment_system'"))
    assert (statements["plotted_at"] == statements["stated_on"]).all()
    assert {point(r.plotted_at, 0) for r in statements.itertuples()} == scatter_points(panels[2])
    assert fig.axes[0].get_title(loc="left").startswith("The US dollar still leads")


def test_reserve_chart_single_indicator_into_an_axes():
    fig, ax = plt.subplots()
    charts.reserve_and_payment_shares_chart(["reserves_share_cofer"], ["USD", "CNY"], ax=ax)
    rows = charts.chart_rows("reserve_and_payment_shares_chart",
                             indicators=["reserves_share_cofer"], currencies=["USD", "CNY"])
    assert set(rows["currency"]) == {"USD", "CNY"}
    assert {point(r.plotted_at, r.value) for r in rows[rows["role"] == "main"].itertuples()} \
        <= line_points(ax) <= {point(r.plotted_at, r.value) for r in rows.itertuples()}


@pytest.mark.parametrize("kwargs, message", [
    ({"indicators": ["cofer"]}, r"indicators: unknown indicator 'cofer'.*Allowed: "
     r"'reserves_share_cofer', 'swift_payments_share', 'payment_system'"),
    ({"currencies": ["USD", "GBP"]}, r"currencies: unknown currency 'GBP'.*Allowed: 'CNY', "
     r"'EUR', 'USD'"),
    ({"currencies": []}, r"currencies: give at least one currency"),
    ({"start": "2002-01-01", "end": "2003-01-01"}, r"start, end: no rows for"),
])
def test_reserve_chart_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.reserve_and_payment_shares_rows(**kwargs)
    with pytest.raises(ParameterError, match=message):
        charts.reserve_and_payment_shares_chart(**kwargs)


def test_reserve_chart_refuses_one_axes_for_several_panels():
    _, ax = plt.subplots()
    with pytest.raises(ParameterError, match=r"ax: this selection needs 3 panels"):
        charts.reserve_and_payment_shares_chart(ax=ax)
    with pytest.raises(ParameterError, match=r"ax: expected a matplotlib Axes"):
        charts.reserve_and_payment_shares_chart(ax="fake")


def test_check_indicators():
    assert charts.check_indicators("payment_system") == ("payment_system",)
    with pytest.raises(ParameterError, match=r"indicators: unknown indicator 'reserve'\. "
                                             r"Allowed: 'russia_china_trade_settlement'"):
        charts.check_indicators(["reserve"])


def test_bounded_figures_are_drawn_with_an_arrow_and_said():
    rows = charts.settlement_currency_rows()
    main = rows[rows["role"] == "main"]
    bounded = main[main["qualifier"].isin(["over", "under"])] if "qualifier" in main else main[:0]
    fig = charts.settlement_currency_chart()
    ax = fig.axes[0]
    arrows = [t for t in ax.texts if t.get_text() == "" and getattr(t, "arrow_patch", None)]
    assert len(arrows) == len(bounded)
    assert ("Arrows: the source gives the figure as a bound" in all_text(fig)) == bool(
        len(bounded))
    from sco_research.charts import _text

    assert _text.bound({"qualifier": "over"}) + "30%" == "over 30%"
