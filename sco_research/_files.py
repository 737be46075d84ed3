"""Files: the one atomic-write helper and the one hashing helper of the package.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(d / "a.txt", "hello")
>>> (d / "a.txt").read_text()
'hello'
>>> digest(b"hello")[:12]
'2cf24dba5fb0'
>>> file_digest(d / "a.txt") == digest(b"hello")
True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["atomic_write", "atomic_save", "digest", "file_digest", "tree_digest"]

_UMASK: list[int] = []


def _umask() -> int:
    if not _UMASK:
        current = os.umask(0o022)
        os.umask(current)
        _UMASK.append(current)
    return _UMASK[0]


def atomic_save(path: str | os.PathLike, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary path beside ``path``, then rename it into place.

    A failure (or an interrupt) leaves ``path`` as it was and no temporary file behind.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically (see :func:`atomic_save`)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    atomic_save(path, lambda tmp: tmp.write_bytes(raw))


def digest(data: bytes | str) -> str:
    """SHA-256 hex digest of bytes (text as UTF-8)."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def file_digest(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file's content, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tree_digest(root: str | os.PathLike, files: Iterable[str | os.PathLike]) -> str:
    """One digest over files below ``root``: their relative paths and contents, sorted."""
    root = Path(root)
    h = hashlib.sha256()
    for f in sorted(Path(p) for p in files):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + file_digest(f).encode())
    return h.hexdigest()
