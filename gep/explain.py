"""Explain a figure of a run: formula, inputs with file/row/source, coefficients with provenance,
intermediate values — from the run folder alone (gep_services.csv, gep_trace.csv).

``gep explain RUN_DIR --region 500229 --year 2021 --service water_conservation
--indicator water_retained --ecosystem forest [--lang en] [--all]``

A figure of a township (the level the data were given at) is explained symbol by symbol. A figure
of a parent region is the sum of its sub-regions' figures: they are listed, and ``--all`` explains
each of them in turn.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .catalogue import METHOD_LABELS, inventory_spec, label, services_spec
from .coefficients import LABELS as COEFFICIENT_LABELS
from .render import unit_label
from .trace import FIGURE_KEY

#: Labels of the intermediate symbols the calculators use (zh, en).
STEP_LABELS = {
    "Q": ("实物量", "quantity"), "V": ("价值量", "value"), "R": ("地表径流深", "surface runoff"),
    "A_p": ("潜在土壤侵蚀模数", "potential erosion"), "A_r": ("实际土壤侵蚀模数", "actual erosion"),
    "Q_sr": ("土壤保持量", "soil retained"), "Q_sf": ("固沙量", "sand fixed"), "NEP": ("净生态系统生产力", "NEP"),
    "CO2": ("固定二氧化碳量", "CO₂ fixed"), "EPP": ("植被蒸腾耗热", "transpiration heat"),
    "W": ("水面蒸发量", "water evaporated"), "TC": ("人均旅行花费", "spending per visit"),
    "Cap": ("净化能力", "purification capacity"),
}
for _price in ("C_res", "C_v", "C", "p", "P_e", "P_CO2", "P_O2"):
    STEP_LABELS[_price] = ("核算年价格", "price of the accounting year")
INDEX_LABELS = {"cpi": "CPI", "ppi": "PPI", "fai": "固定资产投资价格指数", "gdp_deflator": "GDP平减指数", "none": "不调整"}
ROLE_LABELS = {"input": ("输入", "input"), "coefficient": ("系数", "coefficient"), "step": ("计算", "step")}
_TEXT = {
    "value": ("价值量", "Value"), "quantity": ("实物量", "Quantity"), "price": ("单价", "Price"),
    "formula": ("公式", "Formula"), "method": ("方法", "Method"), "reference": ("依据", "Reference"),
    "path": ("计算路径", "Path"), "inputs": ("输入数据", "Inputs"), "coefficients": ("系数", "Coefficients"),
    "steps": ("计算过程", "Steps"), "sum_of": ("由下级区域相加", "Sum of sub-regions"),
    "row": ("行", "row"), "source": ("来源", "source"), "status": ("状态", "status"),
    "price_year": ("价格年份", "price year"), "clause": ("条款", "clause"), "not_in_gep": ("未计入GEP", "not in GEP"),
    "detail_hint": ("用 --all 查看每个下级区域的核算过程", "use --all to explain each sub-region"),
}


def _t(key: str, lang: str) -> str:
    return _TEXT[key][0 if lang == "zh" else 1]


@dataclass
class Run:
    """The tables of a run folder that explanations need."""

    folder: Path
    services: pd.DataFrame
    trace: pd.DataFrame
    children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: str | Path) -> "Run":
        folder = Path(folder)
        for name in ("gep_services.csv", "gep_trace.csv", "gep_summary.csv"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder} is not a gep run folder: {name} is missing")
        services = pd.read_csv(folder / "gep_services.csv", dtype={"region_code": str}, keep_default_na=False,
                               na_values=[""])
        trace = pd.read_csv(folder / "gep_trace.csv", dtype={"region_code": str, "expr": str, "coefficient": str},
                            keep_default_na=False, na_values=[""])
        summary = pd.read_csv(folder / "gep_summary.csv", dtype={"region_code": str, "parent_code": str},
                              keep_default_na=False, na_values=[""])
        children: dict[str, list[str]] = {}
        for code, parent in summary[["region_code", "parent_code"]].drop_duplicates().itertuples(index=False):
            if isinstance(parent, str) and parent:
                children.setdefault(parent, []).append(code)
        return cls(folder, services, trace, children)


@dataclass
class FigureExplanation:
    key: tuple
    row: dict                 # the gep_services row
    symbols: list[dict]       # leaf figures: trace rows in order
    parts: list[dict]         # parent figures: sub-region rows (region_code, region_name, value, quantity)


def _column_label(table: str, column: str, lang: str) -> str:
    spec = inventory_spec()["tables"].get(table, {}).get("columns", {}).get(column)
    if not spec:
        return column
    return spec["zh"] if lang == "zh" else column.replace("_", " ")


def symbol_label(row: dict, lang: str) -> str:
    i = 0 if lang == "zh" else 1
    if row["role"] == "input":
        return _column_label(row["table"], row["column"], lang)
    if row["role"] == "coefficient":
        key = str(row["coefficient"]).split("[", 1)[0]
        if key in INDEX_LABELS:  # a price-index factor carrying a price between years
            return ("价格指数调整系数 " + INDEX_LABELS[key], f"price-index factor ({key})")[i]
        return COEFFICIENT_LABELS.get(key, (key, key))[i]
    base = row["symbol"].rstrip("0123456789")
    return STEP_LABELS.get(row["symbol"], STEP_LABELS.get(base, (row["symbol"], row["symbol"])))[i]


def explain(run: Run, region: str, year: int, service: str, indicator: str, ecosystem: str) -> FigureExplanation:
    s = run.services
    hit = s[(s.region_code == region) & (s.year == int(year)) & (s.service == service)
            & (s.indicator == indicator) & (s.ecosystem == ecosystem)]
    if not len(hit):
        raise KeyError(f"no figure {region}/{year}/{service}/{indicator}/{ecosystem} in {run.folder}; "
                       f"see gep_services.csv for the figures of this run")
    row = hit.iloc[0].to_dict()
    t = run.trace
    symbols = t[(t.region_code == region) & (t.year == int(year)) & (t.service == service)
                & (t.indicator == indicator) & (t.ecosystem == ecosystem)].to_dict("records")
    parts = []
    if not symbols:
        codes = _descendant_leaves(run, region)
        sub = s[s.region_code.isin(codes) & (s.year == int(year)) & (s.service == service)
                & (s.indicator == indicator) & (s.ecosystem == ecosystem)]
        parts = sub[["region_code", "region_name", "quantity", "value_yuan"]].to_dict("records")
    return FigureExplanation((region, int(year), service, indicator, ecosystem), row, symbols, parts)


def _descendant_leaves(run: Run, region: str) -> list[str]:
    out, stack = [], [region]
    while stack:
        code = stack.pop()
        kids = run.children.get(code, [])
        if kids:
            stack.extend(kids)
        elif code != region:
            out.append(code)
    return sorted(out)


def _s(value) -> str:
    """Text of a cell read back from CSV: NaN (an empty cell) is ''."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _status(value, lang: str) -> str:
    entry = inventory_spec()["vocabularies"]["status"].get(_s(value))
    return entry["zh"] if entry and lang == "zh" else _s(value)


def format_number(value, digits: int = 6) -> str:
    """A trace value for reading: whole numbers without decimals, large ones with 2, tiny ones in
    scientific notation; — for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    v = float(value)
    if abs(v) < 1e15 and abs(v - round(v)) <= 1e-9 * max(1.0, abs(v)):
        return f"{round(v):,}"
    if v != 0 and (abs(v) >= 1e12 or abs(v) < 1e-4):
        return f"{v:.{digits}g}"
    return f"{v:,.{digits}g}" if abs(v) < 1000 else f"{v:,.2f}"


def format_text(fx: FigureExplanation, lang: str = "zh") -> str:
    """The explanation as plain text (Chinese by default)."""
    region, year, service, indicator, ecosystem = fx.key
    entry = services_spec()["services"].get(service, {})
    r = fx.row
    lines = [f"{r['region_name']} {region} · {year} · {label('category', r['category'], lang)} / "
             f"{label('service', service, lang)} / {label('indicator', f'{service}/{indicator}', lang)} / "
             f"{label('ecosystem', ecosystem, lang)}"]
    lines.append(f"  {_t('value', lang)}: {format_number(r['value_yuan'])} 元" + ("" if r["in_gep"] in (True, "True")
                                                                        else f"  ({_t('not_in_gep', lang)})"))
    lines.append(f"  {_t('quantity', lang)}: {format_number(r['quantity'])} {unit_label(r['quantity_unit'], lang)}")
    if not pd.isna(r.get("price")):
        lines.append(f"  {_t('price', lang)}: {format_number(r['price'])} {unit_label(r['price_unit'], lang)}")
    if entry:
        lines.append(f"  {_t('method', lang)}: {METHOD_LABELS.get(entry['method'], {}).get(lang, entry['method'])}")
        lines.append(f"  {_t('formula', lang)}: {entry['formula']}")
        lines.append(f"  {_t('reference', lang)}: {entry['reference']}")
    lines.append(f"  {_t('path', lang)}: {r['path']}")
    if fx.parts:
        lines.append(f"{_t('sum_of', lang)} ({len(fx.parts)}):")
        for p in fx.parts:
            lines.append(f"  {p['region_name']} {p['region_code']}: {format_number(p['value_yuan'])} 元; "
                         f"{format_number(p['quantity'])} {unit_label(r['quantity_unit'], lang)}")
        lines.append(f"  Σ = {format_number(sum(p['value_yuan'] for p in fx.parts))} 元  ({_t('detail_hint', lang)})")
        return "\n".join(lines)
    for role, title in (("input", "inputs"), ("coefficient", "coefficients"), ("step", "steps")):
        rows = [s for s in fx.symbols if s["role"] == role]
        if not rows:
            continue
        lines.append(f"{_t(title, lang)}:")
        for s in rows:
            head = f"  {s['symbol']} {symbol_label(s, lang)}"
            unit = unit_label(s["unit"], lang)
            if role == "step":
                lines.append(f"{head} = {s['expr']} = {format_number(s['value'])} {unit}")
                continue
            if role == "input":
                where = f"{_s(s['file'])} {_t('row', lang)} {int(s['row'])}" if not pd.isna(s["row"]) else ""
                parts = (where, f"{_t('source', lang)}: {_s(s['source'])}" if _s(s["source"]) else "",
                         f"{_t('status', lang)}: {_status(s['status'], lang)}" if _s(s["status"]) else "")
            else:
                parts = (f"{_s(s['coefficient'])} @ {_s(s['register'])}",
                         f"{_t('price_year', lang)} {int(s['price_year'])}" if not pd.isna(s.get("price_year")) else "",
                         f"{_t('source', lang)}: {_s(s['source'])}",
                         f"{_t('clause', lang)}: {_s(s.get('clause'))}" if _s(s.get("clause")) else "",
                         f"{_t('status', lang)}: {_s(s['status'])}")
            lines.append(f"{head} = {format_number(s['value'])} {unit}  [{'; '.join(x for x in parts if x)}]")
    return "\n".join(lines)


def explain_text(folder: str | Path, region: str, year: int, service: str, indicator: str, ecosystem: str,
                 lang: str = "zh", detail: bool = False) -> str:
    run = Run.load(folder)
    fx = explain(run, region, year, service, indicator, ecosystem)
    out = [format_text(fx, lang)]
    if detail and fx.parts:
        for p in fx.parts:
            out.append("")
            out.append(format_text(explain(run, p["region_code"], year, service, indicator, ecosystem), lang))
    return "\n".join(out)


__all__ = ["Run", "FigureExplanation", "explain", "format_text", "explain_text", "symbol_label", "format_number", "FIGURE_KEY"]
