"""Calculators of air and water purification: emissions, capped by the purification capacity of
the region's ecosystems where the register declares one (formulas:
:mod:`gep.services.purification`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalogue import inventory_spec
from ..units import quantity
from . import purification
from .tables import Context, floats, rows, trace_given, with_supplied


def _subtree_extent(ctx: Context) -> pd.DataFrame:
    """Ecosystem area of every region including its descendants, by year and ecosystem."""
    ext = ctx.inventory.table("extent")
    links = pd.DataFrame([(code, target) for code in ctx.parents for target in ctx.lineage(code)],
                         columns=["region_code", "target"])
    merged = ext.merge(links, on="region_code")
    return merged.groupby(["target", "year", "ecosystem"], as_index=False)["area"].sum().rename(
        columns={"target": "region_code"})


def purification_service(ctx: Context, service: str, medium: str) -> list[pd.DataFrame]:
    emissions = ctx.inventory.table("emissions")
    vocab = inventory_spec()["vocabularies"]["pollutant"]
    out = []
    areas = None
    for pollutant, entry in vocab.items():
        if entry["medium"] != medium:
            continue
        em = emissions[emissions["pollutant"] == pollutant].reset_index(drop=True)
        if not len(em) and not len(ctx.supplied(service, pollutant)):
            continue
        keys = pd.DataFrame({"region_code": em["region_code"], "year": em["year"], "ecosystem": "all"})
        capacity_key = f"purification_capacity_{pollutant}"
        has_capacity = any(k[0] == capacity_key for k in ctx.register.rows)
        capacity = None
        if has_capacity:
            areas = _subtree_extent(ctx) if areas is None else areas
            totals = []
            for r in em.itertuples():
                a = areas[(areas["region_code"] == r.region_code) & (areas["year"] == r.year)]
                a = a[[ctx.register.has(capacity_key, e) for e in a["ecosystem"]]]
                c = ctx.coef(capacity_key, a["ecosystem"], [r.region_code] * len(a))
                totals.append(float(np.dot(c.values, a["area"].to_numpy(dtype=float))))
            capacity = quantity(np.array(totals), "t")
        purified = purification.purified_amount(quantity(floats(em, "amount"), "t"), capacity)
        q = with_supplied(ctx, service, pollutant, keys, purified.to("t").magnitude)
        tb = ctx.tracer(service, pollutant, q.keys, q.computed_mask)
        tb.input("E", floats(em, "amount"), "t", "emissions", "amount", em)
        if capacity is not None:
            # Σ_j q_j·A_j over the region's ecosystems, written as its number (its terms are in the register)
            cap = capacity.to("t").magnitude
            tb.step("Cap", np.array([repr(float(c)) for c in cap], dtype=object), cap, "t")
            tb.step("Q", "MIN(E,Cap)", q.amounts, "t")
        else:
            tb.step("Q", "E", q.amounts, "t")
        note = "" if capacity is not None else "emission taken as purified amount (no capacity declared)"
        out.append(rows(ctx, service, pollutant, q, [*trace_given(ctx, service, pollutant, q), tb],
                        price=ctx.coef_for(f"treatment_cost_{pollutant}", q.keys), price_symbol="C",
                        coefficients=(capacity_key,) if capacity is not None else (), note=note))
    return out
