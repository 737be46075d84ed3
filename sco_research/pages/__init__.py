"""Report pages: the HTML page of one executed notebook, and the index of all reports.

The renderer (:mod:`sco_research.reports`) runs the notebooks; this package only turns what they
left into HTML, from Jinja templates (``templates/``), and needs neither pydantic nor papermill.

``report``    :func:`report_page` and its one-paragraph :func:`report_summary`
``index``     :func:`index_page`: one card per report, grouped by article
``tables``    a published table as a page shows it: compact, units in the header, linked
``_shared``   the templates, Markdown and :func:`value_words`, which both pages use

Examples
--------
>>> from nbformat.v4 import new_markdown_cell, new_notebook
>>> nb = new_notebook(cells=[new_markdown_cell("# Demo\\n\\nWhat this report *shows*.")])
>>> "<h1>Demo</h1>" in report_page(nb, report={"name": "demo", "title": "Demo"})
True
>>> 'href="demo/demo.html"' in index_page({"reports": [{"name": "demo", "title": "Demo",
...                                                      "html": "demo/demo.html"}]})
True
"""

from __future__ import annotations

from .._published import COLLAPSE_ROWS
from ._shared import NONE_MEANS, value_words
from .index import index_page
from .report import report_page, report_summary

__all__ = ["COLLAPSE_ROWS", "NONE_MEANS", "index_page", "report_page", "report_summary",
           "value_words"]
