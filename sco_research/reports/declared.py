"""What a notebook declares in its cell tagged ``parameters``: names, annotations, defaults.

papermill's ``inspect_notebook`` reads the cell; :mod:`ast` completes it for the annotations
papermill does not recognise (``str | None``). Results are cached per notebook content.

Examples
--------
>>> from sco_research import paths
>>> notebook_parameters(paths.NOTEBOOKS_DIR / "02-membership-map.ipynb")["as_of"]["default"]
'"today"'
"""

from __future__ import annotations

import ast
import contextlib
import json
from pathlib import Path

from .. import paths
from .._files import atomic_write, file_digest
from ..errors import ConfigError
from ._text import display

__all__ = ["notebook_parameters"]


def _parameters_cell_source(nb: dict) -> str | None:
    for cell in nb.get("cells", []):
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            src = cell.get("source", "")
            return "".join(src) if isinstance(src, list) else str(src)
    return None


def _ast_parameters(source: str) -> dict[str, dict]:
    """Assignments of a parameters cell, read with :mod:`ast` (annotation, default, help)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines = source.splitlines()
    out: dict[str, dict] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, ann, value = node.target.id, ast.get_source_segment(source, node.annotation), \
                node.value
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1
              and isinstance(node.targets[0], ast.Name)):
            name, ann, value = node.targets[0].id, None, node.value
        else:
            continue
        last = lines[node.end_lineno - 1] if node.end_lineno else ""
        tail = last[node.end_col_offset:] if node.end_col_offset is not None else ""
        help_text = tail.split("#", 1)[1].strip() if "#" in tail else ""
        out[name] = {"type": ann, "default": ast.get_source_segment(source, value) or "",
                     "help": help_text}
    return out


def _inspect_uncached(notebook: Path) -> dict[str, dict]:
    from papermill import inspect_notebook

    found = inspect_notebook(str(notebook))
    try:
        nb = json.loads(notebook.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"notebook {display(notebook)!r}: cannot read it as JSON: "
                          f"{type(exc).__name__}") from None
    source = _parameters_cell_source(nb) or ""
    # papermill 2.7 skips parameters annotated with PEP 604 unions (``x: str | None = None``,
    # nteract/papermill#695, #806) and dotted annotations (#807); read those with ast instead.
    extra = _ast_parameters(source)
    out: dict[str, dict] = {}
    for name in [*extra, *(n for n in found if n not in extra)]:
        if name in found:
            p = found[name]
            ann = p.get("inferred_type_name")
            out[name] = {"type": None if ann in (None, "None") else ann,
                         "default": p.get("default", ""), "help": p.get("help", ""),
                         "inspected_by": "papermill"}
        else:
            out[name] = {**extra[name], "inspected_by": "ast"}
    return out


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def notebook_parameters(notebook: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares in its cell tagged ``parameters``.

    Uses papermill's ``inspect_notebook``, completed by a reading of the cell with :mod:`ast`
    for the annotations papermill does not recognise (``str | None``). The result is cached per
    notebook content, so unchanged notebooks are not inspected again.

    Returns
    -------
    dict
        ``{name: {"type": annotation or None, "default": source text, "help": comment}}`` in
        the cell's order; empty when the notebook has no ``parameters`` cell.

    Examples
    --------
    >>> list(notebook_parameters(paths.NOTEBOOKS_DIR / "04-trade.ipynb"))[:2]
    ['partners', 'start']
    """
    notebook = Path(notebook)
    try:
        digest = file_digest(notebook)
    except OSError as exc:
        raise ConfigError(f"notebook {display(notebook)!r}: cannot read it: {exc}") from None
    cache = Path(paths.CACHE_DIR) / "notebook-parameters" / f"{digest}-{_version('papermill')}.json"
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    result = _inspect_uncached(notebook)
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache, json.dumps(result))
    return result
