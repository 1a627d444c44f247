"""The HTML report of a GEP account: one self-contained UTF-8 file (inline CSS and SVG, no scripts,
no external resources), printable on A4.

The page is rendered from ``templates/report.html.j2`` (the repository's top-level ``templates/``
folder, or the folder named by the ``GEP_TEMPLATES`` environment variable) with autoescaping on, so
inventory text (region names, product names, notes, sources) is always escaped. Charts are inline
SVG from :mod:`gep.render.charts`, which escapes its own labels.

With the comparable-price tables in ``meta`` (see :mod:`gep.render`) the page adds 可比价与增长 (the
county's GEP at current and constant prices, real growth, chain-linked index and deflator with method
breaks flagged; a line chart and the composition by service over the years), 乡镇考核 (the latest year
in full, earlier years compactly, a ranking chart), 变化分解 (the county's change by service split into
quantity and price effects per year, and each township's three largest quantity effects) and the
price-index table beside the coefficients. :mod:`gep.render.pdf` prints the page to an A4 PDF.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from gep.catalogue import label, top_level_file
from gep.render import (WAN, YI, Report, fmt_int, fmt_number, fmt_pct, fmt_share, fmt_signed, fmt_wan, fmt_yi,
                        prepare, text)
from gep.render.charts import bar_chart_svg, line_chart_svg, stacked_bar_chart_svg
from gep.render.trace_page import trace_href
from gep.trace import figure_anchor, summary_anchor

__all__ = ["write_html", "write_report_html", "render_html", "render_report", "templates_dir", "environment"]

TEMPLATE = "report.html.j2"
_HTML_LANG = {"zh": "zh-CN", "en": "en"}


def templates_dir() -> Path:
    """The templates folder: ``$GEP_TEMPLATES`` if set, else ``<repository>/templates``."""
    override = os.environ.get("GEP_TEMPLATES")
    if override:
        return Path(override)
    return top_level_file("templates", TEMPLATE).parent


def environment() -> Environment:
    """The jinja2 environment: autoescaping for .html/.html.j2 templates, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(wan=fmt_wan, yi=fmt_yi, num=fmt_number, share=fmt_share, plain=_plain, pct=fmt_pct,
                       signed=fmt_signed, whole=fmt_int, signed_wan=lambda v: fmt_signed(v, 2, WAN))
    return env


def write_html(path: str | Path, services: pd.DataFrame, summary: pd.DataFrame,
               coefficients: pd.DataFrame, meta: dict, lang: str = "zh") -> Path:
    """Write the HTML report to ``path`` (UTF-8) and return the path."""
    return write_report_html(path, prepare(services, summary, coefficients, meta, lang))


def write_report_html(path: str | Path, report: Report) -> Path:
    """Write the HTML report of a prepared report (one :func:`gep.render.prepare` serves the workbook too)."""
    path = Path(path)
    path.write_text(render_report(report), encoding="utf-8", newline="\n")
    return path


def render_html(services: pd.DataFrame, summary: pd.DataFrame, coefficients: pd.DataFrame,
                meta: dict, lang: str = "zh") -> str:
    """The HTML report as a string."""
    return render_report(prepare(services, summary, coefficients, meta, lang))


def render_report(report: Report) -> str:
    """The HTML report of a prepared report, as a string."""
    lang = report.lang
    template = environment().get_template(TEMPLATE)
    return template.render(
        r=report,
        t=lambda key: text(key, lang),
        html_lang=_HTML_LANG[lang],
        categories=_category_rows(report),
        charts=_charts(report),
        evaluation=_evaluation_view(report),
        gep_version=str(report.meta.get("gep_version", "") or ""),
        link=_linker(report),
    )


def _linker(r: Report):
    """``link(value_html, year, key=None, region=None)``: the value wrapped in a link to its trace when the
    run wrote trace pages (meta["trace"]); a key links the figure, no key the region-year summary."""
    def link(shown, year, key=(), region=None):
        if not r.meta.get("trace") or year is None:
            return shown
        region = region or r.county_code
        anchor = figure_anchor(region, year, *key) if key else summary_anchor(region, year)
        return Markup('<a href="{}">{}</a>').format(trace_href(year, anchor), shown)
    return link


def _category_rows(r: Report) -> list[dict]:
    """Composition by category: one row per category with its value per year and latest share."""
    rows = []
    by_year = {h["year"]: h for h in r.headline}
    for key in ("provisioning", "regulating", "cultural"):
        values = {y: by_year[y][key] if y in by_year else None for y in r.years}
        latest = by_year.get(r.latest_year) if r.latest_year is not None else None
        share = (latest[key] / latest["gep"]) if latest and latest["gep"] and latest[key] is not None else None
        rows.append({"category": label("category", key, r.lang), "values": values, "share": share})
    return rows


def _charts(r: Report) -> dict[str, Markup]:
    """Inline SVG charts; each is already escaped by gep.render.charts."""
    lang, year = r.lang, r.latest_year
    wan, yi = text("wan_yuan", lang), text("yi_yuan", lang)
    suffix = f"（{year}）" if lang == "zh" else f" ({year})"
    charts: dict[str, str] = {}
    if r.headline:
        series = {label("category", c, lang): [h[c] / YI if h[c] is not None else None for h in r.headline]
                  for c in ("provisioning", "regulating", "cultural")}
        series = {"GEP": [h["gep"] / YI if h["gep"] is not None else None for h in r.headline], **series}
        charts["by_year"] = line_chart_svg([h["year"] for h in r.headline], series, yi, text("by_year", lang))
    if year is not None:
        cats = _category_rows(r)
        charts["by_category"] = bar_chart_svg(
            [c["category"] for c in cats], [_scaled(c["values"][year], WAN) for c in cats], wan,
            text("by_category", lang) + suffix)
        charts["by_service"] = bar_chart_svg(
            [s["service"] for s in r.by_service], [_scaled(s["values"][year], WAN) for s in r.by_service], wan,
            text("by_service", lang) + suffix)
        charts["by_group"] = bar_chart_svg(
            [g["group"] for g in r.by_group], [_scaled(g["values"][year], WAN) for g in r.by_group], wan,
            text("by_group", lang) + suffix)
        towns = [t for t in r.townships if t["year"] == year]
        if towns:
            charts["townships"] = bar_chart_svg(
                [t["region_name"] for t in towns], [_scaled(t["gep"], WAN) for t in towns], wan,
                text("townships", lang) + suffix)
    charts.update(_comparable_charts(r))
    return {k: Markup(v) for k, v in charts.items()}


def _comparable_charts(r: Report) -> dict[str, str]:
    """GEP at current and constant prices, value by service over the years, and the township ranking."""
    lang, charts = r.lang, {}
    yi, base = text("yi_yuan", lang), r.base_year if r.base_year is not None else ""
    if r.growth:
        series = {text("series_current", lang): [_scaled(g["gep_current"], YI) for g in r.growth],
                  text("series_constant", lang).format(base=base): [_scaled(g["gep_constant"], YI) for g in r.growth]}
        charts["comparable"] = line_chart_svg([g["year"] for g in r.growth], series, yi,
                                              text("comparable_chart", lang))
    if r.composition and r.composition["rows"] and r.years:
        title = text("composition_constant" if r.composition["constant"] else "composition_current", lang)
        series = {row["service"]: [_scaled(row["values"].get(y), YI) for y in r.years]
                  for row in r.composition["rows"]}
        charts["composition"] = stacked_bar_chart_svg(r.years, series, yi, title.format(base=base))
    view = _evaluation_view(r)
    if view and view["rows"]:
        rows = view["rows"]
        suffix = f"（{view['latest']}）" if lang == "zh" else f" ({view['latest']})"
        if any(e["real_growth"] is not None for e in rows):
            rows = sorted(rows, key=lambda e: (e["real_growth"] is None, -(e["real_growth"] or 0.0), e["region_code"]))
            charts["ranking"] = bar_chart_svg([e["region_name"] for e in rows],
                                              [_scaled(e["real_growth"], 0.01) for e in rows], "%",
                                              text("ranking_growth", lang) + suffix)
        else:
            rows = sorted(rows, key=lambda e: (e["gep"] is None, -(e["gep"] or 0.0), e["region_code"]))
            charts["ranking"] = bar_chart_svg([e["region_name"] for e in rows], [_scaled(e["gep"], WAN) for e in rows],
                                              text("wan_yuan", lang), text("ranking_gep", lang) + suffix)
    return charts


def _evaluation_view(r: Report) -> dict | None:
    """The township evaluation as shown: the latest year in full (townships, then villages if any), and
    the earlier years compactly (GEP, real growth, GEP rank per township and year)."""
    if r.evaluation is None:
        return None
    years = sorted({e["year"] for e in r.evaluation if e["year"] is not None}, reverse=True)
    towns = [e for e in r.evaluation if e["level_key"] != "village"]
    towns = [e for e in towns if e["parent_code"] == r.county_code] or towns
    latest = years[0] if years else None
    rows = [e for e in towns if e["year"] == latest]
    by_key = {(e["region_code"], e["year"]): e for e in towns}
    names = {e["region_code"]: e["region_name"] for e in towns}
    codes = [e["region_code"] for e in rows]
    codes += sorted({e["region_code"] for e in towns} - set(codes))
    earlier = [{"region_code": code, "region_name": names[code],
                "cells": [by_key.get((code, y)) for y in years[1:]]} for code in codes]
    return {"latest": latest, "rows": rows, "earlier_years": years[1:], "earlier": earlier,
            "villages": [e for e in r.evaluation if e["level_key"] == "village" and e["year"] == latest]}


def _plain(value: object) -> str:
    """A coefficient as written, with thousands separators for numbers: 1234.5 → "1,234.5"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _scaled(value: float | None, unit: float) -> float | None:
    return None if value is None else value / unit
