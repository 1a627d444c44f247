"""The job folder every gep command writes: staged beside its final place and published whole, with a copy
of its inputs under ``inputs/``.

``gep run``, ``gep statement`` and the valuations of ``gep trade`` and ``gep compensation`` all refuse an
existing output folder (:func:`refuse_existing`), write into a staging folder (:func:`staged`) and copy
their inputs the same way (:func:`copy_inventory`, :func:`copy_registers`, :func:`copy_grid_inputs`,
:func:`copy_method`). The helpers live here rather than in :mod:`gep.run` so that the valuations use them
without importing the run (and its reports), and so that there is one place for the job-folder mechanism.
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
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .inventory import is_workbook, table_files
from .method import Method, as_method, load_method
from .outputs import INPUTS, STAGING_MARKER
from .prices import DEFAULT_INDICES
from .reading import load_yaml


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
