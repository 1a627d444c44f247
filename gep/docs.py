"""Documentation generated from the declarative catalogues, so docs cannot drift from the code.

``python -m gep.docs > docs/inventory-format.md`` rewrites the inventory format page; a test checks
that the committed page equals what this module renders.
"""
from __future__ import annotations

from .catalogue import inventory_spec, label, services_spec
from .coefficients import CANONICAL_UNITS
from .method import METHODS_DIR, catalogue, load_method

_BOOKKEEPING = ("source", "note", "status")


def inventory_format_markdown() -> str:
    spec = inventory_spec()
    lines = [
        "# Inventory format (清单格式)",
        "",
        f"Format version **{spec['format_version']}**. Generated from `gep/data/inventory.yaml` by "
        "`python -m gep.docs`; do not edit by hand.",
        "",
        "An inventory is a folder of CSV files (UTF-8), one per table and named after it (`extent.csv`), "
        "or an `.xlsx` workbook with one sheet per table (sheet named `extent` or `生态系统面积`). "
        "CSV and XLSX share the same schema.",
        "",
        "- **Headers**: the English column name or its Chinese label. A column holding a quantity adds its "
        "unit in brackets — `面积 [亩]`, `area [hm2]`, `总库容 [亿m³]`. Any unit of the right dimension is "
        "accepted and converted to the canonical unit at load; a missing, unknown or dimensionally wrong unit "
        "is an error. Units Chinese statistics use are understood: 亩, 万亩, 公顷/hm², km², m³, 万m³, 亿m³, "
        "元, 万元, 亿元, t, 万t, kWh, 万kWh, 亿kWh, kW, 万kW, 人, 万人, 人次, 万人次, mm, %, t C, t CO₂.",
        "- **Codes** are the official administrative codes; every `region_code` must be a row of `regions`.",
        "- **Enumerations** take the English key or the Chinese label.",
        "- **Bookkeeping columns**, allowed in every table: `source` (来源), `note` (备注) and `status` (数据状态: "
        "observed 观测 / estimated 估算 / derived 推算). A figure that is not an observation must say so.",
        "- **Levels**: extensive figures (areas, emissions, visits, …) are given at one level per table and year "
        "(township rows *or* the county row, never both); results are summed up the administrative tree. "
        "Intensive parameters (`conditions`, `climate`) given for a region apply to its sub-regions that have no "
        "row of their own.",
        "- `gep validate PATH` checks an inventory and lists every problem with file, row, column and what was "
        "expected.",
        "",
    ]
    for name, table in spec["tables"].items():
        required = " (required)" if table.get("required") else ""
        lines += [f"## `{name}` — {table['zh']}{required}", "", *([table["doc"], ""] if table.get("doc") else []),
                  f"Key: {', '.join(table['key'])}.", "",
                  "| column | 中文 | unit (canonical) | required | notes |", "|---|---|---|---|---|"]
        for col, c in table["columns"].items():
            if col in _BOOKKEEPING:
                continue
            unit = c.get("unit", f"per row, from `{c['unit_column']}`" if "unit_column" in c else "")
            notes = []
            if c.get("vocabulary"):
                vocab = spec["vocabularies"][c["vocabulary"]]
                notes.append("one of " + ", ".join(f"`{k}` {v['zh']}" for k, v in vocab.items()))
            if c.get("type") == "region":
                notes.append("a code of `regions`")
            if c.get("type") == "service":
                notes.append("a service key (see below)")
            if c.get("type") == "unit":
                notes.append("a unit, e.g. 万m³")
            if "min" in c:
                notes.append(f"≥ {c['min']}" if not c.get("exclusive_min") else f"> {c['min']}")
            if "max" in c:
                notes.append(f"≤ {c['max']}")
            lines.append(f"| `{col}` | {c['zh']} | {unit} | {'yes' if c.get('required') else ''} | "
                         f"{'; '.join(notes)} |")
        lines.append("")
    lines += ["## Services and indicators (for `service_quantities`)", "",
              "A `service_quantities` row gives the quantity of one indicator (e.g. from an external model); it "
              "replaces the figure gep would compute for that region, year and ecosystem, or adds it where gep "
              "computes none, and is valued at the indicator's price coefficient (carried to the row's year by its "
              "price index). An indicator that is a physical total (soil retained, sand fixed) is valued through "
              "its components, which follow from it unless they are supplied themselves. The column *supplied* "
              "says which indicators can be given this way; the others are given in the table named.", "",
              "| service | 服务 | category | indicator | unit | price coefficient | supplied |",
              "|---|---|---|---|---|---|---|"]
    for key, s in services_spec()["services"].items():
        for ind, i in (s["indicators"] or {"(product name)": {"unit": "any", "given_in": s["given_in"]}}).items():
            if not i.get("suppliable"):
                columns = ", ".join(f"`{c}`" for c in i["given_in"]["columns"])
                supplied = f"no: give it in `{i['given_in']['table']}` ({columns})"
            else:
                supplied = "yes, valued through its components" if i.get("physical_only") else "yes"
            lines.append(f"| `{key}` | {s['zh']} | {label('category', s['category'], 'en')} | `{ind}` | "
                         f"{i.get('unit', '')} | {i.get('price', '')} | {supplied} |")
    lines += ["", "## Coefficient keys (for a user register)", "",
              "A register row gives `key, value, unit, price_year, price_index, ecosystem, region, year, source, clause, "
              "status, note`; `ecosystem`, `region` and `year` (an accounting year) narrow what it applies to, blank "
              "for all. A row without a year in a later register replaces the earlier registers' rows of its key and "
              "scope for every year.", "",
              "| key | canonical unit |", "|---|---|"]
    lines += [f"| `{k}` | {u} |" for k, u in CANONICAL_UNITS.items()]
    lines += _method_section()
    return "\n".join(lines) + "\n"


def _method_section() -> list[str]:
    """The formula choices of a method profile (gep/data/methods.yaml) and the option each shipped profile takes."""
    shipped = [load_method(p.stem) for p in sorted(METHODS_DIR.glob("*.yaml"))]
    lines = ["", "## Method profiles (for `--method`)", "",
             "A profile (`coefficients/methods/NAME.yaml`, or your own file that `extends:` one) chooses one option of "
             "each formula choice below, with the source and status (seen / recalled / derived) of its evidence. "
             "`gep run --method NAME|FILE`; the default is `default`.", "",
             "| choice | option | " + " | ".join(f"`{m.name}`" for m in shipped) + " |",
             "|---|---|" + "---|" * len(shipped)]
    for choice, spec in catalogue()["choices"].items():
        for option, o in spec["options"].items():
            marks = " | ".join("✓" if m.option(choice) == option else "" for m in shipped)
            lines.append(f"| `{choice}` | `{option}`: {o['en']} | {marks} |")
    services = sorted({c.choice for m in shipped for c in m.choices.values() if c.choice.endswith(".in_gep")})
    for choice in services:
        marks = " | ".join(m.option(choice) for m in shipped)
        lines.append(f"| `{choice}` | counted / information_only | {marks} |")
    return lines


if __name__ == "__main__":
    print(inventory_format_markdown(), end="")
