"""Value a request: an indicator trade, forest carbon and water compensation, with every term's provenance.

Flow: request file (:mod:`.request`) + the seller's inventory (land, forest, target, earlier sales) and
its GEP accounts (:func:`gep.accounting.account`) + the register (``coefficients/default.csv``, then
``coefficients/trading.csv``, then the user's) → the pure functions of :mod:`.coverage`, :mod:`.contract`,
:mod:`.carbon`, :mod:`.water` → a :class:`Valuation` (a JSON-ready result and its tables), written by
:func:`gep.jobs.valuation.run_valuation` like a GEP run: staged, never silently overwriting, inputs copied,
manifest of hashes.

Explicit numbers in the request override the inventory's; each figure says where it came from
(request, register, inventory) with its status.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..assets.physical import subtree
from ..catalogue import top_level_file, vocabulary
from ..coefficients import Register, key_label
from ..inventory import SHOWN_PER_FILE, InventoryError, Problem
from ..method import as_method
from ..phrases import bilingual
from ..reading import read_csv, shown
from ..units import as_array, quantity
from . import carbon as carbon_mod
from .contract import maintenance_schedule, payment_schedule, present_value
from .coverage import buyer_coverage, check_sale, sellable_surplus
from .request import MAX_YEAR, MIN_YEAR, Party, Request, RequestError, Term, amount_per_month, \
    check_range
from .water import DEFAULT_RULES, settle, water_class, yearly_net

TRADING_REGISTER = top_level_file("coefficients", "trading.csv")
MU_PER_HA = 15.0  # 亩 = 1/15 hm² exactly (gep/data/units.txt)

#: Inventory ``obligations`` table columns as the Chengkou inventory writes them (gep/data/inventory.yaml).
OBLIGATION_HEADERS = {"region_code": "区划代码", "year": "年份", "counterparty": "对方", "kind": "义务类型",
                      "area": "面积 [hm2]", "amount": "金额 [元]", "annual_cost": "年度义务金额 [元]",
                      "duration": "期限 [a]", "source": "来源", "note": "备注", "status": "数据状态"}

#: Monitoring table columns (English or Chinese headers).
MONITORING_COLUMNS = {"section": "断面", "upstream": "上游", "downstream": "下游", "year": "年份", "month": "月份",
                      "target_class": "目标类别", "measured_class": "水质类别", "last_year_class": "上年同期类别"}


@dataclass
class Valuation:
    request: Request
    result: dict  # machine-readable, canonical units (元, hm², 亩, %, t CO₂)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)  # {"zh": …, "en": …}

    def note(self, key: str, **fields) -> None:
        """Add the note valuation.note.<key> of the catalogue in both languages, formatted with ``fields``
        (:func:`gep.phrases.bilingual`)."""
        self.notes.append(bilingual(f"valuation.note.{key}", **fields))


def _register_term(register: Register, key: str, year: int | None = None) -> Term:
    c = register.lookup(key, year=year)
    return Term(quantity(c.value_as_written, c.unit_as_written), c.status,
                f"{c.source}" + (f" [{c.clause}]" if c.clause else ""), "register",
                f"{c.value_as_written:g}" + ("" if c.unit_as_written in ("1", "") else f" {c.unit_as_written}"))


def _term_json(t: Term | None, unit: str, key: str = "") -> dict | None:
    if t is None:
        return None
    value = t.value if isinstance(t.value, (int, list)) else float(as_array(t.value, unit))
    return {"value": value, "unit": unit, "as_written": t.written or str(t.value), "status": t.status,
            "source": t.source, "origin": t.origin, "label_zh": key_label(key, "zh") or ""}


# ----------------------------------------------------------------------------------------------
# the seller's (or buyer's) figures from an inventory


def _joined_status(rows: pd.DataFrame) -> str:
    """The status of a term summed over inventory rows: each status written once, sorted, joined by '/'; an empty
    cell says nothing about the evidence and is left out, and rows with none written read as observed."""
    return "/".join(sorted(set(rows["status"].fillna("").astype(str)) - {""})) or "observed"


def party_from_inventory(inventory, party: Party, year: int, counterparty: str | None, path=None) -> dict[str, Term]:
    """Land and forest area, own coverage target and forest area sold before, of a region of the inventory.

    Forest area: the extent table's forest rows of the region and its sub-regions in ``year``. Target: the
    targets table's forest_coverage row of the first year ≥ ``year`` (else the latest). Earlier sales: the
    obligations table's forest_area_sold rows up to ``year``, except one with ``counterparty`` in ``year``
    (the deal being valued, already recorded). Request terms override each of these.
    """
    regions = inventory.table("regions")
    if party.region_code not in set(regions["code"]):
        raise RequestError(path, "region_code", f"{party.name}: {party.region_code} is not a region of the inventory")
    codes = subtree(regions, party.region_code)
    row = regions.set_index("code").loc[party.region_code]
    terms = {"land_area": Term(quantity(float(row["land_area"]), "hectare"), str(row["status"] or "observed"),
                               f"{row['input_file']} row {row['input_row']}: {row['source']}", "inventory")}
    ext = inventory.table("extent")
    forest = ext[ext["region_code"].isin(codes) & (ext["year"] == year) & (ext["ecosystem"] == "forest")]
    if len(forest):
        terms["forest_area"] = Term(quantity(float(forest["area"].sum()), "hectare"), _joined_status(forest),
                                    f"{forest['input_file'].iloc[0]}: forest rows of {len(codes)} region(s), {year}",
                                    "inventory")
    targets = inventory.table("targets")
    targets = targets[(targets["region_code"] == party.region_code) & (targets["indicator"] == "forest_coverage")]
    if len(targets):
        later = targets[targets["year"] >= year]
        t = (later.sort_values("year").iloc[0] if len(later) else targets.sort_values("year").iloc[-1])
        terms["target_coverage"] = Term(
            quantity(float(t["value"]), str(t["unit"])),
            f"{t['status'] or 'observed'} as the target for {int(t['year'])}; unverified as the 尽责目标",
            f"{t['input_file']} row {t['input_row']}: {t['source']} ({t['binding']})", "inventory")
    ob = inventory.table("obligations")
    ob = ob[ob["region_code"].isin(codes) & (ob["kind"] == "forest_area_sold") & (ob["year"] <= year)
            & ~((ob["year"] == year) & (ob["counterparty"] == (counterparty or "")))]
    terms["already_sold"] = Term(quantity(float(ob["area"].fillna(0).sum()), "hectare"),
                                 _joined_status(ob),
                                 "; ".join(f"{r.input_file} row {r.input_row}: {r.counterparty} {int(r.year)}"
                                           for r in ob.itertuples()) or "obligations table: no earlier sale",
                                 "inventory")
    return terms


def _party_terms(inventory, party: Party | None, year: int, counterparty: str | None,
                 path, role: str) -> tuple[dict[str, Term], dict[str, Term]]:
    """The party's figures from the inventory, and those with the request's own figures over them."""
    if party is None:
        return {}, {}
    in_inventory = inventory is not None and party.region_code \
        and party.region_code in set(inventory.table("regions")["code"])
    if inventory is not None and party.region_code and not in_inventory and not party.terms:
        raise RequestError(path, f"{role}.region_code", f"{party.name}: {party.region_code} is not a region of "
                           f"the inventory; give its land_area and forest_area in the request")
    # a party outside the inventory (the buyer is usually another district) is valued on the request's figures
    base = party_from_inventory(inventory, party, year, counterparty, path) if in_inventory else {}
    return base, {**base, **party.terms}


# ----------------------------------------------------------------------------------------------
# the seller's forest GEP per 亩


def forest_gep(services: pd.DataFrame, region: str, year: int, forest_ha: float) -> dict:
    """GEP of the forest ecosystem of ``region`` in ``year`` per 亩 of its forest [元/亩/a].

    Counts every service row of ecosystem ``forest`` that is in GEP (forest products, water conservation,
    soil retention, carbon sequestration, oxygen release, climate regulation, pest control …). Services
    accounted for the whole region and not by ecosystem (air and water purification, recreation, water
    supply, hydropower) are not attributed to the forest and are left out: the figure is a lower bound.
    """
    s = services[(services["region_code"] == region) & (services["year"] == year) & (services["ecosystem"] == "forest")
                 & services["in_gep"]]
    if not len(s):
        raise ValueError(f"the accounts hold no forest service of {region} in {year}")
    total = float(s["value_yuan"].sum())
    regulating = float(s.loc[s["category"] == "regulating", "value_yuan"].sum())
    forest_mu = forest_ha * MU_PER_HA
    return {"forest_gep_yuan": total, "forest_regulating_yuan": regulating, "forest_area_ha": forest_ha,
            "gep_per_mu_yuan": total / forest_mu, "regulating_per_mu_yuan": regulating / forest_mu,
            "services": sorted(set(s["service"]))}


# ----------------------------------------------------------------------------------------------
# the valuation


#: The register key of each trade term a request may leave out, and the rule of :data:`.request._RULES` its
#: default is checked by, as the request's own term was when it was read. The register's own ranges are wider:
#: any number of instalments above 0 (2.5 was cut to 2 instalments, 0.5 to none, a million overflowed the
#: present value) and a discount rate up to 100 % included; None: the register's range is the request's.
TRADE_DEFAULTS = {"price": ("forest_indicator_price", None),
                  "maintenance_years": ("forest_maintenance_years", "contract_years"),
                  "maintenance_fee": ("forest_maintenance_fee", None),
                  "instalments": ("payment_instalments", "instalments"),
                  "discount_rate": ("discount_rate", "rate")}


def _accounts_of(req: Request) -> str:
    """The GEP accounts a valuation reads, as its messages name them."""
    return f"the GEP accounts of {shown(req.inventory, 200)}" if req.inventory else "the GEP accounts given"


def _register_default(register: Register, key: str, path) -> Term:
    """The register's default of the trade term ``key`` the request leaves out, checked as the request's own would
    be; the message names the request key, the register's row and its file (the user's, not the copy)."""
    reg_key, rule = TRADE_DEFAULTS[key]
    term = _register_term(register, reg_key)
    if rule is not None:
        row = register.lookup(reg_key)
        names = dict(zip(map(str, register.files), register.names or map(str, register.files)))
        check_range(term.value, path, f"trade.{key}", rule, term.written,
                    f", the default {reg_key} of {names.get(row.register, row.register)},")
    return term


def _land_and_forest(terms: dict[str, Term], path, role: str) -> None:
    """A party's forest cannot exceed its land: coverage above 100 % is a figure written wrong (the request's,
    or the inventory's where the request gives the other)."""
    if "land_area" in terms and "forest_area" in terms:
        land = float(as_array(terms["land_area"].value, "hectare"))
        forest = float(as_array(terms["forest_area"].value, "hectare"))
        if forest > land:
            raise RequestError(path, f"{role}.forest_area", f"forest area {forest:,.2f} hm² ({terms['forest_area'].origin}) "
                               f"exceeds the land area {land:,.2f} hm² ({terms['land_area'].origin})")


def _sold_within_forest(terms: dict[str, Term], path, role: str) -> None:
    """A party cannot have sold more forest area than it has: its forest counted, F + B − S (bought B, sold S),
    would be negative and its coverage with it (a seller at −420 %). The figures are the request's, or the
    inventory's where the request gives the other."""
    if "already_sold" not in terms or "forest_area" not in terms:
        return
    sold = float(as_array(terms["already_sold"].value, "hectare"))
    forest = float(as_array(terms["forest_area"].value, "hectare"))
    bought = terms.get("already_bought")
    bought_ha = float(as_array(bought.value, "hectare")) if bought else 0.0
    if sold > forest + bought_ha:
        raise RequestError(path, f"{role}.already_sold", f"forest area already sold {sold:,.2f} hm² "
                           f"({terms['already_sold'].origin}) exceeds the forest area {forest:,.2f} hm² "
                           f"({terms['forest_area'].origin})" + (f" and the {bought_ha:,.2f} hm² bought "
                                                                 f"({bought.origin})" if bought else ""))


def _value_trade(req: Request, register: Register, inventory, services, v: Valuation) -> dict:
    path, year = req.shown, req.year
    if req.seller is None:
        raise RequestError(path, "seller", "a trade needs its seller (name, and region_code or its figures)")
    accounts, seller_terms = _party_terms(inventory, req.seller, year, req.buyer.name if req.buyer else None, path,
                                          "seller")
    buyer_terms = _party_terms(inventory, req.buyer, year, None, path, "buyer")[1]
    for key in ("land_area", "forest_area", "target_coverage"):
        if key not in seller_terms:
            raise RequestError(path, f"seller.{key}", "needed: give it in the request, or the seller's region_code "
                                                      "and an inventory that holds it")
    _land_and_forest(seller_terms, path, "seller")
    _land_and_forest(buyer_terms, path, "buyer")
    _sold_within_forest(seller_terms, path, "seller")
    _sold_within_forest(buyer_terms, path, "buyer")
    t = dict(req.trade)
    for key, (reg_key, _) in TRADE_DEFAULTS.items():
        if key not in t:
            t[key] = _register_default(register, key, path)
            if key == "instalments":  # a whole number (checked), in any unit of a ratio: 300 % is 3
                t[key] = dataclasses.replace(t[key], value=int(float(as_array(t[key].value, "1"))))
            # the Chinese note names the term by its coefficient's label, the English one by the request's key
            v.note("default_term", term={"zh": key_label(reg_key, "zh"), "en": key}, written=t[key].written,
                   status=t[key].status)
    first_year = t["first_payment_year"].value if "first_payment_year" in t else year
    sold = seller_terms.get("already_sold")
    check = check_sale(t["area"].value, seller_terms["forest_area"].value, seller_terms["land_area"].value,
                       seller_terms["target_coverage"].value, sold.value if sold else None)
    valued_ha = check.area_ha if check.feasible else check.max_area_ha
    if not check.feasible:
        v.note("cannot_meet", reason={"zh": check.reason_zh, "en": check.reason}, ha=valued_ha,
               mu=valued_ha * MU_PER_HA)
    if "target_sensitivity" in t:  # the 尽责目标 is often unknown: the largest sale under other targets
        v.tables["target_sensitivity"] = pd.DataFrame(
            [{"target_pct": float(as_array(c, "%")),
              "max_area_ha": max(0.0, float(as_array(sellable_surplus(
                  seller_terms["forest_area"].value, seller_terms["land_area"].value, c, sold.value if sold else None),
                  "hectare")))} for c in t["target_sensitivity"].value])
        v.tables["target_sensitivity"]["max_area_mu"] = v.tables["target_sensitivity"]["max_area_ha"] * MU_PER_HA
    valued = quantity(valued_ha, "hectare")
    price_ha = float(as_array(t["price"].value, "yuan/hectare"))
    total = valued_ha * price_ha
    years = int(float(as_array(t["maintenance_years"].value, "a")))  # whole years: checked when read
    shares = t["instalment_shares"].value if "instalment_shares" in t else None
    if shares is not None and len(shares) != t["instalments"].value:
        raise RequestError(path, "trade.instalment_shares", f"{len(shares)} share(s) for {t['instalments'].value} "
                           f"instalment(s) ({t['instalments'].origin}): give one share per instalment")
    schedule = payment_schedule(quantity(total, "yuan"), t["instalments"].value, first_year, shares)
    maintenance = maintenance_schedule(valued, t["maintenance_fee"].value, years, year)
    rate = t["discount_rate"].value
    pv_pay = present_value(schedule["amount_yuan"], schedule["t"], rate)
    pv_maint = present_value(maintenance["amount_yuan"], maintenance["t"], rate)
    if valued_ha > 0:
        v.tables["payment_schedule"] = schedule
        v.tables["maintenance"] = maintenance
    seller = {"name": req.seller.name, "region_code": req.seller.region_code,
              "coverage_before_pct": check.coverage_before, "coverage_after_pct": check.coverage_after,
              "target_coverage_pct": check.target, "surplus_ha": check.surplus_ha,
              "highest_target_kept_pct": check.coverage_after,
              "coverage_after_valued_pct": check.coverage_before - 100.0 * valued_ha / float(
                  as_array(seller_terms["land_area"].value, "hectare")),
              "terms": {k: _term_json(seller_terms.get(k), "%" if k == "target_coverage" else "hectare")
                        for k in ("land_area", "forest_area", "target_coverage", "already_sold")}}
    buyer = None
    if req.buyer:
        buyer = {"name": req.buyer.name, "region_code": req.buyer.region_code, "coverage_before_pct": None,
                 "coverage_after_pct": None,
                 "terms": {k: _term_json(buyer_terms.get(k), "%" if k == "target_coverage" else "hectare")
                           for k in ("land_area", "forest_area", "target_coverage", "already_bought",
                                     "already_sold")}}
        if "land_area" in buyer_terms and "forest_area" in buyer_terms:
            bought, sold = buyer_terms.get("already_bought"), buyer_terms.get("already_sold")
            before, after = buyer_coverage(valued, buyer_terms["land_area"].value, buyer_terms["forest_area"].value,
                                           bought.value if bought else None, sold.value if sold else None)
            buyer.update(coverage_before_pct=before, coverage_after_pct=after)
        else:
            v.note("buyer_without_areas", buyer=req.buyer.name, area=valued_ha)
        if req.buyer.name:
            v.tables["obligations"] = _obligations(req, valued_ha, total, maintenance, years)
    per_year = float(maintenance["amount_yuan"].iloc[0]) if len(maintenance) else 0.0
    trade = {
        "area_requested_ha": check.area_ha, "area_requested_mu": check.area_ha * MU_PER_HA,
        "feasible": check.feasible, "reason": check.reason, "reason_zh": check.reason_zh, "max_area_ha": check.max_area_ha,
        "max_area_mu": check.max_area_ha * MU_PER_HA, "valued_area_ha": valued_ha, "valued_area_mu": valued_ha * MU_PER_HA,
        "seller": seller, "buyer": buyer, "price_yuan_per_mu": price_ha / MU_PER_HA, "total_price_yuan": total,
        "instalments": int(t["instalments"].value), "first_payment_year": first_year,
        "discount_rate": float(as_array(rate, "1")), "pv_payments_yuan": pv_pay,
        "maintenance_years": years, "maintenance_fee_yuan_per_mu_a": float(as_array(t["maintenance_fee"].value,
                                                                                     "yuan/(mu*a)")),
        "maintenance_per_year_yuan": per_year, "maintenance_total_yuan": float(maintenance["amount_yuan"].sum()),
        "pv_maintenance_yuan": pv_maint, "pv_net_yuan": pv_pay - pv_maint,
        "terms": {"area": _term_json(t["area"], "mu"), "price": _term_json(t["price"], "yuan/mu", "forest_indicator_price"),
                  "maintenance_years": _term_json(t["maintenance_years"], "a", "forest_maintenance_years"),
                  "maintenance_fee": _term_json(t["maintenance_fee"], "yuan/(mu*a)", "forest_maintenance_fee"),
                  "instalments": _term_json(t["instalments"], "1", "payment_instalments"),
                  "discount_rate": _term_json(t["discount_rate"], "%", "discount_rate")},
    }
    forest_ha = float(as_array(accounts["forest_area"].value, "hectare")) if "forest_area" in accounts else None
    if services is not None and forest_ha == 0:  # no forest: no GEP per 亩 of it (it divided by 0, exit 70)
        v.note("no_forest", seller=req.seller.name, year=year)
    elif services is not None and forest_ha is not None:
        # per 亩 of the forest the accounts were computed on, whatever area the request states
        try:
            eco = forest_gep(services, req.seller.region_code, year, forest_ha)
        except ValueError:
            raise RequestError(path, "inventory", f"{_accounts_of(req)} hold no forest "
                               f"service of {req.seller.name} ({req.seller.region_code}) in {year}, though its extent "
                               f"table gives {forest_ha:,.2f} hm² of forest, so the forest GEP per 亩 the price is "
                               "compared with cannot be computed: gep run on the inventory says what each service "
                               "lacks") from None
        annual = eco["gep_per_mu_yuan"] * valued_ha * MU_PER_HA
        eco.update(traded_area_gep_yuan_per_a=annual,
                   traded_area_regulating_yuan_per_a=eco["regulating_per_mu_yuan"] * valued_ha * MU_PER_HA,
                   pv_traded_area_gep_over_term_yuan=present_value([annual] * years, list(range(1, years + 1)), rate),
                   price_per_gep_per_mu=(price_ha / MU_PER_HA) / eco["gep_per_mu_yuan"] if eco["gep_per_mu_yuan"]
                   else None,  # a forest whose services are all worth 0 (e.g. every price 0 in a register)
                   price_annualised_yuan_per_mu_a=(price_ha / MU_PER_HA) / years if years else None)
        trade["ecological_value"] = eco
        v.tables["forest_services"] = services[
            (services["region_code"] == req.seller.region_code) & (services["year"] == year)
            & (services["ecosystem"] == "forest")].reset_index(drop=True)
    return trade


def _obligations(req: Request, area_ha: float, total: float, maintenance: pd.DataFrame, years: int) -> pd.DataFrame:
    """The obligation the trade creates for the seller, as a row of the inventory's obligations table."""
    kinds = vocabulary("obligation_kind")
    if area_ha <= 0:
        return pd.DataFrame(columns=list(OBLIGATION_HEADERS.values()))
    row = {"region_code": req.seller.region_code or req.seller.name, "year": req.year, "counterparty": req.buyer.name,
           "kind": kinds["forest_area_sold"]["zh"], "area": area_ha, "amount": total,
           "annual_cost": float(maintenance["amount_yuan"].iloc[0]) if len(maintenance) else np.nan,
           "duration": years, "source": f"gep trade {req.path.name}",
           "note": f"{req.title}: 管护期限与年费按估值请求(见 valuation.json 各条款来源与状态)",
           "status": vocabulary("status")["derived"]["zh"]}
    return pd.DataFrame([{OBLIGATION_HEADERS[k]: v for k, v in row.items()}])


#: how a register carbon price is described, by the method profile's carbon price basis
_CARBON_BASIS = {"market_price": "市场价格（登记表默认值）", "afforestation_cost": "造林成本（登记表默认值）"}


def _value_carbon(req: Request, register: Register, services, trade: dict | None, v: Valuation,
                  method=None) -> dict:
    c = req.carbon
    method = as_method(method)
    key = method.price_key("carbon_sequestration", "co2_fixed")  # the price the profile values carbon at
    price = c.get("price") or _register_term(register, key, req.year)
    price_basis = method.option("carbon_sequestration.price_basis")
    kind = c.get("price_kind") or (_CARBON_BASIS.get(price_basis, price_basis) if price.origin == "register" else "")
    region = req.seller.region_code if req.seller else None
    if "co2" in c:
        co2, basis = c["co2"].value, "given in the request"
    elif "nep" in c:
        co2, basis = carbon_mod.co2_from_nep(c["nep"].value), "NEP given in the request × 44/12"
    elif services is not None and region:
        try:
            co2 = carbon_mod.co2_from_results(services, region, req.year, "forest")
        except ValueError:
            held = ", ".join(str(y) for y in sorted(set(services["year"])))
            raise RequestError(req.shown, "carbon", f"{_accounts_of(req)} hold no "
                               f"{carbon_mod.SERVICE}/{carbon_mod.INDICATOR} of forest for {region} in {req.year} "
                               f"(they hold the years {held}): give co2 or nep, or a year of the inventory") from None
        basis = f"GEP accounts of {region}, {req.year}: carbon_sequestration/co2_fixed, forest"
    else:
        raise RequestError(req.shown, "carbon", "give co2 or nep, or a seller region_code with an inventory")
    year_of_prices = register.lookup(key, year=req.year).price_year if price.origin == "register" else None
    if year_of_prices not in (None, req.year):
        v.note("carbon_price_year", price_year=year_of_prices, year=req.year)
    co2_t = float(as_array(co2, "t_CO2/a"))
    value = float(as_array(carbon_mod.carbon_value(co2, price.value), "yuan"))
    out = {"co2_t_per_a": co2_t, "basis": basis, "price": _term_json(price, str(price.value.units), key),
           "price_kind": kind, "value_yuan_per_a": value}
    if trade and trade.get("ecological_value") and "co2" not in c and "nep" not in c:
        share = trade["valued_area_ha"] / trade["ecological_value"]["forest_area_ha"]
        out.update(traded_area_co2_t_per_a=co2_t * share, traded_area_value_yuan_per_a=value * share)
    return out


class MonitoringError(InventoryError):
    """A monitoring table has problems; ``problems`` lists all of them, each naming the file, row and column;
    the message at most :data:`gep.inventory.SHOWN_PER_FILE` of them (a table of 12 000 bad rows was 36 000
    lines), then how many more."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        more = len(errors) - SHOWN_PER_FILE
        ValueError.__init__(self, f"{len(errors)} problem(s) in the monitoring table:\n  "
                            + "\n  ".join([*map(str, errors[:SHOWN_PER_FILE]),
                                            *([f"… and {more} more problem(s) in this table"] if more > 0 else [])]))


#: what each text column of a monitoring table names, for the message when it is empty
_NAMED = {"section": "the monitoring section's name", "upstream": "the upstream district",
          "downstream": "the downstream district"}
_WHOLE = re.compile(r"[0-9]+")  # ASCII digits only: str.isdigit() also takes '²', which int() refuses


def read_monitoring(path, shown_as: str | Path | None = None) -> pd.DataFrame:
    """The monitoring table (CSV, English or Chinese headers): one row per section × year × month.

    Read by :func:`gep.reading.read_csv` (UTF-8 with or without BOM, GB18030/GBK as Excel saves it on Chinese
    Windows, UTF-16); every problem — a missing column, an empty cell, a year outside 1900–2100, a month
    outside 1–12, a class that is not I–V or 劣V, a repeated section-month, a table without rows — is listed
    in one :class:`MonitoringError` naming ``shown_as`` (default ``path``): the user's file, not a copy."""
    name = str(shown_as or path)
    frame = read_csv(path, name)
    rename = {zh: en for en, zh in MONITORING_COLUMNS.items()}
    headers = list(frame.columns)
    frame = frame.rename(columns=lambda c: rename.get(c.strip(), c.strip()))
    twice = [c for c in MONITORING_COLUMNS if list(frame.columns).count(c) > 1]
    if twice:  # 年份 beside year: one of the two would be read and the other dropped without a word
        raise MonitoringError([Problem(name, 1, c, "the column is given twice: "
                                       + " and ".join(h for h, e in zip(headers, frame.columns) if e == c)
                                       + "; keep one") for c in twice])
    missing = [c for c in MONITORING_COLUMNS if c not in frame.columns]
    if missing:
        raise MonitoringError([Problem(name, 1, m, f"missing column (header {m} or {MONITORING_COLUMNS[m]})")
                               for m in missing])
    if not len(frame):
        raise MonitoringError([Problem(name, None, None, "the table has a header but no rows: nothing to settle")])
    problems, rows, seen = [], [], set()
    for i, r in enumerate(frame.to_dict(orient="records"), start=2):
        row = {c: str(r[c]).strip() for c in ("section", "upstream", "downstream")}
        for col, text in row.items():
            if not text:
                problems.append(Problem(name, i, col, f"empty: {_NAMED[col]} is needed"))
        for col, ok, what in (("year", lambda n: MIN_YEAR <= n <= MAX_YEAR, f"year {MIN_YEAR}–{MAX_YEAR}"),
                              ("month", lambda n: 1 <= n <= 12, "month 1–12")):
            text = str(r[col]).strip()
            if not _WHOLE.fullmatch(text) or not ok(int(text)):
                problems.append(Problem(name, i, col, f"'{shown(text)}' is not a {what}"))
            else:
                row[col] = int(text)
        for col in ("target_class", "measured_class", "last_year_class"):
            try:
                row[col] = water_class(r[col])
            except ValueError:
                problems.append(Problem(name, i, col, f"'{shown(r[col])}' is not a water class (I, II, III, IV, V, "
                                                      f"劣V or 1–6)"))
        key = (row["section"], row.get("year"), row.get("month"))
        if key in seen:
            problems.append(Problem(name, i, "month", "section, year and month repeat an earlier row"))
        seen.add(key)
        rows.append(row)
    if problems:
        raise MonitoringError(problems)
    return pd.DataFrame(rows, columns=list(MONITORING_COLUMNS))


def _value_water(req: Request, register: Register, v: Valuation) -> dict:
    w = req.water
    amount = w.get("amount_per_month") or _register_term(register, "water_section_compensation")
    rules = {**DEFAULT_RULES, **w["rules"]}
    monthly = settle(read_monitoring(w["monitoring"], w.get("monitoring_shown")), amount.value, rules)
    yearly = yearly_net(monthly)
    v.tables["water_monthly"], v.tables["water_yearly"] = monthly, yearly
    v.note("water_rules", fails_class=rules["fails_class"], unchanged=rules["unchanged"])
    return {"amount_per_month": _term_json(amount, "yuan/month", "water_section_compensation"), "rules": rules,
            "rule_status": "unverified (fails_class, unchanged); verified (improved, worse)",
            "section_months": len(monthly), "yearly": yearly.to_dict(orient="records")}


def value_request(req: Request, register: Register, inventory=None, services: pd.DataFrame | None = None,
                  method=None) -> Valuation:
    """Value every part of a request. ``inventory`` and its ``services`` (a GEP run's results) supply the
    seller's figures and forest GEP where the request names the seller's region."""
    v = Valuation(request=req, result={"title": req.title, "year": req.year, "request": req.path.name})
    trade = _value_trade(req, register, inventory, services, v) if req.trade else None
    if trade:
        v.result["trade"] = trade
    if req.carbon:
        v.result["carbon"] = _value_carbon(req, register, services, trade, v, method)
    if req.water:
        v.result["water_compensation"] = _value_water(req, register, v)
    v.result["notes"] = v.notes
    check_finite_valuation(v)
    return v


SHOWN_FIGURES = 5  # non-finite figures of a valuation named in the message


def _non_finite_in(node, where: str) -> list[str]:
    """``where.key[i] = value`` of every number in ``node`` (a result's dicts and lists) that is not finite."""
    if isinstance(node, dict):
        return [x for k, v in node.items() for x in _non_finite_in(v, f"{where}.{k}" if where else str(k))]
    if isinstance(node, (list, tuple)):
        return [x for i, v in enumerate(node) for x in _non_finite_in(v, f"{where}[{i}]")]
    if isinstance(node, (float, np.floating)) and not np.isfinite(node):
        return [f"{where} = {float(node):g}"]
    return []


def check_finite_valuation(v: Valuation) -> None:
    """:class:`gep.accounting.NonFiniteFigures` if a figure of the valuation is infinite or NaN — the last guard
    before anything is written.

    Each term is checked finite where it is read, but a finite amount can still make an infinite sum (1.7e304 万元
    a month is 1.7e308 元, finite; two months of it are not), and inf − inf is NaN."""
    from ..accounting import NonFiniteFigures
    bad = _non_finite_in({k: v.result[k] for k in ("trade", "carbon", "water_compensation") if k in v.result}, "")
    # the yearly tables are the result's figures row by row: a table is named only when the result is finite
    for name, table in v.tables.items() if not bad else ():
        numbers = table.select_dtypes("number")
        for column in numbers.columns:
            values = numbers[column].to_numpy(dtype=float)
            rows = np.flatnonzero(np.isinf(values))
            if len(rows):
                bad.append(f"{name}.csv, column {column}: {len(rows)} row(s) infinite (row {rows[0] + 2}: "
                           f"{values[rows[0]]:g})")
    if bad:
        more = len(bad) - SHOWN_FIGURES
        raise NonFiniteFigures(
            f"{len(bad)} figure(s) of the valuation of {v.request.shown} are not finite numbers (inf or NaN), so "
            "nothing was written:\n  " + "\n  ".join(bad[:SHOWN_FIGURES] + ([f"… and {more} more"] if more > 0 else []))
            + "\nAn amount, area or price given is so large that a product or sum of it overflows: give it in the "
              "unit it is meant in (e.g. '100 万元/month')")


# ----------------------------------------------------------------------------------------------
# the request of gep compensation


def compensation_request(monitoring: str | Path, amount: str | None = None, rules: dict | None = None,
                         shown_as: str | Path | None = None) -> Request:
    """A request holding only a water compensation, for ``gep compensation MONITORING.csv``. Messages name
    ``shown_as`` (default ``monitoring`` as given): the user's own file when ``monitoring`` is a copy."""
    shown_name = shown_as or monitoring
    monitoring = Path(monitoring).resolve()
    water = {"monitoring": monitoring, "monitoring_shown": shown_name, "rules": dict(rules or {})}
    if amount:
        water["amount_per_month"] = amount_per_month(amount)
    years = read_monitoring(monitoring, shown_name)["year"]
    return Request(path=monitoring, title=f"流域横向生态补偿核算 {monitoring.stem}", year=int(years.max()),
                   inventory=None, seller=None, buyer=None, trade=None, carbon=None, water=water, shown_as=shown_name)
