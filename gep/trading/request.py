"""A valuation request file (YAML): what is asked, every number written with its unit.

Example (Chinese keys are accepted beside the English ones; see :data:`ALIASES`)::

    title: 城口县向九龙坡区出售森林面积指标
    year: 2019
    inventory: ../                 # optional: seller figures from a gep inventory (relative to this file)
    seller: {name: 城口县, region_code: "500229",
             target_coverage: {value: 55 %, status: unverified, source: "…"}}
    buyer: {name: 九龙坡区}
    trade: {area: 1.5 万亩, price: 2500 元/亩, maintenance_years: 15 a, maintenance_fee: 100 元/亩/a,
            instalments: 3, discount_rate: 8 %}
    carbon: {price: 29.57 元/t CO₂, price_kind: 市场价格}
    water_compensation: {monitoring: monitoring.csv}

A number is written ``"1.5 万亩"``; a bare number where a unit is needed is an error naming the file and
the key. Any number may instead be ``{value: "72.8 %", status: unverified, source: "…"}`` to carry its
status and source; a number without them is reported as given in the request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pint
import yaml

from ..units import UnitError, quantity, ureg

#: Chinese keys → English keys of the request.
ALIASES = {
    "标题": "title", "年份": "year", "清查数据": "inventory", "出让方": "seller", "受让方": "buyer",
    "名称": "name", "区划代码": "region_code", "土地面积": "land_area", "森林面积": "forest_area",
    "尽责目标": "target_coverage", "目标森林覆盖率": "target_coverage", "已出售面积": "already_sold",
    "已购买面积": "already_bought", "交易": "trade", "面积": "area", "单价": "price", "管护期限": "maintenance_years",
    "管护费": "maintenance_fee", "分期次数": "instalments", "分期比例": "instalment_shares",
    "首付年份": "first_payment_year", "贴现率": "discount_rate", "目标敏感性": "target_sensitivity", "碳汇": "carbon", "碳价": "price",
    "碳价类型": "price_kind", "二氧化碳": "co2", "净生态系统生产力": "nep", "水生态补偿": "water_compensation",
    "监测表": "monitoring", "断面补偿金额": "amount_per_month", "规则": "rules", "数值": "value", "状态": "status",
    "来源": "source",
}

#: What each numeric key must be (pint dimensionality), for the error message and the check.
DIMENSIONS = {
    "land_area": "[area]", "forest_area": "[area]", "already_sold": "[area]", "already_bought": "[area]",
    "target_coverage": "", "area": "[area]", "price": "[currency]/[area]", "maintenance_years": "[time]",
    "maintenance_fee": "[currency]/[area]/[time]", "discount_rate": "", "amount_per_month": "[currency]/[time]",
}
EXAMPLES = {"[area]": "1.5 万亩", "": "72.8 %", "[currency]/[area]": "2500 元/亩", "[time]": "15 a",
            "[carbon_dioxide]/[time]": "5000 t CO₂/a", "[carbon]/[time]": "1500 t C/a",
            "[currency]/[area]/[time]": "100 元/亩/a", "[currency]/[time]": "100 万元/month"}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


class RequestError(ValueError):
    """A request file is malformed; the message names the file, the key and what was expected."""

    def __init__(self, path, key: str, message: str):
        super().__init__(f"{path}, key {key}: {message}")


@dataclass
class Term:
    """One figure of a valuation: its value, and where it came from with its status."""

    value: object  # a pint Quantity, or an int for counts
    status: str
    source: str
    origin: str  # request, register or inventory
    written: str = ""  # the value as written in the request or register, e.g. "2500 元/亩"


@dataclass
class Party:
    name: str
    region_code: str | None = None
    terms: dict[str, Term] = field(default_factory=dict)  # land_area, forest_area, target_coverage, already_*


@dataclass
class Request:
    path: Path
    title: str
    year: int
    inventory: Path | None
    seller: Party | None
    buyer: Party | None
    trade: dict[str, Term] | None
    carbon: dict | None  # price (Term), price_kind, co2 / nep (Term)
    water: dict | None  # monitoring (Path), amount_per_month (Term), rules (dict)

    def files(self) -> list[Path]:
        """Files the request refers to besides itself (monitoring tables)."""
        return [self.water["monitoring"]] if self.water else []


def _english(node):
    if isinstance(node, dict):
        return {ALIASES.get(str(k), str(k)): _english(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_english(v) for v in node]
    return node


def parse_quantity(text, path, key: str, dimension: str | None) -> pint.Quantity:
    """``"1.5 万亩"`` → Quantity, checked against ``dimension`` (None: any unit, checked where it is used, e.g.
    a carbon price per t CO₂ or per t C); errors name the file and key."""
    example = EXAMPLES.get(dimension, "29.57 元/t CO₂")
    if isinstance(text, bool) or text is None:
        raise RequestError(path, key, f"expected a number with its unit, e.g. '{example}'")
    if isinstance(text, (int, float)):
        raise RequestError(path, key, f"{text} has no unit; write the unit with the number, e.g. '{example}'")
    m = _NUMBER.match(str(text))
    if not m or not m.group(2):
        raise RequestError(path, key, f"'{text}' is not a number followed by its unit, e.g. '{example}'")
    try:
        q = quantity(float(m.group(1).replace(",", "")), m.group(2))
    except UnitError as exc:
        raise RequestError(path, key, f"{exc}; expected e.g. '{example}'") from None
    if dimension is None:
        return q
    want = ureg.dimensionless.dimensionality if not dimension else ureg.get_dimensionality(dimension)
    if q.dimensionality != want:
        raise RequestError(path, key, f"'{text}' is not {dimension or 'a ratio'} (e.g. '{example}')")
    return q


def _term(raw, path, key: str, dimension: str | None) -> Term:
    """A term from ``"2500 元/亩"`` or ``{value: …, status: …, source: …}`` (dimension: see parse_quantity)."""
    status, source = "given", "request file"
    if isinstance(raw, dict):
        if "value" not in raw:
            raise RequestError(path, key, "a mapping needs value (and may give status and source)")
        status, source, raw = str(raw.get("status", status)), str(raw.get("source", source)), raw["value"]
    value = parse_quantity(raw, path, key, dimension)
    return Term(value, status, source, "request", str(raw).strip())


def _whole(raw, path, key: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise RequestError(path, key, f"expected a whole number, not {raw!r}")
    return raw


def _party(raw, path, key: str) -> Party | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("name"):
        raise RequestError(path, key, "expected a mapping with at least name (e.g. name: 城口县)")
    terms = {k: _term(v, path, f"{key}.{k}", DIMENSIONS[k]) for k, v in raw.items()
             if k in ("land_area", "forest_area", "target_coverage", "already_sold", "already_bought")}
    unknown = set(raw) - {"name", "region_code", *terms}
    if unknown:
        raise RequestError(path, f"{key}.{sorted(unknown)[0]}", "unknown key; known: name, region_code, land_area, "
                           "forest_area, target_coverage, already_sold, already_bought")
    code = raw.get("region_code")
    return Party(str(raw["name"]), str(code) if code is not None else None, terms)


def load_request(path: str | Path, inventory: str | Path | None = None,
                 monitoring: str | Path | None = None) -> Request:
    """Read and check a request file; every number is parsed with its unit here.

    ``inventory`` and ``monitoring`` replace the paths the request's ``inventory:`` and
    ``water_compensation.monitoring`` name (relative to the request file): a recomputation points them at
    the copies kept under a valuation folder's ``inputs/``. Each applies only where the request names one."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RequestError(path, "(file)", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise RequestError(path, "(file)", "expected a mapping of keys (title, year, seller, buyer, trade, …)")
    raw = _english(raw)
    unknown = set(raw) - {"title", "year", "inventory", "seller", "buyer", "trade", "carbon", "water_compensation"}
    if unknown:
        raise RequestError(path, sorted(unknown)[0], "unknown key; known: title, year, inventory, seller, buyer, "
                                                    "trade, carbon, water_compensation")
    year = _whole(raw.get("year"), path, "year")
    if not raw.get("inventory"):
        inventory = None
    elif inventory is None:
        inventory = (path.parent / str(raw["inventory"])).resolve()
    trade = None
    if raw.get("trade") is not None:
        t = raw["trade"]
        if not isinstance(t, dict) or "area" not in t:
            raise RequestError(path, "trade", "expected a mapping with at least area (e.g. area: 1.5 万亩)")
        trade = {}
        for k, v in t.items():
            if k in ("instalments", "first_payment_year"):
                trade[k] = Term(_whole(v, path, f"trade.{k}"), "given", "request file", "request")
            elif k == "target_sensitivity":
                if not isinstance(v, list) or not v:
                    raise RequestError(path, "trade.target_sensitivity", "expected a list of coverages, e.g. [55 %, 65 %]")
                trade[k] = Term([parse_quantity(x, path, f"trade.target_sensitivity[{i}]", "") for i, x in enumerate(v)],
                                "given", "request file", "request")
            elif k == "instalment_shares":
                if not isinstance(v, list) or not all(isinstance(s, (int, float)) for s in v):
                    raise RequestError(path, "trade.instalment_shares", "expected a list of fractions, e.g. [0.4, 0.3, 0.3]")
                trade[k] = Term([float(s) for s in v], "given", "request file", "request")
            elif k in DIMENSIONS:
                trade[k] = _term(v, path, f"trade.{k}", DIMENSIONS[k])
            else:
                raise RequestError(path, f"trade.{k}", "unknown key; known: area, price, maintenance_years, "
                                   "maintenance_fee, instalments, instalment_shares, first_payment_year, discount_rate, "
                                   "target_sensitivity")
    carbon = None
    if raw.get("carbon") is not None:
        c = raw["carbon"]
        if not isinstance(c, dict):
            raise RequestError(path, "carbon", "expected a mapping (price, price_kind, co2 or nep)")
        carbon = {"price_kind": str(c.get("price_kind", ""))}
        if "price" in c:
            carbon["price"] = _term(c["price"], path, "carbon.price", None)
        if "co2" in c:
            carbon["co2"] = _term(c["co2"], path, "carbon.co2", "[carbon_dioxide]/[time]")
        if "nep" in c:
            carbon["nep"] = _term(c["nep"], path, "carbon.nep", "[carbon]/[time]")
    water = None
    if raw.get("water_compensation") is not None:
        w = raw["water_compensation"]
        if not isinstance(w, dict) or not w.get("monitoring"):
            raise RequestError(path, "water_compensation", "expected a mapping with monitoring: FILE.csv")
        if monitoring is None:
            monitoring = (path.parent / str(w["monitoring"])).resolve()
        water = {"monitoring": Path(monitoring), "rules": dict(w.get("rules") or {})}
        if "amount_per_month" in w:
            water["amount_per_month"] = _term(w["amount_per_month"], path, "water_compensation.amount_per_month",
                                              DIMENSIONS["amount_per_month"])
    if not (trade or carbon or water):
        raise RequestError(path, "(file)", "nothing to value: give trade, carbon or water_compensation")
    return Request(path=path, title=str(raw.get("title") or path.stem), year=year,
                   inventory=Path(inventory) if inventory is not None else None,
                   seller=_party(raw.get("seller"), path, "seller"), buyer=_party(raw.get("buyer"), path, "buyer"),
                   trade=trade, carbon=carbon, water=water)
