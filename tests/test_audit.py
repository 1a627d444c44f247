"""Audit: self-contained run folders, deterministic packs, verification by recomputation, diff of two runs.

All on the tiny inventory (conftest.py); the hand-computed amounts come from test_accounting.py."""
from __future__ import annotations

import csv
import json
import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from gep.audit import verify
from gep.diff import diff
from gep.cli import main
from gep.outputs import sha256

from conftest import tiny_tables, write_tables

# the default reservoir unit cost, 7.53 元/m³ at 2011 prices, carried to 2020 by the FAI index
# (coefficients/price_indices.csv: 2012–2019 FAI, 2020 CPI substituted)
RES_2020 = 7.53 * 1.011 * 1.003 * 1.005 * 0.982 * 0.994 * 1.058 * 1.054 * 1.026 * 1.0251


def run_tiny(inventory: Path, out: Path, *args: str) -> Path:
    assert main(["run", str(inventory), "--out", str(out), *args]) == 0
    return out


def rewrite_member(pack: Path, member: str, change) -> None:
    """Rewrite the zip with one member's bytes replaced by change(bytes) (a valid archive, CRC and all)."""
    with zipfile.ZipFile(pack) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    assert member in [i.filename for i, _ in members], member
    with zipfile.ZipFile(pack, "w") as zf:
        for info, data in members:
            zf.writestr(info, change(data) if info.filename == member else data)


def files_of(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, Path]:
    """One run of the tiny inventory for the module: (inventory, run folder); tests work on copies."""
    base = tmp_path_factory.mktemp("audit")
    inventory = write_tables(base / "tiny", tiny_tables())
    return inventory, run_tiny(inventory, base / "tiny-run")


@pytest.fixture
def tiny_run(tmp_path, pristine) -> Path:
    return Path(shutil.copytree(pristine[1], tmp_path / "tiny-run"))


@pytest.fixture
def tiny_pack(tiny_run) -> Path:
    assert main(["pack", str(tiny_run)]) == 0
    pack = tiny_run.with_name("tiny-run.gep-pack.zip")
    assert pack.is_file()
    return pack


# ----------------------------------------------------------------------------------------------
# run folder and manifest


def test_run_folder_holds_its_inputs(tiny_run, pristine):
    tiny = pristine[0]
    inventory = tiny_run / "inputs" / "inventory"
    assert sorted(p.name for p in inventory.iterdir()) == sorted(p.name for p in tiny.iterdir())
    for p in tiny.iterdir():
        assert (inventory / p.name).read_bytes() == p.read_bytes()
    manifest = json.loads((tiny_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["inputs/inventory/extent.csv"] == sha256(tiny / "extent.csv")
    assert list(manifest["coefficient_registers"]) == ["inputs/coefficients/default.csv"]
    assert manifest["inventory"] == {"name": "tiny", "kind": "folder"}
    assert set(manifest["outputs"]) >= {"gep_services.csv", "gep_summary.csv", "gep_results.nc",
                                        "gep_workbook.xlsx", "gep_report.html", "coefficients_used.csv"}
    assert "gep run tiny" in (tiny_run / "gep_report.html").read_text(encoding="utf-8")


def test_register_names_are_made_unique_in_order(tmp_path, tiny, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    header = "key,value,unit,price_year,price_index,ecosystem,region,source,clause,status,note\n"
    (tmp_path / "a" / "default.csv").write_text(header + "carbon_price,100,元/t CO2,2023,cpi,,,a,,unverified,\n",
                                                encoding="utf-8")
    (tmp_path / "b" / "default.csv").write_text(header + "carbon_price,200,元/t CO2,2023,cpi,,,b,,unverified,\n",
                                                encoding="utf-8")
    out = run_tiny(tiny, tmp_path / "run", "--coefficients", str(tmp_path / "a" / "default.csv"),
                   "--coefficients", str(tmp_path / "b" / "default.csv"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["coefficient_registers"]) == ["inputs/coefficients/default.csv",
                                                       "inputs/coefficients/default-2.csv",
                                                       "inputs/coefficients/default-3.csv"]
    assert manifest["options"]["coefficients"] == ["default-2.csv", "default-3.csv"]
    used = pd.read_csv(out / "coefficients_used.csv").set_index("key")
    assert used.loc["carbon_price", "value"] == 200 and used.loc["carbon_price", "register"] == "default-3.csv"
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    assert "reproduce exactly" in capsys.readouterr().out


def test_two_runs_are_byte_identical(tmp_path, tiny):
    a, b = run_tiny(tiny, tmp_path / "a"), run_tiny(tiny, tmp_path / "b")
    fa, fb = files_of(a), files_of(b)
    del fa["manifest.json"], fb["manifest.json"]
    assert fa == fb  # every output incl. the NetCDF, workbook and report, and every input copy
    ma = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    mb = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    for m in (ma, mb):
        del m["created"], m["command"]  # the time and the full command line (with --out) differ
    assert ma == mb


def test_workbook_inventory_is_kept_and_verified(tmp_path, tiny, capsys):
    book = tmp_path / "tiny.xlsx"
    with pd.ExcelWriter(book) as writer:
        for f in sorted(tiny.glob("*.csv")):
            pd.read_csv(f, dtype=str, keep_default_na=False).to_excel(writer, sheet_name=f.stem, index=False)
    out = run_tiny(book, tmp_path / "book-run")
    assert [p.name for p in (out / "inputs" / "inventory").iterdir()] == ["tiny.xlsx"]
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inventory"]["kind"] == "workbook"
    assert main(["pack", str(out)]) == 0
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "book-run.gep-pack.zip")]) == 0
    assert "reproduce exactly" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------------
# pack and verify


def test_pack_then_verify(tiny_pack, capsys):
    capsys.readouterr()
    assert main(["verify", str(tiny_pack)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("verified: ") and out[-1].endswith(" figures reproduce exactly")
    assert int(out[-1].split()[1]) > 100


def test_verify_a_run_folder(tiny_run):
    result = verify(tiny_run)
    assert result.ok and result.figures > 100


def test_pack_is_deterministic(tiny_run, tiny_pack, tmp_path):
    again = tmp_path / "again.zip"
    for f in tiny_run.rglob("*"):  # file times do not enter the pack
        os.utime(f, (1_700_000_000, 1_700_000_000))
    assert main(["pack", str(tiny_run), "--to", str(again)]) == 0
    assert again.read_bytes() == tiny_pack.read_bytes()
    with zipfile.ZipFile(tiny_pack) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names) and all(n.startswith("tiny-run/") for n in names)
    assert "tiny-run/inputs/inventory/extent.csv" in names and "tiny-run/manifest.json" in names
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_pack_never_overwrites(tiny_run, tiny_pack, capsys):
    before = tiny_pack.read_bytes()
    assert main(["pack", str(tiny_run)]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and len(err.strip().splitlines()) == 1
    assert tiny_pack.read_bytes() == before


def test_altered_input_fails_naming_the_file(tiny_pack, capsys):
    # 990002 forest 2020: "300" hm² becomes "200" — one byte
    def change(data: bytes) -> bytes:
        text = data.decode("utf-8")
        old = "990002,2020,forest,300"
        assert text.count(old) == 1
        return text.replace(old, "990002,2020,forest,200").encode("utf-8")
    rewrite_member(tiny_pack, "tiny-run/inputs/inventory/extent.csv", change)
    capsys.readouterr()
    assert main(["verify", str(tiny_pack)]) == 1
    out = capsys.readouterr().out
    assert "altered file: inputs/inventory/extent.csv" in out
    assert "differs: gep_services.csv 990002/2020/water_conservation/water_retained/forest quantity" in out
    assert out.strip().splitlines()[-1].startswith("FAILED: ")


def test_altered_figure_fails_naming_the_figure(tiny_pack, capsys):
    # water retained by 990001's forest in 2020: 464 800 m³ × 7.53 元/m³ carried 2011 → 2020 by the FAI
    # index (test_accounting.py)
    member = "tiny-run/gep_services.csv"
    with zipfile.ZipFile(tiny_pack) as zf:
        text = zf.read(member).decode("utf-8")
    row = next(r for r in csv.DictReader(text.splitlines())
               if (r["region_code"], r["year"], r["indicator"], r["ecosystem"]) == ("990001", "2020", "water_retained", "forest"))
    recorded = row["value_yuan"]
    assert float(recorded) == pytest.approx(464_800 * RES_2020)
    line = next(ln for ln in text.splitlines() if ln.startswith("990001,") and ",water_retained,forest," in ln
                and ",2020," in ln)
    forged = line.replace(f",{recorded},", ",3599944.0,")
    rewrite_member(tiny_pack, member, lambda data: data.decode("utf-8").replace(line, forged).encode("utf-8"))
    capsys.readouterr()
    assert main(["verify", str(tiny_pack)]) == 1
    out = capsys.readouterr().out
    assert "altered file: gep_services.csv" in out
    assert (f"differs: gep_services.csv 990001/2020/water_conservation/water_retained/forest value_yuan: "
            f"recorded 3599944.0, recomputed {recorded}") in out


def test_forged_manifest_is_caught_by_recomputation(tiny_pack, tmp_path):
    # change a figure and record its new hash in the manifest: only the recomputation can tell
    member = "tiny-run/gep_summary.csv"
    with zipfile.ZipFile(tiny_pack) as zf:
        summary = zf.read(member).decode("utf-8")
        manifest = json.loads(zf.read("tiny-run/manifest.json"))
    first = summary.splitlines()[1]
    gep = first.split(",")[8]
    forged = summary.replace(first, first.replace(f",{gep},", f",{float(gep) + 1},", 1)).encode("utf-8")
    manifest["outputs"]["gep_summary.csv"] = __import__("hashlib").sha256(forged).hexdigest()
    rewrite_member(tiny_pack, member, lambda data: forged)
    rewrite_member(tiny_pack, "tiny-run/manifest.json",
                   lambda data: json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    result = verify(tiny_pack)
    assert not result.ok and not result.file_problems
    assert [(d[0], d[1]) for d in result.differing] == [("gep_summary.csv 990000/2020", "gep_yuan")]


def test_extra_and_missing_files_are_named(tiny_run):
    (tiny_run / "inputs" / "inventory" / "notes.txt").write_text("x", encoding="utf-8")
    (tiny_run / "gep_report.html").unlink()
    result = verify(tiny_run)
    assert not result.ok
    assert "extra file: inputs/inventory/notes.txt (not in the manifest)" in result.file_problems
    assert "missing file: gep_report.html" in result.file_problems
    assert result.lines[-1].startswith("FAILED: ")


@pytest.mark.parametrize("evil", ["../evil.txt", "ABSOLUTE", "C:/evil.txt", "tiny-run/../../evil.txt"])
def test_unsafe_member_is_refused(tiny_pack, tmp_path, capsys, evil):
    target = tmp_path / "outside" / "evil.txt"
    name = str(target) if evil == "ABSOLUTE" else evil
    with zipfile.ZipFile(tiny_pack, "a") as zf:
        zf.writestr(zipfile.ZipInfo(name), b"evil")
    before = sorted(p for p in tmp_path.parent.rglob("*evil*"))
    capsys.readouterr()
    assert main(["verify", str(tiny_pack)]) == 1
    err = capsys.readouterr().err
    assert f"member '{name}'" in err and "refusing" in err and len(err.strip().splitlines()) == 1
    assert not target.exists()
    assert sorted(p for p in tmp_path.parent.rglob("*evil*")) == before


def test_symlink_member_is_refused(tiny_pack, capsys):
    info = zipfile.ZipInfo("tiny-run/link")
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    with zipfile.ZipFile(tiny_pack, "a") as zf:
        zf.writestr(info, "/etc/passwd")
    assert main(["verify", str(tiny_pack)]) == 1
    assert "member 'tiny-run/link' is a symbolic link" in capsys.readouterr().err


def test_errors_are_one_line(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "missing.zip")]) == 1
    assert main(["pack", str(tmp_path)]) == 1
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert main(["verify", str(tmp_path / "junk.zip")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("gep: ") for line in err)


# ----------------------------------------------------------------------------------------------
# diff


def test_diff_attributes_each_change(tmp_path, tiny):
    a = run_tiny(tiny, tmp_path / "a")
    tables = tiny_tables()
    for r in tables["extent"]:
        if (r["region_code"], r["year"], r["ecosystem"]) == ("990002", 2020, "forest"):
            r["area [hm2]"] = 290  # was 300
    register = tmp_path / "user.csv"
    register.write_text("key,value,unit,price_year,price_index,ecosystem,region,source,clause,status,note\n"
                        "reservoir_unit_cost,10,元/m³,2020,fai,,,test,,unverified,\n", encoding="utf-8")
    b = run_tiny(write_tables(tmp_path / "tiny-b", tables), tmp_path / "b", "--coefficients", str(register))
    deltas = tmp_path / "deltas.csv"
    result = diff(a, b, csv_path=deltas)
    text = result.text
    assert "inputs/inventory/extent.csv changed" in text
    assert "extent [990002, 2020, forest] area: 300 → 290" in text
    assert "register inputs/coefficients/user.csv added" in text
    assert "coefficient reservoir_unit_cost [*] changed: 7.53 元/m³" in text
    labels = [c.label for c in result.changes]
    assert labels == ["inputs/inventory/extent.csv changed", "coefficient reservoir_unit_cost [*] changed"]
    price = result.effects[2]["delta_yuan"]
    # The reservoir unit cost prices water conservation and reservoir flood storage. County 2020:
    # water retained = forest 1 859 200 + grassland 121 890 + reservoir 40 000 = 2 021 090 m³
    # (test_water_conservation_by_hand), flood storage 0.35 × 1 000 000 = 350 000 m³;
    # (2 021 090 + 350 000) m³ × (10 − 7.53 × FAI 2011→2020) 元/m³ in 2020; in 2021 both prices carry one
    # more FAI year (100.92), so the effect is 1.0092 times larger.
    dp = 10 - RES_2020
    assert price[("990000", 2020)] == pytest.approx(2_371_090 * dp, rel=1e-9)
    assert price[("990000", 2021)] == pytest.approx(2_371_090 * dp * 1.0092, rel=1e-9)
    assert price[("990001", 2020)] == pytest.approx((464_800 + 121_890 + 40_000 + 350_000) * dp, rel=1e-9)
    area = result.effects[1]["delta_yuan"]
    assert area[("990000", 2021)] == 0 and area[("990000", 2020)] < 0
    # Interaction: 10 hm² less forest retain 0.4648 m × 100 000 m² = 46 480 m³ less water, which the
    # one-at-a-time area effect values at the default price and the price effect does not see:
    # residual −46 480 m³ × Δp.
    assert result.residual[("990000", 2020)] == pytest.approx(-46_480 * dp, rel=1e-9)
    assert result.residual[("990000", 2021)] == pytest.approx(0, abs=1e-6)
    total = result.total["delta_yuan"][("990000", 2020)]
    assert total == pytest.approx(area[("990000", 2020)] + price[("990000", 2020)] - 46_480 * dp, rel=1e-9)

    frame = pd.read_csv(deltas, dtype={"region_code": str})
    water = frame[(frame.change_id == 2) & (frame.kind == "figure") & (frame.region_code == "990001")
                  & (frame.year == 2020) & (frame.indicator == "water_retained") & (frame.ecosystem == "forest")]
    assert water["delta_yuan"].iloc[0] == pytest.approx(464_800 * dp, rel=1e-9)
    assert set(frame.change_id) == {0, 1, 2}


def test_diff_of_identical_runs(tmp_path, tiny, capsys):
    a = run_tiny(tiny, tmp_path / "a")
    assert main(["pack", str(a)]) == 0
    capsys.readouterr()
    assert main(["diff", str(a), str(tmp_path / "a.gep-pack.zip")]) == 0  # a folder against its own pack
    text = capsys.readouterr().out
    assert "no differences" in text and "Inventory files: identical" in text
    assert "Total ΔGEP A→B               2020: 0  2021: 0" in text
