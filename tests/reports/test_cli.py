"""Tests of sco_research.reports.cli: the render sub-command refuses bad options before anything
runs, with exit status 2 and one line; ``--scheduler`` without the ``cluster`` extra."""

from __future__ import annotations

import sys

import pytest

from sco_research import cli
from sco_research.errors import ParameterError
from sco_research.reports.cli import check_cluster_extra

from .conftest import BASIC, write_config


@pytest.fixture
def without_distributed(monkeypatch):
    """``import distributed`` fails, as in an install without the ``cluster`` extra."""
    for name in [m for m in sys.modules if m == "distributed" or m.startswith("distributed.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "distributed", None)


def test_the_check_passes_when_distributed_is_installed():
    pytest.importorskip("distributed")
    assert check_cluster_extra("tcp://127.0.0.1:8786") is None


def test_the_check_names_the_extra_when_distributed_is_missing(without_distributed):
    with pytest.raises(ParameterError, match=r"^--scheduler: 'tcp://h:1' asks for a Dask cluster, "
                                             r"but the optional package 'distributed' is not "
                                             r"installed; install it with `pip install "
                                             r"'\.\[cluster\]'`"):
        check_cluster_extra("tcp://h:1")


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_scheduler_without_distributed_exits_2_in_one_line(project, without_distributed,
                                                             monkeypatch, capsys, how):
    write_config(project, BASIC)
    argv = ["render", "--config", str(project / "reports.yaml"), "--out", str(project / "out")]
    if how == "flag":
        argv += ["--scheduler", "127.0.0.1:9"]
    else:
        monkeypatch.setenv("SCO_RESEARCH_SCHEDULER", "127.0.0.1:9")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sco-research render: error: --scheduler: '127.0.0.1:9' asks for a "
                          "Dask cluster")
    assert err.count("\n") == 1 and "pip install '.[cluster]'" in err
    assert not (project / "out").exists()  # refused before anything ran


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e309", "0"])
def test_a_timeout_that_is_not_a_finite_positive_number_is_refused(project, capsys, value):
    write_config(project, BASIC)
    code = cli.main(["render", "--config", str(project / "reports.yaml"), "--out",
                     str(project / "out"), f"--timeout={value}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "timeout: expected a positive, finite number of seconds" in err
    assert not (project / "out").exists()  # refused before the output folder, or a kernel


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_list_refuses_the_jobs_render_refuses(project, capsys, jobs):
    write_config(project, BASIC)
    code = cli.main(["render", "--list", "--config", str(project / "reports.yaml"), "--out",
                     str(project / "out"), "--jobs", jobs])
    assert code == 2
    assert f"jobs: expected a positive whole number of workers, got {jobs}" in \
        capsys.readouterr().err


def test_list_refuses_the_output_folders_render_refuses(project, capsys):
    write_config(project, BASIC)
    code = cli.main(["render", "--list", "--config", str(project / "reports.yaml"), "--out",
                     str(project / "notebooks" / "out")])
    assert code == 2
    assert "is inside the notebooks folder" in capsys.readouterr().err


@pytest.mark.parametrize("stage", ["checking", "starting"])
def test_ctrl_c_before_any_report_runs_is_one_line_and_exit_130(project, capsys, monkeypatch,
                                                                stage):
    """Ctrl-C (or SIGTERM) while the reports are checked, or while the output folder is
    prepared: no traceback, one line, status 130, nothing started."""
    from sco_research.reports import batch

    write_config(project, BASIC)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "check_all" if stage == "checking" else "recover_staging",
                        interrupted)
    code = cli.main(["render", "--config", str(project / "reports.yaml"), "--out",
                     str(project / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 130
    assert err == ["sco-research render: interrupted before any report started; nothing was "
                   "run"]


def test_a_reader_gone_before_the_summary_changes_nothing(project, monkeypatch):
    """``sco-research render | head -1``: the summary meets a closed pipe; the exit status is
    still the render's, with no traceback."""
    import io

    from sco_research.reports import batch
    from sco_research.reports.results import BatchResult, Outcome

    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    write_config(project, BASIC)
    done = BatchResult([Outcome("plain", "rendered", "never rendered")], project / "out")
    monkeypatch.setattr(batch, "render", lambda *args, **kwargs: done)
    monkeypatch.setattr(sys, "stdout", Closed())
    assert cli.main(["render", "--config", str(project / "reports.yaml"), "--out",
                     str(project / "out")]) == 0
