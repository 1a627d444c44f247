"""气候调节 (climate regulation): energy an ecosystem spends cooling and humidifying the air.

Which terms count, over which days and with which divisor is a choice of the method profile
(:mod:`gep.method`); the functions here take the chosen factors as arguments, so one formula serves
every profile (the Garzê equations are the case day share = 1, divisor = 1, humidifier = 1).
"""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pint

from ..units import as_array, check_units, quantity

DAYS_PER_YEAR = 365.0
_NORMAL = NormalDist()


def normal_cdf(x) -> np.ndarray:
    """Standard normal distribution function Φ(x), element by element (the trace language's NORMSDIST)."""
    return np.vectorize(_NORMAL.cdf, otypes=[float])(np.asarray(x, dtype=float))


def normal_quantile(p) -> np.ndarray:
    """Its inverse Φ⁻¹(p) for 0 < p < 1 (the trace language's NORMSINV)."""
    return np.vectorize(_NORMAL.inv_cdf, otypes=[float])(np.asarray(p, dtype=float))


@check_units(per_year=("evapotranspiration",), evapotranspiration="[length]", latent_heat="[energy]/[mass]",
             water_density="[mass]/[length]**3", transpiration_share="")
def transpiration_heat_from_et(evapotranspiration: pint.Quantity, latent_heat: pint.Quantity,
                               water_density: pint.Quantity, transpiration_share: pint.Quantity | None = None
                               ) -> pint.Quantity:
    """Daily heat consumed by transpiration, ``EPP = s_T × ET/365 × ρ_w × q`` [kJ·m⁻²·d⁻¹].

    evapotranspiration ET [mm/a]; latent_heat q [kJ/kg] (2450); water_density ρ_w [kg/m³];
    transpiration_share s_T [–], the share of ET that plants transpire (omitted: 1, i.e. all of ET — soil
    evaporation and interception included). 1 mm/d of water evaporated takes 2450 kJ·m⁻²·d⁻¹.
    EPP is the guideline's heat consumed by plant transpiration per area (单位面积蒸腾消耗热量;
    白玛卓嘎 et al. 2017, 生态学报 37(19), eq.(12)), here computed from the inventory's ET because the
    guideline's table could not be read.
    """
    per_day = as_array(evapotranspiration, "m") / DAYS_PER_YEAR  # m of water per day
    share = 1.0 if transpiration_share is None else as_array(transpiration_share, "1")
    return quantity(share * per_day * as_array(water_density, "kg/m**3") * as_array(latent_heat, "kJ/kg"),
                    "kJ/(m**2*day)")


@check_units(station_days="[time]", elevation="[length]", station_elevation="[length]",
             lapse_rate="[temperature]/[length]", daily_tmax_sd="[temperature]")
def cooling_days_at_elevation(station_days: pint.Quantity, elevation: pint.Quantity,
                              station_elevation: pint.Quantity, lapse_rate: pint.Quantity,
                              daily_tmax_sd: pint.Quantity) -> pint.Quantity:
    """Days with a daily maximum above the cooling threshold, carried from a station to another elevation [d].

    ``D = 365 × Φ(Φ⁻¹(D_s/365) − Γ·(h − h_s)/σ_T)``: station_days D_s [d] counted at station_elevation
    h_s [m]; elevation h [m], the region's mean elevation; lapse_rate Γ [K/m]; daily_tmax_sd σ_T [K], the
    standard deviation of the daily maximum over the year. Φ is the standard normal distribution function.

    The daily maxima over the year are approximated by a normal distribution of standard deviation σ_T;
    D_s/365 fixes where the threshold lies in it, and moving up by h − h_s shifts every daily maximum
    down by Γ·(h − h_s). D_s of 0 or 365 days stays as it is. This rule is gep's (no official rule was
    found); Γ = 0.57 K/100 m was measured on 巫溪大官山 next to 城口 (陈志军 et al. 2022, 高原山地气象研究
    2022(1):18-23).
    """
    share = as_array(station_days, "day") / DAYS_PER_YEAR
    shift = as_array(lapse_rate, "K/m") * (as_array(elevation, "m") - as_array(station_elevation, "m")) \
        / as_array(daily_tmax_sd, "K")
    inside = (share > 0) & (share < 1)
    carried = DAYS_PER_YEAR * normal_cdf(normal_quantile(np.where(inside, share, 0.5)) - shift)
    return quantity(np.where(inside, carried, share * DAYS_PER_YEAR), "day")


@check_units(transpiration_heat="[energy]/[area]/[time]", area="[area]", cooling_days="[time]",
             energy_efficiency_ratio="")
def transpiration_cooling(transpiration_heat: pint.Quantity, area: pint.Quantity, cooling_days: pint.Quantity,
                          energy_efficiency_ratio: pint.Quantity) -> pint.Quantity:
    """Electricity an air conditioner would need for the cooling done by plant transpiration [kWh/a].

    ``E_pt = EPP × S × D / (3600 × r)``, with EPP [kJ·m⁻²·d⁻¹] heat consumed by transpiration, S [m²]
    vegetated area, D [d] days air-conditioning is used (days with T_max > 26 °C), r [–] the
    air-conditioner energy-efficiency ratio (3.0). 3600 kJ = 1 kWh.
    Reference: 白玛卓嘎 et al. 2017, eq.(12); 博文静 et al. 2017 (r = 3.0).
    """
    heat_kj = as_array(transpiration_heat, "kJ/(m**2*day)") * as_array(area, "m**2") * as_array(cooling_days, "day")
    return quantity(heat_kj / 3600.0 / as_array(energy_efficiency_ratio, "1"), "kWh")


@check_units(evaporation="[length]**3", latent_heat="[energy]/[mass]", water_density="[mass]/[length]**3",
             humidifier_power="[energy]/[length]**3", day_share="", energy_efficiency_ratio="", humidifier="")
def water_surface_evaporation(evaporation: pint.Quantity, latent_heat: pint.Quantity,
                              water_density: pint.Quantity, humidifier_power: pint.Quantity,
                              day_share: pint.Quantity | None = None,
                              energy_efficiency_ratio: pint.Quantity | None = None,
                              humidifier: pint.Quantity | None = None) -> pint.Quantity:
    """Electricity equivalent of water-surface evaporation, cooling plus humidifying [kWh/a].

    ``E_we = E_w × f × (ρ × q / (3600 × r) + γ × h)``: E_w [m³] water evaporated in the year, ρ [kg/m³],
    q [kJ/kg] latent heat (2450), γ [kWh/m³] humidifier electricity to vaporise 1 m³ (120); the method
    profile's factors: day_share f [–] the share of the year's evaporation counted (D/365 when only the
    cooling days count), energy_efficiency_ratio r [–] (3 when the cooling is divided as for vegetation),
    humidifier h [–] (1 where humidifying counts, 0 where not). Omitted factors are 1, which is the
    published equation of 白玛卓嘎 et al. 2017, 生态学报 37(19), eq.(13); dividing by r, counting D days and
    humidifying only below 45 % relative humidity are recalled from the MEE 2020 guideline.
    """
    def factor(q, unit="1"):
        return 1.0 if q is None else as_array(q, unit)

    e = as_array(evaporation, "m**3") * factor(day_share)
    cooling = e * as_array(water_density, "kg/m**3") * as_array(latent_heat, "kJ/kg") / 3600.0 \
        / factor(energy_efficiency_ratio)
    humidifying = e * as_array(humidifier_power, "kWh/m**3") * factor(humidifier)
    return quantity(cooling + humidifying, "kWh")
