"""Per-cell formulas on magnitudes in kernel units (numpy or dask arrays alike: ufunc arithmetic only).

Units are checked and converted once where the layers enter (:func:`gep.grid.layers.kernel_factor`); here
every argument is a magnitude in the unit written in brackets. Each function restates, cell by cell, the
formula of the tabular service function it names in :mod:`gep.services` with the same register
coefficients, so a region × ecosystem whose cells are uniform gives the tabular figure (tests check it).
Cell areas are in hm²; 1 mm × 1 hm² = 10 m³; 1 g/m² × 1 hm² = 0.01 t.
"""
from __future__ import annotations

import numpy as np

from ..units import CO2_PER_C


def water_retained(precipitation, evapotranspiration, runoff_coefficient, cell_hm2):
    """Water retained per cell ``Q = max(P − α·P − ET, 0) × A`` [m³/a].

    precipitation P [mm], evapotranspiration ET [mm] of the year; runoff_coefficient α [–]; cell_hm2 A [hm²].
    Same formula as :func:`gep.services.water.storm_runoff` and :func:`gep.services.water.water_conservation`
    (白玛卓嘎 et al. 2017, 生态学报 37(19), eq.(2); 龚诗涵 et al. 2017 R = α·P).
    """
    runoff = precipitation * runoff_coefficient
    return np.maximum(precipitation - runoff - evapotranspiration, 0.0) * cell_hm2 * 10.0


def soil_retained(erosivity, erodibility, slope_length_steepness, cover_management, support_practice, cell_hm2):
    """Soil retained per cell ``Q = max(R·K·LS − R·K·LS·C·P, 0) × A`` [t/a] (RUSLE potential minus actual).

    erosivity R [MJ·mm·hm⁻²·h⁻¹] of the year; erodibility K [t·hm²·h·hm⁻²·MJ⁻¹·mm⁻¹]; LS, C, P [–];
    cell_hm2 A [hm²]. Same formula as :func:`gep.services.soil.rusle_erosion` and
    :func:`gep.services.soil.soil_retained` (Renard et al. 1997, USDA AH 703; 白玛卓嘎 et al. 2017).
    """
    potential = erosivity * erodibility * slope_length_steepness
    actual = potential * cover_management * support_practice
    return np.maximum(potential - actual, 0.0) * cell_hm2


def soil_retained_from_moduli(potential_erosion, actual_erosion, cell_hm2):
    """Soil retained per cell from given erosion moduli ``Q = max(A_p − A_r, 0) × A`` [t/a].

    potential_erosion A_p, actual_erosion A_r [t·hm⁻²] of the year; cell_hm2 A [hm²]. The calculators use the
    moduli in place of RUSLE factors where an inventory gives them (:func:`gep.services.soil.soil_retained`).
    """
    return np.maximum(potential_erosion - actual_erosion, 0.0) * cell_hm2


def co2_fixed(npp, nep_ratio, cell_hm2):
    """CO₂ fixed per cell ``Q = 44/12 × r × NPP × A × 0.01`` [t CO₂/a] (NEP basis).

    npp NPP [g C·m⁻²] of the year; nep_ratio r [–] NEP/NPP; cell_hm2 A [hm²]. Same basis as
    :func:`gep.services.carbon.net_ecosystem_production` and :func:`gep.services.carbon.co2_fixed`
    (博文静 et al. 2017; 44/12 = :data:`gep.units.CO2_PER_C`, the only t C → t CO₂ factor).
    """
    return nep_ratio * npp * cell_hm2 * 0.01 * CO2_PER_C


def transpiration_cooling(evapotranspiration, cooling_days, latent_heat, water_density, efficiency_ratio,
                          transpiration_share, cell_hm2):
    """Electricity equivalent of transpiration cooling per vegetated cell [kWh/a].

    ``EPP = s_T × ET/1000/365 × ρ × q`` [kJ·m⁻²·d⁻¹]; ``E = EPP × A × 10⁴ × D / (3600 × r)``. ET [mm] of the year;
    cooling_days D [d]; latent_heat q [kJ/kg]; water_density ρ [kg/m³]; efficiency_ratio r [–];
    transpiration_share s_T [–] (1 where the method takes all of ET); A [hm²].
    Same formulas as :func:`gep.services.climate.transpiration_heat_from_et` and
    :func:`gep.services.climate.transpiration_cooling` (白玛卓嘎 et al. 2017, eq.(12); 博文静 et al. 2017).
    """
    epp = transpiration_share * evapotranspiration / 1000.0 / 365.0 * water_density * latent_heat
    return epp * (cell_hm2 * 1e4) * cooling_days / 3600.0 / efficiency_ratio


def transpiration_cooling_from_heat(transpiration_heat, cooling_days, efficiency_ratio, cell_hm2):
    """Electricity equivalent of transpiration cooling from a given transpiration heat EPP [kWh/a].

    ``E = EPP × A × 10⁴ × D / (3600 × r)``; transpiration_heat EPP [kJ·m⁻²·d⁻¹]; cooling_days D [d];
    efficiency_ratio r [–]; A [hm²]. As :func:`transpiration_cooling` with EPP given rather than derived from ET
    (:func:`gep.services.climate.transpiration_cooling`).
    """
    return transpiration_heat * (cell_hm2 * 1e4) * cooling_days / 3600.0 / efficiency_ratio


def water_surface_evaporation(evapotranspiration, latent_heat, water_density, humidifier_power, cooling_days,
                              days_counted, efficiency_ratio, humidifier, cell_hm2):
    """Electricity equivalent of water-surface evaporation per water cell [kWh/a].

    ``W = ET × A × 10 × f`` [m³] with ``f = D/365`` where only the cooling days count (days_counted 1) else 1;
    ``E = W × ρ × q / (3600 × r) + W × γ × h``. ET [mm]; q [kJ/kg]; ρ [kg/m³]; humidifier_power γ [kWh/m³];
    cooling_days D [d]; efficiency_ratio r [–] (1 where the method does not divide); humidifier h [–] (0 or 1);
    A [hm²]. Same formula as :func:`gep.services.climate.water_surface_evaporation` (白玛卓嘎 et al. 2017,
    eq.(13), where f = r = h = 1).
    """
    evaporated = evapotranspiration * cell_hm2 * 10.0 * np.where(days_counted > 0, cooling_days / 365.0, 1.0)
    return evaporated * water_density * latent_heat / 3600.0 / efficiency_ratio + evaporated * humidifier_power * humidifier


def slope_steepness(slope_deg):
    """RUSLE slope-steepness factor S [–] from the slope θ [°].

    ``S = 10.8 sin θ + 0.03`` for θ < 5°, ``16.8 sin θ − 0.50`` for 5° ≤ θ < 10° (McCool et al. 1987,
    Trans. ASAE 30(5):1387-1396), ``21.91 sin θ − 0.96`` for θ ≥ 10° (Liu Baoyuan, Nearing & Risse 1994,
    Trans. ASAE 37(6):1835-1840, steep slopes in China).
    """
    s = np.sin(np.radians(slope_deg))
    return np.where(slope_deg < 5.0, 10.8 * s + 0.03, np.where(slope_deg < 10.0, 16.8 * s - 0.50, 21.91 * s - 0.96))


def slope_length_factor(slope_deg, slope_length):
    """RUSLE slope-length factor ``L = (λ / 22.13)^m`` [–], λ [m] the slope length.

    m = 0.2 (tan θ < 1 %), 0.3 (1–3 %), 0.4 (3–5 %), 0.5 (≥ 5 %) (Wischmeier & Smith 1978, USDA AH 537).
    """
    tan = np.tan(np.radians(slope_deg))
    m = np.where(tan < 0.01, 0.2, np.where(tan < 0.03, 0.3, np.where(tan < 0.05, 0.4, 0.5)))
    return (slope_length / 22.13) ** m


def slope_degrees(dem, cell_size):
    """Slope θ [°] of each cell from a DEM [m] (rows north to south or south to north, columns along x).

    ``θ = arctan √((∂z/∂x)² + (∂z/∂y)²)``, the gradient by central differences (one-sided at the edges) with
    each axis's own spacing: ``cell_size`` is ``(dx, dy)`` [m], the width of a column and the height of a row
    (the transform's |a| and |e|), or one number for square cells. The slope is the angle of the steepest
    gradient of the surface (Burrough & McDonnell 1998, Principles of Geographical Information Systems, ch. 8),
    with the second-order finite differences of numpy.gradient."""
    dx, dy = (cell_size, cell_size) if np.ndim(cell_size) == 0 else cell_size
    dz_dy, dz_dx = np.gradient(np.asarray(dem, dtype=float), float(dy), float(dx))
    return np.degrees(np.arctan(np.hypot(dz_dx, dz_dy)))


def ls_from_dem(dem, cell_size, slope_length):
    """LS [–] per cell from a DEM [m] with cells of ``cell_size`` (``(dx, dy)`` [m], or one number for square
    cells; :func:`slope_degrees`): S from the slope (:func:`slope_steepness`) times L for a *fixed* slope length
    λ [m] (:func:`slope_length_factor`).

    A simple per-cell approximation: no flow accumulation, so λ is the declared slope length everywhere,
    not the upslope length of each cell (the unit-contributing-area method of Moore & Burch 1986 / Desmet &
    Govers 1996 is not implemented)."""
    theta = slope_degrees(dem, cell_size)
    return slope_length_factor(theta, slope_length) * slope_steepness(theta)
