"""How a traced figure's parts are named and its numbers written, in reports and in ``gep explain`` alike: the
labels of inputs, coefficients and intermediate symbols (zh, en), and a number as a reader wants it.

A leaf module, so that the trace pages (:mod:`gep.render.trace_page`) and :mod:`gep.explain` share it without
importing each other.
"""
from __future__ import annotations

import math

from .catalogue import inventory_spec
from .coefficients import key_label

#: Labels of the intermediate symbols the calculators use (zh, en).
STEP_LABELS = {
    "Q": ("实物量", "quantity"), "V": ("价值量", "value"), "R": ("地表径流深", "surface runoff"),
    "A_p": ("潜在土壤侵蚀模数", "potential erosion"), "A_r": ("实际土壤侵蚀模数", "actual erosion"),
    "Q_sr": ("土壤保持量", "soil retained"), "Q_sf": ("固沙量", "sand fixed"), "NEP": ("净生态系统生产力", "NEP"),
    "CO2": ("固定二氧化碳量", "CO₂ fixed"), "EPP": ("植被蒸腾耗热", "transpiration heat"),
    "W": ("水面蒸发量", "water evaporated"), "TC": ("人均旅行花费", "spending per visit"),
    "Cap": ("净化能力", "purification capacity"),
    "D": ("按海拔订正的空调降温天数", "cooling days carried to the region's elevation"),
    "W_D": ("降温天数内的水面蒸发量", "water evaporated on the cooling days"),
    "R_s": ("暴雨径流深", "storm runoff"),
}
for _price in ("C_res", "C_v", "C", "p", "P_e", "P_CO2", "P_O2"):
    STEP_LABELS[_price] = ("核算年价格", "price of the accounting year")
INDEX_LABELS = {"cpi": "CPI", "ppi": "PPI", "fai": "固定资产投资价格指数", "gdp_deflator": "GDP平减指数", "none": "不调整"}

def column_label(table: str, column: str, lang: str) -> str:
    spec = inventory_spec()["tables"].get(table, {}).get("columns", {}).get(column)
    if not spec:
        return column
    return spec["zh"] if lang == "zh" else column.replace("_", " ")


def symbol_label(row: dict, lang: str) -> str:
    i = 0 if lang == "zh" else 1
    if row["role"] == "input":
        return column_label(row["table"], row["column"], lang)
    if row["role"] == "coefficient":
        key = str(row["coefficient"]).split("[", 1)[0]
        if key in INDEX_LABELS:  # a price-index factor carrying a price between years
            return ("价格指数调整系数 " + INDEX_LABELS[key], f"price-index factor ({key})")[i]
        return key_label(key, lang) or key
    base = row["symbol"].rstrip("0123456789")
    return STEP_LABELS.get(row["symbol"], STEP_LABELS.get(base, (row["symbol"], row["symbol"])))[i]


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
