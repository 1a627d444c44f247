"""空气净化 and 水质净化 (air and water purification)."""
from __future__ import annotations

import numpy as np
import pint

from ..units import as_array, check_units, quantity


@check_units(emission="[mass]", capacity="[mass]")
def purified_amount(emission: pint.Quantity, capacity: pint.Quantity | None = None) -> pint.Quantity:
    """Pollutant purified by ecosystems: ``Q = min(Σ_j q_j × A_j, E)``, or ``E`` without a capacity [t/a].

    Parameters
    ----------
    emission : E, the region's emission or discharge of the pollutant [t/a]
    capacity : Σ_j q_j × A_j, what the region's ecosystems can absorb [t/a]; ``None`` when no
        per-area capacity is declared, in which case the emission itself is taken (the practice of
        the standard's authors, who found capacity above emissions).

    References
    ----------
    白玛卓嘎 et al. 2017, 生态学报 37(19) (emissions as purified amounts); the min() rule as recalled
    from the MEE 2020 guideline (unverified, gep-methods.md §4.5–4.6).
    """
    e = as_array(emission, "t")
    if capacity is None:
        return quantity(e, "t")
    return quantity(np.minimum(e, as_array(capacity, "t")), "t")
