"""Any inventory gep validate accepts runs to completion, and the run says which services it computed, which it
skipped for lack of an input (naming the table and columns) and which do not apply: on the console, at the top
of the HTML report and in the workbook's 说明 sheet, in the run's language."""
from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from gep.accounting import account
from gep.catalogue import inventory_spec, services_spec
from gep.cli import main
from gep.coefficients import load_register
from gep.inventory import read_inventory
from gep.render import status_lines
from gep.render.excel import write_excel
from gep.render.html import render_html

from conftest import RUN_OUTPUTS, tiny_tables, write_tables

SERVICES = list(services_spec()["services"])


def required_only(folder, ecosystem="other"):
    """The required tables only: one county, 100 hm² of ``ecosystem`` in 2020."""
    return write_tables(folder, {
        "regions": [{"code": "990000", "name": "示例县", "parent_code": "", "level": "county", "land_area [hm2]": 100}],
        "extent": [{"region_code": "990000", "year": 2020, "ecosystem": ecosystem, "area [hm2]": 100}]})


def test_an_inventory_of_the_required_tables_only_runs_to_an_empty_account(tmp_path, capsys):
    folder = required_only(tmp_path / "inventory")
    assert main(["validate", str(folder)]) == 0
    out = tmp_path / "run"
    assert main(["run", str(folder), "--out", str(out)]) == 0
    console = capsys.readouterr().out.splitlines()
    # every output is written, the trace and formula workbook too, with zero GEP
    assert {p.name for p in out.iterdir()} == RUN_OUTPUTS | {"inputs"}
    assert [p.name for p in (out / "trace").iterdir()] == ["2020.html"]
    summary = pd.read_csv(out / "gep_summary.csv", dtype={"region_code": str})
    assert summary[["region_code", "year", "gep_yuan"]].values.tolist() == [["990000", 2020, 0.0]]
    assert len(pd.read_csv(out / "gep_services.csv")) == 0
    growth = pd.read_csv(out / "gep_growth.csv", dtype={"region_code": str})
    assert growth[["gep_current_yuan", "gep_constant_yuan"]].values.tolist() == [[0.0, 0.0]]
    # nothing applies: 100 hm² of other land, no other table; each service says what it applies to
    assert f"不适用（{len(SERVICES)}）：" in console
    assert "  水源涵养：清单无 extent 的面积（森林/灌丛/草地/园地/沼泽/湖泊/水库坑塘/河流）" in console
    assert "  洪水调蓄：清单无 water_bodies（水库湖泊），或 extent 的面积（沼泽）" in console
    assert "  生态能源(水电)：清单无 hydropower（水电）" in console
    assert main(["verify", str(out)]) == 0
    # in English, with one figure and a population; gep diff attributes each change alone to the empty account
    write_tables(folder, {"service_quantities": [{"region_code": "990000", "year": 2020, "service": "hydropower",
                                                  "indicator": "generation", "ecosystem": "all", "quantity": 1,
                                                  "unit": "万kWh"}],
                          "socioeconomic": [{"region_code": "990000", "year": 2020, "population [person]": 1000}]})
    capsys.readouterr()
    assert main(["run", str(folder), "--out", str(tmp_path / "en"), "--lang", "en"]) == 0
    console = capsys.readouterr().out.splitlines()
    assert "computed (1): Hydropower" in console and f"not applicable ({len(SERVICES) - 1}):" in console
    assert "  Water supply: the inventory has no rows in water_supply" in console
    assert main(["diff", str(out), str(tmp_path / "en")]) == 0
    diffed = capsys.readouterr().out.splitlines()
    assert "  [2] inputs/inventory/socioeconomic.csv added" in diffed and "      no figure of 990000 moved" in diffed


# A row of each table from its declared columns: a value of the column's type (a region of the inventory, the
# year 2020, the first word of a vocabulary, a quantity of 10 in the canonical unit, ½ for a fraction, a unit
# "1" — columns whose unit varies by row are left out); rows that need a consistent combination are written out.
ROWS = {
    "products": {"sector": "agriculture", "product": "粮食", "output_value [yuan]": 100},
    "targets": {"indicator": "forest_coverage", "value": 50, "unit": "%"},
    "changes": {"account": "extent", "item": "forest", "from_item": "grassland", "cause": "AFF_PLANT", "amount": 1,
                "unit": "hm2"},
    "service_quantities": {"service": "water_conservation", "indicator": "water_retained", "ecosystem": "forest",
                           "quantity": 1, "unit": "m3"},
}


def table_row(name: str, everything: bool) -> dict:
    row = {}
    for column, c in inventory_spec()["tables"][name]["columns"].items():
        if column in ("source", "note", "status") or not (everything or c.get("required")) or "unit_column" in c:
            continue
        header = f"{column} [{c['unit']}]" if "unit" in c else column
        row[header] = ("990000" if c.get("type") == "region" else 2020 if c.get("type") == "year"
                       else "forest" if c.get("vocabulary") == "ecosystem"
                       else next(iter(inventory_spec()["vocabularies"][c["vocabulary"]])) if c.get("type") == "enum"
                       else "1" if c.get("type") == "unit"
                       else 0.5 if "unit" in c and c.get("max") == 1 else 10 if "unit" in c else "x")
    return {**row, **ROWS.get(name, {})}


@pytest.mark.parametrize("everything", [False, True], ids=["required columns", "every column"])
@pytest.mark.parametrize("name", [t for t in inventory_spec()["tables"] if t not in ("regions", "extent")])
def test_every_table_alone_runs_to_completion(tmp_path, name, everything):
    # the required tables (100 hm² of forest) and one row of one other table: valid, and accounted
    folder = required_only(tmp_path / "inventory", "forest")
    write_tables(folder, {name: [table_row(name, everything)]})
    inventory, problems = read_inventory(folder)
    assert inventory is not None, [str(p) for p in problems]
    r = account(inventory, load_register())
    assert [s.service for s in r.service_status] == SERVICES
    assert math.isfinite(r.summary.set_index(["region_code", "year"]).loc[("990000", 2020), "gep_yuan"])
    assert r.services["value_yuan"].notna().all() and r.services["quantity"].notna().all()


def statuses(results) -> dict:
    return {s.service: s.status for s in results.service_status}


def test_the_tiny_inventory_lists_what_it_lacks(tiny, tmp_path):
    r = account(*read_inventory(tiny)[:1], load_register())
    # the tiny inventory (conftest.py) gives every table but landscape, products of agriculture and forestry only,
    # and no wind erosion
    expected = dict.fromkeys(SERVICES, "computed") | {"sand_fixation": "skipped", "landscape": "not_applicable",
                                                      "husbandry_products": "not_applicable",
                                                      "fishery_products": "not_applicable"}
    assert statuses(r) == expected
    sand = next(s for s in r.service_status if s.service == "sand_fixation")
    # its forest and grassland of 990001 and forest of 990002, in 2020 and 2021: 3 × 2 cases
    assert sand.cases_skipped == 6
    zh, en = status_lines(r.service_status, "zh"), status_lines(r.service_status, "en")
    assert zh[0].startswith(f"已核算（{len(SERVICES) - 4}）：农业产品、林业产品、水资源供给、")
    # flood regulation is computed for the reservoir, but the default method's vegetation storm-water term lacks
    # the storm rainfall the tiny climate table does not give: 990001 forest and grassland, 990002 forest, 2 years
    assert zh[1:] == ["  洪水调蓄：6 个区域-年份-生态系统缺少 climate 的暴雨降水量，未核算",
                      "未核算（1）：", "  防风固沙：缺少 conditions 的潜在风蚀模数/实际风蚀模数",
                      "不适用（3）：", "  畜牧业产品：清单无 products（农林牧渔产品）的牧业",
                      "  渔业产品：清单无 products（农林牧渔产品）的渔业", "  景观价值：清单无 landscape（景观价值）"]
    assert en[1:] == ["  Flood regulation: 6 region-year-ecosystem case(s) not computed, missing storm_precipitation "
                      "in climate", "skipped (1):", "  Sand fixation: missing potential_wind_erosion/actual_wind_erosion in conditions",
                      "not applicable (3):", "  Animal husbandry products: the inventory has no husbandry rows in products",
                      "  Fishery products: the inventory has no fishery rows in products",
                      "  Landscape value: the inventory has no rows in landscape"]
    # the report shows them at its top, the workbook on its 说明 sheet
    meta = {"service_status": r.service_status, "county_code": r.county_code}
    html = render_html(r.services, r.summary, r.coefficients, meta)
    assert html.index('id="service-status"') < html.index('id="headline"')
    assert ('<tr class="status-skipped"><td>防风固沙</td><td>未核算</td><td>缺少 conditions 的潜在风蚀模数/实际风蚀模数'
            '</td></tr>') in html
    about = openpyxl.load_workbook(write_excel(tmp_path / "w.xlsx", r.services, r.summary, r.coefficients, meta,
                                               lang="en"))["About"]
    rows = [tuple(c.value for c in row[:3]) for row in about.iter_rows()]
    assert ("Sand fixation", "skipped", "missing potential_wind_erosion/actual_wind_erosion in conditions") in rows
    assert ("Water conservation", "computed", None) in rows


def test_a_service_says_which_input_it_lacks(tmp_path):
    t = tiny_tables()
    for row in t["conditions"]:  # 990002's forest has no evapotranspiration in 2021
        if row["region_code"] == "990002" and row["year"] == 2021:
            row["evapotranspiration [mm/a]"] = ""
    r = account(*read_inventory(write_tables(tmp_path / "partly", t))[:1], load_register())
    assert statuses(r)["water_conservation"] == "computed"
    assert "  水源涵养：1 个区域-年份-生态系统缺少 conditions 的降水量/蒸散发量，未核算" in status_lines(r.service_status)
    for row in t["conditions"]:  # no evapotranspiration at all
        row["evapotranspiration [mm/a]"] = ""
    r = account(*read_inventory(write_tables(tmp_path / "none", t))[:1], load_register())
    assert statuses(r)["water_conservation"] == "skipped"
    assert "  水源涵养：缺少 conditions 的降水量/蒸散发量" in status_lines(r.service_status)
    assert "  Water conservation: missing precipitation/evapotranspiration in conditions" in \
        status_lines(r.service_status, "en")


def test_a_reservoir_without_its_storage_is_skipped_not_counted_as_zero(tmp_path):
    t = tiny_tables()
    for row in t["water_bodies"]:
        row["total_storage [m3]"] = ""
    r = account(*read_inventory(write_tables(tmp_path / "inventory", t))[:1], load_register())
    assert not (r.services["indicator"] == "reservoir_storage").any()
    assert statuses(r)["flood_regulation"] == "skipped"
    # (and the vegetation term lacks storm rainfall, as in the tiny inventory)
    assert "  洪水调蓄：缺少 water_bodies 的总库容，或 water_bodies 的防洪库容，或 water_bodies 的水面面积，" \
           "或 climate 的暴雨降水量" in \
        status_lines(r.service_status)
