"""The records of a render: the :class:`Task` sent to a worker, the :class:`Result` it sends back
(the same two on the local pool and on a Dask cluster; both pickle), one :class:`Outcome` per
report, the :class:`BatchResult`, and the :class:`Progress` lines.

Examples
--------
>>> import io, pickle
>>> r = Result.failed("alpha", "boom")
>>> pickle.loads(pickle.dumps(r)) == r, r.ok
(True, False)
>>> stream = io.StringIO()
>>> Progress(1, stream, bar=False).finished(Outcome("alpha", "rendered", "never rendered"))
>>> stream.getvalue()
'render: [1/1] ok     alpha (0.0 s) - never rendered\\n'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._repr import display
from ..errors import RenderError

__all__ = ["BatchResult", "Outcome", "Progress", "Result", "Task"]


@dataclasses.dataclass(frozen=True)
class Task:
    """One report as a worker gets it: what to run, with what, and where (paths of the machine
    that built it; a cluster worker replaces ``notebook``, ``data_dir`` and ``cwd`` by its own).

    ``declared`` lists the notebook's parameters (but ``output_dir``) with their default's source
    text; ``output_cap`` is the most characters kept of one output (``None``: the default).
    """

    name: str
    title: str
    notebook: str
    notebook_rel: str
    parameters: dict
    declared: list
    inject_output_dir: bool
    timeout: float
    out: str
    data_dir: str
    cwd: str
    rendered_at: str
    package_version: str
    data_version: str
    output_cap: int | None = None

    def as_dict(self) -> dict:
        """The task as :func:`sco_research.reports.execute.run_report` takes it."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Result:
    """What a worker sends back for one report (:func:`~sco_research.reports.execute.run_report`'s
    keys, plus the Dask ``worker``'s address and, from a cluster, its folder's ``files`` as a
    gzipped tar: :func:`~sco_research.reports.cluster.pack_data`)."""

    name: str
    ok: bool = False
    error: str | None = None
    interrupted: bool = False
    failed_ipynb: str | None = None
    duration_s: float | None = None
    reads: list | None = None
    figures: list = dataclasses.field(default_factory=list)
    thumbnail: str | None = None
    summary: str = ""
    truncated: int = 0
    timings: dict = dataclasses.field(default_factory=dict)
    kernel: str | None = None
    profile: dict | None = None
    worker: str | None = None
    files: bytes = b""

    @classmethod
    def from_dict(cls, result: dict) -> Result:
        """The record of a result dict; an unknown key raises ``TypeError`` (never dropped)."""
        return cls(**result)

    @classmethod
    def failed(cls, name: str, error: str, interrupted: bool = False) -> Result:
        """A report that failed (or was stopped) without a result of its own."""
        return cls(name, error=error, interrupted=interrupted)

    def as_dict(self) -> dict:
        """The result without its files, as :func:`~.execute.land` takes it."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name != "files"}


@dataclasses.dataclass
class Outcome:
    """What one render did to one report (also a row of ``manifest.json``).

    ``action`` is ``rendered``, ``skipped``, ``failed``, ``interrupted`` (stopped or never
    started because of Ctrl-C) or ``not-selected``. ``error`` may span several lines: the first
    says what failed, the others give the details (e.g. a DataError's table, row and field).
    """

    name: str
    action: str
    reason: str = ""
    error: str | None = None
    duration_s: float | None = None


@dataclasses.dataclass
class BatchResult:
    """The result of :func:`sco_research.reports.batch.render`: ``outcomes`` (one per selected
    report, in ``reports.yaml`` order), the ``out`` folder, the batch's wall time ``elapsed_s``,
    and ``interrupted`` (Ctrl-C stopped the run)."""

    outcomes: list[Outcome]
    out: Path
    elapsed_s: float = 0.0
    interrupted: bool = False

    def _with(self, action: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == action]

    rendered = property(lambda self: self._with("rendered"), doc="Reports run successfully.")
    skipped = property(lambda self: self._with("skipped"), doc="Reports left unchanged.")
    failed = property(lambda self: self._with("failed"), doc="Reports that failed.")
    stopped = property(lambda self: self._with("interrupted"), doc="Reports interrupted.")

    @property
    def ok(self) -> bool:
        """True when no report failed and the run was not interrupted."""
        return not self.failed and not self.interrupted

    def summary(self) -> str:
        """A few lines: counts, the index's path, and each failure with its details."""
        lines = [
            f"render: {len(self.rendered)} rendered, {len(self.skipped)} unchanged (skipped), "
            f"{len(self.failed)} failed, of {len(self.outcomes)} report(s) in "
            f"{self.elapsed_s:.1f} s; index: {display(self.out / 'index.html')}"
        ]
        if self.interrupted:
            lines.append(f"render: interrupted; {len(self.stopped)} report(s) stopped or not "
                         f"started keep their previous output")
            lines += [f"  INTERRUPTED {o.name}" for o in self.stopped]
        for o in self.failed:
            head, *details = (o.error or "").splitlines() or [""]
            lines.append(f"  FAILED {o.name}: {head}")
            lines += [f"         {d.strip()}" for d in details]
            partial = self.out / o.name / f"{o.name}.failed.ipynb"
            good = self.out / o.name / f"{o.name}.html"
            notes = [f"partial notebook {display(partial)}"] if partial.exists() else []
            notes.append(f"last good HTML kept: {display(good)}" if good.exists()
                         else "no earlier good HTML")
            lines.append("         " + "; ".join(notes))
        return "\n".join(lines)

    def raise_for_failures(self) -> None:
        """Raise :class:`RenderError` naming the failed reports, if any failed."""
        if not self.ok:
            names = ", ".join(o.name for o in self.failed) or "none"
            raise RenderError(f"{len(self.failed)} report(s) failed: {names}\n{self.summary()}")


class Progress:
    """A tqdm bar on a terminal (``bar``); one plain line per finished report otherwise.

    A stream whose reader went away (``| head``, a closed terminal) is written no more: showing
    progress never stops a render.
    """

    def __init__(self, total: int, stream: Any, bar: bool) -> None:
        from tqdm import tqdm

        self.total, self.stream, self.done, self.failed = total, stream, 0, 0
        self.gone = False
        try:
            self.bar = tqdm(total=total, desc="render", unit="report", file=stream,
                            dynamic_ncols=True, disable=not (bar and total))
        except OSError:
            self.gone = True
            self.bar = tqdm(total=total, file=stream, disable=True)

    def _show(self, action: Callable[[], Any]) -> None:
        if self.gone:
            return
        try:
            action()
        except OSError:  # the reader went away: nothing more is shown
            self.gone = True
            self.bar.disable = True

    def running(self, names: Sequence[str]) -> None:
        """Show which reports are running now (on the bar only)."""
        shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        self._show(lambda: self.bar.set_postfix_str(
            f"done {self.done} failed {self.failed}" + (f" | {shown}" if names else "")))

    def finished(self, outcome: Outcome) -> None:
        """One report finished (or failed, or was stopped)."""
        ok = outcome.action == "rendered"
        self.done += ok
        self.failed += not ok
        label = {"rendered": "ok", "interrupted": "STOPPED"}.get(outcome.action, "FAILED")
        error = (outcome.error or "").splitlines()
        if self.bar.disable or not ok:
            self.note(f"[{self.done + self.failed}/{self.total}] {label:<6} {outcome.name} "
                      f"({outcome.duration_s or 0:.1f} s)"
                      + (f": {error[0]}" if error else f" - {outcome.reason}"))
        self._show(lambda: self.bar.update(1))
        self.running([])

    def note(self, text: str) -> None:
        """A line of its own (above the bar)."""
        def write() -> None:
            self.bar.write(f"render: {text}", file=self.stream)
            self.stream.flush()

        self._show(write)

    def close(self) -> None:
        """Remove the bar."""
        self._show(self.bar.close)
