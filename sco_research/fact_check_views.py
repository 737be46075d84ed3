"""How the fact check is shown: verdict colours and labels, a claim's evidence as Markdown or HTML.

The rows come from :mod:`sco_research.fact_check`; this module only formats them. The
verdicts-per-theme chart is :func:`sco_research.charts.verdicts_per_theme_chart`.

Examples
--------
>>> from sco_research import fact_check_views as views
>>> views.VERDICT_COLORS["overstated"]
'#E69F00'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._checks import check_choice
from ._days import day_words
from .data import load
from .fact_check import VERDICTS, as_text, evidence_for

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["VERDICT_COLORS", "evidence_html", "evidence_markdown", "verdict_label",
           "verdict_legend_html"]

#: Colour of each verdict label (Okabe-Ito palette: safe for colour-blind readers).
VERDICT_COLORS: dict[str, str] = {
    "supported": "#009E73",         # bluish green
    "partly_supported": "#56B4E9",  # sky blue
    "overstated": "#E69F00",        # orange
    "contradicted": "#D55E00",      # vermillion
    "unverifiable": "#999999",      # grey
    "opinion": "#CC79A7",           # reddish purple
}

_LABELS = {v: v.replace("_", " ") for v in VERDICTS}


def verdict_label(verdict: str) -> str:
    """A verdict as a small coloured label (inline HTML, for Markdown cells and pages).

    Examples
    --------
    >>> verdict_label("overstated")  # doctest: +ELLIPSIS
    '<span class="sco-verdict sco-verdict-overstated" style="background:#E69F00;...">overstated...'

    """
    check_choice("verdict", verdict, VERDICTS, kind="verdict")
    return (f'<span class="sco-verdict sco-verdict-{verdict}" style="background:'
            f'{VERDICT_COLORS[verdict]};color:#000;padding:0 0.4em;border-radius:3px">'
            f"{_LABELS[verdict]}</span>")


def _md(text: Any) -> str:
    """Text safe inside Markdown link text and emphasis."""
    out = as_text(text)
    for ch in "\\[]*_`<>":
        out = out.replace(ch, "\\" + ch)
    return out


def _url(url: str) -> str:
    """A URL safe as a Markdown link target (parentheses and spaces percent-encoded)."""
    return str(url).replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _figure_flags(ev: pd.DataFrame) -> dict[str, str]:
    """Per evidence id citing a figure: ' (single source)' or ' (also stated by ...)'."""
    from .corroboration import evidence_corroboration

    flags = {}
    for eid, r in evidence_corroboration(ev).iterrows():
        if r["single_source"]:
            flags[eid] = " (single source)"
        elif int(r["independent_sources"]) >= 2:
            others = [x.rsplit(" (", 1)[0] for x in str(r["corroborated_by"]).split("; ") if x]
            flags[eid] = " (also stated by " + ", ".join(dict.fromkeys(others)) + ")"
    return flags


def _finding(text: str, ev: pd.DataFrame) -> str:
    from .corroboration import mark_single_sources

    return mark_single_sources(text, ev)


def evidence_markdown(claim_id: str) -> str:
    """One claim (or finding) as Markdown: what it says, the verdict, the finding, linked sources.

    Examples
    --------
    >>> print(evidence_markdown("f03").splitlines()[0])
    **f03** (paragraph 1, rewording slip)
    >>> "](https://" in evidence_markdown("c16")
    True
    """
    ev = evidence_for(claim_id)
    checks = load("claim_checks").set_index("claim_id")
    if claim_id in checks.index:
        c = load("claims").set_index("claim_id").loc[claim_id]
        r = checks.loc[claim_id]
        lines = [f"**{claim_id}** (paragraph {c['paragraph']}, {_md(c['theme'])}): "
                 f"*{_md(c['claim'])}*",
                 "",
                 f"{verdict_label(str(r['verdict']))} (checks: {r['checks']}; "
                 f"as of {day_words(r['checked_on'])}). {_md(_finding(r['finding'], ev))}"]
    else:
        f = load("article_findings").set_index("finding_id").loc[claim_id]
        lines = [f"**{claim_id}** (paragraph {f['paragraph']}, "
                 f"{str(f['kind']).replace('_', ' ')})",
                 "",
                 f"{_md(f['finding'])} (as of {day_words(f['checked_on'])})"]
    lines += ["", "Evidence (the finding names each row by its id):", ""]
    flags = _figure_flags(ev)
    for e in ev.itertuples(index=False):
        note = f"; {_md(e.note)}" if as_text(e.note) else ""
        what = as_text(e.what) + flags.get(e.evidence_id, "")
        lines.append(f"- {e.evidence_id} {e.stance}: {_md(what)} ({e.table} {_md(e.key)}"
                     f"{note}). Source: "
                     f"[{_md(e.publisher)}, {_md(e.title)}]({_url(e.url)})"
                     + (f", {as_text(e.published)}" if as_text(e.published) else ""))
    return "\n".join(lines)


def evidence_html(claim_id: str) -> str:
    """One claim (or finding) as HTML: what it says, the verdict, the finding, linked sources.

    The same content as :func:`evidence_markdown`, for pages that show HTML outputs only: a
    ``<section>`` anchored ``claim-<id>`` (the ``url`` of its ClaimReview; ``finding-<id>`` for
    a finding), so the verdict table can link to it, with the evidence folded under
    ``<details>``.

    Examples
    --------
    >>> html_text = evidence_html("c16")
    >>> html_text.count("<a href=") == len(evidence_for("c16"))
    True
    >>> html_text.startswith('<section class="sco-claim" id="claim-c16">'), "<details>" in html_text
    (True, True)
    """
    from html import escape as esc

    from .claim_review import claim_anchor

    ev = evidence_for(claim_id)
    checks = load("claim_checks").set_index("claim_id")
    if claim_id in checks.index:
        c = load("claims").set_index("claim_id").loc[claim_id]
        r = checks.loc[claim_id]
        head = (f"<p><strong>{esc(claim_id)}</strong> (paragraph {c['paragraph']}, "
                f"{esc(str(c['theme']))}): <em>{esc(str(c['claim']))}</em></p>"
                f"<p>{verdict_label(str(r['verdict']))} (checks: {esc(str(r['checks']))}; as of "
                f"{day_words(r['checked_on'])}). {esc(_finding(r['finding'], ev))}</p>")
    else:
        f = load("article_findings").set_index("finding_id").loc[claim_id]
        head = (f"<p><strong>{esc(claim_id)}</strong> (paragraph {f['paragraph']}, "
                f"{esc(str(f['kind']).replace('_', ' '))})</p>"
                f"<p>{esc(str(f['finding']))} (as of {day_words(f['checked_on'])})</p>")
    items = []
    flags = _figure_flags(ev)
    for e in ev.itertuples(index=False):
        note = f"; {esc(as_text(e.note))}" if as_text(e.note) else ""
        date = f", {as_text(e.published)}" if as_text(e.published) else ""
        what = as_text(e.what) + flags.get(e.evidence_id, "")
        items.append(f"<li>{esc(str(e.evidence_id))} {esc(str(e.stance))}: {esc(what)} "
                     f"({esc(str(e.table))} "
                     f"{esc(str(e.key))}{note}). Source: <a href=\"{esc(str(e.url))}\">"
                     f"{esc(str(e.publisher))}, {esc(str(e.title))}</a>{date}</li>")
    anchor = claim_anchor(claim_id) if claim_id in checks.index else f"finding-{claim_id}"
    rows = f"{len(items)} row" + ("" if len(items) == 1 else "s")
    return (f'<section class="sco-claim" id="{esc(anchor)}">{head}<details><summary>Evidence: '
            f"{rows}, with their sources (the finding names each row by its id)</summary>"
            f"<ul>{''.join(items)}</ul></details></section>")


def verdict_legend_html() -> str:
    """Each verdict's coloured label and meaning, as an HTML list.

    Examples
    --------
    >>> verdict_legend_html().count("<li>")
    6
    """
    from html import escape as esc

    from .fact_check import verdict_meanings

    items = "".join(f"<li>{verdict_label(r.verdict)}: {esc(r.meaning)}</li>"
                    for r in verdict_meanings().itertuples())
    return f"<ul>{items}</ul>"
