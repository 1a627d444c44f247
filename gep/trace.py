"""Traces: for every computed figure, its formula, inputs, coefficients and intermediate values.

A trace is a long table, one row per symbol of one leaf figure (region × year × service × indicator
× ecosystem):

- ``input``: an inventory cell — value in the canonical unit, table, file, row, column, source, status;
- ``coefficient``: a register row — value, unit, key and scope, register file (provenance in the
  register itself);
- ``step``: an intermediate or final value with the expression that computes it from earlier symbols.
  The figure's quantity is the step ``Q`` and its value the step ``V`` [元].

Expressions use a small language shared by Python and spreadsheets: numbers, symbols, ``+ - * /``,
``^`` for powers, parentheses and the functions ``MAX``, ``MIN``, ``EXP``, ``NORMSDIST`` (the standard normal
distribution function) and ``NORMSINV`` (its inverse). :func:`evaluate` computes them
here (so a test can check every trace reproduces the engine); :func:`to_excel` rewrites them with
cell references for the workbook whose formulas recompute GEP.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import math
import re
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

TRACE_COLUMNS = ["region_code", "year", "service", "indicator", "ecosystem", "symbol", "role", "expr", "value",
                 "unit", "table", "file", "row", "column", "source", "status", "coefficient", "register",
                 "price_year", "clause"]
FIGURE_KEY = ["region_code", "year", "service", "indicator", "ecosystem"]
_NORMAL = NormalDist()
#: functions of the trace language, with the same names in Excel and LibreOffice
_FUNCTIONS = {"MAX": max, "MIN": min, "EXP": math.exp, "NORMSDIST": _NORMAL.cdf, "NORMSINV": _NORMAL.inv_cdf}
_SYMBOL_RE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\b")


def figure_anchor(region: str, year, service: str, indicator: str, ecosystem: str) -> str:
    """Stable HTML id of a figure's trace (product names may be any text, so it is hashed)."""
    digest = hashlib.sha1(f"{region}|{int(year)}|{service}|{indicator}|{ecosystem}".encode()).hexdigest()[:16]
    return f"f-{digest}"


def summary_anchor(region: str, year) -> str:
    return f"s-{region}-{int(year)}"


def symbols_of(expr: str) -> list[str]:
    """Symbols an expression refers to, in order of first appearance (functions excluded)."""
    seen = []
    for name in _SYMBOL_RE.findall(expr):
        if name not in _FUNCTIONS and name not in seen:
            seen.append(name)
    return seen


def _interpret(node, env):
    if isinstance(node, ast.Expression):
        return _interpret(node.body, env)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_interpret(node.operand, env)
    if isinstance(node, ast.BinOp):
        a, b = _interpret(node.left, env), _interpret(node.right, env)
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            return a / b
        if op is ast.Pow:
            return a ** b
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
        return _FUNCTIONS[node.func.id](*(_interpret(a, env) for a in node.args))
    raise ValueError(f"not allowed in a trace expression: {ast.dump(node)}")


@functools.lru_cache(maxsize=4096)
def _parsed(expr: str):
    """The syntax tree of an expression, checked once against the language (ValueError otherwise)."""
    tree = ast.parse(expr.replace("^", "**"), mode="eval")
    _check(tree)
    return tree


def _check(node) -> None:
    allowed = (ast.Expression, ast.Constant, ast.Name, ast.UnaryOp, ast.USub, ast.BinOp, ast.Add, ast.Sub,
               ast.Mult, ast.Div, ast.Pow, ast.Call, ast.Load)
    for n in ast.walk(node):
        if not isinstance(n, allowed) or (isinstance(n, ast.Constant) and not isinstance(n.value, (int, float))) \
                or (isinstance(n, ast.Call) and not (isinstance(n.func, ast.Name) and n.func.id in _FUNCTIONS
                                                     and not n.keywords)):
            raise ValueError(f"not allowed in a trace expression: {ast.dump(n)}")


def evaluate(expr: str, env: dict[str, float]) -> float:
    """Value of a trace expression given symbol values: numbers, symbols, + − × ÷, powers and MAX/MIN/EXP
    only, interpreted on the checked syntax tree (nothing is executed)."""
    return float(_interpret(_parsed(expr), env))


def distinct(objects) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct members of an object array, by identity: a batch of figures shares a few register
    rows, so their attributes are read once per row rather than once per figure."""
    objects = np.asarray(objects, dtype=object)
    codes, _ = pd.factorize(np.fromiter(map(id, objects), dtype=np.int64, count=len(objects)))
    _, first = np.unique(codes, return_index=True)
    return codes, objects[first]


def to_excel(expr: str, cells: dict[str, str]) -> str:
    """The expression as an Excel formula body, each symbol replaced by its cell reference."""
    return _SYMBOL_RE.sub(lambda m: cells.get(m.group(1), m.group(1)), expr)


@dataclass
class TraceBuilder:
    """Collects the symbols of a batch of figures that share one formula (vectorised: one array per symbol).

    Arrays are given for all figures of a calculator; ``mask`` selects the figures this formula applies
    to (e.g. computed rather than supplied quantities). Arrays shorter than ``keys`` are padded, since
    supplied figures without a computed counterpart are appended at the end.
    """

    keys: pd.DataFrame  # region_code, year, ecosystem — one row per figure
    service: str
    indicator: str
    mask: np.ndarray | None = None
    parts: list = field(default_factory=list)

    def _select(self, values, fill=np.nan):
        n = len(self.keys)
        if isinstance(values, (str, float, int)) or values is None:
            arr = np.full(n, values, dtype=object if isinstance(values, str) else float)
        else:
            arr = np.asarray(values)
            if len(arr) < n:
                arr = np.concatenate([arr, np.full(n - len(arr), fill, dtype=arr.dtype if fill is not None
                                                   and not isinstance(fill, str) else object)])
        return arr if self.mask is None else arr[self.mask]

    @functools.cached_property
    def _figures(self) -> dict:
        """Key columns of the selected figures, shared by all parts."""
        k = self.keys if self.mask is None else self.keys[self.mask]
        return {"region_code": k["region_code"].to_numpy(), "year": k["year"].to_numpy(),
                "ecosystem": k["ecosystem"].to_numpy()}

    def _base(self, symbol: str, role: str) -> dict:
        return {**self._figures, "service": self.service, "indicator": self.indicator,
                "symbol": symbol, "role": role, "expr": "", "unit": "", "table": "", "file": "",
                "row": np.nan, "column": "", "source": "", "status": "", "coefficient": "",
                "register": "", "price_year": np.nan, "clause": ""}

    def input(self, symbol: str, values, unit: str, table: str, column: str, provenance: pd.DataFrame) -> None:
        """An inventory cell per figure; ``provenance`` has input_file, input_row, source, status per figure
        (read when the trace is built: calculators share it between symbols and never change it)."""
        part = self._base(symbol, "input")
        part.update(value=self._select(np.asarray(values, dtype=float)).astype(float), unit=unit, table=table,
                    column=column, provenance=provenance)
        self.parts.append(part)

    def _cells(self, part: dict) -> dict:
        """A part with its provenance columns as arrays of the selected figures."""
        if "provenance" not in part:
            return part
        part = dict(part)
        provenance = part.pop("provenance")
        part.update(file=self._select(provenance["input_file"].to_numpy(dtype=object), ""),
                    row=self._select(provenance["input_row"].to_numpy(dtype=float)),
                    source=self._select(provenance["source"].fillna("").to_numpy(dtype=object), ""),
                    status=self._select(provenance["status"].fillna("").to_numpy(dtype=object), ""))
        return part

    def coefficient(self, symbol: str, values, unit: str, rows: list) -> None:
        """A register row per figure (``rows`` are :class:`gep.coefficients.Coefficient`)."""
        part = self._base(symbol, "coefficient")
        part.update(value=self._select(np.asarray(values, dtype=float)).astype(float), unit=unit,
                    register_rows=self._select(np.asarray(rows, dtype=object), None))
        self.parts.append(part)

    def step(self, symbol: str, expr, values, unit: str) -> None:
        part = self._base(symbol, "step")
        part.update(value=self._select(np.asarray(values, dtype=float)).astype(float), unit=unit,
                    expr=self._select(expr, "") if not isinstance(expr, str) else expr)
        self.parts.append(part)

    def frame(self) -> pd.DataFrame:
        return trace_frame([self])


def trace_frame(builders, sort: bool = False) -> pd.DataFrame:
    """The rows of every part of ``builders``, in order (with ``sort``: stably sorted by figure,
    :data:`FIGURE_KEY`), as one table of :data:`TRACE_COLUMNS`.

    Built column by column — each part's scalars broadcast to arrays, each column concatenated once — and
    made a DataFrame once: a DataFrame per part, concatenated, took 3 s of a county's run (500 builders,
    4 000 parts, each column converted to Arrow text on its own)."""
    columns: dict[str, list[np.ndarray]] = {c: [] for c in TRACE_COLUMNS}
    for tb in builders:
        n = len(tb.keys) if tb.mask is None else int(np.count_nonzero(tb.mask))
        if not n:
            continue
        for p in tb.parts:
            part = _with_provenance(tb._cells(p))
            for c in TRACE_COLUMNS:
                value = part[c]
                if not isinstance(value, np.ndarray):
                    value = np.full(n, value, dtype=object if isinstance(value, str) else float)
                columns[c].append(value)
    if not columns["symbol"]:
        return pd.DataFrame(columns=TRACE_COLUMNS)
    arrays = {c: np.concatenate(parts) for c, parts in columns.items()}
    if sort:  # on the arrays, by integer codes in the keys' sorted order: sorting the Arrow text columns of the
        # DataFrame afterwards took half a second of a county's run
        codes = [pd.factorize(arrays[k], sort=True)[0] for k in FIGURE_KEY]
        order = np.lexsort(codes[::-1])  # lexsort's last key is the primary one; it is stable
        arrays = {c: a[order] for c, a in arrays.items()}
    return pd.DataFrame(arrays)


def _with_provenance(part: dict) -> dict:
    """A coefficient part with its register rows spelled out (label, source, status, register file, price
    year, clause); other parts as they are."""
    if "register_rows" not in part:
        return part
    part = dict(part)
    codes, rows = distinct(part.pop("register_rows"))
    for column, attribute in (("coefficient", lambda r: r.label()), ("source", lambda r: r.source),
                              ("status", lambda r: r.status), ("register", lambda r: r.register.rsplit("/", 1)[-1]),
                              ("clause", lambda r: r.clause)):
        part[column] = np.array([attribute(r) for r in rows], dtype=object)[codes]
    part["price_year"] = np.array([np.nan if r.price_year is None else float(r.price_year) for r in rows])[codes]
    return part


def check_trace(trace: pd.DataFrame, rtol: float = 1e-9) -> list[str]:
    """Re-evaluate every step of every figure from its inputs and coefficients (each step from the
    re-evaluated earlier steps, not the engine's); list the mismatches."""
    problems = []
    ordered = trace.sort_values(FIGURE_KEY, kind="stable")
    keys = list(zip(*(ordered[c].to_numpy() for c in FIGURE_KEY)))
    env, current = {}, None
    for key, symbol, role, expr, value in zip(keys, ordered["symbol"].to_numpy(), ordered["role"].to_numpy(),
                                              ordered["expr"].to_numpy(), ordered["value"].to_numpy()):
        if key != current:
            env, current = {}, key
        if role != "step":
            env[symbol] = value
            continue
        got = evaluate(expr, env)
        env[symbol] = got
        if not math.isclose(got, value, rel_tol=rtol, abs_tol=1e-9):
            problems.append(f"{'/'.join(map(str, key))}: {symbol} = {expr} gives {got!r}, engine {value!r}")
    return problems
