"""Benchmark: the cost of ``import sco_research`` and of loading every table.

Targets (issue 2):
- ``import sco_research`` costs at most 1.3x a bare ``import pandas`` (ratio printed);
- ``load()`` of every table together takes under 0.2 s in a fresh process.

Each measurement runs in a fresh interpreter (so nothing is already imported), the two imports
interleaved, and the median of the runs is reported. Loading is measured twice: with the
validation stamps of an earlier run present (the everyday case) and with an empty cache (the
first run after a data change, which validates every table with Frictionless).

Run: ``.venv/bin/python benchmarks/import_load.py [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

IMPORT = "import time; t = time.perf_counter(); import {mod}; print(time.perf_counter() - t)"
LOAD = ("import time, sco_research as sco; names = list(sco.data.default_package().names); "
        "t = time.perf_counter(); [sco.load(n) for n in names]; print(time.perf_counter() - t)")


def _time(code: str, env: dict | None = None) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    pandas_t, sco_t = [], []
    for _ in range(args.runs):
        pandas_t.append(_time(IMPORT.format(mod="pandas")))
        sco_t.append(_time(IMPORT.format(mod="sco_research")))
    p, s = statistics.median(pandas_t), statistics.median(sco_t)
    ratio = s / p
    print(f"import pandas        median {p * 1000:7.1f} ms  (baseline)")
    print(f"import sco_research  median {s * 1000:7.1f} ms  ratio {ratio:.2f}x  (target <= 1.30x)")

    with tempfile.TemporaryDirectory() as cache:
        env = {"SCO_RESEARCH_CACHE": cache}
        cold = _time(LOAD, env)  # first run validates every table and writes the stamps
        warm = statistics.median(_time(LOAD, env) for _ in range(args.runs))
    print(f"load all tables, validated stamps present  median {warm * 1000:7.1f} ms  "
          f"ratio to 0.2 s target {warm / 0.2:.2f}")
    print(f"load all tables, empty cache (validates)          {cold * 1000:7.1f} ms  "
          f"(one-time cost after a data change)")
    ok = ratio <= 1.3 and warm < 0.2
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
