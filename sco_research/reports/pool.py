"""The local pool: worker processes on this machine, and what happens when one of them fails.

The workers share the output folder, so each publishes its own report
(:func:`sco_research.reports.execute.render_one`). Each sends its process id when it starts and
``(pid, report)`` when it takes a report, so that the parent can pass Ctrl-C on to it, and can
kill the worker of a report that overran its budget by far (a stopped or wedged worker never
enforces its own timeout). A worker killed from outside (``kill -9``, the out-of-memory killer)
breaks the whole executor: :meth:`LocalPool.replace` starts a new one, and the batch
(:mod:`sco_research.reports.batch`) runs the reports it held once more.

Examples
--------
>>> LocalPool.lost.__doc__.split(" (")[0]
'True when ``fut`` failed because its worker process died'

"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

from . import execute

__all__ = ["STALL_GRACE", "LocalPool"]

#: Seconds a report may run past its budget and the kernel's start-up limit before the parent
#: kills its worker: the worker's own timeout should have stopped it long before.
STALL_GRACE = 60.0


def _kill_tree(pid: int) -> None:
    """SIGKILL a process and every process below it (its kernels and their server)."""
    try:
        import psutil

        family = psutil.Process(pid).children(recursive=True)
    except Exception:  # already gone, or psutil missing
        family = []
    for proc in [*family]:
        with contextlib.suppress(Exception):
            proc.kill()
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


class LocalPool:
    """Spawned worker processes running reports, replaced whole when one dies.

    Parameters
    ----------
    workers : int
        How many worker processes.
    data_dir : Path
        The data folder the reports read (each worker's warm kernels start with it).
    """

    kind = "worker process"

    def __init__(self, workers: int, data_dir: Path | None) -> None:
        import multiprocessing

        self.mp = multiprocessing.get_context("spawn")
        self.slots = workers
        self.data_dir = data_dir
        self.stop = self.mp.Event()
        self.worker_pids: set[int] = set()
        self.holder: dict[str, int] = {}  # report name -> pid of the worker running it
        self.since: dict[str, float] = {}  # report name -> when its worker took it
        self.pool = self._start()

    def _start(self) -> Any:
        import concurrent.futures as cf

        self.pids = self.mp.SimpleQueue()
        return cf.ProcessPoolExecutor(
            max_workers=self.slots, initializer=execute.worker_init,
            initargs=(self.pids, self.stop, os.getpid(),
                      str(self.data_dir) if self.data_dir is not None else None),
            mp_context=self.mp)

    def submit(self, task: dict) -> Any:
        return self.pool.submit(execute.render_one, task)

    def poll(self) -> None:
        """Read what the workers sent: their pids, and which report each one took."""
        while not self.pids.empty():
            msg = self.pids.get()
            if isinstance(msg, tuple):
                pid, name = msg
                self.holder[name] = pid
                self.since[name] = time.monotonic()
            else:
                self.worker_pids.add(msg)

    def overdue(self, budgets: dict[str, float]) -> list[str]:
        """The running reports (of ``budgets``: name -> seconds) whose worker has held them
        longer than their budget plus the kernel's start-up limit plus :data:`STALL_GRACE`."""
        self.poll()
        now = time.monotonic()
        return [name for name, budget in budgets.items() if name in self.since
                and now - self.since[name] > budget + execute.KERNEL_START_TIMEOUT + STALL_GRACE]

    def kill_report(self, name: str) -> None:
        """Kill the worker running ``name`` and its kernels (the executor then breaks)."""
        pid = self.holder.pop(name, None)
        self.since.pop(name, None)
        if pid is not None:
            _kill_tree(pid)

    @staticmethod
    def lost(fut: Any) -> bool:
        """True when ``fut`` failed because its worker process died (the executor is broken)."""
        from concurrent.futures.process import BrokenProcessPool

        return fut.done() and not fut.cancelled() and isinstance(fut.exception(),
                                                                 BrokenProcessPool)

    def replace(self) -> None:
        """A worker died and broke the executor: stop the others, start a new executor."""
        self.poll()
        for pid in self.worker_pids:
            _kill_tree(pid)
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.worker_pids.clear()
        self.holder.clear()
        self.since.clear()
        self.pool = self._start()

    def done(self, name: str) -> None:
        """``name`` came back: its worker no longer holds it."""
        self.holder.pop(name, None)
        self.since.pop(name, None)

    def interrupt(self) -> None:
        self.stop.set()
        self.poll()
        for pid in self.worker_pids:  # a terminal's Ctrl-C reached them already; a kill not
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGINT)

    def kill(self) -> None:
        self.poll()
        for pid in self.worker_pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGCONT)  # a stopped worker cannot act on SIGTERM
                os.kill(pid, signal.SIGTERM)

    def finish(self, result: dict, task: dict) -> dict:
        return result  # the worker published it already

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
