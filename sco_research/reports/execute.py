"""Running one report: the papermill engine, the worker processes, and one report's execution.

Each worker process imports papermill once (:func:`worker_init`), starts its warm-kernel server
(:mod:`sco_research.reports.warm`), dies with its parent (a parent-death signal on Linux, and a
watchdog thread everywhere), and runs reports with :func:`render_one`: :func:`run_report`
executes the notebook into a staging folder, caps its outputs and builds its page
(:mod:`sco_research.pages`); :func:`land` swaps the folder in whole. A worker writes into
the output folder only while its parent, which holds the folder's lock, is alive. A cluster worker
(:mod:`sco_research.reports.cluster`) runs only :func:`run_report` and sends the folder back.

Examples
--------
>>> register_engine() == ENGINE_NAME
True
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._files import atomic_write
from .._repr import first_line, strip_ansi
from ..errors import RenderError
from . import outputs, timings, warm
from .cache import reads
from .layout import mark_report, owned_report_folder, staging, swap_in

__all__ = ["ENGINE_NAME", "KERNEL_START_TIMEOUT", "describe_failure", "land", "register_engine",
           "render_one", "run_report", "worker_init"]

#: The papermill engine the workers register (see :func:`register_engine`).
ENGINE_NAME = "sco-research"
#: Seconds a kernel may take to start before the report is marked failed.
KERNEL_START_TIMEOUT = 60
#: Lines of an error's message kept after its first line (e.g. a DataError's table, row, field).
DETAIL_LINES = 8

_WORKER: dict[str, Any] = {}


def register_engine() -> str:
    """Register with papermill the renderer's engine: nbclient's, whose client does not act as a
    widget frontend, and which passes on what its kernel manager says.

    To fill an ``ipywidgets.Output``, nbclient sends comm messages on the shell channel while
    another coroutine waits there for the cell's reply, which is now and then missed: the cell
    never ends (jupyter/nbclient#312). Without it, a widget's display stays cell output, which
    the page shows. Kernels come from :mod:`sco_research.reports.warm`, told what the notebook
    imports, and stop as soon as the last cell has answered (papermill's ``kernel_manager_class``
    and ``shutdown_kernel``, set as defaults). The engine argument ``env`` is the kernel's
    environment; ``record`` (a dict) receives the ``notebook`` being run and the kernel
    ``manager`` (whose ``launch`` says ``"warm"`` or ``"cold: <why>"``).

    Returns
    -------
    str
        The engine's name, :data:`ENGINE_NAME`, for ``papermill.execute_notebook(engine_name=)``.
    """
    import logging

    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    from .imports import notebook_imports

    class ReportClient(PapermillNotebookClient):
        def __init__(self, nb_man: Any, record: dict, **kwargs: Any) -> None:
            super().__init__(nb_man, **kwargs)
            self.comm_open_handlers = {}  # no Output-widget frontend emulation
            self.record = record

        def create_kernel_manager(self) -> Any:
            manager = self.record["manager"] = super().create_kernel_manager()
            if hasattr(manager, "preload"):  # the warm one: what to import before forking
                manager.preload = notebook_imports(self.nb.cells)
            return manager

    class ReportEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     start_timeout=60, execution_timeout=None, record=None,
                                     env=None, **kwargs):
            kwargs.pop("input_path", None)
            kwargs.setdefault("kernel_manager_class", warm.manager_class())
            kwargs.setdefault("shutdown_kernel", "immediate")
            record = {} if record is None else record
            record["notebook"] = nb_man.nb
            return ReportClient(
                nb_man, record, kernel_name=kernel_name, log=logging.getLogger("papermill"),
                log_output=log_output, startup_timeout=start_timeout, timeout=execution_timeout,
                **kwargs).execute(**({"env": env} if env else {}))

    papermill_engines.register(ENGINE_NAME, ReportEngine)
    return ENGINE_NAME


# -- dying with the parent -----------------------------------------------------------------------
def _kill_children() -> None:
    """Kill this process's children (the kernels) and their process groups, at once."""
    try:
        import psutil

        children = psutil.Process().children(recursive=True)
    except Exception:  # pragma: no cover - psutil is a dependency of ipykernel
        children = []
    for child in children:
        with contextlib.suppress(Exception):
            os.killpg(child.pid, signal.SIGKILL)  # a kernel leads its own session
        with contextlib.suppress(Exception):
            child.kill()


def _orphaned() -> bool:
    parent = _WORKER.get("parent")
    return parent is not None and os.getppid() != parent


def _die_if_orphaned(*_: Any) -> None:
    """The render that started this worker is gone: stop its kernels and exit, writing nothing."""
    if _orphaned():
        _kill_children()
        os._exit(70)


def _on_sigterm(*_: Any) -> None:
    """SIGTERM (the parent-death signal, or a pool shutting down): stop the kernels, exit."""
    _kill_children()
    os._exit(70 if _orphaned() else 143)


def _watch_parent(interval: float = 0.2) -> None:
    while True:
        time.sleep(interval)
        _die_if_orphaned()


def parent_alive() -> bool:
    """True while the render that started this worker (and holds the lock) is alive."""
    return not _orphaned()


def _on_parent_death(parent: int) -> None:
    _WORKER["parent"] = parent
    signal.signal(signal.SIGTERM, _on_sigterm)
    warm.die_with_parent(signal.SIGTERM)
    _die_if_orphaned()  # the parent may have died before prctl
    threading.Thread(target=_watch_parent, name="parent-watchdog", daemon=True).start()


def worker_init(pids: Any = None, stop: Any = None, parent: int | None = None,
                data_dir: str | None = None) -> None:
    """Prepare a worker process: die with the parent, start the warm-kernel server, import
    papermill once.

    Parameters
    ----------
    pids : multiprocessing queue, optional
        Receives this worker's process id, so that the parent can pass an interrupt on to it.
    stop : multiprocessing Event, optional
        Set by the parent on Ctrl-C: a report not yet started returns at once.
    parent : int, optional
        The parent's process id; when it changes (the parent died) the worker exits.
    data_dir : str, optional
        The data folder the reports read: the warm-kernel server for it starts now, while this
        worker imports papermill (see :mod:`sco_research.reports.warm`).
    """
    import logging
    import warnings

    # An idle worker ignores SIGINT (the parent decides what happens on Ctrl-C); a busy one
    # turns it into KeyboardInterrupt, which stops its report cleanly (see run_report).
    if threading.current_thread() is threading.main_thread():  # signals: main thread only
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        _on_parent_death(parent)
    _WORKER["stop"] = stop
    _WORKER["pids"] = pids
    if pids is not None:
        pids.put(os.getpid())
    if data_dir is not None:
        warm.prestart({**os.environ, "SCO_RESEARCH_DATA": data_dir})

    # jsonschema (imported by nbformat) builds an IRI grammar with lark when the optional
    # rfc3987_syntax is installed: ~1 s per process, for "iri" format checks that nbformat's
    # schemas never use. Workers only run nbformat/papermill, so skip that import.
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    import papermill

    from .. import pages

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    for name in ("papermill", "traitlets", "nbconvert"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # nbclient leaves a task behind when a report is interrupted; its "never retrieved" message
    # only repeats the failure the report already records.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    register_engine()
    _WORKER["papermill"] = papermill
    _WORKER["pages"] = pages


# -- one report ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _fds_to(path: Path) -> Iterator[None]:
    """Send this process's stdout/stderr (and so the kernel's) to ``path`` meanwhile."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def _details(text: Any) -> list[str]:
    """The lines after an error's first line (a DataError's table, row, field, value, rule)."""
    lines = [ln.strip() for ln in strip_ansi(text).strip().splitlines()[1:] if ln.strip()]
    if len(lines) > DETAIL_LINES:
        lines = [*lines[:DETAIL_LINES], f"... ({len(lines) - DETAIL_LINES} more line(s))"]
    return [ln if len(ln) <= 300 else ln[:299] + "…" for ln in lines]


def describe_failure(exc: BaseException, timeout: float) -> str:
    """One line saying why a report failed, followed by the error's detail lines, if any.

    Examples
    --------
    >>> describe_failure(TimeoutError(), 5).split(";")[0]
    'timed out: still running after its 5 s budget'
    """
    kind = type(exc).__name__
    if kind == "PapermillExecutionError":
        count = getattr(exc, "exec_count", None)
        cell = f"cell [{count}]" if count else f"cell #{getattr(exc, 'cell_index', '?')}"
        head = f"{cell} raised {exc.ename}: {first_line(exc.evalue)}"
        return "\n".join([head, *(f"  {ln}" for ln in _details(exc.evalue))])
    if isinstance(exc, TimeoutError) or kind == "CellTimeoutError":
        return (f"timed out: still running after its {timeout:g} s budget; raise `timeout:` for "
                f"this report in reports.yaml or pass --timeout")
    if kind == "DeadKernelError":
        return f"the kernel died ({first_line(exc)}); see the .failed.log file"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, RuntimeError) and "Kernel didn't respond" in str(exc):
        return f"the kernel did not start: {first_line(exc)}"
    return f"{kind}: {first_line(exc)}"


def _page_report(task: dict) -> dict:
    """The ``report`` record :func:`pages.report_page` takes."""
    rows = []
    for name, default in task["declared"]:
        if name in task["parameters"]:
            rows.append({"name": name, "value": task["parameters"][name],
                         "origin": "set by the report"})
        else:  # the value, not its source text, so that the page can put it in words
            try:
                value = ast.literal_eval(default)
            except (ValueError, SyntaxError):
                value = default
            rows.append({"name": name, "value": value, "origin": "notebook default"})
    return {"name": task["name"], "title": task["title"], "notebook": task["notebook_rel"],
            "parameters": rows, "rendered_at": task["rendered_at"],
            "package_version": task["package_version"], "data_version": task["data_version"]}


def _stopped() -> bool:
    stop = _WORKER.get("stop")
    return bool(stop is not None and stop.is_set())


def render_one(task: dict) -> dict:
    """Execute one report in this worker; publish its folder; return what happened.

    ``task`` is the dict :func:`sco_research.reports.batch` builds (name, title, notebook,
    parameters, declared defaults, timeout, out, data_dir, cwd, rendered_at, versions). The
    report is built in the output folder's staging area by :func:`run_report` and published by
    :func:`land`, both on this machine (the local pool shares the output folder).
    """
    if _stopped():  # Ctrl-C came before this report started: do not start it
        return {"name": task["name"], "ok": False, "error": "interrupted", "interrupted": True,
                "failed_ipynb": None, "duration_s": 0.0}
    pids = _WORKER.get("pids")
    if pids is not None:  # the parent learns which worker holds which report
        pids.put((os.getpid(), task["name"]))
    out = Path(task["out"])
    stage_root = staging(out)
    if not out.is_dir():  # removed during the run: never re-create it here
        return {"name": task["name"], "ok": False, "interrupted": False, "failed_ipynb": None,
                "duration_s": 0.0, "error": f"the output folder {str(out)!r} is gone"}
    stage_root.mkdir(exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f"{task['name']}~new~", dir=stage_root))
    try:
        result = run_report(task, stage)
        if parent_alive():
            t = time.perf_counter()
            land(stage, out, result)
            timings.add_write(result, time.perf_counter() - t)
        else:
            result.update(ok=False, error="the render that started this report is gone")
    finally:
        if parent_alive():
            import shutil

            shutil.rmtree(stage, ignore_errors=True)
    return result


def land(stage: Path, out: Path, result: dict) -> None:
    """Publish a report built in ``stage`` into ``out``: a good run replaces the report's folder
    whole; a failed run's partial notebook and kernel log go beside the last good page.

    Only the process holding the output folder's lock calls this (a local worker while its
    parent holds it, or the render itself with what a cluster worker sent back).
    """
    name = result["name"]
    final = Path(out) / name
    try:
        owned_report_folder(final)  # never replace, or write into, a folder it did not make
    except RenderError as exc:
        result.update(ok=False, error=f"not published: {exc}")
        return
    if result["ok"]:
        for tmp in (".reads", ".kernel.log", ".timings"):
            with contextlib.suppress(OSError):
                (stage / tmp).unlink()
        os.chmod(stage, 0o777 & ~os.umask(os.umask(0o022)))  # mkdtemp makes 0700
        mark_report(stage)
        swap_in(stage, final, staging(out))
    else:
        _keep_failure(final, stage / f"{name}.ipynb", stage / ".kernel.log", result)


def run_report(task: dict, stage: Path) -> dict:
    """Execute one report into the empty folder ``stage``: the executed notebook, its page and
    figures (and, when it fails, the partial notebook and the kernel's log). Nothing else is
    written; publishing is :func:`land`'s job.

    ``task["notebook"]``, ``task["data_dir"]`` and ``task["cwd"]`` are paths on this machine.
    The result says ``ok``, ``error``, ``interrupted``, the data files read, the figures, the
    thumbnail, the page summary, the duration and where the time went (``timings``).
    """
    if "papermill" not in _WORKER:
        worker_init()
    pm, pages = _WORKER["papermill"], _WORKER["pages"]
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:  # an interrupt now stops this report: kernel shut down, partial kept
        signal.signal(signal.SIGINT, signal.default_int_handler)
    t0 = time.perf_counter()
    result: dict[str, Any] = {"name": task["name"], "ok": False, "error": None, "reads": None,
                              "figures": [], "thumbnail": None, "failed_ipynb": None,
                              "interrupted": False, "summary": "", "truncated": 0,
                              "timings": {}}
    name = task["name"]
    nb_path = stage / f"{name}.ipynb"
    (stage / "figures").mkdir()
    params = dict(task["parameters"])
    if task["inject_output_dir"]:
        params["output_dir"] = str(stage / "figures")
    reads_log, kernel_log = stage / ".reads", stage / ".kernel.log"
    steps_log = stage / ".timings"
    # The data loader appends each file it loads; a report that loads nothing reads nothing.
    reads_log.write_text("#trace\n", encoding="utf-8")
    timeout = task["timeout"]
    started: list[float] = []

    def budget(cell: Any) -> float:
        # The report's time budget runs from its first cell (kernel start-up has its own limit).
        started or started.append(time.monotonic())
        return max(0.5, started[0] + timeout - time.monotonic())

    nb, record = None, {}  # record: the notebook being run, its kernel manager
    warm_died = None  # why a warm kernel was replaced by a cold one, if it was
    try:
        try:
            for attempt in (1, 2):
                # MPLBACKEND (e.g. Agg from `make test` or a headless shell) would stop
                # ipykernel from using its inline backend, and the pages would lose figures.
                env = {**os.environ, "SCO_RESEARCH_DATA": task["data_dir"],
                       "SCO_RESEARCH_READ_LOG": str(reads_log),
                       "SCO_RESEARCH_TIMINGS": str(steps_log)}
                env.pop("MPLBACKEND", None)
                if warm_died:
                    env[warm.WARM_ENV] = "0"
                try:
                    with _fds_to(kernel_log):
                        # papermill writes the notebook once, at the end (and, when a cell
                        # fails, before it raises), not as each cell starts and ends.
                        nb = pm.execute_notebook(
                            task["notebook"], str(nb_path), parameters=params,
                            engine_name=ENGINE_NAME, cwd=task["cwd"], progress_bar=False,
                            log_output=False, start_timeout=KERNEL_START_TIMEOUT,
                            timeout_func=budget, request_save_on_cell_execute=False,
                            record=record, env=env)
                    break
                except RuntimeError as exc:
                    # A kernel forked warm that dies before it answers is started again the
                    # ordinary way, once: the report never fails for the warm start's sake.
                    if attempt == 2 or _launch(record) != "warm" or not started_dead(exc):
                        raise
                    warm_died = first_line(exc)
                    started.clear()
                    record.clear()
                    reads_log.write_text("#trace\n", encoding="utf-8")
        except BaseException as exc:  # the report fails; the batch goes on
            result["error"] = describe_failure(exc, timeout)
            # After Ctrl-C a kernel still starting fails with other errors: still an interrupt.
            result["interrupted"] = isinstance(exc, KeyboardInterrupt) or _stopped()
            if result["interrupted"]:
                result["error"] = "interrupted"
            if not nb_path.exists() and record.get("notebook") is not None:  # the partial run
                atomic_write(nb_path, json.dumps(record["notebook"], ensure_ascii=False,
                                                 indent=1) + "\n")
        result["timings"]["execute"] = round(time.perf_counter() - t0, 3)
        result["kernel"] = _launch(record)
        if warm_died:
            result["kernel"] = f"cold: the warm kernel died at start ({warm_died})"
        if result["error"] is None:
            try:
                t1 = time.perf_counter()
                result["truncated"] = outputs.cap_outputs(nb, task.get("output_cap"))
                if result["truncated"]:
                    atomic_write(nb_path, json.dumps(nb, ensure_ascii=False, indent=1) + "\n")
                result["reads"] = reads(reads_log, Path(task["data_dir"]))
                result["figures"], result["thumbnail"] = outputs.collect_figures(stage, nb)
                result["summary"] = pages.report_summary(nb)
                atomic_write(stage / f"{name}.html",
                             pages.report_page(nb, report=_page_report(task)))
                result["timings"]["page"] = round(time.perf_counter() - t1, 3)
                result["ok"] = True
                result["profile"] = timings.breakdown(nb, _steps(steps_log),
                                                      result["timings"])
            except Exception as exc:
                result["error"] = (f"the notebook ran, but writing its page or figures "
                                   f"failed: {type(exc).__name__}: {first_line(exc)}")
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        _publishable(nb_path, stage, task)
    result["duration_s"] = round(time.perf_counter() - t0, 3)
    return result


def _launch(record: dict) -> str:
    """How the run's kernel started: ``"warm"`` or ``"cold: <why>"``."""
    return getattr(record.get("manager"), "launch", None) or "cold: not the warm kernel manager"


def started_dead(exc: BaseException) -> bool:
    """Whether papermill's error says the kernel died before it answered its first request.

    Examples
    --------
    >>> started_dead(RuntimeError("Kernel died before replying to kernel_info"))
    True
    >>> started_dead(RuntimeError("Kernel didn't respond in 60 seconds"))
    False
    """
    return "died before replying to kernel_info" in str(exc)


def _publishable(nb_path: Path, stage: Path, task: dict) -> None:
    """The executed (or partial) notebook with paths relative to its report folder, not this
    machine's: papermill's ``input_path`` and ``output_path``, the injected ``output_dir``."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if nb_path.is_file():
            outputs.relative_paths(nb_path, {
                str(stage / "figures"): "figures", str(nb_path): nb_path.name,
                str(stage): ".", task["notebook"]: task["notebook_rel"], task["cwd"]: "."})


def _steps(log: Path) -> dict[str, float]:
    """The steps the kernel timed (see :mod:`sco_research._timing`); the file is removed."""
    from .._timing import summarize

    try:
        lines = log.read_text(encoding="utf-8").splitlines()
        log.unlink()
    except OSError:
        return {}
    return summarize(lines)


def _keep_failure(final: Path, nb_path: Path, kernel_log: Path, result: dict) -> None:
    """Keep a failed run's partial notebook and kernel log beside the last good page."""
    name = final.name
    if not final.exists():
        final.mkdir()  # the output folder must still be there: never re-created here
        mark_report(final)
    for stale in (f"{name}.failed.log", f"{name}.failed.ipynb"):  # an older failure's
        with contextlib.suppress(OSError):
            (final / stale).unlink()
    if nb_path.exists():
        os.replace(nb_path, final / f"{name}.failed.ipynb")
        result["failed_ipynb"] = f"{name}/{name}.failed.ipynb"
    log = kernel_log.read_text(encoding="utf-8", errors="replace") if kernel_log.exists() else ""
    log = "\n".join(ln for ln in log.splitlines() if "without encryption" not in ln)
    if log.strip():
        atomic_write(final / f"{name}.failed.log", log + "\n")
