"""Checking the articles: a verdict per claim, findings about each article, and the evidence.

Every row belongs to one article of the ``articles`` table (``article_id``); each function
takes ``article`` to keep one article's rows (``None``: every article). Three tables of the data
package hold the check (see ``data/datapackage.json``):

* ``claim_checks``: one verdict per claim (``supported``, ``partly_supported``, ``overstated``,
  ``contradicted``, ``unverifiable``, ``opinion``), whether it checks a ``fact`` or an
  ``attribution`` (did the person say it, and when), a finding in our own words and
  ``checked_on``: a verdict holds as of that day;
* ``article_findings``: what the article leaves out or gets wrong about its own source, tied to
  no single claim;
* ``claim_evidence``: the rows of the package each verdict or finding rests on, named by table
  and key, with a stance (``supports``, ``contradicts``, ``context``).

A key names one row of its table: the values of the table's key columns (listed in the
descriptor under ``x-key-columns``: the primary key where the table has one) joined by ``|``,
dates as ``YYYY-MM-DD``, numbers in their shortest form, blanks as empty text. Every evidence row
is resolved to that row and through it to a source; one that does not resolve is a
:class:`~sco_research.errors.DataError` naming the file, row, field and value.

How the check is shown (verdict colours, Markdown with linked sources, the verdicts-per-theme
chart) is in :mod:`sco_research.fact_check_views`.

Examples
--------
>>> import sco_research as sco
>>> sco.claim_checks(theme="payments")[["claim_id", "verdict"]].to_dict("records")
[{'claim_id': 'c14', 'verdict': 'supported'}, {'claim_id': 'c15', 'verdict': 'overstated'}]
>>> ev = sco.evidence_for("c15")
>>> ev.loc[0, ["table", "key", "stance"]].tolist()
['sanctions', 'swift-2022-02-26-joint-statement', 'contradicts']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._checks import check_choice
from .data import DataPackage, default_package, format_problem, load
from .errors import DataError
from .publish import format_value

__all__ = [
    "STANCES",
    "VERDICTS",
    "article_findings",
    "as_text",
    "check_filters",
    "checked_on",
    "claim_checks",
    "evidence",
    "evidence_charts",
    "evidence_for",
    "key_columns",
    "row_key",
    "row_keys",
    "verdict_meanings",
]

def _field(table: str, name: str) -> dict:
    for f in default_package().resource(table)["schema"]["fields"]:
        if f["name"] == name:
            return f
    raise KeyError(f"{table}.{name}")  # pragma: no cover - the descriptor is fixed


#: Verdicts, in order from best to least borne out, as the descriptor declares them.
VERDICTS: tuple[str, ...] = tuple(_field("claim_checks", "verdict")["constraints"]["enum"])

#: Stances of an evidence row towards its claim or finding.
STANCES: tuple[str, ...] = tuple(_field("claim_evidence", "stance")["constraints"]["enum"])


def _of_article(df: pd.DataFrame, article: str | None) -> pd.DataFrame:
    from .corpus import check_article

    check_article(article)
    return df if article is None else df[df["article_id"] == article]


def checked_on(article: str | None = None) -> pd.Timestamp:
    """The day the verdicts were checked (the latest ``checked_on``): they hold as of this day.

    Parameters
    ----------
    article : str, optional
        An ``article_id`` (default: the latest day over every article).

    Examples
    --------
    >>> str(checked_on("a1").date()), str(checked_on("a2").date())
    ('2026-12-02', '2026-12-02')
    """
    return pd.Timestamp(_of_article(load("claim_checks"), article)["checked_on"].max())


def verdict_meanings() -> pd.DataFrame:
    """What each verdict means, as the descriptor defines it.

    Examples
    --------
    >>> m = verdict_meanings()
    >>> list(m.columns)
    ['verdict', 'meaning']
    >>> m["verdict"].tolist() == list(VERDICTS)
    True
    """
    meanings = _field("claim_checks", "verdict")["x-enum-descriptions"]
    return pd.DataFrame({"verdict": list(VERDICTS),
                         "meaning": [meanings[v] for v in VERDICTS]})


def key_columns() -> dict[str, tuple[str, ...]]:
    """The columns whose values make up an evidence key, per table that evidence may cite.

    Examples
    --------
    >>> key_columns()["membership"]
    ('iso3', 'start')
    """
    spec = _field("claim_evidence", "key")["x-key-columns"]
    return {table: tuple(cols) for table, cols in spec.items()}


def as_text(value: Any) -> str:
    """A cell as text (numpy scalars as the Python numbers they hold).

    Examples
    --------
    >>> import numpy as np
    >>> as_text(np.float64(57.8)), as_text(None), as_text(pd.Timestamp("2024-07-04"))
    ('57.8', '', '2024-07-04')
    """
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        value = value.item()
    return format_value(value)


def _key_part(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return as_text(value)


def row_key(table: str, row: pd.Series | dict) -> str:
    """The evidence key of one row of ``table``.

    Examples
    --------
    >>> m = load("membership")
    >>> row_key("membership", m[m["iso3"] == "BLR"].iloc[-1])
    'BLR|2024-07-04'
    """
    cols = key_columns()
    check_choice("table", table, list(cols), kind="table")
    return "|".join(_key_part(row[c]) for c in cols[table])


def row_keys(table: str, df: pd.DataFrame) -> pd.Index:
    """The evidence key of every row of ``df`` (rows of ``table``), as :func:`row_key` writes
    it, with the key columns looked up once.

    Examples
    --------
    >>> m = load("membership")
    >>> row_keys("membership", m[m["iso3"] == "BLR"]).tolist()[-1]
    'BLR|2024-07-04'
    """
    cols = key_columns()
    check_choice("table", table, list(cols), kind="table")
    parts = [df[c].map(_key_part, na_action=None).astype(str) for c in cols[table]]
    keys = parts[0] if len(parts) == 1 else parts[0].str.cat(parts[1:], sep="|")
    return pd.Index(keys.to_numpy(dtype=object), name="key")


def _keyed(table: str, pkg: DataPackage) -> pd.DataFrame:
    """``table`` of ``pkg`` indexed by evidence key."""
    df = pkg.load(table)
    return df.set_index(row_keys(table, df))


def _bound(r: pd.Series) -> str:
    """'about ', 'over ' or 'under ' for a figure its source gives as approximate or a bound."""
    q = as_text(r.get("qualifier"))
    return "" if q in ("", "exact") else f"{q} "


def _describe(table: str, r: pd.Series) -> str:
    """A short line saying what an evidence row holds (the row's own fields, no new words)."""
    v = as_text
    if table == "sources":
        return f'{r["publisher"]}: "{r["title"]}"'
    if table == "actors":
        return f'{r["name"]}: {v(r["note"]) or r["role"]}'
    if table == "claims":
        return str(r["claim"])
    if table == "quotes":
        return f'"{r["quote"]}" ({v(r["date"])})'
    if table == "events":
        return f'{v(r["date"])}: {r["title"]}'
    if table == "membership":
        return f'{r["country"]}: {r["status"].replace("_", " ")} from {v(r["start"])}'
    if table in ("trade", "energy"):
        who = f'{r["reporter"]}-{r["partner"]}' if table == "trade" else \
            f'{r["exporter"]} to {r["importer"]}'
        what = r["flow"] if table == "trade" else f'{r["commodity"]} {r["measure"]}'
        return f'{who} {r["period"]} {what}: {v(r["value"])} {r["unit"]}'.replace("_", " ")
    if table == "currency":
        figure = f'{_bound(r)}{v(r["value"])} {v(r["unit"])}'.strip() or \
            f'no figure ({v(r["note"])})'
        when = v(r["stated_on"]) or "undated"
        what = " ".join(p for p in (r["series"].replace("_", " "), v(r["scope"]),
                                    v(r["currency"]), v(r["period"])) if p)
        return f'{r["stated_by"]} ({when}), {what}: {figure}'
    # sanctions
    amount = f'{_bound(r)}{v(r["amount"])} {v(r["unit"])}'.strip()
    return (f'{v(r["announced"])}: {r["imposed_by"]}, {r["measure"].replace("_", " ")}, '
            f'{r["target"]}' + (f": {amount}" if amount else ""))


def evidence(package: DataPackage | None = None) -> pd.DataFrame:
    """Every evidence row, resolved to the row it names and to that row's source.

    Parameters
    ----------
    package : DataPackage, optional
        The data package to read (default: the bundled one).

    Returns
    -------
    pandas.DataFrame
        ``evidence_id``, ``subject`` (the claim or finding id), ``claim_id``, ``finding_id``,
        ``table``, ``key``, ``stance``, ``what`` (what the cited row holds), ``source_id``,
        ``publisher``, ``title``, ``url``, ``published``, ``note``, ``article_id``.

    Raises
    ------
    DataError
        An evidence row names no claim or finding (or both), a key with no row in its table,
        a ``source_id`` other than its row's, or an article other than its claim's; the message
        names the file, row, field and value.

    Examples
    --------
    >>> ev = evidence()
    >>> bool(ev["url"].notna().all()) and ev["evidence_id"].is_unique
    True

    Computed once while the package's tables are unchanged (:meth:`DataPackage.derived`):
    a report page asks for it once per claim.
    """
    pkg = package or default_package()
    return pkg.derived(("fact_check.evidence",), lambda: _evidence(pkg))


def _evidence(pkg: DataPackage) -> pd.DataFrame:
    ev = pkg.load("claim_evidence")
    path = str(pkg.path("claim_evidence"))
    cols = key_columns()
    keyed = {t: _keyed(t, pkg) for t in ev["table"].astype(str).unique()}
    article_of = {**pkg.load("claims").set_index("claim_id")["article_id"].to_dict(),
                  **pkg.load("article_findings").set_index("finding_id")["article_id"].to_dict()}
    problems, what = [], []
    for i, r in ev.iterrows():
        line, table = int(i) + 2, str(r["table"])
        if pd.isna(r["claim_id"]) == pd.isna(r["finding_id"]):
            problems.append({"table": "claim_evidence", "row": line, "field": "claim_id",
                             "value": r["evidence_id"],
                             "rule": "give exactly one of claim_id and finding_id"})
        subject = r["claim_id"] if pd.notna(r["claim_id"]) else r["finding_id"]
        if pd.notna(subject) and not str(r["evidence_id"]).startswith(f"{subject}."):
            problems.append({"table": "claim_evidence", "row": line, "field": "evidence_id",
                             "value": r["evidence_id"],
                             "rule": f"must start with its claim or finding id {subject!r}"})
        if pd.notna(subject) and article_of.get(subject, r["article_id"]) != r["article_id"]:
            problems.append({"table": "claim_evidence", "row": line, "field": "article_id",
                             "value": r["article_id"],
                             "rule": f"must be the article of {subject!r} "
                                     f"({article_of[subject]!r})"})
        target = keyed[table]
        if r["key"] not in target.index:
            problems.append({"table": "claim_evidence", "row": line, "field": "key",
                             "value": r["key"],
                             "rule": f"no row of table {table!r} has this key "
                                     f"({'|'.join(cols[table])})"})
            what.append(None)
            continue
        hits = target.loc[[r["key"]]]
        if len(hits) > 1:
            problems.append({"table": "claim_evidence", "row": line, "field": "key",
                             "value": r["key"],
                             "rule": f"matches {len(hits)} rows of table {table!r}; a key must "
                                     "name one row"})
        hit = hits.iloc[0]
        own = r["key"] if table == "sources" else hit["source_id"]
        if r["source_id"] != own:
            problems.append({"table": "claim_evidence", "row": line, "field": "source_id",
                             "value": r["source_id"],
                             "rule": f"must be the source of the row it names ({own!r})"})
        what.append(_describe(table, hit))
    if problems:
        lines = "\n  ".join(format_problem(p, path) for p in problems[:10])
        raise DataError(f"table 'claim_evidence' has {len(problems)} evidence row(s) that do not "
                        f"resolve:\n  {lines}", problems)
    sources = pkg.load("sources").set_index("source_id")
    out = ev.assign(subject=ev["claim_id"].fillna(ev["finding_id"]),
                    what=pd.Series(what, index=ev.index, dtype="string"))
    for col in ("publisher", "title", "url", "published"):
        out[col] = out["source_id"].map(sources[col])
    return out[["evidence_id", "subject", "claim_id", "finding_id", "table", "key", "stance",
                "what", "source_id", "publisher", "title", "url", "published", "note",
                "article_id"]]


def _evidence_counts(ev: pd.DataFrame) -> pd.DataFrame:
    g = ev.groupby("subject", observed=True)
    return pd.DataFrame({
        "evidence": g.size(),
        "evidence_sources": g["source_id"].agg(lambda s: ", ".join(dict.fromkeys(s))),
    })


def _themes() -> tuple[str, ...]:
    return tuple(_field("claims", "theme")["constraints"]["enum"])


def check_filters(theme: str | None = None, verdict: str | None = None,
                  article: str | None = None) -> None:
    """Raise ``ParameterError`` for an unknown ``theme``, ``verdict`` or ``article`` (notebook
    06 calls it first).

    ``sco-research render`` calls it too, before any kernel starts.

    Examples
    --------
    >>> check_filters("currency", "overstated", "a1")
    >>> check_filters(verdict="true")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: verdict: unknown verdict 'true'. Allowed: ...
    """
    if theme is not None:
        check_choice("theme", theme, _themes(), kind="theme")
    if verdict is not None:
        check_choice("verdict", verdict, VERDICTS, kind="verdict")
    if article is not None:
        from .corpus import check_article

        check_article(article)


def claim_checks(theme: str | None = None, verdict: str | None = None,
                 article: str | None = None) -> pd.DataFrame:
    """The verdict on each claim, joined with the claim.

    Parameters
    ----------
    theme : str, optional
        Keep the claims of one theme (a theme of the claims table, e.g. ``"currency"``).
    verdict : str, optional
        Keep the claims with this verdict (one of :data:`VERDICTS`).
    article : str, optional
        Keep the claims of one article (an ``article_id``; ``None``: every article).

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``paragraph``, ``theme``, ``actor_id``, ``kind``, ``claim``, ``checks``
        (``fact`` or ``attribution``), ``verdict``, ``finding``, ``checked_on``, ``evidence``
        (how many evidence rows), ``evidence_sources`` (their source ids), ``source_id``:
        the article the claim comes from, as a source, and ``article_id``.

    Raises
    ------
    ParameterError
        Unknown theme, verdict or article; the message names the value and the allowed ones.

    Examples
    --------
    >>> claim_checks(verdict="overstated")["claim_id"].tolist()
    ['c15']
    >>> claim_checks(article="a2", verdict="supported")["claim_id"].tolist()[:3]
    ['a2-c01', 'a2-c02', 'a2-c03']
    >>> claim_checks(verdict="wrong")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: verdict: unknown verdict 'wrong'. Allowed: 'supported', \
'partly_supported', 'overstated', 'contradicted', 'unverifiable', 'opinion'
    """
    check_filters(theme, verdict)
    claims = _of_article(load("claims"), article)
    checks = load("claim_checks")
    # the check cites the same source as its claim (the article); keep the claim's column
    out = claims.merge(checks.drop(columns=["note", "source_id", "article_id"]), on="claim_id",
                       how="inner")
    out = out.join(_evidence_counts(evidence()), on="claim_id")
    out["evidence"] = out["evidence"].fillna(0).astype(int)
    if theme is not None:
        out = out[out["theme"] == theme]
    if verdict is not None:
        out = out[out["verdict"] == verdict]
    cols = ["claim_id", "paragraph", "theme", "actor_id", "kind", "claim", "checks", "verdict",
            "finding", "checked_on", "evidence", "evidence_sources", "source_id", "article_id"]
    return out[cols].sort_values(["article_id", "claim_id"]).reset_index(drop=True)


def article_findings(article: str | None = None) -> pd.DataFrame:
    """What an article leaves out or gets wrong about its own source (no claim of its own).

    Parameters
    ----------
    article : str, optional
        Keep the findings about one article (an ``article_id``; ``None``: every article).

    Returns
    -------
    pandas.DataFrame
        ``finding_id``, ``kind`` (``omission`` or ``rewording_slip``), ``paragraph``,
        ``finding``, ``checked_on``, ``evidence``, ``evidence_sources``, ``source_id``: the
        article the finding is about, and ``article_id``.

    Examples
    --------
    >>> f = article_findings()
    >>> f = f[f["article_id"] == "a1"]
    >>> bool(f.loc[f["kind"] == "omission", "finding"].str.contains("Belarus").all())
    True
    >>> article_findings("a2")["finding_id"].tolist()
    ['a2-f01', 'a2-f02']
    """
    f = _of_article(load("article_findings"), article).drop(columns=["note"])
    f = f.join(_evidence_counts(evidence()), on="finding_id")
    f = f[[c for c in f.columns if c not in ("source_id", "article_id")]
          + ["source_id", "article_id"]]
    f["evidence"] = f["evidence"].fillna(0).astype(int)
    return f.reset_index(drop=True)


def evidence_for(claim_id: str) -> pd.DataFrame:
    """The evidence rows behind one claim's verdict (or one finding), with their sources.

    Parameters
    ----------
    claim_id : str
        A claim id (``"c13"``, ``"a2-c04"``) or a finding id (``"f01"``, ``"a2-f01"``), of any
        article.

    Returns
    -------
    pandas.DataFrame
        ``evidence_id``, ``table``, ``key``, ``stance``, ``what``, ``source_id``,
        ``publisher``, ``title``, ``url``, ``published``, ``note``.

    Raises
    ------
    ParameterError
        Unknown id; the message names it and the allowed ids.

    Examples
    --------
    >>> evidence_for("f01")[["table", "key"]].values.tolist()[0]
    ['membership', 'BLR|2024-07-04']
    >>> evidence_for("a2-c04")["stance"].tolist()[:2]
    ['supports', 'supports']
    >>> evidence_for("c21")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: claim_id: unknown claim or finding id 'c21'; did you \
mean ...
    """
    known = list(load("claim_checks")["claim_id"]) + list(load("article_findings")["finding_id"])
    check_choice("claim_id", claim_id, known, kind="claim or finding id")
    ev = evidence()
    ev = ev[ev["subject"] == claim_id]
    return ev.drop(columns=["subject", "claim_id", "finding_id", "article_id"]).reset_index(
        drop=True)


#: One evidence chart per claim whose check turns on figures: the chart function of
#: :mod:`sco_research.charts` and its arguments (pass the same to ``charts.chart_rows``).
_EVIDENCE_CHARTS: list[tuple[str, str, dict]] = [
    ("c05", "energy_chart", {"importers": ("CHN", "IND"), "commodity": "crude_oil",
                             "measure": "volume", "unit": "million barrels per day",
                             "start": "2017-01-01"}),
    ("c06", "trade_chart", {"partners": ("CHN", "IND"), "start": "2017-01-01",
                            "flow": "turnover"}),
    ("c13", "settlement_currency_chart", {"indicators": ("russia_china_trade_settlement",
                                                         "sco_trade_national_currencies"),
                                          "start": "2020-01-01"}),
    ("c15", "sanctions_timeline_chart", {"measures": ("swift_disconnection",),
                                         "start": "2022-01-01"}),
    ("c16", "sanctions_timeline_chart", {"measures": ("reserve_immobilisation",
                                                      "reserve_estimate"),
                                         "start": "2022-01-01"}),
]


def evidence_charts(theme: str | None = None, verdict: str | None = None,
                    article: str | None = None) -> pd.DataFrame:
    """The evidence chart of each checkable figure claim (filtered like :func:`claim_checks`).

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``verdict``, ``chart`` (a chart name of :mod:`sco_research.charts`),
        ``params`` (its arguments, a dict) and ``name`` (a file stem for the figure).

    Examples
    --------
    >>> evidence_charts(theme="sanctions")[["claim_id", "chart"]].values.tolist()
    [['c06', 'trade_chart'], ['c16', 'sanctions_timeline_chart']]
    """
    checks = claim_checks(theme=theme, verdict=verdict, article=article).set_index("claim_id")
    rows = [{"claim_id": cid, "verdict": checks.loc[cid, "verdict"], "chart": chart,
             "params": dict(params), "name": f"evidence-{cid}"}
            for cid, chart, params in _EVIDENCE_CHARTS if cid in checks.index]
    return pd.DataFrame(rows, columns=["claim_id", "verdict", "chart", "params", "name"])
