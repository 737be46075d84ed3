"""Who held which SCO status, and when.

Examples
--------
>>> import sco_research as sco
>>> m = sco.membership_as_of("2017-06-09")
>>> sorted(m.loc[m["status"] == "member", "iso3"])
['CHN', 'IND', 'KAZ', 'KGZ', 'PAK', 'RUS', 'TJK', 'UZB']
"""

from __future__ import annotations

import pandas as pd

from ._checks import DateLike, check_choices, parse_date
from ._days import day_words
from .data import load

__all__ = [
    "STATUSES",
    "day_summary",
    "enlargement_dates",
    "joining_changes",
    "membership_as_of",
    "membership_changes",
    "newcomers",
]

#: The SCO statuses, from the closest association to the loosest.
STATUSES = ("member", "observer", "dialogue_partner", "partner")
#: The statuses in words, singular and plural.
_WORDS = {"member": ("member", "members"), "observer": ("observer", "observers"),
          "dialogue_partner": ("dialogue partner", "dialogue partners"),
          "partner": ("partner", "partners")}


def membership_as_of(date: DateLike = "today", statuses=None) -> pd.DataFrame:
    """The states holding an SCO status on ``date``.

    Parameters
    ----------
    date : str, datetime.date or pandas.Timestamp, default "today"
        ``"YYYY-MM-DD"``, ``"today"``, a :class:`datetime.date` or a :class:`pandas.Timestamp`.
        Not before the founding, 2001-06-15.
    statuses : str or sequence of str, optional
        Keep only these statuses (see :data:`STATUSES`). Default: all.

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3``, ``country``, ``status``, ``since``, ``source_id``; members first, then
        by country name.

    Raises
    ------
    ParameterError
        For an unparsable date, a date before the founding, or an unknown status.

    Examples
    --------
    >>> first = membership_as_of("2001-06-15")
    >>> len(first), set(first["status"])
    (6, {'member'})
    >>> membership_as_of("1999-01-01")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: date: '1999-01-01' is before the SCO was founded \
(2001-06-15); give a date on or after 2001-06-15
    """
    day = parse_date("date", date, latest="today")
    wanted = check_choices("statuses", statuses, STATUSES, kind="status") or STATUSES
    return held_on(day, wanted)


def held_on(day: pd.Timestamp, statuses=STATUSES) -> pd.DataFrame:
    """:func:`membership_as_of` for a parsed day and checked statuses (no argument checks).

    Examples
    --------
    >>> len(held_on(pd.Timestamp("2001-06-15")))
    6
    """
    wanted = tuple(statuses)
    m = load("membership")
    held = (m["start"] <= day) & (m["end"].isna() | (m["end"] > day)) & m["status"].isin(wanted)
    out = m.loc[held, ["iso3", "country", "status", "start", "source_id"]]
    out = out.rename(columns={"start": "since"})
    out = out.sort_values(["status", "country"], key=_status_order).reset_index(drop=True)
    return out


def _status_order(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes
    return col


def membership_changes() -> pd.DataFrame:
    """One row per change of a state's SCO status, oldest first.

    A state's first status appears as a change from ``None``; a status that ends without a
    successor appears as a change to ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``date``, ``iso3``, ``country``, ``from``, ``to``, ``source_id``.

    Examples
    --------
    >>> ch = membership_changes()
    >>> ind = ch[ch["iso3"] == "IND"]
    >>> list(zip(ind["date"].dt.year, ind["from"], ind["to"]))
    [(2005, None, 'observer'), (2017, 'observer', 'member')]
    """
    m = load("membership").sort_values(["iso3", "start"])
    rows = []
    for iso3, group in m.groupby("iso3", sort=True):
        prev_status, prev_end, prev_source = None, None, None
        for rec in group.itertuples(index=False):
            from_status = prev_status if prev_end is not None and prev_end == rec.start else None
            if prev_end is not None and prev_end != rec.start:
                rows.append((prev_end, iso3, rec.country, prev_status, None, prev_source))
            rows.append((rec.start, iso3, rec.country, from_status, str(rec.status),
                         rec.source_id))
            prev_status, prev_end, prev_source = str(rec.status), rec.end, rec.source_id
        if prev_end is not None and not pd.isna(prev_end):
            rows.append((prev_end, iso3, group["country"].iloc[-1], prev_status, None,
                         prev_source))
    out = pd.DataFrame(rows, columns=["date", "iso3", "country", "from", "to", "source_id"])
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    out = out.astype({"iso3": "string", "country": "string", "source_id": "string"})
    out["from"] = out["from"].astype(object).where(out["from"].notna(), None)
    out["to"] = out["to"].astype(object).where(out["to"].notna(), None)
    return out.sort_values(["date", "iso3"], kind="stable").reset_index(drop=True)


def enlargement_dates() -> list[pd.Timestamp]:
    """The founding, each day new members were admitted, and every status change since the last.

    These are the default dates of :func:`sco_research.maps.expansion_panels`.

    Examples
    --------
    >>> [d.date().isoformat() for d in enlargement_dates()][:4]
    ['2001-06-15', '2017-06-09', '2023-07-04', '2024-07-04']
    """
    ch = membership_changes()
    accessions = sorted(set(ch.loc[ch["to"] == "member", "date"]))
    later = sorted(set(ch.loc[ch["date"] > accessions[-1], "date"]))
    return [pd.Timestamp(d) for d in accessions + later]


def joining_changes() -> pd.DataFrame:
    """The changes by which a state joined: a first SCO status, or admission as a member.

    A mere renaming of a status (as on 2025-09-01, when observers and dialogue partners all
    became partners) is not a joining. Compute it once and pass it to :func:`newcomers`.

    Examples
    --------
    >>> j = joining_changes()
    >>> sorted(j.loc[j["date"] == "2017-06-09", "iso3"])
    ['IND', 'PAK']
    """
    ch = membership_changes()
    joining = ch["to"].notna() & (ch["from"].isna() | (ch["to"] == "member"))
    return ch[joining].reset_index(drop=True)


def newcomers(day: pd.Timestamp, joins: pd.DataFrame | None = None
              ) -> tuple[pd.Timestamp | None, dict[str, str]]:
    """The latest day, on or before ``day``, on which states joined, and who joined then.

    ``joins`` is :func:`joining_changes` (computed here when not given: pass it when asking
    for many days).

    Examples
    --------
    >>> newcomers(pd.Timestamp("2024-12-31"))
    (Timestamp('2024-07-04 00:00:00'), {'BLR': 'member'})
    """
    joins = joining_changes() if joins is None else joins
    before = joins[joins["date"] <= day]
    if before.empty:
        return None, {}
    last = before["date"].max()
    rows = before[before["date"] == last]
    return pd.Timestamp(last), dict(zip(rows["iso3"].astype(str), rows["to"], strict=True))


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _who(names: list[str], most: int = 6) -> str:
    return _and(names) if len(names) <= most else f"{len(names)} states"


def day_summary(day: DateLike = "today") -> str:
    """One sentence on the SCO on ``day``: the counts per status, then what was particular.

    The counts are those of :func:`membership_as_of`. What was particular to the day comes from
    the rows of :func:`membership_changes`: the states that joined that day (a first status,
    or admission as a member) and the other changes of status that day; on a day without a
    change, the latest joining before it.

    Examples
    --------
    >>> day_summary("2017-06-09")
    'On 9 June 2017: 8 members, 4 observers, 6 dialogue partners; India and Pakistan joined'
    >>> day_summary("2020-01-01").split("; ")  # doctest: +NORMALIZE_WHITESPACE
    ['On 1 January 2020: 8 members, 4 observers, 6 dialogue partners',
     'no change that day (the latest to join: India and Pakistan, on 9 June 2017)']
    """
    when = parse_date("day", day)
    held = membership_as_of(when)
    counts = [f"{n} {_WORDS[s][n != 1]}" for s in STATUSES
              if (n := int((held["status"] == s).sum())) > 0]
    head = f"On {day_words(when)}: " + (", ".join(counts) or "no state held an SCO status")
    changes = membership_changes()
    today = changes[changes["date"] == when]
    joins = joining_changes()
    joined = today[today["iso3"].isin(joins.loc[joins["date"] == when, "iso3"])]
    parts = []
    if when == changes["date"].min():
        parts.append(f"{_who(list(joined['country']))} founded the SCO")
    else:
        for status, rows in joined.groupby("to", sort=False):
            names = list(rows["country"])
            parts.append(f"{_who(names)} joined" if status == "member" else
                         f"{_who(names)} joined as "
                         + (f"a {_WORDS[status][0]}" if len(names) == 1 else _WORDS[status][1]))
    rest = today[~today.index.isin(joined.index)]
    for to, rows in rest.groupby("to", sort=False, dropna=False):
        names = list(rows["country"])
        froms = [_WORDS[f][1] for f in dict.fromkeys(rows["from"].dropna())]
        who = _who(names) if len(names) <= 6 else f"the {len(names)} {_and(froms)}"
        if to is None or pd.isna(to):
            parts.append(f"{who} left the SCO")
        else:
            parts.append(f"{who} became "
                         + (f"a {_WORDS[to][0]}" if len(names) == 1 else _WORDS[to][1]))
    if not parts:
        last, comers = newcomers(when, joins)
        if last is None:
            return head
        names = list(changes.loc[(changes["date"] == last)
                                 & changes["iso3"].isin(list(comers)), "country"])
        return (f"{head}; no change that day (the latest to join: {_who(names)}, on "
                f"{day_words(last)})")
    return f"{head}; {'; '.join(parts)}"
