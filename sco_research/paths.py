"""Where things live: the one module that knows the project's layout.

Examples
--------
>>> from sco_research import paths
>>> paths.DATAPACKAGE.name
'datapackage.json'
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = [
    "PACKAGE_DIR",
    "PROJECT_ROOT",
    "DATA_DIR",
    "DATAPACKAGE",
    "GEO_DIR",
    "NOTEBOOKS_DIR",
    "REPORTS_DIR",
    "REPORTS_CONFIG",
    "CACHE_DIR",
]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent

#: The curated, immutable data package. ``SCO_RESEARCH_DATA`` points elsewhere (tests use it).
DATA_DIR = Path(os.environ.get("SCO_RESEARCH_DATA", PROJECT_ROOT / "data")).resolve()
DATAPACKAGE = DATA_DIR / "datapackage.json"
GEO_DIR = DATA_DIR / "geo"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
REPORTS_CONFIG = PROJECT_ROOT / "reports.yaml"

#: Per-user cache (validation stamps): the platform's user cache folder (``~/.cache/sco-research``
#: on Linux, honouring ``XDG_CACHE_HOME``), found by platformdirs. ``SCO_RESEARCH_CACHE`` points
#: elsewhere.
CACHE_DIR = Path(
    os.environ.get("SCO_RESEARCH_CACHE")
    or platformdirs.user_cache_path("sco-research", appauthor=False)
)
