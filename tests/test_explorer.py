"""The membership explorer: its data, its page, and the page in a real (offline) Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import sco_research as sco
from sco_research import explorer
from sco_research.errors import ParameterError

from ._ipython import captured_display
from .browser import browser, open_offline, shot  # noqa: F401 - browser is a fixture

TODAY = pd.Timestamp.today().normalize()
LABELS = {"member": "member", "observer": "observer", "dialogue_partner": "dialogue partner",
          "partner": "partner"}


def _counts(day) -> dict[str, int]:
    held = sco.membership_as_of(day)
    return {s: int((held["status"] == s).sum()) for s in sco.STATUSES}


def _parse_summary(text: str) -> tuple[str, dict[str, int]]:
    """'4 July 2024: 10 members, 2 observers and 14 dialogue partners' -> day, counts."""
    day, _, rest = text.partition(": ")
    counts = dict.fromkeys(sco.STATUSES, 0)
    for n, label in re.findall(r"(\d+) ([a-z ]+?)s?(?:,| and |$)", rest):
        key = {v: k for k, v in LABELS.items()}[label.strip()]
        counts[key] = int(n)
    return day, counts


# -- data ---------------------------------------------------------------------------------------


def test_every_period_holds_what_membership_as_of_says():
    data = explorer.explorer_data(end="today")
    changes = sco.membership_changes()
    starts = [p["start"] for p in data["periods"]]
    assert starts[0] == "2001-06-15" and starts == sorted(set(starts))
    assert set(starts) == {d.strftime("%Y-%m-%d") for d in changes["date"] if d <= TODAY}
    for period in data["periods"]:
        held = sco.membership_as_of(period["start"])
        assert period["held"] == {
            r.iso3: [r.status, r.since.strftime("%Y-%m-%d"), r.source_id]
            for r in held.itertuples(index=False)}
        assert period["counts"] == _counts(period["start"])
        # every source cited is described, with a link
        for _, _, sid in period["held"].values():
            assert data["sources"][sid]["url"].startswith("http")


def test_summary_uses_the_words_of_the_maps():
    data = explorer.explorer_data(end="today")
    by_start = {p["start"]: p for p in data["periods"]}
    assert by_start["2001-06-15"]["summary"] == "6 members"
    assert by_start["2024-07-04"]["summary"] == "10 members, 2 observers and 14 dialogue partners"
    after = by_start["2025-09-01"]
    assert after["counts"]["observer"] == after["counts"]["dialogue_partner"] == 0
    assert re.fullmatch(r"\d+ members and \d+ partners", after["summary"])


def test_newcomers_are_those_of_the_latest_day_of_joining():
    by_start = {p["start"]: p for p in explorer.explorer_data(end="today")["periods"]}
    assert by_start["2017-06-09"]["joined"] == {"date": "2017-06-09", "iso3": ["IND", "PAK"]}
    # Belarus moving from dialogue partner to observer is not joining
    assert by_start["2015-07-10"]["joined"]["iso3"] == ["ARM", "AZE", "KHM", "NPL"]
    assert by_start["2024-07-04"]["joined"] == {"date": "2024-07-04", "iso3": ["BLR"]}


def test_next_change_is_the_states_next_row():
    data = explorer.explorer_data(end="today")
    by_start = {p["start"]: p for p in data["periods"]}
    assert by_start["2015-07-10"]["next"]["BLR"] == ["2024-07-04", "member"]
    assert by_start["2024-07-04"]["next"]["MNG"] == ["2025-09-01", "partner"]
    assert "CHN" not in by_start["2024-07-04"]["next"]  # no later change


def test_the_data_carry_the_last_confirmed_day_and_the_words_for_later_days():
    fresh = explorer.explorer_data(end="2017-06-09")["fresh"]
    through = sco.freshness.recorded_through("membership")
    assert fresh["after"] == f"{through:%Y-%m-%d}"
    assert fresh["text"] == sco.freshness.freshness_note(
        "membership", through + pd.Timedelta(days=1), what="Statuses")


def test_web_geometries_are_simplified_and_keep_small_states_as_dots():
    geo = explorer.web_geometries("eurasia")
    assert {"CHN", "RUS", "IND", "BLR", "EGY"} <= set(geo["shapes"]["iso3"])
    assert {"BHR", "MDV"} <= set(geo["dots"]["iso3"])
    n_points = sum(len(ring) for xs in geo["shapes"]["xs"] for poly in xs for ring in poly)
    assert n_points < 60_000
    x0, x1, y0, y1 = geo["view"]
    assert x0 < x1 and y0 < y1


@pytest.mark.parametrize("kwargs, message", [
    ({"extent": "mars"}, r"^extent: unknown extent 'mars'.*Allowed: 'eurasia'"),
    ({"start": "2000-01-01"}, r"^start: '2000-01-01' is before the SCO was founded \(2001-06-15\)"),
    ({"start": "2999-01-01"}, r"^start: '2999-01-01' is after today \(\d{4}-\d\d-\d\d\); give a "
                              r"day from 2001-06-15 to"),
    ({"start": "4 July"}, r"^start: cannot read '4 July' as a date"),
    ({"labels": "yes"}, r"^labels: 'yes' is not a bool; give True or False$"),
])
def test_bad_arguments_are_refused_in_one_line(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        explorer.explorer_html(**kwargs)


def test_write_explorer_refuses_a_non_path():
    with pytest.raises(ParameterError, match=r"^out_dir: None is not a folder path; give a path$"):
        explorer.write_explorer(None)


def test_explore_shows_the_same_fragment_with_an_interactive_record():
    view = explorer.explore(start="2024-07-04")
    assert view.record == {"kind": "interactive", "name": "membership-explorer",
                           "title": "Explore SCO membership (opens on 4 July 2024)"}
    assert view.counts == _counts("2024-07-04")
    assert view.summary == "4 July 2024: 10 members, 2 observers and 14 dialogue partners"
    assert 'href="../explorer.html?date=2024-07-04"' in view.html
    assert 'data-url-state="false"' in view.html
    assert "ipywidgets" not in view.html and "jupyter-widgets" not in view.html


def test_explore_without_embedding_shows_only_the_link_to_the_shared_page():
    view = explorer.explore(start="2017-06-09", embed=False)
    assert view.record["name"] == "membership-explorer"
    assert view.summary == "9 June 2017: 8 members, 4 observers and 6 dialogue partners"
    assert view.html == ('<p class="sco-explorer-link"><a href="../explorer.html?date=2017-06-09">'
                         "Explore SCO membership on any day since 2001, opening on 9 June 2017"
                         "</a></p>")
    with pytest.raises(ParameterError, match=r"^embed: 'no' is not a bool; give True or False$"):
        explorer.explore(embed="no")


def test_explore_displays_html_with_the_record_in_ipython():
    with captured_display() as shown:
        view = explorer.explore(start="2017-06-09")
    assert len(shown) == 1
    data, metadata = shown[0]
    assert data["text/html"] == view.html
    assert metadata == {"sco_research": view.record}
    assert set(data) == {"text/html", "text/plain"}  # no widget view


def test_the_cell_that_shows_the_explorer_does_not_echo_it(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    echoed: list[dict] = []
    with captured_display() as shown:
        shell = InteractiveShell.instance()
        monkeypatch.setattr(shell.displayhook, "write_format_data",
                            lambda data, md=None: echoed.append(data))
        shell.user_ns["explorer"] = explorer
        shell.run_cell("view = explorer.explore(start='2017-06-09', embed=False)\nview",
                       store_history=True).raise_error()
        shell.run_cell("view", store_history=True).raise_error()
    assert echoed == []
    assert [d for d, _ in shown][1:] == [
        {"text/plain": "9 June 2017: 8 members, 4 observers and 6 dialogue partners"}]


def test_page_is_one_small_self_contained_file(tmp_path):
    path = explorer.write_explorer(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["explorer.html"]
    size = path.stat().st_size
    assert size < 3_000_000, f"{size} bytes"
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"""\ssrc=["']?(?:https?:)?//""", html)
    assert not re.search(r"""<script[^>]+src=""", html)
    assert not re.search(r"""<link[^>]+stylesheet""", html)
    assert '<a href="index.html">' in html


# -- in the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    return explorer.write_explorer(tmp_path_factory.mktemp("explorer"))


@pytest.fixture
def visit(browser, page_file):  # noqa: F811 - the fixture
    """Open the explorer page with a query or hash; wait until its map is drawn."""
    visits = []

    def go(suffix: str = "", *, ready: bool = True):
        v = open_offline(browser, page_file.as_uri() + suffix, height=1000)
        visits.append(v)
        if ready:
            v.page.wait_for_selector(".sco-explorer[data-ready=true]", timeout=15_000)
        return v.page, v

    yield go
    for v in visits:
        v.close()
        v.assert_clean()


def _summary(page) -> str:
    return page.locator(".sco-x-summary").inner_text().strip()


@pytest.mark.parametrize("suffix, day", [
    ("?date=2001-06-15", "2001-06-15"),
    ("?date=2005-07-05", "2005-07-05"),
    ("?date=2010-03-01", "2010-03-01"),
    ("?date=2017-06-09", "2017-06-09"),
    ("#date=2023-07-04", "2023-07-04"),
    ("?date=2024-07-04", "2024-07-04"),
    ("?date=2025-09-01", "2025-09-01"),
])
def test_summary_counts_equal_membership_as_of(visit, suffix, day):
    page, _ = visit(suffix)
    shown_day, counts = _parse_summary(_summary(page))
    d = pd.Timestamp(day)
    assert shown_day == f"{d.day} {d:%B %Y}"
    assert counts == _counts(day)
    legend = {li.get_attribute("data-status"): li.inner_text()
              for li in page.locator(".sco-x-legend li[data-status]").all() if li.is_visible()}
    assert {k: int(re.search(r"\((\d+)\)", v).group(1)) for k, v in legend.items()} == \
        {k: n for k, n in _counts(day).items() if n}
    assert page.locator(f"#{page.locator('.sco-explorer').get_attribute('id')}-table tbody tr") \
        .count() == sum(_counts(day).values())
    if day == "2017-06-09":
        assert page.locator(".sco-x-joined").inner_text() == \
            "Outlined: joined on 9 June 2017 (India, Pakistan)"
    if day in ("2017-06-09", "2024-07-04"):
        shot(page, f"explorer-{day}")


def test_keyboard_moves_the_date_and_the_url(visit):
    page, _ = visit("?date=2024-07-04")
    uid = page.locator(".sco-explorer").get_attribute("id")
    page.focus(f"#{uid}-slider")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("!location.search.includes('2024-07-04')")
    day, counts = _parse_summary(_summary(page))
    previous = max(d for d in sco.membership_changes()["date"] if d < pd.Timestamp("2024-07-04"))
    assert day == f"{previous.day} {previous:%B %Y}"
    assert counts == _counts(previous)
    assert page.url.endswith(f"?date={previous:%Y-%m-%d}")
    # arrow keys also work with the map focused, and step forward again
    page.focus(f"#{uid}-map")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.search.includes('2024-07-04')")
    assert _summary(page).startswith("4 July 2024: 10 members")
    # the step buttons and the date field
    page.click(f"#{uid}-next")
    assert not _summary(page).startswith("4 July 2024")
    page.fill(f"#{uid}-date", "2012-06-07")
    page.dispatch_event(f"#{uid}-date", "change")
    assert _parse_summary(_summary(page))[1] == _counts("2012-06-07")
    assert page.url.endswith("?date=2012-06-07")


def test_hover_belarus_on_the_day_it_joined(visit):
    page, _ = visit("?date=2024-07-04")
    uid = page.locator(".sco-explorer").get_attribute("id")
    at = page.evaluate(f"SCOExplorer.pixelOf('{uid}', 'BLR')")
    page.mouse.move(at["x"], at["y"])
    details = page.locator(f"#{uid}-details")
    details.get_by_text("Belarus").wait_for(timeout=5000)
    text = details.inner_text()
    assert "Member on 4 July 2024" in text and "Since 4 July 2024" in text
    src = sco.load("sources").set_index("source_id").loc[
        "kremlin-2024-07-04-sco-heads-of-state-astana"]
    link = details.locator("a")
    assert link.inner_text() == src["publisher"]
    assert link.get_attribute("href") == src["url"]
    tooltip = page.locator(".bk-tooltip-content").filter(has_text="Belarus")
    assert "Member on 4 July 2024" in tooltip.inner_text()
    shot(page, "explorer-hover-belarus")


def test_tap_shows_the_status_on_that_day(visit):
    page, _ = visit("?date=2016-01-01")
    uid = page.locator(".sco-explorer").get_attribute("id")
    at = page.evaluate(f"SCOExplorer.pixelOf('{uid}', 'BLR')")
    page.mouse.click(at["x"], at["y"])
    text = page.locator(f"#{uid}-details").inner_text()
    assert "Observer on 1 January 2016" in text
    assert "Next change: 4 July 2024, becomes member" in text
    # the list beside the map gives the same details without a pointer
    page.select_option(f"#{uid}-country", "LAO")
    text = page.locator(f"#{uid}-details").inner_text()
    assert "No SCO status on 1 January 2016" in text
    assert "Next change: 1 September 2025, becomes partner" in text


def test_the_explorer_today_says_statuses_after_the_record_are_not_confirmed(visit):
    through = sco.freshness.recorded_through("membership")
    assert through < TODAY  # the record stops before today: the notice must show
    page, _ = visit()
    fresh = page.locator(".sco-x-fresh")
    assert fresh.is_visible()
    shown = f"{through.day} {through:%B %Y}"
    assert fresh.inner_text().startswith(f"Statuses after {shown} are not confirmed: the "
                                         f"membership record was checked for new facts "
                                         f"through {shown} only.")
    assert "2026 summit in Bishkek" in fresh.inner_text()
    shot(page, "explorer-today-freshness")
    # a day within the record carries no such notice
    uid = page.locator(".sco-explorer").get_attribute("id")
    page.fill(f"#{uid}-date", "2024-07-04")
    page.dispatch_event(f"#{uid}-date", "change")
    assert _summary(page).startswith("4 July 2024: ")
    assert fresh.is_hidden()


@pytest.mark.parametrize("asked, shown, why", [
    ("2000-01-01", "15 June 2001", "1 January 2000 is before the SCO was founded on 15 June 2001"),
    ("2100-01-01", "today", "1 January 2100 is after today"),
    ("banana", "today", "“banana” is not a day written YYYY-MM-DD"),
    ("2024-02-30", "today", "“2024-02-30” is not a day written YYYY-MM-DD"),
])
def test_a_bad_date_in_the_url_shows_the_nearest_valid_day_and_says_why(visit, asked, shown,
                                                                      why):
    page, _ = visit(f"?date={asked}")
    day = TODAY if shown == "today" else pd.Timestamp("2001-06-15")
    assert _summary(page).startswith(f"{day.day} {day:%B %Y}: ")
    assert _parse_summary(_summary(page))[1] == _counts(day)
    notice = page.locator(".sco-x-notice")
    assert notice.is_visible() and why in notice.inner_text()
    assert page.locator(".sco-explorer canvas").count() >= 1
    if asked == "banana":
        shot(page, "explorer-bad-date")


def test_two_explorers_on_one_page_work_apart(browser, tmp_path):  # noqa: F811
    a = explorer.explorer_html(start="2017-06-09")
    b = explorer.explorer_html(start="2024-07-04", extent="world", labels=False)
    path = tmp_path / "two.html"
    path.write_text(f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>two"
                    f"</title></head><body>{a}{b}</body></html>", encoding="utf-8")
    visit = open_offline(browser, path, height=1000)
    page = visit.page
    page.wait_for_function("document.querySelectorAll('.sco-explorer[data-ready=true]')"
                           ".length === 2", timeout=15_000)
    summaries = page.locator(".sco-x-summary").all_inner_texts()
    assert summaries[0].startswith("9 June 2017: 8 members")
    assert summaries[1].startswith("4 July 2024: 10 members")
    assert page.evaluate("Bokeh.documents.length") == 2
    first = page.locator(".sco-explorer").first.get_attribute("id")
    page.click(f"#{first}-next")
    assert page.locator(".sco-x-summary").all_inner_texts()[1] == summaries[1]
    assert page.url == path.as_uri()  # no URL state inside a report page
    visit.close()
    visit.assert_clean()


def _stops() -> list[str]:
    days = sorted({"2001-06-15", *(f"{d:%Y-%m-%d}" for d in sco.membership_changes()["date"])})
    today = f"{TODAY:%Y-%m-%d}"
    return [d for d in days if d <= today] + ([today] if days[-1] != today else [])


def _play_to_the_end(page, uid: str, first: str) -> list[str]:
    """Press Play with the page's clock under the test's control; return the days shown."""
    page.clock.install()
    page.focus(f"#{uid}-play")
    page.keyboard.press("Enter")  # a real button: the keyboard plays it
    days = [page.locator(".sco-explorer").get_attribute("data-day")]
    assert page.locator(f"#{uid}-play").get_attribute("aria-pressed") == "true"
    assert page.locator(".sco-explorer").get_attribute("data-playing") == "true"
    status = page.locator(f"#{uid}-play-status")
    assert status.get_attribute("aria-live") == "polite"
    if page.locator(".sco-explorer").get_attribute("data-motion") == "reduced":
        assert "without animation" in status.inner_text()
    day = pd.Timestamp(first)
    assert status.inner_text().startswith(f"Playing the changes from {day.day} {day:%B %Y}")
    for _ in range(len(_stops()) + 3):  # more ticks than steps: it must stop by itself
        page.clock.run_for(1600)
        day = page.locator(".sco-explorer").get_attribute("data-day")
        if day != days[-1]:
            days.append(day)
    return days


def test_play_steps_through_every_change_and_stops_at_the_end(visit):
    page, _ = visit("?date=2024-07-04")
    uid = page.locator(".sco-explorer").get_attribute("id")
    assert page.locator(".sco-explorer").get_attribute("data-motion") == "full"
    days = _play_to_the_end(page, uid, "2024-07-04")  # plays on from the day shown
    stops = _stops()
    assert days == stops[stops.index("2024-07-04"):]  # each change once, in order, to today
    assert page.locator(".sco-explorer").get_attribute("data-playing") == "false"
    assert page.locator(f"#{uid}-play").get_attribute("aria-pressed") == "false"
    assert page.locator(f"#{uid}-play").inner_text().strip() == "▶ Play the changes"
    assert page.locator(f"#{uid}-play-status").inner_text().startswith("Finished: ")
    assert page.locator(f"#{uid}-summary").get_attribute("role") == "status"
    assert "sco-x-step" in (page.locator(f"#{uid}-map").get_attribute("class") or "")
    shot(page, "explorer-played")
    # At the end, Play starts again from the founding; a second press pauses it there
    page.click(f"#{uid}-play")
    assert page.locator(".sco-explorer").get_attribute("data-day") == "2001-06-15"
    page.clock.run_for(1600)
    page.click(f"#{uid}-play")
    paused = page.locator(".sco-explorer").get_attribute("data-day")
    assert paused == _stops()[1]
    assert page.locator(f"#{uid}-play-status").inner_text() == \
        f"Paused on {pd.Timestamp(paused).day} {pd.Timestamp(paused):%B %Y}."
    page.clock.run_for(5000)
    assert page.locator(".sco-explorer").get_attribute("data-day") == paused


def test_play_with_reduced_motion_steps_without_animation(browser, page_file):  # noqa: F811
    visit = open_offline(browser, page_file, height=1000, reduced_motion="reduce")
    page = visit.page
    page.wait_for_selector(".sco-explorer[data-ready=true]", timeout=15_000)
    uid = page.locator(".sco-explorer").get_attribute("id")
    assert page.locator(".sco-explorer").get_attribute("data-motion") == "reduced"
    days = _play_to_the_end(page, uid, "2001-06-15")  # opened on today: from the founding
    assert days == _stops()
    assert "sco-x-step" not in (page.locator(f"#{uid}-map").get_attribute("class") or "")
    visit.close()
    visit.assert_clean()


# -- notebook 02 under plain papermill (issue: papermill stalled on the ipywidgets.Output) -------


def test_plain_papermill_runs_notebook_02_again_and_again(tmp_path):
    """Papermill's default engine, five runs in a row, each with a timeout: none may stall."""
    import papermill as pm

    from sco_research import paths

    for run, as_of in enumerate(["2017-06-09", "2024-07-04", "today", "2001-06-15",
                                 "2025-09-01"]):
        nb = pm.execute_notebook(
            str(paths.NOTEBOOKS_DIR / "02-membership-map.ipynb"), str(tmp_path / f"{run}.ipynb"),
            parameters={"as_of": as_of}, kernel_name="python3", cwd=str(paths.PROJECT_ROOT),
            progress_bar=False, execution_timeout=120, start_timeout=120)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                       for o in outputs)
        last = nb.cells[-1].outputs
        assert len(last) == 1 and last[0]["output_type"] == "display_data"
        record = last[0]["metadata"]["sco_research"]
        assert record["kind"] == "interactive" and record["name"] == "membership-explorer"
        html = last[0]["data"]["text/html"]
        day = pd.Timestamp.today().normalize() if as_of == "today" else pd.Timestamp(as_of)
        assert f'data-start="{day:%Y-%m-%d}"' in html
        assert f'href="../explorer.html?date={day:%Y-%m-%d}"' in html
