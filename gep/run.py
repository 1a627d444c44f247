"""One GEP run: load, account, and write every output into one folder, all or nothing.

Outputs are first written to a sibling staging folder and moved into place only when complete, so a
failed run leaves nothing half-written; a staging folder left by a killed run is removed by the next run to
the same output folder (see :func:`gep.jobfolder.staged`). An existing output folder is never overwritten silently: the
run refuses, or with ``overwrite=True`` keeps the old folder as ``<name>.previous-N``.

A run folder is self-contained: it holds a copy of its inputs (``inputs/inventory/`` — the CSV/XLSX
files of the inventory folder, or the single workbook — and ``inputs/coefficients/`` — every register
applied, base register first) and the run is computed *from those copies*, so what the folder
records is exactly what was computed. ``manifest.json`` lists the SHA-256 of every file;
``gep verify`` recomputes a run folder or its audit pack from its own ``inputs/``.
"""
from __future__ import annotations

import dataclasses
import shlex
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .accounting import Options, Results, account
from .coefficients import DEFAULT_REGISTER, CoefficientError, load_register
from .inventory import is_workbook, load_inventory
from .jobfolder import (GRID_DIR, GRID_NAME, PRICE_INDICES_NAME, copy_grid_inputs, copy_inventory, copy_method,
                        copy_registers, created_now, grid_of_inventory, refuse_existing, staged, unique_names)
from .method import DEFAULT_METHOD, Method, as_method, default_method
from .outputs import write_csv, write_manifest, write_netcdf

PARCELS_NAME = "gep_parcels.csv"  # each parcel's figures, when the inventory has a parcels table


@dataclass
class RunOutput:
    folder: Path
    results: Results
    previous: Path | None


def reproducible_command(inventory_name: str, registers: list[str], exclude, lang: str,
                         base_year: int | None = None, price_indices: str | None = None, grid: bool = False,
                         method: str = DEFAULT_METHOD) -> str:
    """The command as shown in reports: no output folder, registers by their name in the run folder, the
    method profile by its name, so two runs on the same inputs and options show the same command."""
    parts = ["gep", "run", inventory_name]
    if method != DEFAULT_METHOD:
        parts += ["--method", method]
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


def _registers(base_register, coefficient_files) -> list[Path]:
    """The registers applied, base first (the default register unless one is given), each checked to exist."""
    registers = [Path(base_register) if base_register is not None else DEFAULT_REGISTER]
    registers += [Path(p) for p in coefficient_files]
    for path in registers:
        if not path.is_file():
            raise CoefficientError(f"coefficient register {path} not found")
    return registers


@dataclass
class CopiedInputs:
    inventory: Path  # the copied inventory folder, or the copied workbook
    inputs: list[Path]  # inventory files and the price-index table, as copied
    registers: list[Path]  # the copied registers, base first
    price_indices: Path


def _copy_inputs(staging: Path, inventory_path: Path, registers: list[Path], register_names: list[str],
                 price_indices: str | None) -> CopiedInputs:
    """Copy the inventory, the registers and the price-index table under ``staging/inputs/``: a run is
    computed from these copies, so its folder holds exactly what was used."""
    inventory, inputs, indices = copy_inventory(staging, inventory_path, price_indices)
    return CopiedInputs(inventory, inputs, copy_registers(staging, registers, register_names), indices)


def shown_method(method: str | Path | Method | None) -> str:
    """How commands in reports name a profile: by its name when its file is named after it (every shipped
    profile), else by the file's name — the copy under ``inputs/methods/`` in a run folder."""
    loaded = as_method(method)
    return loaded.name if loaded.files[0].stem == loaded.name else loaded.files[0].name


def differing_choices(method: Method) -> dict[str, str]:
    """The choices of a profile whose option differs from the default profile's, for manifests."""
    return {mine.choice: mine.option for mine, _ in method.differences(default_method()) if mine is not None}


def run(inventory_path: str | Path, out: str | Path, coefficient_files: tuple[str, ...] = (),
        options: Options | None = None, lang: str = "zh", overwrite: bool = False,
        command: str = "", base_register: str | Path | None = None,
        inventory_name: str | None = None, reference_layers: bool = False) -> RunOutput:
    """Compute GEP for an inventory and write all outputs, with a copy of the inputs, into ``out``.

    ``base_register`` replaces the default register as the base the ``coefficient_files`` override
    (used to recompute a run from the copy of the default register in its folder).
    ``inventory_name`` is the name reports show (default: the folder's or workbook's name).
    ``command`` is the full command line, recorded in the manifest only.
    ``options.grid`` names a grid description (default: ``grid.yaml`` in the inventory folder, if any); it
    and its layers are copied under ``inputs/grid/`` and the gridded quantities computed from the copies;
    with ``reference_layers`` only the description is copied and the layers are recorded in place, by
    absolute path and SHA-256 (``referenced_inputs`` of the manifest), for rasters too large to copy.
    """
    from .render.excel import write_excel
    from .render.html import write_html
    from .render.formulas import write_formula_workbook
    from .render.trace_page import write_trace_html

    inventory_path, out = Path(inventory_path), Path(out)
    options = options or Options()
    refuse_existing(out, overwrite)
    workbook = is_workbook(inventory_path)
    registers = _registers(base_register, coefficient_files)
    inventory_name = inventory_name or inventory_path.name
    options = dataclasses.replace(options, grid=grid_of_inventory(inventory_path, options.grid))
    register_names = unique_names(registers)
    # the price-index table is listed in the reports and copied under inputs/, not shown in the command,
    # so a recomputation from a pack (which names its own copy) shows the same command
    shown_command = reproducible_command(inventory_name, register_names[1:], options.exclude, lang,
                                         options.base_year, grid=bool(options.grid),
                                         method=shown_method(options.method))

    with staged(out) as stage:
        staging = stage.path
        copied = _copy_inputs(staging, inventory_path, registers, register_names, options.price_indices)
        inputs, copies, indices = copied.inputs, copied.registers, copied.price_indices
        referenced: list[Path] | None = [] if reference_layers else None
        grid = copy_grid_inputs(staging, options.grid, inputs, referenced)
        method_copy, method = copy_method(staging, options.method)
        inputs += sorted(method_copy.parent.iterdir())
        inventory = load_inventory(copied.inventory, shown_as=inventory_path)
        register = load_register(*copies[1:], base=copies[0], shown_as=registers)
        results = account(inventory, register, dataclasses.replace(
            options, price_indices=str(indices), grid=str(grid) if grid else None, method=method,
            price_indices_shown=options.price_indices))

        write_csv(results.services, staging / "gep_services.csv")
        write_csv(results.summary, staging / "gep_summary.csv")
        write_csv(results.coefficients, staging / "coefficients_used.csv")
        write_csv(results.trace, staging / "gep_trace.csv")
        write_csv(results.growth, staging / "gep_growth.csv")
        write_csv(results.evaluation, staging / "gep_evaluation.csv")
        write_csv(results.decomposition, staging / "gep_decomposition.csv")
        write_csv(results.price_indices, staging / "price_indices_used.csv")
        if results.parcels is not None:
            write_csv(results.parcels.frame(), staging / PARCELS_NAME)
        write_netcdf(results, staging / "gep_results.nc")
        meta = {
            "title": f"{results.summary.loc[results.summary['region_code'] == results.county_code, 'region_name'].iloc[0]}"
                     f" 生态系统生产总值（GEP）核算报告" if lang == "zh" else "Gross ecosystem product (GEP) account",
            "inventory": inventory_name, "gep_version": __version__,
            "format_version": inventory.format_version, "command": shown_command, "years": results.years,
            "county_code": results.county_code, "excluded": results.excluded,
            "notes": results.notes + [str(w) for w in inventory.warnings],
            "trace": True,
            "base_year": results.base_year, "growth": results.growth, "evaluation": results.evaluation,
            "decomposition": results.decomposition, "price_indices": results.price_indices,
            "parcels": results.parcels, "service_status": results.service_status, "method": results.method,
        }
        write_trace_html(staging / "trace", results.services, results.summary, results.trace, meta["title"], lang=lang,
                         method=results.method)
        write_formula_workbook(staging / "gep_formulas.xlsx", results, lang=lang)
        write_excel(staging / "gep_workbook.xlsx", results.services, results.summary, results.coefficients, meta,
                    lang=lang)
        write_html(staging / "gep_report.html", results.services, results.summary, results.coefficients, meta,
                   lang=lang)
        write_manifest(staging, command or shown_command, shown_command,
                       {"base_register": register_names[0], "coefficients": register_names[1:],
                        "method": method_copy.name, "method_name": method.name,
                        "method_differs_from_default": differing_choices(method),
                        "exclude": list(options.exclude), "lang": lang, "base_year": options.base_year,
                        "base_year_used": results.base_year, "price_indices": PRICE_INDICES_NAME,
                        **({"grid": f"{GRID_DIR}/{GRID_NAME}"} if grid else {}),
                        **({"grid_layers": "referenced"} if referenced else {})},
                       {"name": inventory_name, "kind": "workbook" if workbook else "folder"},
                       inputs, copies, created=created_now(), referenced=referenced)
    return RunOutput(folder=out, results=results, previous=stage.previous)


def statement_command(inventory_name: str, registers: list[str], start: int, end: int, region: str | None,
                      rate: float | None, asset_life: float | None, lang: str = "zh", grid: bool = False,
                      method: str = DEFAULT_METHOD) -> str:
    """The statement command as shown in reports and the manifest: no output folder, registers by name."""
    parts = ["gep", "statement", inventory_name, "--from", str(start), "--to", str(end)]
    if region:
        parts += ["--region", region]
    if method != DEFAULT_METHOD:
        parts += ["--method", method]
    for name in registers:
        parts += ["--coefficients", name]
    if rate is not None:
        parts += ["--discount-rate", repr(rate)]
    if asset_life is not None:
        parts += ["--asset-life", repr(asset_life)]
    if lang != "zh":
        parts += ["--lang", lang]
    if grid:
        parts += ["--grid", GRID_NAME]
    return " ".join(shlex.quote(p) for p in parts)


def run_statement(inventory_path: str | Path, out: str | Path, start: int, end: int, region: str | None = None,
                  coefficient_files: tuple[str, ...] = (), rate: float | None = None,
                  asset_life: float | None = None, overwrite: bool = False, command: str = "",
                  base_register: str | Path | None = None, inventory_name: str | None = None,
                  price_indices: str | Path | None = None, lang: str = "zh", grid: str | Path | None = None,
                  method: str | Path | None = None) -> Path:
    """The asset-liability statement of ``region`` (default: the top-level region) for ``start`` → ``end``,
    written into ``out`` like a run: inputs copied under ``inputs/`` and the statement computed from the
    copies, staged, never silently overwriting, with a manifest that ``gep verify`` recomputes."""
    from .assets.statement import DEFAULT_LIFE, DEFAULT_RATE, build_statement, check_region
    from .render.statement import statement_html, write_statement_excel

    inventory_path, out = Path(inventory_path), Path(out)
    refuse_existing(out, overwrite)
    workbook = is_workbook(inventory_path)
    registers = _registers(base_register, coefficient_files)
    register_names = unique_names(registers)
    inventory_name = inventory_name or inventory_path.name
    grid = grid_of_inventory(inventory_path, str(grid) if grid else None)
    shown_command = statement_command(inventory_name, register_names[1:], start, end, region, rate, asset_life, lang,
                                      grid=bool(grid), method=shown_method(method))
    with staged(out) as stage:
        staging = stage.path
        copied = _copy_inputs(staging, inventory_path, registers, register_names,
                              str(price_indices) if price_indices else None)
        grid_copy = copy_grid_inputs(staging, grid, copied.inputs)
        method_copy, method_used = copy_method(staging, method)
        copied.inputs.extend(sorted(method_copy.parent.iterdir()))
        inventory = load_inventory(copied.inventory, shown_as=inventory_path)
        if region is not None:  # before the accounts, which take a while on a county
            check_region(inventory, region)
        register = load_register(*copied.registers[1:], base=copied.registers[0], shown_as=registers)
        results = account(inventory, register, Options(price_indices=str(copied.price_indices),
                                                       price_indices_shown=str(price_indices) if price_indices else None,
                                                       grid=str(grid_copy) if grid_copy else None, method=method_used))
        st = build_statement(inventory, register, results, region or results.county_code, start, end,
                             rate if rate is not None else DEFAULT_RATE,
                             asset_life if asset_life is not None else DEFAULT_LIFE)
        write_csv(st.summary, staging / "statement_summary.csv")
        write_csv(st.monetary.account.reset_index(names="row"), staging / "asset_account.csv")
        for name, acc in st.physical.items():
            write_csv(acc.table.reset_index(names="row"), staging / f"physical_{name}.csv")
            write_csv(acc.by_cause.reset_index(names="cause"), staging / f"physical_{name}_by_cause.csv")
        write_csv(st.change_matrix.reset_index(names="from"), staging / "change_matrix.csv")
        write_csv(st.condition, staging / "condition_account.csv")
        write_csv(pd_concat([st.liabilities_start.assign(balance="opening"),
                             st.liabilities_end.assign(balance="closing")]), staging / "liabilities.csv")
        write_csv(st.sensitivity, staging / "discount_rate_sensitivity.csv")
        write_csv(st.monetary.npv, staging / "expected_flows_npv.csv")
        write_csv(st.monetary.entries, staging / "asset_account_entries.csv")
        (staging / "statement.html").write_text(statement_html(st, shown_command, lang), encoding="utf-8", newline="\n")
        write_statement_excel(staging / "statement.xlsx", st, shown_command, lang)
        write_manifest(staging, command or shown_command, shown_command,
                       {"kind": "statement", "base_register": register_names[0], "coefficients": register_names[1:],
                        "method": method_copy.name, "method_name": method_used.name,
                        "method_differs_from_default": differing_choices(method_used),
                        "region": region, "region_used": st.region, "start": start, "end": end, "discount_rate": rate,
                        "asset_life": asset_life, "discount_rate_used": st.rate, "asset_life_used": st.asset_life,
                        "price_indices": PRICE_INDICES_NAME, "lang": lang,
                        **({"grid": f"{GRID_DIR}/{GRID_NAME}"} if grid_copy else {})},
                       {"name": inventory_name, "kind": "workbook" if workbook else "folder"},
                       copied.inputs, copied.registers, created=created_now())
    return out


def pd_concat(frames):
    import pandas as pd
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
