"""Corroboration: which independent sources back each figure, and which stand alone.

A figure is *corroborated* when at least two independent sources state it: rows of the same
table that agree on what is measured (:data:`FIGURE_KEYS`: same series, period, flow, unit...)
and on the number, from sources whose *origin* differs. The origin of a source is the outlet
that first reported it: a relay names its origin in brackets after the publisher, as in
``"Vzglyad (VZ.ru, citing TASS)"`` or ``"Pakistan Newspaper List (Reuters)"``, so two pages that
both carry one TASS story count once (:func:`origin`). A figure stated by one origin only is a
*single source* figure, and a page or chart title that states it must say so.

Conversions: where a note starts with ``[conversion`` (see the ``note`` field of the trade,
energy and currency tables in ``data/datapackage.json``), the figure is an outlet's conversion
of the counting body's own figure (another unit or currency); :func:`is_conversion` finds them.
Disputed figures: a note starting with ``[disputed]`` marks a figure that another source shows
to be another series (the currency table's ``note``); :func:`is_disputed` finds them. Both
kinds are kept and ranked below the other figures for the same point
(:func:`sco_research.charts._frames.mark_main`).

Examples
--------
>>> import sco_research as sco
>>> origin(pd.Series(["vz-2026-01-20-mishustin-friendly-exports-86"])).tolist()
['tass']
>>> rows = corroborate(sco.load("friendly_trade_share"), "friendly_trade_share")
>>> rows.loc[rows["source_id"] == "prime-2026-01-20-mishustin-friendly-86",
...          "independent_sources"].item()
2
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .data import default_package, load

__all__ = ["FIGURE_KEYS", "corroborate", "evidence_corroboration", "figure_sources",
           "is_conversion", "is_disputed", "mark_single_sources", "origin", "single_source_note"]

#: Per table, the columns that say *what* a figure measures; rows agreeing on these and on the
#: number state the same figure.
FIGURE_KEYS: dict[str, tuple[str, ...]] = {
    "trade": ("reporter", "partner", "period", "flow", "unit"),
    "energy": ("exporter", "importer", "period", "commodity", "measure", "unit"),
    "currency": ("series", "scope", "currency", "period", "unit"),
    "sanctions": ("measure", "imposed_by", "target", "period", "unit"),
    "friendly_trade_share": ("period", "flow", "unit", "stated_by"),
}

#: The number column of each table in :data:`FIGURE_KEYS`.
VALUE_COLUMN = {"sanctions": "amount"}

#: Other names of one origin.
_ALIASES = {
    "sputnik international": "sputnik", "uni-sputnik": "sputnik", "sputnik india": "sputnik",
    "ria": "ria novosti", "rt reprint": "rt", "kremlin transcript": "kremlin",
    "qazinform": "kazinform", "tass (russian)": "tass", "reuters via free malaysia today":
    "reuters", "xinhua (russian service)": "xinhua", "trend news agency": "trend",
    "sputnik mundo": "sputnik",
}

#: Words in a publisher's brackets that say something other than who first reported it.
_NOT_ORIGIN = re.compile(r"\.|\b(?:service|hindi|arabic|russian|chinese|english|copy|page|"
                         r"mirror|aggregator|forum|substack|"
                         r"nigeria|india|pakistan|eprs|scribd|university|association|"
                         r"document|site)\b", re.IGNORECASE)


def _origin_of(publisher: str) -> str:
    text = str(publisher).strip()
    m = re.search(r"\(([^)]*)\)\s*$", text)
    outer = text[:m.start()].strip() if m else text
    name = outer
    if m:
        inner = m.group(1).strip()
        cited = re.search(r"\b(?:citing|translating)\s+(.+)$", inner, re.IGNORECASE)
        if cited:
            name = cited.group(1)
        elif inner.lower().startswith("via ") or _NOT_ORIGIN.search(inner):
            name = outer
        else:
            name = re.sub(r"\s+via\s+.*$", "", inner)
    key = re.sub(r"\s+", " ", name.strip().lower())
    return _ALIASES.get(key, key)


def origin(source_ids: pd.Series) -> pd.Series:
    """The outlet each source's report comes from (lower case), relays resolved.

    Examples
    --------
    >>> origin(pd.Series(["pakistaninewspaperlist-2024-07-04-reuters-xi-putin-eurasia",
    ...                   "reuters-2024-07-04-xi-putin-eurasian-security-club",
    ...                   "prime-2026-01-20-mishustin-friendly-86"])).tolist()
    ['reuters', 'reuters', 'prime']
    """
    publishers = load("sources").set_index("source_id")["publisher"]
    return source_ids.map(publishers).map(_origin_of, na_action="ignore")


def is_conversion(notes: pd.Series) -> pd.Series:
    """True where a row's note marks its figure as an outlet's conversion (``[conversion``).

    Examples
    --------
    >>> is_conversion(pd.Series(["[conversion by Reuters] from tonnes", "[secondary] x", None])
    ...               ).tolist()
    [True, False, False]
    """
    return notes.fillna("").astype(str).str.startswith("[conversion")


def is_disputed(notes: pd.Series) -> pd.Series:
    """True where a row's note marks its figure as disputed (``[disputed]``): another source
    shows it to be another series. The schema allows the tag only so, at the note's start.

    Examples
    --------
    >>> is_disputed(pd.Series(["[disputed] matches the import series", "sources disagree",
    ...                        None])).tolist()
    [True, False, False]
    """
    return notes.fillna("").astype(str).str.startswith("[disputed]")


def _keys(table: str) -> tuple[list[str], str]:
    if table not in FIGURE_KEYS:
        allowed = ", ".join(repr(t) for t in FIGURE_KEYS)
        raise ValueError(f"table: no figure keys for {table!r}; allowed: {allowed}")
    return list(FIGURE_KEYS[table]), VALUE_COLUMN.get(table, "value")


_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def _unit_scale(unit) -> tuple[str, float]:
    """``'USD billion'`` -> ``('USD', 1e9)``; a blank unit is ``('', 1.0)``."""
    if not isinstance(unit, str):
        return "", 1.0
    words = unit.split()
    scale = 1.0
    for w in words:
        scale *= _SCALES.get(w.lower(), 1.0)
    return " ".join(w for w in words if w.lower() not in _SCALES), scale


def _span(value: float, unit) -> tuple[str, float, float]:
    """The base unit and the interval a stated number stands for, given its last digit."""
    base, scale = _unit_scale(unit)
    text = np.format_float_positional(float(value), trim="-")
    decimals = len(text.split(".")[1]) if "." in text else 0
    half = 0.5 * 10.0 ** (-decimals) * scale
    return base, float(value) * scale - half, float(value) * scale + half


def corroborate(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    """The rows with, for each figure, how many independent sources state it and which others.

    Two rows state the same figure when they agree on the table's :data:`FIGURE_KEYS` (the
    unit by its base, so USD million and USD billion compare; in the currency table, a share
    with no period also by who stated it and when) and their numbers agree to the precision
    each is stated in (86.2 and 86.25 agree; 230 and 240.1 do not). A row marked as a
    conversion (:func:`is_conversion`) corroborates nothing.

    Parameters
    ----------
    rows : DataFrame
        Rows of ``table`` (any subset, e.g. the rows a chart plots), with ``source_id``.
    table : str
        The table they come from (a key of :data:`FIGURE_KEYS`); the whole table is searched
        for other rows stating the same figure.

    Returns
    -------
    pandas.DataFrame
        ``rows`` plus ``origin``, ``independent_sources`` (distinct origins stating the same
        figure, this row's included; 0 where the row states no number), ``corroborated_by``
        (the other origins' sources, ``"publisher (source_id)"`` joined by ``"; "``) and
        ``single_source`` (a number stated by one origin only).

    Examples
    --------
    >>> import sco_research as sco
    >>> c = corroborate(sco.load("currency"), "currency")
    >>> row = c[c["source_id"] == "sputnik-2023-05-24-mishustin-70pct"].iloc[0]
    >>> int(row["independent_sources"]), row["corroborated_by"]
    (2, 'PortNews (portnews-2023-05-24-mishustin-70pct)')
    """
    keys, value = _keys(table)
    status = _status(table)
    out = rows.copy()
    ident = ["source_id", value, *[k for k in keys if k in out.columns]]
    looked = out[ident].merge(status, how="left", on=ident)
    out["origin"] = origin(out["source_id"]).to_numpy()
    out["independent_sources"] = looked["independent_sources"].fillna(0).astype("int64").to_numpy()
    out["corroborated_by"] = pd.array(looked["corroborated_by"].fillna("").to_numpy(),
                                      dtype="string")
    out["single_source"] = out["independent_sources"] == 1
    return out


def _compute_status(table: str) -> pd.DataFrame:
    keys, value = _keys(table)
    full = load(table).reset_index(drop=True)
    present = [k for k in keys if k in full.columns]
    full["_origin"] = origin(full["source_id"]).to_numpy()
    full["_conv"] = is_conversion(full["note"]).to_numpy() if "note" in full else False
    spans = [(_span(v, u) if pd.notna(v) else ("", np.nan, np.nan))
             for v, u in zip(full[value], full["unit"] if "unit" in full
                             else [None] * len(full), strict=True)]
    full["_base"] = [b for b, _, _ in spans]
    lo = np.array([x for _, x, _ in spans], dtype=float)
    hi = np.array([x for _, _, x in spans], dtype=float)
    group = [*(k for k in present if k != "unit"), "_base"]
    if table == "currency":
        undated = full["period"].isna()
        full["_who"] = np.where(undated, full["stated_by"].astype(str) + "|"
                                + full["stated_on"].astype(str), "")
        group.append("_who")
    sources = load("sources").set_index("source_id")["publisher"]
    counts = np.zeros(len(full), dtype="int64")
    others = [""] * len(full)
    for _, g in full[full[value].notna()].groupby(
            [full[k].astype("string").fillna("\x00") for k in group], sort=False):
        idx = g.index.to_numpy()
        overlap = (lo[idx][:, None] < hi[idx][None, :]) & (hi[idx][:, None] > lo[idx][None, :])
        usable = ~g["_conv"].to_numpy()
        origins = g["_origin"].to_numpy()
        ids = g["source_id"].to_numpy()
        for i, row in enumerate(idx):
            mates = overlap[i] & usable
            mates[i] = True
            counts[row] = len(set(origins[mates]) - {None})
            other = dict.fromkeys(ids[mates & (origins != origins[i])])
            others[row] = "; ".join(f"{sources.get(x, x)} ({x})" for x in other)
    return full[["source_id", value, *present]].assign(
        independent_sources=counts, corroborated_by=others).drop_duplicates(
        ["source_id", value, *present])


def _status(table: str) -> pd.DataFrame:
    """Every row of ``table`` with its corroboration, computed once while the table and the
    sources table are unchanged (:meth:`sco_research.data.DataPackage.derived`)."""
    return default_package().derived(("corroboration.status", table),
                                     lambda: _compute_status(table))


def _keyed_status(table: str) -> pd.DataFrame:
    """The whole of ``table`` corroborated, indexed by evidence key, computed once while the
    tables are unchanged."""
    from .fact_check import row_keys

    def compute() -> pd.DataFrame:
        rows = corroborate(load(table), table)
        return rows.set_index(row_keys(table, rows))[
            ["independent_sources", "corroborated_by", "single_source"]]

    return default_package().derived(("corroboration.keyed", table), compute)


def figure_sources(rows: pd.DataFrame) -> str:
    """The sources behind corroborated figures, as a line a page can show under a figure.

    Examples
    --------
    >>> import sco_research as sco
    >>> f = corroborate(sco.load("friendly_trade_share"), "friendly_trade_share")
    >>> print(figure_sources(f[f["period"] == "2025"].head(1)))
    86 (2025, exports): 2 independent sources: PRIME (1prime.ru); Vzglyad (VZ.ru, citing TASS), \
Lenta.ru (citing TASS)
    """
    lines = []
    sources = load("sources").set_index("source_id")["publisher"]
    for _, r in rows.iterrows():
        n = int(r["independent_sources"])
        if n == 0:
            continue
        value = r.get("value", r.get("amount"))
        what = ", ".join(str(r[c]) for c in ("period", "flow") if c in r and pd.notna(r[c]))
        label = f"{float(value):g}" + (f" ({what})" if what else "")
        own = sources.get(r["source_id"], r["source_id"])
        if n == 1:
            lines.append(f"{label}: single source: {own}")
        else:
            others = [s.rsplit(" (", 1)[0] for s in str(r["corroborated_by"]).split("; ") if s]
            lines.append(f"{label}: {n} independent sources: {own}; {', '.join(others)}")
    return "\n".join(lines)


def single_source_note(rows: pd.DataFrame, labels: pd.Series | None = None) -> str | None:
    """A note naming the figures among ``rows`` that only one source states, or None.

    Parameters
    ----------
    rows : DataFrame
        Rows from :func:`corroborate`.
    labels : Series, optional
        How to name each row's figure (default: its value and period).

    Examples
    --------
    >>> import sco_research as sco
    >>> f = corroborate(sco.load("friendly_trade_share"), "friendly_trade_share")
    >>> single_source_note(f[f["period"] == "2021"])
    'Single source: 44 (2021).'
    """
    lone = rows[rows["single_source"]]
    if lone.empty:
        return None
    if labels is None:
        value = lone["value"] if "value" in lone else lone["amount"]
        labels = (value.map(lambda v: f"{float(v):g}") + " ("
                  + lone["period"].fillna("no period").astype(str) + ")")
    else:
        labels = labels.loc[lone.index]
    return "Single source: " + ", ".join(dict.fromkeys(labels)) + "."


def evidence_corroboration(evidence: pd.DataFrame) -> pd.DataFrame:
    """For evidence rows (``claim_evidence``) that cite a figure, how well it is corroborated.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence_id``: ``independent_sources``, ``corroborated_by`` and
        ``single_source`` for rows whose table is in :data:`FIGURE_KEYS`; other rows are absent.

    Examples
    --------
    >>> from sco_research import fact_check
    >>> c = evidence_corroboration(fact_check.evidence())
    >>> bool(c.loc["c05.6", "single_source"]), bool(c.loc["c05.12", "single_source"])
    (False, False)
    """
    parts = []
    for table in sorted(set(evidence["table"]) & set(FIGURE_KEYS)):
        rows = _keyed_status(table)
        ev = evidence[evidence["table"] == table]
        got = rows.loc[ev["key"], ["independent_sources", "corroborated_by", "single_source"]]
        got.index = pd.Index(ev["evidence_id"], name="evidence_id")
        parts.append(got)
    if not parts:
        return pd.DataFrame(columns=["independent_sources", "corroborated_by", "single_source"])
    return pd.concat(parts)


def mark_single_sources(text: str, evidence: pd.DataFrame) -> str:
    """A finding with ``single source`` added beside each evidence id whose figure one
    independent source states, e.g. ``(c06.6)`` -> ``(c06.6, single source)``.

    Examples
    --------
    >>> from sco_research import fact_check
    >>> ev = fact_check.evidence()
    >>> mark_single_sources("Russia's customs put 2023 nearer 230 billion (c06.6)", ev)
    "Russia's customs put 2023 nearer 230 billion (c06.6, single source)"
    """
    status = evidence_corroboration(evidence)
    lone = set(status.index[status["single_source"].astype(bool)])
    return re.sub(r"\b((?:a[0-9]+-)?[cf][0-9]{2}\.[0-9]+)\b(?![,.][0-9])",
                  lambda m: m.group(1) + (", single source" if m.group(1) in lone else ""),
                  str(text))

