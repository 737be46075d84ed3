"""Cache keys: what a report depends on, why it runs again, the read log, the library digest."""

from __future__ import annotations

import json
import shutil

from sco_research import paths
from sco_research.reports import cache
from sco_research.reports.config import Report


def test_why_names_what_changed():
    old = {"notebook": "n", "parameters": {"a": 1}, "today": None, "library": "l1",
           "environment": {"pandas": "2"}, "data": {"a.csv": "h1", "b.csv": "h2"}}
    assert cache.why(old, old) == "unchanged"
    assert cache.why(None, old) == "never rendered"
    new = {**old, "library": "l2", "data": {"a.csv": "h1", "b.csv": "h3"}}
    assert cache.why(old, new) == "library source changed; data changed: b.csv"
    assert cache.why(old, {**old, "today": "2030-01-01"}) == "'today' is a new day"
    assert cache.why(old, {**old, "environment": {"pandas": "3"}}) == \
        "package versions changed"


def test_cache_key_inputs_follow_today_and_the_logged_reads(tmp_path):
    (tmp_path / "datapackage.json").write_text(
        '{"resources": [{"path": "a.csv"}, {"path": "geo/x.parquet"}]}', encoding="utf-8")
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("y\n", encoding="utf-8")
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "x.parquet").write_bytes(b"p")
    files = cache.DataFiles(tmp_path)
    # a.csv was read; geo/x.parquet may be read by code that does not log it, b.csv is not part
    # of the package (both count, to be safe); datapackage.json was not read.
    assert list(files.dependencies(["a.csv"])) == ["a.csv", "b.csv", "geo/x.parquet"]
    assert list(files.dependencies(None)) == sorted(files.hashes)  # no log: everything
    report = Report("m", "M", tmp_path / "a.csv", {})
    declared = {"as_of": {"type": "str", "default": '"today"', "help": ""}}
    inputs = cache.inputs(report, declared, "lib", {}, {})
    assert inputs["today"] is not None  # the default 'today' makes the date part of the key
    fixed = Report("m", "M", tmp_path / "a.csv", {"as_of": "2017-06-09"})
    assert cache.inputs(fixed, declared, "lib", {}, {})["today"] is None
    assert cache.key(inputs) != cache.key({**inputs, "data": {"a.csv": "other"}})


def test_the_read_log_written_by_the_loader_is_parsed(tmp_path):
    data = tmp_path / "data"
    (data / "geo").mkdir(parents=True)
    log = tmp_path / "reads"
    assert cache.reads(log, data) is None  # no log: nothing known
    log.write_text(f"#trace\n{data / 'a.csv'}\n{data / 'geo' / 'x.parquet'}\n{data / 'a.csv'}\n"
                   f"/elsewhere/z.csv\n", encoding="utf-8")
    assert cache.reads(log, data) == ["a.csv", "geo/x.parquet"]
    log.write_text(f"{data / 'a.csv'}\n", encoding="utf-8")  # no '#trace' line: not a log
    assert cache.reads(log, data) is None


def test_library_digest_hashes_only_the_modules_that_compute_results(tmp_path, monkeypatch):
    pkg = tmp_path / "sco_research"
    shutil.copytree(paths.PACKAGE_DIR, pkg,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    monkeypatch.setattr(paths, "PACKAGE_DIR", pkg)
    before = cache.library_digest()
    for presentation in ("cli.py", "render.py", "reports/batch.py", "pages/report.py",
                         "pages/index.py"):
        with (pkg / presentation).open("a", encoding="utf-8") as fh:
            fh.write("# a change that computes nothing\n")
    (pkg / "pages" / "templates").mkdir(exist_ok=True)
    (pkg / "pages" / "templates" / "page.css").write_text("body{}", encoding="utf-8")
    assert cache.library_digest() == before
    with (pkg / "membership.py").open("a", encoding="utf-8") as fh:
        fh.write("# a change in a module that computes results\n")
    assert cache.library_digest() != before


def test_data_version_names_the_package_version_and_its_files(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"version": "1.2.0"}', encoding="utf-8")
    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    first = cache.data_version(tmp_path)
    assert first.startswith("1.2.0+") and len(first) == len("1.2.0+") + 8
    (tmp_path / "a.csv").write_text("y\n", encoding="utf-8")
    assert cache.data_version(tmp_path) != first


def test_preflight_stamps_remember_parameters_that_passed(tmp_path):
    report = Report("m", "M", tmp_path / "m.ipynb", {"as_of": "2017-06-09"})
    stamps = cache.PreflightStamps("lib", {"a.csv": "h"})
    assert not stamps.passed(report)
    stamps.record([report])
    assert stamps.passed(report)
    assert not cache.PreflightStamps("lib2", {"a.csv": "h"}).passed(report)  # library changed
    assert not stamps.passed(Report("m", "M", tmp_path / "m.ipynb", {"as_of": "2017-06-10"}))


def test_a_damaged_manifest_without_a_good_copy_is_rebuilt_from_the_report_folders(tmp_path):
    from sco_research.reports import layout

    page = tmp_path / "plain"
    (page / "figures").mkdir(parents=True)
    layout.mark_report(page)
    for f in ("plain.html", "plain.ipynb", "thumb.png", "figures/f.png"):
        (page / f).write_text("x", encoding="utf-8")
    (tmp_path / "docs").mkdir()  # not a report folder: no mark, no page
    (tmp_path / "manifest.json").write_text('{"version": 2, "reports": [{"na', encoding="utf-8")
    entries, warnings = cache.load_manifest(tmp_path)
    assert warnings == ["manifest.json is damaged (cut short or not JSON); no good copy: rebuilt "
                        "1 entries from the report folders on disk"]
    good = entries["plain"]["good"]
    assert (good["html"], good["ipynb"], good["figures"], good["thumbnail"]) == (
        "plain/plain.html", "plain/plain.ipynb", ["plain/figures/f.png"], "plain/thumb.png")
    assert "inputs" not in good  # so it runs again at the next render


def test_a_malformed_entry_is_dropped_with_one_warning(tmp_path):
    doc = {"version": 2, "reports": [{"name": "a", "good": None},
                                     {"name": "b", "good": "oops"}, ["c"]]}
    (tmp_path / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    entries, warnings = cache.load_manifest(tmp_path)
    assert list(entries) == ["a"]
    assert warnings == ["manifest.json has 2 malformed entr(y/ies); dropped them"]
    assert cache.read_manifest(tmp_path) == entries
