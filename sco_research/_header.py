"""The header row of a CSV table against the columns its description names.

:mod:`sco_research.data` (``load``) and :mod:`sco_research._schema` (``validate``) both use it, so
that the two name a missing or an extra column the same way; it imports neither of them.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

__all__ = ["header_problems"]


def _problem(table: str, row: int | None, field: str | None, value: Any, rule: str) -> dict:
    return {"table": table, "row": row, "field": field, "value": value, "rule": rule}


def header_problems(table: str, path: Path, fields: list[str]) -> list[dict]:
    """The problems of a CSV file's header row against the described ``fields``: each missing
    column and each column not described, named (row 1). A UTF-8 byte-order mark is ignored,
    as Frictionless ignores it. :func:`load` and :func:`validate` both use this.

    Raises
    ------
    FileNotFoundError, UnicodeDecodeError
        The file is missing or is not UTF-8 text.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfa,c\\n1,2\\n")
    >>> [(x["field"], x["rule"]) for x in header_problems("t", p, ["a", "b"])]
    [('b', 'required column missing from header'), ('c', 'column not described in \
datapackage.json')]
    """
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    missing = [f for f in fields if f not in header]
    extra = [h for h in header if h not in fields]
    return ([_problem(table, 1, f, None, "required column missing from header") for f in missing]
            + [_problem(table, 1, h, None, "column not described in datapackage.json")
               for h in extra])
