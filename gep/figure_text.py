"""How a traced figure's parts are named and its numbers written, in reports and in ``gep explain`` alike: the
labels of inputs, coefficients and intermediate symbols (phrases of gep/data/phrases.yaml), and a number as a
reader wants it.

A leaf module, so that the trace pages (:mod:`gep.render.trace_page`) and :mod:`gep.explain` share it without
importing each other.
"""
from __future__ import annotations

import math

from .catalogue import inventory_spec
from .coefficients import key_label
from .phrases import text

#: intermediate symbols of the calculators, each named by the phrase symbol.<symbol>
STEP_SYMBOLS = ("Q", "V", "R", "A_p", "A_r", "Q_sr", "Q_sf", "NEP", "CO2", "EPP", "W", "TC", "Cap", "D", "W_D", "R_s")
#: the symbols of a price of the accounting year, all named by the phrase symbol.price
PRICE_SYMBOLS = ("C_res", "C_v", "C", "p", "P_e", "P_CO2", "P_O2")
#: the price indices by their Chinese names: a Chinese trace names a price-index factor by them, an English one by
#: the index's key, as gep names the vocabularies of the inventory (Chinese label or key)
INDEX_LABELS = {"cpi": "CPI", "ppi": "PPI", "fai": "固定资产投资价格指数", "gdp_deflator": "GDP平减指数", "none": "不调整"}


def _step_phrase(symbol: str) -> str | None:
    """The phrase naming an intermediate symbol, None for a symbol gep does not name."""
    if symbol in PRICE_SYMBOLS:
        return "symbol.price"
    return f"symbol.{symbol}" if symbol in STEP_SYMBOLS else None


def column_label(table: str, column: str, lang: str) -> str:
    spec = inventory_spec()["tables"].get(table, {}).get("columns", {}).get(column)
    if not spec:
        return column
    return spec["zh"] if lang == "zh" else column.replace("_", " ")


def symbol_label(row: dict, lang: str) -> str:
    """A traced symbol in words: an input by its column, a coefficient by its key's label, an intermediate symbol
    (numbered ones, W1, by the symbol without the number) by its phrase; one gep does not name as written."""
    if row["role"] == "input":
        return column_label(row["table"], row["column"], lang)
    if row["role"] == "coefficient":
        key = str(row["coefficient"]).split("[", 1)[0]
        if key in INDEX_LABELS:  # a price-index factor carrying a price between years
            return text("symbol.price_index_factor", lang).format(index=INDEX_LABELS[key] if lang == "zh" else key)
        return key_label(key, lang) or key
    phrase = _step_phrase(row["symbol"]) or _step_phrase(row["symbol"].rstrip("0123456789"))
    return text(phrase, lang) if phrase else row["symbol"]


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
