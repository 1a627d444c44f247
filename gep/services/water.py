"""水源涵养 (water conservation) and 洪水调蓄 (flood regulation)."""
from __future__ import annotations

import numpy as np
import pint

from ..units import as_array, check_units, quantity


@check_units(per_year=("precipitation",), precipitation="[length]", runoff_coefficient="")
def storm_runoff(precipitation: pint.Quantity, runoff_coefficient: pint.Quantity) -> pint.Quantity:
    """Surface runoff depth ``R = P × α`` [mm/a].

    precipitation P [mm/a]; runoff_coefficient α [–] mean surface-runoff coefficient of the ecosystem.
    Reference: 龚诗涵 et al. 2017, 生态学报 37(7):2455-2462 (R = P·α with 表2 coefficients).
    """
    return (precipitation * runoff_coefficient).to("mm")


@check_units(per_year=("precipitation", "runoff", "evapotranspiration"),
             precipitation="[length]", runoff="[length]", evapotranspiration="[length]", area="[area]")
def water_conservation(precipitation: pint.Quantity, runoff: pint.Quantity,
                       evapotranspiration: pint.Quantity, area: pint.Quantity) -> pint.Quantity:
    """Water retained by an ecosystem, water-balance method: ``Q_wr = (P − R − ET) × A`` [m³/a].

    Parameters
    ----------
    precipitation : P, annual precipitation [mm/a] (as a depth per year; pass mm for one year)
    runoff : R, storm/surface runoff [mm/a]
    evapotranspiration : ET [mm/a]
    area : A, ecosystem area [hm²]

    A negative balance (ET above P − R, e.g. a water surface in a dry year) retains no water and is
    set to 0: water conservation is a supply of retained water, not a debit.

    References
    ----------
    白玛卓嘎, 肖燚, 欧阳志云, 王莉雁 2017, 生态学报 37(19), eq.(2) (the MEE 2020 guideline's authors);
    LY/T 1721-2008 D1 ``G = 10·A·(P − E − C)``; 龚诗涵 et al. 2017 ``TQ = Σ (P_i − R_i − ET_i)·A_i``.
    """
    depth = np.maximum(as_array(precipitation - runoff - evapotranspiration, "mm"), 0.0)
    return quantity(depth * as_array(area, "m**2") / 1000.0, "m**3")


@check_units(total_storage="[length]**3", flood_ratio="")
def reservoir_flood_storage(total_storage: pint.Quantity, flood_ratio: pint.Quantity) -> pint.Quantity:
    """Flood storage of a reservoir without a declared flood-control capacity: ``C_r = k × C_t`` [m³].

    total_storage C_t [m³]; flood_ratio k [–] (0.35 in the source's regional regression).
    Reference: 白玛卓嘎 et al. 2017, eq.(8), after 饶恩明 et al. 2014.
    """
    return (total_storage * flood_ratio).to("m**3")


@check_units(area="[area]", log_coefficient="", exponent="", turnover="")
def lake_flood_storage(area: pint.Quantity, log_coefficient: pint.Quantity, exponent: pint.Quantity,
                       turnover: pint.Quantity) -> pint.Quantity:
    """Flood storage of a lake: ``C_l = e^a × A^b × T`` [10⁴ m³], A in km².

    area A [km²]; log_coefficient a [–]; exponent b [–]; turnover T [times/a].
    Reference: 白玛卓嘎 et al. 2017, eq.(7) (a = 6.636, b = 0.678 for Qinghai–Tibet plateau lakes).
    """
    a_km2 = as_array(area, "km**2")
    wan_m3 = np.exp(as_array(log_coefficient, "1")) * a_km2 ** as_array(exponent, "1") * as_array(turnover, "1")
    return quantity(np.where(a_km2 > 0, wan_m3, 0.0), "wan_m3").to("m**3")


@check_units(area="[area]", depth="[length]")
def swamp_flood_storage(area: pint.Quantity, depth: pint.Quantity) -> pint.Quantity:
    """Flood storage of a swamp: ``C_m = d × S`` [m³]; area S [hm²], depth d [m] (0.3 m in the source).

    Reference: 白玛卓嘎 et al. 2017, eq.(9).
    """
    return (area * depth).to("m**3")


@check_units(per_year=("storm_precipitation",), storm_precipitation="[length]", storm_runoff_coefficient="",
             area="[area]")
def vegetation_storm_storage(storm_precipitation: pint.Quantity, storm_runoff_coefficient: pint.Quantity,
                             area: pint.Quantity) -> pint.Quantity:
    """Storm water held back by vegetation and soil: ``C_v = (P_s − P_s × α_s) × A`` [m³/a].

    storm_precipitation P_s [mm/a], the year's rainfall on storm days (daily rainfall of 50 mm or more);
    storm_runoff_coefficient α_s [–]; area A [hm²] of forest, shrub, grassland or garden.
    Reference: the vegetation term of flood regulation as recalled from the MEE 2020 guideline (text not seen);
    the Youyang (Chongqing) GEP platform takes 暴雨 (mm/a) and 暴雨径流系数 as the inputs of its flood module
    (https://github.com/wang888s/2). The drafting group computes 暴雨径流量 as P × α with the surface-runoff
    coefficients of 龚诗涵 et al. 2017, 生态学报 37(7), 表2 (白玛卓嘎 et al. 2017, eq.(2)).
    """
    p = as_array(storm_precipitation, "mm")
    held = np.maximum(p - p * as_array(storm_runoff_coefficient, "1"), 0.0)
    return quantity(held * as_array(area, "m**2") / 1000.0, "m**3")
