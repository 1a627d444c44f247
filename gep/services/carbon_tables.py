"""Calculator of carbon sequestration and the oxygen release derived from it (formulas:
:mod:`gep.services.carbon`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..trace import TraceBuilder
from ..units import CO2_PER_C, quantity
from . import carbon
from .tables import COMPUTED, SUMMED, SUPPLIED, Context, extent_for, floats, rows, trace_given, with_supplied


def carbon_oxygen(ctx: Context) -> list[pd.DataFrame]:
    ext = extent_for(ctx, "carbon_sequestration")
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = cond["npp"].notna().to_numpy()
    ctx.note_skipped("carbon_sequestration", ext[~ok], "NPP")
    ext, cond, prov = (f[ok].reset_index(drop=True) for f in (ext, cond, prov))
    npp, area = floats(cond, "npp"), floats(ext, "area")
    ratio = ctx.coef_for("nep_npp_ratio", ext)
    nep = carbon.net_ecosystem_production(quantity(npp, "gC/m**2"), quantity(ratio.values, "1"),
                                          quantity(area, "hectare"))
    co2 = carbon.co2_fixed(nep)
    q = with_supplied(ctx, "carbon_sequestration", "co2_fixed", ext, co2.to("t_CO2").magnitude)
    k_o2 = ctx.coef_for("oxygen_per_co2", q.keys)
    o2 = carbon.oxygen_released(quantity(q.amounts, "t_CO2"), quantity(k_o2.values, "1")).to("t").magnitude
    o2q = with_supplied(ctx, "oxygen_release", "o2_released", q.keys, o2)  # O2 may itself be supplied
    extra = np.zeros(len(o2q.keys) - len(q.keys), dtype=bool)
    o2_own = o2q.supplied_mask
    n = len(q.keys)  # O2 computed from a gridded (parcel) CO2 figure is itself a gridded (parcel) figure
    o2q.paths[:n] = np.where((o2q.paths[:n] == COMPUTED) & np.isin(q.paths, SUMMED), q.paths, o2q.paths[:n])

    def chain(service: str, indicator: str, keys: pd.DataFrame, symbol: str, own: np.ndarray) -> list[TraceBuilder]:
        """NEP → CO2 from NPP, or CO2 supplied or gridded; ``own`` masks figures supplied for this indicator
        itself."""
        given = trace_given(ctx, service, indicator, q, symbol, keys=keys, unit="t_CO2", exclude=own)
        tb = ctx.tracer(service, indicator, keys, np.concatenate([q.computed_mask, extra[:len(keys) - len(q.keys)]])
                        & ~own)
        tb.input("NPP", npp, "gC/m2", "conditions", "npp", prov)
        tb.coefficient("r", ratio.values, "1", ratio.rows)
        tb.input("A", area, "hm2", "extent", "area", ext)
        tb.step("NEP", "r*NPP*A*0.01", nep.to("t_C").magnitude, "t_C")
        tb.step(symbol, f"NEP*{CO2_PER_C!r}", q.amounts, "t_CO2")  # 44/12, the only bridge t C → t CO₂
        return [*given, tb]

    co2_traces = chain("carbon_sequestration", "co2_fixed", q.keys, "Q", np.zeros(len(q.keys), dtype=bool))
    o2_traces = chain("oxygen_release", "o2_released", o2q.keys, "CO2", o2_own)
    for tb in o2_traces:
        tb.coefficient("k", k_o2.values, "1", k_o2.rows)
        tb.step("Q", "CO2*k", o2q.amounts, "t")
    o2_traces += trace_given(ctx, "oxygen_release", "o2_released", o2q, paths=(SUPPLIED,))
    return [rows(ctx, "carbon_sequestration", "co2_fixed", q, co2_traces,
                 price=ctx.coef_for(ctx.method.price_key("carbon_sequestration", "co2_fixed"), q.keys),
                 price_symbol="P_CO2", coefficients=("nep_npp_ratio",)),
            rows(ctx, "oxygen_release", "o2_released", o2q, o2_traces,
                 price=ctx.coef_for("oxygen_price", o2q.keys), price_symbol="P_O2",
                 coefficients=("oxygen_per_co2", "nep_npp_ratio"))]
