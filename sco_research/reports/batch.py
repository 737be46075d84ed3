"""The batch: check everything, decide what runs, run it on a pool, write index and manifest.

:func:`render` reads ``reports.yaml`` (:mod:`.config`), checks every parameter set before any
kernel starts (:mod:`.params`), skips the reports whose inputs are unchanged (:mod:`.cache`),
and hands the others to a :class:`~.pool.Pool` (the local one, or a Dask cluster's), at most one
per worker (:class:`Batch`), recording each result in ``manifest.json`` and ``index.html``
(:mod:`sco_research.pages`) under the folder's lock (:mod:`.layout`). Ctrl-C, SIGTERM and SIGHUP
stop it alike (:func:`signals_as_interrupts`): queued reports never start, running ones are
interrupted; it stops, writing nothing more, when its output folder is removed under it.

Examples
--------
>>> relative(paths.REPORTS_CONFIG, paths.REPORTS_CONFIG)
'reports.yaml'
>>> rows = plan(["membership-map"])                  # doctest: +SKIP
>>> result = render(["membership-map"], jobs=2)      # doctest: +SKIP
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as _dt
import math
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import pages, paths
from .._files import atomic_write
from .._repr import display, first_line, is_number
from ..errors import ParameterError, RenderError, SCOResearchError
from . import cache
from .config import Report, load_config, select_reports
from .datapackage import copy_data_package
from .layout import (
    EXPLORER_KEY,
    INDEX,
    LOCK,
    MANIFEST,
    MANIFEST_GOOD,
    check_out,
    lock,
    mark_out,
    recover_staging,
)
from .params import RESERVED_PARAMETERS, check_all
from .pool import STOP_GRACE, LocalPool, Pool
from .results import BatchResult, Outcome, Progress, Result, Task

__all__ = ["Batch", "check_arguments", "now", "plan", "relative", "render",
           "signals_as_interrupts", "signals_noted"]


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
def _handled(handler: Any, signals: list[int]) -> Any:
    """Meanwhile, ``handler`` handles ``signals`` (those this system has; main thread only)."""
    kinds = [sig for sig in signals if sig] if threading.current_thread() is \
        threading.main_thread() else []
    old = {sig: signal.signal(sig, handler) for sig in kinds}
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


def signals_as_interrupts() -> Any:
    """Meanwhile, SIGTERM and SIGHUP stop the batch as Ctrl-C does: running reports stop, the
    summary is printed and the manifest says ``interrupted`` (main thread only)."""
    return _handled(signal.default_int_handler,
                    [signal.SIGTERM, getattr(signal, "SIGHUP", None)])


@contextlib.contextmanager
def signals_noted() -> Any:
    """Meanwhile, the first Ctrl-C, SIGTERM or SIGHUP is noted in the list it yields instead of
    raised, so that the manifest and the index are written whole; a second one raises
    KeyboardInterrupt (the user insists). Main thread only; elsewhere nothing changes."""
    noted: list[int] = []

    def note(sig: int, frame: Any) -> None:
        noted.append(sig)
        if len(noted) > 1:
            raise KeyboardInterrupt

    with _handled(note, [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)]):
        yield noted


def _default_jobs() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)  # pragma: no cover - not Linux


def check_arguments(jobs: Any = None, timeout: Any = None) -> None:
    """Refuse a ``jobs`` that is not a positive whole number, or a ``timeout`` that is not a
    positive finite number of seconds (``nan``, ``inf`` and ``1e309`` included).

    Examples
    --------
    >>> check_arguments(2, 30.0)
    >>> check_arguments(None, float("nan"))
    Traceback (most recent call last):
    ...
    sco_research.errors.ParameterError: timeout: expected a positive, finite number of ...
    """
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ParameterError(f"jobs: expected a positive whole number of workers, got {jobs!r}")
    if timeout is not None and (not is_number(timeout) or not math.isfinite(timeout)
                                or timeout <= 0):
        raise ParameterError(f"timeout: expected a positive, finite number of seconds, got "
                             f"{timeout!r}")


def _missing_outputs(out: Path, good: dict) -> str | None:
    """The first file of a report's last good render that is gone (page, notebook, figures,
    thumbnail), or None when every one the manifest lists is on disk."""
    if not good.get("html"):
        return "no page recorded"
    files = [good.get("html"), good.get("ipynb"), *(good.get("figures") or []),
             good.get("thumbnail")]
    for rel in files:
        if isinstance(rel, str) and rel and not (out / rel).is_file():
            return rel
    return None


def _entry(report: Report, config: Path, prev: dict | None) -> dict:
    prev = prev or {}
    return {
        "name": report.name, "title": report.title, "group": report.group,
        "notebook": relative(report.notebook, config), "parameters": report.parameters,
        "status": prev.get("status", "never-rendered"), "action": "not-selected", "reason": "",
        "error": prev.get("error"), "duration_s": prev.get("duration_s"),
        "failed_ipynb": prev.get("failed_ipynb"), "good": prev.get("good"),
        "worker": prev.get("worker"),
    }


def _public_entry(e: dict) -> dict:
    good = e.get("good") or {}
    shown = good.get("parameters", e["parameters"]) if good else e["parameters"]
    return {
        **{k: e[k] for k in ("name", "title", "group", "notebook", "status", "action", "reason",
                             "error", "duration_s", "failed_ipynb")},
        # The parameters of the page shown; a failed attempt with others names them apart.
        "parameters": shown,
        "attempt_parameters": e["parameters"] if e["parameters"] != shown else None,
        "html": good.get("html"), "ipynb": good.get("ipynb"),
        "figures": good.get("figures", []), "thumbnail": good.get("thumbnail"),
        "summary": good.get("summary", ""), "rendered_at": good.get("rendered_at"),
        "versions": good.get("versions"), "truncated_outputs": good.get("truncated", 0),
        "key": good.get("key"), "reads": good.get("reads"), "worker": e.get("worker"),
        "kernel": good.get("kernel"), "profile": good.get("profile"), "good": good or None,
    }


class Batch:
    """One render: the reports (every one checked, before any kernel starts), the digests they
    share, the previous manifest; then, under the output folder's lock, their manifest entries
    and outcomes as the run goes.

    Raises ConfigError, or ParameterError for an output folder among the project or the
    reports' inputs (:func:`.layout.check_out`).
    """

    def __init__(self, config: Any, out: Any, data_dir: Any) -> None:
        from .. import __version__

        self.config = Path(config) if config is not None else paths.REPORTS_CONFIG
        self.out = Path(out) if out is not None else paths.REPORTS_DIR
        data_dir = Path(data_dir) if data_dir is not None else paths.DATA_DIR
        self.reports = load_config(self.config)
        roots = [paths.PROJECT_ROOT.resolve(), self.config.resolve().parent]
        folders = {r.notebook.resolve().parent for r in self.reports} - set(roots)
        check_out(self.out, project=roots, inputs={
            "data": [data_dir], "notebooks": [paths.NOTEBOOKS_DIR, *sorted(folders)]})
        self.data_dir = data_dir.resolve()
        self.library, self.env = cache.library_digest(), cache.environment()
        self.data = cache.DataFiles(self.data_dir)
        self.previous = cache.read_manifest(self.out)
        self.package_version = __version__
        self.data_version = cache.data_version(self.data_dir, self.data.hashes)
        stamps = cache.PreflightStamps(self.library, self.data.hashes)
        self.declared = check_all(self.reports, self.config, passed=stamps.passed)
        stamps.record(self.reports)
        self.out_id: tuple | None = None
        self.explorer_problem: str | None = None
        self.entries: dict[str, dict] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.started, self.interrupted = now(), False
        self.timeout: float | None = None
        self.workdir = self.config.resolve().parent

    # -- what runs --------------------------------------------------------------------------
    def decide(self, report: Report, force: bool) -> tuple[bool, str, dict]:
        """Whether ``report`` runs, why (or ``unchanged``), and its inputs now."""
        good = (self.previous.get(report.name) or {}).get("good") or {}
        old_inputs = good.get("inputs")
        data = self.data.dependencies(good.get("reads") if old_inputs else None)
        inputs = cache.inputs(report, self.declared[report.notebook], self.library, self.env,
                              data)
        if force:
            return True, "forced (--force)", inputs
        if not old_inputs:
            return True, "never rendered", inputs
        missing = _missing_outputs(self.out, good)
        if missing:
            return True, f"outputs missing: {missing}", inputs
        reason = cache.why(old_inputs, inputs)
        return reason != "unchanged", reason, inputs

    def _identity(self) -> tuple | None:
        try:
            a, b = os.stat(self.out), os.stat(self.out / LOCK)
        except OSError:
            return None
        return (a.st_dev, a.st_ino, b.st_ino)

    def out_intact(self) -> bool:
        """False once the output folder or its lock file was removed or replaced."""
        return self.out_id is None or self._identity() == self.out_id

    def start(self, selected: list[Report], force: bool, stream: Any, bar: bool) -> list:
        """(Under the lock.) Repair what an interrupted run left, read the manifest, record the
        skipped reports; return the others as ``(report, reason, inputs)``."""
        mark_out(self.out)
        self.out_id = self._identity()  # which folder (and lock file) this run holds
        restored = recover_staging(self.out)
        self.previous, notes = cache.load_manifest(self.out)
        moved = cache.move_aside(self.out)  # a folder where manifest.json goes: renamed
        if moved:
            notes.append(f"renamed the folder found at {MANIFEST} to {moved}")
        self.started = now()
        self.entries = {r.name: _entry(r, self.config, self.previous.get(r.name))
                        for r in self.reports}
        chosen = {r.name for r in selected}
        for r in self.reports:  # say whether the reports left out are still current
            e = self.entries[r.name]
            if r.name not in chosen and e["good"]:
                run, reason, _ = self.decide(r, False)
                if run and e["status"] == "ok":
                    e.update(status="outdated", reason=reason)
        todo = []
        for r in selected:
            run, reason, inputs = self.decide(r, force)
            if run:
                todo.append((r, reason, inputs))
                continue
            e = self.entries[r.name]
            e.update(status="ok", action="skipped", reason=reason, error=None,
                     parameters=(e["good"] or {}).get("parameters", e["parameters"]),
                     failed_ipynb=None)
            for stale in (f"{r.name}.failed.ipynb", f"{r.name}.failed.log"):  # current again
                with contextlib.suppress(OSError):
                    (self.out / r.name / stale).unlink()
            self.outcomes[r.name] = Outcome(r.name, "skipped", reason)
        self.prog = Progress(len(todo), stream, bar)
        for name in restored:
            self.prog.note(f"restored the folder of {name!r} left by an interrupted run")
        for note in notes:
            self.prog.note(f"warning: {note}")
        if selected and not todo:
            self.prog.note(f"all {len(selected)} selected report(s) unchanged; nothing to run "
                           f"(--force re-runs)")
        elif len(todo) < len(selected):
            self.prog.note(f"{len(selected) - len(todo)} unchanged report(s) skipped; running "
                           f"{len(todo)}")
        return todo

    # -- the pool at work -------------------------------------------------------------------
    def task(self, report: Report) -> Task:
        declared = self.declared[report.notebook]
        return Task(
            name=report.name, title=report.title, notebook=str(report.notebook),
            notebook_rel=relative(report.notebook, self.config), parameters=report.parameters,
            declared=[(n, s.get("default", "")) for n, s in declared.items()
                      if n not in RESERVED_PARAMETERS],
            inject_output_dir="output_dir" in declared,
            timeout=float(self.timeout if self.timeout is not None else report.timeout),
            out=str(self.out.resolve()), data_dir=str(self.data_dir),
            cwd=str(self.workdir.resolve()), rendered_at=now(),
            package_version=self.package_version, data_version=self.data_version)

    def run(self, todo: list, pool: Pool) -> None:
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
        except Exception as exc:  # the run itself failed (say, the manifest cannot be written):
            pool.kill()  # stop the workers now rather than wait for their reports
            for item in running.values():
                with contextlib.suppress(Exception):
                    self.end(item, "interrupted", f"stopped: the render failed "
                                                  f"({type(exc).__name__})", "interrupted")
            running.clear()
            raise
        finally:
            try:
                with signals_noted() as noted:
                    pool.close()
            except KeyboardInterrupt:  # asked twice while the workers wind down: stop them now
                noted = [signal.SIGINT]
                pool.kill()
                pool.close()
            if noted:
                self.interrupted = True

    def check_out(self, pool: Pool, running: dict) -> None:
        """Stop the run when the output folder was removed or replaced while it ran."""
        if self.out_intact():
            return
        self.prog.note("the output folder was removed or replaced during the run: stopping")
        pool.kill()
        for item in running.values():
            self.end(item, "interrupted", "stopped: the output folder was removed during the run",
                     "interrupted")
        running.clear()
        raise RenderError(f"out: the output folder {display(self.out)!r} was removed or "
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
        came_back = False
        try:
            got = fut.result()
            came_back = True
            res = pool.finish(got, task)
        except OSError as exc:  # the report's files could not be written here
            res = Result.failed(report.name, f"writing the report's files failed: "
                                             f"{type(exc).__name__}: {first_line(exc)}")
        except RenderError as exc:  # a cluster's report came back with files refused here,
            res = Result.failed(report.name, f"its files were refused: {first_line(exc)}"
                                if came_back else  # or its worker refused to run it
                                f"the {pool.kind} failed: {first_line(exc)}")
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
        good = {**inputs, "data": self.data.dependencies(res.reads)}
        name = report.name
        e["failed_ipynb"] = None
        e["good"] = {
            "inputs": good, "key": cache.key(good), "reads": res.reads,
            "parameters": report.parameters, "rendered_at": task.rendered_at,
            "html": f"{name}/{name}.html", "ipynb": f"{name}/{name}.ipynb",
            "figures": [f"{name}/{f}" for f in res.figures],
            "thumbnail": f"{name}/{res.thumbnail}" if res.thumbnail else None,
            "summary": res.summary, "truncated": res.truncated, "kernel": res.kernel,
            "profile": res.profile, "versions": {"sco-research": self.package_version,
                                                 "data": self.data_version, **self.env},
        }
        self.end(item, "rendered", reason, None, res.duration_s)

    # -- the manifest and the index ------------------------------------------------------------
    def write(self) -> None:
        """Write ``manifest.json`` (and its good copy) and ``index.html`` as they are now."""
        import json

        doc = {
            "version": cache.MANIFEST_VERSION, "generated_at": now(),
            "run_started_at": self.started, "config": display(self.config),
            "package_version": self.package_version, "data_version": self.data_version,
            "reports": [_public_entry(self.entries[r.name]) for r in self.reports],
            **copy_data_package(self.out, self.data_dir),  # the index links data and sources
            **self.explorer(),
        }
        text = json.dumps(doc, indent=1, default=repr) + "\n"
        atomic_write(self.out / MANIFEST, text)
        atomic_write(self.out / MANIFEST_GOOD, text)  # the copy a damaged manifest falls back on
        atomic_write(self.out / INDEX, pages.index_page(doc))

    def explorer(self) -> dict:
        """The membership explorer page beside the index; rebuilt when the computing library,
        the data or the day change (it offers every day up to today), else left as it is."""
        from .._published import EXPLORER_FILE

        stamp = self.out / EXPLORER_KEY
        key = f"{self.library}:{self.data_version}:{_dt.date.today().isoformat()}\n"
        try:
            current = stamp.read_text(encoding="utf-8")
        except OSError:
            current = ""
        if current != key or not (self.out / EXPLORER_FILE).is_file():
            if self.explorer_problem is None:  # not tried in this batch yet
                try:
                    from .. import explorer  # imports pandas and Bokeh: only when rebuilding

                    explorer.write_explorer(self.out)
                except SCOResearchError as exc:  # e.g. a data package without membership
                    self.explorer_problem = str(exc).splitlines()[0]
            if self.explorer_problem:  # in the manifest; the index shows no explorer link
                return {"explorer": None, "explorer_problem": self.explorer_problem}
            atomic_write(stamp, key)
        return {"explorer": EXPLORER_FILE}


def plan(names: Iterable[str] = (), *, config: str | Path | None = None,
         out: str | Path | None = None, force: bool = False,
         data_dir: str | Path | None = None) -> list[dict]:
    """What :func:`render` would do, without running anything: one dict per selected report
    (``name``, ``title``, ``notebook``, ``run`` and ``reason``: why it would run, or
    ``"unchanged"``). Raises what :func:`render` raises before it runs anything."""
    batch = Batch(config, out, data_dir)
    rows = []
    for r in select_reports(batch.reports, names):
        run, reason, _ = batch.decide(r, force)
        rows.append({"name": r.name, "title": r.title, "notebook": display(r.notebook),
                     "run": run, "reason": reason})
    return rows


def render(names: Iterable[str] = (), *, config: str | Path | None = None,
           out: str | Path | None = None, jobs: int | None = None, force: bool = False,
           timeout: float | None = None, data_dir: str | Path | None = None,
           progress: bool | None = None, stream: Any = None, workdir: str | Path | None = None,
           scheduler: str | None = None) -> BatchResult:
    """Render the reports of ``reports.yaml`` into ``out``.

    Parameters
    ----------
    names : iterable of str
        Reports to render: names, entry names (a whole grid) or shell-style patterns. Default:
        all. The index and manifest still list every report.
    config, out, data_dir : str or Path, optional
        The reports file (default: ``reports.yaml`` at the project root), the output folder
        (``reports/`` there) and the data folder the notebooks read (``SCO_RESEARCH_DATA``;
        :data:`sco_research.paths.DATA_DIR`).
    jobs : int, optional
        Worker processes (default: the number of cores); with ``scheduler``, the most reports
        handed to the cluster at once (default: its worker threads).
    force : bool
        Re-render even the reports whose inputs are unchanged.
    timeout : float, optional
        Seconds each report may run; overrides ``reports.yaml``.
    progress, stream : bool, file, optional
        A progress bar (default: when ``stream`` is a terminal) or plain lines, on ``stream``
        (default: ``sys.stderr``).
    workdir : str or Path, optional
        The folder kernels start in (default: the config file's; on a cluster, a temporary one).
    scheduler : str, optional
        A Dask scheduler (``tcp://HOST:PORT`` or a scheduler file): run the reports there
        (:mod:`sco_research.reports.cluster`) instead of the local pool.

    Returns
    -------
    BatchResult
        What happened to each report; a failed report does not raise (see
        :meth:`BatchResult.raise_for_failures`).

    Raises
    ------
    ConfigError
        A malformed ``reports.yaml`` or a parameter its notebook refuses; before any kernel.
    ParameterError
        Unknown report names, or a bad ``jobs``/``timeout``/``workdir``.
    RenderError
        Another render is writing to ``out``; the scheduler cannot be reached, has no worker,
        or a worker has another version of the package.
    """
    t0 = time.perf_counter()
    check_arguments(jobs, timeout)
    config = Path(config) if config is not None else paths.REPORTS_CONFIG
    workdir = Path(workdir) if workdir is not None else config.resolve().parent
    if not workdir.is_dir():
        raise ParameterError(f"workdir: {str(workdir)!r} is not a folder; give an existing folder")
    stream = stream if stream is not None else sys.stderr
    if progress is None:
        progress = bool(getattr(stream, "isatty", lambda: False)())
    batch = Batch(config, out, data_dir)
    batch.timeout, batch.workdir, out = timeout, workdir, batch.out
    selected = select_reports(batch.reports, names)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"out: cannot create the output folder {str(out)!r}: {exc}") from None
    cluster = None
    if scheduler is not None:  # refuse a bad address or a mismatched worker before anything
        from .cluster import ClusterPool

        cluster = ClusterPool(scheduler, batch.data_dir, jobs)
    unwritable: OSError | None = None
    with contextlib.closing(cluster) if cluster else contextlib.nullcontext(), lock(out):
        todo = batch.start(selected, force, stream, progress)
        try:
            with signals_as_interrupts():
                if todo:
                    workers = min(jobs or _default_jobs(), len(todo))
                    batch.run(todo, cluster or LocalPool(workers, batch.data_dir))
        except OSError as exc:
            if exc.filename is None:  # not a file of the output folder: not ours to explain
                raise
            unwritable = exc  # writing the manifest or the index failed
        finally:
            with signals_noted() as noted:  # the record is written whole
                batch.prog.close()
                if batch.out_intact():  # never re-create a folder removed during the run
                    try:
                        batch.write()
                    except OSError as exc:  # never hides an error already on its way
                        unwritable = unwritable or exc
                    try:
                        recover_staging(out)  # what a killed worker left half-built
                    except OSError as exc:
                        unwritable = unwritable or exc
            batch.interrupted = batch.interrupted or bool(noted)
    if unwritable is not None:
        where = Path(unwritable.filename) if unwritable.filename is not None else out
        raise RenderError(
            f"out: cannot write {display(where)!r} ({type(unwritable).__name__}: "
            f"{unwritable.strerror or first_line(unwritable)}); the render stopped; the reports "
            f"published before it stay, but manifest.json and index.html may not list them; "
            f"make {display(out)!r} writable (or free space) and run again") from None
    return BatchResult([batch.outcomes[r.name] for r in selected if r.name in batch.outcomes],
                       out, time.perf_counter() - t0, batch.interrupted)
