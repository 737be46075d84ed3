import matplotlib.pyplot as plt
import papermill as pm
import pytest

import sco_research as sco
from sco_research import charts, corpus, facts
from sco_research.errors import ParameterError

from .conftest import run_notebook

SEED = sco.paths.PROJECT_ROOT.parent / "shared" / "seed" / "000_bbc9b499a7229531.txt"
#: The paragraphs of each article's body (the headline and standfirst are not numbered).
PARAGRAPHS = {"a1": 11, "a2": 9}


def _seed_row():
    return sco.articles(corpus.SEED_ARTICLE).iloc[0]


@pytest.mark.parametrize("article", sorted(PARAGRAPHS))
def test_claims_cover_every_paragraph_of_the_article(article):
    c = facts.claims(article=article)
    assert set(c["paragraph"]) == set(range(1, PARAGRAPHS[article] + 1))
    assert c["claim_id"].is_unique
    assert set(c["theme"]) <= set(facts.THEMES)
    assert (c["article_id"] == article).all()
    # the article is the source of its claims
    assert set(c["source_id"]) == set(sco.articles(article)["source_id"])


def test_every_article_is_covered():
    assert sorted(PARAGRAPHS) == corpus.article_ids()


@pytest.mark.parametrize("article", sorted(PARAGRAPHS))
def test_claims_are_our_own_words_not_the_article_text(article):
    # the text is not stored: its seven-word runs are, as hashes (article_shingles)
    assert len(corpus.shingle_hashes(article)) > 250
    for claim in facts.claims(article=article)["claim"]:
        assert corpus.repeated_runs(claim, article) == [], claim


def test_claims_are_our_own_words_against_the_seed_text_itself():
    if not SEED.exists():
        pytest.skip("seed article not beside the project")
    text = SEED.read_text(encoding="utf-8")
    # the stored hashes are those of this text
    assert set(corpus.shingles(text)) == corpus.shingle_hashes(corpus.SEED_ARTICLE)
    for claim in facts.claims(article=corpus.SEED_ARTICLE)["claim"]:
        words = str(claim).split()
        # no run of 7 consecutive words of a claim appears verbatim in the article
        for i in range(len(words) - 6):
            assert " ".join(words[i:i + 7]) not in text, claim


@pytest.mark.parametrize("article", sorted(PARAGRAPHS))
def test_quotes_printed_by_the_article_are_verbatim_in_it(article):
    q = facts.quotes(article=article)
    own = q[q["source_id"].isin(sco.articles(article)["source_id"])]
    assert len(own) >= 2
    for quote in own["quote"]:
        # every seven-word run of the quotation is a run of the article's text
        runs = corpus.words(quote)
        assert len(runs) < 7 or len(corpus.repeated_runs(quote, article)) == len(runs) - 6, quote


def test_quotes_are_verbatim_in_the_seed_text_itself():
    if not SEED.exists():
        pytest.skip("seed article not beside the project")
    text = SEED.read_text(encoding="utf-8")
    q = facts.quotes(article=corpus.SEED_ARTICLE)
    own = q[q["source_id"] == _seed_row()["source_id"]]
    assert len(own) == 2
    for quote in own["quote"]:
        assert quote in text


def test_a_claim_that_copies_seven_words_is_caught():
    copied = "As the article put it, the SCO thus bears an even greater responsibility."
    assert corpus.repeated_runs(copied, "a2") == [
        "the sco thus bears an even greater", "sco thus bears an even greater responsibility"]


def test_filters():
    assert list(facts.claims(theme="currency")["claim_id"]) == ["c13"]
    putin = facts.claims(actor="vladimir_putin")
    assert (putin["actor"] == "Vladimir Putin").all() and len(putin) >= 5
    assert facts.claims(theme="security", actor="joe_biden").empty
    q = facts.quotes(theme="development")
    assert set(q["claim_id"]) == {"c07"} and len(q) == 2


def test_bad_filters_name_the_argument_and_allowed_values():
    with pytest.raises(ParameterError, match=r"theme: unknown theme 'securty'; did you mean "
                       r"'security'\? Allowed: 'expansion', 'security'"):
        facts.claims(theme="securty")
    with pytest.raises(ParameterError, match=r"actor: unknown actor_id 'putin'"):
        facts.quotes(actor="putin")
    with pytest.raises(ParameterError, match=r"article: unknown article_id 'a3'\. Allowed: "
                       r"'a1', 'a2'"):
        facts.claims(article="a3")


def test_the_article_filter():
    both = facts.claims()
    a2 = facts.claims(article="a2")
    assert len(both) == len(sco.load("claims")) == len(a2) + len(facts.claims(article="a1"))
    assert a2["claim_id"].str.startswith("a2-c").all()
    assert set(facts.quotes(article="a2")["claim_id"]) <= set(a2["claim_id"])
    assert list(facts.claims(theme="summit", actor="xi_jinping", article="a1")["claim_id"]) == []


def test_claims_per_theme_counts_everything():
    table = facts.claims_per_theme()
    assert int(table.to_numpy().sum()) == len(sco.load("claims"))
    assert table.loc["security"].sum() == (sco.load("claims")["theme"] == "security").sum()


def test_save_figure_writes_atomically(tmp_path):
    fig = charts.claims_per_theme_chart()
    written = sco.save_figure(fig, str(tmp_path / "figs"), "themes", formats=("png", "svg"))
    assert [p.rsplit(".", 1)[1] for p in written] == ["png", "svg"]
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["themes.png", "themes.svg"]
    with pytest.raises(ParameterError, match=r"formats: unknown format 'jpg'"):
        sco.save_figure(fig, str(tmp_path), "x", formats=("jpg",))
    plt.close(fig)


def test_notebook_defaults(tmp_path):
    nb = run_notebook("01-article-facts.ipynb", tmp_path, output_dir=str(tmp_path / "figs"))
    assert sorted(p.name for p in (tmp_path / "figs").glob("*.png")) == [
        "claims-per-theme.png", "events-timeline.png"]
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                   for o in c.get("outputs", []) if isinstance(o.get("data"), dict))
    assert "c20" in html  # the unfiltered claims table reaches the last claim
    assert "a2-c01" not in html  # the seed article by default


def test_notebook_for_the_second_article(tmp_path):
    nb = run_notebook("01-article-facts.ipynb", tmp_path, article="a2")
    html = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                   for o in c.get("outputs", []))
    assert "a2-c09" in html and "a2-q05" in html and "c20" not in html
    assert sco.articles("a2")["outlet"].iloc[0] in html


def test_notebook_with_a_filter(tmp_path):
    nb = run_notebook("01-article-facts.ipynb", tmp_path, theme="currency")
    html = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                   for o in c.get("outputs", []))
    assert "c13" in html and "c20" not in html


def test_notebook_bad_theme_fails_clearly(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match=r"theme: unknown theme 'economy'"):
        run_notebook("01-article-facts.ipynb", tmp_path, theme="economy")
