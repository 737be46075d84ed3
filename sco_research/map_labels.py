"""State names on a membership map: which fit, where they go, how they look.

Drawing only: :func:`write_labels` takes the projected frame and the states to name.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import matplotlib.patheffects as pe
from matplotlib.axes import Axes

from .geometry import EXTENTS

INK = "#1a1a1a"
#: Offsets (points) and alignment of labels that would collide, with a leader line.
_LABEL_OFFSETS = {
    "KWT": (-12, 8, "right"),
    "BHR": (22, 10, "left"),
    "QAT": (-10, -22, "right"),
    "ARE": (16, -14, "left"),
    "ARM": (-12, -14, "right"),
    "AZE": (14, 8, "left"),
    "MDV": (-10, 0, "right"),
    "LKA": (12, -6, "left"),
    "NPL": (-4, 12, "right"),
    "KGZ": (14, 9, "left"),
    "TJK": (14, -7, "left"),
    "KHM": (12, -8, "left"),
    "LAO": (14, 6, "left"),
}
_LABEL_SIZE = 7.0



def write_labels(ax: Axes, frame: gpd.GeoDataFrame, view: tuple[float, float, float, float],
                 extent: str, to_label: Sequence[str], *, names: dict[str, str],
                 bold: Sequence[str], dots: Sequence[str], centred: bool,
                 font_scale: float = 1.0, axes_width_in: float | None = None) -> list[str]:
    """Write the names of ``to_label`` (ISO codes) that fit inside the view; return them.

    Names go at each state's label point, or at an offset with a leader line where they would
    collide (:data:`_LABEL_OFFSETS`); ``centred`` puts every name at its point (small maps).
    A name whose estimated box would leave the view is skipped.
    """
    ext = EXTENTS[extent]
    x0, x1, y0, y1 = view
    texts: list[str] = []
    # Points per data unit, to keep whole labels inside the frame.
    if axes_width_in is None:
        axes_width_in = ax.get_position().width * ax.figure.get_figwidth()
    unit = (x1 - x0) / (axes_width_in * 72.0)
    for iso3 in dict.fromkeys(to_label):
        if iso3 not in frame.index:
            continue
        row = frame.loc[iso3]
        name = names.get(iso3, row["name"])
        heavy = iso3 in bold
        size = _LABEL_SIZE * ext.label_scale * font_scale
        if iso3 in ("RUS", "CHN", "IND", "KAZ"):
            size *= 1.15
        if centred or extent == "world":
            dx, dy, ha = 0, 0, "center"
        else:
            dx, dy, ha = _LABEL_OFFSETS.get(iso3, (0, 0, "center"))
        if iso3 in dots and (dx, dy) == (0, 0):
            dx, ha = 6, "left"
        # Estimated extent of the text, in data units; skip labels that would not fit.
        w = len(name) * size * (0.62 if heavy else 0.56) * unit
        lx = row["px"] + dx * unit - {"left": 0.0, "center": w / 2, "right": w}[ha]
        ly = row["py"] + dy * unit
        half_h = 0.6 * size * unit
        if lx < x0 or lx + w > x1 or ly - half_h < y0 or ly + half_h > y1:
            continue
        arrow = None
        if abs(dx) + abs(dy) > 12:
            # No patchA: clipping the line at the text box is slow and not needed.
            arrow = {"arrowstyle": "-", "color": "#555555", "lw": 0.5, "patchA": None,
                     "shrinkA": 3, "shrinkB": 1}
        t = ax.annotate(
            name, (row["px"], row["py"]), xytext=(dx, dy), textcoords="offset points",
            ha=ha, va="center", fontsize=size, color=INK,
            fontweight="bold" if heavy else "normal", arrowprops=arrow, zorder=7,
            annotation_clip=True,
        )
        t.set_path_effects([pe.withStroke(linewidth=2.2, foreground="white", alpha=0.85)])
        t.set_gid(f"label-{iso3}")
        texts.append(iso3)
    return texts
