"""The ``sco-research render`` sub-command.

Exit status: 0 all good, 1 some report failed, 2 refused (bad ``reports.yaml``, parameters or
arguments; :func:`sco_research.cli.main` turns the library's errors into 2), 130 interrupted.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="sco-research")
>>> p = add_render_parser(parser.add_subparsers())
>>> parser.parse_args(["render", "--list", "membership-map"]).list_only
True
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import ParameterError

__all__ = ["SCHEDULER_ENV", "add_render_parser", "check_cluster_extra"]

#: The environment variable naming a Dask scheduler when ``--scheduler`` is not given.
SCHEDULER_ENV = "SCO_RESEARCH_SCHEDULER"


def check_cluster_extra(scheduler: str) -> None:
    """Refuse ``--scheduler`` in one line when the optional ``distributed`` is not installed.

    ``distributed`` comes with the ``cluster`` extra (``pip install '.[cluster]'``; ``make
    cluster-demo`` and ``make install`` install it).

    Raises
    ------
    ParameterError
        ``distributed`` cannot be imported.
    """
    try:
        import distributed  # noqa: F401 - only whether it imports
    except ImportError:
        raise ParameterError(
            f"--scheduler: {scheduler!r} asks for a Dask cluster, but the optional package "
            "'distributed' is not installed; install it with `pip install '.[cluster]'` (or "
            "`make cluster-demo`), or leave out --scheduler and $SCO_RESEARCH_SCHEDULER to "
            "render on this machine") from None


def add_render_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``render`` sub-command to the ``sco-research`` parser.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``ArgumentParser.add_subparsers``.

    Returns
    -------
    argparse.ArgumentParser
        The new sub-parser.
    """
    p = subparsers.add_parser(
        "render",
        help="render the reports in reports.yaml (parallel, cached, failure-safe)",
        description=(
            "Execute the report notebooks listed in reports.yaml with papermill, in parallel, "
            "and write for each an executed notebook, a code-free HTML page and its figures, "
            "plus index.html and manifest.json. Reports whose inputs are unchanged since their "
            "last successful render are skipped. Exit status: 0 all good, 1 some report "
            "failed, 2 refused (bad reports.yaml, parameters or arguments), 130 interrupted."
        ),
    )
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="reports to render: names, entry names (a whole grid) or shell-style "
                        "patterns; default: all")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="worker processes (default: the number of cores)")
    p.add_argument("--force", action="store_true", help="re-render even unchanged reports")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: reports/ at the project root)")
    p.add_argument("--config", type=Path, default=None,
                   help="reports file (default: reports.yaml at the project root)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds each report may run; overrides reports.yaml (default 600)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the reports on a Dask cluster: its scheduler's tcp://HOST:PORT or "
                        "scheduler file (default: $SCO_RESEARCH_SCHEDULER, else the local pool)")
    p.add_argument("--list", action="store_true", dest="list_only",
                   help="show each report and whether it would run; run nothing")
    p.set_defaults(func=_cli_render)
    return p


def _cli_render(args: argparse.Namespace) -> int:
    from .batch import check_arguments, plan, render, signals_as_interrupts

    check_arguments(args.jobs, args.timeout)  # --list refuses what a render would
    if args.list_only:
        rows = plan(args.names, config=args.config, out=args.out, force=args.force)
        width = max((len(r["name"]) for r in rows), default=4)
        for r in rows:
            state = "run " if r["run"] else "skip"
            print(f"{state}  {r['name']:<{width}}  {r['notebook']}  ({r['reason']})")
        return 0
    scheduler = args.scheduler or os.environ.get(SCHEDULER_ENV) or None  # the flag wins
    if scheduler is not None:
        check_cluster_extra(scheduler)
    try:
        with signals_as_interrupts():  # SIGTERM/SIGHUP as Ctrl-C from the start
            result = render(args.names, config=args.config, out=args.out, jobs=args.jobs,
                            force=args.force, timeout=args.timeout, scheduler=scheduler)
    except KeyboardInterrupt:  # once reports run, render itself stops them and returns
        print("sco-research render: interrupted before any report started; nothing was run",
              file=sys.stderr)
        return 130
    try:
        print(result.summary(), flush=True)
    except BrokenPipeError:  # `| head`: the reader has what it wanted; the status stands
        with contextlib.suppress(OSError, ValueError):  # and Python's exit flush stays quiet
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if result.interrupted:
        return 130
    return 0 if result.ok else 1
