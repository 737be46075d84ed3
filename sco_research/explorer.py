"""The membership explorer: an offline HTML map of SCO statuses on any day since 2001.

One HTML fragment serves the rendered reports (``explorer.html``, written by
:func:`write_explorer`), the report page of notebook 02 and JupyterLab (:func:`explore`), so the
logic exists once. The fragment holds:

- a map drawn with Bokeh (BokehJS inline, see :mod:`sco_research._bokeh`): country polygons
  simplified for the web, coloured with :data:`sco_research._plotting.STATUS_COLORS`;
- a date control: a slider over every day on which a status changed (from the founding to
  today), buttons to step between them, a Play button that steps through them all as a
  time-lapse and stops at the end (without animation when the reader prefers reduced motion),
  and a date field for any day; arrow keys move the date (the controls are in
  :mod:`sco_research._explorer_controls`);
- a summary line in the words of the static maps ("4 July 2024: 10 members, 2 observers and
  14 dialogue partners"), a legend with counts, and a table of the states on that day;
- hover and tap on a country (or a choice from a list): its status on that day, since when, the
  next change and the source, linked;
- optionally, the date in the page's URL (``?date=YYYY-MM-DD`` or ``#date=...``).

Who held which status is computed here, in Python, with
:func:`~sco_research.membership_as_of` at each day on which a status changed, and embedded as
JSON: the page only looks the day up.

Examples
--------
>>> data = explorer_data(end="2024-07-04")
>>> last = data["periods"][-1]
>>> last["start"], last["summary"]
('2024-07-04', '10 members, 2 observers and 14 dialogue partners')
>>> last["held"]["BLR"]
['member', '2024-07-04', 'kremlin-2024-07-04-sco-heads-of-state-astana']
"""

from __future__ import annotations

import html as _html
import os
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import _bokeh
from ._checks import FOUNDING_DATE, DateLike, check_bool, check_choice, parse_date
from ._days import day_words
from ._explorer_controls import controls_html
from ._files import atomic_write
from ._published import EXPLORER_FILE
from .data import load
from .errors import ParameterError
from .freshness import freshness_marks
from .membership import STATUSES, membership_as_of, membership_changes

__all__ = ["EXPLORER_FILE", "REPORT_LINK", "ExplorerView", "explorer_data", "explorer_html",
           "explorer_page", "explore", "write_explorer", "web_geometries"]

#: The explorer page seen from a report page (``reports/<name>/<name>.html`` links to
#: ``reports/explorer.html``): the link :func:`explore` puts under the map.
REPORT_LINK = f"../{EXPLORER_FILE}"

#: Simplification tolerance (metres, in the map's projection) per map frame.
#: About one screen pixel of the map at 960 px wide, so the outlines look as drawn at full
#: resolution.
_TOLERANCE_M = {"eurasia": 8000.0, "central_asia": 5000.0, "world": 15000.0}
#: Islands (parts of a state other than its largest) smaller than this (km2) are left out.
_MIN_PART_KM2 = 150.0
#: States smaller than this (km2) that ever held a status are drawn as dots, as on the maps.
_DOT_BELOW_KM2 = 3000.0
#: Holders of a status at least this large (km2) are named on the map when labels are on.
_LABEL_KM2 = {"eurasia": 1.2e5, "central_asia": 3e4, "world": 1e6}
_LAND = "#dedede"
_OCEAN = "#f3f6f8"


# -- data ---------------------------------------------------------------------------------------


def _iso(day) -> str:
    return pd.Timestamp(day).strftime("%Y-%m-%d")


def _counts_text(counts: dict[str, int]) -> str:
    from ._plotting import STATUS_LABELS

    parts = [f"{n} {STATUS_LABELS[s].lower()}" + ("" if n == 1 else "s")
             for s, n in counts.items() if n > 0]
    if not parts:
        return "no state held an SCO status"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _source(row: pd.Series) -> dict[str, str]:
    published = row["published"]
    return {"publisher": str(row["publisher"]), "title": str(row["title"]),
            "url": str(row["url"]), "published": "" if pd.isna(published) else _iso(published)}


def explorer_data(end: DateLike = "today") -> dict:
    """Who held which SCO status from the founding to ``end``, as JSON-ready data.

    The time from the founding to ``end`` is cut at every day on which a status changed; within
    one period nobody's status changes. For each period the data give the states holding a
    status (as :func:`~sco_research.membership_as_of` returns them on its first day), the counts
    per status, the summary in the words of the maps, and each state's next change.

    Parameters
    ----------
    end : date, default "today"
        The last day the explorer offers.

    Returns
    -------
    dict
        ``founding`` and ``end`` (ISO dates); ``statuses`` (key, label and colour, in order);
        ``periods``: a list of ``{"start", "counts", "summary", "held", "next", "joined"}``
        where ``held`` maps ISO3 to ``[status, since, source_id]``, ``next`` maps ISO3 to
        ``[date, status or None]`` (the state's next change after ``start``) and ``joined``
        gives the latest day on or before ``start`` on which states joined (a first status, or
        admission as a member) and those of them still in that status, outlined as on the
        static maps; ``names`` (ISO3 to country name), ``sources`` (source_id to publisher,
        title, url, published) and ``fresh`` (:func:`sco_research.freshness.freshness_marks`).

    Examples
    --------
    >>> data = explorer_data(end="2017-06-09")
    >>> [(p["start"], p["counts"]["member"]) for p in data["periods"]][-1]
    ('2017-06-09', 8)
    >>> data["periods"][0]["next"]["IND"]
    ['2005-07-05', 'observer']
    """
    from ._plotting import STATUS_COLORS, STATUS_LABELS

    stop = parse_date("end", end)
    changes = membership_changes()
    starts = sorted({FOUNDING_DATE, *(pd.Timestamp(d) for d in changes["date"] if d <= stop)})
    sources = load("sources").set_index("source_id")
    names = dict(zip(changes["iso3"].astype(str), changes["country"].astype(str), strict=True))
    # Joining, as on the static maps: a first status, or admission as a member.
    joins = changes[changes["to"].notna() & (changes["from"].isna() | (changes["to"] == "member"))]
    periods, cited = [], []
    for start in starts:
        held = membership_as_of(start)
        counts = {s: int((held["status"] == s).sum()) for s in STATUSES}
        later = changes[changes["date"] > start].drop_duplicates("iso3", keep="first")
        status_of = dict(zip(held["iso3"].astype(str), held["status"].astype(str), strict=True))
        past = joins[joins["date"] <= start]
        last = past[past["date"] == past["date"].max()]
        periods.append({
            "start": _iso(start),
            "counts": counts,
            "summary": _counts_text(counts),
            "held": {str(r.iso3): [str(r.status), _iso(r.since), str(r.source_id)]
                     for r in held.itertuples(index=False)},
            "next": {str(r.iso3): [_iso(r.date), r.to] for r in later.itertuples(index=False)},
            "joined": {"date": _iso(last["date"].iloc[0]) if len(last) else None,
                       "iso3": [str(r.iso3) for r in last.itertuples(index=False)
                                if status_of.get(str(r.iso3)) == r.to]},
        })
        cited.extend(str(s) for s in held["source_id"])
    cited = list(dict.fromkeys(cited))
    return {
        "founding": _iso(FOUNDING_DATE),
        "end": _iso(stop),
        "statuses": [{"key": s, "label": STATUS_LABELS[s], "color": STATUS_COLORS[s]}
                     for s in STATUSES],
        "periods": periods,
        "names": names,
        "sources": {sid: _source(sources.loc[sid]) for sid in cited},
        "fresh": freshness_marks("membership", "Statuses"),
    }


# -- geometry -----------------------------------------------------------------------------------


def _rings(poly, scale: float) -> list[list[list[int]]]:
    rings = [poly.exterior, *poly.interiors]
    xs = [[round(x / scale) for x in r.xy[0]] for r in rings]
    ys = [[round(y / scale) for y in r.xy[1]] for r in rings]
    return [xs, ys]


@lru_cache(maxsize=4)
def web_geometries(extent: str = "eurasia") -> dict:
    """Country shapes for the web map of ``extent``: clipped, projected, simplified, in km.

    Shared borders stay shared (``shapely.coverage_simplify``, to about a pixel of the map);
    islands under 150 km2 are left out, except a state's largest part. States that ever held an
    SCO status and are smaller than 3000 km2 become dots at their label point.

    Returns
    -------
    dict
        ``shapes``: ``iso3``, ``name``, ``xs``, ``ys`` (Bokeh ``multi_polygons`` nesting),
        ``area_km2``, ``lx``, ``ly`` (label point); ``dots``: ``iso3``, ``name``, ``x``, ``y``;
        ``view``: ``(x0, x1, y0, y1)`` in km.

    Examples
    --------
    >>> geo = web_geometries("eurasia")
    >>> "BLR" in geo["shapes"]["iso3"], "BHR" in geo["dots"]["iso3"]
    (True, True)
    """
    import geopandas as gpd
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    from .geometry import EXTENTS, load_geometries

    check_choice("extent", extent, EXTENTS, kind="extent")
    ext = EXTENTS[extent]
    geo = load_geometries()
    if ext.clip is not None:
        geo = geo.set_geometry(gpd.GeoSeries(shapely.clip_by_rect(geo.geometry.values, *ext.clip),
                                             index=geo.index, crs=geo.crs))
        geo = geo[~geo.geometry.is_empty]
    proj = geo.to_crs(ext.crs)
    labels = gpd.GeoSeries(gpd.points_from_xy(geo["label_x"], geo["label_y"]),
                           index=geo.index, crs=geo.crs).to_crs(ext.crs)
    tol = _TOLERANCE_M[extent]
    try:
        simple = shapely.coverage_simplify(proj.geometry.values, tol)
    except Exception:  # noqa: BLE001 - not a clean coverage: simplify each shape alone
        simple = shapely.simplify(proj.geometry.values, tol, preserve_topology=True)
    ever = set(load("membership")["iso3"].astype(str))
    scale = 1000.0
    shapes: dict[str, list] = {k: [] for k in ("iso3", "name", "xs", "ys", "area_km2", "lx",
                                                "ly")}
    dots: dict[str, list] = {k: [] for k in ("iso3", "name", "x", "y")}
    for i, (iso3, name, area, geom) in enumerate(zip(proj["iso3"], proj["name"],
                                                      proj["area_km2"], simple, strict=True)):
        lx, ly = float(labels.iloc[i].x) / scale, float(labels.iloc[i].y) / scale
        if iso3 in ever and area < _DOT_BELOW_KM2:
            dots["iso3"].append(str(iso3))
            dots["name"].append(str(name))
            dots["x"].append(round(lx))
            dots["y"].append(round(ly))
            continue
        parts = [geom] if isinstance(geom, Polygon) else (
            list(geom.geoms) if isinstance(geom, MultiPolygon) else
            [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)])
        parts = sorted((p for p in parts if not p.is_empty and p.area > 0),
                       key=lambda p: p.area, reverse=True)
        if not parts:
            continue
        parts = parts[:1] + [p for p in parts[1:] if p.area >= _MIN_PART_KM2 * 1e6]
        nested = [_rings(p, scale) for p in parts]
        shapes["iso3"].append(str(iso3))
        shapes["name"].append(str(name))
        shapes["xs"].append([n[0] for n in nested])
        shapes["ys"].append([n[1] for n in nested])
        shapes["area_km2"].append(float(area))
        shapes["lx"].append(round(lx))
        shapes["ly"].append(round(ly))
    lons, lats = zip(*ext.view, strict=True)
    pts = gpd.GeoSeries(gpd.points_from_xy(lons, lats), crs=geo.crs).to_crs(ext.crs)
    x0, x1, y0, y1 = (v / scale for v in (pts.x.min(), pts.x.max(), pts.y.min(), pts.y.max()))
    left, bottom, right, top = ext.margin
    w, h = x1 - x0, y1 - y0
    view = (x0 - left * w, x1 + right * w, y0 - bottom * h, y1 + top * h)
    return {"shapes": shapes, "dots": dots, "view": tuple(round(v) for v in view)}


# -- the fragment -------------------------------------------------------------------------------


def _plot(extent: str, labels: bool, uid: str):
    """The Bokeh map, its data sources, and the document-ready hook that starts the page."""
    from bokeh.document import Document
    from bokeh.models import (
        ColumnDataSource,
        CustomJS,
        HoverTool,
        PanTool,
        ResetTool,
        TapTool,
        WheelZoomTool,
    )
    from bokeh.plotting import figure

    geo = web_geometries(extent)
    x0, x1, y0, y1 = geo["view"]
    width = 960
    height = max(300, round(width * (y1 - y0) / (x1 - x0)))
    shapes = dict(geo["shapes"])
    n, m = len(shapes["iso3"]), len(geo["dots"]["iso3"])
    blank = {"fill": _LAND, "status": "", "since": "", "next": "", "publisher": "",
             "line": "#ffffff", "lw": 0.5}
    for key, value in blank.items():
        shapes[key] = [value] * n
    dots = dict(geo["dots"], **{k: [v] * m for k, v in blank.items()})
    dots["alpha"] = [0.0] * m
    countries = ColumnDataSource(shapes, name=f"{uid}-countries")
    dot_src = ColumnDataSource(dots, name=f"{uid}-dots")
    big = [i for i in range(n) if shapes["area_km2"][i] >= _LABEL_KM2[extent]]
    label_src = ColumnDataSource({"x": [shapes["lx"][i] for i in big],
                                  "y": [shapes["ly"][i] for i in big],
                                  "iso3": [shapes["iso3"][i] for i in big],
                                  "text": [""] * len(big), "ink": ["#1a1a1a"] * len(big)},
                                 name=f"{uid}-labels")
    p = figure(x_range=(x0, x1), y_range=(y0, y1), width=width, height=height,
               sizing_mode="scale_width", match_aspect=True, min_border=0,
               background_fill_color=_OCEAN, outline_line_color="#bbbbbb", tools=[],
               toolbar_location="above", name=f"{uid}-plot")
    p.axis.visible = False
    p.grid.visible = False
    p.toolbar.logo = None
    shape_r = p.multi_polygons("xs", "ys", source=countries, fill_color="fill",
                               line_color="line", line_width="lw",
                               hover_line_color="#1a1a1a", hover_line_width=1.5,
                               selection_line_color="#1a1a1a", selection_line_width=2,
                               nonselection_fill_alpha=1.0, nonselection_line_alpha=1.0)
    dot_r = p.scatter("x", "y", source=dot_src, size=9, fill_color="fill", fill_alpha="alpha",
                      line_color="#333333", line_alpha="alpha", line_width="lw",
                      hover_line_color="#1a1a1a", hover_line_width=2,
                      selection_line_color="#1a1a1a", selection_line_width=2,
                      nonselection_fill_alpha="alpha", nonselection_line_alpha="alpha")
    if labels:
        p.text("x", "y", text="text", source=label_src, text_font_size="11px",
               text_align="center", text_baseline="middle", text_color="ink",
               text_font_style="bold")
    tip = ('<div style="max-width:260px;font:13px/1.35 system-ui,sans-serif">'
           '<b>@name</b><br>@status<br>@since<br>@next<br><i>@publisher</i></div>')
    hover_cb = CustomJS(args={"uid": uid}, code="SCOExplorer.hovered(uid, cb_data);")
    tap_cb = CustomJS(args={"uid": uid}, code="SCOExplorer.tapped(uid, cb_data);")
    p.add_tools(PanTool(), WheelZoomTool(), ResetTool(),
                HoverTool(renderers=[shape_r, dot_r], tooltips=tip, callback=hover_cb),
                TapTool(renderers=[shape_r, dot_r], callback=tap_cb))
    doc = Document()
    doc.add_root(p)
    doc.js_on_event("document_ready", CustomJS(
        args={"uid": uid, "plot": p, "countries": countries, "dots": dot_src,
              "labels": label_src},
        code="SCOExplorer.init(uid, {plot, countries, dots, labels});"))
    return p


def _check_start(start: DateLike) -> pd.Timestamp:
    day = parse_date("start", start)
    today = parse_date("start", "today")
    if day > today:
        raise ParameterError(f"start: {_iso(day)!r} is after today ({_iso(today)}); give a day "
                             f"from 2001-06-15 to {_iso(today)}")
    return day


def explorer_html(extent: str = "eurasia", start: DateLike = "today", labels: bool = True, *,
                  url_state: bool = False, page_link: str | None = None) -> str:
    """The explorer as a self-contained HTML fragment (BokehJS, data and script inline).

    Parameters
    ----------
    extent : {"eurasia", "central_asia", "world"}, default "eurasia"
        Map frame (see :data:`sco_research.geometry.EXTENTS`).
    start : date, default "today"
        The day shown first: from 2001-06-15 to today.
    labels : bool, default True
        Name the larger states that hold a status.
    url_state : bool, default False
        Read the day from the page's URL (``?date=`` or ``#date=``) and write it back when the
        date moves (for the explorer page; off inside a report page or a notebook).
    page_link : str, optional
        Link to the full explorer page, shown under the map.

    Returns
    -------
    str
        HTML; the root element is ``<div class="sco-explorer" id=...>``.

    Raises
    ------
    ParameterError
        Unknown extent, or a start day before the founding, after today or unreadable.

    Examples
    --------
    >>> html = explorer_html(start="2024-07-04")
    >>> html.startswith('<div class="sco-explorer"'), 'data-start="2024-07-04"' in html
    (True, True)
    >>> explorer_html(extent="mars")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: extent: unknown extent 'mars'... Allowed: ...
    """
    from bokeh.embed import components

    from .geometry import EXTENTS

    check_choice("extent", extent, EXTENTS, kind="extent")
    day = _check_start(start)
    check_bool("labels", labels)
    data = explorer_data(end="today")
    uid = f"sco-x-{uuid.uuid4().hex[:10]}"
    plot = _plot(extent, labels, uid)
    script, div = components(plot, wrap_script=False)
    body = controls_html(uid, data, _iso(day), page_link).replace("__BOKEH_DIV__", div)
    return (f'<div class="sco-explorer" id="{uid}" data-start="{_iso(day)}" '
            f'data-url-state="{"true" if url_state else "false"}">\n'
            f'{_bokeh.style_tag("explorer.css")}\n{body}\n'
            f'{_bokeh.json_script(f"{uid}-data", data)}\n'
            f'{_bokeh.script_tag("explorer.js")}\n'
            f'<script type="text/javascript">SCOExplorer.start("{uid}");</script>\n'
            f'{_bokeh.bokehjs_script()}\n{_bokeh.embed_script(uid, script)}\n</div>')


def explorer_page(extent: str = "eurasia", *, index_href: str = "index.html") -> str:
    """The whole explorer page: title, back link to the index, the explorer, its sources.

    The day shown comes from the URL (``?date=YYYY-MM-DD`` or ``#date=YYYY-MM-DD``), else today.

    Examples
    --------
    >>> page = explorer_page()
    >>> page.startswith("<!DOCTYPE html>"), 'href="index.html"' in page
    (True, True)
    """
    from .geometry import BORDERS_NOTE

    e = _html.escape
    fragment = explorer_html(extent, "today", True, url_state=True)
    data = explorer_data(end="today")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Explore SCO membership, 2001 to today</title>
<style>
body {{ font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
  margin: 0 auto; max-width: 1200px; padding: 0 16px 48px; }}
header nav a, footer a {{ color: #0b5394; }}
h1 {{ font-size: 1.6rem; margin: 0.6rem 0 0.2rem; }}
.sco-page-intro {{ max-width: 60rem; color: #333; }}
footer {{ margin-top: 2rem; font-size: 0.9rem; color: #333; border-top: 1px solid #ddd; }}
</style>
</head>
<body>
<header>
<nav aria-label="Back"><p><a href="{e(index_href)}">&larr; All reports</a></p></nav>
<h1>Explore SCO membership, 2001 to today</h1>
<p class="sco-page-intro">Who belonged to the Shanghai Cooperation Organisation, and in what
status, on any day since its founding on 15 June 2001. Move the slider, step from one change to
the next, press Play to watch the changes one after another, or type any day. Hover or tap a
country to see its status, since when, its next change and the source. The address of this page
names the day shown, so a link to it opens that day.</p>
</header>
<main>
{fragment}
</main>
<footer>
<p>{e(BORDERS_NOTE)}</p>
<h2>Sources of the statuses</h2>
{_bokeh.sources_list(data["sources"].values())}
<p>Made with Bokeh (embedded in this page; nothing is loaded from the network).</p>
</footer>
</body>
</html>
"""


def write_explorer(out_dir: str | os.PathLike, *, extent: str = "eurasia") -> Path:
    """Write the explorer page as ``explorer.html`` into ``out_dir``; return its path.

    One self-contained file (no other file, no network), written atomically.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_explorer(folder)
    ...     path.name, path.stat().st_size < 3_000_000
    ('explorer.html', True)
    """
    if not isinstance(out_dir, (str, os.PathLike)) or str(out_dir) == "":
        raise ParameterError(f"out_dir: {out_dir!r} is not a folder path; give a path")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / EXPLORER_FILE
    atomic_write(target, explorer_page(extent))
    return target


# -- in a notebook ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExplorerView:
    """What :func:`explore` showed: the day, the HTML fragment and its metadata record.

    Like a ``publish_*`` record, the cell that showed the explorer does not echo it; shown in a
    later cell it is its summary line.
    """

    start: str
    counts: dict[str, int]
    summary: str
    html: str = field(repr=False)
    record: dict = field(repr=False)
    cell: int | None = field(default=None, repr=False, compare=False)

    def _ipython_display_(self) -> None:
        from .publish import _execution_count

        if self.cell is None or self.cell != _execution_count():
            from IPython.display import display

            display({"text/plain": self.summary}, raw=True)


def explore(extent: str = "eurasia", start: DateLike = "today",
            labels: bool = True, *, embed: bool = True) -> ExplorerView:
    """Show the membership explorer in a notebook (the same HTML as the explorer page).

    The output is plain HTML with its script (no widget, no kernel callback), displayed with the
    metadata record ``{"kind": "interactive", "name": "membership-explorer", ...}`` so a report
    page includes it as it is; it links to the full page (:data:`REPORT_LINK`, i.e.
    ``reports/explorer.html`` seen from a report page), opened on ``start``.

    Parameters
    ----------
    extent : {"eurasia", "central_asia", "world"}, default "eurasia"
        Map frame.
    start : date, default "today"
        The day shown first.
    labels : bool, default True
        Name the larger states that hold a status.
    embed : bool, default True
        False shows only the link to the full page, opened on ``start`` (a grid of many maps
        then shares one explorer page instead of carrying 1.6 MB each).

    Returns
    -------
    ExplorerView
        ``start``, ``counts`` and ``summary`` of the first day shown, the ``html`` and the
        ``record`` displayed.

    Examples
    --------
    >>> view = explore(start="2017-06-09")
    >>> view.counts["member"], view.summary
    (8, '9 June 2017: 8 members, 4 observers and 6 dialogue partners')
    """
    day = _check_start(start)
    link = f"{REPORT_LINK}?date={_iso(day)}"
    fragment = (explorer_html(extent, day, labels, page_link=link) if check_bool("embed", embed)
                else f'<p class="sco-explorer-link"><a href="{link}">Explore SCO membership on '
                     f'any day since 2001, opening on {day_words(day)}</a></p>')
    counts = {s: int((membership_as_of(day)["status"] == s).sum()) for s in STATUSES}
    summary = f"{day_words(day)}: {_counts_text(counts)}"
    title = f"Explore SCO membership (opens on {day_words(day)})"
    record = _bokeh.interactive_record("membership-explorer", title)
    _bokeh.display_interactive(fragment, record, f"{title}. {summary}. Full explorer: {link}")
    from .publish import _execution_count

    return ExplorerView(start=_iso(day), counts=counts, summary=summary, html=fragment,
                        record=record, cell=_execution_count())
