"""The currency mix of Russia's export and import payments: one line per currency group."""

from __future__ import annotations

import pytest

import sco_research as sco
from sco_research import charts
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
    main = rows[rows["role"] == "main"]
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
