"""The formula workbook: every quantity and value of a GEP account as a live Excel formula.

An auditor who does not trust gep's code can open ``gep_formulas.xlsx``, change an inventory cell or
a coefficient, and watch every figure up to GEP recompute in the spreadsheet program. The workbook is
built from the trace of the account (:mod:`gep.trace`), never from the engine's results, except for
labels; tests recompute it in LibreOffice and compare every cell with the engine.

Sheets (Chinese names; English with ``lang="en"``):

* 说明 / About — what the workbook is and how its sheets refer to each other;
* 汇总 / GEP — one row per region × year (every level: townships, any intermediate level, county):
  物质产品, 调节服务, 文化服务 and GEP in 元, all formulas. A category cell is, for each calculation
  sheet of that category, ``SUMIFS`` of its V column over the rows of this region and year that are
  counted in GEP (column 计入GEP = 是), plus the same cell of each child region's row (so a parent sums
  its descendants, and a region that has figures of its own — data given at county level — counts
  them too). GEP is the sum of the three category cells. Services left out of GEP (``--exclude``)
  and physical-only indicators (no V) are marked 否 and do not count;
* 输入 / Inputs — one row per distinct inventory cell used (table, file, row, column): the region
  that uses it (the lowest region containing every figure that uses the cell, which is the cell's own
  region whenever an inherited value such as county precipitation feeds several townships), year,
  ecosystem(s), symbol(s), value in the canonical unit, unit, source, status and number of figures;
* 系数 / Coefficients — one row per distinct register row used: label (``key[ecosystem/region]``), key,
  ecosystem, region, value in the canonical unit, unit, price year, source, clause, status, register
  file and number of figures;
* one calculation sheet per service (the service's label, at most 31 characters), one row per leaf
  figure (region × year × indicator × ecosystem).

Layout of a calculation sheet: fixed columns (region code, region name, year, indicator, ecosystem,
their codes, 计入GEP, unit of Q, the row's formulas as text), then **one column per symbol in the
union of the symbols of the service's figures**, inputs and coefficients first, then the steps, with
Q and V last. The union was chosen over one block per formula variant (register or inventory runoff
coefficient, RUSLE factors or erosion moduli, number of reservoirs, supplied quantities…) because
then Q and V sit in the same two columns for every row of a sheet: the summary's ``SUMIFS`` needs one
range per sheet, and a reader can sort and filter the sheet as one table. The price of it is that a
row leaves blank the symbols its variant does not use, and that a column may hold an input on one
row and a step on another (e.g. ``A_p``: an erosion modulus from the inventory, or R·K·LS); the
row's own formula text (column 公式) says which. Each cell is:

* input symbol → ``='输入'!$J$n`` (the value cell of its row on 输入);
* coefficient symbol → ``='系数'!$E$n``;
* step → its trace expression with every symbol replaced by the cell of the same row
  (:func:`gep.trace.to_excel`), e.g. ``=MAX(K5-N5-M5,0)*O5*10``. The only numbers in formulas are
  the unit factors and constants of the expressions (10 m³ per mm·hm², 44/12 …).

Two quirks of traces are handled here: parts that a figure does not have (the second reservoir of a
township that has one) are recorded as zero inputs without an inventory cell, and stay blank (a
blank cell is 0 in a formula); a coefficient recorded as 0 for such a missing part under a register
row whose value is not 0 is left blank likewise. Excel evaluates ``-a^2`` as (−a)² and ``a^b^c`` as
(a^b)^c, unlike the trace language, so an expression with such a shape is written fully
parenthesised.

The workbook is written row by row (:class:`gep.render.workbook.StreamingBook`). Every formula is stored
with its value — the engine's figure, which is what the formula computes from the workbook's own cells — so
a viewer that does not recalculate shows the figures, while the file asks the spreadsheet program to
recalculate on opening; the summary's cached values are computed here the way its formulas compute them.
Text cells are never a formula (a region called ``=1+1`` stays text), and the bytes are deterministic (fixed
document and zip times).
"""
from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from gep.catalogue import label, services_spec
from gep.coefficients import CANONICAL_UNITS, coefficient_label, key_label
from gep.render import level_label, method_lines, records, text, unit_label
from gep.render.workbook import StreamingBook, StreamingSheet
from gep.render.excel_expression import excel_expression
from gep.trace import FIGURE_KEY, symbols_of
from gep.units import convert_text

__all__ = ["write_formula_workbook", "sheet_names", "excel_expression", "CALC_COLUMNS",
           "SUMMARY_COLUMNS", "INPUT_VALUE_COLUMN", "COEFFICIENT_VALUE_COLUMN"]

# cell styles (property pairs, see gep.render.workbook.StreamingBook)
_NUMBER = ("num_format", "#,##0.00")
_INPUT_FILL = ("bg_color", "EAF1FB")
_COEF_FILL = ("bg_color", "FDF3E1")
_YEAR = (("num_format", "0"),)
_TITLE = (("bold", True), ("font_size", 14))
_WRAP = (("text_wrap", True), ("valign", "top"))

# The words are phrases of gep/data/phrases.yaml (formulas.* keys, column heads by the column's key); what stays
# here is the columns of each sheet, in order, and the paragraphs of the About sheet.

#: paragraphs of the About sheet (formulas.about.<key>), in order; a note on pasted capacities follows if needed
ABOUT_LINES = ("formulas", "recompute", "calc_sheets", "summary", "units")

#: fixed columns of a calculation sheet (symbol columns follow)
CALC_COLUMNS = ["region_code", "region_name", "year", "indicator", "ecosystem", "indicator_key", "ecosystem_key",
                "in_gep", "q_unit", "formula"]
SUMMARY_COLUMNS = ["region_code", "region_name", "region_level", "parent_code", "year", "provisioning",
                   "regulating", "cultural", "gep"]
INPUT_COLUMNS = ["table", "file", "row", "column", "used_by", "used_by_name", "year", "ecosystem", "symbol", "value",
                 "unit", "source", "status", "figures"]
COEFFICIENT_COLUMNS = ["coef_label", "coef_key", "ecosystem", "coef_region", "value", "unit", "price_year",
                       "source", "clause", "status", "register", "coef_name", "value_written", "unit_written",
                       "figures", "note"]
INPUT_VALUE_COLUMN = get_column_letter(INPUT_COLUMNS.index("value") + 1)  # "J"
COEFFICIENT_VALUE_COLUMN = get_column_letter(COEFFICIENT_COLUMNS.index("value") + 1)  # "E"
CATEGORIES = ("provisioning", "regulating", "cultural")
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _t(key: str, lang: str) -> str:
    """A phrase of the formula workbook: the formulas.* keys of gep/data/phrases.yaml."""
    return text(f"formulas.{key}", lang)


# --------------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------------

def write_formula_workbook(path: str | Path, results, lang: str = "zh") -> Path:
    """Write the formula workbook of ``results`` (:class:`gep.accounting.Results`) to ``path``.

    Every formula is stored with its value (the engine's figure, which is what the formula computes from
    the workbook's own input and coefficient cells), so a viewer that does not recalculate shows it, and
    the file asks the spreadsheet program to recalculate everything on opening.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {lang!r}")
    path = Path(path)
    model = _Model.from_results(results, lang)
    book = StreamingBook(path, _t("title", lang))
    # sheets in reading order; each is then written top to bottom (the streaming writer's rule)
    about = book.sheet(_t("sheet_about", lang))
    summary = book.sheet(_t("sheet_summary", lang))
    inputs = book.sheet(_t("sheet_inputs", lang))
    coefficients = book.sheet(_t("sheet_coefficients", lang))
    calc = {service: book.sheet(model.sheets[service]) for service in model.by_service}
    _inputs_sheet(inputs, model)
    _coefficient_sheet(coefficients, model)
    ranges = {service: _calc_sheet(calc[service], service, figures, model)
              for service, figures in model.by_service.items()}
    _summary_sheet(summary, model, ranges)
    _about_sheet(about, model)
    book.close()  # writes the file
    return path


def sheet_names(services, lang: str = "zh") -> dict[str, str]:
    """Calculation sheet name of each service key (its label, made a valid, unique Excel sheet name)."""
    taken = {_t(k, lang) for k in ("sheet_about", "sheet_summary", "sheet_inputs", "sheet_coefficients")}
    names = {}
    for service in services:
        base = _INVALID_SHEET_CHARS.sub("_", label("service", service, lang)).strip("'").strip() or "service"
        name, n = base[:31], 1
        while name.casefold() in {t.casefold() for t in taken}:
            n += 1
            name = f"{base[:31 - len(str(n)) - 1]}_{n}"
        taken.add(name)
        names[service] = name
    return names


# --------------------------------------------------------------------------------------------
# the model: figures, distinct input cells and register rows
# --------------------------------------------------------------------------------------------

@dataclass
class _Symbol:
    name: str
    role: str
    expr: str
    value: float
    unit: str
    ref: tuple | None = None  # key of the 输入 / 系数 row; None for steps and for blank padding


@dataclass
class _Figure:
    key: tuple  # region_code, year, service, indicator, ecosystem
    symbols: list[_Symbol] = field(default_factory=list)


@dataclass
class _Model:
    lang: str
    figures: list[_Figure]
    by_service: dict[str, list[_Figure]]
    sheets: dict[str, str]
    inputs: dict[tuple, dict]  # ordered: key → row info (with "row" on the 输入 sheet)
    coefficients: dict[tuple, dict]
    names: dict[str, str]
    parents: dict[str, str]
    levels: dict[str, str]
    in_gep: dict[tuple, bool]
    category: dict[str, str]
    summary: pd.DataFrame
    method: object = None  # the method profile the figures were computed with

    @classmethod
    def from_results(cls, results, lang: str) -> _Model:
        trace = results.trace
        services, summary = results.services, results.summary
        names = dict(zip(services["region_code"], services["region_name"])) if len(services) else {}
        if len(summary):
            names.update(zip(summary["region_code"], summary["region_name"]))
        parents = dict(zip(summary["region_code"], summary["parent_code"].fillna(""))) if len(summary) else {}
        levels = dict(zip(summary["region_code"], summary["region_level"])) if len(summary) else {}
        if len(services):
            levels = {**dict(zip(services["region_code"], services["region_level"])), **levels}
        in_gep = {}
        if len(services):
            for (s, i), flags in services.groupby(["service", "indicator"])["in_gep"]:
                in_gep[(s, i)] = bool(flags.all())
        catalogue = services_spec()["services"]
        figures = _figures(trace)
        register = _register_rows(results)
        _blank_padding(figures, register)
        order = {s: n for n, s in enumerate(catalogue)}
        present = sorted({f.key[2] for f in figures}, key=lambda s: (order.get(s, len(order)), s))
        by_service = {s: [] for s in present}
        for f in figures:
            by_service[f.key[2]].append(f)
        inputs, coefficients = _distinct_rows(figures, trace, register, parents, names)
        return cls(lang=lang, figures=figures, by_service=by_service, sheets=sheet_names(present, lang),
                   inputs=inputs, coefficients=coefficients, names=names, parents=parents, levels=levels,
                   in_gep=in_gep, category={s: catalogue.get(s, {}).get("category", "") for s in present},
                   summary=summary, method=getattr(results, "method", None))


def _figures(trace: pd.DataFrame) -> list[_Figure]:
    """Leaf figures in trace order; a new figure starts when the key changes or a symbol repeats."""
    if trace is None or not len(trace):
        return []
    cols = {c: trace[c].to_numpy() for c in FIGURE_KEY + ["symbol", "role", "expr", "value", "unit"]}
    extra = {c: (trace[c].to_numpy() if c in trace.columns else np.full(len(trace), np.nan))
             for c in ("table", "file", "row", "column", "coefficient", "register")}
    out: list[_Figure] = []
    current, seen = None, set()
    for i in range(len(trace)):
        key = (str(cols["region_code"][i]), int(cols["year"][i]), str(cols["service"][i]),
               str(cols["indicator"][i]), str(cols["ecosystem"][i]))
        symbol = str(cols["symbol"][i])
        if current is None or key != current.key or symbol in seen:
            current, seen = _Figure(key), set()
            out.append(current)
        seen.add(symbol)
        role = str(cols["role"][i])
        expr = cols["expr"][i]
        sym = _Symbol(symbol, role, "" if not isinstance(expr, str) else expr, float(cols["value"][i]),
                      _text(cols["unit"][i]))
        if role == "input":
            file = _text(extra["file"][i])
            if file or sym.value != 0:
                row = extra["row"][i]
                row = None if row is None or (isinstance(row, float) and math.isnan(row)) else int(row)
                sym.ref = ("input", _text(extra["table"][i]), file, row, _text(extra["column"][i]))
                if not file:  # a value without an inventory cell: one row of its own
                    sym.ref += (key, symbol)
                sym.ref += (sym.value,)
        elif role == "coefficient":
            sym.ref = ("coefficient", _text(extra["coefficient"][i]), _text(extra["register"][i]), sym.value)
        current.symbols.append(sym)
    return out


def _blank_padding(figures: list[_Figure], register: dict[tuple[str, str], dict]) -> None:
    """A coefficient recorded as 0 under a register row whose value is not 0 stands for a part the
    figure lacks (e.g. the price of a second hydropower station): it stays blank."""
    values = defaultdict(set)
    for f in figures:
        for s in f.symbols:
            if s.role == "coefficient":
                values[s.ref[1:3]].add(s.value)
    for f in figures:
        for s in f.symbols:
            if s.role == "coefficient" and s.value == 0:
                true = register.get(s.ref[1:3], {}).get("canonical")
                if (true is not None and true != 0) or (true is None and len(values[s.ref[1:3]]) > 1):
                    s.ref = None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _lineage(code: str, parents: dict[str, str]) -> list[str]:
    out = [code]
    while parents.get(out[-1]) and parents[out[-1]] not in out:
        out.append(parents[out[-1]])
    return out


def _common_region(codes: set[str], parents: dict[str, str]) -> str:
    """The lowest region containing all ``codes`` (the first code's root if they share none)."""
    lineages = [_lineage(c, parents)[::-1] for c in sorted(codes)]
    common = ""
    for level in zip(*lineages):
        if len(set(level)) != 1:
            break
        common = level[0]
    return common or min(codes)


def _distinct_rows(figures, trace, register, parents, names):
    """The rows of 输入 and 系数, in a stable order, each with the figures that use it."""
    inputs: dict[tuple, dict] = {}
    coefs: dict[tuple, dict] = {}
    prov = {}
    if len(trace):
        # provenance per (file, row, column) and per register label, first occurrence
        for c in ("source", "status", "price_year", "clause"):
            if c not in trace.columns:
                trace = trace.assign(**{c: np.nan})
        # rows as namespaces built column by column (itertuples iterates pandas 3's Arrow text cell by cell)
        for r in map(lambda d: SimpleNamespace(**d), records(
                trace[trace["role"] == "input"].drop_duplicates(["table", "file", "row", "column", "value"]))):
            prov[("input", r.table, r.file, None if pd.isna(r.row) else int(r.row), r.column, r.value)] = r
        for r in map(lambda d: SimpleNamespace(**d), records(
                trace[trace["role"] == "coefficient"].drop_duplicates(["coefficient", "register", "value"]))):
            prov[("coefficient", r.coefficient, r.register, r.value)] = r
    for f in figures:
        for s in f.symbols:
            if s.ref is None:
                continue
            target = inputs if s.role == "input" else coefs
            entry = target.setdefault(s.ref, {"regions": set(), "years": set(), "ecosystems": set(), "symbols": [],
                                              "units": [], "figures": 0, "value": s.value})
            entry["regions"].add(f.key[0])
            entry["years"].add(f.key[1])
            entry["ecosystems"].add(f.key[4])
            if s.name not in entry["symbols"]:
                entry["symbols"].append(s.name)
            if s.unit not in entry["units"]:
                entry["units"].append(s.unit)
            entry["figures"] += 1
    for ref, entry in inputs.items():
        p = prov.get(ref[:5] + (ref[-1],))
        entry["source"] = _text(getattr(p, "source", ""))
        entry["status"] = _text(getattr(p, "status", ""))
        entry["used_by"] = _common_region(entry["regions"], parents)
        entry["used_by_name"] = names.get(entry["used_by"], "")
    by_label = defaultdict(set)
    for ref in coefs:
        by_label[ref[1:3]].add(ref[3])
    for ref, entry in coefs.items():
        true = register.get(ref[1:3], {}).get("canonical")
        conflict = (not math.isclose(ref[3], true, rel_tol=1e-12, abs_tol=0.0)) if true is not None \
            else len(by_label[ref[1:3]]) > 1
        p = prov.get(ref)
        row = register.get((ref[1], ref[2]), {})
        entry.update(key=row.get("key", ref[1].split("[")[0]), ecosystem=row.get("ecosystem", ""),
                     region=row.get("region", ""), source=_text(getattr(p, "source", "")) or row.get("source", ""),
                     status=_text(getattr(p, "status", "")) or row.get("status", ""),
                     clause=row.get("clause", _text(getattr(p, "clause", ""))),
                     price_year=row.get("price_year", getattr(p, "price_year", None)),
                     value_written=row.get("value"), unit_written=row.get("unit", ""),
                     note=row.get("note", ""), conflict=conflict)
    inputs = dict(sorted(inputs.items(), key=lambda kv: tuple(_sortable(x) for x in kv[0])))
    coefs = dict(sorted(coefs.items(), key=lambda kv: tuple(_sortable(x) for x in kv[0])))
    return inputs, coefs


def _sortable(x):
    if isinstance(x, tuple):
        return tuple(_sortable(y) for y in x)
    if x is None:
        return (0, "")
    if isinstance(x, (int, float)):
        return (1, float(x), "")
    return (2, 0.0, str(x))


def _register_rows(results) -> dict[tuple[str, str], dict]:
    """results.coefficients rows by (label as in traces, register file)."""
    frame = getattr(results, "coefficients", None)
    out = {}
    if frame is None or not len(frame):
        return out
    for r in frame.to_dict("records"):
        row_year = r.get("year")
        lab = coefficient_label(str(r["key"]), _text(r.get("ecosystem")), _text(r.get("region")),
                                "" if row_year is None or pd.isna(row_year) else str(int(row_year)))
        year = r.get("price_year")
        r["price_year"] = None if year is None or pd.isna(year) else int(year)
        r = {k: (v if k in ("value", "price_year") else _text(v)) for k, v in r.items()}
        try:  # the register row's value in the canonical unit, as the engine used it
            r["canonical"] = convert_text(repr(float(r["value"])), r["unit"], CANONICAL_UNITS[r["key"]])
        except Exception:  # noqa: BLE001 - an unknown key or unit: compare values among traces instead
            r["canonical"] = None
        out[(lab, _text(r.get("register")))] = r
    return out


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------------
# sheets
# --------------------------------------------------------------------------------------------

def _joined(items, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(str(i) for i in items)


def _inputs_sheet(ws: StreamingSheet, m: _Model) -> None:
    lang = m.lang
    ws.header(1, [_t(c, lang) for c in INPUT_COLUMNS])
    value_column = INPUT_COLUMNS.index("value") + 1
    for n, (ref, e) in enumerate(m.inputs.items(), start=2):
        e["row"] = n
        ecosystems = sorted(e["ecosystems"])
        years = sorted(e["years"])
        values = [ref[1], ref[2], ref[3], ref[4], e["used_by"], e["used_by_name"],
                  years[0] if len(years) == 1 else _joined(years, lang),
                  _joined([label("ecosystem", x, lang) for x in ecosystems], lang), ", ".join(e["symbols"]),
                  e["value"], " / ".join(unit_label(u, lang) for u in e["units"]), e["source"], e["status"],
                  e["figures"]]
        for col, v in enumerate(values, start=1):
            ws.put(n, col, v, (_INPUT_FILL,) if col == value_column else ())
    ws.freeze(2, 2)
    ws.widths([14, 18, 6, 22, 12, 12, 12, 14, 10, 16, 12, 40, 10, 8])


def _coefficient_sheet(ws: StreamingSheet, m: _Model) -> None:
    lang = m.lang
    ws.header(1, [_t(c, lang) for c in COEFFICIENT_COLUMNS])
    for n, (ref, e) in enumerate(m.coefficients.items(), start=2):
        e["row"] = n
        name = key_label(e["key"], lang) or ""
        note = " · ".join(x for x in (e["note"], _t("conflict", lang) if e["conflict"] else "") if x)
        values = {"coef_label": ref[1], "coef_key": e["key"], "ecosystem": e["ecosystem"],
                  "coef_region": e["region"], "value": e["value"], "unit": unit_label(e["units"][0], lang),
                  "price_year": e["price_year"], "source": e["source"], "clause": e["clause"],
                  "status": e["status"], "register": ref[2], "coef_name": name,
                  "value_written": e["value_written"], "unit_written": e["unit_written"],
                  "figures": e["figures"], "note": note}
        for col, key in enumerate(COEFFICIENT_COLUMNS, start=1):
            ws.put(n, col, values[key], _YEAR if key == "price_year" else (_COEF_FILL,) if key == "value" else ())
    ws.freeze(2, 2)
    ws.widths([34, 26, 12, 12, 14, 12, 8, 50, 24, 10, 14, 24, 12, 12, 8, 30])


def _symbol_columns(figures: list[_Figure]) -> list[str]:
    """Union of the figures' symbols: inputs and coefficients, then steps, then Q, then V."""
    first: dict[str, tuple[int, int]] = {}
    n = 0
    for f in figures:
        for s in f.symbols:
            if s.name not in first:
                rank = {"Q": 2, "V": 3}.get(s.name, 1 if s.role == "step" else 0)
                first[s.name] = (rank, n)
                n += 1
    return sorted(first, key=first.get)


@dataclass
class _Ranges:
    """Where the summary finds a calculation sheet's figures."""

    sheet: str
    first: int
    last: int
    region: str
    year: str
    flag: str
    value: str | None  # column letter of V, None if no figure of the sheet has a value

    def span(self, column: str) -> str:
        return f"{self.sheet}!${column}${self.first}:${column}${self.last}"


@functools.lru_cache(maxsize=4096)
def _expression_symbols(expr: str) -> frozenset[str]:
    return frozenset(symbols_of(expr))


def _calc_sheet(ws: StreamingSheet, service: str, figures: list[_Figure], m: _Model) -> _Ranges:
    lang = m.lang
    symbols = _symbol_columns(figures)
    base = len(CALC_COLUMNS)
    column = {s: base + 1 + i for i, s in enumerate(symbols)}
    col_of = {s: get_column_letter(n) for s, n in column.items()}
    units = defaultdict(list)
    for f in figures:
        for s in f.symbols:
            if s.unit not in units[s.name]:
                units[s.name].append(s.unit)
    labels = [_t(c, lang) for c in CALC_COLUMNS]
    labels += [f"{s} [{' / '.join(unit_label(u, lang) for u in units[s] if u)}]" if any(units[s]) else s
               for s in symbols]
    ws.header(1, labels)
    inputs_sheet, coef_sheet = _quoted(_t("sheet_inputs", lang)), _quoted(_t("sheet_coefficients", lang))
    yes, no = _t("yes", lang), _t("no", lang)
    # a step's formula differs between rows only by the row number: made once per expression, with \0 where
    # the row number goes (the rows are 90 000 steps; the translation of an expression is the same each time)
    placeholders = {name: f"{letter}\0" for name, letter in col_of.items()}
    step_formulas: dict[str, str] = {}
    for r, f in enumerate(figures, start=2):
        region, year, _, indicator, ecosystem = f.key
        q = next((s for s in f.symbols if s.name == "Q"), None)
        fixed = [region, m.names.get(region, ""), year, label("indicator", f"{service}/{indicator}", lang),
                 label("ecosystem", ecosystem, lang), indicator, ecosystem,
                 yes if m.in_gep.get((service, indicator), False) else no,
                 unit_label(q.unit, lang) if q is not None else "",
                 "; ".join(f"{s.name} = {s.expr}" for s in f.symbols if s.role == "step")]
        for col, v in enumerate(fixed, start=1):
            ws.put(r, col, v, _YEAR if col == 3 else ())
        names, row = {s.name for s in f.symbols}, str(r)
        for s in f.symbols:
            number = (_NUMBER,) if s.name == "V" else ()
            if s.role == "step":
                if not names.issuperset(_expression_symbols(s.expr)):  # refused, naming the symbols it lacks
                    excel_expression(s.expr, {name: f"{col_of[name]}{r}" for name in names})
                template = step_formulas.get(s.expr)
                if template is None:
                    template = step_formulas[s.expr] = "=" + excel_expression(s.expr, placeholders)
                formula, style = template.replace("\0", row), number
            elif s.ref is None:
                continue  # a part this figure does not have: blank, i.e. 0
            elif s.role == "input":
                formula = f"={inputs_sheet}!${INPUT_VALUE_COLUMN}${m.inputs[s.ref]['row']}"
                style = (_INPUT_FILL, *number)
            else:
                formula = f"={coef_sheet}!${COEFFICIENT_VALUE_COLUMN}${m.coefficients[s.ref]['row']}"
                style = (_COEF_FILL, *number)
            # the cached value is the engine's: the trace records each symbol's value in the unit the
            # formula computes it in, from the same input and coefficient values the cells refer to
            ws.formula(r, column[s.name], formula, s.value, style)
    ws.freeze(2, base + 1)
    ws.widths([12, 12, 6, 16, 12, 14, 12, 8, 8, 40] + [13] * len(symbols))
    last = max(len(figures) + 1, 2)
    return _Ranges(_quoted(ws.title), 2, last, get_column_letter(CALC_COLUMNS.index("region_code") + 1),
                   get_column_letter(CALC_COLUMNS.index("year") + 1),
                   get_column_letter(CALC_COLUMNS.index("in_gep") + 1), col_of.get("V"))


def _summary_sheet(ws: StreamingSheet, m: _Model, ranges: dict[str, _Ranges]) -> None:
    lang = m.lang
    labels = [_t(c, lang) for c in SUMMARY_COLUMNS[:5]]
    labels += [_t("category_yuan", lang).format(category=label("category", c, lang)) for c in CATEGORIES]
    labels += [_t("gep", lang)]
    ws.header(1, labels)
    rows = m.summary[["region_code", "year"]].astype({"year": int}).itertuples(index=False) if len(m.summary) else []
    rows = [(str(c), int(y)) for c, y in rows]
    where = {key: n for n, key in enumerate(rows, start=2)}
    children = defaultdict(list)
    for code, year in rows:
        parent = m.parents.get(code, "")
        if (parent, year) in where:
            children[(parent, year)].append(where[(code, year)])
    yes = _t("yes", lang).replace('"', '""')
    col_code, col_year = (get_column_letter(SUMMARY_COLUMNS.index(c) + 1) for c in ("region_code", "year"))
    values = _summary_values(m, ranges, rows, children)
    for code, year in rows:
        n = where[(code, year)]
        fixed = [code, m.names.get(code, ""), level_label(m.levels.get(code, ""), lang), m.parents.get(code, ""), year]
        for col, v in enumerate(fixed, start=1):
            ws.put(n, col, v, _YEAR if col == 5 else ())
        for c in CATEGORIES:
            col = get_column_letter(SUMMARY_COLUMNS.index(c) + 1)
            terms = []
            for service, rg in ranges.items():
                if m.category.get(service) != c or rg.value is None:
                    continue
                terms.append(f"SUMIFS({rg.span(rg.value)},{rg.span(rg.region)},${col_code}{n},"
                             f"{rg.span(rg.year)},${col_year}{n},{rg.span(rg.flag)},\"{yes}\")")
            terms += [f"{col}{child}" for child in children[(code, year)]]
            ws.formula(n, SUMMARY_COLUMNS.index(c) + 1, "=" + ("+".join(terms) if terms else "0"),
                       values[(code, year)][c], (_NUMBER,))
        ws.formula(n, SUMMARY_COLUMNS.index("gep") + 1,
                   "=" + "+".join(f"{get_column_letter(SUMMARY_COLUMNS.index(c) + 1)}{n}" for c in CATEGORIES),
                   sum(values[(code, year)][c] for c in CATEGORIES), (_NUMBER, ("bold", True)))
    ws.freeze(2, 6)
    ws.widths([14, 14, 8, 14, 8, 20, 20, 20, 22])


def _summary_values(m: _Model, ranges: dict[str, _Ranges], rows: list[tuple[str, int]],
                    children: dict) -> dict[tuple[str, int], dict[str, float]]:
    """The values of the summary's category cells, added up as their formulas add them: each calculation
    sheet's ``SUMIFS`` (the V cells of the region-year's rows counted in GEP, in row order), the sheets in the
    order the formula names them, then the same cell of each child region's row."""
    sheet_sums: dict[tuple, float] = defaultdict(float)
    for service, rg in ranges.items():
        if rg.value is None:
            continue
        for f in m.by_service[service]:
            if not m.in_gep.get((service, f.key[3]), False):
                continue
            v = next((s for s in f.symbols if s.name == "V"), None)
            if v is not None and (v.role == "step" or v.ref is not None):  # a blank V cell adds nothing
                sheet_sums[(f.key[0], f.key[1], service)] += v.value
    code_of_row = {n: key for n, key in enumerate(rows, start=2)}
    values: dict[tuple[str, int], dict[str, float]] = {}
    adding: set[tuple[str, int]] = set()  # a region among its own descendants would add itself forever

    def total(key: tuple[str, int]) -> dict[str, float]:
        if key not in values:
            adding.add(key)
            kids = [total(code_of_row[child]) for child in children[key] if code_of_row[child] not in adding]
            values[key] = {c: sum([sheet_sums[(*key, service)] for service, rg in ranges.items()
                                   if m.category.get(service) == c and rg.value is not None]
                                  + [kid[c] for kid in kids]) for c in CATEGORIES}
        return values[key]

    for key in rows:
        total(key)
    return values


def _about_sheet(ws: StreamingSheet, m: _Model) -> None:
    lang = m.lang
    ws.put(1, 1, _t("title", lang), _TITLE)
    row = 2
    pasted_capacity = any(s.role == "step" and s.expr and not symbols_of(s.expr)
                          for f in m.figures for s in f.symbols)
    lines = [_t(f"about.{key}", lang) for key in ABOUT_LINES]
    if pasted_capacity:  # the note on a capacity written as a number only when there is one
        lines.append(_t("about.capacity", lang))
    for line in lines:
        row += 1
        ws.put(row, 1, line, _WRAP)
    for line in method_lines(m.method, lang):  # the method profile the formulas follow
        row += 1
        ws.put(row, 1, line, _WRAP)
    row += 1
    sheet_label = _t("calculation_sheets", lang)
    for service, sheet in m.sheets.items():
        row += 1
        ws.put(row, 1, f"{sheet_label}: {sheet} — {service} ({len(m.by_service[service])})")
    ws.widths([120])
