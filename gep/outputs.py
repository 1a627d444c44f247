"""Machine-readable outputs of a run: CSV tables and NetCDF (the manifest is :mod:`gep.jobfolder`'s).

Values are written in 元 (``value_yuan``); reports convert to 万元/亿元 and say so. Files are written
deterministically (sorted rows, fixed float format, no timestamps) so two runs on the same inputs give
byte-identical files.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
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


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """The one writer of gep's CSV output, read by people in Excel: no text cell runs as a formula there.

    A path ending in ``.gz`` is written gzip-compressed (the trace: 90 000 rows that scripts read, not people).

    A text holding a carriage return is quoted like one holding a line feed: Python's csv module quotes only
    what the line terminator (\\n) holds, and a bare carriage return ends the row for Excel and pandas. A file
    with such a text quotes every text (rare: inventory cells are stripped); any other file is as before."""
    safe = _formula_safe_frame(frame)
    quoting = csv.QUOTE_NONNUMERIC if _has_carriage_return(safe) else csv.QUOTE_MINIMAL
    if Path(path).name.endswith(".gz"):  # gzip with no name and no time in its header: the same bytes every run
        text = safe.to_csv(index=False, lineterminator="\n", quoting=quoting)
        Path(path).write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))
        return
    safe.to_csv(path, index=False, lineterminator="\n", encoding="utf-8", quoting=quoting)  # shortest round-trip floats


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
