"""Hover-to-source charts: interactive versions of the trade and settlement charts, offline.

Each function takes exactly the rows the static chart plots (``charts.chart_rows(...)`` of
``trade_chart`` or ``settlement_currency_chart``: ``plotted_at``, ``plotted_value``, ``unit``,
``source_id``, ``publisher``, ``url`` and the table's own columns) and returns an HTML fragment:
a Bokeh chart (BokehJS inline, run once per page however many fragments it holds) where hovering
a point shows its value, unit, period, who stated it and the source's publisher, and tapping it
(or hovering) fills a panel beside the chart with the same and a link to the source. A table of
every point, with links, follows under ``<details>`` for keyboard and screen-reader users.

In a notebook, show a fragment beside the static figure with :func:`publish_interactive`, which
attaches the metadata record ``{"kind": "interactive", "name": ..., "title": ...}``::

    rows = sco.charts.chart_rows("trade_chart", partners=partners, start=start, end=end,
                                 flow=flow)
    sco.interactive.publish_interactive(sco.interactive.trade_html(rows), "trade-hover",
                                        "Hover or tap a point for its source")

Examples
--------
>>> from sco_research import charts
>>> html = trade_html(charts.chart_rows("trade_chart", partners=("CHN",)))
>>> html.startswith('<div class="sco-points"'), "tass.com" in html
(True, True)
"""

from __future__ import annotations

import html as _html
import uuid
from collections.abc import Sequence

import pandas as pd

from . import _bokeh
from .data import load
from .errors import DataError, ParameterError
from .publish import format_value

__all__ = ["points_html", "trade_html", "settlement_html", "publish_interactive"]

#: Okabe–Ito colours for the series, in order of first appearance.
_COLORS = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#8C510A",
           "#000000")
_MARKERS = ("circle", "square", "diamond", "triangle", "inverted_triangle", "hex", "plus",
            "star")
#: Columns of the points :func:`points_html` draws.
POINT_COLUMNS = ("group", "x", "y", "value", "period", "who", "role", "source_id", "publisher",
                 "title", "url", "note", "colour_by", "dashed")


def _need(rows: pd.DataFrame, what: str, columns: Sequence[str]) -> None:
    if not isinstance(rows, pd.DataFrame):
        raise ParameterError(f"rows: {type(rows).__name__} given for {what}; give the DataFrame "
                             "of charts.chart_rows(...)")
    missing = [c for c in columns if c not in rows.columns]
    if missing:
        raise DataError(f"{what}: the rows lack column(s) {missing!r}; columns are "
                        f"{list(rows.columns)!r}; pass the rows of charts.chart_rows(...)")
    if rows.empty:
        raise DataError(f"{what}: no rows to draw; the chart's rows are empty")
    bad = rows.index[rows["source_id"].isna() | rows["url"].isna()]
    if len(bad):
        raise DataError(f"{what}: row(s) {', '.join(str(i) for i in list(bad)[:10])} have no "
                        "source_id or url; every point must link to its source")


def _data_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The chart's data points: a figure's rows also list the events it marks (``role`` "event
    marker", from the events table); those are lines on the static chart, not points."""
    if isinstance(rows, pd.DataFrame) and "role" in rows.columns:
        rows = rows[rows["role"] != "event marker"].reset_index(drop=True)
    return rows


def _names() -> dict[str, str]:
    m = load("membership")
    return dict(zip(m["iso3"].astype(str), m["country"].astype(str), strict=False))


def _titles() -> dict[str, str]:
    s = load("sources")
    return dict(zip(s["source_id"].astype(str), s["title"].astype(str), strict=True))


def _stated(value, unit, plotted, plotted_unit) -> str:
    if value is None or pd.isna(value):
        return "no figure stated"
    text = f"{format_value(float(value))} {unit}"
    if plotted_unit and unit != plotted_unit and not pd.isna(plotted):
        text += f" (drawn as {format_value(float(plotted))} {plotted_unit})"
    return text


def _tag(note) -> str:
    """The kind of figure a trade row's note starts with, e.g. 'official data via news'."""
    if isinstance(note, str) and note.startswith("[") and "]" in note:
        return note[1:note.index("]")]
    return ""


def trade_points(rows: pd.DataFrame) -> pd.DataFrame:
    """The points of the trade chart (:data:`POINT_COLUMNS`) from its rows.

    Examples
    --------
    >>> from sco_research import charts
    >>> pts = trade_points(charts.chart_rows("trade_chart", partners=("IND",)))
    >>> pts.loc[0, ["group", "value", "period"]].tolist()
    ["India: India's figures, fiscal years Apr-Mar", '10686.85 USD million (drawn as \
10.68685 USD billion)', 'FY2017-18 (fiscal year April–March)']
    """
    rows = _data_rows(rows)
    _need(rows, "trade rows", ("reporter", "partner_iso3", "period", "period_type", "value",
                               "unit", "plotted_at", "plotted_value", "plotted_unit", "role",
                               "source_id", "publisher", "url"))
    names, titles = _names(), _titles()
    out = []
    for r in rows.itertuples(index=False):
        partner = names.get(r.partner_iso3, r.partner_iso3)
        reporter = names.get(r.reporter, r.reporter)
        owner = f"{reporter}'" if reporter.endswith("s") else f"{reporter}'s"
        fiscal = r.period_type == "fiscal_year_april_march"
        kind = {"calendar_year": "calendar year", "fiscal_year_april_march":
                "fiscal year April–March"}.get(r.period_type, str(r.period_type).replace("_", " "))
        tag = _tag(getattr(r, "note", None))
        out.append({
            "group": f"{partner}: {owner} figures" + (", fiscal years Apr-Mar" if fiscal else ""),
            "x": r.plotted_at, "y": r.plotted_value,
            "value": _stated(r.value, r.unit, r.plotted_value, r.plotted_unit),
            "period": f"{r.period} ({kind})",
            "who": f"{reporter}'s trade figures" + (f" ({tag})" if tag else ""),
            "role": str(r.role), "source_id": str(r.source_id), "publisher": str(r.publisher),
            "title": titles.get(str(r.source_id), ""), "url": str(r.url),
            "note": "" if pd.isna(getattr(r, "note", None)) else str(r.note),
            "colour_by": partner, "dashed": r.reporter != r.partner_iso3,
        })
    return pd.DataFrame(out, columns=list(POINT_COLUMNS))


def settlement_points(rows: pd.DataFrame) -> pd.DataFrame:
    """The points of the settlement-currency chart (:data:`POINT_COLUMNS`) from its rows.

    Statements that gave no figure keep ``y`` empty; :func:`points_html` draws them on a strip
    under the axis.

    Examples
    --------
    >>> from sco_research import charts
    >>> pts = settlement_points(charts.chart_rows("settlement_currency_chart"))
    >>> pts.loc[0, ["value", "who"]].tolist()
    ['70 percent', 'Mikhail Mishustin, 2023-05-24']
    """
    rows = _data_rows(rows)
    _need(rows, "settlement rows", ("group", "period", "value", "unit", "stated_by", "stated_on",
                                    "plotted_at", "plotted_value", "role", "source_id",
                                    "publisher", "url"))
    titles = _titles()
    out = []
    for r in rows.itertuples(index=False):
        period = (f"{r.period}" if isinstance(r.period, str) and r.period
                  else f"no period stated; drawn at the day it was said, "
                       f"{format_value(r.stated_on)}")
        out.append({
            "group": str(r.group), "x": r.plotted_at, "y": r.plotted_value,
            "value": _stated(r.value, r.unit, None, None), "period": period,
            "who": f"{r.stated_by}, {format_value(r.stated_on)}",
            "role": str(r.role), "source_id": str(r.source_id), "publisher": str(r.publisher),
            "title": titles.get(str(r.source_id), ""), "url": str(r.url),
            "note": "" if pd.isna(getattr(r, "note", None)) else str(r.note),
            "colour_by": str(r.group), "dashed": False,
        })
    return pd.DataFrame(out, columns=list(POINT_COLUMNS))


def _table(points: pd.DataFrame, uid: str) -> str:
    e = _html.escape
    body = "".join(
        f"<tr><td>{e(p.group)}</td><td>{e(p.value)}</td><td>{e(p.period)}</td>"
        f"<td>{e(p.who)}</td><td><a href=\"{e(p.url)}\">{e(p.publisher)}</a></td></tr>"
        for p in points.itertuples(index=False))
    return (f'<details class="sco-p-list"><summary>All {len(points)} points with their sources'
            f'</summary><table id="{uid}-table"><thead><tr><th scope="col">Series</th>'
            '<th scope="col">Value</th><th scope="col">Period</th><th scope="col">Stated by</th>'
            f'<th scope="col">Source</th></tr></thead><tbody>{body}</tbody></table></details>')


def points_html(points: pd.DataFrame, *, title: str, y_label: str, lines: bool = False,
                label: str = "chart") -> str:
    """Draw points (:data:`POINT_COLUMNS`) as a hover-to-source chart; return the HTML fragment.

    Parameters
    ----------
    points : DataFrame
        One row per point; ``y`` empty for a statement without a figure.
    title : str
        Heading over the chart (also its accessible name).
    y_label : str
        Axis label, with the unit.
    lines : bool
        Join each series' main points (``role == "main"``) with a line, in date order.
    label : str
        What the fragment is, for its ``data-chart`` attribute.

    Returns
    -------
    str
        HTML: ``<div class="sco-points" id=...>`` with the chart, the details panel, the table
        of points, BokehJS (guarded) and the script.
    """
    from bokeh.embed import components
    from bokeh.models import (
        ColumnDataSource,
        CustomJS,
        CustomJSTickFormatter,
        HoverTool,
        Legend,
        LegendItem,
        PanTool,
        ResetTool,
        Span,
        TapTool,
        WheelZoomTool,
    )
    from bokeh.plotting import figure

    uid = f"sco-p-{uuid.uuid4().hex[:10]}"
    pts = points.reset_index(drop=True).copy()
    pts["x"] = pd.to_datetime(pts["x"])
    top = float(pd.to_numeric(pts["y"], errors="coerce").max())
    top = top if top == top and top > 0 else 1.0
    nofig = pts["y"].isna()
    strip = -0.06 * top
    p = figure(x_axis_type="datetime", height=440, sizing_mode="stretch_width", tools=[],
               toolbar_location="above", y_range=(-0.12 * top if nofig.any() else 0, 1.1 * top),
               y_axis_label=y_label, name=f"{uid}-plot", min_border_left=60)
    p.toolbar.logo = None
    p.title.text = title
    renderers, items = [], []
    colours = {c: _COLORS[i % len(_COLORS)]
               for i, c in enumerate(dict.fromkeys(pts["colour_by"].fillna(pts["group"])))}
    for k, (group, g) in enumerate(pts.groupby("group", sort=False)):
        colour_by = g["colour_by"].iloc[0]
        color = colours[group if pd.isna(colour_by) else colour_by]
        marker = _MARKERS[k % len(_MARKERS)]
        dash = "dashed" if bool(g["dashed"].fillna(False).iloc[0]) else "solid"
        said = nofig.loc[g.index]
        g = g.assign(row=g.index, y=g["y"].where(~said, strip))
        src = ColumnDataSource({c: g[c].tolist() for c in ("row", "x", "y", "value", "period",
                                                           "who", "publisher", "group", "role")})
        glyphs = []
        if lines:
            main = g[(g["role"] == "main") & ~said].sort_values("x")
            if len(main) > 1:
                glyphs.append(p.line(main["x"].tolist(), main["y"].tolist(), color=color,
                                     line_width=2, line_dash=dash))
        r = p.scatter("x", "y", source=src, marker=marker, size=10, fill_color=color,
                      line_color="#ffffff" if not said.all() else color,
                      fill_alpha=0.9 if not said.all() else 0.25, hover_line_color="#1a1a1a",
                      hover_line_width=2, selection_line_color="#1a1a1a",
                      selection_line_width=2.5, nonselection_fill_alpha=0.9)
        renderers.append(r)
        items.append(LegendItem(label=group[:1].upper() + group[1:], renderers=[*glyphs, r]))
    p.add_layout(Span(location=0, dimension="width", line_color="#999999", line_width=1))
    if nofig.any():  # no tick labels on the strip under zero
        p.yaxis.formatter = CustomJSTickFormatter(code="return tick < 0 ? '' : String(tick);")
    p.add_layout(Legend(items=items, click_policy="hide", orientation="horizontal",
                        ncols=2 if len(items) > 2 else len(items), label_text_font_size="12px",
                        border_line_color=None), "below")
    tip = ('<div style="max-width:280px;font:13px/1.35 system-ui,sans-serif"><b>@value</b><br>'
           'Period: @period<br>Stated by: @who<br><i>Source: @publisher</i></div>')
    hover_cb = CustomJS(args={"uid": uid}, code="SCOPoints.hovered(uid, cb_data);")
    tap_cb = CustomJS(args={"uid": uid}, code="SCOPoints.tapped(uid, cb_data);")
    p.add_tools(PanTool(), WheelZoomTool(), ResetTool(),
                HoverTool(renderers=renderers, tooltips=tip, callback=hover_cb),
                TapTool(renderers=renderers, callback=tap_cb))
    script, div = components(p, wrap_script=False)
    data = [{k: ("" if pd.isna(v) else str(v)) for k, v in rec.items() if k not in ("x", "y")}
            for rec in pts.to_dict("records")]
    e = _html.escape
    note = ("<p class=\"sco-p-hint\">Hover or tap a point for its value, period, who stated "
            "it and its source; click a legend entry to hide a series."
            + (" Statements that gave no figure sit on the strip under zero." if nofig.any()
               else "") + "</p>")
    return (f'<div class="sco-points" id="{uid}" data-chart="{e(label)}" role="group" '
            f'aria-label="{e(title)}">\n{_bokeh.style_tag("points.css")}\n{note}\n'
            f'<div class="sco-p-body"><div class="sco-p-chart">{div}</div>\n'
            f'<aside class="sco-p-panel" aria-live="polite" id="{uid}-details">'
            "<p>Hover or tap a point to see its source here.</p></aside></div>\n"
            f'{_table(pts, uid)}\n{_bokeh.json_script(f"{uid}-data", data)}\n'
            f'{_bokeh.script_tag("points.js")}\n{_bokeh.bokehjs_script()}\n'
            f'{_bokeh.embed_script(uid, script)}\n</div>')


def trade_html(rows: pd.DataFrame, *, title: str | None = None) -> str:
    """The trade chart with hover-to-source, from the rows the static chart plots.

    Parameters
    ----------
    rows : DataFrame
        ``charts.chart_rows("trade_chart", ...)`` (or rows with the same columns).
    title : str, optional
        Heading; default names the flow and the unit.

    Returns
    -------
    str
        An HTML fragment (see :func:`points_html`).

    Raises
    ------
    DataError
        Rows without the chart's columns, without rows, or with a point lacking its source.
    """
    pts = trade_points(rows)
    unit = str(rows["plotted_unit"].iloc[0])
    flow = str(rows["flow"].iloc[0]) if "flow" in rows.columns else "turnover"
    what = {"turnover": "Trade turnover", "exports": "Exports", "imports": "Imports"}.get(
        flow, flow.capitalize())
    title = title or f"Russia's trade: {what.lower()} by partner, {unit}, as reported"
    return points_html(pts, title=title, y_label=f"{what}, {unit}", lines=True, label="trade")


def settlement_html(rows: pd.DataFrame, *, title: str | None = None) -> str:
    """The settlement-currency chart with hover-to-source, from the rows the static chart plots.

    Parameters
    ----------
    rows : DataFrame
        ``charts.chart_rows("settlement_currency_chart", ...)`` (or rows with its columns).
    title : str, optional
        Heading.

    Returns
    -------
    str
        An HTML fragment (see :func:`points_html`).
    """
    pts = settlement_points(rows)
    title = title or ("Share of national currencies in Russia's trade settlements, as stated "
                      "by officials, percent")
    return points_html(pts, title=title, y_label="Share of settlements, percent", lines=False,
                       label="settlement")


def publish_interactive(fragment: str, name: str, title: str, *, show: bool = True):
    """Display an interactive fragment with its metadata record; return the record.

    The record is a :class:`sco_research.publish.Published`: a ``dict`` that the notebook cell
    that published it does not echo.

    The record is ``{"kind": "interactive", "name": name, "title": title}`` under the key
    ``"sco_research"``; the report page builder includes the output as it is. Show it beside
    the static figure (published with :func:`sco_research.publish_figure`), not instead of it.

    Examples
    --------
    >>> publish_interactive("<div>x</div>", "demo", "Demo", show=False)
    {'kind': 'interactive', 'name': 'demo', 'title': 'Demo'}
    >>> publish_interactive("<div>x</div>", "a b", "Demo")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: name: 'a b' is not a file stem; use letters, digits, \
'.', '_' and '-', not starting with '.'
    """
    from .publish import Published, _check_name

    name = _check_name(name)
    if not isinstance(fragment, str) or not fragment.strip():
        raise ParameterError(f"fragment: {fragment!r:.60} is not HTML; give the string of "
                             "trade_html(...), settlement_html(...) or explorer_html(...)")
    if not isinstance(title, str) or not title.strip():
        raise ParameterError(f"title: {title!r} is empty; give a one-line title")
    record = Published(_bokeh.interactive_record(name, title))
    if show:
        _bokeh.display_interactive(fragment, dict(record), title)
    return record
