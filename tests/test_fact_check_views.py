import pytest

import sco_research as sco
from sco_research import fact_check
from sco_research import fact_check_views as views
from sco_research.errors import ParameterError


def test_every_verdict_has_its_own_colour():
    assert set(views.VERDICT_COLORS) == set(fact_check.VERDICTS)
    assert len(set(views.VERDICT_COLORS.values())) == len(fact_check.VERDICTS)


def test_verdict_label_is_coloured_and_checks_its_value():
    assert 'style="background:#009E73;' in views.verdict_label("supported")
    with pytest.raises(ParameterError, match=r"verdict: unknown verdict 'fine'"):
        views.verdict_label("fine")


def test_evidence_markdown_links_every_source():
    text = views.evidence_markdown("c11")
    ev = sco.evidence_for("c11")
    assert text.count("](http") == len(ev)
    assert 'class="sco-verdict sco-verdict-supported"' in text
    # a URL with parentheses stays one link target
    assert "EPRS_ATA%282022%29729289" in views.evidence_markdown("c15")


# -- the notebook and its report -------------------------------------------------------------


def test_each_claim_section_carries_its_anchor():
    html = views.evidence_html("a2-c04")
    assert html.startswith('<div class="sco-claim" id="claim-a2-c04">')
    assert html.count("<li>") == len(sco.evidence_for("a2-c04"))
