"""Publish a figure or a table from a notebook to its report: files on disk, display in the page.

A notebook never relies on pyplot's implicit display. It calls :func:`publish_figure` with the
figure *and the rows it plots*; that saves PNG, SVG and a CSV of the rows (each with its
``source_id``, publisher and URL) into ``output_dir`` and displays the image with a metadata
record under the key ``"sco_research"``. The report page builder reads that record to place the
figure with its caption, alt text, downloads and sources. :func:`publish_table` does the same for
a table: a CSV download and a display bundle that carries the rows as JSON.

The metadata record (``output["metadata"]["sco_research"]``) has these keys:

``kind``        ``"figure"`` or ``"table"``
``name``        the file stem, e.g. ``"trade-turnover"``
``title``       the figure's title (or the table's caption)
``subtitle``    a figure's subtitle, or ``None``
``alt``         the alt text of a figure: title and subtitle
``files``       ``{"png": ..., "svg": ..., "csv": ...}``, file names inside ``output_dir``
                (empty when ``output_dir`` is ``None``)
``size``        ``[width, height]`` of the saved PNG in pixels (only when files were saved:
                the page then shows that file, and the notebook a copy at most
                ``DISPLAY_WIDTH`` pixels wide)
``rows``        how many rows the CSV holds
``source_ids``  the sources cited by those rows, in order of first appearance

In a notebook a ``publish_*`` call shows what it publishes and nothing else: it returns the
record as a :class:`Published` (a ``dict``), which the cell that published it does not echo.
Shown in a later cell, it is one line of text (:meth:`Published.summary`). A table is shown as
compact HTML (:func:`table_html`), as on the report pages: no index column, blanks for missing
values, no column that is blank on every row, and more than :data:`COLLAPSE_ROWS` rows folded
under a ``<details>`` that gives the count.

Examples
--------
>>> import pandas as pd
>>> from sco_research.publish import format_value
>>> [format_value(v) for v in (89.21, 1234.0, None, float("nan"), pd.Timestamp("2024-07-04"))]
['89.21', '1234', '', '', '2024-07-04']
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ._checks import check_choices
from ._csv import csv_text
from ._files import atomic_write
from ._published import COLLAPSE_ROWS, METADATA_KEY, TABLE_MIME, blank_columns
from ._timing import step
from .errors import DataError, ParameterError

__all__ = ["COLLAPSE_ROWS", "METADATA_KEY", "TABLE_MIME", "Published", "PublishedList",
           "blank_columns", "format_value", "cite_rows", "publish_chart", "publish_figure",
           "publish_summary", "publish_table", "table_html"]


_FIGURE_FORMATS = ("png", "svg", "pdf")
_NAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def format_value(value: Any) -> str:
    """A cell as text: numbers as their sources state them, blanks for missing values.

    Floats use the shortest form that reads back to the same number (``89.21``, not
    ``89.21000``), without a trailing ``.0``; dates at midnight as ``YYYY-MM-DD``; ``None``,
    ``NaN``, ``NaT`` and ``<NA>`` as an empty string.
    """
    if isinstance(value, str):  # most cells: nothing to convert
        return value
    if value is None or value is pd.NaT:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # lists and other containers
        pass
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        value = float(value)  # numpy floats: their repr names the type
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def _execution_count() -> int | None:
    """The number of the notebook cell running now, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        return None
    shell = get_ipython()
    return None if shell is None else getattr(shell, "execution_count", None)


class _Quiet:
    """Shown by IPython: nothing in the cell that published it, one line of text later."""

    #: The notebook cell (execution count) that published it; None outside IPython.
    cell: int | None = None

    def summary(self) -> str:  # pragma: no cover - each subclass says what it holds
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        # The cell that published it has already shown the figure or table: echoing the
        # return value would show it a second time, as raw data.
        if self.cell is not None and self.cell == _execution_count():
            return
        from IPython.display import display

        display({"text/plain": self.summary()}, raw=True)


class Published(_Quiet, dict):
    """The metadata record of one published figure, table or interactive chart.

    A ``dict`` (the keys are described in the module docstring) that a notebook does not echo
    in the cell that published it.

    Examples
    --------
    >>> rec = Published({"kind": "table", "name": "quotes", "rows": 2, "files": {}})
    >>> rec["rows"], rec.summary()
    (2, 'table quotes: 2 rows, not saved')
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cell = _execution_count()

    def summary(self) -> str:
        """One line: kind, name, rows and the files written."""
        files = self.get("files") or {}
        rows = self.get("rows")
        parts = [f"{self.get('kind', 'output')} {self.get('name', '')}".strip()]
        if isinstance(rows, int):
            parts.append(f"{rows} row" + ("" if rows == 1 else "s"))
        if "files" in self:
            parts.append(("saved as " + ", ".join(files.values())) if files else "not saved")
        return parts[0] + (": " + ", ".join(parts[1:]) if parts[1:] else "")


class PublishedList(_Quiet, list):
    """The records of a chart bundle (its figure, then its table), not echoed either."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.cell = _execution_count()

    def summary(self) -> str:
        """The summaries of the records, one per line."""
        return "\n".join(r.summary() if isinstance(r, Published) else str(r) for r in self)


#: Text reads from the left and from the top of its cell, as on the pages (JupyterLab's own
#: table style right-aligns every cell).
_TABLE_STYLE = ("<style>.sco-table-block .sco-table th, .sco-table-block .sco-table td "
                "{text-align: left; vertical-align: top;}</style>\n")


def table_html(rows: pd.DataFrame, caption: str | None = None) -> str:
    """``rows`` as the compact HTML table a notebook shows (the same rules as the pages).

    No index column; cells as :func:`format_value` writes them (blank when missing); columns
    blank on every row left out; headers in words (``source_id`` is "source", ``_`` a space);
    a ``url`` cell is a link; more than :data:`COLLAPSE_ROWS` rows are folded under a
    ``<details>`` whose summary gives the count. Everything from the data is escaped.

    Examples
    --------
    >>> import pandas as pd
    >>> html = table_html(pd.DataFrame({"year": [2023.0], "note": [None], "source_id": ["s<1>"]}))
    >>> "<th>year</th>" in html, "note" in html, "s&lt;1&gt;" in html, "<details" in html
    (True, False, True, False)
    >>> "Show all 16 rows" in table_html(pd.DataFrame({"x": range(16), "source_id": "s"}))
    True
    """
    import html as _html

    e = _html.escape
    cells = [[format_value(v) for v in rec] for rec in rows.itertuples(index=False)]
    columns = [str(c) for c in rows.columns]
    drop = set(blank_columns(columns, cells))
    keep = [j for j, c in enumerate(columns) if c not in drop]
    labels = ["source" if c == "source_id" else c.replace("_", " ") for c in columns]
    head = "".join(f"<th>{e(labels[j])}</th>" for j in keep)

    def cell(j: int, value: str) -> str:
        if columns[j] == "url" and value.startswith(("http://", "https://")):
            return f'<td><a href="{e(value)}" target="_blank" rel="noopener">{e(value)}</a></td>'
        return f"<td>{e(value)}</td>"

    body = "\n".join("<tr>" + "".join(cell(j, row[j]) for j in keep) + "</tr>" for row in cells)
    table = (f'<table class="sco-table">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n'
             "</tbody>\n</table>")
    n = len(cells)
    if n > COLLAPSE_ROWS:
        table = f"<details>\n<summary>Show all {n} rows</summary>\n{table}\n</details>"
    elif n == 0:
        table = "<p>No rows.</p>"
    top = f"<p><strong>{e(caption)}</strong></p>\n" if caption else ""
    return f'<div class="sco-table-block">\n{_TABLE_STYLE}{top}{table}\n</div>'


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name or not set(name) <= _NAME_OK or name[0] == ".":
        raise ParameterError(
            f"name: {name!r} is not a file stem; use letters, digits, '.', '_' and '-', "
            "not starting with '.'"
        )
    return name


def cite_rows(rows: pd.DataFrame, what: str) -> pd.DataFrame:
    """``rows`` with the ``publisher`` and ``url`` of each row's source added.

    Raises :class:`~sco_research.errors.DataError` naming ``what`` and the rows when a row has
    no ``source_id`` or names an unknown one: nothing uncited is published.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"x": [1], "source_id": ["tempo-2024-07-04-eurasian-security-club"]})
    >>> list(cite_rows(rows, "demo").columns)
    ['x', 'source_id', 'publisher', 'url']
    >>> cite_rows(rows.assign(source_id=None), "demo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sco_research.errors.DataError: demo: row(s) 0 have no source_id; every published row must ...
    """
    from .data import load

    if not isinstance(rows, pd.DataFrame):
        raise ParameterError(f"rows: {type(rows).__name__} given for {what}; give a DataFrame")
    if "source_id" not in rows.columns:
        raise DataError(f"{what}: the rows have no 'source_id' column; columns are "
                        f"{list(rows.columns)!r}; every published row must name its source")
    rows = rows.reset_index(drop=True)
    missing = rows.index[rows["source_id"].isna() | (rows["source_id"].astype(str) == "")]
    if len(missing):
        shown = ", ".join(str(i) for i in list(missing)[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise DataError(f"{what}: row(s) {shown}{more} have no source_id; every published row "
                        "must name its source")
    sources = load("sources").set_index("source_id")
    unknown = sorted(set(rows["source_id"]) - set(sources.index))
    if unknown:
        raise DataError(f"{what}: unknown source_id(s) {unknown[:10]!r}; every source_id must be "
                        "a row of data/sources.csv")
    out = rows.drop(columns=[c for c in ("publisher", "url") if c in rows.columns])
    out["publisher"] = out["source_id"].map(sources["publisher"])
    out["url"] = out["source_id"].map(sources["url"])
    return out


def _source_ids(rows: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(str(s) for s in rows["source_id"]))


def _csv_text(rows: pd.DataFrame) -> str:
    frame = rows.copy()
    for col in frame.columns:
        frame[col] = [format_value(v) for v in frame[col]]
    return csv_text(frame)  # cells a spreadsheet would run as formulas are quoted


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    return struct.unpack(">II", png[16:24])


def _titles(fig) -> tuple[str, str | None]:
    """The figure's title: its suptitle, else the left titles of its axes, joined."""
    sup = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    if sup:
        return sup.strip(), None
    titles = []
    for ax in fig.axes:
        for loc in ("left", "center"):
            t = ax.get_title(loc=loc).strip()
            if t and t not in titles:
                titles.append(t)
    return (" / ".join(titles) if titles else ""), None


def _show(bundle: dict, record: dict) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        return
    if get_ipython() is None:
        return
    display(bundle, raw=True, metadata={METADATA_KEY: dict(record)})


def publish_figure(
    fig,
    rows: pd.DataFrame,
    name: str,
    output_dir: str | os.PathLike | None = None,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    formats: Sequence[str] = ("png", "svg"),
    show: bool = True,
) -> Published:
    """Save ``fig`` with the rows it plots, show it, and return its metadata record.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, as a chart or map function returned it.
    rows : DataFrame
        Exactly the rows the figure plots, with a ``source_id`` column. The CSV download holds
        them, with each source's publisher and URL added.
    name : str
        File stem: letters, digits, ``.``, ``_`` and ``-``.
    output_dir : path or None
        Folder for ``name.png``, ``name.svg`` and ``name.csv``; ``None`` saves nothing.
    title, subtitle : str, optional
        For the caption and the alt text; the title defaults to the figure's own title.
    formats : sequence of str
        Image formats to save besides the CSV: ``"png"``, ``"svg"``, ``"pdf"``.
    show : bool
        Display the figure in the notebook (explicitly, whatever pyplot's interactive mode) and
        close it, so it is shown exactly once.

    Returns
    -------
    Published
        The metadata record described in the module docstring (a ``dict`` that the notebook
        cell does not echo).

    Raises
    ------
    DataError
        A row has no ``source_id`` (or an unknown one): an uncited figure is never published.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> import pandas as pd
    >>> fig = Figure()
    >>> _ = fig.add_subplot().set_title("Demo", loc="left")
    >>> rows = pd.DataFrame({"y": [1.5], "source_id": ["tempo-2024-07-04-eurasian-security-club"]})
    >>> rec = publish_figure(fig, rows, "demo", None, show=False)
    >>> rec["alt"], rec["rows"], rec["files"]
    ('Demo', 1, {})
    """
    name = _check_name(name)
    fmts = check_choices("formats", formats, _FIGURE_FORMATS, kind="format")
    cited = cite_rows(rows, f"figure {name!r}")
    auto_title, _ = _titles(fig)
    title = title if title is not None else auto_title
    alt = ". ".join(t.strip().rstrip(".") for t in (title, subtitle) if t and t.strip())
    record = Published({
        "kind": "figure", "name": name, "title": title, "subtitle": subtitle,
        "alt": alt or name, "files": {}, "rows": len(cited), "source_ids": _source_ids(cited),
    })
    from ._plotting import (
        DISPLAY_WIDTH,
        compact_svg,
        figure_png,
        measured_once,
        reproducible_save,
    )

    saving = output_dir not in (None, "")
    with step("encode"), measured_once(fig, dpi=150) as bbox:
        # The page shows the saved file; the notebook keeps a small copy to look at.
        png, small = figure_png(fig, bbox, dpi=150,
                                display_width=DISPLAY_WIDTH if saving and show else None)
        if saving:
            out = Path(output_dir)
            out.mkdir(parents=True, exist_ok=True)
            for fmt in fmts:
                target = out / f"{name}.{fmt}"
                if fmt == "png":
                    atomic_write(target, png)
                else:
                    buf = io.BytesIO()
                    reproducible_save(fig, buf, fmt, bbox)
                    atomic_write(target, compact_svg(buf.getvalue()) if fmt == "svg"
                                 else buf.getvalue())
                record["files"][fmt] = target.name
            record["size"] = list(_png_size(png))
    if output_dir not in (None, ""):
        out = Path(output_dir)
        target = out / f"{name}.csv"
        text = _csv_text(cited)
        atomic_write(target, text)
        record["files"]["csv"] = target.name
    if show:
        _show({"image/png": base64.b64encode(small).decode("ascii"),
               "text/plain": record["alt"]}, record)
        import matplotlib.pyplot as plt

        plt.close(fig)
    return record


def publish_table(
    rows: pd.DataFrame,
    name: str,
    output_dir: str | os.PathLike | None = None,
    *,
    caption: str | None = None,
    columns: Sequence[str] | None = None,
    show: bool = True,
    shown_columns: Sequence[str] | None = None,
) -> Published:
    """Save ``rows`` as ``name.csv``, show them as a table, and return the metadata record.

    The displayed table is :func:`table_html`: no index column, blank cells for missing values,
    no column blank on every row, long tables folded; numbers are shown as their sources state
    them (see :func:`format_value`). The display bundle carries the
    rows as JSON (MIME type :data:`TABLE_MIME`) so a report page can lay them out and link each
    ``source_id`` to its source.

    Parameters
    ----------
    rows : DataFrame
        The rows, with a ``source_id`` column (or a ``url`` column for the sources table itself).
    name : str
        File stem: letters, digits, ``.``, ``_`` and ``-``.
    output_dir : path or None
        Folder for ``name.csv``; ``None`` saves nothing.
    caption : str, optional
        One line shown over the table.
    columns : sequence of str, optional
        Columns to show and save, in this order (default: all).
    shown_columns : sequence of str, optional
        Of those, the columns to show, in this order (default: all of them); the CSV keeps every
        column. For a table of contents whose details follow, e.g. one row per claim.
    show : bool
        Display the table in the notebook.

    Examples
    --------
    >>> import sco_research as sco
    >>> rec = publish_table(sco.load("quotes"), "quotes", None, show=False)
    >>> rec["kind"], rec["rows"] == len(sco.load("quotes"))
    ('table', True)
    """
    name = _check_name(name)
    if not isinstance(rows, pd.DataFrame):
        raise ParameterError(f"rows: {type(rows).__name__} given for table {name!r}; "
                             "give a DataFrame")
    if columns is not None:
        columns = check_choices("columns", columns, tuple(rows.columns), kind="column")
        rows = rows[list(columns)]
    if shown_columns is not None:
        shown_columns = check_choices("shown_columns", shown_columns, tuple(rows.columns),
                                      kind="column")
    rows = rows.reset_index(drop=True)
    if "source_id" not in rows.columns:
        raise DataError(f"table {name!r}: the rows have no 'source_id' column; columns are "
                        f"{list(rows.columns)!r}; every published row must name its source")
    is_sources = {"publisher", "url"} <= set(rows.columns)  # the sources themselves
    download = rows if is_sources else cite_rows(rows, f"table {name!r}")
    record = Published({
        "kind": "table", "name": name, "title": caption or "", "subtitle": None, "alt": "",
        "files": {}, "rows": len(rows), "source_ids": _source_ids(rows),
    })
    text = _csv_text(download)
    if output_dir not in (None, ""):
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{name}.csv"
        atomic_write(target, text)
        record["files"]["csv"] = target.name
    if show:
        if shown_columns is not None:
            rows = rows[list(shown_columns)]
        cells = [[format_value(v) for v in rec] for rec in rows.itertuples(index=False)]
        payload = {"columns": [str(c) for c in rows.columns], "data": cells}
        _show({TABLE_MIME: json.loads(json.dumps(payload)), "text/html": table_html(rows, caption),
               "text/plain": f"{name}: {len(rows)} rows"}, record)
    return record


def publish_summary(text: str, *, show: bool = True) -> Published:
    """Open the report's summary with ``text``: what is particular to these parameters.

    The report page shows it first in its summary, and so does the report's card on the index
    (five maps of five days then say five different things). In a notebook it is shown as one
    bold line. The record is ``{"kind": "summary", "name": "summary", "title": text}``.

    Examples
    --------
    >>> publish_summary("On 9 June 2017: 8 members", show=False)["title"]
    'On 9 June 2017: 8 members'
    >>> publish_summary("  ")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: text: '  ' is empty; give one sentence
    """
    import html as _html

    if not isinstance(text, str) or not text.strip():
        raise ParameterError(f"text: {text!r} is empty; give one sentence")
    text = " ".join(text.split())
    record = Published({"kind": "summary", "name": "summary", "title": text})
    if show:
        _show({"text/html": f"<p><strong>{_html.escape(text)}</strong></p>",
               "text/plain": text}, record)
    return record


def publish_chart(item, output_dir: str | os.PathLike | None = None) -> PublishedList:
    """Publish a chart bundle: its figure, then the table of the rows it plots.

    ``item`` is a bundle such as :class:`sco_research.charts.figures.ChartFigure`: it has
    ``name``, ``figure``, ``rows``, ``caption`` and ``columns``. The table is saved as
    ``<name>-rows.csv``. Returns the two metadata records.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sco_research import charts
    >>> item = charts.currency_figures(["reserves_share_cofer"], "2016-01-01", "2024-12-31")
    >>> records = publish_chart(item["shares"][0], None)
    >>> [r["kind"] for r in records]
    ['figure', 'table']
    """
    figure = publish_figure(item.figure, item.rows, item.name, output_dir)
    table = publish_table(item.rows, f"{item.name}-rows", output_dir, caption=item.caption,
                          columns=item.columns)
    return PublishedList([figure, table])
