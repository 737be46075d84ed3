"""Rendering on a Dask cluster: a real scheduler and worker processes started here, on loopback.

Each worker starts in an empty folder, with ``SCO_RESEARCH_DATA`` and its temporary folder
pointing to other empty folders, so a report that depended on the repository's path or on data
the client did not send would fail. Every process started here is stopped at the end, even when
a test fails.
"""

from __future__ import annotations

import _thread
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

import psutil
import pytest

from sco_research import cli
from sco_research.errors import ParameterError, RenderError
from sco_research.reports import cluster, pool

from .conftest import BASIC, Beside, manifest, run, until, write_config

DASK = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
WORKER = [sys.executable, "-m", "distributed.cli.dask_worker"]


def _wait_for(check, what: str, tries: int = 0, pause: float = 0.1):
    """Wait on ``check`` with the generous budget of :func:`until` (``tries`` is ignored: a
    count of polls would depend on the machine's speed)."""
    return until(check, what)


class Cluster:
    """A scheduler and worker processes on 127.0.0.1; :meth:`stop` ends them and their kernels."""

    def __init__(self, root: Path) -> None:
        self.root, self.procs = root, []
        root.mkdir(parents=True, exist_ok=True)
        file = root / "scheduler.json"
        self.scheduler = self._start("scheduler", [*DASK, "--host", "127.0.0.1", "--port", "0",
                                                   "--no-dashboard", "--scheduler-file",
                                                   str(file)], root)
        _wait_for(lambda: file.is_file() and file.stat().st_size, "the scheduler file")
        self.address = json.loads(file.read_text())["address"]

    def _start(self, name: str, cmd: list[str], cwd: Path, env: dict | None = None):
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})}, start_new_session=True)
        proc.log = log  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def add_worker(self, name: str, env: dict | None = None) -> subprocess.Popen:
        """A worker process (no nanny: killed, it stays dead) in empty folders of its own."""
        home = self.root / name
        for sub in ("cwd", "data", "tmp"):
            (home / sub).mkdir(parents=True)
        env = {"SCO_RESEARCH_DATA": str(home / "data"), "TMPDIR": str(home / "tmp"),
               "MPLBACKEND": "Agg", **(env or {})}
        return self._start(name, [*WORKER, self.address, "--nthreads", "1", "--no-nanny",
                                  "--host", "127.0.0.1", "--no-dashboard", "--name", name],
                           home / "cwd", env)

    def client(self, workers: int):
        import distributed

        client = distributed.Client(self.address, timeout=10, set_as_default=False)
        client.wait_for_workers(workers, timeout=60)
        return client

    def stop(self) -> None:
        family = []
        for proc in self.procs:
            with contextlib.suppress(psutil.Error):
                family += psutil.Process(proc.pid).children(recursive=True)
        for proc in self.procs:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs:
            proc.wait(timeout=10)
            proc.log.close()
        for child in family:  # a kernel in a session of its own
            with contextlib.suppress(psutil.Error):
                child.kill()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        c.add_worker("w1")
        c.add_worker("w2")
        with c.client(2) as client:
            c.pids = client.run(os.getpid)  # address -> pid
        yield c
    finally:
        c.stop()


def _kernels(pid: int) -> list:
    """The kernels below a worker: descendants leading their own session (a warm-kernel server
    does not; the kernels it forks do, as do kernels started cold)."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.Error, OSError):
            if os.getsid(child.pid) == child.pid:
                found.append(child)
    return found


def _gone(procs: list) -> bool:
    return not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in procs)


def _empty(folder: Path) -> bool:
    return not any(folder.iterdir())


def _no_leftovers(out: Path) -> None:
    assert not (out / ".staging").exists() or _empty(out / ".staging")
    for folder in (p for p in out.iterdir() if p.is_dir() and p.name not in ("data", ".staging")):
        name = folder.name
        assert (folder / f"{name}.html").is_file() and (folder / f"{name}.ipynb").is_file(), name
        assert not list(folder.rglob("*~new~*")) and not list(folder.rglob(".kernel.log"))


def test_a_grid_renders_on_two_workers_and_is_cached_as_on_the_pool(project, dask_cluster):
    write_config(project, BASIC)
    result = run(project, scheduler=dask_cluster.address)
    assert result.ok, result.summary()
    assert {o.name: o.action for o in result.outcomes} == {
        "read-a": "rendered", "read-b": "rendered", "plain": "rendered"}
    out = project / "out"
    page = (out / "read-b" / "read-b.html").read_text(encoding="utf-8")
    assert "b,2" in page  # the data the client sent, not the workers' (empty) data folder
    assert (out / "read-a" / "figures" / "figure.png").is_file()
    reports = {r["name"]: r for r in manifest(project)["reports"]}
    assert reports["read-a"]["reads"] == ["a.csv"] and reports["read-b"]["reads"] == ["b.csv"]
    assert {reports[n]["worker"] for n in ("read-a", "read-b", "plain")} == set(dask_cluster.pids)
    _no_leftovers(out)
    for name in ("w1", "w2"):  # a worker writes nothing outside its own temporary folders
        assert _empty(dask_cluster.root / name / "cwd")
        assert _empty(dask_cluster.root / name / "data")

    again = run(project, scheduler=dask_cluster.address)
    assert {o.action for o in again.outcomes} == {"skipped"}
    assert manifest(project)["reports"][0]["worker"] == reports["read-a"]["worker"]


def test_the_cluster_pool_satisfies_the_pool_protocol(project, dask_cluster):
    remote = cluster.ClusterPool(dask_cluster.address, project / "data", jobs=1)
    try:
        assert isinstance(remote, pool.Pool)
        assert remote.slots == 1 and remote.poll() == []
    finally:
        remote.close()


def test_a_failing_report_keeps_its_partial_notebook_beside_the_last_good_page(project,
                                                                              dask_cluster):
    write_config(project, BASIC)
    assert run(project, "read-a", scheduler=dask_cluster.address).ok
    result = run(project, "read-a", scheduler=dask_cluster.address, force=True,
                 config=write_config(project, BASIC.replace(
                     "grid:\n      table: [a, b]",
                     "parameters:\n      fail: true\n    grid:\n      table: [a, b]"),
                     "failing.yaml"))
    assert not result.ok
    assert "ValueError: asked to fail" in result.outcomes[0].error
    folder = project / "out" / "read-a"
    assert (folder / "read-a.html").is_file()  # the last good page stays
    assert (folder / "read-a.failed.ipynb").is_file()


def test_ctrl_c_stops_the_running_report_on_its_worker(project, dask_cluster):
    write_config(project, "reports:\n  - name: nap-{seconds}\n    title: Nap\n"
                          "    notebook: notebooks/sleepy.ipynb\n"
                          "    grid:\n      seconds: [60, 61, 62]\n")
    kernels: list = []

    def interrupt_once_kernels_run():
        def busy():
            found = [k for pid in dask_cluster.pids.values() for k in _kernels(pid)]
            return found if len(found) >= 2 else None
        try:  # a generous budget; and if it runs out, the test fails with this reason
            kernels.extend(until(busy, "both workers running a kernel"))
            threading.Event().wait(1.0)
        finally:  # stop the naps either way: no minute-long wait for a helper that gave up
            _thread.interrupt_main()

    helper = Beside(interrupt_once_kernels_run)
    helper.start()
    result = run(project, scheduler=dask_cluster.address, jobs=2)
    helper.result()
    assert result.interrupted
    actions = {o.name: (o.action, o.reason) for o in result.outcomes}
    assert {a for a, _ in actions.values()} == {"interrupted"}
    assert sorted(r for _, r in actions.values()).count("interrupted before it started") == 1
    assert all(o.duration_s is None or o.duration_s < 50 for o in result.outcomes)
    _wait_for(lambda: _gone(kernels), "the interrupted kernels to end", tries=100)
    entries = {r["name"]: r for r in manifest(project)["reports"]}
    assert {e["status"] for e in entries.values()} == {"interrupted"}
    with dask_cluster.client(2) as client:  # both workers are still there, idle
        assert not any(client.processing().values())


def test_a_report_over_its_budget_times_out_on_its_worker(project, dask_cluster):
    write_config(project, "reports:\n  - name: nap\n    title: Nap\n"
                          "    notebook: notebooks/sleepy.ipynb\n")
    result = run(project, scheduler=dask_cluster.address, timeout=1.0)
    assert [o.action for o in result.outcomes] == ["failed"]
    assert result.outcomes[0].error.startswith("timed out: still running after its 1 s budget")
    assert (project / "out" / "nap" / "nap.failed.ipynb").is_file()


def test_a_killed_worker_s_report_is_retried_on_the_other_and_lands_whole(project,
                                                                         tmp_path_factory):
    write_config(project, "reports:\n  - name: nap-{seconds}\n    title: Nap\n"
                          "    notebook: notebooks/sleepy.ipynb\n"
                          "    grid:\n      seconds: [3, 3.5]\n")
    c = Cluster(tmp_path_factory.mktemp("killed"))
    try:
        procs = {"w1": c.add_worker("w1"), "w2": c.add_worker("w2")}
        with c.client(2) as watcher:
            pids = watcher.run(os.getpid)
            victim: dict = {}

            def kill_a_busy_worker():
                def busy():
                    for address, keys in watcher.processing().items():
                        kids = _kernels(pids[address])
                        if keys and kids:
                            return address, kids
                    return None
                address, _ = until(busy, "a worker running a report")
                time.sleep(0.5)  # mid-run: the kernel is executing the notebook
                victim.update(address=address, family=psutil.Process(pids[address]).children(
                    recursive=True))
                os.kill(pids[address], signal.SIGKILL)

            killer = Beside(kill_a_busy_worker)
            killer.start()
            result = run(project, scheduler=c.address)
            killer.result()  # re-raises why the helper failed, if it did
        assert victim, "no worker was killed"
        assert result.ok, result.summary()
        survivor = (set(pids) - {victim["address"]}).pop()
        assert {r["worker"] for r in manifest(project)["reports"]} == {survivor}
        _no_leftovers(project / "out")
        assert sorted(p.name for p in (project / "out").iterdir()
                      if p.is_dir() and p.name != ".staging") == ["data", "nap-3", "nap-3.5"]
        dead = [p for p in procs.values() if p.poll() is not None]
        assert len(dead) == 1 and dead[0].returncode == -signal.SIGKILL
        # The dead worker's kernel (and its warm-kernel server, if any) end with it: nothing is
        # left behind.
        _wait_for(lambda: _gone(victim["family"]), "the dead worker's processes to end",
                  tries=100)
    finally:
        c.stop()


# -- refused before anything runs ---------------------------------------------------------------
def test_a_malformed_address_is_refused_in_one_line():
    with pytest.raises(ParameterError, match=r"^scheduler: 'tcp://127\.0\.0\.1:99999' is not a "
                                             r"scheduler address; expected tcp://HOST:PORT"):
        cluster.parse_address("tcp://127.0.0.1:99999")
    with pytest.raises(ParameterError, match=r"^scheduler: cannot read the scheduler file "
                                             r"'nowhere\.json' \(FileNotFoundError"):
        cluster.parse_address("nowhere.json")


def test_an_unreachable_scheduler_is_refused_naming_its_address(project, monkeypatch, capsys):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    write_config(project, BASIC)
    status = cli.main(["render", "--config", str(project / "reports.yaml"), "--out",
                       str(project / "out"), "--scheduler", "127.0.0.1:9"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("sco-research render: error: scheduler: cannot reach the Dask "
                          "scheduler at 'tcp://127.0.0.1:9' within 1 s")
    assert err.count("\n") == 1
    assert not (project / "out" / "manifest.json").exists()  # nothing ran, nothing written


def test_the_environment_names_the_scheduler_and_the_flag_wins(project, monkeypatch, capsys):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    monkeypatch.setenv("SCO_RESEARCH_SCHEDULER", "127.0.0.1:9")
    write_config(project, BASIC)
    args = ["render", "--config", str(project / "reports.yaml"), "--out", str(project / "out")]
    assert cli.main(args) == 2
    assert "'tcp://127.0.0.1:9'" in capsys.readouterr().err
    assert cli.main([*args, "--scheduler", "127.0.0.1:7"]) == 2
    assert "'tcp://127.0.0.1:7'" in capsys.readouterr().err


def test_workers_with_another_version_or_other_sources_are_refused():
    mine = {"version": "0.1.0", "library": "a" * 64}
    missing = metadata.PackageNotFoundError("sco-research")
    with pytest.raises(RenderError, match=r"^scheduler: worker 'tcp://h:2' has sco-research not "
                                          r"installed, this client has 0\.1\.0; install the same"):
        cluster.check_workers(mine, {"tcp://h:1": "0.1.0", "tcp://h:2": missing})
    with pytest.raises(RenderError, match=r"worker 'tcp://h:1' has sco-research 0\.1\.0 with other "
                                          r"library sources \(digest bbbbbbbbbbbb\), this client "
                                          r"has 0\.1\.0 \(digest aaaaaaaaaaaa\)"):
        cluster.check_workers(mine, {"tcp://h:1": "0.1.0"}, {"tcp://h:1": "b" * 64})


def test_a_real_worker_with_another_version_is_refused_before_any_task(project, dask_cluster):
    # A distribution record of another version, found before the installed one.
    site = dask_cluster.root / "other-site"
    info = site / "sco_research-9.9.9.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sco-research\nVersion: 9.9.9\n")
    path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    odd = dask_cluster.add_worker("odd", env={"PYTHONPATH": path})
    try:
        with dask_cluster.client(3):
            pass
        write_config(project, BASIC)
        with pytest.raises(RenderError, match=r"^scheduler: worker 'tcp://127\.0\.0\.1:\d+' has "
                                              r"sco-research 9\.9\.9, this client has "
                                              rf"{metadata.version('sco-research')}"):
            run(project, scheduler=dask_cluster.address)
        assert not (project / "out" / "manifest.json").exists()
    finally:
        odd.terminate()
        odd.wait(timeout=20)
        with dask_cluster.client(2) as client:
            _wait_for(lambda: len(client.scheduler_info()["workers"]) == 2, "the odd worker gone")


def test_a_scheduler_without_workers_is_refused(project, tmp_path_factory, monkeypatch):
    monkeypatch.setattr(cluster, "WORKER_TIMEOUT", 0.5)
    lonely = Cluster(tmp_path_factory.mktemp("lonely"))
    try:
        write_config(project, BASIC)
        with pytest.raises(RenderError, match=r"^scheduler: the Dask scheduler at "
                                              r"'tcp://127\.0\.0\.1:\d+' has no worker after "
                                              r"0\.5 s; start one with `dask worker tcp://"):
            run(project, scheduler=str(lonely.root / "scheduler.json"))
    finally:
        lonely.stop()
