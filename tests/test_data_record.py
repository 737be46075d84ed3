"""The record filled in for issue 13: source quality, the summits, and the series added then."""

import pandas as pd
import pytest

import sco_research as sco

SUMMITS = {"summit-2024-astana": "2024-07-04", "summit-2025-tianjin": "2025-09-01"}


# -- sources read like a bibliography ---------------------------------------------------------


def test_no_title_is_a_bracketed_placeholder():
    s = sco.load("sources")
    bracketed = s[s["title"].str.startswith("[")]
    assert bracketed.empty, bracketed[["source_id", "title"]]


def test_fewer_than_15_percent_of_titles_are_our_own_descriptions():
    s = sco.load("sources")
    share = (s["title_kind"] == "descriptive").mean()
    assert share < 0.15, f"{share:.1%} descriptive titles"


def test_titles_taken_from_the_address_say_so_in_the_note():
    s = sco.load("sources")
    from_url = s[s["title_kind"] == "headline_from_url"]
    assert len(from_url) > 0
    says = from_url["note"].str.contains("slug|address|URL", case=False, regex=True)
    assert says.all(), from_url.loc[~says, "source_id"].tolist()


def test_primary_sources_are_official_publications():
    s = sco.load("sources")
    assert set(s["tier"]) == {"primary", "official_via_news", "secondary"}
    primary = s[s["tier"] == "primary"]
    assert (primary["kind"] == "official").all(), primary[["source_id", "kind"]]


def test_access_dates_are_not_after_the_recheck_day():
    s = sco.load("sources")
    assert (s["accessed"] <= pd.Timestamp("2026-11-28")).all()
    assert (s["published"].isna() | (s["published"] <= s["accessed"])).all()


# -- the summits ------------------------------------------------------------------------------


def test_each_summit_has_chair_declaration_handover_and_next_summit():
    o = sco.load("summit_outcomes")
    assert set(o["summit_id"]) == set(SUMMITS)
    for summit in SUMMITS:
        kinds = set(o.loc[o["summit_id"] == summit, "kind"])
        assert {"chair", "declaration", "chair_handover", "next_summit"} <= kinds, summit


def test_astana_admits_belarus_and_tianjin_creates_the_partner_status():
    o = sco.load("summit_outcomes").set_index("outcome_id")
    assert "Belarus" in o.loc["astana-2024-belarus", "item"]
    assert o.loc["tianjin-2025-partner-status", "kind"] == "status_change"
    m = sco.membership_as_of(SUMMITS["summit-2024-astana"])
    assert "BLR" in set(m.loc[m["status"] == "member", "iso3"])


def test_disagreeing_document_counts_are_kept_as_separate_rows():
    o = sco.load("summit_outcomes")
    counts = o[o["kind"] == "document_count"]
    assert counts["count"].notna().all()
    for summit, g in counts.groupby("summit_id"):
        assert g["count"].nunique() >= 2, summit
        assert g["source_id"].nunique() == len(g), summit


def test_development_strategy_draft_at_astana_final_at_tianjin():
    o = sco.load("summit_outcomes").set_index("outcome_id")
    assert "draft" in o.loc["astana-2024-strategy-2035-draft", "item"].lower()
    assert o.loc["tianjin-2025-strategy-2035", "summit_id"] == "summit-2025-tianjin"


def test_who_stayed_away_and_who_came_instead():
    a = sco.load("summit_attendance")
    india = a[(a["summit_id"] == "summit-2024-astana") & (a["iso3"] == "IND")]
    assert set(india["attendance"]) == {"absent", "stood_in"}
    absent = india.loc[india["attendance"] == "absent", "person"].iloc[0]
    assert (india.loc[india["attendance"] == "stood_in", "stood_in_for"] == absent).all()
    stood_in = a[a["attendance"] == "stood_in"]
    assert stood_in["stood_in_for"].notna().all()
    assert a.loc[a["attendance"] != "stood_in", "stood_in_for"].isna().all()


def test_every_member_is_at_each_council_meeting():
    a = sco.load("summit_attendance")
    for summit, day in SUMMITS.items():
        m = sco.membership_as_of(day)
        members = set(m.loc[m["status"] == "member", "iso3"])
        council = a[(a["summit_id"] == summit) & (a["meeting"] == "council")]
        assert members == set(council["iso3"].dropna()), summit


def test_attendance_statuses_agree_with_the_membership_table():
    a = sco.load("summit_attendance")
    sco_statuses = {"member", "observer", "dialogue_partner", "partner"}
    for summit, day in SUMMITS.items():
        held = sco.membership_as_of(day).set_index("iso3")["status"]
        rows = a[(a["summit_id"] == summit) & a["status"].isin(sco_statuses)]
        for rec in rows.itertuples():
            assert held.get(rec.iso3) == rec.status, (summit, rec.iso3, rec.status)
        guests = a[(a["summit_id"] == summit) & (a["status"] == "guest_state")]
        assert not set(guests["iso3"]) & set(held.index), summit


def test_summit_rows_point_to_summit_events():
    ev = sco.load("events").set_index("event_id")
    for table in ("summit_outcomes", "summit_attendance"):
        ids = set(sco.load(table)["summit_id"])
        assert (ev.loc[sorted(ids), "kind"] == "summit").all(), table


@pytest.mark.parametrize("table", ["summit_outcomes", "summit_attendance"])
def test_summit_tables_cite_dated_sources(table):
    df = sco.load(table)
    s = sco.load("sources").set_index("source_id")
    assert s.loc[sorted(set(df["source_id"])), "url"].str.match(r"^https?://").all()
