"""The bibliography: sources by tier and publisher, citation counts, the figure, notebook 07."""

from __future__ import annotations

import csv
import json
from collections import Counter

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import papermill as pm  # noqa: E402
import pytest  # noqa: E402

from sco_research import bibliography as bib  # noqa: E402
from sco_research import data, paths  # noqa: E402
from sco_research.data import DataPackage  # noqa: E402
from sco_research.errors import ParameterError  # noqa: E402

from .conftest import edit_csv, run_notebook  # noqa: E402


# -- direct counts over the CSV files, without the library ------------------------------------
def _read(base, name):
    descriptor = json.loads((base / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in descriptor["resources"]}[name]
    with (base / res["path"]).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _direct_citations(base=paths.DATA_DIR) -> Counter:
    """(source_id, table) -> rows, read straight from the files the descriptor lists."""
    descriptor = json.loads((base / "datapackage.json").read_text(encoding="utf-8"))
    counts: Counter = Counter()
    for res in descriptor["resources"]:
        fields = [f["name"] for f in res.get("schema", {}).get("fields", [])]
        if res["name"] == "sources" or "source_id" not in fields:
            continue
        for row in _read(base, res["name"]):
            counts[(row["source_id"], res["name"])] += 1
    return counts


@pytest.fixture
def copied(package_copy, monkeypatch):
    """The library reads a copy of the data package; returns the copy's folder."""
    monkeypatch.setattr(data, "_default", DataPackage(package_copy / "datapackage.json"))
    return package_copy


# -- tiers and filters ------------------------------------------------------------------------
def test_tiers_follow_the_descriptor_from_primary_to_secondary():
    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    sources = {r["name"]: r for r in descriptor["resources"]}["sources"]
    enum = [f for f in sources["schema"]["fields"] if f["name"] == "tier"][0]["constraints"]["enum"]
    assert bib.tiers() == tuple(enum) == ("primary", "official_via_news", "secondary")
    assert bib.tiers("primary") == ("primary",)


def test_bad_tier_names_argument_value_and_allowed_set():
    with pytest.raises(ParameterError, match=r"^tier: unknown tier 'Primary'; did you mean "
                       r"'primary'\? Allowed: 'primary', 'official_via_news', 'secondary'$"):
        bib.sources_by_tier(tier="Primary")
    with pytest.raises(ParameterError, match=r"^tier: unknown tier 3\. Allowed: 'primary'"):
        bib.publishers(tier=3)


def test_bad_publisher_names_argument_value_and_suggests():
    with pytest.raises(ParameterError, match=r"^publisher: unknown publisher 'Tass'; did you "
                       r"mean 'TASS'\? Allowed: .*\(\d+ in all\)$"):
        bib.sources_by_tier(publisher="Tass")


def test_a_tier_the_publisher_does_not_have_is_refused_with_the_tiers_it_has():
    with pytest.raises(ParameterError, match=r"^tier/publisher: no source of publisher 'TASS' "
                       r"has tier 'primary'; its sources are: 'official_via_news'$"):
        bib.sources_by_tier("primary", "TASS")


# -- citations and the bibliography ------------------------------------------------------------
def test_citations_equal_a_direct_count_over_the_tables():
    c = bib.citations()
    got = {(r.source_id, r.table): r.rows for r in c.itertuples()}
    assert got == dict(_direct_citations())
    assert "sources" not in set(c["table"])


def test_every_source_once_with_its_counts_and_cited_by():
    s = bib.sources_by_tier()
    raw = _read(paths.DATA_DIR, "sources")
    assert sorted(s["source_id"]) == sorted(r["source_id"] for r in raw)
    direct = _direct_citations()
    for rec in s.itertuples():
        per_table = {t: n for (sid, t), n in direct.items() if sid == rec.source_id}
        assert rec.cited_rows == sum(per_table.values())
        parsed = dict(p.rsplit(" ", 1) for p in rec.cited_by.split(", ")) if rec.cited_by else {}
        assert {t: int(n) for t, n in parsed.items()} == per_table
        counts = [int(n) for n in parsed.values()]
        assert counts == sorted(counts, reverse=True)  # most citing table first


def test_uncited_sources_have_zero_rows_and_empty_cited_by():
    s = bib.sources_by_tier()
    cited = {sid for sid, _ in _direct_citations()}
    uncited = s[~s["source_id"].isin(cited)]
    assert (uncited["cited_rows"] == 0).all() and (uncited["cited_by"] == "").all()
    assert (s.loc[s["source_id"].isin(cited), "cited_rows"] > 0).all()


def test_sorted_by_tier_then_publisher():
    s = bib.sources_by_tier()
    order = {t: i for i, t in enumerate(bib.tiers())}
    keys = list(zip(s["tier"].astype(str).map(order), s["publisher"].str.casefold(), strict=True))
    assert keys == sorted(keys)
    assert list(s.columns[:8]) == ["tier", "publisher", "title", "title_kind", "published",
                                   "accessed", "kind", "url"]


def test_filters_keep_exactly_the_matching_sources():
    raw = _read(paths.DATA_DIR, "sources")
    for tier in bib.tiers():
        got = bib.sources_by_tier(tier=tier)
        assert sorted(got["source_id"]) == sorted(r["source_id"] for r in raw
                                                  if r["tier"] == tier)
    tass = bib.sources_by_tier(publisher="TASS")
    assert sorted(tass["source_id"]) == sorted(r["source_id"] for r in raw
                                               if r["publisher"] == "TASS")


def test_counts_follow_the_data_when_a_row_changes_its_source(copied):
    trade = _read(copied, "trade")
    old = trade[0]["source_id"]
    new = "tempo-2024-07-04-eurasian-security-club"
    before = bib.sources_by_tier().set_index("source_id")["cited_rows"]
    edit_csv(copied / "trade.csv", f",{old},", f",{new},")
    data.default_package().clear_cache()  # the copy's tables are read again
    after = bib.sources_by_tier().set_index("source_id")
    assert after.loc[old, "cited_rows"] == before[old] - 1
    assert after.loc[new, "cited_rows"] == before[new] + 1
    assert "trade " in after.loc[new, "cited_by"]
    assert dict(_direct_citations(copied)) == {
        (r.source_id, r.table): r.rows for r in bib.citations().itertuples()}


def test_publishers_count_sources_per_tier_and_citing_rows():
    p = bib.publishers()
    raw = _read(paths.DATA_DIR, "sources")
    per_tier = Counter((r["publisher"], r["tier"]) for r in raw)
    direct = _direct_citations()
    rows_of = Counter()
    publisher_of = {r["source_id"]: r["publisher"] for r in raw}
    for (sid, _), n in direct.items():
        rows_of[publisher_of[sid]] += n
    assert sorted(p["publisher"]) == sorted({r["publisher"] for r in raw})
    for rec in p.itertuples():
        for tier in bib.tiers():
            assert getattr(rec, tier) == per_tier[(rec.publisher, tier)]
        assert rec.sources == sum(per_tier[(rec.publisher, t)] for t in bib.tiers())
        assert rec.cited_rows == rows_of[rec.publisher]
    keys = list(zip(-p["sources"], -p["cited_rows"], p["publisher"].str.casefold(), strict=True))
    assert keys == sorted(keys)


def test_publishers_of_one_tier_leave_out_the_others():
    p = bib.publishers("primary")
    assert (p["sources"] == p["primary"]).all() and (p["secondary"] == 0).all()
    assert int(p["sources"].sum()) == sum(r["tier"] == "primary"
                                          for r in _read(paths.DATA_DIR, "sources"))


# -- title kinds and the narrative --------------------------------------------------------------
def test_title_kinds_and_reasons_match_the_sources_table():
    raw = _read(paths.DATA_DIR, "sources")
    kinds = Counter(r["title_kind"] for r in raw)
    t = bib.title_kinds().set_index("title_kind")
    assert {k: int(v) for k, v in t["sources"].items()} == {
        k: kinds[k] for k in ("headline", "headline_from_url", "descriptive")}
    assert t.loc["descriptive", "share"] == pytest.approx(kinds["descriptive"] / len(raw))
    reasons = bib.descriptive_reasons()
    assert int(reasons["sources"].sum()) == kinds["descriptive"]
    assert not reasons["reason"].str.contains(";").any()


def test_reason_is_the_first_clause_of_the_note():
    assert bib._reason("Headline not shown; title is ours.") == "Headline not shown"
    assert bib._reason("No headline. Date from the URL") == "No headline"
    assert bib._reason(None) == "no reason recorded in the note"


def test_overview_states_the_computed_counts():
    raw = _read(paths.DATA_DIR, "sources")
    text = bib.overview()
    n_desc = sum(r["title_kind"] == "descriptive" for r in raw)
    n_primary = sum(r["tier"] == "primary" for r in raw)
    assert text.startswith(f"**{len(raw)} sources**")
    assert f"{n_primary} primary" in text
    assert f"{n_desc} ({100 * n_desc / len(raw):.0f}%) are our own description" in text


def test_split_by_tier_and_captions():
    s = bib.sources_by_tier()
    parts = bib.split_by_tier(s)
    assert list(parts) == [t for t in bib.tiers() if (s["tier"] == t).any()]
    assert sum(len(v) for v in parts.values()) == len(s)
    assert bib.tier_caption("secondary", parts["secondary"]).startswith(
        f"Secondary sources: {len(parts['secondary'])} from ")


# -- notebook 07 -------------------------------------------------------------------------------
def _outputs(nb):
    return [o for c in nb.cells for o in c.get("outputs", [])]


def test_notebook_defaults(tmp_path):
    out = tmp_path / "figs"
    nb = run_notebook("07-sources.ipynb", tmp_path, output_dir=str(out))
    s = bib.sources_by_tier()
    expected = {f"sources-{t}.csv" for t in bib.tiers()} | {
        "sources-by-tier.png", "sources-by-tier.svg", "sources-by-tier.csv"}
    assert {p.name for p in out.iterdir()} == expected
    for t in bib.tiers():
        saved = pd.read_csv(out / f"sources-{t}.csv", keep_default_na=False)
        assert list(saved.columns) == bib.TABLE_COLUMNS
        assert list(saved["source_id"]) == list(s.loc[s["tier"] == t, "source_id"])
    records = [o["metadata"]["sco_research"] for o in _outputs(nb)
               if "sco_research" in o.get("metadata", {})]
    assert [r["name"] for r in records] == ["sources-by-tier", *(f"sources-{t}"
                                                                 for t in bib.tiers())]
    markdown = "".join(o.get("data", {}).get("text/markdown", "") for o in _outputs(nb))
    assert markdown == bib.overview()


def test_notebook_with_a_publisher_filter(tmp_path):
    out = tmp_path / "figs"
    run_notebook("07-sources.ipynb", tmp_path, publisher="Kremlin", top=3, output_dir=str(out))
    assert sorted(p.name for p in out.glob("*.csv")) == ["sources-by-tier.csv",
                                                         "sources-primary.csv"]
    saved = pd.read_csv(out / "sources-primary.csv")
    assert set(saved["publisher"]) == {"Kremlin"}


def test_notebook_bad_tier_fails_clearly(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match=r"tier: unknown tier 'tertiary'"):
        run_notebook("07-sources.ipynb", tmp_path, tier="tertiary")
