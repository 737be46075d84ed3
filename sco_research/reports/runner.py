"""One batch's pool at work: hand out at most one report per worker, record what comes back,
and deal with faults.

:class:`Run` is what :func:`sco_research.reports.batch.render` drives once it knows which
reports must run. It stops on Ctrl-C, SIGTERM and SIGHUP alike (:func:`signals_as_interrupts`):
queued reports never start and running ones are interrupted. On a local pool
(:class:`~sco_research.reports.pool.LocalPool`) a worker that dies is replaced and its reports
run once more; one far past its report's budget is killed; and the run stops, writing nothing
more, when its output folder is removed under it.

Examples
--------
>>> relative(__import__("sco_research").paths.REPORTS_CONFIG,
...          __import__("sco_research").paths.REPORTS_CONFIG)
'reports.yaml'
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import signal
from collections import deque
from pathlib import Path
from typing import Any

from .. import paths
from .._repr import display, first_line
from ..errors import RenderError
from . import cache
from .config import Report
from .params import RESERVED_PARAMETERS
from .results import Outcome

__all__ = ["STOP_GRACE", "Run", "now", "relative", "signals_as_interrupts"]

#: The most seconds a running report may take to stop after Ctrl-C before its worker is killed.
STOP_GRACE = 20.0


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
    import threading

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


def _never(*_: Any) -> bool:
    return False


class Run:
    """One batch's pool: submits at most one report per worker, records what comes back."""

    def __init__(self, ctx, declared, entries, outcomes, prog, config, started, timeout,
                 workdir, write) -> None:
        self.ctx, self.declared, self.entries, self.outcomes = ctx, declared, entries, outcomes
        self.prog, self.config, self.started = prog, config, started
        self.timeout, self.workdir = timeout, workdir
        self.interrupted = False
        self.write = write  # writes the manifest and the index as they are now
        self.retried: set[str] = set()  # reports run again after their worker died
        self.killed: dict[str, float] = {}  # reports whose worker was killed: their budget

    def task(self, report: Report) -> dict:
        declared = self.declared[report.notebook]
        return {
            "name": report.name, "title": report.title, "notebook": str(report.notebook),
            "notebook_rel": relative(report.notebook, self.config),
            "parameters": report.parameters,
            "declared": [(n, s.get("default", "")) for n, s in declared.items()
                         if n not in RESERVED_PARAMETERS],
            "inject_output_dir": "output_dir" in declared,
            "timeout": float(self.timeout if self.timeout is not None else report.timeout),
            "out": str(self.ctx.out.resolve()), "data_dir": str(self.ctx.data_dir),
            "cwd": str(self.workdir.resolve()), "rendered_at": now(),
            "package_version": self.ctx.package_version,
            "data_version": self.ctx.data_version,
        }

    def pool(self, todo: list, executor: Any) -> None:
        """Run ``todo`` on ``executor`` (:class:`~sco_research.reports.pool.LocalPool` or a
        cluster's :class:`~sco_research.reports.cluster.ClusterPool`), recording each result as
        it comes. A local worker that dies is replaced and its reports run once more; one that
        overruns its budget by far is killed."""
        import concurrent.futures as cf

        # Longest first (by last duration; never-rendered first), so the workers finish together.
        queue = deque(sorted(todo, key=lambda t: -(self.entries[t[0].name].get("duration_s")
                                                     or 1e9)))
        self.executor = executor
        running: dict = {}
        try:
            try:
                while queue or running:
                    # Only as many reports are handed out as there are workers: the others stay
                    # here, so Ctrl-C cancels them at once.
                    while queue and len(running) < executor.slots:
                        item = queue.popleft()
                        task = self.task(item[0])
                        running[executor.submit(task)] = (*item, task)
                    executor.poll()
                    self.prog.running([running[f][0].name for f in running])
                    done, _ = cf.wait(running, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                    self.check_out(executor, running)
                    lost = []
                    for fut in done:
                        item = running.pop(fut)
                        if getattr(executor, "lost", _never)(fut):
                            lost.append(item)
                        else:
                            getattr(executor, "done", _never)(item[0].name)
                            self.record(fut, item)
                    if lost:
                        self.replace(executor, running, lost, queue)
                    self.kill_overdue(executor, running)
                    if done:
                        self.write()
            except KeyboardInterrupt:
                self.interrupted = True
                for item in queue:  # never started
                    self.stopped(item, "interrupted before it started")
                queue.clear()
                self.prog.note("interrupted: stopping the running reports…")
                executor.interrupt()
                done, late = cf.wait(running, timeout=STOP_GRACE)
                for fut in done:
                    self.record(fut, running.pop(fut))
                for fut in late:
                    self.stopped(running.pop(fut), "interrupted; its worker did not stop in time")
                if late:
                    executor.kill()
        except KeyboardInterrupt:  # a second Ctrl-C: stop the workers now
            self.interrupted = True
            executor.kill()
            for fut, item in list(running.items()):
                self.stopped(item, "interrupted")
                running.pop(fut)
        finally:
            executor.close()

    def check_out(self, executor: Any, running: dict) -> None:
        """Stop the run when the output folder was removed or replaced while it ran."""
        if self.ctx.out_intact():
            return
        self.prog.note("the output folder was removed or replaced during the run: stopping")
        executor.kill()
        for fut, item in list(running.items()):
            running.pop(fut)
            self.stopped(item, "stopped: the output folder was removed during the run")
        raise RenderError(f"out: the output folder {display(self.ctx.out)!r} was removed or "
                          f"replaced during the run; the render stopped and wrote nothing more "
                          f"there; run it again")

    def kill_overdue(self, executor: Any, running: dict) -> None:
        """Kill the worker of a report far past its budget (stopped, or wedged)."""
        overdue = getattr(executor, "overdue", None)
        if overdue is None:
            return
        budgets = {item[0].name: item[3]["timeout"] for item in running.values()}
        for name in overdue(budgets):
            self.killed[name] = budgets[name]
            self.prog.note(f"{name}: its worker has not answered long past the report's "
                           f"{budgets[name]:g} s budget; killing it")
            executor.kill_report(name)

    def replace(self, executor: Any, running: dict, lost: list, queue: deque) -> None:
        """A worker died: the executor is broken. Start a new one; run each report it held
        once more, except one killed for overrunning its budget or lost a second time."""
        import concurrent.futures as cf

        cf.wait(running, timeout=STOP_GRACE)  # the broken executor fails them all
        for fut, item in list(running.items()):
            running.pop(fut)
            if fut.done() and not executor.lost(fut):
                self.record(fut, item)
            else:
                lost.append(item)
        executor.replace()
        for item in lost:
            name = item[0].name
            if name in self.killed:
                self.fail(item, f"timed out: its worker stopped answering long past its "
                                f"{self.killed[name]:g} s budget and was killed; raise "
                                f"`timeout:` for this report in reports.yaml or pass --timeout")
            elif name in self.retried:
                self.fail(item, "its worker process died again (killed from outside, or out "
                                "of memory?); not retried a second time")
            else:
                self.retried.add(name)
                queue.appendleft(item[:3])
                self.prog.note(f"{name}: its worker process died (killed from outside, or out "
                               f"of memory?); running it once more in a new worker")

    def fail(self, item: tuple, error: str) -> None:
        report, reason = item[0], item[1]
        self.entries[report.name].update(status="failed", action="failed", reason=reason,
                                         error=error)
        outcome = Outcome(report.name, "failed", reason, error, None)
        self.outcomes[report.name] = outcome
        self.prog.finished(outcome)

    def stopped(self, item: tuple, reason: str) -> None:
        report = item[0]
        self.entries[report.name].update(status="interrupted", action="interrupted",
                                         reason=reason, error="interrupted")
        outcome = Outcome(report.name, "interrupted", reason, "interrupted", None)
        self.outcomes[report.name] = outcome
        self.prog.finished(outcome)

    def record(self, fut: Any, item: tuple) -> None:
        report, reason, inputs, task = item
        e = self.entries[report.name]
        try:
            res = self.executor.finish(fut.result(), task)
        except OSError as exc:  # a cluster's report came back, but could not be written here
            res = {"ok": False, "error": f"writing the report's files failed: "
                                         f"{type(exc).__name__}: {first_line(exc)}"}
        except BaseException as exc:  # the worker itself broke (killed, out of memory...)
            if isinstance(exc, KeyboardInterrupt) or self.interrupted:
                res = {"ok": False, "interrupted": True, "error": "interrupted"}
            else:
                res = {"ok": False, "error": f"the {self.executor.kind} failed: "
                                             f"{type(exc).__name__}: {first_line(exc)}"}
        e["worker"] = res.get("worker")
        if res.get("interrupted"):
            self.stopped(item, "interrupted")
            e["failed_ipynb"] = res.get("failed_ipynb") or e.get("failed_ipynb")
            e["duration_s"] = res.get("duration_s")
            return
        e["duration_s"] = res.get("duration_s")
        if res["ok"]:
            # Hashes taken before the run: a file edited during it makes the next run differ.
            good_inputs = {**inputs, "data": self.ctx.data.dependencies(res.get("reads"))}
            e.update(status="ok", action="rendered", reason=reason, error=None,
                     failed_ipynb=None)
            e["good"] = {
                "inputs": good_inputs, "key": cache.key(good_inputs), "reads": res.get("reads"),
                "parameters": report.parameters, "rendered_at": task["rendered_at"],
                "html": f"{report.name}/{report.name}.html",
                "ipynb": f"{report.name}/{report.name}.ipynb",
                "figures": [f"{report.name}/{f}" for f in res.get("figures", [])],
                "thumbnail": f"{report.name}/{res['thumbnail']}" if res.get("thumbnail")
                else None,
                "summary": res.get("summary", ""), "truncated": res.get("truncated", 0),
                "kernel": res.get("kernel"), "profile": res.get("profile"),
                "versions": {"sco-research": self.ctx.package_version,
                             "data": self.ctx.data_version, **self.ctx.env},
            }
            outcome = Outcome(report.name, "rendered", reason, None, res.get("duration_s"))
        else:
            e.update(status="failed", action="failed", reason=reason, error=res["error"],
                     failed_ipynb=res.get("failed_ipynb"))
            outcome = Outcome(report.name, "failed", reason, res["error"], res.get("duration_s"))
        self.outcomes[report.name] = outcome
        self.prog.finished(outcome)
