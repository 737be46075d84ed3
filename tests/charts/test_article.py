"""An article's charts: claims per theme, and the dated events on a timeline."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import sco_research as sco
from sco_research import charts, corpus, facts
from sco_research.errors import ParameterError

from .helpers import overlapping_texts


@pytest.mark.parametrize("article", ["a1", "a2", None])
def test_claims_per_theme_chart_content(article):
    fig = charts.claims_per_theme_chart(article=article)
    ax = fig.axes[0]
    title = ax.get_title(loc="left")
    rows = charts.claims_per_theme_rows(article=article)
    top = rows["theme"].value_counts()
    assert title == (f"{len(rows)} claims; {top.index[0].replace('_', ' ')} leads with "
                     f"{top.iloc[0]}")
    labels = {t.get_text() for t in ax.get_yticklabels()}
    assert labels == {t.replace("_", " ") for t in rows["theme"]}
    assert ax.get_xlabel() == "claims in the article (count)"
    source_line = " ".join(t.get_text() for t in fig.texts)
    assert all(outlet in source_line for outlet in sco.articles(article)["outlet"])
    assert f"Claims of {corpus.describe(article)}, by theme and kind" in [
        t.get_text() for t in ax.texts]
    widths = sum(p.get_width() for p in ax.patches)
    assert widths == len(rows) == len(facts.claims(article=article))  # every row counted once
    plt.close(fig)


def test_claims_per_theme_chart_of_the_seed_article():
    fig = charts.claims_per_theme_chart(article="a1")
    assert fig.axes[0].get_title(loc="left").startswith("20 claims; security leads with")
    plt.close(fig)


@pytest.mark.parametrize(("article", "label"), [("a1", "TEMPO.CO, 4 Jul 2024 (a1) "),
                                                ("a2", "TRT World, 1 Sep 2025 (a2) ")])
def test_events_timeline_marks_the_article(article, label):
    fig = charts.events_timeline_chart(article=article)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert label in texts
    other = "a2" if article == "a1" else "a1"
    assert not any(f"({other})" in t for t in texts)
    plt.close(fig)


def test_events_timeline_marks_every_article():
    fig = charts.events_timeline_chart()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert all(any(f"({a})" in t for t in texts) for a in corpus.article_ids())
    lanes = {t.get_text() for t in ax.get_yticklabels()}
    assert {"founding", "accession", "summit", "war", "swift", "reserves"} <= lanes
    n = len(sco.load("events"))
    assert ax.get_title(loc="left").endswith(f"{n} dated events")
    plotted = sum(len(c.get_offsets()) for c in ax.collections)
    rows = charts.events_timeline_rows()
    assert plotted == n == len(rows)


def test_events_timeline_labels_every_cluster_once():
    fig = charts.events_timeline_chart()
    ax = fig.axes[0]
    rows = charts.events_timeline_rows()
    labels = rows["label"].dropna()
    texts = [t.get_text() for t in ax.texts]
    assert set(labels) <= set(texts)
    # every lane has at least one label; recurring kinds exactly one
    assert set(rows.loc[rows["label"].notna(), "kind"]) == set(rows["kind"])
    for kind in ("summit", "status_change"):
        assert rows.loc[rows["kind"] == kind, "label"].notna().sum() == 1
    n = (rows["kind"] == "summit").sum()
    assert f"{n} summits" in " ".join(texts)
    assert overlapping_texts(fig) == []


def test_events_timeline_bad_parameters():
    with pytest.raises(ParameterError, match=r"kinds: unknown event kind 'wars'"):
        charts.events_timeline_chart(kinds=["wars"])
    with pytest.raises(ParameterError, match=r"start: cannot read 'soon' as a date"):
        charts.events_timeline_chart(start="soon")
    with pytest.raises(ParameterError, match=r"no events between '1990-01-01' and "
                       r"'1990-12-31'"):
        charts.events_timeline_chart(start="1990-01-01", end="1990-12-31")


def test_draw_functions_draw_the_rows_given():
    rows = charts.claims_per_theme_rows(theme="security", article="a1")
    fig = charts.draw_claims_per_theme(rows, "a1")
    assert sum(p.get_width() for p in fig.axes[0].patches) == len(rows)
    plt.close(fig)
    ev = charts.events_timeline_rows(start="2020-01-01")
    fig = charts.draw_events_timeline(ev, "a1")
    assert fig.axes[0].get_title(loc="left").endswith(f": {len(ev)} dated events")
    plt.close(fig)
    with pytest.raises(ParameterError, match=r"ev: no event to draw"):
        charts.draw_events_timeline(ev.iloc[:0])
    with pytest.raises(ParameterError, match=r"article"):
        charts.draw_events_timeline(ev, "a9")
