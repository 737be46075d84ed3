"""The output folder: one writer at a time, and report folders swapped in whole.

Only the process holding the folder's lock writes into it. A report is built in
``.staging/<name>~new~<id>`` and swapped in with two renames, so an interrupted run never leaves a
half-written report; :func:`recover_staging` repairs what a killed run left.

Examples
--------
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

from ..errors import RenderError
from ._text import display
from .layout import LOCK, STAGING, owned_report_folder

__all__ = ["lock", "recover_staging", "staging", "swap_in"]


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
