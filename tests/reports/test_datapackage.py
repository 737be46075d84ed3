"""Tests of sco_research.reports.datapackage: the copy of the data package the index links."""

from __future__ import annotations

import csv

import pytest

import sco_research as sco
from sco_research import paths
from sco_research.errors import DataError
from sco_research.reports.datapackage import copy_data_package


# ---------------------------------------------------------------------------------------------
def test_copy_data_package_copies_every_table_and_counts_rows(tmp_path):
    info = copy_data_package(tmp_path)
    assert info["data_package"] == "data/datapackage.json"
    assert (tmp_path / "data" / "datapackage.json").read_bytes() == paths.DATAPACKAGE.read_bytes()
    by_name = {t["name"]: t for t in info["data_tables"]}
    for name in ("sources", "claims", "trade"):
        assert (tmp_path / by_name[name]["path"]).is_file()
        assert by_name[name]["rows"] == len(sco.load(name))
    with open(tmp_path / "data" / "claims.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == by_name["claims"]["rows"]


def test_data_links_refuse_a_folder_without_descriptor(tmp_path):
    with pytest.raises(DataError, match=r"data package descriptor not found: '.*nowhere"
                                        r"/datapackage\.json'; give the folder"):
        copy_data_package(tmp_path / "out", tmp_path / "nowhere")
    (tmp_path / "datapackage.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(DataError, match=r"datapackage\.json' is not a JSON data package "
                                        r"descriptor: Expecting property name"):
        copy_data_package(tmp_path / "out", tmp_path)


def test_claim_reviews_json_is_written_beside_the_copy_and_follows_the_data(package_copy,
                                                                             tmp_path):
    import json

    out = tmp_path / "out"
    info = copy_data_package(out, package_copy)
    assert info["claim_reviews"] == "data/claim_reviews.json"
    assert [a["article_id"] for a in info["articles"]] == ["a1", "a2"]
    graph = json.loads((out / info["claim_reviews"]).read_text(encoding="utf-8"))
    assert graph["@context"] == "https://schema.org"
    assert len(graph["@graph"]) == len(sco.load("claim_checks"))
    first = graph["@graph"][0]
    assert first["@type"] == "ClaimReview"
    assert first["url"] == "../claims-check-a1/claims-check-a1.html#claim-c01"
    # a changed verdict reaches the file on the next copy
    path = package_copy / "claim_checks.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("a2-c07,attribution,supported",
                                 "a2-c07,attribution,overstated"), encoding="utf-8")
    copy_data_package(out, package_copy)
    graph = json.loads((out / info["claim_reviews"]).read_text(encoding="utf-8"))
    review = next(r for r in graph["@graph"] if r["url"].endswith("#claim-a2-c07"))
    assert review["reviewRating"]["alternateName"] == "overstated"
