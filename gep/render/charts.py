"""Small inline SVG charts for the HTML report, drawn in Python (no JavaScript, no external files).

Each function takes plain lists and returns one ``<svg>`` element as a string. Every piece of text
is XML-escaped here, so labels taken from an inventory (region or product names) are safe to embed.
Text sizes are estimated with CJK characters counted as one em and Latin ones as about 0.6 em.
"""
from __future__ import annotations

import math
import unicodedata
from xml.sax.saxutils import escape as _xml_escape

__all__ = ["bar_chart_svg", "line_chart_svg", "stacked_bar_chart_svg", "FONT_FAMILY", "PALETTE", "PALETTE_WIDE"]

FONT_FAMILY = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
PALETTE = ["#2e6b4f", "#e0a526", "#3c7fb1", "#b5523b", "#7d5ba6", "#4f9d69", "#8c8c8c"]
#: more distinct colours, for stacks of many services
PALETTE_WIDE = PALETTE + ["#d98cb3", "#6fb7c9", "#a3a04b", "#c9853e", "#5c6bc0", "#9e6b4a", "#70a0a0",
                          "#c0c0c0", "#4a4a8c"]
FONT_SIZE = 12


def esc(value: object) -> str:
    """XML-escape text for element content and double-quoted attributes."""
    return _xml_escape(str(value), {'"': "&quot;", "'": "&#39;"})


def text_width(label: str, size: float = FONT_SIZE) -> float:
    """Approximate rendered width of ``label`` in px (wide/CJK characters count as one em)."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in str(label))


def fmt(value: float, decimals: int = 2) -> str:
    return f"{value:,.{decimals}f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (low ≤ 0 ≤ high is typical)."""
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, tick = [], start
    while tick < high + step * 0.5:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10))
    return ticks


def truncate(label: str, max_width: float) -> str:
    """``label`` shortened with "…" so that it fits ``max_width`` px."""
    label = str(label)
    if text_width(label) <= max_width:
        return label
    while label and text_width(label + "…") > max_width:
        label = label[:-1]
    return label + "…"


def _tick_decimals(ticks: list[float]) -> int:
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    return 0 if step >= 1 else min(6, max(0, -math.floor(math.log10(step))))


def _open(width: float, height: float, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-family="{esc(FONT_FAMILY)}" '
        f'font-size="{FONT_SIZE}">',
        f"<title>{esc(title)}</title>",
        f'<text x="{width / 2:.1f}" y="18" text-anchor="middle" font-size="{FONT_SIZE + 2}" '
        f'font-weight="bold">{esc(title)}</text>',
    ]


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def bar_chart_svg(labels: list[str], values: list[float | None], unit_label: str, title: str,
                  width: int = 720, decimals: int = 2) -> str:
    """Horizontal bar chart: one bar per label, value printed at the bar end, unit under the axis.

    Missing values draw no bar and print "—". Negative values extend left of the zero line.
    """
    numbers = [_number(v) for v in values]
    present = [v for v in numbers if v is not None] or [0.0]
    low, high = min(0.0, *present), max(0.0, *present)
    ticks = nice_ticks(low, high if high > low else low + 1.0)
    low, high = min(low, ticks[0]), max(high, ticks[-1])

    bar, gap, top = 20, 8, 34
    label_w = min(max([text_width(l) for l in labels] or [0]) + 12, width * 0.4)
    value_w = max([text_width(fmt(v, decimals)) for v in present] + [text_width("—")]) + 10
    plot_x, plot_w = label_w, max(width - label_w - value_w - 10, 50)
    height = top + len(labels) * (bar + gap) + 40

    def x(v: float) -> float:
        return plot_x + (v - low) / (high - low) * plot_w

    out = _open(width, height, title)
    axis_bottom = top + len(labels) * (bar + gap)
    tick_dec = _tick_decimals(ticks)
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{axis_bottom}" '
                   f'stroke="#e0e0e0" stroke-width="1"/>')
        out.append(f'<text x="{x(t):.1f}" y="{axis_bottom + 14}" text-anchor="middle" fill="#555">'
                   f"{esc(fmt(t, tick_dec))}</text>")
    for i, (name, value) in enumerate(zip(labels, numbers)):
        y = top + i * (bar + gap)
        out.append(f'<text x="{plot_x - 6:.1f}" y="{y + bar * 0.72:.1f}" text-anchor="end">'
                   f"<title>{esc(name)}</title>{esc(truncate(name, plot_x - 10))}</text>")
        if value is None:
            out.append(f'<text x="{x(0) + 4:.1f}" y="{y + bar * 0.72:.1f}" fill="#555">—</text>')
            continue
        x0, x1 = sorted((x(0.0), x(value)))
        out.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 0.5):.1f}" height="{bar}" '
                   f'fill="{PALETTE[0]}"><title>{esc(name)}: {esc(fmt(value, decimals))} {esc(unit_label)}</title></rect>')
        out.append(f'<text x="{x1 + 4:.1f}" y="{y + bar * 0.72:.1f}" fill="#333">{esc(fmt(value, decimals))}</text>')
    out.append(f'<line x1="{x(0):.1f}" y1="{top - 4}" x2="{x(0):.1f}" y2="{axis_bottom}" stroke="#333"/>')
    out.append(f'<text x="{plot_x + plot_w:.1f}" y="{axis_bottom + 30}" text-anchor="end" fill="#555">'
               f"{esc(unit_label)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def line_chart_svg(years: list[int], series: dict[str, list[float | None]], unit_label: str, title: str,
                   width: int = 720, height: int = 300, decimals: int = 2) -> str:
    """Line chart of one or more series over years, with markers, value labels on the first
    series (drawn on top), a legend and the unit above the y axis. Missing points break the line."""
    names = list(series)
    numbers = {n: [_number(v) for v in series[n]] for n in names}
    present = [v for vs in numbers.values() for v in vs if v is not None] or [0.0]
    ticks = nice_ticks(min(0.0, *present), max(0.0, *present))
    low, high = ticks[0], ticks[-1]
    tick_dec = _tick_decimals(ticks)

    left = max(text_width(fmt(t, tick_dec)) for t in ticks) + 16
    legend_h = 22
    top, bottom, right = 34 + legend_h, 36, 20
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + plot_w / 2 if len(years) <= 1 else left + 30 + i * (plot_w - 60) / (len(years) - 1)

    def y(v: float) -> float:
        return top + plot_h - (v - low) / (high - low) * plot_h

    out = _open(width, height, title)
    out.append(f'<text x="4" y="40" fill="#555">{esc(unit_label)}</text>')
    legend_x = max(left, 4 + text_width(unit_label) + 24)
    for k, name in enumerate(names):
        colour = PALETTE[k % len(PALETTE)]
        out.append(f'<rect x="{legend_x:.1f}" y="{30}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 16:.1f}" y="{40}">{esc(name)}</text>')
        legend_x += 16 + text_width(name) + 18
    for t in ticks:
        out.append(f'<line x1="{left:.1f}" y1="{y(t):.1f}" x2="{left + plot_w:.1f}" y2="{y(t):.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{left - 6:.1f}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#555">'
                   f"{esc(fmt(t, tick_dec))}</text>")
    for i, year in enumerate(years):
        out.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 18:.1f}" text-anchor="middle" fill="#555">'
                   f"{esc(year)}</text>")
    for k, name in reversed(list(enumerate(names))):  # first series drawn last, on top
        colour = PALETTE[k % len(PALETTE)]
        points = [(x(i), y(v), v) for i, v in enumerate(numbers[name]) if v is not None]
        segments, current = [], []
        for i, v in enumerate(numbers[name]):
            if v is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{x(i):.1f},{y(v):.1f}")
        if current:
            segments.append(current)
        for seg in segments:
            if len(seg) > 1:
                out.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py, v in points:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}">'
                       f"<title>{esc(name)}: {esc(fmt(v, decimals))} {esc(unit_label)}</title></circle>")
            if k == 0:
                out.append(f'<text x="{px:.1f}" y="{py - 8:.1f}" text-anchor="middle" fill="#333">'
                           f"{esc(fmt(v, decimals))}</text>")
    out.append(f'<line x1="{left:.1f}" y1="{top + plot_h:.1f}" x2="{left + plot_w:.1f}" y2="{top + plot_h:.1f}" stroke="#333"/>')
    out.append("</svg>")
    return "\n".join(out)


def stacked_bar_chart_svg(categories: list, series: dict[str, list[float | None]], unit_label: str, title: str,
                          width: int = 720, plot_height: int = 240, decimals: int = 2) -> str:
    """Vertical stacked columns: one column per category (e.g. year), one segment per series (e.g.
    service), the column total printed on top, and a legend below that wraps to the width.

    Positive values stack up from zero and negative ones down from it; missing values draw nothing.
    """
    names = list(series)
    numbers = {n: [_number(v) for v in series[n]] for n in names}
    ups = [sum(v for n in names if (v := numbers[n][i]) is not None and v > 0) for i in range(len(categories))]
    downs = [sum(v for n in names if (v := numbers[n][i]) is not None and v < 0) for i in range(len(categories))]
    ticks = nice_ticks(min([0.0, *downs]), max([0.0, *ups]) or 1.0)
    low, high = ticks[0], ticks[-1]
    tick_dec = _tick_decimals(ticks)

    left = max(text_width(fmt(t, tick_dec)) for t in ticks) + 16
    top, right = 54, 20
    plot_w = width - left - right
    # legend rows below the plot
    legend, x_pos, row = [], left, 0
    for k, name in enumerate(names):
        item_w = 16 + text_width(name) + 18
        if x_pos + item_w > width - right and x_pos > left:
            x_pos, row = left, row + 1
        legend.append((k, name, x_pos, row))
        x_pos += item_w
    legend_top = top + plot_height + 30
    height = legend_top + (row + 1) * 18 + 8 if names else legend_top

    def y(v: float) -> float:
        return top + plot_height - (v - low) / (high - low) * plot_height

    slot = plot_w / max(len(categories), 1)
    bar = min(64.0, slot * 0.6)
    out = _open(width, height, title)
    out.append(f'<text x="4" y="40" fill="#555">{esc(unit_label)}</text>')
    for t in ticks:
        out.append(f'<line x1="{left:.1f}" y1="{y(t):.1f}" x2="{left + plot_w:.1f}" y2="{y(t):.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{left - 6:.1f}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#555">'
                   f"{esc(fmt(t, tick_dec))}</text>")
    for i, category in enumerate(categories):
        cx = left + slot * (i + 0.5)
        up = down = 0.0
        for k, name in enumerate(names):
            v = numbers[name][i]
            if v is None or v == 0:
                continue
            colour = PALETTE_WIDE[k % len(PALETTE_WIDE)]
            if v > 0:
                y0, y1 = y(up + v), y(up)
                up += v
            else:
                y0, y1 = y(down), y(down + v)
                down += v
            out.append(f'<rect x="{cx - bar / 2:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{max(y1 - y0, 0.5):.1f}" '
                       f'fill="{colour}"><title>{esc(category)} {esc(name)}: {esc(fmt(v, decimals))} '
                       f"{esc(unit_label)}</title></rect>")
        total = sum(v for n in names if (v := numbers[n][i]) is not None)
        out.append(f'<text x="{cx:.1f}" y="{y(up) - 5:.1f}" text-anchor="middle" fill="#333">'
                   f"{esc(fmt(total, decimals))}</text>")
        out.append(f'<text x="{cx:.1f}" y="{top + plot_height + 18:.1f}" text-anchor="middle" fill="#555">'
                   f"{esc(category)}</text>")
    out.append(f'<line x1="{left:.1f}" y1="{y(0):.1f}" x2="{left + plot_w:.1f}" y2="{y(0):.1f}" stroke="#333"/>')
    for k, name, lx, row_ in legend:
        ly = legend_top + row_ * 18
        out.append(f'<rect x="{lx:.1f}" y="{ly:.1f}" width="12" height="12" fill="{PALETTE_WIDE[k % len(PALETTE_WIDE)]}"/>')
        out.append(f'<text x="{lx + 16:.1f}" y="{ly + 10:.1f}">{esc(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)
