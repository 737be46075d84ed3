"""Plumbing shared by the interactive HTML outputs: inline BokehJS, embedded JSON, display.

The explorer (:mod:`sco_research.explorer`) and the hover-to-source charts
(:mod:`sco_research.interactive`) are HTML fragments that carry everything they need: BokehJS
inline (guarded, so a page holding several fragments runs it once), their data as JSON, and
their own script. Nothing is fetched from the network.

An interactive output is displayed in a notebook with a metadata record under the key
``"sco_research"``: ``{"kind": "interactive", "name": ..., "title": ...}``. The report page
builder includes such outputs verbatim.

Examples
--------
>>> json_script("x-data", {"a": "</b>"})
'<script type="application/json" id="x-data">{"a":"<\\\\/b>"}</script>'
"""

from __future__ import annotations

import html as _html
import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from ._days import day_words

__all__ = ["ASSETS", "bokehjs_script", "json_script", "asset_text", "display_interactive",
           "embed_script", "interactive_record", "script_tag", "sources_list", "style_tag"]

#: Folder of the CSS and JavaScript files shipped with the package.
ASSETS = "assets"


@cache
def asset_text(name: str) -> str:
    """The text of ``sco_research/assets/<name>``."""
    return resources.files("sco_research").joinpath(ASSETS, name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    # Inside <script> only "</" can end the element early (and "<!--" confuse the parser).
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


@lru_cache(maxsize=1)
def bokehjs_script() -> str:
    """A ``<script>`` element with BokehJS inline, run only if the page has no BokehJS yet.

    The core bundle only (no widgets, tables or GL): the controls of our fragments are plain
    HTML elements.
    """
    import bokeh
    from bokeh.resources import Resources

    res = Resources(mode="inline", components=["bokeh"])
    code = "\n".join(res.js_raw)
    version = bokeh.__version__
    guard = (f"if (typeof window.Bokeh === 'undefined' || window.Bokeh.version !== "
             f"{json.dumps(version)}) {{\n")
    return f'<script type="text/javascript">\n{guard}{_script_safe(code)}\n}}\n</script>'


def json_script(element_id: str, data: Any) -> str:
    """``data`` as JSON in a ``<script type="application/json">`` element with that id."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (f'<script type="application/json" id="{_html.escape(element_id)}">'
            f"{_script_safe(text)}</script>")


def style_tag(name: str) -> str:
    """A ``<style>`` element with the CSS asset ``name``."""
    return f"<style>\n{asset_text(name)}</style>"


def script_tag(name: str) -> str:
    """A ``<script>`` element with the JavaScript asset ``name`` inline."""
    return f'<script type="text/javascript">\n{_script_safe(asset_text(name))}</script>'


def embed_script(root_id: str, code: str) -> str:
    """Bokeh's embedding ``code`` in a ``<script>`` that waits until ``root_id`` is in the page.

    On a page the element is there at once; an output area (JupyterLab) may run the script
    before it attaches the output, so the script retries for up to ten seconds.
    """
    return ('<script type="text/javascript">\n(function () {\n  var tries = 0;\n'
            f"  function go() {{\n    if (!document.getElementById({json.dumps(root_id)})) {{\n"
            "      if (tries++ < 400) setTimeout(go, 25);\n      return;\n    }\n"
            f"{_script_safe(code)}\n  }}\n  go();\n}})();\n</script>")


def interactive_record(name: str, title: str) -> dict:
    """The metadata record of an interactive output."""
    return {"kind": "interactive", "name": name, "title": title}


def display_interactive(fragment: str, record: dict, text: str) -> bool:
    """Display ``fragment`` as HTML with ``record`` under the ``"sco_research"`` key.

    Returns whether it was displayed (only inside IPython). No widget and no comm is created,
    so a notebook runs alike under any executor, with or without a frontend.
    """
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return False
    if get_ipython() is None:
        return False
    from .publish import METADATA_KEY

    display({"text/html": fragment, "text/plain": text}, raw=True,
            metadata={METADATA_KEY: record})
    return True


def sources_list(sources) -> str:
    """An HTML list of sources (dicts with ``publisher``, ``title``, ``url``, ``published``),
    each date in words ("4 July 2024").

    Examples
    --------
    >>> sources_list([{"publisher": "TASS", "title": "A & B", "url": "https://x.org",
    ...                "published": ""}])
    '<ul><li>TASS, <a href="https://x.org">&ldquo;A &amp; B&rdquo;</a></li></ul>'
    """
    e = _html.escape
    items = []
    for src in sorted(sources, key=lambda s: (s["publisher"], s["title"])):
        date = f" ({e(day_words(src['published']))})" if src["published"] else ""
        items.append(f'<li>{e(src["publisher"])}, <a href="{e(src["url"])}">'
                     f'&ldquo;{e(src["title"])}&rdquo;</a>{date}</li>')
    return "<ul>" + "".join(items) + "</ul>"
