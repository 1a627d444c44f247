"""The job interface: gep verify, pack and diff ask the job that wrote a folder (gep.jobs.job_of) and know no
kind of folder themselves — so a job declared only in the registry, here a toy one, is verified like a run."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gep import jobs
from gep.audit import pack, verify
from gep.cli import main
from gep.jobfolder import (INPUTS, MANIFEST, AuditError, FigureFile, Job, JobInputs, copy_registers, created_now,
                           staged, write_manifest)
from gep.coefficients import DEFAULT_REGISTER


def _sum_numbers(inputs: JobInputs, out: Path, command: str) -> None:
    """The toy job: toy.csv holds, per row of the copied numbers.csv, a + b × the recorded option 'factor'."""
    factor = float(inputs.options["factor"])
    with staged(out) as stage:
        numbers = stage.path / INPUTS / "numbers.csv"
        numbers.parent.mkdir(parents=True)
        numbers.write_bytes((inputs.folder / INPUTS / "numbers.csv").read_bytes())
        registers = copy_registers(stage.path, [inputs.base], [inputs.base.name])
        with open(numbers, newline="", encoding="utf-8") as fh:
            rows = [(r["key"], float(r["a"]) + float(r["b"]) * factor) for r in csv.DictReader(fh)]
        with open(stage.path / "toy.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["key", "value"])
            w.writerows([(k, repr(v)) for k, v in rows])
        write_manifest(stage.path, command, "gep toy", {"kind": "toy", "factor": factor,
                                                       "base_register": registers[0].name},
                       {"name": "", "kind": ""}, [numbers], registers, created=created_now())


TOY = Job(kind="toy", recompute=_sum_numbers, figure_files=(FigureFile("toy.csv", ("key",), ("value",)),),
          options=("factor",))


@pytest.fixture
def toy_folder(tmp_path, monkeypatch):
    monkeypatch.setitem(jobs.JOBS, "toy", TOY)  # the one line a new job adds
    source = tmp_path / "source"
    (source / INPUTS).mkdir(parents=True)
    (source / INPUTS / "numbers.csv").write_text("key,a,b\nx,1,2\ny,10,0.5\n", encoding="utf-8")
    (source / INPUTS / "coefficients").mkdir()
    (source / INPUTS / "coefficients" / "default.csv").write_bytes(DEFAULT_REGISTER.read_bytes())
    inputs = JobInputs(folder=source, manifest={"options": {"factor": 2}}, inventory_path=source, inventory_kind="", name="",
                       base=source / INPUTS / "coefficients" / "default.csv", registers=[], exclude=(), lang="zh")
    out = tmp_path / "toy"
    _sum_numbers(inputs, out, "gep toy")
    return out


def test_a_job_declared_only_in_the_registry_is_verified_and_packed(toy_folder, tmp_path):
    # x: 1 + 2 × 2 = 5; y: 10 + 0.5 × 2 = 11
    with open(toy_folder / "toy.csv", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["key", "value"], ["x", "5.0"], ["y", "11.0"]]
    result = verify(toy_folder)
    assert result.ok, result.lines
    assert result.figures == 2  # the value of x and of y
    assert "(columns value of toy.csv)" in result.lines[-2]
    packed = pack(toy_folder, tmp_path / "toy.zip")
    assert verify(packed).ok


def test_a_figure_of_a_new_job_that_does_not_reproduce_is_named(toy_folder):
    manifest = json.loads((toy_folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["options"]["factor"] = 3  # recomputed: x 1 + 2 × 3 = 7, y 10 + 0.5 × 3 = 11.5
    (toy_folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    result = verify(toy_folder)
    assert not result.ok
    assert result.differing == [("toy.csv x", "value", "5.0", "7.0"), ("toy.csv y", "value", "11.0", "11.5")]


def test_a_folder_lacking_an_option_its_job_reads_is_refused_by_name(toy_folder):
    manifest = json.loads((toy_folder / MANIFEST).read_text(encoding="utf-8"))
    del manifest["options"]["factor"]
    (toy_folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    result = verify(toy_folder)
    assert not result.ok
    assert any("a toy folder records factor in its options; this manifest does not" in p for p in result.file_problems)


def test_a_folder_of_a_kind_no_job_declares_is_refused(toy_folder, monkeypatch, capsys):
    monkeypatch.delitem(jobs.JOBS, "toy")
    with pytest.raises(AuditError, match="a folder of kind 'toy' is not one this gep writes"):
        verify(toy_folder)
    assert main(["diff", str(toy_folder), str(toy_folder)]) == 1
    assert "a folder of kind 'toy' is not one this gep writes" in capsys.readouterr().err


def test_gep_diff_asks_the_job_whether_its_figures_are_accounts(toy_folder, capsys):
    assert main(["diff", str(toy_folder), str(toy_folder)]) == 1  # TOY does not account an inventory
    assert "is a toy folder: gep diff compares the GEP accounts of runs and statements" in capsys.readouterr().err


def test_every_job_kind_is_its_registry_key_and_names_each_figure_file_once():
    assert set(jobs.JOBS) == {"run", "statement", "trade", "compensation"}
    for kind, job in jobs.JOBS.items():
        assert job.kind == kind
        names = [f.name for f in job.figure_files]
        assert len(names) == len(set(names)), kind
    assert jobs.job_of({"options": {}}) is jobs.JOBS["run"]  # a gep run manifest records no kind
