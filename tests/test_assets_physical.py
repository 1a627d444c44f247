"""Physical asset accounts: balance identities, causes, survey corrections, the change matrix; the
SEEALand extent account and change matrix (UN SEEA EA stylised example) reproduced."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gep.assets.physical import PhysicalAccountError, change_matrix, stock_account

SEEALAND = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "seealand"

# SEEALand ecosystem extent (ha), opening, from the spreadsheet's "Extent account" sheet (SEEA EA 2024,
# Annex I): Forest 40, Lake 30, Cropland 60, Urban areas 50, Wetland 20, Seagrass 50; in the period
# 2 ha of forest became cropland (managed) — "Change matrix" sheet: Forest → Cropland 2.
OPENING = pd.Series({"Forest": 40.0, "Lake": 30.0, "Cropland": 60.0, "Urban areas": 50.0, "Wetland": 20.0,
                     "Seagrass": 50.0})
CONVERSION = pd.DataFrame([{"item": "Cropland", "from_item": "Forest", "cause": "LANDUSE_CONV", "amount": 2.0}])


def test_seealand_extent_account():
    acc = stock_account("extent", "ha", OPENING, CONVERSION, conserve_total=True).table
    # published: managed expansion Cropland 2; managed reductions Forest 2; net change −2 / +2; closing
    # Forest 38, Lake 30, Cropland 62, Urban areas 50, Wetland 20, Seagrass 50, total 250
    assert acc.loc["additions:managed", "Cropland"] == 2 and acc.loc["additions", "TOTAL"] == 2
    assert acc.loc["reductions:managed", "Forest"] == 2 and acc.loc["reductions", "TOTAL"] == 2
    assert acc.loc["net_change"].to_dict() == {"Forest": -2, "Lake": 0, "Cropland": 2, "Urban areas": 0,
                                               "Wetland": 0, "Seagrass": 0, "TOTAL": 0}
    assert acc.loc["closing"].to_dict() == {"Forest": 38, "Lake": 30, "Cropland": 62, "Urban areas": 50,
                                            "Wetland": 20, "Seagrass": 50, "TOTAL": 250}


def test_seealand_change_matrix():
    m = change_matrix(OPENING, CONVERSION)
    # published: Forest row 38 to Forest, 2 to Cropland; every other type unchanged; closing row
    assert m.loc["Forest", "Forest"] == 38 and m.loc["Forest", "Cropland"] == 2
    assert m.loc["Cropland", "Cropland"] == 60 and m.loc["closing", "Cropland"] == 62
    assert m.loc["closing", "opening"] == 250


def test_seealand_fixture_when_present():
    if not (SEEALAND / "extent-account.csv").is_file():
        pytest.skip("../shared/fixtures/seealand is not on this machine")
    raw = pd.read_csv(SEEALAND / "extent-account.csv", header=None, dtype=str).fillna("")
    header = list(raw.iloc[1, 5:12])
    closing = raw[raw[1] == "Closing extent"].iloc[0, 5:12].astype(float)
    acc = stock_account("extent", "ha", OPENING, CONVERSION, conserve_total=True).table
    ours = acc.loc["closing"].rename({"Urban areas": "Urban areas"})
    for name, value in zip(header, closing):
        assert ours[name] == pytest.approx(value), name


def test_forest_account_by_cause_with_a_survey_correction():
    # a township's natural forest (hm²): opening 100; 封山育林 +10; 采伐 −3; 灾害 −1;
    # 调查更正 +1 (a revision, shown apart); closing observed 107 = 100 + 10 − 3 − 1 + 1
    changes = pd.DataFrame([
        {"item": "natural", "cause": "AFF_CLOSE", "amount": 10.0},
        {"item": "natural", "cause": "HARVEST", "amount": -3.0},
        {"item": "natural", "cause": "DISASTER", "amount": -1.0},
        {"item": "natural", "cause": "SURVEY_CORR", "amount": 1.0},
    ])
    acc = stock_account("forest_area", "hm²", pd.Series({"natural": 100.0}), changes,
                        closing=pd.Series({"natural": 107.0})).table
    assert acc.loc["additions:managed", "natural"] == 10
    assert acc.loc["reductions:managed", "natural"] == 3
    assert acc.loc["reductions:catastrophic", "natural"] == 1
    assert acc.loc["net_change", "natural"] == 6  # real change only
    assert acc.loc["survey_correction", "natural"] == 1


def test_a_broken_identity_names_account_item_and_gap():
    changes = pd.DataFrame([{"item": "natural", "cause": "AFF_PLANT", "amount": 10.0}])
    with pytest.raises(PhysicalAccountError, match=r"forest_area account, natural: .* \(gap \+1\.0000 hm²\)"):
        stock_account("forest_area", "hm²", pd.Series({"natural": 100.0}), changes,
                      closing=pd.Series({"natural": 111.0}))


def test_land_must_be_conserved():
    changes = pd.DataFrame([{"item": "forest", "cause": "AFF_PLANT", "amount": 5.0}])  # from nowhere
    with pytest.raises(PhysicalAccountError, match="net changes of all items add up to \\+5.0000 hm², not 0"):
        stock_account("extent", "hm²", pd.Series({"forest": 100.0, "other": 50.0}), changes, conserve_total=True)


def test_unknown_cause():
    with pytest.raises(PhysicalAccountError, match="unknown change cause"):
        stock_account("extent", "hm²", pd.Series({"forest": 1.0}),
                      pd.DataFrame([{"item": "forest", "cause": "MAGIC", "amount": 1.0}]))


def _tiny_with_afforestation(tmp_path, record_change: bool):
    from conftest import tiny_tables, write_tables
    t = tiny_tables()
    for r in t["extent"]:  # 990001 in 2021: 10 hm² of 'other' land afforested
        if (r["region_code"], r["year"]) == ("990001", 2021):
            if r["ecosystem"] == "forest":
                r["area [hm2]"] = 110
            if r["ecosystem"] == "other":
                r["area [hm2]"] = 40
    for r in t["forest"]:
        if (r["region_code"], r["year"], r["origin"]) == ("990001", 2021, "planted"):
            r["area [hm2]"] = 30
    if record_change:
        t["changes"] = [
            {"region_code": "990001", "year": 2021, "account": "extent", "item": "forest", "from_item": "other",
             "cause": "人工造林", "amount": 150, "unit": "亩"},   # 150 亩 = 10 hm²
            {"region_code": "990001", "year": 2021, "account": "forest_area", "item": "planted", "from_item": "",
             "cause": "AFF_PLANT", "amount": 10, "unit": "hm2"},
        ]
    return write_tables(tmp_path / "inv", t)


def test_accounts_from_an_inventory(tmp_path):
    from gep.assets.physical import inventory_accounts
    from gep.inventory import load_inventory
    accounts = inventory_accounts(load_inventory(_tiny_with_afforestation(tmp_path, True)), "990000", 2020, 2021)
    extent = accounts["extent"].table
    # the county: forest 400 → 410 hm² by managed expansion (afforestation), other 150 → 140
    assert extent.loc["opening", "forest"] == 400 and extent.loc["closing", "forest"] == 410
    assert extent.loc["additions:managed", "forest"] == 10 and extent.loc["reductions:managed", "other"] == 10
    assert extent.loc["net_change", "TOTAL"] == 0
    forest = accounts["forest_area"].table
    assert forest.loc["additions:managed", "planted"] == 10 and forest.loc["closing", "TOTAL"] == 410
    assert "forest_stock" in accounts and accounts["forest_stock"].table.loc["net_change", "TOTAL"] == 0


def test_an_unexplained_stock_change_is_an_error(tmp_path):
    from gep.assets.physical import inventory_accounts
    from gep.inventory import load_inventory
    with pytest.raises(PhysicalAccountError, match=r"extent account, forest: .*\(gap \+10\.0000 hm²\)"):
        inventory_accounts(load_inventory(_tiny_with_afforestation(tmp_path, False)), "990000", 2020, 2021)


def test_chengkou_physical_accounts_balance_over_the_term():
    from conftest import CHENGKOU
    from gep.assets.physical import inventory_accounts
    from gep.inventory import load_inventory
    acc = inventory_accounts(load_inventory(CHENGKOU), "500229", 2017, 2021)
    extent = acc["extent"].table
    # forest 337万亩 (2017) → 359万亩 (2021), both observed (香港商报 2022-07-02): 1 万亩 = 10 000/15 hm²
    assert extent.loc["opening", "forest"] == pytest.approx(3_370_000 / 15, abs=1e-3)
    assert extent.loc["closing", "forest"] == pytest.approx(3_590_000 / 15, abs=1e-3)
    # land conserved: 3289.09 km² = 328 909 hm² at both ends, net changes and corrections add up to 0
    assert extent.loc["opening", "TOTAL"] == pytest.approx(328_909) and extent.loc["closing", "TOTAL"] == pytest.approx(328_909)
    # the 2018 rebaselining is a survey correction, not a loss: no reduction of forest is recorded
    assert extent.loc["reductions", "forest"] == pytest.approx(0, abs=1e-9)
    assert extent.loc["survey_correction", "forest"] < 0
    assert acc["forest_area"].table.loc["opening", "natural"] == acc["forest_area"].table.loc["closing", "natural"]


def _tiny_with_water(tmp_path, reservoir_2021: str):
    """The tiny inventory with a water account for 甲镇 (990001), 2020 → 2021 (figures made up for the test):
    reservoir stock 1.00亿m³ at the end of 2020; in 2021 the river channel forms 5000万m³ from precipitation,
    passes 300万m³ to the reservoir, gives 200万m³ to abstraction and lets 4500万m³ flow out (its stock is
    unchanged: 5000 − 300 − 200 − 4500 = 0); the reservoir evaporates 100万m³, so it closes at
    1.00亿 + 300万 − 100万 = 1.02亿m³."""
    from conftest import tiny_tables, write_tables
    t = tiny_tables()
    t["water_resources"] = [
        {"region_code": "990001", "year": 2020, "item": "水库", "volume [亿m³]": "1.00"},
        {"region_code": "990001", "year": 2021, "item": "reservoir", "volume [亿m³]": reservoir_2021},
    ]
    t["changes"] = [
        {"region_code": "990001", "year": 2021, "account": "水资源", "item": "河道", "from_item": "",
         "cause": "降水形成", "amount": 5000, "unit": "万m³"},
        {"region_code": "990001", "year": 2021, "account": "water", "item": "reservoir", "from_item": "river",
         "cause": "INFLOW", "amount": 300, "unit": "万m³"},
        {"region_code": "990001", "year": 2021, "account": "water", "item": "river", "from_item": "",
         "cause": "ABSTRACTION", "amount": -200, "unit": "万m³"},
        {"region_code": "990001", "year": 2021, "account": "water", "item": "river", "from_item": "",
         "cause": "OUTFLOW", "amount": -4500, "unit": "万m³"},
        {"region_code": "990001", "year": 2021, "account": "water", "item": "reservoir", "from_item": "",
         "cause": "EVAPORATION", "amount": -100, "unit": "万m³"},
    ]
    return write_tables(tmp_path / "inv", t)


def test_water_account_by_resource_and_cause(tmp_path):
    from gep.assets.physical import inventory_accounts
    from gep.inventory import load_inventory
    acc = inventory_accounts(load_inventory(_tiny_with_water(tmp_path, "1.02")), "990000", 2020, 2021)["water"]
    t = acc.table  # m³
    assert t.loc["opening", "reservoir"] == pytest.approx(1.00e8) and t.loc["closing", "reservoir"] == pytest.approx(1.02e8)
    # reservoir: +300万 from the river (an inflow), −100万 evaporated; river: +5000万 formed, −300万 to the
    # reservoir, −200万 abstracted (managed), −4500万 out
    assert t.loc["additions:unmanaged", "reservoir"] == pytest.approx(3e6)
    assert t.loc["reductions:unmanaged", "reservoir"] == pytest.approx(1e6)
    assert t.loc["additions", "river"] == pytest.approx(5e7)
    assert t.loc["reductions:managed", "river"] == pytest.approx(2e6)
    assert t.loc["reductions", "river"] == pytest.approx(5e7)
    assert t.loc["net_change", "TOTAL"] == pytest.approx(2e6)
    by = acc.by_cause
    assert by.loc["OUTFLOW", "river"] == pytest.approx(-4.5e7) and by.loc["PRECIPITATION", "river"] == pytest.approx(5e7)


def test_an_unbalanced_water_account_names_the_gap(tmp_path):
    from gep.assets.physical import inventory_accounts
    from gep.inventory import load_inventory
    # closing 1.03亿 instead of the 1.02亿 the flows explain: a gap of +100万m³
    with pytest.raises(PhysicalAccountError, match=r"water account, reservoir: .*gap \+1,000,000\.0000 m³"):
        inventory_accounts(load_inventory(_tiny_with_water(tmp_path, "1.03")), "990000", 2020, 2021)


def test_wetland_account_is_the_wetland_part_of_the_extent_account():
    from gep.assets.physical import wetland_account
    # extent (hm²): reservoir 20, river 30, forest 100; in the period 5 hm² of forest is flooded by the
    # reservoir (a conversion into wetland: an addition), 2 hm² of river becomes reservoir (within wetland),
    # 1 hm² of river is built over (a reduction)
    opening = pd.Series({"wetland_reservoir": 20.0, "wetland_river": 30.0, "forest": 100.0, "urban": 10.0})
    changes = pd.DataFrame([
        {"item": "wetland_reservoir", "from_item": "forest", "cause": "LANDUSE_CONV", "amount": 5.0},
        {"item": "wetland_reservoir", "from_item": "wetland_river", "cause": "RECLASS", "amount": 2.0},
        {"item": "urban", "from_item": "wetland_river", "cause": "LANDUSE_CONV", "amount": 1.0},
    ])
    extent = stock_account("extent", "hm²", opening, changes, conserve_total=True)
    wet = wetland_account(extent, changes).table
    assert list(wet.columns) == ["wetland_reservoir", "wetland_river", "TOTAL"]
    # reservoir 20 + 5 + 2 = 27; river 30 − 2 − 1 = 27; wetland total 50 → 54 (+5 −1)
    assert wet.loc["closing", "wetland_reservoir"] == 27 and wet.loc["closing", "wetland_river"] == 27
    assert wet.loc["additions:managed", "TOTAL"] == 5 and wet.loc["reductions:managed", "TOTAL"] == 1
    assert wet.loc["additions:reclassification", "wetland_reservoir"] == 2
    assert wet.loc["reductions:reclassification", "wetland_river"] == 2


def test_chengkou_water_account_matches_the_derived_county_water_resources():
    from conftest import CHENGKOU
    from gep.assets.physical import inventory_accounts
    from gep.inventory import load_inventory
    acc = inventory_accounts(load_inventory(CHENGKOU), "500229", 2020, 2021)
    water = acc["water"].table
    # chengkou-data.md §1.4 (DERIVED): 任河 63.4 m³/s over 2360.74 km² = 847 mm/a of runoff; over the county's
    # 3289 km² that is ≈ 27.9亿m³/a of water formed from precipitation in one year (2021)
    assert water.loc["additions:unmanaged", "river"] == pytest.approx(27.9e8, rel=2e-3)
    # 巴山 reservoir: total storage 3.154亿m³ used as its stock (estimate), unchanged
    assert water.loc["opening", "reservoir"] == pytest.approx(3.154e8) and water.loc["net_change", "TOTAL"] == 0
    # wetland 4140 hm² in both years (derive.py: just above the plan's 6.2万亩 = 4133.33 hm² floor)
    assert acc["wetland"].table.loc["closing", "TOTAL"] == pytest.approx(4140)


@pytest.mark.filterwarnings("error")
def test_change_matrix_of_changes_without_conversions():
    """A slice of a changes table (its row labels not from 0, as after selecting a region) without a from_item
    column: no conversion, so the matrix is the opening on its diagonal (forest 100, other 50 hm²), and no
    warning about realigning the rows."""
    changes = pd.DataFrame([{"item": "forest", "cause": "NAT_GROWTH", "amount": 5.0},
                            {"item": "other", "cause": "NAT_LOSS", "amount": -5.0}], index=[7, 9])
    m = change_matrix(pd.Series({"forest": 100.0, "other": 50.0}), changes)
    assert m.loc["forest", "forest"] == 100 and m.loc["other", "other"] == 50
    assert m.loc["forest", "other"] == 0 and m.loc["other", "forest"] == 0
    assert m.loc["closing", "opening"] == 150


def test_change_matrix_skips_rows_with_an_empty_from_item():
    # 3 hm² other → forest (a conversion) beside a change with from_item empty or missing, which is not one:
    # forest 100 → 100 on the diagonal, 3 from other, other 50 − 3 = 47 unchanged
    changes = pd.DataFrame([{"item": "forest", "from_item": "other", "cause": "AFF_PLANT", "amount": 3.0},
                            {"item": "forest", "from_item": "", "cause": "NAT_GROWTH", "amount": 2.0},
                            {"item": "other", "from_item": None, "cause": "NAT_LOSS", "amount": -2.0}])
    m = change_matrix(pd.Series({"forest": 100.0, "other": 50.0}), changes)
    assert list(m.index) == ["forest", "other", "closing"] and list(m.columns) == ["forest", "other", "opening"]
    assert m.loc["other", "forest"] == 3 and m.loc["other", "other"] == 47 and m.loc["forest", "forest"] == 100
    assert m.loc["closing", "forest"] == 103 and m.loc["closing", "other"] == 47


def test_an_item_missing_from_the_closing_stock_is_zero():
    # all 10 hm² of a grassland turned to forest: the closing stock lists no grassland, which is 0 hm², not unknown
    changes = pd.DataFrame([{"item": "forest", "from_item": "grassland", "cause": "AFF_PLANT", "amount": 10.0}])
    acc = stock_account("extent", "hm²", pd.Series({"forest": 100.0, "grassland": 10.0}), changes,
                        closing=pd.Series({"forest": 110.0})).table
    assert acc.loc["closing", "grassland"] == 0 and acc.loc["closing", "TOTAL"] == 110
    # and without the change, the grassland's disappearance is a gap: 10 + 0 = 10 ≠ 0
    with pytest.raises(PhysicalAccountError, match=r"extent account, grassland: .* closing stock is 0\.0000 hm² "
                                                   r"\(gap -10\.0000 hm²\)"):
        stock_account("extent", "hm²", pd.Series({"forest": 100.0, "grassland": 10.0}), changes.iloc[:0],
                      closing=pd.Series({"forest": 100.0}))


def test_a_wetland_account_checks_its_own_balance():
    """The extent account records 5 hm² of other land flooded into the reservoir (20 → 25 hm²); the wetland
    account built from changes that leave that conversion out cannot explain the reservoir's 5 hm²."""
    from gep.assets.physical import wetland_account
    changes = pd.DataFrame([{"item": "wetland_reservoir", "from_item": "other", "cause": "LANDUSE_CONV",
                             "amount": 5.0}])
    extent = stock_account("extent", "hm²", pd.Series({"wetland_reservoir": 20.0, "other": 50.0}), changes,
                           closing=pd.Series({"wetland_reservoir": 25.0, "other": 45.0}), conserve_total=True)
    wet = wetland_account(extent, changes).table
    # from another type: an addition to the wetland stock (20 + 5 = 25)
    assert wet.loc["additions:managed", "wetland_reservoir"] == 5 and wet.loc["closing", "TOTAL"] == 25
    with pytest.raises(PhysicalAccountError, match=r"wetland account, wetland_reservoir: .* \(gap \+5\.0000 hm²\)"):
        wetland_account(extent, changes.iloc[:0])


def test_a_broken_identity_message_in_full_and_the_count_of_other_items():
    # natural: 100 + 10 = 110 but 111 observed: gap +1; nothing else is off, so nothing more is said
    changes = pd.DataFrame([{"item": "natural", "cause": "AFF_PLANT", "amount": 10.0}])
    with pytest.raises(PhysicalAccountError) as err:
        stock_account("forest_area", "hm²", pd.Series({"natural": 100.0}), changes,
                      closing=pd.Series({"natural": 111.0}))
    assert str(err.value) == ("forest_area account, natural: opening 100.0000 + changes 10.0000 + corrections "
                              "0.0000 = 110.0000, but the closing stock is 111.0000 hm² (gap +1.0000 hm²)")
    # three items off (natural +1, planted −2, shrub +3): the first is described, the other two counted
    with pytest.raises(PhysicalAccountError) as err:
        stock_account("forest_area", "hm²", pd.Series({"natural": 100.0, "planted": 20.0, "shrub": 5.0}),
                      changes, closing=pd.Series({"natural": 111.0, "planted": 18.0, "shrub": 8.0}))
    assert str(err.value).endswith("(gap +1.0000 hm²); 2 more item(s) do not balance")


def test_changes_by_cause_are_zero_where_a_cause_does_not_touch_an_item():
    # 封山育林 +10 hm² of natural forest, 采伐 −3 hm² of planted forest: no harvest of natural forest (0, not
    # missing), no closure of planted forest
    changes = pd.DataFrame([{"item": "natural", "cause": "AFF_CLOSE", "amount": 10.0},
                            {"item": "planted", "cause": "HARVEST", "amount": -3.0}])
    by = stock_account("forest_area", "hm²", pd.Series({"natural": 100.0, "planted": 20.0}), changes).by_cause
    assert by.loc["AFF_CLOSE", "natural"] == 10 and by.loc["HARVEST", "planted"] == -3
    assert by.loc["HARVEST", "natural"] == 0 and by.loc["AFF_CLOSE", "planted"] == 0


def test_inventory_changes_without_a_conversion_have_no_from_item(tmp_path):
    # the forest-area row of the afforestation has an empty from_item: kept as missing (no conversion), the
    # extent row's from_item "other" kept
    from gep.assets.physical import inventory_accounts
    from gep.inventory import load_inventory
    acc = inventory_accounts(load_inventory(_tiny_with_afforestation(tmp_path, True)), "990000", 2020, 2021)
    assert acc["forest_area"].changes["from_item"].isna().all()
    assert list(acc["extent"].changes["from_item"]) == ["other"]


def test_inventory_stocks_balance_to_a_millionth(tmp_path):
    """乙乡's natural forest stock 30 000 m³ in 2020 and 30 000.001 m³ in 2021 without a recorded change: a gap of
    0.001 m³, 3.3e-8 of the opening stock, within the inventory accounts' tolerance of 1e-6 (30 000 × 1e-6 = 0.03
    m³); the observed closing stock 8 000 + 30 000.001 = 38 000.001 m³ is kept."""
    from conftest import tiny_tables, write_tables
    from gep.assets.physical import inventory_accounts
    from gep.inventory import load_inventory
    t = tiny_tables()
    for r in t["forest"]:
        if (r["region_code"], r["year"]) == ("990002", 2021):
            r["stock_volume [m3]"] = 30_000.001
    acc = inventory_accounts(load_inventory(write_tables(tmp_path / "inv", t)), "990000", 2020, 2021)
    assert acc["forest_stock"].table.loc["closing", "natural"] == pytest.approx(38_000.001, rel=1e-12)
