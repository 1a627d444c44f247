"""Liabilities (负债) of an ecological asset-liability statement: declared, pluggable methods.

No official definition of an ecological liability exists (asset-liability.md §1.5: pilots left it
blank). Each method here is one declared type, after that note's operational proposal (L1–L4), and
every amount it reports cites the threshold's source (the targets table row, the register row):

- ``target_shortfall`` (L2): a binding target (森林覆盖率, 湿地保有量, 耕地保有量 from the targets table)
  not met at the end of the period: shortfall × unit value. A forest-coverage shortfall is valued at the
  Chongqing forest-area indicator price (what a district pays another to meet its coverage target).
  Targets dated after the period are reported as the distance still to go, not as a liability.
- ``restoration_owed`` (L1): area lost to illegal conversion or damage (cause ILLEGAL in the changes
  table) in the period × restoration unit cost. Forest land lost is recorded in both the extent and the
  forest-area account (each must balance); it is owed once, from the forest-area rows (by origin) where a
  region has any for that year, else from the extent rows.
- ``depletion_above_limit`` (L2): harvest (HARVEST stock changes) above the 采伐限额, water supplied above
  the 用水总量控制目标, in a year of the period × stumpage or water price.
- contracted obligations (L4, e.g. maintenance owed on forest area sold in coverage trading) come from
  the trading capability and are added by the caller as rows of the same shape.

A liability whose unit value is not in the register is reported in physical terms only (value NaN,
said in the note). SEEA degradation is reported beside liabilities by the statement, never netted in.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..coefficients import Register
from .physical import subtree

COLUMNS = ["liability", "region_code", "year", "indicator", "target", "actual", "quantity", "unit", "unit_value",
           "value_yuan", "binding", "threshold_source", "method_source", "note"]

#: the kinds of liability and the method each follows; the statement names a kind by the phrase
#: statement.liability.<kind>
METHODS = {
    "target_shortfall": {"source": "asset-liability.md §1.5 L2; targets from the inventory's targets table"},
    "restoration_owed": {"source": "asset-liability.md §1.5 L1 (森林法 / 湿地保护法: restoration of illegally "
                                   "occupied forest land and wetland)"},
    "contracted_obligations": {"source": "asset-liability.md §1.5 L4"},
    "depletion_above_limit": {"source": "asset-liability.md §1.5 L2 (采伐限额; 用水总量控制)"},
}

_TARGET_VALUE_KEYS = {"forest_coverage": "forest_indicator_price", "wetland_area": "wetland_restoration_cost",
                      "farmland_area": "farmland_restoration_cost"}


def _value(register: Register, key: str) -> tuple[float, str]:
    if register.has(key):
        c = register.lookup(key)
        return c.value, f"{key} = {c.value_as_written} {c.unit_as_written} ({c.source}; {c.status})"
    return np.nan, f"no {key} in the register: physical liability only"


def _actuals(inventory, region: str, year: int) -> dict[str, float]:
    """Forest coverage [%], wetland and farmland area [hm²] of a region (with its sub-regions) in a year."""
    regions = inventory.table("regions")
    codes = subtree(regions, region)
    ext = inventory.table("extent")
    ext = ext[ext["region_code"].isin(codes) & (ext["year"] == year)]
    if not len(ext):
        return {}
    land = float(regions.set_index("code").loc[region, "land_area"])
    forest = float(ext.loc[ext["ecosystem"] == "forest", "area"].sum())
    return {"forest_coverage": 100.0 * forest / land,
            "wetland_area": float(ext.loc[ext["ecosystem"].str.startswith("wetland"), "area"].sum()),
            "farmland_area": float(ext.loc[ext["ecosystem"] == "farmland", "area"].sum()),
            "_land": land}


def target_shortfall(inventory, register: Register, region: str, start_year: int, end_year: int) -> pd.DataFrame:
    """Binding targets not met at ``end_year`` (liabilities), and the distance to later targets (not)."""
    from ..units import convert_magnitude
    targets = inventory.table("targets")
    actual = _actuals(inventory, region, end_year)
    rows = []
    for t in targets[targets["region_code"] == region].itertuples():
        if t.indicator not in _TARGET_VALUE_KEYS or not actual:
            continue
        unit = "percent" if t.indicator == "forest_coverage" else "hectare"
        target = convert_magnitude(t.value, t.unit, unit)
        have = actual[t.indicator]
        gap = max(0.0, target - have)
        sold = 0.0
        if t.indicator == "forest_coverage":
            # forest area sold to other districts counts toward their coverage, not the seller's
            sold = sold_forest_area(inventory, region, end_year)
            have = have - 100.0 * sold / actual["_land"]
            gap = max(0.0, target - have)
            quantity, q_unit = gap / 100.0 * actual["_land"], "hm2"  # coverage points → forest area
        else:
            quantity, q_unit = gap, "hm2"
        binding = int(t.year) <= end_year
        unit_value, basis = _value(register, _TARGET_VALUE_KEYS[t.indicator])
        note = (("met" if gap == 0 else "not met") + f" at the end of {end_year}"
                + (f" (after {sold:,.2f} hm² sold as coverage indicators)" if sold else "")
                if binding else f"target for {int(t.year)}: distance still to go at the end of {end_year}, "
                                f"not a liability yet")
        rows.append({"liability": "target_shortfall", "region_code": region, "year": end_year,
                     "indicator": t.indicator, "target": target, "actual": have, "quantity": quantity,
                     "unit": q_unit, "unit_value": unit_value if binding else np.nan,
                     "value_yuan": quantity * unit_value if binding else 0.0, "binding": binding,
                     "threshold_source": str(t.source or ""), "method_source": METHODS["target_shortfall"]["source"],
                     "note": f"{note}; {basis}"})
    return pd.DataFrame(rows, columns=COLUMNS)


def restoration_owed(inventory, register: Register, region: str, start_year: int, end_year: int) -> pd.DataFrame:
    """Area lost to illegal conversion or damage in the period (cause ILLEGAL) × restoration cost.

    A forest cleared is one loss recorded twice — as forest turned to another type in the extent account and
    as forest area lost by origin in the forest-area account — so the extent rows of the forest are left out
    for a region and year whose forest-area account records an illegal loss."""
    from ..units import convert_magnitude
    from .physical import item_key
    codes = subtree(inventory.table("regions"), region)
    ch = inventory.table("changes")
    ch = ch[ch["region_code"].isin(codes) & (ch["year"] > start_year) & (ch["year"] <= end_year)
            & (ch["cause"] == "ILLEGAL") & ch["account"].isin(["extent", "forest_area"])]
    by_origin = {(r.region_code, int(r.year)) for r in ch.itertuples() if r.account == "forest_area"}
    rows = []
    for r in ch.itertuples():
        area = abs(convert_magnitude(r.amount, r.unit, "hectare"))
        item = item_key(r.account, r.from_item or r.item) or r.item
        if r.account == "extent" and item == "forest" and (r.region_code, int(r.year)) in by_origin:
            continue  # the same land as that year's forest-area rows, owed there
        key = "wetland_restoration_cost" if str(item).startswith("wetland") else \
            "farmland_restoration_cost" if item == "farmland" else "forest_restoration_cost"
        unit_value, basis = _value(register, key)
        rows.append({"liability": "restoration_owed", "region_code": r.region_code, "year": int(r.year),
                     "indicator": f"{r.account}/{item}", "target": np.nan, "actual": np.nan, "quantity": area,
                     "unit": "hm2", "unit_value": unit_value, "value_yuan": area * unit_value if unit_value == unit_value
                     else np.nan, "binding": True, "threshold_source": f"{r.input_file} row {r.input_row}",
                     "method_source": METHODS["restoration_owed"]["source"], "note": basis})
    return pd.DataFrame(rows, columns=COLUMNS)


def depletion_above_limit(inventory, register: Register, region: str, start_year: int, end_year: int) -> pd.DataFrame:
    """Harvest above the 采伐限额 and water use above its cap, per year of the period."""
    from ..units import convert_magnitude
    codes = subtree(inventory.table("regions"), region)
    targets = inventory.table("targets")
    targets = targets[(targets["region_code"] == region) & targets["indicator"].isin(["harvest_quota", "water_use_cap"])]
    ch = inventory.table("changes")
    supply = inventory.table("water_supply")
    rows = []
    for t in targets.itertuples():
        year = int(t.year)
        if not start_year < year <= end_year:
            continue
        limit = convert_magnitude(t.value, t.unit, "m**3")
        if t.indicator == "harvest_quota":
            part = ch[ch["region_code"].isin(codes) & (ch["year"] == year) & (ch["cause"] == "HARVEST")
                      & (ch["account"] == "forest_stock")]
            used = float(sum(abs(convert_magnitude(a, u, "m**3")) for a, u in zip(part["amount"], part["unit"])))
            key = "stumpage_price"
        else:
            used = float(supply[supply["region_code"].isin(codes) & (supply["year"] == year)]["volume"].sum())
            key = "water_price_industrial"
        excess = max(0.0, used - limit)
        unit_value, basis = _value(register, key)
        rows.append({"liability": "depletion_above_limit", "region_code": region, "year": year,
                     "indicator": t.indicator, "target": limit, "actual": used, "quantity": excess, "unit": "m3",
                     "unit_value": unit_value, "value_yuan": excess * unit_value if excess and unit_value == unit_value
                     else (0.0 if not excess else np.nan), "binding": True, "threshold_source": str(t.source or ""),
                     "method_source": METHODS["depletion_above_limit"]["source"], "note": basis})
    return pd.DataFrame(rows, columns=COLUMNS)


def contracted_obligations(inventory, register: Register, region: str, start_year: int,
                           end_year: int) -> pd.DataFrame:
    """L4: obligations a region carries by contract at the end of the period: forest area sold as
    coverage indicators (kept and maintained on the buyer's behalf for the contract's duration: area
    committed, and the remaining maintenance cost where the contract states one) and compensation
    not yet paid."""
    codes = subtree(inventory.table("regions"), region)
    ob = inventory.table("obligations")
    ob = ob[ob["region_code"].isin(codes) & (ob["year"] <= end_year)]
    rows = []
    for r in ob.itertuples():
        duration = r.duration if r.duration == r.duration else np.nan
        remaining = max(0.0, r.year + duration - 1 - end_year) if duration == duration else np.nan
        active = not (remaining == 0)
        if r.kind == "forest_area_sold":
            value = r.annual_cost * remaining if r.annual_cost == r.annual_cost and remaining == remaining else np.nan
            note = (f"{r.area:,.2f} hm² committed to {r.counterparty} from {int(r.year)}"
                    + (f", {remaining:g} year(s) of the contract left" if remaining == remaining else
                       ", duration not stated") +
                    ("" if value == value else "; no annual cost stated: physical obligation only"))
            quantity, unit = r.area, "hm2"
        else:
            value, quantity, unit = r.amount, r.amount, "yuan"
            note = f"compensation owed to {r.counterparty}"
        if not active:
            continue
        rows.append({"liability": "contracted_obligation", "region_code": r.region_code, "year": end_year,
                     "indicator": r.kind, "target": np.nan, "actual": np.nan, "quantity": quantity, "unit": unit,
                     "unit_value": np.nan, "value_yuan": value, "binding": True,
                     "threshold_source": str(r.source or f"{r.input_file} row {r.input_row}"),
                     "method_source": "asset-liability.md §1.5 L4 (重庆市实施横向生态补偿提高森林覆盖率协议书)",
                     "note": note})
    return pd.DataFrame(rows, columns=COLUMNS)


def sold_forest_area(inventory, region: str, end_year: int) -> float:
    """Forest area [hm²] the region has sold as coverage indicators and may not count toward its own target."""
    codes = subtree(inventory.table("regions"), region)
    ob = inventory.table("obligations")
    ob = ob[ob["region_code"].isin(codes) & (ob["kind"] == "forest_area_sold") & (ob["year"] <= end_year)]
    return float(ob["area"].fillna(0).sum())


REGISTRY = {"target_shortfall": target_shortfall, "restoration_owed": restoration_owed,
            "depletion_above_limit": depletion_above_limit, "contracted_obligations": contracted_obligations}


def liabilities(inventory, register: Register, region: str, start_year: int, end_year: int,
                methods=tuple(REGISTRY), extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """All liabilities of ``region`` for the period by the chosen methods, plus ``extra`` rows (e.g. trading
    obligations) of the same columns."""
    unknown = set(methods) - set(REGISTRY)
    if unknown:
        raise ValueError(f"unknown liability method(s) {', '.join(sorted(unknown))}; known: {', '.join(REGISTRY)}")
    frames = [REGISTRY[m](inventory, register, region, start_year, end_year) for m in methods]
    if extra is not None and len(extra):
        frames.append(extra[COLUMNS])
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
