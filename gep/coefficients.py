"""The coefficient register: every price and parameter with value, unit, price year, provenance and status.

A register is a CSV with one row per coefficient: ``key, value, unit, price_year, price_index, ecosystem,
region, year, source, clause, status, note``. ``ecosystem``, ``region`` and ``year`` say what a row applies
to (blank = all): a row with a ``year`` serves the figures of that accounting year only — a market price
quoted year by year (the national carbon market's annual average) is one row per year, each at the
prices of its own year.
The default register lives in ``coefficients/default.csv``; a user register passed with
``--coefficients`` overrides any earlier row with the same (key, ecosystem, region, year) and may add rows.
A later row *without* a year replaces the earlier registers' rows of its (key, ecosystem, region) for
every year, year rows included: a user who states one carbon price means it for every year.

Lookup takes the most specific row: region and ecosystem > ecosystem > region > general, and within the
same scope the row of the figure's year before the row for all years.
Each value is converted to the key's canonical unit at load, so a register may write 万元/万m³ or
元/t C where the canonical unit is 元/m³ or 元/t CO₂ — and a dimensionally wrong unit is an error.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .catalogue import inventory_spec, top_level_file
from .phrases import text
from .reading import read_csv, shown
from .units import UnitError, conversion, convert_magnitude, convert_text, parse_unit

STATUSES = ("verified", "case-study", "unverified")
SHOWN_PROBLEMS = 50  # register problems listed before "… and N more"

#: Canonical unit of every coefficient key the engine uses. A register row for an unknown key is an
#: error (a typo would otherwise silently leave the default in force). Each key is named in reports by the
#: phrase coefficient.<key> (:func:`key_label`).
CANONICAL_UNITS: dict[str, str] = {
    "runoff_coefficient": "1",
    "reservoir_unit_cost": "yuan/m**3",
    "dredging_cost": "yuan/m**3",
    "sediment_ratio": "1",
    "soil_bulk_density": "t/m**3",
    "soil_nitrogen_content": "1",
    "soil_phosphorus_content": "1",
    "nitrogen_removal_cost": "yuan/t",
    "phosphorus_removal_cost": "yuan/t",
    "sand_bulk_density": "t/m**3",
    "sand_layer_thickness": "m",
    "desertification_control_cost": "yuan/m**2",
    "reservoir_flood_ratio": "1",
    "swamp_storage_depth": "m",
    "lake_flood_log_coefficient": "1",
    "lake_flood_exponent": "1",
    "lake_turnover": "1",
    "treatment_cost_so2": "yuan/t",
    "treatment_cost_nox": "yuan/t",
    "treatment_cost_dust": "yuan/t",
    "treatment_cost_cod": "yuan/t",
    "treatment_cost_nh3n": "yuan/t",
    "treatment_cost_tp": "yuan/t",
    "purification_capacity_so2": "t/(hectare*a)",
    "purification_capacity_nox": "t/(hectare*a)",
    "purification_capacity_dust": "t/(hectare*a)",
    "purification_capacity_cod": "t/(hectare*a)",
    "purification_capacity_nh3n": "t/(hectare*a)",
    "purification_capacity_tp": "t/(hectare*a)",
    "nep_npp_ratio": "1",
    "carbon_price": "yuan/t_CO2",
    "carbon_afforestation_cost": "yuan/t_CO2",
    "oxygen_per_co2": "1",
    "oxygen_price": "yuan/t",
    "electricity_price": "yuan/kWh",
    "ac_energy_efficiency_ratio": "1",
    "latent_heat_vaporisation": "kJ/kg",
    "humidifier_power": "kWh/m**3",
    "humidity_threshold": "1",
    "transpiration_share": "1",
    "transpiration_heat": "kJ/(m**2*day)",
    "temperature_lapse_rate": "K/m",
    "daily_tmax_sd": "K",
    "storm_runoff_coefficient": "1",
    "water_density": "kg/m**3",
    "pest_control_cost": "yuan/hectare",
    "water_price_domestic": "yuan/m**3",
    "water_price_industrial": "yuan/m**3",
    "water_price_agricultural": "yuan/m**3",
    "water_price_ecological": "yuan/m**3",
    "hydropower_price": "yuan/kWh",
    "forest_indicator_price": "yuan/hectare",
    "forest_restoration_cost": "yuan/hectare",
    "wetland_restoration_cost": "yuan/hectare",
    "farmland_restoration_cost": "yuan/hectare",
    "stumpage_price": "yuan/m**3",
    # terms of trading pilots (gep.trading; coefficients/trading.csv)
    "forest_maintenance_years": "a",
    "forest_maintenance_fee": "yuan/(hectare*a)",
    "payment_instalments": "1",
    "discount_rate": "1",
    "water_section_compensation": "yuan/month",
}

#: Range of each key's value in its canonical unit: (lowest, highest, lowest excluded). Keys not listed are
#: amounts, rates or prices: ≥ 0 (a negative price would turn a service into a cost; a negative rate a sink
#: into a source). Shares are at most 1; a value the formula divides by must be above 0.
RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    **{k: (0.0, 1.0, False) for k in ("runoff_coefficient", "sediment_ratio", "soil_nitrogen_content",
                                     "soil_phosphorus_content", "reservoir_flood_ratio", "nep_npp_ratio",
                                     "transpiration_share", "humidity_threshold", "storm_runoff_coefficient")},
    **{k: (0.0, None, True) for k in ("ac_energy_efficiency_ratio", "latent_heat_vaporisation", "daily_tmax_sd",
                                     "water_density", "soil_bulk_density", "sand_bulk_density", "oxygen_per_co2",
                                     "payment_instalments")},
    "discount_rate": (0.0, 1.0, False),
    "lake_flood_log_coefficient": (None, None, False),  # the constant of a fitted log-linear model: any sign
}

COLUMNS = ("key", "value", "unit", "price_year", "price_index", "ecosystem", "region", "year", "source", "clause",
           "status", "note")
PRICE_INDICES = ("cpi", "ppi", "fai", "gdp_deflator", "none")

DEFAULT_REGISTER = top_level_file("coefficients", "default.csv")


class CoefficientError(ValueError):
    """A register row is malformed, or a coefficient the method needs is missing."""


@dataclass(frozen=True)
class Coefficient:
    key: str
    value: float  # in the canonical unit of the key
    unit: str  # canonical unit
    value_as_written: float
    unit_as_written: str
    price_year: int | None
    ecosystem: str
    region: str
    source: str
    clause: str
    status: str
    note: str
    register: str  # file it came from
    price_index: str = ""  # the index carrying a price between years (gep.prices); "" for non-prices
    year: int | None = None  # the accounting year the row serves; None: every year

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (self.key, self.ecosystem, self.region, "" if self.year is None else str(self.year))

    def label(self) -> str:
        return coefficient_label(*self.ident)


def key_label(key: str, lang: str = "zh") -> str | None:
    """How reports, traces and gep explain name a coefficient key (the phrase coefficient.<key>); None for a key
    the engine does not use."""
    return text(f"coefficient.{key}", lang) if key in CANONICAL_UNITS else None


def coefficient_label(key: str, ecosystem: str = "", region: str = "", year="") -> str:
    """How traces and reports name a register row: ``key[ecosystem/region/year]``, empty parts left out."""
    scope = "/".join(str(x) for x in (ecosystem, region, year) if x not in ("", None))
    return f"{key}[{scope}]" if scope else key


def _candidates(ecosystem: str, region: str, year: str) -> list[tuple[str, str, str]]:
    """(ecosystem, region, year) of the rows that may serve a figure, most specific first: scope first
    (region and ecosystem > ecosystem > region > general), then within a scope the year's row before the
    row for every year."""
    scopes = ((ecosystem, region), (ecosystem, ""), ("", region), ("", ""))
    years = (year, "") if year else ("",)
    return list(dict.fromkeys((e, r, y) for e, r in scopes for y in years))


@dataclass
class Register:
    rows: dict[tuple[str, str, str], Coefficient]
    files: list[Path] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the files as messages name them (the user's paths)

    def check_regions(self, codes) -> None:
        """Rows for a region the inventory does not have serve no figure: a typo would leave the general row
        in force without a word, so they are an error (:class:`CoefficientError`, one line per row)."""
        codes = set(codes)
        unmatched = [c for c in self.rows.values() if c.region and c.region not in codes]
        if unmatched:
            names = dict(zip(map(str, self.files), self.names or map(str, self.files)))
            raise CoefficientError("coefficient register rows for regions not in the inventory:\n  " + "\n  ".join(
                f"{names.get(c.register, c.register)}: {c.label()} — region '{shown(c.region)}' is not a region "
                f"code of the inventory" for c in unmatched[:SHOWN_PROBLEMS]))

    def lookup(self, key: str, ecosystem: str = "", region: str = "", year: int | str | None = None) -> Coefficient:
        """The most specific row for ``key`` applying to ``ecosystem``, ``region`` and accounting ``year``."""
        for candidate in _candidates(ecosystem, region, "" if year in (None, "") else str(int(year))):
            row = self.rows.get((key, *candidate))
            if row is not None:
                return row
        scope = f" for ecosystem '{ecosystem}'" if ecosystem else ""
        raise CoefficientError(
            f"coefficient '{key}'{scope} is not in the register ({', '.join(self.names or map(str, self.files))}); "
            f"add a row with key={key}, a value and a unit of dimension {CANONICAL_UNITS.get(key, '?')}")

    def has(self, key: str, ecosystem: str = "", region: str = "", year: int | str | None = None) -> bool:
        try:
            self.lookup(key, ecosystem, region, year)
            return True
        except CoefficientError:
            return False

    def value(self, key: str, ecosystem: str = "", region: str = "", year: int | str | None = None) -> float:
        return self.lookup(key, ecosystem, region, year).value

    def years_of(self, key: str) -> set[str]:
        """The accounting years some row of ``key`` is given for (as text; empty when none is)."""
        return {y for k, _, _, y in self.rows if k == key and y}

    def frame(self, used: set[tuple[str, str, str, str]] | None = None) -> pd.DataFrame:
        """Register (or the rows in ``used``) as a table for reports, in the units as written."""
        rows = [c for ident, c in sorted(self.rows.items()) if used is None or ident in used]
        return pd.DataFrame([{
            "key": c.key, "ecosystem": c.ecosystem, "region": c.region, "year": c.year, "value": c.value_as_written,
            "unit": c.unit_as_written, "price_year": c.price_year, "price_index": c.price_index,
            "source": c.source, "clause": c.clause,
            "status": c.status, "note": c.note, "register": Path(c.register).name,
        } for c in rows], columns=list(COLUMNS) + ["register"]).astype({"price_year": "Int64", "year": "Int64"})

    def digest(self) -> str:
        """SHA-256 over the register files in order (for manifests)."""
        h = hashlib.sha256()
        for f in self.files:
            h.update(Path(f).read_bytes())
        return h.hexdigest()


def _read_rows(path: Path, name: str) -> list[tuple[int, dict]]:
    """The register's rows (spreadsheet row number, cells by column), read through :mod:`gep.reading`: any
    encoding Excel saves, messages naming ``name``."""
    frame = read_csv(path, name)
    missing = [c for c in ("key", "value", "unit", "source", "status") if c not in frame.columns]
    if missing:
        raise CoefficientError(f"{name}: missing column(s) {', '.join(missing)}; a register needs "
                               f"{', '.join(COLUMNS)}")
    return list(enumerate(frame.to_dict(orient="records"), start=2))


def _canonical_value(text: str, written: float, unit: str, canonical: str) -> float:
    """A register value in its canonical unit, converted exactly from the decimal text as written and
    rounded once (``0.2`` 万元/t is exactly 2000 元/t); text Python reads but Fraction does not
    (``1_000``) is converted from its float as ``x × p / q``."""
    try:
        return convert_text(text, unit, canonical)
    except ValueError:
        return float(convert_magnitude(written, unit, canonical))


def _ecosystem_key(text: str) -> str | None:
    """A register row's ecosystem as its key ('' for every ecosystem; 森林 → forest); None when it is none."""
    vocabulary = inventory_spec()["vocabularies"]["ecosystem"]
    if text == "" or text in vocabulary:
        return text
    return next((key for key, entry in vocabulary.items() if entry["zh"] == text), None)


def _parse_row(path: Path, line: int, row: dict, name: str) -> tuple[Coefficient | None, list[str]]:
    where = f"{name}, row {line}"
    problems = []
    key = (row.get("key") or "").strip()
    if key not in CANONICAL_UNITS:
        return None, [f"{where}, column key: unknown coefficient '{shown(key)}'; known keys: "
                      f"{', '.join(sorted(CANONICAL_UNITS))}"]
    text = (row.get("value") or "").strip()
    try:
        written = float(text)
        if not math.isfinite(written):
            raise ValueError
    except ValueError:
        problems.append(f"{where}, column value: '{shown(row.get('value'))}' is not a finite number")
        written = math.nan
    ecosystem = _ecosystem_key((row.get("ecosystem") or "").strip())
    if ecosystem is None:
        # a typo would make a row that serves no figure, and leave the default in force without a word
        vocabulary = inventory_spec()["vocabularies"]["ecosystem"]
        problems.append(f"{where}, column ecosystem: '{shown(row.get('ecosystem'))}' is not an ecosystem type; "
                        f"leave it blank for every ecosystem, or give one of "
                        + ", ".join(f"{k} ({v['zh']})" for k, v in vocabulary.items()))
    unit_text = (row.get("unit") or "").strip()
    canonical = CANONICAL_UNITS[key]
    try:
        parse_unit(unit_text)
        value = math.nan if math.isnan(written) else _canonical_value(text, written, unit_text, canonical)
    except UnitError as exc:
        problems.append(f"{where}, column unit: {shown(exc, 200)}; '{key}' needs a unit convertible to {canonical}")
        value = math.nan
    if not math.isnan(value):
        problems += _out_of_range(key, value, where, text, unit_text)
    status = (row.get("status") or "").strip()
    if status not in STATUSES:
        problems.append(f"{where}, column status: '{shown(status)}' must be one of {', '.join(STATUSES)}")
    if not (row.get("source") or "").strip():
        problems.append(f"{where}, column source: every coefficient needs a source")
    price_year, year = (_year(row, column, where, problems) for column in ("price_year", "year"))
    price_index = (row.get("price_index") or "").strip()
    is_price = "yuan" in canonical
    if price_index and price_index not in PRICE_INDICES:
        problems.append(f"{where}, column price_index: '{shown(price_index)}' must be one of {', '.join(PRICE_INDICES)}")
    if is_price and price_year is not None and not price_index:
        problems.append(f"{where}, column price_index: a price with a price year must say which index carries it "
                        f"between years ({', '.join(PRICE_INDICES)}; none keeps it nominal)")
    if is_price and price_year is None:
        problems.append(f"{where}, column price_year: a price needs the year of its prices")
    if problems:
        return None, problems
    return Coefficient(
        key=key, value=float(value), unit=canonical, value_as_written=written, unit_as_written=unit_text,
        price_year=price_year, ecosystem=ecosystem,
        region=(row.get("region") or "").strip(), source=row["source"].strip(),
        clause=(row.get("clause") or "").strip(), status=status, note=(row.get("note") or "").strip(),
        register=str(path), price_index=price_index if is_price else "", year=year), []


def _out_of_range(key: str, value: float, where: str, text: str, unit: str) -> list[str]:
    """A value outside the key's range (:data:`RANGES`, in the canonical unit) as a problem."""
    low, high, strict = RANGES.get(key, (0.0, None, False))
    below = low is not None and (value <= low if strict else value < low)
    above = high is not None and value > high
    if not (below or above):
        return []
    canonical = CANONICAL_UNITS[key]
    bound = (f"{'>' if strict else '≥'} {low:g}" if below else f"≤ {high:g}") + ("" if canonical == "1" else f" {canonical}")
    return [f"{where}, column value: {shown(text)} {unit} is out of range for {key} (it must be {bound})"]


def _year(row: dict, column: str, where: str, problems: list[str]) -> int | None:
    """A year column of a register row: None when blank; a problem when it is not a year."""
    text = (row.get(column) or "").strip()
    if not text:
        return None
    try:
        year = int(text)
    except ValueError:
        year = None
    if year is None or not 1900 <= year <= 2100:
        problems.append(f"{where}, column {column}: '{shown(text)}' is not a year (1900–2100)")
        return None
    return year


def load_register(*paths: str | Path, base: str | Path | None = None,
                  shown_as: list[str | Path] | None = None) -> Register:
    """Load the base register, then each user register in order; later rows override earlier ones.

    The base register is the default profile (``coefficients/default.csv``) unless ``base`` names
    another file — e.g. the copy of the default register kept in a run folder, so that a run can be
    recomputed with the coefficients it used even after the installed default has changed.
    ``shown_as`` names the registers in messages (base first), when the files read are copies.
    Raises :class:`CoefficientError` listing every malformed row (at most :data:`SHOWN_PROBLEMS`).
    """
    files = [Path(base) if base is not None else DEFAULT_REGISTER] + [Path(p) for p in paths]
    names = [str(n) for n in shown_as] if shown_as is not None else [str(f) for f in files]
    rows: dict[tuple[str, str, str, str], Coefficient] = {}
    problems: list[str] = []
    for path, name in zip(files, names, strict=True):
        if not path.is_file():
            raise CoefficientError(f"coefficient register {name} not found")
        seen: set[tuple[str, str, str, str]] = set()
        for line, raw in _read_rows(path, name):
            coefficient, errs = _parse_row(path, line, raw, name)
            problems.extend(errs)
            if coefficient is None:
                continue
            if coefficient.ident in seen:
                problems.append(f"{name}, row {line}: duplicate row for {coefficient.label()}")
            seen.add(coefficient.ident)
            if coefficient.year is None:  # a row for every year replaces the earlier registers' year rows too
                for ident in [i for i in rows if i[:3] == coefficient.ident[:3] and i not in seen]:
                    del rows[ident]
            rows[coefficient.ident] = coefficient
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        raise CoefficientError("coefficient register problems:\n  " + "\n  ".join(
            problems[:SHOWN_PROBLEMS] + ([f"… and {more} more"] if more > 0 else [])))
    # A conversion check that cannot fail for parsed rows but documents the invariant.
    for c in rows.values():
        conversion(c.unit, CANONICAL_UNITS[c.key])
    return Register(rows=rows, files=files, names=names)
