"""Calculator of climate regulation — transpiration cooling and water-surface evaporation — as the
method profile chooses (formulas: :mod:`gep.services.climate`; profile-derived inputs:
:mod:`gep.method_inputs`).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..method_inputs import CoolingDays, cooling_days, water_surface_factors
from ..units import quantity
from . import climate
from .tables import VEGETATION, Coef, Context, extent_for, floats, rows, trace_given, with_supplied

WATER_SURFACES = ("wetland_swamp", "wetland_lake", "wetland_reservoir", "wetland_river")


def _tracers_by_days(ctx: Context, service: str, indicator: str, keys: pd.DataFrame, mask: np.ndarray,
                     cd: CoolingDays | None):
    """One tracer per way the masked figures' cooling days D were obtained, with D's symbols recorded: D as
    the climate table gives it, or D carried from a station's D_s at h_s (the climate row's station elevation,
    or its region's mean elevation) to the region's mean elevation h. Without ``cd`` (a formula without D),
    one tracer for the mask."""
    if cd is None:
        if mask.any():
            yield ctx.tracer(service, indicator, keys, mask)
        return
    pad = np.zeros(len(keys) - len(cd.days), dtype=bool)
    for adjusted, from_climate in ((False, None), (True, True), (True, False)):
        sel = cd.adjusted if adjusted else ~cd.adjusted
        if adjusted:
            sel = sel & (cd.reference_from_climate == from_climate)
        m = mask & np.concatenate([sel, pad])
        if not m.any():
            continue
        tb = ctx.tracer(service, indicator, keys, m)
        if not adjusted:
            tb.input("D", cd.given, "d", "climate", "cooling_days", cd.climate_prov)
        else:
            tb.input("D_s", cd.given, "d", "climate", "cooling_days", cd.climate_prov)
            tb.input("h", cd.elevation, "m", "regions", "elevation", cd.elevation_prov)
            tb.input("h_s", cd.reference, "m", *(("climate", "station_elevation") if from_climate
                                                  else ("regions", "elevation")), cd.reference_prov)
            tb.coefficient("G", cd.lapse.values, "K/m", cd.lapse.rows)
            tb.coefficient("sigma", cd.spread.values, "K", cd.spread.rows)
            tb.step("D", "365*NORMSDIST(NORMSINV(D_s/365)-G*(h-h_s)/sigma)", cd.days, "d")
        yield tb


def _picked(coef: Coef, mask: np.ndarray) -> tuple[np.ndarray, list]:
    """A coefficient's values and rows for the masked figures."""
    return coef.values[mask], [r for r, m in zip(coef.rows, mask) if m]


def _rows_for(coef: Coef, looked_up: np.ndarray, kept: np.ndarray) -> list:
    """The rows of a coefficient looked up for the figures ``looked_up``, laid out over the figures ``kept``
    (a figure it was not looked up for holds some row of it, never read: its trace uses another formula)."""
    rows = np.empty(len(looked_up), dtype=object)
    rows[:] = [coef.rows[0]] * len(looked_up)
    rows[np.flatnonzero(looked_up)] = coef.rows
    return list(rows[kept])


def _subset(days: CoolingDays, mask: np.ndarray) -> CoolingDays:
    """The cooling days of the masked figures, their provenance and coefficients alike."""
    def cut(x):
        if x is None:
            return None
        if isinstance(x, pd.DataFrame):
            return x[mask].reset_index(drop=True)
        if isinstance(x, Coef):
            return Coef(x.key, x.values[mask], x.rows[mask], x.unit)
        return x[mask]
    return CoolingDays(*(cut(getattr(days, f.name)) for f in dataclasses.fields(CoolingDays)))


def climate_regulation(ctx: Context) -> list[pd.DataFrame]:
    """Transpiration cooling and water-surface evaporation (局部气候调节), as the method profile chooses: where
    EPP comes from, which cooling days, and the day share, divisor and humidifier of the water term
    (:mod:`gep.method_inputs`; formulas in :mod:`gep.services.climate`)."""
    out = []
    ext = extent_for(ctx, "climate_regulation")
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    clim, clim_prov = ctx.inherited("climate", ext, ["year"])
    latent = ctx.coef_for("latent_heat_vaporisation", ext)
    density = ctx.coef_for("water_density", ext)
    method = ctx.method

    veg = ext["ecosystem"].isin(VEGETATION).to_numpy()
    epp_in = floats(cond, "transpiration_heat")
    et = floats(cond, "evapotranspiration")
    heat_option = method.option("climate_regulation.transpiration_heat")
    # where EPP comes from, per figure: the inventory's own EPP, else the profile's choice
    from_table = veg & np.isnan(epp_in) & (heat_option == "epp_table") & ctx.has_rows("transpiration_heat",
                                                                                      ext["ecosystem"])
    derived = veg & np.isnan(epp_in) & ~np.isnan(et) & (heat_option != "epp_table")
    epp = epp_in.copy()
    share = np.ones(len(ext))
    share_coef = ctx.coef_for("transpiration_share", ext[derived]) \
        if heat_option == "transpiration_share" and derived.any() else None
    if share_coef is not None:
        share[derived] = share_coef.values
    if derived.any():
        epp[derived] = climate.transpiration_heat_from_et(
            quantity(et[derived], "mm"), quantity(latent.values[derived], "kJ/kg"),
            quantity(density.values[derived], "kg/m**3"), quantity(share[derived], "1")).to("kJ/(m**2*day)").magnitude
    table = ctx.coef_for("transpiration_heat", ext[from_table]) if from_table.any() else None
    if table is not None:
        epp[from_table] = table.values
    days_all = cooling_days(ctx, ext, clim, clim_prov)
    ok = veg & ~np.isnan(epp) & ~np.isnan(days_all.days)
    missing = "transpiration heat (EPP) or cooling days" if heat_option == "epp_table" else \
        "transpiration heat/ET or cooling days"
    ctx.note_skipped("climate_regulation", ext[veg & ~ok], missing,
                     requires=(("conditions.transpiration_heat", "climate.cooling_days"),)
                     if heat_option == "epp_table" else None)
    if ok.any() or len(ctx.supplied("climate_regulation", "transpiration_cooling")):
        e, c, p = (f[ok].reset_index(drop=True) for f in (ext, cond, prov))
        cd = _subset(days_all, ok)
        eer = ctx.coef_for("ac_energy_efficiency_ratio", e)
        area = floats(e, "area")
        energy = climate.transpiration_cooling(quantity(epp[ok], "kJ/(m**2*day)"), quantity(area, "hectare"),
                                               quantity(cd.days, "day"), quantity(eer.values, "1"))
        q = with_supplied(ctx, "climate_regulation", "transpiration_cooling", e, energy.to("kWh").magnitude)
        traces = trace_given(ctx, "climate_regulation", "transpiration_cooling", q)
        pad = np.zeros(len(q.keys) - len(e), dtype=bool)
        source = np.where(derived[ok], "share" if share_coef is not None else "et",
                          np.where(from_table[ok], "table", "own"))
        (q_values, q_rows), (rho_values, rho_rows) = _picked(latent, ok), _picked(density, ok)
        for kind in ("own", "et", "share", "table"):
            for tb in _tracers_by_days(ctx, "climate_regulation", "transpiration_cooling", q.keys,
                                       q.computed_mask & np.concatenate([source == kind, pad]), cd):
                if kind == "own":
                    tb.input("EPP", epp[ok], "kJ/(m2*d)", "conditions", "transpiration_heat", p)
                elif kind == "table":
                    tb.coefficient("EPP", epp[ok], "kJ/(m2*d)", _rows_for(table, from_table, ok))
                else:
                    tb.input("ET", et[ok], "mm", "conditions", "evapotranspiration", p)
                    if kind == "share":
                        tb.coefficient("s_T", share[ok], "1", _rows_for(share_coef, derived, ok))
                    tb.coefficient("q", q_values, "kJ/kg", q_rows)
                    tb.coefficient("rho", rho_values, "kg/m3", rho_rows)
                    tb.step("EPP", ("s_T*" if kind == "share" else "") + "ET/1000/365*rho*q", epp[ok], "kJ/(m2*d)")
                tb.input("A", area, "hm2", "extent", "area", e)
                tb.coefficient("r", eer.values, "1", eer.rows)
                tb.step("Q", "EPP*A*10000*D/3600/r", q.amounts, "kWh")
                traces.append(tb)
        extra = (("latent_heat_vaporisation", "water_density") if derived[ok].any() else ()) + \
            (("transpiration_share",) if share_coef is not None and derived[ok].any() else ()) + \
            (("transpiration_heat",) if from_table[ok].any() else ()) + \
            (("temperature_lapse_rate", "daily_tmax_sd") if cd.adjusted.any() else ())
        out.append(rows(ctx, "climate_regulation", "transpiration_cooling", q, traces,
                        price=ctx.coef_for("electricity_price", q.keys), price_symbol="P_e",
                        coefficients=("ac_energy_efficiency_ratio", *extra)))

    counts_days = method.option("climate_regulation.water_surface_days") == "cooling_days"
    water = ext["ecosystem"].isin(WATER_SURFACES).to_numpy() & ~np.isnan(et)
    wet = water & (~np.isnan(days_all.days) if counts_days else True)
    ctx.note_skipped("climate_regulation", ext[water & ~wet], "cooling days (the water-surface term counts them)",
                     requires=(("climate.cooling_days",),))
    if wet.any() or len(ctx.supplied("climate_regulation", "water_surface_evaporation")):
        e, p, cl = (f[wet].reset_index(drop=True) for f in (ext, prov, clim))
        cd = _subset(days_all, wet)
        factors = water_surface_factors(ctx, e, cd.days, cl)
        gamma = ctx.coef_for("humidifier_power", e)
        area = floats(e, "area")
        evaporated = (quantity(et[wet], "mm") * quantity(area, "hectare")).to("m**3")
        energy = climate.water_surface_evaporation(
            evaporated, quantity(latent.values[wet], "kJ/kg"), quantity(density.values[wet], "kg/m**3"),
            quantity(gamma.values, "kWh/m**3"), quantity(factors.day_share, "1"), quantity(factors.divisor, "1"),
            quantity(factors.humidifier, "1"))
        q = with_supplied(ctx, "climate_regulation", "water_surface_evaporation", e, energy.to("kWh").magnitude)
        traces = trace_given(ctx, "climate_regulation", "water_surface_evaporation", q)
        pad = np.zeros(len(q.keys) - len(e), dtype=bool)
        base = "W_D" if counts_days else "W"
        divided = factors.divisor_coef is not None
        cooling_expr = f"{base}*rho*q/3600" + ("/r" if divided else "")
        known = ~np.isnan(factors.humidity)
        counted = factors.humidifier == 1.0
        (q_values, q_rows), (rho_values, rho_rows) = _picked(latent, wet), _picked(density, wet)
        # a formula per case: humidifying counted, not counted below … above the threshold, or without a humidity
        groups = [(counted, 1.0, False)] if factors.threshold is None else \
            [(counted, 1.0, True), (~counted & known, 0.0, True), (~counted & ~known, 0.0, False)]
        for sel, humid, rh_known in groups:
            mask = q.computed_mask & np.concatenate([sel, pad])
            for tb in _tracers_by_days(ctx, "climate_regulation", "water_surface_evaporation", q.keys, mask,
                                       cd if counts_days else None):
                tb.input("ET", et[wet], "mm", "conditions", "evapotranspiration", p)
                tb.input("A", area, "hm2", "extent", "area", e)
                tb.coefficient("q", q_values, "kJ/kg", q_rows)
                tb.coefficient("rho", rho_values, "kg/m3", rho_rows)
                if divided:
                    tb.coefficient("r", factors.divisor, "1", factors.divisor_coef.rows)
                if factors.threshold is not None and rh_known:  # what decided whether humidifying counts
                    tb.input("RH", factors.humidity, "1", "climate", "relative_humidity", cd.climate_prov)
                    tb.coefficient("RH_0", factors.threshold.values, "1", factors.threshold.rows)
                if humid:
                    tb.coefficient("gamma", gamma.values, "kWh/m3", gamma.rows)
                tb.step("W", "ET*A*10", evaporated.magnitude, "m3")
                if counts_days:
                    tb.step("W_D", "W*D/365", evaporated.magnitude * factors.day_share, "m3")
                tb.step("Q", cooling_expr + (f"+{base}*gamma" if humid else ""), q.amounts, "kWh")
                traces.append(tb)
        extra = (("ac_energy_efficiency_ratio",) if divided else ()) + \
            (("humidity_threshold",) if factors.threshold is not None else ()) + \
            (("humidifier_power",) if factors.humidifier.any() else ()) + \
            (("temperature_lapse_rate", "daily_tmax_sd") if counts_days and cd.adjusted.any() else ())
        out.append(rows(ctx, "climate_regulation", "water_surface_evaporation", q, traces,
                        price=ctx.coef_for("electricity_price", q.keys), price_symbol="P_e",
                        coefficients=(*extra, "latent_heat_vaporisation", "water_density")))
    return out
