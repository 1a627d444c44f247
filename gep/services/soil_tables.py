"""Calculators of soil retention and sand fixation, each a physical total and components derived from
it (formulas: :mod:`gep.services.soil`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..trace import TraceBuilder
from ..units import quantity
from . import soil
from .tables import Context, derived, extent_for, floats, indicator_spec, rows, trace_given, with_supplied


def soil_retention(ctx: Context) -> list[pd.DataFrame]:
    ext = extent_for(ctx, "soil_retention")
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    factors = ["rainfall_erosivity", "soil_erodibility", "slope_length_steepness", "cover_management",
               "support_practice"]
    moduli = (cond["potential_erosion"].notna() & cond["actual_erosion"].notna()).to_numpy()
    rusle = ~moduli & cond[factors].notna().all(axis=1).to_numpy()
    ok = moduli | rusle
    ctx.note_skipped("soil_retention", ext[~ok], "erosion moduli or RUSLE factors")
    ext, cond, prov, moduli, rusle = ext[ok].reset_index(drop=True), cond[ok].reset_index(drop=True), \
        prov[ok].reset_index(drop=True), moduli[ok], rusle[ok]
    a_p, a_r = floats(cond, "potential_erosion"), floats(cond, "actual_erosion")
    if rusle.any():
        pot, act = soil.rusle_erosion(quantity(floats(cond, factors[0]), soil.EROSIVITY),
                                      quantity(floats(cond, factors[1]), soil.ERODIBILITY),
                                      *(quantity(floats(cond, c), "1") for c in factors[2:]))
        a_p = np.where(rusle, pot.to("t/hectare").magnitude, a_p)
        a_r = np.where(rusle, act.to("t/hectare").magnitude, a_r)
    area = floats(ext, "area")
    retained = soil.soil_retained(quantity(a_p, "t/hectare"), quantity(a_r, "t/hectare"), quantity(area, "hectare"))
    q = with_supplied(ctx, "soil_retention", "soil_retained", ext, retained.to("t").magnitude)

    def chain(indicator: str, keys: pd.DataFrame = q.keys, own=None) -> list[TraceBuilder]:
        """The soil-retention chain, shared by the physical total and its three valued components (``keys``,
        extending ``q.keys`` with the figures supplied for a component only; ``own`` masks the figures supplied
        for the component itself, traced apart)."""
        out = trace_given(ctx, "soil_retention", indicator, q, symbol="Q_sr" if indicator != "soil_retained" else "Q",
                          unit="t", keys=keys, exclude=own)
        q_sr = "Q_sr" if indicator != "soil_retained" else "Q"
        pad = np.zeros(len(keys) - len(ext), dtype=bool)
        for use_rusle in (True, False):
            tb = ctx.tracer("soil_retention", indicator, keys,
                            q.computed_in(keys, own) & np.concatenate([rusle if use_rusle else moduli, pad]))
            if use_rusle:
                for sym, col, unit in (("R_e", factors[0], "MJ*mm/(hm2*h)"), ("K", factors[1], "t*h/(MJ*mm)"),
                                       ("LS", factors[2], "1"), ("C", factors[3], "1"), ("P_c", factors[4], "1")):
                    tb.input(sym, floats(cond, col), unit, "conditions", col, prov)
                tb.step("A_p", "R_e*K*LS", a_p, "t/hm2")
                tb.step("A_r", "A_p*C*P_c", a_r, "t/hm2")
            else:
                tb.input("A_p", a_p, "t/hm2", "conditions", "potential_erosion", prov)
                tb.input("A_r", a_r, "t/hm2", "conditions", "actual_erosion", prov)
            tb.input("A", area, "hm2", "extent", "area", ext)
            tb.step(q_sr, "MAX(A_p-A_r,0)*A", q.amounts, "t")
            out.append(tb)
        return out

    q_sr = quantity(q.amounts, "t")
    results = [rows(ctx, "soil_retention", "soil_retained", q, chain("soil_retained"))]
    for indicator, steps, coefs in (
        ("reduced_sedimentation", [("lam", "sediment_ratio", "1"), ("rho", "soil_bulk_density", "t/m3")],
         ("sediment_ratio", "soil_bulk_density")),
        ("reduced_nitrogen_loss", [("c_N", "soil_nitrogen_content", "1")], ("soil_nitrogen_content",)),
        ("reduced_phosphorus_loss", [("c_P", "soil_phosphorus_content", "1")], ("soil_phosphorus_content",)),
    ):
        price_key = ctx.method.price_key("soil_retention", indicator)  # N and P: the profile's price basis
        params = {sym: ctx.coef_for(key, q.keys) for sym, key, _ in steps}
        if indicator == "reduced_sedimentation":
            amount = soil.reduced_sedimentation(q_sr, quantity(params["lam"].values, "1"),
                                                quantity(params["rho"].values, "t/m**3")).to("m**3").magnitude
            expr = "lam*Q_sr/rho"
        else:
            (sym,) = params
            amount = soil.nutrient_loss_reduction(q_sr, quantity(params[sym].values, "1")).to("t").magnitude
            expr = f"Q_sr*{sym}"
        component, own = derived(ctx, "soil_retention", indicator, q, amount)
        traces = chain(indicator, component.keys, own)
        for tb in traces:
            for sym, _, unit in steps:
                tb.coefficient(sym, params[sym].values, unit, params[sym].rows)
            tb.step("Q", expr, component.amounts, indicator_spec("soil_retention", indicator)["unit"])
        traces += trace_given(ctx, "soil_retention", indicator, component, exclude=~own)
        results.append(rows(ctx, "soil_retention", indicator, component, traces,
                            price=ctx.coef_for(price_key, component.keys), price_symbol="C_v", coefficients=coefs))
    return results


def sand_fixation(ctx: Context) -> list[pd.DataFrame]:
    ext = extent_for(ctx, "sand_fixation")
    moduli = ctx.inventory.table("conditions")[["potential_wind_erosion", "actual_wind_erosion"]].notna()
    if not moduli.all(axis=1).any():  # no wind erosion anywhere (most counties): nothing to look up
        ctx.skip("sand_fixation", len(ext))  # the note below says why
        ext = ext.iloc[:0]
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = (cond["potential_wind_erosion"].notna() & cond["actual_wind_erosion"].notna()).to_numpy()
    ctx.note_skipped("sand_fixation", ext[~ok], "wind-erosion moduli")
    ext, cond, prov = (f[ok].reset_index(drop=True) for f in (ext, cond, prov))
    pot, act, area = floats(cond, "potential_wind_erosion"), floats(cond, "actual_wind_erosion"), floats(ext, "area")
    fixed = soil.sand_fixed(quantity(pot, "t/hectare"), quantity(act, "t/hectare"), quantity(area, "hectare"))
    q = with_supplied(ctx, "sand_fixation", "sand_fixed", ext, fixed.to("t").magnitude)
    if not len(q.keys) and not len(ctx.supplied("sand_fixation", "desertification_avoided")):
        ctx.notes.append("sand_fixation: no wind-erosion moduli in the inventory; not computed")
        return []
    rho, h = ctx.coef_for("sand_bulk_density", q.keys), ctx.coef_for("sand_layer_thickness", q.keys)
    avoided = soil.desertification_avoided(quantity(q.amounts, "t"), quantity(rho.values, "t/m**3"),
                                           quantity(h.values, "m")).to("m**2").magnitude
    component, own = derived(ctx, "sand_fixation", "desertification_avoided", q, avoided)

    def chain(indicator: str, keys: pd.DataFrame = q.keys, own=None) -> list[TraceBuilder]:
        """Sand fixed from the wind-erosion moduli, or given; ``keys`` and ``own`` as in soil retention."""
        sym = "Q" if indicator == "sand_fixed" else "Q_sf"
        tb = ctx.tracer("sand_fixation", indicator, keys, q.computed_in(keys, own))
        tb.input("S_p", pot, "t/hm2", "conditions", "potential_wind_erosion", prov)
        tb.input("S_a", act, "t/hm2", "conditions", "actual_wind_erosion", prov)
        tb.input("A", area, "hm2", "extent", "area", ext)
        tb.step(sym, "MAX(S_p-S_a,0)*A", q.amounts, "t")
        return [*trace_given(ctx, "sand_fixation", indicator, q, symbol=sym, keys=keys, exclude=own), tb]

    traces = chain("desertification_avoided", component.keys, own)
    for tb in traces:
        tb.coefficient("rho_s", rho.values, "t/m3", rho.rows)
        tb.coefficient("h", h.values, "m", h.rows)
        tb.step("Q", "Q_sf/(rho_s*h)", component.amounts, "m2")
    traces += trace_given(ctx, "sand_fixation", "desertification_avoided", component, exclude=~own)
    return [rows(ctx, "sand_fixation", "sand_fixed", q, chain("sand_fixed")),
            rows(ctx, "sand_fixation", "desertification_avoided", component,
                 traces, price=ctx.coef_for("desertification_control_cost", component.keys), price_symbol="C",
                 coefficients=("sand_bulk_density", "sand_layer_thickness"))]
