"""From a validated inventory and a coefficient register to GEP results.

Flow: inventory tables (canonical units) → per-service physical quantities (pure functions in
:mod:`gep.services`, vectorised over region × year × ecosystem) → valuation with register prices →
results at the level the data were given → sums up the administrative tree → summary.

Each result row records which path produced it (``computed``, ``supplied_quantity``,
``quantity_x_price``, ``output_value``) and the coefficient keys it used.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .catalogue import inventory_spec, services_spec
from .coefficients import CANONICAL_UNITS, Register
from .inventory import Inventory
from .services import carbon, climate, cultural, provisioning, purification, soil, water
from .units import convert_magnitude, quantity

KEYS = ["region_code", "year", "ecosystem"]
RESULT_COLUMNS = ["region_code", "region_name", "region_level", "year", "category", "service", "indicator",
                  "ecosystem", "quantity", "quantity_unit", "price", "price_unit", "value_yuan", "in_gep",
                  "path", "coefficients", "note"]
SUMMARY_COLUMNS = ["region_code", "region_name", "region_level", "parent_code", "year", "provisioning_yuan",
                   "regulating_yuan", "cultural_yuan", "gep_yuan", "land_area_km2", "gep_per_km2_yuan"]
SECTOR_ECOSYSTEM = {"agriculture": "farmland", "forestry": "forest", "husbandry": "all", "fishery": "all"}
VEGETATION = ("forest", "shrub", "grassland", "garden")
WATER_SURFACES = ("wetland_swamp", "wetland_lake", "wetland_reservoir", "wetland_river")


#: Service pairs that value the same flow in part (gep-methods.md §8.4). Both are summed, as the
#: standard's authors do (白玛卓嘎 et al. 2017), and the report says so; --exclude drops one.
DOUBLE_COUNT_WATCH = (
    (("water_conservation", "water_supply"), "水源涵养与水资源供给部分为同一水量 / retained water and supplied water overlap"),
    (("water_conservation", "hydropower"), "水电依赖涵养水量 / hydropower uses the retained water"),
    (("carbon_sequestration", "oxygen_release"), "固碳与释氧来自同一NEP，部分方案只计固碳 / one NEP basis; some schemes count 固碳 only"),
)


@dataclass
class Options:
    """Choices a user makes for a run; recorded in the outputs."""

    exclude: tuple[str, ...] = ()  # services computed for information but left out of GEP


@dataclass
class Results:
    services: pd.DataFrame   # all regions (leaf rows and sums up the tree)
    summary: pd.DataFrame
    coefficients: pd.DataFrame  # the register rows used, with provenance
    excluded: list[dict]
    notes: list[str]
    years: list[int]
    county_code: str
    trace: pd.DataFrame = field(default_factory=pd.DataFrame)  # leaf figures' inputs, coefficients, steps


@dataclass
class _Context:
    inventory: Inventory
    register: Register
    used: set = field(default_factory=set)
    notes: list = field(default_factory=list)

    def __post_init__(self):
        regions = self.inventory.table("regions")
        self.parents = dict(zip(regions["code"], regions["parent_code"]))

    def lineage(self, code: str) -> list[str]:
        out = [code]
        while self.parents.get(out[-1]):
            out.append(self.parents[out[-1]])
        return out

    def coefficient(self, key: str, ecosystems, regions) -> np.ndarray:
        """Register values for each (ecosystem, region) pair, recording which rows were used.

        A row for a region applies to its sub-regions too; looked up once per distinct pair."""
        pairs = pd.DataFrame({"ecosystem": np.asarray(ecosystems, dtype=object),
                              "region": np.asarray(regions, dtype=object)})
        values = {}
        for eco, region in pairs.drop_duplicates().itertuples(index=False):
            # same precedence as Register.lookup, a region's row also covering its sub-regions
            lineage = self.lineage(region)
            candidates = [(eco, c) for c in lineage] + [(eco, "")] + [("", c) for c in lineage] + [("", "")]
            row = next((self.register.rows[(key, *c)] for c in candidates if (key, *c) in self.register.rows), None)
            row = row or self.register.lookup(key, eco, "")  # raises with a clear message
            self.used.add(row.ident)
            values[(eco, region)] = row.value
        return np.array([values[p] for p in zip(pairs["ecosystem"], pairs["region"])], dtype=float)

    def scalar(self, key: str, ecosystem: str = "") -> float:
        row = self.register.lookup(key, ecosystem)
        self.used.add(row.ident)
        return row.value

    def inherited(self, table: str, keys: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        """Rows of an intensive table (conditions, climate) for each key, taken from the region itself
        or its nearest ancestor that has a row: parameters such as precipitation apply downwards."""
        source = self.inventory.table(table)
        columns = [c for c in inventory_spec()["tables"][table]["columns"]
                   if c not in ("region_code", *by, "source", "note", "status")]
        out = pd.DataFrame(np.nan, index=keys.index, columns=columns)
        if not len(source) or not len(keys):
            return out
        found = np.zeros(len(keys), dtype=bool)
        lookup = source[["region_code", *by, *columns]]
        depth = 0
        while not found.all():
            ancestors = [(self.lineage(c) + [None] * (depth + 1))[depth] for c in keys["region_code"]]
            if all(a is None for a in ancestors):
                break
            probe = keys[by].copy()
            probe["region_code"] = ancestors
            hit = probe.reset_index().merge(lookup, on=["region_code", *by], how="left").set_index("index")
            take = ~found & hit[columns].notna().any(axis=1).reindex(keys.index).to_numpy()
            out.loc[take, columns] = hit.loc[take, columns].to_numpy()
            found |= take
            depth += 1
        return out.astype(float)

    def supplied(self, service: str, indicator: str) -> pd.DataFrame:
        sq = self.inventory.table("service_quantities")
        rows = sq[(sq["service"] == service) & (sq["indicator"] == indicator)]
        if not len(rows):
            return rows
        unit = services_spec()["services"][service]["indicators"][indicator]["unit"]
        rows = rows.copy()
        rows["quantity"] = [convert_magnitude(q, u, unit) for q, u in zip(rows["quantity"], rows["unit"])]
        return rows


def _indicator(service: str, indicator: str) -> dict:
    return services_spec()["services"][service]["indicators"][indicator]


def _apply_supplied(ctx: _Context, service: str, indicator: str, keys: pd.DataFrame,
                    amounts: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Replace computed quantities by those supplied in service_quantities (e.g. from an external
    model); supplied rows without a computed counterpart are added. Returns keys, amounts, paths."""
    keys = keys[KEYS].reset_index(drop=True)
    paths = np.full(len(keys), "computed", dtype=object)
    amounts = np.asarray(amounts, dtype=float).copy()
    supplied = ctx.supplied(service, indicator)
    if len(supplied):
        index = {tuple(k): i for i, k in enumerate(keys.itertuples(index=False))}
        extra = []
        for r in supplied.itertuples():
            k = (r.region_code, int(r.year), r.ecosystem)
            if k in index:
                amounts[index[k]] = r.quantity
                paths[index[k]] = "supplied_quantity"
            else:
                extra.append((k, r.quantity))
        if extra:
            keys = pd.concat([keys, pd.DataFrame([k for k, _ in extra], columns=KEYS)], ignore_index=True)
            amounts = np.concatenate([amounts, [q for _, q in extra]])
            paths = np.concatenate([paths, ["supplied_quantity"] * len(extra)])
    return keys, amounts, paths


def _rows(ctx: _Context, service: str, indicator: str, keys: pd.DataFrame, amounts, paths,
          price_key: str | None = None, prices=None, price_unit: str | None = None,
          coefficients: tuple[str, ...] = (), note: str = "", values=None) -> pd.DataFrame:
    """Result rows for one indicator; value = quantity × price, unit-checked once per indicator,
    unless ``values`` (元) come from a service's own valuation function."""
    spec = _indicator(service, indicator) if indicator in services_spec()["services"][service]["indicators"] else {}
    unit = spec.get("unit", "1")
    n = len(keys)
    amounts = np.asarray(amounts, dtype=float)
    if price_key is not None and prices is None:
        prices = ctx.coefficient(price_key, keys["ecosystem"], keys["region_code"])
        price_unit = CANONICAL_UNITS[price_key]
    if prices is not None:
        prices = np.broadcast_to(np.asarray(prices, dtype=float), (n,))
        if values is None:
            factor = (quantity(1.0, unit) * quantity(1.0, price_unit)).to("yuan").magnitude  # raises if not 元
            values = amounts * prices * factor
    if values is None:
        values = np.zeros(n)
    physical_only = bool(spec.get("physical_only"))
    frame = pd.DataFrame({
        "region_code": keys["region_code"].to_numpy(), "year": keys["year"].astype(int).to_numpy(),
        "service": service, "indicator": indicator, "ecosystem": keys["ecosystem"].to_numpy(),
        "quantity": amounts, "quantity_unit": unit,
        "price": prices if prices is not None else np.nan, "price_unit": price_unit or "",
        "value_yuan": values, "in_gep": not physical_only, "path": paths,
        "coefficients": ";".join(([price_key] if price_key else []) + list(coefficients)),
        "note": spec.get("reason", "1") if physical_only else note,
    })
    return frame


def _skip_note(ctx: _Context, service: str, frame: pd.DataFrame, what: str) -> None:
    if len(frame):
        sample = ", ".join(f"{r.region_code}/{r.year}/{r.ecosystem}" for r in frame.head(3).itertuples())
        ctx.notes.append(f"{service}: {len(frame)} region-year-ecosystem case(s) skipped, no {what} "
                         f"(e.g. {sample})")


# ----------------------------------------------------------------------------------------------
# regulating services


def _extent_for(ctx: _Context, service: str) -> pd.DataFrame:
    ext = ctx.inventory.table("extent")
    wanted = services_spec()["services"][service].get("ecosystems")
    ext = ext[ext["ecosystem"].isin(wanted)] if wanted else ext
    return ext[ext["area"] > 0].reset_index(drop=True)


def _water_conservation(ctx: _Context) -> list[pd.DataFrame]:
    ext = _extent_for(ctx, "water_conservation")
    cond = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = cond["precipitation"].notna() & cond["evapotranspiration"].notna()
    _skip_note(ctx, "water_conservation", ext[~ok], "precipitation or evapotranspiration")
    ext, cond = ext[ok].reset_index(drop=True), cond[ok].reset_index(drop=True)
    alpha = cond["runoff_coefficient"].to_numpy(dtype=float)
    used_register = np.isnan(alpha)
    if used_register.any():
        alpha = np.where(used_register, ctx.coefficient("runoff_coefficient", ext["ecosystem"],
                                                        ext["region_code"]), alpha)
    precipitation = quantity(cond["precipitation"].to_numpy(dtype=float), "mm")
    runoff = water.storm_runoff(precipitation, quantity(alpha, "1"))
    retained = water.water_conservation(precipitation, runoff,
                                        quantity(cond["evapotranspiration"].to_numpy(dtype=float), "mm"),
                                        quantity(ext["area"].to_numpy(dtype=float), "hectare"))
    keys, amounts, paths = _apply_supplied(ctx, "water_conservation", "water_retained", ext,
                                           retained.to("m**3").magnitude)
    extra = ("runoff_coefficient",) if used_register.any() else ()
    return [_rows(ctx, "water_conservation", "water_retained", keys, amounts, paths,
                  price_key="reservoir_unit_cost", coefficients=extra)]


def _soil_retention(ctx: _Context) -> list[pd.DataFrame]:
    ext = _extent_for(ctx, "soil_retention")
    cond = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    rusle_cols = ["rainfall_erosivity", "soil_erodibility", "slope_length_steepness", "cover_management",
                  "support_practice"]
    potential = cond["potential_erosion"].to_numpy(dtype=float)
    actual = cond["actual_erosion"].to_numpy(dtype=float)
    has_rusle = cond[rusle_cols].notna().all(axis=1).to_numpy()
    if has_rusle.any():
        a_p, a_r = soil.rusle_erosion(
            quantity(cond["rainfall_erosivity"].to_numpy(dtype=float), soil.EROSIVITY),
            quantity(cond["soil_erodibility"].to_numpy(dtype=float), soil.ERODIBILITY),
            *(quantity(cond[c].to_numpy(dtype=float), "1") for c in rusle_cols[2:]))
        use = has_rusle & np.isnan(potential)
        potential = np.where(use, a_p.to("t/hectare").magnitude, potential)
        actual = np.where(has_rusle & np.isnan(actual), a_r.to("t/hectare").magnitude, actual)
    ok = ~np.isnan(potential) & ~np.isnan(actual)
    _skip_note(ctx, "soil_retention", ext[~ok], "erosion moduli or RUSLE factors")
    ext = ext[ok].reset_index(drop=True)
    retained = soil.soil_retained(quantity(potential[ok], "t/hectare"), quantity(actual[ok], "t/hectare"),
                                  quantity(ext["area"].to_numpy(dtype=float), "hectare"))
    keys, amounts, paths = _apply_supplied(ctx, "soil_retention", "soil_retained", ext,
                                           retained.to("t").magnitude)
    q_sr = quantity(amounts, "t")
    eco, reg = keys["ecosystem"], keys["region_code"]
    sediment = soil.reduced_sedimentation(q_sr, quantity(ctx.coefficient("sediment_ratio", eco, reg), "1"),
                                          quantity(ctx.coefficient("soil_bulk_density", eco, reg), "t/m**3"))
    nitrogen = soil.nutrient_loss_reduction(q_sr, quantity(ctx.coefficient("soil_nitrogen_content", eco, reg), "1"))
    phosphorus = soil.nutrient_loss_reduction(q_sr, quantity(ctx.coefficient("soil_phosphorus_content", eco, reg), "1"))
    return [
        _rows(ctx, "soil_retention", "soil_retained", keys, amounts, paths),
        _rows(ctx, "soil_retention", "reduced_sedimentation", keys, sediment.to("m**3").magnitude, paths,
              price_key="dredging_cost", coefficients=("sediment_ratio", "soil_bulk_density")),
        _rows(ctx, "soil_retention", "reduced_nitrogen_loss", keys, nitrogen.to("t").magnitude, paths,
              price_key="nitrogen_removal_cost", coefficients=("soil_nitrogen_content",)),
        _rows(ctx, "soil_retention", "reduced_phosphorus_loss", keys, phosphorus.to("t").magnitude, paths,
              price_key="phosphorus_removal_cost", coefficients=("soil_phosphorus_content",)),
    ]


def _sand_fixation(ctx: _Context) -> list[pd.DataFrame]:
    ext = _extent_for(ctx, "sand_fixation")
    cond = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = (cond["potential_wind_erosion"].notna() & cond["actual_wind_erosion"].notna()).to_numpy()
    ext, cond = ext[ok].reset_index(drop=True), cond[ok].reset_index(drop=True)
    fixed = soil.sand_fixed(quantity(cond["potential_wind_erosion"].to_numpy(dtype=float), "t/hectare"),
                            quantity(cond["actual_wind_erosion"].to_numpy(dtype=float), "t/hectare"),
                            quantity(ext["area"].to_numpy(dtype=float), "hectare"))
    keys, amounts, paths = _apply_supplied(ctx, "sand_fixation", "sand_fixed", ext, fixed.to("t").magnitude)
    if not len(keys):
        ctx.notes.append("sand_fixation: no wind-erosion moduli in the inventory; not computed")
        return []
    eco, reg = keys["ecosystem"], keys["region_code"]
    area = soil.desertification_avoided(
        quantity(amounts, "t"), quantity(ctx.coefficient("sand_bulk_density", eco, reg), "t/m**3"),
        quantity(ctx.coefficient("sand_layer_thickness", eco, reg), "m"))
    return [_rows(ctx, "sand_fixation", "sand_fixed", keys, amounts, paths),
            _rows(ctx, "sand_fixation", "desertification_avoided", keys, area.to("m**2").magnitude, paths,
                  price_key="desertification_control_cost",
                  coefficients=("sand_bulk_density", "sand_layer_thickness"))]


def _flood_regulation(ctx: _Context) -> list[pd.DataFrame]:
    out = []
    bodies = ctx.inventory.table("water_bodies")
    reservoirs = bodies[bodies["kind"] == "reservoir"]
    if len(reservoirs):
        ratio = ctx.coefficient("reservoir_flood_ratio", ["wetland_reservoir"] * len(reservoirs),
                                reservoirs["region_code"])
        declared = reservoirs["flood_storage"].to_numpy(dtype=float)
        estimated = water.reservoir_flood_storage(quantity(reservoirs["total_storage"].to_numpy(dtype=float), "m**3"),
                                                  quantity(ratio, "1")).to("m**3").magnitude
        storage = np.where(np.isnan(declared), estimated, declared)
        per_region = pd.DataFrame({"region_code": reservoirs["region_code"].to_numpy(),
                                   "year": reservoirs["year"].to_numpy(), "ecosystem": "wetland_reservoir",
                                   "storage": storage}).groupby(KEYS, as_index=False)["storage"].sum()
        keys, amounts, paths = _apply_supplied(ctx, "flood_regulation", "reservoir_storage", per_region,
                                               per_region["storage"].to_numpy())
        coefficients = ("reservoir_flood_ratio",) if np.isnan(declared).any() else ()
        out.append(_rows(ctx, "flood_regulation", "reservoir_storage", keys, amounts, paths,
                         price_key="reservoir_unit_cost", coefficients=coefficients))
    lakes = bodies[(bodies["kind"] == "lake") & bodies["area"].notna()]
    if len(lakes):
        eco, reg = ["wetland_lake"] * len(lakes), lakes["region_code"]
        storage = water.lake_flood_storage(quantity(lakes["area"].to_numpy(dtype=float), "hectare"),
                                           quantity(ctx.coefficient("lake_flood_log_coefficient", eco, reg), "1"),
                                           quantity(ctx.coefficient("lake_flood_exponent", eco, reg), "1"),
                                           quantity(ctx.coefficient("lake_turnover", eco, reg), "1"))
        per_region = pd.DataFrame({"region_code": lakes["region_code"].to_numpy(), "year": lakes["year"].to_numpy(),
                                   "ecosystem": "wetland_lake", "storage": storage.to("m**3").magnitude}
                                  ).groupby(KEYS, as_index=False)["storage"].sum()
        keys, amounts, paths = _apply_supplied(ctx, "flood_regulation", "lake_storage", per_region,
                                               per_region["storage"].to_numpy())
        out.append(_rows(ctx, "flood_regulation", "lake_storage", keys, amounts, paths,
                         price_key="reservoir_unit_cost",
                         coefficients=("lake_flood_log_coefficient", "lake_flood_exponent", "lake_turnover")))
    ext = ctx.inventory.table("extent")
    swamps = ext[(ext["ecosystem"] == "wetland_swamp") & (ext["area"] > 0)].reset_index(drop=True)
    if len(swamps):
        depth = ctx.coefficient("swamp_storage_depth", swamps["ecosystem"], swamps["region_code"])
        storage = water.swamp_flood_storage(quantity(swamps["area"].to_numpy(dtype=float), "hectare"),
                                            quantity(depth, "m"))
        keys, amounts, paths = _apply_supplied(ctx, "flood_regulation", "swamp_storage", swamps,
                                               storage.to("m**3").magnitude)
        out.append(_rows(ctx, "flood_regulation", "swamp_storage", keys, amounts, paths,
                         price_key="reservoir_unit_cost", coefficients=("swamp_storage_depth",)))
    return out


def _subtree_extent(ctx: _Context) -> pd.DataFrame:
    """Ecosystem area of every region including its descendants, by year and ecosystem."""
    ext = ctx.inventory.table("extent")
    frames = []
    for code in ctx.parents:
        members = [c for c in ctx.parents if code in ctx.lineage(c)]
        part = ext[ext["region_code"].isin(members)].groupby(["year", "ecosystem"], as_index=False)["area"].sum()
        part["region_code"] = code
        frames.append(part)
    return pd.concat(frames, ignore_index=True) if frames else ext.iloc[0:0]


def _purification(ctx: _Context, service: str, medium: str) -> list[pd.DataFrame]:
    emissions = ctx.inventory.table("emissions")
    vocab = inventory_spec()["vocabularies"]["pollutant"]
    out = []
    areas = None
    for pollutant, entry in vocab.items():
        if entry["medium"] != medium:
            continue
        rows = emissions[emissions["pollutant"] == pollutant].reset_index(drop=True)
        if not len(rows):
            continue
        capacity_key = f"purification_capacity_{pollutant}"
        capacity = None
        coefficients: tuple[str, ...] = ()
        if any(k[0] == capacity_key for k in ctx.register.rows):
            areas = _subtree_extent(ctx) if areas is None else areas
            totals = []
            for r in rows.itertuples():
                a = areas[(areas["region_code"] == r.region_code) & (areas["year"] == r.year)]
                q = [ctx.coefficient(capacity_key, [e], [r.region_code])[0] if ctx.register.has(capacity_key, e)
                     else 0.0 for e in a["ecosystem"]]
                totals.append(float(np.dot(q, a["area"].to_numpy(dtype=float))))
            capacity = quantity(np.array(totals), "t")
            coefficients = (capacity_key,)
        purified = purification.purified_amount(quantity(rows["amount"].to_numpy(dtype=float), "t"), capacity)
        keys = pd.DataFrame({"region_code": rows["region_code"], "year": rows["year"], "ecosystem": "all"})
        keys, amounts, paths = _apply_supplied(ctx, service, pollutant, keys, purified.to("t").magnitude)
        note = "" if capacity is not None else "emission taken as purified amount (no capacity declared)"
        out.append(_rows(ctx, service, pollutant, keys, amounts, paths, price_key=f"treatment_cost_{pollutant}",
                         coefficients=coefficients, note=note))
    return out


def _carbon_oxygen(ctx: _Context) -> list[pd.DataFrame]:
    ext = _extent_for(ctx, "carbon_sequestration")
    cond = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    ok = cond["npp"].notna().to_numpy()
    _skip_note(ctx, "carbon_sequestration", ext[~ok], "NPP")
    ext, cond = ext[ok].reset_index(drop=True), cond[ok].reset_index(drop=True)
    nep = carbon.net_ecosystem_production(
        quantity(cond["npp"].to_numpy(dtype=float), "gC/m**2"),
        quantity(ctx.coefficient("nep_npp_ratio", ext["ecosystem"], ext["region_code"]), "1"),
        quantity(ext["area"].to_numpy(dtype=float), "hectare"))
    co2 = carbon.co2_fixed(nep)
    keys, amounts, paths = _apply_supplied(ctx, "carbon_sequestration", "co2_fixed", ext,
                                           co2.to("t_CO2").magnitude)
    o2 = carbon.oxygen_released(quantity(amounts, "t_CO2"),
                                quantity(ctx.coefficient("oxygen_per_co2", keys["ecosystem"], keys["region_code"]), "1"))
    o2_keys, o2_amounts, o2_paths = _apply_supplied(ctx, "oxygen_release", "o2_released", keys, o2.to("t").magnitude)
    return [_rows(ctx, "carbon_sequestration", "co2_fixed", keys, amounts, paths, price_key="carbon_price",
                  coefficients=("nep_npp_ratio",)),
            _rows(ctx, "oxygen_release", "o2_released", o2_keys, o2_amounts, o2_paths, price_key="oxygen_price",
                  coefficients=("oxygen_per_co2", "nep_npp_ratio"))]


def _climate_regulation(ctx: _Context) -> list[pd.DataFrame]:
    out = []
    ext = _extent_for(ctx, "climate_regulation")
    cond = ctx.inherited("conditions", ext, ["year", "ecosystem"])
    clim = ctx.inherited("climate", ext, ["year"])
    latent = quantity(ctx.scalar("latent_heat_vaporisation"), "kJ/kg")
    density = quantity(ctx.scalar("water_density"), "kg/m**3")

    veg = ext["ecosystem"].isin(VEGETATION).to_numpy()
    epp = cond["transpiration_heat"].to_numpy(dtype=float)
    derived = np.isnan(epp) & cond["evapotranspiration"].notna().to_numpy()
    if derived.any():
        epp = np.where(derived, climate.transpiration_heat_from_et(
            quantity(cond["evapotranspiration"].fillna(0).to_numpy(dtype=float), "mm"), latent, density
        ).to("kJ/(m**2*day)").magnitude, epp)
    ok = veg & ~np.isnan(epp) & clim["cooling_days"].notna().to_numpy()
    _skip_note(ctx, "climate_regulation", ext[veg & ~ok], "transpiration heat/ET or cooling days")
    if ok.any():
        e = ext[ok].reset_index(drop=True)
        energy = climate.transpiration_cooling(
            quantity(epp[ok], "kJ/(m**2*day)"), quantity(e["area"].to_numpy(dtype=float), "hectare"),
            quantity(clim["cooling_days"].to_numpy(dtype=float)[ok], "day"),
            quantity(ctx.coefficient("ac_energy_efficiency_ratio", e["ecosystem"], e["region_code"]), "1"))
        keys, amounts, paths = _apply_supplied(ctx, "climate_regulation", "transpiration_cooling", e,
                                               energy.to("kWh").magnitude)
        extra = ("latent_heat_vaporisation", "water_density") if derived[ok].any() else ()
        out.append(_rows(ctx, "climate_regulation", "transpiration_cooling", keys, amounts, paths,
                         price_key="electricity_price", coefficients=("ac_energy_efficiency_ratio", *extra)))

    wet = ext["ecosystem"].isin(WATER_SURFACES).to_numpy() & cond["evapotranspiration"].notna().to_numpy()
    if wet.any():
        e = ext[wet].reset_index(drop=True)
        evaporated = quantity(cond["evapotranspiration"].to_numpy(dtype=float)[wet], "mm") * \
            quantity(e["area"].to_numpy(dtype=float), "hectare")
        energy = climate.water_surface_evaporation(
            evaporated.to("m**3"), latent, density,
            quantity(ctx.coefficient("humidifier_power", e["ecosystem"], e["region_code"]), "kWh/m**3"))
        keys, amounts, paths = _apply_supplied(ctx, "climate_regulation", "water_surface_evaporation", e,
                                               energy.to("kWh").magnitude)
        out.append(_rows(ctx, "climate_regulation", "water_surface_evaporation", keys, amounts, paths,
                         price_key="electricity_price",
                         coefficients=("humidifier_power", "latent_heat_vaporisation", "water_density")))
    return out


def _pest_control(ctx: _Context) -> list[pd.DataFrame]:
    forest = ctx.inventory.table("forest")
    natural = forest[forest["origin"] == "natural"].groupby(["region_code", "year"], as_index=False)["area"].sum()
    natural["ecosystem"] = "forest"
    ext = ctx.inventory.table("extent")
    grass = ext[ext["ecosystem"] == "grassland"][KEYS + ["area"]]
    keys = pd.concat([natural[KEYS + ["area"]], grass], ignore_index=True)
    keys = keys[keys["area"] > 0].reset_index(drop=True)
    if not len(keys):
        return []
    keys, amounts, paths = _apply_supplied(ctx, "pest_control", "natural_area", keys, keys["area"].to_numpy())
    return [_rows(ctx, "pest_control", "natural_area", keys, amounts, paths, price_key="pest_control_cost",
                  note="natural forest (forest table, origin natural) and grassland")]


# ----------------------------------------------------------------------------------------------
# provisioning and cultural


def _products(ctx: _Context) -> list[pd.DataFrame]:
    products = ctx.inventory.table("products")
    out = []
    for r in products.itertuples():
        eco = r.ecosystem or SECTOR_ECOSYSTEM[r.sector]
        service = f"{r.sector}_products"
        base = {"region_code": r.region_code, "year": int(r.year), "service": service, "indicator": r.product,
                "ecosystem": eco, "in_gep": True, "coefficients": "", "note": r.note}
        if not np.isnan(r.quantity) and not np.isnan(r.price):
            value = provisioning.market_value(quantity(r.quantity, r.quantity_unit), quantity(r.price, r.price_unit))
            out.append({**base, "quantity": r.quantity, "quantity_unit": r.quantity_unit, "price": r.price,
                        "price_unit": r.price_unit, "value_yuan": float(value.to("yuan").magnitude),
                        "path": "quantity_x_price"})
        else:
            out.append({**base, "quantity": r.output_value, "quantity_unit": "yuan", "price": np.nan,
                        "price_unit": "", "value_yuan": float(r.output_value), "path": "output_value"})
    return [pd.DataFrame(out)] if out else []


def _water_supply(ctx: _Context) -> list[pd.DataFrame]:
    supply = ctx.inventory.table("water_supply")
    out = []
    for use in inventory_spec()["vocabularies"]["water_use"]:
        rows = supply[supply["use"] == use].reset_index(drop=True)
        if not len(rows):
            continue
        keys = pd.DataFrame({"region_code": rows["region_code"], "year": rows["year"], "ecosystem": "all"})
        key = f"water_price_{use}"
        prices = rows["price"].to_numpy(dtype=float)
        if np.isnan(prices).any():
            prices = np.where(np.isnan(prices), ctx.coefficient(key, keys["ecosystem"], keys["region_code"]), prices)
        value = provisioning.water_supply_value(quantity(rows["volume"].to_numpy(dtype=float), "m**3"),
                                                quantity(prices, "yuan/m**3"))
        frame = _rows(ctx, "water_supply", use, keys, rows["volume"].to_numpy(dtype=float),
                      np.full(len(keys), "computed", dtype=object), prices=prices, price_unit="yuan/m**3",
                      coefficients=(key,) if rows["price"].isna().any() else (),
                      values=value.to("yuan").magnitude)
        out.append(frame)
    return out


def _hydropower(ctx: _Context) -> list[pd.DataFrame]:
    hydro = ctx.inventory.table("hydropower")
    if not len(hydro):
        return []
    keys = pd.DataFrame({"region_code": hydro["region_code"], "year": hydro["year"], "ecosystem": "all"})
    prices = hydro["price"].to_numpy(dtype=float)
    if np.isnan(prices).any():
        prices = np.where(np.isnan(prices), ctx.coefficient("hydropower_price", keys["ecosystem"],
                                                            keys["region_code"]), prices)
    generation = hydro["generation"].to_numpy(dtype=float)
    value = provisioning.hydropower_value(quantity(generation, "kWh"), quantity(prices, "yuan/kWh"))
    # one row per region: stations of a township are summed, the price shown is value / generation
    per_region = keys.assign(generation=generation, value=value.to("yuan").magnitude)
    grouped = per_region.groupby(KEYS, as_index=False)[["generation", "value"]].sum()
    return [_rows(ctx, "hydropower", "generation", grouped, grouped["generation"].to_numpy(),
                  np.full(len(grouped), "computed", dtype=object),
                  prices=grouped["value"].to_numpy() / grouped["generation"].to_numpy(), price_unit="yuan/kWh",
                  coefficients=("hydropower_price",) if hydro["price"].isna().any() else (),
                  values=grouped["value"].to_numpy())]


def _recreation(ctx: _Context) -> list[pd.DataFrame]:
    tourism = ctx.inventory.table("tourism").reset_index(drop=True)
    if not len(tourism):
        return []
    keys = pd.DataFrame({"region_code": tourism["region_code"], "year": tourism["year"], "ecosystem": "all"})
    visits = tourism["visits"].to_numpy(dtype=float)
    time_cost = tourism["time_cost_per_visit"].fillna(0).to_numpy(dtype=float)
    per_visit = tourism["spending_per_visit"].to_numpy(dtype=float)
    from_revenue = np.isnan(per_visit)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_visit = np.where(from_revenue, tourism["revenue"].to_numpy(dtype=float) / visits, per_visit)
    missing = np.isnan(per_visit)
    if missing.any():
        _skip_note(ctx, "recreation", keys[missing], "spending per visit or tourism revenue")
    keys, visits, per_visit, time_cost = keys[~missing], visits[~missing], per_visit[~missing], time_cost[~missing]
    value = cultural.recreation_value(quantity(visits, "visit"), quantity(per_visit, "yuan/visit"),
                                      quantity(time_cost, "yuan/visit"))
    paths = np.where(from_revenue[~missing], "revenue_per_visit", "computed")
    frame = _rows(ctx, "recreation", "visits", keys.reset_index(drop=True), visits, paths,
                  prices=per_visit + time_cost, price_unit="yuan/visit",
                  note="travel cost = spending per visit + time cost; consumer surplus excluded",
                  values=value.to("yuan").magnitude)
    return [frame]


def _landscape(ctx: _Context) -> list[pd.DataFrame]:
    land = ctx.inventory.table("landscape").reset_index(drop=True)
    if not len(land):
        ctx.notes.append("landscape: no benefiting floor area in the inventory; not computed")
        return []
    keys = pd.DataFrame({"region_code": land["region_code"], "year": land["year"], "ecosystem": "all"})
    value = cultural.landscape_value(quantity(land["benefiting_floor_area"].to_numpy(dtype=float), "m**2"),
                                     quantity(land["price_premium"].to_numpy(dtype=float), "yuan/m**2"))
    frame = _rows(ctx, "landscape", "benefiting_floor_area", keys, land["benefiting_floor_area"].to_numpy(dtype=float),
                  np.full(len(keys), "computed", dtype=object), prices=land["price_premium"].to_numpy(dtype=float),
                  price_unit="yuan/m**2", values=value.to("yuan").magnitude)
    return [frame]


CALCULATORS = (
    _products, _water_supply, _hydropower,
    _water_conservation, _soil_retention, _sand_fixation, _flood_regulation,
    lambda ctx: _purification(ctx, "air_purification", "air"),
    lambda ctx: _purification(ctx, "water_purification", "water"),
    _carbon_oxygen, _climate_regulation, _pest_control,
    _recreation, _landscape,
)


# ----------------------------------------------------------------------------------------------
# aggregation


def _aggregate(ctx: _Context, leaf: pd.DataFrame) -> pd.DataFrame:
    """Rows for every region: its own rows plus the sums of all its descendants' rows.

    Each leaf row is paired with itself and every ancestor region, then one group-by sums them, so a
    county total is by construction the sum of its townships (in region-code order)."""
    regions = ctx.inventory.table("regions").set_index("code")
    links = pd.DataFrame([(code, target) for code in regions.index for target in ctx.lineage(code)],
                         columns=["region_code", "target"])
    group = ["target", "year", "category", "service", "indicator", "ecosystem", "quantity_unit", "price_unit",
             "in_gep"]
    expanded = leaf.merge(links, on="region_code", how="inner").sort_values(["target", "region_code"], kind="stable")
    grouped = expanded.groupby(group, as_index=False, sort=True, dropna=False)
    rows = grouped.agg(
        quantity=("quantity", "sum"), value_yuan=("value_yuan", "sum"), n=("quantity", "size"),
        first_price=("price", "first"), n_priced=("price", "count"),
        path=("path", "first"), n_paths=("path", "nunique"),
        coefficients=("coefficients", "first"), n_coefficients=("coefficients", "nunique"),
        note=("note", "first"), n_notes=("note", "nunique"))
    rows.loc[rows["n_paths"] > 1, "path"] = "mixed"
    rows.loc[rows["n_notes"] > 1, "note"] = ""
    mixed = rows.index[rows["n_coefficients"] > 1]
    if len(mixed):  # rare: sub-regions valued with different coefficient sets
        unions = grouped["coefficients"].agg(lambda s: ";".join(sorted({k for v in s for k in v.split(";") if k})))
        rows.loc[mixed, "coefficients"] = unions.loc[mixed, "coefficients"]
    with np.errstate(invalid="ignore", divide="ignore"):
        priced = rows["n_priced"] == rows["n"]
        implicit = np.where(priced & (rows["quantity"] > 0), rows["value_yuan"] / rows["quantity"], np.nan)
    rows["price"] = np.where(rows["n"] == 1, rows["first_price"], implicit)
    rows = rows.rename(columns={"target": "region_code"})
    rows["region_name"] = rows["region_code"].map(regions["name"])
    rows["region_level"] = rows["region_code"].map(regions["level"])
    order = ["region_code", "year", "category", "service", "indicator", "ecosystem"]
    return rows[RESULT_COLUMNS].sort_values(order, kind="stable").reset_index(drop=True)


def _summary(ctx: _Context, services: pd.DataFrame) -> pd.DataFrame:
    regions = ctx.inventory.table("regions").set_index("code")
    counted = services[services["in_gep"]]
    table = counted.pivot_table(index=["region_code", "year"], columns="category", values="value_yuan",
                                aggfunc="sum", fill_value=0.0)
    for category in ("provisioning", "regulating", "cultural"):
        if category not in table.columns:
            table[category] = 0.0
    table = table.reset_index()
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


def account(inventory: Inventory, register: Register, options: Options | None = None) -> Results:
    """Compute GEP for every region and year of the inventory."""
    options = options or Options()
    unknown = set(options.exclude) - set(services_spec()["services"])
    if unknown:
        raise ValueError(f"cannot exclude unknown service(s): {', '.join(sorted(unknown))}")
    ctx = _Context(inventory, register)
    frames = [f for calc in CALCULATORS for f in calc(ctx) if len(f)]
    leaf = pd.concat(frames, ignore_index=True)
    catalogue = services_spec()["services"]
    leaf["category"] = leaf["service"].map(lambda s: catalogue[s]["category"])
    excluded = []
    for service in options.exclude:
        mask = leaf["service"] == service
        leaf.loc[mask, "in_gep"] = False
        leaf.loc[mask, "note"] = "excluded by the user (--exclude)"
        excluded.append({"service": service, "indicator": "", "reason": "excluded by the user (--exclude)"})
    for service, entry in catalogue.items():
        for indicator, spec in entry["indicators"].items():
            if spec.get("physical_only") and (leaf["service"].eq(service) & leaf["indicator"].eq(indicator)).any():
                excluded.append({"service": service, "indicator": indicator, "reason": spec["reason"]})
    present = set(leaf["service"])
    for pair, why in DOUBLE_COUNT_WATCH:
        if set(pair) <= present and not set(pair) & set(options.exclude):
            ctx.notes.append(f"{' + '.join(pair)}: both counted in GEP — {why}")
    leaf["note"] = leaf["note"].fillna("")
    services = _aggregate(ctx, leaf)
    summary = _summary(ctx, services)
    regions = inventory.table("regions")
    county = regions[regions["parent_code"] == ""]["code"].iloc[0]
    coefficients = register.frame(ctx.used)
    return Results(services=services, summary=summary, coefficients=coefficients, excluded=excluded,
                   notes=ctx.notes, years=inventory.years, county_code=county)
