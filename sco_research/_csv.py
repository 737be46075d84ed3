"""CSV files the package hands out: every cell safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by spreadsheet programs (CSV or formula injection), so a cited title such as
``=HYPERLINK("http://evil.example","click")`` would become a live link. As OWASP recommends
for CSV downloads, such a cell is written with a leading single quote, which spreadsheets show
as text. A cell that is a number (``-12.5``, ``+3``, ``-1e-3``) stays as it is. Every CSV the
package writes for download goes through :func:`csv_text` (a table) or :func:`safe_csv_bytes`
(a file copied as it is unless a cell needs the quote).

Examples
--------
>>> safe_cell('=HYPERLINK("http://evil.example","c")')
'\\'=HYPERLINK("http://evil.example","c")'
>>> safe_cell("-12.5"), safe_cell("-"), safe_cell("plain")
('-12.5', "'-", 'plain')
>>> safe_csv_bytes(b"k,v\\na,-1\\n")
b'k,v\\na,-1\\n'
>>> safe_csv_bytes(b"k,v\\na,@SUM(1)\\n")
b"k,v\\na,'@SUM(1)\\n"
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["FORMULA_STARTS", "csv_text", "field_limit", "safe_cell", "safe_csv_bytes"]

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(frame: Any) -> str:
    """A pandas DataFrame as CSV text (no index, ``\\n`` line ends), cells made safe.

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"t": ["=1+1", "ok"], "v": [-2, 3]})), end="")
    t,v
    '=1+1,-2
    ok,3
    """
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype.kind not in "biufcmM":  # text (object or str), not numbers
            safe[col] = [safe_cell(v) for v in safe[col]]
    return safe.to_csv(index=False, lineterminator="\n")


@contextlib.contextmanager
def field_limit() -> Iterator[None]:
    """Let :mod:`csv` read fields of any size meanwhile (its default stops at 128 KB)."""
    old = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def safe_csv_bytes(raw: bytes) -> bytes:
    """A CSV file's bytes, unchanged unless a cell needs the quote of :func:`safe_cell`; then
    the file rewritten with those cells quoted (UTF-8, ``\\n`` line ends)."""
    text = raw.decode("utf-8-sig")
    with field_limit():
        rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(safe_cell(cell) is not cell for row in rows for cell in row):
        return raw
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return buf.getvalue().encode("utf-8")
