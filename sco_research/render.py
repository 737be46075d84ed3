"""Compatibility module: the renderer now lives in :mod:`sco_research.reports`.

Every public name of the old ``render`` module is re-exported here, so ``from sco_research
import render; render.render(...)`` keeps working.

Examples
--------
>>> from sco_research import render
>>> render.ENGINE_NAME
'sco-research'
"""

from __future__ import annotations

from .errors import ConfigError, ParameterError, RenderError
from .reports.batch import plan, render
from .reports.cache import MANIFEST_VERSION, library_digest
from .reports.cli import add_render_parser
from .reports.config import DEFAULT_TIMEOUT, MAX_GRID, Report, load_config, select_reports
from .reports.declared import notebook_parameters
from .reports.execute import ENGINE_NAME, KERNEL_START_TIMEOUT, register_engine
from .reports.params import RESERVED_PARAMETERS, check_parameters
from .reports.results import BatchResult, Outcome

_register_engine = register_engine  # the name tests/conftest.py first used

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENGINE_NAME",
    "KERNEL_START_TIMEOUT",
    "MANIFEST_VERSION",
    "MAX_GRID",
    "RESERVED_PARAMETERS",
    "BatchResult",
    "ConfigError",
    "Outcome",
    "ParameterError",
    "RenderError",
    "Report",
    "add_render_parser",
    "check_parameters",
    "library_digest",
    "load_config",
    "notebook_parameters",
    "plan",
    "register_engine",
    "render",
    "select_reports",
]
