"""Benchmark: ``sco-research render`` against the shell-loop baseline it replaces.

Targets (issue 5):
- the full default batch with ``--force`` and 2 workers takes at most 0.35x the wall time of the
  shell loop: for each report, one at a time, the papermill CLI and then
  ``jupyter nbconvert --to html --no-input`` (same reports, same parameters, same figures);
- a second run with nothing changed takes at most 0.05x the full batch.

All three are timed in this one run, each as fresh processes, as a user would type them. One
untimed render first warms the file cache, matplotlib's font cache, the data package's validation
stamps and the notebook-parameter cache, which the baseline then benefits from as well.

Run: ``.venv/bin/python benchmarks/render.py [--jobs 2] [NAME ...]`` (default: every report).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FULL_TARGET, NOCHANGE_TARGET = 0.35, 0.05


def _env() -> dict:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # both sides keep the inline backend, so pages embed figures
    return env


def _timed(cmd: list[str], retries: int = 0) -> float:
    """Wall time of ``cmd``; a failed attempt is retried (up to ``retries``) and not counted."""
    for attempt in range(retries + 1):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
        elapsed = time.perf_counter() - t
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
    for r in reports:
        params = dict(r.parameters)
        if "output_dir" in declared[r.notebook]:
            params["output_dir"] = str(work / f"{r.name}-figures")
        executed = work / f"{r.name}.ipynb"
        # A cell timeout: plain papermill can wait forever on a missed reply when a notebook
        # uses ipywidgets.Output (jupyter/nbclient#312); such an attempt is retried, not counted.
        total += _timed([str(BIN / "papermill"), str(r.notebook), str(executed),
                         "--cwd", str(ROOT), "--no-progress-bar", "--execution-timeout", "120",
                         "-y", json.dumps(params)], retries=2)
        total += _timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                         str(executed), "--output-dir", str(work)])
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="reports to time (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="render workers (default 2)")
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
        base = _baseline(reports, declared, work)
        print(f"baseline: papermill + nbconvert CLI, serial  {base:7.1f} s", flush=True)
        full = _render(out, names, args.jobs, force=True)
        print(f"render --force --jobs {args.jobs}                     {full:7.1f} s   "
              f"ratio {full / base:.3f} (target <= {FULL_TARGET})", flush=True)
        again = _render(out, names, args.jobs, force=False)
        print(f"render, nothing changed                     {again:7.2f} s   "
              f"ratio {again / full:.3f} (target <= {NOCHANGE_TARGET})", flush=True)
    ok = full / base <= FULL_TARGET and again / full <= NOCHANGE_TARGET
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
