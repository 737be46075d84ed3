import matplotlib.pyplot as plt
import papermill as pm
import pytest

import sco_research as sco
from sco_research import charts, facts
from sco_research.errors import ParameterError

from .conftest import run_notebook


def test_claims_cover_every_paragraph_of_the_article():
    c = facts.claims()
    assert set(c["paragraph"]) == set(range(1, 12))
    assert c["claim_id"].is_unique
    assert set(c["theme"]) <= set(facts.THEMES)


def test_claims_are_our_own_words_not_the_article_text():
    seed = sco.paths.PROJECT_ROOT.parent / "shared" / "seed" / "000_bbc9b499a7229531.txt"
    if not seed.exists():
        pytest.skip("seed article not beside the project")
    text = seed.read_text(encoding="utf-8")
    for claim in facts.claims()["claim"]:
        words = str(claim).split()
        # no run of 7 consecutive words of a claim appears verbatim in the article
        for i in range(len(words) - 6):
            assert " ".join(words[i:i + 7]) not in text, claim


def test_quotes_are_verbatim_in_their_source():
    seed = sco.paths.PROJECT_ROOT.parent / "shared" / "seed" / "000_bbc9b499a7229531.txt"
    if not seed.exists():
        pytest.skip("seed article not beside the project")
    text = seed.read_text(encoding="utf-8")
    q = facts.quotes()
    tempo = q[q["source_id"] == "tempo-2024-07-04-eurasian-security-club"]
    assert len(tempo) == 2
    for quote in tempo["quote"]:
        assert quote in text


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


def test_notebook_with_a_filter(tmp_path):
    nb = run_notebook("01-article-facts.ipynb", tmp_path, theme="currency")
    html = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                   for o in c.get("outputs", []))
    assert "c13" in html and "c20" not in html


def test_notebook_bad_theme_fails_clearly(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match=r"theme: unknown theme 'economy'"):
        run_notebook("01-article-facts.ipynb", tmp_path, theme="economy")
