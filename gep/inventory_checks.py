"""Checks of an inventory that span rows and tables: regions and their hierarchy, region codes of every table,
areas against land areas, parcels against the extent table, row rules that span columns, supplied quantities.

Each takes parsed tables (canonical units, ``input_file``/``input_row`` per row) and appends
:class:`gep.problems.Problem` entries; :func:`gep.inventory.read_inventory` calls them in order.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import inventory_spec, services_spec
from .problems import Problem
from .units import UnitError, conversion

AREA_TOLERANCE = 1e-3  # relative: parts may exceed their whole by at most 0.1 % (rounding in sources)


def ancestors_of(code: str, parents: dict[str, str]) -> list[str]:
    seen, out = set(), []
    while parents.get(code) and parents[code] not in seen:
        code = parents[code]
        seen.add(code)
        out.append(code)
    return out


def check_regions(regions: pd.DataFrame, ancestors: dict[str, list[str]], problems: list[Problem]) -> None:
    codes = regions["code"]
    unknown_parent = (regions["parent_code"].ne("") & ~regions["parent_code"].isin(codes)).to_numpy()
    cyclic = np.array([code in ancestors[code] for code in codes], dtype=bool)
    for i in np.flatnonzero(unknown_parent | cyclic):
        r = regions.iloc[i]
        if unknown_parent[i]:
            problems.append(Problem(r["input_file"], int(r["input_row"]), "parent_code",
                                    f"parent '{r['parent_code']}' is not a region of this inventory"))
        if cyclic[i]:
            problems.append(Problem(r["input_file"], int(r["input_row"]), "parent_code",
                                    "region is its own ancestor"))
    roots = regions[regions["parent_code"] == ""]
    if len(roots) != 1:
        problems.append(Problem(regions["input_file"].iloc[0] if len(regions) else "regions", None, "parent_code",
                                f"exactly one top-level region (no parent) is expected, found {len(roots)}"))
    children_area = regions[regions["parent_code"] != ""].groupby("parent_code")["land_area"].sum()
    area = dict(zip(regions["code"], regions["land_area"]))
    for parent, total in children_area.items():
        if parent in area and not np.isnan(area[parent]) and \
                abs(total - area[parent]) > AREA_TOLERANCE * area[parent]:
            row = regions[regions["code"] == parent].iloc[0]
            problems.append(Problem(row["input_file"], int(row["input_row"]), "land_area",
                                    f"land areas of the sub-regions add up to {total:,.2f} hm², "
                                    f"not this region's {area[parent]:,.2f} hm²"))


def check_region_refs(name: str, frame: pd.DataFrame, regions: pd.DataFrame, ancestors: dict[str, list[str]],
                       problems: list[Problem]) -> None:
    if "region_code" not in frame.columns or not len(frame):
        return
    codes = set(regions["code"])
    for r in frame[~frame["region_code"].isin(codes) & frame["region_code"].ne("")].itertuples():
        problems.append(Problem(r.input_file, r.input_row, "region_code",
                                f"unknown region code '{r.region_code}': not in regions"))
    # The same extensive table must not hold a region and one of its ancestors for the same year:
    # the ancestor's figure would be counted twice when township results are added up.
    if name in ("conditions", "climate", "targets", "socioeconomic", "parcels"):
        return  # intensive parameters and statistics may be given at any level; a parcel is never a total
    lineage = frame["region_code"].map(ancestors).explode().dropna()  # nearest ancestor first
    position = lineage.index.to_numpy()  # parsed tables have a range index
    years = frame["year"].to_numpy()
    present = pd.MultiIndex.from_arrays([years, frame["region_code"].to_numpy()])
    clashes = lineage[pd.MultiIndex.from_arrays([years[position], lineage.to_numpy()]).isin(present)]
    clashes = clashes[~clashes.index.duplicated()]  # a row's nearest ancestor with rows of its own
    first = pd.Series(clashes.index.to_numpy(), index=years[clashes.index.to_numpy()]).groupby(level=0).min()
    for year, i in first.items():  # the first clashing row of each year, as the user fixes them
        r = frame.iloc[i]
        problems.append(Problem(r["input_file"], int(r["input_row"]), "region_code",
                                f"{name} has rows for both region {r['region_code']} and its parent "
                                f"{clashes.loc[i]} in {int(year)}: the parent's rows would be counted twice; "
                                f"give each figure at one level only"))


def check_areas(tables: dict[str, pd.DataFrame], problems: list[Problem], warnings: list[Problem]) -> None:
    regions = tables["regions"].set_index("code")
    land = regions["land_area"]

    def first_row(frame: pd.DataFrame, code: str, year) -> pd.Series:
        return frame[(frame["region_code"] == code) & (frame["year"] == year)].iloc[0]

    def land_of(totals: pd.Series) -> np.ndarray:
        return land.reindex(totals.index.get_level_values("region_code")).to_numpy(dtype=float)

    extent = tables.get("extent")
    if extent is not None and len(extent):
        totals = extent.groupby(["region_code", "year"])["area"].sum()
        for i in np.flatnonzero(totals.to_numpy() > land_of(totals) * (1 + AREA_TOLERANCE)):
            (code, year), total = totals.index[i], totals.iloc[i]
            row = first_row(extent, code, year)
            problems.append(Problem(row["input_file"], int(row["input_row"]), "area",
                                    f"ecosystem areas of {code} in {int(year)} add up to {total:,.2f} hm², "
                                    f"more than its land area {land[code]:,.2f} hm²"))
    forest = tables.get("forest")
    if forest is not None and len(forest):
        totals = forest.groupby(["region_code", "year"])["area"].sum()
        ext_forest = (extent[extent["ecosystem"] == "forest"].groupby(["region_code", "year"])["area"].sum()
                      if extent is not None and len(extent) else pd.Series(dtype=float))
        area = totals.to_numpy()
        in_extent = ext_forest.reindex(totals.index).to_numpy(dtype=float) if len(ext_forest) \
            else np.full(len(totals), np.nan)
        above_land = area > land_of(totals) * (1 + AREA_TOLERANCE)
        differs = np.abs(area - in_extent) > AREA_TOLERANCE * np.maximum(area, 1.0)  # False where no extent row
        for i in np.flatnonzero(above_land | differs):
            (code, year), total = totals.index[i], area[i]
            row = first_row(forest, code, year)
            if above_land[i]:
                problems.append(Problem(row["input_file"], int(row["input_row"]), "area",
                                        f"forest area of {code} in {int(year)} is {total:,.2f} hm², "
                                        f"above its land area {land[code]:,.2f} hm²"))
            else:
                warnings.append(Problem(row["input_file"], int(row["input_row"]), "area",
                                        f"forest table gives {total:,.2f} hm² for {code} in {int(year)}, "
                                        f"the extent table {in_extent[i]:,.2f} hm²", "warning"))



def parcel_targets(keys: pd.DataFrame, extent: pd.DataFrame, ancestors) -> tuple[np.ndarray, np.ndarray]:
    """For each parcel key (region_code, year, ecosystem): the region whose figure its parcels make — itself
    when the extent table has a row for it, else its nearest ancestor with one (parcels coded by village, the
    extent given by township), else itself — and whether the extent table has rows for it only *below* it
    (parcels coded by township, the extent given by village: an error, the township's figure would be counted
    twice). ``ancestors(code)`` lists a region's ancestors, nearest first."""
    have = set(zip(extent["region_code"], extent["year"].astype(int), extent["ecosystem"])) if len(extent) else set()
    below = {(a, year, eco) for code, year, eco in have for a in ancestors(code)}
    targets, conflicts = [], []
    for code, year, eco in zip(keys["region_code"], keys["year"].astype(int), keys["ecosystem"]):
        target = next((c for c in (code, *ancestors(code)) if (c, year, eco) in have), None)
        targets.append(target or code)
        conflicts.append(target is None and (code, year, eco) in below)
    return np.array(targets, dtype=object), np.array(conflicts, dtype=bool)


def check_parcels(tables: dict[str, pd.DataFrame], ancestors: dict[str, list[str]], problems: list[Problem],
                   warnings: list[Problem]) -> None:
    """Parcels against the extent table: their years must be accounting years; they must not lie above the
    level the extent gives their ecosystem at; their areas should add up to the extent's (a warning)."""
    parcels = tables.get("parcels")
    if parcels is None or not len(parcels):
        return
    extent = tables.get("extent", pd.DataFrame(columns=["region_code", "year", "ecosystem", "area"]))
    keys = ["region_code", "year", "ecosystem"]
    firsts = parcels.drop_duplicates(keys)
    years = set(extent["year"].astype(int)) if len(extent) else set()
    for r in firsts.drop_duplicates("year").itertuples():
        if int(r.year) not in years:
            problems.append(Problem(r.input_file, int(r.input_row), "year",
                                    f"parcels of {int(r.year)}, but the extent table has no year {int(r.year)}: "
                                    f"parcels add to the accounts of the years the extent table gives"))
    targets, conflicts = parcel_targets(firsts, extent, lambda c: ancestors.get(c, []))
    for r in firsts[conflicts].itertuples():
        problems.append(Problem(r.input_file, int(r.input_row), "region_code",
                                f"parcels of {r.region_code} ({r.ecosystem}, {int(r.year)}) lie above the level the "
                                f"extent table gives {r.ecosystem} at (its sub-regions): the figure would be counted "
                                f"twice; give each parcel the code of the sub-region it lies in"))
    # areas: parcels summed into the region whose figure they make, against that region's extent row
    target_of = dict(zip(map(tuple, firsts[keys].itertuples(index=False)), targets))
    first_row: dict[tuple, int] = {}  # the first parcel row making each target's figure
    for (_code, year, eco), target, row in zip(target_of, targets, firsts["input_row"]):
        first_row.setdefault((target, int(year), eco), int(row))
    summed = parcels.groupby(keys)["area"].sum()
    by_target = pd.Series(summed.to_numpy(), index=pd.MultiIndex.from_arrays(
        [[target_of[k] for k in summed.index], summed.index.get_level_values("year"),
         summed.index.get_level_values("ecosystem")], names=keys)).groupby(level=keys).sum()
    in_extent = (extent.set_index(keys)["area"].reindex(by_target.index).to_numpy(dtype=float)
                 if len(extent) else np.full(len(by_target), np.nan))
    area = by_target.to_numpy()
    differs = ~(np.abs(area - in_extent) <= AREA_TOLERANCE * np.maximum(area, 1.0))  # also where no extent row
    shown_at_most = 20  # enough to show the pattern of a systematic difference
    file = str(parcels["input_file"].iloc[0])
    for i in np.flatnonzero(differs)[:shown_at_most]:
        code, year, ecosystem = by_target.index[i]
        shown = "no row" if np.isnan(in_extent[i]) else f"{in_extent[i]:,.2f} hm²"
        warnings.append(Problem(file, first_row[(code, int(year), ecosystem)], "area",
                                f"parcels summed into {code} give "
                                f"{area[i]:,.2f} hm² of {ecosystem} in {int(year)}, the extent table {shown}",
                                "warning"))
    if differs.sum() > shown_at_most:
        warnings.append(Problem(file, None, "area", f"… and {int(differs.sum()) - shown_at_most} more "
                                f"region-year-ecosystems whose parcel areas differ from the extent table", "warning"))

# ----------------------------------------------------------------------------------------------
# row rules that span columns


def check_rows(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Row rules that span columns: how a product is valued, what a supplied quantity measures."""
    products = tables.get("products")
    if products is not None:
        for r in products.itertuples():
            has_pair = not (np.isnan(r.quantity) or np.isnan(r.price))
            if np.isnan(r.output_value) and not has_pair:
                problems.append(Problem(r.input_file, r.input_row, "output_value",
                                        "give the output value, or both quantity and price"))
            for col, unit_col in (("quantity", "quantity_unit"), ("price", "price_unit")):
                if not np.isnan(getattr(r, col)) and not getattr(r, unit_col):
                    problems.append(Problem(r.input_file, r.input_row, unit_col, f"{col} has no unit in {unit_col}"))
            if has_pair and r.quantity_unit and r.price_unit:
                try:
                    conversion(f"({r.quantity_unit})*({r.price_unit})", "yuan")
                except UnitError:
                    problems.append(Problem(r.input_file, r.input_row, "price_unit",
                                            f"a price in '{r.price_unit}' does not value an amount in "
                                            f"'{r.quantity_unit}'; use 元 per {r.quantity_unit}"))
    tourism = tables.get("tourism")
    if tourism is not None:  # revenue per visit is revenue ÷ visits: none to divide among is no spending per visit
        for r in tourism.itertuples():
            if np.isnan(r.spending_per_visit) and not np.isnan(r.revenue) and r.visits == 0:
                problems.append(Problem(r.input_file, r.input_row, "visits",
                                        "more than 0 visits where the spending per visit is taken from the revenue "
                                        "(revenue ÷ visits); give the spending per visit, or leave the revenue empty"))
    targets = tables.get("targets")
    if targets is not None:
        for r in targets.itertuples():
            want = "percent" if r.indicator == "forest_coverage" else \
                "m**3" if r.indicator in ("forest_stock", "harvest_quota", "water_use_cap") else "hectare"
            try:
                conversion(r.unit, want)
            except UnitError as exc:
                problems.append(Problem(r.input_file, r.input_row, "unit", f"{exc}; {r.indicator} needs a unit like {want}"))
    changes = tables.get("changes")
    if changes is not None:
        units = {"extent": "hectare", "forest_area": "hectare", "forest_stock": "m**3"}
        for r in changes.itertuples():
            if r.account in units and r.unit:
                try:
                    conversion(r.unit, units[r.account])
                except UnitError as exc:
                    problems.append(Problem(r.input_file, r.input_row, "unit",
                                            f"{exc}; a {r.account} change needs a unit like {units[r.account]}"))
            from .assets.physical import item_key
            for col in ("item", "from_item"):
                value = getattr(r, col)
                if value and r.account in units and item_key(r.account, value) is None:
                    kind = "an ecosystem type" if r.account == "extent" else "an origin (天然/人工)"
                    problems.append(Problem(r.input_file, r.input_row, col, f"'{value}' is not {kind}"))
            if r.from_item and r.amount < 0:
                problems.append(Problem(r.input_file, r.input_row, "amount",
                                        "a conversion (from_item given) moves a positive amount"))
    supplied = tables.get("service_quantities")
    if supplied is not None:
        check_supplied(supplied, tables.get("extent"), problems)


def _given_in(entry: dict) -> str:
    """Where a figure that cannot be supplied is given instead: '旅游 (tourism): 游客人次 (visits), …'."""
    table = inventory_spec()["tables"][entry["table"]]
    return f"{table['zh']} ({entry['table']}): " + ", ".join(f"{table['columns'][c]['zh']} ({c})"
                                                           for c in entry["columns"])


def check_supplied(supplied: pd.DataFrame, extent: pd.DataFrame | None, problems: list[Problem]) -> None:
    """Every service_quantities row must be a figure some service uses: an indicator of its service that can
    be supplied (services.yaml ``suppliable``), in a unit of the indicator's dimension, for an ecosystem
    type (or 'all'), in a year of the accounts (the years of the extent table)."""
    catalogue = services_spec()["services"]
    table = f"{inventory_spec()['tables']['service_quantities']['zh']} (service_quantities)"
    years = sorted({int(y) for y in extent["year"].dropna()}) if extent is not None and len(extent) else []
    for r in supplied.itertuples():
        if r.service not in catalogue:
            continue  # reported with the column's type
        entry = catalogue[r.service]
        indicators = entry["indicators"]
        if entry.get("given_in") and r.indicator not in indicators:  # products: any product name
            problems.append(Problem(r.input_file, r.input_row, "indicator",
                                    f"'{r.indicator}' would be a product of {entry['zh']} ({r.service}): products "
                                    f"cannot be supplied in {table}; give them in {_given_in(entry['given_in'])}"))
            continue
        if r.indicator not in indicators:
            problems.append(Problem(r.input_file, r.input_row, "indicator",
                                    f"'{r.indicator}' is not an indicator of {r.service}; expected one of "
                                    + ", ".join(indicators)))
            continue
        spec = indicators[r.indicator]
        if not spec["suppliable"]:
            problems.append(Problem(r.input_file, r.input_row, "indicator",
                                    f"{entry['zh']}·{spec['zh']} ({r.service}/{r.indicator}) cannot be supplied in "
                                    f"{table}: it has no register price, its value comes from its own table; give "
                                    f"it in {_given_in(spec['given_in'])}"))
            continue
        try:
            conversion(r.unit, spec["unit"])
        except UnitError as exc:
            problems.append(Problem(r.input_file, r.input_row, "unit", str(exc)))
        if r.ecosystem != "all" and r.ecosystem not in inventory_spec()["vocabularies"]["ecosystem"]:
            problems.append(Problem(r.input_file, r.input_row, "ecosystem",
                                    f"'{r.ecosystem}' is not an ecosystem type (or 'all')"))
        if years and not np.isnan(r.year) and int(r.year) not in years:
            problems.append(Problem(r.input_file, r.input_row, "year",
                                    f"{int(r.year)} is not a year of the accounts: the extent table (生态系统面积) "
                                    f"gives {', '.join(map(str, years))}; supply figures for those years, or add "
                                    f"the year's ecosystem areas to the extent table"))
