"""Names the library and the renderer share: how a published figure or table is marked in a
notebook's outputs, how a table is made compact, and the explorer page's file name.

:mod:`sco_research.publish` writes the marks and :mod:`sco_research.explorer` the page; the
renderer reads them. They live apart so that a render with nothing to do never imports pandas.

Examples
--------
>>> METADATA_KEY
'sco_research'
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["COLLAPSE_ROWS", "EXPLORER_FILE", "METADATA_KEY", "TABLE_MIME", "blank_columns"]

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
