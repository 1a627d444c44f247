"""Time the tabular engine on synthetic counties of growing size (not part of the test suite).

    python benchmarks/bench_tabular.py [N_TOWNSHIPS ...]

Each synthetic county has N townships × 5 years × 10 ecosystem types with every table of the
Chengkou inventory filled; prints load time, accounting time and result rows per second.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import write_tables  # noqa: E402

from gep.accounting import account  # noqa: E402
from gep.coefficients import load_register  # noqa: E402
from gep.inventory import load_inventory  # noqa: E402

ECOSYSTEMS = ("forest", "shrub", "grassland", "garden", "wetland_swamp", "wetland_reservoir", "wetland_river",
              "farmland", "urban", "other")


def synthetic(n: int, years=range(2017, 2022)) -> dict[str, list[dict]]:
    t = {k: [] for k in ("regions", "extent", "conditions", "climate", "forest", "emissions", "tourism",
                         "water_supply", "products")}
    t["regions"].append({"code": "990000", "name": "县", "parent_code": "", "level": "county",
                         "land_area [hm2]": 1000 * n})
    for i in range(n):
        code = f"99{i:07d}"
        t["regions"].append({"code": code, "name": f"乡{i}", "parent_code": "990000", "level": "township",
                             "land_area [hm2]": 1000})
        for y in years:
            for eco in ECOSYSTEMS:
                t["extent"].append({"region_code": code, "year": y, "ecosystem": eco, "area [hm2]": 100})
                if eco not in ("urban", "other"):
                    land = not eco.startswith("wetland")
                    t["conditions"].append({
                        "region_code": code, "year": y, "ecosystem": eco, "precipitation [mm/a]": 1361.1,
                        "evapotranspiration [mm/a]": 550, "npp [g C/(m2*a)]": 620 if eco != "farmland" else "",
                        "rainfall_erosivity [MJ*mm/(hm2*h*a)]": 5784 if land else "",
                        "soil_erodibility [t*hm2*h/(hm2*MJ*mm)]": 0.035 if land else "",
                        "slope_length_steepness [1]": 1.2 if land else "",
                        "cover_management [1]": 0.01 if land else "", "support_practice [1]": 1 if land else ""})
            t["climate"].append({"region_code": code, "year": y, "cooling_days [d]": 75})
            t["forest"].append({"region_code": code, "year": y, "forest_type": "混交林", "origin": "natural",
                                "area [hm2]": 100})
            t["emissions"].append({"region_code": code, "year": y, "pollutant": "so2", "amount [t]": 1})
            t["tourism"].append({"region_code": code, "year": y, "visits [visit]": 1000,
                                 "spending_per_visit [yuan/visit]": 400})
            t["water_supply"].append({"region_code": code, "year": y, "use": "domestic", "volume [m3]": 1e5})
            t["products"].append({"region_code": code, "year": y, "sector": "agriculture", "product": "农业总产值",
                                  "output_value [yuan]": 1e6})
    return t


def main(sizes: list[int]) -> None:
    register = load_register()
    print(f"{'townships':>10} {'input rows':>11} {'load s':>8} {'account s':>10} {'result rows':>12} {'rows/s':>10}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tables = synthetic(n)
            folder = write_tables(Path(tmp) / "inv", tables)
            t0 = time.perf_counter()
            inventory = load_inventory(folder)
            t1 = time.perf_counter()
            results = account(inventory, register)
            t2 = time.perf_counter()
        rows = sum(len(v) for v in tables.values())
        print(f"{n:>10} {rows:>11} {t1 - t0:>8.2f} {t2 - t1:>10.2f} {len(results.services):>12} "
              f"{len(results.services) / (t2 - t1):>10.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [25, 200, 1000])
