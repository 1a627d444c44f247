"""Cross-section water ecological compensation (流域横向生态保护补偿), Chongqing's rule.

《重庆市建立流域横向生态保护补偿机制实施方案(试行)》 (2018; 人民日报 2018-07-02, 新华社 2020-07-14 —
chengkou-data.md §2.2, SEEN): for each cross-district monitoring section, every month, 100万元 —

- the section meets its water-function class (水环境功能类别) **and** is better than the same month last
  year → the downstream district pays the upstream one;
- it meets its class but is worse than last year → the upstream district pays the downstream one;
- it fails its class → "separate rules" (not read): here a declared, configurable rule, UNVERIFIED;
- it meets its class and is unchanged → not stated: a declared, configurable rule, UNVERIFIED.

Settlement is monthly and cleared yearly (月核算、月通报、年清缴). Water classes are GB 3838-2002 I–V plus
劣V (6); a lower class is better water. "Better or worse than last year" compares the class with the same
month of last year; a finer comparison within one class (e.g. by a pollution index) is not made.
"""
from __future__ import annotations

import pandas as pd
import pint

from ..units import as_array, check_units

#: GB 3838-2002 classes as written in monitoring tables (after dropping 类) → 1..6 (劣V = 6).
CLASSES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "劣V": 6, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "劣Ⅴ": 6,
           "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6}

#: Who pays in the cases the scheme leaves to "separate rules" or does not state (UNVERIFIED defaults).
RULE_CHOICES = ("upstream_pays", "downstream_pays", "none")
DEFAULT_RULES = {"fails_class": "upstream_pays", "unchanged": "none"}


def water_class(text) -> int:
    """GB 3838-2002 class as written (``III``, ``Ⅲ类``, ``3``, ``劣V``) → 1..6; ValueError if not a class."""
    key = str(text).strip().upper().removesuffix("类").removesuffix(".0")
    if key not in CLASSES:
        raise ValueError(f"'{text}' is not a water class (I, II, III, IV, V, 劣V or 1–6)")
    return CLASSES[key]


def section_case(target: int, measured: int, last_year: int) -> str:
    """The case of one section-month: ``improved``, ``worse``, ``unchanged`` (all meeting the class) or
    ``fails_class`` (measured class above the target class)."""
    if measured > target:
        return "fails_class"
    if measured < last_year:
        return "improved"
    if measured > last_year:
        return "worse"
    return "unchanged"


_PAYER = {"improved": "downstream_pays", "worse": "upstream_pays"}


@check_units(amount="[currency]/[time]")
def settle(monitoring: pd.DataFrame, amount: pint.Quantity, rules: dict | None = None) -> pd.DataFrame:
    """Monthly settlement of every section: who pays whom ``C = 100万元`` per section and month.

    monitoring: one row per section × year × month with ``section, upstream, downstream, year, month``
    and the classes ``target_class, measured_class, last_year_class`` as integers 1..6; amount C
    [元/month]; rules: who pays for ``fails_class`` and ``unchanged`` (see :data:`DEFAULT_RULES`).
    Returns the rows with ``case, rule, payer, payee, amount_yuan`` (payer/payee empty when nobody pays).
    """
    rules = {**DEFAULT_RULES, **(rules or {})}
    for case, rule in rules.items():
        if case not in DEFAULT_RULES or rule not in RULE_CHOICES:
            raise ValueError(f"rule {case}: {rule} — cases {', '.join(DEFAULT_RULES)}, choices {', '.join(RULE_CHOICES)}")
    per_month = float(as_array(amount, "yuan/month"))
    rows = []
    for r in monitoring.itertuples(index=False):
        case = section_case(int(r.target_class), int(r.measured_class), int(r.last_year_class))
        rule = _PAYER.get(case) or rules[case]
        payer, payee = {"downstream_pays": (r.downstream, r.upstream), "upstream_pays": (r.upstream, r.downstream),
                        "none": ("", "")}[rule]
        rows.append({**r._asdict(), "case": case, "rule": rule, "payer": payer, "payee": payee,
                     "amount_yuan": per_month if payer else 0.0})
    return pd.DataFrame(rows)


def yearly_net(settlement: pd.DataFrame) -> pd.DataFrame:
    """Yearly clearing (年清缴) per pair of districts: ``net = Σ paid downstream→upstream − Σ upstream→downstream``.

    Returns ``year, upstream, downstream, months, downstream_to_upstream_yuan, upstream_to_downstream_yuan,
    net_to_upstream_yuan`` (negative: the upstream district pays on balance).
    """
    s = settlement.assign(
        d2u=settlement["amount_yuan"].where(settlement["payer"] == settlement["downstream"], 0.0),
        u2d=settlement["amount_yuan"].where(settlement["payer"] == settlement["upstream"], 0.0))
    out = s.groupby(["year", "upstream", "downstream"], as_index=False, sort=True).agg(
        months=("month", "size"), downstream_to_upstream_yuan=("d2u", "sum"), upstream_to_downstream_yuan=("u2d", "sum"))
    out["net_to_upstream_yuan"] = out["downstream_to_upstream_yuan"] - out["upstream_to_downstream_yuan"]
    return out
