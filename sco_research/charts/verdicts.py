"""The fact check as a chart: one bar per theme, one box per claim, coloured by its verdict.

:func:`verdicts_per_theme_rows` returns exactly the rows :func:`verdicts_per_theme_chart` draws,
and :func:`draw_verdicts_per_theme` draws rows already selected (a notebook selects them once
and publishes the figure with them); the verdicts come from :mod:`sco_research.fact_check`,
their colours from :mod:`sco_research.fact_check_views`.

Examples
--------
>>> verdicts_per_theme_rows(theme="us_view")["claim_id"].tolist()
['c19', 'c20']
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .._days import day_words
from .._plotting import add_source_line, new_figure, set_title
from ..corpus import describe
from ..errors import ParameterError
from ..fact_check import VERDICTS, claim_checks
from ..fact_check_views import VERDICT_COLORS
from ..facts import THEMES

__all__ = ["draw_verdicts_per_theme", "verdicts_per_theme_chart", "verdicts_per_theme_rows"]


def _label(verdict: str) -> str:
    return verdict.replace("_", " ")


def verdicts_per_theme_rows(theme: str | None = None, verdict: str | None = None,
                            article: str | None = None) -> pd.DataFrame:
    """Exactly the rows :func:`verdicts_per_theme_chart` draws: one per claim, in drawing order.

    ``theme``, ``verdict`` and ``article`` filter as for
    :func:`sco_research.fact_check.claim_checks`.

    Returns
    -------
    pandas.DataFrame
        ``theme``, ``position`` (the claim's box along its theme's bar, from 0), ``claim_id``,
        ``verdict``, ``checks``, ``checked_on``, ``evidence_sources`` (the sources of its
        evidence rows, which the source line counts), ``source_id`` (the article) and
        ``article_id``.

    Examples
    --------
    >>> r = verdicts_per_theme_rows(theme="us_view")
    >>> r[["claim_id", "verdict", "position"]].values.tolist()
    [['c19', 'partly_supported', 0], ['c20', 'partly_supported', 1]]
    """
    c = claim_checks(theme=theme, verdict=verdict, article=article)
    order = {v: i for i, v in enumerate(VERDICTS)}
    themes = {t: i for i, t in enumerate(THEMES)}
    c = c.assign(_t=c["theme"].map(themes).astype(int),
                 _v=c["verdict"].astype(str).map(order).astype(int))
    c = c.sort_values(["_t", "_v", "claim_id"]).reset_index(drop=True)
    c["position"] = c.groupby("theme", observed=True).cumcount()
    cols = ["theme", "position", "claim_id", "verdict", "checks", "checked_on",
            "evidence_sources", "source_id", "article_id"]
    return c[cols].astype({"theme": "string", "verdict": "string", "checks": "string"})


def _title(rows: pd.DataFrame) -> str:
    counts = rows["verdict"].value_counts()
    parts = [f"{counts[v]} {_label(v)}" for v in VERDICTS if counts.get(v, 0)]
    if len(parts) > 1:
        parts = [", ".join(parts[:-1]) + " and " + parts[-1]]
    n = len(rows)
    return f"Of the {n} claim{'s' if n != 1 else ''} checked: {parts[0]}"


def verdicts_per_theme_chart(theme: str | None = None, verdict: str | None = None,
                             ax=None, article: str | None = None) -> Figure:
    """One bar per theme, one box per claim, coloured by verdict and labelled with its id.

    Parameters
    ----------
    theme, verdict : str, optional
        Filters, as for :func:`sco_research.fact_check.claim_checks`.
    ax : matplotlib Axes, optional
        Draw into this Axes.
    article : str, optional
        An ``article_id``: that article's claims (``None``: every article).

    Returns
    -------
    matplotlib.figure.Figure
        Titled with the count of each verdict (computed from the rows), with a source line.

    Raises
    ------
    ParameterError
        Unknown theme or verdict, or a filter that leaves no claim.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = verdicts_per_theme_chart(article="a1")
    >>> fig.axes[0].get_title(loc="left")
    'Of the 20 claims checked: 12 supported, 5 partly supported, 1 overstated, 1 unverifiable \
and 1 opinion'
    """
    rows = verdicts_per_theme_rows(theme=theme, verdict=verdict, article=article)
    if rows.empty:
        where = f" in article {article!r}" if article is not None else ""
        raise ParameterError(f"theme={theme!r}, verdict={verdict!r}: no claim has this theme "
                             f"and verdict{where}; drop a filter or choose another value")
    return draw_verdicts_per_theme(rows, article, ax=ax)


def draw_verdicts_per_theme(rows: pd.DataFrame, article: str | None = None,
                            ax=None) -> Figure:
    """Draw exactly ``rows`` (:func:`verdicts_per_theme_rows`) as :func:`verdicts_per_theme_chart`
    does: nothing is selected again.

    ``article`` names whose verdicts they are in the subtitle (``None``: every article).

    Raises
    ------
    ParameterError
        ``rows`` hold no claim.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rows = verdicts_per_theme_rows(theme="us_view")
    >>> fig = draw_verdicts_per_theme(rows)
    >>> fig.axes[0].get_title(loc="left")
    'Of the 2 claims checked: 2 partly supported'
    >>> draw_verdicts_per_theme(rows.iloc[:0])
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: rows: no claim to draw; give rows of verdicts_per_...
    """
    if rows.empty:
        raise ParameterError("rows: no claim to draw; give rows of verdicts_per_theme_rows() "
                             "that hold at least one claim")
    themes = list(dict.fromkeys(rows["theme"]))
    fig, ax = new_figure((8.0, 0.45 * len(themes) + 1.6), ax=ax)
    for rec in rows.itertuples(index=False):
        y = themes.index(rec.theme)
        ax.barh(y, 0.92, left=rec.position, height=0.7, color=VERDICT_COLORS[rec.verdict],
                edgecolor="white")
        ax.text(rec.position + 0.46, y, rec.claim_id, ha="center", va="center", fontsize=7.5,
                color="black")
    ax.set_yticks(range(len(themes)), [t.replace("_", " ") for t in themes])
    ax.invert_yaxis()
    ax.set_xlabel("claims")
    ax.set_xlim(0, rows["position"].max() + 1.2)
    ax.xaxis.get_major_locator().set_params(integer=True)
    shown = [v for v in VERDICTS if v in set(rows["verdict"])]
    ax.legend(handles=[Patch(color=VERDICT_COLORS[v], label=_label(v)) for v in shown],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5)
    day = day_words(pd.Timestamp(rows["checked_on"].max()))
    set_title(ax, _title(rows), f"Verdicts on {describe(article)}, by theme; as of {day}")
    n_sources = len({s.strip() for cell in rows["evidence_sources"].dropna()
                     for s in str(cell).split(",") if s.strip()})
    add_source_line(fig, rows["source_id"], width=110,
                    note=f"Verdicts: our check against {n_sources} cited sources "
                         "(data/claim_evidence.csv).")
    return fig
