"""The data package beside the rendered reports: a copy of it that the index links.

:func:`copy_data_package` copies the descriptor and its tables to ``reports/data/`` so that a
reader of the rendered reports can take the data and the sources table without the repository,
and writes beside them ``claim_reviews.json``: every verdict as schema.org ClaimReview JSON-LD.
(The data version a page cites is :func:`sco_research.reports.cache.data_version`.)
"""

from __future__ import annotations

import json
from pathlib import Path

from .._csv import field_limit, safe_csv_bytes
from .._files import atomic_write
from ..errors import DataError, SCOResearchError
from .layout import DATA

__all__ = ["copy_data_package"]


def _package(data_dir: Path) -> tuple[dict, list[Path]]:
    """The descriptor of the data package in ``data_dir`` and its files (descriptor first)."""
    descriptor = data_dir / "datapackage.json"
    try:
        doc = json.loads(descriptor.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"data package descriptor not found: {str(descriptor)!r}; give the "
                        "folder that holds datapackage.json") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{str(descriptor)!r} is not a JSON data package descriptor: "
                        f"{exc}") from None
    rels = [r.get("path") for r in doc.get("resources", [])]
    return doc, [descriptor, *(data_dir / p for p in rels
                               if isinstance(p, str) and (data_dir / p).is_file())]


def copy_data_package(out: str | Path, data_dir: str | Path | None = None) -> dict:
    """Copy the data package (descriptor and tables) to ``out/data/`` for the index to link.

    A reader of the rendered reports can then take the data and the sources table without the
    repository. Unchanged files are not rewritten.

    Returns
    -------
    dict
        ``data_package`` (the descriptor's path relative to ``out``) and ``data_tables`` (one
        ``{"name", "title", "path", "rows"}`` per table, ``path`` relative to ``out``): merge
        it into the manifest given to :func:`index_page`; and ``claim_reviews``, the path of
        ``claim_reviews.json`` (the verdicts as one schema.org ClaimReview JSON-LD ``@graph``,
        rebuilt when the data change); and ``articles`` (``article_id``, ``outlet``,
        ``headline``, ``published``, ``url`` of each article, for the index's groups).

    Examples
    --------
    >>> import tempfile
    >>> info = copy_data_package(tempfile.mkdtemp())
    >>> info["data_package"], info["data_tables"][0]["path"]
    ('data/datapackage.json', 'data/sources.csv')
    """
    import csv

    from .. import paths

    data_dir = Path(data_dir) if data_dir is not None else paths.DATA_DIR
    dest = Path(out) / DATA
    doc, files = _package(data_dir)
    changed = False
    for src in files:
        target = dest / src.relative_to(data_dir)
        raw = src.read_bytes()
        if src.suffix == ".csv":  # cells a spreadsheet would run as formulas are quoted
            try:
                raw = safe_csv_bytes(raw)
            except UnicodeDecodeError as exc:
                raise DataError(f"{str(src)!r} is not UTF-8 text ({exc.reason} at byte "
                                f"{exc.start}); save it as UTF-8") from None
        if not target.is_file() or target.read_bytes() != raw:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, raw)
            changed = True
    reviews, review_path = dest / CLAIM_REVIEWS, f"data/{CLAIM_REVIEWS}"
    if changed or not reviews.is_file():
        try:
            atomic_write(reviews, _claim_reviews_json(files[0]))
        except SCOResearchError:  # a package without the verdict tables, or one that fails
            review_path = None    # validation: the copy and the index go on without reviews
    tables = []
    for res in doc.get("resources", []):
        path = res.get("path")
        if not isinstance(path, str) or not (data_dir / path).is_file():
            continue
        rows = None
        if path.endswith(".csv"):
            with open(data_dir / path, newline="", encoding="utf-8-sig") as fh, field_limit():
                rows = max(0, sum(1 for _ in csv.reader(fh)) - 1)
        tables.append({"name": str(res.get("name", path)), "title": str(res.get("title", "")),
                       "path": f"data/{path}", "rows": rows})
    articles = []
    if (data_dir / "articles.csv").is_file():
        with open(data_dir / "articles.csv", newline="", encoding="utf-8-sig") as fh, \
                field_limit():
            articles = [{k: r.get(k, "") for k in ("article_id", "outlet", "headline",
                                                    "published", "url")}
                        for r in csv.DictReader(fh)]
    return {"data_package": "data/datapackage.json", "data_tables": tables,
            "claim_reviews": review_path, "articles": articles}


#: The verdicts of every article as one schema.org ClaimReview JSON-LD graph, beside the copy.
CLAIM_REVIEWS = "claim_reviews.json"


def _claim_reviews_json(descriptor: Path) -> str:
    """The ClaimReview graph of every article in the package at ``descriptor``, as JSON text."""
    from ..claim_review import claim_review_graph
    from ..data import DataPackage

    graph = claim_review_graph(None, base="../", package=DataPackage(descriptor))
    return json.dumps(graph, ensure_ascii=False, indent=1) + "\n"
