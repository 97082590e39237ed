"""Whatever an editor types into a synced worksheet's cell (emoji, right-to-left and zero-width text, HTML
and script tags, SQL, formulas, huge strings, numbers, booleans) is read without a traceback: either as a
value that survives the round trip to the sheet and back unchanged, or refused with the column's header
in the reason. Every column of every shipped schema is tried."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sheets.catalog import load_schemas
from app.sheets.schema import Column
from app.sheets.values import CellContext, CellError, RefLookup, canon_value, parse, read_cell, to_cell

CTX = CellContext(
    tz=ZoneInfo("Asia/Kuala_Lumpur"),
    date_format="%d/%m/%Y",
    lookups={
        "channel": RefLookup(
            {"warisan-facebook": 7, "وارثن-x": 8}, {7: "warisan-facebook", 8: "وارثن-x"}, "channel"
        ),
        "metric": RefLookup({"impressions": 1}, {1: "impressions"}, "metric"),
    },
)
COLUMNS: list[Column] = [c for schema in load_schemas().values() for c in schema.columns]

TRICKY = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "'; DROP TABLE posts; --",
        '=HYPERLINK("http://evil.example","x")',
        "+SUM(A1:A9)",
        "@cmd",
        "مرحبا بالعالم",
        "zero\u200bwidth\u200djoin",
        "🙂👍🏽🇲🇾",
        "Kopi O 30% off!!!",
        "2026-13-45",
        "31/02/2026",
        "1e309",
        "NaN",
        "TRUE",
        "x" * 100_000,
    ]
)
RAW: st.SearchStrategy[Any] = (
    st.text(max_size=300)
    | TRICKY
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
)


@pytest.mark.parametrize("col", COLUMNS, ids=lambda c: f"{c.type}:{c.name}")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=RAW)
def test_any_cell_is_read_or_refused_by_its_column_never_a_traceback(col: Column, raw: Any) -> None:
    try:
        value = parse(raw, col, CTX)
    except CellError as exc:
        assert str(exc).startswith(f"{col.header}:"), exc  # the reason names the column
        cell = read_cell(raw, col, CTX)
        assert cell.error == str(exc) and cell.value is None
        return
    if value is None:
        return
    # Accepted: what the sync writes back (RAW) reads as the same value and the same canonical text.
    written = to_cell(value, col, CTX)
    assert parse(written, col, CTX) == value
    assert canon_value(parse(written, col, CTX), col, CTX) == canon_value(value, col, CTX)
    if col.type == "text" and isinstance(raw, str):
        assert value == raw.strip(), "text is stored as typed (trimmed), never rewritten"


def test_every_shipped_column_type_is_tried() -> None:
    assert {c.type for c in COLUMNS} >= {
        "text",
        "int",
        "decimal",
        "date",
        "datetime",
        "enum",
        "bool",
        "reference",
    }
