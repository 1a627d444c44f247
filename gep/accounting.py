"""From a validated inventory and a coefficient register to GEP results.

Flow: inventory tables (canonical units) → per-service physical quantities (pure functions in
:mod:`gep.services`, vectorised over region × year × ecosystem) → valuation with register prices →
results at the level the data were given → sums up the administrative tree → summary.

Each result row records which path produced it (``computed``, ``supplied_quantity``,
``quantity_x_price``, ``output_value``) and the coefficient keys it used.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .catalogue import services_spec
from .coefficients import Register
from .inventory import Inventory
from .method import Method, as_method
from .comparable import add_comparable_values, decomposition_table, evaluation_table, growth_table
from .parcels import ParcelResults, allocate, parcel_quantities
from .phrases import bilingual
from .prices import load_price_indices
from .services.calculators import CALCULATORS
from .services.tables import Context
from .trace import trace_frame

RESULT_COLUMNS = ["region_code", "region_name", "region_level", "year", "category", "service", "indicator",
                  "ecosystem", "quantity", "quantity_unit", "price", "price_unit", "value_yuan", "in_gep",
                  "path", "coefficients", "note", "value_constant_yuan", "value_prev_prices_yuan", "price_index"]
SUMMARY_COLUMNS = ["region_code", "region_name", "region_level", "parent_code", "year", "provisioning_yuan",
                   "regulating_yuan", "cultural_yuan", "gep_yuan", "land_area_km2", "gep_per_km2_yuan"]


#: Service pairs that value the same flow in part (gep-methods.md §8.4). Both are summed, as the
#: standard's authors do (白玛卓嘎 et al. 2017), and the report says so, by the phrase double_count.<one>.<other>
#: in both languages; --exclude drops one.
DOUBLE_COUNT_WATCH = (("water_conservation", "water_supply"), ("water_conservation", "hydropower"),
                      ("carbon_sequestration", "oxygen_release"))


def _both(phrase: dict[str, str]) -> str:
    """A phrase in both languages as the run's notes and the services table write it: "中文 / English"."""
    return " / ".join(phrase.values())


class NonFiniteFigures(ValueError):
    """Figures of an account came out infinite or not a number: an input is infinite, or so large that a
    product of it overflows (a precipitation of 1e308 mm times an area). Nothing is published; the message
    names the figures (at most :data:`SHOWN_FIGURES`) and their largest inputs."""


SHOWN_FIGURES = 5  # non-finite figures named in the message; one wrong input usually spoils many


@dataclass
class Options:
    """Choices a user makes for a run; recorded in the outputs."""

    exclude: tuple[str, ...] = ()  # services computed for information but left out of GEP
    base_year: int | None = None  # constant prices of this year; default the latest accounting year
    price_indices: str | None = None  # a price-index table replacing coefficients/price_indices.csv
    grid: str | None = None  # a grid description (grid.yaml): gridded quantities replace tabular ones
    scheduler: str | None = None  # dask.distributed scheduler address for the gridded sums (local threads if None)
    progress: bool = False  # show the progress of the gridded sums
    method: str | Method | None = None  # a method profile: its name, its file, or one loaded (default profile)
    # the price-index table as messages name it: the user's file when ``price_indices`` is a run's copy of it
    # (None: the file's own name)
    price_indices_shown: str | None = None


STATUS_COMPUTED, STATUS_SKIPPED, STATUS_NOT_APPLICABLE = "computed", "skipped", "not_applicable"


@dataclass(frozen=True)
class ServiceStatus:
    """Whether a service of the catalogue was computed, and what it lacked.

    ``computed``: it has figures (``cases_skipped`` of the cases it applies to lacked an input);
    ``skipped``: it applies to something in the inventory but every case lacked an input;
    ``not_applicable``: the inventory holds nothing it applies to. ``missing`` lists alternatives, each the
    inputs (``table.column`` or ``table``, services.yaml) needed together: what a skipped case lacks
    (``requires``), or for a service not applicable what it applies to (``applies_to``)."""

    service: str
    status: str
    cases_skipped: int = 0
    missing: tuple[tuple[str, ...], ...] = ()


def service_status(leaf: pd.DataFrame, skipped: dict[str, int],
                   skipped_for: dict[str, list] | None = None) -> list[ServiceStatus]:
    """The status of every service of the catalogue, in its order, from the figures computed and the cases
    the calculators skipped (a service that ``follows`` another skips the cases that one skips); what the
    skipped cases lacked is services.yaml's ``requires``, or what the calculator said (``skipped_for``, for a
    term of the method profile)."""
    out = []
    computed = set(leaf["service"])
    skipped_for = skipped_for or {}
    for service, entry in services_spec()["services"].items():
        cases = skipped.get(service, 0) + skipped.get(entry.get("follows", ""), 0)
        listed = tuple(tuple(inputs) for inputs in entry.get("requires", []))
        said_cases, said = 0, []
        for s in (service, entry.get("follows", "")):
            n, alternatives = skipped_for.get(s, (0, []))
            said_cases, said = said_cases + n, said + list(alternatives)
        # what the skipped cases lacked: services.yaml's list for those the calculator did not describe
        requires = tuple(dict.fromkeys((*(listed if cases > said_cases else ()), *map(tuple, said))))
        if service in computed:
            out.append(ServiceStatus(service, STATUS_COMPUTED, cases, requires if cases else ()))
        elif cases:
            out.append(ServiceStatus(service, STATUS_SKIPPED, cases, requires))
        else:
            out.append(ServiceStatus(service, STATUS_NOT_APPLICABLE, 0, tuple((a,) for a in entry["applies_to"])))
    return out


@dataclass
class Results:
    services: pd.DataFrame   # all regions (leaf rows and sums up the tree)
    summary: pd.DataFrame
    coefficients: pd.DataFrame  # the register rows used, with provenance
    excluded: list[dict]
    notes: list[str]
    years: list[int]
    county_code: str
    trace_builders: list = field(default_factory=list, repr=False)  # recorded traces, see ``trace``
    base_year: int | None = None
    growth: pd.DataFrame = field(default_factory=pd.DataFrame)  # current/constant GEP, growth, chain index
    evaluation: pd.DataFrame = field(default_factory=pd.DataFrame)  # townships (villages) for 考核
    decomposition: pd.DataFrame = field(default_factory=pd.DataFrame)  # quantity and price effects
    price_indices: pd.DataFrame = field(default_factory=pd.DataFrame)  # the index rows used
    parcels: ParcelResults | None = None  # each parcel's share of its region's figures (a parcels table given)
    method: Method | None = None  # the method profile the figures were computed with
    service_status: list[ServiceStatus] = field(default_factory=list)  # computed, skipped, not applicable

    @functools.cached_property
    def trace(self) -> pd.DataFrame:
        """Leaf figures' inputs, coefficients and steps (:mod:`gep.trace`), one row per symbol of a figure.

        Built from the recorded traces when first read: a run writes it, a caller that needs only the
        figures (a benchmark, a what-if) does not pay for a table of some hundred rows per figure."""
        trace = trace_frame(self.trace_builders, sort=True)
        trace["row"] = trace["row"].astype("Int64")  # spreadsheet rows are whole numbers
        trace["price_year"] = trace["price_year"].astype("Int64")
        return trace.reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# aggregation


GROUP = ["year", "category", "service", "indicator", "ecosystem", "quantity_unit", "price_unit", "in_gep",
         "price_index"]  # what makes figures of different regions the same figure, to be added up


def _sorted_codes(columns: list) -> np.ndarray:
    """Dense integer codes of the rows' tuples of ``columns``, in the order sorting the tuples would give."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        own, uniques = pd.factorize(column, sort=True, use_na_sentinel=False)
        codes, _ = pd.factorize(codes * len(uniques) + own, sort=True)
    return codes


def _aggregate(ctx: Context, leaf: pd.DataFrame) -> pd.DataFrame:
    """Rows for every region: its own rows plus the sums of all its descendants' rows.

    Each leaf row is paired with itself and every ancestor region, then one group-by sums them, so a
    county total is by construction the sum of its townships (in region-code order: the pairs are
    laid out leaf row by leaf row, the leaf rows sorted by region code). Keys are integer codes that
    sort as the keys themselves, so the rows come out in region, year, category, service, indicator,
    ecosystem order."""
    if not len(leaf):  # an empty account: no figures to add up
        return leaf.assign(region_name=pd.Series(dtype=object), region_level=pd.Series(dtype=object))[RESULT_COLUMNS]
    regions = ctx.inventory.table("regions")
    codes = np.sort(regions["code"].to_numpy(dtype=object))
    parent_at = pd.Index(codes).get_indexer(regions.set_index("code")["parent_code"].reindex(codes).to_numpy())
    region = pd.Index(codes).get_indexer(leaf["region_code"].to_numpy(dtype=object))
    kind = _sorted_codes([leaf[c].to_numpy() for c in GROUP])
    n_kinds = int(kind.max()) + 1 if len(kind) else 1
    order = np.argsort(region, kind="stable")
    lineage = [region[order]]  # one column per generation: the region, its parent, its grandparent, …
    while (lineage[-1] >= 0).any():
        lineage.append(np.where(lineage[-1] >= 0, parent_at[lineage[-1]], -1))
    lineage = np.column_stack(lineage[:-1]).ravel()
    pair = lineage >= 0
    target = lineage[pair]
    row = np.repeat(order, pair.size // max(len(order), 1))[pair]
    strings = {c: pd.factorize(leaf[c].to_numpy(dtype=object)) for c in ("path", "coefficients", "note")}
    expanded = pd.DataFrame({
        "group": target * n_kinds + kind[row], **{c: leaf[c].to_numpy()[row] for c in (
            "quantity", "value_yuan", "value_constant_yuan", "value_prev_prices_yuan", "price")},
        **{c: strings[c][0][row] for c in strings}})
    grouped = expanded.groupby("group", sort=True)
    rows = grouped.agg(
        quantity=("quantity", "sum"), value_yuan=("value_yuan", "sum"),
        value_constant_yuan=("value_constant_yuan", "sum"),
        value_prev_prices_yuan=("value_prev_prices_yuan", "sum"), n=("quantity", "size"),
        first_price=("price", "first"), n_priced=("price", "count"), low_price=("price", "min"),
        high_price=("price", "max"),
        path=("path", "first"), n_paths=("path", "nunique"),
        coefficients=("coefficients", "first"), n_coefficients=("coefficients", "nunique"),
        note=("note", "first"), n_notes=("note", "nunique")).reset_index()
    for c, (_, uniques) in strings.items():
        rows[c] = np.asarray(uniques, dtype=object)[rows[c].to_numpy()]
    rows.loc[rows["n_paths"] > 1, "path"] = "mixed"
    rows.loc[rows["n_notes"] > 1, "note"] = ""
    mixed = rows.index[rows["n_coefficients"] > 1]
    if len(mixed):  # rare: sub-regions valued with different coefficient sets
        in_mixed = expanded["group"].isin(rows.loc[mixed, "group"]).to_numpy()
        used = pd.Series(strings["coefficients"][1][expanded["coefficients"].to_numpy()[in_mixed]],
                         index=expanded["group"].to_numpy()[in_mixed])
        unions = used.groupby(level=0).agg(lambda s: ";".join(sorted({k for v in s for k in v.split(";") if k})))
        rows.loc[mixed, "coefficients"] = unions.reindex(rows.loc[mixed, "group"]).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        priced = rows["n_priced"] == rows["n"]
        implicit = np.where(priced & (rows["quantity"] > 0), rows["value_yuan"] / rows["quantity"], np.nan)
        # a sum of zero quantities keeps the price its parts share (the unit price of a zero flow, SEEA EA A10.12)
        shared = priced & (rows["quantity"] == 0) & (rows["low_price"] == rows["high_price"])
        implicit = np.where(shared, rows["first_price"], implicit)
    rows["price"] = np.where(rows["n"] == 1, rows["first_price"], implicit)
    group = rows["group"].to_numpy()
    _, example = np.unique(kind, return_index=True)  # a leaf row of each kind, to read its key columns
    keys = leaf[GROUP].iloc[example[group % n_kinds]].reset_index(drop=True)
    target_codes = codes[group // n_kinds]
    by_code = regions.set_index("code")
    rows = pd.concat([rows.drop(columns="group"), keys], axis=1).assign(
        region_code=target_codes, region_name=by_code["name"].reindex(target_codes).to_numpy(),
        region_level=by_code["level"].reindex(target_codes).to_numpy())
    return rows[RESULT_COLUMNS]


def _summary(ctx: Context, services: pd.DataFrame) -> pd.DataFrame:
    regions = ctx.inventory.table("regions").set_index("code")
    counted = services[services["in_gep"]]
    table = counted.pivot_table(index=["region_code", "year"], columns="category", values="value_yuan",
                                aggfunc="sum", fill_value=0.0)
    for category in ("provisioning", "regulating", "cultural"):
        if category not in table.columns:
            table[category] = 0.0
    # every region and year of the accounts, a region without figures at zero (an empty account is valid)
    every = pd.MultiIndex.from_product([regions.index, ctx.inventory.years], names=["region_code", "year"])
    table = table.reindex(table.index.append(every[~every.isin(table.index)]), fill_value=0.0).reset_index()
    summary = pd.DataFrame({
        "region_code": table["region_code"], "year": table["year"].astype(int),
        "provisioning_yuan": table["provisioning"], "regulating_yuan": table["regulating"],
        "cultural_yuan": table["cultural"]})
    summary["gep_yuan"] = summary["provisioning_yuan"] + summary["regulating_yuan"] + summary["cultural_yuan"]
    summary["region_name"] = summary["region_code"].map(regions["name"])
    summary["region_level"] = summary["region_code"].map(regions["level"])
    summary["parent_code"] = summary["region_code"].map(regions["parent_code"])
    summary["land_area_km2"] = summary["region_code"].map(regions["land_area"]) / 100.0
    summary["gep_per_km2_yuan"] = summary["gep_yuan"] / summary["land_area_km2"]
    return summary[SUMMARY_COLUMNS].sort_values(["region_code", "year"]).reset_index(drop=True)


def _no_figures() -> pd.DataFrame:
    """The leaf figures of an inventory that gives no service anything to compute: none, with the columns and
    types of the calculators' rows (:func:`gep.services.tables.rows`), so an empty account is a valid result."""
    text = ("region_code", "service", "indicator", "ecosystem", "quantity_unit", "price_unit", "price_index", "path",
            "coefficients", "note")
    numbers = ("quantity", "price", "value_yuan")
    return pd.DataFrame({**{c: pd.Series(dtype=object) for c in text}, **{c: pd.Series(dtype=float) for c in numbers},
                         "year": pd.Series(dtype=np.int64), "in_gep": pd.Series(dtype=bool)})


#: the figures of an account that must be finite numbers (price may be NaN: a figure valued without one)
FINITE_COLUMNS = ("quantity", "value_yuan", "value_constant_yuan", "value_prev_prices_yuan")
FINITE_SUMMARY = ("provisioning_yuan", "regulating_yuan", "cultural_yuan", "gep_yuan", "gep_per_km2_yuan")


def _non_finite(frame: pd.DataFrame, columns) -> list[tuple[dict, str]]:
    """(the row, its values that are infinite or NaN as text) of every row of ``frame`` with such a value in
    ``columns``, in the frame's order."""
    values = frame[list(columns)].to_numpy(dtype=float)
    out = []
    for i in np.flatnonzero(~np.isfinite(values).all(axis=1)):
        bad = ", ".join(f"{c} = {v:g}" for c, v in zip(columns, values[i]) if not np.isfinite(v))
        out.append((frame.iloc[i].to_dict(), bad))
    return out


def _largest_input(trace: pd.DataFrame, row: dict) -> str:
    """The input or coefficient of a figure with the largest magnitude (or one that is not finite), where it
    came from: the likeliest culprit of a figure that overflowed."""
    if not len(trace):
        return ""
    mine = trace[(trace["region_code"] == row["region_code"]) & (trace["year"] == row["year"])
                 & (trace["service"] == row["service"]) & (trace["indicator"] == row["indicator"])
                 & (trace["ecosystem"] == row["ecosystem"]) & trace["role"].isin(("input", "coefficient"))]
    values = pd.to_numeric(mine["value"], errors="coerce").abs().fillna(-1.0)
    if not len(mine) or values.max() < 0:
        return ""
    r = mine.loc[values.idxmax()]
    where = str(r["coefficient"]) if r["role"] == "coefficient" else ", ".join(
        str(x) for x in (r["file"], f"row {int(r['row'])}" if pd.notna(r["row"]) else "",
                         f"column {r['column']}" if r["column"] else "") if x and str(x) != "nan")
    return f" (its largest input: {where} = {float(r['value']):g} {r['unit']})"


def check_finite(leaf: pd.DataFrame, services: pd.DataFrame, summary: pd.DataFrame, traces=()) -> None:
    """:class:`NonFiniteFigures` if a figure is infinite or NaN — the last guard before results are published.

    Inputs are checked finite where they are read, but a finite input can still make an infinite product
    (1e308 mm × 100 hm²), and a sum of finite figures can overflow. The leaf figures are named first (they
    point at the input: ``gep explain`` cannot, for nothing is written); then sums of regions, then the summary."""
    figures = _non_finite(leaf, FINITE_COLUMNS) or _non_finite(services, FINITE_COLUMNS)
    what = [(r, bad, f"{r['service']}/{r['indicator']}/{r['ecosystem']}") for r, bad in figures]
    if not what:
        what = [(r, bad, "GEP summary") for r, bad in _non_finite(summary, FINITE_SUMMARY)]
    if not what:
        return
    trace = pd.DataFrame()
    if figures and traces:  # built only now: the trace of a whole account is not needed otherwise
        trace = trace_frame(traces)
    lines = [f"{r['region_code']} {r['year']} {figure}: {bad}" + (_largest_input(trace, r) if "service" in r else "")
             for r, bad, figure in what[:SHOWN_FIGURES]]
    more = len(what) - SHOWN_FIGURES
    raise NonFiniteFigures(
        f"{len(what)} figure(s) of the account are not finite numbers (inf or NaN), so nothing was published:\n  "
        + "\n  ".join(lines + ([f"… and {more} more"] if more > 0 else []))
        + "\nAn input of these figures is infinite, or so large that a product of it overflows: check the inventory "
          "cells, grid layers and register rows they use (gep validate checks the inventory; gep explain shows "
          "how a figure is computed once the run succeeds)")


def account(inventory: Inventory, register: Register, options: Options | None = None) -> Results:
    """Compute GEP for every region and year of the inventory."""
    options = options or Options()
    unknown = set(options.exclude) - set(services_spec()["services"])
    if unknown:
        raise ValueError(f"cannot exclude unknown service(s): {', '.join(sorted(unknown))}")
    register.check_regions(inventory.table("regions")["code"])
    prices = load_price_indices(options.price_indices, options.price_indices_shown)
    base_year = int(options.base_year or max(inventory.years))
    method = as_method(options.method)
    ctx = Context(inventory, register, prices, method)
    if options.grid:
        from .grid.engine import gridded_quantities  # rasterio and dask are loaded for gridded runs only
        ctx.gridded = gridded_quantities(ctx, options.grid, options.scheduler, options.progress)
    parcel_figures = None
    if len(inventory.table("parcels")):
        parcel_figures, ctx.parcels = parcel_quantities(ctx)
    frames = [f for calc in CALCULATORS for f in calc(ctx) if len(f)]
    leaf = pd.concat(frames, ignore_index=True) if frames else _no_figures()
    catalogue = services_spec()["services"]
    leaf["category"] = leaf["service"].map({s: entry["category"] for s, entry in catalogue.items()})
    excluded = []
    for choice in method.information_only():  # the method's own exclusions, each with its reason
        service = choice.choice.removesuffix(".in_gep")
        mask = leaf["service"] == service
        if mask.any() and service not in options.exclude:
            leaf.loc[mask, "in_gep"] = False
            said = _both(bilingual("method_not_counted", method=method.name, reason=choice.reason))
            leaf.loc[mask, "note"] = [f"{n}; {said}" if isinstance(n, str) and n else said
                                      for n in leaf.loc[mask, "note"]]  # bilingual, as catalogue reasons are
            excluded.append({"service": service, "indicator": "", "reason": choice.reason["en"],
                             "reason_zh": choice.reason["zh"]})
    for service in options.exclude:
        mask = leaf["service"] == service
        leaf.loc[mask, "in_gep"] = False
        leaf.loc[mask, "note"] = "excluded by the user (--exclude)"
        excluded.append({"service": service, "indicator": "", "reason": "excluded by the user (--exclude)"})
    for service, entry in catalogue.items():
        for indicator, spec in entry["indicators"].items():
            if spec.get("physical_only") and (leaf["service"].eq(service) & leaf["indicator"].eq(indicator)).any():
                excluded.append({"service": service, "indicator": indicator, "reason": spec["reason"]})
    present = set(leaf["service"].unique())
    for pair in DOUBLE_COUNT_WATCH:
        if set(pair) <= present and not set(pair) & set(options.exclude):
            why = _both(bilingual(f"double_count.{pair[0]}.{pair[1]}"))
            ctx.notes.append(f"{' + '.join(pair)}: both counted in GEP — {why}")
    leaf["note"] = leaf["note"].fillna("")
    leaf = add_comparable_values(leaf, prices, base_year)
    parcels = allocate(parcel_figures, leaf, base_year) if parcel_figures is not None else None
    services = _aggregate(ctx, leaf)
    summary = _summary(ctx, services)
    check_finite(leaf, services, summary, ctx.traces)
    regions = inventory.table("regions")
    county = regions[regions["parent_code"] == ""]["code"].iloc[0]
    coefficients = register.frame(ctx.used)
    growth = growth_table(services, summary, prices, base_year)
    evaluation = evaluation_table(summary, growth, inventory.table("extent"), inventory.table("socioeconomic"),
                                  regions)
    decomposition = decomposition_table(services, prices)
    for r in growth[growth["method_break"]].itertuples():
        ctx.notes.append(f"{r.region_code} {r.year}: method break against the year before — {r.break_note}")
    return Results(services=services, summary=summary, coefficients=coefficients, excluded=excluded,
                   notes=ctx.notes, years=inventory.years, county_code=county, trace_builders=ctx.traces,
                   base_year=base_year, growth=growth, evaluation=evaluation, decomposition=decomposition,
                   price_indices=prices.table(), parcels=parcels, method=method,
                   service_status=service_status(leaf, ctx.skipped, ctx.skipped_for))
