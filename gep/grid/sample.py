"""Synthetic sample rasters for an inventory (e.g. Chengkou): SYNTHETIC, made from its tables, not observations.

    python -m gep.grid.sample inventories/chengkou OUT_DIR [--year 2020] [--cell 250]

Each township becomes a run of cells (row by row, in region-code order — not the county's real shape)
whose count is its land area; inside it, ecosystem classes get as many cells as the extent table's areas
(largest remainders, the rest ``other``). Layers carry the inventory's conditions of each township ×
ecosystem (or of its nearest ancestor) with a ±10 % spatial pattern rescaled so every zone keeps the
inventory's mean; cooling days are the climate table's. So the rasters reproduce the inventory's totals
(land area, ecosystem areas, precipitation, ET, RUSLE factors, NPP) up to whole cells, and a gridded run
should agree with the tabular one to the rounding of areas to cells. Every file is tagged
``synthetic=true`` and the grid description says so; never present these rasters as observations.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from ..inventory import load_inventory
from ..reading import yaml_text

LAYERS = {"precipitation": "mm/a", "evapotranspiration": "mm/a", "rainfall_erosivity": "MJ*mm/(hm2*h*a)",
          "soil_erodibility": "t*hm2*h/(hm2*MJ*mm)", "slope_length_steepness": "1", "cover_management": "1",
          "support_practice": "1", "npp": "g C/(m2*a)"}
NOTE = "SYNTHETIC layer made by gep.grid.sample from the inventory's tables; not an observation"


def _cells_by_area(areas: dict[str, float], total: int, cell_hm2: float) -> dict[str, int]:
    """Whole cells per ecosystem by largest remainders, ``other`` filling the township up to ``total``."""
    exact = {e: a / cell_hm2 for e, a in areas.items() if a > 0 and e != "other"}
    cells = {e: math.floor(x) for e, x in exact.items()}
    extra = min(round(sum(exact.values())), total) - sum(cells.values())
    for e in sorted(exact, key=lambda e: exact[e] - cells[e], reverse=True)[:max(extra, 0)]:
        cells[e] += 1
    cells["other"] = total - sum(cells.values())
    return cells


def write_sample(inventory_path: str | Path, out: str | Path, year: int = 2020, cell: float = 250.0) -> Path:
    """Write the rasters and ``grid.yaml`` into ``out``; returns the grid.yaml path."""
    import rasterio
    from rasterio.transform import from_origin

    inv = load_inventory(inventory_path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cell_hm2 = cell * cell / 1e4
    regions = inv.table("regions")
    parents = dict(zip(regions["code"], regions["parent_code"]))
    leaves = sorted(c for c in regions["code"] if c not in set(parents.values()))
    extent = inv.table("extent")
    extent = extent[extent["year"] == year]
    conditions = inv.table("conditions")
    conditions = conditions[conditions["year"] == year].set_index(["region_code", "ecosystem"])
    ecosystems = sorted(set(extent["ecosystem"]) | {"other"})
    classes = {i + 1: e for i, e in enumerate(ecosystems)}
    code_of = {e: i + 1 for i, e in enumerate(ecosystems)}
    region_cells, class_cells, zones = [], [], []
    for code in leaves:
        land = float(regions.loc[regions["code"] == code, "land_area"].iloc[0])
        areas = extent[extent["region_code"] == code].groupby("ecosystem")["area"].sum().to_dict()
        for eco, n in _cells_by_area(areas, round(land / cell_hm2), cell_hm2).items():
            region_cells.append(np.full(n, int(code), dtype=np.int64))
            class_cells.append(np.full(n, code_of[eco], dtype=np.uint8))
            zones.append((code, eco, n))
    n = sum(z[2] for z in zones)
    width = math.ceil(math.sqrt(n))
    height = math.ceil(n / width)
    pad = width * height - n  # cells past the last township: outside every region
    region = np.concatenate(region_cells + [np.zeros(pad, dtype=np.int64)]).reshape(height, width)
    cover = np.concatenate(class_cells + [np.zeros(pad, dtype=np.uint8)]).reshape(height, width)
    y, x = np.divmod(np.arange(width * height), width)
    pattern = 0.1 * np.sin(x / 7.0) * np.cos(y / 5.0)
    transform = from_origin(36_520_000.0, 3_560_000.0, cell, cell)  # CGCS2000 3° Gauss-Krüger zone 36 (108°E)

    def write(name: str, data: np.ndarray, nodata=None):
        with rasterio.open(out / f"{name}.tif", "w", driver="GTiff", height=height, width=width, count=1,
                           dtype=data.dtype, crs="EPSG:4524", transform=transform, nodata=nodata) as dst:
            dst.write(data.reshape(height, width), 1)
            dst.update_tags(synthetic="true", note=NOTE, year=str(year))

    write("regions", region, nodata=0)
    write("landcover", cover, nodata=0)
    year_entry = {}
    for name, unit in LAYERS.items():
        values = np.full(width * height, -9999.0)
        start = 0
        for code, eco, k in zones:
            lineage, value = [code], np.nan
            while parents.get(lineage[-1]):
                lineage.append(parents[lineage[-1]])
            for c in lineage:
                if (c, eco) in conditions.index and not np.isnan(conditions.loc[(c, eco), name]):
                    value = float(conditions.loc[(c, eco), name])
                    break
            if not np.isnan(value) and k:
                v = value * (1 + pattern[start:start + k])
                values[start:start + k] = v * (value / v.mean())  # the zone keeps the inventory's mean
            start += k
        write(name, values, nodata=-9999.0)
        year_entry[name] = {"file": f"{name}.tif", "unit": unit}
    # no cooling-days layer: the accounts take the days of the inventory's climate table, as the method profile
    # derives them for each region (carried from a station to the region's mean elevation)
    doc = {"source": f"SYNTHETIC rasters made by gep.grid.sample from {Path(inventory_path).name} ({year}); "
                     f"not observations", "status": "estimated",
           "land_cover": {"file": "landcover.tif", "classes": classes},
           "regions": {"file": "regions.tif"}, "years": {year: year_entry}}
    path = out / "grid.yaml"
    path.write_text("# " + NOTE + "\n" + yaml_text(doc), encoding="utf-8")
    (out / "README.txt").write_text(__doc__, encoding="utf-8")
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="write SYNTHETIC sample rasters from an inventory's tables")
    parser.add_argument("inventory")
    parser.add_argument("out")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--cell", type=float, default=250.0, help="cell size [m] (default 250)")
    args = parser.parse_args(argv)
    print(f"wrote {write_sample(args.inventory, args.out, args.year, args.cell)} (synthetic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
