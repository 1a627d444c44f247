"""Conformance with the UN SEEA EA worked example SEEALand (stylised example, version 1, September 2021):
the monetary ecosystem asset account (SEEA EA Table 10.1; 2024 edition Annex I Table AI.11), the NPV by
ecosystem type, the Annex A10.1 decomposition, the monetary supply total and discount-rate sensitivity.

All inputs below are written out from the spreadsheet seea_ea_seealand_stylised_example.xlsx (sheet and
cells cited at each table); the published results are written here too, never in gep/assets/monetary.py.
Where ../shared/fixtures/seealand exists, the published account is also read from its CSV.
See ../shared/fixtures/seealand/NOTES.md for the three choices of the spreadsheet reproduced here.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gep.assets.monetary import (ENTRIES, TOTAL, AssetAccountError, EntryOverride, annuity_factor, asset_account,
                                 check_balance, decompose, decomposition_basic_data, discount_rate_sensitivity,
                                 monetary_asset_account, monetary_supply, npv_table, npv_totals)

FIXTURE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "seealand"
RTOL = 1e-6

RATE, LIFE = 0.02, 100  # 'NPV by ET'!D25/E25 (discount rate) and D24/E24 (asset life), every ET

ETS = ["Forest", "Lake", "Cropland", "Urban area", "Wetland", "Seagrass"]

# Sheet "ES flows": expected flows, opening row / closing row per ET (Forest 10/11, Lake 15/16, Cropland 20/21,
# Urban area 25/26, Wetland 30/31, Seagrass 35/36); quantities in columns E–J, prices in L–Q.
# (ET, service, quantity_0, quantity_1, price_0, price_1)
EXPECTED = [
    ("Forest", "wood", 150, 120, 60, 65),                 # E10:E11, L10:L11  [m3; $/m3]
    ("Forest", "climate", 160, 125, 25, 26),              # H10:H11, O10:O11  [t CO2; $/t CO2]
    ("Forest", "recreation", 1600, 1450, 5, 5),           # J10:J11, Q10:Q11  [visits; $/visit]
    ("Lake", "wild_fish", 3, 4, 340, 370),                # G15:G16, N15:N16  [t; $/t]
    ("Lake", "recreation", 4800, 5000, 5, 5),             # J15:J16, Q15:Q16
    ("Cropland", "crop", 150, 170, 75, 75),               # F20:F21, M20:M21  [t; $/t]
    ("Urban area", "climate", 5, 5, 25, 26),              # H25:H26, O25:O26
    ("Urban area", "recreation", 2400, 2600, 5, 5),       # J25:J26, Q25:Q26
    ("Wetland", "climate", 20, 19, 25, 26),               # H30:H31, O30:O31
    ("Wetland", "water_purification", 7, 7, 100, 100),    # I30:I31, P30:P31  [t N; $/t N]
    ("Seagrass", "wild_fish", 6, 6, 340, 370),            # G35:G36, N35:N36
    ("Seagrass", "climate", 250, 250, 25, 26),            # H35:H36, O35:O36
    ("Seagrass", "recreation", 800, 700, 5, 5),           # J35:J36, Q35:Q36
]

# Sheet "ES flows": actual flows (Forest row 8, Lake 13, Cropland 18, Urban area 23, Wetland 28, Seagrass 33).
# (ET, service, quantity, price)
ACTUAL = [
    ("Forest", "wood", 140, 60), ("Forest", "climate", 150, 25), ("Forest", "recreation", 1500, 5),
    ("Lake", "wild_fish", 3, 350), ("Lake", "recreation", 5000, 5),
    ("Cropland", "crop", 150, 75),
    ("Urban area", "climate", 5, 25), ("Urban area", "recreation", 2500, 5),
    ("Wetland", "climate", 20, 25), ("Wetland", "water_purification", 7, 100),
    ("Seagrass", "wild_fish", 6, 350), ("Seagrass", "climate", 250, 25), ("Seagrass", "recreation", 800, 5),
]

# Sheet "Extent account" rows 4 (opening) and 16 (closing), columns F–K [ha]; managed expansion row 7,
# managed reduction row 11 (no unmanaged changes).
EXTENT_0 = dict(zip(ETS, [40, 30, 60, 50, 20, 50]))
EXTENT_1 = dict(zip(ETS, [38, 30, 62, 50, 20, 50]))
EXTENT_CHANGES = {"Forest": {"managed_reduction": 2}, "Cropland": {"managed_expansion": 2}}

# Sheet "Condition indices " row 10 (net change in condition), columns D–I [index points].
CONDITION = dict(zip(ETS, [-0.058981481481481524, 0.04561098161098165, 0.0034166666666666234,
                           -0.019190476190476202, -0.035285714285714254, -0.07594978632478627]))

# Sheet "NPV Decomposition", expected flows ES0/ES1 (columns I, J) as the sheet takes them, where they
# differ from "ES flows" (NOTES.md item 1):
SHEET_ES = {
    # I49/J49 = 'NPV by ET'!D32/E32: the price per visit (5, 5), not the visits 4,800 → 5,000
    ("Lake", "recreation"): (5, 5),
    # I193 = 20 typed in; J193 = 'ES flows'!G36 = 6 (the ES flows sheet has 6 → 6 tonnes)
    ("Seagrass", "wild_fish"): (20, 6),
}

# Sheet "NPV Decomposition" I107 = D96 (not I106) and "Monetary asset account" G18: Cropland's volume effect is recorded
# as an upward reappraisal although condition rose (NOTES.md item 2).
CROPLAND_OVERRIDE = EntryOverride("Cropland", "crop", "volume", "upward_reappraisals",
                                  "SEEALand accountant records the crop volume effect as an upward reappraisal "
                                  "(NPV Decomposition!I107) though the condition index rose by 0.0034")

# Sheet "NPV by ET" (published): NPV per ET, opening (column D) and closing (column E) totals, rows 20, 40, 56,
# 76, 96, 120.
PUBLISHED_NPV = {
    "Forest": (905065.384442367, 788699.8350140627),
    "Lake": (1078320.75803562, 1141244.3514301847),
    "Cropland": (484856.455951268, 549503.983411437),
    "Urban area": (522567.51363636664, 565881.35703468),
    "Wetland": (51718.02196813526, 51459.431858294585),
    "Seagrass": (529678.7416569853, 526661.8570421773),
}
# ...and per service, rows 17–19, 38–39, 55, 74–75, 94–95, 117–119 (a few of them):
PUBLISHED_NPV_SERVICE = {
    ("Forest", "wood"): (387885.16476101446, 336167.14279287914),
    ("Lake", "recreation"): (1034360.4393627051, 1077458.791002818),
    ("Seagrass", "wild_fish"): (87920.63734582992, 95678.34064105022),
    ("Wetland", "water_purification"): (30168.8461480789, 30168.8461480789),
}

# Sheet "Monetary asset account" E6:K25 (= SEEA EA 2024 Annex I Table AI.11), columns Forest … Seagrass, TOTAL.
# None = cell left empty in the sheet (catastrophic losses).
PUBLISHED_ACCOUNT = {
    "opening_value": [905065.384442367, 1078320.75803562, 484856.455951268, 522567.51363636664,
                      51718.02196813526, 529678.7416569853, 3572206.8756907415],
    "enhancement": [0, 15299.91483224001, 0, 0, 0, 0, 15299.91483224001],
    "degradation": [-108111.08092207431, 0, 0, 0, -1099.007966822874, -163946.12963898873, -273156.2185278859],
    "additions": [0, 0, 16943.90840689915, 0, 0, 0, 16943.90840689915],
    "reductions": [-43434.632199620435, 0, 0, 0, 0, 0, -43434.632199620435],
    "catastrophic_losses": [None] * 7,
    "upward_reappraisals": [0, 0, 47703.619053269904, 43098.35164011271, 0, 0, 90801.97069338261],
    "downward_reappraisals": [0, 0, 0, 0, 0, 0, 0],
    "revaluations": [35180.16369339039, 47623.67856232454, 0, 215.49175820056377, 840.4178569821986,
                     160929.24502418088, 244788.99689507857],
    "net_change": [-116365.54942830431, 62923.5933945647, 64647.52746016899, 43313.84339831333,
                   -258.5901098406757, -3016.884614807903, 51243.940100095235],
    "closing_value": [788699.8350140627, 1141244.3514301847, 549503.983411437, 565881.35703468,
                      51459.431858294585, 526661.8570421773, 3623450.8157908367],
    # rows 29–35 (no TOTAL)
    "extent_0": [40, 30, 60, 50, 20, 50, None],
    "extent_1": [38, 30, 62, 50, 20, 50, None],
    "value_per_ha_0": [22626.634611059177, 35944.025267854, 8080.940932521134, 10451.350272727334,
                       2585.901098406763, 10593.574833139704, None],
    "value_per_ha_1": [20755.258816159545, 38041.478381006156, 8862.967474378016, 11317.6271406936,
                       2572.971592914729, 10533.237140843547, None],
    "change_per_ha": [-1871.3757948996317, 2097.453113152158, 782.0265418568824, 866.2768679662659,
                      -12.929505492033968, -60.33769229615791, None],
}
# Row 27 "Check" (Σ entries − net change): rounding residues of order 1e-10, compared in absolute terms.
PUBLISHED_CHECK_ABS = 1e-6

CSV_ROWS = {  # monetary-asset-account.csv: row label → account key
    "Opening value": "opening_value", "Ecosystem enhancement": "enhancement", "Ecosystem degradation": "degradation",
    "Additions": "additions", "Reductions": "reductions", "Catastrophic losses": "catastrophic_losses",
    "Upward reappraisals": "upward_reappraisals", "Downwards reappraisals": "downward_reappraisals",
    "Revaluations": "revaluations", "Net change in value": "net_change", "Closing value": "closing_value",
    "Check": "check", "Opening extent (ha)": "extent_0", "Closing extent (ha)": "extent_1",
    "Asset value / opening extent": "value_per_ha_0", "Asset value / closing extent": "value_per_ha_1",
    "Change in value per ha": "change_per_ha",
}


def expected_flows() -> pd.DataFrame:
    return pd.DataFrame(EXPECTED, columns=["ecosystem_type", "service", "quantity_0", "quantity_1", "price_0",
                                           "price_1"])


def sheet_basic_data() -> pd.DataFrame:
    """The "NPV Decomposition" basic data: a0, a1 (C, D ← Extent account), ES0, ES1 (I, J, with the two odd
    references), NPV0, NPV1 (Q, R ← NPV by ET, computed here from the ES flows)."""
    basic = decomposition_basic_data(npv_table(expected_flows(), RATE, LIFE), EXTENT_0, EXTENT_1)
    for (et, service), (es0, es1) in SHEET_ES.items():
        row = (basic["ecosystem_type"] == et) & (basic["service"] == service)
        assert row.sum() == 1
        basic.loc[row, ["es0", "es1"]] = [es0, es1]
    return basic


def published_path():
    return monetary_asset_account(expected_flows(), EXTENT_0, EXTENT_1, CONDITION, RATE, LIFE,
                                  overrides=[CROPLAND_OVERRIDE], extent_changes=EXTENT_CHANGES,
                                  basic=sheet_basic_data())


def mechanical_path():
    return monetary_asset_account(expected_flows(), EXTENT_0, EXTENT_1, CONDITION, RATE, LIFE,
                                  extent_changes=EXTENT_CHANGES)


def assert_cell(ours, published, label):
    if published is None:
        assert ours == 0 or pd.isna(ours), label
    elif published == 0:
        assert abs(ours) < 1e-9, f"{label}: {ours} ≠ 0"
    else:
        assert ours == pytest.approx(published, rel=RTOL), label


# ----------------------------------------------------------------------------------------------
# (a) every cell of the published account


def test_every_cell_of_the_published_account():
    account = published_path().account
    columns = ETS + [TOTAL]
    assert list(account.columns) == columns
    for key, values in PUBLISHED_ACCOUNT.items():
        for et, published in zip(columns, values):
            assert_cell(account.at[key, et], published, f"{key} / {et}")
    assert (account.loc["check"].abs() < PUBLISHED_CHECK_ABS).all()


def test_every_cell_against_the_fixture_csv():
    path = FIXTURE / "monetary-asset-account.csv"
    if not path.exists():
        pytest.skip("../shared/fixtures/seealand not present")
    account = published_path().account
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[1]
    first = header.index("Forest")
    columns = [c.strip() for c in header[first:first + 7]]
    assert columns == ETS + [TOTAL]
    seen = set()
    for row in rows[2:]:
        labels = [c.strip() for c in row[:first] if c.strip()]
        if not labels:
            continue
        key = CSV_ROWS.get(labels[-1])
        if key is None:  # section headings: "Ecosystem conversions", "Other changes in volume …"
            assert not any(c.strip() for c in row[first:first + 7]), labels
            continue
        seen.add(key)
        for et, cell in zip(columns, row[first:first + 7]):
            published = float(cell) if cell.strip() else None
            if key == "check":
                assert abs(account.at[key, et]) < PUBLISHED_CHECK_ABS and abs(published) < PUBLISHED_CHECK_ABS
            else:
                assert_cell(account.at[key, et], published, f"{key} / {et}")
    assert seen == set(CSV_ROWS.values())


def test_published_decomposition_effects():
    """A few effects of the "NPV Decomposition" sheet (Results blocks, columns C–E) and the derived p, q."""
    d = published_path().decomposition.set_index(["ecosystem_type", "service"])
    assert d.loc[("Forest", "wood"), ["area_effect", "volume_effect", "price_effect"]].tolist() == pytest.approx(
        [-18586.164144798604, -62180.71391234683, 29048.85608901011], rel=RTOL)  # C22:E22
    assert d.loc[("Lake", "wild_fish"), "volume_effect"] == pytest.approx(15299.91483224001, rel=RTOL)  # D60
    assert d.loc[("Lake", "recreation"), "price_effect"] == pytest.approx(43098.3516401127, rel=RTOL)  # E61
    assert d.loc[("Seagrass", "wild_fish"), ["volume_effect", "price_effect"]].tolist() == pytest.approx(
        [-142396.95381893238, 150154.6571141527], rel=RTOL)  # D207:E207
    assert d.loc[("Seagrass", "wild_fish"), ["p0", "p1", "q0", "q1"]].tolist() == pytest.approx(
        [43.96031867291496, 159.46390106841704, 40, 12], rel=RTOL)  # F193, G193, N193, O193
    assert d.loc[("Cropland", "crop"), "area_effect"] == pytest.approx(16943.90840689915, rel=RTOL)  # C95
    # the three effects add up to the change in NPV for every row
    assert np.allclose(d["total_effect"], d["npv1"] - d["npv0"], rtol=0, atol=1e-6)


def test_override_is_recorded_with_its_reason():
    entries = published_path().entries
    crop = entries[(entries["ecosystem_type"] == "Cropland") & (entries["effect"] == "volume")]
    assert crop["entry"].tolist() == ["upward_reappraisals"] and crop["basis"].tolist() == ["override"]
    assert "0.0034" in crop["reason"].iloc[0]
    assert (entries.loc[entries["basis"] == "rule", "reason"] == "").all()
    # without the override the legend's rule makes it an enhancement (condition +0.0034)
    mech = mechanical_path().entries
    crop = mech[(mech["ecosystem_type"] == "Cropland") & (mech["effect"] == "volume")]
    assert crop["entry"].tolist() == ["enhancement"]
    with pytest.raises(AssetAccountError, match="reason"):
        EntryOverride("Cropland", "crop", "volume", "upward_reappraisals", " ")
    with pytest.raises(AssetAccountError, match="entry"):
        EntryOverride("Cropland", "crop", "volume", "appreciation", "why not")


def test_conversions_split_managed_unmanaged():
    account = published_path().account
    assert account.at["additions_managed", "Cropland"] == pytest.approx(16943.90840689915, rel=RTOL)
    assert account.at["reductions_managed", "Forest"] == pytest.approx(-43434.632199620435, rel=RTOL)
    assert account.loc[["additions_unmanaged", "reductions_unmanaged"]].abs().to_numpy().max() == 0


# ----------------------------------------------------------------------------------------------
# (b) NPV by ecosystem type


def test_npv_by_ecosystem_type():
    assert annuity_factor(RATE, LIFE) == pytest.approx(43.09835164011272, rel=1e-12)  # = 'NPV by ET'!D17 / D12
    table = npv_table(expected_flows(), RATE, LIFE)
    totals = npv_totals(table)
    for et, (v0, v1) in PUBLISHED_NPV.items():
        assert totals.loc[et, ["npv_0", "npv_1"]].tolist() == pytest.approx([v0, v1], rel=1e-12), et
    assert totals.loc[TOTAL, "npv_0"] == pytest.approx(3572206.8756907415, rel=1e-12)  # Monetary asset account K6
    assert totals.loc[TOTAL, "npv_1"] == pytest.approx(3623450.8157908367, rel=1e-12)  # K25
    assert totals.loc["Forest", "change"] == pytest.approx(-116365.54942830431, rel=1e-12)  # 'NPV by ET'!E22
    by_service = table.set_index(["ecosystem_type", "service"])
    for key, (v0, v1) in PUBLISHED_NPV_SERVICE.items():
        assert by_service.loc[key, ["npv_0", "npv_1"]].tolist() == pytest.approx([v0, v1], rel=1e-12), key
    # 'NPV by ET'!D15 (expected exchange values, total Forest, opening)
    assert by_service.loc["Forest", "value_0"].sum() == 21000


def test_npv_against_fixture_csv():
    path = FIXTURE / "npv-by-et.csv"
    if not path.exists():
        pytest.skip("../shared/fixtures/seealand not present")
    totals = npv_totals(npv_table(expected_flows(), RATE, LIFE))
    # each ET block has two "Total" lines: expected exchange values, then net present value — keep the last
    npv_rows, et = {}, None
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) > 1 and row[1].strip() in ETS:
                et = row[1].strip()
            if et and len(row) > 4 and row[2].strip() == "Total":
                npv_rows[et] = (float(row[3]), float(row[4]))
    assert set(npv_rows) == set(ETS)
    for et, (v0, v1) in npv_rows.items():
        assert totals.loc[et, ["npv_0", "npv_1"]].tolist() == pytest.approx([v0, v1], rel=1e-12), et


# ----------------------------------------------------------------------------------------------
# (c) monetary supply (GEP-like total)


def test_monetary_supply_total():
    flows = pd.DataFrame(ACTUAL, columns=["ecosystem_type", "service", "quantity", "price"])
    table = monetary_supply(flows)
    assert table.at[TOTAL, TOTAL] == 83125  # 'Monetary SUT' total supply (monetary-sut.csv)
    # 'Monetary SUT' TOTAL SUPPLY row by ET
    assert table.loc[TOTAL, ETS].tolist() == [19650, 26050, 11250, 12625, 1200, 12350]
    assert table.at["recreation", TOTAL] == 49000 and table.at["climate", TOTAL] == 10625


# ----------------------------------------------------------------------------------------------
# (d) the mechanical path: ES flows sheet's own visits and tonnes, the legend's rule everywhere


def test_mechanical_path():
    result = mechanical_path()
    account = result.account
    # NOTES.md item 1
    assert account.at["enhancement", "Lake"] == pytest.approx(58398.27, abs=0.005)
    assert account.at["revaluations", "Lake"] == pytest.approx(4525.33, abs=0.005)
    assert account.at["degradation", "Seagrass"] == pytest.approx(-21549.18, abs=0.005)
    assert account.at["revaluations", "Seagrass"] == pytest.approx(18532.29, abs=0.005)
    # NOTES.md item 2: Cropland's volume effect is an enhancement by the rule
    assert account.at["enhancement", "Cropland"] == pytest.approx(47703.619053269904, rel=RTOL)
    assert account.at["upward_reappraisals", "Cropland"] == 0
    # opening, closing and net change as published, for every column
    for key in ("opening_value", "net_change", "closing_value"):
        assert account.loc[key].tolist() == pytest.approx(PUBLISHED_ACCOUNT[key], rel=RTOL), key
    # other ETs' entries are unchanged
    published = published_path().account
    for et in ("Forest", "Urban area", "Wetland"):
        assert account.loc[list(ENTRIES), et].tolist() == pytest.approx(published.loc[list(ENTRIES), et].tolist(),
                                                                         rel=RTOL, abs=1e-9), et


# ----------------------------------------------------------------------------------------------
# (e) the balance check


def test_balance_check_names_the_type_and_the_gap():
    account = published_path().account.copy()
    check_balance(account)
    account.at["degradation", "Wetland"] -= 500.0
    with pytest.raises(AssetAccountError, match=r"Wetland.*gap -500"):
        check_balance(account)
    # the account builder checks too: an entry missing from the entries table
    result = published_path()
    entries = result.entries[~((result.entries["ecosystem_type"] == "Lake") & (result.entries["effect"] == "price"))]
    opening = result.totals.loc[ETS, "npv_0"].to_dict()
    closing = result.totals.loc[ETS, "npv_1"].to_dict()
    with pytest.raises(AssetAccountError, match=r"Lake.*gap -47,?623\.7"):
        asset_account(opening, closing, entries)


def test_decomposition_rejects_inconsistent_basic_data():
    basic = sheet_basic_data()
    basic.loc[0, "a0"] = 0  # a flow without area
    with pytest.raises(AssetAccountError, match="without area"):
        decompose(basic, LIFE)


def test_new_ecosystem_type_is_all_area_effect():
    """An ET that did not exist at opening, in basic data that give no unit prices: intensity and unit price
    come from the closing balance, so the whole value is an addition from conversion."""
    basic = pd.DataFrame([("New", "climate", 0, 5, 0, 10, 0.0, 10 * 26 * annuity_factor(RATE, LIFE))],
                         columns=["ecosystem_type", "service", "a0", "a1", "es0", "es1", "npv0", "npv1"])
    d = decompose(basic, LIFE)
    assert d.at[0, "area_effect"] == pytest.approx(d.at[0, "npv1"], rel=1e-12)
    assert d.at[0, "volume_effect"] == 0 and d.at[0, "price_effect"] == 0


# ----------------------------------------------------------------------------------------------
# (f) discount-rate sensitivity


def test_discount_rate_sensitivity():
    s = discount_rate_sensitivity(expected_flows(), LIFE)
    total = s[s["ecosystem_type"] == TOTAL].set_index("discount_rate")
    assert total.index.tolist() == [0.02, 0.04, 0.06, 0.08]
    assert (np.diff(total["npv_0"]) < 0).all() and (np.diff(total["npv_1"]) < 0).all()
    assert total.at[0.02, "npv_0"] == pytest.approx(3572206.8756907415, rel=1e-12)
    assert total.at[0.02, "npv_1"] == pytest.approx(3623450.8157908367, rel=1e-12)
    # doubling the rate at N = 100 roughly halves the value (factor 43.10 → 24.50)
    assert total.at[0.04, "npv_0"] / total.at[0.02, "npv_0"] == pytest.approx(24.50 / 43.10, rel=1e-3)
    # any list of rates, every ET monotone too
    fine = discount_rate_sensitivity(expected_flows(), LIFE, rates=np.linspace(0.0, 0.12, 13))
    for et, g in fine.groupby("ecosystem_type"):
        assert (np.diff(g["npv_0"]) < 0).all(), et
    assert fine[(fine["ecosystem_type"] == TOTAL) & (fine["discount_rate"] == 0)]["npv_0"].item() == \
        pytest.approx(sum(q0 * p0 for _, _, q0, _, p0, _ in EXPECTED) * LIFE)


def test_annuity_factor_forms():
    assert annuity_factor(0.0, 50) == 50
    assert annuity_factor(0.05, 30, timing="begin") == pytest.approx(annuity_factor(0.05, 30) * 1.05)
    # growing annuity = explicit sum
    r, g, n = 0.04, 0.01, 40
    assert annuity_factor(r, n, growth=g) == pytest.approx(sum((1 + g) ** (j - 1) / (1 + r) ** j
                                                               for j in range(1, n + 1)), rel=1e-12)
    assert annuity_factor(0.03, 10, growth=0.03) == pytest.approx(10 / 1.03)


def test_zero_opening_flow_takes_its_own_years_unit_price():
    """A balance without flow takes the unit price of its own year, V/Q = P · F / N (SEEA EA §A10.12).

    By hand: one grassland of a0 = a1 = 10 ha grazed 0 t in the opening year and 4 t/yr in the closing year, at
    50 and 60 currency/t; r = 0 and N = 10 yr, so F = N = 10 and the unit prices are the prices themselves.
    NPV0 = 0, NPV1 = 4 × 60 × 10 = 2400. Q0 = 0, Q1 = 4 × 10 = 40; q0 = 0, q1 = 40/10 = 4; p0 = 50 (own year),
    p1 = 2400/40 = 60.
        area effect   = (10 − 10) · … = 0
        volume effect = (4 − 0) · [(50·10 + 60·10)/3 + (50·10 + 60·10)/6] = 4 · (1100/3 + 1100/6) = 4 · 550 = 2200
        price effect  = (60 − 50) · [(0·10 + 4·10)/3 + (0·10 + 4·10)/6] = 10 · (40/3 + 40/6) = 10 · 20 = 200
    (2200 + 200 = 2400 = NPV1 − NPV0; with the other year's price, p0 = 60, it was all volume: 2400 and 0.)
    The vanishing flow (4 t → 0 t, same prices): NPV0 = 4 × 50 × 10 = 2000, NPV1 = 0, p0 = 2000/40 = 50, p1 = 60
    (own year): volume = (0 − 4) · 550 = −2200; price = (60 − 50) · [(4·10 + 0)/3 + (4·10 + 0)/6] = 200;
    −2200 + 200 = −2000 = NPV1 − NPV0. With no condition change the volume effect is a reappraisal, the price
    effect a revaluation."""
    flows = pd.DataFrame([("Grassland", "grazing", 0, 4, 50, 60)],
                         columns=["ecosystem_type", "service", "quantity_0", "quantity_1", "price_0", "price_1"])
    extent = {"Grassland": 10}
    result = monetary_asset_account(flows, extent, extent, {"Grassland": 0.0}, rate=0.0, asset_life=10)
    d = result.decomposition.iloc[0]
    assert [d.p0, d.p1, d.q0, d.q1] == pytest.approx([50, 60, 0, 4], rel=1e-12)
    assert [d.area_effect, d.volume_effect, d.price_effect] == pytest.approx([0, 2200, 200], rel=1e-12, abs=1e-9)
    account = result.account
    assert account.at["upward_reappraisals", "Grassland"] == pytest.approx(2200, rel=1e-12)
    assert account.at["revaluations", "Grassland"] == pytest.approx(200, rel=1e-12)

    vanishing = flows.assign(quantity_0=4, quantity_1=0)
    d = monetary_asset_account(vanishing, extent, extent, {"Grassland": 0.0}, rate=0.0,
                               asset_life=10).decomposition.iloc[0]
    assert [d.p0, d.p1] == pytest.approx([50, 60], rel=1e-12)
    assert [d.area_effect, d.volume_effect, d.price_effect] == pytest.approx([0, -2200, 200], rel=1e-12, abs=1e-9)


def test_zero_flow_unit_price_is_discounted_like_the_others():
    """At r = 2 % over N = 100 yr (SEEALand's F = 43.0983516…), the opening balance without flow takes
    p0 = P0 · F / N = 25 · 43.0983516… / 100 = 10.7745879… and the closing p1 = NPV1/Q1 = P1 · F / N =
    26 · 0.430983516… = 11.2055714…; with a0 = a1 = 5 ha, q1 = 10 · 100 / 5 = 200: price effect =
    (p1 − p0) · (q1 · a)/2 = 1 · 0.430983516… · 200 · 5 / 2 = 215.49175…, the rest of NPV1 is volume."""
    flows = pd.DataFrame([("Urban area", "climate", 0, 10, 25, 26)],
                         columns=["ecosystem_type", "service", "quantity_0", "quantity_1", "price_0", "price_1"])
    extent = {"Urban area": 5}
    d = monetary_asset_account(flows, extent, extent, {"Urban area": 0.0}, RATE, LIFE).decomposition.iloc[0]
    f = annuity_factor(RATE, LIFE)
    assert d.p0 == pytest.approx(25 * f / 100, rel=1e-12)
    assert d.price_effect == pytest.approx(f / 100 * 200 * 5 / 2, rel=1e-12)
    assert d.volume_effect == pytest.approx(10 * 26 * f - f / 100 * 200 * 5 / 2, rel=1e-12)
