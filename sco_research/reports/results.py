"""What a render did: one :class:`Outcome` per report, the :class:`BatchResult`, and progress.

Examples
--------
>>> import io
>>> stream = io.StringIO()
>>> p = Progress(1, stream, bar=False)
>>> p.finished(Outcome("alpha", "rendered", "never rendered", None, 1.0))
>>> stream.getvalue()
'render: [1/1] ok     alpha (1.0 s) - never rendered\\n'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._repr import display
from ..errors import RenderError

__all__ = ["BatchResult", "Outcome", "Progress"]


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
    """The result of :func:`sco_research.reports.batch.render`.

    Attributes
    ----------
    outcomes : list of Outcome
        One per selected report, in ``reports.yaml`` order.
    out : Path
        The output folder (``index.html``, ``manifest.json``).
    elapsed_s : float
        Wall time of the whole batch.
    interrupted : bool
        True when Ctrl-C stopped the run.
    """

    outcomes: list[Outcome]
    out: Path
    elapsed_s: float = 0.0
    interrupted: bool = False

    def _with(self, action: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == action]

    @property
    def rendered(self) -> list[Outcome]:
        """Reports executed successfully by this run."""
        return self._with("rendered")

    @property
    def skipped(self) -> list[Outcome]:
        """Reports skipped because their inputs were unchanged."""
        return self._with("skipped")

    @property
    def failed(self) -> list[Outcome]:
        """Reports that failed (their last good page, if any, is kept)."""
        return self._with("failed")

    @property
    def stopped(self) -> list[Outcome]:
        """Reports stopped, or never started, because the run was interrupted."""
        return self._with("interrupted")

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
            for o in self.stopped:
                lines.append(f"  INTERRUPTED {o.name}")
        for o in self.failed:
            head, *details = (o.error or "").splitlines() or [""]
            lines.append(f"  FAILED {o.name}: {head}")
            lines += [f"         {d.strip()}" for d in details]
            partial = self.out / o.name / f"{o.name}.failed.ipynb"
            good = self.out / o.name / f"{o.name}.html"
            notes = []
            if partial.exists():
                notes.append(f"partial notebook {display(partial)}")
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
    """A tqdm bar on a terminal; one plain line per finished report otherwise."""

    def __init__(self, total: int, stream: Any, bar: bool) -> None:
        self.total, self.stream, self.done, self.failed, self.count = total, stream, 0, 0, 0
        self.bar = None
        if bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="render", unit="report", file=stream,
                            dynamic_ncols=True, leave=True)

    def running(self, names: Sequence[str]) -> None:
        """Show which reports are running now (on the bar only)."""
        if self.bar is not None:
            shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
            self.bar.set_postfix_str(
                f"done {self.done} failed {self.failed}" + (f" | {shown}" if names else ""),
                refresh=True)

    def finished(self, outcome: Outcome) -> None:
        """One report finished (or failed, or was stopped)."""
        self.count += 1
        ok = outcome.action == "rendered"
        self.done += ok
        self.failed += not ok
        label = {"rendered": "ok", "interrupted": "STOPPED"}.get(outcome.action, "FAILED")
        error = (outcome.error or "").splitlines()
        line = (f"[{self.count}/{self.total}] {label:<6} {outcome.name} "
                f"({outcome.duration_s or 0:.1f} s)"
                + (f": {error[0]}" if error else f" - {outcome.reason}"))
        if self.bar is not None:
            if not ok:
                self.bar.write(f"render: {line}", file=self.stream)
            self.bar.update(1)
            self.running([])
        else:
            print(f"render: {line}", file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """A line of its own (above the bar)."""
        if self.bar is not None:
            self.bar.write(f"render: {text}", file=self.stream)
        else:
            print(f"render: {text}", file=self.stream, flush=True)

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.close()
