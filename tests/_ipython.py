"""Capture what a function displays, in a throwaway IPython shell that is removed afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def captured_display() -> Iterator[list[tuple[dict, dict | None]]]:
    """Yield a list that receives ``(data, metadata)`` of every display inside the block.

    The shell singleton is cleared on exit, so later tests and doctests run outside IPython
    again (``get_ipython()`` returns ``None``).
    """
    from IPython.core.interactiveshell import InteractiveShell

    existed = InteractiveShell.initialized()
    shell = InteractiveShell.instance()
    shown: list[tuple[dict, dict | None]] = []
    old = shell.display_pub.publish
    shell.display_pub.publish = lambda data, metadata=None, **kw: shown.append((data, metadata))
    try:
        yield shown
    finally:
        shell.display_pub.publish = old
        if not existed:
            InteractiveShell.clear_instance()
