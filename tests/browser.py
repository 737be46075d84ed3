"""A real Chromium for the browser tests, offline: every request that is not ``file:`` aborts.

Playwright from PyPI drives Debian's ``chromium`` package (``/usr/bin/chromium``, or the
``SCO_RESEARCH_CHROMIUM`` environment variable); nothing is downloaded. Import the fixtures
into a test module::

    from tests.browser import browser, offline_page  # noqa: F401

``offline_page(path, width=1280)`` opens a local file and returns a :class:`Visit`: the page,
the requests that tried to leave the machine, and the console errors.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

__all__ = ["CHROMIUM", "Visit", "browser", "offline_page", "chromium_path"]

CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str | None:
    """The Chromium executable to launch, or None when none is installed."""
    for candidate in (os.environ.get("SCO_RESEARCH_CHROMIUM"), CHROMIUM,
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@dataclasses.dataclass
class Visit:
    """One page opened offline, with what it tried to fetch and what it logged."""

    page: object
    external: list[str]
    console_errors: list[str]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (skips when Playwright or Chromium is absent).

    Module scope, not session: Playwright's sync API cannot be started twice in one thread, and
    the explorer and interactive-chart tests start their own after this module's has stopped.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    exe = chromium_path()
    if exe is None:
        pytest.skip(f"no Chromium at {CHROMIUM}; install Debian's 'chromium' package")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def offline_page(browser):
    """Factory: open a local file with the network cut off; every context is closed after."""
    contexts = []

    def open_(path: Path, width: int = 1280, height: int = 900) -> Visit:
        ctx = browser.new_context(viewport={"width": width, "height": height},
                                  service_workers="block")
        contexts.append(ctx)
        external: list[str] = []
        errors: list[str] = []

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        return Visit(page, external, errors)

    yield open_
    for ctx in contexts:
        ctx.close()
