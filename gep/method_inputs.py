"""What a method profile derives from the inventory before the climate formulas apply, per region × year ×
ecosystem: the cooling days carried to a region's elevation, and the factors of the water-surface term.

One source for the three ways a figure is computed — the calculators (:mod:`gep.services.tables`), the gridded
kernels (:mod:`gep.grid`) and the parcels (:mod:`gep.parcels`) — so they agree under every profile. The
calculators also read the provenance kept here, to trace each derived value to its cells and register rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .phrases import text
from .services.climate import DAYS_PER_YEAR, cooling_days_at_elevation
from .units import quantity

#: kernel arguments a method profile supplies (beside layers, region tables and register keys)
METHOD_ARGUMENTS = ("cooling_days", "transpiration_share", "water_surface_days_counted", "water_surface_divisor",
                    "humidifier_factor")
#: those the inventory and the register have no label for, each named by the phrase method_argument.<name>
LABELLED_ARGUMENTS = ("water_surface_days_counted", "water_surface_divisor", "humidifier_factor")


def argument_label(name: str, lang: str = "zh") -> str | None:
    """How gep explain names a kernel argument the method profile supplies; None for one named elsewhere (a column
    of the inventory, a register key)."""
    return text(f"method_argument.{name}", lang) if name in LABELLED_ARGUMENTS else None


def region_values(ctx, column: str, codes) -> tuple[np.ndarray, pd.DataFrame]:
    """A column of the regions table for each region code, from the region itself or its nearest ancestor
    with a value (a county's mean elevation serves townships that give none), with the row's provenance."""
    regions = ctx.inventory.table("regions")
    own = dict(zip(regions["code"].to_numpy(dtype=object), range(len(regions))))
    values = regions[column].to_numpy(dtype=float) if column in regions else np.full(len(regions), np.nan)
    codes = np.asarray(codes, dtype=object)
    distinct, inverse = np.unique(codes, return_inverse=True) if len(codes) else (codes, np.zeros(0, dtype=int))
    at = np.full(len(distinct), -1)
    for i, code in enumerate(distinct):
        if code in own:  # "" (no row to take it from) finds nothing
            at[i] = next((own[c] for c in ctx.lineage(code) if c in own and not np.isnan(values[own[c]])), -1)
    at = at[inverse]
    found = at >= 0
    pick = np.where(found, at, 0)
    prov = pd.DataFrame({"input_file": np.where(found, regions["input_file"].to_numpy(dtype=object)[pick], ""),
                         "input_row": np.where(found, regions["input_row"].to_numpy(dtype=float)[pick], np.nan),
                         "source": np.where(found, regions["source"].to_numpy(dtype=object)[pick], ""),
                         "status": np.where(found, regions["status"].to_numpy(dtype=object)[pick], "")})
    return np.where(found, values[pick], np.nan), prov


@dataclass
class CoolingDays:
    """Cooling days D per key, as the profile derives them, with what each came from.

    ``adjusted`` keys carry a station's days D_s to the region's mean elevation h from the station's h_s
    (:func:`gep.services.climate.cooling_days_at_elevation`); the others take D_s as given (the profile takes
    days as given, or the climate row and the region are at the same elevation, or an elevation is unknown).
    h_s is the climate row's station elevation, else the mean elevation of the region the row belongs to."""

    days: np.ndarray
    given: np.ndarray
    adjusted: np.ndarray
    elevation: np.ndarray
    reference: np.ndarray
    reference_from_climate: np.ndarray  # h_s is the climate row's station elevation (else a regions row)
    climate_prov: pd.DataFrame
    elevation_prov: pd.DataFrame
    reference_prov: pd.DataFrame
    lapse: object | None = None  # Coef of temperature_lapse_rate for the keys, when some are adjusted
    spread: object | None = None  # Coef of daily_tmax_sd


def cooling_days(ctx, keys: pd.DataFrame, climate: pd.DataFrame | None = None,
                 climate_prov: pd.DataFrame | None = None) -> CoolingDays:
    """Cooling days of each key (region_code, year[, ecosystem]) under ``ctx.method``; ``climate`` and its
    provenance are the inherited climate rows of the keys when the caller has them."""
    if climate is None:
        climate, climate_prov = ctx.inherited("climate", keys, ["year"])
    given = climate["cooling_days"].to_numpy(dtype=float)
    n = len(keys)
    elevation, elevation_prov = region_values(ctx, "elevation", keys["region_code"])
    station = climate["station_elevation"].to_numpy(dtype=float)
    of_row, of_row_prov = region_values(ctx, "elevation", climate_prov["region"].to_numpy(dtype=object))
    from_climate = ~np.isnan(station)
    reference = np.where(from_climate, station, of_row)
    reference_prov = pd.DataFrame({c: np.where(from_climate, climate_prov[c].to_numpy(dtype=object),
                                               of_row_prov[c].to_numpy(dtype=object))
                                   for c in ("input_file", "input_row", "source", "status")})
    adjust = ctx.method.option("climate_regulation.cooling_days") == "elevation_adjusted"
    adjusted = adjust & ~np.isnan(given) & ~np.isnan(elevation) & ~np.isnan(reference) & (elevation != reference) \
        & (given > 0) & (given < DAYS_PER_YEAR)
    days = given.copy()
    out = CoolingDays(days, given, adjusted, elevation, reference, from_climate, climate_prov, elevation_prov,
                      reference_prov)
    if adjusted.any():
        ecosystems = keys["ecosystem"] if "ecosystem" in keys else np.full(n, "", dtype=object)
        out.lapse = ctx.coef("temperature_lapse_rate", ecosystems, keys["region_code"], keys["year"])
        out.spread = ctx.coef("daily_tmax_sd", ecosystems, keys["region_code"], keys["year"])
        carried = cooling_days_at_elevation(quantity(given[adjusted], "day"), quantity(elevation[adjusted], "m"),
                                            quantity(reference[adjusted], "m"),
                                            quantity(out.lapse.values[adjusted], "K/m"),
                                            quantity(out.spread.values[adjusted], "K"))
        days[adjusted] = carried.to("day").magnitude
    if adjust and (np.isnan(elevation) & ~np.isnan(given)).any():
        ctx.note_once("cooling_days: no mean elevation (regions.elevation) for some regions; their cooling days are "
                      "taken as the climate table gives them")
    return out


@dataclass
class WaterSurfaceFactors:
    """The factors of the water-surface term per key: day share f, divisor r, humidifier h (see
    :func:`gep.services.climate.water_surface_evaporation`), with the humidity and threshold that decided h."""

    day_share: np.ndarray
    divisor: np.ndarray
    humidifier: np.ndarray
    humidity: np.ndarray
    threshold: object | None  # Coef of humidity_threshold, when the profile compares
    divisor_coef: object | None  # Coef of ac_energy_efficiency_ratio, when the profile divides


def water_surface_divisor(ctx, keys: pd.DataFrame):
    """The divisor r of water-surface cooling per key (1 where the profile does not divide), and the register
    rows of r when it does."""
    if ctx.method.option("climate_regulation.water_surface_divisor") == "energy_efficiency_ratio" and len(keys):
        coef = ctx.coef_for("ac_energy_efficiency_ratio", keys)
        return coef.values, coef
    return np.ones(len(keys)), None


def humidifier_factor(ctx, keys: pd.DataFrame, climate: pd.DataFrame):
    """Whether the humidifier term counts per key (1 or 0), the relative humidity that decided it, and the
    register rows of the threshold when the profile compares (absent humidity: not counted, and noted)."""
    humidity = climate["relative_humidity"].to_numpy(dtype=float)
    if ctx.method.option("climate_regulation.humidifier") == "always" or not len(keys):
        return np.ones(len(keys)), humidity, None
    threshold = ctx.coef_for("humidity_threshold", keys)
    if np.isnan(humidity).any():
        ctx.note_once("climate_regulation: no relative humidity in the climate table for some water surfaces; "
                      "the humidifier term is not counted there (the method counts it below the humidity "
                      "threshold only)")
    return np.where(np.isnan(humidity), 0.0, (humidity < threshold.values).astype(float)), humidity, threshold


def water_surface_factors(ctx, keys: pd.DataFrame, days: np.ndarray, climate: pd.DataFrame) -> WaterSurfaceFactors:
    counts_days = ctx.method.option("climate_regulation.water_surface_days") == "cooling_days"
    day_share = days / DAYS_PER_YEAR if counts_days else np.ones(len(keys))
    divisor, divisor_coef = water_surface_divisor(ctx, keys)
    humidifier, humidity, threshold = humidifier_factor(ctx, keys, climate)
    return WaterSurfaceFactors(day_share, divisor, humidifier, humidity, threshold, divisor_coef)


def method_argument(ctx, name: str, keys: pd.DataFrame) -> tuple[np.ndarray, tuple[str, ...]]:
    """A kernel argument the profile supplies, per key (region_code, year, ecosystem), and the register keys
    it took values from (for the traces of gridded and parcel sums). Each reads only what it needs."""
    if name == "transpiration_share":
        if ctx.method.option("climate_regulation.transpiration_heat") == "transpiration_share":
            return ctx.coef_for("transpiration_share", keys).values, ("transpiration_share",)
        return np.ones(len(keys)), ()
    if name == "water_surface_days_counted":
        counted = ctx.method.option("climate_regulation.water_surface_days") == "cooling_days"
        return np.full(len(keys), 1.0 if counted else 0.0), ()
    if name == "water_surface_divisor":
        divisor, coef = water_surface_divisor(ctx, keys)
        return divisor, ("ac_energy_efficiency_ratio",) if coef is not None else ()
    climate, climate_prov = ctx.inherited("climate", keys, ["year"])
    if name == "humidifier_factor":
        humidifier, _, threshold = humidifier_factor(ctx, keys, climate)
        return humidifier, ("humidity_threshold",) if threshold is not None else ()
    if name == "cooling_days":
        cd = cooling_days(ctx, keys, climate, climate_prov)
        return cd.days, ("temperature_lapse_rate", "daily_tmax_sd") if cd.adjusted.any() else ()
    raise KeyError(f"not a method argument: {name}")
