"""The verdicts as schema.org ``ClaimReview`` JSON-LD, for fact-check tools and search engines.

One ``ClaimReview`` per checked claim, built from rows only (``claims``, ``claim_checks``,
``articles``): the claim in our words (``claimReviewed``), the article it appeared in
(``itemReviewed``: a ``Claim`` with the outlet as author, the article's date and its URL as
``appearance``), the verdict (``reviewRating``: ``alternateName`` the verdict label,
``ratingExplanation`` the finding), the package as ``author``, the ``checked_on`` day as
``datePublished`` and the claim's anchor on its claims-check page as ``url``.

Notebook 06 shows the graph of its article with :func:`display_claim_reviews` (the report page
embeds it as ``<script type="application/ld+json">``); the renderer writes the graph of every
article to ``claim_reviews.json`` beside the copy of the data package.

Examples
--------
>>> from sco_research import claim_review
>>> r = claim_review.claim_reviews("a2")[0]
>>> r["@type"], r["reviewRating"]["alternateName"], r["url"]
('ClaimReview', 'supported', '../claims-check-a2/claims-check-a2.html#claim-a2-c01')
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ._checks import check_choice
from .data import DataPackage, default_package

__all__ = ["CLAIM_REVIEW_KEY", "claim_anchor", "claim_review_graph", "claim_reviews",
           "claims_check_page", "display_claim_reviews", "jsonld_script"]

#: The metadata key notebook 06 marks its JSON-LD output with (the page builder embeds it).
CLAIM_REVIEW_KEY = "jsonld"


def claims_check_page(article: str) -> str:
    """Where the claims-check page of ``article`` sits, relative to the reports folder.

    The reports ``claims-check-{article}`` of ``reports.yaml`` are written there.

    Examples
    --------
    >>> claims_check_page("a2")
    'claims-check-a2/claims-check-a2.html'
    """
    return f"claims-check-{article}/claims-check-{article}.html"


def claim_anchor(claim_id: str) -> str:
    """The anchor of a claim's section on its claims-check page.

    Examples
    --------
    >>> claim_anchor("a2-c04")
    'claim-a2-c04'
    """
    return f"claim-{claim_id}"


def _date(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def claim_reviews(article: str | None = None, *, base: str = "../",
                  package: DataPackage | None = None) -> list[dict]:
    """One schema.org ``ClaimReview`` (a dict ready for JSON) per checked claim.

    Parameters
    ----------
    article : str, optional
        An ``article_id``: the claims of that article (``None``: every article).
    base : str
        Prefix of each review's ``url`` (the claims-check page and the claim's anchor); the
        default suits a page one folder below the reports folder, and ``reports/data/``.
    package : DataPackage, optional
        The data package to read (default: the bundled one).

    Raises
    ------
    ParameterError
        Unknown article.

    Examples
    --------
    >>> reviews = claim_reviews("a1")
    >>> len(reviews) == len(default_package().load("claims").query("article_id == 'a1'"))
    True
    >>> reviews[0]["itemReviewed"]["appearance"]["url"].startswith("https://")
    True
    """
    pkg = package or default_package()
    arts = pkg.load("articles").set_index("article_id")
    if article is not None:
        check_choice("article", article, arts.index.tolist(), kind="article_id")
    claims = pkg.load("claims")
    checks = pkg.load("claim_checks").drop(columns=["note", "source_id", "article_id"])
    rows = claims.merge(checks, on="claim_id", how="inner")
    if article is not None:
        rows = rows[rows["article_id"] == article]
    author = {"@type": "Organization", "name": str(pkg.descriptor.get("title") or "sco-research"),
              "alternateName": str(pkg.descriptor.get("name") or "sco-research")}
    out = []
    for r in rows.sort_values(["article_id", "claim_id"]).itertuples(index=False):
        a = arts.loc[r.article_id]
        appearance = {"@type": "NewsArticle", "url": str(a["url"]),
                      "headline": str(a["headline"]), "datePublished": _date(a["published"])}
        if pd.notna(a["author"]) and str(a["author"]):
            appearance["author"] = {"@type": "Person", "name": str(a["author"])}
        out.append({
            "@type": "ClaimReview",
            "url": f"{base}{claims_check_page(r.article_id)}#{claim_anchor(r.claim_id)}",
            "claimReviewed": str(r.claim),
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Organization", "name": str(a["outlet"])},
                "datePublished": _date(a["published"]),
                "appearance": appearance,
            },
            "reviewRating": {
                "@type": "Rating",
                "alternateName": str(r.verdict).replace("_", " "),
                "ratingExplanation": str(r.finding),
            },
            "author": author,
            "datePublished": _date(r.checked_on),
        })
    return out


def claim_review_graph(article: str | None = None, *, base: str = "../",
                       package: DataPackage | None = None) -> dict:
    """The reviews of :func:`claim_reviews` as one JSON-LD document (``@context``, ``@graph``).

    Examples
    --------
    >>> g = claim_review_graph("a2")
    >>> g["@context"], len(g["@graph"])
    ('https://schema.org', 9)
    """
    return {"@context": "https://schema.org",
            "@graph": claim_reviews(article, base=base, package=package)}


def jsonld_script(doc: dict) -> str:
    """``doc`` as an HTML ``<script type="application/ld+json">`` element, safe inside a page.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no text of a row can close the
    element.

    Examples
    --------
    >>> jsonld_script({"a": "</script>"})
    '<script type="application/ld+json">{"a": "\\\\u003c/script\\\\u003e"}</script>'
    """
    text = json.dumps(doc, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def display_claim_reviews(article: str | None = None) -> dict:
    """Show the ClaimReview graph of ``article`` in a notebook; the report page embeds it.

    The output carries the graph as ``application/ld+json`` with a record under
    :data:`sco_research.publish.METADATA_KEY` of kind :data:`CLAIM_REVIEW_KEY`; in JupyterLab
    it shows as a one-line summary. Returns the graph.

    Examples
    --------
    Outside a notebook the output is printed:

    >>> graph = display_claim_reviews("a2")  # doctest: +ELLIPSIS
    {'application/ld+json': {'@context': 'https://schema.org', '@graph': [{'@type': ...}
    >>> len(graph["@graph"])
    9
    """
    from IPython.display import display

    from .publish import METADATA_KEY

    graph = claim_review_graph(article)
    n = len(graph["@graph"])
    display({"application/ld+json": graph,
             "text/plain": f"ClaimReview JSON-LD for {n} claim{'s' if n != 1 else ''}"},
            raw=True, metadata={METADATA_KEY: {"kind": CLAIM_REVIEW_KEY,
                                               "name": "claim-reviews"}})
    return graph
