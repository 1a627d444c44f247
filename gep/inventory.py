"""Read an inventory (a folder of CSV files, or an .xlsx workbook) into validated tables in canonical units.

The format is declared in ``gep/data/inventory.yaml``. Loading checks everything at once and raises
:class:`InventoryError` with one line per problem — file, row, column, what was expected — so a
bureau can fix a whole table in one pass. Nothing downstream sees an unvalidated value.

Every loaded table keeps, per row, the file and spreadsheet row it came from (``input_file``, ``input_row``),
so a figure can be traced back to its input cell.
"""
from __future__ import annotations

import functools

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import inventory_spec, services_spec
from .reading import ReadError, is_scratch_file, read_csv, read_workbook, shown as shown_value, unsaved_formula_error
from .inventory_checks import (ancestors_of, check_areas, check_parcels, check_region_refs, check_regions,
                               check_rows)
from .problems import (MESSAGE_CHARACTERS, SHOWN_PER_FILE, InventoryError, Problem,  # noqa: F401  (re-exported)
                       problem_lines)
from .units import UnitError, conversion, decimal_shift, dimensionality_text, parse_unit, scale

HEADER_RE = re.compile(r"^\s*(?P<label>[^\[\]]+?)\s*(?:\[(?P<unit>[^\]]*)\])?\s*$")


@functools.cache
def _empty_table(name: str) -> pd.DataFrame:
    columns = list(inventory_spec()["tables"][name]["columns"]) + ["input_file", "input_row"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class Inventory:
    """Validated tables in canonical units, keyed by table name."""

    path: Path
    tables: dict[str, pd.DataFrame]
    files: dict[str, Path]
    declared_units: dict[str, dict[str, str]]
    warnings: list[Problem] = field(default_factory=list)
    format_version: str = ""

    def table(self, name: str) -> pd.DataFrame:
        """The table, or an empty frame with the declared columns when the inventory has none."""
        if name in self.tables:
            return self.tables[name]
        return _empty_table(name).copy()  # a copy: callers may add columns to what they are given

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.table("extent")["year"].unique())


# ----------------------------------------------------------------------------------------------
# reading raw tables


def cell_as_text(value) -> str:
    """A cell as text: Excel numbers that are whole become '500229', NaN becomes ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).strip()


def table_key(stem: str) -> str | None:
    """The inventory table a file or sheet holds, by its key or Chinese name (``行政区`` → ``regions``);
    None for no table. Public because :mod:`gep.audit` reads a run's copied tables the same way."""
    tables = inventory_spec()["tables"]
    if stem in tables:
        return stem
    for name, spec in tables.items():
        if spec["zh"] == stem:
            return name
    return None


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: Path, shown: Path | None = None) -> bool:
    """Whether the inventory at ``path`` is one workbook (else a folder of CSV/XLSX files); anything else is
    an :class:`InventoryError` saying what the path is."""
    if path.is_file() and path.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    if path.is_dir():
        return False
    if path.is_file():
        raise InventoryError([Problem(str(shown or path), None, None, "is one file, not an inventory: give the "
                                      "folder that holds the inventory's CSV files, or one .xlsx workbook")])
    raise InventoryError([Problem(str(shown or path), None, None,
                                  "not found: give a folder of CSV files or an .xlsx workbook")])


def table_files(folder: Path) -> list[Path]:
    """The files of an inventory folder that are read as tables (.csv, .xlsx, .xlsm), in name order; Office
    lock files and hidden files are not (:func:`gep.reading.is_scratch_file`). An entry named like a table that
    is no file — a folder, a broken link — is an :class:`InventoryError`: skipped, its table would vanish."""
    files, problems = [], []
    for f in sorted(folder.iterdir()):
        if is_scratch_file(f) or f.suffix.lower() not in (".csv", *WORKBOOK_SUFFIXES):
            continue
        if f.is_file():
            files.append(f)
        else:
            what = "a folder" if f.is_dir() else "a link to a file that does not exist"
            problems.append(Problem(f.name, None, None, f"is {what}, not a table file"))
    if problems:
        raise InventoryError(problems)
    return files


def _read_sources(path: Path, shown: Path) -> tuple[dict[str, tuple[str, pd.DataFrame | None]], list[Problem]]:
    """Raw string tables by name, with the file label used in messages (None: the file could not be read, and
    a problem says why). ``shown`` is the inventory's path as the user gave it, for messages."""
    raw: dict[str, tuple[str, pd.DataFrame]] = {}
    problems: list[Problem] = []

    def add(name: str | None, label: str, frame: pd.DataFrame, text: bool = False):
        """``text``: the cells are already strings (a CSV read as text); spreadsheet cells are made text here."""
        if name is None:
            problems.append(Problem(label, None, None, "not an inventory table; table names are "
                                    + ", ".join(inventory_spec()["tables"]), "warning"))
            return
        if name in raw:
            problems.append(Problem(label, None, None, f"table '{name}' is given twice "
                                    f"(also in {raw[name][0]})"))
            return
        unsaved = frame.attrs.get("unsaved_formulas")
        if unsaved:  # only a table's unsaved formulas matter: a 说明 sheet's are no one's figures
            error = unsaved_formula_error("", "", unsaved)
            problems.append(Problem(label, error.row, None, error.message))
            raw[name] = (label, None)
            return
        raw[name] = (label, frame.map(cell_as_text).astype(str) if len(frame) and not text else frame.astype(str))

    def sheets_of(book: Path, shown_name: str) -> dict[str, pd.DataFrame]:
        """The workbook's sheets; none, with the problem recorded, when it cannot be read."""
        try:
            return read_workbook(book, shown_name, unsaved_formulas="keep")
        except ReadError as exc:
            problems.append(Problem(exc.file, exc.row, exc.column, exc.message))
            return {}

    if is_workbook(path, shown):
        try:  # the whole inventory: nothing else to check when it cannot be read
            sheets = read_workbook(path, shown.name, unsaved_formulas="keep")
        except ReadError as exc:
            raise InventoryError([Problem(exc.file, exc.row, exc.column, exc.message)]) from None
        for sheet, frame in sheets.items():
            add(table_key(sheet), f"{shown.name}[{sheet}]", frame)
    else:
        for f in table_files(path):
            if f.suffix.lower() == ".csv":
                try:
                    frame = read_csv(f, f.name)
                except ReadError as exc:
                    problems.append(Problem(exc.file, exc.row, exc.column, exc.message))
                    # a table that cannot be read is not also "missing"
                    raw.setdefault(table_key(f.stem) or f.name, (f.name, None))
                    continue
                add(table_key(f.stem), f.name, frame, text=True)  # stripped with the other cells when parsed
            elif f.suffix.lower() in WORKBOOK_SUFFIXES:
                sheets = sheets_of(f, f.name)
                if len(sheets) == 1 and table_key(f.stem):
                    ((_, frame),) = sheets.items()
                    add(table_key(f.stem), f.name, frame)
                else:
                    for sheet, frame in sheets.items():
                        add(table_key(sheet), f"{f.name}[{sheet}]", frame)
    return raw, problems


# ----------------------------------------------------------------------------------------------
# one table


def column_key(label: str, columns: dict) -> str | None:
    """The column a header label names, by its Chinese name or key (case-insensitive); None for none."""
    for name, spec in columns.items():
        if label == spec["zh"] or label.lower() == name.lower():
            return name
    return None


def _vocab_key(text: str, vocabulary: dict) -> str | None:
    if text in vocabulary:
        return text
    for key, entry in vocabulary.items():
        if entry["zh"] == text or key.lower() == text.lower():
            return key
    return None


def _parse_table(name: str, label: str, raw: pd.DataFrame, problems: list[Problem]):
    """Check headers and cells of one table; returns (frame, declared units) in canonical units."""
    spec = inventory_spec()["tables"][name]
    columns = spec["columns"]
    vocabularies = inventory_spec()["vocabularies"]
    mapping: dict[str, str] = {}
    declared: dict[str, str] = {}
    ok = True
    for header in raw.columns:
        header = str(header)
        m = HEADER_RE.match(header)
        if not m or header.startswith("Unnamed:"):
            problems.append(Problem(label, 1, header, "empty or malformed column header"))
            ok = False
            continue
        col = column_key(m["label"], columns)
        if col is None:
            problems.append(Problem(label, 1, header, "unknown column; expected one of " + ", ".join(
                f"{c} ({s['zh']})" for c, s in columns.items())))
            ok = False
            continue
        if col in mapping.values():
            problems.append(Problem(label, 1, header, f"column '{col}' appears twice"))
            ok = False
            continue
        mapping[header] = col
        cspec = columns[col]
        unit = m["unit"]
        if "unit" in cspec:
            if unit is None or not unit.strip():
                problems.append(Problem(label, 1, header, f"no unit: write the unit in brackets, e.g. "
                                        f"'{cspec['zh']} [{cspec['unit']}]'"))
                ok = False
                continue
            try:
                conversion(unit, cspec["unit"])
            except UnitError as exc:
                problems.append(Problem(label, 1, header, f"{exc}; expected a unit of "
                                        f"{dimensionality_text(cspec['unit'])} such as {cspec['unit']}"))
                ok = False
                continue
            declared[col] = unit.strip()
        elif unit is not None:
            problems.append(Problem(label, 1, header, "this column holds no quantity and takes no unit "
                                    + ("(its unit comes from column " + cspec["unit_column"] + ")"
                                       if "unit_column" in cspec else "")))
            ok = False
    present = set(mapping.values())
    for col, cspec in columns.items():
        if cspec.get("required") and col not in present:
            unit_hint = f" [{cspec['unit']}]" if "unit" in cspec else ""
            problems.append(Problem(label, 1, col, f"required column missing: add '{cspec['zh']}{unit_hint}' "
                                    f"(or '{col}{unit_hint}')"))
            ok = False
    for col, cspec in columns.items():
        if "unit_column" in cspec and col in present and cspec["unit_column"] not in present:
            problems.append(Problem(label, 1, col, f"column '{col}' needs the column "
                                    f"'{cspec['unit_column']}' ({columns[cspec['unit_column']]['zh']}) "
                                    f"giving each row's unit"))
            ok = False
    if not ok:
        return None, declared

    frame = raw.rename(columns=mapping)
    out = pd.DataFrame(index=frame.index)
    out["input_file"] = label
    out["input_row"] = np.arange(2, len(frame) + 2)
    for col, cspec in columns.items():
        if col not in frame.columns:
            out[col] = np.nan if ("unit" in cspec or "unit_column" in cspec) else ""
            continue
        values = frame[col].astype(str).str.strip()
        kind = cspec.get("type")
        if "unit" in cspec or "unit_column" in cspec:
            if "unit" in cspec:
                numbers = _numbers_in(values, declared[col], cspec["unit"])
            else:
                numbers = to_numbers(values.replace("", np.nan))
            bad = values.ne("") & numbers.isna()
            for i in np.flatnonzero(bad.to_numpy()):
                problems.append(Problem(label, int(out["input_row"].iloc[i]), col,
                                        f"'{shown_value(values.iloc[i])}' is not a number"))
            # 'inf', '1e999': a number, but no amount — every sum it entered would be infinite
            for i in np.flatnonzero(np.isinf(numbers.to_numpy(dtype=float))):
                problems.append(Problem(label, int(out["input_row"].iloc[i]), col,
                                        f"'{shown_value(values.iloc[i])}' is not a finite number"))
            numbers = numbers.where(np.isfinite(numbers.to_numpy(dtype=float)))
            out[col] = numbers.astype(float)
            lo, hi = cspec.get("min"), cspec.get("max")
            shown = cspec.get("unit", "")
            if lo is not None:
                low = numbers <= lo if cspec.get("exclusive_min") else numbers < lo
                for i in np.flatnonzero(low.fillna(False).to_numpy()):
                    problems.append(Problem(label, int(out["input_row"].iloc[i]), col,
                                            f"{shown_value(values.iloc[i])} is below the minimum "
                                            f"({'>' if cspec.get('exclusive_min') else '≥'} {lo} {shown})".rstrip()
                                            + ("; negative or zero amounts are not allowed here" if lo == 0 else "")))
            if hi is not None:
                # max is stated in the canonical unit (e.g. percent 100, fraction 1)
                for i in np.flatnonzero((numbers > hi).fillna(False).to_numpy()):
                    problems.append(Problem(label, int(out["input_row"].iloc[i]), col,
                                            f"{shown_value(values.iloc[i])} is above the maximum {hi} {shown}".rstrip()))
        elif kind == "year":
            years = to_numbers(values)
            invalid = years.isna() | (years % 1 != 0) | (years < 1900) | (years > 2100)
            for i in np.flatnonzero(invalid.to_numpy() & values.ne("").to_numpy()):
                problems.append(Problem(label, int(out["input_row"].iloc[i]), col,
                                        f"'{shown_value(values.iloc[i])}' is not a year (1900–2100)"))
            out[col] = years.where(~invalid)  # 'INF' is reported above; later checks see no year, not ∞
        elif kind == "enum":
            vocab = vocabularies[cspec["vocabulary"]]
            # each distinct text looked up once, and the keys taken back to the rows by code (Series.map over
            # 10⁶ cells of pandas' string arrays took 0.17 s a column)
            codes, distinct = pd.factorize(values)
            keys = pd.Series(pd.Series([_vocab_key(t, vocab) if t else "" for t in distinct], dtype=values.dtype)
                             .array.take(codes, allow_fill=True), index=values.index)  # -1 (missing): NaN
            for i in np.flatnonzero(keys.isna().to_numpy()):
                problems.append(Problem(label, int(out["input_row"].iloc[i]), col,
                                        f"'{shown_value(values.iloc[i])}' is not one of " + ", ".join(
                                            f"{k} ({v['zh']})" for k, v in vocab.items())))
            out[col] = keys.fillna("")
        elif kind == "service":
            known = services_spec()["services"]
            for i in np.flatnonzero((~values.isin(list(known)) & values.ne("")).to_numpy()):
                problems.append(Problem(label, int(out["input_row"].iloc[i]), col,
                                        f"'{shown_value(values.iloc[i])}' is not a service; services: {', '.join(known)}"))
            out[col] = values
        elif kind == "unit":
            for i, text in enumerate(values):
                if text:
                    try:
                        parse_unit(text)
                    except UnitError as exc:
                        problems.append(Problem(label, int(out["input_row"].iloc[i]), col, str(exc)))
            out[col] = values
        else:
            out[col] = values
        if cspec.get("required"):
            for i in np.flatnonzero(values.eq("").to_numpy()):
                problems.append(Problem(label, int(out["input_row"].iloc[i]), col, "required value is empty"))
    return out, declared


def _numbers_in(text: pd.Series, from_unit: str, to_unit: str) -> pd.Series:
    """Cells (stripped text) as numbers in ``to_unit``; NaN where empty or not a number.

    The exact factor (:func:`gep.units.conversion`) is ``10**e × p/q``: the power of ten moves the decimal
    exponent of the text itself (``"4.9"`` 亿kWh is read as ``"4.9e8"`` kWh, one correctly rounded parse, so
    exactly 490 000 000 — 4.9 × 1e8 in floats is 490 000 000.00000006), and p/q is applied as ``x × p / q``
    (:func:`gep.units.scale`): 1500 亩 is exactly 100 hm², 1.5 万亩 exactly 1000 hm². Cells already written
    with an exponent (``"1e3"``) are read as they are and the whole factor applied as ``x × p / q``."""
    factor = conversion(from_unit, to_unit)
    shift, rest = decimal_shift(factor)
    if shift == 0:
        return scale(to_numbers(text.replace("", np.nan)).astype(float), factor)
    numbers = to_numbers((text + f"e{shift}").where(text.ne(""), np.nan)).astype(float)
    numbers = scale(numbers, rest)
    again = text.ne("") & numbers.isna()  # "1e3", "inf": the exponent cannot be moved in the text
    if again.any():
        numbers[again] = scale(pd.to_numeric(text[again], errors="coerce").astype(float), factor)
    return numbers


#: a column of at least this many cells is parsed by pyarrow (:func:`to_numbers`)
COLUMNAR_CELLS = 20_000
_INTEGER = r"^[+-]?[0-9]+$"
_DECIMAL = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def to_numbers(text: pd.Series) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce")`` — same values, same dtype — for a column of stripped cells
    ('' or NaN where empty), parsed by pyarrow where the column is long: pandas builds a Python object per cell
    (3.8 s for 10⁶ parcels). Both parse decimal text to the nearest float; pandas gives int64 when every cell
    is an integer, and float64 (NaN where empty or no number) otherwise. Cells pyarrow does not parse as pandas
    does — anything but plain decimals: 'inf', 'nan', '1,5', '１２' — are left to pandas, as is the whole
    column when pyarrow refuses it (an integer beyond int64)."""
    if len(text) < COLUMNAR_CELLS:
        return pd.to_numeric(text, errors="coerce")
    import pyarrow as pa
    import pyarrow.compute as pc
    try:
        cells = pa.array(text, type=pa.large_string(), from_pandas=True)
        every = _every_cell_a_number(cells)
        if every is not None:
            return pd.Series(every, index=text.index, name=text.name)
        if not cells.null_count and pc.all(pc.match_substring_regex(cells, _INTEGER)).as_py():
            return pd.Series(pc.cast(cells, pa.int64()).to_numpy().copy(), index=text.index, name=text.name)
        plain = pc.fill_null(pc.match_substring_regex(cells, _DECIMAL), False)
        numbers = pc.cast(pc.if_else(plain, cells, pa.scalar(None, pa.large_string())), pa.float64())
        numbers = numbers.to_numpy(zero_copy_only=False)  # a copy: NaN where null
    except (pa.ArrowException, TypeError, ValueError):
        return pd.to_numeric(text, errors="coerce")
    rest = ~plain.to_numpy(zero_copy_only=False) & text.notna().to_numpy() & text.ne("").to_numpy()
    if rest.any():
        numbers[rest] = pd.to_numeric(text[rest], errors="coerce").astype(float).to_numpy()
    return pd.Series(numbers, index=text.index, name=text.name)


def _every_cell_a_number(cells) -> np.ndarray | None:
    """The common case of :func:`to_numbers`, without a regular expression: every cell is text pyarrow reads as
    a float (which pandas reads as the same float: decimals, 'inf'); None when one is not, when pandas might
    read the column as integers (every cell whole: '2021', and '-0' would be 0, not -0.0), or a cell is NaN
    ('-nan': pyarrow keeps its sign, pandas does not)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if cells.null_count:
        return None
    try:
        numbers = pc.cast(cells, pa.float64()).to_numpy().copy()
    except pa.ArrowInvalid:
        return None
    with np.errstate(invalid="ignore"):
        if np.isnan(numbers).any() or (numbers == np.trunc(numbers)).all():
            return None
    return numbers


def _in_key_order(frame: pd.DataFrame, key: list[str]) -> bool:
    """Whether ``frame`` is already in the order a stable sort by ``key`` gives it (no key cell missing), so the
    sort, which moves nothing, can be left out: 0.5 s for 10⁶ parcels, which a parcels table listed by 小班号
    and year already is. Text is compared as pandas sorts it, by code point (UTF-8 bytes, in pyarrow)."""
    if len(frame) < 2:
        return True
    undecided = np.ones(len(frame) - 1, dtype=bool)  # pairs of neighbours equal in every key column so far
    for column in key:
        cells = frame[column]
        if cells.isna().any():
            return False
        if isinstance(cells.dtype, pd.StringDtype) and cells.dtype.storage == "pyarrow":
            import pyarrow as pa
            import pyarrow.compute as pc
            texts = pa.array(cells.array)
            texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
            before, after = texts[:-1], texts[1:]
            less = pc.less(before, after).to_numpy(zero_copy_only=False)
            equal = pc.equal(before, after).to_numpy(zero_copy_only=False)
        elif cells.dtype.kind in "iuf":
            values = cells.to_numpy()
            less, equal = values[:-1] < values[1:], values[:-1] == values[1:]
        else:
            return False
        if (undecided & ~less & ~equal).any():
            return False
        undecided &= equal
    return True


def _repeats_previous(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """Per row, whether its ``key`` cells all equal the row before's (the first row: no)."""
    same = np.ones(len(frame), dtype=bool)
    same[:1] = False
    for column in key:
        values = frame[column].to_numpy()
        same[1:] &= values[1:] == values[:-1]
    return pd.Series(same, index=frame.index)


def _check_keys(name: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
    key = inventory_spec()["tables"][name]["key"]
    if _in_key_order(frame, key):  # equal keys are neighbours: a repeat is a row equal to the one before it
        dup = _repeats_previous(frame, key)
    else:
        dup = frame.duplicated(subset=key, keep="first")
    if not dup.any():  # the usual case: no need to find where each key came first (0.3 s for 10⁶ parcels)
        return
    # blank keys (NaN years) are equal to each other here, as in duplicated(), though NaN != NaN
    first_rows = frame.groupby(key, dropna=False, sort=False)["input_row"].transform("first")
    for i in np.flatnonzero(dup.to_numpy()):
        first = first_rows.iloc[i]
        problems.append(Problem(frame["input_file"].iloc[i], int(frame["input_row"].iloc[i]), ", ".join(key),
                                f"duplicate row: same {', '.join(key)} as row {first}"))


def read_inventory(path: str | Path, shown_as: str | Path | None = None) -> tuple[Inventory | None, list[Problem]]:
    """Read and check an inventory; returns (inventory or None, all problems incl. warnings).

    ``shown_as``: the path messages name, when ``path`` is a copy (a run reads the copy in its folder, and
    the user is told about the file they gave)."""
    path = Path(path)
    shown = Path(shown_as) if shown_as is not None else path
    try:
        raw, problems = _read_sources(path, shown)
    except InventoryError as exc:
        return None, exc.problems
    spec = inventory_spec()
    for name, tspec in spec["tables"].items():
        if tspec.get("required") and name not in raw:
            problems.append(Problem(str(shown), None, None, f"required table '{name}' ({tspec['zh']}) is missing: "
                                    f"add {name}.csv or a sheet named {name}"))
    tables: dict[str, pd.DataFrame] = {}
    declared: dict[str, dict[str, str]] = {}
    files: dict[str, Path] = {}
    for name, (label, frame) in raw.items():
        if frame is None:
            continue
        parsed, units = _parse_table(name, label, frame, problems)
        declared[name] = units
        files[name] = path / label if path.is_dir() and "[" not in label else path
        if parsed is not None:
            if spec["tables"][name].get("required") and not len(parsed):
                problems.append(Problem(label, None, None, f"required table '{name}' ({spec['tables'][name]['zh']}) "
                                        f"has no rows: only its header row was found"))
            _check_keys(name, parsed, problems)
            tables[name] = parsed
    check_rows(tables, problems)
    warnings = [p for p in problems if p.severity == "warning"]
    if "regions" in tables and len(tables["regions"]):  # no regions: said above, and every code would be unknown
        regions = tables["regions"]
        parents = dict(zip(*(regions[c].to_numpy(dtype=object) for c in ("code", "parent_code"))))
        ancestors = {code: ancestors_of(code, parents) for code in regions["code"]}
        check_regions(regions, ancestors, problems)
        for name, frame in tables.items():
            if name != "regions":
                check_region_refs(name, frame, regions, ancestors, problems)
        if not any(p.severity == "error" for p in problems):
            check_areas(tables, problems, warnings)
            check_parcels(tables, ancestors, problems, warnings)
    problems = [p for p in problems if p.severity == "error"] + warnings
    if any(p.severity == "error" for p in problems):
        return None, problems
    for name, frame in tables.items():
        key = spec["tables"][name]["key"]
        if "year" in frame.columns:
            frame["year"] = frame["year"].astype(int)
        in_order = _in_key_order(frame, key)
        tables[name] = (frame if in_order else frame.sort_values(key, kind="stable")).reset_index(drop=True)
    return Inventory(path=path, tables=tables, files=files, declared_units=declared, warnings=warnings,
                     format_version=spec["format_version"]), problems


def load_inventory(path: str | Path, shown_as: str | Path | None = None) -> Inventory:
    """Read an inventory or raise :class:`InventoryError` listing every problem (see :func:`read_inventory`)."""
    inventory, problems = read_inventory(path, shown_as)
    if inventory is None:
        raise InventoryError(problems)
    return inventory
