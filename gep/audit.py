"""Audit a job folder: pack it into one archive, verify a pack (or folder) by recomputing it.

A job folder (``gep run``, ``gep statement``, ``gep trade``, ``gep compensation``: :mod:`gep.jobs`) is
self-contained::

    <folder>/manifest.json            versions, command, options, SHA-256 of every other file
    <folder>/inputs/inventory/...     the inventory files as given (CSV/XLSX of the folder, or the workbook)
    <folder>/inputs/coefficients/...  every register applied, base (default) register first
    <folder>/...                      the job's outputs (a run: gep_*.csv, gep_results.nc, workbooks, report)

* :func:`pack` zips the folder deterministically (sorted members, fixed 1980-01-01 timestamps, fixed
  permissions, one top folder named after the folder): packing twice gives identical bytes. It knows no kind
  of folder.
* :func:`verify` opens a pack safely (no absolute paths, ``..``, drive letters, symlinks, or members
  landing outside the extraction folder; each member unpacked only up to the size it declares, within
  MAX_MEMBER_BYTES and MAX_UNPACKED_BYTES), checks every file against the manifest, asks the job that wrote
  the folder (:func:`gep.jobs.job_of`) to recompute it from the folder's own ``inputs/`` with the installed
  engine, and compares the figures of the outputs the job names one by one, every other output by SHA-256.
* :func:`gep.diff.diff` lists what differs between the inputs of two runs and how much each change moves
  each figure.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


from . import __version__
from .coefficients import CoefficientError
from .inventory import InventoryError
from .jobfolder import INPUTS, MANIFEST, AuditError, FigureFile, read_manifest, unsafe_path
from .jobs import job_of, recompute
from .outputs import cell_text, sha256
from .units import UnitError

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
PACK_SUFFIX = ".gep-pack.zip"
#: what a pack may unpack to (zip bombs): in all, and per member — a layer larger than a classic TIFF's 4 GiB is
#: referenced in place (--grid-layers reference) rather than copied into the run; a larger run folder is
#: verified as the folder itself. The bytes actually written count, not only what the zip headers declare.
MAX_UNPACKED_BYTES = 20 * 2 ** 30
MAX_MEMBER_BYTES = 4 * 2 ** 30
EXTRACT_CHUNK = 1 << 20

# ----------------------------------------------------------------------------------------------
# pack


def _run_files(folder: Path) -> list[str]:
    """Relative POSIX paths of every file under ``folder``, sorted; symlinks are refused."""
    files = []
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            p = Path(root) / name
            if p.is_symlink():
                raise AuditError(f"{p} is a symbolic link; a run folder holds regular files only")
        files += [(Path(root) / n).relative_to(folder).as_posix() for n in names]
    return sorted(files)


def pack(run_dir: str | Path, to: str | Path | None = None) -> Path:
    """Zip the run folder into ``to`` (default ``<run_dir>.gep-pack.zip`` beside it), deterministically.

    Members are ``<run name>/<path>``, sorted, dated 1980-01-01 00:00, mode 0644, deflated. An existing
    file at ``to`` is never overwritten."""
    run_dir = Path(run_dir)
    if not (run_dir / MANIFEST).is_file():
        raise AuditError(f"{run_dir} is not a gep run folder (no {MANIFEST})")
    top = run_dir.resolve().name
    to = Path(to) if to is not None else run_dir.resolve().parent / f"{top}{PACK_SUFFIX}"
    if to.exists() or to.is_symlink():
        raise AuditError(f"{to} already exists; remove it or choose another --to")
    if to.resolve().is_relative_to(run_dir.resolve()):
        raise AuditError(f"{to} is inside the run folder {run_dir}; write the pack elsewhere")
    files = _run_files(run_dir)
    to.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{to.name}.partial-", dir=to.parent)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w") as zf:
            for rel in files:
                info = zipfile.ZipInfo(f"{top}/{rel}", date_time=FIXED_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, whatever the platform, so the mode bits mean the same
                info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
                with open(run_dir / rel, "rb") as src, zf.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(tmp, FILE_MODE)
        try:
            os.link(tmp, to)  # atomic, and fails rather than overwrite
        except FileExistsError:
            raise AuditError(f"{to} already exists; remove it or choose another --to") from None
        except OSError:  # file system without hard links
            if to.exists():
                raise AuditError(f"{to} already exists; remove it or choose another --to") from None
            os.replace(tmp, to)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return to


# ----------------------------------------------------------------------------------------------
# opening a pack safely


def _unsafe_member(info: zipfile.ZipInfo, dest: Path) -> str | None:
    problem = unsafe_path(info.filename)
    if problem:
        return problem
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "is not a regular file or folder"
    root = os.path.realpath(dest)
    target = os.path.realpath(os.path.join(root, info.filename))
    if os.path.commonpath([root, target]) != root or target == root:
        return "would land outside the extraction folder"
    return None


def _gib(n: int) -> str:
    return f"{n / 2 ** 30:.3g} GiB" if n >= 2 ** 30 else f"{n:,} bytes"


def _copy_member(src, dst, limit: int) -> int:
    """Copy ``src`` into ``dst`` in chunks, never more than ``limit`` bytes; the bytes the member holds, or
    ``limit + 1`` as soon as it holds more (one byte past the limit is all that is read to know)."""
    written = 0
    while chunk := src.read(min(EXTRACT_CHUNK, limit + 1 - written)):
        written += len(chunk)
        if written > limit:
            return written
        dst.write(chunk)
    return written


def extract_pack(path: str | Path, dest: str | Path) -> Path:
    """Extract a pack into the empty folder ``dest`` after checking every member; return the run folder.

    Nothing is written unless every member is safe and the pack fits (MAX_MEMBER_BYTES per member,
    MAX_UNPACKED_BYTES in all, the free space of ``dest``); an unsafe member raises :class:`AuditError`
    naming it. Each member is then extracted counting the bytes actually written, which stop at the size its
    header declares (a header may lie: a zip bomb declares little and holds much); a member that holds more,
    or less, or cannot be read raises :class:`AuditError` naming it, and what was extracted is removed."""
    path, dest = Path(path), Path(dest)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise AuditError(f"{path} is not a readable zip archive: {exc}") from None
    with zf:
        infos = zf.infolist()
        seen: set[str] = set()
        for info in infos:
            problem = _unsafe_member(info, dest)
            if problem:
                raise AuditError(f"refusing pack {path}: member '{info.filename}' {problem}; nothing was extracted")
            key = info.filename.rstrip("/").lower()
            if key in seen:
                raise AuditError(f"refusing pack {path}: member '{info.filename}' appears twice; nothing was extracted")
            seen.add(key)
        for info in infos:
            if info.file_size > MAX_MEMBER_BYTES:
                raise AuditError(f"refusing pack {path}: member '{info.filename}' would unpack to {_gib(info.file_size)}, "
                                 f"more than the {_gib(MAX_MEMBER_BYTES)} a member may hold; verify the run folder "
                                 f"itself; nothing was extracted")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNPACKED_BYTES:
            raise AuditError(f"refusing pack {path}: it would unpack to {_gib(declared)}, more than "
                             f"{_gib(MAX_UNPACKED_BYTES)}; verify the run folder itself; nothing was extracted")
        free = shutil.disk_usage(next(p for p in (dest, *dest.parents) if p.exists())).free
        if declared > free:
            raise AuditError(f"pack {path} unpacks to {_gib(declared)}, but {dest} has {_gib(free)} free; free some "
                             f"space or set TMPDIR to a larger disk; nothing was extracted")
        tops = {i.filename.split("/", 1)[0] for i in infos}
        if len(tops) != 1 or not any("/" in i.filename.rstrip("/") for i in infos):
            raise AuditError(f"{path}: a pack holds one top folder (the run folder); found {', '.join(sorted(tops)) or 'nothing'}")
        top = tops.pop()
        written_in_all = 0
        try:
            for info in infos:
                target = dest / info.filename
                try:
                    if info.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as src, open(target, "xb") as dst:
                        written = _copy_member(src, dst, info.file_size)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:  # a damaged member
                    raise AuditError(f"pack {path}: member '{info.filename}' cannot be extracted: {exc}; "
                                     f"nothing was kept") from None
                if written != info.file_size:
                    more = "more" if written > info.file_size else "less"
                    raise AuditError(f"refusing pack {path}: member '{info.filename}' holds {more} data than its "
                                     f"header declares ({_gib(info.file_size)}); nothing was kept")
                written_in_all += written
                if written_in_all > declared:  # cannot happen while each member keeps to its size; a last guard
                    raise AuditError(f"refusing pack {path}: it unpacks to more than it declares ({_gib(declared)}); "
                                     f"nothing was kept")
        except BaseException:
            shutil.rmtree(dest / top, ignore_errors=True)
            raise
    return dest / top


@contextmanager
def opened(path: str | Path) -> Iterator[Path]:
    """The run folder of ``path``: the folder itself, or a pack extracted safely into a temporary folder
    (removed on exit)."""
    path = Path(path)
    if path.is_dir():
        yield path
        return
    if not path.is_file():
        raise AuditError(f"{path} not found: give a run folder or a {PACK_SUFFIX} archive")
    if not zipfile.is_zipfile(path):
        raise AuditError(f"{path} is neither a run folder nor a zip archive")
    with tempfile.TemporaryDirectory(prefix="gep-pack-") as tmp:
        yield extract_pack(path, tmp)


# ----------------------------------------------------------------------------------------------
# verify


@dataclass
class Verification:
    ok: bool
    figures: int
    differing: list[tuple[str, str, str, str]] = field(default_factory=list)  # file/key, column, recorded, recomputed
    file_problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _json_figures(node, where: tuple[str, ...] = ()) -> Iterator[tuple[tuple, str]]:
    """The numbers and yes/no flags of a JSON document: ((path of the enclosing object or list, name or
    index), text as JSON writes it)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for name, value in items:
        if isinstance(value, (dict, list)):
            yield from _json_figures(value, (*where, str(name)))
        elif isinstance(value, (int, float)):  # bool is an int: 'feasible' is compared too
            yield (where, str(name)), json.dumps(value)


def _figures(path: Path, figure_file: FigureFile) -> dict[tuple, str]:
    """Figures of a result CSV as written: {(key…, column): text}; of a JSON result, its numbers."""
    if not path.is_file():
        return {}
    if path.suffix == ".json":
        try:
            return dict(_json_figures(json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, UnicodeDecodeError):  # unreadable: the hash difference says it
            return {}
    keys = figure_file.keys
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        wanted = figure_file.compared(reader.fieldnames or [])
        out: dict[tuple, str] = {}
        seen: dict[tuple, int] = {}
        for row in reader:  # text as it stands for (formula_safe marks some for spreadsheets): reports show it so
            key = tuple(cell_text(row.get(k, "")) for k in keys)
            n = seen.get(key, 0)
            seen[key] = n + 1
            if n:  # a repeated key (should not happen): keep the rows apart
                key = key + (f"#{n + 1}",)
            for c in wanted:
                out[(key, cell_text(c))] = cell_text(row.get(c, ""))
    return out


def _parquet_cells(path: Path, figure_file: FigureFile):
    """A Parquet result as a frame indexed by its key columns and a repeat count (a repeated key kept apart,
    as :func:`_figures` does), holding the compared columns; None where the file is absent or unreadable."""
    if not path.is_file():
        return None
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    try:
        frame = pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError):
        return None  # the hash difference says it
    keys = [k for k in figure_file.keys if k in frame.columns]
    index = [frame[k].astype(str) for k in keys] + [frame.groupby(keys, sort=False).cumcount() if keys else
                                                    pd.Series(range(len(frame)))]
    frame = frame[figure_file.compared(list(frame.columns))]
    frame.index = pd.MultiIndex.from_arrays(index)
    return frame


def _cell_text(value) -> str:
    """A Parquet cell as the text its CSV cell holds (a float as ``repr``, NaN and missing text empty)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return repr(float(value)) if isinstance(value, float) else str(value)  # numpy 2's repr says np.float64(…)


def _texts(column):
    """A non-float Parquet column's cells as texts (:func:`_cell_text`), at once."""
    return column.astype(object).where(column.notna(), "").astype(str).to_numpy()


def _compare_parquet(recorded: Path, recomputed: Path, figure_file: FigureFile):
    """(figures compared, the differing ones) of a Parquet result, recorded against recomputed, compared as
    :func:`_figures` compares a CSV result — every compared cell by its row's key and its column, a float
    by its exact value (the same text in the CSV), a cell only one side has as '(absent)' — but column by
    column: gep_parcels.parquet holds 3·10⁷ figures for 10⁶ parcels."""
    import numpy as np
    import pandas as pd
    a, b = _parquet_cells(recorded, figure_file), _parquet_cells(recomputed, figure_file)
    if a is None and b is None:
        return 0, []
    a = b.iloc[:0] if a is None else a
    b = a.iloc[:0] if b is None else b
    rows = a.index.union(b.index, sort=False) if not a.index.equals(b.index) else a.index
    columns = list(dict.fromkeys([*a.columns, *b.columns]))
    differing = []
    for column in columns:
        in_a, in_b = rows.isin(a.index) & (column in a.columns), rows.isin(b.index) & (column in b.columns)
        left = a[column].reindex(rows) if column in a.columns else pd.Series(np.nan, index=rows)
        right = b[column].reindex(rows) if column in b.columns else pd.Series(np.nan, index=rows)
        lv, rv = left.to_numpy(), right.to_numpy()
        if lv.dtype.kind == "f" and rv.dtype.kind == "f":
            same = ((lv == rv) & (np.signbit(lv) == np.signbit(rv))) | (np.isnan(lv) & np.isnan(rv))
        else:  # as text: missing is '', a number as its text
            same = _texts(left) == _texts(right)
        same &= in_a == in_b
        for i in np.flatnonzero(~same):
            key = rows[i][:-1] + ((f"#{rows[i][-1] + 1}",) if rows[i][-1] else ())
            differing.append((f"{recorded.name} {'/'.join(key)}", column,
                              _cell_text(lv[i]) if in_a[i] else "(absent)", _cell_text(rv[i]) if in_b[i] else "(absent)"))
    return len(rows) * len(columns), differing


def _first_differing_line(a: Path, b: Path) -> int | None:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for n, (la, lb) in enumerate(zip(fa, fb), start=1):
            if la != lb:
                return n
        return None if fa.read(1) == fb.read(1) == b"" else n + 1


def _netcdf_hint(recorded: Path, recomputed: Path) -> str:
    """Why two NetCDF files with different bytes differ: contents, or only the library stamp."""
    try:
        import netCDF4
        import xarray as xr
        with xr.open_dataset(recorded) as a, xr.open_dataset(recomputed) as b:
            same = a.identical(b)
        with netCDF4.Dataset(recorded) as a, netCDF4.Dataset(recomputed) as b:
            pa, pb = getattr(a, "_NCProperties", "?"), getattr(b, "_NCProperties", "?")
    except Exception as exc:  # a damaged file: nothing more to say than the hash
        return f" (cannot be read: {exc})"
    if not same:
        return " (the data differ)"
    if pa != pb:
        return f" (same data; netCDF/HDF5 library differs: recorded {pa}, recomputed {pb})"
    return " (same data; the HDF5 layout differs)"


def verify(path: str | Path, limit: int = 1000) -> Verification:
    """Check a pack or run folder against its manifest and recompute it; see the module docstring.

    ``limit`` caps the differing figures listed in the report (0 = all); all are counted."""
    with opened(path) as folder:
        manifest = read_manifest(folder)
        job = job_of(manifest, folder)
        lines: list[str] = []
        listed: dict[str, str] = {}
        for section in ("inputs", "coefficient_registers", "outputs"):
            listed.update(manifest.get(section, {}))
        try:
            present = set(_run_files(folder)) - {MANIFEST}
        except AuditError as exc:
            raise AuditError(f"{path}: {exc}") from None
        file_problems = []
        for name in sorted(listed):
            if name not in present:
                file_problems.append(f"missing file: {name}")
            elif sha256(folder / name) != listed[name]:
                file_problems.append(f"altered file: {name} (SHA-256 differs from the manifest)")
        for name in sorted(present - set(listed)):
            file_problems.append(f"extra file: {name} (not in the manifest)")
        referenced = manifest.get("referenced_inputs", {})
        for name in sorted(referenced):  # layers used in place: checked where they lie
            if not Path(name).is_file():
                file_problems.append(f"missing referenced input: {name} (used in place, not copied into the run)")
            elif sha256(Path(name)) != referenced[name]:
                file_problems.append(f"altered referenced input: {name} (SHA-256 differs from the manifest)")
        lines.append(f"{path}: {len(listed)} files in the manifest "
                     f"({len(manifest.get('inputs', {}))} input, {len(manifest.get('coefficient_registers', {}))} "
                     f"register, {len(manifest.get('outputs', {}))} output)"
                     + (f"; {len(referenced)} input(s) referenced in place, checked at their paths" if referenced
                        else ""))
        if manifest.get("gep_version") != __version__:
            lines.append(f"note: the run was made with gep {manifest.get('gep_version')}; recomputing with gep {__version__}")
        lines += file_problems

        differing: list[tuple[str, str, str, str]] = []
        figures = 0
        with tempfile.TemporaryDirectory(prefix="gep-verify-") as tmp:
            recomputed = Path(tmp) / "recomputed"
            try:
                recompute(folder, recomputed, manifest)
            except (InventoryError, CoefficientError, UnitError, ValueError, OSError) as exc:
                first, *rest = str(exc).splitlines() or [type(exc).__name__]
                file_problems.append(f"the run cannot be recomputed from its inputs: {first}")
                lines.append(file_problems[-1])
                lines += rest
            else:
                figure_files = {f.name: f for f in job.figure_files}
                for name, figure_file in figure_files.items():
                    if name.endswith(".parquet"):
                        count, differ = _compare_parquet(folder / name, recomputed / name, figure_file)
                        figures += count
                        differing += differ
                        continue
                    a = _figures(folder / name, figure_file)
                    b = _figures(recomputed / name, figure_file)
                    for k in sorted(set(a) | set(b), key=lambda x: (tuple(map(str, x[0])), x[1])):
                        figures += 1
                        ra, rb = a.get(k, "(absent)"), b.get(k, "(absent)")
                        if ra != rb:
                            differing.append((f"{name} {'/'.join(k[0])}", k[1], ra, rb))
                output_problems = []
                recorded_outputs = manifest.get("outputs", {})
                produced = {p for p in _run_files(recomputed) if not p.startswith(INPUTS + "/")} - {MANIFEST}
                for name in sorted(set(recorded_outputs) | produced):
                    if name not in produced:
                        output_problems.append(f"output not reproduced: {name} (the recomputation does not "
                                               f"write it)")
                    elif name not in recorded_outputs:
                        output_problems.append(f"output not recorded: {name} (the recomputation writes it; "
                                               f"the run did not)")
                    elif sha256(recomputed / name) == recorded_outputs[name]:
                        continue
                    elif name in figure_files:
                        if (folder / name).is_file() and not any(d[0].startswith(name + " ") for d in differing):
                            if name.endswith(".parquet"):  # binary: no line to name; its writer's version is in it
                                output_problems.append(f"output differs: {name}: every figure reproduces but the "
                                                       "file's bytes differ (a Parquet file records the version "
                                                       "of the library that wrote it)")
                            else:
                                line = _first_differing_line(folder / name, recomputed / name)
                                output_problems.append(f"output differs: {name}: every figure reproduces but the "
                                                       f"text differs from line {line}")
                        # otherwise the differing figures say it
                    else:
                        hint = ""
                        if name.endswith(".nc") and (folder / name).is_file():
                            hint = _netcdf_hint(folder / name, recomputed / name)
                        elif name.endswith(".csv") and (folder / name).is_file():
                            hint = f" (first differing line {_first_differing_line(folder / name, recomputed / name)})"
                        output_problems.append(f"output differs: {name} (SHA-256 of the recomputed file "
                                               f"differs from the manifest){hint}")
                file_problems += output_problems
                lines += output_problems
        lines.append(f"{figures} figures checked ({job.figures_checked()})")
        shown = differing if limit <= 0 else differing[:limit]
        for where, column, ra, rb in shown:
            lines.append(f"differs: {where} {column}: recorded {ra}, recomputed {rb}")
        if len(shown) < len(differing):
            lines.append(f"… and {len(differing) - len(shown)} more differing figures")
        ok = not differing and not file_problems
        if ok:
            lines.append(f"verified: {figures} figures reproduce exactly")
        else:
            parts = []
            if differing:
                parts.append(f"{len(differing)} of {figures} figures differ")
            if file_problems:
                parts.append(f"{len(file_problems)} file problem(s): " + "; ".join(file_problems))
            lines.append("FAILED: " + "; ".join(parts))
        return Verification(ok=ok, figures=figures, differing=differing, file_problems=file_problems, lines=lines)
