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
from .units import UnitError, conversion, decimal_shift, dimensionality_text, parse_unit, scale

HEADER_RE = re.compile(r"^\s*(?P<label>[^\[\]]+?)\s*(?:\[(?P<unit>[^\]]*)\])?\s*$")
AREA_TOLERANCE = 1e-3  # relative: parts may exceed their whole by at most 0.1 % (rounding in sources)


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {shown_value(self.column)}"
        return f"{where}: {shown_value(self.message, MESSAGE_CHARACTERS)}"


MESSAGE_CHARACTERS = 600  # a message longer than this was made from a runaway value; the rest is cut
SHOWN_PER_FILE = 30  # problems listed per file before "… and N more": 10⁵ bad columns are one mistake


def problem_lines(problems: list[Problem], per_file: int | None = SHOWN_PER_FILE) -> list[str]:
    """One line per problem, at most ``per_file`` per file (None: all), then how many more that file has."""
    lines, count = [], {}
    for p in problems:
        count[p.file] = count.get(p.file, 0) + 1
        if per_file is None or count[p.file] <= per_file:
            lines.append(str(p))
    for file, n in count.items():
        if per_file is not None and n > per_file:
            lines.append(f"{file}: … and {n - per_file} more problem(s) in this file (gep validate --all lists "
                         f"every one)")
    return lines


class InventoryError(ValueError):
    """The inventory has problems; ``problems`` lists all of them, the message at most
    :data:`SHOWN_PER_FILE` per file."""

    subject = "the inventory"  # what the problems are in, for the message's first line

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in {self.subject}:\n  " + "\n  ".join(problem_lines(errors)))


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
                numbers = pd.to_numeric(values.replace("", np.nan), errors="coerce")
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
            years = pd.to_numeric(values, errors="coerce")
            for i in np.flatnonzero((years.isna() | (years % 1 != 0) | (years < 1900) | (years > 2100))
                                    .to_numpy() & values.ne("").to_numpy()):
                problems.append(Problem(label, int(out["input_row"].iloc[i]), col,
                                        f"'{shown_value(values.iloc[i])}' is not a year (1900–2100)"))
            out[col] = years
        elif kind == "enum":
            vocab = vocabularies[cspec["vocabulary"]]
            keys = values.map({t: _vocab_key(t, vocab) if t else "" for t in values.unique()})
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
        return scale(pd.to_numeric(text.replace("", np.nan), errors="coerce").astype(float), factor)
    numbers = pd.to_numeric((text + f"e{shift}").where(text.ne(""), np.nan), errors="coerce").astype(float)
    numbers = scale(numbers, rest)
    again = text.ne("") & numbers.isna()  # "1e3", "inf": the exponent cannot be moved in the text
    if again.any():
        numbers[again] = scale(pd.to_numeric(text[again], errors="coerce").astype(float), factor)
    return numbers


def _check_keys(name: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
    key = inventory_spec()["tables"][name]["key"]
    dup = frame.duplicated(subset=key, keep="first")
    # blank keys (NaN years) are equal to each other here, as in duplicated(), though NaN != NaN
    first_rows = frame.groupby(key, dropna=False, sort=False)["input_row"].transform("first")
    for i in np.flatnonzero(dup.to_numpy()):
        first = first_rows.iloc[i]
        problems.append(Problem(frame["input_file"].iloc[i], int(frame["input_row"].iloc[i]), ", ".join(key),
                                f"duplicate row: same {', '.join(key)} as row {first}"))


# ----------------------------------------------------------------------------------------------
# cross-table checks


def _ancestors(code: str, parents: dict[str, str]) -> list[str]:
    seen, out = set(), []
    while parents.get(code) and parents[code] not in seen:
        code = parents[code]
        seen.add(code)
        out.append(code)
    return out


def _check_regions(regions: pd.DataFrame, ancestors: dict[str, list[str]], problems: list[Problem]) -> None:
    codes = regions["code"]
    unknown_parent = (regions["parent_code"].ne("") & ~regions["parent_code"].isin(codes)).to_numpy()
    cyclic = np.array([code in ancestors[code] for code in codes], dtype=bool)
    for i in np.flatnonzero(unknown_parent | cyclic):
        r = regions.iloc[i]
        if unknown_parent[i]:
            problems.append(Problem(r["input_file"], int(r["input_row"]), "parent_code",
                                    f"parent '{r['parent_code']}' is not a region of this inventory"))
        if cyclic[i]:
            problems.append(Problem(r["input_file"], int(r["input_row"]), "parent_code",
                                    "region is its own ancestor"))
    roots = regions[regions["parent_code"] == ""]
    if len(roots) != 1:
        problems.append(Problem(regions["input_file"].iloc[0] if len(regions) else "regions", None, "parent_code",
                                f"exactly one top-level region (no parent) is expected, found {len(roots)}"))
    children_area = regions[regions["parent_code"] != ""].groupby("parent_code")["land_area"].sum()
    area = dict(zip(regions["code"], regions["land_area"]))
    for parent, total in children_area.items():
        if parent in area and not np.isnan(area[parent]) and \
                abs(total - area[parent]) > AREA_TOLERANCE * area[parent]:
            row = regions[regions["code"] == parent].iloc[0]
            problems.append(Problem(row["input_file"], int(row["input_row"]), "land_area",
                                    f"land areas of the sub-regions add up to {total:,.2f} hm², "
                                    f"not this region's {area[parent]:,.2f} hm²"))


def _check_region_refs(name: str, frame: pd.DataFrame, regions: pd.DataFrame, ancestors: dict[str, list[str]],
                       problems: list[Problem]) -> None:
    if "region_code" not in frame.columns or not len(frame):
        return
    codes = set(regions["code"])
    for r in frame[~frame["region_code"].isin(codes) & frame["region_code"].ne("")].itertuples():
        problems.append(Problem(r.input_file, r.input_row, "region_code",
                                f"unknown region code '{r.region_code}': not in regions"))
    # The same extensive table must not hold a region and one of its ancestors for the same year:
    # the ancestor's figure would be counted twice when township results are added up.
    if name in ("conditions", "climate", "targets", "socioeconomic", "parcels"):
        return  # intensive parameters and statistics may be given at any level; a parcel is never a total
    lineage = frame["region_code"].map(ancestors).explode().dropna()  # nearest ancestor first
    position = lineage.index.to_numpy()  # parsed tables have a range index
    years = frame["year"].to_numpy()
    present = pd.MultiIndex.from_arrays([years, frame["region_code"].to_numpy()])
    clashes = lineage[pd.MultiIndex.from_arrays([years[position], lineage.to_numpy()]).isin(present)]
    clashes = clashes[~clashes.index.duplicated()]  # a row's nearest ancestor with rows of its own
    first = pd.Series(clashes.index.to_numpy(), index=years[clashes.index.to_numpy()]).groupby(level=0).min()
    for year, i in first.items():  # the first clashing row of each year, as the user fixes them
        r = frame.iloc[i]
        problems.append(Problem(r["input_file"], int(r["input_row"]), "region_code",
                                f"{name} has rows for both region {r['region_code']} and its parent "
                                f"{clashes.loc[i]} in {int(year)}: the parent's rows would be counted twice; "
                                f"give each figure at one level only"))


def _check_areas(tables: dict[str, pd.DataFrame], problems: list[Problem], warnings: list[Problem]) -> None:
    regions = tables["regions"].set_index("code")
    land = regions["land_area"]

    def first_row(frame: pd.DataFrame, code: str, year) -> pd.Series:
        return frame[(frame["region_code"] == code) & (frame["year"] == year)].iloc[0]

    def land_of(totals: pd.Series) -> np.ndarray:
        return land.reindex(totals.index.get_level_values("region_code")).to_numpy(dtype=float)

    extent = tables.get("extent")
    if extent is not None and len(extent):
        totals = extent.groupby(["region_code", "year"])["area"].sum()
        for i in np.flatnonzero(totals.to_numpy() > land_of(totals) * (1 + AREA_TOLERANCE)):
            (code, year), total = totals.index[i], totals.iloc[i]
            row = first_row(extent, code, year)
            problems.append(Problem(row["input_file"], int(row["input_row"]), "area",
                                    f"ecosystem areas of {code} in {int(year)} add up to {total:,.2f} hm², "
                                    f"more than its land area {land[code]:,.2f} hm²"))
    forest = tables.get("forest")
    if forest is not None and len(forest):
        totals = forest.groupby(["region_code", "year"])["area"].sum()
        ext_forest = (extent[extent["ecosystem"] == "forest"].groupby(["region_code", "year"])["area"].sum()
                      if extent is not None and len(extent) else pd.Series(dtype=float))
        area = totals.to_numpy()
        in_extent = ext_forest.reindex(totals.index).to_numpy(dtype=float) if len(ext_forest) \
            else np.full(len(totals), np.nan)
        above_land = area > land_of(totals) * (1 + AREA_TOLERANCE)
        differs = np.abs(area - in_extent) > AREA_TOLERANCE * np.maximum(area, 1.0)  # False where no extent row
        for i in np.flatnonzero(above_land | differs):
            (code, year), total = totals.index[i], area[i]
            row = first_row(forest, code, year)
            if above_land[i]:
                problems.append(Problem(row["input_file"], int(row["input_row"]), "area",
                                        f"forest area of {code} in {int(year)} is {total:,.2f} hm², "
                                        f"above its land area {land[code]:,.2f} hm²"))
            else:
                warnings.append(Problem(row["input_file"], int(row["input_row"]), "area",
                                        f"forest table gives {total:,.2f} hm² for {code} in {int(year)}, "
                                        f"the extent table {in_extent[i]:,.2f} hm²", "warning"))



def parcel_targets(keys: pd.DataFrame, extent: pd.DataFrame, ancestors) -> tuple[np.ndarray, np.ndarray]:
    """For each parcel key (region_code, year, ecosystem): the region whose figure its parcels make — itself
    when the extent table has a row for it, else its nearest ancestor with one (parcels coded by village, the
    extent given by township), else itself — and whether the extent table has rows for it only *below* it
    (parcels coded by township, the extent given by village: an error, the township's figure would be counted
    twice). ``ancestors(code)`` lists a region's ancestors, nearest first."""
    have = set(zip(extent["region_code"], extent["year"].astype(int), extent["ecosystem"])) if len(extent) else set()
    below = {(a, year, eco) for code, year, eco in have for a in ancestors(code)}
    targets, conflicts = [], []
    for code, year, eco in zip(keys["region_code"], keys["year"].astype(int), keys["ecosystem"]):
        target = next((c for c in (code, *ancestors(code)) if (c, year, eco) in have), None)
        targets.append(target or code)
        conflicts.append(target is None and (code, year, eco) in below)
    return np.array(targets, dtype=object), np.array(conflicts, dtype=bool)


def _check_parcels(tables: dict[str, pd.DataFrame], ancestors: dict[str, list[str]], problems: list[Problem],
                   warnings: list[Problem]) -> None:
    """Parcels against the extent table: their years must be accounting years; they must not lie above the
    level the extent gives their ecosystem at; their areas should add up to the extent's (a warning)."""
    parcels = tables.get("parcels")
    if parcels is None or not len(parcels):
        return
    extent = tables.get("extent", pd.DataFrame(columns=["region_code", "year", "ecosystem", "area"]))
    keys = ["region_code", "year", "ecosystem"]
    firsts = parcels.drop_duplicates(keys)
    years = set(extent["year"].astype(int)) if len(extent) else set()
    for r in firsts.drop_duplicates("year").itertuples():
        if int(r.year) not in years:
            problems.append(Problem(r.input_file, int(r.input_row), "year",
                                    f"parcels of {int(r.year)}, but the extent table has no year {int(r.year)}: "
                                    f"parcels add to the accounts of the years the extent table gives"))
    targets, conflicts = parcel_targets(firsts, extent, lambda c: ancestors.get(c, []))
    for r in firsts[conflicts].itertuples():
        problems.append(Problem(r.input_file, int(r.input_row), "region_code",
                                f"parcels of {r.region_code} ({r.ecosystem}, {int(r.year)}) lie above the level the "
                                f"extent table gives {r.ecosystem} at (its sub-regions): the figure would be counted "
                                f"twice; give each parcel the code of the sub-region it lies in"))
    # areas: parcels summed into the region whose figure they make, against that region's extent row
    target_of = dict(zip(map(tuple, firsts[keys].itertuples(index=False)), targets))
    first_row: dict[tuple, int] = {}  # the first parcel row making each target's figure
    for (_code, year, eco), target, row in zip(target_of, targets, firsts["input_row"]):
        first_row.setdefault((target, int(year), eco), int(row))
    summed = parcels.groupby(keys)["area"].sum()
    by_target = pd.Series(summed.to_numpy(), index=pd.MultiIndex.from_arrays(
        [[target_of[k] for k in summed.index], summed.index.get_level_values("year"),
         summed.index.get_level_values("ecosystem")], names=keys)).groupby(level=keys).sum()
    in_extent = (extent.set_index(keys)["area"].reindex(by_target.index).to_numpy(dtype=float)
                 if len(extent) else np.full(len(by_target), np.nan))
    area = by_target.to_numpy()
    differs = ~(np.abs(area - in_extent) <= AREA_TOLERANCE * np.maximum(area, 1.0))  # also where no extent row
    shown_at_most = 20  # enough to show the pattern of a systematic difference
    file = str(parcels["input_file"].iloc[0])
    for i in np.flatnonzero(differs)[:shown_at_most]:
        code, year, ecosystem = by_target.index[i]
        shown = "no row" if np.isnan(in_extent[i]) else f"{in_extent[i]:,.2f} hm²"
        warnings.append(Problem(file, first_row[(code, int(year), ecosystem)], "area",
                                f"parcels summed into {code} give "
                                f"{area[i]:,.2f} hm² of {ecosystem} in {int(year)}, the extent table {shown}",
                                "warning"))
    if differs.sum() > shown_at_most:
        warnings.append(Problem(file, None, "area", f"… and {int(differs.sum()) - shown_at_most} more "
                                f"region-year-ecosystems whose parcel areas differ from the extent table", "warning"))

# ----------------------------------------------------------------------------------------------
# entry points


def _check_rows(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Row rules that span columns: how a product is valued, what a supplied quantity measures."""
    products = tables.get("products")
    if products is not None:
        for r in products.itertuples():
            has_pair = not (np.isnan(r.quantity) or np.isnan(r.price))
            if np.isnan(r.output_value) and not has_pair:
                problems.append(Problem(r.input_file, r.input_row, "output_value",
                                        "give the output value, or both quantity and price"))
            for col, unit_col in (("quantity", "quantity_unit"), ("price", "price_unit")):
                if not np.isnan(getattr(r, col)) and not getattr(r, unit_col):
                    problems.append(Problem(r.input_file, r.input_row, unit_col, f"{col} has no unit in {unit_col}"))
            if has_pair and r.quantity_unit and r.price_unit:
                try:
                    conversion(f"({r.quantity_unit})*({r.price_unit})", "yuan")
                except UnitError:
                    problems.append(Problem(r.input_file, r.input_row, "price_unit",
                                            f"a price in '{r.price_unit}' does not value an amount in "
                                            f"'{r.quantity_unit}'; use 元 per {r.quantity_unit}"))
    targets = tables.get("targets")
    if targets is not None:
        for r in targets.itertuples():
            want = "percent" if r.indicator == "forest_coverage" else \
                "m**3" if r.indicator in ("forest_stock", "harvest_quota", "water_use_cap") else "hectare"
            try:
                conversion(r.unit, want)
            except UnitError as exc:
                problems.append(Problem(r.input_file, r.input_row, "unit", f"{exc}; {r.indicator} needs a unit like {want}"))
    changes = tables.get("changes")
    if changes is not None:
        units = {"extent": "hectare", "forest_area": "hectare", "forest_stock": "m**3"}
        for r in changes.itertuples():
            if r.account in units and r.unit:
                try:
                    conversion(r.unit, units[r.account])
                except UnitError as exc:
                    problems.append(Problem(r.input_file, r.input_row, "unit",
                                            f"{exc}; a {r.account} change needs a unit like {units[r.account]}"))
            from .assets.physical import item_key
            for col in ("item", "from_item"):
                value = getattr(r, col)
                if value and r.account in units and item_key(r.account, value) is None:
                    kind = "an ecosystem type" if r.account == "extent" else "an origin (天然/人工)"
                    problems.append(Problem(r.input_file, r.input_row, col, f"'{value}' is not {kind}"))
            if r.from_item and r.amount < 0:
                problems.append(Problem(r.input_file, r.input_row, "amount",
                                        "a conversion (from_item given) moves a positive amount"))
    supplied = tables.get("service_quantities")
    if supplied is not None:
        _check_supplied(supplied, tables.get("extent"), problems)


def _given_in(entry: dict) -> str:
    """Where a figure that cannot be supplied is given instead: '旅游 (tourism): 游客人次 (visits), …'."""
    table = inventory_spec()["tables"][entry["table"]]
    return f"{table['zh']} ({entry['table']}): " + ", ".join(f"{table['columns'][c]['zh']} ({c})"
                                                           for c in entry["columns"])


def _check_supplied(supplied: pd.DataFrame, extent: pd.DataFrame | None, problems: list[Problem]) -> None:
    """Every service_quantities row must be a figure some service uses: an indicator of its service that can
    be supplied (services.yaml ``suppliable``), in a unit of the indicator's dimension, for an ecosystem
    type (or 'all'), in a year of the accounts (the years of the extent table)."""
    catalogue = services_spec()["services"]
    table = f"{inventory_spec()['tables']['service_quantities']['zh']} (service_quantities)"
    years = sorted({int(y) for y in extent["year"].dropna()}) if extent is not None and len(extent) else []
    for r in supplied.itertuples():
        if r.service not in catalogue:
            continue  # reported with the column's type
        entry = catalogue[r.service]
        indicators = entry["indicators"]
        if entry.get("given_in") and r.indicator not in indicators:  # products: any product name
            problems.append(Problem(r.input_file, r.input_row, "indicator",
                                    f"'{r.indicator}' would be a product of {entry['zh']} ({r.service}): products "
                                    f"cannot be supplied in {table}; give them in {_given_in(entry['given_in'])}"))
            continue
        if r.indicator not in indicators:
            problems.append(Problem(r.input_file, r.input_row, "indicator",
                                    f"'{r.indicator}' is not an indicator of {r.service}; expected one of "
                                    + ", ".join(indicators)))
            continue
        spec = indicators[r.indicator]
        if not spec["suppliable"]:
            problems.append(Problem(r.input_file, r.input_row, "indicator",
                                    f"{entry['zh']}·{spec['zh']} ({r.service}/{r.indicator}) cannot be supplied in "
                                    f"{table}: it has no register price, its value comes from its own table; give "
                                    f"it in {_given_in(spec['given_in'])}"))
            continue
        try:
            conversion(r.unit, spec["unit"])
        except UnitError as exc:
            problems.append(Problem(r.input_file, r.input_row, "unit", str(exc)))
        if r.ecosystem != "all" and r.ecosystem not in inventory_spec()["vocabularies"]["ecosystem"]:
            problems.append(Problem(r.input_file, r.input_row, "ecosystem",
                                    f"'{r.ecosystem}' is not an ecosystem type (or 'all')"))
        if years and not np.isnan(r.year) and int(r.year) not in years:
            problems.append(Problem(r.input_file, r.input_row, "year",
                                    f"{int(r.year)} is not a year of the accounts: the extent table (生态系统面积) "
                                    f"gives {', '.join(map(str, years))}; supply figures for those years, or add "
                                    f"the year's ecosystem areas to the extent table"))


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
    _check_rows(tables, problems)
    warnings = [p for p in problems if p.severity == "warning"]
    if "regions" in tables and len(tables["regions"]):  # no regions: said above, and every code would be unknown
        regions = tables["regions"]
        parents = dict(zip(*(regions[c].to_numpy(dtype=object) for c in ("code", "parent_code"))))
        ancestors = {code: _ancestors(code, parents) for code in regions["code"]}
        _check_regions(regions, ancestors, problems)
        for name, frame in tables.items():
            if name != "regions":
                _check_region_refs(name, frame, regions, ancestors, problems)
        if not any(p.severity == "error" for p in problems):
            _check_areas(tables, problems, warnings)
            _check_parcels(tables, ancestors, problems, warnings)
    problems = [p for p in problems if p.severity == "error"] + warnings
    if any(p.severity == "error" for p in problems):
        return None, problems
    for name, frame in tables.items():
        key = spec["tables"][name]["key"]
        if "year" in frame.columns:
            frame["year"] = frame["year"].astype(int)
        tables[name] = frame.sort_values(key, kind="stable").reset_index(drop=True)
    return Inventory(path=path, tables=tables, files=files, declared_units=declared, warnings=warnings,
                     format_version=spec["format_version"]), problems


def load_inventory(path: str | Path, shown_as: str | Path | None = None) -> Inventory:
    """Read an inventory or raise :class:`InventoryError` listing every problem (see :func:`read_inventory`)."""
    inventory, problems = read_inventory(path, shown_as)
    if inventory is None:
        raise InventoryError(problems)
    return inventory
