"""Benchmark: how fast the membership explorer page becomes interactive in headless Chromium.

Target (issue 11): the explorer page is interactive in under 1 s on this machine.

The page is written once with ``explorer.write_explorer`` and opened several times from the
file system in headless Chromium (Debian's ``chromium``, driven by Playwright; every request
that is not ``file:`` is aborted). Times come from the browser's own clock, relative to the
start of the navigation (``performance.now()`` origin):

- ``summary``: the page's script has drawn the first summary line; the date controls, the
  legend, the table and the country list work from then on;
- ``map``: Bokeh has drawn the map and the explorer has painted it (hover and tap work): the
  explorer's ``performance.mark("sco-explorer-ready")``.

Each is printed as the median of the runs and as a ratio to the 1 s target (below 1.00 meets
it). The first run also pays for the browser's start; it is printed apart.

Run: ``.venv/bin/python benchmarks/explorer.py [--runs N]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from sco_research import explorer

TARGET_MS = 1000.0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _one(browser, url: str) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else r.abort())
    page.goto(url)
    page.wait_for_selector(".sco-explorer[data-ready=true]", timeout=30_000)
    marks = page.evaluate(
        "Object.fromEntries(performance.getEntriesByType('mark')"
        ".map(m => [m.name, m.startTime]))")
    page.close()
    return {"summary": marks["sco-explorer-summary"], "map": marks["sco-explorer-ready"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(tempfile.mkdtemp(prefix="sco-explorer-bench-"))
    page = explorer.write_explorer(out)
    url = page.as_uri() + "?date=2024-07-04"
    print(f"explorer.html: {page.stat().st_size / 1e6:.2f} MB")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        first = _one(browser, url)
        runs = [_one(browser, url) for _ in range(args.runs)]
        browser.close()
    print(f"first run (pays for the browser start): summary {first['summary']:.0f} ms, "
          f"map {first['map']:.0f} ms")
    for key, what in (("summary", "summary and date controls"), ("map", "map drawn, hover on")):
        values = [r[key] for r in runs]
        med = statistics.median(values)
        print(f"{what:<28} median {med:6.0f} ms over {len(values)} runs "
              f"(min {min(values):.0f}, max {max(values):.0f}); ratio to the 1 s target: "
              f"{med / TARGET_MS:.2f}")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
