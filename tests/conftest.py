"""Shared fixtures: a tiny hand-made inventory whose results are computed by hand in the tests.

The tiny county 990000 has two townships, 990001 (100 hm² forest, 20 hm² reservoir, 30 hm² grass,
50 hm² other; land 200 hm²) and 990002 (300 hm² forest, 100 hm² other; land 400 hm²), for 2020 and 2021.
"""
from __future__ import annotations

import csv
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHENGKOU = REPO / "inventories" / "chengkou"
SHARED = REPO.parent / "shared"
#: what every run writes (and gep_parcels.csv with a parcels table), whatever the inventory holds
RUN_OUTPUTS = {"gep_services.csv", "gep_summary.csv", "gep_results.nc", "gep_workbook.xlsx", "gep_report.html",
               "coefficients_used.csv", "manifest.json", "gep_growth.csv", "gep_evaluation.csv",
               "gep_decomposition.csv", "price_indices_used.csv", "gep_trace.csv.gz", "trace", "gep_formulas.xlsx"}


def tiny_tables() -> dict[str, list[dict]]:
    years = (2020, 2021)
    t = {
        "regions": [
            {"code": "990000", "name": "示例县", "parent_code": "", "level": "county", "land_area [hm2]": 600},
            {"code": "990001", "name": "甲镇", "parent_code": "990000", "level": "township", "land_area [hm2]": 200},
            {"code": "990002", "name": "乙乡", "parent_code": "990000", "level": "township", "land_area [hm2]": 400},
        ],
        "extent": [], "conditions": [], "climate": [], "forest": [], "water_bodies": [], "emissions": [],
        "products": [], "tourism": [], "water_supply": [], "hydropower": [],
    }
    areas = {"990001": {"forest": 100, "wetland_reservoir": 20, "grassland": 30, "other": 50},
             "990002": {"forest": 300, "other": 100}}
    for y in years:
        for code, ecos in areas.items():
            for eco, a in ecos.items():
                t["extent"].append({"region_code": code, "year": y, "ecosystem": eco, "area [hm2]": a})
                if eco == "other":
                    continue
                row = {"region_code": code, "year": y, "ecosystem": eco, "precipitation [mm/a]": 1000,
                       "evapotranspiration [mm/a]": 500 if eco != "wetland_reservoir" else 800,
                       "npp [g C/(m2*a)]": 600 if eco != "wetland_reservoir" else "",
                       "rainfall_erosivity [MJ*mm/(hm2*h*a)]": 5000 if eco != "wetland_reservoir" else "",
                       "soil_erodibility [t*hm2*h/(hm2*MJ*mm)]": 0.03 if eco != "wetland_reservoir" else "",
                       "slope_length_steepness [1]": 1 if eco != "wetland_reservoir" else "",
                       "cover_management [1]": 0.01 if eco != "wetland_reservoir" else "",
                       "support_practice [1]": 1 if eco != "wetland_reservoir" else ""}
                t["conditions"].append(row)
            t["climate"].append({"region_code": code, "year": y, "cooling_days [d]": 60})
        t["forest"] += [
            {"region_code": "990001", "year": y, "forest_type": "阔叶林", "origin": "natural", "area [hm2]": 80,
             "stock_volume [m3]": 8000},
            {"region_code": "990001", "year": y, "forest_type": "阔叶林", "origin": "planted", "area [hm2]": 20,
             "stock_volume [m3]": 1000},
            {"region_code": "990002", "year": y, "forest_type": "针叶林", "origin": "natural", "area [hm2]": 300,
             "stock_volume [m3]": 30000},
        ]
        t["water_bodies"].append({"region_code": "990001", "year": y, "name": "甲水库", "kind": "reservoir",
                                  "total_storage [m3]": 1_000_000})
        for code in ("990001", "990002"):
            t["emissions"] += [{"region_code": code, "year": y, "pollutant": p, "amount [t]": a}
                               for p, a in (("so2", 2), ("cod", 10))]
            t["tourism"].append({"region_code": code, "year": y, "visits [visit]": 1000,
                                 "spending_per_visit [yuan/visit]": 300})
        t["products"].append({"region_code": "990001", "year": y, "sector": "agriculture", "product": "粮食",
                              "quantity": 10, "quantity_unit": "t", "price": 3000, "price_unit": "元/t",
                              "output_value [yuan]": ""})
        t["products"].append({"region_code": "990002", "year": y, "sector": "forestry", "product": "林业总产值",
                              "quantity": "", "quantity_unit": "", "price": "", "price_unit": "",
                              "output_value [yuan]": 50_000})
        t["water_supply"].append({"region_code": "990001", "year": y, "use": "domestic", "volume [m3]": 10_000,
                                  "price [yuan/m3]": 2})
        t["hydropower"].append({"region_code": "990001", "year": y, "station": "甲电站", "generation [kWh]": 1e6,
                                "price [yuan/kWh]": 0.3})
    return t


def supplied_tables() -> dict[str, list[dict]]:
    """The tiny inventory with supplied figures (service_quantities) beside its own tables: a component where its
    base is computed, a base with one supplied component, sand fixation without wind erosion, figures replacing
    a water_supply row and a hydropower station, and figures where the township has no row of the table."""
    t = tiny_tables()
    q = [  # region, year, service, indicator, ecosystem, quantity, unit
        ("990001", 2020, "soil_retention", "reduced_sedimentation", "forest", 10.03, "亿m³"),
        ("990002", 2020, "soil_retention", "soil_retained", "forest", 1, "万t"),
        ("990002", 2020, "soil_retention", "reduced_nitrogen_loss", "forest", 5, "t"),
        ("990001", 2020, "sand_fixation", "sand_fixed", "forest", 1000, "t"),
        ("990001", 2021, "sand_fixation", "desertification_avoided", "forest", 500, "m2"),
        ("990002", 2020, "sand_fixation", "sand_fixed", "grassland", 1000, "t"),
        ("990002", 2020, "sand_fixation", "desertification_avoided", "grassland", 300, "m2"),
        ("990001", 2021, "water_supply", "domestic", "all", 2, "万m³"),
        ("990001", 2021, "hydropower", "generation", "all", 200, "万kWh"),
        ("990002", 2020, "hydropower", "generation", "all", 50, "万kWh"),
        ("990002", 2020, "flood_regulation", "lake_storage", "wetland_lake", 1, "万m³"),
        ("990002", 2020, "flood_regulation", "swamp_storage", "wetland_swamp", 5000, "m3"),
        ("990001", 2020, "air_purification", "nox", "all", 3, "t"),
        ("990002", 2020, "pest_control", "natural_area", "grassland", 30, "hm2"),
    ]
    columns = ("region_code", "year", "service", "indicator", "ecosystem", "quantity", "unit")
    t["service_quantities"] = [dict(zip(columns, r, strict=True)) for r in q]
    return t


def write_tables(folder: Path, tables: dict[str, list[dict]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        if not rows:
            continue
        headers = list(dict.fromkeys(k for r in rows for k in r))
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=headers)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def write_register(path, *rows):
    """A user register of ``rows`` (key, value, unit, price_year, price_index, ecosystem, region, source[, year])."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["key", "value", "unit", "price_year", "price_index", "ecosystem", "region", "source", "clause",
                    "status", "note", "year"])
        w.writerows([*r[:8], "", "unverified", "", *r[8:]] for r in rows)
    return path


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_tables(tmp_path / "tiny", tiny_tables())


def refused(capsys, argv: list, *said: str, out: Path | None = None) -> str:
    """Run ``gep argv`` in this process; it must refuse cleanly — exit 1 (not 70, a fault in gep), no traceback,
    no staging path in the message — saying each of ``said``, and publish nothing at ``out``."""
    from gep.cli import main
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err and ".partial-" not in err, err
    for text in said:
        assert text in err, f"{text!r} not in: {err}"
    if out is not None:
        assert not out.exists()
        assert not list(out.parent.glob(f".{out.name}.partial-*"))
    return err


class HtmlAnchors(HTMLParser):
    """The ids and the links of an HTML page."""

    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
