"""Reports of a GEP account: an Excel workbook (:mod:`gep.render.excel`) and an HTML report
(:mod:`gep.render.html`).

Both renderers take the same inputs (the long ``services`` table, the ``summary`` table, the
``coefficients`` used and a ``meta`` dict) and share the preparation done here: row ordering by the
service catalogue, localised labels, the physical and value accounts of the headline county, the
composition by service and by ecosystem group, and the township ranking. Amounts stay in 元 in the
prepared data; each renderer converts to 万元 / 亿元 when it writes.

Comparable prices arrive as optional tables in ``meta`` (each absent → that part of the report is
left out, so the report looks as it did before them):

* ``meta["growth"]`` — region × year: GEP at current and constant prices, real growth, chain-linked
  volume index, implicit deflator, method break and its note;
* ``meta["evaluation"]`` — township (village) × year: GEP, per km², per capita, GEP/GDP, real growth,
  forest coverage and wetland area with their changes, ranks;
* ``meta["decomposition"]`` — region × year × service: change from the year before, its quantity and
  price effects;
* ``meta["price_indices"]`` — the price-index table used; ``meta["base_year"]`` — the base year.

``meta["service_status"]`` (:class:`gep.accounting.ServiceStatus` per service) puts the services computed,
skipped and not applicable, with what each lacks, at the top of the report and in the workbook's 说明 sheet.

The composition by service over the years uses the services table's ``value_constant_yuan`` when it
has one, else current values (and says so).

Public entry points::

    from gep.render.excel import write_excel
    from gep.render.html import write_html
    from gep.render.pdf import html_to_pdf, check_renders   # headless Chromium
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gep.catalogue import ecosystem_group, label, services_spec, vocabulary
from gep.render.phrases import (WAN, YI, clean_text, fmt_int, fmt_number, fmt_pct, fmt_share, fmt_signed,  # noqa: F401  (re-exported)
                                fmt_wan, fmt_yi, level_label, method_lines, phrases, status_lines, status_rows,
                                text, unit_label)
from gep.render.workbook import is_missing, to_float  # noqa: F401  (kept importable from gep.render)

__all__ = ["prepare", "records", "text", "unit_label", "Report", "method_lines", "status_rows", "status_lines",
           "WAN", "YI", "fmt_wan", "fmt_yi", "fmt_number", "fmt_share", "fmt_pct", "fmt_signed", "fmt_int"]


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """The rows of ``frame`` as dicts, as ``DataFrame.to_dict("records")`` gives them, but column by column:
    pandas 3 keeps text in Arrow arrays whose element-by-element iteration made ``to_dict`` most of the
    trace pages' time (1.8 s for a county's 88 000 trace rows, against 0.2 s here)."""
    columns = list(frame.columns if columns is None else columns)
    arrays = [frame[c].to_numpy(dtype=object) for c in columns]
    return [dict(zip(columns, row)) for row in zip(*arrays)]


# --------------------------------------------------------------------------------------------
# catalogue ordering
# --------------------------------------------------------------------------------------------

_GROUP_ORDER = ["forest", "shrub", "grassland", "wetland", "farmland", "urban", "other", "all"]


def _order(known: list[str], key: str) -> tuple[int, str]:
    """Sort key: catalogue position first, unknown keys after them in text order."""
    return (known.index(key), "") if key in known else (len(known), key)


def _category_key(key: str) -> tuple[int, str]:
    return _order(list(services_spec()["categories"]), key)


def _service_key(key: str) -> tuple[int, str]:
    return _order(list(services_spec()["services"]), key)


def _indicator_key(service: str, indicator: str) -> tuple[int, str]:
    entry = services_spec()["services"].get(service, {})
    return _order(list(entry.get("indicators", {})), indicator)


def _ecosystem_key(key: str) -> tuple[int, str]:
    return _order(["all", *vocabulary("ecosystem")], key)


def _group_key(key: str) -> tuple[int, str]:
    return _order(_GROUP_ORDER, key)


def _row_sort_key(row: tuple) -> tuple:
    category, service, indicator, ecosystem = row[:4]
    return (_category_key(category), _service_key(service), _indicator_key(service, indicator),
            _ecosystem_key(ecosystem), row[4:])


def group_of(ecosystem: str) -> str:
    """Ecosystem group of an ecosystem key; "all" (whole region) stays "all"."""
    return "all" if ecosystem == "all" else ecosystem_group(ecosystem)


# --------------------------------------------------------------------------------------------
# the prepared report
# --------------------------------------------------------------------------------------------

@dataclass
class AccountRow:
    """One row of an account table. ``kind``: item / subtotal / total / excluded."""

    kind: str
    category: str = ""
    service: str = ""
    indicator: str = ""
    ecosystem: str = ""
    unit: str = ""
    values: dict[int, float | None] = field(default_factory=dict)
    note: str = ""
    key: tuple = ()  # (service, indicator, ecosystem) as in the results, for links to the trace


@dataclass
class Report:
    """Everything both renderers show, labels already localised, amounts in 元."""

    lang: str
    meta: dict
    title: str
    years: list[int]
    latest_year: int | None
    county_code: str
    county_name: str
    headline: list[dict]           # per year: year, provisioning, regulating, cultural, gep, regulating_share
    physical: list[AccountRow]      # county physical account
    value: list[AccountRow]         # county value account incl. subtotals, total, excluded rows
    by_service: list[dict]          # in-GEP value by service: category, service, values{year}, share
    by_group: list[dict]            # in-GEP value by ecosystem group: group, values{year}, share
    group_matrix: dict              # latest year: groups (labels), rows [{category, service, values[]}], totals
    townships: list[dict]           # per year × township: ranks, amounts
    summary: list[dict]             # every region × year
    coefficients: list[dict]
    excluded: list[dict]            # service, indicator, reason (labels)
    methods: list[dict]             # services present: category, service, method, formula, reference
    notes: list[str]
    # comparable prices (meta keys growth, evaluation, decomposition, price_indices, base_year); None when
    # the caller did not pass the table, so the report then looks exactly as without them
    base_year: int | None = None
    growth: list[dict] | None = None          # headline county per year (current, constant, growth, index, …)
    growth_all: list[dict] | None = None      # every region × year, for the workbook
    composition: dict | None = None           # value by service per year: constant (bool), base_year, rows
    evaluation: list[dict] | None = None      # townships (villages) × year, latest year first, by GEP rank
    decomposition: list[dict] | None = None   # headline county per year (latest first): rows by service + total
    decomposition_all: list[dict] | None = None  # every region × year × service, for the workbook
    drivers: dict | None = None               # latest year: per township, totals and top 3 by quantity effect
    price_indices: list[dict] | None = None   # the price-index table used, with provenance
    status: list[dict] | None = None          # services computed, skipped, not applicable (meta service_status)
    method: dict | None = None                # the method profile (meta method): lines and one row per choice


def prepare(services: pd.DataFrame, summary: pd.DataFrame, coefficients: pd.DataFrame,
            meta: dict, lang: str = "zh") -> Report:
    """Shape the accounting tables into the rows the Excel and HTML reports show."""
    label("category", "regulating", lang)  # validates lang
    meta = dict(meta or {})
    services = _normalise_services(services)
    summary = summary.copy() if summary is not None else pd.DataFrame()
    coefficients = coefficients if coefficients is not None else pd.DataFrame()

    years = _years(services, summary, meta)
    county_code = _county_code(services, summary, meta)
    county_name = _region_name(county_code, services, summary)
    county = services.loc[services["region_code"] == county_code]

    value_rows = _value_account(county, years, lang)
    headline = _headline(county_code, county, summary, years)
    notes = [clean_text(n) for n in meta.get("notes", []) or [] if clean_text(n)]
    notes += _consistency_notes(value_rows, headline, lang)
    latest = years[-1] if years else None
    base_year = int(to_float(meta.get("base_year"))) if to_float(meta.get("base_year")) is not None else None
    regions = _region_lookup(summary, meta, lang)
    growth_all = _growth_rows(meta.get("growth"), regions, lang)
    if base_year is None and growth_all:
        base_year = next((g["base_year"] for g in growth_all if g["base_year"] is not None), None)
    decomposition_all = _decomposition_rows(meta.get("decomposition"), regions, years, lang)
    evaluation = _evaluation_rows(meta.get("evaluation"), county_code, lang)
    return Report(
        lang=lang, meta=meta, title=clean_text(meta.get("title")) or "GEP",
        years=years, latest_year=latest, county_code=county_code, county_name=county_name,
        headline=headline,
        physical=_physical_account(county, years, lang),
        value=value_rows,
        by_service=_by_service(county, years, lang),
        by_group=_by_group(county, years, lang),
        group_matrix=_group_matrix(county, latest, lang),
        townships=_townships(summary, county_code, lang),
        summary=_summary_rows(summary, lang),
        coefficients=_coefficient_rows(coefficients, lang),
        excluded=_excluded(meta.get("excluded", []) or [], lang),
        methods=_methods(services, lang),
        notes=notes,
        base_year=base_year,
        growth=None if growth_all is None else [g for g in growth_all if g["region_code"] == county_code],
        growth_all=growth_all,
        composition=_composition(county, years, base_year, lang) if growth_all is not None else None,
        evaluation=evaluation,
        decomposition=_county_decomposition(decomposition_all, county_code, lang),
        decomposition_all=decomposition_all,
        drivers=_drivers(decomposition_all, regions, county_code, lang),
        price_indices=_price_index_rows(meta.get("price_indices"), lang),
        status=status_rows(meta["service_status"], lang) if meta.get("service_status") is not None else None,
        method={"lines": method_lines(meta["method"], lang), "rows": meta["method"].rows(lang)}
        if meta.get("method") is not None else None,
    )


def _normalise_services(services: pd.DataFrame) -> pd.DataFrame:
    """Copy with the columns the reports rely on present and typed."""
    df = services.copy()
    for column in ("region_code", "region_name", "category", "service", "indicator", "ecosystem",
                   "quantity_unit", "note"):
        if column not in df:
            df[column] = ""
        df[column] = pd.Series([clean_text(v) for v in df[column]], index=df.index, dtype=object)
    df["ecosystem"] = pd.Series([e or "all" for e in df["ecosystem"]], index=df.index, dtype=object)
    for column in ("quantity", "value_yuan"):
        if column not in df:
            df[column] = float("nan")
        df[column] = pd.to_numeric(df[column], errors="coerce").astype(float)
    if "in_gep" not in df:
        df["in_gep"] = True
    df["in_gep"] = pd.Series([bool(v) if not is_missing(v) else False for v in df["in_gep"]],
                             index=df.index, dtype=bool)
    df["year"] = pd.to_numeric(df["year"], errors="coerce").astype("Int64")
    return df


def _years(services: pd.DataFrame, summary: pd.DataFrame, meta: dict) -> list[int]:
    if meta.get("years"):
        return sorted({int(y) for y in meta["years"]})
    found = set(services["year"].dropna().astype(int))
    if "year" in summary:
        found |= set(pd.to_numeric(summary["year"], errors="coerce").dropna().astype(int))
    return sorted(found)


def _county_code(services: pd.DataFrame, summary: pd.DataFrame, meta: dict) -> str:
    """The region to headline: meta["county_code"], else the first county-level region."""
    code = clean_text(meta.get("county_code"))
    if code:
        return code
    for frame in (summary, services):
        if "region_level" in frame and len(frame):
            counties = frame[frame["region_level"] == "county"]
            if len(counties):
                return sorted(clean_text(c) for c in counties["region_code"])[0]
    return clean_text(services["region_code"].iloc[0]) if len(services) else ""


def _region_name(code: str, services: pd.DataFrame, summary: pd.DataFrame) -> str:
    for frame in (summary, services):
        if "region_code" in frame and "region_name" in frame:
            names = frame.loc[frame["region_code"].map(clean_text) == code, "region_name"]
            names = [clean_text(n) for n in names if clean_text(n)]
            if names:
                return names[0]
    return code


def _pivot(rows: pd.DataFrame, keys: list[str], column: str, years: list[int]) -> list[tuple]:
    """[(key values..., {year: sum or None})] sorted by catalogue order."""
    out = []
    for key, group in rows.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        values = {}
        for year in years:
            numbers = group.loc[group["year"] == year, column].dropna()
            values[year] = float(numbers.sum()) if len(numbers) else None
        out.append((*key, values))
    return out


def _labels(category: str, service: str, indicator: str, ecosystem: str, lang: str) -> dict:
    return {"category": label("category", category, lang),
            "service": label("service", service, lang),
            "indicator": label("indicator", f"{service}/{indicator}", lang) if indicator else "",
            "ecosystem": label("ecosystem", ecosystem, lang)}


def _physical_account(county: pd.DataFrame, years: list[int], lang: str) -> list[AccountRow]:
    """Quantities of the county by category/service/indicator/ecosystem; value-only rows left out."""
    rows = county.loc[county["quantity_unit"] != "yuan"]
    keys = ["category", "service", "indicator", "ecosystem", "quantity_unit"]
    pivot = sorted(_pivot(rows, keys, "quantity", years), key=_row_sort_key)
    return [AccountRow("item", **_labels(*p[:4], lang), unit=unit_label(p[4], lang), values=p[5], key=tuple(p[1:4]))
            for p in pivot]


def _value_account(county: pd.DataFrame, years: list[int], lang: str) -> list[AccountRow]:
    """In-GEP values with category subtotals and the GEP total, then the excluded rows."""
    keys = ["category", "service", "indicator", "ecosystem"]
    out: list[AccountRow] = []
    included = county.loc[county["in_gep"]]
    pivot = sorted(_pivot(included, keys, "value_yuan", years), key=_row_sort_key)
    for category in sorted({p[0] for p in pivot}, key=_category_key):
        items = [p for p in pivot if p[0] == category]
        out += [AccountRow("item", **_labels(*p[:4], lang), values=p[4], key=tuple(p[1:4])) for p in items]
        out.append(AccountRow("subtotal", category=label("category", category, lang),
                              service=text("subtotal", lang), values=_sum_values([p[4] for p in items], years)))
    out.append(AccountRow("total", category=text("gep_total", lang),
                          values=_sum_values([p[4] for p in pivot], years)))
    excluded = county.loc[~county["in_gep"]]
    for p in sorted(_pivot(excluded, keys, "value_yuan", years), key=_row_sort_key):
        mask = ((excluded["category"] == p[0]) & (excluded["service"] == p[1])
                & (excluded["indicator"] == p[2]) & (excluded["ecosystem"] == p[3]))
        notes = list(dict.fromkeys(n for n in excluded.loc[mask, "note"] if n))
        out.append(AccountRow("excluded", **_labels(*p[:4], lang), values=p[4], note="；".join(notes),
                              key=tuple(p[1:4])))
    return out


def _sum_values(values: list[dict], years: list[int]) -> dict[int, float | None]:
    out = {}
    for year in years:
        numbers = [v[year] for v in values if v.get(year) is not None]
        out[year] = float(sum(numbers)) if numbers else None
    return out


def _headline(code: str, county: pd.DataFrame, summary: pd.DataFrame, years: list[int]) -> list[dict]:
    """County totals per year, from the summary table (or from the services rows if absent)."""
    out = []
    rows = summary[summary["region_code"].map(clean_text) == code] if "region_code" in summary else summary
    for year in years:
        found = rows[pd.to_numeric(rows["year"], errors="coerce") == year] if len(rows) else rows
        if len(found):
            first = found.iloc[0]
            entry = {c: to_float(first.get(f"{c}_yuan")) for c in ("provisioning", "regulating", "cultural", "gep")}
        else:
            inc = county.loc[(county["year"] == year) & county["in_gep"]]
            if not len(inc):
                continue
            entry = {c: float(inc.loc[inc["category"] == c, "value_yuan"].sum())
                     for c in ("provisioning", "regulating", "cultural")}
            entry["gep"] = float(inc["value_yuan"].sum())
        gep = entry["gep"]
        entry["regulating_share"] = (entry["regulating"] / gep) if gep and entry["regulating"] is not None else None
        entry["year"] = year
        out.append(entry)
    return out


def _consistency_notes(value_rows: list[AccountRow], headline: list[dict], lang: str) -> list[str]:
    """A warning for each year whose value-account total differs from the summary GEP."""
    total = next((r for r in value_rows if r.kind == "total"), None)
    notes = []
    for entry in headline:
        table, summary = (total.values.get(entry["year"]) if total else None), entry["gep"]
        if table is None or summary is None:
            continue
        if abs(table - summary) > 1e-6 * max(abs(summary), 1.0):
            notes.append(text("mismatch", lang).format(year=entry["year"], table=fmt_wan(table),
                                                       summary=fmt_wan(summary)))
    return notes


def _by_service(county: pd.DataFrame, years: list[int], lang: str) -> list[dict]:
    """In-GEP value per service and year, with the share of GEP in the latest year."""
    included = county.loc[county["in_gep"]]
    pivot = sorted(_pivot(included, ["category", "service"], "value_yuan", years),
                   key=lambda p: (_category_key(p[0]), _service_key(p[1])))
    return _with_shares([{"category": label("category", p[0], lang), "service": label("service", p[1], lang),
                          "values": p[2]} for p in pivot], years)


def _by_group(county: pd.DataFrame, years: list[int], lang: str) -> list[dict]:
    """In-GEP value per ecosystem group and year, with the share of GEP in the latest year."""
    included = county.loc[county["in_gep"]].assign(group=lambda d: d["ecosystem"].map(group_of))
    pivot = sorted(_pivot(included, ["group"], "value_yuan", years), key=lambda p: _group_key(p[0]))
    return _with_shares([{"group": label("group", p[0], lang), "values": p[1]} for p in pivot], years)


def _with_shares(rows: list[dict], years: list[int]) -> list[dict]:
    if years:
        latest = years[-1]
        total = sum(r["values"][latest] or 0.0 for r in rows)
        for r in rows:
            v = r["values"][latest]
            r["share"] = (v / total) if total and v is not None else None
    return rows


def _group_matrix(county: pd.DataFrame, year: int | None, lang: str) -> dict:
    """Latest-year in-GEP value as a service × ecosystem-group matrix with row and column totals."""
    mask = county["in_gep"] & (county["year"] == year).fillna(False)
    rows = county.loc[mask].assign(group=lambda d: d["ecosystem"].map(group_of))
    groups = sorted(set(rows["group"]), key=_group_key)
    out_rows = []
    for (category, service), part in sorted(rows.groupby(["category", "service"], sort=False),
                                            key=lambda kv: (_category_key(kv[0][0]), _service_key(kv[0][1]))):
        cells = []
        for g in groups:
            numbers = part.loc[part["group"] == g, "value_yuan"].dropna()
            cells.append(float(numbers.sum()) if len(numbers) else None)
        out_rows.append({"category": label("category", category, lang), "service": label("service", service, lang),
                         "values": cells, "total": _sum_or_none(cells)})
    totals = [_sum_or_none([r["values"][i] for r in out_rows]) for i in range(len(groups))]
    return {"year": year, "groups": [label("group", g, lang) for g in groups], "rows": out_rows,
            "totals": totals, "total": _sum_or_none(totals)}


def _sum_or_none(values: list[float | None]) -> float | None:
    numbers = [v for v in values if v is not None]
    return float(sum(numbers)) if numbers else None


def _summary_rows(summary: pd.DataFrame, lang: str) -> list[dict]:
    """Every region × year of the summary, county first, then townships, then villages, by code."""
    level_order = {"county": 0, "township": 1, "village": 2}
    rows = []
    for _, r in summary.iterrows():
        rows.append({
            "region_code": clean_text(r.get("region_code")), "region_name": clean_text(r.get("region_name")),
            "level_key": clean_text(r.get("region_level")),
            "region_level": level_label(r.get("region_level"), lang),
            "parent_code": clean_text(r.get("parent_code")),
            "year": int(r["year"]) if to_float(r.get("year")) is not None else None,
            **{c: to_float(r.get(f"{c}_yuan")) for c in ("provisioning", "regulating", "cultural", "gep")},
            "land_area_km2": to_float(r.get("land_area_km2")),
            "gep_per_km2": to_float(r.get("gep_per_km2_yuan")),
        })
    rows.sort(key=lambda r: (level_order.get(r["level_key"], 3), r["region_code"], r["year"] or 0))
    return rows


def _townships(summary: pd.DataFrame, county_code: str, lang: str) -> list[dict]:
    """Townships of the headline county per year, ranked by GEP and by GEP per km² (1 = highest)."""
    rows = [r for r in _summary_rows(summary, lang) if r["level_key"] == "township"]
    own = [r for r in rows if r["parent_code"] == county_code]
    rows = own or rows
    out = []
    for year in sorted({r["year"] for r in rows if r["year"] is not None}):
        of_year = [dict(r) for r in rows if r["year"] == year]
        _rank(of_year, "gep", "rank")
        _rank(of_year, "gep_per_km2", "rank_per_km2")
        out += sorted(of_year, key=lambda r: (r["rank"] or 10**9, r["region_code"]))
    return out


def _rank(rows: list[dict], column: str, target: str) -> None:
    """Competition ranking (1, 2, 2, 4) by descending value; missing values get no rank."""
    ordered = sorted((r[column] for r in rows if r[column] is not None), reverse=True)
    for r in rows:
        r[target] = None if r[column] is None else 1 + sum(1 for v in ordered if v > r[column])


def _coefficient_rows(coefficients: pd.DataFrame, lang: str) -> list[dict]:
    """The coefficients used, with provenance; ``unverified`` flags rows to mark."""
    out = []
    for _, r in coefficients.iterrows():
        status = clean_text(r.get("status"))
        price_year = to_float(r.get("price_year"))
        value = to_float(r.get("value"))
        out.append({
            "key": clean_text(r.get("key")),
            "ecosystem": label("ecosystem", clean_text(r.get("ecosystem")), lang) if clean_text(r.get("ecosystem")) else "",
            "region": clean_text(r.get("region")),
            "value": value if value is not None else clean_text(r.get("value")),
            "unit": clean_text(r.get("unit")),
            "price_year": int(price_year) if price_year is not None else None,
            "source": clean_text(r.get("source")), "clause": clean_text(r.get("clause")),
            "status_key": status,
            "status": text(f"status_{status}", lang) if f"status_{status}" in phrases() else status,
            "unverified": status not in ("verified", "case-study"),
            "note": clean_text(r.get("note")),
        })
    return out


def _excluded(entries: list[dict], lang: str) -> list[dict]:
    out = []
    for e in entries:
        service, indicator = clean_text(e.get("service")), clean_text(e.get("indicator"))
        out.append({"service": label("service", service, lang),
                    "indicator": label("indicator", f"{service}/{indicator}", lang) if indicator else "",
                    "reason": clean_text(e.get(f"reason_{lang}") or e.get("reason"))})
    return out


def _methods(services: pd.DataFrame, lang: str) -> list[dict]:
    """Method, formula and reference of each catalogue service present in the account."""
    catalogue = services_spec()["services"]
    present = sorted({s for s in services["service"] if s in catalogue}, key=_service_key)
    return [{"category": label("category", catalogue[s]["category"], lang), "service": label("service", s, lang),
             "method": label("method", catalogue[s]["method"], lang), "formula": catalogue[s]["formula"],
             "reference": catalogue[s]["reference"]} for s in present]


# --------------------------------------------------------------------------------------------
# comparable prices, growth, township evaluation, change decomposition, price indices
# --------------------------------------------------------------------------------------------

_LEVEL_ORDER = {"county": 0, "township": 1, "village": 2}


def _frame(value: Any) -> pd.DataFrame | None:
    """A table passed in ``meta`` as a DataFrame (None when absent)."""
    if value is None:
        return None
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame(value)


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records") if len(frame) else []


def _flag(value: Any) -> bool:
    """A boolean cell: True/False, 1/0, "True"/"False" (as read from a CSV); missing → False."""
    if is_missing(value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "y")
    return bool(value)


def _int_or_none(value: Any) -> int | None:
    number = to_float(value)
    return None if number is None else int(round(number))


def _region_lookup(summary: pd.DataFrame, meta: dict, lang: str) -> dict[str, dict]:
    """Region code → name, level and parent, from the summary and then the new tables."""
    out: dict[str, dict] = {}
    frames = [summary] + [f for f in (_frame(meta.get("growth")), _frame(meta.get("evaluation"))) if f is not None]
    for frame in frames:
        if "region_code" not in frame:
            continue
        for r in _records(frame):
            code = clean_text(r.get("region_code"))
            entry = out.setdefault(code, {"name": "", "level": "", "parent": ""})
            entry["name"] = entry["name"] or clean_text(r.get("region_name"))
            entry["level"] = entry["level"] or clean_text(r.get("region_level"))
            entry["parent"] = entry["parent"] or clean_text(r.get("parent_code"))
    return out


def _growth_rows(growth: Any, regions: dict[str, dict], lang: str) -> list[dict] | None:
    """Every region × year of the growth table (amounts in 元, growth as fractions)."""
    frame = _frame(growth)
    if frame is None:
        return None
    rows = []
    for r in _records(frame):
        code = clean_text(r.get("region_code"))
        region = regions.get(code, {})
        level = clean_text(r.get("region_level")) or region.get("level", "")
        rows.append({
            "region_code": code, "region_name": clean_text(r.get("region_name")) or region.get("name", code),
            "level_key": level, "region_level": level_label(level, lang), "year": _int_or_none(r.get("year")),
            "gep_current": to_float(r.get("gep_current_yuan")), "gep_constant": to_float(r.get("gep_constant_yuan")),
            "base_year": _int_or_none(r.get("base_year")), "real_growth": to_float(r.get("real_growth")),
            "chain_index": to_float(r.get("chain_index")), "chain_growth": to_float(r.get("chain_growth")),
            "deflator": to_float(r.get("deflator")), "method_break": _flag(r.get("method_break")),
            "break_note": clean_text(r.get("break_note")),
        })
    rows.sort(key=lambda g: (_LEVEL_ORDER.get(g["level_key"], 3), g["region_code"], g["year"] or 0))
    return rows


def _composition(county: pd.DataFrame, years: list[int], base_year: int | None, lang: str) -> dict:
    """In-GEP value by service per year: at constant prices when the services table carries
    ``value_constant_yuan``, else at current prices (``constant`` says which)."""
    constant = ("value_constant_yuan" in county
                and pd.to_numeric(county["value_constant_yuan"], errors="coerce").notna().any())
    column = "value_constant_yuan" if constant else "value_yuan"
    included = county.loc[county["in_gep"]].copy()
    included[column] = pd.to_numeric(included[column], errors="coerce").astype(float)
    pivot = sorted(_pivot(included, ["category", "service"], column, years),
                   key=lambda p: (_category_key(p[0]), _service_key(p[1])))
    rows = [{"category": label("category", p[0], lang), "service": label("service", p[1], lang), "values": p[2]}
            for p in pivot]
    return {"constant": bool(constant), "base_year": base_year, "rows": rows}


_EVALUATION_NUMBERS = {
    "gep": "gep_yuan", "gep_per_km2": "gep_per_km2_yuan", "population": "population",
    "gep_per_capita": "gep_per_capita_yuan", "gdp": "gdp_yuan", "gep_gdp_ratio": "gep_gdp_ratio",
    "real_growth": "real_growth", "forest_coverage": "forest_coverage_pct",
    "forest_coverage_change": "forest_coverage_change_pp", "wetland_area": "wetland_area_hm2",
    "wetland_area_change": "wetland_area_change_hm2",
}


def _evaluation_rows(evaluation: Any, county_code: str, lang: str) -> list[dict] | None:
    """Townships (and villages) × year of the evaluation table: latest year first, then by GEP rank."""
    frame = _frame(evaluation)
    if frame is None:
        return None
    rows = []
    for r in _records(frame):
        level = clean_text(r.get("region_level"))
        row = {"region_code": clean_text(r.get("region_code")), "region_name": clean_text(r.get("region_name")),
               "level_key": level, "region_level": level_label(level, lang),
               "parent_code": clean_text(r.get("parent_code")), "year": _int_or_none(r.get("year")),
               "rank_gep": _int_or_none(r.get("rank_gep")), "rank_growth": _int_or_none(r.get("rank_growth"))}
        row.update({key: to_float(r.get(column)) for key, column in _EVALUATION_NUMBERS.items()})
        rows.append(row)
    rows.sort(key=lambda e: (-(e["year"] or 0), _LEVEL_ORDER.get(e["level_key"], 3),
                             e["rank_gep"] if e["rank_gep"] is not None else 10**9, e["region_code"]))
    return rows


_DECOMPOSITION_NUMBERS = {"value_prev": "value_prev_yuan", "value": "value_yuan", "change": "change_yuan",
                          "quantity_effect": "quantity_effect_yuan", "price_effect": "price_effect_yuan"}


def _decomposition_rows(decomposition: Any, regions: dict[str, dict], years: list[int],
                        lang: str) -> list[dict] | None:
    """Every region × year × service of the decomposition table, amounts in 元, catalogue order; rows
    of a year outside the account (when its years are known) are left out."""
    frame = _frame(decomposition)
    if frame is None:
        return None
    rows = []
    for r in _records(frame):
        if years and _int_or_none(r.get("year")) not in years:
            continue
        code = clean_text(r.get("region_code"))
        region = regions.get(code, {})
        category, service = clean_text(r.get("category")), clean_text(r.get("service"))
        row = {"region_code": code, "region_name": region.get("name", "") or code,
               "level_key": region.get("level", ""), "region_level": level_label(region.get("level", ""), lang),
               "year": _int_or_none(r.get("year")), "category_key": category, "service_key": service,
               "category": label("category", category, lang), "service": label("service", service, lang)}
        row.update({key: to_float(r.get(column)) for key, column in _DECOMPOSITION_NUMBERS.items()})
        rows.append(row)
    rows.sort(key=lambda d: (_LEVEL_ORDER.get(d["level_key"], 3), d["region_code"], d["year"] or 0,
                             _category_key(d["category_key"]), _service_key(d["service_key"])))
    return rows


def _decomposition_total(rows: list[dict]) -> dict:
    return {key: _sum_or_none([r[key] for r in rows]) for key in _DECOMPOSITION_NUMBERS}


def _county_decomposition(rows: list[dict] | None, county_code: str, lang: str) -> list[dict] | None:
    """The headline county's decomposition per year, latest first: service rows and their total."""
    if rows is None:
        return None
    own = [r for r in rows if r["region_code"] == county_code]
    out = []
    for year in sorted({r["year"] for r in own if r["year"] is not None}, reverse=True):
        of_year = [r for r in own if r["year"] == year]
        out.append({"year": year, "rows": of_year, "total": _decomposition_total(of_year)})
    return out


_VISIBLE_YUAN = 50.0  #: a quantity effect under 50 元 shows as 0.00 万元: not a driver


def _drivers(rows: list[dict] | None, regions: dict[str, dict], county_code: str, lang: str,
             top: int = 3) -> dict | None:
    """For each township in the latest year of the decomposition: its total change, quantity and price
    effects, and the ``top`` services with the largest quantity effect in absolute value (ignoring
    effects too small to show in 万元)."""
    if rows is None:
        return None
    towns = [r for r in rows if r["level_key"] == "township"]
    own = [r for r in towns if regions.get(r["region_code"], {}).get("parent") == county_code]
    towns = own or towns
    years = [r["year"] for r in towns if r["year"] is not None]
    if not years:
        return {"year": None, "rows": []}
    year = max(years)
    out = []
    for code in sorted({r["region_code"] for r in towns if r["year"] == year}):
        of_town = [r for r in towns if r["region_code"] == code and r["year"] == year]
        moved = [r for r in of_town if abs(r["quantity_effect"] or 0.0) >= _VISIBLE_YUAN]
        moved.sort(key=lambda r: (-abs(r["quantity_effect"]), _service_key(r["service_key"])))
        out.append({"region_code": code, "region_name": of_town[0]["region_name"], **_decomposition_total(of_town),
                    "top": [{"service": r["service"], "quantity_effect": r["quantity_effect"]} for r in moved[:top]]})
    return {"year": year, "rows": out}


_CHECKED_STATUSES = ("verified", "case-study", "observed", "derived")


def _price_index_rows(price_indices: Any, lang: str) -> list[dict] | None:
    """The price-index table used (previous year = 100), with source and status."""
    frame = _frame(price_indices)
    if frame is None:
        return None
    out = []
    for r in _records(frame):
        status = clean_text(r.get("status"))
        out.append({"index": clean_text(r.get("index")), "year": _int_or_none(r.get("year")),
                    "value": to_float(r.get("value")), "source": clean_text(r.get("source")),
                    "status_key": status, "status": text(f"status_{status}", lang) if f"status_{status}" in phrases() else status,
                    "unverified": status not in _CHECKED_STATUSES})
    return out
