"""What a user waits for: the whole ``gep run`` on Chengkou and its ``gep verify``, against Python's import floor.

    python benchmarks/bench_run.py [--repeat N] [--inventory DIR]

Four commands, each in a fresh process as a user starts them, timed by wall clock, interleaved (floor, import,
run, verify, floor, …) so that a change in the machine's load falls on all of them alike; the median of N rounds
(default 5) is printed with the ratios issue 16 asks about:

    floor   python -c "import numpy, pandas, xarray, pint": the dependencies no lazy import can avoid
    import  python -c "import gep.cli": what starting the command costs before it reads anything
    run     gep run INVENTORY --out FOLDER: load, compute and write every output
    verify  gep verify FOLDER: recompute the run from its archived inputs and compare every figure

It also prints the size of the run folder and of its largest parts. Not a test: timings go in
benchmarks/README.md ("Whole run"), never in an assertion.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> float:
    """Wall time of one command in a fresh process [s]; a failing command stops the benchmark with its output."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def size_mb(path: Path) -> float:
    """Size of a file or of everything under a folder [MB, 10⁶ bytes]."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the median is shown (default 5)")
    parser.add_argument("--inventory", default="inventories/chengkou", help="inventory folder (default Chengkou)")
    args = parser.parse_args()
    gep = [sys.executable, "-c", "import sys; from gep.cli import main; sys.exit(main())"]
    times: dict[str, list[float]] = {"floor": [], "import": [], "run": [], "verify": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            out = Path(tmp) / f"run{i}"
            times["floor"].append(timed([sys.executable, "-c", "import numpy, pandas, xarray, pint"]))
            times["import"].append(timed([sys.executable, "-c", "import gep.cli"]))
            times["run"].append(timed([*gep, "run", args.inventory, "--out", str(out)]))
            times["verify"].append(timed([*gep, "verify", str(out)]))
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), flush=True)
        median = {k: statistics.median(v) for k, v in times.items()}
        print(f"\nmedian of {args.repeat} ({args.inventory}):")
        for k, v in median.items():
            print(f"  {k:<7} {v:7.2f} s  (min {min(times[k]):.2f}, max {max(times[k]):.2f})")
        print(f"  run / floor    {median['run'] / median['floor']:.1f}×   (issue 16: at most 3×)")
        print(f"  import / floor {median['import'] / median['floor']:.1f}×")
        print(f"  verify / run   {median['verify'] / median['run']:.2f}×  (issue 16: at most 1.5×)")
        folder = Path(tmp) / "run0"
        print(f"\nrun folder: {size_mb(folder):.1f} MB (issue 16: at most 10 MB); largest parts:")
        parts = sorted(folder.iterdir(), key=size_mb, reverse=True)[:6]
        for p in parts:
            print(f"  {p.name + ('/' if p.is_dir() else ''):<24} {size_mb(p):6.1f} MB")


if __name__ == "__main__":
    main()
