"""Warm kernels: forked from a server that has imported, with no state carried between reports."""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import nbformat
import pytest

from sco_research.reports import kernels, zygote

from .conftest import make_notebook, manifest, run, write_config

#: A report that changes everything it can reach: its globals, matplotlib's rcParams, a library
#: function, a pandas class, the environment, sys.modules, the working folder, numpy's random
#: state. It writes what it drew from numpy's random generator for the next report to compare.
LEAKER = (
    "import json, os, sys, types, pathlib\n"
    "import numpy, pandas, matplotlib\n"
    "import sco_research.citations as citations\n"
    "LEAKED_GLOBAL = 'set by the leaker'\n"
    "matplotlib.rcParams['lines.linewidth'] = 9.0\n"
    "citations.source_line = lambda *a, **k: 'patched by the leaker'\n"
    "pandas.DataFrame.leaked_attribute = 1\n"
    "os.environ['LEAKED_VARIABLE'] = '1'\n"
    "sys.modules['leaked_module'] = types.ModuleType('leaked_module')\n"
    "draw = float(numpy.random.random())\n"
    "pathlib.Path(marker).write_text(json.dumps({'draw': draw, 'pid': os.getpid(), "
    "'cwd': os.getcwd()}))\n"
    "os.chdir('/')\n"
)
#: The next report, in the same worker: it must see none of it.
CHECKER = (
    "import json, os, sys, pathlib\n"
    "import numpy, pandas, matplotlib\n"
    "import sco_research.citations as citations\n"
    "before = json.loads(pathlib.Path(marker).read_text())\n"
    "seen = {\n"
    "    'global': 'LEAKED_GLOBAL' in globals(),\n"
    "    'linewidth': matplotlib.rcParams['lines.linewidth'],\n"
    "    'patched': citations.source_line.__name__ != 'source_line',\n"
    "    'pandas': hasattr(pandas.DataFrame, 'leaked_attribute'),\n"
    "    'environment': 'LEAKED_VARIABLE' in os.environ,\n"
    "    'module': 'leaked_module' in sys.modules,\n"
    "    'same_cwd': os.getcwd() == before['cwd'],\n"
    "    'same_draw': float(numpy.random.random()) == before['draw'],\n"
    "    'same_process': os.getpid() == before['pid'],\n"
    "}\n"
    "print(json.dumps(seen))\n"
)


def _printed(path) -> dict:
    nb = nbformat.read(str(path), as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return json.loads(text)


def test_no_state_leaks_from_one_warm_kernel_to_the_next(project, tmp_path):
    nbs = project / "notebooks"
    make_notebook(nbs / "leaker.ipynb", "marker: str = ''", LEAKER, title="Leaker")
    make_notebook(nbs / "checker.ipynb", "marker: str = ''", CHECKER, title="Checker")
    marker = tmp_path / "marker.json"
    write_config(project, f"""\
reports:
  - name: leaker
    notebook: notebooks/leaker.ipynb
    parameters: {{marker: "{marker}"}}
  - name: checker
    notebook: notebooks/checker.ipynb
    parameters: {{marker: "{marker}"}}
""")
    result = run(project, jobs=1)  # one worker, one server: the checker follows the leaker
    assert result.ok, result.summary()
    entries = {e["name"]: e for e in manifest(project)["reports"]}
    # Both kernels came from the warm server; otherwise this test would prove nothing.
    assert entries["leaker"]["kernel"] == entries["checker"]["kernel"] == "warm"
    seen = _printed(project / "out" / "checker" / "checker.ipynb")
    assert seen == {"global": False, "linewidth": 1.5, "patched": False, "pandas": False,
                    "environment": False, "module": False, "same_cwd": True,
                    "same_draw": False, "same_process": False}
    for e in entries.values():  # where the time went is recorded per report
        assert set(e["profile"]) >= {"kernel", "imports", "data", "draw", "encode", "page",
                                     "write", "total"}
        assert e["profile"]["total"] > 0


def test_warm_kernels_can_be_turned_off(project, monkeypatch):
    monkeypatch.setenv(kernels.WARM_ENV, "0")
    write_config(project, "reports:\n  - name: plain\n    notebook: notebooks/plain.ipynb\n")
    result = run(project, jobs=1)
    assert result.ok, result.summary()
    assert manifest(project)["reports"][0]["kernel"] == "cold: SCO_RESEARCH_WARM_KERNELS=0"


def test_a_dead_server_is_a_clear_error_and_the_kernel_starts_cold(tmp_path):
    server = kernels.KernelServer({**os.environ, "MPLBACKEND": kernels.INLINE_BACKEND})
    try:
        server.proc.kill()
        server.proc.wait()
        with pytest.raises(kernels.ZygoteError, match=r"^the warm-kernel server (exited|is "
                                                       r"gone)"):
            server.fork(["-f", str(tmp_path / "k.json")], dict(os.environ), str(tmp_path))
    finally:
        server.close()


def test_a_server_forks_a_kernel_that_runs_in_the_folder_and_environment_given(tmp_path):
    from jupyter_client import BlockingKernelClient
    from jupyter_client.connect import write_connection_file

    env = {**os.environ, "MPLBACKEND": kernels.INLINE_BACKEND, "SCO_PROBE": "given"}
    server = kernels.KernelServer(env)
    conn, _ = write_connection_file(str(tmp_path / "kernel.json"), ip="127.0.0.1")
    log = tmp_path / "kernel.log"
    kernel = None
    printed: list[str] = []
    try:
        for _ in range(600):  # let it finish importing, so the kernel finds pandas
            status = server.status()
            if not status["pending"]:
                break
            time.sleep(0.1)
        assert status["pending"] == 0 and status["failed"] == [], status
        with open(log, "ab") as fh:  # the kernel writes to our stdout/stderr: point them here
            saved = os.dup(1), os.dup(2)
            os.dup2(fh.fileno(), 1)
            os.dup2(fh.fileno(), 2)
            try:
                kernel = server.fork(["-f", conn], env, str(tmp_path))
            finally:
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                for fd in saved:
                    os.close(fd)
        assert kernel.poll() is None and kernel.pid != server.proc.pid
        client = BlockingKernelClient(connection_file=conn)
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=30)
        reply = client.execute_interactive(
            "import os, sys\nprint(os.getcwd(), os.environ['SCO_PROBE'], "
            "'pandas' in sys.modules)", timeout=30,
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")))
        assert reply["content"]["status"] == "ok"
        assert "".join(printed).split() == [str(tmp_path), "given", "True"]
        client.shutdown()
        client.stop_channels()
        assert kernel.wait(timeout=30) == -1  # gone (its exit status is the server's to know)
    finally:
        if kernel is not None and kernel.poll() is None:
            kernel.kill()
        server.close()
    assert server.proc.returncode is not None


def test_only_this_pythons_ipykernel_is_forked():
    assert zygote.kernel_arguments([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]) \
        == ["-f", "c.json"]
    assert zygote.kernel_arguments(["julia", "-i", "kernel.jl", "c.json"]) is None


@pytest.mark.parametrize(("error", "why"), [
    (kernels.ZygoteError("the warm-kernel server exited (-9)"),
     "the warm-kernel server exited (-9)"),
    (OSError(24, "Too many open files"), "OSError: [Errno 24] Too many open files"),
])
def test_a_report_whose_server_fails_runs_in_a_kernel_started_the_ordinary_way(project,
                                                                               monkeypatch,
                                                                               error, why):
    from sco_research.reports import execute

    def broken(env):
        raise error  # e.g. socketpair or Popen failing as the server starts

    monkeypatch.setattr(kernels, "server_for", broken)
    stage = project / "stage"
    stage.mkdir()
    task = {"name": "plain", "title": "Plain", "notebook": str(project / "notebooks" /
                                                               "plain.ipynb"),
            "notebook_rel": "notebooks/plain.ipynb", "parameters": {"n": 4}, "declared": [],
            "inject_output_dir": False, "timeout": 60.0, "out": str(project / "out"),
            "data_dir": str(project / "data"), "cwd": str(project), "rendered_at": "now",
            "package_version": "0", "data_version": "0"}
    handler = signal.getsignal(signal.SIGINT)  # a worker ignores Ctrl-C; this test is not one
    try:
        result = execute.run_report(task, stage)
    finally:
        signal.signal(signal.SIGINT, handler)
    assert result["ok"], result["error"]
    assert result["kernel"] == f"cold: {why}"
    assert "n squared is 16" in (stage / "plain.ipynb").read_text(encoding="utf-8")


def test_a_server_that_cannot_start_raises_and_leaves_no_socket_open(monkeypatch):
    def no_process(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(kernels.subprocess, "Popen", no_process)
    before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError, match="Resource temporarily unavailable"):
        kernels.KernelServer({})
    assert set(os.listdir("/proc/self/fd")) <= before  # both ends of the socket pair closed
