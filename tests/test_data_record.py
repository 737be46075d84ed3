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


def test_access_dates_are_not_in_the_future():
    s = sco.load("sources")
    assert (s["accessed"] <= pd.Timestamp.today().normalize()).all()
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


# -- settlement currencies ----------------------------------------------------------------------


def test_bounded_figures_carry_a_qualifier_and_only_they_do():
    for table, col in (("currency", "value"), ("sanctions", "amount"),
                       ("friendly_trade_share", "value")):
        df = sco.load(table)
        has_value = df[col].notna()
        assert df.loc[has_value, "qualifier"].notna().all(), table
        assert df.loc[~has_value, "qualifier"].isna().all(), table


def test_end_2022_ruble_share_keeps_the_lower_bound_and_the_central_banks_figure():
    c = sco.load("currency")
    rub = c[(c["series"] == "russia_export_settlement") & (c["currency"] == "RUB")
            & (c["period"] == "2022-12")]
    pairs = set(zip(rub["value"], rub["qualifier"], strict=True))
    assert pairs == {(30.0, "over"), (34.0, "exact")}


def test_bank_of_russia_mix_runs_from_2021_for_exports_and_imports():
    c = sco.load("currency")
    cbr = c[c["stated_by"] == "Bank of Russia"]
    for series in ("russia_export_settlement", "russia_import_settlement"):
        periods = set(cbr.loc[cbr["series"] == series, "period"].dropna())
        assert "2021" in periods and {"2022-01", "2022-12"} <= periods, series
        currencies = set(cbr.loc[cbr["series"] == series, "currency"])
        assert {"USD", "EUR", "RUB", "CNY", "unfriendly"} <= currencies | {"USD+EUR"}, series
    shares = cbr["value"].dropna()
    assert ((shares >= 0) & (shares <= 100)).all()


def test_statements_about_all_of_russias_trade_are_their_own_series():
    c = sco.load("currency")
    trade = c[c["series"] == "russia_trade_settlement"]
    assert (trade["scope"] == "RUS-foreign-trade").all()
    assert {"Vladimir Putin", "Mikhail Mishustin"} <= set(trade["stated_by"])
    others = c.loc[c["series"] != "russia_trade_settlement", "scope"]
    assert not (others == "RUS-foreign-trade").any()


def test_cofer_vintages_differ_where_both_are_kept():
    c = sco.load("currency")
    cofer = c[c["series"] == "reserves_share_cofer"]
    assert c.loc[c["series"] != "reserves_share_cofer", "vintage"].isna().all()
    both = cofer.dropna(subset=["vintage"]).groupby(["period", "currency"])
    pairs = 0
    for key, g in both:
        if set(g["vintage"]) == {"first_release", "revised"}:
            pairs += 1
            first = g.loc[g["vintage"] == "first_release", "value"]
            revised = g.loc[g["vintage"] == "revised", "value"]
            assert not set(first) & set(revised), key
    assert pairs >= 3


# -- sanctions and the friendly-country share ------------------------------------------------


def test_tenth_package_cuts_three_more_banks_from_swift():
    s = sco.load("sanctions")
    tenth = s[(s["measure"] == "swift_disconnection") & (s["announced"] == "2023-02-25")]
    assert set(tenth["target"]) == {"Alfa-Bank", "Rosbank", "Tinkoff Bank"}
    assert (s["measure"] == "transaction_ban").sum() >= 2


def test_windfall_income_and_transfers_have_amount_unit_and_period():
    s = sco.load("sanctions")
    income = s[s["measure"] == "windfall_income"]
    assert len(income) >= 6
    assert income["amount"].notna().all() and (income["unit"] == "EUR billion").all()
    assert income["period"].notna().all()
    transfers = s[s["measure"] == "windfall_transfer"]
    assert len(transfers) >= 3 and transfers["amount"].notna().all()
    # The Commission's rounded 1.5 and Euroclear's 1.55 for the same July 2024 payment both stay.
    assert {1.5, 1.55} <= set(transfers["amount"])


def test_euroclear_holdings_are_dated_by_period():
    s = sco.load("sanctions")
    held = s[(s["measure"] == "reserve_estimate") & (s["imposed_by"] == "Euroclear")
             & s["period"].notna()]
    quarters = {"2024-03", "2024-06", "2024-09", "2024-12", "2025-03", "2025-06", "2025-12"}
    assert quarters <= set(held["period"])
    assert held["amount"].notna().all()


def test_friendly_share_statements():
    f = sco.load("friendly_trade_share")
    assert set(f["flow"]) <= {"turnover", "exports", "imports", "non_energy_exports"}
    values = f["value"].dropna()
    assert ((values > 0) & (values <= 100)).all()
    worded = f[f["value"].isna()]
    assert worded["note"].str.contains("words", case=False).all()


def test_mishustins_86_percent_is_the_share_of_2025_exports():
    """Issue 18: the record of 20 Jan 2026 is 86% of all 2025 exports, not of 10 months'
    non-energy exports (that period belongs to the 85% in national currencies)."""
    f = sco.load("friendly_trade_share")
    said = f[(f["stated_by"] == "Mikhail Mishustin") & (f["stated_on"] == "2026-01-20")]
    assert set(said["source_id"]) == {"prime-2026-01-20-mishustin-friendly-86",
                                      "vz-2026-01-20-mishustin-friendly-exports-86",
                                      "lenta-2026-01-20-mishustin-friendly-exports-86"}
    assert set(zip(said["period"], said["flow"], said["value"], strict=True)) == {
        ("2025", "exports", 86.0)}
    c = sco.load("currency")
    ten_months = c[(c["stated_on"] == "2026-01-20") & (c["period"] == "2025-01/2025-10")]
    assert 85.0 in set(ten_months["value"])


# -- India 2024 and the membership date rule ------------------------------------------------------


def test_india_2024_keeps_the_early_estimate_and_the_later_official_figure():
    t = sco.load("trade")
    rows = t[(t["reporter"] == "RUS") & (t["partner"] == "IND") & (t["period"] == "2024")
             & (t["flow"] == "turnover")]
    assert sorted(rows["value"]) == [64.0, 66.0]
    published = sco.load("sources").set_index("source_id").loc[rows["source_id"], "published"]
    later = rows.assign(published=published.to_numpy()).sort_values("published")
    assert later["value"].iloc[-1] == 64.0


def test_every_status_starts_on_a_summit_day():
    m = sco.load("membership")
    ev = sco.load("events")
    summit_days = set(ev.loc[ev["kind"] == "summit", "date"])
    off = m[~m["start"].isin(summit_days)]
    assert off.empty, off[["iso3", "status", "start"]]


def test_saudi_arabia_dates_from_samarkand_with_its_memorandum():
    m = sco.load("membership")
    sau = m[(m["iso3"] == "SAU") & (m["status"] == "dialogue_partner")].iloc[0]
    assert sau["start"] == pd.Timestamp("2022-09-16")
    assert sau["memorandum_date"] == pd.Timestamp("2022-09-16")
    later = m[(m["status"] == "dialogue_partner") & (m["start"] == pd.Timestamp("2022-09-16"))]
    assert later["memorandum_date"].notna().all()


# -- the primary figure first ---------------------------------------------------------------------


def test_conversions_are_marked_and_the_bodys_own_figure_is_beside_them():
    from sco_research.corroboration import is_conversion

    e = sco.load("energy")
    conv = e[is_conversion(e["note"])]
    assert len(conv) >= 5 and (conv["unit"] == "million barrels per day").all()
    for r in conv.itertuples():
        own = e[(e["importer"] == r.importer) & (e["period"] == r.period)
                & (e["commodity"] == r.commodity) & (e["measure"] == r.measure)
                & ~is_conversion(e["note"])]
        assert (own["unit"] == "million tonnes").any(), (r.importer, r.period)
    t = sco.load("trade")
    (conv,) = t[is_conversion(t["note"])].itertuples()  # Reuters' dollars for China's yuan
    own = t[(t["reporter"] == conv.reporter) & (t["partner"] == conv.partner)
            & (t["period"] == conv.period) & (t["flow"] == conv.flow) & ~is_conversion(t["note"])]
    assert {"USD billion", "CNY trillion"} <= set(own["unit"])
    assert conv.value not in set(own["value"])
    assert not is_conversion(sco.load("currency")["note"]).any()  # none found in the survey


def test_charts_rank_a_conversion_after_the_bodys_own_figure():
    from sco_research.charts import _frames as fr

    rows = pd.DataFrame({"period": ["2024", "2024"], "value": [2.17, 2.2],
                         "source_id": ["24ukraine-2025-01-20-china-russian-crude-2024"] * 2,
                         "note": ["[conversion by Reuters] x", "[official data via news] y"]})
    assert fr.mark_main(rows, ["period"])["role"].tolist() == ["other source", "main"]
    from sco_research import charts

    drawn = charts.chart_rows("trade_chart", partners=("CHN",))
    main_2025 = drawn[(drawn["table"] == "trade") & (drawn["period"] == "2025")
                      & (drawn["role"] == "main") & (drawn["reporter"] == "CHN")]
    assert main_2025["value"].round(1).tolist() == [228.1]
