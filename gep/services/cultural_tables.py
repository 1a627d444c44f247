"""Calculators of the cultural services, recreation and landscape (formulas:
:mod:`gep.services.cultural`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..units import quantity
from . import cultural
from .tables import COMPUTED, PROVENANCE, Context, Quantities, floats, rows


def recreation(ctx: Context) -> list[pd.DataFrame]:
    tourism = ctx.inventory.table("tourism").reset_index(drop=True)
    if not len(tourism):
        return []
    visits, revenue = floats(tourism, "visits"), floats(tourism, "revenue")
    time_cost = np.nan_to_num(floats(tourism, "time_cost_per_visit"))
    per_visit = floats(tourism, "spending_per_visit")
    from_revenue = np.isnan(per_visit)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_visit = np.where(from_revenue, revenue / visits, per_visit)
    ok = ~np.isnan(per_visit)
    keys = pd.DataFrame({"region_code": tourism["region_code"], "year": tourism["year"], "ecosystem": "all"})
    ctx.note_skipped("recreation", keys[~ok], "spending per visit or tourism revenue")
    t = tourism[ok].reset_index(drop=True)
    keys, visits, per_visit, time_cost, from_revenue, revenue = (
        keys[ok].reset_index(drop=True), visits[ok], per_visit[ok], time_cost[ok], from_revenue[ok], revenue[ok])
    value = cultural.recreation_value(quantity(visits, "visit"), quantity(per_visit, "yuan/visit"),
                                      quantity(time_cost, "yuan/visit")).to("yuan").magnitude
    for by_revenue in (False, True):
        tb = ctx.tracer("recreation", "visits", keys, from_revenue == by_revenue)
        tb.input("Q", visits, "visit", "tourism", "visits", t)
        if by_revenue:
            tb.input("Rev", revenue, "yuan", "tourism", "revenue", t)
            tb.step("TC", "Rev/Q", per_visit, "yuan/visit")
        else:
            tb.input("TC", per_visit, "yuan/visit", "tourism", "spending_per_visit", t)
        tb.input("TV", time_cost, "yuan/visit", "tourism", "time_cost_per_visit", t)
        tb.step("V", "Q*(TC+TV)", value, "yuan")
    q = Quantities(keys, visits, np.where(from_revenue, "revenue_per_visit", COMPUTED).astype(object), t[PROVENANCE])
    return [rows(ctx, "recreation", "visits", q, [], prices=per_visit + time_cost, price_unit="yuan/visit",
                 values=value, note="travel cost = spending per visit + time cost; consumer surplus excluded")]


def landscape(ctx: Context) -> list[pd.DataFrame]:
    land = ctx.inventory.table("landscape").reset_index(drop=True)
    if not len(land):
        ctx.notes.append("landscape: no benefiting floor area in the inventory; not computed")
        return []
    keys = pd.DataFrame({"region_code": land["region_code"], "year": land["year"], "ecosystem": "all"})
    area, premium = floats(land, "benefiting_floor_area"), floats(land, "price_premium")
    value = cultural.landscape_value(quantity(area, "m**2"), quantity(premium, "yuan/m**2")).to("yuan").magnitude
    tb = ctx.tracer("landscape", "benefiting_floor_area", keys)
    tb.input("Q", area, "m2", "landscape", "benefiting_floor_area", land)
    tb.input("p", premium, "yuan/m2", "landscape", "price_premium", land)
    tb.step("V", "Q*p", value, "yuan")
    q = Quantities(keys, area, np.full(len(keys), COMPUTED, dtype=object), land[PROVENANCE])
    return [rows(ctx, "landscape", "benefiting_floor_area", q, [], prices=premium, price_unit="yuan/m**2",
                 values=value)]
