"""Gridded inputs (栅格): raster layers on one grid → per-cell quantities → sums by region × ecosystem.

The national method computes most regulating services per pixel (land cover, precipitation,
evapotranspiration, RUSLE factors, NPP) and sums them by administrative unit and ecosystem type. This
package does that for numpy arrays and for dask arrays alike, chunk by chunk so memory stays bounded:

- :mod:`gep.grid.layers` reads the grid description (``grid.yaml``), opens the layers lazily and checks
  that they share one grid (CRS, transform, shape) and declare their units and nodata;
- :mod:`gep.grid.kernels` holds the per-cell formulas on magnitudes in kernel units;
- :mod:`gep.grid.zonal` runs the kernels block by block and sums them by region × ecosystem;
- :mod:`gep.grid.engine` turns those sums into service-quantity rows (path ``gridded``) for the accounts.

rasterio, rioxarray and dask are imported here only, so ``import gep`` and tabular runs never load them.
"""
