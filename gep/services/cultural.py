"""文化服务 (cultural): recreation by travel cost, landscape value by hedonic pricing."""
from __future__ import annotations

import numpy as np
import pint

from ..units import as_array, check_units, quantity


@check_units(visits="[visit]", spending_per_visit="[currency]/[visit]", time_cost_per_visit="[currency]/[visit]")
def recreation_value(visits: pint.Quantity, spending_per_visit: pint.Quantity,
                     time_cost_per_visit: pint.Quantity | None = None) -> pint.Quantity:
    """Travel-cost value of recreation ``V = N × (TC + TV)`` [元/a].

    visits N [人次]; spending_per_visit TC [元/人次] travel spending (transport, food, lodging,
    tickets); time_cost_per_visit TV [元/人次] value of travel time (0 when not given).
    Consumer surplus is left out so the value is an exchange value (SEEA EA).
    Reference: 白玛卓嘎 et al. 2017 (travel cost); 江波 et al. 2017, 生态学报 37(8) (TCM = TE + TV + CS).
    """
    tv = 0.0 if time_cost_per_visit is None else np.nan_to_num(as_array(time_cost_per_visit, "yuan/visit"))
    return quantity(as_array(visits, "visit") * (as_array(spending_per_visit, "yuan/visit") + tv), "yuan")


@check_units(floor_area="[area]", price_premium="[currency]/[area]")
def landscape_value(floor_area: pint.Quantity, price_premium: pint.Quantity) -> pint.Quantity:
    """Landscape value ``V = A_l × P_l`` [元/a]: floor area benefiting [m²] × price premium [元/m²].

    Form recalled from MEE 2020 / NDRC 2022 (unverified).
    """
    return (floor_area * price_premium).to("yuan")
