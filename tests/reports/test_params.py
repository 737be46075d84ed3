"""Notebook parameters: declared names and types, each notebook's library check, the pre-flight."""

from __future__ import annotations

import ast
import inspect

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from sco_research import cli, paths
from sco_research.errors import ConfigError
from sco_research.reports import params
from sco_research.reports.config import Report

from .conftest import make_notebook, run, write_config


def test_comment_declared_types_are_checked(tmp_path):
    nb = make_notebook(tmp_path / "c.ipynb", "theme = None  # str | None: keep one theme\n"
                                             "size = 3  # how big")
    declared = params.notebook_parameters(nb)
    report = Report("c", "C", nb, {"theme": 5, "size": 2.5})
    problems = params.check_parameters(report, declared)
    assert len(problems) == 2
    assert "parameter 'theme' = 5 (int) does not match the declared type str | None (from the " \
           "parameter's comment)" in problems[0]
    assert "parameter 'size' = 2.5 (float) does not match the declared type int (inferred " \
           "from the default 3)" in problems[1]


@pytest.mark.parametrize(
    ("annotation", "value", "fits"),
    [
        ("str", "x", True), ("str", 1, False), ("str | None", None, True),
        ("str|None", 3, False), ("Optional[int]", None, True), ("int", True, False),
        ("float", 2, True), ("bool", "yes", False), ("list", ["a"], True), ("list", "a", False),
        ("list[str]", ["a", 1], False), ("list[str]", ["a"], True),
        ("dict[str, int]", {"a": 1}, True), ("dict[str, int]", {"a": "1"}, False),
        ("Literal['a', 'b']", "c", False), ("Union[int, str]", "x", True),
        ("typing.List[str]", ["a"], True), ("pd.Timestamp", "x", None), ("Any", object(), True),
        ("__import__('os')", "x", None), ("None", None, True), ("None", 1, False),
    ],
)
def test_declared_types_are_checked_with_pydantic(annotation, value, fits):
    assert params.fits(annotation, value) is fits


def _first_cell_after_parameters(nb_path) -> str:
    import nbformat

    cells = nbformat.read(nb_path, as_version=4).cells
    i = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    return cells[i + 1].source


def test_every_project_notebook_calls_its_check_first_with_every_parameter():
    for nb in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        check = params.check_for(nb)
        assert check is not None, f"{nb.name} has no library check"
        declared = params.notebook_parameters(nb)
        names = [n for n in declared if n not in params.RESERVED_PARAMETERS]
        assert set(names) <= set(inspect.signature(check).parameters), (nb.name, names)
        # the notebook's first cell calls the same function with every parameter
        calls = [node for node in ast.walk(ast.parse(_first_cell_after_parameters(nb)))
                 if isinstance(node, ast.Call) and getattr(node.func, "attr",
                                                           getattr(node.func, "id", None))
                 == check.__name__]
        assert len(calls) == 1, (nb.name, check.__name__)
        passed = [a.id for a in calls[0].args] + [k.value.id for k in calls[0].keywords]
        assert sorted(passed) == sorted(names), (nb.name, passed, names)
        # the notebook's defaults pass its own check
        check(**{n: ast.literal_eval(declared[n]["default"]) for n in names})
        assert params.check_parameters(Report("r", "R", nb, {}), declared) == []


def test_a_registered_check_is_called_with_the_defaults_and_the_report_values(tmp_path,
                                                                              monkeypatch):
    nb = make_notebook(tmp_path / "99-demo.ipynb", "x = 1  # int: a number\ny = 'a'  # str")
    monkeypatch.setitem(params.NOTEBOOK_CHECKS, "99-demo.ipynb", f"{__name__}:_demo_check")
    assert params.check_for(nb) is _demo_check
    declared = params.notebook_parameters(nb)
    assert params.check_parameters(Report("d", "D", nb, {"x": 2}), declared) == []
    problems = params.check_parameters(Report("d", "D", nb, {"x": 5}, line=3,
                                              parameter_lines={"x": 6}), declared)
    assert problems == ["reports.yaml line 6, report 'd': parameter 'x' = 5 is refused: x: 5 "
                        "is more than 4 (y = 'a')"]


def _demo_check(x: int, y: str) -> None:
    from sco_research.errors import ParameterError

    if x > 4:
        raise ParameterError(f"x: {x!r} is more than 4 (y = {y!r})")


MAP = paths.NOTEBOOKS_DIR / "02-membership-map.ipynb"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("as_of", "2024-13-45", "parameter 'as_of' = '2024-13-45' is refused: as_of: cannot read "
                                "'2024-13-45' as a date"),
        ("as_of", "2100-01-01", "parameter 'as_of' = '2100-01-01' is refused: as_of: "
                                "'2100-01-01' is after today"),
        ("as_of", "1999-01-01", "is before the SCO was founded (2001-06-15)"),
        ("extent", "mars", "parameter 'extent' = 'mars' is refused: extent: unknown extent "
                           "'mars'. Allowed: 'eurasia'"),
        ("highlight", ["XXX"], "parameter 'highlight' = ['XXX'] is refused: highlight: unknown "
                               "ISO 3166-1 alpha-3 code 'XXX'"),
        ("highlight", "IND", "parameter 'highlight' = 'IND' (str) does not match the declared "
                             "type list[str]"),
        ("labels", "yes", "parameter 'labels' = 'yes' (str) does not match the declared type "
                          "bool"),
    ],
)
def test_the_map_check_refuses_impossible_values(name, value, expected):
    report = Report("m", "M", MAP, {name: value}, line=3, parameter_lines={name: 5})
    problems = params.check_parameters(report, params.notebook_parameters(MAP))
    assert len(problems) == 1
    assert problems[0].startswith("reports.yaml line 5, report 'm': ")
    assert expected in problems[0]


@pytest.mark.parametrize(
    ("notebook", "values", "expected"),
    [
        ("01-article-facts.ipynb", {"theme": "economy"}, "theme: unknown theme 'economy'"),
        ("06-claims-check.ipynb", {"verdict": "true"}, "parameter 'verdict' = 'true' is refused: "
                                                       "verdict: unknown verdict 'true'"),
        ("06-claims-check.ipynb", {"theme": "economy"}, "theme: unknown theme 'economy'"),
        ("01-article-facts.ipynb", {"actor": "putin"}, "actor: unknown actor_id 'putin'"),
        ("03-membership-timeline.ipynb", {"dates": ["2017-06-09", "2017-02-30"]},
         "parameter 'dates' = ['2017-06-09', '2017-02-30'] is refused: dates: cannot read "
         "'2017-02-30'"),
        ("04-trade.ipynb", {"flow": "export"}, "flow: unknown flow 'export'; did you mean "
                                               "'exports'"),
        ("04-trade.ipynb", {"partners": ["USA"]}, "partners: unknown partner 'USA'"),
        ("04-trade.ipynb", {"start": "2024-01-01", "end": "2022-01-01"},
         "parameter 'start' = '2024-01-01' is refused: start: '2024-01-01' is after end"),
        ("05-currency.ipynb", {"indicators": ["reserves"]}, "indicators: unknown indicator "
                                                            "'reserves'"),
        ("05-currency.ipynb", {"end": "2100-01-01"}, "end: '2100-01-01' is after today"),
    ],
)
def test_each_notebook_check_is_the_library_check(notebook, values, expected):
    nb = paths.NOTEBOOKS_DIR / notebook
    report = Report("r", "R", nb, values)
    problems = params.check_parameters(report, params.notebook_parameters(nb))
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_value_checks_can_be_skipped_when_they_passed_before():
    report = Report("m", "M", MAP, {"extent": "mars"})
    declared = params.notebook_parameters(MAP)
    assert params.check_parameters(report, declared, values=False) == []
    assert params.check_parameters(report, declared, values=True)


def test_bad_parameter_sets_are_refused_before_anything_runs(project, capsys):
    make_notebook(project / "notebooks" / "needs.ipynb", "country: str = None")
    cfg = write_config(project, """\
reports:
  - name: typo
    notebook: notebooks/reader.ipynb
    parameters:
      tabel: a
  - name: wrong-type
    notebook: notebooks/reader.ipynb
    parameters:
      table: 7
  - name: reserved
    notebook: notebooks/reader.ipynb
    parameters:
      output_dir: /tmp/x
  - name: missing
    notebook: notebooks/needs.ipynb
""")
    with pytest.raises(ConfigError) as info:
        run(project, config=cfg)
    msg = str(info.value)
    assert "4 parameter problem(s); nothing was rendered" in msg
    assert ("reports.yaml line 5, report 'typo': parameter 'tabel' = 'a' is not declared by "
            in msg)
    assert "did you mean 'table'? Declared: table, fail" in msg
    assert ("line 9, report 'wrong-type': parameter 'table' = 7 (int) does not match the "
            "declared type str of " in msg)
    assert "quote it in reports.yaml" in msg
    assert "parameter 'output_dir' = '/tmp/x' is set by the renderer" in msg
    assert "report 'missing': parameter 'country' has no usable default" in msg
    assert "set parameters.country for this report" in msg
    assert not (project / "out").exists()  # refused before any kernel started

    rc = cli.main(["render", "--config", str(cfg), "--out", str(project / "out")])
    assert rc == 2
    assert "nothing was rendered" in capsys.readouterr().err


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("as_of", "2024-13-45", "accepted: an ISO date string"),
    ("as_of", "2100-01-01", "give a date on or before today"),
    ("extent", "mars", "Allowed: 'eurasia'"),
    ("highlight", "[XXX]", "Allowed: "),
])
def test_project_notebook_values_are_refused_in_one_line_with_exit_2(project, capsys, key,
                                                                     value, allowed):
    cfg = write_config(project, f"""\
reports:
  - name: map
    notebook: {MAP}
    parameters:
      {key}: {value}
""")
    out = project / "out"
    for argv in (["render"], ["render", "--list"]):
        rc = cli.main([*argv, "--config", str(cfg), "--out", str(out)])
        err = capsys.readouterr().err.strip()
        assert rc == 2
        assert len(err.splitlines()) == 1, err
        assert f"reports.yaml line 5, report 'map': parameter {key!r} = " in err
        assert allowed in err and "nothing was rendered" in err
    assert not out.exists()  # no kernel started, nothing written


def test_a_notebook_runs_the_same_check_and_gets_a_parameter_error():
    from sco_research import maps
    from sco_research.errors import ParameterError

    check = params.check_for(MAP)
    assert check is maps.check_map_parameters
    assert check(as_of="2017-06-09", highlight=["IND"])[1] == ("IND",)
    with pytest.raises(ParameterError, match=r"^as_of: '2100-01-01' is after today"):
        check(as_of="2100-01-01")
    with pytest.raises(ParameterError, match=r"^labels: 'yes' is not a bool; give True or "
                                             r"False$"):
        check(labels="yes")
    assert check(explorer=False)[1] == ()
    with pytest.raises(ParameterError, match=r"^explorer: 'embed' is not a bool; give True or "
                                             r"False$"):
        check(explorer="embed")


@pytest.mark.parametrize(("values", "expected"), [
    ({"tier": "tertiary"}, "parameter 'tier' = 'tertiary' is refused: tier: unknown"),
    ({"top": 0}, "parameter 'top' = 0 is refused: top: 0 publishers asked for"),
    ({"top": "5"}, "parameter 'top' = '5' (str) does not match the declared type int"),
])
def test_the_sources_check_is_the_bibliography_check(values, expected):
    nb = paths.NOTEBOOKS_DIR / "07-sources.ipynb"
    problems = params.check_parameters(Report("s", "S", nb, values),
                                       params.notebook_parameters(nb))
    assert len(problems) == 1 and expected in problems[0], problems


def test_notebook_parameters_include_pep604_annotations(project):
    # papermill's inspect_notebook misses ``x: str | None = None`` (nteract/papermill#695).
    found = params.notebook_parameters(project / "notebooks" / "reader.ipynb")
    assert list(found) == ["table", "output_dir", "fail"]
    assert found["output_dir"]["type"] == "str | None"
    assert found["table"] == {"type": "str", "default": '"a"', "help": found["table"]["help"]}


def test_notebook_parameters_skip_magics_and_refuse_a_non_notebook(tmp_path):
    nb = tmp_path / "m.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(
        "%matplotlib inline\nx = [1,\n     2]  # list[int]: values\n!ls\ny: str = 'a'",
        metadata={"tags": ["parameters"]})]), nb)
    found = params.notebook_parameters(nb)
    assert found == {"x": {"type": None, "default": "[1,\n     2]", "help": "list[int]: values"},
                     "y": {"type": "str", "default": "'a'", "help": ""}}
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1\ny = [2,", metadata={
        "tags": ["parameters"]})]), tmp_path / "broken.ipynb")
    with pytest.raises(ConfigError, match=r"notebook '.*broken.ipynb': its cell tagged "
                                          r"'parameters' is not valid Python \(line 2: "):
        params.notebook_parameters(tmp_path / "broken.ipynb")
    (tmp_path / "bad.ipynb").write_text("not json")
    with pytest.raises(ConfigError, match=r"notebook '.*bad.ipynb': cannot read it as a "
                                          r"notebook: JSONDecodeError"):
        params.notebook_parameters(tmp_path / "bad.ipynb")
