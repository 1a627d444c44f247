"""Accounting on the tiny inventory (conftest.py): values computed by hand from its inputs and the
default register (coefficients/default.csv), additivity, row-order and unit invariance."""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from gep.accounting import Options, account
from gep.coefficients import load_register
from gep.inventory import load_inventory

from conftest import tiny_tables, write_register, write_tables

# Register prices are carried from their price year to the accounting year by the index each declares
# (coefficients/default.csv column price_index; values from coefficients/price_indices.csv, previous
# year = 100). The expected values below carry them by these rows of that table, written out; that the rows are
# the published indices is checked apart, against 国家统计局's figures (test_price_indices_are_the_published_ones):
FAI = {2012: 101.1, 2013: 100.3, 2014: 100.5, 2015: 98.2, 2016: 99.4, 2017: 105.8, 2018: 105.4, 2019: 102.6,
       2020: 102.51, 2021: 100.92, 2022: 102.0, 2023: 100.24}  # 2020– : CPI substituted (FAI discontinued)
PPI = {2011: 106.03, 2012: 98.28, 2013: 98.09, 2014: 98.11, 2015: 94.8, 2016: 98.6, 2017: 106.3, 2018: 103.5,
       2019: 99.7, 2020: 98.2, 2021: 108.1}
CPI = {2011: 105.42, 2012: 102.65, 2013: 102.62, 2014: 101.99, 2015: 101.4, 2016: 102.00, 2017: 101.55,
       2018: 102.12, 2019: 102.90, 2020: 102.51, 2021: 100.92, 2022: 102.0, 2023: 100.24}


def carried(index: dict, price_year: int, year: int) -> float:
    """P(year)/P(price_year): the product of the yearly factors between them (inverted going back)."""
    f = 1.0
    for y in range(min(price_year, year) + 1, max(price_year, year) + 1):
        f *= index[y] / 100
    return f if year >= price_year else 1 / f


RES_2020 = 7.53 * carried(FAI, 2011, 2020)  # reservoir unit cost, 2011 prices → 2020 ≈ 8.785 元/m³

#: The national CPI as 国家统计局 published it for each year (全国居民消费价格比上年上涨 x %, previous year = 100),
#: one decimal, as reported on the day of release:
NBS_CPI = {
    2011: 105.4,  # 国际在线 2012-01-12, http://msn.finance.sina.com.cn/roll/20120112/104211186295.shtml
    2012: 102.6,  # 中国新闻网 2013-01-11, http://big5.cctv.com/gate/big5/jingji.cntv.cn/2013/01/11/ARTI1357870410110865.shtml
    2013: 102.6,  # NBS release of 2014-01-09 as reprinted at http://www.cbtia.com/news/2014/1-9/H16244705.shtml
    2014: 102.0,  # NBS release of 2015-01-09 as reprinted at http://money.e23.cn/content/2015-01-09/2015010900027_2.html
    2015: 101.4,  # NBS release of 2016-01-10 as reprinted at
    #               http://gxt.hunan.gov.cn/gxt/xxgk_71033/gzdt/sjfb_80675/201601/t20160111_2919564.html
    2016: 102.0,  # NBS release of 2017-01-12 as reprinted at https://zibo.focus.cn/zixun/dd02052632793a8d.html
    2017: 101.6,  # 新华社 2018-01-10, http://lyrb.lyd.com.cn/html2/2018-01/11/content_146100.htm
    2018: 102.1,  # 中新社 2019-01-10, https://www.cqn.com.cn/cj/content/2019-01/10/content_6664383.htm
    2019: 102.9,  # 新华社 2020-01-09, https://yybnet.net/shanxi/news/202001/10099245.html
    2020: 102.5,  # 证券日报 2021-01-11, https://pygbw.com/caijing/2021011189805.html
    2021: 100.9,  # 国际在线 2022-01-12, http://news.cri.cn/20220112/1332b9ab-5a99-8642-309e-47276376b8f3.html
    2022: 102.0,  # 中新网 2023-01-12, the source cited by the table's row for 2022
}
#: The national PPI (工业生产者出厂价格比上年涨跌 x %, previous year = 100) where a publication was found:
NBS_PPI = {
    2013: 98.1,   # −1.9 %, NBS release of 2014-01-09 as reported at
    #               http://www.nv266.com/industrynews/show_news.aspx?bid=34&newsid=1036
    2015: 94.8,   # −5.2 %, https://phb7.com.cn/lvyou/jingdian/173900.html (NBS annual figures of 2015)
    2019: 99.7,   # −0.3 %, 新华社 2020-01-09, http://tc.xfafinance.com/html/Economies/Economic_Data/2020/328648.shtml
    2020: 98.2,   # −1.8 %, 证券日报 2021-01-11, https://pygbw.com/caijing/2021011189805.html
    2021: 108.1,  # +8.1 %, 国际在线 2022-01-12, http://news.cri.cn/20220112/1332b9ab-5a99-8642-309e-47276376b8f3.html
}
ROUNDING = 0.05 + 1e-9  # half a unit of the published last digit (and a float's width)


def compute(folder, *registers, **options):
    return account(load_inventory(folder), load_register(*registers), Options(**options))


def row(results, region, year, service, indicator, ecosystem):
    s = results.services
    hit = s[(s.region_code == region) & (s.year == year) & (s.service == service) & (s.indicator == indicator)
            & (s.ecosystem == ecosystem)]
    assert len(hit) == 1, (region, year, service, indicator, ecosystem)
    return hit.iloc[0]


def test_price_indices_are_the_published_ones():
    """The CPI and PPI rows of coefficients/price_indices.csv (and their copies above) against the figures 国家统计局
    published. The table holds two decimals (a mean of the monthly year-on-year rates, its source column says), NBS
    publishes one: a row must lie within half a unit of the published figure's last digit."""
    from gep.prices import load_price_indices
    indices = load_price_indices()
    for kind, published, copy in (("cpi", NBS_CPI, CPI), ("ppi", NBS_PPI, PPI)):
        for year, figure in published.items():
            assert abs(indices.values[kind][year] - figure) <= ROUNDING, (kind, year, indices.values[kind][year])
            if year in copy:
                assert abs(copy[year] - figure) <= ROUNDING, (kind, year)
    # The chain carrying the pest-control price from 2010 to 2020 (test_other_services_by_hand), by hand from the
    # published rates: 1.054 × 1.026 × 1.026 × 1.020 × 1.014 × 1.020 × 1.016 × 1.021 × 1.029 × 1.025 = 1.280656;
    # each rate is known to ±0.05 points, so the chain to within Σ_k 0.05/I_k ≈ 10 × 0.05/102 ≈ 0.49 %.
    assert indices.factor("cpi", 2010, 2020) == pytest.approx(1.280656, rel=0.0049)
    # the carbon price of 2021 carried back to 2020 by the CPI: × 1/1.009, to ±0.05/100.9 = 0.05 %
    assert indices.factor("cpi", 2021, 2020) == pytest.approx(1 / 1.009, rel=0.0005)
    # The FAI rows have no publication here: NBS stopped the FAI price index after 2019 and the rows up to 2019 cite
    # "as recalled, unverified"; the table is their only source. What is checked instead is the chain the reservoir
    # cost is carried by from 2011 to 2020, multiplied by hand from the rows' yearly rates:
    #   1.011 × 1.003 = 1.014033; × 1.005 = 1.019103; × 0.982 = 1.000759; × 0.994 = 0.994755; × 1.058 = 1.052451;
    #   × 1.054 = 1.109283; × 1.026 = 1.138124; × 1.0251 (CPI 2020 substituted) = 1.166691
    # so 7.53 元/m³ at 2011 prices is 8.785 元/m³ at 2020 prices.
    assert indices.factor("fai", 2011, 2020) == pytest.approx(1.166691, rel=1e-6)
    assert 7.53 * indices.factor("fai", 2011, 2020) == pytest.approx(8.785, abs=5e-4)


def test_product_in_wan_tonnes_at_wan_yuan_per_tonne_is_valued_exactly(tmp_path):
    # 1.5 万t of rapeseed at 0.2 万元/t: 1.5 万t = 15 000 t and 0.2 万元/t = 2000 元/t (each converted exactly on
    # its own), then 15 000 × 2000 = 30 000 000 元 exactly (1.5 × 0.2 × 10⁸ in floats is 30 000 000.000000004).
    t = tiny_tables()
    t["products"].append({"region_code": "990001", "year": 2020, "sector": "agriculture", "product": "油菜籽",
                          "quantity": 1.5, "quantity_unit": "万t", "price": 0.2, "price_unit": "万元/t",
                          "output_value [yuan]": ""})
    r = compute(write_tables(tmp_path / "wan", t))
    assert row(r, "990001", 2020, "agriculture_products", "油菜籽", "farmland").value_yuan == 30_000_000.0


def test_water_conservation_by_hand(tiny):
    r = compute(tiny)
    forest = row(r, "990001", 2020, "water_conservation", "water_retained", "forest")
    # P = 1000 mm, α = 3.52 % (default register, 龚诗涵 2017 针阔混交林) → R = 35.2 mm, ET = 500 mm
    # (1000 − 35.2 − 500) mm × 100 hm² = 0.4648 m × 1 000 000 m² = 464 800 m³
    assert forest.quantity == pytest.approx(464_800, rel=1e-12)
    # valued at the reservoir unit cost 7.53 元/m³ at 2011 prices, carried to 2020 by the FAI index
    assert forest.value_yuan == pytest.approx(464_800 * RES_2020, rel=1e-12)
    grass = row(r, "990001", 2020, "water_conservation", "water_retained", "grassland")
    # α = 9.37 % → R = 93.7 mm; (1000 − 93.7 − 500) mm × 30 hm² = 0.4063 m × 300 000 m² = 121 890 m³
    assert grass.quantity == pytest.approx(121_890, rel=1e-12)
    reservoir = row(r, "990001", 2020, "water_conservation", "water_retained", "wetland_reservoir")
    # α = 0, ET (water-surface evaporation) 800 mm: 0.2 m × 200 000 m² = 40 000 m³
    assert reservoir.quantity == pytest.approx(40_000, rel=1e-12)
    county = row(r, "990000", 2020, "water_conservation", "water_retained", "forest")
    # county forest = 990001 (100 hm²) + 990002 (300 hm²): 0.4648 m × 4 000 000 m² = 1 859 200 m³
    assert county.quantity == pytest.approx(1_859_200, rel=1e-12)


def test_other_services_by_hand(tiny):
    r = compute(tiny)
    soil = row(r, "990001", 2020, "soil_retention", "soil_retained", "forest")
    # R·K·LS = 5000 × 0.03 × 1 = 150 t/hm²; actual = 150 × C 0.01 × P 1 = 1.5; (150 − 1.5) × 100 hm² = 14 850 t
    assert soil.quantity == pytest.approx(14_850, rel=1e-12) and soil.value_yuan == 0 and not soil.in_gep
    sed = row(r, "990001", 2020, "soil_retention", "reduced_sedimentation", "forest")
    # λ 0.24 × 14 850 t / ρ 1.125 t/m³ = 3168 m³ × dredging 19.76 元/m³ (2023 prices, FAI back to 2020)
    assert sed.quantity == pytest.approx(3168, rel=1e-12)
    assert sed.value_yuan == pytest.approx(3168 * 19.76 * carried(FAI, 2023, 2020), rel=1e-12)
    n = row(r, "990001", 2020, "soil_retention", "reduced_nitrogen_loss", "forest")
    # 14 850 t × 0.15 % = 22.275 t, valued by the default method as NH₃-N pollution equivalents at the
    # water-pollutant tax: 3.0 元/当量 ÷ 0.8 kg = 3750 元/t (held nominal) → 83 531.25 元
    assert n.value_yuan == pytest.approx(22.275 * 3750, rel=1e-12)
    p = row(r, "990001", 2020, "soil_retention", "reduced_phosphorus_loss", "forest")
    # 14 850 t × 0.06 % = 8.91 t × TP 3.0 元/当量 ÷ 0.25 kg = 12 000 元/t → 106 920 元
    assert p.value_yuan == pytest.approx(8.91 * 12_000, rel=1e-12)
    co2 = row(r, "990001", 2020, "carbon_sequestration", "co2_fixed", "forest")
    # NEP = 0.25 × 600 g C/m² × 1e6 m² = 150 t C; × 44/12 = 550 t CO2; at the national carbon market's 2021
    # average 42.85 元/t CO2, the register's price for years without one of their own, carried back by the CPI
    assert co2.quantity == pytest.approx(550, rel=1e-12)
    assert co2.value_yuan == pytest.approx(550 * 42.85 * carried(CPI, 2021, 2020), rel=1e-12)
    co2_2021 = row(r, "990001", 2021, "carbon_sequestration", "co2_fixed", "forest")
    assert co2_2021.value_yuan == pytest.approx(550 * 42.85, rel=1e-12)  # the 2021 average, at its own prices
    o2 = row(r, "990001", 2020, "oxygen_release", "o2_released", "forest")
    # 550 t CO2 × 32/44 = 400 t O2 × 1000 元/t = 400 000 元
    assert o2.quantity == pytest.approx(400, rel=1e-12)
    assert o2.value_yuan == pytest.approx(400 * 1000 * carried(PPI, 2011, 2020), rel=1e-12)  # 2011 price, PPI
    cool = row(r, "990001", 2020, "climate_regulation", "transpiration_cooling", "forest")
    # the default method's EPP is transpiration heat: forest transpires 0.65 of ET (register) →
    # EPP = 0.65 × 0.5 m / 365 d × 1000 kg/m³ × 2450 kJ/kg = 2181.5068 kJ/(m²·d);
    # × 1e6 m² × 60 d / 3600 kJ/kWh / EER 3 = 12 119 482.5 kWh × 0.52 元/kWh (the tiny inventory gives no
    # elevations, so its 60 cooling days are taken as given)
    kwh = 0.65 * 0.5 / 365 * 1000 * 2450 * 1e6 * 60 / 3600 / 3
    assert cool.quantity == pytest.approx(kwh, rel=1e-12)
    assert cool.value_yuan == pytest.approx(kwh * 0.52, rel=1e-12)
    evap = row(r, "990001", 2020, "climate_regulation", "water_surface_evaporation", "wetland_reservoir")
    # 0.8 m × 200 000 m² = 160 000 m³ a year, of which the 60 cooling days count: × 60/365; cooling divided by
    # EER 3 as for vegetation: × 1000 × 2450 / 3600 / 3 kWh/m³; no relative humidity → no humidifier term
    assert evap.quantity == pytest.approx(160_000 * 60 / 365 * 1000 * 2450 / 3600 / 3, rel=1e-12)
    flood = row(r, "990001", 2020, "flood_regulation", "reservoir_storage", "wetland_reservoir")
    # 0.35 × 1 000 000 m³ = 350 000 m³ × reservoir unit cost at 2020 prices
    assert flood.value_yuan == pytest.approx(350_000 * RES_2020, rel=1e-12)
    so2 = row(r, "990001", 2020, "air_purification", "so2", "all")
    assert so2.value_yuan == pytest.approx(2 * 3500, rel=1e-12)  # 2 t × 3500 元/t
    cod = row(r, "990001", 2020, "water_purification", "cod", "all")
    assert cod.value_yuan == pytest.approx(10 * 3000, rel=1e-12)  # 10 t × 3000 元/t
    pest = r.services[(r.services.region_code == "990001") & (r.services.year == 2020)
                      & (r.services.service == "pest_control")]["value_yuan"].sum()
    # natural forest 80 hm² × 375 + grassland 30 hm² × 112.5 = 33 375 元 at 2010 prices, CPI to 2020
    assert pest == pytest.approx(33_375 * carried(CPI, 2010, 2020), rel=1e-12)
    assert row(r, "990001", 2020, "recreation", "visits", "all").value_yuan == pytest.approx(300_000)  # 1000 × 300
    assert row(r, "990001", 2020, "agriculture_products", "粮食", "farmland").value_yuan == pytest.approx(30_000)
    forestry = row(r, "990002", 2020, "forestry_products", "林业总产值", "forest")
    assert forestry.value_yuan == 50_000 and forestry.path == "output_value"
    assert row(r, "990001", 2020, "water_supply", "domestic", "all").value_yuan == pytest.approx(20_000)
    assert row(r, "990001", 2020, "hydropower", "generation", "all").value_yuan == pytest.approx(300_000)


def test_gep_is_sum_of_final_services_only(tiny):
    r = compute(tiny)
    s = r.services[(r.services.region_code == "990000") & (r.services.year == 2021)]
    summary = r.summary.set_index(["region_code", "year"]).loc[("990000", 2021)]
    assert summary.gep_yuan == pytest.approx(s[s.in_gep].value_yuan.sum(), rel=1e-12)
    # soil retained is valued through its components; the default method profile computes pest control
    # for information only (coefficients/methods/default.yaml)
    assert set(s[~s.in_gep].indicator) == {"soil_retained", "natural_area"}
    assert summary.gep_yuan == pytest.approx(summary.provisioning_yuan + summary.regulating_yuan
                                             + summary.cultural_yuan, rel=1e-15)


def test_townships_add_up_to_the_county(tiny):
    r = compute(tiny)
    s = r.summary.set_index(["region_code", "year"])
    for year in (2020, 2021):
        for col in ("provisioning_yuan", "regulating_yuan", "cultural_yuan", "gep_yuan"):
            total = s.loc[("990001", year), col] + s.loc[("990002", year), col]
            assert s.loc[("990000", year), col] == pytest.approx(total, rel=1e-9)


def _shuffled_copy(src, dst, seed):
    rng = random.Random(seed)
    dst.mkdir()
    for f in src.glob("*.csv"):
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        body = lines[1:]
        rng.shuffle(body)
        (dst / f.name).write_text(lines[0] + "".join(body), encoding="utf-8")


def test_row_order_changes_no_output(tiny, tmp_path):
    _shuffled_copy(tiny, tmp_path / "shuffled", seed=7)
    a, b = compute(tiny), compute(tmp_path / "shuffled")
    pd.testing.assert_frame_equal(a.services, b.services)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_same_inventory_in_mu_and_wan_m3_gives_identical_gep(tmp_path):
    t = tiny_tables()
    base = compute(write_tables(tmp_path / "hm2", t))
    for r in t["extent"]:
        r["area [亩]"] = r.pop("area [hm2]") * 15  # 1 hm² = 15 亩
    for r in t["forest"]:
        r["area [亩]"] = r.pop("area [hm2]") * 15
    for r in t["regions"]:
        r["land_area [km2]"] = r.pop("land_area [hm2]") / 100
    for r in t["water_bodies"]:
        r["total_storage [万m³]"] = r.pop("total_storage [m3]") / 1e4
    for r in t["water_supply"]:
        r["volume [万m3]"] = r.pop("volume [m3]") / 1e4
    for r in t["hydropower"]:
        r["generation [万kWh]"] = r.pop("generation [kWh]") / 1e4
    other = compute(write_tables(tmp_path / "mu", t))
    assert np.array_equal(base.summary["gep_yuan"].to_numpy(), other.summary["gep_yuan"].to_numpy())
    pd.testing.assert_frame_equal(base.services, other.services, check_exact=False, rtol=1e-13)


def test_a_register_row_for_a_year_serves_that_year_and_a_later_row_for_all_years_replaces_it(tiny, tmp_path):
    # CO2 fixed by 990001's forest: 0.25 × 600 g C/m² × 100 hm² = 150 t C × 44/12 = 550 t CO2 in both years.
    # A carbon price for every year (50 元/t CO2 at 2020 prices, held nominal) and one of 2021 (80, 2021
    # prices): 2020 takes the first, 2021 its own row → 550 × 50 = 27 500 and 550 × 80 = 44 000 元.
    yearly = write_register(tmp_path / "market.csv",
                            ("carbon_price", "50", "元/t CO₂", "2020", "none", "", "", "all years"),
                            ("carbon_price", "80", "元/t CO₂", "2021", "none", "", "", "2021 market", "2021"))
    r = compute(tiny, yearly)
    assert row(r, "990001", 2020, "carbon_sequestration", "co2_fixed", "forest").value_yuan == pytest.approx(27_500)
    assert row(r, "990001", 2021, "carbon_sequestration", "co2_fixed", "forest").value_yuan == pytest.approx(44_000)
    used = r.coefficients[r.coefficients["key"] == "carbon_price"]
    assert sorted(used["year"].astype(object).where(used["year"].notna(), None), key=str) == [2021, None]
    # a later register stating one price without a year means it for every year: 550 × 60 = 33 000 in both
    one = write_register(tmp_path / "one.csv", ("carbon_price", "60", "元/t CO₂", "2020", "none", "", "", "one"))
    r = compute(tiny, yearly, one)
    for year in (2020, 2021):
        assert row(r, "990001", year, "carbon_sequestration", "co2_fixed", "forest").value_yuan == pytest.approx(33_000)


def test_user_register_overrides_a_default_row(tiny, tmp_path):
    register = write_register(tmp_path / "chongqing.csv",
                              ("reservoir_unit_cost", "0.001", "万元/m³", "2020", "fai", "", "", "test register"))
    r = compute(tiny, register)
    forest = row(r, "990001", 2020, "water_conservation", "water_retained", "forest")
    assert forest.value_yuan == pytest.approx(464_800 * 10, rel=1e-12)  # 0.001 万元/m³ = 10 元/m³ at 2020 prices
    assert row(r, "990001", 2021, "water_conservation", "water_retained", "forest").value_yuan == pytest.approx(
        464_800 * 10 * 1.0092, rel=1e-12)  # carried to 2021 by the FAI row for 2021 (100.92)
    used = r.coefficients.set_index("key")
    assert used.loc["reservoir_unit_cost", "source"] == "test register"
    assert used.loc["reservoir_unit_cost", "register"] == "chongqing.csv"


def test_a_register_row_for_a_region_applies_to_it_and_its_sub_regions(tiny, tmp_path):
    # a forest reservoir cost of 10 元/m³ (held nominal) for township 990001 only: its forest uses it, its
    # grassland and the other township's forest keep the default (RES_2020). Water retained 2020:
    # forest (1000 − 35.2 − 500) mm × 100 hm² × 10 = 464 800 m³; grassland α 9.37 %: (1000 − 93.7 − 500) ×
    # 30 × 10 = 121 890 m³; 990002 forest 464.8 × 300 × 10 = 1 394 400 m³.
    # A county row covers its townships: natural forest 80 and 300 hm² at 500 元/hm².
    register = write_register(tmp_path / "township.csv",
                              ("reservoir_unit_cost", "10", "元/m³", "2020", "none", "forest", "990001", "test"),
                              ("pest_control_cost", "500", "元/hm²", "2020", "none", "forest", "990000", "test"))
    r = compute(tiny, register)
    for region, area in (("990001", 80), ("990002", 300)):
        assert row(r, region, 2020, "pest_control", "natural_area", "forest").value_yuan == pytest.approx(area * 500)
    for region, ecosystem, amount, price in (("990001", "forest", 464_800, 10.0),
                                             ("990001", "grassland", 121_890, RES_2020),
                                             ("990002", "forest", 1_394_400, RES_2020)):
        figure = row(r, region, 2020, "water_conservation", "water_retained", ecosystem)
        assert figure.value_yuan == pytest.approx(amount * price, rel=1e-12), (region, ecosystem)


def test_a_register_with_a_wrong_unit_is_rejected(tmp_path):
    from gep.coefficients import CoefficientError
    register = tmp_path / "bad.csv"
    register.write_text("key,value,unit,price_year,ecosystem,region,source,clause,status,note\n"
                        "carbon_price,100,元/t,2023,,,x,,verified,\n", encoding="utf-8")
    with pytest.raises(CoefficientError, match=r"bad.csv, row 2, column unit.*carbon_price"):
        load_register(register)


def test_supplied_quantity_replaces_the_computed_one(tmp_path):
    t = tiny_tables()
    t["service_quantities"] = [{"region_code": "990001", "year": 2020, "service": "water_conservation",
                                "indicator": "water_retained", "ecosystem": "forest", "quantity": 100,
                                "unit": "万m³", "source": "external hydrological model"}]
    r = compute(write_tables(tmp_path / "supplied", t))
    forest = row(r, "990001", 2020, "water_conservation", "water_retained", "forest")
    assert forest.path == "supplied_quantity"
    assert forest.quantity == 1_000_000 and forest.value_yuan == pytest.approx(1_000_000 * RES_2020, rel=1e-12)
    other_year = row(r, "990001", 2021, "water_conservation", "water_retained", "forest")
    assert other_year.path == "computed"
    # the county adds the supplied figure and 990002's computed one (1 394 400 m³, see the next test), and
    # its path says it mixes both
    county = row(r, "990000", 2020, "water_conservation", "water_retained", "forest")
    assert county.path == "mixed" and county.quantity == pytest.approx(1_000_000 + 1_394_400, rel=1e-12)


def test_a_county_adds_up_villages_and_townships(tmp_path):
    # every row of township 990002 moved to its one village 990009: the village holds the figures, the
    # township and the county add them up. Forest water retained 2020: (P − α·P − ET) × A × 10 m³ with
    # P 1000 mm, α 3.52 % (register, forest), ET 500 mm: 464.8 mm × 300 hm² × 10 = 1 394 400 m³ for the
    # village, plus 464.8 × 100 × 10 = 464 800 m³ of township 990001 for the county.
    t = tiny_tables()
    t["regions"].append({"code": "990009", "name": "丙村", "parent_code": "990002", "level": "village",
                         "land_area [hm2]": 400})
    for rows_ in t.values():
        for r in rows_:
            if r.get("region_code") == "990002":
                r["region_code"] = "990009"
    r = compute(write_tables(tmp_path / "village", t))
    for region, level, expected in (("990009", "village", 1_394_400), ("990002", "township", 1_394_400),
                                    ("990000", "county", 1_859_200)):
        figure = row(r, region, 2020, "water_conservation", "water_retained", "forest")
        assert figure.region_level == level
        assert figure.quantity == pytest.approx(expected, rel=1e-12)
        assert figure.value_yuan == pytest.approx(expected * RES_2020, rel=1e-12)


def test_excluded_service_is_listed_and_left_out(tiny):
    full, without = compute(tiny), compute(tiny, exclude=("oxygen_release",))
    o2 = full.services[(full.services.region_code == "990000") & (full.services.year == 2020)
                       & (full.services.service == "oxygen_release")].value_yuan.sum()
    g_full = full.summary.set_index(["region_code", "year"]).loc[("990000", 2020), "gep_yuan"]
    g_without = without.summary.set_index(["region_code", "year"]).loc[("990000", 2020), "gep_yuan"]
    assert g_full - g_without == pytest.approx(o2, rel=1e-9)
    assert any(e["service"] == "oxygen_release" for e in without.excluded)


def test_coefficients_used_carry_provenance(tiny):
    r = compute(tiny)
    assert {"reservoir_unit_cost", "carbon_price", "runoff_coefficient"} <= set(r.coefficients["key"])
    assert r.coefficients["status"].isin(["verified", "case-study", "unverified"]).all()
    assert r.coefficients["source"].str.len().gt(0).all()


def test_a_price_needs_a_price_year_and_an_index(tmp_path):
    from gep.coefficients import CoefficientError
    register = tmp_path / "bad.csv"
    register.write_text("key,value,unit,price_year,price_index,ecosystem,region,source,clause,status,note\n"
                        "carbon_price,50,元/t CO2,2021,,,,x,,verified,\n"
                        "oxygen_price,900,元/t,,ppi,,,x,,verified,\n", encoding="utf-8")
    with pytest.raises(CoefficientError) as info:
        load_register(register)
    assert "row 2, column price_index" in str(info.value) and "row 3, column price_year" in str(info.value)


def test_constant_prices_and_growth_by_hand(tiny):
    r = compute(tiny, base_year=2020)
    g = r.growth.set_index(["region_code", "year"])
    county = r.services[(r.services.region_code == "990000") & r.services.in_gep]
    # at the base year's prices, constant = current
    assert g.loc[("990000", 2020), "gep_constant_yuan"] == pytest.approx(g.loc[("990000", 2020), "gep_current_yuan"],
                                                                         rel=1e-12)
    # 2021 at 2020 prices: each figure at its own 2020 price (Q_2021 × P_2020); the tiny inventory has the
    # same quantities and prices in both years, so that is its 2020 value — except the forestry output
    # value (no price of its own), deflated by the CPI for 2021 (100.92)
    c20 = county[county.year == 2020].set_index(["service", "indicator", "ecosystem"])["value_yuan"]
    c21 = county[county.year == 2021].set_index(["service", "indicator", "ecosystem"])
    expected = sum(v / 1.0092 if u == "yuan" else c20[k] for k, v, u in zip(c21.index, c21.value_yuan,
                                                                           c21.quantity_unit))
    assert g.loc[("990000", 2021), "gep_constant_yuan"] == pytest.approx(expected, rel=1e-12)
    gep20 = g.loc[("990000", 2020), "gep_current_yuan"]
    assert g.loc[("990000", 2021), "real_growth"] == pytest.approx(expected / gep20 - 1, rel=1e-9)
    # chain-linked: with base year 2020 the two agree for 2021
    assert g.loc[("990000", 2021), "chain_index"] == pytest.approx(100 * expected / gep20, rel=1e-9)
    deflator = g.loc[("990000", 2021), "gep_current_yuan"] / expected * 100
    assert g.loc[("990000", 2021), "deflator"] == pytest.approx(deflator, rel=1e-12)
    # the change 2020 → 2021: price effects, and for forestry the deflated output value 50 000/1.0092 − 50 000
    d = r.decomposition[(r.decomposition.region_code == "990000") & (r.decomposition.year == 2021)].set_index("service")
    assert d.loc["forestry_products", "quantity_effect_yuan"] == pytest.approx(50_000 / 1.0092 - 50_000, rel=1e-9)
    assert d.drop(index="forestry_products")["quantity_effect_yuan"].abs().max() == pytest.approx(0.0, abs=1e-6)
    assert (d["quantity_effect_yuan"] + d["price_effect_yuan"]).to_numpy() == pytest.approx(d["change_yuan"].to_numpy())


def test_evaluation_table_by_hand(tiny):
    r = compute(tiny)
    e = r.evaluation.set_index(["region_code", "year"])
    # 990001: forest 100 hm² of 200 hm² land = 50 %; wetland = the 20 hm² reservoir
    assert e.loc[("990001", 2021), "forest_coverage_pct"] == pytest.approx(50.0)
    assert e.loc[("990001", 2021), "wetland_area_hm2"] == pytest.approx(20.0)
    assert e.loc[("990002", 2021), "forest_coverage_pct"] == pytest.approx(75.0)  # 300 of 400 hm²
    assert e.loc[("990001", 2021), "forest_coverage_change_pp"] == pytest.approx(0.0)
    # ranks among the county's two townships follow their GEP (乙乡, three times the forest of 甲镇, is the
    # larger once the water surface counts only its cooling days)
    gep = r.summary.set_index(["region_code", "year"])["gep_yuan"]
    assert gep[("990002", 2021)] > gep[("990001", 2021)]
    assert e.loc[("990002", 2021), "rank_gep"] == 1 and e.loc[("990001", 2021), "rank_gep"] == 2
    assert np.isnan(e.loc[("990001", 2021), "gep_per_capita_yuan"])  # no township population given


def test_a_change_of_method_between_years_is_flagged(tmp_path):
    t = tiny_tables()
    t["service_quantities"] = [{"region_code": "990001", "year": 2021, "service": "water_conservation",
                                "indicator": "water_retained", "ecosystem": "forest", "quantity": 100,
                                "unit": "万m³"}]
    r = compute(write_tables(tmp_path / "break", t))
    g = r.growth.set_index(["region_code", "year"])
    assert bool(g.loc[("990001", 2021), "method_break"]) and bool(g.loc[("990000", 2021), "method_break"])
    assert "water_conservation/water_retained/forest: computed→supplied_quantity" in g.loc[("990001", 2021),
                                                                                          "break_note"]
    assert not bool(g.loc[("990002", 2021), "method_break"])
