"""Per-cell kernels and sums by region × ecosystem in one pass, block by block.

:func:`zonal_block` is the single code path: given the raw cells of one block (region codes, land-cover
classes and the layers as stored) it masks nodata, converts to kernel units, applies the kernels of every
indicator and sums them with ``np.bincount`` on the combined code ``region × n_ecosystems + ecosystem``.
:func:`zonal_sums` calls it once on numpy arrays, or on every block of dask arrays (``map_blocks``) and
adds the block sums, so memory is a few blocks whatever the raster size. With a dask.distributed
``scheduler`` address the blocks run on that cluster.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import kernels


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


#: The gridded indicators. Coefficient names are register keys; a layer of the same name (e.g. a
#: runoff_coefficient raster) takes precedence over the register.
INDICATORS = (
    Indicator("water_conservation", "water_retained", kernels.water_retained,
              ("precipitation", "evapotranspiration", "runoff_coefficient"), (), "m3"),
    Indicator("soil_retention", "soil_retained", kernels.soil_retained,
              ("rainfall_erosivity", "soil_erodibility", "slope_length_steepness", "cover_management",
               "support_practice"), (), "t"),
    Indicator("carbon_sequestration", "co2_fixed", kernels.co2_fixed, ("npp", "nep_npp_ratio"), (), "t_CO2"),
    Indicator("climate_regulation", "transpiration_cooling", kernels.transpiration_cooling,
              ("evapotranspiration", "cooling_days", "latent_heat_vaporisation", "water_density",
               "ac_energy_efficiency_ratio"),
              ("forest", "shrub", "grassland", "garden"), "kWh"),
    Indicator("climate_regulation", "water_surface_evaporation", kernels.water_surface_evaporation,
              ("evapotranspiration", "latent_heat_vaporisation", "water_density", "humidifier_power"),
              ("wetland_swamp", "wetland_lake", "wetland_reservoir", "wetland_river"), "kWh"),
)


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
    factors: dict[str, float]
    constants: dict[str, float]  # in kernel units
    coefficients: dict[str, np.ndarray]  # (n_regions, n_ecosystems) in kernel units
    indicators: tuple[Indicator, ...]
    cell_hm2: float
    channels: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.channels = ["cells"] + [c for ind in self.indicators for c in (ind.indicator, f"{ind.indicator}:nodata")]

    @property
    def n_regions(self) -> int:
        return len(self.region_values)


LOOKUP_SPAN = 1 << 20  # keys spanning fewer values than this are looked up in a table, not searched


def _index(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each value in the sorted ``keys``, −1 where it is not among them."""
    low, span = int(keys[0]), int(keys[-1] - keys[0]) + 1
    if span <= LOOKUP_SPAN:  # land-cover classes, region codes numbered closely: one gather
        table = np.full(span + 1, -1, dtype=np.int64)
        table[keys - low] = np.arange(len(keys))
        offset = values.astype(np.int64) - low
        return table[np.where((offset >= 0) & (offset < span), offset, span)]
    pos = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return np.where(keys[pos] == values, pos, -1)


def zonal_block(region, cover, *arrays, plan: Plan) -> np.ndarray:
    """Sums of one block: ``(channels, n_regions × n_ecosystems)``, channels as in ``plan.channels``
    (cell count, then per indicator its sum and the number of cells it lacked data for)."""
    r = _index(np.asarray(region), plan.region_values)
    c = _index(np.asarray(cover), plan.class_values)
    ok = (r >= 0) & (c >= 0)
    # most blocks lie wholly inside the regions and classes: then no cell needs to be picked out
    pick = (lambda a: np.asarray(a).ravel()) if ok.all() else (lambda a: np.asarray(a)[ok])
    zone = pick(r * plan.n_ecosystems + plan.class_index[np.where(ok, c, 0)])
    size = plan.n_regions * plan.n_ecosystems
    values: dict[str, object] = dict(plan.constants)
    for name, raw in zip(plan.layers, arrays):
        v = pick(raw).astype(np.float64)
        nodata = plan.nodata.get(name)
        if nodata is not None and not np.isnan(nodata):
            v[v == nodata] = np.nan
        factor = plan.factors.get(name, 1.0)
        values[name] = v * factor if factor != 1.0 else v
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
    return out


def ls_layer(dem, slope_length: float, cell_size: float, nodata: float | None, factor: float):
    """LS from a DEM (raw values) as an array of the same kind: numpy directly, dask with a one-cell
    overlap so slopes at block edges see their neighbours (``boundary='none'``: the raster's outer edge is
    one-sided as in numpy, so both give the same cells)."""
    def block(raw):
        z = np.asarray(raw).astype(np.float64)
        if nodata is not None and not np.isnan(nodata):
            z[z == nodata] = np.nan
        return kernels.ls_from_dem(z * factor, cell_size, slope_length)

    if hasattr(dem, "map_overlap"):
        return dem.map_overlap(block, depth=1, boundary="none", dtype=np.float64)
    return block(dem)


def zonal_sums(region, cover, arrays: list, plan: Plan, scheduler: str | None = None,
               progress: bool = False) -> np.ndarray:
    """Sums ``(channels, n_regions, n_ecosystems)`` over every cell; numpy or dask arrays, same code.

    ``scheduler`` is a dask.distributed address (``tcp://host:8786``) or a ``distributed.Client``; without
    it dask's local threads are used. ``progress`` shows a progress bar (or distributed's progress)."""
    shape = (len(plan.channels), plan.n_regions, plan.n_ecosystems)
    if not hasattr(region, "map_blocks"):
        return zonal_block(region, cover, *arrays, plan=plan).reshape(shape)
    import dask.array as da

    # every layer is cut into the region layer's blocks, so each block call sees the same cells
    arrays = [a if a.chunks == region.chunks else a.rechunk(region.chunks) for a in arrays]
    cover = cover if cover.chunks == region.chunks else cover.rechunk(region.chunks)
    ny, nx = len(region.chunks[0]), len(region.chunks[1])
    blocks = da.map_blocks(lambda *b: zonal_block(*b, plan=plan)[None, None], region, cover, *arrays,
                           new_axis=[2, 3], chunks=((1,) * ny, (1,) * nx, (shape[0],), (shape[1] * shape[2],)),
                           dtype=np.float64)
    total = blocks.sum(axis=(0, 1))
    if scheduler is None:
        from contextlib import nullcontext

        from dask.diagnostics import ProgressBar
        with ProgressBar() if progress else nullcontext():
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
