"""Gridded engine against a hand-written numpy kernel of the same formulas (not part of the test suite).

    python benchmarks/bench_gridded.py [--cells 1e6 1e7 1e8] [--workdir DIR] [--chunks 1024]

For each size a synthetic square region (100 townships, 8 land-cover classes, float32 GeoTIFF layers of
precipitation, ET, R, K, LS, C, P and NPP; cooling days a constant) is written chunk by chunk into
``--workdir``, then three fresh processes run on the same files:

- ``numpy``: reads every layer whole with rasterio and applies the formulas with numpy, then
  ``np.bincount`` by region × ecosystem — what one would write by hand;
- ``engine``: gep.grid (``load_grid`` → ``year_pass`` → ``zonal_sums``), dask blocks on local threads;
- ``both``: numpy and engine side by side in one process, each run twice and the second run timed, so
  both read the layers from the page cache (the compute ratio), checking that the sums agree.

Wall time is measured around the computation (files opened, results summed); peak memory is the
process's maximum resident set size (``resource.getrusage``), so it includes the Python interpreter and
libraries (~0.2 GiB) and every dask thread. All gridded services are computed: water retained, soil
retained (RUSLE), CO₂ fixed, transpiration cooling, water-surface evaporation (O₂ follows from CO₂).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CLASSES = {1: "forest", 2: "shrub", 3: "grassland", 4: "garden", 5: "farmland", 6: "wetland_reservoir",
           7: "wetland_river", 8: "urban"}
FLOAT_LAYERS = {"precipitation": "mm/a", "evapotranspiration": "mm/a", "rainfall_erosivity": "MJ*mm/(hm2*h*a)",
                "soil_erodibility": "t*hm2*h/(hm2*MJ*mm)", "slope_length_steepness": "1", "cover_management": "1",
                "support_practice": "1", "npp": "g C/(m2*a)"}
N_TOWNS = 100
CELL = 30.0


def synthetic_block(name: str, rows: np.ndarray, cols: np.ndarray, side: int) -> np.ndarray:
    """Deterministic, smooth-ish plausible values for a window (rows × cols index vectors)."""
    y, x = np.meshgrid(rows / side, cols / side, indexing="ij")
    wave = np.sin(7 * x) * np.cos(5 * y)
    if name == "regions":
        k = int(np.sqrt(N_TOWNS))
        return (500229001 + (np.minimum((y * k).astype(int), k - 1) * k + np.minimum((x * k).astype(int), k - 1))
                ).astype("int32")
    if name == "landcover":
        h = (np.floor(x * 997 * side / 64) * 31 + np.floor(y * 991 * side / 64) * 17) % 100
        return np.select([h < 60, h < 67, h < 71, h < 73, h < 90, h < 92, h < 94], [1, 2, 3, 4, 5, 6, 7], 8
                         ).astype("uint8")
    base = {"precipitation": (1361.1, 150), "evapotranspiration": (550, 60), "rainfall_erosivity": (5784, 500),
            "soil_erodibility": (0.035, 0.005), "slope_length_steepness": (3.0, 2.0), "cover_management": (0.05, 0.04),
            "support_practice": (0.8, 0.15), "npp": (600, 120)}[name]
    return (base[0] + base[1] * wave).astype("float32")


def write_region(folder: Path, cells: int, chunks: int) -> Path:
    """GeoTIFFs and grid.yaml for a square of ``cells`` cells (30 m, EPSG:32649), written window by window."""
    import rasterio
    import yaml
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    side = int(round(np.sqrt(cells)))
    folder = folder / f"n{side * side}"
    grid = folder / "grid.yaml"
    if grid.is_file():
        return grid
    folder.mkdir(parents=True, exist_ok=True)
    transform = from_origin(500000.0, 3600000.0, CELL, CELL)
    step = 2048
    for name in ("regions", "landcover", *FLOAT_LAYERS):
        dtype = {"regions": "int32", "landcover": "uint8"}.get(name, "float32")
        with rasterio.open(folder / f"{name}.tif", "w", driver="GTiff", height=side, width=side, count=1,
                           dtype=dtype, crs="EPSG:32649", transform=transform, tiled=True, blockxsize=512,
                           blockysize=512, BIGTIFF="IF_SAFER") as dst:
            for r0 in range(0, side, step):
                rows = np.arange(r0, min(r0 + step, side))
                for c0 in range(0, side, step):
                    cols = np.arange(c0, min(c0 + step, side))
                    dst.write(synthetic_block(name, rows, cols, side), 1,
                              window=Window(c0, r0, len(cols), len(rows)))
    year = {name: {"file": f"{name}.tif", "unit": unit} for name, unit in FLOAT_LAYERS.items()}
    year["cooling_days"] = {"value": 75, "unit": "d"}
    doc = {"source": "synthetic benchmark layers (not observations)", "status": "estimated", "chunks": chunks,
           "land_cover": {"file": "landcover.tif", "classes": CLASSES}, "regions": {"file": "regions.tif"},
           "years": {2020: year}}
    grid.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return grid


#: the default method profile's water-surface factors where the grid gives no humidity (gep.method_inputs):
#: only the cooling days count, the cooling is divided by r, no humidifier term
METHOD_FACTORS = {"water_surface_days_counted": 1.0, "humidifier_factor": 0.0}


def _coefficient(register):
    """Register values for (ecosystem, region) pairs, as the accounts look them up (no region rows here), and
    the default method profile's arguments (transpiration share from the register, water divisor r)."""
    def lookup(key, ecosystems, regions):
        if key in METHOD_FACTORS:
            return np.full(len(ecosystems), METHOD_FACTORS[key])
        key = "ac_energy_efficiency_ratio" if key == "water_surface_divisor" else key
        return np.array([register.lookup(key, e).value for e in ecosystems])
    return lookup


def _codes():
    values = np.arange(500229001, 500229001 + N_TOWNS, dtype=np.int64)
    return values, [str(v) for v in values]


def engine(grid_path: Path, scheduler=None) -> tuple[np.ndarray, float]:
    import dask.array  # noqa: F401  (imports are a per-process cost, kept out of the timing as for numpy)
    import rioxarray  # noqa: F401

    from gep.coefficients import load_register
    from gep.grid.engine import year_pass
    from gep.grid.layers import load_grid
    start = time.perf_counter()
    grid = load_grid(grid_path)
    one = year_pass(grid, 2020, *_codes(), _coefficient(load_register()))
    sums = one.sums(grid, scheduler)
    channels = one.plan.channels
    return sums[[channels.index(i.indicator) for i in one.indicators]], time.perf_counter() - start


def numpy_kernel(grid_path: Path) -> tuple[np.ndarray, float]:
    """The same formulas written by hand on whole arrays (the baseline the engine is measured against)."""
    import rasterio

    from gep.coefficients import load_register
    from gep.units import CO2_PER_C
    register = load_register()
    start = time.perf_counter()
    folder = grid_path.parent

    def read(name):
        with rasterio.open(folder / f"{name}.tif") as src:
            return src.read(1)

    ecos = [e for e in ("forest", "shrub", "grassland", "garden", "farmland", "wetland_reservoir", "wetland_river",
                        "urban")]
    values, _ = _codes()
    region = np.searchsorted(values, read("regions"))
    cls = read("landcover").astype(np.int64) - 1  # classes 1..8 are ecosystems 0..7 in this order
    zone = region * len(ecos) + cls
    del region, cls

    def table(key, allowed):
        return np.array([register.lookup(key, e).value if e in allowed else np.nan for e in ecos])

    def per_cell(key, allowed):
        return np.tile(table(key, allowed), N_TOWNS)[zone]

    def sums(q):
        return np.bincount(zone.ravel(), weights=np.nan_to_num(q).ravel(), minlength=N_TOWNS * len(ecos))

    veg = ("forest", "shrub", "grassland", "garden")
    water_eco = ("wetland_reservoir", "wetland_river")
    a = 0.09  # hm² per 30 m cell
    p, et = read("precipitation").astype(float), read("evapotranspiration").astype(float)
    alpha = per_cell("runoff_coefficient", veg + water_eco)
    out = [sums(np.maximum(p - p * alpha - et, 0) * a * 10)]
    del p, alpha
    potential = read("rainfall_erosivity").astype(float) * read("soil_erodibility") * read("slope_length_steepness")
    actual = potential * read("cover_management") * read("support_practice")
    out.append(sums(np.maximum(potential - actual, 0) * a))
    del potential, actual
    npp = read("npp").astype(float)
    out.append(sums(per_cell("nep_npp_ratio", veg) * npp * a * 0.01 * CO2_PER_C))
    del npp
    q = register.lookup("latent_heat_vaporisation").value
    rho = register.lookup("water_density").value
    eer = register.lookup("ac_energy_efficiency_ratio").value
    gamma = register.lookup("humidifier_power").value
    # the default method: transpiration share s_T of ET; the water surface over the 75 cooling days, ÷ r, no humidifier
    out.append(sums(per_cell("transpiration_share", veg) * et / 1000 / 365 * rho * q * a * 1e4 * 75 / 3600 / eer))
    w = et * a * 10 * 75 / 365
    out.append(sums(np.where(np.isin(zone % len(ecos), [5, 6]), w * rho * q / 3600 / eer + w * gamma * 0.0, np.nan)))
    return np.array(out).reshape(len(out), N_TOWNS, len(ecos)), time.perf_counter() - start


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20  # KiB on Linux


def child(variant: str, grid: Path) -> dict:
    if variant == "numpy":
        _, t = numpy_kernel(grid)
        return {"numpy_s": t, "peak_gib": peak_gib()}
    if variant == "engine":
        _, t = engine(grid)
        return {"engine_s": t, "peak_gib": peak_gib()}
    numpy_kernel(grid)  # first pass of each reads the files from disk; the second, timed, from the page cache
    engine(grid)
    ref, t_np = numpy_kernel(grid)
    got, t_eng = engine(grid)
    # the engine's columns follow the grid's ecosystems, which here are the eight classes in vocabulary order
    order = [["forest", "shrub", "grassland", "garden", "wetland_reservoir", "wetland_river", "farmland",
              "urban"].index(e) for e in ("forest", "shrub", "grassland", "garden", "farmland", "wetland_reservoir",
                                           "wetland_river", "urban")]
    got = got[:, :, order]
    # compared where the accounts read them: each indicator's own ecosystems (other columns are never used)
    from gep.grid.engine import ecosystems_of
    from gep.grid.zonal import INDICATORS
    ecos = ("forest", "shrub", "grassland", "garden", "farmland", "wetland_reservoir", "wetland_river", "urban")
    used = np.array([[e in ecosystems_of(ind) for e in ecos] for ind in INDICATORS])[:, None, :]
    agree = bool(np.allclose(np.where(used, got, 0), np.where(used, ref, 0), rtol=1e-9, atol=1e-6))
    return {"numpy_s": t_np, "engine_s": t_eng, "ratio": t_eng / t_np, "sums_agree": agree}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=float, nargs="+", default=[1e6, 1e7, 1e8])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gep-bench-gridded"))
    parser.add_argument("--chunks", type=int, default=1024)
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "GRID"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    print(f"{'cells':>12} {'numpy s':>9} {'engine s':>9} {'ratio':>6} {'same-process':>13} {'numpy GiB':>10} "
          f"{'engine GiB':>10} {'layers GiB':>10}  sums agree")
    for cells in args.cells:
        t0 = time.perf_counter()
        grid = write_region(args.workdir, int(cells), args.chunks)
        made = time.perf_counter() - t0
        runs = {v: json.loads(subprocess.run([sys.executable, __file__, "--child", v, str(grid)], check=True,
                                             capture_output=True, text=True).stdout.strip().splitlines()[-1])
                for v in ("numpy", "engine", "both")}
        n = int(round(np.sqrt(cells))) ** 2
        size = n * (4 * len(FLOAT_LAYERS) + 4 + 1) / 2 ** 30
        print(f"{n:12.3g} {runs['numpy']['numpy_s']:9.2f} {runs['engine']['engine_s']:9.2f} "
              f"{runs['engine']['engine_s'] / runs['numpy']['numpy_s']:6.2f} {runs['both']['ratio']:13.2f} "
              f"{runs['numpy']['peak_gib']:10.2f} {runs['engine']['peak_gib']:10.2f} {size:10.2f}  "
              f"{runs['both']['sums_agree']}   (layers written in {made:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
