"""Faults around outputs (issue 13): staging folders left by killed runs, formulas in CSV cells, and packs
whose zip headers lie about their size.

Runs use the tiny inventory of conftest.py (two townships, 2020–2021), not Chengkou, to stay fast."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gep.cli import main
from gep.outputs import STAGING_MARKER
from gep.run import remove_stale_staging, staged

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
