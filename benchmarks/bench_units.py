"""Reading a 10⁶-row inventory column written in 亩, 万亩 or km² against hm² (not part of the test suite).

    python benchmarks/bench_units.py [N_ROWS]

N_ROWS defaults to 10⁶ (written ``1e6`` or ``1000000``). A ``parcels`` table (小班号, 区划代码, 年份, 生态系统类型 and
面积 in the unit named) is parsed from its text cells as a CSV gives them (:func:`gep.inventory._parse_table`: number
parsing, unit conversion to hm², checks); ``hm2`` needs no conversion, so the other rows show what converting costs.
Then :func:`gep.units.convert_magnitude` on N floats (亩 → hm² is one division by 15, 万亩 → hm² a multiplication by
2000 and a division by 3, 万元 → 元 one multiplication). Best of three (five) runs each.

Measured figures: see benchmarks/README.md, section "Units".
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from gep.inventory import _parse_table
from gep.units import convert_magnitude


def best(f, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main(n: int) -> None:
    area = np.round(np.random.default_rng(1).uniform(0.5, 300.0, n), 4)
    text = pd.Series(area).map(repr)
    for unit in ("hm2", "亩", "万亩", "km2"):
        raw = pd.DataFrame({"小班号": np.arange(n).astype(str), "区划代码": "500229001", "年份": "2020",
                            "生态系统类型": "森林", f"面积 [{unit}]": text}).astype(str)
        problems: list = []
        seconds = best(lambda raw=raw, problems=problems: _parse_table("parcels", "parcels.csv", raw, problems), 3)
        assert not problems, problems[:3]
        print(f"parse a {n}-row parcels table, area in {unit}: {seconds:.3f} s")
    for src, dst in (("亩", "hm2"), ("万亩", "hm2"), ("万元", "元")):
        print(f"convert_magnitude on {n} floats, {src} → {dst}: {best(lambda src=src, dst=dst: convert_magnitude(area, src, dst), 5) * 1e3:.2f} ms")


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10**6)
