"""Batch reports: ``reports.yaml`` -> executed notebooks -> HTML pages, index and manifest.

The modules, in the order a report goes through them:

``config``    ``reports.yaml`` as pydantic models; grids expanded into :class:`Report`
``params``    each notebook's parameters: declared names, and a pydantic model per notebook
              that checks values with the library's own checks, before any kernel starts
``cache``     what a report depends on, its cache key, the manifest of the last run
``staging``   the output folder's lock; report folders built aside and swapped in whole
``execute``   the papermill engine, the worker processes, one report's run
``outputs``   output size caps, the figures a notebook published, the thumbnail
``pages``     the HTML of a report page and of the index (Jinja templates)
``results``   what a run did (:class:`Outcome`, :class:`BatchResult`) and its progress
``batch``     :func:`render` and :func:`plan`: the whole run
``cli``       the ``sco-research render`` sub-command

Examples
--------
>>> from sco_research import reports
>>> [r.name for r in reports.load_config()][:1]
['article-facts']
"""

from __future__ import annotations

from .batch import plan, render
from .cache import library_digest
from .config import DEFAULT_TIMEOUT, MAX_GRID, Report, load_config, select_reports
from .execute import ENGINE_NAME, register_engine
from .params import NotebookParameters, check_parameters, model_for, notebook_parameters
from .results import BatchResult, Outcome

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENGINE_NAME",
    "MAX_GRID",
    "BatchResult",
    "NotebookParameters",
    "Outcome",
    "Report",
    "check_parameters",
    "library_digest",
    "load_config",
    "model_for",
    "notebook_parameters",
    "plan",
    "register_engine",
    "render",
    "select_reports",
]
