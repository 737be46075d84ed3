"""Publishing a figure or table: files, metadata record, refusal of uncited rows."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

import sco_research as sco
from sco_research.errors import DataError, ParameterError
from sco_research.publish import format_value, publish_figure, publish_table

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
