"""Tests of sco_research.pages.index: the index of all reports, its cards and their groups."""

from __future__ import annotations

import re

import sco_research as sco
from sco_research.pages import index_page
from sco_research.reports.datapackage import copy_data_package

from .conftest import parse_strict

EVIL = "<script>alert('x')</script>"


MANIFEST = {
    "generated_at": "2026-11-29T01:00:00+00:00",
    "reports": [
        {"name": "trade", "title": "Trade <between> states", "status": "ok",
         "html": "trade/trade.html", "ipynb": "trade/trade.ipynb",
         "figures": ["trade/figures/a.png", "trade/figures/a.csv"],
         "thumbnail": "trade/thumb.png", "parameters": {"flow": EVIL}, "duration_s": 5.94,
         "error": None, "summary": "Russia's trade with SCO states.", "notebook": "nb/04.ipynb"},
        {"name": "boom", "title": "Boom", "status": "failed", "html": None, "ipynb": None,
         "figures": [], "thumbnail": None, "parameters": {}, "duration_s": None,
         "error": "cell [2] raised RuntimeError: <bad>", "failed_ipynb": "boom/boom.failed.ipynb",
         "summary": None},
    ],
}


def test_index_cards_have_summary_status_parameters_and_links():
    page = index_page(MANIFEST)
    parse_strict(page)
    assert page.count('<article class="card') == 2
    assert '<a href="trade/trade.html">Trade &lt;between&gt; states</a>' in page
    assert "Russia&#39;s trade with SCO states." in page
    assert '<img src="trade/thumb.png" alt="First figure of Trade &lt;between&gt; states">' in page
    assert "5.9 s" in page and '<span class="badge ok">ok</span>' in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    for f in ("trade/figures/a.png", "trade/figures/a.csv", "trade/trade.ipynb",
              "boom/boom.failed.ipynb"):
        assert f'href="{f}"' in page
    assert "Last attempt failed: cell [2] raised RuntimeError: &lt;bad&gt;." in page
    assert "2 reports (1 ok, 1 failed)" in page


def test_index_search_is_inline_hidden_without_script_and_the_only_script():
    page = index_page(MANIFEST)
    assert '<form id="search-form" class="search" role="search" hidden>' in page
    assert page.count("<script") == 1 and "<script src" not in page
    assert "form.hidden = false" in page


def test_index_links_explorer_and_data_package_only_when_given(tmp_path):
    bare = index_page(MANIFEST)
    assert "Explore SCO membership" not in bare and 'href="data/datapackage.json"' not in bare
    info = copy_data_package(tmp_path)
    page = index_page({**MANIFEST, "explorer": "explorer/index.html", **info})
    parse_strict(page)
    assert '<a class="explore" href="explorer/index.html">Explore SCO membership over time</a>' \
        in page
    assert 'href="data/datapackage.json"' in page
    n_sources = len(sco.load("sources"))
    assert f'<a href="data/sources.csv">The sources (CSV, {n_sources} rows)</a>' in page
    for t in info["data_tables"]:
        assert f'<a href="{t["path"]}">{t["name"]}</a>' in page


def test_index_shows_words_not_python_or_timestamps():
    page = index_page({"generated_at": "2026-12-02T06:42:29+00:00", "reports": [
        {"name": "map", "title": "SCO membership map on 2017-06-09", "status": "ok",
         "html": "map/map.html", "rendered_at": "2026-12-02T06:40:00+00:00",
         "parameters": {"as_of": "2017-06-09", "explorer": False, "highlight": ["IND", "PAK"],
                        "dates": None}}]})
    assert "Updated 2 December 2026, 06:42 UTC" in page
    assert "rendered 2 December 2026, 06:40 UTC" in page
    assert "SCO membership map on 9 June 2017" in page
    for words in ("<td>9 June 2017</td>", "<td>no</td>", "<td>IND, PAK</td>",
                  "<td>each enlargement</td>"):
        assert words in page
    assert not re.search(r"\d{4}-\d\d-\d\dT|'2017|\[|False|None", page.split("<main>")[1])


ARTICLES_MANIFEST = {
    "articles": [{"article_id": "a1", "outlet": "Outlet One", "headline": "First <story>",
                  "published": "2024-07-04", "url": "https://example.org/1"},
                 {"article_id": "a2", "outlet": "Outlet Two", "headline": "Second",
                  "published": "2025-09-01", "url": "https://example.org/2"}],
    "reports": [
        {"name": "trade", "title": "Trade", "status": "ok", "parameters": {}},
        {"name": "claims-check-a2", "title": "Check a2", "status": "ok",
         "parameters": {"article": "a2"}},
        {"name": "article-facts-a1", "title": "Facts a1", "status": "ok",
         "parameters": {"article": "a1"}},
        {"name": "claims-check-a1", "title": "Check a1", "status": "ok",
         "parameters": {"article": "a1"}},
    ],
}


def test_the_index_groups_the_pages_by_article():
    page = index_page(ARTICLES_MANIFEST)
    parse_strict(page)
    heads = re.findall(r'<h2 class="group" id="([^"]+)">(.*?)</h2>', page, re.S)
    assert [h[0] for h in heads] == ["article-a1", "article-a2", "context"]
    assert "Outlet One, 4 July 2024: First &lt;story&gt;" in heads[0][1]
    assert "Outlet Two, 1 September 2025: Second" in heads[1][1]
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", page.split("<main>")[1])  # no ISO day left
    assert '<a href="https://example.org/2">the article</a>' in heads[1][1]
    order = [page.index(f'id="{n}"') for n in ("article-a1", "article-facts-a1",
                                               "claims-check-a1", "article-a2",
                                               "claims-check-a2", "context", "trade")]
    assert order == sorted(order)


def test_an_index_without_articles_has_no_group_headings():
    page = index_page({"reports": ARTICLES_MANIFEST["reports"][:1]})
    assert 'class="group"' not in page and page.count('<article class="card') == 1
    page = index_page({"reports": ARTICLES_MANIFEST["reports"][1:2]})
    assert re.search(r'<h2 class="group" id="article-a2">Article a2', page)
