"""土壤保持 (soil retention) and 防风固沙 (sand fixation)."""
from __future__ import annotations

import numpy as np
import pint

from ..units import as_array, check_units, quantity

EROSIVITY = "MJ*mm/(hectare*h)"          # per year implied: one accounting year
ERODIBILITY = "t*hectare*h/(hectare*MJ*mm)"


@check_units(per_year=("rainfall_erosivity",), rainfall_erosivity="[energy]*[length]/[area]/[time]",
             soil_erodibility="[mass]*[time]/[energy]/[length]",
             slope_length_steepness="", cover_management="", support_practice="")
def rusle_erosion(rainfall_erosivity, soil_erodibility, slope_length_steepness,
                  cover_management, support_practice) -> tuple[pint.Quantity, pint.Quantity]:
    """Potential and actual soil erosion modulus by RUSLE [t/hm² per year].

    ``A_p = R × K × LS`` (bare soil, C = P = 1); ``A_r = R × K × LS × C × P``.

    Parameters
    ----------
    rainfall_erosivity : R [MJ·mm·hm⁻²·h⁻¹] for the year
    soil_erodibility : K [t·hm²·h·hm⁻²·MJ⁻¹·mm⁻¹]
    slope_length_steepness : LS [–]
    cover_management : C [–]
    support_practice : P [–]

    References
    ----------
    白玛卓嘎 et al. 2017, 生态学报 37(19), eqs. before (4); Renard K.G. et al. 1997, USDA Agriculture
    Handbook 703 (RUSLE).
    """
    potential = as_array(rainfall_erosivity * soil_erodibility, "t/hectare") * as_array(slope_length_steepness, "1")
    actual = potential * as_array(cover_management, "1") * as_array(support_practice, "1")
    return quantity(potential, "t/hectare"), quantity(actual, "t/hectare")


@check_units(per_year=("potential_erosion", "actual_erosion"), potential_erosion="[mass]/[area]", actual_erosion="[mass]/[area]", area="[area]")
def soil_retained(potential_erosion: pint.Quantity, actual_erosion: pint.Quantity,
                  area: pint.Quantity) -> pint.Quantity:
    """Soil retention ``Q_sr = (A_p − A_r) × area`` [t/a]; negative differences count as 0.

    potential_erosion A_p, actual_erosion A_r [t/hm² for the year]; area [hm²].
    Reference: 白玛卓嘎 et al. 2017, eq. Q_sr = Σ (A_p − A_r) × area; LY/T 1721-2008 E1 (X2 − X1).
    """
    modulus = np.maximum(as_array(potential_erosion - actual_erosion, "t/hectare"), 0.0)
    return quantity(modulus * as_array(area, "hectare"), "t")


@check_units(soil_retained="[mass]", sediment_ratio="", bulk_density="[mass]/[length]**3")
def reduced_sedimentation(soil_retained: pint.Quantity, sediment_ratio: pint.Quantity,
                          bulk_density: pint.Quantity) -> pint.Quantity:
    """Reservoir sediment volume avoided: ``λ × Q_sr / ρ`` [m³/a].

    soil_retained Q_sr [t/a]; sediment_ratio λ [–] share of eroded soil that deposits in water bodies
    (0.24); bulk_density ρ [t/m³]. Valued at the dredging cost [元/m³].
    Reference: 白玛卓嘎 et al. 2017, eq.(4) ``V_sd = λ × (Q_sr/ρ) × P_s``.
    """
    return (soil_retained * sediment_ratio / bulk_density).to("m**3")


@check_units(soil_retained="[mass]", content="")
def nutrient_loss_reduction(soil_retained: pint.Quantity, content: pint.Quantity) -> pint.Quantity:
    """Nutrient (N or P) kept in the soil: ``Q_sr × c_j`` [t/a].

    soil_retained Q_sr [t/a]; content c_j [–] pure N or P content of the soil.
    Valued at the environmental-engineering removal cost [元/t].
    Reference: 白玛卓嘎 et al. 2017, eq.(5) ``V_dpd = Σ_j Q_sr × C_j × P_j``.
    """
    return (soil_retained * content).to("t")


@check_units(per_year=("potential_wind_erosion", "actual_wind_erosion"),
             potential_wind_erosion="[mass]/[area]", actual_wind_erosion="[mass]/[area]", area="[area]")
def sand_fixed(potential_wind_erosion: pint.Quantity, actual_wind_erosion: pint.Quantity,
               area: pint.Quantity) -> pint.Quantity:
    """Sand fixation ``Q_sf = (S_L,potential − S_L,actual) × area`` [t/a], e.g. from RWEQ moduli.

    Reference: 白玛卓嘎 et al. 2017, eq.(6) (RWEQ potential minus actual wind erosion).
    """
    modulus = np.maximum(as_array(potential_wind_erosion - actual_wind_erosion, "t/hectare"), 0.0)
    return quantity(modulus * as_array(area, "hectare"), "t")


@check_units(sand_fixed="[mass]", bulk_density="[mass]/[length]**3", layer_thickness="[length]")
def desertification_avoided(sand_fixed: pint.Quantity, bulk_density: pint.Quantity,
                            layer_thickness: pint.Quantity) -> pint.Quantity:
    """Land kept from desertification: ``Q_sf / (ρ_s × h)`` [m²/a], valued at the control cost [元/m²].

    bulk_density ρ_s [t/m³] of sand (1.28); layer_thickness h [m] standard sand cover (0.1).
    Reference: 白玛卓嘎 et al. 2017, eq.(6) ``V_sf = Q_sf/(ρ × h) × P_f``.
    """
    return (sand_fixed / (bulk_density * layer_thickness)).to("m**2")
