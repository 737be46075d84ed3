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
    assert html.startswith('<section class="sco-claim" id="claim-a2-c04">')
    assert html.count("<li>") == len(sco.evidence_for("a2-c04"))


def test_the_pages_colour_each_verdict_label_as_the_notebooks_do():
    # The page sanitiser drops inline styles; the pages' style sheet gives each label's class
    # the colour verdict_label gives it inline in JupyterLab.
    from sco_research import paths

    css = (paths.PACKAGE_DIR / "pages" / "templates" / "pages.css").read_text(encoding="utf-8")
    for verdict, colour in views.VERDICT_COLORS.items():
        assert f".sco-verdict-{verdict} {{ background: {colour}; }}" in css
        assert f"sco-verdict-{verdict}" in views.verdict_label(verdict)


def test_the_legend_and_the_sections_write_days_in_words():
    assert views.verdict_legend_html().count("</span>: ") == len(views.VERDICT_COLORS)
    html = views.evidence_html("c15")
    assert "as of 2 December 2026" in html and "as of 2026-" not in html
