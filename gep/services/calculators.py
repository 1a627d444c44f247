"""Every service calculator, in the order the accounts run them.

The one module that imports all the ``*_tables`` families: they each import only :mod:`gep.services.tables`
and their own formulas, so listing them here (and not beside :class:`~gep.services.tables.Context`) keeps
the imports one way. The order is the order of the result rows.
"""
from __future__ import annotations

from .carbon_tables import carbon_oxygen
from .climate_tables import climate_regulation
from .cultural_tables import landscape, recreation
from .pest_control_tables import pest_control
from .provisioning_tables import hydropower, products, water_supply
from .purification_tables import purification_service
from .soil_tables import sand_fixation, soil_retention
from .water_tables import flood_regulation, water_conservation

CALCULATORS = (
    products, water_supply, hydropower,
    water_conservation, soil_retention, sand_fixation, flood_regulation,
    lambda ctx: purification_service(ctx, "air_purification", "air"),
    lambda ctx: purification_service(ctx, "water_purification", "water"),
    carbon_oxygen, climate_regulation, pest_control,
    recreation, landscape,
)
