"""A real Chromium for the browser tests, offline: every request that is not ``file:`` aborts.

Playwright from PyPI drives Debian's ``chromium`` package (``/usr/bin/chromium``, or the
``SCO_RESEARCH_CHROMIUM`` environment variable); nothing is downloaded. Import the fixtures
into a test module::

    from tests.browser import browser, offline_page  # noqa: F401

``offline_page(path_or_url, width=1280)`` opens a local file and returns a :class:`Visit`: the
page, the requests that tried to leave the machine, the console errors and other console
messages. :func:`open_offline` does the same on a given browser, and :func:`shot` keeps a
full-page screenshot for a human to look at.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

__all__ = ["CHROMIUM", "SHOTS", "Visit", "browser", "chromium_path", "offline_page",
           "open_offline", "shot"]

CHROMIUM = "/usr/bin/chromium"
#: Where :func:`shot` saves screenshots (``SCO_RESEARCH_SHOTS`` overrides it).
SHOTS = Path(os.environ.get("SCO_RESEARCH_SHOTS") or "/tmp/sco-research-shots")


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
    external: list[str] = dataclasses.field(default_factory=list)
    console_errors: list[str] = dataclasses.field(default_factory=list)
    messages: list[str] = dataclasses.field(default_factory=list)

    def assert_clean(self) -> None:
        """No request left the machine and the console logged no error."""
        assert self.external == [], f"requests left the page: {self.external}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"

    def close(self) -> None:
        """Close the page's own browser context."""
        self.page.context.close()


def open_offline(browser, where: str | Path, *, width: int = 1280, height: int = 900,
                 reduced_motion: str = "no-preference") -> Visit:
    """Open a local file (a path or a ``file:`` URL, with its query) with the network cut off.

    The page gets its own context (service workers blocked; ``reduced_motion="reduce"`` for a
    reader who prefers reduced motion); :meth:`Visit.close` closes it.
    """
    url = where if isinstance(where, str) else Path(where).resolve().as_uri()
    ctx = browser.new_context(viewport={"width": width, "height": height},
                              service_workers="block", reduced_motion=reduced_motion)
    visit = Visit(page=None)

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            visit.external.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("console", lambda m: (visit.console_errors if m.type == "error" else visit.messages)
            .append(m.text))
    page.on("pageerror", lambda exc: visit.console_errors.append(f"page error: {exc}"))
    visit.page = page
    page.goto(url, wait_until="load")
    return visit


def shot(page, name: str) -> Path:
    """Save a full-page screenshot to :data:`SHOTS`/``<name>.png`` (for a human to look at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (skips when Playwright or Chromium is absent).

    Module scope, not session: Playwright's sync API cannot be started twice in one thread, and
    each browser test module starts its own after the previous module's has stopped.
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
    """Factory: :func:`open_offline` on the module's browser; every context is closed after."""
    visits: list[Visit] = []

    def open_(where: str | Path, width: int = 1280, height: int = 900) -> Visit:
        visits.append(open_offline(browser, where, width=width, height=height))
        return visits[-1]

    yield open_
    for visit in visits:
        visit.close()
