"""The output folder: every name the renderer writes at its top, the marks on the folders it
made, the checks that keep it from writing or deleting anywhere else, its lock, and report
folders swapped in whole.

The renderer replaces and deletes only folders it made itself. It marks the output folder with
:data:`OUTPUT_MARK` and each report folder with :data:`REPORT_MARK`, and checks the mark before
it swaps a report folder in (:func:`owned_report_folder`). It refuses an output folder that is
the project, inside its data or notebooks, or a non-empty folder that is not a reports folder
(:func:`check_out`), and a report name that is one of its own files or too long for the file
system (:func:`name_problem`).

Only the process holding the folder's :func:`lock` writes into it. A report is built in
``.staging/<name>~new~<id>`` and swapped in with two renames (:func:`swap_in`), so an
interrupted run never leaves a half-written report; :func:`recover_staging` repairs what a
killed run left.

Examples
--------
>>> name_problem("membership-map")
>>> name_problem("Index.html")
"'Index.html' is a file the renderer writes at the top of the output folder; reserved names: ..."
>>> sorted(RESERVED_NAMES)[:3]
['.explorer.key', '.lock', '.manifest.good.json']
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> with lock(out):
...     recover_staging(out)
[]
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from .._published import EXPLORER_FILE
from .._repr import display
from ..errors import ParameterError, RenderError

__all__ = ["DATA", "INDEX", "LOCK", "MANIFEST", "MANIFEST_GOOD", "MAX_NAME", "OUTPUT_MARK",
           "REPORT_MARK", "RESERVED_NAMES", "STAGING", "check_out", "lock", "mark_out",
           "mark_report", "name_problem", "owned_report_folder", "recover_staging", "staging",
           "swap_in"]

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


# -- building aside and swapping in, under the lock ------------------------------------------
def staging(out: Path) -> Path:
    """The folder where reports are built before they are swapped in."""
    return Path(out) / STAGING


def recover_staging(out: Path) -> list[str]:
    """Clean up after an interrupted run; return the names of the report folders restored.

    A report folder is replaced by renaming the old one to ``.staging/<name>~old~<id>`` and the
    new one into place. If a run died between the two renames, the old folder is put back.
    Everything else in ``.staging`` is an unfinished render and is removed.
    """
    stage = staging(out)
    restored: list[str] = []
    if not stage.is_dir():
        return restored
    for entry in sorted(stage.iterdir()):
        parts = entry.name.rsplit("~", 2)
        if len(parts) == 3 and parts[1] == "old" and entry.is_dir():
            final = Path(out) / parts[0]
            if not final.exists():
                os.replace(entry, final)
                restored.append(parts[0])
                continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
    return restored


def swap_in(new: Path, final: Path, stage: Path) -> None:
    """Replace the folder ``final`` by ``new`` with two renames (see :func:`recover_staging`).

    A ``final`` the renderer did not make is never replaced: :class:`RenderError`.
    """
    owned_report_folder(final)
    old = None
    if final.exists():
        old = stage / f"{final.name}~old~{uuid.uuid4().hex[:8]}"
        os.replace(final, old)
    os.replace(new, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def lock(out: Path) -> Iterator[None]:
    """Hold the output folder's lock meanwhile; refuse if another render holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        fh = open(Path(out) / LOCK, "a+b")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise RenderError(f"out: cannot write to the output folder {display(out)!r} "
                          f"({exc.strerror or type(exc).__name__}); make it writable or pass "
                          f"another --out") from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise RenderError(
                f"out: another `sco-research render` is writing to {display(out)!r}; wait for it "
                f"to finish or pass a different --out") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
