"""Every formula path of the service calculators, each on a tiny inventory worked out by hand.

A calculator (gep/services/*_tables.py) picks, figure by figure, one of several ways to compute a quantity
or its price — erosion moduli or RUSLE, a declared flood capacity or a share of the total storage, an
emission capped by the purification capacity or not, a spending per visit or the revenue divided by the
visits, a station's own tariff or the register's price, a computed figure or one supplied in
service_quantities. Each test here builds the smallest inventory that takes one or more of these paths and
checks its figures against values computed by hand in the comments; the last one does the same for branches of
the gridded kernels (gep/grid/kernels.py). No LibreOffice is needed.

Coefficients and prices come from a test register of round values written over the default one (prices of
the accounting year, price index none, so no index carries them), so each expected value follows from
numbers written in the test; where a default-register value is used, its row is named.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from gep.accounting import Options, account
from gep.catalogue import services_spec
from gep.coefficients import CANONICAL_UNITS, load_register
from gep.grid import kernels
from gep.inventory import load_inventory
from gep.method import default_method
from gep.trace import check_trace

from conftest import tiny_tables, write_register, write_tables

YEAR = 2020
COUNTY = "990000"
REL = 1e-9


def price(key: str, value: float, ecosystem: str = "") -> tuple:
    """A register price at YEAR's prices, held nominal (price index none), in the key's canonical unit."""
    return key, value, CANONICAL_UNITS[key], YEAR, "none", ecosystem, "", "test price"


def coef(key: str, value: float, unit: str, ecosystem: str = "") -> tuple:
    """A register coefficient (no price year)."""
    return key, value, unit, "", "", ecosystem, "", "test coefficient"


def county(extent: dict[str, float], years=(YEAR,), **tables) -> dict[str, list[dict]]:
    """One county, 990000, with ``extent`` (ecosystem → hm²) in each of ``years`` and the given tables."""
    t = {"regions": [{"code": COUNTY, "name": "示例县", "parent_code": "", "level": "county",
                      "land_area [hm2]": sum(extent.values())}],
         "extent": [{"region_code": COUNTY, "year": y, "ecosystem": eco, "area [hm2]": a}
                    for y in years for eco, a in extent.items()]}
    return {**t, **tables}


def compute(tmp_path, tables: dict, *register_rows, method: str | None = None, name: str = "inventory"):
    folder = write_tables(tmp_path / name, tables)
    register = write_register(tmp_path / f"{name}-register.csv", *register_rows)
    results = account(load_inventory(folder), load_register(register), Options(method=method))
    assert check_trace(results.trace) == []  # every traced step re-evaluates to the engine's figure
    return results


def figure(results, service, indicator, ecosystem, region=COUNTY, year=YEAR):
    s = results.services
    hit = s[(s.region_code == region) & (s.year == year) & (s.service == service) & (s.indicator == indicator)
            & (s.ecosystem == ecosystem)]
    assert len(hit) == 1, (region, year, service, indicator, ecosystem, len(hit))
    return hit.iloc[0]


def check(f, quantity: float, value: float, price: float | None = None):
    assert f.quantity == pytest.approx(quantity, rel=REL), (f.service, f.indicator, f.ecosystem, "quantity")
    assert f.value_yuan == pytest.approx(value, rel=REL, abs=1e-9), (f.service, f.indicator, f.ecosystem, "value")
    if price is not None:
        assert f.price == pytest.approx(price, rel=REL), (f.service, f.indicator, f.ecosystem, "price")


# ==================================================================================================
# soil retention: erosion moduli or RUSLE, and its three valued components
# ==================================================================================================

SOIL_REGISTER = (
    coef("sediment_ratio", 0.25, "1"), coef("soil_bulk_density", 1.25, "t/m3"),
    coef("soil_nitrogen_content", 0.2, "%"), coef("soil_phosphorus_content", 0.05, "%"),
    price("dredging_cost", 6),
    # default profile: N and P at the pollution-equivalent prices (treatment_cost_nh3n, treatment_cost_tp);
    # Garzê profile: at the removal costs (nitrogen_removal_cost, phosphorus_removal_cost)
    price("treatment_cost_nh3n", 4_000), price("treatment_cost_tp", 10_000),
    price("nitrogen_removal_cost", 900), price("phosphorus_removal_cost", 3_000),
)


def soil_tables():
    """Forest 12 hm² gives erosion moduli (40 and 5 t/hm²) and RUSLE factors besides (which would give
    1000 × 0.01 × 1 = 10 and 10 × 0.5 × 1 = 5 t/hm²: the moduli win); grassland 8 hm² gives RUSLE factors only;
    shrub 5 hm² erodes less bare (3 t/hm²) than covered (5 t/hm²)."""
    rusle = ("rainfall_erosivity [MJ*mm/(hm2*h*a)]", "soil_erodibility [t*hm2*h/(hm2*MJ*mm)]",
             "slope_length_steepness [1]", "cover_management [1]", "support_practice [1]")
    conditions = [
        {"ecosystem": "forest", "potential_erosion [t/(hm2*a)]": 40, "actual_erosion [t/(hm2*a)]": 5,
         **dict(zip(rusle, (1000, 0.01, 1, 0.5, 1)))},
        {"ecosystem": "grassland", **dict(zip(rusle, (2000, 0.02, 1.5, 0.1, 0.5)))},
        {"ecosystem": "shrub", "potential_erosion [t/(hm2*a)]": 3, "actual_erosion [t/(hm2*a)]": 5},
    ]
    return county({"forest": 12, "grassland": 8, "shrub": 5, "other": 75},
                  conditions=[{"region_code": COUNTY, "year": YEAR, **c} for c in conditions])


def test_soil_retention_from_moduli_or_rusle_and_its_nitrogen_and_phosphorus(tmp_path):
    r = compute(tmp_path, soil_tables(), *SOIL_REGISTER)
    # forest, moduli: (40 − 5) t/hm² × 12 hm² = 420 t (RUSLE would give (10 − 5) × 12 = 60 t)
    #   sedimentation λ × Q / ρ = 0.25 × 420 / 1.25 = 84 m³ × 6 元/m³ = 504 元
    #   nitrogen 420 t × 0.2 % = 0.84 t × 4000 元/t = 3360 元
    #   phosphorus 420 t × 0.05 % = 0.21 t × 10 000 元/t = 2100 元
    check(figure(r, "soil_retention", "soil_retained", "forest"), 420, 0)
    check(figure(r, "soil_retention", "reduced_sedimentation", "forest"), 84, 504, 6)
    check(figure(r, "soil_retention", "reduced_nitrogen_loss", "forest"), 0.84, 3_360, 4_000)
    check(figure(r, "soil_retention", "reduced_phosphorus_loss", "forest"), 0.21, 2_100, 10_000)
    # grassland, RUSLE: A_p = R·K·LS = 2000 × 0.02 × 1.5 = 60 t/hm², A_r = A_p·C·P = 60 × 0.1 × 0.5 = 3 t/hm²;
    # (60 − 3) × 8 hm² = 456 t → 0.25 × 456 / 1.25 = 91.2 m³ (547.2 元); N 456 × 0.2 % = 0.912 t (3648 元);
    # P 456 × 0.05 % = 0.228 t (2280 元)
    check(figure(r, "soil_retention", "soil_retained", "grassland"), 456, 0)
    check(figure(r, "soil_retention", "reduced_sedimentation", "grassland"), 91.2, 547.2)
    check(figure(r, "soil_retention", "reduced_nitrogen_loss", "grassland"), 0.912, 3_648)
    check(figure(r, "soil_retention", "reduced_phosphorus_loss", "grassland"), 0.228, 2_280)
    # shrub: 3 − 5 < 0 retains nothing, and nothing follows from it
    for indicator in ("soil_retained", "reduced_sedimentation", "reduced_nitrogen_loss", "reduced_phosphorus_loss"):
        check(figure(r, "soil_retention", indicator, "shrub"), 0, 0)
    # the trace names each nutrient's own content
    t = r.trace[(r.trace.indicator == "reduced_phosphorus_loss") & (r.trace.ecosystem == "forest")]
    assert set(t.coefficient.dropna()) >= {"soil_phosphorus_content", "treatment_cost_tp"}
    assert "soil_nitrogen_content" not in set(t.coefficient.dropna())


def test_soil_nutrients_at_the_garze_removal_costs(tmp_path):
    # the Garzê profile prices N and P at their removal costs: forest N 0.84 t × 900 = 756 元,
    # P 0.21 t × 3000 = 630 元; grassland N 0.912 × 900 = 820.8 元, P 0.228 × 3000 = 684 元
    r = compute(tmp_path, soil_tables(), *SOIL_REGISTER, method="garze-2017")
    check(figure(r, "soil_retention", "reduced_nitrogen_loss", "forest"), 0.84, 756, 900)
    check(figure(r, "soil_retention", "reduced_phosphorus_loss", "forest"), 0.21, 630, 3_000)
    check(figure(r, "soil_retention", "reduced_nitrogen_loss", "grassland"), 0.912, 820.8)
    check(figure(r, "soil_retention", "reduced_phosphorus_loss", "grassland"), 0.228, 684)


# ==================================================================================================
# sand fixation
# ==================================================================================================

def test_sand_fixation_from_wind_erosion_moduli(tmp_path):
    conditions = [
        {"region_code": COUNTY, "year": YEAR, "ecosystem": "forest",
         "potential_wind_erosion [t/(hm2*a)]": 30, "actual_wind_erosion [t/(hm2*a)]": 6},
        {"region_code": COUNTY, "year": YEAR, "ecosystem": "grassland",
         "potential_wind_erosion [t/(hm2*a)]": 4, "actual_wind_erosion [t/(hm2*a)]": 9}]
    r = compute(tmp_path, county({"forest": 20, "grassland": 10, "other": 70}, conditions=conditions),
                coef("sand_bulk_density", 1.2, "t/m3"), coef("sand_layer_thickness", 0.1, "m"),
                price("desertification_control_cost", 2))
    # forest: (30 − 6) t/hm² × 20 hm² = 480 t; land kept from desertification Q / (ρ_s × h)
    # = 480 t / (1.2 t/m³ × 0.1 m) = 480 / 0.12 = 4000 m² × 2 元/m² = 8000 元
    check(figure(r, "sand_fixation", "sand_fixed", "forest"), 480, 0)
    check(figure(r, "sand_fixation", "desertification_avoided", "forest"), 4_000, 8_000, 2)
    # grassland: 4 − 9 < 0 fixes no sand
    check(figure(r, "sand_fixation", "sand_fixed", "grassland"), 0, 0)
    check(figure(r, "sand_fixation", "desertification_avoided", "grassland"), 0, 0)


# ==================================================================================================
# flood regulation: lakes, reservoirs (declared capacity or a share of the total), swamps
# ==================================================================================================

def test_lake_flood_storage_takes_each_lakes_area_in_hm2(tmp_path):
    bodies = [{"region_code": COUNTY, "year": YEAR, "name": n, "kind": "lake", "area [hm2]": a}
              for n, a in (("甲湖", 50), ("乙湖", 200), ("丙湖", ""))]
    r = compute(tmp_path, county({"wetland_lake": 250, "other": 750}, water_bodies=bodies),
                coef("lake_flood_log_coefficient", 2, "1"), coef("lake_flood_exponent", 0.5, "1"),
                coef("lake_turnover", 3, "1"), price("reservoir_unit_cost", 5))
    # C_l = e^a × A^b × T 万m³ per lake, A in km² (白玛卓嘎 et al. 2017 eq.(7)): 50 hm² = 0.5 km², 200 hm² = 2 km²;
    # a = 2, b = 0.5, T = 3: e² × (√0.5 + √2) × 3 万m³ = e² × 1.5√2 × 3 × 10⁴ m³ = 4.5 × √2 × e² × 10⁴ m³
    # ≈ 4.5 × 1.414214 × 7.389056 × 10⁴ ≈ 470 236 m³ (丙湖 gives no area: skipped). Read in km² the areas would
    # give √50 + √200, ten times as much; summed before the power, √2.5 ≈ 1.58 instead of 2.12.
    storage = 4.5 * math.sqrt(2) * math.exp(2) * 1e4
    assert storage == pytest.approx(470_236, abs=1)
    check(figure(r, "flood_regulation", "lake_storage", "wetland_lake"), storage, storage * 5, 5)
    assert any(n.startswith("flood_regulation: 1 water body(ies) skipped") and "/丙湖)" in n for n in r.notes)


RESERVOIRS = [{"name": "甲水库", "kind": "reservoir", "total_storage [m3]": 2_000_000, "flood_storage [m3]": 300_000},
              {"name": "乙水库", "kind": "reservoir", "total_storage [m3]": 1_000_000}]
FLOOD_REGISTER = (coef("reservoir_flood_ratio", 0.4, "1"), coef("swamp_storage_depth", 0.5, "m"),
                  price("reservoir_unit_cost", 5))


def flood_tables():
    return county({"wetland_swamp": 40, "other": 960},
                  water_bodies=[{"region_code": COUNTY, "year": YEAR, **b} for b in RESERVOIRS])


def test_reservoir_flood_storage_takes_a_declared_capacity_and_swamps_their_depth(tmp_path):
    r = compute(tmp_path, flood_tables(), *FLOOD_REGISTER)
    # default profile: 甲水库's declared flood capacity 300 000 m³ (not 0.4 × its 2 000 000 m³ total), 乙水库
    # k × total = 0.4 × 1 000 000 = 400 000 m³; 700 000 m³ × 5 元/m³ = 3 500 000 元
    check(figure(r, "flood_regulation", "reservoir_storage", "wetland_reservoir"), 700_000, 3_500_000, 5)
    # swamp: C_m = d × S = 0.5 m × 40 hm² × 10⁴ m²/hm² = 200 000 m³ × 5 元/m³ = 1 000 000 元
    check(figure(r, "flood_regulation", "swamp_storage", "wetland_swamp"), 200_000, 1_000_000, 5)


def test_the_garze_profile_takes_every_reservoir_as_a_share_of_its_total(tmp_path):
    # 白玛卓嘎 et al. 2017 eq.(8): C_r = k × C_t for every reservoir, 0.4 × (2 000 000 + 1 000 000) m³
    # = 1 200 000 m³ × 5 元/m³ = 6 000 000 元; the swamp as under the default profile
    r = compute(tmp_path, flood_tables(), *FLOOD_REGISTER, method="garze-2017")
    check(figure(r, "flood_regulation", "reservoir_storage", "wetland_reservoir"), 1_200_000, 6_000_000, 5)
    check(figure(r, "flood_regulation", "swamp_storage", "wetland_swamp"), 200_000, 1_000_000, 5)


def test_a_reservoir_without_a_total_storage_is_skipped_where_the_profile_takes_k_times_total(tmp_path):
    # 丙水库 declares a flood capacity (50 000 m³) but no total storage. The default profile counts its capacity:
    # 700 000 + 50 000 = 750 000 m³. The Garzê profile takes every reservoir as k × total, which 丙水库 cannot
    # give: it is skipped and said to be (not counted as 0 m³ in silence), and the figure stays 1 200 000 m³
    tables = flood_tables()
    tables["water_bodies"].append({"region_code": COUNTY, "year": YEAR, "name": "丙水库", "kind": "reservoir",
                                   "flood_storage [m3]": 50_000})
    default = compute(tmp_path, tables, *FLOOD_REGISTER, name="default")
    check(figure(default, "flood_regulation", "reservoir_storage", "wetland_reservoir"), 750_000, 3_750_000)
    garze = compute(tmp_path, tables, *FLOOD_REGISTER, method="garze-2017", name="garze")
    check(figure(garze, "flood_regulation", "reservoir_storage", "wetland_reservoir"), 1_200_000, 6_000_000)
    status = next(s for s in garze.service_status if s.service == "flood_regulation")
    assert status.cases_skipped == 1 and ("water_bodies.total_storage",) in status.missing
    assert any(n.startswith("flood_regulation: 1 water body(ies) skipped, no total storage") and "/丙水库)" in n
               for n in garze.notes), garze.notes
    assert next(s for s in default.service_status if s.service == "flood_regulation").cases_skipped == 0


# ==================================================================================================
# air and water purification: the emission, capped where the register declares a capacity
# ==================================================================================================

def test_purification_is_capped_by_the_capacity_of_the_regions_ecosystems(tmp_path):
    # the county 990000 has two townships: 甲镇 990001 (forest 100 hm², other 20 hm²) and 乙乡 990002 (grassland
    # 50 hm², other 30 hm²); emissions are given for the county in 2020 and for the townships in 2021
    tables = {
        "regions": [{"code": COUNTY, "name": "示例县", "parent_code": "", "level": "county", "land_area [hm2]": 200},
                    {"code": "990001", "name": "甲镇", "parent_code": COUNTY, "level": "township",
                     "land_area [hm2]": 120},
                    {"code": "990002", "name": "乙乡", "parent_code": COUNTY, "level": "township",
                     "land_area [hm2]": 80}],
        "extent": [{"region_code": c, "year": y, "ecosystem": e, "area [hm2]": a} for y in (2020, 2021)
                   for c, e, a in (("990001", "forest", 100), ("990001", "other", 20),
                                   ("990002", "grassland", 50), ("990002", "other", 30))],
        "emissions": [{"region_code": c, "year": y, "pollutant": p, "amount [t]": a}
                      for c, y, p, a in ((COUNTY, 2020, "so2", 4), (COUNTY, 2020, "cod", 10), (COUNTY, 2020, "nox", 3),
                                         ("990002", 2021, "so2", 0.8), ("990002", 2021, "cod", 30))]}
    r = compute(tmp_path, tables,
                coef("purification_capacity_so2", 0.02, "t/(hm2*a)", "forest"),
                coef("purification_capacity_so2", 0.01, "t/(hm2*a)", "grassland"),
                coef("purification_capacity_cod", 500, "kg/(hm2*a)", "forest"),  # = 0.5 t/(hm²·a)
                price("treatment_cost_so2", 1_000), price("treatment_cost_cod", 2_000),
                price("treatment_cost_nox", 3_000))
    # 2020, SO₂ emitted in the county, 4 t, above what the ecosystems of its townships absorb:
    # Σ q_j A_j = 0.02 t/hm² × 100 hm² forest + 0.01 t/hm² × 50 hm² grassland = 2 + 0.5 = 2.5 t
    # → min(4, 2.5) = 2.5 t × 1000 元/t = 2500 元 (the capacity path)
    check(figure(r, "air_purification", "so2", "all"), 2.5, 2_500, 1_000)
    # COD of the county, 10 t, below its capacity 0.5 t/hm² × 100 hm² forest = 50 t (grassland has no COD row):
    # min(10, 50) = 10 t × 2000 元/t = 20 000 元
    check(figure(r, "water_purification", "cod", "all"), 10, 20_000, 2_000)
    # NOx has no capacity in the register at all: the emission is taken, 3 t × 3000 元/t = 9000 元
    check(figure(r, "air_purification", "nox", "all"), 3, 9_000, 3_000)
    cap = r.trace[(r.trace.region_code == COUNTY) & (r.trace.year == 2020)
                  & (r.trace.indicator == "so2")].set_index("symbol")
    assert cap.loc["Cap", "value"] == pytest.approx(2.5, rel=REL) and cap.loc["Q", "expr"] == "MIN(E,Cap)"
    # 2021, 乙乡 alone: SO₂ 0.8 t against its own grassland's 0.01 × 50 = 0.5 t (not the county's 2.5 t)
    # → 0.5 t × 1000 = 500 元; COD 30 t, but its grassland has no COD capacity in the register: 0 t absorbed
    check(figure(r, "air_purification", "so2", "all", "990002", 2021), 0.5, 500, 1_000)
    check(figure(r, "water_purification", "cod", "all", "990002", 2021), 0, 0)
    # the note says which figures took the emission as it is: NOx (no capacity row), not SO₂ (capped)
    assert figure(r, "air_purification", "nox", "all").note == \
        "emission taken as purified amount (no capacity declared)"
    assert figure(r, "air_purification", "so2", "all").note == ""


# ==================================================================================================
# cultural services: recreation (spending per visit, or revenue per visit) and landscape
# ==================================================================================================

def test_recreation_from_revenue_per_visit_or_spending_per_visit(tmp_path):
    tourism = [
        {"region_code": COUNTY, "year": 2020, "visits [visit]": 2000, "revenue [yuan]": 500_000,
         "time_cost_per_visit [yuan/visit]": 20},
        {"region_code": COUNTY, "year": 2021, "visits [visit]": 1000, "spending_per_visit [yuan/visit]": 300,
         "revenue [yuan]": 999_999}]
    r = compute(tmp_path, county({"other": 100}, years=(2020, 2021), tourism=tourism))
    # 2020, no spending per visit: TC = revenue / visits = 500 000 元 / 2000 visits = 250 元/visit;
    # V = N × (TC + TV) = 2000 × (250 + 20) = 540 000 元
    f = figure(r, "recreation", "visits", "all", year=2020)
    check(f, 2_000, 540_000, 270)
    assert f.path == "revenue_per_visit"
    # 2021: the spending per visit wins over the revenue: 1000 × 300 元 = 300 000 元 (no time cost given)
    f = figure(r, "recreation", "visits", "all", year=2021)
    check(f, 1_000, 300_000, 300)
    assert f.path == "computed"


def test_revenue_with_no_visits_to_divide_it_among_is_refused_naming_the_row(tmp_path):
    from gep.inventory import InventoryError
    tourism = [{"region_code": COUNTY, "year": 2020, "visits [visit]": 0, "revenue [yuan]": 500_000},
               # the spending per visit given: no division, 0 visits × 300 元 = 0 元, accepted
               {"region_code": COUNTY, "year": 2021, "visits [visit]": 0, "spending_per_visit [yuan/visit]": 300,
                "revenue [yuan]": 500_000}]
    folder = write_tables(tmp_path / "inventory", county({"other": 100}, years=(2020, 2021), tourism=tourism))
    with pytest.raises(InventoryError) as err:
        load_inventory(folder)
    # row 2 (1 = the header) of tourism.csv, column visits; the 2021 row (row 3) is not named
    lines = [line for line in str(err.value).splitlines() if "tourism.csv" in line]
    assert len(lines) == 1 and "row 2" in lines[0] and "visits" in lines[0], str(err.value)
    assert "more than 0 visits where the spending per visit is taken from the revenue" in lines[0]


def test_landscape_by_the_price_premium_of_the_benefiting_floor_area(tmp_path):
    landscape = [{"region_code": COUNTY, "year": 2020, "benefiting_floor_area [m2]": 12_000,
                  "price_premium [yuan/m2]": 150},
                 {"region_code": COUNTY, "year": 2021, "benefiting_floor_area [m2]": 8_000,
                  "price_premium [yuan/m2]": 90}]
    r = compute(tmp_path, county({"other": 100}, years=(2020, 2021), landscape=landscape))
    # V = A_l × P_l: 12 000 m² × 150 元/m² = 1 800 000 元; 8000 m² × 90 元/m² = 720 000 元
    check(figure(r, "landscape", "benefiting_floor_area", "all", year=2020), 12_000, 1_800_000, 150)
    check(figure(r, "landscape", "benefiting_floor_area", "all", year=2021), 8_000, 720_000, 90)


# ==================================================================================================
# provisioning: hydropower and water supply at their own prices or the register's
# ==================================================================================================

HYDRO_REGISTER = (price("hydropower_price", 0.2), price("electricity_price", 0.5))


def hydro_tables():
    stations = [(2020, "甲电站", 1_000_000, 0.3), (2020, "乙电站", 400_000, ""), (2021, "丙电站", 500_000, "")]
    return county({"other": 100}, years=(2020, 2021), hydropower=[
        {"region_code": COUNTY, "year": y, "station": s, "generation [kWh]": g, "price [yuan/kWh]": p}
        for y, s, g, p in stations])


def test_hydropower_at_a_stations_own_tariff_else_the_registers(tmp_path):
    r = compute(tmp_path, hydro_tables(), *HYDRO_REGISTER)
    # 2020: 甲电站 1 000 000 kWh at its own 0.3 元/kWh = 300 000 元; 乙电站 400 000 kWh gives no tariff, so the
    # register's hydropower_price 0.2 元/kWh = 80 000 元; the county's figure 1 400 000 kWh, 380 000 元, at
    # 380 000 / 1 400 000 元/kWh on average
    check(figure(r, "hydropower", "generation", "all", year=2020), 1_400_000, 380_000, 380_000 / 1_400_000)
    # 2021: 丙电站 500 000 kWh × 0.2 元/kWh (register, held nominal) = 100 000 元
    check(figure(r, "hydropower", "generation", "all", year=2021), 500_000, 100_000, 0.2)


def test_the_garze_profile_values_hydropower_at_the_electricity_price(tmp_path):
    # the station's own tariff is not the Garzê price: 1 400 000 kWh × 0.5 元/kWh = 700 000 元 in 2020,
    # 500 000 × 0.5 = 250 000 元 in 2021
    r = compute(tmp_path, hydro_tables(), *HYDRO_REGISTER, method="garze-2017")
    check(figure(r, "hydropower", "generation", "all", year=2020), 1_400_000, 700_000, 0.5)
    check(figure(r, "hydropower", "generation", "all", year=2021), 500_000, 250_000, 0.5)


def test_water_supply_at_its_own_price_else_the_registers(tmp_path):
    supply = [{"region_code": COUNTY, "year": YEAR, "use": "domestic", "volume [m3]": 10_000, "price [yuan/m3]": ""},
              {"region_code": COUNTY, "year": YEAR, "use": "industrial", "volume [m3]": 5_000, "price [yuan/m3]": 4}]
    r = compute(tmp_path, county({"other": 100}, water_supply=supply),
                price("water_price_domestic", 3), price("water_price_industrial", 9))
    # domestic gives no price: 10 000 m³ × the register's 3 元/m³ = 30 000 元;
    # industrial at its own 4 元/m³ (not the register's 9): 5000 m³ × 4 = 20 000 元
    check(figure(r, "water_supply", "domestic", "all"), 10_000, 30_000, 3)
    check(figure(r, "water_supply", "industrial", "all"), 5_000, 20_000, 4)


def test_a_register_price_of_water_or_hydropower_is_carried_to_the_accounting_year(tmp_path):
    # register prices at 2010 prices, carried to 2020 by the CPI as every register price is (for computed figures
    # as for supplied ones): F = CPI 2011–2020 (coefficients/price_indices.csv, as written out in test_accounting.py)
    # = 105.42 × 102.65 × 102.62 × 101.99 × 101.4 × 102.00 × 101.55 × 102.12 × 102.90 × 102.51 % ≈ 1.2814
    from test_accounting import CPI, carried
    f = carried(CPI, 2010, 2020)
    assert f == pytest.approx(1.2814, abs=1e-4)
    tables = county({"other": 100},
                    water_supply=[{"region_code": COUNTY, "year": YEAR, "use": "domestic", "volume [m3]": 10_000}],
                    hydropower=[{"region_code": COUNTY, "year": YEAR, "station": "甲电站", "generation [kWh]": 1_000_000}])
    r = compute(tmp_path, tables, ("water_price_domestic", 3, "yuan/m**3", 2010, "cpi", "", "", "test price"),
                ("hydropower_price", 0.2, "yuan/kWh", 2010, "cpi", "", "", "test price"))
    # 10 000 m³ × 3 元/m³ × F = 30 000 × F 元; 1 000 000 kWh × 0.2 元/kWh × F = 200 000 × F 元
    water = figure(r, "water_supply", "domestic", "all")
    check(water, 10_000, 30_000 * f, 3 * f)
    hydro = figure(r, "hydropower", "generation", "all")
    check(hydro, 1_000_000, 200_000 * f, 0.2 * f)
    assert water.price_index == hydro.price_index == "cpi"  # the register rows' index, for constant prices


def test_a_product_is_valued_at_quantity_times_price_else_at_its_output_value(tmp_path):
    products = [
        {"sector": "agriculture", "product": "稻谷", "quantity": 20, "quantity_unit": "t", "price": 2500,
         "price_unit": "元/t", "output_value [yuan]": 99_999},
        {"sector": "agriculture", "product": "茶叶", "quantity": 3, "quantity_unit": "t", "price": "",
         "price_unit": "", "output_value [yuan]": 120_000},
        {"sector": "husbandry", "product": "生猪", "quantity": 12, "quantity_unit": "t", "price": 16,
         "price_unit": "元/kg", "output_value [yuan]": ""}]
    r = compute(tmp_path, county({"other": 100}, products=[{"region_code": COUNTY, "year": YEAR, **p}
                                                           for p in products]))
    # quantity and price given: 20 t × 2500 元/t = 50 000 元 (the output value 99 999 元 beside them is not used)
    rice = figure(r, "agriculture_products", "稻谷", "farmland")
    assert rice.value_yuan == pytest.approx(50_000, rel=REL) and rice.path == "quantity_x_price"
    # no price: the output value, 120 000 元
    tea = figure(r, "agriculture_products", "茶叶", "farmland")
    assert tea.value_yuan == 120_000 and tea.path == "output_value"
    # 12 t = 12 000 kg × 16 元/kg = 192 000 元, on the whole region (husbandry has no ecosystem of its own)
    assert figure(r, "husbandry_products", "生猪", "all").value_yuan == pytest.approx(192_000, rel=REL)


def test_pest_control_counts_every_natural_forest_row_and_the_grassland(tmp_path):
    forest = [{"region_code": COUNTY, "year": YEAR, "forest_type": t, "origin": o, "area [hm2]": a}
              for t, o, a in (("阔叶林", "natural", 60), ("针叶林", "natural", 40), ("杉木林", "planted", 25))]
    r = compute(tmp_path, county({"forest": 125, "grassland": 30, "other": 45}, forest=forest),
                price("pest_control_cost", 300, "forest"), price("pest_control_cost", 100, "grassland"))
    # natural forest 60 + 40 = 100 hm² (the 25 hm² planted is left out) × 300 元/hm² = 30 000 元;
    # grassland 30 hm² × 100 元/hm² = 3000 元
    check(figure(r, "pest_control", "natural_area", "forest"), 100, 30_000, 300)
    check(figure(r, "pest_control", "natural_area", "grassland"), 30, 3_000, 100)


def test_the_inventorys_own_transpiration_heat_wins_under_both_profiles(tmp_path):
    tables = county({"forest": 10, "other": 90},
                    conditions=[{"region_code": COUNTY, "year": YEAR, "ecosystem": "forest",
                                 "transpiration_heat [kJ/(m2*d)]": 3000, "evapotranspiration [mm/a]": 500}],
                    climate=[{"region_code": COUNTY, "year": YEAR, "cooling_days [d]": 50}])
    register = (coef("ac_energy_efficiency_ratio", 3, "1"), price("electricity_price", 0.5))
    # E = EPP × S × D / (3600 × r) = 3000 kJ/(m²·d) × 10 hm² × 10⁴ m²/hm² × 50 d / 3600 kJ/kWh / 3
    # = 1.5 × 10¹⁰ / 10 800 = 1 388 888.89 kWh × 0.5 元/kWh = 694 444.44 元 — not EPP from the ET of 500 mm
    # (default profile) nor the register's EPP table (Garzê); no elevation is given, so D is the table's 50 days
    kwh = 3000 * 10 * 1e4 * 50 / 3600 / 3
    for method in ("default", "garze-2017"):
        r = compute(tmp_path, tables, *register, method=method, name=method)
        check(figure(r, "climate_regulation", "transpiration_cooling", "forest"), kwh, kwh * 0.5, 0.5)


# ==================================================================================================
# water conservation with the inventory's own runoff coefficient
# ==================================================================================================

def test_water_conservation_takes_the_inventorys_runoff_coefficient_where_given(tmp_path):
    conditions = [{"region_code": COUNTY, "year": YEAR, "ecosystem": e, "precipitation [mm/a]": 1200,
                   "evapotranspiration [mm/a]": 600, "runoff_coefficient [1]": alpha}
                  for e, alpha in (("forest", 0.1), ("grassland", ""))]
    r = compute(tmp_path, county({"forest": 10, "grassland": 20, "other": 70}, conditions=conditions),
                coef("runoff_coefficient", 2, "%", "forest"), coef("runoff_coefficient", 5, "%", "grassland"),
                price("reservoir_unit_cost", 5))
    # forest, α = 0.1 from the inventory (not the register's 2 %): R = 1200 × 0.1 = 120 mm;
    # (1200 − 120 − 600) mm × 10 hm² = 480 mm × 10 m³/(mm·hm²) × 10 = 48 000 m³ × 5 元/m³ = 240 000 元
    check(figure(r, "water_conservation", "water_retained", "forest"), 48_000, 240_000, 5)
    # grassland gives none: the register's 5 %, R = 60 mm; (1200 − 60 − 600) × 20 × 10 = 108 000 m³ → 540 000 元
    check(figure(r, "water_conservation", "water_retained", "grassland"), 108_000, 540_000, 5)


# ==================================================================================================
# supplied quantities (service_quantities) replace the computed figure in every family
# ==================================================================================================

#: where 甲镇 990001 computes each suppliable indicator in supplied_over_computed(): the figure's ecosystem
COMPUTED_AT = {
    ("water_supply", "domestic"): "all",
    ("hydropower", "generation"): "all",
    ("water_conservation", "water_retained"): "forest",
    ("soil_retention", "soil_retained"): "forest",
    ("soil_retention", "reduced_sedimentation"): "forest",
    ("soil_retention", "reduced_nitrogen_loss"): "forest",
    ("soil_retention", "reduced_phosphorus_loss"): "forest",
    ("sand_fixation", "sand_fixed"): "forest",
    ("sand_fixation", "desertification_avoided"): "forest",
    ("flood_regulation", "reservoir_storage"): "wetland_reservoir",
    ("flood_regulation", "lake_storage"): "wetland_lake",
    ("flood_regulation", "swamp_storage"): "wetland_swamp",
    ("flood_regulation", "vegetation_storage"): "forest",
    ("air_purification", "so2"): "all",
    ("water_purification", "cod"): "all",
    ("carbon_sequestration", "co2_fixed"): "forest",
    ("oxygen_release", "o2_released"): "forest",
    ("climate_regulation", "transpiration_cooling"): "forest",
    ("climate_regulation", "water_surface_evaporation"): "wetland_reservoir",
    ("pest_control", "natural_area"): "forest",
}
SUPPLIED_PRICE = 2.5  # 元 per canonical unit of each indicator (test register)


def supplied_over_computed(supplied: bool) -> dict[str, list[dict]]:
    """The tiny inventory (conftest.py) where 甲镇 990001 also has a 50 hm² lake, 5 hm² of swamp, wind erosion
    (30 and 6 t/hm²) on its forest and 200 mm of storm rainfall, so that it computes every family; with
    ``supplied``, 1000 canonical units of every indicator of COMPUTED_AT for 990001 in 2020, and 1000 t CO₂ and
    1000 t of sand fixed for its forest in 2021."""
    t = tiny_tables()
    for y in (2020, 2021):
        next(r for r in t["extent"] if (r["region_code"], r["year"], r["ecosystem"]) == ("990001", y, "other")
             )["area [hm2]"] = 45
        t["extent"].append({"region_code": "990001", "year": y, "ecosystem": "wetland_swamp", "area [hm2]": 5})
        t["water_bodies"].append({"region_code": "990001", "year": y, "name": "甲湖", "kind": "lake",
                                  "area [hm2]": 50})
    for r in t["conditions"]:
        if r["region_code"] == "990001" and r["ecosystem"] == "forest":
            r.update({"potential_wind_erosion [t/(hm2*a)]": 30, "actual_wind_erosion [t/(hm2*a)]": 6})
    for r in t["climate"]:
        if r["region_code"] == "990001":
            r["storm_precipitation [mm/a]"] = 200
    if supplied:
        units = {s: {i: spec["unit"] for i, spec in e["indicators"].items()}
                 for s, e in services_spec()["services"].items()}
        rows = [("990001", 2020, s, i, eco, 1000, units[s][i]) for (s, i), eco in COMPUTED_AT.items()]
        rows += [("990001", 2021, "carbon_sequestration", "co2_fixed", "forest", 1000, "t_CO2"),
                 ("990001", 2021, "sand_fixation", "sand_fixed", "forest", 1000, "t")]
        columns = ("region_code", "year", "service", "indicator", "ecosystem", "quantity", "unit")
        t["service_quantities"] = [dict(zip(columns, r, strict=True)) for r in rows]
    return t


def test_every_family_has_a_case_here():
    families = {s for s, e in services_spec()["services"].items()
                if any(spec["suppliable"] for spec in e["indicators"].values())}
    assert families == {s for s, _ in COMPUTED_AT}


def test_a_supplied_figure_replaces_the_computed_one_in_every_family(tmp_path):
    method = default_method()
    keys = {method.price_key(s, i) for s, i in COMPUTED_AT} - {None}
    register = [price(k, SUPPLIED_PRICE, "forest" if k == "pest_control_cost" else "") for k in sorted(keys)]
    computed = compute(tmp_path, supplied_over_computed(False), *register, name="computed")
    given = compute(tmp_path, supplied_over_computed(True), *register, name="supplied")
    for (service, indicator), ecosystem in COMPUTED_AT.items():
        before = figure(computed, service, indicator, ecosystem, "990001")
        assert before.path == "computed" and before.quantity != pytest.approx(1000), (service, indicator)
        after = figure(given, service, indicator, ecosystem, "990001")  # one figure: replaced, not added
        assert after.path == "supplied_quantity", (service, indicator, after.path)
        # 1000 units × 2.5 元/unit = 2500 元, or no value for a physical total (soil retained, sand fixed)
        priced = bool(services_spec()["services"][service]["indicators"][indicator].get("price"))
        check(after, 1000, 2_500 if priced else 0)
    # what follows from a supplied base follows from it where it replaces a computed one (2021):
    # O₂ = 1000 t CO₂ × 0.727272727272727 (default register oxygen_per_co2, 32/44) = 727.272727272727 t
    o2 = figure(given, "oxygen_release", "o2_released", "forest", "990001", 2021)
    assert o2.quantity == pytest.approx(727.272727272727, rel=REL)
    # land kept from desertification: 1000 t / (1.28 t/m³ × 0.1 m) (default register sand_bulk_density,
    # sand_layer_thickness) = 7812.5 m², where the forest's own moduli would give (30 − 6) × 100 = 2400 t
    sand = figure(given, "sand_fixation", "desertification_avoided", "forest", "990001", 2021)
    assert sand.quantity == pytest.approx(7_812.5, rel=REL)
    assert figure(computed, "sand_fixation", "sand_fixed", "forest", "990001", 2021).quantity == \
        pytest.approx(2_400, rel=REL)


# ==================================================================================================
# gridded kernels: the branches no other test takes by hand
# ==================================================================================================

def test_kernels_from_given_moduli_and_heat_and_every_slope_length_exponent():
    # soil retained from moduli on a 0.09 hm² cell: (40 − 5) t/hm² × 0.09 hm² = 3.15 t; a negative difference 0
    assert kernels.soil_retained_from_moduli(40.0, 5.0, 0.09) == pytest.approx(3.15, rel=REL)
    assert kernels.soil_retained_from_moduli(3.0, 5.0, 0.09) == 0.0
    # transpiration cooling from a given EPP: 3000 kJ/(m²·d) × 0.09 hm² × 10⁴ m²/hm² × 50 d / 3600 / 3 = 12 500 kWh
    assert kernels.transpiration_cooling_from_heat(3000.0, 50.0, 3.0, 0.09) == pytest.approx(12_500, rel=REL)
    # L = (λ / 22.13)^m with λ = 44.26 m = 2 × 22.13 m, so L = 2^m (Wischmeier & Smith 1978): m = 0.2 below
    # tan θ = 1 % (0.5°: tan 0.0087), 0.3 to 3 % (1°: 0.0175), 0.4 to 5 % (2.5°: 0.0437), 0.5 above (4°: 0.0699)
    slopes = np.array([0.5, 1.0, 2.5, 4.0])
    np.testing.assert_allclose(kernels.slope_length_factor(slopes, 44.26), 2.0 ** np.array([0.2, 0.3, 0.4, 0.5]),
                               rtol=1e-12)
    # S at the branch limits: 5° takes 16.8 sin θ − 0.50 = 0.96422, 10° takes 21.91 sin θ − 0.96 = 2.84463
    # (McCool et al. 1987; Liu, Nearing & Risse 1994)
    s = kernels.slope_steepness(np.array([5.0, 10.0]))
    np.testing.assert_allclose(s, [16.8 * math.sin(math.radians(5)) - 0.5, 21.91 * math.sin(math.radians(10)) - 0.96],
                               rtol=1e-12)
    assert s == pytest.approx([0.96422, 2.84463], abs=1e-5)
