"""物质产品 (provisioning): products, water supply and hydropower valued at market prices."""
from __future__ import annotations

import pint

from ..units import UnitError, check_units, quantity


def market_value(amount: pint.Quantity, unit_price: pint.Quantity) -> pint.Quantity:
    """Market value of a product: ``V = Q × P``.

    Parameters
    ----------
    amount : Quantity — amount produced or supplied in the year [any unit, e.g. t, m³, kWh]
    unit_price : Quantity — price per unit of ``amount`` [元 per that unit]

    Returns
    -------
    Quantity [元/a]

    References
    ----------
    市场价值法: 白玛卓嘎 et al. 2017, 生态学报 37(19):6302-6312, eq.(1) (water supply); the same form is
    applied to agriculture, forestry, husbandry, fishery and hydropower (表2).
    """
    for name, arg in (("amount", amount), ("unit_price", unit_price)):
        if not isinstance(arg, pint.Quantity):
            raise UnitError(f"market_value(): argument '{name}' has no unit; pass e.g. quantity(value, '万元/t')")
    value = amount * unit_price
    if value.dimensionality != quantity(1, "yuan").dimensionality:
        raise UnitError(f"market_value(): amount in '{amount.units}' times price in '{unit_price.units}' "
                        f"is '{value.units}', not a currency; give the price per {amount.units}")
    return value.to("yuan")


@check_units(volume="[length]**3", unit_price="[currency]/[length]**3")
def water_supply_value(volume: pint.Quantity, unit_price: pint.Quantity) -> pint.Quantity:
    """Value of water supplied for one use: ``V_p,i = Q_p,i × P_p,i`` [元/a].

    volume [m³/a] water supplied; unit_price [元/m³] water price for that use.
    Reference: 白玛卓嘎 et al. 2017, eq.(1).
    """
    return (volume * unit_price).to("yuan")


@check_units(generation="[energy]", unit_price="[currency]/[energy]")
def hydropower_value(generation: pint.Quantity, unit_price: pint.Quantity) -> pint.Quantity:
    """Value of hydropower (生态能源): ``V = E × P_e`` [元/a].

    generation [kWh/a]; unit_price [元/kWh] on-grid price. Reference: 白玛卓嘎 et al. 2017, 表3
    (95.30亿kWh × 0.53元/kWh).
    """
    return (generation * unit_price).to("yuan")
