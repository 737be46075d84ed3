"""Maps of SCO membership: who held which status on any date, and how the organisation grew.

The country polygons are bundled in ``data/geo/countries.parquet`` (Natural Earth 1:10m,
version 5.1.1, public domain; see ``scripts/build_geometries.py`` and the ``geo`` resource of
``datapackage.json``). Nothing is downloaded. Maps are drawn with matplotlib in an equal-area
conic projection (geopandas ``to_crs``; no cartopy) and use the Okabe–Ito colours of
:data:`sco_research._plotting.STATUS_COLORS`.

Borders are Natural Earth's German point-of-view edition: Kashmir is divided along the lines of
control, Crimea is drawn as part of Ukraine. Every map says so in its source line.

geopandas, shapely and matplotlib are imported by this module only, never at
``import sco_research``.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from sco_research import maps
>>> fig = maps.membership_map("2024-07-04")
>>> fig.axes[0].get_title(loc="left")
'The SCO on 4 July 2024'
>>> sorted(fig._sco_map["new"])
['BLR']
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.plotting import patch_from_polygon

from ._checks import FOUNDING_DATE, DateLike, check_choice, check_choices, parse_date
from ._plotting import (
    PALETTE,
    STATUS_COLORS,
    STATUS_LABELS,
    add_source_line,
    house_style,
    set_title,
)
from .data import default_package, load
from .errors import DataError, ParameterError
from .membership import STATUSES, membership_as_of, membership_changes

__all__ = [
    "EXTENTS",
    "BORDERS_NOTE",
    "load_geometries",
    "membership_map",
    "expansion_panels",
    "membership_timeline_chart",
    "explore",
    "enlargement_dates",
    "check_parameters",
]

#: What the borders are, written under every map.
BORDERS_NOTE = (
    "Borders: Natural Earth 1:10m v5.1.1 (public domain), German point-of-view edition: Kashmir "
    "divided along the lines of control, Crimea shown as part of Ukraine. Borders are not an "
    "endorsement of any claim. States too small to see are drawn as dots."
)

LAND = "#dedede"
OCEAN = "#f3f6f8"
BORDER = "#ffffff"
INK = "#1a1a1a"
#: States smaller than this (km2) are drawn as a dot at their label point.
DOT_BELOW_KM2 = 3000.0


@dataclass(frozen=True)
class _Extent:
    """A map frame: projection, the lon/lat box drawn, and the lon/lat box kept in view."""

    crs: str
    clip: tuple[float, float, float, float] | None
    #: lon/lat points the frame must show; the view is their projected bounds plus ``margin``.
    view: tuple[tuple[float, float], ...]
    margin: tuple[float, float, float, float]
    width: float
    label_scale: float
    #: Only states at least this large (km2) are named, besides the outlined ones.
    min_label_km2: float
    legend_loc: str


#: The map frames ``membership_map`` accepts.
EXTENTS: dict[str, _Extent] = {
    # Albers equal-area conic centred on Central Asia: Egypt to the Bering Strait, the Maldives
    # to the Arctic coast.
    "eurasia": _Extent(
        crs="+proj=aea +lat_0=45 +lon_0=85 +lat_1=25 +lat_2=60 +datum=WGS84 +units=m +no_defs",
        clip=(-40.0, -30.0, 200.0, 90.0),
        view=((24.0, 22.0), (25.0, 31.5), (73.0, -1.0), (107.0, 9.0), (146.0, 43.0),
              (100.0, 77.5), (28.0, 56.0), (23.0, 52.0)),
        margin=(0.02, 0.01, 0.02, 0.02),
        width=9.5,
        label_scale=1.0,
        min_label_km2=0.0,
        legend_loc="lower left",
    ),
    # The member states and their neighbours, closer up.
    "central_asia": _Extent(
        crs="+proj=aea +lat_0=40 +lon_0=75 +lat_1=25 +lat_2=50 +datum=WGS84 +units=m +no_defs",
        clip=(0.0, -10.0, 160.0, 90.0),
        view=((44.0, 24.0), (62.0, 20.0), (90.0, 21.0), (110.0, 35.0), (90.0, 56.0),
              (60.0, 56.0), (42.0, 50.0)),
        margin=(0.02, 0.02, 0.02, 0.02),
        width=9.5,
        label_scale=1.1,
        min_label_km2=0.0,
        legend_loc="upper right",
    ),
    # The whole world in the Equal Earth projection.
    "world": _Extent(
        crs="EPSG:8857",
        clip=None,
        view=((-180.0, 0.0), (180.0, 0.0), (0.0, -58.0), (0.0, 84.0)),
        margin=(0.0, 0.0, 0.0, 0.0),
        width=10.0,
        label_scale=0.85,
        min_label_km2=1.2e6,
        legend_loc="lower left",
    ),
}

#: Label anchors (lon, lat) where Natural Earth's label point does not suit these maps.
_LABEL_ANCHORS = {"RUS": (96.0, 62.0), "CHN": (102.0, 33.5), "IND": (78.5, 21.5),
                  "KAZ": (67.5, 48.0), "EGY": (29.5, 26.0), "SAU": (43.0, 23.5),
                  "AFG": (65.5, 33.8), "PAK": (68.0, 28.5)}
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
_SHORT_NAMES = {"ARE": "UAE"}
_LABEL_SIZE = 7.0

_LOCK = threading.RLock()


# -- geometries -------------------------------------------------------------------------------


def _geo_path():
    pkg = default_package()
    resource = pkg.resources.get("geo")
    if resource is None:
        raise DataError(
            f"{pkg.descriptor_path}: no 'geo' resource; run scripts/build_geometries.py"
        )
    return pkg.base / resource["path"]


@lru_cache(maxsize=4)
def _read_geometries(path: str) -> gpd.GeoDataFrame:
    try:
        return gpd.read_parquet(path)
    except FileNotFoundError:
        raise DataError(
            f"country geometries not found: {path}; rebuild them with "
            "scripts/build_geometries.py"
        ) from None


def load_geometries() -> gpd.GeoDataFrame:
    """The bundled country polygons (read once, then cached).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per country or territory, in EPSG:4326: ``iso3`` (ISO 3166-1 alpha-3, or
        Natural Earth's own code where there is none, see ``is_iso``), ``name``, ``is_iso``,
        ``label_x``/``label_y`` (label point, lon/lat), ``area_km2`` and ``geometry``.

    Raises
    ------
    DataError
        If the file is missing.

    Examples
    --------
    >>> geo = load_geometries()
    >>> geo.crs.to_epsg()
    4326
    >>> {"BHR", "MDV", "FRA", "NOR"} <= set(geo["iso3"])
    True
    """
    with _LOCK:
        return _read_geometries(str(_geo_path())).copy()


load_geometries.cache_clear = _read_geometries.cache_clear  # type: ignore[attr-defined]


@lru_cache(maxsize=8)
def _frame(extent: str, path: str) -> tuple[gpd.GeoDataFrame, tuple[float, float, float, float]]:
    """Geometries clipped and projected for ``extent``, and the view limits (x0, x1, y0, y1)."""
    ext = EXTENTS[extent]
    geo = _read_geometries(path)
    if ext.clip is not None:
        geoms = shapely.clip_by_rect(geo.geometry.values, *ext.clip)
        geo = geo.set_geometry(gpd.GeoSeries(geoms, index=geo.index, crs=geo.crs))
        geo = geo[~geo.geometry.is_empty]
    lon = geo["label_x"].to_numpy(float).copy()
    lat = geo["label_y"].to_numpy(float).copy()
    for i, iso3 in enumerate(geo["iso3"]):
        if iso3 in _LABEL_ANCHORS and extent != "world":
            lon[i], lat[i] = _LABEL_ANCHORS[iso3]
    out = geo.to_crs(ext.crs)
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=geo.crs).to_crs(ext.crs)
    out = out.assign(px=pts.x.to_numpy(), py=pts.y.to_numpy())
    out = out.set_index("iso3", drop=False)
    # View: the projected bounds of the points the frame must show, plus margins.
    lons, lats = zip(*ext.view, strict=True)
    pts = gpd.GeoSeries(gpd.points_from_xy(lons, lats), crs=geo.crs).to_crs(ext.crs)
    x0, x1, y0, y1 = pts.x.min(), pts.x.max(), pts.y.min(), pts.y.max()
    left, bottom, right, top = ext.margin
    w, h = x1 - x0, y1 - y0
    view = (float(x0 - left * w), float(x1 + right * w), float(y0 - bottom * h),
            float(y1 + top * h))
    return out, view


# -- arguments --------------------------------------------------------------------------------


def check_parameters(
    as_of: DateLike = "today",
    extent: str = "eurasia",
    highlight: str | Iterable[str] = (),
    statuses: str | Iterable[str] | None = None,
) -> tuple[pd.Timestamp, tuple[str, ...], tuple[str, ...]]:
    """Check the arguments of :func:`membership_map`; return the date, highlight and statuses.

    Raises
    ------
    ParameterError
        For a date before 2001-06-15 or unreadable, an unknown extent, an unknown status or an
        ISO code without a geometry (the message suggests close matches and lists the allowed
        values).

    Examples
    --------
    >>> check_parameters("2017-06-09", "eurasia", ["IND"])[1]
    ('IND',)
    >>> check_parameters("2017-06-09", "eurasia", ["INDD"])
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: highlight: unknown ISO 3166-1 alpha-3 code 'INDD'; \
did you mean 'IND'? Allowed: ...
    """
    day = parse_date("as_of", as_of)
    check_choice("extent", extent, EXTENTS, kind="extent")
    wanted = check_choices("statuses", statuses, STATUSES, kind="status") or STATUSES
    codes = sorted(_read_geometries(str(_geo_path()))["iso3"])
    marked = check_choices("highlight", highlight, codes, kind="ISO 3166-1 alpha-3 code")
    return day, marked, tuple(s for s in STATUSES if s in wanted)


# -- membership facts used by the maps --------------------------------------------------------


def enlargement_dates() -> list[pd.Timestamp]:
    """The founding, each day new members were admitted, and every status change since the last.

    These are the default dates of :func:`expansion_panels`.

    Examples
    --------
    >>> [d.date().isoformat() for d in enlargement_dates()][:4]
    ['2001-06-15', '2017-06-09', '2023-07-04', '2024-07-04']
    """
    ch = membership_changes()
    accessions = sorted(set(ch.loc[ch["to"] == "member", "date"]))
    later = sorted(set(ch.loc[ch["date"] > accessions[-1], "date"]))
    return [pd.Timestamp(d) for d in accessions + later]


def _newcomers(day: pd.Timestamp) -> tuple[pd.Timestamp | None, dict[str, str]]:
    """The latest day, on or before ``day``, on which states joined, and who joined then.

    Joining means a first SCO status, or admission as a member. A mere renaming of a status
    (as on 2025-09-01, when observers and dialogue partners all became partners) is not.
    """
    ch = membership_changes()
    joining = ch["to"].notna() & (ch["from"].isna() | (ch["to"] == "member"))
    joins = ch[(ch["date"] <= day) & joining]
    if joins.empty:
        return None, {}
    last = joins["date"].max()
    rows = joins[joins["date"] == last]
    return pd.Timestamp(last), dict(zip(rows["iso3"].astype(str), rows["to"], strict=True))


def _fmt_day(day: pd.Timestamp, short: bool = False) -> str:
    return f"{day.day} {day:%b %Y}" if short else f"{day.day} {day:%B %Y}"


def _plural(n: int, status: str) -> str:
    label = STATUS_LABELS[status].lower()
    return f"{n} {label}" + ("" if n == 1 else "s")


# -- drawing ----------------------------------------------------------------------------------


def _patch(geom, **kw):
    return patch_from_polygon(geom, **kw)


def _draw(
    ax: Axes,
    day: pd.Timestamp,
    extent: str,
    *,
    highlight: Sequence[str] = (),
    statuses: Sequence[str] = STATUSES,
    labels: bool = True,
    label_new_only: bool = False,
    font_scale: float = 1.0,
    axes_width_in: float | None = None,
) -> dict:
    """Draw the membership map of ``day`` into ``ax``; return what was drawn."""
    frame, (x0, x1, y0, y1) = _frame(extent, str(_geo_path()))
    ext = EXTENTS[extent]
    held = membership_as_of(day, statuses=list(statuses))
    status_of = dict(zip(held["iso3"].astype(str), held["status"].astype(str), strict=True))
    name_of = dict(zip(held["iso3"].astype(str), held["country"].astype(str), strict=True))
    joined_on, newcomers = _newcomers(day)
    new = {iso: s for iso, s in newcomers.items() if status_of.get(iso) == s}

    ax.set_facecolor(OCEAN)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#bbbbbb")
        spine.set_linewidth(0.5)
    ax.set_xticks([])
    ax.set_yticks([])

    others = frame[~frame.index.isin(list(status_of))]
    base = PatchCollection([_patch(g) for g in others.geometry.values], facecolor=LAND,
                           edgecolor=BORDER, linewidth=0.3, zorder=1)
    base.set_gid("land")
    ax.add_collection(base)

    drawn: dict[str, list[str]] = {s: [] for s in statuses}
    dots: list[str] = []
    for iso3, status in status_of.items():
        if iso3 not in frame.index:
            continue
        row = frame.loc[iso3]
        color = STATUS_COLORS[status]
        if row["area_km2"] < DOT_BELOW_KM2:
            art = ax.scatter([row["px"]], [row["py"]], s=26 * font_scale, color=color,
                             edgecolor="#333333", linewidth=0.5, zorder=5)
            dots.append(iso3)
        else:
            art = _patch(row.geometry, facecolor=color, edgecolor=BORDER, linewidth=0.35,
                         zorder=2)
            ax.add_artist(art)  # limits are set below: add_patch would scan every vertex
        art.set_gid(f"country-{iso3}")
        drawn[status].append(iso3)

    outlined = list(dict.fromkeys([*new, *highlight]))
    for iso3 in outlined:
        if iso3 not in frame.index:
            continue
        row = frame.loc[iso3]
        width = 1.8 if iso3 in highlight else 1.1
        if row["area_km2"] < DOT_BELOW_KM2:
            art = ax.scatter([row["px"]], [row["py"]], s=70 * font_scale, facecolor="none",
                             edgecolor=INK, linewidth=width, zorder=6)
        else:
            art = _patch(row.geometry, facecolor="none", edgecolor=INK, linewidth=width,
                         zorder=4)
            ax.add_artist(art)
        art.set_gid(f"outline-{iso3}")

    texts = []
    if labels or label_new_only:
        if label_new_only and not labels:
            # Many newcomers at once (the founders): name the large ones only.
            to_label = [i for i in outlined if len(outlined) <= 3
                        or (i in frame.index and frame.loc[i, "area_km2"] >= 4e5)]
        else:
            big = [i for i in status_of
                   if i in frame.index and frame.loc[i, "area_km2"] >= ext.min_label_km2]
            to_label = [*big, *outlined]
        # Points per data unit, to keep whole labels inside the frame.
        if axes_width_in is None:
            axes_width_in = ax.get_position().width * ax.figure.get_figwidth()
        unit = (x1 - x0) / (axes_width_in * 72.0)
        for iso3 in dict.fromkeys(to_label):
            if iso3 not in frame.index:
                continue
            row = frame.loc[iso3]
            name = _SHORT_NAMES.get(iso3, name_of.get(iso3, row["name"]))
            bold = iso3 in outlined or status_of.get(iso3) == "member"
            size = _LABEL_SIZE * ext.label_scale * font_scale
            if iso3 in ("RUS", "CHN", "IND", "KAZ"):
                size *= 1.15
            if label_new_only or extent == "world":
                dx, dy, ha = 0, 0, "center"
            else:
                dx, dy, ha = _LABEL_OFFSETS.get(iso3, (0, 0, "center"))
            if iso3 in dots and (dx, dy) == (0, 0):
                dx, ha = 6, "left"
            # Estimated extent of the text, in data units; skip labels that would not fit.
            w = len(name) * size * (0.62 if bold else 0.56) * unit
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
                fontweight="bold" if bold else "normal", arrowprops=arrow, zorder=7,
                annotation_clip=True,
            )
            t.set_path_effects([pe.withStroke(linewidth=2.2, foreground="white", alpha=0.85)])
            t.set_gid(f"label-{iso3}")
            texts.append(iso3)

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    counts = {s: int((held["status"] == s).sum()) for s in statuses}
    return {
        "as_of": day,
        "extent": extent,
        "drawn": drawn,
        "dots": dots,
        "labels": texts,
        "counts": counts,
        "new": new,
        "joined_on": joined_on,
        "highlight": list(highlight),
        "source_ids": list(dict.fromkeys(held["source_id"].astype(str))),
        "outside": [iso for iso in status_of if iso not in frame.index],
    }


def _legend(ax: Axes, info: dict, *, loc: str = "lower left", fontsize: float = 8,
            **kw) -> None:
    handles = [
        Patch(facecolor=STATUS_COLORS[s], edgecolor="none",
              label=f"{STATUS_LABELS[s]} ({n})")
        for s, n in info["counts"].items() if n > 0
    ]
    if info["new"] and info["joined_on"] is not None:
        handles.append(Patch(facecolor="none", edgecolor=INK, linewidth=1.1,
                             label=f"Joined {_fmt_day(info['joined_on'], short=True)}"))
    if info["highlight"]:
        handles.append(Patch(facecolor="none", edgecolor=INK, linewidth=1.8,
                             label="Highlighted"))
    if info["dots"]:
        handles.append(Line2D([], [], marker="o", ls="none", color=PALETTE["grey"],
                              markeredgecolor="#333333", markeredgewidth=0.5, markersize=5,
                              label="Small state"))
    leg = ax.legend(handles=handles, loc=loc, fontsize=fontsize, frameon=True,
                    framealpha=0.92, facecolor="white", edgecolor="#cccccc",
                    title_fontsize=fontsize, borderpad=0.6, handlelength=1.4, **kw)
    leg.set_zorder(10)
    leg.set_gid("legend")


def _summary(info: dict) -> str:
    parts = [_plural(n, s) for s, n in info["counts"].items() if n > 0]
    if not parts:
        return "No state held the selected statuses"
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[0].upper() + text[1:]


def membership_map(
    as_of: DateLike = "today",
    extent: str = "eurasia",
    highlight: str | Iterable[str] = (),
    statuses: str | Iterable[str] | None = STATUSES,
    labels: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """Map of the states holding each SCO status on ``as_of``.

    Members, observers, dialogue partners and partners are filled in colour-blind-safe colours;
    the legend counts the states in each status. The states that joined most recently, on or
    before ``as_of`` (a first status, or admission as a member), are outlined in black, and so
    are the states in ``highlight`` (thicker). States too small to see (Bahrain, the Maldives)
    are drawn as dots. The source line under the map cites the membership rows drawn and says
    whose borders the map uses.

    Parameters
    ----------
    as_of : str, datetime.date or pandas.Timestamp, default "today"
        The day to map: ``"YYYY-MM-DD"``, ``"today"``, a date or a Timestamp; not before the
        founding, 2001-06-15.
    extent : {"eurasia", "central_asia", "world"}, default "eurasia"
        Map frame (see :data:`EXTENTS`).
    highlight : str or sequence of str, default ()
        ISO 3166-1 alpha-3 codes of states to outline and label, whatever their status.
    statuses : str or sequence of str, default all
        The statuses to draw (see :data:`sco_research.STATUSES`).
    labels : bool, default True
        Write the names of the states drawn.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (the map's figure is then ``ax.figure``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure. ``fig._sco_map`` records what was drawn: ``drawn`` (ISO codes per status),
        ``counts``, ``new``, ``joined_on``, ``source_ids``; ``fig._sco_source_line`` holds the
        source line.

    Raises
    ------
    ParameterError
        For a date before 2001-06-15, an unknown extent or status, or an unknown ISO code in
        ``highlight`` (with close matches).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = membership_map("2017-06-09", highlight=["IND", "PAK"])
    >>> fig._sco_map["counts"]["member"]
    8
    >>> sorted(fig._sco_map["new"])
    ['IND', 'PAK']
    >>> membership_map("2000-01-01")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: as_of: '2000-01-01' is before the SCO was founded \
(2001-06-15); give a date on or after 2001-06-15
    """
    day, marked, wanted = check_parameters(as_of, extent, highlight, statuses)
    ext = EXTENTS[extent]
    _, (x0, x1, y0, y1) = _frame(extent, str(_geo_path()))
    if ax is None:
        # Axes as wide as the figure less its margins; room above for the title and key.
        height = (ext.width - 0.25) * (y1 - y0) / (x1 - x0) + 0.62
        with house_style():
            fig, ax = plt.subplots(figsize=(ext.width, height), layout="constrained")
        width_in = ext.width - 0.25
    else:
        fig, width_in = ax.figure, None
    info = _draw(ax, day, extent, highlight=marked, statuses=wanted, labels=bool(labels),
                 axes_width_in=width_in)
    _legend(ax, info, loc=ext.legend_loc)
    subtitle = _summary(info)
    if info["new"]:
        names = ", ".join(_SHORT_NAMES.get(i, _name(i)) for i in info["new"])
        subtitle += f". Outlined: joined on {_fmt_day(info['joined_on'])} ({names})"
    set_title(ax, f"The SCO on {_fmt_day(day)}", subtitle)
    note = BORDERS_NOTE
    if info["outside"]:
        note = f"Outside this frame: {', '.join(_name(i) for i in info['outside'])}. " + note
    _source_line(fig, info["source_ids"], note=note, width=170)
    fig._sco_map = info  # type: ignore[attr-defined]
    return fig


def _source_line(fig: Figure, source_ids: Iterable[str], *, note: str | None = None,
                 width: int = 170) -> str:
    """:func:`add_source_line` with the note wrapped beforehand.

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


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    m = load("membership")
    return dict(zip(m["iso3"].astype(str), m["country"].astype(str), strict=True))


def _name(iso3: str) -> str:
    if iso3 in _names():
        return _names()[iso3]
    geo = _read_geometries(str(_geo_path())).set_index("iso3")
    return str(geo.loc[iso3, "name"]) if iso3 in geo.index else iso3


# -- small multiples --------------------------------------------------------------------------


def expansion_panels(dates: Iterable[DateLike] | None = None, extent: str = "eurasia") -> Figure:
    """Small multiples: the membership map at each enlargement of the SCO.

    Parameters
    ----------
    dates : sequence of dates, optional
        The days to map, at most 9 (default: :func:`enlargement_dates`, i.e. 2001, 2017, 2023,
        2024 and the changes since).
    extent : str, default "eurasia"
        Map frame of every panel (see :data:`EXTENTS`).

    Returns
    -------
    matplotlib.figure.Figure
        ``fig._sco_panels`` lists, per panel, what was drawn (as ``membership_map`` records it).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = expansion_panels(["2001-06-15", "2017-06-09"])
    >>> [p["counts"]["member"] for p in fig._sco_panels]
    [6, 8]
    """
    if dates is None:
        days = enlargement_dates()
    else:
        if isinstance(dates, (str, pd.Timestamp)) or not isinstance(dates, Iterable):
            dates = [dates]
        days = [parse_date("dates", d) for d in dates]
        if not days:
            raise ParameterError("dates: got an empty list; give at least one date, or None")
        if len(days) > 9:
            raise ParameterError(f"dates: got {len(days)} dates; at most 9 panels fit")
    check_choice("extent", extent, EXTENTS, kind="extent")
    days = sorted(dict.fromkeys(days))
    n = len(days)
    ncols = min(3, n + 1)
    nrows = -(-(n + 1) // ncols)
    _, (x0, x1, y0, y1) = _frame(extent, str(_geo_path()))
    panel_w = 3.6
    panel_h = panel_w * (y1 - y0) / (x1 - x0) + 0.35
    with house_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(panel_w * ncols, panel_h * nrows + 0.8),
                                 layout="constrained", squeeze=False)
    infos, sources = [], []
    for ax, day in zip(axes.flat, days, strict=False):
        info = _draw(ax, day, extent, labels=False, label_new_only=True, font_scale=0.9,
                     axes_width_in=panel_w - 0.15)
        infos.append(info)
        sources.extend(info["source_ids"])
        ax.set_title(f"{_fmt_day(day)}", loc="left", fontsize=9.5, fontweight="bold", pad=14)
        ax.text(0, 1.01, _summary(info), transform=ax.transAxes, fontsize=7.5, color="#444444",
                va="bottom", ha="left")
    key = axes.flat[n]
    key.set_axis_off()
    handles = [Patch(facecolor=STATUS_COLORS[s], label=STATUS_LABELS[s]) for s in STATUSES
               if any(i["counts"].get(s) for i in infos)]
    handles.append(Patch(facecolor="none", edgecolor=INK, linewidth=1.1,
                         label="Joined on that day"))
    key.legend(handles=handles, loc="center left", frameon=False, fontsize=9,
               title="Status on each date", title_fontsize=9, alignment="left")
    for ax in list(axes.flat)[n + 1:]:
        ax.set_axis_off()
    fig.suptitle("How the Shanghai Cooperation Organisation grew", x=0.01, ha="left",
                 fontsize=12, fontweight="bold")
    _source_line(fig, sources, note=BORDERS_NOTE, width=190)
    fig._sco_panels = infos  # type: ignore[attr-defined]
    return fig


# -- timeline chart ---------------------------------------------------------------------------


def _summit_label(event_id: str) -> str:
    parts = event_id.split("-")[2:]
    online = parts and parts[0] in ("videoconference", "virtual")
    city = " ".join(p.capitalize() for p in (parts[1:] if online else parts))
    return f"{city} (online)" if online else city


def membership_timeline_chart(end: DateLike = "today") -> Figure:
    """One bar per state, coloured by its SCO status over time, with the summits marked.

    Parameters
    ----------
    end : date, default "today"
        Right edge of the chart; statuses still held are drawn up to it.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig._sco_timeline`` holds the bars drawn (``iso3``, ``status``, ``start``, ``end``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = membership_timeline_chart()
    >>> bars = fig._sco_timeline
    >>> bars.loc[bars["iso3"] == "IND", "status"].tolist()
    ['observer', 'member']
    """
    import matplotlib.dates as mdates

    stop = parse_date("end", end)
    m = load("membership")
    m = m[m["start"] <= stop].copy()
    m["end"] = m["end"].fillna(stop).clip(upper=stop)
    first = m.groupby("iso3")["start"].min()
    best = m.groupby("iso3")["status"].apply(lambda s: min(STATUSES.index(str(v)) for v in s))
    order = (
        pd.DataFrame({"first": first, "best": best, "name": m.groupby("iso3")["country"].first()})
        .sort_values(["first", "best", "name"]).index.tolist()
    )
    ypos = {iso3: i for i, iso3 in enumerate(order)}
    height = 0.22 * len(order) + 2.4
    with house_style():
        fig, ax = plt.subplots(figsize=(9.5, height), layout="constrained")
    ax.spines["left"].set_visible(False)
    for rec in m.itertuples(index=False):
        start = mdates.date2num(rec.start)
        width = mdates.date2num(rec.end) - start
        ax.broken_barh([(start, max(width, 1.0))], (ypos[rec.iso3] - 0.36, 0.72),
                       facecolors=STATUS_COLORS[str(rec.status)], edgecolor="white",
                       linewidth=0.4, gid=f"bar-{rec.iso3}-{rec.status}")
    ax.set_yticks(range(len(order)), [m.loc[m["iso3"] == i, "country"].iloc[0] for i in order])
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.invert_yaxis()
    ax.set_ylim(len(order) - 0.4, -5.2)
    ax.set_xlim(mdates.date2num(FOUNDING_DATE - pd.Timedelta(days=120)),
                mdates.date2num(stop + pd.Timedelta(days=120)))
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="x", labelsize=8)

    ev = load("events")
    summits = ev[(ev["kind"] == "summit") & (ev["date"] <= stop)].sort_values("date")
    for rec in summits.itertuples(index=False):
        ax.vlines(rec.date, -0.5, len(order) - 0.5, color="#9a9a9a", lw=0.5, ls=(0, (2, 2)),
                  zorder=0, gid=f"summit-{rec.event_id}")
        ax.text(rec.date, -0.65, _summit_label(rec.event_id), rotation=90, ha="center",
                va="bottom", fontsize=6.5, color="#555555", gid=f"summit-label-{rec.event_id}")

    handles = [Patch(facecolor=STATUS_COLORS[s], label=STATUS_LABELS[s]) for s in STATUSES
               if (m["status"] == s).any()]
    handles.append(Line2D([], [], color="#9a9a9a", lw=0.8, ls=(0, (2, 2)),
                          label="Summit (venue above)"))
    # The lower left of the chart is empty: the states there joined late.
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False,
              title="Status", title_fontsize=8, alignment="left")
    n_members = int(((m["status"] == "member") & (m["end"] >= stop)).sum())
    set_title(ax, "Two decades of SCO enlargement",
              f"Status of each state from the founding on {_fmt_day(FOUNDING_DATE)} to "
              f"{_fmt_day(stop)}; {n_members} members at the end")
    _source_line(fig, [*m["source_id"].astype(str), *summits["source_id"].astype(str)],
                 width=170)
    fig._sco_timeline = m[["iso3", "country", "status", "start", "end"]].reset_index(drop=True)
    return fig


# -- interactive --------------------------------------------------------------------------------


def _slider_dates(stop: pd.Timestamp) -> list[pd.Timestamp]:
    months = pd.date_range(FOUNDING_DATE, stop, freq="MS")
    changes = membership_changes()["date"]
    days = {FOUNDING_DATE, stop, *months, *changes[changes <= stop]}
    return sorted(pd.Timestamp(d) for d in days)


def explore(extent: str = "eurasia", start: DateLike = "today", labels: bool = True):
    """An interactive map: a date slider (ipywidgets) that redraws :func:`membership_map`.

    Runs in JupyterLab or Jupyter Notebook. The slider steps through the first day of every
    month and every day on which a status changed.

    Parameters
    ----------
    extent : str, default "eurasia"
        Map frame (see :data:`EXTENTS`).
    start : date, default "today"
        The date shown first.
    labels : bool, default True
        Write state names.

    Returns
    -------
    ipywidgets.VBox
        The slider above the map. ``box.redraw(date)`` redraws for a date; ``box.last`` holds
        what the last map drew.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> box = explore(start="2017-06-09")
    >>> box.last["counts"]["member"]
    8
    """
    import ipywidgets as widgets
    from IPython import get_ipython
    from IPython.display import display

    check_choice("extent", extent, EXTENTS, kind="extent")
    today = parse_date("start", "today")
    first = parse_date("start", start)
    days = _slider_dates(max(today, first))
    value = max(d for d in days if d <= first)
    slider = widgets.SelectionSlider(
        options=[(f"{d:%Y-%m-%d}", d) for d in days], value=value, description="Date",
        continuous_update=False, layout=widgets.Layout(width="95%"),
    )
    out = widgets.Output()
    box = widgets.VBox([slider, out])

    def redraw(day) -> None:
        fig = membership_map(day, extent=extent, labels=labels)
        box.last = fig._sco_map
        if get_ipython() is not None:  # outside Jupyter there is nothing to show it in
            with out:
                out.clear_output(wait=True)
                display(fig)
        plt.close(fig)

    slider.observe(lambda change: redraw(change["new"]), names="value")
    box.redraw = redraw
    redraw(value)
    return box
