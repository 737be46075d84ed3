"""Notebook parameters: declared names, pydantic models per notebook, the pre-flight check."""

from __future__ import annotations

import ast

import pytest

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


def test_every_project_notebook_has_a_model_that_matches_its_parameters_cell():
    for nb in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        model = params.model_for(nb)
        assert model is not None, f"{nb.name} has no parameter model"
        declared = params.notebook_parameters(nb)
        assert list(model.model_fields) == list(declared) or \
            set(model.model_fields) == set(declared), nb.name
        for name, spec in declared.items():
            default = ast.literal_eval(spec["default"])
            assert model.model_fields[name].default == default, (nb.name, name)
        model.model_validate({})  # the notebook's defaults pass its own model


def test_adding_a_model_registers_it_by_notebook_name():
    from typing import ClassVar

    class Demo(params.NotebookParameters):
        notebook: ClassVar[str] = "99-demo.ipynb"
        x: int = 1

    try:
        assert params.model_for("somewhere/99-demo.ipynb") is Demo
    finally:
        params.MODELS.pop("99-demo.ipynb")


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
def test_the_map_model_refuses_impossible_values(name, value, expected):
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
def test_each_notebook_model_uses_the_library_checks(notebook, values, expected):
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


def test_a_notebook_can_run_the_same_checks_and_gets_a_parameter_error():
    from sco_research.errors import ParameterError

    assert params.MembershipMap.check(as_of="2017-06-09", highlight=["IND"]).highlight == ["IND"]
    with pytest.raises(ParameterError, match=r"^as_of: '2100-01-01' is after today"):
        params.MembershipMap.check(as_of="2100-01-01")
    with pytest.raises(ParameterError, match=r"^labels: input should be a valid boolean, got "
                                             r"'yes'$"):
        params.MembershipMap.check(labels="yes")
    assert params.MembershipMap.check(explorer=False).explorer is False
    with pytest.raises(ParameterError, match=r"^explorer: input should be a valid boolean, got "
                                             r"'embed'$"):
        params.MembershipMap.check(explorer="embed")


@pytest.mark.parametrize(("values", "expected"), [
    ({"tier": "tertiary"}, "parameter 'tier' = 'tertiary' is refused: tier: unknown"),
    ({"top": 0}, "parameter 'top' = 0 is refused: top: 0 publishers asked for"),
    ({"top": "5"}, "parameter 'top' = '5' (str) does not match the declared type int"),
])
def test_the_sources_model_uses_the_bibliography_checks(values, expected):
    nb = paths.NOTEBOOKS_DIR / "07-sources.ipynb"
    problems = params.check_parameters(Report("s", "S", nb, values),
                                       params.notebook_parameters(nb))
    assert len(problems) == 1 and expected in problems[0], problems
