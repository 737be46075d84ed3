"""Notebooks 04 (trade) and 05 (currency): thin, clean, and what they publish."""

from __future__ import annotations

import pandas as pd
import papermill as pm
import pytest

import sco_research as sco

from ..conftest import run_notebook


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
        # thin: no code cell longer than a few lines, no chart logic in the notebook
        assert all(len(c.source.splitlines()) <= 10 for c in code[1:]), name
        assert "chart_rows(" not in "".join(c.source for c in code)


def test_trade_notebook_defaults(tmp_path):
    nb = run_notebook("04-trade.ipynb", tmp_path, output_dir=str(tmp_path / "figs"))
    assert sorted(p.name for p in (tmp_path / "figs").glob("*.png")) == [
        "energy-crude-oil.png", "trade-turnover.png"]
    text = outputs_text(nb)
    assert "c05" in text and "c06" in text
    assert "source_id" in text
    for name, rows in [("trade-turnover", sco.charts.trade_rows(["CHN", "IND"])),
                       ("energy-crude-oil", sco.charts.energy_rows(["CHN", "IND"]))]:
        csv = pd.read_csv(tmp_path / "figs" / f"{name}.csv")  # exactly the figure's rows, cited
        assert len(csv) == len(rows) and csv["url"].str.startswith("http").all()
        assert list(csv["source_id"]) == list(rows["source_id"])


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
