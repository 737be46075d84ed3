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
import reprlib
from pathlib import Path
from typing import Any


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


#: The most characters of a value any message prints.
CLIP = 200


class _Short(reprlib.Repr):
    """reprlib's bounded repr, also for dict and list subclasses (YAML's mappings)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlong = 3, limit, limit, limit
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 12

    def repr1(self, x: Any, level: int) -> str:
        if isinstance(x, dict) and type(x) is not dict:
            return self.repr_dict(x, level)
        if isinstance(x, list) and type(x) is not list:
            return self.repr_list(x, level)
        return super().repr1(x, level)


def clip(value: Any, limit: int = CLIP) -> str:
    """``repr(value)`` cut to ``limit`` characters, without ever writing out a huge value."""
    text = _Short(limit).repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Clipped:
    """A value whose ``repr`` is :func:`clip`'s, for message templates using ``{value!r}``."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return clip(self.value)
