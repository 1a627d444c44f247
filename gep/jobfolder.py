"""The job folder every gep command writes, and the one interface by which gep reads it back.

A *job* is a command that writes a job folder: ``gep run``, ``gep statement``, ``gep trade``, ``gep
compensation`` (:mod:`gep.jobs` lists them). Each writes its folder the same way, with this module:

* it refuses an existing output folder (:func:`refuse_existing`), writes into a staging folder beside it
  and publishes it whole or not at all (:func:`staged`);
* it copies its inputs under ``inputs/`` (:func:`copy_job_inputs`: the inventory, the price-index table,
  every register, the method profile, the grid) and computes *from the copies*;
* it writes ``manifest.json`` (:func:`write_manifest`): versions, the command, the options the job needs to
  compute again, and the SHA-256 of every file.

Each job declares itself with a :class:`Job`: its kind (recorded as the manifest's ``options.kind``), the
options its recomputation reads, how to compute it again from a folder's copies (given the
:class:`JobInputs` this module reads from any job folder), and which outputs hold the figures ``gep
verify`` compares one by one (:class:`FigureFile`). ``gep verify``, ``gep pack`` and ``gep diff`` ask the
job (:func:`gep.jobs.job_of`) and know no kind of folder themselves.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import dataclasses
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from . import __version__
from .accounting import Options
from .catalogue import inventory_spec
from .coefficients import DEFAULT_REGISTER, CoefficientError, Register, load_register
from .inventory import is_workbook, table_files
from .method import Method, as_method, default_method, load_method
from .outputs import sha256
from .prices import DEFAULT_INDICES
from .reading import load_yaml


MANIFEST = "manifest.json"
INPUTS = "inputs"
#: the marker of a staging folder (which process writes it; :func:`staged`): never an output, and removed
#: before the folder is published
STAGING_MARKER = ".gep-staging"
INVENTORY_DIR = f"{INPUTS}/inventory"
COEFFICIENTS_DIR = f"{INPUTS}/coefficients"
PRICE_INDICES_NAME = "price_indices.csv"  # the run's copy of the price-index table, under inputs/
GRID_DIR = "grid"  # the run's copy of the grid description and its layers, under inputs/
GRID_NAME = "grid.yaml"  # a grid description found in the inventory folder is used
METHODS_DIR = "methods"  # the run's copies of its method profile and the profiles it extends, under inputs/


class OutputExistsError(FileExistsError):
    pass


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
              "started": created_now(), "gep_version": __version__}
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


def copy_registers(staging: Path, registers: list[Path], register_names: list[str]) -> list[Path]:
    """Copy the registers under ``staging/inputs/coefficients/`` as ``register_names``, base first."""
    coefficients_dir = staging / COEFFICIENTS_DIR
    coefficients_dir.mkdir(parents=True)
    copies = [coefficients_dir / name for name in register_names]
    for source, copy in zip(registers, copies):
        shutil.copyfile(source, copy)
    return copies


def copy_inventory(staging: Path, inventory_path: Path, price_indices: str | None) -> tuple[Path, list[Path], Path]:
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
    inventory = inputs[0] if is_workbook(inventory_path) else inventory_dir
    return inventory, inputs + [indices], indices


def grid_of_inventory(inventory_path: Path, grid: str | None) -> str | None:
    """The grid description of a run: the one given, else ``grid.yaml`` in the inventory folder, if any."""
    if grid is None and inventory_path.is_dir() and (inventory_path / GRID_NAME).is_file():
        return str(inventory_path / GRID_NAME)
    return grid


def copy_grid_inputs(staging: Path, grid: str | None, inputs: list[Path], referenced: list[Path] | None = None
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


def _extends_name(path: Path) -> str:
    return load_yaml(path)["extends"]


def job_registers(base_register: str | Path | None, coefficient_files) -> list[Path]:
    """The registers a job applies, base first (the default register unless one is given), each checked to
    exist."""
    registers = [Path(base_register) if base_register is not None else DEFAULT_REGISTER]
    registers += [Path(p) for p in coefficient_files]
    for path in registers:
        if not path.is_file():
            raise CoefficientError(f"coefficient register {path} not found")
    return registers


@dataclass
class CopiedInputs:
    """A job's inputs as copied under ``inputs/``: what the job computes from."""

    files: list[Path]  # every copied input but the registers (the manifest's "inputs")
    registers: list[Path]  # the copied registers, base first (the manifest's "coefficient_registers")
    method_file: Path  # the copy of the method profile
    method: Method  # the profile as loaded from the copies
    inventory: Path | None = None  # the copied inventory folder, or workbook (None: a job without one)
    price_indices: Path | None = None  # the copied price-index table, beside the inventory
    grid: Path | None = None  # the copied grid description

    def register(self, shown_as: list[Path]) -> Register:
        """The registers loaded from the copies; messages name ``shown_as``, the user's files."""
        return load_register(*self.registers[1:], base=self.registers[0], shown_as=shown_as)


def copy_job_inputs(staging: Path, registers: list[Path], method: str | Path | Method | None,
                    inventory: Path | None = None, price_indices: str | Path | None = None,
                    grid: str | None = None, referenced: list[Path] | None = None) -> CopiedInputs:
    """Copy a job's inputs under ``staging/inputs/``: the registers (base first), the method profile and
    what it extends, and with an ``inventory`` its files, the price-index table (``price_indices``, else the
    default) and the grid description ``grid`` with its layers (referenced in place, not copied, when a
    ``referenced`` list is given: see :func:`copy_grid_inputs`)."""
    copies = copy_registers(staging, registers, unique_names(registers))
    files: list[Path] = []
    inventory_copy = indices = grid_copy = None
    if inventory is not None:
        inventory_copy, files, indices = copy_inventory(staging, inventory, str(price_indices) if price_indices else None)
        grid_copy = copy_grid_inputs(staging, grid, files, referenced)
    method_file, method_used = copy_method(staging, method)
    files += sorted(method_file.parent.iterdir())
    return CopiedInputs(files, copies, method_file, method_used, inventory_copy, indices, grid_copy)


def shown_method(method: str | Path | Method | None) -> str:
    """How commands in reports name a profile: by its name when its file is named after it (every shipped
    profile), else by the file's name — the copy under ``inputs/methods/`` in a job folder."""
    loaded = as_method(method)
    return loaded.name if loaded.files[0].stem == loaded.name else loaded.files[0].name


def differing_choices(method: Method) -> dict[str, str]:
    """The choices of a profile whose option differs from the default profile's, for manifests."""
    return {mine.choice: mine.option for mine, _ in method.differences(default_method()) if mine is not None}


def created_now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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


# ----------------------------------------------------------------------------------------------
# the manifest


def write_manifest(out: Path, command: str, reproducible_command: str, options: dict, inventory: dict,
                   inputs: list[Path], registers: list[Path], created: str | None = None,
                   referenced: list[Path] | None = None) -> dict:
    """manifest.json of the job folder ``out``: versions, command, options, SHA-256 of every file.

    ``inputs`` (the inventory files) and ``registers`` (the coefficient registers, base register first,
    in the order they were applied) are paths inside ``out``; every file outside ``inputs/`` is an
    output. Paths are recorded relative to ``out`` with ``/`` separators (``inputs/inventory/extent.csv``).
    ``created`` (ISO-8601 UTC) is the only time in a run folder; no data file carries a timestamp.
    ``referenced`` are input files used in place, outside the folder (grid layers too large to copy): they
    are listed by absolute path under ``referenced_inputs`` with their SHA-256.
    """
    out = Path(out)

    def rel(p: Path) -> str:
        return Path(p).relative_to(out).as_posix()

    outputs = sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST
                     and p.relative_to(out).parts[0] not in (INPUTS, STAGING_MARKER))
    # on two threads, largest first: hashlib lets go of the GIL, and 10⁶ parcels are 0.7 GB to hash
    every = sorted({Path(p) for p in [*inputs, *registers, *outputs, *(referenced or [])]},
                   key=lambda p: -p.stat().st_size)
    with ThreadPoolExecutor(max_workers=2) as pool:
        hashes = dict(zip(every, pool.map(sha256, every)))

    def hashed(p) -> str:
        return hashes[Path(p)]

    manifest = {
        "gep_version": __version__,
        "inventory_format_version": inventory_spec()["format_version"],
        "command": command,
        "reproducible_command": reproducible_command,
        "options": options,
        "inventory": inventory,
        "inputs": {rel(p): hashed(p) for p in sorted(inputs, key=rel)},
        "coefficient_registers": {rel(p): hashed(p) for p in registers},
        "outputs": {rel(p): hashed(p) for p in outputs},
    }
    if referenced:
        manifest["referenced_inputs"] = {str(Path(p).resolve()): hashed(p) for p in referenced}
    if created:
        manifest["created"] = created
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


# ----------------------------------------------------------------------------------------------
# reading a job folder back


class AuditError(ValueError):
    """A job folder or its pack cannot be read back, packed, verified or compared; the message says why."""


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_path(name: str) -> str | None:
    """Why a relative path from a pack or manifest is unsafe, or None."""
    if not name or "\x00" in name:
        return "has an empty or invalid name"
    if "\\" in name:
        return "contains a backslash (a Windows path separator)"
    if _DRIVE.match(name):
        return "has a drive letter"
    if name.startswith("/"):
        return "has an absolute path"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return "has a '..' component"
    if any(p in ("", ".") for p in parts):
        return "is not a normalised path"
    if any(":" in p for p in parts):
        return "contains ':'"
    return None


def read_manifest(folder: Path) -> dict:
    """The manifest of a job folder, checked to record its inputs and to list only safe relative paths."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuditError(f"{folder} has no {MANIFEST}; not a gep run folder") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise AuditError(f"{folder / MANIFEST} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or "inventory" not in manifest or "base_register" not in manifest.get("options", {}):
        raise AuditError(f"{folder / MANIFEST} records no inputs (made by a gep without audit support?); "
                         f"rerun it with gep {__version__}")
    for section in ("inputs", "coefficient_registers", "outputs"):
        for name in manifest.get(section, {}):
            problem = unsafe_path(name)
            if problem:
                raise AuditError(f"{folder / MANIFEST}: listed file '{name}' {problem}")
    return manifest


def plain_name(folder: Path, name, what: str) -> str:
    """``name`` from the manifest of ``folder``, checked to be a plain file name (no folder, nothing unsafe)."""
    if not isinstance(name, str) or "/" in name or unsafe_path(name):
        raise AuditError(f"{folder / MANIFEST}: {what} name '{name}' is not a plain file name")
    return name


@dataclass
class JobInputs:
    """The inputs every job folder keeps, read from its manifest: the copies of the inventory, registers,
    price-index table, grid and method profile, and the options common to every job. A job's own options
    are in ``manifest["options"]``, read by its recomputation."""

    folder: Path
    manifest: dict
    inventory_path: Path  # inputs/inventory, or the workbook in it
    inventory_kind: str  # folder | workbook ("" for a valuation without an inventory)
    name: str
    base: Path
    registers: list[Path]
    exclude: tuple[str, ...]
    lang: str
    base_year: int | None = None
    price_indices: Path | None = None  # the folder's copy of the price-index table
    grid: Path | None = None  # the folder's copy of its grid description (gridded inputs)
    method_file: Path | None = None  # the folder's copy of its method profile (None: made before profiles)

    @property
    def options(self) -> dict:
        """Every option the manifest records, the job's own included."""
        return self.manifest["options"]

    def method(self) -> Method:
        """The method profile the folder was computed with, from its own copies (the default profile for a
        folder made before method profiles existed)."""
        return load_method(self.method_file, base_dir=self.method_file.parent) if self.method_file \
            else load_method(None)

    def account_options(self):
        """The options of :func:`gep.accounting.account` the folder was computed with."""
        return Options(exclude=self.exclude, base_year=self.base_year,
                       price_indices=str(self.price_indices) if self.price_indices else None,
                       grid=str(self.grid) if self.grid else None, method=self.method())

    @classmethod
    def of(cls, folder: Path, manifest: dict | None = None) -> JobInputs:
        manifest = manifest or read_manifest(folder)
        options, inventory = manifest["options"], manifest["inventory"]
        names = [plain_name(folder, n, "register")
                 for n in [options["base_register"], *options.get("coefficients", [])]]
        if options.get("grid") is not None and (not isinstance(options["grid"], str) or unsafe_path(options["grid"])):
            raise AuditError(f"{folder / MANIFEST}: grid description '{options['grid']}' is not a path inside inputs/")
        inventory_kind = inventory.get("kind", "folder")
        inventory_path = folder / INVENTORY_DIR
        if inventory_kind == "workbook":
            books = [p for p in manifest.get("inputs", {}) if p.startswith(INVENTORY_DIR + "/")]
            if len(books) != 1:
                raise AuditError(f"{folder / MANIFEST}: a workbook inventory lists {len(books)} input files")
            inventory_path = folder / books[0]
        coefficients = folder / COEFFICIENTS_DIR
        return cls(folder=folder, manifest=manifest, inventory_path=inventory_path, inventory_kind=inventory_kind,
                   name=str(inventory.get("name", "inventory")), base=coefficients / names[0],
                   registers=[coefficients / n for n in names[1:]],
                   exclude=tuple(options.get("exclude", [])), lang=options.get("lang", "zh"),
                   base_year=options.get("base_year"),
                   price_indices=folder / INPUTS / plain_name(folder, options["price_indices"], "price-index table")
                   if options.get("price_indices") else None,
                   grid=folder / INPUTS / options["grid"] if options.get("grid") else None,
                   method_file=folder / INPUTS / METHODS_DIR / plain_name(folder, options["method"], "method profile")
                   if options.get("method") else None)

    def register(self) -> Register:
        return load_register(*self.registers, base=self.base)

    def inventory_files(self) -> dict[str, Path]:
        """Inventory files by name (as under inputs/inventory/)."""
        folder = self.folder / INVENTORY_DIR
        return {p.name: p for p in sorted(folder.iterdir()) if p.is_file()} if folder.is_dir() else {}


# ----------------------------------------------------------------------------------------------
# the job interface


@dataclass(frozen=True)
class FigureFile:
    """An output whose figures ``gep verify`` compares one by one, recorded against recomputed: a CSV table
    (rows by their ``keys``, the non-key columns matching one of the shell-style patterns ``columns``:
    ``*`` every cell, ``*_yuan`` every value in 元), the same as Parquet (compared column by column), or a JSON
    document (every number and yes/no, by its path; ``keys`` and ``columns`` unused). Every other output is
    compared by its SHA-256."""

    name: str
    keys: tuple[str, ...] = ()
    columns: tuple[str, ...] = ("*",)
    optional: bool = False  # written only where the folder's inputs call for it (parcels, a water table)

    def compared(self, header: list[str]) -> list[str]:
        """The columns of a table with this ``header`` whose cells are compared."""
        return [c for c in header if c not in self.keys and any(fnmatchcase(c, p) for p in self.columns)]

    def what(self) -> str:
        """Which of its figures are compared: "every cell of", "every number and yes/no of", or the columns."""
        if self.name.endswith(".json"):
            return "every number and yes/no of"
        return "every cell of" if self.columns == ("*",) else f"columns {', '.join(self.columns)} of"


@dataclass(frozen=True)
class Job:
    """What gep needs to know of a job to read, recompute and compare its folders.

    ``kind`` is the manifest's ``options.kind`` (a ``gep run`` folder records none: ``run``); ``options``
    the job's own options its recomputation reads from the manifest, beyond those every folder records
    (:class:`JobInputs`); ``recompute(inputs, out, command)`` writes the folder again into ``out`` from the
    copies ``inputs`` names, recording ``command``; ``figure_files`` the outputs compared figure by figure;
    ``accounts_inventory`` whether the folder's figures are the GEP accounts of its inventory, registers
    and method — what ``gep diff`` varies one change at a time."""

    kind: str
    recompute: Callable[[JobInputs, Path, str], object]
    figure_files: tuple[FigureFile, ...]
    options: tuple[str, ...] = ()
    accounts_inventory: bool = False

    def figures_checked(self) -> str:
        """Which figures ``gep verify`` compares, as its report says it: files compared alike named together."""
        groups: list[tuple[tuple[str, bool], list[str]]] = []
        for f in self.figure_files:
            if groups and groups[-1][0] == (f.what(), f.optional):
                groups[-1][1].append(f.name)
            else:
                groups.append(((f.what(), f.optional), [f.name]))
        return "; ".join(f"{what} {', '.join(names)}" + (" where written" if optional else "")
                         for (what, optional), names in groups)

    def check_options(self, folder: Path, manifest: dict) -> None:
        """Refuse a manifest that lacks an option the recomputation reads."""
        missing = [name for name in self.options if name not in manifest.get("options", {})]
        if missing:
            raise AuditError(f"{folder / MANIFEST}: a {self.kind} folder records {', '.join(missing)} in its "
                             f"options; this manifest does not")
