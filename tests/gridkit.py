"""Helpers for the gridded tests: GeoTIFFs matching the tiny inventory of conftest.py, cell for cell.

Cells are 100 m × 100 m (1 hm²). The 600 cells, in row order, are township 990001's 100 forest, 20 reservoir,
30 grassland and 50 other cells, then 990002's 300 forest and 100 other cells, on 20 rows × 30 columns — the
areas of the tiny inventory's extent table. Layers hold the tiny inventory's conditions for each class.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gep.reading import yaml_text

CLASSES = {1: "forest", 2: "wetland_reservoir", 3: "grassland", 9: "other"}
LAYOUT = [("990001", 1, 100), ("990001", 2, 20), ("990001", 3, 30), ("990001", 9, 50),
          ("990002", 1, 300), ("990002", 9, 100)]
SHAPE = (20, 30)
CRS = "EPSG:32649"
ORIGIN = (500000.0, 3500000.0)


def tiny_cells() -> tuple[np.ndarray, np.ndarray]:
    regions = np.concatenate([np.full(n, int(code)) for code, _, n in LAYOUT]).reshape(SHAPE)
    classes = np.concatenate([np.full(n, c) for _, c, n in LAYOUT]).reshape(SHAPE)
    return regions.astype("int32"), classes.astype("uint8")


def write_tif(path: Path, data: np.ndarray, nodata=None, crs: str = CRS, cell: float | tuple = 100.0, origin=ORIGIN,
              transform=None) -> Path:
    """A one-band GeoTIFF, north-up with cells ``cell`` m (or ``(dx, dy)`` m) from ``origin``, or on ``transform``."""
    import rasterio
    from rasterio.transform import from_origin
    dx, dy = (cell, cell) if np.ndim(cell) == 0 else cell
    with rasterio.open(path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1], count=1,
                       dtype=data.dtype, crs=crs, transform=transform or from_origin(*origin, dx, dy),
                       nodata=nodata) as dst:
        dst.write(data, 1)
    return path


def tiny_layers() -> dict[str, np.ndarray]:
    """Per-cell values of the tiny inventory's conditions (float64, so sums are exact to rounding)."""
    regions, classes = tiny_cells()
    water = classes == 2
    land = ~water
    return {
        "precipitation": np.full(SHAPE, 1000.0),
        "evapotranspiration": np.where(water, 800.0, 500.0),
        "npp": np.where(land, 600.0, 0.0),
        "rainfall_erosivity": np.where(land, 5000.0, 0.0),
        "soil_erodibility": np.where(land, 0.03, 0.0),
        "slope_length_steepness": np.where(land, 1.0, 0.0),
        "cover_management": np.where(land, 0.01, 0.0),
        "support_practice": np.where(land, 1.0, 0.0),
    }


UNITS = {"precipitation": "mm/a", "evapotranspiration": "mm/a", "npp": "g C/(m2*a)",
         "rainfall_erosivity": "MJ*mm/(hm2*h*a)", "soil_erodibility": "t*hm2*h/(hm2*MJ*mm)",
         "slope_length_steepness": "1", "cover_management": "1", "support_practice": "1"}


def write_tiny_grid(folder: Path, years=(2020, 2021), layers: dict | None = None, extra: dict | None = None,
                    cell: float | tuple = 100.0) -> Path:
    """grid.yaml and its GeoTIFFs in ``folder`` (cells ``cell`` m, or ``(dx, dy)`` m); returns the grid.yaml path."""
    folder.mkdir(parents=True, exist_ok=True)
    regions, classes = tiny_cells()
    write_tif(folder / "regions.tif", regions, cell=cell)
    write_tif(folder / "landcover.tif", classes, cell=cell)
    entries = {}
    for name, data in (layers or tiny_layers()).items():
        write_tif(folder / f"{name}.tif", data, cell=cell)
        entries[name] = {"file": f"{name}.tif", "unit": UNITS[name]}
    entries["cooling_days"] = {"value": 60, "unit": "d"}
    doc = {"source": "test layers equal to the tiny inventory", "status": "estimated", "chunks": 8,
           "land_cover": {"file": "landcover.tif", "classes": CLASSES},
           "regions": {"file": "regions.tif"},
           "years": {y: dict(entries) for y in years}}
    doc.update(extra or {})
    path = folder / "grid.yaml"
    path.write_text(yaml_text(doc), encoding="utf-8")
    return path
