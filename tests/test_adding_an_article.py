"""docs/adding-an-article.md stays true: the files, tables, columns, names and commands it cites."""

from __future__ import annotations

import re

import pytest
import yaml

import sco_research as sco
from sco_research import paths

from .test_docs import _inline_code, dotted_names, missing_targets, unresolved_names

ROOT = paths.PROJECT_ROOT
DOC = ROOT / "docs" / "adding-an-article.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _paths(text: str) -> list[str]:
    return [c for c in _inline_code(text)
            if re.fullmatch(r"(data|docs|tests|scripts|notebooks)/[\w./-]+", c)]


def _step(text: str, n: int) -> str:
    match = re.search(rf"^## {n}\. .*?\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert match, f"no step {n}"
    return match.group(1)


def test_every_file_the_doc_names_exists(doc):
    named = _paths(doc)
    assert len(named) > 10
    assert [p for p in named if not (ROOT / p).exists()] == []


def test_every_table_the_doc_names_is_in_the_package(doc):
    tables = {p.rsplit("/", 1)[1][:-4] for p in _paths(doc) if p.endswith(".csv")}
    assert {"articles", "claims", "quotes", "claim_checks", "claim_evidence"} <= tables
    assert tables <= set(sco.tables()["name"])


def test_every_table_with_an_article_id_is_in_step_3(doc):
    step = _step(doc, 3)
    with_article = {name for name in sco.tables()["name"]
                    if "article_id" in sco.load(name).columns
                    and name not in ("articles", "article_shingles")}
    assert with_article >= {"claims", "quotes", "claim_checks", "article_findings",
                            "claim_evidence"}
    assert [t for t in sorted(with_article) if f"`data/{t}.csv`" not in step] == []


def test_every_column_and_value_of_step_2_is_in_the_articles_table(doc):
    fields = {f["name"] for f in sco.DataPackage().resource("articles")["schema"]["fields"]}
    named = {c for c in _inline_code(_step(doc, 2)) if re.fullmatch(r"[a-z_]+", c)}
    assert named - {"news", "kind"} <= fields | {"published", "accessed"}
    assert {"article_id", "outlet", "headline", "url", "language", "author"} <= named


def test_every_verdict_and_stance_the_doc_names_exists(doc):
    from sco_research.fact_check import STANCES, VERDICTS

    words = set(_inline_code(_step(doc, 3)))
    assert {"supported", "partly_supported", "overstated", "contradicted"} <= set(VERDICTS)
    assert words & set(VERDICTS) == {"supported", "partly_supported", "overstated",
                                     "contradicted"}
    assert set(STANCES) <= words


def test_every_function_and_make_target_exists(doc):
    assert {"corpus.shingles", "corpus.repeated_runs", "fact_check.evidence",
            "claim_review.claim_reviews", "claim_review.claim_review_graph"} <= set(
        dotted_names(doc))
    assert unresolved_names(doc) == []
    assert missing_targets(doc, ROOT / "Makefile") == []


def test_the_report_grids_the_doc_names_cover_every_article(doc):
    entries = yaml.safe_load((ROOT / "reports.yaml").read_text(encoding="utf-8"))["reports"]
    for name in ("article-facts-{article}", "claims-check-{article}"):
        assert f"`{name}`" in doc
        entry = next(e for e in entries if e["name"] == name)
        assert entry["grid"]["article"] == sco.articles()["article_id"].tolist()


def test_the_paragraph_counts_the_doc_points_to_cover_every_article():
    from .test_facts import PARAGRAPHS

    assert sorted(PARAGRAPHS) == sorted(sco.articles()["article_id"])


def test_a_missing_file_is_caught(doc):
    text = doc + "\nThen edit `data/no_such_table.csv`.\n"
    assert [p for p in _paths(text) if not (ROOT / p).exists()] == ["data/no_such_table.csv"]
