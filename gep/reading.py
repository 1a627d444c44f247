"""One reading layer for every file a user hands gep: inventory tables, coefficient registers, price-index
tables, method profiles, grid descriptions, trade requests and monitoring tables.

What it guarantees, so that no reader has to remember it:

* **Text encodings** are detected, not assumed: UTF-8 with or without a byte-order mark, UTF-16 (with a
  BOM, or without one when every other byte is NUL), and GB18030 — the superset of GBK/GB2312 that Excel
  on Chinese Windows writes for "CSV (逗号分隔)". Anything else is refused with the file's name and how to
  save it (:data:`SAVE_AS_UTF8`).
* **Workbooks** must be real .xlsx files: an old .xls, an encrypted workbook or another file renamed .xlsx
  is refused by name; a formula cell whose value was never saved (a file written by a program, not saved
  by Excel) is refused naming its cell, because reading it as empty would silently drop a figure.
* **Office scratch files** — the ``~$name.xlsx`` lock Excel leaves while a workbook is open, LibreOffice's
  ``.~lock.name#``, hidden files, ``Thumbs.db`` — are not inputs (:func:`is_scratch_file`).
* **YAML** aliases (``*name``) are refused: they are what makes a small file expand without bound, and no
  gep file needs them.
* **Messages** name the user's own file, row and column (:class:`ReadError`) and never echo a long value
  whole (:func:`shown`).

Numbers are checked where their column is known (finite, in range: ``gep.inventory``,
``gep.coefficients``); this module hands them on as text.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import yaml

# How to save a file gep can read, in the words of the Excel and WPS menus.
SAVE_AS_UTF8 = ("save it as UTF-8 text (Excel: 另存为 → 'CSV UTF-8 (逗号分隔)'; WPS/LibreOffice: choose the "
                "UTF-8 character set)")
SHOWN_CHARACTERS = 60  # a value quoted in a message is cut after this many characters
MAX_TEXT_BYTES = 2 << 30  # 2 GiB: a text input larger than this is refused before it is read
SCRATCH_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
# csv's own cap on one cell (128 KiB) would make a long cell a fault of the reader; files are bounded instead
csv.field_size_limit(MAX_TEXT_BYTES)


class ReadError(ValueError):
    """A file cannot be read. ``file`` is the name as the user gave it; ``row`` (1 = the header row of a
    table, or the line of a YAML file) and ``column`` say where, when known."""

    def __init__(self, file: str | Path, message: str, row: int | None = None, column: str | None = None,
                 line: int | None = None):
        """``line``: the line of a text file that is no table (YAML), said as a line, not a row."""
        self.file, self.row, self.column, self.message, self.line = str(file), row, column, message, line
        where = self.file + (f", row {row}" if row is not None else "") + (f", line {line}" if line else "") + (
            f", column {shown(column)}" if column else "")
        super().__init__(f"{where}: {message}")


def shown(value, limit: int = SHOWN_CHARACTERS) -> str:
    """``value`` as text for a message, cut to ``limit`` characters with the full length said
    ('aaaa… (10485760 characters)'); line breaks are shown as ⏎ so one problem stays on one line."""
    text = str(value).replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎")
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def is_scratch_file(path: str | Path) -> bool:
    """Files a folder holds that are no one's input: Office lock and temporary files, hidden files."""
    name = Path(path).name
    return (name.startswith(("~$", ".~lock.", "~")) or name.startswith(".") or name.lower() in SCRATCH_NAMES
            or name.lower().endswith((".tmp", ".bak")))


# ----------------------------------------------------------------------------------------------
# text


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: in text that is mostly ASCII or CJK, one byte of every pair is NUL."""
    if len(data) % 2:
        data = data[:-1]  # a stray last byte (a newline a program appended) does not make it binary
    if len(data) < 4:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    if odd > 0.3 * half and even == 0:
        return "utf-16-le"
    if even > 0.3 * half and odd == 0:
        return "utf-16-be"
    return None


def decode(data: bytes, file: str | Path) -> tuple[str, str]:
    """``data`` as text and the encoding it was read in; :class:`ReadError` naming ``file`` when it is
    not text gep can read."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8"]
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif (utf16 := _looks_utf16(data)) is not None:
        candidates = [utf16]
        data = data[:len(data) - len(data) % 2]
    elif b"\x00" in data:
        raise ReadError(file, "not a text file (it holds binary data); " + SAVE_AS_UTF8)
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text.lstrip("\ufeff"), encoding
    raise ReadError(file, f"cannot be read as text in {' or '.join(candidates)}; " + SAVE_AS_UTF8)


def _existing(path: Path, shown_as) -> Path:
    """``path`` if it is a file gep will read; a missing file, a folder or a file too large is a
    :class:`ReadError` naming ``shown_as``."""
    name = shown_as or path
    if not path.exists():
        raise ReadError(name, "file not found")
    if not path.is_file():
        raise ReadError(name, "is a folder, not a file")
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ReadError(name, f"is {path.stat().st_size:,} bytes, larger than gep reads "
                              f"({MAX_TEXT_BYTES:,} bytes)")
    return path


def read_bytes(path: str | Path, shown_as: str | Path | None = None) -> bytes:
    """A file's bytes (see :func:`_existing` for what is refused)."""
    return _existing(Path(path), shown_as).read_bytes()


def read_text(path: str | Path, shown_as: str | Path | None = None) -> str:
    """A text file in whichever encoding it was saved (see :func:`decode`)."""
    return decode(read_bytes(path, shown_as), shown_as or path)[0]


# ----------------------------------------------------------------------------------------------
# tables


def read_csv(path: str | Path, shown_as: str | Path | None = None) -> pd.DataFrame:
    """A CSV table as text cells (no type guessing, empty cells ''), header names stripped.

    An empty file, a file of blank lines, and a row with more cells than the header are refused by name."""
    name = shown_as or path
    data = read_bytes(path, shown_as)
    if len(data) >= COLUMNAR_BYTES and (frame := _read_csv_columnar(data)) is not None:
        return frame
    text = decode(data, name)[0]
    if not text.strip():
        raise ReadError(name, "the file is empty: a table needs at least its header row (the column names)")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        # "Expected 3 fields in line 5, saw 4": the line is the file's line
        raise ReadError(name, f"not a well-formed CSV table ({shown(exc, 160)}); every row needs as many cells "
                              f"as the header, and a cell holding a comma must be quoted") from None
    except (pd.errors.EmptyDataError, csv.Error) as exc:
        raise ReadError(name, f"not a CSV table ({shown(exc, 160)})") from None
    # the header as written: pandas renames a repeated name ('value' → 'value.1') in the frame
    header = next(csv.reader(io.StringIO(text)), [])
    stripped = [str(h).strip() for h in header]
    seen: set[str] = set()
    twice = next((h for h in stripped if h and (h in seen or seen.add(h))), None)
    if twice is not None:  # pandas would rename the second 'value.1' and nothing would read it
        raise ReadError(name, f"column '{shown(twice)}' appears twice in the header; keep one", row=1, column=twice)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


#: a CSV file of at least this many bytes is parsed by pyarrow (:func:`_read_csv_columnar`) where it can be
COLUMNAR_BYTES = 1 << 20


def _read_csv_columnar(data: bytes) -> pd.DataFrame | None:
    """The frame :func:`read_csv` gives, parsed by pyarrow's multi-threaded reader: pandas' reader builds a
    Python string per cell (3–4 s for 10⁶ parcels). None when pyarrow cannot decide, and the caller reads the
    file as before, with every check and message: text that is not UTF-8 (GB18030, UTF-16, NUL bytes), a
    header it cannot take as it is (an empty, repeated or unreadable name), a row with more or fewer cells
    than the header — anything pyarrow refuses.

    What it keeps as pandas does (``dtype=str, keep_default_na=False, skip_blank_lines=True``): every cell as
    text, an empty cell as '' (never missing), blank lines skipped, double-quoted cells with commas, doubled
    quotes and line breaks, one UTF-8 byte-order mark removed."""
    if b"\x00" in data or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    header = _header_row(data[start:start + (1 << 16)], whole=len(data) - start <= 1 << 16)
    if header is None or data[start:].startswith(codecs.BOM_UTF8):
        return None
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[start:]),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pa_csv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, ValueError):
        return None
    if table.column_names != header or any(col.null_count for col in table.columns):
        return None
    frame = table.to_pandas()
    frame.columns = [h.strip() for h in header]
    return frame


def _header_row(head: bytes, whole: bool) -> list[str] | None:
    """The header of a CSV file from its first bytes ``head`` (``whole``: the entire file): its first non-blank
    row, when a further row shows it ends within ``head``, and its names are UTF-8, distinct and not blank;
    None otherwise."""
    rows = csv.reader(io.StringIO(head.decode("utf-8", errors="replace")))
    try:
        row = next((r for r in rows if r), None)
        if row is None or (not whole and next(rows, None) is None):
            return None
    except csv.Error:
        return None
    stripped = [h.strip() for h in row]
    if "\ufffd" in "".join(row) or not all(stripped) or len(set(stripped)) < len(stripped):
        return None
    return row


OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # .xls and password-protected .xlsx


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet_frame(rows) -> pd.DataFrame:
    """One sheet's rows of cell values as a frame, the first row the header. Cells and rows that only carry
    formatting — empty cells right of the last value, empty rows below it — are not part of the table
    (read-only workbooks pad every row to the widest formatted cell)."""
    rows = [list(r) for r in rows]
    for r in rows:
        while r and _blank(r[-1]):
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    header = [rows[0][i] if i < len(rows[0]) else None for i in range(width)]
    header = [f"Unnamed: {i}" if _blank(h) else str(h).strip() for i, h in enumerate(header)]
    body = [r + [None] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object)


def _unsaved_formulas(archive: zipfile.ZipFile, worksheet_path: str) -> list[tuple[str, str]]:
    """(cell, formula) of every formula cell of a worksheet that has no saved value: a ``<c>`` with an ``<f>``
    and no ``<v>``, or an empty one (what openpyxl and other writers leave). A formula whose saved value is
    empty text (``=IF(A2="","",…)``) also has an empty ``<v>`` but its cell says it holds text (``t="str"``),
    and is not one of them — openpyxl, reading both as None, cannot tell them apart."""
    from xml.etree.ElementTree import iterparse
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    found = []
    with archive.open(worksheet_path.lstrip("/")) as xml:
        for _, element in iterparse(xml):
            if element.tag == main + "c":
                formula = element.find(main + "f")
                value = element.find(main + "v")
                saved = value is not None and (value.text or element.get("t") == "str")
                if formula is not None and not saved:
                    found.append((element.get("r", "?"), "=" + (formula.text or "… (a shared formula)")))
                element.clear()
    return found


def unsaved_formula_error(book_name: str, sheet: str, cells: list[tuple[str, str]]) -> ReadError:
    """The refusal of a sheet whose formula cells have no saved value, naming the first and how many."""
    ref, formula = cells[0]
    row = int("".join(ch for ch in ref if ch.isdigit()) or 0) or None
    more = f" (and {len(cells) - 1} more such cells)" if len(cells) > 1 else ""
    return ReadError(f"{book_name}[{sheet}]", f"cell {ref} holds the formula {shown(formula)} but no saved value"
                     f"{more}: open the workbook in Excel, WPS or LibreOffice and save it, so that its values are "
                     f"stored", row=row)


def read_workbook(path: str | Path, shown_as: str | Path | None = None,
                  unsaved_formulas: str = "refuse") -> dict[str, pd.DataFrame]:
    """Every sheet of an .xlsx workbook as a frame of cell values (first row the header), in sheet order.

    Refused by name: a file that is not an .xlsx (an old .xls, an encrypted workbook, anything renamed) and
    a damaged workbook. A formula cell whose value was never saved is refused (``unsaved_formulas="refuse"``),
    or, with ``"keep"``, listed in the sheet frame's ``attrs["unsaved_formulas"]`` for the caller to refuse
    where the sheet matters (:func:`unsaved_formula_error`)."""
    path = Path(path)
    name = Path(shown_as or path).name
    with open(_existing(path, shown_as), "rb") as fh:
        head = fh.read(len(OLE_SIGNATURE))
    if head.startswith(OLE_SIGNATURE):
        raise ReadError(name, "an old Excel .xls file or a password-protected workbook: save it as an Excel "
                              "workbook (.xlsx) without a password")
    if not zipfile.is_zipfile(path):
        raise ReadError(name, "not an Excel workbook (.xlsx): the file is not in the .xlsx format; save it from "
                              "Excel, WPS or LibreOffice as .xlsx, or as CSV")
    import openpyxl
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, BadZipFile, InvalidFileException, XML errors …
        raise ReadError(name, f"not a readable Excel workbook ({type(exc).__name__}: {shown(exc, 120)}); save it "
                              f"again from Excel, WPS or LibreOffice as .xlsx") from None
    try:
        sheets = {}
        with zipfile.ZipFile(path) as archive:
            for sheet in book.sheetnames:
                ws = book[sheet]
                if not hasattr(ws, "iter_rows"):
                    continue  # a chart sheet holds no cells
                ws.reset_dimensions()  # the size a file records may be wrong: read every row and cell it has
                frame = _sheet_frame(ws.iter_rows(values_only=True))
                unsaved = _unsaved_formulas(archive, ws._worksheet_path)
                if unsaved and unsaved_formulas == "refuse":
                    raise unsaved_formula_error(name, sheet, unsaved)
                frame.attrs["unsaved_formulas"] = unsaved
                sheets[sheet] = frame
        if not sheets:
            raise ReadError(name, "not a readable Excel workbook: it holds no worksheet; save it again from Excel, "
                                  "WPS or LibreOffice as .xlsx")
        return sheets
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(name, f"not a readable Excel workbook ({type(exc).__name__}: {shown(exc, 120)})") from None
    finally:
        book.close()


# ----------------------------------------------------------------------------------------------
# YAML


class _NoAliasLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses aliases: an alias of an alias of … is how a few hundred bytes expand to
    gigabytes (the 'billion laughs'); gep's files never need one."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not accepted here: write the "
                                                          "value out in full", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        """A key written twice in one mapping is refused: YAML keeps the last silently, and which of the two
        the writer meant is not gep's to guess."""
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:
                continue  # an unhashable key: the base class says so
            if first is not key_node.start_mark:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{shown(key)}' is given twice in one mapping (first on line "
                    f"{first.line + 1}); keep one", key_node.start_mark)
        return super().construct_mapping(node, deep)


def load_yaml(path: str | Path, shown_as: str | Path | None = None):
    """A YAML file (any encoding :func:`decode` reads), safely: no tags that build objects, no aliases.
    :class:`ReadError` names the file and the line of a syntax error."""
    name = shown_as or path
    text = read_text(path, shown_as)
    try:
        loader = _NoAliasLoader(text)  # a SafeLoader: no tags that build objects
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ReadError(name, f"not valid YAML: {shown(exc.problem or exc, 160)}", line=line) from None
    except yaml.YAMLError as exc:
        raise ReadError(name, f"not valid YAML: {shown(exc, 160)}") from None
    except RecursionError:
        raise ReadError(name, "not a gep file: it nests lists or mappings hundreds of levels deep") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts (4300)
        raise ReadError(name, f"not valid YAML: {shown(exc, 160)}") from None


class _NoAliasDumper(yaml.SafeDumper):
    """yaml.SafeDumper that writes a repeated object out again instead of as an alias, so that what gep
    writes, :func:`load_yaml` reads."""

    def ignore_aliases(self, data):
        return True


def yaml_text(doc) -> str:
    """``doc`` as YAML gep reads back (no aliases; Chinese as written, keys in the order given)."""
    return yaml.dump(doc, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False)
