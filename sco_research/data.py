"""The data layer: read the Frictionless data package into typed, validated pandas tables.

The package descriptor (``data/datapackage.json``) is the single description of every table:
its fields, types, enumerations, patterns, primary and foreign keys. :func:`load` turns the
descriptor into a pandera schema, validates the CSV file against it (plus ISO 3166 country codes
against pycountry), converts the columns to proper dtypes and caches the result.
:func:`validate` runs the Frictionless validator over the whole package as well.

Examples
--------
>>> import sco_research as sco
>>> claims = sco.load("claims")
>>> claims["date"].dtype
dtype('<M8[ns]')
>>> "claims" in set(sco.tables()["name"])
True
"""

from __future__ import annotations

import csv
import hashlib
import json
import threading
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths
from ._checks import check_choice
from .errors import DataError

__all__ = [
    "DataPackage", "default_package", "load", "tables", "validate", "source_line", "sources_for",
]

#: Columns of the problem table returned by :meth:`DataPackage.validate`.
PROBLEM_COLUMNS = ["table", "row", "field", "value", "rule"]

_MAX_LISTED = 10


def _problem(table: str, row: int | None, field: str | None, value: Any, rule: str) -> dict:
    return {"table": table, "row": row, "field": field, "value": value, "rule": rule}


def format_problem(p: dict, path: str | None = None) -> str:
    """One line for a problem: file (or table), row, field, value and rule.

    Examples
    --------
    >>> format_problem({"table": "claims", "row": 3, "field": "date", "value": "2024-13-01",
    ...                 "rule": "type date (YYYY-MM-DD)"}, "data/claims.csv")
    "data/claims.csv row 3, field 'date': value '2024-13-01' breaks rule: type date (YYYY-MM-DD)"
    """
    where = path or p["table"]
    parts = [where]
    row = p.get("row")
    if isinstance(row, float):
        row = None if row != row else int(row)
    p = {**p, "row": row}
    if p.get("row") is not None:
        parts.append(f" row {p['row']}")
    if p.get("field"):
        parts.append(f"{',' if p.get('row') is not None else ''} field {p['field']!r}")
    value = p.get("value")
    shown = f"value {value!r}" if value is not None else "problem"
    return "".join(parts) + f": {shown} breaks rule: {p['rule']}"


def _raise_problems(table: str, path: Path, problems: list[dict]) -> None:
    lines = [format_problem(p, str(path)) for p in problems[:_MAX_LISTED]]
    more = len(problems) - _MAX_LISTED
    if more > 0:
        lines.append(f"... and {more} more problem(s); run `sco-research validate` for all")
    raise DataError(
        f"table {table!r} ({path}) failed validation with {len(problems)} problem(s):\n  "
        + "\n  ".join(lines),
        problems,
    )


class DataPackage:
    """A Frictionless data package of CSV tables, loaded on demand.

    Parameters
    ----------
    descriptor : str or Path, optional
        Path to ``datapackage.json``. Defaults to the project's bundled package.

    Examples
    --------
    >>> from sco_research.data import DataPackage
    >>> pkg = DataPackage()
    >>> "membership" in pkg.names
    True
    """

    def __init__(self, descriptor: str | Path | None = None) -> None:
        self.descriptor_path = Path(descriptor) if descriptor is not None else paths.DATAPACKAGE
        self.base = self.descriptor_path.parent
        self._cache: dict[str, pd.DataFrame] = {}
        self._lock = threading.RLock()

    # -- descriptor ------------------------------------------------------------------------
    @cached_property
    def descriptor(self) -> dict:
        try:
            text = self.descriptor_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DataError(f"data package descriptor not found: {self.descriptor_path}") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{self.descriptor_path} line {exc.lineno}, column {exc.colno}: "
                f"not valid JSON ({exc.msg})"
            ) from None

    @property
    def resources(self) -> dict[str, dict]:
        return {r["name"]: r for r in self.descriptor.get("resources", [])}

    @property
    def names(self) -> list[str]:
        """Names of the tabular resources, in descriptor order."""
        return [
            r["name"] for r in self.descriptor.get("resources", [])
            if r.get("profile", "tabular-data-resource") == "tabular-data-resource"
        ]

    def resource(self, name: str) -> dict:
        """The descriptor of table ``name``; unknown names raise ``ParameterError``."""
        check_choice("name", name, self.names, kind="table")
        return self.resources[name]

    def path(self, name: str) -> Path:
        """Path of the file behind table ``name``."""
        return self.base / self.resource(name)["path"]

    # -- loading ---------------------------------------------------------------------------
    def load(self, name: str) -> pd.DataFrame:
        """Load table ``name`` as a typed, validated DataFrame (a copy of the cached table).

        Raises
        ------
        ParameterError
            If ``name`` is not a table of the package (the message lists the valid names).
        DataError
            If the file is missing or breaks its schema: the message names the file, row,
            field, value and rule for each problem.
        """
        resource = self.resource(name)
        with self._lock:
            if name not in self._cache:
                self._cache[name] = self._load_uncached(name, resource)
            return self._cache[name].copy()

    def _read_raw(self, name: str, resource: dict) -> pd.DataFrame:
        path = self.base / resource["path"]
        fields = [f["name"] for f in resource["schema"]["fields"]]
        try:
            with path.open(newline="", encoding="utf-8") as fh:
                header = next(csv.reader(fh), [])
        except FileNotFoundError:
            raise DataError(f"table {name!r}: file not found: {path}") from None
        except UnicodeDecodeError as exc:
            raise DataError(f"table {name!r} ({path}): not UTF-8 text ({exc.reason})") from None
        missing = [f for f in fields if f not in header]
        extra = [h for h in header if h not in fields]
        if missing or extra:
            problems = [_problem(name, 1, f, None, "required column missing from header")
                        for f in missing]
            problems += [_problem(name, 1, h, None, "column not described in datapackage.json")
                         for h in extra]
            _raise_problems(name, path, problems)
        try:
            raw = pd.read_csv(
                path, dtype=object, keep_default_na=False, na_values=[], encoding="utf-8",
                on_bad_lines="error",
            )
        except pd.errors.ParserError as exc:
            raise DataError(
                f"table {name!r} ({path}): broken CSV row: {str(exc).strip()}. Each row needs "
                f"{len(fields)} fields ({', '.join(fields)}); quote values that contain commas."
            ) from None
        raw = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        return raw.replace({"": None})

    def _validation_key(self, name: str, resource: dict) -> str:
        """Hash of everything a table's validity depends on.

        The table's file, the descriptor, the files its foreign keys point to, and the source of
        the validating code. A table whose key has passed validation before is not re-validated.
        """
        h = hashlib.sha256()
        h.update(self.descriptor_path.read_bytes())
        h.update((Path(__file__).parent / "_schema.py").read_bytes())
        files = [resource["path"]]
        for fk in resource["schema"].get("foreignKeys", []):
            ref = fk["reference"]["resource"]
            if ref and ref != name:
                files.append(self.resources[ref]["path"])
        for rel in files:
            h.update(rel.encode())
            h.update((self.base / rel).read_bytes())
        return h.hexdigest()

    def _load_uncached(self, name: str, resource: dict, *, use_stamp: bool = True) -> pd.DataFrame:
        raw = self._read_raw(name, resource)
        stamp = paths.CACHE_DIR / "validated" / self._validation_key(name, resource)
        if not (use_stamp and stamp.exists()):
            self._check(name, resource, raw)
            _touch(stamp)
        return convert_types(raw, resource["schema"])

    def _check(self, name: str, resource: dict, raw: pd.DataFrame) -> None:
        from ._schema import build_pandera_schema, run_pandera

        refs = {}
        for fk in resource["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            ref_table = ref["resource"] or name
            ref_field = ref["fields"][0] if isinstance(ref["fields"], list) else ref["fields"]
            if ref_table == name:
                values = raw[ref_field].dropna()
            else:
                values = self.load(ref_table)[ref_field].dropna().astype(str)
            local = fk["fields"][0] if isinstance(fk["fields"], list) else fk["fields"]
            refs[local] = (f"{ref_table}.{ref_field}", set(values))
        schema = build_pandera_schema(name, resource["schema"], refs)
        problems = run_pandera(name, schema, raw)
        if problems:
            _raise_problems(name, self.base / resource["path"], problems)

    def tables(self) -> pd.DataFrame:
        """One row per table: ``name``, ``title``, ``description``, ``rows``, ``path``."""
        rows = []
        for name in self.names:
            r = self.resources[name]
            rows.append({
                "name": name,
                "title": r.get("title", ""),
                "description": r.get("description", ""),
                "rows": len(self.load(name)),
                "path": r["path"],
            })
        out = pd.DataFrame(rows, columns=["name", "title", "description", "rows", "path"])
        return out.astype({"name": "string", "title": "string", "description": "string",
                           "path": "string"})

    def clear_cache(self) -> None:
        """Forget every loaded table (the next :meth:`load` reads the files again)."""
        with self._lock:
            self._cache.clear()

    # -- whole-package validation ------------------------------------------------------------
    def validate(self) -> pd.DataFrame:
        """Check the whole package; return one row per problem (empty when valid).

        Runs the Frictionless validator (types, constraints, primary and foreign keys) and the
        project's own pandera schemas (which add ISO 3166 country-code checks), and merges their
        findings. Columns: ``table``, ``row``, ``field``, ``value``, ``rule``, ``tool``.
        """
        problems = self._frictionless_problems()
        seen = {(p["table"], p["row"], p["field"]) for p in problems}
        for name in self.names:
            try:
                self._load_uncached(name, self.resources[name], use_stamp=False)
            except DataError as exc:
                for p in exc.problems or [_problem(name, None, None, None, str(exc))]:
                    key = (p["table"], p["row"], p["field"])
                    if key not in seen:
                        seen.add(key)
                        problems.append({**p, "tool": "pandera"})
        return pd.DataFrame(problems, columns=[*PROBLEM_COLUMNS, "tool"])

    def _frictionless_problems(self) -> list[dict]:
        from frictionless import Package

        try:
            report = Package(str(self.descriptor_path)).validate()
        except Exception as exc:  # a descriptor frictionless cannot read at all
            return [{**_problem("datapackage.json", None, None, None, str(exc)),
                     "tool": "frictionless"}]
        out = []
        for task in report.tasks:
            table = task.name or task.place
            for err in task.errors:
                out.append({
                    **_problem(
                        table,
                        getattr(err, "row_number", None),
                        getattr(err, "field_name", None),
                        getattr(err, "cell", None),
                        f"{err.type}: {err.note}",
                    ),
                    "tool": "frictionless",
                })
        for err in report.errors:
            out.append({**_problem("datapackage.json", None, None, None,
                                   f"{err.type}: {err.note}"), "tool": "frictionless"})
        return out


def _touch(stamp: Path) -> None:
    """Record a passed validation; a cache we cannot write only costs speed."""
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:
        pass


def convert_types(raw: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """Typed copy of a validated raw table: dates, numbers, categoricals and strings."""
    out = {}
    for field in schema["fields"]:
        col = raw[field["name"]]
        ftype = field.get("type", "string")
        cons = field.get("constraints", {})
        if ftype == "date":
            out[field["name"]] = pd.to_datetime(col, format="%Y-%m-%d").astype("datetime64[ns]")
        elif ftype == "number":
            out[field["name"]] = pd.to_numeric(col).astype("float64")
        elif ftype == "integer":
            out[field["name"]] = pd.to_numeric(col).astype("Int64")
        elif ftype == "boolean":
            out[field["name"]] = col.map({"true": True, "false": False}).astype("boolean")
        elif "enum" in cons:
            out[field["name"]] = pd.Categorical(col, categories=cons["enum"])
        else:
            out[field["name"]] = col.astype("string")
    return pd.DataFrame(out, index=raw.index)


_default: DataPackage | None = None
_default_lock = threading.Lock()


def default_package() -> DataPackage:
    """The bundled data package (one shared, cached instance)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = DataPackage()
        return _default


def load(name: str) -> pd.DataFrame:
    """Load a table of the bundled data package as a typed, validated DataFrame.

    Dates become ``datetime64``, enumerations categoricals, text ``string``. The table is
    validated against ``data/datapackage.json`` on first use and cached.

    Parameters
    ----------
    name : str
        A table name; see :func:`tables`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ParameterError
        Unknown ``name``; the message lists the valid ones.
    DataError
        The file breaks its schema; the message names file, row, field, value and rule.

    Examples
    --------
    >>> m = load("membership")
    >>> sorted(m["status"].cat.categories)
    ['dialogue_partner', 'member', 'observer', 'partner']
    >>> load("member")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: name: unknown table 'member'; did you mean \
'membership'? Allowed: ...
    """
    return default_package().load(name)


def tables() -> pd.DataFrame:
    """List the tables of the bundled package: name, title, description, rows, path.

    Examples
    --------
    >>> t = tables()
    >>> list(t.columns)
    ['name', 'title', 'description', 'rows', 'path']
    """
    return default_package().tables()


def validate() -> pd.DataFrame:
    """Validate the bundled package; one row per problem, empty when everything is valid."""
    return default_package().validate()


def source_line(
    source_ids: Iterable[str], *, prefix: str = "Source: ", width: int = 0, max_items: int = 6
) -> str:
    """A source line for a chart or map, built from the sources table.

    Parameters
    ----------
    source_ids : iterable of str
        Source identifiers (duplicates and blanks ignored, order kept).
    prefix : str
        Text placed before the list.
    width : int
        If positive, wrap the line at this many characters.
    max_items : int
        With more sources than this, name the publishers (most cited first) and the number of
        sources instead of every title; the full list is in the sources table.

    Examples
    --------
    >>> print(source_line(["tempo-2024-07-04-eurasian-security-club"], width=80))
    Source: TEMPO.CO, "Xi Jinping and Putin outline ambitions for Eurasian Security
    Club" (2024-07-04)
    """
    sources = load("sources").set_index("source_id")
    seen: list[str] = []
    for sid in source_ids:
        if sid is None or (isinstance(sid, float) and pd.isna(sid)) or sid in seen:
            continue
        check_choice("source_ids", sid, sources.index, kind="source_id")
        seen.append(sid)
    parts = []
    if len(seen) > max_items:
        counts = sources.loc[seen, "publisher"].value_counts(sort=True)
        names = list(counts.index[:8])
        rest = len(counts) - len(names)
        listed = ", ".join(names) + (f" and {rest} other publisher(s)" if rest > 0 else "")
        text = (f"{prefix.rstrip(': ')}s: {len(seen)} sources from {listed}; "
                "each row's source is listed in the table data/sources.csv")
    else:
        for sid in seen:
            row = sources.loc[sid]
            date = "n.d." if pd.isna(row["published"]) else row["published"].date()
            parts.append(f'{row["publisher"]}, "{row["title"]}" ({date})')
        text = prefix + "; ".join(parts)
    if width > 0:
        import textwrap

        text = "\n".join(textwrap.wrap(text, width))
    return text


def sources_for(*frames: pd.DataFrame) -> pd.DataFrame:
    """The rows of the sources table cited by the ``source_id`` column of the given frames.

    Examples
    --------
    >>> s = sources_for(load("quotes"))
    >>> list(s.columns)
    ['source_id', 'publisher', 'title', 'url', 'published', 'accessed', 'kind']
    >>> len(s) == load("quotes")["source_id"].nunique()
    True
    """
    ids: list[str] = []
    for frame in frames:
        for sid in frame["source_id"].dropna():
            if sid not in ids:
                ids.append(sid)
    s = load("sources").set_index("source_id")
    cols = ["publisher", "title", "url", "published", "accessed", "kind"]
    return s.loc[ids, cols].reset_index()
