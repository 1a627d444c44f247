"""The formula workbook (gep.render.formulas): every quantity and value is a live Excel formula from
the inventory and register cells up to GEP, and LibreOffice, recalculating it from scratch, gets
the engine's numbers.

The LibreOffice tests convert the workbook headless (``soffice --convert-to xlsx``), which loads it,
computes every formula (the profile used here sets "recalculate on load: always", so the cached values
the workbook carries are not simply kept) and saves the values; they are skipped when ``soffice`` is
not installed (.ci/run installs libreoffice-calc-nogui). Each conversion uses its own LibreOffice
profile directory so that parallel runs do not clash.
"""
from __future__ import annotations

import math
import re
import shutil
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from gep.accounting import Options, account
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.render.formulas import (CALC_COLUMNS, COEFFICIENT_VALUE_COLUMN, SUMMARY_COLUMNS, excel_expression,
                                 sheet_names, write_formula_workbook)

from conftest import CHENGKOU, supplied_tables, tiny_tables, write_tables

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui")
RTOL = ABS = 1e-9
CATEGORIES = ("provisioning", "regulating", "cultural")

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(path: Path, workdir: Path) -> Path:
    """The workbook as LibreOffice saves it after loading and computing every formula."""
    profile = workdir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
    out = workdir / "recalculated"
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                           "--calc", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                          check=False, capture_output=True, text=True, timeout=900)
    result = out / path.name
    assert done.returncode == 0 and result.exists(), done.stdout + done.stderr
    return result


def variant_tables() -> dict[str, list[dict]]:
    """The tiny inventory with the formula variants a service sheet must hold side by side:

    乙乡 990002 split into villages 乙一村 990021 (its 300 hm² forest) and 乙二村 990022 (95 hm² other,
    5 hm² swamp), so that the county sums townships and a township sums villages while 乙乡 keeps
    figures of its own (emissions, tourism, hydropower, a lake); 乙一村 forest with an inventory
    runoff coefficient (5 %) and erosion moduli (100 and 2 t/hm²) instead of the register and RUSLE;
    a second reservoir in 甲镇 with a declared flood storage; two hydropower stations in 甲镇 (one
    priced by the register) against one in 乙乡, so 乙乡 lacks a second station; a tourism revenue
    instead of spending per visit; a supplied water retention for 甲镇 2020 forest; 甲镇 at 1000 m with its
    cooling days counted at a station at 600 m (carried up by NORMSDIST/NORMSINV) and 40 % humidity (the
    humidifier counts), 乙乡 at 80 %.
    """
    t = tiny_tables()
    t["regions"][1]["elevation [m]"] = 1000
    for row in t["climate"]:
        row.update({"station_elevation [m]": 600, "relative_humidity [%]": 40} if row["region_code"] == "990001"
                   else {"relative_humidity [%]": 80})
    t["regions"] += [{"code": "990021", "name": "乙一村", "parent_code": "990002", "level": "village",
                      "land_area [hm2]": 300},
                     {"code": "990022", "name": "乙二村", "parent_code": "990002", "level": "village",
                      "land_area [hm2]": 100}]
    for row in t["extent"]:
        if row["region_code"] == "990002":
            row["region_code"] = "990021" if row["ecosystem"] == "forest" else "990022"
            if row["ecosystem"] == "other":
                row["area [hm2]"] = 95
    for y in (2020, 2021):
        t["extent"].append({"region_code": "990022", "year": y, "ecosystem": "wetland_swamp", "area [hm2]": 5})
        for row in t["conditions"]:
            if row["region_code"] == "990002" and row["year"] == y and row["ecosystem"] == "forest":
                row.update({"runoff_coefficient [1]": 0.05, "potential_erosion [t/(hm2*a)]": 100,
                            "actual_erosion [t/(hm2*a)]": 2})
        t["water_bodies"] += [
            {"region_code": "990001", "year": y, "name": "乙水库", "kind": "reservoir", "flood_storage [m3]": 200_000},
            {"region_code": "990002", "year": y, "name": "乙湖", "kind": "lake", "area [hm2]": 50}]
        t["hydropower"] += [
            {"region_code": "990001", "year": y, "station": "乙电站", "generation [kWh]": 5e5, "price [yuan/kWh]": ""},
            {"region_code": "990002", "year": y, "station": "丙电站", "generation [kWh]": 2e5, "price [yuan/kWh]": ""}]
    for row in t["tourism"]:
        if row["region_code"] == "990002" and row["year"] == 2021:
            row.update({"spending_per_visit [yuan/visit]": "", "revenue [yuan]": 500_000})
    t["service_quantities"] = [{"region_code": "990001", "year": 2020, "service": "water_conservation",
                                "indicator": "water_retained", "ecosystem": "forest", "quantity": 100,
                                "unit": "万m³", "source": "external hydrological model"}]
    return t


def _results(folder, **options):
    return account(load_inventory(folder), load_register(), Options(**options))


def _calc_sheets(results, lang="zh"):
    return sheet_names(list(dict.fromkeys(results.trace["service"])), lang)


def _header(ws):
    return {ws.cell(row=1, column=c).value: c for c in range(1, ws.max_column + 1)}


def _symbol_column(header: dict, symbol: str) -> int | None:
    """Column of a symbol: headers are ``symbol [unit]`` or ``symbol``."""
    for text, col in header.items():
        if text == symbol or (isinstance(text, str) and text.startswith(symbol + " [")):
            return col
    return None


_SHEET_REF = re.compile(r"'(?:[^']|'')*'!")
_STRING = re.compile(r'"(?:[^"]|"")*"')
_CELL = re.compile(r"\$?[A-Z]{1,3}\$?[0-9]+")
_NUMBER = re.compile(r"(?<![A-Za-z_$0-9.])([0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)")


def _constants(formula: str) -> list[float]:
    """Numeric constants of a formula (sheet names, strings and cell references removed)."""
    body = _CELL.sub("", _STRING.sub("", _SHEET_REF.sub("", formula)))
    return [float(n) for n in _NUMBER.findall(body)]


# --------------------------------------------------------------------------------------------
# structure (openpyxl only)
# --------------------------------------------------------------------------------------------

def test_every_quantity_and_value_is_a_formula(tmp_path):
    tables = tiny_tables()
    tables["regions"][2]["name"] = "=1+1"
    for product in tables["products"]:
        product["product"] = "=1+1" if product["sector"] == "agriculture" else product["product"]
    folder = write_tables(tmp_path / "tiny", tables)
    results = _results(folder)
    path = write_formula_workbook(tmp_path / "gep_formulas.xlsx", results)
    wb = openpyxl.load_workbook(path)
    sheets = _calc_sheets(results)
    assert {"说明", "汇总", "输入", "系数", *sheets.values()} == set(wb.sheetnames)
    assert all(len(name) <= 31 for name in wb.sheetnames)
    trace = results.trace
    figures = trace.groupby(["region_code", "year", "service", "indicator", "ecosystem"], sort=False)
    rows_checked = 0
    for service, sheet in sheets.items():
        ws = wb[sheet]
        header = _header(ws)
        # unit factors and constants of this service's expressions are the only numbers allowed
        allowed = {c for e in trace[(trace.service == service) & (trace.role == "step")]["expr"]
                   for c in _constants(e)}
        for row in range(2, ws.max_row + 1):
            key = (ws.cell(row, 1).value, ws.cell(row, 3).value, service,
                   ws.cell(row, CALC_COLUMNS.index("indicator_key") + 1).value,
                   ws.cell(row, CALC_COLUMNS.index("ecosystem_key") + 1).value)
            fig = figures.get_group(key)
            for symbol, role in zip(fig["symbol"], fig["role"]):
                cell = ws.cell(row, _symbol_column(header, symbol))
                if cell.value is None:  # a part the figure lacks (e.g. second reservoir): blank = 0
                    assert role in ("input", "coefficient")
                    continue
                assert cell.data_type == "f" and cell.value.startswith("="), (sheet, cell.coordinate, cell.value)
                if role == "input":
                    assert re.fullmatch(r"='输入'!\$J\$\d+", cell.value), cell.value
                elif role == "coefficient":
                    assert re.fullmatch(rf"='系数'!\${COEFFICIENT_VALUE_COLUMN}\$\d+", cell.value), cell.value
                else:
                    assert set(_constants(cell.value)) <= allowed, (cell.coordinate, cell.value)
            q = ws.cell(row, _symbol_column(header, "Q"))
            assert q.data_type == "f"
            rows_checked += 1
    assert rows_checked == len(figures)
    # e.g. 甲镇 2020 forest water retention: R = P*alpha; Q = MAX(P-R-ET,0)*A*10; V = Q*C_res
    ws = wb[sheets["water_conservation"]]
    h = _header(ws)
    col = {s: openpyxl.utils.get_column_letter(_symbol_column(h, s)) for s in ("P", "alpha", "ET", "A", "R", "Q", "V",
                                                                           "C_res")}
    assert ws[f"{col['Q']}2"].value == f"=MAX({col['P']}2-{col['R']}2-{col['ET']}2,0)*{col['A']}2*10"
    assert ws[f"{col['V']}2"].value == f"={col['Q']}2*{col['C_res']}2"

    summary = wb["汇总"]
    assert summary.max_row - 1 == len(results.summary)
    for row in range(2, summary.max_row + 1):
        for c in ("provisioning", "regulating", "cultural", "gep"):
            cell = summary.cell(row, SUMMARY_COLUMNS.index(c) + 1)
            assert cell.data_type == "f" and _constants(cell.value) == [], cell.value
    # the county sums its townships' cells; GEP is the sum of the three categories
    county = next(r for r in range(2, summary.max_row + 1) if summary.cell(r, 1).value == "990000")
    assert summary.cell(county, 9).value == f"=F{county}+G{county}+H{county}"
    townships = [r for r in range(2, summary.max_row + 1) if summary.cell(r, 4).value == "990000"
                 and summary.cell(r, 5).value == summary.cell(county, 5).value]
    assert summary.cell(county, 7).value.endswith("+".join(f"G{r}" for r in townships))

    # a region and a product called "=1+1" are text everywhere, never a formula
    names = [c for ws in wb for r in ws.iter_rows() for c in r if c.value == "=1+1"]
    assert names and all(c.data_type == "s" for c in names)
    assert {c.parent.title for c in names} >= {"汇总", "输入", sheets["agriculture_products"], sheets["recreation"]}


def test_inputs_and_coefficients_are_listed_once(tiny, tmp_path):
    results = _results(tiny)
    wb = openpyxl.load_workbook(write_formula_workbook(tmp_path / "f.xlsx", results))
    trace = results.trace
    used = trace[(trace.role == "input") & (trace.file != "")].drop_duplicates(["file", "row", "column"])
    inputs = wb["输入"]
    cells = {(inputs.cell(r, 2).value, inputs.cell(r, 3).value, inputs.cell(r, 4).value): inputs.cell(r, 10).value
             for r in range(2, inputs.max_row + 1)}
    assert len(cells) == inputs.max_row - 1 == len(used)
    for r in used.itertuples():
        assert cells[(r.file, int(r.row), r.column)] == r.value
    # 甲镇 2020 forest precipitation: conditions.csv row 2 (the CSV header is row 1), 1000 mm
    row = next(r for r in range(2, inputs.max_row + 1)
               if [inputs.cell(r, c).value for c in (2, 3, 4)] == ["conditions.csv", 2, "precipitation"])
    assert [inputs.cell(row, c).value for c in (5, 7, 10)] == ["990001", 2020, 1000]
    coefs = wb["系数"]
    labels = [coefs.cell(r, 1).value for r in range(2, coefs.max_row + 1)]
    assert len(labels) == len(set(labels)) == trace[trace.role == "coefficient"]["coefficient"].nunique()
    row = labels.index("reservoir_unit_cost") + 2
    assert coefs.cell(row, 5).value == 7.53 and coefs.cell(row, 7).value == 2011  # 元/m³, price year 2011
    assert coefs.cell(row, 11).value == "default.csv"


def test_formula_variants_share_a_sheet(tmp_path):
    results = _results(write_tables(tmp_path / "variants", variant_tables()))
    wb = openpyxl.load_workbook(write_formula_workbook(tmp_path / "f.xlsx", results))
    sheets = _calc_sheets(results)
    hydro = wb[sheets["hydropower"]]
    h = _header(hydro)
    rows = {(hydro.cell(r, 1).value, hydro.cell(r, 3).value): r for r in range(2, hydro.max_row + 1)}
    g1, p1, g2, p2, v = (_symbol_column(h, s) for s in ("G1", "p1", "G2", "p2", "V"))
    one = rows[("990002", 2020)]  # 乙乡 has one station: its formula sums that station only
    assert hydro.cell(one, g2).value is None and hydro.cell(one, p2).value is None
    col = openpyxl.utils.get_column_letter
    assert hydro.cell(one, v).value == f"={col(g1)}{one}*{col(p1)}{one}"
    # 甲电站's own tariff (0.30) is an inventory cell on 输入; the register's 0.25 (middle of the national
    # on-grid range, coefficients/default.csv) stays on 系数
    coefs = wb["系数"]
    prices = {coefs.cell(r, 5).value for r in range(2, coefs.max_row + 1)
              if coefs.cell(r, 1).value == "hydropower_price"}
    assert prices == {0.25}
    inputs = wb["输入"]
    assert any(inputs.cell(r, 1).value == "hydropower" and inputs.cell(r, 4).value == "price"
               and inputs.cell(r, 10).value == 0.3 for r in range(2, inputs.max_row + 1))
    # one water-retention sheet holds the supplied figure (Q an input), the register runoff
    # coefficient (alpha on 系数) and the inventory one (alpha on 输入)
    water = wb[sheets["water_conservation"]]
    h = _header(water)
    q, alpha = _symbol_column(h, "Q"), _symbol_column(h, "alpha")
    kinds = {(water.cell(r, q).value.split("!")[0], (water.cell(r, alpha).value or "").split("!")[0])
             for r in range(2, water.max_row + 1)}
    assert ("='输入'", "") in kinds  # supplied: Q is an inventory cell, no runoff coefficient
    assert {k[1] for k in kinds} == {"", "='系数'", "='输入'"}
    # 乙乡 sums its villages and its own figures (emissions, tourism, hydropower, the lake)
    gep = wb["汇总"]
    r = next(r for r in range(2, gep.max_row + 1) if (gep.cell(r, 1).value, gep.cell(r, 5).value) == ("990002", 2020))
    villages = [x for x in range(2, gep.max_row + 1) if gep.cell(x, 4).value == "990002"
                and gep.cell(x, 5).value == 2020]
    assert len(villages) == 2 and gep.cell(r, 7).value.endswith("+".join(f"G{x}" for x in villages))
    assert "SUMIFS(" in gep.cell(r, 7).value


def test_workbook_is_deterministic_and_english_works(tiny, tmp_path):
    results = _results(tiny)
    a = write_formula_workbook(tmp_path / "a.xlsx", results).read_bytes()
    b = write_formula_workbook(tmp_path / "b.xlsx", results).read_bytes()
    assert a == b
    en = openpyxl.load_workbook(write_formula_workbook(tmp_path / "en.xlsx", results, lang="en"))
    assert {"About", "GEP", "Inputs", "Coefficients"} <= set(en.sheetnames)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in en.sheetnames)


def test_a_reader_that_does_not_recalculate_sees_every_figure(tiny, tmp_path):
    # pandas (through openpyxl) reads the cached values: the summary's GEP is the engine's, not blank
    import zipfile
    from xml.etree import ElementTree

    import pandas as pd
    results = _results(tiny)
    path = write_formula_workbook(tmp_path / "f.xlsx", results)
    shown = pd.read_excel(path, sheet_name="汇总", dtype={"区划代码": str})
    assert shown.shape[0] == len(results.summary) and not shown.iloc[:, 5:9].isna().any().any()
    engine = results.summary.set_index(["region_code", "year"])["gep_yuan"]
    for row in shown.itertuples(index=False):
        assert row[8] == pytest.approx(engine[(row[0], int(row[4]))], rel=1e-12)
    # every part of the package is well-formed XML, and [Content_Types].xml names each worksheet
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        for name in names:
            ElementTree.fromstring(archive.read(name))
        types = archive.read("[Content_Types].xml").decode()
    sheets = [n for n in names if n.startswith("xl/worksheets/")]
    assert len(sheets) == len(openpyxl.load_workbook(path).sheetnames)
    assert all(f'PartName="/{n}"' in types for n in sheets)


def test_the_sheets_keep_their_layout(tiny, tmp_path):
    # what gep's own SpreadsheetML writer (gep.render.workbook.StreamingBook) says, read back by openpyxl: panes
    # frozen below the header and right of the fixed columns, white-on-green headers, input and coefficient cells
    # shaded, values in #,##0.00, widths, the title and wrapped paragraphs of 说明
    wb = openpyxl.load_workbook(write_formula_workbook(tmp_path / "f.xlsx", _results(tiny)))
    calc = wb[_calc_sheets(_results(tiny))["water_conservation"]]
    assert [wb[n].freeze_panes for n in ("汇总", "输入", "系数")] == ["F2", "B2", "B2"]
    assert calc.freeze_panes == openpyxl.utils.get_column_letter(len(CALC_COLUMNS) + 1) + "2"  # K2
    header = wb["汇总"]["A1"]
    assert header.font.b and header.font.color.rgb == "FFFFFFFF" and header.fill.fgColor.rgb == "FF2E6B4F"
    assert wb["输入"]["J2"].fill.fgColor.rgb == "FFEAF1FB" and wb["系数"]["E2"].fill.fgColor.rgb == "FFFDF3E1"
    gep = wb["汇总"].cell(2, SUMMARY_COLUMNS.index("gep") + 1)
    assert gep.number_format == "#,##0.00" and gep.font.b
    assert wb["汇总"]["E2"].number_format == "0"  # the year
    assert [wb["系数"].column_dimensions[c].width for c in "AB"] == [34, 26]
    about = wb["说明"]
    assert about["A1"].font.sz == 14 and about["A1"].font.b and about.column_dimensions["A"].width == 120
    assert about["A3"].alignment.wrap_text and about["A3"].alignment.vertical == "top"


def test_excel_precedence_is_made_explicit():
    # Excel reads -a^2 as (-a)^2 and a^b^c as (a^b)^c; the trace language as Python does
    assert excel_expression("-a^2", {"a": "B2"}) == "(-(B2^2))"
    assert excel_expression("a^b^c", {"a": "B2", "b": "C2", "c": "D2"}) == "(B2^(C2^D2))"
    assert excel_expression("EXP(a)*(A/100)^b", {"a": "B2", "A": "C2", "b": "D2"}) == "EXP(B2)*(C2/100)^D2"
    with pytest.raises(ValueError):
        excel_expression("Q*p", {"Q": "B2"})


# --------------------------------------------------------------------------------------------
# LibreOffice recalculation against the engine
# --------------------------------------------------------------------------------------------

def _close(got, want) -> bool:
    return got is not None and not isinstance(got, str) and math.isclose(got, want, rel_tol=RTOL, abs_tol=ABS)


def check_against_engine(original: Path, recalculated: Path, results, lang="zh") -> int:
    """Compare every Q and V cell of every calculation sheet and every summary cell with the engine;
    returns the number of cells compared."""
    formulas = openpyxl.load_workbook(original)
    values = openpyxl.load_workbook(recalculated, data_only=True)
    key_columns = ["region_code", "year", "service", "indicator", "ecosystem"]
    services = results.services.set_index(key_columns)
    parents = set(results.summary["parent_code"])
    # a region that also has sub-regions (data at two levels) has services rows that include them;
    # its own figures are compared with the values the engine recorded in the trace
    trace = results.trace[results.trace["symbol"].isin(["Q", "V"])]
    recorded = trace.set_index(key_columns + ["symbol"])["value"]
    compared, problems, figures = 0, [], 0
    for service, sheet in _calc_sheets(results, lang).items():
        wf, wv = formulas[sheet], values[sheet]
        header = _header(wf)
        q_col, v_col = _symbol_column(header, "Q"), _symbol_column(header, "V")
        for row in range(2, wf.max_row + 1):
            key = (wf.cell(row, 1).value, wf.cell(row, 3).value, service,
                   wf.cell(row, CALC_COLUMNS.index("indicator_key") + 1).value,
                   wf.cell(row, CALC_COLUMNS.index("ecosystem_key") + 1).value)
            figures += 1
            if key[0] in parents:
                want_q, want_v, in_gep = recorded.loc[key + ("Q",)], recorded.get(key + ("V",)), True
            else:
                engine = services.loc[key]
                want_q, want_v, in_gep = engine["quantity"], engine["value_yuan"], engine["in_gep"]
            got = wv.cell(row, q_col).value
            if not _close(got, want_q):
                problems.append(f"{sheet}!{row} Q: LibreOffice {got!r}, engine {want_q!r}")
            compared += 1
            if v_col is not None and wf.cell(row, v_col).value is not None:
                got = wv.cell(row, v_col).value
                if not _close(got, want_v):
                    problems.append(f"{sheet}!{row} V: LibreOffice {got!r}, engine {want_v!r}")
                compared += 1
            else:  # no V: a physical-only indicator, outside GEP
                assert not in_gep, key
    assert figures == results.trace.groupby(key_columns).ngroups
    summary = results.summary.set_index(["region_code", "year"])
    ws = values["汇总" if lang == "zh" else "GEP"]
    assert ws.cell(1, 1).value == ("区划代码" if lang == "zh" else "Region code")
    for row in range(2, ws.max_row + 1):
        engine = summary.loc[(ws.cell(row, 1).value, ws.cell(row, 5).value)]
        for c in (*CATEGORIES, "gep"):
            got = ws.cell(row, SUMMARY_COLUMNS.index(c) + 1).value
            if not _close(got, engine[f"{c}_yuan"]):
                problems.append(f"汇总!{row} {c}: LibreOffice {got!r}, engine {engine[f'{c}_yuan']!r}")
            compared += 1
    assert ws.max_row - 1 == len(summary)
    # every formula cell carries its value, and it is the value the spreadsheet program computes
    cached = openpyxl.load_workbook(original, data_only=True)
    formula_cells = 0
    for sheet in formulas.sheetnames:
        for row in formulas[sheet].iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                formula_cells += 1
                stored, computed = cached[sheet][cell.coordinate].value, values[sheet][cell.coordinate].value
                if stored is None or not _close(stored, computed):
                    problems.append(f"{sheet}!{cell.coordinate}: cached {stored!r}, LibreOffice {computed!r}")
    assert formula_cells >= compared
    assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} mismatches)"
    return compared


@needs_libreoffice
@pytest.mark.parametrize("case", ["tiny", "exclude-oxygen", "variants", "english", "supplied"])
def test_libreoffice_recomputes_the_tiny_account(tmp_path, case):
    tables = variant_tables() if case == "variants" else supplied_tables() if case == "supplied" else tiny_tables()
    tables["regions"][2]["name"] = "=1+1"
    exclude = ("oxygen_release",) if case == "exclude-oxygen" else ()
    results = _results(write_tables(tmp_path / "inventory", tables), exclude=exclude)
    lang = "en" if case == "english" else "zh"
    path = write_formula_workbook(tmp_path / "gep_formulas.xlsx", results, lang=lang)
    assert check_against_engine(path, recalculate(path, tmp_path), results, lang) > 100
    if exclude:  # the excluded service is computed (its V is there) but not in GEP
        assert results.services[results.services.service == "oxygen_release"]["value_yuan"].gt(0).all()


@needs_libreoffice
def test_libreoffice_recomputes_the_chengkou_account(tmp_path):
    # 8655 leaf figures, ~70 000 formulas; the conversion takes a few tens of seconds
    results = _results(CHENGKOU)
    path = write_formula_workbook(tmp_path / "gep_formulas.xlsx", results)
    start = time.perf_counter()
    recalculated = recalculate(path, tmp_path)
    elapsed = time.perf_counter() - start
    assert check_against_engine(path, recalculated, results) > 10_000
    assert elapsed < 600, f"LibreOffice took {elapsed:.0f} s"


@needs_libreoffice
def test_changing_a_coefficient_in_the_workbook_moves_gep(tiny, tmp_path):
    results = _results(tiny)
    path = write_formula_workbook(tmp_path / "gep_formulas.xlsx", results)
    wb = openpyxl.load_workbook(path)
    coefs = wb["系数"]
    row = next(r for r in range(2, coefs.max_row + 1) if coefs.cell(r, 1).value == "reservoir_unit_cost")
    cell = coefs[f"{COEFFICIENT_VALUE_COLUMN}{row}"]
    assert cell.value == 7.53
    cell.value = 8.53  # +1 元/m³
    edited = tmp_path / "edited" / "gep_formulas.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    gep = openpyxl.load_workbook(recalculate(edited, tmp_path), data_only=True)["汇总"]
    got = {(gep.cell(r, 1).value, gep.cell(r, 5).value): {c: gep.cell(r, SUMMARY_COLUMNS.index(c) + 1).value
                                                          for c in (*CATEGORIES, "gep")}
           for r in range(2, gep.max_row + 1)}
    engine = results.summary.set_index(["region_code", "year"])
    # The reservoir unit cost values water retained (水源涵养) and reservoir flood storage (洪水调蓄),
    # so +1 元/m³ adds 1 元 per m³ of both (tests/test_accounting.py):
    #   甲镇 990001: water retained forest 464 800 + grassland 121 890 + reservoir 40 000 m³,
    #                flood storage 0.35 × 1 000 000 = 350 000 m³                      → 976 690 元
    #   乙乡 990002: forest 300 hm² × (1000 − 35.2 − 500) mm = 0.4648 m × 3 000 000 m² → 1 394 400 元
    #   county 990000: 976 690 + 1 394 400                                              = 2 371 090 元
    # at the 2011 prices of the register; the workbook carries them to each year with the FAI factor
    # (F_C_res = 2012–2020 FAI, CPI substituted for 2020, and × 1.0092 more for 2021 — coefficients/
    # price_indices.csv), so the move is those amounts × F. Provisioning and cultural services do not move.
    delta = {"990001": 976_690, "990002": 1_394_400, "990000": 2_371_090}
    fai = {2020: 1.011 * 1.003 * 1.005 * 0.982 * 0.994 * 1.058 * 1.054 * 1.026 * 1.0251}
    fai[2021] = fai[2020] * 1.0092
    for (region, year), cells in got.items():
        assert all(v is not None for v in cells.values())
        before = engine.loc[(region, year)]
        assert cells["gep"] - before["gep_yuan"] == pytest.approx(delta[region] * fai[year], rel=1e-9)
        assert cells["regulating"] - before["regulating_yuan"] == pytest.approx(delta[region] * fai[year], rel=1e-9)
        assert cells["provisioning"] == pytest.approx(before["provisioning_yuan"], rel=1e-12)
        assert cells["cultural"] == pytest.approx(before["cultural_yuan"], rel=1e-12)


def test_the_streaming_writer_keeps_every_text_and_number(tmp_path):
    # gep's own .xlsx writer, read back by openpyxl: texts stay texts exactly (a text that looks like Excel's
    # _xHHHH_ character escape, a formula, XML's special characters), numbers stay numbers, NaN stays empty
    from gep.render.workbook import StreamingBook
    book = StreamingBook(tmp_path / "w.xlsx", "测试")
    sheet = book.sheet("表 & <一>")
    texts = ["a_x000D_b", "=1+1", "<tag> & \"quotes\"", "  spaced  ", "甲镇"]
    for col, text in enumerate(texts, start=1):
        sheet.put(1, col, text)
    for col, number in enumerate([7, 0.1, 1e-05, 123456789012.5, float("nan"), True], start=1):
        sheet.put(2, col, number)
    sheet.formula(3, 1, "=A2*2", 14)
    sheet.formula(3, 2, "=1/0", float("inf"))
    book.close()
    ws = openpyxl.load_workbook(tmp_path / "w.xlsx")["表 & <一>"]
    assert [ws.cell(1, c).value for c in range(1, 6)] == texts
    assert ws.cell(1, 2).data_type == "s" and ws.cell(1, 2).quotePrefix
    assert [ws.cell(2, c).value for c in range(1, 7)] == [7, 0.1, 1e-05, 123456789012.5, None, "True"]
    assert ws["A3"].value == "=A2*2"
    cached = openpyxl.load_workbook(tmp_path / "w.xlsx", data_only=True)["表 & <一>"]
    assert cached["A3"].value == 14 and cached["B3"].value == "#NUM!"  # no finite value: Excel's error
