"""The asset-liability statement for a term: physical accounts, asset value (NPV of GEP flows),
liabilities, net assets; the command writes it like a run."""
from __future__ import annotations

import pandas as pd
import pytest

from gep.accounting import account
from gep.assets.statement import build_statement
from gep.cli import main
from gep.coefficients import load_register
from gep.inventory import load_inventory

from test_assets_physical import _tiny_with_afforestation

# annuity factor of SEEA EA §10.44 at 2.77 % over 100 years, payments at year end (博文静 et al. 2017)
F = (1 - 1.0277 ** -100) / 0.0277


def test_statement_of_a_term_by_hand(tmp_path):
    inv = load_inventory(_tiny_with_afforestation(tmp_path, True))
    reg = load_register()
    results = account(inv, reg)
    st = build_statement(inv, reg, results, "990000", 2020, 2021)
    gep = results.summary.set_index(["region_code", "year"])["gep_yuan"]
    s = st.summary.set_index("item")
    # asset value = NPV of the year's GEP flows = GEP × F (flows held constant over the asset life)
    assert s.loc["asset_value", "opening_yuan"] == pytest.approx(gep[("990000", 2020)] * F, rel=1e-9)
    assert s.loc["asset_value", "closing_yuan"] == pytest.approx(gep[("990000", 2021)] * F, rel=1e-9)
    assert s.loc["net_assets", "closing_yuan"] == pytest.approx(s.loc["asset_value", "closing_yuan"]
                                                                - s.loc["liabilities", "closing_yuan"])
    acc = st.monetary.account
    # the balance identity holds per ecosystem group; forest grew by 10 hm² of afforestation: an addition
    assert (acc.loc["check"].abs() < 1e-3).all()
    assert acc.loc["additions", "forest"] > 0
    assert st.physical["extent"].table.loc["additions:managed", "forest"] == 10
    assert {0.02, 0.04, 0.06, 0.08} <= set(st.sensitivity["discount_rate"].round(4))
    # condition account: forest stock 8000 + 1000 + 30000 = 39 000 m³ on 400 hm² (97.5 m³/hm²), then on 410 hm²
    # (10 hm² planted, no stock yet): index 400/410 = 0.9756, a decline of 2.44 %
    cond = st.condition.set_index("indicator").loc["stock_per_hectare"]
    assert cond["opening"] == pytest.approx(97.5) and cond["closing"] == pytest.approx(39000 / 410)
    assert cond["index_change"] == pytest.approx(400 / 410 - 1)
    # with the forest's condition down, a fall of a forest flow per hectare is degradation, not a reappraisal
    forest_volume = st.monetary.entries.query("ecosystem_type == 'forest' and effect == 'volume'")
    assert set(forest_volume.loc[forest_volume["amount"] < 0, "entry"]) <= {"degradation"}
    assert set(forest_volume.loc[forest_volume["amount"] > 0, "entry"]) <= {"upward_reappraisals"}
    # the sensitivity at 2 % over the same 100 years: GEP × F(2 %) with F(2 %) = [1 − 1.02⁻¹⁰⁰] / 0.02 = 43.098…
    sens = st.sensitivity[st.sensitivity["ecosystem_type"] == "TOTAL"].set_index("discount_rate")
    f2 = (1 - 1.02 ** -100) / 0.02
    assert sens.loc[0.02, "npv_0"] == pytest.approx(gep[("990000", 2020)] * f2, rel=1e-9)
    assert sens.loc[0.02, "npv_1"] == pytest.approx(gep[("990000", 2021)] * f2, rel=1e-9)
    # the notes: forest has a condition indicator; grassland and wetland (the reservoir) have none, so their
    # volume effects are reappraisals — and the note names those two groups only
    en = [n["en"] for n in st.notes]
    assert any(n.startswith("condition account: forest stock volume per hectare") for n in en)
    no_condition = [n for n in en if "no condition indicator" in n]
    assert len(no_condition) == 1 and no_condition[0].startswith("Grassland, Wetland: no condition indicator, so ")
    zh = [n["zh"] for n in st.notes]
    assert any(n.startswith("草地、湿地无状况指标") for n in zh)


def test_statement_command_writes_the_statement(tmp_path, capsys):
    inv = _tiny_with_afforestation(tmp_path, True)
    out = tmp_path / "statement"
    assert main(["statement", str(inv), "--from", "2020", "--to", "2021", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"statement.html", "statement.xlsx", "statement_summary.csv", "asset_account.csv", "liabilities.csv",
            "physical_extent.csv", "change_matrix.csv", "manifest.json"} <= names
    html = (out / "statement.html").read_text(encoding="utf-8")
    assert "总表" in html and "分类表" in html and "扩展表" in html and "-0.00" not in html
    assert main(["statement", str(inv), "--from", "2020", "--to", "2021", "--out", str(out)]) == 1  # never overwritten


def test_an_unbalanced_term_is_refused(tmp_path, capsys):
    inv = _tiny_with_afforestation(tmp_path, False)  # forest grew, no change recorded
    assert main(["statement", str(inv), "--from", "2020", "--to", "2021", "--out", str(tmp_path / "s")]) == 1
    assert "extent account, forest" in capsys.readouterr().err


def test_a_statement_folder_is_reproducible_and_verifiable(tmp_path, capsys):
    import json
    import zipfile

    from gep.audit import pack, verify
    inv = _tiny_with_afforestation(tmp_path, True)
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert main(["statement", str(inv), "--from", "2020", "--to", "2021", "--out", str(out)]) == 0
    manifest = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    # the inputs are kept in the folder and every output file is listed with its hash
    assert "inputs/inventory/extent.csv" in manifest["inputs"] and manifest["options"]["kind"] == "statement"
    assert manifest["reproducible_command"] == "gep statement inv --from 2020 --to 2021"
    for name in manifest["outputs"]:  # two runs on the same inputs: byte-identical outputs
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    result = verify(pack(a))
    assert result.ok and result.figures > 0, result.lines
    # one figure of an input changed inside the pack: the altered file and the figures that move are named
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(pack(b)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("inputs/inventory/extent.csv"):
                data = data.replace(b",2021,forest,110", b",2021,forest,111", 1)
                assert b",2021,forest,111" in data
            dst.writestr(info, data)
    result = verify(tampered)
    assert not result.ok
    assert any("altered file: inputs/inventory/extent.csv" in p for p in result.file_problems)


def test_the_statement_in_english(tmp_path):
    inv = _tiny_with_afforestation(tmp_path, True)
    out = tmp_path / "en"
    assert main(["statement", str(inv), "--from", "2020", "--to", "2021", "--out", str(out), "--lang", "en"]) == 0
    html = (out / "statement.html").read_text(encoding="utf-8")
    assert "Ecological asset-liability statement" in html and "Managed expansion" in html
    assert "Afforestation / replanting (AFF_PLANT)" in html and "期初存量" not in html
    import json
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["reproducible_command"].endswith("--lang en")


def test_a_townships_change_matrix_holds_only_its_own_conversions(tmp_path):
    inv = load_inventory(_tiny_with_afforestation(tmp_path, True))
    reg = load_register()
    # 乙乡 (990002) had no conversion; 甲镇's 10 hm² of afforestation must not appear in its matrix:
    # forest 300 → 300, other 100 → 100 on the diagonal
    st = build_statement(inv, reg, account(inv, reg), "990002", 2020, 2021)
    m = st.change_matrix
    assert m.loc["forest", "forest"] == 300 and m.loc["other", "other"] == 100
    assert m.loc["other", "forest"] == 0 and m.loc["closing", "opening"] == 400


def test_a_flow_of_the_whole_region_new_in_the_term_has_no_price_effect(tmp_path):
    """The tiny county's grain (粮食, farmland: no farmland in its extent, so valued with the whole region) is
    produced in 2021 only: 10 t at 3000 元/t. Its opening balance has no flow, and its price in 2020 is unknown, so
    it takes its 2021 price (as every flow new in the term does): no price effect, and the whole NPV of the flow,
    10 × 3000 × F = 30 000 F 元, is a volume effect (a placeholder price would have made a price effect of it)."""
    from conftest import tiny_tables, write_tables
    t = tiny_tables()
    t["products"] = [r for r in t["products"] if not (r["product"] == "粮食" and r["year"] == 2020)]
    inv = load_inventory(write_tables(tmp_path / "grain", t))
    reg = load_register()
    st = build_statement(inv, reg, account(inv, reg), "990000", 2020, 2021)
    d = st.monetary.decomposition.set_index(["ecosystem_type", "service"]).loc[("all", "agriculture_products/粮食")]
    assert d["price_effect"] == pytest.approx(0, abs=1e-9)
    assert d["volume_effect"] == pytest.approx(10 * 3000 * F, rel=1e-9)


def test_a_zero_flow_keeps_its_own_years_unit_price_in_the_decomposition(tmp_path):
    # SEEA EA A10.12: a balance whose flow is zero is valued at its own year's unit price V/Q = P × F / N.
    # With no NPP in 2020, the county's carbon flow is 0 t CO2 in 2020; its price that year is the national
    # market's 2021 average 42.85 元/t carried back by the 2021 CPI (100.92): 42.459 元/t. With F = (1 − 1.0277⁻¹⁰⁰)
    # / 0.0277 (2.77 % over 100 years, the statement's default), p0 = 42.85 / 1.0092 × F / 100 = 14.3309 and
    # p1 = 42.85 × F / 100 = 14.4628, so the change has a price effect, not only a volume effect
    from conftest import tiny_tables, write_tables
    from gep.accounting import account
    from gep.assets.statement import build_statement
    from gep.coefficients import load_register
    from gep.inventory import load_inventory
    t = tiny_tables()
    for r in t["conditions"]:
        if r["year"] == 2020 and r["npp [g C/(m2*a)]"] != "":
            r["npp [g C/(m2*a)]"] = 0
    inventory, register = load_inventory(write_tables(tmp_path / "inventory", t)), load_register()
    st = build_statement(inventory, register, account(inventory, register), "990000", 2020, 2021)
    d = st.monetary.decomposition
    forest = d[(d["service"] == "carbon_sequestration/co2_fixed") & (d["ecosystem_type"] == "forest")].iloc[0]
    factor = (1 - 1.0277 ** -100) / 0.0277
    assert forest["p0"] == pytest.approx(42.85 / 1.0092 * factor / 100, rel=1e-9)
    assert forest["p1"] == pytest.approx(42.85 * factor / 100, rel=1e-9)
    assert forest["price_effect"] != 0


# ----------------------------------------------------------------------------------------------
# liabilities in the statement, opening and closing, and net assets = assets − liabilities

#: a user register for the statement below: the forest restoration cost is not in the default register
#: (coefficients/default.csv has no *_restoration_cost row), so a test value is declared: 2000 元/亩 =
#: 2000 × 15 亩/hm² = 30 000 元/hm²
RESTORATION_ROW = ("forest_restoration_cost", 2000, "元/亩", 2020, "none", "", "", "test value")


def _tiny_with_liabilities(tmp_path):
    """The tiny county (conftest.py: forest 100 hm² in 甲镇 990001 — 80 natural, 20 planted — and 300 hm² natural
    in 乙乡 990002, of 600 hm² land; wetland: 甲镇's 20 hm² reservoir) with

    - a binding forest-coverage target of 70 % dated 2020 (binding at the end of 2020 and of 2021) and a wetland
      target of 25 hm² dated 2021 (a distance at the end of 2020, binding at the end of 2021);
    - an illegal clearance in each year, recorded as the inventory format asks of any forest change: in the
      extent account (forest → other) and in the forest-area account (natural forest −), each a row with cause
      ILLEGAL: 6 hm² in 甲镇 in 2020 (the 2020 stocks are those after it), 12 hm² with its 1200 m³ of stock in
      乙乡 in 2021 (乙乡 2021: forest 300 → 288 hm², other 100 → 112 hm², natural forest stock 30 000 → 28 800 m³)."""
    from conftest import tiny_tables, write_tables
    t = tiny_tables()
    for r in t["extent"]:
        if (r["region_code"], r["year"]) == ("990002", 2021):
            r["area [hm2]"] = {"forest": 288, "other": 112}[r["ecosystem"]]
    for r in t["forest"]:
        if (r["region_code"], r["year"]) == ("990002", 2021):
            r["area [hm2]"], r["stock_volume [m3]"] = 288, 28_800
    t["targets"] = [
        {"region_code": "990000", "year": 2020, "indicator": "forest_coverage", "value": 70, "unit": "%",
         "source": "test: binding coverage target"},
        {"region_code": "990000", "year": 2021, "indicator": "wetland_area", "value": 25, "unit": "hm2",
         "source": "test: wetland target"},
    ]

    def illegal(region, year, account, item, from_item, amount, unit):
        return {"region_code": region, "year": year, "account": account, "item": item, "from_item": from_item,
                "cause": "ILLEGAL", "amount": amount, "unit": unit, "source": "test: 执法记录"}

    t["changes"] = [
        illegal("990001", 2020, "extent", "other", "forest", 6, "hm2"),
        illegal("990001", 2020, "forest_area", "natural", "", -6, "hm2"),
        illegal("990002", 2021, "extent", "other", "forest", 12, "hm2"),
        illegal("990002", 2021, "forest_area", "natural", "", -12, "hm2"),
        illegal("990002", 2021, "forest_stock", "natural", "", -1200, "m3"),
    ]
    return write_tables(tmp_path / "inv", t)


# Liabilities by hand (gep/assets/liabilities.py; the statement takes the opening ones for 2019 → 2020, the
# closing ones for 2020 → 2021):
#   coverage shortfall, opening: forest 100 + 300 = 400 of 600 hm² = 66.67 % against 70 %: 3.33 points × 600 hm² / 100
#       = 20 hm² × 2500 元/亩 (register forest_indicator_price, Chongqing deals) × 15 亩/hm² = 750 000 元
#   coverage shortfall, closing: forest 100 + 288 = 388 hm² = 64.67 %: 5.33 points = 32 hm² × 37 500 = 1 200 000 元
#   restoration owed, opening: 6 hm² cleared in 2020 × 30 000 元/hm² (RESTORATION_ROW) = 180 000 元
#   restoration owed, closing: 12 hm² cleared in 2021 × 30 000 元/hm² = 360 000 元
#   wetland: 20 hm² (the reservoir) against 25: 5 hm² — a distance at the opening (dated 2021, value 0), binding at
#       the closing but without a wetland restoration cost in the registers: physical only, not in the total
#   liabilities: opening 750 000 + 180 000 = 930 000 元; closing 1 200 000 + 360 000 = 1 560 000 元
LIABILITIES_OPENING, LIABILITIES_CLOSING = 750_000 + 180_000, 1_200_000 + 360_000


def _assert_liabilities(lia, balance):
    """``lia``: one balance's liabilities (rows liability × indicator), checked against the hand values above."""
    lia = lia.set_index(["liability", "indicator"])
    cov = lia.loc[("target_shortfall", "forest_coverage")]
    wet = lia.loc[("target_shortfall", "wetland_area")]
    restoration = lia.xs("restoration_owed", level="liability")
    if balance == "opening":
        assert cov["actual"] == pytest.approx(100 * 400 / 600) and cov["quantity"] == pytest.approx(20.0)
        assert cov["value_yuan"] == pytest.approx(750_000)
        assert wet["quantity"] == pytest.approx(5.0) and wet["value_yuan"] == 0 and not bool(wet["binding"])
        # 6 hm² cleared once, whichever accounts record it
        assert restoration["quantity"].sum() == pytest.approx(6.0)
        assert restoration["value_yuan"].sum() == pytest.approx(180_000)
    else:
        assert cov["actual"] == pytest.approx(100 * 388 / 600) and cov["quantity"] == pytest.approx(32.0)
        assert cov["value_yuan"] == pytest.approx(1_200_000)
        assert wet["quantity"] == pytest.approx(5.0) and bool(wet["binding"]) and pd.isna(wet["value_yuan"])
        assert restoration["quantity"].sum() == pytest.approx(12.0)
        assert restoration["value_yuan"].sum() == pytest.approx(360_000)
    assert bool(cov["binding"]) and cov["threshold_source"] == "test: binding coverage target"


def test_statement_liabilities_and_net_assets_by_hand(tmp_path):
    from conftest import write_register
    inv = load_inventory(_tiny_with_liabilities(tmp_path))
    reg = load_register(write_register(tmp_path / "restoration.csv", RESTORATION_ROW))
    results = account(inv, reg)
    st = build_statement(inv, reg, results, "990000", 2020, 2021)
    _assert_liabilities(st.liabilities_start, "opening")
    _assert_liabilities(st.liabilities_end, "closing")
    gep = results.summary.set_index(["region_code", "year"])["gep_yuan"]
    assets_0, assets_1 = gep[("990000", 2020)] * F, gep[("990000", 2021)] * F  # NPV of the year's flows (see above)
    s = st.summary.set_index("item")
    assert s.loc["asset_value", "opening_yuan"] == pytest.approx(assets_0, rel=1e-9)
    assert s.loc["asset_value", "closing_yuan"] == pytest.approx(assets_1, rel=1e-9)
    assert s.loc["liabilities", "opening_yuan"] == pytest.approx(LIABILITIES_OPENING)
    assert s.loc["liabilities", "closing_yuan"] == pytest.approx(LIABILITIES_CLOSING)
    assert s.loc["liabilities", "change_yuan"] == pytest.approx(1_560_000 - 930_000)
    # net assets = asset value − liabilities (SEEA degradation beside, never netted in)
    assert s.loc["net_assets", "opening_yuan"] == pytest.approx(assets_0 - 930_000, rel=1e-9)
    assert s.loc["net_assets", "closing_yuan"] == pytest.approx(assets_1 - 1_560_000, rel=1e-9)
    assert s.loc["net_assets", "change_yuan"] == pytest.approx((assets_1 - 1_560_000) - (assets_0 - 930_000),
                                                               rel=1e-9)


def test_statement_command_writes_the_liabilities_and_net_assets(tmp_path):
    """The same statement through ``gep statement``: liabilities.csv and statement_summary.csv carry the hand values
    of test_statement_liabilities_and_net_assets_by_hand."""
    from conftest import write_register
    from gep.outputs import cell_texts
    inv = _tiny_with_liabilities(tmp_path)
    register = write_register(tmp_path / "restoration.csv", RESTORATION_ROW)
    out = tmp_path / "statement"
    assert main(["statement", str(inv), "--from", "2020", "--to", "2021", "--coefficients", str(register),
                 "--out", str(out)]) == 0
    lia = cell_texts(pd.read_csv(out / "liabilities.csv"))
    assert set(lia["balance"]) == {"opening", "closing"}
    _assert_liabilities(lia[lia["balance"] == "opening"].drop(columns="balance"), "opening")
    _assert_liabilities(lia[lia["balance"] == "closing"].drop(columns="balance"), "closing")
    s = pd.read_csv(out / "statement_summary.csv").set_index("item")
    assert s.loc["liabilities", "opening_yuan"] == pytest.approx(LIABILITIES_OPENING)
    assert s.loc["liabilities", "closing_yuan"] == pytest.approx(LIABILITIES_CLOSING)
    for balance, owed in (("opening", LIABILITIES_OPENING), ("closing", LIABILITIES_CLOSING)):
        assert s.loc["net_assets", f"{balance}_yuan"] == pytest.approx(s.loc["asset_value", f"{balance}_yuan"] - owed,
                                                                       rel=1e-12)


# ----------------------------------------------------------------------------------------------
# the expected flows and the condition account, on inputs built by hand

SERVICE_COLUMNS = ["region_code", "year", "ecosystem", "service", "indicator", "quantity", "quantity_unit", "price",
                   "price_unit", "value_yuan", "in_gep"]


def _services(rows):
    return pd.DataFrame(rows, columns=SERVICE_COLUMNS)


def test_expected_flows_by_hand():
    """- timber from the forest: 100 m³ at 50 元/m³ in 2020, none in 2021 at 60 元/m³ (a zero flow keeps its own
      year's price);
    - recreation in the whole region: 2000 visits at 300 元 in 2020 only (absent in 2021: it takes 2020's price);
    - forestry output given by its value only (50 000 元 in 2020, 40 000 元 in 2021, no quantity; a market price of
      2000 元/t is kept beside it): quantity = value, price 1;
    - left out: a figure not in GEP, another region's figure, another year's."""
    from gep.assets.statement import expected_flows
    rows = [
        ("990000", 2020, "forest", "timber", "m3", 100.0, "m3", 50.0, "yuan/m**3", 5000.0, True),
        ("990000", 2021, "forest", "timber", "m3", 0.0, "m3", 60.0, "yuan/m**3", 0.0, True),
        ("990000", 2020, "all", "recreation", "visits", 2000.0, "visit", 300.0, "yuan/visit", 600_000.0, True),
        ("990000", 2020, "forest", "forestry_products", "output", float("nan"), "yuan", 2000.0, "元/t", 50_000.0, True),
        ("990000", 2021, "forest", "forestry_products", "output", float("nan"), "yuan", 2000.0, "元/t", 40_000.0, True),
        ("990000", 2021, "forest", "pest_control", "natural_area", 380.0, "hm2", 480.0, "yuan/hectare", 182_400.0,
         False),
        ("990001", 2021, "forest", "timber", "m3", 999.0, "m3", 50.0, "yuan/m**3", 49_950.0, True),
        ("990000", 2019, "forest", "timber", "m3", 999.0, "m3", 50.0, "yuan/m**3", 49_950.0, True),
    ]
    flows = expected_flows(_services(rows), "990000", 2020, 2021)
    flows = flows.set_index(["ecosystem_type", "service"])
    assert sorted(flows.index) == [("all", "recreation/visits"), ("forest", "forestry_products/output"),
                                   ("forest", "timber/m3")]
    cols = ["quantity_0", "quantity_1", "price_0", "price_1"]
    assert list(flows.loc[("forest", "timber/m3"), cols]) == pytest.approx([100.0, 0.0, 50.0, 60.0], rel=1e-12)
    assert list(flows.loc[("all", "recreation/visits"), cols]) == pytest.approx([2000.0, 0.0, 300.0, 300.0],
                                                                                 rel=1e-12)
    assert list(flows.loc[("forest", "forestry_products/output"), cols]) == \
        pytest.approx([50_000.0, 40_000.0, 1.0, 1.0], rel=1e-12)


def test_expected_flows_of_a_term_whose_opening_year_has_no_figure():
    # every figure of 2021 only: opening quantities 0, each at its closing price (500 t at 20 元/t)
    from gep.assets.statement import expected_flows
    rows = [("990000", 2021, "forest", "timber", "t", 500.0, "t", 20.0, "yuan/t", 10_000.0, True)]
    flows = expected_flows(_services(rows), "990000", 2020, 2021).iloc[0]
    assert (flows.ecosystem_type, flows.service) == ("forest", "timber/t")
    assert [flows.quantity_0, flows.quantity_1, flows.price_0, flows.price_1] == \
        pytest.approx([0.0, 500.0, 20.0, 20.0], rel=1e-12)


def _stock_and_area(stock, area):
    """Physical accounts reduced to what condition_account reads: opening and closing TOTAL of forest stock
    [m³] and forest area [hm²]."""
    from types import SimpleNamespace
    def table(opening, closing):
        return SimpleNamespace(table=pd.DataFrame({"TOTAL": [opening, closing]}, index=["opening", "closing"]))
    return {"forest_stock": table(*stock), "forest_area": table(*area)}


def test_condition_account_by_hand():
    from gep.assets.statement import condition_account
    columns = ["ecosystem_type", "indicator", "unit", "opening", "closing", "index_opening", "index_closing",
               "index_change"]
    # 39 000 m³ on 400 hm² = 97.5 m³/hm², then 41 000 m³ on 410 hm² = 100 m³/hm²: index 100 / 97.5 = 1.02564…
    c = condition_account(_stock_and_area((39_000.0, 41_000.0), (400.0, 410.0)))
    assert list(c.columns) == columns and len(c) == 1
    row = c.iloc[0]
    assert (row.ecosystem_type, row.indicator, row.unit) == ("forest", "stock_per_hectare", "m³/hm²")
    assert [row.opening, row.closing, row.index_opening] == pytest.approx([97.5, 100.0, 1.0], rel=1e-12)
    assert row.index_change == pytest.approx(100 / 97.5 - 1, rel=1e-12)
    # no forest at the opening (a forest planted in the term): no stock per hectare to compare with, no row
    empty = condition_account(_stock_and_area((0.0, 500.0), (0.0, 10.0)))
    assert list(empty.columns) == columns and len(empty) == 0
    # no forest accounts at all: the same empty table
    assert list(condition_account({}).columns) == columns


# ----------------------------------------------------------------------------------------------
# build_statement on GEP figures written by hand (the results object reduced to what the statement reads)

def _results(rows):
    """What build_statement reads of the accounting results: the accounting years and the services table."""
    from types import SimpleNamespace
    return SimpleNamespace(years=[2020, 2021], services=_services(rows))


#: a crop grown on farmland and in urban gardens of the tiny county, which has neither ecosystem in its extent
#: (forest, wetland_reservoir, grassland, other): both flows are valued with the whole region ("all") as one flow
CROPS = [
    ("990000", 2020, "farmland", "agriculture_products", "crop", 10.0, "t", 2.0, "yuan/t", 20.0, True),
    ("990000", 2020, "urban", "agriculture_products", "crop", 30.0, "t", 4.0, "yuan/t", 120.0, True),
    ("990000", 2021, "farmland", "agriculture_products", "crop", 0.25, "t", 2.0, "yuan/t", 0.5, True),
    ("990000", 2021, "urban", "agriculture_products", "crop", 0.75, "t", 4.0, "yuan/t", 3.0, True),
]


def _note_keys(st):
    """The phrase keys of the statement's notes, found by the English text before the first placeholder; a note
    matching none of them is the no_condition note, whose English text starts with its placeholder ({groups})."""
    from gep.phrases import text
    keys = ["condition", "asset_value", "unvalued_liabilities", "no_water_account", "water_account"]
    heads = {k: text(f"statement.note.{k}", "en").split("{")[0][:25] for k in keys}
    return [next((k for k in keys if n["en"].startswith(heads[k])), "no_condition") for n in st.notes]


def test_flows_of_types_without_area_merge_at_their_value_per_quantity(tmp_path):
    """The crops of farmland and urban land merge into one whole-region flow whose price is its value per
    quantity: 2020: 10 t + 30 t = 40 t worth 10 × 2 + 30 × 4 = 140 元, 140 / 40 = 3.5 元/t; 2021: 0.25 t + 0.75 t =
    1 t worth 0.25 × 2 + 0.75 × 4 = 3.5 元, 3.5 元/t (not the first flow's own price, 2 元/t)."""
    inv = load_inventory(_tiny_with_afforestation(tmp_path, True))
    st = build_statement(inv, load_register(), _results(CROPS), "990000", 2020, 2021)
    assert list(st.flows.columns) == ["ecosystem_type", "service", "quantity_0", "quantity_1", "price_0", "price_1"]
    assert len(st.flows) == 1
    row = st.flows.iloc[0]
    assert (row.ecosystem_type, row.service) == ("all", "agriculture_products/crop")
    assert [row.quantity_0, row.quantity_1, row.price_0, row.price_1] == pytest.approx([40.0, 1.0, 3.5, 3.5],
                                                                                       rel=1e-12)
    # asset value: 140 元 × F opening, 3.5 元 × F closing
    s = st.summary.set_index("item")
    assert s.loc["asset_value", "opening_yuan"] == pytest.approx(140 * F, rel=1e-9)
    assert s.loc["asset_value", "closing_yuan"] == pytest.approx(3.5 * F, rel=1e-9)
    # the notes: the forest's condition, the asset value, the unvalued liabilities; the term's changes are
    # extent and forest-area changes only, no water: no note on a water account
    assert _note_keys(st) == ["condition", "asset_value", "unvalued_liabilities"]


def test_a_statement_without_water_stocks_says_why_it_has_no_water_account(tmp_path):
    """Water flows recorded in 2021, but the water_resources table holds the 2020 stock only: no water account (a
    stock account needs both balances), and the note says the stocks of 2020 or 2021 are missing."""
    from conftest import tiny_tables, write_tables
    t = tiny_tables()
    t["water_resources"] = [{"region_code": "990001", "year": 2020, "item": "reservoir", "volume [m3]": 1_000_000}]
    t["changes"] = [{"region_code": "990001", "year": 2021, "account": "water", "item": "reservoir", "from_item": "",
                     "cause": "EVAPORATION", "amount": -1000, "unit": "m3"}]
    inv = load_inventory(write_tables(tmp_path / "inv", t))
    st = build_statement(inv, load_register(), _results(CROPS), "990000", 2020, 2021)
    assert "water" not in st.physical
    assert _note_keys(st) == ["condition", "asset_value", "unvalued_liabilities", "no_water_account"]
    assert st.notes[-1]["en"] == ("no water account: the inventory records water flows, but its water_resources "
                                  "table lacks the stocks of 2020 or 2021")
    assert st.notes[-1]["zh"] == "水资源账户未编制：清单有水资源变动，但 water_resources 表缺 2020 或 2021 年的存量"


def test_a_statement_with_a_water_account_notes_what_its_stocks_cover(tmp_path):
    from test_assets_physical import _tiny_with_water
    inv = load_inventory(_tiny_with_water(tmp_path, "1.02"))
    st = build_statement(inv, load_register(), _results(CROPS), "990000", 2020, 2021)
    # 1.00亿 + 300万 − 100万 = 1.02亿m³ (the docstring of _tiny_with_water)
    assert st.physical["water"].table.loc["closing", "reservoir"] == pytest.approx(1.02e8, rel=1e-12)
    assert _note_keys(st) == ["condition", "asset_value", "unvalued_liabilities", "water_account"]
    assert st.notes[-1]["en"].startswith("water account: only the water resources with a stock in the inventory")


def test_condition_account_needs_both_forest_accounts():
    # a forest-stock account without a forest-area account: no stock per hectare, an empty condition account
    from gep.assets.statement import condition_account
    c = condition_account({"forest_stock": _stock_and_area((39_000.0, 41_000.0), (400.0, 410.0))["forest_stock"]})
    assert len(c) == 0 and "index_change" in c.columns
    c = condition_account({"forest_area": _stock_and_area((39_000.0, 41_000.0), (400.0, 410.0))["forest_area"]})
    assert len(c) == 0
