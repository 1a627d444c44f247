"""Service calculators: small pure functions, one per physical model or valuation step.

Each takes pint Quantities (scalars or arrays), checks their dimensions at the boundary
(:func:`gep.units.check_units`), computes on magnitudes in canonical units and returns a Quantity.
They never read files or look up coefficients: :mod:`gep.accounting` supplies both.

Docstrings give the formula, each variable with its unit in brackets, and the clause or paper the
formula follows (glossary of variable names: docs/glossary.md).
"""
from . import carbon, climate, cultural, provisioning, purification, soil, water  # noqa: F401
