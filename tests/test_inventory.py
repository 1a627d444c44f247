"""gep validate / load_inventory: malformed inventories get one clear report naming file, row, column."""
from __future__ import annotations

import pandas as pd
import pytest

from gep.cli import main
from gep.inventory import InventoryError, load_inventory, read_inventory

from conftest import CHENGKOU, tiny_tables, write_tables


def problems_of(tmp_path, tables) -> list[str]:
    inventory, problems = read_inventory(write_tables(tmp_path / "bad", tables))
    assert inventory is None
    return [str(p) for p in problems if p.severity == "error"]


def test_tiny_inventory_is_valid_and_converted_to_canonical_units(tiny):
    inventory = load_inventory(tiny)
    regions = inventory.table("regions").set_index("code")
    assert regions.loc["990001", "land_area"] == 200.0  # hm² as written
    assert inventory.years == [2020, 2021]


def test_wrong_unit_dimension_names_file_row_column(tmp_path):
    t = tiny_tables()
    for row in t["extent"]:
        row["area [kg]"] = row.pop("area [hm2]")
    errors = problems_of(tmp_path, t)
    assert any("extent.csv, row 1, column area [kg]" in e and "[mass]" in e and "hm2" in e for e in errors), errors


def test_missing_unit_is_an_error_that_says_how_to_fix_it(tmp_path):
    t = tiny_tables()
    for row in t["water_bodies"]:
        row["total_storage"] = row.pop("total_storage [m3]")
    errors = problems_of(tmp_path, t)
    assert any("water_bodies.csv" in e and "no unit" in e and "总库容 [m3]" in e for e in errors), errors


def test_unknown_unit(tmp_path):
    t = tiny_tables()
    for row in t["regions"]:
        row["land_area [furlong2x]"] = row.pop("land_area [hm2]")
    errors = problems_of(tmp_path, t)
    assert any("unknown unit 'furlong2x'" in e for e in errors), errors


def test_missing_required_column(tmp_path):
    t = tiny_tables()
    for row in t["extent"]:
        del row["ecosystem"]
    errors = problems_of(tmp_path, t)
    assert any("extent.csv" in e and "required column missing" in e and "生态系统类型" in e for e in errors), errors


def test_negative_area_names_its_row(tmp_path):
    t = tiny_tables()
    t["extent"][2]["area [hm2]"] = -5  # third data row = spreadsheet row 4
    errors = problems_of(tmp_path, t)
    assert any(e.startswith("extent.csv, row 4, column area") and "below the minimum" in e for e in errors), errors


def test_unknown_township_code(tmp_path):
    t = tiny_tables()
    t["tourism"][0]["region_code"] = "990099"
    errors = problems_of(tmp_path, t)
    assert any("tourism.csv, row 2, column region_code: unknown region code '990099'" in e for e in errors), errors


def test_forest_area_above_land_area(tmp_path):
    t = tiny_tables()
    t["forest"][0]["area [hm2]"] = 500  # 990001 has 200 hm² of land
    errors = problems_of(tmp_path, t)
    assert any("forest.csv" in e and "above its land area" in e for e in errors), errors


def test_ecosystem_areas_above_land_area(tmp_path):
    t = tiny_tables()
    t["extent"][0]["area [hm2]"] = 1000
    errors = problems_of(tmp_path, t)
    assert any("extent.csv" in e and "more than its land area" in e for e in errors), errors


def test_duplicate_rows(tmp_path):
    t = tiny_tables()
    t["emissions"].append(dict(t["emissions"][0]))
    errors = problems_of(tmp_path, t)
    n = len(t["emissions"]) + 1
    assert any(f"emissions.csv, row {n}" in e and "duplicate row" in e and "row 2" in e for e in errors), errors


def test_every_problem_is_reported_at_once(tmp_path):
    t = tiny_tables()
    t["extent"][0]["area [hm2]"] = "abc"
    t["tourism"][0]["region_code"] = "123"
    t["emissions"][0]["pollutant"] = "mercury"
    errors = problems_of(tmp_path, t)
    assert any("'abc' is not a number" in e for e in errors)
    assert any("unknown region code '123'" in e for e in errors)
    assert any("'mercury' is not one of" in e for e in errors)


def test_parent_and_child_rows_in_one_table_would_double_count(tmp_path):
    t = tiny_tables()
    t["tourism"].append({"region_code": "990000", "year": 2020, "visits [visit]": 5,
                         "spending_per_visit [yuan/visit]": 1})
    errors = problems_of(tmp_path, t)
    assert any("counted twice" in e for e in errors), errors


def test_a_village_and_its_county_in_one_table_name_the_first_row_and_nearest_ancestor(tmp_path):
    # 990009 is a village of 990001; the tourism table (rows sorted by region and year) gives the county
    # 990000 (rows 2-3), the township 990001 (rows 4-5) and the village (rows 8-9, after 990002). The
    # first clashing row of each year is the township's (its parent, the county, has rows that year);
    # the village's nearest ancestor with rows is its township.
    t = tiny_tables()
    t["regions"][1]["land_area [hm2]"] = 200
    t["regions"].append({"code": "990009", "name": "丙村", "parent_code": "990001", "level": "village",
                         "land_area [hm2]": 200})
    for y in (2020, 2021):
        t["tourism"].append({"region_code": "990000", "year": y, "visits [visit]": 5,
                             "spending_per_visit [yuan/visit]": 1})
        t["tourism"].append({"region_code": "990009", "year": y, "visits [visit]": 5,
                             "spending_per_visit [yuan/visit]": 1})
    t["tourism"].sort(key=lambda r: (r["region_code"], r["year"]))
    errors = [e for e in problems_of(tmp_path, t) if "counted twice" in e]
    assert errors == [
        f"tourism.csv, row {row}, column region_code: tourism has rows for both region 990001 and its parent "
        f"990000 in {y}: the parent's rows would be counted twice; give each figure at one level only"
        for row, y in ((4, 2020), (5, 2021))], errors


def test_a_region_cycle_and_an_unknown_parent_are_reported_on_their_rows(tmp_path):
    t = tiny_tables()
    t["regions"][1]["parent_code"] = "990002"  # 990001 → 990002 → 990001
    t["regions"][2]["parent_code"] = "990001"
    t["regions"].append({"code": "990003", "name": "丁乡", "parent_code": "999999", "level": "township",
                         "land_area [hm2]": 1})
    errors = problems_of(tmp_path, t)
    assert "regions.csv, row 3, column parent_code: region is its own ancestor" in errors
    assert "regions.csv, row 4, column parent_code: region is its own ancestor" in errors
    assert "regions.csv, row 5, column parent_code: parent '999999' is not a region of this inventory" in errors


def test_sub_region_land_areas_must_add_up(tmp_path):
    t = tiny_tables()
    t["regions"][0]["land_area [hm2]"] = 700  # children add up to 600
    errors = problems_of(tmp_path, t)
    assert any("regions.csv, row 2, column land_area" in e and "add up to 600.00" in e for e in errors), errors


def test_chinese_headers_and_labels_are_accepted(tmp_path):
    t = tiny_tables()
    t["extent"] = [{"区划代码": r["region_code"], "年份": r["year"], "生态系统类型": {"forest": "森林",
                    "wetland_reservoir": "水库坑塘", "grassland": "草地", "other": "其他"}[r["ecosystem"]],
                    "面积 [亩]": r["area [hm2]"] * 15} for r in t["extent"]]
    inventory = load_inventory(write_tables(tmp_path / "zh", t))
    extent = inventory.table("extent")
    forest = extent[(extent["region_code"] == "990001") & (extent["ecosystem"] == "forest")]
    assert forest["area"].tolist() == [100.0, 100.0]  # 1500 亩 = 100 hm² exactly


def test_xlsx_workbook_reads_like_the_csv_folder(tmp_path, tiny):
    book = tmp_path / "tiny.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        for f in sorted(tiny.glob("*.csv")):
            pd.read_csv(f, dtype=str, keep_default_na=False).to_excel(writer, sheet_name=f.stem, index=False)
    from_csv, from_xlsx = load_inventory(tiny), load_inventory(book)
    assert sorted(from_csv.tables) == sorted(from_xlsx.tables)
    for name in from_csv.tables:
        a = from_csv.tables[name].drop(columns=["input_file"])
        b = from_xlsx.tables[name].drop(columns=["input_file"])
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_load_raises_with_all_problems(tmp_path):
    t = tiny_tables()
    t["extent"][0]["area [hm2]"] = -1
    t["extent"][1]["area [hm2]"] = -2
    with pytest.raises(InventoryError) as info:
        load_inventory(write_tables(tmp_path / "bad", t))
    assert "2 problem(s)" in str(info.value)


def test_gep_validate_command(tmp_path, tiny, capsys):
    assert main(["validate", str(tiny)]) == 0
    assert "valid" in capsys.readouterr().out
    t = tiny_tables()
    t["extent"][0]["area [hm2]"] = -1
    assert main(["validate", str(write_tables(tmp_path / "bad", t))]) == 1
    out = capsys.readouterr().out
    assert "error: extent.csv, row 2, column area" in out


def test_bundled_chengkou_inventory_is_valid():
    inventory, problems = read_inventory(CHENGKOU)
    assert inventory is not None, [str(p) for p in problems]
    regions = inventory.table("regions")
    county = regions[regions["code"] == "500229"].iloc[0]
    # land area 3289.09 km² (factpedia, as of 2021; chengkou-data.md §1.1) = 328 909 hm²
    assert county["land_area"] == pytest.approx(328909.0, rel=1e-12)
    townships = regions[regions["parent_code"] == "500229"]
    assert len(townships) == 25 and townships["code"].str.len().eq(9).all()
    assert inventory.years == [2017, 2018, 2019, 2020, 2021]
    # every figure carries a status, and estimates are marked as such
    for name, table in inventory.tables.items():
        assert table["status"].isin(["observed", "estimated", "derived"]).all(), name


def test_chengkou_inventory_is_reproduced_by_its_derivation_script(tmp_path):
    """Every estimate in the bundled inventory is arithmetic in derive.py: rerunning it must give the
    committed CSVs byte for byte, so no figure was edited by hand."""
    import subprocess
    import sys
    subprocess.run([sys.executable, str(CHENGKOU / "derive.py"), str(tmp_path)], check=True, capture_output=True)
    committed = sorted(p.name for p in CHENGKOU.glob("*.csv"))
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (CHENGKOU / name).read_bytes(), name


def test_columns_in_wan_mu_and_yi_kwh_load_exactly(tmp_path):
    # Areas written in 万亩: 100 hm² = 1500 亩 = 0.15 万亩, read as 0.15 × 10⁴/15 = 0.15 × 2000/3 = 100 hm²
    # (the factor's 10³ moves the decimal point of the text, "0.15e3" = 150, then 150 × 2 / 3 = 100; with the
    # float factor 666.666… it was 99.99999999999999). 300 hm² = 4500 亩 = 0.45 万亩; 20 hm² = 300 亩 = 0.03 万亩;
    # 30 hm² = 0.045 万亩; 990002's other land, 100 hm², is written "1.5e-1" (an exponent already: read as the
    # float 0.15, then × 2000 / 3 = 100). Hydropower 4.9 亿kWh = 490 000 000 kWh exactly (in floats 4.9 × 10⁸
    # is 490 000 000.00000006).
    t = tiny_tables()
    wan_mu = {100: "0.15", 300: "0.45", 20: "0.03", 30: "0.045", 50: "0.075"}
    for r in t["extent"]:
        area = r.pop("area [hm2]")
        other_990002 = r["region_code"] == "990002" and r["ecosystem"] == "other"
        r["area [万亩]"] = "1.5e-1" if other_990002 else wan_mu[area]
    for r in t["hydropower"]:
        r["generation [亿kWh]"] = "4.9"
        del r["generation [kWh]"]
    inventory = load_inventory(write_tables(tmp_path / "wan", t))
    extent = inventory.table("extent").set_index(["region_code", "year", "ecosystem"])["area"]
    assert extent[("990001", 2020, "forest")] == 100.0
    assert extent[("990002", 2020, "forest")] == 300.0
    assert extent[("990001", 2020, "wetland_reservoir")] == 20.0
    assert extent[("990001", 2020, "grassland")] == 30.0
    assert extent[("990001", 2020, "other")] == 50.0
    assert extent[("990002", 2021, "other")] == 100.0
    assert inventory.table("hydropower")["generation"].tolist() == [490_000_000.0, 490_000_000.0]


def test_cells_are_converted_from_their_decimal_text():
    # 万亩 → hm² is 10⁴/15 = 10³ × 2/3: "1.5" is read as "1.5e3" = 1500, × 2 / 3 = 1000 hm² (1.5 万亩 = 15 000 亩
    # = 15 000/15 hm²); "0.3" → 300 × 2 / 3 = 200 hm²; "1.5e0" already has an exponent: the float 1.5 × 2000 / 3
    # = 1000; an empty cell stays empty and "abc" is not a number (NaN; the loader reports it).
    from gep.inventory import _numbers_in
    got = _numbers_in(pd.Series(["1.5", "0.3", "1.5e0", "", "abc"]), "万亩", "hm2")
    assert got.tolist()[:3] == [1000.0, 200.0, 1000.0]
    assert got.isna().tolist() == [False, False, False, True, True]
