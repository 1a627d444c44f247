"""Forest parcels (小班): per-parcel computation, sums into the region figures, per-parcel shares, checks.

Expected figures are computed by hand from the tiny inventory of conftest.py (township 990001: 100 hm² forest,
P 1000 mm, ET 500 mm, R 5000, K 0.03, LS 1, C 0.01, P 1, NPP 600 g C/m², 60 cooling days) and the default
register's forest coefficients: runoff coefficient α 3.52 % (龚诗涵 et al. 2017), NEP/NPP 0.25, O₂/CO₂ 32/44.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gep.accounting import Options, account
from gep.coefficients import load_register
from gep.inventory import InventoryError, load_inventory

from conftest import tiny_tables, write_tables

KEYS = ["region_code", "year", "service", "indicator", "ecosystem"]


def parcel_rows(years=(2020, 2021)) -> list[dict]:
    """990001's 100 hm² of forest as two parcels: A (80 hm², natural) with its own precipitation of 1200 mm,
    B (20 hm², planted) with no parameters of its own (it takes the township's conditions)."""
    rows = []
    for y in years:
        rows.append({"parcel_id": "A-01", "region_code": "990001", "year": y, "ecosystem": "forest",
                     "origin": "natural", "area [hm2]": 80, "precipitation [mm/a]": 1200})
        rows.append({"parcel_id": "B-02", "region_code": "990001", "year": y, "ecosystem": "forest",
                     "origin": "planted", "area [hm2]": 20, "precipitation [mm/a]": ""})
    return rows


def with_parcels(tmp_path, rows, name="inv", **extra):
    tables = tiny_tables()
    tables["parcels"] = rows
    tables.update(extra)
    return write_tables(tmp_path / name, tables)


def _results(folder, **options):
    return account(load_inventory(folder), load_register(), Options(**options))


def test_parcel_figures_by_hand(tmp_path):
    results = _results(with_parcels(tmp_path, parcel_rows()))
    s = results.services.set_index(KEYS)
    f = ("990001", 2020)
    water = s.loc[(*f, "water_conservation", "water_retained", "forest")]
    assert water["path"] == "parcels"
    # A: (1200 − 0.0352 × 1200 − 500) mm × 80 hm² × 10 m³/(mm·hm²) = 526 208 m³
    # B: (1000 − 0.0352 × 1000 − 500) mm × 20 hm² × 10 = 92 960 m³
    assert water["quantity"] == pytest.approx(526_208 + 92_960, rel=1e-12)
    # soil and carbon: both parcels take the township's parameters, so the township's tabular figures:
    # 5000 × 0.03 × 1 × (1 − 0.01) t/hm² × 100 hm²; 0.25 × 600 g C/m² × 100 hm² × 0.01 × 44/12
    assert s.loc[(*f, "soil_retention", "soil_retained", "forest"), "quantity"] == pytest.approx(14_850, rel=1e-12)
    assert s.loc[(*f, "carbon_sequestration", "co2_fixed", "forest"), "quantity"] == pytest.approx(550, rel=1e-12)
    o2 = s.loc[(*f, "oxygen_release", "o2_released", "forest")]
    assert o2["quantity"] == pytest.approx(400, rel=1e-12) and o2["path"] == "parcels"
    # pest control: only the natural parcel A counts (80 hm²)
    assert s.loc[(*f, "pest_control", "natural_area", "forest"), "quantity"] == pytest.approx(80, rel=1e-12)
    # 990002 has no parcels: its figures stay tabular, and the county adds both townships
    assert s.loc[("990002", 2020, "water_conservation", "water_retained", "forest"), "path"] == "computed"
    county = s.loc[("990000", 2020, "water_conservation", "water_retained", "forest"), "quantity"]
    # 990002: (1000 − 35.2 − 500) mm × 300 hm² × 10
    assert county == pytest.approx(526_208 + 92_960 + 464.8 * 300 * 10, rel=1e-12)
    assert any("parcels: 4 parcel rows" in n for n in results.notes)


def test_each_parcel_gets_its_share_of_the_region_figures(tmp_path):
    results = _results(with_parcels(tmp_path, parcel_rows()))
    table = results.parcels.frame().set_index(["parcel_id", "year"])
    s = results.services.set_index(KEYS)
    region = s.loc[("990001", 2020, "water_conservation", "water_retained", "forest")]
    a, b = table.loc[("A-01", 2020)], table.loc[("B-02", 2020)]
    assert a["water_retained [m3]"] == pytest.approx(526_208, rel=1e-12)
    assert b["water_retained [m3]"] == pytest.approx(92_960, rel=1e-12)
    # values: the region's price per m³ applies to each parcel, so the parcels add up to the region
    assert a["water_retained value [yuan]"] + b["water_retained value [yuan]"] == pytest.approx(
        region["value_yuan"], rel=1e-12)
    assert a["water_retained value [yuan]"] == pytest.approx(region["value_yuan"] * 526_208 / 619_168, rel=1e-12)
    # components derived from soil retained: in proportion to each parcel's soil retained (80 : 20)
    sed = s.loc[("990001", 2020, "soil_retention", "reduced_sedimentation", "forest")]
    assert a["reduced_sedimentation [m3]"] == pytest.approx(0.8 * sed["quantity"], rel=1e-12)
    assert b["reduced_sedimentation value [yuan]"] == pytest.approx(0.2 * sed["value_yuan"], rel=1e-12)
    assert a["soil_retained [t]"] == pytest.approx(148.5 * 80, rel=1e-12)
    # the planted parcel is not naturally regulated
    assert a["natural_area [hm2]"] == 80 and np.isnan(b["natural_area [hm2]"])
    base = results.base_year
    assert f"co2_fixed value at {base} prices [yuan]" in table.columns


def test_uniform_parcels_give_the_tabular_figures(tmp_path):
    """Parcels with no parameters of their own, covering each township's forest, give the tabular path's
    figures: the shared case of the parcel, tabular (and gridded, tests/test_grid.py) paths."""
    rows = []
    for y in (2020, 2021):
        for code, parts in (("990001", (30, 50, 20)), ("990002", (100, 200))):
            rows += [{"parcel_id": f"{code}-{i}", "region_code": code, "year": y, "ecosystem": "forest",
                      # as the forest table: 990001 has 20 hm² of planted forest
                      "origin": "planted" if a == 20 else "natural", "area [hm2]": a} for i, a in enumerate(parts)]
    tab = _results(write_tables(tmp_path / "tab", tiny_tables())).services.set_index(KEYS)
    par = _results(with_parcels(tmp_path, rows)).services.set_index(KEYS)
    from_parcels = par[par["path"] == "parcels"]
    assert {k[2] for k in from_parcels.index} == {"water_conservation", "soil_retention", "carbon_sequestration",
                                                  "oxygen_release", "climate_regulation", "pest_control"}
    for key, row in from_parcels.iterrows():
        assert math.isclose(row["quantity"], tab.loc[key, "quantity"], rel_tol=1e-12), key
        assert math.isclose(row["value_yuan"], tab.loc[key, "value_yuan"], rel_tol=1e-12), key
    # and the county's GEP is the same
    summary = lambda s: s.set_index(["region_code", "year"])["gep_yuan"]  # noqa: E731
    assert np.allclose(summary(_results(with_parcels(tmp_path, rows, "again")).summary),
                       summary(_results(write_tables(tmp_path / "tab2", tiny_tables())).summary), rtol=1e-12)


def test_a_parameter_missing_everywhere_leaves_the_parcel_out_and_says_so(tmp_path):
    tables = tiny_tables()
    for row in tables["conditions"]:  # 990001's forest has no NPP, and parcel B none of its own
        if row["region_code"] == "990001" and row["ecosystem"] == "forest":
            row["npp [g C/(m2*a)]"] = ""
    tables["parcels"] = [dict(r, **{"npp [g C/(m2*a)]": 700 if r["parcel_id"] == "A-01" else ""})
                         for r in parcel_rows()]
    results = _results(write_tables(tmp_path / "inv", tables))
    s = results.services.set_index(KEYS)
    # only A: 0.25 × 700 × 80 × 0.01 × 44/12 t CO₂
    assert s.loc[("990001", 2020, "carbon_sequestration", "co2_fixed", "forest"), "quantity"] == pytest.approx(
        0.25 * 700 * 80 * 0.01 * 44 / 12, rel=1e-12)
    assert any("co2_fixed: 2 parcel(s) (40.00 hm²) left out" in n and "B-02" in n for n in results.notes)


def test_supplied_quantities_win_over_parcel_sums(tmp_path):
    supplied = [{"region_code": "990001", "year": 2020, "service": "water_conservation",
                 "indicator": "water_retained", "ecosystem": "forest", "quantity": 1, "unit": "万m3"}]
    results = _results(with_parcels(tmp_path, parcel_rows(), service_quantities=supplied))
    row = results.services.set_index(KEYS).loc[("990001", 2020, "water_conservation", "water_retained", "forest")]
    assert row["path"] == "supplied_quantity" and row["quantity"] == pytest.approx(10_000)
    table = results.parcels.frame().set_index(["parcel_id", "year"])
    # the region figure was not computed from parcels: the parcels have no share of it that year
    assert np.isnan(table.loc[("A-01", 2020), "water_retained [m3]"])
    assert table.loc[("A-01", 2021), "water_retained [m3]"] == pytest.approx(526_208, rel=1e-12)


def test_bad_parcel_rows_are_named_with_file_row_and_column(tmp_path):
    rows = parcel_rows(years=(2020,))
    rows[1]["region_code"] = "999999"
    rows.append(dict(rows[0]))  # a duplicate parcel and year
    with pytest.raises(InventoryError) as err:
        load_inventory(with_parcels(tmp_path, rows))
    text = str(err.value)
    assert "parcels.csv, row 3, column region_code: unknown region code '999999'" in text
    assert "parcels.csv, row 4, column parcel_id, year: duplicate row" in text
    no_unit = [{k.replace(" [hm2]", ""): v for k, v in r.items()} for r in parcel_rows()]
    with pytest.raises(InventoryError, match=r"parcels.csv, row 1, column area: no unit"):
        load_inventory(with_parcels(tmp_path, no_unit, "no-unit"))


def test_parcel_areas_that_differ_from_the_extent_table_are_warned(tmp_path):
    rows = [dict(r, **{"area [hm2]": 60}) if r["parcel_id"] == "A-01" else r for r in parcel_rows()]
    inventory = load_inventory(with_parcels(tmp_path, rows))
    warnings = [str(w) for w in inventory.warnings]
    assert "parcels.csv, row 2, column area: parcels summed into 990001 give 80.00 hm² of forest " \
        "in 2020, the extent table 100.00 hm²" in "\n".join(warnings)


def test_gep_run_writes_each_parcel_and_verify_recomputes_it(tmp_path):
    from gep.audit import verify
    from gep.jobs.run import run
    from gep.trace import check_trace
    out = run(with_parcels(tmp_path, parcel_rows()), tmp_path / "out").folder
    parcels = pd.read_csv(out / "gep_parcels.csv", dtype={"region_code": str})
    assert list(parcels["parcel_id"]) == ["A-01", "A-01", "B-02", "B-02"]
    assert parcels.loc[0, "water_retained [m3]"] == pytest.approx(526_208, rel=1e-12)
    trace = pd.read_csv(out / "gep_trace.csv.gz", dtype={"region_code": str})
    assert check_trace(trace) == []
    water = trace[(trace["region_code"] == "990001") & (trace["year"] == 2020)
                  & (trace["service"] == "water_conservation") & (trace["ecosystem"] == "forest")].set_index("symbol")
    assert water.loc["Q", "table"] == "parcels" and "sum over 2 parcels" in water.loc["Q", "source"]
    # the register row the parcel formula applied: α forest 3.52 % (龚诗涵 et al. 2017)
    assert water.loc["runoff_coefficient", "value"] == pytest.approx(0.0352)
    assert verify(out).ok
    # the workbook's 小班 sheet: each parcel row, values in 万元
    from openpyxl import load_workbook
    sheet = load_workbook(out / "gep_workbook.xlsx")["小班"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    header, first = rows[0], rows[1]
    assert header[:7] == ("小班号", "区划代码", "所属核算区域", "年份", "生态系统", "起源", "面积（公顷）")
    assert first[:7] == ("A-01", "990001", "990001", 2020, "森林", "天然", 80)
    at = header.index("水源涵养量 [m³]")
    assert first[at] == pytest.approx(526_208, rel=1e-12)
    assert first[at + 1] == pytest.approx(parcels.loc[0, "water_retained value [yuan]"] / 1e4, rel=1e-12)
    # gep explain --parcel: each argument with where it came from, and the parcel's share of the region figure
    from gep.explain import explain_parcel_text
    text = explain_parcel_text(out, "A-01", 2020)
    assert "precipitation 降水量 = 1,200 mm/a  [小班填报; parcels.csv 行 2, precipitation]" in text
    assert "evapotranspiration 蒸散发量 = 500 mm/a  [区域值（小班未填）; conditions.csv" in text
    assert "runoff_coefficient[forest] @ default.csv" in text
    assert "小班份额 84.986304%" in text  # 526 208 / 619 168 m³
    # a changed parcel is found, and the parcel figures that move are named
    pack_parcels = out / "inputs" / "inventory" / "parcels.csv"
    pack_parcels.write_text(pack_parcels.read_text(encoding="utf-8").replace("1200", "1300"), encoding="utf-8")
    report = verify(out)
    assert not report.ok
    assert any("gep_parcels.csv A-01/2020 water_retained [m3]" in line for line in report.lines)


def test_parcels_and_grid_cells_agree_on_a_shared_case(tmp_path):
    """Each forest cell of the tiny grid (1 hm², tests/gridkit.py) as a parcel, precipitation varying cell by
    cell: the parcel path and the gridded path give the same forest figures (the other layers equal the
    township conditions, which the parcels inherit)."""
    from gridkit import SHAPE, tiny_cells, tiny_layers, write_tiny_grid
    regions, classes = tiny_cells()
    layers = tiny_layers()
    layers["precipitation"] = 900.0 + np.arange(SHAPE[0] * SHAPE[1], dtype=float).reshape(SHAPE)  # mm, varying
    grid = write_tiny_grid(tmp_path / "grid", years=(2020,), layers=layers)
    rows = [{"parcel_id": f"cell-{i}", "region_code": str(regions.flat[i]), "year": 2020, "ecosystem": "forest",
             "origin": "natural", "area [hm2]": 1, "precipitation [mm/a]": layers["precipitation"].flat[i]}
            for i in np.flatnonzero(classes.ravel() == 1)]
    tables = tiny_tables()
    tables["parcels"] = rows
    tables["forest"] = [r for r in tables["forest"] if r["origin"] == "natural"]  # every forest cell natural
    for r in tables["forest"]:
        r["area [hm2]"] = 100 if r["region_code"] == "990001" else 300
    with_parcels_ = load_inventory(write_tables(tmp_path / "inv", tables))
    from_parcels = account(with_parcels_, load_register()).services.set_index(KEYS)
    from_parcels = from_parcels[(from_parcels["path"] == "parcels") & (from_parcels.index.get_level_values(1) == 2020)
                                & (from_parcels.index.get_level_values("service") != "pest_control")]
    del tables["parcels"]
    gridded = account(load_inventory(write_tables(tmp_path / "inv2", tables)), load_register(),
                      Options(grid=str(grid))).services.set_index(KEYS)
    assert len(from_parcels) == 3 * 8  # two townships and the county: water, soil × 4, CO₂, O₂, transpiration
    for key, row in from_parcels.iterrows():
        assert gridded.loc[key, "path"] == "gridded", key
        assert math.isclose(row["quantity"], gridded.loc[key, "quantity"], rel_tol=1e-9), key
        assert math.isclose(row["value_yuan"], gridded.loc[key, "value_yuan"], rel_tol=1e-9), key
    # where a run has both, the parcel sums win over the grid's
    both = account(with_parcels_, load_register(), Options(grid=str(grid))).services.set_index(KEYS)
    assert (both.loc[from_parcels.index, "path"] == "parcels").all()
    # by hand for 990001's forest: Σ over its 100 cells (indices 0–99) of (P_i − 0.0352 P_i − 500) × 1 hm² × 10
    p = 900.0 + np.arange(100)
    assert from_parcels.loc[("990001", 2020, "water_conservation", "water_retained", "forest"), "quantity"] == \
        pytest.approx(((p - 0.0352 * p - 500) * 10).sum(), rel=1e-12)


def _tables_with_village():
    tables = tiny_tables()
    tables["regions"].append({"code": "99000101", "name": "甲村", "parent_code": "990001", "level": "village",
                              "land_area [hm2]": 200})  # 990001's one village
    return tables


def test_parcels_coded_by_village_make_the_township_figure_the_extent_is_given_at(tmp_path):
    tables = _tables_with_village()
    tables["parcels"] = [dict(r, region_code="99000101") for r in parcel_rows()]
    results = _results(write_tables(tmp_path / "inv", tables))
    s = results.services.set_index(KEYS)
    township = s.loc[("990001", 2020, "water_conservation", "water_retained", "forest")]
    # the same two parcels as test_parcel_figures_by_hand, once: 526 208 + 92 960 m³ (not added to 464 800)
    assert township["path"] == "parcels" and township["quantity"] == pytest.approx(619_168, rel=1e-12)
    assert ("99000101", 2020, "water_conservation", "water_retained", "forest") not in s.index
    frame = results.parcels.frame()
    assert set(frame["region_code"]) == {"99000101"} and set(frame["figure_region_code"]) == {"990001"}


def test_parcels_above_the_level_of_the_extent_are_refused(tmp_path):
    tables = _tables_with_village()
    for row in tables["extent"]:  # 990001's ecosystems given by its village
        if row["region_code"] == "990001":
            row["region_code"] = "99000101"
    tables["parcels"] = parcel_rows()  # coded by the township
    with pytest.raises(InventoryError, match=r"parcels.csv, row 2, column region_code: parcels of 990001 \(forest, "
                                             r"2020\) lie above the level the extent table gives forest at"):
        load_inventory(write_tables(tmp_path / "inv", tables))


def test_parcels_of_a_year_without_extent_are_refused(tmp_path):
    with pytest.raises(InventoryError, match=r"parcels.csv, row \d+, column year: parcels of 2022, but the extent "
                                             r"table has no year 2022"):
        load_inventory(with_parcels(tmp_path, parcel_rows(years=(2020, 2022))))


def test_all_parcels_planted_means_no_natural_area(tmp_path):
    rows = [dict(r, origin="planted") for r in parcel_rows()]
    s = _results(with_parcels(tmp_path, rows)).services.set_index(KEYS)
    pest = s.loc[("990001", 2020, "pest_control", "natural_area", "forest")]
    # the parcels say none of 990001's forest is natural (the forest table's 80 hm² natural is not used)
    assert pest["path"] == "parcels" and pest["quantity"] == 0


def test_parcels_take_the_formula_their_region_gives_parameters_for(tmp_path):
    tables = tiny_tables()
    for row in tables["conditions"]:
        if row["region_code"] == "990001" and row["ecosystem"] == "forest":
            row["potential_erosion [t/(hm2*a)]"] = 200  # erosion moduli win over RUSLE, as in the calculators
            row["actual_erosion [t/(hm2*a)]"] = 10
            row["transpiration_heat [kJ/(m2*d)]"] = 4000  # a given transpiration heat wins over ET
    tables["parcels"] = [dict(r, **{"precipitation [mm/a]": ""}) for r in parcel_rows()]
    tables["parcels"][0]["rainfall_erosivity [MJ*mm/(hm2*h*a)]"] = 6000  # A-01 2020 gives its own R: RUSLE
    parcels = _results(write_tables(tmp_path / "par", tables)).services.set_index(KEYS)
    f = ("990001", 2020)
    # A (80 hm², own R 6000): 6000 × 0.03 × 1 × (1 − 0.01) × 80 = 14 256 t; B (20 hm²): (200 − 10) × 20 = 3 800 t
    assert parcels.loc[(*f, "soil_retention", "soil_retained", "forest"), "quantity"] == pytest.approx(
        14_256 + 3_800, rel=1e-12)
    # EPP 4000 kJ/(m²·d) × 100 hm² × 10⁴ m²/hm² × 60 d / 3600 / 3 (tabular formula, tests/test_accounting.py)
    assert parcels.loc[(*f, "climate_regulation", "transpiration_cooling", "forest"), "quantity"] == pytest.approx(
        4000 * 100 * 1e4 * 60 / 3600 / 3, rel=1e-12)
    del tables["parcels"]
    tabular = _results(write_tables(tmp_path / "tab", tables)).services.set_index(KEYS)
    assert parcels.loc[(*f, "climate_regulation", "transpiration_cooling", "forest"), "quantity"] == pytest.approx(
        tabular.loc[(*f, "climate_regulation", "transpiration_cooling", "forest"), "quantity"], rel=1e-12)


def test_a_water_parcel_is_computed_with_its_own_coefficients(tmp_path):
    rows = parcel_rows() + [{"parcel_id": "W-01", "region_code": "990001", "year": y, "ecosystem":
                             "wetland_reservoir", "area [hm2]": 20} for y in (2020, 2021)]
    s = _results(with_parcels(tmp_path, rows)).services.set_index(KEYS)
    evaporation = s.loc[("990001", 2020, "climate_regulation", "water_surface_evaporation", "wetland_reservoir")]
    # W = 800 mm × 20 hm² × 10 = 160 000 m³ × 60/365 cooling days × 1000 × 2450 / 3600 / 3 kWh (the default
    # method, as tests/test_grid.py)
    assert evaporation["path"] == "parcels"
    assert evaporation["quantity"] == pytest.approx(160_000 * 60 / 365 * 1000 * 2450 / 3600 / 3, rel=1e-12)


def test_a_trace_names_only_the_register_rows_its_parcels_used(tmp_path):
    tables = tiny_tables()
    for row in tables["conditions"]:
        if row["region_code"] == "990001" and row["ecosystem"] == "forest":
            row["runoff_coefficient [1]"] = 0.10  # 990001 gives α; 990002 takes the register's
    tables["parcels"] = [dict(r, **{"precipitation [mm/a]": ""}) for r in parcel_rows()] + [
        {"parcel_id": "C-03", "region_code": "990002", "year": y, "ecosystem": "forest", "origin": "natural",
         "area [hm2]": 300} for y in (2020, 2021)]
    results = _results(write_tables(tmp_path / "inv", tables))
    s = results.services.set_index(KEYS)
    # (1000 − 0.10 × 1000 − 500) mm × 100 hm² × 10
    assert s.loc[("990001", 2020, "water_conservation", "water_retained", "forest"), "quantity"] == pytest.approx(
        400_000, rel=1e-12)
    trace = results.trace
    water = trace[(trace["service"] == "water_conservation") & (trace["year"] == 2020)]
    assert "runoff_coefficient" not in set(water.loc[water["region_code"] == "990001", "symbol"])
    assert "runoff_coefficient" in set(water.loc[water["region_code"] == "990002", "symbol"])


def test_a_parcel_that_cannot_complete_rusle_takes_its_regions_erosion_moduli(tmp_path):
    from gep.explain import explain_parcel_text
    from gep.jobs.run import run
    tables = tiny_tables()
    for row in tables["conditions"]:
        if row["region_code"] == "990001" and row["ecosystem"] == "forest":
            row.update({"potential_erosion [t/(hm2*a)]": 200, "actual_erosion [t/(hm2*a)]": 10})
            for factor in ("rainfall_erosivity [MJ*mm/(hm2*h*a)]", "soil_erodibility [t*hm2*h/(hm2*MJ*mm)]",
                           "slope_length_steepness [1]", "cover_management [1]", "support_practice [1]"):
                row[factor] = ""  # the township gives moduli, no RUSLE factors
    tables["parcels"] = [dict(r, **{"slope_length_steepness [1]": 2 if r["parcel_id"] == "B-02" else ""})
                         for r in parcel_rows()]  # B gives its slope factor only
    out = run(write_tables(tmp_path / "inv", tables), tmp_path / "out").folder
    services = pd.read_csv(out / "gep_services.csv", dtype={"region_code": str}).set_index(KEYS)
    # both parcels: (200 − 10) t/hm² × (80 + 20) hm², as the township's tabular figure
    assert services.loc[("990001", 2020, "soil_retention", "soil_retained", "forest"), "quantity"] == pytest.approx(
        19_000, rel=1e-12)
    text = explain_parcel_text(out, "B-02", 2020)
    assert "Soil retained per cell from given erosion moduli" in text
    assert "potential_erosion 潜在土壤侵蚀模数 = 200 t/(hm²·a)  [区域值（小班未填）; conditions.csv" in text


def test_the_bundled_example_runs_with_chinese_headers_and_mu(tmp_path):
    from conftest import REPO
    results = _results(REPO / "inventories" / "example-parcels")
    table = results.parcels.frame().set_index(["parcel_id", "year"])
    # inventories/example-parcels/README.md: 1200 亩 = 80 hm², its own 1200 mm; C-03 4500 亩 = 300 hm²
    assert table.loc[("A-01", 2020), "area [hm2]"] == pytest.approx(80, rel=1e-12)
    assert table.loc[("A-01", 2020), "water_retained [m3]"] == pytest.approx(526_208, rel=1e-12)
    assert table.loc[("C-03", 2021), "water_retained [m3]"] == pytest.approx(1_394_400, rel=1e-12)
    assert np.isnan(table.loc[("B-02", 2020), "natural_area [hm2]"])  # 人工: planted


def test_the_garze_profile_computes_parcels_without_an_epp_row_for_garden(tmp_path):
    # the Garzê profile takes EPP from a table of forest, shrub and grassland (register transpiration_heat):
    # a garden parcel has none, so its transpiration cooling is left out — as the tabular path skips garden —
    # instead of the run failing; the forest parcels take 2837.27 kJ/(m²·d) over 60 days, ÷ 3600 ÷ r 3
    tables = tiny_tables()
    for row in tables["extent"]:  # 5 hm² of 990002's other land is a garden
        if row["region_code"] == "990002" and row["ecosystem"] == "other":
            row["area [hm2]"] = 95
    for y in (2020, 2021):
        tables["extent"].append({"region_code": "990002", "year": y, "ecosystem": "garden", "area [hm2]": 5})
        tables["conditions"].append({"region_code": "990002", "year": y, "ecosystem": "garden",
                                     "precipitation [mm/a]": 1000, "evapotranspiration [mm/a]": 500})
    tables["parcels"] = parcel_rows() + [{"parcel_id": "G-01", "region_code": "990002", "year": y,
                                          "ecosystem": "garden", "area [hm2]": 5} for y in (2020, 2021)]
    s = _results(write_tables(tmp_path / "inv", tables), method="garze-2017").services.set_index(KEYS)
    forest = s.loc[("990001", 2020, "climate_regulation", "transpiration_cooling", "forest")]
    assert forest["path"] == "parcels"
    assert forest["quantity"] == pytest.approx(2837.27 * 100 * 1e4 * 60 / 3600 / 3, rel=1e-12)
    assert ("990002", 2020, "climate_regulation", "transpiration_cooling", "garden") not in s.index or \
        s.loc[("990002", 2020, "climate_regulation", "transpiration_cooling", "garden"), "quantity"] == 0
