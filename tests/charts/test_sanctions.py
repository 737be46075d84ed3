"""SWIFT cut-offs, reserve freezes and estimates of the frozen sum."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import sco_research as sco
from sco_research import charts
from sco_research.errors import ParameterError

from .helpers import all_text, check_common, point, scatter_points


def test_sanctions_lanes_and_estimates_never_mix_units():
    fig = charts.sanctions_timeline_chart()
    rows = check_common(fig, charts.sanctions_timeline_rows(), ["c15", "c16"],
                        "sanctions_timeline_rows", min_sources=10)
    lanes = fig.axes[0]
    assert [t.get_text() for t in lanes.get_yticklabels()] == [
        "Other related\nmeasures", "Reserve\nimmobilisation", "SWIFT\ndisconnections"]
    assert [a.get_ylabel() for a in fig.axes[1:3]] == [
        "Estimate, USD billion", "Estimate, EUR billion"]
    for a, unit in zip(fig.axes[1:3], ["USD billion", "EUR billion"], strict=True):
        est = rows[(rows["role"] == "estimate") & (rows["unit"] == unit)]
        assert {point(r.announced, r.amount) for r in est.itertuples()} == scatter_points(a)
        named = est[est["label"].notna()]
        assert 1 <= len(named) <= 4
    sanc = sco.load("sanctions")
    other_units = set(sanc.loc[sanc["measure"] == "reserve_estimate", "unit"].dropna()) - {
        "USD billion", "EUR billion"}
    for unit in other_units:  # estimates in other units are left off the axes, but said
        assert unit in all_text(fig)
    measures = rows[rows["role"] == "measure"]
    assert {point(r.announced, 0) for r in measures.itertuples()
            if r.measure == "other"} <= scatter_points(lanes)
    # one label per group of nearby days, one line per day, every label written whole
    for rec in measures[measures["label"].notna()].itertuples():
        assert rec.label in [t.get_text() for t in lanes.texts]
        assert rec.label_side in ("above", "below")
    days = measures.groupby("measure")["announced"].nunique().sum()
    import re

    lines = 0
    for label in measures["label"].dropna():
        for line in label.split("\n"):
            more = re.fullmatch(r"and (\d+) more days \(see the table\)", line)
            lines += int(more[1]) if more else 1
    assert lines == days
    top_usd = rows.loc[rows["unit"] == "USD billion", "amount"].max()
    assert f"USD {top_usd:g}bn" in fig.axes[0].get_title(loc="left").replace("\n", " ")


def test_sanctions_one_panel_into_an_axes():
    fig, ax = plt.subplots()
    charts.sanctions_timeline_chart(["swift_disconnection"], ax=ax)
    rows = charts.chart_rows("sanctions_timeline_chart", measures=["swift_disconnection"])
    assert set(rows["measure"]) == {"swift_disconnection"}


@pytest.mark.parametrize("kwargs, message", [
    ({"measures": ["freeze"]}, r"measures: unknown measure 'freeze'.*Allowed: "
     r"'swift_disconnection', 'reserve_immobilisation', 'reserve_estimate', 'other'"),
    ({"measures": []}, r"measures: give at least one measure"),
    ({"units": ["GBP billion"]}, r"units: unknown unit 'GBP billion' \(units of the estimates"
     r" in the window\).*Allowed: 'USD billion'"),
    ({"start": "2015-01-01", "end": "2016-01-01"}, r"start, end: no sanctions rows for "
     r"measures .* between 2015-01-01 and 2016-01-01; allowed: a period overlapping "
     r"2022-02-26 to"),
])
def test_sanctions_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.sanctions_timeline_rows(**kwargs)
    with pytest.raises(ParameterError, match=message):
        charts.sanctions_timeline_chart(**kwargs)


def test_sanctions_rows_follow_the_window():
    rows = charts.chart_rows("sanctions_timeline_chart", start="2023-01-01")
    assert (rows["announced"] >= pd.Timestamp("2023-01-01")).all()


def test_each_measure_line_ends_with_its_day_in_short_words():
    rows = charts.sanctions_timeline_rows()
    lines = "\n".join(rows["label"].dropna()).splitlines()
    assert "EU: 7 banks, 2 Mar 2022" in lines
    assert "JPN: Bank of Russia, 1 Mar 2022" in lines
