"""A published table as a report page shows it: compact, in words, linked.

From the JSON rows that :func:`sco_research.publish.publish_table` puts in a notebook output:
no column blank on every row, a unit column folded into its value column's header, numbers
right-aligned, ``source_id`` as numbered links to the page's sources, URLs as links, long
tables folded under ``<details>`` (more than :data:`~sco_research._published.COLLAPSE_ROWS`
rows), and ``claim_id`` / ``finding_id`` cells linked to that claim's section on the page.

Examples
--------
>>> class Numbers:
...     def number(self, sid):
...         return 1
>>> b = table_block({"columns": ["value", "unit", "source_id"], "data": [["5", "USD", "s"]]},
...                 {"name": "t", "files": {}}, Numbers(), "figures")
>>> [h["label"] for h in b["head"]], b["collapsed"]
(['value (USD)', 'source'], False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .._days import dates_in_words
from .._published import COLLAPSE_ROWS, blank_columns

__all__ = ["URL", "host", "link_sections", "table_block"]

#: A cell that is a link.
URL = re.compile(r"^https?://\S+$")
_NUMBER = re.compile(r"^[+-]?(\d[\d,]*)?(\.\d+)?%?$")
_SPLIT_IDS = re.compile(r"\s*[;,]\s*")
#: Columns whose values name a section of the page (``claim-c05``): a cell links to it.
_ANCHOR_COLUMNS = {"claim_id": "claim", "finding_id": "finding"}
#: A verdict as the claims table stores it: shown in words, coloured by the pages' style sheet.
_VERDICT = re.compile(r"^[a-z]+(_[a-z]+)*$")


def host(url: str) -> str:
    """The host of ``url`` without ``www.``: what a link to a source shows."""
    netloc = urlsplit(url).netloc
    return netloc[4:] if netloc.startswith("www.") else netloc


def _unit_columns(columns: list[str], data: list[list[str]]) -> dict[str, str]:
    """``{value column: unit}`` for unit columns holding one unit for every stated value."""
    folded = {}
    for j, col in enumerate(columns):
        if col != "unit" and not col.endswith("_unit"):
            continue
        value_col = col[: -len("unit")] + "value"
        if value_col not in columns:
            continue
        k = columns.index(value_col)
        units = {row[j] for row in data if row[k] != ""}
        if len(units) == 1 and "" not in units and all(row[j] in units for row in data):
            folded[value_col] = units.pop()
    return folded


def table_block(payload: Mapping, record: Mapping, sources, figures_dir: str) -> dict:
    """A published table (its JSON rows and record) as the report template lays it out.

    ``sources`` numbers the page's sources (it has ``number(source_id) -> int``).
    """
    columns = [str(c) for c in payload.get("columns", [])]
    data = [["" if v is None else str(v) for v in row] for row in payload.get("data", [])]
    units = _unit_columns(columns, data)
    drop = {c for c in columns for v in units if c == v[: -len("value")] + "unit"}
    drop |= set(blank_columns(columns, data))  # a column blank on every row says nothing
    keep = [j for j, c in enumerate(columns) if c not in drop]
    head = []
    for j in keep:
        col = columns[j]
        label = "source" if col == "source_id" else col.replace("_", " ")
        if col in units:
            label = f"{label} ({units[col]})"
        values = [row[j] for row in data if row[j] != ""]
        numeric = bool(values) and all(_NUMBER.match(v) for v in values)
        long = bool(values) and sum(map(len, values)) / len(values) > 30
        head.append({"label": label, "column": col, "cls": "" if col == "source_id" else "num"
                     if numeric else "long" if long else ""})
    rows = []
    for row in data:
        cells = []
        for j in keep:
            col, value = columns[j], row[j]
            cell: dict[str, Any] = {"text": value, "href": None, "title": None, "refs": None,
                                    "badge": None}
            if col == "source_id" and value:
                cell["refs"] = [{"n": sources.number(s), "id": s}
                                for s in _SPLIT_IDS.split(value) if s]
            elif URL.match(value):
                cell.update(href=value, title=value, text=host(value))
            elif col == "verdict" and _VERDICT.match(value):
                cell.update(badge=f"sco-verdict sco-verdict-{value}", text=value.replace("_", " "))
            cells.append(cell)
        rows.append(cells)
    files = record.get("files") or {}
    return {
        "type": "table", "name": record.get("name", ""),
        "caption": dates_in_words(record.get("title") or ""),
        "head": head, "rows": rows, "n": len(rows), "collapsed": len(rows) > COLLAPSE_ROWS,
        "csv": f"{figures_dir}/{files['csv']}" if files.get("csv") else None,
    }


def link_sections(blocks: list[dict]) -> None:
    """Link each claim_id / finding_id cell to its section on the page, when there is one.

    A table whose every row links to a section of its own is the page's table of contents:
    it stays open.
    """
    anchors = {m for b in blocks if b["type"] == "html"
               for m in re.findall(r'<section[^>]*\sid="([^"]+)"', b["html"])}
    for b in blocks:
        if b["type"] != "table":
            continue
        kinds = [_ANCHOR_COLUMNS.get(h["column"]) for h in b["head"]]
        linked = []
        for row in b["rows"]:
            for kind, c in zip(kinds, row, strict=True):
                if kind and f"{kind}-{c['text']}" in anchors and not c["href"]:
                    c.update(href=f"#{kind}-{c['text']}", title=f"Go to {c['text']} below")
                    linked.append(c["href"])
        if b["rows"] and len(set(linked)) == len(linked) == len(b["rows"]):
            b["collapsed"] = False
