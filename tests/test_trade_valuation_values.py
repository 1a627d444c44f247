"""The figures, columns, units, labels and notes of a trade, carbon and water valuation, each checked by hand.

The requests are small and synthetic: the tiny county of conftest.py (990000, land 600 hm², forest 400 hm² in
2021: 990001 100 hm², 990002 300 hm²), with targets and obligations tables added where a test needs them, or a
seller whose figures are all in the request. No test here computes GEP accounts: where the forest GEP per 亩 is
needed, the services are a hand-made table.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from gep.coefficients import load_register
from gep.inventory import SHOWN_PER_FILE, load_inventory
from gep.reading import ReadError
from gep.trading.carbon import co2_from_results
from gep.trading.contract import payment_schedule
from gep.trading.coverage import check_sale
from gep.trading.request import Party, RequestError, _whole, load_request
from gep.trading.valuation import (TRADING_REGISTER, MonitoringError, compensation_request, party_from_inventory,
                                   read_monitoring, value_request)
from gep.trading.water import settle, yearly_net
from gep.units import quantity

from conftest import tiny_tables, write_tables
from test_trading import _monitoring


@pytest.fixture(scope="module")
def register():
    return load_register(TRADING_REGISTER)


def _request(tmp_path, body: str, tables: dict | None = None, year: int = 2021):
    """A request file of ``body`` (after title and year); with ``tables``, an inventory of them beside it."""
    head = f"title: 示例交易\nyear: {year}\n"
    if tables is not None:
        write_tables(tmp_path / "tiny", tables)
        head += "inventory: tiny\n"
    path = tmp_path / "request.yaml"
    path.write_text(head + body, encoding="utf-8")
    return path


def _value(path, register, services=None, method=None):
    req = load_request(path)
    inventory = load_inventory(req.inventory) if req.inventory else None
    return value_request(req, register, inventory, services, method)


def _tables(**extra) -> dict:
    t = tiny_tables()
    t["regions"][0]["source"] = "统计年鉴 2021"
    t.update(extra)
    return t


def _target(year, value, status="", source="plan", binding="约束性"):
    return {"region_code": "990000", "year": year, "indicator": "forest_coverage", "value": value, "unit": "%",
            "binding": binding, "source": source, "status": status}


_SELLER_FROM_INVENTORY = 'seller: {name: 示例县, region_code: "990000"}\n'
_BUYER = "buyer: {name: 甲区, land_area: 1000 hm2, forest_area: 500 hm2}\n"
_TERMS = "trade: {area: 150 亩, price: 2500 元/亩, maintenance_years: 15 a, maintenance_fee: 100 元/亩/a, " \
         "instalments: 3, discount_rate: 8 %}\n"


# ----------------------------------------------------------------------------------------------
# the seller's figures from the inventory: land, forest, own target, earlier sales


def test_the_latest_target_when_none_is_from_the_year_on(tmp_path, register):
    # targets of 2015 (45 %) and 2020 (50 %, no status written), valued in 2021: none from 2021 on, so the latest,
    # 2020's 50 %, read as observed; row 3 of targets.csv (row 1 is the header)
    tables = _tables(targets=[_target(2015, 45, "estimated", "plan 2015", "预期性"),
                              _target(2020, 50, "", "plan 2020", "约束性")])
    v = _value(_request(tmp_path, _SELLER_FROM_INVENTORY + _BUYER + _TERMS, tables), register)
    seller = v.result["trade"]["seller"]
    target = seller["terms"]["target_coverage"]
    assert target["value"] == 50.0 and target["unit"] == "%" and seller["target_coverage_pct"] == 50.0
    assert target["status"] == "observed as the target for 2020; unverified as the 尽责目标"
    assert target["source"] == "targets.csv row 3: plan 2020 (约束性)"
    assert target["origin"] == "inventory"
    land = seller["terms"]["land_area"]
    assert (land["value"], land["unit"], land["status"], land["source"], land["origin"]) == \
        (600.0, "hectare", "observed", "regions.csv row 2: 统计年鉴 2021", "inventory")
    # 400 − 0.5 × 600 = 100 hm² above the target; 150 亩 = 10 hm² leaves (400 − 10) / 600 = 65 %
    assert seller["surplus_ha"] == pytest.approx(100.0, rel=1e-12)
    assert seller["coverage_after_pct"] == pytest.approx(65.0, rel=1e-12)


def test_the_first_target_from_the_year_on_and_earlier_sales(tmp_path, register):
    # targets of 2025 (62 %), 2020 (50 %) and 2023 (58 %), in that order: valued in 2021, the first from 2021 on is
    # 2023's 58 % (row 4), not the latest (2025) nor the first row
    tables = _tables(targets=[_target(2025, 62, "observed", "plan 2025"), _target(2020, 50, "observed", "plan 2020"),
                              _target(2023, 58, "estimated", "plan 2023", "预期性")],
                     obligations=[  # 5 hm² sold to 乙区 in 2020; the deal being valued (甲区, 2021) is not counted
                         {"region_code": "990002", "year": 2020, "counterparty": "乙区", "kind": "forest_area_sold",
                          "area [hm2]": 5, "source": "合同 2020"},
                         {"region_code": "990000", "year": 2021, "counterparty": "甲区", "kind": "forest_area_sold",
                          "area [hm2]": 10, "source": "本次交易"}])
    v = _value(_request(tmp_path, _SELLER_FROM_INVENTORY + _BUYER + _TERMS, tables), register)
    seller = v.result["trade"]["seller"]
    target = seller["terms"]["target_coverage"]
    assert target["value"] == 58.0
    assert target["status"] == "estimated as the target for 2023; unverified as the 尽责目标"
    assert target["source"] == "targets.csv row 4: plan 2023 (预期性)"
    sold = seller["terms"]["already_sold"]
    assert sold["value"] == 5.0 and sold["source"] == "obligations.csv row 2: 乙区 2020"
    # 400 − 5 − 0.58 × 600 = 47 hm² above the target; before (400 − 5) / 600 = 65.83 %
    assert seller["surplus_ha"] == pytest.approx(47.0, rel=1e-12)
    assert seller["coverage_before_pct"] == pytest.approx(395 / 6, rel=1e-12)


class _Tables:
    """An inventory whose tables ``replaced`` are frames built in code rather than read by load_inventory."""

    def __init__(self, inventory, **replaced):
        self.inventory, self.replaced = inventory, replaced

    def table(self, name):
        return self.replaced[name] if name in self.replaced else self.inventory.table(name)


def test_the_forest_status_leaves_out_missing_statuses(tmp_path):
    # a forest extent table built in code: 990001's rows without a status (NaN), 990002's estimated: the forest
    # area 100 + 300 = 400 hm² is 'estimated' (a missing status is not named: not 'estimated/nan')
    inventory = load_inventory(write_tables(tmp_path / "tiny", _tables()))
    extent = inventory.table("extent").copy()
    extent["status"] = extent["region_code"].map({"990001": math.nan, "990002": "estimated"})
    terms = party_from_inventory(_Tables(inventory, extent=extent), Party("示例县", "990000"), 2021, None, "r.yaml")
    assert float(terms["forest_area"].value.to("hectare").magnitude) == pytest.approx(400.0, rel=1e-12)
    assert terms["forest_area"].status == "estimated"


# ----------------------------------------------------------------------------------------------
# the figures of a trade whose seller is given in the request


_SELLER = "seller: {name: 示例县, land_area: 600 hm2, forest_area: 400 hm2, target_coverage: 60 %}\n"


def test_a_small_trade_of_one_instalment_and_one_year_of_maintenance(tmp_path, register):
    # 7.5 亩 = 0.5 hm² (15 亩 = 1 hm²) at 3000 元/亩: 22 500 元, paid at once in 2022; maintenance 7.5 亩 × 80 元/亩/a
    # = 600 元 for the one year 2021, spent at its end (t = 1): PV 600 / 1.05 = 571.428 571 元
    body = _SELLER + "buyer: {name: 甲区, land_area: 1000 hm2, forest_area: 450 hm2, target_coverage: 48 %, " \
        "already_bought: 20 hm2, already_sold: 5 hm2}\n" \
        "trade: {area: 7.5 亩, price: 3000 元/亩, maintenance_years: 1 a, maintenance_fee: 80 元/亩/a, instalments: 1, " \
        "first_payment_year: 2022, discount_rate: 5 %, target_sensitivity: [50 %, 70 %]}\n"
    v = _value(_request(tmp_path, body), register)
    tr = v.result["trade"]
    assert tr["feasible"] and tr["valued_area_ha"] == pytest.approx(0.5, rel=1e-12)
    assert tr["valued_area_mu"] == pytest.approx(7.5, rel=1e-12)
    assert tr["price_yuan_per_mu"] == pytest.approx(3000, rel=1e-12)
    assert tr["total_price_yuan"] == pytest.approx(22_500, rel=1e-12)
    assert tr["instalments"] == 1 and tr["first_payment_year"] == 2022
    pay = v.tables["payment_schedule"]
    assert list(pay["year"]) == [2022] and list(pay["t"]) == [0.0]
    assert list(pay["amount_yuan"]) == pytest.approx([22_500], rel=1e-12)
    assert tr["pv_payments_yuan"] == pytest.approx(22_500, rel=1e-12)
    maintenance = v.tables["maintenance"]
    assert list(maintenance["year"]) == [2021] and list(maintenance["amount_yuan"]) == pytest.approx([600], rel=1e-12)
    assert tr["maintenance_per_year_yuan"] == pytest.approx(600, rel=1e-12)
    assert tr["maintenance_total_yuan"] == pytest.approx(600, rel=1e-12)
    assert tr["pv_maintenance_yuan"] == pytest.approx(600 / 1.05, rel=1e-12)
    assert tr["pv_net_yuan"] == pytest.approx(22_500 - 600 / 1.05, rel=1e-12)
    # the seller: (400 − 0.5) / 600 = 66.583 % after the sale
    assert tr["seller"]["coverage_after_pct"] == pytest.approx(399.5 / 6, rel=1e-12)
    # the largest sale under other targets: 400 − 0.5 × 600 = 100 hm² = 1500 亩; 400 − 0.7 × 600 = −20: none
    sens = v.tables["target_sensitivity"]
    assert list(sens.columns) == ["target_pct", "max_area_ha", "max_area_mu"]
    assert list(sens["target_pct"]) == pytest.approx([50.0, 70.0], rel=1e-12)
    assert list(sens["max_area_ha"]) == pytest.approx([100.0, 0.0], rel=1e-12)
    assert list(sens["max_area_mu"]) == pytest.approx([1500.0, 0.0], rel=1e-12)
    # the buyer counts F + B − S = 450 + 20 − 5 = 465 of 1000 hm²: 46.5 % → 46.55 % with the 0.5 hm² bought
    buyer = tr["buyer"]
    assert buyer["coverage_before_pct"] == pytest.approx(46.5, rel=1e-12)
    assert buyer["coverage_after_pct"] == pytest.approx(46.55, rel=1e-12)
    assert (buyer["terms"]["target_coverage"]["value"], buyer["terms"]["target_coverage"]["unit"]) == (48.0, "%")
    assert (buyer["terms"]["already_bought"]["value"], buyer["terms"]["already_bought"]["unit"]) == (20.0, "hectare")
    assert buyer["terms"]["already_sold"]["value"] == 5.0
    # the obligation row the sale adds to the seller's inventory (named by its name: no region code)
    row = v.tables["obligations"].iloc[0]
    assert (row["区划代码"], row["年份"], row["对方"], row["义务类型"], row["数据状态"]) == \
        ("示例县", 2021, "甲区", "出售森林面积指标", "推算")
    assert (row["面积 [hm2]"], row["金额 [元]"], row["年度义务金额 [元]"], row["期限 [a]"]) == \
        pytest.approx((0.5, 22_500, 600, 1), rel=1e-12)


def test_the_terms_of_a_trade_carry_their_labels_status_and_origin(tmp_path, register):
    # given in the request: status 'given', source 'request file', origin 'request'; the register's defaults
    # (instalments and rate left out) say so; every term has the Chinese label of its coefficient
    body = _SELLER + _BUYER + "trade: {area: 150 亩, price: 2500 元/亩, maintenance_years: 15 a, " \
        "maintenance_fee: 100 元/亩/a, instalments: 2}\n"
    terms = _value(_request(tmp_path, body), register).result["trade"]["terms"]
    assert {k: t["label_zh"] for k, t in terms.items()} == {
        "area": "", "price": "森林面积指标交易价格", "maintenance_years": "管护期限", "maintenance_fee": "管护费",
        "instalments": "分期付款次数", "discount_rate": "贴现率"}
    assert (terms["instalments"]["value"], terms["instalments"]["unit"], terms["instalments"]["status"],
            terms["instalments"]["source"], terms["instalments"]["origin"]) == (2, "1", "given", "request file", "request")
    assert (terms["price"]["value"], terms["price"]["unit"], terms["price"]["as_written"]) == \
        (pytest.approx(2500, rel=1e-12), "yuan/mu", "2500 元/亩")
    assert terms["area"]["value"] == pytest.approx(150, rel=1e-12) and terms["area"]["unit"] == "mu"
    assert terms["discount_rate"]["origin"] == "register" and terms["discount_rate"]["unit"] == "%"


def test_a_buyer_without_areas_and_a_trade_without_maintenance(tmp_path, register):
    # no maintenance period: no maintenance a year (0 元, and no annual cost in the obligation row); a buyer
    # without land or forest has no coverage, said in a note
    body = _SELLER + "buyer: {name: 甲区}\n" + _TERMS.replace("maintenance_years: 15 a", "maintenance_years: 0 a")
    v = _value(_request(tmp_path, body), register)
    tr = v.result["trade"]
    assert tr["buyer"]["coverage_before_pct"] is None and tr["buyer"]["coverage_after_pct"] is None
    # 150 亩 = 10 hm²
    assert {"zh": "甲区：请求未给出土地或森林面积，未计算其交易前后覆盖率（购入面积使其计入考核的森林增加 10.00 hm²）",
            "en": "甲区: land or forest area not given, so its coverage before and after is not computed (the bought "
                  "area adds 10.00 hm² to its forest counted)"} in v.notes
    assert tr["maintenance_per_year_yuan"] == 0.0 and tr["maintenance_total_yuan"] == 0.0
    row = v.tables["obligations"].iloc[0]
    assert math.isnan(row["年度义务金额 [元]"]) and row["期限 [a]"] == 0
    assert row["金额 [元]"] == pytest.approx(375_000, rel=1e-12)  # 150 亩 × 2500 元/亩


@pytest.mark.parametrize("change, expected", [
    # the buyer counts F + B − S: 500 + 10 − 505 = 5 hm², not negative: valued
    (("forest_area: 500 hm2}", "forest_area: 500 hm2, already_bought: 10 hm2, already_sold: 505 hm2}"), None),
    # the seller sold exactly its 400 hm² before: coverage 0 %, nothing to sell, not refused
    (('land_area: 600 hm2', 'land_area: 600 hm2, already_sold: 400 hm2'), None),
    # 400.5 hm² sold of 400 hm² (nothing bought): refused
    (('land_area: 600 hm2', 'land_area: 600 hm2, already_sold: 400.5 hm2'),
     "key seller.already_sold: forest area already sold 400.50 hm² (request) exceeds the forest area 400.00 hm² "
     "(request)"),
], ids=["buyer-bought", "seller-all-sold", "seller-over"])
def test_the_forest_sold_against_the_forest_and_bought(tmp_path, register, change, expected):
    path = _request(tmp_path, (_SELLER + _BUYER + _TERMS).replace(*change))
    if expected is None:
        tr = _value(path, register).result["trade"]
        if "already_bought" in change[1]:
            assert tr["buyer"]["coverage_before_pct"] == pytest.approx(0.5, rel=1e-12)  # 5 / 1000
        else:
            assert tr["seller"]["coverage_before_pct"] == 0 and tr["max_area_ha"] == 0 and not tr["feasible"]
    else:
        with pytest.raises(RequestError) as err:
            _value(path, register)
        assert str(err.value).endswith(expected)


# ----------------------------------------------------------------------------------------------
# the forest GEP per 亩 and carbon, from a hand-made table of services


def _service(service, indicator, value, quantity_t=0.0, ecosystem="forest", category="regulating", year=2021,
             region="990000"):
    return {"region_code": region, "year": year, "ecosystem": ecosystem, "service": service, "indicator": indicator,
            "category": category, "in_gep": True, "value_yuan": value, "quantity": quantity_t,
            "quantity_unit": "t_CO2"}


#: the forest of 990000 in 2021: 1 000 000 元 in GEP, 700 000 元 of it regulating; 2000 t CO₂ fixed by the forest,
#: 500 t by the grassland (not forest), 900 t by the forest of another region and 800 t in another year
SERVICES = pd.DataFrame([
    _service("water_conservation", "water_retained", 600_000),
    _service("forest_products", "output_value", 300_000, category="provisioning"),
    _service("carbon_sequestration", "co2_fixed", 100_000, 2000),
    _service("carbon_sequestration", "co2_fixed", 25_000, 500, ecosystem="grassland"),
    _service("carbon_sequestration", "co2_fixed", 45_000, 900, region="990009"),
    _service("carbon_sequestration", "co2_fixed", 40_000, 800, year=2020),
])

_SELLER_IN_INVENTORY = 'seller: {name: 示例县, region_code: "990000", target_coverage: 60 %}\n'


def test_the_forest_gep_per_mu_and_the_carbon_of_the_area_traded(tmp_path, register):
    # the inventory's forest of 2021: 400 hm² = 6000 亩; GEP 1 000 000 / 6000 = 166.667 元/亩, regulating
    # 700 000 / 6000 = 116.667 元/亩; 150 亩 traded: 25 000 元/a of GEP, 17 500 元/a regulating; the price
    # 2500 元/亩 is 2500 / 166.667 = 15 years of it, and 2500 / 15 a = 166.667 元/亩 a year of maintenance period
    body = _SELLER_IN_INVENTORY + _BUYER + _TERMS + "carbon: {price: 50 元/t CO₂, price_kind: 市场价格}\n"
    v = _value(_request(tmp_path, body, _tables()), register, SERVICES)
    eco = v.result["trade"]["ecological_value"]
    assert eco["forest_gep_yuan"] == pytest.approx(1e6, rel=1e-12)
    assert eco["gep_per_mu_yuan"] == pytest.approx(1e6 / 6000, rel=1e-12)
    assert eco["traded_area_gep_yuan_per_a"] == pytest.approx(25_000, rel=1e-12)
    assert eco["traded_area_regulating_yuan_per_a"] == pytest.approx(17_500, rel=1e-12)
    assert eco["price_per_gep_per_mu"] == pytest.approx(15.0, rel=1e-12)
    assert eco["price_annualised_yuan_per_mu_a"] == pytest.approx(2500 / 15, rel=1e-12)
    # carbon of the seller's forest: 2000 t CO₂/a × 50 元/t = 100 000 元/a; the 10 hm² traded are 10/400 of the
    # forest: 50 t CO₂/a, 2500 元/a
    c = v.result["carbon"]
    assert c["co2_t_per_a"] == pytest.approx(2000, rel=1e-12) and c["value_yuan_per_a"] == pytest.approx(1e5, rel=1e-12)
    assert c["basis"] == "GEP accounts of 990000, 2021: carbon_sequestration/co2_fixed, forest"
    assert c["price_kind"] == "市场价格" and c["price"]["origin"] == "request"
    assert c["traded_area_co2_t_per_a"] == pytest.approx(50, rel=1e-12)
    assert c["traded_area_value_yuan_per_a"] == pytest.approx(2500, rel=1e-12)


@pytest.mark.parametrize("carbon, co2, basis", [
    ("co2: 1000 t CO₂/a", 1000, "given in the request"),
    ("nep: 12 t C/a", 44, "NEP given in the request × 44/12"),  # 12 t C × 44/12 = 44 t CO₂
], ids=["co2", "nep"])
def test_carbon_given_in_the_request_is_not_shared_over_the_area_traded(tmp_path, register, carbon, co2, basis):
    # a quantity given for the request is the carbon it means, not the seller's forest's to be shared by area
    body = _SELLER_IN_INVENTORY + _BUYER + _TERMS + f"carbon: {{{carbon}, price: 50 元/t CO₂}}\n"
    c = _value(_request(tmp_path, body, _tables()), register, SERVICES).result["carbon"]
    assert c["co2_t_per_a"] == pytest.approx(co2, rel=1e-12) and c["basis"] == basis
    assert c["value_yuan_per_a"] == pytest.approx(co2 * 50, rel=1e-12)
    assert "traded_area_co2_t_per_a" not in c and "traded_area_value_yuan_per_a" not in c


def test_carbon_of_a_seller_region_without_accounts_is_refused(tmp_path, register):
    # a seller region, but no GEP accounts to read its carbon from, and no co2 or nep
    path = _request(tmp_path, _SELLER_IN_INVENTORY + "carbon: {price: 50 元/t CO₂}\n", _tables())
    with pytest.raises(RequestError, match=r"request\.yaml, key carbon: give co2 or nep, or a seller region_code "
                                           r"with an inventory$"):
        _value(path, register)


@pytest.mark.parametrize("year, price, note", [
    # the national carbon market's 2022 average, 55.30 元/t (上海环境能源交易所: 28.14亿元 / 5088.95万t), at 2022
    # prices: no note
    (2022, 55.30, False),
    # no price of 2020 (the market opened in July 2021): its first compliance period's average, 42.85 元/t
    # (生态环境部 press conference 2022-01-24), at 2021 prices, not carried to 2020
    (2020, 42.85, True),
])
def test_a_register_carbon_price_says_its_price_year(tmp_path, register, year, price, note):
    # 1000 t CO₂/a at the register's national carbon market price of the year
    path = _request(tmp_path, "carbon: {co2: 1000 t CO₂/a}\n", year=year)
    v = _value(path, register)
    assert v.result["carbon"]["value_yuan_per_a"] == pytest.approx(1000 * price, rel=1e-12)
    assert v.result["carbon"]["price"]["origin"] == "register"
    said = {"zh": "碳价为登记表默认值，按其 2021 年价格使用，未换算到 2020 年（GEP 核算中的固碳价值已按价格指数换算）",
            "en": "the carbon price is the register's default at its 2021 prices, not carried to 2020 (the GEP "
                  "accounts carry it with the price index)"}
    assert (said in v.notes) is note
    assert any("碳价为登记表默认值" in n["zh"] for n in v.notes) is note


def test_co2_fixed_by_one_region_year_and_ecosystem():
    # 990000 in 2021: 2000 t CO₂ by the forest + 500 t by the grassland; the other region's and year's rows left out
    assert float(co2_from_results(SERVICES, "990000", 2021, "forest").to("t_CO2/a").magnitude) == \
        pytest.approx(2000, rel=1e-12)
    assert float(co2_from_results(SERVICES, "990000", 2021).to("t_CO2/a").magnitude) == pytest.approx(2500, rel=1e-12)


def test_a_payment_in_one_instalment():
    s = payment_schedule(quantity(375_000, "元"), 1, 2021)
    assert list(s["year"]) == [2021] and list(s["share"]) == [1.0]
    assert list(s["amount_yuan"]) == pytest.approx([375_000], rel=1e-12)


# ----------------------------------------------------------------------------------------------
# the request as read


def test_what_a_request_records_of_its_terms_and_names(tmp_path):
    # a thousands separator in a number: 1,500 亩 = 100 hm²; instalments and their shares given in the request
    path = _request(tmp_path, _SELLER + "trade: {area: '1,500 亩', instalments: 2, instalment_shares: [0.6, 0.4]}\n")
    req = load_request(path, shown_as="我的请求.yaml")
    assert req.title == "示例交易" and req.year == 2021
    assert float(req.trade["area"].value.to("hectare").magnitude) == pytest.approx(100, rel=1e-12)
    assert (req.trade["instalments"].value, req.trade["instalments"].status, req.trade["instalments"].source,
            req.trade["instalments"].origin) == (2, "given", "request file", "request")
    assert (req.trade["instalment_shares"].value, req.trade["instalment_shares"].status,
            req.trade["instalment_shares"].source, req.trade["instalment_shares"].origin) == \
        ([0.6, 0.4], "given", "request file", "request")
    assert req.shown == "我的请求.yaml" and req.path == path
    # without a title, the request is named by its file's name
    path.write_text(path.read_text(encoding="utf-8").replace("title: 示例交易\n", ""), encoding="utf-8")
    assert load_request(path).title == "request"


def test_a_monitoring_table_given_for_a_recomputation_is_named_as_given(tmp_path):
    # the table passed in (a copy under a folder's inputs/) replaces the request's path: no other name is recorded
    copy = _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])
    path = _request(tmp_path, "water_compensation: {monitoring: elsewhere.csv}\n")
    assert load_request(path, monitoring=copy).water == {"monitoring": copy, "rules": {}}
    # read from the request: named as the user would find it, beside the request
    path.write_text(path.read_text(encoding="utf-8").replace("elsewhere.csv", "monitoring.csv"), encoding="utf-8")
    water = load_request(path).water
    assert water["monitoring"] == copy.resolve() and water["monitoring_shown"] == tmp_path / "monitoring.csv"


def test_a_carbon_price_without_its_unit_shows_a_price_to_write(tmp_path):
    path = _request(tmp_path, "carbon: {co2: 1000 t CO₂/a, price: 29.57}\n")
    with pytest.raises(RequestError) as err:
        load_request(path)
    assert str(err.value).endswith("key carbon.price: 29.57 has no unit; write the unit with the number, "
                                   "e.g. '29.57 元/t CO₂'")


def test_a_long_key_is_cut_at_120_characters(tmp_path):
    # an unknown key of 130 characters is named by its first 120, with its length
    key = "k" * 130
    path = _request(tmp_path, _SELLER + f"trade: {{area: 150 亩, {key}: 1}}\n")
    with pytest.raises(RequestError) as err:
        load_request(path)
    assert err.value.key == f"trade.{key[:114]}… (136 characters)"  # 'trade.' + 114 = 120 characters
    key = "k" * 114  # 'trade.' + 114 = 120 characters: whole
    path = _request(tmp_path, _SELLER + f"trade: {{area: 150 亩, {key}: 1}}\n")
    with pytest.raises(RequestError) as err:
        load_request(path)
    assert err.value.key == f"trade.{key}"


@pytest.mark.parametrize("low, high, raw, expected", [
    (10, None, 5, "5 is not a whole number 10 or more"),
    (None, 3, 5, "5 is not a whole number 3 or less"),
    (None, None, 2.5, "expected a whole number, not 2.5"),
])
def test_a_whole_number_with_one_bound_or_none(low, high, raw, expected):
    # the rule of request whole numbers with either bound left out and nothing said of what the number is
    with pytest.raises(RequestError) as err:
        _whole(raw, "r.yaml", "k", low, high)
    assert str(err.value) == f"r.yaml, key k: {expected}"


# ----------------------------------------------------------------------------------------------
# water compensation


def test_a_section_month_of_two_years_is_not_a_repeat_and_the_year_is_the_latest(tmp_path):
    # January 2021 and January 2022 of section A: two months, not one repeated; the request is of 2022
    path = _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"],
                                  ["A", "甲", "乙", 2022, 1, "III", "II", "III"]])
    assert list(read_monitoring(path)["year"]) == [2021, 2022]
    req = compensation_request(path, "100 万元/month")
    assert req.year == 2022 and req.title == "流域横向生态补偿核算 monitoring"


def test_a_monitoring_file_that_cannot_be_read_is_named_as_the_user_wrote_it(tmp_path):
    path = tmp_path / "copy.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ReadError) as err:
        read_monitoring(path, "my-monitoring.csv")
    assert str(err.value).startswith("my-monitoring.csv")


def test_a_monitoring_table_with_one_problem_more_than_shown(tmp_path):
    # SHOWN_PER_FILE + 1 sections each with a month 13: the message lists SHOWN_PER_FILE, then says one more
    rows = [[f"S{i}", "甲", "乙", 2021, 13, "III", "II", "III"] for i in range(SHOWN_PER_FILE + 1)]
    with pytest.raises(MonitoringError) as err:
        read_monitoring(_monitoring(tmp_path, rows))
    text = str(err.value)
    assert text.startswith(f"{SHOWN_PER_FILE + 1} problem(s) in the monitoring table:")
    assert text.endswith("\n  … and 1 more problem(s) in this table")
    assert text.count("column month: '13' is not a month 1–12") == SHOWN_PER_FILE


def test_water_compensation_says_which_rules_are_verified(tmp_path, register):
    _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])  # improved: 乙 pays 甲 100万
    w = _value(_request(tmp_path, "water_compensation: {monitoring: monitoring.csv, amount_per_month: "
                                  "100 万元/month}\n"), register).result["water_compensation"]
    # Chongqing's 2018 实施方案 states who pays when a section meets its class and is better or worse than last
    # year (verified); a month failing its class ("separate rules", not read) or unchanged (not stated) is settled
    # by a declared rule (unverified), by default upstream_pays and none
    assert w["rule_status"] == "unverified (fails_class, unchanged); verified (improved, worse)"
    assert w["rules"] == {"fails_class": "upstream_pays", "unchanged": "none"} and w["section_months"] == 1
    assert w["amount_per_month"]["value"] == pytest.approx(1e6, rel=1e-12)
    assert w["yearly"][0]["net_to_upstream_yuan"] == pytest.approx(1e6, rel=1e-12)


def test_yearly_clearing_of_a_pair_where_one_side_never_pays(tmp_path):
    # 甲 upstream of 乙: two months improved (乙 pays 甲 2 × 100万), one unchanged (nobody); 甲 never pays
    monthly = settle(read_monitoring(_monitoring(tmp_path, [
        ["A", "甲", "乙", 2021, 1, "III", "II", "III"], ["A", "甲", "乙", 2021, 2, "III", "I", "II"],
        ["A", "甲", "乙", 2021, 3, "III", "II", "II"]])), quantity(100, "万元/month"))
    row = yearly_net(monthly).iloc[0]
    assert row["months"] == 3
    assert row["downstream_to_upstream_yuan"] == pytest.approx(2e6, rel=1e-12)
    assert row["upstream_to_downstream_yuan"] == 0.0
    assert row["net_to_upstream_yuan"] == pytest.approx(2e6, rel=1e-12)


# ----------------------------------------------------------------------------------------------
# the reasons a sale cannot be made


def test_the_reasons_a_sale_cannot_be_made():
    # land 600 hm², forest 400 hm², own target 70 %: 400 − 420 = −20 hm², 20 hm² short
    land, forest, target = quantity(600, "hm2"), quantity(400, "hm2"), quantity(70, "%")
    none = check_sale(quantity(0, "hm2"), forest, land, target)
    assert (none.reason, none.reason_zh) == ("the area asked must be positive", "申请面积须大于零")
    short = check_sale(quantity(10, "hm2"), forest, land, target)
    assert not short.feasible and short.reason == (
        "the seller's coverage 66.67 % is not above its own target 70.00 %: nothing can be sold (20.00 hm² short of "
        "the target)")
    assert short.reason_zh == "出让方森林覆盖率 66.67% 未超过自身目标 70.00%，不能出售（距目标尚差 20.00 hm²）"


# ----------------------------------------------------------------------------------------------
# messages of the helpers called directly


def test_the_messages_of_the_helpers_called_directly():
    from gep.trading.request import check_range
    from gep.trading.valuation import forest_gep
    # a quantity checked without the text it was written as is shown as the quantity
    with pytest.raises(RequestError) as err:
        check_range(quantity(-1, "hectare"), "r.yaml", "k", "non_negative")
    assert str(err.value) == "r.yaml, key k: '-1 hectare' must be 0 or more (not negative)"
    # no forest service of a region
    with pytest.raises(ValueError, match=r"^the accounts hold no forest service of 990008 in 2021$"):
        forest_gep(SERVICES, "990008", 2021, 400.0)
    # a water rule that is not a choice names the cases and the choices
    with pytest.raises(ValueError, match=r"^rule fails_class: nobody — cases fails_class, unchanged, choices "
                                         r"upstream_pays, downstream_pays, none$"):
        settle(pd.DataFrame(), quantity(100, "万元/month"), {"fails_class": "nobody"})


def test_a_missing_file_of_201_characters_is_cut_at_200(tmp_path):
    # the path is shown to 200 characters, then its length
    target = tmp_path / ("m" * (201 - len(str(tmp_path)) - 1))  # the folder, a '/', and the rest of 201 characters
    assert len(str(target)) == 201
    path = _request(tmp_path, f"water_compensation: {{monitoring: {target.name}}}\n")
    with pytest.raises(RequestError) as err:
        load_request(path)
    assert err.value.message == f"{str(target)[:200]}… (201 characters) not found (a path is relative to the " \
                                "request file's folder)"


@pytest.mark.parametrize("body, message", [
    (_SELLER.replace("target_coverage: 60 %", "target_coverage: 60 %, colour: green") + _TERMS,
     "key seller.colour: unknown key; known: name, region_code, land_area, forest_area, target_coverage, "
     "already_sold, already_bought"),
    (_SELLER + _TERMS.replace("discount_rate: 8 %", "discount_rate: 8 %, instalment_shares: 0.5"),
     "key trade.instalment_shares: expected a list of fractions, e.g. [0.4, 0.3, 0.3]"),
], ids=["party-key", "shares"])
def test_the_whole_message_of_a_request_error(tmp_path, body, message):
    with pytest.raises(RequestError) as err:
        load_request(_request(tmp_path, body))
    assert str(err.value) == f"{tmp_path / 'request.yaml'}, {message}"


# ----------------------------------------------------------------------------------------------
# what a valuation records of each term, party and table (each checked where no other test reads it)


def test_a_term_written_as_a_mapping_keeps_its_status_and_source(tmp_path):
    # {value, status, source}: the status and source written are the term's; a list of sensitivity targets is
    # 'given' in the 'request file', like any term written without them
    path = _request(tmp_path, _SELLER + "trade: {area: 150 亩, price: {value: 2500 元/亩, status: estimated, "
                                        "source: 评估报告 2021}, target_sensitivity: [50 %]}\n")
    trade = load_request(path).trade
    assert (trade["price"].status, trade["price"].source, trade["price"].origin, trade["price"].written) == \
        ("estimated", "评估报告 2021", "request", "2500 元/亩")
    sens = trade["target_sensitivity"]
    assert (sens.status, sens.source, sens.origin) == ("given", "request file", "request")


def test_an_unknown_unit_is_quoted_whole_up_to_200_characters(tmp_path):
    # a unit of 50 letters: 'unknown unit '…'' is 65 characters, more than a quoted value's usual 60, and is
    # quoted whole (what the user wrote stays in the message)
    unit = "q" * 50
    with pytest.raises(RequestError) as err:
        load_request(_request(tmp_path, _SELLER + f"trade: {{area: 150 {unit}}}\n"))
    assert str(err.value) == f"{tmp_path / 'request.yaml'}, key trade.area: unknown unit '{unit}'; expected e.g. " \
                             "'1.5 万亩'"


def test_a_buyer_with_its_land_area_only_and_a_trade_without_a_buyer(tmp_path, register):
    # a buyer outside the inventory with its land area but no forest area: no coverage (a note), not a crash;
    # its region code is recorded as given
    body = _SELLER + 'buyer: {name: 甲区, region_code: "500101", land_area: 1000 hm2}\n' + _TERMS
    v = _value(_request(tmp_path, body), register)
    buyer = v.result["trade"]["buyer"]
    assert (buyer["name"], buyer["region_code"], buyer["coverage_before_pct"], buyer["coverage_after_pct"]) == \
        ("甲区", "500101", None, None)
    assert buyer["terms"]["land_area"]["value"] == pytest.approx(1000, rel=1e-12) and buyer["terms"]["forest_area"] \
        is None
    # the note of a buyer whose coverage is not computed (its whole text: test_a_buyer_without_areas_and_a_trade_...)
    assert any(n["en"].startswith("甲区: land or forest area not given") for n in v.notes)
    # no buyer at all: the trade's buyer is null in valuation.json, and no obligation row is written; a carbon price
    # given without its kind has an empty kind (the register's price is described by the method's basis)
    body = _SELLER + _TERMS + "carbon: {co2: 1000 t CO₂/a, price: 50 元/t CO₂}\n"
    v = _value(_request(tmp_path, body), register)
    assert v.result["trade"]["buyer"] is None and "obligations" not in v.tables
    assert v.result["carbon"]["price_kind"] == ""
    assert v.result["carbon"]["value_yuan_per_a"] == pytest.approx(50_000, rel=1e-12)  # 1000 t × 50 元/t


def test_a_default_term_is_named_in_the_note_with_its_status(tmp_path, register):
    # the request leaves out the discount rate: the user's register gives 6 % (a row written by hand, status
    # unverified); the note names the term by its coefficient's Chinese label and by the request's key
    from conftest import write_register
    user = load_register(TRADING_REGISTER, write_register(tmp_path / "terms.csv",
                                                          ("discount_rate", 6, "%", "", "", "", "", "test")))
    v = _value(_request(tmp_path, _SELLER + _BUYER + _TERMS.replace(", discount_rate: 8 %", "")), user)
    assert {"zh": "贴现率：采用登记表默认值 6 %（unverified）",
            "en": "discount_rate: default 6 % from the register (unverified)"} in v.notes
    assert v.result["trade"]["discount_rate"] == pytest.approx(0.06, rel=1e-12)


def test_instalment_shares_given_in_the_request_split_the_payments(tmp_path, register):
    # 150 亩 × 2500 元/亩 = 375 000 元 in two instalments of 60 % and 40 %: 225 000 元 in 2021, 150 000 元 in 2022;
    # at 8 %: PV 225 000 + 150 000 / 1.08
    body = _SELLER + _BUYER + _TERMS.replace("instalments: 3", "instalments: 2, instalment_shares: [0.6, 0.4]")
    v = _value(_request(tmp_path, body), register)
    pay = v.tables["payment_schedule"]
    assert list(pay["year"]) == [2021, 2022] and list(pay["share"]) == pytest.approx([0.6, 0.4], rel=1e-12)
    assert list(pay["amount_yuan"]) == pytest.approx([225_000, 150_000], rel=1e-12)
    assert v.result["trade"]["pv_payments_yuan"] == pytest.approx(225_000 + 150_000 / 1.08, rel=1e-12)


def test_the_forest_services_table_holds_the_sellers_forest_of_the_year(tmp_path, register):
    # of SERVICES, the forest rows of 990000 in 2021: water conservation, forest products, carbon (2000 t); not the
    # grassland's, the other region's or the other year's
    body = _SELLER_IN_INVENTORY + _BUYER + _TERMS
    table = _value(_request(tmp_path, body, _tables()), register, SERVICES).tables["forest_services"]
    assert sorted(table["service"]) == ["carbon_sequestration", "forest_products", "water_conservation"]
    assert set(table["region_code"]) == {"990000"} and set(table["year"]) == {2021}
    assert list(table.index) == [0, 1, 2]
    assert sorted(table["value_yuan"]) == [100_000, 300_000, 600_000]


def test_the_water_rules_of_the_request_settle_the_months(tmp_path, register):
    # an unchanged month (II last year, II now, target III): nobody pays by default; the request says the
    # downstream district pays, so 乙 pays 甲 100 万元 = 1 000 000 元
    _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "II"]])
    v = _value(_request(tmp_path, "water_compensation: {monitoring: monitoring.csv, amount_per_month: 100 万元/month, "
                                  "rules: {unchanged: downstream_pays}}\n"), register)
    month = v.tables["water_monthly"].iloc[0]
    assert (month["case"], month["rule"], month["payer"], month["payee"]) == \
        ("unchanged", "downstream_pays", "乙", "甲")
    assert month["amount_yuan"] == pytest.approx(1e6, rel=1e-12)
    assert v.result["water_compensation"]["yearly"][0]["net_to_upstream_yuan"] == pytest.approx(1e6, rel=1e-12)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_a_water_compensation_that_overflows_names_the_results_figures(tmp_path, register):
    # 1e304 万元 = 1e308 元 a month (finite); two improved months paid downstream → upstream: 2e308 元, more than the
    # largest float (1.8e308): the year's sum and net are inf. The message names those two figures of the result,
    # not the tables holding the same sums again
    from gep.accounting import NonFiniteFigures
    _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"], ["A", "甲", "乙", 2021, 2, "III", "I", "II"]])
    path = _request(tmp_path, "water_compensation: {monitoring: monitoring.csv, amount_per_month: 1e304 万元/month}\n")
    with pytest.raises(NonFiniteFigures) as err:
        _value(path, register)
    assert str(err.value).split("\nAn amount")[0] == \
        f"2 figure(s) of the valuation of {path} are not finite numbers (inf or NaN), so nothing was written:\n" \
        "  water_compensation.yearly[0].downstream_to_upstream_yuan = inf\n" \
        "  water_compensation.yearly[0].net_to_upstream_yuan = inf"


def test_an_infinite_figure_in_a_table_only_is_named_by_its_table_column_and_row(tmp_path, register):
    # a forest service left out of GEP (in_gep false) worth inf 元: the forest GEP per 亩 is finite, but the
    # forest_services table written beside valuation.json holds it, in its 4th row (row 5 of the CSV after the header)
    from gep.accounting import NonFiniteFigures
    services = pd.concat([SERVICES, pd.DataFrame([{**_service("recreation", "visits", math.inf), "in_gep": False}])],
                         ignore_index=True)
    path = _request(tmp_path, _SELLER_IN_INVENTORY + _BUYER + _TERMS, _tables())
    with pytest.raises(NonFiniteFigures) as err:
        _value(path, register, services)
    assert str(err.value).split("\nAn amount")[0] == \
        f"1 figure(s) of the valuation of {path} are not finite numbers (inf or NaN), so nothing was written:\n" \
        "  forest_services.csv, column value_yuan: 1 row(s) infinite (row 5: inf)"


def test_a_compensation_request_is_named_as_shown(tmp_path):
    # messages name the user's own file (shown_as), not the copy read; without it, the path as given
    path = _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])
    assert compensation_request(path, "100 万元/month", shown_as="我的监测表.csv").shown == "我的监测表.csv"
    assert compensation_request(path, "100 万元/month").shown == path


def test_the_sellers_forest_and_earlier_sales_say_where_they_come_from(tmp_path):
    # the forest of 990000 and its two townships (3 regions) in 2021; no obligations table: nothing sold, observed
    inventory = load_inventory(write_tables(tmp_path / "tiny", _tables()))
    terms = party_from_inventory(inventory, Party("示例县", "990000"), 2021, "甲区", "r.yaml")
    assert terms["forest_area"].source == "extent.csv: forest rows of 3 region(s), 2021"
    sold = terms["already_sold"]
    assert float(sold.value.to("hectare").magnitude) == 0.0
    assert (sold.status, sold.source) == ("observed", "obligations table: no earlier sale")
    # sales up to 2021: to 乙区 in 2020 (5 hm²), to 甲区 in 2019 (3 hm²), to 丙区 in 2021 (2 hm²) are earlier sales;
    # the one to 甲区 in 2021 is the deal being valued and one of 2022 is later: 5 + 3 + 2 = 10 hm²
    sale = {"kind": "forest_area_sold", "source": "合同"}
    tables = _tables(obligations=[
        {**sale, "region_code": "990002", "year": 2020, "counterparty": "乙区", "area [hm2]": 5, "status": "observed"},
        {**sale, "region_code": "990001", "year": 2019, "counterparty": "甲区", "area [hm2]": 3, "status": "estimated"},
        {**sale, "region_code": "990000", "year": 2021, "counterparty": "甲区", "area [hm2]": 10, "status": "observed"},
        {**sale, "region_code": "990000", "year": 2021, "counterparty": "丙区", "area [hm2]": 2, "status": "observed"},
        {**sale, "region_code": "990000", "year": 2022, "counterparty": "丁区", "area [hm2]": 7, "status": "observed"}])
    inventory = load_inventory(write_tables(tmp_path / "tiny2", tables))
    sold = party_from_inventory(inventory, Party("示例县", "990000"), 2021, "甲区", "r.yaml")["already_sold"]
    assert float(sold.value.to("hectare").magnitude) == pytest.approx(10.0, rel=1e-12)
    assert sold.status == "estimated/observed"
    # named in the order of the inventory's table (by region code, then year), each by its row in the file
    assert sold.source == "obligations.csv row 5: 丙区 2021; obligations.csv row 3: 甲区 2019; " \
                          "obligations.csv row 2: 乙区 2020"
    # a sale whose status cell is empty says nothing about the evidence: the status is that of the others alone
    # ("estimated", not "/estimated" nor "estimated/nan")
    tables = _tables(obligations=[
        {**sale, "region_code": "990002", "year": 2020, "counterparty": "乙区", "area [hm2]": 5, "status": ""},
        {**sale, "region_code": "990001", "year": 2019, "counterparty": "甲区", "area [hm2]": 3, "status": "estimated"}])
    inventory = load_inventory(write_tables(tmp_path / "tiny3", tables))
    sold = party_from_inventory(inventory, Party("示例县", "990000"), 2021, "甲区", "r.yaml")["already_sold"]
    assert sold.status == "estimated"


def test_yearly_clearing_of_whole_yuan_stays_whole(tmp_path):
    # a settlement written by hand in whole yuan: 乙 pays 甲 300 元 in January, 甲 pays 乙 100 元 in February;
    # both sums are whole numbers, as written (a month nobody pays in a direction counts 0, not a missing value)
    settlement = pd.DataFrame({"year": [2021, 2021], "month": [1, 2], "upstream": ["甲", "甲"],
                               "downstream": ["乙", "乙"], "payer": ["乙", "甲"], "amount_yuan": [300, 100]})
    row = yearly_net(settlement)
    assert row["downstream_to_upstream_yuan"].dtype == row["upstream_to_downstream_yuan"].dtype == "int64"
    assert (row["downstream_to_upstream_yuan"].iloc[0], row["upstream_to_downstream_yuan"].iloc[0],
            row["net_to_upstream_yuan"].iloc[0]) == (300, 100, 200)  # 300 − 100


def test_which_target_a_party_owes_the_year_it_sells(tmp_path):
    # targets of 2015 (40 %), 2018 (45 %), 2019 (48 %) and 2025 (55 %): a sale in 2019 owes the first target from
    # 2019 on, 2019's own 48 % (not 2025's); a sale in 2026, after every target, owes the latest, 2025's 55 % (not
    # the second row, 2018's 45 %)
    tables = _tables(targets=[_target(2015, 40), _target(2018, 45), _target(2019, 48), _target(2025, 55)])
    inventory = load_inventory(write_tables(tmp_path / "tiny", tables))
    for year, pct in ((2019, 48.0), (2026, 55.0)):
        terms = party_from_inventory(inventory, Party("示例县", "990000"), year, None, "r.yaml")
        assert float(terms["target_coverage"].value.to("percent").magnitude) == pct, year


def test_the_forest_status_names_each_status_once_or_observed_where_none_is_written(tmp_path):
    # extent rows of 990001 observed and 990002 estimated: the forest area's status names both, sorted, joined by
    # '/'; with no status written on any row it is read as observed, as the other inventory terms are
    inventory = load_inventory(write_tables(tmp_path / "tiny", _tables()))
    extent = inventory.table("extent").copy()
    for statuses, expected in (({"990001": "observed", "990002": "estimated"}, "estimated/observed"),
                               ({"990001": "", "990002": ""}, "observed")):
        extent["status"] = extent["region_code"].map(statuses).fillna("")
        terms = party_from_inventory(_Tables(inventory, extent=extent), Party("示例县", "990000"), 2021, None, "r.yaml")
        assert terms["forest_area"].status == expected


def test_earlier_sales_are_an_inventory_term_and_a_sale_without_an_area_adds_nothing(tmp_path):
    # two earlier sales in code: 4 hm² to 乙区 in 2019 and one to 丙区 in 2020 whose area is missing: 4 + 0 = 4 hm²,
    # a figure taken from the inventory
    inventory = load_inventory(write_tables(tmp_path / "tiny", _tables()))
    sales = pd.DataFrame({"region_code": ["990001", "990002"], "year": [2019, 2020], "counterparty": ["乙区", "丙区"],
                          "kind": ["forest_area_sold"] * 2, "area": [4.0, math.nan], "status": ["observed"] * 2,
                          "input_file": ["obligations.csv"] * 2, "input_row": [2, 3]})
    sold = party_from_inventory(_Tables(inventory, obligations=sales), Party("示例县", "990000"), 2021, None,
                                "r.yaml")["already_sold"]
    assert float(sold.value.to("hectare").magnitude) == 4.0
    assert (sold.status, sold.origin) == ("observed", "inventory")
