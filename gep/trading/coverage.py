"""Forest coverage (森林覆盖率) and forest-area indicator trades between districts.

Chongqing's 《重庆市实施横向生态补偿提高森林覆盖率工作方案(试行)》 (2018-10): a district that cannot reach
its own coverage target (尽责目标) may buy forest-area indicators (森林面积指标) from a district above its
own target; the bought area counts toward the buyer's coverage, and the seller must still meet its own
target after the sale (chengkou-data.md §2.1, SEEN via 人民日报 repost and manzhai.net). The seller keeps
the forest physically; what moves is the right to count it (asset-liability.md §4.1), so the forest area
a seller has already sold no longer counts toward its own target.

All areas are in hm² inside the kernels, coverages are fractions; inputs are unit-checked Quantities.
"""
from __future__ import annotations

from dataclasses import dataclass

import pint

from ..phrases import bilingual
from ..units import as_array, check_units, quantity


@check_units(forest="[area]", land="[area]")
def forest_coverage(forest: pint.Quantity, land: pint.Quantity) -> pint.Quantity:
    """Forest coverage ``c = F / L`` [%].

    forest F [hm²] forest area counted for coverage; land L [hm²] land area of the district.
    The definition behind every coverage figure of the reference (chengkou-data.md §1.2, consistency check
    359万亩 / 72.8 % = 493.1万亩 ≈ the county's 493.8万亩).
    """
    return quantity(100.0 * as_array(forest, "hectare") / as_array(land, "hectare"), "%")


@check_units(forest="[area]", land="[area]", target="", sold="[area]")
def sellable_surplus(forest: pint.Quantity, land: pint.Quantity, target: pint.Quantity,
                     sold: pint.Quantity | None = None) -> pint.Quantity:
    """Forest area above the seller's own target ``A* = F − S − c*·L`` [hm²]; negative is a shortfall.

    forest F [hm²]; land L [hm²]; target c* [–] the seller's own coverage target (尽责目标); sold S [hm²]
    forest area already sold as indicators (counts for its buyers, not for the seller).
    The most a seller can sell and still keep its target is ``max(A*, 0)`` (工作方案: the seller must
    exceed its own target, chengkou-data.md §2.1).
    """
    sold_ha = as_array(sold, "hectare") if sold is not None else 0.0
    return quantity(as_array(forest, "hectare") - sold_ha - as_array(target, "1") * as_array(land, "hectare"),
                    "hectare")


@dataclass(frozen=True)
class SaleCheck:
    """Whether a seller can sell ``area`` and still keep its own target, with the figures behind it."""

    area_ha: float
    surplus_ha: float  # A* before the sale; negative: already below target
    max_area_ha: float  # max(A*, 0)
    coverage_before: float  # [%] counted for the seller's own target (after earlier sales)
    coverage_after: float  # [%]
    target: float  # [%]
    feasible: bool
    reason: str
    reason_zh: str


@check_units(area="[area]", forest="[area]", land="[area]", target="", sold="[area]")
def check_sale(area: pint.Quantity, forest: pint.Quantity, land: pint.Quantity, target: pint.Quantity,
               sold: pint.Quantity | None = None) -> SaleCheck:
    """Can the seller sell ``area`` and keep ``target``? Coverage before/after ``(F − S [− a]) / L``.

    A request the seller cannot meet is answered with the reason and the largest feasible area
    ``max(F − S − c*·L, 0)``.
    """
    a = float(as_array(area, "hectare"))
    land_ha = float(as_array(land, "hectare"))
    counted = float(as_array(forest, "hectare")) - (float(as_array(sold, "hectare")) if sold is not None else 0.0)
    surplus = float(as_array(sellable_surplus(forest, land, target, sold), "hectare"))
    c_target = float(as_array(target, "%"))
    before, after = 100.0 * counted / land_ha, 100.0 * (counted - a) / land_ha
    if a <= 0:
        feasible, reason = False, bilingual("valuation.sale.not_positive")
    elif surplus <= 0:
        feasible, reason = False, bilingual("valuation.sale.not_above_target", before=before, target=c_target,
                                            short=-surplus)
    elif a > surplus:
        feasible, reason = False, bilingual("valuation.sale.below_target", area=a, after=after, target=c_target,
                                            surplus=surplus)
    else:
        feasible, reason = True, bilingual("valuation.sale.keeps_target", after=after, target=c_target)
    return SaleCheck(area_ha=a, surplus_ha=surplus, max_area_ha=max(surplus, 0.0), coverage_before=before,
                     coverage_after=after, target=c_target, feasible=feasible, reason=reason["en"],
                     reason_zh=reason["zh"])


@check_units(area="[area]", land="[area]", forest="[area]", bought="[area]", sold="[area]")
def buyer_coverage(area: pint.Quantity, land: pint.Quantity, forest: pint.Quantity,
                   bought: pint.Quantity | None = None, sold: pint.Quantity | None = None) -> tuple[float, float]:
    """The buyer's coverage [%] before and after: ``(F + B − S) / L`` and ``(F + B − S + a) / L``.

    forest F [hm²] its own forest; bought B [hm²] indicators bought earlier; sold S [hm²] indicators it
    sold earlier (they count for their buyers); area a [hm²] bought now (the bought area counts toward
    the buyer's coverage: 工作方案, chengkou-data.md §2.1).
    """
    land_ha = float(as_array(land, "hectare"))
    counted = float(as_array(forest, "hectare")) + (float(as_array(bought, "hectare")) if bought is not None else 0.0) \
        - (float(as_array(sold, "hectare")) if sold is not None else 0.0)
    return 100.0 * counted / land_ha, 100.0 * (counted + float(as_array(area, "hectare"))) / land_ha
