"""The valuation report of a trading request: one HTML page (Chinese, or English) and an Excel workbook.

Both are built from one list of sections (:func:`sections`): each section has rows (figure, value, status,
source) and tables. Amounts are in 万元 unless a row says otherwise; areas in 亩 with hm² beside.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from gep.catalogue import label
from gep.render import WAN, fmt_number, text
from gep.render.workbook import column_widths, deterministic_bytes, header_row, put
from gep.render.html import environment

TEMPLATE = "valuation.html.j2"

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}

# The words are phrases of gep/data/phrases.yaml (valuation.* keys); what stays here is which columns each table
# has, in order, and which paragraphs end the report.

#: column heads of the report's tables (valuation.col.<key>); amounts in 万元
TABLE_COLUMNS = {
    "sensitivity": ("own_target_pct", "largest_sale_mu", "largest_sale_ha"),
    "schedule": ("instalment", "year", "t", "share", "amount_wan"),
    "maintenance": ("contract_year", "year", "area_mu", "maintenance_wan", "owed_after_wan"),
    "forest_services": ("service", "indicator", "quantity", "unit", "value_wan", "in_gep"),
    "monthly": ("section", "upstream", "downstream", "settlement_year", "month", "target_class", "class", "last_year",
                "case", "payer", "payee", "amount_wan"),
    "yearly": ("settlement_year", "upstream", "downstream", "months", "downstream_to_upstream_wan",
               "upstream_to_downstream_wan", "net_to_upstream_wan"),
}
#: how each figure is obtained (valuation.method.<key>), printed at the end of the report in this order
METHOD_NOTES = ("coverage", "largest_sale", "present_value", "gep_per_mu", "carbon")
#: statuses of registers, inventories and requests shown in the report's language (valuation.status_<key>);
#: any other status (e.g. several joined by "/") as written
TERM_STATUSES = ("verified", "case-study", "unverified", "observed", "estimated", "derived", "given")


def _headers(table: str, lang: str) -> list[str]:
    return [_t(f"col.{c}", lang) for c in TABLE_COLUMNS[table]]


def _t(key: str, lang: str) -> str:
    """A phrase of the valuation report: the valuation.* keys of gep/data/phrases.yaml."""
    return text(f"valuation.{key}", lang)


def _area(ha) -> str:
    return "—" if ha is None else f"{ha * 15:,.0f} 亩（{ha:,.2f} hm²）"


def _wan(yuan, per: str = "") -> str:
    return "—" if yuan is None else f"{fmt_number(yuan / WAN)} 万元{per}"


def _pct(p) -> str:
    return "—" if p is None else f"{p:.2f} %"


def _row(key, value, lang, term: dict | None = None) -> dict:
    status = (term or {}).get("status", "")
    shown = _t(f"status_{status}", lang) if status in TERM_STATUSES else status
    return {"figure": _t(key, lang), "value": value, "status": shown,
            "source": (term or {}).get("source", ""), "unverified": "unverified" in status}


def _trade_section(tr: dict, tables: dict, lang: str) -> list[dict]:
    st, bu, terms = tr["seller"], tr.get("buyer"), tr["terms"]
    rows = [_row("feasible", _t("yes" if tr["feasible"] else "no", lang), lang),
            _row("reason", tr["reason_zh"] if lang == "zh" else tr["reason"], lang),
            _row("area_requested", _area(tr["area_requested_ha"]), lang, terms["area"]),
            _row("max_area", _area(tr["max_area_ha"]), lang),
            _row("valued_area", _area(tr["valued_area_ha"]), lang)]
    for key in ("land_area", "forest_area", "already_sold"):
        rows.append(_row(key, _area((st["terms"][key] or {}).get("value")), lang, st["terms"][key]))
    rows[-3]["figure"] = f"{_t('seller', lang)}（{st['name']}）{rows[-3]['figure']}"
    rows += [_row("target_coverage", _pct(st["terms"]["target_coverage"]["value"]), lang,
                  st["terms"]["target_coverage"]),
             _row("coverage_before", _pct(st["coverage_before_pct"]), lang),
             _row("coverage_after", _pct(st["coverage_after_pct"]), lang),
             _row("highest_target", _pct(st["highest_target_kept_pct"]), lang)]
    if not tr["feasible"]:
        rows.append(_row("coverage_after_valued", _pct(st["coverage_after_valued_pct"]), lang))
    if bu:
        before = _pct(bu["coverage_before_pct"]) if bu["coverage_before_pct"] is not None else _t("not_known", lang)
        after = _pct(bu["coverage_after_pct"]) if bu["coverage_after_pct"] is not None else _t("not_known", lang)
        rows += [{**_row("coverage_before", before, lang), "figure": f"{_t('buyer', lang)}（{bu['name']}）"
                  f"{_t('coverage_before', lang)}"},
                 {**_row("coverage_after", after, lang), "figure": f"{_t('buyer', lang)}（{bu['name']}）"
                  f"{_t('buyer_coverage_after', lang)}"}]
    rows += [_row("price", f"{fmt_number(tr['price_yuan_per_mu'])} 元/亩", lang, terms["price"]),
             _row("total_price", _wan(tr["total_price_yuan"]), lang),
             _row("instalments", str(tr["instalments"]), lang, terms["instalments"]),
             _row("discount_rate", _pct(100 * tr["discount_rate"]), lang, terms["discount_rate"]),
             _row("pv_payments", _wan(tr["pv_payments_yuan"]), lang),
             _row("maintenance_years", f"{tr['maintenance_years']} a", lang, terms["maintenance_years"]),
             _row("maintenance_fee", f"{fmt_number(tr['maintenance_fee_yuan_per_mu_a'])} 元/(亩·a)", lang,
                  terms["maintenance_fee"]),
             _row("maintenance_per_year", _wan(tr["maintenance_per_year_yuan"], "/a"), lang),
             _row("maintenance_total", _wan(tr["maintenance_total_yuan"]), lang),
             _row("pv_maintenance", _wan(tr["pv_maintenance_yuan"]), lang),
             _row("pv_net", _wan(tr["pv_net_yuan"]), lang)]
    out = [{"title": _t("trade", lang), "rows": rows, "tables": []}]
    if "target_sensitivity" in tables:
        out[0]["tables"].append({"title": _t("sensitivity", lang), "headers": _headers("sensitivity", lang),
                                 "rows": [[r.target_pct, r.max_area_mu, r.max_area_ha]
                                          for r in tables["target_sensitivity"].itertuples()]})
    if "payment_schedule" in tables:
        s = tables["payment_schedule"]
        out[0]["tables"].append({"title": _t("schedule", lang), "headers": _headers("schedule", lang),
                                 "rows": [[r.instalment, r.year, r.t, r.share, r.amount_yuan / WAN]
                                          for r in s.itertuples()]})
        m = tables["maintenance"]
        out[0]["tables"].append({"title": _t("maintenance", lang),
                                 "headers": _headers("maintenance", lang),
                                 "rows": [[r.contract_year, r.year, r.area_ha * 15,
                                           r.amount_yuan / WAN, r.remaining_yuan / WAN]
                                          for r in m.itertuples()]})
    eco = tr.get("ecological_value")
    if eco:
        out.append({"title": _t("eco", lang), "tables": [], "rows": [
            _row("forest_area", _area(eco["forest_area_ha"]), lang),
            _row("forest_gep", f"{fmt_number(eco['forest_gep_yuan'] / 1e8)} 亿元/a", lang),
            _row("forest_regulating", f"{fmt_number(eco['forest_regulating_yuan'] / 1e8)} 亿元/a", lang),
            _row("gep_per_mu", f"{fmt_number(eco['gep_per_mu_yuan'])} 元/(亩·a)", lang),
            _row("regulating_per_mu", f"{fmt_number(eco['regulating_per_mu_yuan'])} 元/(亩·a)", lang),
            _row("price", f"{fmt_number(tr['price_yuan_per_mu'])} 元/亩", lang, terms["price"]),
            _row("price_per_gep", fmt_number(eco["price_per_gep_per_mu"], 3), lang),
            _row("price_annualised", "—" if eco["price_annualised_yuan_per_mu_a"] is None else
                 f"{fmt_number(eco['price_annualised_yuan_per_mu_a'])} 元/(亩·a)", lang),
            _row("traded_gep", _wan(eco["traded_area_gep_yuan_per_a"], "/a"), lang),
            _row("pv_traded_gep", _wan(eco["pv_traded_area_gep_over_term_yuan"]), lang),
            _row("services_included", "、".join(label("service", s, lang) for s in eco["services"]), lang)]})
        f = tables.get("forest_services")
        if f is not None and len(f):
            out[-1]["tables"].append({"title": _t("forest_gep", lang),
                                      "headers": _headers("forest_services", lang),
                                      "rows": [[label("service", r.service, lang),
                                                label("indicator", f"{r.service}/{r.indicator}", lang),
                                                r.quantity, r.quantity_unit, r.value_yuan / WAN,
                                                _t("true" if r.in_gep else "false", lang)] for r in f.itertuples()]})
    return out


def sections(result: dict, tables: dict, lang: str = "zh") -> list[dict]:
    """The report's sections from a valuation's result and tables."""
    out = []
    if "trade" in result:
        out += _trade_section(result["trade"], tables, lang)
    c = result.get("carbon")
    if c:
        rows = [_row("co2", f"{fmt_number(c['co2_t_per_a'])} t CO₂/a", lang), _row("basis", c["basis"], lang),
                _row("carbon_price", c["price"]["as_written"], lang, c["price"]),
                _row("price_kind", c["price_kind"], lang),
                _row("carbon_value", _wan(c["value_yuan_per_a"], "/a"), lang)]
        if "traded_area_co2_t_per_a" in c:
            rows += [_row("traded_co2", f"{fmt_number(c['traded_area_co2_t_per_a'])} t CO₂/a", lang),
                     _row("traded_carbon_value", _wan(c["traded_area_value_yuan_per_a"], "/a"), lang)]
        out.append({"title": _t("carbon", lang), "rows": rows, "tables": []})
    w = result.get("water_compensation")
    if w:
        rows = [_row("amount_per_month", _wan(w["amount_per_month"]["value"], "/月"), lang, w["amount_per_month"]),
                _row("rules", "；".join(f"{_t(f'case.{k}', lang)}: {_t(f'rule.{v}', lang)}"
                                        for k, v in w["rules"].items()), lang)]
        m, y = tables["water_monthly"], tables["water_yearly"]
        out.append({"title": _t("water", lang), "rows": rows, "tables": [
            {"title": _t("monthly", lang), "headers": _headers("monthly", lang),
             "rows": [[r.section, r.upstream, r.downstream, r.year, r.month, _ROMAN[r.target_class],
                       _ROMAN[r.measured_class], _ROMAN[r.last_year_class], _t(f"case.{r.case}", lang),
                       r.payer or "—", r.payee or "—", r.amount_yuan / WAN] for r in m.itertuples()]},
            {"title": _t("yearly", lang), "headers": _headers("yearly", lang),
             "rows": [[r.year, r.upstream, r.downstream, r.months, r.downstream_to_upstream_yuan / WAN,
                       r.upstream_to_downstream_yuan / WAN, r.net_to_upstream_yuan / WAN]
                      for r in y.itertuples()]}]})
    return out


def _cell(value) -> str:
    """A table cell: a float with thousands separators and two decimals, anything else as written."""
    return fmt_number(value) if isinstance(value, float) else str(value)


def valuation_html(result: dict, tables: dict, command: str, lang: str = "zh") -> str:
    env = environment()
    env.filters["cell"] = _cell
    return env.get_template(TEMPLATE).render(
        title=result["title"], year=result["year"], command=command, lang=lang, html_lang="zh-CN" if lang == "zh" else "en",
        sections=sections(result, tables, lang), notes=[n[lang] for n in result["notes"]],
        headers=[_t(k, lang) for k in ("figure", "value", "status", "source")], notes_title=_t("notes", lang),
        methods_title=_t("methods", lang), methods=[_t(f"method.{m}", lang) for m in METHOD_NOTES])


def write_valuation_excel(path: str | Path, result: dict, tables: dict, lang: str = "zh") -> Path:
    """One sheet per section: the figures with status and source, then the section's tables."""
    wb = Workbook()
    wb.remove(wb.active)
    for n, sec in enumerate(sections(result, tables, lang), start=1):
        ws = wb.create_sheet(f"{n}-{sec['title']}"[:31])
        put(ws, 1, 1, sec["title"])
        header_row(ws, 3, [_t(k, lang) for k in ("figure", "value", "status", "source")])
        row = 4
        for r in sec["rows"]:
            for j, key in enumerate(("figure", "value", "status", "source"), start=1):
                put(ws, row, j, r[key])
            row += 1
        for table in sec["tables"]:
            row += 1
            put(ws, row, 1, table["title"])
            header_row(ws, row + 1, table["headers"])
            row += 2
            for values in table["rows"]:
                for j, value in enumerate(values, start=1):
                    put(ws, row, j, value, "#,##0.00" if isinstance(value, float) else None)
                row += 1
        column_widths(ws, [34, 30, 22, 60])
    ws = wb.create_sheet(_t("notes", lang))
    for i, note in enumerate(result["notes"], start=1):
        put(ws, i, 1, note[lang])
    path = Path(path)
    path.write_bytes(deterministic_bytes(wb))
    return path
