"""Helpers of the pages' tests."""

from __future__ import annotations

import html5lib


def parse_strict(page: str) -> None:
    """Fail on any HTML5 parse error (html5lib implements the WHATWG parsing algorithm)."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
