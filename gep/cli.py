"""The ``gep`` command line: ``gep run``, ``validate``, ``coefficients``, and the audit commands ``pack``,
``verify`` and ``diff``."""
from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
from pathlib import Path

import pandas as pd

from . import __version__
from .accounting import NonFiniteFigures, Options
from .audit import AuditError, pack, verify
from .diff import diff
from .catalogue import services_spec
from .explain import ExplainError, explain_parcel_text, explain_text
from .coefficients import CoefficientError, load_register
from .inventory import SHOWN_PER_FILE, InventoryError, problem_lines, read_inventory
from .method import DEFAULT_METHOD, MethodError
from .render import method_lines, status_lines
from .jobfolder import OutputExistsError
from .jobfolder import shown_method
from .jobs.run import run
from .prices import PriceIndexError
from .reading import ReadError, shown
from .units import UnitError


def _cmd_run(args) -> int:
    argv = getattr(args, "argv", None) or sys.argv[1:]
    command = "gep " + " ".join(shlex.quote(a) for a in argv)  # the full command line, for the manifest only
    options = Options(exclude=tuple(args.exclude), base_year=args.base_year, price_indices=args.price_indices,
                      grid=args.grid, scheduler=args.scheduler, progress=sys.stderr.isatty(), method=args.method)
    if args.grid_layers == "reference" and not (args.grid or (Path(args.inventory) / "grid.yaml").is_file()):
        print("gep run: --grid-layers reference needs a grid (--grid GRID.yaml, or grid.yaml in the inventory "
              "folder)", file=sys.stderr)
        return 2
    result = run(args.inventory, args.out, tuple(args.coefficients), options,
                 lang=args.lang, overwrite=args.overwrite, command=command,
                 reference_layers=args.grid_layers == "reference")
    summary = result.results.summary
    county = summary[summary["region_code"] == result.results.county_code]
    print(f"GEP of {county['region_name'].iloc[0]} ({result.results.county_code}), 亿元:")
    print("  year   provisioning  regulating  cultural        GEP")
    for r in county.itertuples():
        print(f"  {r.year}  {r.provisioning_yuan / 1e8:12.2f} {r.regulating_yuan / 1e8:11.2f} "
              f"{r.cultural_yuan / 1e8:9.2f} {r.gep_yuan / 1e8:10.2f}")
    for line in [*method_lines(result.results.method, args.lang), *status_lines(result.results.service_status,
                                                                                   args.lang)]:
        print(line)
    if result.previous:
        print(f"the earlier output was kept as {result.previous}")
    print(f"outputs written to {result.folder}/")
    return 0


def _cmd_validate(args) -> int:
    inventory, problems = read_inventory(args.inventory)
    errors = [p for p in problems if p.severity == "error"]
    per_file = None if args.all else SHOWN_PER_FILE
    for line in problem_lines(errors, per_file):
        print(f"error: {line}")
    for line in problem_lines([p for p in problems if p.severity != "error"], per_file):
        print(f"warning: {line}")
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
        scope = "/".join(str(x) for x in (r.ecosystem, r.region, r.year) if not pd.isna(x) and x) or "*"
        print(f"{r.key:30s} {scope:18s} {r.value:>12g} {r.unit:12s} {'' if pd.isna(r.price_year) else str(r.price_year):5s} "
              f"{r.status:11s} {r.source[:60]}")
    return 0


def _cmd_pack(args) -> int:
    to = pack(args.run_dir, args.to)
    print(f"packed {args.run_dir} into {to} ({to.stat().st_size:,} bytes)")
    referenced = json.loads((Path(args.run_dir) / "manifest.json").read_text(encoding="utf-8")).get(
        "referenced_inputs", {}) if Path(args.run_dir).is_dir() else {}
    if referenced:
        print(f"note: {len(referenced)} grid layer(s) were referenced in place, not copied, and are not in the pack; "
              f"gep verify checks them at their paths ({next(iter(referenced))}, …): verify it where they lie")
    return 0


def _cmd_verify(args) -> int:
    result = verify(args.path, limit=args.limit)
    for line in result.lines:
        print(line)
    return 0 if result.ok else 1


def _cmd_diff(args) -> int:
    print(diff(args.run_a, args.run_b, csv_path=args.csv, top=args.top).text)
    return 0


def _cmd_explain(args) -> int:
    try:
        if args.parcel:
            print(explain_parcel_text(args.run_dir, args.parcel, args.year, lang=args.lang))
            return 0
        missing = [f"--{n}" for n in ("region", "year", "service", "indicator", "ecosystem") if getattr(args, n) is None]
        if missing:
            print(f"gep explain: give {', '.join(missing)} (or --parcel ID for a forest parcel)", file=sys.stderr)
            return 2
        print(explain_text(args.run_dir, args.region, args.year, args.service, args.indicator, args.ecosystem,
                           lang=args.lang, detail=args.all))
    except (KeyError, FileNotFoundError) as exc:
        print(f"gep: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_pdf(args) -> int:
    from .render.pdf import ChromiumError, html_to_pdf
    run_dir = Path(args.run_dir)
    html = run_dir / "gep_report.html"
    if not html.is_file():
        print(f"gep: {run_dir} holds no gep_report.html; give a folder written by `gep run`", file=sys.stderr)
        return 1
    # default: beside the run folder, which stays exactly what its manifest lists (pack and verify pass)
    to = args.to if args.to is not None else run_dir.with_name(f"{run_dir.name}.report.pdf")
    if to.exists():
        print(f"gep: {to} already exists; it is never overwritten (choose another --to)", file=sys.stderr)
        return 1
    try:
        html_to_pdf(html, to)
    except ChromiumError as exc:
        print(f"gep: {exc}", file=sys.stderr)
        return 1
    print(f"printed {html} to {to} ({to.stat().st_size:,} bytes, A4)")
    return 0


def _cmd_statement(args) -> int:
    from .assets.physical import PhysicalAccountError
    from .jobs.statement import run_statement
    command = "gep " + " ".join(shlex.quote(a) for a in args.argv)
    try:
        out = run_statement(args.inventory, args.out, args.start, args.end, args.region, tuple(args.coefficients),
                            args.discount_rate, args.asset_life, args.overwrite, command, lang=args.lang,
                            grid=args.grid, method=args.method)
    except (PhysicalAccountError, ValueError) as exc:
        print(f"gep: {exc}", file=sys.stderr)
        return 1
    print(f"statement {args.start}–{args.end} written to {out}/")
    return 0


def _print_valuation(out: Path, result: dict) -> None:
    trade = result.get("trade")
    if trade:
        s = trade["seller"]
        print(f"{result['title']}: {'feasible' if trade['feasible'] else 'NOT feasible'} — {trade['reason']}")
        print(f"  largest area the seller can sell keeping its target {s['target_coverage_pct']:.2f} %: "
              f"{trade['max_area_mu']:,.0f} 亩 ({trade['max_area_ha']:,.2f} hm²)")
        print(f"  seller coverage {s['coverage_before_pct']:.2f} % → {s['coverage_after_pct']:.2f} %; total price "
              f"{trade['total_price_yuan'] / 1e4:,.2f} 万元, present value {trade['pv_payments_yuan'] / 1e4:,.2f} 万元 "
              f"at {trade['discount_rate']:.2%}")
        eco = trade.get("ecological_value")
        if eco:
            print(f"  forest GEP {eco['gep_per_mu_yuan']:,.2f} 元/亩/a against a price of {trade['price_yuan_per_mu']:,.2f} 元/亩")
    if result.get("carbon"):
        c = result["carbon"]
        print(f"  carbon: {c['co2_t_per_a']:,.2f} t CO₂/a × {c['price']['as_written']} = {c['value_yuan_per_a'] / 1e4:,.2f} 万元/a")
    for r in (result.get("water_compensation") or {}).get("yearly", []):
        print(f"  water {r['year']} {r['upstream']} → {r['downstream']}: net to upstream {r['net_to_upstream_yuan'] / 1e4:,.2f} 万元")
    print(f"outputs written to {out}/")


def _cmd_trade(args) -> int:
    from .trading.request import RequestError, load_request
    from .jobs.valuation import run_valuation
    from .trading.valuation import compensation_request
    command = "gep " + " ".join(shlex.quote(a) for a in args.argv)
    try:
        # the command as the report shows it: file names only, every option that moves a figure
        extra = [a for p in args.coefficients for a in ("--coefficients", Path(p).name)]
        extra += ["--lang", args.lang] if args.lang != "zh" else []
        compensation = None
        if args.command == "trade":
            req, shown = load_request(args.request), ["gep", "trade", Path(args.request).name]
        else:
            rules = {k: v for k, v in (("fails_class", args.fails_class), ("unchanged", args.unchanged)) if v}
            req = compensation_request(args.monitoring, args.amount, rules)
            compensation = {"amount": args.amount, "rules": rules}
            shown = ["gep", "compensation", Path(args.monitoring).name]
            shown += ["--amount", args.amount] if args.amount else []
            shown += [a for k, v in rules.items() for a in ("--" + k.replace("_", "-"), v)]
        extra += ["--method", shown_method(args.method)] if shown_method(args.method) != DEFAULT_METHOD else []
        out, valuation = run_valuation(req, args.out, tuple(args.coefficients), args.lang, args.overwrite, command,
                                       " ".join(shlex.quote(a) for a in shown + extra), compensation,
                                       method=args.method)
    except (RequestError, ValueError) as exc:
        print(f"gep: {exc}", file=sys.stderr)
        return 1
    _print_valuation(out, valuation.result)
    return 0


# ----------------------------------------------------------------------------------------------
# option values, checked where they are parsed: argparse reports a refused value as
# "gep statement: error: argument --discount-rate: MESSAGE" with exit code 2, before anything is read

MIN_YEAR, MAX_YEAR = 1900, 2100  # the years an inventory may hold (gep.inventory)


def _refuse(text: str, expected: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"'{shown(text)}' is not {expected}")


def _number(text: str, expected: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise _refuse(text, expected) from None
    if not math.isfinite(x):  # float() reads 'nan', 'inf' and '1e999' (inf): none is a figure
        raise _refuse(text, expected)
    return x


def _whole(text: str, expected: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _refuse(text, expected) from None


def year(text: str) -> int:
    """A year 1900–2100, as an inventory holds them."""
    expected = f"a year from {MIN_YEAR} to {MAX_YEAR} (e.g. 2021)"
    n = _whole(text, expected)
    if not MIN_YEAR <= n <= MAX_YEAR:
        raise _refuse(text, expected)
    return n


def positive_whole(text: str) -> int:
    n = _whole(text, "a whole number of 1 or more")
    if n < 1:
        raise _refuse(text, "a whole number of 1 or more")
    return n


def limit(text: str) -> int:
    """``gep verify --limit``: 0 lists every differing figure, as its help says."""
    n = _whole(text, "a whole number of 0 or more (0 = all)")
    if n < 0:
        raise _refuse(text, "a whole number of 0 or more (0 = all)")
    return n


def discount_rate(text: str) -> float:
    """The asset discount rate r, a fraction: 0 ≤ r < 1.

    From the annuity factor F = [1 − (1 + r)^−N] / r (gep.assets.monetary.annuity_factor): r = 0 is its limit
    F = N, an asset worth its undiscounted flows over its life — a meaningful bound of a sensitivity, so it is
    accepted. A negative rate would value a distant flow above a near one, and r ≥ 1 is almost always a
    percentage written as a number (2.77 for 2.77 %): both are refused, the second with the hint."""
    expected = "a discount rate from 0 up to, not including, 1 (a fraction: 0.0277 for 2.77 %)"
    r = _number(text, expected)
    if not 0 <= r < 1:
        raise _refuse(text, expected)
    return r


def asset_life(text: str) -> float:
    """The asset life N in years, finite and above 0 (N = 0 would make every asset worth nothing, and the
    decomposition divides by N)."""
    n = _number(text, "an asset life in years above 0 (e.g. 100)")
    if n <= 0:
        raise _refuse(text, "an asset life in years above 0 (e.g. 100)")
    return n


def amount(text: str) -> str:
    """``gep compensation --amount``: a finite amount of 0 or more, in a currency per time ('100 万元/month').
    Kept as written: the manifest records it, and the valuation parses it again the same way."""
    from .trading.request import RequestError, amount_per_month
    try:
        amount_per_month(text)
    except RequestError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    return text


def non_empty(what: str):
    """A value that must not be empty ('' would quietly mean 'the default' or the current folder)."""
    def check(value: str) -> str:
        if not value.strip():
            raise argparse.ArgumentTypeError(f"an empty {what}; give one")
        return value
    return check


def out_folder(value: str) -> str:
    """An output folder: a path ending in a folder name ('.', '..' or '/' cannot be published to: the
    output is written beside it and moved into place under that name)."""
    if not value.strip() or Path(value).name in ("", ".", ".."):
        raise argparse.ArgumentTypeError(f"'{shown(value)}' is not an output folder; give a folder name, "
                                         f"e.g. out/run-2021")
    return value


def out_file(value: str) -> Path:
    if not value.strip() or Path(value).name in ("", ".", ".."):
        raise argparse.ArgumentTypeError(f"'{shown(value)}' is not a file name")
    return Path(value)


PATH = non_empty("path")
REGION = non_empty("region code")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gep", description="Gross ecosystem product (GEP) accounting")
    parser.add_argument("--version", action="version", version=f"gep {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="compute GEP and write the statement, tables and reports into a folder")
    p.add_argument("inventory", type=PATH, help="inventory folder of CSV files, or an .xlsx workbook")
    p.add_argument("--out", required=True, type=out_folder, help="output folder (must not exist yet, or be empty)")
    p.add_argument("--coefficients", action="append", default=[], metavar="CSV", type=PATH,
                   help="a coefficient register whose rows override the defaults (repeatable)")
    p.add_argument("--method", metavar="NAME|FILE", type=non_empty("method profile"),
                   help="method profile: a name of coefficients/methods/ (default, garze-2017) or a profile file "
                        "(.yaml); default: default")
    p.add_argument("--exclude", action="append", default=[], metavar="SERVICE",
                   choices=sorted(services_spec()["services"]),
                   help="compute a service but leave it out of GEP (repeatable), e.g. oxygen_release")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    p.add_argument("--base-year", type=year, metavar="YEAR",
                   help="constant prices of this year (default: the latest accounting year)")
    p.add_argument("--price-indices", metavar="CSV", type=PATH,
                   help="a price-index table replacing coefficients/price_indices.csv")
    p.add_argument("--grid", metavar="YAML", type=PATH,
                   help="a grid description of raster layers (default: grid.yaml in the inventory folder, if any)")
    p.add_argument("--scheduler", metavar="ADDRESS", type=non_empty("scheduler address"),
                   help="a dask.distributed scheduler (tcp://host:8786) for the gridded sums (default: local threads)")
    p.add_argument("--grid-layers", choices=("copy", "reference"), default="copy",
                   help="copy the grid's layers into the run folder (default), or reference them in place by "
                        "absolute path and SHA-256 (for rasters too large to copy; verify checks them where they lie)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing output folder, keeping it as <out>.previous-N")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="check an inventory and report every problem")
    p.add_argument("inventory", type=PATH)
    p.add_argument("--all", action="store_true",
                   help=f"list every problem (default: at most {SHOWN_PER_FILE} per file, then how many more)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("coefficients", help="list the coefficient register in force")
    p.add_argument("--coefficients", action="append", default=[], metavar="CSV", type=PATH)
    p.set_defaults(func=_cmd_coefficients)

    p = sub.add_parser("pack", help="bundle a run folder (inputs, coefficients, outputs, manifest) into one zip")
    p.add_argument("run_dir", metavar="RUN_DIR", type=PATH)
    p.add_argument("--to", metavar="PACK.zip", type=out_file,
                   help="archive to write (default RUN_DIR.gep-pack.zip beside it; never overwritten)")
    p.set_defaults(func=_cmd_pack)

    p = sub.add_parser("verify", help="check a pack or run folder against its manifest and recompute it")
    p.add_argument("path", metavar="PACK_OR_RUN_DIR", type=PATH)
    p.add_argument("--limit", type=limit, default=1000, metavar="N",
                   help="list at most N differing figures (default 1000; 0 = all); all are counted")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("diff", help="what differs between the inputs of two runs, and how much each change "
                                    "moves the figures and GEP")
    p.add_argument("run_a", metavar="RUN_A", type=PATH, help="run folder or pack")
    p.add_argument("run_b", metavar="RUN_B", type=PATH, help="run folder or pack")
    p.add_argument("--csv", metavar="PATH", type=out_file, help="write the per-change figure deltas to this CSV")
    p.add_argument("--top", type=positive_whole, default=5, metavar="N", help="figures listed per change (default 5)")
    p.set_defaults(func=_cmd_diff)

    p = sub.add_parser("explain", help="how a figure of a run was computed: formula, inputs with file, row and "
                                       "source, coefficients with provenance, intermediate values")
    p.add_argument("run_dir", metavar="RUN_DIR", type=PATH)
    p.add_argument("--region", type=REGION, help="region code, e.g. 500229")
    p.add_argument("--year", type=year)
    p.add_argument("--service", type=non_empty("service key"), help="service key, e.g. water_conservation")
    p.add_argument("--indicator", type=non_empty("indicator key"), help="indicator key, e.g. water_retained")
    p.add_argument("--ecosystem", type=non_empty("ecosystem key"), help="ecosystem key, e.g. forest (or all)")
    p.add_argument("--parcel", metavar="ID", type=non_empty("parcel ID"), help="a forest parcel (小班号) of the run's parcels table: each of its "
                                                  "figures, every year or --year")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--all", action="store_true", help="for a sum of sub-regions, explain each of them too")
    p.set_defaults(func=_cmd_explain)

    p = sub.add_parser("statement", help="the ecological asset-liability statement (生态资源资产负债表) for a term")
    p.add_argument("inventory", type=PATH)
    p.add_argument("--from", dest="start", type=year, required=True, help="opening year, e.g. 2019")
    p.add_argument("--to", dest="end", type=year, required=True, help="closing year, e.g. 2021")
    p.add_argument("--out", required=True, type=out_folder)
    p.add_argument("--region", type=REGION, help="region code (default: the top-level region)")
    p.add_argument("--coefficients", action="append", default=[], metavar="CSV", type=PATH)
    p.add_argument("--method", metavar="NAME|FILE", type=non_empty("method profile"),
                   help="method profile: a name of coefficients/methods/ (default, garze-2017) or a profile file "
                        "(.yaml); default: default")
    p.add_argument("--discount-rate", type=discount_rate, metavar="RATE",
                   help="asset discount rate, a fraction 0 ≤ RATE < 1 (default 0.0277; 0 = undiscounted)")
    p.add_argument("--asset-life", type=asset_life, metavar="YEARS", help="asset life in years, above 0 (default 100)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the HTML and Excel statement")
    p.add_argument("--grid", metavar="GRID.yaml", type=PATH,
                   help="gridded inputs (default: grid.yaml in the inventory folder)")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_cmd_statement)

    p = sub.add_parser("pdf", help="print a run's HTML report to an A4 PDF with headless Chromium",
                       description="Print RUN_DIR/gep_report.html to an A4 PDF with headless Chromium "
                                   "(chromium, or the binary named by $GEP_CHROMIUM). The PDF is an extra "
                                   "rendering of the report, not part of the run, so it is written beside the "
                                   "run folder and the folder stays what its manifest lists.")
    p.add_argument("run_dir", metavar="RUN_DIR", type=PATH)
    p.add_argument("--to", metavar="FILE.pdf", type=out_file,
                   help="PDF to write (default <RUN_DIR>.report.pdf beside the run folder; "
                        "an existing file is never overwritten)")
    p.set_defaults(func=_cmd_pdf)

    p = sub.add_parser("trade", help="value a forest-coverage indicator trade, forest carbon and water compensation "
                                     "from a request file (指标交易估值)")
    p.add_argument("request", metavar="REQUEST.yaml", type=PATH)
    p.add_argument("--out", required=True, type=out_folder, help="output folder (must not exist yet, or be empty)")
    p.add_argument("--coefficients", action="append", default=[], metavar="CSV", type=PATH,
                   help="a register whose rows override the default and trading terms (repeatable)")
    p.add_argument("--method", metavar="NAME|FILE", type=non_empty("method profile"),
                   help="method profile: a name of coefficients/methods/ (default, garze-2017) or a profile file "
                        "(.yaml); default: default")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_cmd_trade)

    p = sub.add_parser("compensation", help="cross-section water ecological compensation from a monitoring table "
                                            "(流域横向生态补偿)")
    p.add_argument("monitoring", metavar="MONITORING.csv", type=PATH,
                   help="section, upstream, downstream, year, month, target_class, measured_class, last_year_class "
                        "(or 断面, 上游, 下游, 年份, 月份, 目标类别, 水质类别, 上年同期类别)")
    p.add_argument("--out", required=True, type=out_folder)
    p.add_argument("--amount", metavar="AMOUNT", type=amount,
                   help="per section and month, 0 or more, e.g. '100 万元/month' (default: register)")
    p.add_argument("--fails-class", choices=("upstream_pays", "downstream_pays", "none"),
                   help="who pays when a section fails its class (declared rule, unverified; default upstream_pays)")
    p.add_argument("--unchanged", choices=("upstream_pays", "downstream_pays", "none"),
                   help="who pays when a section meets its class, unchanged on last year (default none)")
    p.add_argument("--coefficients", action="append", default=[], metavar="CSV", type=PATH)
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=_cmd_trade, method=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # a refused option (argparse printed why), --help or --version: its exit code
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    args.argv = argv
    try:
        return args.func(args)
    except (InventoryError, CoefficientError, UnitError, OutputExistsError, AuditError, MethodError, ReadError,
            PriceIndexError, NonFiniteFigures, ExplainError) as exc:
        print(f"gep: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"gep: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug in gep: the user gets a sentence and a log, not a traceback
        if os.environ.get("GEP_DEBUG"):
            raise
        return _internal_error(exc, argv)


INTERNAL_ERROR = 70  # EX_SOFTWARE: not the input's fault (exit 1 is a refused input, 2 a wrong command line)


def _internal_error(exc: Exception, argv: list[str]) -> int:
    """Write the traceback to a log file in the temporary folder and say where, in one paragraph."""
    import tempfile
    import traceback
    fd, log = tempfile.mkstemp(prefix="gep-error-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"gep {__version__}\ncommand: gep {shlex.join(argv)}\n\n")
        fh.write("".join(traceback.format_exception(exc)))
    print(f"gep: internal error ({type(exc).__name__}: {shown(exc, 200)}). This is a fault in gep, not in your "
          f"input; nothing was written. The details are in {log} — please send that file with your report "
          f"(set GEP_DEBUG=1 to see them here).", file=sys.stderr)
    return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
