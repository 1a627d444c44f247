"""10⁶ forest parcels (小班): the tabular engine against a hand-written numpy kernel (not part of the test suite).

    python benchmarks/bench_parcels.py [N_PARCELS] [--townships T] [--year Y] [--write] [--trace] [--profile FILE]

N_PARCELS is 10⁴, 10⁵, 10⁶ or 10⁷ (default 10⁶; written ``1e5`` or ``100000``).

The county
    One county of T townships (default 20), one year. The ``parcels`` table holds N forest parcels, each in one
    township, with its own area, origin (80 % natural) and parameters (precipitation, ET, RUSLE factors, NPP).
    The townships have their own tables as a county has them: forest area (``extent``, the parcels' sums),
    mean parameters (``conditions``), cooling days (``climate``), forest area by origin (``forest``) and the
    forestry output (``products``).

Services per parcel: every forest-related service the engine computes from forest area —
water conservation, soil retention (soil retained and its three valued components: sedimentation, N, P),
carbon sequestration, oxygen release, climate regulation by transpiration, pest control (natural parcels).
Forest products (林业产值) come from statistics by township, not by parcel: one ``products`` row per township.
Not per parcel, and why: air and water purification are valued from emissions per region (GARZE2017: the
emission taken as purified; the register declares no per-area capacity), so they do not depend on forest area;
flood regulation in the method applies to reservoirs, lakes and swamps, not forest.

What the figures compare (each the best of three runs, both sides on the same loaded inventory, in this process)
    load     = ``load_inventory`` (CSV parse, unit conversion, validation); the kernel has no counterpart.
    kernel   = numpy on the loaded tables: the same formulas with the same register coefficients and price-index
               factors → each parcel's quantity and value of each indicator, their sums per township and for
               the county (np.bincount). No provenance, no result table.
    engine   = ``account(inventory, register)`` and then each parcel's quantity and value of each indicator as
               arrays (what the kernel returns). account() computes the parcels (:mod:`gep.parcels`: arguments
               resolved per parcel, the kernels of gep.grid.kernels, sums by township), then the region-level
               accounts: the township figures valued with their register rows, traced, summed up to the
               county, at constant and previous-year prices, summary, growth, decomposition and evaluation.
    parcel stage = the part of the engine that grows with the parcels (``parcel_quantities``, ``allocate`` and
               the per-parcel arrays), timed inside the same runs; the rest is the region-level accounting of
               21 regions, the same whatever the number of parcels.
    ratio    = engine / kernel, and parcel stage / kernel.
    Fairness check: each indicator's county sums of quantity and value, and each parcel's quantity and
    value, agree between engine and kernel to 1e-9 relative (the benchmark stops otherwise).
    --write times writing gep_parcels.csv (one row per parcel, three columns per indicator), as ``gep run`` does.

Measured figures: see benchmarks/README.md, section "Tabular (10⁶ parcels)".
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import math
import pstats
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import gep.accounting
from gep.accounting import account
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.outputs import write_csv
from gep.prices import load_price_indices

COUNTY = "990000"


def synthetic_parcels(n: int, townships: int, year: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Inventory tables of a county of ``townships`` townships holding ``n`` forest parcels between them."""
    rng = np.random.default_rng(seed)
    town_codes = np.array([f"99{t + 1:04d}" for t in range(townships)])
    town_of = rng.integers(0, townships, n)
    area = np.round(rng.uniform(0.5, 30.0, n), 4)  # 小班 are typically 1–20 hm²
    natural = rng.random(n) < 0.8
    town_area = np.bincount(town_of, weights=area, minlength=townships)
    regions = pd.DataFrame({
        "code": np.concatenate([[COUNTY], town_codes]),
        "name": np.concatenate([["县"], [f"乡{t}" for t in range(townships)]]),
        "parent_code": np.concatenate([[""], np.full(townships, COUNTY)]),
        "level": np.concatenate([["county"], np.full(townships, "township")]),
        "land_area [hm2]": np.concatenate([[round(town_area.sum() * 1.5, 4)], np.round(town_area * 1.5, 4)]),
    })
    parcels = pd.DataFrame({
        "parcel_id": np.char.add("XB", np.char.zfill(np.arange(n).astype(str), 7)),
        "region_code": town_codes[town_of], "year": year, "ecosystem": "forest", "forest_type": "混交林",
        "origin": np.where(natural, "natural", "planted"), "area [hm2]": area,
        "precipitation [mm/a]": np.round(rng.uniform(1100, 1500, n), 1),
        "evapotranspiration [mm/a]": np.round(rng.uniform(450, 650, n), 1),
        "rainfall_erosivity [MJ*mm/(hm2*h*a)]": np.round(rng.uniform(4000, 7000, n), 0),
        "soil_erodibility [t*hm2*h/(hm2*MJ*mm)]": np.round(rng.uniform(0.02, 0.05, n), 4),
        "slope_length_steepness [1]": np.round(rng.uniform(0.5, 8.0, n), 2),
        "cover_management [1]": np.round(rng.uniform(0.002, 0.02, n), 4),
        "support_practice [1]": 1,
        "npp [g C/(m2*a)]": np.round(rng.uniform(450, 800, n), 1),
    })
    # the townships' own tables, as a county has them: forest area (the parcels' sums), mean parameters
    extent = pd.DataFrame({"region_code": town_codes, "year": year, "ecosystem": "forest",
                           "area [hm2]": np.round(town_area, 4)})
    conditions = pd.DataFrame({"region_code": town_codes, "year": year, "ecosystem": "forest",
                               "precipitation [mm/a]": 1300.0, "evapotranspiration [mm/a]": 550.0,
                               "rainfall_erosivity [MJ*mm/(hm2*h*a)]": 5500.0,
                               "soil_erodibility [t*hm2*h/(hm2*MJ*mm)]": 0.035, "slope_length_steepness [1]": 4.0,
                               "cover_management [1]": 0.01, "support_practice [1]": 1, "npp [g C/(m2*a)]": 600.0})
    climate = pd.DataFrame({"region_code": town_codes, "year": year,
                            "cooling_days [d]": rng.integers(60, 90, townships)})
    by_origin = [np.round(np.bincount(town_of[natural == is_natural], weights=area[natural == is_natural],
                                      minlength=townships), 4) for is_natural in (True, False)]
    forest = pd.DataFrame({"region_code": np.tile(town_codes, 2), "year": year, "forest_type": "混交林",
                           "origin": np.repeat(["natural", "planted"], townships),
                           "area [hm2]": np.concatenate(by_origin)})
    output_value = np.round(rng.uniform(1e6, 5e7, townships), 2)  # forestry output of a township [元]
    products = pd.DataFrame({"region_code": town_codes, "year": year, "sector": "forestry",
                             "product": "林业总产值", "output_value [yuan]": output_value})
    return {"regions": regions, "extent": extent, "conditions": conditions, "climate": climate, "forest": forest,
            "products": products, "parcels": parcels}


def write_inventory(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


# ----------------------------------------------------------------------------------------------
# the numpy kernel


def kernel(tables: dict[str, pd.DataFrame], register, prices, year: int) -> dict[str, dict]:
    """Per-parcel quantity and value [元] of each indicator and their township and county sums, in plain
    numpy: the engine's formulas (see the trace expressions in gep/services/*_tables.py) in canonical units."""
    def c(key: str, ecosystem: str = "forest") -> float:
        return register.lookup(key, ecosystem).value

    def price(key: str) -> float:
        row = register.lookup(key, "forest")
        return row.value * prices.factor(row.price_index or "none", row.price_year or year, year)

    regions, parcels = tables["regions"], tables["parcels"]
    towns = regions.loc[regions["level"] == "township", "code"].to_numpy()
    town_of = pd.Index(towns).get_indexer(parcels["region_code"].to_numpy())

    def col(name: str) -> np.ndarray:
        return parcels[name].to_numpy()

    a, p, et = col("area"), col("precipitation"), col("evapotranspiration")
    water = np.maximum(p - p * c("runoff_coefficient") - et, 0.0) * a * 10.0  # mm × hm² → m³
    potential = col("rainfall_erosivity") * col("soil_erodibility") * col("slope_length_steepness")
    actual = potential * col("cover_management") * col("support_practice")
    soil = np.maximum(potential - actual, 0.0) * a
    co2 = c("nep_npp_ratio") * col("npp") * a * 0.01 * (44.0 / 12.0)  # g C/m² × hm² → t C → t CO₂
    o2 = co2 * c("oxygen_per_co2")
    days = tables["climate"].set_index("region_code")["cooling_days"].reindex(towns).to_numpy()[town_of]
    # the default method profile: EPP from the transpiration share of ET (the synthetic inventory gives no
    # elevations, so the cooling days are taken as given)
    epp = c("transpiration_share") * et / 1000.0 / 365.0 * c("water_density") * c("latent_heat_vaporisation")
    cooling = epp * a * 10000.0 * days / 3600.0 / c("ac_energy_efficiency_ratio")  # kWh
    natural = col("origin") == "natural"

    figures = {  # indicator: (quantity per parcel, price [元 per unit]); NaN: the parcel does not count
        "water_retained": (water, price("reservoir_unit_cost")),
        "soil_retained": (soil, 0.0),
        "reduced_sedimentation": (c("sediment_ratio") * soil / c("soil_bulk_density"), price("dredging_cost")),
        # N and P at the pollution-equivalent prices of water purification (the default method's basis)
        "reduced_nitrogen_loss": (soil * c("soil_nitrogen_content"), price("treatment_cost_nh3n")),
        "reduced_phosphorus_loss": (soil * c("soil_phosphorus_content"), price("treatment_cost_tp")),
        "co2_fixed": (co2, price("carbon_price")),
        "o2_released": (o2, price("oxygen_price")),
        "transpiration_cooling": (cooling, price("electricity_price")),
        "natural_area": (np.where(natural, a, np.nan), price("pest_control_cost")),
    }
    out = {}
    for indicator, (q, unit_price) in figures.items():
        v = q * unit_price
        counted = ~np.isnan(q)
        out[indicator] = {"quantity": q, "value": v,
                          "township_value": np.bincount(town_of[counted], weights=v[counted], minlength=len(towns)),
                          "county_value": v[counted].sum(), "county_quantity": q[counted].sum()}
    products = tables["products"]
    output = products["output_value"].to_numpy()
    out["林业总产值"] = {"quantity": output, "value": output, "county_value": output.sum(),
                      "county_quantity": output.sum()}
    return out


def check_agreement(results, figures: dict[str, dict]) -> list[str]:
    """Engine against kernel, to 1e-9 relative: each indicator's county sums of quantity and value, and each
    parcel's figures (both in the order of the loaded parcels table); the mismatches."""
    services = results.services
    county = services[services["region_level"] == "county"].set_index("indicator")
    parcels = {key[1]: key for key in results.parcels.indicators}
    problems = []
    for indicator, k in figures.items():
        if indicator not in county.index:
            problems.append(f"{indicator}: no county row in the engine's results")
            continue
        for what, column in (("quantity", "quantity"), ("value", "value_yuan")):
            engine_sum, kernel_sum = county.loc[indicator, column], k[f"county_{what}"]
            if not math.isclose(engine_sum, kernel_sum, rel_tol=1e-9):
                problems.append(f"{indicator} {what}: engine {engine_sum!r}, kernel {kernel_sum!r}")
            if indicator in parcels:
                engine = results.parcels.column(parcels[indicator], column)
                if len(engine) != len(k[what]) or not np.allclose(engine, k[what], rtol=1e-9, atol=0, equal_nan=True):
                    problems.append(f"{indicator} {what}: parcel figures differ")
    return problems


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parcels", nargs="?", type=lambda s: int(float(s)), default=10**6)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--trace", action="store_true", help="also build the trace table (of the region figures)")
    parser.add_argument("--write", action="store_true", help="also time writing gep_parcels.csv")
    parser.add_argument("--profile", help="write a cProfile of the third engine run to this file and print its top entries")
    args = parser.parse_args()
    n = args.parcels
    register, prices = load_register(), load_price_indices()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        folder = write_inventory(Path(tmp) / "inv", synthetic_parcels(n, args.townships, args.year))
        t_write = time.perf_counter() - t0
        rss_before = max_rss_mib()
        t0 = time.perf_counter()
        inventory = load_inventory(folder)
        t_load = time.perf_counter() - t0
    rss_load = max_rss_mib()

    t_kernel = math.inf
    for _ in range(3):  # the best of three: the kernel is short, and its first run pays for cold caches
        t0 = time.perf_counter()
        figures = kernel(inventory.tables, register, prices, args.year)
        t_kernel = min(t_kernel, time.perf_counter() - t0)
    rss_kernel = max_rss_mib()

    stage = StageTimer()
    profiler = cProfile.Profile() if args.profile else None
    t_engine = t_stage = math.inf
    for run in range(3):
        stage.seconds = 0.0
        t0 = time.perf_counter()
        if profiler and run == 2:
            profiler.enable()
        with stage.timing_parcel_stage():
            results = account(inventory, register)
            t1 = time.perf_counter()
            for key in results.parcels.indicators:  # the kernel's output: each parcel's quantity and value
                for column in ("quantity", "value_yuan"):
                    results.parcels.column(key, column)
            stage.seconds += time.perf_counter() - t1
        if profiler and run == 2:
            profiler.disable()
        elapsed = time.perf_counter() - t0
        if elapsed < t_engine:
            t_engine, t_stage = elapsed, stage.seconds
    rss_engine = max_rss_mib()

    problems = check_agreement(results, figures)
    if problems:
        raise SystemExit("engine and kernel disagree:\n  " + "\n  ".join(problems))
    parcel_figures = sum(int(np.count_nonzero(~np.isnan(results.parcels.column(k, "quantity"))))
                         for k in results.parcels.indicators)
    print(f"parcels {n:,} in {args.townships} townships, year {args.year}; inventory written in {t_write:.1f} s")
    print(f"load (CSV parse + validation)  {t_load:8.2f} s   {n / t_load:12,.0f} parcels/s   "
          f"max RSS {rss_before:,.0f} → {rss_load:,.0f} MiB")
    print(f"kernel (numpy)                 {t_kernel:8.3f} s   {n / t_kernel:12,.0f} parcels/s   "
          f"max RSS {rss_kernel:,.0f} MiB")
    print(f"engine account() + arrays      {t_engine:8.3f} s   {n / t_engine:12,.0f} parcels/s   "
          f"max RSS {rss_engine:,.0f} MiB   {parcel_figures:,} parcel figures, {len(results.services):,} result rows")
    print(f"  of which the parcel stage    {t_stage:8.3f} s   region-level accounting {t_engine - t_stage:.3f} s")
    print(f"ratio engine / kernel          {t_engine / t_kernel:8.2f} ×")
    print(f"ratio parcel stage / kernel    {t_stage / t_kernel:8.2f} ×")
    print(f"agreement: {len(figures)} indicators; county sums and each parcel's quantity and value equal to "
          f"1e-9 relative")
    if args.write:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            write_csv(results.parcels.frame(), Path(tmp) / "gep_parcels.csv")
            t_write_out = time.perf_counter() - t0
            size = (Path(tmp) / "gep_parcels.csv").stat().st_size
        print(f"gep_parcels.csv written        {t_write_out:8.2f} s   {size / 2**20:,.0f} MiB   "
              f"max RSS {max_rss_mib():,.0f} MiB")
    if args.trace:
        t0 = time.perf_counter()
        trace = results.trace
        t_trace = time.perf_counter() - t0
        print(f"trace table (built when read)  {t_trace:8.2f} s   {len(trace):,} rows   "
              f"max RSS {max_rss_mib():,.0f} MiB")
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


class StageTimer:
    """Adds up the time spent in the parcel functions account() calls (benchmark instrumentation only)."""

    def __init__(self):
        self.seconds = 0.0

    def _timed(self, function):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0
        return wrapper

    @contextlib.contextmanager
    def timing_parcel_stage(self):
        saved = gep.accounting.parcel_quantities, gep.accounting.allocate
        gep.accounting.parcel_quantities, gep.accounting.allocate = map(self._timed, saved)
        try:
            yield
        finally:
            gep.accounting.parcel_quantities, gep.accounting.allocate = saved


if __name__ == "__main__":
    main()
