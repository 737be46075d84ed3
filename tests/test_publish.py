"""Publishing a figure or table: files, metadata record, refusal of uncited rows."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

import sco_research as sco
from sco_research.errors import DataError, ParameterError
from sco_research.publish import TABLE_MIME, format_value, publish_figure, publish_table, table_html

SRC = "tempo-2024-07-04-eurasian-security-club"


def _fig(title="Trade rose") -> Figure:
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [1, 2])
    ax.set_title(title, loc="left")
    return fig


def test_figure_files_and_record(tmp_path):
    rows = pd.DataFrame({"value": [89.21, 1.0], "unit": ["USD billion"] * 2,
                         "source_id": [SRC, SRC]})
    rec = publish_figure(_fig(), rows, "trade", tmp_path, subtitle="Russia-China, by year",
                         show=False)
    assert rec["files"] == {"png": "trade.png", "svg": "trade.svg", "csv": "trade.csv"}
    assert rec["alt"] == "Trade rose. Russia-China, by year"
    assert rec["source_ids"] == [SRC] and rec["rows"] == 2
    csv = pd.read_csv(tmp_path / "trade.csv", dtype=str)
    assert list(csv["value"]) == ["89.21", "1"]  # as stated, no float noise
    assert set(csv.columns) >= {"source_id", "publisher", "url"}
    assert csv["url"].str.startswith("http").all()
    assert (tmp_path / "trade.png").read_bytes()[:4] == b"\x89PNG"
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_uncited_figure_is_refused_naming_figure_and_rows(tmp_path):
    rows = pd.DataFrame({"value": [1, 2, 3], "source_id": [SRC, None, ""]})
    with pytest.raises(DataError, match=r"^figure 'trade': row\(s\) 1, 2 have no source_id"):
        publish_figure(_fig(), rows, "trade", tmp_path, show=False)
    assert not list(tmp_path.iterdir())  # nothing published
    with pytest.raises(DataError, match=r"figure 'trade': the rows have no 'source_id' column"):
        publish_figure(_fig(), rows.drop(columns="source_id"), "trade", tmp_path, show=False)
    with pytest.raises(DataError, match=r"unknown source_id\(s\) \['nope'\]"):
        publish_figure(_fig(), rows.assign(source_id="nope"), "trade", tmp_path, show=False)


def test_bad_name_and_format_are_refused():
    rows = pd.DataFrame({"source_id": [SRC]})
    with pytest.raises(ParameterError, match=r"^name: '\.\./x' is not a file stem"):
        publish_figure(_fig(), rows, "../x", None, show=False)
    with pytest.raises(ParameterError, match=r"formats: unknown format 'jpg'"):
        publish_figure(_fig(), rows, "x", None, formats=("jpg",), show=False)


def test_table_csv_and_columns(tmp_path):
    quotes = sco.load("quotes")
    rec = publish_table(quotes, "quotes", tmp_path, columns=["quote_id", "quote", "source_id"],
                        show=False)
    assert rec["rows"] == len(quotes) and rec["files"] == {"csv": "quotes.csv"}
    csv = pd.read_csv(tmp_path / "quotes.csv")
    assert list(csv.columns) == ["quote_id", "quote", "source_id", "publisher", "url"]
    with pytest.raises(ParameterError, match=r"columns: unknown column 'nope'"):
        publish_table(quotes, "quotes", None, columns=["nope"], show=False)


def test_format_value():
    assert format_value(0.1 + 0.2) == "0.30000000000000004"  # shortest round-trip, not rounded
    assert format_value(pd.NA) == "" and format_value(pd.NaT) == ""
    assert format_value(pd.Timestamp("2024-07-04 10:30")) == "2024-07-04T10:30:00"
    assert format_value(["IND", "PAK"]) == "IND, PAK"
    import numpy as np

    assert format_value(np.float64(57.8)) == "57.8" and format_value(np.int64(5)) == "5"


def test_table_html_is_compact_like_the_pages():
    rows = pd.DataFrame({"year": [2020.0 + i for i in range(16)], "events": [None] * 16,
                         "note": ["<b>x</b>"] + [None] * 15, "source_id": [SRC] * 16},
                        index=range(100, 116))
    html = table_html(rows, caption="Years & notes")
    assert "<th>year</th><th>note</th><th>source</th>" in html  # blank 'events' column dropped
    assert "<td>2020</td><td>&lt;b&gt;x&lt;/b&gt;</td>" in html  # no float noise, escaped
    assert "<td>2021</td><td></td>" in html  # missing as blank
    assert ">100<" not in html  # no index column
    assert "<summary>Show all 16 rows</summary>" in html
    assert html.index("<details>") < html.index("<table")
    assert "<p><strong>Years &amp; notes</strong></p>" in html
    short = table_html(rows.head(15))
    assert "<details>" not in short and short.count("<tr>") == 16
    assert table_html(rows.head(0)).count("No rows.") == 1


def test_a_publish_call_shows_its_output_and_does_not_echo_its_record(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    from tests._ipython import captured_display

    echoed: list[dict] = []  # what the cell's last expression would show as Out[n]
    with captured_display() as shown:
        shell = InteractiveShell.instance()
        monkeypatch.setattr(shell.displayhook, "write_format_data",
                            lambda data, md=None: echoed.append(data))
        shell.user_ns["publish_table"], shell.user_ns["quotes"] = publish_table, sco.load("quotes")
        shell.run_cell("rec = publish_table(quotes, 'quotes', None, caption='Q')\nrec",
                       store_history=True).raise_error()
        same_cell = list(shown)
        shell.run_cell("rec", store_history=True).raise_error()
    assert echoed == []  # no Out[n]: the record is never echoed raw
    assert len(same_cell) == 1 and set(same_cell[0][0]) == {TABLE_MIME, "text/html",
                                                               "text/plain"}
    assert same_cell[0][1] == {"sco_research": dict(shell.user_ns["rec"])}
    assert shown[1:] == [({"text/plain": f"table quotes: {len(sco.load('quotes'))} rows, "
                                         "not saved"}, {})]


def test_a_chart_bundle_is_not_echoed_either():
    from sco_research import charts
    from sco_research.publish import PublishedList, publish_chart

    item = charts.currency_figures(["reserves_share_cofer"], "2016-01-01", "2024-12-31")
    records = publish_chart(item["shares"][0], None)
    assert isinstance(records, PublishedList) and [r["kind"] for r in records] == [
        "figure", "table"]
    assert records.summary().splitlines()[1].startswith("table ")


def test_shown_columns_narrow_the_display_not_the_csv(tmp_path):
    from tests._ipython import captured_display

    quotes = sco.load("quotes")
    with captured_display() as shown:
        publish_table(quotes, "quotes", tmp_path, columns=["quote_id", "quote", "source_id"],
                      shown_columns=["quote_id", "source_id"])
    data, _ = shown[0]
    assert data[TABLE_MIME]["columns"] == ["quote_id", "source_id"]
    assert "<th>quote</th>" not in data["text/html"]
    assert list(pd.read_csv(tmp_path / "quotes.csv").columns) == [
        "quote_id", "quote", "source_id", "publisher", "url"]
    with pytest.raises(ParameterError, match=r"^shown_columns: unknown column 'speaker'"):
        publish_table(quotes, "quotes", None, columns=["quote_id", "source_id"],
                      shown_columns=["speaker"], show=False)


def test_each_image_is_stored_once_the_notebook_shows_a_small_copy(tmp_path):
    import base64
    import io
    import re

    import matplotlib.pyplot as plt
    from PIL import Image

    from sco_research._plotting import DISPLAY_WIDTH

    from ._ipython import captured_display

    fig, ax = plt.subplots(figsize=(12, 6), layout="constrained")
    ax.plot([0, 1], [1, 2])
    ax.set_title("Trade rose", loc="left")
    rows = pd.DataFrame({"value": [1.0], "source_id": [SRC]})
    with captured_display() as shown:
        rec = publish_figure(fig, rows, "trade", tmp_path)
    with Image.open(tmp_path / "trade.png") as saved:
        assert rec["size"] == list(saved.size) and saved.width > 1700  # the full-size file
        assert saved.mode == "P"  # written with a palette
    (data, meta), = shown
    with Image.open(io.BytesIO(base64.b64decode(data["image/png"]))) as small:
        assert small.width == DISPLAY_WIDTH
        assert abs(small.height / small.width - rec["size"][1] / rec["size"][0]) < 0.01
    assert meta["sco_research"]["size"] == rec["size"]
    svg = (tmp_path / "trade.svg").read_text()
    paths = re.findall(r' d="([^"]*)"', svg)
    assert paths and not any(re.search(r"\.\d{3}", d) for d in paths)  # 1/100 pt at most
    # without an output folder nothing is saved: the notebook keeps the full image
    with captured_display() as shown:
        rec = publish_figure(_fig(), rows, "trade", None)
    assert "size" not in rec
    with Image.open(io.BytesIO(base64.b64decode(shown[0][0]["image/png"]))) as full:
        assert full.width > DISPLAY_WIDTH


def test_a_figure_published_twice_is_the_same_files(tmp_path):
    import matplotlib.pyplot as plt

    from sco_research import charts

    rows = charts.chart_rows("sanctions_timeline_chart")
    for folder in ("a", "b"):  # a chart pyplot has closed, with clip paths, labels and dates
        fig, _ = charts.chart_figure("sanctions_timeline_chart")
        plt.close(fig)
        publish_figure(fig, rows, "sanctions", tmp_path / folder, show=False)
    for ext in ("png", "svg", "csv"):
        a, b = (tmp_path / d / f"sanctions.{ext}" for d in ("a", "b"))
        assert a.read_bytes() == b.read_bytes(), ext
    assert b"<dc:date>" not in (tmp_path / "a" / "sanctions.svg").read_bytes()
