"""Writing cells and files of an .xlsx workbook, shared by every workbook gep writes.

The GEP workbook (:mod:`gep.render.excel`), the formula workbook (:mod:`gep.render.formulas`), the
statement (:mod:`gep.render.statement`) and the valuation (:mod:`gep.render.valuation`) all write cells
as plain strings or numbers (never a formula) and save deterministic bytes. Those helpers live here, in
a module that imports no other gep module, so each workbook can use them without importing another's
module (and its imports) — ``gep.render`` re-exports :func:`is_missing` and :func:`to_float`.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import numbers
import zipfile
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = _dt.datetime(2000, 1, 1)

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="2E6B4F")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_float(value: Any) -> float | None:
    """A number as float, or None when missing or not finite."""
    if is_missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def safe_text(value: Any) -> str:
    """Text without the control characters XML cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None):
    """Write one cell: numbers as numbers, everything else as a plain string.

    Strings are forced to the string data type (openpyxl would store a text starting with "=" as a
    formula), and a text starting with a formula character also gets Excel's quote prefix, so that
    editing the cell does not turn it into a formula either.
    """
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, numbers.Real):
        number = to_float(value)
        if number is None:
            return cell
        cell.value = int(value) if isinstance(value, numbers.Integral) else number
        if number_format:
            cell.number_format = number_format
        return cell
    value = safe_text(value)
    cell.value = value
    cell.data_type = "s"
    if value.startswith(_FORMULA_PREFIXES):
        cell.quotePrefix = True
    return cell


def header_row(ws: Worksheet, row: int, labels: list[str]) -> None:
    """A row of column headings, white on green."""
    for col, text_ in enumerate(labels, start=1):
        cell = put(ws, row, col, text_)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, Alignment(wrap_text=True, vertical="center")


def column_widths(ws: Worksheet, widths: list[float]) -> None:
    """The widths of the first columns, in Excel's character units."""
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def deterministic_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes with fixed document times and fixed zip entry timestamps."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        wb.properties.created = wb.properties.modified = FIXED_TIME
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
