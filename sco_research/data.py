"""The data layer: read the Frictionless data package into typed, validated pandas tables.

The package descriptor (``data/datapackage.json``) is the single description of every table:
its fields, types, enumerations, patterns, primary and foreign keys, and the least number of
rows it may have (``sco:minRows``). Frictionless is the single validator (see
:mod:`sco_research._schema`). :func:`load` validates a table when its file, the files its
foreign keys point to or the descriptor changed, converts the columns to proper dtypes and
caches the result. A cached table whose file changed on disk is read again.

The data layer knows what it read: every :func:`load` records the files behind the table with
:func:`record_read` (appended to the file named by ``SCO_RESEARCH_READ_LOG`` when it is set), and
:func:`tables_read` and :func:`files_read` say what this process loaded.

Examples
--------
>>> import sco_research as sco
>>> claims = sco.load("claims")
>>> claims["date"].dtype
dtype('<M8[ns]')
>>> "claims" in set(sco.tables()["name"])
True
>>> "claims" in sco.tables_read()
True
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths
from ._checks import check_choice
from ._files import digest, file_digest
from ._header import header_problems
from ._snapshot import Snapshot
from ._timing import timed
from .errors import DataError

__all__ = [
    "DataPackage", "default_package", "load", "tables", "validate",
    "record_read", "tables_read", "files_read", "READ_LOG_ENV",
]

#: Columns of the problem table returned by :meth:`DataPackage.validate`.
PROBLEM_COLUMNS = ["table", "row", "field", "value", "rule"]

#: Environment variable naming a file to which every read of a data file is appended.
READ_LOG_ENV = "SCO_RESEARCH_READ_LOG"

_MAX_LISTED = 10

#: How many times a table rewritten while it is read is read again before giving up.
_READ_TRIES = 5


# -- what this process read ---------------------------------------------------------------------
_files_read: dict[str, None] = {}
_tables_read: dict[str, None] = {}
_log_lock = threading.Lock()


def record_read(path: str | os.PathLike) -> str:
    """Record that this process read the data file ``path``; return its absolute path.

    The path is remembered for :func:`files_read`. When the environment variable
    ``SCO_RESEARCH_READ_LOG`` names a file, the absolute path is appended to it as one line; an
    empty log first gets the line ``#trace``. Appends from several processes or threads at once
    do not interleave. :func:`load` calls this for every table it returns (cached or not), for
    the descriptor and for the tables its foreign keys point to; code that reads other data
    files (such as country geometries) calls it too.

    Raises
    ------
    DataError
        The log file cannot be written (the message names the variable and the file).

    Examples
    --------
    >>> import os, tempfile
    >>> log = os.path.join(tempfile.mkdtemp(), "reads.log")
    >>> os.environ["SCO_RESEARCH_READ_LOG"] = log
    >>> p = record_read("data/claims.csv")
    >>> del os.environ["SCO_RESEARCH_READ_LOG"]
    >>> open(log).read().splitlines() == ["#trace", p] and os.path.isabs(p)
    True
    """
    absolute = os.path.abspath(os.fspath(path))
    _files_read.setdefault(absolute, None)
    log = os.environ.get(READ_LOG_ENV)
    if log:
        try:
            _append_line(log, absolute)
        except OSError as exc:
            raise DataError(
                f"{READ_LOG_ENV}: cannot append to {log!r}: {exc.strerror or exc}; set it to a "
                "writable file or unset it"
            ) from None
    return absolute


def _append_line(log: str, line: str) -> None:
    data = (line + "\n").encode("utf-8")
    with _log_lock:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - not POSIX: O_APPEND alone
                fcntl = None
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_size == 0:
                data = b"#trace\n" + data
            os.write(fd, data)  # one write per line: appends never interleave
        finally:
            os.close(fd)  # closing releases the lock


def files_read() -> list[str]:
    """Absolute paths of the data files this process read, in the order first read.

    Examples
    --------
    >>> import sco_research as sco
    >>> _ = sco.load("membership")
    >>> any(p.endswith("membership.csv") for p in files_read())
    True
    """
    return list(_files_read)


def tables_read() -> list[str]:
    """Names of the tables this process loaded with :func:`load`, in the order first loaded.

    Examples
    --------
    >>> import sco_research as sco
    >>> _ = sco.load("events")
    >>> "events" in tables_read()
    True
    """
    return list(_tables_read)


# -- problems -----------------------------------------------------------------------------------
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


@dataclass
class _Entry:
    frame: pd.DataFrame
    snapshot: Snapshot


@dataclass
class _Derived:
    """A value computed from tables, and the table entries it was computed from."""

    value: Any
    used: tuple[tuple[str, _Entry], ...]


@lru_cache(maxsize=1)
def _validator_digest() -> str:
    """Digest of the validating code and the Frictionless version: a change re-validates."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        frictionless = version("frictionless")
    except PackageNotFoundError:  # pragma: no cover - frictionless is a dependency
        frictionless = "-"
    return digest(f"{file_digest(Path(__file__).with_name('_schema.py'))} {frictionless}")


# -- the package --------------------------------------------------------------------------------
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
        self._cache: dict[str, _Entry] = {}
        self._derived: dict[Hashable, _Derived] = {}
        self._using: list[dict[str, _Entry]] = []  # tables read by the derivations under way
        self._descriptor: dict | None = None
        self._descriptor_snapshot: Snapshot | None = None
        self._lock = threading.RLock()

    # -- descriptor ------------------------------------------------------------------------
    @property
    def descriptor(self) -> dict:
        """The parsed ``datapackage.json`` (read again when the file changed)."""
        with self._lock:
            snap = self._descriptor_snapshot
            if self._descriptor is None or snap is None or not snap.fresh():
                snap = Snapshot.take((self.descriptor_path,))
                self._descriptor = self._read_descriptor()
                self._descriptor_snapshot = snap
                self._cache.clear()
                self._derived.clear()
            return self._descriptor

    def _read_descriptor(self) -> dict:
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

    def _files_of(self, name: str, resource: dict) -> tuple[Path, ...]:
        """The files a table's content and validity depend on: descriptor, its file, and the
        files of the tables its foreign keys point to."""
        files = [self.descriptor_path, self.base / resource["path"]]
        for fk in resource.get("schema", {}).get("foreignKeys", []):
            ref = fk.get("reference", {}).get("resource")
            if ref and ref != name and ref in self.resources:
                target = self.base / self.resources[ref]["path"]
                if target not in files:
                    files.append(target)
        return tuple(files)

    # -- loading ---------------------------------------------------------------------------
    @timed("data")
    def load(self, name: str) -> pd.DataFrame:
        """Load table ``name`` as a typed, validated DataFrame (a copy of the cached table).

        The cached table is used while its file, the descriptor and the files its foreign keys
        point to are unchanged on disk; otherwise the table is read (and validated) again.
        Every call records the files with :func:`record_read`.

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
            entry = self._cache.get(name)
            if entry is None or not entry.snapshot.fresh():
                self._cache.pop(name, None)
                files = self._files_of(name, resource)
                for f in files:
                    record_read(f)
                entry = self._load_entry(name, resource, files)
                self._cache[name] = entry
            else:
                for f in entry.snapshot.files:
                    record_read(f)
            _tables_read.setdefault(name, None)
            for used in self._using:
                used[name] = entry
            return entry.frame.copy()

    def derived(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """A value built from tables of this package, computed again only when one changed.

        ``compute()`` runs once; the tables it loads (through :meth:`load`, directly or through
        other derived values) are noted with their cached entries, and the value is served
        while each is still the cached entry and unchanged on disk (the :class:`Snapshot`
        check of :meth:`load`), recording their files as read. A DataFrame is returned as a
        copy; other values must not be changed. An exception is not cached.

        Parameters
        ----------
        key : hashable
            Names the value and its arguments, e.g. ``("fact_check.evidence",)``.
        compute : callable
            Takes no argument and reads tables only through this package.

        Examples
        --------
        >>> pkg = DataPackage()
        >>> calls = []
        >>> def count():
        ...     calls.append(1)
        ...     return len(pkg.load("membership"))
        >>> pkg.derived(("rows",), count) == pkg.derived(("rows",), count), len(calls)
        (True, 1)
        """
        with self._lock:
            self.descriptor  # noqa: B018 - a changed descriptor empties both caches
            hit = self._derived.get(key)
            if hit is not None and all(self._cache.get(name) is entry and entry.snapshot.fresh()
                                       for name, entry in hit.used):
                for name, entry in hit.used:
                    for f in entry.snapshot.files:
                        record_read(f)
                    _tables_read.setdefault(name, None)
                    for used in self._using:
                        used[name] = entry
                value = hit.value
            else:
                used: dict[str, _Entry] = {}
                self._using.append(used)
                try:
                    value = compute()
                finally:
                    self._using.pop()
                self._derived[key] = _Derived(value, tuple(used.items()))
                for outer in self._using:
                    outer.update(used)
        return value.copy() if isinstance(value, pd.DataFrame) else value

    def _load_entry(self, name: str, resource: dict, files: tuple[Path, ...]) -> _Entry:
        """Read, validate and type a table. A file rewritten while it is read (another process
        saving it) is read again; one that keeps changing is a :class:`DataError`: a short,
        half-written table is never returned."""
        for _ in range(_READ_TRIES):
            snapshot = Snapshot.take(files)  # sizes, times and contents before reading
            try:
                raw = self._read_raw(name, resource)
                stamp = _stamp_path(snapshot)
                if not stamp.exists():
                    self._check(name, resource)
                    if snapshot.same():
                        _touch(stamp)
            except DataError:
                if snapshot.same():
                    raise  # the file is as it was: a real problem
                continue  # read mid-rewrite: read again
            if snapshot.same():  # nothing changed while reading: this is the file's content
                return _Entry(convert_types(raw, resource["schema"]), snapshot)
        raise DataError(
            f"table {name!r} ({self.base / resource['path']}): the file changed while it was "
            f"being read, {_READ_TRIES} times in a row; wait until whatever is rewriting it "
            f"has finished, then load it again")

    def _read_raw(self, name: str, resource: dict) -> pd.DataFrame:
        path = self.base / resource["path"]
        fields = [f["name"] for f in resource["schema"]["fields"]]
        try:
            problems = header_problems(name, path, fields)
        except FileNotFoundError:
            raise DataError(f"table {name!r}: file not found: {path}") from None
        except UnicodeDecodeError as exc:
            raise DataError(f"table {name!r} ({path}): not UTF-8 text ({exc.reason})") from None
        if problems:
            _raise_problems(name, path, problems)
        try:
            raw = pd.read_csv(
                path, dtype=object, keep_default_na=False, na_values=[], encoding="utf-8-sig",
                on_bad_lines="error",
            )
        except pd.errors.ParserError as exc:
            raise DataError(
                f"table {name!r} ({path}): broken CSV row: {str(exc).strip()}. Each row needs "
                f"{len(fields)} fields ({', '.join(fields)}); quote values that contain commas."
            ) from None
        except pd.errors.EmptyDataError:
            raise DataError(f"table {name!r} ({path}): the file is empty; it needs the header "
                            f"row {','.join(fields)} and the data rows") from None
        raw = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        return raw.replace({"": None})

    def _check(self, name: str, resource: dict) -> None:
        from ._schema import validate_table

        problems = validate_table(self.descriptor, self.base, name)
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
        """Forget every loaded table and derived value (the next :meth:`load` reads the files
        again)."""
        with self._lock:
            self._cache.clear()
            self._derived.clear()

    # -- whole-package validation ------------------------------------------------------------
    def validate(self) -> pd.DataFrame:
        """Check the whole package with Frictionless; one row per problem (empty when valid).

        Types, enumerations, patterns, required values, primary and foreign keys, ISO 3166
        country codes and each table's ``sco:minRows``. Columns: ``table``, ``row``,
        ``field``, ``value``, ``rule``, ``tool``.
        """
        from ._schema import validate_package

        try:
            names = self.names
            before = {n: Snapshot.take(self._files_of(n, self.resources[n])) for n in names}
        except DataError:  # no descriptor, or not JSON: Frictionless says what is wrong
            before = {}
        problems = [{**p, "tool": "frictionless"} for p in validate_package(self.descriptor_path)]
        failed = {p["table"] for p in problems}
        if not failed & {"datapackage.json", *before}:
            # Every table passed: record it, so that load() need not validate them again.
            for snapshot in before.values():
                _touch(_stamp_path(snapshot))
        return pd.DataFrame(problems, columns=[*PROBLEM_COLUMNS, "tool"])


def _stamp_path(snapshot: Snapshot) -> Path:
    """The validation stamp of a table: named by the validator's and its files' digests."""
    key = digest("\n".join([_validator_digest(), *(
        f"{f.name}:{d}" for f, d in zip(snapshot.files, snapshot.digests, strict=True))]))
    return paths.CACHE_DIR / "validated" / key


def _touch(stamp: Path) -> None:
    """Record a passed validation; a cache we cannot write only costs speed."""
    with contextlib.suppress(OSError):
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()


_BOOLEAN_DEFAULTS = (["true", "True", "TRUE", "1"], ["false", "False", "FALSE", "0"])


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
            true = field.get("trueValues", _BOOLEAN_DEFAULTS[0])
            false = field.get("falseValues", _BOOLEAN_DEFAULTS[1])
            mapping = {**dict.fromkeys(true, True), **dict.fromkeys(false, False)}
            out[field["name"]] = col.map(mapping).astype("boolean")
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
    validated against ``data/datapackage.json`` when its files changed, and cached.

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
