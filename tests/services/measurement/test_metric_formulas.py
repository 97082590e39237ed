"""Dictionary formulas: parsed without eval, unknown names refused by name, division by zero blank,
the same answer row by row and over a whole DataFrame, and arbitrary text never a crash."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.models import CHANNEL_BASE_METRICS
from app.services.measurement.metrics.formulas import (
    FormulaError,
    evaluate,
    evaluate_frame,
    metric_value,
    names,
    parse,
)

BASE = CHANNEL_BASE_METRICS


@pytest.mark.parametrize(
    ("formula", "values", "expected"),
    [
        ("engagements / impressions", {"engagements": 50, "impressions": 1000}, 0.05),
        (
            "(likes + comments + shares) / reach * 100",
            {"likes": 6, "comments": 3, "shares": 1, "reach": 200},
            5.0,
        ),
        ("clicks - -2", {"clicks": 3}, 5.0),
        ("-clicks + 1.5", {"clicks": 1}, 0.5),
        ("follower_growth / followers", {"follower_growth": 5, "followers": 0}, None),  # zero divisor: blank
        ("engagements / impressions", {"engagements": 5, "impressions": None}, None),  # missing input: blank
        ("1 / (impressions - impressions)", {"impressions": 10}, None),
        ("2 * 3 + 4", {}, 10.0),
        ("2 * (3 + 4)", {}, 14.0),
        ("8 / 4 / 2", {}, 1.0),  # left to right
    ],
)
def test_evaluate(formula: str, values: dict, expected: float | None) -> None:
    result = evaluate(parse(formula, BASE), values)
    assert result == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("engagements / impresions", "unknown metric 'impresions'"),
        ("__import__ + clicks", "unknown metric '__import__'"),
        ("__import__('os').system('x')", '"\'" at position 12 is not allowed'),
        ("clicks ** 2", "'*' at position 9"),
        ("clicks; drop table x", "';' at position 7"),
        ("(clicks + 1", "'(' at position 1 is never closed"),
        ("clicks +", "ends where"),
        ("clicks clicks", "unexpected 'clicks'"),
        ("   ", "empty"),
        ("(" * 60 + "clicks" + ")" * 60, "nested more than"),
    ],
)
def test_bad_formulas_are_refused_with_what_is_wrong(formula: str, message: str) -> None:
    with pytest.raises(FormulaError, match=None) as info:
        parse(formula, BASE)
    assert message in str(info.value)
    assert info.value.field == "formula"


def test_names_are_the_metrics_used() -> None:
    assert names(parse("(likes + comments) / reach - 1", BASE)) == {"likes", "comments", "reach"}


def test_frame_evaluation_agrees_with_row_evaluation() -> None:
    frame = pd.DataFrame(
        {"engagements": [50, 0, 7, np.nan], "impressions": [1000, 0, np.nan, 10], "clicks": [1, 2, 3, 4]}
    )
    expr = parse("(engagements + clicks) / impressions", BASE)
    got = evaluate_frame(expr, frame)
    for i, row in frame.iterrows():
        one = evaluate(expr, {k: (None if pd.isna(v) else v) for k, v in row.items()})
        assert (math.isnan(got[i]) and one is None) or got[i] == pytest.approx(one)
    assert evaluate_frame(parse("saves / clicks", BASE), frame).isna().all()  # a column the frame lacks


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    try:
        expr = parse(text, BASE)
    except FormulaError:
        return
    value = evaluate(expr, dict.fromkeys(BASE, 0))
    assert value is None or math.isfinite(value)


_atoms = st.sampled_from([*BASE, "0", "1", "2.5", "1e"]) | st.sampled_from(
    ["(", ")", "+", "-", "*", "/", " "]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_atoms, max_size=40), st.lists(st.integers(-5, 5), min_size=len(BASE), max_size=len(BASE)))
def test_formula_like_text_parses_or_is_refused_and_evaluates_without_error(tokens, numbers) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(tokens)
    try:
        expr = parse(text, BASE)
    except FormulaError:
        return
    values = dict(zip(BASE, numbers, strict=True))
    row = evaluate(expr, values)
    col = evaluate_frame(expr, pd.DataFrame([values])).iloc[0]
    assert (row is None and math.isnan(col)) or col == pytest.approx(row)


def test_a_dictionary_metric_is_its_base_value_or_its_whole_formula_not_only_a_ratio() -> None:
    values = {"likes": 30, "comments": 10, "shares": 10, "impressions": 1000, "reach": None}
    assert metric_value("likes", None, values) == 30.0
    assert metric_value("reach", None, values) is None
    assert metric_value("ctr", "likes / impressions", values) == pytest.approx(0.03)
    # A KPI on a formula with more than one term used to come back blank on the KPIs page.
    assert metric_value("er", "(likes + comments + shares) / impressions", values) == pytest.approx(0.05)
    assert metric_value("er", "likes / reach", values) is None  # an input is blank
    assert metric_value("er", "likes / (impressions - 1000)", values) is None  # divisor zero
    assert metric_value("er", "likes / / impressions", values) is None  # no longer parses: blank
