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

The figure of the sources and its rows are :func:`sco_research.charts.sources_chart` and
:func:`sco_research.charts.sources_chart_rows`.

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
    "TITLE_KINDS",
    "check_filters",
    "citations",
    "citing_tables",
    "descriptive_reasons",
    "overview",
    "publishers",
    "sources_by_tier",
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


#: Where a source's title comes from, as the descriptor declares it.
TITLE_KINDS: tuple[str, ...] = _enum("title_kind")


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


def check_filters(tier: str | None = None, publisher: str | None = None, top: int = 10) -> None:
    """Raise ``ParameterError`` for an unknown tier or publisher, a pair no source matches, or a
    ``top`` (how many publishers a chart shows) that is not an integer of at least 1.

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
    >>> check_filters(top=0)
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: top: 0 publishers asked for; give an integer of at \
least 1
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ParameterError(f"top: {top!r} publishers asked for; give an integer of at least 1")
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
    counts = s["title_kind"].astype(str).value_counts().reindex(TITLE_KINDS, fill_value=0)
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
