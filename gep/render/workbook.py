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
from pathlib import Path
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


def cell_content(value: Any) -> int | float | str | None:
    """What a cell holds for ``value``: None (nothing: missing or not a finite number), a number, or a string.

    Booleans become their text; strings lose the control characters XML cannot hold. One rule for both
    writers (:func:`put` for openpyxl, :class:`StreamingBook` for XlsxWriter), so a value reads the same in
    every workbook.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):
        number = to_float(value)
        if number is None:
            return None
        return int(value) if isinstance(value, numbers.Integral) else number
    return safe_text(value)


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None):
    """Write one cell: numbers as numbers, everything else as a plain string.

    Strings are forced to the string data type (openpyxl would store a text starting with "=" as a
    formula), and a text starting with a formula character also gets Excel's quote prefix, so that
    editing the cell does not turn it into a formula either.
    """
    cell = ws.cell(row=row, column=col)
    value = cell_content(value)
    if value is None:
        return cell
    if not isinstance(value, str):
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return cell
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


# --------------------------------------------------------------------------------------------
# streaming writer (XlsxWriter): large workbooks, formulas with their cached values
# --------------------------------------------------------------------------------------------

#: cell styles of the streaming writer, as XlsxWriter format properties (hashable: a tuple of pairs)
HEADER_STYLE = (("bold", True), ("font_color", "#FFFFFF"), ("bg_color", "#2E6B4F"), ("text_wrap", True),
                ("valign", "vcenter"))


class StreamingBook:
    """An .xlsx workbook written row by row with XlsxWriter in constant-memory mode.

    For workbooks of hundreds of thousands of cells (the formula workbook): memory stays flat, and each
    formula is stored with its cached value, so a viewer that does not recalculate (a previewer, Excel's
    protected view, pandas) shows the figure. Rows of a sheet must be written in increasing order (the
    constant-memory rule); cells take :func:`cell_content`'s rule, text is never a formula and text that
    starts with a formula character gets Excel's quote prefix, as :func:`put` does. Rows and columns are
    numbered from 1, as in openpyxl. The bytes are deterministic: a fixed creation time, and XlsxWriter
    stamps the zip entries with a fixed date.
    """

    def __init__(self, path: str | Path, title: str):
        import xlsxwriter
        from xlsxwriter.worksheet import Worksheet as _XlsxSheet

        class _PlainFormulas(_XlsxSheet):
            # XlsxWriter rewrites every formula with ~30 regular expressions to add the _xlfn. prefix of
            # functions newer than Excel 2007; gep's formulas use only SUMIFS, MAX, MIN, EXP, NORMSDIST and
            # NORMSINV (gep.trace), which need none, and those expressions were most of the writing time
            def _prepare_formula(self, formula, expand_future_functions=False):
                return formula[1:] if formula.startswith("=") else formula

        self._sheet_class = _PlainFormulas
        self._book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                                     "strings_to_formulas": False, "strings_to_urls": False})
        self._book.set_properties({"title": title, "author": "gep", "created": FIXED_TIME})
        self._formats: dict[tuple, Any] = {}

    def style(self, style: tuple, quote: bool = False):
        """The XlsxWriter format of a style (a tuple of property pairs), made once per workbook."""
        key = (style, quote)
        if key not in self._formats:
            props = dict(style)
            if quote:
                props["quote_prefix"] = True
            self._formats[key] = self._book.add_format(props) if props else None
        return self._formats[key]

    def sheet(self, name: str) -> StreamingSheet:
        return StreamingSheet(self, self._book.add_worksheet(name, worksheet_class=self._sheet_class))

    def close(self) -> None:
        self._book.close()


class StreamingSheet:
    """One sheet of a :class:`StreamingBook`."""

    def __init__(self, book: StreamingBook, sheet):
        self.book, self._ws = book, sheet
        self.title = sheet.name

    def put(self, row: int, col: int, value: Any, style: tuple = ()) -> None:
        """Write one value cell (1-based row and column), or nothing for a missing value."""
        value = cell_content(value)
        if value is None:
            return
        if isinstance(value, str):
            self._ws.write_string(row - 1, col - 1, value, self.book.style(style, value.startswith(_FORMULA_PREFIXES)))
        else:
            self._ws.write_number(row - 1, col - 1, value, self.book.style(style))

    def formula(self, row: int, col: int, formula: str, value: float, style: tuple = ()) -> None:
        """Write a formula with its cached value; a value that is not a finite number is cached as #NUM!."""
        cached = value if isinstance(value, numbers.Real) and math.isfinite(value) else "#NUM!"
        self._ws.write_formula(row - 1, col - 1, formula, self.book.style(style), cached)

    def header(self, row: int, labels: list[str]) -> None:
        """A row of column headings, white on green (as :func:`header_row`)."""
        for col, label_ in enumerate(labels, start=1):
            self.put(row, col, label_, HEADER_STYLE)

    def widths(self, widths: list[float]) -> None:
        """The widths of the first columns, in Excel's character units."""
        for col, width in enumerate(widths):
            self._ws.set_column(col, col, width)

    def freeze(self, row: int, col: int) -> None:
        """Freeze the rows above ``row`` and the columns left of ``col`` (the cell's openpyxl-style position)."""
        self._ws.freeze_panes(row - 1, col - 1)
