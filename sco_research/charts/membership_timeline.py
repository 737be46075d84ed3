"""Every state's SCO status over time, one bar per state, with the summits: rows and chart.

Examples
--------
>>> rows = membership_timeline_rows("2024-12-31")
>>> rows.loc[(rows["table"] == "membership") & (rows["iso3"] == "IND"), "status"].tolist()
['observer', 'member']
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .._checks import FOUNDING_DATE, DateLike, parse_date
from .._days import day_words
from .._plotting import STATUS_COLORS, STATUS_LABELS, house_style, set_title
from .._plotting import add_wrapped_source_line as _source_line
from ..freshness import freshness_note
from ..membership import STATUSES
from . import _frames as fr

__all__ = ["membership_timeline_chart", "membership_timeline_rows"]


def _summit_label(event_id: str) -> str:
    parts = event_id.split("-")[2:]
    online = bool(parts) and parts[0] in ("videoconference", "virtual")
    city = " ".join(p.capitalize() for p in (parts[1:] if online else parts))
    return f"{city} (online)" if online else city


def _rows(stop: pd.Timestamp) -> pd.DataFrame:
    m = fr.table("membership")
    m = m[m["start"] <= stop].copy()
    m["end"] = m["end"].fillna(stop).clip(upper=stop)
    first = m.groupby("iso3")["start"].min()
    best = m.groupby("iso3")["status"].apply(lambda s: min(STATUSES.index(str(v)) for v in s))
    order = (pd.DataFrame({"first": first, "best": best,
                           "name": m.groupby("iso3")["country"].first()})
             .sort_values(["first", "best", "name"]).index.tolist())
    m["lane"] = m["iso3"].map({iso3: i for i, iso3 in enumerate(order)})
    m = m.sort_values(["lane", "start"], kind="stable").assign(role="status period")
    ev = fr.table("events")
    summits = ev[(ev["kind"] == "summit") & (ev["date"] <= stop)].sort_values("date")
    summits = summits.assign(plotted_at=summits["date"], role=fr.MARKER_ROLE,
                             label=[_summit_label(e) for e in summits["event_id"]])
    return pd.concat([fr.with_sources(m, "membership"), fr.with_sources(summits, "events")],
                     ignore_index=True, sort=False)


def membership_timeline_rows(end: DateLike = "today") -> pd.DataFrame:
    """Exactly the rows :func:`membership_timeline_chart` draws: status periods, then summits.

    Status periods (``table='membership'``, ``role='status period'``) are clipped at ``end``
    (a status still held ends there) and carry their ``lane`` (0 is the top bar). Summits
    (``table='events'``, ``role='event marker'``) carry the venue written over their line.

    Examples
    --------
    >>> rows = membership_timeline_rows("2010-01-01")
    >>> rows.loc[rows["table"] == "membership", "end"].max()
    Timestamp('2010-01-01 00:00:00')
    """
    return _rows(parse_date("end", end, latest="today"))


def membership_timeline_chart(end: DateLike = "today") -> Figure:
    """One bar per state, coloured by its SCO status over time, with the summits marked.

    Parameters
    ----------
    end : date, default "today"
        Right edge of the chart; statuses still held are drawn up to it.

    Returns
    -------
    matplotlib.figure.Figure
        The rows drawn are :func:`membership_timeline_rows`; each bar has the gid
        ``bar-<iso3>-<status>``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = membership_timeline_chart()
    >>> fig.axes[0].get_title(loc="left")
    'Two decades of SCO enlargement'
    """
    stop = parse_date("end", end, latest="today")
    rows = _rows(stop)
    m = rows[rows["table"] == "membership"]
    summits = rows[rows["table"] == "events"]
    n = int(m["lane"].max()) + 1
    with house_style():
        fig, ax = plt.subplots(figsize=(9.5, 0.22 * n + 2.4), layout="constrained")
    ax.spines["left"].set_visible(False)
    for rec in m.itertuples(index=False):
        start = mdates.date2num(rec.start)
        width = mdates.date2num(rec.end) - start
        ax.broken_barh([(start, max(width, 1.0))], (rec.lane - 0.36, 0.72),
                       facecolors=STATUS_COLORS[str(rec.status)], edgecolor="white",
                       linewidth=0.4, gid=f"bar-{rec.iso3}-{rec.status}")
    names = m.drop_duplicates("lane").sort_values("lane")["country"].tolist()
    ax.set_yticks(range(n), names)
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.invert_yaxis()
    ax.set_ylim(n - 0.4, -5.2)
    ax.set_xlim(mdates.date2num(FOUNDING_DATE - pd.Timedelta(days=120)),
                mdates.date2num(stop + pd.Timedelta(days=120)))
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(axis="x", labelsize=8)
    for rec in summits.itertuples(index=False):
        ax.vlines(rec.date, -0.5, n - 0.5, color="#9a9a9a", lw=0.5, ls=(0, (2, 2)),
                  zorder=0, gid=f"summit-{rec.event_id}")
        ax.text(rec.date, -0.65, rec.label, rotation=90, ha="center", va="bottom",
                fontsize=6.5, color="#555555", gid=f"summit-label-{rec.event_id}")
    handles = [Patch(facecolor=STATUS_COLORS[s], label=STATUS_LABELS[s]) for s in STATUSES
               if (m["status"] == s).any()]
    handles.append(Line2D([], [], color="#9a9a9a", lw=0.8, ls=(0, (2, 2)),
                          label="Summit (venue above)"))
    # The lower left of the chart is empty: the states there joined late.
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False,
              title="Status", title_fontsize=8, alignment="left")
    n_members = int(((m["status"] == "member") & (m["end"] >= stop)).sum())
    set_title(ax, "Two decades of SCO enlargement",
              f"Status of each state from the founding on {day_words(FOUNDING_DATE)} to "
              f"{day_words(stop)}; {n_members} members at the end")
    _source_line(fig, [*m["source_id"].astype(str), *summits["source_id"].astype(str)],
                 note=freshness_note("membership", stop, what="Statuses"), width=170)
    return fig
