"""Values in people's words on the pages: dates, times, lists, yes/no, and None per parameter."""

from __future__ import annotations

import ast
import datetime as dt
import json

import pytest

from sco_research import paths
from sco_research.reports.words import (
    NONE_MEANS,
    dates_in_words,
    day_words,
    time_words,
    value_words,
)


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
])
def test_value_words(name, value, words):
    assert value_words(name, value) == words


def test_times_and_dates_in_words():
    assert time_words("2026-12-02T06:42:29+00:00") == "2 December 2026, 06:42 UTC"
    assert time_words("2026-12-02T07:42:29+01:00") == "2 December 2026, 06:42 UTC"
    assert time_words("2026-12-02T06:42:29Z") == "2 December 2026, 06:42 UTC"
    assert time_words(None) == "" and time_words("not a time") == "not a time"
    assert day_words("2023-02-30") == "2023-02-30"  # not a day: left as written
    assert dates_in_words("Map on 2024-07-04, then 2025-09-01") == (
        "Map on 4 July 2024, then 1 September 2025")


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
                assert name in NONE_MEANS, f"{path.name}: {name} = None has no meaning in words"
