"""Rendering on a Dask distributed cluster: reports as tasks, outputs sent back as bytes.

``sco-research render --scheduler ADDRESS`` hands each report to a Dask cluster instead of the
local process pool. No shared filesystem is assumed: the client packs the data folder once per
run (:func:`pack_data`, keyed by its content hash) and scatters it to every worker; each task
carries the notebook's bytes and the parameters. On a worker, :func:`run_remote` unpacks the data
once into a worker-local cache (:func:`unpack_data`), runs
:func:`sco_research.reports.execute.run_report` in a temporary folder and returns the result with
every file it wrote (relative path -> bytes). Only the client writes into the output folder
(:func:`land_remote`), under the lock the batch holds.

Before anything is submitted, :func:`connect` refuses an unreachable scheduler and
:func:`check_workers` a worker without the package or with another version of it.

Examples
--------
>>> parse_address("127.0.0.1:8786")
'tcp://127.0.0.1:8786'
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "t.csv").write_text("k,v\\n")
>>> key, blob = pack_data(folder)
>>> sorted(p.name for p in unpack_data(key, blob, root=folder / "cache").iterdir())
['t.csv']
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import tarfile
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from .._files import tree_digest
from .._repr import first_line
from ..errors import ParameterError, RenderError

__all__ = ["CONNECT_TIMEOUT", "PACKAGE", "ClusterPool", "check_workers", "connect", "identity",
           "land_remote", "pack_data", "parse_address", "run_remote", "sources_digest",
           "stage_files", "unpack_data"]

#: Seconds to reach the scheduler before the address is refused.
CONNECT_TIMEOUT = 5.0
#: Seconds to wait for at least one worker to join the scheduler.
WORKER_TIMEOUT = 10.0
#: The distribution whose version every worker must share with the client.
PACKAGE = "sco-research"
#: Seconds between a stop request and killing a report's kernel that ignored the interrupt.
KILL_GRACE = 5.0

_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+]*)://)?(?P<host>\[[0-9a-fA-F:.]+\]|"
                      r"[A-Za-z0-9_.-]+)(?::(?P<port>\d{1,5}))?$")
#: One report at a time per worker process: run_report sets process-wide environment variables
#: and redirects the process's stdout/stderr while its kernel runs.
_ONE_AT_A_TIME = threading.Lock()


# -- the address -------------------------------------------------------------------------------
def parse_address(address: str) -> str:
    """A scheduler address as Dask takes it; a scheduler file (JSON) gives its ``address``.

    Parameters
    ----------
    address : str
        ``tcp://HOST:PORT``, ``HOST:PORT`` (tcp assumed) or the path of the JSON file that
        ``dask scheduler --scheduler-file`` writes.

    Raises
    ------
    ParameterError
        The address is malformed, or the scheduler file cannot be read.

    Examples
    --------
    >>> parse_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> parse_address("not an address")
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: scheduler: 'not an address' is not a scheduler address; ...
    """
    text = str(address).strip()
    if text.endswith(".json") or (text and "://" not in text and Path(text).is_file()):
        try:
            found = json.loads(Path(text).read_text(encoding="utf-8"))["address"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ParameterError(
                f"scheduler: cannot read the scheduler file {text!r} "
                f"({type(exc).__name__}: {first_line(exc)}); give the file that "
                f"`dask scheduler --scheduler-file` wrote") from None
        return parse_address(found)
    m = _ADDRESS.match(text)
    if not m or (m["port"] and not 0 < int(m["port"]) < 65536):
        raise ParameterError(
            f"scheduler: {address!r} is not a scheduler address; expected tcp://HOST:PORT, "
            f"HOST:PORT or a scheduler file (.json)")
    return text if m["scheme"] else f"tcp://{text}"


def connect(address: str, timeout: float | None = None) -> Any:
    """A ``distributed.Client`` on the scheduler at ``address``, with at least one worker.

    ``timeout`` defaults to :data:`CONNECT_TIMEOUT` seconds.

    Raises
    ------
    ParameterError
        A malformed address (see :func:`parse_address`).
    RenderError
        The scheduler cannot be reached within ``timeout`` seconds, or has no worker.
    """
    import logging

    import distributed

    url = parse_address(address)
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    # A refused connection is retried until the timeout; its log lines would only repeat it.
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    try:
        client = distributed.Client(url, timeout=timeout, set_as_default=False)
    except Exception as exc:
        raise RenderError(
            f"scheduler: cannot reach the Dask scheduler at {url!r} within {timeout:g} s "
            f"({type(exc).__name__}: {first_line(exc)}); start it with `dask scheduler` or "
            f"check the address") from None
    logging.getLogger("distributed").setLevel(logging.ERROR)
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except Exception:
        client.close()
        raise RenderError(
            f"scheduler: the Dask scheduler at {url!r} has no worker after "
            f"{WORKER_TIMEOUT:g} s; start one with `dask worker {url}`") from None
    return client


# -- the version check -------------------------------------------------------------------------
def sources_digest() -> str:
    """A digest of every file of the installed package (library, renderer and templates): a
    worker with edited sources renders differently, or speaks another task protocol.

    Examples
    --------
    >>> len(sources_digest())
    64
    """
    from .. import paths

    root = paths.PACKAGE_DIR
    return tree_digest(root, [p for p in root.rglob("*") if p.is_file()
                              and "__pycache__" not in p.parts and p.suffix != ".pyc"])


def identity() -> dict:
    """This process's package version and sources digest (what a worker must match).

    Examples
    --------
    >>> sorted(identity())
    ['library', 'version']
    """
    from importlib import metadata

    return {"version": metadata.version(PACKAGE), "library": sources_digest()}


def _describe(found: Any) -> str:
    if isinstance(found, BaseException):
        if type(found).__name__ == "PackageNotFoundError":
            return "not installed"
        return f"unknown ({type(found).__name__}: {first_line(found)})"
    return str(found)


def check_workers(mine: dict, versions: dict, libraries: dict | None = None) -> None:
    """Refuse workers whose package differs from the client's.

    Parameters
    ----------
    mine : dict
        The client's :func:`identity`.
    versions : dict
        Worker address -> its version of :data:`PACKAGE` (or the exception raised asking it).
    libraries : dict, optional
        Worker address -> its :func:`sources_digest`, once the versions agree.

    Raises
    ------
    RenderError
        Naming the first worker that differs, its version and the client's.

    Examples
    --------
    >>> me = {"version": "0.1.0", "library": "abc"}
    >>> check_workers(me, {"tcp://w:1": "0.1.0"}, {"tcp://w:1": "abc"})
    >>> check_workers(me, {"tcp://w:1": "0.0.9"})
    Traceback (most recent call last):
    ...
    sco_research.errors.RenderError: scheduler: worker 'tcp://w:1' has sco-research 0.0.9, this ...
    """
    for worker, found in sorted(versions.items()):
        if found != mine["version"]:
            raise RenderError(
                f"scheduler: worker {worker!r} has sco-research {_describe(found)}, this client "
                f"has {mine['version']}; install the same version on every worker")
    for worker, found in sorted((libraries or {}).items()):
        if found != mine["library"]:
            short = found[:12] if isinstance(found, str) else _describe(found)
            raise RenderError(
                f"scheduler: worker {worker!r} has sco-research {versions.get(worker)} with "
                f"other library sources (digest {short}), this client has "
                f"{mine['version']} (digest {mine['library'][:12]}); install the same sources "
                f"on every worker")


def _check_cluster(client: Any) -> None:
    """Ask every worker for its version (a stdlib call: works without the package), then, when
    the versions agree, for its library digest; refuse a mismatch before any task runs."""
    from importlib import metadata

    mine = identity()
    versions = client.run(metadata.version, PACKAGE, on_error="return")
    check_workers(mine, versions)
    libraries = client.run(sources_digest, on_error="return")
    check_workers(mine, versions, libraries)


# -- the data package --------------------------------------------------------------------------
def pack_data(data_dir: str | os.PathLike) -> tuple[str, bytes]:
    """The data folder (with its subfolders) as a gzipped tar, and its content hash.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text("x\\n")
    >>> key, blob = pack_data(d)
    >>> len(key), pack_data(d)[0] == key
    (64, True)
    """
    root = Path(data_dir)
    files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for f in files:
            info = tar.gettarinfo(str(f), arcname=f.relative_to(root).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(f, "rb") as fh:
                tar.addfile(info, fh)
    return tree_digest(root, files), buf.getvalue()


def _cache_root() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"sco-research-{uid}" / "data"


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Extract regular files only, never outside ``dest`` (the "data" filter where Python has
    it, the same check by hand before 3.10.12/3.11.4)."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
        return
    for member in tar.getmembers():  # pragma: no cover - older Pythons
        target = (dest / member.name).resolve()
        if not member.isfile() or dest.resolve() not in target.parents:
            raise RenderError(f"data package: {member.name!r} is not a file inside the folder")
        tar.extract(member, dest)


def unpack_data(key: str, blob: bytes, root: str | os.PathLike | None = None) -> Path:
    """The data folder of hash ``key``, unpacked once into ``root`` (a worker-local cache).

    A temporary folder is filled and renamed into place, so a folder under its key is always
    complete; when two tasks race, the second one's copy is dropped.
    """
    base = Path(root) if root is not None else _cache_root()
    final = base / key[:32]
    if final.is_dir():
        return final
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{key[:32]}~", dir=base))
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
            _extract(tar, tmp)
        try:
            os.rename(tmp, final)
        except OSError:
            if not final.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


# -- one report on a worker --------------------------------------------------------------------
def stage_files(stage: str | os.PathLike) -> dict[str, bytes]:
    """Every file below ``stage``: relative path -> bytes.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "figures").mkdir(); _ = (d / "figures" / "f.png").write_bytes(b"png")
    >>> stage_files(d)
    {'figures/f.png': b'png'}
    """
    root = Path(stage)
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


class _StopWatcher:
    """Watches the run's stop event from a thread; when it is set, interrupts this worker's
    kernels (SIGINT: the running cell raises KeyboardInterrupt) and kills them after
    :data:`KILL_GRACE` seconds if the report has not ended by then."""

    def __init__(self, event: Any) -> None:
        self.event, self.fired = event, False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="sco-research-stop",
                                        daemon=True)
        if event is not None:
            self._thread.start()

    def _watch(self) -> None:
        while not self._done.is_set():
            try:
                if not self.event.wait(timeout=0.5):
                    continue
            except Exception:  # the scheduler is gone: nothing more to watch
                time.sleep(0.5)
                continue
            self.fired = True
            _signal_kernels(signal.SIGINT)
            if not self._done.wait(KILL_GRACE):
                _signal_kernels(signal.SIGKILL)
            return

    def close(self) -> None:
        self._done.set()


def kernel_processes() -> list:
    """This process's kernels: its descendants that lead a session of their own (a kernel
    started cold by jupyter_client, or forked by the warm-kernel server; the server itself does
    not lead one, and is left alone)."""
    import psutil

    found = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(Exception):
            if os.getsid(child.pid) == child.pid:
                found.append(child)
    return found


def _signal_kernels(sig: int) -> None:
    """Send ``sig`` to this process's kernels (:func:`kernel_processes`) and their groups."""
    for kernel in kernel_processes():
        with contextlib.suppress(Exception):
            os.killpg(kernel.pid, sig) if sig == signal.SIGKILL else kernel.send_signal(sig)


def _prepare_worker() -> None:
    """Import papermill and register the engine once in this worker process.

    :func:`~sco_research.reports.execute.worker_init` sets a signal handler, which Python
    allows only in the main thread: Dask runs tasks in other threads, so this runs from a worker
    plugin on the worker's event-loop (main) thread, and leaves its Ctrl-C handling as it was.
    """
    from . import execute

    saved = signal.getsignal(signal.SIGINT)
    try:
        execute.worker_init()
    finally:
        signal.signal(signal.SIGINT, saved)


def _plugin() -> Any:
    """A worker plugin running :func:`_prepare_worker` on every worker, also on those that join
    later (a restarted one)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class PrepareWorker(WorkerPlugin):
        name = "sco-research-prepare"

        def setup(self, worker: Any) -> None:
            if threading.current_thread() is threading.main_thread():
                _prepare_worker()

    return PrepareWorker()


def _interrupted(task: dict, worker: str | None) -> dict:
    return {"name": task["name"], "ok": False, "error": "interrupted", "interrupted": True,
            "failed_ipynb": None, "duration_s": 0.0, "files": {}, "worker": worker}


def run_remote(task: dict, notebook: bytes, data_key: str, data: bytes,
               stop: str | None = None) -> dict:
    """Run one report on a Dask worker; return its result and its files as bytes.

    Parameters
    ----------
    task : dict
        The batch's task (see :func:`sco_research.reports.execute.run_report`); its paths are
        the client's and are replaced here by worker-local ones.
    notebook : bytes
        The notebook file.
    data_key, data : str, bytes
        The data folder's content hash and :func:`pack_data` archive.
    stop : str, optional
        Name of the run's ``distributed.Event``; once set, a report not yet started returns at
        once and a running one has its kernel interrupted.

    Returns
    -------
    dict
        :func:`run_report`'s result plus ``worker`` (this worker's address) and ``files``
        (relative path -> bytes of everything the report wrote).
    """
    import distributed

    from . import execute

    try:
        worker = distributed.get_worker().address
    except ValueError:  # called outside a worker (a test, or a debugging session)
        worker = None
    event = distributed.Event(stop) if stop else None
    if event is not None and event.is_set():
        return _interrupted(task, worker)
    with _ONE_AT_A_TIME:
        if event is not None and event.is_set():
            return _interrupted(task, worker)
        data_dir = unpack_data(data_key, data)
        with tempfile.TemporaryDirectory(prefix="sco-research-report-") as tmp:
            stage, cwd = Path(tmp, "stage"), Path(tmp, "cwd")
            stage.mkdir()
            cwd.mkdir()
            nb_path = Path(tmp, Path(task["notebook"]).name)
            nb_path.write_bytes(notebook)
            local = {**task, "notebook": str(nb_path), "data_dir": str(data_dir),
                     "cwd": str(cwd)}
            watcher = _StopWatcher(event)
            try:
                result = execute.run_report(local, stage)
            finally:
                watcher.close()
            if watcher.fired and not result["ok"]:
                result.update(interrupted=True, error="interrupted")
            result["files"] = stage_files(stage)
    result["worker"] = worker
    return result


# -- back on the client ------------------------------------------------------------------------
def land_remote(out: str | os.PathLike, result: dict) -> dict:
    """Write a remote report's files into ``out/.staging/<name>~new~<id>`` and publish them with
    :func:`sco_research.reports.execute.land`. Only the process holding ``out``'s lock calls
    this. Returns the result without its ``files``.
    """
    from . import execute
    from .layout import staging

    result = dict(result)
    files = result.pop("files", None) or {}
    if not files and not result.get("ok"):
        return result  # stopped before it started: nothing to keep
    root = staging(Path(out))
    root.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{result['name']}~new~", dir=root))
    try:
        for rel, content in files.items():
            target = (stage / rel).resolve()
            if stage.resolve() not in target.parents:
                raise RenderError(f"worker result: file {rel!r} lies outside the report folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (stage / "figures").mkdir(exist_ok=True)
        execute.land(stage, Path(out), result)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return result


class ClusterPool:
    """The batch's executor on a Dask cluster (the same methods as the local pool).

    Connects and checks every worker's package at once; scatters the data folder with the
    first report; submits
    :func:`run_remote` tasks through ``client.get_executor()`` (concurrent.futures futures).

    Parameters
    ----------
    address : str
        The scheduler (see :func:`parse_address`).
    data_dir : path
        The data folder sent to the workers.
    jobs : int, optional
        Reports handed to the cluster at once; default: the cluster's worker threads.
    """

    kind = "Dask worker"

    def __init__(self, address: str, data_dir: str | os.PathLike, jobs: int | None = None):
        import distributed

        self.client = connect(address)
        self.address = parse_address(address)
        try:
            _check_cluster(self.client)
            self.client.register_plugin(_plugin())
            self.stop = distributed.Event(f"sco-research-stop-{uuid.uuid4().hex}",
                                          client=self.client)
            self.executor = self.client.get_executor(pure=False)
            threads = sum(self.client.nthreads().values()) or 1
            self.slots = min(jobs, threads) if jobs else threads
        except BaseException:
            self.client.close()
            raise
        self.data_dir, self.data, self.data_key = Path(data_dir), None, ""
        self.futures: list = []

    def submit(self, task: dict) -> Any:
        """Hand one report to the cluster; a ``concurrent.futures.Future`` of its result."""
        if self.data is None:  # once per run, and only when something runs
            self.data_key, blob = pack_data(self.data_dir)
            self.data = self.client.scatter(blob, broadcast=True, hash=False)
        notebook = Path(task["notebook"]).read_bytes()
        fut = self.executor.submit(run_remote, task, notebook, self.data_key, self.data,
                                   self.stop.name,
                                   key=f"sco-research-{task['name']}-{uuid.uuid4().hex[:8]}")
        self.futures.append(fut)
        return fut

    def poll(self) -> None:
        """Nothing to collect (the local pool gathers its worker pids here)."""

    def interrupt(self) -> None:
        """Ctrl-C: reports not started return at once; running ones have their kernel
        interrupted (:class:`_StopWatcher`)."""
        with contextlib.suppress(Exception):
            self.stop.set()

    def kill(self) -> None:
        """Stop waiting: cancel every report still on the cluster."""
        for fut in self.futures:
            fut.cancel()

    def finish(self, result: dict, task: dict) -> dict:
        """Publish what a worker sent back into the output folder (under the batch's lock)."""
        from .timings import add_write

        t = time.perf_counter()
        landed = land_remote(task["out"], result)
        add_write(landed, time.perf_counter() - t)
        return landed

    def close(self) -> None:
        """Cancel what is left, forget the stop event, disconnect."""
        self.kill()
        with contextlib.suppress(Exception):
            self.stop.clear()
        with contextlib.suppress(Exception):
            self.client.close(timeout=5)
