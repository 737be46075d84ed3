"""The articles' facts: filtered claims and quotes, and their counts per theme.

Every function takes ``article`` (an ``article_id`` of the articles table; ``None``: every
article). Their charts are in :mod:`sco_research.charts.article`.

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
from .corpus import check_article
from .data import default_package, load

__all__ = [
    "CLAIM_KINDS",
    "THEMES",
    "check_filters",
    "claims",
    "quotes",
    "EVENT_KINDS",
    "claims_per_theme",
    "count_by_theme",
]


def _enum(table: str, field: str) -> tuple[str, ...]:
    for f in default_package().resource(table)["schema"]["fields"]:
        if f["name"] == field:
            return tuple(f["constraints"]["enum"])
    raise KeyError(field)  # pragma: no cover - schema is fixed


#: Themes of the claims table, as the data package declares them.
THEMES: tuple[str, ...] = _enum("claims", "theme")

#: Kinds of claim, as the data package declares them.
CLAIM_KINDS: tuple[str, ...] = _enum("claims", "kind")

#: Kinds of dated event, as the data package declares them.
EVENT_KINDS: tuple[str, ...] = _enum("events", "kind")


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
    return count_by_theme(claims(theme, actor, article))


def count_by_theme(rows: pd.DataFrame) -> pd.DataFrame:
    """Count claim rows per theme (every theme, in schema order) and kind (those present).

    Examples
    --------
    >>> count_by_theme(claims(theme="currency")).loc["currency"].sum()
    np.int64(1)
    """
    table = pd.crosstab(rows["theme"], rows["kind"]).reindex(index=list(THEMES), fill_value=0)
    return table.reindex(columns=[k for k in CLAIM_KINDS if k in table.columns], fill_value=0)
