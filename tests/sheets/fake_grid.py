"""The in-memory spreadsheets behind the local Sheets-compatible server: tabs with grid limits, cells that
hold a value or a formula, A1 ranges as the API spells them, and the two input options (RAW stores
strings as typed; USER_ENTERED parses them as the Sheets UI does, so "=1+1" becomes a formula)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class ApiError(Exception):
    """Answered as Google does: {"error": {"code", "message", "status"}}."""

    def __init__(self, code: int, message: str, status: str = "INVALID_ARGUMENT") -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class FakeCell:
    value: Any  # str | int | float | bool: what the cell shows (for a formula, a stand-in result)
    formula: str | None = None


class Cells(dict):
    """A tab's cells that keep track of their used extent as they change, so answering a read (or an
    append) costs what it does at Google: about the same at row 5,000 as at row 5. Without this, the
    per-row loop of benchmarks/sheets_sync.py would be slowed by the server rather than by its requests."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extent: tuple[int, int] | None = None

    def __setitem__(self, key: tuple[int, int], cell: FakeCell) -> None:
        was_empty = _empty(self.get(key))
        super().__setitem__(key, cell)
        if self.extent is not None:
            if _empty(cell):
                # Only blanking a filled cell can shrink the extent.
                if not was_empty:
                    self.extent = None
            else:
                self.extent = (max(self.extent[0], key[0] + 1), max(self.extent[1], key[1] + 1))

    def __delitem__(self, key: tuple[int, int]) -> None:
        super().__delitem__(key)
        self.extent = None


@dataclass
class FakeTab:
    sheet_id: int
    title: str
    index: int
    rows: int = 1000
    cols: int = 26
    frozen_rows: int = 0
    cells: dict[tuple[int, int], FakeCell] = field(default_factory=dict)  # 0-based (row, col)
    validations: list[dict] = field(default_factory=list)

    def properties(self) -> dict[str, Any]:
        grid = {"rowCount": self.rows, "columnCount": self.cols}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": self.index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }

    def used(self) -> tuple[int, int]:
        """(rows, cols) up to the last non-empty cell."""
        if not isinstance(self.cells, Cells):  # rows were inserted or deleted: a new dict
            self.cells = Cells(self.cells)
        if self.cells.extent is None:
            rows = max((r for (r, _), c in self.cells.items() if not _empty(c)), default=-1) + 1
            cols = max((c for (_, c), cell in self.cells.items() if not _empty(cell)), default=-1) + 1
            self.cells.extent = (rows, cols)
        return self.cells.extent

    def read(self, r0: int, c0: int, r1: int | None, c1: int | None, render: str) -> list[list[Any]]:
        used_r, used_c = self.used()
        r1 = min(used_r, self.rows) - 1 if r1 is None else min(r1, used_r - 1)
        c1 = min(used_c, self.cols) - 1 if c1 is None else min(c1, used_c - 1)
        out: list[list[Any]] = []
        for r in range(r0, r1 + 1):
            row = [_render(self.cells.get((r, c)), render) for c in range(c0, c1 + 1)]
            while row and row[-1] == "":
                row.pop()
            out.append(row)
        while out and not out[-1]:
            out.pop()
        return out

    def write(
        self,
        r0: int,
        c0: int,
        r1: int | None,
        c1: int | None,
        values: list[list[Any]],
        option: str,
        label: str,
    ) -> int:
        if option not in ("RAW", "USER_ENTERED"):
            raise ApiError(400, f"Invalid valueInputOption: {option!r}")
        last_r = r0 + len(values) - 1
        last_c = c0 + max((len(v) for v in values), default=1) - 1
        if (r1 is not None and last_r > r1) or (c1 is not None and last_c > c1):
            raise ApiError(400, f"Requested writing within range [{label}], but tried writing beyond it")
        if last_r >= self.rows or last_c >= self.cols:
            raise ApiError(
                400, f"Range ({label}) exceeds grid limits. Max rows: {self.rows}, max columns: {self.cols}"
            )
        count = 0
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                self.cells[(r0 + i, c0 + j)] = entered(value) if option == "USER_ENTERED" else FakeCell(value)
                count += 1
        return count

    def clear(self, r0: int, c0: int, r1: int | None, c1: int | None) -> None:
        for r, c in list(self.cells):
            if r >= r0 and c >= c0 and (r1 is None or r <= r1) and (c1 is None or c <= c1):
                del self.cells[(r, c)]

    def delete_rows(self, start: int, end: int) -> None:
        n = end - start
        moved = {}
        for (r, c), cell in self.cells.items():
            if r < start:
                moved[(r, c)] = cell
            elif r >= end:
                moved[(r - n, c)] = cell
        self.cells = moved
        self.rows -= n

    def insert_rows(self, start: int, end: int) -> None:
        n = end - start
        self.cells = {((r + n) if r >= start else r, c): cell for (r, c), cell in self.cells.items()}
        self.rows += n


def _empty(cell: FakeCell | None) -> bool:
    return cell is None or (cell.formula is None and cell.value in ("", None))


def _render(cell: FakeCell | None, render: str) -> Any:
    if cell is None:
        return ""
    if render == "FORMULA" and cell.formula is not None:
        return cell.formula
    value = cell.value
    if render == "FORMATTED_VALUE":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "" if value is None else str(value)
    return value


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def entered(value: Any) -> FakeCell:
    """A value as the Sheets UI (or USER_ENTERED) takes it."""
    if not isinstance(value, str):
        return FakeCell(value)
    if value.startswith("'"):
        return FakeCell(value[1:])
    if value.startswith("="):
        return FakeCell("#VALUE!", formula=value)
    if value.upper() in ("TRUE", "FALSE"):
        return FakeCell(value.upper() == "TRUE")
    if _NUMBER.match(value.strip()):
        number = float(value)
        return FakeCell(int(number) if number.is_integer() and "." not in value else number)
    return FakeCell(value)


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_CELL = re.compile(r"^([A-Z]*)(\d*)$")


def split_title(text: str) -> tuple[str | None, str]:
    """("Tab", "A1:B2") from "'Tab'!A1:B2"; (None, text) when no tab is named."""
    if text.startswith("'"):
        i, title = 1, ""
        while i < len(text):
            if text[i] == "'" and text[i + 1 : i + 2] == "'":
                title, i = title + "'", i + 2
            elif text[i] == "'":
                break
            else:
                title, i = title + text[i], i + 1
        rest = text[i + 1 :]
        return title, rest[1:] if rest.startswith("!") else rest
    if "!" in text:
        title, _, rest = text.rpartition("!")
        return title, rest
    return None, text


def parse_cells(ref: str) -> tuple[int, int, int | None, int | None]:
    """0-based (r0, c0, r1, c1) of "A1:C5", "A:C", "A2:Z", "B3"; None where the range is open."""
    if not ref:
        return 0, 0, None, None
    left, _, right = ref.upper().partition(":")
    m1, m2 = _CELL.match(left), _CELL.match(right or left)
    if not m1 or not m2 or not (left.strip()):
        raise ApiError(400, f"Unable to parse range: {ref}")
    c0 = col_index(m1.group(1)) if m1.group(1) else 0
    r0 = int(m1.group(2)) - 1 if m1.group(2) else 0
    if not right:
        return r0, c0, (r0 if m1.group(2) else None), (c0 if m1.group(1) else None)
    c1 = col_index(m2.group(1)) if m2.group(1) else None
    r1 = int(m2.group(2)) - 1 if m2.group(2) else None
    return r0, c0, r1, c1


@dataclass
class FakeSpreadsheet:
    key: str
    title: str
    tabs: list[FakeTab] = field(default_factory=list)

    def tab(self, title: str) -> FakeTab:
        for t in self.tabs:
            if t.title == title:
                return t
        raise ApiError(400, f"Unable to parse range: {title}")

    def locate(self, text: str) -> tuple[FakeTab, int, int, int | None, int | None]:
        title, ref = split_title(text)
        if title is None:
            named = [t for t in self.tabs if t.title == ref]
            if named:
                return named[0], 0, 0, None, None
            if not self.tabs:
                raise ApiError(400, f"Unable to parse range: {text}")
            return (self.tabs[0], *parse_cells(ref))
        return (self.tab(title), *parse_cells(ref))

    def metadata(self) -> dict[str, Any]:
        return {
            "spreadsheetId": self.key,
            "properties": {"title": self.title, "locale": "en_GB", "timeZone": "Asia/Singapore"},
            "sheets": [{"properties": t.properties()} for t in sorted(self.tabs, key=lambda t: t.index)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit",
        }
