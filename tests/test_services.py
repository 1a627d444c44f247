"""gep.services: each pure calculator on a case worked out by hand or taken from a published table.

Published figures are written into the tests with their source (the reference notes are not read at
test time). "gep-methods.md" and "official-coefficients.md" are the project's research notes.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gep.services import carbon, climate, cultural, provisioning, purification, soil, water
from gep.units import O2_PER_CO2, UnitError, parse_unit, quantity

REL = 1e-12


def mag(q, unit: str):
    """Magnitude of a Quantity in ``unit`` (written as in an inventory)."""
    return q.to(parse_unit(unit)).magnitude


# ==================================================================================================
# water: 水源涵养 and 洪水调蓄
# ==================================================================================================

def test_storm_runoff():
    # R = P × α = 1361.1 mm × 3.52 % = 1361.1 × 0.0352 = 47.91072 mm
    r = water.storm_runoff(quantity(1361.1, "mm"), quantity(3.52, "%"))
    assert mag(r, "mm") == pytest.approx(47.91072, rel=REL)


def test_storm_runoff_with_dimensionless_coefficient_and_metres():
    # 1.2 m × 0.05 = 0.06 m = 60 mm
    r = water.storm_runoff(quantity(1.2, "m"), quantity(0.05, "1"))
    assert mag(r, "mm") == pytest.approx(60.0, rel=REL)


def test_water_conservation_ly_t_1721_vector():
    # gep-methods.md §12.2, DERIVED from LY/T 1721-2008 D1 (G = 10·A·(P − E − C)):
    # A = 100 hm², P = 1200, E = 600, C = 100 mm → 10 × 100 × (1200 − 600 − 100) = 500 000 m³.
    # Water balance form: (1200 − 100 − 600) mm = 0.5 m × 100 hm² (= 1e6 m²) = 500 000 m³.
    q = water.water_conservation(quantity(1200, "mm"), quantity(100, "mm"), quantity(600, "mm"),
                                 quantity(100, "hm²"))
    assert mag(q, "m³") == pytest.approx(500_000.0, rel=REL)
    assert mag(q, "万m³") == pytest.approx(50.0, rel=REL)


def test_water_conservation_value_ly_t_1721_vector():
    # gep-methods.md §12.2, DERIVED from LY/T 1721-2008 D1: U_调 = 500 000 m³ × 6.1107 元/m³ = 3 055 350 元
    q = water.water_conservation(quantity(1200, "mm"), quantity(100, "mm"), quantity(600, "mm"),
                                 quantity(100, "hm²"))
    price = quantity(6.1107, "元/m³")
    assert mag(provisioning.market_value(q, price), "元") == pytest.approx(3_055_350.0, rel=REL)
    assert mag(q * price, "元") == pytest.approx(3_055_350.0, rel=REL)


def test_water_conservation_area_in_mu_and_km2():
    # 1500 亩 = 100 hm² → same 500 000 m³; 1 km² = 100 hm² → same.
    for area in (quantity(1500, "亩"), quantity(1, "km²")):
        q = water.water_conservation(quantity(1200, "mm"), quantity(100, "mm"), quantity(600, "mm"), area)
        assert mag(q, "m³") == pytest.approx(500_000.0, rel=REL)


def test_water_conservation_negative_balance_is_zero():
    # 500 − 100 − 600 = −200 mm → clipped to 0 (no retained water, not a debit)
    q = water.water_conservation(quantity(500, "mm"), quantity(100, "mm"), quantity(600, "mm"),
                                 quantity(100, "hm²"))
    assert mag(q, "m³") == 0.0


def test_water_conservation_arrays():
    # row 1: (1200 − 100 − 600) mm × 100 hm² = 0.5 m × 1e6 m² = 500 000 m³
    # row 2: (800 − 100 − 900) = −200 mm → 0
    # row 3: (1000 − 0 − 400) = 600 mm = 0.6 m × 10 hm² (1e5 m²) = 60 000 m³
    q = water.water_conservation(quantity([1200.0, 800.0, 1000.0], "mm"), quantity([100.0, 100.0, 0.0], "mm"),
                                 quantity([600.0, 900.0, 400.0], "mm"), quantity([100.0, 100.0, 10.0], "hm²"))
    np.testing.assert_allclose(mag(q, "m³"), [500_000.0, 0.0, 60_000.0], rtol=REL, atol=0)


def test_reservoir_flood_storage():
    # C_r = 0.35 × C_t = 0.35 × 3.154 亿m³ = 1.1039 亿m³ = 1.1039e8 m³
    c = water.reservoir_flood_storage(quantity(3.154, "亿m³"), quantity(0.35, "1"))
    assert mag(c, "m³") == pytest.approx(1.1039e8, rel=REL)




def test_lake_flood_storage_one_km2():
    # C_l = e^a × A^b × T [10⁴ m³] = e^6.636 × 1^0.678 × 1 = e^6.636 万m³ ≈ 762.04 × 1e4 m³
    expected = math.exp(6.636) * 1e4
    for area in (quantity(1, "km²"), quantity(100, "hm²")):
        c = water.lake_flood_storage(area, quantity(6.636, "1"), quantity(0.678, "1"), quantity(1, "1"))
        assert mag(c, "m³") == pytest.approx(expected, rel=REL)
    assert expected / 1e4 == pytest.approx(762.04, rel=1e-5)


def test_lake_flood_storage_arrays_and_zero_area():
    # 10 km², T = 2: e^6.636 × 10^0.678 × 2 万m³; zero area → 0
    c = water.lake_flood_storage(quantity([10.0, 0.0], "km²"), quantity(6.636, "1"), quantity(0.678, "1"),
                                 quantity(2, "1"))
    expected = [math.exp(6.636) * 10 ** 0.678 * 2 * 1e4, 0.0]
    np.testing.assert_allclose(mag(c, "m³"), expected, rtol=REL, atol=0)


def test_lake_flood_storage_of_no_lake_is_zero_whatever_the_exponent():
    # A = 0 stores nothing; with b = 0 the regression alone would give e^a × 0^0 × T = e^a × 1 × 1 万m³, so the
    # zero must come from the area test, not from 0^b (b > 0 in the published regressions, but a register may hold any b)
    c = water.lake_flood_storage(quantity([0.0, 4.0], "km²"), quantity(1.0, "1"), quantity(0.0, "1"), quantity(1, "1"))
    # 4 km² with b = 0: e^1 × 4^0 × 1 = e 万m³ = 27 182.8… m³
    np.testing.assert_allclose(mag(c, "m³"), [0.0, math.e * 1e4], rtol=REL, atol=0)


def test_swamp_flood_storage():
    # C_m = d × S = 0.3 m × 10 hm² = 0.3 m × 1e5 m² = 30 000 m³
    c = water.swamp_flood_storage(quantity(10, "hm²"), quantity(0.3, "m"))
    assert mag(c, "m³") == pytest.approx(30_000.0, rel=REL)


# ==================================================================================================
# soil: 土壤保持 and 防风固沙
# ==================================================================================================

R_UNIT = "MJ·mm/(hm²·h)"
K_UNIT = "t·hm²·h/(hm²·MJ·mm)"


def _rusle():
    return soil.rusle_erosion(quantity(5784, R_UNIT), quantity(0.035, K_UNIT), quantity(1.2, "1"),
                              quantity(0.004, "1"), quantity(1, "1"))


def test_rusle_erosion():
    # A_p = R × K × LS = 5784 × 0.035 × 1.2 = 202.44 × 1.2 = 242.928 t/hm²
    # A_r = A_p × C × P = 242.928 × 0.004 × 1 = 0.971712 t/hm²
    potential, actual = _rusle()
    assert mag(potential, "t/hm²") == pytest.approx(242.928, rel=REL)
    assert mag(actual, "t/hm²") == pytest.approx(0.971712, rel=REL)


def test_soil_retained_from_rusle():
    # (242.928 − 0.971712) t/hm² × 100 hm² = 241.956288 × 100 = 24 195.6288 t
    potential, actual = _rusle()
    q = soil.soil_retained(potential, actual, quantity(100, "hm²"))
    assert mag(q, "t") == pytest.approx(24_195.6288, rel=REL)


def test_soil_retained_ly_t_1721_vector():
    # gep-methods.md §12.2, DERIVED from LY/T 1721-2008 E1 (G_固土 = A × (X2 − X1)):
    # X2 = 50, X1 = 5 t/(hm²·a), A = 100 hm² → 100 × 45 = 4500 t
    q = soil.soil_retained(quantity(50, "t/hm²"), quantity(5, "t/hm²"), quantity(100, "hm²"))
    assert mag(q, "t") == pytest.approx(4500.0, rel=REL)
    # same vector, U_固土 = A × C_土 × (X2 − X1)/ρ with ρ = 1.2 t/m³, C_土 = 12.6 元/m³:
    # 4500 / 1.2 = 3750 m³ × 12.6 = 47 250 元
    volume = (q / quantity(1.2, "t/m³")).to("m**3")
    assert mag(provisioning.market_value(volume, quantity(12.6, "元/m³")), "元") == pytest.approx(47_250.0, rel=REL)


def test_soil_retained_negative_difference_is_zero():
    # rows: (10 − 4) × 2 = 12 t; (3 − 5) → 0
    q = soil.soil_retained(quantity([10.0, 3.0], "t/hm²"), quantity([4.0, 5.0], "t/hm²"), quantity(2, "hm²"))
    np.testing.assert_allclose(mag(q, "t"), [12.0, 0.0], rtol=REL, atol=0)


def test_reduced_sedimentation():
    # λ × Q_sr / ρ = 0.24 × 24 195.6288 / 1.125 = 5806.950912 / 1.125 = 5161.734144 m³
    v = soil.reduced_sedimentation(quantity(24_195.6288, "t"), quantity(0.24, "1"), quantity(1.125, "t/m³"))
    assert mag(v, "m³") == pytest.approx(5161.734144, rel=REL)
    # LY/T vector amount: 4500 × 0.24 / 1.125 = 1080 / 1.125 = 960 m³
    v = soil.reduced_sedimentation(quantity(4500, "t"), quantity(24, "%"), quantity(1125, "kg/m³"))
    assert mag(v, "m³") == pytest.approx(960.0, rel=REL)


def test_nutrient_loss_reduction():
    # Q_sr × c = 24 195.6288 t × 0.15 % = 24 195.6288 × 0.0015 = 36.2934432 t
    n = soil.nutrient_loss_reduction(quantity(24_195.6288, "t"), quantity(0.15, "%"))
    assert mag(n, "t") == pytest.approx(36.2934432, rel=REL)
    # 4500 t × 0.0015 = 6.75 t
    n = soil.nutrient_loss_reduction(quantity(4500, "t"), quantity(0.0015, "1"))
    assert mag(n, "t") == pytest.approx(6.75, rel=REL)


def test_sand_fixed():
    # (35 − 3) t/hm² × 40 hm² = 1280 t; a negative difference (2 − 5) counts as 0
    q = soil.sand_fixed(quantity([35.0, 2.0], "t/hm²"), quantity([3.0, 5.0], "t/hm²"), quantity(40, "hm²"))
    np.testing.assert_allclose(mag(q, "t"), [1280.0, 0.0], rtol=REL, atol=0)


def test_desertification_avoided():
    # Q_sf / (ρ_s × h) = 1280 t / (1.28 t/m³ × 0.1 m) = 1280 / 0.128 t/m² = 10 000 m²
    # (ρ_s = 1.28 t/m³, h = 0.1 m: gep-methods.md §4.3, Garzê / 白玛卓嘎 et al. 2017 eq. 6)
    area = soil.desertification_avoided(quantity(1280, "t"), quantity(1.28, "t/m³"), quantity(0.1, "m"))
    assert mag(area, "m²") == pytest.approx(10_000.0, rel=REL)
    # valued at 3.75 元/m² (Garzê 2010): 10 000 × 3.75 = 37 500 元
    assert mag(provisioning.market_value(area, quantity(3.75, "元/m²")), "元") == pytest.approx(37_500.0, rel=REL)


# ==================================================================================================
# purification
# ==================================================================================================

def test_purified_amount_without_capacity_is_the_emission():
    assert mag(purification.purified_amount(quantity(100, "t")), "t") == pytest.approx(100.0, rel=REL)
    # 2500 kg = 2.5 t
    assert mag(purification.purified_amount(quantity(2500, "kg")), "t") == pytest.approx(2.5, rel=REL)


def test_purified_amount_with_capacity_is_the_minimum():
    # min(100, 80) = 80 t; min(100, 120) = 100 t; min(1 万t, 5000 t) = 5000 t
    assert mag(purification.purified_amount(quantity(100, "t"), quantity(80, "t")), "t") == 80.0
    assert mag(purification.purified_amount(quantity(100, "t"), quantity(120, "t")), "t") == 100.0
    assert mag(purification.purified_amount(quantity(1, "万t"), quantity(5000, "t")), "t") == 5000.0
    q = purification.purified_amount(quantity([100.0, 100.0], "t"), quantity([80.0, 120.0], "t"))
    np.testing.assert_array_equal(mag(q, "t"), [80.0, 100.0])


# ==================================================================================================
# carbon: 固碳 and 释氧
# ==================================================================================================

def _nep():
    return carbon.net_ecosystem_production(quantity(620, "g C/m²"), quantity(0.25, "1"), quantity(100, "hm²"))


def test_net_ecosystem_production():
    # NEP = 0.25 × 620 g C/m² × 100 hm² = 155 g C/m² × 1e6 m² = 1.55e8 g C = 155 t C
    nep = _nep()
    assert nep.dimensionality == parse_unit("t C").dimensionality
    assert mag(nep, "t C") == pytest.approx(155.0, rel=REL)


def test_co2_fixed():
    # CO₂ = 155 t C × 44/12 = 6820/12 = 568.333… t CO₂
    co2 = carbon.co2_fixed(_nep())
    assert mag(co2, "t CO₂") == pytest.approx(155 * 44 / 12, rel=REL)
    assert mag(co2, "t CO₂") == pytest.approx(568.3333333333334, rel=REL)


def test_oxygen_released():
    # O₂ = CO₂ × 32/44 = (155 × 44/12) × 32/44 = 155 × 32/12 = 413.333… t
    o2 = carbon.oxygen_released(carbon.co2_fixed(_nep()), quantity(O2_PER_CO2, "1"))
    assert mag(o2, "t") == pytest.approx(155 * 32 / 12, rel=REL)
    assert mag(o2, "t") == pytest.approx(413.3333333333333, rel=REL)


def test_oxygen_over_carbon_value_matches_youyang_2023():
    # official-coefficients.md §2.4 (Youyang platform 2023, R1 detail.vue): 释氧 / 固碳 value ratio
    # = (32/44 × 1000 元/t O₂) / 29.57 元/t CO₂ = 727.2727… / 29.57 = 24.5950 (4 decimals).
    co2 = carbon.co2_fixed(_nep())
    o2 = carbon.oxygen_released(co2, quantity(O2_PER_CO2, "1"))
    v_co2 = provisioning.market_value(co2, quantity(29.57, "元/t CO₂"))
    v_o2 = provisioning.market_value(o2, quantity(1000, "元/t"))
    ratio = (v_o2 / v_co2).to("dimensionless").magnitude
    assert ratio == pytest.approx((32 / 44 * 1000) / 29.57, rel=REL)
    assert round(ratio, 4) == 24.5950
    # the published 2023 values themselves: 15.2020988658058 / 0.618098337260068 亿元 → same ratio
    assert round(15.2020988658058 / 0.618098337260068, 4) == 24.5950


def test_youyang_2023_oxygen_value_from_carbon_value():
    # official-coefficients.md §2.4: 固碳 0.618098337260068 亿元 at 29.57 元/t CO₂ → 2.090 Mt CO₂;
    # O₂ = 32/44 of it → 1.520 Mt; × 1000 元/t = 15.2020988658058 亿元 (published 释氧 value).
    co2 = (quantity(0.618098337260068, "亿元") / quantity(29.57, "元/t CO₂")).to(parse_unit("t CO₂"))
    assert mag(co2, "t CO₂") / 1e6 == pytest.approx(2.090, abs=5e-4)
    o2 = carbon.oxygen_released(co2, quantity(O2_PER_CO2, "1"))
    value = provisioning.market_value(o2, quantity(1000, "元/t"))
    assert mag(value, "亿元") == pytest.approx(15.2020988658058, rel=1e-9)


def test_carbon_value_needs_a_price_on_the_same_basis():
    # a price per t CO₂ cannot value t C (the 44/12 factor must be explicit)
    with pytest.raises(UnitError):
        provisioning.market_value(_nep(), quantity(29.57, "元/t CO₂"))


# ==================================================================================================
# climate: 气候调节
# ==================================================================================================

def test_transpiration_heat_from_et():
    # EPP = ET/365 × ρ_w × q = 0.55 m / 365 d × 1000 kg/m³ × 2450 kJ/kg = 1 347 500 / 365 ≈ 3691.78 kJ/(m²·d)
    epp = climate.transpiration_heat_from_et(quantity(550, "mm"), quantity(2450, "kJ/kg"),
                                             quantity(1000, "kg/m³"))
    assert mag(epp, "kJ/(m²·d)") == pytest.approx(550e-3 / 365 * 1000 * 2450, rel=REL)
    # same with q = 2450 J/g (the Youyang spelling) and ρ = 1 t/m³
    epp = climate.transpiration_heat_from_et(quantity(0.55, "m"), quantity(2450, "J/g"), quantity(1, "t/m³"))
    assert mag(epp, "kJ/(m²·d)") == pytest.approx(550e-3 / 365 * 1000 * 2450, rel=REL)


def test_transpiration_cooling():
    # E = EPP × S × D / (3600 × r) = 3000 kJ/(m²·d) × 1e4 m² × 75 d / 3600 / 3
    #   = 2.25e9 kJ / 10 800 = 208 333.33… kWh
    e = climate.transpiration_cooling(quantity(3000, "kJ/(m²·d)"), quantity(1, "hm²"), quantity(75, "d"),
                                      quantity(3, "1"))
    assert mag(e, "kWh") == pytest.approx(3000 * 1e4 * 75 / 3600 / 3, rel=REL)


def test_water_surface_evaporation():
    # E = E_w × ρ × q / 3600 + E_w × γ = 1 × 1000 × 2450 / 3600 + 1 × 120 = 680.555… + 120 = 800.555… kWh
    e = climate.water_surface_evaporation(quantity(1, "m³"), quantity(2450, "kJ/kg"), quantity(1000, "kg/m³"),
                                          quantity(120, "kWh/m³"))
    assert mag(e, "kWh") == pytest.approx(1000 * 2450 / 3600 + 120, rel=REL)


def test_water_surface_evaporation_in_wan_m3():
    # 1 万m³ = 1e4 m³ → 1e4 × (1000 × 2450 / 3600 + 120) kWh
    e = climate.water_surface_evaporation(quantity(1, "万m³"), quantity(2450, "kJ/kg"), quantity(1000, "kg/m³"),
                                          quantity(120, "kWh/m³"))
    assert mag(e, "kWh") == pytest.approx(1e4 * (1000 * 2450 / 3600 + 120), rel=REL)


# ==================================================================================================
# cultural
# ==================================================================================================

def test_recreation_value():
    # V = N × TC = 430 万人次 (4.3e6 人次) × 400 元/人次 = 1.72e9 元 = 17.2 亿元
    v = cultural.recreation_value(quantity(430, "万人次"), quantity(400, "元/人次"))
    assert mag(v, "元") == pytest.approx(1.72e9, rel=REL)
    assert mag(v, "亿元") == pytest.approx(17.2, rel=REL)


def test_recreation_value_with_time_cost():
    # V = N × (TC + TV) = 4.3e6 × (400 + 25) = 4.3e6 × 425 = 1.8275e9 元
    v = cultural.recreation_value(quantity(430, "万人次"), quantity(400, "元/人次"), quantity(25, "元/人次"))
    assert mag(v, "元") == pytest.approx(1.8275e9, rel=REL)
    # a missing (NaN) time cost counts as 0: 4.3e6 × 400 = 1.72e9 元
    v = cultural.recreation_value(quantity(430, "万人次"), quantity(400, "元/人次"), quantity(math.nan, "元/人次"))
    assert mag(v, "元") == pytest.approx(1.72e9, rel=REL)


def test_landscape_value():
    # V = A_l × P_l = 12 000 m² × 150 元/m² = 1 800 000 元; 1.2 hm² is the same 12 000 m²
    for area in (quantity(12_000, "m²"), quantity(1.2, "hm²")):
        v = cultural.landscape_value(area, quantity(150, "元/m²"))
        assert mag(v, "元") == pytest.approx(1.8e6, rel=REL)


# ==================================================================================================
# provisioning
# ==================================================================================================

def test_market_value():
    # 120 t × 3000 元/t = 360 000 元 = 36 万元
    v = provisioning.market_value(quantity(120, "t"), quantity(3000, "元/t"))
    assert mag(v, "元") == pytest.approx(360_000.0, rel=REL)
    # 2 万t × 0.3 万元/t = 2e4 × 3000 = 6e7 元
    v = provisioning.market_value(quantity(2, "万t"), quantity(0.3, "万元/t"))
    assert mag(v, "元") == pytest.approx(6e7, rel=REL)


def test_market_value_wrong_price_unit_raises():
    # m³ × 元/t is not a currency
    with pytest.raises(UnitError, match="not a currency"):
        provisioning.market_value(quantity(100, "m³"), quantity(2.6, "元/t"))


@pytest.mark.parametrize("amount, unit_price, missing, example", [
    (120, quantity(3000, "元/t"), "amount", "t"), (quantity(120, "t"), 3000, "unit_price", "万元/t")])
def test_market_value_of_a_bare_number_names_the_argument_and_how_to_give_its_unit(amount, unit_price, missing,
                                                                                   example):
    # a bare number is refused by the name of the argument that lacks its unit, with a call that would work for
    # that argument: an amount in t, a price in 万元/t
    with pytest.raises(UnitError) as err:
        provisioning.market_value(amount, unit_price)
    assert str(err.value) == (f"market_value(): argument '{missing}' has no unit; "
                              f"pass e.g. quantity(value, '{example}')")


def test_market_value_bare_numbers_raise_unit_error():
    with pytest.raises(UnitError):
        provisioning.market_value(100.0, quantity(2.6, "元/t"))


def test_water_supply_value():
    # Garzê 2010 domestic price 2.6 元/m³ (gep-methods.md §3): 1.5 万m³ = 15 000 m³ × 2.6 = 39 000 元
    v = provisioning.water_supply_value(quantity(1.5, "万m³"), quantity(2.6, "元/m³"))
    assert mag(v, "元") == pytest.approx(39_000.0, rel=REL)


def test_hydropower_value_garze():
    # gep-methods.md §3 (白玛卓嘎 et al. 2017, 表3): 95.30 亿kWh × 0.53 元/kWh = 50.509 亿元 (published 50.51 亿元)
    v = provisioning.hydropower_value(quantity(95.30, "亿kWh"), quantity(0.53, "元/kWh"))
    assert mag(v, "亿元") == pytest.approx(50.509, rel=REL)
    assert round(mag(v, "亿元"), 2) == 50.51
    # 元/度 is the same price
    v = provisioning.hydropower_value(quantity(95.30, "亿千瓦时"), quantity(0.53, "元/度"))
    assert mag(v, "亿元") == pytest.approx(50.509, rel=REL)


# ==================================================================================================
# every checked service rejects a wrong dimension (and a bare number) with UnitError naming the argument
# ==================================================================================================

def Q(value, unit):
    return quantity(value, unit)


GOOD_ARGS = {
    water.storm_runoff: dict(precipitation=Q(1000, "mm"), runoff_coefficient=Q(0.05, "1")),
    water.water_conservation: dict(precipitation=Q(1200, "mm"), runoff=Q(100, "mm"),
                                   evapotranspiration=Q(600, "mm"), area=Q(100, "hm²")),
    water.reservoir_flood_storage: dict(total_storage=Q(1, "万m³"), flood_ratio=Q(0.35, "1")),
    water.lake_flood_storage: dict(area=Q(1, "km²"), log_coefficient=Q(6.636, "1"), exponent=Q(0.678, "1"),
                                   turnover=Q(1, "1")),
    water.swamp_flood_storage: dict(area=Q(10, "hm²"), depth=Q(0.3, "m")),
    soil.rusle_erosion: dict(rainfall_erosivity=Q(5784, R_UNIT), soil_erodibility=Q(0.035, K_UNIT),
                             slope_length_steepness=Q(1.2, "1"), cover_management=Q(0.004, "1"),
                             support_practice=Q(1, "1")),
    soil.soil_retained: dict(potential_erosion=Q(50, "t/hm²"), actual_erosion=Q(5, "t/hm²"), area=Q(100, "hm²")),
    soil.reduced_sedimentation: dict(soil_retained=Q(4500, "t"), sediment_ratio=Q(0.24, "1"),
                                     bulk_density=Q(1.125, "t/m³")),
    soil.nutrient_loss_reduction: dict(soil_retained=Q(4500, "t"), content=Q(0.15, "%")),
    soil.sand_fixed: dict(potential_wind_erosion=Q(35, "t/hm²"), actual_wind_erosion=Q(3, "t/hm²"),
                          area=Q(40, "hm²")),
    soil.desertification_avoided: dict(sand_fixed=Q(1280, "t"), bulk_density=Q(1.28, "t/m³"),
                                       layer_thickness=Q(0.1, "m")),
    purification.purified_amount: dict(emission=Q(100, "t"), capacity=Q(80, "t")),
    carbon.net_ecosystem_production: dict(npp=Q(620, "g C/m²"), nep_ratio=Q(0.25, "1"), area=Q(100, "hm²")),
    carbon.oxygen_released: dict(co2=Q(44, "t CO₂"), oxygen_per_co2=Q(O2_PER_CO2, "1")),
    climate.transpiration_heat_from_et: dict(evapotranspiration=Q(550, "mm"), latent_heat=Q(2450, "kJ/kg"),
                                             water_density=Q(1000, "kg/m³")),
    climate.transpiration_cooling: dict(transpiration_heat=Q(3000, "kJ/(m²·d)"), area=Q(1, "hm²"),
                                        cooling_days=Q(75, "d"), energy_efficiency_ratio=Q(3, "1")),
    climate.water_surface_evaporation: dict(evaporation=Q(1, "m³"), latent_heat=Q(2450, "kJ/kg"),
                                            water_density=Q(1000, "kg/m³"), humidifier_power=Q(120, "kWh/m³")),
    cultural.recreation_value: dict(visits=Q(430, "万人次"), spending_per_visit=Q(400, "元/人次"),
                                    time_cost_per_visit=Q(25, "元/人次")),
    cultural.landscape_value: dict(floor_area=Q(12_000, "m²"), price_premium=Q(150, "元/m²")),
    provisioning.water_supply_value: dict(volume=Q(1.5, "万m³"), unit_price=Q(2.6, "元/m³")),
    provisioning.hydropower_value: dict(generation=Q(95.30, "亿kWh"), unit_price=Q(0.53, "元/kWh")),
}

# (function, argument, a quantity of the wrong dimension)
WRONG = [
    (water.storm_runoff, "precipitation", Q(1000, "m³")),
    (water.storm_runoff, "runoff_coefficient", Q(0.05, "mm")),
    (water.water_conservation, "area", Q(100, "m³")),
    (water.water_conservation, "evapotranspiration", Q(600, "mm**2")),
    (water.reservoir_flood_storage, "total_storage", Q(1, "hm²")),
    (water.lake_flood_storage, "area", Q(1, "km")),
    (water.swamp_flood_storage, "depth", Q(0.3, "m²")),
    (soil.rusle_erosion, "rainfall_erosivity", Q(5784, "MJ")),
    (soil.rusle_erosion, "slope_length_steepness", Q(1.2, "m")),
    (soil.soil_retained, "potential_erosion", Q(50, "t")),
    (soil.soil_retained, "area", Q(100, "t")),
    (soil.reduced_sedimentation, "bulk_density", Q(1.125, "t/m²")),
    (soil.nutrient_loss_reduction, "soil_retained", Q(4500, "t C")),
    (soil.sand_fixed, "actual_wind_erosion", Q(3, "t/m³")),
    (soil.desertification_avoided, "layer_thickness", Q(0.1, "m²")),
    (purification.purified_amount, "emission", Q(100, "m³")),
    (purification.purified_amount, "capacity", Q(80, "t C")),
    (carbon.net_ecosystem_production, "npp", Q(620, "g/m²")),
    (carbon.net_ecosystem_production, "area", Q(100, "m")),
    (carbon.oxygen_released, "co2", Q(12, "t C")),
    (climate.transpiration_heat_from_et, "latent_heat", Q(2450, "kJ")),
    (climate.transpiration_cooling, "cooling_days", Q(75, "1")),
    (climate.water_surface_evaporation, "humidifier_power", Q(120, "kWh")),
    (cultural.recreation_value, "visits", Q(430, "万人")),
    (cultural.recreation_value, "time_cost_per_visit", Q(25, "元")),
    (cultural.landscape_value, "price_premium", Q(150, "元/t")),
    (provisioning.water_supply_value, "unit_price", Q(2.6, "元/t")),
    (provisioning.hydropower_value, "generation", Q(95.30, "万kW")),
]


def _call_id(case):
    func, name, _ = case
    return f"{_func_id(func)}-{name}"


def _func_id(func):
    return f"{func.__module__.rsplit('.', 1)[-1]}.{func.__name__}"


#: What each function gives for its GOOD_ARGS, worked out by hand: (magnitude, unit), a tuple for each part of a
#: result of several quantities
GOOD_RESULTS = {
    water.storm_runoff: (50, "mm"),  # 1000 mm × 0.05
    water.water_conservation: (500_000, "m³"),  # (1200 − 100 − 600) mm = 0.5 m × 100 hm² = 10⁶ m²
    water.reservoir_flood_storage: (3500, "m³"),  # 1 万m³ = 10 000 m³ × 0.35
    # e^a × A^b × T 万m³ with A = 1 km² (1^b = 1), T = 1: e^6.636 万m³ = e^6.636 × 10⁴ m³ (≈ 7.62 × 10⁶ m³)
    water.lake_flood_storage: (math.exp(6.636) * 1e4, "m³"),
    water.swamp_flood_storage: (30_000, "m³"),  # 10 hm² = 10⁵ m² × 0.3 m
    # A_p = R × K × LS = 5784 × 0.035 × 1.2 = 242.928 t/hm²; A_r = A_p × C × P = 242.928 × 0.004 × 1 = 0.971712
    soil.rusle_erosion: ((242.928, "t/hm²"), (0.971712, "t/hm²")),
    soil.soil_retained: (4500, "t"),  # (50 − 5) t/hm² × 100 hm²
    soil.reduced_sedimentation: (960, "m³"),  # 4500 t × 0.24 / 1.125 t/m³
    soil.nutrient_loss_reduction: (6.75, "t"),  # 4500 t × 0.15 %
    soil.sand_fixed: (1280, "t"),  # (35 − 3) t/hm² × 40 hm²
    soil.desertification_avoided: (10_000, "m²"),  # 1280 t / (1.28 t/m³ × 0.1 m)
    purification.purified_amount: (80, "t"),  # min(emission 100 t, capacity 80 t)
    carbon.net_ecosystem_production: (155, "t C"),  # 0.25 × 620 g C/m² × 10⁶ m² = 1.55 × 10⁸ g C
    carbon.oxygen_released: (32, "t"),  # 44 t CO₂ × 32/44
    # ET/365 × ρ × q = 0.55 m / 365 d × 1000 kg/m³ × 2450 kJ/kg = 1 347 500 / 365 kJ/(m²·d) ≈ 3691.78
    climate.transpiration_heat_from_et: (0.55 / 365 * 1000 * 2450, "kJ/(m²·d)"),
    # EPP × S × D / (3600 × r) = 3000 kJ/(m²·d) × 10⁴ m² × 75 d / (3600 kJ/kWh × 3) ≈ 208 333.33 kWh
    climate.transpiration_cooling: (3000 * 1e4 * 75 / (3600 * 3), "kWh"),
    # E_w × (ρ × q / 3600 + γ) = 1 m³ × (1000 × 2450 / 3600 + 120) kWh ≈ 800.56 kWh (f = r = h = 1: omitted)
    climate.water_surface_evaporation: (1000 * 2450 / 3600 + 120, "kWh"),
    cultural.recreation_value: (1.8275e9, "元"),  # 430 万人次 = 4.3 × 10⁶ visits × (400 + 25) 元
    cultural.landscape_value: (1.8e6, "元"),  # 12 000 m² × 150 元/m²
    provisioning.water_supply_value: (39_000, "元"),  # 1.5 万m³ = 15 000 m³ × 2.6 元/m³
    provisioning.hydropower_value: (5.0509e9, "元"),  # 95.30 亿kWh = 9.53 × 10⁹ kWh × 0.53 元/kWh
}


@pytest.mark.parametrize("func", list(GOOD_ARGS), ids=_func_id)
def test_good_arguments_give_the_result_worked_out_by_hand(func):
    got = func(**GOOD_ARGS[func])
    expected = GOOD_RESULTS[func]
    parts = expected if isinstance(expected[0], tuple) else (expected,)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(parts)
    for q, (value, unit) in zip(got, parts, strict=True):
        assert mag(q, unit) == pytest.approx(value, rel=REL, abs=0)


@pytest.mark.parametrize("case", WRONG, ids=_call_id)
def test_wrong_dimension_raises_unit_error_naming_the_argument(case):
    func, name, bad = case
    kwargs = dict(GOOD_ARGS[func], **{name: bad})
    with pytest.raises(UnitError) as info:
        func(**kwargs)
    message = str(info.value)
    assert f"'{name}'" in message and func.__name__ in message


@pytest.mark.parametrize("func", list(GOOD_ARGS), ids=_func_id)
def test_bare_number_raises_unit_error(func):
    name, good = next(iter(GOOD_ARGS[func].items()))
    kwargs = dict(GOOD_ARGS[func], **{name: float(good.magnitude)})
    with pytest.raises(UnitError, match=f"'{name}'"):
        func(**kwargs)


def test_co2_fixed_rejects_plain_tonnes_and_co2():
    with pytest.raises(UnitError):
        carbon.co2_fixed(quantity(155, "t"))
    with pytest.raises(UnitError):
        carbon.co2_fixed(quantity(155, "t CO₂"))


def test_annual_rates_are_accepted_where_an_amount_of_one_year_is_meant():
    # NPP is usually written per year: 620 g C/(m²·a) for one year over 1 hm² with r = 0.25
    # → 0.25 × 620 g C/m² × 10 000 m² = 1 550 000 g C = 1.55 t C (same as 620 g C/m² without /a)
    per_year = carbon.net_ecosystem_production(quantity(620, "g C/(m²·a)"), quantity(0.25, "1"), quantity(1, "hm²"))
    amount = carbon.net_ecosystem_production(quantity(620, "g C/m²"), quantity(0.25, "1"), quantity(1, "hm²"))
    assert per_year.to("t_C").magnitude == pytest.approx(1.55, rel=1e-12)
    assert amount.to("t_C").magnitude == pytest.approx(1.55, rel=1e-12)
    # water balance with P, R, ET in mm/a: (1200 − 100 − 600) mm × 100 hm² = 500 000 m³ (LY/T 1721 vector)
    q = water.water_conservation(quantity(1200, "mm/a"), quantity(100, "mm/a"), quantity(600, "mm/a"),
                                 quantity(100, "hm²"))
    assert q.to("m**3").magnitude == pytest.approx(500_000, rel=1e-12)
    # any rate is turned into the amount of one year: 1 g C/(m²·d) over 1 hm² for a year of 365.25 d
    # (pint's year) = 0.25 × 365.25 g C/m² × 10 000 m² = 913 125 g C
    daily = carbon.net_ecosystem_production(quantity(1, "g C/(m²·d)"), quantity(0.25, "1"), quantity(1, "hm²"))
    assert daily.to("t_C").magnitude == pytest.approx(0.913125, rel=1e-12)
