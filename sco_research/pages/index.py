"""The index of all reports (``reports/index.html``): one card per report, grouped by article.

Examples
--------
>>> page = index_page({"reports": [{"name": "a", "title": "Map on 2017-06-09", "status": "ok",
...                                 "html": "a/a.html", "parameters": {"labels": True}}]})
>>> "Map on 9 June 2017" in page and "<td>yes</td>" in page
True
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .._days import dates_in_words, day_words, time_words
from ._shared import env, package_version, squash, value_words

__all__ = ["index_page"]


def _card(entry: Mapping) -> dict:
    figures = [f for f in entry.get("figures") or [] if f != entry.get("thumbnail")]
    duration = entry.get("duration_s")
    return {
        **{k: entry.get(k) for k in ("name", "html", "ipynb", "thumbnail", "error",
                                     "failed_ipynb", "reason", "notebook")},
        "title": dates_in_words(squash(entry.get("title") or entry.get("name"))),
        "rendered_at": time_words(entry.get("rendered_at")),
        "status": entry.get("status") or "never-rendered",
        "summary": squash(entry.get("summary")),
        "duration": f"{duration:.1f} s" if isinstance(duration, (int, float)) else None,
        "parameters": [{"name": str(k), "value": value_words(str(k), v)}
                       for k, v in (entry.get("parameters") or {}).items()],
        "files": [{"href": f, "label": Path(f).name} for f in figures],
        "article": (entry.get("parameters") or {}).get("article"),
    }


def _groups(reports: list[dict], articles: list[Mapping]) -> list[dict]:
    """The cards grouped by the article they are about, then the rest (no heading if alone)."""
    known = {str(a.get("article_id")): a for a in articles}
    ids = list(dict.fromkeys([*known, *(r["article"] for r in reports if r["article"])]))
    groups = []
    for aid in ids:
        cards = [r for r in reports if r["article"] == aid]
        if not cards:
            continue
        a = known.get(aid) or {}
        title = (f"{a['outlet']}, {day_words(a.get('published'))}: {a['headline']}"
                 if a.get("outlet") and a.get("headline") else f"Article {aid}")
        groups.append({"id": f"article-{aid}", "title": title, "article": aid,
                       "url": a.get("url"), "reports": cards})
    rest = [r for r in reports if not r["article"]]
    if rest or not groups:
        groups.append({"id": "context", "title": "Context: the SCO's members, trade, currencies "
                       "and sources" if groups else "", "article": None, "url": None,
                       "reports": rest})
    return groups


def index_page(manifest: Mapping) -> str:
    """The index of the rendered reports (``reports/index.html``).

    One card per report (thumbnail, title, status, summary, parameters, run time, links),
    grouped by the article a report is about (its ``article`` parameter; headed with the
    outlet, day in words and headline from ``manifest["articles"]``), the other reports last; a
    search box that filters the cards (without JavaScript all cards are shown), a link to the
    membership explorer when ``manifest["explorer"]`` names it, and a "Data and sources"
    section that links the copied data package and its tables when ``manifest`` has the keys
    that :func:`sco_research.reports.datapackage.copy_data_package` returns.

    Parameters
    ----------
    manifest : dict
        What the renderer writes to ``manifest.json``: ``reports`` (entries with ``name``,
        ``title``, ``status``, ``html``, ``ipynb``, ``figures``, ``thumbnail``, ``parameters``,
        ``duration_s``, ``error``, ``summary``...) and optionally ``generated_at``,
        ``explorer``, ``data_package`` (paths relative to the index) and ``data_tables``.

    Examples
    --------
    >>> page = index_page({"reports": [{"name": "a", "title": "<A>", "status": "ok",
    ...                                 "html": "a/a.html", "summary": "About A."}]})
    >>> '<a href="a/a.html">&lt;A&gt;</a>' in page and "About A." in page
    True
    """
    reports = [_card(e) for e in manifest.get("reports") or []]
    counts: dict[str, int] = {}
    for r in reports:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    package = manifest.get("data_package")
    return env().get_template("index.html").render(
        reports=reports, groups=_groups(reports, manifest.get("articles") or []),
        counts=counts, generated_at=time_words(manifest.get("generated_at")),
        explorer=manifest.get("explorer"), data_package=package,
        tables=manifest.get("data_tables") or [] if package else [],
        version=package_version(),
    )
