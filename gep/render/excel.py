"""The Excel workbook of a GEP account (openpyxl).

Sheets (Chinese names; English with ``lang="en"``):

* 说明 — what the workbook is: title, inventory, versions, command, unit statement, the services
  computed, skipped (with the inputs they lack) and not applicable, excluded services with reasons, notes,
  and the method of each service;
* 汇总 — GEP and its three categories by region × year (万元), with GEP per km²;
* 实物量表 — physical accounts of the headline county, one column per year;
* 价值量表 — value accounts of the headline county (万元) with category subtotals and the GEP
  total; rows not counted in GEP follow below, marked;
* 生态系统价值 — latest-year value by service × ecosystem group (万元);
* 乡镇 — townships by year with GEP, GEP per km² and rank;
* 可比价 — GEP at current and constant prices, real growth, chain-linked volume index, implicit
  deflator and method breaks, for every region and year (when ``meta["growth"]`` is given);
* 乡镇考核 — the township (village) evaluation by year: GEP, per km², per capita, GEP/GDP, real
  growth, forest coverage and wetland area with their changes, ranks (``meta["evaluation"]``);
* 变化分解 — each region's change by service from the year before, split into quantity and price
  effects (``meta["decomposition"]``);
* 系数表 — the coefficients used, with provenance; unverified rows highlighted;
* 价格指数 — the price-index table used (previous year = 100), with source and status
  (``meta["price_indices"]``).

The four comparable-price sheets appear only when their table is passed in ``meta``.

Every text cell is written as a plain string (never a formula), so inventory text such as a region
called ``=1+1`` cannot run in a spreadsheet program. The file is deterministic: fixed document
properties and fixed timestamps inside the zip archive.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from gep.catalogue import inventory_spec, label
from gep.render import WAN, AccountRow, Report, prepare, text, unit_label
from gep.render.workbook import FIXED_TIME, column_widths, deterministic_bytes, header_row, put, safe_text, to_float

__all__ = ["write_excel", "write_report_workbook", "build_workbook"]

NUMBER_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"
PERCENT_FORMAT = "0.0%"
GROWTH_FORMAT = "0.00%"
INDEX_FORMAT = "0.00"
COUNT_FORMAT = "#,##0"
SIGNED_FORMAT = "+#,##0.00;-#,##0.00;0.00"

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_SUBTOTAL_FILL = PatternFill("solid", fgColor="E6F0EA")
_TOTAL_FILL = PatternFill("solid", fgColor="C8DFD0")
_EXCLUDED_FONT = Font(italic=True, color="7F7F7F")
_UNVERIFIED_FILL = PatternFill("solid", fgColor="FDE9D9")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_excel(path: str | Path, services: pd.DataFrame, summary: pd.DataFrame,
                coefficients: pd.DataFrame, meta: dict, lang: str = "zh") -> Path:
    """Write the GEP workbook to ``path`` and return the path."""
    return write_report_workbook(path, prepare(services, summary, coefficients, meta, lang))


def write_report_workbook(path: str | Path, report: Report) -> Path:
    """Write the GEP workbook of a prepared report (one :func:`gep.render.prepare` serves the HTML report too)."""
    path = Path(path)
    path.write_bytes(deterministic_bytes(build_workbook(report)))
    return path


def build_workbook(report: Report) -> Workbook:
    """The workbook of a prepared report, sheets in reading order."""
    wb = Workbook()
    wb.remove(wb.active)
    sheets = [_about_sheet, _summary_sheet, _physical_sheet, _value_sheet, _ecosystem_sheet, _township_sheet]
    if report.growth_all is not None:
        sheets.append(_growth_sheet)
    if report.evaluation is not None:
        sheets.append(_evaluation_sheet)
    if report.decomposition_all is not None:
        sheets.append(_decomposition_sheet)
    if report.meta.get("parcels") is not None:
        sheets.append(_parcel_sheet)
    sheets.append(_coefficient_sheet)
    if report.price_indices is not None:
        sheets.append(_price_index_sheet)
    for sheet in sheets:
        sheet(wb, report)
    props = wb.properties
    props.creator = props.lastModifiedBy = "gep"
    props.title = safe_text(report.title)
    props.created = props.modified = FIXED_TIME
    return wb


# --------------------------------------------------------------------------------------------
# cell writing
# --------------------------------------------------------------------------------------------

def _wan(yuan: float | None) -> float | None:
    return None if yuan is None else yuan / WAN


def _title(ws: Worksheet, title: str, subtitle: str = "") -> int:
    """Title (and unit line) at the top of a sheet; returns the header row number."""
    put(ws, 1, 1, title).font = _TITLE_FONT
    if subtitle:
        put(ws, 2, 1, subtitle)
    return 4 if subtitle else 3


def _style_row(ws: Worksheet, row: int, ncols: int, font=None, fill=None) -> None:
    for col in range(1, ncols + 1):
        cell = ws.cell(row=row, column=col)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        cell.border = _BORDER


# --------------------------------------------------------------------------------------------
# sheets
# --------------------------------------------------------------------------------------------

def _about_sheet(wb: Workbook, r: Report) -> None:
    """说明: what this workbook is, how it was made, its units, what is left out of GEP, and why."""
    lang, meta = r.lang, r.meta
    ws = wb.create_sheet(text("sheet_about", lang))
    put(ws, 1, 1, r.title).font = _TITLE_FONT
    facts = [
        ("county", f"{r.county_name} ({r.county_code})"),
        ("years", "、".join(str(y) for y in r.years) if lang == "zh" else ", ".join(str(y) for y in r.years)),
        ("inventory", meta.get("inventory", "")),
        ("gep_version", meta.get("gep_version", "")),
        ("format_version", meta.get("format_version", "")),
        ("command", meta.get("command", "")),
    ]
    if r.base_year is not None:
        facts.append(("base_year", r.base_year))
    row = 3
    for key, value in facts:
        put(ws, row, 1, text(key, lang)).font = _BOLD
        put(ws, row, 2, "" if value is None else str(value))
        row += 1
    row += 1
    put(ws, row, 1, text("unit_statement", lang)).font = _BOLD
    row += 1
    if meta.get("unit_note"):
        put(ws, row, 1, text("unit_note", lang)).font = _BOLD
        put(ws, row, 2, str(meta["unit_note"]))
        row += 1
    row = _about_method(ws, row + 1, r)
    row = _about_status(ws, row + 1, r)
    row = _about_excluded(ws, row + 1, r)
    row = _about_notes(ws, row + 1, r)
    row = _about_methods(ws, row + 1, r)
    column_widths(ws, [22, 40, 40, 60, 60])
    for line in ws.iter_rows(min_row=3, max_row=row):
        for cell in line:
            cell.alignment = _WRAP


def _about_method(ws: Worksheet, row: int, r: Report) -> int:
    """核算方案: the method profile, what differs from the default, and each choice with its evidence."""
    if r.method is None:
        return row - 1
    put(ws, row, 1, text("method_profile", r.lang)).font = _BOLD
    for line in r.method["lines"]:
        row += 1
        put(ws, row, 1, line)
    row += 1
    header_row(ws, row, ["", text("method_choice", r.lang), text("method_option", r.lang),
                      text("method_evidence_status", r.lang), text("source", r.lang)])
    for m in r.method["rows"]:
        row += 1
        for col, value in enumerate(("≠" if m["differs"] else "", m["label"], m["option_label"], m["status_label"],
                                     m["source"]), start=1):
            put(ws, row, col, value)
        if m["differs"]:
            _style_row(ws, row, 5, fill=_UNVERIFIED_FILL)
    return row + 1


def _about_status(ws: Worksheet, row: int, r: Report) -> int:
    """核算范围: each service computed, skipped or not applicable, with what it lacks."""
    if r.status is None:
        return row - 1
    put(ws, row, 1, text("scope", r.lang)).font = _BOLD
    row += 1
    header_row(ws, row, [text("service", r.lang), text("scope_status", r.lang), text("scope_detail", r.lang)])
    for s in r.status:
        row += 1
        put(ws, row, 1, s["service"]), put(ws, row, 2, s["status"]), put(ws, row, 3, s["detail"])
        if s["status_key"] == "skipped":
            _style_row(ws, row, 3, fill=_UNVERIFIED_FILL)
    return row + 1


def _about_excluded(ws: Worksheet, row: int, r: Report) -> int:
    put(ws, row, 1, text("excluded", r.lang)).font = _BOLD
    row += 1
    if not r.excluded:
        put(ws, row, 1, text("none", r.lang))
        return row + 1
    header_row(ws, row, [text("service", r.lang), text("indicator", r.lang), text("reason", r.lang)])
    for e in r.excluded:
        row += 1
        put(ws, row, 1, e["service"]), put(ws, row, 2, e["indicator"]), put(ws, row, 3, e["reason"])
    return row + 1


def _about_notes(ws: Worksheet, row: int, r: Report) -> int:
    put(ws, row, 1, text("notes", r.lang)).font = _BOLD
    row += 1
    if not r.notes:
        put(ws, row, 1, text("none", r.lang))
        return row + 1
    for number, note in enumerate(r.notes, start=1):
        put(ws, row, 1, number)
        put(ws, row, 2, note)
        row += 1
    return row


def _about_methods(ws: Worksheet, row: int, r: Report) -> int:
    put(ws, row, 1, text("methods", r.lang)).font = _BOLD
    row += 1
    header_row(ws, row, [text(k, r.lang) for k in ("category", "service", "method", "formula", "reference")])
    for m in r.methods:
        row += 1
        for col, key in enumerate(("category", "service", "method", "formula", "reference"), start=1):
            put(ws, row, col, m[key])
    return row + 1


def _summary_sheet(wb: Workbook, r: Report) -> None:
    """汇总: GEP and its categories for every region and year (万元), land area and GEP per km²."""
    lang = r.lang
    ws = wb.create_sheet(text("sheet_summary", lang))
    head = _title(ws, text("sheet_summary", lang), text("unit_statement", lang))
    columns = ["region_code", "region_name", "region_level", "parent_code", "year"]
    labels = [text(c, lang) for c in columns] + [
        label("category", c, lang) for c in ("provisioning", "regulating", "cultural")] + [
        text("gep", lang), text("land_area", lang), text("gep_per_km2", lang)]
    header_row(ws, head, labels)
    row = head
    for s in r.summary:
        row += 1
        for col, key in enumerate(columns, start=1):
            put(ws, row, col, s[key], INTEGER_FORMAT)
        for col, key in enumerate(("provisioning", "regulating", "cultural", "gep"), start=6):
            put(ws, row, col, _wan(s[key]), NUMBER_FORMAT)
        put(ws, row, 10, s["land_area_km2"], NUMBER_FORMAT)
        put(ws, row, 11, _wan(s["gep_per_km2"]), NUMBER_FORMAT)
    ws.freeze_panes = ws.cell(row=head + 1, column=3)
    column_widths(ws, [14, 16, 8, 14, 8, 14, 14, 14, 16, 14, 16])


def _account_header(r: Report, with_unit: bool, with_note: bool) -> list[str]:
    lang = r.lang
    labels = [text(k, lang) for k in ("category", "service", "indicator", "ecosystem")]
    if with_unit:
        labels.append(text("unit", lang))
    labels += [str(y) for y in r.years]
    if with_note:
        labels.append(text("note", lang))
    return labels


def _account_row(ws: Worksheet, row: int, a: AccountRow, r: Report, with_unit: bool, scale: float) -> int:
    """Write one account row; returns the column after the year columns."""
    for col, value in enumerate((a.category, a.service, a.indicator, a.ecosystem), start=1):
        put(ws, row, col, value)
    col = 5
    if with_unit:
        put(ws, row, col, a.unit)
        col += 1
    for year in r.years:
        value = a.values.get(year)
        put(ws, row, col, None if value is None else value / scale, NUMBER_FORMAT)
        col += 1
    return col


def _physical_sheet(wb: Workbook, r: Report) -> None:
    """实物量表: the county's physical quantities by service, indicator and ecosystem, per year."""
    ws = wb.create_sheet(text("sheet_physical", r.lang))
    head = _title(ws, f"{r.county_name} {text('physical_accounts', r.lang)}")
    header_row(ws, head, _account_header(r, with_unit=True, with_note=False))
    row = head
    for a in r.physical:
        row += 1
        _account_row(ws, row, a, r, with_unit=True, scale=1.0)
    ws.freeze_panes = ws.cell(row=head + 1, column=6)
    column_widths(ws, [12, 18, 24, 14, 10] + [18] * len(r.years))


def _value_sheet(wb: Workbook, r: Report) -> None:
    """价值量表: the county's values (万元) with category subtotals and the GEP total (in-GEP rows
    only); rows computed for information but not counted in GEP follow below, marked, with reason."""
    lang = r.lang
    ws = wb.create_sheet(text("sheet_value", lang))
    head = _title(ws, f"{r.county_name} {text('value_accounts', lang)}", text("unit_statement", lang))
    ncols = 4 + len(r.years) + 1
    header_row(ws, head, _account_header(r, with_unit=False, with_note=True))
    row = head
    in_excluded = False
    for a in r.value:
        row += 1
        if a.kind == "excluded" and not in_excluded:
            in_excluded = True
            row += 1
            put(ws, row, 1, text("excluded_rows", lang)).font = _BOLD
            row += 1
        col = _account_row(ws, row, a, r, with_unit=False, scale=WAN)
        if a.kind == "excluded":
            put(ws, row, col, f"[{text('excluded_mark', lang)}] {a.note}".strip())
            _style_row(ws, row, ncols, font=_EXCLUDED_FONT)
        elif a.kind == "subtotal":
            _style_row(ws, row, ncols, font=_BOLD, fill=_SUBTOTAL_FILL)
        elif a.kind == "total":
            _style_row(ws, row, ncols, font=_BOLD, fill=_TOTAL_FILL)
    ws.freeze_panes = ws.cell(row=head + 1, column=5)
    column_widths(ws, [12, 18, 24, 14] + [18] * len(r.years) + [50])


def _ecosystem_sheet(wb: Workbook, r: Report) -> None:
    """生态系统价值: latest-year in-GEP value of each service split by ecosystem group (万元)."""
    lang, m = r.lang, r.group_matrix
    ws = wb.create_sheet(text("sheet_ecosystem", lang))
    title = f"{r.county_name} {m['year'] or ''} {text('by_group', lang)}"
    head = _title(ws, title, text("unit_statement", lang))
    header_row(ws, head, [text("category", lang), text("service", lang), *m["groups"], text("total", lang)])
    row = head
    for line in m["rows"]:
        row += 1
        put(ws, row, 1, line["category"]), put(ws, row, 2, line["service"])
        for col, value in enumerate([*line["values"], line["total"]], start=3):
            put(ws, row, col, _wan(value), NUMBER_FORMAT)
    row += 1
    put(ws, row, 1, text("total", lang))
    for col, value in enumerate([*m["totals"], m["total"]], start=3):
        put(ws, row, col, _wan(value), NUMBER_FORMAT)
    _style_row(ws, row, len(m["groups"]) + 3, font=_BOLD, fill=_TOTAL_FILL)
    ws.freeze_panes = ws.cell(row=head + 1, column=3)
    column_widths(ws, [12, 18] + [14] * (len(m["groups"]) + 1))


def _township_sheet(wb: Workbook, r: Report) -> None:
    """乡镇: each township and year — categories, GEP (万元), GEP per km² and ranks within the year."""
    lang = r.lang
    ws = wb.create_sheet(text("sheet_townships", lang))
    head = _title(ws, f"{r.county_name} {text('townships', lang)}", text("unit_statement", lang))
    labels = [text("year", lang), text("region_code", lang), text("township", lang),
              *(label("category", c, lang) for c in ("provisioning", "regulating", "cultural")),
              text("gep", lang), text("land_area", lang), text("gep_per_km2", lang),
              text("rank", lang), text("rank_per_km2", lang)]
    header_row(ws, head, labels)
    row = head
    for t in r.townships:
        row += 1
        put(ws, row, 1, t["year"], INTEGER_FORMAT)
        put(ws, row, 2, t["region_code"]), put(ws, row, 3, t["region_name"])
        for col, key in enumerate(("provisioning", "regulating", "cultural", "gep"), start=4):
            put(ws, row, col, _wan(t[key]), NUMBER_FORMAT)
        put(ws, row, 8, t["land_area_km2"], NUMBER_FORMAT)
        put(ws, row, 9, _wan(t["gep_per_km2"]), NUMBER_FORMAT)
        put(ws, row, 10, t["rank"], INTEGER_FORMAT)
        put(ws, row, 11, t["rank_per_km2"], INTEGER_FORMAT)
    ws.freeze_panes = ws.cell(row=head + 1, column=4)
    column_widths(ws, [8, 14, 16, 14, 14, 14, 16, 14, 18, 10, 10])


#: parcels shown one per row in the workbook at most; more are in gep_parcels.csv only (a sheet of 10⁶ rows
#: would take minutes to write and is near Excel's 1 048 576-row limit)
PARCEL_SHEET_LIMIT = 20_000


def _parcel_sheet(wb: Workbook, r: Report) -> None:
    """小班: each parcel and year — its region figure, area, and per indicator its quantity and value (万元)."""
    lang = r.lang
    parcels = r.meta["parcels"]
    ws = wb.create_sheet(text("parcels.sheet", lang))
    n = len(parcels.figures.parcels)
    if n > PARCEL_SHEET_LIMIT:
        _title(ws, text("parcels.title", lang), text("parcels.too_many", lang).format(n=n, limit=PARCEL_SHEET_LIMIT))
        return
    head = _title(ws, text("parcels.title", lang), text("parcels.unit", lang))
    frame = parcels.frame()
    origins = {k: v["zh"] if lang == "zh" else k for k, v in inventory_spec()["vocabularies"]["origin"].items()}
    labels = [text("parcels.parcel", lang), text("region_code", lang), text("parcels.figure_region", lang),
              text("year", lang), text("ecosystem", lang), text("parcels.origin", lang), text("parcels.area", lang)]
    figures, value_word = [], text("parcels.value", lang)
    for service, indicator in parcels.indicators:
        name = label("indicator", f"{service}/{indicator}", lang)
        labels += [f"{name} [{unit_label(parcels.units[(service, indicator)], lang)}]", f"{name} {value_word}"]
        figures.append((f"{indicator} [{parcels.units[(service, indicator)]}]", f"{indicator} value [yuan]"))
    header_row(ws, head, labels)
    columns = {c: frame[c].to_numpy() for c in frame.columns}
    for k in range(n):
        row = head + 1 + k
        put(ws, row, 1, columns["parcel_id"][k]), put(ws, row, 2, columns["region_code"][k])
        put(ws, row, 3, columns["figure_region_code"][k]), put(ws, row, 4, int(columns["year"][k]), INTEGER_FORMAT)
        put(ws, row, 5, label("ecosystem", columns["ecosystem"][k], lang))
        put(ws, row, 6, origins.get(columns["origin"][k], columns["origin"][k]))
        put(ws, row, 7, to_float(columns["area [hm2]"][k]), NUMBER_FORMAT)
        for j, (quantity, value) in enumerate(figures):
            put(ws, row, 8 + 2 * j, to_float(columns[quantity][k]), NUMBER_FORMAT)
            put(ws, row, 9 + 2 * j, _wan(to_float(columns[value][k])), NUMBER_FORMAT)
    ws.freeze_panes = ws.cell(row=head + 1, column=2)
    column_widths(ws, [14, 12, 12, 8, 10, 8, 12, *([16, 14] * len(figures))])


def _coefficient_sheet(wb: Workbook, r: Report) -> None:
    """系数表: every coefficient used, with value, unit, price year, source, clause and status."""
    lang = r.lang
    ws = wb.create_sheet(text("sheet_coefficients", lang))
    head = _title(ws, text("coefficients", lang), text("unverified_legend", lang))
    keys = ["key", "ecosystem", "region", "value", "unit", "price_year", "source", "clause", "status", "note"]
    labels = [text("coef_key", lang), text("ecosystem", lang), text("coef_region", lang), text("coef_value", lang),
              text("unit", lang), text("price_year", lang), text("source", lang), text("clause", lang),
              text("status", lang), text("note", lang)]
    header_row(ws, head, labels)
    row = head
    for c in r.coefficients:
        row += 1
        for col, key in enumerate(keys, start=1):
            fmt = INTEGER_FORMAT if key == "price_year" else ("General" if key == "value" else None)
            put(ws, row, col, c[key], fmt)
        if c["unverified"]:
            _style_row(ws, row, len(keys), fill=_UNVERIFIED_FILL)
            ws.cell(row=row, column=9).font = Font(bold=True, color="C00000")
    ws.freeze_panes = ws.cell(row=head + 1, column=2)
    column_widths(ws, [30, 12, 12, 14, 14, 10, 50, 24, 12, 40])


def _table(ws: Worksheet, head: int, columns: list[tuple[str, str, str | None, float]], rows: list[dict],
           widths: list[float], freeze_col: int) -> int:
    """Header and rows of a flat sheet. ``columns``: (heading, row key, number format or None for
    text, scale dividing numbers). Returns the last row written."""
    header_row(ws, head, [c[0] for c in columns])
    row = head
    for item in rows:
        row += 1
        for col, (_, key, fmt, scale) in enumerate(columns, start=1):
            value = item[key]
            if fmt is not None and isinstance(value, float):
                value = value / scale
            put(ws, row, col, value, fmt)
    ws.freeze_panes = ws.cell(row=head + 1, column=freeze_col)
    column_widths(ws, widths)
    return row


def _growth_sheet(wb: Workbook, r: Report) -> None:
    """可比价: every region and year — GEP at current and constant prices (万元), real growth, chain-linked
    volume index (first year = 100), chain-linked growth, implicit deflator, method break and its note."""
    lang = r.lang
    ws = wb.create_sheet(text("sheet_growth", lang))
    method = text("growth_method", lang).format(base=r.base_year if r.base_year is not None else "")
    head = _title(ws, text("comparable", lang), text("unit_statement", lang) + ("；" if lang == "zh" else "; ") + method)
    yes, no = text("yes", lang), text("no", lang)
    rows = [{**g, "break": yes if g["method_break"] else no} for g in r.growth_all]
    columns = [(text("region_code", lang), "region_code", None, 1), (text("region_name", lang), "region_name", None, 1),
               (text("region_level", lang), "region_level", None, 1), (text("year", lang), "year", INTEGER_FORMAT, 1),
               (text("gep_current_wan", lang), "gep_current", NUMBER_FORMAT, WAN),
               (text("gep_constant_wan", lang), "gep_constant", NUMBER_FORMAT, WAN),
               (text("base_year", lang), "base_year", INTEGER_FORMAT, 1),
               (text("real_growth", lang), "real_growth", GROWTH_FORMAT, 1),
               (text("chain_index", lang), "chain_index", INDEX_FORMAT, 1),
               (text("chain_growth", lang), "chain_growth", GROWTH_FORMAT, 1),
               (text("deflator", lang), "deflator", INDEX_FORMAT, 1),
               (text("method_break", lang), "break", None, 1), (text("note", lang), "break_note", None, 1)]
    last = _table(ws, head, columns, rows, [14, 16, 8, 8, 18, 18, 8, 12, 16, 12, 12, 10, 50], 5)
    for row, g in zip(range(head + 1, last + 1), rows):
        if g["method_break"]:
            _style_row(ws, row, len(columns), fill=_UNVERIFIED_FILL)


def _evaluation_sheet(wb: Workbook, r: Report) -> None:
    """乡镇考核: each township (village) and year — GEP, per km², per capita, GDP and GEP/GDP, real
    growth, forest coverage and wetland area with their change from the year before, ranks."""
    lang = r.lang
    ws = wb.create_sheet(text("sheet_evaluation", lang))
    head = _title(ws, f"{r.county_name} {text('evaluation', lang)}", text("unit_statement", lang))
    columns = [(text("year", lang), "year", INTEGER_FORMAT, 1), (text("region_code", lang), "region_code", None, 1),
               (text("region_name", lang), "region_name", None, 1), (text("region_level", lang), "region_level", None, 1),
               (text("parent_code", lang), "parent_code", None, 1),
               (text("gep_wan", lang), "gep", NUMBER_FORMAT, WAN), (text("gep_per_km2", lang), "gep_per_km2", NUMBER_FORMAT, WAN),
               (text("population", lang), "population", COUNT_FORMAT, 1),
               (text("gep_per_capita", lang), "gep_per_capita", NUMBER_FORMAT, WAN),
               (text("gdp", lang), "gdp", NUMBER_FORMAT, WAN), (text("gep_gdp_ratio", lang), "gep_gdp_ratio", NUMBER_FORMAT, 1),
               (text("real_growth", lang), "real_growth", GROWTH_FORMAT, 1),
               (text("forest_coverage", lang), "forest_coverage", NUMBER_FORMAT, 1),
               (text("forest_coverage_change", lang), "forest_coverage_change", SIGNED_FORMAT, 1),
               (text("wetland_area", lang), "wetland_area", NUMBER_FORMAT, 1),
               (text("wetland_area_change", lang), "wetland_area_change", SIGNED_FORMAT, 1),
               (text("rank", lang), "rank_gep", INTEGER_FORMAT, 1), (text("rank_growth", lang), "rank_growth", INTEGER_FORMAT, 1)]
    _table(ws, head, columns, r.evaluation, [8, 14, 14, 8, 14, 16, 16, 12, 16, 14, 10, 12, 12, 14, 14, 14, 8, 8], 4)


def _decomposition_sheet(wb: Workbook, r: Report) -> None:
    """变化分解: each region, year and service — value the year before and this year, the change, and
    its quantity and price effects (万元; quantity effect + price effect = change)."""
    lang = r.lang
    ws = wb.create_sheet(text("sheet_decomposition", lang))
    head = _title(ws, text("decomposition", lang), text("decomposition_intro", lang))
    columns = [(text("region_code", lang), "region_code", None, 1), (text("region_name", lang), "region_name", None, 1),
               (text("region_level", lang), "region_level", None, 1), (text("year", lang), "year", INTEGER_FORMAT, 1),
               (text("category", lang), "category", None, 1), (text("service", lang), "service", None, 1),
               (text("value_prev", lang), "value_prev", NUMBER_FORMAT, WAN), (text("value_now", lang), "value", NUMBER_FORMAT, WAN),
               (text("change", lang), "change", NUMBER_FORMAT, WAN),
               (text("quantity_effect", lang), "quantity_effect", NUMBER_FORMAT, WAN),
               (text("price_effect", lang), "price_effect", NUMBER_FORMAT, WAN)]
    _table(ws, head, columns, r.decomposition_all, [14, 16, 8, 8, 12, 18, 16, 16, 16, 16, 16], 5)


def _price_index_sheet(wb: Workbook, r: Report) -> None:
    """价格指数: the price-index rows used (previous year = 100), with source and status."""
    lang = r.lang
    ws = wb.create_sheet(text("sheet_price_indices", lang))
    head = _title(ws, text("price_indices", lang), text("unverified_legend", lang))
    columns = [(text("index", lang), "index", None, 1), (text("year", lang), "year", INTEGER_FORMAT, 1),
               (text("index_value", lang), "value", INDEX_FORMAT, 1), (text("source", lang), "source", None, 1),
               (text("status", lang), "status", None, 1)]
    last = _table(ws, head, columns, r.price_indices, [16, 8, 16, 70, 12], 2)
    for row, p in zip(range(head + 1, last + 1), r.price_indices):
        if p["unverified"]:
            _style_row(ws, row, len(columns), fill=_UNVERIFIED_FILL)
            ws.cell(row=row, column=5).font = Font(bold=True, color="C00000")
