"""The declarative catalogues: inventory format (inventory.yaml) and services (services.yaml).

Loaded once, validated against a JSON schema, and used for validation, accounting and labels.
Labels are localised: ``label("service", "water_conservation", "zh")`` → 水源涵养.
"""
from __future__ import annotations

import functools
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

LANGUAGES = ("zh", "en")

_INVENTORY_SCHEMA = {
    "type": "object",
    "required": ["format_version", "vocabularies", "tables"],
    "properties": {
        "format_version": {"type": "string"},
        "vocabularies": {"type": "object", "additionalProperties": {
            "type": "object", "additionalProperties": {
                "type": "object", "required": ["zh"]}}},
        "tables": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["zh", "key", "columns"],
            "properties": {
                "zh": {"type": "string"}, "required": {"type": "boolean"}, "doc": {"type": "string"},
                "key": {"type": "array", "items": {"type": "string"}},
                "columns": {"type": "object", "additionalProperties": {
                    "type": "object", "required": ["zh"],
                    "properties": {
                        "zh": {"type": "string"},
                        "type": {"enum": ["code", "text", "enum", "region", "year", "unit", "service"]},
                        "vocabulary": {"type": "string"},
                        "unit": {"type": "string"}, "unit_column": {"type": "string"},
                        "required": {"type": "boolean"},
                        "min": {"type": "number"}, "max": {"type": "number"},
                        "exclusive_min": {"type": "boolean"},
                    },
                    "additionalProperties": False}}},
            "additionalProperties": False}},
    },
}

#: where a figure that cannot be supplied in service_quantities is given instead: a table and its columns
_GIVEN_IN = {"type": "object", "required": ["table", "columns"], "additionalProperties": False,
             "properties": {"table": {"type": "string"}, "columns": {"type": "array", "items": {"type": "string"}}}}

_SERVICES_SCHEMA = {
    "type": "object",
    "required": ["categories", "services", "ecosystem_all"],
    "properties": {
        "services": {"type": "object", "additionalProperties": {
            "type": "object",
            "required": ["category", "zh", "en", "method", "formula", "reference", "indicators", "applies_to"],
            "properties": {
                "category": {"enum": ["provisioning", "regulating", "cultural"]},
                "ecosystems": {"type": "array", "items": {"type": "string"}},
                "applies_to": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "requires": {"type": "array", "items": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
                "follows": {"type": "string"},
                "given_in": _GIVEN_IN,
                "indicators": {"type": "object", "additionalProperties": {
                    "type": "object", "required": ["zh", "en", "unit", "suppliable"],
                    "properties": {"physical_only": {"type": "boolean"}, "reason": {"type": "string"},
                                   "price": {"type": "string"}, "suppliable": {"type": "boolean"},
                                   "given_in": _GIVEN_IN},
                    "if": {"properties": {"suppliable": {"const": False}}}, "then": {"required": ["given_in"]}}},
            }}},
    },
}

_BOOKKEEPING = {
    "source": {"zh": "来源", "type": "text"},
    "note": {"zh": "备注", "type": "text"},
    "status": {"zh": "数据状态", "type": "enum", "vocabulary": "status"},
}

METHOD_LABELS = {
    "market_value": {"zh": "市场价值法", "en": "Market value"},
    "shadow_project": {"zh": "影子工程法", "en": "Shadow project"},
    "replacement_cost": {"zh": "替代成本法", "en": "Replacement cost"},
    "abatement_cost": {"zh": "防治费用法", "en": "Abatement cost"},
    "carbon_price": {"zh": "碳价格法", "en": "Carbon price"},
    "industrial_oxygen_cost": {"zh": "工业制氧法", "en": "Industrial oxygen cost"},
    "travel_cost": {"zh": "旅行费用法", "en": "Travel cost"},
    "hedonic_pricing": {"zh": "享乐价格法", "en": "Hedonic pricing"},
}


def top_level_file(kind: str, name: str) -> Path:
    """A file of the top-level ``coefficients/`` or ``templates/`` folder: from the source checkout, or
    from ``<prefix>/share/gep`` where a regular install puts them (pyproject data-files)."""
    checkout = Path(__file__).resolve().parent.parent / kind / name
    return checkout if checkout.exists() else Path(sys.prefix) / "share" / "gep" / kind / name


def _load(name: str) -> dict:
    return yaml.safe_load((resources.files("gep") / "data" / name).read_text(encoding="utf-8"))


@functools.cache
def inventory_spec() -> dict:
    """The inventory format, with bookkeeping columns (source, note, status) added to every table."""
    spec = _load("inventory.yaml")
    jsonschema.validate(spec, _INVENTORY_SCHEMA)
    for table in spec["tables"].values():
        for name, col in _BOOKKEEPING.items():
            table["columns"].setdefault(name, dict(col))
    return spec


@functools.cache
def services_spec() -> dict:
    spec = _load("services.yaml")
    jsonschema.validate(spec, _SERVICES_SCHEMA)
    return spec


def vocabulary(name: str) -> dict:
    return inventory_spec()["vocabularies"][name]


def ecosystem_group(ecosystem: str) -> str:
    entry = vocabulary("ecosystem").get(ecosystem)
    return entry["group"] if entry else ecosystem


_GROUP_LABELS = {
    "forest": {"zh": "森林", "en": "Forest"}, "shrub": {"zh": "灌丛", "en": "Shrub"},
    "grassland": {"zh": "草地", "en": "Grassland"}, "wetland": {"zh": "湿地", "en": "Wetland"},
    "farmland": {"zh": "农田", "en": "Farmland"}, "urban": {"zh": "城镇", "en": "Urban"},
    "other": {"zh": "其他", "en": "Other"}, "all": {"zh": "全域", "en": "Whole region"},
}

_ENGLISH = {
    "forest": "Forest", "shrub": "Shrub", "grassland": "Grassland", "garden": "Orchard and tea garden",
    "wetland_swamp": "Swamp", "wetland_lake": "Lake", "wetland_reservoir": "Reservoir and pond",
    "wetland_river": "River", "farmland": "Cropland", "urban": "Built-up", "other": "Other",
}


def label(kind: str, key: str, lang: str = "zh") -> str:
    """Localised label of a category, service, indicator ("service/indicator"), ecosystem, group or method.

    Unknown keys are returned unchanged, so a user-supplied product name shows as written.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    services = services_spec()
    if kind == "category":
        return services["categories"].get(key, {}).get(lang, key)
    if kind == "service":
        entry = services["services"].get(key)
        return entry[lang] if entry else key
    if kind == "indicator":
        service, _, indicator = key.partition("/")
        entry = services["services"].get(service, {}).get("indicators", {}).get(indicator)
        return entry[lang] if entry else indicator
    if kind == "ecosystem":
        if key == "all":
            return services["ecosystem_all"][lang]
        entry = vocabulary("ecosystem").get(key)
        if not entry:
            return key
        return entry["zh"] if lang == "zh" else _ENGLISH.get(key, key)
    if kind == "group":
        return _GROUP_LABELS.get(key, {}).get(lang, key)
    if kind == "method":
        return METHOD_LABELS.get(key, {}).get(lang, key)
    raise ValueError(f"unknown label kind {kind!r}")
