"""Calculators of water conservation and flood regulation: the inventory's conditions, water bodies
and extent fed to :mod:`gep.services.water`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..units import quantity
from . import water
from .tables import VEGETATION, Context, extent_for, floats, parts_trace, rows, trace_given, with_supplied


def water_conservation(ctx: Context) -> list[pd.DataFrame]:
    ext = extent_for(ctx, "water_conservation")
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = (cond["precipitation"].notna() & cond["evapotranspiration"].notna()).to_numpy()
    ctx.note_skipped("water_conservation", ext[~ok], "precipitation or evapotranspiration")
    ext, cond, prov = (f[ok].reset_index(drop=True) for f in (ext, cond, prov))
    alpha_in = floats(cond, "runoff_coefficient")
    from_register = np.isnan(alpha_in)
    alpha_reg = ctx.coef_for("runoff_coefficient", ext) if from_register.any() else None
    alpha = np.where(from_register, alpha_reg.values, alpha_in) if alpha_reg else alpha_in
    p, et, area = floats(cond, "precipitation"), floats(cond, "evapotranspiration"), floats(ext, "area")
    runoff = water.storm_runoff(quantity(p, "mm"), quantity(alpha, "1"))
    retained = water.water_conservation(quantity(p, "mm"), runoff, quantity(et, "mm"), quantity(area, "hectare"))
    q = with_supplied(ctx, "water_conservation", "water_retained", ext, retained.to("m**3").magnitude)
    traces = trace_given(ctx, "water_conservation", "water_retained", q)
    for mask_reg in (True, False):  # runoff coefficient from the register or from the inventory
        sel = q.computed_mask & np.concatenate([from_register == mask_reg,
                                                np.zeros(len(q.keys) - len(ext), dtype=bool)])
        if not sel.any():
            continue
        tb = ctx.tracer("water_conservation", "water_retained", q.keys, sel)
        tb.input("P", p, "mm", "conditions", "precipitation", prov)
        if mask_reg:
            tb.coefficient("alpha", alpha, "1", alpha_reg.rows)
        else:
            tb.input("alpha", alpha, "1", "conditions", "runoff_coefficient", prov)
        tb.input("ET", et, "mm", "conditions", "evapotranspiration", prov)
        tb.input("A", area, "hm2", "extent", "area", ext)
        tb.step("R", "P*alpha", runoff.to("mm").magnitude, "mm")
        tb.step("Q", "MAX(P-R-ET,0)*A*10", q.amounts, "m3")
        traces.append(tb)
    extra = ("runoff_coefficient",) if from_register.any() else ()
    return [rows(ctx, "water_conservation", "water_retained", q, traces,
                 price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res", coefficients=extra)]


#: a water body without its storage or area is left out of its region-year's figure, not the figure itself
BODIES_SKIPPED = dict(cases="water body(ies)", named_by="name",
                      consequence="the figure of its region and year counts the other water bodies")


def flood_regulation(ctx: Context) -> list[pd.DataFrame]:
    out = []
    bodies = ctx.inventory.table("water_bodies")
    # a reservoir needs its total or flood storage, a lake its area
    measured = np.where(bodies["kind"] == "reservoir", bodies["total_storage"].notna() | bodies["flood_storage"].notna(),
                        bodies["area"].notna())
    ctx.note_skipped("flood_regulation", bodies[~measured].assign(ecosystem=np.where(
        bodies["kind"][~measured] == "reservoir", "wetland_reservoir", "wetland_lake")),
        "total or flood storage (reservoir) or water area (lake)", **BODIES_SKIPPED)
    ratio_only = ctx.method.option("flood_regulation.reservoir_storage") == "ratio_of_total"
    if ratio_only:  # every reservoir as k × total storage: a flood capacity alone does not give it
        lacking = measured & (bodies["kind"] == "reservoir").to_numpy() & bodies["total_storage"].isna().to_numpy()
        ctx.note_skipped("flood_regulation", bodies[lacking].assign(ecosystem="wetland_reservoir"),
                         "total storage (the method profile takes every reservoir as k × its total storage)",
                         requires=(("water_bodies.total_storage",),), **BODIES_SKIPPED)
        measured = measured & ~lacking
    reservoirs = bodies[(bodies["kind"] == "reservoir") & measured].reset_index(drop=True)
    if len(reservoirs) or len(ctx.supplied("flood_regulation", "reservoir_storage")):
        declared = floats(reservoirs, "flood_storage")
        if ratio_only:
            declared = np.full(len(reservoirs), np.nan)  # every reservoir as k × total storage
        keys = reservoirs[["region_code", "year"]].drop_duplicates().assign(ecosystem="wetland_reservoir")
        keys = keys.reset_index(drop=True)
        ratio = ctx.coef_for("reservoir_flood_ratio", keys)
        per_res_ratio = pd.Series(ratio.values, index=pd.MultiIndex.from_frame(keys[["region_code", "year"]]))
        k_res = per_res_ratio.loc[list(zip(reservoirs["region_code"], reservoirs["year"]))].to_numpy()
        storage = np.where(np.isnan(declared), water.reservoir_flood_storage(
            quantity(floats(reservoirs, "total_storage"), "m**3"), quantity(k_res, "1")).to("m**3").magnitude, declared)
        per_region = keys.merge(reservoirs.assign(storage=storage).groupby(["region_code", "year"], as_index=False)
                                ["storage"].sum(), on=["region_code", "year"])
        q = with_supplied(ctx, "flood_regulation", "reservoir_storage", per_region, per_region["storage"].to_numpy())
        tb = ctx.tracer("flood_regulation", "reservoir_storage", q.keys, q.computed_mask)
        with_declared = reservoirs[~np.isnan(declared)]
        without = reservoirs[np.isnan(declared)]
        c_f = parts_trace(tb, "C_f", with_declared, "flood_storage", "m3", "water_bodies", q.keys)
        c_t = parts_trace(tb, "C_t", without, "total_storage", "m3", "water_bodies", q.keys)
        tb.coefficient("k_r", np.concatenate([ratio.values, np.full(len(q.keys) - len(keys), np.nan)]), "1",
                       ratio.rows)
        tb.step("Q", f"({c_f})+k_r*({c_t})", q.amounts, "m3")
        coefs = ("reservoir_flood_ratio",) if np.isnan(declared).any() else ()
        out.append(rows(ctx, "flood_regulation", "reservoir_storage", q,
                        [*trace_given(ctx, "flood_regulation", "reservoir_storage", q), tb],
                        price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res", coefficients=coefs))
    lakes = bodies[(bodies["kind"] == "lake") & bodies["area"].notna()].reset_index(drop=True)
    if len(lakes) or len(ctx.supplied("flood_regulation", "lake_storage")):
        keys = lakes[["region_code", "year"]].drop_duplicates().assign(ecosystem="wetland_lake").reset_index(drop=True)
        a, b, t = (ctx.coef_for(k, keys) for k in ("lake_flood_log_coefficient", "lake_flood_exponent", "lake_turnover"))
        idx = pd.MultiIndex.from_frame(keys[["region_code", "year"]])
        lake_keys = list(zip(lakes["region_code"], lakes["year"]))
        per_lake = [pd.Series(c.values, index=idx).loc[lake_keys].to_numpy() for c in (a, b, t)]
        storage = water.lake_flood_storage(quantity(floats(lakes, "area"), "hectare"),
                                           *(quantity(v, "1") for v in per_lake)).to("m**3").magnitude
        per_region = keys.merge(lakes.assign(storage=storage).groupby(["region_code", "year"], as_index=False)
                                ["storage"].sum(), on=["region_code", "year"])
        q = with_supplied(ctx, "flood_regulation", "lake_storage", per_region, per_region["storage"].to_numpy())
        tb = ctx.tracer("flood_regulation", "lake_storage", q.keys, q.computed_mask)
        areas = parts_trace(tb, "A", lakes, "area", "hm2", "water_bodies", q.keys).split("+")
        pad = np.full(len(q.keys) - len(keys), np.nan)
        for sym, c in (("a", a), ("b", b), ("T", t)):
            tb.coefficient(sym, np.concatenate([c.values, pad]), "1", c.rows)
        # C_l = e^a × (A/100 km²)^b × T [万m³] per lake, summed; A in hm²
        tb.step("Q", "+".join(f"EXP(a)*({s}/100)^b*T*10000" for s in areas), q.amounts, "m3")
        out.append(rows(ctx, "flood_regulation", "lake_storage", q,
                        [*trace_given(ctx, "flood_regulation", "lake_storage", q), tb],
                        price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res",
                        coefficients=("lake_flood_log_coefficient", "lake_flood_exponent", "lake_turnover")))
    ext = ctx.inventory.table("extent")
    swamps = ext[(ext["ecosystem"] == "wetland_swamp") & (ext["area"] > 0)].reset_index(drop=True)
    if len(swamps) or len(ctx.supplied("flood_regulation", "swamp_storage")):
        depth = ctx.coef_for("swamp_storage_depth", swamps)
        storage = water.swamp_flood_storage(quantity(floats(swamps, "area"), "hectare"), quantity(depth.values, "m"))
        q = with_supplied(ctx, "flood_regulation", "swamp_storage", swamps, storage.to("m**3").magnitude)
        tb = ctx.tracer("flood_regulation", "swamp_storage", q.keys, q.computed_mask)
        tb.input("A", floats(swamps, "area"), "hm2", "extent", "area", swamps)
        tb.coefficient("d", depth.values, "m", depth.rows)
        tb.step("Q", "A*d*10000", q.amounts, "m3")
        out.append(rows(ctx, "flood_regulation", "swamp_storage", q,
                        [*trace_given(ctx, "flood_regulation", "swamp_storage", q), tb],
                        price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res",
                        coefficients=("swamp_storage_depth",)))
    out += _vegetation_storage(ctx, ctx.method.option("flood_regulation.vegetation_storage") == "included")
    return out


def _vegetation_storage(ctx: Context, computed: bool) -> list[pd.DataFrame]:
    """The vegetation storm-water term of flood regulation, where the climate table gives storm rainfall and
    the method profile counts it (``computed``); a supplied figure of it counts whatever the profile says."""
    veg = ctx.inventory.table("extent")
    veg = veg[veg["ecosystem"].isin(VEGETATION) & (veg["area"] > 0)].reset_index(drop=True)
    if not computed:
        veg = veg.iloc[:0]
    clim, clim_prov = ctx.inherited("climate", veg, ["year"])
    storm = floats(clim, "storm_precipitation")
    ok = ~np.isnan(storm)
    ctx.note_skipped("flood_regulation", veg[~ok], "storm precipitation for the vegetation term",
                     requires=(("climate.storm_precipitation",),))
    if not ok.any() and not len(ctx.supplied("flood_regulation", "vegetation_storage")):
        return []
    e, storm, prov = veg[ok].reset_index(drop=True), storm[ok], clim_prov[ok].reset_index(drop=True)
    alpha = ctx.coef_for("storm_runoff_coefficient", e)
    area = floats(e, "area")
    held = water.vegetation_storm_storage(quantity(storm, "mm"), quantity(alpha.values, "1"), quantity(area, "hectare"))
    q = with_supplied(ctx, "flood_regulation", "vegetation_storage", e, held.to("m**3").magnitude)
    tb = ctx.tracer("flood_regulation", "vegetation_storage", q.keys, q.computed_mask)
    tb.input("P_s", storm, "mm", "climate", "storm_precipitation", prov)
    tb.coefficient("alpha_s", alpha.values, "1", alpha.rows)
    tb.input("A", area, "hm2", "extent", "area", e)
    tb.step("R_s", "P_s*alpha_s", storm * alpha.values, "mm")
    tb.step("Q", "MAX(P_s-R_s,0)*A*10", q.amounts, "m3")
    return [rows(ctx, "flood_regulation", "vegetation_storage", q,
                 [*trace_given(ctx, "flood_regulation", "vegetation_storage", q), tb],
                 price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res",
                 coefficients=("storm_runoff_coefficient",))]
