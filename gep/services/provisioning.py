"""物质产品 (provisioning): products, water supply and hydropower valued at market prices."""
from __future__ import annotations

import pint

from ..units import UnitError, check_units, plain_unit, quantity, to_magnitude


def market_value(amount: pint.Quantity, unit_price: pint.Quantity) -> pint.Quantity:
    """Market value of a product: ``V = Q × P``.

    Parameters
    ----------
    amount : Quantity — amount produced or supplied in the year [any unit, e.g. t, m³, kWh]
    unit_price : Quantity — price per unit of ``amount`` [元 per that unit]

    Returns
    -------
    Quantity [元/a]

    Each operand is first converted exactly to its plain unit (:func:`gep.units.plain_unit`: 万t → t, the
    price to 元 per that unit), then multiplied: 1.5 万t × 0.2 万元/t = 15 000 t × 2000 元/t = 30 000 000 元,
    exactly.

    References
    ----------
    市场价值法: 白玛卓嘎 et al. 2017, 生态学报 37(19):6302-6312, eq.(1) (water supply); the same form is
    applied to agriculture, forestry, husbandry, fishery and hydropower (表2).
    """
    for name, arg, example in (("amount", amount, "t"), ("unit_price", unit_price, "万元/t")):
        if not isinstance(arg, pint.Quantity):
            raise UnitError(f"market_value(): argument '{name}' has no unit; pass e.g. quantity(value, '{example}')")
    product = amount.units * unit_price.units
    if product.dimensionality != quantity(1, "yuan").dimensionality:
        raise UnitError(f"market_value(): amount in '{amount.units}' times price in '{unit_price.units}' "
                        f"is '{product}', not a currency; give the price per {amount.units}")
    plain = plain_unit(amount.units)
    return quantity(to_magnitude(amount, str(plain)) * to_magnitude(unit_price, f"yuan/({plain})"), "yuan")


@check_units(volume="[length]**3", unit_price="[currency]/[length]**3")
def water_supply_value(volume: pint.Quantity, unit_price: pint.Quantity) -> pint.Quantity:
    """Value of water supplied for one use: ``V_p,i = Q_p,i × P_p,i`` [元/a].

    volume [m³/a] water supplied; unit_price [元/m³] water price for that use.
    Reference: 白玛卓嘎 et al. 2017, eq.(1).
    """
    return market_value(volume, unit_price)


@check_units(generation="[energy]", unit_price="[currency]/[energy]")
def hydropower_value(generation: pint.Quantity, unit_price: pint.Quantity) -> pint.Quantity:
    """Value of hydropower (生态能源): ``V = E × P_e`` [元/a].

    generation [kWh/a]; unit_price [元/kWh] on-grid price. Reference: 白玛卓嘎 et al. 2017, 表3
    (95.30亿kWh × 0.53元/kWh).
    """
    return market_value(generation, unit_price)
