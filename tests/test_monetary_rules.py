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
