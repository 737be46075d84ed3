"""Warm kernels: forked from a server that has imported, with no state carried between reports,
the exit status kept, and the cold start whenever anything fails."""

from __future__ import annotations

import json
import os
import signal

import nbformat
import pytest

from sco_research.reports import execute, warm

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
    monkeypatch.setenv(warm.WARM_ENV, "0")
    write_config(project, "reports:\n  - name: plain\n    notebook: notebooks/plain.ipynb\n")
    result = run(project, jobs=1)
    assert result.ok, result.summary()
    assert manifest(project)["reports"][0]["kernel"] == "cold: SCO_RESEARCH_WARM_KERNELS=0"


def _task(project, notebook: str) -> dict:
    return {"name": "r", "title": "R", "notebook": str(project / "notebooks" / notebook),
            "notebook_rel": f"notebooks/{notebook}", "parameters": {}, "declared": [],
            "inject_output_dir": False, "timeout": 60.0, "out": str(project / "out"),
            "data_dir": str(project / "data"), "cwd": str(project), "rendered_at": "now",
            "package_version": "0", "data_version": "0"}


def _run_report(task: dict, stage) -> dict:
    stage.mkdir()
    handler = signal.getsignal(signal.SIGINT)  # a worker ignores Ctrl-C; this test is not one
    try:
        return execute.run_report(task, stage)
    finally:
        signal.signal(signal.SIGINT, handler)


@pytest.mark.parametrize("warm_kernels", ["1", "0"])
def test_the_server_imports_what_the_notebook_imports_before_forking(project, monkeypatch,
                                                                     warm_kernels):
    # The first cell looks before the notebook's own import: a warm kernel has it already.
    make_notebook(project / "notebooks" / "mail.ipynb", "n: int = 1",
                  "import sys\nprint('mailbox' in sys.modules)", "import mailbox")
    monkeypatch.setenv(warm.WARM_ENV, warm_kernels)
    result = _run_report(_task(project, "mail.ipynb"), project / "stage")
    assert result["ok"], result["error"]
    assert result["kernel"] == ("warm" if warm_kernels == "1"
                                else "cold: SCO_RESEARCH_WARM_KERNELS=0")
    nb = nbformat.read(str(project / "stage" / "r.ipynb"), as_version=4)
    assert nb.cells[2].outputs[0].text == ("True\n" if warm_kernels == "1" else "False\n")


def test_a_dead_server_is_a_clear_error_and_the_kernel_starts_cold(tmp_path):
    server = warm.KernelServer(dict(os.environ))
    try:
        server.proc.kill()
        server.proc.wait()
        with pytest.raises(warm.WarmError, match=r"^the warm-kernel server (exited|is gone)"):
            server.fork(["-f", str(tmp_path / "k.json")], dict(os.environ), str(tmp_path))
    finally:
        server.close()


class _Forked:
    """A kernel forked by a fresh server, with a client connected to it."""

    def __init__(self, tmp_path, **env: str) -> None:
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        self.env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                    **env}
        self.server = warm.KernelServer(self.env)
        conn, _ = write_connection_file(str(tmp_path / "kernel.json"), ip="127.0.0.1")
        with open(tmp_path / "kernel.log", "ab") as fh:  # the kernel writes to our fds 1 and 2
            saved = os.dup(1), os.dup(2)
            os.dup2(fh.fileno(), 1)
            os.dup2(fh.fileno(), 2)
            try:
                self.kernel = self.server.fork(["-f", conn], self.env, str(tmp_path),
                                               preload=["pandas"])
            finally:
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                for fd in saved:
                    os.close(fd)
        self.client = BlockingKernelClient(connection_file=conn)
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def run(self, code: str) -> tuple[dict, str]:
        printed: list[str] = []
        reply = self.client.execute_interactive(
            code, timeout=60, output_hook=lambda m: printed.append(m["content"].get("text", "")))
        return reply, "".join(printed)

    def close(self) -> None:
        self.client.stop_channels()
        if self.kernel.poll() is None:
            self.kernel.kill()
        self.server.close()


def test_a_server_forks_a_kernel_that_runs_in_the_folder_and_environment_given(tmp_path):
    forked = _Forked(tmp_path, SCO_PROBE="given")
    try:
        assert forked.kernel.poll() is None and forked.kernel.pid != forked.server.proc.pid
        reply, printed = forked.run("import os, sys\nprint(os.getcwd(), os.environ['SCO_PROBE'],"
                                    " 'pandas' in sys.modules)")
        assert reply["content"]["status"] == "ok"
        assert printed.split() == [str(tmp_path), "given", "True"]
        forked.client.shutdown()
        assert forked.kernel.wait(timeout=60) == 0  # the status the server reaped
    finally:
        forked.close()
    assert forked.server.proc.returncode is not None


@pytest.mark.parametrize(("end", "status"), [
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", -9),
    ("import os; os._exit(3)", 3),
])
def test_a_forked_kernel_keeps_its_exit_status(tmp_path, end, status):
    forked = _Forked(tmp_path)
    try:
        forked.client.execute(end)  # no reply comes: the kernel is gone
        assert forked.kernel.wait(timeout=60) == status
        assert forked.kernel.poll() == status  # and stays so
    finally:
        forked.close()


def test_a_kernel_of_a_server_that_died_is_reported_killed(tmp_path):
    forked = _Forked(tmp_path)
    try:
        forked.server.proc.kill()  # its kernels get SIGKILL with it (parent-death signal)
        assert forked.kernel.wait(timeout=60) == -9
    finally:
        forked.close()


@pytest.mark.parametrize(("error", "why"), [
    (warm.WarmError("the warm-kernel server exited (-9)"), "the warm-kernel server exited (-9)"),
    (OSError(24, "Too many open files"), "OSError: [Errno 24] Too many open files"),
])
def test_a_report_whose_server_fails_runs_in_a_kernel_started_the_ordinary_way(project,
                                                                               monkeypatch,
                                                                               error, why):
    def broken(env):
        raise error  # e.g. socketpair or Popen failing as the server starts

    monkeypatch.setattr(warm, "server_for", broken)
    task = {**_task(project, "plain.ipynb"), "parameters": {"n": 4}}
    result = _run_report(task, project / "stage")
    assert result["ok"], result["error"]
    assert result["kernel"] == f"cold: {why}"
    assert "n squared is 16" in (project / "stage" / "r.ipynb").read_text(encoding="utf-8")


def test_a_server_that_cannot_start_raises_and_leaves_no_socket_open(monkeypatch):
    def no_process(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(warm.subprocess, "Popen", no_process)
    before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError, match="Resource temporarily unavailable"):
        warm.KernelServer({})
    assert set(os.listdir("/proc/self/fd")) <= before  # both ends of the socket pair closed
    warm.prestart({})  # and a worker's early start says nothing: its kernels will start cold
