"""Trade and currency charts: the data behind them, what they draw, and every bad parameter."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import papermill as pm  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402

import sco_research as sco  # noqa: E402
from sco_research import charts  # noqa: E402
from sco_research.errors import ParameterError  # noqa: E402

from .conftest import run_notebook  # noqa: E402

INVASION = pd.Timestamp("2022-02-24")


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


# -- helpers ------------------------------------------------------------------------------


def line_points(ax) -> set[tuple[float, float]]:
    """Every (x, y) drawn by the data lines of ``ax`` (dates as matplotlib numbers)."""
    pts = set()
    for line in ax.get_lines():
        xs, ys = line.get_xdata(), line.get_ydata()
        if len(xs) < 1 or line.get_linestyle() == "--" and len(xs) == 2 and xs[0] == xs[1]:
            continue
        for x, y in zip(mdates.date2num(list(xs)), ys, strict=True):
            if not (isinstance(y, float) and np.isnan(y)):
                pts.add((round(float(x), 3), round(float(y), 6)))
    return pts


def scatter_points(ax) -> set[tuple[float, float]]:
    pts = set()
    for coll in ax.collections:
        if isinstance(coll, PathCollection):
            for x, y in coll.get_offsets():
                pts.add((round(float(x), 3), round(float(y), 6)))
    return pts


def point(x, y) -> tuple[float, float]:
    return (round(float(mdates.date2num(pd.Timestamp(x))), 3), round(float(y), 6))


def vertical_lines(ax) -> set[pd.Timestamp]:
    out = set()
    for line in ax.get_lines():
        xs = line.get_xdata()
        if len(xs) == 2 and xs[0] == xs[1] and tuple(line.get_ydata()) == (0, 1):
            out.add(pd.Timestamp(mdates.num2date(mdates.date2num(xs[0]))).tz_localize(None)
                    .normalize())
    return out


def all_text(fig) -> str:
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return "\n".join(texts)


def claim_text(cid: str) -> str:
    return str(sco.load("claims").set_index("claim_id").loc[cid, "claim"])


def check_common(fig, claim_ids, *, min_sources: int = 1) -> pd.DataFrame:
    """What every chart carries: title, labelled axes, source line, callout, traceable rows."""
    ax = fig.axes[0]
    assert ax.get_title(loc="left").strip(), "a chart needs a title stating the finding"
    assert fig._sco_title.split()[0] in ax.get_title(loc="left")
    for a in fig.axes:
        if a.get_visible() and a.axison:
            assert a.get_ylabel(), "every panel has a y label"
    assert any(a.get_xlabel() for a in fig.axes), "the date axis is labelled"
    line = fig._sco_source_line
    assert "Source" in line and "chart_rows" in line
    assert line in all_text(fig)
    text = " ".join(all_text(fig).split())
    for cid in claim_ids:
        assert f"The article ({cid}" in text
        assert " ".join(claim_text(cid).split()) in text
    rows = charts.chart_rows(fig)
    assert len(rows) >= 1
    sources = sco.load("sources").set_index("source_id")
    assert rows["source_id"].isin(sources.index).all()
    assert rows["url"].notna().all()
    assert (rows["url"] == rows["source_id"].map(sources["url"])).all()
    assert rows["source_id"].nunique() >= min_sources
    events = charts.chart_rows(fig, events=True)
    assert events["url"].notna().all()
    return rows


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
        assert charts._period_span(p) is not None, p
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
        assert charts._period_span(p) is not None, p
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


def test_trade_chart_plots_every_row_and_states_the_finding():
    fig = charts.trade_chart(("CHN", "IND"), start="2013-01-01", end="2025-12-31")
    rows = check_common(fig, ["c05", "c06"], min_sources=5)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Trade turnover, USD billion"
    assert "India's fiscal years run April-March" in ax.get_xlabel()
    assert set(rows["partner_iso3"]) == {"CHN", "IND"}
    assert (rows["flow"] == "turnover").all()
    assert set(rows["plotted_unit"]) == {"USD billion"}  # one unit on the axis
    # USD million rows are rescaled, never anything else
    million = rows[rows["unit"] == "USD million"]
    assert len(million) and np.allclose(million["plotted_value"], million["value"] / 1000)
    assert (rows.loc[rows["unit"] == "USD billion", "plotted_value"]
            == rows.loc[rows["unit"] == "USD billion", "value"]).all()
    drawn_lines, drawn_dots = line_points(ax), scatter_points(ax)
    for rec in rows.itertuples():
        p = point(rec.plotted_at, rec.plotted_value)
        if rec.role == "main":
            assert p in drawn_lines, rec
        else:
            assert p in drawn_dots, rec
    labels = [h.get_label() for h in ax.get_lines() if not h.get_label().startswith("_")]
    assert "China: China's figures" in labels
    assert "India: India's figures, fiscal years Apr-Mar" in labels
    # the finding is computed: last pre-war year to the latest, for both partners
    china = rows[(rows["reporter"] == "CHN") & (rows["role"] == "main")]
    latest = china.sort_values("plotted_at").iloc[-1]
    assert fig._sco_title.startswith("From the last pre-war year to the latest")
    assert "with China" in fig._sco_title and "with India" in fig._sco_title
    assert f"{latest['plotted_value']:.4g} ({latest['period']}" in all_text(fig)
    assert "Not plotted: 1 figure(s)" in fig._sco_source_line  # the CNY trillion row


def test_trade_chart_marks_events_and_the_article_summit():
    fig = charts.trade_chart(("CHN",), start="2013-01-01", end="2025-12-31")
    ax = fig.axes[0]
    days = vertical_lines(ax)
    assert INVASION in days
    assert pd.Timestamp("2024-07-04") in days
    events = charts.chart_rows(fig, events=True)
    assert {"war", "swift", "reserves", "summit"} <= set(events["kind"])
    text = all_text(fig)
    assert "Full-scale invasion of Ukraine, 24 Feb 2022" in text
    assert "Astana SCO summit (the article), 4 Jul 2024" in text


def test_trade_chart_title_follows_the_window():
    fig = charts.trade_chart(("CHN",), start="2013-01-01", end="2019-12-31")
    assert fig._sco_title.startswith("Over the years shown")
    rows = charts.chart_rows(fig)
    first, last = rows.sort_values("plotted_at").iloc[[0, -1]]["period"]
    assert (first, last) == ("2013", "2019")


def test_trade_chart_exports_read_from_russia_side_and_other_currencies():
    rows = charts.chart_rows("trade_chart", partners=["CHN", "IND"], flow="exports")
    ok = ((rows["reporter"] == "RUS") & (rows["flow"] == "exports")) | (
        (rows["reporter"] != "RUS") & (rows["flow"] == "imports"))
    assert ok.all()
    fig = charts.trade_chart(["CHN"], currency="CNY")
    assert fig.axes[0].get_ylabel() == "Trade turnover, CNY trillion"
    assert set(charts.chart_rows(fig)["unit"]) == {"CNY trillion"}


def test_trade_chart_disagreeing_sources_are_both_drawn():
    rows = charts.chart_rows("trade_chart", partners=["CHN"], start="2013-01-01")
    dup = rows.groupby(["reporter", "period"]).size()
    assert (dup > 1).any(), "the data keep disagreeing figures as rows"
    for (reporter, period), n in dup[dup > 1].items():
        g = rows[(rows["reporter"] == reporter) & (rows["period"] == period)]
        assert (g["role"] == "main").sum() == 1 and len(g) == n


def test_trade_chart_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    out = charts.trade_chart(["IND"], ax=ax)
    assert out is fig and ax.get_ylabel().startswith("Trade turnover")
    assert ax.get_legend() is not None


@pytest.mark.parametrize("kwargs, message", [
    ({"partners": ("CHN", "USA")}, r"partners: unknown partner 'USA'.*Allowed: .*'CHN'"),
    ({"partners": ()}, r"partners: give at least one partner; allowed: .*'IND'"),
    ({"partners": 5}, r"partners: expected a string or a list of strings, got 5"),
    ({"flow": "export"}, r"flow: unknown flow 'export'; did you mean 'exports'.* Allowed: "
                         r"'turnover', 'exports', 'imports'"),
    ({"currency": "EUR"}, r"currency: unknown currency 'EUR' \(units of the selected "
                          r"turnover rows\).*Allowed: .*'USD'"),
    ({"start": "2013-13-01"}, r"start: cannot read '2013-13-01' as a date"),
    ({"start": "1999-01-01"}, r"start: '1999-01-01' is before the SCO was founded"),
    ({"end": 2020}, r"end: expected a date, got 2020 of type int"),
    ({"start": "2024-01-01", "end": "2020-01-01"}, r"start: '2024-01-01' is after end"),
    ({"start": "2030-01-01", "end": "2031-01-01"},
     r"start, end: no annual turnover figures for partners \('CHN', 'IND'\) between "
     r"2030-01-01 and 2031-01-01; allowed: a period overlapping 2013-07-02 to"),
    ({"ax": "left"}, r"ax: expected a matplotlib Axes or None, got 'left' of type str"),
])
def test_trade_chart_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.trade_chart(**kwargs)


# -- energy chart ---------------------------------------------------------------------------


def test_energy_chart_keeps_one_unit_and_rates_only_across_period_lengths():
    fig = charts.energy_chart(("CHN", "IND"), "crude_oil", "volume")
    rows = check_common(fig, ["c05"])
    assert fig.axes[0].get_ylabel() == "Russian crude oil, million barrels per day"
    assert set(rows["plotted_unit"]) == {"million barrels per day"}
    assert set(rows["unit"]) <= {"million barrels per day", "barrels per day"}
    bpd = rows[rows["unit"] == "barrels per day"]
    assert np.allclose(bpd["plotted_value"], bpd["value"] / 1e6)
    assert "million tonnes" in fig._sco_source_line  # counted as not plotted
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
def test_energy_chart_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.energy_chart(**kwargs)


# -- settlement shares ---------------------------------------------------------------------


def test_settlement_chart_labels_every_point_with_its_speaker():
    fig = charts.settlement_currency_chart()
    rows = check_common(fig, ["c13"], min_sources=5)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Share of settlements, percent"
    assert set(rows["series"]) <= set(charts.SETTLEMENT_INDICATORS)
    dots = scatter_points(ax)
    main = rows[rows["role"] == "main"]
    for rec in main.itertuples():
        assert point(rec.plotted_at, rec.value) in dots, rec
    labels = {t.get_text().split(" (")[0] for t in ax.texts}
    assert {charts._surname(s) for s in main["stated_by"]} <= labels
    silent = rows[rows["role"] == "statement without a figure"]
    assert len(silent) and silent["value"].isna().all()
    combined = main[main["currency"].isin(["RUB+CNY", "national"])
                    & (main["series"] == "russia_china_trade_settlement")]
    last = combined.sort_values("plotted_at").iloc[-1]
    assert f"to {last['value']:g}%" in fig._sco_title


def test_settlement_chart_one_indicator():
    rows = charts.chart_rows("settlement_currency_chart",
                             indicators="sco_trade_national_currencies")
    assert set(rows["series"]) == {"sco_trade_national_currencies"}


@pytest.mark.parametrize("kwargs, message", [
    ({"indicators": ["reserves_share_cofer"]}, r"indicators: unknown indicator "
     r"'reserves_share_cofer'.*Allowed: 'russia_china_trade_settlement', "
     r"'sco_trade_national_currencies'"),
    ({"indicators": []}, r"indicators: give at least one indicator; allowed: "),
    ({"start": "2015-02-01", "end": "2015-03-01"}, r"start, end: no settlement-share rows .* "
     r"between 2015-02-01 and 2015-03-01; allowed: a period overlapping"),
    ({"end": "31/12/2024"}, r"end: cannot read '31/12/2024' as a date"),
])
def test_settlement_chart_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.settlement_currency_chart(**kwargs)


# -- export settlement mix ------------------------------------------------------------------


def test_export_mix_stacks_each_source_and_leaves_the_rest_unstated():
    fig = charts.export_settlement_mix_chart("exports")
    rows = check_common(fig, ["c13"], min_sources=3)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Share of Russia's export payments, percent"
    assert (rows["scope"] == "RUS-exports").all()
    assert "RUS-foreign-trade" in fig._sco_source_line
    bars = [p for p in ax.patches if p.get_height() > 0]
    stacked = rows[rows["role"] == "stacked"]
    heights = sorted(round(p.get_height(), 6) for p in bars
                     if p.get_facecolor()[:3] != (1.0, 1.0, 1.0))
    assert heights == sorted(round(v, 6) for v in stacked["value"])
    # every bar (stacked figures plus the white 'not stated' part) ends at 100%
    for x, g in stacked.groupby("bar_at"):
        top = max(p.get_y() + p.get_height() for p in bars
                  if abs(mdates.date2num(x) - (p.get_x() + p.get_width() / 2)) < 1e-6)
        total = g["value"].sum()
        assert top == pytest.approx(100 if total < 99.5 else total)
    # a part of a stacked group (the yuan inside 'friendly' currencies) is overlaid, not stacked
    overlaid = rows[rows["role"] == "overlaid"]
    assert point(overlaid["bar_at"].iloc[0], overlaid["value"].iloc[0]) in scatter_points(ax)
    assert "rubles rose" in fig._sco_title


def test_import_mix():
    rows = charts.chart_rows("export_settlement_mix_chart", flow="imports")
    assert (rows["series"] == "russia_import_settlement").all()


@pytest.mark.parametrize("kwargs, message", [
    ({"flow": "export"}, r"flow: unknown flow 'export'; did you mean 'exports'.*Allowed: "
                         r"'exports', 'imports'"),
    ({"start": "2019-01-01", "end": "2019-12-31"}, r"start, end: no exports settlement figures"
     r" between 2019-01-01 and 2019-12-31"),
])
def test_export_mix_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.export_settlement_mix_chart(**kwargs)


# -- reserves and payments ------------------------------------------------------------------


def test_reserve_and_payment_shares_panels_lines_and_break():
    fig = charts.reserve_and_payment_shares_chart()
    rows = check_common(fig, ["c13", "c14"], min_sources=10)
    panels = [a for a in fig.axes if a.get_ylabel()]
    assert len(panels) == 3
    assert panels[0].get_ylabel().startswith("Share of allocated world FX reserves")
    assert panels[1].get_ylabel().startswith("Share of payments by value")
    for a, series in zip(panels[:2], ["reserves_share_cofer", "swift_payments_share"],
                         strict=True):
        drawn = line_points(a)
        main = rows[(rows["series"] == series) & (rows["role"] == "main")]
        assert set(main["currency"]) == {"USD", "EUR", "CNY"}
        for rec in main.itertuples():
            assert point(rec.plotted_at, rec.value) in drawn, rec
    # SWIFT's method change breaks the lines
    swift_lines = [ln for ln in panels[1].get_lines() if np.isnan(
        np.asarray(ln.get_ydata(), dtype=float)).any()]
    assert len(swift_lines) >= 1
    assert "SWIFT changed its method" in all_text(fig)
    statements = rows[rows["series"] == "payment_system"]
    assert len(statements) == len(sco.load("currency").query("series == 'payment_system'"))
    assert (statements["plotted_at"] == statements["stated_on"]).all()
    assert fig._sco_title.startswith("The US dollar still leads")


def test_reserve_chart_single_indicator_into_an_axes():
    fig, ax = plt.subplots()
    charts.reserve_and_payment_shares_chart(["reserves_share_cofer"], ["USD", "CNY"], ax=ax)
    rows = charts.chart_rows(fig)
    assert set(rows["currency"]) == {"USD", "CNY"}


@pytest.mark.parametrize("kwargs, message", [
    ({"indicators": ["cofer"]}, r"indicators: unknown indicator 'cofer'.*Allowed: "
     r"'reserves_share_cofer', 'swift_payments_share', 'payment_system'"),
    ({"currencies": ["USD", "GBP"]}, r"currencies: unknown currency 'GBP'.*Allowed: 'CNY', "
     r"'EUR', 'USD'"),
    ({"currencies": []}, r"currencies: give at least one currency"),
    ({"ax": "fake"}, r"ax: expected a matplotlib Axes"),
    ({"start": "2002-01-01", "end": "2003-01-01"}, r"start, end: no rows for"),
])
def test_reserve_chart_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.reserve_and_payment_shares_chart(**kwargs)


def test_reserve_chart_refuses_one_axes_for_several_panels():
    _, ax = plt.subplots()
    with pytest.raises(ParameterError, match=r"ax: this selection needs 3 panels"):
        charts.reserve_and_payment_shares_chart(ax=ax)


# -- sanctions ------------------------------------------------------------------------------


def test_sanctions_timeline_lanes_and_estimates_never_mix_units():
    fig = charts.sanctions_timeline_chart()
    rows = check_common(fig, ["c15", "c16"], min_sources=10)
    lanes = fig.axes[0]
    assert [t.get_text() for t in lanes.get_yticklabels()] == [
        "Other related\nmeasures", "Reserve\nimmobilisation", "SWIFT\ndisconnections"]
    assert [a.get_ylabel() for a in fig.axes[1:3]] == [
        "Estimate, USD billion", "Estimate, EUR billion"]
    for a, unit in zip(fig.axes[1:3], ["USD billion", "EUR billion"], strict=True):
        est = rows[(rows["role"] == "estimate") & (rows["unit"] == unit)]
        assert {point(r.announced, r.amount) for r in est.itertuples()} <= scatter_points(a)
    sanc = sco.load("sanctions")
    other_units = set(sanc.loc[sanc["measure"] == "reserve_estimate", "unit"].dropna()) - {
        "USD billion", "EUR billion"}
    for unit in other_units:  # estimates in other units are left off the axes, but said
        assert unit in fig._sco_source_line
    measures = rows[rows["role"] == "measure"]
    assert {point(r.announced, 0) for r in measures.itertuples()
            if r.measure == "other"} <= scatter_points(lanes)
    top_usd = rows.loc[rows["unit"] == "USD billion", "amount"].max()
    assert f"USD {top_usd:g}bn" in fig._sco_title


def test_sanctions_timeline_one_panel_into_an_axes():
    fig, ax = plt.subplots()
    charts.sanctions_timeline_chart(["swift_disconnection"], ax=ax)
    rows = charts.chart_rows(fig)
    assert set(rows["measure"]) == {"swift_disconnection"}


@pytest.mark.parametrize("kwargs, message", [
    ({"measures": ["freeze"]}, r"measures: unknown measure 'freeze'.*Allowed: "
     r"'swift_disconnection', 'reserve_immobilisation', 'reserve_estimate', 'other'"),
    ({"measures": []}, r"measures: give at least one measure"),
    ({"units": ["GBP billion"]}, r"units: unknown unit 'GBP billion' \(units of the estimates"
     r" in the window\).*Allowed: 'USD billion'"),
    ({"start": "2015-01-01", "end": "2016-01-01"}, r"start, end: no sanctions rows for "
     r"measures .* between 2015-01-01 and 2016-01-01; allowed: a period overlapping "
     r"2022-02-26 to"),
])
def test_sanctions_timeline_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.sanctions_timeline_chart(**kwargs)


# -- the rows behind a chart ----------------------------------------------------------------


def test_chart_rows_by_name_by_function_and_by_figure_agree():
    by_name = charts.chart_rows("sanctions_timeline_chart", start="2023-01-01")
    by_func = charts.chart_rows(charts.sanctions_timeline_chart, start="2023-01-01")
    fig = charts.sanctions_timeline_chart(start="2023-01-01")
    pd.testing.assert_frame_equal(by_name, by_func)
    pd.testing.assert_frame_equal(by_name, charts.chart_rows(fig))
    assert (by_name["announced"] >= pd.Timestamp("2023-01-01")).all()


def test_chart_rows_bad_parameters():
    with pytest.raises(ParameterError, match=r"chart: unknown chart 'trade'.*Allowed: "
                                             r"'trade_chart'"):
        charts.chart_rows("trade")
    with pytest.raises(ParameterError, match=r"chart: this figure was not made by "
                                             r"sco_research.charts"):
        charts.chart_rows(plt.figure())


def test_check_indicators_and_window():
    assert charts.check_indicators("payment_system") == ("payment_system",)
    with pytest.raises(ParameterError, match=r"indicators: unknown indicator 'reserve'\. "
                                             r"Allowed: 'russia_china_trade_settlement'"):
        charts.check_indicators(["reserve"])
    with pytest.raises(ParameterError, match=r"start: '2024-01-01' is after end"):
        charts.check_window("2024-01-01", "2023-01-01")


def test_importing_the_package_does_not_import_matplotlib():
    import subprocess
    import sys

    code = ("import sys, sco_research; sco_research.load('claims'); "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- notebooks ------------------------------------------------------------------------------


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            parts.append(str(data.get("text/html", "")) + str(data.get("text/plain", "")))
            parts.append(str(o.get("text", "")))
    return "\n".join(parts)


def test_notebooks_are_committed_without_outputs():
    import nbformat

    for name in ("04-trade.ipynb", "05-currency.ipynb"):
        nb = nbformat.read(sco.paths.NOTEBOOKS_DIR / name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", [])
        for line in code[0].source.splitlines():
            assert " = " in line and "  # " in line, line  # a typed literal with a comment
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)


def test_trade_notebook_defaults(tmp_path):
    nb = run_notebook("04-trade.ipynb", tmp_path, output_dir=str(tmp_path / "figs"))
    assert sorted(p.name for p in (tmp_path / "figs").glob("*.png")) == [
        "energy-crude-oil.png", "trade-turnover.png"]
    text = outputs_text(nb)
    assert "c05" in text and "c06" in text
    assert "source_id" in text
    for csv in ("trade-turnover.csv", "energy-crude-oil.csv"):  # each figure's rows, cited
        rows = pd.read_csv(tmp_path / "figs" / csv)
        assert len(rows) and rows["url"].str.startswith("http").all()


def test_trade_notebook_other_parameters(tmp_path):
    nb = run_notebook("04-trade.ipynb", tmp_path, partners=["KAZ"], start="2021-01-01",
                      end="2024-12-31", flow="turnover", output_dir=str(tmp_path / "figs"))
    assert sorted(p.name for p in (tmp_path / "figs").glob("*.png")) == ["trade-turnover.png"]
    assert "No energy rows for ['KAZ']" in outputs_text(nb)
    run_notebook("04-trade.ipynb", tmp_path, partners=["CHN"], flow="exports")


def test_trade_notebook_bad_partner_fails_clearly(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match=r"partners: unknown partner 'USA'"):
        run_notebook("04-trade.ipynb", tmp_path, partners=["USA"])


def test_currency_notebook_defaults(tmp_path):
    nb = run_notebook("05-currency.ipynb", tmp_path, output_dir=str(tmp_path / "figs"))
    assert sorted(p.name for p in (tmp_path / "figs").glob("*.png")) == [
        "reserve-and-payment-shares.png", "sanctions-timeline.png",
        "settlement-mix-exports.png", "settlement-shares.png"]
    text = outputs_text(nb)
    assert all(c in text for c in ("c13", "c14", "c15", "c16"))


def test_currency_notebook_other_parameters(tmp_path):
    nb = run_notebook("05-currency.ipynb", tmp_path,
                      indicators=["reserves_share_cofer", "russia_import_settlement"],
                      start="2016-01-01", end="2022-01-31", output_dir=str(tmp_path / "figs"))
    assert sorted(p.name for p in (tmp_path / "figs").glob("*.png")) == [
        "reserve-and-payment-shares.png", "settlement-mix-imports.png"]
    assert "No sanctions rows between 2016-01-01 and 2022-01-31" in outputs_text(nb)


def test_currency_notebook_bad_indicator_fails_clearly(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match=r"indicators: unknown indicator "
                                                         r"'dollar'"):
        run_notebook("05-currency.ipynb", tmp_path, indicators=["dollar"])
