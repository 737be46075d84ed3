"""An executed notebook's outputs: the size cap, the published figures, the thumbnail."""

from __future__ import annotations

import base64
import os

import nbformat

from sco_research import _published
from sco_research.reports import outputs

from .conftest import PNG


def test_thumbnail_comes_from_the_first_saved_figure(tmp_path):
    stage = tmp_path / "stage"
    (stage / "figures").mkdir(parents=True)
    raw = base64.b64decode(PNG)
    for i, name in enumerate(("b.svg", "b.png", "a.png")):  # saved in this order
        path = stage / "figures" / name
        path.write_bytes(raw if name.endswith(".png") else b"<svg/>")
        os.utime(path, ns=(10**18 + i, 10**18 + i))
    figures, thumb = outputs.collect_figures(stage, nbformat.v4.new_notebook())
    assert figures == ["figures/b.svg", "figures/b.png", "figures/a.png"]
    assert thumb == "thumb.png"  # made from b.png, the raster twin of the first figure
    assert (stage / "thumb.png").is_file()


def test_thumbnail_comes_from_the_first_published_figure(tmp_path):
    stage = tmp_path / "stage"
    (stage / "figures").mkdir(parents=True)
    for name in ("first.png", "second.png"):
        (stage / "figures" / name).write_bytes(base64.b64decode(PNG))
    os.utime(stage / "figures" / "second.png", ns=(1, 1))  # saved earlier, published later
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PNG}, metadata={
        "sco_research": {"kind": "figure", "name": n, "files": {"png": f"{n}.png"}}})
        for n in ("first", "second")]
    nb.cells = [cell]
    assert [r["name"] for r in _published.published(nb, "figure")] == ["first", "second"]
    _, thumb = outputs.collect_figures(stage, nb)
    assert thumb == "thumb.png"
    from PIL import Image, ImageChops

    with Image.open(stage / "thumb.png") as a, Image.open(stage / "figures/first.png") as b:
        assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None


def test_outputs_above_the_cap_are_cut_with_a_visible_note():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    big = "y" * 5000
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=big),
                    nbformat.v4.new_output("execute_result", data={
                        "text/plain": big, "text/html": f"<p>{big}</p>"}, execution_count=1),
                    nbformat.v4.new_output("stream", name="stdout", text="small")]
    nb.cells = [cell]
    assert outputs.cap_outputs(nb, cap=1000) == 3
    stream, result, small = cell.outputs
    assert stream["text"].startswith("y" * 1000) and len(stream["text"]) < 1200
    assert "output truncated by sco-research render: 5,000 characters" in stream["text"]
    assert "output truncated" in result["data"]["text/html"] and big not in \
        result["data"]["text/html"]
    assert small["text"] == "small"
    assert outputs.cap_outputs(nb, cap=1000) == 0  # cut once
