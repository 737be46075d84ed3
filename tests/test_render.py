"""Tests of ``sco-research render``: reports.yaml, parameter checks, caching, failures, index.

Most tests use small throwaway notebooks written into ``tmp_path`` (they start a kernel in a
second or so and read a throwaway data folder); one renders the project's own reports.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sco_research import cli, paths, render
from sco_research.errors import ConfigError, ParameterError

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
       "rkJggg==")
CODE_MARKER = "CODE_MUST_NOT_APPEAR_IN_HTML"


def make_notebook(path: Path, parameters: str, *cells: str, title: str = "A report") -> Path:
    """A notebook: a title, a cell tagged ``parameters``, then ``cells`` (code)."""
    nb = new_notebook()
    pcell = new_code_cell(parameters)
    pcell.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell(f"# {title}"), pcell, *(new_code_cell(c) for c in cells)]
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
        f"{CODE_MARKER} = 1\n"
        "print(open(os.path.join(os.environ['SCO_RESEARCH_DATA'], table + '.csv')).read())",
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
    between two renders of one test (``test_why_names_what_changed`` covers that case)."""
    monkeypatch.setattr(render, "library_digest", lambda: "pinned")


def write_config(project: Path, text: str) -> Path:
    path = project / "reports.yaml"
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


def run(project: Path, *names: str, config: Path | None = None, **kw) -> render.BatchResult:
    stream = io.StringIO()
    result = render.render(
        names, config=config or project / "reports.yaml", out=project / "out",
        data_dir=project / "data", jobs=kw.pop("jobs", 2), progress=False, stream=stream, **kw
    )
    result.log = stream.getvalue()  # type: ignore[attr-defined]
    return result


def manifest(project: Path) -> dict:
    return json.loads((project / "out" / "manifest.json").read_text(encoding="utf-8"))


def actions(result: render.BatchResult) -> dict[str, str]:
    return {o.name: o.action for o in result.outcomes}


# ---------------------------------------------------------------------------------------------
# reports.yaml
# ---------------------------------------------------------------------------------------------
def test_grid_expands_into_named_titled_reports(project):
    cfg = write_config(project, BASIC)
    reports = render.load_config(cfg)
    assert [r.name for r in reports] == ["read-a", "read-b", "plain"]
    assert [r.title for r in reports] == ["Table a", "Table b", "Plain report"]
    assert reports[1].parameters == {"table": "b"}
    assert reports[0].group == "read-{table}"
    assert reports[2].notebook == (project / "notebooks" / "plain.ipynb").resolve()


def test_grid_without_placeholders_appends_values_and_dates_stay_strings(project):
    cfg = write_config(project, """\
reports:
  - name: read
    notebook: notebooks/reader.ipynb
    grid: {table: [2017-06-09, today]}
""")
    reports = render.load_config(cfg)
    assert [r.name for r in reports] == ["read-2017-06-09", "read-today"]
    assert reports[0].parameters == {"table": "2017-06-09"}  # not a datetime.date
    assert reports[0].title == "read (2017-06-09)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reports:\n  - name: a\n    notebook: [unclosed\n",
         r"line \d+, column \d+: not valid YAML"),
        ("reports: []\n", r"'reports' must be a non-empty list"),
        ("- name: a\n", r"expected a mapping with a 'reports:' list"),
        ("reports:\n  - name: a\n    notebook: notebooks/missing.ipynb\n",
         r"line 3, report 'a': notebook 'notebooks/missing.ipynb' not found .*Notebooks in "
         r".*boom.ipynb"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n"
         "  - name: a\n    notebook: notebooks/boom.ipynb\n",
         r"line 4: duplicate report name 'a' \(first defined at line 2\); give each report a "
         r"unique name"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    parms: {n: 1}\n",
         r"report 'a': unknown key 'parms'; did you mean 'parameters'\?"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    timeout: -1\n",
         r"timeout: expected a positive number of seconds, got -1"),
        ("reports:\n  - name: a b\n    notebook: notebooks/plain.ipynb\n",
         r"name 'a b' may use only letters"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    parameters:\n"
         "      n: 1\n      n: 2\n", r"line 6: duplicate key 'n' \(first at line 5\)"),
        ("reports:\n  - name: a-{x}\n    notebook: notebooks/plain.ipynb\n"
         "    grid: {n: [1, 2]}\n", r"placeholder\(s\) \{x\} that are not grid parameters"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    grid: {n: 1}\n",
         r"grid parameter 'n' needs a non-empty list of values, got 1"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n"
         f"    grid: {{n: {list(range(render.MAX_GRID + 1))}}}\n",
         r"expands into 51 reports; at most 50"),
    ],
)
def test_malformed_config_is_refused_naming_line_and_fix(project, text, expected):
    cfg = write_config(project, text)
    with pytest.raises(ConfigError, match=expected):
        render.load_config(cfg)


def test_missing_config_file_is_refused(project):
    with pytest.raises(ConfigError, match="does not exist; create it"):
        render.load_config(project / "nope.yaml")


# ---------------------------------------------------------------------------------------------
# parameters against the notebook
# ---------------------------------------------------------------------------------------------
def test_notebook_parameters_include_pep604_annotations(project):
    # papermill's inspect_notebook misses ``x: str | None = None`` (nteract/papermill#695).
    declared = render.notebook_parameters(project / "notebooks" / "reader.ipynb")
    assert list(declared) == ["table", "output_dir", "fail"]
    assert declared["output_dir"]["type"] == "str | None"
    assert declared["table"] == {**declared["table"], "type": "str", "default": '"a"'}


def test_comment_declared_types_are_checked(tmp_path):
    nb = make_notebook(tmp_path / "c.ipynb", "theme = None  # str | None: keep one theme\n"
                                             "size = 3  # how big")
    declared = render.notebook_parameters(nb)
    report = render.Report("c", "C", nb, {"theme": 5, "size": 2.5})
    problems = render.check_parameters(report, declared)
    assert len(problems) == 2
    assert "parameter 'theme' = 5 (int) does not match the declared type str | None (from the " \
           "parameter's comment)" in problems[0]
    assert "parameter 'size' = 2.5 (float) does not match the declared type int (inferred " \
           "from the default 3)" in problems[1]


@pytest.mark.parametrize(
    ("annotation", "value", "fits"),
    [
        ("str", "x", True), ("str", 1, False), ("str | None", None, True),
        ("str|None", 3, False), ("Optional[int]", None, True), ("int", True, False),
        ("float", 2, True), ("bool", "yes", False), ("list", ["a"], True), ("list", "a", False),
        ("list[str]", ["a", 1], False), ("list[str]", ["a"], True), ("dict[str, int]", {"a": 1},
                                                                    True),
        ("Literal['a', 'b']", "c", False), ("Union[int, str]", "x", True),
        ("pd.Timestamp", "x", None), ("Any", object(), True),
    ],
)
def test_type_matching(annotation, value, fits):
    assert render._matches(value, render._type_node(annotation)) is fits


def test_bad_parameter_sets_are_refused_before_anything_runs(project, capsys):
    make_notebook(project / "notebooks" / "needs.ipynb", "country: str = None")
    cfg = write_config(project, """\
reports:
  - name: typo
    notebook: notebooks/reader.ipynb
    parameters:
      tabel: a
  - name: wrong-type
    notebook: notebooks/reader.ipynb
    parameters:
      table: 7
  - name: reserved
    notebook: notebooks/reader.ipynb
    parameters:
      output_dir: /tmp/x
  - name: missing
    notebook: notebooks/needs.ipynb
""")
    with pytest.raises(ConfigError) as info:
        run(project, config=cfg)
    msg = str(info.value)
    assert "4 parameter problem(s); nothing was rendered" in msg
    assert ("reports.yaml line 5, report 'typo': parameter 'tabel' = 'a' is not declared by "
            in msg)
    assert "did you mean 'table'? Declared: table, fail" in msg
    assert ("line 9, report 'wrong-type': parameter 'table' = 7 (int) does not match the "
            "declared type str of " in msg)
    assert "quote it in reports.yaml" in msg
    assert "parameter 'output_dir' = '/tmp/x' is set by the renderer" in msg
    assert "report 'missing': parameter 'country' has no usable default" in msg
    assert "set parameters.country for this report" in msg
    assert not (project / "out").exists()  # refused before any kernel started

    rc = cli.main(["render", "--config", str(cfg), "--out", str(project / "out")])
    assert rc == 2
    assert "nothing was rendered" in capsys.readouterr().err


def test_unknown_report_names_are_refused_listing_the_known_ones(project, capsys):
    cfg = write_config(project, BASIC)
    reports = render.load_config(cfg)
    assert [r.name for r in render.select_reports(reports, ["read-{table}"])] == \
        ["read-a", "read-b"]
    assert [r.name for r in render.select_reports(reports, ["pl*"])] == ["plain"]
    with pytest.raises(ParameterError) as info:
        render.select_reports(reports, ["plian"])
    assert str(info.value) == ("names: unknown report 'plian'; did you mean 'plain'? Known "
                               "reports: read-a, read-b, plain (groups: read-{table})")
    rc = cli.main(["render", "nope", "--config", str(cfg), "--out", str(project / "out")])
    assert rc == 2
    err = capsys.readouterr().err
    assert "unknown report 'nope'" in err and "Known reports: read-a, read-b, plain" in err
    assert not (project / "out").exists()


@pytest.mark.parametrize(("kw", "match"), [({"jobs": 0}, "jobs: expected a positive whole"),
                                           ({"timeout": -2}, "timeout: expected a positive")])
def test_bad_arguments(project, kw, match):
    write_config(project, BASIC)
    with pytest.raises(ParameterError, match=match):
        run(project, **kw)


# ---------------------------------------------------------------------------------------------
# small helpers: staging recovery, progress display
# ---------------------------------------------------------------------------------------------
def test_interrupted_swap_is_repaired_and_leftovers_removed(tmp_path):
    out = tmp_path / "out"
    stage = out / ".staging"
    (stage / "r1~old~abcd").mkdir(parents=True)  # died between the two renames
    (stage / "r1~old~abcd" / "r1.html").write_text("good", encoding="utf-8")
    (stage / "r2~new~xyz").mkdir()  # died while rendering
    (stage / "r2~new~xyz" / "r2.html").write_text("half", encoding="utf-8")
    (out / "r3").mkdir()
    (stage / "r3~old~1234").mkdir()  # died after the swap, before removing the old folder
    assert render._recover_staging(out) == ["r1"]
    assert (out / "r1" / "r1.html").read_text(encoding="utf-8") == "good"
    assert list(stage.iterdir()) == []
    assert not (out / "r2").exists()


def test_why_names_what_changed():
    old = {"notebook": "n", "parameters": {"a": 1}, "today": None, "library": "l1",
           "environment": {"pandas": "2"}, "data": {"a.csv": "h1", "b.csv": "h2"}}
    assert render._why(old, old) == "unchanged"
    assert render._why(None, old) == "never rendered"
    new = {**old, "library": "l2", "data": {"a.csv": "h1", "b.csv": "h3"}}
    assert render._why(old, new) == "library source changed; data changed: b.csv"
    assert render._why(old, {**old, "today": "2030-01-01"}) == "'today' is a new day"
    assert render._why(old, {**old, "environment": {"pandas": "3"}}) == \
        "package versions changed"


def test_cache_key_inputs_follow_today_and_the_traced_reads(tmp_path):
    (tmp_path / "datapackage.json").write_text(
        '{"resources": [{"path": "a.csv"}, {"path": "geo/x.parquet"}]}', encoding="utf-8")
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("y\n", encoding="utf-8")
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "x.parquet").write_bytes(b"p")
    files = render._DataFiles(tmp_path)
    # a.csv was read; geo/x.parquet is read by C code the trace cannot see, b.csv is not part
    # of the package (both count, to be safe); datapackage.json was not read.
    assert list(files.dependencies(["a.csv"])) == ["a.csv", "b.csv", "geo/x.parquet"]
    assert list(files.dependencies(None)) == sorted(files.hashes)  # no trace: everything
    report = render.Report("m", "M", tmp_path / "a.csv", {})
    declared = {"as_of": {"type": "str", "default": '"today"', "help": ""}}
    inputs = render._inputs(report, declared, "lib", {}, {})
    assert inputs["today"] is not None  # the default 'today' makes the date part of the key
    fixed = render.Report("m", "M", tmp_path / "a.csv", {"as_of": "2017-06-09"})
    assert render._inputs(fixed, declared, "lib", {}, {})["today"] is None


def test_progress_bar_on_a_terminal_and_lines_otherwise():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    p = render._Progress(2, tty, bar=True)
    p.running(["alpha", "beta"])
    p.finished(render.Outcome("alpha", "rendered", "never rendered", None, 1.0))
    p.finished(render.Outcome("beta", "failed", "never rendered", "boom", 1.0))
    p.close()
    text = tty.getvalue()
    assert "render" in text and "2/2" in text and "alpha, beta" in text
    assert "FAILED beta" in text and "done 1 failed 1" in text

    plain = io.StringIO()
    p = render._Progress(1, plain, bar=False)
    p.finished(render.Outcome("alpha", "rendered", "never rendered", None, 1.0))
    assert plain.getvalue() == "render: [1/1] ok     alpha (1.0 s) - never rendered\n"


# ---------------------------------------------------------------------------------------------
# rendering with real kernels
# ---------------------------------------------------------------------------------------------
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
    a = doc["reports"][0]
    assert a["figures"] == ["read-a/figures/figure.png"]  # saved into output_dir
    assert a["reads"] == ["a.csv"] and doc["reports"][1]["reads"] == ["b.csv"]
    assert doc["reports"][2]["figures"] == ["plain/figures/output-01.png"]  # from the outputs

    page = (out / "read-a" / "read-a.html").read_text(encoding="utf-8")
    assert CODE_MARKER not in page  # code-free
    assert "k,v" in page  # outputs kept
    assert re.search(r"<td><code>table</code></td>\s*<td><code>'a'</code></td>", page)
    assert "notebook default" in page  # ``fail`` shown with its default
    executed = nbformat.read(str(out / "read-a" / "read-a.ipynb"), as_version=4)
    assert any(CODE_MARKER in c.source for c in executed.cells)
    assert not list((out / ".staging").iterdir())

    # A second run with nothing changed runs nothing and rewrites no report.
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.html") if p.parent != out}
    second = run(project)
    assert actions(second) == {"read-a": "skipped", "read-b": "skipped", "plain": "skipped"}
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert {e["action"] for e in manifest(project)["reports"]} == {"skipped"}

    # Changing a data file re-runs only the report that read it.
    with (project / "data" / "b.csv").open("a", encoding="utf-8") as fh:
        fh.write("c,3\n")
    third = run(project)
    assert actions(third) == {"read-a": "skipped", "read-b": "rendered", "plain": "skipped"}
    assert next(o for o in third.outcomes if o.name == "read-b").reason == \
        "data changed: b.csv"
    assert "c,3" in (out / "read-b" / "read-b.html").read_text(encoding="utf-8")

    # A file the kernel cannot be traced reading (not a CSV table) re-runs everything.
    (project / "data" / "extra.parquet").write_bytes(b"x")
    assert set(actions(run(project, "read-a", "plain")).values()) == {"rendered"}
    assert manifest(project)["reports"][1]["status"] == "outdated"  # not selected this time

    # --force re-runs even unchanged reports; selecting by name runs only those.
    forced = run(project, "plain", force=True)
    assert actions(forced) == {"plain": "rendered"}
    assert forced.outcomes[0].reason == "forced (--force)"


def test_failures_are_isolated_and_keep_the_last_good_html(project, capsys, monkeypatch,
                                                           steady_library):
    monkeypatch.setattr(paths, "DATA_DIR", project / "data")  # what the CLI reads
    cfg = project / "good.yaml"
    cfg.write_text(BASIC, encoding="utf-8")
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
    assert doc["boom"]["html"] is None and doc["plain"]["status"] == "ok"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Last attempt failed: cell [5] raised ValueError" in index
    assert 'href="read-b/read-b.failed.ipynb"' in index

    # Back to the parameters of the last good render: nothing to run, the failure is cleared.
    result = run(project, "read-b", config=cfg)
    assert actions(result) == {"read-b": "skipped"}, result.outcomes
    assert not (out / "read-b" / "read-b.failed.ipynb").exists()
    assert manifest(project)["reports"][1]["status"] == "ok"


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
    with pytest.raises(render.RenderError, match="1 report\\(s\\) failed: sleepy"):
        result.raise_for_failures()


# ---------------------------------------------------------------------------------------------
# the project's own reports
# ---------------------------------------------------------------------------------------------
def test_project_reports_yaml_lists_every_notebook():
    doc = yaml.safe_load(paths.REPORTS_CONFIG.read_text(encoding="utf-8"))
    notebooks = {e["notebook"] for e in doc["reports"]}
    assert notebooks == {f"notebooks/{n}.ipynb" for n in (
        "01-article-facts", "02-membership-map", "03-membership-timeline", "04-trade",
        "05-currency", "07-sources")}
    grid = next(e for e in doc["reports"] if "grid" in e)
    assert [str(d) for d in grid["grid"]["as_of"]] == [
        "2001-06-15", "2017-06-09", "2023-07-04", "2024-07-04"]


def test_render_the_project_reports(tmp_path):
    """Every report of reports.yaml whose notebook exists (each grid cut to one value)."""
    doc = yaml.safe_load(paths.REPORTS_CONFIG.read_text(encoding="utf-8"))
    entries = []
    for e in doc["reports"]:
        nb = paths.PROJECT_ROOT / e["notebook"]
        if nb.is_file():
            e = {**e, "notebook": str(nb)}
            if "grid" in e:
                e["grid"] = {k: [str(v[0])] for k, v in e["grid"].items()}
            entries.append(e)
    if not entries:
        pytest.skip("no notebook of reports.yaml exists yet")
    cfg = tmp_path / "reports.yaml"
    cfg.write_text(yaml.safe_dump({**doc, "reports": entries}), encoding="utf-8")
    out = tmp_path / "reports"
    result = render.render(config=cfg, out=out, jobs=2, progress=False, stream=io.StringIO(),
                           workdir=paths.PROJECT_ROOT)
    assert result.ok, result.summary()
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert len(doc["reports"]) == len(result.outcomes) >= len(entries)
    for e in doc["reports"]:
        assert e["status"] == "ok", e
        assert (out / e["html"]).is_file() and f'href="{e["html"]}"' in index
        assert (out / e["ipynb"]).is_file()
        assert all((out / f).is_file() for f in e["figures"])
        # Every saved figure is on its page: the page embeds the very PNG bytes it saved.
        page = (out / e["html"]).read_text(encoding="utf-8")
        pngs = [f for f in e["figures"] if f.endswith(".png")]
        assert pngs, f"{e['name']} saved no figure"
        for f in pngs:
            data = base64.b64encode((out / f).read_bytes()).decode("ascii")
            assert data in page, f"{e['name']}: {f} is saved but not shown on its page"
    shutil.rmtree(out)


def test_thumbnail_comes_from_the_first_saved_figure(tmp_path):
    stage = tmp_path / "stage"
    (stage / "figures").mkdir(parents=True)
    raw = base64.b64decode(PNG)
    for i, name in enumerate(("b.svg", "b.png", "a.png")):  # saved in this order
        path = stage / "figures" / name
        path.write_bytes(raw if name.endswith(".png") else b"<svg/>")
        os.utime(path, ns=(10**18 + i, 10**18 + i))
    figures, thumb = render._collect_figures(stage, nbformat.v4.new_notebook())
    assert figures == ["figures/b.svg", "figures/b.png", "figures/a.png"]
    assert thumb == "thumb.png"  # made from b.png, the raster twin of the first figure
    assert (stage / "thumb.png").is_file()


def test_an_interrupted_run_keeps_finished_reports_and_leaves_nothing_half_written(project):
    import signal
    import subprocess
    import sys
    import time

    write_config(project, """\
reports:
  - name: plain
    notebook: notebooks/plain.ipynb
  - name: sleepy
    notebook: notebooks/sleepy.ipynb
""")
    out = project / "out"
    env = {**os.environ, "SCO_RESEARCH_DATA": str(project / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sco_research.cli", "render", "--config",
         str(project / "reports.yaml"), "--out", str(out), "--jobs", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:  # wait (polling, no timing assertion) until plain is done and sleepy's kernel runs
        for _ in range(600):
            staged = list((out / ".staging").glob("sleepy~new~*/.reads"))
            if staged and (out / "plain" / "plain.html").exists():
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "FAILED sleepy: interrupted" in stdout
    assert (out / "plain" / "plain.html").is_file()
    assert (out / "sleepy" / "sleepy.failed.ipynb").is_file()
    assert not (out / "sleepy" / "sleepy.html").exists()
    assert not list((out / ".staging").iterdir())
    doc = {e["name"]: e for e in manifest(project)["reports"]}
    assert doc["plain"]["status"] == "ok" and doc["sleepy"]["status"] == "failed"


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
