"""Liabilities: shortfalls against binding targets, restoration owed, depletion above a limit."""
from __future__ import annotations

import numpy as np
import pytest

from gep.assets.liabilities import liabilities
from gep.coefficients import load_register
from gep.inventory import load_inventory

from conftest import CHENGKOU, tiny_tables, write_tables


def _tiny(tmp_path, targets, changes=(), supply_volume=None):
    t = tiny_tables()
    t["targets"] = list(targets)
    if changes:
        t["changes"] = list(changes)
    if supply_volume is not None:
        for r in t["water_supply"]:
            r["volume [m3]"] = supply_volume
    return load_inventory(write_tables(tmp_path / "inv", t))


def test_coverage_shortfall_valued_at_the_indicator_price(tmp_path):
    # county 990000: forest 400 of 600 hm² = 66.67 % in 2021; target 70 % for 2021 (binding):
    # shortfall 3.333… points × 600 hm² / 100 = 20 hm² = 300 亩 × 2500 元/亩 (Chongqing deals) = 750 000 元
    inv = _tiny(tmp_path, [{"region_code": "990000", "year": 2021, "indicator": "forest_coverage", "value": 70,
                            "unit": "%", "source": "test plan"}])
    lia = liabilities(inv, load_register(), "990000", 2020, 2021)
    row = lia.iloc[0]
    assert row.liability == "target_shortfall" and bool(row.binding)
    assert row.quantity == pytest.approx(20.0) and row.value_yuan == pytest.approx(750_000)
    assert row.threshold_source == "test plan" and "not met" in row.note


def test_a_later_target_is_a_distance_not_a_liability(tmp_path):
    inv = _tiny(tmp_path, [{"region_code": "990000", "year": 2025, "indicator": "forest_coverage", "value": 70,
                            "unit": "%"}])
    row = liabilities(inv, load_register(), "990000", 2020, 2021).iloc[0]
    assert not bool(row.binding) and row.value_yuan == 0 and row.quantity == pytest.approx(20.0)


def test_a_met_target_owes_nothing_and_an_uncosted_one_is_physical_only(tmp_path):
    inv = _tiny(tmp_path, [
        {"region_code": "990000", "year": 2021, "indicator": "forest_coverage", "value": 60, "unit": "%"},
        {"region_code": "990000", "year": 2021, "indicator": "wetland_area", "value": 30, "unit": "hm2"}])
    lia = liabilities(inv, load_register(), "990000", 2020, 2021).set_index("indicator")
    assert lia.loc["forest_coverage", "value_yuan"] == 0 and "met at the end of 2021" in lia.loc["forest_coverage", "note"]
    # wetland 20 hm² (the reservoir) against 30: 10 hm² short; no wetland restoration cost in the register
    assert lia.loc["wetland_area", "quantity"] == pytest.approx(10.0)
    assert np.isnan(lia.loc["wetland_area", "value_yuan"]) and "physical liability only" in lia.loc["wetland_area", "note"]


def test_restoration_owed_and_water_use_above_its_cap(tmp_path):
    changes = [{"region_code": "990001", "year": 2021, "account": "forest_area", "item": "natural",
                "cause": "ILLEGAL", "amount": -3, "unit": "hm2", "source": "执法记录"}]
    targets = [{"region_code": "990000", "year": 2021, "indicator": "water_use_cap", "value": 0.5, "unit": "万m3"}]
    inv = _tiny(tmp_path, targets, changes=changes)
    lia = liabilities(inv, load_register(), "990000", 2020, 2021).set_index("liability")
    assert lia.loc["restoration_owed", "quantity"] == pytest.approx(3.0)
    # water supplied in 2021: 10 000 m³ (990001) against a cap of 5 000 m³ → 5 000 m³ × 4.55 元/m³ (industrial)
    assert lia.loc["depletion_above_limit", "quantity"] == pytest.approx(5_000)
    assert lia.loc["depletion_above_limit", "value_yuan"] == pytest.approx(5_000 * 4.55)


def test_chengkou_targets_for_2025_are_distances_in_2021():
    inv = load_inventory(CHENGKOU)
    lia = liabilities(inv, load_register(), "500229", 2019, 2021, methods=("target_shortfall",)).set_index("indicator")
    # plan targets (county plan 2021–2025): coverage 72.8 %, wetland ≥ 6.2 万亩, farmland ≥ 30 万亩, all for 2025
    assert not lia["binding"].any() and (lia["value_yuan"] == 0).all()
    # forest 359 万亩 less the 1.5 万亩 sold to 九龙坡 (2019) of 3289.09 km² = 72.47 % in 2021:
    # 0.33 points from the 72.8 % target for 2025
    assert lia.loc["forest_coverage", "actual"] == pytest.approx(100 * (3_590_000 - 15_000) / 15 / 328_909, rel=1e-9)


def test_sold_forest_area_is_an_obligation_and_does_not_count_toward_own_coverage(tmp_path):
    from conftest import tiny_tables, write_tables
    t = tiny_tables()
    t["targets"] = [{"region_code": "990000", "year": 2021, "indicator": "forest_coverage", "value": 60, "unit": "%"}]
    t["obligations"] = [{"region_code": "990000", "year": 2020, "counterparty": "某区", "kind": "出售森林面积指标",
                         "area [亩]": 600, "annual_cost [元]": 1000, "duration [a]": 5}]
    inv = load_inventory(write_tables(tmp_path / "inv", t))
    lia = liabilities(inv, load_register(), "990000", 2020, 2021).set_index("liability")
    ob = lia.loc["contracted_obligation"]
    # 600 亩 = 40 hm² committed from 2020 for 5 years: 2022–2024 left at the end of 2021 → 3 × 1000 元
    assert ob["quantity"] == pytest.approx(40.0) and ob["value_yuan"] == pytest.approx(3000.0)
    # own coverage: (400 − 40) / 600 = 60 % → the 60 % target is just met
    short = lia.loc["target_shortfall"]
    assert short["actual"] == pytest.approx(60.0) and short["value_yuan"] == pytest.approx(0.0, abs=1e-6)
    assert "sold as coverage indicators" in short["note"]


def test_chengkou_sale_to_jiulongpo_is_carried():
    lia = liabilities(load_inventory(CHENGKOU), load_register(), "500229", 2019, 2021)
    ob = lia[lia["liability"] == "contracted_obligation"].iloc[0]
    # 1.5 万亩 = 15 000/15 hm² = 1000 hm²; period and fee not found: physical only
    assert ob["quantity"] == pytest.approx(1000.0) and np.isnan(ob["value_yuan"])


def test_forest_cleared_illegally_is_owed_once_though_two_accounts_record_it(tmp_path):
    """The inventory records a forest change in both the extent account (森林 → other type) and the forest-area
    account (by origin) — the physical accounts do not balance otherwise (see inventories/chengkou/changes.csv:
    every 人工造林 row is in both). 3 hm² of natural forest cleared illegally in 甲镇 in 2021 is 3 hm² to restore,
    not 6: at a forest restoration cost of 2000 元/亩 = 30 000 元/hm² (a test value), 90 000 元. A wetland lost
    illegally is recorded in the extent account only (2 hm² of the reservoir turned to 'other'): 2 hm² at
    1000 元/亩 = 15 000 元/hm² (test value) = 30 000 元. And where only the extent account records a forest
    clearance (乙乡, 1 hm², no forest-area row), it is owed from there: 30 000 元."""
    from conftest import write_register
    changes = [
        {"region_code": "990001", "year": 2021, "account": "extent", "item": "other", "from_item": "forest",
         "cause": "ILLEGAL", "amount": 3, "unit": "hm2"},
        {"region_code": "990001", "year": 2021, "account": "forest_area", "item": "natural", "from_item": "",
         "cause": "ILLEGAL", "amount": -3, "unit": "hm2"},
        {"region_code": "990001", "year": 2021, "account": "extent", "item": "other", "from_item": "wetland_reservoir",
         "cause": "ILLEGAL", "amount": 2, "unit": "hm2"},
        {"region_code": "990002", "year": 2021, "account": "extent", "item": "other", "from_item": "forest",
         "cause": "ILLEGAL", "amount": 1, "unit": "hm2"},
    ]
    inv = _tiny(tmp_path, [], changes=changes)
    reg = load_register(write_register(tmp_path / "costs.csv",
                                       ("forest_restoration_cost", 2000, "元/亩", 2021, "none", "", "", "test value"),
                                       ("wetland_restoration_cost", 1000, "元/亩", 2021, "none", "", "", "test value")))
    lia = liabilities(inv, reg, "990000", 2020, 2021, methods=("restoration_owed",))
    by_region = lia.groupby(["region_code", "unit"])[["quantity", "value_yuan"]].sum()
    # 甲镇: 3 hm² forest (once) + 2 hm² wetland; 乙乡: 1 hm² forest
    assert by_region.loc[("990001", "hm2"), "quantity"] == pytest.approx(3 + 2)
    assert by_region.loc[("990001", "hm2"), "value_yuan"] == pytest.approx(3 * 30_000 + 2 * 15_000)
    assert by_region.loc[("990002", "hm2"), "quantity"] == pytest.approx(1)
    assert by_region.loc[("990002", "hm2"), "value_yuan"] == pytest.approx(30_000)
    assert lia["value_yuan"].sum() == pytest.approx(90_000 + 30_000 + 30_000)


def test_harvest_above_the_quota_counts_only_the_region_s_harvest_of_that_year(tmp_path):
    """采伐限额 of 甲镇 (990001) for 2021: 500 m³. Harvested there in 2021: 0.08 万m³ = 800 m³ (HARVEST rows of the
    forest_stock account). Left out: 乙乡's harvest (not in 甲镇's tree), 甲镇's harvest of 2020 (another year),
    and 甲镇's natural loss of 2021 (not a harvest). Excess 800 − 500 = 300 m³ × 120 元/m³ (a test stumpage
    price) = 36 000 元."""
    from conftest import write_register
    changes = [
        {"region_code": "990001", "year": 2021, "account": "forest_stock", "item": "natural", "cause": "HARVEST",
         "amount": -0.08, "unit": "万m3"},
        {"region_code": "990002", "year": 2021, "account": "forest_stock", "item": "natural", "cause": "HARVEST",
         "amount": -1000, "unit": "m3"},
        {"region_code": "990001", "year": 2020, "account": "forest_stock", "item": "natural", "cause": "HARVEST",
         "amount": -700, "unit": "m3"},
        {"region_code": "990001", "year": 2021, "account": "forest_stock", "item": "natural", "cause": "NAT_LOSS",
         "amount": -60, "unit": "m3"},
    ]
    targets = [{"region_code": "990001", "year": 2021, "indicator": "harvest_quota", "value": 500, "unit": "m3",
                "source": "采伐限额 批复"}]
    inv = _tiny(tmp_path, targets, changes=changes)
    reg = load_register(write_register(tmp_path / "costs.csv",
                                       ("stumpage_price", 120, "元/m³", 2021, "none", "", "", "test value")))
    lia = liabilities(inv, reg, "990001", 2020, 2021, methods=("depletion_above_limit",))
    assert len(lia) == 1
    row = lia.iloc[0]
    assert (row.liability, row.region_code, row.year, row.indicator) == \
        ("depletion_above_limit", "990001", 2021, "harvest_quota")
    assert row.target == pytest.approx(500.0, rel=1e-12)     # the quota, m³
    assert row.actual == pytest.approx(800.0, rel=1e-12)     # 0.08 万m³ = 800 m³
    assert row.quantity == pytest.approx(300.0, rel=1e-12)   # 800 − 500
    assert row.unit == "m3" and row.unit_value == pytest.approx(120.0, rel=1e-12)
    assert row.value_yuan == pytest.approx(36_000.0, rel=1e-12)  # 300 m³ × 120 元/m³
    assert bool(row.binding) and row.threshold_source == "采伐限额 批复"
    assert row.method_source == "asset-liability.md §1.5 L2 (采伐限额; 用水总量控制)"
    assert row.note.startswith("stumpage_price = 120")


def test_water_use_within_its_cap_owes_nothing(tmp_path):
    # the county's water use in 2021 is 甲镇's supply, 10 000 m³ (tiny_tables: the only water_supply row), against
    # the county's cap of 2 万m³ = 20 000 m³: nothing above it, 0 元 though the register has a water price
    targets = [{"region_code": "990000", "year": 2021, "indicator": "water_use_cap", "value": 2, "unit": "万m3"}]
    row = liabilities(_tiny(tmp_path, targets), load_register(), "990000", 2020, 2021,
                      methods=("depletion_above_limit",)).iloc[0]
    assert row.target == pytest.approx(20_000.0, rel=1e-12) and row.actual == pytest.approx(10_000.0, rel=1e-12)
    assert row.quantity == 0 and row.value_yuan == 0


def test_contracted_obligations_rows_in_full(tmp_path):
    """A forest-area sale (600 亩 = 40 hm², from 2020 for 5 years, 1000 元 a year) and an unpaid compensation of
    25 000 元, as the statement shows them at the end of 2021."""
    t = tiny_tables()
    t["obligations"] = [
        {"region_code": "990000", "year": 2020, "counterparty": "某区", "kind": "出售森林面积指标",
         "area [亩]": 600, "amount [元]": "", "annual_cost [元]": 1000, "duration [a]": 5},
        {"region_code": "990001", "year": 2021, "counterparty": "下游县", "kind": "未付生态补偿",
         "area [亩]": "", "amount [元]": 25_000, "annual_cost [元]": "", "duration [a]": ""}]
    inv = load_inventory(write_tables(tmp_path / "inv", t))
    lia = liabilities(inv, load_register(), "990000", 2020, 2021, methods=("contracted_obligations",))
    lia = lia.set_index("indicator")
    assert sorted(lia.index) == ["compensation_unpaid", "forest_area_sold"]
    assert (lia["year"] == 2021).all() and (lia["liability"] == "contracted_obligation").all()
    assert lia["target"].isna().all() and lia["actual"].isna().all() and lia["unit_value"].isna().all()
    sold, owed = lia.loc["forest_area_sold"], lia.loc["compensation_unpaid"]
    assert sold["region_code"] == "990000" and sold["unit"] == "hm2" and sold["quantity"] == pytest.approx(40.0, rel=1e-12)
    # 2020 + 5 − 1 − 2021 = 3 years left × 1000 元
    assert sold["value_yuan"] == pytest.approx(3000.0, rel=1e-12)
    assert sold["note"] == "40.00 hm² committed to 某区 from 2020, 3 year(s) of the contract left"
    assert owed["region_code"] == "990001" and owed["unit"] == "yuan"
    assert owed["quantity"] == pytest.approx(25_000.0, rel=1e-12)
    assert owed["value_yuan"] == pytest.approx(25_000.0, rel=1e-12)
    assert owed["note"] == "compensation owed to 下游县"


def test_an_unknown_liability_method_is_named(tmp_path):
    inv = _tiny(tmp_path, [])
    with pytest.raises(ValueError, match=r"unknown liability method\(s\) bogus, nonsense; known: target_shortfall"):
        liabilities(inv, load_register(), "990000", 2020, 2021, methods=("nonsense", "target_shortfall", "bogus"))


def test_restoration_owed_counts_the_period_s_years_only(tmp_path):
    """Period 2020–2021 means the changes of 2021 (2020 is its opening year): 2 hm² of farmland occupied
    illegally in 2021 are owed at 1500 元/亩 = 22 500 元/hm² (test value) = 45 000 元; the 5 hm² of 2020 are not.
    1 hm² of forest cleared in 2021 at 2000 元/亩 = 30 000 元/hm² (test value)."""
    from conftest import write_register
    changes = [
        {"region_code": "990002", "year": 2021, "account": "extent", "item": "other", "from_item": "farmland",
         "cause": "ILLEGAL", "amount": 2, "unit": "hm2"},
        {"region_code": "990002", "year": 2020, "account": "extent", "item": "other", "from_item": "farmland",
         "cause": "ILLEGAL", "amount": 5, "unit": "hm2"},
        {"region_code": "990001", "year": 2021, "account": "extent", "item": "other", "from_item": "forest",
         "cause": "ILLEGAL", "amount": 1, "unit": "hm2"},
    ]
    reg = load_register(write_register(tmp_path / "costs.csv",
                                       ("farmland_restoration_cost", 1500, "元/亩", 2021, "none", "", "", "test"),
                                       ("forest_restoration_cost", 2000, "元/亩", 2021, "none", "", "", "test")))
    lia = liabilities(_tiny(tmp_path, [], changes=changes), reg, "990000", 2020, 2021, methods=("restoration_owed",))
    lia = lia.set_index("indicator")
    assert sorted(lia.index) == ["extent/farmland", "extent/forest"]
    assert lia.loc["extent/farmland", "quantity"] == pytest.approx(2.0, rel=1e-12)
    assert lia.loc["extent/farmland", "value_yuan"] == pytest.approx(45_000.0, rel=1e-12)
    assert lia.loc["extent/forest", "unit_value"] == pytest.approx(30_000.0, rel=1e-12)
    assert lia.loc["extent/forest", "value_yuan"] == pytest.approx(30_000.0, rel=1e-12)


def test_target_shortfall_row_and_notes_in_full(tmp_path):
    """Forest 400 of 600 hm² = 66.67 % against 70 % for 2021 (binding, not met) and 75 % for 2025 (later: a
    distance only)."""
    inv = _tiny(tmp_path, [
        {"region_code": "990000", "year": 2021, "indicator": "forest_coverage", "value": 70, "unit": "%",
         "source": "plan"},
        {"region_code": "990000", "year": 2025, "indicator": "forest_coverage", "value": 75, "unit": "%"}])
    lia = liabilities(inv, load_register(), "990000", 2020, 2021, methods=("target_shortfall",))
    now, later = lia.iloc[0], lia.iloc[1]
    assert now.target == pytest.approx(70.0, rel=1e-12) and later.target == pytest.approx(75.0, rel=1e-12)
    assert now.actual == pytest.approx(100 * 400 / 600, rel=1e-12)
    assert now.method_source == "asset-liability.md §1.5 L2; targets from the inventory's targets table"
    assert now.note.startswith("not met at the end of 2021; forest_indicator_price = 2500")
    assert later.note.startswith("target for 2025: distance still to go at the end of 2021, not a liability yet; ")
    # (75 − 66.67) points × 600 hm² / 100 = 50 hm²
    assert later.quantity == pytest.approx(50.0, rel=1e-9) and np.isnan(later.unit_value)


def test_a_met_target_note_says_met(tmp_path):
    # forest 400 of 600 hm² = 66.67 % against 60 %: met, nothing owed
    inv = _tiny(tmp_path, [{"region_code": "990000", "year": 2021, "indicator": "forest_coverage", "value": 60,
                            "unit": "%"}])
    row = liabilities(inv, load_register(), "990000", 2020, 2021, methods=("target_shortfall",)).iloc[0]
    assert row.quantity == 0 and row.value_yuan == 0
    assert row.note.startswith("met at the end of 2021; forest_indicator_price = 2500")


def test_restoration_owed_row_cites_its_input_row_and_cost(tmp_path):
    """3 hm² of natural forest cleared illegally in 2021, the second data row of changes.csv (its spreadsheet row 3,
    the header being row 1), at 2000 元/亩 = 30 000 元/hm² (test value): 90 000 元."""
    from conftest import write_register
    from gep.assets.liabilities import COLUMNS
    changes = [{"region_code": "990001", "year": 2020, "account": "forest_area", "item": "natural",
                "cause": "ILLEGAL", "amount": -1, "unit": "hm2"},
               {"region_code": "990001", "year": 2021, "account": "forest_area", "item": "natural",
                "cause": "ILLEGAL", "amount": -3, "unit": "hm2"}]
    reg = load_register(write_register(tmp_path / "costs.csv",
                                       ("forest_restoration_cost", 2000, "元/亩", 2021, "none", "", "", "test")))
    lia = liabilities(_tiny(tmp_path, [], changes=changes), reg, "990000", 2020, 2021, methods=("restoration_owed",))
    assert list(lia.columns) == COLUMNS and len(lia) == 1
    row = lia.iloc[0]
    assert row.indicator == "forest_area/natural" and row.quantity == pytest.approx(3.0, rel=1e-12)
    assert row.value_yuan == pytest.approx(90_000.0, rel=1e-12)
    assert row.threshold_source == "changes.csv row 3"
    # the register row it was valued by: key, value, unit, source and status
    assert row.note.startswith("forest_restoration_cost = 2000") and row.note.endswith(" 元/亩 (test; unverified)")


def test_liability_tables_without_rows_keep_their_columns(tmp_path):
    # no illegal change, no obligation in the inventory: each method's table is empty with the declared columns
    from gep.assets.liabilities import COLUMNS, contracted_obligations, restoration_owed
    inv, reg = _tiny(tmp_path, []), load_register()
    for method in (restoration_owed, contracted_obligations):
        table = method(inv, reg, "990000", 2020, 2021)
        assert len(table) == 0 and list(table.columns) == COLUMNS, method.__name__
