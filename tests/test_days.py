"""The one day-in-words function (sco_research._days)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sco_research as sco
from sco_research._days import dates_in_words, day_words, time_words


@pytest.mark.parametrize(("value", "words"), [
    (pd.Timestamp("2026-12-02"), "2 December 2026"),
    (pd.Timestamp("2026-12-02 23:59"), "2 December 2026"),
    (dt.date(2001, 6, 15), "15 June 2001"),
    (dt.datetime(2024, 7, 4, 6, 30), "4 July 2024"),
    (np.datetime64("2017-06-09"), "9 June 2017"),
    ("2023-07-04", "4 July 2023"),
    (" 2023-07-04 ", "4 July 2023"),
    ("today", "today"),
    ("2023-02-30", "2023-02-30"),
    (None, ""),
    (pd.NaT, ""),
    (float("nan"), ""),
])
def test_day_words(value, words):
    assert day_words(value) == words


def test_short_months_and_public_name():
    assert day_words(pd.Timestamp("2024-07-04"), short=True) == "4 Jul 2024"
    assert day_words("2017-09-01", short=True) == "1 Sep 2017"
    assert sco.day_words is day_words


def test_times_and_dates_in_words():
    assert time_words("2026-12-02T06:42:29+00:00") == "2 December 2026, 06:42 UTC"
    assert time_words("2026-12-02T07:42:29+01:00") == "2 December 2026, 06:42 UTC"
    assert time_words("2026-12-02T06:42:29Z") == "2 December 2026, 06:42 UTC"
    assert time_words("2026-12-02T06:42:29") == "2 December 2026, 06:42"
    assert time_words(None) == "" and time_words("not a time") == "not a time"
    assert dates_in_words("Map on 2024-07-04, then 2025-09-01") == (
        "Map on 4 July 2024, then 1 September 2025")
    assert dates_in_words("2023-02-30 x12024-07-04") == "2023-02-30 x12024-07-04"
