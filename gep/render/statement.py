"""The asset-liability statement as a Chinese HTML page and an Excel workbook (总表, 分类表, 扩展表).

Layouts after asset-liability.md §1.3: a summary sheet (总表: asset value, liabilities, net assets, opening,
closing, change; SEEA degradation beside), classification sheets (分类表: the physical accounts by cause,
the change matrix, the monetary asset account) and extension sheets (扩展表: liabilities with their
thresholds and sources, the discount-rate sensitivity, the expected flows valued). Amounts in 万元 in
the reports (元 in the CSV files), stated on every table.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from ..assets.physical import CAUSES
from ..assets.statement import ROW_LABELS, Statement, group_label
from ..catalogue import label, vocabulary
from .excel import _deterministic_bytes, _header, _widths, put

WAN = 1e4
_PHYSICAL_ROWS = {"opening": "期初存量", "additions:managed": "增加:人为", "additions:unmanaged": "增加:自然",
                  "additions:catastrophic": "增加:灾后恢复", "additions:reclassification": "增加:重分类",
                  "additions": "本期增加合计", "reductions:managed": "减少:人为", "reductions:unmanaged": "减少:自然",
                  "reductions:catastrophic": "减少:灾害", "reductions:reclassification": "减少:重分类",
                  "reductions": "本期减少合计", "net_change": "净变化(实际变动)", "survey_correction": "调查更正(不计入变动)",
                  "closing": "期末存量"}
_CAUSE_LABELS = {code: f"{zh}（{code}）" for code, (zh, _, _) in CAUSES.items()}
_CONDITION_LABELS = {"stock_per_hectare": "单位面积蓄积"}
_ACCOUNT_NAMES = {"extent": "生态系统面积", "forest_area": "森林面积(按起源)", "forest_stock": "森林蓄积(按起源)",
                  "wetland": "湿地(按类型)", "water": "水资源"}


def _shown_unit(acc) -> tuple[float, str]:
    """Volumes are shown in 万m³, as in the 林木/水资源存量及变动表 (asset-liability.md §1.3 T2, T3); the CSV
    files keep m³."""
    return (1e4, "万m³") if acc.unit == "m³" else (1.0, acc.unit)


def _col_label(key: str) -> str:
    if key == "TOTAL":
        return "合计"
    shown = label("ecosystem", key, "zh")
    if shown != key:
        return shown
    water = vocabulary("water_resource").get(key)
    if water:
        return water["zh"]
    return {"natural": "天然", "planted": "人工", "all": "全域"}.get(key, group_label(key))


def _fmt(v, scale=1.0, digits=2) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    return f"{float(v) / scale + 0.0:,.{digits}f}"  # + 0.0: no "-0.00"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _frame_rows(frame: pd.DataFrame, row_labels: dict, scale: float, digits: int = 2) -> tuple[list, list]:
    headers = ["项目"] + [_col_label(c) for c in frame.columns]
    rows = [[escape(row_labels.get(i, i))] + [_fmt(v, scale, digits) for v in frame.loc[i]]
            for i in frame.index if i in row_labels]
    return headers, rows


def statement_html(st: Statement, command: str = "") -> str:
    parts = [f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{escape(st.region_name)} "
             f"生态资源资产负债表 {st.start}–{st.end}</title><style>"
             "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;font-size:14px}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px}"
             "th{background:#2d6a4f;color:#fff}td{text-align:right}td:first-child{text-align:left}"
             "@media print{@page{size:A4}}</style></head><body>",
             f"<h1>{escape(st.region_name)}（{escape(st.region)}）生态资源资产负债表 {st.start}–{st.end}</h1>",
             f"<p>资产价值 = 生态系统服务预期流量的净现值，贴现率 {st.rate:.2%}，资产寿命 {st.asset_life:g} 年；金额单位：万元。</p>",
             f"<p>命令：<code>{escape(command)}</code>；输入、系数表与各输出文件的 SHA-256 见 manifest.json，"
             f"<code>gep verify</code> 可由 inputs/ 重算核对。</p>" if command else "",
             "<h2>总表</h2>"]
    s = st.summary.set_index("item")
    parts.append(_table(["项目", f"期初（{st.start}）", f"期末（{st.end}）", "变化"],
                        [[escape(ROW_LABELS[i]), _fmt(r.opening_yuan, WAN), _fmt(r.closing_yuan, WAN),
                          _fmt(r.change_yuan, WAN)] for i, r in s.iterrows()]))
    parts.append("<h2>分类表</h2>")
    for name, acc in st.physical.items():
        scale, unit = _shown_unit(acc)
        parts.append(f"<h3>{_ACCOUNT_NAMES.get(name, name)}（{escape(unit)}）</h3>")
        parts.append(_table(*_frame_rows(acc.table, _PHYSICAL_ROWS, scale)))
        if len(acc.by_cause):
            parts.append(f"<p>增减原因明细（{escape(unit)}；正数为增加，负数为减少；调查更正不计入变动）</p>")
            parts.append(_table(*_frame_rows(acc.by_cause, _CAUSE_LABELS, scale)))
    m = st.change_matrix
    parts.append("<h3>生态系统类型转换矩阵（公顷；行：期初类型，列：期末类型）</h3>")
    parts.append(_table(["期初＼期末"] + [_col_label(c) if c != "opening" else "期初合计" for c in m.columns],
                        [[escape(_col_label(i) if i != "closing" else "期末合计")] + [_fmt(v) for v in m.loc[i]]
                         for i in m.index]))
    parts.append("<h3>生态系统状况账户（状况指数以期初为 1）</h3>")
    parts.append(_table(["生态系统", "指标", "单位", f"期初（{st.start}）", f"期末（{st.end}）", "状况指数变化"],
                        [[escape(_col_label(r.ecosystem_type)), escape(_CONDITION_LABELS.get(r.indicator, r.indicator)),
                          escape(r.unit), _fmt(r.opening), _fmt(r.closing), f"{r.index_change:+.2%}"]
                         for r in st.condition.itertuples()]) if len(st.condition) else "<p>无状况指标。</p>")
    parts.append("<h3>生态资产价值账户（SEEA EA 表10.1，万元）</h3>")
    parts.append(_table(*_frame_rows(st.monetary.account, ROW_LABELS, WAN)))
    parts.append("<h2>扩展表</h2><h3>负债</h3>")
    lia = pd.concat([st.liabilities_start.assign(when=f"期初（{st.start}）"),
                     st.liabilities_end.assign(when=f"期末（{st.end}）")], ignore_index=True)
    parts.append(_table(["时点", "类型", "指标", "目标", "实际", "缺口", "单位", "是否达到", "约束性", "价值（万元）", "依据",
                         "说明"],
                        [[escape(r.when), escape(r.liability), escape(str(r.indicator)), _fmt(r.target),
                          _fmt(r.actual), _fmt(r.quantity), escape(r.unit),
                          ("达到" if not r.quantity else "未达到") if r.liability == "target_shortfall" else "—",
                          "是" if r.binding else "否",
                          _fmt(r.value_yuan, WAN), escape(str(r.threshold_source)), escape(str(r.note))]
                         for r in lia.itertuples()]) if len(lia) else "<p>无。</p>")
    parts.append("<h3>贴现率敏感性（万元）</h3>")
    sens = st.sensitivity[st.sensitivity["ecosystem_type"] == "TOTAL"]
    parts.append(_table(["贴现率", "期初价值", "期末价值", "变化"],
                        [[f"{r.discount_rate:.2%}", _fmt(r.npv_0, WAN), _fmt(r.npv_1, WAN), _fmt(r.change, WAN)]
                         for r in sens.itertuples()]))
    parts.append("<h3>说明</h3><ul>" + "".join(f"<li>{escape(n)}</li>" for n in st.notes) + "</ul></body></html>\n")
    return "\n".join(parts)


def write_statement_excel(path: str | Path, st: Statement, command: str = "") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "总表"
    put(ws, 1, 1, f"{st.region_name}（{st.region}）生态资源资产负债表 {st.start}–{st.end}（万元）")
    _header(ws, 3, ["项目", f"期初（{st.start}）", f"期末（{st.end}）", "变化"])
    for i, r in enumerate(st.summary.itertuples(), start=4):
        put(ws, i, 1, ROW_LABELS[r.item])
        for j, v in enumerate((r.opening_yuan, r.closing_yuan, r.change_yuan), start=2):
            put(ws, i, j, None if v != v else v / WAN, "#,##0.00")
    if command:
        put(ws, 9, 1, f"命令：{command}（输入与输出的 SHA-256 见 manifest.json）")
    _widths(ws, [28, 18, 18, 18])

    def frame_sheet(title: str, frame: pd.DataFrame, labels: dict, scale: float, sh=None, row: int = 1):
        sh = sh or wb.create_sheet(title[:31])
        headers, _ = _frame_rows(frame, labels, scale)
        _header(sh, row, headers)
        row += 1
        for idx in frame.index:
            if idx not in labels:
                continue
            put(sh, row, 1, labels[idx])
            for j, v in enumerate(frame.loc[idx], start=2):
                put(sh, row, j, None if v != v else float(v) / scale, "#,##0.00")
            row += 1
        _widths(sh, [24] + [14] * len(frame.columns))
        return sh, row

    for name, acc in st.physical.items():
        scale, unit = _shown_unit(acc)
        sh, row = frame_sheet(f"分类表-{_ACCOUNT_NAMES.get(name, name)}", acc.table, _PHYSICAL_ROWS, scale)
        put(sh, row + 1, 1, f"单位：{unit}")
        if len(acc.by_cause):
            put(sh, row + 2, 1, f"增减原因明细（{unit}；正数为增加，负数为减少）")
            frame_sheet("", acc.by_cause, _CAUSE_LABELS, scale, sh=sh, row=row + 3)
    frame_sheet("分类表-价值", st.monetary.account, ROW_LABELS, WAN)
    sh = wb.create_sheet("扩展表-负债")
    cols = ["liability", "region_code", "year", "indicator", "target", "actual", "quantity", "unit", "unit_value",
            "value_yuan", "binding", "threshold_source", "method_source", "note"]
    _header(sh, 1, cols)
    lia = pd.concat([st.liabilities_start, st.liabilities_end], ignore_index=True)
    for i, r in enumerate(lia[cols].itertuples(index=False), start=2):
        for j, v in enumerate(r, start=1):
            put(sh, i, j, None if isinstance(v, float) and v != v else (bool(v) if cols[j - 1] == "binding" else v))
    sh = wb.create_sheet("扩展表-敏感性")
    _header(sh, 1, ["贴现率", "生态系统", "期初价值(万元)", "期末价值(万元)", "变化(万元)"])
    for i, r in enumerate(st.sensitivity.itertuples(), start=2):
        for j, v in enumerate((r.discount_rate, _col_label(r.ecosystem_type), r.npv_0 / WAN, r.npv_1 / WAN,
                               r.change / WAN), start=1):
            put(sh, i, j, v, "#,##0.00" if j > 2 else None)
    path = Path(path)
    path.write_bytes(_deterministic_bytes(wb))
    return path
