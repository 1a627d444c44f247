"""Comparable prices, growth, the evaluation table and what drove each change.

Pure functions of the results tables (and the price indices), after gep-methods.md §9.2:

    current-price GEP        GEP_t(cur) = Σ_s Q_{s,t} × P_{s,t}
    constant-price GEP       GEP_t(b)   = Σ_s Q_{s,t} × P_{s,b}        (each price carried by its index)
    real growth              g_t = GEP_t(b) / GEP_{t−1}(b) − 1
    chain-linked volume      I_t = Σ_s Q_{s,t} P_{s,t−1} / Σ_s Q_{s,t−1} P_{s,t−1};  index_t = index_{t−1} × I_t
    implicit deflator        D_t = GEP_t(cur) / GEP_t(b) × 100

The change of a figure from t−1 to t splits exactly into a quantity effect at last year's prices and
a price effect: ΔV = (V_t at t−1 prices − V_{t−1}) + (V_t − V_t at t−1 prices).

Method breaks: a run computes every year with one method and one register, so growth inside a run
has no method drift by construction; what can still change between years is how a figure was
obtained (computed vs supplied quantity, a different set of coefficients). Such a change is flagged
on the growth rows and in the report, never silently mixed into growth.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .prices import PriceIndices

FIGURE = ["region_code", "service", "indicator", "ecosystem"]


def _carried(values: np.ndarray, indices, years, to_years, prices: PriceIndices) -> np.ndarray:
    """Values carried by their price index from ``years`` to ``to_years``; one factor per distinct case."""
    index_codes, index_names = pd.factorize(np.asarray(indices, dtype=object), use_na_sentinel=False)
    cases, distinct = pd.factorize((index_codes.astype(np.int64) * 10000 + np.asarray(years, dtype=np.int64))
                                   * 10000 + np.asarray(to_years, dtype=np.int64))  # years are 1900–2100
    factors = np.empty(len(distinct))
    for i, case in enumerate(distinct):
        index, y, t = index_names[case // 10000 ** 2], int(case // 10000 % 10000), int(case % 10000)
        try:
            factors[i] = prices.factor(index, y, t)
        except Exception:  # no index for a year outside the table (e.g. before the first year)
            factors[i] = np.nan
    return values * factors[cases]


def _figure_codes(leaf: pd.DataFrame) -> np.ndarray:
    """An integer per distinct figure (region, service, indicator, ecosystem) of the leaf table."""
    codes = np.zeros(len(leaf), dtype=np.int64)
    for column in FIGURE:
        own, uniques = pd.factorize(leaf[column].to_numpy(dtype=object), use_na_sentinel=False)
        codes, _ = pd.factorize(codes * len(uniques) + own)
    return codes


def _at_prices_of(leaf: pd.DataFrame, figures: np.ndarray, other_year: np.ndarray,
                  prices: PriceIndices) -> np.ndarray:
    """Each figure's value at the prices of ``other_year``: its own price that year where the figure has
    one (V × P_other / P_t, i.e. Q_t × P_other), else its value carried by its price index.
    ``figures`` numbers the figures (:func:`_figure_codes`)."""
    value = leaf["value_yuan"].to_numpy(dtype=float)
    price = leaf["price"].to_numpy(dtype=float)
    year = leaf["year"].to_numpy(dtype=np.int64)
    own = pd.Index(figures * 10000 + year)
    first = ~own.duplicated()
    at = own[first].get_indexer(figures * 10000 + np.asarray(other_year, dtype=np.int64))
    other = np.where(at >= 0, price[first][at], np.nan)
    usable = np.isfinite(other) & np.isfinite(price) & (price != 0) & (leaf["quantity_unit"].to_numpy() != "yuan")
    with np.errstate(invalid="ignore", divide="ignore"):
        by_price = value * other / price
    by_index = _carried(value, leaf["price_index"].to_numpy(), year, other_year, prices)
    return np.where(usable, by_price, by_index)


def add_comparable_values(leaf: pd.DataFrame, prices: PriceIndices, base_year: int) -> pd.DataFrame:
    """Leaf figures with ``value_constant_yuan`` (prices of ``base_year``) and ``value_prev_prices_yuan``
    (prices of the year before, for chain-linking and the quantity/price split)."""
    years = leaf["year"].to_numpy(dtype=int)
    figures = _figure_codes(leaf)
    out = leaf.copy()
    out["value_constant_yuan"] = _at_prices_of(leaf, figures, np.full(len(leaf), int(base_year)), prices)
    out["value_prev_prices_yuan"] = _at_prices_of(leaf, figures, years - 1, prices)
    return out


def _breaks(services: pd.DataFrame) -> pd.DataFrame:
    """Region-years where some figure was obtained differently from the year before."""
    s = services[services["in_gep"]].reset_index(drop=True)
    figure = _figure_codes(s)
    order = np.lexsort((s["year"].to_numpy(), figure))  # each figure's years in turn
    before = np.full(len(s), -1)
    follows = figure[order][1:] == figure[order][:-1]
    before[order[1:][follows]] = order[:-1][follows]
    path, coefficients = s["path"].to_numpy(dtype=object), s["coefficients"].to_numpy(dtype=object)
    at = np.maximum(before, 0)
    changed = np.flatnonzero((before >= 0) & ((path[at] != path) | (coefficients[at] != coefficients)))
    notes = s.iloc[changed][["region_code", "year"]].assign(note=[
        f"{s.at[i, 'service']}/{s.at[i, 'indicator']}/{s.at[i, 'ecosystem']}: "
        + (f"{path[before[i]]}→{path[i]}" if path[before[i]] != path[i] else "coefficients changed")
        for i in changed])
    return notes.groupby(["region_code", "year"])["note"].agg(lambda x: "; ".join(sorted(set(x)))).reset_index()


def growth_table(services: pd.DataFrame, summary: pd.DataFrame, prices: PriceIndices, base_year: int) -> pd.DataFrame:
    """Per region × year: GEP at current and constant prices, real growth, chain index, deflator, breaks."""
    s = services[services["in_gep"]]
    by = s.groupby(["region_code", "year"]).agg(current=("value_yuan", "sum"),
                                                 constant=("value_constant_yuan", "sum"),
                                                 at_prev=("value_prev_prices_yuan", "sum")).reset_index()
    out = summary[["region_code", "region_name", "region_level", "year", "gep_yuan"]].merge(
        by, on=["region_code", "year"], how="left").sort_values(["region_code", "year"])
    out[["constant", "at_prev"]] = out[["constant", "at_prev"]].fillna(0.0)  # no figure in GEP: zero at any prices
    out["gep_current_yuan"] = out["gep_yuan"]
    out["gep_constant_yuan"] = out["constant"]
    out["base_year"] = int(base_year)
    prev_constant = out.groupby("region_code")["gep_constant_yuan"].shift(1)
    prev_current = out.groupby("region_code")["gep_current_yuan"].shift(1)
    out["real_growth"] = out["gep_constant_yuan"] / prev_constant - 1
    out["chain_growth"] = out["at_prev"] / prev_current - 1
    links = (1 + out["chain_growth"]).fillna(1.0)
    out["chain_index"] = 100 * links.groupby(out["region_code"]).cumprod()
    out["deflator"] = out["gep_current_yuan"] / out["gep_constant_yuan"] * 100
    breaks = _breaks(services)
    out = out.merge(breaks.rename(columns={"note": "break_note"}), on=["region_code", "year"], how="left")
    out["break_note"] = out["break_note"].astype(object).where(out["break_note"].notna(), "")
    out["method_break"] = out["break_note"] != ""
    return out[["region_code", "region_name", "region_level", "year", "gep_current_yuan", "gep_constant_yuan",
                "base_year", "real_growth", "chain_index", "chain_growth", "deflator", "method_break",
                "break_note"]].reset_index(drop=True)


def decomposition_table(services: pd.DataFrame, prices: PriceIndices) -> pd.DataFrame:
    """Per region × year × service: the change from the year before split into quantity and price effects."""
    s = services[services["in_gep"]].rename(columns={"value_prev_prices_yuan": "at_prev"})
    first_year, last_year = services["year"].min(), services["year"].max()
    prev = s[FIGURE + ["year", "value_yuan"]].assign(year=s["year"] + 1).rename(columns={"value_yuan": "prev"})
    # only changes into the years after the first are split: rows of other years would be merged to be dropped
    s, prev = s[s["year"] > first_year], prev[prev["year"] <= last_year]
    merged = s.merge(prev, on=FIGURE + ["year"], how="outer")
    merged["value_yuan"] = merged["value_yuan"].fillna(0.0)
    merged["prev"] = merged["prev"].fillna(0.0)
    merged["at_prev"] = merged["at_prev"].fillna(0.0)
    merged["category"] = merged.groupby("service")["category"].transform(lambda c: c.dropna().iloc[0]
                                                                        if c.notna().any() else "")
    merged["quantity_effect_yuan"] = merged["at_prev"] - merged["prev"]
    merged["price_effect_yuan"] = merged["value_yuan"] - merged["at_prev"]
    out = merged.groupby(["region_code", "year", "category", "service"], as_index=False).agg(
        value_prev_yuan=("prev", "sum"), value_yuan=("value_yuan", "sum"),
        quantity_effect_yuan=("quantity_effect_yuan", "sum"), price_effect_yuan=("price_effect_yuan", "sum"))
    out["change_yuan"] = out["value_yuan"] - out["value_prev_yuan"]
    out["year"] = out["year"].astype(int)
    return out[["region_code", "year", "category", "service", "value_prev_yuan", "value_yuan", "change_yuan",
                "quantity_effect_yuan", "price_effect_yuan"]].sort_values(["region_code", "year", "service"]) \
        .reset_index(drop=True)


def evaluation_table(summary: pd.DataFrame, growth: pd.DataFrame, extent: pd.DataFrame,
                     socioeconomic: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Per sub-county region (township, village) × year: the figures a 考核 compares, and ranks among
    the region's siblings in the same year (1 = highest)."""
    ev = summary[summary["parent_code"].fillna("") != ""][
        ["region_code", "region_name", "region_level", "parent_code", "year", "gep_yuan", "gep_per_km2_yuan",
         "land_area_km2"]].copy()
    ev = ev.merge(growth[["region_code", "year", "real_growth"]], on=["region_code", "year"], how="left")
    # ecosystem extent of each region including its sub-regions
    parents = dict(zip(*(regions[c].to_numpy(dtype=object) for c in ("code", "parent_code"))))
    links = []
    for code in regions["code"]:
        c = code
        while c:
            links.append((code, c))
            c = parents.get(c, "")
    links = pd.DataFrame(links, columns=["region_code", "target"])
    ext = extent.merge(links, on="region_code").groupby(["target", "year", "ecosystem"], as_index=False)["area"].sum()
    forest = ext[ext["ecosystem"] == "forest"].rename(columns={"target": "region_code", "area": "forest"})
    wet = ext[ext["ecosystem"].str.startswith("wetland")].groupby(["target", "year"], as_index=False)["area"].sum() \
        .rename(columns={"target": "region_code", "area": "wetland_area_hm2"})
    ev = ev.merge(forest[["region_code", "year", "forest"]], on=["region_code", "year"], how="left")
    ev = ev.merge(wet, on=["region_code", "year"], how="left")
    ev["forest_coverage_pct"] = ev["forest"] / (ev["land_area_km2"] * 100) * 100
    ev = ev.sort_values(["region_code", "year"])
    ev["forest_coverage_change_pp"] = ev.groupby("region_code")["forest_coverage_pct"].diff()
    ev["wetland_area_change_hm2"] = ev.groupby("region_code")["wetland_area_hm2"].diff()
    socio = socioeconomic[["region_code", "year", "population", "gdp"]] if len(socioeconomic) else \
        pd.DataFrame(columns=["region_code", "year", "population", "gdp"])
    ev = ev.merge(socio.astype({"year": int}) if len(socio) else socio, on=["region_code", "year"], how="left")
    ev["population"] = pd.to_numeric(ev["population"], errors="coerce")
    ev["gdp_yuan"] = pd.to_numeric(ev["gdp"], errors="coerce")
    ev["gep_per_capita_yuan"] = ev["gep_yuan"] / ev["population"]
    ev["gep_gdp_ratio"] = ev["gep_yuan"] / ev["gdp_yuan"]
    ev["rank_gep"] = ev.groupby(["parent_code", "year"])["gep_yuan"].rank(ascending=False, method="min")
    ev["rank_growth"] = ev.groupby(["parent_code", "year"])["real_growth"].rank(ascending=False, method="min")
    columns = ["region_code", "region_name", "region_level", "parent_code", "year", "gep_yuan", "gep_per_km2_yuan",
               "population", "gep_per_capita_yuan", "gdp_yuan", "gep_gdp_ratio", "real_growth",
               "forest_coverage_pct", "forest_coverage_change_pp", "wetland_area_hm2", "wetland_area_change_hm2",
               "rank_gep", "rank_growth"]
    return ev[columns].sort_values(["year", "parent_code", "rank_gep", "region_code"]).reset_index(drop=True)
