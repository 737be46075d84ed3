"""What a run did: progress lines, the summary with failure details, interrupted reports; the
Task and Result records that cross processes."""

from __future__ import annotations

import dataclasses
import io
import pickle
from pathlib import Path

import pytest

from sco_research.errors import RenderError
from sco_research.reports.results import BatchResult, Outcome, Progress, Result, Task


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


# -- the records that cross processes ----------------------------------------------------------
def _task(**changes) -> Task:
    fields = dict(name="alpha", title="Alpha", notebook="/nb/a.ipynb", notebook_rel="a.ipynb",
                  parameters={"n": 3}, declared=[("n", "2")], inject_output_dir=True,
                  timeout=60.0, out="/out", data_dir="/data", cwd="/cwd",
                  rendered_at="2026-12-02T12:00:00+00:00", package_version="0.1.0",
                  data_version="abc")
    return Task(**{**fields, **changes})


def test_task_and_result_pickle_and_are_frozen():
    task = _task()
    result = Result("alpha", ok=True, figures=["figures/f.png"], files=b"tar")
    for record in (task, result):
        assert pickle.loads(pickle.dumps(record)) == record
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.name = "beta"
    assert task.as_dict()["declared"] == [("n", "2")] and task.as_dict()["output_cap"] is None
    assert "files" not in result.as_dict() and result.as_dict()["figures"] == ["figures/f.png"]


def test_a_result_dict_round_trips_and_an_unknown_key_is_refused():
    d = {"name": "alpha", "ok": False, "error": "boom", "reads": None, "figures": [],
         "thumbnail": None, "failed_ipynb": "alpha/alpha.failed.ipynb", "interrupted": False,
         "summary": "", "truncated": 0, "timings": {"execute": 1.0}, "kernel": "warm",
         "profile": None, "duration_s": 1.5}
    result = Result.from_dict(d)
    assert result.failed_ipynb == "alpha/alpha.failed.ipynb" and result.duration_s == 1.5
    assert {**result.as_dict(), "worker": None} == {**d, "worker": None}
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Result.from_dict({**d, "colour": "red"})
    stopped = Result.failed("alpha", "interrupted", interrupted=True)
    assert (stopped.ok, stopped.interrupted, stopped.duration_s) == (False, True, None)
