"""Explain a figure of a run: formula, inputs with file/row/source, coefficients with provenance,
intermediate values — from the run folder alone (gep_services.csv, gep_trace.csv.gz; gep_trace.csv in a folder
of an earlier gep).

``gep explain RUN_DIR --region 500229 --year 2021 --service water_conservation
--indicator water_retained --ecosystem forest [--lang en] [--all]``

A figure of a township (the level the data were given at) is explained symbol by symbol. A figure
of a parent region is the sum of its sub-regions' figures: they are listed, and ``--all`` explains
each of them in turn.
"""
from __future__ import annotations

import gzip
import io
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .catalogue import inventory_spec, label, services_spec
from .coefficients import key_label
from .figure_text import column_label, format_number, symbol_label
from .method_inputs import argument_label
from .outputs import TRACE_NAME, UNCOMPRESSED_TRACE_NAME, cell_texts
from .phrases import text
from .reading import shown
from .render import unit_label
from .trace import FIGURE_KEY

#: the parts of a figure's explanation: the trace rows of each role under its heading, the phrase explain.<heading>
SECTIONS = (("input", "inputs"), ("coefficient", "coefficients"), ("step", "steps"))


def _t(key: str, lang: str) -> str:
    """A phrase of the explanations, explain.<key> of the catalogue."""
    return text(f"explain.{key}", lang)


class ExplainError(ValueError):
    """A run folder's tables cannot be read back; the message names the folder, the file and what is wrong."""


#: what explanations read of each table of a run folder: columns that must be there, and those holding numbers
_COLUMNS = {
    "gep_services.csv": ([*FIGURE_KEY, "region_name", "category", "quantity", "quantity_unit", "value_yuan", "in_gep",
                          "path"], ["year", "quantity", "value_yuan"]),
    TRACE_NAME: ([*FIGURE_KEY, "symbol", "role", "expr", "value", "unit", "table", "column", "file", "row",
                       "source", "status", "coefficient", "register"], ["year", "value", "row"]),
    "gep_summary.csv": (["region_code", "parent_code", "year"], ["year"]),
    "gep_parcels.csv": (["parcel_id", "region_code", "year"], ["year"]),
}
_COLUMNS[UNCOMPRESSED_TRACE_NAME] = _COLUMNS[TRACE_NAME]  # the trace as a run folder of an earlier gep holds it


def read_run_table(folder: Path, name: str, dtype: dict) -> pd.DataFrame:
    """A CSV table gep wrote into a run folder, read back with its text cells as they stand for
    (:func:`gep.outputs.cell_texts`); :class:`ExplainError` ("RUN is not a readable gep run folder: FILE: what")
    when it is not such a table — damaged, edited, or another program's file of that name."""
    def refused(what: str) -> ExplainError:
        return ExplainError(f"{folder} is not a readable gep run folder: {name}: {what}")

    data = (folder / name).read_bytes()
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise refused(f"not a gzip file as gep writes it ({shown(str(exc), 120)}); "
                          "run gep verify on the folder, or run the inventory again") from None
    try:
        text = data.decode("utf-8-sig")  # gep writes UTF-8
    except UnicodeDecodeError as exc:
        raise refused(f"not UTF-8 text as gep writes it (byte {exc.start} is not UTF-8); "
                      "run gep verify on the folder, or run the inventory again") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=dtype, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise refused(f"not a table: {shown(str(exc).strip(), 200)}") from None
    required, numeric = _COLUMNS[name]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise refused(f"no column {', '.join(missing)} (columns: {shown(', '.join(map(str, frame.columns)), 200)})")
    for column in numeric:
        values = pd.to_numeric(frame[column], errors="coerce")
        wrong = values.isna() & frame[column].notna()
        if wrong.any():
            i = int(wrong.to_numpy().nonzero()[0][0])
            raise refused(f"row {i + 2}, column {column}: '{shown(frame[column].iloc[i])}' is not a number")
        frame[column] = values
    return cell_texts(frame)


@dataclass
class Run:
    """The tables of a run folder that explanations need."""

    folder: Path
    services: pd.DataFrame
    trace: pd.DataFrame
    children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: str | Path) -> "Run":
        folder = Path(folder)
        trace_name = UNCOMPRESSED_TRACE_NAME if (folder / UNCOMPRESSED_TRACE_NAME).is_file() else TRACE_NAME
        for name in ("gep_services.csv", trace_name, "gep_summary.csv"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder} is not a gep run folder: {name} is missing")
        # text as it stands for, not as written for spreadsheets (region names, sources, expressions: formula_safe)
        services = read_run_table(folder, "gep_services.csv", {"region_code": str})
        trace = read_run_table(folder, trace_name, {"region_code": str, "expr": str, "coefficient": str})
        summary = read_run_table(folder, "gep_summary.csv", {"region_code": str, "parent_code": str})
        children: dict[str, list[str]] = {}
        for code, parent in summary[["region_code", "parent_code"]].drop_duplicates().itertuples(index=False):
            if isinstance(parent, str) and parent:
                children.setdefault(parent, []).append(code)
        return cls(folder, services, trace, children)


@dataclass
class FigureExplanation:
    key: tuple
    row: dict                 # the gep_services row
    symbols: list[dict]       # leaf figures: trace rows in order
    parts: list[dict]         # parent figures: sub-region rows (region_code, region_name, value, quantity)


def explain(run: Run, region: str, year: int, service: str, indicator: str, ecosystem: str) -> FigureExplanation:
    s = run.services
    hit = s[(s.region_code == region) & (s.year == int(year)) & (s.service == service)
            & (s.indicator == indicator) & (s.ecosystem == ecosystem)]
    if not len(hit):
        raise KeyError(f"no figure {region}/{year}/{service}/{indicator}/{ecosystem} in {run.folder}; "
                       f"see gep_services.csv for the figures of this run")
    row = hit.iloc[0].to_dict()
    t = run.trace
    symbols = t[(t.region_code == region) & (t.year == int(year)) & (t.service == service)
                & (t.indicator == indicator) & (t.ecosystem == ecosystem)].to_dict("records")
    parts = []
    if not symbols:
        codes = _descendant_leaves(run, region)
        sub = s[s.region_code.isin(codes) & (s.year == int(year)) & (s.service == service)
                & (s.indicator == indicator) & (s.ecosystem == ecosystem)]
        parts = sub[["region_code", "region_name", "quantity", "value_yuan"]].to_dict("records")
    return FigureExplanation((region, int(year), service, indicator, ecosystem), row, symbols, parts)


def _descendant_leaves(run: Run, region: str) -> list[str]:
    out, stack = [], [region]
    while stack:
        code = stack.pop()
        kids = run.children.get(code, [])
        if kids:
            stack.extend(kids)
        elif code != region:
            out.append(code)
    return sorted(out)


def _s(value) -> str:
    """Text of a cell read back from CSV: NaN (an empty cell) is ''."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _status(value, lang: str) -> str:
    entry = inventory_spec()["vocabularies"]["status"].get(_s(value))
    return entry["zh"] if entry and lang == "zh" else _s(value)


def format_text(fx: FigureExplanation, lang: str = "zh") -> str:
    """The explanation as plain text (Chinese by default)."""
    region, year, service, indicator, ecosystem = fx.key
    entry = services_spec()["services"].get(service, {})
    r = fx.row
    lines = [f"{r['region_name']} {region} · {year} · {label('category', r['category'], lang)} / "
             f"{label('service', service, lang)} / {label('indicator', f'{service}/{indicator}', lang)} / "
             f"{label('ecosystem', ecosystem, lang)}"]
    lines.append(f"  {_t('value', lang)}: {format_number(r['value_yuan'])} 元" + ("" if r["in_gep"] in (True, "True")
                                                                        else f"  ({_t('not_in_gep', lang)})"))
    lines.append(f"  {_t('quantity', lang)}: {format_number(r['quantity'])} {unit_label(r['quantity_unit'], lang)}")
    if not pd.isna(r.get("price")):
        lines.append(f"  {_t('price', lang)}: {format_number(r['price'])} {unit_label(r['price_unit'], lang)}")
    if entry:
        lines.append(f"  {_t('method', lang)}: {label('method', entry['method'], lang)}")
        lines.append(f"  {_t('formula', lang)}: {entry['formula']}")
        lines.append(f"  {_t('reference', lang)}: {entry['reference']}")
    lines.append(f"  {_t('path', lang)}: {r['path']}")
    if fx.parts:
        lines.append(f"{_t('sum_of', lang)} ({len(fx.parts)}):")
        for p in fx.parts:
            lines.append(f"  {p['region_name']} {p['region_code']}: {format_number(p['value_yuan'])} 元; "
                         f"{format_number(p['quantity'])} {unit_label(r['quantity_unit'], lang)}")
        lines.append(f"  Σ = {format_number(sum(p['value_yuan'] for p in fx.parts))} 元  ({_t('detail_hint', lang)})")
        return "\n".join(lines)
    for role, title in SECTIONS:
        rows = [s for s in fx.symbols if s["role"] == role]
        if not rows:
            continue
        lines.append(f"{_t(title, lang)}:")
        for s in rows:
            head = f"  {s['symbol']} {symbol_label(s, lang)}"
            unit = unit_label(s["unit"], lang)
            if role == "step":
                lines.append(f"{head} = {s['expr']} = {format_number(s['value'])} {unit}")
                continue
            if role == "input":
                where = f"{_s(s['file'])} {_t('row', lang)} {int(s['row'])}" if not pd.isna(s["row"]) else ""
                parts = (where, f"{_t('source', lang)}: {_s(s['source'])}" if _s(s["source"]) else "",
                         f"{_t('status', lang)}: {_status(s['status'], lang)}" if _s(s["status"]) else "")
            else:
                parts = (f"{_s(s['coefficient'])} @ {_s(s['register'])}",
                         f"{_t('price_year', lang)} {int(s['price_year'])}" if not pd.isna(s.get("price_year")) else "",
                         f"{_t('source', lang)}: {_s(s['source'])}",
                         f"{_t('clause', lang)}: {_s(s.get('clause'))}" if _s(s.get("clause")) else "",
                         f"{_t('status', lang)}: {_s(s['status'])}")
            lines.append(f"{head} = {format_number(s['value'])} {unit}  [{'; '.join(x for x in parts if x)}]")
    return "\n".join(lines)


def explain_text(folder: str | Path, region: str, year: int, service: str, indicator: str, ecosystem: str,
                 lang: str = "zh", detail: bool = False) -> str:
    run = Run.load(folder)
    fx = explain(run, region, year, service, indicator, ecosystem)
    out = [format_text(fx, lang)]
    if detail and fx.parts:
        for p in fx.parts:
            out.append("")
            out.append(format_text(explain(run, p["region_code"], year, service, indicator, ecosystem), lang))
    return "\n".join(out)


def _pt(key: str, lang: str) -> str:
    """A phrase of the explanation of a parcel, explain.parcel.<key> of the catalogue."""
    return text(f"explain.parcel.{key}", lang)


def explain_parcel_text(folder: str | Path, parcel_id: str, year: int | None = None, lang: str = "zh") -> str:
    """How each figure of one parcel (小班) of a run was computed: per indicator the parcel formula, each
    argument with where it came from (the parcel's row, its region's conditions, or a register row), the
    quantity, and the value — the parcel's share of its region's figure (recorded in gep_parcels.csv; the
    arguments are read again from the run's own ``inputs/``)."""
    from .jobfolder import JobInputs
    from .services.tables import Context
    from .inventory import load_inventory
    from .parcels import DERIVED_FROM, explain_parcel
    from .prices import load_price_indices

    folder = Path(folder)
    if not (folder / "gep_parcels.csv").is_file():
        raise FileNotFoundError(f"{folder} has no gep_parcels.csv: its inventory has no parcels table")
    inputs = JobInputs.of(folder)
    ctx = Context(load_inventory(inputs.inventory_path), inputs.register(),
                  load_price_indices(str(inputs.price_indices) if inputs.price_indices else None), inputs.method())
    computed = explain_parcel(ctx, parcel_id, year)
    recorded = read_run_table(folder, "gep_parcels.csv", {"parcel_id": str, "region_code": str})
    recorded = recorded[recorded["parcel_id"] == parcel_id].set_index("year")
    run = Run.load(folder)
    origins = inventory_spec()["vocabularies"]["origin"]
    lines: list[str] = []
    for y in sorted({c["year"] for c in computed}):
        own = [c for c in computed if c["year"] == y]
        first, row = own[0], recorded.loc[y]
        region_shown = first["region_code"] + ("" if first["figure_region_code"] == first["region_code"]
                                               else f" (→ {first['figure_region_code']})")
        lines += ["" if lines else None, f"{_pt('parcel', lang)} {parcel_id} · {y} · {region_shown} · "
                  f"{label('ecosystem', first['ecosystem'], lang)} · "
                  f"{(origins[first['origin']]['zh'] if lang == 'zh' else first['origin']) if first['origin'] else '—'} · "
                  f"{_pt('area', lang)} "
                  f"{format_number(first['area'])} hm²  [{first['file']} {_t('row', lang)} {first['row']}]"]
        base_quantity = {}
        for c in own:
            unit = unit_label(c["unit"], lang)
            base_quantity[c["indicator"]] = c["quantity"]
            lines.append(f"{label('service', c['service'], lang)} / "
                         f"{label('indicator', c['service'] + '/' + c['indicator'], lang)}: "
                         f"{format_number(c['quantity'])} {unit}")
            lines.append(f"  {_t('formula', lang)}: {c['formula']}")
            for a in c["arguments"]:
                where = {"parcels": _pt("own", lang), "conditions": _pt("inherited", lang),
                         "climate": _pt("region", lang), "register": _pt("register", lang),
                         "method": _pt("method", lang), None: _pt("missing", lang)}[a["from"]]
                if a["from"] == "method":
                    detail = f"{a['method']}" + (f"; {', '.join(a['register_keys'])}" if a["register_keys"] else "")
                elif a["from"] == "register":
                    r = a["coefficient"]
                    detail = f"{r.label()} @ {r.register.rsplit('/', 1)[-1]}; {_t('source', lang)}: {r.source}; " \
                             f"{_t('status', lang)}: {r.status}"
                elif a["from"]:
                    detail = f"{a['file']} {_t('row', lang)} {a['row']}, {a['column']}" + (
                        f"; {_t('status', lang)}: {_status(a['status'], lang)}" if _s(a["status"]) else "")
                else:
                    detail = ""
                tables = inventory_spec()["tables"]  # an argument is a register key or a column of one of these
                name = key_label(a["name"], lang) or argument_label(a["name"], lang) or column_label(
                    next(t for t in ("parcels", "conditions", "climate") if a["name"] in tables[t]["columns"]),
                    a["name"], lang)
                shown = f"{format_number(a['value'])} {unit_label(a['unit'], lang)}".rstrip()
                lines.append(f"  {a['name']} {name} = {shown}  [{where}; {detail}]".replace("; ]", "]"))
        # the region figure the parcel has a share of, per indicator: its own figure as traced (a region with
        # parcels of its own and of sub-regions without an extent row has its own figure besides their sum)
        t = run.trace
        t = t[(t["region_code"] == first["figure_region_code"]) & (t["year"] == y)
              & (t["ecosystem"] == first["ecosystem"])]
        traced = {(i, sym): v for i, sym, v in zip(t["indicator"], t["symbol"], t["value"])}
        services = dict(zip(t["indicator"], t["service"]))
        for column in recorded.columns:  # every figure of the parcel, as recorded: quantity and value
            if not column.endswith(" value [yuan]"):
                continue
            indicator = column[: -len(" value [yuan]")]
            q_column = next(c for c in recorded.columns if c.startswith(indicator + " [") and c.endswith("]"))
            quantity, value = row[q_column], row[column]
            if pd.isna(quantity) or (indicator, "V") not in traced:
                continue
            base = DERIVED_FROM.get(indicator, indicator)
            total = traced.get((base, "Q"), float("nan"))
            share = base_quantity.get(base, float("nan")) / total if total else 0.0
            how = "" if base == indicator else f"; {_pt('derived', lang)} {base}"
            lines.append(f"{_t('value', lang)} {label('indicator', f'{services[indicator]}/{indicator}', lang)}: "
                         f"{format_number(quantity)} {unit_label(q_column.split('[')[-1].rstrip(']'), lang)} → "
                         f"{format_number(value)} 元 = {_pt('region_value', lang)} "
                         f"{format_number(traced[(indicator, 'V')])} 元 × {_pt('share', lang)} "
                         f"{share:.6%}{how}  ({_pt('recorded', lang)}: gep_parcels.csv)")
    return "\n".join(x for x in lines if x is not None)


__all__ = ["Run", "ExplainError", "read_run_table", "FigureExplanation", "explain", "format_text", "explain_text", "explain_parcel_text",
           "symbol_label", "format_number", "FIGURE_KEY"]
