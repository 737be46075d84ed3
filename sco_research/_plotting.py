"""Shared matplotlib helpers for charts and maps: house style, source lines, event markers.

Imported only by the plotting modules (never at ``import sco_research``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from .citations import source_line

#: Okabe–Ito colour-blind-safe palette.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}

#: Colours by SCO status, shared by maps and timeline charts.
STATUS_COLORS = {
    "member": PALETTE["blue"],
    "observer": PALETTE["orange"],
    "dialogue_partner": PALETTE["sky"],
    "partner": PALETTE["green"],
}

STATUS_LABELS = {
    "member": "Member",
    "observer": "Observer",
    "dialogue_partner": "Dialogue partner",
    "partner": "Partner",
}

#: Colours by event kind (events table).
EVENT_COLORS = {
    "founding": PALETTE["blue"],
    "accession": PALETTE["green"],
    "status_change": PALETTE["sky"],
    "summit": PALETTE["grey"],
    "war": PALETTE["vermillion"],
    "sanctions": PALETTE["purple"],
    "swift": PALETTE["purple"],
    "reserves": PALETTE["orange"],
    "speech": PALETTE["black"],
}

#: The summit the seed article reports on.
ARTICLE_SUMMIT = pd.Timestamp("2024-07-04")

RC = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "legend.frameon": False,
}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """The house rcParams for the figures created inside the block.

    pyplot loads its backend when the first figure is created. Loading IPython's inline backend
    switches interactive mode on; inside ``plt.rc_context`` that switch would be undone on exit,
    and every later figure of the session would no longer be shown. So the backend is resolved
    before the context is entered (only while pyplot has none yet: ``switch_backend`` closes
    open figures, and there are none before the first backend is loaded).
    """
    if getattr(plt, "_backend_mod", None) is None:
        plt.switch_backend(matplotlib.get_backend())
    with plt.rc_context(RC):
        yield


def new_figure(
    figsize: tuple[float, float] = (9, 5), ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """A figure and axes in house style; reuse ``ax`` (and its figure) when given."""
    if ax is not None:
        return ax.figure, ax
    with house_style():
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    for key, value in RC.items():
        if key.startswith("axes.spines."):
            ax.spines[key.rsplit(".", 1)[1]].set_visible(value)
    ax.title.set_fontsize(RC["axes.titlesize"])
    ax.title.set_fontweight(RC["axes.titleweight"])
    return fig, ax


def set_title(ax: Axes, title: str, subtitle: str | None = None) -> None:
    """A bold, left-aligned finding as title, with an optional grey subtitle under it."""
    ax.set_title(title, loc="left", fontsize=11, fontweight="bold",
                 pad=18 if subtitle else 6)
    if subtitle:
        ax.text(0, 1.01, subtitle, transform=ax.transAxes, fontsize=8.5, color="#444444",
                va="bottom", ha="left")


def add_source_line(fig: Figure, source_ids: Iterable[str], *, note: str | None = None,
                    width: int = 150) -> str:
    """Write a source line, built from the sources table, under the figure; return its text."""
    text = source_line(source_ids, width=width)
    if note:
        text = f"{note}\n{text}"
    fig.text(0.01, -0.01, text, ha="left", va="top", fontsize=7, color="#555555",
             wrap=True, transform=fig.transFigure)
    return text


def add_wrapped_source_line(fig: Figure, source_ids: Iterable[str], *, note: str | None = None,
                            width: int = 170) -> str:
    """:func:`add_source_line` with the note wrapped beforehand; return the text.

    The text arrives wrapped at ``width`` characters, so matplotlib's own wrapping, which
    measures the text word by word at every draw, is switched off.
    """
    import textwrap

    if note:
        note = "\n".join(textwrap.wrap(note, width))
    n_texts = len(fig.texts)
    text = add_source_line(fig, source_ids, note=note, width=width)
    for artist in fig.texts[n_texts:]:
        artist.set_wrap(False)
    return text


def callout(ax: Axes, text: str, *, xy: tuple[float, float] = (0.99, 0.02)) -> None:
    """The article's claim as a short boxed callout in a corner of the axes."""
    ax.text(*xy, text, transform=ax.transAxes, ha="right", va="bottom", fontsize=7.5,
            style="italic", wrap=True,
            bbox={"boxstyle": "round,pad=0.4", "fc": "#f7f7f7", "ec": "#cccccc"})


@contextlib.contextmanager
def measured_once(fig: Figure, dpi: float = 150) -> Iterator[Bbox | str]:
    """Lay ``fig`` out once and yield its tight bounding box (inches) for every save inside.

    ``savefig(bbox_inches="tight")`` draws a figure twice, once to measure and once to write, and
    does so again for every format. Inside this block the layout engine has run once, at the
    saving ``dpi``, and is switched off; the bounding box it yields, passed as ``bbox_inches``,
    makes each save a single draw. The engine is restored on exit. A figure closed by pyplot
    (whose canvas matplotlib resets to the base canvas) is measured on an Agg canvas; one shown
    on a canvas without a renderer of its own (neither Agg nor closed) yields ``"tight"``.

    Examples
    --------
    >>> import io, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(figsize=(4, 3), layout="constrained")
    >>> _ = fig.add_subplot().set_title("T")
    >>> with measured_once(fig) as bbox:
    ...     fig.savefig(io.BytesIO(), format="png", bbox_inches=bbox, dpi=150)
    >>> bool(3 < bbox.width <= 4 + 2 * 0.1), fig.get_layout_engine() is not None
    (True, True)
    >>> plt.close(fig)
    """
    if type(fig.canvas) is FigureCanvasBase:
        # A figure closed by pyplot (a ChartFigure, a published one) keeps only the base
        # canvas, which cannot measure: give it an Agg canvas again, as savefig would.
        FigureCanvasAgg(fig)
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None:
        yield "tight"
        return
    engine, old_dpi = fig.get_layout_engine(), fig.dpi
    fig.set_dpi(dpi)
    try:
        if engine is not None:
            engine.execute(fig)
        bbox = fig.get_tightbbox(get_renderer()).padded(matplotlib.rcParams["savefig.pad_inches"])
    finally:
        fig.set_dpi(old_dpi)
    fig.set_layout_engine(None)
    try:
        yield bbox
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)


#: Widest a figure is shown inside the notebook when its full-size files are saved beside it.
DISPLAY_WIDTH = 720


def compact_png(raw: bytes, width: int | None = None) -> bytes:
    """``raw`` PNG written with a 256-colour palette, optionally scaled down to ``width`` px.

    A chart or a map has a few flat colours and their anti-aliased edges: a palette (Pillow's
    fast octree, no dithering) changes no channel by more than a few levels and makes the file
    about a third as large. An image with transparency is returned unchanged (unless scaled).

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.new("RGBA", (800, 400), "white").save(buf, format="png")
    >>> Image.open(io.BytesIO(compact_png(buf.getvalue(), width=400))).size
    (400, 200)
    """
    import io

    from PIL import Image

    with Image.open(io.BytesIO(raw)) as im:
        im.load()
        return _compact(im, width, im.info.get("dpi", (150, 150))) or raw


def _compact(im, width: int | None, dpi) -> bytes | None:
    """The PNG bytes of :func:`compact_png` for a Pillow image; None: keep the original."""
    import io

    from PIL import Image

    opaque = (im.mode in ("RGB", "P", "L") and "transparency" not in im.info) or (
        im.mode == "RGBA" and im.getextrema()[3][0] == 255)
    scale = width is not None and im.width > width
    if not opaque and not scale:
        return None
    out = im.convert("RGB" if opaque else "RGBA")
    if scale:
        out = out.resize((width, round(out.height * width / out.width)),
                         Image.Resampling.LANCZOS)
    if opaque:
        out = out.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    out.save(buf, format="png", dpi=dpi)
    return buf.getvalue()


def figure_png(fig: Figure, bbox: Bbox | str, dpi: float = 150,
               display_width: int | None = None) -> tuple[bytes, bytes]:
    """``fig`` as a compact PNG (see :func:`compact_png`) inside ``bbox``, and a copy at most
    ``display_width`` pixels wide (the same bytes when ``None`` or narrower).

    The figure is drawn once into Agg's RGBA buffer, which Pillow encodes directly: no PNG is
    written only to be decoded again.

    Examples
    --------
    >>> import io, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from PIL import Image
    >>> fig = plt.figure(figsize=(8, 4), layout="constrained")
    >>> _ = fig.add_subplot().plot([0, 1])
    >>> with measured_once(fig) as bbox:
    ...     png, small = figure_png(fig, bbox, display_width=300)
    >>> Image.open(io.BytesIO(png)).mode, Image.open(io.BytesIO(small)).width
    ('P', 300)
    >>> plt.close(fig)
    """
    import io

    from PIL import Image

    buf = io.BytesIO()
    if isinstance(bbox, Bbox):
        fig.savefig(buf, format="rgba", bbox_inches=bbox, dpi=dpi)
        size = (int(bbox.width * dpi), int(bbox.height * dpi))
        if len(buf.getvalue()) == size[0] * size[1] * 4:
            im = Image.frombuffer("RGBA", size, buf.getvalue(), "raw", "RGBA", 0, 1)
            full = _compact(im, None, (dpi, dpi))
            small = _compact(im, display_width, (dpi, dpi)) if display_width else None
            if full is not None:
                return full, small or full
        buf = io.BytesIO()  # a canvas sized otherwise, or transparency: the PNG path
    fig.savefig(buf, format="png", bbox_inches=bbox, dpi=dpi)
    full = compact_png(buf.getvalue())
    return full, (compact_png(full, width=display_width) if display_width else full)


def compact_svg(raw: bytes) -> bytes:
    """``raw`` SVG with the coordinates of its paths cut to two decimals (1/100 pt).

    matplotlib writes six; a map's borders are thousands of vertices, and the digits past the
    second change nothing a screen or a printer can show.

    Examples
    --------
    >>> compact_svg(b'<path d="M 10.123456 20.5 L 3.999999 4.1"/>')
    b'<path d="M 10.12 20.5 L 3.99 4.1"/>'
    """
    import re

    digits = re.compile(rb"(\.\d\d)\d+")
    return re.sub(rb' d="[^"]*"', lambda m: digits.sub(rb"\1", m.group(0)), raw)


#: What makes a saved file depend on the moment it was written, left out: the date in SVG and
#: PDF metadata. With :func:`reproducible_save` the same figure is the same bytes.
_UNDATED = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}


def reproducible_save(fig: Figure, target, fmt: str, bbox: Bbox | str,
                      dpi: float = 150) -> None:
    """``fig.savefig`` to ``target`` (a path or a file object) as ``fmt``, the same bytes for the
    same figure: no date in the metadata, and SVG element ids from a fixed salt instead of a
    random one.

    Examples
    --------
    >>> import io, matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(figsize=(3, 2))
    >>> _ = fig.add_subplot().plot([0, 1])
    >>> a, b = io.BytesIO(), io.BytesIO()
    >>> reproducible_save(fig, a, "svg", "tight"); reproducible_save(fig, b, "svg", "tight")
    >>> a.getvalue() == b.getvalue(), b"<dc:date>" in a.getvalue()
    (True, False)
    >>> plt.close(fig)
    """
    with matplotlib.rc_context({"svg.hashsalt": "sco-research"}):
        fig.savefig(target, format=fmt, bbox_inches=bbox, dpi=dpi,
                    metadata=_UNDATED.get(fmt))


def save_figure(fig: Figure, output_dir: str | None, name: str,
                formats: Sequence[str] = ("png",)) -> list[str]:
    """Save ``fig`` as ``output_dir/name.<fmt>`` for each format; do nothing if no folder.

    Each file is written to a temporary name first and renamed, so a failed save never leaves
    half a file. Returns the paths written.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> save_figure(plt.figure(), None, "empty")
    []
    """
    import os
    from pathlib import Path

    from ._checks import check_choices

    if output_dir is None or output_dir == "":
        return []
    fmts = check_choices("formats", formats, ("png", "svg", "pdf"), kind="format")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with measured_once(fig, dpi=150) as bbox:
        for fmt in fmts:
            target = out / f"{name}.{fmt}"
            tmp = out / f".{name}.{os.getpid()}.tmp.{fmt}"
            reproducible_save(fig, tmp, fmt, bbox)
            os.replace(tmp, target)
            written.append(str(target))
    return written
