"""The HTML page of one executed notebook (the index of all reports is :mod:`.index`).

The page comes from a Jinja template (``sco_research/pages/templates/``) over the executed
notebook. It is self-contained and offline: its CSS is inline, figures are the PNGs in its
``figures/`` folder or embedded as ``data:`` URIs, and nothing else is loaded. Every piece of
text from the data, the parameters or the notebook's outputs is escaped (Jinja autoescaping);
only two kinds of output are passed through as HTML: an output whose publish record says
``"kind": "interactive"`` (a chart with its own inline script), and other HTML outputs after
sanitising them with ``bleach`` (tables and text markup only, no scripts, styles or images).

What a page shows, in the order of the notebook:

- the report's title, a one-paragraph summary (:func:`report_summary`) and its parameters,
  in words (:func:`sco_research.pages.value_words`: "9 June 2017", "yes", "all", not Python);
- the notebook's narrative (Markdown cells; code cells are hidden);
- each figure published with :func:`sco_research.publish_figure` as a ``<figure>`` with its alt
  text, caption, downloads (PNG, SVG, CSV) and numbered links to its sources;
- each table published with :func:`sco_research.publish_table`, laid out compactly from its
  JSON rows (no index column, no column blank on every row, units in the header, ``source_id``
  as numbered links, URLs as links, long tables folded under ``<details>``), with its CSV
  download;
- printed text as ``<pre>``, errors with their traceback;
- "Sources" (every source the page cites, numbered), "How to cite" (plain text and BibTeX) and
  a link back to the index.

Examples
--------
>>> from nbformat.v4 import new_markdown_cell, new_notebook
>>> nb = new_notebook(cells=[new_markdown_cell("# Demo\\n\\nWhat this report *shows*.")])
>>> report_summary(nb)
'What this report shows.'
>>> page = report_page(nb, report={"name": "demo", "title": "A <demo>"})
>>> "<h1>A &lt;demo&gt;</h1>" in page and 'href="../index.html"' in page
True
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
import struct
from collections.abc import Iterable, Mapping
from typing import Any

from .._days import dates_in_words, day_words, time_words
from .._published import METADATA_KEY, TABLE_MIME, published
from .._repr import strip_ansi
from ._shared import env, join, markdown, package_version, squash, value_words
from .tables import URL as _URL
from .tables import host as _host
from .tables import link_sections, table_block

__all__ = ["report_page", "report_summary"]

_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# HTML a notebook output may keep after sanitising (pandas tables and text markup).
_SAFE_TAGS = {"a", "abbr", "b", "br", "caption", "code", "details", "div", "em", "h1", "h2",
              "h3", "h4", "h5", "h6", "i", "li", "ol", "p", "pre", "section", "small", "span",
              "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
              "tr", "ul"}
#: Anchors a sanitised output may keep: one section per claim or finding (claim-c05).
_ANCHOR = re.compile(r"^(claim|finding)-[A-Za-z0-9_-]{1,40}$")


def _section_attr(tag: str, name: str, value: str) -> bool:
    return name == "class" or (name == "id" and bool(_ANCHOR.match(value)))


_SAFE_ATTRS = {"*": ["class", "title"], "a": ["href"], "div": ["class", "title", "id"],
               "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan"],
               "section": _section_attr}


def _rows(n: Any) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


# ---------------------------------------------------------------------------------------------
# summary
# ---------------------------------------------------------------------------------------------
def _plain(tokens: Iterable[Any]) -> str:
    """The text of Markdown tokens outside headings, one space between blocks."""
    parts, in_heading = [], False
    for tok in tokens:
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "heading_close":
            in_heading = False
        elif tok.type == "inline" and not in_heading:
            parts.append("".join(" " if c.type in ("softbreak", "hardbreak") else c.content
                                 for c in tok.children or []))
        elif tok.type in ("fence", "code_block") and not in_heading:
            parts.append(tok.content)
    return squash(" ".join(parts))


def _first_markdown(nb: Mapping) -> int | None:
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "markdown":
            return i
    return None


def _published_summary(nb: Mapping) -> str:
    """The sentences the notebook published with ``publish_summary``, joined."""
    found = [squash(r.get("title")) for r in published(nb, "summary")]
    return " ".join(t if t.endswith((".", "!", "?")) else t + "." for t in found if t)


def report_summary(nb: Mapping) -> str:
    """A one-paragraph summary of a notebook: what it published as particular, then its intro.

    It opens with what the notebook published with :func:`sco_research.publish.publish_summary`
    (say, the counts and the newcomers on the day of a map), then gives the text of the first
    Markdown cell: headings are left out, Markdown markup is removed and the blocks
    (paragraphs, list items) are joined into one paragraph. A notebook without either has an
    empty summary.

    Parameters
    ----------
    nb : nbformat.NotebookNode or dict
        The (executed) notebook.

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> nb = new_notebook(cells=[new_markdown_cell("# Title\\n\\nTwo claims:\\n\\n"
    ...                                            "* **c05**: buyers;\\n* `c06`: sanctions.")])
    >>> report_summary(nb)
    'Two claims: c05: buyers; c06: sanctions.'
    >>> report_summary(new_notebook())
    ''
    """
    i = _first_markdown(nb)
    intro = "" if i is None else _plain(markdown().parse(join(nb["cells"][i].get("source", ""))))
    return " ".join(t for t in (_published_summary(nb), intro) if t)


# ---------------------------------------------------------------------------------------------
# cells to blocks
# ---------------------------------------------------------------------------------------------
class _Sources:
    """Numbers the sources a page cites, in order of first appearance."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def number(self, sid: str) -> int:
        if sid not in self.ids:
            self.ids.append(sid)
        return self.ids.index(sid) + 1

    def refs(self, ids: Iterable[str]) -> list[dict]:
        """Numbered references, consecutive numbers folded into ranges: [1]-[4], [7]."""
        nums = sorted({self.number(str(s)) for s in ids if s})
        runs: list[list[int]] = []
        for n in nums:
            if runs and n == runs[-1][-1] + 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        return [{"first": r[0], "last": r[-1]} for r in runs]


def _png_size(b64: str) -> tuple[int, int] | None:
    try:
        head = base64.b64decode(b64[:44])
    except ValueError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or len(head) < 24:
        return None
    return struct.unpack(">II", head[16:24])


def _sanitise(html: str) -> str:
    import bleach

    html = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", html)
    return bleach.clean(html, tags=_SAFE_TAGS, attributes=_SAFE_ATTRS,
                        protocols=["http", "https", "mailto"], strip=True)


def _image(data: Mapping) -> tuple[str, tuple[int, int] | None]:
    """A ``data:`` URI for the image of an output bundle, and its size in pixels (PNG only)."""
    if "image/png" in data:
        b64 = "".join(join(data["image/png"]).split())
        return f"data:image/png;base64,{b64}", _png_size(b64)
    if "image/svg+xml" in data:
        raw = join(data["image/svg+xml"]).encode("utf-8")
        return f"data:image/svg+xml;base64,{base64.b64encode(raw).decode()}", None
    return f"data:image/jpeg;base64,{''.join(join(data['image/jpeg']).split())}", None


def _figure_block(data: Mapping, record: Mapping, sources: _Sources, figures_dir: str) -> dict:
    files = record.get("files") or {}
    saved = record.get("size")
    if files.get("png") and isinstance(saved, (list, tuple)) and len(saved) == 2:
        # The full-size PNG is in figures/ already: the page points at it rather than carry a
        # second copy (the notebook's own display is a small one).
        src, size = f"{figures_dir}/{files['png']}", (int(saved[0]), int(saved[1]))
    else:
        src, size = _image(data)
    labels = {"png": "PNG", "svg": "SVG", "pdf": "PDF", "csv": f"CSV ({_rows(record.get('rows'))})"}
    return {
        "type": "figure", "name": record.get("name", ""), "src": src,
        "width": size[0] if size else None, "height": size[1] if size else None,
        "alt": squash(record.get("alt")) or squash(record.get("title")) or record.get("name"),
        "title": squash(record.get("title")), "subtitle": squash(record.get("subtitle")),
        "downloads": [{"label": labels[k], "href": f"{figures_dir}/{files[k]}"}
                      for k in ("png", "svg", "pdf", "csv") if files.get(k)],
        "refs": sources.refs(record.get("source_ids") or []),
        "note": None,
        "full": f"{figures_dir}/{files['png']}" if files.get("png") else None,
    }


def _output_blocks(cell: Mapping, ctx: dict) -> list[dict]:
    outputs = cell.get("outputs") or []
    published = any((o.get("metadata") or {}).get(METADATA_KEY) for o in outputs)
    widget = any(_WIDGET_MIME in (o.get("data") or {}) for o in outputs)
    blocks: list[dict] = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = strip_ansi(join(out.get("text", "")))
            name = out.get("name", "stdout")
            if blocks and blocks[-1]["type"] == "stream" and blocks[-1]["name"] == name:
                blocks[-1]["text"] += text
            else:
                blocks.append({"type": "stream", "name": name, "text": text})
            continue
        if kind == "error":
            blocks.append({"type": "error", "ename": out.get("ename", "Error"),
                           "evalue": out.get("evalue", ""), "traceback": strip_ansi(
                               "\n".join(join(t) for t in out.get("traceback", [])))})
            continue
        data = out.get("data") or {}
        record = (out.get("metadata") or {}).get(METADATA_KEY) or {}
        rkind = record.get("kind")
        if rkind == "summary":
            continue  # it opens the page's summary (report_summary)
        if rkind == "jsonld" and "application/ld+json" in data:  # e.g. ClaimReview, kept whole
            from ..claim_review import jsonld_script

            doc = data["application/ld+json"]
            doc = json.loads(doc) if isinstance(doc, str) else doc
            blocks.append({"type": "html", "html": jsonld_script(doc), "cls": "jsonld"})
        elif rkind == "interactive" and "text/html" in data:
            ctx["sources"].refs(record.get("source_ids") or [])
            blocks.append({"type": "html", "html": join(data["text/html"]), "cls": "interactive"})
        elif rkind == "figure" and "image/png" in data:
            blocks.append(_figure_block(data, record, ctx["sources"], ctx["figures_dir"]))
        elif rkind == "table" and TABLE_MIME in data:
            payload = data[TABLE_MIME]
            payload = json.loads(payload) if isinstance(payload, str) else payload
            blocks.append(table_block(payload, record, ctx["sources"], ctx["figures_dir"]))
        elif _WIDGET_MIME in data:
            continue  # a live widget: its static fallback (if any) is another output
        elif kind == "execute_result" and published and set(data) <= {"text/plain"}:
            continue  # the record a publish call returned, echoed by the cell
        elif "text/html" in data:
            blocks.append({"type": "html", "html": _sanitise(join(data["text/html"])),
                           "cls": "output-html"})
        elif "image/png" in data or "image/svg+xml" in data or "image/jpeg" in data:
            heading = ctx["heading"]
            alt = f"{heading}: {ctx['title']}" if heading else ctx["title"]
            block = _figure_block(data, {"alt": alt}, ctx["sources"], ctx["figures_dir"])
            if widget:
                block["note"] = ("A still image of an interactive control, which works only "
                                 "when the notebook runs in JupyterLab.")
            blocks.append(block)
        elif "text/markdown" in data:
            blocks.append({"type": "html", "html": markdown().render(join(data["text/markdown"])),
                           "cls": "output-markdown"})
        elif "text/plain" in data:
            blocks.append({"type": "stream", "name": "result", "text": join(data["text/plain"])})
    return blocks


def _cell_blocks(nb: Mapping, title: str) -> tuple[list[dict], list[str]]:
    md = markdown()
    ctx: dict[str, Any] = {"sources": _Sources(), "heading": "", "title": title,
                           "figures_dir": "figures"}
    blocks: list[dict] = []
    first = _first_markdown(nb)
    for i, cell in enumerate(nb.get("cells", [])):
        ctype = cell.get("cell_type")
        if ctype == "markdown":
            if i == first:  # shown as the page's title and summary
                continue
            tokens = md.parse(join(cell.get("source", "")))
            for tok, nxt in zip(tokens, tokens[1:], strict=False):
                if tok.type == "heading_open":
                    ctx["heading"] = nxt.content
                    tok.tag = {"h1": "h2"}.get(tok.tag, tok.tag)  # one <h1> per page
                elif tok.type == "heading_close":
                    tok.tag = {"h1": "h2"}.get(tok.tag, tok.tag)
            blocks.append({"type": "html", "html": md.renderer.render(tokens, md.options, {}),
                           "cls": "narrative"})
        elif ctype == "code":
            blocks.extend(_output_blocks(cell, ctx))
    link_sections(blocks)
    return blocks, ctx["sources"].ids


# ---------------------------------------------------------------------------------------------
# the report page
# ---------------------------------------------------------------------------------------------
def _source_rows(ids: list[str], sources: Any) -> list[dict]:
    import pandas as pd

    if ids and sources is None:
        from ..data import load

        sources = load("sources")
    table = sources.set_index("source_id") if sources is not None else None
    rows = []
    for n, sid in enumerate(ids, start=1):
        row: dict[str, Any] = {"n": n, "id": sid, "publisher": "", "title": "", "date": "",
                               "url": None, "host": "", "described": False}
        if table is not None and sid in table.index:
            s = table.loc[sid]
            date = s.get("published")
            row.update(publisher=str(s.get("publisher") or ""), title=str(s.get("title") or ""),
                       url=str(s["url"]) if _URL.match(str(s.get("url") or "")) else None,
                       host=_host(str(s.get("url") or "")),
                       described=str(s.get("title_kind") or "") == "descriptive",
                       date="" if date is None or pd.isna(date) else day_words(str(date)[:10]))
        rows.append(row)
    return rows


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([\\{}%&$#_^~])", r"\\\1", text)


def _citation(report: Mapping) -> dict:
    name, title = str(report.get("name", "")), squash(report.get("title", ""))
    rendered = str(report.get("rendered_at") or "")
    try:
        when = _dt.datetime.fromisoformat(rendered.replace("Z", "+00:00"))
        date, year = when.date().isoformat(), str(when.year)
    except ValueError:
        date, year = rendered[:10], rendered[:4]
    version = str(report.get("package_version") or package_version())
    data = str(report.get("data_version") or "unknown")
    path = f"{name}/{name}.html"
    plain = (f"sco-research developers ({year or 'n.d.'}). {dates_in_words(title)}. Report "
             f"{path}, rendered {day_words(date) or 'n.d.'}. sco-research {version}, data "
             f"version {data}.")
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", f"sco-research-{name}-{date}").strip("-")
    fields = [("author", "{sco-research developers}"), ("title", "{" + _bibtex_escape(title) + "}"),
              ("year", year or "n.d."),
              ("howpublished", "{" + _bibtex_escape(f"sco-research report {path}") + "}"),
              ("note", "{" + _bibtex_escape(f"Rendered {date}; sco-research {version}; "
                                            f"data version {data}") + "}")]
    bib = "@misc{" + key + ",\n" + ",\n".join(f"  {k:<12} = {v}" for k, v in fields) + "\n}"
    return {"plain": plain, "bibtex": bib}


def _parameters(report: Mapping) -> list[dict]:
    rows = []
    for p in report.get("parameters") or []:
        name = str(p.get("name", ""))
        rows.append({"name": name, "value": value_words(name, p.get("value")),
                     "origin": str(p.get("origin") or "")})
    return rows


def report_page(nb: Mapping, *, report: Mapping, sources: Any = None,
                index_href: str = "../index.html") -> str:
    """The HTML page of one executed notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode or dict
        The executed notebook.
    report : dict
        ``name``, ``title``, ``notebook``, ``parameters`` (a list of ``{"name", "value",
        "origin"}``), ``rendered_at`` (ISO 8601), ``package_version`` and ``data_version``.
        Only ``name`` and ``title`` are required.
    sources : DataFrame, optional
        The sources table; default: ``sco.load("sources")``, read only if the page cites any.
    index_href : str
        The link back to the index (the page sits in ``<name>/`` beside ``index.html``).

    Returns
    -------
    str
        A complete HTML5 document that loads nothing from elsewhere.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> cell = new_code_cell(outputs=[new_output("stream", name="stdout", text="<b>1</b>")])
    >>> page = report_page(new_notebook(cells=[cell]), report={"name": "x", "title": "X"})
    >>> '<pre class="stream stdout">&lt;b&gt;1&lt;/b&gt;</pre>' in page
    True
    """
    title = dates_in_words(squash(report.get("title") or report.get("name")))
    blocks, ids = _cell_blocks(nb, title)
    meta = {k: report.get(k) or "" for k in ("name", "notebook")}
    meta["rendered_at"] = time_words(report.get("rendered_at"))
    return env().get_template("report.html").render(
        title=title, summary=report_summary(nb), report=meta, blocks=blocks,
        parameters=_parameters(report), sources=_source_rows(ids, sources),
        cite=_citation(report), version=report.get("package_version") or package_version(),
        data_version=report.get("data_version") or "", index_href=index_href,
    )
