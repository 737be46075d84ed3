"""The articles' facts: filtered claims and quotes, claims per theme, a timeline of events.

Every function takes ``article`` (an ``article_id`` of the articles table; ``None``: every
article).

Examples
--------
>>> from sco_research import facts
>>> c = facts.claims(theme="currency")
>>> list(c["claim_id"])
['c13']
"""

from __future__ import annotations

import pandas as pd

from ._checks import check_choice
from .corpus import articles, check_article, describe
from .data import default_package, load

__all__ = [
    "THEMES",
    "check_filters",
    "claims",
    "quotes",
    "claims_per_theme",
    "claims_per_theme_chart",
    "claims_per_theme_rows",
    "events_timeline_chart",
    "events_timeline_rows",
]


def _enum(table: str, field: str) -> tuple[str, ...]:
    for f in default_package().resource(table)["schema"]["fields"]:
        if f["name"] == field:
            return tuple(f["constraints"]["enum"])
    raise KeyError(field)  # pragma: no cover - schema is fixed


#: Themes of the claims table, as the data package declares them.
THEMES: tuple[str, ...] = _enum("claims", "theme")


def check_filters(theme: str | None = None, actor: str | None = None,
                  article: str | None = None) -> None:
    """Raise ``ParameterError`` for an unknown ``theme``, ``actor`` or ``article``.

    Notebooks call it first.

    Examples
    --------
    >>> check_filters("security", None)
    >>> check_filters(None, "putin")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: actor: unknown actor_id 'putin'. Allowed: ...
    """
    if theme is not None:
        check_choice("theme", theme, THEMES, kind="theme")
    if actor is not None:
        check_choice("actor", actor, list(load("actors")["actor_id"]), kind="actor_id")
    check_article(article)


def claims(theme: str | None = None, actor: str | None = None,
           article: str | None = None) -> pd.DataFrame:
    """The articles' claims, optionally filtered, with the actor's name joined in.

    Parameters
    ----------
    theme : str, optional
        One of :data:`THEMES`.
    actor : str, optional
        An ``actor_id`` of the actors table (e.g. ``"vladimir_putin"``).
    article : str, optional
        An ``article_id`` of the articles table (e.g. ``"a2"``; ``None``: every article).

    Raises
    ------
    ParameterError
        Unknown theme, actor or article; the message lists the allowed values.

    Examples
    --------
    >>> claims(actor="dmitry_peskov")[["claim_id", "via"]].to_dict("records")
    [{'claim_id': 'c10', 'via': 'RIA'}]
    >>> claims(theme="summit", article="a2")["claim_id"].tolist()
    ['a2-c04', 'a2-c08', 'a2-c09']
    >>> claims(theme="economy")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: theme: unknown theme 'economy'. Allowed: ...
    """
    check_filters(theme, actor, article)
    c = load("claims")
    if article is not None:
        c = c[c["article_id"] == article]
    if theme is not None:
        c = c[c["theme"] == theme]
    if actor is not None:
        c = c[c["actor_id"] == actor]
    names = load("actors").set_index("actor_id")["name"]
    c = c.assign(actor=c["actor_id"].map(names).astype("string"))
    cols = ["claim_id", "paragraph", "theme", "actor", "via", "kind", "date", "claim", "note",
            "actor_id", "source_id", "article_id"]
    return c[cols].reset_index(drop=True)


def quotes(theme: str | None = None, actor: str | None = None,
           article: str | None = None) -> pd.DataFrame:
    """Direct quotations, filtered by the theme of their claim, the speaker and/or the article.

    Examples
    --------
    >>> q = quotes(actor="xi_jinping", article="a1")
    >>> sorted(set(q["channel"]))
    ['CCTV']
    >>> quotes(article="a2")["quote_id"].tolist()[:2]
    ['a2-q01', 'a2-q02']
    """
    check_filters(theme, actor, article)
    q = load("quotes")
    if article is not None:
        q = q[q["article_id"] == article]
    c = load("claims").set_index("claim_id")
    q = q.assign(theme=q["claim_id"].map(c["theme"]))
    if theme is not None:
        q = q[q["theme"] == theme]
    if actor is not None:
        q = q[q["speaker_id"] == actor]
    names = load("actors").set_index("actor_id")["name"]
    publishers = load("sources").set_index("source_id")["publisher"]
    q = q.assign(speaker=q["speaker_id"].map(names), as_printed_by=q["source_id"].map(publishers))
    cols = ["quote_id", "speaker", "channel", "date", "paragraph", "claim_id", "quote",
            "as_printed_by", "note", "source_id", "article_id"]
    return q[cols].reset_index(drop=True)


def claims_per_theme(theme: str | None = None, actor: str | None = None,
                     article: str | None = None) -> pd.DataFrame:
    """Number of claims per theme and kind (rows: themes in schema order; columns: kinds).

    Examples
    --------
    >>> int(claims_per_theme().to_numpy().sum()) == len(load("claims"))
    True
    """
    return _per_theme(claims(theme, actor, article))


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
                           article: str | None = None):
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
    from ._plotting import PALETTE, add_source_line, new_figure, set_title

    rows = claims_per_theme_rows(theme, actor, article)
    table = _per_theme(rows)
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
    every = articles()
    src = rows["source_id"].unique().tolist() or (
        every["source_id"].tolist() if article is None
        else every.loc[every["article_id"] == article, "source_id"].tolist())
    add_source_line(fig, src)
    return fig


def _per_theme(c: pd.DataFrame) -> pd.DataFrame:
    table = pd.crosstab(c["theme"], c["kind"]).reindex(index=list(THEMES), fill_value=0)
    kinds = _enum("claims", "kind")
    return table.reindex(columns=[k for k in kinds if k in table.columns], fill_value=0)


def _event_window(start, end, kinds) -> tuple[pd.DataFrame, tuple[str, ...]]:
    from ._checks import check_choices, parse_date
    from .errors import ParameterError

    all_kinds = _enum("events", "kind")
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
        labels = _cluster_labels(sub["date"], span, _event_cluster_text(sub, kind), gap)
        parts.append(sub.assign(lane=lane[kind], label=[t[1] if t else None for t in labels],
                                label_side=[t[0] if t else None for t in labels]))
    return pd.concat(parts).sort_values(["date", "event_id"], kind="stable").reset_index(
        drop=True)


#: Event kinds that recur through the whole period: one label for their lane.
_ONE_LABEL_KINDS = ("summit", "status_change")


def _cluster_labels(days, span, text, gap):
    from .charts._frames import cluster_labels

    return cluster_labels(days, span, text, gap=gap)


def events_timeline_chart(start: str | None = None, end: str | None = None, kinds=None,
                          article: str | None = None):
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
    import matplotlib.dates as mdates

    from ._plotting import (
        EVENT_COLORS,
        PALETTE,
        add_source_line,
        new_figure,
        set_title,
    )
    from .charts._layout import lane_label

    check_article(article)
    ev = events_timeline_rows(start, end, kinds)
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
    marked = articles()
    if article is not None:
        marked = marked[marked["article_id"] == article]
    lo, hi = ax.get_xlim()
    for i, rec in enumerate(marked.itertuples(index=False)):
        day = pd.Timestamp(rec.published)
        if not mdates.num2date(lo).replace(tzinfo=None) <= day <= \
                mdates.num2date(hi).replace(tzinfo=None):
            continue
        ax.axvline(day, color=PALETTE["vermillion"], lw=1.5, zorder=2)
        # inside the frame, one line down per article, so that no two labels meet
        ax.text(day, 0.995 - 0.03 * i, f"{rec.outlet}, {day.day} {day:%b %Y} ({rec.article_id}) ",
                rotation=0, transform=ax.get_xaxis_transform(), fontsize=7.5,
                color=PALETTE["vermillion"], ha="right", va="top")
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
