"""Per-service calculators: inventory tables → figures, each with its trace.

Each calculator gathers the inputs of one service from the validated inventory (vectorised over
region × year × ecosystem), calls the pure functions of :mod:`gep.services`, values the quantities with
register prices, and records for every figure a trace (:mod:`gep.trace`): the inventory cells and
register rows it used and each intermediate value with the expression that computes it. The trace
expressions restate the service formulas in canonical units; a test re-evaluates every one of them
against the engine, and the workbook turns them into live Excel formulas.

Canonical units in expressions: areas hm², depths mm, volumes m³, masses t, energy kWh, money 元.
Conversion constants appear literally: 1 mm × 1 hm² = 10 m³; 1 g/m² × 1 hm² = 0.01 t.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from .catalogue import inventory_spec, services_spec
from .coefficients import CANONICAL_UNITS, Register
from .inventory import Inventory
from .method import Method
from .method_inputs import METHOD_ARGUMENTS, CoolingDays, cooling_days, method_argument, water_surface_factors
from .prices import INVENTORY_PRICE_INDEX, PriceIndices
from .services import carbon, climate, cultural, provisioning, purification, soil, water
from .trace import TraceBuilder, distinct
from .units import CO2_PER_C, conversion, convert_magnitude, quantity, scale

KEYS = ["region_code", "year", "ecosystem"]
PROVENANCE = ["input_file", "input_row", "source", "status"]
SECTOR_ECOSYSTEM = {"agriculture": "farmland", "forestry": "forest", "husbandry": "all", "fishery": "all"}
VEGETATION = ("forest", "shrub", "grassland", "garden")
WATER_SURFACES = ("wetland_swamp", "wetland_lake", "wetland_reservoir", "wetland_river")
COMPUTED, SUPPLIED, GRIDDED, PARCELS = "computed", "supplied_quantity", "gridded", "parcels"
#: provenance of a given figure: its input cell, and the register keys a gridded figure's kernel applied
GIVEN_PROVENANCE = [*PROVENANCE, "coefficients"]
#: where a figure given rather than computed comes from: (path, trace table, trace column)
GIVEN = ((SUPPLIED, "service_quantities", "quantity"), (GRIDDED, "grid", "zonal_sum"),
         (PARCELS, "parcels", "parcel_sum"))
#: paths whose figures are sums of finer units (cells, parcels): a figure derived from one keeps its path
SUMMED = (GRIDDED, PARCELS)
#: register keys given for some ecosystems only: an ecosystem without a row is not computed (an EPP table
#: of forest, shrub and grassland leaves garden out), rather than an error
OPTIONAL_BY_ECOSYSTEM = ("transpiration_heat",)


class Coef(NamedTuple):
    """Register values for a batch of figures, with the rows they came from."""

    key: str
    values: np.ndarray
    rows: np.ndarray  # of register rows, one per figure
    unit: str


@dataclass
class Context:
    inventory: Inventory
    register: Register
    prices: PriceIndices
    method: Method
    used: set = field(default_factory=set)
    notes: list = field(default_factory=list)
    traces: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)  # service → cases it applies to but lacks an input for
    skipped_for: dict = field(default_factory=dict)  # service → (cases, what they lacked) not listed in services.yaml
    gridded: pd.DataFrame | None = None  # service_quantities-like rows from gep.grid (path gridded)
    parcels: pd.DataFrame | None = None  # service_quantities-like rows from gep.parcels (path parcels)

    def __post_init__(self):
        regions = self.inventory.table("regions")
        self.parents = dict(zip(*(regions[c].to_numpy(dtype=object) for c in ("code", "parent_code"))))

    def lineage(self, code: str) -> list[str]:
        out = [code]
        while self.parents.get(out[-1]):
            out.append(self.parents[out[-1]])
        return out

    def coef(self, key: str, ecosystems, regions, years=None) -> Coef:
        """Register rows for each (ecosystem, region, year) triple, recording which rows were used.

        Same precedence as :meth:`Register.lookup`; a region's row also covers its sub-regions, and a row
        given for an accounting year serves that year's figures (``years`` None: rows for every year only).
        Looked up once per distinct ecosystem, set of scoped ancestors (regions with a row of this key) and
        year with a row of its own."""
        ecosystems = np.asarray(ecosystems, dtype=object)
        regions = np.asarray(regions, dtype=object)
        scoped = {r for k, _, r, _ in self.register.rows if k == key and r}
        own_years = self.register.years_of(key)
        eco_codes, eco_names = pd.factorize(ecosystems)
        if scoped:
            region_codes, region_names = pd.factorize(regions)
            scopes = np.empty(len(region_names), dtype=object)  # not np.array: it would unpack the tuples
            scopes[:] = [tuple(c for c in self.lineage(r) if c in scoped) for r in region_names]
            scope_codes, scope_names = pd.factorize(scopes[region_codes])
        else:
            scope_codes, scope_names = np.zeros(len(regions), dtype=np.int64), [()]
        if own_years and years is not None:
            texts = np.asarray(years).astype(np.int64).astype(str).astype(object)
            year_codes, year_names = pd.factorize(np.where(np.isin(texts, list(own_years)), texts, ""))
        else:
            year_codes, year_names = np.zeros(len(regions), dtype=np.int64), [""]
        n_scopes, n_years = len(scope_names), len(year_names)
        codes, triples = pd.factorize((eco_codes.astype(np.int64) * n_scopes + scope_codes) * n_years + year_codes)
        found = np.empty(len(triples), dtype=object)
        for i, triple in enumerate(triples):
            eco = eco_names[triple // (n_scopes * n_years)]
            lineage, year = scope_names[(triple // n_years) % n_scopes], year_names[triple % n_years]
            scopes = [(eco, c) for c in lineage] + [(eco, "")] + [("", c) for c in lineage] + [("", "")]
            candidates = [(e, r, y) for e, r in scopes for y in ((year, "") if year else ("",))]
            row = next((self.register.rows[(key, *c)] for c in candidates if (key, *c) in self.register.rows), None)
            row = row or self.register.lookup(key, eco, "", year or None)  # raises with a clear message
            self.used.add(row.ident)
            found[i] = row
        values = np.array([r.value for r in found], dtype=float)
        return Coef(key, values[codes], found[codes], CANONICAL_UNITS[key])

    def has_rows(self, key: str, ecosystems) -> np.ndarray:
        """Whether the register has a row of ``key`` for each ecosystem (looked up once per distinct one)."""
        codes, distinct = pd.factorize(np.asarray(ecosystems, dtype=object))
        return np.array([self.register.has(key, e) for e in distinct], dtype=bool)[codes]

    def argument(self, name: str, ecosystems, regions, years) -> tuple[np.ndarray, tuple[str, ...]]:
        """A kernel argument for (ecosystem, region, year) triples — one the method profile derives
        (:data:`gep.method_inputs.METHOD_ARGUMENTS`), else a register coefficient — with the register keys its
        values came from (for the traces of gridded and parcel sums)."""
        if name in METHOD_ARGUMENTS:
            keys = pd.DataFrame({"region_code": np.asarray(regions, dtype=object),
                                 "year": np.asarray(years, dtype=np.int64),
                                 "ecosystem": np.asarray(ecosystems, dtype=object)})
            return method_argument(self, name, keys)
        if name in OPTIONAL_BY_ECOSYSTEM:  # an ecosystem without a row has no value (as the calculators skip it)
            ecosystems = np.asarray(ecosystems, dtype=object)
            has = self.has_rows(name, ecosystems)
            values = np.full(len(ecosystems), np.nan)
            if has.any():
                values[has] = self.coef(name, ecosystems[has], np.asarray(regions, dtype=object)[has],
                                        None if years is None else np.asarray(years)[has]).values
            return values, (name,) if has.any() else ()
        return self.coef(name, ecosystems, regions, years).values, (name,)

    def coef_for(self, key: str, keys: pd.DataFrame) -> Coef:
        return self.coef(key, keys["ecosystem"], keys["region_code"], keys["year"] if "year" in keys else None)

    def inherited(self, table: str, keys: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Values and provenance of an intensive table (conditions, climate) for each key, from the
        region itself or its nearest ancestor with a row: parameters such as precipitation apply downwards."""
        source = self.inventory.table(table)
        columns = [c for c in inventory_spec()["tables"][table]["columns"]
                   if c not in ("region_code", *by, "source", "note", "status")]
        values = pd.DataFrame(np.nan, index=keys.index, columns=columns)
        prov = pd.DataFrame({"input_file": "", "input_row": np.nan, "source": "", "status": "", "region": ""},
                            index=keys.index)  # region: the region of the row a value came from
        if not len(source) or not len(keys):
            return values, prov

        def key_arrays(frame: pd.DataFrame, codes) -> list[np.ndarray]:
            return [np.asarray(codes, dtype=object), *(frame[b].to_numpy(dtype=np.int64 if b == "year" else object)
                                                       for b in by)]

        rows = pd.MultiIndex.from_arrays(key_arrays(source, source["region_code"]))  # the table's key: unique
        at = np.full(len(keys), -1)  # the source row of each key: its own region's, else the nearest ancestor's
        ancestors = keys["region_code"].to_numpy(dtype=object)  # the regions themselves, then their parents, …
        while True:
            todo = (at < 0) & pd.notna(ancestors)
            if not todo.any():
                break
            probe = [a[todo] for a in key_arrays(keys, ancestors)]
            at[todo] = rows.get_indexer(pd.MultiIndex.from_arrays(probe))
            parents = pd.Series(ancestors, dtype=object).map(self.parents).to_numpy(dtype=object)
            ancestors = np.where(pd.isna(parents) | (parents == ""), None, parents)
        found = at >= 0
        if found.any():
            pick = at[found]
            values.loc[found, columns] = source[columns].to_numpy(dtype=float)[pick]
            prov.loc[found, PROVENANCE] = source[PROVENANCE].to_numpy(dtype=object)[pick]
            prov.loc[found, "region"] = source["region_code"].to_numpy(dtype=object)[pick]
        return values.astype(float), prov

    @functools.cached_property
    def _given(self) -> pd.DataFrame:
        """Every given figure, in the order a later one wins (read once the gridded and parcel sums are in)."""
        sq = self.inventory.table("service_quantities").assign(path=SUPPLIED)
        given = [f.assign(path=path) for f, path in ((self.gridded, GRIDDED), (self.parcels, PARCELS))
                 if f is not None and len(f)]
        return pd.concat([*given, sq], ignore_index=True) if given else sq

    def supplied(self, service: str, indicator: str) -> pd.DataFrame:
        """Figures given rather than computed, with their ``path``: gridded zonal sums, then parcel sums, then
        the inventory's service_quantities; a later one wins where several give the same figure."""
        sq = self._given
        rows = sq[(sq["service"] == service) & (sq["indicator"] == indicator)]
        if not len(rows):
            return rows
        unit = services_spec()["services"][service]["indicators"][indicator]["unit"]
        rows = rows.copy()
        rows["quantity"] = [convert_magnitude(q, u, unit) for q, u in zip(rows["quantity"], rows["unit"])]
        return rows

    def tracer(self, service: str, indicator: str, keys: pd.DataFrame, mask=None) -> TraceBuilder:
        tb = TraceBuilder(keys[KEYS].reset_index(drop=True), service, indicator,
                          None if mask is None else np.asarray(mask, dtype=bool))
        self.traces.append(tb)
        return tb

    def note_once(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def skip(self, service: str, cases: int, requires: tuple[tuple[str, ...], ...] | None = None) -> None:
        """Record ``cases`` (region-year-ecosystem) the service applies to but cannot compute for lack of an
        input it requires — services.yaml ``requires``, or ``requires`` (alternatives, each the ``table.column``
        inputs needed together) for a term of the method profile it does not list; the run lists them by
        service."""
        if cases:
            self.skipped[service] = self.skipped.get(service, 0) + int(cases)
            if requires:  # (cases, alternatives) skipped for lack of an input services.yaml does not list
                counted, alternatives = self.skipped_for.get(service, (0, []))
                self.skipped_for[service] = (counted + int(cases),
                                             alternatives + [r for r in requires if r not in alternatives])

    def note_skipped(self, service: str, frame: pd.DataFrame, what: str,
                     requires: tuple[tuple[str, ...], ...] | None = None) -> None:
        """Skip the cases of ``frame`` (:meth:`skip`) and say so in the notes, with a few of them."""
        self.skip(service, len(frame), requires)
        if len(frame):
            sample = ", ".join(f"{r.region_code}/{r.year}/{r.ecosystem}" for r in frame.head(3).itertuples())
            self.notes.append(f"{service}: {len(frame)} region-year-ecosystem case(s) skipped, no {what} "
                              f"(e.g. {sample})")


def _indicator(service: str, indicator: str) -> dict:
    return services_spec()["services"][service]["indicators"][indicator]


@dataclass
class Quantities:
    """Figures of one indicator before valuation: keys, amounts, path per figure, provenance of supplied ones."""

    keys: pd.DataFrame
    amounts: np.ndarray
    paths: np.ndarray
    supplied: pd.DataFrame  # provenance (input_file, input_row, source, status) of supplied figures

    @property
    def computed_mask(self) -> np.ndarray:
        return self.paths == COMPUTED

    @property
    def supplied_mask(self) -> np.ndarray:
        return self.paths == SUPPLIED

    def computed_in(self, keys: pd.DataFrame, exclude=None) -> np.ndarray:
        """The computed figures among ``keys`` — these figures' keys, then others appended (not computed
        here) — less those ``exclude`` masks."""
        mask = np.concatenate([self.computed_mask, np.zeros(len(keys) - len(self.keys), dtype=bool)])
        return mask if exclude is None else mask & ~exclude

    def subset(self, mask) -> Quantities:
        mask = np.asarray(mask, dtype=bool)
        return Quantities(self.keys[mask].reset_index(drop=True), self.amounts[mask], self.paths[mask],
                          self.supplied[mask].reset_index(drop=True))


def with_supplied(ctx: Context, service: str, indicator: str, keys: pd.DataFrame, amounts) -> Quantities:
    """Replace computed quantities by those supplied in service_quantities (e.g. from an external
    model) or summed from the grid (:mod:`gep.grid`) or from parcels (:mod:`gep.parcels`); given figures
    without a computed counterpart are appended."""
    keys = keys[KEYS].reset_index(drop=True)
    paths = np.full(len(keys), COMPUTED, dtype=object)
    amounts = np.asarray(amounts, dtype=float).copy()
    prov = pd.DataFrame({"input_file": "", "input_row": np.nan, "source": "", "status": "", "coefficients": ""},
                        index=keys.index)
    supplied = ctx.supplied(service, indicator)
    if len(supplied):
        # one given figure per key, the last one winning, in the order the keys first appear
        given = pd.MultiIndex.from_arrays([supplied["region_code"].to_numpy(dtype=object),
                                           supplied["year"].to_numpy(dtype=np.int64),
                                           supplied["ecosystem"].to_numpy(dtype=object)])
        codes, distinct = pd.factorize(given)
        last = np.full(len(distinct), -1)
        last[codes] = np.arange(len(codes))  # the last assignment per code wins
        supplied = supplied.iloc[last].reset_index(drop=True)
        if "coefficients" not in supplied:
            supplied["coefficients"] = ""
        supplied["coefficients"] = supplied["coefficients"].fillna("")
        at = pd.MultiIndex.from_frame(keys.astype({"year": np.int64})).get_indexer(distinct)
        hit = at >= 0
        amounts[at[hit]] = supplied["quantity"].to_numpy(dtype=float)[hit]
        paths[at[hit]] = supplied["path"].to_numpy(dtype=object)[hit]
        for column in GIVEN_PROVENANCE:
            values = prov[column].to_numpy(dtype=object if column != "input_row" else float).copy()
            values[at[hit]] = supplied[column].to_numpy()[hit]
            prov[column] = values
        if not hit.all():
            extra = supplied[~hit]
            keys = pd.concat([keys, pd.DataFrame({"region_code": extra["region_code"].to_numpy(dtype=object),
                                                  "year": extra["year"].to_numpy(dtype=np.int64),
                                                  "ecosystem": extra["ecosystem"].to_numpy(dtype=object)})],
                             ignore_index=True)
            amounts = np.concatenate([amounts, extra["quantity"].to_numpy(dtype=float)])
            paths = np.concatenate([paths, extra["path"].to_numpy(dtype=object)])
            prov = pd.concat([prov, extra[GIVEN_PROVENANCE].reset_index(drop=True)], ignore_index=True)
    return Quantities(keys, amounts, paths, prov)


def trace_given(ctx: Context, service: str, indicator: str, q: Quantities, symbol: str = "Q",
                keys: pd.DataFrame | None = None, unit: str | None = None, exclude=None,
                paths: tuple[str, ...] = (SUPPLIED, *SUMMED)) -> list[TraceBuilder]:
    """Traces of the given figures of ``q``: the quantity is an input — a service_quantities cell, or a
    zonal sum of the grid (its provenance names the layers; the register rows its kernel applied follow as
    coefficients). ``keys`` (default ``q.keys``) may extend ``q``'s figures; ``exclude`` masks figures
    traced elsewhere."""
    keys = q.keys if keys is None else keys
    pad = np.zeros(len(keys) - len(q.keys), dtype=bool)
    out = []
    for path, table, column in GIVEN:
        mask = np.concatenate([q.paths == path, pad])
        if path not in paths:
            continue
        mask = mask if exclude is None else mask & ~exclude
        used = np.concatenate([q.supplied["coefficients"].fillna("").to_numpy(dtype=object),
                               np.full(len(pad), "", dtype=object)])
        for coefficients in dict.fromkeys(used[mask]):  # one trace per set of coefficients applied
            tb = ctx.tracer(service, indicator, keys, mask & (used == coefficients))
            tb.input(symbol, q.amounts, unit or _indicator(service, indicator)["unit"], table, column, q.supplied)
            for key in filter(None, coefficients.split(";")):  # what the grid's kernel applied, cell by cell
                picked = np.flatnonzero(tb.mask)
                if key in OPTIONAL_BY_ECOSYSTEM:  # only the figures of ecosystems the key has a row for
                    picked = picked[ctx.has_rows(key, keys["ecosystem"].to_numpy()[picked])]
                    if not len(picked):
                        continue
                coef = ctx.coef(key, keys["ecosystem"].to_numpy()[picked], keys["region_code"].to_numpy()[picked],
                                keys["year"].to_numpy()[picked])
                values, rows_ = np.full(len(keys), np.nan), [coef.rows[0]] * len(keys)
                values[picked] = coef.values
                for i, r in zip(picked, coef.rows):
                    rows_[i] = r
                tb.coefficient(key, values, coef.unit, rows_)
            out.append(tb)
    return out


def derived(ctx: Context, service: str, indicator: str, base: Quantities, amounts) -> tuple[Quantities, np.ndarray]:
    """A component computed from a base figure (reduced sedimentation from soil retained, land kept from
    desertification from sand fixed): computed where its base is, with its base's path; a figure given for
    the component itself replaces it — it is never recomputed from its base — or is appended. Returns the
    component and the mask of the figures given for it (``own``)."""
    component = with_supplied(ctx, service, indicator, base.keys, amounts)
    own = component.paths != COMPUTED
    n = len(base.keys)
    component.paths[:n] = np.where(own[:n], component.paths[:n], base.paths)
    return component, own


def given_rows(ctx: Context, service: str, indicator: str, q: Quantities) -> list[pd.DataFrame]:
    """The figures of ``q`` given rather than computed, valued at the register price of the indicator under the
    method profile (:meth:`gep.method.Method.price_key`) carried to each figure's year, and traced as given —
    for services whose computed figures are valued otherwise, at prices of the inventory: water supply,
    hydropower."""
    given = q.subset(~q.computed_mask)
    if not len(given.keys):
        return []
    return [rows(ctx, service, indicator, given, trace_given(ctx, service, indicator, given),
                 price=ctx.coef_for(ctx.method.price_key(service, indicator), given.keys))]


def carry_prices(ctx: Context, price: Coef, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Register prices carried from their price year to each figure's year by their declared index:
    the factor per figure and its rows (for traces)."""
    codes, distinct_rows = distinct(price.rows)
    years = np.asarray(years, dtype=np.int64)
    combos, uniques = pd.factorize(codes.astype(np.int64) * 10000 + years)  # years are 1900–2100
    factor_rows = np.empty(len(uniques), dtype=object)
    for i, u in enumerate(uniques):
        r, year = distinct_rows[u // 10000], int(u % 10000)
        factor_rows[i] = ctx.prices.factor_row(r.price_index, r.price_year if r.price_year else year, year)
    return np.array([f.value for f in factor_rows], dtype=float)[combos], factor_rows[combos]


def rows(ctx: Context, service: str, indicator: str, q: Quantities, traces: list[TraceBuilder],
         price: Coef | None = None, prices=None, price_unit: str = "", price_symbol: str = "p",
         values=None, coefficients: tuple[str, ...] = (),
         note: str = "", price_index: str = INVENTORY_PRICE_INDEX) -> pd.DataFrame:
    """Result rows of one indicator, valued at the prices of each figure's year, and the value steps
    of their traces.

    A register price is carried from its price year to the figure's year by its declared index
    (``p = p0 × F``); prices given in the inventory are taken as prices of their own year and are
    deflated by ``price_index`` (default CPI) for constant-price values. ``V = Q × p × k``, k the unit
    factor that makes 元. ``value_constant_yuan`` is V at the prices of ``ctx.base_year``."""
    spec = _indicator(service, indicator)
    unit = spec["unit"]
    n = len(q.keys)
    years = q.keys["year"].astype(int).to_numpy()
    indices = np.full(n, price_index, dtype=object)
    if price is not None:
        carried, factor_rows = carry_prices(ctx, price, years)
        prices, price_unit = price.values * carried, price.unit
        codes, distinct_rows = distinct(price.rows)
        indices = np.array([r.price_index or "none" for r in distinct_rows], dtype=object)[codes]
    if prices is not None:
        prices = np.broadcast_to(np.asarray(prices, dtype=float), (n,))
        factor = conversion(f"({unit})*({price_unit})", "yuan")  # exact; raises if not 元
        if values is None:
            values = scale(q.amounts * prices, factor)
        for tb in traces:
            if price is not None:
                tb.coefficient(f"{price_symbol}0", price.values, price_unit, price.rows)
                tb.coefficient(f"F_{price_symbol}", carried, "1", factor_rows)
                tb.step(price_symbol, f"{price_symbol}0*F_{price_symbol}", prices, price_unit)
            tb.step("V", f"Q*{price_symbol}" + ("" if factor == 1 else f"*{float(factor)!r}"), values, "yuan")
    if values is None:
        values = np.zeros(n)
    physical_only = bool(spec.get("physical_only"))
    used = ([price.key] if price is not None else []) + list(coefficients)
    return pd.DataFrame({
        "region_code": q.keys["region_code"].to_numpy(), "year": years,
        "service": service, "indicator": indicator, "ecosystem": q.keys["ecosystem"].to_numpy(),
        "quantity": q.amounts, "quantity_unit": unit,
        "price": prices if prices is not None else np.nan, "price_unit": price_unit or "",
        "value_yuan": values, "price_index": indices, "in_gep": not physical_only, "path": q.paths,
        "coefficients": ";".join(used), "note": spec.get("reason", "") if physical_only else note,
    })


def _extent_for(ctx: Context, service: str) -> pd.DataFrame:
    ext = ctx.inventory.table("extent")
    wanted = services_spec()["services"][service].get("ecosystems")
    ext = ext[ext["ecosystem"].isin(wanted)] if wanted else ext
    return ext[ext["area"] > 0].reset_index(drop=True)


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=float)


# ----------------------------------------------------------------------------------------------
# regulating services


def water_conservation(ctx: Context) -> list[pd.DataFrame]:
    ext = _extent_for(ctx, "water_conservation")
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = (cond["precipitation"].notna() & cond["evapotranspiration"].notna()).to_numpy()
    ctx.note_skipped("water_conservation", ext[~ok], "precipitation or evapotranspiration")
    ext, cond, prov = (f[ok].reset_index(drop=True) for f in (ext, cond, prov))
    alpha_in = _col(cond, "runoff_coefficient")
    from_register = np.isnan(alpha_in)
    alpha_reg = ctx.coef_for("runoff_coefficient", ext) if from_register.any() else None
    alpha = np.where(from_register, alpha_reg.values, alpha_in) if alpha_reg else alpha_in
    p, et, area = _col(cond, "precipitation"), _col(cond, "evapotranspiration"), _col(ext, "area")
    runoff = water.storm_runoff(quantity(p, "mm"), quantity(alpha, "1"))
    retained = water.water_conservation(quantity(p, "mm"), runoff, quantity(et, "mm"), quantity(area, "hectare"))
    q = with_supplied(ctx, "water_conservation", "water_retained", ext, retained.to("m**3").magnitude)
    traces = trace_given(ctx, "water_conservation", "water_retained", q)
    for mask_reg in (True, False):  # runoff coefficient from the register or from the inventory
        sel = q.computed_mask & np.concatenate([from_register == mask_reg,
                                                np.zeros(len(q.keys) - len(ext), dtype=bool)])
        if not sel.any():
            continue
        tb = ctx.tracer("water_conservation", "water_retained", q.keys, sel)
        tb.input("P", p, "mm", "conditions", "precipitation", prov)
        if mask_reg:
            tb.coefficient("alpha", alpha, "1", alpha_reg.rows)
        else:
            tb.input("alpha", alpha, "1", "conditions", "runoff_coefficient", prov)
        tb.input("ET", et, "mm", "conditions", "evapotranspiration", prov)
        tb.input("A", area, "hm2", "extent", "area", ext)
        tb.step("R", "P*alpha", runoff.to("mm").magnitude, "mm")
        tb.step("Q", "MAX(P-R-ET,0)*A*10", q.amounts, "m3")
        traces.append(tb)
    extra = ("runoff_coefficient",) if from_register.any() else ()
    return [rows(ctx, "water_conservation", "water_retained", q, traces,
                 price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res", coefficients=extra)]


def soil_retention(ctx: Context) -> list[pd.DataFrame]:
    ext = _extent_for(ctx, "soil_retention")
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    factors = ["rainfall_erosivity", "soil_erodibility", "slope_length_steepness", "cover_management",
               "support_practice"]
    moduli = (cond["potential_erosion"].notna() & cond["actual_erosion"].notna()).to_numpy()
    rusle = ~moduli & cond[factors].notna().all(axis=1).to_numpy()
    ok = moduli | rusle
    ctx.note_skipped("soil_retention", ext[~ok], "erosion moduli or RUSLE factors")
    ext, cond, prov, moduli, rusle = ext[ok].reset_index(drop=True), cond[ok].reset_index(drop=True), \
        prov[ok].reset_index(drop=True), moduli[ok], rusle[ok]
    a_p, a_r = _col(cond, "potential_erosion"), _col(cond, "actual_erosion")
    if rusle.any():
        pot, act = soil.rusle_erosion(quantity(_col(cond, factors[0]), soil.EROSIVITY),
                                      quantity(_col(cond, factors[1]), soil.ERODIBILITY),
                                      *(quantity(_col(cond, c), "1") for c in factors[2:]))
        a_p = np.where(rusle, pot.to("t/hectare").magnitude, a_p)
        a_r = np.where(rusle, act.to("t/hectare").magnitude, a_r)
    area = _col(ext, "area")
    retained = soil.soil_retained(quantity(a_p, "t/hectare"), quantity(a_r, "t/hectare"), quantity(area, "hectare"))
    q = with_supplied(ctx, "soil_retention", "soil_retained", ext, retained.to("t").magnitude)

    def chain(indicator: str, keys: pd.DataFrame = q.keys, own=None) -> list[TraceBuilder]:
        """The soil-retention chain, shared by the physical total and its three valued components (``keys``,
        extending ``q.keys`` with the figures supplied for a component only; ``own`` masks the figures supplied
        for the component itself, traced apart)."""
        out = trace_given(ctx, "soil_retention", indicator, q, symbol="Q_sr" if indicator != "soil_retained" else "Q",
                          unit="t", keys=keys, exclude=own)
        q_sr = "Q_sr" if indicator != "soil_retained" else "Q"
        pad = np.zeros(len(keys) - len(ext), dtype=bool)
        for use_rusle in (True, False):
            tb = ctx.tracer("soil_retention", indicator, keys,
                            q.computed_in(keys, own) & np.concatenate([rusle if use_rusle else moduli, pad]))
            if use_rusle:
                for sym, col, unit in (("R_e", factors[0], "MJ*mm/(hm2*h)"), ("K", factors[1], "t*h/(MJ*mm)"),
                                       ("LS", factors[2], "1"), ("C", factors[3], "1"), ("P_c", factors[4], "1")):
                    tb.input(sym, _col(cond, col), unit, "conditions", col, prov)
                tb.step("A_p", "R_e*K*LS", a_p, "t/hm2")
                tb.step("A_r", "A_p*C*P_c", a_r, "t/hm2")
            else:
                tb.input("A_p", a_p, "t/hm2", "conditions", "potential_erosion", prov)
                tb.input("A_r", a_r, "t/hm2", "conditions", "actual_erosion", prov)
            tb.input("A", area, "hm2", "extent", "area", ext)
            tb.step(q_sr, "MAX(A_p-A_r,0)*A", q.amounts, "t")
            out.append(tb)
        return out

    q_sr = quantity(q.amounts, "t")
    results = [rows(ctx, "soil_retention", "soil_retained", q, chain("soil_retained"))]
    for indicator, steps, coefs in (
        ("reduced_sedimentation", [("lam", "sediment_ratio", "1"), ("rho", "soil_bulk_density", "t/m3")],
         ("sediment_ratio", "soil_bulk_density")),
        ("reduced_nitrogen_loss", [("c_N", "soil_nitrogen_content", "1")], ("soil_nitrogen_content",)),
        ("reduced_phosphorus_loss", [("c_P", "soil_phosphorus_content", "1")], ("soil_phosphorus_content",)),
    ):
        price_key = ctx.method.price_key("soil_retention", indicator)  # N and P: the profile's price basis
        params = {sym: ctx.coef_for(key, q.keys) for sym, key, _ in steps}
        if indicator == "reduced_sedimentation":
            amount = soil.reduced_sedimentation(q_sr, quantity(params["lam"].values, "1"),
                                                quantity(params["rho"].values, "t/m**3")).to("m**3").magnitude
            expr = "lam*Q_sr/rho"
        else:
            (sym,) = params
            amount = soil.nutrient_loss_reduction(q_sr, quantity(params[sym].values, "1")).to("t").magnitude
            expr = f"Q_sr*{sym}"
        component, own = derived(ctx, "soil_retention", indicator, q, amount)
        traces = chain(indicator, component.keys, own)
        for tb in traces:
            for sym, _, unit in steps:
                tb.coefficient(sym, params[sym].values, unit, params[sym].rows)
            tb.step("Q", expr, component.amounts, _indicator("soil_retention", indicator)["unit"])
        traces += trace_given(ctx, "soil_retention", indicator, component, exclude=~own)
        results.append(rows(ctx, "soil_retention", indicator, component, traces,
                            price=ctx.coef_for(price_key, component.keys), price_symbol="C_v", coefficients=coefs))
    return results


def sand_fixation(ctx: Context) -> list[pd.DataFrame]:
    ext = _extent_for(ctx, "sand_fixation")
    moduli = ctx.inventory.table("conditions")[["potential_wind_erosion", "actual_wind_erosion"]].notna()
    if not moduli.all(axis=1).any():  # no wind erosion anywhere (most counties): nothing to look up
        ctx.skip("sand_fixation", len(ext))  # the note below says why
        ext = ext.iloc[:0]
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = (cond["potential_wind_erosion"].notna() & cond["actual_wind_erosion"].notna()).to_numpy()
    ctx.note_skipped("sand_fixation", ext[~ok], "wind-erosion moduli")
    ext, cond, prov = (f[ok].reset_index(drop=True) for f in (ext, cond, prov))
    pot, act, area = _col(cond, "potential_wind_erosion"), _col(cond, "actual_wind_erosion"), _col(ext, "area")
    fixed = soil.sand_fixed(quantity(pot, "t/hectare"), quantity(act, "t/hectare"), quantity(area, "hectare"))
    q = with_supplied(ctx, "sand_fixation", "sand_fixed", ext, fixed.to("t").magnitude)
    if not len(q.keys) and not len(ctx.supplied("sand_fixation", "desertification_avoided")):
        ctx.notes.append("sand_fixation: no wind-erosion moduli in the inventory; not computed")
        return []
    rho, h = ctx.coef_for("sand_bulk_density", q.keys), ctx.coef_for("sand_layer_thickness", q.keys)
    avoided = soil.desertification_avoided(quantity(q.amounts, "t"), quantity(rho.values, "t/m**3"),
                                           quantity(h.values, "m")).to("m**2").magnitude
    component, own = derived(ctx, "sand_fixation", "desertification_avoided", q, avoided)

    def chain(indicator: str, keys: pd.DataFrame = q.keys, own=None) -> list[TraceBuilder]:
        """Sand fixed from the wind-erosion moduli, or given; ``keys`` and ``own`` as in soil retention."""
        sym = "Q" if indicator == "sand_fixed" else "Q_sf"
        tb = ctx.tracer("sand_fixation", indicator, keys, q.computed_in(keys, own))
        tb.input("S_p", pot, "t/hm2", "conditions", "potential_wind_erosion", prov)
        tb.input("S_a", act, "t/hm2", "conditions", "actual_wind_erosion", prov)
        tb.input("A", area, "hm2", "extent", "area", ext)
        tb.step(sym, "MAX(S_p-S_a,0)*A", q.amounts, "t")
        return [*trace_given(ctx, "sand_fixation", indicator, q, symbol=sym, keys=keys, exclude=own), tb]

    traces = chain("desertification_avoided", component.keys, own)
    for tb in traces:
        tb.coefficient("rho_s", rho.values, "t/m3", rho.rows)
        tb.coefficient("h", h.values, "m", h.rows)
        tb.step("Q", "Q_sf/(rho_s*h)", component.amounts, "m2")
    traces += trace_given(ctx, "sand_fixation", "desertification_avoided", component, exclude=~own)
    return [rows(ctx, "sand_fixation", "sand_fixed", q, chain("sand_fixed")),
            rows(ctx, "sand_fixation", "desertification_avoided", component,
                 traces, price=ctx.coef_for("desertification_control_cost", component.keys), price_symbol="C",
                 coefficients=("sand_bulk_density", "sand_layer_thickness"))]


def _parts_trace(tb: TraceBuilder, symbol: str, parts: pd.DataFrame, column: str, unit: str, table: str,
                 keys: pd.DataFrame) -> str:
    """Inputs that are several inventory rows per figure (reservoirs of a township): one input symbol
    per part (``C_t1``, ``C_t2``, …); returns the expression of their sum ("0" when there are none).

    Part i of a figure is the i-th row of its region and year in table order; a figure with fewer parts,
    or an empty cell, takes 0 with no provenance."""
    if not len(parts):
        return "0"
    rank = parts.groupby(["region_code", "year"], sort=False).cumcount().to_numpy()
    figures = pd.MultiIndex.from_arrays([keys["region_code"].to_numpy(), keys["year"].to_numpy()])
    terms = []
    for i in range(int(rank.max()) + 1):
        part = parts[rank == i]
        own = pd.MultiIndex.from_arrays([part["region_code"].to_numpy(), part["year"].to_numpy()])
        at = own.get_indexer(figures)
        values = part[column].to_numpy(dtype=float)
        take = at >= 0
        take[take] = ~np.isnan(values[at[take]])
        pick = np.where(take, at, 0)
        prov = pd.DataFrame({"input_file": np.where(take, part["input_file"].to_numpy(dtype=object)[pick], ""),
                             "input_row": np.where(take, part["input_row"].to_numpy(dtype=float)[pick], np.nan),
                             "source": np.where(take, part["source"].to_numpy(dtype=object)[pick], ""),
                             "status": np.where(take, part["status"].to_numpy(dtype=object)[pick], "")})
        tb.input(f"{symbol}{i + 1}", np.where(take, values[pick], 0.0), unit, table, column, prov)
        terms.append(f"{symbol}{i + 1}")
    return "+".join(terms)


def flood_regulation(ctx: Context) -> list[pd.DataFrame]:
    out = []
    bodies = ctx.inventory.table("water_bodies")
    # a reservoir needs its total or flood storage, a lake its area
    measured = np.where(bodies["kind"] == "reservoir", bodies["total_storage"].notna() | bodies["flood_storage"].notna(),
                        bodies["area"].notna())
    ctx.note_skipped("flood_regulation", bodies[~measured].assign(ecosystem=np.where(
        bodies["kind"][~measured] == "reservoir", "wetland_reservoir", "wetland_lake")),
        "total or flood storage (reservoir) or water area (lake)")
    reservoirs = bodies[(bodies["kind"] == "reservoir") & measured].reset_index(drop=True)
    if len(reservoirs) or len(ctx.supplied("flood_regulation", "reservoir_storage")):
        declared = _col(reservoirs, "flood_storage")
        if ctx.method.option("flood_regulation.reservoir_storage") == "ratio_of_total":
            declared = np.full(len(reservoirs), np.nan)  # every reservoir as k × total storage
        keys = reservoirs[["region_code", "year"]].drop_duplicates().assign(ecosystem="wetland_reservoir")
        keys = keys.reset_index(drop=True)
        ratio = ctx.coef_for("reservoir_flood_ratio", keys)
        per_res_ratio = pd.Series(ratio.values, index=pd.MultiIndex.from_frame(keys[["region_code", "year"]]))
        k_res = per_res_ratio.loc[list(zip(reservoirs["region_code"], reservoirs["year"]))].to_numpy()
        storage = np.where(np.isnan(declared), water.reservoir_flood_storage(
            quantity(_col(reservoirs, "total_storage"), "m**3"), quantity(k_res, "1")).to("m**3").magnitude, declared)
        per_region = keys.merge(reservoirs.assign(storage=storage).groupby(["region_code", "year"], as_index=False)
                                ["storage"].sum(), on=["region_code", "year"])
        q = with_supplied(ctx, "flood_regulation", "reservoir_storage", per_region, per_region["storage"].to_numpy())
        tb = ctx.tracer("flood_regulation", "reservoir_storage", q.keys, q.computed_mask)
        with_declared = reservoirs[~np.isnan(declared)]
        without = reservoirs[np.isnan(declared)]
        c_f = _parts_trace(tb, "C_f", with_declared, "flood_storage", "m3", "water_bodies", q.keys)
        c_t = _parts_trace(tb, "C_t", without, "total_storage", "m3", "water_bodies", q.keys)
        tb.coefficient("k_r", np.concatenate([ratio.values, np.full(len(q.keys) - len(keys), np.nan)]), "1",
                       ratio.rows)
        tb.step("Q", f"({c_f})+k_r*({c_t})", q.amounts, "m3")
        coefs = ("reservoir_flood_ratio",) if np.isnan(declared).any() else ()
        out.append(rows(ctx, "flood_regulation", "reservoir_storage", q,
                        [*trace_given(ctx, "flood_regulation", "reservoir_storage", q), tb],
                        price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res", coefficients=coefs))
    lakes = bodies[(bodies["kind"] == "lake") & bodies["area"].notna()].reset_index(drop=True)
    if len(lakes) or len(ctx.supplied("flood_regulation", "lake_storage")):
        keys = lakes[["region_code", "year"]].drop_duplicates().assign(ecosystem="wetland_lake").reset_index(drop=True)
        a, b, t = (ctx.coef_for(k, keys) for k in ("lake_flood_log_coefficient", "lake_flood_exponent", "lake_turnover"))
        idx = pd.MultiIndex.from_frame(keys[["region_code", "year"]])
        lake_keys = list(zip(lakes["region_code"], lakes["year"]))
        per_lake = [pd.Series(c.values, index=idx).loc[lake_keys].to_numpy() for c in (a, b, t)]
        storage = water.lake_flood_storage(quantity(_col(lakes, "area"), "hectare"),
                                           *(quantity(v, "1") for v in per_lake)).to("m**3").magnitude
        per_region = keys.merge(lakes.assign(storage=storage).groupby(["region_code", "year"], as_index=False)
                                ["storage"].sum(), on=["region_code", "year"])
        q = with_supplied(ctx, "flood_regulation", "lake_storage", per_region, per_region["storage"].to_numpy())
        tb = ctx.tracer("flood_regulation", "lake_storage", q.keys, q.computed_mask)
        areas = _parts_trace(tb, "A", lakes, "area", "hm2", "water_bodies", q.keys).split("+")
        pad = np.full(len(q.keys) - len(keys), np.nan)
        for sym, c in (("a", a), ("b", b), ("T", t)):
            tb.coefficient(sym, np.concatenate([c.values, pad]), "1", c.rows)
        # C_l = e^a × (A/100 km²)^b × T [万m³] per lake, summed; A in hm²
        tb.step("Q", "+".join(f"EXP(a)*({s}/100)^b*T*10000" for s in areas), q.amounts, "m3")
        out.append(rows(ctx, "flood_regulation", "lake_storage", q,
                        [*trace_given(ctx, "flood_regulation", "lake_storage", q), tb],
                        price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res",
                        coefficients=("lake_flood_log_coefficient", "lake_flood_exponent", "lake_turnover")))
    ext = ctx.inventory.table("extent")
    swamps = ext[(ext["ecosystem"] == "wetland_swamp") & (ext["area"] > 0)].reset_index(drop=True)
    if len(swamps) or len(ctx.supplied("flood_regulation", "swamp_storage")):
        depth = ctx.coef_for("swamp_storage_depth", swamps)
        storage = water.swamp_flood_storage(quantity(_col(swamps, "area"), "hectare"), quantity(depth.values, "m"))
        q = with_supplied(ctx, "flood_regulation", "swamp_storage", swamps, storage.to("m**3").magnitude)
        tb = ctx.tracer("flood_regulation", "swamp_storage", q.keys, q.computed_mask)
        tb.input("A", _col(swamps, "area"), "hm2", "extent", "area", swamps)
        tb.coefficient("d", depth.values, "m", depth.rows)
        tb.step("Q", "A*d*10000", q.amounts, "m3")
        out.append(rows(ctx, "flood_regulation", "swamp_storage", q,
                        [*trace_given(ctx, "flood_regulation", "swamp_storage", q), tb],
                        price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res",
                        coefficients=("swamp_storage_depth",)))
    out += _vegetation_storage(ctx, ctx.method.option("flood_regulation.vegetation_storage") == "included")
    return out


def _vegetation_storage(ctx: Context, computed: bool) -> list[pd.DataFrame]:
    """The vegetation storm-water term of flood regulation, where the climate table gives storm rainfall and
    the method profile counts it (``computed``); a supplied figure of it counts whatever the profile says."""
    veg = ctx.inventory.table("extent")
    veg = veg[veg["ecosystem"].isin(VEGETATION) & (veg["area"] > 0)].reset_index(drop=True)
    if not computed:
        veg = veg.iloc[:0]
    clim, clim_prov = ctx.inherited("climate", veg, ["year"])
    storm = _col(clim, "storm_precipitation")
    ok = ~np.isnan(storm)
    ctx.note_skipped("flood_regulation", veg[~ok], "storm precipitation for the vegetation term",
                     requires=(("climate.storm_precipitation",),))
    if not ok.any() and not len(ctx.supplied("flood_regulation", "vegetation_storage")):
        return []
    e, storm, prov = veg[ok].reset_index(drop=True), storm[ok], clim_prov[ok].reset_index(drop=True)
    alpha = ctx.coef_for("storm_runoff_coefficient", e)
    area = _col(e, "area")
    held = water.vegetation_storm_storage(quantity(storm, "mm"), quantity(alpha.values, "1"), quantity(area, "hectare"))
    q = with_supplied(ctx, "flood_regulation", "vegetation_storage", e, held.to("m**3").magnitude)
    tb = ctx.tracer("flood_regulation", "vegetation_storage", q.keys, q.computed_mask)
    tb.input("P_s", storm, "mm", "climate", "storm_precipitation", prov)
    tb.coefficient("alpha_s", alpha.values, "1", alpha.rows)
    tb.input("A", area, "hm2", "extent", "area", e)
    tb.step("R_s", "P_s*alpha_s", storm * alpha.values, "mm")
    tb.step("Q", "MAX(P_s-R_s,0)*A*10", q.amounts, "m3")
    return [rows(ctx, "flood_regulation", "vegetation_storage", q,
                 [*trace_given(ctx, "flood_regulation", "vegetation_storage", q), tb],
                 price=ctx.coef_for("reservoir_unit_cost", q.keys), price_symbol="C_res",
                 coefficients=("storm_runoff_coefficient",))]


def _subtree_extent(ctx: Context) -> pd.DataFrame:
    """Ecosystem area of every region including its descendants, by year and ecosystem."""
    ext = ctx.inventory.table("extent")
    links = pd.DataFrame([(code, target) for code in ctx.parents for target in ctx.lineage(code)],
                         columns=["region_code", "target"])
    merged = ext.merge(links, on="region_code")
    return merged.groupby(["target", "year", "ecosystem"], as_index=False)["area"].sum().rename(
        columns={"target": "region_code"})


def purification_service(ctx: Context, service: str, medium: str) -> list[pd.DataFrame]:
    emissions = ctx.inventory.table("emissions")
    vocab = inventory_spec()["vocabularies"]["pollutant"]
    out = []
    areas = None
    for pollutant, entry in vocab.items():
        if entry["medium"] != medium:
            continue
        em = emissions[emissions["pollutant"] == pollutant].reset_index(drop=True)
        if not len(em) and not len(ctx.supplied(service, pollutant)):
            continue
        keys = pd.DataFrame({"region_code": em["region_code"], "year": em["year"], "ecosystem": "all"})
        capacity_key = f"purification_capacity_{pollutant}"
        has_capacity = any(k[0] == capacity_key for k in ctx.register.rows)
        capacity = None
        if has_capacity:
            areas = _subtree_extent(ctx) if areas is None else areas
            totals = []
            for r in em.itertuples():
                a = areas[(areas["region_code"] == r.region_code) & (areas["year"] == r.year)]
                a = a[[ctx.register.has(capacity_key, e) for e in a["ecosystem"]]]
                c = ctx.coef(capacity_key, a["ecosystem"], [r.region_code] * len(a))
                totals.append(float(np.dot(c.values, a["area"].to_numpy(dtype=float))))
            capacity = quantity(np.array(totals), "t")
        purified = purification.purified_amount(quantity(_col(em, "amount"), "t"), capacity)
        q = with_supplied(ctx, service, pollutant, keys, purified.to("t").magnitude)
        tb = ctx.tracer(service, pollutant, q.keys, q.computed_mask)
        tb.input("E", _col(em, "amount"), "t", "emissions", "amount", em)
        if capacity is not None:
            # Σ_j q_j·A_j over the region's ecosystems, written as its number (its terms are in the register)
            cap = capacity.to("t").magnitude
            tb.step("Cap", np.array([repr(float(c)) for c in cap], dtype=object), cap, "t")
            tb.step("Q", "MIN(E,Cap)", q.amounts, "t")
        else:
            tb.step("Q", "E", q.amounts, "t")
        note = "" if capacity is not None else "emission taken as purified amount (no capacity declared)"
        out.append(rows(ctx, service, pollutant, q, [*trace_given(ctx, service, pollutant, q), tb],
                        price=ctx.coef_for(f"treatment_cost_{pollutant}", q.keys), price_symbol="C",
                        coefficients=(capacity_key,) if capacity is not None else (), note=note))
    return out


def carbon_oxygen(ctx: Context) -> list[pd.DataFrame]:
    ext = _extent_for(ctx, "carbon_sequestration")
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = cond["npp"].notna().to_numpy()
    ctx.note_skipped("carbon_sequestration", ext[~ok], "NPP")
    ext, cond, prov = (f[ok].reset_index(drop=True) for f in (ext, cond, prov))
    npp, area = _col(cond, "npp"), _col(ext, "area")
    ratio = ctx.coef_for("nep_npp_ratio", ext)
    nep = carbon.net_ecosystem_production(quantity(npp, "gC/m**2"), quantity(ratio.values, "1"),
                                          quantity(area, "hectare"))
    co2 = carbon.co2_fixed(nep)
    q = with_supplied(ctx, "carbon_sequestration", "co2_fixed", ext, co2.to("t_CO2").magnitude)
    k_o2 = ctx.coef_for("oxygen_per_co2", q.keys)
    o2 = carbon.oxygen_released(quantity(q.amounts, "t_CO2"), quantity(k_o2.values, "1")).to("t").magnitude
    o2q = with_supplied(ctx, "oxygen_release", "o2_released", q.keys, o2)  # O2 may itself be supplied
    extra = np.zeros(len(o2q.keys) - len(q.keys), dtype=bool)
    o2_own = o2q.supplied_mask
    n = len(q.keys)  # O2 computed from a gridded (parcel) CO2 figure is itself a gridded (parcel) figure
    o2q.paths[:n] = np.where((o2q.paths[:n] == COMPUTED) & np.isin(q.paths, SUMMED), q.paths, o2q.paths[:n])

    def chain(service: str, indicator: str, keys: pd.DataFrame, symbol: str, own: np.ndarray) -> list[TraceBuilder]:
        """NEP → CO2 from NPP, or CO2 supplied or gridded; ``own`` masks figures supplied for this indicator
        itself."""
        given = trace_given(ctx, service, indicator, q, symbol, keys=keys, unit="t_CO2", exclude=own)
        tb = ctx.tracer(service, indicator, keys, np.concatenate([q.computed_mask, extra[:len(keys) - len(q.keys)]])
                        & ~own)
        tb.input("NPP", npp, "gC/m2", "conditions", "npp", prov)
        tb.coefficient("r", ratio.values, "1", ratio.rows)
        tb.input("A", area, "hm2", "extent", "area", ext)
        tb.step("NEP", "r*NPP*A*0.01", nep.to("t_C").magnitude, "t_C")
        tb.step(symbol, f"NEP*{CO2_PER_C!r}", q.amounts, "t_CO2")  # 44/12, the only bridge t C → t CO₂
        return [*given, tb]

    co2_traces = chain("carbon_sequestration", "co2_fixed", q.keys, "Q", np.zeros(len(q.keys), dtype=bool))
    o2_traces = chain("oxygen_release", "o2_released", o2q.keys, "CO2", o2_own)
    for tb in o2_traces:
        tb.coefficient("k", k_o2.values, "1", k_o2.rows)
        tb.step("Q", "CO2*k", o2q.amounts, "t")
    o2_traces += trace_given(ctx, "oxygen_release", "o2_released", o2q, paths=(SUPPLIED,))
    return [rows(ctx, "carbon_sequestration", "co2_fixed", q, co2_traces,
                 price=ctx.coef_for(ctx.method.price_key("carbon_sequestration", "co2_fixed"), q.keys),
                 price_symbol="P_CO2", coefficients=("nep_npp_ratio",)),
            rows(ctx, "oxygen_release", "o2_released", o2q, o2_traces,
                 price=ctx.coef_for("oxygen_price", o2q.keys), price_symbol="P_O2",
                 coefficients=("oxygen_per_co2", "nep_npp_ratio"))]


def _tracers_by_days(ctx: Context, service: str, indicator: str, keys: pd.DataFrame, mask: np.ndarray,
                     cd: CoolingDays | None):
    """One tracer per way the masked figures' cooling days D were obtained, with D's symbols recorded: D as
    the climate table gives it, or D carried from a station's D_s at h_s (the climate row's station elevation,
    or its region's mean elevation) to the region's mean elevation h. Without ``cd`` (a formula without D),
    one tracer for the mask."""
    if cd is None:
        if mask.any():
            yield ctx.tracer(service, indicator, keys, mask)
        return
    pad = np.zeros(len(keys) - len(cd.days), dtype=bool)
    for adjusted, from_climate in ((False, None), (True, True), (True, False)):
        sel = cd.adjusted if adjusted else ~cd.adjusted
        if adjusted:
            sel = sel & (cd.reference_from_climate == from_climate)
        m = mask & np.concatenate([sel, pad])
        if not m.any():
            continue
        tb = ctx.tracer(service, indicator, keys, m)
        if not adjusted:
            tb.input("D", cd.given, "d", "climate", "cooling_days", cd.climate_prov)
        else:
            tb.input("D_s", cd.given, "d", "climate", "cooling_days", cd.climate_prov)
            tb.input("h", cd.elevation, "m", "regions", "elevation", cd.elevation_prov)
            tb.input("h_s", cd.reference, "m", *(("climate", "station_elevation") if from_climate
                                                  else ("regions", "elevation")), cd.reference_prov)
            tb.coefficient("G", cd.lapse.values, "K/m", cd.lapse.rows)
            tb.coefficient("sigma", cd.spread.values, "K", cd.spread.rows)
            tb.step("D", "365*NORMSDIST(NORMSINV(D_s/365)-G*(h-h_s)/sigma)", cd.days, "d")
        yield tb


def _picked(coef: Coef, mask: np.ndarray) -> tuple[np.ndarray, list]:
    """A coefficient's values and rows for the masked figures."""
    return coef.values[mask], [r for r, m in zip(coef.rows, mask) if m]


def _rows_for(coef: Coef, looked_up: np.ndarray, kept: np.ndarray) -> list:
    """The rows of a coefficient looked up for the figures ``looked_up``, laid out over the figures ``kept``
    (a figure it was not looked up for holds some row of it, never read: its trace uses another formula)."""
    rows = np.empty(len(looked_up), dtype=object)
    rows[:] = [coef.rows[0]] * len(looked_up)
    rows[np.flatnonzero(looked_up)] = coef.rows
    return list(rows[kept])


def _subset(days: CoolingDays, mask: np.ndarray) -> CoolingDays:
    """The cooling days of the masked figures, their provenance and coefficients alike."""
    def cut(x):
        if x is None:
            return None
        if isinstance(x, pd.DataFrame):
            return x[mask].reset_index(drop=True)
        if isinstance(x, Coef):
            return Coef(x.key, x.values[mask], x.rows[mask], x.unit)
        return x[mask]
    return CoolingDays(*(cut(getattr(days, f.name)) for f in dataclasses.fields(CoolingDays)))


def climate_regulation(ctx: Context) -> list[pd.DataFrame]:
    """Transpiration cooling and water-surface evaporation (局部气候调节), as the method profile chooses: where
    EPP comes from, which cooling days, and the day share, divisor and humidifier of the water term
    (:mod:`gep.method_inputs`; formulas in :mod:`gep.services.climate`)."""
    out = []
    ext = _extent_for(ctx, "climate_regulation")
    cond, prov = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    clim, clim_prov = ctx.inherited("climate", ext, ["year"])
    latent = ctx.coef_for("latent_heat_vaporisation", ext)
    density = ctx.coef_for("water_density", ext)
    method = ctx.method

    veg = ext["ecosystem"].isin(VEGETATION).to_numpy()
    epp_in = _col(cond, "transpiration_heat")
    et = _col(cond, "evapotranspiration")
    heat_option = method.option("climate_regulation.transpiration_heat")
    # where EPP comes from, per figure: the inventory's own EPP, else the profile's choice
    from_table = veg & np.isnan(epp_in) & (heat_option == "epp_table") & ctx.has_rows("transpiration_heat",
                                                                                      ext["ecosystem"])
    derived = veg & np.isnan(epp_in) & ~np.isnan(et) & (heat_option != "epp_table")
    epp = epp_in.copy()
    share = np.ones(len(ext))
    share_coef = ctx.coef_for("transpiration_share", ext[derived]) \
        if heat_option == "transpiration_share" and derived.any() else None
    if share_coef is not None:
        share[derived] = share_coef.values
    if derived.any():
        epp[derived] = climate.transpiration_heat_from_et(
            quantity(et[derived], "mm"), quantity(latent.values[derived], "kJ/kg"),
            quantity(density.values[derived], "kg/m**3"), quantity(share[derived], "1")).to("kJ/(m**2*day)").magnitude
    table = ctx.coef_for("transpiration_heat", ext[from_table]) if from_table.any() else None
    if table is not None:
        epp[from_table] = table.values
    days_all = cooling_days(ctx, ext, clim, clim_prov)
    ok = veg & ~np.isnan(epp) & ~np.isnan(days_all.days)
    missing = "transpiration heat (EPP) or cooling days" if heat_option == "epp_table" else \
        "transpiration heat/ET or cooling days"
    ctx.note_skipped("climate_regulation", ext[veg & ~ok], missing,
                     requires=(("conditions.transpiration_heat", "climate.cooling_days"),)
                     if heat_option == "epp_table" else None)
    if ok.any() or len(ctx.supplied("climate_regulation", "transpiration_cooling")):
        e, c, p = (f[ok].reset_index(drop=True) for f in (ext, cond, prov))
        cd = _subset(days_all, ok)
        eer = ctx.coef_for("ac_energy_efficiency_ratio", e)
        area = _col(e, "area")
        energy = climate.transpiration_cooling(quantity(epp[ok], "kJ/(m**2*day)"), quantity(area, "hectare"),
                                               quantity(cd.days, "day"), quantity(eer.values, "1"))
        q = with_supplied(ctx, "climate_regulation", "transpiration_cooling", e, energy.to("kWh").magnitude)
        traces = trace_given(ctx, "climate_regulation", "transpiration_cooling", q)
        pad = np.zeros(len(q.keys) - len(e), dtype=bool)
        source = np.where(derived[ok], "share" if share_coef is not None else "et",
                          np.where(from_table[ok], "table", "own"))
        (q_values, q_rows), (rho_values, rho_rows) = _picked(latent, ok), _picked(density, ok)
        for kind in ("own", "et", "share", "table"):
            for tb in _tracers_by_days(ctx, "climate_regulation", "transpiration_cooling", q.keys,
                                       q.computed_mask & np.concatenate([source == kind, pad]), cd):
                if kind == "own":
                    tb.input("EPP", epp[ok], "kJ/(m2*d)", "conditions", "transpiration_heat", p)
                elif kind == "table":
                    tb.coefficient("EPP", epp[ok], "kJ/(m2*d)", _rows_for(table, from_table, ok))
                else:
                    tb.input("ET", et[ok], "mm", "conditions", "evapotranspiration", p)
                    if kind == "share":
                        tb.coefficient("s_T", share[ok], "1", _rows_for(share_coef, derived, ok))
                    tb.coefficient("q", q_values, "kJ/kg", q_rows)
                    tb.coefficient("rho", rho_values, "kg/m3", rho_rows)
                    tb.step("EPP", ("s_T*" if kind == "share" else "") + "ET/1000/365*rho*q", epp[ok], "kJ/(m2*d)")
                tb.input("A", area, "hm2", "extent", "area", e)
                tb.coefficient("r", eer.values, "1", eer.rows)
                tb.step("Q", "EPP*A*10000*D/3600/r", q.amounts, "kWh")
                traces.append(tb)
        extra = (("latent_heat_vaporisation", "water_density") if derived[ok].any() else ()) + \
            (("transpiration_share",) if share_coef is not None and derived[ok].any() else ()) + \
            (("transpiration_heat",) if from_table[ok].any() else ()) + \
            (("temperature_lapse_rate", "daily_tmax_sd") if cd.adjusted.any() else ())
        out.append(rows(ctx, "climate_regulation", "transpiration_cooling", q, traces,
                        price=ctx.coef_for("electricity_price", q.keys), price_symbol="P_e",
                        coefficients=("ac_energy_efficiency_ratio", *extra)))

    counts_days = method.option("climate_regulation.water_surface_days") == "cooling_days"
    water = ext["ecosystem"].isin(WATER_SURFACES).to_numpy() & ~np.isnan(et)
    wet = water & (~np.isnan(days_all.days) if counts_days else True)
    ctx.note_skipped("climate_regulation", ext[water & ~wet], "cooling days (the water-surface term counts them)",
                     requires=(("climate.cooling_days",),))
    if wet.any() or len(ctx.supplied("climate_regulation", "water_surface_evaporation")):
        e, p, cl = (f[wet].reset_index(drop=True) for f in (ext, prov, clim))
        cd = _subset(days_all, wet)
        factors = water_surface_factors(ctx, e, cd.days, cl)
        gamma = ctx.coef_for("humidifier_power", e)
        area = _col(e, "area")
        evaporated = (quantity(et[wet], "mm") * quantity(area, "hectare")).to("m**3")
        energy = climate.water_surface_evaporation(
            evaporated, quantity(latent.values[wet], "kJ/kg"), quantity(density.values[wet], "kg/m**3"),
            quantity(gamma.values, "kWh/m**3"), quantity(factors.day_share, "1"), quantity(factors.divisor, "1"),
            quantity(factors.humidifier, "1"))
        q = with_supplied(ctx, "climate_regulation", "water_surface_evaporation", e, energy.to("kWh").magnitude)
        traces = trace_given(ctx, "climate_regulation", "water_surface_evaporation", q)
        pad = np.zeros(len(q.keys) - len(e), dtype=bool)
        base = "W_D" if counts_days else "W"
        divided = factors.divisor_coef is not None
        cooling_expr = f"{base}*rho*q/3600" + ("/r" if divided else "")
        known = ~np.isnan(factors.humidity)
        counted = factors.humidifier == 1.0
        (q_values, q_rows), (rho_values, rho_rows) = _picked(latent, wet), _picked(density, wet)
        # a formula per case: humidifying counted, not counted below … above the threshold, or without a humidity
        groups = [(counted, 1.0, False)] if factors.threshold is None else \
            [(counted, 1.0, True), (~counted & known, 0.0, True), (~counted & ~known, 0.0, False)]
        for sel, humid, rh_known in groups:
            mask = q.computed_mask & np.concatenate([sel, pad])
            for tb in _tracers_by_days(ctx, "climate_regulation", "water_surface_evaporation", q.keys, mask,
                                       cd if counts_days else None):
                tb.input("ET", et[wet], "mm", "conditions", "evapotranspiration", p)
                tb.input("A", area, "hm2", "extent", "area", e)
                tb.coefficient("q", q_values, "kJ/kg", q_rows)
                tb.coefficient("rho", rho_values, "kg/m3", rho_rows)
                if divided:
                    tb.coefficient("r", factors.divisor, "1", factors.divisor_coef.rows)
                if factors.threshold is not None and rh_known:  # what decided whether humidifying counts
                    tb.input("RH", factors.humidity, "1", "climate", "relative_humidity", cd.climate_prov)
                    tb.coefficient("RH_0", factors.threshold.values, "1", factors.threshold.rows)
                if humid:
                    tb.coefficient("gamma", gamma.values, "kWh/m3", gamma.rows)
                tb.step("W", "ET*A*10", evaporated.magnitude, "m3")
                if counts_days:
                    tb.step("W_D", "W*D/365", evaporated.magnitude * factors.day_share, "m3")
                tb.step("Q", cooling_expr + (f"+{base}*gamma" if humid else ""), q.amounts, "kWh")
                traces.append(tb)
        extra = (("ac_energy_efficiency_ratio",) if divided else ()) + \
            (("humidity_threshold",) if factors.threshold is not None else ()) + \
            (("humidifier_power",) if factors.humidifier.any() else ()) + \
            (("temperature_lapse_rate", "daily_tmax_sd") if counts_days and cd.adjusted.any() else ())
        out.append(rows(ctx, "climate_regulation", "water_surface_evaporation", q, traces,
                        price=ctx.coef_for("electricity_price", q.keys), price_symbol="P_e",
                        coefficients=(*extra, "latent_heat_vaporisation", "water_density")))
    return out


def pest_control(ctx: Context) -> list[pd.DataFrame]:
    forest = ctx.inventory.table("forest")
    natural = forest[(forest["origin"] == "natural") & (forest["area"] > 0)].reset_index(drop=True)
    ext = ctx.inventory.table("extent")
    grass = ext[(ext["ecosystem"] == "grassland") & (ext["area"] > 0)].reset_index(drop=True)
    out_keys = pd.concat([natural[["region_code", "year"]].drop_duplicates().assign(ecosystem="forest"),
                          grass[KEYS]], ignore_index=True)
    if not len(out_keys) and not len(ctx.supplied("pest_control", "natural_area")):
        return []
    area = np.zeros(len(out_keys))
    figures = pd.MultiIndex.from_frame(out_keys[KEYS])
    for parts, eco in ((natural, "forest"), (grass, "grassland")):
        at = figures.get_indexer(pd.MultiIndex.from_arrays([parts["region_code"], parts["year"],
                                                            np.full(len(parts), eco, dtype=object)]))
        np.add.at(area, at, parts["area"].to_numpy(dtype=float))  # in table order, as a running sum would
    q = with_supplied(ctx, "pest_control", "natural_area", out_keys, area)
    forest_rows = q.computed_mask & (q.keys["ecosystem"] == "forest").to_numpy()
    tb_f = ctx.tracer("pest_control", "natural_area", q.keys, forest_rows)
    terms = _parts_trace(tb_f, "A", natural.assign(ecosystem="forest"), "area", "hm2", "forest", q.keys)
    tb_f.step("Q", terms, q.amounts, "hm2")
    tb_g = ctx.tracer("pest_control", "natural_area", q.keys,
                      q.computed_mask & (q.keys["ecosystem"] == "grassland").to_numpy())
    grass_prov = q.keys.merge(grass, on=KEYS, how="left")
    tb_g.input("A", grass_prov["area"].to_numpy(dtype=float), "hm2", "extent", "area", grass_prov)
    tb_g.step("Q", "A", q.amounts, "hm2")
    return [rows(ctx, "pest_control", "natural_area", q,
                 [*trace_given(ctx, "pest_control", "natural_area", q), tb_f, tb_g],
                 price=ctx.coef_for("pest_control_cost", q.keys), price_symbol="C",
                 note="natural forest (forest table, origin natural) and grassland")]


# ----------------------------------------------------------------------------------------------
# provisioning and cultural


def products(ctx: Context) -> list[pd.DataFrame]:
    table = ctx.inventory.table("products").reset_index(drop=True)
    out = []
    for r in table.itertuples():
        eco = r.ecosystem or SECTOR_ECOSYSTEM[r.sector]
        service = f"{r.sector}_products"
        keys = pd.DataFrame({"region_code": [r.region_code], "year": [int(r.year)], "ecosystem": [eco]})
        prov = pd.DataFrame([[r.input_file, r.input_row, r.source, r.status]], columns=PROVENANCE)
        tb = TraceBuilder(keys, service, r.product)
        ctx.traces.append(tb)
        base = {"region_code": r.region_code, "year": int(r.year), "service": service, "indicator": r.product,
                "ecosystem": eco, "in_gep": True, "coefficients": "", "note": r.note}
        if not np.isnan(r.quantity) and not np.isnan(r.price):
            value = float(provisioning.market_value(quantity(r.quantity, r.quantity_unit),
                                                    quantity(r.price, r.price_unit)).to("yuan").magnitude)
            factor = float(conversion(f"({r.quantity_unit})*({r.price_unit})", "yuan"))
            tb.input("Q", [r.quantity], r.quantity_unit, "products", "quantity", prov)
            tb.input("p", [r.price], r.price_unit, "products", "price", prov)
            tb.step("V", "Q*p" + ("" if factor == 1 else f"*{factor!r}"), [value], "yuan")
            out.append({**base, "quantity": r.quantity, "quantity_unit": r.quantity_unit, "price": r.price,
                        "price_unit": r.price_unit, "value_yuan": value, "path": "quantity_x_price"})
        else:
            tb.input("Q", [r.output_value], "yuan", "products", "output_value", prov)
            tb.step("V", "Q", [r.output_value], "yuan")
            out.append({**base, "quantity": r.output_value, "quantity_unit": "yuan", "price": np.nan,
                        "price_unit": "", "value_yuan": float(r.output_value), "path": "output_value"})
    if not out:
        return []
    return [pd.DataFrame(out).assign(price_index=INVENTORY_PRICE_INDEX)]


def water_supply(ctx: Context) -> list[pd.DataFrame]:
    supply = ctx.inventory.table("water_supply")
    out = []
    for use in inventory_spec()["vocabularies"]["water_use"]:
        w = supply[supply["use"] == use].reset_index(drop=True)
        keys = pd.DataFrame({"region_code": w["region_code"], "year": w["year"], "ecosystem": "all"})
        supplied = with_supplied(ctx, "water_supply", use, keys, _col(w, "volume"))
        out += given_rows(ctx, "water_supply", use, supplied)
        table = supplied.computed_mask[:len(w)]  # a supplied figure wins
        w, keys = w[table].reset_index(drop=True), keys[table].reset_index(drop=True)
        if not len(w):
            continue
        q = Quantities(keys, _col(w, "volume"), np.full(len(w), COMPUTED, dtype=object), w[PROVENANCE])
        given = ~np.isnan(_col(w, "price"))
        price = ctx.coef_for(f"water_price_{use}", keys) if not given.all() else None
        prices = np.where(given, _col(w, "price"), price.values if price else np.nan)
        value = provisioning.water_supply_value(quantity(q.amounts, "m**3"), quantity(prices, "yuan/m**3"))
        traces = []
        for from_table in (True, False):
            if not (given == from_table).any():
                continue
            tb = ctx.tracer("water_supply", use, keys, given == from_table)
            tb.input("Q", q.amounts, "m3", "water_supply", "volume", w)
            if from_table:
                tb.input("p", prices, "yuan/m3", "water_supply", "price", w)
            else:
                tb.coefficient("p", prices, "yuan/m3", price.rows)
            tb.step("V", "Q*p", value.to("yuan").magnitude, "yuan")
            traces.append(tb)
        out.append(rows(ctx, "water_supply", use, q, [], prices=prices, price_unit="yuan/m**3",
                        values=value.to("yuan").magnitude, price_index="cpi" if given.any() else "none",
                        coefficients=(f"water_price_{use}",) if price else ()))
    return out


def hydropower(ctx: Context) -> list[pd.DataFrame]:
    hydro = ctx.inventory.table("hydropower").reset_index(drop=True)
    station_keys = pd.DataFrame({"region_code": hydro["region_code"], "year": hydro["year"], "ecosystem": "all"})
    price_key = ctx.method.price_key("hydropower", "generation")
    # a station's own tariff (上网电价) is the price only where the method values hydropower at the tariff
    given = ~np.isnan(_col(hydro, "price")) & (ctx.method.option("hydropower.price_basis") == "on_grid_tariff")
    price = ctx.coef_for(price_key, station_keys) if not given.all() else None
    prices = np.where(given, _col(hydro, "price"), price.values if price else np.nan)
    generation = _col(hydro, "generation")
    value = provisioning.hydropower_value(quantity(generation, "kWh"), quantity(prices, "yuan/kWh")).to("yuan").magnitude
    # one figure per region: its stations summed; the price shown is value / generation
    grouped = station_keys.assign(generation=generation, value=value).groupby(KEYS, as_index=False)[
        ["generation", "value"]].sum()
    supplied = with_supplied(ctx, "hydropower", "generation", grouped, grouped["generation"].to_numpy())
    out = given_rows(ctx, "hydropower", "generation", supplied)
    grouped = grouped[supplied.computed_mask[:len(grouped)]].reset_index(drop=True)  # a supplied figure wins
    if not len(grouped):
        return out
    # trace: figures grouped by the shape of their sum (how many stations, each priced in the inventory
    # or by the register), so each station's price is recorded as what it is
    hydro = hydro.assign(_p=prices, _row=[None if given[i] else price.rows[i] for i in range(len(hydro))])
    stations = {k: g for k, g in hydro.groupby(["region_code", "year"], sort=False)}
    figure_keys = list(zip(grouped["region_code"], grouped["year"]))
    shapes = [tuple("own" if r is None else "reg" for r in stations[k]["_row"]) for k in figure_keys]
    for shape in dict.fromkeys(shapes):
        mask = np.array([sh == shape for sh in shapes])
        tb = ctx.tracer("hydropower", "generation", grouped, mask)
        for i, kind in enumerate(shape):
            # arrays cover every figure; only the masked ones (which all have station i) are kept
            part = [stations[k].iloc[i] if len(stations[k]) > i else None for k in figure_keys]
            prov = pd.DataFrame([[st["input_file"], st["input_row"], st["source"], st["status"]] if st is not None
                                 else ["", np.nan, "", ""] for st in part], columns=PROVENANCE)
            tb.input(f"G{i + 1}", [st["generation"] if st is not None else 0.0 for st in part], "kWh",
                     "hydropower", "generation", prov)
            shown = [st["_p"] if st is not None else 0.0 for st in part]
            if kind == "own":
                tb.input(f"p{i + 1}", shown, "yuan/kWh", "hydropower", "price", prov)
            else:
                fallback = next(st["_row"] for st, sh in zip(part, shapes) if sh == shape)
                tb.coefficient(f"p{i + 1}", shown, "yuan/kWh",
                               [st["_row"] if st is not None and st["_row"] is not None else fallback for st in part])
        tb.step("Q", "+".join(f"G{i + 1}" for i in range(len(shape))), grouped["generation"].to_numpy(), "kWh")
        tb.step("V", "+".join(f"G{i + 1}*p{i + 1}" for i in range(len(shape))), grouped["value"].to_numpy(), "yuan")
    q = Quantities(grouped[KEYS], grouped["generation"].to_numpy(), np.full(len(grouped), COMPUTED, dtype=object),
                   grouped[[]])
    return [*out, rows(ctx, "hydropower", "generation", q, [],
                       prices=grouped["value"].to_numpy() / grouped["generation"].to_numpy(), price_unit="yuan/kWh",
                       values=grouped["value"].to_numpy(), coefficients=(price_key,) if price else (),
                       price_index="cpi" if given.any() else "none")]


def recreation(ctx: Context) -> list[pd.DataFrame]:
    tourism = ctx.inventory.table("tourism").reset_index(drop=True)
    if not len(tourism):
        return []
    visits, revenue = _col(tourism, "visits"), _col(tourism, "revenue")
    time_cost = np.nan_to_num(_col(tourism, "time_cost_per_visit"))
    per_visit = _col(tourism, "spending_per_visit")
    from_revenue = np.isnan(per_visit)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_visit = np.where(from_revenue, revenue / visits, per_visit)
    ok = ~np.isnan(per_visit)
    keys = pd.DataFrame({"region_code": tourism["region_code"], "year": tourism["year"], "ecosystem": "all"})
    ctx.note_skipped("recreation", keys[~ok], "spending per visit or tourism revenue")
    t = tourism[ok].reset_index(drop=True)
    keys, visits, per_visit, time_cost, from_revenue, revenue = (
        keys[ok].reset_index(drop=True), visits[ok], per_visit[ok], time_cost[ok], from_revenue[ok], revenue[ok])
    value = cultural.recreation_value(quantity(visits, "visit"), quantity(per_visit, "yuan/visit"),
                                      quantity(time_cost, "yuan/visit")).to("yuan").magnitude
    for by_revenue in (False, True):
        tb = ctx.tracer("recreation", "visits", keys, from_revenue == by_revenue)
        tb.input("Q", visits, "visit", "tourism", "visits", t)
        if by_revenue:
            tb.input("Rev", revenue, "yuan", "tourism", "revenue", t)
            tb.step("TC", "Rev/Q", per_visit, "yuan/visit")
        else:
            tb.input("TC", per_visit, "yuan/visit", "tourism", "spending_per_visit", t)
        tb.input("TV", time_cost, "yuan/visit", "tourism", "time_cost_per_visit", t)
        tb.step("V", "Q*(TC+TV)", value, "yuan")
    q = Quantities(keys, visits, np.where(from_revenue, "revenue_per_visit", COMPUTED).astype(object), t[PROVENANCE])
    return [rows(ctx, "recreation", "visits", q, [], prices=per_visit + time_cost, price_unit="yuan/visit",
                 values=value, note="travel cost = spending per visit + time cost; consumer surplus excluded")]


def landscape(ctx: Context) -> list[pd.DataFrame]:
    land = ctx.inventory.table("landscape").reset_index(drop=True)
    if not len(land):
        ctx.notes.append("landscape: no benefiting floor area in the inventory; not computed")
        return []
    keys = pd.DataFrame({"region_code": land["region_code"], "year": land["year"], "ecosystem": "all"})
    area, premium = _col(land, "benefiting_floor_area"), _col(land, "price_premium")
    value = cultural.landscape_value(quantity(area, "m**2"), quantity(premium, "yuan/m**2")).to("yuan").magnitude
    tb = ctx.tracer("landscape", "benefiting_floor_area", keys)
    tb.input("Q", area, "m2", "landscape", "benefiting_floor_area", land)
    tb.input("p", premium, "yuan/m2", "landscape", "price_premium", land)
    tb.step("V", "Q*p", value, "yuan")
    q = Quantities(keys, area, np.full(len(keys), COMPUTED, dtype=object), land[PROVENANCE])
    return [rows(ctx, "landscape", "benefiting_floor_area", q, [], prices=premium, price_unit="yuan/m**2",
                 values=value)]


CALCULATORS = (
    products, water_supply, hydropower,
    water_conservation, soil_retention, sand_fixation, flood_regulation,
    lambda ctx: purification_service(ctx, "air_purification", "air"),
    lambda ctx: purification_service(ctx, "water_purification", "water"),
    carbon_oxygen, climate_regulation, pest_control,
    recreation, landscape,
)
