"""Worker scaling of the gridded engine on a dask.distributed LocalCluster, and a national projection.

    python benchmarks/bench_scaling.py [--cells 1e8] [--workers 1 2] [--workdir DIR] [--target-hours 1]

Uses the synthetic region of bench_gridded.py (written there if missing). For each worker count a fresh
LocalCluster (one process per worker, one thread each) runs the whole engine pass twice (the first warms
the workers up: imports, file handles) and the second is timed; printed: wall time,
speed-up against one worker, cells per second per worker and each worker's peak resident memory. Then
the projection for a national 30 m run (China's land, ~9.6 × 10⁶ km² → ~1.07 × 10¹⁰ cells): core-seconds
at the measured per-worker rate, the workers needed for the target wall time, and memory per worker
(its peak here, which depends on the block size, not on the raster size).
"""
from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_gridded import engine, write_region  # noqa: E402

NATIONAL_KM2 = 9.6e6
CELL_KM2 = 0.03 ** 2


def _worker_peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=float, default=1e8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gep-bench-gridded"))
    parser.add_argument("--chunks", type=int, default=1024)
    parser.add_argument("--target-hours", type=float, default=1.0)
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    grid = write_region(args.workdir, int(args.cells), args.chunks)
    n = int(round(math.sqrt(args.cells))) ** 2
    print(f"{n:.3g} cells, blocks of {args.chunks} × {args.chunks}")
    print(f"{'workers':>7} {'wall s':>8} {'speed-up':>9} {'cells/s/worker':>15} {'worker peak GiB':>16}")
    first = None
    rates = {}
    for w in args.workers:
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True, dashboard_address=None,
                          memory_limit=0) as cluster, Client(cluster) as client:
            engine(grid, scheduler=client)  # warm-up: workers import rasterio, dask and gep once
            start = time.perf_counter()
            engine(grid, scheduler=client)
            wall = time.perf_counter() - start
            peaks = client.run(_worker_peak_gib)
        first = first or wall
        rates[w] = n / wall / w
        print(f"{w:7d} {wall:8.1f} {first / wall:9.2f} {rates[w]:15.3g} "
              f"{max(peaks.values()):16.2f}", flush=True)
    rate = rates[args.workers[0]]
    national = NATIONAL_KM2 / CELL_KM2
    core_s = national / rate
    workers = math.ceil(core_s / (args.target_hours * 3600))
    print(f"\nnational 30 m projection: {national:.3g} cells; at {rate:.3g} cells/s per worker "
          f"(one worker here) that is {core_s / 3600:.1f} worker-hours; "
          f"{workers} workers for {args.target_hours:g} h, assuming near-linear scaling and input I/O as fast "
          f"as here; memory per worker as measured above (set by the block size); layers on disk "
          f"{national * (4 * 8 + 5) / 2 ** 40:.2f} TiB as float32 (8 layers + codes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
