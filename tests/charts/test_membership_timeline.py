"""Every state's status over time: rows and bars."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import sco_research as sco
from sco_research import charts
from sco_research._plotting import STATUS_COLORS
from sco_research.errors import ParameterError

from .helpers import all_text


def test_one_bar_per_status_period_and_the_summits():
    rows = charts.membership_timeline_rows("2025-12-31")
    fig = charts.membership_timeline_chart("2025-12-31")
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


def test_timeline_chart_has_one_bar_per_status_period_and_the_summits():
    fig = charts.membership_timeline_chart(end="2026-01-01")
    ax = fig.axes[0]
    m = sco.load("membership")
    bars = {}
    for c in ax.collections:
        gid = c.get_gid() or ""
        if gid.startswith("bar-"):
            _, iso3, status = gid.split("-", 2)
            assert to_hex(c.get_facecolor()[0]) == to_hex(STATUS_COLORS[status])
            bars[(iso3, status)] = bars.get((iso3, status), 0) + 1
    assert bars == m.groupby(["iso3", "status"], observed=True).size().to_dict()
    summits = sco.load("events").query("kind == 'summit' and date <= '2026-01-01'")
    lines = [c for c in ax.collections if (c.get_gid() or "").startswith("summit-")]
    assert len(lines) == len(summits)
    labels = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("summit-label-")]
    assert "Astana" in labels and "Tianjin" in labels
    assert sorted(ax.get_yticklabels()[i].get_text() for i in range(len(ax.get_yticks()))) == \
        sorted(m["country"].unique())
    assert any(t.get_text().startswith("Source") for t in fig.texts)


def test_timeline_bad_end():
    with pytest.raises(ParameterError, match=r"end: cannot read 'soon' as a date"):
        charts.membership_timeline_rows("soon")
    with pytest.raises(ParameterError, match=r"end: '1999-12-31' is before the SCO was"):
        charts.membership_timeline_chart(end="1999-12-31")


def test_a_timeline_past_the_record_says_its_statuses_are_not_confirmed():
    import matplotlib.pyplot as plt

    through = sco.freshness.recorded_through("membership")
    today = charts.membership_timeline_chart(end="today")
    within = charts.membership_timeline_chart(end=through)
    try:
        words = f"Statuses after {through.day} {through:%B %Y} are not confirmed"
        assert any(words in t.get_text() for t in today.texts)
        assert not any("not confirmed" in t.get_text() for t in within.texts)
    finally:
        plt.close(today)
        plt.close(within)
