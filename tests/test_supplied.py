"""Supplied quantities (the inventory's service_quantities table, 服务实物量): every indicator the format lets
a user supply (services.yaml ``suppliable``) is used wherever it is given, whatever other tables exist, and
is valued at the indicator's register price; one that cannot be supplied is an error naming file, row and
column. Expected values are computed by hand from round quantities and prices set by a user register at
the accounting year's prices (price_index none, so no index carries them)."""
from __future__ import annotations

import pytest

from gep.accounting import account
from gep.catalogue import services_spec
from gep.cli import main
from gep.coefficients import CANONICAL_UNITS, load_register
from gep.inventory import load_inventory
from gep.method import default_method
from gep.trace import check_trace

from conftest import supplied_tables, tiny_tables, write_register, write_tables

YEAR = 2020
COUNTY = "990000"
#: 1000 of each canonical unit, written in a unit the row converts: 0.1 万m³ = 1000 m³, 0.1 万t = 1000 t,
#: 0.1 万kWh = 1000 kWh, 0.1 万t CO₂ = 1000 t CO₂, 15 000 亩 = 1000 hm² (15 亩 = 1 hm²), 1.5 亩 = 1000 m²
AS_WRITTEN = {"m3": (0.1, "万m³"), "t": (0.1, "万t"), "kWh": (0.1, "万kWh"), "t_CO2": (0.1, "万t CO2"),
              "hm2": (15_000, "亩"), "m2": (1.5, "亩")}
PRICE = 2.5  # 元 per canonical unit of the indicator (test_catalogue checks every price unit is 元 per it)
VALUE = 2_500.0  # 1000 units × 2.5 元/unit


def _cases(valued: bool) -> list[tuple[str, str]]:
    """Every suppliable (service, indicator) of the catalogue with a price (``valued``) or without (a physical
    total valued through its components)."""
    return [(service, indicator) for service, entry in services_spec()["services"].items()
            for indicator, spec in entry["indicators"].items()
            if spec["suppliable"] and bool(spec.get("price")) == valued]


def _spec(service: str, indicator: str) -> dict:
    return services_spec()["services"][service]["indicators"][indicator]


def _ecosystem(service: str) -> str:
    """The ecosystem a case supplies: the service's first ecosystem type, or the whole region."""
    return services_spec()["services"][service].get("ecosystems", ["all"])[0]


def one_region(folder, *supplied: tuple[str, str, str]):
    """An inventory of the required tables only — one region, 100 hm² of 'other' land in YEAR — and one
    service_quantities row per (service, indicator, ecosystem), 1000 of the indicator's unit (AS_WRITTEN)."""
    rows = []
    for service, indicator, ecosystem in supplied:
        amount, unit = AS_WRITTEN[_spec(service, indicator)["unit"]]
        rows.append({"region_code": COUNTY, "year": YEAR, "service": service, "indicator": indicator,
                     "ecosystem": ecosystem, "quantity": amount, "unit": unit, "source": "external model"})
    return write_tables(folder, {
        "regions": [{"code": COUNTY, "name": "示例县", "parent_code": "", "level": "county", "land_area [hm2]": 100}],
        "extent": [{"region_code": COUNTY, "year": YEAR, "ecosystem": "other", "area [hm2]": 100}],
        "service_quantities": rows})


def compute(folder, register):
    return account(load_inventory(folder), load_register(register))


def figure(results, service, indicator, ecosystem, region=COUNTY, year=YEAR):
    s = results.services
    hit = s[(s.region_code == region) & (s.year == year) & (s.service == service) & (s.indicator == indicator)
            & (s.ecosystem == ecosystem)]
    assert len(hit) == 1, (region, year, service, indicator, ecosystem)
    return hit.iloc[0]


def traced(results, service, indicator, ecosystem, region=COUNTY, year=YEAR):
    t = results.trace
    return t[(t.region_code == region) & (t.year == year) & (t.service == service) & (t.indicator == indicator)
             & (t.ecosystem == ecosystem)].set_index("symbol")


@pytest.mark.parametrize("service, indicator", _cases(valued=True), ids=[f"{s}/{i}" for s, i in _cases(True)])
def test_a_supplied_quantity_alone_is_valued_at_its_price(tmp_path, service, indicator):
    # the price key under the default method profile (N and P, carbon and hydropower follow its price bases)
    ecosystem, key = _ecosystem(service), default_method().price_key(service, indicator)
    register = write_register(tmp_path / "prices.csv", (key, PRICE, CANONICAL_UNITS[key], YEAR, "none",
                                                        "" if ecosystem == "all" else ecosystem, "", "test price"))
    r = compute(one_region(tmp_path / "inventory", (service, indicator, ecosystem)), register)
    f = figure(r, service, indicator, ecosystem)
    assert f.path == "supplied_quantity" and f.in_gep == default_method().counted(service)
    assert f.quantity == pytest.approx(1_000, rel=1e-12)  # as written, in the canonical unit (AS_WRITTEN)
    assert f.price == pytest.approx(PRICE, rel=1e-12)  # the register's price of YEAR, carried by nothing
    assert f.value_yuan == pytest.approx(VALUE, rel=1e-12)  # 1000 × 2.5 元
    # traced like every supplied figure: the quantity is the service_quantities cell, V = Q × p
    assert check_trace(r.trace) == []
    trace = traced(r, service, indicator, ecosystem)
    assert (trace.loc["Q", "table"], trace.loc["Q", "column"]) == ("service_quantities", "quantity")
    assert (trace.loc["Q", "file"], trace.loc["Q", "row"]) == ("service_quantities.csv", 2)
    assert trace.loc["V", "value"] == pytest.approx(VALUE, rel=1e-12)


# Physical totals valued through their components, with a register of round coefficients:
#   soil retained 1000 t, λ = 0.25, ρ = 1.25 t/m³ → reduced sedimentation 0.25 × 1000 / 1.25 = 200 m³
#     × 4 元/m³ = 800 元; N 0.2 % → 1000 × 0.002 = 2 t × 1000 元/t = 2000 元; P 0.05 % → 0.5 t × 2000 元/t
#     = 1000 元; soil retained itself is not counted in GEP: GEP = 800 + 2000 + 1000 = 3800 元
#   sand fixed 1000 t, ρ_s = 1.25 t/m³, h = 0.1 m → desertification avoided 1000 / (1.25 × 0.1) = 8000 m²
#     × 0.5 元/m² = 4000 元 = GEP
TOTALS = {
    ("soil_retention", "soil_retained"): (
        [("sediment_ratio", 0.25, "1"), ("soil_bulk_density", 1.25, "t/m3"), ("soil_nitrogen_content", 0.2, "%"),
         ("soil_phosphorus_content", 0.05, "%")],
        {"reduced_sedimentation": (200, 4, 800), "reduced_nitrogen_loss": (2, 1_000, 2_000),
         "reduced_phosphorus_loss": (0.5, 2_000, 1_000)}, 3_800),
    ("sand_fixation", "sand_fixed"): (
        [("sand_bulk_density", 1.25, "t/m3"), ("sand_layer_thickness", 0.1, "m")],
        {"desertification_avoided": (8_000, 0.5, 4_000)}, 4_000),
}


@pytest.mark.parametrize("service, indicator", _cases(valued=False), ids=[f"{s}/{i}" for s, i in _cases(False)])
def test_a_supplied_physical_total_alone_is_valued_through_its_components(tmp_path, service, indicator):
    coefficients, components, gep = TOTALS[(service, indicator)]
    ecosystem = _ecosystem(service)
    rows = [(key, value, unit, "", "", "", "", "test coefficient") for key, value, unit in coefficients]
    for component, (_, price, _) in components.items():
        key = default_method().price_key(service, component)
        rows.append((key, price, CANONICAL_UNITS[key], YEAR, "none", "", "", "test price"))
    r = compute(one_region(tmp_path / "inventory", (service, indicator, ecosystem)),
                write_register(tmp_path / "coefficients.csv", *rows))
    total = figure(r, service, indicator, ecosystem)
    assert total.quantity == pytest.approx(1_000, rel=1e-12) and not total.in_gep
    for component, (amount, price, value) in components.items():
        f = figure(r, service, component, ecosystem)
        assert (f.quantity, f.price, f.value_yuan) == pytest.approx((amount, price, value), rel=1e-12), component
        assert f.path == "supplied_quantity"  # follows from a supplied total
    assert r.summary.set_index(["region_code", "year"]).loc[(COUNTY, YEAR), "gep_yuan"] == pytest.approx(gep)
    assert check_trace(r.trace) == []


def test_supplied_figures_beside_the_other_tables(tmp_path):
    register = write_register(
        tmp_path / "prices.csv",
        ("dredging_cost", 2, "元/m³", 2020, "none", "", "", "test price"),
        ("reservoir_unit_cost", 8, "元/m³", 2020, "none", "", "", "test price"),
        ("pest_control_cost", 100, "元/hm²", 2020, "none", "grassland", "", "test price"),
        ("water_price_domestic", 3, "元/m³", 2020, "none", "", "", "test price"),
        ("hydropower_price", 0.5, "元/kWh", 2020, "none", "", "", "test price"),
        ("treatment_cost_nox", 4000, "元/t", 2020, "none", "", "", "test price"))
    r = compute(write_tables(tmp_path / "supplied", supplied_tables()), register)
    assert check_trace(r.trace) == []

    def check(region, year, service, indicator, ecosystem, quantity, value, path):
        f = figure(r, service, indicator, ecosystem, region, year)
        assert (f.quantity, f.value_yuan) == pytest.approx((quantity, value), rel=1e-12), (service, indicator)
        assert f.path == path, (service, indicator, f.path)

    # soil retention, default register: λ = 0.24, ρ = 1.125 t/m³, N 0.15 %, P 0.06 % (coefficients/default.csv).
    # 990001 forest 2020: supplied 10.03 亿m³ = 1 003 000 000 m³ × 2 元/m³ (test register) = 2 006 000 000 元;
    # its nitrogen still follows from the computed soil retained: RUSLE 5000 × 0.03 × 1 = 150 t/hm² potential,
    # × 0.01 × 1 = 1.5 actual → 148.5 t/hm² × 100 hm² = 14 850 t × 0.15 % = 22.275 t
    check("990001", 2020, "soil_retention", "reduced_sedimentation", "forest", 1_003_000_000, 2_006_000_000,
          "supplied_quantity")
    assert figure(r, "soil_retention", "reduced_nitrogen_loss", "forest", "990001", 2020).quantity == \
        pytest.approx(22.275, rel=1e-12)
    # 2021 is computed: 0.24 × 14 850 / 1.125 = 3168 m³ × 2 元/m³ = 6336 元
    check("990001", 2021, "soil_retention", "reduced_sedimentation", "forest", 3_168, 6_336, "computed")
    # 990002 forest 2020: soil retained supplied 1 万t = 10 000 t → sedimentation 0.24 × 10 000 / 1.125
    # = 2133.33 m³ × 2 = 4266.67 元, phosphorus 10 000 × 0.06 % = 6 t; nitrogen supplied, 5 t
    check("990002", 2020, "soil_retention", "reduced_sedimentation", "forest", 2_400 / 1.125, 4_800 / 1.125,
          "supplied_quantity")
    assert figure(r, "soil_retention", "reduced_phosphorus_loss", "forest", "990002", 2020).quantity == \
        pytest.approx(6, rel=1e-12)
    assert figure(r, "soil_retention", "reduced_nitrogen_loss", "forest", "990002", 2020).quantity == 5
    # sand fixation, default ρ_s = 1.28 t/m³ and h = 0.1 m: 1000 t / 0.128 m = 7812.5 m² from a supplied base;
    # a supplied component is taken as given (500 m², 300 m² — not 7812.5 from its supplied base)
    assert figure(r, "sand_fixation", "desertification_avoided", "forest", "990001", 2020).quantity == \
        pytest.approx(7_812.5, rel=1e-12)
    for region, year, ecosystem, area in (("990001", 2021, "forest", 500), ("990002", 2020, "grassland", 300)):
        assert figure(r, "sand_fixation", "desertification_avoided", ecosystem, region, year).quantity == area
    # water supply: 2021 supplied 2 万m³ at the register's domestic price 3 元/m³ (test register, 2020, held
    # nominal) = 60 000 元; 2020 keeps the table: 10 000 m³ × its own 2 元/m³ = 20 000 元
    check("990001", 2021, "water_supply", "domestic", "all", 20_000, 60_000, "supplied_quantity")
    check("990001", 2020, "water_supply", "domestic", "all", 10_000, 20_000, "computed")
    # hydropower at the register's 0.5 元/kWh (test register): 990001 2021 200 万kWh replaces the station
    # = 1 000 000 元; 990002 2020 50 万kWh without a station = 250 000 元; 990001 2020 keeps its station,
    # 1 000 000 kWh × its own 0.3 元/kWh = 300 000 元
    check("990001", 2021, "hydropower", "generation", "all", 2_000_000, 1_000_000, "supplied_quantity")
    check("990002", 2020, "hydropower", "generation", "all", 500_000, 250_000, "supplied_quantity")
    check("990001", 2020, "hydropower", "generation", "all", 1_000_000, 300_000, "computed")
    # flood storage of a lake and a swamp the inventory does not have, × 8 元/m³ (test register)
    check("990002", 2020, "flood_regulation", "lake_storage", "wetland_lake", 10_000, 80_000, "supplied_quantity")
    check("990002", 2020, "flood_regulation", "swamp_storage", "wetland_swamp", 5_000, 40_000, "supplied_quantity")
    # NOx without an emissions row: 3 t × 4000 元/t (test register) = 12 000 元
    check("990001", 2020, "air_purification", "nox", "all", 3, 12_000, "supplied_quantity")
    # grassland pest control where the township has none: 30 hm² × 100 元/hm² (test register) = 3000 元
    check("990002", 2020, "pest_control", "natural_area", "grassland", 30, 3_000, "supplied_quantity")
    # a supplied component is traced as its own cell, not as its base
    trace = traced(r, "soil_retention", "reduced_sedimentation", "forest", "990001", 2020)
    assert trace.loc["Q", "table"] == "service_quantities" and "Q_sr" not in trace.index


def _validate(folder, capsys) -> tuple[int, str]:
    code = main(["validate", str(folder)])
    return code, capsys.readouterr().out


NOT_SUPPLIABLE = [(service, indicator) for service, entry in services_spec()["services"].items()
                  for indicator, spec in entry["indicators"].items() if not spec["suppliable"]]


@pytest.mark.parametrize("service, indicator, where", [
    *((s, i, services_spec()["services"][s]["indicators"][i]["given_in"]["table"]) for s, i in NOT_SUPPLIABLE),
    ("agriculture_products", "粮食", "products"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_a_figure_that_cannot_be_supplied_is_an_error(tmp_path, capsys, service, indicator, where):
    t = tiny_tables()
    t["service_quantities"] = [{"region_code": "990001", "year": 2020, "service": service, "indicator": indicator,
                                "ecosystem": "all", "quantity": 1000, "unit": "1"}]
    code, out = _validate(write_tables(tmp_path / "inventory", t), capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if "service_quantities.csv, row 2, column indicator" in x)
    assert "cannot be supplied" in line and f"give {'them' if where == 'products' else 'it'} in" in line
    assert f"({where})" in line  # where to give it instead
    assert main(["run", str(tmp_path / "inventory"), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_a_figure_supplied_for_a_year_without_accounts_is_an_error(tmp_path, capsys):
    t = tiny_tables()
    t["service_quantities"] = [{"region_code": "990001", "year": 2019, "service": "water_conservation",
                                "indicator": "water_retained", "ecosystem": "forest", "quantity": 100,
                                "unit": "万m³"}]
    code, out = _validate(write_tables(tmp_path / "inventory", t), capsys)
    assert code == 1
    assert "error: service_quantities.csv, row 2, column year: 2019 is not a year of the accounts: the extent " \
           "table (生态系统面积) gives 2020, 2021" in out
