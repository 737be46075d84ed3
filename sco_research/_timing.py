"""Where a report's time goes, as seen from inside its kernel.

When ``SCO_RESEARCH_TIMINGS`` names a file (the renderer sets it for each report), the library
appends one line per timed step: the step's kind and its seconds, separated by a tab. Steps of
the same kind nested in one another count once (the outermost). Without the variable nothing is
measured or written.

Examples
--------
>>> import os, tempfile
>>> log = os.path.join(tempfile.mkdtemp(), "timings")
>>> os.environ[TIMINGS_ENV] = log
>>> @timed("data")
... def load():
...     return sum(range(10))
>>> load()
45
>>> open(log).read().split("\\t")[0]
'data'
>>> del os.environ[TIMINGS_ENV]
>>> summarize(["data\\t0.5", "data\\t0.25", "encode\\t1"])
{'data': 0.75, 'encode': 1.0}
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["KINDS", "TIMINGS_ENV", "step", "summarize", "timed"]

#: The environment variable naming the file steps are appended to.
TIMINGS_ENV = "SCO_RESEARCH_TIMINGS"
#: The kinds of step the library times: loading data files, encoding figures to image files.
KINDS = ("data", "encode")

_DEPTH = threading.local()


@contextlib.contextmanager
def step(kind: str) -> Iterator[None]:
    """Time the enclosed block as a step of ``kind`` (when ``SCO_RESEARCH_TIMINGS`` is set)."""
    log = os.environ.get(TIMINGS_ENV)
    depth = getattr(_DEPTH, kind, 0)
    if not log or depth:
        setattr(_DEPTH, kind, depth + 1)
        try:
            yield
        finally:
            setattr(_DEPTH, kind, depth)
        return
    setattr(_DEPTH, kind, 1)
    t = time.perf_counter()
    try:
        yield
    finally:
        setattr(_DEPTH, kind, 0)
        with contextlib.suppress(OSError), open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{kind}\t{time.perf_counter() - t:.6f}\n")


def timed(kind: str) -> Callable:
    """Decorator: time every call of the function as a step of ``kind``."""
    def wrap(func: Callable) -> Callable:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with step(kind):
                return func(*args, **kwargs)
        return inner
    return wrap


def summarize(lines: Iterable[str]) -> dict[str, float]:
    """Seconds per kind from the lines of a timings file (malformed lines are skipped)."""
    total: dict[str, float] = {}
    for line in lines:
        kind, _, seconds = line.strip().partition("\t")
        try:
            total[kind] = total.get(kind, 0.0) + float(seconds)
        except ValueError:
            continue
    return {k: round(v, 6) for k, v in total.items()}
