"""The figures of notebooks 04 and 05: arguments checked once, rows selected once, drawn as
selected; captions past the record; and the checks the notebooks call first."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

import sco_research as sco
from sco_research import charts
from sco_research.charts import currency, figures, settlement_mix
from sco_research.charts.figures import currency_figures, trade_figures
from sco_research.errors import ParameterError

WINDOW = ("2014-01-01", "2025-12-31")


def _counting(monkeypatch, module, name: str, calls: list) -> None:
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(f"{module.__name__}.{name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


def test_currency_figures_check_once_and_select_each_figure_once(monkeypatch):
    checks, selections = [], []
    _counting(monkeypatch, figures, "check_indicators", checks)
    _counting(monkeypatch, currency, "check_indicators", checks)
    _counting(monkeypatch, currency, "currency_rows", selections)
    _counting(monkeypatch, settlement_mix, "currency_rows", selections)
    figs = charts.currency_figures(charts.INDICATORS, *WINDOW)
    assert checks == ["sco_research.charts.figures.check_indicators"]
    # settlement, exports mix, imports mix, shares: one selection of the currency table each
    assert len(selections) == 4 == sum(len(v) for k, v in figs.items() if k != "sanctions")
    for items in figs.values():
        for item in items:
            item.close()


def test_each_bundle_holds_the_rows_of_its_row_function_and_the_chart_s_drawing():
    figs = charts.currency_figures(charts.INDICATORS, *WINDOW)
    expected = {
        "settlement-shares": (charts.settlement_currency_rows(
            charts.SETTLEMENT_INDICATORS, *WINDOW), charts.settlement_currency_chart(
            charts.SETTLEMENT_INDICATORS, *WINDOW)),
        "reserve-and-payment-shares": (charts.reserve_and_payment_shares_rows(
            charts.SHARE_INDICATORS, start=WINDOW[0], end=WINDOW[1]),
            charts.reserve_and_payment_shares_chart(charts.SHARE_INDICATORS, start=WINDOW[0],
                                                    end=WINDOW[1])),
        "sanctions-timeline": (charts.sanctions_timeline_rows(start=WINDOW[0], end=WINDOW[1]),
                               charts.sanctions_timeline_chart(start=WINDOW[0], end=WINDOW[1])),
        "settlement-mix-exports": (charts.export_settlement_mix_rows("exports", *WINDOW),
                                   charts.export_settlement_mix_chart("exports", *WINDOW)),
    }
    bundles = {f.name: f for items in figs.values() for f in items}
    for name, (rows, fig) in expected.items():
        pd.testing.assert_frame_equal(bundles[name].rows, rows)
        assert bundles[name].figure.axes[0].get_title(loc="left") == \
            fig.axes[0].get_title(loc="left"), name
        plt.close(fig)
    for item in bundles.values():
        item.close()


def test_trade_figures_draw_what_their_rows_say():
    trade, oil = charts.trade_figures(["CHN", "IND"], *WINDOW)
    pd.testing.assert_frame_equal(trade.rows, charts.trade_rows(["CHN", "IND"], *WINDOW))
    pd.testing.assert_frame_equal(oil.rows, charts.energy_rows(
        ["CHN", "IND"], "crude_oil", "volume", start=WINDOW[0], end=WINDOW[1]))
    trade.close()
    oil.close()


def test_drawing_functions_refuse_a_foreign_axes_like_the_charts():
    sel = currency.select_settlement(charts.SETTLEMENT_INDICATORS,
                                      *(pd.Timestamp(d) for d in WINDOW))
    with pytest.raises(ParameterError, match=r"^ax: "):
        currency.draw_settlement(sel, ax="not an axes")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: charts.check_currency_figures(["reserves"]), r"^indicators: unknown indicator "
                                                          r"'reserves'"),
    (lambda: charts.check_currency_figures(["reserves_share_cofer"], end="2999-01-01"),
     r"^end: '2999-01-01' is after today"),
    (lambda: charts.check_trade_figures(["USA"]), r"^partners: unknown partner 'USA'"),
    (lambda: charts.check_trade_figures(["CHN"], "2024-01-01", "2022-01-01"),
     r"^start: '2024-01-01' is after end '2022-01-01'"),
])
def test_the_notebook_checks_refuse_in_one_line(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_captions_past_the_record_say_later_figures_are_not_confirmed():
    through = sco.freshness.recorded_through("trade")
    late = trade_figures(("CHN",), end="today")
    early = trade_figures(("CHN",), end=through)
    try:
        shown = f"{through.day} {through:%B %Y}"
        assert late[0].caption == (
            f"The rows behind the trade chart. Figures after {shown} are not confirmed: the "
            f"trade record was checked for new facts through {shown} only.")
        assert [f.caption for f in early] == ["The rows behind the trade chart",
                                              "The rows behind the oil chart"]
    finally:
        for f in [*late, *early]:
            f.close()


def test_every_currency_section_says_it_past_the_record():
    figs = currency_figures(["reserves_share_cofer", "russia_export_settlement"],
                            "2016-01-01", pd.Timestamp.today())
    try:
        captions = [f.caption for section in figs.values() for f in section]
        assert captions and all("are not confirmed" in c for c in captions)
    finally:
        for section in figs.values():
            for f in section:
                f.close()
