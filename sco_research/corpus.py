"""The corpus: the articles checked, which article a row belongs to, and their text fingerprints.

The package records and checks the claims of more than one news article. ``articles`` has one
row per article (``a1`` is the seed article); the claims, quotes, findings, verdicts and evidence
rows name theirs in ``article_id``. The text of an article is not stored: ``article_shingles``
holds a hash of every run of seven words of it (:func:`shingles`), so that a test can show that
no claim or finding repeats seven words of the article.

Examples
--------
>>> from sco_research import corpus
>>> corpus.articles()["article_id"].tolist()
['a1', 'a2']
>>> corpus.SEED_ARTICLE
'a1'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd

from ._checks import check_choice
from ._days import day_words
from .data import DataPackage, default_package

__all__ = ["SEED_ARTICLE", "SHINGLE_WORDS", "article_ids", "articles", "check_article", "describe",
           "repeated_runs", "shingle_hashes", "shingles", "words"]

#: The article the package was built around: the notebooks' default.
SEED_ARTICLE = "a1"

#: How many words make one shingle.
SHINGLE_WORDS = 7


def articles(article: str | None = None, package: DataPackage | None = None) -> pd.DataFrame:
    """The articles whose claims the package records, one row each.

    Parameters
    ----------
    article : str, optional
        Keep this ``article_id`` only (``None``: every article).
    package : DataPackage, optional
        The data package to read (default: the bundled one).

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``outlet``, ``headline``, ``url``, ``published``, ``language``,
        ``author`` (blank where none is shown), ``source_id`` (the article as a source),
        ``note``.

    Examples
    --------
    >>> a = articles().set_index("article_id")
    >>> a.loc["a2", ["outlet", "language"]].tolist()
    ['TRT World', 'en']
    >>> articles("a1")["source_id"].tolist()
    ['tempo-2024-07-04-eurasian-security-club']
    >>> articles("a9")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: article: unknown article_id 'a9'. Allowed: 'a1', 'a2'
    """
    a = (package or default_package()).load("articles")
    if article is not None:
        check_choice("article", article, a["article_id"].astype(str).tolist(), kind="article_id")
        a = a[a["article_id"] == article]
    return a.reset_index(drop=True)


def article_ids(package: DataPackage | None = None) -> list[str]:
    """The article ids, in table order.

    Examples
    --------
    >>> article_ids()
    ['a1', 'a2']
    """
    return articles(package=package)["article_id"].astype(str).tolist()


def check_article(article: str | None) -> None:
    """Raise ``ParameterError`` unless ``article`` is ``None`` (every article) or a known id.

    Examples
    --------
    >>> check_article("a2")
    >>> check_article(None)
    >>> check_article("tempo")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: article: unknown article_id 'tempo'. Allowed: 'a1', 'a2'
    """
    if article is not None:
        check_choice("article", article, article_ids(), kind="article_id")


def words(text: str) -> list[str]:
    """The words of ``text`` as shingles count them: NFKC, lower case, letters and digits only.

    Examples
    --------
    >>> words("China’s Xi: SCO bears 'greater responsibility'")
    ['china', 's', 'xi', 'sco', 'bears', 'greater', 'responsibility']
    """
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", str(text)).lower())


def _hash(run: list[str]) -> str:
    return hashlib.sha256(" ".join(run).encode("utf-8")).hexdigest()[:16]


def shingles(text: str) -> list[str]:
    """The hash of every run of :data:`SHINGLE_WORDS` words of ``text``, in order, no repeats.

    A hash is the first 16 hex digits of the SHA-256 of the run's :func:`words` joined by single
    spaces; text of fewer words has no shingle.

    Examples
    --------
    >>> len(shingles("one two three four five six seven eight"))
    2
    >>> shingles("One, two: THREE four five six 7") == shingles("one two three four five six 7")
    True
    >>> shingles("too short")
    []
    """
    w = words(text)
    runs = (_hash(w[i:i + SHINGLE_WORDS]) for i in range(len(w) - SHINGLE_WORDS + 1))
    return list(dict.fromkeys(runs))


def shingle_hashes(article: str, package: DataPackage | None = None) -> frozenset[str]:
    """The stored shingle hashes of one article's text.

    Examples
    --------
    >>> len(shingle_hashes("a2")) > 250
    True
    """
    check_article(article)
    s = (package or default_package()).load("article_shingles")
    return frozenset(s.loc[s["article_id"] == article, "shingle"].astype(str))


def repeated_runs(text: str, article: str, package: DataPackage | None = None) -> list[str]:
    """The runs of seven words of ``text`` that also occur in the article (empty: none do).

    Examples
    --------
    >>> repeated_runs("Xi said the bloc now carries a heavier load.", "a2")
    []
    >>> repeated_runs("the SCO thus bears an even greater responsibility", "a2")
    ['the sco thus bears an even greater', 'sco thus bears an even greater responsibility']
    """
    known = shingle_hashes(article, package)
    w = words(text)
    return [" ".join(w[i:i + SHINGLE_WORDS]) for i in range(len(w) - SHINGLE_WORDS + 1)
            if _hash(w[i:i + SHINGLE_WORDS]) in known]


def describe(article: str | None = None, package: DataPackage | None = None) -> str:
    """Words naming one article (its outlet and date) or, for ``None``, every article.

    Examples
    --------
    >>> describe("a2")
    "TRT World's article of 1 September 2025"
    >>> describe(None)
    'the 2 articles'
    """
    check_article(article)
    a = articles(package=package)
    if article is None:
        return f"the {len(a)} articles" if len(a) != 1 else "the article"
    row = a.set_index("article_id").loc[article]
    day = pd.Timestamp(row["published"])
    return f"{row['outlet']}'s article of {day_words(day)}"
