"""The batch: check everything, decide what runs, run it in a pool, write index and manifest.

:func:`render` reads ``reports.yaml`` (:mod:`.config`), checks every parameter set before any
kernel starts (:mod:`.params`), skips the reports whose inputs are unchanged (:mod:`.cache`),
runs the others in a pool of worker processes (:mod:`.execute`), and writes ``index.html``
(:mod:`.pages`) and ``manifest.json`` under the output folder's lock (:mod:`.layout`).

Examples
--------
>>> rows = plan(["membership-map"])                  # doctest: +SKIP
>>> result = render(["membership-map"], jobs=2)      # doctest: +SKIP
>>> print(result.summary())                          # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import paths
from .._files import atomic_write
from .._repr import display, is_number
from ..errors import ParameterError, RenderError, SCOResearchError
from . import cache, pages
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
from .params import check_all
from .pool import LocalPool
from .results import BatchResult, Outcome, Progress
from .runner import Run, now, relative, signals_as_interrupts

__all__ = ["check_arguments", "plan", "render"]

def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class _Context:
    """Digests shared by every report of one batch, and the previous manifest."""

    def __init__(self, out: Path, data_dir: Path) -> None:
        from .. import __version__

        self.out = out
        self.data_dir = data_dir.resolve()
        self.library = cache.library_digest()
        self.env = cache.environment()
        self.data = cache.DataFiles(self.data_dir)
        self.previous = cache.read_manifest(out)
        self.package_version = __version__
        self.data_version = cache.data_version(self.data_dir, self.data.hashes)
        self.stamps = cache.PreflightStamps(self.library, self.data.hashes)
        self.out_id: tuple | None = None

    def _identity(self) -> tuple | None:
        try:
            a, b = os.stat(self.out), os.stat(self.out / LOCK)
        except OSError:
            return None
        return (a.st_dev, a.st_ino, b.st_ino)

    def pin_out(self) -> None:
        """Remember which folder (and lock file) this run holds."""
        self.out_id = self._identity()

    def out_intact(self) -> bool:
        """False once the output folder or its lock file was removed or replaced."""
        return self.out_id is None or self._identity() == self.out_id

    def decide(self, report: Report, declared: dict, force: bool) -> tuple[bool, str, dict]:
        prev = self.previous.get(report.name)
        good = (prev or {}).get("good") or {}
        old_inputs = good.get("inputs")
        data = self.data.dependencies(good.get("reads") if old_inputs else None)
        inputs = cache.inputs(report, declared, self.library, self.env, data)
        if force:
            return True, "forced (--force)", inputs
        if not old_inputs:
            return True, "never rendered", inputs
        missing = _missing_outputs(self.out, good)
        if missing:
            return True, f"outputs missing: {missing}", inputs
        reason = cache.why(old_inputs, inputs)
        return reason != "unchanged", reason, inputs


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


def _check(reports: list[Report], config: Path, ctx: _Context) -> dict[Path, dict]:
    declared = check_all(reports, config, passed=ctx.stamps.passed)
    ctx.stamps.record(reports)
    return declared


def _check_out(out: Path, config: Path, data_dir: Path, reports: list[Report]) -> None:
    """Refuse an output folder among the project or the reports' inputs (:func:`check_out`)."""
    roots = [paths.PROJECT_ROOT.resolve(), config.resolve().parent]
    folders = {r.notebook.resolve().parent for r in reports} - set(roots)
    check_out(out, project=roots, inputs={"data": [data_dir],
                                          "notebooks": [paths.NOTEBOOKS_DIR, *sorted(folders)]})


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


def plan(names: Iterable[str] = (), *, config: str | Path | None = None,
         out: str | Path | None = None, force: bool = False,
         data_dir: str | Path | None = None) -> list[dict]:
    """What :func:`render` would do, without running anything.

    Returns
    -------
    list of dict
        One per selected report: ``name``, ``title``, ``notebook``, ``run`` (bool) and
        ``reason`` (why it would run, or ``"unchanged"``).

    Raises
    ------
    ConfigError
        As :func:`render`: a malformed file or a parameter its notebook refuses.
    """
    config = Path(config) if config is not None else paths.REPORTS_CONFIG
    out = Path(out) if out is not None else paths.REPORTS_DIR
    data_dir = Path(data_dir) if data_dir is not None else paths.DATA_DIR
    reports = load_config(config)
    _check_out(out, config, data_dir, reports)  # what render would refuse, --list refuses
    ctx = _Context(out, data_dir)
    declared = _check(reports, config, ctx)
    rows = []
    for r in select_reports(reports, names):
        run, reason, _ = ctx.decide(r, declared[r.notebook], force)
        rows.append({"name": r.name, "title": r.title, "notebook": display(r.notebook),
                     "run": run, "reason": reason})
    return rows


# -- manifest entries --------------------------------------------------------------------------
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


def _write_outputs(ctx: _Context, entries: list[dict], config: Path, started: str) -> None:
    doc = {
        "version": cache.MANIFEST_VERSION, "generated_at": now(), "run_started_at": started,
        "config": display(config), "package_version": ctx.package_version,
        "data_version": ctx.data_version, "reports": [_public_entry(e) for e in entries],
        **copy_data_package(ctx.out, ctx.data_dir),  # the index links the data and sources
        **_explorer(ctx),
    }
    import json

    text = json.dumps(doc, indent=1, default=repr) + "\n"
    atomic_write(ctx.out / MANIFEST, text)
    atomic_write(ctx.out / MANIFEST_GOOD, text)  # the copy a damaged manifest falls back on
    atomic_write(ctx.out / INDEX, pages.index_page(doc))


def _explorer(ctx: _Context) -> dict:
    """The membership explorer page beside the index; rebuilt when the computing library, the
    data or the day change (it offers every day up to today), otherwise left as it is."""

    from .._published import EXPLORER_FILE

    page = ctx.out / EXPLORER_FILE
    stamp = ctx.out / EXPLORER_KEY
    key = f"{ctx.library}:{ctx.data_version}:{_dt.date.today().isoformat()}\n"
    try:
        current = stamp.read_text(encoding="utf-8")
    except OSError:
        current = ""
    if current != key or not page.is_file():
        problem = getattr(ctx, "explorer_problem", None)
        if problem is None:  # not tried in this batch yet
            try:
                from .. import explorer  # imports pandas and Bokeh: only when rebuilding

                explorer.write_explorer(ctx.out)
            except SCOResearchError as exc:  # e.g. a data package without a membership table
                problem = ctx.explorer_problem = str(exc).splitlines()[0]
        if problem:  # recorded in the manifest; the index then shows no explorer link
            return {"explorer": None, "explorer_problem": problem}
        atomic_write(stamp, key)
    return {"explorer": EXPLORER_FILE}


def _clear_failure(out: Path, e: dict) -> None:
    """A report is current again: remove its older failure's partial notebook and log."""
    for stale in (f"{e['name']}.failed.ipynb", f"{e['name']}.failed.log"):
        with contextlib.suppress(OSError):
            (out / e["name"] / stale).unlink()
    e["failed_ipynb"] = None


# -- the batch ---------------------------------------------------------------------------------
def render(
    names: Iterable[str] = (),
    *,
    config: str | Path | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    timeout: float | None = None,
    data_dir: str | Path | None = None,
    progress: bool | None = None,
    stream: Any = None,
    workdir: str | Path | None = None,
    scheduler: str | None = None,
) -> BatchResult:
    """Render the reports of ``reports.yaml`` into ``out``.

    Parameters
    ----------
    names : iterable of str
        Reports to render: names, entry names (a whole grid) or shell-style patterns. Default:
        all. The index and manifest still list every report.
    config : str or Path, optional
        The reports file. Default: ``reports.yaml`` at the project root.
    out : str or Path, optional
        Output folder. Default: ``reports/`` at the project root.
    jobs : int, optional
        Worker processes. Default: the number of cores. With ``scheduler``: the most reports
        handed to the cluster at once (default: its worker threads).
    force : bool
        Re-render even the reports whose inputs are unchanged.
    timeout : float, optional
        Seconds each report may run; overrides ``reports.yaml``.
    data_dir : str or Path, optional
        The data folder the notebooks read (exported to them as ``SCO_RESEARCH_DATA``).
        Default: :data:`sco_research.paths.DATA_DIR`.
    progress : bool, optional
        Show a progress bar (True) or plain log lines (False). Default: a bar when ``stream``
        is a terminal.
    stream : file, optional
        Where progress goes. Default: ``sys.stderr``.
    workdir : str or Path, optional
        The folder kernels start in. Default: the config file's folder. (On a cluster, each
        report starts in a temporary folder of its worker.)
    scheduler : str, optional
        A Dask scheduler (``tcp://HOST:PORT`` or a scheduler file): run each report as a task
        on that cluster (:mod:`sco_research.reports.cluster`) instead of the local pool.

    Returns
    -------
    BatchResult
        What happened to each report. A failed report does not raise: check
        :attr:`BatchResult.ok` or call :meth:`BatchResult.raise_for_failures`.

    Raises
    ------
    ConfigError
        ``reports.yaml`` is malformed or a parameter set does not fit its notebook; raised
        before any kernel starts.
    ParameterError
        Unknown report names, or a bad ``jobs``/``timeout``.
    RenderError
        Another render is writing to ``out``; the scheduler cannot be reached, has no worker,
        or a worker has another version of the package.
    """
    t0 = time.perf_counter()
    check_arguments(jobs, timeout)
    config = Path(config) if config is not None else paths.REPORTS_CONFIG
    out = Path(out) if out is not None else paths.REPORTS_DIR
    data_dir = Path(data_dir) if data_dir is not None else paths.DATA_DIR
    workdir = Path(workdir) if workdir is not None else config.resolve().parent
    if not workdir.is_dir():
        raise ParameterError(f"workdir: {str(workdir)!r} is not a folder; give an existing folder")
    stream = stream if stream is not None else sys.stderr
    if progress is None:
        progress = bool(getattr(stream, "isatty", lambda: False)())

    reports = load_config(config)
    _check_out(out, config, data_dir, reports)
    ctx = _Context(out, data_dir)
    declared = _check(reports, config, ctx)
    selected = select_reports(reports, names)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"out: cannot create the output folder {str(out)!r}: {exc}") from None

    cluster = None
    if scheduler is not None:  # refuse a bad address or a mismatched worker before anything
        from .cluster import ClusterPool

        cluster = ClusterPool(scheduler, ctx.data_dir, jobs)
    with contextlib.closing(cluster) if cluster else contextlib.nullcontext(), lock(out):
        mark_out(out)
        ctx.pin_out()
        restored = recover_staging(out)
        ctx.previous, notes = cache.load_manifest(out)
        moved = cache.move_aside(out)  # a folder where manifest.json goes: renamed, not deleted
        if moved:
            notes.append(f"renamed the folder found at {MANIFEST} to {moved}")
        started = now()
        entries = {r.name: _entry(r, config, ctx.previous.get(r.name)) for r in reports}
        chosen = {r.name for r in selected}
        for r in reports:  # say whether the reports left out are still current
            if r.name not in chosen and entries[r.name]["good"]:
                run, reason, _ = ctx.decide(r, declared[r.notebook], False)
                if run and entries[r.name]["status"] == "ok":
                    entries[r.name].update(status="outdated", reason=reason)
        outcomes: dict[str, Outcome] = {}
        todo: list[tuple[Report, str, dict]] = []
        for r in selected:
            run, reason, inputs = ctx.decide(r, declared[r.notebook], force)
            if run:
                todo.append((r, reason, inputs))
            else:
                e = entries[r.name]
                e.update(status="ok", action="skipped", reason=reason, error=None,
                         parameters=(e["good"] or {}).get("parameters", e["parameters"]))
                _clear_failure(out, e)
                outcomes[r.name] = Outcome(r.name, "skipped", reason)
        prog = Progress(len(todo), stream, progress)
        for name in restored:
            prog.note(f"restored the folder of {name!r} left by an interrupted run")
        for note in notes:
            prog.note(f"warning: {note}")
        if selected and not todo:
            prog.note(f"all {len(selected)} selected report(s) unchanged; nothing to run "
                      f"(--force re-runs)")
        elif len(todo) < len(selected):
            prog.note(f"{len(selected) - len(todo)} unchanged report(s) skipped; running "
                      f"{len(todo)}")
        run = Run(ctx, declared, entries, outcomes, prog, config, started, timeout, workdir,
                  write=lambda: _write_outputs(ctx, list(entries.values()), config, started))
        try:
            with signals_as_interrupts():
                if todo:
                    run.pool(todo, cluster or LocalPool(min(jobs or _default_jobs(), len(todo)),
                                                       ctx.data_dir))
        finally:
            prog.close()
            if ctx.out_intact():  # never re-create a folder removed during the run
                _write_outputs(ctx, [entries[r.name] for r in reports], config, started)
                recover_staging(out)  # what a killed worker left half-built
    return BatchResult([outcomes[r.name] for r in selected if r.name in outcomes], out,
                       time.perf_counter() - t0, run.interrupted)
