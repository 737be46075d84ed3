"""The house-style helpers: one measured layout for every format, compact image files."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from sco_research._plotting import compact_png, compact_svg, measured_once


def _figure():
    fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
    ax.plot([0, 1, 2], [3, 1, 2])
    ax.set_title("A finding", loc="left")
    ax.set_ylabel("units")
    fig.text(0.01, -0.02, "A source line under the figure", va="top")  # outside: tight bbox
    return fig


def test_measured_once_draws_each_format_once_and_keeps_what_tight_saving_keeps():
    fig = _figure()
    ref = io.BytesIO()
    fig.savefig(ref, format="png", bbox_inches="tight", dpi=150)
    draws = []
    fig.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    engine = fig.get_layout_engine()
    png, svg = io.BytesIO(), io.BytesIO()
    with measured_once(fig, dpi=150) as bbox:
        assert fig.get_layout_engine() is None  # frozen while saving
        fig.savefig(png, format="png", bbox_inches=bbox, dpi=150)
        fig.savefig(svg, format="svg", bbox_inches=bbox, dpi=150)
    assert len(draws) == 2  # "tight" would draw four times: measure and write, per format
    assert fig.get_layout_engine() is engine
    with Image.open(ref) as a, Image.open(png) as b:
        assert abs(a.width - b.width) <= 2 and abs(a.height - b.height) <= 2
        assert b.height > 3 * 150  # the source line below the figure is kept
    plt.close(fig)


def test_measured_once_measures_a_figure_pyplot_closed_on_an_agg_canvas():
    # matplotlib gives a figure pyplot closed (as ChartFigure does) the base canvas, which
    # cannot measure; without an Agg canvas again each format would be drawn twice.
    fig = _figure()
    plt.close(fig)
    assert type(fig.canvas) is matplotlib.backend_bases.FigureCanvasBase
    draws = []
    fig.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    with measured_once(fig, dpi=150) as bbox:
        assert not isinstance(bbox, str)
        for fmt in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=fmt, bbox_inches=bbox, dpi=150)
    assert len(draws) == 2


def test_measured_once_falls_back_to_tight_on_a_canvas_that_cannot_measure():
    from matplotlib.figure import Figure

    class Shown(matplotlib.backend_bases.FigureCanvasBase):
        """A canvas of some interactive backend, without a renderer of its own."""

    fig = Figure()
    fig.add_subplot().plot([0, 1])
    canvas = Shown(fig)
    with measured_once(fig) as bbox:
        assert bbox == "tight"
    assert fig.canvas is canvas  # a shown figure keeps its canvas


def test_compact_png_keeps_the_look_and_shrinks_the_file():
    fig = _figure()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    raw = buf.getvalue()
    small = compact_png(raw)
    assert len(small) < 0.7 * len(raw)
    with Image.open(io.BytesIO(raw)) as a, Image.open(io.BytesIO(small)) as b:
        assert a.size == b.size and b.mode == "P"
        diff = np.abs(np.asarray(a.convert("RGB"), int) - np.asarray(b.convert("RGB"), int))
    assert diff.max() <= 24  # a few levels at anti-aliased edges, nothing to see


def test_compact_png_leaves_transparent_images_alone_unless_scaling():
    buf = io.BytesIO()
    Image.new("RGBA", (50, 20), (255, 0, 0, 0)).save(buf, format="png")
    assert compact_png(buf.getvalue()) == buf.getvalue()
    with Image.open(io.BytesIO(compact_png(buf.getvalue(), width=25))) as im:
        assert im.size == (25, 10) and im.mode == "RGBA"


def test_compact_svg_cuts_path_coordinates_only():
    raw = (b'<g transform="translate(1.234567 2)"><path d="M 1.234567 2.000001 z"/>'
           b'<text x="3.141592">3.141592</text></g>')
    assert compact_svg(raw) == (b'<g transform="translate(1.234567 2)"><path d="M 1.23 2.00 z"/>'
                                b'<text x="3.141592">3.141592</text></g>')
