"""``gep pack`` / ``gep verify`` on trading-valuation folders: recomputed from their own ``inputs/``.

Expected values are computed by hand in the comments (the tiny county is described in conftest.py; the
monitoring example is inventories/chengkou/requests/water-monitoring-example.csv, its rows annotated).
"""
from __future__ import annotations

import csv
import json
import zipfile

import pandas as pd
import pytest

from gep.audit import verify
from gep.jobfolder import read_manifest
from gep.jobs import job_of
from gep.cli import main

from conftest import CHENGKOU
from test_audit import rewrite_member
from gep.trading.request import RequestError, load_request
from test_trading import _TRADE, _monitoring, _tiny_request

REQUESTS = CHENGKOU / "requests"


def _pack(folder, capsys):
    assert main(["pack", str(folder)]) == 0
    capsys.readouterr()
    return folder.parent / f"{folder.name}.gep-pack.zip"


def test_the_2019_trade_folder_packs_and_verifies(tmp_path, capsys):
    out = tmp_path / "trade-2019"
    assert main(["trade", str(REQUESTS / "2019-jiulongpo.yaml"), "--out", str(out)]) == 0
    manifest = read_manifest(out)
    assert job_of(manifest).kind == "trade"
    # everything the recomputation needs is recorded: the request's copy, the registers as applied, the
    # price indices the forest GEP was computed with
    options = manifest["options"]
    assert (options["kind"], options["request"], options["base_register"], options["coefficients"]) == \
        ("trade", "2019-jiulongpo.yaml", "default.csv", ["trading.csv"])
    assert "inputs/price_indices.csv" in manifest["inputs"] and "inputs/inventory/extent.csv" in manifest["inputs"]
    pack = _pack(out, capsys)
    assert main(["verify", str(pack)]) == 0
    text = capsys.readouterr().out
    assert "figures reproduce exactly" in text and "every number and yes/no of valuation.json" in text


def test_a_tampered_price_in_the_pack_is_named_with_the_figures_it_moves(tmp_path, capsys):
    request = _tiny_request(tmp_path, _TRADE)
    out = tmp_path / "tiny-trade"
    assert main(["trade", str(request), "--out", str(out)]) == 0
    pack = _pack(out, capsys)
    rewrite_member(pack, "tiny-trade/inputs/request/request.yaml",
                   lambda data: data.replace("price: 2500 元/亩".encode(), "price: 2600 元/亩".encode()))
    assert main(["verify", str(pack)]) == 1
    text = capsys.readouterr().out
    assert "altered file: inputs/request/request.yaml" in text
    # 150 亩 × 2500 元/亩 = 375 000 元 recorded; × 2600 元/亩 = 390 000 元 recomputed, in 3 instalments
    # (the register's payment_instalments) of 125 000 → 130 000 元
    assert "differs: valuation.json trade total_price_yuan: recorded 375000.0, recomputed 390000.0" in text
    assert "differs: payment_schedule.csv 1 amount_yuan: recorded 125000.0, recomputed 130000.0" in text
    assert "differs: obligations.csv 990000/2021/甲区 金额 [元]: recorded 375000.0, recomputed 390000.0" in text
    # the maintenance fee (100 元/亩/a × 150 亩 = 15 000 元/a) does not depend on the price
    assert "differs: maintenance.csv" not in text
    assert "output differs: valuation.xlsx" in text and "FAILED" in text


def test_a_trade_with_a_monitoring_table_elsewhere_is_recomputed_from_the_copy(tmp_path):
    # the request names its monitoring table and inventory by relative paths that do not exist beside the copy
    (tmp_path / "data").mkdir()
    _monitoring(tmp_path / "data", [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])
    request = _tiny_request(tmp_path, _TRADE + "water_compensation: {monitoring: data/monitoring.csv}\n")
    out = tmp_path / "out"
    assert main(["trade", str(request), "--out", str(out), "--lang", "en"]) == 0
    assert read_manifest(out)["options"]["monitoring"] == "monitoring.csv"
    result = verify(out)
    assert result.ok, result.lines


def test_a_compensation_folder_keeps_and_reuses_its_rule(tmp_path, capsys):
    out = tmp_path / "water"
    assert main(["compensation", str(REQUESTS / "water-monitoring-example.csv"), "--out", str(out),
                 "--unchanged", "downstream_pays", "--amount", "50 万元/month"]) == 0
    manifest = read_manifest(out)
    assert manifest["options"]["compensation"] == {"amount": "50 万元/month",
                                                   "rules": {"unchanged": "downstream_pays"}}
    assert "--unchanged downstream_pays" in manifest["reproducible_command"]
    # 甲区→乙区: month 1 improved (乙 pays 甲 +50万), 2 worse (甲 pays −50万), 3 unchanged (declared: downstream
    # pays, +50万), 4 fails (default: upstream pays, −50万): net 0; 乙区→丙区: improved + unchanged = +100万.
    # With the default rule (nobody pays when unchanged) 甲区 would get −50万 and 乙区 +50万: verify passing
    # means the recomputation applied the recorded rule and amount.
    with open(out / "water_yearly.csv", encoding="utf-8") as fh:
        net = {(r["upstream"], r["downstream"]): float(r["net_to_upstream_yuan"]) for r in csv.DictReader(fh)}
    assert net == {("甲区", "乙区"): pytest.approx(0.0), ("乙区", "丙区"): pytest.approx(1e6)}
    pack = _pack(out, capsys)
    assert main(["verify", str(pack)]) == 0
    assert "figures reproduce exactly" in capsys.readouterr().out
    # drop the recorded rule: the recomputation falls back to the default and the figures it moves are named
    with zipfile.ZipFile(pack) as zf:
        forged = json.loads(zf.read("water/manifest.json"))
    forged["options"]["compensation"]["rules"] = {}
    rewrite_member(pack, "water/manifest.json", lambda data: json.dumps(forged, ensure_ascii=False).encode("utf-8"))
    result = verify(pack)
    assert not result.ok
    assert ("water_yearly.csv 2021/甲区/乙区", "net_to_upstream_yuan", "0.0", "-500000.0") in result.differing
    assert ("water_yearly.csv 2021/乙区/丙区", "net_to_upstream_yuan", "1000000.0", "500000.0") in result.differing


def test_an_extra_register_is_kept_in_the_order_applied_and_diff_refuses_a_valuation(tmp_path, capsys):
    # the user's register is also called trading.csv: it is copied as trading-2.csv and applied last
    (tmp_path / "mine").mkdir()
    mine = tmp_path / "mine" / "trading.csv"
    mine.write_text("key,value,unit,price_year,price_index,ecosystem,region,source,clause,status,note\n"
                    "payment_instalments,2,1,,,,,test,,unverified,\n", encoding="utf-8")
    request = _tiny_request(tmp_path, _TRADE)
    out = tmp_path / "out"
    assert main(["trade", str(request), "--out", str(out), "--coefficients", str(mine)]) == 0
    manifest = read_manifest(out)
    assert manifest["options"]["coefficients"] == ["trading.csv", "trading-2.csv"]
    assert manifest["reproducible_command"] == "gep trade request.yaml --coefficients trading.csv"
    # 150 亩 × 2500 元/亩 = 375 000 元 in the user's 2 instalments (not the trading register's 3): 187 500 each
    with open(out / "payment_schedule.csv", encoding="utf-8") as fh:
        assert [float(r["amount_yuan"]) for r in csv.DictReader(fh)] == [187_500.0, 187_500.0]
    result = verify(out)
    assert result.ok, result.lines
    capsys.readouterr()
    assert main(["diff", str(out), str(out)]) == 1
    assert "is a trade folder: gep diff compares" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# found in review: the grid, paths a request copy names, a year without accounts, a buyer elsewhere


def test_a_trade_values_the_forest_with_the_inventorys_grid_and_verifies(tmp_path):
    import json

    from gridkit import write_tiny_grid
    from gep.audit import verify
    from gep.jobs.run import run
    from gep.jobs.valuation import run_valuation
    path = _tiny_request(tmp_path, _TRADE)
    write_tiny_grid(tmp_path / "tiny", years=(2021,))
    out, v = run_valuation(load_request(path), tmp_path / "trade")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["grid"] == "grid/grid.yaml" and "inputs/grid/npp.tif" in manifest["inputs"]
    # the forest figures are the gridded ones of a run on the same inventory
    services = pd.read_csv(run(tmp_path / "tiny", tmp_path / "run").folder / "gep_services.csv", dtype={"region_code": str})
    forest = services[(services.region_code == "990000") & (services.year == 2021) & (services.ecosystem == "forest")
                      & services.in_gep]
    assert v.result["trade"]["ecological_value"]["forest_gep_yuan"] == pytest.approx(forest["value_yuan"].sum(), rel=1e-12)
    assert "gridded" in set(pd.read_csv(out / "forest_services.csv")["path"])
    assert verify(out).ok


def test_verify_reads_no_file_a_request_copy_names_outside_the_folder(tmp_path):
    import json

    from gep.audit import verify
    from gep.outputs import sha256
    from gep.jobs.valuation import run_valuation
    secret = tmp_path / "secret.csv"
    secret.write_text("断面,上游,下游,年份,月份,目标类别,水质类别,上年同期类别\nA,秘密区,乙区,2021,1,III,II,III\n",
                      encoding="utf-8")
    path = _tiny_request(tmp_path, _TRADE)
    out, _ = run_valuation(load_request(path), tmp_path / "trade")
    # a crafted folder: the request copy now names a monitoring table outside the folder, hashes made to match
    copy = out / "inputs" / "request" / "request.yaml"
    copy.write_text(copy.read_text(encoding="utf-8") + "water_compensation: {monitoring: ../../../secret.csv}\n",
                    encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"]["inputs/request/request.yaml"] = sha256(copy)
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    result = verify(out)
    assert not result.ok
    assert any("outside the folder's inputs/" in p for p in result.file_problems), result.lines
    assert not any("秘密区" in line for line in result.lines)


def test_a_year_the_accounts_do_not_hold_is_a_message_not_a_traceback(tmp_path, capsys):
    from gep.cli import main
    # carbon only (no trade), for a year before the tiny inventory's 2020–2021
    path = _tiny_request(tmp_path, 'seller: {name: 示例县, region_code: "990000"}\ncarbon: {price: 50 元/t CO2}\n')
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2021", "year: 2016"), encoding="utf-8")
    assert main(["trade", str(path), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gep: ") and "2016" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_buyer_outside_the_sellers_inventory_is_valued_on_the_requests_figures(tmp_path):
    from gep.coefficients import load_register
    from gep.inventory import load_inventory
    from gep.trading.valuation import TRADING_REGISTER, value_request
    body = _TRADE.replace("buyer: {name: 甲区,", 'buyer: {name: 甲区, region_code: "500107",')
    req = load_request(_tiny_request(tmp_path, body))
    v = value_request(req, load_register(TRADING_REGISTER), load_inventory(req.inventory), None)
    # 甲区: 500 of 1000 hm² = 50 % → 510 / 1000 = 51 % with the 150 亩 = 10 hm² bought
    assert (v.result["trade"]["buyer"]["coverage_before_pct"], v.result["trade"]["buyer"]["coverage_after_pct"]) == \
        pytest.approx((50.0, 51.0))
    # without its figures, a code the inventory does not hold is an error naming buyer.region_code
    bare = _TRADE.replace("buyer: {name: 甲区, land_area: 1000 hm2, forest_area: 500 hm2}",
                          'buyer: {name: 甲区, region_code: "500107"}')
    (tmp_path / "b").mkdir()
    req = load_request(_tiny_request(tmp_path / "b", bare))
    with pytest.raises(RequestError, match="buyer.region_code"):
        value_request(req, load_register(TRADING_REGISTER), load_inventory(req.inventory), None)
