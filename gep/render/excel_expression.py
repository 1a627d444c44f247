"""A trace expression as the body of an Excel formula: cell references for its symbols, and parentheses where
Excel's precedence differs from the trace language's (``-a^b`` is (−a)^b in Excel, ``a^b^c`` is (a^b)^c).

A leaf of the formula workbook (:mod:`gep.render.formulas`), apart so that the workbook module stays about
sheets.
"""
from __future__ import annotations

import ast
import functools

from gep.trace import symbols_of, to_excel


def _needs_parentheses(tree: ast.AST) -> bool:
    """Whether Excel would read the expression differently: ``-a^b`` is (−a)^b in Excel, and
    ``a^b^c`` is (a^b)^c."""
    for node in ast.walk(tree):
        if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.BinOp) \
                and isinstance(node.operand.op, ast.Pow):
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and isinstance(node.right, ast.BinOp) \
                and isinstance(node.right.op, ast.Pow):
            return True  # (a left operand of ^ that is not a name, number or call was parenthesised already)
    return False


_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}


def _parenthesised(node: ast.AST) -> str:
    if isinstance(node, ast.Expression):
        return _parenthesised(node.body)
    if isinstance(node, ast.Constant):
        return repr(float(node.value)) if isinstance(node.value, float) else str(node.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.UnaryOp):
        return f"(-{_parenthesised(node.operand)})"
    if isinstance(node, ast.BinOp):
        return f"({_parenthesised(node.left)}{_OPS[type(node.op)]}{_parenthesised(node.right)})"
    if isinstance(node, ast.Call):
        return f"{node.func.id}({','.join(_parenthesised(a) for a in node.args)})"
    raise ValueError(f"not allowed in a trace expression: {ast.dump(node)}")


def excel_expression(expr: str, cells: dict[str, str]) -> str:
    """A trace expression as an Excel formula body with cell references (precedence made explicit
    where Excel's differs)."""
    missing = [s for s in symbols_of(expr) if s not in cells]
    if missing:
        raise ValueError(f"expression {expr!r} refers to {', '.join(missing)}, not earlier symbols of its figure")
    return to_excel(_excel_precedence(expr), cells)


@functools.lru_cache(maxsize=4096)
def _excel_precedence(expr: str) -> str:
    tree = ast.parse(expr.replace("^", "**"), mode="eval")
    return _parenthesised(tree) if _needs_parentheses(tree) else expr
