"""The schema files and the cell values: every shipped schema loads, a broken one is refused with its file
and field named, each column type reads what editors type and writes what it read, and the retry
schedule of the HTTP client is bounded (no server needed for these)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from gspread.exceptions import APIError

from app.sheets.catalog import load_schemas
from app.sheets.client import SheetsHTTPClient, SheetsUnavailable, _idempotent
from app.sheets.grid import a1, col_letter, ranges_for
from app.sheets.schema import Column, Reference, SchemaError, parse_schema
from app.sheets.settings import SheetsSettings
from app.sheets.values import CellContext, CellError, RefLookup, canon_value, parse, read_cell, to_cell

CTX = CellContext(
    tz=ZoneInfo("Asia/Singapore"),
    date_format="%d/%m/%Y",
    lookups={"channel": RefLookup({"lumi-facebook": 7}, {7: "lumi-facebook"}, "channel")},
)


def col(kind: str, **kw) -> Column:  # type: ignore[no-untyped-def]
    return Column(name=kw.pop("name", "c"), header=kw.pop("header", "C"), type=kind, field="c", **kw)


def test_every_shipped_schema_loads() -> None:
    schemas = load_schemas()
    assert {
        "content_calendar",
        "sop_checklists",
        "kpi_targets",
        "metrics_dictionary",
        "inbox_response_times",
    } <= set(schemas)
    assert schemas["metrics_dictionary"].direction == "export" and all(
        c.read_only for c in schemas["metrics_dictionary"].columns
    )
    cal = schemas["content_calendar"]
    assert cal.key_column.read_only and cal.column("channel").create_only and cal.column("title").required


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"columns": []}, "columns must be a non-empty list"),
        ({"columns": [{"name": "id", "type": "money"}]}, "type 'money'"),
        ({"key": "nope", "columns": [{"name": "id"}]}, "key 'nope'"),
        ({"columns": [{"name": "id"}, {"name": "s", "type": "enum"}]}, "lists its allowed values"),
        ({"columns": [{"name": "id"}, {"name": "r", "type": "reference"}]}, "needs references"),
        ({"direction": "sideways", "columns": [{"name": "id"}]}, "direction 'sideways'"),
        ({"conflicts": "coin_toss", "columns": [{"name": "id"}]}, "coin_toss"),
        ({"columns": [{"name": "id", "header": "X"}, {"name": "b", "header": "x"}]}, "headers repeat"),
    ],
)
def test_a_broken_schema_names_its_file_and_field(data: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message) as info:
        parse_schema(Path("broken.yaml"), {"name": "broken", **data})
    assert str(info.value).startswith("broken.yaml: ")


def test_a_schema_its_source_cannot_serve_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.yaml").write_text(
        "name: bad\nsource: table\ntable: campaigns\nkey: id\ncolumns:\n  - {name: id, type: int}\n  - {name: name}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SOCIALOPS_SHEETS_SCHEMA_DIR", str(tmp_path))
    with pytest.raises(SchemaError, match=r"bad\.yaml: source table is read-only; use direction: export"):
        load_schemas()
    (tmp_path / "bad.yaml").write_text(
        "name: bad\nsource: table\ntable: campaigns\ndirection: export\nkey: id\ncolumns:\n  - {name: id, type: int}\n  - {name: colour}\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match="has no column colour"):
        load_schemas()


@pytest.mark.parametrize(
    ("kind", "raw", "expected", "extra"),
    [
        ("text", "  Hello  ", "Hello", {}),
        ("text", 2026, "2026", {}),
        ("int", "1,234", 1234, {}),
        ("int", 12.0, 12, {}),
        ("decimal", 0.1, Decimal("0.10"), {}),
        ("decimal", "1,234.567", Decimal("1234.57"), {}),
        ("bool", "yes", True, {}),
        ("bool", False, False, {}),
        ("date", "2026-12-31", date(2026, 12, 31), {}),
        ("date", "31/12/2026", date(2026, 12, 31), {}),
        ("date", 46022, date(2025, 12, 31), {}),
        ("datetime", "2026-12-01 09:30", datetime(2026, 12, 1, 1, 30, tzinfo=UTC), {}),
        ("datetime", "2026-12-01T09:30:00+00:00", datetime(2026, 12, 1, 9, 30, tzinfo=UTC), {}),
        ("datetime", "01/12/2026 09:30", datetime(2026, 12, 1, 1, 30, tzinfo=UTC), {}),
        ("enum", "In Review", "in_review", {"values": ("draft", "in_review")}),
        ("reference", "LUMI-Facebook", 7, {"references": Reference("channels", "slug"), "name": "channel"}),
        ("text", "", None, {}),
    ],
)
def test_each_type_reads_what_editors_type(kind: str, raw: object, expected: object, extra: dict) -> None:
    column = col(kind, **extra)
    assert parse(raw, column, CTX) == expected
    if expected is not None:
        written = to_cell(expected, column, CTX)
        assert parse(written, column, CTX) == expected, "what the sync writes reads back the same"
        assert read_cell(written, column, CTX).canon == canon_value(expected, column, CTX)


@pytest.mark.parametrize(
    ("kind", "raw", "message", "extra"),
    [
        ("int", "12.5", "is not a whole number", {}),
        ("decimal", "lots", "is not a number", {}),
        ("date", "tomorrow", "is not a date", {}),
        ("datetime", "next tuesday", "is not a date and time", {}),
        ("bool", "maybe", "is not TRUE or FALSE", {}),
        ("enum", "postponed", "is not one of: draft, in_review", {"values": ("draft", "in_review")}),
        (
            "reference",
            "lumi-myspace",
            "no channel 'lumi-myspace' (known: lumi-facebook)",
            {"references": Reference("channels", "slug"), "name": "channel"},
        ),
        ("text", "=IMPORTXML(A1)", "is a formula", {}),
        ("int", "=1+1", "is a formula", {}),
        ("text", "x" * 11, "longer than 10 characters", {"max_length": 10}),
        ("text", "a\x00b", "NUL", {}),
    ],
)
def test_what_a_column_cannot_take_is_refused_with_the_reason(
    kind: str, raw: object, message: str, extra: dict
) -> None:
    with pytest.raises(CellError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(raw, col(kind, **extra), CTX)


def test_text_the_hub_wrote_that_starts_with_equals_reads_back_unchanged() -> None:
    cell = read_cell("=1+1", col("text"), CTX)
    assert cell.error and cell.canon == canon_value("=1+1", col("text"), CTX), "equal to what was exported"
    assert read_cell("oops", col("int"), CTX).canon != "oops", (
        "another refused value never equals a valid one"
    )


def test_cells_merge_into_few_ranges() -> None:
    assert (
        col_letter(0) == "A" and col_letter(25) == "Z" and col_letter(26) == "AA" and col_letter(701) == "ZZ"
    )
    assert a1("It's", 2, 1, 3, 2) == "'It''s'!B2:C3"
    block = {r: {0: r, 1: "x", 2: "y"} for r in range(2, 1002)}
    assert [d["range"] for d in ranges_for("T", block)] == ["'T'!A2:C1001"]
    holes = {5: {0: 1, 2: 3}, 6: {0: 1, 2: 3}, 9: {4: "s"}}
    assert [d["range"] for d in ranges_for("T", holes)] == ["'T'!A5", "'T'!C5", "'T'!A6", "'T'!C6", "'T'!E9"]


class _Session(requests.Session):
    """Answers from a script instead of the network (for the retry schedule)."""

    def __init__(self, statuses: list[int]) -> None:
        super().__init__()
        self.statuses = statuses

    def request(self, method, url, **kw):  # type: ignore[no-untyped-def, override]
        response = requests.Response()
        response.status_code = self.statuses.pop(0)
        response._content = (
            b'{"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}}'
        )
        response.headers["Retry-After"] = "0.3"
        return response


def test_backoff_is_exponential_bounded_and_gives_up() -> None:
    waits: list[float] = []
    settings = SheetsSettings(
        max_attempts=5, backoff_seconds=0.1, backoff_max_seconds=0.5, deadline_seconds=60
    )
    http = SheetsHTTPClient(None, _Session([429] * 5), settings=settings, sleep=waits.append)
    http.start_deadline()
    with pytest.raises(SheetsUnavailable, match="after 5 attempt"):
        http.request("get", "https://sheets.googleapis.com/v4/spreadsheets/k")
    assert waits == [0.3, 0.3, 0.4, 0.5], "Retry-After honoured, doubling, capped"
    http = SheetsHTTPClient(None, _Session([500]), settings=settings, sleep=waits.append)
    with pytest.raises(APIError):
        http.request("post", "https://sheets.googleapis.com/v4/spreadsheets/k:batchUpdate", json={})
    assert _idempotent("post", "https://x/v4/spreadsheets/k/values:batchUpdate") and not _idempotent(
        "post", "https://x/v4/spreadsheets/k:batchUpdate"
    )


def test_a_datetime_is_kept_to_the_minute_the_sheet_shows() -> None:
    # Seconds typed, or carried by a serial number, would be stored but never shown on the sheet.
    c = col("datetime", timezone="Asia/Singapore")
    assert parse("2026-11-25 14:37:44", c, CTX) == datetime(2026, 11, 25, 6, 37, tzinfo=UTC)
    assert parse(46351.60954, c, CTX).second == 0
    written = to_cell(parse("2026-11-25 14:37:44", c, CTX), c, CTX)
    assert written == "2026-11-25 14:37" and parse(written, c, CTX) == parse("2026-11-25 14:37", c, CTX)


def test_a_value_the_sheet_could_not_hold_as_written_is_refused() -> None:
    # Found by tests/properties/test_sheet_cells.py: both came back changed after the sync wrote them.
    with pytest.raises(CellError, match="between 1900 and 9999"):
        parse(-328717, col("datetime"), CTX)  # a serial number in the year 999
    with pytest.raises(CellError, match="between 1900 and 9999"):
        parse("0999-12-31", col("date"), CTX)
    with pytest.raises(CellError, match="more than 15 significant digits"):
        parse(9007199254740993, col("decimal", scale=4), CTX)
    with pytest.raises(CellError, match="more than 15 significant digits"):
        parse("12345678901234567", col("int"), CTX)
    assert parse(123456789012.345, col("decimal", scale=3), CTX) == Decimal("123456789012.345")
