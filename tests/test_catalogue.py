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
    files = [*sorted((root / "coefficients").rglob("*.csv")), *sorted((root / "coefficients").rglob("*.yaml"))]
    assert files
    for f in files:
        cited = re.findall(r"[\w-]+\.md\b", f.read_text(encoding="utf-8"))
        assert not cited, f"{f.name} cites {cited}"
