"""固碳 (carbon sequestration) and 释氧 (oxygen release) on one basis: net ecosystem production."""
from __future__ import annotations

import pint

from ..units import as_array, carbon_to_co2, check_units, quantity


@check_units(per_year=("npp",), npp="[carbon]/[area]", nep_ratio="", area="[area]")
def net_ecosystem_production(npp: pint.Quantity, nep_ratio: pint.Quantity, area: pint.Quantity) -> pint.Quantity:
    """Net ecosystem production ``NEP = r × NPP × A`` [t C/a].

    npp NPP [g C·m⁻²] for the year; nep_ratio r [–] NEP/NPP (soil heterotrophic respiration removed);
    area A [hm²].
    References: 博文静 et al. 2017, 生态学报 37(12) (NEP = NPP − R_s, RCEES); NEP = α·NPP form recalled
    from the MEE 2020 guideline (unverified).
    """
    return (npp * nep_ratio * area).to("t_C")


def co2_fixed(nep: pint.Quantity) -> pint.Quantity:
    """CO₂ fixed ``Q_CO2 = 44/12 × NEP`` [t CO₂/a] (GB/T 46869-2025 附录A.7 固定二氧化碳, as claimed).

    The 44/12 factor is applied by :func:`gep.units.carbon_to_co2`, the only bridge between t C and t CO₂.
    """
    return carbon_to_co2(nep)


@check_units(co2="[carbon_dioxide]", oxygen_per_co2="")
def oxygen_released(co2: pint.Quantity, oxygen_per_co2: pint.Quantity) -> pint.Quantity:
    """O₂ released ``Q_O2 = (32/44) × Q_CO2`` [t/a], from the same CO₂ as 固碳.

    Deriving O₂ from the same basis avoids the Garzê 2010 inconsistency (net carbon beside gross O₂,
    gep-methods.md §12.1). The Youyang (Chongqing) platform's 2023 results follow exactly 32/44.
    """
    return quantity(as_array(co2, "t_CO2") * as_array(oxygen_per_co2, "1"), "t")
