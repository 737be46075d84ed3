"""What the report page and the index share: the Jinja templates, Markdown, and the words in
which both show a parameter's value.

Examples
--------
>>> value_words("as_of", "2017-06-09"), squash(" a \\n b ")
('9 June 2017', 'a b')
>>> str(text("<'a'>"))
"&lt;'a'&gt;"
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._days import day_words

__all__ = ["NONE_MEANS", "TEMPLATES", "env", "join", "markdown", "package_version", "squash",
           "text", "value_words"]

#: The page templates, their CSS and the index's script.
TEMPLATES = Path(__file__).resolve().parent / "templates"
#: What ``None`` means for each notebook parameter that may be ``None`` (else "none").
NONE_MEANS: Mapping[str, str] = {
    "theme": "all", "actor": "all", "verdict": "all", "tier": "all", "publisher": "all",
    "dates": "each enlargement", "output_dir": "not saved", "article": "every article",
}


@functools.lru_cache(maxsize=1)
def env():
    """The Jinja environment of :data:`TEMPLATES`: HTML autoescaped, undefined names an error."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    environment.filters["text"] = text
    return environment


def text(value: Any):
    """Escape for a text node only (quotes stay as they are: ``'a'``, not ``&#39;a&#39;``)."""
    import html

    from markupsafe import Markup

    return Markup(html.escape("" if value is None else str(value), quote=False))


@functools.lru_cache(maxsize=1)
def markdown():
    """The Markdown parser of the pages: CommonMark with tables, no raw HTML, no images."""
    from markdown_it import MarkdownIt

    # Raw HTML in Markdown is shown as text, and images would be a request: both are off.
    return MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


def join(value: Any) -> str:
    """A notebook's multi-line field (a list of strings or a string) as one string."""
    return "".join(value) if isinstance(value, list) else str(value)


def squash(value: Any) -> str:
    """Text on one line, runs of white space as one space (``None`` as ``""``)."""
    return " ".join(str(value or "").split())


def value_words(name: str, value: Any) -> str:
    """A parameter's value as the pages show it: dates in words, lists, yes/no, numbers, and
    what ``None`` means for that parameter (:data:`NONE_MEANS`).

    Examples
    --------
    >>> value_words("as_of", "2017-06-09"), value_words("partners", ["CHN", "IND"])
    ('9 June 2017', 'CHN, IND')
    >>> value_words("labels", True), value_words("theme", None), value_words("top", 10.0)
    ('yes', 'all', '10')
    """
    if value is None:
        return NONE_MEANS.get(str(name), "none")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        return ", ".join(value_words(name, v) for v in items) if items else "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return day_words(value)


def package_version() -> str:
    """The version of ``sco_research`` the pages name."""
    from .. import __version__

    return __version__
