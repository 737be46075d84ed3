"""Hover-to-source charts: their points, their refusals, and two of them on one page."""

from __future__ import annotations

import pandas as pd
import pytest

import sco_research as sco
from sco_research import charts, interactive
from sco_research.errors import DataError, ParameterError

from ._ipython import captured_display
from .browser import browser, open_offline, shot  # noqa: F401 - browser is a fixture


@pytest.fixture(scope="module")
def trade_rows() -> pd.DataFrame:
    return charts.chart_rows("trade_chart")


@pytest.fixture(scope="module")
def settlement_rows() -> pd.DataFrame:
    return charts.chart_rows("settlement_currency_chart")


def test_trade_points_state_values_as_their_sources_do(trade_rows):
    pts = interactive.trade_points(trade_rows)
    assert len(pts) == len(trade_rows)
    assert list(pts["url"]) == list(trade_rows["url"])
    assert list(pts["publisher"]) == list(trade_rows["publisher"])
    first = pts.iloc[0]
    row = trade_rows.iloc[0]
    assert first["value"] == f"{row['value']:g} {row['unit']}"
    assert first["period"] == f"{row['period']} (calendar year)"
    million = pts[trade_rows["unit"].eq("USD million").to_numpy()].iloc[0]
    assert million["value"] == "10686.85 USD million (drawn as 10.68685 USD billion)"
    assert million["group"] == "India: India's figures, fiscal years Apr-Mar"
    assert "official" in million["who"] or "India's trade figures" in million["who"]
    titles = sco.load("sources").set_index("source_id")["title"]
    assert list(pts["title"]) == [titles[s] for s in trade_rows["source_id"]]


def test_settlement_points_name_who_said_it(settlement_rows):
    pts = interactive.settlement_points(settlement_rows)
    assert len(pts) == len(settlement_rows)
    assert pts.loc[0, "who"] == "Mikhail Mishustin, 2023-05-24"
    assert pts.loc[0, "value"] == "70 percent"
    assert pts.loc[0, "period"] == "no period stated; drawn at the day it was said, 2023-05-24"
    silent = pts[settlement_rows["value"].isna().to_numpy()]
    assert len(silent) and set(silent["value"]) == {"no figure stated"}
    assert silent["y"].isna().all()


def test_rows_without_the_charts_columns_are_refused(trade_rows):
    with pytest.raises(DataError, match=r"^trade rows: the rows lack column\(s\) \['reporter'"):
        interactive.trade_html(trade_rows.drop(columns=["reporter"]))
    with pytest.raises(DataError, match=r"^settlement rows: no rows to draw"):
        interactive.settlement_html(charts.chart_rows("settlement_currency_chart").iloc[:0])
    with pytest.raises(ParameterError, match=r"^rows: list given for trade rows; give the "):
        interactive.trade_html([])


def test_a_point_without_its_source_is_never_drawn(trade_rows):
    bad = trade_rows.copy()
    bad.loc[3, "url"] = None
    with pytest.raises(DataError, match=r"^trade rows: row\(s\) 3 have no source_id or url; "
                                        r"every point must link to its source$"):
        interactive.trade_html(bad)


def test_publish_interactive_refuses_bad_input():
    with pytest.raises(ParameterError, match=r"^fragment: '' is not HTML; give the string of "):
        interactive.publish_interactive("", "x", "T")
    with pytest.raises(ParameterError, match=r"^title: '  ' is empty; give a one-line title$"):
        interactive.publish_interactive("<div></div>", "x", "  ")


def test_publish_interactive_displays_the_fragment_with_its_record(trade_rows):
    html = interactive.trade_html(trade_rows)
    with captured_display() as shown:
        record = interactive.publish_interactive(html, "trade-hover", "Hover a point")
    assert record == {"kind": "interactive", "name": "trade-hover", "title": "Hover a point"}
    assert shown == [({"text/html": html, "text/plain": "Hover a point"},
                      {"sco_research": record})]


def test_fragment_escapes_text_from_the_data(settlement_rows):
    rows = settlement_rows.copy()
    rows.loc[0, "stated_by"] = "<script>alert(1)</script>"
    html = interactive.settlement_html(rows)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_two_charts_on_one_page_offline(browser, tmp_path, trade_rows,  # noqa: F811
                                        settlement_rows):
    a = interactive.trade_html(trade_rows)
    b = interactive.settlement_html(settlement_rows)
    path = tmp_path / "two.html"
    path.write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>two"
                    f"</title></head><body>{a}{b}</body></html>", encoding="utf-8")
    visit = open_offline(browser, path, height=1000)
    try:
        page = visit.page
        page.wait_for_function("window.Bokeh && Bokeh.documents.length === 2", timeout=15_000)
        page.locator(".sco-points canvas").last.wait_for(timeout=15_000)
        assert page.locator(".sco-points canvas").count() >= 2
        assert page.evaluate("typeof SCOPoints") == "object"
        # BokehJS is inline in both fragments but runs once: it logs its start once
        assert sum("setting log level" in m for m in visit.messages) == 1
        # hover the last trade point: the panel names value, period, who and links the source
        charts_ = page.locator(".sco-points").all()
        uid = charts_[0].get_attribute("id")
        last = trade_rows.sort_values("plotted_at").iloc[-1]
        at = page.evaluate("""([uid, x, y]) => {
            const plot = Bokeh.documents.map(d => d.get_model_by_name(uid + '-plot'))
                                        .find(m => m);
            const view = Bokeh.index.get_one(plot);
            const c = view.canvas_view.el.getBoundingClientRect();
            return {x: c.left + view.frame.x_scale.compute(x),
                    y: c.top + view.frame.y_scale.compute(y)};
        }""", [uid, last["plotted_at"].timestamp() * 1000, float(last["plotted_value"])])
        page.mouse.move(at["x"], at["y"])
        panel = page.locator(f"#{uid}-details")
        panel.locator("a").wait_for(timeout=5000)
        text = panel.inner_text()
        assert f"{last['value']:g} {last['unit']}" in text
        assert str(last["period"]) in text
        assert panel.locator("a").get_attribute("href") == last["url"]
        assert panel.locator("a").inner_text() == last["publisher"]
        # the other chart's panel is untouched
        other = charts_[1].get_attribute("id")
        assert page.locator(f"#{other}-details").inner_text().startswith("Hover or tap")
        # every point is also listed, with its link, for keyboard users
        assert page.locator(f"#{uid}-table tbody tr").count() == len(trade_rows)
        shot(page, "interactive-two-charts")
    finally:
        visit.close()
    visit.assert_clean()


def test_points_leave_out_the_event_markers_of_a_figure_bundle():
    trade, *_ = charts.trade_figures(("CHN",), "2013-01-01", "today", "turnover")
    try:
        assert (trade.rows["role"] == "event marker").any()  # the bundle lists its markers
        data = trade.rows[trade.rows["role"] != "event marker"]
        assert len(interactive.trade_points(trade.rows)) == len(data)
    finally:
        trade.close()
