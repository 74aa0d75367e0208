"""Rules that relate values: field against field, a formula, and dates that cannot be right."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Iterator
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from sync.checks.base import Check, Context
from sync.checks.slips import typing_slips
from sync.findings import Finding
from sync.i18n import Text
from sync.tables.table import Table

_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
        "!=": operator.ne}
#: what it means when ``left OP right`` does not hold
_BROKEN = {">=": Text("早于", "is before"), ">": Text("不晚于", "is not after"), "<=": Text("晚于", "is after"),
           "<": Text("不早于", "is not before"), "==": Text("不等于", "differs from"), "!=": Text("等于", "equals")}
_BROKEN_NUM = {">=": Text("小于", "is less than"), ">": Text("不大于", "is not more than"),
               "<=": Text("大于", "is more than"), "<": Text("不小于", "is not less than"),
               "==": Text("不等于", "differs from"), "!=": Text("等于", "equals")}


class Compare(Check):
    """``left OP right + offset`` on every row where both are filled (offset in days for dates)."""

    type = "compare"
    MESSAGE = Text("{column} {value} {relation} {other_column} {other_value}",
                   "{column} {value} {relation} {other_column} {other_value}")
    HINT = Text("请核对这两个日期/数值", "check these two values")
    PLACEHOLDERS = frozenset({"relation", "other_column", "other_value", "difference", "offset"})
    left: str
    op: Literal[">=", ">", "<=", "<", "==", "!="]
    right: str
    offset: float = 0

    def fields_needed(self) -> list[str]:
        return [self.left, self.right]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        a, b = table.data[self.left], table.data[self.right]
        dates = pd.api.types.is_datetime64_any_dtype(a)
        shift = pd.to_timedelta(self.offset, unit="D") if dates else self.offset
        both = (a.notna() & b.notna()).to_numpy()
        broken = both & ~_OPS[self.op](a, b + shift).to_numpy(dtype=bool)
        if not broken.any():
            return
        diff = a - b
        diff = diff.dt.days if dates else diff
        words = (_BROKEN if dates else _BROKEN_NUM)[self.op].format(ctx.lang)
        n = int(broken.sum())
        other = table.columns[self.right].header
        yield from self.flag(table, ctx, broken, self.left, {
            "relation": [words] * n, "other_column": [other] * n,
            "other_value": [table.raw_text(self.right, p) for p in np.flatnonzero(broken)],
            "difference": diff.to_numpy()[broken], "offset": [self.offset] * n})


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _names(expr: str) -> list[str]:
    """The field names an arithmetic expression uses; refuses anything but + - * / ( ) and numbers."""
    tree = ast.parse(expr, mode="eval")
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.Constant, ast.Load,
                                   *_BINOPS)) or (isinstance(node, ast.Constant) and
                                                  not isinstance(node.value, (int, float))):
            raise ValueError(f"only + - * / ( ), numbers and field names are allowed, not {ast.unparse(node)!r}")
    return names


def evaluate(expr: str, columns: pd.DataFrame) -> pd.Series:
    """Evaluate an arithmetic expression over whole columns."""

    def walk(node: ast.AST):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Name):
            return columns[node.id]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand)
        assert isinstance(node, ast.BinOp)
        return _BINOPS[type(node.op)](walk(node.left), walk(node.right))

    return walk(ast.parse(expr, mode="eval"))


class Formula(Check):
    """``field = expr`` within ``abs_tol`` or ``rel_tol`` (whichever is larger), e.g. amount = quantity * unit_price."""

    type = "formula"
    MESSAGE = Text("{column} 为 {value}，但 {formula} = {expected}", "{column} is {value}, but {formula} = {expected}")
    HINT = Text("请核对 {column} 或其计算所用的数值", "check {column} or the values it is computed from")
    PLACEHOLDERS = frozenset({"formula", "expected", "difference"})
    field: str
    expr: str
    abs_tol: float = Field(default=0.01, ge=0)
    rel_tol: float = Field(default=0.0, ge=0)
    #: when set, a difference that is no typing slip (sync.checks.slips: freight added, a minimum
    #: charge, a free sample at 0) gets this severity; a slip keeps the rule's own
    unlike_slip: Literal["error", "warning", "info"] | None = None

    @field_validator("expr")
    @classmethod
    def _arithmetic(cls, value: str) -> str:
        try:
            if not _names(value):
                raise ValueError("the expression uses no field")
        except SyntaxError as exc:
            raise ValueError(f"not an arithmetic expression: {exc.msg}") from exc
        return value

    def fields_needed(self) -> list[str]:
        return [self.field, *_names(self.expr)]

    def run(self, table: Table, ctx: Context) -> Iterator[Finding]:
        expected = evaluate(self.expr, table.data)
        actual = table.data[self.field]
        tol = np.maximum(self.abs_tol, self.rel_tol * expected.abs())
        off = ((actual - expected).abs() > tol + 1e-9).to_numpy() & actual.notna().to_numpy() & \
            expected.notna().to_numpy()
        if not off.any():
            return
        formula = re.sub(r"[A-Za-z_]\w*", lambda m: table.columns[m[0]].header, self.expr).replace("*", "×")
        positions = np.flatnonzero(off)
        got, want = actual.to_numpy(dtype=float)[positions], expected.to_numpy(dtype=float)[positions]
        slip = typing_slips(got, want) if self.unlike_slip else np.ones(len(positions), dtype=bool)
        for chosen, severity in ((slip, None), (~slip, self.unlike_slip)):
            if chosen.any():
                yield from self.flag_at(table, ctx, positions[chosen], self.field, {
                    "formula": [formula] * int(chosen.sum()), "expected": want[chosen],
                    "difference": (got - want)[chosen]}, severity=severity)
