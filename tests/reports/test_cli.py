"""Tests of sco_research.reports.cli: the render sub-command refuses bad options before anything
runs, with exit status 2 and one line."""

from __future__ import annotations

import pytest

from sco_research import cli

from .conftest import BASIC, write_config


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
