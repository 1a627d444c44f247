"""Gridded service quantities for an accounting run: zonal sums by region × ecosystem as result rows.

:func:`gridded_quantities` opens the grid description, looks up the register coefficients each
indicator needs for every (region, ecosystem) pair — the same rows, with the same precedence, as the
tabular calculators — runs :func:`gep.grid.zonal.zonal_sums`, and returns rows shaped like the inventory's
``service_quantities`` table with the path ``gridded``. The calculators let such a row replace the tabular
computation of the same region × year × service × indicator × ecosystem (:func:`gep.services.tables.with_supplied`),
so valuation, sums up the region tree, reports, traces and audits work unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..coefficients import CANONICAL_UNITS
from ..inventory import Problem
from ..method_inputs import METHOD_ARGUMENTS
from ..units import scale
from .layers import Grid, GridError, load_grid
from .zonal import INDICATORS, Indicator, Plan, ecosystems_of, indicators, ls_layer, zonal_sums

GRIDDED = "gridded"
ROW_COLUMNS = ["region_code", "year", "service", "indicator", "ecosystem", "quantity", "unit", "input_file",
               "input_row", "source", "status", "coefficients"]
AREA_TOLERANCE = 0.01  # grid area of a region × ecosystem against the extent table, relative


def _region_values(grid: Grid, known: set[str]) -> tuple[np.ndarray, list[str]]:
    """Sorted raster values of the regions and the region code of each."""
    if grid.region_codes:
        unknown = sorted(c for c in grid.region_codes.values() if c not in known)
        if unknown:
            raise GridError([Problem(grid.path.name, None, "regions", f"region code(s) {', '.join(unknown)} are "
                                     f"not in the inventory's regions table")])
        values = sorted(grid.region_codes)
        return np.array(values, dtype=np.int64), [grid.region_codes[v] for v in values]
    codes = sorted((int(c), c) for c in known if c.isdigit())
    return np.array([v for v, _ in codes], dtype=np.int64), [c for _, c in codes]


def _layer_arrays(grid: Grid, year: int, wanted: set[str]) -> tuple[dict, dict, dict, dict[str, str]]:
    """The year's layers the indicators need: arrays (raw) with nodata and factor, constants in kernel units,
    and labels for provenance. LS is computed from a DEM when no LS layer is given."""
    layers = grid.years[year]
    arrays, constants, nodata, factors, labels = {}, {}, {}, {}, {}
    for name in sorted(wanted):
        layer = layers.get(name)
        if layer is None and name == "slope_length_steepness" and "dem" in layers:
            dem, length = layers["dem"], layers.get("slope_length")
            if length is None or length.value is None:
                raise GridError([Problem(grid.path.name, None, f"years.{year}.slope_length",
                                         "LS from a DEM needs a constant slope length, e.g. "
                                         "slope_length: {value: 50, unit: m}")])
            arrays[name] = ls_layer(dem.data.data, scale(length.value, length.factor), grid.cell_size, dem.nodata,
                                    dem.factor)
            labels[name] = (f"LS from {dem.label} and {length.label} (S: McCool et al. 1987, Liu et al. 1994; "
                            f"L for a fixed slope length)")
            continue
        if layer is None:
            continue
        labels[name] = layer.label
        if layer.value is not None:
            constants[name] = scale(layer.value, layer.factor)
        else:
            arrays[name], nodata[name], factors[name] = layer.cells(grid.chunks), layer.nodata, layer.factor
    return arrays, constants, {"nodata": nodata, "factors": factors}, labels


@dataclass
class YearPass:
    """One year's pass over the grid: the indicators its layers allow, the plan and the layer arrays."""

    year: int
    indicators: list[Indicator]
    plan: Plan | None
    arrays: list
    labels: dict[str, str]
    register_keys: dict[str, tuple[str, ...]]  # indicator → the register coefficients it used

    def sums(self, grid: Grid, scheduler=None, progress: bool = False) -> np.ndarray:
        return zonal_sums(grid.regions.cells(grid.chunks), grid.land_cover[self.year].cells(grid.chunks),
                          self.arrays, self.plan, scheduler=scheduler, progress=progress)


def _looked_up(name: str) -> bool:
    """Whether a kernel argument can come from the register or the method profile (rather than a layer)."""
    return name in CANONICAL_UNITS or name in METHOD_ARGUMENTS


def year_pass(grid: Grid, year: int, region_values: np.ndarray, region_codes: list[str],
              coefficient: Callable[[str, list[str], list[str]], np.ndarray],
              indicators: tuple[Indicator, ...] = INDICATORS,
              register_keys_of: Callable[[str], tuple[str, ...]] | None = None) -> YearPass:
    """The pass of ``year``: indicators whose arguments are all layers of the year, register keys or arguments
    the method profile derives, and their tables, ``coefficient(key, ecosystems, region codes)`` giving one
    value per pair; ``register_keys_of(argument)`` names the register keys an argument's values came from
    (default: the argument itself)."""
    ecosystems = grid.ecosystems
    layers = grid.years[year]
    have = set(layers) | ({"slope_length_steepness"} if "dem" in layers else set())
    # an argument is a layer of the year, or a register coefficient or method argument (a layer of that name wins)
    todo = [ind for ind in indicators if all(a in have or _looked_up(a) for a in ind.args)]
    if not todo:
        return YearPass(year, [], None, [], {}, {})
    coefficients = {}
    for key in sorted({a for ind in todo for a in ind.args if a not in have and _looked_up(a)}):
        users = {e for ind in todo if key in ind.args for e in ecosystems_of(ind)}
        table = np.full((len(region_codes), len(ecosystems)), np.nan)  # NaN: ecosystems the key is not for
        pairs = [(i, j) for i in range(len(region_codes)) for j, e in enumerate(ecosystems) if e in users]
        if pairs:
            values = coefficient(key, [ecosystems[j] for _, j in pairs], [region_codes[i] for i, _ in pairs])
            for (i, j), v in zip(pairs, values):
                table[i, j] = v
        coefficients[key] = table
    # a coefficient with one value for every pair it applies to is passed as a constant: no per-cell gather
    # (cells of other ecosystems then get a value too, but their sums are never read)
    constants = {}
    for key, table in list(coefficients.items()):
        distinct = np.unique(table[~np.isnan(table)])
        if len(distinct) == 1:
            constants[key] = float(distinct[0])
            del coefficients[key]
    wanted = {a for ind in todo for a in ind.args if a in have}
    arrays, layer_constants, meta, labels = _layer_arrays(grid, year, wanted)
    constants.update(layer_constants)
    class_values = np.array(sorted(grid.classes), dtype=np.int64)
    plan = Plan(region_values=region_values, class_values=class_values,
                class_index=np.array([ecosystems.index(grid.classes[v]) for v in class_values], dtype=np.int64),
                n_ecosystems=len(ecosystems), layers=tuple(arrays), nodata=meta["nodata"],
                factors=meta["factors"], constants=constants, coefficients=coefficients,
                indicators=tuple(todo), cell_hm2=grid.cell_area_hm2)
    keys_of = register_keys_of or (lambda a: (a,))
    register_keys = {ind.indicator: tuple(dict.fromkeys(k for a in ind.args if a not in have and _looked_up(a)
                                                        for k in keys_of(a)))
                     for ind in todo}
    return YearPass(year, todo, plan, list(arrays.values()), labels, register_keys)


def gridded_quantities(ctx, grid_path: str | Path, scheduler=None, progress: bool = False) -> pd.DataFrame:
    """Rows (``ROW_COLUMNS``) of every gridded indicator the grid's layers allow, for every year it lists.

    Notes about resampling, rasterised polygons, cells without data and grid areas that differ from the
    extent table are added to ``ctx.notes``; the register rows used are recorded in ``ctx.used``."""
    grid = load_grid(grid_path)
    regions = ctx.inventory.table("regions")
    region_values, region_codes = _region_values(grid, set(regions["code"]))
    ecosystems = grid.ecosystems
    ctx.notes += [f"grid: {n}" for n in grid.notes]
    extent = ctx.inventory.table("extent").set_index(["region_code", "year", "ecosystem"])["area"]
    frames = []
    for year in sorted(grid.years):
        used: dict[str, tuple[str, ...]] = {}

        def lookup(key, ecos, regions, year=year, used=used):
            values, keys = ctx.argument(key, ecos, regions, np.full(len(ecos), year))
            used[key] = keys
            return values
        one = year_pass(grid, year, region_values, region_codes, lookup, indicators(ctx.method),
                        lambda a, used=used: used.get(a, (a,)))
        if not one.indicators:
            ctx.notes.append(f"grid {year}: no indicator has all its layers; nothing computed from the grid")
            continue
        todo, labels = one.indicators, one.labels
        sums = one.sums(grid, scheduler, progress)
        first = 1 + 2 * len(todo)
        infinite = {name: int(sums[first + k].sum()) for k, name in enumerate(one.plan.layers)}
        if any(infinite.values()):  # every such layer named, not only the first the kernels would meet
            raise GridError([Problem(grid.path.name, None, f"years.{year}.{name}",
                                     f"{labels[name]}: {n} cell(s) are infinite (inf or -inf), not a figure; "
                                     f"mark cells without data with the layer's nodata value")
                             for name, n in infinite.items() if n])
        cells = sums[0]
        counted = int(cells.sum())
        total = grid.shape[0] * grid.shape[1]
        if counted < total:
            ctx.notes.append(f"grid {year}: {total - counted} of {total} cells lie outside the listed regions or "
                             f"land-cover classes and are not counted")
        for (i, j) in zip(*np.nonzero(cells)):
            area = cells[i, j] * grid.cell_area_hm2
            given = extent.get((region_codes[i], year, ecosystems[j]))
            if given is not None and abs(area - given) > AREA_TOLERANCE * given:
                ctx.notes.append(f"grid {year}: {region_codes[i]}/{ecosystems[j]} covers {area:.4g} hm² on the "
                                 f"grid but {given:.4g} hm² in the extent table")
        for k, ind in enumerate(todo):
            used = ", ".join(labels[a] for a in ind.args if a in labels)
            dx, dy = grid.cell_size
            source = (f"zonal sum over the cells of {grid.path.name} ({dx:g} × {dy:g} m cells, "
                      f"{grid.cell_area_hm2:g} hm² each); layers: {used}" + (f"; {grid.source}" if grid.source else ""))
            allowed = [j for j, e in enumerate(ecosystems) if e in ecosystems_of(ind)]
            q, missing = sums[1 + 2 * k], sums[2 + 2 * k]
            n_missing = int(missing[:, allowed].sum())
            if n_missing:
                ctx.notes.append(f"grid {year}: {ind.service}/{ind.indicator}: {n_missing} cells without data "
                                 f"in a layer are left out")
            for i in range(len(region_codes)):
                for j in allowed:
                    if cells[i, j] > 0:
                        frames.append((region_codes[i], year, ind.service, ind.indicator, ecosystems[j],
                                       float(q[i, j]), ind.unit, grid.path.name, np.nan, source, grid.status,
                                       ";".join(one.register_keys[ind.indicator])))
    return pd.DataFrame(frames, columns=ROW_COLUMNS)
