"""Where one report's time went: kernel start, imports, data, drawing, encoding, page, writing.

:func:`breakdown` combines three clocks: papermill's per-cell start and end times in the executed
notebook, the steps the library timed inside the kernel (:mod:`sco_research._timing`: data files
loaded, figures encoded), and the phases the renderer timed itself (execution, page, writing).
``benchmarks/render.py --profile`` prints the result as a table; the manifest keeps it per report.

Examples
--------
>>> nb = {"metadata": {"papermill": {"start_time": "2026-01-01T00:00:00"}}, "cells": [
...     {"cell_type": "code", "source": "x = 1", "metadata": {"tags": ["parameters"],
...      "papermill": {"start_time": "2026-01-01T00:00:01", "duration": 0.01}}},
...     {"cell_type": "code", "source": "import pandas", "metadata": {
...      "papermill": {"duration": 0.5}}},
...     {"cell_type": "code", "source": "draw()", "metadata": {"papermill": {"duration": 2.0}}}]}
>>> t = breakdown(nb, {"data": 0.25, "encode": 0.5}, {"execute": 4.0, "page": 0.2, "write": 0.1})
>>> [t[c] for c in COLUMNS]
[1.0, 0.5, 0.25, 1.25, 0.5, 0.2, 0.1, 0.5]
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

__all__ = ["COLUMNS", "LABELS", "add_write", "breakdown", "is_import_cell"]

#: The breakdown's columns, in the order a report goes through them.
COLUMNS = ("kernel", "imports", "data", "draw", "encode", "page", "write", "other")
#: What each column measures.
LABELS = {
    "kernel": "kernel start: from papermill's start to the first cell (start-up, connection)",
    "imports": "cells that begin with import statements",
    "data": "loading data files (the library's loader and the country geometries)",
    "draw": "the other cells, less their data loading and image encoding",
    "encode": "writing figures as PNG and SVG (publish_figure)",
    "page": "building the HTML page from the executed notebook",
    "write": "publishing the report's folder (and, on a cluster, receiving it)",
    "other": "the rest: parameter cells, kernel shutdown, saving the notebook",
}
_IMPORT = re.compile(r"^(import\s|from\s+\S+\s+import\s)")


def is_import_cell(source: Any) -> bool:
    """Whether a code cell's first statement is an import.

    Examples
    --------
    >>> is_import_cell("# the library\\nimport sco_research as sco\\nx = 1")
    True
    >>> is_import_cell("fig = draw()")
    False
    """
    text = "".join(source) if isinstance(source, list) else str(source)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return bool(_IMPORT.match(line))
    return False


def _time(value: Any) -> _dt.datetime | None:
    try:
        return _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def breakdown(nb: Any, steps: dict[str, float], phases: dict[str, float]) -> dict[str, float]:
    """Seconds per column of :data:`COLUMNS` (plus ``total``) for one report.

    Parameters
    ----------
    nb : dict
        The executed notebook (papermill's metadata in it).
    steps : dict
        Seconds per kind the kernel timed (``data``, ``encode``).
    phases : dict
        Seconds the renderer timed: ``execute`` (papermill, kernel start to shutdown), ``page``
        and ``write``.
    """
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    start = _time(nb.get("metadata", {}).get("papermill", {}).get("start_time"))
    first = next((_time(c["metadata"]["papermill"]["start_time"]) for c in cells
                  if c.get("metadata", {}).get("papermill", {}).get("start_time")), None)
    kernel = max(0.0, (first - start).total_seconds()) if start and first else 0.0
    imports = work = params = 0.0
    for c in cells:
        meta = c.get("metadata", {})
        seconds = float(meta.get("papermill", {}).get("duration") or 0.0)
        tags = meta.get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            params += seconds
        elif is_import_cell(c.get("source", "")):
            imports += seconds
        else:
            work += seconds
    data, encode = float(steps.get("data", 0.0)), float(steps.get("encode", 0.0))
    out = {"kernel": kernel, "imports": imports, "data": data,
           "draw": max(0.0, work - data - encode), "encode": encode,
           "page": float(phases.get("page", 0.0)), "write": float(phases.get("write", 0.0))}
    total = float(phases.get("execute", 0.0)) + out["page"] + out["write"]
    out["other"] = max(0.0, total - sum(out.values()))
    out["total"] = total
    return {k: round(v, 3) for k, v in out.items()}


def add_write(result: dict, seconds: float) -> None:
    """Count ``seconds`` of publishing in a report result's ``timings`` and ``profile``."""
    result.setdefault("timings", {})["write"] = round(seconds, 3)
    prof = result.get("profile")
    if prof:
        prof["write"] = round(prof.get("write", 0.0) + seconds, 3)
        prof["total"] = round(prof.get("total", 0.0) + seconds, 3)
