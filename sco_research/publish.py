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
from ._published import METADATA_KEY, TABLE_MIME
from ._timing import step
from .errors import DataError, ParameterError

__all__ = ["METADATA_KEY", "TABLE_MIME", "format_value", "cite_rows", "publish_chart",
           "publish_figure", "publish_table"]


_FIGURE_FORMATS = ("png", "svg", "pdf")
_NAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def format_value(value: Any) -> str:
    """A cell as text: numbers as their sources state them, blanks for missing values.

    Floats use the shortest form that reads back to the same number (``89.21``, not
    ``89.21000``), without a trailing ``.0``; dates at midnight as ``YYYY-MM-DD``; ``None``,
    ``NaN``, ``NaT`` and ``<NA>`` as an empty string.
    """
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
    display(bundle, raw=True, metadata={METADATA_KEY: record})


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
) -> dict:
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
    dict
        The metadata record described in the module docstring.

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
    record: dict[str, Any] = {
        "kind": "figure", "name": name, "title": title, "subtitle": subtitle,
        "alt": alt or name, "files": {}, "rows": len(cited), "source_ids": _source_ids(cited),
    }
    from ._plotting import DISPLAY_WIDTH, compact_svg, figure_png, measured_once

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
                    fig.savefig(buf, format=fmt, bbox_inches=bbox, dpi=150)
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
) -> dict:
    """Save ``rows`` as ``name.csv``, show them as a table, and return the metadata record.

    The displayed table has no index column and blank cells for missing values; numbers are
    shown as their sources state them (see :func:`format_value`). The display bundle carries the
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
    rows = rows.reset_index(drop=True)
    if "source_id" not in rows.columns:
        raise DataError(f"table {name!r}: the rows have no 'source_id' column; columns are "
                        f"{list(rows.columns)!r}; every published row must name its source")
    is_sources = {"publisher", "url"} <= set(rows.columns)  # the sources themselves
    download = rows if is_sources else cite_rows(rows, f"table {name!r}")
    record: dict[str, Any] = {
        "kind": "table", "name": name, "title": caption or "", "subtitle": None, "alt": "",
        "files": {}, "rows": len(rows), "source_ids": _source_ids(rows),
    }
    text = _csv_text(download)
    if output_dir not in (None, ""):
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{name}.csv"
        atomic_write(target, text)
        record["files"]["csv"] = target.name
    if show:
        cells = [[format_value(v) for v in rec] for rec in rows.itertuples(index=False)]
        shown = pd.DataFrame(cells, columns=[str(c) for c in rows.columns])
        html = shown.to_html(index=False, escape=True, border=0, classes="sco-table")
        if caption:
            import html as _html

            html = f"<p><strong>{_html.escape(caption)}</strong></p>\n{html}"
        payload = {"columns": list(shown.columns), "data": cells}
        _show({TABLE_MIME: json.loads(json.dumps(payload)), "text/html": html,
               "text/plain": f"{name}: {len(rows)} rows"}, record)
    return record


def publish_chart(item, output_dir: str | os.PathLike | None = None) -> list[dict]:
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
    return [figure, table]
