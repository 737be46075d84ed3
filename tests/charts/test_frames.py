"""Rows for the charts: periods, units, the rule for disagreeing sources, event markers."""

from __future__ import annotations

import pandas as pd
import pytest

import sco_research as sco
from sco_research.charts import _frames as fr
from sco_research.errors import ParameterError


@pytest.mark.parametrize("period, span", [
    ("2023", ("2023-01-01", "2024-01-01")),
    ("FY2021-22", ("2021-04-01", "2022-04-01")),
    ("2023-05", ("2023-05-01", "2023-06-01")),
    ("2023-Q2", ("2023-04-01", "2023-07-01")),
    ("2023-H2", ("2023-07-01", "2024-01-01")),
    ("2024-01/2024-04", ("2024-01-01", "2024-05-01")),
])
def test_period_span(period, span):
    assert fr.period_span(period) == tuple(pd.Timestamp(d) for d in span)


@pytest.mark.parametrize("period", [None, "", "soon", "2023-13/2024"])
def test_period_span_unreadable(period):
    assert fr.period_span(period) is None


def test_every_period_of_the_chart_tables_is_readable():
    for table in ("trade", "energy", "currency"):
        for p in sco.load(table)["period"].dropna():
            assert fr.period_span(p) is not None, (table, p)


def test_rescale_changes_only_the_scale():
    df = pd.DataFrame({"value": [1500.0, 2.0], "unit": ["USD million", "USD billion"]})
    out = fr.rescale(df, "USD billion")
    assert list(out["plotted_value"]) == [1.5, 2.0]
    assert set(out["plotted_unit"]) == {"USD billion"}


def _sources(tier: bool) -> pd.DataFrame:
    src = pd.DataFrame({
        "source_id": ["news-late", "official-early", "news-early"],
        "publisher": ["A", "B", "C"], "url": ["u1", "u2", "u3"],
        "published": pd.to_datetime(["2025-06-01", "2025-01-01", "2024-12-01"]),
        "kind": ["news", "official", "news"],
    })
    if tier:
        src["tier"] = ["secondary", "primary", "secondary"]
    return src


@pytest.mark.parametrize("tier", [True, False])
def test_the_more_primary_source_wins_then_the_later_publication(monkeypatch, tier):
    real = fr.table
    monkeypatch.setattr(fr, "table", lambda name: _sources(tier) if name == "sources"
                        else real(name))
    rows = pd.DataFrame({"reporter": ["IND"] * 3, "period": ["2024"] * 3,
                         "source_id": ["news-late", "official-early", "news-early"]})
    out = fr.mark_main(rows, ["reporter", "period"])
    assert list(out["role"]) == ["other source", "main", "other source"]
    # among sources of one tier the later publication wins
    two = fr.mark_main(rows.iloc[[2, 0]], ["reporter", "period"])
    assert dict(zip(two["source_id"], two["role"], strict=True)) == {
        "news-early": "other source", "news-late": "main"}


def test_like_with_like_compares_the_same_period_length_and_tier(monkeypatch):
    real = fr.table
    monkeypatch.setattr(fr, "table", lambda name: _sources(True) if name == "sources"
                        else real(name))
    main = pd.DataFrame({
        "period": ["2017", "2021", "2025-11", "2023"],
        "period_type": ["calendar_year", "calendar_year", "month", "calendar_year"],
        "plotted_at": pd.to_datetime(["2017-07-02", "2021-07-02", "2025-11-15", "2023-07-02"]),
        "source_id": ["news-early", "official-early", "news-late", "news-late"],
    })
    first, last, straddles = fr.like_with_like(main, pd.Timestamp("2022-02-24"))
    assert last["period"] == "2025-11" and first is None and not straddles
    first, last, straddles = fr.like_with_like(main.iloc[[0, 1, 3]],
                                               pd.Timestamp("2022-02-24"))
    assert (first["period"], last["period"], straddles) == ("2017", "2023", True)


def test_event_rows_are_the_markers_with_their_sources():
    ev = fr.event_rows(pd.Timestamp("2013-01-01"), pd.Timestamp("2026-06-30"))
    assert set(ev["role"]) == {fr.MARKER_ROLE} and set(ev["table"]) == {"events"}
    assert ev["url"].notna().all()
    labelled = ev[ev["label"].notna()]
    assert list(labelled["kind"]) == ["war", "swift", "reserves", "summit"]
    assert "Astana SCO summit (the article), 4 Jul 2024" in set(labelled["label"])
    # later SWIFT and reserve steps are not drawn: only the first of each
    assert (ev["kind"] == "swift").sum() == 1 and (ev["kind"] == "reserves").sum() == 1


def test_cluster_labels_alternate_sides():
    days = pd.Series(pd.to_datetime(["2020-01-01", "2020-01-01", "2020-03-01", "2025-01-01"]))
    out = fr.cluster_labels(days, pd.Timedelta(days=3650), lambda d: str(len(d)))
    assert out == [("above", "2"), None, None, ("below", "1")]


def test_check_window():
    assert fr.check_window("2020-01-01", "2020-01-01")[0] == pd.Timestamp("2020-01-01")
    with pytest.raises(ParameterError, match=r"start: '2024-01-01' is after end '2023-01-01'; "
                                             r"give a start on or before the end"):
        fr.check_window("2024-01-01", "2023-01-01")
