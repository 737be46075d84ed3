"""The sources as a chart: sources per tier, and the publishers with most sources.

:func:`sources_chart_rows` returns exactly the rows :func:`sources_chart` draws, one per source;
the sources and their tiers come from :mod:`sco_research.bibliography`.

Examples
--------
>>> rows = sources_chart_rows(tier="primary", top=2)
>>> set(rows["tier"])
{'primary'}
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from .._plotting import add_source_line, house_style, new_figure, set_title
from ..bibliography import TITLE_KINDS, check_filters, publishers, sources_by_tier, tiers
from ..errors import ParameterError

__all__ = ["sources_chart", "sources_chart_rows"]


def sources_chart_rows(tier: str | None = None, publisher: str | None = None,
                       top: int = 10) -> pd.DataFrame:
    """Exactly the rows :func:`sources_chart` draws: one per source counted.

    Every row counts in the left panel (sources per tier, split by title kind). A row whose
    publisher is among the ``top`` publishers with most sources also counts in the right panel;
    ``publisher_rank`` gives that publisher's rank (1 = most sources) and is missing otherwise.

    Parameters
    ----------
    tier, publisher : str, optional
        Filters, as for :func:`sources_by_tier`.
    top : int
        How many publishers the right panel shows (at least 1).

    Examples
    --------
    >>> rows = sources_chart_rows(top=3)
    >>> len(rows) == len(sources_by_tier()), int(rows["publisher_rank"].max())
    (True, 3)
    >>> sources_chart_rows(top=0)
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: top: 0 publishers asked for; give an integer of at \
least 1
    """
    check_filters(tier, publisher, top)
    s = sources_by_tier(tier, publisher)
    ranked = publishers(tier)
    ranked = ranked[ranked["publisher"].isin(set(s["publisher"]))].head(top)
    rank = pd.Series(range(1, len(ranked) + 1), index=ranked["publisher"].astype(str))
    cols = ["source_id", "tier", "title_kind", "publisher", "publisher_rank", "cited_rows",
            "title", "published", "url"]
    return s.assign(publisher_rank=s["publisher"].map(rank).astype("Int64"))[cols]


_TITLE_KIND_COLORS = {"headline": "#009E73", "headline_from_url": "#56B4E9",
                      "descriptive": "#D55E00"}
_TIER_COLORS = {"primary": "#0072B2", "official_via_news": "#E69F00", "secondary": "#999999"}


def _chart_title(rows: pd.DataFrame, by_pub: pd.DataFrame, names: pd.Series) -> str:
    """The finding: the primary share (or, for one tier, its size) and the leading publisher."""
    n = len(rows)
    present = list(dict.fromkeys(rows["tier"].astype(str)))
    if len(present) == 1:
        head = (f"{n} {present[0].replace('_', ' ')} source{'s' if n != 1 else ''} from "
                f"{rows['publisher'].nunique()} publisher(s)")
    else:
        head = f"{int((rows['tier'] == 'primary').sum())} of {n} sources are primary"
    lead = int(by_pub.iloc[0].sum())
    return f"{head}; {names[by_pub.index[0]]} has the most ({lead})"


def sources_chart(rows: pd.DataFrame) -> Figure:
    """Two panels from :func:`sources_chart_rows`: sources per tier, and the top publishers.

    Left: one bar per tier, split by where the title comes from. Right: the publishers with most
    sources, one bar each, split by tier and labelled with the data rows that cite them.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> rows = sources_chart_rows(publisher="Kremlin")
    >>> fig = sources_chart(rows)
    >>> n = len(rows)
    >>> fig.axes[0].get_title(loc="left") == (
    ...     f"{n} primary sources from 1 publisher(s); Kremlin has the most ({n})")
    True
    >>> plt.close(fig)
    """
    need = {"source_id", "tier", "title_kind", "publisher", "publisher_rank", "cited_rows"}
    if not isinstance(rows, pd.DataFrame) or not need <= set(rows.columns) or rows.empty:
        got = list(rows.columns) if isinstance(rows, pd.DataFrame) else type(rows).__name__
        raise ParameterError(f"rows: give the non-empty rows of sources_chart_rows() (columns "
                             f"{sorted(need)!r}); got {got!r} with "
                             f"{len(rows) if isinstance(rows, pd.DataFrame) else 0} row(s)")
    all_tiers = list(tiers())
    kinds = list(TITLE_KINDS)
    by_tier = pd.crosstab(rows["tier"].astype(str), rows["title_kind"].astype(str)).reindex(
        index=all_tiers, columns=kinds, fill_value=0)
    top = rows.dropna(subset=["publisher_rank"])
    by_pub = pd.crosstab(top["publisher_rank"], top["tier"].astype(str)).reindex(
        columns=all_tiers, fill_value=0).sort_index()
    names = top.drop_duplicates("publisher_rank").set_index("publisher_rank")["publisher"]
    cited = top.groupby("publisher_rank")["cited_rows"].sum()

    fig, ax = new_figure((10, 0.32 * max(len(by_pub), 4) + 2.4))
    grid = fig.add_gridspec(1, 2, width_ratios=[1, 1.7])
    ax.set_subplotspec(grid[0])
    with house_style():
        ax2 = fig.add_subplot(grid[1])
    ax2.spines[["top", "right"]].set_visible(False)

    labels = [t.replace("_", " ") for t in all_tiers][::-1]
    left = pd.Series(0, index=by_tier.index[::-1])
    for kind in kinds:
        values = by_tier[kind].iloc[::-1]
        ax.barh(labels, values, left=left, height=0.6, color=_TITLE_KIND_COLORS.get(kind),
                label=kind.replace("_", " "))
        left = left + values
    for y, total in enumerate(left):
        ax.text(total, y, f" {int(total)}", va="center", fontsize=8)
    ax.set_xlabel("sources (count)")
    ax.set_xlim(0, max(int(left.max()), 1) * 1.18)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right", fontsize=7, title="title", title_fontsize=7)

    pub_labels = [str(names[r]) for r in by_pub.index][::-1]
    left = pd.Series(0, index=by_pub.index[::-1])
    for t in all_tiers:
        values = by_pub[t].iloc[::-1]
        ax2.barh(pub_labels, values, left=left, height=0.6, color=_TIER_COLORS[t],
                 label=t.replace("_", " "))
        left = left + values
    for y, (r, total) in enumerate(left.items()):
        ax2.text(total, y, f" {int(total)} ({int(cited[r])} rows cite them)", va="center",
                 fontsize=7)
    ax2.set_xlim(0, max(int(left.max()), 1) * 1.6)
    ax2.set_xlabel("sources (count)")
    ax2.xaxis.get_major_locator().set_params(integer=True)
    ax2.tick_params(axis="y", labelsize=7.5)
    ax2.legend(loc="lower right", fontsize=7, title="tier", title_fontsize=7)
    ax2.set_title("The publisher with most sources" if len(by_pub) == 1 else
                  f"The {len(by_pub)} publishers with most sources", loc="left", fontsize=9)

    set_title(ax, _chart_title(rows, by_pub, names),
              "Sources by tier, split by where the title comes from")
    add_source_line(fig, rows["source_id"].tolist())
    return fig
