"""reports.yaml: grids, messages naming file, line, report and field; notebooks that are not."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from sco_research import cli
from sco_research.errors import ConfigError, ParameterError
from sco_research.reports import config

from .conftest import BASIC, write_config


def test_grid_expands_into_named_titled_reports(project):
    cfg = write_config(project, BASIC)
    reports = config.load_config(cfg)
    assert [r.name for r in reports] == ["read-a", "read-b", "plain"]
    assert [r.title for r in reports] == ["Table a", "Table b", "Plain report"]
    assert reports[1].parameters == {"table": "b"}
    assert reports[0].group == "read-{table}"
    assert reports[2].notebook == (project / "notebooks" / "plain.ipynb").resolve()
    assert reports[0].parameter_lines == {"table": 6}


def test_grid_without_placeholders_appends_values_and_dates_stay_strings(project):
    cfg = write_config(project, """\
reports:
  - name: read
    notebook: notebooks/reader.ipynb
    grid: {table: [2017-06-09, today]}
""")
    reports = config.load_config(cfg)
    assert [r.name for r in reports] == ["read-2017-06-09", "read-today"]
    assert reports[0].parameters == {"table": "2017-06-09"}  # not a datetime.date
    assert reports[0].title == "read (2017-06-09)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reports:\n  - name: a\n    notebook: [unclosed\n",
         r"line \d+, column \d+: not valid YAML"),
        ("reports: []\n", r"'reports' must be a non-empty list"),
        ("timeout: 5\n", r"line 1: 'reports' must be a non-empty list .*got None"),
        ("- name: a\n", r"expected a mapping with a 'reports:' list"),
        ("reports:\n  - name: a\n    notebook: notebooks/missing.ipynb\n",
         r"line 3, report 'a': notebook 'notebooks/missing.ipynb' not found .*Notebooks in "
         r".*boom.ipynb"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n"
         "  - name: a\n    notebook: notebooks/boom.ipynb\n",
         r"line 4: duplicate report name 'a' \(first defined at line 2\); give each report a "
         r"unique name"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    parms: {n: 1}\n",
         r"line 4, report 'a': unknown key 'parms'; did you mean 'parameters'\?"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    timeout: -1\n",
         r"line 4, report 'a': timeout: expected a positive, finite number of seconds, got -1"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    timeout: .inf\n",
         r"line 4, report 'a': timeout: expected a positive, finite number of seconds, got inf"),
        ("timeout: .nan\nreports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n",
         r"line 1: timeout: expected a positive, finite number of seconds, got nan"),
        ("reports:\n  - name: a b\n    notebook: notebooks/plain.ipynb\n",
         r"line 2, report 'a b': name 'a b' may use only letters"),
        ("reports:\n  - name: 7\n    notebook: notebooks/plain.ipynb\n",
         r"line 2 \(reports\[0\]\): 'name' is required and must be a string, got 7"),
        ("reports:\n  - notebook: notebooks/plain.ipynb\n",
         r"line 2 \(reports\[0\]\): 'name' is required and must be a string, got None"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    parameters:\n"
         "      n: 1\n      n: 2\n", r"line 6: duplicate key 'n' \(first at line 5\)"),
        ("reports:\n  - name: a-{x}\n    notebook: notebooks/plain.ipynb\n"
         "    grid: {n: [1, 2]}\n", r"placeholder\(s\) \{x\} that are not grid parameters"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    grid: {n: 1}\n",
         r"grid parameter 'n' needs a non-empty list of values, got 1"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    grid: {n: []}\n",
         r"line 4, report 'a': grid parameter 'n' needs a non-empty list of values, got \[\]"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n"
         f"    grid: {{n: {list(range(config.MAX_GRID + 1))}}}\n",
         r"expands into 51 reports; at most 50"),
        ("reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n    parameters: {n: 1}\n"
         "    grid: {n: [1, 2]}\n", r"parameter 'n' is set both under 'parameters' and under"),
        ("tmeout: 5\nreports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n",
         r"line 1: unknown top-level key 'tmeout'; did you mean 'timeout'\?"),
    ],
)
def test_malformed_config_is_refused_naming_line_and_fix(project, text, expected):
    cfg = write_config(project, text)
    with pytest.raises(ConfigError, match=expected):
        config.load_config(cfg)


def test_several_problems_are_listed_one_per_line(project):
    cfg = write_config(project, "reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n"
                                "    timeout: 0\n  - name: b\n    notebook: nope.ipynb\n")
    with pytest.raises(ConfigError) as info:
        config.load_config(cfg)
    lines = str(info.value).splitlines()
    assert lines[0].endswith("reports.yaml: 2 problem(s); nothing was rendered:")
    assert "line 4, report 'a': timeout" in lines[1]
    assert "line 6, report 'b': notebook 'nope.ipynb' not found" in lines[2]


def test_missing_config_file_is_refused(project):
    with pytest.raises(ConfigError, match="does not exist; create it"):
        config.load_config(project / "nope.yaml")


@pytest.mark.parametrize("bad", ["json", "passwd", "empty"])
def test_a_notebook_that_is_not_a_notebook_is_refused_in_one_line_without_its_content(
        project, bad, capsys):
    secret = "root:x:0:0:SECRET-CONTENT:/root:/bin/bash"
    files = {"json": ("data/datapackage.json", None),
             "passwd": ("notebooks/passwd", secret + "\n"),
             "empty": ("notebooks/empty.ipynb", "")}
    rel, content = files[bad]
    if content is not None:
        (project / rel).write_text(content, encoding="utf-8")
    cfg = write_config(project, f"reports:\n  - name: x\n    notebook: {rel}\n")
    with pytest.raises(ConfigError) as info:
        config.load_config(cfg)
    msg = str(info.value)
    assert len(msg.splitlines()) == 1
    assert msg.startswith(f"{cfg} line 3, report 'x': notebook {rel!r} ") or \
        "line 3, report 'x': notebook" in msg
    assert "not a Jupyter notebook" in msg or "is empty" in msg
    assert "SECRET" not in msg and "resources" not in msg
    rc = cli.main(["render", "--config", str(cfg), "--out", str(project / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "SECRET" not in err
    assert not (project / "out").exists()


def test_a_notebook_outside_the_project_is_refused(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "x.ipynb"
    (project / "notebooks" / "plain.ipynb").replace(elsewhere)
    cfg = write_config(project, f"reports:\n  - name: x\n    notebook: {elsewhere}\n")
    with pytest.raises(ConfigError, match=r"line 3, report 'x': notebook '.*x.ipynb' is outside "
                                          r"the project .*; reports run notebooks of the "
                                          r"project only"):
        config.load_config(cfg)


def test_unknown_report_names_are_refused_listing_the_known_ones(project, capsys):
    cfg = write_config(project, BASIC)
    reports = config.load_config(cfg)
    assert [r.name for r in config.select_reports(reports, ["read-{table}"])] == \
        ["read-a", "read-b"]
    assert [r.name for r in config.select_reports(reports, ["pl*"])] == ["plain"]
    with pytest.raises(ParameterError) as info:
        config.select_reports(reports, ["plian"])
    assert str(info.value) == ("names: unknown report 'plian'; did you mean 'plain'? Known "
                               "reports: read-a, read-b, plain (groups: read-{table})")
    rc = cli.main(["render", "nope", "--config", str(cfg), "--out", str(project / "out")])
    assert rc == 2
    err = capsys.readouterr().err
    assert "unknown report 'nope'" in err and "Known reports: read-a, read-b, plain" in err
    assert not (project / "out").exists()


def test_the_models_are_the_schema():
    schema = config.ReportEntry.model_json_schema()
    assert set(schema["properties"]) == {"name", "title", "notebook", "parameters", "grid",
                                         "timeout"}
    assert set(schema["required"]) == {"name", "notebook"}
    assert config.ReportsFile.model_json_schema()["properties"]["timeout"]["default"] == \
        config.DEFAULT_TIMEOUT


# -- hostile input: refused before anything runs or prints much ----------------------------
def _bomb(levels: int = 9) -> str:
    lines = ["reports:", "  - name: bomb", "    notebook: notebooks/plain.ipynb",
             "    parameters:", "      a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"      a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]"
              for i in range(1, levels + 1)]
    return "\n".join([*lines, f"      n: *a{levels}"]) + "\n"


def test_a_yaml_alias_bomb_is_refused_before_it_is_written_out(project):
    cfg = write_config(project, _bomb())
    # In a child process with a generous budget: on a renderer that writes the value out, the
    # child would run for minutes and take gigabytes; here it must end with exit status 2.
    proc = subprocess.run([sys.executable, "-m", "sco_research.cli", "render", "--list",
                           "--config", str(cfg), "--out", str(project / "out")],
                          capture_output=True, text=True, timeout=120, cwd=project)
    assert proc.returncode == 2, proc.stderr[-500:]
    assert re.fullmatch(r"sco-research render: error: reports.yaml line 2, report 'bomb': the "
                        r"entry holds more than 10000 values once its YAML aliases are written "
                        r"out; .*nothing was rendered\n", proc.stderr)


def test_a_huge_value_is_refused_and_never_printed_whole(project):
    cfg = write_config(project, "reports:\n  - name: big\n    notebook: notebooks/plain.ipynb\n"
                                f"    parameters:\n      m: '{'z' * 1_000_000}'\n")
    with pytest.raises(ConfigError, match="more than 100000 characters of text") as info:
        config.load_config(cfg)
    assert len(str(info.value)) < 400
    write_config(project, "reports:\n  - name: big\n    notebook: notebooks/plain.ipynb\n"
                          f"    parameters:\n      n: {'9' * 1_000_000}\n")
    with pytest.raises(ConfigError, match=r"reports.yaml: a value cannot be read: .*digits") \
            as info:
        config.load_config(cfg)
    assert len(str(info.value)) < 400


def test_a_long_value_in_an_error_is_cut_to_200_characters(project):
    cfg = write_config(project, "reports:\n  - name: big\n    notebook: notebooks/plain.ipynb\n"
                                f"    parameters: [{', '.join(['abc'] * 5000)}]\n")
    with pytest.raises(ConfigError, match="'parameters' must be a mapping") as info:
        config.load_config(cfg)
    assert len(str(info.value)) < 400


def test_a_notebook_path_that_is_a_folder_is_called_a_folder(project):
    (project / "notebooks" / "sub.ipynb").mkdir()
    cfg = write_config(project, "reports:\n  - name: a\n    notebook: notebooks/sub.ipynb\n")
    with pytest.raises(ConfigError, match=r"line 3, report 'a': notebook 'notebooks/sub.ipynb' "
                                          r"is a folder \(.*\), not a notebook; give the path of "
                                          r"an \.ipynb file\. Notebooks in it: none"):
        config.load_config(cfg)
    cfg = write_config(project, "reports:\n  - name: a\n    notebook: notebooks\n")
    with pytest.raises(ConfigError, match=r"is a folder .* Notebooks in it: boom.ipynb, "
                                          r"plain.ipynb, reader.ipynb, sleepy.ipynb; "):
        config.load_config(cfg)
    cfg = write_config(project, "reports:\n  - name: a\n    notebook: notebooks/gone.ipynb\n")
    with pytest.raises(ConfigError, match=r"not found .* Notebooks in .*notebooks: boom.ipynb, "
                                          r"plain.ipynb, reader.ipynb, sleepy.ipynb; "):
        config.load_config(cfg)  # the folder named sub.ipynb is not listed as a notebook


def test_a_long_parameter_value_is_shown_cut_when_the_notebook_refuses_it(project):
    from sco_research.reports import params

    value = "z" * 50_000
    cfg = write_config(project, "reports:\n  - name: a\n    notebook: notebooks/plain.ipynb\n"
                                f"    parameters:\n      m: '{value}'\n")
    reports = config.load_config(cfg)
    with pytest.raises(ConfigError, match="parameter 'm' = 'zzz.*zzz' is not declared") as info:
        params.check_all(reports, cfg)
    assert len(str(info.value)) < 600
