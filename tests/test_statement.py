"""The asset-liability statement for a term: physical accounts, asset value (NPV of GEP flows),
liabilities, net assets; the command writes it like a run."""
from __future__ import annotations

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
