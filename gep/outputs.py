"""Machine-readable outputs of a run: CSV tables and NetCDF (the manifest is :mod:`gep.jobfolder`'s).

Values are written in 元 (``value_yuan``); reports convert to 万元/亿元 and say so. Files are written
deterministically (sorted rows, fixed float format, no timestamps) so two runs on the same inputs give
byte-identical files.
"""
from __future__ import annotations

import csv
import functools
import gzip
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import __version__
from .accounting import Results
from .catalogue import inventory_spec, label


#: a text cell a spreadsheet would run as a formula: one beginning with = + - @ tab or carriage return (OWASP,
#: "CSV injection"), after any apostrophes — so that a text beginning with apostrophes and one of these is
#: marked too, and removing the one apostrophe added gives back every text exactly
_FORMULA_LIKE = re.compile(r"'*[=+\-@\t\r]")
_MARKED = re.compile(r"'+[=+\-@\t\r]")  # a text marked by formula_safe (and only such a text)
_CARRIAGE_RETURN = re.compile("\r")


def formula_safe(text: str) -> str:
    """``text`` as a CSV cell Excel shows as text: a leading apostrophe where it would start a formula."""
    return "'" + text if _FORMULA_LIKE.match(text) else text


def cell_text(value):
    """A text cell of gep's CSV output as the text it stands for (the apostrophe of :func:`formula_safe`
    removed); anything else unchanged."""
    if isinstance(value, str) and _MARKED.match(value):
        return value[1:]
    return value


def cell_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """A table read back from gep's CSV output with every text cell (and header) as the text it stands for."""
    out = frame
    for i, (_, column) in enumerate(frame.items()):
        if _is_text(column) and (marked := _matching(column, _MARKED)).any():
            if out is frame:
                out = frame.copy()
            out.isetitem(i, column.astype(object).where(~marked, column[marked].astype(str).str[1:]))
    return out.set_axis([cell_text(c) for c in out.columns], axis=1)


def _is_text(column: pd.Series) -> bool:
    """A column that may hold text: not numbers, yes/no or times, whose cells stay as they are."""
    return not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
                or pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_timedelta64_dtype(column))


def _matching(column: pd.Series, pattern: re.Pattern, anywhere: bool = False) -> pd.Series:
    """Which cells of ``column`` are text beginning with ``pattern`` (or holding it ``anywhere``)."""
    try:  # fast where every cell is text
        found = column.str.contains if anywhere else column.str.match
        return found(pattern.pattern, na=False).astype(bool)
    except (AttributeError, TypeError):  # no text at all, or text mixed with numbers
        test = pattern.search if anywhere else pattern.match
        return column.map(lambda v: isinstance(v, str) and test(v) is not None).astype(bool)


def _formula_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and header) that a spreadsheet would run as a formula made safe; the
    same frame where there is none. Numbers are left alone, negative ones included: only text is marked."""
    out = frame
    for i, (_, column) in enumerate(frame.items()):
        if not _is_text(column):
            continue
        marked = _matching(column, _FORMULA_LIKE)
        if marked.any():
            if out is frame:
                out = frame.copy()
            out.isetitem(i, column.astype(object).where(~marked, "'" + column[marked].astype(str)))
    headers = [formula_safe(c) if isinstance(c, str) else c for c in out.columns]
    if headers != list(out.columns):
        out = out.set_axis(headers, axis=1)
    return out


def _has_carriage_return(frame: pd.DataFrame) -> bool:
    return any(isinstance(c, str) and "\r" in c for c in frame.columns) or any(
        _matching(column, _CARRIAGE_RETURN, anywhere=True).any() for _, column in frame.items() if _is_text(column))


#: the trace table of a run: every leaf figure's inputs, coefficients and steps, gzip-compressed (15 MB of text for a
#: county); runs written before it was compressed hold it as ``gep_trace.csv``
TRACE_NAME, UNCOMPRESSED_TRACE_NAME = "gep_trace.csv.gz", "gep_trace.csv"

#: a table of at least this many rows is written by :func:`_write_csv_columnar` (where it can be)
COLUMNAR_ROWS = 20_000


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """The one writer of gep's CSV output, read by people in Excel: no text cell runs as a formula there.

    A path ending in ``.gz`` is written gzip-compressed (the trace: 90 000 rows that scripts read, not people).

    A text holding a carriage return is quoted like one holding a line feed: Python's csv module quotes only
    what the line terminator (\\n) holds, and a bare carriage return ends the row for Excel and pandas. A file
    with such a text quotes every text (rare: inventory cells are stripped); any other file is as before.

    Large tables (gep_parcels.csv: 10⁶ rows) are formatted column by column with pyarrow, in the same bytes
    (:func:`_write_csv_columnar`); pandas' writer formats each float in Python (40 s for 10⁶ parcels)."""
    safe = _formula_safe_frame(frame)
    quoting = csv.QUOTE_NONNUMERIC if _has_carriage_return(safe) else csv.QUOTE_MINIMAL
    compressed = Path(path).name.endswith(".gz")
    columnar = quoting == csv.QUOTE_MINIMAL and len(safe) >= COLUMNAR_ROWS
    if not (columnar and _write_csv_columnar(safe, path, compressed)):
        _write_csv_pandas(safe, path, quoting, compressed)


def _write_csv_pandas(safe: pd.DataFrame, path: Path, quoting: int = csv.QUOTE_MINIMAL,
                      compressed: bool = False) -> None:
    """A formula-safe table as pandas writes it (shortest round-trip floats); ``compressed``: gzip with no name
    and no time in its header, the same bytes every run."""
    if compressed:
        text = safe.to_csv(index=False, lineterminator="\n", quoting=quoting)
        Path(path).write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))
    else:
        safe.to_csv(path, index=False, lineterminator="\n", encoding="utf-8", quoting=quoting)


_COLUMNAR_CHUNK = 100_000  # rows formatted at a time (bounded memory; the chunks run on two threads)


def _write_csv_columnar(safe: pd.DataFrame, path: Path, compressed: bool = False) -> bool:
    """``safe`` (formula-safe, no carriage return) written in the bytes of :func:`_write_csv_pandas`, each column
    formatted by pyarrow; False, with nothing written, for a table it cannot write so (columns other than
    float64, int64, pandas' nullable integers and text, or a text column holding anything but text).
    ``compressed``: the same text gzip-compressed (no name and no time in the header), as the trace is kept.

    Byte for byte what pandas writes: pandas formats floats with numpy's ``str`` — the shortest text that
    reads back as the same float, as Python's ``repr`` — in positional notation from 1e-4 up to 1e16 and with
    an exponent outside (``1e-05``, ``1e+16``); NaN as an empty cell; integers as ``str``; and quotes, with
    Python's csv module (QUOTE_MINIMAL, line terminator \\n), a text that holds a comma, a double quote or a
    line feed, doubling its quotes. pyarrow's float text has the same shortest digits (double-conversion's
    ``ToShortest``), but writes ``100`` for 100.0 and switches to exponents at other magnitudes: ".0" is added
    where it has no point, and every float outside the positional range, or that pyarrow writes with an
    exponent, is formatted by ``repr`` itself (none in gep_parcels.csv but zeros, which are positional)."""
    import pyarrow as pa

    columns = []
    for _, column in safe.items():
        dtype = column.dtype
        if dtype == np.float64:
            columns.append(("float", column.to_numpy()))
        elif dtype == np.int64:
            columns.append(("int", column.to_numpy()))
        elif isinstance(dtype, pd.Int64Dtype):  # a spreadsheet row, a price year: digits, a missing one empty
            columns.append(("text", pa.array(column.astype("string"), type=pa.large_string(), from_pandas=True)))
        elif _is_text(column) and not isinstance(dtype, pd.CategoricalDtype) and pd.api.types.infer_dtype(
                column, skipna=True) in ("string", "empty"):
            try:
                texts = pa.array(column, type=pa.large_string(), from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                return False
            # pandas' string arrays may hold their text in several chunks (a concatenation, a take)
            columns.append(("text", texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts))
        else:
            return False
    header = io.StringIO()
    csv.writer(header, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(list(safe.columns))
    chunks = [(start, min(start + _COLUMNAR_CHUNK, len(safe))) for start in range(0, len(safe), _COLUMNAR_CHUNK)]
    from concurrent.futures import ThreadPoolExecutor
    with open(path, "wb") as raw, ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow's kernels release the GIL
        fh = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) if compressed else raw
        fh.write(header.getvalue().encode("utf-8"))
        for rows in pool.map(lambda chunk: _csv_rows(columns, *chunk), chunks):
            fh.write(rows)
        if compressed:
            fh.close()  # the gzip trailer; the file itself closes with the block
    return True


def _csv_rows(columns: list[tuple[str, object]], start: int, stop: int):
    """Rows ``start:stop`` of the table, each cell formatted and the rows joined, as one buffer of UTF-8 bytes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = []
    floats: list[tuple[np.ndarray, object]] = []  # the float columns formatted so far, with their texts
    for kind, values in columns:
        part = values[start:stop]
        if kind == "float":
            # a column equal bit for bit to one before it has its texts (values at constant prices are the
            # values of the base year's rows: every row of a one-year inventory)
            bits = part.view(np.int64)
            same = next((texts for other, texts in floats
                         if len(bits) and other[0] == bits[0] and np.array_equal(other, bits)), None)
            cells.append(same if same is not None else _float_texts(part))
            floats.append((bits, cells[-1]))
        elif kind == "int":
            cells.append(pc.cast(pa.array(part), pa.large_string()))
        else:
            cells.append(_quoted(part))
    cells[-1] = pc.binary_join_element_wise(cells[-1], _text("\n"), _text(""), null_handling="replace",
                                            null_replacement="")
    rows = pc.binary_join_element_wise(*cells, _text(","), null_handling="replace", null_replacement="")
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + len(rows) + 1]
    return rows.buffers()[2][int(offsets[0]):int(offsets[-1])]


def _text(text: str):
    """``text`` as a pyarrow scalar of the type the formatted cells have (large_string: no 2 GiB limit)."""
    import pyarrow as pa
    return pa.scalar(text, pa.large_string())


@functools.cache
def _positional_range() -> tuple[float, float]:
    """The magnitudes [low, high) of floats pyarrow and Python both write in positional notation: Python's
    [1e-4, 1e16) cut to the powers of ten at which pyarrow's text holds no exponent (1e-6 up to 1e10 in
    pyarrow 26), probed with several mantissas per power."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def positional(k: int) -> bool:
        probes = [m * 10.0 ** k for m in (1.0, 1.5, 1.2345678901234567, 9.999999999999998)]
        return not any("e" in t for t in pc.cast(pa.array(probes), pa.string()).to_pylist())

    if not positional(-4):
        return (1.0, 1.0)  # no magnitude in common: repr for every float
    high = -4
    while high < 16 and positional(high):
        high += 1
    return (1e-4, 10.0 ** high)


def _float_texts(values: np.ndarray):
    """Floats as pandas writes them in a CSV (see :func:`_write_csv_columnar`): null for NaN."""
    import pyarrow as pa
    import pyarrow.compute as pc

    low, high = _positional_range()
    nan = np.isnan(values)
    texts = pc.cast(pa.array(values, mask=nan if nan.any() else None), pa.large_string())
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        outside = ((magnitude < low) & (values != 0)) | (magnitude >= high)  # NaN compares False: not outside
        whole = ~outside & (values == np.trunc(values))  # not NaN either
    if whole.any():  # 100.0: pyarrow writes "100", Python "100.0"
        texts = pc.if_else(pa.array(whole), pc.binary_join_element_wise(texts, _text(".0"), _text("")), texts)
    if outside.any():
        at = np.flatnonzero(outside)
        texts = pc.replace_with_mask(texts, pa.array(outside), pa.array([repr(float(v)) for v in values[at]],
                                                                         type=pa.large_string()))
    return texts


def _quoted(texts):
    """Text cells as Python's csv module writes them (QUOTE_MINIMAL, line terminator \\n): a cell holding a
    comma, a double quote or a line feed in double quotes, its double quotes doubled; null as empty."""
    import pyarrow.compute as pc

    needs = pc.match_substring_regex(texts, '[,"\n]')
    if not pc.any(needs).as_py():
        return texts
    quote = _text('"')
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(texts, '"', '""'), quote, _text(""))
    return pc.if_else(needs, quoted, texts)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """A long table as Parquet, beside its CSV (gep_parcels.parquet: 10⁶ rows are 470 MiB of text and take
    seconds to parse again): the same columns in the same order and the same rows in the same order, each
    cell the value its CSV cell stands for — the same float, the same text without :func:`formula_safe`'s
    apostrophe (Parquet cells are typed values, never run as formulas).

    Two runs give the same bytes: no pandas metadata (it names pandas' version), fixed compression (snappy:
    zstd saves 6 % of the size and takes 0.3 s longer at 10⁶ parcels) and encodings (floats split by byte,
    which lets them compress; texts by dictionary), one row group per 2²⁰ rows; the file's ``created_by``
    names pyarrow's version, the same within one installation."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    floats = [n for n, t in zip(table.column_names, table.schema.types) if pa.types.is_floating(t)]
    pq.write_table(table, path, compression="snappy", row_group_size=1 << 20,
                   use_byte_stream_split=floats or False,
                   use_dictionary=[n for n in table.column_names if n not in floats] or False,
                   write_statistics=True, store_schema=True)


def results_dataset(results: Results) -> xr.Dataset:
    """Results as an xarray Dataset on (region, year, item, ecosystem); item = service/indicator.

    Quantities of different items have different units, so ``quantity`` carries its unit per item in
    the coordinate ``item_quantity_unit``; ``value_yuan`` is in 元 throughout.
    """
    s = results.services.copy()
    s["item"] = s["service"] + "/" + s["indicator"]
    items = s.drop_duplicates("item").set_index("item").sort_index()
    regions = s.drop_duplicates("region_code").set_index("region_code").sort_index()
    indexed = s.set_index(["region_code", "year", "item", "ecosystem"])[["quantity", "value_yuan",
                                                                          "value_constant_yuan"]]
    ds = xr.Dataset.from_dataframe(indexed.sort_index())
    ds = ds.rename({"region_code": "region"})
    ds = ds.assign_coords(
        region_name=("region", regions.loc[ds["region"].values, "region_name"].to_numpy().astype(str)),
        region_level=("region", regions.loc[ds["region"].values, "region_level"].to_numpy().astype(str)),
        item_service=("item", items.loc[ds["item"].values, "service"].to_numpy().astype(str)),
        item_indicator=("item", items.loc[ds["item"].values, "indicator"].to_numpy().astype(str)),
        item_category=("item", items.loc[ds["item"].values, "category"].to_numpy().astype(str)),
        item_quantity_unit=("item", items.loc[ds["item"].values, "quantity_unit"].to_numpy().astype(str)),
        item_in_gep=("item", items.loc[ds["item"].values, "in_gep"].to_numpy().astype(np.int8)),
        item_label_zh=("item", np.array([label("service", sv) + "/" + label("indicator", f"{sv}/{ind}")
                                         for sv, ind in zip(items.loc[ds["item"].values, "service"],
                                                            items.loc[ds["item"].values, "indicator"])])),
    )
    ds["quantity"].attrs = {"long_name": "physical quantity (实物量) of the accounting year",
                            "units": "see item_quantity_unit"}
    ds["value_yuan"].attrs = {"long_name": "value (价值量) of the accounting year at its prices", "units": "yuan"}
    ds["value_constant_yuan"].attrs = {"long_name": f"value at constant prices of {results.base_year}",
                                       "units": "yuan"}
    summary = results.summary.set_index(["region_code", "year"])
    gep = xr.DataArray.from_series(summary["gep_yuan"]).rename({"region_code": "region"})
    ds["gep_yuan"] = gep.reindex(region=ds["region"], year=ds["year"])
    ds["gep_yuan"].attrs = {"long_name": "gross ecosystem product (生态系统生产总值)", "units": "yuan"}
    ds.attrs = {"title": "GEP accounting results", "gep_version": __version__,
                "inventory_format_version": inventory_spec()["format_version"],
                "conventions": "values in yuan (元) at the prices of the coefficient register"}
    return ds


def write_netcdf(results: Results, path: Path) -> None:
    """The results as NetCDF-4, each variable deflated (zlib level 4 after byte shuffling): the region × year ×
    item × ecosystem cube is mostly empty (NaN), 0.8 MB uncompressed for a county; readers inflate it unasked."""
    ds = results_dataset(results)
    encoding = {name: {"zlib": True, "complevel": 4, "shuffle": True} for name in ds.data_vars}
    ds.to_netcdf(path, engine="netcdf4", format="NETCDF4", encoding=encoding)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
