"""Every error of a trade request (``gep trade``) and of a monitoring table (``gep compensation``): each names
the file and the key path (or row and column) and says what was expected.

The requests are the tiny county's (conftest.py: 990000, land 600 hm², forest 400 hm², 2020–2021), built by
the helpers of test_trading.py; no test here computes the Chengkou accounts.
"""
from __future__ import annotations

import re

import pytest

from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.reading import ReadError
from gep.trading.request import RequestError, load_request
from gep.trading.valuation import (TRADING_REGISTER, MonitoringError, compensation_request,
                                   party_from_inventory, read_monitoring, value_request)

from conftest import tiny_tables, write_register, write_tables
from test_trading import _TRADE, _monitoring, _tiny_request


# ----------------------------------------------------------------------------------------------
# trade requests: every error names the file and the key path


def _request_error(path) -> str:
    with pytest.raises(RequestError) as err:
        load_request(path)
    return str(err.value)


_BASE = "title: 示例交易\nyear: 2021\ninventory: tiny\n"
_CARBON = "carbon: {co2: 1000 t CO₂/a}\n"


# (what is changed in the tiny trade request, the key the message names, what it says)
REQUEST_ERRORS = [
    # numbers with their units
    (("area: 150 亩", "area: null"), "trade.area", "expected a number with its unit, e.g. '1.5 万亩'"),
    # YAML reads true as a bool, which Python counts as the number 1: not 1 of anything
    (("area: 150 亩", "area: true"), "trade.area", "expected a number with its unit, e.g. '1.5 万亩'"),
    (("area: 150 亩", "area: 150"), "trade.area", "150 has no unit; write the unit with the number, e.g. '1.5 万亩'"),
    (("area: 150 亩", "area: 亩"), "trade.area", "'亩' is not a number followed by its unit, e.g. '1.5 万亩'"),
    (("area: 150 亩", "area: 150 blorbs"), "trade.area", "unknown unit 'blorbs'; expected e.g. '1.5 万亩'"),
    (("area: 150 亩", "area: 1e999 亩"), "trade.area", "'1e999 亩' is not a finite number (e.g. '1.5 万亩')"),
    (("area: 150 亩", "area: 1e306 万亩"), "trade.area", "'1e306 万亩' is not a finite number (e.g. '1.5 万亩')"),  # inf in m²
    (("area: 150 亩", "area: 2500 元/亩"), "trade.area", "'2500 元/亩' is not [area] (e.g. '1.5 万亩')"),
    # signs and ranges
    (("area: 150 亩", "area: -150 亩"), "trade.area", "'-150 亩' must be greater than 0"),
    (("area: 150 亩", "area: 0 亩"), "trade.area", "'0 亩' must be greater than 0"),
    (("price: 2500 元/亩", "price: -2500 元/亩"), "trade.price", "'-2500 元/亩' must be 0 or more (not negative)"),
    (("maintenance_fee: 100 元/亩/a", "maintenance_fee: -1 元/亩/a"), "trade.maintenance_fee",
     "'-1 元/亩/a' must be 0 or more (not negative)"),
    (("maintenance_years: 15 a", "maintenance_years: 15.5 a"), "trade.maintenance_years",
     "'15.5 a' must be a whole number of years from 0 to 100 (e.g. 15 a)"),
    (("maintenance_years: 15 a", "maintenance_years: 1e9 a"), "trade.maintenance_years",  # a 1e9-row schedule
     "'1e9 a' must be a whole number of years from 0 to 100 (e.g. 15 a)"),
    (("maintenance_years: 15 a", "maintenance_years: -1 a"), "trade.maintenance_years",
     "'-1 a' must be a whole number of years from 0 to 100 (e.g. 15 a)"),
    (("discount_rate: 8 %", "discount_rate: 100 %"), "trade.discount_rate",
     "'100 %' must be a rate from 0 % up to, not including, 100 % (e.g. 8 %)"),
    (("discount_rate: 8 %", "discount_rate: -8 %"), "trade.discount_rate",
     "'-8 %' must be a rate from 0 % up to, not including, 100 % (e.g. 8 %)"),
    (("60 %, status", "120 %, status"), "seller.target_coverage", "'120 %' must be a coverage from 0 % to 100 %"),
    (("60 %, status", "-5 %, status"), "seller.target_coverage",
     "'-5 %' must be a coverage from 0 % to 100 %"),
    (("land_area: 1000 hm2", "land_area: 0 hm2"), "buyer.land_area", "'0 hm2' must be greater than 0"),
    (("forest_area: 500 hm2", "forest_area: -500 hm2"), "buyer.forest_area",
     "'-500 hm2' must be 0 or more (not negative)"),
    (("forest_area: 500 hm2", "forest_area: 500 hm2, already_bought: -1 hm2"), "buyer.already_bought",
     "'-1 hm2' must be 0 or more (not negative)"),
    (('region_code: "990000"', 'region_code: "990000", already_sold: -10 hm2'), "seller.already_sold",
     "'-10 hm2' must be 0 or more (not negative)"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, target_sensitivity: [55 %, 150 %]}"),
     "trade.target_sensitivity[1]", "'150 %' must be a coverage from 0 % to 100 %"),
    # a term with its status and source
    (("{value: 60 %, status: unverified, source: test}", "{status: unverified}"), "seller.target_coverage",
     "a mapping needs value (and may give status and source)"),
    (("source: test}", "source: test, sauce: x}"), "seller.target_coverage.sauce",
     "unknown key; known: value, status, source"),
    # whole numbers
    (("discount_rate: 8 %}", "discount_rate: 8 %, instalments: 2.5}"), "trade.instalments",
     "expected a whole number (a number of instalments), not 2.5"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, instalments: 0}"), "trade.instalments",
     "0 is not a number of instalments from 1 to 100"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, instalments: 100000000}"), "trade.instalments",
     "100000000 is not a number of instalments from 1 to 100"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, first_payment_year: 3000}"), "trade.first_payment_year",
     "3000 is not a year from 1900 to 2100"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, instalment_shares: 0.5}"), "trade.instalment_shares",
     "expected a list of fractions, e.g. [0.4, 0.3, 0.3]"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, instalment_shares: [true, false]}"), "trade.instalment_shares",
     "expected a list of fractions, e.g. [0.4, 0.3, 0.3]"),  # YAML true is 1: it was taken as a share
    (("discount_rate: 8 %}", "discount_rate: 8 %, instalment_shares: [1.5, -0.5]}"), "trade.instalment_shares",
     "[1.5, -0.5] holds a share that is not a fraction from 0 to 1"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, instalment_shares: [0.5, 0.4]}"), "trade.instalment_shares",
     "[0.5, 0.4] adds up to 0.9, not 1"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, target_sensitivity: 55 %}"), "trade.target_sensitivity",
     "expected a list of coverages, e.g. [55 %, 65 %]"),
    # the shape of the request
    (("seller: {name: 示例县, region_code: \"990000\"", "seller: {region_code: \"990000\""), "seller",
     "expected a mapping with at least name (e.g. name: 城口县)"),
    (('region_code: "990000"', 'region_code: "990000", colour: green'), "seller.colour",
     "unknown key; known: name, region_code, land_area, forest_area, target_coverage, already_sold, already_bought"),
    (("trade: {area: 150 亩, ", "trade: {"), "trade", "expected a mapping with at least area (e.g. area: 1.5 万亩)"),
    (("discount_rate: 8 %}", "discount_rate: 8 %, discount: 8 %}"), "trade.discount",
     ("unknown key; known: area, price, maintenance_years, maintenance_fee, instalments, instalment_shares, "
      "first_payment_year, discount_rate, target_sensitivity")),
]


@pytest.mark.parametrize("change, key, expected", REQUEST_ERRORS, ids=[f"{k}:{e[:30]}" for _, k, e in REQUEST_ERRORS])
def test_each_request_error_names_the_file_and_key(tmp_path, change, key, expected):
    old, new = change
    assert old in _TRADE
    text = _request_error(_tiny_request(tmp_path, _TRADE.replace(old, new, 1)))
    assert text == f"{tmp_path / 'request.yaml'}, key {key}: {expected}"


# (the whole request after title/year/inventory, the key, what the message says)
REQUEST_SHAPE_ERRORS = [
    ("colour: green\n" + _CARBON, "colour",
     "unknown key; known: title, year, inventory, seller, buyer, trade, carbon, water_compensation"),
    (_CARBON.replace("co2: 1000 t CO₂/a", "price: 29.57 元/t"), "carbon.price",
     "'29.57 元/t' is not a price per t CO₂ or per t C (e.g. '29.57 元/t CO₂' or '1320 元/t C')"),
    (_CARBON.replace("co2: 1000 t CO₂/a", "price: -29.57 元/t CO₂"), "carbon.price",
     "'-29.57 元/t CO₂' must be 0 or more (not negative)"),
    (_CARBON.replace("co2: 1000 t CO₂/a", "co2: -1000 t CO₂/a"), "carbon.co2",
     "'-1000 t CO₂/a' must be 0 or more (not negative)"),
    (_CARBON.replace("co2: 1000 t CO₂/a", "nep: -10 t C/a"), "carbon.nep",
     "'-10 t C/a' must be 0 or more (not negative)"),
    (_CARBON.replace("co2: 1000 t CO₂/a", "co2: 1000 t C/a"), "carbon.co2",
     "'1000 t C/a' is not [carbon_dioxide]/[time] (e.g. '5000 t CO₂/a')"),
    (_CARBON.replace("co2:", "c02:"), "carbon.c02", "unknown key; known: price, price_kind, co2, nep"),
    ("carbon: 29.57 元/t CO₂\n", "carbon", "expected a mapping (price, price_kind, co2 or nep)"),
    ("water_compensation: monitoring.csv\n", "water_compensation", "expected a mapping with monitoring: FILE.csv"),
    ("water_compensation: {monitoring: monitoring.csv, amount: 100 万元/month}\n", "water_compensation.amount",
     "unknown key; known: monitoring, amount_per_month, rules"),
    ("water_compensation: {monitoring: monitoring.csv, amount_per_month: -100 万元/month}\n",
     "water_compensation.amount_per_month", "'-100 万元/month' must be 0 or more (not negative)"),
    ("water_compensation: {monitoring: monitoring.csv, rules: upstream_pays}\n", "water_compensation.rules",
     "expected a mapping of fails_class, unchanged to upstream_pays, downstream_pays, none"),
    ("water_compensation: {monitoring: monitoring.csv, rules: {fails: none}}\n", "water_compensation.rules.fails",
     "unknown key; known: fails_class, unchanged"),
    ("water_compensation: {monitoring: monitoring.csv, rules: {unchanged: nobody}}\n",
     "water_compensation.rules.unchanged", "'nobody' is not one of upstream_pays, downstream_pays, none"),
    ("water_compensation: {monitoring: elsewhere.csv}\n", "water_compensation.monitoring",
     "FOLDER/elsewhere.csv not found (a path is relative to the request file's folder)"),
    ("buyer: {name: 甲区}\n", "(file)", "nothing to value: give trade, carbon or water_compensation"),
]


@pytest.mark.parametrize("body, key, expected", REQUEST_SHAPE_ERRORS, ids=[k for _, k, _ in REQUEST_SHAPE_ERRORS])
def test_each_part_of_a_request_is_checked(tmp_path, body, key, expected):
    _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])
    text = _request_error(_tiny_request(tmp_path, body))
    # FOLDER: the request's folder, where a relative path is looked for
    assert text == f"{tmp_path / 'request.yaml'}, key {key}: {expected.replace('FOLDER', str(tmp_path))}"


@pytest.mark.parametrize("head, key, expected", [
    ("title: t\nyear: 1800\n", "year", "1800 is not a year from 1900 to 2100"),
    ("title: t\nyear: 二〇二一\n", "year", "expected a whole number (a year), not '二〇二一'"),
    ("title: t\n", "year", "expected a whole number (a year), not nothing (the key is missing or empty)"),
    ("title: t\nyear:\n", "year", "expected a whole number (a year), not nothing (the key is missing or empty)"),
    ("title: t\nyear: 2021\ninventory: no-such-folder\n", "inventory",
     "FOLDER/no-such-folder not found (a path is relative to the request file's folder)"),
])
def test_the_year_and_inventory_of_a_request(tmp_path, head, key, expected):
    path = tmp_path / "request.yaml"
    path.write_text(head + _CARBON, encoding="utf-8")
    assert _request_error(path) == f"{path}, key {key}: {expected.replace('FOLDER', str(tmp_path))}"


def test_a_key_given_in_english_and_chinese(tmp_path):
    # 面积 is area: the dict of English keys kept the last of the two, 300 亩, without a word
    body = _TRADE.replace("area: 150 亩", "area: 150 亩, 面积: 300 亩")
    assert "request.yaml, key trade.area: given twice, as area and as 面积: keep one" in \
        _request_error(_tiny_request(tmp_path, body))


def test_a_request_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "request.yaml"
    path.write_text("- title: t\n- year: 2021\n", encoding="utf-8")
    assert "request.yaml, key (file): expected a mapping of keys" in _request_error(path)


def test_a_nested_alias_request_is_refused_before_it_expands(tmp_path):
    # nine levels of nine aliases would be 9⁹ ≈ 387 million strings: refused at the first alias, with its line
    lines = ['a0: &a0 ["lol"]'] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "request.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReadError) as err:
        load_request(path)
    assert str(err.value).startswith(f"{path}, line 2: not valid YAML: YAML aliases (*name) are not accepted")


def test_a_request_with_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "request.yaml"
    path.write_text("title: t\nyear: 2021\ntrade: {area: 150 亩\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"request\.yaml, line \d+: not valid YAML"):
        load_request(path)


# ----------------------------------------------------------------------------------------------
# errors found when the request is valued (its figures against the inventory's)


def _value_error(tmp_path, body, register=None) -> str:
    """The message of the RequestError valuing the tiny request with ``body`` raises; it names the request file."""
    path = _tiny_request(tmp_path, body)
    req = load_request(path)
    with pytest.raises(RequestError) as err:
        value_request(req, register or load_register(TRADING_REGISTER), load_inventory(req.inventory), None)
    assert str(err.value).startswith(f"{path}, key "), str(err.value)
    return str(err.value)


def test_a_seller_forest_larger_than_its_land_is_refused(tmp_path):
    # the inventory's land 600 hm² with a forest of 700 hm² from the request: coverage 116.67 %
    body = _TRADE.replace('region_code: "990000", ', 'region_code: "990000", forest_area: 700 hm2, ')
    assert "request.yaml, key seller.forest_area: forest area 700.00 hm² (request) exceeds the land area " \
           "600.00 hm² (inventory)" in _value_error(tmp_path, body)


def test_a_buyer_forest_larger_than_its_land_is_refused(tmp_path):
    body = _TRADE.replace("forest_area: 500 hm2", "forest_area: 1500 hm2")
    assert "key buyer.forest_area: forest area 1,500.00 hm² (request) exceeds the land area 1,000.00 hm²" in \
        _value_error(tmp_path, body)


def test_shares_for_another_number_of_instalments(tmp_path):
    # two shares, but the register's default is 3 instalments
    body = _TRADE.replace("discount_rate: 8 %}", "discount_rate: 8 %, instalment_shares: [0.5, 0.5]}")
    assert "key trade.instalment_shares: 2 share(s) for 3 instalment(s) (register)" in _value_error(tmp_path, body)


def test_a_register_maintenance_period_that_is_not_whole_years(tmp_path):
    # the request gives none, the user's register 15.5 years: a schedule cannot have half a year
    body = _TRADE.replace("maintenance_years: 15 a, ", "")
    register = load_register(TRADING_REGISTER, write_register(tmp_path / "terms.csv",
                                                              ("forest_maintenance_years", 15.5, "a", "", "", "",
                                                               "", "test")))
    assert f"key trade.maintenance_years: '15.5 a', the default forest_maintenance_years of {tmp_path / 'terms.csv'}, " \
           "must be a whole number of years from 0 to 100 (e.g. 15 a)" in _value_error(tmp_path, body, register)


@pytest.mark.parametrize("key, row, written, expected", [
    # 2.5 was cut to 2 instalments without a word; 0.5 to 0, refused by a ValueError naming neither file nor key;
    # a million overflowed the present value, 1.08^999 999 (an internal error); 101 is more than a century of years
    ("instalments", ("payment_instalments", 2.5, "1"), "2.5", "a whole number of instalments from 1 to 100"),
    ("instalments", ("payment_instalments", 0.5, "1"), "0.5", "a whole number of instalments from 1 to 100"),
    ("instalments", ("payment_instalments", 1_000_000, "1"), "1e+06", "a whole number of instalments from 1 to 100"),
    ("instalments", ("payment_instalments", 101, "1"), "101", "a whole number of instalments from 1 to 100"),
    # the register takes a rate up to 100 % included; the request's own, as the statement's, stops before it
    ("discount_rate", ("discount_rate", 100, "%"), "100 %", "a rate from 0 % up to, not including, 100 % (e.g. 8 %)"),
])
def test_a_register_default_is_checked_as_the_requests_own_term(tmp_path, key, row, written, expected):
    body = _TRADE.replace(", discount_rate: 8 %", "")  # the request gives no instalments and no rate
    register = load_register(TRADING_REGISTER, write_register(tmp_path / "terms.csv", (*row, "", "", "", "", "test")))
    assert f"key trade.{key}: '{written}', the default {row[0]} of {tmp_path / 'terms.csv'}, must be {expected}" in \
        _value_error(tmp_path, body, register)


def test_a_trade_without_a_seller(tmp_path):
    body = _TRADE.split("\n", 1)[1]  # without the seller line
    assert "key seller: a trade needs its seller" in _value_error(tmp_path, body)


@pytest.mark.parametrize("change, key", [
    (('region_code: "990000", ', ""), "land_area"),  # no region: nothing from the inventory
    (('region_code: "990000", ', "land_area: 600 hm2, "), "forest_area"),
    # the tiny inventory has no targets table: the seller's own target must be in the request
    ((", target_coverage: {value: 60 %, status: unverified, source: test}", ""), "target_coverage"),
])
def test_a_seller_figure_neither_in_the_request_nor_in_the_inventory(tmp_path, change, key):
    assert f"key seller.{key}: needed: give it in the request, or the seller's region_code and an inventory " \
           "that holds it" in _value_error(tmp_path, _TRADE.replace(*change))


@pytest.mark.parametrize("old, new", [
    ('seller: {name: 示例县, region_code: "990000", target_coverage: {value: 60 %, status: unverified, source: test}}',
     'seller: {name: 甲区, region_code: "123456"}'),
    ("buyer: {name: 甲区, land_area: 1000 hm2, forest_area: 500 hm2}", 'buyer: {name: 甲区, region_code: "123456"}'),
], ids=["seller", "buyer"])
def test_a_party_region_outside_the_inventory_needs_its_figures(tmp_path, old, new):
    role = new.split(":")[0]
    assert f"key {role}.region_code: 甲区: 123456 is not a region of the inventory; give its land_area and " \
           "forest_area in the request" in _value_error(tmp_path, _TRADE.replace(old, new))


def test_party_from_inventory_names_an_unknown_region(tmp_path):
    from gep.trading.request import Party
    inventory = load_inventory(write_tables(tmp_path / "tiny", tiny_tables()))
    with pytest.raises(RequestError, match=r"r\.yaml, key region_code: X: 123 is not a region of the inventory"):
        party_from_inventory(inventory, Party("X", "123"), 2021, None, "r.yaml")


def test_a_figure_that_overflows_is_refused_before_anything_is_written(tmp_path):
    # 150 亩 = 10 hm² at 1e307 元/亩 = 1.5e308 元/hm² (finite, below the largest float 1.8e308): the total price
    # 10 × 1.5e308 = 1.5e309 元 is not
    from gep.accounting import NonFiniteFigures
    path = _tiny_request(tmp_path, _TRADE.replace("price: 2500 元/亩", "price: 1e307 元/亩"))
    req = load_request(path)
    with pytest.raises(NonFiniteFigures) as err:
        value_request(req, load_register(TRADING_REGISTER), load_inventory(req.inventory), None)
    text = str(err.value)
    assert f"of the valuation of {path} are not finite numbers (inf or NaN), so nothing was written" in text
    assert "\n  trade.total_price_yuan = inf\n" in text
    assert "give it in the unit it is meant in" in text


def test_a_seller_whose_accounts_hold_no_forest_service(tmp_path):
    # an inventory of regions and extent only: 400 hm² of forest (990001: 100, 990002: 300) and nothing any
    # forest service is computed from, so no forest GEP per 亩 to compare the price with
    from gep.accounting import account
    path = _tiny_request(tmp_path, _TRADE)
    for table in (tmp_path / "tiny").glob("*.csv"):
        if table.stem not in ("regions", "extent"):
            table.unlink()
    req = load_request(path)
    inventory, register = load_inventory(req.inventory), load_register(TRADING_REGISTER)
    with pytest.raises(RequestError) as err:
        value_request(req, register, inventory, account(inventory, register).services)
    assert str(err.value) == (
        f"{path}, key inventory: the GEP accounts of {req.inventory} hold no forest service of 示例县 (990000) in 2021, "
        "though its extent table gives 400.00 hm² of forest, so the forest GEP per 亩 the price is compared with "
        "cannot be computed: gep run on the inventory says what each service lacks")


def test_a_seller_with_no_forest_in_the_inventory_is_valued_not_a_crash(tmp_path):
    # every forest row of the extent table at 0 hm² in 2021: the forest GEP per 亩 divided by 0 (exit 70). Its
    # coverage is 0 / 600 = 0 %, below its target of 60 %: nothing can be sold, 0.6 × 600 − 0 = 360 hm² short
    from gep.accounting import account
    path = _tiny_request(tmp_path, _TRADE)
    extent = tmp_path / "tiny" / "extent.csv"
    lines = extent.read_text(encoding="utf-8").splitlines()
    extent.write_text("\n".join(re.sub(r"^(9900\d\d,2021,forest),\d+$", r"\1,0", line) for line in lines) + "\n",
                      encoding="utf-8")
    req = load_request(path)
    inventory, register = load_inventory(req.inventory), load_register(TRADING_REGISTER)
    v = value_request(req, register, inventory, account(inventory, register).services)
    trade = v.result["trade"]
    assert trade["seller"]["coverage_before_pct"] == 0
    assert trade["seller"]["surplus_ha"] == pytest.approx(-360, rel=1e-12)
    assert not trade["feasible"] and trade["max_area_ha"] == 0 and "ecological_value" not in trade
    assert {"zh": "示例县：清查数据中 2021 年森林面积为 0，没有每亩森林 GEP 可与价格比较",
            "en": "示例县: the inventory gives no forest in 2021 (0 hm²), so there is no forest GEP per 亩 to compare the "
                  "price with"} in v.notes


def test_a_forest_whose_services_are_all_worth_0_has_no_price_per_gep(tmp_path):
    # the forest's services in GEP sum to 0 元 (every price 0, say): 0 元/亩, and the price per 元 of it divided by 0
    import pandas as pd
    services = pd.DataFrame([{"region_code": "990000", "year": 2021, "ecosystem": "forest", "in_gep": True,
                              "value_yuan": 0.0, "category": "regulating", "service": "water_conservation"}])
    req = load_request(_tiny_request(tmp_path, _TRADE))
    v = value_request(req, load_register(TRADING_REGISTER), load_inventory(req.inventory), services)
    eco = v.result["trade"]["ecological_value"]
    # the accounts' forest: 100 + 300 = 400 hm² = 6000 亩, worth 0 元/亩
    assert eco["forest_area_ha"] == 400 and eco["gep_per_mu_yuan"] == 0 and eco["price_per_gep_per_mu"] is None


def test_carbon_of_a_year_the_accounts_do_not_hold(tmp_path):
    # the tiny inventory holds 2020 and 2021; the carbon fixed in 2016 is neither given nor in its accounts
    from gep.accounting import account
    path = _tiny_request(tmp_path, 'seller: {name: 示例县, region_code: "990000"}\ncarbon: {price: 50 元/t CO2}\n')
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2021", "year: 2016"), encoding="utf-8")
    req = load_request(path)
    inventory, register = load_inventory(req.inventory), load_register(TRADING_REGISTER)
    with pytest.raises(RequestError) as err:
        value_request(req, register, inventory, account(inventory, register).services)
    assert str(err.value) == (
        f"{path}, key carbon: the GEP accounts of {req.inventory} hold no carbon_sequestration/co2_fixed of forest "
        "for 990000 in 2016 (they hold the years 2020, 2021): give co2 or nep, or a year of the inventory")


def test_carbon_without_a_quantity_or_region(tmp_path):
    path = tmp_path / "request.yaml"
    path.write_text("title: t\nyear: 2021\ncarbon: {price: 29.57 元/t CO₂}\n", encoding="utf-8")
    with pytest.raises(RequestError, match=r"request\.yaml, key carbon: give co2 or nep"):
        value_request(load_request(path), load_register(TRADING_REGISTER))


def test_a_recomputation_reads_no_file_a_request_copy_names_outside_its_folder(tmp_path):
    # gep verify values a folder again from its copies; a request copy edited to name a monitoring table three
    # folders up (trade/inputs/request/../../.. = tmp_path) must not be read (test_trading_audit.py: through
    # gep verify, the hashes made to match)
    from gep.jobfolder import AuditError, JobInputs
    from gep.jobs.valuation import recompute_trade, run_valuation
    _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])
    out, _ = run_valuation(load_request(_tiny_request(tmp_path, _TRADE)), tmp_path / "trade")
    copy = out / "inputs" / "request" / "request.yaml"
    copy.write_text(copy.read_text(encoding="utf-8") + "water_compensation: {monitoring: ../../../monitoring.csv}\n",
                    encoding="utf-8")
    with pytest.raises(AuditError) as err:
        recompute_trade(JobInputs.of(out), tmp_path / "again", "gep verify")
    assert str(err.value) == (f"request.yaml names {tmp_path / 'monitoring.csv'}, outside the folder's inputs/; a "
                              "recomputation reads only the folder's own copies")
    assert not (tmp_path / "again").exists()


# ----------------------------------------------------------------------------------------------
# monitoring tables


MONITORING_HEADER = ["断面", "上游", "下游", "年份", "月份", "目标类别", "水质类别", "上年同期类别"]


@pytest.mark.parametrize("row, expected", [
    (["", "甲", "乙", 2021, 1, "III", "II", "III"], "row 2, column section: empty: the monitoring section's name is "
                                                    "needed"),
    (["A", "甲", " ", 2021, 1, "III", "II", "III"], "row 2, column downstream: empty: the downstream district is needed"),
    (["A", "甲", "乙", 0, 1, "III", "II", "III"], "row 2, column year: '0' is not a year 1900–2100"),
    (["A", "甲", "乙", 2200, 1, "III", "II", "III"], "row 2, column year: '2200' is not a year 1900–2100"),
    (["A", "甲", "乙", "2021²", 1, "III", "II", "III"], "row 2, column year: '2021²' is not a year"),  # isdigit()
    (["A", "甲", "乙", 2021, "²", "III", "II", "III"], "row 2, column month: '²' is not a month 1–12"),
    (["A", "甲", "乙", 2021, -1, "III", "II", "III"], "row 2, column month: '-1' is not a month 1–12"),
    (["A", "甲", "乙", 2021, 1.5, "III", "II", "III"], "row 2, column month: '1.5' is not a month 1–12"),
    (["A", "甲", "乙", 2021, 1, "III", "VII", "III"], "row 2, column measured_class: 'VII' is not a water class"),
    (["A", "甲", "乙", 2021, 1, "III", "II", "nan"], "row 2, column last_year_class: 'nan' is not a water class"),
])
def test_each_monitoring_cell_is_checked(tmp_path, row, expected):
    with pytest.raises(MonitoringError) as err:
        read_monitoring(_monitoring(tmp_path, [row]))
    assert str(err.value).startswith("1 problem(s) in the monitoring table:")
    assert f"monitoring.csv, {expected}" in str(err.value)


def test_a_monitoring_table_repeating_a_month_or_missing_a_column(tmp_path):
    path = _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]] * 2)
    with pytest.raises(MonitoringError, match="row 3, column month: section, year and month repeat an earlier row"):
        read_monitoring(path)
    path.write_text("断面,上游,下游,年份,月份,目标类别,水质类别\nA,甲,乙,2021,1,III,II\n", encoding="utf-8")
    with pytest.raises(MonitoringError, match="row 1, column last_year_class: missing column"):
        read_monitoring(path)


def test_a_compensation_amount_is_checked_when_a_folder_is_recomputed(tmp_path):
    # gep verify rebuilds a compensation from the --amount recorded in the manifest, past the option parser
    path = _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])
    with pytest.raises(RequestError, match="--amount, key amount_per_month: '-100 万元/month' must be 0 or more"):
        compensation_request(path, "-100 万元/month")
    assert compensation_request(path, "0 万元/month").water["amount_per_month"].value.magnitude == 0


def test_a_monitoring_column_given_in_english_and_chinese(tmp_path):
    path = tmp_path / "monitoring.csv"
    path.write_text(",".join(MONITORING_HEADER) + ",year\nA,甲,乙,2021,1,III,II,III,2020\n", encoding="utf-8")
    with pytest.raises(MonitoringError, match="monitoring.csv, row 1, column year: the column is given twice: 年份 "
                                              "and year; keep one"):
        read_monitoring(path)


def test_a_monitoring_table_without_rows(tmp_path):
    # it ended in "cannot convert float NaN to integer" (the latest year of no rows)
    path = tmp_path / "monitoring.csv"
    path.write_text(",".join(MONITORING_HEADER) + "\n", encoding="utf-8")
    with pytest.raises(MonitoringError, match="monitoring.csv: the table has a header but no rows"):
        compensation_request(path)


# ----------------------------------------------------------------------------------------------
# a party cannot have sold more forest than it has (moved from test_faults_review.py, section 7)


def _valued(tmp_path, change):
    req = load_request(_tiny_request(tmp_path, _TRADE.replace(*change)))
    return value_request(req, load_register(TRADING_REGISTER), load_inventory(req.inventory), None)


def test_a_seller_that_sold_more_forest_than_it_has_is_refused(tmp_path):
    # the tiny county's forest is 400 hm² (inventory); 3000 hm² sold before left (400 − 3000) / 600 = −433 % as
    # its coverage, and the valuation went on
    with pytest.raises(RequestError, match=r"request\.yaml, key seller\.already_sold: forest area already sold "
                                           r"3,000\.00 hm² \(request\) exceeds the forest area 400\.00 hm² "
                                           r"\(inventory\)$"):
        _valued(tmp_path, ('region_code: "990000", ', 'region_code: "990000", already_sold: 3000 hm2, '))


def test_a_buyer_that_sold_more_than_it_has_and_bought_is_refused(tmp_path):
    # the buyer's forest counted is F + B − S = 500 + 10 − 600 = −90 hm²
    with pytest.raises(RequestError, match=r"key buyer\.already_sold: forest area already sold 600\.00 hm² "
                                           r"\(request\) exceeds the forest area 500\.00 hm² \(request\) and the "
                                           r"10\.00 hm² bought \(request\)"):
        _valued(tmp_path, ("forest_area: 500 hm2}", "forest_area: 500 hm2, already_bought: 10 hm2, already_sold: "
                                                    "600 hm2}"))


def test_a_seller_that_sold_all_but_10_hm2_is_valued(tmp_path):
    # 390 of its 400 hm² sold: coverage (400 − 390) / 600 = 1.67 %, below its target of 60 %: nothing to sell,
    # said as such, not refused
    trade = _valued(tmp_path, ('region_code: "990000", ', 'region_code: "990000", already_sold: 390 hm2, ')
                    ).result["trade"]
    assert trade["seller"]["coverage_before_pct"] == pytest.approx(100 * 10 / 600)
    assert not trade["feasible"] and trade["max_area_ha"] == 0
