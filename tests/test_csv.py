"""Tests of sco_research._csv: no downloadable CSV carries a live spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

import sco_research as sco
from sco_research._csv import csv_text, safe_cell, safe_csv_bytes
from sco_research.publish import publish_table
from sco_research.reports.datapackage import copy_data_package

EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize("cell", [EVIL, "+1+2", "-1+cmd", "@SUM(A1)", "\tx", "\rx", "-"])
def test_cells_a_spreadsheet_would_run_are_quoted(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-12.5", "+3", "-1e-3", ".5", "12", "plain", "", "a=b"])
def test_numbers_and_plain_text_stay_as_they_are(cell):
    assert safe_cell(cell) == cell


def test_a_table_keeps_negative_numbers_as_numbers():
    text = csv_text(pd.DataFrame({"t": [EVIL, "ok"], "v": [-2.5, 3.0], "s": ["-4", "@x"]}))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["t", "v", "s"], ["'" + EVIL, "-2.5", "-4"], ["ok", "3.0", "'@x"]]


def test_a_clean_file_is_copied_byte_for_byte():
    raw = b"k,v\r\na,-1\r\n"
    assert safe_csv_bytes(raw) is raw


def _prefix(path, column: str, text: str) -> None:
    """Put ``text`` before the first row's ``column`` (the CSV quoted as it must be)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, column] = text + frame.loc[0, column]
    frame.to_csv(path, index=False, lineterminator="\n")


def _poisoned(default_copy):
    base = default_copy.base
    _prefix(base / "claims.csv", "claim", EVIL + " ")
    _prefix(base / "sources.csv", "title", EVIL + " ")
    return base


def test_published_tables_quote_formulas_from_the_data(default_copy, tmp_path):
    _poisoned(default_copy)
    out = tmp_path / "figures"
    publish_table(sco.load("sources"), "sources", out, show=False)
    publish_table(sco.load("claims"), "claims", out, show=False)
    for name, column in (("sources", "title"), ("claims", "claim")):
        with open(out / f"{name}.csv", newline="", encoding="utf-8") as fh:
            cells = [row[column] for row in csv.DictReader(fh)]
        assert any(c.startswith("'" + EVIL) for c in cells), name
        assert not any(c.startswith("=") for c in cells), name


def test_the_data_package_copy_quotes_formulas_and_keeps_numbers(default_copy, tmp_path):
    base = _poisoned(default_copy)
    info = copy_data_package(tmp_path / "out", base)
    with open(tmp_path / "out" / "data" / "claims.csv", newline="", encoding="utf-8") as fh:
        claims = list(csv.DictReader(fh))
    assert claims[0]["claim"].startswith("'" + EVIL)
    assert len(claims) == {t["name"]: t for t in info["data_tables"]}["claims"]["rows"]
    trade = (tmp_path / "out" / "data" / "trade.csv").read_bytes()
    assert trade == (base / "trade.csv").read_bytes()  # nothing to quote: the same bytes


def test_a_cell_over_128_kb_does_not_stop_the_copy(default_copy, tmp_path):
    base = default_copy.base
    _prefix(base / "claims.csv", "claim", "x" * 200_000)
    csv.field_size_limit(131072)  # the csv module's default
    info = copy_data_package(tmp_path / "out", base)
    rows = {t["name"]: t for t in info["data_tables"]}["claims"]["rows"]
    assert rows == len(pd.read_csv(base / "claims.csv"))
    assert csv.field_size_limit() == 131072  # the limit is raised only while reading
