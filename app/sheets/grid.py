"""One spreadsheet's tabs and cells in a constant number of requests: the tabs by key (one GET), a tab's
values (one batchGet, formulas shown as formulas), every changed cell (one batchUpdate, always RAW) and
structural changes (one spreadsheets batchUpdate: adding the tab, growing its grid)."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import gspread
from gspread.exceptions import APIError

from app.sheets.client import SheetsError, http_of

Cell = str | int | float | bool


@dataclass(frozen=True)
class Tab:
    sheet_id: int
    title: str
    rows: int
    cols: int


def col_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, row: int, col: int, row2: int | None = None, col2: int | None = None) -> str:
    """`'Tab'!B3:D5` from 1-based rows and 0-based columns."""
    start = f"{col_letter(col)}{row}"
    if row2 is None or col2 is None or (row2 == row and col2 == col):
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{col_letter(col2)}{row2}"


def _explain(exc: APIError, key: str, client: gspread.Client) -> SheetsError:
    status = exc.response.status_code
    who = getattr(http_of(client).settings, "client_email", "") or "the service account"
    if status == HTTPStatus.NOT_FOUND:
        return SheetsError(
            f"spreadsheet {key!r} was not found: check the key (from its URL) and share it with {who}"
        )
    if status == HTTPStatus.FORBIDDEN:
        return SheetsError(f"{who} may not open spreadsheet {key!r}: share it with that address as an editor")
    return SheetsError(f"Google Sheets refused the request (HTTP {status}): {exc.error.get('message', '')}")


def fetch_tabs(client: gspread.Client, key: str) -> dict[int, Tab]:
    """Open the spreadsheet by key: every tab's id, title and grid size (one request)."""
    try:
        meta = client.http_client.fetch_sheet_metadata(key, params={"includeGridData": "false"})
    except APIError as exc:
        raise _explain(exc, key, client) from None
    tabs = {}
    for sheet in meta.get("sheets", []):
        p = sheet.get("properties", {})
        grid = p.get("gridProperties", {})
        tabs[int(p["sheetId"])] = Tab(
            int(p["sheetId"]), str(p["title"]), int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0))
        )
    return tabs


def read_tab(client: gspread.Client, key: str, title: str) -> list[list[Any]]:
    """Every value of the tab, rows of cells (trailing empties trimmed, as the API sends them). Formulas
    come back as formulas (never evaluated into a value the sheet computed), dates as shown."""
    try:
        reply = client.http_client.values_batch_get(
            key,
            [quote_title(title)],
            params={
                "valueRenderOption": "FORMULA",
                "dateTimeRenderOption": "FORMATTED_STRING",
                "majorDimension": "ROWS",
            },
        )
    except APIError as exc:
        raise _explain(exc, key, client) from None
    ranges = reply.get("valueRanges") or [{}]
    return [list(r) for r in ranges[0].get("values", [])]


def write_cells(client: gspread.Client, key: str, data: list[dict[str, Any]]) -> int:
    """Write every range in one request, RAW: text is stored as typed, so "=cmd", "+60" or "@user" stay
    text and never become formulas. Returns the number of ranges written."""
    if not data:
        return 0
    try:
        client.http_client.values_batch_update(key, body={"valueInputOption": "RAW", "data": data})
    except APIError as exc:
        raise _explain(exc, key, client) from None
    return len(data)


def restructure(client: gspread.Client, key: str, requests: list[dict[str, Any]]) -> dict[str, Any]:
    if not requests:
        return {}
    try:
        return client.http_client.batch_update(key, {"requests": requests})
    except APIError as exc:
        raise _explain(exc, key, client) from None


def add_tab(client: gspread.Client, key: str, title: str, rows: int, cols: int) -> int:
    """A new tab with its header row frozen; its id as the server's reply gives it. The request proposes
    an id, but a Sheets-compatible server may choose its own, and every later request names the tab by
    the id it really has."""
    proposed = random.randint(1, 2**31 - 1)
    reply = restructure(
        client,
        key,
        [
            {
                "addSheet": {
                    "properties": {
                        "sheetId": proposed,
                        "title": title,
                        "gridProperties": {"rowCount": rows, "columnCount": cols, "frozenRowCount": 1},
                    }
                }
            }
        ],
    )
    try:
        return int(reply["replies"][0]["addSheet"]["properties"]["sheetId"])
    except (KeyError, IndexError, TypeError, ValueError):
        return proposed  # a reply without the tab's properties (Google's replies echo the proposal)


def dropdown_requests(sheet_id: int, rows: int, enums: dict[int, tuple[str, ...]]) -> list[dict[str, Any]]:
    """Dropdowns of allowed values for a new tab's enum columns (not strict: see below)."""
    reqs: list[dict[str, Any]] = []
    for col, values in enums.items():
        reqs.append(
            {
                "setDataValidation": {
                    "range": {
                        "sheetId": sheet_id,
                        "startRowIndex": 1,
                        "endRowIndex": rows,
                        "startColumnIndex": col,
                        "endColumnIndex": col + 1,
                    },
                    "rule": {
                        "condition": {
                            "type": "ONE_OF_LIST",
                            "values": [{"userEnteredValue": v} for v in values],
                        },
                        # Not strict: a pasted value is kept and reported by the sync, never lost.
                        "strict": False,
                        "showCustomUi": True,
                    },
                }
            }
        )
    return reqs


def grow_request(tab: Tab, rows: int, cols: int) -> dict[str, Any] | None:
    """Sheets refuses writes beyond a tab's grid: grow it first (never shrink it)."""
    if rows <= tab.rows and cols <= tab.cols:
        return None
    return {
        "updateSheetProperties": {
            "properties": {
                "sheetId": tab.sheet_id,
                "gridProperties": {"rowCount": max(rows, tab.rows), "columnCount": max(cols, tab.cols)},
            },
            "fields": "gridProperties.rowCount,gridProperties.columnCount",
        }
    }


def delete_rows_requests(sheet_id: int, rows: list[int]) -> list[dict[str, Any]]:
    """Delete these (1-based) rows, bottom first so that the indexes above stay right; adjacent rows go
    in one request."""
    spans: list[list[int]] = []
    for row in sorted(rows, reverse=True):
        if spans and spans[-1][0] == row + 1:
            spans[-1][0] = row
        else:
            spans.append([row, row])
    return [
        {
            "deleteDimension": {
                "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": lo - 1, "endIndex": hi}
            }
        }
        for lo, hi in spans
    ]


def shift_rows(cells: dict[int, dict[int, Cell]], deleted: list[int]) -> dict[int, dict[int, Cell]]:
    """Where each row's cells land once the `deleted` rows are gone."""
    if not deleted:
        return cells
    gone = sorted(deleted)
    out: dict[int, dict[int, Cell]] = {}
    for row, values in cells.items():
        if row in gone:
            continue
        out[row - bisect.bisect_left(gone, row)] = values
    return out


def ranges_for(title: str, cells: dict[int, dict[int, Cell]]) -> list[dict[str, Any]]:
    """Cells by row and column → as few ranges as possible: contiguous columns of a row form a run, and
    consecutive rows with the same runs form one block (a first export is a single range)."""
    runs: list[tuple[int, int, int, list[Cell]]] = []  # (row, first col, last col, values)
    for row in sorted(cells):
        cols = sorted(cells[row])
        start = prev = cols[0]
        values = [cells[row][start]]
        for c in cols[1:]:
            if c == prev + 1:
                values.append(cells[row][c])
            else:
                runs.append((row, start, prev, values))
                start, values = c, [cells[row][c]]
            prev = c
        runs.append((row, start, prev, values))
    data: list[dict[str, Any]] = []
    block: list[tuple[int, int, int, list[Cell]]] = []

    def flush() -> None:
        if block:
            r0, c0, c1, _ = block[0]
            data.append({"range": a1(title, r0, c0, block[-1][0], c1), "values": [b[3] for b in block]})
            block.clear()

    for run in runs:
        if block and (run[0] != block[-1][0] + 1 or run[1:3] != block[-1][1:3]):
            flush()
        if block and run[0] == block[-1][0]:  # a second run on the same row starts its own block
            flush()
        block.append(run)
    flush()
    return data
