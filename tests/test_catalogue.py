"""The declarative catalogues are consistent with the register and the unit registry."""
import pytest

from gep.catalogue import inventory_spec, label, services_spec
from gep.coefficients import CANONICAL_UNITS, load_register
from gep.units import parse_unit, quantity, ureg


def priced_indicators():
    for service, entry in services_spec()["services"].items():
        for indicator, spec in entry["indicators"].items():
            if spec.get("price"):
                yield service, indicator, spec


@pytest.mark.parametrize("service, indicator, spec", list(priced_indicators()),
                         ids=lambda x: x if isinstance(x, str) else "")
def test_every_price_values_its_quantity_in_yuan(service, indicator, spec):
    key = spec["price"]
    assert key in CANONICAL_UNITS
    # quantity unit × price unit must be a currency: 1 m³ × 1 元/m³ = 1 元
    assert (quantity(1, spec["unit"]) * quantity(1, CANONICAL_UNITS[key])).to("yuan").magnitude == pytest.approx(1)
    assert load_register().has(key, "forest") or load_register().has(key, "all")


#: Every unit an inventory column or a register key is written in, and what 1 of it is in SI units (or gep's own
#: base units: yuan, visit, person, g C, g CO₂), by hand. 1 a = 365.25 d = 31 557 600 s (pint's year, the Julian
#: year, default_en.txt: "year = 365.25 * day = a"); 1 month = 1 a / 12; 1 d = 86 400 s; 1 h = 3600 s;
#: 1 hm² = 10⁴ m²; 1 t = 10³ kg; 1 kWh = 3.6 × 10⁶ J; 1 % = 0.01.
A = 365.25 * 86_400
UNITS_IN_SI = {
    # inventory columns (gep/data/inventory.yaml)
    "1": (1, "dimensionless"),
    "percent": (0.01, "dimensionless"),
    "m": (1, "m"), "m2": (1, "m**2"), "hm2": (1e4, "m**2"), "m3": (1, "m**3"),
    "a": (A, "s"), "d": (86_400, "s"),
    "t": (1e3, "kg"), "kW": (1e3, "W"), "kWh": (3.6e6, "J"),
    "m3/a": (1 / A, "m**3/s"), "mm/a": (1e-3 / A, "m/s"),
    "t/(hm2*a)": (1e3 / (1e4 * A), "kg/(m**2*s)"),
    "g C/(m2*a)": (1 / A, "gram_carbon/(m**2*s)"),
    "kJ/(m2*d)": (1e3 / 86_400, "J/(m**2*s)"),
    # R = MJ·mm/(hm²·h·a): 10⁶ J × 10⁻³ m / (10⁴ m² × 3600 s × 1 a); K = t·hm²·h/(hm²·MJ·mm) = 10³ kg × 3600 s /
    # (10⁶ J × 10⁻³ m), the hm² cancelling
    "MJ*mm/(hm2*h*a)": (1e6 * 1e-3 / (1e4 * 3600 * A), "J*m/(m**2*s**2)"),
    "t*hm2*h/(hm2*MJ*mm)": (1e3 * 3600 / (1e6 * 1e-3), "kg*s/(J*m)"),
    "person": (1, "person"), "visit": (1, "visit"),
    "yuan": (1, "yuan"), "yuan/kWh": (1 / 3.6e6, "yuan/J"), "yuan/m2": (1, "yuan/m**2"), "yuan/m3": (1, "yuan/m**3"),
    "yuan/visit": (1, "yuan/visit"),
    # canonical units of the register's keys (gep.coefficients.CANONICAL_UNITS) not written as above
    "K": (1, "K"), "K/m": (1, "K/m"),
    "kJ/(m**2*day)": (1e3 / 86_400, "J/(m**2*s)"), "kJ/kg": (1e3, "J/kg"), "kWh/m**3": (3.6e6, "J/m**3"),
    "kg/m**3": (1, "kg/m**3"), "t/m**3": (1e3, "kg/m**3"), "t/(hectare*a)": (1e3 / (1e4 * A), "kg/(m**2*s)"),
    "yuan/(hectare*a)": (1 / (1e4 * A), "yuan/(m**2*s)"), "yuan/hectare": (1e-4, "yuan/m**2"),
    "yuan/m**2": (1, "yuan/m**2"), "yuan/m**3": (1, "yuan/m**3"), "yuan/month": (12 / A, "yuan/s"),
    "yuan/t": (1e-3, "yuan/kg"), "yuan/t_CO2": (1e-6, "yuan/gram_CO2"),
}


def test_every_unit_of_the_catalogue_and_the_register_has_its_meaning_written_here():
    used = {column["unit"] for table in inventory_spec()["tables"].values()
            for column in table["columns"].values() if "unit" in column}
    assert used | set(CANONICAL_UNITS.values()) == set(UNITS_IN_SI)


@pytest.mark.parametrize("unit", list(UNITS_IN_SI))
def test_every_unit_parses_to_its_meaning(unit):
    factor, si = UNITS_IN_SI[unit]
    assert ureg.Quantity(1, parse_unit(unit)).to(si).magnitude == pytest.approx(factor, rel=1e-12, abs=0)


def test_labels_in_both_languages():
    assert label("service", "water_conservation", "zh") == "水源涵养"
    assert label("service", "water_conservation", "en") == "Water conservation"
    assert label("indicator", "soil_retention/reduced_sedimentation", "zh") == "减少泥沙淤积"
    assert label("ecosystem", "wetland_reservoir", "zh") == "水库坑塘"
    assert label("ecosystem", "all", "en") == "Whole region"
    with pytest.raises(ValueError):
        label("service", "water_conservation", "fr")


def test_registers_and_method_profiles_cite_only_what_a_user_can_look_up():
    # the project's working notes (../shared/reference/*.md) are not shipped; a source must be a publication,
    # a standard clause or a URL
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    files = [*sorted((root / "coefficients").rglob("*.csv")), *sorted((root / "coefficients").rglob("*.yaml")),
             *sorted((root / "gep" / "data").glob("*.yaml"))]
    assert files
    for f in files:
        cited = re.findall(r"(?:gep-methods|method-audit|chengkou-data|regional-parameters|official-coefficients|"
                           r"data-audit|asset-liability|software-anchors|county-plan-excerpts)\.md", f.read_text(encoding="utf-8"))
        assert not cited, f"{f.name} cites {cited}"


def test_an_indicator_can_be_supplied_when_a_price_values_it():
    # services.yaml marks each indicator `suppliable`: a supplied quantity is valued at the indicator's register
    # price, so it can be supplied when it has one, or when it is a physical total whose other indicators (its
    # components, computed from it) all have one; the others, and products (any product name), name the table
    # and columns where they are given instead
    tables = inventory_spec()["tables"]
    for service, entry in services_spec()["services"].items():
        for indicator, spec in entry["indicators"].items():
            components = [c for k, c in entry["indicators"].items() if k != indicator]
            valued_total = bool(spec.get("physical_only") and components and all(c.get("price") for c in components))
            assert spec["suppliable"] == bool(spec.get("price") or valued_total), (service, indicator)
            if not spec["suppliable"]:
                assert set(spec["given_in"]["columns"]) <= set(tables[spec["given_in"]["table"]]["columns"])
        if not entry["indicators"]:
            assert entry["given_in"]["table"] == "products", service
            assert set(entry["given_in"]["columns"]) <= set(tables["products"]["columns"])


def test_what_each_service_applies_to_and_requires_is_in_the_inventory_format():
    # services.yaml applies_to / requires name table, table.column or table.column[values] of inventory.yaml;
    # the values are words of the column's vocabulary (extent: ecosystem types, forest: origins, …)
    spec = inventory_spec()
    services = services_spec()["services"]
    for service, entry in services.items():
        refs = entry["applies_to"] + [ref for inputs in entry.get("requires", []) for ref in inputs]
        for ref in refs:
            ref, _, values = ref.partition("[")
            table, _, column = ref.partition(".")
            assert table in spec["tables"], (service, ref)
            assert not column or column in spec["tables"][table]["columns"], (service, ref)
            words = set().union(*(spec["vocabularies"][c["vocabulary"]] for c in spec["tables"][table]["columns"]
                                  .values() if c.get("vocabulary")))
            assert set(filter(None, values.rstrip("]").split(","))) <= words, (service, ref)
        assert entry.get("follows", service) in services
