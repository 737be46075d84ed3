"""What a run did: progress lines, the summary with failure details, interrupted reports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sco_research.errors import RenderError
from sco_research.reports.results import BatchResult, Outcome, Progress


def test_progress_bar_on_a_terminal_and_lines_otherwise():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    p = Progress(2, tty, bar=True)
    p.running(["alpha", "beta"])
    p.finished(Outcome("alpha", "rendered", "never rendered", None, 1.0))
    p.finished(Outcome("beta", "failed", "never rendered", "boom", 1.0))
    p.close()
    text = tty.getvalue()
    assert "render" in text and "2/2" in text and "alpha, beta" in text
    assert "FAILED beta" in text and "done 1 failed 1" in text

    plain = io.StringIO()
    p = Progress(1, plain, bar=False)
    p.finished(Outcome("alpha", "rendered", "never rendered", None, 1.0))
    assert plain.getvalue() == "render: [1/1] ok     alpha (1.0 s) - never rendered\n"


def test_summary_carries_the_details_of_a_failure_and_names_interrupted_reports(tmp_path):
    error = ("cell [3] raised DataError: table 'trade' (data/trade.csv) failed validation with "
             "1 problem(s):\n  data/trade.csv row 4, field 'value': value 'x' breaks rule: "
             "type number")
    result = BatchResult([Outcome("trade", "failed", "never rendered", error, 2.0),
                          Outcome("map", "interrupted", "interrupted", "interrupted", None)],
                         Path(tmp_path), 3.0, interrupted=True)
    text = result.summary()
    assert "FAILED trade: cell [3] raised DataError: table 'trade'" in text
    assert "data/trade.csv row 4, field 'value': value 'x' breaks rule: type number" in text
    assert "INTERRUPTED map" in text and "1 report(s) stopped or not started" in text
    assert [o.name for o in result.stopped] == ["map"] and not result.ok
    with pytest.raises(RenderError, match=r"1 report\(s\) failed: trade"):
        result.raise_for_failures()
