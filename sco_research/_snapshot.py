"""Noticing changed files: the size, time, inode and content of some files, taken before they
are read, and whether they are still the same.

:mod:`sco_research.data` takes a :class:`Snapshot` before it reads a table: a cached table is
served while its snapshot is :meth:`~Snapshot.fresh`, and a table read while another process
rewrote its file (the snapshot no longer :meth:`~Snapshot.same` after the read) is read again.

Examples
--------
>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = p.write_text("a\\n1\\n")
>>> snap = Snapshot.take((p,))
>>> snap.same(), snap.fresh()
(True, True)
>>> _ = p.write_text("a\\n1\\n2\\n")
>>> snap.same(), snap.fresh()
(False, False)
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ._files import file_digest

__all__ = ["Snapshot"]

#: A file modified this close to (or after) the moment it was read may have changed within one
#: tick of the file system's clock without changing its size or timestamp: compare contents.
_RACY_NS = 2_000_000_000


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _content_digest(path: Path) -> str | None:
    try:
        return file_digest(path)
    except OSError:
        return None


@dataclass
class Snapshot:
    """Size, modification time and content digest of some files, taken before reading them."""

    files: tuple[Path, ...]
    stats: tuple[tuple[int, int, int] | None, ...]
    digests: tuple[str | None, ...]
    taken_ns: int

    @classmethod
    def take(cls, files: tuple[Path, ...]) -> Snapshot:
        taken = time.time_ns()
        stats = tuple(_stat(f) for f in files)
        return cls(files, stats, tuple(_content_digest(f) for f in files), taken)

    def same(self) -> bool:
        """True when every file still has the size, time and content it had at the snapshot."""
        return (tuple(_stat(f) for f in self.files) == self.stats
                and tuple(_content_digest(f) for f in self.files) == self.digests)

    def fresh(self) -> bool:
        """True while no file changed since the snapshot (size, mtime_ns, inode; then content
        for files modified within the file system's clock resolution of the snapshot)."""
        stats = tuple(_stat(f) for f in self.files)
        if stats != self.stats:
            return False
        if all(s is None or s[1] < self.taken_ns - _RACY_NS for s in stats):
            return True
        if tuple(_content_digest(f) for f in self.files) != self.digests:
            return False
        now = time.time_ns()
        if all(s is None or s[1] < now - _RACY_NS for s in stats):
            self.taken_ns = now  # settled: stat alone decides from now on
        return True
