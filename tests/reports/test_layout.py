"""The output folder's guards: where a render may write, which report names it refuses, and that
it never replaces a folder it did not make."""

from __future__ import annotations

import os
import shutil

import pytest

from sco_research import cli
from sco_research.errors import ConfigError, ParameterError, RenderError
from sco_research.reports import layout
from sco_research.reports.config import load_config

from .conftest import BASIC, manifest, run, write_config


@pytest.mark.parametrize("where", ["root", "empty", "data", "notebooks"])
def test_an_output_folder_among_the_project_or_its_inputs_is_refused(project, monkeypatch,
                                                                     where):
    write_config(project, BASIC)
    monkeypatch.chdir(project)
    out = {"root": project, "empty": "", "data": project / "data" / "out",
           "notebooks": project / "notebooks"}[where]
    match = {"root": "is the project folder", "empty": "the current folder.* is the project",
             "data": "is inside the data folder",
             "notebooks": "is inside the notebooks folder"}[where]
    before = sorted(p.name for p in project.iterdir())
    with pytest.raises(ParameterError, match=f"^out: .*{match}"):
        run(project, out=out)
    assert sorted(p.name for p in project.iterdir()) == before  # no .lock, no index.html


def test_a_non_empty_folder_that_is_not_a_reports_folder_is_refused(project):
    write_config(project, BASIC)
    other = project / "elsewhere"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"^out: '.*elsewhere' is a non-empty folder that is "
                                             r"not a reports folder \(it holds 'notes.txt'"):
        run(project, "plain", out=other)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_the_command_line_refuses_the_project_root_with_exit_2(project, monkeypatch, capsys):
    write_config(project, BASIC)
    monkeypatch.chdir(project)
    code = cli.main(["render", "--config", str(project / "reports.yaml"), "--out", ""])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "the current folder" in err and "is the project folder" in err
    assert not (project / "index.html").exists() and not (project / ".lock").exists()


@pytest.mark.parametrize("name", ["index.html", "manifest.json", "explorer.html", "data",
                                  "Data", "INDEX.HTML"])
def test_report_names_the_renderer_writes_itself_are_refused(project, name):
    cfg = write_config(project, f"reports:\n  - name: {name}\n    notebook: "
                                "notebooks/plain.ipynb\n")
    with pytest.raises(ConfigError, match=f"line 2, report '{name}'.*reserved names: "):
        load_config(cfg)


def test_every_top_level_name_is_reserved():
    assert {"index.html", "manifest.json", "explorer.html", "data", ".lock",
            ".staging"} <= layout.RESERVED_NAMES
    assert layout.name_problem("membership-map") is None


def test_a_grid_expanding_into_a_reserved_name_is_refused(project):
    cfg = write_config(project, "reports:\n  - name: '{table}'\n    notebook: "
                                "notebooks/reader.ipynb\n    grid:\n      table: [a, data]\n")
    with pytest.raises(ConfigError, match="expanded name 'data' is not a valid report name: "
                                          "'data' is a file the renderer writes"):
        load_config(cfg)


def test_a_name_too_long_for_the_file_system_is_refused_before_anything_runs(project):
    long = "r" * 300
    cfg = write_config(project, f"reports:\n  - name: {long}\n    notebook: "
                                "notebooks/plain.ipynb\n")
    with pytest.raises(ConfigError, match=r"is 300 characters long; a report name .* at most 200"):
        load_config(cfg)


def test_a_report_never_replaces_a_folder_it_did_not_make(project, steady_library):
    write_config(project, "reports:\n  - name: docs\n    notebook: notebooks/plain.ipynb\n"
                          "  - name: plain\n    notebook: notebooks/plain.ipynb\n")
    assert run(project, "plain").ok
    docs = project / "out" / "docs"
    docs.mkdir()
    (docs / "architecture.md").write_text("someone else's", encoding="utf-8")
    result = run(project, "docs")
    assert not result.ok
    assert (docs / "architecture.md").read_text(encoding="utf-8") == "someone else's"
    assert sorted(p.name for p in docs.iterdir()) == ["architecture.md"]
    error = {e["name"]: e for e in manifest(project)["reports"]}["docs"]["error"]
    assert "exists and was not made by the renderer" in error
    shutil.rmtree(docs)  # once it is gone, the report lands and is marked as the renderer's
    assert run(project, "docs").ok
    assert (docs / layout.REPORT_MARK).is_file()


# -- the lock, and the repair of a run killed between two renames ----------------------------
def test_interrupted_swap_is_repaired_and_leftovers_removed(tmp_path):
    out = tmp_path / "out"
    stage = out / ".staging"
    (stage / "r1~old~abcd").mkdir(parents=True)  # died between the two renames
    (stage / "r1~old~abcd" / "r1.html").write_text("good", encoding="utf-8")
    (stage / "r2~new~xyz").mkdir()  # died while rendering
    (stage / "r2~new~xyz" / "r2.html").write_text("half", encoding="utf-8")
    (out / "r3").mkdir()
    (stage / "r3~old~1234").mkdir()  # died after the swap, before removing the old folder
    assert layout.recover_staging(out) == ["r1"]
    assert (out / "r1" / "r1.html").read_text(encoding="utf-8") == "good"
    assert list(stage.iterdir()) == []
    assert not (out / "r2").exists()


def test_swap_in_replaces_a_folder_whole(tmp_path):
    stage = tmp_path / ".staging"
    stage.mkdir()
    final, new = tmp_path / "r", stage / "r~new~1"
    final.mkdir()
    layout.mark_report(final)
    (final / "old.html").write_text("old", encoding="utf-8")
    new.mkdir()
    (new / "r.html").write_text("new", encoding="utf-8")
    layout.swap_in(new, final, stage)
    assert [p.name for p in final.iterdir()] == ["r.html"]
    assert list(stage.iterdir()) == []


def test_swap_in_never_replaces_a_folder_it_did_not_make(tmp_path):
    stage = tmp_path / ".staging"
    stage.mkdir()
    final, new = tmp_path / "docs", stage / "docs~new~1"
    final.mkdir()
    (final / "architecture.md").write_text("theirs", encoding="utf-8")
    new.mkdir()
    with pytest.raises(RenderError, match=r"'.*docs' exists and was not made by the renderer"):
        layout.swap_in(new, final, stage)
    assert (final / "architecture.md").read_text(encoding="utf-8") == "theirs"


def test_a_read_only_output_folder_is_one_line(tmp_path):
    tmp_path.chmod(0o555)
    try:
        if os.access(tmp_path, os.W_OK):  # root ignores permissions
            pytest.skip("this user can write to a read-only folder")
        with pytest.raises(RenderError, match=r"^out: cannot write to the output folder .*"
                                              r"\(Permission denied\); make it writable"):
            with layout.lock(tmp_path):
                pass
    finally:
        tmp_path.chmod(0o755)


def test_one_writer_at_a_time(tmp_path):
    with layout.lock(tmp_path):
        with pytest.raises(RenderError, match="another `sco-research render` is writing to"):
            with layout.lock(tmp_path):
                pass
    with layout.lock(tmp_path):  # released again
        assert (tmp_path / ".lock").exists()


def test_an_output_folder_that_cannot_take_the_lock_file_is_one_line(tmp_path):
    (tmp_path / ".lock").mkdir()  # what a read-only folder gives root, who ignores permissions
    with pytest.raises(RenderError, match=r"^out: cannot write to the output folder '.*' "
                                          r"\(Is a directory\); make it writable or pass"):
        with layout.lock(tmp_path):
            pass
