"""``gep run`` of a county with 10⁶ forest parcels (小班), end to end, against the numpy kernel (not a test).

    python benchmarks/bench_parcels_run.py [N_PARCELS] [--repeat R] [--townships T] [--profile FILE]

The inventory is the synthetic county of ``bench_parcels.py`` (N parcels in T townships, one year), written as a
CSV folder. Three measurements:

    run      ``gep run INVENTORY --out DIR`` in a fresh process, as a user starts it, wall clock; the median of
             R runs (default 3). This is the figure issue 16 asks about (at most 10 s for 10⁶ parcels).
    split    one ``gep.jobs.run.run`` in this process with every stage timed: copying the inputs, loading the
             inventory, ``account``, each writer (each CSV by its name, NetCDF, Parquet, trace pages, formula
             workbook, workbook, HTML report) and the manifest (the SHA-256 of every file). "other" is what
             no stage accounts for (building the parcels' frame, …).
    kernel   the numpy kernel of ``bench_parcels.py`` on the inventory the split loaded (best of three): the
             same formulas without provenance, results or files, what the arithmetic alone costs.

Timings go in benchmarks/README.md ("Tabular (10⁶ parcels)"), never in an assertion.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import math
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_parcels import kernel, synthetic_parcels, write_inventory  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

#: (module, function, label): the stages of gep.jobs.run.run, timed where run() looks them up. A label None
#: means "the file name it writes" (the writer's second argument, or its first for the trace pages).
STAGES = [
    ("gep.jobs.run", "copy_job_inputs", "copy inputs"),
    ("gep.jobs.run", "load_inventory", "load"),
    ("gep.jobs.run", "account", "account"),
    ("gep.jobs.run", "write_csv", None),
    ("gep.jobs.run", "write_netcdf", "gep_results.nc"),
    ("gep.jobs.run", "write_parquet", "gep_parcels.parquet"),
    ("gep.jobs.run", "write_manifest", "manifest (SHA-256)"),
    ("gep.render.trace_page", "write_trace_html", "trace pages"),
    ("gep.render.formulas", "write_formula_workbook", "gep_formulas.xlsx"),
    ("gep.render.excel", "write_excel", "gep_workbook.xlsx"),
    ("gep.render.html", "write_html", "gep_report.html"),
]


def timed_command(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, every thread) of one command in a fresh process [s]; a failing
    command stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def split_run(inventory: Path, out: Path, profile: str | None) -> tuple[dict[str, float], float, object]:
    """One run in this process with each stage timed: {stage: seconds}, the whole run [s], the loaded inventory."""
    import gep.jobs.run as run_module
    seconds: dict[str, float] = defaultdict(float)
    loaded = {}
    saved = []
    for module_name, name, label in STAGES:
        module = importlib.import_module(module_name)
        function = getattr(module, name, None)
        if function is None:  # a writer this version of gep does not have
            continue

        def wrapper(*args, __function=function, __label=label, __name=name, **kwargs):
            what = __label or Path(args[1]).name
            t0 = time.perf_counter()
            try:
                result = __function(*args, **kwargs)
            finally:
                seconds[what] += time.perf_counter() - t0
            if __name == "load_inventory":
                loaded["inventory"] = result
            return result

        saved.append((module, name, function))
        setattr(module, name, functools.wraps(function)(wrapper))
    profiler = cProfile.Profile() if profile else None
    try:
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        run_module.run(inventory, out)
        if profiler:
            profiler.disable()
        total = time.perf_counter() - t0
    finally:
        for module, name, function in saved:
            setattr(module, name, function)
    if profiler:
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    return dict(seconds), total, loaded["inventory"]


def size_mib(path: Path) -> float:
    return path.stat().st_size / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("parcels", nargs="?", type=lambda s: int(float(s)), default=10**6)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process runs; the median is shown")
    parser.add_argument("--profile", help="write a cProfile of the in-process run to this file, print its top")
    args = parser.parse_args()
    from gep.coefficients import load_register
    from gep.prices import load_price_indices
    gep = [sys.executable, "-c", "import sys; from gep.cli import main; sys.exit(main())"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        inventory = write_inventory(tmp / "inventory", synthetic_parcels(args.parcels, args.townships, args.year))
        print(f"parcels {args.parcels:,} in {args.townships} townships, year {args.year}; inventory written in "
              f"{time.perf_counter() - t0:.1f} s ({size_mib(inventory / 'parcels.csv'):,.0f} MiB parcels.csv)",
              flush=True)

        stages, total, loaded = split_run(inventory, tmp / "split", args.profile)
        register, prices = load_register(), load_price_indices()
        t_kernel = math.inf
        for _ in range(3):
            t0 = time.perf_counter()
            kernel(loaded.tables, register, prices, args.year)
            t_kernel = min(t_kernel, time.perf_counter() - t0)
        del loaded

        runs, cpu = [], []
        for i in range(args.repeat):
            wall, used = timed_command([*gep, "run", str(inventory), "--out", str(tmp / f"run{i}")])
            runs.append(wall)
            cpu.append(used)
            print(f"gep run {i + 1}: {wall:.2f} s (CPU {used:.2f} s)", flush=True)
        folder = tmp / "run0"
        median = statistics.median(runs)
        print(f"\ngep run (fresh process, median of {args.repeat})  {median:7.2f} s   (min {min(runs):.2f}, "
              f"max {max(runs):.2f}; issue 16: at most 10 s at 10⁶ parcels)")
        print(f"  CPU time of the run (user + system)   {statistics.median(cpu):7.2f} s   (more than the wall "
              f"time where two threads work at once; a busy machine lengthens the wall time, not this)")
        print(f"numpy kernel (best of 3)                {t_kernel:7.3f} s   run / kernel {median / t_kernel:,.0f} ×")
        print(f"\nsplit of one run in this process: {total:.2f} s")
        for stage, s in sorted(stages.items(), key=lambda kv: -kv[1]):
            where = folder / stage
            size = f"{size_mib(where):9,.1f} MiB" if where.is_file() else ""
            print(f"  {stage:<28} {s:7.2f} s {size}")
        print(f"  {'other':<28} {total - sum(stages.values()):7.2f} s")
        files = [p for p in folder.rglob("*") if p.is_file()]
        print(f"run folder: {sum(p.stat().st_size for p in files) / 2**20:,.0f} MiB in {len(files)} files")


if __name__ == "__main__":
    main()
