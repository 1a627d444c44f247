"""gep.jobs.beside: one writer in a forked child while the run writes the others — same files, same errors."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from gep.cli import main
from gep.jobs.beside import WriterFailed, beside

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform: writers run in turn")


@pytest.fixture(autouse=True)
def one_thread(request, monkeypatch):
    """A fresh command has one thread; the test process may still hold an earlier test's (dask keeps its pool of
    threads alive), which would make beside write in turn: the tests of the fork see the command's count. A child
    that never ends would hang the suite: each test fails after 120 s instead."""
    if "other_threads" not in request.fixturenames:
        monkeypatch.setattr("gep.jobs.beside.threading.active_count", lambda: 1)

    def too_long(signum, frame):
        raise TimeoutError("a test of gep.jobs.beside took more than 120 s: the writer process did not end")
    previous = signal.signal(signal.SIGALRM, too_long) if hasattr(signal, "SIGALRM") else None
    if previous is not None:
        signal.alarm(120)
    yield
    if previous is not None:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def other_threads():
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    yield
    release.set()
    thread.join()


class _Unpicklable(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a}/{b}")
        self.lock = threading.Lock()  # no pickler can carry a lock to another process


@needs_fork
def test_the_child_writes_and_the_parent_waits(tmp_path):
    target = tmp_path / "out.txt"
    wait = beside(lambda: (time.sleep(0.3), target.write_text("written by the child")))
    assert not target.exists()  # still being written: the task runs in the child
    wait()
    assert target.read_text() == "written by the child"


def _cannot_be_made_again():
    raise TypeError("not this one")


class _Unrebuildable(Exception):
    def __reduce__(self):  # pickles, but unpickling calls a function that fails
        return (_cannot_be_made_again, ())


@needs_fork
def test_an_error_in_the_child_is_raised_in_the_parent(tmp_path):
    def fail():
        raise ValueError("表 regions 第 3 行: 区划代码为空")
    wait = beside(fail)
    with pytest.raises(ValueError) as raised:
        wait()
    assert str(raised.value) == "表 regions 第 3 行: 区划代码为空"
    # the child's traceback comes along as a note, so a log names the writer's line
    assert "in the writer process" in "".join(raised.value.__notes__) and "in fail" in "".join(raised.value.__notes__)
    for error in (_Unpicklable("a", "b"), _Unrebuildable("c")):
        wait = beside(lambda error=error: (_ for _ in ()).throw(error))
        with pytest.raises(WriterFailed, match=f"{type(error).__name__}"):  # its traceback comes back instead
            wait()


@needs_fork
def test_a_parent_that_fails_stops_the_child(tmp_path):
    target = tmp_path / "late.txt"
    start = time.perf_counter()
    wait = beside(lambda: (time.sleep(30), target.write_text("too late")))
    wait(abandon=True)
    assert time.perf_counter() - start < 10
    assert not target.exists()


def test_with_other_threads_the_writer_runs_in_this_process(tmp_path, other_threads):
    # a fork copies the other threads' locks in whatever state they are in: no fork then
    target = tmp_path / "out.txt"
    wait = beside(lambda: target.write_text(str(os.getpid())))
    assert target.read_text() == str(os.getpid())
    wait()


def test_serial_writers_run_in_this_process(tmp_path, monkeypatch):
    monkeypatch.setenv("GEP_SERIAL_WRITERS", "1")
    target = tmp_path / "out.txt"
    wait = beside(lambda: target.write_text(str(os.getpid())))
    assert target.read_text() == str(os.getpid())  # done before beside returns, by this process
    wait()


def test_a_run_writes_the_same_bytes_either_way(tiny, tmp_path, monkeypatch):
    forks = []
    real_fork = os.fork
    monkeypatch.delenv("GEP_SERIAL_WRITERS", raising=False)
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    assert main(["run", str(tiny), "--out", str(tmp_path / "forked")]) == 0
    assert forks == [1]  # the trace outputs were written by the second process
    monkeypatch.setenv("GEP_SERIAL_WRITERS", "1")
    assert main(["run", str(tiny), "--out", str(tmp_path / "serial")]) == 0
    files = sorted(p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*") if p.is_file())
    assert "gep_formulas.xlsx" in {str(f) for f in files}
    for name in files:
        if name.name != "manifest.json":  # it records the time of the run
            assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes(), name
