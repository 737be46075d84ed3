"""Tests of sco_research.corpus: the articles, the article filter, the text fingerprints."""

from __future__ import annotations

import pytest

import sco_research as sco
from sco_research import corpus
from sco_research.errors import ParameterError


def test_articles_are_sources_of_their_own():
    a = sco.articles()
    assert a["article_id"].tolist() == corpus.article_ids() == ["a1", "a2"]
    assert corpus.SEED_ARTICLE == "a1"
    sources = sco.load("sources").set_index("source_id")
    for rec in a.itertuples():
        s = sources.loc[rec.source_id]
        assert s["url"] == rec.url and s["title"] == rec.headline
        assert s["published"] == rec.published and s["kind"] == "news"
    assert sco.articles("a2")["outlet"].tolist() == ["TRT World"]


def test_an_unknown_article_is_refused_with_the_allowed_ids():
    with pytest.raises(ParameterError, match=r"article: unknown article_id 'a3'\. Allowed: "
                                             r"'a1', 'a2'"):
        sco.articles("a3")
    with pytest.raises(ParameterError, match=r"article: unknown article_id 'tempo'"):
        corpus.check_article("tempo")
    corpus.check_article(None)


def test_words_are_normalised_before_hashing():
    assert corpus.words("China’s  Xi:\n'SCO' ＳＣＯ_plus") == ["china", "s", "xi", "sco", "sco",
                                                               "plus"]
    assert corpus.shingles("A b c d e f g") == corpus.shingles("a, B; c -- d e\nf G!")
    assert corpus.shingles("a b c d e f") == []
    assert len(corpus.shingles("a b c d e f g h")) == 2
    # a repeated run is stored once
    assert len(corpus.shingles("a b c d e f g a b c d e f g")) == 7
    assert all(len(h) == 16 and int(h, 16) >= 0 for h in corpus.shingles("a b c d e f g"))


def test_repeated_runs_name_the_copied_words():
    assert corpus.repeated_runs("Xi told a welcoming banquet at the Tianjin Meijiang Convention "
                                "Center", "a2") == [
        "xi told a welcoming banquet at the", "told a welcoming banquet at the tianjin",
        "a welcoming banquet at the tianjin meijiang",
        "welcoming banquet at the tianjin meijiang convention",
        "banquet at the tianjin meijiang convention center"]
    # the same words are not in the other article
    assert corpus.repeated_runs("Xi told a welcoming banquet at the Tianjin", "a1") == []


def test_describe_names_the_article_from_its_row():
    outlet = sco.articles("a1")["outlet"].iloc[0]
    assert corpus.describe("a1") == f"{outlet}'s article of 4 July 2024"
    assert corpus.describe(None) == "the 2 articles"


def test_every_article_has_its_fingerprints():
    s = sco.load("article_shingles")
    assert set(s["article_id"]) == set(corpus.article_ids())
    assert not s.duplicated().any()
