"""How the fact check is shown: verdict colours and labels, a claim's evidence as Markdown, and
the verdicts-per-theme chart.

The rows come from :mod:`sco_research.fact_check`; this module only draws and formats them.
matplotlib is imported by the chart function only.

Examples
--------
>>> from sco_research import fact_check_views as views
>>> views.VERDICT_COLORS["overstated"]
'#E69F00'
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._checks import check_choice
from .data import load
from .errors import ParameterError
from .fact_check import VERDICTS, as_text, evidence, evidence_for, verdicts_per_theme_rows

__all__ = ["VERDICT_COLORS", "evidence_html", "evidence_markdown", "verdict_label",
           "verdict_legend_html", "verdicts_per_theme_chart"]

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


def _title(rows: pd.DataFrame) -> str:
    counts = rows["verdict"].value_counts()
    parts = [f"{counts[v]} {_LABELS[v]}" for v in VERDICTS if counts.get(v, 0)]
    if len(parts) > 1:
        parts = [", ".join(parts[:-1]) + " and " + parts[-1]]
    n = len(rows)
    return f"Of the {n} claim{'s' if n != 1 else ''} checked: {parts[0]}"


def verdicts_per_theme_chart(theme: str | None = None, verdict: str | None = None, ax=None):
    """One bar per theme, one box per claim, coloured by verdict and labelled with its id.

    Parameters
    ----------
    theme, verdict : str, optional
        Filters, as for :func:`sco_research.fact_check.claim_checks`.
    ax : matplotlib Axes, optional
        Draw into this Axes.

    Returns
    -------
    matplotlib.figure.Figure
        Titled with the count of each verdict (computed from the rows), with a source line.

    Raises
    ------
    ParameterError
        Unknown theme or verdict, or a filter that leaves no claim.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = verdicts_per_theme_chart()
    >>> fig.axes[0].get_title(loc="left")
    'Of the 20 claims checked: 11 supported, 6 partly supported, 1 overstated, 1 unverifiable \
and 1 opinion'
    """
    from matplotlib.patches import Patch

    from ._plotting import add_source_line, new_figure, set_title

    rows = verdicts_per_theme_rows(theme=theme, verdict=verdict)
    if rows.empty:
        raise ParameterError(f"theme={theme!r}, verdict={verdict!r}: no claim has this theme "
                             "and verdict; drop a filter or choose another value")
    themes = list(dict.fromkeys(rows["theme"]))
    fig, ax = new_figure((8.0, 0.45 * len(themes) + 1.6), ax=ax)
    for rec in rows.itertuples(index=False):
        y = themes.index(rec.theme)
        ax.barh(y, 0.92, left=rec.position, height=0.7, color=VERDICT_COLORS[rec.verdict],
                edgecolor="white")
        ax.text(rec.position + 0.46, y, rec.claim_id, ha="center", va="center", fontsize=7.5,
                color="black")
    ax.set_yticks(range(len(themes)), [t.replace("_", " ") for t in themes])
    ax.invert_yaxis()
    ax.set_xlabel("claims")
    ax.set_xlim(0, rows["position"].max() + 1.2)
    ax.xaxis.get_major_locator().set_params(integer=True)
    shown = [v for v in VERDICTS if v in set(rows["verdict"])]
    ax.legend(handles=[Patch(color=VERDICT_COLORS[v], label=_LABELS[v]) for v in shown],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5)
    day = pd.Timestamp(rows["checked_on"].max()).date()
    set_title(ax, _title(rows), f"Verdicts on the TEMPO.CO article of 4 July 2024, by theme; "
                                f"as of {day}")
    n_sources = evidence()["source_id"].nunique()
    add_source_line(fig, rows["source_id"], width=110,
                    note=f"Verdicts: our check against {n_sources} cited sources "
                         "(data/claim_evidence.csv).")
    return fig


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
                 f"as of {as_text(r['checked_on'])}). {_md(r['finding'])}"]
    else:
        f = load("article_findings").set_index("finding_id").loc[claim_id]
        lines = [f"**{claim_id}** (paragraph {f['paragraph']}, "
                 f"{str(f['kind']).replace('_', ' ')})",
                 "",
                 f"{_md(f['finding'])} (as of {as_text(f['checked_on'])})"]
    lines += ["", "Evidence:", ""]
    for e in ev.itertuples(index=False):
        note = f"; {_md(e.note)}" if as_text(e.note) else ""
        lines.append(f"- {e.stance}: {_md(e.what)} ({e.table} {_md(e.key)}{note}). Source: "
                     f"[{_md(e.publisher)}, {_md(e.title)}]({_url(e.url)})"
                     + (f", {as_text(e.published)}" if as_text(e.published) else ""))
    return "\n".join(lines)


def evidence_html(claim_id: str) -> str:
    """One claim (or finding) as HTML: what it says, the verdict, the finding, linked sources.

    The same content as :func:`evidence_markdown`, for pages that show HTML outputs only: a
    ``<section>`` anchored ``claim-<id>`` (or ``finding-<id>``), so the verdict table can link
    to it, with the evidence folded under ``<details>``.

    Examples
    --------
    >>> html_text = evidence_html("c16")
    >>> html_text.count("<a href=") == len(evidence_for("c16"))
    True
    >>> html_text.startswith('<section class="sco-claim" id="claim-c16">'), "<details>" in html_text
    (True, True)
    """
    from html import escape as esc

    ev = evidence_for(claim_id)
    checks = load("claim_checks").set_index("claim_id")
    if claim_id in checks.index:
        c = load("claims").set_index("claim_id").loc[claim_id]
        r = checks.loc[claim_id]
        head = (f"<p><strong>{esc(claim_id)}</strong> (paragraph {c['paragraph']}, "
                f"{esc(str(c['theme']))}): <em>{esc(str(c['claim']))}</em></p>"
                f"<p>{verdict_label(str(r['verdict']))} (checks: {esc(str(r['checks']))}; as of "
                f"{as_text(r['checked_on'])}). {esc(str(r['finding']))}</p>")
    else:
        f = load("article_findings").set_index("finding_id").loc[claim_id]
        head = (f"<p><strong>{esc(claim_id)}</strong> (paragraph {f['paragraph']}, "
                f"{esc(str(f['kind']).replace('_', ' '))})</p>"
                f"<p>{esc(str(f['finding']))} (as of {as_text(f['checked_on'])})</p>")
    items = []
    for e in ev.itertuples(index=False):
        note = f"; {esc(as_text(e.note))}" if as_text(e.note) else ""
        date = f", {as_text(e.published)}" if as_text(e.published) else ""
        items.append(f"<li>{esc(str(e.stance))}: {esc(str(e.what))} ({esc(str(e.table))} "
                     f"{esc(str(e.key))}{note}). Source: <a href=\"{esc(str(e.url))}\">"
                     f"{esc(str(e.publisher))}, {esc(str(e.title))}</a>{date}</li>")
    anchor = f"{'claim' if claim_id in checks.index else 'finding'}-{esc(claim_id)}"
    rows = f"{len(items)} row" + ("" if len(items) == 1 else "s")
    return (f'<section class="sco-claim" id="{anchor}">{head}<details><summary>Evidence: '
            f"{rows}, with their sources</summary><ul>{''.join(items)}</ul></details></section>")


def verdict_legend_html() -> str:
    """Each verdict's coloured label and meaning, as an HTML list.

    Examples
    --------
    >>> verdict_legend_html().count("<li>")
    6
    """
    from html import escape as esc

    from .fact_check import verdict_meanings

    items = "".join(f"<li>{verdict_label(r.verdict)} {esc(r.meaning)}</li>"
                    for r in verdict_meanings().itertuples())
    return f"<ul>{items}</ul>"
