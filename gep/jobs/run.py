"""One GEP run (``gep run``): load, account, and write every output into one folder, all or nothing.

Outputs are first written to a sibling staging folder and moved into place only when complete, so a
failed run leaves nothing half-written; a staging folder left by a killed run is removed by the next run to
the same output folder (see :func:`gep.jobfolder.staged`). An existing output folder is never overwritten
silently: the run refuses, or with ``overwrite=True`` keeps the old folder as ``<name>.previous-N``.

A run folder is self-contained: it holds a copy of its inputs (``inputs/inventory/`` — the CSV/XLSX
files of the inventory folder, or the single workbook — and ``inputs/coefficients/`` — every register
applied, base register first) and the run is computed *from those copies*, so what the folder
records is exactly what was computed. ``manifest.json`` lists the SHA-256 of every file;
``gep verify`` recomputes a run folder or its audit pack from its own ``inputs/`` through :data:`RUN`.
"""
from __future__ import annotations

import dataclasses
import shlex
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..accounting import Options, Results, account
from ..inventory import is_workbook, load_inventory
from ..jobfolder import (GRID_DIR, GRID_NAME, PRICE_INDICES_NAME, AuditError, FigureFile, Job, JobInputs,
                         copy_job_inputs, created_now, differing_choices, grid_of_inventory, job_registers,
                         refuse_existing, shown_method, staged, unique_names, write_manifest)
from ..method import DEFAULT_METHOD
from ..outputs import TRACE_NAME, write_csv, write_netcdf, write_parquet
from ..phrases import text
from ..reading import load_yaml
from .beside import beside

PARCELS_NAME = "gep_parcels.csv"  # each parcel's figures, when the inventory has a parcels table
PARCELS_PARQUET = "gep_parcels.parquet"  # the same table as Parquet


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
    inventory_path, out = Path(inventory_path), Path(out)
    options = options or Options()
    refuse_existing(out, overwrite)
    workbook = is_workbook(inventory_path)
    registers = job_registers(base_register, coefficient_files)
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
        referenced: list[Path] | None = [] if reference_layers else None
        copied = copy_job_inputs(staging, registers, options.method, inventory_path, options.price_indices,
                                 options.grid, referenced)
        grid, method_copy, method = copied.grid, copied.method_file, copied.method
        inventory = load_inventory(copied.inventory, shown_as=inventory_path)
        results = account(inventory, copied.register(shown_as=registers), dataclasses.replace(
            options, price_indices=str(copied.price_indices), grid=str(grid) if grid else None, method=method,
            price_indices_shown=options.price_indices))

        # the formula workbook and the trace table take about as long as the other outputs together: written
        # beside them, in a second process where one can be forked (gep.jobs.beside); the trace that both
        # processes need (the trace pages are written by this one) is built once, before
        results.trace  # noqa: B018 - a cached property, built here on purpose
        title = text("report_title", lang).format(region=str(results.summary.loc[
            results.summary["region_code"] == results.county_code, "region_name"].iloc[0]))
        wait = beside(lambda: _write_trace_outputs(staging, results, title, lang))
        try:
            _write_the_others(staging, results, inventory, inventory_name, title, shown_command, lang)
        except BaseException:
            wait(abandon=True)
            raise
        wait()
        write_manifest(staging, command or shown_command, shown_command,
                       {"base_register": register_names[0], "coefficients": register_names[1:],
                        "method": method_copy.name, "method_name": method.name,
                        "method_differs_from_default": differing_choices(method),
                        "exclude": list(options.exclude), "lang": lang, "base_year": options.base_year,
                        "base_year_used": results.base_year, "price_indices": PRICE_INDICES_NAME,
                        **({"grid": f"{GRID_DIR}/{GRID_NAME}"} if grid else {}),
                        **({"grid_layers": "referenced"} if referenced else {})},
                       {"name": inventory_name, "kind": "workbook" if workbook else "folder"},
                       copied.files, copied.registers, created=created_now(), referenced=referenced)
    return RunOutput(folder=out, results=results, previous=stage.previous)


def _write_trace_outputs(staging: Path, results: Results, title: str, lang: str) -> None:
    """Two outputs of every figure's computation: the formula workbook and the trace table."""
    from ..render.formulas import write_formula_workbook

    write_formula_workbook(staging / "gep_formulas.xlsx", results, lang=lang)
    write_csv(results.trace, staging / TRACE_NAME)


def _write_the_others(staging: Path, results: Results, inventory, inventory_name: str, title: str,
                      shown_command: str, lang: str) -> None:
    """Every output of a run but the formula workbook, the trace table and the manifest: tables, NetCDF, the
    trace pages, the workbook and the report."""
    from ..render import prepare
    from ..render.excel import write_report_workbook
    from ..render.html import write_report_html
    from ..render.trace_page import write_trace_html

    write_csv(results.services, staging / "gep_services.csv")
    write_csv(results.summary, staging / "gep_summary.csv")
    write_csv(results.coefficients, staging / "coefficients_used.csv")
    write_csv(results.growth, staging / "gep_growth.csv")
    write_csv(results.evaluation, staging / "gep_evaluation.csv")
    write_csv(results.decomposition, staging / "gep_decomposition.csv")
    write_csv(results.price_indices, staging / "price_indices_used.csv")
    if results.parcels is not None:
        parcels = results.parcels.frame()
        write_csv(parcels, staging / PARCELS_NAME)
        write_parquet(parcels, staging / PARCELS_PARQUET)
    write_netcdf(results, staging / "gep_results.nc")
    meta = {
        "title": title, "inventory": inventory_name, "gep_version": __version__,
        "format_version": inventory.format_version, "command": shown_command, "years": results.years,
        "county_code": results.county_code, "excluded": results.excluded,
        "notes": results.notes + [str(w) for w in inventory.warnings],
        "trace": True,
        "base_year": results.base_year, "growth": results.growth, "evaluation": results.evaluation,
        "decomposition": results.decomposition, "price_indices": results.price_indices,
        "parcels": results.parcels, "service_status": results.service_status, "method": results.method,
    }
    write_trace_html(staging / "trace", results.services, results.summary, results.trace, title, lang=lang,
                     method=results.method)
    report = prepare(results.services, results.summary, results.coefficients, meta, lang)  # once for both
    write_report_workbook(staging / "gep_workbook.xlsx", report)
    write_report_html(staging / "gep_report.html", report)


def recompute_run(inputs: JobInputs, out: Path, command: str) -> None:
    """Compute a run folder again from its copies, with its recorded options, into ``out``."""
    referenced = inputs.options.get("grid_layers") == "referenced"
    if referenced:
        _check_referenced_layers(inputs)
    run(inputs.inventory_path, out, tuple(inputs.registers), inputs.account_options(), lang=inputs.lang,
        base_register=inputs.base, inventory_name=inputs.name, command=command, reference_layers=referenced)


def _check_referenced_layers(inputs: JobInputs) -> None:
    """A run with layers referenced in place reads, outside its folder, only the files its manifest lists
    with their hashes (``referenced_inputs``)."""
    from ..grid.layers import referenced_files
    listed = set(inputs.manifest.get("referenced_inputs", {}))
    doc = (load_yaml(inputs.grid) or {}) if inputs.grid else {}
    named = {str((inputs.grid.parent / written).resolve()) for _, written in referenced_files(doc)}
    if named - listed:
        raise AuditError(f"{inputs.grid.name} names {', '.join(sorted(named - listed))}, not among the manifest's "
                         f"referenced inputs; a recomputation reads only files the manifest lists with their hashes")


#: ``gep run``: the GEP accounts of an inventory; its manifest records no kind
RUN = Job(
    kind="run",
    recompute=recompute_run,
    figure_files=(
        FigureFile("gep_services.csv", ("region_code", "year", "service", "indicator", "ecosystem"),
                   ("quantity", "value_yuan")),
        FigureFile("gep_summary.csv", ("region_code", "year"), ("*_yuan",)),
        FigureFile(PARCELS_NAME, ("parcel_id", "year"), optional=True),  # when the inventory has parcels
        FigureFile(PARCELS_PARQUET, ("parcel_id", "year"), optional=True),
    ),
    accounts_inventory=True,
)
