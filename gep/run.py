"""One GEP run: load, account, and write every output into one folder, all or nothing.

Outputs are first written to a sibling staging folder and moved into place only when complete, so a
failed run leaves nothing half-written. An existing output folder is never overwritten silently: the
run refuses, or with ``overwrite=True`` keeps the old folder as ``<name>.previous-N``.

A run folder is self-contained: it holds a copy of its inputs (``inputs/inventory/`` — the CSV/XLSX
files of the inventory folder, or the single workbook — and ``inputs/coefficients/`` — every register
applied, base register first) and the run is computed *from those copies*, so what the folder
records is exactly what was computed. ``manifest.json`` lists the SHA-256 of every file;
``gep verify`` recomputes a run folder or its audit pack from its own ``inputs/``.
"""
from __future__ import annotations

import datetime as _dt
import dataclasses
import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .accounting import Options, Results, account
from .coefficients import DEFAULT_REGISTER, CoefficientError, load_register
from .inventory import InventoryError, Problem, load_inventory
from .prices import DEFAULT_INDICES
from .outputs import INPUTS, write_csv, write_manifest, write_netcdf

INVENTORY_DIR = f"{INPUTS}/inventory"
COEFFICIENTS_DIR = f"{INPUTS}/coefficients"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


PRICE_INDICES_NAME = "price_indices.csv"  # the run's copy of the price-index table, under inputs/
GRID_DIR = "grid"  # the run's copy of the grid description and its layers, under inputs/
GRID_NAME = "grid.yaml"  # a grid description found in the inventory folder is used


class OutputExistsError(FileExistsError):
    pass


@dataclass
class RunOutput:
    folder: Path
    results: Results
    previous: Path | None


def _previous_name(out: Path) -> Path:
    n = 1
    while (candidate := out.with_name(f"{out.name}.previous-{n}")).exists():
        n += 1
    return candidate


def _inventory_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".csv", *WORKBOOK_SUFFIXES))


def unique_names(paths) -> list[str]:
    """File names for ``paths`` in one folder, order kept: a clashing name (case-insensitive) gets
    ``-2``, ``-3``, … before its suffix (``default.csv``, ``default-2.csv``)."""
    used: set[str] = set()
    names = []
    for p in paths:
        p = Path(p)
        name, n = p.name, 1
        while name.lower() in used:
            n += 1
            name = f"{p.stem}-{n}{p.suffix}"
        used.add(name.lower())
        names.append(name)
    return names


def reproducible_command(inventory_name: str, registers: list[str], exclude, lang: str,
                         base_year: int | None = None, price_indices: str | None = None, grid: bool = False) -> str:
    """The command as shown in reports: no output folder, registers by their name in the run folder,
    so two runs on the same inputs and options show the same command."""
    parts = ["gep", "run", inventory_name]
    for name in registers:
        parts += ["--coefficients", name]
    for service in exclude:
        parts += ["--exclude", service]
    if lang != "zh":
        parts += ["--lang", lang]
    if base_year:
        parts += ["--base-year", str(base_year)]
    if price_indices:
        parts += ["--price-indices", Path(price_indices).name]
    if grid:
        parts += ["--grid", GRID_NAME]
    return " ".join(shlex.quote(p) for p in parts)


def run(inventory_path: str | Path, out: str | Path, coefficient_files: tuple[str, ...] = (),
        options: Options | None = None, lang: str = "zh", overwrite: bool = False,
        command: str = "", base_register: str | Path | None = None,
        inventory_name: str | None = None) -> RunOutput:
    """Compute GEP for an inventory and write all outputs, with a copy of the inputs, into ``out``.

    ``base_register`` replaces the default register as the base the ``coefficient_files`` override
    (used to recompute a run from the copy of the default register in its folder).
    ``inventory_name`` is the name reports show (default: the folder's or workbook's name).
    ``command`` is the full command line, recorded in the manifest only.
    ``options.grid`` names a grid description (default: ``grid.yaml`` in the inventory folder, if any); it
    and its layers are copied under ``inputs/grid/`` and the gridded quantities computed from the copies.
    """
    from .render.excel import write_excel
    from .render.html import write_html
    from .render.formulas import write_formula_workbook
    from .render.trace_page import write_trace_html

    inventory_path, out = Path(inventory_path), Path(out)
    options = options or Options()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise OutputExistsError(f"output folder {out} already exists and is not empty; choose another --out, "
                                f"or pass --overwrite to keep the old one as {_previous_name(out).name}")
    workbook = inventory_path.is_file() and inventory_path.suffix.lower() in WORKBOOK_SUFFIXES
    if not (workbook or inventory_path.is_dir()):
        raise InventoryError([Problem(str(inventory_path), None, None,
                                      "not found: give a folder of CSV files or an .xlsx workbook")])
    registers = [Path(base_register) if base_register is not None else DEFAULT_REGISTER]
    registers += [Path(p) for p in coefficient_files]
    for path in registers:
        if not path.is_file():
            raise CoefficientError(f"coefficient register {path} not found")
    inventory_name = inventory_name or inventory_path.name
    if options.grid is None and inventory_path.is_dir() and (inventory_path / GRID_NAME).is_file():
        options = dataclasses.replace(options, grid=str(inventory_path / GRID_NAME))
    register_names = unique_names(registers)
    # the price-index table is listed in the reports and copied under inputs/, not shown in the command,
    # so a recomputation from a pack (which names its own copy) shows the same command
    shown_command = reproducible_command(inventory_name, register_names[1:], options.exclude, lang,
                                         options.base_year, grid=bool(options.grid))

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        # copy the inputs first and compute from the copies: the folder holds exactly what was used
        inventory_dir = staging / INVENTORY_DIR
        inventory_dir.mkdir(parents=True)
        inputs = []
        for f in _inventory_files(inventory_path):
            shutil.copyfile(f, inventory_dir / f.name)
            inputs.append(inventory_dir / f.name)
        coefficients_dir = staging / COEFFICIENTS_DIR
        coefficients_dir.mkdir(parents=True)
        copies = [coefficients_dir / name for name in register_names]
        for source, copy in zip(registers, copies):
            shutil.copyfile(source, copy)

        indices = staging / "inputs" / PRICE_INDICES_NAME
        shutil.copyfile(options.price_indices or DEFAULT_INDICES, indices)

        grid = None
        if options.grid:
            from .grid.layers import copy_grid
            grid, layer_files = copy_grid(options.grid, staging / INPUTS / GRID_DIR, unique_names)
            inputs += [grid, *layer_files]
        inventory = load_inventory(inputs[0] if workbook else inventory_dir)
        register = load_register(*copies[1:], base=copies[0])
        results = account(inventory, register, dataclasses.replace(
            options, price_indices=str(indices), grid=str(grid) if grid else None))
        inputs.append(indices)

        write_csv(results.services, staging / "gep_services.csv")
        write_csv(results.summary, staging / "gep_summary.csv")
        write_csv(results.coefficients, staging / "coefficients_used.csv")
        if len(results.trace):
            write_csv(results.trace, staging / "gep_trace.csv")
        write_csv(results.growth, staging / "gep_growth.csv")
        write_csv(results.evaluation, staging / "gep_evaluation.csv")
        write_csv(results.decomposition, staging / "gep_decomposition.csv")
        write_csv(results.price_indices, staging / "price_indices_used.csv")
        write_netcdf(results, staging / "gep_results.nc")
        meta = {
            "title": f"{results.summary.loc[results.summary['region_code'] == results.county_code, 'region_name'].iloc[0]}"
                     f" 生态系统生产总值（GEP）核算报告" if lang == "zh" else "Gross ecosystem product (GEP) account",
            "inventory": inventory_name, "gep_version": __version__,
            "format_version": inventory.format_version, "command": shown_command, "years": results.years,
            "county_code": results.county_code, "excluded": results.excluded,
            "notes": results.notes + [str(w) for w in inventory.warnings],
            "trace": bool(len(results.trace)),
            "base_year": results.base_year, "growth": results.growth, "evaluation": results.evaluation,
            "decomposition": results.decomposition, "price_indices": results.price_indices,
        }
        if len(results.trace):
            write_trace_html(staging / "trace", results.services, results.summary, results.trace,
                             meta["title"], lang=lang)
            write_formula_workbook(staging / "gep_formulas.xlsx", results, lang=lang)
        write_excel(staging / "gep_workbook.xlsx", results.services, results.summary, results.coefficients, meta,
                    lang=lang)
        write_html(staging / "gep_report.html", results.services, results.summary, results.coefficients, meta,
                   lang=lang)
        created = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        write_manifest(staging, command or shown_command, shown_command,
                       {"base_register": register_names[0], "coefficients": register_names[1:],
                        "exclude": list(options.exclude), "lang": lang, "base_year": options.base_year,
                        "base_year_used": results.base_year, "price_indices": PRICE_INDICES_NAME,
                        **({"grid": f"{GRID_DIR}/{GRID_NAME}"} if grid else {})},
                       {"name": inventory_name, "kind": "workbook" if workbook else "folder"},
                       inputs, copies, created=created)
        os.chmod(staging, 0o755)
        previous = _publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RunOutput(folder=out, results=results, previous=previous)


def _publish(staging: Path, out: Path) -> Path | None:
    """Move a complete staging folder into place; an earlier non-empty ``out`` is kept as ``out.previous-N``
    (returned)."""
    previous = None
    if out.exists():
        if any(out.iterdir()):
            previous = _previous_name(out)
            out.rename(previous)
        else:
            out.rmdir()
    staging.rename(out)
    return previous


def run_statement(inventory_path: str | Path, out: str | Path, start: int, end: int, region: str | None = None,
                  coefficient_files: tuple[str, ...] = (), rate: float | None = None,
                  asset_life: float | None = None, overwrite: bool = False, command: str = "") -> Path:
    """The asset-liability statement of ``region`` (default: the top-level region) for ``start`` → ``end``,
    written into ``out`` like a run: staged, never silently overwriting, with a manifest of hashes."""
    import json

    from .assets.statement import DEFAULT_LIFE, DEFAULT_RATE, build_statement
    from .outputs import sha256
    from .render.statement import statement_html, write_statement_excel

    inventory_path, out = Path(inventory_path), Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise OutputExistsError(f"output folder {out} already exists and is not empty; choose another --out, "
                                f"or pass --overwrite to keep the old one as {_previous_name(out).name}")
    inventory = load_inventory(inventory_path)
    register = load_register(*coefficient_files)
    results = account(inventory, register, Options())
    region = region or results.county_code
    st = build_statement(inventory, register, results, region, start, end,
                         rate if rate is not None else DEFAULT_RATE,
                         asset_life if asset_life is not None else DEFAULT_LIFE)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        write_csv(st.summary, staging / "statement_summary.csv")
        write_csv(st.monetary.account.reset_index(names="row"), staging / "asset_account.csv")
        for name, acc in st.physical.items():
            write_csv(acc.table.reset_index(names="row"), staging / f"physical_{name}.csv")
        write_csv(st.change_matrix.reset_index(names="from"), staging / "change_matrix.csv")
        write_csv(pd_concat([st.liabilities_start.assign(balance="opening"),
                             st.liabilities_end.assign(balance="closing")]), staging / "liabilities.csv")
        write_csv(st.sensitivity, staging / "discount_rate_sensitivity.csv")
        write_csv(st.monetary.npv, staging / "expected_flows_npv.csv")
        write_csv(st.monetary.entries, staging / "asset_account_entries.csv")
        (staging / "statement.html").write_text(statement_html(st), encoding="utf-8", newline="\n")
        write_statement_excel(staging / "statement.xlsx", st)
        inputs = _inventory_files(inventory_path) + [Path(p) for p in (DEFAULT_REGISTER, *coefficient_files)]
        manifest = {"gep_version": __version__, "command": command, "region": region, "start": start, "end": end,
                    "discount_rate": st.rate, "asset_life": st.asset_life,
                    "inputs": {str(p): sha256(p) for p in inputs},
                    "outputs": {p.name: sha256(p) for p in sorted(staging.iterdir())}}
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
        os.chmod(staging, 0o755)
        _publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def pd_concat(frames):
    import pandas as pd
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
