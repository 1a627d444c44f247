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

Every number must be finite and in the range of what it is (:data:`RANGES`): areas, prices, fees and
amounts are not negative, the area traded and a land area are above 0, coverages lie between 0 % and 100 %,
a discount rate from 0 % up to (not including) 100 %; years are 1900–2100 and contract periods whole years
up to :data:`MAX_CONTRACT_YEARS`. A key the request does not know is an error, not ignored.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pint

from ..reading import load_yaml, shown
from ..units import UnitError, as_array, quantity, ureg

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
#: What range each number must lie in, by its key (see :data:`_RULES`); a key not here is not range-checked.
RANGES = {
    "land_area": "positive", "forest_area": "non_negative", "already_sold": "non_negative",
    "already_bought": "non_negative", "target_coverage": "coverage", "target_sensitivity": "coverage",
    "area": "positive", "price": "non_negative", "maintenance_years": "contract_years",
    "maintenance_fee": "non_negative", "discount_rate": "rate", "amount_per_month": "non_negative",
    "co2": "non_negative", "nep": "non_negative",
}
MIN_YEAR, MAX_YEAR = 1900, 2100  # the years an inventory may hold (gep.inventory)
#: A maintenance period or a number of yearly instalments beyond a century is a slip of the keyboard; a bound
#: also keeps a schedule of one row per year from growing without limit.
MAX_CONTRACT_YEARS = 100


def _whole_years(x: float) -> bool:
    return x == int(x) and 0 <= x <= MAX_CONTRACT_YEARS


#: rule → (magnitude the test reads, the test, what is expected, for the message). A ratio is read as a
#: fraction (60 % → 0.6); any other quantity by the sign of its magnitude, which no unit of a request changes.
_RULES = {
    "positive": (None, lambda x: x > 0, "greater than 0"),
    "non_negative": (None, lambda x: x >= 0, "0 or more (not negative)"),
    "coverage": ("1", lambda x: 0 <= x <= 1, "a coverage from 0 % to 100 %"),
    "rate": ("1", lambda x: 0 <= x < 1, "a rate from 0 % up to, not including, 100 % (e.g. 8 %)"),
    "contract_years": ("a", _whole_years, f"a whole number of years from 0 to {MAX_CONTRACT_YEARS} (e.g. 15 a)"),
    "instalments": ("1", lambda x: x == int(x) and 1 <= x <= MAX_CONTRACT_YEARS,
                    f"a whole number of instalments from 1 to {MAX_CONTRACT_YEARS}"),
}
_NUMBER = re.compile(r"^\s*([-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


#: a message longer than this was made from a runaway value (each value is cut where it is quoted; this is the
#: backstop for one that is not)
MESSAGE_CHARACTERS = 600


class RequestError(ValueError):
    """A request file is malformed; the message names the file, the key and what was expected. A key (which the
    request's author wrote) and the message are cut (:func:`gep.reading.shown`), never echoed whole."""

    def __init__(self, path, key: str, message: str):
        self.file, self.key, self.message = str(path), shown(key, 120), shown(message, MESSAGE_CHARACTERS)
        super().__init__(f"{path}, key {self.key}: {self.message}")


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
    water: dict | None  # monitoring (Path), monitoring_shown (its name in messages), amount_per_month (Term), rules
    shown_as: str | Path | None = None  # the request's name in messages, when ``path`` is a copy of the user's file

    @property
    def shown(self) -> str | Path:
        """The request file as messages name it: the user's own file."""
        return self.shown_as or self.path

    def files(self) -> list[Path]:
        """Files the request refers to besides itself (monitoring tables)."""
        return [self.water["monitoring"]] if self.water else []


def _english(node, path, where: str = ""):
    """``node`` with its Chinese keys in English; a key given twice, in English and Chinese (area and 面积),
    is an error: one of them would be dropped without a word."""
    if isinstance(node, dict):
        out, written = {}, {}
        for k, v in node.items():
            key = ALIASES.get(str(k), str(k))
            if key in out:
                raise RequestError(path, f"{where}{key}", f"given twice, as {shown(written[key])} and as {shown(k)}: "
                                                          "keep one")
            out[key], written[key] = _english(v, path, f"{where}{key}."), str(k)
        return out
    if isinstance(node, list):
        return [_english(v, path, f"{where.rstrip('.')}[{i}].") for i, v in enumerate(node)]
    return node


def parse_quantity(text, path, key: str, dimension: str | None, rule: str | None = None) -> pint.Quantity:
    """``"1.5 万亩"`` → Quantity, checked against ``dimension`` (None: any unit, checked where it is used, e.g.
    a carbon price per t CO₂ or per t C) and against ``rule`` (a key of :data:`_RULES`, e.g. "positive");
    errors name the file and key. A number too large to be finite (``1e999``) is refused."""
    example = EXAMPLES.get(dimension, "29.57 元/t CO₂")
    if isinstance(text, bool) or text is None:
        raise RequestError(path, key, f"expected a number with its unit, e.g. '{example}'")
    if isinstance(text, (int, float)):
        raise RequestError(path, key, f"{shown(text)} has no unit; write the unit with the number, e.g. '{example}'")
    m = _NUMBER.match(str(text))
    if not m or not m.group(2):
        raise RequestError(path, key, f"'{shown(text)}' is not a number followed by its unit, e.g. '{example}'")
    try:
        q = quantity(float(m.group(1).replace(",", "")), m.group(2))
    except UnitError as exc:  # it quotes the unit as written: cut, so that what to write stays in the message
        raise RequestError(path, key, f"{shown(exc, 200)}; expected e.g. '{example}'") from None
    # "1e999" reads as inf, and a huge number in a large unit overflows when converted: neither is a figure
    if not (math.isfinite(q.magnitude) and math.isfinite(q.to_base_units().magnitude)):
        raise RequestError(path, key, f"'{shown(text)}' is not a finite number (e.g. '{example}')")
    if dimension is not None:
        want = ureg.dimensionless.dimensionality if not dimension else ureg.get_dimensionality(dimension)
        if q.dimensionality != want:
            raise RequestError(path, key, f"'{shown(text)}' is not {dimension or 'a ratio'} (e.g. '{example}')")
    if rule is not None:
        check_range(q, path, key, rule, text)
    return q


def check_range(q: pint.Quantity, path, key: str, rule: str, text=None, origin: str = "") -> None:
    """RequestError naming the file and key unless ``q`` is what ``rule`` (a key of :data:`_RULES`) allows;
    ``origin`` follows the value in the message where it did not come from the request (", the default … of
    REGISTER,")."""
    unit, ok, expected = _RULES[rule]
    x = float(as_array(q, unit)) if unit else float(q.magnitude)
    if not ok(x):
        raise RequestError(path, key, f"'{shown(text if text is not None else q)}'{origin} must be {expected}")


def _term(raw, path, key: str, dimension: str | None, rule: str | None = None) -> Term:
    """A term from ``"2500 元/亩"`` or ``{value: …, status: …, source: …}`` (dimension and rule: see
    parse_quantity; rule defaults to the :data:`RANGES` entry of the key's last part)."""
    status, source = "given", "request file"
    if isinstance(raw, dict):
        if "value" not in raw:
            raise RequestError(path, key, "a mapping needs value (and may give status and source)")
        unknown = set(raw) - {"value", "status", "source"}
        if unknown:
            raise RequestError(path, f"{key}.{sorted(unknown)[0]}", "unknown key; known: value, status, source")
        status, source, raw = str(raw.get("status", status)), str(raw.get("source", source)), raw["value"]
    value = parse_quantity(raw, path, key, dimension, rule or RANGES.get(key.rsplit(".", 1)[-1]))
    return Term(value, status, source, "request", str(raw).strip())


def _whole(raw, path, key: str, low: int | None = None, high: int | None = None, what: str = "") -> int:
    """A whole number from ``low`` to ``high`` (each optional); ``what`` says what it is in the message."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        given = "nothing (the key is missing or empty)" if raw is None else shown(repr(raw))
        raise RequestError(path, key, f"expected a whole number{f' ({what})' if what else ''}, not {given}")
    if (low is not None and raw < low) or (high is not None and raw > high):
        bounds = f"from {low} to {high}" if low is not None and high is not None else \
            f"{low} or more" if low is not None else f"{high} or less"
        raise RequestError(path, key, f"{raw} is not {what or 'a whole number'} {bounds}")
    return raw


def _year(raw, path, key: str) -> int:
    return _whole(raw, path, key, MIN_YEAR, MAX_YEAR, "a year")


def _shares(raw, path, key: str) -> list[float]:
    """Instalment shares: fractions from 0 to 1 adding up to 1 (their count is checked against the
    instalments where both are known, in the valuation)."""
    if not isinstance(raw, list) or not raw or not all(isinstance(s, (int, float)) and not isinstance(s, bool)
                                                       for s in raw):
        raise RequestError(path, key, "expected a list of fractions, e.g. [0.4, 0.3, 0.3]")
    shares = [float(s) for s in raw]
    if not all(math.isfinite(s) and 0 <= s <= 1 for s in shares):
        raise RequestError(path, key, f"{shown(raw)} holds a share that is not a fraction from 0 to 1")
    if abs(sum(shares) - 1.0) > 1e-9:
        raise RequestError(path, key, f"{shown(raw)} adds up to {sum(shares):g}, not 1")
    return shares


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


#: The keys of each part of a request, as the messages list them.
TOP_KEYS = ("title", "year", "inventory", "seller", "buyer", "trade", "carbon", "water_compensation")
TRADE_KEYS = ("area", "price", "maintenance_years", "maintenance_fee", "instalments", "instalment_shares",
              "first_payment_year", "discount_rate", "target_sensitivity")
CARBON_KEYS = ("price", "price_kind", "co2", "nep")
WATER_KEYS = ("monitoring", "amount_per_month", "rules")
#: A carbon price is per t CO₂ or per t C (gep.trading.carbon.carbon_value applies each to its own mass).
CARBON_PRICE_DIMENSIONS = ("[currency]/[carbon_dioxide]", "[currency]/[carbon]")


def _unknown(raw: dict, known, path, where: str = "") -> None:
    unknown = set(raw) - set(known)
    if unknown:
        raise RequestError(path, f"{where}{sorted(unknown)[0]}", f"unknown key; known: {', '.join(known)}")


def _existing(target: Path, path, key: str) -> Path:
    """A file or folder the request names, relative to the request's folder; RequestError if there is none."""
    if not target.exists():
        raise RequestError(path, key, f"{shown(target, 200)} not found (a path is relative to the request file's "
                                      "folder)")
    return target


def load_request(path: str | Path, inventory: str | Path | None = None,
                 monitoring: str | Path | None = None, shown_as: str | Path | None = None) -> Request:
    """Read and check a request file; every number is parsed with its unit and range-checked here.

    ``inventory`` and ``monitoring`` replace the paths the request's ``inventory:`` and
    ``water_compensation.monitoring`` name (relative to the request file): a recomputation points them at
    the copies kept under a valuation folder's ``inputs/``. Each applies only where the request names one.
    Messages name ``shown_as`` (default ``path``): the user's own file when ``path`` is a copy of it.

    The file is read by :func:`gep.reading.load_yaml` (any encoding it detects; YAML aliases refused), whose
    :class:`gep.reading.ReadError` names the file and line."""
    path = Path(path)
    name = shown_as or path
    raw = load_yaml(path, name)
    if not isinstance(raw, dict):
        raise RequestError(name, "(file)", "expected a mapping of keys (title, year, seller, buyer, trade, …)")
    raw = _english(raw, name)
    _unknown(raw, TOP_KEYS, name)
    year = _year(raw.get("year"), name, "year")
    if not raw.get("inventory"):
        inventory = None
    elif inventory is None:
        inventory = _existing((path.parent / str(raw["inventory"])).resolve(), name, "inventory")
    trade = None
    if raw.get("trade") is not None:
        t = raw["trade"]
        if not isinstance(t, dict) or "area" not in t:
            raise RequestError(name, "trade", "expected a mapping with at least area (e.g. area: 1.5 万亩)")
        _unknown(t, TRADE_KEYS, name, "trade.")
        trade = {}
        for k, v in t.items():
            if k == "instalments":
                trade[k] = Term(_whole(v, name, f"trade.{k}", 1, MAX_CONTRACT_YEARS, "a number of instalments"),
                                "given", "request file", "request")
            elif k == "first_payment_year":
                trade[k] = Term(_year(v, name, f"trade.{k}"), "given", "request file", "request")
            elif k == "target_sensitivity":
                if not isinstance(v, list) or not v:
                    raise RequestError(name, "trade.target_sensitivity", "expected a list of coverages, e.g. [55 %, 65 %]")
                trade[k] = Term([parse_quantity(x, name, f"trade.target_sensitivity[{i}]", "", RANGES[k])
                                 for i, x in enumerate(v)], "given", "request file", "request")
            elif k == "instalment_shares":
                trade[k] = Term(_shares(v, name, f"trade.{k}"), "given", "request file", "request")
            else:
                trade[k] = _term(v, name, f"trade.{k}", DIMENSIONS[k])
    carbon = None
    if raw.get("carbon") is not None:
        c = raw["carbon"]
        if not isinstance(c, dict):
            raise RequestError(name, "carbon", "expected a mapping (price, price_kind, co2 or nep)")
        _unknown(c, CARBON_KEYS, name, "carbon.")
        carbon = {"price_kind": str(c.get("price_kind", ""))}
        if "price" in c:
            carbon["price"] = _term(c["price"], name, "carbon.price", None)
            if not any(carbon["price"].value.dimensionality == ureg.get_dimensionality(d)
                       for d in CARBON_PRICE_DIMENSIONS):
                raise RequestError(name, "carbon.price", f"'{shown(carbon['price'].written)}' is not a price per t CO₂ or "
                                                         f"per t C (e.g. '29.57 元/t CO₂' or '1320 元/t C')")
        if "co2" in c:
            carbon["co2"] = _term(c["co2"], name, "carbon.co2", "[carbon_dioxide]/[time]")
        if "nep" in c:
            carbon["nep"] = _term(c["nep"], name, "carbon.nep", "[carbon]/[time]")
    water = None
    if raw.get("water_compensation") is not None:
        w = raw["water_compensation"]
        if not isinstance(w, dict) or not w.get("monitoring"):
            raise RequestError(name, "water_compensation", "expected a mapping with monitoring: FILE.csv")
        _unknown(w, WATER_KEYS, name, "water_compensation.")
        shown_monitoring = None
        if monitoring is None:
            monitoring = _existing((path.parent / str(w["monitoring"])).resolve(), name,
                                   "water_compensation.monitoring")
            shown_monitoring = Path(name).parent / str(w["monitoring"])  # as the user would find it
        water = {"monitoring": Path(monitoring), "rules": _rules(w.get("rules"), name)}
        if shown_monitoring is not None:
            water["monitoring_shown"] = shown_monitoring
        if "amount_per_month" in w:
            water["amount_per_month"] = _term(w["amount_per_month"], name, "water_compensation.amount_per_month",
                                              DIMENSIONS["amount_per_month"])
    if not (trade or carbon or water):
        raise RequestError(name, "(file)", "nothing to value: give trade, carbon or water_compensation")
    return Request(path=path, title=str(raw.get("title") or path.stem), year=year,
                   inventory=Path(inventory) if inventory is not None else None,
                   seller=_party(raw.get("seller"), name, "seller"), buyer=_party(raw.get("buyer"), name, "buyer"),
                   trade=trade, carbon=carbon, water=water, shown_as=shown_as)


def _rules(raw, path) -> dict:
    """The declared water-compensation rules: who pays when a section fails its class or is unchanged."""
    from .water import DEFAULT_RULES, RULE_CHOICES
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RequestError(path, "water_compensation.rules", f"expected a mapping of {', '.join(DEFAULT_RULES)} to "
                                                             f"{', '.join(RULE_CHOICES)}")
    _unknown(raw, tuple(DEFAULT_RULES), path, "water_compensation.rules.")
    for case, rule in raw.items():
        if rule not in RULE_CHOICES:
            raise RequestError(path, f"water_compensation.rules.{case}", f"'{shown(rule)}' is not one of "
                                                                         f"{', '.join(RULE_CHOICES)}")
    return dict(raw)


def amount_per_month(text, shown_as: str = "--amount") -> Term:
    """A compensation amount per section and month as written on the command line (``"100 万元/month"``):
    finite, not negative, a currency per time; RequestError naming ``shown_as``."""
    return _term(text, shown_as, "amount_per_month", DIMENSIONS["amount_per_month"])
