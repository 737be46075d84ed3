import pandas as pd
import pytest

import sco_research as sco
from sco_research import charts, corroboration, fact_check, fact_check_views


def test_relays_count_once_and_their_origin_is_the_outlet_they_cite():
    ids = pd.Series(["vz-2026-01-20-mishustin-friendly-exports-86",
                     "lenta-2026-01-20-mishustin-friendly-exports-86",
                     "prime-2026-01-20-mishustin-friendly-86",
                     "reuters-2024-07-04-xi-putin-eurasian-security-club",
                     "pakistaninewspaperlist-2024-07-04-reuters-xi-putin-eurasia",
                     "xinhua-ru-2025-07-03-novak-friendly-82"])
    assert corroboration.origin(ids).tolist() == ["tass", "tass", "prime", "reuters", "reuters",
                                                  "xinhua"]


def test_mishustins_86_percent_has_two_independent_sources_not_three():
    f = corroboration.corroborate(sco.load("friendly_trade_share"), "friendly_trade_share")
    said = f[(f["stated_on"] == "2026-01-20") & (f["value"] == 86)]
    assert len(said) == 3
    assert set(said["independent_sources"]) == {2}
    assert not said["single_source"].any()
    vz = said.set_index("source_id").loc["vz-2026-01-20-mishustin-friendly-exports-86"]
    # the Lenta copy of the same TASS story is not named as corroboration of the VZ copy
    assert vz["corroborated_by"] == "PRIME (1prime.ru) (prime-2026-01-20-mishustin-friendly-86)"


def test_numbers_agree_to_the_precision_they_are_stated_in():
    e = corroboration.corroborate(sco.load("energy"), "energy")
    key = ((e["importer"] == "CHN") & (e["period"] == "2022") & (e["unit"] == "million tonnes")
           & (e["commodity"] == "crude_oil"))
    assert set(e.loc[key, "independent_sources"]) == {2}  # 86.25 (Reuters) and 86.2 (TASS)
    gas = e[(e["commodity"] == "pipeline_gas") & (e["period"] == "2022")]
    # 15.4 (Gazprom via TASS), 15.5 (Novak) and 15.1 disagree: each stands alone
    assert gas["single_source"].all()
    t = corroboration.corroborate(sco.load("trade"), "trade")
    kgz = t[(t["partner"] == "KGZ") & (t["period"] == "2022")]
    assert sorted(kgz["value"]) == [3.4, 3.5] and kgz["single_source"].all()


def test_undated_shares_match_only_the_same_statement():
    c = corroboration.corroborate(sco.load("currency"), "currency")
    belousov = c[c["source_id"] == "limnews-2023-11-20-belousov-95pct"].iloc[0]
    # Morgulov's 95% a year later is another statement, not a second source for this one
    assert belousov["single_source"]


def test_a_conversion_corroborates_nothing():
    rows = pd.DataFrame({"x": [1]})
    assert corroboration.is_conversion(pd.Series(["[conversion by Reuters] of x", "[x]"])
                                       ).tolist() == [True, False]
    with pytest.raises(ValueError, match=r"table: no figure keys for 'events'; allowed: "
                                         r"'trade', 'energy'"):
        corroboration.corroborate(rows, "events")


def test_chart_rows_carry_their_corroboration_and_titles_flag_single_sources():
    rows = charts.chart_rows("trade_chart", partners=("CHN",))
    data = rows[rows["table"] == "trade"]
    assert {"independent_sources", "corroborated_by", "single_source"} <= set(data.columns)
    assert (data["independent_sources"] >= 1).all()
    energy = charts.chart_rows("energy_chart", importers=("CHN",))
    e = energy[energy["table"] == "energy"]
    both = e[e["independent_sources"] >= 2]
    assert len(both) and both["corroborated_by"].str.len().gt(0).all()


def test_claim_pages_say_single_source_beside_the_numbers():
    md = fact_check_views.evidence_markdown("c06")
    assert "230 USD billion (single source)" in md
    assert "nearer 230 billion (c06.6, single source)" in md
    ev = fact_check.evidence()
    status = corroboration.evidence_corroboration(ev)
    assert set(status.index) == set(ev.loc[ev["table"].isin(list(corroboration.FIGURE_KEYS)),
                                           "evidence_id"])
    c05 = fact_check_views.evidence_markdown("c05")
    assert "86.2 million tonnes (also stated by The Strategist)" in c05


def test_figure_sources_and_single_source_note():
    f = corroboration.corroborate(sco.load("friendly_trade_share"), "friendly_trade_share")
    text = corroboration.figure_sources(f[f["period"] == "2025"])
    assert text.count("2 independent sources") == 3
    assert corroboration.single_source_note(f[f["period"] == "2025"]) is None
    assert corroboration.single_source_note(f[f["period"] == "2021"]) == "Single source: 44 (2021)."


@pytest.mark.parametrize("name", ["trade_chart", "energy_chart", "settlement_currency_chart",
                                  "export_settlement_mix_chart",
                                  "reserve_and_payment_shares_chart", "sanctions_timeline_chart"])
def test_every_number_a_chart_draws_finds_its_own_row(name):
    rows = charts.chart_rows(name)
    data = rows[rows["table"].isin(list(corroboration.FIGURE_KEYS))]
    number = data["amount"] if (data["table"] == "sanctions").all() else data["value"]
    assert len(data) and (data.loc[number.notna(), "independent_sources"] >= 1).all()
    assert (data.loc[number.isna(), "independent_sources"] == 0).all()
