"""Names the library, the renderer and the pages share: how a published figure or table is
marked in a notebook's outputs (and :func:`published` to read the marks back), how a table is
made compact, and the explorer page's file name.

:mod:`sco_research.publish` writes the marks and :mod:`sco_research.explorer` the page; the
renderer (:mod:`sco_research.reports`) and the pages (:mod:`sco_research.pages`) read them. They
live apart so that a render with nothing to do never imports pandas.

Examples
--------
>>> METADATA_KEY
'sco_research'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["COLLAPSE_ROWS", "EXPLORER_FILE", "METADATA_KEY", "TABLE_MIME", "blank_columns",
           "published"]

#: Key of the metadata record in a notebook output.
METADATA_KEY = "sco_research"
#: MIME type of the JSON rows a published table carries.
TABLE_MIME = "application/vnd.sco-research.table+json"
#: Tables with more rows than this are folded under ``<details>`` (in a notebook and on a page).
COLLAPSE_ROWS = 15
#: The membership explorer page, written beside the reports' index.
EXPLORER_FILE = "explorer.html"


def blank_columns(columns: Sequence[str], cells: Sequence[Sequence[str]]) -> list[str]:
    """The columns whose cell is blank (``""``) on every row; none when there is no row.

    Examples
    --------
    >>> blank_columns(["a", "b", "c"], [["1", "", ""], ["2", "", "x"]])
    ['b']
    """
    if not cells:
        return []
    return [c for j, c in enumerate(columns) if all(str(row[j]).strip() == "" for row in cells)]


def published(nb: Mapping[str, Any], kind: str) -> list[dict]:
    """The metadata records of what a notebook published of ``kind`` (``"figure"``,
    ``"summary"``...; see :mod:`sco_research.publish`), in order.

    Examples
    --------
    >>> nb = {"cells": [{"outputs": [{"metadata": {METADATA_KEY: {"kind": "figure", "name": "a"}}},
    ...                              {"metadata": {}}]}]}
    >>> published(nb, "figure"), published(nb, "table")
    ([{'kind': 'figure', 'name': 'a'}], [])
    """
    records = [(output.get("metadata") or {}).get(METADATA_KEY)
               for cell in nb.get("cells", []) for output in cell.get("outputs", []) or []]
    return [r for r in records if isinstance(r, dict) and r.get("kind") == kind]
