"""The seed article's charts: claims per theme, and the dated events on a timeline."""

from __future__ import annotations

import pytest

import sco_research as sco
from sco_research import charts
from sco_research.errors import ParameterError

from .helpers import overlapping_texts


def test_claims_per_theme_chart_content():
    fig = charts.claims_per_theme_chart()
    ax = fig.axes[0]
    title = ax.get_title(loc="left")
    assert title.startswith("20 claims; security leads with")
    labels = {t.get_text() for t in ax.get_yticklabels()}
    assert {"security", "currency", "us view"} <= labels
    assert ax.get_xlabel() == "claims in the article (count)"
    assert any(t.get_text().startswith("Source: TEMPO.CO") for t in fig.texts)
    rows = charts.claims_per_theme_rows()
    widths = sum(p.get_width() for p in ax.patches)
    assert widths == len(rows) == len(sco.load("claims"))  # every row counted once


def test_events_timeline_marks_the_article_summit():
    fig = charts.events_timeline_chart()
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert any("Astana summit, 4 Jul 2024" in t for t in texts)
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
