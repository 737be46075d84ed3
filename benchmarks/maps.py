"""Benchmark: one membership map drawn and saved to PNG, and the geometry load.

Targets (issue 3):
- one map (``membership_map``, Eurasia frame, labels on) drawn and saved as a 150 dpi PNG, in
  process, in under 1 s (median of the runs);
- the bundled country geometries read from disk in under 0.1 s (median of the runs).

Both are measured in one process, one after the other, and printed as ratios to their targets
(below 1.00 meets the target). The first map and the first read of a process also pay for
imports and caches (pyarrow's Parquet reader, the membership table, the projected frame); they
are printed apart, not counted in the medians.

Run: ``.venv/bin/python benchmarks/maps.py [--runs N]``
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sco_research import maps  # noqa: E402

MAP_TARGET_S = 1.0
LOAD_TARGET_S = 0.1


def _load_once() -> float:
    maps.load_geometries.cache_clear()
    t = time.perf_counter()
    maps.load_geometries()
    return time.perf_counter() - t


def _map_once(as_of: str) -> float:
    t = time.perf_counter()
    fig = maps.membership_map(as_of)
    fig.savefig(io.BytesIO(), format="png", dpi=150, bbox_inches="tight")
    elapsed = time.perf_counter() - t
    plt.close(fig)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--as-of", default="2024-07-04")
    args = parser.parse_args()

    first_load = _load_once()
    loads = [_load_once() for _ in range(args.runs)]
    first_map = _map_once(args.as_of)
    maps_t = [_map_once(args.as_of) for _ in range(args.runs)]

    load_m, map_m = statistics.median(loads), statistics.median(maps_t)
    print(f"geometry load         median {load_m * 1000:7.1f} ms over {args.runs} runs  "
          f"ratio to {LOAD_TARGET_S:g} s target {load_m / LOAD_TARGET_S:.2f}")
    print(f"map drawn + PNG saved median {map_m * 1000:7.1f} ms over {args.runs} runs  "
          f"ratio to {MAP_TARGET_S:g} s target {map_m / MAP_TARGET_S:.2f}")
    print(f"first of the process: geometry load {first_load * 1000:.1f} ms, map "
          f"{first_map * 1000:.1f} ms (imports and caches; not in the medians)")
    ok = load_m < LOAD_TARGET_S and map_m < MAP_TARGET_S
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
