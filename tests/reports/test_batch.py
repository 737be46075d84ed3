"""The whole run with real kernels: cache and skips, failures, the index and manifest, Ctrl-C.

Throwaway notebooks (see conftest.py); one test renders the project's own reports.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from sco_research import cli, paths
from sco_research.errors import ParameterError
from sco_research.reports import batch

from .conftest import BASIC, CODE_MARKER, actions, make_notebook, manifest, run, until, write_config


def test_render_writes_reports_index_and_manifest_then_skips_and_tracks_data(project,
                                                                            steady_library):
    write_config(project, BASIC)
    out = project / "out"
    first = run(project)
    assert first.ok, first.summary()
    assert actions(first) == {"read-a": "rendered", "read-b": "rendered", "plain": "rendered"}
    assert "render: [3/3] ok" in first.log  # plain lines when not on a terminal

    doc = manifest(project)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert [e["name"] for e in doc["reports"]] == ["read-a", "read-b", "plain"]
    for e in doc["reports"]:
        assert e["status"] == "ok" and e["action"] == "rendered" and e["error"] is None
        for key in ("html", "ipynb", "thumbnail", *e["figures"]):
            path = e.get(key, key)
            assert (out / path).is_file(), path
            assert f'href="{path}"' in index or f'src="{path}"' in index
        assert e["figures"], e
        assert e["title"] in index
        assert e["summary"].startswith("What the ") and e["summary"] in index
        assert e["versions"]["pandas"] and e["versions"]["sco-research"]
    assert doc["package_version"] and doc["data_version"]
    assert doc["explorer"] == "explorer.html" and (out / "explorer.html").is_file()
    assert 'href="explorer.html"' in index  # the index links the membership explorer
    explorer_stamp = (out / "explorer.html").stat().st_mtime_ns
    a = doc["reports"][0]
    assert a["figures"] == ["read-a/figures/figure.png"]  # saved into output_dir
    assert a["reads"] == ["a.csv"] and doc["reports"][1]["reads"] == ["b.csv"]
    assert doc["reports"][2]["figures"] == ["plain/figures/output-01.png"]  # from the outputs

    page = (out / "read-a" / "read-a.html").read_text(encoding="utf-8")
    assert CODE_MARKER not in page  # code-free
    assert "k,v" in page  # outputs kept
    # the parameter, in the page's parameters table, in words (no Python quotes)
    assert re.search(r"<td><code>table</code></td>\s*<td>a</td>", page)
    assert re.search(r"<td><code>fail</code></td>\s*<td>no</td>\s*<td>notebook default</td>",
                     page)  # ``fail`` shown with its default, False in words
    executed = nbformat.read(str(out / "read-a" / "read-a.ipynb"), as_version=4)
    assert any(CODE_MARKER in c.source for c in executed.cells)
    assert not list((out / ".staging").iterdir())

    # A second run with nothing changed runs nothing and rewrites no report.
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.html") if p.parent != out}
    second = run(project)
    assert actions(second) == {"read-a": "skipped", "read-b": "skipped", "plain": "skipped"}
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert (out / "explorer.html").stat().st_mtime_ns == explorer_stamp  # not rebuilt
    assert {e["action"] for e in manifest(project)["reports"]} == {"skipped"}

    # Changing a data file re-runs only the report that read it (the loader logged its reads).
    with (project / "data" / "b.csv").open("a", encoding="utf-8") as fh:
        fh.write("c,3\n")
    third = run(project)
    assert actions(third) == {"read-a": "skipped", "read-b": "rendered", "plain": "skipped"}
    assert next(o for o in third.outcomes if o.name == "read-b").reason == \
        "data changed: b.csv"
    assert "c,3" in (out / "read-b" / "read-b.html").read_text(encoding="utf-8")

    # A file the loader does not log (not a table of the package) re-runs everything.
    (project / "data" / "extra.parquet").write_bytes(b"x")
    assert set(actions(run(project, "read-a", "plain")).values()) == {"rendered"}
    assert manifest(project)["reports"][1]["status"] == "outdated"  # not selected this time

    # --force re-runs even unchanged reports; selecting by name runs only those.
    forced = run(project, "plain", force=True)
    assert actions(forced) == {"plain": "rendered"}
    assert forced.outcomes[0].reason == "forced (--force)"


def test_failures_are_isolated_and_keep_the_last_good_page(project, capsys, monkeypatch,
                                                           steady_library):
    monkeypatch.setattr(paths, "DATA_DIR", project / "data")  # what the CLI reads
    cfg = write_config(project, BASIC, "good.yaml")
    out = project / "out"
    assert run(project, "read-a", "read-b", config=cfg).ok
    good = (out / "read-b" / "read-b.html").read_bytes()

    # read-b now gets a parameter set its notebook rejects; 'boom' always raises.
    bad = write_config(project, """\
reports:
  - name: read-a
    notebook: notebooks/reader.ipynb
    parameters: {table: a}
  - name: read-b
    notebook: notebooks/reader.ipynb
    parameters: {table: b, fail: true}
  - name: plain
    notebook: notebooks/plain.ipynb
  - name: boom
    notebook: notebooks/boom.ipynb
""")
    rc = cli.main(["render", "--config", str(bad), "--out", str(out), "--jobs", "2"])
    assert rc == 1
    stdout = capsys.readouterr().out
    assert "2 failed" in stdout
    assert "FAILED read-b: cell [5] raised ValueError: asked to fail" in stdout
    assert "FAILED boom: cell [2] raised RuntimeError: this notebook always fails" in stdout
    assert "last good HTML kept: " in stdout and "no earlier good HTML" in stdout

    assert (out / "read-b" / "read-b.html").read_bytes() == good  # never overwritten
    partial = nbformat.read(str(out / "read-b" / "read-b.failed.ipynb"), as_version=4)
    assert any(o.get("ename") == "ValueError" for c in partial.cells for o in c.get("outputs", []))
    assert (out / "boom" / "boom.failed.ipynb").is_file()
    assert not (out / "boom" / "boom.html").exists()
    assert (out / "plain" / "plain.html").is_file()  # the others rendered

    doc = {e["name"]: e for e in manifest(project)["reports"]}
    assert doc["read-b"]["status"] == "failed"
    assert doc["read-b"]["html"] == "read-b/read-b.html"  # the last good page
    assert doc["read-b"]["failed_ipynb"] == "read-b/read-b.failed.ipynb"
    # The card shows the parameters of the page it links to; the failed run's apart.
    assert doc["read-b"]["parameters"] == {"table": "b"}
    assert doc["read-b"]["attempt_parameters"] == {"table": "b", "fail": True}
    assert doc["boom"]["html"] is None and doc["plain"]["status"] == "ok"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "cell [5] raised ValueError: asked to fail" in index
    assert 'href="read-b/read-b.failed.ipynb"' in index

    # Back to the parameters of the last good render: nothing to run, the failure is cleared.
    (out / "read-b" / "read-b.failed.log").write_text("old kernel log\n", encoding="utf-8")
    result = run(project, "read-b", config=cfg)
    assert actions(result) == {"read-b": "skipped"}, result.outcomes
    assert not (out / "read-b" / "read-b.failed.ipynb").exists()
    assert not (out / "read-b" / "read-b.failed.log").exists()  # stale log gone too
    entry = manifest(project)["reports"][1]
    assert entry["status"] == "ok" and entry["attempt_parameters"] is None


def test_data_error_details_reach_the_summary_the_index_and_the_manifest(project):
    make_notebook(project / "notebooks" / "bad-data.ipynb", "x = 1",
                  "from sco_research.errors import DataError\n"
                  "raise DataError(\"table 'a' (data/a.csv) failed validation with 1 "
                  "problem(s):\\n  data/a.csv row 2, field 'v': value 'x' breaks rule: type "
                  "integer\")")
    write_config(project, "reports:\n  - name: bad\n    notebook: notebooks/bad-data.ipynb\n")
    result = run(project, jobs=1)
    detail = "data/a.csv row 2, field 'v': value 'x' breaks rule: type integer"
    assert result.outcomes[0].action == "failed"
    assert result.outcomes[0].error.startswith("cell [2] raised DataError: table 'a'")
    assert detail in result.summary()
    assert detail in manifest(project)["reports"][0]["error"]
    import html

    index = (project / "out" / "index.html").read_text(encoding="utf-8")
    assert detail not in index  # escaped on the page ...
    assert detail in html.unescape(index)  # ... and all there


def test_a_hung_report_is_stopped_by_its_timeout(project):
    write_config(project, """\
reports:
  - name: sleepy
    notebook: notebooks/sleepy.ipynb
    timeout: 1.5
  - name: plain
    notebook: notebooks/plain.ipynb
""")
    result = run(project, jobs=1)
    outcome = {o.name: o for o in result.outcomes}
    assert outcome["plain"].action == "rendered"
    assert outcome["sleepy"].action == "failed"
    assert outcome["sleepy"].error.startswith("timed out: still running after its 1.5 s budget")
    assert (project / "out" / "sleepy" / "sleepy.failed.ipynb").is_file()
    assert "FAILED sleepy" in result.summary()
    with pytest.raises(batch.RenderError, match="1 report\\(s\\) failed: sleepy"):
        result.raise_for_failures()


@pytest.mark.parametrize(("kw", "match"), [({"jobs": 0}, "jobs: expected a positive whole"),
                                           ({"timeout": -2}, "timeout: expected a positive")])
def test_bad_arguments(project, kw, match):
    write_config(project, BASIC)
    with pytest.raises(ParameterError, match=match):
        run(project, **kw)


def test_big_outputs_are_capped_in_the_page_and_the_notebook(project, monkeypatch):
    make_notebook(project / "notebooks" / "loud.ipynb", "n: int = 300_000",
                  "print('z' * n)")
    write_config(project, "reports:\n  - name: loud\n    notebook: notebooks/loud.ipynb\n")
    monkeypatch.setattr(batch.Batch, "task", _with_cap(batch.Batch.task, 1000))
    assert run(project, jobs=1).ok
    page = (project / "out" / "loud" / "loud.html").read_text(encoding="utf-8")
    assert "output truncated by sco-research render: 300,001 characters" in page
    assert len(page) < 50_000
    nb = json.loads((project / "out" / "loud" / "loud.ipynb").read_text(encoding="utf-8"))
    assert "output truncated" in "".join(nb["cells"][-1]["outputs"][0]["text"])
    assert manifest(project)["reports"][0]["truncated_outputs"] == 1


def _with_cap(task, cap):
    def patched(self, report):
        return dataclasses.replace(task(self, report), output_cap=cap)

    return patched


# ---------------------------------------------------------------------------------------------
# interrupts and kills (the command in a subprocess)
# ---------------------------------------------------------------------------------------------
def _start(project: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "SCO_RESEARCH_DATA": str(project / "data"),
           "PYTHONPATH": str(paths.PROJECT_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "sco_research.cli", "render", "--config",
         str(project / "reports.yaml"), "--out", str(project / "out"), *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for(check, what: str, tries: int = 0) -> None:
    """Wait on ``check`` with the generous budget of :func:`until` (``tries`` is ignored: a
    count of polls would depend on the machine's speed)."""
    until(check, what)


def test_ctrl_c_stops_running_reports_cancels_queued_ones_and_exits_130(project):
    for n in (2, 3):
        shutil.copy(project / "notebooks" / "sleepy.ipynb", project / "notebooks" /
                    f"sleepy{n}.ipynb")
    write_config(project, """\
reports:
  - name: plain
    notebook: notebooks/plain.ipynb
  - name: sleepy
    notebook: notebooks/sleepy.ipynb
  - name: sleepy2
    notebook: notebooks/sleepy2.ipynb
  - name: sleepy3
    notebook: notebooks/sleepy3.ipynb
""")
    out = project / "out"
    proc = _start(project, "--jobs", "2")
    try:
        _wait_for(lambda: (out / "plain" / "plain.html").exists()
                  and len(list((out / ".staging").glob("sleepy*~new~*/.kernel.log"))) >= 2,
                  "plain rendered and two sleepy reports running", tries=3000)
        proc.send_signal(signal.SIGINT)
        # Queued reports never start; running ones stop: far less than one 60 s sleep.
        stdout, _ = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == 130
    doc = {e["name"]: e for e in manifest(project)["reports"]}
    assert doc["plain"]["status"] == "ok"
    stopped = [n for n in ("sleepy", "sleepy2", "sleepy3") if doc[n]["action"] == "interrupted"]
    assert stopped == ["sleepy", "sleepy2", "sleepy3"], doc
    assert all(doc[n]["status"] == "interrupted" for n in stopped)
    assert stdout.count("INTERRUPTED") == 3
    never_started = [n for n in stopped if "before it started" in doc[n]["reason"]]
    assert len(never_started) == 1
    assert not (out / never_started[0]).exists()
    assert not any((out / n / f"{n}.html").exists() for n in stopped)
    assert not list((out / ".staging").iterdir())


def _descendants(pid: int) -> list:
    import psutil

    return psutil.Process(pid).children(recursive=True)


def _snapshot(out: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def test_a_killed_render_leaves_no_worker_and_no_writer_behind(project):
    make_notebook(project / "notebooks" / "ticker.ipynb",
                  "output_dir: str | None = None",
                  "import pathlib, time\nfor i in range(600):\n"
                  "    pathlib.Path(output_dir, f'tick-{i}.txt').write_text(str(i))\n"
                  "    time.sleep(0.1)")
    write_config(project, "reports:\n  - name: ticker\n    notebook: notebooks/ticker.ipynb\n"
                          "  - name: sleepy\n    notebook: notebooks/sleepy.ipynb\n")
    out = project / "out"
    proc = _start(project, "--jobs", "2")
    family: list = []
    try:
        _wait_for(lambda: list((out / ".staging").glob("ticker~new~*/figures/tick-5.txt")),
                  "the ticker report writing", tries=3000)
        _wait_for(lambda: len(_descendants(proc.pid)) >= 4, "two workers with their kernels",
                  tries=3000)
        family = _descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)

        def gone() -> bool:
            return not [p for p in family if p.is_running() and p.status() != "zombie"]

        _wait_for(gone, "every worker and kernel gone after the render was killed", tries=50)
        before = _snapshot(out)
        time.sleep(1.5)  # the ticker wrote every 0.1 s: nothing may have written since
        assert _snapshot(out) == before
    finally:  # whatever happened, leave no process of this test behind
        proc.kill()
        for p in family:
            with contextlib.suppress(Exception):
                p.kill()


# ---------------------------------------------------------------------------------------------
# the project's own reports
# ---------------------------------------------------------------------------------------------
def test_project_reports_yaml_lists_every_notebook():
    doc = yaml.safe_load(paths.REPORTS_CONFIG.read_text(encoding="utf-8"))
    notebooks = {e["notebook"] for e in doc["reports"]}
    assert notebooks == {f"notebooks/{p.name}" for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")}
    grid = next(e for e in doc["reports"] if "as_of" in e.get("grid", {}))
    assert [str(d) for d in grid["grid"]["as_of"]] == [
        "2001-06-15", "2017-06-09", "2023-07-04", "2024-07-04"]


def test_render_the_project_reports(tmp_path):
    """Every report of reports.yaml (each grid cut to one value)."""
    from tests.conftest import project_reports_config

    cfg = project_reports_config(tmp_path)
    entries = yaml.safe_load(cfg.read_text(encoding="utf-8"))["reports"]
    out = tmp_path / "reports"
    result = batch.render(config=cfg, out=out, jobs=2, progress=False, stream=io.StringIO(),
                          workdir=paths.PROJECT_ROOT)
    assert result.ok, result.summary()
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert len(doc["reports"]) == len(result.outcomes) >= len(entries)
    from sco_research import data

    for e in doc["reports"]:
        assert e["status"] == "ok", e
        assert e["notebook"].startswith("notebooks/")
        assert (out / e["html"]).is_file() and f'href="{e["html"]}"' in index
        assert (out / e["ipynb"]).is_file()
        assert e["summary"] and e["thumbnail"]
        assert all((out / f).is_file() for f in e["figures"])
        if hasattr(data, "record_read"):  # the loader logs what each report read
            assert e["reads"], e["name"]
        # Every saved figure is on its page: the page embeds the very PNG bytes it saved.
        page = (out / e["html"]).read_text(encoding="utf-8")
        pngs = [f for f in e["figures"] if f.endswith(".png")]
        assert pngs, f"{e['name']} saved no figure"
        for f in pngs:
            data_uri = base64.b64encode((out / f).read_bytes()).decode("ascii")
            assert data_uri in page or f'src="{Path(f).relative_to(e["name"])}"' in page, \
                f"{e['name']}: {f} is saved but not shown on its page"
        # ... and every image on the page is a published figure, shown once, where published
        # (no stray figure that pyplot displayed at the end of a cell).
        executed = nbformat.read(str(out / e["ipynb"]), as_version=4)
        shown = [(o.get("metadata", {}).get("sco_research") or {}).get("name")
                 for c in executed.cells for o in c.get("outputs", [])
                 if "image/png" in o.get("data", {})]
        assert None not in shown and len(shown) == len(set(shown)), (e["name"], shown)
    shutil.rmtree(out)


def test_a_data_package_without_membership_renders_without_the_explorer(project, monkeypatch):
    from sco_research import explorer
    from sco_research.errors import DataError

    def refuse(out_dir, **kw):
        raise DataError("name: unknown table 'membership'")

    monkeypatch.setattr(explorer, "write_explorer", refuse)
    write_config(project, "reports:\n  - name: plain\n    notebook: notebooks/plain.ipynb\n")
    assert run(project, jobs=1).ok  # the reports do not depend on the explorer
    doc = manifest(project)
    assert doc["explorer"] is None
    assert doc["explorer_problem"] == "name: unknown table 'membership'"
    assert "explorer.html" not in (project / "out" / "index.html").read_text(encoding="utf-8")
