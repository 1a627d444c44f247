"""Service formulas: small pure functions, one per physical model or valuation step.

Each takes pint Quantities (scalars or arrays), checks their dimensions at the boundary
(:func:`gep.units.check_units`), computes on magnitudes in canonical units and returns a Quantity.
They never read files or look up coefficients: the calculator beside each family (``water_tables`` beside
``water``, …; shared plumbing in :mod:`gep.services.tables`, their order in :mod:`gep.services.calculators`)
gathers the inputs from the inventory and the register, and :mod:`gep.accounting` runs them.

Docstrings give the formula, each variable with its unit in brackets, and the clause or paper the
formula follows (glossary of variable names: docs/glossary.md).
"""
from . import carbon, climate, cultural, provisioning, purification, soil, water  # noqa: F401
