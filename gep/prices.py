"""Price indices: carry a price from its price year to an accounting year, or to a base year.

The table ``coefficients/price_indices.csv`` holds annual indices (previous year = 100) by kind —
``cpi``, ``ppi``, ``fai`` (fixed-asset investment prices; CPI substituted after 2019, when NBS stopped
publishing it), ``gdp_deflator`` — each with its source and status (verified / derived / unverified).
Every price coefficient of the register declares the index that carries it (column ``price_index``);
``none`` keeps a nominal price unchanged (a tariff or tax rate fixed in law).

    P_{y1} = P_{y0} × Π_{k=y0+1..y1} (I_k / 100)          (gep-methods.md §9.2)

going backwards divides by the same factors. A missing year is an error that names the index and year.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .catalogue import top_level_file
from .reading import read_csv

DEFAULT_INDICES = top_level_file("coefficients", "price_indices.csv")
SHOWN_PROBLEMS = 50  # price-index problems listed before "… and N more" (as gep.coefficients does)
STATUSES = ("verified", "derived", "unverified")
NONE = "none"
#: Index deflating prices and values given in an inventory (product output values, tourism spending,
#: water and station prices) when constant-price values are computed: they are prices of their own year.
INVENTORY_PRICE_INDEX = "cpi"


class PriceIndexError(ValueError):
    pass


@dataclass(frozen=True)
class IndexFactor:
    """The factor carrying a price from one year to another, as a register-like row for traces."""

    index: str
    from_year: int
    to_year: int
    value: float
    source: str
    status: str
    register: str
    price_year: int | None = None
    clause: str = ""

    @property
    def key(self) -> str:
        return f"price_index_{self.index}"

    def label(self) -> str:
        return f"{self.index}[{self.from_year}→{self.to_year}]"


@dataclass
class PriceIndices:
    values: dict[str, dict[int, float]]
    sources: dict[tuple[str, int], tuple[str, str]]
    path: Path
    used: set = field(default_factory=set)
    shown_as: str | None = None  # the table as messages name it: the user's file when ``path`` is a run's copy

    @property
    def kinds(self) -> list[str]:
        return sorted(self.values)

    @property
    def shown(self) -> str:
        """The table as messages name it (default: its file name)."""
        return self.shown_as or self.path.name

    def factor(self, index: str, from_year: int, to_year: int) -> float:
        """P(to_year) / P(from_year) for a price carried by ``index``."""
        if index in (NONE, "") or from_year == to_year:
            return 1.0
        if index not in self.values:
            raise PriceIndexError(f"unknown price index '{index}'; {self.shown} has {', '.join(self.kinds)}")
        lo, hi = sorted((int(from_year), int(to_year)))
        series = self.values[index]
        missing = [y for y in range(lo + 1, hi + 1) if y not in series]
        if missing:
            raise PriceIndexError(f"price index '{index}' has no value for {', '.join(map(str, missing))} in "
                                  f"{self.shown}: needed to carry a {from_year} price to {to_year}")
        f = float(np.prod([series[y] / 100.0 for y in range(lo + 1, hi + 1)]))
        self.used.update((index, y) for y in range(lo + 1, hi + 1))
        return f if to_year > from_year else 1.0 / f

    def factor_row(self, index: str, from_year: int, to_year: int) -> IndexFactor:
        value = self.factor(index, from_year, to_year)
        years = range(min(from_year, to_year) + 1, max(from_year, to_year) + 1)
        statuses = {self.sources[(index, y)][1] for y in years} if index not in (NONE, "") else {"verified"}
        status = "unverified" if "unverified" in statuses else ("derived" if "derived" in statuses else "verified")
        source = "; ".join(dict.fromkeys(self.sources[(index, y)][0] for y in years)) if index not in (NONE, "") \
            else "price held nominal (tariff or rate fixed in law)"
        return IndexFactor(index or NONE, int(from_year), int(to_year), value, source, status, self.path.name)

    def table(self):
        """The rows of the table that were used (for reports)."""
        import pandas as pd
        rows = [{"index": i, "year": y, "value": self.values[i][y], "source": self.sources[(i, y)][0],
                 "status": self.sources[(i, y)][1]} for i, y in sorted(self.used)]
        return pd.DataFrame(rows, columns=["index", "year", "value", "source", "status"])


def load_price_indices(path: str | Path | None = None, shown_as: str | Path | None = None) -> PriceIndices:
    """The price-index table (previous year = 100), read through :mod:`gep.reading`; ``shown_as`` names it in
    messages when ``path`` is a copy."""
    path = Path(path) if path else DEFAULT_INDICES
    name = str(shown_as or path.name)
    values: dict[str, dict[int, float]] = {}
    sources: dict[tuple[str, int], tuple[str, str]] = {}
    problems = []
    for line, row in enumerate(read_csv(path, shown_as).to_dict(orient="records"), start=2):
        try:
            index, year, value = row["index"].strip(), int(row["year"]), float(row["value"])
        except (KeyError, ValueError, AttributeError):
            problems.append(f"{name}, row {line}: needs index, year and a numeric value")
            continue
        if row.get("status", "").strip() not in STATUSES:
            problems.append(f"{name}, row {line}, column status: one of {', '.join(STATUSES)}")
        if (index, year) in sources:
            problems.append(f"{name}, row {line}: duplicate {index} {year}")
        if not 50 < value < 200:
            problems.append(f"{name}, row {line}, column value: {value} is not an index with "
                            f"previous year = 100")
        values.setdefault(index, {})[year] = value
        sources[(index, year)] = (row.get("source", "").strip(), row.get("status", "").strip())
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        raise PriceIndexError(f"{len(problems)} price index problem(s):\n  " + "\n  ".join(
            problems[:SHOWN_PROBLEMS] + ([f"… and {more} more"] if more > 0 else [])))
    return PriceIndices(values, sources, path, shown_as=str(shown_as) if shown_as else None)
