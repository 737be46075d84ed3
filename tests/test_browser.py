"""The rendered reports in a real browser (headless Chromium via Playwright), offline.

The project's reports are rendered once per session (each grid cut to its first value). Every
page, and the index, is then opened with all non-``file:`` requests aborted, and must: attempt
no external request, log no console error, load every image with a real alt text, not scroll
sideways at 1280 px (nor on a 390 px phone), and link only to files that exist. Each figure's
CSV must parse and hold as many rows as its publish record says, each with a source and URL.

A full-page screenshot of each page goes to the test's temporary folder, and also to the
folder named by ``SCO_RESEARCH_SHOTS`` when that is set, to look at.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import nbformat
import pytest
from markupsafe import escape

from sco_research import paths, reports
from sco_research.pages import report_summary
from sco_research.publish import METADATA_KEY
from tests.browser import browser, offline_page  # noqa: F401 - fixtures


def _first_of_each_entry() -> list[str]:
    """The report names rendered below: every report, each grid cut to its first value."""
    seen, names = set(), []
    for report in reports.load_config(paths.REPORTS_CONFIG):
        if report.group not in seen:
            seen.add(report.group)
            names.append(report.name)
    return names


REPORTS = _first_of_each_entry()
PAGES = ["index", *REPORTS]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    """The project's reports rendered into a temporary folder, once per session."""
    from tests.conftest import project_reports_config

    root = tmp_path_factory.mktemp("browser")
    cfg = project_reports_config(root)
    out = root / "reports"
    result = reports.render(config=cfg, out=out, jobs=2, progress=False, stream=io.StringIO(),
                           workdir=paths.PROJECT_ROOT)
    assert result.ok, result.summary()
    assert sorted(o.name for o in result.outcomes) == sorted(REPORTS)
    return out


def page_file(out: Path, name: str) -> Path:
    return out / "index.html" if name == "index" else out / name / f"{name}.html"


def screenshot(page, name: str, tmp_path: Path) -> None:
    target = tmp_path / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    shots = os.environ.get("SCO_RESEARCH_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(shots) / target.name)


IMAGES = """() => [...document.images].map(i => ({
    src: i.currentSrc.slice(0, 40), complete: i.complete, w: i.naturalWidth,
    alt: i.getAttribute('alt')}))"""
SCROLL = """() => { document.querySelectorAll('details').forEach(d => d.open = true);
    const s = document.scrollingElement; return [s.scrollWidth, s.clientWidth]; }"""
LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


@pytest.mark.parametrize("name", PAGES)
def test_page_works_offline_at_1280(rendered, offline_page, tmp_path, name):  # noqa: F811
    visit = offline_page(page_file(rendered, name), width=1280)
    page = visit.page
    screenshot(page, f"{name}-1280", tmp_path)
    assert visit.external == []
    assert visit.console_errors == []
    images = page.evaluate(IMAGES)
    assert images, f"{name}: no image on the page"
    for img in images:
        assert img["complete"] and img["w"] > 0, f"{name}: image not loaded: {img}"
        alt = (img["alt"] or "").strip()
        assert len(alt) > 3 and "No description has been provided" not in alt, img
    width, client = page.evaluate(SCROLL)
    assert width <= client, f"{name}: scrolls sideways at 1280 px ({width} > {client})"
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone(rendered, offline_page, tmp_path, name):  # noqa: F811
    visit = offline_page(page_file(rendered, name), width=390, height=844)
    screenshot(visit.page, f"{name}-390", tmp_path)
    width, client = visit.page.evaluate(SCROLL)
    assert width <= client, f"{name}: scrolls sideways at 390 px ({width} > {client})"
    assert visit.external == [] and visit.console_errors == []


@pytest.mark.parametrize("name", PAGES)
def test_every_link_to_a_file_resolves(rendered, offline_page, name):  # noqa: F811
    visit = offline_page(page_file(rendered, name))
    local = [h for h in visit.page.evaluate(LINKS) if h.startswith("file:")]
    assert local, f"{name}: no download or navigation link"
    missing = [h for h in local if not Path(unquote(urlsplit(h).path)).is_file()]
    assert missing == [], f"{name}: links to missing files"
    if name != "index":
        assert any(h.endswith("/index.html") for h in local)  # back to the index


@pytest.mark.parametrize("name", PAGES)
def test_page_is_valid_html5_with_unique_ids(rendered, name):
    text = page_file(rendered, name).read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)  # raises
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), name


@pytest.mark.parametrize("name", REPORTS)
def test_each_figure_csv_has_the_rows_its_record_counts(rendered, name):
    nb = nbformat.read(str(rendered / name / f"{name}.ipynb"), as_version=4)
    html = (rendered / name / f"{name}.html").read_text(encoding="utf-8")
    records = [o["metadata"][METADATA_KEY] for c in nb.cells for o in c.get("outputs", [])
               if o.get("metadata", {}).get(METADATA_KEY, {}).get("kind") == "figure"]
    assert records, f"{name} published no figure"
    for rec in records:
        assert set(rec["files"]) >= {"png", "svg", "csv"}, rec
        for f in rec["files"].values():
            assert f'href="figures/{f}"' in html, f
        with open(rendered / name / "figures" / rec["files"]["csv"], newline="",
                  encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == rec["rows"], rec["name"]
        assert all(r["source_id"] and r["url"].startswith("http") for r in rows), rec["name"]


def test_index_cards_show_each_report_summary(rendered):
    doc = json.loads((rendered / "manifest.json").read_text(encoding="utf-8"))
    index = (rendered / "index.html").read_text(encoding="utf-8")
    for e in doc["reports"]:
        nb = nbformat.read(str(rendered / e["ipynb"]), as_version=4)
        assert e["summary"] and e["summary"] == report_summary(nb), e["name"]
        assert str(escape(e["summary"])) in index, e["name"]
    assert doc["data_package"] == "data/datapackage.json"
    assert (rendered / doc["data_package"]).is_file()


def test_search_filters_the_index_cards(rendered, offline_page):  # noqa: F811
    page = offline_page(rendered / "index.html").page
    cards = page.locator("article.card")
    total = cards.count()
    assert total == len(REPORTS)
    page.fill("#search", "trade")
    visible = [c for c in cards.all() if c.is_visible()]
    assert 0 < len(visible) < total
    assert all("trade" in c.inner_text().lower() for c in visible)
    assert "of" in page.inner_text("#search-status")
    page.fill("#search", "")
    assert sum(c.is_visible() for c in cards.all()) == total


def test_index_without_javascript_shows_every_card(rendered, browser):  # noqa: F811
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto((rendered / "index.html").as_uri())
        cards = page.locator("article.card")
        assert cards.count() == len(REPORTS)
        assert all(c.is_visible() for c in cards.all())
        assert not page.locator("#search").is_visible()  # no dead search box
    finally:
        ctx.close()


@pytest.mark.parametrize("name", [*PAGES, "explorer"])
def test_axe_finds_no_accessibility_violation(rendered, offline_page, name):  # noqa: F811
    """axe-core (bundled by axe-playwright-python) over every page, folded content unfolded."""
    from axe_playwright_python.sync_playwright import Axe

    path = rendered / "explorer.html" if name == "explorer" else page_file(rendered, name)
    visit = offline_page(path)
    page = visit.page
    if page.locator(".sco-explorer").count():
        page.wait_for_selector(".sco-explorer[data-ready=true]", timeout=30_000)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    found = Axe().run(page).response["violations"]
    summary = [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in found]
    assert summary == [], f"{name}: {summary}"
    assert visit.external == [] and visit.console_errors == []


@pytest.mark.parametrize("name", PAGES)
def test_pages_speak_in_words_not_python(rendered, name):
    """No Python repr in a parameter, no raw timestamp anywhere a reader looks."""
    text = page_file(rendered, name).read_text(encoding="utf-8")
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", text)
    values = re.findall(r'<table class="params">(.*?)</table>', text, re.S)
    cells = [c for block in values for c in re.findall(r"<td>(.*?)</td>", block, re.S)]
    python = [c for c in cells if re.search(r"^['\"\[]|\bNone\b|\bTrue\b|\bFalse\b", c.strip())]
    assert python == [], f"{name}: parameters shown as Python: {python}"
    visible = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", visible), f"{name}: a raw timestamp"


def test_each_map_card_opens_with_what_is_particular_to_its_day(rendered):
    doc = json.loads((rendered / "manifest.json").read_text(encoding="utf-8"))
    maps = [e for e in doc["reports"] if e["notebook"].endswith("02-membership-map.ipynb")]
    assert maps
    for e in maps:
        day = e["parameters"].get("as_of")
        if day:
            when = dt.date.fromisoformat(str(day))
            assert e["summary"].startswith(f"On {when.day} {when:%B %Y}: "), e["summary"]
        else:
            assert e["summary"].startswith("On "), e["summary"]
    assert len({e["summary"] for e in maps}) == len(maps)
