"""gep.units: the pint registry, Chinese unit spellings, exact conversions and boundary checks.

Every expected value below is worked out by hand in a comment (or follows from a unit's definition,
e.g. 1 亩 = 1/15 hm² = 10 000/15 m²); none was copied from what the code printed.
"""
from __future__ import annotations

import os
from fractions import Fraction

import numpy as np
import pint
import pytest

from gep.units import (
    _ALIASES,
    CO2_PER_C,
    O2_PER_CO2,
    UnitError,
    as_array,
    carbon_to_co2,
    check_units,
    co2_to_carbon,
    conversion,
    convert_magnitude,
    convert_text,
    decimal_shift,
    parse_unit,
    plain_unit,
    quantity,
    scale,
    to_magnitude,
    ureg,
)


def dim(text: str):
    """Dimensionality of a pint dimension expression such as '[currency]/[carbon_dioxide]'."""
    return ureg.get_dimensionality(text)


# --------------------------------------------------------------------------------------------------
# 亩 ↔ hm² ↔ m² ↔ km²
# --------------------------------------------------------------------------------------------------

def test_mu_to_hectare_is_exact():
    # 1 亩 = 1/15 hm² (市亩), so 1500 亩 = 1500/15 = 100 hm², bit for bit (applied as a division by 15).
    assert convert_magnitude(1500, "亩", "hm²") == 100.0
    assert convert_magnitude(1500.0, "亩", "公顷") == 100.0
    assert conversion("亩", "hm²") == Fraction(1, 15)


def test_mu_to_hectare_on_arrays_is_exact():
    # 1500/15 = 100, 15/15 = 1, 0/15 = 0, 3/15 = 0.2 (3/15 and 0.2 are the same float: 3.0/15.0 == 0.2)
    got = convert_magnitude(np.array([1500.0, 15.0, 0.0, 3.0]), "亩", "hm²")
    np.testing.assert_array_equal(got, np.array([100.0, 1.0, 0.0, 3.0 / 15.0]))


def test_hectare_to_mu_and_km2_to_mu():
    # 1 hm² = 15 亩; 1 km² = 100 hm² = 1500 亩 (both whole factors, applied as exact multiplications)
    assert convert_magnitude(100.0, "hm²", "亩") == 1500.0
    assert conversion("km²", "亩") == 1500
    assert convert_magnitude(2.0, "平方公里", "亩") == 3000.0


def test_one_mu_in_square_metres():
    # 1 亩 = 10 000 m² / 15 = 666.666… m²
    assert quantity(1, "亩").to("m**2").magnitude == pytest.approx(10_000 / 15, rel=1e-12)
    assert quantity(1, "亩").to("m**2").magnitude == pytest.approx(666.6666666666667, rel=1e-12)


def test_mu_is_an_area_not_milli_atomic_mass_unit():
    # pint alone reads 'mu' as milli-atomic-mass-unit; the gep registry defines 亩 as an area.
    assert parse_unit("亩").dimensionality == dim("[length]**2")
    assert parse_unit("万亩").dimensionality == dim("[length]**2")


def test_wan_mu_to_hectare():
    # 1 万亩 = 1e4 × 1/15 hm² = 666.666… hm²; 1.5 万亩 = 15 000/15 = 1000 hm², exactly
    assert convert_magnitude(1.5, "万亩", "hm²") == 1000.0


@pytest.mark.parametrize(
    "value, src, dst, expected",
    [
        (1.0, "km²", "hm²", 100.0),        # 1 km² = 1000 m × 1000 m = 1e6 m² = 100 × 1e4 m²
        (1.0, "km²", "m²", 1e6),
        (1.0, "平方公里", "km**2", 1.0),
        (1.0, "hm²", "m²", 1e4),            # 1 hm² = 100 m × 100 m
        (1.0, "万公顷", "hm²", 1e4),
        (2.5, "万hm²", "km²", 250.0),       # 2.5e4 hm² × 1 km²/100 hm² = 250 km²
    ],
)
def test_area_conversions(value, src, dst, expected):
    assert convert_magnitude(value, src, dst) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------------------------------
# 万 / 亿 prefixes of volume, money, mass, energy, visits
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, src, dst, expected",
    [
        (1.0, "万m³", "m³", 1e4),
        (3.0, "万m3", "m**3", 3e4),
        (1.0, "万立方米", "m³", 1e4),
        (1.0, "亿m³", "m³", 1e8),
        (3.154, "亿m³", "万m³", 31_540.0),   # 3.154 × 1e8 / 1e4
        (1.0, "万元", "元", 1e4),
        (1.0, "亿元", "元", 1e8),
        (17.2, "亿元", "万元", 172_000.0),    # 17.2 × 1e8 / 1e4
        (1.0, "万t", "t", 1e4),
        (1.0, "万吨", "kg", 1e7),             # 1e4 t × 1000 kg/t
        (1.0, "亿t", "万t", 1e4),
        (1.0, "亿kWh", "kWh", 1e8),
        (95.30, "亿kWh", "万kWh", 953_000.0),  # 95.30 × 1e8 / 1e4
        (1.0, "万千瓦时", "kWh", 1e4),
        (1.0, "万人次", "人次", 1e4),
        (430.0, "万人次", "人次", 4.3e6),       # 430 × 1e4
        (1.0, "万t C", "t C", 1e4),
        (1.0, "万t CO₂", "t CO₂", 1e4),
        (1.0, "t C", "kg C", 1e3),
        (1.0, "t CO2", "g CO2", 1e6),
    ],
)
def test_chinese_prefix_conversions(value, src, dst, expected):
    assert convert_magnitude(value, src, dst) == pytest.approx(expected, rel=1e-12)
    assert quantity(value, src).to(parse_unit(dst)).magnitude == pytest.approx(expected, rel=1e-12)


def test_wan_m3_is_ten_thousand_cubic_metres_not_wan_metre_cubed():
    # 万m³ = 1e4 m³. Read as (万m)³ it would be (1e4 m)³ = 1e12 m³.
    assert quantity(1, "万m³").to("m**3").magnitude == 1e4
    assert conversion("万m³", "m³") == 10_000
    assert parse_unit("万m³").dimensionality == dim("[length]**3")
    assert quantity(1, "亿m³").to("m**3").magnitude == 1e8


def test_to_magnitude_and_as_array_in_canonical_units():
    # 1500 亩 → 100 hm² exactly; 3 万元 → 30 000 元; 2 km² → 200 hm²
    assert to_magnitude(quantity(1500.0, "亩"), "hectare") == 100.0
    assert to_magnitude(quantity(3.0, "万元"), "yuan") == 30_000.0
    got = as_array(quantity([1.0, 2.0], "km²"), "hectare")
    assert isinstance(got, np.ndarray) and got.dtype == float
    np.testing.assert_array_equal(got, np.array([100.0, 200.0]))


def test_to_magnitude_rejects_a_bare_number():
    with pytest.raises(UnitError, match="bare"):
        to_magnitude(3.0, "m**3")


@pytest.mark.parametrize("unit, expected", [("万m³", 1e4), ("亿m³", 1e8)])
def test_to_magnitude_of_wan_and_yi_cubic_metres(unit, expected):
    # 1 万m³ = 1e4 m³; 1 亿m³ = 1e8 m³
    assert to_magnitude(quantity(1.0, unit), "m**3") == expected


# --------------------------------------------------------------------------------------------------
# Currency is its own dimension
# --------------------------------------------------------------------------------------------------

def test_yuan_is_a_currency_dimension():
    assert parse_unit("元").dimensionality == dim("[currency]")
    assert parse_unit("亿元").dimensionality == dim("[currency]")
    assert parse_unit("RMB") == parse_unit("元")


def test_yuan_plus_dimensionless_raises():
    with pytest.raises(pint.DimensionalityError):
        quantity(1, "元") + quantity(1, "1")
    with pytest.raises(pint.DimensionalityError):
        quantity(1, "元") + 1


def test_yuan_plus_tonnes_raises():
    with pytest.raises(pint.DimensionalityError):
        quantity(1, "元") + quantity(1, "t")


def test_yuan_cannot_be_converted_to_tonnes():
    with pytest.raises(UnitError):
        conversion("万元", "t")


# --------------------------------------------------------------------------------------------------
# Carbon and CO₂: separate dimensions, one explicit bridge
# --------------------------------------------------------------------------------------------------

def test_carbon_and_co2_are_distinct_dimensions():
    assert parse_unit("t C").dimensionality == dim("[carbon]")
    assert parse_unit("t CO₂").dimensionality == dim("[carbon_dioxide]")
    assert parse_unit("t").dimensionality == dim("[mass]")
    assert parse_unit("t C") != parse_unit("t CO₂")


def test_carbon_plus_plain_tonnes_raises():
    with pytest.raises(pint.DimensionalityError):
        quantity(1, "t C") + quantity(1, "t")
    with pytest.raises(pint.DimensionalityError):
        quantity(1, "t CO₂") + quantity(1, "t")
    with pytest.raises(pint.DimensionalityError):
        quantity(1, "t C") + quantity(1, "t CO₂")


def test_carbon_to_co2_by_to_raises():
    with pytest.raises(pint.DimensionalityError):
        quantity(1, "t C").to(parse_unit("t CO₂"))
    with pytest.raises(UnitError):
        conversion("t C", "t CO₂")


def test_carbon_to_co2_is_44_over_12():
    # 12 t C × 44/12 = 44 t CO₂
    assert CO2_PER_C == 44.0 / 12.0
    co2 = carbon_to_co2(quantity(12, "t C"))
    assert co2.units == parse_unit("t CO₂")
    assert co2.magnitude == pytest.approx(44.0, rel=1e-12)


def test_carbon_to_co2_from_other_carbon_units_and_rates():
    # 1 万t C = 1e4 t C → 1e4 × 44/12 = 36 666.67 t CO₂; 3 t C/a → 11 t CO₂/a; 12 000 kg C → 44 t CO₂
    assert carbon_to_co2(quantity(1, "万t C")).magnitude == pytest.approx(1e4 * 44 / 12, rel=1e-12)
    rate = carbon_to_co2(quantity(3, "t C/a"))
    assert rate.dimensionality == dim("[carbon_dioxide]/[time]")
    assert rate.to(parse_unit("t CO₂/a")).magnitude == pytest.approx(11.0, rel=1e-12)
    assert carbon_to_co2(quantity(12_000, "kg C")).magnitude == pytest.approx(44.0, rel=1e-12)


def test_co2_to_carbon_and_round_trip():
    # 44 t CO₂ × 12/44 = 12 t C; and back
    c = co2_to_carbon(quantity(44, "t CO₂"))
    assert c.units == parse_unit("t C")
    assert c.magnitude == pytest.approx(12.0, rel=1e-12)
    values = np.array([0.0, 1.0, 155.0, 2.5e6])
    back = co2_to_carbon(carbon_to_co2(quantity(values, "t C")))
    np.testing.assert_allclose(back.to(parse_unit("t C")).magnitude, values, rtol=1e-12, atol=0)


def test_bridge_rejects_plain_tonnes_and_the_wrong_gas():
    with pytest.raises(UnitError):
        carbon_to_co2(quantity(12, "t"))
    with pytest.raises(UnitError):
        carbon_to_co2(quantity(12, "t CO₂"))
    with pytest.raises(UnitError):
        co2_to_carbon(quantity(44, "t C"))
    with pytest.raises(UnitError):
        carbon_to_co2(12.0)


def test_o2_per_co2_is_32_over_44():
    assert O2_PER_CO2 == 32.0 / 44.0


# --------------------------------------------------------------------------------------------------
# Unknown units and conversion errors
# --------------------------------------------------------------------------------------------------

def test_unknown_unit_raises_unit_error():
    with pytest.raises(UnitError, match="foo"):
        parse_unit("foo")
    with pytest.raises(UnitError):
        quantity(1, "foo")


@pytest.mark.parametrize("text", ["(", "{", "t/(hm2"])
def test_an_unclosed_bracket_is_an_unknown_unit(text):
    # pint reads a unit with Python's tokenizer, which fails at the end of the text on an unclosed bracket
    # (a TokenError, not a SyntaxError); found by the random register rows of tests/test_faults_input.py
    with pytest.raises(UnitError) as info:
        parse_unit(text)
    assert str(info.value) == f"unknown unit '{text}'"


@pytest.mark.parametrize("text", ["", "   ", None])
def test_missing_unit_raises_unit_error(text):
    with pytest.raises(UnitError):
        parse_unit(text)


def test_conversion_between_dimensions_names_both_units():
    with pytest.raises(UnitError) as info:
        conversion("亩", "m3")
    message = str(info.value)
    assert "'亩'" in message and "'m3'" in message


def test_convert_magnitude_between_dimensions_raises():
    with pytest.raises(UnitError):
        convert_magnitude(1.0, "万元", "万人次")


def test_offset_units_are_not_converted_by_a_factor():
    # 0 °C = 273.15 K; a multiplicative factor of Quantity(1 °C).to(K) = 274.15 cannot express that, so gep
    # refuses the conversion (gep.units.conversion: "needs an offset") rather than scale by either number
    with pytest.raises(UnitError, match=r"'degC' → 'K' needs an offset \(like °C → K\), which gep does not convert"):
        convert_magnitude(0.0, "degC", "K")


# --------------------------------------------------------------------------------------------------
# check_units decorator
# --------------------------------------------------------------------------------------------------

@check_units(area="[area]", price="[currency]/[area]", ratio="")
def _priced_area(area, price, ratio=None):
    value = (area * price).to("yuan")
    return value if ratio is None else value * ratio


def test_check_units_accepts_right_dimensions_in_any_unit():
    # 15 亩 = 1 hm² = 1e4 m²; × 2 元/m² = 20 000 元; × 50 % = 10 000 元
    assert _priced_area(quantity(15, "亩"), quantity(2, "元/m²")).magnitude == pytest.approx(20_000.0, rel=1e-12)
    got = _priced_area(quantity(15, "亩"), quantity(2, "元/m²"), quantity(50, "%"))
    assert got.to("yuan").magnitude == pytest.approx(10_000.0, rel=1e-12)
    assert _priced_area.expected_units == {"area": "[area]", "price": "[currency]/[area]", "ratio": ""}


def test_check_units_wrong_dimension_names_argument():
    with pytest.raises(UnitError) as info:
        _priced_area(quantity(1, "m"), quantity(2, "元/m²"))
    message = str(info.value)
    assert "'area'" in message and "_priced_area" in message and "[area]" in message


def test_check_units_wrong_dimension_keyword_argument():
    with pytest.raises(UnitError, match="'price'"):
        _priced_area(area=quantity(1, "hm²"), price=quantity(2, "元/t"))


def test_check_units_bare_float_names_argument():
    with pytest.raises(UnitError, match="'area'.*no unit"):
        _priced_area(100.0, quantity(2, "元/m²"))


def test_check_units_dimensionless_rejects_units_and_bare_floats():
    with pytest.raises(UnitError, match="'ratio'"):
        _priced_area(quantity(1, "hm²"), quantity(2, "元/m²"), quantity(3, "m"))
    with pytest.raises(UnitError, match="'ratio'"):
        _priced_area(quantity(1, "hm²"), quantity(2, "元/m²"), 0.5)


# --------------------------------------------------------------------------------------------------
# parse_unit of compound spellings
# --------------------------------------------------------------------------------------------------

def test_parse_yuan_per_t_co2():
    u = parse_unit("元/t CO₂")
    assert u == ureg.yuan / ureg.t_CO2
    assert u.dimensionality == dim("[currency]/[carbon_dioxide]")
    assert parse_unit("元/tCO2") == u
    # 29.57 元/t CO₂ = 0.02957 元/kg CO₂
    assert quantity(29.57, "元/t CO₂").to(parse_unit("元/kg CO₂")).magnitude == pytest.approx(0.02957, rel=1e-12)


def test_parse_tonnes_per_hectare_year():
    u = parse_unit("t/(hm²·a)")
    assert u == ureg.metric_ton / ureg.hectare / ureg.year
    assert u.dimensionality == dim("[mass]/[area]/[time]")
    # 1 t/(hm²·a) = 1000 kg / 1e4 m² per year = 0.1 kg/(m²·a)
    assert quantity(1, "t/(hm²·a)").to("kg/(m**2*year)").magnitude == pytest.approx(0.1, rel=1e-12)


def test_parse_grams_carbon_per_square_metre_year():
    u = parse_unit("g C/(m²·a)")
    assert u == ureg.gram_carbon / ureg.meter ** 2 / ureg.year
    assert u.dimensionality == dim("[carbon]/[area]/[time]")
    # 620 g C/(m²·a) × 1e4 m²/hm² = 6.2e6 g C = 6.2 t C per hm² per year
    got = quantity(620, "g C/(m²·a)").to(parse_unit("t C/(hm²·a)")).magnitude
    assert got == pytest.approx(6.2, rel=1e-12)


def test_parse_percent():
    assert parse_unit("%") == ureg.percent
    assert parse_unit("％") == ureg.percent
    assert parse_unit("%").dimensionality == ureg.dimensionless.dimensionality
    # 3.52 % = 0.0352
    assert quantity(3.52, "%").to("dimensionless").magnitude == pytest.approx(0.0352, rel=1e-12)
    assert conversion("%", "1") == Fraction(1, 100)


@pytest.mark.parametrize("text", ["1", "-", "无量纲", "dimensionless"])
def test_parse_dimensionless(text):
    assert parse_unit(text) == ureg.dimensionless
    assert quantity(0.25, text).to("dimensionless").magnitude == 0.25


def test_parse_other_compound_spellings():
    assert parse_unit("元/人次").dimensionality == dim("[currency]/[visit]")
    assert parse_unit("万元/hm²").dimensionality == dim("[currency]/[area]")
    assert parse_unit("元/kWh") == ureg.yuan / ureg.kilowatt_hour
    assert parse_unit("元/度") == ureg.yuan / ureg.kilowatt_hour
    assert parse_unit("元/(kW·h)").dimensionality == dim("[currency]/[energy]")
    assert parse_unit("t/m³").dimensionality == dim("[mass]/[length]**3")
    # 1 万元/hm² = 1e4 元 / 1e4 m² = 1 元/m²
    assert quantity(1, "万元/hm²").to(parse_unit("元/m²")).magnitude == pytest.approx(1.0, rel=1e-12)
    # visits and people are different dimensions
    assert parse_unit("人次").dimensionality != parse_unit("人").dimensionality


@pytest.mark.parametrize("text, expected", [
    ("亿kW·h", "yi_kWh"),              # 1 亿kW·h = 1e8 kWh
    ("元/kW·h", "yuan/kilowatt_hour"),  # 元 per kW·h, the usual spelling of an electricity price
])
def test_parse_kw_h_with_middle_dot(text, expected):
    assert parse_unit(text) == ureg.parse_units(expected)


# --------------------------------------------------------------------------------------------------
# Exact conversion factors: a result a float can hold comes out exactly (asserted with ==, never approx)
# --------------------------------------------------------------------------------------------------

def test_conversion_factors_are_exact_rationals():
    # From the definitions: 亩 = 10 000/15 m² and hm² = 10 000 m², so 亩 → hm² = 1/15; 万亩 → hm² = 10⁴/15
    # = 2000/3; 1 kWh = 1000 W × 3600 s = 3600 kJ, so kJ → kWh = 1/3600; 亿元 → 元 = 10⁸; 万元/t → 元/t = 10⁴.
    assert conversion("亩", "hm²") == Fraction(1, 15)
    assert conversion("万亩", "hm²") == Fraction(2000, 3)
    assert conversion("kJ", "kWh") == Fraction(1, 3600)
    assert conversion("亿元", "元") == 100_000_000
    assert conversion("万元/t", "元/t") == 10_000


def test_one_and_a_half_wan_mu_is_exactly_1000_hectares():
    # 1.5 万亩 = 15 000 亩 = 15 000/15 hm² = 1000 hm². Applied as 1.5 × 2000 / 3: 1.5 × 2000 = 3000 and
    # 3000 / 3 = 1000 are exact in floats. With the float factor 666.6666666666666, 0.3 万亩 (= 3000 亩 = 200 hm²)
    # came out 199.99999999999997.
    assert convert_magnitude(1.5, "万亩", "hm²") == 1000.0
    assert to_magnitude(quantity(1.5, "万亩"), "hectare") == 1000.0
    np.testing.assert_array_equal(convert_magnitude(np.array([1.5, 0.3, 3.0]), "万亩", "hm²"),
                                  # 0.3 万亩 = 3000 亩 = 200 hm²; 3 万亩 = 30 000/15 = 2000 hm²
                                  np.array([1000.0, 200.0, 2000.0]))


def test_mu_to_hectare_exact_values():
    # 3 亩 = 3/15 = 1/5 hm², and 3.0 / 15.0 is the double nearest 0.2, i.e. the float 0.2;
    # 22.5 亩 = 22.5/15 = 1.5 hm² (exact in binary); 1 hm² = 15 亩 back again.
    assert convert_magnitude(3.0, "亩", "hm²") == 0.2
    assert convert_magnitude(22.5, "亩", "hm²") == 1.5
    assert convert_magnitude(1.5, "hm²", "亩") == 22.5


def test_wan_m3_to_m3_exact_from_text():
    # 0.07 万m³ = 700 m³. The float 0.07 is slightly above 0.07, and 0.07 × 10⁴ in floats is
    # 700.0000000000001; read from the text "0.07" (Fraction 7/100 × 10⁴) it is exactly 700.
    assert convert_text("0.07", "万m³", "m³") == 700.0
    # 3 万m³ = 3 × 10⁴ = 30 000 m³; 3.154 亿m³ = 3.154 × 10⁴ 万m³ = 31 540 万m³
    assert convert_magnitude(3.0, "万m³", "m³") == 30_000.0
    assert convert_text("3.154", "亿m³", "万m³") == 31_540.0


def test_yi_yuan_to_yuan_exact():
    # 17.2 亿元 = 17.2 × 10⁸ = 1 720 000 000 元; 0.35 亿元 = 35 000 000 元; 4.9 亿元 = 490 000 000 元 and
    # 1.1 亿元 = 110 000 000 元 (in floats 4.9 × 10⁸ is 490 000 000.00000006 and 1.1 × 10⁸ is 110 000 000.00000001;
    # from the text they are exact).
    assert convert_text("17.2", "亿元", "元") == 1_720_000_000.0
    assert convert_text("1.1", "亿元", "元") == 110_000_000.0
    assert convert_text("0.35", "亿元", "元") == 35_000_000.0
    assert convert_text("4.9", "亿元", "元") == 490_000_000.0
    assert convert_magnitude(3.0, "亿元", "元") == 300_000_000.0


def test_kj_to_kwh_exact():
    # 1 kWh = 1 kW × 1 h = 1000 J/s × 3600 s = 3 600 000 J = 3600 kJ, so 5400 kJ = 5400/3600 = 1.5 kWh and
    # 900 kJ = 0.25 kWh (one division by 3600, exact because the quotients are binary fractions).
    assert convert_magnitude(5400.0, "kJ", "kWh") == 1.5
    assert convert_magnitude(900.0, "kJ", "kWh") == 0.25
    assert convert_magnitude(1.5, "kWh", "kJ") == 5400.0


def test_wan_tonnes_times_wan_yuan_per_tonne_is_exact():
    # 1.5 万t × 0.2 万元/t: each operand to its plain unit first, 1.5 万t = 15 000 t and 0.2 万元/t = 2000 元/t
    # (float(0.2) × 10 000 rounds to exactly 2000.0), then 15 000 × 2000 = 30 000 000 元. Multiplying first,
    # 1.5 × 0.2 × 10⁸ = 30 000 000.000000004 in floats.
    from gep.services.provisioning import hydropower_value, market_value
    assert float(0.2) * 10_000 == 2000.0
    assert market_value(quantity(1.5, "万t"), quantity(0.2, "万元/t")).magnitude == 30_000_000.0
    # 95.30 亿kWh × 0.53 元/kWh (白玛卓嘎 et al. 2017, 表3): 9 530 000 000 kWh × 0.53 = 5 050 900 000 元
    # (95.3 × 10⁸ rounds to exactly 9.53e9; × the float 0.53 = 0.53000000000000002665… gives 5 050 900 000.00000025,
    # within half a unit in the last place (4.8e-7) of 5 050 900 000)
    assert hydropower_value(quantity(95.30, "亿kWh"), quantity(0.53, "元/kWh")).magnitude == 5_050_900_000.0


def test_plain_unit_drops_wan_and_yi():
    # 万t → t, 万元/t → 元/t, 亿m³ → m³, 万t CO₂ → t CO₂; 亩 and t stay as they are
    assert plain_unit("万t") == parse_unit("t")
    assert plain_unit("万元/t") == parse_unit("元/t")
    assert plain_unit("亿m³") == parse_unit("m³")
    assert plain_unit("万t CO₂") == parse_unit("t CO₂")
    assert plain_unit("亩") == parse_unit("亩")


def test_scale_applies_p_then_q():
    # 2000/3 applied to 1.5: 1.5 × 2000 = 3000, / 3 = 1000; to 0.3: 0.3 × 2000 = 600 (rounded to exactly 600.0),
    # / 3 = 200 (0.3 × 666.6666666666666 is 199.99999999999997); 1/15: one division; 10⁴: one multiplication;
    # a factor of 1 returns the values unchanged.
    assert scale(1.5, Fraction(2000, 3)) == 1000.0
    assert scale(0.3, Fraction(2000, 3)) == 200.0
    assert scale(1500.0, Fraction(1, 15)) == 100.0
    assert scale(0.2, Fraction(10_000)) == 2000.0
    values = np.array([1.0, 2.0])
    assert scale(values, Fraction(1)) is values


def test_decimal_shift():
    # 2000/3 = 10³ × 2/3; 1/3600 = 10⁻² × 1/36; 1/15 has no power of ten; 10⁸ = 10⁸ × 1
    assert decimal_shift(Fraction(2000, 3)) == (3, Fraction(2, 3))
    assert decimal_shift(Fraction(1, 3600)) == (-2, Fraction(1, 36))
    assert decimal_shift(Fraction(1, 15)) == (0, Fraction(1, 15))
    assert decimal_shift(Fraction(10**8)) == (8, Fraction(1))


def test_si_prefixes_are_exact():
    # milli = 1e-3 exactly: 1 mm = 1/1000 m (the float 0.001 is not 1/1000); 1 g = 1/1000 kg; 1 kJ = 1000 J;
    # 1 MJ·mm/(hm²·h) = 10⁶ J × 10⁻³ m / (10⁴ m² × 3600 s) = 1/36 000 J/(m·s)
    assert conversion("mm", "m") == Fraction(1, 1000)
    assert conversion("g", "kg") == Fraction(1, 1000)
    assert conversion("kJ", "J") == 1000
    assert conversion("MJ*mm/(hm2*h)", "J/(m*s)") == Fraction(1, 36_000)


@pytest.mark.parametrize("unit", sorted(set(_ALIASES.values()) | {
    "mm/a", "MJ*mm/(hectare*h)", "t*hectare*h/(hectare*MJ*mm)", "gram_carbon/m**2", "kJ/(m**2*day)", "kWh/m**3",
    "yuan/t_CO2", "wan_yuan/wan_m3", "yuan/(hectare*a)"}))
def test_every_registry_unit_converts_exactly_to_base_units(unit):
    # Every unit gep names is a decimal or 10 000/15 multiple of SI base units (亩 = 10 000/15 m²; 万/亿 and
    # the SI prefixes are powers of ten; h = 3600 s, d = 86 400 s, a = 365.25 d = 1461/4 d), so the powers of 2 in
    # the denominator of its exact factor are few (2⁵ for mm/a = 1/(1000 × 1461/4 × 86 400) m/s); a float such as
    # 0.001 read as a binary fraction would bring 2⁶⁰. The factor agrees with pint's float factor (checked inside
    # conversion()). 万t → t and 万元/t → 元/t are whole multiples.
    base = str(quantity(1, unit).to_base_units().units)
    for target in (base, str(plain_unit(unit))):
        factor = conversion(unit, target)
        twos = factor.denominator & -factor.denominator  # the largest power of 2 dividing it
        assert twos <= 2**20, (unit, target, factor)


def _units_in_fresh_process(cache: str, cwd=None) -> list[str]:
    """1 亩 in m² and 1 亿元 in 元, from ``import gep.units`` in a new Python process with ``GEP_CACHE``."""
    import subprocess
    import sys
    code = ("from gep.units import ureg; print(ureg.Quantity(1, 'mu').to('m**2').magnitude, "
            "ureg.Quantity(1, 'yi_yuan').to('yuan').magnitude)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd,
                          env={**os.environ, "GEP_CACHE": cache})
    return done.stdout.split()


def test_the_registry_definitions_are_cached_and_a_bad_cache_is_passed_over(tmp_path):
    import pint
    # 1 亩 = 10000/15 m² = 666.67 m²; 1 亿元 = 10⁸ 元
    expected = [pytest.approx(10000 / 15, rel=1e-12), 1e8]
    assert [float(v) for v in _units_in_fresh_process(str(tmp_path))] == expected
    cached = list((tmp_path / f"pint-{pint.__version__}").glob("*.pickle"))
    assert cached  # the parsed definitions, read by the next start instead of parsing again
    for path in cached:  # a damaged cache file (a process killed while writing it), any one of them, is passed over
        kept = path.read_bytes()
        path.write_bytes(b"not a pickle")
        assert [float(v) for v in _units_in_fresh_process(str(tmp_path))] == expected, path.name
        path.write_bytes(kept)
    # GEP_CACHE=off: no cache (not a folder called "off" in the working directory)
    (tmp_path / "work").mkdir()
    assert [float(v) for v in _units_in_fresh_process("off", cwd=tmp_path / "work")] == expected
    assert list((tmp_path / "work").iterdir()) == []
