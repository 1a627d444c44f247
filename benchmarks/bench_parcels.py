"""10⁶ forest parcels (小班): the tabular engine against a hand-written numpy kernel (not part of the test suite).

    python benchmarks/bench_parcels.py [N_PARCELS] [--townships T] [--year Y] [--trace] [--profile FILE]

N_PARCELS is 10⁴, 10⁵ or 10⁶ (default 10⁶; written ``1e5`` or ``100000``).

How a parcel is modelled
    The inventory format has no parcel (小班) table, so a parcel is a leaf region: a ``regions`` row of level
    ``village`` under one of T townships (default 20) of one county, with its own ``extent`` row (forest), its
    own ``conditions`` row (precipitation, ET, RUSLE factors, NPP — each parcel different) and its own
    ``forest`` row (origin natural or planted). Cooling days are given per township (``climate``) and inherited
    by its parcels. This is what the format allows without bending it; a real 小班 inventory would want a
    ``parcels`` table (parcel id, township, 林分类型, 起源, area, and the per-parcel parameters) so parcels do not
    pose as administrative villages — proposed, not built here.

Services per parcel: every forest-related service the engine computes from forest area —
water conservation, soil retention (soil retained and its three valued components: sedimentation, N, P),
carbon sequestration, oxygen release, climate regulation by transpiration, pest control (natural parcels).
Forest products (林业产值) come from statistics by township, not by parcel: one ``products`` row per township.
Not per parcel, and why: air and water purification are valued from emissions per region (GARZE2017: the
emission taken as purified; the register declares no per-area capacity), so they do not depend on forest area;
flood regulation in the method applies to reservoirs, lakes and swamps, not forest.

What the figures compare
    load     = ``load_inventory`` (CSV parse, unit conversion, validation); the kernel has no counterpart.
    engine   = ``account(inventory, register)``: the figures with their paths and coefficient keys, traces
               (recorded, built into a table only when read: ``--trace`` times that), values at constant and
               previous-year prices, sums up the region tree (parcel → township → county), summary, growth,
               decomposition and evaluation tables.
    kernel   = numpy on the loaded tables (best of three runs): the same formulas with the same register
               coefficients and price-index factors → per-parcel quantity and value of each indicator, and
               their sums per township and for the county (np.bincount). No traces, no provenance, no
               result table.
    ratio    = engine / kernel wall time, both on the same loaded inventory in this process.
    Fairness check: each indicator's county sums of quantity and value, and each parcel's quantity and
    value, agree between engine and kernel to 1e-9 relative (the benchmark stops otherwise).

Measured figures: see benchmarks/README.md, section "Tabular (10⁶ parcels)".
"""
from __future__ import annotations

import argparse
import cProfile
import math
import pstats
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from gep.accounting import account
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.prices import load_price_indices

COUNTY = "990000"


def synthetic_parcels(n: int, townships: int, year: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Inventory tables of a county of ``townships`` townships holding ``n`` forest parcels between them."""
    rng = np.random.default_rng(seed)
    town_codes = np.array([f"99{t + 1:04d}" for t in range(townships)])
    town_of = rng.integers(0, townships, n)
    parcel_codes = np.char.add(np.char.add(town_codes[town_of].astype(str), "P"),
                               np.char.zfill(np.arange(n).astype(str), 7))
    area = np.round(rng.uniform(0.5, 30.0, n), 4)  # 小班 are typically 1–20 hm²
    town_area = np.bincount(town_of, weights=area, minlength=townships)
    regions = pd.DataFrame({
        "code": np.concatenate([[COUNTY], town_codes, parcel_codes]),
        "name": np.concatenate([["县"], [f"乡{t}" for t in range(townships)], np.char.add("小班", parcel_codes)]),
        "parent_code": np.concatenate([[""], np.full(townships, COUNTY), town_codes[town_of]]),
        "level": np.concatenate([["county"], np.full(townships, "township"), np.full(n, "village")]),
        "land_area [hm2]": np.concatenate([[round(town_area.sum(), 4)], np.round(town_area, 4), area]),
    })
    extent = pd.DataFrame({"region_code": parcel_codes, "year": year, "ecosystem": "forest", "area [hm2]": area})
    conditions = pd.DataFrame({
        "region_code": parcel_codes, "year": year, "ecosystem": "forest",
        "precipitation [mm/a]": np.round(rng.uniform(1100, 1500, n), 1),
        "evapotranspiration [mm/a]": np.round(rng.uniform(450, 650, n), 1),
        "rainfall_erosivity [MJ*mm/(hm2*h*a)]": np.round(rng.uniform(4000, 7000, n), 0),
        "soil_erodibility [t*hm2*h/(hm2*MJ*mm)]": np.round(rng.uniform(0.02, 0.05, n), 4),
        "slope_length_steepness [1]": np.round(rng.uniform(0.5, 8.0, n), 2),
        "cover_management [1]": np.round(rng.uniform(0.002, 0.02, n), 4),
        "support_practice [1]": 1,
        "npp [g C/(m2*a)]": np.round(rng.uniform(450, 800, n), 1),
    })
    climate = pd.DataFrame({"region_code": town_codes, "year": year,
                            "cooling_days [d]": rng.integers(60, 90, townships)})
    forest = pd.DataFrame({"region_code": parcel_codes, "year": year, "forest_type": "混交林",
                           "origin": np.where(rng.random(n) < 0.8, "natural", "planted"), "area [hm2]": area})
    output_value = np.round(rng.uniform(1e6, 5e7, townships), 2)  # forestry output of a township [元]
    products = pd.DataFrame({"region_code": town_codes, "year": year, "sector": "forestry",
                             "product": "林业总产值", "output_value [yuan]": output_value})
    return {"regions": regions, "extent": extent, "conditions": conditions, "climate": climate, "forest": forest,
            "products": products}


def write_inventory(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


# ----------------------------------------------------------------------------------------------
# the numpy kernel


def kernel(tables: dict[str, pd.DataFrame], register, prices, year: int) -> dict[str, dict]:
    """Per-parcel quantity and value [元] of each indicator and their township and county sums, in plain
    numpy: the engine's formulas (see the trace expressions in gep/calculators.py) in canonical units."""
    def c(key: str, ecosystem: str = "forest") -> float:
        return register.lookup(key, ecosystem).value

    def price(key: str) -> float:
        row = register.lookup(key, "forest")
        return row.value * prices.factor(row.price_index or "none", row.price_year or year, year)

    regions, ext, cond = tables["regions"], tables["extent"], tables["conditions"]
    # the loaded tables are sorted by key: extent and conditions hold the parcels in the same order
    assert (ext["region_code"].to_numpy() == cond["region_code"].to_numpy()).all()
    towns = regions.loc[regions["level"] == "township", "code"].to_numpy()
    parent = pd.Series(regions["parent_code"].to_numpy(), index=regions["code"].to_numpy())
    town_of = pd.Index(towns).get_indexer(parent.reindex(ext["region_code"].to_numpy()).to_numpy())

    a = ext["area"].to_numpy()
    p, et = cond["precipitation"].to_numpy(), cond["evapotranspiration"].to_numpy()
    water = np.maximum(p - p * c("runoff_coefficient") - et, 0.0) * a * 10.0  # mm × hm² → m³
    potential = cond["rainfall_erosivity"].to_numpy() * cond["soil_erodibility"].to_numpy() \
        * cond["slope_length_steepness"].to_numpy()
    actual = potential * cond["cover_management"].to_numpy() * cond["support_practice"].to_numpy()
    soil = np.maximum(potential - actual, 0.0) * a
    co2 = c("nep_npp_ratio") * cond["npp"].to_numpy() * a * 0.01 * (44.0 / 12.0)  # g C/m² × hm² → t C → t CO₂
    o2 = co2 * c("oxygen_per_co2")
    days = tables["climate"].set_index("region_code")["cooling_days"].reindex(towns).to_numpy()[town_of]
    epp = et / 1000.0 / 365.0 * c("water_density") * c("latent_heat_vaporisation")  # kJ/(m²·d)
    cooling = epp * a * 10000.0 * days / 3600.0 / c("ac_energy_efficiency_ratio")  # kWh
    forest = tables["forest"]
    natural = forest["origin"].to_numpy() == "natural"
    pest_parcels = forest["region_code"].to_numpy()[natural]
    pest_area = forest["area"].to_numpy()[natural]
    pest_town = pd.Index(towns).get_indexer(parent.reindex(pest_parcels).to_numpy())

    figures = {  # indicator: (quantity per figure, price [元 per unit], township of each figure)
        "water_retained": (water, price("reservoir_unit_cost"), town_of),
        "soil_retained": (soil, 0.0, town_of),
        "reduced_sedimentation": (c("sediment_ratio") * soil / c("soil_bulk_density"), price("dredging_cost"),
                                  town_of),
        "reduced_nitrogen_loss": (soil * c("soil_nitrogen_content"), price("nitrogen_removal_cost"), town_of),
        "reduced_phosphorus_loss": (soil * c("soil_phosphorus_content"), price("phosphorus_removal_cost"), town_of),
        "co2_fixed": (co2, price("carbon_price"), town_of),
        "o2_released": (o2, price("oxygen_price"), town_of),
        "transpiration_cooling": (cooling, price("electricity_price"), town_of),
        "natural_area": (pest_area, price("pest_control_cost"), pest_town),
    }
    out = {}
    for indicator, (q, unit_price, town) in figures.items():
        v = q * unit_price
        out[indicator] = {"quantity": q, "value": v,
                          "township_value": np.bincount(town, weights=v, minlength=len(towns)),
                          "county_value": v.sum(), "county_quantity": q.sum()}
    products = tables["products"]
    output = products["output_value"].to_numpy()
    out["林业总产值"] = {"quantity": output, "value": output, "county_value": output.sum(),
                      "county_quantity": output.sum()}
    return out


def check_agreement(services: pd.DataFrame, figures: dict[str, dict]) -> list[str]:
    """Engine against kernel, to 1e-9 relative: each indicator's county sums of quantity and value, and each
    parcel's figures (the engine's results are sorted by region code, as the kernel's arrays are); the
    mismatches."""
    county = services[services["region_level"] == "county"].set_index("indicator")
    parcels = {k: g for k, g in services[services["region_level"] == "village"].groupby("indicator", sort=False)}
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
                engine = parcels[indicator][column].to_numpy()
                if len(engine) != len(k[what]) or not np.allclose(engine, k[what], rtol=1e-9, atol=0):
                    problems.append(f"{indicator} {what}: parcel figures differ")
    return problems


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parcels", nargs="?", type=lambda s: int(float(s)), default=10**6)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--trace", action="store_true", help="also build the trace table (some 100 rows per parcel)")
    parser.add_argument("--profile", help="write a cProfile of account() to this file and print its top entries")
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

    profiler = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    results = account(inventory, register)
    if profiler:
        profiler.disable()
    t_engine = time.perf_counter() - t0
    rss_engine = max_rss_mib()

    problems = check_agreement(results.services, figures)
    if problems:
        raise SystemExit("engine and kernel disagree:\n  " + "\n  ".join(problems))
    leaf_figures = int((results.services["region_level"] == "village").sum())
    print(f"parcels {n:,} in {args.townships} townships, year {args.year}; inventory written in {t_write:.1f} s")
    print(f"load (CSV parse + validation)  {t_load:8.2f} s   {n / t_load:12,.0f} parcels/s   "
          f"max RSS {rss_before:,.0f} → {rss_load:,.0f} MiB")
    print(f"kernel (numpy)                 {t_kernel:8.3f} s   {n / t_kernel:12,.0f} parcels/s   "
          f"max RSS {rss_kernel:,.0f} MiB")
    print(f"engine account()               {t_engine:8.2f} s   {n / t_engine:12,.0f} parcels/s   "
          f"max RSS {rss_engine:,.0f} MiB   {leaf_figures:,} parcel figures, {len(results.services):,} result rows")
    print(f"ratio engine / kernel          {t_engine / t_kernel:8.1f} ×")
    print(f"agreement: {len(figures)} indicators; county sums and each parcel's quantity and value equal to "
          f"1e-9 relative")
    if args.trace:
        t0 = time.perf_counter()
        trace = results.trace
        t_trace = time.perf_counter() - t0
        print(f"trace table (built when read)  {t_trace:8.2f} s   {len(trace):,} rows   "
              f"max RSS {max_rss_mib():,.0f} MiB")
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
