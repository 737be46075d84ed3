"""Citations: the source line under a figure and the sources behind any table.

Both are built from the ``sources`` table of the bundled data package: every row of every table
names a ``source_id`` there.

Examples
--------
>>> import sco_research as sco
>>> bool(sco.sources_for(sco.load("quotes"))["kind"].notna().all())
True
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ._checks import check_choice
from .data import load

__all__ = ["source_line", "sources_for"]


def source_line(
    source_ids: Iterable[str], *, prefix: str = "Source: ", width: int = 0, max_items: int = 6
) -> str:
    """A source line for a chart or map, built from the sources table.

    Parameters
    ----------
    source_ids : iterable of str
        Source identifiers (duplicates and blanks ignored, order kept).
    prefix : str
        Text placed before the list.
    width : int
        If positive, wrap the line at this many characters.
    max_items : int
        With more sources than this, name the publishers (most cited first) and the number of
        sources instead of every title; the full list is in the sources table.

    Examples
    --------
    >>> print(source_line(["tempo-2024-07-04-eurasian-security-club"], width=80))
    Source: TEMPO.CO, "Xi Jinping and Putin outline ambitions for Eurasian Security
    Club" (2024-07-04)
    """
    sources = load("sources").set_index("source_id")
    seen: list[str] = []
    for sid in source_ids:
        if sid is None or (isinstance(sid, float) and pd.isna(sid)) or sid in seen:
            continue
        check_choice("source_ids", sid, sources.index, kind="source_id")
        seen.append(sid)
    parts = []
    if len(seen) > max_items:
        counts = sources.loc[seen, "publisher"].value_counts(sort=True)
        names = list(counts.index[:8])
        rest = len(counts) - len(names)
        listed = ", ".join(names) + (f" and {rest} other publisher(s)" if rest > 0 else "")
        text = (f"{prefix.rstrip(': ')}s: {len(seen)} sources from {listed}; "
                "each row's source is listed in the table data/sources.csv")
    else:
        for sid in seen:
            row = sources.loc[sid]
            date = "n.d." if pd.isna(row["published"]) else row["published"].date()
            parts.append(f'{row["publisher"]}, "{row["title"]}" ({date})')
        text = prefix + "; ".join(parts)
    if width > 0:
        import textwrap

        text = "\n".join(textwrap.wrap(text, width))
    return text


def sources_for(*frames: pd.DataFrame) -> pd.DataFrame:
    """The rows of the sources table cited by the ``source_id`` column of the given frames.

    Examples
    --------
    >>> s = sources_for(load("quotes"))
    >>> list(s.columns)
    ['source_id', 'publisher', 'title', 'url', 'published', 'accessed', 'kind']
    >>> len(s) == load("quotes")["source_id"].nunique()
    True
    """
    ids: list[str] = []
    for frame in frames:
        for sid in frame["source_id"].dropna():
            if sid not in ids:
                ids.append(sid)
    s = load("sources").set_index("source_id")
    cols = ["publisher", "title", "url", "published", "accessed", "kind"]
    return s.loc[ids, cols].reset_index()
