"""The ``gep`` command line: ``gep run``, ``gep validate``, ``gep coefficients``."""
from __future__ import annotations

import argparse
import shlex
import sys

from . import __version__
from .accounting import Options
from .catalogue import services_spec
from .coefficients import CoefficientError, load_register
from .inventory import InventoryError, read_inventory
from .run import OutputExistsError, run
from .units import UnitError


def _cmd_run(args) -> int:
    command = "gep " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv else "gep run"
    result = run(args.inventory, args.out, tuple(args.coefficients), Options(exclude=tuple(args.exclude)),
                 lang=args.lang, overwrite=args.overwrite, command=command)
    summary = result.results.summary
    county = summary[summary["region_code"] == result.results.county_code]
    print(f"GEP of {county['region_name'].iloc[0]} ({result.results.county_code}), 亿元:")
    print("  year   provisioning  regulating  cultural        GEP")
    for r in county.itertuples():
        print(f"  {r.year}  {r.provisioning_yuan / 1e8:12.2f} {r.regulating_yuan / 1e8:11.2f} "
              f"{r.cultural_yuan / 1e8:9.2f} {r.gep_yuan / 1e8:10.2f}")
    if result.previous:
        print(f"the earlier output was kept as {result.previous}")
    print(f"outputs written to {result.folder}/")
    return 0


def _cmd_validate(args) -> int:
    inventory, problems = read_inventory(args.inventory)
    errors = [p for p in problems if p.severity == "error"]
    for p in errors:
        print(f"error: {p}")
    for p in problems:
        if p.severity != "error":
            print(f"warning: {p}")
    if inventory is None:
        print(f"{args.inventory}: {len(errors)} error(s); nothing was computed")
        return 1
    n = sum(len(t) for t in inventory.tables.values())
    print(f"{args.inventory}: valid ({len(inventory.tables)} tables, {n} rows, years "
          f"{', '.join(map(str, inventory.years))})")
    return 0


def _cmd_coefficients(args) -> int:
    register = load_register(*args.coefficients)
    frame = register.frame()
    for r in frame.itertuples():
        scope = "/".join(x for x in (r.ecosystem, r.region) if x) or "*"
        print(f"{r.key:30s} {scope:18s} {r.value:>12g} {r.unit:12s} {str(r.price_year or ''):5s} "
              f"{r.status:11s} {r.source[:60]}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gep", description="Gross ecosystem product (GEP) accounting")
    parser.add_argument("--version", action="version", version=f"gep {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="compute GEP and write the statement, tables and reports into a folder")
    p.add_argument("inventory", help="inventory folder of CSV files, or an .xlsx workbook")
    p.add_argument("--out", required=True, help="output folder (must not exist yet, or be empty)")
    p.add_argument("--coefficients", action="append", default=[], metavar="CSV",
                   help="a coefficient register whose rows override the defaults (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="SERVICE",
                   choices=sorted(services_spec()["services"]),
                   help="compute a service but leave it out of GEP (repeatable), e.g. oxygen_release")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing output folder, keeping it as <out>.previous-N")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="check an inventory and report every problem")
    p.add_argument("inventory")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("coefficients", help="list the coefficient register in force")
    p.add_argument("--coefficients", action="append", default=[], metavar="CSV")
    p.set_defaults(func=_cmd_coefficients)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (InventoryError, CoefficientError, UnitError, OutputExistsError) as exc:
        print(f"gep: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
