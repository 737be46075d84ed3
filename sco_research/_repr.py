"""Values as messages show them: ``repr`` cut to about 200 characters, computed without ever
writing out a huge value (a YAML alias nest, a megabyte string); paths as the user would type
them; the first line of an error.

Kept apart, without pandas, so that the renderer's messages use it at no import cost.

Examples
--------
>>> clip("x" * 1000, 12)
"'xxx...xxxx'"
>>> len(clip(list(range(10**6)))) <= CLIP
True
>>> first_line("boom\\nmore"), is_number(2), is_number(True)
('boom', True, False)
"""

from __future__ import annotations

import re
import reprlib
from pathlib import Path
from typing import Any

__all__ = ["CLIP", "Clipped", "clip", "display", "first_line", "is_number", "strip_ansi"]

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
    """``repr(value)`` cut to ``limit`` characters, without ever writing out a huge value.

    Every message that shows a value shows it so.

    Examples
    --------
    >>> clip("x" * 1000, 12)
    "'xxx...xxxx'"
    """
    text = _Short(limit).repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Clipped:
    """A value whose ``repr`` is :func:`clip`'s, for message templates using ``{value!r}``."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return clip(self.value)


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
    """``text`` without terminal escape codes (colours, cursor moves; kernels' tracebacks)."""
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(text))


def first_line(text: Any, limit: int = 300) -> str:
    """The first line of ``text``, cut to ``limit`` characters."""
    text = strip_ansi(text).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
