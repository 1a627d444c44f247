"""What the service calculators write beside the figure itself: the trace rows (symbols, units, tables, columns),
the register keys of each figure (its ``coefficients`` column), the notes on skipped cases — each checked by hand on
a tiny inventory — and the edge cases of the formulas behind them (an empty batch, a support practice P ≠ 1).

The symbols, units and inventory columns expected here are those of the service formulas as the docstrings of
gep/services state them and of the inventory tables (gep/data/inventory.yaml); every trace is also re-evaluated
(gep.trace.check_trace) by ``compute``.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gep.services import climate, soil, water
from gep.units import Quantity as Q

from test_formula_paths import COUNTY, REL, YEAR, check, coef, compute, county, figure, price


def trace_of(results, service: str, indicator: str, ecosystem: str, region: str = COUNTY, year: int = YEAR):
    """The trace rows of one figure as (symbol, role, expr, unit, table, column, coefficient) tuples, in order."""
    t = results.trace
    t = t[(t.region_code == region) & (t.year == year) & (t.service == service) & (t.indicator == indicator)
          & (t.ecosystem == ecosystem)]
    return [tuple("" if pd.isna(v) else v for v in r)
            for r in t[["symbol", "role", "expr", "unit", "table", "column", "coefficient"]].itertuples(index=False)]


def inp(symbol, unit, table, column):
    return symbol, "input", "", unit, table, column, ""


def cof(symbol, unit, key):
    return symbol, "coefficient", "", unit, "", "", key


def step(symbol, expr, unit):
    return symbol, "step", expr, unit, "", "", ""


#: a price p0 of the register at the accounting year's prices (price index none, price year 2020): p = p0 × F
def valued(symbol: str, key: str, unit: str, value_expr: str | None = None, price_year: int = YEAR):
    return [cof(f"{symbol}0", unit, key), cof(f"F_{symbol}", "1", f"none[{price_year}→{YEAR}]"),
            step(symbol, f"{symbol}0*F_{symbol}", unit), step("V", value_expr or f"Q*{symbol}", "yuan")]


# ==================================================================================================
# formulas: the edge cases the calculators rely on
# ==================================================================================================

def test_normal_cdf_and_quantile_of_an_empty_batch_are_empty_float_arrays():
    # a batch with no figure to carry (no cooling days adjusted) is an empty array, not an error
    for f in (climate.normal_cdf, climate.normal_quantile):
        out = f(np.array([]))
        assert out.dtype == np.float64 and out.shape == (0,)
    # and element by element: Φ(0) = 0.5, Φ⁻¹(0.5) = 0
    assert climate.normal_cdf([0.0]).tolist() == [0.5] and climate.normal_quantile([0.5]).tolist() == [0.0]


def test_normal_cdf_and_quantile_read_an_object_column_with_a_gap_as_floats():
    # a column pandas holds as objects (a number and a missing cell): read as floats, the gap gives NaN (not a
    # TypeError from Φ(None)); Φ(0) = 0.5 and Φ⁻¹(0.5) = 0
    for f, x, expected in ((climate.normal_cdf, 0.0, 0.5), (climate.normal_quantile, 0.5, 0.0)):
        with np.errstate(invalid="ignore"):  # Φ⁻¹(NaN) is NaN, which numpy reports as an invalid value
            out = f(np.array([x, None], dtype=object))
        assert out.dtype == np.float64 and out[0] == expected and np.isnan(out[1])


def test_cooling_days_of_none_or_every_day_stay_as_they_are_without_a_warning():
    import warnings
    # D_s = 0 or 365 d: no threshold inside the year's distribution to shift, D stays 0 or 365 d whatever the
    # elevation (1300 m against a station at 500 m, Γ = 0.0057 K/m, σ_T = 6 K); 73 d = 20 % of the year is
    # carried up: 365 × Φ(Φ⁻¹(0.2) − 0.0057 × 800 / 6) = 365 × Φ(−0.8416212335729143 − 0.76), Φ⁻¹(0.2) from the
    # normal table and Φ(x) = (1 + erf(x/√2))/2
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and without Φ⁻¹ of a placeholder that is not a share
        days = climate.cooling_days_at_elevation(Q([0.0, 365.0, 73.0], "day"), Q([1300.0] * 3, "m"),
                                                 Q([500.0] * 3, "m"), Q([0.0057] * 3, "K/m"), Q([6.0] * 3, "K"))
    d = days.to("day").magnitude
    assert d[:2].tolist() == [0.0, 365.0]
    assert d[2] == pytest.approx(365 * (1 + math.erf((-0.8416212335729143 - 0.76) / math.sqrt(2))) / 2, rel=1e-9)


def test_rusle_multiplies_by_the_support_practice_factor():
    # A_p = R·K·LS = 1000 × 0.02 × 2 = 40 t/hm²; A_r = A_p·C·P = 40 × 0.25 × 0.4 = 4 t/hm² (not 40 × 0.25 / 0.4 = 25)
    pot, act = soil.rusle_erosion(Q([1000.0], soil.EROSIVITY), Q([0.02], soil.ERODIBILITY), Q([2.0], "1"),
                                  Q([0.25], "1"), Q([0.4], "1"))
    assert pot.to("t/hectare").magnitude == pytest.approx([40.0], rel=REL)
    assert act.to("t/hectare").magnitude == pytest.approx([4.0], rel=REL)


def test_vegetation_holds_no_storm_water_where_all_of_it_runs_off():
    # α_s = 1: (P_s − P_s × 1) × A = 0 m³; α_s = 0.25: (80 − 20) mm × 2 hm² = 60 mm × 20 000 m² = 1200 m³
    held = water.vegetation_storm_storage(Q([80.0, 80.0], "mm"), Q([1.0, 0.25], "1"), Q([2.0, 2.0], "hectare"))
    assert held.to("m**3").magnitude.tolist() == [0.0, pytest.approx(1200.0, rel=REL)]


# ==================================================================================================
# climate regulation: cooling days as given or carried to an elevation, EPP from ET, the water surface
# ==================================================================================================

def climate_tables():
    """A county (900 m) and three townships: 甲镇 990001 at 1300 m counts 60 cooling days at its own station at
    500 m (80 % humidity); 乙乡 990002 gives no elevation (the county's 900 m) and counts its 60 days there; 丙乡
    990003 at 1200 m takes the county's 60 days, counted at the county's 900 m (40 % humidity). Forest and the
    reservoir take the county's ET (500 and 800 mm); grassland gives none."""
    regions = [{"code": COUNTY, "name": "示例县", "parent_code": "", "level": "county", "land_area [hm2]": 100,
                "elevation [m]": 900}]
    regions += [{"code": c, "name": n, "parent_code": COUNTY, "level": "township", "land_area [hm2]": a,
                 **({"elevation [m]": h} if h else {})}
                for c, n, a, h in (("990001", "甲镇", 30, 1300), ("990002", "乙乡", 30, None),
                                   ("990003", "丙乡", 40, 1200))]
    extent = [{"region_code": c, "year": YEAR, "ecosystem": e, "area [hm2]": a} for c, e, a in (
        ("990001", "forest", 10), ("990001", "wetland_reservoir", 2), ("990001", "grassland", 3),
        ("990001", "other", 15), ("990002", "forest", 10), ("990002", "grassland", 3), ("990002", "other", 17),
        ("990003", "forest", 10), ("990003", "wetland_reservoir", 2), ("990003", "other", 28))]
    conditions = [{"region_code": COUNTY, "year": YEAR, "ecosystem": e, "evapotranspiration [mm/a]": et}
                  for e, et in (("forest", 500), ("wetland_reservoir", 800))]
    climate_rows = [
        {"region_code": "990001", "year": YEAR, "cooling_days [d]": 60, "station_elevation [m]": 500,
         "relative_humidity [%]": 80},
        {"region_code": "990002", "year": YEAR, "cooling_days [d]": 60},
        {"region_code": COUNTY, "year": YEAR, "cooling_days [d]": 60, "relative_humidity [%]": 40}]
    return {"regions": regions, "extent": extent, "conditions": conditions, "climate": climate_rows}


#: D carried from a station's D_s at h_s to the region's mean elevation h (gep.services.climate
#: cooling_days_at_elevation), h_s from the climate row's station elevation or from a regions row
def carried(h_s_table: str, h_s_column: str):
    return [inp("D_s", "d", "climate", "cooling_days"), inp("h", "m", "regions", "elevation"),
            inp("h_s", "m", h_s_table, h_s_column), cof("G", "K/m", "temperature_lapse_rate"),
            cof("sigma", "K", "daily_tmax_sd"), step("D", "365*NORMSDIST(NORMSINV(D_s/365)-G*(h-h_s)/sigma)", "d")]


#: EPP = s_T × ET/365 × ρ_w × q (default profile: the transpiration share of ET), then Q = EPP·A·D/(3600·r)
TRANSPIRATION = [
    inp("ET", "mm", "conditions", "evapotranspiration"), cof("s_T", "1", "transpiration_share[forest]"),
    cof("q", "kJ/kg", "latent_heat_vaporisation"), cof("rho", "kg/m3", "water_density"),
    step("EPP", "s_T*ET/1000/365*rho*q", "kJ/(m2*d)"), inp("A", "hm2", "extent", "area"),
    cof("r", "1", "ac_energy_efficiency_ratio"), step("Q", "EPP*A*10000*D/3600/r", "kWh"),
    # the default register's electricity price is of 2023, carried to 2020 by no index
    *valued("P_e", "electricity_price", "yuan/kWh", price_year=2023)]


def water_surface(humid: bool):
    """W = ET·A, its cooling days' share W_D = W·D/365, cooled by rho·q/3600/r and humidified by gamma below the
    humidity threshold RH_0 (default profile)."""
    return [inp("ET", "mm", "conditions", "evapotranspiration"), inp("A", "hm2", "extent", "area"),
            cof("q", "kJ/kg", "latent_heat_vaporisation"), cof("rho", "kg/m3", "water_density"),
            cof("r", "1", "ac_energy_efficiency_ratio"), inp("RH", "1", "climate", "relative_humidity"),
            cof("RH_0", "1", "humidity_threshold"), *([cof("gamma", "kWh/m3", "humidifier_power")] if humid else []),
            step("W", "ET*A*10", "m3"), step("W_D", "W*D/365", "m3"),
            step("Q", "W_D*rho*q/3600/r" + ("+W_D*gamma" if humid else ""), "kWh"),
            *valued("P_e", "electricity_price", "yuan/kWh", price_year=2023)]


def test_climate_regulation_traces_its_cooling_days_and_names_its_register_keys_and_skipped_cases(tmp_path):
    # one test for one run: every check of climate_tables() under the default profile and register runs in the
    # test that computes it (a run shared between tests through a fixture would be credited to the first only)
    r = compute(tmp_path, climate_tables())
    cooling = ("climate_regulation", "transpiration_cooling", "forest")
    # 甲镇: D from its station's 60 days at 500 m carried up to 1300 m
    assert trace_of(r, *cooling, "990001") == [*carried("climate", "station_elevation"), *TRANSPIRATION]
    # 乙乡: the station and the region are both at 900 m: D as the climate table gives it
    assert trace_of(r, *cooling, "990002") == [inp("D", "d", "climate", "cooling_days"), *TRANSPIRATION]
    # 丙乡: the county's days, counted at the county's 900 m (its regions row), carried up to 1200 m
    assert trace_of(r, *cooling, "990003") == [*carried("regions", "elevation"), *TRANSPIRATION]
    # the water surface: 甲镇's 80 % humidity is above the default threshold (45 %), no humidifier;
    # 丙乡's 40 % is below it, the humidifier counts
    water_term = ("climate_regulation", "water_surface_evaporation", "wetland_reservoir")
    assert trace_of(r, *water_term, "990001") == [*carried("climate", "station_elevation"), *water_surface(False)]
    assert trace_of(r, *water_term, "990003") == [*carried("regions", "elevation"), *water_surface(True)]

    # the register keys of each figure
    carry = "temperature_lapse_rate;daily_tmax_sd"
    assert figure(r, "climate_regulation", "transpiration_cooling", "forest", "990001").coefficients == \
        "electricity_price;ac_energy_efficiency_ratio;latent_heat_vaporisation;water_density;transpiration_share;" \
        + carry
    assert figure(r, "climate_regulation", "water_surface_evaporation", "wetland_reservoir", "990003").coefficients \
        == f"electricity_price;ac_energy_efficiency_ratio;humidity_threshold;humidifier_power;{carry};" \
        "latent_heat_vaporisation;water_density"
    # the grassland of 甲镇 and 乙乡 has no ET (nor an EPP of its own): skipped, and said so
    assert "climate_regulation: 2 region-year-ecosystem case(s) skipped, no transpiration heat/ET or cooling days " \
        "(e.g. 990001/2020/grassland, 990002/2020/grassland)" in r.notes
    # the default profile derives EPP from ET, so what the skipped cases lacked is either alternative of
    # services.yaml (their own EPP, or an ET), each with the cooling days — not the Garzê profile's EPP alone
    (status,) = [s for s in r.service_status if s.service == "climate_regulation"]
    assert (status.status, status.cases_skipped) == ("computed", 2)
    assert status.missing == (("conditions.transpiration_heat", "climate.cooling_days"),
                              ("conditions.evapotranspiration", "climate.cooling_days"))


def test_a_water_surface_without_cooling_days_is_skipped_and_one_without_humidity_is_not_humidified(tmp_path):
    # 甲镇 990001 counts 60 cooling days but gives no relative humidity; 乙乡 990002 has no climate row (nor has the
    # county): its lake cannot count the cooling days of the water term. Both take the county's lake ET, 800 mm.
    tables = {"regions": townships()["regions"],
              "extent": [{"region_code": c, "year": YEAR, "ecosystem": e, "area [hm2]": a}
                         for c in ("990001", "990002") for e, a in (("wetland_lake", 2), ("other", 48))],
              "conditions": [{"region_code": COUNTY, "year": YEAR, "ecosystem": "wetland_lake",
                              "evapotranspiration [mm/a]": 800}],
              "climate": [{"region_code": "990001", "year": YEAR, "cooling_days [d]": 60}]}
    r = compute(tmp_path, tables)
    assert "climate_regulation: 1 region-year-ecosystem case(s) skipped, no cooling days (the water-surface term " \
        "counts them) (e.g. 990002/2020/wetland_lake)" in r.notes
    # 甲镇: W = 800 mm × 2 hm² × 10 = 16 000 m³, W_D = W × 60/365; without a humidity nothing decides the
    # humidifier: no RH, RH_0 nor gamma in its trace, and Q = W_D·rho·q/3600/r alone
    assert trace_of(r, "climate_regulation", "water_surface_evaporation", "wetland_lake", "990001") == [
        inp("D", "d", "climate", "cooling_days"), inp("ET", "mm", "conditions", "evapotranspiration"),
        inp("A", "hm2", "extent", "area"), cof("q", "kJ/kg", "latent_heat_vaporisation"),
        cof("rho", "kg/m3", "water_density"), cof("r", "1", "ac_energy_efficiency_ratio"),
        step("W", "ET*A*10", "m3"), step("W_D", "W*D/365", "m3"), step("Q", "W_D*rho*q/3600/r", "kWh"),
        *valued("P_e", "electricity_price", "yuan/kWh", price_year=2023)]


def test_the_garze_profile_traces_epp_as_the_registers_table(tmp_path):
    # Garzê: EPP from the register's table by ecosystem (forest 2837.27 kJ/(m²·d), default register), over the days
    # as given, Q = EPP·A·D/(3600·r); the register keys named are the EER and the table's key
    r = compute(tmp_path, climate_tables(), method="garze-2017")
    assert trace_of(r, "climate_regulation", "transpiration_cooling", "forest", "990001") == [
        inp("D", "d", "climate", "cooling_days"), cof("EPP", "kJ/(m2*d)", "transpiration_heat[forest]"),
        inp("A", "hm2", "extent", "area"), cof("r", "1", "ac_energy_efficiency_ratio"),
        step("Q", "EPP*A*10000*D/3600/r", "kWh"), *valued("P_e", "electricity_price", "yuan/kWh", price_year=2023)]
    f = figure(r, "climate_regulation", "transpiration_cooling", "forest", "990001")
    # 2837.27 kJ/(m²·d) × 10 hm² × 10 000 m²/hm² × 60 d / 3600 kJ/kWh / r, r = 3 (the default register's EER)
    assert f.quantity == pytest.approx(2837.27 * 10 * 1e4 * 60 / 3600 / 3, rel=REL)
    assert f.coefficients == "electricity_price;ac_energy_efficiency_ratio;transpiration_heat"


# ==================================================================================================
# the Context the calculators share: register lookups, kernel arguments, inherited tables, given figures
# ==================================================================================================

def context(tmp_path, tables: dict, *register_rows, method=None):
    """The Context a run threads through the calculators, on ``tables`` and the default register overridden by
    ``register_rows``."""
    from gep.coefficients import load_register
    from gep.inventory import load_inventory
    from gep.method import as_method
    from gep.prices import load_price_indices
    from gep.services.tables import Context

    from conftest import write_register, write_tables
    folder = write_tables(tmp_path / "inventory", tables)
    register = load_register(write_register(tmp_path / "register.csv", *register_rows))
    return Context(load_inventory(folder), register, load_price_indices(), as_method(method))


def townships():
    """The county 990000 and its townships 甲镇 990001 and 乙乡 990002 (climate: the county's 50 cooling days, 乙乡's
    own 70; conditions: the county's forest ET 500 mm, 甲镇's own 600 mm)."""
    regions = [{"code": COUNTY, "name": "示例县", "parent_code": "", "level": "county", "land_area [hm2]": 100}]
    regions += [{"code": c, "name": n, "parent_code": COUNTY, "level": "township", "land_area [hm2]": 50}
                for c, n in (("990001", "甲镇"), ("990002", "乙乡"))]
    return {"regions": regions,
            "extent": [{"region_code": c, "year": y, "ecosystem": e, "area [hm2]": 25}
                       for c in ("990001", "990002") for y in (2020, 2021) for e in ("forest", "other")],
            "climate": [{"region_code": c, "year": YEAR, "cooling_days [d]": d} for c, d in ((COUNTY, 50),
                                                                                             ("990002", 70))],
            "conditions": [{"region_code": c, "year": YEAR, "ecosystem": "forest", "evapotranspiration [mm/a]": et}
                           for c, et in ((COUNTY, 500), ("990001", 600))]}


def test_a_kernel_argument_is_the_profiles_or_the_registers_for_its_year(tmp_path):
    ctx = context(tmp_path, townships(),
                  coef("runoff_coefficient", 0.2, "1", "forest"),
                  coef("runoff_coefficient", 0.3, "1", "forest") + ("2020",),  # a row for 2020 only
                  coef("transpiration_heat", 2000, "kJ/(m2*d)", "forest"),
                  coef("transpiration_heat", 2500, "kJ/(m2*d)", "forest") + ("2020",),
                  method="garze-2017")  # cooling days as given
    ecos, regions = np.array(["forest", "forest"]), np.array(["990001", "990002"])
    # a method argument: the cooling days of each region, as the climate table gives them (甲镇 the county's 50,
    # 乙乡 its own 70); the days as given take no register key
    days, keys = ctx.argument("cooling_days", ecos, regions, np.array([2020, 2020]))
    assert days.tolist() == [50.0, 70.0] and keys == ()
    # a register coefficient, for each figure's year: 2020 has a row of its own (0.3), 2021 the general one (0.2)
    values, keys = ctx.argument("runoff_coefficient", ecos, regions, np.array([2020, 2021]))
    assert values.tolist() == [0.3, 0.2] and keys == ("runoff_coefficient",)
    # transpiration heat is given for some ecosystems only: garden has no row, so no value (not an error)
    values, keys = ctx.argument("transpiration_heat", np.array(["forest", "garden", "forest"]),
                                np.array(["990001", "990001", "990002"]), np.array([2020, 2020, 2021]))
    assert values[[0, 2]].tolist() == [2500.0, 2000.0] and np.isnan(values[1]) and keys == ("transpiration_heat",)
    values, keys = ctx.argument("transpiration_heat", np.array(["garden"]), np.array(["990001"]), np.array([2020]))
    assert np.isnan(values).all() and keys == ()


def test_a_regions_own_register_row_serves_it_and_no_other_ecosystem(tmp_path):
    # runoff coefficient: forest 0.2, grassland 0.5, and forest in 甲镇 990001 0.1; figures: forest and grassland
    # in 乙乡 (no row of its own), forest in 甲镇 (its own row)
    ctx = context(tmp_path, townships(), coef("runoff_coefficient", 0.2, "1", "forest"),
                  coef("runoff_coefficient", 0.5, "1", "grassland"),
                  ("runoff_coefficient", 0.1, "1", "", "", "forest", "990001", "test coefficient"))
    c = ctx.coef("runoff_coefficient", ["forest", "grassland", "forest"], ["990002", "990002", "990001"])
    assert c.values.tolist() == [0.2, 0.5, 0.1] and c.unit == "1"
    assert [(r.ecosystem, r.region) for r in c.rows] == [("forest", ""), ("grassland", ""), ("forest", "990001")]


def test_an_inherited_table_gives_its_value_columns_from_the_region_or_its_nearest_ancestor(tmp_path):
    ctx = context(tmp_path, townships())
    keys = pd.DataFrame({"region_code": ["990001", "990002"], "year": [YEAR, YEAR], "ecosystem": ["forest"] * 2})
    values, prov = ctx.inherited("conditions", keys, ["year", "ecosystem"])
    # 甲镇 its own 600 mm, 乙乡 the county's 500 mm; the key columns are not values
    assert values["evapotranspiration"].tolist() == [600.0, 500.0]
    assert not {"region_code", "year", "ecosystem", "source", "note", "status"} & set(values.columns)
    assert prov["region"].tolist() == ["990001", COUNTY]


def test_an_inherited_table_without_rows_gives_float_columns_of_nan(tmp_path):
    # no climate table at all, and a batch without keys: the value columns are still float (NaN), as they are
    # where rows exist, so that the calculators' float arithmetic and isnan tests apply
    tables = {k: v for k, v in townships().items() if k != "climate"}
    ctx = context(tmp_path, tables)
    keys = pd.DataFrame({"region_code": ["990001", "990002"], "year": [YEAR, YEAR], "ecosystem": ["forest"] * 2})
    for batch in (keys, keys.iloc[:0]):
        values, prov = ctx.inherited("climate", batch, ["year"])
        assert len(values) == len(batch) and "cooling_days" in values
        assert (values.dtypes == np.float64).all() and values.isna().all().all()
        assert prov["region"].tolist() == [""] * len(batch)


def test_a_coefficient_missing_from_the_register_is_reported_by_key_and_ecosystem(tmp_path):
    from gep.coefficients import CoefficientError
    ctx = context(tmp_path, townships())
    # transpiration heat has no row for garden (nor a general one), asked for every year and for one year
    for years in (None, [YEAR]):
        with pytest.raises(CoefficientError) as e:
            ctx.coef("transpiration_heat", ["garden"], ["990001"], years)
        message = str(e.value)
        assert message.startswith("coefficient 'transpiration_heat' for ecosystem 'garden' is not in the register (")
        assert message.endswith("); add a row with key=transpiration_heat, a value and a unit of dimension "
                                "kJ/(m**2*day)")


def test_a_register_price_without_a_declared_index_is_labelled_none(tmp_path):
    from gep.coefficients import CANONICAL_UNITS, Coefficient
    from gep.services.tables import COMPUTED, Coef, Quantities, rows
    ctx = context(tmp_path, townships())
    unit = CANONICAL_UNITS["pest_control_cost"]
    # a price row built without a price year or index (as an API caller may build one): held as it is
    row = Coefficient("pest_control_cost", 300.0, unit, 300.0, unit, None, "forest", "", "test", "", "", "", "r.csv")
    keys = pd.DataFrame({"region_code": ["990001"], "year": [YEAR], "ecosystem": ["forest"]})
    q = Quantities(keys, np.array([10.0]), np.array([COMPUTED], dtype=object), keys[[]])
    out = rows(ctx, "pest_control", "natural_area", q, [],
               price=Coef("pest_control_cost", np.array([300.0]), np.array([row], dtype=object), unit))
    # 10 hm² × 300 元/hm² = 3000 元, its price index "none" (nominal)
    assert out["price_index"].tolist() == ["none"] and out["value_yuan"].tolist() == [pytest.approx(3000, rel=REL)]


def test_a_gridded_figure_keeps_the_register_keys_its_kernel_applied_and_traces_them(tmp_path):
    from gep.services.tables import GRIDDED, trace_given, with_supplied
    ctx = context(tmp_path, townships(), coef("runoff_coefficient", 0.2, "1", "forest"))
    # 甲镇's forest water retained, summed over the grid cells (12 345 m³), whose kernel applied the runoff coefficient
    ctx.gridded = pd.DataFrame([{"region_code": "990001", "year": YEAR, "service": "water_conservation",
                                 "indicator": "water_retained", "ecosystem": "forest", "quantity": 12_345.0,
                                 "unit": "m3", "input_file": "grid", "input_row": np.nan, "source": "raster",
                                 "status": "", "coefficients": "runoff_coefficient"}])
    keys = pd.DataFrame({"region_code": ["990001", "990002"], "year": [YEAR, YEAR], "ecosystem": ["forest"] * 2})
    q = with_supplied(ctx, "water_conservation", "water_retained", keys, [1.0, 2.0])
    assert q.amounts.tolist() == [12_345.0, 2.0] and q.paths.tolist() == [GRIDDED, "computed"]
    assert q.supplied["coefficients"].tolist() == ["runoff_coefficient", ""]
    (tb,) = trace_given(ctx, "water_conservation", "water_retained", q)
    rows_ = tb.frame()
    assert rows_[["region_code", "symbol", "role", "unit", "table", "column", "coefficient"]].values.tolist() == [
        ["990001", "Q", "input", "m3", "grid", "zonal_sum", ""],
        ["990001", "runoff_coefficient", "coefficient", "1", "", "", "runoff_coefficient[forest]"]]
    assert rows_["value"].tolist() == [12_345.0, 0.2]


def test_an_inherited_table_gives_nothing_where_no_region_up_the_lineage_has_a_row(tmp_path):
    import signal

    def too_long(*_):
        raise TimeoutError("ctx.inherited did not finish: its search up the lineage does not stop")

    ctx = context(tmp_path, townships())
    # grassland has no conditions row in any region: no value and no provenance, after at most the lineage's
    # length of lookups (two here), not a search without end
    keys = pd.DataFrame({"region_code": ["990001", "990002"], "year": [YEAR, YEAR], "ecosystem": ["grassland"] * 2})
    previous = signal.signal(signal.SIGALRM, too_long)
    signal.setitimer(signal.ITIMER_REAL, 5.0)
    try:
        values, prov = ctx.inherited("conditions", keys, ["year", "ecosystem"])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert values["evapotranspiration"].isna().all() and prov["region"].tolist() == ["", ""]


# ==================================================================================================
# water conservation and flood regulation
# ==================================================================================================

def test_water_conservation_traces_where_its_runoff_coefficient_comes_from(tmp_path):
    # forest gives its own α (conditions), grassland takes the register's; shrub gives no ET and is skipped
    conditions = [{"region_code": COUNTY, "year": YEAR, "ecosystem": e, "precipitation [mm/a]": 1200,
                   "evapotranspiration [mm/a]": et, "runoff_coefficient [1]": alpha}
                  for e, et, alpha in (("shrub", "", ""), ("forest", 600, 0.1), ("grassland", 600, ""))]
    r = compute(tmp_path, county({"shrub": 5, "forest": 10, "grassland": 20, "other": 65}, conditions=conditions),
                coef("runoff_coefficient", 5, "%", "grassland"), price("reservoir_unit_cost", 5))
    tail = [inp("ET", "mm", "conditions", "evapotranspiration"), inp("A", "hm2", "extent", "area"),
            step("R", "P*alpha", "mm"), step("Q", "MAX(P-R-ET,0)*A*10", "m3"),
            *valued("C_res", "reservoir_unit_cost", "yuan/m**3")]
    precipitation = inp("P", "mm", "conditions", "precipitation")
    assert trace_of(r, "water_conservation", "water_retained", "forest") == [
        precipitation, inp("alpha", "1", "conditions", "runoff_coefficient"), *tail]
    assert trace_of(r, "water_conservation", "water_retained", "grassland") == [
        precipitation, cof("alpha", "1", "runoff_coefficient[grassland]"), *tail]
    # (1200 − 1200 × 5 % − 600) mm × 20 hm² × 10 m³/(mm·hm²) = 540 × 200 = 108 000 m³; × 5 元/m³ = 540 000 元
    grass = figure(r, "water_conservation", "water_retained", "grassland")
    check(grass, 108_000, 540_000)
    assert grass.coefficients == "reservoir_unit_cost;runoff_coefficient"
    assert "water_conservation: 1 region-year-ecosystem case(s) skipped, no precipitation or evapotranspiration " \
        f"(e.g. {COUNTY}/{YEAR}/shrub)" in r.notes


def test_water_conservation_uses_no_register_runoff_coefficient_where_the_inventory_gives_each(tmp_path):
    conditions = [{"region_code": COUNTY, "year": YEAR, "ecosystem": "forest", "precipitation [mm/a]": 1200,
                   "evapotranspiration [mm/a]": 600, "runoff_coefficient [1]": 0.1}]
    r = compute(tmp_path, county({"forest": 10, "other": 90}, conditions=conditions),
                price("reservoir_unit_cost", 5))
    # (1200 − 1200 × 0.1 − 600) mm × 10 hm² × 10 m³/(mm·hm²) = 480 × 100 = 48 000 m³
    assert figure(r, "water_conservation", "water_retained", "forest").quantity == pytest.approx(48_000, rel=REL)
    assert "runoff_coefficient" not in set(r.coefficients["key"])


def test_a_note_of_skipped_cases_counts_them_all_and_names_three(tmp_path):
    # five lakes, four without an area: the note counts 4 and names three of them (a note is read in a report:
    # three examples, not the whole list), the first in the inventory's order, which sorts water bodies by name:
    # 丁 U+4E01, 丙 U+4E19, 乙 U+4E59 before 戊 U+620A. The one lake with its area is still valued
    bodies = [{"region_code": COUNTY, "year": YEAR, "name": n, "kind": "lake", "area [hm2]": a}
              for n, a in (("甲湖", 100), ("乙湖", ""), ("丙湖", ""), ("丁湖", ""), ("戊湖", ""))]
    r = compute(tmp_path, county({"wetland_lake": 100, "other": 900}, water_bodies=bodies),
                coef("lake_flood_log_coefficient", 0, "1"), coef("lake_flood_exponent", 1, "1"),
                coef("lake_turnover", 1, "1"), price("reservoir_unit_cost", 1))
    assert f"flood_regulation: 4 water body(ies) skipped, no total or flood storage (reservoir) or water area " \
        f"(lake) (e.g. {COUNTY}/{YEAR}/丁湖, {COUNTY}/{YEAR}/丙湖, {COUNTY}/{YEAR}/乙湖); the figure of its region " \
        "and year counts the other water bodies" in r.notes
    # 甲湖: e^0 × (100 hm² = 1 km²)^1 × 1 = 1 万m³ = 10 000 m³ × 1 元/m³
    lake = figure(r, "flood_regulation", "lake_storage", "wetland_lake")
    assert lake.quantity == pytest.approx(10_000, rel=1e-12) and lake.value_yuan == pytest.approx(10_000, rel=1e-12)


def test_flood_regulation_traces_lakes_and_a_swamp_of_less_than_a_hectare(tmp_path):
    bodies = [{"region_code": COUNTY, "year": YEAR, "name": n, "kind": "lake", "area [hm2]": a}
              for n, a in (("甲湖", 50), ("乙湖", 200), ("丙湖", ""))]
    r = compute(tmp_path, county({"wetland_lake": 250, "wetland_swamp": 0.5, "other": 749.5}, water_bodies=bodies),
                coef("lake_flood_log_coefficient", 2, "1"), coef("lake_flood_exponent", 0.5, "1"),
                coef("lake_turnover", 3, "1"), coef("swamp_storage_depth", 0.4, "m"), price("reservoir_unit_cost", 5))
    lake_storage = "+".join(f"EXP(a)*(A{i}/100)^b*T*10000" for i in (1, 2))  # each lake's area in km²
    assert trace_of(r, "flood_regulation", "lake_storage", "wetland_lake") == [
        inp("A1", "hm2", "water_bodies", "area"), inp("A2", "hm2", "water_bodies", "area"),
        cof("a", "1", "lake_flood_log_coefficient"), cof("b", "1", "lake_flood_exponent"),
        cof("T", "1", "lake_turnover"), step("Q", lake_storage, "m3"),
        *valued("C_res", "reservoir_unit_cost", "yuan/m**3")]
    # a third lake gives no area: it is skipped by name, and the note says the figure above still counts the two
    # others (it is not the whole lake figure that is missing)
    assert f"flood_regulation: 1 water body(ies) skipped, no total or flood storage (reservoir) or water area " \
        f"(lake) (e.g. {COUNTY}/{YEAR}/丙湖); the figure of its region and year counts the other water bodies" \
        in r.notes
    # half a hectare of swamp holds 0.4 m × 0.5 hm² × 10 000 m²/hm² = 2000 m³ × 5 元/m³ = 10 000 元
    swamp = figure(r, "flood_regulation", "swamp_storage", "wetland_swamp")
    check(swamp, 2_000, 10_000)
    assert swamp.coefficients == "reservoir_unit_cost;swamp_storage_depth"
    assert trace_of(r, "flood_regulation", "swamp_storage", "wetland_swamp") == [
        inp("A", "hm2", "extent", "area"), cof("d", "m", "swamp_storage_depth"), step("Q", "A*d*10000", "m3"),
        *valued("C_res", "reservoir_unit_cost", "yuan/m**3")]


# ==================================================================================================
# soil retention and sand fixation
# ==================================================================================================

def test_soil_retention_traces_rusle_or_moduli_and_each_components_coefficient(tmp_path):
    from test_formula_paths import SOIL_REGISTER, soil_tables
    tables = soil_tables()  # forest: erosion moduli; grassland: RUSLE factors
    # reduced sedimentation supplied for garden, which computes no soil retention: appended as given, 100 m³
    tables["service_quantities"] = [{"region_code": COUNTY, "year": YEAR, "service": "soil_retention",
                                     "indicator": "reduced_sedimentation", "ecosystem": "garden", "quantity": 100,
                                     "unit": "m3"}]
    r = compute(tmp_path, tables, *SOIL_REGISTER)
    rusle = [inp("R_e", "MJ*mm/(hm2*h)", "conditions", "rainfall_erosivity"),
             inp("K", "t*h/(MJ*mm)", "conditions", "soil_erodibility"),
             inp("LS", "1", "conditions", "slope_length_steepness"), inp("C", "1", "conditions", "cover_management"),
             inp("P_c", "1", "conditions", "support_practice"), step("A_p", "R_e*K*LS", "t/hm2"),
             step("A_r", "A_p*C*P_c", "t/hm2")]
    moduli = [inp("A_p", "t/hm2", "conditions", "potential_erosion"),
              inp("A_r", "t/hm2", "conditions", "actual_erosion")]
    retained = [inp("A", "hm2", "extent", "area"), step("Q_sr", "MAX(A_p-A_r,0)*A", "t")]
    # the physical total, soil retained, is itself the figure: its last step is Q
    assert trace_of(r, "soil_retention", "soil_retained", "forest") == [
        *moduli, inp("A", "hm2", "extent", "area"), step("Q", "MAX(A_p-A_r,0)*A", "t")]
    assert trace_of(r, "soil_retention", "reduced_nitrogen_loss", "grassland") == [
        *rusle, *retained, cof("c_N", "1", "soil_nitrogen_content"), step("Q", "Q_sr*c_N", "t"),
        *valued("C_v", "treatment_cost_nh3n", "yuan/t")]
    assert trace_of(r, "soil_retention", "reduced_phosphorus_loss", "forest") == [
        *moduli, *retained, cof("c_P", "1", "soil_phosphorus_content"), step("Q", "Q_sr*c_P", "t"),
        *valued("C_v", "treatment_cost_tp", "yuan/t")]
    assert trace_of(r, "soil_retention", "reduced_sedimentation", "forest") == [
        *moduli, *retained, cof("lam", "1", "sediment_ratio"), cof("rho", "t/m3", "soil_bulk_density"),
        step("Q", "lam*Q_sr/rho", "m3"), *valued("C_v", "dredging_cost", "yuan/m**3")]
    for indicator, keys in (("reduced_sedimentation", "dredging_cost;sediment_ratio;soil_bulk_density"),
                            ("reduced_nitrogen_loss", "treatment_cost_nh3n;soil_nitrogen_content"),
                            ("reduced_phosphorus_loss", "treatment_cost_tp;soil_phosphorus_content")):
        assert figure(r, "soil_retention", indicator, "forest").coefficients == keys
    # the garden's given 100 m³ × 6 元/m³ (SOIL_REGISTER's dredging_cost) = 600 元
    garden = figure(r, "soil_retention", "reduced_sedimentation", "garden")
    assert garden.path == "supplied_quantity" and garden.quantity == 100
    assert garden.value_yuan == pytest.approx(600, rel=REL)


def test_sand_fixation_traces_its_moduli_and_notes_the_cases_without(tmp_path):
    conditions = [{"region_code": COUNTY, "year": YEAR, "ecosystem": "forest",
                   "potential_wind_erosion [t/(hm2*a)]": 30, "actual_wind_erosion [t/(hm2*a)]": 6}]
    r = compute(tmp_path, county({"forest": 20, "grassland": 10, "other": 70}, conditions=conditions),
                coef("sand_bulk_density", 1.2, "t/m3"), coef("sand_layer_thickness", 0.1, "m"),
                price("desertification_control_cost", 2))
    assert trace_of(r, "sand_fixation", "desertification_avoided", "forest") == [
        inp("S_p", "t/hm2", "conditions", "potential_wind_erosion"),
        inp("S_a", "t/hm2", "conditions", "actual_wind_erosion"), inp("A", "hm2", "extent", "area"),
        step("Q_sf", "MAX(S_p-S_a,0)*A", "t"), cof("rho_s", "t/m3", "sand_bulk_density"),
        cof("h", "m", "sand_layer_thickness"), step("Q", "Q_sf/(rho_s*h)", "m2"),
        *valued("C", "desertification_control_cost", "yuan/m**2")]
    # (30 − 6) t/hm² × 20 hm² = 480 t / (1.2 t/m³ × 0.1 m) = 4000 m² × 2 元/m² = 8000 元
    avoided = figure(r, "sand_fixation", "desertification_avoided", "forest")
    check(avoided, 4_000, 8_000)
    assert avoided.coefficients == "desertification_control_cost;sand_bulk_density;sand_layer_thickness"
    assert "sand_fixation: 1 region-year-ecosystem case(s) skipped, no wind-erosion moduli " \
        f"(e.g. {COUNTY}/{YEAR}/grassland)" in r.notes


# ==================================================================================================
# cultural services, pest control, provisioning, carbon: traces of inventory prices and register prices
# ==================================================================================================

def test_recreation_and_landscape_trace_the_tourism_and_landscape_columns(tmp_path):
    tourism = [
        {"region_code": COUNTY, "year": 2020, "visits [visit]": 2000, "revenue [yuan]": 500_000,
         "time_cost_per_visit [yuan/visit]": 20},
        {"region_code": COUNTY, "year": 2021, "visits [visit]": 1000, "spending_per_visit [yuan/visit]": 300}]
    landscape = [{"region_code": COUNTY, "year": 2020, "benefiting_floor_area [m2]": 12_000,
                  "price_premium [yuan/m2]": 150}]
    r = compute(tmp_path, county({"other": 100}, years=(2020, 2021), tourism=tourism, landscape=landscape))
    visits, time_cost = inp("Q", "visit", "tourism", "visits"), inp("TV", "yuan/visit", "tourism", "time_cost_per_visit")
    value = step("V", "Q*(TC+TV)", "yuan")
    # 2020: TC = Rev / Q = 500 000 / 2000 = 250 元/visit; V = 2000 × (250 + 20) = 540 000 元
    assert trace_of(r, "recreation", "visits", "all", year=2020) == [
        visits, inp("Rev", "yuan", "tourism", "revenue"), step("TC", "Rev/Q", "yuan/visit"), time_cost, value]
    assert trace_of(r, "recreation", "visits", "all", year=2021) == [
        visits, inp("TC", "yuan/visit", "tourism", "spending_per_visit"), time_cost, value]
    f = figure(r, "recreation", "visits", "all", year=2020)
    assert f.value_yuan == pytest.approx(540_000, rel=REL) and f.price_unit == "yuan/visit"
    assert f.note == "travel cost = spending per visit + time cost; consumer surplus excluded"
    # landscape: V = A_l × P_l = 12 000 m² × 150 元/m² = 1 800 000 元
    assert trace_of(r, "landscape", "benefiting_floor_area", "all") == [
        inp("Q", "m2", "landscape", "benefiting_floor_area"), inp("p", "yuan/m2", "landscape", "price_premium"),
        step("V", "Q*p", "yuan")]
    f = figure(r, "landscape", "benefiting_floor_area", "all")
    assert (f.quantity, f.price, f.value_yuan) == (12_000, 150, pytest.approx(1_800_000, rel=REL))


def test_pest_control_traces_each_natural_forest_row_and_the_grasslands_extent(tmp_path):
    forest = [{"region_code": COUNTY, "year": YEAR, "forest_type": t, "origin": o, "area [hm2]": a}
              for t, o, a in (("阔叶林", "natural", 60), ("针叶林", "natural", 40), ("杉木林", "planted", 25))]
    r = compute(tmp_path, county({"forest": 125, "grassland": 30, "other": 45}, forest=forest),
                price("pest_control_cost", 300, "forest"), price("pest_control_cost", 100, "grassland"))
    cost = "yuan/hectare"
    assert trace_of(r, "pest_control", "natural_area", "forest") == [
        inp("A1", "hm2", "forest", "area"), inp("A2", "hm2", "forest", "area"), step("Q", "A1+A2", "hm2"),
        cof("C0", cost, "pest_control_cost[forest]"), *valued("C", "pest_control_cost", cost)[1:]]
    assert trace_of(r, "pest_control", "natural_area", "grassland") == [
        inp("A", "hm2", "extent", "area"), step("Q", "A", "hm2"),
        cof("C0", cost, "pest_control_cost[grassland]"), *valued("C", "pest_control_cost", cost)[1:]]
    # 60 + 40 = 100 hm² natural forest × 300 元/hm² = 30 000 元; 30 hm² grassland × 100 元/hm² = 3000 元
    check_values = [(figure(r, "pest_control", "natural_area", e).quantity,
                     figure(r, "pest_control", "natural_area", e).value_yuan) for e in ("forest", "grassland")]
    assert check_values == [(100, pytest.approx(30_000, rel=REL)), (30, pytest.approx(3_000, rel=REL))]


def test_pest_control_traces_each_forest_rows_provenance_and_none_for_a_part_a_year_lacks(tmp_path):
    # 2020: two natural forest rows (阔叶林 from the 二调, observed; 针叶林 from the 三调, estimated); 2021: one
    forest = [{"region_code": COUNTY, "year": y, "forest_type": t, "origin": "natural", "area [hm2]": a,
               "source": src, "status": st}
              for y, t, a, src, st in ((2020, "阔叶林", 60, "二调", "observed"), (2020, "针叶林", 40, "三调", "estimated"),
                                       (2021, "阔叶林", 50, "年报", "observed"))]
    r = compute(tmp_path, county({"forest": 125, "other": 45}, years=(2020, 2021), forest=forest),
                price("pest_control_cost", 300, "forest"))
    t = r.trace
    t = t[(t.service == "pest_control") & t.symbol.isin(["A1", "A2"])]
    got = [(y, s, v, src, st) for y, s, v, src, st in t[["year", "symbol", "value", "source", "status"]].itertuples(
        index=False)]
    # the parts in key order (针叶林 U+9488 before 阔叶林 U+9614); 2021's second part is 0 hm² with no provenance
    assert got == [(2020, "A1", 40.0, "三调", "estimated"), (2020, "A2", 60.0, "二调", "observed"),
                   (2021, "A1", 50.0, "年报", "observed"), (2021, "A2", 0.0, "", "")]


def test_hydropower_water_supply_and_products_trace_their_own_prices_and_the_registers(tmp_path):
    from test_formula_paths import HYDRO_REGISTER, hydro_tables
    tables = hydro_tables()  # 2020: 甲电站 at its own 0.3 元/kWh, 乙电站 at the register's 0.2; 2021: 丙电站
    tables["water_supply"] = [
        {"region_code": COUNTY, "year": YEAR, "use": "domestic", "volume [m3]": 10_000},
        {"region_code": COUNTY, "year": YEAR, "use": "industrial", "volume [m3]": 5_000, "price [yuan/m3]": 4}]
    tables["products"] = [{"region_code": COUNTY, "year": YEAR, "sector": "agriculture", "product": "茶叶",
                           "quantity": 3, "quantity_unit": "t", "output_value [yuan]": 120_000},
                          {"region_code": COUNTY, "year": YEAR, "sector": "agriculture", "product": "稻谷",
                           "quantity": 10, "quantity_unit": "t", "price": 3000, "price_unit": "元/t"},
                          {"region_code": COUNTY, "year": YEAR, "sector": "forestry", "product": "木材",
                           "quantity": 2, "quantity_unit": "t", "price": 0.5, "price_unit": "万元/t"}]
    r = compute(tmp_path, tables, *HYDRO_REGISTER, price("water_price_domestic", 3))
    # the inventory holds the stations in key order: 乙电站 (U+4E59) is station 1, 甲电站 (U+7532) station 2
    assert trace_of(r, "hydropower", "generation", "all") == [
        inp("G1", "kWh", "hydropower", "generation"), cof("p1_0", "yuan/kWh", "hydropower_price"),
        cof("F_p1", "1", f"none[{YEAR}→{YEAR}]"), step("p1", "p1_0*F_p1", "yuan/kWh"),
        inp("G2", "kWh", "hydropower", "generation"), inp("p2", "yuan/kWh", "hydropower", "price"),
        step("Q", "G1+G2", "kWh"), step("V", "G1*p1+G2*p2", "yuan")]
    # 甲电站 1 000 000 kWh × its own 0.3 元/kWh + 乙电站 400 000 kWh × 0.2 元/kWh (HYDRO_REGISTER's
    # hydropower_price) = 300 000 + 80 000 = 380 000 元
    assert figure(r, "hydropower", "generation", "all").value_yuan == pytest.approx(380_000, rel=REL)
    volume = inp("Q", "m3", "water_supply", "volume")
    assert trace_of(r, "water_supply", "domestic", "all") == [volume, *valued("p", "water_price_domestic", "yuan/m3")]
    assert trace_of(r, "water_supply", "industrial", "all") == [
        volume, inp("p", "yuan/m3", "water_supply", "price"), step("V", "Q*p", "yuan")]
    # the register key is named where the register priced the water, not where the inventory did
    assert figure(r, "water_supply", "domestic", "all").coefficients == "water_price_domestic"
    assert figure(r, "water_supply", "industrial", "all").coefficients == ""
    # a product's quantity × price: t × 元/t is 元 (V = Q*p); t × 万元/t needs × 10 000 (2 t × 0.5 万元/t = 10 000 元)
    assert trace_of(r, "agriculture_products", "稻谷", "farmland") == [
        inp("Q", "t", "products", "quantity"), inp("p", "元/t", "products", "price"), step("V", "Q*p", "yuan")]
    assert trace_of(r, "forestry_products", "木材", "forest") == [
        inp("Q", "t", "products", "quantity"), inp("p", "万元/t", "products", "price"),
        step("V", "Q*p*10000.0", "yuan")]
    assert figure(r, "forestry_products", "木材", "forest").value_yuan == pytest.approx(10_000, rel=REL)
    # no price: the output value, 120 000 元, is both the quantity (in 元) and the value
    assert trace_of(r, "agriculture_products", "茶叶", "farmland") == [
        inp("Q", "yuan", "products", "output_value"), step("V", "Q", "yuan")]


def test_carbon_sequestration_traces_nep_from_npp_and_notes_the_cases_without(tmp_path):
    conditions = [{"region_code": COUNTY, "year": YEAR, "ecosystem": "forest", "npp [gC/(m2*a)]": 500}]
    r = compute(tmp_path, county({"forest": 10, "grassland": 5, "other": 85}, conditions=conditions),
                coef("nep_npp_ratio", 0.5, "1", "forest"), price("carbon_price", 80), price("oxygen_price", 1000),
                coef("oxygen_per_co2", 0.7, "1"))
    # NEP = r × NPP × A = 0.5 × 500 gC/m² × 10 hm² × 0.01 t/(g/m²·hm²) = 25 t C; CO₂ = NEP × 44/12
    assert trace_of(r, "carbon_sequestration", "co2_fixed", "forest") == [
        inp("NPP", "gC/m2", "conditions", "npp"), cof("r", "1", "nep_npp_ratio[forest]"), inp("A", "hm2", "extent", "area"),
        step("NEP", "r*NPP*A*0.01", "t_C"), step("Q", f"NEP*{44 / 12!r}", "t_CO2"),
        *valued("P_CO2", "carbon_price", "yuan/t_CO2")]
    assert figure(r, "carbon_sequestration", "co2_fixed", "forest").quantity == pytest.approx(25 * 44 / 12, rel=REL)
    # O₂ = CO₂ × k, k = 0.7 t O₂ per t CO₂ (the register row above), in t
    assert trace_of(r, "oxygen_release", "o2_released", "forest") == [
        inp("NPP", "gC/m2", "conditions", "npp"), cof("r", "1", "nep_npp_ratio[forest]"), inp("A", "hm2", "extent", "area"),
        step("NEP", "r*NPP*A*0.01", "t_C"), step("CO2", f"NEP*{44 / 12!r}", "t_CO2"),
        cof("k", "1", "oxygen_per_co2"), step("Q", "CO2*k", "t"), *valued("P_O2", "oxygen_price", "yuan/t")]
    assert "carbon_sequestration: 1 region-year-ecosystem case(s) skipped, no NPP " \
        f"(e.g. {COUNTY}/{YEAR}/grassland)" in r.notes
