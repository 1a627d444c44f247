"""Per-cell kernels and sums by region × ecosystem in one pass, block by block.

:func:`zonal_block` is the single code path: given the raw cells of one block (region codes, land-cover
classes and the layers as stored) it masks nodata, converts to kernel units, applies the kernels of every
indicator and sums them with ``np.bincount`` on the combined code ``region × n_ecosystems + ecosystem``.
:func:`zonal_sums` calls it once on numpy arrays, or on every block of dask arrays (``map_blocks``) and
adds the block sums, so memory is a few blocks whatever the raster size. With a dask.distributed
``scheduler`` address the blocks run on that cluster.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np

from ..units import scale
from . import kernels
from .layers import WindowSource


@dataclass(frozen=True)
class Indicator:
    """One gridded indicator: its kernel, the names of the kernel's arguments (layers or coefficient
    tables, in order; the cell area comes last) and the ecosystems it applies to."""

    service: str
    indicator: str
    kernel: Callable
    args: tuple[str, ...]
    ecosystems: tuple[str, ...]
    unit: str


def ecosystems_of(ind: Indicator) -> tuple[str, ...]:
    """Ecosystems an indicator is computed for: the service's list in services.yaml, narrowed by the
    indicator's own (vegetation for transpiration, water surfaces for evaporation)."""
    from ..catalogue import inventory_spec, services_spec
    listed = services_spec()["services"][ind.service].get("ecosystems") or list(
        inventory_spec()["vocabularies"]["ecosystem"])
    return tuple(e for e in listed if not ind.ecosystems or e in ind.ecosystems)


_VEGETATION = ("forest", "shrub", "grassland", "garden")
#: transpiration cooling from ET (the share s_T comes from the method profile: the register's, or 1)
TRANSPIRATION = Indicator("climate_regulation", "transpiration_cooling", kernels.transpiration_cooling,
                          ("evapotranspiration", "cooling_days", "latent_heat_vaporisation", "water_density",
                           "ac_energy_efficiency_ratio", "transpiration_share"), _VEGETATION, "kWh")
#: … or from a table of EPP by ecosystem (the epp_table option)
TRANSPIRATION_FROM_TABLE = Indicator("climate_regulation", "transpiration_cooling",
                                     kernels.transpiration_cooling_from_heat,
                                     ("transpiration_heat", "cooling_days", "ac_energy_efficiency_ratio"),
                                     _VEGETATION, "kWh")

#: The gridded indicators under the default method profile (:func:`indicators` for another). Coefficient
#: names are register keys, or arguments the method profile derives (gep.method_inputs.METHOD_ARGUMENTS);
#: a layer of the same name (e.g. a runoff_coefficient raster, or cooling_days) takes precedence.
INDICATORS = (
    Indicator("water_conservation", "water_retained", kernels.water_retained,
              ("precipitation", "evapotranspiration", "runoff_coefficient"), (), "m3"),
    Indicator("soil_retention", "soil_retained", kernels.soil_retained,
              ("rainfall_erosivity", "soil_erodibility", "slope_length_steepness", "cover_management",
               "support_practice"), (), "t"),
    Indicator("carbon_sequestration", "co2_fixed", kernels.co2_fixed, ("npp", "nep_npp_ratio"), (), "t_CO2"),
    TRANSPIRATION,
    Indicator("climate_regulation", "water_surface_evaporation", kernels.water_surface_evaporation,
              ("evapotranspiration", "latent_heat_vaporisation", "water_density", "humidifier_power", "cooling_days",
               "water_surface_days_counted", "water_surface_divisor", "humidifier_factor"),
              ("wetland_swamp", "wetland_lake", "wetland_reservoir", "wetland_river"), "kWh"),
)


def indicators(method=None) -> tuple[Indicator, ...]:
    """The gridded indicators under a method profile: transpiration from an EPP table where it says so."""
    if method is not None and method.option("climate_regulation.transpiration_heat") == "epp_table":
        return tuple(TRANSPIRATION_FROM_TABLE if ind is TRANSPIRATION else ind for ind in INDICATORS)
    return INDICATORS


@dataclass
class Plan:
    """What one pass computes: how raw cell values map to region and ecosystem indices, the layers passed
    as arrays (in order, with nodata and unit factor), constants, coefficient tables and indicators."""

    region_values: np.ndarray  # sorted raster values of the regions
    class_values: np.ndarray  # sorted land-cover classes
    class_index: np.ndarray  # ecosystem index of each class in class_values
    n_ecosystems: int
    layers: tuple[str, ...]
    nodata: dict[str, float | None]
    factors: dict[str, Fraction]  # exact, applied with gep.units.scale
    constants: dict[str, float]  # in kernel units
    coefficients: dict[str, np.ndarray]  # (n_regions, n_ecosystems) in kernel units
    indicators: tuple[Indicator, ...]
    cell_hm2: float
    channels: list[str] = field(default_factory=list)
    region_table: np.ndarray | None = None  # made from region_values
    class_table: np.ndarray | None = None  # made from class_values

    def __post_init__(self):
        self.channels = ["cells"] + [c for ind in self.indicators for c in (ind.indicator, f"{ind.indicator}:nodata")]
        # last, so the indicator channels keep their places: the infinite cells of each layer (a layer is
        # checked where it is read, block by block, not in a pass of its own over a raster of 10⁹ cells)
        self.channels += [f"{name}:infinite" for name in self.layers]
        self.region_table = lookup_table(self.region_values)
        self.class_table = lookup_table(self.class_values)

    @property
    def n_regions(self) -> int:
        return len(self.region_values)


LOOKUP_SPAN = 1 << 20  # keys spanning fewer values than this are looked up in a table, not searched


def lookup_table(keys: np.ndarray) -> np.ndarray | None:
    """Position of each key by offset from the smallest (−1 between keys, and one −1 past the end), or None
    when the keys span too many values for a table."""
    span = int(keys[-1] - keys[0]) + 1
    if span > LOOKUP_SPAN:
        return None
    table = np.full(span + 1, -1, dtype=np.int64)
    table[keys - keys[0]] = np.arange(len(keys))
    return table


def _index(values: np.ndarray, keys: np.ndarray, table: np.ndarray | None) -> np.ndarray:
    """Position of each value in the sorted ``keys``, −1 where it is not among them."""
    if table is not None:  # land-cover classes, region codes numbered closely: one gather
        span = len(table) - 1
        offset = values.astype(np.int64) - int(keys[0])
        return table[np.where((offset >= 0) & (offset < span), offset, span)]
    pos = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return np.where(keys[pos] == values, pos, -1)


def zonal_block(region, cover, *arrays, plan: Plan) -> np.ndarray:
    """Sums of one block: ``(channels, n_regions × n_ecosystems)``, channels as in ``plan.channels``
    (cell count, then per indicator its sum and the number of cells it lacked data for)."""
    r = _index(np.asarray(region), plan.region_values, plan.region_table)
    c = _index(np.asarray(cover), plan.class_values, plan.class_table)
    ok = (r >= 0) & (c >= 0)
    # most blocks lie wholly inside the regions and classes: then no cell needs to be picked out
    pick = (lambda a: np.asarray(a).ravel()) if ok.all() else (lambda a: np.asarray(a)[ok])
    zone = pick(r * plan.n_ecosystems + plan.class_index[np.where(ok, c, 0)])
    size = plan.n_regions * plan.n_ecosystems
    values: dict[str, object] = dict(plan.constants)
    infinite = {}
    for name, raw in zip(plan.layers, arrays):
        v = pick(raw).astype(np.float64)
        nodata = plan.nodata.get(name)
        if nodata is not None and not np.isnan(nodata):
            v[v == nodata] = np.nan
        values[name] = scale(v, plan.factors.get(name, 1))
        # NaN is a cell without data (left out and counted); ±inf, stored or from a unit factor, is no figure
        infinite[name] = np.isinf(values[name])
    for key, table in plan.coefficients.items():
        if key not in values:
            values[key] = table.ravel()[zone]
    out = np.empty((len(plan.channels), size))
    out[0] = np.bincount(zone, minlength=size)
    for i, ind in enumerate(plan.indicators):
        q = ind.kernel(*(values[a] for a in ind.args), plan.cell_hm2)
        missing = np.isnan(q)
        q = np.where(missing, 0.0, q) if np.ndim(q) else np.full(len(zone), 0.0 if missing else q)
        out[1 + 2 * i] = np.bincount(zone, weights=q, minlength=size)
        out[2 + 2 * i] = np.bincount(zone[missing] if np.ndim(missing) else zone[:0], minlength=size)
    first = 1 + 2 * len(plan.indicators)
    for k, name in enumerate(plan.layers):
        out[first + k] = np.bincount(zone[infinite[name]], minlength=size)
    return out


def ls_layer(dem, slope_length: float, cell_size: tuple[float, float], nodata: float | None, factor: Fraction):
    """LS from a DEM (raw values) on cells of ``cell_size`` = (dx, dy) [m] as an array of the same kind: numpy
    directly, dask with a one-cell overlap so slopes at block edges see their neighbours (``boundary='none'``:
    the raster's outer edge is one-sided as in numpy, so both give the same cells)."""
    def block(raw):
        z = np.asarray(raw).astype(np.float64)
        if nodata is not None and not np.isnan(nodata):
            z[z == nodata] = np.nan
        return kernels.ls_from_dem(scale(z, factor), cell_size, slope_length)

    if hasattr(dem, "map_overlap"):
        return dem.map_overlap(block, depth=1, boundary="none", dtype=np.float64)
    return block(dem)


def zonal_sums(region, cover, arrays: list, plan: Plan, scheduler: str | None = None,
               progress: bool = False) -> np.ndarray:
    """Sums ``(channels, n_regions, n_ecosystems)`` over every cell; numpy arrays, dask arrays or
    :class:`WindowSource` layers (read block by block), same code.

    ``scheduler`` is a dask.distributed address (``tcp://host:8786``) or a ``distributed.Client``; without
    it dask's local threads are used. ``progress`` shows a progress bar (or distributed's progress)."""
    shape = (len(plan.channels), plan.n_regions, plan.n_ecosystems)
    inputs = [region, cover, *arrays]
    lazy = [a for a in inputs if hasattr(a, "map_blocks")]
    sources = [a for a in inputs if isinstance(a, WindowSource)]
    if not lazy and not sources:
        return zonal_block(*inputs, plan=plan).reshape(shape)
    import dask.array as da

    # every input is cut into the same blocks, so each block call sees the same cells
    if lazy:
        chunks = lazy[0].chunks
    else:
        chunks = da.core.normalize_chunks((sources[0].block, sources[0].block), sources[0].shape)
    lazy = [a if a.chunks == chunks else a.rechunk(chunks) for a in lazy]
    kinds = [a if isinstance(a, WindowSource) else None for a in inputs]  # no dask arrays in the closure

    def block(_, *given, block_info=None):
        (y0, y1), (x0, x1) = block_info[0]["array-location"]
        rest = iter(given)
        cells = [next(rest) if k is None else k.read(slice(y0, y1), slice(x0, x1)) for k in kinds]
        return zonal_block(*cells, plan=plan)[None, None]

    positions = da.empty(tuple(sum(c) for c in chunks), chunks=chunks, dtype=np.uint8)  # block positions only
    ny, nx = len(chunks[0]), len(chunks[1])
    blocks = da.map_blocks(block, positions, *lazy, new_axis=[2, 3],
                           chunks=((1,) * ny, (1,) * nx, (shape[0],), (shape[1] * shape[2],)), dtype=np.float64)
    total = blocks.sum(axis=(0, 1))
    if scheduler is None:
        from contextlib import nullcontext

        from dask.diagnostics import ProgressBar
        with ProgressBar(out=sys.stderr) if progress else nullcontext():
            return total.compute().reshape(shape)
    from distributed import Client
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        future = client.compute(total)
        if progress:
            from distributed import progress as show
            show(future)
        return np.asarray(future.result()).reshape(shape)
    finally:
        if client is not scheduler:
            client.close()
