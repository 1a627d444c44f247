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
from .phrases import text
from .workbook import column_widths, deterministic_bytes, header_row, put

WAN = 1e4

# The words are phrases of gep/data/phrases.yaml (statement.* keys). What stays here is which rows, items and names
# have a phrase and the order of each table's columns; tests/test_phrases.py checks that each has its phrase.

#: rows of the summary and of the monetary asset account (statement.row.<key>)
VALUE_ROWS = ("opening_value", "additions", "reductions", "enhancement", "degradation", "catastrophic_losses",
              "upward_reappraisals", "downward_reappraisals", "revaluations", "net_change", "closing_value",
              "asset_value", "liabilities", "net_assets", "seea_degradation")
#: rows of a physical account that are shown (statement.physical_row.<key>); other rows of its table are not
PHYSICAL_ROWS = ("opening", "additions:managed", "additions:unmanaged", "additions:catastrophic",
                 "additions:reclassification", "additions", "reductions:managed", "reductions:unmanaged",
                 "reductions:catastrophic", "reductions:reclassification", "reductions", "net_change",
                 "survey_correction", "closing")
#: physical accounts shown by a name (statement.account.<name>); any other by its key
ACCOUNT_NAMES = ("extent", "forest_area", "forest_stock", "wetland", "water")
#: items of the accounts that are neither ecosystem types nor groups (statement.account_item.<key>)
ACCOUNT_ITEMS = ("natural", "planted", "all", "reservoir", "lake", "river", "groundwater", "soil_water")
#: condition indicators shown by a name (statement.condition_indicator.<key>); any other by its key
CONDITION_INDICATORS = ("stock_per_hectare",)
#: column heads (statement.head.<key>); the condition table has its opening and closing years before the last
CONDITION_COLUMNS = ("ecosystem", "indicator", "unit", "condition_change")
LIABILITY_COLUMNS = ("balance", "type", "indicator", "target", "actual", "gap", "unit", "met", "binding", "value_wan",
                     "threshold_source", "note")
SENSITIVITY_COLUMNS = ("discount_rate", "opening_value", "closing_value", "change")
SENSITIVITY_SHEET_COLUMNS = ("discount_rate", "ecosystem", "opening_value_wan", "closing_value_wan", "change_wan")


def _t(key: str, lang: str, **fields) -> str:
    """A phrase of the statement (statement.<key>), its placeholders filled from ``fields``."""
    phrase = text(f"statement.{key}", lang)
    return phrase.format(**fields) if fields else phrase


def _heads(columns: tuple[str, ...], lang: str) -> list[str]:
    return [_t(f"head.{c}", lang) for c in columns]


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _cause_label(code: str, lang: str) -> str:
    return _t(f"cause.{code}", lang) + _paren(code, lang)


def _shown_unit(acc) -> tuple[float, str]:
    """Volumes are shown in 万m³, as in the 林木/水资源存量及变动表 (asset-liability.md §1.3 T2, T3); the CSV
    files keep m³."""
    return (1e4, "万m³") if acc.unit == "m³" else (1.0, acc.unit)


def _col_label(key: str, lang: str) -> str:
    if key == "TOTAL":
        return _t("total", lang)
    if key in ACCOUNT_ITEMS:
        return _t(f"account_item.{key}", lang)
    shown = label("ecosystem", key, lang)
    return shown if shown != key else label("group", key, lang)


def _indicator_label(indicator: str, lang: str) -> str:
    for name in ("target_indicator", "obligation_kind"):
        entry = vocabulary(name).get(indicator)
        if entry:
            return entry["zh"] if lang == "zh" else indicator.replace("_", " ")
    return indicator


def _liability_label(kind: str, lang: str) -> str:
    # rows say contracted_obligation, the method is plural
    method = next((m for m in (kind, kind + "s") if m in METHODS), None)
    return text(f"statement.liability.{method}", lang) if method else kind


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


def _labels(rows: tuple[str, ...], group: str, lang: str) -> dict:
    """Row key → label (statement.<group>.<key>), for the rows a table shows."""
    return {k: _t(f"{group}.{k}", lang) for k in rows}


def _account_name(name: str, lang: str) -> str:
    return _t(f"account.{name}", lang) if name in ACCOUNT_NAMES else name


def statement_html(st: Statement, command: str = "", lang: str = "zh") -> str:
    physical_rows, value_rows = _labels(PHYSICAL_ROWS, "physical_row", lang), _labels(VALUE_ROWS, "row", lang)
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
        parts.append(f"<h3>{_account_name(name, lang)}{_paren(escape(unit), lang)}</h3>")
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
    head = _heads(CONDITION_COLUMNS, lang)
    head[3:3] = [opening, closing]
    parts.append(_table(head, [[escape(_col_label(r.ecosystem_type, lang)),
                                escape(_t(f"condition_indicator.{r.indicator}", lang)
                                       if r.indicator in CONDITION_INDICATORS else r.indicator),
                                escape(r.unit), _fmt(r.opening), _fmt(r.closing), f"{r.index_change:+.2%}"]
                               for r in st.condition.itertuples()])
                 if len(st.condition) else f"<p>{_t('no_condition', lang)}</p>")
    parts.append(f"<h3>{_t('monetary', lang)}</h3>")
    parts.append(_table(*_frame_rows(st.monetary.account, value_rows, WAN, lang)))
    parts.append(f"<h2>{_t('extension', lang)}</h2><h3>{_t('liabilities', lang)}</h3>")
    lia = pd.concat([st.liabilities_start.assign(when=opening), st.liabilities_end.assign(when=closing)],
                    ignore_index=True)
    parts.append(_table(_heads(LIABILITY_COLUMNS, lang),
                        [[escape(r.when), escape(_liability_label(r.liability, lang)),
                          escape(_indicator_label(str(r.indicator), lang)), _fmt(r.target), _fmt(r.actual),
                          _fmt(r.quantity), escape(r.unit),
                          _t("not_met" if r.quantity else "met", lang) if r.liability == "target_shortfall" else "—",
                          _t("yes" if r.binding else "no", lang), _fmt(r.value_yuan, WAN),
                          escape(str(r.threshold_source)), escape(str(r.note))]
                         for r in lia.itertuples()]) if len(lia) else f"<p>{_t('none', lang)}</p>")
    parts.append(f"<h3>{_t('sensitivity', lang)}</h3>")
    sens = st.sensitivity[st.sensitivity["ecosystem_type"] == "TOTAL"]
    parts.append(_table(_heads(SENSITIVITY_COLUMNS, lang),
                        [[f"{r.discount_rate:.2%}", _fmt(r.npv_0, WAN), _fmt(r.npv_1, WAN), _fmt(r.change, WAN)]
                         for r in sens.itertuples()]))
    notes = [n[lang] for n in st.notes]  # each note of the statement comes in both languages
    parts.append(f"<h3>{_t('notes', lang)}</h3><ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes)
                 + "</ul></body></html>\n")
    return "\n".join(parts)


def write_statement_excel(path: str | Path, st: Statement, command: str = "", lang: str = "zh") -> Path:
    physical_rows, value_rows = _labels(PHYSICAL_ROWS, "physical_row", lang), _labels(VALUE_ROWS, "row", lang)
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
        title = _t("physical_sheet", lang, name=_account_name(name, lang))
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
    header_row(sh, 1, _heads(SENSITIVITY_SHEET_COLUMNS, lang))
    for i, r in enumerate(st.sensitivity.itertuples(), start=2):
        for j, v in enumerate((r.discount_rate, _col_label(r.ecosystem_type, lang), r.npv_0 / WAN, r.npv_1 / WAN,
                               r.change / WAN), start=1):
            put(sh, i, j, v, "#,##0.00" if j > 2 else None)
    path = Path(path)
    path.write_bytes(deterministic_bytes(wb))
    return path
