"""Gridded inputs: layer checks, kernels, zonal sums (numpy, dask, LocalCluster) and agreement with the
tabular path on the tiny inventory (tests/gridkit.py lays its extent out cell for cell)."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
import yaml

from gep.accounting import Options, account
from gep.coefficients import load_register
from gep.grid import kernels
from gep.grid.layers import GridError, load_grid
from gep.inventory import load_inventory
from gep.units import UnitError

from conftest import tiny_tables, write_tables
from gridkit import ORIGIN, SHAPE, tiny_cells, tiny_layers, write_tif, write_tiny_grid
from gep.reading import yaml_text

KEYS = ["region_code", "year", "service", "indicator", "ecosystem"]
GRIDDED = {"water_conservation", "soil_retention", "carbon_sequestration", "oxygen_release", "climate_regulation"}


@pytest.fixture(scope="module")
def tiny_inventory(tmp_path_factory):
    return load_inventory(write_tables(tmp_path_factory.mktemp("inv") / "tiny", tiny_tables()))


@pytest.fixture(scope="module")
def tiny_grid(tmp_path_factory):
    return write_tiny_grid(tmp_path_factory.mktemp("grid"))


def _services(inventory, grid=None, **options):
    return account(inventory, load_register(), Options(grid=str(grid) if grid else None, **options)).services


# ----------------------------------------------------------------------------------------------
# agreement with the tabular path


def test_gridded_figures_equal_the_tabular_ones_on_uniform_cells(tiny_inventory, tiny_grid):
    tab = _services(tiny_inventory).set_index(KEYS)
    grd = _services(tiny_inventory, tiny_grid).set_index(KEYS)
    gridded = grd[grd["path"] == "gridded"]
    assert set(gridded.index.get_level_values("service")) == GRIDDED
    leaf = gridded[gridded.index.get_level_values("region_code") != "990000"]
    # 990001: water 3 ecosystems, soil 4 indicators × 2, CO2, O2 and transpiration × 2, evaporation 1;
    # 990002 (forest only): water, soil × 4, CO2, O2, transpiration; two years
    assert len(leaf) == 2 * ((3 + 4 * 2 + 2 + 2 + 2 + 1) + (1 + 4 + 1 + 1 + 1))
    for key, row in gridded.iterrows():
        assert math.isclose(row["quantity"], tab.loc[key, "quantity"], rel_tol=1e-9), key
        assert math.isclose(row["value_yuan"], tab.loc[key, "value_yuan"], rel_tol=1e-9), key
    # by hand, township 990001 in 2020 (conftest: 100 hm² forest, 20 hm² reservoir; P 1000 mm, ET 500/800 mm)
    f = ("990001", 2020)
    # (1000 − 0.0352 × 1000 − 500) mm × 100 hm² × 10 m³/(mm·hm²); α forest 3.52 % (register, 龚诗涵 2017)
    assert math.isclose(grd.loc[(*f, "water_conservation", "water_retained", "forest"), "quantity"], 464_800,
                        rel_tol=1e-12)
    # 5000 × 0.03 × 1 × (1 − 0.01 × 1) t/hm² × 100 hm²
    assert math.isclose(grd.loc[(*f, "soil_retention", "soil_retained", "forest"), "quantity"], 14_850, rel_tol=1e-12)
    # 0.25 × 600 g C/m² × 100 hm² × 0.01 t/(g/m²·hm²) × 44/12
    assert math.isclose(grd.loc[(*f, "carbon_sequestration", "co2_fixed", "forest"), "quantity"], 550, rel_tol=1e-12)
    assert math.isclose(grd.loc[(*f, "oxygen_release", "o2_released", "forest"), "quantity"], 400, rel_tol=1e-12)
    # default method: forest transpires 0.65 of ET (register) → 0.65 × 0.5 m/365 d × 1000 kg/m³ × 2450 kJ/kg ×
    # 10⁶ m² × 60 d / 3600 / 3
    assert math.isclose(grd.loc[(*f, "climate_regulation", "transpiration_cooling", "forest"), "quantity"],
                        0.65 * 0.5 / 365 * 1000 * 2450 * 1e6 * 60 / 3600 / 3, rel_tol=1e-12)
    # W = 800 mm × 20 hm² × 10 = 160 000 m³, of which the 60 cooling days count; W × 60/365 × 1000 × 2450 /
    # 3600 / 3 kWh (divided by EER 3 as for vegetation; no humidity given → no humidifier term)
    assert math.isclose(grd.loc[(*f, "climate_regulation", "water_surface_evaporation", "wetland_reservoir"),
                                "quantity"], 160_000 * 60 / 365 * 1000 * 2450 / 3600 / 3, rel_tol=1e-12)
    # services the grid does not give stay tabular
    assert (grd.xs("recreation", level="service")["path"] == "computed").all()


def test_a_mixed_run_takes_from_the_grid_only_what_it_gives(tiny_inventory, tmp_path):
    layers = {k: v for k, v in tiny_layers().items() if k in ("precipitation", "evapotranspiration")}
    grid = write_tiny_grid(tmp_path, years=(2020,), layers=layers)
    s = _services(tiny_inventory, grid)
    water = s[(s["service"] == "water_conservation") & (s["region_code"] != "990000")]
    assert set(water.loc[water["year"] == 2020, "path"]) == {"gridded"}
    assert set(water.loc[water["year"] == 2021, "path"]) == {"computed"}
    assert set(s.loc[s["service"] == "soil_retention", "path"]) == {"computed"}
    # transpiration needs only ET and the cooling days: gridded too
    climate = s[(s["service"] == "climate_regulation") & (s["year"] == 2020) & (s["region_code"] != "990000")]
    assert set(climate["path"]) == {"gridded"}


def test_supplied_quantities_win_over_gridded_ones(tmp_path, tiny_grid):
    tables = tiny_tables()
    tables["service_quantities"] = [{"region_code": "990001", "year": 2020, "service": "water_conservation",
                                     "indicator": "water_retained", "ecosystem": "forest", "quantity": 7,
                                     "unit": "万m3"}]
    s = _services(load_inventory(write_tables(tmp_path / "inv", tables)), tiny_grid).set_index(KEYS)
    row = s.loc[("990001", 2020, "water_conservation", "water_retained", "forest")]
    assert row["path"] == "supplied_quantity" and row["quantity"] == 70_000


# ----------------------------------------------------------------------------------------------
# numpy, dask and a LocalCluster give the same sums


def _sums(grid_path, chunks, scheduler=None, as_arrays=False):
    from gep.grid.zonal import Indicator, Plan, zonal_sums
    grid = load_grid(grid_path, chunks=chunks)
    layers = grid.years[2020]
    ind = Indicator("water_conservation", "water_retained", kernels.water_retained,
                    ("precipitation", "evapotranspiration", "runoff_coefficient"), (), "m3")
    plan = Plan(region_values=np.array([990001, 990002]), class_values=np.array([1, 2, 3, 9]),
                class_index=np.array([0, 1, 2, 3]), n_ecosystems=4, layers=("precipitation", "evapotranspiration"),
                nodata={}, factors={"precipitation": 1.0, "evapotranspiration": 1.0}, constants={},
                coefficients={"runoff_coefficient": np.full((2, 4), 0.1)}, indicators=(ind,),
                cell_hm2=grid.cell_area_hm2)
    if as_arrays:  # dask arrays of the opened layers instead of windows read by each block
        arrays = [layers["precipitation"].data.data, layers["evapotranspiration"].data.data]
        return zonal_sums(grid.regions.data.data, grid.land_cover[2020].data.data, arrays, plan, scheduler=scheduler)
    arrays = [layers["precipitation"].cells(chunks), layers["evapotranspiration"].cells(chunks)]
    return zonal_sums(grid.regions.cells(chunks), grid.land_cover[2020].cells(chunks), arrays, plan,
                      scheduler=scheduler)


def test_numpy_and_dask_blocks_give_the_same_sums(tiny_grid):
    plain, chunked, arrays = _sums(tiny_grid, None), _sums(tiny_grid, 7), _sums(tiny_grid, 7, as_arrays=True)
    # cells per region × class: the tiny layout (100, 20, 30, 50 | 300, 0, 0, 100)
    assert plain[0].tolist() == [[100, 20, 30, 50], [300, 0, 0, 100]]
    # forest cell: (1000 − 100 − 500) mm × 1 hm² × 10 = 4000 m³
    assert plain[1][0, 0] == pytest.approx(100 * 4000, rel=1e-12)
    np.testing.assert_allclose(chunked, plain, rtol=1e-12)
    np.testing.assert_allclose(arrays, plain, rtol=1e-12)


def test_a_local_cluster_gives_the_same_sums(tiny_grid):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) \
            as cluster, distributed.Client(cluster) as client:
        on_cluster = _sums(tiny_grid, 7, scheduler=client)
        by_address = _sums(tiny_grid, 7, scheduler=cluster.scheduler_address, as_arrays=True)
    np.testing.assert_allclose(on_cluster, _sums(tiny_grid, None), rtol=1e-12)
    np.testing.assert_allclose(by_address, on_cluster, rtol=1e-12)


# ----------------------------------------------------------------------------------------------
# layer checks


def _edit(grid_path, change):
    doc = yaml.safe_load(grid_path.read_text(encoding="utf-8"))
    change(doc)
    grid_path.write_text(yaml_text(doc), encoding="utf-8")
    return grid_path


def test_a_netcdf_variable_is_a_layer_like_a_geotiff(tmp_path, tiny_inventory):
    import rioxarray  # noqa: F401
    import xarray as xr
    grid = write_tiny_grid(tmp_path, years=(2020,))
    x = ORIGIN[0] + 50 + 100 * np.arange(SHAPE[1])
    y = ORIGIN[1] - 50 - 100 * np.arange(SHAPE[0])
    field = xr.DataArray(tiny_layers()["precipitation"] / 1000, coords={"y": y, "x": x}, dims=("y", "x"),
                         name="pre").rio.write_crs("EPSG:32649")
    field.to_dataset().to_netcdf(tmp_path / "pre.nc")
    _edit(grid, lambda d: d["years"][2020].update(precipitation={"file": "pre.nc", "variable": "pre", "unit": "m/a"}))
    s = _services(tiny_inventory, grid).set_index(KEYS)
    assert s.loc[("990001", 2020, "water_conservation", "water_retained", "forest"), "quantity"] == \
        pytest.approx(464_800, rel=1e-12)


def test_layers_on_another_grid_are_named_with_what_differs(tmp_path):
    grid = write_tiny_grid(tmp_path, years=(2020,))
    write_tif(tmp_path / "npp.tif", tiny_layers()["npp"], crs="EPSG:32648")
    write_tif(tmp_path / "precipitation.tif", np.full((10, 15), 1000.0), cell=200.0)
    write_tif(tmp_path / "evapotranspiration.tif", tiny_layers()["evapotranspiration"],
              origin=(ORIGIN[0] + 100, ORIGIN[1]))
    with pytest.raises(GridError) as err:
        load_grid(grid)
    text = str(err.value)
    assert "npp (npp.tif): CRS EPSG:32648 (expected EPSG:32649)" in text
    assert "precipitation (precipitation.tif): resolution 200 × 200 (expected 100 × 100)" in text
    assert "evapotranspiration (evapotranspiration.tif): extent 20 × 30 cells from (500100, 3.5e+06)" in text
    assert "soil_erodibility" not in text


def test_resampling_happens_only_when_asked_and_is_recorded(tmp_path, tiny_inventory):
    grid = write_tiny_grid(tmp_path, years=(2020,))
    write_tif(tmp_path / "precipitation.tif", np.full((40, 60), 1000.0), cell=50.0)
    with pytest.raises(GridError, match="precipitation"):
        load_grid(grid)
    _edit(grid, lambda d: d.update(resample={"precipitation": "average"}))
    results = account(tiny_inventory, load_register(), Options(grid=str(grid)))
    assert any("precipitation (precipitation.tif) resampled onto the land-cover grid by average" in n
               for n in results.notes)
    s = results.services.set_index(KEYS)
    assert s.loc[("990001", 2020, "water_conservation", "water_retained", "forest"), "quantity"] == \
        pytest.approx(464_800, rel=1e-12)


def test_units_are_declared_and_of_the_right_dimension(tmp_path):
    grid = write_tiny_grid(tmp_path, years=(2020,))
    _edit(grid, lambda d: (d["years"][2020]["npp"].pop("unit"),
                           d["years"][2020]["precipitation"].update(unit="kg")))
    with pytest.raises(GridError) as err:
        load_grid(grid)
    assert "grid.yaml, column npp: no unit declared" in str(err.value)
    assert "layer 'precipitation': unit 'kg' ([mass]) is not [length] (or per year)" in str(err.value)


def test_a_nodata_value_that_contradicts_the_file_is_refused(tmp_path):
    grid = write_tiny_grid(tmp_path, years=(2020,))
    write_tif(tmp_path / "npp.tif", tiny_layers()["npp"], nodata=-9999.0)
    _edit(grid, lambda d: d["years"][2020]["npp"].update(nodata=-1))
    with pytest.raises(GridError, match="npp.tif, column npp: nodata differs: the file says -9999, grid.yaml says -1"):
        load_grid(grid)


def test_nodata_cells_are_left_out_and_counted(tmp_path, tiny_inventory):
    npp = tiny_layers()["npp"].copy()
    npp[0, :5] = -9999.0  # five forest cells of 990001
    grid = write_tiny_grid(tmp_path, years=(2020,))
    write_tif(tmp_path / "npp.tif", npp, nodata=-9999.0)
    results = account(tiny_inventory, load_register(), Options(grid=str(grid)))
    s = results.services.set_index(KEYS)
    assert s.loc[("990001", 2020, "carbon_sequestration", "co2_fixed", "forest"), "quantity"] == \
        pytest.approx(550 * 95 / 100, rel=1e-12)
    assert any("carbon_sequestration/co2_fixed: 5 cells without data" in n for n in results.notes)


def test_unit_conversion_happens_once_at_the_boundary():
    from gep.grid.layers import kernel_factor
    # exact factors: 1 m = 1000 mm; 1 t C/hm² = 10⁶ g / 10⁴ m² = 100 g C/m² (the year's amount of a rate per a)
    assert kernel_factor("precipitation", "m/a") == 1000
    assert kernel_factor("npp", "t C/(hm2*a)") == 100
    # 1 g C/hm² = 1 g / 10⁴ m²: the factor is 1/10 000, applied as a division (the float 0.0001 is not 1/10 000)
    assert kernel_factor("npp", "g C/(hm2*a)") == Fraction(1, 10_000)
    with pytest.raises(UnitError, match="layer 'cooling_days'"):
        kernel_factor("cooling_days", "mm")


def test_region_polygons_are_rasterised_like_the_region_raster(tmp_path, tiny_inventory):
    x0, y0 = ORIGIN
    ring1 = [[x0, y0], [x0 + 3000, y0], [x0 + 3000, y0 - 600], [x0 + 2000, y0 - 600], [x0 + 2000, y0 - 700],
             [x0, y0 - 700], [x0, y0]]
    ring2 = [[x0, y0 - 700], [x0 + 2000, y0 - 700], [x0 + 2000, y0 - 600], [x0 + 3000, y0 - 600],
             [x0 + 3000, y0 - 2000], [x0, y0 - 2000], [x0, y0 - 700]]
    features = [{"type": "Feature", "properties": {"code": c}, "geometry": {"type": "Polygon", "coordinates": [r]}}
                for c, r in (("990001", ring1), ("990002", ring2))]
    grid = write_tiny_grid(tmp_path, years=(2020,))
    (tmp_path / "towns.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    _edit(grid, lambda d: d.update(regions={"file": "towns.geojson", "field": "code"}))
    results = account(tiny_inventory, load_register(), Options(grid=str(grid)))
    assert any("rasterised onto the land-cover grid" in n for n in results.notes)
    s = results.services.set_index(KEYS)
    assert s.loc[("990002", 2020, "water_conservation", "water_retained", "forest"), "quantity"] == \
        pytest.approx(300 * 4648, rel=1e-12)


# ----------------------------------------------------------------------------------------------
# kernels, one hand-computed cell each


def test_kernels_on_one_cell():
    assert kernels.water_retained(1200.0, 600.0, 0.05, 0.09) == pytest.approx((1200 - 60 - 600) * 0.09 * 10)
    assert kernels.water_retained(500.0, 800.0, 0.0, 1.0) == 0.0  # a negative balance retains nothing
    assert kernels.soil_retained(4000.0, 0.02, 2.0, 0.1, 0.5, 0.09) == pytest.approx(160 * 0.95 * 0.09)
    assert kernels.co2_fixed(500.0, 0.3, 0.09) == pytest.approx(0.3 * 500 * 0.09 * 0.01 * 44 / 12)
    # the published equation (no day share, no divisor, humidifier counted): 1000 mm on 1 hm² = 10 000 m³
    assert kernels.water_surface_evaporation(1000.0, 2450.0, 1000.0, 120.0, 60.0, 0.0, 1.0, 1.0, 1.0) == \
        pytest.approx(10_000 * 1000 * 2450 / 3600 + 10_000 * 120)
    # the default method's: 60 of 365 days, cooling divided by r = 3, no humidifier
    assert kernels.water_surface_evaporation(1000.0, 2450.0, 1000.0, 120.0, 60.0, 1.0, 3.0, 0.0, 1.0) == \
        pytest.approx(10_000 * 60 / 365 * 1000 * 2450 / 3600 / 3)
    # transpiration: 0.65 of 500 mm ET, 60 days, r = 3, on 1 hm²
    assert kernels.transpiration_cooling(500.0, 60.0, 2450.0, 1000.0, 3.0, 0.65, 1.0) == \
        pytest.approx(0.65 * 0.5 / 365 * 1000 * 2450 * 1e4 * 60 / 3600 / 3)


def test_ls_from_a_dem_plane():
    # a plane rising 10 m per 100 m cell eastwards: tan θ = 0.1, θ = 5.711°; S = 16.8 sin θ − 0.5 (McCool 1987,
    # 5° ≤ θ < 10°) = 1.17165; m = 0.5 (tan θ ≥ 5 %), L = (50/22.13)^0.5 = 1.50313 for λ = 50 m
    dem = np.tile(np.arange(6) * 10.0, (4, 1))
    ls = kernels.ls_from_dem(dem, 100.0, 50.0)
    sin = 0.1 / math.sqrt(1.01)
    np.testing.assert_allclose(ls, (16.8 * sin - 0.5) * math.sqrt(50 / 22.13), rtol=1e-12)
    assert kernels.slope_steepness(np.array(20.0)) == pytest.approx(21.91 * math.sin(math.radians(20)) - 0.96)
    assert kernels.slope_steepness(np.array(2.0)) == pytest.approx(10.8 * math.sin(math.radians(2)) + 0.03)


def test_slope_of_a_plane_on_non_square_cells():
    # Cells 30 m wide (x, columns) and 60 m high (y, rows). A plane rising 0.2 m per m along y rises 0.2 × 60 = 12 m
    # per row: its slope is atan(0.2) = 11.3099° (tan 11.31° = 0.2). Taking 30 m for both axes made it
    # atan(12/30) = atan(0.4) = 21.80°.
    rows, cols = np.mgrid[0:5, 0:7].astype(float)
    along_y = 12.0 * rows
    np.testing.assert_allclose(kernels.slope_degrees(along_y, (30.0, 60.0)), math.degrees(math.atan(0.2)), rtol=1e-12)
    # the plane rising 0.2 m per m along x rises 0.2 × 30 = 6 m per column: the same 11.3099°
    along_x = 6.0 * cols
    np.testing.assert_allclose(kernels.slope_degrees(along_x, (30.0, 60.0)), math.degrees(math.atan(0.2)), rtol=1e-12)
    # square 30 m cells, 0.2 m per m along y = 6 m per row: atan(0.2) again, with (30, 30) or one number
    np.testing.assert_allclose(kernels.slope_degrees(6.0 * rows, (30.0, 30.0)), math.degrees(math.atan(0.2)),
                               rtol=1e-12)
    np.testing.assert_allclose(kernels.slope_degrees(6.0 * rows, 30.0), math.degrees(math.atan(0.2)), rtol=1e-12)
    # LS of the plane on the 30 × 60 m cells: θ = 11.31° ≥ 10° so S = 21.91 sin θ − 0.96 (Liu et al. 1994) with
    # sin θ = 0.2/√1.04; tan θ = 0.2 ≥ 5 % so m = 0.5 and L = (50/22.13)^0.5 for λ = 50 m
    sin = 0.2 / math.sqrt(1.04)
    np.testing.assert_allclose(kernels.ls_from_dem(along_y, (30.0, 60.0), 50.0),
                               (21.91 * sin - 0.96) * math.sqrt(50 / 22.13), rtol=1e-12)


def test_ls_from_a_dem_is_the_same_in_blocks(tmp_path):
    import dask.array as da
    from gep.grid.zonal import ls_layer
    rng = np.random.default_rng(1)
    dem = np.cumsum(rng.random(SHAPE), axis=1) * 30
    whole = ls_layer(dem, 50.0, 100.0, None, 1.0)
    blocks = ls_layer(da.from_array(dem, chunks=7), 50.0, 100.0, None, 1.0).compute()
    np.testing.assert_allclose(blocks, whole, rtol=1e-12)


# ----------------------------------------------------------------------------------------------
# gep run and gep verify


def test_gep_run_copies_the_grid_and_verify_recomputes_it(tmp_path):
    from gep.audit import verify
    from gep.jobs.run import run
    inventory = write_tables(tmp_path / "inv", tiny_tables())
    write_tiny_grid(inventory, years=(2020,))
    out = run(inventory, tmp_path / "out").folder
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["grid"] == "grid/grid.yaml"
    assert "inputs/grid/npp.tif" in manifest["inputs"] and "--grid grid.yaml" in manifest["reproducible_command"]
    services = (out / "gep_services.csv").read_text(encoding="utf-8")
    assert ",gridded," in services
    import pandas as pd
    from gep.trace import check_trace
    trace = pd.read_csv(out / "gep_trace.csv.gz", dtype={"region_code": str})
    assert check_trace(trace) == []
    water = trace[(trace["region_code"] == "990001") & (trace["year"] == 2020)
                  & (trace["service"] == "water_conservation") & (trace["ecosystem"] == "forest")].set_index("symbol")
    assert water.loc["Q", "table"] == "grid" and "precipitation (precipitation.tif)" in water.loc["Q", "source"]
    # the register row the kernel applied: α forest 3.52 % (龚诗涵 et al. 2017)
    assert water.loc["runoff_coefficient", "coefficient"] == "runoff_coefficient[forest]"
    assert water.loc["runoff_coefficient", "value"] == pytest.approx(0.0352)
    assert verify(out).ok


def test_layers_referenced_in_place_are_hashed_not_copied_and_verified_where_they_lie(tmp_path):
    from gep.audit import verify
    from gep.cli import main
    inventory = write_tables(tmp_path / "inv", tiny_tables())
    write_tiny_grid(inventory, years=(2020,))
    out = tmp_path / "out"
    assert main(["run", str(inventory), "--out", str(out), "--grid-layers", "reference"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # only the description is copied; every layer is listed by absolute path with its hash
    assert [p for p in manifest["inputs"] if p.startswith("inputs/grid/")] == ["inputs/grid/grid.yaml"]
    npp = str((inventory / "npp.tif").resolve())
    assert npp in manifest["referenced_inputs"] and manifest["options"]["grid_layers"] == "referenced"
    assert not (out / "inputs" / "grid" / "npp.tif").exists()
    assert ",gridded," in (out / "gep_services.csv").read_text(encoding="utf-8")
    report = verify(out)
    assert report.ok and any("referenced in place" in line for line in report.lines)
    # a layer changed where it lies is found, and the figures it moves are named
    import rasterio
    with rasterio.open(inventory / "npp.tif", "r+") as layer:
        layer.write(layer.read(1) * 2, 1)
    report = verify(out)
    assert not report.ok
    assert any(line.startswith(f"altered referenced input: {npp}") for line in report.lines)
    assert any("co2_fixed" in line and line.startswith("differs:") for line in report.lines)


def test_a_statement_uses_the_grid_of_its_inventory_and_verifies(tmp_path):
    from gep.audit import verify
    from gep.jobs.statement import run_statement
    inventory = write_tables(tmp_path / "inv", tiny_tables())
    write_tiny_grid(inventory, years=(2020, 2021))
    out = run_statement(inventory, tmp_path / "st", 2020, 2021)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # the statement values the same GEP flows as a gridded run: the grid is copied and named in the command
    assert manifest["options"]["grid"] == "grid/grid.yaml" and "inputs/grid/npp.tif" in manifest["inputs"]
    assert manifest["reproducible_command"].endswith("--grid grid.yaml")
    assert verify(out).ok


# ----------------------------------------------------------------------------------------------
# Chengkou sample rasters (synthetic, generated here, never committed)


def test_chengkou_sample_rasters_reproduce_the_inventory_totals(tmp_path):
    import rasterio

    from conftest import CHENGKOU
    from gep.grid.sample import write_sample
    grid = write_sample(CHENGKOU, tmp_path / "ck", year=2020, cell=500.0)
    with rasterio.open(tmp_path / "ck" / "landcover.tif") as src:
        assert src.tags()["synthetic"] == "true"
    assert "SYNTHETIC" in grid.read_text(encoding="utf-8")
    inventory = load_inventory(CHENGKOU)
    tab = _services(inventory)
    grd = _services(inventory, grid)

    def county(s, service):
        return s[(s["region_code"] == "500229") & (s["year"] == 2020) & (s["service"] == service)]["quantity"].sum()
    water = grd[(grd["year"] == 2020) & (grd["service"] == "water_conservation") & (grd["region_code"] != "500229")]
    # township × ecosystem pairs smaller than half a 25 hm² cell get no cell and stay tabular
    assert (water["path"] == "gridded").mean() > 0.8
    # areas are rounded to 25 hm² cells and the ±10 % pattern multiplies in RUSLE's product of five factors,
    # so the county totals agree to about 1 %, not exactly (the uniform-cell test above checks exactness)
    for service in ("water_conservation", "soil_retention", "carbon_sequestration", "climate_regulation"):
        assert county(grd, service) == pytest.approx(county(tab, service), rel=0.02), service


def test_a_tabular_run_loads_no_raster_or_dask_array_library(tmp_path):
    import subprocess
    import sys
    inventory = write_tables(tmp_path / "inv", tiny_tables())
    code = ("import sys; from gep.accounting import account; from gep.inventory import load_inventory; "
            "from gep.coefficients import load_register; import gep.cli; "
            f"account(load_inventory({str(inventory)!r}), load_register()); "
            "print(sorted(m for m in ('rasterio', 'rioxarray', 'dask.array', 'distributed', 'gep.grid.engine') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # (pint imports dask's core when it is installed; that is not ours)


def test_gep_run_on_a_dask_cluster_with_a_grid_given_on_the_command_line(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    from gep.cli import main
    inventory = write_tables(tmp_path / "inv", tiny_tables())
    grid = write_tiny_grid(tmp_path / "grid", years=(2020,))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) \
            as cluster:
        assert main(["run", str(inventory), "--grid", str(grid), "--scheduler", cluster.scheduler_address,
                     "--out", str(tmp_path / "out")]) == 0
    services = (tmp_path / "out" / "gep_services.csv").read_text(encoding="utf-8")
    assert "990001,甲镇,township,2020,regulating,water_conservation,water_retained,forest,464800.0" in services
    write_tif(tmp_path / "grid" / "npp.tif", tiny_layers()["npp"], crs="EPSG:32648")
    assert main(["run", str(inventory), "--grid", str(grid), "--out", str(tmp_path / "out2")]) == 1
    assert "npp (npp.tif): CRS EPSG:32648 (expected EPSG:32649)" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()


def test_ls_from_a_dem_when_no_ls_layer_is_given(tmp_path, tiny_inventory):
    layers = {k: v for k, v in tiny_layers().items() if k != "slope_length_steepness"}
    grid = write_tiny_grid(tmp_path, years=(2020,), layers=layers)
    write_tif(tmp_path / "dem.tif", np.tile(np.arange(SHAPE[1]) * 10.0, (SHAPE[0], 1)))  # 10 % slope eastwards
    _edit(grid, lambda d: d["years"][2020].update(dem={"file": "dem.tif", "unit": "m"},
                                                  slope_length={"value": 50, "unit": "m"}))
    s = _services(tiny_inventory, grid).set_index(KEYS)
    ls = (16.8 * 0.1 / math.sqrt(1.01) - 0.5) * math.sqrt(50 / 22.13)  # as in test_ls_from_a_dem_plane
    row = s.loc[("990001", 2020, "soil_retention", "soil_retained", "forest")]
    assert row["path"] == "gridded"
    assert row["quantity"] == pytest.approx(5000 * 0.03 * ls * (1 - 0.01) * 100, rel=1e-12)
    _edit(grid, lambda d: d["years"][2020].pop("slope_length"))
    with pytest.raises(GridError, match="LS from a DEM needs a constant slope length"):
        _services(tiny_inventory, grid)


def test_non_square_cells_give_their_slope_and_area(tmp_path, tiny_inventory):
    # Cells 100 m wide and 50 m high: 0.5 hm² each, so 990001's 100 forest cells are 50 hm². The DEM rises 5 m per
    # row, i.e. 5/50 = 0.1 m per m along y: tan θ = 0.1, the LS of test_ls_from_a_dem_plane, and forest soil retained
    # = R·K·LS·(1 − C·P) × A = 5000 × 0.03 × LS × (1 − 0.01) × 50 hm² (with one cell size, 5/100 = 0.05, a gentler
    # slope and another LS).
    layers = {k: v for k, v in tiny_layers().items() if k != "slope_length_steepness"}
    grid = write_tiny_grid(tmp_path, years=(2020,), layers=layers, cell=(100.0, 50.0))
    write_tif(tmp_path / "dem.tif", np.tile(np.arange(SHAPE[0])[:, None] * 5.0, (1, SHAPE[1])), cell=(100.0, 50.0))
    _edit(grid, lambda d: d["years"][2020].update(dem={"file": "dem.tif", "unit": "m"},
                                                  slope_length={"value": 50, "unit": "m"}))
    opened = load_grid(grid, chunks=None)
    assert opened.cell_size == (100.0, 50.0) and opened.cell_area_hm2 == 0.5  # 100 × 50 m = 5000 m² = 0.5 hm²
    s = _services(tiny_inventory, grid).set_index(KEYS)
    ls = (16.8 * 0.1 / math.sqrt(1.01) - 0.5) * math.sqrt(50 / 22.13)
    row = s.loc[("990001", 2020, "soil_retention", "soil_retained", "forest")]
    assert row["path"] == "gridded"
    assert row["quantity"] == pytest.approx(5000 * 0.03 * ls * (1 - 0.01) * 50, rel=1e-12)


def test_a_rotated_raster_is_refused_naming_its_file(tmp_path):
    from rasterio.transform import Affine
    grid = write_tiny_grid(tmp_path, years=(2020, 2021))
    # npp.tif on a transform with a rotation term (b = d = 10): refused once, though both years name it
    rotated = Affine(100.0, 10.0, ORIGIN[0], 10.0, -100.0, ORIGIN[1])
    write_tif(tmp_path / "npp.tif", tiny_layers()["npp"], transform=rotated)
    with pytest.raises(GridError) as err:
        load_grid(grid, chunks=None)
    problems = [p for p in err.value.problems if "rotated" in str(p)]
    assert len(problems) == 1 and str(problems[0]).startswith("npp.tif") and "b=10, d=10" in str(problems[0])
    assert not any("npp.tif" in str(p) and "rotated" not in str(p) for p in err.value.problems)
    # the land-cover layer itself: the grid cannot be checked further, one problem naming it
    write_tif(tmp_path / "npp.tif", tiny_layers()["npp"])
    write_tif(tmp_path / "landcover.tif", tiny_cells()[1], transform=rotated)
    with pytest.raises(GridError) as err:
        load_grid(grid, chunks=None)
    assert [str(p).split(",")[0] for p in err.value.problems] == ["landcover.tif"]
    assert "rotated or sheared" in str(err.value.problems[0])
