"""Rendering on a Dask cluster (``render --scheduler``): reports as tasks, files back as bytes.

:class:`ClusterPool` is the batch's :class:`~sco_research.reports.pool.Pool` there. No shared
filesystem is assumed: with the first report the data folder (:func:`pack_data`) goes into a
worker plugin, which Dask sends to every worker (also one joining later) to unpack once and
import papermill. :func:`run_remote` runs :func:`sco_research.reports.execute.run_report` in a
temporary folder and returns the :class:`~sco_research.reports.results.Result` with every file
written; only the client publishes them (:func:`land_remote`), under the batch's lock. Dask runs
a dead worker's task again elsewhere. :func:`connect` and :func:`check_workers` refuse an
unreachable scheduler, one without workers, and a worker with another package version.

Examples
--------
>>> parse_address("127.0.0.1:8786")
'tcp://127.0.0.1:8786'
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "t.csv").write_text("k,v\\n")
>>> sorted(p.name for p in unpack_data(pack_data(folder), folder / "copy").iterdir())
['t.csv']
"""

from __future__ import annotations

import contextlib
import dataclasses
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._files import tree_digest
from .._repr import first_line
from ..errors import ParameterError, RenderError
from .results import Result, Task

__all__ = ["CONNECT_TIMEOUT", "PACKAGE", "ClusterPool", "check_workers", "connect",
           "land_remote", "pack_data", "parse_address", "run_remote", "sources_digest",
           "unpack_data"]

#: Seconds to reach the scheduler before the address is refused.
CONNECT_TIMEOUT = 5.0
#: Seconds to wait for at least one worker to join the scheduler.
WORKER_TIMEOUT = 10.0
#: The distribution whose version every worker must share with the client.
PACKAGE = "sco-research"
#: Seconds between a stop request and killing a report's kernel that ignored the interrupt.
KILL_GRACE = 5.0
#: The name of the worker plugin that holds the data folder and prepares papermill.
PLUGIN = "sco-research-prepare"

_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+]*)://)?(?P<host>\[[0-9a-fA-F:.]+\]|"
                      r"[A-Za-z0-9_.-]+)(?::(?P<port>\d{1,5}))?$")
#: One report at a time per worker process: run_report redirects the process's stdout and
#: stderr (file descriptors 1 and 2) to the report's kernel log while its kernel runs.
_ONE_AT_A_TIME = threading.Lock()


# -- the scheduler and its workers --------------------------------------------------------------
def parse_address(address: str) -> str:
    """A scheduler address as Dask takes it: ``tcp://HOST:PORT``, ``HOST:PORT`` (tcp assumed),
    or the ``address`` in the JSON file ``dask scheduler --scheduler-file`` writes; a malformed
    one, or an unreadable file, raises ParameterError.

    Examples
    --------
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
    """A ``distributed.Client`` on the scheduler at ``address`` (within ``timeout`` seconds,
    default :data:`CONNECT_TIMEOUT`) with at least one worker (within :data:`WORKER_TIMEOUT`),
    or RenderError."""
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


def sources_digest() -> str:
    """A digest of every file of the installed package: a worker with edited sources renders
    differently, or speaks another task protocol.

    Examples
    --------
    >>> len(sources_digest())
    64
    """
    from .. import paths

    root = paths.PACKAGE_DIR
    return tree_digest(root, [p for p in root.rglob("*") if p.is_file()
                              and "__pycache__" not in p.parts and p.suffix != ".pyc"])


def _describe(found: Any) -> str:
    if isinstance(found, BaseException):
        return "not installed" if type(found).__name__ == "PackageNotFoundError" else (
            f"unknown ({type(found).__name__}: {first_line(found)})")
    return str(found)


def check_workers(mine: dict, versions: dict, libraries: dict | None = None) -> None:
    """Refuse the first worker whose version (``versions``: address -> version, or the exception
    asking raised) or sources digest (``libraries``) differs from the client's (``mine``).

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


# -- the data folder and the worker plugin ------------------------------------------------------
def pack_data(folder: str | os.PathLike) -> bytes:
    """A folder (with its subfolders) as a gzipped tar: the data folder sent to the workers, and
    a report's folder sent back. A symbolic link to a file (git-annex and DVC keep data files
    so) travels as the file's content: the other side accepts regular files only."""
    root, buf = Path(folder), io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1, dereference=True) as tar:
        for f in sorted(p for p in root.rglob("*") if p.is_file()
                        and "__pycache__" not in p.parts):
            tar.add(f, arcname=f.relative_to(root).as_posix())
    return buf.getvalue()


def _refused(member: tarfile.TarInfo, why: str) -> RenderError:
    return RenderError(f"archive: member {member.name!r} is {why}; only regular files and "
                       f"folders inside the destination are accepted")


def _files_only(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
    """The extraction filter: regular files and folders, inside ``dest`` (tarfile's "data"
    filter then drops modes a report has no use for, such as set-user-ID)."""
    kind = ("a symbolic link" if member.issym() else "a hard link" if member.islnk() else
            None if member.isfile() or member.isdir() else "a special file")
    inside = Path(os.path.realpath(dest))
    target = Path(os.path.realpath(os.path.join(dest, member.name)))
    if kind is None and inside != target and inside not in target.parents:
        kind = "outside the folder"
    if kind is not None:
        raise _refused(member, kind)
    return tarfile.data_filter(member, dest) if hasattr(tarfile, "data_filter") else member


def unpack_data(blob: bytes, dest: str | os.PathLike) -> Path:
    """Unpack :func:`pack_data`'s archive into the folder ``dest``: regular files and folders
    only, never outside it; anything else (a link, a device, ``..``) raises RenderError naming
    the member, before it is written.

    Examples
    --------
    >>> import io, tarfile, tempfile
    >>> buf = io.BytesIO()
    >>> with tarfile.open(fileobj=buf, mode="w:gz") as tar:
    ...     link = tarfile.TarInfo("page.html")
    ...     link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    ...     tar.addfile(link)
    >>> unpack_data(buf.getvalue(), tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    sco_research.errors.RenderError: archive: member 'page.html' is a symbolic link; only ...
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
            for member in tar.getmembers():  # every member checked before any is written
                _files_only(member, str(dest))
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter=_files_only)
            else:  # pragma: no cover - before Python 3.10.12/3.11.4: every member checked above
                tar.extractall(dest)
    except (tarfile.TarError, EOFError) as exc:  # cut short, or not a gzipped tar at all
        raise RenderError(f"archive: cannot unpack it ({type(exc).__name__}: "
                          f"{first_line(exc)}); expected a gzipped tar from pack_data") from None
    return dest


def _plugin(blob: bytes) -> Any:
    """The worker plugin: on every worker (also one that joins later) it unpacks the data into
    the worker's local directory and imports papermill; removed again, it removes the data.

    :func:`~sco_research.reports.execute.worker_init` sets a signal handler, which Python allows
    only in the main thread: Dask runs tasks in other threads, but a plugin's ``setup`` on the
    worker's event loop (main) thread; its Ctrl-C handling is left as it was.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class Prepare(WorkerPlugin):
        name = PLUGIN

        def setup(self, worker: Any) -> None:
            from . import execute

            self.data_dir = unpack_data(blob, tempfile.mkdtemp(prefix="sco-research-data-",
                                                               dir=worker.local_directory))
            if threading.current_thread() is threading.main_thread():
                saved = signal.getsignal(signal.SIGINT)
                try:
                    execute.worker_init()
                finally:
                    signal.signal(signal.SIGINT, saved)

        def teardown(self, worker: Any) -> None:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    return Prepare()


# -- one report on a worker ---------------------------------------------------------------------
def _signal_kernels(sig: int) -> None:
    """Send ``sig`` to this process's kernels: its descendants that lead a session of their own
    (a kernel started cold, or forked by the warm-kernel server, which is left alone)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(Exception):
            if os.getsid(child.pid) == child.pid:
                os.killpg(child.pid, sig) if sig == signal.SIGKILL else child.send_signal(sig)


@contextlib.contextmanager
def _stop_watch(event: Any) -> Iterator[list]:
    """Meanwhile, a thread watches the run's stop event: once set, this worker's kernels are
    interrupted (SIGINT: the running cell raises KeyboardInterrupt), and killed after
    :data:`KILL_GRACE` seconds if the report has not ended. Yields a list, non-empty once fired."""
    fired: list[bool] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                if not event.wait(timeout=0.5):
                    continue
            except Exception:  # the scheduler is gone: nothing more to watch
                done.wait(0.5)
                continue
            fired.append(True)
            _signal_kernels(signal.SIGINT)
            if not done.wait(KILL_GRACE):
                _signal_kernels(signal.SIGKILL)
            return

    if event is not None:
        threading.Thread(target=watch, name="sco-research-stop", daemon=True).start()
    try:
        yield fired
    finally:
        done.set()


def run_remote(task: Task, notebook: bytes, stop: str | None = None) -> Result:
    """On a Dask worker: run one report from the notebook's bytes, in a temporary folder, with
    the data the plugin unpacked; return its result with ``worker`` (this worker's address) and
    ``files`` (:func:`pack_data` of the report's folder). Once the ``distributed.Event`` named
    ``stop`` is set, a report not yet started returns at once; a running one is interrupted."""
    import distributed

    from . import execute

    worker = distributed.get_worker()
    event = distributed.Event(stop) if stop else None
    with _ONE_AT_A_TIME:
        if event is not None and event.is_set():
            stopped = Result.failed(task.name, "interrupted", True)
            return dataclasses.replace(stopped, worker=worker.address)
        with tempfile.TemporaryDirectory(prefix="sco-research-report-") as tmp:
            stage, cwd = Path(tmp, "stage"), Path(tmp, "cwd")
            stage.mkdir()
            cwd.mkdir()
            nb_path = Path(tmp, Path(task.notebook).name)
            nb_path.write_bytes(notebook)
            local = dataclasses.replace(task, notebook=str(nb_path), cwd=str(cwd),
                                        data_dir=str(worker.plugins[PLUGIN].data_dir))
            with _stop_watch(event) as fired:
                result = execute.run_report(local.as_dict(), stage)
            if fired and not result["ok"]:
                result.update(interrupted=True, error="interrupted")
            files = pack_data(stage)
    return Result.from_dict({**result, "worker": worker.address, "files": files})


# -- back on the client -------------------------------------------------------------------------
def land_remote(out: str | os.PathLike, result: Result) -> dict:
    """Unpack a remote report's files into ``out/.staging/<name>~new~<id>``, publish them with
    :func:`sco_research.reports.execute.land`; return the result (a dict, without its files).
    Only the process holding ``out``'s lock calls this."""
    from . import execute
    from .layout import staging

    landed = result.as_dict()
    if not result.files and not result.ok:
        return landed  # stopped before it started: nothing to keep
    root = staging(Path(out))
    root.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{result.name}~new~", dir=root))
    try:
        unpack_data(result.files, stage)  # regular files only, never outside the stage
        (stage / "figures").mkdir(exist_ok=True)
        execute.land(stage, Path(out), landed)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return landed


class ClusterPool:
    """The batch's :class:`~sco_research.reports.pool.Pool` on a Dask cluster.

    Connects to ``address`` and checks every worker's package at once; with the first report,
    registers the worker plugin carrying ``data_dir``; submits :func:`run_remote` tasks through
    ``client.get_executor()`` (concurrent.futures futures), ``jobs`` at once (default: the
    cluster's worker threads).
    """

    kind = "Dask worker"

    def __init__(self, address: str, data_dir: str | os.PathLike, jobs: int | None = None):
        from importlib import metadata

        import distributed

        self.client = connect(address)
        try:  # the version first (a stdlib call: works without the package), then the sources
            mine = {"version": metadata.version(PACKAGE), "library": sources_digest()}
            versions = self.client.run(metadata.version, PACKAGE, on_error="return")
            check_workers(mine, versions)
            check_workers(mine, versions, self.client.run(sources_digest, on_error="return"))
            self.stop = distributed.Event(f"sco-research-stop-{uuid.uuid4().hex}",
                                          client=self.client)
            self.executor = self.client.get_executor(pure=False)
            threads = sum(self.client.nthreads().values()) or 1
            self.slots = min(jobs, threads) if jobs else threads
        except BaseException:
            self.client.close()
            raise
        self.data_dir, self.prepared, self.futures = Path(data_dir), False, []

    def submit(self, task: Task) -> Any:
        if not self.prepared:  # once per run, and only when something runs
            self.client.register_plugin(_plugin(pack_data(self.data_dir)))
            self.prepared = True
        fut = self.executor.submit(run_remote, task, Path(task.notebook).read_bytes(),
                                   self.stop.name,
                                   key=f"sco-research-{task.name}-{uuid.uuid4().hex[:8]}")
        self.futures.append(fut)
        return fut

    def poll(self) -> list[str]:  # Dask looks after its workers
        return []

    def interrupt(self) -> None:
        with contextlib.suppress(Exception):
            self.stop.set()

    def kill(self) -> None:
        for fut in self.futures:
            fut.cancel()

    def finish(self, result: Result, task: Task) -> Result:
        from .timings import add_write

        t = time.perf_counter()
        landed = land_remote(task.out, result)
        add_write(landed, time.perf_counter() - t)
        return Result.from_dict(landed)

    def close(self) -> None:
        """Cancel what is left, remove the plugin and its data, forget the stop event."""
        self.kill()
        with contextlib.suppress(Exception):
            if self.prepared:
                self.client.unregister_worker_plugin(PLUGIN)
        with contextlib.suppress(Exception):
            self.stop.clear()
        with contextlib.suppress(Exception):
            self.client.close(timeout=5)
