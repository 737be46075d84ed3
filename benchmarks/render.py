"""Benchmark: ``sco-research render`` against the baselines it replaces, and where its time goes.

Suites (all by default; ``--only`` picks some), each timed in this one run as fresh processes,
as a user would type the commands, on the same machine:

``charts``   notebooks 01, 03, 04, 05 with their defaults: ``render --force --jobs 2`` against
             the shell loop it replaces (for each report, one at a time, the papermill CLI, then
             ``jupyter nbconvert --to html --no-input``). Target: at most 0.25x.
``grid``     a grid of 48 membership maps (notebook 02, one a month, 2021-2024) on 2 local
             workers. Target: at most 0.8 s of wall time per report. Also printed: the ratio to
             the work itself, the same 48 maps drawn and saved in one warm process (the map's
             PNG and SVG, and the whole notebook's work: map, tables, explorer link). Like the
             grid in reports.yaml, each map links to the shared explorer page (explorer: false).
``cluster``  the same grid on a local Dask cluster (``dask scheduler`` and two ``dask worker``
             processes of one thread each, on loopback) with ``--scheduler``. Target: at most
             1.25x the local pool's wall time.
``batch``    the default batch (every report of reports.yaml) with ``--force``, then again
             with nothing changed. Target: the second run at most 0.02x the first.

One untimed render first warms the file cache, matplotlib's font cache, the data package's
validation stamps and the notebook-parameter cache, which the baselines then benefit from too.
With ``--repeat N`` the timed pairs alternate N times and medians are compared.

``--profile`` prints, after each render, where each report's time went (kernel start, imports,
data load, drawing, image encoding, HTML export, writing, the rest), as the renderer recorded it
in the manifest (:mod:`sco_research.reports.timings`).

Run: ``.venv/bin/python benchmarks/render.py [--only charts,grid] [--profile] [--repeat N]``
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHARTS = ["article-facts-a1", "membership-timeline", "trade", "currency"]
CHART_TARGET, GRID_TARGET_S, CLUSTER_TARGET, NOCHANGE_TARGET = 0.25, 0.8, 1.25, 0.02
GRID_DATES = [dt.date(y, m, 15).isoformat() for y in range(2021, 2025) for m in range(1, 13)]
#: Baseline cell timeout. Every cell of these notebooks takes well under it; a cell reaching it
#: is plain papermill missing the cell's reply (jupyter/nbclient#312): it finds the reply only
#: when the timeout wakes it up. Such a run is repeated, not counted.
CELL_TIMEOUT = 60
RESULTS: list[tuple[str, float, float, str]] = []


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
            print(f"  {executed.stem}: papermill stalled on a cell until its {CELL_TIMEOUT} s "
                  f"timeout (nbclient#312); run again, this attempt not counted", flush=True)
            continue
        if proc.returncode == 0:
            return elapsed
        tail = (proc.stdout[-1500:] + proc.stderr[-1500:]).strip().splitlines()[-3:]
        print(f"  attempt {attempt + 1} failed ({proc.returncode}): {' '.join(cmd[:3])}...: "
              + " | ".join(tail), flush=True)
    sys.exit("benchmark: giving up; fix the failing command above")


def _render(out: Path, names: list[str], *, jobs: int = 2, force: bool = True,
            config: Path | None = None, scheduler: str | None = None,
            profile: bool = False) -> float:
    cmd = [str(BIN / "sco-research"), "render", *names, "--jobs", str(jobs), "--out", str(out)]
    cmd += ["--force"] if force else []
    cmd += ["--config", str(config)] if config else []
    cmd += ["--scheduler", scheduler] if scheduler else []
    elapsed = _timed(cmd)
    if profile:
        _print_profile(out, names)
    return elapsed


def _print_profile(out: Path, names: list[str]) -> None:
    from sco_research.reports import timings

    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rows = [e for e in doc["reports"] if e.get("action") == "rendered" and e.get("profile")]
    if not rows:
        return
    cols = [*timings.COLUMNS, "total"]
    width = max(len(e["name"]) for e in rows)
    print(f"  {'report (s)':<{width}}  " + " ".join(f"{c:>7}" for c in cols) + "  kernel",
          flush=True)
    shown = rows if len(rows) <= 12 else rows[:3] + rows[-3:]
    for e in shown:
        print(f"  {e['name']:<{width}}  " + " ".join(f"{e['profile'].get(c, 0):7.2f}"
                                                  for c in cols) + f"  {e.get('kernel')}")
    if len(rows) > 12:
        print(f"  ... {len(rows) - 6} more", flush=True)
    med = {c: statistics.median(e["profile"].get(c, 0) for e in rows) for c in cols}
    print(f"  {'median':<{width}}  " + " ".join(f"{med[c]:7.2f}" for c in cols), flush=True)


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


def _result(name: str, value: float, target: float, text: str) -> None:
    RESULTS.append((name, value, target, text))
    print(f"{name}: {text} (target <= {target:g}) {'ok' if value <= target else 'MISSED'}",
          flush=True)


def _spread(values: list[float]) -> str:
    return f" [{min(values):.1f}-{max(values):.1f} s over {len(values)}]" if len(values) > 1 \
        else ""


# -- suites ------------------------------------------------------------------------------------
def charts(tmp: Path, args) -> None:
    from sco_research import render

    reports = render.select_reports(render.load_config(), CHARTS)
    declared = {r.notebook: render.notebook_parameters(r.notebook) for r in reports}
    out, work = tmp / "charts", tmp / "charts-baseline"
    work.mkdir()
    print(f"== charts: {', '.join(CHARTS)}", flush=True)
    _render(out, CHARTS)  # warm-up, untimed
    bases, fulls = [], []
    for _ in range(args.repeat):
        bases.append(_baseline(reports, declared, work))
        fulls.append(_render(out, CHARTS, profile=args.profile))
        print(f"  baseline {bases[-1]:.1f} s, render --force --jobs 2 {fulls[-1]:.1f} s",
              flush=True)
    base, full = statistics.median(bases), statistics.median(fulls)
    _result("charts", full / base, CHART_TARGET,
            f"render {full:.1f} s vs papermill+nbconvert loop {base:.1f} s: "
            f"{full / base:.3f}x{_spread(fulls)}")


def _grid_config(tmp: Path, dates: list[str]) -> Path:
    config = tmp / "grid.yaml"
    notebook = ROOT / "notebooks" / "02-membership-map.ipynb"
    config.write_text(
        "reports:\n  - name: \"map-{as_of}\"\n    title: \"SCO membership map on {as_of}\"\n"
        f"    notebook: {notebook}\n    parameters: {{explorer: false}}\n"
        f"    grid:\n      as_of: [{', '.join(dates)}]\n",
        encoding="utf-8")
    return config


WORK = r"""
import json, statistics, sys, tempfile, time
from sco_research import explorer, maps, publish, sources_for
dates = json.loads(sys.argv[1])
def one(day, whole):
    d = tempfile.mkdtemp()
    t = time.perf_counter()
    day, hl, _ = maps.check_parameters(day, "eurasia", [])
    fig = maps.membership_map(day, extent="eurasia", highlight=hl, labels=True)
    rows = maps.membership_map_rows(day, extent="eurasia", highlight=hl)
    publish.publish_figure(fig, rows, f"map-{day:%Y-%m-%d}", d, show=False)
    if whole:
        publish.publish_table(rows, "statuses", d, show=False)
        publish.publish_table(sources_for(rows), "sources", d, show=False)
        explorer.explore(extent="eurasia", start=day, labels=True, embed=False)
    return time.perf_counter() - t
one(dates[0], True)  # imports and caches, not counted
print(json.dumps({"map": statistics.median(one(d, False) for d in dates),
                  "notebook": statistics.median(one(d, True) for d in dates)}))
"""


def _work(dates: list[str]) -> dict:
    """Median seconds per date of the work itself, in one warm process."""
    proc = subprocess.run([sys.executable, "-c", WORK, json.dumps(dates)], cwd=ROOT,
                          env={**_env(), "MPLBACKEND": "Agg"}, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"benchmark: the in-process work failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def grid(tmp: Path, args) -> float:
    dates = GRID_DATES[: args.grid]
    config = _grid_config(tmp, dates)
    out = tmp / "grid"
    print(f"== grid: {len(dates)} membership maps, 2 local workers", flush=True)
    _render(out, ["map-2021-01-15"], config=config)  # warm-up, untimed
    walls = [_render(out, [], config=config, profile=args.profile) for _ in range(args.repeat)]
    wall = statistics.median(walls)
    per = wall / len(dates)
    work = _work(dates)
    _result("grid", per, GRID_TARGET_S,
            f"{wall:.1f} s for {len(dates)} reports, {per:.2f} s wall per report{_spread(walls)}; "
            f"{per / work['map']:.2f}x the map drawn and saved in one warm process "
            f"({work['map']:.2f} s), {per / work['notebook']:.2f}x the notebook's whole work "
            f"({work['notebook']:.2f} s: map, tables, explorer link)")
    return wall


@contextlib.contextmanager
def local_cluster(tmp: Path, workers: int = 2) -> Iterator[str]:
    """A Dask scheduler and ``workers`` single-thread worker processes on loopback."""
    dask = str(BIN / "dask")
    sched_file = tmp / "scheduler.json"
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(sched_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    try:
        for _ in range(300):
            if sched_file.is_file() and sched_file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(sched_file.read_text(encoding="utf-8"))["address"]
        for i in range(workers):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--name", f"bench-{i}", "--host", "127.0.0.1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                env=_env()))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for p in reversed(procs):
            with contextlib.suppress(OSError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def cluster(tmp: Path, args, local_wall: float | None) -> None:
    dates = GRID_DATES[: args.grid]
    config = _grid_config(tmp, dates)
    if local_wall is None:
        local_wall = grid(tmp, args)
    print(f"== cluster: the same {len(dates)} maps on a local 2-worker Dask cluster", flush=True)
    out = tmp / "grid-cluster"
    with local_cluster(tmp) as address:
        _render(out, ["map-2021-01-15"], config=config, scheduler=address)  # warm-up
        walls = [_render(out, [], config=config, scheduler=address, profile=args.profile)
                 for _ in range(args.repeat)]
    wall = statistics.median(walls)
    _result("cluster", wall / local_wall, CLUSTER_TARGET,
            f"{wall:.1f} s on the cluster vs {local_wall:.1f} s on the local pool: "
            f"{wall / local_wall:.2f}x{_spread(walls)}")


def batch(tmp: Path, args) -> None:
    out = tmp / "batch"
    print("== batch: every report of reports.yaml", flush=True)
    _render(out, [])  # warm-up
    full = statistics.median(_render(out, [], profile=args.profile) for _ in range(args.repeat))
    again = statistics.median(_render(out, [], force=False) for _ in range(args.repeat))
    _result("unchanged", again / full, NOCHANGE_TARGET,
            f"re-run with nothing changed {again:.2f} s vs the full batch {full:.1f} s: "
            f"{again / full:.3f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="charts,grid,cluster,batch",
                        help="comma-separated suites: charts, grid, cluster, batch (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per suite; medians")
    parser.add_argument("--grid", type=int, default=len(GRID_DATES),
                        help=f"maps in the grid (default {len(GRID_DATES)})")
    parser.add_argument("--profile", action="store_true",
                        help="print where each report's time went after each timed render")
    args = parser.parse_args()
    suites = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(suites) - {"charts", "grid", "cluster", "batch"})
    if unknown:
        parser.error(f"--only: unknown suite(s) {unknown}; allowed: charts, grid, cluster, batch")
    args.repeat = max(1, args.repeat)
    with tempfile.TemporaryDirectory(prefix="sco-bench-") as tmp_name:
        tmp = Path(tmp_name)
        local_wall = None
        if "charts" in suites:
            charts(tmp, args)
        if "grid" in suites:
            local_wall = grid(tmp, args)
        if "cluster" in suites:
            cluster(tmp, args, local_wall)
        if "batch" in suites:
            batch(tmp, args)
    print("\nsummary")
    for name, value, target, text in RESULTS:
        print(f"  {name:<10} {value:8.3f}  target <= {target:<5g} "
              f"{'ok' if value <= target else 'MISSED'}  {text}")
    ok = all(v <= t for _, v, t, _ in RESULTS)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
