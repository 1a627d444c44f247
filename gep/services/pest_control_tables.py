"""Calculator of pest control: the natural area (natural forest and grassland) valued at the
register's control cost. It has no formula module of its own — the quantity is an area.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .tables import KEYS, Context, parts_trace, rows, trace_given, with_supplied


def pest_control(ctx: Context) -> list[pd.DataFrame]:
    forest = ctx.inventory.table("forest")
    natural = forest[(forest["origin"] == "natural") & (forest["area"] > 0)].reset_index(drop=True)
    ext = ctx.inventory.table("extent")
    grass = ext[(ext["ecosystem"] == "grassland") & (ext["area"] > 0)].reset_index(drop=True)
    out_keys = pd.concat([natural[["region_code", "year"]].drop_duplicates().assign(ecosystem="forest"),
                          grass[KEYS]], ignore_index=True)
    if not len(out_keys) and not len(ctx.supplied("pest_control", "natural_area")):
        return []
    area = np.zeros(len(out_keys))
    figures = pd.MultiIndex.from_frame(out_keys[KEYS])
    for parts, eco in ((natural, "forest"), (grass, "grassland")):
        at = figures.get_indexer(pd.MultiIndex.from_arrays([parts["region_code"], parts["year"],
                                                            np.full(len(parts), eco, dtype=object)]))
        np.add.at(area, at, parts["area"].to_numpy(dtype=float))  # in table order, as a running sum would
    q = with_supplied(ctx, "pest_control", "natural_area", out_keys, area)
    forest_rows = q.computed_mask & (q.keys["ecosystem"] == "forest").to_numpy()
    tb_f = ctx.tracer("pest_control", "natural_area", q.keys, forest_rows)
    terms = parts_trace(tb_f, "A", natural.assign(ecosystem="forest"), "area", "hm2", "forest", q.keys)
    tb_f.step("Q", terms, q.amounts, "hm2")
    tb_g = ctx.tracer("pest_control", "natural_area", q.keys,
                      q.computed_mask & (q.keys["ecosystem"] == "grassland").to_numpy())
    grass_prov = q.keys.merge(grass, on=KEYS, how="left")
    tb_g.input("A", grass_prov["area"].to_numpy(dtype=float), "hm2", "extent", "area", grass_prov)
    tb_g.step("Q", "A", q.amounts, "hm2")
    return [rows(ctx, "pest_control", "natural_area", q,
                 [*trace_given(ctx, "pest_control", "natural_area", q), tb_f, tb_g],
                 price=ctx.coef_for("pest_control_cost", q.keys), price_symbol="C",
                 note="natural forest (forest table, origin natural) and grassland")]
