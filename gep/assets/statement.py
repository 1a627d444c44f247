"""The ecological asset-liability statement (生态资源资产负债表) of a region for a term.

Assembles, for a period start → end (e.g. an official's term, 2019–2021):

- physical accounts (:mod:`gep.assets.physical`): ecosystem extent with causes and the change matrix,
  forest area and stock by origin — each balance identity checked;
- the monetary asset account (:mod:`gep.assets.monetary`, SEEA EA Table 10.1): asset value = NPV of the
  expected ecosystem-service flows, taken from the GEP results of the opening and closing years, by
  ecosystem group × service indicator, at a declared discount rate and asset life; the change split
  into additions/reductions, reappraisals and revaluations (Annex A10.1), with the sensitivity to the
  discount rate;
- liabilities (:mod:`gep.assets.liabilities`) at the start and at the end;
- net assets = asset value − valued liabilities, opening and closing, and the change; SEEA degradation
  is shown beside, never netted in.

The condition account (SEEA EA chapter 5) holds what the inventory measures of condition: the forest's
stock volume per hectare (单位面积蓄积, a condition indicator of GB/T 38582-2020 and of the 林木资源存量及变动表,
asset-liability.md §1.3 T2), from the forest-stock and forest-area accounts. Its index is the indicator
relative to the opening year (opening = 1; no reference condition is published for Chengkou), and its
change decides whether the forest's volume effect is enhancement or degradation (SEEA EA legend,
:func:`gep.assets.monetary.rule_entry`). Ecosystem types without a condition indicator keep a change of 0:
their volume effects are recorded as upward or downward reappraisals, and the statement says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..catalogue import ecosystem_group, label
from ..phrases import LANGUAGES, bilingual, text
from ..units import quantity
from .liabilities import liabilities
from .monetary import discount_rate_sensitivity, monetary_asset_account
from .physical import change_matrix, inventory_accounts

#: Eco-asset discount rate 2.77 % over 100 years (博文静 et al. 2017, 生态学报 37(12), China's forest
#: eco-asset valuation; gep-methods.md §9.1, VERIFIED for asset accounts only).
DEFAULT_RATE = 0.0277
DEFAULT_LIFE = 100
SENSITIVITY_RATES = (0.02, 0.04, 0.06, 0.08)
WHOLE_REGION = "all"


@dataclass
class Statement:
    region: str
    region_name: str
    start: int
    end: int
    rate: float
    asset_life: float
    physical: dict
    change_matrix: pd.DataFrame
    flows: pd.DataFrame
    monetary: object
    sensitivity: pd.DataFrame
    liabilities_start: pd.DataFrame
    liabilities_end: pd.DataFrame
    summary: pd.DataFrame
    notes: list[dict[str, str]] = field(default_factory=list)  # each {"zh": …, "en": …}
    condition: pd.DataFrame = field(default_factory=pd.DataFrame)


def expected_flows(services: pd.DataFrame, region: str, start: int, end: int) -> pd.DataFrame:
    """GEP flows of the opening and closing years as expected flows per ecosystem group × indicator:
    quantity and price per year (value-only figures: quantity = value, price = 1). A flow of zero quantity in
    a year keeps the unit price its figures carry for that year (SEEA EA A10.12: a balance whose flow is zero
    takes its own year's unit price); a flow absent from a year takes the other year's price."""
    s = services[(services["region_code"] == region) & services["in_gep"] & services["year"].isin([start, end])].copy()
    s["ecosystem_type"] = s["ecosystem"].map(lambda e: WHOLE_REGION if e == "all" else ecosystem_group(e))
    s["service"] = s["service"] + "/" + s["indicator"]
    # a figure's price in 元 per unit of its quantity (the price unit times the quantity unit makes 元)
    s["own_price"] = [float(p) * _yuan_factor(q, u) if np.isfinite(p) else np.nan
                      for p, q, u in zip(s["price"].astype(float), s["quantity_unit"], s["price_unit"].fillna(""))]
    g = s.groupby(["ecosystem_type", "service", "year"], as_index=False).agg(
        quantity=("quantity", "sum"), value=("value_yuan", "sum"), unit=("quantity_unit", "first"),
        own_price=("own_price", "first"))
    g["price"] = np.where(g["unit"] == "yuan", 1.0, np.where(g["quantity"] != 0, g["value"] / g["quantity"].where(
        g["quantity"] != 0), g["own_price"]))
    g["quantity"] = np.where(g["unit"] == "yuan", g["value"], g["quantity"])
    wide = g.pivot_table(index=["ecosystem_type", "service"], columns="year", values=["quantity", "price"])
    out = pd.DataFrame({
        "ecosystem_type": [k[0] for k in wide.index], "service": [k[1] for k in wide.index],
        "quantity_0": wide[("quantity", start)].fillna(0.0).to_numpy() if ("quantity", start) in wide else 0.0,
        "quantity_1": wide[("quantity", end)].fillna(0.0).to_numpy() if ("quantity", end) in wide else 0.0})
    p0 = wide[("price", start)].to_numpy() if ("price", start) in wide else np.full(len(out), np.nan)
    p1 = wide[("price", end)].to_numpy() if ("price", end) in wide else np.full(len(out), np.nan)
    out["price_0"] = np.where(np.isfinite(p0), p0, p1)  # a flow new in the period: its closing price
    out["price_1"] = np.where(np.isfinite(p1), p1, p0)
    return out.fillna(0.0)


def _yuan_factor(quantity_unit: str, price_unit: str) -> float:
    """元 per (1 quantity unit × 1 price unit): 1 for the catalogue's units (m³ at 元/m³ …)."""
    if not price_unit or quantity_unit == "yuan":
        return 1.0
    return float((quantity(1.0, quantity_unit) * quantity(1.0, price_unit)).to("yuan").magnitude)


def _extent_by_group(physical: dict, when: str, land: float) -> dict[str, float]:
    table = physical["extent"].table
    by = {}
    for eco, area in table.loc[when].drop("TOTAL").items():
        by[ecosystem_group(eco)] = by.get(ecosystem_group(eco), 0.0) + float(area)
    by[WHOLE_REGION] = land
    return by


def condition_account(physical: dict) -> pd.DataFrame:
    """The condition account of the term: one row per ecosystem type × indicator with the opening and
    closing values, their unit and the change of the condition index (closing / opening − 1, the opening
    being the reference level). Today: forest stock volume per hectare [m³/hm²] = forest stock / forest
    area, both from the physical accounts (GB/T 38582-2020 单位面积蓄积)."""
    rows = []
    if "forest_stock" in physical and "forest_area" in physical:
        stock, area = physical["forest_stock"].table, physical["forest_area"].table
        v0 = float(stock.loc["opening", "TOTAL"]) / float(area.loc["opening", "TOTAL"]) \
            if area.loc["opening", "TOTAL"] else np.nan
        v1 = float(stock.loc["closing", "TOTAL"]) / float(area.loc["closing", "TOTAL"]) \
            if area.loc["closing", "TOTAL"] else np.nan
        if np.isfinite(v0) and np.isfinite(v1) and v0 > 0:
            rows.append({"ecosystem_type": "forest", "indicator": "stock_per_hectare", "unit": "m³/hm²",
                         "opening": v0, "closing": v1, "index_opening": 1.0, "index_closing": v1 / v0,
                         "index_change": v1 / v0 - 1.0})
    return pd.DataFrame(rows, columns=["ecosystem_type", "indicator", "unit", "opening", "closing", "index_opening",
                                       "index_closing", "index_change"])


SHOWN_CODES = 30  # an unknown region's message lists at most this many of the inventory's codes


def check_region(inventory, region: str) -> None:
    """ValueError naming ``region`` and listing the inventory's region codes when it holds no such region."""
    regions = inventory.table("regions")
    codes = [str(c) for c in regions["code"]]
    if region in codes:
        return
    listed = ", ".join(f"{c} {n}" for c, n in zip(codes[:SHOWN_CODES], regions["name"].astype(str)))
    more = f", … ({len(codes)} in all)" if len(codes) > SHOWN_CODES else ""
    raise ValueError(f"region {region!r} is not in the inventory's regions table; its region codes: {listed}{more}")


def build_statement(inventory, register, results, region: str, start: int, end: int,
                    rate: float = DEFAULT_RATE, asset_life: float = DEFAULT_LIFE) -> Statement:
    """The statement of ``region`` for the term ``start`` → ``end`` (both accounting years of the results)."""
    for year in (start, end):
        if year not in results.years:
            raise ValueError(f"year {year} is not an accounting year of the results ({results.years})")
    if start >= end:
        raise ValueError("the term must end after it starts")
    check_region(inventory, region)
    regions = inventory.table("regions").set_index("code")
    land = float(regions.loc[region, "land_area"])
    physical = inventory_accounts(inventory, region, start, end)
    extent = physical["extent"]
    matrix = change_matrix(extent.table.loc["opening"].drop("TOTAL"), extent.changes)
    flows = expected_flows(results.services, region, start, end)
    extent_0 = _extent_by_group(physical, "opening", land)
    extent_1 = _extent_by_group(physical, "closing", land)
    # a flow attributed to an ecosystem the region has no area of (e.g. a product of a type not in the
    # extent table) is valued as part of the whole-region asset
    no_area = [t for t in set(flows["ecosystem_type"]) if t != WHOLE_REGION
               and extent_0.get(t, 0.0) == 0 and extent_1.get(t, 0.0) == 0]
    if no_area:
        flows = flows.assign(ecosystem_type=flows["ecosystem_type"].where(~flows["ecosystem_type"].isin(no_area),
                                                                          WHOLE_REGION))
        flows = flows.assign(v0=flows.quantity_0 * flows.price_0, v1=flows.quantity_1 * flows.price_1).groupby(
            ["ecosystem_type", "service"], as_index=False).agg(
            quantity_0=("quantity_0", "sum"), quantity_1=("quantity_1", "sum"), v0=("v0", "sum"), v1=("v1", "sum"),
            own_0=("price_0", "first"), own_1=("price_1", "first"))
        # a zero flow keeps its own year's price (expected_flows), a flow's price is its value per quantity
        p0 = (flows.v0 / flows.quantity_0.where(flows.quantity_0 != 0)).fillna(flows.own_0)
        p1 = (flows.v1 / flows.quantity_1.where(flows.quantity_1 != 0)).fillna(flows.own_1)
        # a flow absent in one year takes the other year's price, as expected_flows does (the decomposition
        # values a balance without flow at its own price: a placeholder there would be a price change)
        flows["price_0"] = p0.fillna(p1).fillna(1.0)
        flows["price_1"] = p1.fillna(p0).fillna(1.0)
        flows = flows.drop(columns=["v0", "v1", "own_0", "own_1"])
    types = sorted(set(flows["ecosystem_type"]))
    condition = condition_account(physical)
    condition_change = {t: 0.0 for t in types}
    condition_change.update({t: c for t, c in condition.groupby("ecosystem_type")["index_change"].mean().items()
                             if t in condition_change})
    monetary = monetary_asset_account(flows, {t: extent_0.get(t, 0.0) for t in types},
                                      {t: extent_1.get(t, 0.0) for t in types}, condition_change, rate, asset_life)
    sensitivity = discount_rate_sensitivity(flows, asset_life, rates=(rate, *SENSITIVITY_RATES))
    lia_start = liabilities(inventory, register, region, start - 1, start)
    lia_end = liabilities(inventory, register, region, start, end)
    account = monetary.account
    opening_value = float(account.loc["opening_value", "TOTAL"])
    closing_value = float(account.loc["closing_value", "TOTAL"])
    l0 = float(lia_start["value_yuan"].fillna(0).sum())
    l1 = float(lia_end["value_yuan"].fillna(0).sum())
    degradation = float(account.loc["degradation", "TOTAL"]) if "degradation" in account.index else 0.0
    summary = pd.DataFrame([
        {"item": "asset_value", "opening_yuan": opening_value, "closing_yuan": closing_value},
        {"item": "liabilities", "opening_yuan": l0, "closing_yuan": l1},
        {"item": "net_assets", "opening_yuan": opening_value - l0, "closing_yuan": closing_value - l1},
        {"item": "seea_degradation", "opening_yuan": np.nan, "closing_yuan": degradation},
    ])
    summary["change_yuan"] = summary["closing_yuan"] - summary["opening_yuan"]
    no_condition = [t for t in types if t not in set(condition["ecosystem_type"]) and t != WHOLE_REGION]
    notes = []  # each in both languages: the reports show one
    if len(condition):
        notes.append(bilingual("statement.note.condition"))
    if no_condition:
        notes.append(bilingual("statement.note.no_condition", groups={
            lang: text("list_separator", lang).join(label("group", t, lang) for t in no_condition) for lang in LANGUAGES}))
    notes.append(bilingual("statement.note.asset_value", start=start, end=end, rate=rate, life=asset_life))
    notes.append(bilingual("statement.note.unvalued_liabilities"))
    changes = inventory.table("changes")
    if "water" not in physical and (changes["account"] == "water").any():
        notes.append(bilingual("statement.note.no_water_account", start=start, end=end))
    if "water" in physical:
        notes.append(bilingual("statement.note.water_account"))
    return Statement(region, str(regions.loc[region, "name"]), start, end, rate, asset_life, physical, matrix,
                     flows, monetary, sensitivity, lia_start, lia_end, summary, notes, condition)

