"""The words and numbers of the reports as shown: the fixed phrases (gep/data/phrases.yaml, by key through
:func:`text`, which :mod:`gep.phrases` loads), units and region levels, what each service lacks, the method
profile in sentences, and amounts, shares and growth rates as text. A leaf of :mod:`gep.render`, which
re-exports all of it."""
from __future__ import annotations

from typing import Any

from gep.catalogue import inventory_spec, label, services_spec, vocabulary
from gep.phrases import phrases, text  # noqa: F401  (re-exported: gep.render.phrases and gep.render.text)
from gep.render.workbook import is_missing, to_float

WAN = 1e4  #: 元 per 万元
YI = 1e8  #: 元 per 亿元


#: parts of a unit code and their display spelling, replaced in this order; None: a word of the report's language,
#: the phrase unit_token.<part>
_UNIT_TOKENS = (("yuan", None), ("hectare", "hm²"), ("t_CO2", "t CO₂"), ("t_C", "t C"), ("gC", "g C"),
                ("visit", None), ("**3", "³"), ("**2", "²"), ("hm2", "hm²"), ("m3", "m³"), ("m2", "m²"),
                ("*", "·"))


def unit_label(unit: Any, lang: str = "zh") -> str:
    """Display spelling of a unit code (``m3`` → m³, ``yuan/m**3`` → 元/m³); others as written."""
    unit = clean_text(unit)
    if unit in ("1", "dimensionless"):
        return ""
    if f"unit.{unit}" in phrases():
        return text(f"unit.{unit}", lang)
    for code, shown in _UNIT_TOKENS:
        unit = unit.replace(code, text(f"unit_token.{code}", lang) if shown is None else shown)
    return unit


def _value_label(value: str, lang: str) -> str:
    """A vocabulary value as shown: an ecosystem type by its label, others by their Chinese label (zh) or key."""
    if value in vocabulary("ecosystem"):
        return label("ecosystem", value, lang)
    if lang == "zh":
        return next((v[value]["zh"] for v in inventory_spec()["vocabularies"].values() if value in v), value)
    return value


def _inputs_text(inputs: tuple[str, ...], service: str, lang: str) -> str:
    """Inputs needed together, as the user finds them in the inventory: ``table.column`` (``extent.area`` the
    areas of the service's ecosystems), ``table``, each with ``[values]`` of the rows it takes — columns of one
    table joined, e.g. "conditions 的降水量/蒸散发量" / "precipitation/evapotranspiration in conditions"."""
    tables = inventory_spec()["tables"]
    groups: list[tuple[str, list[str], tuple[str, ...]]] = []  # (table, columns, values of the rows)
    for ref in inputs:
        ref, _, values = ref.partition("[")
        table, _, column = ref.partition(".")
        values = tuple(values.rstrip("]").split(",")) if values else ()
        if table == "extent" and column == "area" and not values:
            values = tuple(services_spec()["services"][service].get("ecosystems", ()))
        if groups and groups[-1][0] == table and column and groups[-1][1] and not values and not groups[-1][2]:
            groups[-1][1].append(column)
        else:
            groups.append((table, [column] if column else [], values))
    shown = []
    for table, columns, values in groups:
        values_text = "/".join(_value_label(v, lang) for v in values)
        if lang == "zh":
            if columns:  # conditions 的降水量/蒸散发量, extent 的面积（草地）
                what = "/".join(tables[table]["columns"][c]["zh"] for c in columns)
                shown.append(f"{table} 的{what}" + (f"（{values_text}）" if values else ""))
            else:  # water_bodies（水库湖泊）, emissions（污染物排放）的化学需氧量/…
                shown.append(f"{table}（{tables[table]['zh']}）" + (f"的{values_text}" if values else ""))
        elif columns:  # precipitation/evapotranspiration in conditions, area (Grassland) in extent
            shown.append("/".join(columns) + (f" ({values_text})" if values else "") + f" in {table}")
        else:  # rows in water_bodies, cod/nh3n/tp rows in emissions
            shown.append((f"{values_text} rows" if values else "rows") + f" in {table}")
    return text("and", lang).join(shown)


def status_rows(statuses: Any, lang: str = "zh") -> list[dict]:
    """The services computed, skipped and not applicable (:class:`gep.accounting.ServiceStatus`), in catalogue
    order: service label, status key and label, and what a service lacks (empty when it lacks nothing)."""
    rows = []
    for s in statuses or []:
        inputs = text("or", lang).join(_inputs_text(a, s.service, lang) for a in s.missing)
        if not s.missing:
            detail = ""
        elif s.status == "computed":  # some of its cases lacked an input
            detail = text("missing_cases", lang).format(cases=s.cases_skipped, inputs=inputs)
        else:
            detail = text("missing" if s.status == "skipped" else "absent", lang).format(inputs=inputs)
        rows.append({"service_key": s.service, "service": label("service", s.service, lang), "status_key": s.status,
                     "status": text(f"status_{s.status}", lang), "detail": detail})
    return rows


def method_lines(method: Any, lang: str = "zh") -> list[str]:
    """The method profile in a few sentences for reports, traces and the console: its name, each choice that
    differs from the default profile with its evidence, and how many choices rest on what evidence."""
    if method is None:
        return []
    rows = method.rows(lang)
    lines = [text("method_line", lang).format(title=method.title(lang), name=method.name)]
    differs = [r for r in rows if r["differs"]]
    lines += [text("method_differs", lang).format(choice=f"{r['label']}{text('colon', lang)}{r['option_label']}",
                                                  status=r["status_label"], source=r["source"]) for r in differs]
    if not differs:
        lines.append(text("method_default", lang))
    counts = {k: sum(r["status"] == k for r in rows) for k in ("seen", "recalled", "derived")}
    lines.append(text("method_evidence", lang).format(total=len(rows), **counts))
    return lines


def status_lines(statuses: Any, lang: str = "zh") -> list[str]:
    """The services computed, skipped and not applicable as console lines: one line of the services computed
    (then, indented, those that skipped some cases), then each service skipped and not applicable with what it
    lacks."""
    rows = status_rows(statuses, lang)
    colon, sep = text("colon", lang), "、" if lang == "zh" else ", "
    lines = []
    for status in ("computed", "skipped", "not_applicable"):
        of = [r for r in rows if r["status_key"] == status]
        if not of:
            continue
        head = f"{text(f'status_{status}', lang)}{text('lparen', lang)}{len(of)}{text('rparen', lang)}{colon}"
        if status == "computed":
            lines.append(head + sep.join(r["service"] for r in of))
        else:
            lines.append(head.rstrip())
        lines += [f"  {r['service']}{colon}{r['detail']}" for r in of if r["detail"]]
    return lines


def level_label(level: Any, lang: str = "zh") -> str:
    """A region level as shown (county → 县 / County); a level gep does not know as written."""
    level = clean_text(level)
    return text(f"level.{level}", lang) if f"level.{level}" in phrases() else level


# --------------------------------------------------------------------------------------------
# small value helpers
# --------------------------------------------------------------------------------------------

def clean_text(value: Any) -> str:
    """A cell of a text column as str: missing → ""."""
    return "" if is_missing(value) else str(value)


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


def fmt_pct(fraction: Any, decimals: int = 2) -> str:
    """A growth rate (fraction) as a percentage with two decimals: 0.03 → "3.00%", -0.0073 → "-0.73%",
    -1e-9 → "0.00%" (never "-0.00%")."""
    number = to_float(fraction)
    if number is None:
        return "—"
    shown = f"{number * 100:,.{decimals}f}"
    return (shown[1:] if shown.startswith("-") and float(shown.replace(",", "")) == 0 else shown) + "%"


def fmt_signed(value: Any, decimals: int = 2, scale: float = 1.0) -> str:
    """A change with its sign: 0.35 → "+0.35", -12345 (scale WAN) → "-1.23", 0 → "0.00"; missing → "—"."""
    number = to_float(value)
    if number is None:
        return "—"
    shown = f"{number / scale:+,.{decimals}f}"
    return shown[1:] if float(shown.replace(",", "")) == 0 else shown  # no sign on zero ("0.00", never "-0.00")


def fmt_int(value: Any) -> str:
    """A whole number (rank, population) with thousands separators; missing → "—"."""
    number = to_float(value)
    return "—" if number is None else f"{round(number):,d}"

