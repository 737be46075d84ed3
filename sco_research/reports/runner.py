"""One batch's pool at work: hand out at most one report per worker, record what comes back,
and stop cleanly.

:class:`Run` is what :func:`sco_research.reports.batch.render` drives once it knows which
reports must run; it talks to any :class:`~sco_research.reports.pool.Pool`. It stops on Ctrl-C,
SIGTERM and SIGHUP alike (:func:`signals_as_interrupts`): queued reports never start and running
ones are interrupted; and it stops, writing nothing more, when its output folder is removed.

Examples
--------
>>> relative(__import__("sco_research").paths.REPORTS_CONFIG,
...          __import__("sco_research").paths.REPORTS_CONFIG)
'reports.yaml'
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
import os
import signal
import threading
from collections import deque
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import RenderError
from . import cache
from ._text import display, first_line
from .config import Report
from .params import RESERVED_PARAMETERS
from .pool import STOP_GRACE, Pool
from .results import Outcome, Result, Task

__all__ = ["Run", "now", "relative", "signals_as_interrupts"]


def now() -> str:
    """The time now, in UTC, as ISO 8601 to the second."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def relative(path: Path, config: Path) -> str:
    """A notebook's path relative to the project (or to the config file's folder)."""
    for root in (paths.PROJECT_ROOT, config.resolve().parent):
        with contextlib.suppress(ValueError):
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
    return os.path.relpath(path, config.parent)


@contextlib.contextmanager
def signals_as_interrupts() -> Any:
    """Meanwhile, SIGTERM and SIGHUP stop the batch as Ctrl-C does: running reports stop, the
    summary is printed and the manifest says ``interrupted`` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    kinds = [sig for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if sig]
    old = {sig: signal.signal(sig, interrupt) for sig in kinds}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


class Run:
    """One batch's pool: submits at most ``pool.slots`` reports, records what comes back.

    ``todo`` items are ``(report, reason, inputs)``; the entries (manifest rows) and outcomes
    are updated in place, and ``write()`` writes the manifest and the index as they are now.
    """

    def __init__(self, ctx, declared, entries, outcomes, prog, config, timeout, workdir,
                 write) -> None:
        self.ctx, self.declared, self.entries, self.outcomes = ctx, declared, entries, outcomes
        self.prog, self.config, self.timeout, self.workdir = prog, config, timeout, workdir
        self.write, self.interrupted = write, False

    def task(self, report: Report) -> Task:
        declared = self.declared[report.notebook]
        return Task(
            name=report.name, title=report.title, notebook=str(report.notebook),
            notebook_rel=relative(report.notebook, self.config), parameters=report.parameters,
            declared=[(n, s.get("default", "")) for n, s in declared.items()
                      if n not in RESERVED_PARAMETERS],
            inject_output_dir="output_dir" in declared,
            timeout=float(self.timeout if self.timeout is not None else report.timeout),
            out=str(self.ctx.out.resolve()), data_dir=str(self.ctx.data_dir),
            cwd=str(self.workdir.resolve()), rendered_at=now(),
            package_version=self.ctx.package_version, data_version=self.ctx.data_version)

    def pool(self, todo: list, pool: Pool) -> None:
        """Run ``todo`` on ``pool``, recording each result as it comes."""
        # Longest first (by last duration; never-rendered first), so the workers finish together.
        queue = deque(sorted(todo, key=lambda t: -(self.entries[t[0].name].get("duration_s")
                                                     or 1e9)))
        running: dict[cf.Future, tuple] = {}
        try:
            try:
                while queue or running:
                    # Only as many reports are handed out as there are workers: the others stay
                    # here, so Ctrl-C cancels them at once.
                    while queue and len(running) < pool.slots:
                        item = queue.popleft()
                        task = self.task(item[0])
                        running[pool.submit(task)] = (*item, task)
                    for note in pool.poll():
                        self.prog.note(note)
                    self.prog.running([item[0].name for item in running.values()])
                    done, _ = cf.wait(running, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                    self.check_out(pool, running)
                    for fut in done:
                        self.record(pool, fut, running.pop(fut))
                    if done:
                        self.write()
            except KeyboardInterrupt:
                self.interrupted = True
                for item in queue:  # never started
                    self.end(item, "interrupted", "interrupted before it started", "interrupted")
                queue.clear()
                self.prog.note("interrupted: stopping the running reports…")
                pool.interrupt()
                done, late = cf.wait(running, timeout=STOP_GRACE)
                for fut in done:
                    self.record(pool, fut, running.pop(fut))
                for fut in late:
                    self.end(running.pop(fut), "interrupted",
                             "interrupted; its worker did not stop in time", "interrupted")
                if late:
                    pool.kill()
        except KeyboardInterrupt:  # a second Ctrl-C: stop the workers now
            self.interrupted = True
            pool.kill()
            for item in running.values():
                self.end(item, "interrupted", "interrupted", "interrupted")
            running.clear()
        finally:
            pool.close()

    def check_out(self, pool: Pool, running: dict) -> None:
        """Stop the run when the output folder was removed or replaced while it ran."""
        if self.ctx.out_intact():
            return
        self.prog.note("the output folder was removed or replaced during the run: stopping")
        pool.kill()
        for item in running.values():
            self.end(item, "interrupted", "stopped: the output folder was removed during the run",
                     "interrupted")
        running.clear()
        raise RenderError(f"out: the output folder {display(self.ctx.out)!r} was removed or "
                          f"replaced during the run; the render stopped and wrote nothing more "
                          f"there; run it again")

    def end(self, item: tuple, action: str, reason: str, error: str | None,
            duration: float | None = None) -> None:
        """Record ``item``'s outcome in its manifest entry and the progress."""
        name = item[0].name
        self.entries[name].update(status="ok" if action == "rendered" else action,
                                  action=action, reason=reason, error=error)
        self.outcomes[name] = Outcome(name, action, reason, error, duration)
        self.prog.finished(self.outcomes[name])

    def record(self, pool: Pool, fut: cf.Future, item: tuple) -> None:
        report, reason, inputs, task = item
        e = self.entries[report.name]
        try:
            res = pool.finish(fut.result(), task)
        except OSError as exc:  # a cluster's report came back, but could not be written here
            res = Result.failed(report.name, f"writing the report's files failed: "
                                             f"{type(exc).__name__}: {first_line(exc)}")
        except BaseException as exc:  # the worker itself broke (killed, out of memory...)
            if isinstance(exc, KeyboardInterrupt) or self.interrupted:
                res = Result.failed(report.name, "interrupted", interrupted=True)
            else:
                res = Result.failed(report.name, f"the {pool.kind} failed: "
                                                 f"{type(exc).__name__}: {first_line(exc)}")
        e["worker"], e["duration_s"] = res.worker, res.duration_s
        if res.interrupted:
            self.end(item, "interrupted", "interrupted", "interrupted", None)
            e["failed_ipynb"] = res.failed_ipynb or e.get("failed_ipynb")
            return
        if not res.ok:
            self.end(item, "failed", reason, res.error, res.duration_s)
            e["failed_ipynb"] = res.failed_ipynb
            return
        # Hashes taken before the run: a file edited during it makes the next run differ.
        good = {**inputs, "data": self.ctx.data.dependencies(res.reads)}
        name = report.name
        e["failed_ipynb"] = None
        e["good"] = {
            "inputs": good, "key": cache.key(good), "reads": res.reads,
            "parameters": report.parameters, "rendered_at": task.rendered_at,
            "html": f"{name}/{name}.html", "ipynb": f"{name}/{name}.ipynb",
            "figures": [f"{name}/{f}" for f in res.figures],
            "thumbnail": f"{name}/{res.thumbnail}" if res.thumbnail else None,
            "summary": res.summary, "truncated": res.truncated, "kernel": res.kernel,
            "profile": res.profile, "versions": {"sco-research": self.ctx.package_version,
                                                 "data": self.ctx.data_version, **self.ctx.env},
        }
        self.end(item, "rendered", reason, None, res.duration_s)
