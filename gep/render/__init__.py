"""Reports of a GEP account: an Excel workbook (:mod:`gep.render.excel`) and an HTML report
(:mod:`gep.render.html`).

Both renderers take the same inputs (the long ``services`` table, the ``summary`` table, the
``coefficients`` used and a ``meta`` dict) and share the preparation done here: row ordering by the
service catalogue, localised labels, the physical and value accounts of the headline county, the
composition by service and by ecosystem group, and the township ranking. Amounts stay in 元 in the
prepared data; each renderer converts to 万元 / 亿元 when it writes.

Public entry points::

    from gep.render.excel import write_excel
    from gep.render.html import write_html
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gep.catalogue import ecosystem_group, label, services_spec, vocabulary

__all__ = ["write_excel", "write_html", "prepare", "text", "unit_label", "Report",
           "WAN", "YI", "fmt_wan", "fmt_yi", "fmt_number", "fmt_share"]

WAN = 1e4  #: 元 per 万元
YI = 1e8  #: 元 per 亿元

# --------------------------------------------------------------------------------------------
# headings and fixed phrases (catalogue labels come from gep.catalogue.label)
# --------------------------------------------------------------------------------------------

_TEXT: dict[str, dict[str, str]] = {
    # sheet names (Excel: at most 31 characters, no []:*?/\)
    "sheet_about": {"zh": "说明", "en": "About"},
    "sheet_summary": {"zh": "汇总", "en": "Summary"},
    "sheet_physical": {"zh": "实物量表", "en": "Physical accounts"},
    "sheet_value": {"zh": "价值量表", "en": "Value accounts"},
    "sheet_ecosystem": {"zh": "生态系统价值", "en": "Value by ecosystem"},
    "sheet_townships": {"zh": "乡镇", "en": "Townships"},
    "sheet_coefficients": {"zh": "系数表", "en": "Coefficients"},
    # about
    "title": {"zh": "标题", "en": "Title"},
    "inventory": {"zh": "清单", "en": "Inventory"},
    "gep_version": {"zh": "gep 版本", "en": "gep version"},
    "format_version": {"zh": "清单格式版本", "en": "Inventory format version"},
    "command": {"zh": "命令", "en": "Command"},
    "years": {"zh": "核算年份", "en": "Accounting years"},
    "county": {"zh": "核算区域", "en": "Accounting area"},
    "unit_statement": {"zh": "金额单位：万元", "en": "Monetary unit: 10⁴ yuan (万元)"},
    "unit_statement_html": {"zh": "价值量单位：万元（汇总为亿元）",
                            "en": "Values in 10⁴ yuan (万元); headline totals in 10⁸ yuan (亿元)"},
    "unit_note": {"zh": "单位说明", "en": "Unit note"},
    "excluded": {"zh": "未计入GEP的服务", "en": "Services not counted in GEP"},
    "excluded_intro": {"zh": "以下服务已核算，仅供参考，未计入GEP：",
                       "en": "These services were computed for information and are not counted in GEP:"},
    "notes": {"zh": "说明与警示", "en": "Notes and warnings"},
    "none": {"zh": "无", "en": "None"},
    "methods": {"zh": "核算方法", "en": "Methods"},
    "method": {"zh": "方法", "en": "Method"},
    "formula": {"zh": "公式", "en": "Formula"},
    "reference": {"zh": "依据", "en": "Reference"},
    "reason": {"zh": "原因", "en": "Reason"},
    # columns
    "region_code": {"zh": "区划代码", "en": "Region code"},
    "region_name": {"zh": "名称", "en": "Name"},
    "region_level": {"zh": "级别", "en": "Level"},
    "parent_code": {"zh": "上级代码", "en": "Parent code"},
    "year": {"zh": "年份", "en": "Year"},
    "category": {"zh": "类别", "en": "Category"},
    "service": {"zh": "服务", "en": "Service"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "ecosystem": {"zh": "生态系统", "en": "Ecosystem"},
    "ecosystem_group": {"zh": "生态系统类型", "en": "Ecosystem group"},
    "unit": {"zh": "单位", "en": "Unit"},
    "note": {"zh": "备注", "en": "Note"},
    "gep": {"zh": "GEP", "en": "GEP"},
    "total": {"zh": "合计", "en": "Total"},
    "share": {"zh": "占比", "en": "Share"},
    "land_area": {"zh": "土地面积(km²)", "en": "Land area (km²)"},
    "gep_per_km2": {"zh": "地均GEP(万元/km²)", "en": "GEP per km² (10⁴ yuan/km²)"},
    "rank": {"zh": "GEP排名", "en": "GEP rank"},
    "rank_per_km2": {"zh": "地均排名", "en": "Rank per km²"},
    "township": {"zh": "乡镇", "en": "Township"},
    "wan_yuan": {"zh": "万元", "en": "10⁴ yuan"},
    "yi_yuan": {"zh": "亿元", "en": "10⁸ yuan"},
    "regulating_share": {"zh": "调节服务占比", "en": "Regulating share"},
    "subtotal": {"zh": "小计", "en": "Subtotal"},
    "gep_total": {"zh": "GEP合计", "en": "GEP total"},
    "excluded_rows": {"zh": "未计入GEP（仅供参考）", "en": "Not counted in GEP (for information)"},
    "excluded_mark": {"zh": "未计入", "en": "excluded"},
    # coefficients
    "coef_key": {"zh": "系数", "en": "Coefficient"},
    "coef_region": {"zh": "区域", "en": "Region"},
    "coef_value": {"zh": "取值", "en": "Value"},
    "price_year": {"zh": "价格年份", "en": "Price year"},
    "source": {"zh": "来源", "en": "Source"},
    "clause": {"zh": "条款", "en": "Clause"},
    "status": {"zh": "核实状态", "en": "Status"},
    "status_verified": {"zh": "已核实", "en": "verified"},
    "status_case-study": {"zh": "案例值", "en": "case study"},
    "status_unverified": {"zh": "未核实", "en": "UNVERIFIED"},
    # html sections
    "headline": {"zh": "GEP总览", "en": "GEP at a glance"},
    "by_category": {"zh": "按类别构成", "en": "Composition by category"},
    "by_service": {"zh": "按服务构成", "en": "Composition by service"},
    "by_group": {"zh": "按生态系统构成", "en": "Composition by ecosystem group"},
    "by_year": {"zh": "GEP年度变化", "en": "GEP by year"},
    "townships": {"zh": "乡镇GEP", "en": "GEP by township"},
    "physical_accounts": {"zh": "实物量核算表", "en": "Physical accounts"},
    "value_accounts": {"zh": "价值量核算表", "en": "Value accounts"},
    "coefficients": {"zh": "核算系数及来源", "en": "Coefficients and provenance"},
    "colon": {"zh": "：", "en": ": "},
    "lparen": {"zh": "（", "en": " ("},
    "rparen": {"zh": "）", "en": ")"},
    "generated_by": {"zh": "由 gep {version} 生成", "en": "Generated by gep {version}"},
    "unverified_legend": {"zh": "标记为“未核实”的系数尚未对照原文核实，结果应谨慎使用。",
                          "en": "Coefficients marked UNVERIFIED have not been checked against their source; "
                                "use the results with care."},
    "mismatch": {"zh": "{year}年价值量表合计（{table}万元）与汇总表GEP（{summary}万元）不一致。",
                 "en": "{year}: value accounts total ({table} 万元) differs from the summary GEP "
                       "({summary} 万元)."},
}

_LEVELS = {"county": {"zh": "县", "en": "County"}, "township": {"zh": "乡镇", "en": "Township"},
           "village": {"zh": "村", "en": "Village"}}

#: display spellings of the canonical units used in the services table
_UNITS = {
    "m3": {"zh": "m³", "en": "m³"}, "m2": {"zh": "m²", "en": "m²"}, "hm2": {"zh": "hm²", "en": "hm²"},
    "km2": {"zh": "km²", "en": "km²"}, "t": {"zh": "t", "en": "t"}, "kWh": {"zh": "kWh", "en": "kWh"},
    "t_CO2": {"zh": "t CO₂", "en": "t CO₂"}, "visit": {"zh": "人次", "en": "visits"},
    "yuan": {"zh": "元", "en": "yuan"},
}


def text(key: str, lang: str = "zh") -> str:
    """Localised heading or phrase of the reports."""
    return _TEXT[key][lang]


_UNIT_TOKENS = (("yuan", "元"), ("hectare", "hm²"), ("t_CO2", "t CO₂"), ("t_C", "t C"), ("gC", "g C"),
                ("visit", "人次"), ("**3", "³"), ("**2", "²"), ("hm2", "hm²"), ("m3", "m³"), ("m2", "m²"),
                ("*", "·"))


def unit_label(unit: Any, lang: str = "zh") -> str:
    """Display spelling of a unit code (``m3`` → m³, ``yuan/m**3`` → 元/m³); others as written."""
    unit = clean_text(unit)
    if unit in ("1", "dimensionless"):
        return ""
    if unit in _UNITS:
        return _UNITS[unit][lang]
    for code, shown in _UNIT_TOKENS:
        if code == "yuan" and lang == "en":
            continue
        if code == "visit" and lang == "en":
            shown = "visit"
        unit = unit.replace(code, shown)
    return unit


def level_label(level: Any, lang: str = "zh") -> str:
    level = clean_text(level)
    return _LEVELS.get(level, {}).get(lang, level)


# --------------------------------------------------------------------------------------------
# small value helpers
# --------------------------------------------------------------------------------------------

def is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def clean_text(value: Any) -> str:
    """A cell of a text column as str: missing → ""."""
    return "" if is_missing(value) else str(value)


def to_float(value: Any) -> float | None:
    """A number as float, or None when missing or not finite."""
    if is_missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def fmt_number(value: Any, decimals: int = 2) -> str:
    """Thousands separators and fixed decimals; missing → "—"."""
    number = to_float(value)
    return "—" if number is None else f"{number:,.{decimals}f}"


def fmt_wan(yuan: Any) -> str:
    """元 → 万元 text, e.g. 12345678 → "1,234.57"."""
    number = to_float(yuan)
    return "—" if number is None else f"{number / WAN:,.2f}"


def fmt_yi(yuan: Any) -> str:
    """元 → 亿元 text, e.g. 12345678900 → "123.46"."""
    number = to_float(yuan)
    return "—" if number is None else f"{number / YI:,.2f}"


def fmt_share(share: Any) -> str:
    """A fraction as a percentage with one decimal: 0.6234 → "62.3%"."""
    number = to_float(share)
    return "—" if number is None else f"{number * 100:.1f}%"


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
            "status": _TEXT.get(f"status_{status}", {}).get(lang, status),
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
                    "reason": clean_text(e.get("reason"))})
    return out


def _methods(services: pd.DataFrame, lang: str) -> list[dict]:
    """Method, formula and reference of each catalogue service present in the account."""
    catalogue = services_spec()["services"]
    present = sorted({s for s in services["service"] if s in catalogue}, key=_service_key)
    return [{"category": label("category", catalogue[s]["category"], lang), "service": label("service", s, lang),
             "method": label("method", catalogue[s]["method"], lang), "formula": catalogue[s]["formula"],
             "reference": catalogue[s]["reference"]} for s in present]


def __getattr__(name: str):  # lazy re-export, so importing gep.render does not import openpyxl/jinja2
    if name == "write_excel":
        from gep.render.excel import write_excel
        return write_excel
    if name == "write_html":
        from gep.render.html import write_html
        return write_html
    raise AttributeError(name)
