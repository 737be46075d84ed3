"""What a report depends on, its cache key, and the manifest that remembers the last render.

A report is skipped when nothing it depends on changed since its last good render: the notebook,
its parameters, the date when a parameter says ``today``, the library modules that compute
results, the versions of the rendering stack, and the data files it read. The data layer logs
every file it loads to the file named by ``SCO_RESEARCH_READ_LOG`` (first line ``#trace``, then
one absolute path per line); files the loader cannot log count for every report.

Examples
--------
>>> old = {"notebook": "n", "parameters": {}, "today": None, "library": "l1",
...        "environment": {}, "data": {"a.csv": "h1"}}
>>> why(old, {**old, "data": {"a.csv": "h2"}})
'data changed: a.csv'
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import paths
from .._files import atomic_write, digest, file_digest, tree_digest
from .config import Report
from .layout import MANIFEST, MANIFEST_GOOD, REPORT_MARK
from .params import defaults

__all__ = ["MANIFEST_VERSION", "DataFiles", "PreflightStamps", "canonical",
           "data_version", "environment", "inputs", "key", "library_digest", "load_manifest",
           "move_aside", "read_manifest", "rebuild_entries",
           "reads", "why"]

#: Version of the manifest layout; a manifest of another version is ignored (everything re-runs).
MANIFEST_VERSION = 2
#: Packages whose versions enter the cache key (a new matplotlib may draw differently).
STACK = ("papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "numpy", "pandas",
         "matplotlib", "geopandas", "shapely", "pyarrow", "jinja2")
#: Library files that present results rather than compute them: a change re-renders nothing.
_PRESENTATION = ("cli.py", "render.py")
#: Subpackages that run notebooks or make pages of their results: a change re-renders nothing.
_RENDERING = ("reports", "pages")


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def library_digest() -> str:
    """Hash of the library modules that compute results (``sco_research/**/*.py``).

    The renderer itself (``reports/``), the pages (``pages/``: their code, templates and CSS)
    and ``cli.py`` are left out: a change to a page's CSS or to the command line re-renders
    nothing.

    Examples
    --------
    >>> len(library_digest())
    64
    """
    root = paths.PACKAGE_DIR
    files = [p for p in root.rglob("*.py")
             if "__pycache__" not in p.parts and p.relative_to(root).parts[0] not in _RENDERING
             and p.relative_to(root).as_posix() not in _PRESENTATION]
    return tree_digest(root, files)


def environment() -> dict:
    """Python's version and the versions of the rendering stack (:data:`STACK`)."""
    return {"python": ".".join(map(str, sys.version_info[:3])),
            **{name: _version(name) for name in STACK}}


def data_version(data_dir: Path, hashes: dict[str, str] | None = None) -> str:
    """The data package's ``version`` and a short digest of its files, e.g. ``0.1.0+1a2b3c4d``.

    ``hashes`` are the files' digests when the caller has them (:class:`DataFiles`).
    """
    data_dir = Path(data_dir)
    try:
        version = str(json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
                      .get("version") or "")
    except (OSError, ValueError, AttributeError):
        version = ""
    files = hashes if hashes is not None else DataFiles(data_dir).hashes
    short = digest(canonical(files))[:8]
    return f"{version}+{short}" if version else short


class DataFiles:
    """Hashes of the data folder's files, and which of them the loader logs when read.

    The loader logs the tables of the data package and its descriptor. Other files (e.g. the
    geometries, unless their reader logs them) cannot be traced, so every report depends on
    them.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.hashes: dict[str, str] = {}
        if self.root.is_dir():
            for p in sorted(self.root.rglob("*")):
                rel = p.relative_to(self.root)
                if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                           for part in rel.parts):
                    self.hashes[rel.as_posix()] = file_digest(p)
        self.traceable = {"datapackage.json"}
        try:
            desc = json.loads((self.root / "datapackage.json").read_text(encoding="utf-8"))
            for res in desc.get("resources", []):
                rel = res.get("path")
                if isinstance(rel, str) and rel.lower().endswith((".csv", ".tsv", ".json")):
                    self.traceable.add(Path(rel).as_posix())
        except (OSError, ValueError, AttributeError):
            self.traceable = set()

    def dependencies(self, reads: Sequence[str] | None) -> dict[str, str]:
        """``{file: hash}`` for the logged ``reads`` plus every untraceable file.

        ``reads`` of ``None`` (no log) means every file.
        """
        if reads is None:
            return dict(self.hashes)
        wanted = {r for r in reads if r in self.traceable or r in self.hashes}
        wanted |= {f for f in self.hashes if f not in self.traceable}
        return {f: self.hashes.get(f, "missing") for f in sorted(wanted)}


def reads(log: Path, root: Path) -> list[str] | None:
    """The data files (relative to ``root``) listed in a read log; ``None`` without a log."""
    try:
        lines = Path(log).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    if "#trace" not in lines:
        return None
    roots = {Path(root).resolve(), Path(os.path.abspath(root))}
    out = set()
    for line in lines:
        if line and not line.startswith("#"):
            for r in roots:
                try:
                    out.add(Path(line).relative_to(r).as_posix())
                    break
                except ValueError:
                    continue
    return sorted(out)


def _uses_today(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "today"
    if isinstance(value, (list, tuple)):
        return any(_uses_today(v) for v in value)
    if isinstance(value, dict):
        return any(_uses_today(v) for v in value.values())
    return False


def canonical(obj: Any) -> str:
    """``obj`` as canonical JSON (sorted keys, no spaces): the text a key hashes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=repr)


def inputs(report: Report, declared: dict, lib: str, env: dict, data: dict[str, str]) -> dict:
    """Everything a report's output depends on (the cache key is its hash)."""
    effective = {**defaults(declared), **report.parameters}
    return {
        "notebook": file_digest(report.notebook),
        "parameters": json.loads(canonical(report.parameters)),
        "today": _dt.date.today().isoformat() if _uses_today(effective) else None,
        "library": lib,
        "environment": env,
        "data": data,
    }


def key(inputs: dict) -> str:
    """The cache key: a digest of :func:`inputs`."""
    return digest(canonical(inputs))


def why(old: dict | None, new: dict) -> str:
    """Why a report must run again: what changed between two :func:`inputs`."""
    if not old:
        return "never rendered"
    reasons = []
    for part, label in (("notebook", "notebook changed"), ("parameters", "parameters changed"),
                        ("today", "'today' is a new day"), ("library", "library source changed"),
                        ("environment", "package versions changed")):
        if old.get(part) != new.get(part):
            reasons.append(label)
    od, nd = old.get("data") or {}, new.get("data") or {}
    changed = sorted(f for f in set(od) | set(nd) if od.get(f) != nd.get(f))
    if changed:
        shown = ", ".join(changed[:3]) + (f" (+{len(changed) - 3})" if len(changed) > 3 else "")
        reasons.append(f"data changed: {shown}")
    return "; ".join(reasons) or "unchanged"


def read_manifest(out: Path) -> dict[str, dict]:
    """The previous run's manifest entries by name (see :func:`load_manifest`, without its
    warnings)."""
    return load_manifest(out)[0]


def _entries(doc: Any) -> tuple[dict[str, dict], int] | None:
    """A manifest's entries by name and how many were dropped as malformed; None when the whole
    document is not a manifest this version reads."""
    if not isinstance(doc, dict) or doc.get("version") not in (1, MANIFEST_VERSION) \
            or not isinstance(doc.get("reports"), list):
        return None
    ok = [e for e in doc["reports"] if _entry_ok(e)]
    return {e["name"]: e for e in ok}, len(doc["reports"]) - len(ok)


def _entry_ok(e: Any) -> bool:
    """True for an entry whose fields have the types the renderer reads."""
    if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"]:
        return False
    g = e.get("good")
    if g is None:
        return True
    if not isinstance(g, dict):
        return False
    kinds = {"inputs": dict, "html": str, "ipynb": str, "figures": list, "thumbnail": str,
             "parameters": dict, "reads": list, "profile": dict, "versions": dict}
    return all(g.get(k) is None or isinstance(g[k], t) for k, t in kinds.items()) \
        and all(isinstance(f, str) for f in g.get("figures") or [])


def load_manifest(out: Path) -> tuple[dict[str, dict], list[str]]:
    """The previous run's manifest entries by name, and one-line warnings about damage.

    A manifest cut short, of another layout or holding a folder in its place is replaced by the
    last good copy (:data:`~sco_research.reports.layout.MANIFEST_GOOD`, written with every
    manifest); failing that, the entries are rebuilt from the report folders on disk
    (:func:`rebuild_entries`), so that the index keeps linking their pages. A malformed entry
    is dropped and taken from the good copy. Missing: no entries, no warning.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (out / "manifest.json").write_text('{"version": 2, "rep')
    >>> load_manifest(out)[1]
    ['manifest.json is damaged (cut short or not JSON); no good copy: rebuilt 0 entries from \
the report folders on disk']
    """
    out = Path(out)
    path = out / MANIFEST
    if not path.exists() and not path.is_symlink():
        return {}, []
    problem, parsed = None, None
    try:
        parsed = _entries(json.loads(path.read_text(encoding="utf-8")))
        if parsed is None:
            problem = "is not a manifest of this renderer"
    except IsADirectoryError:
        problem = "is a folder"
    except (OSError, ValueError):
        problem = "is damaged (cut short or not JSON)"
    if parsed is not None and not parsed[1]:
        return parsed[0], []
    try:
        backup = _entries(json.loads((out / MANIFEST_GOOD).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        backup = None
    if parsed is not None:  # readable, with some malformed entries
        entries = {**(backup[0] if backup else {}), **parsed[0]}
        return entries, [f"{MANIFEST} has {parsed[1]} malformed entr(y/ies); dropped them"
                         + (", using the last good copy's" if backup else "")]
    if backup is not None:
        return backup[0], [f"{MANIFEST} {problem}; using the last good copy ({MANIFEST_GOOD})"]
    entries = rebuild_entries(out)
    return entries, [f"{MANIFEST} {problem}; no good copy: rebuilt {len(entries)} entries "
                     f"from the report folders on disk"]


def rebuild_entries(out: Path) -> dict[str, dict]:
    """Manifest entries for the report folders in ``out`` that hold a page: the page, notebook,
    figures and thumbnail, without inputs (so each report runs again at its next render)."""
    entries = {}
    for folder in sorted(p for p in Path(out).iterdir() if p.is_dir()):
        name = folder.name
        if not (folder / f"{name}.html").is_file() or not any(
                (folder / f).is_file() for f in (REPORT_MARK, f"{name}.ipynb")):
            continue
        figdir = folder / "figures"
        figures = sorted(f"{name}/figures/{f.name}" for f in figdir.iterdir()
                         if f.is_file()) if figdir.is_dir() else []
        thumb = f"{name}/thumb.png" if (folder / "thumb.png").is_file() else None
        entries[name] = {"name": name, "status": "ok", "action": "rebuilt", "good": {
            "html": f"{name}/{name}.html",
            "ipynb": f"{name}/{name}.ipynb" if (folder / f"{name}.ipynb").is_file() else None,
            "figures": figures, "thumbnail": thumb, "summary": "",
            "rendered_at": None}}
    return entries


def move_aside(out: Path) -> str | None:
    """A folder where the manifest goes is renamed aside (never deleted); its new name."""
    path = Path(out) / MANIFEST
    if path.is_dir() and not path.is_symlink():
        aside = path.with_name(f"{MANIFEST}.folder-{_dt.datetime.now():%Y%m%d-%H%M%S}")
        os.replace(path, aside)
        return aside.name
    return None


class PreflightStamps:
    """Remembers parameter sets whose value checks passed with this library, data and day.

    The value checks call the library (which imports pandas, matplotlib, geopandas...); a run
    with nothing changed need not pay for them again.
    """

    def __init__(self, library: str, data: dict[str, str]) -> None:
        self.folder = Path(paths.CACHE_DIR) / "preflight"  # read at call time
        self.context = digest(canonical([library, data, _dt.date.today().isoformat()]))

    def _path(self, report: Report) -> Path:
        return self.folder / digest(canonical([self.context, report.notebook.name,
                                               report.parameters]))

    def passed(self, report: Report) -> bool:
        """True when the same parameters passed before with the same library, data and day."""
        return self._path(report).is_file()

    def record(self, reports: Sequence[Report]) -> None:
        """Remember that these reports' parameters passed (errors writing the cache are ignored)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for report in reports:
                if not self._path(report).is_file():
                    atomic_write(self._path(report), "ok\n")
        except OSError:
            pass
