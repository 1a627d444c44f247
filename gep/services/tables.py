"""Table plumbing shared by the service calculators: inventory tables → figures, each with its trace.

A calculator (one per service, in the ``*_tables`` module beside the formulas it feeds, e.g.
:mod:`gep.services.water_tables` beside :mod:`gep.services.water`) gathers the inputs of one service from
the validated inventory (vectorised over region × year × ecosystem), calls the pure functions of
:mod:`gep.services`, values the quantities with register prices, and records for every figure a trace
(:mod:`gep.trace`): the inventory cells and register rows it used and each intermediate value with the
expression that computes it. The trace expressions restate the service formulas in canonical units; a test
re-evaluates every one of them against the engine, and the workbook turns them into live Excel formulas.
This module holds what several families share — the :class:`Context` a run threads through them, figures
given rather than computed (:func:`with_supplied`), valuation (:func:`rows`) — and imports no calculator,
so each family depends on it and never on another; :mod:`gep.services.calculators` lists them all.

Canonical units in expressions: areas hm², depths mm, volumes m³, masses t, energy kWh, money 元.
Conversion constants appear literally: 1 mm × 1 hm² = 10 m³; 1 g/m² × 1 hm² = 0.01 t.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..catalogue import inventory_spec, services_spec
from ..coefficients import CANONICAL_UNITS, Register
from ..inventory import Inventory
from ..method import Method
from ..method_inputs import METHOD_ARGUMENTS, method_argument
from ..prices import INVENTORY_PRICE_INDEX, PriceIndices
from ..trace import TraceBuilder, distinct
from ..units import conversion, convert_magnitude, scale

KEYS = ["region_code", "year", "ecosystem"]
PROVENANCE = ["input_file", "input_row", "source", "status"]
VEGETATION = ("forest", "shrub", "grassland", "garden")
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
                     requires: tuple[tuple[str, ...], ...] | None = None, *,
                     cases: str = "region-year-ecosystem case(s)", named_by: str = "ecosystem",
                     consequence: str = "") -> None:
        """Skip the cases of ``frame`` (:meth:`skip`) and say so in the notes, with a few of them.

        A case is a region-year-ecosystem unless ``cases`` says otherwise (a water body, named by its ``name``
        column): one lake without its area leaves the others of its region and year counted, which
        ``consequence`` then says, so the reader does not take the whole figure for skipped.
        """
        self.skip(service, len(frame), requires)
        if len(frame):
            sample = ", ".join(f"{r.region_code}/{r.year}/{getattr(r, named_by)}" for r in frame.head(3).itertuples())
            self.notes.append(f"{service}: {len(frame)} {cases} skipped, no {what} "
                              f"(e.g. {sample})" + (f"; {consequence}" if consequence else ""))


def indicator_spec(service: str, indicator: str) -> dict:
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
            tb.input(symbol, q.amounts, unit or indicator_spec(service, indicator)["unit"], table, column, q.supplied)
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
    spec = indicator_spec(service, indicator)
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


def extent_for(ctx: Context, service: str) -> pd.DataFrame:
    ext = ctx.inventory.table("extent")
    wanted = services_spec()["services"][service].get("ecosystems")
    ext = ext[ext["ecosystem"].isin(wanted)] if wanted else ext
    return ext[ext["area"] > 0].reset_index(drop=True)


def floats(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=float)


def parts_trace(tb: TraceBuilder, symbol: str, parts: pd.DataFrame, column: str, unit: str, table: str,
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
