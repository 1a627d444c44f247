"""The adversarial corpus of inputs (issue 13): every file a user hands gep, malformed the ways real files are.

Each case ends in one of two ways, and nothing else:

* **a clean refusal** — ``gep`` exits 1 (0 is a run, 2 a wrong command line, 70 a fault in gep), prints no
  traceback, names the user's own file (never the copy a run stages), the row and column where there is one,
  publishes no output folder and leaves no staging folder; or
* **acceptance with exactly the clean case's figures** — the tiny inventory of conftest.py read from the
  variant gives the same GEP, region by region and year by year, to the yuan, as read from the plain CSVs.

The reasons a case must be refused or accepted are written beside it. The corpus of output, staging and archive
faults is tests/test_faults_output.py; of options tests/test_faults_options.py; of trade requests and
monitoring tables tests/test_trade_errors.py.
"""
from __future__ import annotations

import codecs
import csv
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import refused, tiny_tables, write_register, write_tables
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gep.accounting import account
from gep.cli import main
from gep.coefficients import load_register
from gep.inventory import load_inventory, read_inventory

@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> pd.Series:
    """GEP of the tiny inventory from its plain UTF-8 CSVs: the figures every accepted variant must give."""
    folder = write_tables(tmp_path_factory.mktemp("clean") / "tiny", tiny_tables())
    return _gep(folder)


def _gep(inventory: Path, *registers: Path) -> pd.Series:
    summary = account(load_inventory(inventory), load_register(*registers)).summary
    return summary.set_index(["region_code", "year"])["gep_yuan"].sort_index()


def _variant(tmp_path: Path) -> Path:
    return write_tables(tmp_path / "inv", tiny_tables())


_refused = refused  # conftest.refused: exit 1, no traceback, nothing published


def _run_refused(capsys, inventory: Path, tmp_path: Path, *said: str, extra=()) -> str:
    out = tmp_path / "out"
    return _refused(capsys, ["run", inventory, "--out", out, *extra], *said, out=out)


def _set_cell(inventory: Path, table: str, index: int, column: str, text: str) -> None:
    """Write ``text`` into one cell of a table of the inventory folder; ``index`` 0 is row 2 of the sheet."""
    frame = pd.read_csv(inventory / f"{table}.csv", dtype=str, keep_default_na=False)
    frame.loc[index, column] = text
    frame.to_csv(inventory / f"{table}.csv", index=False)


def _recode(path: Path, encoding: str, bom: bytes = b"") -> None:
    path.write_bytes(bom + path.read_text(encoding="utf-8").encode(encoding))


# ----------------------------------------------------------------------------------------------
# encodings: every encoding Excel and WPS save CSV in is read to the same figures


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", codecs.BOM_UTF8),       # Excel's "CSV UTF-8 (逗号分隔)"
    ("gbk", b""),                     # Excel's "CSV (逗号分隔)" on Chinese Windows
    ("gb18030", b""),                 # the national standard superset of GBK
    ("utf-16-le", codecs.BOM_UTF16_LE),  # Excel's "Unicode 文本" with its BOM
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),               # UTF-16 written by a program without a BOM
])
def test_every_table_in_another_encoding_gives_the_clean_figures(tmp_path, clean, encoding, bom):
    inv = _variant(tmp_path)
    for f in inv.glob("*.csv"):  # regions.csv holds Chinese names: a wrong guess would garble them or fail
        _recode(f, encoding, bom)
    pd.testing.assert_series_equal(_gep(inv), clean)
    names = load_inventory(inv).table("regions")["name"].tolist()
    assert names == ["示例县", "甲镇", "乙乡"]  # written in conftest.tiny_tables


def test_windows_line_endings_give_the_clean_figures(tmp_path, clean):
    inv = _variant(tmp_path)
    for f in inv.glob("*.csv"):
        f.write_bytes(f.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    pd.testing.assert_series_equal(_gep(inv), clean)


def test_bytes_that_are_no_encoding_are_refused_naming_the_file(tmp_path, capsys):
    inv = _variant(tmp_path)
    # 0x81 0x20 is no UTF-8 (0x81 is a continuation byte) and no GB18030 (0x81 needs a trail byte ≥ 0x30)
    (inv / "tourism.csv").write_bytes((inv / "tourism.csv").read_bytes() + b"\x81\x20\n")
    _run_refused(capsys, inv, tmp_path, "tourism.csv", "cannot be read as text", "CSV UTF-8")


def test_a_binary_file_named_csv_is_refused(tmp_path, capsys):
    inv = _variant(tmp_path)
    (inv / "tourism.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _run_refused(capsys, inv, tmp_path, "tourism.csv", "binary")


# ----------------------------------------------------------------------------------------------
# empty and malformed tables


def test_an_empty_file_is_refused_naming_it(tmp_path, capsys):
    inv = _variant(tmp_path)
    (inv / "tourism.csv").write_bytes(b"")
    _run_refused(capsys, inv, tmp_path, "tourism.csv", "the file is empty")


def test_a_file_of_blank_lines_is_refused_as_empty(tmp_path, capsys):
    inv = _variant(tmp_path)
    (inv / "tourism.csv").write_text("\n \n\r\n", encoding="utf-8")
    _run_refused(capsys, inv, tmp_path, "tourism.csv", "the file is empty")


@pytest.mark.parametrize("table", ["extent", "regions"])
def test_a_required_table_with_only_its_header_is_refused(tmp_path, capsys, table):
    inv = _variant(tmp_path)
    path = inv / f"{table}.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    err = _run_refused(capsys, inv, tmp_path, f"{table}.csv", "has no rows")
    assert len(err.splitlines()) < 10  # the other tables' region codes are not each called unknown


def test_an_optional_table_with_only_its_header_is_the_table_left_out(tmp_path):
    """A header without rows says "none": the same figures as the inventory without that file."""
    with_header = _variant(tmp_path / "a")
    path = with_header / "tourism.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    without = _variant(tmp_path / "b")
    (without / "tourism.csv").unlink()
    pd.testing.assert_series_equal(_gep(with_header), _gep(without))


def test_a_row_with_more_cells_than_the_header_is_refused_naming_the_line(tmp_path, capsys):
    inv = _variant(tmp_path)
    with open(inv / "tourism.csv", "a", encoding="utf-8") as fh:
        fh.write("990001,2020,5,6,7,8\n")  # the header has 4 columns; this is line 6 of the file
    _run_refused(capsys, inv, tmp_path, "tourism.csv", "line 6")


def test_a_column_given_twice_is_refused(tmp_path, capsys):
    inv = _variant(tmp_path)
    frame = pd.read_csv(inv / "tourism.csv", dtype=str)
    frame.insert(0, "游客人次 [人次]", frame["visits [visit]"])  # 游客人次 is the Chinese header of visits
    frame.to_csv(inv / "tourism.csv", index=False)
    _run_refused(capsys, inv, tmp_path, "tourism.csv", "appears twice")


def test_an_empty_header_cell_is_refused(tmp_path, capsys):
    inv = _variant(tmp_path)
    text = (inv / "tourism.csv").read_text(encoding="utf-8").splitlines()
    text = [text[0] + ","] + [line + ",1" for line in text[1:]]
    (inv / "tourism.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    _run_refused(capsys, inv, tmp_path, "tourism.csv", "row 1", "empty or malformed column header")


def test_a_hundred_thousand_unknown_columns_are_reported_in_a_screenful(tmp_path, capsys):
    inv = _variant(tmp_path)
    lines = (inv / "tourism.csv").read_text(encoding="utf-8").splitlines()
    extra = 100_000
    lines = [lines[0] + "," + ",".join(f"x{i}" for i in range(extra))] + [line + "," * extra for line in lines[1:]]
    (inv / "tourism.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _run_refused(capsys, inv, tmp_path, "tourism.csv", "unknown column", f"and {extra - 30} more")
    assert len(err.splitlines()) <= 35  # 30 problems shown per file (SHOWN_PER_FILE), the count, the heading


def test_validate_all_lists_every_problem(tmp_path, capsys):
    inv = _variant(tmp_path)
    lines = (inv / "tourism.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + "," + ",".join(f"x{i}" for i in range(40))] + [line + "," * 40 for line in lines[1:]]
    (inv / "tourism.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(inv), "--all"]) == 1
    out = capsys.readouterr().out
    assert out.count("unknown column") == 40 and "more problem" not in out


def test_an_inventory_that_does_not_exist_is_refused(tmp_path, capsys):
    _run_refused(capsys, tmp_path / "nowhere", tmp_path, "nowhere", "not found")


def test_an_empty_folder_is_refused_listing_the_required_tables(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    _run_refused(capsys, tmp_path / "empty", tmp_path, "required table 'regions'", "required table 'extent'")


def test_a_missing_table_is_named_with_the_users_path_not_the_staging_copy(tmp_path, capsys):
    inv = _variant(tmp_path)
    (inv / "extent.csv").unlink()
    _run_refused(capsys, inv, tmp_path, f"{inv}: required table 'extent'")


# ----------------------------------------------------------------------------------------------
# Office scratch files and workbooks


@pytest.mark.parametrize("name, content", [
    ("~$extent.xlsx", b"\x0bWang Xiaoming" + b" " * 40 + b"\x00" * 110),  # Excel's owner file while it is open
    (".~lock.extent.xlsx#", b"Wang Xiaoming,HOST,wang,07.12.2026 09:00;"),  # LibreOffice's lock
    ("~$tourism.csv", b"\x00\x01"),
    (".DS_Store", b"\x00\x00\x00\x01Bud1"),
    ("Thumbs.db", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 50),
])
def test_office_lock_and_hidden_files_are_not_inputs(tmp_path, clean, capsys, name, content):
    inv = _variant(tmp_path)
    (inv / name).write_bytes(content)
    pd.testing.assert_series_equal(_gep(inv), clean)
    if name.endswith((".xlsx", ".csv")):  # a name a run would otherwise copy as an input
        out = tmp_path / "out"
        assert main(["run", str(inv), "--out", str(out)]) == 0, capsys.readouterr().err
        assert not (out / "inputs" / "inventory" / name).exists()


def _workbook(path: Path, tables: dict[str, list[dict]]) -> Path:
    """The inventory as one workbook, a sheet per table, numbers as numbers."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        if not rows:
            continue
        sheet = book.create_sheet(name)
        headers = list(dict.fromkeys(k for r in rows for k in r))
        sheet.append(headers)
        for r in rows:
            sheet.append([None if r.get(h, "") == "" else r.get(h) for h in headers])
    book.save(path)
    return path


def test_a_workbook_inventory_gives_the_clean_figures(tmp_path, clean):
    pd.testing.assert_series_equal(_gep(_workbook(tmp_path / "tiny.xlsx", tiny_tables())), clean)


@pytest.mark.parametrize("content, said", [
    (b"this is not a workbook at all" * 10, "not an Excel workbook (.xlsx)"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504, "old Excel .xls file or a password-protected workbook"),
    (b"PK\x05\x06" + b"\x00" * 18, "not a readable Excel workbook"),  # an empty zip archive
    (b"", "not an Excel workbook"),
])
def test_a_file_named_xlsx_that_is_no_workbook_is_refused_by_name(tmp_path, capsys, content, said):
    inv = _variant(tmp_path)
    (inv / "tourism.csv").unlink()
    (inv / "tourism.xlsx").write_bytes(content)
    _run_refused(capsys, inv, tmp_path, "tourism.xlsx", said)


def test_a_damaged_workbook_is_refused_by_name(tmp_path, capsys):
    book = _workbook(tmp_path / "tiny.xlsx", tiny_tables())
    with zipfile.ZipFile(book) as zf:  # the same archive without its sheets' XML
        members = {n: zf.read(n) for n in zf.namelist() if not n.startswith("xl/worksheets/")}
    with zipfile.ZipFile(book, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    _run_refused(capsys, book, tmp_path, "tiny.xlsx", "not a readable Excel workbook")


def test_a_formula_cell_without_a_saved_value_is_refused_naming_the_cell(tmp_path, capsys):
    """openpyxl, like most programs, writes a formula without its value; read as empty it would drop the
    township's forest area (2.3 % of GEP in the issue's case) without a word."""
    tables = tiny_tables()
    book = _workbook(tmp_path / "tiny.xlsx", tables)
    wb = openpyxl.load_workbook(book)
    wb["extent"]["D2"] = "=50*2"  # D is area [hm2]; row 2 the first township's forest (100 hm²)
    wb.save(book)
    _run_refused(capsys, book, tmp_path, "tiny.xlsx[extent]", "cell D2", "=50*2", "no saved value")


def _patch_sheet(book: Path, sheet: str, patch) -> None:
    """Rewrite one worksheet's XML inside the .xlsx (``patch``: text → text), as other writers shape it."""
    index = openpyxl.load_workbook(book, read_only=True).sheetnames.index(sheet) + 1  # openpyxl: sheetN.xml
    member = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(book) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[member] = patch(members[member].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(book, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)


def test_a_workbook_recording_a_wrong_size_is_read_whole(tmp_path, clean):
    """The <dimension> a file records is a hint some writers get wrong (here one row short): the last row of
    every sheet must still be read, or a township's figures vanish (reviewer's case: GEP 0.18 instead of 0.55亿)."""
    import re
    book = _workbook(tmp_path / "tiny.xlsx", tiny_tables())
    for sheet in openpyxl.load_workbook(book, read_only=True).sheetnames:
        _patch_sheet(book, sheet, lambda xml: re.sub(r'<dimension ref="A1:([A-Z]+)(\d+)"',
                                                     lambda m: f'<dimension ref="A1:{m[1]}{int(m[2]) - 1}"', xml))
    pd.testing.assert_series_equal(_gep(book), clean)


def test_formatted_empty_cells_beside_a_table_are_not_columns(tmp_path, clean):
    """Bold or bordered empty cells right of the data (H1:H4) are formatting, not unnamed columns."""
    book = _workbook(tmp_path / "tiny.xlsx", tiny_tables())
    wb = openpyxl.load_workbook(book)
    for row in range(1, 5):
        wb["extent"].cell(row=row, column=8).font = openpyxl.styles.Font(bold=True)
    wb.save(book)
    pd.testing.assert_series_equal(_gep(book), clean)


def test_a_formula_whose_saved_value_is_empty_text_is_an_empty_cell(tmp_path, clean):
    """Excel saves =IF(A2="","",…) as <c t="str"><f>…</f><v></v></c>: a saved value, the empty text. I2 is
    output_value of the first products row, which gives quantity and price instead (conftest.tiny_tables)."""
    book = _workbook(tmp_path / "tiny.xlsx", tiny_tables())
    wb = openpyxl.load_workbook(book)
    assert wb["products"]["I1"].value == "output_value [yuan]" and wb["products"]["I2"].value is None
    wb["products"]["I2"] = '=IF(1=1,"","")'
    wb.save(book)
    _patch_sheet(book, "products", lambda xml: xml.replace('<c r="I2"><f>', '<c r="I2" t="str"><f>')
                 .replace('</f><v /></c>', '</f><v></v></c>'))
    pd.testing.assert_series_equal(_gep(book), clean)


def test_an_unsaved_formula_outside_the_tables_is_no_ones_figure(tmp_path, clean):
    book = _workbook(tmp_path / "tiny.xlsx", tiny_tables())
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("说明").append(["合计", "=SUM(1,2)"])
    wb.save(book)
    pd.testing.assert_series_equal(_gep(book), clean)


def test_an_unknown_sheet_is_a_warning_and_the_figures_stay(tmp_path, clean):
    book = _workbook(tmp_path / "tiny.xlsx", tiny_tables())
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("说明").append(["本表由某某填写"])
    wb.save(book)
    inventory, problems = read_inventory(book)
    assert inventory is not None and any("not an inventory table" in str(p) for p in problems)
    pd.testing.assert_series_equal(_gep(book), clean)


# ----------------------------------------------------------------------------------------------
# numbers


@pytest.mark.parametrize("text, said", [
    ("inf", "is not a finite number"),
    ("Infinity", "is not a finite number"),
    ("-inf", "is not a finite number"),
    ("1e999", "is not a finite number"),  # overflows to ∞ when read
    ("nan", "is not a number"),  # would otherwise be read as an empty cell
    ("NaN", "is not a number"),
    ("1,000", "is not a number"),  # a thousands separator: 1 or 1000?
    ("100 hm2", "is not a number"),  # the unit belongs in the header
    ("-100", "below the minimum"),
])
def test_a_numeric_cell_that_is_no_finite_amount_is_refused_naming_row_and_column(tmp_path, capsys, text, said):
    inv = _variant(tmp_path)
    _set_cell(inv, "extent", 0, "area [hm2]", text)  # the first data row: row 2 of the sheet
    _run_refused(capsys, inv, tmp_path, "extent.csv, row 2, column area", said)


def test_a_percentage_above_100_is_refused(tmp_path, capsys):
    inv = _variant(tmp_path)
    (inv / "targets.csv").write_text("region_code,year,indicator,target,unit,binding\n"
                                     "990000,2021,forest_coverage,,%,\n", encoding="utf-8")
    inventory, problems = read_inventory(inv)
    # the target table itself is optional; a coverage of 250 % is what must be refused
    (inv / "socioeconomic.csv").write_text("region_code,year,forest_coverage [%]\n990000,2021,250\n",
                                           encoding="utf-8")
    (inv / "targets.csv").unlink()
    _run_refused(capsys, inv, tmp_path, "socioeconomic.csv, row 2, column forest_coverage", "above the maximum")


@pytest.mark.parametrize("text, said", [("-501", "below the minimum (≥ -500 m)"),  # below the Dead Sea shore
                                        ("9001", "above the maximum 9000 m")])  # above Everest (8849 m)
def test_an_elevation_off_the_earth_is_refused(tmp_path, capsys, text, said):
    inv = _variant(tmp_path)
    frame = pd.read_csv(inv / "regions.csv", dtype=str, keep_default_na=False)
    frame["elevation [m]"] = ["1000", text, "800"]
    frame.to_csv(inv / "regions.csv", index=False)
    _run_refused(capsys, inv, tmp_path, "regions.csv, row 3, column elevation", said)


@pytest.mark.parametrize("text", ["20210", "2021.5", "二〇二一", "-2021", "INF"])
def test_a_year_that_is_no_year_is_refused(tmp_path, capsys, text):
    inv = _variant(tmp_path)
    _set_cell(inv, "tourism", 1, "year", text)
    _run_refused(capsys, inv, tmp_path, "tourism.csv, row 3, column year", "is not a year")


def test_a_ten_megabyte_cell_is_cut_in_the_message(tmp_path, capsys):
    inv = _variant(tmp_path)
    _set_cell(inv, "extent", 0, "area [hm2]", "9" * 5_000_000 + "x" * 5_000_000)
    err = _run_refused(capsys, inv, tmp_path, "extent.csv, row 2, column area", "(10000000 characters)")
    assert len(err) < 2000


def test_a_ten_megabyte_header_is_cut_in_the_message(tmp_path, capsys):
    inv = _variant(tmp_path)
    lines = (inv / "tourism.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + "," + "列" * 1_000_000] + [line + "," for line in lines[1:]]
    (inv / "tourism.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _run_refused(capsys, inv, tmp_path, "tourism.csv, row 1", "(1000000 characters)")
    assert len(err) < 5000  # the list of expected columns, once


def test_an_unknown_ecosystem_in_a_table_is_refused(tmp_path, capsys):
    inv = _variant(tmp_path)
    _set_cell(inv, "extent", 0, "ecosystem", "forrest")
    _run_refused(capsys, inv, tmp_path, "extent.csv, row 2, column ecosystem", "'forrest' is not one of")


def test_an_unknown_region_code_is_refused(tmp_path, capsys):
    inv = _variant(tmp_path)
    _set_cell(inv, "tourism", 0, "region_code", "990009")
    _run_refused(capsys, inv, tmp_path, "tourism.csv, row 2, column region_code", "unknown region code '990009'")


# ----------------------------------------------------------------------------------------------
# coefficient registers and price indices


def _register(tmp_path: Path, *rows, name: str = "my.csv") -> Path:
    return write_register(tmp_path / name, *rows)


CARBON_ROW = ("carbon_price", "100", "元/t_CO2", "2020", "ppi", "", "", "a test price")


def test_a_register_saved_in_gbk_gives_the_figures_of_its_utf8_copy(tmp_path):
    utf8 = _register(tmp_path, (*CARBON_ROW[:7], "某市碳交易所 2020 年均价"))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    inv = _variant(tmp_path)
    pd.testing.assert_series_equal(_gep(inv, gbk), _gep(inv, utf8))
    assert load_register(gbk).lookup("carbon_price").source == "某市碳交易所 2020 年均价"


def test_a_register_ecosystem_in_chinese_is_its_key(tmp_path):
    """森林 is the Chinese label of forest (gep/data/inventory.yaml): the row serves forest figures."""
    register = load_register(_register(tmp_path, ("carbon_price", "100", "元/t_CO2", "2020", "ppi", "森林", "",
                                                  "a test price")))
    assert register.lookup("carbon_price", ecosystem="forest").value_as_written == 100


@pytest.mark.parametrize("row, said", [
    (("carbon_price", "100", "元/t_CO2", "2020", "ppi", "forrest", "", "src"), "column ecosystem: 'forrest' is not an "
                                                                              "ecosystem type"),
    (("carbon_price", "inf", "元/t_CO2", "2020", "ppi", "", "", "src"), "column value: 'inf' is not a finite number"),
    (("carbon_price", "nan", "元/t_CO2", "2020", "ppi", "", "", "src"), "column value: 'nan' is not a finite number"),
    (("carbon_price", "100", "元/t_CO2", "99999", "ppi", "", "", "src"), "column price_year: '99999' is not a year"),
    (("carbon_price", "100", "元/hm2", "2020", "ppi", "", "", "src"), "column unit"),
    (("carbon_prize", "100", "元/t_CO2", "2020", "ppi", "", "", "src"), "unknown coefficient 'carbon_prize'"),
    (("carbon_price", "100", "元/t_CO2", "2020", "ppi", "", "", ""), "every coefficient needs a source"),
    # ranges (coefficients.RANGES): a negative price would turn the service into a cost
    (("carbon_price", "-100", "元/t_CO2", "2020", "ppi", "", "", "src"), "-100 元/t_CO2 is out of range for "
                                                                        "carbon_price (it must be ≥ 0 yuan/t_CO2)"),
    # a share of 150 % is no share; 150 % is 1.5 in the canonical unit 1
    (("runoff_coefficient", "150", "%", "", "", "forest", "", "src"), "it must be ≤ 1)"),
    # the cooling energy is divided by the energy-efficiency ratio: 0 would make it infinite
    (("ac_energy_efficiency_ratio", "0", "1", "", "", "", "", "src"), "it must be > 0)"),
])
def test_a_register_row_that_serves_nothing_is_refused_naming_row_and_column(tmp_path, capsys, row, said):
    register = _register(tmp_path, row)
    _run_refused(capsys, _variant(tmp_path), tmp_path, f"{register}, row 2", said,
                 extra=["--coefficients", register])


def test_a_negative_constant_of_the_lake_flood_model_is_accepted():
    """ln(storage) = a + b·ln(area): the fitted constant a may have either sign (coefficients.RANGES)."""
    from gep.coefficients import _out_of_range
    assert _out_of_range("lake_flood_log_coefficient", -6.6, "r", "-6.6", "1") == []
    assert _out_of_range("lake_flood_exponent", -0.5, "r", "-0.5", "1") != []


def test_a_register_row_for_a_region_not_in_the_inventory_is_refused(tmp_path, capsys):
    register = _register(tmp_path, ("carbon_price", "100", "元/t_CO2", "2020", "ppi", "", "990009", "src"))
    _run_refused(capsys, _variant(tmp_path), tmp_path, str(register), "region '990009' is not a region code",
                 extra=["--coefficients", register])


def test_a_register_row_for_a_region_of_the_inventory_is_used(tmp_path):
    """The same row for township 990001 is accepted (it serves that township's carbon figures)."""
    register = _register(tmp_path, ("carbon_price", "100", "元/t_CO2", "2020", "ppi", "", "990001", "src"))
    assert _gep(_variant(tmp_path), register).loc[("990002", 2021)] > 0


@pytest.mark.parametrize("content, said", [
    (b"", "the file is empty"),
    (b"key,value\ncarbon_price,100\n", "missing column(s) unit, source, status"),
    (b"\x00\x01\x02binary", "binary"),
])
def test_a_register_that_is_no_register_is_refused_naming_the_users_file(tmp_path, capsys, content, said):
    register = tmp_path / "my.csv"
    register.write_bytes(content)
    _run_refused(capsys, _variant(tmp_path), tmp_path, str(register), said, extra=["--coefficients", register])


def test_a_missing_register_is_refused(tmp_path, capsys):
    _run_refused(capsys, _variant(tmp_path), tmp_path, "my.csv", "not found",
                 extra=["--coefficients", tmp_path / "my.csv"])


def test_ten_thousand_bad_register_rows_are_reported_in_a_screenful(tmp_path, capsys):
    register = _register(tmp_path, *[("carbon_price", "x", "元/t_CO2", "2020", "ppi", "", "", "s")] * 10_000)
    err = _run_refused(capsys, _variant(tmp_path), tmp_path, "… and 9950 more", extra=["--coefficients", register])
    assert len(err.splitlines()) < 60  # 50 shown (coefficients.SHOWN_PROBLEMS), the count, the heading


def test_a_price_index_table_in_gbk_is_read_and_a_bad_one_named(tmp_path, capsys):
    from gep.prices import DEFAULT_INDICES, load_price_indices
    gbk = tmp_path / "指数.csv"
    gbk.write_bytes(DEFAULT_INDICES.read_text(encoding="utf-8-sig").encode("gbk"))
    assert load_price_indices(gbk).values == load_price_indices(DEFAULT_INDICES).values
    bad = tmp_path / "bad.csv"
    bad.write_text("index,year,value,source,status\ncpi,2020,inf,s,verified\n", encoding="utf-8")
    _run_refused(capsys, _variant(tmp_path), tmp_path, "bad.csv, row 2", extra=["--price-indices", bad])


# ----------------------------------------------------------------------------------------------
# YAML: method profiles and grid descriptions

BILLION_LAUGHS = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]) + "\n"


def test_a_method_profile_of_nested_aliases_is_refused_before_it_expands(tmp_path, capsys):
    profile = tmp_path / "bomb.yaml"
    profile.write_text("name: bomb\nextends: default\n" + BILLION_LAUGHS, encoding="utf-8")
    _run_refused(capsys, _variant(tmp_path), tmp_path, "bomb.yaml", "aliases", extra=["--method", profile])


def test_a_grid_description_of_nested_aliases_is_refused(tmp_path, capsys):
    inv = _variant(tmp_path)
    (inv / "grid.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    _run_refused(capsys, inv, tmp_path, "grid.yaml", "aliases")


def test_a_method_profile_with_a_syntax_error_is_refused_naming_its_line(tmp_path, capsys):
    profile = tmp_path / "broken.yaml"
    profile.write_text("name: broken\nextends: default\nchoices: [unclosed\n", encoding="utf-8")
    _run_refused(capsys, _variant(tmp_path), tmp_path, "broken.yaml", "not valid YAML", extra=["--method", profile])


def test_a_method_profile_saved_in_gbk_is_read(tmp_path):
    from gep.method import load_method
    utf8 = tmp_path / "mine.yaml"
    utf8.write_text("name: mine\nzh: 本县方案\nen: our county\nextends: default\n", encoding="utf-8")
    gbk = tmp_path / "mine-gbk.yaml"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    assert load_method(gbk).zh == load_method(utf8).zh == "本县方案"


# ----------------------------------------------------------------------------------------------
# an earlier output is never lost


def test_a_refused_overwrite_keeps_the_earlier_output_as_it_was(tmp_path, capsys):
    inv = _variant(tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(inv), "--out", str(out)]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (inv / "extent.csv").write_bytes(b"")
    _refused(capsys, ["run", inv, "--out", out, "--overwrite"], "extent.csv", "the file is empty")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob("out.previous-*")) and not list(tmp_path.glob(".out.partial-*"))


# ----------------------------------------------------------------------------------------------
# property: whatever the cells hold, the reader ends in a clean error or an inventory

CELL = st.one_of(st.text(max_size=12), st.sampled_from(["inf", "-inf", "nan", "1e999", "", " ", "0", "-1", "1e-400",
                                                        "森林", "forest", "990001", "=1+1", "\x00", "2021"]),
                 st.floats(allow_nan=True).map(repr), st.integers(-10**20, 10**20).map(str))


def _or_junk(*good) -> st.SearchStrategy:
    """Mostly values a column accepts (3 in 4), else anything: so that many random tables are valid and get
    computed."""
    return st.one_of(st.sampled_from(good), st.sampled_from(good), st.sampled_from(good), CELL)


EXTENT_ROW = st.tuples(_or_junk("990001", "990002", "990000"), _or_junk("2020", "2021"),
                       _or_junk("forest", "森林", "grassland", "wetland_reservoir", "other", "farmland"),
                       st.one_of(st.floats(0, 100).map(repr), st.integers(0, 100).map(str), CELL))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(EXTENT_ROW, min_size=1, max_size=4), encoding=st.sampled_from(["utf-8", "gbk", "utf-16"]))
def test_random_cells_in_a_valid_shape_end_in_a_clean_error_or_a_run(tmp_path_factory, cells, encoding):
    folder = tmp_path_factory.mktemp("prop")
    inv = write_tables(folder / "inv", tiny_tables())
    path = inv / "extent.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["region_code", "year", "ecosystem", "area [hm2]"])
        writer.writerows(cells)
    try:
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    except UnicodeEncodeError:
        return  # a cell GBK cannot hold: no file a user could have saved
    inventory, problems = read_inventory(inv)  # raises nothing, whatever the cells
    errors = [p for p in problems if p.severity == "error"]
    assert (inventory is None) == bool(errors)
    for p in errors:
        assert p.file and len(str(p)) < 1000
    event("accepted and computed" if inventory is not None else "refused")
    if inventory is not None:  # accepted: finite areas, and the accounts compute
        area = inventory.table("extent")["area"]
        assert area.map(lambda a: a == a and abs(a) != float("inf")).all() and (area >= 0).all()
        gep = account(inventory, load_register()).summary["gep_yuan"]
        assert gep.map(lambda v: v == v and abs(v) != float("inf")).all()
    shutil.rmtree(folder)


REGISTER_CELL = st.one_of(CELL, st.sampled_from(["carbon_price", "元/t_CO2", "万元/t", "t", "ppi", "cpi", "verified",
                                                 "unverified", "forest", "森林", "990000"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(REGISTER_CELL, min_size=12, max_size=12), min_size=1, max_size=3))
def test_random_register_rows_end_in_a_clean_error_or_a_register(tmp_path_factory, rows):
    from gep.coefficients import CoefficientError
    from gep.reading import ReadError
    path = tmp_path_factory.mktemp("reg") / "my.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["key", "value", "unit", "price_year", "price_index", "ecosystem", "region", "source",
                         "clause", "status", "note", "year"])
        writer.writerows(rows)
    try:
        register = load_register(path)
    except (CoefficientError, ReadError) as exc:
        assert "my.csv" in str(exc) and len(str(exc)) < 20_000
        return
    for c in register.rows.values():  # what is accepted is finite, in its canonical unit
        assert c.value == c.value and abs(c.value) != float("inf")


def test_a_single_csv_given_as_the_inventory_is_refused_saying_what_to_give(tmp_path, capsys):
    inv = _variant(tmp_path)
    _run_refused(capsys, inv / "regions.csv", tmp_path, "regions.csv", "is one file, not an inventory")


def test_a_key_given_twice_in_a_yaml_mapping_is_refused_naming_both_lines(tmp_path, capsys):
    """YAML would keep the second `extends` silently; which one the writer meant is not for gep to guess."""
    profile = tmp_path / "twice.yaml"
    profile.write_text("name: twice\nzh: 两次\nen: twice\nextends: default\nextends: garze-2017\n", encoding="utf-8")
    _run_refused(capsys, _variant(tmp_path), tmp_path, "twice.yaml", "'extends' is given twice", "first on line 4",
                 "line 5", extra=["--method", profile])


# ----------------------------------------------------------------------------------------------
# found in review


def test_utf16_without_bom_and_a_stray_last_byte_is_still_text(tmp_path, clean):
    """A program that writes UTF-16 without a BOM and appends one newline byte leaves an odd length."""
    inv = _variant(tmp_path)
    for f in inv.glob("*.csv"):
        f.write_bytes(f.read_text(encoding="utf-8").encode("utf-16-le") + b"\n")
    pd.testing.assert_series_equal(_gep(inv), clean)


@pytest.mark.parametrize("text, said", [
    ("name: deep\nzh: 深\nen: deep\nextends: " + "[" * 600 + "]" * 600 + "\n", "hundreds of levels deep"),
    ("name: long\nzh: 长\nen: long\nextends: " + "1" * 5000 + "\n", "4300 digits"),  # Python's int limit
])
def test_a_yaml_file_python_cannot_build_is_refused_by_name(tmp_path, capsys, text, said):
    profile = tmp_path / "odd.yaml"
    profile.write_text(text, encoding="utf-8")
    _run_refused(capsys, _variant(tmp_path), tmp_path, "odd.yaml", said, extra=["--method", profile])


def test_a_register_column_given_twice_is_refused(tmp_path, capsys):
    """pandas would read the second 'value' as 'value.1', which nothing reads: 0.5 or 0.9 would be a guess."""
    register = tmp_path / "my.csv"
    register.write_text("key,value,unit,source,status,value\ncarbon_price,0.5,元/t_CO2,s,unverified,0.9\n",
                        encoding="utf-8")
    _run_refused(capsys, _variant(tmp_path), tmp_path, f"{register}, row 1, column value", "appears twice",
                 extra=["--coefficients", register])


@pytest.mark.parametrize("make, said", [
    (lambda p: p.mkdir(), "is a folder, not a table file"),
    (lambda p: p.symlink_to(p.parent / "gone.csv"), "is a link to a file that does not exist"),
])
def test_a_table_name_that_is_no_file_is_refused_not_skipped(tmp_path, capsys, make, said):
    """forest.csv that cannot be read is not "no forest table": the forest figures would vanish silently."""
    inv = _variant(tmp_path)
    (inv / "forest.csv").unlink()
    make(inv / "forest.csv")
    _run_refused(capsys, inv, tmp_path, "forest.csv", said)


def test_an_output_that_is_a_file_is_refused_even_with_overwrite(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("a user's file", encoding="utf-8")
    _refused(capsys, ["run", _variant(tmp_path), "--out", out, "--overwrite"], "is a file, not an output folder")
    assert out.read_text(encoding="utf-8") == "a user's file"


def test_an_output_name_too_long_to_stage_is_refused_saying_so(tmp_path, capsys):
    """240 bytes is a valid folder name; its staging folder '.NAME.partial-XXXXXXXX' (18 bytes more) is not."""
    out = tmp_path / ("a" * 240)
    _refused(capsys, ["run", _variant(tmp_path), "--out", out], "name is too long (240 bytes", "choose a shorter",
             out=out)


def test_a_price_index_table_lacking_an_index_is_named_as_the_user_gave_it(tmp_path, capsys):
    """The default register carries prices with the fai, ppi and cpi (coefficients/default.csv, price_index);
    a table with the cpi only cannot carry them, and the message must name the user's table, not the run's
    copy price_indices.csv."""
    from gep.prices import DEFAULT_INDICES
    frame = pd.read_csv(DEFAULT_INDICES, dtype=str, keep_default_na=False)
    mine = tmp_path / "本县指数.csv"
    frame[frame["index"] == "cpi"].to_csv(mine, index=False)
    err = _run_refused(capsys, _variant(tmp_path), tmp_path, "unknown price index '", "本县指数.csv has cpi",
                       extra=["--price-indices", mine])
    assert "price_indices.csv" not in err


def test_a_township_and_its_county_in_year_inf_are_refused_not_a_crash(tmp_path, capsys):
    """Found by the property test: 'INF' years of a township and its parent reached the parent/child clash check
    as ∞ (int(∞) raised); a year that is no year must not be read as one anywhere."""
    inv = _variant(tmp_path)
    (inv / "extent.csv").write_text("region_code,year,ecosystem,area [hm2]\n990001,INF,forest,0.0\n"
                                    "990000,INF,forest,0.0\n", encoding="utf-8")
    _run_refused(capsys, inv, tmp_path, "extent.csv, row 2, column year", "'INF' is not a year")
