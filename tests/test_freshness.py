"""How fresh the record is: coverage rows, the day each table was checked through, the words."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import sco_research as sco
from sco_research import freshness, paths
from sco_research.data import DataPackage

from .conftest import edit_csv


def test_one_row_per_table_and_series_with_its_reach():
    cov = freshness.coverage()
    assert list(cov.columns) == freshness.COLUMNS
    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    timed = [r["name"] for r in descriptor["resources"] if r.get("sco:timeField")]
    assert list(dict.fromkeys(cov["table"])) == timed
    # a table of several series has one row per series, each with its own reach
    currency = cov[cov["table"] == "currency"].set_index("series")
    assert set(currency.index) == set(sco.load("currency")["series"].astype(str))
    cofer = sco.load("currency").query("series == 'reserves_share_cofer'")["period"]
    assert currency.loc["reserves_share_cofer", "last"] == max(
        cofer.dropna(), key=freshness.period_end)
    assert (cov.loc[cov["table"] == "membership", "series"].isna()).all()


def test_every_table_states_the_day_it_was_checked_through():
    cov = freshness.coverage()
    assert cov["recorded_through"].notna().all()
    assert (cov["note"].str.len() > 20).all()


def test_no_fact_lies_beyond_the_day_its_table_was_checked_through():
    # A fact after recorded_through contradicts it: whoever records it must move the day on.
    cov = freshness.coverage()
    ends = cov["last"].map(freshness.period_end)
    late = cov[ends > cov["recorded_through"]]
    assert late.empty, late[["table", "series", "last", "recorded_through"]].to_string()


def test_last_ignores_rows_announced_in_advance(package_copy):
    edit_csv(package_copy / "events.csv", "ev-2022-03-12-eu-swift-effective,2022-03-12,",
             "ev-2022-03-12-eu-swift-effective,2027-03-12,")
    pkg = DataPackage(package_copy / "datapackage.json")
    events = freshness.coverage(pkg).set_index("table").loc["events"]
    assert events["last"] == freshness.coverage().set_index("table").loc["events", "last"]


def test_attendance_is_dated_by_its_summits():
    row = freshness.coverage().set_index("table").loc["summit_attendance"]
    days = sco.load("events").set_index("event_id").loc[
        sco.load("summit_attendance")["summit_id"].unique(), "date"]
    assert (row["first"], row["last"]) == (f"{days.min():%Y-%m-%d}", f"{days.max():%Y-%m-%d}")


@pytest.mark.parametrize("label, end", [
    ("2024", "2024-12-31"), ("2024-05", "2024-05-31"), ("2024-Q1", "2024-03-31"),
    ("2024-H2", "2024-12-31"), ("FY2024-25", "2025-03-31"), ("2022/2025", "2025-12-31"),
    ("2024-02-29", "2024-02-29"),
])
def test_period_end(label, end):
    assert freshness.period_end(label) == pd.Timestamp(end)


def test_freshness_words_only_past_the_record():
    through = freshness.recorded_through("trade")
    assert freshness.freshness_note("trade", through) is None
    note = freshness.freshness_note("trade", through + pd.Timedelta(days=1), what="Figures")
    shown = f"{through.day} {through:%B %Y}"
    assert note == (f"Figures after {shown} are not confirmed: the trade record was checked "
                    f"for new facts through {shown} only.")
    assert freshness.freshness_note("membership", "today").endswith(
        "such as any at the SCO's 2026 summit in Bishkek, are not in it.")


def test_bad_day_is_refused_in_one_line():
    with pytest.raises(sco.ParameterError, match=r"^until: cannot read 'soon' as a date; "
                       r"accepted: an ISO date string 'YYYY-MM-DD'"):
        freshness.freshness_note("trade", "soon")
    with pytest.raises(sco.ParameterError, match=r"^name: unknown table 'trad'; did you mean "
                       r"'trade'\?"):
        freshness.freshness_note("trad", "today")
