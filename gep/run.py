"""One GEP run: load, account, and write every output into one folder, all or nothing.

Outputs are first written to a sibling staging folder and moved into place only when complete, so a
failed run leaves nothing half-written; a staging folder left by a killed run is removed by the next run to
the same output folder (see :func:`staged`). An existing output folder is never overwritten silently: the
run refuses, or with ``overwrite=True`` keeps the old folder as ``<name>.previous-N``.

A run folder is self-contained: it holds a copy of its inputs (``inputs/inventory/`` — the CSV/XLSX
files of the inventory folder, or the single workbook — and ``inputs/coefficients/`` — every register
applied, base register first) and the run is computed *from those copies*, so what the folder
records is exactly what was computed. ``manifest.json`` lists the SHA-256 of every file;
``gep verify`` recomputes a run folder or its audit pack from its own ``inputs/``.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import dataclasses
import json
import os
import re
import shlex
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .accounting import Options, Results, account
from .coefficients import DEFAULT_REGISTER, CoefficientError, load_register
from .inventory import is_workbook, load_inventory, table_files
from .method import DEFAULT_METHOD, Method, as_method, default_method, load_method
from .prices import DEFAULT_INDICES, load_price_indices
from .reading import load_yaml
from .outputs import INPUTS, STAGING_MARKER, write_csv, write_manifest, write_netcdf

INVENTORY_DIR = f"{INPUTS}/inventory"
COEFFICIENTS_DIR = f"{INPUTS}/coefficients"


PRICE_INDICES_NAME = "price_indices.csv"  # the run's copy of the price-index table, under inputs/
GRID_DIR = "grid"  # the run's copy of the grid description and its layers, under inputs/
GRID_NAME = "grid.yaml"  # a grid description found in the inventory folder is used
PARCELS_NAME = "gep_parcels.csv"  # each parcel's figures, when the inventory has a parcels table
METHODS_DIR = "methods"  # the run's copies of its method profile and the profiles it extends, under inputs/


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


NAME_MAX = 255  # bytes of one file name on Linux, macOS and Windows (NTFS: 255 UTF-16 units)


def refuse_existing(out: Path, overwrite: bool) -> None:
    """Refuse an existing non-empty output folder unless ``overwrite`` (it is then kept as ``.previous-N``);
    refuse a file in its place, and a name too long for its staging folder beside it."""
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} is a file, not an output folder; choose another --out")
    longest = len(os.fsencode(f"{_partial_prefix(out)}XXXXXXXX"))
    if longest > NAME_MAX:  # the staging folder's name is the output's with 18 more bytes
        raise OutputExistsError(f"the output folder's name is too long ({len(os.fsencode(out.name))} bytes; gep "
                                f"stages the output beside it under a name {longest - len(os.fsencode(out.name))} "
                                f"bytes longer, and file names end at {NAME_MAX}): choose a shorter --out")
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise OutputExistsError(f"output folder {out} already exists and is not empty; choose another --out, "
                                f"or pass --overwrite to keep the old one as {_previous_name(out).name}")


@dataclass
class Staging:
    path: Path  # the folder being written
    previous: Path | None = None  # where an earlier output folder was kept, once published
    removed_stale: list[Path] = dataclasses.field(default_factory=list)  # killed runs' staging folders removed


#: a staging folder whose owner cannot be checked (no readable marker, or made on another host) is stale
#: once it is this old: a run takes minutes, so a day-old folder of that kind is a killed run's
UNCHECKABLE_STALE_AFTER = 24 * 3600  # seconds


def _partial_prefix(out: Path) -> str:
    return f".{out.name}.partial-"


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started, as the kernel counts it (Linux: clock ticks since boot), to tell a
    process from a later one given the same pid; None where that cannot be read."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return stat_line.rsplit(")", 1)[1].split()[19]  # field 22, counted after the command name
    except (OSError, IndexError):
        return None


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host; a process we may not signal runs."""
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT there: ask the kernel instead
        import ctypes
        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists; else no such process
        try:
            code = ctypes.c_ulong()
            return not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_marker(folder: Path) -> None:
    """Record in a new staging folder which process writes it, so a later run can tell a killed run's folder
    from one in progress."""
    marker = {"pid": os.getpid(), "host": socket.gethostname(), "process_start": _process_start(os.getpid()),
              "started": _created(), "gep_version": __version__}
    (folder / STAGING_MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def _stale(folder: Path, now: float) -> bool:
    """Whether the staging folder ``folder`` belongs to no running process: its marker names a process of
    this host that is gone (or whose pid a later process has taken), or, where its owner cannot be checked
    (no readable marker, another host), it is older than UNCHECKABLE_STALE_AFTER."""
    try:
        marker = json.loads((folder / STAGING_MARKER).read_text(encoding="utf-8"))
        pid, host = marker["pid"], marker["host"]
        checkable = type(pid) is int and 0 < pid < 2 ** 31 and host == socket.gethostname()  # a pid_t
    except (OSError, ValueError, TypeError, KeyError):  # none yet (just created), or a killed write
        marker, checkable = None, False
    if checkable:
        if not _process_alive(pid):
            return True
        recorded, current = marker.get("process_start"), _process_start(pid)
        return recorded is not None and current is not None and recorded != current
    try:
        age = now - (folder / STAGING_MARKER if marker else folder).stat().st_mtime
    except OSError:
        return False
    return age > UNCHECKABLE_STALE_AFTER


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove the staging folders of ``out`` left by runs that were killed (kill -9, power cut), never one
    of a run still in progress; the folders removed."""
    pattern = re.compile(re.escape(_partial_prefix(out)) + r"[a-z0-9_]{8}")  # what mkdtemp names them
    removed = []
    try:
        candidates = sorted(p for p in out.parent.iterdir() if pattern.fullmatch(p.name))
    except OSError:
        return removed
    now = time.time()
    for folder in candidates:
        if folder.is_symlink() or not folder.is_dir() or not _stale(folder, now):
            continue
        shutil.rmtree(folder, ignore_errors=True)  # another run may be removing it too
        if not folder.exists():
            removed.append(folder)
    return removed


@contextlib.contextmanager
def staged(out: Path):
    """Write into a sibling staging folder, moved into place as ``out`` only when the block completes;
    on any error the staging folder is removed and nothing is published.

    The staging folder ``.<out name>.partial-XXXXXXXX`` holds a marker (``.gep-staging``: pid, host, start)
    that is never listed in the manifest and is removed before publishing. Staging folders of ``out`` left
    by killed runs are removed first (:func:`remove_stale_staging`)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    removed = remove_stale_staging(out)
    stage = Staging(Path(tempfile.mkdtemp(prefix=_partial_prefix(out), dir=out.parent)), removed_stale=removed)
    try:
        _write_marker(stage.path)
        yield stage
        (stage.path / STAGING_MARKER).unlink()
        os.chmod(stage.path, 0o755)
        stage.previous = _publish(stage.path, out)
    except BaseException:
        shutil.rmtree(stage.path, ignore_errors=True)
        raise


def _inventory_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return table_files(path)  # not Excel's ~$name.xlsx lock: no input, and it may be locked


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


def _is_workbook(inventory_path: Path) -> bool:
    """Whether the inventory is one workbook (else a folder of CSV/XLSX files); neither is an error."""
    return is_workbook(inventory_path)


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


def _copy_registers(staging: Path, registers: list[Path], register_names: list[str]) -> list[Path]:
    """Copy the registers under ``staging/inputs/coefficients/`` as ``register_names``, base first."""
    coefficients_dir = staging / COEFFICIENTS_DIR
    coefficients_dir.mkdir(parents=True)
    copies = [coefficients_dir / name for name in register_names]
    for source, copy in zip(registers, copies):
        shutil.copyfile(source, copy)
    return copies


def _copy_inventory(staging: Path, inventory_path: Path, price_indices: str | None) -> tuple[Path, list[Path], Path]:
    """Copy the inventory files and the price-index table under ``staging/inputs/``: the copied inventory
    (folder, or the workbook), every copied file, and the copied price-index table."""
    inventory_dir = staging / INVENTORY_DIR
    inventory_dir.mkdir(parents=True)
    inputs = []
    for f in _inventory_files(inventory_path):
        shutil.copyfile(f, inventory_dir / f.name)
        inputs.append(inventory_dir / f.name)
    indices = staging / INPUTS / PRICE_INDICES_NAME
    shutil.copyfile(price_indices or DEFAULT_INDICES, indices)
    inventory = inputs[0] if _is_workbook(inventory_path) else inventory_dir
    return inventory, inputs + [indices], indices


def _copy_inputs(staging: Path, inventory_path: Path, registers: list[Path], register_names: list[str],
                 price_indices: str | None) -> CopiedInputs:
    """Copy the inventory, the registers and the price-index table under ``staging/inputs/``: a run is
    computed from these copies, so its folder holds exactly what was used."""
    inventory, inputs, indices = _copy_inventory(staging, inventory_path, price_indices)
    return CopiedInputs(inventory, inputs, _copy_registers(staging, registers, register_names), indices)


def _grid_of(inventory_path: Path, grid: str | None) -> str | None:
    """The grid description of a run: the one given, else ``grid.yaml`` in the inventory folder, if any."""
    if grid is None and inventory_path.is_dir() and (inventory_path / GRID_NAME).is_file():
        return str(inventory_path / GRID_NAME)
    return grid


def _copy_grid(staging: Path, grid: str | None, inputs: list[Path], referenced: list[Path] | None = None
               ) -> Path | None:
    """Copy the grid description and its layers under ``inputs/grid/`` (added to ``inputs``); the copy of the
    description, or None without a grid. Given a ``referenced`` list, the layers are not copied: the
    description's copy names them by absolute path and they are added to ``referenced``."""
    if not grid:
        return None
    from .grid.layers import copy_grid, reference_grid
    if referenced is not None:
        copy, layer_files = reference_grid(grid, staging / INPUTS / GRID_DIR)
        inputs.append(copy)
        referenced += layer_files
        return copy
    copy, layer_files = copy_grid(grid, staging / INPUTS / GRID_DIR, unique_names)
    inputs += [copy, *layer_files]
    return copy


def copy_method(staging: Path, method: str | Path | Method | None) -> tuple[Path, Method]:
    """Copy a method profile and the profiles it extends under ``staging/inputs/methods/`` (an extended
    profile as ``NAME.yaml``, the name its ``extends:`` gives); the copy of the profile itself, and the
    profile as loaded from the copies — what the account is computed with."""
    original = as_method(method)
    folder = staging / INPUTS / METHODS_DIR
    folder.mkdir(parents=True)
    parents = [Path(f"{_extends_name(f)}.yaml") for f in original.files[:-1]]  # the names extends: gives
    names = unique_names([*parents, original.files[0]])
    for source, name in zip([*original.files[1:], original.files[0]], names):
        shutil.copyfile(source, folder / name)
    copy = folder / names[-1]
    return copy, load_method(copy, base_dir=folder)


def shown_method(method: str | Path | Method | None) -> str:
    """How commands in reports name a profile: by its name when its file is named after it (every shipped
    profile), else by the file's name — the copy under ``inputs/methods/`` in a run folder."""
    loaded = as_method(method)
    return loaded.name if loaded.files[0].stem == loaded.name else loaded.files[0].name


def differing_choices(method: Method) -> dict[str, str]:
    """The choices of a profile whose option differs from the default profile's, for manifests."""
    return {mine.choice: mine.option for mine, _ in method.differences(default_method()) if mine is not None}


def _extends_name(path: Path) -> str:
    return load_yaml(path)["extends"]


def _created() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
    if options.price_indices:  # checked as given, so that a problem names the user's file, not its copy
        load_price_indices(options.price_indices)
    workbook = _is_workbook(inventory_path)
    registers = _registers(base_register, coefficient_files)
    inventory_name = inventory_name or inventory_path.name
    options = dataclasses.replace(options, grid=_grid_of(inventory_path, options.grid))
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
        grid = _copy_grid(staging, options.grid, inputs, referenced)
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
                       inputs, copies, created=_created(), referenced=referenced)
    return RunOutput(folder=out, results=results, previous=stage.previous)


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
    if price_indices:  # checked as given, so that a problem names the user's file, not its copy
        load_price_indices(price_indices)
    workbook = _is_workbook(inventory_path)
    registers = _registers(base_register, coefficient_files)
    register_names = unique_names(registers)
    inventory_name = inventory_name or inventory_path.name
    grid = _grid_of(inventory_path, str(grid) if grid else None)
    shown_command = statement_command(inventory_name, register_names[1:], start, end, region, rate, asset_life, lang,
                                      grid=bool(grid), method=shown_method(method))
    with staged(out) as stage:
        staging = stage.path
        copied = _copy_inputs(staging, inventory_path, registers, register_names,
                              str(price_indices) if price_indices else None)
        grid_copy = _copy_grid(staging, grid, copied.inputs)
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
                       copied.inputs, copied.registers, created=_created())
    return out


def pd_concat(frames):
    import pandas as pd
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
