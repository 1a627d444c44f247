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

from .phrases import LANGUAGES, text

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

#: the valuation methods of the services (services.yaml's method); label("method", key) is the phrase
#: label.method.<key>
VALUATION_METHODS = ("market_value", "shadow_project", "replacement_cost", "abatement_cost", "carbon_price",
                     "industrial_oxygen_cost", "travel_cost", "hedonic_pricing")


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


#: the ecosystem groups (the ecosystem vocabulary's group) and "all", the whole region; label("group", key) is the
#: phrase label.group.<key>
ECOSYSTEM_GROUPS = ("forest", "shrub", "grassland", "wetland", "farmland", "urban", "other", "all")

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
        return text(f"label.group.{key}", lang) if key in ECOSYSTEM_GROUPS else key
    if kind == "method":
        return text(f"label.method.{key}", lang) if key in VALUATION_METHODS else key
    raise ValueError(f"unknown label kind {kind!r}")
