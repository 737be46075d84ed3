"""An article's charts: its claims per theme and kind, and the dated events on a timeline.

``article`` (an ``article_id`` of the articles table; ``None``: every article) chooses whose
claims are counted and whose publication day the timeline marks.

Each figure comes with the row function that returns exactly the rows it draws:
:func:`claims_per_theme_rows` for :func:`claims_per_theme_chart` and
:func:`events_timeline_rows` for :func:`events_timeline_chart`; :func:`draw_claims_per_theme`
and :func:`draw_events_timeline` draw rows already selected, so a notebook selects them once
and publishes the figure with them. The claims themselves come from
:mod:`sco_research.facts`.

Examples
--------
>>> rows = claims_per_theme_rows(theme="currency")
>>> list(rows["claim_id"])
['c13']
"""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

from .._checks import check_choices, parse_date
from .._days import day_words
from .._plotting import (
    EVENT_COLORS,
    PALETTE,
    add_source_line,
    new_figure,
    set_title,
)
from ..corpus import articles, check_article, describe
from ..data import load
from ..errors import ParameterError
from ..facts import EVENT_KINDS, claims, count_by_theme
from ._frames import cluster_labels
from ._layout import lane_label

__all__ = ["claims_per_theme_chart", "claims_per_theme_rows", "draw_claims_per_theme",
           "draw_events_timeline", "events_timeline_chart", "events_timeline_rows"]


def claims_per_theme_rows(theme: str | None = None, actor: str | None = None,
                          article: str | None = None) -> pd.DataFrame:
    """Exactly the rows :func:`claims_per_theme_chart` counts: the claims, filtered.

    Examples
    --------
    >>> rows = claims_per_theme_rows(theme="currency")
    >>> list(rows["claim_id"]), list(rows["article_id"].unique())
    (['c13'], ['a1'])
    """
    return claims(theme, actor, article)


def claims_per_theme_chart(theme: str | None = None, actor: str | None = None,
                           article: str | None = None) -> Figure:
    """Horizontal bars: how many claims an article (or every article) makes per theme, by kind.

    The rows counted are :func:`claims_per_theme_rows`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = claims_per_theme_chart()
    >>> fig.axes[0].get_xlabel()
    'claims in the article (count)'
    """
    return draw_claims_per_theme(claims_per_theme_rows(theme, actor, article), article)


def draw_claims_per_theme(rows: pd.DataFrame, article: str | None = None) -> Figure:
    """Draw exactly ``rows`` (:func:`claims_per_theme_rows`) as :func:`claims_per_theme_chart`
    does: nothing is selected again. ``article`` names whose claims they are in the subtitle
    (``None``: every article) and gives the source line when ``rows`` are empty.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rows = claims_per_theme_rows(article="a1")
    >>> draw_claims_per_theme(rows, "a1").axes[0].get_title(loc="left")
    '20 claims; security leads with 7'
    """
    table = count_by_theme(rows)
    table = table[table.sum(axis=1) > 0].iloc[::-1]
    fig, ax = new_figure((8, 0.45 * max(len(table), 2) + 1.6))
    colors = [PALETTE["grey"], PALETTE["blue"], PALETTE["sky"], PALETTE["orange"]]
    left = pd.Series(0, index=table.index)
    for kind, color in zip(table.columns, colors[: len(table.columns)], strict=True):
        ax.barh(table.index.astype(str).str.replace("_", " "), table[kind], left=left,
                color=color, label=kind.replace("_", " "), height=0.6)
        left = left + table[kind]
    ax.set_xlabel("claims in the article (count)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right", fontsize=7.5, title="kind of claim", title_fontsize=7.5)
    total = int(table.to_numpy().sum())
    if len(table):
        per_theme = table.sum(axis=1)
        top = per_theme.idxmax()
        title = (f"{total} claims; {str(top).replace('_', ' ')} leads with "
                 f"{int(per_theme[top])}")
    else:
        title = "No claims match this filter"
    set_title(ax, title, f"Claims of {describe(article)}, by theme and kind")
    src = rows["source_id"].unique().tolist() or articles(article)["source_id"].tolist()
    add_source_line(fig, src)
    return fig


def _event_window(start, end, kinds) -> tuple[pd.DataFrame, tuple[str, ...]]:
    all_kinds = EVENT_KINDS
    ev = load("events")
    if kinds is not None:
        kinds = check_choices("kinds", kinds, all_kinds, kind="event kind")
        ev = ev[ev["kind"].isin(kinds)]
    lo = parse_date("start", start, earliest=None) if start is not None else None
    hi = parse_date("end", end, earliest=None) if end is not None else None
    if lo is not None:
        ev = ev[ev["date"] >= lo]
    if hi is not None:
        ev = ev[ev["date"] <= hi]
    if ev.empty:
        every = load("events")
        raise ParameterError(
            f"start/end/kinds: no events between {start!r} and {end!r} for kinds {kinds!r}; "
            f"events run from {every['date'].min().date()} to {every['date'].max().date()}"
        )
    return ev.sort_values(["date", "event_id"], kind="stable"), all_kinds


def _event_cluster_text(ev: pd.DataFrame, kind: str):
    def short(rec) -> str:
        words = " ".join(str(rec["title"]).split())
        words = words if len(words) <= 48 else words[:47].rsplit(" ", 1)[0] + " […]"
        return f"{words}, {rec['date']:%b %Y}"

    def text(days: list) -> str:
        sub = ev[ev["date"].isin(days)]
        if len(sub) <= 2:
            return "\n".join(short(rec) for _, rec in sub.iterrows())
        a, b = sub["date"].min(), sub["date"].max()
        when = f"{a:%b %Y}" if a == b else f"{a:%b %Y} to {b:%b %Y}"
        what = {"summit": "summits", "status_change": "status changes"}.get(
            kind, f"{kind.replace('_', ' ')} events")
        return f"{len(sub)} {what}, {when}"
    return text


def events_timeline_rows(start: str | None = None, end: str | None = None,
                         kinds=None) -> pd.DataFrame:
    """Exactly the rows :func:`events_timeline_chart` draws: the events, one lane per kind.

    Adds ``lane`` (0 is the bottom lane), ``label`` (the words written for a cluster of nearby
    events of one lane: the event's title when it is alone, else how many and when; on the
    cluster's first row) and ``label_side`` (``'above'`` or ``'below'`` the lane).

    Examples
    --------
    >>> rows = events_timeline_rows(start="2017-01-01", end="2017-12-31", kinds=["accession"])
    >>> rows["label"].dropna().tolist()
    ['India becomes full SCO member, Jun 2017\\nPakistan becomes full SCO member, Jun 2017']
    """
    ev, all_kinds = _event_window(start, end, kinds)
    lanes = [k for k in all_kinds if k in set(ev["kind"].astype(str))]
    lane = {k: i for i, k in enumerate(lanes[::-1])}
    span = max(ev["date"].max() - ev["date"].min(), pd.Timedelta(days=365)) * 1.06
    parts = []
    for kind in lanes:
        sub = ev[ev["kind"] == kind]
        # Recurring kinds get one label for the lane; the others one per cluster.
        gap = 1.0 if kind in _ONE_LABEL_KINDS else 0.12
        labels = cluster_labels(sub["date"], span, _event_cluster_text(sub, kind), gap=gap)
        parts.append(sub.assign(lane=lane[kind], label=[t[1] if t else None for t in labels],
                                label_side=[t[0] if t else None for t in labels]))
    return pd.concat(parts).sort_values(["date", "event_id"], kind="stable").reset_index(
        drop=True)


#: Event kinds that recur through the whole period: one label for their lane.
_ONE_LABEL_KINDS = ("summit", "status_change")


def events_timeline_chart(start: str | None = None, end: str | None = None,
                          kinds=None, article: str | None = None) -> Figure:
    """The dated events as a timeline, one lane per kind, each article's date marked.

    Each cluster of nearby events in a lane is labelled once: the event's title when it is
    alone, else how many events and when; the rows (:func:`events_timeline_rows`) list every
    one.

    Parameters
    ----------
    start, end : str, optional
        ISO dates bounding the chart (default: all events).
    kinds : sequence of str, optional
        Event kinds to show (default: all).
    article : str, optional
        Mark this article's publication day (default: every article's).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = events_timeline_chart(start="2020-01-01")
    >>> fig.axes[0].get_title(loc="left").startswith("From")
    True
    """
    return draw_events_timeline(events_timeline_rows(start, end, kinds), article)


def draw_events_timeline(ev: pd.DataFrame, article: str | None = None) -> Figure:
    """Draw exactly the rows ``ev`` (:func:`events_timeline_rows`) as
    :func:`events_timeline_chart` does: nothing is selected again. ``article``: whose
    publication day is marked (``None``: every article's).

    Raises
    ------
    ParameterError
        ``ev`` hold no event, or ``article`` is not an article.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rows = events_timeline_rows(start="2020-01-01")
    >>> fig = draw_events_timeline(rows, "a1")
    >>> fig.axes[0].get_title(loc="left").startswith("From")
    True
    >>> draw_events_timeline(rows.iloc[:0])
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: ev: no event to draw; give rows of events_timeline_rows()
    """
    check_article(article)
    if ev.empty:
        raise ParameterError("ev: no event to draw; give rows of events_timeline_rows()")
    n = int(ev["lane"].max()) + 1
    fig, ax = new_figure((11, 0.75 * n + 2.4))
    for lane, sub in ev.groupby("lane"):
        kind = str(sub["kind"].iloc[0])
        ax.scatter(sub["date"], [lane] * len(sub), s=28, color=EVENT_COLORS[kind], zorder=3,
                   edgecolors="white", linewidths=0.5)
    names = ev.drop_duplicates("lane").sort_values("lane")
    ax.set_yticks(list(names["lane"]), [str(k).replace("_", " ") for k in names["kind"]])
    ax.set_ylim(-0.8, n - 0.2)
    span = ev["date"].max() - ev["date"].min()
    pad = max(span * 0.03, pd.Timedelta(days=30))
    ax.set_xlim(ev["date"].min() - pad, ev["date"].max() + pad)
    lo, hi = ev["date"].min() - pad, ev["date"].max() + pad
    for i, rec in enumerate(articles(article).itertuples(index=False)):
        day = pd.Timestamp(rec.published)
        if not lo <= day <= hi:
            continue
        ax.axvline(day, color=PALETTE["vermillion"], lw=1.5, zorder=2)
        # inside the frame, one line down per article, so that no two labels meet
        label = f"{rec.outlet}, {day_words(day, short=True)} ({rec.article_id}) "
        ax.text(day, 0.995 - 0.03 * i, label, rotation=0, transform=ax.get_xaxis_transform(),
                fontsize=7.5, color=PALETTE["vermillion"], ha="right", va="top")
    for rec in ev[ev["label"].notna()].itertuples(index=False):
        lane_label(ax, rec.date, rec.lane, rec.label, rec.label_side,
                   EVENT_COLORS[str(rec.kind)], fontsize=6.8)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=12))
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.set_xlabel("date")
    ax.grid(axis="x", color="#eeeeee")
    first, last = ev["date"].min(), ev["date"].max()
    set_title(ax, f"From {first:%B %Y} to {last:%B %Y}: {len(ev)} dated events",
              "Events the articles mention or imply, by kind; nearby events of a kind are "
              "labelled together, the table lists each")
    add_source_line(fig, ev["source_id"].tolist(), width=170)
    return fig
