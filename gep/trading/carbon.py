"""Forest carbon for trading: CO₂ fixed from the accounts, valued at a chosen and stated carbon price.

Quantities are in t CO₂ (固定二氧化碳, GB/T 46869-2025 附录A.7 as claimed) and never confused with t C: a
quantity in t C becomes t CO₂ only through :func:`gep.units.carbon_to_co2` (44/12), and a price per t C is
applied to the carbon content of the CO₂ (12/44) — never to the CO₂ mass itself.
"""
from __future__ import annotations

import pandas as pd
import pint

from ..units import UnitError, as_array, carbon_to_co2, check_units, co2_to_carbon, quantity, ureg

SERVICE, INDICATOR = "carbon_sequestration", "co2_fixed"


def co2_from_results(services: pd.DataFrame, region: str, year: int, ecosystem: str | None = None) -> pint.Quantity:
    """CO₂ fixed [t CO₂/a] by ``region`` in ``year`` from a GEP run's results (service carbon_sequestration,
    indicator co2_fixed), for one ecosystem or all. Raises ValueError when the accounts hold no such row (e.g. a year
    the inventory does not cover)."""
    s = services[(services["region_code"] == region) & (services["year"] == year)
                 & (services["service"] == SERVICE) & (services["indicator"] == INDICATOR)]
    if ecosystem is not None:
        s = s[s["ecosystem"] == ecosystem]
    if not len(s):
        raise ValueError(f"the accounts hold no {SERVICE}/{INDICATOR} for {region} in {year}"
                       + (f" ({ecosystem})" if ecosystem else ""))
    total = sum(float(as_array(quantity(q, u), "t_CO2")) for q, u in zip(s["quantity"], s["quantity_unit"]))
    return quantity(total, "t_CO2/a")


def co2_from_nep(nep: pint.Quantity) -> pint.Quantity:
    """CO₂ fixed from net ecosystem production in t C: ``Q = 44/12 × NEP`` (the one bridge, carbon_to_co2)."""
    return carbon_to_co2(nep)


@check_units(per_year=("co2",), co2="[carbon_dioxide]")
def carbon_value(co2: pint.Quantity, price: pint.Quantity) -> pint.Quantity:
    """Value of CO₂ fixed ``V = Q × p`` [元], or ``V = (12/44) Q × p_C`` for a price per t C.

    co2 Q [t CO₂] (a rate t CO₂/a is the amount of one year); price p [元/t CO₂] or p_C [元/t C]: the
    price kind (market, afforestation cost, carbon tax …) and source are stated by the caller. A quantity
    in t C is refused (pass it through :func:`co2_from_nep` first).
    """
    if not isinstance(price, pint.Quantity):
        raise UnitError("carbon price has no unit; write it as 元/t CO₂ or 元/t C")
    per_co2 = ureg.get_dimensionality("[currency]/[carbon_dioxide]")
    per_c = ureg.get_dimensionality("[currency]/[carbon]")
    if price.dimensionality == per_co2:
        return quantity(float(as_array(co2, "t_CO2")) * float(as_array(price, "yuan/t_CO2")), "yuan")
    if price.dimensionality == per_c:
        carbon = co2_to_carbon(co2)
        return quantity(float(as_array(carbon, "t_C")) * float(as_array(price, "yuan/t_C")), "yuan")
    raise UnitError(f"carbon price has unit '{price.units}'; expected 元/t CO₂ or 元/t C")
