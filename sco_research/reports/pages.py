"""STAND-IN for the report pages (the real module, with Jinja templates, comes from another branch).

Only the fixed API the renderer calls: :func:`report_page`, :func:`report_summary` and
:func:`index_page`. Text from data or parameters is escaped; images are embedded as data URIs;
no request leaves the page.

Examples
--------
>>> report_summary({"cells": [{"cell_type": "markdown", "source": "# T\\n\\nFirst words."}]})
'First words.'
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

__all__ = ["index_page", "report_page", "report_summary"]

_CSS = ("body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;"
        "padding:0 1rem}img{max-width:100%}pre{white-space:pre-wrap}"
        ".card{border:1px solid #ddd;padding:.5rem;margin:.5rem 0}.error{color:#a33}")


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def report_summary(nb: Mapping) -> str:
    """The first paragraph of the notebook's first markdown cell that is not a heading."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for para in _text(cell.get("source")).split("\n\n"):
            para = " ".join(para.split())
            if para and not para.startswith("#"):
                return para
    return ""


def _output(output: Mapping) -> str:
    esc = html.escape
    if output.get("output_type") == "stream":
        return f"<pre>{esc(_text(output.get('text')))}</pre>"
    if output.get("output_type") == "error":
        return f'<pre class="error">{esc(output.get("ename", ""))}: ' \
               f'{esc(output.get("evalue", ""))}</pre>'
    data = output.get("data") or {}
    alt = ((output.get("metadata") or {}).get("sco_research") or {}).get("alt") \
        or _text(data.get("text/plain")) or "figure"
    if "image/png" in data:
        return f'<img alt="{esc(alt)}" src="data:image/png;base64,{_text(data["image/png"])}">'
    if "text/html" in data:
        return _text(data["text/html"])
    if "text/plain" in data:
        return f"<pre>{esc(_text(data['text/plain']))}</pre>"
    return ""


def report_page(nb: Mapping, *, report: Mapping) -> str:
    """The HTML page of one executed notebook: outputs and narrative, no code."""
    esc = html.escape
    body = [f"<p><a href=\"../index.html\">All reports</a></p><h1>{esc(report['title'])}</h1>"]
    rows = "".join(
        f"<tr><td><code>{esc(p['name'])}</code></td><td><code>{esc(p['value'])}</code></td>"
        f"<td>{esc(p['origin'])}</td></tr>" for p in report.get("parameters", []))
    body.append(f"<p>Report <code>{esc(report['name'])}</code>, rendered "
                f"{esc(report['rendered_at'])}.</p><table>{rows}</table>")
    for cell in nb.get("cells", []):
        tags = (cell.get("metadata") or {}).get("tags") or []
        if "injected-parameters" in tags or "parameters" in tags:
            continue
        if cell.get("cell_type") == "markdown":
            body.append(f"<pre>{esc(_text(cell.get('source')))}</pre>")
        for output in cell.get("outputs", []) or []:
            body.append(_output(output))
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
            f"{esc(report['title'])}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def index_page(manifest: Mapping) -> str:
    """The index: one card per report with thumbnail, summary, parameters, status and links."""
    esc = html.escape
    cards = []
    for r in manifest.get("reports", []):
        link = r.get("html")
        parts = [f"<h2>{esc(r['title'])}</h2>", f"<p>{esc(r['status'])}</p>",
                 f"<p>{esc(r.get('summary') or '')}</p>"]
        if r.get("thumbnail"):
            parts.append(f'<img src="{esc(r["thumbnail"])}" alt="first figure of '
                         f'{esc(r["title"])}">')
        parts.append("<table>" + "".join(
            f"<tr><td>{esc(str(k))}</td><td>{esc(repr(v))}</td></tr>"
            for k, v in (r.get("parameters") or {}).items()) + "</table>")
        links = [f'<a href="{esc(x)}">{esc(x)}</a>' for x in
                 [link, r.get("ipynb"), *(r.get("figures") or []), r.get("failed_ipynb")] if x]
        if r.get("status") in ("failed", "interrupted") and r.get("error"):
            parts.append(f'<pre class="error">Last attempt failed: {esc(r["error"])}</pre>')
        parts.append(" · ".join(links))
        cards.append(f'<article class="card" id="{esc(r["name"])}">{"".join(parts)}</article>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SCO "
            f"research reports</title><style>{_CSS}</style></head><body><h1>SCO research "
            f"reports</h1>{''.join(cards)}</body></html>\n")
