"""Benchmark: ``sco-research render`` against the shell-loop baseline it replaces.

Targets (issue 5):
- the full default batch with ``--force`` and 2 workers takes at most 0.35x the wall time of the
  shell loop: for each report, one at a time, the papermill CLI and then
  ``jupyter nbconvert --to html --no-input`` (same reports, same parameters, same figures);
- a second run with nothing changed takes at most 0.05x the full batch.

All three are timed in this one run, each as fresh processes, as a user would type them. One
untimed render first warms the file cache, matplotlib's font cache, the data package's validation
stamps and the notebook-parameter cache, which the baseline then benefits from as well. With
``--repeat N`` the baseline and the full batch alternate N times and the medians are compared
(the machine may be shared; the spread is printed).

Run: ``.venv/bin/python benchmarks/render.py [--jobs 2] [--repeat N] [NAME ...]``
(default: every report, once).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FULL_TARGET, NOCHANGE_TARGET = 0.35, 0.05
#: Baseline cell timeout. Every cell of these notebooks takes well under it; a cell reaching it
#: is plain papermill missing the cell's reply (jupyter/nbclient#312, notebooks with an
#: ipywidgets.Output): it finds the reply only when the timeout wakes it up.
CELL_TIMEOUT = 60
STALLS: list[str] = []


def _env() -> dict:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # both sides keep the inline backend, so pages embed figures
    return env


def _stalled(executed: Path) -> bool:
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    durations = [(c.get("metadata", {}).get("papermill", {}).get("duration") or 0)
                 for c in nb.get("cells", [])]
    return max(durations, default=0) >= CELL_TIMEOUT - 1


def _timed(cmd: list[str], retries: int = 0, executed: Path | None = None) -> float:
    """Wall time of ``cmd``; a failed or stalled attempt is retried (``retries``), not counted."""
    for attempt in range(retries + 1):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        if proc.returncode == 0 and executed is not None and _stalled(executed):
            STALLS.append(f"{executed.stem} ({elapsed:.0f} s)")
            print(f"  {executed.stem}: papermill stalled on a cell until its {CELL_TIMEOUT} s "
                  f"timeout (nbclient#312); run again, this attempt not counted", flush=True)
            continue
        if proc.returncode == 0:
            return elapsed
        tail = (proc.stdout[-1500:] + proc.stderr[-1500:]).strip().splitlines()[-3:]
        print(f"  attempt {attempt + 1} failed ({proc.returncode}): {' '.join(cmd[:3])}...: "
              + " | ".join(tail), flush=True)
    sys.exit("benchmark: giving up; fix the failing command above")


def _render(out: Path, names: list[str], jobs: int, force: bool) -> float:
    cmd = [str(BIN / "sco-research"), "render", *names, "--jobs", str(jobs), "--out", str(out)]
    return _timed(cmd + (["--force"] if force else []))


def _baseline(reports, declared, work: Path) -> float:
    """The shell loop: papermill, then nbconvert, per report, one at a time."""
    total = 0.0
    parts = []
    for r in reports:
        params = dict(r.parameters)
        if "output_dir" in declared[r.notebook]:
            params["output_dir"] = str(work / f"{r.name}-figures")
        executed = work / f"{r.name}.ipynb"
        pm = _timed([str(BIN / "papermill"), str(r.notebook), str(executed),
                     "--cwd", str(ROOT), "--no-progress-bar", "--execution-timeout",
                     str(CELL_TIMEOUT), "-y", json.dumps(params)], retries=4, executed=executed)
        nc = _timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                     str(executed), "--output-dir", str(work)])
        parts.append(f"{r.name} {pm:.1f}+{nc:.1f}")
        total += pm + nc
    print("  baseline per report (papermill+nbconvert, s): " + ", ".join(parts), flush=True)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="reports to time (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="render workers (default 2)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="alternate baseline and full batch N times; compare medians")
    args = parser.parse_args()

    from sco_research import render

    reports = render.select_reports(render.load_config(), args.names)
    declared = {r.notebook: render.notebook_parameters(r.notebook) for r in reports}
    names = [r.name for r in reports]
    with tempfile.TemporaryDirectory(prefix="sco-bench-") as tmp:
        out, work = Path(tmp) / "reports", Path(tmp) / "baseline"
        work.mkdir()
        print(f"{len(reports)} report(s): {', '.join(names)}", flush=True)
        warm = _render(out, names, args.jobs, force=True)
        print(f"warm-up render (untimed)                    {warm:7.1f} s", flush=True)
        bases, fulls = [], []
        for _ in range(max(1, args.repeat)):
            bases.append(_baseline(reports, declared, work))
            print(f"baseline: papermill + nbconvert CLI, serial  {bases[-1]:7.1f} s", flush=True)
            fulls.append(_render(out, names, args.jobs, force=True))
            print(f"render --force --jobs {args.jobs}                     {fulls[-1]:7.1f} s",
                  flush=True)
        base, full = statistics.median(bases), statistics.median(fulls)
        spread = (f" (medians of {len(bases)}; baseline {min(bases):.1f}-{max(bases):.1f} s, "
                  f"render {min(fulls):.1f}-{max(fulls):.1f} s)" if len(bases) > 1 else "")
        print(f"full batch: {full:.1f} s vs baseline {base:.1f} s: ratio {full / base:.3f} "
              f"(target <= {FULL_TARGET}){spread}", flush=True)
        again = _render(out, names, args.jobs, force=False)
        print(f"render, nothing changed                     {again:7.2f} s   "
              f"ratio {again / full:.3f} (target <= {NOCHANGE_TARGET})", flush=True)
    if STALLS:
        print(f"baseline: {len(STALLS)} stalled papermill run(s) re-run and not counted: "
              + ", ".join(STALLS))
    ok = full / base <= FULL_TARGET and again / full <= NOCHANGE_TARGET
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
