"""The output folder: the lock, and the repair of a run killed between two renames."""

from __future__ import annotations

import pytest

from sco_research.errors import RenderError
from sco_research.reports import staging


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
    (final / "old.html").write_text("old", encoding="utf-8")
    new.mkdir()
    (new / "r.html").write_text("new", encoding="utf-8")
    staging.swap_in(new, final, stage)
    assert [p.name for p in final.iterdir()] == ["r.html"]
    assert list(stage.iterdir()) == []


def test_one_writer_at_a_time(tmp_path):
    with staging.lock(tmp_path):
        with pytest.raises(RenderError, match="another `sco-research render` is writing to"):
            with staging.lock(tmp_path):
                pass
    with staging.lock(tmp_path):  # released again
        assert (tmp_path / ".lock").exists()
