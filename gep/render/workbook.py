"""Writing cells and files of an .xlsx workbook, shared by every workbook gep writes.

The GEP workbook (:mod:`gep.render.excel`), the statement (:mod:`gep.render.statement`) and the valuation
(:mod:`gep.render.valuation`) are built with openpyxl: their cells are plain strings or numbers (never a
formula; :func:`put`) and their bytes deterministic (:func:`deterministic_bytes`). The formula workbook
(:mod:`gep.render.formulas`), 300 000 cells with live formulas, is written by :class:`StreamingBook`, which
writes the SpreadsheetML itself with each formula's cached value; both writers hold a value to one rule
(:func:`cell_content`). This module imports no other gep module, so each workbook can use it without importing
another's module (and its imports) — ``gep.render`` re-exports :func:`is_missing` and :func:`to_float`.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import numbers
import re
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
    writers (:func:`put` with openpyxl, :class:`StreamingBook`), so a value reads the same in
    every workbook.
    """
    kind = type(value)  # the common kinds first: this runs for every cell of a 300 000-cell workbook
    if kind is str:
        return safe_text(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int:
        return value
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


def _fixed_entry(name: str) -> zipfile.ZipInfo:
    """A deflated zip entry with a fixed date and mode, so that the same content gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def deterministic_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes with fixed document times and fixed zip entry timestamps."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        wb.properties.created = wb.properties.modified = FIXED_TIME
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(_fixed_entry(name), source.read(name))
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# streaming writer: large workbooks, formulas with their cached values
# --------------------------------------------------------------------------------------------

#: cell styles of the streaming writer, as property pairs (hashable): bold, font_color, font_size, bg_color,
#: num_format, text_wrap, valign
HEADER_STYLE = (("bold", True), ("font_color", "FFFFFF"), ("bg_color", "2E6B4F"), ("text_wrap", True),
                ("valign", "center"))

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
#: Excel reads _xHHHH_ in a text as the character HHHH: a text holding one literally has its "_" written _x005F_
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _literal(text_: str) -> str:
    """A text as the content of a <t> element that Excel reads back as the same text."""
    return _ESCAPE_LIKE.sub(r"_x005F_\1", text_).translate(_ESCAPES)


def _number(value: float | int) -> str:
    """A number as the <v> text of a cell: the shortest text that reads back as the same float."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    text_ = repr(float(value))
    return text_[:-2] if text_.endswith(".0") else text_


class StreamingBook:
    """An .xlsx workbook written row by row, for workbooks of hundreds of thousands of cells (the formula
    workbook).

    Each formula is stored with its cached value, so a viewer that does not recalculate (a previewer, Excel's
    protected view, pandas) shows the figure, and the workbook asks the spreadsheet program to recalculate
    everything on opening. Cells follow :func:`cell_content`'s rule: text is stored as text, never as a
    formula, and text that starts with a formula character gets Excel's quote prefix, as :func:`put` does.
    Rows of a sheet are written in increasing order; rows and columns are numbered from 1, as in openpyxl.

    It writes SpreadsheetML (ECMA-376 part 1, §18) itself — shared strings, one style record per style used,
    frozen panes and column widths — because a general writer spends ~10 µs on each cell (openpyxl and
    XlsxWriter both: 3–4 s for a county's 300 000 cells) where building the cell's XML text costs well under
    1 µs. The bytes are deterministic: fixed creation time and zip entry dates. openpyxl reads the files back
    and LibreOffice recalculates them in the tests (tests/test_formulas.py).
    """

    def __init__(self, path: str | Path, title: str):
        self.path, self.title = Path(path), title
        self.sheets: list[StreamingSheet] = []
        self._strings: dict[str, int] = {}
        self._string_cells = 0
        self._styles: dict[tuple, int] = {((), False): 0}  # (style, quote prefix) → cellXfs index

    def sheet(self, name: str) -> StreamingSheet:
        sheet = StreamingSheet(self, name)
        self.sheets.append(sheet)
        return sheet

    def string(self, text_: str) -> int:
        """Index of a text in the shared-string table."""
        self._string_cells += 1
        index = self._strings.get(text_)
        if index is None:
            index = self._strings[text_] = len(self._strings)
        return index

    def style(self, style: tuple, quote: bool = False) -> int:
        """Index of a cell style record (a style: a tuple of property pairs), made once per workbook."""
        key = (style, quote)
        index = self._styles.get(key)
        if index is None:
            index = self._styles[key] = len(self._styles)
        return index

    def close(self) -> None:
        """Write the workbook: every part of the package into a zip with fixed dates."""
        parts = {"[Content_Types].xml": self._content_types(), "_rels/.rels": self._package_rels(),
                 "docProps/app.xml": self._app(), "docProps/core.xml": self._core(),
                 "xl/workbook.xml": self._workbook(), "xl/_rels/workbook.xml.rels": self._workbook_rels(),
                 "xl/styles.xml": self._styles_part(), "xl/sharedStrings.xml": self._shared_strings()}
        for n, sheet in enumerate(self.sheets, start=1):
            parts[f"xl/worksheets/sheet{n}.xml"] = sheet.xml(selected=n == 1)
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for name, text_ in parts.items():
                archive.writestr(_fixed_entry(name), text_.encode("utf-8"), compresslevel=6)

    # the package's parts ------------------------------------------------------------------------

    def _content_types(self) -> str:
        sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                         for n in range(1, len(self.sheets) + 1))
        return (_XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' + sheets +
                '<Override PartName="/xl/styles.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                '<Override PartName="/docProps/core.xml" '
                'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                '<Override PartName="/docProps/app.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>')

    def _package_rels(self) -> str:
        return (_XML + f'<Relationships xmlns="{_PACKAGE_REL}">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                'metadata/core-properties" Target="docProps/core.xml"/>'
                f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
                "</Relationships>")

    def _app(self) -> str:
        return (_XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                "<Application>gep</Application></Properties>")

    def _core(self) -> str:
        created = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
        return (_XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
                'terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                f"<dc:title>{self.title.translate(_ESCAPES)}</dc:title><dc:creator>gep</dc:creator>"
                "<cp:lastModifiedBy>gep</cp:lastModifiedBy>"
                f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified></cp:coreProperties>')

    def _workbook(self) -> str:
        sheets = "".join(f'<sheet name="{sheet.title.translate(_ATTRIBUTE_ESCAPES)}" sheetId="{n}" r:id="rId{n}"/>'
                         for n, sheet in enumerate(self.sheets, start=1))
        return (_XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/><bookViews><workbookView/>'
                f'</bookViews><sheets>{sheets}</sheets><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>')

    def _workbook_rels(self) -> str:
        n = len(self.sheets)
        sheets = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                         for i in range(1, n + 1))
        return (_XML + f'<Relationships xmlns="{_PACKAGE_REL}">{sheets}'
                f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
                f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
                "</Relationships>")

    def _shared_strings(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{_literal(t)}</t></si>' for t in self._strings)
        return (_XML + f'<sst xmlns="{_MAIN}" count="{self._string_cells}" uniqueCount="{len(self._strings)}">'
                f"{items}</sst>")

    def _styles_part(self) -> str:
        """One cellXfs record per style used; fonts, fills and number formats each listed once."""
        fonts = ['<font><sz val="11"/><name val="Calibri"/></font>']
        fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
        formats: list[str] = []
        records: list[str] = []
        for (style, quote), _ in sorted(self._styles.items(), key=lambda kv: kv[1]):
            props = dict(style)
            font = ("<font>" + ("<b/>" if props.get("bold") else "") + f'<sz val="{props.get("font_size", 11)}"/>'
                    + (f'<color rgb="FF{props["font_color"]}"/>' if "font_color" in props else "")
                    + '<name val="Calibri"/></font>')
            if font not in fonts:
                fonts.append(font)
            fill = 0
            if "bg_color" in props:
                pattern = (f'<fill><patternFill patternType="solid"><fgColor rgb="FF{props["bg_color"]}"/>'
                           "</patternFill></fill>")
                if pattern not in fills:
                    fills.append(pattern)
                fill = fills.index(pattern)
            number = 0
            if "num_format" in props:
                if props["num_format"] not in formats:
                    formats.append(props["num_format"])
                number = 164 + formats.index(props["num_format"])
            alignment = ""
            if props.get("text_wrap") or "valign" in props:
                alignment = ("<alignment" + (f' vertical="{props["valign"]}"' if "valign" in props else "")
                             + (' wrapText="1"' if props.get("text_wrap") else "") + "/>")
            records.append(f'<xf numFmtId="{number}" fontId="{fonts.index(font)}" fillId="{fill}" borderId="0" '
                           f'xfId="0"' + (' applyNumberFormat="1"' if number else "")
                           + (' applyFont="1"' if fonts.index(font) else "") + (' applyFill="1"' if fill else "")
                           + (' quotePrefix="1"' if quote else "")
                           + (f' applyAlignment="1">{alignment}</xf>' if alignment else "/>"))
        number_formats = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{f.translate(_ATTRIBUTE_ESCAPES)}"/>'
                                 for i, f in enumerate(formats))
        return (_XML + f'<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(formats)}">{number_formats}</numFmts>' if formats else "")
                + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
                + f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
                + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                + f'<cellXfs count="{len(records)}">{"".join(records)}</cellXfs>'
                + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                + "</styleSheet>")


class StreamingSheet:
    """One sheet of a :class:`StreamingBook`: its rows as SpreadsheetML text, in order."""

    def __init__(self, book: StreamingBook, title: str):
        self.book, self.title = book, title
        self._rows: list[str] = []
        self._row, self._cells = 0, {}  # the row being written: column → cell XML
        self._last_col = 1
        self._widths: list[float] = []
        self._frozen: tuple[int, int] | None = None

    def _cell(self, row: int, col: int, xml: str) -> None:
        if row != self._row:
            if row < self._row:
                raise ValueError(f"sheet {self.title}: row {row} written after row {self._row}")
            self._flush()
            self._row = row
        self._cells[col] = xml
        if col > self._last_col:
            self._last_col = col

    def _flush(self) -> None:
        if self._cells:
            cells = "".join(self._cells[c] for c in sorted(self._cells))
            self._rows.append(f'<row r="{self._row}">{cells}</row>')
            self._cells = {}

    def put(self, row: int, col: int, value: Any, style: tuple = ()) -> None:
        """Write one value cell (1-based row and column), or nothing for a missing value."""
        value = cell_content(value)
        if value is None:
            return
        ref = f"{get_column_letter(col)}{row}"
        if isinstance(value, str):
            s = self.book.style(style, value.startswith(_FORMULA_PREFIXES))
            self._cell(row, col, f'<c r="{ref}"' + (f' s="{s}"' if s else "")
                       + f' t="s"><v>{self.book.string(value)}</v></c>')
        else:
            s = self.book.style(style)
            self._cell(row, col, f'<c r="{ref}"' + (f' s="{s}"' if s else "") + f"><v>{_number(value)}</v></c>")

    def formula(self, row: int, col: int, formula: str, value: float, style: tuple = ()) -> None:
        """Write a formula with its cached value; a value that is not a finite number is cached as #NUM!."""
        ref, s = f"{get_column_letter(col)}{row}", self.book.style(style)
        body = formula[1:] if formula.startswith("=") else formula
        finite = isinstance(value, numbers.Real) and math.isfinite(value)
        self._cell(row, col, f'<c r="{ref}"' + (f' s="{s}"' if s else "") + ("" if finite else ' t="e"')
                   + f"><f>{body.translate(_ESCAPES)}</f><v>{_number(value) if finite else '#NUM!'}</v></c>")

    def header(self, row: int, labels: list[str]) -> None:
        """A row of column headings, white on green (as :func:`header_row`)."""
        for col, label_ in enumerate(labels, start=1):
            self.put(row, col, label_, HEADER_STYLE)

    def widths(self, widths: list[float]) -> None:
        """The widths of the first columns, in Excel's character units."""
        self._widths = list(widths)

    def freeze(self, row: int, col: int) -> None:
        """Freeze the rows above ``row`` and the columns left of ``col`` (the cell's openpyxl-style position)."""
        self._frozen = (row, col)

    def xml(self, selected: bool = False) -> str:
        """The sheet's part of the package."""
        self._flush()
        last_row = max(self._row, 1)
        view = '<sheetView workbookViewId="0"' + (' tabSelected="1"' if selected else "")
        if self._frozen and self._frozen != (1, 1):
            row, col = self._frozen
            top_left = f"{get_column_letter(col)}{row}"
            pane = "bottomRight" if row > 1 and col > 1 else "bottomLeft" if row > 1 else "topRight"
            split = (f' xSplit="{col - 1}"' if col > 1 else "") + (f' ySplit="{row - 1}"' if row > 1 else "")
            view += (f'><pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/>'
                     + f'<selection pane="{pane}" activeCell="{top_left}" sqref="{top_left}"/></sheetView>')
        else:
            view += "/>"
        cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                       for n, w in enumerate(self._widths, start=1))
        return (_XML + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
                f'<dimension ref="A1:{get_column_letter(self._last_col)}{last_row}"/>'
                f"<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
                + (f"<cols>{cols}</cols>" if cols else "")
                + f"<sheetData>{''.join(self._rows)}</sheetData>"
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                "</worksheet>")
