"""Formulas of the metrics dictionary: a small recursive-descent parser (names, numbers, + - * /, unary
minus, parentheses) and evaluators over one set of values or a whole DataFrame. User text is never given
to eval(); an unknown name is refused with the name, and a division by zero gives a blank (None / NaN).

    parse(text, allowed) -> Expr         raises FormulaError (a ValidationError) naming what is wrong
    evaluate(expr, values) -> float|None  None when an input is blank or a divisor is zero
    evaluate_frame(expr, frame) -> Series NaN where evaluate would give None
    names(expr) -> set[str]
    metric_value(key, formula, values)   a dictionary metric's value: its base value or its formula's
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from app.services.core import ValidationError

MAX_LENGTH = 500  # the column's size
MAX_DEPTH = 40  # nesting; deeper input is refused rather than risking Python's recursion limit


class FormulaError(ValidationError):
    pass


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Name:
    key: str


@dataclass(frozen=True)
class Neg:
    operand: Expr


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * /
    left: Expr
    right: Expr


Expr = Num | Name | Neg | BinOp

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        if m.group(1) is not None:
            out.append(("num", m.group(1), m.start(1)))
        elif m.group(2) is not None:
            out.append(("name", m.group(2), m.start(2)))
        elif m.group(3) is not None:
            ch = m.group(3)
            if ch not in "+-*/()":
                raise FormulaError(
                    f"formula: {ch!r} at position {m.start(3) + 1} is not allowed (use metric keys, numbers, "
                    "+ - * / and parentheses)",
                    field="formula",
                    value=text,
                )
            out.append(("op", ch, m.start(3)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, allowed: frozenset[str] | None) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.allowed = allowed
        self.depth = 0

    def fail(self, message: str) -> FormulaError:
        return FormulaError(f"formula: {message}", field="formula", value=self.text)

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def expr(self) -> Expr:
        node = self.term()
        while (t := self.peek()) and t[0] == "op" and t[1] in "+-":
            self.i += 1
            node = BinOp(t[1], node, self.term())
        return node

    def term(self) -> Expr:
        node = self.factor()
        while (t := self.peek()) and t[0] == "op" and t[1] in "*/":
            self.i += 1
            node = BinOp(t[1], node, self.factor())
        return node

    def factor(self) -> Expr:
        t = self.peek()
        if t is None:
            raise self.fail("ends where a metric key, a number or '(' was expected")
        kind, value, pos = t
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep")
        try:
            self.i += 1
            if kind == "num":
                number = float(value)
                if not math.isfinite(number):
                    raise self.fail(f"number {value!r} is too large")
                return Num(number)
            if kind == "name":
                if self.allowed is not None and value not in self.allowed:
                    raise self.fail(f"unknown metric {value!r} (known: {', '.join(sorted(self.allowed))})")
                return Name(value)
            if value == "-":
                return Neg(self.factor())
            if value == "+":
                return self.factor()
            if value == "(":
                inner = self.expr()
                close = self.peek()
                if close is None or close[1] != ")":
                    raise self.fail(f"'(' at position {pos + 1} is never closed")
                self.i += 1
                return inner
            raise self.fail(
                f"{value!r} at position {pos + 1} where a metric key, a number or '(' was expected"
            )
        finally:
            self.depth -= 1


def parse(text: str, allowed: Iterable[str] | None = None) -> Expr:
    """The formula's expression tree; `allowed` (when given) is the set of names it may use."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("formula: empty", field="formula", value=text)
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula: longer than {MAX_LENGTH} characters", field="formula", value=text[:40])
    p = _Parser(text, frozenset(allowed) if allowed is not None else None)
    node = p.expr()
    if (t := p.peek()) is not None:
        raise p.fail(f"unexpected {t[1]!r} at position {t[2] + 1}")
    return node


def names(expr: Expr) -> set[str]:
    if isinstance(expr, Name):
        return {expr.key}
    if isinstance(expr, Neg):
        return names(expr.operand)
    if isinstance(expr, BinOp):
        return names(expr.left) | names(expr.right)
    return set()


def evaluate(expr: Expr, values: Mapping[str, float | int | None]) -> float | None:
    """The formula's value; None when an input is missing or blank, a divisor is zero, or the result is
    not a finite number."""
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Name):
        v = values.get(expr.key)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        return float(v)
    if isinstance(expr, Neg):
        inner = evaluate(expr.operand, values)
        return None if inner is None else -inner
    left, right = evaluate(expr.left, values), evaluate(expr.right, values)
    if left is None or right is None:
        return None
    if expr.op == "/":
        if right == 0:
            return None
        result = left / right
    elif expr.op == "*":
        result = left * right
    elif expr.op == "+":
        result = left + right
    else:
        result = left - right
    return result if math.isfinite(result) else None


@lru_cache(maxsize=256)
def _stored(formula: str) -> Expr | None:
    # Formulas in the dictionary were checked when saved; one that no longer parses gives a blank.
    try:
        return parse(formula)
    except FormulaError:
        return None


def metric_value(key: str, formula: str | None, values: Mapping[str, float | int | None]) -> float | None:
    """The value of dictionary metric `key` over a scope's base values: its own value when it has no
    formula, else its formula evaluated (None when that cannot be computed)."""
    if not formula:
        v = values.get(key)
        return None if v is None else float(v)
    expr = _stored(formula)
    return None if expr is None else evaluate(expr, values)


def evaluate_frame(expr: Expr, frame: pd.DataFrame) -> pd.Series:
    """The formula for every row of `frame` at once (columns named by metric keys); NaN where
    `evaluate` gives None. A name missing from the frame is a column of blanks."""

    def ev(node: Expr) -> np.ndarray:
        if isinstance(node, Num):
            return np.full(len(frame), node.value, dtype="float64")
        if isinstance(node, Name):
            if node.key not in frame:
                return np.full(len(frame), np.nan)
            return pd.to_numeric(frame[node.key], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        if isinstance(node, Neg):
            return -ev(node.operand)
        a, b = ev(node.left), ev(node.right)
        with np.errstate(all="ignore"):
            if node.op == "/":
                out = np.where(b == 0, np.nan, a / np.where(b == 0, 1.0, b))
            elif node.op == "*":
                out = a * b
            elif node.op == "+":
                out = a + b
            else:
                out = a - b
        return np.where(np.isfinite(out), out, np.nan)

    return pd.Series(ev(expr), index=frame.index, dtype="float64")
