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
