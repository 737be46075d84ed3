"""Benchmark: does the warm-kernel server pay for itself? (issue 20, "must pay for itself")

Renders the default batch (every report of reports.yaml, ``--force --jobs 2``) and the 48-map
grid of ``benchmarks/render.py`` (2 local workers) with ``SCO_RESEARCH_WARM_KERNELS=0`` and
``=1``, alternating, ``--repeat`` times each, after one untimed warm-up render of each. Prints
the median wall times, the saving of warm kernels and the machine's load average, and PASS when
warm kernels save at least 20% of wall time on either suite (the bar the issue sets for keeping
them).

Run: ``.venv/bin/python benchmarks/warm_kernels.py [--repeat N] [--only batch,grid]
[--first cold]`` (``--first``: which goes first in the first pair; the pairs then alternate).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render as bench  # noqa: E402  (benchmarks/render.py)

KEEP_IF_SAVES = 0.20


def _run(suite: str, tmp: Path, warm: str) -> float:
    os.environ["SCO_RESEARCH_WARM_KERNELS"] = warm
    if suite == "grid":
        config = bench._grid_config(tmp, bench.GRID_DATES)
        return bench._render(tmp / f"grid-{warm}", [], config=config)
    return bench._render(tmp / f"batch-{warm}", [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", default="batch,grid")
    parser.add_argument("--first", choices=("warm", "cold"), default="warm")
    args = parser.parse_args()
    suites = [s for s in args.only.split(",") if s]
    saved = {}
    with tempfile.TemporaryDirectory(prefix="sco-bench-") as name:
        tmp = Path(name)
        for suite in suites:
            for warm in ("1", "0"):  # warm-up: caches, stamps, the explorer page
                _run(suite, tmp, warm)
            times: dict[str, list[float]] = {"0": [], "1": []}
            loads = []
            for i in range(args.repeat):
                order = ("1", "0") if (i % 2 == 0) == (args.first == "warm") else ("0", "1")
                for warm in order:
                    times[warm].append(_run(suite, tmp, warm))
                    loads.append(os.getloadavg()[0])
                    print(f"  {suite} warm={warm}: {times[warm][-1]:.1f} s "
                          f"(load {loads[-1]:.1f})", flush=True)
            cold, warm = statistics.median(times["0"]), statistics.median(times["1"])
            saved[suite] = 1 - warm / cold
            print(f"{suite}: cold kernels {cold:.1f} s, warm kernels {warm:.1f} s (medians of "
                  f"{args.repeat}); warm/cold {warm / cold:.3f}, saves {saved[suite]:.1%}; "
                  f"load average {min(loads):.1f}-{max(loads):.1f}", flush=True)
    keep = any(s >= KEEP_IF_SAVES for s in saved.values())
    print("PASS (warm kernels pay for themselves)" if keep else
          f"FAIL (saves less than {KEEP_IF_SAVES:.0%} on every suite)")
    return 0 if keep else 1


if __name__ == "__main__":
    raise SystemExit(main())
