import subprocess
import sys

from sco_research.cli import main

from .conftest import edit_csv


def test_validate_bundled_package(capsys):
    assert main(["validate"]) == 0
    assert "valid (" in capsys.readouterr().out


def test_validate_prints_the_temporal_count_and_the_coverage(capsys):
    import sco_research as sco

    assert main(["validate"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("temporal check: 0 violation(s) in ")
    assert "summit_attendance.summit_id" in out[1] and "sanctions.announced" in out[1]
    assert out[2].startswith("coverage (recorded_through: the day through which a table was "
                             "checked for new facts")
    assert out[3].split() == ["table", "series", "first", "last", "recorded_through"]
    cov = sco.coverage()
    assert len(out) == 4 + len(cov)
    through = sco.freshness.recorded_through("membership")
    row = next(line.split() for line in out[4:] if line.split()[0] == "membership")
    assert row == ["membership", "2001-06-15", cov.loc[cov["table"] == "membership",
                   "last"].iloc[0], f"{through:%Y-%m-%d}"]


def test_validate_counts_temporal_violations(package_copy, capsys):
    edit_csv(package_copy / "summit_outcomes.csv", "congratulated China.,,2024-07-04,occurred,SCO",
             "congratulated China.,,2024-07-05,occurred,SCO")
    code = main(["validate", "--datapackage", str(package_copy / "datapackage.json")])
    out = capsys.readouterr().out
    assert code == 1
    assert "field 'date': value '2024-07-05' breaks rule: dated after its source:" in out
    assert "temporal check: 1 violation(s) in " in out


def test_validate_broken_copy_prints_table_row_field_value_rule(package_copy, capsys):
    edit_csv(package_copy / "membership.csv", "member,2017-06-09", "member,2017-06-31")
    code = main(["validate", "--datapackage", str(package_copy / "datapackage.json")])
    out = capsys.readouterr()
    assert code == 1
    assert "membership.csv row" in out.out
    assert "field 'start': value '2017-06-31' breaks rule:" in out.out
    assert "problem(s) in" in out.err


def test_tables_command(capsys):
    assert main(["tables"]) == 0
    assert "membership" in capsys.readouterr().out


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "sco_research.cli", "--help"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "validate" in out.stdout


def test_library_errors_exit_2_with_the_message(tmp_path, capsys):
    code = main(["validate", "--datapackage", str(tmp_path / "missing.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("sco-research validate: error: data package descriptor not found: ")
    assert err.rstrip().endswith("missing.json")


def test_render_help_names_its_exit_statuses(capsys):
    import pytest

    with pytest.raises(SystemExit) as info:
        main(["render", "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert "2 refused" in out and "130 interrupted" in out and "--list" in out


def test_the_command_line_does_not_import_the_renderer_until_render_runs():
    code = ("import sys; from sco_research import cli; cli.build_parser(); "
            "print(sorted(m for m in ('pydantic', 'papermill', 'sco_research.reports.batch') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
