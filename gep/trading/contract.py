"""Contract terms of an indicator trade: payment schedule, maintenance obligations, present value.

The terms of the 《重庆市实施横向生态补偿提高森林覆盖率协议书》 were not read (chengkou-data.md §2.1: a
15-year maintenance period, 100 元/亩·年 and payment in about 3 instalments are UNVERIFIED recall), so
every term is a parameter; the defaults and their status come from ``coefficients/trading.csv``.

Timing convention (declared, used by every present value here): the contract is signed at t = 0 in its
first year; instalment i = 1..n is paid at t = i − 1 (at signing and on each anniversary), and the
maintenance of contract year k = 1..N is spent at the end of that year, t = k.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pint

from ..units import as_array, check_units


@check_units(total="[currency]")
def payment_schedule(total: pint.Quantity, instalments: int, first_year: int,
                     shares: Sequence[float] | None = None) -> pd.DataFrame:
    """Instalments of the total price: ``P_i = s_i × P`` at t = i − 1, year ``first_year + i − 1``.

    total P [元]; instalments n ≥ 1; shares s_i [–] (default equal, 1/n each) must add up to 1.
    Returns columns ``instalment, year, t, share, amount_yuan``.
    """
    n = int(instalments)
    if n < 1 or n != instalments:
        raise ValueError(f"instalments must be a whole number ≥ 1, not {instalments}")
    shares = [1.0 / n] * n if shares is None else [float(s) for s in shares]
    if len(shares) != n or abs(sum(shares) - 1.0) > 1e-9 or min(shares) < 0:
        raise ValueError(f"instalment shares must be {n} non-negative numbers adding up to 1, not {list(shares)}")
    p = float(as_array(total, "yuan"))
    return pd.DataFrame({"instalment": range(1, n + 1), "year": [first_year + i for i in range(n)],
                         "t": [float(i) for i in range(n)], "share": shares,
                         "amount_yuan": [p * s for s in shares]})


@check_units(area="[area]", fee="[currency]/[area]/[time]")
def maintenance_schedule(area: pint.Quantity, fee: pint.Quantity, years: int, first_year: int) -> pd.DataFrame:
    """Maintenance the seller owes per contract year: ``M_k = a × m`` at t = k, k = 1..N.

    area a [hm²] the area sold (kept as forest, marked and patrolled for the buyer: 打桩挂牌, 护林员,
    chengkou-data.md §2.1); fee m [元/(hm²·a)]; years N [a] the maintenance period.
    Returns columns ``contract_year, year, t, area_ha, amount_yuan, remaining_yuan`` (remaining: the
    maintenance still owed after that year).
    """
    n = int(years)
    if n < 0 or n != years:
        raise ValueError(f"the maintenance period must be a whole number of years ≥ 0, not {years}")
    a = float(as_array(area, "hectare"))
    per_year = a * float(as_array(fee, "yuan/(hectare*a)"))
    return pd.DataFrame({"contract_year": range(1, n + 1), "year": [first_year + k for k in range(n)],
                         "t": [float(k) for k in range(1, n + 1)], "area_ha": [a] * n,
                         "amount_yuan": [per_year] * n,
                         "remaining_yuan": [per_year * (n - k) for k in range(1, n + 1)]})


@check_units(rate="")
def present_value(amounts: Sequence[float], times: Sequence[float], rate: pint.Quantity) -> float:
    """Present value at signing ``PV = Σ A_t / (1 + r)^t`` [元].

    amounts A_t [元]; times t [a] after signing; rate r [–] the declared discount rate (SEEA EA
    §10.75–10.81: state the rate and show its sensitivity; China's social discount rate 8 %,
    《建设项目经济评价方法与参数》第三版, asset-liability.md §3).
    """
    r = float(as_array(rate, "1"))
    if r <= -1:
        raise ValueError(f"discount rate must be above −100 %, not {r:.2%}")
    return float(sum(a / (1.0 + r) ** t for a, t in zip(amounts, times, strict=True)))
