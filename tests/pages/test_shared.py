"""Tests of sco_research.pages._shared: parameter values in the pages' words."""

from __future__ import annotations

import ast
import datetime as dt
import json

import pytest

from sco_research import pages, paths


@pytest.mark.parametrize(("name", "value", "words"), [
    ("as_of", "2017-06-09", "9 June 2017"),
    ("as_of", dt.date(2001, 6, 15), "15 June 2001"),
    ("end", "today", "today"),
    ("partners", ["CHN", "IND"], "CHN, IND"),
    ("dates", ["2017-06-09", "2024-07-04"], "9 June 2017, 4 July 2024"),
    ("highlight", [], "none"),
    ("labels", True, "yes"),
    ("explorer", False, "no"),
    ("theme", None, "all"),
    ("output_dir", None, "not saved"),
    ("dates", None, "each enlargement"),
    ("something_else", None, "none"),
    ("top", 10, "10"),
    ("flow", "turnover", "turnover"),
    ("top", 10.0, "10"),
    ("share", float("nan"), ""),
])
def test_value_words(name, value, words):
    assert pages.value_words(name, value) == words


def test_every_parameter_that_may_be_none_says_what_none_means():
    """Each notebook parameter whose default is None has its meaning, matching its comment."""
    for path in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        source = next("".join(c["source"]) for c in nb["cells"]
                      if "parameters" in c.get("metadata", {}).get("tags", []))
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and node.value.value is None:
                name = node.targets[0].id
                assert name in pages.NONE_MEANS, \
                    f"{path.name}: {name} = None has no meaning in words"
