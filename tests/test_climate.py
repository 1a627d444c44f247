"""Climate regulation under the method profiles: transpiration heat, cooling days carried to a region's
elevation, and the water-surface term's days, divisor and humidifier — each by hand on the tiny inventory
(conftest.py: 990001 has 100 hm² forest and a 20 hm² reservoir, ET 500 and 800 mm, 60 cooling days)."""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from gep.accounting import Options, account
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.services import climate
from gep.trace import check_trace
from gep.units import Quantity as Q

from conftest import tiny_tables, write_tables
from test_accounting import row

PHI = NormalDist()
LAPSE, SPREAD = 5.7 / 1000, 8.0  # register: 0.57 K/100 m (陈志军 et al. 2022); σ_T 8.0 K (达州 normals)
FOREST_KWH_PER_DAY = 0.65 * 0.5 / 365 * 1000 * 2450 * 1e6 / 3600 / 3  # 100 hm² forest, one cooling day
WATER_M3 = 800 / 1000 * 20 * 1e4  # 160 000 m³ evaporated from the 20 hm² reservoir in a year


def carried_days(days: float, up_m: float) -> float:
    """365 × Φ(Φ⁻¹(D_s/365) − Γ·Δh/σ_T), written out with the register's Γ and σ_T."""
    return 365 * PHI.cdf(PHI.inv_cdf(days / 365) - LAPSE * up_m / SPREAD)


def test_cooling_days_at_elevation_by_hand():
    # 75 station days at 760 m carried to 1240 m: Φ⁻¹(75/365) = −0.8220, shifted by 0.0057 × 480 / 8 = 0.342
    # → Φ(−1.1640) = 0.1222 → 44.6 days; carried down 300 m they rise; 0 and 365 days stay
    d = climate.cooling_days_at_elevation(Q([75.0, 75.0, 0.0, 365.0], "day"), Q([1240.0, 460.0, 1240.0, 1240.0], "m"),
                                          Q(760.0, "m"), Q(5.7, "K/km"), Q(8.0, "K")).to("day").magnitude
    assert d[0] == pytest.approx(44.6, abs=0.05) and d[0] == pytest.approx(carried_days(75, 480), rel=1e-12)
    assert d[1] == pytest.approx(carried_days(75, -300), rel=1e-12) and d[1] > 75
    assert list(d[2:]) == [0.0, 365.0]


def _tables(elevations: dict, climate_rows: dict | None = None):
    t = tiny_tables()
    for r in t["regions"]:
        if r["code"] in elevations:
            r["elevation [m]"] = elevations[r["code"]]
    if climate_rows is not None:
        t["climate"] = [dict(region_code=code, year=y, **{"cooling_days [d]": 60}, **extra)
                        for code, extra in climate_rows.items() for y in (2020, 2021)]
    return t


def _account(tmp_path, tables, method=None):
    return account(load_inventory(write_tables(tmp_path / "inventory", tables)), load_register(),
                   Options(method=method))


def test_a_station_count_is_carried_to_each_region_and_traced(tmp_path):
    # one county row: 60 days counted at a station at 500 m; 甲镇 990001 lies at 1300 m on average, 乙乡 990002 gives
    # none and takes the county's 900 m
    tables = _tables({"990000": 900, "990001": 1300},
                     {"990000": {"station_elevation [m]": 500, "relative_humidity [%]": 78.5}})
    r = _account(tmp_path, tables)
    d1, d2 = carried_days(60, 800), carried_days(60, 400)
    cool = row(r, "990001", 2020, "climate_regulation", "transpiration_cooling", "forest")
    assert cool.quantity == pytest.approx(FOREST_KWH_PER_DAY * d1, rel=1e-12)
    cool2 = row(r, "990002", 2020, "climate_regulation", "transpiration_cooling", "forest")
    assert cool2.quantity == pytest.approx(3 * FOREST_KWH_PER_DAY * d2, rel=1e-12)  # 300 hm² of forest
    # the water surface counts the same days (divided by EER 3); 78.5 % humidity is above 45 %: no humidifier
    evap = row(r, "990001", 2020, "climate_regulation", "water_surface_evaporation", "wetland_reservoir")
    assert evap.quantity == pytest.approx(WATER_M3 * d1 / 365 * 1000 * 2450 / 3600 / 3, rel=1e-12)
    assert check_trace(r.trace) == []  # every step re-evaluates, NORMSDIST and NORMSINV included
    steps = r.trace[(r.trace["region_code"] == "990001") & (r.trace["indicator"] == "transpiration_cooling")
                    & (r.trace["year"] == 2020) & (r.trace["ecosystem"] == "forest")].set_index("symbol")
    assert steps.loc["D", "expr"] == "365*NORMSDIST(NORMSINV(D_s/365)-G*(h-h_s)/sigma)"
    assert (steps.loc["h_s", "table"], steps.loc["h_s", "column"]) == ("climate", "station_elevation")
    assert (steps.loc["h", "table"], steps.loc["h", "column"]) == ("regions", "elevation")


def test_a_region_row_without_a_station_is_carried_from_its_regions_elevation(tmp_path):
    # the county's row gives its own days (no station elevation): they hold at the county's 900 m, and 甲镇 at
    # 1300 m has 400 m fewer degrees of warmth; the garze-2017 profile takes the days as given
    tables = _tables({"990000": 900, "990001": 1300}, {"990000": {}})
    cool = row(_account(tmp_path, tables), "990001", 2020, "climate_regulation", "transpiration_cooling", "forest")
    assert cool.quantity == pytest.approx(FOREST_KWH_PER_DAY * carried_days(60, 400), rel=1e-12)
    garze = _account(tmp_path / "g", tables, "garze-2017")
    cool = row(garze, "990001", 2020, "climate_regulation", "transpiration_cooling", "forest")
    # Garzê: EPP from the table, 2837.27 kJ/(m²·d) for forest, over the 60 days as given
    assert cool.quantity == pytest.approx(2837.27 * 1e6 * 60 / 3600 / 3, rel=1e-12)


def test_the_humidifier_counts_only_below_the_threshold(tmp_path):
    # 甲镇 40 % (below 45 %): humidifying counts, 160 000 m³ × 60/365 × 120 kWh/m³ on top of the cooling;
    # 乙乡 gives no humidity and has no water surface; without humidity the term is left out and the notes say so
    cooling = WATER_M3 * 60 / 365 * 1000 * 2450 / 3600 / 3
    dry = _account(tmp_path, _tables({}, {"990001": {"relative_humidity [%]": 40}, "990002": {}}))
    evap = row(dry, "990001", 2020, "climate_regulation", "water_surface_evaporation", "wetland_reservoir")
    assert evap.quantity == pytest.approx(cooling + WATER_M3 * 60 / 365 * 120, rel=1e-12)
    humid = _account(tmp_path / "h", _tables({}, {"990001": {"relative_humidity [%]": 80}, "990002": {}}))
    evap = row(humid, "990001", 2020, "climate_regulation", "water_surface_evaporation", "wetland_reservoir")
    assert evap.quantity == pytest.approx(cooling, rel=1e-12)
    unknown = _account(tmp_path / "u", _tables({}))
    assert row(unknown, "990001", 2020, "climate_regulation", "water_surface_evaporation",
               "wetland_reservoir").quantity == pytest.approx(cooling, rel=1e-12)
    assert any("no relative humidity" in n for n in unknown.notes)
    for r in (dry, humid, unknown):
        assert check_trace(r.trace) == []


def test_the_garze_profile_values_the_water_surface_as_published(tmp_path):
    # 白玛卓嘎 et al. 2017 eq.(13): the whole year's 160 000 m³, not divided by r, humidifier counted
    r = _account(tmp_path, tiny_tables(), "garze-2017")
    evap = row(r, "990001", 2020, "climate_regulation", "water_surface_evaporation", "wetland_reservoir")
    assert evap.quantity == pytest.approx(WATER_M3 * (1000 * 2450 / 3600 + 120), rel=1e-12)
    assert check_trace(r.trace) == []


def test_the_evapotranspiration_option_takes_all_of_et(tmp_path):
    own = tmp_path / "et.yaml"
    own.write_text("name: et\nzh: 蒸散\nen: ET\nextends: default\nchoices:\n"
                   "  climate_regulation.transpiration_heat: {option: evapotranspiration, status: derived, "
                   "source: test}\n", encoding="utf-8")
    r = _account(tmp_path, tiny_tables(), own)
    cool = row(r, "990001", 2020, "climate_regulation", "transpiration_cooling", "forest")
    assert cool.quantity == pytest.approx(FOREST_KWH_PER_DAY / 0.65 * 60, rel=1e-12)  # share 1, not 0.65
    assert np.isfinite(cool.value_yuan)


def test_vegetation_holds_storm_water_where_the_climate_table_gives_storm_rainfall(tmp_path):
    # 甲镇 2020: 200 mm of storm rainfall; forest keeps (1 − 3.52 %) of it on 100 hm², grassland (1 − 9.37 %) on
    # 30 hm² (storm runoff coefficients = the RCEES surface-runoff table, register): 192.96 mm × 100 hm² × 10 =
    # 192 960 m³ and 181.26 mm × 30 hm² × 10 = 54 378 m³, valued at the reservoir cost like the other terms
    from test_accounting import RES_2020
    r = _account(tmp_path, _tables({}, {"990001": {"storm_precipitation [mm/a]": 200}, "990002": {}}))
    forest = row(r, "990001", 2020, "flood_regulation", "vegetation_storage", "forest")
    assert forest.quantity == pytest.approx(192_960, rel=1e-12)
    assert forest.value_yuan == pytest.approx(192_960 * RES_2020, rel=1e-12)
    grass = row(r, "990001", 2020, "flood_regulation", "vegetation_storage", "grassland")
    assert grass.quantity == pytest.approx(54_378, rel=1e-12)
    # 乙乡 gives no storm rainfall: skipped, and said so; the Garzê equations have no vegetation term
    assert not ((r.services.region_code == "990002") & (r.services.indicator == "vegetation_storage")).any()
    assert any("storm precipitation" in n for n in r.notes)
    assert check_trace(r.trace) == []
    garze = _account(tmp_path / "g", _tables({}, {"990001": {"storm_precipitation [mm/a]": 200}}), "garze-2017")
    assert not (garze.services.indicator == "vegetation_storage").any()


def test_a_supplied_vegetation_storage_counts_whatever_the_profile(tmp_path):
    # the Garzê equations have no vegetation term, but a figure a user supplies is used wherever it is given:
    # 1000 m³ held back by 甲镇's forest in 2020, valued at the reservoir cost like the other flood terms
    from test_accounting import RES_2020
    t = tiny_tables()
    t["service_quantities"] = [{"region_code": "990001", "year": 2020, "service": "flood_regulation",
                                "indicator": "vegetation_storage", "ecosystem": "forest", "quantity": 1000,
                                "unit": "m3"}]
    r = _account(tmp_path, t, "garze-2017")
    figure = row(r, "990001", 2020, "flood_regulation", "vegetation_storage", "forest")
    assert figure.path == "supplied_quantity" and figure.value_yuan == pytest.approx(1000 * RES_2020, rel=1e-12)
    assert check_trace(r.trace) == []


def test_a_service_the_profile_counts_for_information_keeps_its_note_in_both_languages(tmp_path):
    r = _account(tmp_path, tiny_tables())
    pest = row(r, "990001", 2020, "pest_control", "natural_area", "forest")
    assert not pest.in_gep
    assert pest.note.startswith("natural forest (forest table, origin natural) and grassland; 核算方案 default：")
    assert "/ method default: not in the Chongqing or Shandong indicator lists" in pest.note
