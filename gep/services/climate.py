"""气候调节 (climate regulation): energy an ecosystem spends cooling and humidifying the air."""
from __future__ import annotations

import pint

from ..units import as_array, check_units, quantity


@check_units(per_year=("evapotranspiration",), evapotranspiration="[length]", latent_heat="[energy]/[mass]", water_density="[mass]/[length]**3")
def transpiration_heat_from_et(evapotranspiration: pint.Quantity, latent_heat: pint.Quantity,
                               water_density: pint.Quantity) -> pint.Quantity:
    """Daily heat used by evapotranspiration, ``EPP = ET/365 × ρ_w × q`` [kJ·m⁻²·d⁻¹].

    Used when the inventory gives no EPP (植被蒸腾耗热): the guideline's EPP tables were not found
    (official-coefficients.md §5.3), so the physical equivalent is computed from annual ET [mm];
    1 mm/d of water evaporated takes 2450 kJ·m⁻²·d⁻¹ (regional-parameters.md §4, DERIVED).
    """
    per_day = as_array(evapotranspiration, "m") / 365.0  # m of water per day
    return quantity(per_day * as_array(water_density, "kg/m**3") * as_array(latent_heat, "kJ/kg"), "kJ/(m**2*day)")


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
             humidifier_power="[energy]/[length]**3")
def water_surface_evaporation(evaporation: pint.Quantity, latent_heat: pint.Quantity,
                              water_density: pint.Quantity, humidifier_power: pint.Quantity) -> pint.Quantity:
    """Electricity equivalent of water-surface evaporation, cooling plus humidifying [kWh/a].

    ``E_we = E_w × ρ × q / 3600 + E_w × γ``: E_w [m³] water evaporated, ρ [kg/m³], q [kJ/kg] latent heat
    (2450), γ [kWh/m³] humidifier electricity to vaporise 1 m³ (120).
    Reference: 白玛卓嘎 et al. 2017, eq.(13) (the variant dividing by r and counting only hot days is
    recalled from MEE 2020 and unverified).
    """
    e = as_array(evaporation, "m**3")
    cooling = e * as_array(water_density, "kg/m**3") * as_array(latent_heat, "kJ/kg") / 3600.0
    humidifying = e * as_array(humidifier_power, "kWh/m**3")
    return quantity(cooling + humidifying, "kWh")
