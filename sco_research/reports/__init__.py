"""Batch reports: ``reports.yaml`` -> executed notebooks -> HTML pages, index and manifest.

The modules, in the order a report goes through them:

``config``    ``reports.yaml`` as pydantic models; grids expanded into :class:`Report`
``params``    what a notebook's ``parameters`` cell declares; each report's parameters
              against it, values by the notebook's library check, before any kernel starts
``cache``     what a report depends on, its cache key, the manifest of the last run
``layout``    the output folder: its names and marks, its lock, report folders swapped in
``execute``   the papermill engine, the worker processes, one report's run
``outputs``   output size caps, the figures a notebook published, the thumbnail
``results``   the records: :class:`Task` to a worker, :class:`Result` back, :class:`Outcome`,
              :class:`BatchResult`, and the progress lines
``pool``      the :class:`Pool` protocol, and the local pool of worker processes
``batch``     :func:`render` and :func:`plan`: the whole run
``cluster``   the same run on a Dask cluster (``--scheduler``): tasks carry what they need
``cli``       the ``sco-research render`` sub-command

The pages themselves (a report's page, the index) are made by :mod:`sco_research.pages`.

Examples
--------
>>> from sco_research import reports
>>> [r.name for r in reports.load_config()][:1]
['article-facts-a1']
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public names and the module each comes from; imported on first use, so that the command
#: line (``sco-research validate``) does not pay for pydantic and papermill.
_NAMES = {
    "plan": "batch", "render": "batch", "library_digest": "cache",
    "DEFAULT_TIMEOUT": "config", "MAX_GRID": "config", "Report": "config",
    "load_config": "config", "select_reports": "config",
    "ENGINE_NAME": "execute", "register_engine": "execute",
    "check_for": "params", "check_parameters": "params",
    "notebook_parameters": "params", "BatchResult": "results", "Outcome": "results",
    "Result": "results", "Task": "results", "Pool": "pool", "LocalPool": "pool",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES))
