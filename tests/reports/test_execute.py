"""One report's run: the papermill engine, failure descriptions, widgets as static output."""

from __future__ import annotations

import signal

import nbformat
import pytest

from sco_research import reports
from sco_research.reports import execute

from .conftest import make_notebook, run, write_config


def test_the_engine_is_registered_under_its_public_name():
    from papermill.engines import papermill_engines

    assert reports.register_engine() == reports.ENGINE_NAME == execute.ENGINE_NAME
    assert papermill_engines.get_engine(reports.ENGINE_NAME) is not None


def test_a_failure_is_one_line_then_its_details():
    class PapermillExecutionError(Exception):
        exec_count, ename = 4, "DataError"
        evalue = ("table 'x' failed validation with 2 problem(s):\n  row 1, field 'a'\n"
                  "  row 2, field 'b'")

    text = execute.describe_failure(PapermillExecutionError(), 10)
    assert text.splitlines() == ["cell [4] raised DataError: table 'x' failed validation with "
                                 "2 problem(s):", "  row 1, field 'a'", "  row 2, field 'b'"]
    assert execute.describe_failure(KeyboardInterrupt(), 10) == "interrupted"


def test_widget_output_is_kept_as_cell_output(project):
    # nbclient's Output-widget frontend emulation can miss a cell's reply (nbclient#312); the
    # renderer's engine turns it off, so what the widget shows stays in the cell's outputs.
    make_notebook(
        project / "notebooks" / "widget.ipynb", "label: str = 'inside the widget'",
        "import ipywidgets as w\nout = w.Output()\n"
        "with out:\n    out.clear_output(wait=True)\n    print(label)\n"
        "w.VBox([w.IntSlider(), out])",
    )
    write_config(project, "reports:\n  - name: widget\n    notebook: notebooks/widget.ipynb\n")
    assert run(project, jobs=1).ok
    nb = nbformat.read(str(project / "out" / "widget" / "widget.ipynb"), as_version=4)
    outputs = nb.cells[-1].outputs
    assert [o.output_type for o in outputs] == ["stream", "execute_result"]
    assert outputs[0].text == "inside the widget\n"
    assert "inside the widget" in (project / "out" / "widget" / "widget.html").read_text(
        encoding="utf-8")


def test_published_notebooks_name_no_folder_of_the_machine(project):
    write_config(project, "reports:\n  - name: good\n    notebook: notebooks/reader.ipynb\n"
                          "  - name: bad\n    notebook: notebooks/reader.ipynb\n"
                          "    parameters: {fail: true}\n")
    result = run(project)
    assert {o.name: o.action for o in result.outcomes} == {"good": "rendered", "bad": "failed"}
    out = project / "out"
    for path in (out / "good" / "good.ipynb", out / "bad" / "bad.failed.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert str(project) not in text and ".staging" not in text, path
        meta = nbformat.read(str(path), as_version=4).metadata["papermill"]
        assert meta["input_path"] == "notebooks/reader.ipynb"
        assert meta["output_path"] == path.name.replace(".failed", "")
        assert meta["parameters"]["output_dir"] == "figures"


class _DyingKernels:
    """papermill as the report sees it, whose kernels die before they answer: the first one
    forked warm (or cold, with ``first="cold"``), the next one started the ordinary way."""

    def __init__(self, first: str = "warm") -> None:
        self.first, self.calls = first, []

    def execute_notebook(self, *args, env, record, **kwargs):
        from types import SimpleNamespace

        from sco_research.reports import warm

        self.calls.append(env.get(warm.WARM_ENV))
        launch = self.first if len(self.calls) == 1 else "cold: turned off"
        record["manager"] = SimpleNamespace(launch=launch)  # what the kernel manager says
        raise RuntimeError("Kernel died before replying to kernel_info")


def _task(tmp_path):
    return {"name": "r", "parameters": {}, "inject_output_dir": False, "timeout": 30,
            "notebook": str(tmp_path / "r.ipynb"), "data_dir": str(tmp_path), "cwd": str(tmp_path)}


@pytest.mark.parametrize("first, calls", [("warm", [None, "0"]), ("cold: turned off", [None])])
def test_a_warm_kernel_that_dies_at_start_is_replaced_by_a_cold_one_once(
        tmp_path, monkeypatch, first, calls):
    fake = _DyingKernels(first)
    monkeypatch.setitem(execute._WORKER, "papermill", fake)
    monkeypatch.setitem(execute._WORKER, "pages", object())
    monkeypatch.delenv("SCO_RESEARCH_WARM_KERNELS", raising=False)
    stage = tmp_path / "stage"
    stage.mkdir()
    result = execute.run_report(_task(tmp_path), stage)
    assert fake.calls == calls  # retried once, and only a warm kernel, with warm kernels off
    assert result["ok"] is False
    assert "Kernel died before replying to kernel_info" in result["error"]
    if first == "warm":
        assert result["kernel"] == ("cold: the warm kernel died at start (Kernel died before "
                                    "replying to kernel_info)")
    else:
        assert result["kernel"] == "cold: turned off"


def test_papermill_writes_the_notebook_once_per_report(project, monkeypatch):
    # Not as each cell starts and ends (papermill's default): once, when the run is done.
    import papermill.engines
    import papermill.execute

    written: list[str] = []
    for module in (papermill.engines, papermill.execute):
        real = module.write_ipynb
        monkeypatch.setattr(module, "write_ipynb",
                            lambda nb, path, real=real: written.append(path) or real(nb, path))
    stage = project / "stage"
    stage.mkdir()
    task = {"name": "plain", "title": "Plain", "parameters": {"n": 4}, "declared": [],
            "notebook": str(project / "notebooks" / "plain.ipynb"), "cwd": str(project),
            "notebook_rel": "notebooks/plain.ipynb", "inject_output_dir": False, "timeout": 60,
            "out": str(project / "out"), "data_dir": str(project / "data"),
            "rendered_at": "now", "package_version": "0", "data_version": "0"}
    handler = signal.getsignal(signal.SIGINT)  # a worker ignores Ctrl-C; this test is not one
    try:
        result = execute.run_report(task, stage)
    finally:
        signal.signal(signal.SIGINT, handler)
    assert result["ok"], result["error"]
    assert written == [str(stage / "plain.ipynb")]
