"""The ``sco-research`` command line.

Sub-commands
------------
``sco-research validate``
    Check the whole data package; print one line per problem; exit 1 if there are any. Then
    the temporal check's count (rows dated after their sources) and, for a valid package, the
    coverage of every table (:func:`sco_research.freshness.coverage`).
``sco-research tables``
    List the tables with their row counts.
``sco-research render``
    Render the reports listed in ``reports.yaml`` (see :mod:`sco_research.reports`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .errors import SCOResearchError

_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def _validate(args: argparse.Namespace) -> int:
    from .data import DataPackage, format_problem

    pkg = DataPackage(args.datapackage) if args.datapackage else None
    if pkg is None:
        from .data import default_package

        pkg = default_package()
    problems = pkg.validate()
    if problems.empty:
        print(f"{pkg.descriptor_path}: valid ({len(pkg.names)} tables)")
        print(_temporal_line(pkg, problems))
        _print_coverage(pkg)
        return 0
    for rec in problems.to_dict("records"):
        rec = {k: (None if v != v else v) for k, v in rec.items()}  # NaN -> None
        path = rec["table"]
        if rec["table"] in pkg.resources:
            path = str(pkg.base / pkg.resources[rec["table"]]["path"])
        print(f"[{rec['tool']}] {format_problem(rec, path)}")
    print(_temporal_line(pkg, problems))
    print(f"{len(problems)} problem(s) in {pkg.descriptor_path}", file=sys.stderr)
    return 1


def _temporal_line(pkg, problems) -> str:
    from ._schema import TEMPORAL_RULE_PREFIXES, temporal_fields

    fields = temporal_fields(pkg.descriptor)
    count = int(problems["rule"].astype(str).str.startswith(TEMPORAL_RULE_PREFIXES).sum())
    return (f"temporal check: {count} violation(s) in {len(fields)} date field(s) checked "
            f"against their sources ({', '.join(fields)})")


def _print_coverage(pkg) -> None:
    from .freshness import coverage

    cov = coverage(pkg)
    print("coverage (recorded_through: the day through which a table was checked for new "
          "facts; last: the latest date or period with a value):")
    shown = cov.drop(columns="note").assign(
        recorded_through=cov["recorded_through"].dt.strftime("%Y-%m-%d")).fillna("")
    print(shown.to_string(index=False))


def _tables(args: argparse.Namespace) -> int:
    from .data import tables

    t = tables()
    for rec in t.itertuples(index=False):
        print(f"{rec.name:<12} {rec.rows:>5}  {rec.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sco-research", description="Cited SCO data, maps, charts and reports."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="validate the data package")
    p.add_argument("--datapackage", help="path to a datapackage.json (default: the bundled one)")
    p.set_defaults(func=_validate)
    p = sub.add_parser("tables", help="list the tables and their row counts")
    p.set_defaults(func=_tables)
    from .reports.cli import add_render_parser

    add_render_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sco-research`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SCOResearchError as exc:
        print(f"sco-research {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
