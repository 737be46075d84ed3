import pytest

import sco_research as sco
from sco_research import citations, data
from sco_research.errors import ParameterError


def test_citation_helpers_live_in_citations_only():
    assert citations.source_line is sco.source_line
    assert citations.sources_for is sco.sources_for
    assert not hasattr(data, "source_line") and not hasattr(data, "sources_for")


def test_source_line_single_and_summary():
    one = sco.source_line(["tempo-2024-07-04-eurasian-security-club"])
    assert one == ('Source: TEMPO.CO, "Xi Jinping and Putin outline ambitions for Eurasian '
                   'Security Club" (2024-07-04)')
    many = sco.source_line(sco.load("events")["source_id"])
    assert many.startswith("Sources: ") and "data/sources.csv" in many
    with pytest.raises(ParameterError, match="source_ids: unknown source_id 'nope'"):
        sco.source_line(["nope"])


def test_sources_for_lists_cited_rows():
    s = sco.sources_for(sco.load("quotes"))
    assert set(s["source_id"]) == set(sco.load("quotes")["source_id"])
