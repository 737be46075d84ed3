import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

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


def test_validate_reports_every_finding_from_frictionless(broken):
    pkg = broken("membership", "member,2017-06-09", "member,2017-06-31")
    edit_csv(pkg.base / "membership.csv", "KGZ,", "KGX,")
    problems = pkg.validate()
    assert set(problems["tool"]) == {"frictionless"}  # the single validator
    bad = problems[problems["field"] == "start"].iloc[0]
    assert bad["table"] == "membership" and bad["value"] == "2017-06-31"
    assert bad["rule"] == "type date (YYYY-MM-DD, a real calendar day)"
    iso = problems[problems["field"] == "iso3"].iloc[0]  # the custom pycountry check
    assert iso["value"] == "KGX" and iso["rule"] == "ISO 3166-1 alpha-3 country code (pycountry)"


def test_validation_stamp_skips_revalidation_but_not_after_a_change(package_copy):
    pkg = DataPackage(package_copy / "datapackage.json")
    pkg.load("membership")
    stamps = set((paths.CACHE_DIR / "validated").iterdir())
    assert stamps
    edit_csv(package_copy / "membership.csv", "2017-06-09", "2017-06-31")
    fresh = DataPackage(package_copy / "datapackage.json")
    with pytest.raises(DataError):
        fresh.load("membership")


def test_a_passed_validate_spares_load_the_validation(package_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "CACHE_DIR", tmp_path / "cache")
    (package_copy / "geo").symlink_to(paths.GEO_DIR)  # the copy leaves the geometries out
    pkg = DataPackage(package_copy / "datapackage.json")
    assert pkg.validate().empty
    checked = []
    monkeypatch.setattr(pkg, "_check", lambda name, resource: checked.append(name))
    for name in pkg.names:
        pkg.load(name)
    assert checked == []
    edit_csv(package_copy / "events.csv", "2024-07-04", "2024-07-05")
    pkg.load("events")  # a changed file is validated again
    assert checked == ["events"]


def test_every_source_is_cited_by_a_row_or_a_note():
    s = sco.load("sources")
    cited, notes = set(), []
    for table in sco.tables()["name"]:  # every table, including ones added after ALL_TABLES
        df = sco.load(table)
        if table != "sources" and "source_id" in df:
            cited |= set(df["source_id"])
        if "note" in df:
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


# -- a minimum row count per table (sco:minRows) ------------------------------------------------


def _min_rows(package: Path, table: str) -> int:
    desc = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    return next(r for r in desc["resources"] if r["name"] == table)["sco:minRows"]


def _keep_rows(path: Path, n: int) -> None:
    """Cut a CSV file to its header and first ``n`` data rows (an emptied or truncated file)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows[: n + 1])


def test_every_table_declares_a_minimum_row_count_it_meets():
    pkg = sco.data.default_package()
    for name in pkg.names:
        minimum = pkg.resources[name].get("sco:minRows")
        assert isinstance(minimum, int) and minimum >= 1, name
        assert len(pkg.load(name)) >= minimum, name


@pytest.mark.parametrize("keep", [0, 5])
def test_emptied_or_truncated_table_fails_load_naming_table_count_and_minimum(package_copy,
                                                                               keep):
    minimum = _min_rows(package_copy, "trade")
    _keep_rows(package_copy / "trade.csv", keep)
    pkg = DataPackage(package_copy / "datapackage.json")
    with pytest.raises(DataError, match=rf"(?s)table 'trade' \(.*trade\.csv\) failed validation .*"
                       rf"sco:minRows: at least {minimum} data row\(s\) required, found {keep} "):
        pkg.load("trade")


def test_validate_and_the_cli_fail_on_an_emptied_table(package_copy, capsys):
    from sco_research.cli import main

    minimum = _min_rows(package_copy, "membership")
    _keep_rows(package_copy / "membership.csv", 0)
    problems = DataPackage(package_copy / "datapackage.json").validate()
    rows = problems[problems["rule"].str.startswith("sco:minRows")]
    assert list(rows["table"]) == ["membership"]
    assert main(["validate", "--datapackage", str(package_copy / "datapackage.json")]) == 1
    out = capsys.readouterr().out
    assert re.search(rf"membership\.csv: problem breaks rule: sco:minRows: at least {minimum} "
                     r"data row\(s\) required, found 0", out), out


def test_an_emptied_table_cannot_reach_a_chart_as_an_empty_choice_list(default_copy):
    # Before: an empty trade table made trade_chart fail with "unknown partner 'CHN'. Allowed: ".
    _keep_rows(default_copy.base / "trade.csv", 0)
    with pytest.raises(DataError, match=r"(?s)table 'trade' .*sco:minRows"):
        sco.charts.trade_chart(partners=("CHN",))


# -- a changed file is read again -----------------------------------------------------------------


def test_load_notices_an_edited_file_in_a_running_session(package_copy):
    pkg = DataPackage(package_copy / "datapackage.json")
    before = pkg.load("membership")
    assert "Kyrgyzstan" in set(before["country"])
    edit_csv(package_copy / "membership.csv", "Kyrgyzstan", "Kyrgyz Republic", count=100)
    assert "Kyrgyz Republic" in set(pkg.load("membership")["country"])
    # same size, same second: the content decides
    edit_csv(package_copy / "membership.csv", "Kyrgyz Republic", "Kyrgyz_Republic", count=100)
    assert "Kyrgyz_Republic" in set(pkg.load("membership")["country"])
    # and a broken edit is refused, not served from the cache
    edit_csv(package_copy / "membership.csv", "2017-06-09", "2017-06-31")
    with pytest.raises(DataError, match=r"value '2017-06-31' breaks rule: type date"):
        pkg.load("membership")


def test_sco_load_in_a_session_sees_an_edited_csv_without_clear_cache(default_copy):
    assert "Xi Jinping" in set(sco.load("actors")["name"])
    edit_csv(default_copy.base / "actors.csv", "Xi Jinping", "Xi Jin-ping")
    names = set(sco.load("actors")["name"])
    assert "Xi Jin-ping" in names and "Xi Jinping" not in names


def test_load_notices_a_changed_foreign_key_target(package_copy):
    pkg = DataPackage(package_copy / "datapackage.json")
    pkg.load("quotes")
    sid = pkg.load("quotes")["source_id"].iloc[0]
    edit_csv(package_copy / "sources.csv", f"\n{sid},", f"\n{sid}-renamed,")
    with pytest.raises(DataError, match=rf"field 'source_id': value '{sid}' breaks rule: "
                       r"foreign key: must exist in sources\.source_id"):
        pkg.load("quotes")


def test_load_notices_an_edited_descriptor(package_copy):
    pkg = DataPackage(package_copy / "datapackage.json")
    assert pkg.tables().set_index("name").loc["quotes", "title"] != "Renamed quotes"
    desc = package_copy / "datapackage.json"
    title = pkg.resources["quotes"]["title"]
    edit_csv(desc, f'"title": "{title}"', '"title": "Renamed quotes"')
    assert pkg.tables().set_index("name").loc["quotes", "title"] == "Renamed quotes"


def test_unchanged_files_are_served_from_the_cache(package_copy, monkeypatch):
    pkg = DataPackage(package_copy / "datapackage.json")
    pkg.load("events")
    calls = []
    monkeypatch.setattr(pkg, "_read_raw", lambda *a: calls.append(a))
    pkg.load("events")
    assert calls == []


# -- the data layer knows what it read ------------------------------------------------------------


def _log_lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines()


def test_every_load_appends_its_files_to_the_read_log(package_copy, read_log):
    pkg = DataPackage(package_copy / "datapackage.json")
    pkg.load("quotes")
    first = _log_lines(read_log)
    assert first[0] == "#trace"
    wanted = {str((package_copy / f).resolve()) for f in ("datapackage.json", "quotes.csv",
                                                         "sources.csv")}
    assert wanted <= set(first[1:])
    assert all(Path(p).is_absolute() for p in first[1:])
    pkg.load("quotes")  # a cached load is recorded too
    again = _log_lines(read_log)
    assert again[: len(first)] == first and set(again[len(first):]) >= wanted
    assert again.count("#trace") == 1


def test_tables_read_and_files_read_say_what_this_process_loaded(package_copy):
    pkg = DataPackage(package_copy / "datapackage.json")
    pkg.load("actors")
    assert "actors" in sco.tables_read()
    assert str((package_copy / "actors.csv").resolve()) in sco.files_read()


def test_record_read_without_a_log_only_remembers(tmp_path, monkeypatch):
    monkeypatch.delenv("SCO_RESEARCH_READ_LOG", raising=False)
    path = sco.record_read(tmp_path / "geo.parquet")
    assert path == str(tmp_path / "geo.parquet") and path in sco.files_read()
    assert list(tmp_path.iterdir()) == []


def test_concurrent_appends_keep_one_header_and_whole_lines(tmp_path):
    log = tmp_path / "reads.log"
    code = ("import sys; from sco_research.data import record_read\n"
            "for i in range(200): record_read(f'/data/{sys.argv[1]}/file-{i:03d}.csv')")
    env = {**os.environ, "SCO_RESEARCH_READ_LOG": str(log), "PYTHONPATH": str(paths.PROJECT_ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, f"p{n}"], env=env) for n in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    lines = _log_lines(log)
    assert lines[0] == "#trace" and lines.count("#trace") == 1
    expected = {f"/data/p{n}/file-{i:03d}.csv" for n in range(4) for i in range(200)}
    assert sorted(lines[1:]) == sorted(expected)


def test_an_unwritable_read_log_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SCO_RESEARCH_READ_LOG", str(tmp_path / "missing" / "reads.log"))
    with pytest.raises(DataError, match=r"SCO_RESEARCH_READ_LOG: cannot append to '.*missing/"
                       r"reads\.log': No such file or directory; set it to a writable file"):
        sco.record_read("data/claims.csv")


# -- the cache folder ------------------------------------------------------------------------------


def test_cache_folder_comes_from_platformdirs_unless_overridden(tmp_path):
    import platformdirs

    code = "from sco_research import paths; print(paths.CACHE_DIR)"
    env = {k: v for k, v in os.environ.items() if k != "SCO_RESEARCH_CACHE"}
    env["PYTHONPATH"] = str(paths.PROJECT_ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == str(platformdirs.user_cache_path("sco-research", appauthor=False))
    env["SCO_RESEARCH_CACHE"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == str(tmp_path)


@pytest.mark.parametrize("bad", ['"ten"', "-1", "true", "2.5"])
def test_a_malformed_minimum_row_count_is_a_validation_problem(package_copy, bad):
    desc = package_copy / "datapackage.json"
    minimum = _min_rows(package_copy, "events")
    edit_csv(desc, f'"sco:minRows": {minimum},', f'"sco:minRows": {bad},')
    events = json.loads(desc.read_text(encoding="utf-8"))["resources"]
    assert next(r for r in events if r["name"] == "events")["sco:minRows"] == json.loads(bad)
    with pytest.raises(DataError, match=rf"sco:minRows: must be a whole number of rows, got "
                       rf"{re.escape(repr(json.loads(bad)))}"):
        DataPackage(desc).load("events")


# -- validate and load agree, and both name file, row, field and value ------------------------
def _rows(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


_EDITS = {
    "nan": lambda p: edit_csv(p, ",89.21,", ",NaN,"),
    "inf": lambda p: edit_csv(p, ",89.21,", ",inf,"),
    "-Infinity": lambda p: edit_csv(p, ",89.21,", ",-Infinity,"),
    "trailing blank line": lambda p: p.write_text("\n".join(_rows(p)) + "\n\n", encoding="utf-8"),
    "extra column": lambda p: p.write_text(
        "\n".join(r + ("," + ("x" if i else "shade")) for i, r in enumerate(_rows(p))) + "\n",
        encoding="utf-8"),
    "missing column": lambda p: p.write_text(
        "\n".join(",".join(r.split(",")[:5] + r.split(",")[6:]) for r in _rows(p)) + "\n",
        encoding="utf-8"),
}
_EXPECTED = {
    "nan": (2, "value", "NaN", "a finite number (not NaN or infinity)"),
    "inf": (2, "value", "inf", "a finite number (not NaN or infinity)"),
    "-Infinity": (2, "value", "-Infinity", "a finite number (not NaN or infinity)"),
    "trailing blank line": (None, None, None, "blank row: remove the empty line"),
    "extra column": (1, "shade", None, "column not described in datapackage.json"),
    "missing column": (1, "value", None, "required column missing from header"),
}


@pytest.mark.parametrize("case", list(_EDITS))
def test_validate_and_load_report_the_same_one_problem(package_copy, case):
    path = package_copy / "trade.csv"
    _EDITS[case](path)
    (package_copy / "geo").symlink_to(paths.GEO_DIR)  # the copy leaves the geometries out
    found = DataPackage(package_copy / "datapackage.json").validate()
    assert len(found) == 1, found.to_string()
    problem = found.iloc[0]
    row, field, value, rule = _EXPECTED[case]
    if row is None:  # the blank line's number: one past the last data row
        row = len(_rows(path))  # lines count from the header, line 1
    assert (problem["table"], problem["row"], problem["field"], problem["value"]) == \
        ("trade", row, field, value)
    assert problem["rule"].startswith(rule)
    with pytest.raises(DataError, match=r"failed validation with 1 problem\(s\):\n  "
                                        + re.escape(f"{path} row {row}")) as info:
        DataPackage(package_copy / "datapackage.json").load("trade")
    assert rule in str(info.value)
    if field:
        assert f"field {field!r}" in str(info.value)


def test_a_byte_order_mark_is_ignored_by_validate_and_load_alike(package_copy):
    path = package_copy / "sources.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    (package_copy / "geo").symlink_to(paths.GEO_DIR)
    pkg = DataPackage(package_copy / "datapackage.json")
    assert pkg.validate().empty
    assert list(pkg.load("sources").columns)[0] == "source_id"
    assert len(pkg.load("sources")) == len(sco.load("sources"))


# -- reading a file while another process rewrites it -----------------------------------------
def test_a_file_rewritten_during_the_read_is_read_again(package_copy, monkeypatch):
    path = package_copy / "trade.csv"
    full = path.read_bytes()
    pkg = DataPackage(package_copy / "datapackage.json")
    original = DataPackage._read_raw
    calls = []

    def half_written(self, name, resource):
        calls.append(name)
        if len(calls) == 1:  # the writer has written 74 rows of 84 when we read
            path.write_bytes(b"\n".join(full.split(b"\n")[:75]) + b"\n")
            raw = original(self, name, resource)
            path.write_bytes(full)  # ...and then finishes
            return raw
        return original(self, name, resource)

    monkeypatch.setattr(DataPackage, "_read_raw", half_written)
    table = pkg.load("trade")
    assert len(calls) == 2
    assert len(table) == len(full.decode("utf-8").splitlines()) - 1


def test_a_file_that_keeps_changing_is_a_data_error_not_a_short_table(package_copy,
                                                                       monkeypatch):
    path = package_copy / "trade.csv"
    original = DataPackage._read_raw

    def always_rewritten(self, name, resource):
        raw = original(self, name, resource)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(path.read_text(encoding="utf-8").splitlines()[-1] + "\n")
        return raw

    monkeypatch.setattr(DataPackage, "_read_raw", always_rewritten)
    with pytest.raises(DataError, match=r"^table 'trade' \(.*trade\.csv\): the file changed "
                                        r"while it was being read, 5 times in a row; wait"):
        DataPackage(package_copy / "datapackage.json").load("trade")


def test_loads_during_real_rewrites_never_return_a_short_table(package_copy):
    """Another process rewrites the file in place, again and again, while this one loads."""
    path = package_copy / "trade.csv"
    full = len(_rows(path)) - 1
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys, pathlib, time\n"
        "p = pathlib.Path(sys.argv[1]); data = p.read_bytes()\n"
        "while True:\n"
        "    with open(p, 'wb', buffering=0) as fh:\n"
        "        for i in range(0, len(data), 2048):\n"
        "            fh.write(data[i:i + 2048])\n"
        "            time.sleep(0.0005)\n"
        "    time.sleep(0.002)\n"), str(path)])
    try:
        outcomes = []
        for _ in range(25):
            try:
                outcomes.append(len(DataPackage(package_copy / "datapackage.json")
                                    .load("trade")))
            except DataError as exc:
                outcomes.append(str(exc).splitlines()[0])
    finally:
        writer.kill()
        writer.wait()
    short = [o for o in outcomes if isinstance(o, int) and o != full]
    assert not short, f"short tables returned: {short}"
    errors = {o for o in outcomes if isinstance(o, str)}
    assert all("trade" in e for e in errors), errors


# -- the temporal check: no row records as done what its source could not know ------------------


def test_a_row_dated_after_its_source_is_one_pinned_problem(broken):
    pkg = broken("summit_outcomes", "congratulated China.,,2024-07-04,occurred,SCO",
                 "congratulated China.,,2024-07-05,occurred,SCO")
    with pytest.raises(DataError) as info:
        pkg.load("summit_outcomes")
    assert len(info.value.problems) == 1
    assert re.search(
        r"summit_outcomes\.csv row 31, field 'date': value '2024-07-05' breaks rule: dated after "
        r"its source: 'kt-2024-07-04-kazakhstan-hands-over-presidency' \(published 2024-07-04\) "
        r"cannot report 2024-07-05 as done; cite a page published on or after 2024-07-05, or "
        r"mark the row expected \(status: expected\)$",
        str(info.value).splitlines()[1].strip())


def test_validate_reports_it_with_the_other_problems(broken):
    pkg = broken("summit_outcomes", "congratulated China.,,2024-07-04,occurred,SCO",
                 "congratulated China.,,2024-07-05,occurred,SCO")
    problems = pkg.validate()
    problems = problems[problems["table"] != "geo"]  # the copy leaves the geometries out
    assert len(problems) == 1
    p = problems.iloc[0]
    assert (p["table"], p["row"], p["field"], p["value"]) == (
        "summit_outcomes", 31, "date", "2024-07-05")


def test_an_expected_row_may_follow_its_source_but_not_once_marked_as_occurred(broken):
    pkg = broken("events", "2022-03-12,expected,", "2022-03-12,expected,")
    pkg.load("events")  # the scheduled effective date its source announces: valid
    pkg = broken("events", "2022-03-12,expected,", "2022-03-12,occurred,")
    with pytest.raises(DataError, match=r"events\.csv row 48, field 'date': value '2022-03-12' "
                       r"breaks rule: dated after its source: 'interfax-2022-03-02-swift-"
                       r"deadline' \(published 2022-03-02\) cannot report 2022-03-12 as done; "
                       r"cite a page published on or after 2022-03-12, or mark the row "
                       r"expected \(status: expected\)"):
        pkg.load("events")


def test_attendance_is_dated_by_its_summit(broken):
    pkg = broken("summit_attendance", "Secretary-General,attended,,un-2025-sg-travels-tianjin",
                 "Secretary-General,attended,,anews-2025-08-30-xi-meets-guterres")
    with pytest.raises(DataError, match=r"summit_attendance\.csv row \d+, field 'summit_id': "
                       r"value 'summit-2025-tianjin' breaks rule: dated after its source: "
                       r"'anews-2025-08-30-xi-meets-guterres' \(published 2025-08-30\) cannot "
                       r"report 2025-09-01 \(events\.date of 'summit-2025-tianjin'\) as done; "
                       r".*or mark the row expected \(attendance: expected\)"):
        pkg.load("summit_attendance")


def test_a_memorandum_is_dated_by_its_own_source(broken):
    pkg = broken("membership", "2023-07-15,bahrain-mofa-2023-bahrain-sco-memorandum,",
                 "2023-07-15,,")
    with pytest.raises(DataError, match=r"field 'memorandum_date': value '2023-07-15' breaks "
                       r"rule: dated after its source: 'xinhua-peoplecn-2022-09-16-samarkand-"
                       r"summit' \(published 2022-09-16\)"):
        pkg.load("membership")


def test_a_check_cannot_come_before_its_article_nor_a_page_be_read_before_it_appeared(broken):
    pkg = broken("claim_checks", "2026-12-02,tempo", "2024-07-03,tempo")
    with pytest.raises(DataError, match=r"field 'checked_on': value '2024-07-03' breaks rule: "
                       r"not before its source: 'tempo-2024-07-04-eurasian-security-club' "
                       r"\(published 2024-07-04\) is later"):
        pkg.load("claim_checks")
    pkg = broken("sources", '2024-07-04,2026-11-28,news,official_via_news,"The seed',
                 '2026-11-29,2026-11-28,news,official_via_news,"The seed')
    with pytest.raises(DataError, match=r"sources\.csv row 2, field 'published': value "
                       r"'2026-11-29' breaks rule: not after accessed \(2026-11-28\)"):
        pkg.load("sources")


def test_the_bundled_package_has_no_temporal_violation():
    from sco_research._schema import TEMPORAL_RULE_PREFIXES, validate_package

    found = [p for p in validate_package(paths.DATAPACKAGE)
             if str(p["rule"]).startswith(TEMPORAL_RULE_PREFIXES)]
    assert found == []


def test_every_date_field_says_what_its_date_means():
    from sco_research._schema import NOT_AFTER_SOURCE

    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    unchecked = {"sources.accessed", "membership.end", "sanctions.effective"}
    for r in descriptor["resources"]:
        for f in r.get("schema", {}).get("fields", []):
            if f.get("type") != "date":
                continue
            name = f"{r['name']}.{f['name']}"
            text = f.get("description", "")
            assert len(text) >= 60, f"{name}: {text!r} does not say what its date means"
            if name in unchecked:
                assert "not checked" in text.lower() or "Day we last read" in text, name
            else:
                assert any(f.get(k) for k in (NOT_AFTER_SOURCE, "sco:notBeforeSource",
                                             "sco:notAfterField")), f"{name} is not checked"
                assert "sco:" in text, f"{name}: the description does not name its check"


def test_every_status_end_is_the_start_of_the_next_row():
    m = sco.load("membership")
    starts = set(zip(m["iso3"], m["start"], strict=True))
    ended = m[m["end"].notna()]
    assert all((iso, end) in starts for iso, end in zip(ended["iso3"], ended["end"], strict=True))


def test_a_misspelt_disputed_tag_is_one_pinned_problem(broken):
    pkg = broken("currency", 'c13,"[disputed] July figure as Interfax',
                 'c13,"July figure as Interfax [disputed]')
    with pytest.raises(DataError) as info:
        pkg.load("currency")
    assert len(info.value.problems) == 1
    assert re.search(
        r"currency\.csv row 194, field 'note': value \"July.*\" breaks rule: "
        r"pattern: a \[disputed\] tag is written exactly '\[disputed\] ' at the start of the "
        r"note, then the reason$", str(info.value).splitlines()[1].strip())


# -- derived values: computed once while their tables are unchanged ----------------------------


def test_a_derived_value_is_computed_once_until_a_table_it_read_changes(package_copy, read_log):
    pkg = DataPackage(package_copy / "datapackage.json")
    calls = []

    def inner():
        calls.append("inner")
        return len(pkg.load("membership"))

    def outer():
        calls.append("outer")
        return pkg.derived(("inner",), inner) + len(pkg.load("events"))

    first = pkg.derived(("outer",), outer)
    read_log.write_text("")
    assert pkg.derived(("outer",), outer) == first and calls == ["outer", "inner"]
    # a value served from the cache still records every file behind it, as load does
    logged = {Path(line).name for line in _log_lines(read_log)}
    assert {"membership.csv", "events.csv", "datapackage.json"} <= logged
    # a table the inner value read changes: both are computed again (outer knew it through inner)
    edit_csv(package_copy / "membership.csv", "Earlier a Shanghai Five",
             "Earlier one Shanghai Five")
    assert pkg.derived(("outer",), outer) == first
    assert calls == ["outer", "inner", "outer", "inner"]
    assert pkg.derived(("outer",), outer) == first and len(calls) == 4
    pkg.clear_cache()
    assert pkg.derived(("outer",), outer) == first and len(calls) == 6


def test_a_derived_frame_is_a_copy_and_a_failure_is_not_cached(package_copy):
    pkg = DataPackage(package_copy / "datapackage.json")
    frame = pkg.derived(("m",), lambda: pkg.load("membership"))
    frame.loc[:, "iso3"] = "XXX"
    assert (pkg.derived(("m",), lambda: None)["iso3"] != "XXX").all()
    attempts = []

    def failing():
        attempts.append(1)
        raise DataError("broken")

    for _ in range(2):
        with pytest.raises(DataError, match="broken"):
            pkg.derived(("f",), failing)
    assert len(attempts) == 2


def test_the_disputed_tag_is_refused_outside_the_currency_table(broken):
    pkg = broken("trade", ",,[official statement via news] total for 2013",
                 ",,[disputed] total for 2013")
    with pytest.raises(DataError) as info:
        pkg.load("trade")
    assert len(info.value.problems) == 1
    assert str(info.value).splitlines()[1].strip().endswith(
        "breaks rule: pattern: no [disputed] tag: it is the currency table's only, and the "
        "charts of this table do not draw it")
