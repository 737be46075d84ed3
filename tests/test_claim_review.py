"""Tests of sco_research.claim_review: ClaimReview JSON-LD built from rows.

The review embedded in a rendered page is parsed and checked field by field in
tests/test_fact_check.py (test_notebook_runs_with_defaults_and_its_report_renders).
"""

from __future__ import annotations

import json

import pytest

import sco_research as sco
from sco_research import claim_review
from sco_research.data import DataPackage
from sco_research.errors import ParameterError

from .conftest import edit_csv


def test_one_review_per_claim_every_field_from_its_rows():
    reviews = claim_review.claim_reviews("a2")
    checks = sco.claim_checks(article="a2")
    assert len(reviews) == len(checks) == 9
    a = sco.articles("a2").iloc[0]
    for r, c in zip(reviews, checks.itertuples(), strict=True):
        assert r["url"] == f"../claims-check-a2/claims-check-a2.html#claim-{c.claim_id}"
        assert r["claimReviewed"] == c.claim
        assert r["itemReviewed"] == {
            "@type": "Claim", "author": {"@type": "Organization", "name": "TRT World"},
            "datePublished": "2025-09-01",
            "appearance": {"@type": "NewsArticle", "url": a["url"], "headline": a["headline"],
                           "datePublished": "2025-09-01"}}
        assert r["reviewRating"] == {"@type": "Rating",
                                     "alternateName": c.verdict.replace("_", " "),
                                     "ratingExplanation": c.finding}
        assert r["datePublished"] == "2026-12-02"
        assert r["author"]["name"] == sco.DataPackage().descriptor["title"]
    # every kind of verdict gets its label in words (the seed article has all five)
    labels = {r["reviewRating"]["alternateName"] for r in claim_review.claim_reviews("a1")}
    assert labels == {"supported", "partly supported", "overstated", "unverifiable", "opinion"}


def test_every_article_and_the_base_of_the_urls():
    every = claim_review.claim_review_graph(None, base="https://example.org/reports/")
    assert len(every["@graph"]) == len(sco.load("claim_checks"))
    assert every["@graph"][0]["url"] == (
        "https://example.org/reports/claims-check-a1/claims-check-a1.html#claim-c01")
    json.dumps(every)  # plain JSON types only


def test_an_unknown_article_is_refused():
    with pytest.raises(ParameterError, match=r"article: unknown article_id 'a7'"):
        claim_review.claim_reviews("a7")


def test_a_review_follows_its_rows(package_copy):
    edit_csv(package_copy / "articles.csv", "2025-09-01,en,,", "2025-09-01,en,Jane Doe,")
    pkg = DataPackage(package_copy / "datapackage.json")
    (first, *_) = claim_review.claim_reviews("a2", package=pkg)
    assert first["itemReviewed"]["appearance"]["author"] == {"@type": "Person",
                                                             "name": "Jane Doe"}


def test_the_script_element_cannot_be_closed_by_a_row():
    html = claim_review.jsonld_script({"claimReviewed": "</script><b>x</b> & y"})
    assert html.count("</script>") == 1 and "<b>" not in html
    body = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(body) == {"claimReviewed": "</script><b>x</b> & y"}
