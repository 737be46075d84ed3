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
>>> rows = maps.membership_map_rows("2024-07-04")
>>> sorted(rows.loc[rows["new"], "iso3"])
['BLR']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.plotting import patch_from_polygon

from ._checks import DateLike, check_bool, check_choice, check_choices, check_day, parse_date
from ._days import day_words
from ._plotting import PALETTE, STATUS_COLORS, STATUS_LABELS, house_style, set_title
from ._plotting import add_wrapped_source_line as _source_line
from .data import load
from .errors import ParameterError
from .geometry import BORDERS_NOTE, EXTENTS, _read_geometries, load_geometries
from .geometry import frame as _frame
from .geometry import geo_path as _geo_path
from .map_labels import write_labels
from .membership import (
    STATUSES,
    enlargement_dates,
    held_on,
    joining_changes,
    newcomers,
)

__all__ = [
    "EXTENTS",
    "load_geometries",
    "membership_map",
    "membership_map_rows",
    "expansion_panels",
    "expansion_panels_rows",
    "enlargement_dates",
    "check_parameters",
    "check_map_parameters",
    "check_timeline_parameters",
]

LAND = "#dedede"
OCEAN = "#f3f6f8"
BORDER = "#ffffff"
INK = "#1a1a1a"
#: States smaller than this (km2) are drawn as a dot at their label point.
DOT_BELOW_KM2 = 3000.0


_SHORT_NAMES = {"ARE": "UAE"}

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
    day = parse_date("as_of", as_of, latest="today")
    check_choice("extent", extent, EXTENTS, kind="extent")
    wanted = check_choices("statuses", statuses, STATUSES, kind="status") or STATUSES
    codes = sorted(_read_geometries(str(_geo_path()))["iso3"])
    marked = check_choices("highlight", highlight, codes, kind="ISO 3166-1 alpha-3 code")
    return day, marked, tuple(s for s in STATUSES if s in wanted)


def check_map_parameters(as_of: DateLike = "today", extent: str = "eurasia",
                         highlight: str | Iterable[str] = (), labels: bool = True,
                         explorer: bool = True) -> tuple[pd.Timestamp, tuple[str, ...]]:
    """Check the parameters of notebook 02 (the membership map); return the day and highlight.

    The notebook calls it in its first cell; ``sco-research render`` calls it before any kernel
    starts. The rules of :func:`check_parameters`, and ``as_of`` may not be after today.

    Examples
    --------
    >>> check_map_parameters("2017-06-09", highlight=["IND"])
    (Timestamp('2017-06-09 00:00:00'), ('IND',))
    >>> check_map_parameters(labels="yes")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: labels: 'yes' is not a bool; give True or False
    """
    check_day("as_of", as_of)
    day, marked, _ = check_parameters(as_of, extent, highlight)
    check_bool("labels", labels)
    check_bool("explorer", explorer)
    return day, marked


# -- words ------------------------------------------------------------------------------------


def _plural(n: int, status: str) -> str:
    label = STATUS_LABELS[status].lower()
    return f"{n} {label}" + ("" if n == 1 else "s")


# -- drawing ----------------------------------------------------------------------------------


def _patch(geom, **kw):
    return patch_from_polygon(geom, **kw)


def _map_rows(day: pd.Timestamp, extent: str, highlight: Sequence[str],
              statuses: Sequence[str], joins: pd.DataFrame) -> pd.DataFrame:
    """The membership rows a map of ``day`` draws, with how each state is drawn."""
    frame, _ = _frame(extent, str(_geo_path()))
    held = held_on(day, statuses)
    joined_on, comers = newcomers(day, joins)
    iso = held["iso3"].astype(str)
    area = iso.map(frame["area_km2"]) if len(held) else pd.Series([], dtype=float)
    new = [comers.get(i) == str(s) for i, s in zip(iso, held["status"], strict=True)]
    return held.assign(
        as_of=day,
        drawn_as=["outside the frame" if pd.isna(a) else "dot" if a < DOT_BELOW_KM2
                  else "area" for a in area],
        new=new,
        joined_on=[joined_on if n else pd.NaT for n in new],
        highlighted=iso.isin(list(highlight)).to_numpy(),
    )


def _draw(
    ax: Axes,
    held: pd.DataFrame,
    extent: str,
    *,
    highlight: Sequence[str] = (),
    statuses: Sequence[str] = STATUSES,
    labels: bool = True,
    label_new_only: bool = False,
    font_scale: float = 1.0,
    axes_width_in: float | None = None,
) -> dict:
    """Draw the map of the rows ``held`` (see :func:`_map_rows`) into ``ax``; return a summary
    of what was drawn (counts, newcomers, dots, labels) for the legend and the title."""
    frame, (x0, x1, y0, y1) = _frame(extent, str(_geo_path()))
    ext = EXTENTS[extent]
    status_of = dict(zip(held["iso3"].astype(str), held["status"].astype(str), strict=True))
    name_of = dict(zip(held["iso3"].astype(str), held["country"].astype(str), strict=True))
    new_rows = held[held["new"]]
    new = dict(zip(new_rows["iso3"].astype(str), new_rows["status"].astype(str), strict=True))
    joined_on = new_rows["joined_on"].iloc[0] if len(new_rows) else None

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
        texts = write_labels(ax, frame, (x0, x1, y0, y1), extent, to_label,
                             names={**name_of, **_SHORT_NAMES},
                             bold=[i for i in to_label
                                   if i in outlined or status_of.get(i) == "member"],
                             dots=dots, centred=label_new_only, font_scale=font_scale,
                             axes_width_in=axes_width_in)

    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    counts = {s: int((held["status"] == s).sum()) for s in statuses}
    return {
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
                             label=f"Joined {day_words(info['joined_on'], short=True)}"))
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


def membership_map_rows(
    as_of: DateLike = "today",
    extent: str = "eurasia",
    highlight: str | Iterable[str] = (),
    statuses: str | Iterable[str] | None = STATUSES,
) -> pd.DataFrame:
    """Exactly the rows :func:`membership_map` draws with the same arguments.

    One row per state holding a selected status on ``as_of`` (as
    :func:`sco_research.membership_as_of`: ``iso3``, ``country``, ``status``, ``since``,
    ``source_id``), plus ``as_of``, ``drawn_as`` (``'area'``, ``'dot'`` for states too small to
    see, or ``'outside the frame'``), ``new`` (joined on ``joined_on``, the latest day states
    joined, and outlined) and ``highlighted``.

    Examples
    --------
    >>> rows = membership_map_rows("2017-06-09", highlight=["IND", "PAK"])
    >>> int((rows["status"] == "member").sum()), sorted(rows.loc[rows["new"], "iso3"])
    (8, ['IND', 'PAK'])
    """
    day, marked, wanted = check_parameters(as_of, extent, highlight, statuses)
    return _map_rows(day, extent, marked, wanted, joining_changes())


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
        The map. The rows it draws are :func:`membership_map_rows`; in the SVG every state has
        an id such as ``country-IND``.

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
    >>> fig.axes[0].get_legend().get_texts()[0].get_text()
    'Member (8)'
    >>> membership_map("2000-01-01")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: as_of: '2000-01-01' is before the SCO was founded \
(2001-06-15); give a date on or after 2001-06-15
    """
    day, marked, wanted = check_parameters(as_of, extent, highlight, statuses)
    rows = _map_rows(day, extent, marked, wanted, joining_changes())
    return _map_figure(rows, day, extent, marked, wanted, labels=bool(labels), ax=ax)


def _map_figure(rows: pd.DataFrame, day: pd.Timestamp, extent: str, marked: Sequence[str],
                wanted: Sequence[str], *, labels: bool, ax: Axes | None) -> Figure:
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
    info = _draw(ax, rows, extent, highlight=marked, statuses=wanted, labels=labels,
                 axes_width_in=width_in)
    _legend(ax, info, loc=ext.legend_loc)
    subtitle = _summary(info)
    if info["new"]:
        names = ", ".join(_SHORT_NAMES.get(i, _name(i)) for i in info["new"])
        subtitle += f". Outlined: joined on {day_words(info['joined_on'])} ({names})"
    set_title(ax, f"The SCO on {day_words(day)}", subtitle)
    note = BORDERS_NOTE
    if info["outside"]:
        note = f"Outside this frame: {', '.join(_name(i) for i in info['outside'])}. " + note
    note = _with_freshness(note, day)
    _source_line(fig, info["source_ids"], note=note, width=170)
    return fig


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


def _panel_days(dates: Iterable[DateLike] | None) -> list[pd.Timestamp]:
    if dates is None:
        return enlargement_dates()
    if isinstance(dates, (str, pd.Timestamp)) or not isinstance(dates, Iterable):
        dates = [dates]
    days = [parse_date("dates", d, latest="today") for d in dates]
    if not days:
        raise ParameterError("dates: got an empty list; give at least one date, or None")
    if len(days) > 9:
        raise ParameterError(f"dates: got {len(days)} dates; at most 9 panels fit")
    return sorted(dict.fromkeys(days))


def check_timeline_parameters(dates: Iterable[DateLike] | None = None,
                              end: DateLike = "today") -> tuple[list[pd.Timestamp], pd.Timestamp]:
    """Check the parameters of notebook 03 (panels and timeline); return the days and the end.

    The notebook calls it in its first cell; ``sco-research render`` calls it before any kernel
    starts. Every day must be readable, not before the founding and not after today; at most 9
    panels.

    Examples
    --------
    >>> check_timeline_parameters(["2017-06-09"], "2024-12-31")
    ([Timestamp('2017-06-09 00:00:00')], Timestamp('2024-12-31 00:00:00'))
    >>> check_timeline_parameters(["2017-02-30"])
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: dates: cannot read '2017-02-30' as a date; ...
    """
    for day in ([dates] if isinstance(dates, str) else dates or []):
        check_day("dates", day)
    return _panel_days(dates), check_day("end", end)


def _panels_rows(days: Sequence[pd.Timestamp], extent: str) -> pd.DataFrame:
    joins = joining_changes()
    parts = [_map_rows(day, extent, (), STATUSES, joins).assign(panel=i)
             for i, day in enumerate(days)]
    return pd.concat(parts, ignore_index=True)


def expansion_panels_rows(dates: Iterable[DateLike] | None = None,
                          extent: str = "eurasia") -> pd.DataFrame:
    """Exactly the rows :func:`expansion_panels` draws: :func:`membership_map_rows` for each
    panel's day, with ``panel`` (0 for the first) and ``as_of``.

    Examples
    --------
    >>> rows = expansion_panels_rows(["2001-06-15", "2017-06-09"])
    >>> rows[rows["status"] == "member"].groupby("panel").size().tolist()
    [6, 8]
    """
    days = _panel_days(dates)
    check_choice("extent", extent, EXTENTS, kind="extent")
    return _panels_rows(days, extent)


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
        The panels; the rows they draw are :func:`expansion_panels_rows`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = expansion_panels(["2001-06-15", "2017-06-09"])
    >>> [ax.get_title(loc="left") for ax in fig.axes[:2]]
    ['15 June 2001', '9 June 2017']
    """
    days = _panel_days(dates)
    check_choice("extent", extent, EXTENTS, kind="extent")
    rows = _panels_rows(days, extent)
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
    for i, (ax, day) in enumerate(zip(axes.flat, days, strict=False)):
        info = _draw(ax, rows[rows["panel"] == i], extent, labels=False, label_new_only=True,
                     font_scale=0.9, axes_width_in=panel_w - 0.15)
        infos.append(info)
        sources.extend(info["source_ids"])
        ax.set_title(f"{day_words(day)}", loc="left", fontsize=9.5, fontweight="bold", pad=14)
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
    _source_line(fig, sources, note=_with_freshness(BORDERS_NOTE, max(days)), width=190)
    return fig


def _with_freshness(note: str, day: pd.Timestamp) -> str:
    """The note, preceded by the words a map needs when ``day`` is past the membership record's
    last check (:func:`sco_research.freshness.freshness_note`)."""
    from .freshness import freshness_note

    fresh = freshness_note("membership", day, what="Statuses")
    return f"{fresh} {note}" if fresh else note
