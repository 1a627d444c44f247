"""gep: gross ecosystem product (GEP, 生态系统生产总值) accounting with unit-checked formulas.

Layers (data flows one way): inventory → validated tables in canonical units (:mod:`gep.inventory`)
→ service calculators, pure functions (:mod:`gep.services`) → results by region × year × service ×
indicator × ecosystem (:mod:`gep.accounting`) → outputs and reports (:mod:`gep.outputs`,
:mod:`gep.render`).
"""
__version__ = "0.1.0"
