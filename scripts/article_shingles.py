"""Record the seven-word shingles of an article's text in ``data/article_shingles.csv``.

The package does not store the text of the articles it checks. A researcher who adds an article
saves its text (headline, standfirst and body, as read) to a file outside the repository and runs

    .venv/bin/python scripts/article_shingles.py a2 /path/to/article-a2.txt

which replaces the article's rows in ``data/article_shingles.csv`` with the hash of every run of
seven words (:func:`sco_research.corpus.shingles`). The text file is not needed afterwards;
the tests check every claim, finding and evidence note against the hashes.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from sco_research import paths
from sco_research.corpus import shingles


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].startswith("a"):
        print("usage: article_shingles.py ARTICLE_ID TEXT_FILE (e.g. a2 article.txt)",
              file=sys.stderr)
        return 2
    article, text = argv[0], Path(argv[1]).read_text(encoding="utf-8")
    out = paths.DATA_DIR / "article_shingles.csv"
    rows = []
    if out.is_file():
        with open(out, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r["article_id"] != article]
    rows += [{"article_id": article, "shingle": h} for h in shingles(text)]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["article_id", "shingle"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{out}: {sum(r['article_id'] == article for r in rows)} shingles for {article}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
