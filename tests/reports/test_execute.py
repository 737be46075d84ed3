"""One report's run: the papermill engine, failure descriptions, widgets as static output."""

from __future__ import annotations

import nbformat

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
