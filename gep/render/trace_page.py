"""gep_trace.html: the computation behind every figure of a run, linked from the report.

One section per region × year (its GEP by category, and each figure with a link) and one section per
figure: a township figure shows its formula, each input cell (file, row, source, status), each
coefficient (register, source, clause, price year, status) and each step with its expression; a parent
region's figure lists the sub-region figures it adds up. Anchors are
:func:`gep.trace.figure_anchor` / :func:`gep.trace.summary_anchor`, so the report can link to them.

Built with plain string joins (thousands of sections): every text goes through ``html.escape``.
"""
from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path

import pandas as pd

from ..catalogue import VALUATION_METHODS, label, services_spec, vocabulary
from ..figure_text import format_number as _num, symbol_label
from ..trace import FIGURE_KEY, figure_anchor, summary_anchor
from . import fmt_wan, method_lines, text, unit_label

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222;font-size:14px}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:2px solid #2d6a4f;margin-top:2em}h3{font-size:1.05em;margin:.2em 0}
section.figure{border-top:1px solid #ccc;padding:.6em 0}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ddd;padding:2px 6px;vertical-align:top}
th{background:#eef5f0}td.num{text-align:right;font-variant-numeric:tabular-nums}.expr{font-family:monospace}
.unverified{color:#a4161a}.meta{color:#555}
"""


def _t(key: str, lang: str) -> str:
    """A phrase of the trace pages: the trace.* keys of gep/data/phrases.yaml."""
    return text(f"trace.{key}", lang)


def _status(status: str, lang: str) -> str:
    entry = vocabulary("status").get(status)
    if entry:
        return entry["zh"] if lang == "zh" else status
    shown = text(f"status_{status}", lang) if status in ("verified", "case-study", "unverified") else status
    return f'<span class="unverified">{escape(shown)}</span>' if status == "unverified" else escape(shown)


def _figure_title(row, lang: str) -> str:
    return (f"{label('service', row.service, lang)} / {label('indicator', f'{row.service}/{row.indicator}', lang)} / "
            f"{label('ecosystem', row.ecosystem, lang)}")


def _cell_anchor(file: str, row) -> str:
    return f"c-{_stable(file + '#' + str(int(row)))}"


def _stable(text_: str) -> str:
    return hashlib.sha1(text_.encode()).hexdigest()[:12]


def _coef_anchor(coefficient, register) -> str:
    return "k-" + _stable(f"{coefficient}@{register}")


def _where(s: dict, lang: str) -> str:
    """A short link to the inventory cell or register row; their details are listed once at the end."""
    if s["role"] == "input" and isinstance(s["file"], str) and s["file"] and not pd.isna(s["row"]):
        return f'<a href="#{_cell_anchor(s["file"], s["row"])}">{escape(s["file"])} {_t("row", lang)} {int(s["row"])}</a>'
    if s["role"] == "coefficient":
        return f'<a href="#{_coef_anchor(s["coefficient"], s["register"])}">{escape(str(s["coefficient"]))}</a>'
    return ""


def _cells_section(trace: pd.DataFrame, lang: str) -> str:
    cells = trace[(trace["role"] == "input") & trace["row"].notna()].drop_duplicates(["file", "row"])
    cells = cells.sort_values(["file", "row"])
    rows = "".join(
        f'<tr id="{_cell_anchor(c.file, c.row)}"><td>{escape(c.file)}</td><td class="num">{int(c.row)}</td>'
        f"<td>{escape(str(c.source)) if isinstance(c.source, str) else ''}</td>"
        f"<td>{_status(c.status, lang) if isinstance(c.status, str) else ''}</td></tr>" for c in cells.itertuples())
    return (f"<h2>{_t('cells', lang)}</h2><table><thead><tr><th>{_t('file', lang)}</th><th>{_t('row', lang)}</th>"
            f"<th>{_t('source', lang)}</th><th>{_t('status', lang)}</th></tr></thead><tbody>{rows}</tbody></table>")


def _coefficients_section(trace: pd.DataFrame, lang: str) -> str:
    coefs = trace[trace["role"] == "coefficient"].drop_duplicates(["coefficient", "register"])
    coefs = coefs.sort_values(["coefficient", "register"])
    rows = "".join(
        f'<tr id="{_coef_anchor(c.coefficient, c.register)}"><td>{escape(str(c.coefficient))}</td>'
        f"<td>{escape(symbol_label(c._asdict(), lang))}</td><td class='num'>{_num(c.value)}</td>"
        f"<td>{escape(unit_label(c.unit, lang))}</td>"
        f"<td>{'' if pd.isna(c.price_year) else int(c.price_year)}</td><td>{escape(str(c.source))}</td>"
        f"<td>{escape(str(c.clause)) if isinstance(c.clause, str) else ''}</td><td>{_status(str(c.status), lang)}</td>"
        f"<td>{escape(str(c.register))}</td></tr>" for c in coefs.itertuples())
    head = "".join(f"<th>{_t(k, lang)}</th>" for k in ("coefficient", "meaning", "value", "unit", "price_year",
                                                       "source", "clause", "status", "register"))
    return (f"<h2>{_t('coefficients', lang)}</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def _leaf_table(symbols: list[dict], lang: str) -> str:
    head = "".join(f"<th>{_t(k, lang)}</th>" for k in ("symbol", "meaning", "role", "expr", "value", "unit", "where"))
    rows = []
    for s in symbols:
        expr = escape(s["expr"]) if isinstance(s["expr"], str) else ""
        rows.append(f"<tr><td>{escape(s['symbol'])}</td><td>{escape(symbol_label(s, lang))}</td>"
                    f"<td>{_t('role_' + s['role'], lang)}</td><td class=\"expr\">{expr}</td>"
                    f"<td class=\"num\">{_num(s['value'])}</td><td>{escape(unit_label(s['unit'], lang))}</td>"
                    f"<td>{_where(s, lang)}</td></tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def trace_html(services: pd.DataFrame, summary: pd.DataFrame, trace: pd.DataFrame, title: str,
               lang: str = "zh", method=None) -> str:
    """The whole trace page as a string; ``method`` (the profile the figures were computed with) is named at
    its top with the choices that differ from the default."""
    html_lang = "zh-CN" if lang == "zh" else "en"
    catalogue = services_spec()["services"]
    out = [f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8"><title>{escape(title)} — '
           f'{_t("title", lang)}</title><style>{_CSS}</style></head><body>',
           f"<h1>{escape(title)} — {_t('title', lang)}</h1><p class=\"meta\">{_t('intro', lang)}</p>",
           *(f'<p class="meta">{escape(line)}</p>' for line in method_lines(method, lang))]
    parents = summary.drop_duplicates("region_code").set_index("region_code")["parent_code"].fillna("").astype(str)
    order = sorted(summary["region_code"].unique(), key=lambda c: (parents.get(c, "") != "", c))
    by_region_year = {k: g for k, g in services.groupby(["region_code", "year"], sort=False)}
    leaves: dict[tuple, list[dict]] = {}
    for rec in trace.to_dict("records"):  # once: per-figure DataFrame slicing is far too slow here
        leaves.setdefault(tuple(rec[k] for k in FIGURE_KEY), []).append(rec)
    children = {}
    for code, parent in parents.items():
        if parent:
            children.setdefault(parent, []).append(code)

    for code in order:
        for srow in summary[summary["region_code"] == code].itertuples():
            out.append(f'<h2 id="{summary_anchor(code, srow.year)}">{escape(str(srow.region_name))} {escape(code)} · '
                       f"{srow.year}</h2>")
            out.append(f"<p>GEP {fmt_wan(srow.gep_yuan)} 万元 = {label('category', 'provisioning', lang)} "
                       f"{fmt_wan(srow.provisioning_yuan)} + {label('category', 'regulating', lang)} "
                       f"{fmt_wan(srow.regulating_yuan)} + {label('category', 'cultural', lang)} "
                       f"{fmt_wan(srow.cultural_yuan)}</p>")
            figures = by_region_year.get((code, srow.year))
            if figures is None:
                continue
            items = []
            for f in figures.itertuples():
                anchor = figure_anchor(code, f.year, f.service, f.indicator, f.ecosystem)
                mark = "" if f.in_gep else f" ({_t('excluded', lang)})"
                items.append(f'<tr><td><a href="#{anchor}">{escape(_figure_title(f, lang))}</a>{mark}</td>'
                             f'<td class="num">{fmt_wan(f.value_yuan)}</td></tr>')
            out.append(f"<table><thead><tr><th>{_t('figure', lang)}</th><th>{_t('value_wan', lang)}</th></tr></thead>"
                       f"<tbody>{''.join(items)}</tbody></table>")

    by_region = {k: g for k, g in services.groupby("region_code", sort=False)}
    by_figure = {k: g for k, g in services.groupby(["year", "service", "indicator", "ecosystem"], sort=False)}
    for code in order:
        kids = children.get(code, [])
        if code not in by_region:
            continue
        for f in by_region[code].itertuples():
            key = (code, f.year, f.service, f.indicator, f.ecosystem)
            entry = catalogue.get(f.service, {})
            out.append(f'<section class="figure" id="{figure_anchor(*key)}"><h3>{escape(str(f.region_name))} '
                       f"{escape(code)} · {f.year} · {escape(_figure_title(f, lang))}</h3>")
            price = "" if pd.isna(f.price) else f"；{_t('price', lang)} {_num(f.price)} {escape(unit_label(f.price_unit, lang))}"
            out.append(f"<p>{_t('value_wan', lang)} {fmt_wan(f.value_yuan)}；{_t('quantity', lang)} {_num(f.quantity)} "
                       f"{escape(unit_label(f.quantity_unit, lang))}{price}；{_t('path', lang)} {escape(str(f.path))}"
                       + ("" if f.in_gep else f"；{_t('excluded', lang)} {escape(str(f.note))}") + "</p>")
            if entry:  # a method gep does not know is left unnamed
                method_label = label("method", entry["method"], lang) if entry["method"] in VALUATION_METHODS else ""
                out.append(f"<p class=\"meta\">{_t('method', lang)}：{method_label}"
                           f"；{_t('formula', lang)}：<span class=\"expr\">{escape(entry['formula'])}</span>"
                           f"；{_t('reference', lang)}：{escape(entry['reference'])}</p>")
            symbols = leaves.get(key)
            if symbols is not None:
                out.append(_leaf_table(symbols, lang))
            elif kids:
                same = by_figure[(f.year, f.service, f.indicator, f.ecosystem)]
                sub = same[same["region_code"].isin(kids)]
                rows = "".join(
                    f'<tr><td><a href="#{figure_anchor(s.region_code, s.year, s.service, s.indicator, s.ecosystem)}">'
                    f"{escape(str(s.region_name))} {escape(s.region_code)}</a></td><td class=\"num\">{fmt_wan(s.value_yuan)}</td>"
                    f"<td class=\"num\">{_num(s.quantity)}</td></tr>" for s in sub.itertuples())
                out.append(f"<p>{_t('sum_of', lang)}</p><table><thead><tr><th>{_t('region', lang)}</th>"
                           f"<th>{_t('value_wan', lang)}</th><th>{_t('quantity', lang)}</th></tr></thead>"
                           f"<tbody>{rows}<tr><td>{_t('total', lang)}</td><td class=\"num\">{fmt_wan(sub.value_yuan.sum())}"
                           f"</td><td class=\"num\">{_num(sub.quantity.sum())}</td></tr></tbody></table>")
            out.append("</section>")
    out.append(_cells_section(trace, lang))
    out.append(_coefficients_section(trace, lang))
    out.append("</body></html>\n")
    return "\n".join(out)


def trace_href(year, anchor: str) -> str:
    """Link from the report (in the run folder) to a trace section."""
    return f"trace/{int(year)}.html#{anchor}"


def write_trace_html(folder: str | Path, services: pd.DataFrame, summary: pd.DataFrame, trace: pd.DataFrame,
                     title: str, lang: str = "zh", method=None) -> list[Path]:
    """Write one trace page per year, ``<folder>/<year>.html`` (a few MB each for a county)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year in sorted(summary["year"].unique()):
        page = trace_html(services[services["year"] == year], summary[summary["year"] == year],
                          trace[trace["year"] == year], f"{title} · {int(year)}", lang, method)
        path = folder / f"{int(year)}.html"
        path.write_text(page, encoding="utf-8", newline="\n")
        written.append(path)
    return written


__all__ = ["trace_html", "write_trace_html", "trace_href"]
