"""Verdicts follow their evidence: which evidence rows a finding names, and the rules it keeps.

A finding (``claim_checks.finding``) *names* an evidence row by its ``evidence_id`` in the text,
for example ``"... pledged to cut off selected banks (c15.1)"``. The page lists the evidence rows
under those ids, so a reader can go from a sentence of the finding to the row and its source.
The rules, checked row by row by :func:`verdict_problems`:

``names_rows``
    every finding names at least one evidence row, and every id it names is an evidence row of
    its own claim;
``supported_has_support``
    a ``supported`` verdict has at least one evidence row whose stance is ``supports``;
``names_contradicting``
    every finding names each evidence row of its claim whose stance is ``contradicts``;
``contradicted_has_contradiction``
    a ``contradicted`` verdict has at least one ``contradicts`` row;
``absence_names_rows``
    a sentence that says the record lacks something (see :data:`ABSENCE`: "no row", "the rows
    do not hold", "not recorded", "none reports", ...) names the rows it was judged on;
``absence_not_against_support``
    none of the rows such a sentence names has the stance ``supports``: a row that bears the
    claim out cannot be the one that shows the record lacking it (the mistake once made on c12,
    where the finding said the rows did not hold Putin's words while a supporting row quoted
    them). What a *source's text* leaves out ("the word does not appear in the remarks we saw")
    is not a statement about the rows and is not matched.

Examples
--------
>>> named_rows("Banks were cut off (c15.2, c15.4), not the country (c15.1).")
['c15.2', 'c15.4', 'c15.1']
>>> verdict_problems().empty
True
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["ABSENCE", "LIMITING_VERDICTS", "RULES", "absence_sentences", "named_rows",
           "verdict_problems"]

#: Verdicts short of ``supported`` that say the evidence limits the claim.
LIMITING_VERDICTS = ("partly_supported", "overstated", "contradicted")

#: The rules :func:`verdict_problems` applies, each with what it asks.
RULES = {
    "names_rows": "a finding names at least one evidence row of its own claim, by evidence_id",
    "supported_has_support": "a supported verdict has at least one 'supports' evidence row",
    "names_contradicting": "a finding names every 'contradicts' evidence row of its claim",
    "contradicted_has_contradiction": "a contradicted verdict has a 'contradicts' evidence row",
    "absence_names_rows": "a sentence saying the record lacks something names the rows it "
                          "was judged on",
    "absence_not_against_support": "a sentence saying the record lacks something does not "
                                   "rest on a row whose stance is 'supports'",
}

#: Phrases by which a finding says the package's rows lack something.
ABSENCE = re.compile(
    r"\bno row\b|\bnone of the rows\b|\brows?\b[^.;]*\b(?:do|does|did) not "
    r"(?:hold|record|show|include|quote)\b|\bnot (?:recorded|on record|in the record)\b"
    r"|\bnone\b[^.;]*\breports?\b|\brecords? no\b|\bno record\b|\bno evidence\b",
    re.IGNORECASE)

#: An evidence id, with the article prefix a later article's ids carry (``a2-c01.1``).
_ID = re.compile(r"\b((?:a[0-9]+-)?[cf][0-9]{2}\.[0-9]+)\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def named_rows(text: str) -> list[str]:
    """The evidence ids a text names, in order, each once.

    Examples
    --------
    >>> named_rows("TASS (c13.1) and Reuters (c13.5; c13.1)")
    ['c13.1', 'c13.5']
    >>> named_rows("no ids here"), named_rows("Reuters (a2-c01.2)")
    ([], ['a2-c01.2'])
    """
    return list(dict.fromkeys(_ID.findall(str(text))))


def absence_sentences(text: str) -> list[str]:
    """The sentences of a text that say the record lacks something (:data:`ABSENCE`).

    Examples
    --------
    >>> absence_sentences("Banks were cut off. The rows record no disconnection of the country.")
    ['The rows record no disconnection of the country.']
    >>> absence_sentences("The word does not appear in the remarks we saw.")
    []
    """
    return [s for s in _SENTENCE.split(str(text)) if ABSENCE.search(s)]


def _problem(claim_id: str, rule: str, detail: str) -> dict:
    return {"claim_id": claim_id, "rule": rule, "detail": detail}


def verdict_problems(checks: pd.DataFrame | None = None,
                     evidence: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every finding that does not follow its evidence, one row per broken rule.

    Parameters
    ----------
    checks : DataFrame, optional
        Rows of ``claim_checks`` (``claim_id``, ``verdict``, ``finding``); the bundled table
        by default.
    evidence : DataFrame, optional
        Rows of ``claim_evidence`` (``evidence_id``, ``claim_id``, ``stance``); the bundled
        table by default.

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``rule`` (a key of :data:`RULES`) and ``detail`` (the ids or sentence at
        fault); empty when every verdict follows its evidence.

    Examples
    --------
    >>> checks = pd.DataFrame({"claim_id": ["c01"], "verdict": ["supported"],
    ...                        "finding": ["He said it (c01.1), but no row holds the date."]})
    >>> ev = pd.DataFrame({"evidence_id": ["c01.1", "c01.2"], "claim_id": ["c01", "c01"],
    ...                    "stance": ["supports", "contradicts"]})
    >>> verdict_problems(checks, ev)["rule"].tolist()
    ['names_contradicting', 'absence_not_against_support']
    """
    if checks is None or evidence is None:
        from .data import load

        checks = load("claim_checks") if checks is None else checks
        evidence = load("claim_evidence") if evidence is None else evidence
    problems = []
    for r in checks.itertuples(index=False):
        cid, finding = str(r.claim_id), str(r.finding)
        rows = evidence[evidence["claim_id"] == cid]
        stance = dict(zip(rows["evidence_id"], rows["stance"], strict=True))
        named = named_rows(finding)
        foreign = [n for n in named if n not in stance]
        if not named or foreign:
            problems.append(_problem(cid, "names_rows",
                                     f"names {foreign!r}, not rows of {cid}" if foreign
                                     else "names no evidence row"))
        if r.verdict == "supported" and "supports" not in stance.values():
            problems.append(_problem(cid, "supported_has_support", "no 'supports' row"))
        if r.verdict == "contradicted" and "contradicts" not in stance.values():
            problems.append(_problem(cid, "contradicted_has_contradiction",
                                     "no 'contradicts' row"))
        unnamed = [e for e, s in stance.items() if s == "contradicts" and e not in named]
        if unnamed:
            problems.append(_problem(cid, "names_contradicting", f"does not name {unnamed!r}"))
        for sentence in absence_sentences(finding):
            judged = named_rows(sentence)
            if not judged:
                problems.append(_problem(cid, "absence_names_rows", sentence))
            against = [e for e in judged if stance.get(e) == "supports"]
            if against:
                problems.append(_problem(cid, "absence_not_against_support",
                                         f"{sentence} (rests on supporting {against!r})"))
    return pd.DataFrame(problems, columns=["claim_id", "rule", "detail"])
