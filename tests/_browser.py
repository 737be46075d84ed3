"""Headless Chromium for the interactive-output tests: offline, with console errors recorded.

Every request that is not ``file:`` is aborted and recorded; the tests assert that none was
attempted and that the console logged no error.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path("/tmp/explorer-shots")


@dataclass
class Watch:
    """What a page did that it should not: requests off the file system, console errors."""

    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.external == [], f"requests left the page: {self.external}"
        assert self.errors == [], f"console errors: {self.errors}"


def browser_or_skip():
    """A started Playwright and a Chromium browser (skip when Chromium is not installed)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's 'chromium' package")
    pw = sync_api.sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM)
    return pw, browser


def open_page(browser, url: str, watch: Watch, *, width: int = 1280, height: int = 1000):
    """A new page on ``url`` with requests and console watched."""
    page = browser.new_page(viewport={"width": width, "height": height})

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            watch.external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: (watch.errors if m.type == "error" else watch.messages)
            .append(m.text))
    page.on("pageerror", lambda e: watch.errors.append(f"page error: {e}"))
    page.goto(url)
    return page


def shot(page, name: str) -> Path:
    """Save a full-page screenshot to /tmp/explorer-shots/<name>.png (for a human to look at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
