"""Method profiles: the shipped profiles, user profiles that extend them, clear errors, and a profile carried
through a run folder (copied, named in the manifest and the command, recomputed by verify, attributed by diff).

Amounts on the tiny inventory (conftest.py) are computed by hand as in test_accounting.py."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gep.audit import verify
from gep.diff import diff
from gep.cli import main
from gep.method import DEFAULT_METHOD, MethodError, catalogue, load_method

from test_accounting import CPI, carried


def write_profile(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_profiles_choose_every_option_with_its_evidence():
    for name in (DEFAULT_METHOD, "garze-2017"):
        method = load_method(name)
        assert set(catalogue()["choices"]) <= set(method.choices), name
        for choice in method.choices.values():
            assert choice.status in ("seen", "recalled", "derived") and choice.source, (name, choice.choice)
            assert "shared" not in choice.source and ".md" not in choice.source  # cite what a user can look up
    # the published Garzê equations: every option as printed there (白玛卓嘎 et al. 2017, eqs.(8)–(13), 表3)
    garze = load_method("garze-2017")
    assert {c.choice: c.option for c in garze.choices.values()} == {
        "climate_regulation.transpiration_heat": "epp_table", "climate_regulation.cooling_days": "as_given",
        "climate_regulation.water_surface_days": "whole_year", "climate_regulation.water_surface_divisor": "none",
        "climate_regulation.humidifier": "always", "flood_regulation.vegetation_storage": "excluded",
        "flood_regulation.reservoir_storage": "ratio_of_total", "hydropower.price_basis": "electricity_price",
        "soil_retention.nutrient_price_basis": "removal_cost",
        "carbon_sequestration.price_basis": "afforestation_cost", "pest_control.in_gep": "counted"}
    assert all(c.status == "seen" for c in garze.choices.values())


def test_a_user_profile_extends_the_default_and_changes_one_choice(tmp_path):
    own = write_profile(tmp_path / "own.yaml", """
name: own
zh: 本县方案
en: Our county's profile
extends: default
choices:
  climate_regulation.humidifier: {option: always, status: recalled, source: "our guideline, §3.2"}
""")
    method = load_method(own)
    assert method.name == "own" and method.option("climate_regulation.humidifier") == "always"
    assert method.option("climate_regulation.water_surface_divisor") == "energy_efficiency_ratio"  # from default
    differs = method.differences(load_method(DEFAULT_METHOD))
    assert [(a.choice, a.option, b.option) for a, b in differs] == [
        ("climate_regulation.humidifier", "always", "below_humidity_threshold")]
    assert [r["choice"] for r in method.rows("en") if r["differs"]] == ["climate_regulation.humidifier"]


@pytest.mark.parametrize("body, message", [
    ("choices:\n  climate_regulation.humidifier: {option: sometimes, status: seen, source: x}\n",
     r"climate_regulation.humidifier: option 'sometimes' is not one of below_humidity_threshold, always"),
    ("choices:\n  climate_regulation.fan_speed: {option: fast, status: seen, source: x}\n",
     r"choices.climate_regulation.fan_speed: unknown choice"),
    ("choices:\n  climate_regulation.humidifier: {option: always, status: guessed, source: x}\n",
     r"choices.climate_regulation.humidifier.status: 'guessed' is not one of"),
    ("in_gep:\n  oxygen_release: {option: information_only, status: seen, source: x}\n",
     r"in_gep.oxygen_release: a service computed for information needs a reason"),
    ("in_gep:\n  sunshine: {option: counted, status: seen, source: x}\n", r"in_gep.sunshine: unknown service"),
])
def test_a_profile_that_does_not_fit_the_catalogue_is_refused_saying_where(tmp_path, body, message):
    bad = write_profile(tmp_path / "bad.yaml", f"name: bad\nzh: 坏\nen: Bad\nextends: default\n{body}")
    with pytest.raises(MethodError, match=message):
        load_method(bad)


def test_a_profile_without_extends_must_choose_every_option(tmp_path):
    partial = write_profile(tmp_path / "partial.yaml", "name: partial\nzh: 部分\nen: Partial\nchoices: {}\n")
    with pytest.raises(MethodError, match=r"no option chosen for climate_regulation.transpiration_heat, "):
        load_method(partial)
    with pytest.raises(MethodError, match=r"unknown method profile 'nonesuch': give one of default, garze-2017"):
        load_method("nonesuch")


def test_a_run_keeps_its_profile_and_verify_recomputes_it(tmp_path, tiny, capsys):
    own = write_profile(tmp_path / "own.yaml", """
name: own
zh: 本县方案
en: Our county's profile
extends: default
in_gep:
  pest_control: {option: counted, status: seen, source: "our county's indicator list"}
""")
    out = tmp_path / "run"
    assert main(["run", str(tiny), "--out", str(out), "--method", str(own)]) == 0
    # the profile and the one it extends are copied; the manifest names the copy, the command the profile
    assert sorted(p.name for p in (out / "inputs" / "methods").iterdir()) == ["default.yaml", "own.yaml"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["method"] == "own.yaml" and manifest["options"]["method_name"] == "own"
    assert manifest["options"]["method_differs_from_default"] == {"pest_control.in_gep": "counted"}
    assert "--method own" in manifest["reproducible_command"]
    assert "inputs/methods/own.yaml" in manifest["inputs"]
    result = verify(out)
    assert result.ok, result.lines


def test_diff_attributes_a_method_change_like_a_coefficient_change(tmp_path, tiny):
    counted = write_profile(tmp_path / "counted.yaml", """
name: counted
zh: 计入病虫害控制
en: Pest control counted
extends: default
in_gep:
  pest_control: {option: counted, status: seen, source: "白玛卓嘎 et al. 2017 表3"}
""")
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(tiny), "--out", str(a)]) == 0
    assert main(["run", str(tiny), "--out", str(b), "--method", str(counted)]) == 0
    d = diff(a, b)
    assert [c.label for c in d.changes] == ["method pest_control.in_gep: information_only → counted"]
    # counting pest control adds it to GEP: 990001 natural forest 80 hm² × 375 + grassland 30 hm² × 112.5,
    # 990002 natural forest 300 hm² × 375: 30 000 + 3 375 + 112 500 = 145 875 元 at 2010 prices, carried to 2020 by
    # the CPI
    gep = d.effects[1].loc[("990000", 2020), "delta_yuan"]
    assert gep == pytest.approx(145_875 * carried(CPI, 2010, 2020), rel=1e-12)
    assert d.residual.abs().max() < 1e-6


def test_the_price_bases_and_reservoir_rule_of_the_garze_profile_by_hand(tmp_path):
    from gep.accounting import Options, account
    from gep.coefficients import load_register
    from gep.inventory import load_inventory

    from conftest import tiny_tables, write_tables
    from test_accounting import FAI, PPI, row

    t = tiny_tables()
    for r in t["water_bodies"]:
        r["flood_storage [m3]"] = 200_000  # the reservoir's flood-control capacity, where the method uses it
    inventory = load_inventory(write_tables(tmp_path / "tiny", t))
    default, garze = (account(inventory, load_register(), Options(method=m)) for m in ("default", "garze-2017"))
    # hydropower: the default takes 甲电站's own on-grid tariff (0.30 元/kWh); Garzê values generation at the
    # electricity price of climate regulation, 0.52 元/kWh held nominal: 1e6 kWh × 0.52 = 520 000 元
    assert row(default, "990001", 2020, "hydropower", "generation", "all").value_yuan == pytest.approx(300_000)
    assert row(garze, "990001", 2020, "hydropower", "generation", "all").value_yuan == pytest.approx(520_000)
    # N kept in the soil, 22.275 t (test_accounting.py): Garzê's removal cost 875 元/t at 2010 prices, PPI
    n = row(garze, "990001", 2020, "soil_retention", "reduced_nitrogen_loss", "forest")
    assert n.value_yuan == pytest.approx(22.275 * 875 * carried(PPI, 2010, 2020), rel=1e-12)
    # 550 t CO2 at Garzê's afforestation cost, 380 元/t at 2010 prices carried by the FAI index (2011: 106.6,
    # coefficients/price_indices.csv; later years as in test_accounting.py)
    co2 = row(garze, "990001", 2020, "carbon_sequestration", "co2_fixed", "forest")
    assert co2.value_yuan == pytest.approx(550 * 380 * carried({2011: 106.6, **FAI}, 2010, 2020), rel=1e-12)
    # reservoirs: the default uses the declared flood-control capacity, Garzê 0.35 × total storage
    assert row(default, "990001", 2020, "flood_regulation", "reservoir_storage", "wetland_reservoir").quantity == 200_000
    assert row(garze, "990001", 2020, "flood_regulation", "reservoir_storage",
               "wetland_reservoir").quantity == pytest.approx(350_000, rel=1e-12)


def test_reports_name_the_profile_and_what_differs_from_the_default(tmp_path, tiny, capsys):
    import openpyxl
    out = tmp_path / "garze"
    assert main(["run", str(tiny), "--out", str(out), "--method", "garze-2017"]) == 0
    printed = capsys.readouterr().out
    assert "核算方案：甘孜州2017年发表公式（白玛卓嘎等）（garze-2017）" in printed
    # the eleven choices of the Garzê profile all differ from the default's and all rest on the paper itself
    assert printed.count("与默认方案不同：") == 11
    assert "11 项公式选择中，11 项已见原文，0 项凭记忆（未见原文），0 项为推算。" in printed
    html = (out / "gep_report.html").read_text(encoding="utf-8")
    assert '<section id="method">' in html and html.count("<td>≠</td>") == 11
    assert "核算方案：甘孜州2017年发表公式" in (out / "trace" / "2020.html").read_text(encoding="utf-8")
    about = openpyxl.load_workbook(out / "gep_formulas.xlsx")["说明"]
    assert any("核算方案：甘孜州2017年发表公式" in str(c.value) for c in about["A"])
    workbook = openpyxl.load_workbook(out / "gep_workbook.xlsx")["说明"]
    assert sum(c.value == "≠" for c in workbook["A"]) == 11
    default = tmp_path / "default"
    assert main(["run", str(tiny), "--out", str(default), "--lang", "en"]) == 0
    assert "Every formula choice is the default profile's." in capsys.readouterr().out
