"""The currency mix of Russia's export and import payments: one line per currency group."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.colors import to_hex

import sco_research as sco
from sco_research import charts
from sco_research.charts import _frames as fr
from sco_research.charts import _layout as lo
from sco_research.charts.settlement_mix import DISPUTED_NOTE
from sco_research.errors import ParameterError

from .helpers import all_text, check_common, line_points, point, scatter_points


def test_export_mix_draws_one_line_per_group_and_names_it():
    fig = charts.export_settlement_mix_chart("exports")
    rows = check_common(fig, charts.export_settlement_mix_rows("exports"), ["c13"],
                        "export_settlement_mix_rows", min_sources=3)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Share of Russia's export payments, percent"
    assert (rows["scope"] == "RUS-exports").all()
    cur = sco.load("currency")
    elsewhere = cur[(cur["series"] == "russia_export_settlement")
                    & (cur["scope"] != "RUS-exports")]
    for scope in set(elsewhere["scope"]):  # other scopes are counted, not drawn
        assert str(scope) in all_text(fig)
    main = rows[(rows["role"] == "main") & rows["disputed"].eq(False)]
    assert {point(r.plotted_at, r.value) for r in main.itertuples()} <= line_points(ax)
    assert {point(r.plotted_at, r.value) for r in rows.itertuples()} == scatter_points(ax)
    # each group is named once, at its latest figure; nothing is added up
    named = main[main["label"].notna()]
    assert sorted(named["currency"]) == sorted(set(main["currency"]))
    for rec in named.itertuples():
        assert any(t.get_text().startswith(rec.label) for t in ax.texts), rec.label
    assert ax.get_legend() is None or len(ax.get_legend().get_texts()) <= 8
    assert "rubles rose" in ax.get_title(loc="left").replace("\n", " ")


def test_import_mix():
    rows = charts.chart_rows("export_settlement_mix_chart", flow="imports")
    assert (rows["series"] == "russia_import_settlement").all()


def test_mix_headline_compares_periods_of_the_same_length():
    fig = charts.export_settlement_mix_chart("exports")
    title = fig.axes[0].get_title(loc="left").replace("\n", " ")
    rows = charts.chart_rows("export_settlement_mix_chart", flow="exports")
    length = dict(zip(rows["period"], rows["period_length"], strict=False))
    import re

    for a, b in re.findall(r"from [\d.]+% \(([^)]+)\) to [\d.]+% \(([^)]+)\)", title):
        assert length[a] == length[b], (a, b)


@pytest.mark.parametrize("kwargs, message", [
    ({"flow": "export"}, r"flow: unknown flow 'export'; did you mean 'exports'.*Allowed: "
                         r"'exports', 'imports'"),
    ({"start": "2019-01-01", "end": "2019-12-31"}, r"start, end: no exports settlement figures"
     r" between 2019-01-01 and 2019-12-31"),
])
def test_mix_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        charts.export_settlement_mix_rows(**kwargs)
    with pytest.raises(ParameterError, match=message):
        charts.export_settlement_mix_chart(**kwargs)


INTERFAX = "interfax-2025-09-15-toxic-currencies-july"


def _grey_points(ax) -> set[tuple[float, float]]:
    """The points of the scatter collections drawn hollow and grey (disputed figures)."""
    out = set()
    for coll in ax.collections:
        faces = coll.get_facecolors()
        if len(faces) and to_hex(faces[0]) == lo.DISPUTED_FACE:
            out |= {(round(float(x), 3), round(float(y), 6)) for x, y in coll.get_offsets()}
    return out


def test_the_disputed_rows_are_the_four_interfax_figures_of_june_and_july_2025():
    cur = sco.load("currency")
    tagged = cur[cur["note"].fillna("").str.startswith("[disputed]")]
    assert sorted(zip(tagged["currency"], tagged["period"], tagged["value"], strict=True)) == [
        ("RUB", "2025-06", 52.9), ("RUB", "2025-07", 55.1),
        ("friendly", "2025-06", 32.2), ("friendly", "2025-07", 30.2)]
    assert set(tagged["source_id"]) == {INTERFAX}


def test_the_july_2025_ruble_share_is_drawn_as_disputed_not_as_a_fact():
    rows = charts.export_settlement_mix_rows("exports")
    july = rows[(rows["currency"] == "RUB") & (rows["period"] == "2025-07")]
    # the only figure for July: kept as the period's row, and the rows say it is disputed
    assert list(zip(july["source_id"], july["value"], july["role"], july["disputed"],
                    strict=True)) == [(INTERFAX, 55.1, "main", True)]
    assert july["label"].isna().all()  # the line is named at an undisputed figure
    fig = charts.export_settlement_mix_chart("exports")
    ax = fig.axes[0]
    p = point(pd.Timestamp(july["plotted_at"].iloc[0]), 55.1)
    assert p in _grey_points(ax)
    assert p not in line_points(ax)  # joined to no line
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert lo.disputed_handle().get_label() in legend
    text = " ".join(all_text(fig).split())
    assert DISPUTED_NOTE in text
    assert "55.1" not in ax.get_title(loc="left")
    # every disputed row is grey; no undisputed one is
    disputed = rows[rows["disputed"].eq(True)]
    assert {point(r.plotted_at, r.value) for r in disputed.itertuples()} == _grey_points(ax)


def test_an_undisputed_row_for_the_same_period_wins():
    rows = charts.export_settlement_mix_rows("exports")
    june = rows[(rows["currency"] == "RUB") & (rows["period"] == "2025-06")]
    assert june.loc[june["source_id"] == INTERFAX, "role"].tolist() == ["other source"]
    assert not june.loc[june["role"] == "main", "disputed"].any()
    # the tag alone decides: untagged, the later Interfax page would win over TASS's
    cur = sco.load("currency")
    pair = cur[(cur["series"] == "russia_export_settlement") & (cur["currency"] == "RUB")
               & (cur["period"] == "2025-06") & cur["source_id"].isin(
                   [INTERFAX, "tass-ru-2025-08-15-ruble-exports-june-55-5"])]
    assert len(pair) == 2
    ranked = fr.mark_main(pair, ["currency", "period"]).set_index("source_id")["role"]
    assert ranked[INTERFAX] == "other source"
    untagged = pair.assign(note=pair["note"].str.removeprefix("[disputed] "))
    ranked = fr.mark_main(untagged, ["currency", "period"]).set_index("source_id")["role"]
    assert ranked[INTERFAX] == "main"


def test_the_report_table_of_the_mix_shows_which_rows_are_disputed():
    (item, _) = charts.currency_figures(["russia_export_settlement", "russia_import_settlement"],
                                        "2021-01-01", "today")["mix"]
    assert item.columns.index("disputed") == item.columns.index("role") + 1
    shown = item.rows.loc[item.rows["disputed"].eq(True), ["source_id", "period", "value"]]
    assert set(shown["source_id"]) == {INTERFAX} and len(shown) == 4
