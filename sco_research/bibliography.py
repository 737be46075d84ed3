"""The bibliography: every source by tier and publisher, and how many data rows cite it.

The sources table (``data/sources.csv``) says for each source who published it, its title, where
the title comes from (``title_kind``) and how close it stands to the body that decided, stated or
counted what it reports (``tier``: ``primary``, ``official_via_news``, ``secondary``; the data
package descriptor defines them). The functions here are pure pandas functions of that table and
of the tables that cite it through their ``source_id`` column:

* :func:`citations`: one row per source and citing table, with the number of rows;
* :func:`sources_by_tier`: the bibliography, sorted by tier and publisher, with ``cited_by``;
* :func:`publishers`: one row per publisher with its sources per tier and the rows citing them;
* :func:`title_kinds` and :func:`descriptive_reasons`: how many titles are the publisher's
  headline and how many are our own description, and why (from each source's note);
* :func:`sources_chart_rows` and :func:`sources_chart`: the rows of the figure and the figure.

matplotlib is imported only by :func:`sources_chart`.

Examples
--------
>>> from sco_research import bibliography as bib
>>> bib.tiers()
('primary', 'official_via_news', 'secondary')
>>> kremlin = bib.sources_by_tier(publisher="Kremlin")
>>> set(kremlin["tier"])
{'primary'}
"""

from __future__ import annotations

import pandas as pd

from ._checks import check_choice
from .data import default_package, load
from .errors import ParameterError

__all__ = [
    "TABLE_COLUMNS",
    "check_filters",
    "citations",
    "citing_tables",
    "descriptive_reasons",
    "overview",
    "publishers",
    "sources_by_tier",
    "sources_chart",
    "sources_chart_rows",
    "split_by_tier",
    "tier_caption",
    "tiers",
    "title_kinds",
]

#: Columns of the published per-tier tables, in order.
TABLE_COLUMNS = ["publisher", "title", "title_kind", "published", "accessed", "kind", "cited_by",
                 "url", "source_id", "note"]

#: Columns of :func:`sources_by_tier`.
_SOURCE_COLUMNS = ["tier", "publisher", "title", "title_kind", "published", "accessed", "kind",
                   "url", "cited_rows", "cited_by", "source_id", "note"]

_TIER_LABELS = {"primary": "Primary", "official_via_news": "Official, via news",
                "secondary": "Secondary"}


def _enum(field: str) -> tuple[str, ...]:
    for f in default_package().resource("sources")["schema"]["fields"]:
        if f["name"] == field:
            return tuple(f["constraints"]["enum"])
    raise KeyError(field)  # pragma: no cover - the descriptor declares the field


def tiers(tier: str | None = None) -> tuple[str, ...]:
    """The tiers in the order the bibliography lists them (or just ``tier``, once checked).

    The order is the descriptor's: from the body that decided or counted, to news reporting it
    with attribution, to third parties' own reporting.

    Examples
    --------
    >>> tiers("secondary")
    ('secondary',)
    >>> tiers("official")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: tier: unknown tier 'official'; did you mean \
'official_via_news'? Allowed: 'primary', 'official_via_news', 'secondary'
    """
    allowed = _enum("tier")
    if tier is None:
        return allowed
    return (check_choice("tier", tier, allowed, kind="tier"),)


def _publisher_names() -> list[str]:
    return sorted(set(load("sources")["publisher"]), key=str.casefold)


def check_filters(tier: str | None = None, publisher: str | None = None) -> None:
    """Raise ``ParameterError`` for an unknown tier or publisher, or a pair no source matches.

    Notebooks call it first, so a bad parameter fails before anything is drawn.

    Examples
    --------
    >>> check_filters("primary", "Kremlin")
    >>> check_filters(publisher="Kremlim")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: publisher: unknown publisher 'Kremlim'; did you mean \
'Kremlin'? Allowed: ...
    >>> check_filters("secondary", "Kremlin")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: tier/publisher: no source of publisher 'Kremlin' has \
tier 'secondary'; its sources are: 'primary'
    """
    tiers(tier)
    if publisher is None:
        return
    check_choice("publisher", publisher, _publisher_names(), kind="publisher")
    if tier is not None:
        s = load("sources")
        has = [t for t in tiers() if ((s["publisher"] == publisher) & (s["tier"] == t)).any()]
        if tier not in has:
            raise ParameterError(
                f"tier/publisher: no source of publisher {publisher!r} has tier {tier!r}; "
                f"its sources are: {', '.join(repr(t) for t in has)}"
            )


def citing_tables() -> list[str]:
    """The tables whose rows cite a source (they have a ``source_id`` column), descriptor order.

    Examples
    --------
    >>> "sources" in citing_tables(), "trade" in citing_tables()
    (False, True)
    """
    pkg = default_package()
    out = []
    for name in pkg.names:
        fields = [f["name"] for f in pkg.resource(name)["schema"]["fields"]]
        if name != "sources" and "source_id" in fields:
            out.append(name)
    return out


def citations() -> pd.DataFrame:
    """How many rows of each table cite each source: ``source_id``, ``table``, ``rows``.

    One row per source and citing table with at least one citing row; tables in descriptor
    order, sources in order of first citation.

    Examples
    --------
    >>> c = citations()
    >>> list(c.columns)
    ['source_id', 'table', 'rows']
    >>> int(c.loc[c["table"] == "quotes", "rows"].sum()) == len(load("quotes"))
    True
    """
    parts = []
    for name in citing_tables():
        ids = load(name)["source_id"].dropna().astype(str)
        counts = ids.value_counts(sort=False).reindex(ids.unique())
        parts.append(pd.DataFrame({"source_id": counts.index, "table": name,
                                   "rows": counts.to_numpy(dtype="int64")}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"source_id": [], "table": [], "rows": []})
    return out.astype({"source_id": "string", "table": "string", "rows": "int64"})


def _cited_by(cites: pd.DataFrame) -> pd.Series:
    """Per source, ``"trade 12, currency 3"``: tables by rows (most first), then table order."""
    order = {name: i for i, name in enumerate(citing_tables())}
    c = cites.assign(_order=cites["table"].map(order))
    c = c.sort_values(["source_id", "rows", "_order"], ascending=[True, False, True])
    text = c["table"] + " " + c["rows"].astype(str)
    return text.groupby(c["source_id"]).agg(", ".join)


def sources_by_tier(tier: str | None = None, publisher: str | None = None) -> pd.DataFrame:
    """Every source, sorted by tier then publisher, with how many data rows cite it.

    Parameters
    ----------
    tier : str, optional
        Keep one tier: ``"primary"``, ``"official_via_news"`` or ``"secondary"``.
    publisher : str, optional
        Keep one publisher, spelled as in the sources table (e.g. ``"TASS"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``tier``, ``publisher``, ``title``, ``title_kind``, ``published``, ``accessed``,
        ``kind``, ``url``, ``cited_rows`` (rows of the data package citing the source),
        ``cited_by`` (those rows per table, e.g. ``"trade 12, currency 3"``; empty if none),
        ``source_id`` and ``note``. Within a publisher, sources run by publication date (undated
        last), then by ``source_id``.

    Raises
    ------
    ParameterError
        Unknown tier or publisher, or a pair that no source matches.

    Examples
    --------
    >>> s = sources_by_tier()
    >>> list(s["tier"].drop_duplicates())
    ['primary', 'official_via_news', 'secondary']
    >>> int(s["cited_rows"].sum()) == int(citations()["rows"].sum())
    True
    >>> sources_by_tier(tier="tertiary")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: tier: unknown tier 'tertiary'; did you mean 'primary'? \
Allowed: 'primary', 'official_via_news', 'secondary'
    """
    check_filters(tier, publisher)
    s = load("sources")
    if tier is not None:
        s = s[s["tier"] == tier]
    if publisher is not None:
        s = s[s["publisher"] == publisher]
    cites = citations()
    total = cites.groupby("source_id")["rows"].sum()
    s = s.assign(
        cited_rows=s["source_id"].map(total).fillna(0).astype("int64"),
        cited_by=s["source_id"].map(_cited_by(cites)).fillna("").astype("string"),
        _tier=s["tier"].cat.codes,
        _publisher=s["publisher"].str.casefold(),
    )
    s = s.sort_values(["_tier", "_publisher", "published", "source_id"], na_position="last")
    return s[_SOURCE_COLUMNS].reset_index(drop=True)


def publishers(tier: str | None = None) -> pd.DataFrame:
    """One row per publisher: its sources per tier, in all, and the data rows citing them.

    Parameters
    ----------
    tier : str, optional
        Count only the sources of this tier (publishers without any are left out).

    Returns
    -------
    pandas.DataFrame
        Columns ``publisher``, ``sources``, one column per tier (``primary``,
        ``official_via_news``, ``secondary``) and ``cited_rows``; most sources first, then most
        cited rows, then by name.

    Examples
    --------
    >>> p = publishers()
    >>> list(p.columns)
    ['publisher', 'sources', 'primary', 'official_via_news', 'secondary', 'cited_rows']
    >>> int(p["sources"].sum()) == len(load("sources"))
    True
    >>> kremlin = p[p["publisher"] == "Kremlin"].iloc[0]
    >>> int(kremlin["primary"]) == int(kremlin["sources"])
    True
    """
    s = sources_by_tier(tier)
    counts = pd.crosstab(s["publisher"], s["tier"].astype(str))
    counts = counts.reindex(columns=list(tiers()), fill_value=0).astype("int64")
    out = counts.assign(
        sources=counts.sum(axis=1),
        cited_rows=s.groupby("publisher")["cited_rows"].sum().reindex(counts.index),
    ).reset_index()
    out = out.assign(_name=out["publisher"].str.casefold())
    out = out.sort_values(["sources", "cited_rows", "_name"], ascending=[False, False, True])
    out = out[["publisher", "sources", *tiers(), "cited_rows"]].reset_index(drop=True)
    out.columns.name = None
    return out.astype({"publisher": "string", "cited_rows": "int64"})


def title_kinds(tier: str | None = None, publisher: str | None = None) -> pd.DataFrame:
    """How many titles are headlines, headlines read from the address, or our description.

    Returns ``title_kind``, ``sources`` and ``share`` (of the selected sources, 0 to 1), in the
    descriptor's order of title kinds.

    Examples
    --------
    >>> t = title_kinds()
    >>> list(t["title_kind"])
    ['headline', 'headline_from_url', 'descriptive']
    >>> int(t["sources"].sum()) == len(load("sources")), round(float(t["share"].sum()), 9)
    (True, 1.0)
    """
    s = sources_by_tier(tier, publisher)
    counts = s["title_kind"].astype(str).value_counts().reindex(_enum("title_kind"), fill_value=0)
    out = pd.DataFrame({"title_kind": counts.index, "sources": counts.to_numpy(dtype="int64")})
    out["share"] = out["sources"] / len(s) if len(s) else 0.0
    return out.astype({"title_kind": "string"})


def _reason(note: object) -> str:
    """The first clause of a note (up to the first ';' or '.'), or a placeholder if none."""
    if not isinstance(note, str) or not note.strip():
        return "no reason recorded in the note"
    text = note.strip()
    for sep in (";", ". "):
        text = text.split(sep, 1)[0]
    return text.strip().rstrip(".")


def descriptive_reasons(tier: str | None = None, publisher: str | None = None) -> pd.DataFrame:
    """Why titles are descriptive: the first clause of each such source's note, counted.

    Returns ``reason`` and ``sources``, most frequent first.

    Examples
    --------
    >>> r = descriptive_reasons()
    >>> int(r["sources"].sum()) == int((load("sources")["title_kind"] == "descriptive").sum())
    True
    """
    s = sources_by_tier(tier, publisher)
    d = s[s["title_kind"] == "descriptive"]
    counts = d["note"].map(_reason).value_counts()
    out = pd.DataFrame({"reason": counts.index.astype(str), "sources": counts.to_numpy()})
    return out.astype({"reason": "string", "sources": "int64"})


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def overview(tier: str | None = None, publisher: str | None = None) -> str:
    """A short paragraph (Markdown) with the counts behind the bibliography, computed.

    Examples
    --------
    >>> print(overview(publisher="Kremlin"))  # doctest: +ELLIPSIS
    **... sources** from 1 publisher(s), cited by ... rows of the data tables. ...
    """
    s = sources_by_tier(tier, publisher)
    n = len(s)
    parts = [f"**{n} sources** from {s['publisher'].nunique()} publisher(s), cited by "
             f"{int(s['cited_rows'].sum())} rows of the data tables."]
    by_tier = s["tier"].astype(str).value_counts()
    parts.append("By tier: " + ", ".join(
        f"{int(by_tier.get(t, 0))} {t.replace('_', ' ')} ({_pct(int(by_tier.get(t, 0)), n)})"
        for t in tiers()
    ) + ".")
    kinds = title_kinds(tier, publisher).set_index("title_kind")["sources"]
    parts.append(
        f"{int(kinds['headline'])} titles ({_pct(int(kinds['headline']), n)}) are the "
        f"publisher's headline as shown on the stored page and {int(kinds['headline_from_url'])} "
        f"({_pct(int(kinds['headline_from_url']), n)}) the headline carried in the page address; "
        f"{int(kinds['descriptive'])} ({_pct(int(kinds['descriptive']), n)}) are our own "
        "description."
    )
    reasons = descriptive_reasons(tier, publisher)
    if len(reasons):
        why = "; ".join(f"{r.reason[:1].lower()}{r.reason[1:]} ({r.sources})"
                        for r in reasons.itertuples())
        parts.append(f"Why, as the notes record it: {why}.")
    uncited = int((s["cited_rows"] == 0).sum())
    if uncited:
        parts.append(f"{uncited} of these sources are cited by no row of the data tables "
                     "(their `cited_by` is empty).")
    return " ".join(parts)


def split_by_tier(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Rows of :func:`sources_by_tier` as ``{tier: rows}``, in tier order, empty tiers left out.

    Examples
    --------
    >>> list(split_by_tier(sources_by_tier(publisher="TASS")))
    ['official_via_news']
    """
    return {t: rows[rows["tier"] == t].reset_index(drop=True) for t in tiers()
            if (rows["tier"] == t).any()}


def tier_caption(tier: str, rows: pd.DataFrame) -> str:
    """A caption for one tier's table: label, number of sources and publishers.

    Examples
    --------
    >>> tier_caption("primary", sources_by_tier("primary", "Kremlin"))  # doctest: +ELLIPSIS
    'Primary sources: ... from 1 publisher(s), by publisher'
    """
    tiers(tier)
    return (f"{_TIER_LABELS.get(tier, tier)} sources: {len(rows)} from "
            f"{rows['publisher'].nunique()} publisher(s), by publisher")


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
    >>> len(rows) == len(load("sources")), int(rows["publisher_rank"].max())
    (True, 3)
    >>> sources_chart_rows(top=0)
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: top: 0 publishers asked for; give an integer of at \
least 1
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ParameterError(f"top: {top!r} publishers asked for; give an integer of at least 1")
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


def sources_chart(rows: pd.DataFrame):
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
    from ._plotting import add_source_line, house_style, new_figure, set_title

    need = {"source_id", "tier", "title_kind", "publisher", "publisher_rank", "cited_rows"}
    if not isinstance(rows, pd.DataFrame) or not need <= set(rows.columns) or rows.empty:
        got = list(rows.columns) if isinstance(rows, pd.DataFrame) else type(rows).__name__
        raise ParameterError(f"rows: give the non-empty rows of sources_chart_rows() (columns "
                             f"{sorted(need)!r}); got {got!r} with "
                             f"{len(rows) if isinstance(rows, pd.DataFrame) else 0} row(s)")
    all_tiers = list(tiers())
    kinds = list(_enum("title_kind"))
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
