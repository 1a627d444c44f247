"""One GEP run: load, account, and write every output into one folder, all or nothing.

Outputs are first written to a sibling staging folder and moved into place only when complete, so a
failed run leaves nothing half-written. An existing output folder is never overwritten silently: the
run refuses, or with ``overwrite=True`` keeps the old folder as ``<name>.previous-N``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .accounting import Options, Results, account
from .coefficients import load_register
from .inventory import load_inventory
from .outputs import write_csv, write_manifest, write_netcdf


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
    return sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xlsm"))


def run(inventory_path: str | Path, out: str | Path, coefficient_files: tuple[str, ...] = (),
        options: Options | None = None, lang: str = "zh", overwrite: bool = False,
        command: str = "") -> RunOutput:
    """Compute GEP for an inventory and write all outputs into ``out``."""
    from .render.excel import write_excel
    from .render.html import write_html

    inventory_path, out = Path(inventory_path), Path(out)
    options = options or Options()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise OutputExistsError(f"output folder {out} already exists and is not empty; choose another --out, "
                                f"or pass --overwrite to keep the old one as {_previous_name(out).name}")
    inventory = load_inventory(inventory_path)
    register = load_register(*coefficient_files)
    results = account(inventory, register, options)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        write_csv(results.services, staging / "gep_services.csv")
        write_csv(results.summary, staging / "gep_summary.csv")
        write_csv(results.coefficients, staging / "coefficients_used.csv")
        write_netcdf(results, staging / "gep_results.nc")
        meta = {
            "title": f"{results.summary.loc[results.summary['region_code'] == results.county_code, 'region_name'].iloc[0]}"
                     f" 生态系统生产总值（GEP）核算报告" if lang == "zh" else "Gross ecosystem product (GEP) account",
            "inventory": str(inventory_path), "gep_version": __version__,
            "format_version": inventory.format_version, "command": command, "years": results.years,
            "county_code": results.county_code, "excluded": results.excluded,
            "notes": results.notes + [str(w) for w in inventory.warnings],
        }
        write_excel(staging / "gep_workbook.xlsx", results.services, results.summary, results.coefficients, meta,
                    lang=lang)
        write_html(staging / "gep_report.html", results.services, results.summary, results.coefficients, meta,
                   lang=lang)
        write_manifest(staging, command, {"coefficients": list(coefficient_files), "exclude": list(options.exclude),
                                          "lang": lang},
                       _inventory_files(inventory_path), register.files, Path.cwd())
        os.chmod(staging, 0o755)
        previous = None
        if out.exists():
            if any(out.iterdir()):
                previous = _previous_name(out)
                out.rename(previous)
            else:
                out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RunOutput(folder=out, results=results, previous=previous)
