"""Forest parcels (小班): every service computed parcel by parcel, then summed by region × year × ecosystem.

A forest management inventory (森林资源二类调查) lists some 10⁴–10⁶ parcels per county, each with its area,
ecosystem type, origin and, often, its own parameters (precipitation, evapotranspiration, RUSLE factors,
NPP). The ``parcels`` table holds them. This module is the tabular counterpart of :mod:`gep.grid`: a parcel
is an irregular cell with its own area, so the per-parcel formulas *are* the per-cell kernels of
:mod:`gep.grid.kernels` (which restate the service functions of :mod:`gep.services`), and a region whose
parcels are uniform gives the figure the region-level calculators give from ``extent`` and ``conditions``.

Flow, all on arrays (no per-parcel Python and no text keys after one factorisation):

1. each parcel gets the index of its key (its region × year × ecosystem) and of the figure it adds to: its
   region's, or its nearest ancestor's where the extent table gives the ecosystem (parcels coded by village,
   extent by township; :func:`gep.inventory_checks.parcel_targets`);
2. every kernel argument is resolved per parcel: the parcel's own column; where that cell is empty, the
   region's ``conditions`` (or ``climate``) value, inherited from the nearest ancestor as the calculators
   do; a register coefficient is looked up once per key, with the calculators' precedence, for the
   ecosystems the indicator applies to. Where the calculators would use another formula for the region —
   erosion moduli rather than RUSLE factors, a given transpiration heat rather than ET — so do the parcels
   that give none of the main formula's parameters themselves (:data:`ALTERNATIVES`);
3. the kernels run on the parcel arrays; ``np.bincount`` sums them by figure;
4. the sums become rows shaped like ``service_quantities`` with the path ``parcels``: the calculators value
   them, sum them up the region tree and trace them like any given quantity
   (:func:`gep.services.tables.with_supplied`);
5. after valuation, :func:`allocate` gives each parcel its share of its region's figures (quantity, value at
   current and at constant prices): for the indicators computed per parcel the parcel's own quantity, for
   those derived from one (soil-retention components from soil retained, O₂ from CO₂) the region figure in
   proportion to the parcel's quantity of that base indicator. The formulas are linear in the base
   quantity with one coefficient per region × ecosystem, so this is the parcel's own figure, and the
   parcels of a region add up to the region's figure.

Units are checked where the parcel columns enter (:func:`gep.grid.layers.kernel_factor`, the kernels' units);
kernels work on magnitudes.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np
import pandas as pd

from .catalogue import inventory_spec
from .coefficients import CANONICAL_UNITS
from .grid import kernels
from .grid.layers import KERNEL_UNITS, kernel_factor
from .grid.zonal import Indicator, ecosystems_of, indicators
from .inventory_checks import parcel_targets
from .method_inputs import METHOD_ARGUMENTS, method_argument
from .services.tables import PARCELS
from .units import scale

ROW_COLUMNS = ["region_code", "year", "service", "indicator", "ecosystem", "quantity", "unit", "input_file",
               "input_row", "source", "status", "coefficients"]
#: region tables a kernel argument may be inherited from when a parcel's cell is empty, with their keys
REGION_TABLES = (("conditions", ["year", "ecosystem"]), ("climate", ["year"]))
#: indicators valued from another indicator's quantity (see the calculators): indicator → its base
DERIVED_FROM = {"reduced_sedimentation": "soil_retained", "reduced_nitrogen_loss": "soil_retained",
                "reduced_phosphorus_loss": "soil_retained", "o2_released": "co2_fixed"}


def natural_area(cell_hm2):
    """Naturally regulated area of a parcel [hm²]: its area when it is natural forest or grassland.

    Pest control counts the area of natural, self-regulating ecosystems (GARZE2017, as the ``pest_control``
    calculator: natural forest from the forest table, all grassland); eligibility is decided by the caller."""
    return cell_hm2


#: the naturally regulated area of pest control, computed per parcel beside the gridded indicators
NATURAL_AREA = Indicator("pest_control", "natural_area", natural_area, (), ("forest", "grassland"), "hm2")


def parcel_indicators(method=None) -> tuple[Indicator, ...]:
    """What is computed per parcel under a method profile: the gridded indicators and pest control's area."""
    return (*indicators(method), NATURAL_AREA)


@dataclass(frozen=True)
class Alternative:
    """Another formula for an indicator, used for a parcel that gives none of ``own`` (its own parameters of
    the main formula) when its region gives every one of ``given`` — as the calculators prefer erosion moduli
    to RUSLE factors, and a given transpiration heat to one derived from ET."""

    kernel: Callable
    args: tuple[str, ...]
    own: tuple[str, ...]
    given: tuple[str, ...]


ALTERNATIVES = {
    "soil_retained": Alternative(
        kernels.soil_retained_from_moduli, ("potential_erosion", "actual_erosion"),
        ("rainfall_erosivity", "soil_erodibility", "slope_length_steepness", "cover_management", "support_practice"),
        ("potential_erosion", "actual_erosion")),
    "transpiration_cooling": Alternative(
        kernels.transpiration_cooling_from_heat, ("transpiration_heat", "cooling_days", "ac_energy_efficiency_ratio"),
        ("evapotranspiration",), ("transpiration_heat",)),
}


def _eligible(ind: Indicator, ecosystem_codes: np.ndarray, ecosystems: list[str],
              natural: np.ndarray) -> np.ndarray | None:
    """Parcels the indicator applies to (None: every parcel): by ecosystem, and for pest control forest only
    when natural."""
    wanted = ecosystems_of(ind)
    by_ecosystem = np.array([e in wanted for e in ecosystems])
    natural_forest_only = ind.indicator == "natural_area" and "forest" in ecosystems
    if by_ecosystem.all() and not natural_forest_only:
        return None
    allowed = by_ecosystem[ecosystem_codes]
    if natural_forest_only:
        allowed &= (ecosystem_codes != ecosystems.index("forest")) | natural
    return allowed


@dataclass
class ParcelFigures:
    """Per-parcel quantities of every parcel indicator and their sums by figure key.

    Two sets of keys: ``keys`` are the parcels' own region × year × ecosystem (their parameters are looked up
    for these), ``sum_keys`` the figures they add up to — the region itself, or its nearest ancestor where the
    extent table gives the ecosystem (:func:`gep.inventory_checks.parcel_targets`)."""

    parcels: pd.DataFrame  # the inventory's parcels table (parcel_id, region_code, year, ecosystem, area, …)
    figure: np.ndarray  # index into ``keys`` of each parcel
    keys: pd.DataFrame  # region_code, year, ecosystem of each parcel key
    summed_into: np.ndarray  # index into ``sum_keys`` of each parcel
    sum_keys: pd.DataFrame  # region_code, year, ecosystem of each figure the parcels make
    quantities: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # NaN: not counted
    sums: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # per sum key
    counted: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # parcels per sum key


def _figure_keys(parcels: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, list[str]]:
    """Index of each parcel's region × year × ecosystem and the distinct keys; the
    ecosystem code of each parcel and the ecosystems (text is factorised once, as object arrays: faster
    than pandas' string columns)."""
    region, regions = pd.factorize(parcels["region_code"].to_numpy(dtype=object))
    year, years = pd.factorize(parcels["year"].to_numpy(dtype=np.int64))
    eco, ecos = pd.factorize(parcels["ecosystem"].to_numpy(dtype=object))
    combined = (region.astype(np.int64) * len(years) + year) * len(ecos) + eco  # < regions × years × ecosystems
    present = np.bincount(combined, minlength=len(regions) * len(years) * len(ecos)) > 0
    distinct = np.flatnonzero(present)
    figure = (np.cumsum(present) - 1)[combined]  # dense codes, no second hash of a million keys
    keys = pd.DataFrame({"region_code": np.asarray(regions, dtype=object)[distinct // (len(years) * len(ecos))],
                         "year": np.asarray(years)[(distinct // len(ecos)) % len(years)].astype(int),
                         "ecosystem": np.asarray(ecos, dtype=object)[distinct % len(ecos)]})
    return figure, keys, eco, list(ecos)


def _sum_keys(ctx, keys: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Index of the figure each parcel key adds to, and those figures' keys."""
    targets, _ = parcel_targets(keys, ctx.inventory.table("extent"), lambda c: ctx.lineage(c)[1:])
    summed = keys.assign(region_code=targets)
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(summed))
    return codes, distinct.to_frame(index=False, name=["region_code", "year", "ecosystem"])


def _to_kernel_unit(table: str, column: str) -> Fraction:
    """Exact factor from an inventory column's canonical unit to the kernel's (1 for columns the kernels take as
    they are; apply it with :func:`gep.units.scale`); raises if the two are not the same quantity."""
    if column not in KERNEL_UNITS:
        return Fraction(1)
    return kernel_factor(column, inventory_spec()["tables"][table]["columns"][column]["unit"])


class _Arguments:
    """Kernel arguments per parcel, each resolved once: the parcel's own cell; where it is empty, the
    region's value (``conditions``/``climate``, inherited from the nearest ancestor); where that is missing
    too and the argument is a register key, the register row for the region × ecosystem (looked up only for
    the ecosystems an indicator applies to)."""

    def __init__(self, ctx, parcels: pd.DataFrame, figure: np.ndarray, keys: pd.DataFrame):
        self.ctx, self.parcels, self.figure, self.keys = ctx, parcels, figure, keys
        self.columns = inventory_spec()["tables"]["parcels"]["columns"]
        self.from_register: dict[str, np.ndarray] = {}  # per parcel key: the register supplied the argument
        self.method_keys: dict[str, tuple[str, ...]] = {}  # the register keys a method argument's values came from
        self._resolved: dict[tuple, np.ndarray | float] = {}
        self._own: dict[str, np.ndarray | None] = {}

    @functools.cached_property
    def _region_values(self) -> dict[str, np.ndarray]:
        """Per parcel key, the value of every column of the region tables (inherited as the calculators do)."""
        out = {}
        for table, by in REGION_TABLES:
            values, _ = self.ctx.inherited(table, self.keys, by)
            for column in values.columns:
                out.setdefault(column, scale(values[column].to_numpy(dtype=float), _to_kernel_unit(table, column)))
        return out

    def region_gives(self, name: str) -> np.ndarray:
        """Per parcel key, whether its region's tables give ``name``."""
        values = self._region_values.get(name)
        return np.zeros(len(self.keys), dtype=bool) if values is None else ~np.isnan(values)

    def _per_figure(self, name: str, applies: np.ndarray) -> np.ndarray | None:
        """The region's value of ``name`` per parcel key, the register filling what the tables leave empty for
        the keys the indicator ``applies`` to; an argument the method profile derives (cooling days carried to
        the region's elevation, the water term's factors) comes from the profile."""
        if name in METHOD_ARGUMENTS:  # for the keys the indicator applies to (a share has no wetland row)
            values = np.full(len(self.keys), np.nan)
            if applies.any():
                values[applies], self.method_keys[name] = method_argument(
                    self.ctx, name, self.keys[applies].reset_index(drop=True))
            return values
        values = self._region_values.get(name)
        gaps = (np.ones(len(self.keys), dtype=bool) if values is None else np.isnan(values)) & applies
        if name in CANONICAL_UNITS and gaps.any():
            picked = np.flatnonzero(gaps)
            found, _ = self.ctx.argument(name, self.keys["ecosystem"].to_numpy()[picked],
                                         self.keys["region_code"].to_numpy()[picked],
                                         self.keys["year"].to_numpy()[picked])
            values = np.full(len(self.keys), np.nan) if values is None else values.copy()
            values[picked] = found
            used = self.from_register.setdefault(name, np.zeros(len(self.keys), dtype=bool))
            used |= gaps & ~np.isnan(values)  # a key the register has no row for took nothing from it
        return values

    def own(self, name: str) -> np.ndarray | None:
        """The parcels' own cells of ``name`` in the kernel unit, or None when the table has no such column."""
        if name not in self._own:
            own = None
            if name in self.columns and "unit" in self.columns[name]:
                own = self.parcels[name].to_numpy(dtype=float)
                own = scale(own, _to_kernel_unit("parcels", name))  # raises if the unit is not the kernel's
            self._own[name] = own
        return self._own[name]

    def get(self, name: str, ecosystems: tuple[str, ...]):
        """The argument per parcel (an array, or a scalar when one value serves every parcel) for an indicator
        of ``ecosystems``; NaN where neither the parcel, its region nor the register gives it."""
        key = (name, ecosystems)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(name, self.keys["ecosystem"].isin(ecosystems).to_numpy())
        return self._resolved[key]

    def _resolve(self, name: str, applies: np.ndarray):
        own = self.own(name)
        if own is not None and not np.isnan(own).any():
            return own
        per_figure = self._per_figure(name, applies)
        if per_figure is None:
            if own is None:
                raise KeyError(f"parcel kernels: no parcel column, region table or register key named '{name}'")
            return own
        if own is None:
            distinct = np.unique(per_figure[applies]) if applies.any() else np.array([np.nan])
            if len(distinct) == 1 and not np.isnan(distinct[0]) and applies.all():
                return float(distinct[0])  # one value for every parcel: no per-parcel gather
            return per_figure[self.figure]
        return np.where(np.isnan(own), per_figure[self.figure], own)

    def describe(self, name: str, i: int, ecosystems: tuple[str, ...]) -> dict:
        """Where argument ``name`` of parcel ``i`` (a row position) comes from, in the order :meth:`get`
        resolves it: ``{"from": "parcels" | "conditions" | "climate" | "register" | None, "value": …}`` with the
        inventory cell (file, row, column, source, status) or the register row (``coefficient``)."""
        p = self.parcels
        unit = next((inventory_spec()["tables"][t]["columns"][name].get("unit", "") for t in
                     ("parcels", *(t for t, _ in REGION_TABLES)) if name in inventory_spec()["tables"][t]["columns"]),
                    CANONICAL_UNITS.get(name, ""))  # shown as the inventory declares it (annual rates per a)
        cell = {"file": p["input_file"].iat[i], "row": int(p["input_row"].iat[i]), "column": name,
                "source": p["source"].iat[i], "status": p["status"].iat[i], "unit": unit}
        own = self.own(name)
        if own is not None and not np.isnan(own[i]):
            return {"from": "parcels", "value": float(own[i]), **cell}
        key = self.keys.iloc[[int(self.figure[i])]]
        if name in METHOD_ARGUMENTS:  # derived by the method profile for the parcel's region and year
            values, keys_used = method_argument(self.ctx, name, key.reset_index(drop=True))
            return {"from": "method", "value": float(values[0]), "unit": unit, "method": self.ctx.method.name,
                    "register_keys": keys_used}
        for table, by in REGION_TABLES:
            if name in inventory_spec()["tables"][table]["columns"]:
                values, prov = self.ctx.inherited(table, key, by)
                value = float(values[name].iat[0])
                if not np.isnan(value):
                    return {"from": table, "value": scale(value, _to_kernel_unit(table, name)),
                            "file": prov["input_file"].iat[0], "row": int(prov["input_row"].iat[0]),
                            "column": name, "source": prov["source"].iat[0],
                            "status": prov["status"].iat[0], "unit": unit}
        if name in CANONICAL_UNITS and key["ecosystem"].iat[0] in ecosystems \
                and self.ctx.register.has(name, key["ecosystem"].iat[0]):
            coef = self.ctx.coef(name, key["ecosystem"].to_numpy(), key["region_code"].to_numpy(), key["year"].to_numpy())
            return {"from": "register", "value": float(coef.values[0]), "coefficient": coef.rows[0], "unit": unit}
        return {"from": None, "value": float("nan"), "unit": unit}


def _alternative_for(args: _Arguments, ind: Indicator, main: np.ndarray
                     ) -> tuple[Alternative | None, np.ndarray | None]:
    """The indicator's alternative formula and the parcels it applies to (None when it applies to none): those
    whose region gives the alternative's parameters and that either give none of the main formula's own
    parameters or cannot complete it (``main``, the main formula's quantity, is NaN — e.g. a parcel giving its
    slope factor only, in a region that gives erosion moduli rather than RUSLE factors)."""
    alt = ALTERNATIVES.get(ind.indicator)
    if alt is None:
        return None, None
    region_gives = np.logical_and.reduce([args.region_gives(g) for g in alt.given])
    if not region_gives.any():
        return None, None
    gives_own = np.zeros(len(args.parcels), dtype=bool)
    for name in alt.own:
        own = args.own(name)
        if own is not None:
            gives_own |= ~np.isnan(own)
    use = (~gives_own | np.isnan(main)) & region_gives[args.figure]
    return (alt, use) if use.any() else (None, None)


def _note_origin(ctx, parcels: pd.DataFrame, origin: np.ndarray, natural: np.ndarray, eco_codes: np.ndarray,
                 ecosystems: list[str]) -> None:
    if "forest" not in ecosystems:
        return
    others = np.flatnonzero((eco_codes == ecosystems.index("forest")) & ~natural)  # few: look at those only
    blank = others[origin[others] == ""]
    if len(blank):
        ctx.notes.append(f"parcels: {len(blank)} forest parcel(s) without an origin (起源) are not counted as "
                         f"natural forest for pest control (e.g. parcel {parcels['parcel_id'].iat[int(blank[0])]})")


def parcel_quantities(ctx) -> tuple[ParcelFigures, pd.DataFrame]:
    """Per-parcel quantities of every parcel indicator, and their sums as ``service_quantities``-like rows
    (``ROW_COLUMNS``) with the path ``parcels``: one row per figure that has parcels of the indicator's
    ecosystems (0 when none of them counts, e.g. no natural forest). Parcels an indicator cannot be computed
    for (a parameter missing both in the parcel row and for its region) are left out of the sum, and
    ``ctx.notes`` says so."""
    parcels = ctx.inventory.table("parcels")
    figure, keys, eco_codes, ecosystems = _figure_keys(parcels)
    sum_of, sum_keys = _sum_keys(ctx, keys) if len(keys) else (np.zeros(0, dtype=np.int64), keys)
    summed_into = sum_of[figure]
    out = ParcelFigures(parcels=parcels, figure=figure, keys=keys, summed_into=summed_into, sum_keys=sum_keys)
    if not len(parcels):
        return out, pd.DataFrame(columns=ROW_COLUMNS)
    args = _Arguments(ctx, parcels, figure, keys)
    area = parcels["area"].to_numpy(dtype=float)
    origin = parcels["origin"].to_numpy(dtype=object)
    natural = origin == "natural"
    _note_origin(ctx, parcels, origin, natural, eco_codes, ecosystems)
    file = str(parcels["input_file"].iloc[0])
    statuses = parcels["status"].to_numpy(dtype=object)
    status = statuses[0] if (statuses == statuses[0]).all() else ""  # the parcels' own status when they share one
    status = "" if pd.isna(status) else status
    n_sums = len(sum_keys)
    every_parcel = np.bincount(summed_into, minlength=n_sums)  # parcels per figure, when all of them count
    rows = []
    for ind in parcel_indicators(ctx.method):
        ecosystems_of_ind = ecosystems_of(ind)
        covered_keys = keys["ecosystem"].isin(ecosystems_of_ind).to_numpy()  # parcel keys it applies to
        if not covered_keys.any():
            continue
        eligible = _eligible(ind, eco_codes, ecosystems, natural)
        key = (ind.service, ind.indicator)
        q = np.asarray(ind.kernel(*(args.get(a, ecosystems_of_ind) for a in ind.args), area), dtype=float)
        q = np.broadcast_to(q, area.shape) if q.shape != area.shape else q
        alt, use_alt = _alternative_for(args, ind, q)
        if alt is not None:
            q = np.where(use_alt, alt.kernel(*(args.get(a, ecosystems_of_ind) for a in alt.args), area), q)
        unknown = np.isnan(q)
        if eligible is None and not unknown.any():  # the common case: every parcel counts, no masked copies
            out.quantities[key] = q
            out.sums[key] = np.bincount(summed_into, weights=q, minlength=n_sums)
            out.counted[key] = every_parcel
        else:
            counted = ~unknown if eligible is None else eligible & ~unknown
            missing = unknown if eligible is None else eligible & unknown
            if missing.any():
                first = parcels["parcel_id"].to_numpy(dtype=object)[np.flatnonzero(missing)[0]]
                ctx.notes.append(f"parcels: {ind.service}/{ind.indicator}: {int(missing.sum())} parcel(s) "
                                 f"({area[missing].sum():,.2f} hm²) left out, a parameter is missing in the "
                                 f"parcel row and for its region (e.g. parcel {first})")
            out.quantities[key] = np.where(counted, q, np.nan)
            out.sums[key] = np.bincount(summed_into[counted], weights=q[counted], minlength=n_sums)
            out.counted[key] = np.bincount(summed_into[counted], minlength=n_sums)
        used = _register_keys_used(args, ind, alt, use_alt, sum_of, n_sums)
        covered = np.zeros(n_sums, dtype=bool)
        covered[sum_of[covered_keys]] = True
        for f in np.flatnonzero(covered):
            rows.append((sum_keys["region_code"].iat[f], int(sum_keys["year"].iat[f]), ind.service, ind.indicator,
                         sum_keys["ecosystem"].iat[f], float(out.sums[key][f]), ind.unit, file, np.nan,
                         f"sum over {int(out.counted[key][f])} parcels (小班) of {file}: {ind.indicator} per parcel "
                         f"from its own parameters, or its region's conditions where the parcel's cell is empty "
                         f"(each parcel's figure in gep_parcels.csv)",
                         status, ";".join(used[f])))
    ctx.notes.append(f"parcels: {len(parcels):,} parcel rows of {file} computed one by one and summed into "
                     f"{n_sums:,} region × year × ecosystem figures; per-parcel figures in gep_parcels.csv")
    return out, pd.DataFrame(rows, columns=ROW_COLUMNS)


def _register_keys_used(args: _Arguments, ind: Indicator, alt: Alternative | None, use_alt: np.ndarray | None,
                        sum_of: np.ndarray, n_sums: int) -> list[list[str]]:
    """Per sum key, the register keys some of its parcels took their argument from (for its trace)."""
    out: list[list[str]] = [[] for _ in range(n_sums)]
    for formula, selected in ((ind.args, None if use_alt is None else ~use_alt),
                              (alt.args if alt else (), use_alt)):
        for name in formula:
            if args.method_keys.get(name):  # the register keys behind a method argument, for every figure
                for f in range(n_sums):
                    out[f] += [k for k in args.method_keys[name] if k not in out[f]]
                continue
            by_key = args.from_register.get(name)
            if by_key is None or not by_key.any():
                continue
            own = args.own(name)  # parcels with their own cell do not use the register's
            if own is None and selected is None:
                per_key = by_key
            else:
                uses = np.ones(len(args.parcels), dtype=bool) if own is None else np.isnan(own)
                uses = uses if selected is None else uses & selected
                per_key = by_key & (np.bincount(args.figure[uses], minlength=len(args.keys)) > 0)
            for f in np.unique(sum_of[per_key]):
                if name not in out[f]:
                    out[f].append(name)
    return out


def _one_if_same(factor: np.ndarray) -> np.ndarray | float:
    """A per-key factor as one number when every key has the same (to 4 ulps: the same coefficients, divided
    back out of each key's figure), so each parcel is multiplied by it without a gather."""
    if len(factor) and not np.isnan(factor).any():
        low, high = factor.min(), factor.max()
        if high - low <= 4 * np.finfo(float).eps * max(abs(low), abs(high)):
            return float(factor[0])
    return factor


@dataclass
class ParcelResults:
    """Each parcel's share of its region's figures, per indicator: quantity and value at current and at
    constant prices (NaN where the parcel is not counted, or its region's figure was given otherwise).

    Kept as the figure's amount per unit of its base quantity, per figure key (one number when it is the same
    for every key); :meth:`column` turns that into one array over the parcels when read (``q_b,i × F_k``), as
    :meth:`frame` does for the output."""

    figures: ParcelFigures
    base_year: int
    bases: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # indicator → its base
    per_base_unit: dict[tuple[str, str], dict[str, np.ndarray | float]] = field(default_factory=dict)  # per key
    units: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def indicators(self) -> list[tuple[str, str]]:
        return list(self.per_base_unit)

    def column(self, key: tuple[str, str], column: str) -> np.ndarray:
        """Per parcel, ``quantity``, ``value_yuan`` or ``value_constant_yuan`` of indicator ``key``."""
        base = self.bases[key]
        own = self.figures.quantities[base]
        factor = self.per_base_unit[key][column]
        if column == "quantity" and key == base:  # the parcel's own quantity, exactly as computed
            gaps = np.isnan(factor)
            return own if not gaps.any() else np.where(gaps[self.figures.summed_into], np.nan, own)
        return own * (factor if np.ndim(factor) == 0 else factor[self.figures.summed_into])

    def frame(self) -> pd.DataFrame:
        """One row per parcel and year; per indicator ``<indicator> [unit]``, ``<indicator> value [yuan]`` and
        ``<indicator> value at <base year> prices [yuan]`` (the format of an inventory column: name [unit])."""
        p = self.figures.parcels

        def cells(column: pd.Series, at: np.ndarray | None = None):
            """A column's cells (at ``at``): text kept in its pandas string array, not made Python objects
            to be read back as text (1 s for 10⁶ parcels)."""
            if isinstance(column.dtype, pd.StringDtype):
                return column.array if at is None else column.array.take(at)
            return column.to_numpy() if at is None else column.to_numpy()[at]

        columns = {"parcel_id": cells(p["parcel_id"]), "region_code": cells(p["region_code"]),
                   # the region figure the parcel is a share of: its own region, or the ancestor the extent is at
                   "figure_region_code": cells(self.figures.sum_keys["region_code"], self.figures.summed_into),
                   "year": p["year"].to_numpy(), "ecosystem": cells(p["ecosystem"]),
                   "origin": cells(p["origin"]), "area [hm2]": p["area"].to_numpy()}
        for key in self.indicators:
            indicator = key[1]
            columns[f"{indicator} [{self.units[key]}]"] = self.column(key, "quantity")
            columns[f"{indicator} value [yuan]"] = self.column(key, "value_yuan")
            columns[f"{indicator} value at {self.base_year} prices [yuan]"] = self.column(key, "value_constant_yuan")
        return pd.DataFrame(columns)


def allocate(pf: ParcelFigures, leaf: pd.DataFrame, base_year: int) -> ParcelResults:
    """Each parcel's share of the region figures computed from parcels (path ``parcels``) in ``leaf``.

    Share of parcel i in figure key k for an indicator with base indicator b (itself, or the one it is
    derived from, :data:`DERIVED_FROM`): ``s_i = q_b,i / Σ_k q_b``; the parcel's quantity and values are the
    figure's times ``s_i`` — kept as ``F_k = figure_k / Σ_k q_b`` so that a parcel's figure is ``q_b,i × F_k``
    — its quantity of the base indicator being ``q_b,i`` itself."""
    out = ParcelResults(figures=pf, base_year=base_year)
    mine = leaf[(leaf["path"] == PARCELS).to_numpy()]
    if not len(mine):
        return out
    at = pd.MultiIndex.from_frame(pf.sum_keys).get_indexer(pd.MultiIndex.from_arrays(
        [mine["region_code"].to_numpy(), mine["year"].to_numpy(dtype=np.int64), mine["ecosystem"].to_numpy()]))
    by_indicator = {key[1]: key for key in pf.sums}
    groups = mine.groupby(["service", "indicator"], sort=False).indices  # in the calculators' order
    for key, rows in groups.items():
        base = by_indicator.get(DERIVED_FROM.get(key[1], key[1]))
        if base is None:
            continue
        total = pf.sums[base]
        factors = {}
        for column in ("quantity", "value_yuan", "value_constant_yuan"):
            figure = np.full(len(pf.sum_keys), np.nan)
            figure[at[rows]] = mine[column].to_numpy(dtype=float)[rows]
            with np.errstate(invalid="ignore", divide="ignore"):
                factors[column] = _one_if_same(np.where(total > 0, figure / total, figure * 0.0))
        out.bases[key], out.per_base_unit[key] = base, factors
        out.units[key] = str(mine["quantity_unit"].iat[rows[0]])
    return out


def explain_parcel(ctx, parcel_id: str, year: int | None = None) -> list[dict]:
    """How each indicator of one parcel was computed: for every year of the parcel (or ``year``), per parcel
    indicator, the formula (the kernel's docstring), each argument with where it came from
    (:meth:`_Arguments.describe`), the area and the quantity. ``ctx`` holds the whole inventory; only the
    parcel's own rows are computed."""
    parcels = ctx.inventory.table("parcels")
    mine = parcels[(parcels["parcel_id"] == parcel_id).to_numpy()
                   & ((parcels["year"] == year).to_numpy() if year is not None else True)]
    if not len(mine):
        raise KeyError(f"no parcel {parcel_id}" + (f" in {year}" if year is not None else "") + " in the parcels table")
    mine = mine.reset_index(drop=True)
    figure, keys, eco_codes, ecosystems = _figure_keys(mine)
    sum_of, sum_keys = _sum_keys(ctx, keys)
    args = _Arguments(ctx, mine, figure, keys)
    natural = mine["origin"].to_numpy(dtype=object) == "natural"
    out = []
    for i in range(len(mine)):
        for ind in parcel_indicators(ctx.method):
            eligible = _eligible(ind, eco_codes, ecosystems, natural)
            if eligible is not None and not eligible[i]:
                continue
            area = float(mine["area"].iat[i])
            main = [{"name": a, **args.describe(a, i, ecosystems_of(ind))} for a in ind.args]
            q_main = np.full(len(mine), np.nan)
            q_main[i] = ind.kernel(*(d["value"] for d in main), area)
            alt, use_alt = _alternative_for(args, ind, q_main)
            kernel, described = ind.kernel, main
            if alt is not None and use_alt[i]:
                kernel, described = alt.kernel, [{"name": a, **args.describe(a, i, ecosystems_of(ind))}
                                                 for a in alt.args]
            q = float(kernel(*(d["value"] for d in described), area))
            out.append({"parcel_id": parcel_id, "year": int(mine["year"].iat[i]),
                        "region_code": mine["region_code"].iat[i],
                        "figure_region_code": sum_keys["region_code"].iat[int(sum_of[figure[i]])],
                        "ecosystem": mine["ecosystem"].iat[i],
                        "origin": mine["origin"].iat[i], "service": ind.service, "indicator": ind.indicator,
                        "unit": ind.unit, "formula": _formula(kernel),
                        "arguments": described, "area": area, "file": mine["input_file"].iat[i],
                        "row": int(mine["input_row"].iat[i]), "quantity": q})
    return out


def _formula(kernel: Callable) -> str:
    """A kernel's formula as its docstring states it: the first line, and the equations if that line has none."""
    doc = " ".join(line.strip() for line in (kernel.__doc__ or "").strip().splitlines())
    first = (kernel.__doc__ or kernel.__name__).strip().splitlines()[0].strip()
    if "=" not in first:  # the equations the docstring writes between double backquotes
        first += " " + "; ".join(e for e in re.findall(r"``(.+?)``", doc) if "=" in e)
    return first.replace("``", "").strip()
