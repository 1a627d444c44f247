"""The trace pages (``trace/<year>.html``): the computation behind every figure of a run, linked from the report.

A page per year. It opens with one section per region (its GEP by category, and each service with its value
and a link to the region's first figure of it), then the figures service by service. What figures share is
written once: a service's method, formula and reference head its section; its leaf figures (those computed
from inventory cells) of one indicator that follow the same formula — same symbols, roles, expressions and
units, same calculation path — form one table whose caption gives the formula and whose column heads name
each symbol, its meaning and unit; a row is one figure, with each symbol's value, an input linked to its
inventory cell and a coefficient to its register row; a value every row shares (from the same cell or
register row) is written once, in the caption, and a region's name spans its rows. A parent region's figure
is one row linking the table(s) of the sub-region figures it adds up. The inventory cells (file, row, source,
status) and the coefficients (register, source, clause, price year, status) used are listed once at the end,
each source once. Anchors are :func:`gep.trace.figure_anchor` / :func:`gep.trace.summary_anchor`,
so the report can link to them.

Built with plain string joins (thousands of rows): every text goes through ``html.escape``.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from itertools import accumulate, groupby
from pathlib import Path

import pandas as pd

from ..catalogue import VALUATION_METHODS, label, services_spec, vocabulary
from ..figure_text import format_number, symbol_label
from ..trace import FIGURE_KEY, figure_anchor, summary_anchor
from . import fmt_wan, is_missing, method_lines, records, text, unit_label

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em;color:#222;font-size:14px}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:2px solid #2d6a4f;margin-top:2em}h3{font-size:1.05em;margin:.2em 0}
th small{font-weight:normal;display:block;color:#555}caption{text-align:left;margin:.6em 0 .2em}
table.f td{text-align:right;font-variant-numeric:tabular-nums}
table.f td[rowspan],table.f td[rowspan]+td,table.f tr>td:first-child,table.f td.l{text-align:left}
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ddd;padding:2px 6px;vertical-align:top}
th{background:#eef5f0}td.num{text-align:right;font-variant-numeric:tabular-nums}.expr{font-family:monospace}
.unverified{color:#a4161a}.meta{color:#555}
"""


#: a value as shown: values repeat (a register row, a township's precipitation in every figure), so each is
#: formatted once per run
_num = lru_cache(maxsize=1 << 16)(format_number)


#: punctuation between the parts of a line, a label and its text, and the items of a list
_SEMICOLON, _COLON, _LIST = {"zh": "；", "en": "; "}, {"zh": "：", "en": ": "}, {"zh": "、", "en": ", "}


def _t(key: str, lang: str) -> str:
    """A phrase of the trace pages: the trace.* keys of gep/data/phrases.yaml."""
    return text(f"trace.{key}", lang)


def _status(status: str, lang: str) -> str:
    entry = vocabulary("status").get(status)
    if entry:
        return entry["zh"] if lang == "zh" else status
    shown = text(f"status_{status}", lang) if status in ("verified", "case-study", "unverified") else status
    return f'<span class="unverified">{escape(shown)}</span>' if status == "unverified" else escape(shown)


def _short_title(f: dict, lang: str) -> str:
    """A figure within its service's section: indicator / ecosystem."""
    indicator = f"{f['service']}/{f['indicator']}"
    return f"{label('indicator', indicator, lang)} / {label('ecosystem', f['ecosystem'], lang)}"


class _Anchors:
    """Ids of the inventory cells (``c1``, ``c2`` …) and register rows (``k1`` …) a page lists, numbered in the
    order of the lists at its end: short, because a county's page links them some 20 000 times."""

    def __init__(self, trace: list[dict]):
        cells, coefficients = {}, {}
        for s in trace:
            if _is_cell(s):
                cells.setdefault((s["file"], int(s["row"])), s)
            elif s["role"] == "coefficient":
                coefficients.setdefault((str(s["coefficient"]), str(s["register"])), s)
        self.cells = dict(sorted(cells.items(), key=lambda kv: kv[0]))
        self.coefficients = dict(sorted(coefficients.items(), key=lambda kv: kv[0]))
        self._cell = {key: f"c{n}" for n, key in enumerate(self.cells, start=1)}
        self._coefficient = {key: f"k{n}" for n, key in enumerate(self.coefficients, start=1)}

    def cell(self, s: dict) -> str:
        return self._cell[(s["file"], int(s["row"]))]

    def coefficient(self, s: dict) -> str:
        return self._coefficient[(str(s["coefficient"]), str(s["register"]))]


def _is_cell(s: dict) -> bool:
    """An input read from an inventory cell (parts a figure lacks are recorded as inputs without one)."""
    return s["role"] == "input" and isinstance(s["file"], str) and bool(s["file"]) and not pd.isna(s["row"])


def _value(s: dict, anchors: _Anchors) -> str:
    """A symbol's value as shown: an input links to its inventory cell, a coefficient to its register row
    (their details are listed once at the end)."""
    value = _num(s["value"])
    if _is_cell(s):
        return f'<a href="#{anchors.cell(s)}">{value}</a>'
    if s["role"] == "coefficient":
        return f'<a href="#{anchors.coefficient(s)}">{value}</a>'
    return value


def _symbol_kind(s: dict) -> tuple:
    """What a symbol is in a figure's formula, apart from its value: figures whose symbols are all of the
    same kind, in the same order, share one table."""
    expr = s["expr"] if isinstance(s["expr"], str) else ""
    if s["role"] == "input":
        return s["symbol"], "input", expr, s["unit"], s["table"], s["column"]
    if s["role"] == "coefficient":
        return s["symbol"], "coefficient", expr, s["unit"], str(s["coefficient"]).split("[", 1)[0], ""
    return s["symbol"], s["role"], expr, s["unit"], "", ""


def _symbol_head(s: dict, lang: str) -> str:
    """A symbol's column head: the symbol, its meaning and its unit (a step's expression is in the caption)."""
    unit = unit_label(s["unit"], lang)
    return (f"<th>{escape(s['symbol'])}<small>{escape(symbol_label(s, lang))}</small>"
            + (f"<small>[{escape(unit)}]</small>" if unit else "") + "</th>")


def _excluded(f: dict, lang: str) -> str:
    return "" if f["in_gep"] else f" ({_t('excluded', lang)}: {escape(str(f['note']))})"


def _region(f: dict) -> str:
    return f"{escape(str(f['region_name']))} {escape(f['region_code'])}"


def _leaf_tables(figures: list[dict], leaves: dict, anchors: _Anchors, tables: dict, lang: str) -> list[str]:
    """The leaf figures of one service: a table per indicator and formula (same symbols, roles, expressions,
    units and path), a row per figure. A value every row of a table shares (a register row, a county's
    precipitation inherited by every township, a step computed from those alone) is written once, in the
    caption, with its link. A region's name spans its consecutive rows. ``tables`` gets each figure's table id
    (``t1``, ``t2`` … in page order), for the parent figures that add them up."""
    groups: dict[tuple, list[dict]] = {}
    for f in figures:
        kinds = tuple(_symbol_kind(s) for s in leaves[f["key"]])
        groups.setdefault((f["indicator"], str(f["path"]), kinds), []).append(f)
    out = []
    for (_, path, _), members in groups.items():
        first = leaves[members[0]["key"]]
        cells = [[_value(s, anchors) for s in leaves[f["key"]]] for f in members]
        values = [[s["value"] for s in leaves[f["key"]]] for f in members]
        # shared: the same value (not only the same six digits shown) from the same cell or register row
        shared = [len(members) > 1 and all(row[j] == cells[0][j] and v[j] == values[0][j]
                                           for row, v in zip(cells, values)) for j in range(len(first))]
        steps = "; ".join(f"{s['symbol']} = {s['expr']}" for s in first if s["role"] == "step")
        common = _SEMICOLON[lang].join(
            f"{escape(s['symbol'])} = {cells[0][j]} {escape(unit_label(s['unit'], lang))}".rstrip()
            for j, s in enumerate(first) if shared[j])
        head = (f"<th>{_t('region', lang)}</th><th>{_t('ecosystem', lang)}</th>"
                + "".join(_symbol_head(s, lang) for j, s in enumerate(first) if not shared[j]))
        table_id = f"t{len(tables) + 1}"
        runs = [len(list(run)) for _, run in groupby(f["region_code"] for f in members)]
        starts = dict(zip(accumulate([0] + runs[:-1]), runs))  # row of each region's first figure → its rows
        rows = []
        for n, (f, row) in enumerate(zip(members, cells)):
            tables[f["key"]] = table_id
            region = f'<td rowspan="{starts[n]}">{_region(f)}</td>' if n in starts else ""
            rows.append(f'<tr id="{figure_anchor(*f["key"])}">{region}'
                        f"<td>{escape(label('ecosystem', f['ecosystem'], lang))}{_excluded(f, lang)}</td>"
                        + "".join(f"<td>{cell}</td>" for cell, same in zip(row, shared) if not same) + "</tr>")
        indicator = label("indicator", f"{members[0]['service']}/{members[0]['indicator']}", lang)
        semicolon, colon = _SEMICOLON[lang], _COLON[lang]
        out.append(f"<table class=\"f\" id=\"{table_id}\"><caption><b>{escape(indicator)}</b>{semicolon}"
                   f"{_t('path', lang)} {escape(path)}"
                   + (f'{semicolon}{_t("formula", lang)}{colon}<span class="expr">{escape(steps)}</span>'
                      if steps else "")
                   + (f"<br>{_t('shared', lang)}{colon}{common}" if common else "")
                   + f"</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return out


def _parent_table(figures: list[dict], by_figure: dict, children: dict, tables: dict, lang: str) -> str:
    """A service's figures of parent regions: each the sum of its sub-regions' figures — linked to the tables
    that hold them where they are leaf figures, named one by one where they are sums themselves."""
    rows = []
    for f in figures:
        key = f["key"]
        kids = [s for s in by_figure.get(key[1:], ()) if s["region_code"] in children.get(key[0], ())]
        held = list(dict.fromkeys(tables[s["key"]] for s in kids if s["key"] in tables))
        terms = [f'<a href="#{t}">{_t("table", lang).format(n=t[1:])}</a>' for t in held]
        terms += [f'<a href="#{figure_anchor(*s["key"])}">{escape(str(s["region_name"]))}</a>'
                  for s in kids if s["key"] not in tables]
        summed = f"{_t('sum_of_n', lang).format(n=len(kids))}{_COLON[lang]}{_LIST[lang].join(terms)}" if kids else ""
        # rowspan="1": the CSS aligns a region cell (one with rowspan) and the cell after it to the left
        rows.append(f'<tr id="{figure_anchor(*key)}"><td rowspan="1">{_region(f)}</td>'
                    f"<td>{escape(_short_title(f, lang))}{_excluded(f, lang)}</td>"
                    f"<td>{fmt_wan(f['value_yuan'])}</td>"
                    f"<td>{_num(f['quantity'])} {escape(unit_label(f['quantity_unit'], lang))}</td>"
                    f"<td class=\"l\">{summed}</td></tr>")
    return (f"<table class=\"f\"><caption>{_t('sum_of', lang)}</caption><thead><tr><th>{_t('region', lang)}</th>"
            f"<th>{_t('figure', lang)}</th><th>{_t('value_wan', lang)}</th><th>{_t('quantity', lang)}</th>"
            f"<th>{_t('sum_of', lang)}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _cells_section(anchors: _Anchors, lang: str) -> str:
    """The inventory cells used, one row per file and row; each source is written once and numbered."""
    sources: dict[str, int] = {}
    rows = []
    for (file, row), c in anchors.cells.items():
        source = ""
        if isinstance(c["source"], str) and c["source"]:
            n = sources.setdefault(c["source"], len(sources) + 1)
            source = f'<a href="#src-{n}">[{n}]</a>'
        status = _status(c["status"], lang) if isinstance(c["status"], str) else ""
        rows.append(f'<tr id="{anchors.cell(c)}"><td>{escape(file)}</td><td class="num">{row}</td>'
                    f"<td>{source}</td><td>{status}</td></tr>")
    listed = "".join(f'<tr id="src-{n}"><td>[{n}]</td><td>{escape(source)}</td></tr>' for source, n in sources.items())
    return (f"<h2>{_t('cells', lang)}</h2><table><thead><tr><th>{_t('file', lang)}</th><th>{_t('row', lang)}</th>"
            f"<th>{_t('source', lang)}</th><th>{_t('status', lang)}</th></tr></thead><tbody>{''.join(rows)}</tbody>"
            f"</table><table><thead><tr><th></th><th>{_t('source', lang)}</th></tr></thead>"
            f"<tbody>{listed}</tbody></table>")


def _coefficients_section(anchors: _Anchors, lang: str) -> str:
    rows = "".join(
        f'<tr id="{anchors.coefficient(c)}"><td>{escape(str(c["coefficient"]))}</td>'
        f"<td>{escape(symbol_label(c, lang))}</td><td class='num'>{_num(c['value'])}</td>"
        f"<td>{escape(unit_label(c['unit'], lang))}</td>"
        f"<td>{'' if pd.isna(c['price_year']) else int(c['price_year'])}</td><td>{escape(str(c['source']))}</td>"
        f"<td>{escape(str(c['clause'])) if isinstance(c['clause'], str) else ''}</td>"
        f"<td>{_status(str(c['status']), lang)}</td><td>{escape(str(c['register']))}</td></tr>"
        for c in anchors.coefficients.values())
    head = "".join(f"<th>{_t(k, lang)}</th>" for k in ("coefficient", "meaning", "value", "unit", "price_year",
                                                       "source", "clause", "status", "register"))
    return (f"<h2>{_t('coefficients', lang)}</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def trace_html(services: pd.DataFrame, summary: pd.DataFrame, trace: pd.DataFrame, title: str,
               lang: str = "zh", method=None) -> str:
    """The whole trace page of the figures given, as a string; ``method`` (the profile the figures were
    computed with) is named at its top with the choices that differ from the default."""
    return _page(_figure_rows(services), records(summary), _trace_rows(trace), title, lang, method)


def _figure_rows(services: pd.DataFrame) -> list[dict]:
    rows = records(services)
    for f in rows:
        f["key"] = tuple(f[k] for k in FIGURE_KEY)
    return rows


def _trace_rows(trace: pd.DataFrame) -> list[dict]:
    for column in ("table", "column", "file", "row", "source", "status", "coefficient", "register", "price_year",
                   "clause"):
        if column not in trace.columns:  # a trace of steps only
            trace = trace.assign(**{column: float("nan")})
    return records(trace)


def _page(figures: list[dict], summary: list[dict], trace: list[dict], title: str, lang: str, method) -> str:
    html_lang = "zh-CN" if lang == "zh" else "en"
    catalogue = services_spec()["services"]
    out = [f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8"><title>{escape(title)} — '
           f'{_t("title", lang)}</title><style>{_CSS}</style></head><body>',
           f"<h1>{escape(title)} — {_t('title', lang)}</h1><p class=\"meta\">{_t('intro', lang)}</p>",
           *(f'<p class="meta">{escape(line)}</p>' for line in method_lines(method, lang))]
    parents: dict[str, str] = {}
    for r in summary:
        parent = r["parent_code"]
        parents.setdefault(r["region_code"], "" if is_missing(parent) else str(parent))
    order = sorted(parents, key=lambda c: (parents[c] != "", c))
    rank = {code: n for n, code in enumerate(order)}
    anchors = _Anchors(trace)
    tables: dict[tuple, str] = {}  # figure key → id of the table that holds its row
    leaves: dict[tuple, list[dict]] = {}
    for rec in trace:
        leaves.setdefault(tuple(rec[k] for k in FIGURE_KEY), []).append(rec)
    children: dict[str, set] = {}
    for code, parent in parents.items():
        if parent:
            children.setdefault(parent, set()).add(code)
    by_region_year: dict[tuple, list[dict]] = {}
    by_figure: dict[tuple, list[dict]] = {}
    for f in figures:
        by_region_year.setdefault(f["key"][:2], []).append(f)
        by_figure.setdefault(f["key"][1:], []).append(f)

    by_region: dict[str, list[dict]] = {}
    for r in summary:
        by_region.setdefault(r["region_code"], []).append(r)
    for code in order:
        for r in by_region[code]:
            out.append(f'<h2 id="{summary_anchor(code, r["year"])}">{escape(str(r["region_name"]))} {escape(code)} · '
                       f"{r['year']}</h2>")
            out.append(f"<p>GEP {fmt_wan(r['gep_yuan'])} {text('wan_yuan', lang)} = "
                       f"{label('category', 'provisioning', lang)} "
                       f"{fmt_wan(r['provisioning_yuan'])} + {label('category', 'regulating', lang)} "
                       f"{fmt_wan(r['regulating_yuan'])} + {label('category', 'cultural', lang)} "
                       f"{fmt_wan(r['cultural_yuan'])}</p>")
            services: dict[str, list[dict]] = {}
            for f in by_region_year.get((code, r["year"]), ()):
                services.setdefault(f["service"], []).append(f)
            if services:  # each service links to the region's first figure of it
                out.append("<p>" + " · ".join(
                    f'<a href="#{figure_anchor(*fs[0]["key"])}">{escape(label("service", service, lang))}</a> '
                    + (fmt_wan(sum(f["value_yuan"] for f in fs if f["in_gep"])) if any(f["in_gep"] for f in fs)
                       else f"({_t('excluded', lang)})")
                    for service, fs in services.items()) + "</p>")

    by_service: dict[str, list[dict]] = {}
    for f in sorted(figures, key=lambda f: rank.get(f["region_code"], len(rank))):  # parents first, stable
        by_service.setdefault(f["service"], []).append(f)
    positions = {s: n for n, s in enumerate(catalogue)}
    for service in sorted(by_service, key=lambda s: (positions.get(s, len(positions)), s)):
        entry = catalogue.get(service, {})
        out.append(f"<h2>{escape(label('service', service, lang))}</h2>")
        if entry:  # a method gep does not know is left unnamed
            method_label = label("method", entry["method"], lang) if entry["method"] in VALUATION_METHODS else ""
            semicolon, colon = _SEMICOLON[lang], _COLON[lang]
            out.append(f"<p class=\"meta\">{_t('method', lang)}{colon}{method_label}"
                       f"{semicolon}{_t('formula', lang)}{colon}<span class=\"expr\">{escape(entry['formula'])}</span>"
                       f"{semicolon}{_t('reference', lang)}{colon}{escape(entry['reference'])}</p>")
        members = by_service[service]
        summed = [f for f in members if f["key"] not in leaves]  # sums of sub-regions (a figure without either
        # trace rows or sub-regions has a row here too, so every link to a figure lands on one)
        own = _leaf_tables([f for f in members if f["key"] in leaves], leaves, anchors, tables, lang)
        if summed:
            out.append(_parent_table(summed, by_figure, children, tables, lang))
        out.extend(own)
    out.append(_cells_section(anchors, lang))
    out.append(_coefficients_section(anchors, lang))
    out.append("</body></html>\n")
    return "\n".join(out)


def trace_href(year, anchor: str) -> str:
    """Link from the report (in the run folder) to a trace section."""
    return f"trace/{int(year)}.html#{anchor}"


def write_trace_html(folder: str | Path, services: pd.DataFrame, summary: pd.DataFrame, trace: pd.DataFrame,
                     title: str, lang: str = "zh", method=None) -> list[Path]:
    """Write one trace page per year, ``<folder>/<year>.html``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_year: dict[int, tuple[list, list, list]] = {int(y): ([], [], []) for y in summary["year"].unique()}
    for n, rows in enumerate((_figure_rows(services), records(summary), _trace_rows(trace))):
        for r in rows:
            if int(r["year"]) in by_year:
                by_year[int(r["year"])][n].append(r)
    written = []
    for year in sorted(by_year):
        figures, summary_rows, trace_rows = by_year[year]
        page = _page(figures, summary_rows, trace_rows, f"{title} · {year}", lang, method)
        path = folder / f"{year}.html"
        path.write_text(page, encoding="utf-8", newline="\n")
        written.append(path)
    return written


__all__ = ["trace_html", "write_trace_html", "trace_href"]
