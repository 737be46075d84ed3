"""Shared fixtures: Agg backend, a private cache, no network, broken copies of the data package."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from sco_research import paths  # noqa: E402
from sco_research.data import DataPackage  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Validation stamps go to a temporary folder, so every test session validates afresh."""
    cache = tmp_path_factory.mktemp("cache")
    old = paths.CACHE_DIR
    paths.CACHE_DIR = cache
    os.environ["SCO_RESEARCH_CACHE"] = str(cache)
    yield cache
    paths.CACHE_DIR = old


@pytest.fixture
def read_log(tmp_path, monkeypatch) -> Path:
    """A fresh read log: ``SCO_RESEARCH_READ_LOG`` points to it for the test's duration."""
    log = tmp_path / "reads.log"
    monkeypatch.setenv("SCO_RESEARCH_READ_LOG", str(log))
    return log


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A copy of the bundled data package (CSV files and descriptor) in a temporary folder."""
    dest = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, dest, ignore=shutil.ignore_patterns("geo"))
    return dest


@pytest.fixture
def default_copy(package_copy, monkeypatch) -> DataPackage:
    """The copied package installed as the bundled one: ``sco.load()`` and every chart, map and
    fact function read it for the test's duration. Edit its files through ``.base``."""
    from sco_research import data

    pkg = DataPackage(package_copy / "datapackage.json")
    monkeypatch.setattr(data, "_default", pkg)
    return pkg


def edit_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a CSV file (``count`` times); fail if ``old`` is absent."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.fixture
def broken(package_copy):
    """Factory: edit a table of the copied package and return a DataPackage over it."""

    def make(table: str, old: str, new: str) -> DataPackage:
        edit_csv(package_copy / f"{table}.csv", old, new)
        return DataPackage(package_copy / "datapackage.json")

    return make


NOTEBOOKS = paths.NOTEBOOKS_DIR


def run_notebook(name: str, tmp_path: Path, **parameters):
    """Execute a notebook with papermill in a real kernel; return the executed notebook.

    It uses the same papermill engine as ``sco-research render`` (no widget-frontend emulation,
    which can stall a headless run: jupyter/nbclient#312) and a cell timeout, so a stuck kernel
    fails the test instead of stalling the suite.
    """
    import papermill as pm

    from sco_research.reports import execute

    execute.register_engine()
    out = tmp_path / f"out-{name}"
    return pm.execute_notebook(
        str(NOTEBOOKS / name), str(out), parameters=parameters, kernel_name="python3",
        cwd=str(paths.PROJECT_ROOT), progress_bar=False, engine_name=execute.ENGINE_NAME,
        execution_timeout=300,
    )


def project_reports_config(folder: Path) -> Path:
    """The project's reports.yaml, rewritten into ``folder`` for a test render: notebook paths
    made absolute and each grid cut to its first value (one report per entry)."""
    import yaml

    doc = yaml.safe_load(paths.REPORTS_CONFIG.read_text(encoding="utf-8"))
    entries = []
    for e in doc["reports"]:
        e = {**e, "notebook": str(paths.PROJECT_ROOT / e["notebook"])}
        if "grid" in e:
            e["grid"] = {k: [str(v[0])] for k, v in e["grid"].items()}
        entries.append(e)
    cfg = Path(folder) / "reports.yaml"
    cfg.write_text(yaml.safe_dump({**doc, "reports": entries}), encoding="utf-8")
    return cfg
