"""Trading valuation: coverage-indicator trades, contract terms, water compensation, carbon, and ``gep trade``.

Expected values are computed by hand in the comments; the real deal is 城口 → 九龙坡 2019-11-05, 1.5万亩 for
3750万元 (人民日报 repost http://xsdnews.net/nongyenongcun/102097.html, chengkou-data.md §2.1).
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from gep.accounting import account
from gep.assets.liabilities import contracted_obligations, sold_forest_area
from gep.cli import main
from gep.coefficients import load_register
from gep.inventory import InventoryError, load_inventory
from gep.outputs import sha256
from gep.trading.carbon import carbon_value, co2_from_nep, co2_from_results
from gep.trading.contract import maintenance_schedule, payment_schedule, present_value
from gep.trading.coverage import buyer_coverage, check_sale, forest_coverage
from gep.trading.request import RequestError, load_request
from gep.trading.valuation import TRADING_REGISTER, read_monitoring, value_request
from gep.trading.water import settle, yearly_net
from gep.units import UnitError, quantity

from conftest import CHENGKOU, SHARED, tiny_tables, write_tables

REQUESTS = CHENGKOU / "requests"


@pytest.fixture(scope="module")
def chengkou():
    inventory = load_inventory(CHENGKOU)
    register = load_register(TRADING_REGISTER)
    return inventory, register, account(inventory, register).services


def test_the_2019_deal_chengkou_to_jiulongpo(chengkou):
    inventory, register, services = chengkou
    v = value_request(load_request(REQUESTS / "2019-jiulongpo.yaml"), register, inventory, services)
    tr = v.result["trade"]
    # 1.5万亩 = 15 000 亩 = 1000 hm² (15 亩 = 1 hm²); 15 000 亩 × 2500 元/亩 = 37 500 000 元 = 3750万元
    assert tr["area_requested_ha"] == pytest.approx(1000.0)
    assert tr["total_price_yuan"] == pytest.approx(37_500_000)
    seller = tr["seller"]
    # 城口 land 3289.09 km² = 328 909 hm²; the sale lowers its own coverage by 1000 / 328 909 = 0.304 points
    assert seller["terms"]["land_area"]["value"] == pytest.approx(328_909)
    assert seller["coverage_before_pct"] - seller["coverage_after_pct"] == pytest.approx(100_000 / 328_909)
    # between the published 2018 (67.3 %) and 2020 (70.2 %) coverage (chengkou-data.md §1.2)
    assert 67.3 < seller["coverage_before_pct"] < 70.2
    # still above the target the request declares (55 %, unverified stand-in for the 尽责目标)
    assert tr["feasible"] and seller["coverage_after_pct"] > seller["target_coverage_pct"] == 55.0
    assert seller["terms"]["target_coverage"]["status"] == "unverified"
    # the deal being valued is the inventory's own 2019 obligation row: not counted twice as an earlier sale
    assert seller["terms"]["already_sold"]["value"] == 0
    # 3 equal instalments of 1250万 at t = 0, 1, 2 at 8 %: 1250万 × (1 + 1/1.08 + 1/1.08²) = 3479.0809万
    assert tr["pv_payments_yuan"] == pytest.approx(12_500_000 * (1 + 1 / 1.08 + 1 / 1.08 ** 2))
    eco = tr["ecological_value"]
    assert eco["gep_per_mu_yuan"] == pytest.approx(eco["forest_gep_yuan"] / (seller["terms"]["forest_area"]["value"] * 15))
    assert eco["price_per_gep_per_mu"] == pytest.approx(2500 / eco["gep_per_mu_yuan"])
    assert "water_conservation" in eco["services"] and "recreation" not in eco["services"]


def test_the_largest_sale_in_2021_against_the_county_plan_target(chengkou):
    inventory, register, services = chengkou
    v = value_request(load_request(REQUESTS / "2021-largest-sale.yaml"), register, inventory, services)
    tr = v.result["trade"]
    # forest 2021 359万亩 = 239 333.3333 hm² (inventory, 4 decimals) less the 1000 hm² sold in 2019, against
    # 72.8 % × 328 909 = 239 445.752 hm²: 1112.4187 hm² short, so nothing can be sold
    assert tr["seller"]["target_coverage_pct"] == 72.8
    assert tr["seller"]["terms"]["already_sold"]["value"] == pytest.approx(1000.0)
    assert tr["seller"]["surplus_ha"] == pytest.approx(239_333.3333 - 1000 - 0.728 * 328_909)
    assert not tr["feasible"] and tr["max_area_ha"] == 0 and "nothing can be sold" in tr["reason"]
    assert "unverified as the 尽责目标" in tr["seller"]["terms"]["target_coverage"]["status"]
    # under the city's 2022 goal of 55 % instead: 238 333.3333 − 0.55 × 328 909 = 57 433.3833 hm² = 861 500.75 亩
    sens = v.tables["target_sensitivity"].set_index("target_pct")
    assert sens.loc[55.0, "max_area_ha"] == pytest.approx(57_433.3833) and sens.loc[72.8, "max_area_ha"] == 0
    # carbon at the afforestation cost 1320 元/t C: CO₂ × 12/44 × 1320
    c = v.result["carbon"]
    assert c["value_yuan_per_a"] == pytest.approx(c["co2_t_per_a"] * 12 / 44 * 1320)


def test_an_infeasible_request_gives_the_reason_and_the_largest_area():
    # land 600 hm², forest 400 hm², own target 60 %: 400 − 0.6 × 600 = 40 hm² above target
    land, forest, target = quantity(600, "hm2"), quantity(400, "hm2"), quantity(60, "%")
    check = check_sale(quantity(50, "hm2"), forest, land, target)
    assert not check.feasible and check.max_area_ha == pytest.approx(40) and "at most 40.00 hm²" in check.reason
    assert check.coverage_after == pytest.approx(350 / 6)  # (400 − 50) / 600
    # 600 亩 = 40 hm² exactly is feasible and leaves exactly the target
    ok = check_sale(quantity(600, "亩"), forest, land, target)
    assert ok.feasible and ok.coverage_after == pytest.approx(60.0)
    # 50 hm² sold before: 400 − 50 − 360 = −10 hm², nothing left to sell
    none = check_sale(quantity(1, "hm2"), forest, land, target, quantity(50, "hm2"))
    assert not none.feasible and none.max_area_ha == 0 and none.surplus_ha == pytest.approx(-10)
    assert float(forest_coverage(forest, land).to("percent").magnitude) == pytest.approx(200 / 3)
    # buyer: land 1000 hm², forest 500 hm², 20 hm² bought before, 30 more now: 52 % → 55 %
    assert buyer_coverage(quantity(30, "hm2"), quantity(1000, "hm2"), quantity(500, "hm2"),
                          quantity(20, "hm2")) == pytest.approx((52.0, 55.0))
    with pytest.raises(UnitError):
        check_sale(quantity(1, "万元"), forest, land, target)


def test_payment_schedule_maintenance_and_present_value_by_hand():
    s = payment_schedule(quantity(3750, "万元"), 3, 2019, shares=[0.5, 0.3, 0.2])
    assert list(s["year"]) == [2019, 2020, 2021] and list(s["amount_yuan"]) == pytest.approx([18.75e6, 11.25e6, 7.5e6])
    # 18.75M + 11.25M/1.05 + 7.5M/1.05² = 18.75M + 10.714286M + 6.802721M = 36.267007M
    assert present_value(s["amount_yuan"], s["t"], quantity(5, "%")) == pytest.approx(36_267_006.80, abs=0.01)
    m = maintenance_schedule(quantity(1.5, "万亩"), quantity(100, "元/(亩·a)"), 15, 2019)
    # 15 000 亩 × 100 元/亩/a = 150万元 a year for 15 years (2019–2033), 2250万 in all
    assert len(m) == 15 and m["year"].iloc[-1] == 2033 and m["amount_yuan"].sum() == pytest.approx(22.5e6)
    assert m["remaining_yuan"].iloc[0] == pytest.approx(21e6)
    # annuity at the end of each year: 1.5M × (1 − 1.08^−15) / 0.08 = 1.5M × 8.5594787 = 12 839 218.03
    assert present_value(m["amount_yuan"], m["t"], quantity(8, "%")) == pytest.approx(12_839_218.03, abs=0.01)
    with pytest.raises(ValueError):
        payment_schedule(quantity(1, "元"), 2, 2019, shares=[0.5, 0.4])


def _monitoring(tmp_path, rows):
    path = tmp_path / "monitoring.csv"
    pd.DataFrame(rows, columns=["断面", "上游", "下游", "年份", "月份", "目标类别", "水质类别", "上年同期类别"]).to_csv(
        path, index=False)
    return path


def test_water_compensation_by_hand(tmp_path):
    path = _monitoring(tmp_path, [
        ["A", "甲", "乙", 2021, 1, "III", "II", "III"],   # meets, improved: 乙 pays 甲 100万
        ["A", "甲", "乙", 2021, 2, "III", "III", "II"],   # meets, worse: 甲 pays 乙 100万
        ["A", "甲", "乙", 2021, 3, "Ⅲ类", "IV", "III"],   # fails: declared rule (default 甲 pays 乙)
        ["A", "甲", "乙", 2021, 4, "3", "2", "2"],        # meets, unchanged: declared rule (default nobody)
        ["B", "乙", "丙", 2021, 1, "II", "I", "劣V"],     # meets, improved: 丙 pays 乙
    ])
    monthly = settle(read_monitoring(path), quantity(100, "万元/month"))
    assert list(monthly["case"]) == ["improved", "worse", "fails_class", "unchanged", "improved"]
    assert list(monthly["payer"]) == ["乙", "甲", "甲", "", "丙"]
    yearly = yearly_net(monthly).set_index(["upstream", "downstream"])
    # 甲–乙: 乙 paid 100万, 甲 paid 200万 → net to 甲 (upstream) −100万; 乙–丙: +100万
    assert yearly.loc[("甲", "乙"), "net_to_upstream_yuan"] == pytest.approx(-1e6)
    assert yearly.loc[("乙", "丙"), "net_to_upstream_yuan"] == pytest.approx(1e6)
    # the declared rules are choices: nobody pays when failing, downstream pays when unchanged
    alt = yearly_net(settle(read_monitoring(path), quantity(100, "万元/month"),
                            {"fails_class": "none", "unchanged": "downstream_pays"})).set_index(["upstream", "downstream"])
    assert alt.loc[("甲", "乙"), "net_to_upstream_yuan"] == pytest.approx(1e6)  # +100 −100 +0 +100


def test_a_bad_monitoring_table_names_row_and_column(tmp_path):
    path = _monitoring(tmp_path, [["A", "甲", "乙", 2021, 13, "III", "VI", "III"]])
    with pytest.raises(InventoryError) as err:
        read_monitoring(path)
    text = str(err.value)
    assert "row 2, column month" in text and "row 2, column measured_class" in text


def test_carbon_in_t_co2_never_t_c(chengkou):
    _, _, services = chengkou
    # 1000 t CO₂ × 29.57 元/t CO₂ = 29 570 元
    assert float(carbon_value(quantity(1000, "t CO₂"), quantity(29.57, "元/t CO₂")).magnitude) == pytest.approx(29_570)
    # a price per t C applies to the carbon content: 44 t CO₂ = 12 t C × 1320 元/t C = 15 840 元
    assert float(carbon_value(quantity(44, "t CO₂"), quantity(1320, "元/t C")).magnitude) == pytest.approx(15_840)
    assert float(co2_from_nep(quantity(12, "t C/a")).to("t_CO2/a").magnitude) == pytest.approx(44)
    with pytest.raises(UnitError):  # t C passed as CO₂ is an error, not a silent 1:1
        carbon_value(quantity(12, "t C"), quantity(29.57, "元/t CO₂"))
    with pytest.raises(UnitError):
        carbon_value(quantity(12, "t CO₂"), quantity(29.57, "元/t"))
    co2 = co2_from_results(services, "500229", 2021, "forest")
    assert str(co2.units) == "t_CO2 / year" and co2.magnitude > 0


def _tiny_request(tmp_path, body: str):
    inventory = write_tables(tmp_path / "tiny", tiny_tables())
    path = tmp_path / "request.yaml"
    path.write_text(f"title: 示例交易\nyear: 2021\ninventory: {inventory.name}\n" + body, encoding="utf-8")
    return path


_TRADE = """seller: {name: 示例县, region_code: "990000", target_coverage: {value: 60 %, status: unverified, source: test}}
buyer: {name: 甲区, land_area: 1000 hm2, forest_area: 500 hm2}
trade: {area: 150 亩, price: 2500 元/亩, maintenance_years: 15 a, maintenance_fee: 100 元/亩/a, discount_rate: 8 %}
"""


def test_obligations_csv_reads_back_as_a_contracted_obligation(tmp_path):
    req = load_request(_tiny_request(tmp_path, _TRADE))
    inventory = load_inventory(req.inventory)
    v = value_request(req, load_register(TRADING_REGISTER), inventory, None)
    # tiny county: forest 400 of 600 hm² = 66.67 % → (400 − 10) / 600 = 65 %; the buyer 50 % → 51 %
    assert v.result["trade"]["seller"]["coverage_after_pct"] == pytest.approx(65.0)
    assert (v.result["trade"]["buyer"]["coverage_before_pct"], v.result["trade"]["buyer"]["coverage_after_pct"]) == \
        pytest.approx((50.0, 51.0))
    v.tables["obligations"].to_csv(req.inventory / "obligations.csv", index=False)
    back = load_inventory(req.inventory)
    # 150 亩 = 10 hm² sold in 2021; 150 亩 × 100 元/亩/a = 15 000 元/a; at the end of 2021, 14 of 15 years
    # are left: 210 000 元 owed
    row = contracted_obligations(back, load_register(), "990000", 2021, 2021).iloc[0]
    assert row.quantity == pytest.approx(10.0) and row.value_yuan == pytest.approx(210_000)
    assert sold_forest_area(back, "990000", 2021) == pytest.approx(10.0)


def test_a_partly_feasible_request_is_valued_at_the_largest_area_and_chinese_keys_work(tmp_path):
    body = """出让方: {名称: 示例县, 区划代码: "990000", 尽责目标: 60 %}
受让方: {名称: 甲区}
交易: {面积: 50 hm2, 单价: 2500 元/亩, 管护期限: 10 a, 管护费: 100 元/亩/a, 分期次数: 2, 贴现率: 0 %}
"""
    req = load_request(_tiny_request(tmp_path, body))
    v = value_request(req, load_register(TRADING_REGISTER), load_inventory(req.inventory), None)
    tr = v.result["trade"]
    # tiny county: 400 − 0.6 × 600 = 40 hm² = 600 亩 can be sold, not 50: valued at 600 亩 × 2500 = 150万元,
    # 2 instalments of 75万; maintenance 600 亩 × 100 元 = 6万元 a year for 10 years; at 0 % PV = the sums
    assert not tr["feasible"] and tr["valued_area_mu"] == pytest.approx(600)
    assert tr["total_price_yuan"] == pytest.approx(1.5e6) and tr["pv_payments_yuan"] == pytest.approx(1.5e6)
    assert list(v.tables["payment_schedule"]["amount_yuan"]) == pytest.approx([750_000, 750_000])
    assert tr["pv_maintenance_yuan"] == pytest.approx(600_000)
    # asked: (400 − 50) / 600 = 58.33 % < 60 %; valued: (400 − 40) / 600 = 60 % exactly
    assert tr["seller"]["coverage_after_pct"] == pytest.approx(350 / 6)
    assert tr["seller"]["coverage_after_valued_pct"] == pytest.approx(60.0)
    assert v.tables["obligations"]["面积 [hm2]"].iloc[0] == pytest.approx(40)


def test_a_register_number_of_instalments_in_percent(tmp_path):
    # the register converts 300 % to 3 for the key payment_instalments (canonical unit 1); its magnitude as
    # written, 300, was taken as the number of instalments. 150 亩 × 2500 元/亩 = 375 000 元 in 3 instalments of
    # 125 000 元
    from conftest import write_register
    register = load_register(TRADING_REGISTER, write_register(tmp_path / "terms.csv",
                                                              ("payment_instalments", 300, "%", "", "", "", "", "t")))
    req = load_request(_tiny_request(tmp_path, _TRADE))
    v = value_request(req, register, load_inventory(req.inventory), None)
    assert v.result["trade"]["instalments"] == 3
    assert list(v.tables["payment_schedule"]["amount_yuan"]) == pytest.approx([125_000] * 3, rel=1e-12)


def test_request_errors_name_the_file_and_key(tmp_path):
    path = _tiny_request(tmp_path, _TRADE.replace("area: 150 亩", "area: 150"))
    with pytest.raises(RequestError, match=r"request.yaml, key trade.area: 150 has no unit"):
        load_request(path)
    path.write_text(path.read_text(encoding="utf-8").replace("area: 150,", "area: 2500 元/亩,"), encoding="utf-8")
    with pytest.raises(RequestError, match=r"key trade.area: '2500 元/亩' is not \[area\]"):
        load_request(path)


def test_gep_trade_writes_every_output_and_refuses_an_existing_folder(tmp_path, capsys):
    _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])
    request = _tiny_request(tmp_path, _TRADE + "carbon: {price: 29.57 元/t CO₂, price_kind: 市场价格}\n"
                                               "water_compensation: {monitoring: monitoring.csv}\n")
    out = tmp_path / "out"
    assert main(["trade", str(request), "--out", str(out)]) == 0
    for name in ("valuation.html", "valuation.xlsx", "valuation.json", "obligations.csv", "payment_schedule.csv",
                 "maintenance.csv", "water_monthly.csv", "water_yearly.csv", "manifest.json",
                 "inputs/request/request.yaml", "inputs/request/monitoring.csv", "inputs/coefficients/trading.csv",
                 "inputs/inventory/extent.csv"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["valuation.json"] == sha256(out / "valuation.json")
    assert manifest["inputs"]["inputs/request/request.yaml"] == sha256(request)
    result = json.loads((out / "valuation.json").read_text(encoding="utf-8"))
    assert result["trade"]["total_price_yuan"] == pytest.approx(375_000)  # 150 亩 × 2500 元/亩
    assert result["water_compensation"]["yearly"][0]["net_to_upstream_yuan"] == pytest.approx(1e6)
    assert "森林面积指标交易" in (out / "valuation.html").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["trade", str(request), "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    # --overwrite keeps the earlier folder; the same request gives byte-identical outputs
    assert main(["trade", str(request), "--out", str(out), "--overwrite"]) == 0
    for name in ("valuation.xlsx", "valuation.json", "valuation.html", "obligations.csv"):
        assert sha256(out / name) == sha256(tmp_path / "out.previous-1" / name), name
    assert main(["compensation", str(tmp_path / "monitoring.csv"), "--out", str(tmp_path / "water"),
                 "--lang", "en"]) == 0
    assert "Cross-section water compensation" in (tmp_path / "water" / "valuation.html").read_text(encoding="utf-8")


def test_the_deal_as_the_reference_notes_record_it():
    notes = SHARED / "reference" / "chengkou-data.md"
    if not notes.is_file():
        pytest.skip("the shared reference notes are not present")
    row = next(line for line in notes.read_text(encoding="utf-8").splitlines() if "九龙坡区 → **城口县**" in line)
    # | 2019-11-05 | 九龙坡区 → **城口县** | **1.5万亩** | **3750万元** | SEEN: xsdnews |
    assert "**1.5万亩**" in row and "**3750万元**" in row
    price = load_register(TRADING_REGISTER).lookup("forest_indicator_price")
    assert price.value_as_written == 3750e4 / 1.5e4 and price.unit_as_written == "元/亩"


def test_a_buyer_that_sold_indicators_before_counts_without_them(tmp_path):
    from gep.trading.coverage import buyer_coverage
    from gep.units import quantity
    # 500 hm² of forest on 1000 hm²; 20 hm² sold earlier (they count for that buyer), 10 hm² bought now:
    # (500 − 20) / 1000 = 48 % → 49 %
    before, after = buyer_coverage(quantity(10, "hectare"), quantity(1000, "hectare"), quantity(500, "hectare"),
                                   sold=quantity(20, "hectare"))
    assert (before, after) == pytest.approx((48.0, 49.0))


def test_carbon_is_valued_at_the_price_basis_of_the_method_profile(tmp_path):
    # 1000 t CO₂ given in the request, 2021: the default profile prices it at the national market's 2021
    # average, 42.85 元/t → 42 850 元/a; garze-2017 at the afforestation cost, 380 元/t at 2010 prices (the
    # request takes a register price at its own price year, as it says) → 380 000 元/a
    req = load_request(_tiny_request(tmp_path, _TRADE + "carbon: {co2: 1000 t CO₂/a}\n"))  # year 2021
    register, inventory = load_register(TRADING_REGISTER), load_inventory(req.inventory)
    default = value_request(req, register, inventory, None).result["carbon"]
    assert default["value_yuan_per_a"] == pytest.approx(42_850) and default["price_kind"].startswith("市场价格")
    garze = value_request(req, register, inventory, None, "garze-2017").result["carbon"]
    assert garze["value_yuan_per_a"] == pytest.approx(380_000) and garze["price_kind"].startswith("造林成本")
