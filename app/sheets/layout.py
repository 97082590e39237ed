"""Where a worksheet's columns are and what its rows hold: headers are matched by name (editors may move
columns or add their own), missing columns are put back at the end, and every row is read into the
canonical values the sync compares."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from app.sheets.client import SheetsError
from app.sheets.schema import Column, WorksheetSchema
from app.sheets.values import CellContext, SheetCell, read_cell

_PARENS = re.compile(r"\s*\(.*\)\s*$")


def header_text(col: Column, cells: CellContext) -> str:
    """A time column's header names its zone, e.g. "Scheduled (Asia/Singapore)"."""
    if col.type == "datetime":
        return f"{col.header} ({cells.zone_for(col).key})"
    return col.header


def _norm(text: Any) -> str:
    return _PARENS.sub("", str(text)).strip().lower()


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Layout:
    positions: dict[str, int]  # column name -> 0-based column index
    status_col: int
    missing: set[str]  # columns the sheet does not have (put back at the end)
    header_writes: dict[int, str]
    width: int


def make_layout(schema: WorksheetSchema, grid: list[list[Any]], cells: CellContext) -> Layout:
    header = grid[0] if grid else []
    found: dict[str, int] = {}
    for i, text in enumerate(header):
        if not blank(text):
            found.setdefault(_norm(text), i)
    used = max([i for i, t in enumerate(header) if not blank(t)], default=-1)
    has_data = any(any(not blank(v) for v in row) for row in grid[1:])
    key = schema.key_column
    if has_data and _norm(key.header) not in found:
        raise SheetsError(
            f"the worksheet has rows but no {key.header!r} column (the key of every row): put the column "
            "back, or clear the worksheet to export it again"
        )
    positions: dict[str, int] = {}
    missing: set[str] = set()
    writes: dict[int, str] = {}
    wanted = [(c.name, c.header, header_text(c, cells)) for c in schema.columns]
    wanted.append(("", schema.status_column, schema.status_column))
    for name, plain_header, text in wanted:
        index = found.get(_norm(plain_header))
        if index is None:
            used += 1
            index = used
            missing.add(name)
        positions[name] = index
        if index >= len(header) or str(header[index]) != text:
            writes[index] = text
    status_col = positions.pop("")
    missing.discard("")
    return Layout(positions, status_col, missing, writes, max([*positions.values(), status_col]) + 1)


@dataclass
class SheetRow:
    number: int  # 1-based row of the sheet
    cells: dict[str, SheetCell]  # present columns only
    raw: dict[str, Any]
    status: str
    key: str = ""
    key_error: str | None = None
    values_hash: str = field(default="")

    def shown(self, schema: WorksheetSchema) -> dict[str, str]:
        """The row as the editor sees it (header -> text), for a problem record."""
        out = {}
        for col in schema.columns:
            if col.name in self.raw and not blank(self.raw[col.name]):
                out[col.header] = str(self.raw[col.name])
        return out


def canon_hash(values: list[str]) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode("utf-8")).hexdigest()


def read_rows(
    schema: WorksheetSchema, grid: list[list[Any]], layout: Layout, cells: CellContext
) -> list[SheetRow]:
    """Data rows (blank ones skipped), each cell read and checked by its column's type."""
    cols = [(c, layout.positions[c.name]) for c in schema.columns if c.name not in layout.missing]
    key = schema.key_column
    out = []
    for number, row in enumerate(grid[1:], start=2):
        raw = {c.name: (row[i] if i < len(row) else "") for c, i in cols}
        status = row[layout.status_col] if layout.status_col < len(row) else ""
        if all(blank(v) for v in raw.values()):
            if not blank(status):
                out.append(SheetRow(number, {}, {}, str(status)))  # a leftover status to clear
            continue
        parsed = {c.name: read_cell(raw[c.name], c, cells) for c, _ in cols}
        sheet_row = SheetRow(number, parsed, raw, "" if blank(status) else str(status))
        key_cell = parsed.get(key.name)
        if key_cell is not None and key_cell.canon:
            sheet_row.key, sheet_row.key_error = key_cell.canon.lstrip("\x01"), key_cell.error
        sheet_row.values_hash = canon_hash(
            [parsed[c.name].canon if c.name in parsed else "" for c in schema.columns if c.name != key.name]
        )
        out.append(sheet_row)
    return out
