"""The output folder's layout: every name the renderer writes at its top, the marks on the
folders it made, and the checks that keep it from writing or deleting anywhere else.

The renderer replaces and deletes only folders it made itself. It marks the output folder with
:data:`OUTPUT_MARK` and each report folder with :data:`REPORT_MARK`, and checks the mark before
it swaps a report folder in (:func:`owned_report_folder`). It refuses an output folder that is
the project, inside its data or notebooks, or a non-empty folder that is not a reports folder
(:func:`check_out`), and a report name that is one of its own files or too long for the file
system (:func:`name_problem`).

Examples
--------
>>> name_problem("membership-map")
>>> name_problem("Index.html")
"'Index.html' is a file the renderer writes at the top of the output folder; reserved names: ..."
>>> sorted(RESERVED_NAMES)[:3]
['.explorer.key', '.lock', '.manifest.good.json']
"""

from __future__ import annotations

from pathlib import Path

from .._published import EXPLORER_FILE
from ..errors import ParameterError, RenderError
from ._text import display

__all__ = ["DATA", "INDEX", "LOCK", "MANIFEST", "MANIFEST_GOOD", "MAX_NAME", "OUTPUT_MARK",
           "REPORT_MARK", "RESERVED_NAMES", "STAGING", "check_out", "mark_out", "mark_report",
           "name_problem", "owned_report_folder"]

#: The reports' index page.
INDEX = "index.html"
#: What the last render did, report by report.
MANIFEST = "manifest.json"
#: The last manifest that could be read back whole (restored when ``manifest.json`` is damaged).
MANIFEST_GOOD = ".manifest.good.json"
#: The copy of the data package the index links.
DATA = "data"
#: The lock file: one writer per output folder.
LOCK = ".lock"
#: Where report folders are built before they are swapped in.
STAGING = ".staging"
#: The explorer page's cache stamp.
EXPLORER_KEY = ".explorer.key"
#: The file that marks a folder as made by ``sco-research render``.
OUTPUT_MARK = ".sco-research-reports"
#: The file that marks a report folder as made by ``sco-research render``.
REPORT_MARK = ".sco-research-report"
#: Every name the renderer writes at the top of the output folder: no report may take one.
RESERVED_NAMES = frozenset({INDEX, MANIFEST, MANIFEST_GOOD, DATA, LOCK, STAGING, EXPLORER_KEY,
                            OUTPUT_MARK, EXPLORER_FILE})
#: The longest report name: the staging and failure files add up to 32 characters to it, and a
#: file name may have 255 bytes on common file systems.
MAX_NAME = 200

_MARK_TEXT = "made by `sco-research render`; it replaces and deletes only folders marked so\n"


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a report's name (and folder), or None when it can."""
    if name.lower() in {n.lower() for n in RESERVED_NAMES}:
        return (f"{name!r} is a file the renderer writes at the top of the output folder; "
                f"reserved names: {', '.join(sorted(RESERVED_NAMES))}")
    if len(name.encode("utf-8")) > MAX_NAME:
        return (f"{name[:40]!r}... is {len(name)} characters long; a report name (its folder "
                f"and file names) may have at most {MAX_NAME}")
    return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path == folder.resolve() or path.is_relative_to(folder.resolve())
    except OSError:  # pragma: no cover - an unreadable folder
        return False


def is_reports_folder(out: Path) -> bool:
    """True when ``out`` holds the renderer's mark (or, from before marks, its manifest)."""
    return (out / OUTPUT_MARK).is_file() or (out / MANIFEST).is_file()


def check_out(out: str | Path, *, project: Path | list[Path],
              inputs: dict[str, Path | list[Path]]) -> None:
    """Refuse an output folder the renderer must not write into.

    Parameters
    ----------
    out : str or Path
        The output folder asked for.
    project : Path or list of Path
        The project's root (or roots): refused, as is any folder that contains one.
    inputs : dict
        Input folders (a folder or a list) by what they hold (``{"data": ..., "notebooks":
        ...}``): nothing inside them is accepted.

    Raises
    ------
    ParameterError
        One line naming the folder, why it is refused and what to pass instead.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> check_out(root / "reports", project=root, inputs={"data": root / "data"})
    >>> check_out(root / "data" / "x", project=root, inputs={"data": root / "data"})
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: out: ...
    """
    shown = repr(str(out)) + (" (the current folder)" if str(out) in ("", ".") else "")
    target = Path(out or ".").resolve()
    hint = "; pass --out a new folder or an earlier reports folder (default: reports/)"
    roots = project if isinstance(project, list) else [project]
    if any(_inside(Path(root).resolve(), target) for root in roots):
        raise ParameterError(f"out: {shown} is the project folder or contains it; the renderer "
                             f"would write its files among the project's{hint}")
    for what, folders in inputs.items():
        for folder in folders if isinstance(folders, list) else [folders]:
            if _inside(target, Path(folder)):
                raise ParameterError(f"out: {shown} is inside the {what} folder "
                                     f"{display(folder)!r}, which the reports read{hint}")
    if target.exists() and not target.is_dir():
        raise ParameterError(f"out: {shown} is a file, not a folder{hint}")
    if target.is_dir() and not is_reports_folder(target):
        try:
            entries = sorted(p.name for p in target.iterdir())
        except OSError as exc:
            raise ParameterError(f"out: cannot read the folder {shown}: "
                                 f"{exc.strerror or exc}") from None
        if entries:
            raise ParameterError(
                f"out: {shown} is a non-empty folder that is not a reports folder (it holds "
                f"{', '.join(map(repr, entries[:3]))}{', ...' if len(entries) > 3 else ''}; no "
                f"{OUTPUT_MARK} mark); the renderer never replaces what it did not make{hint}")


def mark_out(out: Path) -> None:
    """Mark ``out`` as a reports folder (see :func:`check_out`)."""
    mark = Path(out) / OUTPUT_MARK
    if not mark.is_file():
        mark.write_text(_MARK_TEXT, encoding="utf-8")


def mark_report(folder: Path) -> None:
    """Mark a report folder being built as the renderer's own."""
    (Path(folder) / REPORT_MARK).write_text(_MARK_TEXT, encoding="utf-8")


def owned_report_folder(final: Path) -> None:
    """Refuse to replace ``final`` unless it is absent or a report folder the renderer made.

    A report folder is the renderer's when it holds :data:`REPORT_MARK` or (from before marks)
    the report's executed notebook or failed notebook.

    Raises
    ------
    RenderError
        ``final`` exists and is not the renderer's.
    """
    final = Path(final)
    if not final.exists() and not final.is_symlink():
        return
    name = final.name
    if final.is_dir() and not final.is_symlink() and any(
            (final / f).is_file() for f in (REPORT_MARK, f"{name}.ipynb", f"{name}.failed.ipynb")):
        return
    raise RenderError(f"{display(final)!r} exists and was not made by the renderer (no "
                      f"{REPORT_MARK} mark); it was left as it is: move it away or rename the "
                      f"report")
