"""The decision rules of the monetary asset account (gep/assets/monetary.py) at and around their boundaries.

SEEALand (tests/test_seealand_monetary.py) never puts a rule on its edge: no condition change is 0 there, every
conversion is managed. Here each rule is tried at its boundary and on both sides of it, with every entry worked
out by hand:

- the entry of an effect (SEEALand legend, SEEA EA §10.15–10.43, the table in ``rule_entry``'s docstring):
  area ≥ 0 → additions, < 0 → reductions; volume ≥ 0 → enhancement if the condition rose (Δ > 0), else an upward
  reappraisal; volume < 0 → degradation if the condition fell (Δ < 0), else a downward reappraisal; price →
  revaluation;
- the split of a conversion into managed / unmanaged (SEEA EA Table 4.1) in proportion to the hectares of its own
  side (additions by expansions, reductions by reductions), no row for a kind without hectares.
"""
from __future__ import annotations

import pandas as pd
import pytest

from gep.assets.monetary import ENTRIES, monetary_asset_account, rule_entry

EPS = 1e-9  # "just above" / "just below" a boundary: far below any effect or condition change here


# ----------------------------------------------------------------------------------------------
# the legend's rule, on its own


@pytest.mark.parametrize("amount, condition, entry", [
    # volume ≥ 0: enhancement only where the condition rose strictly
    (500.0, 0.0, "upward_reappraisals"),
    (500.0, EPS, "enhancement"),
    (500.0, -EPS, "upward_reappraisals"),
    # volume < 0: degradation only where the condition fell strictly
    (-500.0, 0.0, "downward_reappraisals"),
    (-500.0, -EPS, "degradation"),
    (-500.0, EPS, "downward_reappraisals"),
    # a volume effect of exactly 0 is on the "≥ 0" side; just below 0 it is on the other
    (0.0, EPS, "enhancement"),
    (0.0, -EPS, "upward_reappraisals"),
    (-EPS, -EPS, "degradation"),
    (-EPS, EPS, "downward_reappraisals"),
    (EPS, -EPS, "upward_reappraisals"),
])
def test_volume_effect_entry_at_its_boundaries(amount, condition, entry):
    assert rule_entry("volume", amount, condition) == entry


@pytest.mark.parametrize("amount, entry", [(0.0, "additions"), (EPS, "additions"), (-EPS, "reductions"),
                                           (200.0, "additions"), (-200.0, "reductions")])
def test_area_effect_entry_at_its_boundary(amount, entry):
    # the condition plays no part in the area effect: the same entry whatever its change
    for condition in (None, -EPS, 0.0, EPS):
        assert rule_entry("area", amount, condition) == entry


@pytest.mark.parametrize("amount", [-EPS, 0.0, EPS, -300.0, 300.0])
def test_price_effect_is_always_a_revaluation(amount):
    assert rule_entry("price", amount, None) == "revaluations"


# ----------------------------------------------------------------------------------------------
# the same rules through the whole account (Table 10.1)

FLOW_COLUMNS = ["ecosystem_type", "service", "quantity_0", "quantity_1", "price_0", "price_1"]


def _account(q0, q1, condition, a0=10.0, a1=10.0, price=50.0, extent_changes=None):
    """One grassland, one service, r = 0 and N = 10 yr, so that the annuity factor F = N = 10 and the
    discounted unit price p = NPV / Q is the price itself."""
    flows = pd.DataFrame([("Grassland", "grazing", q0, q1, price, price)], columns=FLOW_COLUMNS)
    return monetary_asset_account(flows, {"Grassland": a0}, {"Grassland": a1}, {"Grassland": condition},
                                  rate=0.0, asset_life=10, extent_changes=extent_changes)


# By hand, 4 → 5 t/yr at 50 currency/t on 10 ha both years, r = 0, N = 10:
#   NPV0 = 4 × 50 × 10 = 2000, NPV1 = 5 × 50 × 10 = 2500; Q0 = 40 t, Q1 = 50 t; q0 = 4, q1 = 5 t/ha; p0 = p1 = 50
#   area effect   = (10 − 10) · … = 0
#   volume effect = (5 − 4) · [(50·10 + 50·10)/3 + (50·10 + 50·10)/6] = 1000/3 + 1000/6 = 500
#   price effect  = (50 − 50) · … = 0
# and 5 → 4 t/yr gives −500 (NPV 2500 → 2000). All of the change is the volume effect; the condition decides
# its entry.
@pytest.mark.parametrize("q0, q1, condition, entry", [
    (4, 5, 0.01, "enhancement"),
    (4, 5, 0.0, "upward_reappraisals"),
    (4, 5, -0.01, "upward_reappraisals"),
    (5, 4, -0.01, "degradation"),
    (5, 4, 0.0, "downward_reappraisals"),
    (5, 4, 0.01, "downward_reappraisals"),
])
def test_volume_effect_recorded_by_the_change_in_condition(q0, q1, condition, entry):
    result = _account(q0, q1, condition)
    d = result.decomposition.iloc[0]
    volume = 500.0 if q1 > q0 else -500.0
    assert [d.area_effect, d.volume_effect, d.price_effect] == pytest.approx([0, volume, 0], abs=1e-9)
    account = result.account
    assert account.at["opening_value", "Grassland"] == pytest.approx(q0 * 50 * 10, rel=1e-12)
    assert account.at["closing_value", "Grassland"] == pytest.approx(q1 * 50 * 10, rel=1e-12)
    assert account.at[entry, "Grassland"] == pytest.approx(volume, rel=1e-12)
    for other in ENTRIES:  # and nothing anywhere else
        if other != entry:
            assert account.at[other, "Grassland"] == pytest.approx(0, abs=1e-9), other


# By hand, a grassland grazed at a constant 1 t/ha·yr growing 10 → 12 ha (10 → 12 t/yr, 50 currency/t, r = 0,
# N = 10): NPV0 = 10 × 50 × 10 = 5000, NPV1 = 12 × 50 × 10 = 6000; q0 = q1 = 100/10 = 120/12 = 10 t/ha, p0 = p1 = 50:
#   area effect = (12 − 10) · [(50·10 + 50·10)/3 + (50·10 + 50·10)/6] = 2 · 500 = 1000, volume = price = 0.
# The addition of 1000 is split by the hectares of expansion (SEEA EA Table 4.1); shrinking 12 → 10 ha the
# reduction of −1000 is split by the hectares of reduction.
ADDITION = 1000.0


def _conversions(result, entry):
    e = result.entries
    rows = e[(e["entry"] == entry)]
    return sorted(zip(rows["detail"], rows["amount"]))


@pytest.mark.parametrize("changes, managed, unmanaged", [
    ({"managed_expansion": 2.0}, 1000.0, 0.0),                            # all managed: 2/2
    ({"unmanaged_expansion": 2.0}, 0.0, 1000.0),                          # all unmanaged: 2/2
    ({"managed_expansion": 1.5, "unmanaged_expansion": 0.5}, 750.0, 250.0),  # 1.5/2 and 0.5/2 of 1000
    # reductions on the other side do not count for an addition: 3 ha gross expansion (2.4 managed, 0.6
    # unmanaged) less 1 ha managed reduction = the net 2 ha; shares 2.4/3 = 0.8 → 800, 0.6/3 = 0.2 → 200
    ({"managed_expansion": 2.4, "unmanaged_expansion": 0.6, "managed_reduction": 1.0}, 800.0, 200.0),
])
def test_additions_split_by_the_hectares_of_expansion(changes, managed, unmanaged):
    result = _account(10, 12, 0.0, a0=10.0, a1=12.0, extent_changes={"Grassland": changes})
    d = result.decomposition.iloc[0]
    assert [d.area_effect, d.volume_effect, d.price_effect] == pytest.approx([ADDITION, 0, 0], abs=1e-9)
    # one entry row per kind that has hectares, none for a kind without
    expected = sorted([(k, v) for k, v in (("managed", managed), ("unmanaged", unmanaged)) if v])
    rows = _conversions(result, "additions")
    assert [k for k, _ in rows] == [k for k, _ in expected]
    assert [v for _, v in rows] == pytest.approx([v for _, v in expected], rel=1e-12)
    account = result.account
    assert account.at["additions", "Grassland"] == pytest.approx(ADDITION, rel=1e-12)
    assert account.at["additions_managed", "Grassland"] == pytest.approx(managed, rel=1e-12, abs=1e-12)
    assert account.at["additions_unmanaged", "Grassland"] == pytest.approx(unmanaged, rel=1e-12, abs=1e-12)
    assert account.at["reductions", "Grassland"] == 0


@pytest.mark.parametrize("changes, managed, unmanaged", [
    ({"managed_reduction": 2.0}, -1000.0, 0.0),
    ({"unmanaged_reduction": 2.0}, 0.0, -1000.0),
    # 0.5 of 2 ha managed, 1.5 unmanaged: −1000 × 0.25 = −250, −1000 × 0.75 = −750; the 1 ha of expansion
    # (gross reductions 3 ha: 0.75 + 2.25, net −2 ha below) is not on the reductions' side
    ({"managed_reduction": 0.5, "unmanaged_reduction": 1.5}, -250.0, -750.0),
    ({"managed_expansion": 1.0, "managed_reduction": 0.75, "unmanaged_reduction": 2.25}, -250.0, -750.0),
])
def test_reductions_split_by_the_hectares_of_reduction(changes, managed, unmanaged):
    result = _account(12, 10, 0.0, a0=12.0, a1=10.0, extent_changes={"Grassland": changes})
    rows = _conversions(result, "reductions")
    expected = sorted([(k, v) for k, v in (("managed", managed), ("unmanaged", unmanaged)) if v])
    assert [k for k, _ in rows] == [k for k, _ in expected]
    assert [v for _, v in rows] == pytest.approx([v for _, v in expected], rel=1e-12)
    account = result.account
    assert account.at["reductions", "Grassland"] == pytest.approx(-ADDITION, rel=1e-12)
    assert account.at["reductions_managed", "Grassland"] == pytest.approx(managed, rel=1e-12, abs=1e-12)
    assert account.at["reductions_unmanaged", "Grassland"] == pytest.approx(unmanaged, rel=1e-12, abs=1e-12)


def test_a_conversion_without_hectares_on_its_side_is_not_split():
    """Extent changes given for the type, but none on the addition's side (only a reduction recorded, 0 ha of
    expansion): the addition is one row without detail (share 1 of 1000), not a division by 0 ha."""
    result = _account(10, 12, 0.0, a0=10.0, a1=12.0, extent_changes={"Grassland": {"managed_reduction": 1.0,
                                                                                    "managed_expansion": 0.0}})
    assert _conversions(result, "additions") == [("", pytest.approx(ADDITION, rel=1e-12))]
    account = result.account
    assert "additions_managed" not in account.index  # no conversion was split: no memo rows
    assert account.at["additions", "Grassland"] == pytest.approx(ADDITION, rel=1e-12)


def test_no_extent_changes_leave_conversions_undivided():
    result = _account(10, 12, 0.0, a0=10.0, a1=12.0)
    assert _conversions(result, "additions") == [("", pytest.approx(ADDITION, rel=1e-12))]


# ----------------------------------------------------------------------------------------------
# the pieces of the pipeline, each on a case worked out by hand

BASIC_COLUMNS = ["ecosystem_type", "service", "a0", "a1", "es0", "es1", "npv0", "npv1"]


def test_a_volume_effect_without_a_condition_change_is_refused():
    from gep.assets.monetary import AssetAccountError
    for missing in (None, float("nan")):
        with pytest.raises(AssetAccountError, match="needs the change in condition"):
            rule_entry("volume", 500.0, missing)


def test_npv_of_a_constant_and_a_growing_annual_value():
    from gep.assets.monetary import npv
    # SEEALand: PV(2 %, 100, −100) = 100 × [1 − 1.02^−100] / 0.02 = 100 × 43.0983516… (end of year)
    assert npv(100.0, 0.02, 100) == pytest.approx(100 * (1 - 1.02 ** -100) / 0.02, rel=1e-12)
    # 1000 a year for 3 years at r = 10 %, growing 5 %, returns at the start of each year:
    # 1000 + 1050/1.1 + 1102.5/1.21 = 1000 + 954.5454… + 911.1570… = 2865.7024…
    assert npv(1000.0, 0.10, 3, growth=0.05, timing="begin") == \
        pytest.approx(1000 + 1050 / 1.1 + 1102.5 / 1.21, rel=1e-12)
    # the same at the end of each year: ÷ 1.1
    assert npv(1000.0, 0.10, 3, growth=0.05) == pytest.approx((1000 + 1050 / 1.1 + 1102.5 / 1.21) / 1.1, rel=1e-12)


@pytest.mark.parametrize("rate", ["0.02", "0.020"])
def test_a_discount_rate_written_as_text_or_decimal_is_a_number(rate):
    from decimal import Decimal

    from gep.assets.monetary import annuity_factor
    # F(2 %, 100 yr) = [1 − 1.02^−100] / 0.02 = 43.0983516…, whether the rate is read as text or as a Decimal
    expected = (1 - 1.02 ** -100) / 0.02
    assert annuity_factor(rate, 100) == pytest.approx(expected, rel=1e-12)
    assert annuity_factor(Decimal(rate), 100) == pytest.approx(expected, rel=1e-12)


def test_npv_table_values_returns_at_the_start_of_each_year():
    from gep.assets.monetary import npv_table
    flows = pd.DataFrame([("Forest", "timber", 2, 3, 100, 110)], columns=FLOW_COLUMNS)
    table = npv_table(flows, 0.10, 2, timing="begin").iloc[0]
    # values 2 × 100 = 200 and 3 × 110 = 330 a year; F(10 %, 2 yr, begin) = 1 + 1/1.1 = 1.90909…
    assert [table.value_0, table.value_1] == pytest.approx([200.0, 330.0], rel=1e-12)
    assert table.npv_0 == pytest.approx(200 * (1 + 1 / 1.1), rel=1e-12)
    assert table.npv_1 == pytest.approx(330 * (1 + 1 / 1.1), rel=1e-12)


def test_monetary_supply_sums_the_rows_of_one_cell_and_fills_the_empty_ones():
    from gep.assets.monetary import TOTAL, monetary_supply
    flows = pd.DataFrame([("Forest", "timber", 2.0, 100.0), ("Forest", "timber", 3.0, 100.0),
                          ("Forest", "water", 10.0, 4.0), ("Cropland", "crops", 5.0, 20.0)],
                         columns=["ecosystem_type", "service", "quantity", "price"])
    table = monetary_supply(flows)
    # timber: 2 × 100 + 3 × 100 = 500 (summed, not averaged); water 10 × 4 = 40; crops 5 × 20 = 100
    assert table.at["timber", "Forest"] == pytest.approx(500.0, rel=1e-12)
    assert table.at["water", "Forest"] == pytest.approx(40.0, rel=1e-12)
    assert table.at["crops", "Cropland"] == pytest.approx(100.0, rel=1e-12)
    # no crops from the forest, no timber from cropland: 0, not missing
    assert table.at["crops", "Forest"] == 0 and table.at["timber", "Cropland"] == 0
    assert table.at[TOTAL, TOTAL] == pytest.approx(640.0, rel=1e-12)  # 500 + 40 + 100


def test_the_entries_table_has_one_row_per_effect_in_its_declared_columns():
    result = _account(4, 5, 0.01)
    e = result.entries
    assert list(e.columns) == ["ecosystem_type", "service", "effect", "amount", "entry", "detail", "basis", "reason"]
    assert set(e["service"]) == {"grazing"} and list(e["effect"]) == ["area", "volume", "price"]


def test_basic_data_without_unit_prices_where_the_table_gives_no_asset_life():
    from gep.assets.monetary import decomposition_basic_data, npv_table
    flows = pd.DataFrame([("Forest", "timber", 2, 3, 100, 110)], columns=FLOW_COLUMNS)
    # an asset life of 0 years: F = 0, no NPV, and no unit price P · F / N (0 / 0)
    zero_life = decomposition_basic_data(npv_table(flows, 0.02, 0), {"Forest": 5}, {"Forest": 5})
    assert zero_life["up0"].isna().all() and zero_life["up1"].isna().all()
    # an NPV table made elsewhere (no discount rate or asset life in its attributes): unit prices NaN (float)
    elsewhere = npv_table(flows, 0.02, 10)
    elsewhere.attrs.clear()
    basic = decomposition_basic_data(elsewhere, {"Forest": 5}, {"Forest": 5})
    assert basic["up0"].dtype == float and basic["up1"].dtype == float
    assert basic["up0"].isna().all() and basic["up1"].isna().all()
    # the NPVs themselves: 2 × 100 × F(2 %, 10) and 3 × 110 × F, F = [1 − 1.02^−10] / 0.02 = 8.98258…
    f = (1 - 1.02 ** -10) / 0.02
    assert list(basic["npv0"]) == pytest.approx([200 * f], rel=1e-12)
    assert list(basic["npv1"]) == pytest.approx([330 * f], rel=1e-12)


def test_inconsistent_basic_data_names_only_the_faulty_row():
    from gep.assets.monetary import AssetAccountError, decompose
    basic = pd.DataFrame([("Grassland", "grazing", 10, 10, 4, 5, 2000, 2500),
                          ("Forest", "timber", 0, 10, 4, 5, 2000, 2500)], columns=BASIC_COLUMNS)
    with pytest.raises(AssetAccountError) as err:
        decompose(basic, 10)
    assert str(err.value) == ("balance 0: a flow without area or a value without flow for "
                              "[('Forest', 'timber')]")


def test_an_area_shrinking_to_one_hectare_splits_into_area_and_volume_effects():
    """10 ha grazed 10 t/yr shrink to 1 ha grazed 2 t/yr, 50 currency/t, r = 0, N = 10: NPV 5000 → 1000;
    q0 = 100 t / 10 ha = 10, q1 = 20 t / 1 ha = 20 t/ha, p = 50.
        area effect   = (1 − 10) · [(50·10 + 50·20)/3 + (50·20 + 50·10)/6] = −9 · 750 = −6750
        volume effect = (20 − 10) · [(50·10 + 50·1)/3 + (50·1 + 50·10)/6] = 10 · 275 = 2750
    (−6750 + 2750 = −4000 = 1000 − 5000)."""
    d = _account(10, 2, 0.0, a0=10.0, a1=1.0).decomposition.iloc[0]
    assert [d.q0, d.q1] == pytest.approx([10.0, 20.0], rel=1e-12)
    assert [d.area_effect, d.volume_effect, d.price_effect] == pytest.approx([-6750, 2750, 0], rel=1e-12, abs=1e-9)


def test_a_trillion_yuan_asset_is_not_refused_for_rounding():
    """An asset of 1.1 → 1.3 万亿元 (100 000 → 110 000 ha, 1 → 1.2 million units a year, N = 100): the three
    effects add up to 2 000 亿元 only to within float rounding (≈ 1e-4 元, far above the 1e-6 元 absolute
    tolerance but ≈ 1e-16 of the values), which the relative part of the check (1e-9 × |NPV|) accepts."""
    from gep.assets.monetary import decompose
    basic = pd.DataFrame([("Forest", "timber", 100_000, 110_000, 1_000_000, 1_200_000, 1.1e12, 1.3e12)],
                         columns=BASIC_COLUMNS)
    d = decompose(basic, 100).iloc[0]
    assert d.total_effect == pytest.approx(1.3e12 - 1.1e12, rel=1e-12)


def test_effects_that_overflow_are_refused_by_name():
    """NPVs near the float limit (1e300 currency on 1e-10 ha): p · q = 1e300 × 1e10 overflows to infinity, so the
    effects cannot add up to NPV1 − NPV0; the row is named, not a crash."""
    import numpy as np

    from gep.assets.monetary import AssetAccountError, decompose
    basic = pd.DataFrame([("Grassland", "grazing", 10, 10, 4, 5, 2000, 2500),
                          ("Forest", "timber", 1e-10, 2e-10, 1, 1, 1e300, 1.5e300)], columns=BASIC_COLUMNS)
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(AssetAccountError, match="decomposition of Forest / timber does not add up"):
            decompose(basic, 1)


def test_a_growth_rate_written_as_text_is_a_number():
    from gep.assets.monetary import annuity_factor
    # 1 a year for 3 years at r = 10 %, growing 5 %, end of year: (1 + 1.05/1.1 + 1.1025/1.21) / 1.1 = 2.60518…
    assert annuity_factor(0.10, 3, "0.05") == pytest.approx((1 + 1.05 / 1.1 + 1.1025 / 1.21) / 1.1, rel=1e-12)


def test_an_unbalanced_account_message_in_full():
    """Forest: opening 100 + enhancement 10 ≠ closing 120 (gap 100 + 10 − 120 = −10); the TOTAL column the same;
    net change 20 = 120 − 100 holds. Each column is one problem, joined by "; "."""
    from gep.assets.monetary import ACCOUNT_ROWS, AssetAccountError, check_balance
    table = pd.DataFrame(0.0, index=list(ACCOUNT_ROWS), columns=["Forest", "TOTAL"])
    table.loc["opening_value"], table.loc["enhancement"] = 100.0, 10.0
    table.loc["closing_value"], table.loc["net_change"] = 120.0, 20.0
    with pytest.raises(AssetAccountError) as err:
        check_balance(table)
    assert str(err.value) == ("monetary asset account does not balance — "
                              "Forest: opening 100.00 + entries 10.00 ≠ closing 120.00 (gap -10); "
                              "TOTAL: opening 100.00 + entries 10.00 ≠ closing 120.00 (gap -10)")


def test_a_value_without_flow_above_a_millionth_is_refused():
    # no flow in the opening year (es0 = 0) but an opening NPV of 0.5: above the default tolerance of 1e-6
    from gep.assets.monetary import AssetAccountError, decompose
    basic = pd.DataFrame([("Forest", "timber", 10, 10, 0, 5, 0.5, 2500)], columns=BASIC_COLUMNS)
    with pytest.raises(AssetAccountError) as err:
        decompose(basic, 10)
    assert str(err.value) == "balance 0: a flow without area or a value without flow for [('Forest', 'timber')]"


def test_a_new_ecosystem_type_keeps_its_own_opening_unit_price():
    """A type without area and flow at the opening (a0 = 0, es0 = 0, NPV0 = 0) and 10 ha giving 5 t/yr at 60 /t
    at the closing, r = 0, N = 10 (F = N: unit prices are the prices): Q1 = 50 t, q1 = 50/10 = 5 t/ha, p1 = 3000/50
    = 60; the opening intensity is taken from the closing, q0 = 5, but the opening unit price is its own year's,
    up0 = 50 (not the closing's 60):
        area effect  = (10 − 0) · [(50·5 + 60·5)/3 + (50·5 + 60·5)/6] = 10 · 275 = 2750
        price effect = (60 − 50) · [(5·0 + 5·10)/3 + (5·10 + 5·0)/6] = 10 · 25 = 250
    (2750 + 250 = 3000 = NPV1)."""
    from gep.assets.monetary import decompose
    basic = pd.DataFrame([("New", "timber", 0, 10, 0, 5, 0.0, 3000.0)], columns=BASIC_COLUMNS).assign(
        up0=50.0, up1=60.0)
    d = decompose(basic, 10).iloc[0]
    assert [d.q0, d.q1, d.p0, d.p1] == pytest.approx([5.0, 5.0, 50.0, 60.0], rel=1e-12)
    assert [d.area_effect, d.volume_effect, d.price_effect] == pytest.approx([2750, 0, 250], rel=1e-12, abs=1e-9)


def test_unit_prices_of_the_basic_data_follow_the_tables_growth_and_timing():
    """up = P · F / N with the NPV table's own F. At r = 10 %, N = 3, growth 5 %, returns at the start of each
    year: F = 1 + 1.05/1.1 + 1.1025/1.21 = 2.86570…; up0 = 100 · F / 3, up1 = 110 · F / 3."""
    from gep.assets.monetary import decomposition_basic_data, npv_table
    flows = pd.DataFrame([("Forest", "timber", 2, 3, 100, 110)], columns=FLOW_COLUMNS)
    table = npv_table(flows, 0.10, 3, growth=0.05, timing="begin")
    assert table.attrs == {"discount_rate": 0.10, "asset_life": 3, "growth": 0.05, "timing": "begin"}
    f = 1 + 1.05 / 1.1 + 1.1025 / 1.21
    basic = decomposition_basic_data(table, {"Forest": 5}, {"Forest": 5}).iloc[0]
    assert [basic.up0, basic.up1] == pytest.approx([100 * f / 3, 110 * f / 3], rel=1e-12)
    assert [basic.npv0, basic.npv1] == pytest.approx([200 * f, 330 * f], rel=1e-12)


def test_unit_prices_of_an_npv_table_that_names_only_rate_and_life():
    """An NPV table made elsewhere whose attributes give the discount rate and asset life only: no growth,
    returns at the end of each year. r = 10 %, N = 3: F = (1 − 1.1⁻³) / 0.1 = 2.48685…; up0 = 100 · F / 3."""
    from gep.assets.monetary import decomposition_basic_data, npv_table
    flows = pd.DataFrame([("Forest", "timber", 2, 3, 100, 110)], columns=FLOW_COLUMNS)
    table = npv_table(flows, 0.10, 3)
    table.attrs = {"discount_rate": 0.10, "asset_life": 3}
    f = (1 - 1.1 ** -3) / 0.1
    basic = decomposition_basic_data(table, {"Forest": 5}, {"Forest": 5}).iloc[0]
    assert [basic.up0, basic.up1] == pytest.approx([100 * f / 3, 110 * f / 3], rel=1e-12)


def test_missing_flow_columns_are_named():
    from gep.assets.monetary import AssetAccountError, monetary_supply, npv_table
    flows = pd.DataFrame([("Forest", "timber", 2, 3, 100)], columns=FLOW_COLUMNS[:5])
    with pytest.raises(AssetAccountError) as err:
        npv_table(flows, 0.02, 10)
    assert str(err.value) == "flows lacks column(s) ['price_1']"
    with pytest.raises(AssetAccountError) as err:
        monetary_supply(pd.DataFrame([("Forest", "timber", 2.0)], columns=["ecosystem_type", "service", "quantity"]))
    assert str(err.value) == "flows lacks column(s) ['price']"
