"""What a notebook's parameters cell declares."""

from __future__ import annotations

from sco_research.reports import declared


def test_notebook_parameters_include_pep604_annotations(project):
    # papermill's inspect_notebook misses ``x: str | None = None`` (nteract/papermill#695).
    found = declared.notebook_parameters(project / "notebooks" / "reader.ipynb")
    assert list(found) == ["table", "output_dir", "fail"]
    assert found["output_dir"]["type"] == "str | None"
    assert found["table"] == {**found["table"], "type": "str", "default": '"a"'}
