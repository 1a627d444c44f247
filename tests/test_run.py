"""End to end: `gep run` on the bundled Chengkou inventory, output folder safety, reproducibility."""
from __future__ import annotations

import json

import pandas as pd
import pytest
import xarray as xr

from gep.cli import main
from gep.outputs import sha256

from conftest import CHENGKOU, RUN_OUTPUTS as OUTPUTS



@pytest.fixture(scope="module")
def chengkou_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "chengkou"
    assert main(["run", str(CHENGKOU), "--out", str(out)]) == 0
    return out


def test_run_writes_every_output(chengkou_run):
    assert {p.name for p in chengkou_run.iterdir()} == OUTPUTS | {"inputs"}
    assert {p.name for p in (chengkou_run / "inputs").iterdir()} == {"inventory", "coefficients", "methods",
                                                                     "price_indices.csv"}
    assert (chengkou_run / "inputs" / "inventory" / "extent.csv").read_bytes() == (CHENGKOU / "extent.csv").read_bytes()
    assert [p.name for p in (chengkou_run / "inputs" / "coefficients").iterdir()] == ["default.csv"]
    services = pd.read_csv(chengkou_run / "gep_services.csv", dtype={"region_code": str})
    for column in ("region_code", "region_name", "year", "category", "service", "indicator", "ecosystem",
                   "quantity", "quantity_unit", "price", "price_unit", "value_yuan", "in_gep"):
        assert column in services.columns
    assert set(services["category"]) == {"provisioning", "regulating", "cultural"}
    summary = pd.read_csv(chengkou_run / "gep_summary.csv", dtype={"region_code": str})
    assert list(summary.columns[:7]) == ["region_code", "region_name", "region_level", "parent_code", "year",
                                         "provisioning_yuan", "regulating_yuan"]
    assert sorted(summary["year"].unique()) == [2017, 2018, 2019, 2020, 2021]


def test_chengkou_townships_add_up_to_the_county(chengkou_run):
    summary = pd.read_csv(chengkou_run / "gep_summary.csv", dtype={"region_code": str, "parent_code": str})
    county = summary[summary["region_code"] == "500229"].set_index("year")
    townships = summary[summary["parent_code"] == "500229"].groupby("year")
    assert townships.size().eq(25).all()
    for col in ("provisioning_yuan", "regulating_yuan", "cultural_yuan", "gep_yuan"):
        pd.testing.assert_series_equal(townships[col].sum(), county[col], check_names=False, rtol=1e-9)


def test_chengkou_gep_is_plausible_for_a_mountain_county(chengkou_run):
    """Published mountain regions lie around 500–3000 万元/km² (chengkou-data.md §3.2: Garzê ≈ 504,
    Lishui ≈ 2905); regulating services make up 70–95 % of GEP in those studies (Garzê 90.7 %)."""
    summary = pd.read_csv(chengkou_run / "gep_summary.csv", dtype={"region_code": str})
    county = summary[summary["region_code"] == "500229"]
    per_km2_wan = county["gep_per_km2_yuan"] / 1e4
    assert per_km2_wan.between(500, 3000).all()
    share = county["regulating_yuan"] / county["gep_yuan"]
    assert share.between(0.7, 0.97).all()


def test_netcdf_holds_the_same_numbers(chengkou_run):
    ds = xr.open_dataset(chengkou_run / "gep_results.nc")
    summary = pd.read_csv(chengkou_run / "gep_summary.csv", dtype={"region_code": str})
    expected = summary.set_index(["region_code", "year"])["gep_yuan"]
    got = ds["gep_yuan"].to_series()
    assert got.loc[("500229", 2021)] == pytest.approx(expected.loc[("500229", 2021)], rel=1e-12)
    in_gep = ds["value_yuan"].where(ds["item_in_gep"] == 1).sel(region="500229", year=2020).sum()
    assert float(in_gep) == pytest.approx(expected.loc[("500229", 2020)], rel=1e-9)
    ds.close()


def test_manifest_hashes_inputs_and_outputs(chengkou_run):
    manifest = json.loads((chengkou_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["gep_summary.csv"] == sha256(chengkou_run / "gep_summary.csv")
    assert any(k.endswith("extent.csv") for k in manifest["inputs"])
    assert any(k.endswith("default.csv") for k in manifest["coefficient_registers"])
    assert manifest["inputs"]["inputs/inventory/extent.csv"] == sha256(CHENGKOU / "extent.csv")
    assert manifest["options"] == {"base_register": "default.csv", "coefficients": [], "exclude": [], "lang": "zh",
                                   "base_year": None, "base_year_used": 2021, "price_indices": "price_indices.csv",
                                   "method": "default.yaml", "method_name": "default",
                                   "method_differs_from_default": {}}
    assert manifest["reproducible_command"] == "gep run chengkou"
    assert "--out" in manifest["command"] and manifest["created"].endswith("Z")


def test_existing_output_is_never_overwritten_silently(chengkou_run, capsys):
    before = sha256(chengkou_run / "gep_summary.csv")
    assert main(["run", str(CHENGKOU), "--out", str(chengkou_run)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert sha256(chengkou_run / "gep_summary.csv") == before


def test_overwrite_keeps_the_previous_run(tmp_path, tiny):
    out = tmp_path / "out"
    assert main(["run", str(tiny), "--out", str(out)]) == 0
    first = sha256(out / "gep_summary.csv")
    assert main(["run", str(tiny), "--out", str(out), "--overwrite"]) == 0
    previous = tmp_path / "out.previous-1"
    assert previous.is_dir() and sha256(previous / "gep_summary.csv") == first


def test_failed_run_leaves_nothing_behind(tmp_path, tiny):
    (tiny / "extent.csv").write_text("区划代码,年份,生态系统类型,面积\n990001,2020,森林,1\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(tiny), "--out", str(out)]) == 1
    assert not out.exists()
    assert not any(p.name.startswith(".out.partial") for p in tmp_path.iterdir())


def test_two_runs_give_byte_identical_outputs(tmp_path, tiny):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(tiny), "--out", str(a)]) == 0
    assert main(["run", str(tiny), "--out", str(b)]) == 0
    pages = [f"trace/{p.name}" for p in (a / "trace").iterdir()]
    for name in OUTPUTS - {"manifest.json", "trace"} | set(pages):  # the NetCDF included: no timestamp in it
        assert sha256(a / name) == sha256(b / name), name
    ma = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    mb = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    assert ma["inputs"] == mb["inputs"] and ma["outputs"] == mb["outputs"]
    # the reports show the command without the output folder; the manifest keeps the full one
    assert "--out" not in (a / "gep_report.html").read_text(encoding="utf-8")
    assert ma["command"] != mb["command"] and ma["reproducible_command"] == mb["reproducible_command"]


def test_english_report(tmp_path, tiny):
    out = tmp_path / "en"
    assert main(["run", str(tiny), "--out", str(out), "--lang", "en"]) == 0
    assert 'lang="en"' in (out / "gep_report.html").read_text(encoding="utf-8")
