"""Fixtures of the renderer's tests: throwaway notebooks, a throwaway data folder, a config.

The notebooks start a kernel in a second or so. The ``reader`` notebook logs the data file it
reads to ``SCO_RESEARCH_READ_LOG`` the way the data loader does (``#trace``, then one absolute
path per line), so the cache sees which report read which file.
"""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sco_research.reports import batch, cache

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
       "rkJggg==")
CODE_MARKER = "CODE_MUST_NOT_APPEAR_IN_HTML"

#: What the data loader does on every load (the reader notebook does it by hand).
LOG_READ = (
    "def log_read(path):\n"
    "    log = os.environ.get('SCO_RESEARCH_READ_LOG')\n"
    "    if log:\n"
    "        with open(log, 'a', encoding='utf-8') as fh:\n"
    "            if fh.tell() == 0:\n"
    "                fh.write('#trace\\n')\n"
    "            fh.write(os.path.abspath(path) + '\\n')\n"
)


def make_notebook(path: Path, parameters: str, *cells: str, title: str = "A report") -> Path:
    """A notebook: a title, a cell tagged ``parameters``, then ``cells`` (code)."""
    nb = new_notebook()
    pcell = new_code_cell(parameters)
    pcell.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell(f"# {title}\n\nWhat the {title} report shows."), pcell,
                *(new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Throwaway notebooks and a throwaway data folder (two CSV tables and a descriptor)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("k,v\na,1\n", encoding="utf-8")
    (data / "b.csv").write_text("k,v\nb,2\n", encoding="utf-8")
    (data / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "a", "path": "a.csv"}, {"name": "b", "path": "b.csv"}]}), encoding="utf-8")
    nbs = tmp_path / "notebooks"
    make_notebook(
        nbs / "reader.ipynb",
        'table: str = "a"  # which CSV to print\noutput_dir: str | None = None\n'
        "fail: bool = False",
        "import base64, os, pathlib\n"
        f"{CODE_MARKER} = 1\n" + LOG_READ
        + "path = os.path.join(os.environ['SCO_RESEARCH_DATA'], table + '.csv')\n"
        "log_read(path)\nprint(open(path).read())",
        f"if output_dir:\n    pathlib.Path(output_dir, 'figure.png').write_bytes("
        f"base64.b64decode({PNG!r}))",
        "if fail:\n    raise ValueError('asked to fail')",
        title="Reader",
    )
    make_notebook(
        nbs / "plain.ipynb", "n: int = 2",
        "from IPython.display import Image, display\nimport base64\n"
        f"display(Image(data=base64.b64decode({PNG!r})))\nprint('n squared is', n * n)",
        title="Plain",
    )
    make_notebook(nbs / "boom.ipynb", "x = 1", "raise RuntimeError('this notebook always fails')")
    make_notebook(nbs / "sleepy.ipynb", "seconds: float = 60", "import time\ntime.sleep(seconds)")
    return tmp_path


@pytest.fixture
def steady_library(monkeypatch):
    """Pin the library's digest: a change elsewhere in sco_research/ must not re-run reports
    between two renders of one test (tests/reports/test_cache.py covers that case)."""
    monkeypatch.setattr(cache, "library_digest", lambda: "pinned")


def write_config(project: Path, text: str, name: str = "reports.yaml") -> Path:
    path = project / name
    path.write_text(text, encoding="utf-8")
    return path


BASIC = """\
reports:
  - name: "read-{table}"
    title: "Table {table}"
    notebook: notebooks/reader.ipynb
    grid:
      table: [a, b]
  - name: plain
    title: Plain report
    notebook: notebooks/plain.ipynb
    parameters:
      n: 3
"""


def run(project: Path, *names: str, config: Path | None = None, **kw) -> batch.BatchResult:
    stream = io.StringIO()
    result = batch.render(
        names, config=config or project / "reports.yaml", out=kw.pop("out", project / "out"),
        data_dir=project / "data", jobs=kw.pop("jobs", 2), progress=False, stream=stream, **kw
    )
    result.log = stream.getvalue()  # type: ignore[attr-defined]
    return result


def manifest(project: Path) -> dict:
    return json.loads((project / "out" / "manifest.json").read_text(encoding="utf-8"))


def actions(result: batch.BatchResult) -> dict[str, str]:
    return {o.name: o.action for o in result.outcomes}


# -- doing something beside a render, on events and generous budgets ---------------------------
#: Generous: a report of these tests takes seconds; a loaded machine may take many times more.
BUDGET = 300.0


class Beside(threading.Thread):
    """Run ``job`` beside the render; :meth:`result` re-raises its failure in the test."""

    def __init__(self, job) -> None:
        super().__init__(daemon=True)
        self.job, self.error = job, None

    def run(self) -> None:
        try:
            self.job()
        except BaseException as exc:  # handed to the test by result()
            self.error = exc

    def result(self) -> None:
        self.join(BUDGET)
        assert not self.is_alive(), "the helper thread did not finish"
        if self.error is not None:
            raise self.error


def until(check, what: str):
    """Wait (on a condition polled with a generous budget) until ``check()`` is true; return
    what it returned."""
    done = threading.Event()
    for _ in range(int(BUDGET * 10)):
        found = check()
        if found:
            return found
        done.wait(0.1)
    raise AssertionError(f"never happened within {BUDGET:g} s: {what}")
