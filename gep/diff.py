"""What differs between two runs, and how much each difference moves the figures (``gep diff``).

:func:`diff` lists what differs between the inputs of two runs (inventory cells, register rows, the method
profile, options) and how much each change, applied alone to run A, moves each figure and GEP; the interaction
residual is what the one-at-a-time effects do not explain. Runs and packs are opened as :mod:`gep.audit` opens
them for ``gep verify``.
"""
from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import __version__
from .accounting import Options, account
from .audit import opened
from .catalogue import inventory_spec
from .coefficients import CoefficientError, Register
from .inventory import HEADER_RE, InventoryError, cell_as_text, column_key, load_inventory, table_key
from .jobfolder import COEFFICIENTS_DIR, INVENTORY_DIR, AuditError, JobInputs, read_manifest
from .jobs import job_of
from .method import Method
from .outputs import sha256, write_csv
from .reading import read_csv, read_workbook
from .units import UnitError


@dataclass(frozen=True)
class Variant:
    """What a run is computed from, as the diff varies it one change at a time."""

    inventory: Path
    register: Register
    exclude: tuple[str, ...]
    method: Method


@dataclass
class Change:
    kind: str  # input | coefficient | method | option
    label: str
    details: list[str]
    # how to apply it alone to run A: A's variant -> the variant with this change
    apply: Callable[[Variant], Variant] | None


def _raw_tables(path: Path) -> dict[str, pd.DataFrame]:
    """The tables of one inventory file as text: {table or sheet name: frame}."""
    if path.suffix.lower() == ".csv":
        return {table_key(path.stem) or path.stem: read_csv(path)}
    sheets = read_workbook(path)
    if len(sheets) == 1 and table_key(path.stem):
        ((_, frame),) = sheets.items()
        sheets = {path.stem: frame}
    return {(table_key(s) or s): f.map(cell_as_text).astype(str) if len(f) else f.astype(str) for s, f in sheets.items()}


def _canonical_columns(table: str, frame: pd.DataFrame) -> dict[str, str]:
    """{canonical column name: header as written}; unknown headers are kept as written."""
    columns = inventory_spec()["tables"].get(table, {}).get("columns", {})
    out = {}
    for header in frame.columns:
        m = HEADER_RE.match(str(header))
        name = column_key(m["label"], columns) if m and columns else None
        out.setdefault(name or str(header), str(header))
    return out


def _table_changes(table: str, a: pd.DataFrame | None, b: pd.DataFrame | None) -> list[str]:
    if a is None:
        return [f"{table}: table added ({len(b)} rows)"]
    if b is None:
        return [f"{table}: table removed ({len(a)} rows)"]
    ca, cb = _canonical_columns(table, a), _canonical_columns(table, b)
    out = []
    for col in ca.keys() - cb.keys():
        out.append(f"{table}: column {ca[col]} removed")
    for col in cb.keys() - ca.keys():
        out.append(f"{table}: column {cb[col]} added")
    for col in ca.keys() & cb.keys():
        if ca[col] != cb[col]:
            out.append(f"{table}: column header {ca[col]} → {cb[col]}")
    key = list(inventory_spec()["tables"].get(table, {}).get("key", []))
    if not key or not set(key) <= ca.keys() & cb.keys():
        key = []

    def rows(frame: pd.DataFrame, names: dict[str, str]) -> dict[tuple, dict[str, str]]:
        result = {}
        for i, r in enumerate(frame.itertuples(index=False), start=2):
            values = {c: str(v).strip() for c, v in zip(frame.columns, r)}
            record = {col: values[h] for col, h in names.items()}
            k = tuple(record[c] for c in key) if key else (f"row {i}",)
            while k in result:  # duplicate key: keep both
                k = k + ("'",)
            result[k] = record
        return result

    ra, rb = rows(a, ca), rows(b, cb)
    label = f"[{', '.join(key)}]" if key else ""
    for k in ra.keys() - rb.keys():
        out.append(f"{table} {label}={', '.join(k)}: row removed")
    for k in rb.keys() - ra.keys():
        out.append(f"{table} {label}={', '.join(k)}: row added")
    shared = [c for c in ca if c in cb]
    for k in sorted(ra.keys() & rb.keys()):
        for col in shared:
            if ra[k][col] != rb[k][col]:
                out.append(f"{table} [{', '.join(k)}] {col}: {ra[k][col] or '(empty)'} → {rb[k][col] or '(empty)'}")
    return out


def _file_changes(a: Path | None, b: Path | None) -> list[str]:
    try:
        ta = _raw_tables(a) if a is not None else {}
        tb = _raw_tables(b) if b is not None else {}
    except Exception as exc:  # unreadable: the hash difference is all we can say
        return [f"cannot compare cells: {exc}"]
    out = []
    for table in sorted(ta.keys() | tb.keys()):
        fa, fb = ta.get(table), tb.get(table)
        if fa is not None and fb is not None and fa.equals(fb):
            continue
        out += _table_changes(table, fa, fb)
    return out


def _coefficient_text(c) -> str:
    if c is None:
        return "(none)"
    return f"{c.value_as_written:g} {c.unit_as_written}, price year {c.price_year or '-'}, {c.status} ({Path(c.register).name})"


def _with(mapping: dict, key, value) -> dict:
    """A copy of ``mapping`` with B's ``value`` at ``key``, or without the key where B has none."""
    out = dict(mapping)
    if value is None:
        out.pop(key, None)
    else:
        out[key] = value
    return out


def _changes(a: JobInputs, b: JobInputs, reg_a: Register, reg_b: Register,
             scratch: Path) -> tuple[list[Change], list[str]]:
    """The one-at-a-time changes from A to B, and lines describing register files."""
    changes: list[Change] = []
    files_a, files_b = a.inventory_files(), b.inventory_files()
    if a.inventory_kind != b.inventory_kind or (a.inventory_kind == "workbook"
                                                and a.inventory_path.name != b.inventory_path.name):
        changes.append(Change("input", f"inventory replaced: {a.inventory_kind} {a.inventory_path.name} → "
                              f"{b.inventory_kind} {b.inventory_path.name}", [],
                              lambda v: dataclasses.replace(v, inventory=b.inventory_path)))
    else:
        for name in sorted(files_a.keys() | files_b.keys()):
            pa, pb = files_a.get(name), files_b.get(name)
            if pa is not None and pb is not None and sha256(pa) == sha256(pb):
                continue
            what = "added" if pa is None else "removed" if pb is None else "changed"
            rel = f"{INVENTORY_DIR}/{name}"

            def apply(v, name=name, pb=pb):
                if a.inventory_kind == "workbook":
                    return dataclasses.replace(v, inventory=pb)
                variant = Path(tempfile.mkdtemp(prefix="variant-", dir=scratch))
                for n, p in files_a.items():
                    if n != name:
                        shutil.copyfile(p, variant / n)
                if pb is not None:
                    shutil.copyfile(pb, variant / name)
                return dataclasses.replace(v, inventory=variant)
            changes.append(Change("input", f"{rel} {what}", _file_changes(pa, pb), apply))

    register_lines = []
    regs_a = {p.name: p for p in [a.base, *a.registers]}
    regs_b = {p.name: p for p in [b.base, *b.registers]}
    for name in sorted(regs_a.keys() | regs_b.keys()):
        pa, pb = regs_a.get(name), regs_b.get(name)
        if pa is None:
            register_lines.append(f"register {COEFFICIENTS_DIR}/{name} added")
        elif pb is None:
            register_lines.append(f"register {COEFFICIENTS_DIR}/{name} removed")
        elif sha256(pa) != sha256(pb):
            register_lines.append(f"register {COEFFICIENTS_DIR}/{name} changed")
    order_a = [p.name for p in [a.base, *a.registers]]
    order_b = [p.name for p in [b.base, *b.registers]]
    if order_a != order_b:
        register_lines.append(f"registers applied: {', '.join(order_a)} → {', '.join(order_b)}")

    for ident in sorted(reg_a.rows.keys() | reg_b.rows.keys()):
        ca, cb = reg_a.rows.get(ident), reg_b.rows.get(ident)
        if ca is not None and cb is not None and (ca.value_as_written, ca.unit_as_written, ca.price_year, ca.status) \
                == (cb.value_as_written, cb.unit_as_written, cb.price_year, cb.status):
            continue
        scope = "/".join(x for x in ident[1:] if x) or "*"
        what = "added" if ca is None else "removed" if cb is None else "changed"

        def apply(v, ident=ident, cb=cb):
            return dataclasses.replace(v, register=Register(rows=_with(v.register.rows, ident, cb),
                                                            files=v.register.files))
        changes.append(Change("coefficient", f"coefficient {ident[0]} [{scope}] {what}",
                              [f"{_coefficient_text(ca)} → {_coefficient_text(cb)}"], apply))

    method_a, method_b = a.method(), b.method()
    for ca, cb in method_a.differences(method_b):  # one change per choice whose option differs
        name = (ca or cb).choice

        def apply(v, name=name, cb=cb):
            return dataclasses.replace(v, method=dataclasses.replace(v.method,
                                                                     choices=_with(v.method.choices, name, cb)))
        changes.append(Change("method", f"method {name}: {method_a.option(name)} → {method_b.option(name)}",
                              [f"{method_a.name} → {method_b.name}; {cb.source if cb else ''}"], apply))
    if tuple(a.exclude) != tuple(b.exclude):
        changes.append(Change("option", f"option --exclude: {', '.join(a.exclude) or '(none)'} → "
                              f"{', '.join(b.exclude) or '(none)'}", [],
                              lambda v: dataclasses.replace(v, exclude=tuple(b.exclude))))
    if a.lang != b.lang:
        changes.append(Change("option", f"option --lang: {a.lang} → {b.lang} (reports only; no figure moves)",
                              [], None))
    return changes, register_lines


def _figures_of(v: Variant, like: JobInputs | None = None):
    """Figures of a variant (inventory, register, exclusions, method), with the price indices and base year of
    run ``like``."""
    options = like.account_options() if like else Options()
    results = account(load_inventory(v.inventory), v.register,
                      Options(exclude=v.exclude, base_year=options.base_year, price_indices=options.price_indices,
                              grid=options.grid, method=v.method))
    keys = ["region_code", "year", "service", "indicator", "ecosystem"]
    figures = results.services.set_index(keys)["value_yuan"]
    gep = results.summary.set_index(["region_code", "year"])["gep_yuan"]
    return figures, gep, results


def _delta(new: pd.Series, base: pd.Series) -> pd.DataFrame:
    frame = pd.concat({"value_a_yuan": base, "value_changed_yuan": new}, axis=1).fillna(0.0)
    frame["delta_yuan"] = frame["value_changed_yuan"] - frame["value_a_yuan"]
    return frame


def _yuan(x: float) -> str:
    """元 with sign and two decimals; what rounds to 0.00 is shown as 0 (float noise of a difference)."""
    return f"{x:+,.2f}" if round(x, 2) else "0"


@dataclass
class Difference:
    text: str
    changes: list[Change]
    effects: dict[int, pd.DataFrame]  # change number → GEP delta by region/year
    total: pd.DataFrame
    residual: pd.Series
    figure_deltas: pd.DataFrame


def diff(run_a: str | Path, run_b: str | Path, csv_path: str | Path | None = None, top: int = 5) -> Difference:
    """What differs between the inputs of runs A and B, and how far each change alone moves A's figures."""
    with opened(run_a) as fa, opened(run_b) as fb, tempfile.TemporaryDirectory(prefix="gep-diff-") as scratch:
        for name, folder in ((run_a, fa), (run_b, fb)):
            job = job_of(read_manifest(folder), folder)
            if not job.accounts_inventory:  # a valuation: its figures are not the accounts of an inventory
                raise AuditError(f"{name} is a {job.kind} folder: gep diff compares the GEP accounts of runs and "
                                 f"statements (gep verify recomputes a {job.kind} folder)")
        try:
            return _diff(JobInputs.of(fa), JobInputs.of(fb), str(run_a), str(run_b), csv_path, top, Path(scratch))
        except (InventoryError, CoefficientError, UnitError) as exc:
            raise AuditError(f"cannot recompute for the diff: {exc}") from None


def _diff(a: JobInputs, b: JobInputs, name_a: str, name_b: str, csv_path, top: int,
          scratch: Path) -> Difference:
    reg_a, reg_b = a.register(), b.register()
    changes, register_lines = _changes(a, b, reg_a, reg_b, scratch)
    variant_a = Variant(a.inventory_path, reg_a, a.exclude, a.method())
    base_figures, base_gep, base_results = _figures_of(variant_a, a)
    county = base_results.county_code
    names = base_results.summary.set_index("region_code")["region_name"].to_dict()
    lines = [f"gep diff  A = {name_a}  B = {name_b}", ""]
    if a.manifest.get("gep_version") != __version__ or b.manifest.get("gep_version") != __version__:
        lines.append(f"note: runs made with gep {a.manifest.get('gep_version')} / {b.manifest.get('gep_version')}; "
                     f"all figures below recomputed with gep {__version__}")
    inputs = [c for c in changes if c.kind == "input"]
    coefficients = [c for c in changes if c.kind == "coefficient"]
    methods = [c for c in changes if c.kind == "method"]
    options = [c for c in changes if c.kind == "option"]
    numbered = {id(c): i for i, c in enumerate(changes, start=1)}
    lines.append("Inventory files:" if inputs else "Inventory files: identical")
    for c in inputs:
        lines.append(f"  [{numbered[id(c)]}] {c.label}")
        lines += [f"        {d}" for d in c.details]
    lines.append("Coefficients:" if coefficients or register_lines else "Coefficients: identical")
    lines += [f"  {r}" for r in register_lines]
    for c in coefficients:
        lines.append(f"  [{numbered[id(c)]}] {c.label}: {c.details[0]}")
    if methods:
        lines.append("Method profile:")
        lines += [f"  [{numbered[id(c)]}] {c.label} ({c.details[0]})" for c in methods]
    if options:
        lines.append("Options:")
        lines += [f"  [{numbered[id(c)]}] {c.label}" for c in options]
    lines.append("")

    effects: dict[int, pd.DataFrame] = {}
    csv_frames = []
    years = sorted(int(y) for y in base_gep.loc[county].index)

    def county_line(delta: pd.DataFrame) -> str:
        sub = delta["delta_yuan"]
        return "  ".join(f"{y}: {_yuan(sub.get((county, y), 0.0))}" for y in years)

    def record(n: int, label: str, fig: pd.DataFrame, gep: pd.DataFrame):
        f = fig[fig["delta_yuan"] != 0].reset_index()
        f.insert(0, "kind", "figure")
        g = gep[gep["delta_yuan"] != 0].reset_index()
        g.insert(0, "kind", "gep")
        g["service"] = g["indicator"] = g["ecosystem"] = ""
        frame = pd.concat([g, f], ignore_index=True)
        frame.insert(0, "change", label)
        frame.insert(0, "change_id", n)
        csv_frames.append(frame)

    lines.append(f"Effect of each change alone on A (元; {names.get(county, county)} {county}):")
    for c in changes:
        n = numbered[id(c)]
        if c.apply is None:
            lines.append(f"  [{n}] {c.label}: not recomputed")
            continue
        try:
            figures, gep, _ = _figures_of(c.apply(variant_a), a)
        except (InventoryError, CoefficientError, UnitError) as err:
            first = str(err).splitlines()
            lines.append(f"  [{n}] {c.label}: cannot be applied alone to A ({' '.join(first[:2])}); "
                         f"its effect is left in the residual")
            continue
        fig_delta, gep_delta = _delta(figures, base_figures), _delta(gep, base_gep)
        effects[n] = gep_delta
        record(n, c.label, fig_delta, gep_delta)
        lines.append(f"  [{n}] {c.label}")
        lines.append(f"      ΔGEP  {county_line(gep_delta)}")
        moved = fig_delta[fig_delta.index.get_level_values("region_code") == county]  # none in an empty account
        moved = moved[moved["delta_yuan"] != 0]
        if len(moved):
            order = moved["delta_yuan"].abs().sort_values(ascending=False, kind="stable").index[:top]
            lines.append("      figures moved most:")
            lines += [f"        {k[1]}  {k[2]}/{k[3]}/{k[4]}  {_yuan(moved.loc[k, 'delta_yuan'])}" for k in order]
        elif gep_delta["delta_yuan"].any():
            lines.append(f"      no figure of {county} moved; what counts in GEP changed")
        else:
            lines.append(f"      no figure of {county} moved")

    b_figures, b_gep, _ = _figures_of(Variant(b.inventory_path, reg_b, b.exclude, b.method()), a)
    total = _delta(b_gep, base_gep)
    total_figures = _delta(b_figures, base_figures)
    record(0, "total A→B", total_figures, total)
    summed = sum((e["delta_yuan"] for e in effects.values()), pd.Series(0.0, index=total.index))
    summed = summed.reindex(total.index, fill_value=0.0)
    residual = total["delta_yuan"] - summed.fillna(0.0)
    lines.append("")
    lines.append(f"Total ΔGEP A→B               {county_line(total)}")
    lines.append("Sum of one-at-a-time effects  " + "  ".join(
        f"{y}: {_yuan(summed.get((county, y), 0.0))}" for y in years))
    lines.append("Interaction residual          " + "  ".join(
        f"{y}: {_yuan(residual.get((county, y), 0.0))}" for y in years))
    if not changes:
        lines.append("no differences in inventory files, coefficients, method or options")

    figure_deltas = pd.concat(csv_frames, ignore_index=True) if csv_frames else pd.DataFrame()
    columns = ["change_id", "change", "kind", "region_code", "year", "service", "indicator", "ecosystem",
               "value_a_yuan", "value_changed_yuan", "delta_yuan"]
    figure_deltas = figure_deltas.reindex(columns=columns)
    if csv_path is not None:
        write_csv(figure_deltas, Path(csv_path))
        lines.append(f"per-change figure deltas written to {csv_path}")
    return Difference(text="\n".join(lines), changes=changes, effects=effects, total=total, residual=residual,
                      figure_deltas=figure_deltas)
