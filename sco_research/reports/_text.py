"""Small text helpers shared by the renderer's modules: paths and errors as users read them.

Examples
--------
>>> first_line("boom\\nmore")
'boom'
>>> is_number(2), is_number(True)
(True, False)
>>> clip("x" * 1000, 12)
"'xxx...xxxx'"
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .._repr import CLIP, clip

__all__ = ["CLIP", "Clipped", "clip", "display", "first_line", "is_number", "strip_ansi"]


def display(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def is_number(value: Any) -> bool:
    """True for an int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def strip_ansi(text: Any) -> str:
    """``text`` without terminal colour codes (tracebacks from kernels carry them)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", str(text))


def first_line(text: Any, limit: int = 300) -> str:
    """The first line of ``text``, cut to ``limit`` characters."""
    text = strip_ansi(text).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Clipped:
    """A value whose ``repr`` is :func:`clip`'s, for message templates using ``{value!r}``."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return clip(self.value)
