"""The declarative catalogues are consistent with the register and the unit registry."""
import pytest

from gep.catalogue import inventory_spec, label, services_spec
from gep.coefficients import CANONICAL_UNITS, load_register
from gep.units import parse_unit, quantity


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


def test_every_canonical_unit_parses():
    for table in inventory_spec()["tables"].values():
        for column in table["columns"].values():
            if "unit" in column:
                parse_unit(column["unit"])
    for unit in CANONICAL_UNITS.values():
        parse_unit(unit)


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
