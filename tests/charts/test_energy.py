"""Russian energy sold to SCO states: one unit, rates across period lengths, like-with-like."""

from __future__ import annotations

import numpy as np
import pytest

from sco_research import charts
from sco_research.errors import ParameterError

from .helpers import all_text, check_common, line_points, point, scatter_points


def test_energy_chart_keeps_one_unit_and_draws_exactly_its_rows():
    args = {"importers": ("CHN", "IND"), "commodity": "crude_oil", "measure": "volume"}
    fig = charts.energy_chart(**args)
    rows = check_common(fig, charts.energy_rows(**args), ["c05"], "energy_rows")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Russian crude oil, million barrels per day"
    assert set(rows["plotted_unit"]) == {"million barrels per day"}
    assert set(rows["unit"]) <= {"million barrels per day", "barrels per day"}
    bpd = rows[rows["unit"] == "barrels per day"]
    assert np.allclose(bpd["plotted_value"], bpd["value"] / 1e6)
    assert "million tonnes" in all_text(fig)  # counted as not plotted
    main = rows[rows["role"] == "main"]
    annual = main[main["period_type"].isin(["calendar_year", "fiscal_year_april_march"])]
    short = main.drop(annual.index)
    drawn = line_points(ax) | scatter_points(ax)
    assert {point(r.plotted_at, r.plotted_value) for r in annual.itertuples()} <= line_points(ax)
    assert {point(r.plotted_at, r.plotted_value) for r in short.itertuples()} <= drawn


def test_energy_headline_compares_annual_figures_only():
    fig = charts.energy_chart(("CHN", "IND"), "crude_oil", "volume")
    title = fig.axes[0].get_title(loc="left").replace("\n", " ")
    rows = charts.chart_rows("energy_chart", importers=("CHN", "IND"))
    months = rows[~rows["period_type"].isin(["calendar_year", "fiscal_year_april_march"])]
    subtitle = " ".join(all_text(fig).split())
    for period in set(months["period"]):
        assert f"({period})" not in subtitle, period  # a month is never compared with a year
    assert "annual figures" in title.lower() or "annual figures" in subtitle


def test_energy_amounts_only_annual():
    amounts = charts.chart_rows("energy_chart", importers="CHN", unit="million tonnes")
    assert amounts["period_type"].isin(["calendar_year", "fiscal_year_april_march"]).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"importers": ["USA"]}, r"importers: unknown importer 'USA'.*Allowed: 'CHN', 'IND'"),
    ({"commodity": "oil"}, r"commodity: unknown commodity 'oil'.*Allowed: .*'crude_oil'"),
    ({"measure": "rank"}, r"measure: unknown measure 'rank'.*Allowed: 'volume', 'value', "
                          r"'share_of_imports'"),
    ({"unit": "tonnes"}, r"unit: unknown unit 'tonnes'.*Allowed: .*'million tonnes'"),
    ({"start": "2002-01-01", "end": "2003-01-01"}, r"start, end: no crude_oil volume rows"),
])
def test_energy_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.energy_rows(**kwargs)
    with pytest.raises(ParameterError, match=message):
        charts.energy_chart(**kwargs)
