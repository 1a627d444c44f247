"""Calculators of the provisioning services — products, water supply, hydropower — valued at the
inventory's own prices where it gives them (formulas: :mod:`gep.services.provisioning`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalogue import inventory_spec
from ..prices import INVENTORY_PRICE_INDEX
from ..trace import TraceBuilder
from ..units import conversion, quantity
from . import provisioning
from .tables import (COMPUTED, KEYS, PROVENANCE, Context, Quantities, carry_prices, floats, given_rows, rows,
                     with_supplied)

SECTOR_ECOSYSTEM = {"agriculture": "farmland", "forestry": "forest", "husbandry": "all", "fishery": "all"}


def products(ctx: Context) -> list[pd.DataFrame]:
    """One figure per products row: quantity × price where both are given, else the reported output value.

    Rows are traced in batches of one product, path and pair of units (one formula each), not one row at a
    time: a county's few hundred rows were a third of the whole account's time as one trace each."""
    table = ctx.inventory.table("products").reset_index(drop=True)
    if not len(table):
        return []
    ecosystem = [e or SECTOR_ECOSYSTEM[s] for e, s in zip(table["ecosystem"], table["sector"])]
    table = table.assign(ecosystem=ecosystem, service=table["sector"] + "_products", year=table["year"].astype(int))
    quantities, prices, outputs = floats(table, "quantity"), floats(table, "price"), floats(table, "output_value")
    priced = ~np.isnan(quantities) & ~np.isnan(prices)
    values = outputs.copy()  # priced rows get quantity × price below
    quantity_units = np.where(priced, table["quantity_unit"].to_numpy(dtype=object), "yuan")
    batches = table.assign(_priced=priced, _qu=table["quantity_unit"].where(priced, ""),
                           _pu=table["price_unit"].where(priced, "")).groupby(
        ["service", "product", "_priced", "_qu", "_pu"], sort=False, dropna=False).indices
    for (service, product, with_price, q_unit, p_unit), where in batches.items():
        batch = table.iloc[where]
        tb = TraceBuilder(batch[KEYS].reset_index(drop=True), service, product)
        ctx.traces.append(tb)
        prov = batch[PROVENANCE].reset_index(drop=True)
        if with_price:
            values[where] = provisioning.market_value(quantity(quantities[where], q_unit),
                                                      quantity(prices[where], p_unit)).to("yuan").magnitude
            factor = float(conversion(f"({q_unit})*({p_unit})", "yuan"))
            tb.input("Q", quantities[where], q_unit, "products", "quantity", prov)
            tb.input("p", prices[where], p_unit, "products", "price", prov)
            tb.step("V", "Q*p" + ("" if factor == 1 else f"*{factor!r}"), values[where], "yuan")
        else:
            tb.input("Q", outputs[where], "yuan", "products", "output_value", prov)
            tb.step("V", "Q", outputs[where], "yuan")
    return [pd.DataFrame({
        "region_code": table["region_code"], "year": table["year"], "service": table["service"],
        "indicator": table["product"], "ecosystem": table["ecosystem"], "in_gep": True, "coefficients": "",
        "note": table["note"], "quantity": np.where(priced, quantities, outputs), "quantity_unit": quantity_units,
        "price": np.where(priced, prices, np.nan), "price_unit": table["price_unit"].where(priced, ""),
        "value_yuan": values, "path": np.where(priced, "quantity_x_price", "output_value"),
    }).assign(price_index=INVENTORY_PRICE_INDEX)]


def water_supply(ctx: Context) -> list[pd.DataFrame]:
    supply = ctx.inventory.table("water_supply")
    out = []
    for use in inventory_spec()["vocabularies"]["water_use"]:
        w = supply[supply["use"] == use].reset_index(drop=True)
        keys = pd.DataFrame({"region_code": w["region_code"], "year": w["year"], "ecosystem": "all"})
        supplied = with_supplied(ctx, "water_supply", use, keys, floats(w, "volume"))
        out += given_rows(ctx, "water_supply", use, supplied)
        table = supplied.computed_mask[:len(w)]  # a supplied figure wins
        w, keys = w[table].reset_index(drop=True), keys[table].reset_index(drop=True)
        if not len(w):
            continue
        q = Quantities(keys, floats(w, "volume"), np.full(len(w), COMPUTED, dtype=object), w[PROVENANCE])
        given = ~np.isnan(floats(w, "price"))
        price = ctx.coef_for(f"water_price_{use}", keys) if not given.all() else None
        if price is not None:  # the register's price, carried from its price year to each figure's year
            factor, factor_rows = carry_prices(ctx, price, keys["year"].to_numpy())
        prices = np.where(given, floats(w, "price"), price.values * factor if price else np.nan)
        value = provisioning.water_supply_value(quantity(q.amounts, "m**3"), quantity(prices, "yuan/m**3"))
        traces = []
        for from_table in (True, False):
            if not (given == from_table).any():
                continue
            tb = ctx.tracer("water_supply", use, keys, given == from_table)
            tb.input("Q", q.amounts, "m3", "water_supply", "volume", w)
            if from_table:
                tb.input("p", prices, "yuan/m3", "water_supply", "price", w)
            else:
                tb.coefficient("p0", price.values, "yuan/m3", price.rows)
                tb.coefficient("F_p", factor, "1", factor_rows)
                tb.step("p", "p0*F_p", prices, "yuan/m3")
            tb.step("V", "Q*p", value.to("yuan").magnitude, "yuan")
            traces.append(tb)
        out.append(rows(ctx, "water_supply", use, q, [], prices=prices, price_unit="yuan/m**3",
                        values=value.to("yuan").magnitude, price_index=_price_indices(given, price),
                        coefficients=(f"water_price_{use}",) if price else ()))
    return out


def hydropower(ctx: Context) -> list[pd.DataFrame]:
    hydro = ctx.inventory.table("hydropower").reset_index(drop=True)
    station_keys = pd.DataFrame({"region_code": hydro["region_code"], "year": hydro["year"], "ecosystem": "all"})
    price_key = ctx.method.price_key("hydropower", "generation")
    # a station's own tariff (上网电价) is the price only where the method values hydropower at the tariff
    given = ~np.isnan(floats(hydro, "price")) & (ctx.method.option("hydropower.price_basis") == "on_grid_tariff")
    price = ctx.coef_for(price_key, station_keys) if not given.all() else None
    factor, factor_rows = np.ones(len(hydro)), np.full(len(hydro), None, dtype=object)
    if price is not None:  # the register's price, carried from its price year to each station's year
        factor, factor_rows = carry_prices(ctx, price, hydro["year"].to_numpy())
    prices = np.where(given, floats(hydro, "price"), price.values * factor if price else np.nan)
    generation = floats(hydro, "generation")
    value = provisioning.hydropower_value(quantity(generation, "kWh"), quantity(prices, "yuan/kWh")).to("yuan").magnitude
    # one figure per region: its stations summed; the price shown is value / generation
    grouped = station_keys.assign(generation=generation, value=value).groupby(KEYS, as_index=False)[
        ["generation", "value"]].sum()
    supplied = with_supplied(ctx, "hydropower", "generation", grouped, grouped["generation"].to_numpy())
    out = given_rows(ctx, "hydropower", "generation", supplied)
    grouped = grouped[supplied.computed_mask[:len(grouped)]].reset_index(drop=True)  # a supplied figure wins
    if not len(grouped):
        return out
    # trace: figures grouped by the shape of their sum (how many stations, each priced in the inventory
    # or by the register), so each station's price is recorded as what it is
    hydro = hydro.assign(_p=prices, _row=[None if given[i] else price.rows[i] for i in range(len(hydro))],
                         _p0=price.values if price else np.nan, _f=factor, _frow=list(factor_rows),
                         _index=_price_indices(given, price))
    stations = {k: g for k, g in hydro.groupby(["region_code", "year"], sort=False)}
    figure_keys = list(zip(grouped["region_code"], grouped["year"]))
    shapes = [tuple("own" if r is None else "reg" for r in stations[k]["_row"]) for k in figure_keys]
    for shape in dict.fromkeys(shapes):
        mask = np.array([sh == shape for sh in shapes])
        tb = ctx.tracer("hydropower", "generation", grouped, mask)
        for i, kind in enumerate(shape):
            # arrays cover every figure; only the masked ones (which all have station i) are kept
            part = [stations[k].iloc[i] if len(stations[k]) > i else None for k in figure_keys]
            prov = pd.DataFrame([[st["input_file"], st["input_row"], st["source"], st["status"]] if st is not None
                                 else ["", np.nan, "", ""] for st in part], columns=PROVENANCE)
            tb.input(f"G{i + 1}", [st["generation"] if st is not None else 0.0 for st in part], "kWh",
                     "hydropower", "generation", prov)
            shown = [st["_p"] if st is not None else 0.0 for st in part]
            if kind == "own":
                tb.input(f"p{i + 1}", shown, "yuan/kWh", "hydropower", "price", prov)
            else:  # the register's price p_0 carried to the year by its index's factor F
                fallback = next(st for st, sh in zip(part, shapes) if sh == shape)
                reg = [st if st is not None and st["_row"] is not None else fallback for st in part]
                tb.coefficient(f"p{i + 1}_0", [st["_p0"] for st in reg], "yuan/kWh", [st["_row"] for st in reg])
                tb.coefficient(f"F_p{i + 1}", [st["_f"] for st in reg], "1", [st["_frow"] for st in reg])
                tb.step(f"p{i + 1}", f"p{i + 1}_0*F_p{i + 1}", shown, "yuan/kWh")
        tb.step("Q", "+".join(f"G{i + 1}" for i in range(len(shape))), grouped["generation"].to_numpy(), "kWh")
        tb.step("V", "+".join(f"G{i + 1}*p{i + 1}" for i in range(len(shape))), grouped["value"].to_numpy(), "yuan")
    q = Quantities(grouped[KEYS], grouped["generation"].to_numpy(), np.full(len(grouped), COMPUTED, dtype=object),
                   grouped[[]])
    return [*out, rows(ctx, "hydropower", "generation", q, [],
                       prices=grouped["value"].to_numpy() / grouped["generation"].to_numpy(), price_unit="yuan/kWh",
                       values=grouped["value"].to_numpy(), coefficients=(price_key,) if price else (),
                       price_index=np.array([stations[k]["_index"].iloc[0] for k in figure_keys], dtype=object))]


def _price_indices(given: np.ndarray, price) -> np.ndarray:
    """The index that deflates the figures' prices: the inventory's (:data:`gep.prices.INVENTORY_PRICE_INDEX`,
    prices of their own year) for every figure of the indicator where some figure takes a price of the
    inventory, so that the regions' figures still add up to one figure; else the index each register row
    declares, which carried its price."""
    if given.any() or price is None:
        return np.full(len(given), INVENTORY_PRICE_INDEX, dtype=object)
    return np.array([r.price_index or "none" for r in price.rows], dtype=object)
