"""Names the library and the renderer share: how a published figure or table is marked in a
notebook's outputs, and the explorer page's file name.

:mod:`sco_research.publish` writes the marks and :mod:`sco_research.explorer` the page; the
renderer reads them. They live apart so that a render with nothing to do never imports pandas.

Examples
--------
>>> METADATA_KEY
'sco_research'
"""

from __future__ import annotations

__all__ = ["EXPLORER_FILE", "METADATA_KEY", "TABLE_MIME"]

#: Key of the metadata record in a notebook output.
METADATA_KEY = "sco_research"
#: MIME type of the JSON rows a published table carries.
TABLE_MIME = "application/vnd.sco-research.table+json"
#: The membership explorer page, written beside the reports' index.
EXPLORER_FILE = "explorer.html"
