"""The output folder: the lock, and the repair of a run killed between two renames."""

from __future__ import annotations

import os

import pytest

from sco_research.errors import RenderError
from sco_research.reports import layout, staging


def test_interrupted_swap_is_repaired_and_leftovers_removed(tmp_path):
    out = tmp_path / "out"
    stage = out / ".staging"
    (stage / "r1~old~abcd").mkdir(parents=True)  # died between the two renames
    (stage / "r1~old~abcd" / "r1.html").write_text("good", encoding="utf-8")
    (stage / "r2~new~xyz").mkdir()  # died while rendering
    (stage / "r2~new~xyz" / "r2.html").write_text("half", encoding="utf-8")
    (out / "r3").mkdir()
    (stage / "r3~old~1234").mkdir()  # died after the swap, before removing the old folder
    assert staging.recover_staging(out) == ["r1"]
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
    staging.swap_in(new, final, stage)
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
        staging.swap_in(new, final, stage)
    assert (final / "architecture.md").read_text(encoding="utf-8") == "theirs"


def test_a_read_only_output_folder_is_one_line(tmp_path):
    tmp_path.chmod(0o555)
    try:
        if os.access(tmp_path, os.W_OK):  # root ignores permissions
            pytest.skip("this user can write to a read-only folder")
        with pytest.raises(RenderError, match=r"^out: cannot write to the output folder .*"
                                              r"\(Permission denied\); make it writable"):
            with staging.lock(tmp_path):
                pass
    finally:
        tmp_path.chmod(0o755)


def test_one_writer_at_a_time(tmp_path):
    with staging.lock(tmp_path):
        with pytest.raises(RenderError, match="another `sco-research render` is writing to"):
            with staging.lock(tmp_path):
                pass
    with staging.lock(tmp_path):  # released again
        assert (tmp_path / ".lock").exists()


def test_an_output_folder_that_cannot_take_the_lock_file_is_one_line(tmp_path):
    (tmp_path / ".lock").mkdir()  # what a read-only folder gives root, who ignores permissions
    with pytest.raises(RenderError, match=r"^out: cannot write to the output folder '.*' "
                                          r"\(Is a directory\); make it writable or pass"):
        with staging.lock(tmp_path):
            pass
