"""Tests of sco_research.pages.report: the report page, its summary, the citation.

The notebooks here are built in memory with the outputs a kernel would record (the publish
functions' real records and PNG bytes), so no kernel starts. The browser checks of the
rendered project reports are in tests/test_browser.py.
"""

from __future__ import annotations

import base64
import json
import re

import pandas as pd
import pytest
import tomllib
import yaml
from markupsafe import escape
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image

import sco_research as sco
from sco_research import paths
from sco_research.pages import COLLAPSE_ROWS, report_page, report_summary
from sco_research.pages import report as report_module
from sco_research.publish import (
    METADATA_KEY,
    TABLE_MIME,
    format_value,
    publish_figure,
    publish_table,
)

from .conftest import parse_strict

TEMPO = "tempo-2024-07-04-eurasian-security-club"
REUTERS = "reuters-2024-07-04-xi-putin-eurasian-security-club"
EVIL = "<script>alert('x')</script>"
REPORT = {"name": "demo", "title": "Demo report", "notebook": "notebooks/demo.ipynb",
          "parameters": [{"name": "theme", "value": "trade", "origin": "set by the report"},
                         {"name": "actor", "value": None, "origin": "notebook default"}],
          "rendered_at": "2026-11-29T01:02:03+00:00", "package_version": "9.8.7",
          "data_version": "0.1.0+abcdef123456"}


def ids_of(page: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', page)


def output(kind: str, data: dict, record: dict | None = None):
    meta = {METADATA_KEY: record} if record is not None else {}
    if kind == "execute_result":
        return new_output(kind, data=data, metadata=meta, execution_count=1)
    return new_output(kind, data=data, metadata=meta)


def figure_output(tmp_path, rows: pd.DataFrame, name: str = "demo-chart",
                  title: str = "Trade rose\n55%", subtitle: str | None = "USD billion"):
    """A display_data output exactly as publish_figure records it, and its record."""
    fig = Figure(figsize=(4, 2))
    fig.add_subplot().plot([1, 2], [3, 4])
    rec = publish_figure(fig, rows, name, tmp_path / "figures", title=title, subtitle=subtitle,
                         show=False)
    b64 = base64.b64encode((tmp_path / "figures" / f"{name}.png").read_bytes()).decode()
    return output("display_data", {"image/png": b64, "text/plain": rec["alt"]}, rec), rec, b64


def table_output(tmp_path, rows: pd.DataFrame, name: str = "rows", caption: str = "The rows"):
    """A display_data output exactly as publish_table records it."""
    rec = publish_table(rows, name, tmp_path / "figures", caption=caption, show=False)
    cells = [[format_value(v) for v in r] for r in rows.itertuples(index=False)]
    payload = {"columns": [str(c) for c in rows.columns], "data": cells}
    return output("display_data", {TABLE_MIME: payload, "text/html": "<table></table>",
                                   "text/plain": f"{name}: {len(rows)} rows"}, rec)


def notebook(*cells, intro: str = "# Demo\n\nWhat the demo **shows**.") -> dict:
    return new_notebook(cells=[new_markdown_cell(intro), *cells])


def cell(*outputs):
    return new_code_cell("hidden_code_marker = 1", outputs=list(outputs))


# ---------------------------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------------------------
def test_summary_is_the_first_markdown_cell_as_one_plain_paragraph():
    nb = new_notebook(cells=[
        new_code_cell("x = 1"),
        new_markdown_cell("# Trade\n\nThe article says two things:\n\n* **c05**: buyers;\n"
                          "* `c06`: a [shift](https://example.org).\n\n## Later\n\nMore text."),
        new_markdown_cell("Not this one."),
    ])
    assert report_summary(nb) == ("The article says two things: c05: buyers; c06: a shift. "
                                  "More text.")


def test_summary_of_a_notebook_without_markdown_is_empty():
    assert report_summary(new_notebook(cells=[new_code_cell("1")])) == ""
    assert report_summary({"cells": []}) == ""  # a plain dict works too


# ---------------------------------------------------------------------------------------------
# the report page
# ---------------------------------------------------------------------------------------------
def test_page_has_title_summary_parameters_and_no_code(tmp_path):
    page = report_page(notebook(cell()), report=REPORT)
    parse_strict(page)
    assert "<h1>Demo report</h1>" in page
    assert page.count("<h1>") == 1  # the notebook's own title is not repeated
    assert '<p class="lede">What the demo shows.</p>' in page
    assert "hidden_code_marker" not in page
    assert re.search(r"<td><code>theme</code></td>\s*<td>trade</td>\s*"
                     r"<td>set by the report</td>", page)
    assert re.search(r"<td><code>actor</code></td>\s*<td>all</td>\s*<td>notebook default</td>",
                     page)  # None in words
    assert "rendered 29 November 2026, 01:02 UTC" in page and "2026-11-29T" not in page
    assert 'href="../index.html"' in page
    assert "sco-research 9.8.7" in page and "0.1.0+abcdef123456" in page


def test_parameters_are_escaped_without_markdown_artefacts():
    report = {**REPORT, "parameters": [{"name": "q", "value": "'a|b' <i>", "origin": "x"}]}
    page = report_page(notebook(), report=report)
    assert "<td>'a|b' &lt;i&gt;</td>" in page
    assert "\\|" not in page


def test_published_figure_is_embedded_with_alt_caption_downloads_and_sources(tmp_path):
    rows = pd.DataFrame({"y": [1.5, 2.5], "source_id": [TEMPO, REUTERS]})
    out, rec, b64 = figure_output(tmp_path, rows)
    page = report_page(notebook(cell(out)), report=REPORT)
    parse_strict(page)
    figure = re.search(r'<figure id="figure-demo-chart">.*?</figure>', page, re.S).group(0)
    # The page points at the file saved in figures/ (stored once), at its size in pixels.
    with Image.open(tmp_path / "figures" / "demo-chart.png") as im:
        width, height = im.size
    assert f'<img src="figures/demo-chart.png" alt="Trade rose 55%. USD billion" ' \
           f'width="{width}" height="{height}">' in figure
    assert "data:image" not in figure and b64[:40] not in page
    for f in ("demo-chart.png", "demo-chart.svg", "demo-chart.csv"):
        assert f'href="figures/{f}"' in figure and (tmp_path / "figures" / f).is_file()
    assert "CSV (2 rows)" in figure
    assert 'Sources: <a href="#src-1">[1]</a>–<a href="#src-2">[2]</a>' in figure
    assert "<figcaption>" in figure and "Trade rose 55%" in figure
    assert rec["rows"] == 2


def test_sources_are_numbered_in_order_of_first_use_and_linked_from_tables(tmp_path):
    fig_out, _, _ = figure_output(tmp_path, pd.DataFrame({"y": [1], "source_id": [REUTERS]}))
    table = table_output(tmp_path, pd.DataFrame({"x": ["a", "b"], "source_id": [TEMPO, REUTERS]}))
    page = report_page(notebook(cell(fig_out), cell(table)), report=REPORT)
    listed = re.findall(r'<li id="src-(\d+)">(.*?)</li>', page, re.S)
    assert [n for n, _ in listed] == ["1", "2"]
    assert REUTERS in listed[0][1] and TEMPO in listed[1][1]
    src = sco.load("sources").set_index("source_id").loc[TEMPO]
    assert f'<a href="{src["url"]}">“{src["title"]}”</a>' in listed[1][1]
    assert src["publisher"] in listed[1][1] and "2024-07-04" in listed[1][1]
    assert "our description" not in page  # both titles are the publishers' headlines
    # the table's source_id cells point at the same numbers
    assert f'<a href="#src-2" title="{TEMPO}">[2]</a>' in page
    assert f'<a href="#src-1" title="{REUTERS}">[1]</a>' in page


def test_a_descriptive_title_is_not_quoted_as_a_headline():
    sources = sco.load("sources")
    described = sources[sources["title_kind"] == "descriptive"].iloc[0]
    record = {"kind": "table", "name": "t", "title": "", "files": {}, "rows": 1,
              "source_ids": [described["source_id"]]}
    table = output("display_data", {TABLE_MIME: {"columns": ["source_id"], "data": [
        [described["source_id"]]]}}, record)
    page = report_page(notebook(cell(table)), report=REPORT)
    item = re.search(r'<li id="src-1">(.*?)</li>', page, re.S).group(1)
    assert f'">{escape(described["title"])}</a> <span class="meta">(our description; no ' \
        "headline found)</span>" in item
    assert "“" not in item


def test_table_is_compact_with_units_in_headers_blank_cells_and_links(tmp_path):
    rows = pd.DataFrame({
        "period": ["2013", "2014"], "value": [89.21, None], "unit": ["USD billion"] * 2,
        "plotted_value": [89.21, 0.052], "plotted_unit": ["USD billion", "USD million"],
        "url": ["https://www.example.org/a?b=1", ""], "source_id": [TEMPO, TEMPO],
    })
    page = report_page(notebook(cell(table_output(tmp_path, rows, "trade-rows"))), report=REPORT)
    parse_strict(page)
    block = page.split('<div class="table-block" id="table-trade-rows">')[1].split("<section")[0]
    heads = re.findall(r"<th\b[^>]*>(.*?)</th>", block)
    # one unit for every stated value: into the header; two units: the column stays
    assert heads == ["period", "value (USD billion)", "plotted value", "plotted unit", "url",
                     "source"]
    cells = re.findall(r"<td\b[^>]*>(.*?)</td>", block)
    labels = re.findall(r'<td data-label="([^"]*)"', block)
    assert labels[:6] == heads  # phones show each row as a card: label, value
    assert cells[:6] == ["2013", "89.21", "89.21", "USD billion",
                         '<a href="https://www.example.org/a?b=1" '
                         'title="https://www.example.org/a?b=1">example.org</a>',
                         f'<span class="refs"><a href="#src-1" title="{TEMPO}">[1]</a></span>']
    assert cells[6:11] == ["2014", "", "0.052", "USD million", ""]  # blank, not NaN or None
    assert "<details>" not in block  # short tables are shown open
    assert 'href="figures/trade-rows.csv">CSV (2 rows)</a>' in block
    assert "<th></th>" not in block  # no index column


def test_long_tables_are_folded_under_details_with_a_row_count(tmp_path):
    n = COLLAPSE_ROWS + 1
    rows = pd.DataFrame({"k": [str(i) for i in range(n)], "source_id": [TEMPO] * n})
    page = report_page(notebook(cell(table_output(tmp_path, rows))), report=REPORT)
    assert f"<details>\n<summary>Show all {n} rows</summary>" in page


def test_text_from_data_and_outputs_is_escaped_everywhere(tmp_path):
    rows = pd.DataFrame({"claim": [EVIL], "url": ['https://e.org/"onmouseover="x'],
                         "source_id": [TEMPO]})
    fig_out, _, _ = figure_output(tmp_path, pd.DataFrame({"y": [1], "source_id": [TEMPO]}),
                                  title=EVIL, subtitle=None)
    nb = notebook(
        new_markdown_cell(f"## {EVIL}\n\n<img src=x onerror=alert(1)> ![pic](https://e.org/p.png)"),
        cell(table_output(tmp_path, rows, caption=EVIL), fig_out,
             new_output("stream", name="stdout", text=EVIL),
             new_output("error", ename="ValueError", evalue=EVIL,
                        traceback=["\x1b[0;31mValueError\x1b[0m: " + EVIL])),
        intro=f"# T\n\n{EVIL}",
    )
    report = {**REPORT, "title": EVIL, "name": EVIL,
              "parameters": [{"name": EVIL, "value": EVIL, "origin": EVIL}]}
    page = report_page(nb, report=report)
    parse_strict(page)
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page  # shown, as text
    assert 'href="https://e.org/&#34;onmouseover=&#34;x"' in page  # attribute stays closed
    assert not re.search(r"<img[^>]+https?://", page)  # no image from elsewhere
    assert "\x1b" not in page  # ANSI colours stripped from the traceback
    assert '<div class="error-block" role="alert">' in page


def test_interactive_outputs_pass_through_other_html_is_sanitised():
    interactive = output("display_data", {
        "text/html": '<div id="chart"></div><script>draw("chart")</script>'},
        {"kind": "interactive", "name": "hover", "source_ids": [TEMPO]})
    raw = output("execute_result", {
        "text/html": '<style>.x{}</style><table class="dataframe" onclick="bad()" '
                     'border="1"><tr><td><a href="javascript:bad()">a</a></td></tr></table>'
                     '<script>bad()</script><iframe src="https://e.org"></iframe>',
        "text/plain": "frame"})
    page = report_page(notebook(cell(interactive), cell(raw)), report=REPORT)
    assert '<script>draw("chart")</script>' in page
    assert 'id="src-1"' in page  # the interactive record's sources are listed
    assert "bad()" not in page and "<iframe" not in page and "<style>.x" not in page
    assert '<div class="output-html">' in page and '<table class="dataframe">' in page


def test_widget_fallback_image_gets_alt_from_the_nearest_heading_and_a_note():
    png = base64.b64encode(paths.PROJECT_ROOT.joinpath(
        "tests", "baseline", "membership-map-2017-06-09.png").read_bytes()).decode()
    widget = output("execute_result", {
        "application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2},
        "text/plain": "VBox(children=(SelectionSlider(...),))"})
    still = output("display_data", {"image/png": png, "text/plain": "<Figure size 9x8>"})
    nb = notebook(new_markdown_cell("## Explore\n\nIn JupyterLab a slider redraws the map."),
                  cell(still, widget))
    page = report_page(nb, report=REPORT)
    parse_strict(page)
    assert 'alt="Explore: Demo report"' in page
    assert "No description has been provided" not in page
    assert "VBox(" not in page and "widget-view" not in page
    assert "works only when the notebook runs in JupyterLab" in page


def test_publish_records_echoed_by_a_cell_are_hidden_other_results_are_shown(tmp_path):
    table = table_output(tmp_path, pd.DataFrame({"x": ["a"], "source_id": [TEMPO]}))
    echo = output("execute_result", {"text/plain": "{'kind': 'table', 'name': 'rows'}"})
    plain = output("execute_result", {"text/plain": "42 states"})
    page = report_page(notebook(cell(table, echo), cell(plain)), report=REPORT)
    assert "{&#39;kind&#39;" not in page and "{'kind'" not in page
    assert '<pre class="stream result">42 states</pre>' in page


def test_how_to_cite_names_report_versions_date_and_path():
    report = {**REPORT, "title": "Trade & 100% {shares}"}
    page = report_page(notebook(), report=report)
    plain = re.search(r'<p>Plain text:</p>\s*<pre>(.*?)</pre>', page, re.S).group(1)
    assert plain == ("sco-research developers (2026). Trade &amp; 100% {shares}. Report "
                     "demo/demo.html, rendered 29 November 2026. sco-research 9.8.7, data version "
                     "0.1.0+abcdef123456.")
    bib = re.search(r'<p>BibTeX:</p>\s*<pre>(.*?)</pre>', page, re.S).group(1)
    assert bib.startswith("@misc{sco-research-demo-2026-11-29,\n")
    assert r"title        = {Trade \&amp; 100\% \{shares\}}" in bib
    assert "data version 0.1.0+abcdef123456" in bib and "sco-research 9.8.7" in bib
    assert "demo/demo.html" in bib and "year         = 2026" in bib


def test_page_is_self_contained_with_unique_ids(tmp_path):
    out, _, _ = figure_output(tmp_path, pd.DataFrame({"y": [1], "source_id": [TEMPO]}))
    page = report_page(notebook(cell(out), cell(table_output(tmp_path, pd.DataFrame(
        {"x": ["a"], "source_id": [TEMPO]})))), report=REPORT)
    assert not re.search(r'<(script|link|iframe)\b', page)
    assert not re.search(r'\s(src|data)="(https?:)?//', page)
    assert "@import" not in page and "url(" not in page
    ids = ids_of(page)
    assert len(ids) == len(set(ids))


def test_citation_cff_is_valid_and_matches_the_package():
    cff = yaml.safe_load((paths.PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == project["version"] == sco.__version__
    assert cff["title"].startswith("sco-research")
    assert cff["authors"] == [{"name": "sco-research developers"}]  # as the pages cite
    assert cff["message"] and cff["license"] == "MIT"
    assert "sco-research developers" in report_module._citation(REPORT)["plain"]


@pytest.mark.parametrize("html_in, kept", [
    ('<p class="x" style="color:red">a</p>', '<p class="x">a</p>'),
    ('<a href="https://e.org" onclick="x()">e</a>', '<a href="https://e.org">e</a>'),
    ("<script>x()</script><b>b</b>", "<b>b</b>"),
])
def test_sanitiser_keeps_markup_and_drops_behaviour(html_in, kept):
    assert report_module._sanitise(html_in) == kept


# ---------------------------------------------------------------------------------------------
# pages in people's words; the claims-check layout
# ---------------------------------------------------------------------------------------------
def test_a_published_summary_opens_the_page_summary_and_is_not_repeated():
    from sco_research.publish import publish_summary

    rec = publish_summary("On 9 June 2017: 8 members; India and Pakistan joined", show=False)
    out = output("display_data", {"text/html": "<p><strong>x</strong></p>", "text/plain": "x"},
                 dict(rec))
    nb = notebook(cell(out))
    assert report_summary(nb) == ("On 9 June 2017: 8 members; India and Pakistan joined. "
                                  "What the demo shows.")
    page = report_page(nb, report=REPORT)
    assert page.count("India and Pakistan joined") == 1  # in the lede, not again as an output


def test_claim_sections_are_anchored_folded_and_linked_from_the_verdict_table(tmp_path):
    from sco_research.fact_check_views import evidence_html

    checks = pd.DataFrame({"claim_id": [f"c{i:02d}" for i in range(1, 21)],
                           "verdict": ["accurate"] * 20, "source_id": [TEMPO] * 20})
    table = table_output(tmp_path, checks, name="verdicts")
    sections = [output("display_data", {"text/html": evidence_html(c), "text/plain": c})
                for c in checks["claim_id"]]
    evidence = table_output(tmp_path, pd.DataFrame({"claim_id": ["c05"] * 16,
                                                    "source_id": [TEMPO] * 16}), name="ev")
    evil = output("display_data", {"text/html": '<section id="x" onclick="y">z</section>',
                                   "text/plain": "z"})
    page = report_page(notebook(cell(table), cell(*sections), cell(evidence), cell(evil)),
                       report=REPORT)
    parse_strict(page)
    assert '<section class="sco-claim" id="claim-c05">' in page
    assert re.search(r'<section class="sco-claim" id="claim-c16"><p>.*?</p><details><summary>'
                     r"Evidence: \d+ rows, with their sources \(the finding names each row by its "
                     r"id\)</summary>", page)
    assert '<a href="#claim-c05" title="Go to c05 below">c05</a>' in page
    verdicts = page[page.index('id="table-verdicts"'):]
    assert verdicts.index("<table>") < verdicts.index("</div>")  # 20 rows, yet not folded
    assert "Show all 20 rows" not in page
    assert "Show all 16 rows" in page  # many rows per claim: not a table of contents
    assert 'id="x"' not in page and "onclick" not in page  # other ids and handlers dropped
    assert page.index('id="table-verdicts"') < page.index('id="parameters"')  # opens the page


# ---------------------------------------------------------------------------------------------
# the articles: ClaimReview JSON-LD on a page, anchors
# ---------------------------------------------------------------------------------------------
def test_a_jsonld_output_is_embedded_whole_and_other_scripts_still_dropped():
    from sco_research.claim_review import CLAIM_REVIEW_KEY, claim_review_graph

    graph = claim_review_graph("a2")
    cell = new_code_cell(outputs=[
        output("display_data", {"application/ld+json": graph, "text/plain": "9 reviews"},
               {"kind": CLAIM_REVIEW_KEY, "name": "claim-reviews"}),
        output("display_data", {"application/ld+json": {"x": 1}}),  # no record: not embedded
        output("display_data", {"text/html": f'<div class="sco-claim" id="claim-a2-c01">'
                                              f'{EVIL}</div>'})])
    page = report_page(new_notebook(cells=[cell]), report=REPORT)
    parse_strict(page)
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1

    assert json.loads(scripts[0]) == graph
    assert "alert(" not in page  # the sanitised output keeps its anchor, not its script
    assert '<div class="sco-claim" id="claim-a2-c01">' in page


def test_a_verdict_cell_reads_as_words_in_its_colour(tmp_path):
    rows = pd.DataFrame({"claim_id": ["c04", "c05"], "verdict": ["partly_supported", "supported"],
                         "source_id": [TEMPO, TEMPO]})
    page = report_page(notebook(cell(table_output(tmp_path, rows, "verdicts"))), report=REPORT)
    parse_strict(page)
    block = page.split('<div class="table-block" id="table-verdicts">')[1].split("<section")[0]
    cells = re.findall(r"<td\b[^>]*>(.*?)</td>", block)
    assert cells[1] == ('<span class="sco-verdict sco-verdict-partly_supported">'
                        'partly supported</span>')
    assert cells[4] == '<span class="sco-verdict sco-verdict-supported">supported</span>'
    assert "partly_supported<" not in block  # the CSV keeps the value; the page shows words
