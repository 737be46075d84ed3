"""sco-research: cited data, maps, charts and reports about the Shanghai Cooperation Organization.

The public API is re-exported here. Importing the package is cheap: matplotlib, geopandas,
frictionless and papermill are imported only by the functions that need them.

Examples
--------
>>> import sco_research as sco
>>> sco.load("claims").shape[0] > 0
True
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import ConfigError, DataError, ParameterError, RenderError, SCOResearchError

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "DataPackage",
    "ParameterError",
    "RenderError",
    "SCOResearchError",
    "STATUSES",
    "bibliography",
    "charts",
    "articles",
    "claim_checks",
    "claim_review",
    "corpus",
    "corroborate",
    "coverage",
    "day_summary",
    "day_words",
    "evidence_for",
    "explorer",
    "fact_check",
    "fact_check_views",
    "facts",
    "files_read",
    "freshness",
    "interactive",
    "load",
    "maps",
    "membership_as_of",
    "membership_changes",
    "publish_chart",
    "publish_figure",
    "publish_summary",
    "publish_table",
    "publishers",
    "record_read",
    "save_figure",
    "source_line",
    "sources_by_tier",
    "sources_chart",
    "sources_chart_rows",
    "sources_for",
    "tables",
    "tables_read",
    "validate",
    "verdict_problems",
]

_LAZY_MODULES = {"charts", "claim_review", "corpus", "explorer", "fact_check",
                 "fact_check_views", "facts", "freshness", "interactive", "maps", "cli"}

#: Functions re-exported from a submodule that is imported on first use.
#: Public names and the module each comes from, imported on first use: ``import sco_research``
#: costs almost nothing, so that the command line (a render with nothing to do, say) starts fast.
_LAZY_FUNCTIONS = {
    "articles": "corpus", "claim_checks": "fact_check", "evidence_for": "fact_check",
    "save_figure": "_plotting", "coverage": "freshness",
    "verdict_problems": "verdict_rules", "corroborate": "corroboration",
    "publishers": "bibliography", "sources_by_tier": "bibliography",
    "sources_chart": "charts", "sources_chart_rows": "charts",
    "source_line": "citations", "sources_for": "citations",
    "DataPackage": "data", "files_read": "data", "load": "data", "record_read": "data",
    "tables": "data", "tables_read": "data", "validate": "data",
    "STATUSES": "membership", "membership_as_of": "membership",
    "membership_changes": "membership",
    "publish_chart": "publish", "publish_figure": "publish", "publish_table": "publish",
    "publish_summary": "publish", "day_summary": "membership", "day_words": "_days",
}
_LAZY_MODULES |= {"bibliography", "citations", "data", "membership", "publish", "verdict_rules",
                  "corroboration"}


def __getattr__(name: str) -> Any:
    # Submodules that pull in matplotlib/geopandas/papermill load on first attribute access.
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_FUNCTIONS:
        return getattr(importlib.import_module(f".{_LAZY_FUNCTIONS[name]}", __name__), name)
    raise AttributeError(f"module 'sco_research' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY_MODULES | set(_LAZY_FUNCTIONS))
