"""Where reports run: the :class:`Pool` protocol, and :class:`LocalPool`, worker processes on
this machine that heal themselves.

The batch (:class:`sco_research.reports.batch.Batch`) talks to a pool only through :class:`Pool`;
:class:`LocalPool` and :class:`~sco_research.reports.cluster.ClusterPool` satisfy it. A pool's
futures end with a :class:`~sco_research.reports.results.Result`. A worker that dies (``kill -9``,
the out-of-memory killer) breaks a ``ProcessPoolExecutor`` (``BrokenProcessPool``): the local pool
starts a new one and runs the reports it held once more, as a Dask cluster does by itself. The
workers send their pid when they start, so that the pool can pass Ctrl-C on, and kill them
when a report is far past its budget (a stopped or wedged worker never enforces its own
timeout; killing one breaks the executor, which stops the others, so all are killed).

Examples
--------
>>> pool = LocalPool(1, None)        # no worker starts before the first report
>>> isinstance(pool, Pool)
True
>>> pool.close()
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Protocol, runtime_checkable

from . import execute
from .results import Result, Task

__all__ = ["STALL_GRACE", "STOP_GRACE", "LocalPool", "Pool", "run_local"]

#: Seconds a report may run past its budget and the kernel's start-up limit before the pool
#: kills its worker: the worker's own timeout should have stopped it long before.
STALL_GRACE = 60.0
#: The most seconds a running report may take to stop after Ctrl-C before its worker is killed.
STOP_GRACE = 20.0


@runtime_checkable
class Pool(Protocol):
    """What the batch needs of a pool: ``slots`` reports at once, each a future of a Result."""

    kind: str  #: what a worker is called in messages ("worker process", "Dask worker")
    slots: int  #: how many reports to hand out at once

    def submit(self, task: Task) -> cf.Future:
        """Start one report; its future ends with a :class:`Result`."""

    def poll(self) -> list[str]:
        """Look after the workers now; return what the user should be told."""

    def interrupt(self) -> None:
        """Ctrl-C: reports not started end at once; running ones are interrupted."""

    def kill(self) -> None:
        """Stop every worker now."""

    def finish(self, result: Result, task: Task) -> Result:
        """Publish what came back (in the process holding the output folder's lock)."""

    def close(self) -> None:
        """Cancel what is left and let the workers go."""


def run_local(task: Task) -> Result:
    """In a worker process: run and publish one report (the dict boundary of
    :func:`sco_research.reports.execute.render_one`)."""
    return Result.from_dict(execute.render_one(task.as_dict()))


def _kill_tree(pid: int) -> None:
    """SIGKILL a process and every process below it (its kernels and their server)."""
    import psutil

    with contextlib.suppress(psutil.Error):
        worker = psutil.Process(pid)
        for proc in [*worker.children(recursive=True), worker]:
            with contextlib.suppress(psutil.Error):
                proc.kill()


@dataclasses.dataclass(eq=False)
class _Held:
    """A report the local pool holds: its task, the future handed out, the try running now."""

    task: Task
    outer: cf.Future
    inner: cf.Future | None = None
    since: float = 0.0  # when this try was handed to a free worker
    tries: int = 0
    killed: bool = False  # its worker was killed for overrunning the budget


class LocalPool:
    """Spawned worker processes (``workers`` of them) running reports that read ``data_dir``
    (each worker's warm kernels start with it); a broken executor is replaced whole."""

    kind = "worker process"

    def __init__(self, workers: int, data_dir: Path | None) -> None:
        import multiprocessing

        self.mp = multiprocessing.get_context("spawn")
        self.slots, self.data_dir = workers, data_dir
        self.stop = self.mp.Event()
        self.held: dict[str, _Held] = {}
        self.broken = False
        self._start()

    def _start(self) -> None:
        self.pids, self.worker_pids = self.mp.SimpleQueue(), set()  # a new queue: a killed
        self.pool = cf.ProcessPoolExecutor(  # worker may have left the old one unusable
            max_workers=self.slots, initializer=execute.worker_init, mp_context=self.mp,
            initargs=(self.pids, self.stop, os.getpid(),
                      str(self.data_dir) if self.data_dir is not None else None))

    def submit(self, task: Task) -> cf.Future:
        held = self.held[task.name] = _Held(task, cf.Future())
        self._send(held)
        return held.outer

    def _send(self, held: _Held) -> None:
        held.tries, held.since = held.tries + 1, time.monotonic()
        held.inner = self.pool.submit(run_local, held.task)
        held.inner.add_done_callback(lambda fut: self._came_back(held, fut))

    def _came_back(self, held: _Held, fut: cf.Future) -> None:
        """(In the executor's thread.) Hand the result on, unless the worker died."""
        if fut is not held.inner or fut.cancelled():
            return
        exc = fut.exception()
        if isinstance(exc, BrokenProcessPool) and not self.stop.is_set():
            self.broken = True  # poll() restarts the executor and decides
            return
        self.held.pop(held.task.name, None)
        if isinstance(exc, BrokenProcessPool):  # stopped by Ctrl-C or kill()
            held.outer.set_result(Result.failed(held.task.name, "interrupted", True))
        elif exc is not None:
            held.outer.set_exception(exc)
        else:
            held.outer.set_result(fut.result())

    def _workers(self) -> set[int]:
        """The worker processes' ids: each sends its own as it starts (and then ``(pid,
        report)`` for each report it takes, which the pool does not need)."""
        while not self.pids.empty():
            msg = self.pids.get()
            if isinstance(msg, int):
                self.worker_pids.add(msg)
        return self.worker_pids

    def poll(self) -> list[str]:
        """Kill the workers when a report is past its budget plus the kernel's start-up limit
        plus :data:`STALL_GRACE` (the executor breaks, as it would for one); replace a broken
        executor and run its reports once more (except one killed for overrunning, or lost a
        second time)."""
        notes = []
        for held in list(self.held.values()):
            late = held.task.timeout + execute.KERNEL_START_TIMEOUT + STALL_GRACE
            if not held.killed and time.monotonic() - held.since > late:
                held.killed = True
                notes.append(f"{held.task.name}: its worker has not answered long past the "
                             f"report's {held.task.timeout:g} s budget; killing it")
        if notes:
            for pid in self._workers():
                _kill_tree(pid)
        return notes + (self._restart() if self.broken else [])

    def _restart(self) -> list[str]:
        for pid in self._workers():
            _kill_tree(pid)
        self.pool.shutdown(wait=True, cancel_futures=True)  # every callback has run
        self.broken = False
        self._start()
        notes = []
        for held in list(self.held.values()):
            name, error = held.task.name, None
            if held.killed:
                error = (f"timed out: its worker stopped answering long past its "
                         f"{held.task.timeout:g} s budget and was killed; raise `timeout:` for "
                         f"this report in reports.yaml or pass --timeout")
            elif held.tries > 1:
                error = ("its worker process died again (killed from outside, or out of "
                         "memory?); not retried a second time")
            if error:
                del self.held[name]
                held.outer.set_result(Result.failed(name, error))
            else:
                notes.append(f"{name}: its worker process died (killed from outside, or out of "
                             f"memory?); running it once more in a new worker")
                self._send(held)
        return notes

    def _signal(self, *signals: int) -> None:
        for pid in self._workers():
            for sig in signals:
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)

    def interrupt(self) -> None:
        """A terminal's Ctrl-C reached the workers already; a kill of the render did not."""
        self.stop.set()
        self._signal(signal.SIGINT)

    def kill(self) -> None:
        self.stop.set()
        self._signal(signal.SIGCONT, signal.SIGTERM)  # a stopped worker cannot act on SIGTERM

    def finish(self, result: Result, task: Task) -> Result:
        return result  # the worker published it already

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
