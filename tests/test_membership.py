import datetime as dt

import pandas as pd
import pytest

import sco_research as sco
from sco_research.errors import ParameterError

FOUNDERS = {"CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"}

# Independent references: full members on a date, as the cited source states them.
REFERENCES = [
    ("2001-06-15", FOUNDERS, "sco-about-sco"),
    ("2007-08-16", FOUNDERS, "uzdaily-2007-08-16-joint-communique"),
    ("2010-06-11", FOUNDERS, "asianews-2010-06-12-tashkent-summit"),
    ("2017-06-08", FOUNDERS, "tass-2017-06-09-india-pakistan-join-sco"),
    ("2017-06-09", FOUNDERS | {"IND", "PAK"}, "tass-2017-06-09-india-pakistan-join-sco"),
    ("2023-03-29", FOUNDERS | {"IND", "PAK"}, "gulfnews-2023-03-29-saudi-dialogue-partner"),
    ("2023-12-01", FOUNDERS | {"IND", "PAK", "IRN"}, "xinhua-peoplecn-2023-12-01-belarus-ratifies"),
    ("2024-07-04", FOUNDERS | {"IND", "PAK", "IRN", "BLR"},
     "newsaz-2024-07-04-belarus-becomes-sco-member"),
    ("2025-09-01", FOUNDERS | {"IND", "PAK", "IRN", "BLR"},
     "tass-2025-09-01-laos-partner-unified-status"),
]


@pytest.mark.parametrize("date, members, source_id", REFERENCES)
def test_members_match_independent_references(date, members, source_id):
    assert source_id in set(sco.load("sources")["source_id"])
    m = sco.membership_as_of(date)
    assert set(m.loc[m["status"] == "member", "iso3"]) == members


def test_observers_before_2017_and_partners_after_the_2025_merger():
    m = sco.membership_as_of("2016-01-01")
    assert {"IND", "PAK", "IRN", "MNG", "AFG", "BLR"} <= set(m.loc[m["status"] == "observer",
                                                              "iso3"])
    after = sco.membership_as_of("2025-09-01")
    assert set(after["status"]) == {"member", "partner"}
    assert "LAO" in set(after["iso3"])
    before = sco.membership_as_of("2025-08-31")
    assert "partner" not in set(before["status"])


def test_every_accession_event_agrees_with_the_timeline():
    ev = sco.load("events")
    acc = ev[ev["kind"] == "accession"]
    assert len(acc) >= 4
    for rec in acc.itertuples():
        m = sco.membership_as_of(rec.date)
        assert rec.iso3 in set(m.loc[m["status"] == "member", "iso3"])
        prev = sco.membership_as_of(rec.date - pd.Timedelta(days=1))
        assert rec.iso3 not in set(prev.loc[prev["status"] == "member", "iso3"])


@pytest.mark.parametrize("value", ["2017-06-09", dt.date(2017, 6, 9), pd.Timestamp("2017-06-09")])
def test_accepts_documented_date_types(value):
    assert len(sco.membership_as_of(value)) == len(sco.membership_as_of("2017-06-09"))


def test_today_is_the_default():
    assert sco.membership_as_of().equals(sco.membership_as_of("today"))


def test_columns_and_order():
    m = sco.membership_as_of("2024-07-04")
    assert list(m.columns) == ["iso3", "country", "status", "since", "source_id"]
    assert m["status"].iloc[0] == "member"


def test_status_filter():
    m = sco.membership_as_of("2016-01-01", statuses="observer")
    assert set(m["status"]) == {"observer"}
    with pytest.raises(ParameterError, match=r"statuses: unknown status 'observers'; did you "
                       r"mean 'observer'\? Allowed: 'member', 'observer'"):
        sco.membership_as_of("2016-01-01", statuses=["observers"])


@pytest.mark.parametrize("value, message", [
    ("2000-12-31", r"date: '2000-12-31' is before the SCO was founded \(2001-06-15\)"),
    ("2017/06/09", r"date: cannot read '2017/06/09' as a date; accepted: an ISO date string "
                   r"'YYYY-MM-DD', 'today', a datetime.date or a pandas.Timestamp"),
    ("2017-02-30", r"date: cannot read '2017-02-30' as a date"),
])
def test_bad_dates(value, message):
    with pytest.raises(ParameterError, match=message):
        sco.membership_as_of(value)


def test_changes_one_row_per_change():
    ch = sco.membership_changes()
    assert list(ch.columns) == ["date", "iso3", "country", "from", "to", "source_id"]
    assert ch["date"].is_monotonic_increasing
    ind = ch[ch["iso3"] == "IND"]
    assert list(zip(ind["date"].dt.strftime("%Y-%m-%d"), ind["from"], ind["to"], strict=True)) == [
        ("2005-07-05", None, "observer"), ("2017-06-09", "observer", "member")]
    blr = ch[ch["iso3"] == "BLR"]
    assert list(blr["to"]) == ["dialogue_partner", "observer", "member"]
    # one change per period start, plus one for each period that ends without a successor
    m = sco.load("membership")
    assert len(ch) >= len(m)


def test_enlargement_dates_and_newcomers():
    dates = sco.membership.enlargement_dates()
    assert [d.date().isoformat() for d in dates][:4] == [
        "2001-06-15", "2017-06-09", "2023-07-04", "2024-07-04"]
    joins = sco.membership.joining_changes()
    assert sco.membership.newcomers(pd.Timestamp("2017-06-09"), joins) == (
        pd.Timestamp("2017-06-09"), {"IND": "member", "PAK": "member"})
    # the 2025 renaming of observers and dialogue partners is not a joining: only Laos joined
    day, who = sco.membership.newcomers(pd.Timestamp("2026-01-01"), joins)
    assert (day, who) == (pd.Timestamp("2025-09-01"), {"LAO": "partner"})
    assert sco.membership.newcomers(pd.Timestamp("2001-06-14"), joins) == (None, {})


def test_newcomers_do_not_reload_the_table(monkeypatch):
    joins = sco.membership.joining_changes()

    def fail(*args, **kwargs):
        raise AssertionError("the membership table was loaded again")

    monkeypatch.setattr(sco.membership, "load", fail)
    assert sco.membership.newcomers(pd.Timestamp("2024-07-04"), joins)[1] == {"BLR": "member"}


def test_enlargement_dates_stay_importable_from_maps():
    from sco_research import maps

    assert maps.enlargement_dates is sco.membership.enlargement_dates


@pytest.mark.parametrize(("day", "expected"), [
    ("2001-06-15", "On 15 June 2001: 6 members; China, Kazakhstan, Kyrgyzstan, Russia, Tajikistan "
                   "and Uzbekistan founded the SCO"),
    ("2017-06-09", "On 9 June 2017: 8 members, 4 observers, 6 dialogue partners; India and "
                   "Pakistan joined"),
    ("2024-07-04", "On 4 July 2024: 10 members, 2 observers, 14 dialogue partners; Belarus joined"),
    ("2025-09-01", "On 1 September 2025: 10 members, 17 partners; Laos joined as a partner; the 16 "
                   "observers and dialogue partners became partners"),
    ("2020-01-01", "On 1 January 2020: 8 members, 4 observers, 6 dialogue partners; no change "
                   "that day (the latest to join: India and Pakistan, on 9 June 2017)"),
])
def test_day_summary_says_what_is_particular_to_the_day(day, expected):
    assert sco.day_summary(day) == expected


def test_day_summaries_of_the_enlargements_all_differ():
    summaries = [sco.day_summary(d) for d in sco.membership.enlargement_dates()]
    assert len(set(summaries)) == len(summaries)
    counts = sco.membership_as_of("2023-07-04")["status"].value_counts()
    assert f"{counts['member']} members, {counts['observer']} observers" in sco.day_summary(
        "2023-07-04")
