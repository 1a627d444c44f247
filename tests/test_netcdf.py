"""The NetCDF output (gep.outputs.results_dataset / write_netcdf, a run's gep_results.nc) read back with xarray:
coordinates, quantities, values at current and at constant prices and their units against hand values on the tiny
inventory (conftest.py)."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from gep.accounting import account
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.outputs import write_netcdf

from conftest import tiny_tables, write_tables

WATER, HYDRO, CO2 = "water_supply/domestic", "hydropower/generation", "carbon_sequestration/co2_fixed"

# CPI 2021 (previous year = 100): 100.92 in coefficients/price_indices.csv (test_accounting.py checks it against
# the NBS figure, 0.9 %); the carbon price 42.85 元/t CO2 is the national market's 2021 average
# (coefficients/default.csv), carried back to 2020 by it
CPI_2021 = 1.0092


def _inventory(tmp_path):
    """The tiny inventory with the water of 甲镇 dearer in 2021 (2.5 元/m³ instead of 2), so that its value at
    constant prices differs from its value at current prices in 2020."""
    t = tiny_tables()
    for r in t["water_supply"]:
        if r["year"] == 2021:
            r["price [yuan/m3]"] = 2.5
    return write_tables(tmp_path / "tiny", t)


def _check(ds: xr.Dataset):
    """Every figure below by hand from conftest.tiny_tables (and the change in _inventory)."""
    # coordinates: regions sorted by code with their names and levels (conftest regions table), the two years
    assert ds["region"].values.tolist() == ["990000", "990001", "990002"]
    assert ds["region_name"].values.tolist() == ["示例县", "甲镇", "乙乡"]
    assert ds["region_level"].values.tolist() == ["county", "township", "township"]
    assert ds["year"].values.tolist() == [2020, 2021]
    assert {"all", "forest", "grassland", "wetland_reservoir"} <= set(ds["ecosystem"].values.tolist())
    # each item's unit: the catalogue's units as docs/inventory-format.md lists them (services table)
    items = ds["item"].to_index()
    unit = dict(zip(items, ds["item_quantity_unit"].values.tolist()))
    assert (unit[WATER], unit[HYDRO], unit[CO2]) == ("m3", "kWh", "t_CO2")
    service = dict(zip(items, ds["item_service"].values.tolist()))
    indicator = dict(zip(items, ds["item_indicator"].values.tolist()))
    assert (service[WATER], indicator[WATER]) == ("water_supply", "domestic")
    in_gep = dict(zip(items, ds["item_in_gep"].values.tolist()))
    assert in_gep[WATER] == 1 and in_gep["soil_retention/soil_retained"] == 0  # valued through its components
    # units attributes of the variables
    assert ds["quantity"].attrs["units"] == "see item_quantity_unit"
    for v in ("value_yuan", "value_constant_yuan", "gep_yuan"):
        assert ds[v].attrs["units"] == "yuan", v
    assert ds["value_constant_yuan"].attrs["long_name"] == "value at constant prices of 2021"  # the latest year

    def at(var, region, year, item, ecosystem):
        return float(ds[var].sel(region=region, year=year, item=item, ecosystem=ecosystem))

    # water supplied by 甲镇: 10 000 m³ a year at 2 元/m³ in 2020 and 2.5 元/m³ in 2021
    for year, value in ((2020, 20_000), (2021, 25_000)):
        assert at("quantity", "990001", year, WATER, "all") == pytest.approx(10_000, rel=1e-12)
        assert at("value_yuan", "990001", year, WATER, "all") == pytest.approx(value, rel=1e-12)
        # at the prices of 2021 the 2020 quantity is 10 000 m³ × 2.5 元/m³ (its own 2021 price)
        assert at("value_constant_yuan", "990001", year, WATER, "all") == pytest.approx(25_000, rel=1e-12)
        assert at("quantity", "990000", year, WATER, "all") == pytest.approx(10_000, rel=1e-12)  # the county: 甲镇's
    assert np.isnan(at("quantity", "990002", 2020, WATER, "all"))  # 乙乡 supplies none: no figure, not 0
    # hydropower of 甲电站: 1 000 000 kWh at 0.3 元/kWh both years
    assert at("quantity", "990001", 2021, HYDRO, "all") == pytest.approx(1e6, rel=1e-12)
    assert at("value_yuan", "990001", 2021, HYDRO, "all") == pytest.approx(300_000, rel=1e-12)
    assert at("value_constant_yuan", "990001", 2020, HYDRO, "all") == pytest.approx(300_000, rel=1e-12)
    # carbon fixed by 甲镇's forest: NEP 0.25 × 600 g C/m² × 100 hm² (1e6 m²) = 150 t C × 44/12 = 550 t CO2; the
    # county's 400 hm² of forest: 2200 t CO2. 2020 at 42.85/1.0092 元/t (the 2021 price carried back by the CPI),
    # at constant (2021) prices 42.85 元/t
    assert at("quantity", "990001", 2020, CO2, "forest") == pytest.approx(550, rel=1e-12)
    assert at("quantity", "990000", 2020, CO2, "forest") == pytest.approx(2200, rel=1e-12)
    assert at("value_yuan", "990001", 2020, CO2, "forest") == pytest.approx(550 * 42.85 / CPI_2021, rel=1e-12)
    assert at("value_constant_yuan", "990001", 2020, CO2, "forest") == pytest.approx(550 * 42.85, rel=1e-12)
    assert at("value_yuan", "990001", 2021, CO2, "forest") == pytest.approx(550 * 42.85, rel=1e-12)


def test_netcdf_quantities_values_units_and_coordinates_by_hand(tmp_path):
    inventory, register = load_inventory(_inventory(tmp_path)), load_register()
    path = tmp_path / "gep_results.nc"
    write_netcdf(account(inventory, register), path)
    with xr.open_dataset(path) as ds:
        _check(ds)


def test_a_runs_gep_results_nc_holds_the_hand_values(tmp_path):
    from gep.cli import main
    out = tmp_path / "run"
    assert main(["run", str(_inventory(tmp_path)), "--out", str(out)]) == 0
    with xr.open_dataset(out / "gep_results.nc") as ds:
        _check(ds)
