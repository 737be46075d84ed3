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

def __getattr__(name: str) -> Path:
    # CACHE_DIR is found on first use, so that `import sco_research` does not import platformdirs.
    if name == "CACHE_DIR":
        global CACHE_DIR
        CACHE_DIR = _cache_dir()
        return CACHE_DIR
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _cache_dir() -> Path:
    """Per-user cache (validation stamps): ``SCO_RESEARCH_CACHE`` if set, otherwise the platform's
    user cache folder found by platformdirs (``~/.cache/sco-research`` on Linux, honouring
    ``XDG_CACHE_HOME``).

    Examples
    --------
    >>> _cache_dir().name in ("sco-research", os.path.basename(os.environ.get(
    ...     "SCO_RESEARCH_CACHE", "sco-research")))
    True
    """
    override = os.environ.get("SCO_RESEARCH_CACHE")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_cache_path("sco-research", appauthor=False)
