"""Values as messages show them: ``repr`` cut to about 200 characters, computed without ever
writing out a huge value (a YAML alias nest, a megabyte string).

Kept apart, without pandas, so that the renderer's messages use it at no import cost.

Examples
--------
>>> clip("x" * 1000, 12)
"'xxx...xxxx'"
>>> len(clip(list(range(10**6)))) <= CLIP
True
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["CLIP", "clip"]

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
