"""The asset-liability statement as an HTML page and an Excel workbook (总表, 分类表, 扩展表), in Chinese or
English.

Layouts after asset-liability.md §1.3: a summary sheet (总表: asset value, liabilities, net assets, opening,
closing, change; SEEA degradation beside), classification sheets (分类表: the physical accounts by cause,
the change matrix, the condition account, the monetary asset account) and extension sheets (扩展表:
liabilities with their thresholds and sources, the discount-rate sensitivity). Amounts in 万元 in the
reports (元 in the CSV files), stated on every table.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from ..assets.liabilities import METHODS
from ..assets.physical import CAUSES
from ..assets.statement import Statement
from ..catalogue import label, vocabulary
from .workbook import column_widths, deterministic_bytes, header_row, put

WAN = 1e4

#: fixed texts of the statement: key → (zh, en)
TEXT = {
    "title": ("生态资源资产负债表", "Ecological asset-liability statement"),
    "basis": ("资产价值 = 生态系统服务预期流量的净现值，贴现率 {rate}，资产寿命 {life} 年；金额单位：万元。",
              "Asset value = net present value of the expected ecosystem-service flows at {rate} over {life} "
              "years; amounts in 10⁴ yuan (万元)."),
    "command": ("命令：<code>{command}</code>；输入、系数表与各输出文件的 SHA-256 见 manifest.json，"
                "<code>gep verify</code> 可由 inputs/ 重算核对。",
                "Command: <code>{command}</code>; the SHA-256 of every input, register and output is in "
                "manifest.json, and <code>gep verify</code> recomputes the statement from inputs/."),
    "summary": ("总表", "Summary"), "classification": ("分类表", "Classification tables"),
    "extension": ("扩展表", "Extension tables"), "item": ("项目", "Item"),
    "opening": ("期初（{year}）", "Opening ({year})"), "closing": ("期末（{year}）", "Closing ({year})"),
    "change": ("变化", "Change"), "by_cause": ("增减原因明细（{unit}；正数为增加，负数为减少；调查更正不计入变动）",
                                             "Changes by cause ({unit}; + addition, − reduction; survey corrections "
                                             "are revisions, not changes)"),
    "unit": ("单位：{unit}", "Unit: {unit}"),
    "matrix": ("生态系统类型转换矩阵（公顷；行：期初类型，列：期末类型）",
               "Ecosystem type change matrix (hm²; rows: opening type, columns: closing type)"),
    "from_to": ("期初＼期末", "Opening \\ closing"), "opening_total": ("期初合计", "Opening total"),
    "closing_total": ("期末合计", "Closing total"),
    "condition": ("生态系统状况账户（状况指数以期初为 1）", "Ecosystem condition account (index: opening = 1)"),
    "condition_head": (("生态系统", "指标", "单位", "期初", "期末", "状况指数变化"),
                       ("Ecosystem", "Indicator", "Unit", "Opening", "Closing", "Change of the condition index")),
    "no_condition": ("无状况指标。", "No condition indicator."),
    "monetary": ("生态资产价值账户（SEEA EA 表10.1，万元）", "Monetary ecosystem asset account (SEEA EA Table 10.1, 10⁴ yuan)"),
    "liabilities": ("负债", "Liabilities"),
    "liability_head": (("时点", "类型", "指标", "目标", "实际", "缺口", "单位", "是否达到", "约束性", "价值（万元）", "依据", "说明"),
                       ("Balance", "Type", "Indicator", "Target", "Actual", "Gap", "Unit", "Met", "Binding",
                        "Value (10⁴ yuan)", "Threshold source", "Note")),
    "met": ("达到", "met"), "not_met": ("未达到", "not met"), "yes": ("是", "yes"), "no": ("否", "no"),
    "none": ("无。", "None."),
    "sensitivity": ("贴现率敏感性（万元）", "Sensitivity to the discount rate (10⁴ yuan)"),
    "sensitivity_head": (("贴现率", "期初价值", "期末价值", "变化"), ("Discount rate", "Opening value", "Closing value", "Change")),
    "sensitivity_sheet": (("贴现率", "生态系统", "期初价值(万元)", "期末价值(万元)", "变化(万元)"),
                          ("Discount rate", "Ecosystem", "Opening value (10⁴ yuan)", "Closing value (10⁴ yuan)",
                           "Change (10⁴ yuan)")),
    "notes": ("说明", "Notes"), "total": ("合计", "Total"), "whole_region": ("全域", "Whole region"),
    "value_sheet": ("分类表-价值", "Asset account"), "liability_sheet": ("扩展表-负债", "Liabilities"),
    "sensitivity_sheet_name": ("扩展表-敏感性", "Sensitivity"), "physical_sheet": ("分类表-{name}", "{name}"),
    "workbook_title": ("{region}（{code}）生态资源资产负债表 {start}–{end}（万元）",
                       "{region} ({code}) ecological asset-liability statement {start}–{end} (10⁴ yuan)"),
    "workbook_command": ("命令：{command}（输入与输出的 SHA-256 见 manifest.json）",
                         "Command: {command} (SHA-256 of inputs and outputs in manifest.json)"),
}
ROW_LABELS = {
    "opening_value": ("期初价值", "Opening value"), "additions": ("资产增加(转换)", "Additions (conversions)"),
    "reductions": ("资产减少(转换)", "Reductions (conversions)"), "enhancement": ("生态系统改善", "Enhancement"),
    "degradation": ("生态系统退化", "Degradation"), "catastrophic_losses": ("灾害损失", "Catastrophic losses"),
    "upward_reappraisals": ("向上重估", "Upward reappraisals"), "downward_reappraisals": ("向下重估", "Downward reappraisals"),
    "revaluations": ("价格重估", "Revaluations"), "net_change": ("净变化", "Net change"),
    "closing_value": ("期末价值", "Closing value"), "asset_value": ("生态资产价值", "Ecosystem asset value"),
    "liabilities": ("负债", "Liabilities"), "net_assets": ("净资产", "Net assets"),
    "seea_degradation": ("SEEA生态退化(列示,不抵减)", "SEEA degradation (shown, not netted)"),
}
PHYSICAL_ROWS = {
    "opening": ("期初存量", "Opening stock"), "additions:managed": ("增加:人为", "Managed expansion"),
    "additions:unmanaged": ("增加:自然", "Unmanaged expansion"), "additions:catastrophic": ("增加:灾后恢复", "Recovery"),
    "additions:reclassification": ("增加:重分类", "Reclassification in"), "additions": ("本期增加合计", "Total additions"),
    "reductions:managed": ("减少:人为", "Managed reductions"), "reductions:unmanaged": ("减少:自然", "Unmanaged reductions"),
    "reductions:catastrophic": ("减少:灾害", "Catastrophic losses"),
    "reductions:reclassification": ("减少:重分类", "Reclassification out"), "reductions": ("本期减少合计", "Total reductions"),
    "net_change": ("净变化(实际变动)", "Net change"), "survey_correction": ("调查更正(不计入变动)", "Survey corrections (revisions)"),
    "closing": ("期末存量", "Closing stock"),
}
CAUSE_LABELS = {
    "AFF_PLANT": "Afforestation / replanting", "AFF_CLOSE": "Closure for natural regeneration",
    "NAT_GROWTH": "Natural growth", "HARVEST": "Harvest", "ILLEGAL": "Illegal felling / clearing",
    "LANDUSE_CONV": "Conversion to other use", "DISASTER": "Catastrophic losses", "NAT_LOSS": "Natural losses",
    "RECLASS": "Reclassification", "SURVEY_CORR": "Survey correction", "PRECIPITATION": "Formed from precipitation",
    "INFLOW": "Inflows", "RETURN_FLOW": "Returns", "ABSTRACTION": "Abstraction", "EVAPORATION": "Evaporation",
    "OUTFLOW": "Outflows",
}
ACCOUNT_NAMES = {"extent": ("生态系统面积", "Ecosystem extent"), "forest_area": ("森林面积(按起源)", "Forest area by origin"),
                 "forest_stock": ("森林蓄积(按起源)", "Forest stock by origin"), "wetland": ("湿地(按类型)", "Wetlands by type"),
                 "water": ("水资源", "Water resources")}
CONDITION_LABELS = {"stock_per_hectare": ("单位面积蓄积", "Stock volume per hectare")}
ITEM_LABELS = {"natural": ("天然", "Natural"), "planted": ("人工", "Planted"), "all": ("全域", "Whole region"),
               "reservoir": ("水库", "Reservoirs"), "lake": ("湖泊", "Lakes"), "river": ("河道", "Rivers"),
               "groundwater": ("地下水", "Groundwater"), "soil_water": ("土壤水", "Soil water")}


def _pick(pair, lang: str):
    return pair[0] if lang == "zh" else pair[1]


def _t(key: str, lang: str, **fields) -> str:
    text = _pick(TEXT[key], lang)
    return text.format(**fields) if fields else text


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _cause_label(code: str, lang: str) -> str:
    return f"{CAUSES[code][0]}（{code}）" if lang == "zh" else f"{CAUSE_LABELS.get(code, code)} ({code})"


def _shown_unit(acc) -> tuple[float, str]:
    """Volumes are shown in 万m³, as in the 林木/水资源存量及变动表 (asset-liability.md §1.3 T2, T3); the CSV
    files keep m³."""
    return (1e4, "万m³") if acc.unit == "m³" else (1.0, acc.unit)


def _col_label(key: str, lang: str) -> str:
    if key == "TOTAL":
        return _t("total", lang)
    if key in ITEM_LABELS:
        return _pick(ITEM_LABELS[key], lang)
    shown = label("ecosystem", key, lang)
    return shown if shown != key else label("group", key, lang)


def _indicator_label(indicator: str, lang: str) -> str:
    for name in ("target_indicator", "obligation_kind"):
        entry = vocabulary(name).get(indicator)
        if entry:
            return entry["zh"] if lang == "zh" else indicator.replace("_", " ")
    return indicator


def _liability_label(kind: str, lang: str) -> str:
    entry = METHODS.get(kind) or METHODS.get(kind + "s")  # rows say contracted_obligation, the method is plural
    return entry[lang] if entry else kind


def _fmt(v, scale=1.0, digits=2) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    return f"{float(v) / scale + 0.0:,.{digits}f}"  # + 0.0: no "-0.00"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _frame_rows(frame: pd.DataFrame, row_labels: dict, scale: float, lang: str) -> tuple[list, list]:
    """Headers and rows of an account table; ``row_labels``: row key → label, in the order shown."""
    headers = [_t("item", lang)] + [_col_label(c, lang) for c in frame.columns]
    rows = [[escape(row_labels[i])] + [_fmt(v, scale) for v in frame.loc[i]] for i in frame.index if i in row_labels]
    return headers, rows


def _labels(table: dict, lang: str) -> dict:
    return {k: _pick(v, lang) for k, v in table.items()}


def statement_html(st: Statement, command: str = "", lang: str = "zh") -> str:
    physical_rows, value_rows = _labels(PHYSICAL_ROWS, lang), _labels(ROW_LABELS, lang)
    causes = {c: _cause_label(c, lang) for c in CAUSES}
    parts = [f"<!DOCTYPE html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">"
             f"<title>{escape(st.region_name)} {_t('title', lang)} {st.start}–{st.end}</title><style>"
             "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;font-size:14px}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px}"
             "th{background:#2d6a4f;color:#fff}td{text-align:right}td:first-child{text-align:left}"
             "@media print{@page{size:A4}}</style></head><body>",
             f"<h1>{escape(st.region_name)}{_paren(escape(st.region), lang)}{' ' if lang != 'zh' else ''}"
             f"{_t('title', lang)} {st.start}–{st.end}</h1>",
             f"<p>{_t('basis', lang, rate=f'{st.rate:.2%}', life=f'{st.asset_life:g}')}</p>",
             f"<p>{_t('command', lang, command=escape(command))}</p>" if command else "",
             f"<h2>{_t('summary', lang)}</h2>"]
    s = st.summary.set_index("item")
    opening, closing = _t("opening", lang, year=st.start), _t("closing", lang, year=st.end)
    parts.append(_table([_t("item", lang), opening, closing, _t("change", lang)],
                        [[escape(value_rows[i]), _fmt(r.opening_yuan, WAN), _fmt(r.closing_yuan, WAN),
                          _fmt(r.change_yuan, WAN)] for i, r in s.iterrows()]))
    parts.append(f"<h2>{_t('classification', lang)}</h2>")
    for name, acc in st.physical.items():
        scale, unit = _shown_unit(acc)
        parts.append(f"<h3>{_pick(ACCOUNT_NAMES.get(name, (name, name)), lang)}{_paren(escape(unit), lang)}</h3>")
        parts.append(_table(*_frame_rows(acc.table, physical_rows, scale, lang)))
        if len(acc.by_cause):
            parts.append(f"<p>{escape(_t('by_cause', lang, unit=unit))}</p>")
            parts.append(_table(*_frame_rows(acc.by_cause, causes, scale, lang)))
    m = st.change_matrix
    parts.append(f"<h3>{_t('matrix', lang)}</h3>")
    parts.append(_table([_t("from_to", lang)] + [_col_label(c, lang) if c != "opening" else _t("opening_total", lang)
                                                 for c in m.columns],
                        [[escape(_col_label(i, lang) if i != "closing" else _t("closing_total", lang))]
                         + [_fmt(v) for v in m.loc[i]] for i in m.index]))
    parts.append(f"<h3>{_t('condition', lang)}</h3>")
    head = list(_pick(TEXT["condition_head"], lang))
    head[3:5] = [opening, closing]
    parts.append(_table(head, [[escape(_col_label(r.ecosystem_type, lang)),
                                escape(_pick(CONDITION_LABELS.get(r.indicator, (r.indicator,) * 2), lang)),
                                escape(r.unit), _fmt(r.opening), _fmt(r.closing), f"{r.index_change:+.2%}"]
                               for r in st.condition.itertuples()])
                 if len(st.condition) else f"<p>{_t('no_condition', lang)}</p>")
    parts.append(f"<h3>{_t('monetary', lang)}</h3>")
    parts.append(_table(*_frame_rows(st.monetary.account, value_rows, WAN, lang)))
    parts.append(f"<h2>{_t('extension', lang)}</h2><h3>{_t('liabilities', lang)}</h3>")
    lia = pd.concat([st.liabilities_start.assign(when=opening), st.liabilities_end.assign(when=closing)],
                    ignore_index=True)
    parts.append(_table(list(_pick(TEXT["liability_head"], lang)),
                        [[escape(r.when), escape(_liability_label(r.liability, lang)),
                          escape(_indicator_label(str(r.indicator), lang)), _fmt(r.target), _fmt(r.actual),
                          _fmt(r.quantity), escape(r.unit),
                          _t("not_met" if r.quantity else "met", lang) if r.liability == "target_shortfall" else "—",
                          _t("yes" if r.binding else "no", lang), _fmt(r.value_yuan, WAN),
                          escape(str(r.threshold_source)), escape(str(r.note))]
                         for r in lia.itertuples()]) if len(lia) else f"<p>{_t('none', lang)}</p>")
    parts.append(f"<h3>{_t('sensitivity', lang)}</h3>")
    sens = st.sensitivity[st.sensitivity["ecosystem_type"] == "TOTAL"]
    parts.append(_table(list(_pick(TEXT["sensitivity_head"], lang)),
                        [[f"{r.discount_rate:.2%}", _fmt(r.npv_0, WAN), _fmt(r.npv_1, WAN), _fmt(r.change, WAN)]
                         for r in sens.itertuples()]))
    parts.append(f"<h3>{_t('notes', lang)}</h3><ul>" + "".join(f"<li>{escape(_pick(n, lang))}</li>" for n in st.notes)
                 + "</ul></body></html>\n")
    return "\n".join(parts)


def write_statement_excel(path: str | Path, st: Statement, command: str = "", lang: str = "zh") -> Path:
    physical_rows, value_rows = _labels(PHYSICAL_ROWS, lang), _labels(ROW_LABELS, lang)
    causes = {c: _cause_label(c, lang) for c in CAUSES}
    wb = Workbook()
    ws = wb.active
    ws.title = _t("summary", lang)
    put(ws, 1, 1, _t("workbook_title", lang, region=st.region_name, code=st.region, start=st.start, end=st.end))
    header_row(ws, 3, [_t("item", lang), _t("opening", lang, year=st.start), _t("closing", lang, year=st.end),
                    _t("change", lang)])
    for i, r in enumerate(st.summary.itertuples(), start=4):
        put(ws, i, 1, value_rows[r.item])
        for j, v in enumerate((r.opening_yuan, r.closing_yuan, r.change_yuan), start=2):
            put(ws, i, j, None if v != v else v / WAN, "#,##0.00")
    if command:
        put(ws, 9, 1, _t("workbook_command", lang, command=command))
    column_widths(ws, [28, 18, 18, 18])

    def frame_sheet(title: str, frame: pd.DataFrame, labels: dict, scale: float, sh=None, row: int = 1):
        sh = sh or wb.create_sheet(title[:31])
        headers, _ = _frame_rows(frame, labels, scale, lang)
        header_row(sh, row, headers)
        row += 1
        for idx in frame.index:
            if idx not in labels:
                continue
            put(sh, row, 1, labels[idx])
            for j, v in enumerate(frame.loc[idx], start=2):
                put(sh, row, j, None if v != v else float(v) / scale, "#,##0.00")
            row += 1
        column_widths(sh, [24] + [14] * len(frame.columns))
        return sh, row

    for name, acc in st.physical.items():
        scale, unit = _shown_unit(acc)
        title = _t("physical_sheet", lang, name=_pick(ACCOUNT_NAMES.get(name, (name, name)), lang))
        sh, row = frame_sheet(title, acc.table, physical_rows, scale)
        put(sh, row + 1, 1, _t("unit", lang, unit=unit))
        if len(acc.by_cause):
            put(sh, row + 2, 1, _t("by_cause", lang, unit=unit))
            frame_sheet("", acc.by_cause, causes, scale, sh=sh, row=row + 3)
    frame_sheet(_t("value_sheet", lang), st.monetary.account, value_rows, WAN)
    sh = wb.create_sheet(_t("liability_sheet", lang))
    cols = ["liability", "region_code", "year", "indicator", "target", "actual", "quantity", "unit", "unit_value",
            "value_yuan", "binding", "threshold_source", "method_source", "note"]
    header_row(sh, 1, cols)
    lia = pd.concat([st.liabilities_start, st.liabilities_end], ignore_index=True)
    for i, r in enumerate(lia[cols].itertuples(index=False), start=2):
        for j, v in enumerate(r, start=1):
            put(sh, i, j, None if isinstance(v, float) and v != v else (bool(v) if cols[j - 1] == "binding" else v))
    sh = wb.create_sheet(_t("sensitivity_sheet_name", lang))
    header_row(sh, 1, list(_pick(TEXT["sensitivity_sheet"], lang)))
    for i, r in enumerate(st.sensitivity.itertuples(), start=2):
        for j, v in enumerate((r.discount_rate, _col_label(r.ecosystem_type, lang), r.npv_0 / WAN, r.npv_1 / WAN,
                               r.change / WAN), start=1):
            put(sh, i, j, v, "#,##0.00" if j > 2 else None)
    path = Path(path)
    path.write_bytes(deterministic_bytes(wb))
    return path
