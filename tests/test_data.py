import csv

import pandas as pd
import pytest

import sco_research as sco
from sco_research import paths
from sco_research.data import DataPackage
from sco_research.errors import DataError, ParameterError

from .conftest import edit_csv

ALL_TABLES = ["sources", "actors", "claims", "quotes", "events", "membership", "trade", "energy",
              "currency", "sanctions"]


def test_tables_lists_every_table_with_rows():
    t = sco.tables()
    assert list(t.columns) == ["name", "title", "description", "rows", "path"]
    assert set(ALL_TABLES) <= set(t["name"])
    assert (t["rows"] > 0).all(), t[t["rows"] == 0]


def test_load_types_dates_enums_and_text():
    m = sco.load("membership")
    assert m["start"].dtype == "datetime64[ns]"
    assert isinstance(m["status"].dtype, pd.CategoricalDtype)
    assert list(m["status"].cat.categories) == ["member", "observer", "dialogue_partner",
                                                "partner"]
    assert m["country"].dtype == "string"
    t = sco.load("trade")
    assert t["value"].dtype == "float64"
    assert sco.load("claims")["paragraph"].dtype == "Int64"


def test_load_is_cached_and_returns_independent_copies():
    a = sco.load("claims")
    a.loc[0, "claim"] = "changed"
    b = sco.load("claims")
    assert b.loc[0, "claim"] != "changed"


def test_unknown_table_lists_valid_names():
    with pytest.raises(ParameterError, match=r"name: unknown table 'member'; did you mean "
                       r"'membership'\? Allowed: 'sources', 'actors'"):
        sco.load("member")


@pytest.mark.parametrize("table", ALL_TABLES)
def test_every_row_resolves_to_a_source_with_a_url(table):
    sources = sco.load("sources").set_index("source_id")
    df = sco.load(table)
    ids = df["source_id"]
    assert ids.notna().all()
    missing = set(ids) - set(sources.index)
    assert not missing
    urls = sources.loc[sorted(set(ids)), "url"]
    assert urls.str.match(r"^https?://\S+$").all()


def test_sources_without_a_publication_date_say_why():
    s = sco.load("sources")
    undated = s[s["published"].isna()]
    assert undated["note"].notna().all()
    assert undated["note"].str.contains("date", case=False).all(), undated[["source_id", "note"]]


def test_membership_periods_never_overlap():
    m = sco.load("membership").sort_values(["iso3", "start"])
    for iso3, g in m.groupby("iso3"):
        ends = g["end"].iloc[:-1].to_numpy()
        starts = g["start"].iloc[1:].to_numpy()
        assert (ends <= starts).all(), iso3
        assert g["end"].iloc[:-1].notna().all(), f"{iso3}: an open period is followed by another"
        assert ((g["end"].isna()) | (g["end"] > g["start"])).all(), iso3


def test_bundled_package_is_valid():
    problems = sco.validate()
    assert problems.empty, problems.to_string()


# -- broken copies: each kind of bad input gives a message naming file, row, field, value, rule


def test_bad_date(broken):
    pkg = broken("membership", "member,2017-06-09", "member,2017-06-31")
    with pytest.raises(DataError, match=r"membership\.csv row \d+, field 'start': value "
                       r"'2017-06-31' breaks rule: type date \(YYYY-MM-DD, a real calendar day\)"):
        pkg.load("membership")


def test_unknown_enum_value(broken):
    pkg = broken("membership", ",observer,", ",observr,")
    with pytest.raises(DataError, match=r"field 'status': value 'observr' breaks rule: enum: one "
                       r"of member, observer, dialogue_partner, partner"):
        pkg.load("membership")


def test_dangling_source_id(broken):
    pkg = broken("claims", "c05,3,trade,,,reported_fact,,", "c05,3,trade,,,reported_fact,,")
    edit_csv(pkg.base / "claims.csv", "tempo-2024-07-04-eurasian-security-club",
             "tempo-2024-07-04-missing")
    with pytest.raises(DataError, match=r"claims\.csv row 2, field 'source_id': value "
                       r"'tempo-2024-07-04-missing' breaks rule: foreign key: must exist in "
                       r"sources\.source_id"):
        pkg.load("claims")


def test_duplicate_primary_key(broken, package_copy):
    path = package_copy / "quotes.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*rows, rows[1]]) + "\n", encoding="utf-8")
    pkg = DataPackage(package_copy / "datapackage.json")
    with pytest.raises(DataError, match=r"quotes\.csv row \d+, field 'quote_id': value 'q01' "
                       r"breaks rule: primary key \(quote_id\) must be unique"):
        pkg.load("quotes")


def test_missing_column(package_copy):
    path = package_copy / "events.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    i = rows[0].index("kind")
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([r[:i] + r[i + 1:] for r in rows])
    pkg = DataPackage(package_copy / "datapackage.json")
    with pytest.raises(DataError, match=r"events\.csv row 1, field 'kind': problem breaks rule: "
                       r"required column missing from header"):
        pkg.load("events")


def test_broken_csv_row(package_copy):
    path = package_copy / "actors.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("extra,Extra,person,role,RUS,tempo-2024-07-04-eurasian-security-club,note,oops\n")
    pkg = DataPackage(package_copy / "datapackage.json")
    with pytest.raises(DataError, match=r"table 'actors' \(.*actors\.csv\): broken CSV row: .*"
                       r"line \d+.*Each row needs 7 fields"):
        pkg.load("actors")


def test_unknown_country_code(broken):
    pkg = broken("membership", "KGZ,", "KGX,")
    with pytest.raises(DataError, match=r"field 'iso3': value 'KGX' breaks rule: ISO 3166-1 "
                       r"alpha-3 country code"):
        pkg.load("membership")


def test_missing_required_value(broken):
    pkg = broken("sanctions", ",EU,swift_disconnection,", ",,swift_disconnection,")
    with pytest.raises(DataError, match=r"field 'imposed_by': problem breaks rule: required"):
        pkg.load("sanctions")


def test_problems_are_also_structured(broken):
    pkg = broken("membership", "member,2017-06-09", "member,2017-06-31")
    with pytest.raises(DataError) as info:
        pkg.load("membership")
    p = info.value.problems[0]
    assert p["table"] == "membership" and p["field"] == "start" and p["value"] == "2017-06-31"
    assert isinstance(p["row"], int) and p["row"] >= 2


def test_validate_reports_frictionless_and_pandera_findings(broken):
    pkg = broken("membership", "member,2017-06-09", "member,2017-06-31")
    edit_csv(pkg.base / "membership.csv", "KGZ,", "KGX,")
    problems = pkg.validate()
    by_tool = problems.groupby("tool")["field"].apply(set).to_dict()
    assert "start" in by_tool["frictionless"]  # the standard validator sees the bad date
    assert "iso3" in by_tool["pandera"]  # only our schema knows country codes
    bad = problems[problems["field"] == "start"].iloc[0]
    assert bad["table"] == "membership" and bad["value"] == "2017-06-31"


def test_validation_stamp_skips_revalidation_but_not_after_a_change(package_copy):
    pkg = DataPackage(package_copy / "datapackage.json")
    pkg.load("membership")
    stamps = set((paths.CACHE_DIR / "validated").iterdir())
    assert stamps
    edit_csv(package_copy / "membership.csv", "2017-06-09", "2017-06-31")
    fresh = DataPackage(package_copy / "datapackage.json")
    with pytest.raises(DataError):
        fresh.load("membership")


def test_source_line_single_and_summary():
    one = sco.source_line(["tempo-2024-07-04-eurasian-security-club"])
    assert one == ('Source: TEMPO.CO, "Xi Jinping and Putin outline ambitions for Eurasian '
                   'Security Club" (2024-07-04)')
    many = sco.source_line(sco.load("events")["source_id"])
    assert many.startswith("Sources: ") and "data/sources.csv" in many
    with pytest.raises(ParameterError, match="source_ids: unknown source_id 'nope'"):
        sco.source_line(["nope"])


def test_sources_for_lists_cited_rows():
    s = sco.sources_for(sco.load("quotes"))
    assert set(s["source_id"]) == set(sco.load("quotes")["source_id"])


def test_every_source_is_cited_by_a_row_or_a_note():
    s = sco.load("sources")
    cited, notes = set(), []
    for table in sco.tables()["name"]:  # every table, including ones added after ALL_TABLES
        df = sco.load(table)
        if table != "sources":
            cited |= set(df["source_id"])
        notes.extend(df["note"].dropna())
    text = " ".join(notes)
    orphans = [sid for sid in s["source_id"] if sid not in cited and sid not in text]
    assert not orphans


def test_missing_descriptor(tmp_path):
    with pytest.raises(DataError, match=r"data package descriptor not found: .*nowhere\.json"):
        DataPackage(tmp_path / "nowhere.json").load("claims")


def test_descriptor_that_is_not_json(package_copy):
    (package_copy / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    with pytest.raises(DataError, match=r"datapackage\.json line 1, column 16: not valid JSON"):
        DataPackage(package_copy / "datapackage.json").load("claims")


def test_table_file_missing(package_copy):
    (package_copy / "quotes.csv").unlink()
    with pytest.raises(DataError, match=r"table 'quotes': file not found: .*quotes\.csv"):
        DataPackage(package_copy / "datapackage.json").load("quotes")


def test_table_file_not_utf8(package_copy):
    path = package_copy / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"Jinping", b"Jinp\xefng", 1))
    with pytest.raises(DataError, match=r"table 'actors' \(.*actors\.csv\): not UTF-8 text"):
        DataPackage(package_copy / "datapackage.json").load("actors")
