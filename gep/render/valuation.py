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

_CASES = {"improved": ("达标且改善", "meets class, improved"), "worse": ("达标但变差", "meets class, worse"),
          "unchanged": ("达标且持平", "meets class, unchanged"), "fails_class": ("未达标", "fails its class")}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}
_RULES = {"downstream_pays": ("下游补偿上游", "downstream pays upstream"),
          "upstream_pays": ("上游补偿下游", "upstream pays downstream"), "none": ("不补偿", "no payment")}


#: Column headings of the report's tables (zh, en); amounts in 万元.
_HEADERS = {
    "sensitivity": (["自身目标（%）", "最大可出售（亩）", "最大可出售（hm²）"],
                    ["Own target (%)", "Largest sale (亩)", "Largest sale (hm²)"]),
    "schedule": (["期次", "年份", "t (a)", "比例", "金额（万元）"], ["Instalment", "Year", "t (a)", "Share", "Amount (万元)"]),
    "maintenance": (["合同年", "年份", "面积（亩）", "当年管护（万元）", "其后尚欠（万元）"],
                    ["Contract year", "Year", "Area (亩)", "Maintenance (万元)", "Still owed after (万元)"]),
    "forest_services": (["服务", "指标", "实物量", "单位", "价值（万元）", "计入GEP"],
                        ["Service", "Indicator", "Quantity", "Unit", "Value (万元)", "In GEP"]),
    "monthly": (["断面", "上游", "下游", "年", "月", "目标类别", "水质类别", "上年同期", "情形", "付款方", "收款方", "金额（万元）"],
                ["Section", "Upstream", "Downstream", "Year", "Month", "Target class", "Class", "Last year", "Case",
                 "Payer", "Payee", "Amount (万元)"]),
    "yearly": (["年", "上游", "下游", "月数", "下游付上游（万元）", "上游付下游（万元）", "上游净收入（万元）"],
               ["Year", "Upstream", "Downstream", "Months", "Downstream → upstream (万元)", "Upstream → downstream (万元)",
                "Net to upstream (万元)"]),
}


#: How each figure is obtained (zh, en), printed at the end of the report.
_METHODS = [
    ("森林覆盖率 c = 计入考核的森林面积 ÷ 土地面积；出让方计入考核的森林面积 = 森林面积 − 此前已出售指标面积，受让方 = 森林面积 + 已购买指标面积"
     "（《重庆市实施横向生态补偿提高森林覆盖率工作方案(试行)》：购入面积计入购买方覆盖率）。",
     "Coverage c = forest counted ÷ land area; the seller counts its forest less the indicators sold before, the buyer "
     "its forest plus those bought (Chongqing 2018 scheme: bought area counts for the buyer)."),
    ("保持自身目标可出售的最大面积 A* = 森林面积 − 已出售面积 − 自身目标 × 土地面积（负值为缺口）。",
     "Largest sale keeping the own target A* = forest − sold before − target × land (negative: a shortfall)."),
    ("付款：第 i 期在签约后 t = i − 1 年支付；管护：第 k 个合同年的管护费在该年末 t = k 支出；现值 PV = Σ A_t ÷ (1 + r)^t。",
     "Payments: instalment i at t = i − 1 years after signing; maintenance of contract year k at its end, t = k; "
     "PV = Σ A_t / (1 + r)^t."),
    ("每亩森林GEP = 出让方当年核算中森林生态系统各项计入GEP的服务价值之和 ÷ 森林面积；按全域核算、未分生态系统的服务（空气净化、水质净化、"
     "休闲旅游、水资源供给、水电）不计入，故为下限。指标交易转移的是考核计数权，森林仍留在出让方，该价值用于比较，不随交易转移。",
     "GEP per 亩 = the value of every in-GEP service of the forest ecosystem in the seller's accounts for the year ÷ its "
     "forest area; services accounted for the whole region only (air and water purification, recreation, water supply, "
     "hydropower) are left out, so it is a lower bound. The trade moves the right to count the forest, not the forest: "
     "the value is for comparison."),
    ("碳汇：固定二氧化碳以 t CO₂ 计（由 NEP 的 t C 乘 44/12 得到）；按 元/t C 计价时先乘 12/44 折算为碳含量。",
     "Carbon: CO₂ fixed in t CO₂ (from NEP in t C × 44/12); a price per t C is applied to the carbon content (× 12/44)."),
]


def _headers(table: str, lang: str) -> list[str]:
    return _HEADERS[table][0 if lang == "zh" else 1]


def _t(key: str, lang: str) -> str:
    """A phrase of the valuation report: the valuation.* keys of gep/data/phrases.yaml."""
    return text(f"valuation.{key}", lang)


def _area(ha) -> str:
    return "—" if ha is None else f"{ha * 15:,.0f} 亩（{ha:,.2f} hm²）"


def _wan(yuan, per: str = "") -> str:
    return "—" if yuan is None else f"{fmt_number(yuan / WAN)} 万元{per}"


def _pct(p) -> str:
    return "—" if p is None else f"{p:.2f} %"


#: Statuses of registers, inventories and requests, in the report's language.
_STATUS = {"verified": ("已核实", "verified"), "case-study": ("案例值", "case study"), "unverified": ("未核实", "unverified"),
           "observed": ("观测", "observed"), "estimated": ("估算", "estimated"), "derived": ("推算", "derived"),
           "given": ("请求给定", "given in the request")}


def _row(key, value, lang, term: dict | None = None) -> dict:
    status = (term or {}).get("status", "")
    return {"figure": _t(key, lang), "value": value, "status": _STATUS.get(status, (status, status))[lang != "zh"],
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
        i = 0 if lang == "zh" else 1
        rows = [_row("amount_per_month", _wan(w["amount_per_month"]["value"], "/月"), lang, w["amount_per_month"]),
                _row("rules", "；".join(f"{_CASES[k][i]}: {_RULES[v][i]}" for k, v in w["rules"].items()), lang)]
        m, y = tables["water_monthly"], tables["water_yearly"]
        out.append({"title": _t("water", lang), "rows": rows, "tables": [
            {"title": _t("monthly", lang), "headers": _headers("monthly", lang),
             "rows": [[r.section, r.upstream, r.downstream, r.year, r.month, _ROMAN[r.target_class],
                       _ROMAN[r.measured_class], _ROMAN[r.last_year_class], _CASES[r.case][i], r.payer or "—", r.payee or "—",
                       r.amount_yuan / WAN] for r in m.itertuples()]},
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
        methods_title=_t("methods", lang), methods=[m[0 if lang == "zh" else 1] for m in _METHODS])


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
