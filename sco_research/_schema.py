"""Translate a Frictionless table schema into a pandera schema, run it, convert dtypes.

Kept apart from :mod:`sco_research.data` so that pandera and pycountry are imported only when a
table is first loaded, not at ``import sco_research``.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

_DATE_FORMAT = "%Y-%m-%d"


@lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code known to pycountry."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def _is_date(s: pd.Series) -> pd.Series:
    ok = pd.to_datetime(s, format=_DATE_FORMAT, errors="coerce").notna()
    return ok & s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")


def _is_number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").notna()


def _checks_for(field: dict, refs: dict) -> list[pa.Check]:
    checks: list[pa.Check] = []
    ftype = field.get("type", "string")
    cons = field.get("constraints", {})
    if ftype == "date":
        checks.append(pa.Check(_is_date, name="type date (YYYY-MM-DD, a real calendar day)"))
    elif ftype == "number":
        checks.append(pa.Check(_is_number, name="type number"))
    elif ftype == "integer":
        checks.append(pa.Check(lambda s: s.str.fullmatch(r"-?\d+"), name="type integer"))
    elif ftype == "boolean":
        checks.append(pa.Check.isin(["true", "false"], name="type boolean (true/false)"))
    if "enum" in cons:
        allowed = ", ".join(cons["enum"])
        checks.append(pa.Check(lambda s, e=tuple(cons["enum"]): s.isin(e),
                               name=f"enum: one of {allowed}"))
    if "pattern" in cons:
        pat = cons["pattern"].lstrip("^").rstrip("$")
        checks.append(pa.Check(lambda s, p=pat: s.str.fullmatch(p),
                               name=f"pattern {cons['pattern']}"))
    if field.get("x-iso3166-alpha3"):
        checks.append(pa.Check(lambda s: s.isin(iso3_codes()),
                               name="ISO 3166-1 alpha-3 country code (pycountry)"))
    if field["name"] in refs:
        target, values = refs[field["name"]]
        checks.append(pa.Check(lambda s, v=frozenset(values): s.isin(v),
                               name=f"foreign key: must exist in {target}"))
    return checks


def build_pandera_schema(name: str, schema: dict, refs: dict) -> pa.DataFrameSchema:
    """A pandera schema for the raw (all-text) table described by a Frictionless ``schema``.

    ``refs`` maps a local field to ``(target name, allowed values)`` for its foreign key.
    """
    columns = {}
    for field in schema["fields"]:
        required = field.get("constraints", {}).get("required", False)
        columns[field["name"]] = pa.Column(
            None,
            nullable=not required,
            checks=_checks_for(field, refs),
            required=True,
            coerce=False,
        )
    pk = schema.get("primaryKey") or []
    if isinstance(pk, str):
        pk = [pk]
    return pa.DataFrameSchema(columns, name=name, unique=pk or None, strict=False)


def run_pandera(name: str, schema: pa.DataFrameSchema, raw: pd.DataFrame) -> list[dict]:
    """Validate ``raw``; return problems with CSV row numbers (header = row 1)."""
    try:
        schema.validate(raw, lazy=True)
    except SchemaErrors as exc:
        return _problems_from(name, exc.failure_cases, raw, schema)
    return []


def _problems_from(name: str, fc: pd.DataFrame, raw: pd.DataFrame, schema) -> list[dict]:
    problems = []
    pk = schema.unique or []
    for rec in fc.to_dict("records"):
        check = str(rec.get("check"))
        column = rec.get("column")
        index = rec.get("index")
        row = int(index) + 2 if index is not None and not pd.isna(index) else None
        value = rec.get("failure_case")
        if check == "not_nullable":
            rule = "required: a value must be given"
            value = None
        elif check == "multiple_fields_uniqueness" or column in (None, name) and pk:
            rule = f"primary key ({', '.join(pk)}) must be unique"
            if row is not None:
                value = tuple(raw.loc[index, pk]) if len(pk) > 1 else raw.loc[index, pk[0]]
            column = ", ".join(pk)
        else:
            rule = check
        if isinstance(value, float) and pd.isna(value):
            value = None
        problems.append({"table": name, "row": row, "field": column, "value": value,
                         "rule": rule})
    problems.sort(key=lambda p: (p["row"] is None, p["row"] or 0, str(p["field"])))
    return problems
