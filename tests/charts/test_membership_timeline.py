"""Every state's status over time: rows and bars."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
import pytest

import sco_research as sco
from sco_research import charts, maps
from sco_research.errors import ParameterError

from .helpers import all_text


def test_one_bar_per_status_period_and_the_summits():
    rows = charts.membership_timeline_rows("2025-12-31")
    fig = maps.membership_timeline_chart("2025-12-31")
    ax = fig.axes[0]
    periods = rows[rows["table"] == "membership"]
    summits = rows[rows["table"] == "events"]
    assert len(periods) == len(sco.load("membership"))
    bars = [c for c in ax.collections if (c.get_gid() or "").startswith("bar-")]
    assert sorted(c.get_gid() for c in bars) == sorted(
        f"bar-{r.iso3}-{r.status}" for r in periods.itertuples())
    lines = [c for c in ax.collections if (c.get_gid() or "").startswith("summit-")]
    assert len(lines) == len(summits) == (sco.load("events")["kind"] == "summit").sum()
    assert set(summits["role"]) == {"event marker"}
    ind = periods[periods["iso3"] == "IND"]
    assert list(ind["status"]) == ["observer", "member"]
    assert (periods["end"] <= pd.Timestamp("2025-12-31")).all()
    assert [t.get_text() for t in ax.get_yticklabels()][:6] == list(
        periods.drop_duplicates("lane").sort_values("lane")["country"])[:6]
    assert "Source" in all_text(fig)
    xmin, xmax = ax.get_xlim()
    assert mdates.num2date(xmax).year == 2026


def test_timeline_is_reexported_from_maps():
    assert maps.membership_timeline_chart is charts.membership_timeline_chart
    assert maps.membership_timeline_rows is charts.membership_timeline_rows


def test_timeline_bad_end():
    with pytest.raises(ParameterError, match=r"end: cannot read 'soon' as a date"):
        charts.membership_timeline_rows("soon")
