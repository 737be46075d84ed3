import datetime as dt

import pandas as pd
import pytest

from sco_research._checks import check_choice, check_choices, parse_date
from sco_research.errors import ParameterError, SCOResearchError


def test_check_choice_accepts_allowed_value():
    assert check_choice("flow", "exports", ["exports", "imports"]) == "exports"


def test_check_choice_names_argument_value_suggestion_and_allowed():
    with pytest.raises(ParameterError, match=r"flow: unknown value 'export'; did you mean "
                       r"'exports'\? Allowed: 'exports', 'turnover'"):
        check_choice("flow", "export", ["exports", "turnover"])


def test_check_choice_without_close_match_lists_allowed():
    with pytest.raises(ParameterError, match=r"^x: unknown value 'zzz'\. Allowed: 'a', 'b'$"):
        check_choice("x", "zzz", ["a", "b"])


def test_check_choices_string_and_bad_type():
    assert check_choices("partners", "CHN", ["CHN", "IND"]) == ("CHN",)
    assert check_choices("partners", None, ["CHN"]) == ()
    with pytest.raises(ParameterError, match="partners: expected a string or a list"):
        check_choices("partners", 5, ["CHN"])
    with pytest.raises(ParameterError, match="partners: unknown value 'USA'"):
        check_choices("partners", ["CHN", "USA"], ["CHN", "IND"])


@pytest.mark.parametrize("value", ["2017-06-09", dt.date(2017, 6, 9), dt.datetime(2017, 6, 9, 15),
                                   pd.Timestamp("2017-06-09 10:00", tz="UTC")])
def test_parse_date_accepts_all_documented_types(value):
    assert parse_date("as_of", value) == pd.Timestamp("2017-06-09")


def test_parse_date_today():
    assert parse_date("as_of", "today") == pd.Timestamp.today().normalize()


@pytest.mark.parametrize("value, message", [
    ("2017-13-09", r"as_of: cannot read '2017-13-09' as a date; accepted: an ISO date"),
    ("June 2017", r"as_of: cannot read 'June 2017' as a date"),
    (2017, r"as_of: expected a date, got 2017 of type int"),
    ("2001-06-14", r"as_of: '2001-06-14' is before the SCO was founded \(2001-06-15\)"),
    (pd.NaT, r"as_of: got a missing date"),
])
def test_parse_date_errors(value, message):
    with pytest.raises(ParameterError, match=message):
        parse_date("as_of", value)


def test_error_hierarchy():
    assert issubclass(ParameterError, SCOResearchError)
    assert issubclass(ParameterError, ValueError)


def test_long_allowed_lists_are_cut_with_a_count():
    allowed = [f"A{i:02d}" for i in range(40)]
    with pytest.raises(ParameterError, match=r"Allowed: 'A00', .*'A24', \.\.\. \(40 in all\)$"):
        check_choice("code", "B00", allowed)


def test_an_empty_choice_list_says_so_instead_of_listing_nothing():
    with pytest.raises(ParameterError, match=r"^partners: unknown partner 'CHN'; there is no "
                       r"partner to choose from \(is the data table behind it empty\?\)$"):
        check_choice("partners", "CHN", [], kind="partner")


# -- one rule for days after today, in the library and the renderer --------------------------
_FUTURE = r"'2100-01-01' is after today \(\d{4}-\d\d-\d\d\); the data record what happened up " \
          r"to today: give a date on or before today, or 'today'$"


def test_a_day_after_today_is_refused_only_when_asked():
    assert parse_date("end", "2100-01-01", earliest=None) == pd.Timestamp("2100-01-01")
    with pytest.raises(ParameterError, match=f"^end: {_FUTURE}"):
        parse_date("end", "2100-01-01", latest="today")
    assert parse_date("end", "today", latest="today") == pd.Timestamp.today().normalize()


@pytest.mark.parametrize(("call", "name"), [
    (lambda: __import__("sco_research").membership_as_of("2100-01-01"), "date"),
    (lambda: __import__("sco_research.maps").maps.membership_map_rows("2100-01-01"), "as_of"),
    (lambda: __import__("sco_research.maps").maps.membership_map("2100-01-01"), "as_of"),
    (lambda: __import__("sco_research.charts").charts.trade_rows(end="2100-01-01"), "end"),
    (lambda: __import__("sco_research.charts").charts.trade_chart(end="2100-01-01"), "end"),
    (lambda: __import__("sco_research.charts").charts.membership_timeline_rows("2100-01-01"),
     "end"),
])
def test_the_library_refuses_the_days_after_today_the_renderer_refuses(call, name):
    with pytest.raises(ParameterError, match=f"^{name}: {_FUTURE}"):
        call()


def test_the_renderer_uses_the_same_rule():
    from sco_research.reports import params

    # the check the renderer runs before a kernel starts is the notebook's own library check
    check = params.check_for("02-membership-map.ipynb")
    with pytest.raises(ParameterError, match=f"^as_of: {_FUTURE}"):
        check(as_of="2100-01-01")
