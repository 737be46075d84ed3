"""The chart tables against their schema and the claims the charts answer."""

from __future__ import annotations

import pandas as pd
import pytest

import sco_research as sco
from sco_research.charts._frames import period_span

INVASION = pd.Timestamp("2022-02-24")


# -- the data against its schema -----------------------------------------------------------


@pytest.mark.parametrize("table", ["trade", "energy", "currency", "sanctions", "events"])
def test_tables_load_against_their_schema(table):
    df = sco.load(table)
    fields = [f["name"] for f in sco.data.default_package().resource(table)["schema"]["fields"]]
    assert list(df.columns) == fields
    assert len(df) > 0
    assert df["source_id"].notna().all()


def test_trade_rows_are_russia_with_a_partner_and_readable_periods():
    t = sco.load("trade")
    assert ((t["reporter"] == "RUS") | (t["partner"] == "RUS")).all()
    assert (t["reporter"] != t["partner"]).all()
    fiscal = t["period_type"] == "fiscal_year_april_march"
    assert t.loc[fiscal, "period"].str.match(r"^FY\d{4}-\d{2}$").all()
    assert t.loc[t["period_type"] == "calendar_year", "period"].str.match(r"^\d{4}$").all()
    for p in t["period"]:
        assert period_span(p) is not None, p
    china = t[(t["reporter"] == "CHN") & (t["flow"] == "turnover")
              & (t["period_type"] == "calendar_year")]
    assert {str(y) for y in range(2013, 2025)} <= set(china["period"])
    india = t[(t["reporter"] == "IND") & fiscal]
    assert len(india) > 0


def test_currency_shares_are_percentages_and_statements_are_dated():
    c = sco.load("currency")
    valued = c[c["value"].notna()]
    assert (valued["unit"] == "percent").all()
    assert valued["value"].between(0, 100).all()
    assert c["stated_by"].notna().all()
    for p in c["period"].dropna():
        assert period_span(p) is not None, p
    statements = c[c["series"] == "payment_system"]
    assert statements["value"].isna().all() and statements["stated_on"].notna().all()


def test_sanctions_estimates_carry_amount_unit_and_author():
    s = sco.load("sanctions")
    est = s[s["measure"] == "reserve_estimate"]
    assert est["amount"].notna().all() and est["unit"].notna().all()
    assert est["imposed_by"].notna().all()
    assert (s.loc[s["effective"].notna(), "effective"]
            >= s.loc[s["effective"].notna(), "announced"]).all()


def test_events_hold_the_markers_every_chart_draws():
    ev = sco.load("events")
    assert (ev.loc[ev["kind"] == "war", "date"] == INVASION).any()
    assert (ev["kind"] == "swift").any() and (ev["kind"] == "reserves").any()
    assert (ev.loc[ev["kind"] == "summit", "date"] == pd.Timestamp("2024-07-04")).any()


def test_rows_link_to_the_claims_the_charts_answer():
    for table, claims in [("trade", {"c06"}), ("energy", {"c05"}), ("currency", {"c13", "c14"}),
                          ("sanctions", {"c15", "c16"})]:
        assert claims <= set(sco.load(table)["claim_id"].dropna()), table


# -- trade chart ----------------------------------------------------------------------------
