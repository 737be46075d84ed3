"""Where reports run: the :class:`Pool` protocol, and :class:`LocalPool`, worker processes on
this machine that heal themselves.

The batch (:class:`sco_research.reports.batch.Batch`) talks to a pool only through :class:`Pool`;
:class:`LocalPool` and :class:`~sco_research.reports.cluster.ClusterPool` satisfy it. A pool's
futures end with a :class:`~sco_research.reports.results.Result`. A worker that dies (``kill -9``,
the out-of-memory killer) breaks a ``ProcessPoolExecutor`` (``BrokenProcessPool``): the local pool
starts a new one and runs the reports it held once more, as a Dask cluster does by itself. A
broken executor stops every worker: only the report whose own worker died has used its one
retry; the others are run again without counting it (at most :data:`MAX_TRIES` starts in all).
The workers send their pid when they start, and ``(pid, report)`` for each report they take, so
that the pool can pass Ctrl-C on, tell whose worker died, and kill them when a report is far
past its budget (a stopped or wedged worker never enforces its own timeout; killing one breaks
the executor, which stops the others, so all are killed).

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
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Protocol, runtime_checkable

from . import execute, warm
from .results import Result, Task

__all__ = ["MAX_TRIES", "STALL_GRACE", "STOP_GRACE", "LocalPool", "Pool", "run_local"]

#: Seconds a report may run past its budget and the kernel's start-up limit before the pool
#: kills its worker: the worker's own timeout should have stopped it long before.
STALL_GRACE = 60.0
#: The most seconds a running report may take to stop after Ctrl-C before its worker is killed.
STOP_GRACE = 20.0
#: The most times one report is started, whichever worker died: its own worker may die once; it
#: may also be stopped with the others when another report's worker dies or is killed.
MAX_TRIES = 3


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


def _dead(pid: int) -> bool:
    """Whether the process ``pid`` has exited (a zombie not yet reaped counts as exited)."""
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # pragma: no cover - not ours to look at: alive
        return False


#: How a worker the executor stopped ends: SIGTERM, which ``execute.worker_init`` turns into
#: exit 143 (70 when its render is gone). Any other end (-9 for SIGKILL or the out-of-memory
#: killer, a crash) is a worker that died.
_STOPPED = frozenset({143, 70, -signal.SIGTERM})


def _exit_code(proc: object) -> int | None:
    """The exit code of an ended worker's process object, ``None`` when it cannot be told. The
    executor's thread may be reaping the same process meanwhile (our look then finds nothing
    to reap until it has stored the code), so look again for up to a second."""
    for _ in range(50):
        try:
            code = proc.exitcode  # type: ignore[attr-defined]
        except Exception:  # no process object: it cannot be told
            return None
        if code is not None:
            return code
        time.sleep(0.02)
    return None


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
    tries: int = 0  # how many times it was handed out
    deaths: int = 0  # how many times its own worker died under it
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
        self.lock = threading.Lock()  # the pid queue is read from two threads
        self.marking = threading.Lock()  # and both may find the executor broken
        self._start()

    def _start(self) -> None:
        self.dead: set[int] = set()  # the workers found dead when the executor broke
        self.holders: dict[int, str] = {}  # worker pid -> the report it took last
        self.procs: dict[int, object] = {}  # worker pid -> its multiprocessing.Process
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
            if not self.broken:  # the executor stops the other workers after these callbacks
                self._mark_broken(self._died())
            self.broken = True  # poll() restarts the executor and decides
            return
        self.held.pop(held.task.name, None)
        if isinstance(exc, BrokenProcessPool):  # stopped by Ctrl-C or kill()
            held.outer.set_result(Result.failed(held.task.name, "interrupted", True))
        elif exc is not None:
            held.outer.set_exception(exc)
        else:
            held.outer.set_result(fut.result())

    def _mark_broken(self, dead: set[int]) -> None:
        """The first to find the executor broken says which workers were dead then (a later
        look may find the others, which the executor stops once it knows)."""
        with self.marking:
            if not self.broken:
                self.dead, self.broken = dead, True

    def _workers(self) -> set[int]:
        """The worker processes' ids: each sends its own as it starts, and then ``(pid,
        report)`` for each report it takes (kept in ``holders``)."""
        with self.lock:
            while not self.pids.empty():
                msg = self.pids.get()
                if isinstance(msg, int):
                    self.worker_pids.add(msg)
                else:
                    self.holders[msg[0]] = msg[1]
            # The executor's own process objects keep each worker's exit code once it ends
            # (CPython's ProcessPoolExecutor has kept them in ``_processes`` since 3.2).
            self.procs.update(getattr(self.pool, "_processes", None) or {})
            return set(self.worker_pids)

    def _died(self) -> set[int]:
        """The workers that died on their own: ended, and not by the executor's SIGTERM (which
        it sends to the others once it sees one dead)."""
        dead = set()
        for pid in self._workers():
            if not _dead(pid):
                continue
            code = _exit_code(self.procs.get(pid))
            if code not in _STOPPED:
                dead.add(pid)
        return dead

    def poll(self) -> list[str]:
        """Kill the workers when a report is past its budget, the warm server's answer limit,
        the kernel's start-up limit and :data:`STALL_GRACE` (the executor breaks, as it would
        for one); replace a broken executor, or one with a dead worker, and run its reports
        once more (except one killed for overrunning, or lost a second time)."""
        notes = []
        for held in list(self.held.values()):
            # A warm start may wait for the server (warm.TIMEOUT) before it falls back cold.
            late = (held.task.timeout + warm.TIMEOUT + execute.KERNEL_START_TIMEOUT
                    + STALL_GRACE)
            if not held.killed and time.monotonic() - held.since > late:
                held.killed = True
                notes.append(f"{held.task.name}: its worker has not answered long past the "
                             f"report's {held.task.timeout:g} s budget; killing it")
        if notes:
            for pid in self._workers():
                _kill_tree(pid)
        elif not self.broken and self.held:
            # The executor may notice a dead worker only when another one sends a result
            # (seen on Python 3.11, a report beside it running on): look for the dead here too.
            dead = self._died()
            if dead:
                self._mark_broken(dead)
        return notes + (self._restart() if self.broken else [])

    def _restart(self) -> list[str]:
        for pid in self._workers():
            _kill_tree(pid)
        self.pool.shutdown(wait=True, cancel_futures=True)  # every callback has run
        held_now = list(self.held.values())
        overdue = [h.task.name for h in held_now if h.killed]
        # Whose worker died: the reports held by the workers found dead; when that cannot be
        # told, every report counts it (as if its own worker had died).
        lost = ({self.holders.get(pid) for pid in self.dead} & {h.task.name for h in held_now}
                if self.dead and not overdue else set())
        own = (lambda h: h.task.name in lost) if self.dead or overdue else (lambda h: True)
        why = (f"the worker running {', '.join(map(repr, overdue))} was killed for overrunning "
               f"its budget" if overdue else
               f"the worker running {', '.join(map(repr, sorted(lost)))} died" if lost else
               "an idle worker died")
        self.broken = False
        self._start()
        notes = []
        for held in held_now:
            name, error = held.task.name, None
            mine = own(held) and not held.killed
            held.deaths += mine
            if held.killed:
                error = (f"timed out: its worker stopped answering long past its "
                         f"{held.task.timeout:g} s budget and was killed; raise `timeout:` for "
                         f"this report in reports.yaml or pass --timeout")
            elif held.deaths > 1:
                error = ("its worker process died again (killed from outside, or out of "
                         "memory?); not retried a second time")
            elif held.tries >= MAX_TRIES:
                error = (f"its worker process was stopped {held.tries} times ({why} the last "
                         f"time); not started again")
            if error:
                del self.held[name]
                held.outer.set_result(Result.failed(name, error))
                continue
            if mine:
                notes.append(f"{name}: its worker process died (killed from outside, or out of "
                             f"memory?); running it once more in a new worker")
            else:
                notes.append(f"{name}: stopped with the other workers when {why}; running it "
                             f"again (not counted as a retry)")
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
